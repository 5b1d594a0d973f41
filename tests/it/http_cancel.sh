#!/bin/sh
# tests/it/http_cancel.sh — DELETE /v1/requests/{id} in each state
# (API.md "Cancel"): queued (at once), proceeding (SIP CANCEL to a gateway
# that holds at 180), accepted (BYE), a gateway that cannot abort (606:
# 409 cannot_abort, the request unchanged), an ended request (409
# already_final), and 404s.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/http_lib.sh"

start_sipp ring http_ring.xml
start_sipp hold http_hold.xml
start_sipp noabort http_noabort.xml
GATEWAYS="ring:0 hold:0 noabort:0"
write_conf "
[key other]
hash = $("$PINTGW" hash-key it-other-token-0123456789abcdef)
scopes = call read cancel"
start_pintgw

# queued, start_at in the future: canceled at once, never sent
post '{"service":"call","to":"+1 555 555 0301","from":"+1 555 555 0100","gateway":"ring","start_at":"'$(at_in 3600)'"}'
expect 201 "create queued"
id=$(field id)
call DELETE "/v1/requests/$id"
expect 200 "cancel queued"
[ "$(field status)" = canceled ] || fail "cancel queued: $body"
[ "$(field code)" = canceled ] || fail "outcome of a cancel: $body"
call DELETE "/v1/requests/$id"
expect_error 409 already_final "cancel twice"
grep -q '5550301' "$work/ring.msg" 2>/dev/null && fail "a canceled queued request was sent"
ok "queued: canceled at once, never sent; again: 409 already_final"

# proceeding: the gateway rings until it gets the CANCEL
post '{"service":"call","to":"+1 555 555 0302","from":"+1 555 555 0100","gateway":"ring"}'
expect 201 "create ringing"
id=$(field id)
wait_status "$id" proceeding 5
call DELETE "/v1/requests/$id"
expect 200 "cancel proceeding"
[ "$(field status)" = canceled ] || fail "cancel proceeding: $body"
grep -q '^CANCEL sip:' "$work/ring.msg" || fail "no SIP CANCEL sent"
ok "proceeding: SIP CANCEL, 200 canceled"

# accepted: BYE in the INVITE dialog
post '{"service":"call","to":"+1 555 555 0303","from":"+1 555 555 0100","gateway":"hold"}'
expect 201 "create held"
id=$(field id)
wait_status "$id" accepted 5
call DELETE "/v1/requests/$id"
expect 200 "cancel accepted"
[ "$(field status)" = canceled ] || fail "cancel accepted: $body"
grep -q '^BYE sip:' "$work/hold.msg" || fail "no BYE sent"
call DELETE "/v1/requests/$id"
expect_error 409 already_final "cancel an ended request"
ok "accepted: BYE, 200 canceled; again: 409 already_final"

# a gateway that cannot stop the service: 606 to the BYE
post '{"service":"call","to":"+1 555 555 0304","from":"+1 555 555 0100","gateway":"noabort"}'
expect 201 "create unstoppable"
id=$(field id)
wait_status "$id" accepted 5
call DELETE "/v1/requests/$id"
expect_error 409 cannot_abort "606 to the BYE"
printf '%s' "$body" | grep -q 'cannot be stopped' || fail "the gateway's info: $body"
call GET "/v1/requests/$id"
[ "$(field status)" = accepted ] || fail "after cannot_abort: $body"
wait_status "$id" completed 10
ok "606 to the BYE: 409 cannot_abort with the gateway's text, request unchanged"

call DELETE /v1/requests/rq_doesnotexist0000000
expect_error 404 not_found "cancel unknown"
post '{"service":"call","to":"+1 555 555 0305","from":"+1 555 555 0100","start_at":"'$(at_in 3600)'"}'
id=$(field id)
AS=it-other-token-0123456789abcdef call DELETE "/v1/requests/$id"
expect_error 404 not_found "cancel another key's request"
call DELETE "/v1/requests/$id?force=1"
expect_error 400 unknown_parameter "DELETE with a parameter"
call GET "/v1/requests/$id"
[ "$(field status)" = queued ] || fail "a refused cancel changed it: $body"
ok "404 for unknown and another key's requests"

stop_pintgw TERM
[ "$rc" = 0 ] || fail "SIGTERM: exit status $rc"
exit 0
