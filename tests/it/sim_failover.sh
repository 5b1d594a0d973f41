#!/bin/sh
# 503 from tools/pintsim (PINT-PROFILE "Responses to the INVITE"): a
# simulator playing 0503 for every number (--outcome) and a normal one,
# in priority order. The first call gets 503 + Retry-After: 30, pintgw
# fails over to the second with a new Call-ID and is completed there;
# the second call goes straight to the second gateway (the first rests).
# With the overloaded gateway alone the call fails with the 503 and its
# Retry-After as evidence.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start busy --speed 20 --outcome 0503
sim_start good --speed 20
pintcall_run pc --gateway "udp:127.0.0.1:$busy_port" \
	--gateway "udp:127.0.0.1:$good_port" --to +15555550000 \
	--from +15555550100 --count 2 --rate 5 --no-track --timeout 20 ||
	it_fail "pintcall exited $?"
call alone 0000 busy --no-track
sim_stop busy
sim_stop good

one_terminal_each pc
expect "call 1" "$(statuses pc 1)" "sending,proceeding,accepted,completed"
expect "call 2" "$(statuses pc 2)" "sending,proceeding,accepted,completed"
expect "first try" "$(jqs pc '[.[] | select(.ref == 1 and .status == "sending")][0].gateway')" '"gw1"'
expect "ends" "$(jqs pc '[.[] | select(.status == "completed") | .gateway] | join(",")')" '"gw2,gw2"'
expect "failovers" "$(jqs pc '.[] | select(.summary) | .sip.failovers')" 1
expect "503s" "$(sim_count busy out '^SIP/2.0 503 ')" 2
expect "Retry-After" "$(sim_trace busy '[.[] | select(.first | test("^SIP/2.0 503")) | .text | test("Retry-After: 30")] | all')" true
expect "INVITEs at the second" "$(sim_count good in '^INVITE ')" 2
c1=$(sim_trace busy '[.[] | select(.dir == "in" and (.first | test("^INVITE ")))][0].call_id')
expect "new Call-ID" "$(sim_trace good "[.[] | select(.call_id == $c1)] | length")" 0

one_terminal_each alone
expect "alone" "$(final alone)" "failed/error"
expect "alone code" "$(jqs alone '[.[] | select(.status == "failed")][0] | [.sip_code, .retry_after] | join(",")')" '"503,30"'
it_pass
