/*
 * tests/fuzz/fuzz_sdp.c — pint_sdp_decode on anything; whatever decodes
 * and encodes must decode again to the same model, field by field.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pint/mbuf.h"
#include "pint/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Same bytes, and both set or both unset. */
static int pl_same(const struct pint_pl *a, const struct pint_pl *b)
{
	if ((a->p == NULL) != (b->p == NULL) || a->l != b->l)
		return 0;
	return a->l == 0 || memcmp(a->p, b->p, a->l) == 0;
}

static int num_same(const struct pint_sdp_num *a, const struct pint_sdp_num *b)
{
	return a->set == b->set && (!a->set || a->val == b->val);
}

static int conn_same(const struct pint_sdp_conn *a, const struct pint_sdp_conn *b)
{
	return pl_same(&a->nettype, &b->nettype) &&
	       pl_same(&a->addrtype, &b->addrtype) && pl_same(&a->addr, &b->addr);
}

static int attrs_same(const struct pint_sdp_attrs *a, const struct pint_sdp_attrs *b)
{
	size_t i;

	if (a->nrequire != b->nrequire || a->nother != b->nother ||
	    a->clir != b->clir || !pl_same(&a->phone_context, &b->phone_context) ||
	    !num_same(&a->q763_nature, &b->q763_nature) ||
	    !num_same(&a->q763_plan, &b->q763_plan) ||
	    !num_same(&a->q763_inn, &b->q763_inn) || !pl_same(&a->lang, &b->lang))
		return 0;
	for (i = 0; i < a->nrequire; i++) {
		if (!pl_same(&a->require[i], &b->require[i]))
			return 0;
	}
	for (i = 0; i < a->nother; i++) {
		if (!pl_same(&a->other[i].name, &b->other[i].name) ||
		    !pl_same(&a->other[i].value, &b->other[i].value))
			return 0;
	}
	return 1;
}

static int fmtp_same(const struct pint_sdp_fmtp *a, const struct pint_sdp_fmtp *b)
{
	size_t i;

	if (a->nres != b->nres || !pl_same(&a->params, &b->params))
		return 0;
	for (i = 0; i < a->nres; i++) {
		if (a->res[i].kind != b->res[i].kind ||
		    !pl_same(&a->res[i].value, &b->res[i].value))
			return 0;
	}
	return 1;
}

static int media_same(const struct pint_sdp_media *a, const struct pint_sdp_media *b)
{
	size_t i;

	/* Known tokens are re-spelt canonically: compare the enum only. */
	if (a->type != b->type || a->proto != b->proto || a->port != b->port ||
	    a->nfmt != b->nfmt || !pl_same(&a->info, &b->info) ||
	    !conn_same(&a->conn, &b->conn) || !attrs_same(&a->attrs, &b->attrs))
		return 0;
	if (a->type == PINT_SDP_MEDIA_OTHER && !pl_same(&a->media, &b->media))
		return 0;
	if (a->proto == PINT_SDP_PROTO_OTHER && !pl_same(&a->proto_name, &b->proto_name))
		return 0;
	for (i = 0; i < a->nfmt; i++) {
		if (!pl_same(&a->fmt[i], &b->fmt[i]) || !fmtp_same(&a->fmtp[i], &b->fmtp[i]))
			return 0;
	}
	return 1;
}

static int sdp_same(const struct pint_sdp *a, const struct pint_sdp *b)
{
	const struct pint_sdp_origin *x = &a->origin, *y = &b->origin;
	size_t i;

	if (!pl_same(&x->user, &y->user) || !pl_same(&x->sess_id, &y->sess_id) ||
	    !pl_same(&x->sess_version, &y->sess_version) ||
	    !pl_same(&x->nettype, &y->nettype) ||
	    !pl_same(&x->addrtype, &y->addrtype) || !pl_same(&x->addr, &y->addr))
		return 0;
	if (!pint_sdp_origin_eq(x, y))
		return 0;
	if (!pl_same(&a->name, &b->name) || !pl_same(&a->info, &b->info) ||
	    a->nemail != b->nemail || !conn_same(&a->conn, &b->conn) ||
	    a->start != b->start || a->stop != b->stop ||
	    !attrs_same(&a->attrs, &b->attrs) || a->nmedia != b->nmedia)
		return 0;
	for (i = 0; i < a->nemail; i++) {
		if (!pl_same(&a->email[i], &b->email[i]))
			return 0;
	}
	for (i = 0; i < a->nmedia; i++) {
		if (!media_same(&a->media[i], &b->media[i]))
			return 0;
	}
	return 1;
}

/* Two models of ~28 KiB each: static keeps them off the fuzzer's stack. */
static struct pint_sdp first, second;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pint_mbuf mb;
	int err;

	if (pint_sdp_decode(&first, (const char *)data, size) != 0)
		return 0;

	pint_mbuf_init(&mb, 0);
	err = pint_sdp_encode(&mb, &first);
	if (err == EINVAL || err == EMSGSIZE)
		return 0;           /* the strict emitter refuses; mb is empty */
	if (err)
		abort();
	if (pint_sdp_decode(&second, mb.buf, mb.len) != 0 ||
	    !sdp_same(&first, &second))
		abort();
	pint_mbuf_reset(&mb);
	return 0;
}
