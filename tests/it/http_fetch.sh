#!/bin/sh
# tests/it/http_fetch.sh — content items with "fetch": true end to end:
# the real pintgw, tools/pintsim as the gateway (its trace holds every
# INVITE byte for byte) and tools/contentsrv as the content server on
# 127.0.0.1 ([fetch] allow_private = 127.0.0.1/32, so 127.0.0.2 stays
# refused). A dry run fetches nothing; a fetched body goes inline in the
# multipart INVITE over TCP, exactly; too large, a hanging server (which
# stalls nobody else), a wrong Content-Type, a refused address, a
# redirect, a 404 each end failed/content_fetch_failed without an
# INVITE; kill -9 during a fetch fetches again after the restart and
# sends once; kill -9 after the INVITE resends it with the same Call-ID
# after fetching again.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/http_lib.sh"

command -v jq >/dev/null 2>&1 || fail "jq is not installed (Debian package jq)"
bin=$(dirname "$PINTGW")
SIM=$bin/tools/pintsim
[ -x "$SIM" ] || SIM=$(pwd)/tools/pintsim
SRV=$bin/tools/contentsrv
[ -x "$SRV" ] || SRV=$(pwd)/tools/contentsrv
[ -x "$SIM" ] || fail "no tools/pintsim binary"
[ -x "$SRV" ] || fail "no tools/contentsrv binary"

# ---- the content server and the gateway ---------------------------------
printf 'Price list 4711\r\nwidgets: 12.50\nend of list\n' >"$work/doc.txt"
printf 'Second document, fetched after a restart\n' >"$work/doc2.txt"
printf 'Third document, sent twice as the same request\n' >"$work/doc3.txt"
printf 'A concurrent document\n' >"$work/doc4.txt"
head -c 5000 /dev/zero | tr '\0' x >"$work/big.txt"
printf '<html><body>not a pdf</body></html>\n' >"$work/page.html"

srv_port=$(free_port) || fail "no free port"
"$SRV" "$srv_port" "$work/srv.log" \
	"/doc.txt=file:text/plain:$work/doc.txt" \
	"/doc4.txt=file:text/plain:$work/doc4.txt" \
	"/big.txt=file:text/plain:$work/big.txt" \
	"/page.pdf=file:text/html:$work/page.html" \
	"/hang.txt=hang" \
	"/redir.txt=redirect:http://127.0.0.1:$srv_port/target.txt" \
	"/target.txt=file:text/plain:$work/doc.txt" \
	"/once.txt=hang-once:text/plain:$work/doc2.txt" \
	"/twice.txt=file:text/plain:$work/doc3.txt" \
	>"$work/srv.out" 2>&1 &
pids="$pids $!"
n=0
until grep -q LISTENING "$work/srv.log" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "contentsrv did not start: $(cat "$work/srv.out")"
	sleep 0.05
done
C=http://127.0.0.1:$srv_port

sim_port=$(free_port) || fail "no free port"
"$SIM" --listen "udp:127.0.0.1:$sim_port" --listen "tcp:127.0.0.1:$sim_port" \
	--trace "$work/sim.trace" --speed 20 >"$work/sim.out" 2>"$work/sim.log" &
pids="$pids $!"
n=0
until grep -q '"listening"' "$work/sim.out" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "pintsim did not start: $(cat "$work/sim.log")"
	sleep 0.05
done

GATEWAYS=""
write_conf "
[gateway sim]
address = udp:127.0.0.1:$sim_port
keepalive = 1
down_after = 1
status = none

[fetch]
max_bytes = 3000
timeout = 2
allow_private = 127.0.0.1/32"
# inline content goes over TCP: a TCP listener too, on the same port
sip_port=$(free_port) || fail "no free port"
sed -i "s/^listen = udp:127.0.0.1:0\$/listen = udp:127.0.0.1:$sip_port\\
listen = tcp:127.0.0.1:$sip_port/" "$work/pintgw.conf"
start_pintgw

# fax JSON for number +1 555 NNN NNNN with one fetched item.
fax() {
	printf '{"service":"fax","to":"+1 555 %s","gateway":"sim","content":[{"type":"%s","url":"%s","fetch":true}]}' \
		"$1" "$2" "$3"
}

# gets PATH: how many times the content server was asked for PATH.
gets() {
	grep -c "^GET $1\$" "$work/srv.log"
}

# invites DIGITS: INVITEs pintsim got for a number ending in DIGITS.
invites() {
	jq -s --arg n "$1" '[.[] | select(.dir == "in" and
		(.first | startswith("INVITE ")) and
		(.text | gsub("-"; "") | contains($n)))] | length' "$work/sim.trace"
}

