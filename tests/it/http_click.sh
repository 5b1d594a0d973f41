#!/bin/sh
# tests/it/http_click.sh — the public click routes end to end: the real
# pintgw with tools/pintsim as its gateway, tokens made by `pintgw token`,
# curl as the widget. A click to an answered number (…0000) completes, a
# busy one (…0486) fails busy, both followed through GET
# /v1/click/{id}?view=&wait= and server-sent events (Last-Event-ID too);
# tampered, expired, too long-lived tokens are 401, a wrong origin or a
# number outside the token's prefixes 403, a token with --max-uses 2 is
# used up on the third click, also after a restart; the per-address
# limit answers 429 with Retry-After after a SIGHUP lowered it; a bad
# view token is 404; CORS preflights are answered for a [click] origin
# and for nobody else; the requests are the key's own; the abuse policy
# refuses a click as any create of the key (the premium-rate list, the
# destination cooldown once a reload sets one), with its rule and count.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/http_lib.sh"

PINTSIM=$(dirname "$PINTGW")/tools/pintsim
[ -x "$PINTSIM" ] || PINTSIM=$(pwd)/tools/pintsim
[ -x "$PINTSIM" ] || fail "no tools/pintsim binary"
export IT_CLICK_SECRET=clk_it_0123456789abcdef
SHOP=https://shop.example

# ---- pintsim, pintgw ---------------------------------------------------------
try=0
sim_port=""
while [ $try -lt 5 ] && [ -z "$sim_port" ]; do
	port=$(free_port) || fail "no free port"
	"$PINTSIM" --listen "udp:127.0.0.1:$port" --speed 50 \
		>"$work/sim.out" 2>"$work/sim.log" &
	sim_pid=$!
	n=0
	while [ $n -lt 100 ]; do
		if grep -q '"listening"' "$work/sim.out"; then
			sim_port=$port
			pids="$pids $sim_pid"
			break
		fi
		kill -0 "$sim_pid" 2>/dev/null || break
		sleep 0.05
		n=$((n + 1))
	done
	[ -n "$sim_port" ] || { kill "$sim_pid" 2>/dev/null; wait "$sim_pid"; }
	try=$((try + 1))
done
[ -n "$sim_port" ] || fail "pintsim did not start"

# conf RATE BURST MAX_TTL: the configuration (written to stdout); its
# [policy] is POLICY if set, else without the destination cooldown and
# daily cap (the clicks below dial the same numbers again and again).
conf() {
	cat <<EOF
[pintgw]
state_dir = $work/state
log_level = debug
mask_numbers = false

[http]
listen = 127.0.0.1:0
sse_heartbeat = 1

[sip]
listen = udp:127.0.0.1:0
t1 = 100

[policy]
${POLICY:-destination_cooldown = 0
destination_daily_cap = 0}

[click]
rate_per_ip = $1
burst_per_ip = $2
max_ttl = $3
origins = $SHOP

[gateway sim]
address = udp:127.0.0.1:$sim_port
keepalive = 0
status = pint

[key shop]
hash = $("$PINTGW" hash-key "$TOKEN")
scopes = call read
rate = 1000
burst = 1000
allow = +1
secret_env = IT_CLICK_SECRET
EOF
}
conf 1000 1000 3600 >"$work/pintgw.conf"
start_pintgw

# reload: SIGHUP, and wait until pintgw has read the file again.
reload() {
	before=$(grep -c 'config: reloaded' "$work/pintgw.log")
	kill -HUP "$gw_pid"
	n=0
	until [ "$(grep -c 'config: reloaded' "$work/pintgw.log")" -gt "$before" ]; do
		n=$((n + 1))
		[ $n -lt 100 ] || fail "no reload"
		sleep 0.05
	done
}

# token [options]: a token of key shop from `pintgw token`.
token() {
	"$PINTGW" -c "$work/pintgw.conf" token --key shop "$@" ||
		fail "pintgw token $*"
}

