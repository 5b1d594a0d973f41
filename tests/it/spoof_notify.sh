#!/bin/sh
# Forged NOTIFYs for a live subscription get no status change: one from
# another source address (127.0.0.2) with the right Call-ID and tags is
# refused 403, ones with a wrong tag or Call-ID from the gateway's own
# address (ours, the gateway's) 481; the real NOTIFY afterwards (CSeq 1, below the forged
# CSeqs) is still accepted. PINT-PROFILE "Status monitoring".
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

start=$(($(ntp_now) - 5))
sipp_start gw spoof_notify.xml -m 2 -timeout 15s -timeout_error \
	-key ntp_start "$start"
pintcall_bg pc --gateway "udp:127.0.0.1:$gw_port" --to +15555550199 \
	--from +15555550100 --timeout 10

# wait for SIPp's 200 to the SUBSCRIBE: the dialog to forge into
n=0
until grep -q '^CSeq: 1 SUBSCRIBE' "$WORK/gw.msg" 2>/dev/null &&
	[ "$(grep -c '^CSeq: 1 SUBSCRIBE' "$WORK/gw.msg")" -ge 2 ]; do
	n=$((n + 1))
	[ $n -lt 100 ] || it_fail "no SUBSCRIBE seen by the gateway"
	sleep 0.02
done
sub=$WORK/sub.txt
sipp_blocks gw '^SUBSCRIBE ' | tr -d '\r' >"$sub"
cid=$(sed -n 's/^Call-ID: *//p' "$sub")
to=$(sed -n 's/^From: *//p' "$sub")
ruri=$(sed -n 's/^Contact: *<\([^>]*\)>.*/\1/p' "$sub")
pport=$(echo "$ruri" | sed 's/.*:\([0-9]*\)$/\1/')
gtag=$(tr -d '\r' <"$WORK/gw.msg" | awk '
	/^UDP message sent/ { s = 1; next }
	/^-+ [0-9]+-/ { s = 0; next }
	s && /^To:.*tag=/ { t = $0 } s && /^CSeq: 1 SUBSCRIBE/ { print t; exit }' |
	sed 's/.*;tag=//')
[ -n "$cid" ] && [ -n "$to" ] && [ -n "$gtag" ] && [ -n "$pport" ] ||
	it_fail "could not read the subscription's identity"
oline=$(grep '^o=' "$sub")

# forge SRC CSEQ CALLID FROMTAG TO: send a NOTIFY, print the answer's code
forge() {
	body=$(printf 'v=0\r\n%s\r\ns=R2C\r\ni=spoofed\r\nc=TN RFC2543 +1-5555550199\r\nt=%s 0\r\nm=audio 1 voice -\r\n' "$oline" "$start")
	printf 'NOTIFY %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5999;branch=z9hG4bKforged%s;rport\r\nFrom: <sip:R2C@127.0.0.1:%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s NOTIFY\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: %s\r\n\r\n%s' \
		"$ruri" "$1" "$2" "$gw_port" "$4" "$5" "$3" "$2" \
		"$(printf '%s' "$body" | wc -c)" "$body" >"$WORK/forged$2.sip"
	perl -MIO::Socket::INET -e '
		my ($src, $port, $file) = @ARGV;
		my $s = IO::Socket::INET->new(LocalAddr => $src, Proto => "udp",
			PeerAddr => "127.0.0.1", PeerPort => $port) or die "socket: $!";
		open(my $f, "<", $file) or die; binmode $f; local $/; my $m = <$f>;
		$s->send($m) or die "send: $!";
		my $buf = "";
		eval { local $SIG{ALRM} = sub { die "t\n" }; alarm 2;
			$s->recv($buf, 65535); alarm 0; };
		print $buf =~ m{^SIP/2\.0 (\d{3}) } ? "$1\n" : "none\n";' \
		"$1" "$pport" "$WORK/forged$2.sip"
}

expect "forged from 127.0.0.2" "$(forge 127.0.0.2 100 "$cid" "$gtag" "$to")" 403
expect "forged with our tag wrong" "$(forge 127.0.0.1 101 "$cid" "$gtag" "$(echo "$to" | sed 's/tag=.*/tag=nosuchtag/')")" 481
expect "forged with Call-ID wrong" "$(forge 127.0.0.1 102 "x$cid" "$gtag" "$to")" 481
expect "forged with its tag wrong" "$(forge 127.0.0.1 103 "$cid" othertag "$to")" 481

wait "$pc_pid" || it_fail "pintcall exited $?"
sipp_ok gw
expect "statuses" "$(statuses pc 1)" "sending,proceeding,accepted,active,completed"
one_terminal_each pc
expect "forged events" "$(jqs pc '[.[] | select(.info == "spoofed")] | length')" 0
expect "legit NOTIFY" "$(jqs pc '[.[] | select(.status == "active")][0].info')" '"legit"'
expect "refused" "$(jqs pc '.[] | select(.summary) | [.sip.refused_403, .sip.refused_481, .sip.notify_accepted] | join(",")')" '"1,3,1"'
it_pass
