#!/bin/sh
# tests/it/http_api.sh — the HTTP API as clients meet it (API.md): routes,
# every error code and its shape, hostile bodies (never a 5xx), keys and
# scopes, policy, limits, dry runs, idempotency, lists, the operational
# endpoints, and the command line.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/http_lib.sh"

T2=it-other-token-0123456789abcdef
T3=it-reader-token-0123456789abcdef
T4=it-limited-token-0123456789abcdef
T5=it-caller-token-0123456789abcdef
T6=it-policy-token-0123456789abcdef

# ---- command line ----------------------------------------------------------
"$PINTGW" --version | grep -q '^pintgw ' || fail "--version"
"$PINTGW" --help | grep -q 'check-config' || fail "--help"
"$PINTGW" --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad option: exit 2"
h=$("$PINTGW" hash-key "$TOKEN")
want=sha256:$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)
[ "$h" = "$want" ] || fail "hash-key: $h, wanted $want"
h=$(printf '%s\n' "$TOKEN" | "$PINTGW" hash-key -)
[ "$h" = "$want" ] || fail "hash-key - (stdin)"
"$PINTGW" hash-key short >/dev/null 2>&1 && fail "hash-key of a short token"
printf '[pintgw]\nstate_dir = relative\nlog_level = loud\n' >"$work/bad.conf"
out=$("$PINTGW" -c "$work/bad.conf" --check-config 2>&1)
[ $? -eq 1 ] || fail "--check-config of a bad file: exit 1"
printf '%s\n' "$out" | grep -q "^$work/bad.conf:2: state_dir" ||
	fail "--check-config: FILE:LINE for line 2: $out"
printf '%s\n' "$out" | grep -q "^$work/bad.conf:3: log_level" ||
	fail "--check-config: every error: $out"
ok "command line: --version --help hash-key --check-config, exit codes"

# ---- a daemon with one SIPp gateway and five keys --------------------------
start_sipp answer http_answer.xml
GATEWAYS="answer:1"
write_conf "
[key other]
hash = $("$PINTGW" hash-key $T2)
scopes = call read cancel

[key reader]
hash = $("$PINTGW" hash-key $T3)
scopes = read

[key limited]
hash = $("$PINTGW" hash-key $T4)
scopes = call read
rate = 1
burst = 2
concurrency = 2

[key policy]
hash = $("$PINTGW" hash-key $T6)
scopes = call
deny = +1900
allow = +1

[key caller]
hash = $("$PINTGW" hash-key $T5)
scopes = call"
"$PINTGW" -c "$work/pintgw.conf" --check-config | grep -qx ok ||
	fail "--check-config of the generated file"
start_pintgw

call GET /healthz
expect 200 healthz
[ "$body" = '{"status":"ok"}' ] || fail "healthz body: $body"
n=0
until call GET /readyz && [ "$code" = 200 ]; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "readyz never 200: $body"
	sleep 0.05
done
ok "healthz 200; readyz 200 once the gateway answers OPTIONS"

# ---- routes ------------------------------------------------------------------
call GET /nope
expect_error 404 not_found "unknown path"
call GET /v1/requests/
expect_error 404 not_found "empty id"
call PUT /v1/requests
expect_error 405 method_not_allowed "PUT on the collection"
[ "$(header Allow)" = "GET, POST" ] || fail "Allow: $(header Allow)"
call POST /v1/requests/rq_abc
expect_error 405 method_not_allowed "POST on an item"
[ "$(header Allow)" = "GET, DELETE" ] || fail "Allow item: $(header Allow)"
call DELETE /v1/requests/rq_abc/events
[ "$(header Allow)" = GET ] || fail "Allow events"
call POST /healthz
expect 405 "POST healthz"
ok "404 unknown route, 405 with Allow"

# ---- 401, 403 ----------------------------------------------------------------
code=$(curl -s -o "$work/body" -D "$work/hdrs" -w '%{http_code}' "$URL/v1/requests")
body=$(cat "$work/body"); hdrs=$(cat "$work/hdrs")
expect_error 401 unauthorized "no key"
header WWW-Authenticate | grep -q '^Bearer' || fail "WWW-Authenticate"
AS=not-a-key-0123456789abcdef call GET /v1/requests
expect_error 401 unauthorized "unknown key"
AS="$T2 junk" call GET /v1/requests
expect_error 401 unauthorized "malformed header"
AS=$T3 post '{"service":"call","to":"+15555550100","from":"+15555550101"}'
expect_error 403 insufficient_scope "read-only key creating"
AS=$T3 call DELETE /v1/requests/rq_abc
expect_error 403 insufficient_scope "read-only key canceling"
AS=$T5 call GET /v1/requests
expect_error 403 insufficient_scope "call-only key reading"
AS=$T5 post '{"service":"fax","to":"+15555550100","content":[{"type":"text/plain","text":"x"}]}'
expect_error 403 insufficient_scope "call-only key sending a fax"
ok "401 without or with a bad key, 403 for a missing scope"

