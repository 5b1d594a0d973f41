#!/bin/sh
# R2F with inline content against tools/pintsim: pintgw sends the INVITE
# over TCP with a multipart/related body (SDP first, spr: naming the text
# part); the simulator takes it, reports the pages in NOTIFYs (the
# subscription over UDP) and ends it with a BYE on a TCP connection of
# its own to pintgw's Contact. R2F by URL and R2HC over UDP too.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw --speed 20
call_bg inline 0000 gw --service fax --content-text "Please find our price list below."
call_bg url 0001 gw --service fax --content-url https://docs.example.com/q.tif
call_bg hc 0002 gw --service content --content-url https://www.example.com/a.txt \
	--content-type text/plain
for c in inline url hc; do
	wait_bg "$c"
	one_terminal_each "$c"
done
sim_stop gw

ok="sending,proceeding,accepted,active,completed"
expect "inline" "$(statuses inline 1)" "$ok"
expect "pages" "$(jqs inline '[.[] | select(.info != null and (.info | test("of 5 pages sent"))) | .info] | unique | length')" 5
expect "inline end" "$(jqs inline '[.[] | select(.status == "completed")][0].info')" '"5 of 5 pages sent"'
expect "url" "$(statuses url 1)" "$ok"
expect "content" "$(statuses hc 1)" "$ok"
expect "content end" "$(jqs hc '[.[] | select(.status == "completed")][0].info')" '"content played"'

inv=$(sim_trace gw '[.[] | select(.dir == "in" and (.first | test("^INVITE sip:R2F@")) and (.text | test("multipart/related")))][0]')
[ "$inv" != null ] || it_fail "no multipart INVITE"
expect "over TCP" "$(printf '%s\n' "$inv" | jq -r '.peer | startswith("tcp:")')" true
printf '%s\n' "$inv" | jq -e '.text | test("Content-Type: application/sdp") and test("Content-ID: <") and test("a=fmtp:plain spr:")' >/dev/null ||
	it_fail "multipart INVITE not as expected"
cid=$(printf '%s\n' "$inv" | jq '.call_id')
expect "answered over TCP" "$(sim_trace gw "[.[] | select(.dir == \"out\" and .call_id == $cid and (.first | test(\"^SIP/2.0 200\")))][0].peer | startswith(\"tcp:\")")" true
expect "BYE over TCP" "$(sim_trace gw "[.[] | select(.dir == \"out\" and .call_id == $cid and (.first | test(\"^BYE \")))][0].peer | startswith(\"tcp:\")")" true
expect "sessions" "$(sim_stat gw completed)" 3
it_pass
