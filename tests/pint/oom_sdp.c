/*
 * tests/pint/oom_sdp.c — allocation-failure scenarios for pint/sdp.
 *
 * The parser allocates nothing; the emitter allocates only through the
 * caller's pint_mbuf, so these scenarios fail its first and later growths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/oom.h"
#include "pint/mbuf.h"
#include "pint/sdp.h"

static const char r2hc[] =
	"v=0\r\n"
	"o=- 3004 3004 IN IP4 192.0.2.10\r\n"
	"s=R2HC\r\n"
	"e=news@example.com\r\n"
	"c=TN RFC2543 +1-555-555-0188\r\n"
	"t=0 0\r\n"
	"a=require:phone-context\r\n"
	"a=phone-context:+1\r\n"
	"m=text 1 voice plain\r\n"
	"a=fmtp:plain spr:greeting-1@gw.example.com\r\n"
	"m=text 1 voice plain\r\n"
	"a=fmtp:plain uri:https://www.example.com/alerts/today.txt\r\n";

/* Decode a request, encode it, take the text: what a SUBSCRIBE does. */
static int decode_encode(void)
{
	struct pint_sdp sdp;
	struct pint_mbuf mb;
	char *s = NULL;
	int err;

	pint_mbuf_init(&mb, 0);
	err = pint_sdp_decode(&sdp, r2hc, sizeof(r2hc) - 1);
	if (err)
		goto out;
	err = pint_sdp_encode(&mb, &sdp);
	if (err)
		goto out;
	s = pint_mbuf_steal(&mb);
	if (!s) {
		err = ENOMEM;
		goto out;
	}
	if (strcmp(s, r2hc) != 0)
		err = EPROTO;

out:
	free(s);
	pint_mbuf_reset(&mb);
	return err;
}

/*
 * Build a large R2F by hand and encode it twice into one buffer, so that
 * failures hit the first allocation and several reallocations, both into
 * an empty buffer and behind text already there.
 */
static int build_encode_twice(void)
{
	static const char *const urls[] = {
		"https://docs.example.com/a-rather-long-path/to/the/quote/q-4711.tif",
		"https://docs.example.com/a-rather-long-path/to/the/quote/q-4711.pdf",
	};
	struct pint_sdp sdp;
	struct pint_sdp_media *m;
	struct pint_mbuf mb;
	size_t i;
	int err;

	pint_sdp_init(&sdp);
	pint_mbuf_init(&mb, 0);
	sdp.origin.user = pint_pl_str("-");
	sdp.origin.sess_id = pint_pl_str("7100332211009988");
	sdp.origin.sess_version = pint_pl_str("7100332211009988");
	sdp.origin.nettype = pint_pl_str("IN");
	sdp.origin.addrtype = pint_pl_str("IP4");
	sdp.origin.addr = pint_pl_str("192.0.2.10");
	sdp.name = pint_pl_str("R2F");
	sdp.email[sdp.nemail++] = pint_pl_str("sales@example.com");
	sdp.conn.nettype = pint_pl_str("TN");
	sdp.conn.addrtype = pint_pl_str("RFC2543");
	sdp.conn.addr = pint_pl_str("+44-20-5555-0177");
	for (i = 0; i < PINT_SDP_MAX_MEDIA; i++) {
		err = pint_sdp_media_add(&sdp, &m);
		if (err)
			goto out;
		m->type = PINT_SDP_MEDIA_IMAGE;
		m->port = 1;
		m->proto = PINT_SDP_PROTO_FAX;
		m->fmt[m->nfmt++] = pint_pl_str("tiff");
		m->fmtp[0].res[0].kind = PINT_SDP_RES_URI;
		m->fmtp[0].res[0].value = pint_pl_str(urls[i % 2]);
		m->fmtp[0].res[1].kind = PINT_SDP_RES_OPR;
		m->fmtp[0].res[1].value = pint_pl_str("");
		m->fmtp[0].nres = 2;
	}

	err = pint_sdp_encode(&mb, &sdp);
	if (!err)
		err = pint_sdp_encode(&mb, &sdp);

out:
	pint_mbuf_reset(&mb);
	return err;
}

const struct oom_case oom_cases_sdp[] = {
	{"sdp_decode_encode", decode_encode},
	{"sdp_build_encode_twice", build_encode_twice},
	{NULL, NULL},
};
