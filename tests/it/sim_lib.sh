# tests/it/sim_lib.sh — shared by the tests/it/sim_*.sh scripts (sourced).
#
# Like lib.sh (whose helpers it reuses: free ports, pintcall runs, jq
# queries, expect), but the telephony gateway is tools/pintsim, the
# built-in PINT server, instead of SIPp: sim_start runs it on a free port
# of 127.0.0.1 (UDP and TCP) with --trace, sim_stop ends it with SIGTERM
# and keeps its counters, sim_trace queries its JSON message trace.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"

PINTSIM=${PINTSIM:-./tools/pintsim}

# it_init without the SIPp requirement.
sim_init() {
	command -v jq >/dev/null 2>&1 ||
		{ echo "$IT_NAME: jq not found (Debian package jq): cannot run"; exit 1; }
	command -v perl >/dev/null 2>&1 ||
		{ echo "$IT_NAME: perl not found: cannot run"; exit 1; }
	[ -x "$PINTCALL" ] ||
		{ echo "$IT_NAME: $PINTCALL not built: cannot run"; exit 1; }
	[ -x "$PINTSIM" ] ||
		{ echo "$IT_NAME: $PINTSIM not built: cannot run"; exit 1; }
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/pintgw-it.XXXXXX") ||
		{ echo "$IT_NAME: mktemp failed"; exit 1; }
	trap it_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

# sim_start NAME [pintsim options...]: pintsim on a free port (UDP and
# TCP), trying again when another process took the port first. Sets
# NAME_port and NAME_pid; files $WORK/NAME.{out,log,trace}.
sim_start() {
	name=$1
	shift
	for try in 1 2 3 4 5; do
		port=$(it_free_port) || it_fail "no free port"
		"$PINTSIM" --listen "udp:127.0.0.1:$port" \
			--listen "tcp:127.0.0.1:$port" \
			--trace "$WORK/$name.trace" "$@" \
			>"$WORK/$name.out" 2>"$WORK/$name.log" &
		pid=$!
		n=0
		while [ $n -lt 100 ]; do
			if grep -q '"listening"' "$WORK/$name.out" 2>/dev/null; then
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
		it_log "pintsim did not come up on port $port (try $try)"
	done
	it_fail "could not start pintsim for $name"
}

# sim_stop NAME: SIGTERM; it must exit 0 and print its counters.
sim_stop() {
	eval "pid=\${$1_pid}"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	IT_PIDS=$(echo "$IT_PIDS" | sed "s/ $pid\b//")
	[ $rc -eq 0 ] || it_fail "pintsim $1 exited $rc (see $1.log)"
	grep -q '"summary":true' "$WORK/$1.out" || it_fail "pintsim $1: no summary"
}

# sim_stat NAME FIELD: a counter from the summary line (after sim_stop).
sim_stat() {
	jq -r "select(.summary) | .$2" "$WORK/$1.out"
}

# sim_trace NAME FILTER: jq -c over the trace slurped into one array.
sim_trace() {
	jq -c -s "$2" "$WORK/$1.trace"
}

# sim_count NAME DIR REGEX: messages in (or out) whose start line matches.
sim_count() {
	sim_trace "$1" "[.[] | select(.dir == \"$2\" and (.first | test(\"$3\")))] | length"
}

# call OUT NUMBER-SUFFIX SIM [pintcall options...]: one call through
# pintcall to +1 555 555 <suffix> at the simulator SIM.
call() {
	out=$1
	num=$2
	eval "p=\${$3_port}"
	shift 3
	pintcall_run "$out" --gateway "udp:127.0.0.1:$p" --to "+1555555$num" \
		--from +15555550100 --timeout 30 "$@" ||
		it_fail "pintcall $out exited $?"
}

# call_bg: the same in the background (wait for it with wait_bg OUT).
call_bg() {
	out=$1
	num=$2
	eval "p=\${$3_port}"
	shift 3
	pintcall_bg "$out" --gateway "udp:127.0.0.1:$p" --to "+1555555$num" \
		--from +15555550100 --timeout 30 "$@"
}

wait_bg() {
	eval "pid=\${$1_pid}"
	wait "$pid"
	rc=$?
	IT_PIDS=$(echo "$IT_PIDS" | sed "s/ $pid\b//")
	[ $rc -eq 0 ] || it_fail "pintcall $1 exited $rc"
}

# The terminal event of ref 1 as "status/outcome".
final() {
	jqs "$1" '[.[] | select(.ref == 1 and (.status == "completed" or .status == "failed" or .status == "canceled" or .status == "expired"))][0] | .status + "/" + .outcome' | tr -d '"'
}