# click TOKEN TO [ORIGIN]: POST /v1/click as a page of ORIGIN would.
click() {
	code=$(curl -s -m 20 -o "$work/body" -D "$work/hdrs" -w '%{http_code}' \
		-H 'Content-Type: application/json' ${3:+-H "Origin: $3"} \
		--data-binary "{\"token\":\"$1\",\"to\":\"$2\"}" "$URL/v1/click")
	body=$(cat "$work/body")
	hdrs=$(cat "$work/hdrs")
}

# view ID VIEW [QUERY]: GET /v1/click/ID?view=VIEW&QUERY.
view() {
	code=$(curl -s -m 20 -o "$work/body" -D "$work/hdrs" -w '%{http_code}' \
		"$URL/v1/click/$1?view=$2${3:+&$3}")
	body=$(cat "$work/body")
}

# view_until ID VIEW STATUS SECONDS: long-poll until it is STATUS.
view_until() {
	n=0
	after=0
	while [ $n -lt "$4" ]; do
		view "$1" "$2" "wait=2&after=$after"
		expect 200 "view of $1"
		[ "$(field status)" = "$3" ] && return 0
		after=$(number last_seq)
		n=$((n + 1))
	done
	fail "$1 is $(field status), wanted $3: $body"
}

# outcome: the outcome code in $body.
outcome() {
	printf '%s' "$body" | sed -n 's/.*"outcome": *{ *"code": *"\([^"]*\)".*/\1/p'
}

