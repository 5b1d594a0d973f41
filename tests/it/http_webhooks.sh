#!/bin/sh
# tests/it/http_webhooks.sh — signed webhook deliveries end to end:
# pintgw + SIPp + tools/hookrecv on 127.0.0.1 ([webhooks] allow_private =
# 127.0.0.0/8). Receivers that answer 200, 500 then 200, hang past the
# timeout, close the connection, and one that is down across a pintgw
# restart: every event is delivered, in seq order per request, each
# signature checked by the receiver (docs/webhooks.md) with
# Pintgw-Event-Id present; GET /v1/requests/{id}/deliveries shows them.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/http_lib.sh"

RECV=$(dirname "$PINTGW")/tools/hookrecv
[ -x "$RECV" ] || RECV=$(pwd)/tools/hookrecv
[ -x "$RECV" ] || fail "no tools/hookrecv binary"
SECRET=whsec_it_0123456789
export IT_HOOK_SECRET="$SECRET"
recv_pid=""

start_recv() {
	: >"$work/recv.out"
	"$RECV" "$hook_port" "$SECRET" "$work/recv.log" \
		>>"$work/recv.out" 2>&1 &
	recv_pid=$!
	pids="$pids $recv_pid"
	n=0
	until grep -c LISTENING "$work/recv.log" 2>/dev/null |
		grep -q "^$1\$"; do
		n=$((n + 1))
		[ $n -lt 100 ] || fail "hookrecv did not start: $(cat "$work/recv.out")"
		sleep 0.05
	done
}

stop_recv() {
	kill "$recv_pid" 2>/dev/null
	wait "$recv_pid" 2>/dev/null
	recv_pid=""
}

# delivered PATH ID: the seqs of ID accepted at PATH, in arrival order.
delivered() {
	sed -n "s#^OK $1 $2:\\([0-9]*\\)\$#\\1#p" "$work/recv.log"
}

# check_request PATH ID: every event of ID accepted, in seq order.
check_request() {
	call GET "/v1/requests/$2"
	last=$(number last_seq)
	got=$(delivered "$1" "$2" | tr '\n' ' ')
	want=$(seq 1 "$last" | tr '\n' ' ')
	# at least once: a repeat is allowed, going back is not
	uniq=$(delivered "$1" "$2" | uniq | tr '\n' ' ')
	[ "$uniq" = "$want" ] ||
		fail "$1 $2: delivered '$got', wanted each of '$want' in order"
}

# wait_delivered PATH ID SECONDS: until every event of ID is accepted.
wait_delivered() {
	n=0
	while [ $n -lt $(( $3 * 10 )) ]; do
		call GET "/v1/requests/$2"
		last=$(number last_seq)
		if [ -n "$last" ] && [ "$(field status)" = completed ] &&
		   [ "$(delivered "$1" "$2" | sort -un | wc -l)" -ge "$last" ]; then
			return 0
		fi
		sleep 0.1
		n=$((n + 1))
	done
	fail "$1 $2: not every event delivered after $3 s: $(delivered "$1" "$2" | tr '\n' ' ')"
}

start_sipp answer http_answer.xml
GATEWAYS="answer:1"
hook_port=$(free_port) || fail "no free port"
write_conf "secret_env = IT_HOOK_SECRET

[key nosecret]
hash = $("$PINTGW" hash-key it-nosecret-0123456789abcdef01)
scopes = call read

[webhooks]
attempts = 20
base_delay = 1
max_delay = 1
timeout = 2
allow_private = 127.0.0.0/8"
start_recv 1
start_pintgw

create() {
	post '{"service":"call","to":"+1 555 555 0'"$2"'","from":"+1 555 555 0100","gateway":"answer","client_state":"cs-'"$2"'","webhook":{"url":"http://127.0.0.1:'"$hook_port$1"'","events":["*"]}}'
	expect 201 "create with a webhook to $1"
	field id
}

# ---- 200, 500 then 200, hang, close ----------------------------------------
ok_id=$(create /ok 501)
flaky_id=$(create /flaky 502)
hang_id=$(create /hang 503)
close_id=$(create /close 504)
wait_delivered /ok "$ok_id" 20
wait_delivered /flaky "$flaky_id" 30
wait_delivered /close "$close_id" 30
wait_delivered /hang "$hang_id" 60
for p in "/ok $ok_id" "/flaky $flaky_id" "/hang $hang_id" "/close $close_id"; do
	check_request $p
done
grep -q '^BAD' "$work/recv.log" && fail "refused deliveries: $(grep '^BAD' "$work/recv.log")"
grep -q "^ATTEMPT /ok $ok_id:1\$" "$work/recv.log" || fail "no Pintgw-Event-Id"
ok "200, 500-then-200, hanging and closing receivers: every event, in order, signed"

call GET "/v1/requests/$flaky_id/deliveries"
expect 200 "deliveries"
printf '%s' "$body" | grep -q '"state": *"delivered"' || fail "deliveries: $body"
printf '%s' "$body" | grep -q "\"event_id\": *\"$flaky_id:1\"" || fail "deliveries event_id: $body"
[ "$(number attempt)" = 2 ] || fail "flaky seq 1 took $(number attempt) attempts: $body"
AS=it-nosecret-0123456789abcdef01 call GET "/v1/requests/$flaky_id/deliveries"
expect_error 404 not_found "another key's deliveries"
ok "GET /v1/requests/{id}/deliveries"

# ---- a key without a secret --------------------------------------------------
AS=it-nosecret-0123456789abcdef01 post '{"service":"call","to":"+1 555 555 0505","from":"+1 555 555 0100","gateway":"answer","webhook":{"url":"http://127.0.0.1:'"$hook_port"'/ok"}}'
expect_error 422 webhook_secret_missing "create with a webhook by a key without a secret"
printf '%s' "$body" | grep -q '"field": *"webhook"' || fail "webhook_secret_missing field: $body"
AS=it-nosecret-0123456789abcdef01 call GET "/v1/requests?limit=5"
expect 200 "list of the key without a secret"
printf '%s' "$body" | grep -q '"id"' && fail "a refused create was stored: $body"
AS=it-nosecret-0123456789abcdef01 post '{"service":"call","to":"+1 555 555 0505","from":"+1 555 555 0100","gateway":"answer"}'
expect 201 "the same key without a webhook"
ok "a key without a secret: a create with a webhook is 422 webhook_secret_missing, without one 201"

# ---- the receiver down across a pintgw restart --------------------------------
stop_recv
down_id=$(create /ok 506)
wait_status "$down_id" completed 10
n=0
until call GET "/v1/requests/$down_id/deliveries" &&
      printf '%s' "$body" | grep -q '"state": *"retry"'; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "no retry while the receiver is down: $body"
	sleep 0.1
done
stop_pintgw TERM
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc"
start_recv 2
start_pintgw
wait_delivered /ok "$down_id" 30
check_request /ok "$down_id"
grep -q 'pending deliveries queued again' "$work/pintgw.log" ||
	fail "no recovery of pending deliveries"
ok "deliveries pending across a restart are delivered, in order"

call GET /metrics -H 'Authorization:'
printf '%s' "$body" | grep -q '^pintgw_webhook_deliveries_total{result="delivered"} [1-9]' ||
	fail "metrics: $(printf '%s' "$body" | grep webhook)"
printf '%s' "$body" | grep -q '^pintgw_webhook_queue_depth ' || fail "no queue depth metric"
ok "webhook metrics"
exit 0
