#!/bin/sh
# bench/run.sh — pintgw's benchmark: throughput, latency, memory per
# pending request and restart time, each printed next to a baseline
# measured in the same run on the same machine (bench/README.md).
#
#   make bench                      (builds what it needs, then runs this)
#   BENCH_ONLY=sip,tsx,daemon BENCH_QUICK=1 sh bench/run.sh
#
# Figures: 1 "sip" — the SIP engine alone (tools/pintcall against SIPp
# playing a PINT gateway) vs SIPp UAC -> SIPp UAS; 2 "tsx" — cost per
# message against live transactions (bench/tsxbench) vs libosip2's
# transaction layer; 3 "daemon" — pintgw end to end over HTTP vs a bare
# libmicrohttpd JSON handler (bench/mhd_baseline) under the same load
# generator (bench/httpload).
#
# Everything runs on 127.0.0.1, every loop is bounded in count and time,
# and every process started here is killed on exit. Progress goes to
# stderr; the table and the commands to rerun it go to stdout.
#
# Environment: BUILD (build tree, default .), BENCH_ONLY, BENCH_QUICK=1
# (about 2 minutes), BENCH_STEP_SECS, BENCH_HTTP_SECS, BENCH_PENDING,
# BENCH_CALLGRIND (auto|0|1), BENCH_PERF=1 (profile pintgw under load),
# BENCH_KEEP=1 (keep the work directory with every log).

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$(pwd)}
PINTGW=$BUILD/pintgw
PINTCALL=$BUILD/tools/pintcall
HTTPLOAD=$BUILD/bench/httpload
MHD=$BUILD/bench/mhd_baseline
TSXBENCH=$BUILD/bench/tsxbench
SIPPDIR=$top/bench/sipp

ONLY=${BENCH_ONLY:-sip,tsx,daemon}
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	STEP=${BENCH_STEP_SECS:-2}
	HTTP_SECS=${BENCH_HTTP_SECS:-4}
	PENDING=${BENCH_PENDING:-10000}
	CALLGRIND=${BENCH_CALLGRIND:-0}
	TSX_SIZES=100,1000,10000
else
	STEP=${BENCH_STEP_SECS:-4}
	HTTP_SECS=${BENCH_HTTP_SECS:-8}
	PENDING=${BENCH_PENDING:-100000}
	CALLGRIND=${BENCH_CALLGRIND:-auto}
	TSX_SIZES=100,1000,10000,100000
fi
SIPP_RATES=${BENCH_SIPP_RATES:-"4000 8000 12000 16000 20000 24000 28000 32000"}
PINT_RATES=${BENCH_PINT_RATES:-"1000 2000 3000 4000 6000 8000 10000 12000 16000"}
CONNS=64
BODY='{"service":"call","to":"+15555550199","from":"+15555550100"}'
BODY_RING='{"service":"call","to":"+15555550199","from":"+15555550100","ring_timeout":600}'
TOKEN=bench-token-0123456789abcdef0123456789
TCK=$(getconf CLK_TCK)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pintgw-bench.XXXXXX") || exit 1
TABLE=$WORK/table.tsv
PIDS=""
: >"$TABLE"

cleanup() {
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.3
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

say() {
	printf 'bench: %s\n' "$*" >&2
}

die() {
	say "ERROR: $*"
	exit 1
}

wants() {
	case ",$ONLY," in *",$1,"*) return 0 ;; esac
	return 1
}

# row FIGURE VALUE BASELINE RATIO TARGET: one line of the final table.
row() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$TABLE"
}

# calc EXPR: awk arithmetic, printed with up to 2 decimals.
calc() {
	awk "BEGIN { v = $1; if (v == int(v)) printf \"%d\n\", v; else printf \"%.2f\n\", v }"
}

# ratio A B: A/B, or "-" when either is not a positive number.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a + 0 > 0 && b + 0 > 0) printf "%.2f\n", a / b; else print "-" }'
}

# kv KEY LINE: the value of KEY=value in a key=value line.
kv() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

