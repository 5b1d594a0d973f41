#!/bin/sh
# 0302 at tools/pintsim: 302 with a Contact at the simulator itself
# (user R2C-alt); pintgw ACKs it and follows it with the same Call-ID and
# CSeq + 1; the service is answered there and runs to its end. The
# subscription opened after the first 100 is carried over to the new
# attempt (same o= line): its NOTIFYs keep coming.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw --speed 20
call pc 0302 gw
sim_stop gw

one_terminal_each pc
expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,active,completed"
expect "redirect evidence" "$(jqs pc '[.[] | select(.sip_code == 302)][0].info')" \
	"\"redirected to sip:R2C-alt@127.0.0.1:$gw_port\""
expect "redirects" "$(jqs pc '.[] | select(.summary) | .sip.invites_sent')" 2
expect "monitored after" "$(jqs pc '[.[] | select(.status == "active")][0].monitoring')" true

expect "INVITEs" "$(sim_count gw in '^INVITE ')" 2
expect "second INVITE" "$(sim_trace gw '[.[] | select(.dir == "in" and (.first | test("^INVITE ")))][1].first')" \
	"\"INVITE sip:R2C-alt@127.0.0.1:$gw_port SIP/2.0\""
cids=$(sim_trace gw '[.[] | select(.dir == "in" and (.first | test("^INVITE "))) | .call_id] | unique | length')
expect "one Call-ID" "$cids" 1
expect "CSeq + 1" "$(sim_trace gw '[.[] | select(.dir == "in" and (.first | test("^INVITE "))) | .text | capture("CSeq: (?<n>[0-9]+)").n] | join(",")')" '"1,2"'
expect "302 out" "$(sim_count gw out '^SIP/2.0 302 ')" 1
expect "SUBSCRIBEs" "$(sim_count gw in '^SUBSCRIBE ')" 1
it_pass
