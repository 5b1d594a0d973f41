#!/bin/sh
# tests/it/http_policy.sh — the abuse policy on the wire (docs/policy.md):
# the built-in premium-rate list and [policy] deny refused with their
# rule, dry runs that show the decision and spend nothing, the
# per-destination cooldown and daily cap across keys (429 + Retry-After)
# and across a restart, quiet hours in the destination's time zone,
# refusals by rule in /metrics, a SIGHUP that changes the rules, and no
# INVITE at the gateway (SIPp's trace) for anything refused.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/http_lib.sh"

T2=it-other-token-0123456789abcdef
T3=it-slow-token-0123456789abcdef01

rule() {
	printf '%s' "$body" | sed -n 's/.*"rule": *"\([^"]*\)".*/\1/p'
}

# expect_refusal STATUS CODE RULE WHAT
expect_refusal() {
	expect_error "$1" "$2" "$4"
	[ "$(rule)" = "$3" ] || fail "$4: rule '$(rule)', wanted $3: $body"
}

# create TO: a call from the agent line to TO as key ${AS:-it}
create() {
	post '{"service":"call","to":"'"$1"'","from":"+1 555 555 0100","gateway":"answer"}'
}

dry() {
	call POST '/v1/requests?dry_run=1' -H 'Content-Type: application/json' \
		--data-binary '{"service":"call","to":"'"$1"'","from":"+1 555 555 0100","gateway":"answer"}'
	expect 200 "dry run to $1"
}

# decision DECISION RULE: the dry run's policy object says so
decision() {
	printf '%s' "$body" | grep -q "\"policy\": *{\"decision\": *\"$1\", *\"rule\": *$2" ||
		fail "dry run: wanted $1 $2: $body"
}

# Quiet hours 21:00-08:00: +4420 (London) gets the offset that makes it
# 23:xx there now, +4930 (Berlin) the one that makes it 12:xx.
h=$(date -u +%H)
h=${h#0}
q=$((23 - h))
[ $q -gt 14 ] && q=$((q - 24))
d=$((12 - h))
signed() {
	if [ "$1" -ge 0 ]; then echo "+$1"; else echo "$1"; fi
}

start_sipp answer http_answer.xml
GATEWAYS="answer:1"
POLICY="destination_cooldown = 3
destination_daily_cap = 3
deny = +33612
quiet_hours = 21:00-08:00
tz = +4420:$(signed $q) +4930:$(signed $d)"
write_conf "
[key other]
hash = $("$PINTGW" hash-key $T2)
scopes = call read

[key slow]
hash = $("$PINTGW" hash-key $T3)
scopes = call read
rate = 1
burst = 1"
"$PINTGW" -c "$work/pintgw.conf" --check-config | grep -qx ok ||
	fail "--check-config of the generated file"
start_pintgw
n=0
until call GET /readyz && [ "$code" = 200 ]; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "readyz never 200: $body"
	sleep 0.05
done

# ---- numbers that are never dialled ------------------------------------------
create "+1 900 555 0100"
expect_refusal 403 destination_denied premium_rate "a NANP 900 number"
printf '%s' "$body" | grep -q '"field": *"to"' || fail "premium: field: $body"
printf '%s' "$body" | grep -q 'premium-rate range +1900 (built-in deny list' ||
	fail "premium: message: $body"
create "+44 70 0012 3456"
expect_refusal 403 destination_denied premium_rate "a UK 070 number"
create "+33 6 12 34 56 78"
expect_refusal 403 destination_denied global_deny "a [policy] deny prefix"
post '{"service":"call","to":"+1 555 555 0200","from":"+1 900 555 0101","gateway":"answer"}'
expect_refusal 403 destination_denied premium_rate "a premium A party"
printf '%s' "$body" | grep -q '"field": *"from"' || fail "premium from: $body"
ok "403 destination_denied: premium_rate (to, from) and global_deny, with their rule"

# ---- dry runs show the decision and spend nothing ------------------------------
for i in 1 2 3 4 5; do
	dry "+1 555 555 0300"
	decision allow null
done
for i in 1 2 3; do
	AS=$T3 dry "+1 555 555 0300"
	decision allow null
done
AS=$T3 create "+1 555 555 0300"
expect 201 "a create after dry runs: no token, cooldown or cap was spent"
dry_id=$(field id)
AS=$T3 dry "+1 555 555 0301"
decision refuse '"rate_limit"'
printf '%s' "$body" | grep -q '"retry_after": *[1-9]' || fail "dry run retry_after: $body"
dry "+1 555 555 0300"
decision refuse '"destination_cooldown"'
printf '%s' "$body" | grep -q '"status": *429' || fail "dry run status: $body"
dry "+1 900 555 0100"
decision refuse '"premium_rate"'
printf '%s' "$body" | grep -q '"sip": *null' || fail "a refused dry run built an INVITE: $body"
printf '%s' "$body" | grep -q '"allowed": *false' || fail "dry run allowed: $body"
ok "dry run: the decision with its rule; dry runs take no token, cooldown or cap"

# ---- the same number, whatever the key --------------------------------------------
N="+1 555 555 0400"
create "$N"
expect 201 "first call to $N"
n1=$(field id)
AS=$T2 create "$N"
expect_refusal 429 destination_limited destination_cooldown "another key, within the cooldown"
ra=$(header Retry-After)
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 3 ] || fail "cooldown Retry-After: '$ra'"
sleep 3.1
AS=$T2 create "$N"
expect 201 "second call, after the cooldown, another key"
n2=$(field id)
sleep 3.1
create "$N"
expect 201 "third call"
n3=$(field id)
sleep 3.1
create "$N"
expect_refusal 429 destination_limited destination_daily_cap "past the daily cap"
ra=$(header Retry-After)
[ -n "$ra" ] && [ "$ra" -gt 82000 ] && [ "$ra" -le 90000 ] ||
	fail "daily cap Retry-After: '$ra'"
