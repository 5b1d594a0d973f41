/*
 * gateway/sim/sim_check.c — what the simulator requires of an INVITE,
 * strictly where RFC 2848 says so (digest §2.4.2, §3, §7.4):
 *
 *   Require: option tags it lacks         420 + Unsupported
 *   a body that is not SDP or multipart   415 + Accept
 *   no body, multipart not SDP first      400
 *   SDP that does not decode              488 + Warning 399
 *   c= not TN                             488 + Warning 300
 *   c= address type or number not RFC2543 488 + Warning 301
 *   media/proto PINT does not define      488 + Warning 304 / 302
 *   no fmt the simulator can render       488 + Warning 305
 *   a fmt without a=fmtp                  488 + Warning 399
 *   spr: naming no body part              400 + Warning 399
 *   a=require tag it does not know        420 + Unsupported + Warning 306
 *                                         (--require-mode 400: 400 + 306)
 *   a=require it cannot honour            606 + Warning 399
 *   R2C with an A party that is no number 606 + Warning 399 (§4.2)
 *
 * An a=require without "Require: org.ietf.sdp.require" is still honoured:
 * the header only guards against servers that ignore a=require.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/sim/sim_int.h"
#include "pint/tel.h"

/*
 * Body part i of a multipart request: its data, whether it is SDP and its
 * Content-ID (brackets stripped). osip's own MIME parser (the one the
 * transaction layer runs) fills content_type; pint/sip keeps the type as
 * a part header: both are read.
 */
static bool part_get(const osip_message_t *req, int i, struct pint_pl *data,
		     bool *sdpp, struct pint_pl *idp)
{
	const osip_body_t *b = osip_list_get(&req->bodies, i);
	const osip_content_type_t *ct;
	int k;

	if (!b)
		return false;
	ct = b->content_type;
	data->p = b->body ? b->body : "";
	data->l = b->body ? b->length : 0;
	*sdpp = ct && ct->type && ct->subtype &&
		!strcasecmp(ct->type, "application") &&
		!strcasecmp(ct->subtype, "sdp");
	*idp = (struct pint_pl)PINT_PL_INIT;
	for (k = 0; b->headers && k < osip_list_size(b->headers); k++) {
		const osip_header_t *h = osip_list_get(b->headers, k);
		struct pint_pl v;

		if (!h || !h->hname || !h->hvalue)
			continue;
		v = pint_pl_trim(pint_pl_str(h->hvalue));
		if (!strcasecmp(h->hname, "content-type") && !ct) {
			size_t n = 0;

			while (n < v.l && v.p[n] != ';')
				n++;
			v = pint_pl_trim((struct pint_pl){v.p, n});
			*sdpp = pint_pl_caseeq(&v, "application/sdp");
		} else if (!strcasecmp(h->hname, "content-id")) {
			if (v.l >= 2 && v.p[0] == '<' && v.p[v.l - 1] == '>') {
				v.p++;
				v.l -= 2;
			}
			*idp = v;
		}
	}
	return true;
}

/*
 * The SDP of a request: the body (application/sdp), or in a multipart
 * body the first part (sdp_first: an INVITE, RFC 2848 §3.5.1) or the
 * first application/sdp part (a SUBSCRIBE, whose other parts are
 * ignored). ENOENT no body, EPROTO a body type that is neither, EBADMSG a
 * multipart body without its SDP where it belongs.
 */
int sim_req_sdp(const osip_message_t *req, bool sdp_first,
		struct pint_pl *sdp, bool *multipartp)
{
	const osip_content_type_t *ct = req->content_type;
	struct pint_pl data, id;
	bool is_sdp;
	int i;

	if (multipartp)
		*multipartp = false;
	if (osip_list_size(&req->bodies) == 0)
		return ENOENT;
	if (!ct || !ct->type || !ct->subtype)
		return EPROTO;
	if (!strcasecmp(ct->type, "application") &&
	    !strcasecmp(ct->subtype, "sdp"))
		return pint_sip_body(req, sdp) ? EBADMSG : 0;
	if (strcasecmp(ct->type, "multipart") ||
	    (strcasecmp(ct->subtype, "related") &&
	     strcasecmp(ct->subtype, "mixed")))
		return EPROTO;
	if (multipartp)
		*multipartp = true;
	for (i = 0; i < (int)PINT_SIP_MAX_PARTS &&
	     part_get(req, i, &data, &is_sdp, &id); i++) {
		if (is_sdp) {
			*sdp = data;
			return 0;
		}
		if (sdp_first)
			break;
	}
	return EBADMSG;
}

