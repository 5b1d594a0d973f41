#!/bin/sh
# Dialog mode (digest §9 T22, status = dialog): SUBSCRIBE with Event:
# dialog, then dialog-info NOTIFYs trying, early (ringing), confirmed
# (active), a stale version (ignored: no event at all), terminated by
# remote-bye (completed); every NOTIFY answered 200; pintgw ends the
# subscription with Expires: 0.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gw dialog_info.xml -m 2 -timeout 15s -timeout_error
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --status-mode dialog --timeout 10 ||
	it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,active,completed"
one_terminal_each pc
expect "ringing" "$(jqs pc '[.[] | select(.info == "ringing")] | length')" 1
# nothing between active and completed: the stale NOTIFY changed nothing
expect "events after active" "$(jqs pc '[.[] | select(.ref != null and .status != null) | .status] | (index("active")) as $a | .[$a + 1:] | join(",")')" '"completed"'
expect "end" "$(jqs pc '[.[] | select(.status == "completed")][0] | [.outcome, .by] | join(",")')" '"ok,gateway"'
expect "NOTIFYs accepted" "$(jqs pc '.[] | select(.summary) | .sip.notify_accepted')" 5
subs=$WORK/subs.txt
sipp_blocks gw '^SUBSCRIBE ' | tr -d '\r' >"$subs"
expect "SUBSCRIBEs received" "$(grep -c '^SUBSCRIBE ' "$subs")" 2
expect "dialog Events" "$(grep -c '^Event: dialog' "$subs")" 2
expect "Accept headers" "$(grep -c '^Accept: application/dialog-info+xml$' "$subs")" 2
expect "Expires values" "$(grep '^Expires:' "$subs" | tr '\n' ' ')" "Expires: 600 Expires: 0 "
it_pass
