#!/bin/sh
# 100 Trying, then a 200 only after 3 s: proceeding at once, accepted
# about 3 s later, and no INVITE retransmission after the 1xx (RFC 3261
# §17.1.1.2: Timer A stops in Proceeding); the gateway's BYE completes it.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gw slow_200.xml -m 1 -timeout 15s -timeout_error
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --no-track --timeout 10 || it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,completed"
one_terminal_each pc
t=$(jqs pc '[.[] | select(.status == "accepted")][0].t_ms')
[ "$t" -ge 2900 ] && [ "$t" -le 4000 ] || it_fail "accepted at $t ms, want about 3000"
t=$(jqs pc '[.[] | select(.status == "proceeding")][0].t_ms')
[ "$t" -le 500 ] || it_fail "proceeding at $t ms, want at once"
expect "INVITEs received" "$(sipp_received gw '^INVITE ' | wc -l)" 1
expect "retransmissions sent" "$(jqs pc '.[] | select(.summary) | .sip.retransmits_sent')" 0
it_pass
