#!/bin/sh
# 0999 at tools/pintsim: not even 100 Trying. pintgw (here with T1 =
# 50 ms, so Timer B is 3.2 s) retransmits the INVITE 7 times in all and
# gives up: failed/unreachable. The real 32 s schedule is sim_timer_b.sh
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
expect "absorbed" "$(sim_stat gw absorbed)" 7
expect "answers" "$(sim_trace gw '[.[] | select(.dir == "out")] | length')" 0
expect "traced absorbed" "$(sim_trace gw '[.[] | select(.absorbed)] | length')" 7
it_pass