# ---- an answered call, a busy one -------------------------------------------
tok=$(token --from "+1 555 555 0100" --to +1555 --origin "$SHOP")
click "$tok" "+1 555 555 0000" "$SHOP"
expect 201 "click to an answered number"
id=$(field id)
v=$(field view_token)
[ "$(field status)" = queued ] || fail "click: $body"
[ "$(header Location)" = "/v1/click/$id" ] || fail "Location: $hdrs"
[ "$(header Access-Control-Allow-Origin)" = "$SHOP" ] || fail "no CORS: $hdrs"
[ "$(field to)" = "+1******0000" ] || fail "the number is not masked: $body"
printf '%s' "$body" | grep -q '5550100' && fail "the A party is shown: $body"
[ ${#v} = 22 ] || fail "view token '$v'"
view_until "$id" "$v" completed 20
[ "$(outcome)" = ok ] || fail "answered: outcome $(outcome): $body"
ok "a click to an answered number completes"

click "$tok" "+1 555 555 0486" "$SHOP"
expect 201 "click to a busy number"
busy=$(field id)
bv=$(field view_token)
view_until "$busy" "$bv" failed 20
[ "$(outcome)" = busy ] || fail "busy: outcome $(outcome): $body"
ok "a click to a busy number ends busy"

# the key sees them as its own
call GET "/v1/requests/$id"
expect 200 "the click's request for its key"
[ "$(field service)" = call ] || fail "$body"
call GET "/v1/requests?limit=10"
printf '%s' "$body" | grep -q "\"$busy\"" || fail "not in the key's list: $body"
ok "click requests belong to the token's key"

# ---- events -----------------------------------------------------------------
curl -s -N -m 10 -H 'Accept: text/event-stream' \
	"$URL/v1/click/$id/events?view=$v" >"$work/sse1"
grep -q '^id: 1$' "$work/sse1" || fail "SSE from the start: $(cat "$work/sse1")"
grep -q '^event: completed$' "$work/sse1" || fail "SSE: $(cat "$work/sse1")"
curl -s -N -m 10 -H 'Accept: text/event-stream' -H 'Last-Event-ID: 3' \
	"$URL/v1/click/$id/events?view=$v" >"$work/sse2"
[ "$(sed -n 's/^id: //p' "$work/sse2" | head -n 1)" = 4 ] ||
	fail "Last-Event-ID 3: $(cat "$work/sse2")"
# live: opened right after the click, closed by the terminal event
click "$tok" "+1 555 555 0000" "$SHOP"
expect 201 "click for a live stream"
live=$(field id)
lv=$(field view_token)
curl -s -N -m 15 -H 'Accept: text/event-stream' \
	"$URL/v1/click/$live/events?view=$lv" >"$work/sse3"
sed -n 's/^event: //p' "$work/sse3" | tr '\n' ' ' >"$work/sse3.events"
grep -q '^queued .*completed $' "$work/sse3.events" ||
	fail "live stream: $(cat "$work/sse3.events")"
code=$(curl -s -o "$work/body" -w '%{http_code}' "$URL/v1/click/$id/events?view=$v")
[ "$code" = 200 ] && grep -q '"events"' "$work/body" || fail "event list: $code"
ok "events stream like a request's, Last-Event-ID included"

# ---- view tokens --------------------------------------------------------------
view "$id" "AAAAAAAAAAAAAAAAAAAAAA"
expect_error 404 not_found "a wrong view token"
view "$id" "$bv"
expect_error 404 not_found "another request's view token"
code=$(curl -s -o "$work/body" -w '%{http_code}' "$URL/v1/click/$id")
[ "$code" = 404 ] || fail "no view token: $code"
view rq_AAAAAAAAAAAAAAAAAAAA "$v"
expect_error 404 not_found "an unknown id"
ok "a bad or missing view token is 404"

# ---- refused tokens -----------------------------------------------------------
bad=$(printf '%s' "$tok" | sed 's/\(pc1\.eyJ.\{20\}\)./\1A/')
[ "$bad" != "$tok" ] || bad=$(printf '%s' "$tok" | sed 's/\(pc1\.eyJ.\{20\}\)./\1B/')
click "$bad" "+1 555 555 0000" "$SHOP"
expect_error 401 invalid_token "a tampered token"
click "${tok%?}" "+1 555 555 0000" "$SHOP"
expect_error 401 invalid_token "a cut token"
short=$(token --from +15555550100 --ttl 1)
sleep 2
click "$short" "+1 555 555 0000"
expect_error 401 token_expired "an expired token"
conf 1000 1000 7200 >"$work/long.conf"
long=$("$PINTGW" -c "$work/long.conf" token --key shop --from +15555550100 \
	--ttl 7200) || fail "token with ttl 7200"
click "$long" "+1 555 555 0000"
expect_error 401 invalid_token "a token living longer than max_ttl"
click "$tok" "+1 555 555 0000" https://evil.example
expect_error 403 origin_not_allowed "another origin"
click "$tok" "+1 555 555 0000"
expect_error 403 origin_not_allowed "no Origin at all"
click "$tok" "+44 20 7946 0000" "$SHOP"
expect_error 403 destination_not_allowed "a number outside the prefixes"
code=$(curl -s -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "{\"token\":\"$tok\",\"to\":\"+15555550000\",\"from\":\"+1\"}" \
	"$URL/v1/click")
body=$(cat "$work/body")
expect_error 400 unknown_field "an unknown field"
ok "tampered, expired, long-lived tokens, wrong origins and numbers are refused"

# ---- the abuse policy, as for any create of the key ------------------------------
any=$(token --from +15555550100 --to +1)
click "$any" "+1 900 555 0000"
expect_error 403 destination_denied "a premium-rate number"
[ "$(field rule)" = premium_rate ] || fail "premium rate: rule: $body"
POLICY='destination_cooldown = 60'
conf 1000 1000 3600 >"$work/pintgw.conf"
unset POLICY
reload
click "$any" "+1 555 555 0001"
expect 201 "a first click to a number"
click "$any" "+1 555 555 0001"
expect_error 429 destination_limited "the same number again"
[ "$(field rule)" = destination_cooldown ] || fail "cooldown: rule: $body"
retry=$(header Retry-After)
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 60 ] ||
	fail "cooldown Retry-After '$retry'"
post '{"service":"call","to":"+1 555 555 0001","from":"+1 555 555 0100"}'
expect_error 429 destination_limited "the key's own create to the clicked number"
curl -s "$URL/metrics" >"$work/metrics"
for r in premium_rate:1 destination_cooldown:2; do
	grep -qx "pintgw_policy_refusals_total{rule=\"${r%%:*}\"} ${r#*:}" "$work/metrics" ||
		fail "policy refusals ${r%%:*}: $(grep policy_refusals "$work/metrics")"
done
grep -q '^pintgw_click_requests_total{result="refused_for_key"} 2$' "$work/metrics" ||
	fail "refused_for_key: $(grep click_requests "$work/metrics")"
conf 1000 1000 3600 >"$work/pintgw.conf"
reload
ok "the policy refuses clicks with its rules, counted, and counts their dials"

# ---- uses, across a restart -----------------------------------------------------
two=$(token --from +15555550100 --max-uses 2)
click "$two" "+1 555 555 0000"
expect 201 "first use"
click "$two" "+1 555 555 0000"
expect 201 "second use"
click "$two" "+1 555 555 0000"
expect_error 403 token_used_up "third use"
stop_pintgw TERM
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc"
start_pintgw
click "$two" "+1 555 555 0000"
expect_error 403 token_used_up "third use after a restart"
ok "a token's uses are limited, also after a restart"

# ---- the per-address limit, lowered by a reload -----------------------------------
conf 0.2 2 3600 >"$work/pintgw.conf"
reload
free=$(token --from +15555550100)
click "$free" "+1 555 555 0000"
expect 201 "first of the burst"
click "$free" "+1 555 555 0000"
expect 201 "second of the burst"
click "$free" "+1 555 555 0000"
expect_error 429 rate_limited "over the address's limit"
retry=$(header Retry-After)
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 5 ] ||
	fail "Retry-After '$retry'"