# ---- 415, 413, 400, 422: never a 5xx ---------------------------------------
call POST /v1/requests --data-binary '{}'
expect_error 415 unsupported_media_type "form content type"
call POST /v1/requests -H 'Content-Type: text/plain' --data-binary '{}'
expect_error 415 unsupported_media_type "text/plain"
call POST /v1/requests -H 'Content-Type: application/json; charset=latin1' --data-binary '{}'
expect_error 415 unsupported_media_type "latin1"
call POST '/v1/requests?dry_run=1' -H 'Content-Type: Application/JSON; charset="UTF-8"' \
	--data-binary '{"service":"call","to":"+15555550100","from":"+15555550101"}'
expect 200 "JSON with a charset parameter"

head -c 1100000 /dev/zero | tr '\0' ' ' >"$work/big.json"
post "@$work/big.json"
expect_error 413 body_too_large "a 1.1 MB body"

i=0
while [ $i -lt 40 ]; do printf '[' ; i=$((i + 1)); done >"$work/deep.json"
head -c 300000 /dev/zero | tr '\0' 'x' >"$work/long"
printf '{"service":"call","to":"%s"}' "$(cat "$work/long")" >"$work/huge.json"
printf '{"service":"call","to":"+1555\377\376"}' >"$work/utf8.json"
printf '{"service":"call","to":"+15555550100","to":"+15555550101"}' >"$work/dup.json"
printf '{"service":"call","to":"+1555\0000100"}' >"$work/nul.json"
for b in '' '{' 'null' '[]' '"call"' '{"service":"call"}' \
	'{"service":5,"to":"+15555550100"}' '{"service":"call","to":[]}' \
	'{"service":"call","to":"+15555550100","track":"yes"}' \
	'{"service":"call","to":"+15555550100","ring_timeout":1e999}' \
	'{"service":"call","to":"+15555550100","ring_timeout":-1}' \
	'{"service":"call","to":"+15555550100","start_at":"yesterday"}' \
	'{"service":"call","to":"+15555550100","content":{}}' \
	'{"service":"call","to":"+15555550100","unknown":1}' \
	'{"service":"call","to":"+1-55"}' \
	'{"service":"../../etc/passwd","to":"+15555550100"}' \
	"@$work/deep.json" "@$work/huge.json" "@$work/utf8.json" \
	"@$work/dup.json" "@$work/nul.json"; do
	post "$b"
	case $code in
	400) ;;
	*) fail "hostile body '$(printf '%.60s' "$b")': HTTP $code: $body" ;;
	esac
	[ -n "$(error_code)" ] || fail "error shape for '$b': $body"
done
post '{"service":"call","to":"+15555550100","from":"+15555550101","unknown":1}'
expect_error 400 unknown_field "an unknown field"
[ "$(field field)" = unknown ] || fail "error field: $body"
post '{"service":"fax","to":"+15555550100"}'
expect_error 422 content_required "a fax without content"
post '{"service":"telepathy","to":"+15555550100"}'
expect_error 422 unknown_service "an unknown service"
post '{"service":"call","to":"+15555550100","from":"+15555550101","gateway":"nowhere"}'
expect_error 422 unknown_gateway "an unknown gateway"
call POST '/v1/requests?dry_run=maybe' -H 'Content-Type: application/json' --data-binary '{}'
expect_error 400 invalid_parameter "dry_run=maybe"
call POST '/v1/requests?debug=1' -H 'Content-Type: application/json' --data-binary '{}'
expect_error 400 unknown_parameter "an unknown parameter"
ok "415, 413, 400 for malformed and hostile JSON, 422: every error in the API shape"

# ---- dry run -----------------------------------------------------------------
call GET /v1/requests
before=$(printf '%s' "$body" | grep -o '"id": *"rq_' | wc -l)
call POST '/v1/requests?dry_run=1' -H 'Content-Type: application/json' \
	--data-binary '{"service":"call","to":"+1 555 555 0199","from":"+1 555 555 0100","language":"en"}'
