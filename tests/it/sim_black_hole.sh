#!/bin/sh
# 0999 at tools/pintsim: not even 100 Trying. pintgw (here with T1 =
# 50 ms, so Timer B is 3.2 s) retransmits the INVITE, every copy is
# absorbed, and it gives up: failed/unreachable. The real 32 s schedule is sim_timer_b.sh
# (make check-slow).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw --speed 20
call pc 0999 gw --t1 50
sim_stop gw

one_terminal_each pc
expect "statuses" "$(statuses pc 1)" "sending,failed"
expect "end" "$(final pc)" "failed/unreachable"
expect "by" "$(jqs pc '[.[] | select(.status == "failed")][0].by')" '"pintgw"'
# every copy pintcall sent was absorbed (7 at RFC pace; with a 50 ms T1
# the last retransmission and Timer B are 50 ms apart and may cross)
sent=$(jqs pc '.[] | select(.summary) | .sip.udp_out')
[ "$sent" -ge 6 ] || it_fail "pintcall sent $sent INVITEs"
expect "absorbed" "$(sim_stat gw absorbed)" "$sent"
expect "answers" "$(sim_trace gw '[.[] | select(.dir == "out")] | length')" 0
expect "traced absorbed" "$(sim_trace gw '[.[] | select(.absorbed)] | length')" "$sent"
it_pass