# fetch_failed ID WHY TEXT: ended failed/content_fetch_failed for WHY,
# TEXT in its info, and never sent.
fetch_failed() {
	wait_status "$1" failed 10
	printf '%s' "$body" | grep -q '"code": *"content_fetch_failed"' ||
		fail "$1: outcome: $body"
	printf '%s' "$body" | grep -q "\"reason\": *\"$2\"" || fail "$1: reason $2: $body"
	printf '%s' "$(field info)" | grep -q -- "$3" || fail "$1: info lacks '$3': $body"
}

# ---- dry run: nothing fetched, the item shown ------------------------------
call POST '/v1/requests?dry_run=1' -H 'Content-Type: application/json' \
	--data-binary "$(fax '201 0000' text/plain "$C/doc.txt")"
expect 200 "dry run"
printf '%s' "$body" | jq -e --arg u "$C/doc.txt" \
	'.fetch == [{"content": 0, "url": $u, "type": "text/plain", "max_bytes": 3000}] and
	 (.sip | test("multipart/related") and test("fetched from the item.s url when the request is sent"))' \
	>/dev/null || fail "dry run body: $body"
sleep 0.3
[ "$(gets /doc.txt)" = 0 ] || fail "a dry run fetched"
ok "a dry run fetches nothing and shows the item to fetch"

# ---- success: the body inline, byte for byte -------------------------------
post "$(fax '201 0000' text/plain "$C/doc.txt")"
expect 201 "create"
ok_id=$(field id)
wait_status "$ok_id" completed 30
call GET "/v1/requests/$ok_id/events"
printf '%s' "$body" | grep -q '"info": *"fetching content: 1 item"' || fail "no fetching event: $body"
size=$(wc -c <"$work/doc.txt")
printf '%s' "$body" | grep -q "\"info\": *\"content fetched: 1 item, $size bytes inline\"" ||
	fail "no fetched note: $body"
[ "$(gets /doc.txt)" = 1 ] || fail "fetched $(gets /doc.txt) times"
inv=$(jq -c -s --arg n 5552010000 '[.[] | select(.dir == "in" and
	(.first | startswith("INVITE ")) and (.text | gsub("-"; "") | contains($n)))]' \
	"$work/sim.trace")
[ "$(printf '%s' "$inv" | jq length)" = 1 ] || fail "INVITEs: $inv"
printf '%s' "$inv" | jq -e --rawfile b "$work/doc.txt" '.[0] |
	(.peer | startswith("tcp:")) and
	(.text | test("Content-Type: multipart/related")) and
	(.text | test("a=fmtp:[^ ]+ spr:")) and
	(.text | contains("Content-Type: text/plain\r\nContent-ID: <")) and
	(.text | contains(">\r\n\r\n" + $b + "\r\n--"))' >/dev/null ||
	fail "the INVITE does not carry the body inline: $inv"
printf '%s' "$inv" | jq -e '.[0].text | contains("uri:") | not' >/dev/null ||
	fail "the INVITE still refers to the URL"
ok "the fetched body goes inline in the multipart INVITE over TCP, byte for byte"

# ---- failures: never sent ---------------------------------------------------
post "$(fax '202 0000' text/plain "$C/big.txt")"
expect 201 "create big"
big_id=$(field id)
post "$(fax '206 0000' application/pdf "$C/page.pdf")"
expect 201 "create wrong type"
type_id=$(field id)
post "$(fax '207 0000' text/plain "http://127.0.0.2:$srv_port/doc.txt")"
expect 201 "create refused"
refused_id=$(field id)
post "$(fax '208 0000' text/plain "$C/redir.txt")"
expect 201 "create redirect"
redir_id=$(field id)
post "$(fax '209 0000' text/plain "$C/missing.txt")"
expect 201 "create missing"
missing_id=$(field id)
fetch_failed "$big_id" too_large "content\[0\] not fetched (too_large): response body over 3000 bytes"
fetch_failed "$type_id" wrong_type "text/html, not application/pdf"
fetch_failed "$refused_id" refused_address "address refused: 127.0.0.2 (loopback)"
fetch_failed "$redir_id" redirect "HTTP 302"
fetch_failed "$missing_id" http_status "HTTP 404"
[ "$(gets /target.txt)" = 0 ] || fail "the redirect was followed"
for d in 5552020000 5552060000 5552070000 5552080000 5552090000; do
	[ "$(invites $d)" = 0 ] || fail "an INVITE went out for $d"
done
ok "too large, wrong type, refused address, redirect and 404: content_fetch_failed, no INVITE"

