#!/bin/sh
# Digest at tools/pintsim (--auth): INVITE and SUBSCRIBE are challenged
# with 401 (MD5, qop=auth, a fresh nonce each time); pintgw answers once
# with the same Call-ID and CSeq + 1, and the service runs. A wrong
# password is challenged again: failed/auth_failed, counted at the
# simulator.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/sim_lib.sh"
sim_init

sim_start gw --speed 20 --auth alice:s3cret
call good 0000 gw --user alice --password s3cret
call bad 0000 gw --user alice --password wrong --no-track
sim_stop gw

one_terminal_each good
expect "good" "$(statuses good 1)" "sending,proceeding,accepted,active,completed"
expect "auth retries" "$(jqs good '.[] | select(.summary) | .sip.auth_retries')" 1
one_terminal_each bad
expect "bad" "$(final bad)" "failed/auth_failed"
expect "bad code" "$(jqs bad '[.[] | select(.status == "failed")][0].sip_code')" 401

chal=$(sim_trace gw '[.[] | select(.first | test("^SIP/2.0 401")) | .text | capture("WWW-Authenticate: (?<v>[^\r]*)").v]')
printf '%s\n' "$chal" | jq -e 'all(test("^Digest realm=\"pintsim\", nonce=\"[0-9a-f]{32}\", algorithm=MD5, qop=\"auth\""))' >/dev/null ||
	it_fail "challenges: $chal"
expect "fresh nonces" "$(printf '%s\n' "$chal" | jq '[.[] | capture("nonce=\"(?<n>[^\"]*)").n] | (unique | length) == length')" true
authed=$(sim_trace gw '[.[] | select(.dir == "in" and (.first | test("^INVITE ")) and (.text | test("Authorization: Digest username=\"alice\"")))] | length')
expect "INVITEs with credentials" "$authed" 2
expect "auth failures" "$(sim_stat gw auth_failures)" 1
expect "sessions" "$(sim_stat gw sessions)" 1
it_pass