/* The identifying part of o= (all but the version), as one string. */
int sim_origin_key(const struct pint_sdp *sdp, char **keyp)
{
	const struct pint_sdp_origin *o = &sdp->origin;
	size_t n = o->user.l + o->sess_id.l + o->nettype.l + o->addrtype.l +
		   o->addr.l + 5;
	char *k = malloc(n);

	if (!k)
		return ENOMEM;
	snprintf(k, n, "%.*s %.*s %.*s %.*s %.*s", (int)o->user.l, o->user.p,
		 (int)o->sess_id.l, o->sess_id.p, (int)o->nettype.l,
		 o->nettype.p, (int)o->addrtype.l, o->addrtype.p,
		 (int)o->addr.l, o->addr.p);
	*keyp = k;
	return 0;
}

/* The number as it came (bounded), for logs and dialog-info. */
static void number_copy(const struct pint_pl *addr, char *buf,
			size_t size)
{
	size_t n = addr->l < size - 1 ? addr->l : size - 1;

	memcpy(buf, addr->p, n);
	buf[n] = '\0';
}

/* At most this much of a peer's value goes into a Warning text. */
#define ECHO(len) ((int)((len) > 64 ? 64 : (len)))

static void fail(struct sim_verdict *v, int code, unsigned warn,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The first problem found is the answer; later ones are ignored. */
static void fail(struct sim_verdict *v, int code, unsigned warn,
		 const char *fmt, ...)
{
	va_list ap;

	if (v->code)
		return;
	v->code = code;
	v->warn_code = warn;
	va_start(ap, fmt);
	vsnprintf(v->warn_text, sizeof(v->warn_text), fmt, ap);
	va_end(ap);
}

/* Require: option tags (RFC 3261 §8.2.2.3), comma lists split here. */
static void check_require_hdr(const struct gw_sim *sim,
			      const osip_message_t *req, struct sim_verdict *v)
{
	struct pint_pl val, tag;
	unsigned idx;
	size_t i, j, n;

	for (idx = 0; pint_sip_header(req, "Require", idx, &val) == 0 &&
	     idx < PINT_SIP_MAX_HEADERS; idx++) {
		for (i = 0; i < val.l; i = j + 1) {
			for (j = i; j < val.l && val.p[j] != ','; j++)
				;
			tag = pint_pl_trim((struct pint_pl){val.p + i, j - i});
			if (!tag.l ||
			    pint_pl_caseeq(&tag, "org.ietf.sdp.require") ||
			    (sim->mode == GW_SIM_MODE_PINT &&
			     pint_pl_caseeq(&tag, "org.ietf.sip.subscribe")))
				continue;
			n = strlen(v->unsupported);
			snprintf(v->unsupported + n, sizeof(v->unsupported) - n,
				 "%s%.*s", n ? ", " : "", ECHO(tag.l), tag.p);
		}
	}
	if (v->unsupported[0]) {
		v->code = 420;
		v->reason = "Bad Extension";
	}
}

static void check_conn(const struct pint_sdp_conn *c, struct sim_verdict *v)
{
	if (!pint_pl_eq(&c->nettype, "TN")) {
		fail(v, 488, 300, "network type %.*s not available: TN only",
		     ECHO(c->nettype.l), c->nettype.p);
		return;
	}
	if (!pint_pl_eq(&c->addrtype, "RFC2543")) {
		fail(v, 488, 301, "address type %.*s not understood",
		     ECHO(c->addrtype.l), c->addrtype.p);
		return;
	}
	if (pint_tel_check_rfc2543(c->addr.p, c->addr.l, NULL))
		fail(v, 488, 301, "Network Address Not Understood: %.*s",
		     ECHO(c->addr.l), c->addr.p);
}

/* The Content-ID of a multipart part equal to id (brackets ignored). */
static bool has_part(const osip_message_t *req, struct pint_pl id)
{
	struct pint_pl data, pid;
	bool is_sdp;
	int i;

	if (id.l >= 2 && id.p[0] == '<' && id.p[id.l - 1] == '>') {
		id.p++;
		id.l -= 2;
	}
	for (i = 0; i < (int)PINT_SIP_MAX_PARTS &&
	     part_get(req, i, &data, &is_sdp, &pid); i++)
		if (pid.l == id.l && id.l && !memcmp(pid.p, id.p, id.l))
			return true;
	return false;
}

static void check_media(const struct gw_sim *sim, const osip_message_t *req,
			bool multipart, const struct pint_sdp_media *m,
			struct sim_verdict *v)
{
	bool renders = false;
	size_t i, j;

	if (m->type == PINT_SDP_MEDIA_OTHER) {
		fail(v, 488, 304, "media type %.*s not available",
		     ECHO(m->media.l), m->media.p);
		return;
	}
	if (m->proto == PINT_SDP_PROTO_OTHER) {
		fail(v, 488, 302, "%.*s not available: voice, fax or pager",
		     ECHO(m->proto_name.l), m->proto_name.p);
		return;
	}
	for (i = 0; i < m->nfmt; i++)
		renders |= sim_subtype_ok(sim, &m->media, &m->fmt[i]);
	if (!renders) {
		fail(v, 488, 305, "cannot render %.*s",
		     ECHO(m->nfmt ? m->fmt[0].l : 0),
		     m->nfmt ? m->fmt[0].p : "");
		return;
	}
	for (i = 0; i < m->nfmt; i++) {
		if (pint_pl_eq(&m->fmt[i], "-"))
			continue;
		if (!m->fmtp[i].nres) {
			fail(v, 488, 399, "no a=fmtp for %.*s",
			     ECHO(m->fmt[i].l), m->fmt[i].p);
			return;
		}
		for (j = 0; j < m->fmtp[i].nres; j++) {
			const struct pint_sdp_res *r = &m->fmtp[i].res[j];

			if (r->kind == PINT_SDP_RES_SPR &&
			    (!multipart || !has_part(req, r->value))) {
				fail(v, 400, 399, "spr:%.*s names no body part",
				     ECHO(r->value.l), r->value.p);
				return;
			}
		}
	}
}

/* The a=require tags of one level (with the session level around it). */
static void check_require(const struct gw_sim *sim,
			  const struct pint_sdp_attrs *a,
			  const struct pint_sdp_attrs *sess,
			  struct sim_verdict *v)
{
	static const char *const known[] = {
		"phone-context", "clir", "Q763-nature", "Q763-plan",
		"Q763-INN", "uri", "opr", "spr", "lang", "fmtp",
	};
	struct pint_pl ctx;
	size_t i, k;

	for (i = 0; i < a->nrequire; i++) {
		const struct pint_pl *t = &a->require[i];

		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (pint_pl_caseeq(t, known[k]))
				break;
		if (k == sizeof(known) / sizeof(known[0])) {
			if (sim->require_mode == GW_SIM_REQUIRE_400) {
				fail(v, 400, 306,
				     "Attribute not understood: %.*s",
				     ECHO(t->l), t->p);
			} else if (!v->code) {
				v->code = 420;
				v->reason = "Bad Extension";
				v->warn_code = 306;
				snprintf(v->warn_text, sizeof(v->warn_text),
					 "Attribute not understood: %.*s",
					 ECHO(t->l), t->p);
				snprintf(v->unsupported, sizeof(v->unsupported),
					 "%.*s", ECHO(t->l), t->p);
			}
			continue;
		}
		if (pint_pl_caseeq(t, "phone-context")) {
			ctx = pint_pl_isset(&a->phone_context) ?
			      a->phone_context : sess->phone_context;
			if (!pint_pl_isset(&ctx))
				continue;
			if (pint_tel_check_context(ctx.p, ctx.l))
				fail(v, 488, 301, "bad phone-context %.*s",
				     ECHO(ctx.l), ctx.p);
			else if (ctx.p[0] != '+')
				/* private (X-) and local-prefix contexts:
				 * the simulated network has no such plan */
				fail(v, 606, 399,
				     "phone-context %.*s not served",
				     ECHO(ctx.l), ctx.p);
		} else if (pint_pl_caseeq(t, "Q763-plan")) {
			const struct pint_sdp_num *p = a->q763_plan.set ?
				&a->q763_plan : &sess->q763_plan;

			if (p->set && p->val != 1)
				fail(v, 606, 399,
				     "numbering plan %u not served: E.164 only",
				     p->val);
		}
	}
}

/* R2C: the A party (To) must be a telephone number (RFC 2848 §4.2). */
static void check_a_party(const osip_message_t *req, struct sim_verdict *v)
{
	const char *u = req->to && req->to->url ? req->to->url->username :
		       NULL;

	if (!u || pint_tel_check_rfc2543(u, strlen(u), NULL))
		fail(v, 606, 399,
		     "the A party (To) must be a telephone number");
}

/*
 * Check an INVITE for service (the served name) and fill v: code 0 when
 * the simulator takes it, else the answer to give. v->sdp, digits, svc
 * and start_ntp are set when the SDP decoded.
 */
void sim_check_invite(const struct gw_sim *sim, const char *service,
		      const osip_message_t *req, struct sim_verdict *v)
{
	struct pint_sdp sdp;
	const struct pint_sdp_conn *first = NULL;
	bool multipart = false;
	uint64_t now = sim_ntp_now();
	size_t i;
	int err;

	memset(v, 0, sizeof(*v));
	check_require_hdr(sim, req, v);
	if (v->code)
		return;
	err = sim_req_sdp(req, true, &v->sdp, &multipart);
	if (err == ENOENT) {
		fail(v, 400, 399, "no session description");
		v->reason = "Missing SDP";
		return;
	}
	if (err == EPROTO) {
		v->code = 415;
		v->accept = true;
		return;
	}
	if (err) {
		fail(v, 400, 399, "the first body part must be the SDP");
		return;
	}
	if (pint_sdp_decode(&sdp, v->sdp.p, v->sdp.l)) {
		fail(v, 488, 399, "session description not decodable");
		return;
	}
	if (pint_pl_isset(&sdp.conn.nettype)) {
		first = &sdp.conn;
		check_conn(&sdp.conn, v);
	}
	if (!sdp.nmedia)
		fail(v, 488, 304, "no m= line");
	for (i = 0; i < sdp.nmedia && !v->code; i++) {
		const struct pint_sdp_media *m = &sdp.media[i];

		if (pint_pl_isset(&m->conn.nettype)) {
			check_conn(&m->conn, v);
			if (!first)
				first = &m->conn;
		}
		check_media(sim, req, multipart, m, v);
	}
	if (v->code)
		return;
	check_require(sim, &sdp.attrs, &sdp.attrs, v);
	for (i = 0; i < sdp.nmedia; i++)
		check_require(sim, &sdp.media[i].attrs, &sdp.attrs, v);
	if (!strcmp(service, "R2C"))
		check_a_party(req, v);
	if (sdp.start > now + SIM_MAX_AHEAD_S)
		fail(v, 488, 399, "start time too far ahead");
	if (v->code)
		return;
	if (first)
		number_copy(&first->addr, v->digits, sizeof(v->digits));
	v->start_ntp = sdp.start;
	switch (sdp.media[0].proto) {
	case PINT_SDP_PROTO_FAX:
		v->svc = SIM_SVC_FAX;
		break;
	case PINT_SDP_PROTO_PAGER:
		v->svc = SIM_SVC_PAGE;
		break;
	default:
		v->svc = pint_pl_eq(&sdp.media[0].fmt[0], "-") ? SIM_SVC_CALL :
							     SIM_SVC_PLAY;
		break;
	}
}

/*
 * The outcome of an INVITE before any transaction sees it (so that 0999
 * gets not even a 100): the forced one, else by the number of its SDP.
 * EINVAL when the request has no usable SDP (the normal checks answer it).
 */
int sim_prefilter_outcome(const struct gw_sim *sim, const osip_message_t *req,
			  enum gw_sim_outcome *op)
{
	struct pint_sdp sdp;
	struct pint_pl body;
	const struct pint_pl *addr;

	if (sim->forced) {
		*op = sim->force;
		return 0;
	}
	if (sim_req_sdp(req, true, &body, NULL) ||
	    pint_sdp_decode(&sdp, body.p, body.l))
		return EINVAL;
	if (pint_pl_isset(&sdp.conn.addr))
		addr = &sdp.conn.addr;
	else if (sdp.nmedia && pint_pl_isset(&sdp.media[0].conn.addr))
		addr = &sdp.media[0].conn.addr;
	else
		return EINVAL;
	*op = gw_sim_outcome_of(addr->p, addr->l);
	return 0;
}
