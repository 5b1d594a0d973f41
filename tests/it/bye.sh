#!/bin/sh
# BYE from either side, without status monitoring (digest §9 T17, T20):
# 1. the gateway answers and ends the service with BYE: completed by the
#    gateway; 2. pintcall cancels an answered call: pintgw sends BYE in the
#    dialog, the gateway's 200 carries the stop time, i= and Expires: 300:
#    canceled, with that evidence.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gwa answer_bye.xml -m 1 -timeout 15s -timeout_error
pintcall_run pca --gateway "udp:127.0.0.1:$gwa_port" --to +15555550199 \
	--from +15555550100 --no-track --timeout 10 || it_fail "pintcall exited $?"
sipp_ok gwa
expect "gateway BYE: statuses" "$(statuses pca 1)" "sending,proceeding,accepted,completed"
one_terminal_each pca
expect "gateway BYE: by" "$(jqs pca '[.[] | select(.status == "completed")][0] | [.outcome, .by] | join(",")')" '"ok,gateway"'
expect "gateway BYE: no BYE of ours" "$(jqs pca '.[] | select(.summary) | .sip.byes_sent')" 0

stop=$(($(ntp_now) + 1))
sipp_start gwb bye_ours.xml -m 1 -timeout 15s -timeout_error -key ntp_stop "$stop"
pintcall_run pcb --gateway "udp:127.0.0.1:$gwb_port" --to +15555550199 \
	--from +15555550100 --no-track --cancel-after 800 --timeout 10 ||
	it_fail "pintcall exited $?"
sipp_ok gwb
expect "our BYE: statuses" "$(statuses pcb 1)" "sending,proceeding,accepted,canceled"
one_terminal_each pcb
expect "our BYE: end" "$(jqs pcb '[.[] | select(.status == "canceled")][0] | [.outcome, .by, .sip_code, .info, .retention, .t_stop] | join(",")')" "\"canceled,pintgw,200,service stopped,300,$stop\""
expect "our BYE: BYEs received" "$(sipp_received gwb '^BYE ' | wc -l)" 1
it_pass
