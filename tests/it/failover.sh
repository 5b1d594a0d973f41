#!/bin/sh
# 503 failover (PINT-PROFILE "Responses to the INVITE"): two gateways in
# priority order; the first answers 503 + Retry-After, pintgw ACKs it and
# sends the service to the second with a new Call-ID, which takes it
# (180, 200) and ends it (BYE): completed at gw2. A second call made
# while gw1 rests goes straight to gw2.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gwa overloaded.xml -m 1 -timeout 15s -timeout_error
sipp_start gwb answer_bye.xml -m 2 -timeout 15s -timeout_error
pintcall_run pc --gateway "udp:127.0.0.1:$gwa_port" \
	--gateway "udp:127.0.0.1:$gwb_port" --to +15555550199 \
	--from +15555550100 --no-track --count 2 --rate 2 --timeout 10 ||
	it_fail "pintcall exited $?"
sipp_ok gwa
sipp_ok gwb

one_terminal_each pc
expect "call 1 statuses" "$(statuses pc 1)" "sending,proceeding,accepted,completed"
expect "call 2 statuses" "$(statuses pc 2)" "sending,proceeding,accepted,completed"
expect "gateways of the ends" "$(jqs pc '[.[] | select(.status == "completed") | .gateway] | join(",")')" '"gw2,gw2"'
expect "first gateway" "$(jqs pc '[.[] | select(.ref == 1 and .status == "sending")][0].gateway')" '"gw1"'
expect "failovers" "$(jqs pc '.[] | select(.summary) | .sip.failovers')" 1
expect "INVITEs at gw1" "$(sipp_received gwa '^INVITE ' | wc -l)" 1
expect "ACKs at gw1" "$(sipp_received gwa '^ACK ' | wc -l)" 1
expect "INVITEs at gw2" "$(sipp_received gwb '^INVITE ' | wc -l)" 2
cid_a=$(sipp_blocks gwa '^INVITE ' | grep -i '^Call-ID:')
[ -n "$cid_a" ] || it_fail "no Call-ID at gw1"
sipp_blocks gwb '^INVITE ' | grep -qF "$cid_a" && it_fail "gw2 got gw1's Call-ID"
it_pass
