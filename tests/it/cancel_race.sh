#!/bin/sh
# CANCEL crossing a 200 (digest §9 T19 and RFC 3261 §15): pintcall cancels
# a ringing call; the gateway's 200 for the INVITE crosses the CANCEL;
# pintgw ACKs it and sends BYE in that dialog: canceled, nothing else.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gw cancel_race.xml -m 1 -timeout 15s -timeout_error
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --no-track --cancel-after 500 --timeout 10 ||
	it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,proceeding,canceled"
one_terminal_each pc
expect "outcome" "$(jqs pc '[.[] | select(.status == "canceled")][0].outcome')" '"canceled"'
expect "cancel issued" "$(jqs pc '[.[] | select(.action == "cancel")][0].result')" '"ok"'
expect "CANCELs received" "$(sipp_received gw '^CANCEL ' | wc -l)" 1
expect "ACKs received" "$(sipp_received gw '^ACK ' | wc -l)" 1
expect "BYEs received" "$(sipp_received gw '^BYE ' | wc -l)" 1
it_pass
