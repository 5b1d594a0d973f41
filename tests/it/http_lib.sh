# tests/it/http_lib.sh — sourced by tests/it/http_*.sh: the real pintgw
# binary on 127.0.0.1 with a temporary state_dir and a generated config,
# telephony gateways played by SIPp (tests/sipp/http_*.xml), curl as the
# client. Everything started is stopped by the EXIT trap; every wait is
# bounded. Plain POSIX sh; no JSON tool: pintgw's JSON is read with sed.
#
# Environment: PINTGW (default ./pintgw, the build tree's), top_srcdir
# (set by make check), KEEP=1 keeps the work directory for a post-mortem.

set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
PINTGW=${PINTGW:-$(pwd)/pintgw}
[ -x "$PINTGW" ] || PINTGW=$(pwd)/gateway/pintgw
for tool in curl sipp; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
if [ ! -x "$PINTGW" ]; then
	echo "ERROR: no pintgw binary (set PINTGW)"
	exit 99
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pintgw-it.XXXXXX") || exit 99
pids=""
gw_pid=""
TOKEN=it-token-0123456789abcdef0123
URL=""

cleanup() {
	for p in $gw_pid $pids; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $gw_pid $pids; do
		kill -9 "$p" 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	printf 'FAIL: %s\n' "$*"
	if [ -f "$work/pintgw.log" ]; then
		echo "--- last lines of pintgw.log"
		tail -n 30 "$work/pintgw.log"
	fi
	exit 1
}

ok() {
	echo "ok - $*"
}

