# tests/it/lib.sh — shared by the SIPp integration scripts (sourced).
#
# Each script plays one PINT gateway (or two) with SIPp on 127.0.0.1 and
# drives pintgw's SIP side with tools/pintcall, then checks pintcall's JSON
# events, SIPp's exit status and SIPp's message trace. Everything runs
# under timeouts and is killed on exit. A missing sipp or jq is a failure,
# not a skip. IT_KEEP=1 keeps the work directory.

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
SIPP_DIR=$top_srcdir/tests/sipp
PINTCALL=${PINTCALL:-./tools/pintcall}
IT_NAME=$(basename "$0" .sh)
IT_PIDS=""
IT_OK=0

it_log() {
	printf '%s: %s\n' "$IT_NAME" "$*"
}

# Dump what the run left behind, for the test's .log file.
it_dump() {
	for f in "$WORK"/*; do
		[ -f "$f" ] || continue
		printf '===== %s (last 80 lines)\n' "$(basename "$f")"
		tail -n 80 "$f"
	done
}

it_cleanup() {
	for p in $IT_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $IT_PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ "$IT_OK" -ne 1 ] && [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
		it_dump
	fi
	if [ -z "${IT_KEEP:-}" ] && [ -n "${WORK:-}" ]; then
		rm -rf "$WORK"
	elif [ -n "${WORK:-}" ]; then
		it_log "work directory kept: $WORK"
	fi
}

it_fail() {
	it_log "FAIL: $*"
	exit 1
}

it_pass() {
	IT_OK=1
	it_log "PASS"
	exit 0
}

it_init() {
	command -v sipp >/dev/null 2>&1 ||
		{ echo "$IT_NAME: sipp not found (Debian package sip-tester): cannot run"; exit 1; }
	command -v jq >/dev/null 2>&1 ||
		{ echo "$IT_NAME: jq not found (Debian package jq): cannot run"; exit 1; }
	command -v perl >/dev/null 2>&1 ||
		{ echo "$IT_NAME: perl not found: cannot run"; exit 1; }
	[ -x "$PINTCALL" ] ||
		{ echo "$IT_NAME: $PINTCALL not built: cannot run"; exit 1; }
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pintgw-it.XXXXXX") ||
		{ echo "$IT_NAME: mktemp failed"; exit 1; }
	trap it_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

# A port that nothing holds on 127.0.0.1 for UDP and TCP right now, below
# the kernel's ephemeral range (where pintcall's own port comes from).
it_free_port() {
	perl -MIO::Socket::INET -e '
		srand($$ ^ time);
		for (1 .. 200) {
			my $p = 15000 + int(rand(17000));
			my $u = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
				LocalPort => $p, Proto => "udp") or next;
			my $t = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
				LocalPort => $p, Proto => "tcp", Listen => 1,
				ReuseAddr => 1) or next;
			print "$p\n";
			exit 0;
		}
		exit 1;'
}

# Whether 127.0.0.1:port is bound (udp) or listening (tcp).
it_bound() {
	hex=$(printf '%04X' "$2")
	if [ "$1" = tcp ]; then
		grep -q "0100007F:$hex 00000000:0000 0A" /proc/net/tcp
	else
		grep -q "0100007F:$hex " /proc/net/udp
	fi
}

# sipp_start NAME SCENARIO [sipp options...]: SIPp as the gateway on a free
# port of 127.0.0.1 (tries again when another process took it first).
# Sets NAME_port and NAME_pid. Traces go to $WORK/NAME.{msg,err,screen,out}.
sipp_start() {
	name=$1
	scen=$2
	shift 2
	proto=udp
	case " $* " in *" -t t1 "*) proto=tcp ;; esac
	for try in 1 2 3 4 5; do
		port=$(it_free_port) || it_fail "no free port"
		sipp -sf "$SIPP_DIR/$scen" -i 127.0.0.1 -p "$port" -nostdin \
			-trace_msg -message_file "$WORK/$name.msg" \
			-trace_err -error_file "$WORK/$name.err" \
			-trace_screen -screen_file "$WORK/$name.screen" \
			"$@" >"$WORK/$name.out" 2>&1 &
		pid=$!
		n=0
		while [ $n -lt 60 ]; do
			if it_bound "$proto" "$port"; then
				IT_PIDS="$IT_PIDS $pid"
				eval "${name}_port=$port ${name}_pid=$pid"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
			n=$((n + 1))
		done
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		it_log "sipp did not come up on port $port (try $try)"
	done
	it_fail "could not start sipp for $name"
}

# sipp_wait NAME: SIPp's exit status (it exits after its -m calls).
sipp_wait() {
	eval "pid=\${$1_pid}"
	wait "$pid"
	rc=$?
	IT_PIDS=$(echo "$IT_PIDS" | sed "s/ $pid\b//")
	return $rc
}

# sipp_ok NAME: SIPp must have exited 0 (every call passed its checks).
sipp_ok() {
	sipp_wait "$1"
	rc=$?
	[ $rc -eq 0 ] || it_fail "sipp $1 exited $rc (see $1.err, $1.screen)"
}

# pintcall_run OUT [pintcall options...]: runs it to the end (bounded);
# its JSON lines go to $WORK/OUT.json, its log to $WORK/OUT.log.
# --foreground: a signal for timeout goes to pintcall alone, once (not to
# a process group, where a second copy can hit LeakSanitizer's exit scan).
pintcall_run() {
	out=$1
	shift
	timeout --foreground -k 5 120 "$PINTCALL" "$@" >"$WORK/$out.json" 2>"$WORK/$out.log"
}

# pintcall_bg OUT [options...]: the same in the background; sets OUT_pid.
pintcall_bg() {
	out=$1
	shift
	timeout --foreground -k 5 120 "$PINTCALL" "$@" >"$WORK/$out.json" 2>"$WORK/$out.log" &
	eval "${out}_pid=$!"
	IT_PIDS="$IT_PIDS $!"
}

# jqs OUT FILTER: jq -c over OUT's JSON lines, slurped into one array.
jqs() {
	jq -c -s "$2" "$WORK/$1.json"
}

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || it_fail "$1: got '$2', want '$3'"
}

# The status sequence of ref (statuses that changed, "none" left out).
statuses() {
	jqs "$1" "[.[] | select(.ref == $2 and .status != null and .status != \"none\") | .status] | join(\",\")" | tr -d '"'
}

# No ref has two terminal events, and OUT has its summary line (that every
# call ended is pintcall's exit status).
one_terminal_each() {
	n=$(jqs "$1" '[.[] | select(.status == "completed" or .status == "failed" or .status == "canceled" or .status == "expired") | .ref] | group_by(.) | map(length) | map(select(. != 1)) | length')
	expect "refs without exactly one terminal event" "$n" 0
	s=$(jqs "$1" '.[] | select(.summary) | [.terminal, .count, .duplicates] | join(",")')
	[ -n "$s" ] || it_fail "$1: no summary line"
}

# Messages SIPp received: the trace blocks whose first line matches RE.
# Prints each block's time (HH:MM:SS.micro, SIPp's clock) and first line.
sipp_received() {
	awk -v re="$2" '
		/^-+ [0-9]+-[0-9]+-[0-9]+ / { ts = $3; next }
		/^(UDP|TCP) message received/ { want = 1; next }
		/^(UDP|TCP) message sent/ { want = 0; next }
		want && NF { if ($0 ~ re) print ts, $0; want = 0 }
	' "$WORK/$1.msg"
}

# The received messages of SIPp (whole blocks) matching RE on the first line.
sipp_blocks() {
	awk -v re="$2" '
		/^-+ [0-9]+-[0-9]+-[0-9]+ / { inb = 0; next }
		/^(UDP|TCP) message received/ { first = 1; next }
		/^(UDP|TCP) message sent/ { first = 0; inb = 0; next }
		first && NF { inb = ($0 ~ re); first = 0 }
		inb { print }
	' "$WORK/$1.msg"
}

# NTP seconds now (RFC 4566 t= values)
ntp_now() {
	echo $(( $(date +%s) + 2208988800 ))
}
