#!/bin/sh
# 20 % loss (SIPp -lost 20; tests/sipp/loss.xml says which messages): 20
# calls that the gateway answers and ends with BYE, 10 that it answers
# 486, in parallel from two pintcall processes. Every call must reach its
# own terminal state (completed/ok, failed/busy) exactly once;
# retransmissions recover the lost messages.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

sipp_start gw loss.xml -m 30 -lost 20 -max_retrans 12 -timeout 60s \
	-timeout_error
common="--gateway udp:127.0.0.1:$gw_port --from +15555550100 --no-track
	--linger 60000 --timeout 60"
pintcall_bg ok $common --to +15555550101 --count 20 --rate 20
pintcall_bg busy $common --to +15555550186 --count 10 --rate 10
sipp_ok gw
# SIPp is done with every call: nothing more will come
kill -TERM "$ok_pid" "$busy_pid"
wait "$ok_pid" || it_fail "pintcall (answered calls) exited $?"
wait "$busy_pid" || it_fail "pintcall (busy calls) exited $?"

one_terminal_each ok
one_terminal_each busy
expect "answered calls" "$(jqs ok '.[] | select(.summary) | [.terminal, .duplicates, .status.completed, .outcome.ok] | join(",")')" '"20,0,20,20"'
expect "busy calls" "$(jqs busy '.[] | select(.summary) | [.terminal, .duplicates, .status.failed, .outcome.busy] | join(",")')" '"10,0,10,10"'
for f in ok busy; do
	it_log "$f: $(jqs $f '.[] | select(.summary) | "elapsed \(.elapsed_ms) ms, INVITEs \(.sip.invites_sent), retransmissions sent \(.sip.retransmits_sent), absorbed \(.sip.retransmits_absorbed), strays \(.sip.strays), datagrams in/out \(.sip.udp_in)/\(.sip.udp_out)"' | tr -d '"')"
done
it_log "sipp: $(grep -E '^ +(<-+|-+>) ' "$WORK/gw.screen" | tail -n 12 | tr -s ' ' | tr '\n' ';')"
it_pass
