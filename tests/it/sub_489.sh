#!/bin/sh
# A gateway that is an RFC 6665 notifier (digest §9 T21): the PINT
# SUBSCRIBE (no Event) is answered 489; with dialog_fallback pintgw
# subscribes again with Event: dialog (new Call-ID, Accept dialog-info,
# Expires), gets a confirmed NOTIFY (active) and, after the gateway's BYE
# (completed), ends that subscription with Expires: 0. No loop, no retry
# of the PINT SUBSCRIBE.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gw sub_489.xml -m 3 -timeout 15s -timeout_error
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --fallback --timeout 10 || it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,active,completed"
one_terminal_each pc
expect "SUBSCRIBEs received" "$(sipp_received gw '^SUBSCRIBE ' | wc -l)" 3
subs=$WORK/subs.txt
sipp_blocks gw '^SUBSCRIBE ' | tr -d '\r' >"$subs"
expect "Event headers" "$(grep -c '^Event:' "$subs")" 2
expect "dialog Events" "$(grep -c '^Event: dialog;call-id=' "$subs")" 2
expect "Accept headers" "$(grep -c '^Accept: application/dialog-info+xml$' "$subs")" 2
expect "Expires values" "$(grep '^Expires:' "$subs" | tr '\n' ' ')" "Expires: 600 Expires: 600 Expires: 0 "
expect "Call-IDs" "$(grep -i '^Call-ID:' "$subs" | sort -u | wc -l)" 2
inv_cid=$(sipp_blocks gw '^INVITE ' | grep -i '^Call-ID:' | tr -d '\r' | sed 's/^[^:]*: *//')
expect "Event call-id" "$(grep -c "^Event: dialog;call-id=$inv_cid;" "$subs")" 2
it_pass