# A TCP and UDP port nobody on this host uses now (from /proc/net).
free_port() {
	used=$(awk 'NR > 1 { split($2, a, ":"); print a[2] }' \
		/proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 \
		2>/dev/null)
	n=0
	while [ $n -lt 200 ]; do
		p=$(( (($$ * 7919 + n * 104729 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 30000) + 20000 ))
		hex=$(printf '%04X' "$p")
		if ! printf '%s\n' "$used" | grep -qx "$hex"; then
			echo "$p"
			return 0
		fi
		n=$((n + 1))
	done
	return 1
}

# start_sipp NAME SCENARIO: a SIPp gateway; sets NAME_port, logs in $work.
start_sipp() {
	name=$1
	try=0
	while [ $try -lt 5 ]; do
		port=$(free_port) || fail "no free port"
		sipp -sf "$top/tests/sipp/$2" -i 127.0.0.1 -p "$port" -bg \
			-nostdin -trace_msg -message_file "$work/$name.msg" \
			-trace_err -error_file "$work/$name.err" \
			>"$work/$name.out" 2>&1
		pid=$(sed -n 's/.*PID=\[\([0-9]*\)\].*/\1/p' "$work/$name.out")
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			pids="$pids $pid"
			eval "${name}_port=$port"
			return 0
		fi
		try=$((try + 1))
	done
	cat "$work/$name.out"
	fail "SIPp $name did not start"
}

# write_conf [EXTRA]: pintgw.conf with one gateway per started SIPp (names
# given in GATEWAYS as name:keepalive pairs) and the key "it"; EXTRA is
# appended as is (more keys, sections). [policy] is POLICY if set; else
# the per-destination limits are off, since these tests dial the same few
# numbers again and again (http_policy.sh tests the limits).
write_conf() {
	{
		cat <<EOF
[pintgw]
state_dir = $work/state
log_level = debug
log_timestamps = true
mask_numbers = false
drain_grace = ${DRAIN_GRACE:-3}

[http]
listen = 127.0.0.1:0
connection_timeout = 30
sse_heartbeat = 1

[sip]
listen = udp:127.0.0.1:0
t1 = 100
ring_timeout = 20

[policy]
${POLICY:-destination_cooldown = 0
destination_daily_cap = 0}
EOF
		for g in $GATEWAYS; do
			name=${g%%:*}
			eval "port=\${${name}_port}"
			cat <<EOF

[gateway $name]
address = udp:127.0.0.1:$port
keepalive = ${g#*:}
down_after = 1
status = none
EOF
		done
		cat <<EOF

[key it]
hash = $("$PINTGW" hash-key "$TOKEN")
scopes = call fax content read cancel
rate = 1000
burst = 1000
EOF
		printf '%s\n' "${1:-}"
	} >"$work/pintgw.conf"
}

# start_pintgw: run it, wait for its HTTP port (sets URL).
start_pintgw() {
	touch "$work/pintgw.log"
	before=$(grep -c 'pintgw: http port' "$work/pintgw.log")
	"$PINTGW" -c "$work/pintgw.conf" >>"$work/pintgw.log" 2>&1 &
	gw_pid=$!
	n=0
	while [ $n -lt 200 ]; do
		if [ "$(grep -c 'pintgw: http port' "$work/pintgw.log")" -gt \
		     "${before:-0}" ]; then
			port=$(sed -n 's/.*pintgw: http port \([0-9]*\),.*/\1/p' \
				"$work/pintgw.log" | tail -n 1)
			URL=http://127.0.0.1:$port
			return 0
		fi
		kill -0 "$gw_pid" 2>/dev/null || fail "pintgw exited at start"
		sleep 0.05
		n=$((n + 1))
	done
	fail "pintgw did not start"
}

# stop_pintgw [SIGNAL]: signal it (TERM) and wait for its exit; sets rc.
stop_pintgw() {
	kill -"${1:-TERM}" "$gw_pid" 2>/dev/null
	wait "$gw_pid"
	rc=$?
	gw_pid=""
}

# call METHOD PATH [curl args]: as key $TOKEN; sets code, body, hdrs.
call() {
	m=$1
	p=$2
	shift 2
	code=$(curl -s -m 20 -o "$work/body" -D "$work/hdrs" -w '%{http_code}' \
		-X "$m" -H "Authorization: Bearer ${AS:-$TOKEN}" "$@" "$URL$p")
	body=$(cat "$work/body")
	hdrs=$(cat "$work/hdrs")
}

# post JSON [curl args]: POST /v1/requests.
post() {
	json=$1
	shift
	call POST /v1/requests -H 'Content-Type: application/json' \
		--data-binary "$json" "$@"
}

expect() {
	[ "$code" = "$1" ] || fail "$2: HTTP $code, wanted $1: $body"
}

# field NAME [TEXT]: the first string value of "NAME" in TEXT ($body).
field() {
	printf '%s' "${2-$body}" | grep -o "\"$1\": *\"[^\"]*\"" | head -n 1 |
		sed 's/^[^:]*: *"\(.*\)"$/\1/'
}

# The first "NAME": <digits> of TEXT ($body).
number() {
	printf '%s' "${2-$body}" | grep -o "\"$1\": *[0-9]*" | head -n 1 |
		sed 's/.*: *//'
}

header() {
	printf '%s\n' "$hdrs" | tr -d '\r' | sed -n "s/^$1: *//Ip" | head -n 1
}

error_code() {
	printf '%s' "$body" | sed -n 's/.*"error": *{ *"code": *"\([^"]*\)".*/\1/p'
}

expect_error() {
	expect "$1" "$3"
	[ "$(error_code)" = "$2" ] || fail "$3: error code '$(error_code)', wanted $2: $body"
}

# Unix ms now, and an RFC 3339 time S seconds from now.
now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}
at_in() {
	date -u -d "@$(( $(date +%s) + $1 ))" +%Y-%m-%dT%H:%M:%SZ
}

# wait_status ID STATUS SECONDS: poll until it is; $body holds it then.
wait_status() {
	n=0
	while [ $n -lt $(( $3 * 20 )) ]; do
		call GET "/v1/requests/$1"
		[ "$(field status)" = "$2" ] && return 0
		sleep 0.05
		n=$((n + 1))
	done
	fail "$1 is $(field status) after $3 s, wanted $2"
}

# One INVITE transaction per line: "<c= number> <Call-ID>", from a trace.
invites() {
	awk '
	function flush() { if (inv && cid != "") print num, cid; inv = 0; cid = ""; num = "" }
	/^-----/ { flush(); next }
	/^INVITE sip:/ { inv = 1 }
	/^Call-ID:/ { cid = $2 }
	/^c=TN RFC2543 / { num = $3; gsub(/-/, "", num) }
	END { flush() }' "$@" | tr -d '\r' | sort -u
}
