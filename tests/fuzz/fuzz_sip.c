/*
 * tests/fuzz/fuzz_sip.c — pint_sip_parse, its round trip through
 * pint_sip_to_str, the getters, TCP framing, the raw 400 builder, the
 * response builder, and the multipart and Warning parsers.
 *
 * Aborts when a message we accepted does not survive print + parse with
 * the same fields, when framing reports a frame outside the input, or when
 * a strictly encoded multipart body does not decode to the same parts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pint/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_pl(const struct pint_pl *a, const struct pint_pl *b)
{
	if (!a->p != !b->p || a->l != b->l ||
	    (a->l && memcmp(a->p, b->p, a->l) != 0))
		abort();
}

static void same_str(const char *a, const char *b)
{
	if (!a != !b || (a && strcmp(a, b) != 0))
		abort();
}

static void getters(const osip_message_t *m)
{
	struct pint_sip_warning w[8];
	struct pint_sip_via via;
	struct pint_sip_part part;
	struct pint_pl pl;
	char bnd[PINT_SIP_MAX_BOUNDARY + 1];
	uint32_t v;
	size_t n, i;

	pint_sip_top_via(m, &via);
	pint_sip_from_tag(m, &pl);
	pint_sip_to_tag(m, &pl);
	pint_sip_expires(m, 86400, &v);
	pint_sip_retry_after(m, 3600, &v);
	pint_sip_header(m, "event", 0, &pl);
	pint_sip_header(m, "subscription-state", 0, &pl);
	pint_sip_multipart_boundary(m, bnd, &pl);
	pint_sip_body(m, &pl);
	if (pint_sip_warnings(m, w, 8, &n) != 0 || n > 8)
		abort();
	for (i = 0; pint_sip_part(m, i, &part) == 0; i++)
		if (part.data.l && !part.data.p)
			abort();
}

static void same_message(const osip_message_t *a, const osip_message_t *b)
{
	struct pint_sip_warning wa[8], wb[8];
	struct pint_sip_part pa, pb;
	struct pint_pl ma, mb, ta, tb;
	uint32_t na, nb;
	size_t i, nwa, nwb;

	if (MSG_IS_REQUEST(a) != MSG_IS_REQUEST(b) ||
	    a->status_code != b->status_code)
		abort();
	same_str(a->sip_method, b->sip_method);
	same_str(a->call_id->number, b->call_id->number);
	same_str(a->call_id->host, b->call_id->host);
	if (pint_sip_cseq(a, &na, &ma) || pint_sip_cseq(b, &nb, &mb) ||
	    na != nb)
		abort();
	same_pl(&ma, &mb);
	if (pint_sip_from_tag(a, &ta) != pint_sip_from_tag(b, &tb))
		abort();
	if (pint_sip_to_tag(a, &ta) != pint_sip_to_tag(b, &tb))
		abort();
	if (osip_list_size(&a->vias) != osip_list_size(&b->vias) ||
	    osip_list_size(&a->bodies) != osip_list_size(&b->bodies))
		abort();
	for (i = 0; pint_sip_part(a, i, &pa) == 0; i++) {
		if (pint_sip_part(b, i, &pb) != 0)
			abort();
		same_pl(&pa.data, &pb.data);
		same_pl(&pa.type, &pb.type);
		same_pl(&pa.id, &pb.id);
	}
	if (pint_sip_warnings(a, wa, 8, &nwa) || pint_sip_warnings(b, wb, 8, &nwb) ||
	    nwa != nwb)
		abort();
	for (i = 0; i < nwa; i++) {
		if (wa[i].code != wb[i].code)
			abort();
		same_pl(&wa[i].text, &wb[i].text);
	}
}

static void round_trip(const osip_message_t *msg)
{
	osip_message_t *again = NULL;
	struct pint_sip_error why;
	size_t len;
	char *s;
	int err = pint_sip_to_str(msg, &s, &len);

	if (err == EMSGSIZE || err == ENOMEM)
		return;
	if (err)
		abort();
	if (pint_sip_parse(&again, s, len, &why) != 0)
		abort();
	same_message(msg, again);
	osip_message_free(again);
	free(s);
}

static void answer(const osip_message_t *req)
{
	osip_message_t *resp = NULL, *again = NULL;
	size_t len;
	char *s;

	if (pint_sip_response(&resp, req, 400, "Bad Request", "fz1") != 0)
		return;
	if (pint_sip_add_warning(resp, 399, "fuzz.example.net",
				 "a \"quoted\", text") != 0)
		abort();
	if (pint_sip_to_str(resp, &s, &len) == 0) {
		if (pint_sip_parse(&again, s, len, NULL) != 0)
			abort();
		osip_message_free(again);
		free(s);
	}
	osip_message_free(resp);
}

static void multipart(const char *p, size_t size)
{
	struct pint_sip_part parts[PINT_SIP_MAX_PARTS], back[PINT_SIP_MAX_PARTS];
	struct pint_mbuf mb;
	size_t n, m, i;

	if (pint_sip_multipart_decode(p, size, "b", parts, PINT_SIP_MAX_PARTS,
				      &n) != 0)
		return;
	pint_mbuf_init(&mb, 0);
	if (pint_sip_multipart_encode(&mb, "b", parts, n) == 0) {
		if (pint_sip_multipart_decode(mb.buf, mb.len, "b", back,
					      PINT_SIP_MAX_PARTS, &m) != 0 ||
		    m != n)
			abort();
		for (i = 0; i < n; i++) {
			same_pl(&parts[i].type, &back[i].type);
			same_pl(&parts[i].id, &back[i].id);
			same_pl(&parts[i].data, &back[i].data);
		}
	}
	pint_mbuf_reset(&mb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	const char *p = (const char *)data;
	struct pint_sip_warning w[4];
	struct pint_sip_error why;
	osip_message_t *msg = NULL;
	size_t mlen, skip, n;
	char *r;
	int err;

	if (!inited) {
		if (pint_sip_init() != 0)
			abort();
		inited = 1;
	}

	err = pint_sip_frame(p, size, &mlen, &skip);
	if (skip > size || (err == 0 && skip + mlen > size))
		abort();
	if (err == 0 && mlen && pint_sip_parse(&msg, p + skip, mlen, NULL) == 0) {
		osip_message_free(msg);
		msg = NULL;
	}

	err = pint_sip_parse(&msg, p, size, &why);
	if (err == 0) {
		getters(msg);
		round_trip(msg);
		if (MSG_IS_REQUEST(msg))
			answer(msg);
		osip_message_free(msg);
	} else if (err == EBADMSG || err == EMSGSIZE) {
		if (!why.reason || why.status < 400)
			abort();
		if (pint_sip_reply_raw(&r, &n, p, size, why.status, why.reason,
				       "fz2") == 0) {
			if (pint_sip_parse(&msg, r, n, NULL) == 0)
				osip_message_free(msg);
			free(r);
		}
	} else {
		abort();
	}

	pint_sip_warning_parse(p, size, w, 4, &n);
	multipart(p, size);
	return 0;
}
