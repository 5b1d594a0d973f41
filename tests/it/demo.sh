#!/bin/sh
# tests/it/demo.sh — `pintgw --demo` as a first-time user meets it: the
# banner with the page and a working API key, the page and widget served
# from the binary, /demo/config with a click token that POST /v1/click
# takes, calls through the built-in PINT server reaching completed and
# busy, the SIP messages of each request in /demo/trace/{id}, and the
# temporary directory gone after SIGTERM.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/http_lib.sh"

# ---- wrong usage is refused before anything starts ------------------------
"$PINTGW" --speed 2 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--speed without --demo: exit 2 wanted"
"$PINTGW" --demo -c /etc/nonexistent >/dev/null 2>&1
[ $? -eq 2 ] || fail "--demo with -c: exit 2 wanted"
"$PINTGW" --demo --speed 0 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--speed 0: exit 2 wanted"
"$PINTGW" --demo --listen 'localhost;rm' >"$work/bad.out" 2>&1
[ $? -eq 1 ] || fail "--listen with a name: exit 1 wanted"
grep -q 'HOST:PORT' "$work/bad.out" || fail "--listen error: $(cat "$work/bad.out")"
ok "wrong usage: exit 2 (1 for a bad address) with a message"

# ---- start ---------------------------------------------------------------
TMPDIR=$work "$PINTGW" --demo --listen 127.0.0.1:0 --speed 20 \
	>"$work/demo.out" 2>"$work/pintgw.log" &
gw_pid=$!
n=0
while ! grep -q '^demo: http' "$work/demo.out" 2>/dev/null; do
	kill -0 "$gw_pid" 2>/dev/null || fail "pintgw --demo exited: $(cat "$work/demo.out")"
	[ $n -lt 200 ] || fail "no banner after 10 s"
	sleep 0.05
	n=$((n + 1))
done
line=$(grep '^demo: http' "$work/demo.out")
URL=$(printf '%s' "$line" | sed 's|^demo: \(http://[^/ ]*\)/ .*|\1|')
TOKEN=$(printf '%s' "$line" | sed 's/.*api_key=//')
dir=$(ls -d "$work"/pintgw-demo.* 2>/dev/null)
[ -n "$dir" ] && [ -f "$dir/pintgw.conf" ] || fail "no demo directory in $work"
[ "$(stat -c %a "$dir/pintgw.conf")" = 600 ] || fail "pintgw.conf is not 0600"
grep -q "curl -s -H 'Authorization: Bearer $TOKEN'" "$work/demo.out" ||
	fail "the banner's curl line: $(cat "$work/demo.out")"
ok "banner: $URL, a key, a curl line; config in a private directory"

call GET /healthz
expect 200 "healthz"
n=0
while :; do
	call GET /readyz
	[ "$code" = 200 ] && break
	[ $n -lt 100 ] || fail "readyz: $code $body"
	sleep 0.1
	n=$((n + 1))
done
ok "healthz, readyz (the simulator answers OPTIONS)"

# ---- the files compiled in ------------------------------------------------
code=$(curl -s -o "$work/page" -D "$work/hdrs" -w '%{http_code}' "$URL/")
hdrs=$(cat "$work/hdrs")
[ "$code" = 200 ] || fail "GET /: $code"
header Content-Type | grep -q '^text/html' || fail "/ type: $(header Content-Type)"
header Content-Security-Policy | grep -q "default-src 'self'" || fail "/ CSP"
etag=$(header ETag)
[ -n "$etag" ] || fail "/ has no ETag"
grep -qi '<html' "$work/page" || fail "/ is not the page"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$URL/")
[ "$code" = 304 ] || fail "If-None-Match: $code"
code=$(curl -s -o "$work/widget" -D "$work/hdrs" -w '%{http_code}' "$URL/widget.js")
hdrs=$(cat "$work/hdrs")
[ "$code" = 200 ] || fail "GET /widget.js: $code"
header Content-Type | grep -q 'javascript' || fail "widget type: $(header Content-Type)"
grep -q 'data-pint-token' "$work/widget" || fail "widget.js content"
code=$(curl -s -o /dev/null -w '%{http_code}' -I "$URL/widget.js")
[ "$code" = 200 ] || fail "HEAD /widget.js: $code"
call POST /widget.js
expect_error 405 method_not_allowed "POST /widget.js"
[ "$(header Allow)" = "GET, HEAD" ] || fail "Allow: $(header Allow)"
call GET /nothing-here
expect_error 404 not_found "an unknown path"
ok "/ and /widget.js served with ETag (304), CSP, HEAD; 405, 404"

