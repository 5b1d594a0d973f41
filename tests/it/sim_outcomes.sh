#!/bin/sh
# pintgw against its built-in PINT server (tools/pintsim): each row of the
# outcome table (pintsim(1)) as the status sequence and terminal outcome
# pintcall reports, all calls at once on one simulator: answered and
# monitored to its end, busy, no answer (408, 480), declined, unknown
# number, slow answer, a number outside the table.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw --speed 20
for n in 0000 0486 0408 0480 0603 0404 0700 1234; do
	call_bg "c$n" "$n" gw
done
for n in 0000 0486 0408 0480 0603 0404 0700 1234; do
	wait_bg "c$n"
	one_terminal_each "c$n"
done
sim_stop gw

ok="sending,proceeding,accepted,active,completed"
expect "0000 statuses" "$(statuses c0000 1)" "$ok"
expect "0000 end" "$(final c0000)" "completed/ok"
expect "0000 by" "$(jqs c0000 '[.[] | select(.status == "completed")][0].by')" '"gateway"'
expect "0000 ringing" "$(jqs c0000 '[.[] | select(.sip_code == 180)][0].info')" '"ringing"'
expect "0000 connected" "$(jqs c0000 '[.[] | select(.status == "active")][0].info')" '"connected"'
expect "0000 started" "$(jqs c0000 '[.[] | select(.status == "active")][0].t_start > 0')" true
expect "0000 stopped" "$(jqs c0000 '[.[] | select(.status == "completed")][0] | .t_stop >= .t_start')" true
expect "0000 monitored" "$(jqs c0000 '[.[] | select(.monitoring == true and .expires == 600)] | length > 0')" true
expect "0486" "$(statuses c0486 1)" "sending,proceeding,failed"
expect "0486 end" "$(final c0486)" "failed/busy"
expect "0486 code" "$(jqs c0486 '[.[] | select(.status == "failed")][0].sip_code')" 486
expect "0408 end" "$(final c0408)" "failed/no_answer"
expect "0408 code" "$(jqs c0408 '[.[] | select(.status == "failed")][0].sip_code')" 408
expect "0408 rang" "$(jqs c0408 '[.[] | select(.sip_code == 180)] | length')" 1
expect "0480 end" "$(final c0480)" "failed/no_answer"
expect "0480 code" "$(jqs c0480 '[.[] | select(.status == "failed")][0].sip_code')" 480
expect "0603 end" "$(final c0603)" "failed/rejected"
expect "0404 end" "$(final c0404)" "failed/not_found"
expect "0700 statuses" "$(statuses c0700 1)" "$ok"
expect "1234 statuses" "$(statuses c1234 1)" "$ok"

# what the simulator saw and did
expect "sessions" "$(sim_stat gw sessions)" 8
expect "answered" "$(sim_stat gw answered)" 3
expect "completed" "$(sim_stat gw completed)" 3
expect "live at the end" "$(sim_stat gw sessions_live)" 0
expect "subscriptions left" "$(sim_stat gw subs_live)" 0
expect "ACKs" "$(sim_count gw in '^ACK ')" 8
expect "BYEs sent" "$(sim_count gw out '^BYE ')" 3
# a failed INVITE gets no NOTIFY that could race its final response; the
# number is matched as the SDP writes it (a bare "0486" also turns up in
# random tags and branches of other calls' NOTIFYs)
notify_of() {
	sim_trace gw "[.[] | select(.dir == \"out\" and (.first | test(\"^NOTIFY \")) and (.text | test(\"c=TN RFC2543 [+]1-?555-?555-?$1\")))] | length"
}
[ "$(notify_of 0000)" -gt 0 ] || fail "no NOTIFY matched for 0000: the match is wrong"
expect "NOTIFYs of 0486" "$(notify_of 0486)" 0
it_pass