printf '%s' "$body" | grep -q 'dialled 3 times in 24 h' || fail "daily cap message: $body"
ok "429 destination_limited: cooldown, then the daily cap, across keys, with Retry-After"

# ---- quiet hours at the destination -------------------------------------------------
create "+44 20 7946 0000"
expect_refusal 429 quiet_hours quiet_hours "23:xx in London's configured zone"
ra=$(header Retry-After)
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 32400 ] || fail "quiet Retry-After: '$ra'"
create "+49 30 1234 5678"
expect 201 "12:xx in Berlin's configured zone"
b1=$(field id)
create "+1 555 555 0500"
expect 201 "a number without a tz entry"
u1=$(field id)
post '{"service":"call","to":"+44 20 7946 0001","from":"+1 555 555 0100","gateway":"answer","start_at":"'$(at_in 36000)'"}'
expect 201 "scheduled out of the quiet hours: judged at its start"
s1=$(field id)
call DELETE "/v1/requests/$s1"
expect 200 "cancel the scheduled call"
ok "429 quiet_hours by the destination's offset; a scheduled request is judged at start_at"

# ---- /metrics ---------------------------------------------------------------------
for id in "$n1" "$n3" "$b1" "$u1"; do
	wait_status "$id" completed 10
done
AS=$T2 wait_status "$n2" completed 10
AS=$T3 wait_status "$dry_id" completed 10
unset AS
call GET /metrics
for r in premium_rate:3 global_deny:1 destination_cooldown:1 \
	 destination_daily_cap:1 quiet_hours:1 rate_limit:0 key_deny:0; do
	printf '%s\n' "$body" | grep -qx "pintgw_policy_refusals_total{rule=\"${r%%:*}\"} ${r#*:}" ||
		fail "metrics $r: $(printf '%s\n' "$body" | grep policy_refusals)"
done
printf '%s\n' "$body" | grep -q '^pintgw_policy_destinations [1-9]' ||
	fail "metrics: destinations"
ok "pintgw_policy_refusals_total by rule (dry runs not counted)"

# ---- a restart keeps the daily cap ----------------------------------------------------
stop_pintgw TERM
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc"
start_pintgw
create "$N"
expect_refusal 429 destination_limited destination_daily_cap "the cap after a restart"
AS=$T2 create "$N"
expect_refusal 429 destination_limited destination_daily_cap "the cap after a restart, another key"
create "+1 555 555 0401"
expect 201 "another number after the restart"
r1=$(field id)
ok "the daily cap survives a restart (seeded from the store)"

# ---- SIGHUP changes the rules ----------------------------------------------------------
sed -i 's/^destination_daily_cap = 3$/destination_daily_cap = 0/;
	s/^deny = +33612$/deny = +33612 +1555555049/' "$work/pintgw.conf"
before=$(grep -c 'config: reloaded' "$work/pintgw.log")
kill -HUP "$gw_pid"
n=0
until [ "$(grep -c 'config: reloaded' "$work/pintgw.log")" -gt "$before" ]; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "no reload"
	sleep 0.05
done
create "$N"
expect 201 "the cap turned off by a reload"
n4=$(field id)
create "+1 555 555 0490"
expect_refusal 403 destination_denied global_deny "a prefix denied by a reload"
ok "SIGHUP: [policy] applies at once"

# ---- refused requests never reach the gateway ---------------------------------------------
for id in "$r1" "$n4"; do
	wait_status "$id" completed 10
done
dialled=$(invites "$work/answer.msg")
for num in +19005550100 +447000123456 +33612345678 +15555550200 \
	   +442079460000 +442079460001 +15555550490 +15555550301; do
	printf '%s\n' "$dialled" | grep -q "^$num " && fail "$num was dialled"
	tr -d '-' <"$work/answer.msg" | grep -q "${num#+}" &&
		fail "$num is in the gateway's trace"
done
[ "$(printf '%s\n' "$dialled" | grep -c '^+15555550400 ')" = 4 ] ||
	fail "$N: $(printf '%s\n' "$dialled" | grep -c '^+15555550400 ') INVITEs, wanted 4"
[ "$(printf '%s\n' "$dialled" | grep -c '^+15555550300 ')" = 1 ] ||
	fail "+15555550300: dry runs sent INVITEs"
ok "no INVITE for any refused request; one per accepted one"

stop_pintgw TERM
[ "$rc" = 0 ] || fail "SIGTERM exit status $rc"
exit 0
