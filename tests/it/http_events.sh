#!/bin/sh
# tests/it/http_events.sh — status as clients follow it: a request's
# events as JSON, the long-poll (woken by an event, or answered at its
# deadline), server-sent events live and resumed with Last-Event-ID,
# closed after the terminal event.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/http_lib.sh"

start_sipp answer http_answer.xml
GATEWAYS="answer:1"
write_conf
start_pintgw

# A request that starts in 2 s: queued (seq 1) until then.
post '{"service":"call","to":"+1 555 555 0201","from":"+1 555 555 0100","start_at":"'$(at_in 2)'"}'
expect 201 create
id=$(field id)
[ "$(number last_seq)" = 1 ] || fail "last_seq of a new request: $body"

# live SSE from the start, in the background
curl -s -N -m 15 -H "Authorization: Bearer $TOKEN" \
	-H 'Accept: text/event-stream' "$URL/v1/requests/$id/events" \
	>"$work/sse-live" 2>&1 &
sse=$!

# long-poll: nothing new now; woken by "sending" about 2 s later
t0=$(now_ms)
call GET "/v1/requests/$id?wait=20&after=1"
t1=$(now_ms)
expect 200 "long-poll"
[ "$(number last_seq)" -gt 1 ] || fail "long-poll answered without news: $body"
[ "$(field status)" != queued ] || fail "long-poll: still queued"
el=$((t1 - t0))
[ $el -ge 300 ] && [ $el -lt 8000 ] || fail "long-poll took $el ms"
ok "long-poll woken by the next event after $el ms"

wait_status "$id" completed 10
last=$(number last_seq)
[ "$last" -ge 5 ] || fail "events of a completed call: $body"

# deadlines: an ended request answers at once; a queued one at its wait
t0=$(now_ms)
call GET "/v1/requests/$id?wait=30&after=$last"
el=$(( $(now_ms) - t0 ))
expect 200 "long-poll on an ended request"
[ $el -lt 2000 ] || fail "long-poll on an ended request waited $el ms"
post '{"service":"call","to":"+1 555 555 0202","from":"+1 555 555 0100","start_at":"'$(at_in 3600)'"}'
later=$(field id)
t0=$(now_ms)
call GET "/v1/requests/$later?wait=1"
el=$(( $(now_ms) - t0 ))
expect 200 "long-poll timeout"
[ "$(field status)" = queued ] || fail "timeout answer: $body"
[ $el -ge 900 ] && [ $el -lt 4000 ] || fail "wait=1 took $el ms"
call GET "/v1/requests/$later?wait=0&after=0"
expect 200 "wait=0"
ok "long-poll: at once for an ended request, at the deadline with no news"

# the live stream: every event once, in order, and the stream ends itself
n=0
while kill -0 "$sse" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "the SSE stream did not close after the end"
	sleep 0.1
done
ids=$(sed -n 's/^id: //p' "$work/sse-live" | tr -d '\r' | tr '\n' ' ')
want=$(seq 1 "$last" | tr '\n' ' ')
[ "$ids" = "$want" ] || fail "SSE ids '$ids', wanted '$want'"
grep -q '^event: queued' "$work/sse-live" || fail "SSE event names"
grep -q '^event: completed' "$work/sse-live" || fail "SSE terminal event"
grep -q '^data: {"seq":1,' "$work/sse-live" || fail "SSE data: $(cat "$work/sse-live")"
ok "SSE: events 1..$last live, id = seq, event = status, closed after the end"

# resume: Last-Event-ID wins over ?after; nothing before it again
curl -s -N -m 5 -H "Authorization: Bearer $TOKEN" -H 'Accept: text/event-stream' \
	-H 'Last-Event-ID: 3' "$URL/v1/requests/$id/events?after=1" >"$work/sse-resume"
ids=$(sed -n 's/^id: //p' "$work/sse-resume" | tr -d '\r' | tr '\n' ' ')
want=$(seq 4 "$last" | tr '\n' ' ')
[ "$ids" = "$want" ] || fail "resumed SSE ids '$ids', wanted '$want'"
curl -s -N -m 5 -H "Authorization: Bearer $TOKEN" -H 'Accept: text/event-stream' \
	"$URL/v1/requests/$id/events?after=$last" >"$work/sse-none"
[ -z "$(sed -n 's/^id: //p' "$work/sse-none")" ] || fail "SSE past the end"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "Authorization: Bearer $TOKEN" \
	-H 'Accept: text/event-stream' -H 'Last-Event-ID: x1' "$URL/v1/requests/$id/events")
[ "$code" = 400 ] || fail "a bad Last-Event-ID: $code"
ok "SSE resumes after Last-Event-ID"

# a stream that waits: heartbeats, then the live events of a new request
post '{"service":"call","to":"+1 555 555 0203","from":"+1 555 555 0100","start_at":"'$(at_in 3)'"}'
id3=$(field id)
curl -s -N -m 15 -H "Authorization: Bearer $TOKEN" -H 'Accept: text/event-stream' \
	-H 'Last-Event-ID: 1' "$URL/v1/requests/$id3/events" >"$work/sse-wait" &
sse=$!
n=0
while kill -0 "$sse" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 120 ] || fail "the waiting stream did not end"
	sleep 0.1
done
grep -q '^:' "$work/sse-wait" || fail "no heartbeat comment in 2 s (sse_heartbeat = 1)"
ids=$(sed -n 's/^id: //p' "$work/sse-wait" | tr -d '\r' | head -n 1)
[ "$ids" = 2 ] || fail "waiting stream: first id '$ids'"
grep -q '^event: completed' "$work/sse-wait" || fail "waiting stream end"
ok "SSE: heartbeat comments while idle, live events, end"

# the JSON list
call GET "/v1/requests/$id/events"
expect 200 "events list"
[ "$(printf '%s' "$body" | grep -o '"seq": *[0-9]*' | wc -l)" = "$last" ] ||
	fail "events list: $body"
call GET "/v1/requests/$id/events?after=4"
[ "$(number seq)" = 5 ] || fail "events after 4: $body"
call GET "/v1/requests/$id/events?since=4"
expect_error 400 unknown_parameter "events parameter"
ok "events as JSON, ?after"

stop_pintgw TERM
[ "$rc" = 0 ] || fail "SIGTERM: exit status $rc"
exit 0
