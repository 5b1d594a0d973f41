#!/bin/sh
# The gateway ends the monitoring (digest §9 T13): its UNSUBSCRIBE (Expires:
# 3600) is answered 200 and reported (monitoring ended, retention 3600);
# the request stays active until the gateway's BYE (completed), and
# pintgw sends no UNSUBSCRIBE of its own afterwards.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

start=$(($(ntp_now) - 5))
sipp_start gw gw_unsubscribe.xml -m 2 -timeout 15s -timeout_error \
	-key ntp_start "$start"
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --timeout 10 || it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,active,completed"
one_terminal_each pc
expect "monitoring ended" "$(jqs pc '[.[] | select(.monitoring_ended == true)] | map([.status, .retention] | join(",")) | join(";")')" '"none,3600"'
expect "end" "$(jqs pc '[.[] | select(.status == "completed")][0] | [.outcome, .by] | join(",")')" '"ok,gateway"'
expect "UNSUBSCRIBEs received" "$(sipp_received gw '^UNSUBSCRIBE ' | wc -l)" 0
expect "SUBSCRIBEs sent" "$(jqs pc '.[] | select(.summary) | .sip.subscribes_sent')" 1
it_pass