expect 200 "dry run"
case $body in
'{"request":{"service":"call","to":"+1 555 555 0199","from":"+1 555 555 0100","language":"en","track":true},"decision":{'*) ;;
*) fail "dry run: the request first, compact: $body" ;;
esac
printf '%s' "$body" | grep -q '"allowed": *true' || fail "dry run decision: $body"
printf '%s' "$body" | grep -q '"sip": *"INVITE sip:R2C@' || fail "dry run INVITE: $body"
printf '%s' "$body" | grep -q 'c=TN RFC2543 +1-555-\{0,1\}555-\{0,1\}0199' ||
	fail "dry run SDP c= line: $body"
printf '%s' "$body" | grep -q '"to": *"+15555550199"' || fail "dry run number: $body"
printf '%s' "$body" | grep -q '"policy": *{"decision": *"allow", *"rule": *null' ||
	fail "dry run policy decision: $body"
call GET /v1/requests
after=$(printf '%s' "$body" | grep -o '"id": *"rq_' | wc -l)
[ "$before" = "$after" ] || fail "dry run stored something ($before, $after)"
[ "$(grep -c 'INVITE sip:' "$work/answer.msg" 2>/dev/null)" = 0 ] ||
	fail "dry run sent an INVITE"
AS=$T6 call POST '/v1/requests?dry_run=1' -H 'Content-Type: application/json' \
	--data-binary '{"service":"call","to":"+1 900 555 0199","from":"+1 555 555 0100"}'
expect 200 "dry run of a denied number"
printf '%s' "$body" | grep -q '"allowed": *false' || fail "dry run refused: $body"
printf '%s' "$body" | grep -q '"decision": *"refuse", *"rule": *"key_deny", *"code": *"destination_denied", *"status": *403' ||
	fail "dry run refusal: $body"
printf '%s' "$body" | grep -q '"sip": *null' || fail "dry run refusal built an INVITE: $body"
call POST '/v1/requests?dry_run=1' -H 'Content-Type: application/json' \
	--data-binary '{"service":"fax","to":"+1 555 555 0199","from":"+1 555 555 0100","content":[{"type":"image/tiff","data":"//79AAECSUkqAA=="}]}'
expect 200 "dry run of a fax with binary data"
printf '%s' "$body" | grep -q '"sip": *null' || fail "binary INVITE as text: $body"
b64=$(printf '%s' "$body" | sed -n 's/.*"sip_base64": *"\([A-Za-z0-9+\/=]*\)".*/\1/p')
[ -n "$b64" ] || fail "no sip_base64: $body"
printf '%s' "$b64" | base64 -d >"$work/invite.bin" || fail "sip_base64 does not decode"
head -c 11 "$work/invite.bin" | grep -q '^INVITE sip:' || fail "sip_base64 is no INVITE"
od -An -tx1 "$work/invite.bin" | tr -d ' \n' | grep -q 'fffefd000102494' ||
	fail "the INVITE lacks the fax's bytes"
ok "dry run: 200, the request, decision, the exact INVITE (base64 when binary); nothing stored or sent"

# ---- create, read, another key's request -----------------------------------
post '{"service":"call","to":"+1 555 555 0111","from":"+1 555 555 0100","client_state":"order-1"}'
expect 201 create
id=$(field id)
[ "$(header Location)" = "/v1/requests/$id" ] || fail "Location: $(header Location)"
[ "$(field client_state)" = order-1 ] || fail "client_state: $body"
call GET "/v1/requests/$id"
expect 200 "read it"
[ "$(field id)" = "$id" ] || fail "read: $body"
AS=$T2 call GET "/v1/requests/$id"
expect_error 404 not_found "another key's request"
AS=$T2 call DELETE "/v1/requests/$id"
expect_error 404 not_found "another key's cancel"
AS=$T2 call GET "/v1/requests/$id/events"
expect_error 404 not_found "another key's events"
call GET /v1/requests/rq_doesnotexist0000000
expect_error 404 not_found "unknown id"
call GET "/v1/requests/rq_$(head -c 300 /dev/zero | tr '\0' a)"
expect_error 404 not_found "an id too long"
call GET '/v1/requests/rq_a%27%20OR%201=1'
expect_error 404 not_found "an id with SQL"
call GET "/v1/requests/$id?wait=61"
expect_error 400 invalid_parameter "wait=61"
call GET "/v1/requests/$id?bogus=1"
expect_error 400 unknown_parameter "GET unknown parameter"
wait_status "$id" completed 10
ok "201 + Location, read, 404 for another key's and unknown ids, completed"

