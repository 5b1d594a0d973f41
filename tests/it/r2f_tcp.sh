#!/bin/sh
# R2F with inline content (digest §9 T6): multipart/related goes over TCP
# even to a gateway configured for UDP; SIPp (TCP only) checks the parts:
# SDP first with spr:<id>, then text/plain with Content-ID: <id>.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gw r2f_tcp.xml -t t1 -m 1 -timeout 15s -timeout_error
pintcall_run pc --gateway "udp:127.0.0.1:$gw_port" --service fax \
	--to +15555550199 --content-text "Hello fax" --no-track --timeout 10 ||
	it_fail "pintcall exited $?"
sipp_ok gw

expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,completed"
one_terminal_each pc
expect "INVITE over TCP" "$(grep -c 'TCP message received' "$WORK/gw.msg")" 3
expect "over UDP" "$(grep -c 'UDP message' "$WORK/gw.msg")" 0
expect "tcp messages" "$(jqs pc '.[] | select(.summary) | .sip.tcp_out')" 3
it_pass