# ---- /demo/config --------------------------------------------------------
code=$(curl -s -o "$work/body" -w '%{http_code}' "$URL/demo/config")
body=$(cat "$work/body")
[ "$code" = 200 ] || fail "/demo/config: $code $body"
[ "$(field api_key)" = "$TOKEN" ] || fail "/demo/config key: $body"
printf '%s' "$body" | grep -q '"digits":"0486","name":"busy"' ||
	fail "/demo/config outcomes: $body"
ctok=$(field click_token)
case $ctok in pc1.*.*) ;; *) fail "/demo/config click_token: $body" ;; esac
ok "/demo/config: the key, a click token and the outcome table"

# ---- the call button's click token -----------------------------------------
code=$(curl -s -m 20 -o "$work/body" -w '%{http_code}' \
	-H 'Content-Type: application/json' -H "Origin: $URL" \
	--data-binary "{\"token\":\"$ctok\",\"to\":\"+1 555 555 0000\"}" \
	"$URL/v1/click")
body=$(cat "$work/body")
expect 201 "a click with the page's token"
[ -n "$(field view_token)" ] || fail "click without a view token: $body"
clicked=$(field id)
code=$(curl -s -m 20 -o "$work/body" -w '%{http_code}' \
	-H 'Content-Type: application/json' \
	--data-binary "{\"token\":\"$ctok\",\"to\":\"+1 900 555 0000\"}" \
	"$URL/v1/click")
body=$(cat "$work/body")
expect_error 403 destination_denied "a premium-rate click"
[ "$(field rule)" = premium_rate ] || fail "premium-rate click: $body"
wait_status "$clicked" completed 20
ok "the page's token clicks as the demo key; the deny list applies"

# ---- calls through the built-in PINT server --------------------------------
post '{"service":"call","to":"+1 555 555 0000"}'
expect 201 "answered call"
ans=$(field id)
post '{"service":"call","to":"+1 555 555 0486"}'
expect 201 "busy call"
busy=$(field id)
wait_status "$ans" completed 20
wait_status "$busy" failed 20
[ "$(field code)" = busy ] || fail "busy outcome: $body"
ok "…0000 completed, …0486 failed busy"

call GET "/demo/trace/$ans"
expect 200 "trace"
[ "$(field request_id)" = "$ans" ] || fail "trace id: $body"
for first in 'INVITE sip:' 'SIP/2.0 180' 'SIP/2.0 200' 'ACK sip:' \
	     'SUBSCRIBE sip:' 'NOTIFY sip:' 'BYE sip:'; do
	printf '%s' "$body" | grep -q "\"first\":\"$first" ||
		fail "trace of $ans lacks $first: $body"
done
printf '%s' "$body" | grep -q '"dir":"out","peer":"udp:127.0.0.1:[0-9]*","first":"INVITE' ||
	fail "the INVITE goes out: $body"
version=$("$PINTGW" --version | sed 's/^pintgw //')
printf '%s' "$body" | grep -q "User-Agent: pintgw/$version" ||
	fail "User-Agent with the version $version: $body"
printf '%s' "$body" | grep -q "Server: pintsim/$version" ||
	fail "the simulator's Server header with $version: $body"
call GET "/demo/trace/$busy"
expect 200 "busy trace"
printf '%s' "$body" | grep -q '"first":"SIP/2.0 486' || fail "no 486: $body"
printf '%s' "$body" | grep -q '"dir":"out","peer":"[^"]*","first":"ACK' ||
	fail "the 486 is acknowledged: $body"
ok "trace: INVITE, 180, 200, ACK, SUBSCRIBE, NOTIFY, BYE; 486 + ACK for busy"

call GET /demo/trace/rq_doesnotexist00000000
expect_error 404 not_found "unknown request trace"
AS=wrong-key-0123456789abcdef call GET "/demo/trace/$ans"
expect 401 "trace with a wrong key"
ok "trace: 404 unknown, 401 without the key"

# ---- stop: the directory goes --------------------------------------------
stop_pintgw TERM
[ "$rc" = 0 ] || fail "exit status after SIGTERM: $rc"
[ -e "$dir" ] && fail "$dir is still there"
ok "SIGTERM: exit 0, $dir removed"
