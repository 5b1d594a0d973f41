#!/bin/sh
# INVITE retransmissions over UDP against a gateway that never answers
# (RFC 3261 §17.1.1.2, PINT-PROFILE "Transport and timers"): copies at
# 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s (each within 100 ms), then Timer B
# at 64*T1 = 32 s gives failed/unreachable (within 0.5 s). Slow: run by
# `make check-slow`, not `make check`.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gw no_answer.xml -m 1 -timeout 45s -timeout_error
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --no-track --timeout 40 || it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,failed"
one_terminal_each pc
expect "outcome" "$(jqs pc '[.[] | select(.status == "failed")][0].outcome')" '"unreachable"'

# arrival times of the copies, relative to the first one (trace clock)
times=$(sipp_received gw '^INVITE ' | awk '{
	split($1, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]
	if (NR == 1) s0 = s
	printf "%.3f ", s - s0 }')
it_log "INVITE copies at: $times(s)"
set -- $times
expect "INVITE copies" "$#" 7
for want in 0 0.5 1.5 3.5 7.5 15.5 31.5; do
	awk -v got="$1" -v want="$want" 'BEGIN {
		d = got - want; if (d < 0) d = -d; exit !(d <= 0.100) }' ||
		it_fail "a copy at $1 s, want $want s (within 0.1 s)"
	shift
done
t0=$(jqs pc '[.[] | select(.status == "sending")][0].t_ms')
t1=$(jqs pc '[.[] | select(.status == "failed")][0].t_ms')
it_log "unreachable after $((t1 - t0)) ms"
d=$((t1 - t0 - 32000))
[ "${d#-}" -le 500 ] || it_fail "unreachable after $((t1 - t0)) ms, want 32000 (within 500)"
expect "retransmissions sent" "$(jqs pc '.[] | select(.summary) | .sip.retransmits_sent')" 6
it_pass