cpu_ticks() {          # utime + stime of PID, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# "comm ticks" for each thread of PID (pintgw names its store threads)
thread_ticks() {
	for t in /proc/"$1"/task/*; do
		printf '%s %s\n' "$(cat "$t/comm" 2>/dev/null)" \
			"$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null)"
	done
}

# CPU µs per create of thread COMM between two thread_ticks files
per_create() {
	awk -v c="$3" -v t="$TCK" -v n="$4" '
		FNR == NR { if ($1 == c) a += $2; next }
		$1 == c { b += $2 }
		END { if (n > 0) printf "%.0f\n", (b - a) / t * 1e6 / n; else print "?" }' "$1" "$2"
}

# CHILD_MS: CPU ms of this shell's waited-for children so far (times runs
# here, not in a $(...) subshell, which has children of its own).
child_cpu() {
	times >"$WORK/times"
	CHILD_MS=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) {
		split($i, a, "m"); t += a[1] * 60 + a[2] } printf "%.0f\n", t * 1000 }' \
		"$WORK/times")
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

unpid() {
	left=""
	for p in $PIDS; do
		[ "$p" = "$1" ] || left="$left $p"
	done
	PIDS=$left
}

# stop PID: TERM, then KILL after 3 s; bounded.
stop() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 30 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	unpid "$1"
}

# A port free on 127.0.0.1 for UDP and TCP, below the ephemeral range.
free_port() {
	used=$(awk 'NR > 1 { split($2, a, ":"); print a[2] }' \
		/proc/net/tcp /proc/net/udp 2>/dev/null)
	n=0
	while [ $n -lt 200 ]; do
		p=$(awk -v s="$$$n$(date +%N)" 'BEGIN { srand(s % 2147483647);
			print 15000 + int(rand() * 17000) }')
		hex=$(printf '%04X' "$p")
		if ! printf '%s\n' "$used" | grep -qx "$hex"; then
			echo "$p"
			return 0
		fi
		n=$((n + 1))
	done
	return 1
}

udp_bound() {
	grep -q "0100007F:$(printf '%04X' "$1") " /proc/net/udp
}

# sipp_bg NAME ARGS...: SIPp in the background on a free port; sets
# SIPP_PORT and SIPP_PID. Its stats go to $WORK/NAME.csv, errors to
# $WORK/NAME.err, screens to $WORK/NAME.out.
sipp_bg() {
	name=$1
	shift
	for try in 1 2 3 4 5; do
		SIPP_PORT=$(free_port) || die "no free port"
		sipp "$@" -i 127.0.0.1 -p "$SIPP_PORT" -nostdin \
			-buff_size 4194304 -trace_stat -stf "$WORK/$name.csv" \
			-fd 1 -trace_err -error_file "$WORK/$name.err" \
			>"$WORK/$name.out" 2>&1 &
		SIPP_PID=$!
		PIDS="$PIDS $SIPP_PID"
		n=0
		while [ $n -lt 50 ]; do
			udp_bound "$SIPP_PORT" && return 0
			kill -0 "$SIPP_PID" 2>/dev/null || break
			sleep 0.1
			n=$((n + 1))
		done
		stop "$SIPP_PID"
	done
	die "SIPp ($name) did not start: $(tail -n 3 "$WORK/$name.out")"
}

# csv_last FILE COLUMN: the last value of a SIPp statistics column.
csv_last() {
	[ -f "$1" ] || { echo 0; return 0; }
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++)
		if ($i == col) c = i; next } c { v = $c } END { print v + 0 }' "$1"
}

need() {
	[ -x "$1" ] || die "$1 is missing: run 'make bench' (or make $2)"
}

# ---------------------------------------------------------------------------
# Figure 1: the SIP engine alone.

# One step of SIPp UAC -> SIPp UAS at RATE: sets OK (0/1) and ACH (cps).
sipp_step() {
	rate=$1
	count=$((rate * STEP))
	sipp_bg uas -sn uas
	up=$SIPP_PORT
	upid=$SIPP_PID
	cp=$(free_port) || die "no free port"
	t0=$(now_ms)
	child_cpu
	k0=$CHILD_MS
	s0=$(cpu_ticks "$upid")
	timeout -k 5 $((STEP + 30)) sipp -sn uac "127.0.0.1:$up" -i 127.0.0.1 \
		-p "$cp" -nostdin -buff_size 4194304 -r "$rate" -m "$count" \
		-d 0 -l 20000 -timeout $((STEP + 20))s -trace_stat \
		-stf "$WORK/uac.csv" -fd 1 >"$WORK/uac.out" 2>&1
	rc=$?
	t1=$(now_ms)
	child_cpu
	k1=$CHILD_MS
	s1=$(cpu_ticks "$upid")
	stop "$upid"
	succ=$(csv_last "$WORK/uac.csv" 'SuccessfulCall(C)')
	fail=$(csv_last "$WORK/uac.csv" 'FailedCall(C)')
	retr=$(csv_last "$WORK/uac.csv" 'Retransmissions(C)')
	ACH=$(csv_last "$WORK/uac.csv" 'CallRate(C)')
	OK=0
	[ "$rc" -eq 0 ] && [ "$succ" -eq "$count" ] && [ "$fail" -eq 0 ] &&
		[ "$retr" -eq 0 ] && OK=1
	say "fig1 sipp uac->uas rate=$rate: $succ/$count ok, failed=$fail" \
		"retrans=$retr achieved=${ACH}cps, CPU uac $(( (k1 - k0) * 100 / (t1 - t0) ))%" \
		"uas $(( (s1 - s0) * 100000 / TCK / (t1 - t0) ))% $([ $OK = 1 ] && echo clean || echo NOT clean)"
	rm -f "$WORK/uac.csv" "$WORK/uas.csv"
}

# One step of pintcall -> SIPp PINT gateway: sets OK and ACH.
pint_step() {
	rate=$1
	track=$2
	count=$((rate * STEP))
	if [ "$track" = track ]; then
		sipp_bg gw -sf "$SIPPDIR/pint_uas.xml" -d 200
	else
		sipp_bg gw -sf "$SIPPDIR/pint_uas.xml" -d 0
	fi
	t0=$(now_ms)
	child_cpu
	k0=$CHILD_MS
	s0=$(cpu_ticks "$SIPP_PID")
	timeout --foreground -k 5 $((STEP + 30)) "$PINTCALL" \
		--gateway "udp:127.0.0.1:$SIPP_PORT" --to +15555550199 \
		--from +15555550100 --count "$count" --rate "$rate" \
		--"$track" --timeout $((STEP + 3)) --linger 300 --quiet \
		>"$WORK/pintcall.json" 2>"$WORK/pintcall.err"
	rc=$?
	t1=$(now_ms)
	child_cpu
	k1=$CHILD_MS
	s1=$(cpu_ticks "$SIPP_PID")
	sleep 0.3
	stop "$SIPP_PID"
	sum=$(grep '"summary"' "$WORK/pintcall.json" | tail -n 1)
	okc=$(printf '%s' "$sum" | jq -r '.outcome.ok // 0' 2>/dev/null || echo 0)
	retr=$(printf '%s' "$sum" | jq -r '.sip.retransmits_sent // 0' 2>/dev/null || echo 0)
	el=$(printf '%s' "$sum" | jq -r '.elapsed_ms // 0' 2>/dev/null || echo 0)
	sfail=$(csv_last "$WORK/gw.csv" 'FailedCall(C)')
	ACH=$rate               # pintcall starts exactly count calls at rate
	OK=0
	[ "$rc" -eq 0 ] && [ "${okc:-0}" -eq "$count" ] && [ "${retr:-1}" -eq 0 ] &&
		[ "$sfail" -eq 0 ] && OK=1
	say "fig1 pintcall --$track rate=$rate: $okc/$count ok, retransmits=$retr" \
		"sipp_failed=$sfail elapsed=${el}ms, CPU pintcall $(( (k1 - k0) * 100 / (t1 - t0) ))%" \
		"SIPp $(( (s1 - s0) * 100000 / TCK / (t1 - t0) ))%" \
		"$([ $OK = 1 ] && echo clean || echo NOT clean)"
	rm -f "$WORK/gw.csv"
}

# ramp KIND [track]: the rates in order until the first unclean step,
# then one step half way back; sets BEST (highest clean rate, 0 if none).
ramp() {
	BEST=0
	BEST_ACH=0
	bad=0
	if [ "$1" = sipp ]; then rates=$SIPP_RATES; else rates=$PINT_RATES; fi
	for r in $rates; do
		step "$1" "$r" "${2:-}"
		# one more try: a burst of other work on the machine can spoil a step
		[ "$OK" = 1 ] || step "$1" "$r" "${2:-}"
		[ "$OK" = 1 ] || { bad=$r; break; }
		BEST=$r
		BEST_ACH=$ACH
	done
	r=$(( (BEST + bad) / 2 / 250 * 250 ))
	if [ "$bad" -gt 0 ] && [ "$r" -gt "$BEST" ] && [ "$r" -lt "$bad" ]; then
		step "$1" "$r" "${2:-}"
		[ "$OK" = 1 ] && BEST=$r && BEST_ACH=$ACH
	fi
	return 0
}

step() {
	if [ "$1" = sipp ]; then sipp_step "$2"; else pint_step "$2" "$3"; fi
}

fig_sip() {
	command -v sipp >/dev/null || die "sipp not found (Debian package sip-tester)"
	command -v jq >/dev/null || die "jq not found (Debian package jq)"
	need "$PINTCALL" tools/pintcall
	say "figure 1: SIP engine alone, $STEP s per rate, clean = 0 failed and 0 retransmissions (load $(cut -d' ' -f1 /proc/loadavg))"
	ramp sipp
	base=$BEST
	base_ach=$BEST_ACH
	ramp pint no-track
	nt=$BEST
	ramp pint track
	tr=$BEST
	row "1. SIP engine: clean PINT calls/s, no status (INVITE 200 ACK, gateway BYE 200)" \
		"$nt ($((nt * 5 / 1000))k msg/s)" "$base ($((base * 6 / 1000))k msg/s) SIPp uac->uas, $base_ach achieved" \
		"$(ratio "$nt" "$base")" ">= 10000"
	row "1. SIP engine: clean PINT calls/s, tracked (+ SUBSCRIBE 200 NOTIFY 200 UNSUBSCRIBE 200)" \
		"$tr ($((tr * 11 / 1000))k msg/s)" "$base ($((base * 6 / 1000))k msg/s) SIPp uac->uas" \
		"$(ratio "$tr" "$base")" ">= 10000"
	FIG1_TRACK=$tr
	CMD1="sipp -sf bench/sipp/pint_uas.xml -i 127.0.0.1 -p PORT -buff_size 4194304 -d 200 &
  tools/pintcall --gateway udp:127.0.0.1:PORT --to +15555550199 --from +15555550100 --count \$((RATE*$STEP)) --rate RATE --track --quiet
  sipp -sn uas -i 127.0.0.1 -p PORT -buff_size 4194304 & sipp -sn uac 127.0.0.1:PORT -i 127.0.0.1 -buff_size 4194304 -r RATE -m \$((RATE*$STEP)) -d 0"
}

# ---------------------------------------------------------------------------
# Figure 2: cost per message against live transactions.

# cg_ir MODE N: Ir per message of callgrind's dump "MODE N=… msgs=…".
cg_ir() {
	for f in "$WORK"/cg."$1".*.*; do
		[ -f "$f" ] || continue
		awk -v want="$1 N=$2 " '
			/^desc: Trigger: Client Request: / {
				d = substr($0, index($0, "Request: ") + 9)
				if (index(d " ", want) == 1) { ok = 1
					split(d, a, "msgs="); m = a[2] + 0 } }
			/^totals: / { t = $2 }
			END { if (ok && m > 0) printf "%.0f\n", t / m }' "$f"
	done | head -n 1
}

tsx_val() {            # tsx_val FILE MODE N FIELD
	awk -v m="mode=$2" -v n="live=$3" -v f="$4=" '
		$1 == m && $2 == n { for (i = 3; i <= NF; i++)
			if (index($i, f) == 1) print substr($i, length(f) + 1) }' "$1"
}

fmt_cost() {           # fmt_cost NS IR: "4.3 us, 37.1 kIr"
	awk -v ns="$1" -v ir="$2" 'BEGIN {
		s = ns == "" ? "-" : sprintf("%.1f us", ns / 1000)
		if (ir != "") s = s sprintf(", %.1f kIr", ir / 1000)
		print s }'
}

fig_tsx() {
	need "$TSXBENCH" bench/tsxbench
	say "figure 2: cost per message at $TSX_SIZES live (native: best of 3; load $(cut -d' ' -f1 /proc/loadavg))"
	for m in tsx osip ua; do
		k=20000
		[ "$m" = ua ] && k=5000
		timeout -k 5 300 "$TSXBENCH" -m "$m" -n "$TSX_SIZES" -k "$k" -r 3 \
			>"$WORK/tsx.$m.txt" 2>&1 || die "tsxbench -m $m: $(tail -n 2 "$WORK/tsx.$m.txt")"
		sed 's/^/bench:   /' "$WORK/tsx.$m.txt" >&2
	done
	use_cg=0
	if [ "$CALLGRIND" = 1 ] || { [ "$CALLGRIND" = auto ] && command -v valgrind >/dev/null; }; then
		use_cg=1
		say "figure 2: instruction counts under callgrind (about a minute)"
		for m in tsx osip ua; do
			k=5000
			[ "$m" = ua ] && k=1000
			timeout -k 5 400 valgrind --tool=callgrind --instr-atstart=no \
				--collect-atstart=no \
				--callgrind-out-file="$WORK/cg.$m.%p" \
				"$TSXBENCH" -m "$m" -n "$TSX_SIZES" -k "$k" -r 1 \
				>"$WORK/cg.$m.txt" 2>&1 || { say "callgrind -m $m failed"; use_cg=0; }
		done
	fi
	ua100=""
	for n in $(echo "$TSX_SIZES" | tr ',' ' '); do
		tns=$(tsx_val "$WORK/tsx.tsx.txt" tsx "$n" ns_per_msg)
		ons=$(tsx_val "$WORK/tsx.osip.txt" osip "$n" ns_per_msg)
		uns=$(tsx_val "$WORK/tsx.ua.txt" ua "$n" ns_per_msg)
		tir=""; oir=""; uir=""
		if [ $use_cg = 1 ]; then
			tir=$(cg_ir tsx "$n")
			oir=$(cg_ir osip "$n")
			uir=$(cg_ir ua "$n")
		fi
		if [ -n "$oir" ] && [ -n "$tir" ]; then r=$(ratio "$tir" "$oir"); else r=$(ratio "$tns" "$ons"); fi
		if [ -n "$ons" ]; then ob="libosip2 tsx: $(fmt_cost "$ons" "$oir")"; else ob="libosip2 tsx: not run (O(N^2) set-up)"; fi
		row "2. matched 180 at $n live INVITE transactions (pint/tsx)" \
			"$(fmt_cost "$tns" "$tir")" "$ob" "$r" "flat"
		[ -n "$ua100" ] || { ua100=$uns; ua100ir=$uir; ua100n=$n; }
		if [ -n "$uir" ] && [ -n "$ua100ir" ]; then r=$(ratio "$uir" "$ua100ir"); else r=$(ratio "$uns" "$ua100"); fi
		row "2. per message of a whole call at $n ringing calls (pint/ua)" \
			"$(fmt_cost "$uns" "$uir")" "same at $ua100n: $(fmt_cost "$ua100" "$ua100ir")" "$r" "flat"
		UA_HEAP=$(tsx_val "$WORK/tsx.ua.txt" ua "$n" heap_per_live)
		TSX_HEAP=$(tsx_val "$WORK/tsx.tsx.txt" tsx "$n" heap_per_live)
		OSIP_HEAP=$(tsx_val "$WORK/tsx.osip.txt" osip "$n" heap_per_live)
		[ -n "$OSIP_HEAP" ] && OSIP_HEAP_N=$n && OSIP_HEAP_V=$OSIP_HEAP
	done
	row "2. heap per live INVITE transaction (pint/tsx)" "${TSX_HEAP:-?} B" \
		"libosip2 ICT: ${OSIP_HEAP_V:-?} B (at ${OSIP_HEAP_N:-?})" "$(ratio "${TSX_HEAP:-0}" "${OSIP_HEAP_V:-0}")" "-"
	CMD2="bench/tsxbench -m tsx|osip|ua -n $TSX_SIZES -k 20000 -r 3
  valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no bench/tsxbench -m tsx -k 5000 -r 1"
}

# ---------------------------------------------------------------------------
# Figure 3: the daemon end to end.

# metric NAME{LABELS}: its value in pintgw's /metrics (0 if absent).
metric() {
	curl -s -m 5 "$URL/metrics" | awk -v m="$1" '$1 == m { v = $2 } END { print v + 0 }'
}

write_conf() {
	hash=$("$PINTGW" hash-key "$TOKEN") || die "pintgw hash-key failed"
	cat >"$WORK/pintgw.conf" <<EOF
[pintgw]
state_dir = $WORK/state
log_level = warn
log_timestamps = true
max_pending = 1000000
drain_grace = 1

[http]
listen = 127.0.0.1:HTTP_PORT
max_connections = 4096
per_ip_connections = 4096

[sip]
listen = udp:127.0.0.1:0
ring_timeout_max = 600

# every create dials the same number: no cooldown, no daily cap
[policy]
destination_cooldown = 0
destination_daily_cap = 0

[gateway bench]
address = udp:127.0.0.1:$1
keepalive = 1
status = pint

[key bench]
hash = $hash
scopes = call fax content read cancel
rate = 100000
burst = 1000000
concurrency = 1000000
EOF
}

# start_gw: pintgw on the config, its HTTP API on a free port (another
# one if that was taken meanwhile); sets GW_PID, URL, START_MS (ms to
# /healthz) and READY_MS (ms to /readyz).
start_gw() {
	for try in 1 2 3; do
		HTTP_PORT=$(free_port) || die "no free port"
		sed -i "s/^listen = 127.0.0.1:.*/listen = 127.0.0.1:$HTTP_PORT/" \
			"$WORK/pintgw.conf"
		URL=http://127.0.0.1:$HTTP_PORT
		t0=$(now_ms)
		"$PINTGW" -c "$WORK/pintgw.conf" >>"$WORK/pintgw.log" 2>&1 &
		GW_PID=$!
		PIDS="$PIDS $GW_PID"
		until curl -sf -m 2 -o /dev/null "$URL/healthz"; do
			kill -0 "$GW_PID" 2>/dev/null || break
			[ $(( $(now_ms) - t0 )) -lt 120000 ] || die "no /healthz in 120 s"
			sleep 0.01
		done
		kill -0 "$GW_PID" 2>/dev/null && break
		wait "$GW_PID" 2>/dev/null
		unpid "$GW_PID"
		say "  pintgw exited at start (try $try): $(tail -n 1 "$WORK/pintgw.log")"
		[ $try -lt 3 ] || die "pintgw does not start"
	done
	START_MS=$(( $(now_ms) - t0 ))
	until curl -sf -m 2 -o /dev/null "$URL/readyz"; do
		[ $(( $(now_ms) - t0 )) -lt 120000 ] || die "no /readyz in 120 s"
		sleep 0.01
	done
	READY_MS=$(( $(now_ms) - t0 ))
}

# load NAME URL ARGS...: httpload, its key=value line in LOAD.
load() {
	name=$1
	u=$2
	shift 2
	timeout -k 5 600 "$HTTPLOAD" -u "$u" -H "Authorization: Bearer $TOKEN" "$@" \
		>"$WORK/$name.load" 2>&1
	LOAD=$(tail -n 1 "$WORK/$name.load")
	say "  $name: $LOAD"
}

# wait_live MAX_S: until pintgw holds no live request (bounded).
wait_live() {
	n=0
	while [ $n -lt $(($1 * 10)) ]; do
		[ "$(metric pintgw_requests_live)" = 0 ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

profile_gw() {
	[ "${BENCH_PERF:-0}" = 1 ] && command -v perf >/dev/null || return 0
	perf record -F 499 --call-graph dwarf,16384 -p "$GW_PID" \
		-o "$WORK/perf.data" -- sleep 3 >/dev/null 2>&1
}

perf_summary() {
	[ -f "$WORK/perf.data" ] || return 0
	say "where pintgw's time goes under load (perf, inclusive):"
	perf report -i "$WORK/perf.data" --children --sort symbol --stdio 2>/dev/null |
		awk '$1 ~ /%$/ && $2 ~ /%$/ {
			s = $0; sub(/^ *[0-9.]+% +[0-9.]+% +\[[^]]*\] /, "", s)
			sub(/ +- +- *$/, "", s)
			if (s ~ /^(gw_store_commit|gw_tp_deliver|pint_ua_recv|pint_ua_tick|pint_tsx_recv|pint_sip_parse|web_http_run|MHD_run|api_create|gw_rq_call_start|pint_ua_call_start|sqlite3_step|sqlite3BtreeBeginTrans|sqlite3VdbeHalt|__libc_sendto|exc_page_fault|_int_malloc|_int_free)( |$)/)
				printf "bench:   %6s  %s\n", $1, s }' | sort -u -k3,3 | sort -k2 -rn >&2
	perf report -i "$WORK/perf.data" --no-children --sort dso --stdio 2>/dev/null |
		awk '$1 ~ /%$/ { printf "bench:   self %6s  %s\n", $1, $2 }' | head -n 8 >&2
}

fig_daemon() {
	command -v sipp >/dev/null || die "sipp not found (Debian package sip-tester)"
	command -v curl >/dev/null || die "curl not found"
	need "$PINTGW" pintgw
	need "$HTTPLOAD" bench/httpload
	need "$MHD" bench/mhd_baseline
	say "figure 3: daemon end to end, $CONNS connections, $HTTP_SECS s per run (load $(cut -d' ' -f1 /proc/loadavg))"

	# the baseline: bare MHD JSON handler, closed loop
	"$MHD" 0 >"$WORK/mhd.out" 2>&1 &
	MHD_PID=$!
	PIDS="$PIDS $MHD_PID"
	n=0
	until grep -q '^port ' "$WORK/mhd.out" || [ $n -ge 100 ]; do sleep 0.05; n=$((n + 1)); done
	MURL=http://127.0.0.1:$(awk '/^port /{ print $2 }' "$WORK/mhd.out")/v1/requests
	c0=$(cpu_ticks "$MHD_PID")
	load mhd_max "$MURL" -b "$BODY" -c $CONNS -d "$HTTP_SECS" -w 1
	c1=$(cpu_ticks "$MHD_PID")
	base_rps=$(kv rps "$LOAD")
	base_cpu=$(awk -v c=$((c1 - c0)) -v t="$TCK" -v n="$(kv 'done' "$LOAD")" \
		'BEGIN { if (n > 0) printf "%.0f\n", c / t * 1e6 / n; else print "" }')

	# pintgw, SIPp answering every call at once (tracked: 11 messages)
	sipp_bg gw3 -sf "$SIPPDIR/pint_uas.xml" -d 200
	GW3_SIPP=$SIPP_PID
	rm -rf "$WORK/state"
	mkdir -p "$WORK/state"
	write_conf "$SIPP_PORT"
	start_gw
	empty_start=$START_MS
	empty_ready=$READY_MS
	say "  pintgw up (empty store): /healthz after ${START_MS} ms, /readyz after ${READY_MS} ms"
	URLR=$URL/v1/requests
	ok0=$(metric 'pintgw_request_outcomes_total{service="call",outcome="ok"}')
	turns0=$(metric pintgw_loop_turns_total)
	drops0=$(metric pintgw_sip_udp_rx_drops_total)
	rexmit0=$(metric pintgw_sip_retransmits_sent_total)
	writes0=$(metric pintgw_store_writes_total)
	commits0=$(metric pintgw_store_commits_total)
	c0=$(cpu_ticks "$GW_PID")
	thread_ticks "$GW_PID" >"$WORK/threads0"
	p0=$(cpu_ticks "$GW3_SIPP")
	t0=$(now_ms)
	profile_gw &
	PERF_PID=$!
	load gw_max "$URLR" -b "$BODY" -c $CONNS -d "$HTTP_SECS" -w 1
	t1=$(now_ms)
	c1=$(cpu_ticks "$GW_PID")
	thread_ticks "$GW_PID" >"$WORK/threads1"
	p1=$(cpu_ticks "$GW3_SIPP")
	wait "$PERF_PID" 2>/dev/null
	ok1=$(metric 'pintgw_request_outcomes_total{service="call",outcome="ok"}')
	turns1=$(metric pintgw_loop_turns_total)
	drops1=$(metric pintgw_sip_udp_rx_drops_total)
	rexmit1=$(metric pintgw_sip_retransmits_sent_total)
	writes1=$(metric pintgw_store_writes_total)
	commits1=$(metric pintgw_store_commits_total)
	live=$(metric pintgw_requests_live)
	gw_rps=$(kv rps "$LOAD")
	created=$(kv ok2xx "$LOAD")
	gw_cpu=$(awk -v c=$((c1 - c0)) -v t="$TCK" -v n="$created" \
		'BEGIN { if (n > 0) printf "%.0f\n", c / t * 1e6 / n; else print "" }')
	done_rate=$(awk -v a="$ok0" -v b="$ok1" -v ms=$((t1 - t0)) \
		'BEGIN { printf "%.0f\n", (b - a) * 1000 / ms }')
	say "  calls completed during the load: $((${ok1%.*} - ${ok0%.*})), live at its end: $live"
	say "  loop turns/s: $(( (${turns1%.*} - ${turns0%.*}) * 1000 / (t1 - t0) )), SIP datagrams" \
		"dropped by the kernel: $((${drops1%.*} - ${drops0%.*})), SIP retransmissions sent:" \
		"$((${rexmit1%.*} - ${rexmit0%.*})), pintgw CPU: $(( (c1 - c0) * 100000 / TCK / (t1 - t0) ))%"
	say "  CPU us per create: pintgw loop $(per_create "$WORK/threads0" "$WORK/threads1" pintgw "$created")," \
		"store writer $(per_create "$WORK/threads0" "$WORK/threads1" pintgw-writer "$created")," \
		"checkpointer $(per_create "$WORK/threads0" "$WORK/threads1" pintgw-ckpt "$created");" \
		"SIPp as the gateway $(awk -v c=$((p1 - p0)) -v t="$TCK" -v n="$created" \
		'BEGIN { if (n > 0) printf "%.0f", c / t * 1e6 / n; else print "?" }')"
	say "  store: $((${commits1%.*} - ${commits0%.*})) commits, $((${writes1%.*} - ${writes0%.*}))" \
		"writes ($(awk -v w=$((${writes1%.*} - ${writes0%.*})) -v n="$created" \
		'BEGIN { if (n > 0) printf "%.1f", w / n }') per create)"
	wait_live 10 || say "  still $(metric pintgw_requests_live) live 10 s after the load"
	perf_summary
	sustained=$done_rate
	[ "${gw_rps:-0}" -lt "$sustained" ] 2>/dev/null && sustained=$gw_rps
	row "3. creates/s, closed loop ($CONNS conns, POST -> 201 committed)" "$gw_rps" \
		"$base_rps (bare MHD+jansson handler)" "$(ratio "$gw_rps" "$base_rps")" ">= 10000"
	row "3. requests/s sustained end to end (201 + INVITE..ACK + SUBSCRIBE..UNSUBSCRIBE completed)" \
		"$sustained" "${FIG1_TRACK:-?} (SIP engine alone, fig. 1 tracked)" \
		"$(ratio "$sustained" "${FIG1_TRACK:-0}")" ">= 10000"
	row "3. CPU per create, whole daemon (us)" "${gw_cpu:--}" \
		"${base_cpu:--} (bare MHD handler)" "$(ratio "${gw_cpu:-0}" "${base_cpu:-0}")" "<= 100 (for 10k/s on a core)"

	# latency at half the sustained load, open loop, both servers
	half=$(( (sustained + 1) / 2 ))
	[ "$half" -ge 50 ] || half=50
	load gw_half "$URLR" -b "$BODY" -c $CONNS -d "$HTTP_SECS" -w 1 -r "$half"
	g50=$(kv p50_us "$LOAD"); g99=$(kv p99_us "$LOAD"); gun=$(kv unsent "$LOAD")
	load mhd_half "$MURL" -b "$BODY" -c $CONNS -d "$HTTP_SECS" -w 1 -r "$half"
	m50=$(kv p50_us "$LOAD"); m99=$(kv p99_us "$LOAD")
	stop "$MHD_PID"
	row "3. create latency p50 at $half/s (open loop, from due time)" "$(calc "$g50 / 1000") ms" \
		"$(calc "$m50 / 1000") ms (bare MHD)" "$(ratio "$g50" "$m50")" "-"
	row "3. create latency p99 at $half/s$([ "${gun:-0}" -gt 0 ] && echo ", $gun never sent")" \
		"$(calc "$g99 / 1000") ms" "$(calc "$m99 / 1000") ms (bare MHD)" "$(ratio "$g99" "$m99")" "<= 5 ms"
	wait_live 5
	stop "$GW_PID"
	stop "$GW3_SIPP"

	# memory: PENDING calls ringing for ever (180, no answer)
	sipp_bg ring -sf "$SIPPDIR/pint_ring.xml"
	RING_SIPP=$SIPP_PID
	rm -rf "$WORK/state"
	mkdir -p "$WORK/state"
	write_conf "$SIPP_PORT"
	start_gw
	URLR=$URL/v1/requests
	sleep 1
	r0=$(rss_kb "$GW_PID")
	say "  holding $PENDING requests in proceeding (RSS before: $r0 kB)"
	load pending "$URLR" -b "$BODY_RING" -c $CONNS -d 300 -n "$PENDING"
	n=0
	while [ $n -lt 600 ]; do
		p=$(metric 'pintgw_table_requests_by_status{status="proceeding"}')
		[ "${p%.*}" -ge "$PENDING" ] && break
		sleep 0.1
		n=$((n + 1))
	done
	sleep 1
	r1=$(rss_kb "$GW_PID")
	held=$(metric 'pintgw_table_requests_by_status{status="proceeding"}')
	per=$(awk -v a="$r0" -v b="$r1" -v n="$held" 'BEGIN { if (n > 0) printf "%.0f\n", (b - a) * 1024 / n }')
	dbsz=$(du -sk "$WORK/state" | awk '{ print $1 }')
	say "  proceeding: $held, RSS after: $r1 kB, state dir: $dbsz kB"
	row "3. RSS per pending request at $held pending (proceeding, tracked)" "$per B" \
		"${UA_HEAP:-?} B (pint/ua heap per ringing call, fig. 2)" "$(ratio "$per" "${UA_HEAP:-0}")" "<= 4096 B"

	# restart: a crash with PENDING live requests, then again with none
	kill -KILL "$GW_PID" 2>/dev/null
	wait "$GW_PID" 2>/dev/null
	unpid "$GW_PID"
	start_gw
	crash_start=$START_MS
	crash_ready=$READY_MS
	intr=$(metric pintgw_requests_interrupted_total)
	say "  restart after a crash with $held live: /healthz ${START_MS} ms, /readyz ${READY_MS} ms, interrupted: $intr"
	# the interrupted outcomes are written while pintgw already serves:
	# "none live" below holds only once they are all stored
	wait_live 120 || say "  still $(metric pintgw_requests_live) live 120 s after the restart"
	kill -KILL "$GW_PID" 2>/dev/null
	wait "$GW_PID" 2>/dev/null
	unpid "$GW_PID"
	start_gw
	say "  restart with $held stored, none live: /healthz ${START_MS} ms, /readyz ${READY_MS} ms"
	row "3. restart after kill -9 with $held live (all recovered as interrupted): /healthz, /readyz" \
		"$crash_start ms, $crash_ready ms" "$empty_start ms, $empty_ready ms (empty store)" \
		"$(ratio "$crash_start" "$empty_start")" "-"
	row "3. restart after kill -9 with $held stored, none live: /healthz, /readyz" \
		"$START_MS ms, $READY_MS ms" "$empty_start ms, $empty_ready ms (empty store)" \
		"$(ratio "$START_MS" "$empty_start")" "-"
	stop "$GW_PID"
	stop "$RING_SIPP"
	CMD3="bench/mhd_baseline 0 &   # prints its port
  pintgw -c CONF &   # a [gateway] played by: sipp -sf bench/sipp/pint_uas.xml -d 200 (or pint_ring.xml)
  bench/httpload -u URL/v1/requests -H 'Authorization: Bearer TOKEN' -b '$BODY' -c $CONNS -d $HTTP_SECS -w 1 [-r RATE] [-n N]"
}

# ---------------------------------------------------------------------------

print_table() {
	echo
	echo "pintgw benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "ratio = value / baseline (both measured in this run, on this machine)"
	echo
	awk -F'\t' '
		{ for (i = 1; i <= 5; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
		END {
			split("figure value baseline ratio target", h, " ")
			for (i = 1; i <= 5; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
			fmt = "%-" w[1] "s | %" w[2] "s | %-" w[3] "s | %" w[4] "s | %s\n"
			printf fmt, h[1], h[2], h[3], h[4], h[5]
			line = ""
			for (i = 1; i <= 5; i++) { s = ""; for (j = 0; j < w[i] + (i > 1) + (i < 5); j++) s = s "-"; line = line s (i < 5 ? "|" : "") }
			print line
			for (r = 1; r <= NR; r++) printf fmt, c[r, 1], c[r, 2], c[r, 3], c[r, 4], c[r, 5]
		}' "$TABLE"
	echo
	echo "Rerun: make bench    (one figure: BENCH_ONLY=sip|tsx|daemon make bench; short run: BENCH_QUICK=1;"
	echo "       logs and every command's output: BENCH_KEEP=1; profile of pintgw under load: BENCH_PERF=1)"
	[ -n "${CMD1:-}" ] && printf 'Figure 1: %s\n' "$CMD1"
	[ -n "${CMD2:-}" ] && printf 'Figure 2: %s\n' "$CMD2"
	[ -n "${CMD3:-}" ] && printf 'Figure 3: %s\n' "$CMD3"
	return 0
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(now_ms)
awk -v l="${LOAD0%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > 0.5 * n) }' &&
	say "WARNING: load average $LOAD0 on $(nproc) CPUs: other work is running; absolute rates will be low"
wants tsx && fig_tsx
wants sip && fig_sip
wants daemon && fig_daemon
say "done in $(( ($(now_ms) - T_START) / 1000 )) s"
print_table
