#!/bin/sh
# PINT NOTIFY (digest §9 T12, T24): i= text and Warning reach the events,
# a NOTIFY in RFC 2848's lax spelling is still understood, and a stop time
# in the past completes the request; pintgw then unsubscribes, and sends
# no BYE (the gateway said the service is over).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

now=$(ntp_now)
start=$((now - 30))
stop=$((now - 2))
sipp_start gw pint_notify.xml -m 2 -timeout 15s -timeout_error \
	-key ntp_start "$start" -key ntp_stop "$stop"
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --timeout 10 || it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,active,completed"
one_terminal_each pc
expect "NOTIFY 1" "$(jqs pc '[.[] | select(.status == "active")][0] | [.info, .warning.code, .warning.agent, .warning.text, .t_start] | join(",")')" "\"3 pages of 5 sent,399,gw.test,retrying page 4,$start\""
expect "NOTIFY 2 (lax)" "$(jqs pc '[.[] | select(.info == "4 pages of 5 sent")][0] | [.status, .warning.code, .warning.text, .t_start] | join(",")')" "\"none,399,retrying page 5,$start\""
expect "NOTIFY 3" "$(jqs pc '[.[] | select(.status == "completed")][0] | [.outcome, .by, .info, .t_stop] | join(",")')" "\"ok,gateway,all pages sent,$stop\""
expect "NOTIFYs accepted" "$(jqs pc '.[] | select(.summary) | .sip.notify_accepted')" 3
expect "BYEs received" "$(sipp_received gw '^BYE ' | wc -l)" 0
expect "UNSUBSCRIBEs received" "$(sipp_received gw '^UNSUBSCRIBE ' | wc -l)" 1
it_pass
