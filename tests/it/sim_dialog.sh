#!/bin/sh
# tools/pintsim --mode dialog, a generic RFC 6665 notifier: a SUBSCRIBE
# with Event: dialog gets 200 and NOTIFYs with RFC 4235 dialog-info
# (trying/early, confirmed, terminated local-bye; versions growing;
# Subscription-State), which pintgw maps to its statuses. pintgw in PINT
# mode with dialog_fallback meets 489 to its Event-less SUBSCRIBE and
# falls back. A redirected call (0302) is listed with its first attempt
# terminated (rejected 302) next to the one that followed.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw --speed 20 --mode dialog
call_bg dlg 0000 gw --status-mode dialog
call_bg fb 0001 gw --status-mode pint --fallback
call_bg busy 0486 gw --status-mode dialog
call_bg redir 0302 gw --status-mode dialog
for c in dlg fb busy redir; do
	wait_bg "$c"
	one_terminal_each "$c"
done
sim_stop gw

ok="sending,proceeding,accepted,active,completed"
expect "dialog" "$(statuses dlg 1)" "$ok"
expect "dialog end" "$(jqs dlg '[.[] | select(.status == "completed")][0] | [.by, .monitoring_ended] | @csv')" '"\"gateway\",true"'
expect "fallback" "$(statuses fb 1)" "$ok"
expect "fallback flag" "$(jqs fb '[.[] | select(.fallback_to_dialog == true)] | length')" 1
expect "busy" "$(final busy)" "failed/busy"
expect "redirected" "$(statuses redir 1)" "$ok"

expect "489" "$(sim_count gw out '^SIP/2.0 489 ')" 1
expect "Allow-Events" "$(sim_trace gw '[.[] | select(.first | test("^SIP/2.0 489")) | .text | test("Allow-Events: dialog")] | all')" true
subs=$(sim_trace gw '[.[] | select(.dir == "in" and (.first | test("^SUBSCRIBE ")) and (.text | test("Event: dialog;call-id=")))] | length')
[ "$subs" -ge 4 ] || it_fail "dialog SUBSCRIBEs: $subs"
# every NOTIFY carries dialog-info and Subscription-State; versions grow
# per subscription; the last one is terminated
n=$(sim_trace gw '[.[] | select(.dir == "out" and (.first | test("^NOTIFY ")))] | map(select((.text | test("Event: dialog")) and (.text | test("Content-Type: application/dialog-info\\+xml")) and (.text | test("Subscription-State: (active;expires=[0-9]+|terminated;reason=noresource)")))) | length')
all=$(sim_count gw out '^NOTIFY ')
expect "well-formed NOTIFYs" "$n" "$all"
vers=$(sim_trace gw '[.[] | select(.dir == "out" and (.first | test("^NOTIFY "))) | {c: .call_id, v: (.text | capture("version=\"(?<v>[0-9]+)\"").v | tonumber)}] | group_by(.c) | map(map(.v)) | map(. == (sort | unique)) | all')
expect "versions grow" "$vers" true
expect "terminated local-bye" "$(sim_trace gw '[.[] | select(.dir == "out" and (.text | test("event=\"local-bye\"")))] | length')" 3
expect "302 next to its successor" "$(sim_trace gw '[.[] | select(.dir == "out" and (.text | test("code=\"302\"")))] | map(.text | test("<state>(trying|early|confirmed)</state>|event=\"local-bye\"")) | all')" true
expect "terminated rejected 486" "$(sim_trace gw '[.[] | select(.dir == "out" and (.text | test("event=\"rejected\" code=\"486\"")))] | length')" 1
it_pass
