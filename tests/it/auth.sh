#!/bin/sh
# Digest challenges (digest §9 T23): 401 + WWW-Authenticate, then 407 +
# Proxy-Authenticate. pintgw ACKs the challenge and sends the INVITE again
# with the same Call-ID, CSeq + 1 and a Digest response (MD5, qop=auth),
# which this script recomputes from the trace; SIPp verifies the 401 one
# too (verifyauth). Then 200, ACK, BYE from the gateway: completed.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/it/lib.sh"
it_init

md5() {
	printf '%s' "$1" | md5sum | cut -d' ' -f1
}

# param NAME HEADER-VALUE: a digest parameter, quotes removed
param() {
	printf '%s\n' "$2" | tr ',' '\n' | sed -n "s/^ *\(Digest \)\{0,1\}$1=\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\2/p"
}

for kind in 401 407; do
	hdr=Authorization
	[ $kind = 407 ] && hdr=Proxy-Authorization
	sipp_start gw$kind auth_$kind.xml -m 1 -timeout 15s -timeout_error
	eval "port=\$gw${kind}_port"
	pintcall_run pc$kind --gateway "udp:127.0.0.1:$port" --to +15555550199 \
		--from +15555550100 --user pintgw --password secret --no-track \
		--timeout 10 || it_fail "$kind: pintcall exited $?"
	sipp_ok gw$kind

	expect "$kind statuses" "$(statuses pc$kind 1)" "sending,accepted,completed"
	one_terminal_each pc$kind
	expect "$kind INVITEs" "$(sipp_received gw$kind '^INVITE ' | wc -l)" 2
	cids=$(sipp_blocks gw$kind '^INVITE ' | grep -i '^Call-ID:' | sort -u | wc -l)
	expect "$kind Call-IDs of the two INVITEs" "$cids" 1
	cseqs=$(sipp_blocks gw$kind '^INVITE ' | grep -i '^CSeq:' | tr -d '\r' | tr '\n' ' ')
	expect "$kind CSeqs" "$cseqs" "CSeq: 1 INVITE CSeq: 2 INVITE "
	basic=$(sipp_blocks gw$kind '^INVITE ' | grep -ci 'Authorization: *Basic')
	expect "$kind Basic credentials" "$basic" 0

	# the Digest response, recomputed (RFC 2617 §3.2.2, qop=auth)
	v=$(sipp_blocks gw$kind '^INVITE ' | grep "^$hdr:" | tr -d '\r' | sed "s/^$hdr: *//")
	[ -n "$v" ] || it_fail "$kind: no $hdr header"
	user=$(param username "$v")
	realm=$(param realm "$v")
	nonce=$(param nonce "$v")
	uri=$(param uri "$v")
	nc=$(param nc "$v")
	cnonce=$(param cnonce "$v")
	qop=$(param qop "$v")
	resp=$(param response "$v")
	expect "$kind username" "$user" pintgw
	expect "$kind realm" "$realm" pint.test
	expect "$kind nonce" "$nonce" dcd98b7102dd2f0e8b11d0f600bfb0c093
	expect "$kind qop" "$qop" auth
	[ -n "$cnonce" ] && [ -n "$nc" ] || it_fail "$kind: cnonce or nc missing"
	ruri=$(sipp_blocks gw$kind '^INVITE ' | sed -n '1p' | cut -d' ' -f2)
	expect "$kind digest uri" "$uri" "$ruri"
	ha1=$(md5 "pintgw:pint.test:secret")
	ha2=$(md5 "INVITE:$uri")
	expect "$kind digest response" "$resp" "$(md5 "$ha1:$nonce:$nc:$cnonce:$qop:$ha2")"
done
it_pass