# ---- a hanging server stalls nobody else ------------------------------------
t0=$(now_ms)
post "$(fax '203 0000' text/plain "$C/hang.txt")"
expect 201 "create hang"
hang_id=$(field id)
post "$(fax '204 0000' text/plain "$C/doc4.txt")"
expect 201 "create beside the hang"
other_id=$(field id)
wait_status "$other_id" accepted 5
elapsed=$(( $(now_ms) - t0 ))
call GET "/v1/requests/$hang_id"
[ "$(field status)" = queued ] || fail "the hanging fetch: $body"
[ "$elapsed" -lt 1800 ] || fail "the other request waited $elapsed ms for the hanging one"
fetch_failed "$hang_id" timeout "timed out"
[ $(( $(now_ms) - t0 )) -ge 1900 ] || fail "the hanging fetch ended before its timeout"
[ "$(invites 5552030000)" = 0 ] || fail "an INVITE went out for the hanging fetch"
ok "a hanging content server times out (timeout) while another request goes through"

call GET /metrics
printf '%s' "$body" | grep -q '^pintgw_fetch_ended_total{result="too_large"} 1$' ||
	fail "metrics: $(printf '%s' "$body" | grep pintgw_fetch)"
printf '%s' "$body" | grep -q '^pintgw_fetch_ended_total{result="ok"} 2$' ||
	fail "metrics: $(printf '%s' "$body" | grep pintgw_fetch)"
ok "fetch metrics"

# ---- kill -9 during a fetch: fetched again, sent once -------------------------
post "$(fax '205 0000' text/plain "$C/once.txt")"
expect 201 "create once"
once_id=$(field id)
n=0
until [ "$(gets /once.txt)" = 1 ]; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "the fetch did not start"
	sleep 0.02
done
call GET "/v1/requests/$once_id/events"
printf '%s' "$body" | grep -q '"fetching content: 1 item"' || fail "not fetching: $body"
stop_pintgw 9
start_pintgw
wait_status "$once_id" completed 30
[ "$(gets /once.txt)" = 2 ] || fail "fetched $(gets /once.txt) times"
[ "$(invites 5552050000)" = 1 ] || fail "$(invites 5552050000) INVITEs after the restart"
jq -s -e --rawfile b "$work/doc2.txt" --arg n 5552050000 '[.[] | select(.dir == "in" and
	(.first | startswith("INVITE ")) and (.text | gsub("-"; "") | contains($n)))][0] |
	.text | contains("\r\n\r\n" + $b + "\r\n--")' "$work/sim.trace" >/dev/null ||
	fail "the INVITE after the restart lacks the body"
call GET "/v1/requests/$once_id/events"
[ "$(printf '%s' "$body" | grep -o '"fetching content: 1 item"' | wc -l)" = 2 ] ||
	fail "events after the restart: $body"
ok "kill -9 during a fetch: fetched again after the restart, sent once"

# ---- kill -9 after the INVITE: fetched again, resent as the same request ----
post "$(fax '210 0999' text/plain "$C/twice.txt")"
expect 201 "create twice"
twice_id=$(field id)
n=0
until [ "$(invites 5552100999)" -ge 1 ]; do
	n=$((n + 1))
	[ $n -lt 200 ] || fail "no INVITE for the black hole"
	sleep 0.02
done
wait_status "$twice_id" sending 5
stop_pintgw 9
start_pintgw
n=0
until [ "$(invites 5552100999)" -ge 2 ]; do
	n=$((n + 1))
	[ $n -lt 250 ] || fail "not resent after the restart"
	sleep 0.02
done
[ "$(gets /twice.txt)" = 2 ] || fail "fetched $(gets /twice.txt) times"
ids=$(jq -r -s --arg n 5552100999 '[.[] | select(.dir == "in" and
	(.first | startswith("INVITE ")) and (.text | gsub("-"; "") | contains($n)))] |
	map(.call_id) | unique | length' "$work/sim.trace")
[ "$ids" = 1 ] || fail "the resend has another Call-ID"
jq -s -e --rawfile b "$work/doc3.txt" --arg n 5552100999 '[.[] | select(.dir == "in" and
	(.first | startswith("INVITE ")) and (.text | gsub("-"; "") | contains($n)))] |
	all(.text | contains("\r\n\r\n" + $b + "\r\n--"))' "$work/sim.trace" >/dev/null ||
	fail "a resent INVITE lacks the body"
call GET "/v1/requests/$twice_id/events"
printf '%s' "$body" | grep -q 'fetching content again: 1 item' || fail "events: $body"
printf '%s' "$body" | grep -q 'sent again as the same request' || fail "events: $body"
ok "kill -9 after the INVITE: fetched again, resent with the same Call-ID"

stop_pintgw TERM
[ "$rc" = 0 ] || fail "pintgw exited $rc"
ok "clean exit"
