#!/bin/sh
# Timer B at RFC 3261 pace against tools/pintsim's black hole (0999): 7
# copies of the INVITE over 31.5 s, then failed/unreachable after 32 s.
# Slow: make check-slow.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw
call pc 0999 gw --timeout 60
sim_stop gw

one_terminal_each pc
expect "end" "$(final pc)" "failed/unreachable"
t=$(jqs pc '[.[] | select(.status == "failed")][0].t_ms')
[ "$t" -ge 31500 ] && [ "$t" -le 34000 ] || it_fail "gave up after $t ms, want 32 s"
expect "absorbed" "$(sim_stat gw absorbed)" 7
span=$(sim_trace gw '[.[] | select(.absorbed) | .t_ms] | (max - min)')
[ "$span" -ge 31000 ] && [ "$span" -le 32500 ] || it_fail "copies over $span ms, want 31.5 s"
it_pass