# ---- idempotency -------------------------------------------------------------
B='{"service":"call","to":"+1 555 555 0122","from":"+1 555 555 0100","start_at":"'$(at_in 3600)'"}'
post "$B" -H 'Idempotency-Key: order-4711:a.b_c-d'
expect 201 "idempotent create"
first=$body
id=$(field id)
[ -z "$(header Idempotent-Replayed)" ] || fail "first reply marked replayed"
post "$B" -H 'Idempotency-Key: order-4711:a.b_c-d'
expect 201 "replay"
[ "$(header Idempotent-Replayed)" = true ] || fail "no Idempotent-Replayed: $hdrs"
[ "$body" = "$first" ] || fail "replay body differs: $body"
[ "$(header Location)" = "/v1/requests/$id" ] || fail "replay Location"
post '{"service":"call","to":"+1 555 555 0123","from":"+1 555 555 0100"}' \
	-H 'Idempotency-Key: order-4711:a.b_c-d'
expect_error 409 idempotency_conflict "same key, another body"
AS=$T2 post "$B" -H 'Idempotency-Key: order-4711:a.b_c-d'
expect 201 "the same key of another API key"
[ "$(field id)" != "$id" ] || fail "keys are per API key"
post "$B" -H 'Idempotency-Key: has space'
expect_error 400 invalid_header "a bad Idempotency-Key"
post "$B" -H "Idempotency-Key: $(head -c 256 /dev/zero | tr '\0' k)"
expect_error 400 invalid_header "a 256-character Idempotency-Key"
# two at once: one request, both answered alike
B2='{"service":"call","to":"+1 555 555 0124","from":"+1 555 555 0100","start_at":"'$(at_in 3600)'"}'
par=""
for i in 1 2 3; do
	curl -s -m 10 -o "$work/par$i" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' -H 'Idempotency-Key: par-1' \
		--data-binary "$B2" "$URL/v1/requests" &
	par="$par $!"
done
wait $par
a=$(field id "$(cat "$work/par1")")
[ -n "$a" ] && [ "$a" = "$(field id "$(cat "$work/par2")")" ] &&
	[ "$a" = "$(field id "$(cat "$work/par3")")" ] ||
	fail "parallel idempotent creates: $(cat "$work/par1" "$work/par2" "$work/par3")"
ok "Idempotency-Key: replay with Idempotent-Replayed, 409 conflict, per key, in flight"

# ---- policy and limits -------------------------------------------------------
AS=$T6 post '{"service":"call","to":"+1 900 555 0100","from":"+1 555 555 0100"}'
expect_error 403 destination_denied "denied prefix"
printf '%s' "$body" | grep -q '"rule": *"key_deny"' || fail "denied prefix rule: $body"
AS=$T6 post '{"service":"call","to":"+44 20 5555 0100","from":"+1 555 555 0100"}'
expect_error 403 destination_denied "outside the allowed prefixes"
AS=$T6 post '{"service":"call","to":"+1 555 555 0100","from":"+1 900 555 0100"}'
expect_error 403 destination_denied "a denied A party"
# "limited": rate 1/s, burst 2, at most 2 live requests
L='{"service":"call","to":"+1 555 555 0133","from":"+1 555 555 0100","start_at":"'$(at_in 3600)'"}'
AS=$T4 post "$L"
expect 201 "limited: first"
lim1=$(field id)
AS=$T4 post "$L"
expect 201 "limited: second"
AS=$T4 post "$L"
expect_error 429 rate_limited "past the burst"
printf '%s' "$body" | grep -q '"rule": *"rate_limit"' || fail "rate limit rule: $body"
[ -n "$(header Retry-After)" ] || fail "429 without Retry-After"
sleep 1.1
AS=$T4 post "$L"
expect_error 429 concurrency_limit "past the concurrency"
[ -n "$(header Retry-After)" ] || fail "concurrency 429 without Retry-After"
AS=$T4 call DELETE "/v1/requests/$lim1"
expect_error 403 insufficient_scope "limited cannot cancel"
call GET /metrics
printf '%s' "$body" | grep -q '^pintgw_api_rate_limited_total [1-9]' ||
	fail "metrics: rate limited count"
ok "403 destination_denied, 429 rate_limited and concurrency_limit with Retry-After"

# ---- lists -------------------------------------------------------------------
AS=$T2
for i in 1 2 3 4 5; do
	post '{"service":"call","to":"+1 555 555 014'$i'","from":"+1 555 555 0100","start_at":"'$(at_in 3600)'"}'
	expect 201 "list fixture $i"