ok "the per-address limit answers 429 with Retry-After"

# ---- CORS ---------------------------------------------------------------------
preflight() {
	code=$(curl -s -o /dev/null -D "$work/hdrs" -w '%{http_code}' -X OPTIONS \
		-H "Origin: $2" -H 'Access-Control-Request-Method: POST' \
		-H 'Access-Control-Request-Headers: content-type' "$URL$1")
	hdrs=$(cat "$work/hdrs")
}
preflight /v1/click "$SHOP"
[ "$code" = 204 ] && [ "$(header Access-Control-Allow-Origin)" = "$SHOP" ] ||
	fail "preflight of a [click] origin: $code $hdrs"
preflight "/v1/click/$id/events" "$SHOP"
[ "$code" = 204 ] || fail "preflight of the events: $code"
preflight /v1/click https://evil.example
[ "$code" = 403 ] && [ -z "$(header Access-Control-Allow-Origin)" ] ||
	fail "preflight of another origin: $code $hdrs"
preflight /v1/requests "$SHOP"
[ "$code" = 403 ] || fail "a [click] origin on /v1/requests: $code"
ok "CORS preflights: [click] origins on /v1/click only"

# ---- metrics and the command line -----------------------------------------------
curl -s "$URL/metrics" >"$work/metrics"
grep -q '^pintgw_click_requests_total{result="accepted"} [1-9]' "$work/metrics" ||
	fail "no accepted clicks in /metrics"
grep -q '^pintgw_click_requests_total{result="token_used_up"} [1-9]' "$work/metrics" ||
	fail "no used-up clicks in /metrics"
"$PINTGW" -c "$work/pintgw.conf" token --key nobody >/dev/null 2>"$work/err" &&
	fail "token of an unknown key"
grep -q 'no \[key nobody\]' "$work/err" || fail "unknown key: $(cat "$work/err")"
IT_CLICK_SECRET= "$PINTGW" -c "$work/pintgw.conf" token --key shop \
	>/dev/null 2>"$work/err" && fail "token without a secret"
grep -q 'IT_CLICK_SECRET' "$work/err" || fail "no secret: $(cat "$work/err")"
"$PINTGW" -c "$work/pintgw.conf" token --key shop --to 44 >/dev/null 2>&1 &&
	fail "a prefix without +"
"$PINTGW" -c "$work/pintgw.conf" token >/dev/null 2>&1
[ $? = 2 ] || fail "token without --key: not a usage error"
ok "metrics count clicks; pintgw token explains its refusals"
