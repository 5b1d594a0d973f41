#!/bin/sh
# Cancel against tools/pintsim (PINT-PROFILE "Cancel", RFC 2848 §3.5.8):
# a ringing call (0180) canceled by the user (CANCEL, 487) and by
# pintgw's ring timeout; an answered call canceled with BYE (200 with
# SDP and Expires); a fax that cannot be aborted (0606: BYE answered 606
# + Warning 399 + SDP i=), which then runs to its end.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw --speed 10
call_bg user 0180 gw --cancel-after 300
call_bg ring 0180 gw --ring-timeout 1
call_bg bye 0000 gw --cancel-after 700
call_bg noabort 0606 gw --cancel-after 700 --service fax \
	--content-url https://docs.example.com/q.tif
for c in user ring bye noabort; do
	wait_bg "$c"
	one_terminal_each "$c"
done
sim_stop gw

expect "user cancel" "$(statuses user 1)" "sending,proceeding,canceled"
expect "user cancel end" "$(final user)" "canceled/canceled"
expect "user cancel 487" "$(jqs user '[.[] | select(.status == "canceled")][0].sip_code')" 487
expect "ring timeout end" "$(final ring)" "failed/no_answer"
expect "ring timeout by" "$(jqs ring '[.[] | select(.status == "failed")][0].by')" '"pintgw"'
expect "bye" "$(statuses bye 1)" "sending,proceeding,accepted,active,canceled"
expect "bye end" "$(final bye)" "canceled/canceled"
expect "bye retention" "$(jqs bye '[.[] | select(.status == "canceled")][0].retention')" 300
expect "bye info" "$(jqs bye '[.[] | select(.status == "canceled")][0].info')" '"aborted by requestor"'

# 0606: cannot_abort, the service goes on, the fax completes
ca=$(jqs noabort '[.[] | select(.cannot_abort == true)][0]')
[ "$ca" != null ] || it_fail "no cannot_abort event"
expect "606" "$(printf '%s\n' "$ca" | jq .sip_code)" 606
expect "606 warning" "$(printf '%s\n' "$ca" | jq -c '[.warning.code, .warning.text]')" \
	'[399,"Fax in progress, service cannot be aborted"]'
printf '%s\n' "$ca" | jq -e '.info | test("connected|pages sent")' >/dev/null ||
	it_fail "606 without the service's i=: $ca"
expect "noabort end" "$(final noabort)" "completed/ok"
expect "noabort last info" "$(jqs noabort '[.[] | select(.status == "completed")][0].info')" '"5 of 5 pages sent"'

# the wire: CANCELs answered 200 then 487; BYEs 200 and 606
expect "CANCELs in" "$(sim_count gw in '^CANCEL ')" 2
expect "200 to CANCEL" "$(sim_trace gw '[.[] | select(.dir == "out" and (.first | test("^SIP/2.0 200")) and (.text | test("CSeq: [0-9]+ CANCEL")))] | length')" 2
expect "487s" "$(sim_count gw out '^SIP/2.0 487 ')" 2
expect "BYEs in" "$(sim_count gw in '^BYE ')" 2
expect "606 out" "$(sim_count gw out '^SIP/2.0 606 ')" 1
expect "canceled" "$(sim_stat gw canceled)" 2
expect "aborted" "$(sim_stat gw aborted)" 1
expect "no_abort" "$(sim_stat gw no_abort)" 1
it_pass