done
unset AS
AS=$T2 call GET '/v1/requests?limit=2&status=queued&service=call'
expect 200 "list page 1"
p1=$(printf '%s' "$body" | grep -o '"id": *"rq_[^"]*"' | sort -u | wc -l)
cur=$(field next_cursor)
[ "$p1" = 2 ] && [ -n "$cur" ] || fail "page 1: $body"
ids=$(printf '%s' "$body" | grep -o '"self": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
seen=$p1
while [ -n "$cur" ]; do
	AS=$T2 call GET "/v1/requests?limit=2&status=queued&service=call&cursor=$cur"
	expect 200 "list next page"
	ids="$ids $(printf '%s' "$body" | grep -o '"self": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')"
	seen=$((seen + $(printf '%s' "$body" | grep -o '"self": *"' | wc -l)))
	cur=$(printf '%s' "$body" | grep -o '"next_cursor": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
done
[ "$seen" = 6 ] || fail "pages held $seen requests, wanted 6 (5 + the idempotent one)"
[ "$(printf '%s\n' $ids | sort -u | wc -l)" = 6 ] ||
	fail "a request on two pages"
AS=$T2 call GET '/v1/requests?to=%2B1%20555%20555%200143'
[ "$(printf '%s' "$body" | grep -o '"self"' | wc -l)" = 1 ] || fail "to filter: $body"
AS=$T2 call GET '/v1/requests?status=completed,failed'
expect 200 "several statuses"
printf '%s' "$body" | grep -q '"status": *"queued"' && fail "status filter: $body"
AS=$T2 call GET '/v1/requests?cursor=not-a-cursor'
expect_error 400 invalid_parameter "a forged cursor"
AS=$T2 call GET '/v1/requests?limit=201'
expect_error 400 invalid_parameter "limit 201"
AS=$T2 call GET '/v1/requests?sort=asc'
expect_error 400 unknown_parameter "a list parameter"
AS=$T2 call GET '/v1/requests?created_after=2000-01-01T00:00:00Z&created_before=2000-01-02T00:00:00Z'
[ "$(printf '%s' "$body" | grep -o '"self"' | wc -l)" = 0 ] || fail "time filter"
ok "lists: pages with next_cursor, filters, 400 for bad parameters"

# ---- metrics -----------------------------------------------------------------
code=$(curl -s -o "$work/body" -D "$work/hdrs" -w '%{http_code}' "$URL/metrics")
body=$(cat "$work/body"); hdrs=$(cat "$work/hdrs")
expect 200 metrics
header Content-Type | grep -q '^text/plain; version=0.0.4' || fail "metrics type"
for m in 'pintgw_requests_created_total{service="call"} [1-9]' \
	'pintgw_request_outcomes_total{service="call",outcome="ok"} [1-9]' \
	'pintgw_request_events_total{service="call",status="accepted"} [1-9]' \
	'pintgw_http_request_duration_seconds_bucket{le="+Inf"} [1-9]' \
	'pintgw_http_requests_total{code="4xx"} [1-9]' \
	'pintgw_store_commits_total [1-9]' 'pintgw_requests_scheduled [1-9]' \
	'pintgw_api_idempotent_replays_total [1-9]' 'pintgw_sip_' \
	'pintgw_gateway_up{gateway="answer"} 1'; do
	printf '%s\n' "$body" | grep -q "^$m" || fail "metrics: no $m"
done
ok "metrics: Prometheus text with requests, outcomes, HTTP histogram, store, SIP"

# ---- readyz 503, max_pending --------------------------------------------------
stop_pintgw TERM
[ "$rc" = 0 ] || fail "SIGTERM exit status $rc"
dead_port=$(free_port)
sed -i "s/^address = udp:127.0.0.1:.*/address = udp:127.0.0.1:$dead_port/" "$work/pintgw.conf"
sed -i "s/^drain_grace = .*/&\nmax_pending = 3/" "$work/pintgw.conf"
start_pintgw
sleep 0.3
call GET /readyz
expect_error 503 not_ready "readyz without a gateway"
[ "$(field field)" = gateway ] || fail "readyz names the check: $body"
printf '%s' "$body" | grep -q '"store": *"ok"' || fail "readyz checks: $body"
ok "readyz 503 naming the failed check"

# the scheduled requests above are live: more than max_pending
post '{"service":"call","to":"+1 555 555 0150","from":"+1 555 555 0100","start_at":"'$(at_in 3600)'"}'
expect_error 503 overloaded "past max_pending"
call POST '/v1/requests?dry_run=1' -H 'Content-Type: application/json' \
	--data-binary '{"service":"call","to":"+1 555 555 0150","from":"+1 555 555 0100"}'
expect 200 "a dry run past max_pending"
ok "503 overloaded past max_pending"

stop_pintgw TERM
[ "$rc" = 0 ] || fail "SIGTERM exit status $rc"
exit 0
