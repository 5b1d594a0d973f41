#!/bin/sh
# R2C over UDP with status monitoring (digest §9 T1, T11, T12, T20):
# INVITE checked by SIPp, 100/180/200, ACK, SUBSCRIBE without Event whose
# SDP o= line is the INVITE's, NOTIFY t= start (active), NOTIFY t= start
# stop (evidence), BYE from the gateway (completed), then UNSUBSCRIBE.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

now=$(ntp_now)
start=$((now - 5))
stop=$((now + 60))
sipp_start gw r2c_basic.xml -m 2 -timeout 20s -timeout_error \
	-key ntp_start "$start" -key ntp_stop "$stop"
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --timeout 15 || it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,active,completed"
one_terminal_each pc
expect "proceeding code" "$(jqs pc '[.[] | select(.status == "proceeding")][0].sip_code')" 100
expect "accepted info" "$(jqs pc '[.[] | select(.status == "accepted")][0].info')" '"accepted by sipp"'
expect "active t_start" "$(jqs pc '[.[] | select(.status == "active")][0].t_start')" "$start"
expect "stop evidence" "$(jqs pc "[.[] | select(.t_stop == $stop)] | length")" 1
expect "completed" "$(jqs pc '[.[] | select(.status == "completed")][0] | [.outcome, .by] | join(",")')" '"ok,gateway"'
expect "monitoring" "$(jqs pc '[.[] | select(.monitoring == true and .expires == 600)] | length')" 1

# what the gateway saw
expect "INVITEs received" "$(sipp_received gw '^INVITE ' | wc -l)" 1
expect "ACKs received" "$(sipp_received gw '^ACK ' | wc -l)" 1
expect "SUBSCRIBEs received" "$(sipp_received gw '^SUBSCRIBE ' | wc -l)" 1
expect "UNSUBSCRIBEs received" "$(sipp_received gw '^UNSUBSCRIBE ' | wc -l)" 1
o_inv=$(sipp_blocks gw '^INVITE ' | grep '^o=' | tr -d '\r')
o_sub=$(sipp_blocks gw '^SUBSCRIBE ' | grep '^o=' | tr -d '\r')
[ -n "$o_inv" ] || it_fail "no o= line in the INVITE"
expect "SUBSCRIBE o= line" "$o_sub" "$o_inv"
cid_inv=$(sipp_blocks gw '^INVITE ' | grep -i '^Call-ID:' | tr -d '\r')
cid_sub=$(sipp_blocks gw '^SUBSCRIBE ' | grep -i '^Call-ID:' | tr -d '\r')
[ "$cid_inv" != "$cid_sub" ] || it_fail "SUBSCRIBE reuses the INVITE's Call-ID"
it_pass
