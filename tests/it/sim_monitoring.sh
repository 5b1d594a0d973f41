#!/bin/sh
# PINT status monitoring at tools/pintsim (RFC 2848 §3.5.3): pintgw's
# SUBSCRIBE carries the INVITE's o= line and no Event; the simulator
# grants what was asked (here 1 s, before the call connects) and, when
# that runs out, closes the monitoring session with UNSUBSCRIBE and
# Expires = how long it keeps the session (--retention); no NOTIFY
# follows, and the call still ends with the simulator's BYE.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw --speed 4 --retention 120
call_bg long 0000 gw --expires 1
wait_bg long
sim_stop gw

one_terminal_each long
expect "statuses" "$(statuses long 1)" "sending,proceeding,accepted,completed"
ended=$(jqs long '[.[] | select(.monitoring_ended == true)][0]')
[ "$ended" != null ] || it_fail "monitoring did not end"
expect "retention" "$(printf '%s\n' "$ended" | jq .retention)" 120
expect "completed by BYE" "$(jqs long '[.[] | select(.status == "completed")][0].by')" '"gateway"'

sub=$(sim_trace gw '[.[] | select(.dir == "in" and (.first | test("^SUBSCRIBE ")))][0].text')
inv=$(sim_trace gw '[.[] | select(.dir == "in" and (.first | test("^INVITE ")))][0].text')
expect "no Event" "$(printf '%s\n' "$sub" | jq 'test("\r\nEvent:")')" false
expect "same o=" "$(printf '%s\n' "$sub" | jq -r 'capture("\r\no=(?<o>[^\r]*)").o')" \
	"$(printf '%s\n' "$inv" | jq -r 'capture("\r\no=(?<o>[^\r]*)").o')"
expect "granted" "$(sim_trace gw '[.[] | select(.dir == "out" and (.first | test("^SIP/2.0 200")) and (.text | test("CSeq: 1 SUBSCRIBE")))][0].text | test("Expires: 1\r")')" true
uns=$(sim_trace gw '[.[] | select(.dir == "out" and (.first | test("^UNSUBSCRIBE ")))]')
expect "UNSUBSCRIBEs" "$(printf '%s\n' "$uns" | jq length)" 1
expect "UNSUBSCRIBE Expires" "$(printf '%s\n' "$uns" | jq '.[0].text | test("Expires: 120\r")')" true
expect "UNSUBSCRIBE SDP" "$(printf '%s\n' "$uns" | jq '.[0].text | test("application/sdp")')" true
t_sub=$(sim_trace gw '[.[] | select(.dir == "out" and (.first | test("^SIP/2.0 200")) and (.text | test("CSeq: 1 SUBSCRIBE")))][0].t_ms')
t_uns=$(printf '%s\n' "$uns" | jq '.[0].t_ms')
d=$((t_uns - t_sub))
[ $d -ge 950 ] && [ $d -le 2500 ] || it_fail "UNSUBSCRIBE $d ms after the 200, want 1 s"
expect "NOTIFYs after it" "$(sim_trace gw "[.[] | select(.dir == \"out\" and (.first | test(\"^NOTIFY \")) and .t_ms > $t_uns)] | length")" 0
expect "unsubscribes" "$(sim_stat gw unsubscribes)" 1
it_pass
