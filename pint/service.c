/*
 * pint/service.c — PINT service requests: the SDP that describes the
 * telephone session (RFC 2848 §3.4), the multipart body that carries
 * inline content (§3.5.1) and the INVITE (§3.5.5, PINT-PROFILE.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pint/mbuf.h"
#include "pint/service.h"
#include "pint/sip.h"

/* The three milestone services; custom ones come from the configuration. */
static const struct pint_svc_def builtins[] = {
	{"R2C", PINT_SDP_PROTO_VOICE, PINT_SVC_NO_CONTENT, true, NULL, 0},
	{"R2F", PINT_SDP_PROTO_FAX, PINT_SVC_NEEDS_CONTENT, false, NULL, 0},
	{"R2HC", PINT_SDP_PROTO_VOICE, PINT_SVC_NEEDS_CONTENT, false, NULL, 0},
};

static const char *const builtin_names[] = {"call", "fax", "content"};

#define CID_SIZE 192
#define SUBTYPE_SIZE 64
#define URI_SIZE (PINT_REQ_MAX_URI + 1)

/* What the SDP model points into while it is encoded. */
struct scratch {
	struct pint_sdp sdp;
	char number[PINT_TEL_RFC2543_SIZE];
	char subtype[PINT_SVC_MAX_ITEMS][SUBTYPE_SIZE];
	char cid[PINT_SVC_MAX_ITEMS][CID_SIZE];
};

/* The definition behind an API service name: call, fax or content. */
const struct pint_svc_def *pint_svc_builtin(const char *api_name)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (api_name && strcmp(api_name, builtin_names[i]) == 0)
			return &builtins[i];
	return NULL;
}

static bool is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("-.!%*_+`'~", c) != NULL;
}

/* A non-empty token of at most max bytes. */
static int check_token(const char *s, size_t len, size_t max)
{
	size_t i;

	if (!s || len == 0)
		return EINVAL;
	if (len > max)
		return EMSGSIZE;
	for (i = 0; i < len; i++)
		if (!is_token_char(s[i]))
			return EINVAL;
	return 0;
}

/* Printable ASCII and UTF-8, no control characters: safe on an SDP line. */
static int check_text(const char *s, size_t max)
{
	size_t i, n;

	if (!s)
		return 0;
	n = strlen(s);
	if (n > max)
		return EMSGSIZE;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return EINVAL;
	return 0;
}

/*
 * Split a MIME type "text/plain; charset=utf-8" into its SDP media and a
 * lower-case subtype, applying the service's spelling overrides.
 */
static int split_type(const struct pint_svc_def *def, const char *type,
		      enum pint_sdp_mtype *mtypep, char *subtype)
{
	static const struct {
		const char *name;
		enum pint_sdp_mtype mtype;
	} media[] = {
		{"text", PINT_SDP_MEDIA_TEXT},
		{"audio", PINT_SDP_MEDIA_AUDIO},
		{"image", PINT_SDP_MEDIA_IMAGE},
		{"application", PINT_SDP_MEDIA_APPLICATION},
	};
	char full[PINT_SVC_MAX_TYPE + 1];
	size_t tlen, slash, i;
	int err;

	err = check_text(type, PINT_SVC_MAX_TYPE);
	if (err || !type)
		return err ? err : EINVAL;
	tlen = strcspn(type, "; \t");
	slash = strcspn(type, "/");
	if (slash >= tlen)
		return EINVAL;
	err = check_token(type, slash, PINT_SVC_MAX_TYPE);
	if (!err)
		err = check_token(type + slash + 1, tlen - slash - 1,
				  SUBTYPE_SIZE - 1);
	if (err)
		return err;

	for (i = 0; i < tlen; i++) {
		char c = type[i];

		full[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	full[tlen] = '\0';

	*mtypep = PINT_SDP_MEDIA_OTHER;
	for (i = 0; i < sizeof(media) / sizeof(media[0]); i++)
		if (strlen(media[i].name) == slash &&
		    strncmp(full, media[i].name, slash) == 0)
			*mtypep = media[i].mtype;
	if (*mtypep == PINT_SDP_MEDIA_OTHER)
		return EINVAL;

	for (i = 0; i < def->nspellings; i++) {
		if (strcmp(def->spellings[i].type, full) == 0) {
			snprintf(subtype, SUBTYPE_SIZE, "%s",
				 def->spellings[i].subtype);
			return 0;
		}
	}
	snprintf(subtype, SUBTYPE_SIZE, "%s", full + slash + 1);
	return 0;
}

/* Each spelling maps a well-formed type to a token subtype. */
int pint_svc_check_def(const struct pint_svc_def *def)
{
	size_t i;
	int err;

	if (!def || !def->name)
		return EINVAL;
	err = check_token(def->name, strlen(def->name), PINT_REQ_MAX_TOKEN);
	if (err)
		return err;
	if (def->proto != PINT_SDP_PROTO_VOICE &&
	    def->proto != PINT_SDP_PROTO_FAX &&
	    def->proto != PINT_SDP_PROTO_PAGER)
		return EINVAL;
	if (def->nspellings > PINT_SVC_MAX_SPELLINGS)
		return EMSGSIZE;
	for (i = 0; i < def->nspellings; i++) {
		const struct pint_svc_spelling *s = &def->spellings[i];
		size_t slash;

		if (!s->type || !s->subtype)
			return EINVAL;
		slash = strcspn(s->type, "/");
		if (!s->type[slash] ||
		    check_token(s->type, slash, PINT_SVC_MAX_TYPE) ||
		    check_token(s->type + slash + 1,
				strlen(s->type + slash + 1), PINT_SVC_MAX_TYPE) ||
		    check_token(s->subtype, strlen(s->subtype), SUBTYPE_SIZE - 1))
			return EINVAL;
	}
	return 0;
}

/* An absolute URI (scheme ":" …) with nothing that could break the line. */
static int check_uri(const char *p, size_t len)
{
	size_t i;

	if (!p || len == 0)
		return EINVAL;
	if (len > PINT_SVC_MAX_REF)
		return EMSGSIZE;
	if (!((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')))
		return EINVAL;
	/* RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	for (i = 1; i < len && p[i] != ':'; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '+' ||
		      p[i] == '-' || p[i] == '.'))
			return EINVAL;
	if (i == len || i + 1 == len)
		return EINVAL;
	for (; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return EINVAL;
	return 0;
}

/* An opaque GSTN reference: visible ASCII only; empty is allowed (§3.4.2.3). */
static int check_opaque(const char *p, size_t len)
{
	size_t i;

	if (len > PINT_SVC_MAX_REF)
		return EMSGSIZE;
	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return EINVAL;
	return 0;
}

static int add_item(struct scratch *sc, const struct pint_svc_req *req,
		    const struct pint_svc_wire *wire, size_t idx)
{
	const struct pint_svc_item *it = &req->items[idx];
	struct pint_sdp_media *m;
	struct pint_sdp_res *res;
	enum pint_sdp_mtype mtype;
	int err, n;

	err = split_type(req->def, it->type, &mtype, sc->subtype[idx]);
	if (err)
		return err;
	err = pint_sdp_media_add(&sc->sdp, &m);
	if (err)
		return err;
	m->type = mtype;
	m->port = 1;
	m->proto = req->def->proto;
	m->fmt[0] = pint_pl_str(sc->subtype[idx]);
	m->nfmt = 1;
	res = &m->fmtp[0].res[0];
	m->fmtp[0].nres = 1;

	switch (it->src) {
	case PINT_SVC_INLINE:
		if (!it->data || it->len == 0)
			return EINVAL;
		n = snprintf(sc->cid[idx], CID_SIZE, "%zu.%s@%s", idx + 1,
			     wire->sess_id, wire->cid_host);
		if (n < 0 || n >= CID_SIZE)
			return EMSGSIZE;
		res->kind = PINT_SDP_RES_SPR;
		res->value = pint_pl_str(sc->cid[idx]);
		break;
	case PINT_SVC_URI:
		err = check_uri(it->data, it->len);
		if (err)
			return err;
		res->kind = PINT_SDP_RES_URI;
		res->value.p = it->data;
		res->value.l = it->len;
		break;
	case PINT_SVC_OPAQUE:
		if (!it->data && it->len)
			return EINVAL;
		err = check_opaque(it->data, it->len);
		if (err)
			return err;
		res->kind = PINT_SDP_RES_OPR;
		res->value.p = it->data ? it->data : "";
		res->value.l = it->len;
		break;
	default:
		return EINVAL;
	}
	return 0;
}

/* m=<audio|text> 1 <proto> - : R2C, or a content service with nothing. */
static int add_dash(struct scratch *sc, enum pint_sdp_mtype mtype,
		    enum pint_sdp_proto proto)
{
	struct pint_sdp_media *m;
	int err;

	err = pint_sdp_media_add(&sc->sdp, &m);
	if (err)
		return err;
	m->type = mtype;
	m->port = 1;
	m->proto = proto;
	m->fmt[0] = pint_pl_str("-");
	m->nfmt = 1;
	return 0;
}

/*
 * c= and a=phone-context. A global number, or a national one made E.164
 * from a configured context, goes out in the global form: any gateway
 * dials it right. A number only meaningful in its context, or one whose
 * context the requestor named, goes out as typed with a=phone-context.
 */
static int set_number(struct scratch *sc, const struct pint_svc_req *req)
{
	const struct pint_tel *to = req->to;
	int err;

	if (req->phone_context) {
		err = pint_tel_check_context(req->phone_context,
					     strlen(req->phone_context));
		if (err)
			return EINVAL;
		err = pint_tel_rfc2543(to, sc->number, sizeof(sc->number));
		sc->sdp.attrs.phone_context = pint_pl_str(req->phone_context);
	} else if (to->kind == PINT_TEL_LOCAL) {
		err = pint_tel_rfc2543(to, sc->number, sizeof(sc->number));
		sc->sdp.attrs.phone_context = pint_pl_str(to->context);
	} else {
		err = pint_tel_rfc2543_global(to, sc->number,
					      sizeof(sc->number));
	}
	if (err)
		return err;
	sc->sdp.conn.nettype = pint_pl_str("TN");
	sc->sdp.conn.addrtype = pint_pl_str("RFC2543");
	sc->sdp.conn.addr = pint_pl_str(sc->number);
	return 0;
}

static int check_req(const struct pint_svc_req *req,
		     const struct pint_svc_wire *wire)
{
	size_t i, inline_bytes = 0;
	int err;

	if (!req || !wire || !req->def || !req->to ||
	    req->to->kind == PINT_TEL_NONE)
		return EINVAL;
	err = pint_svc_check_def(req->def);
	if (err)
		return err;
	if (req->def->a_party && (!req->from || req->from->kind == PINT_TEL_NONE))
		return EINVAL;
	if (req->nitems > PINT_SVC_MAX_ITEMS)
		return EMSGSIZE;
	if (req->nitems && !req->items)
		return EINVAL;
	if (req->def->content == PINT_SVC_NO_CONTENT && req->nitems)
		return EINVAL;
	if (req->def->content == PINT_SVC_NEEDS_CONTENT && !req->nitems)
		return EINVAL;
	if (req->stop && req->stop < req->start)
		return EINVAL;
	if (req->nrequire > PINT_SDP_MAX_REQUIRE)
		return EMSGSIZE;
	for (i = 0; i < req->nrequire; i++) {
		if (!req->require[i])
			return EINVAL;
		err = check_token(req->require[i], strlen(req->require[i]),
				  PINT_SVC_MAX_TEXT);
		if (err)
			return err;
	}
	for (i = 0; i < req->nitems; i++) {
		if (req->items[i].src != PINT_SVC_INLINE)
			continue;
		if (req->items[i].len > PINT_SVC_MAX_INLINE - inline_bytes)
			return EMSGSIZE;
		inline_bytes += req->items[i].len;
	}
	if (req->lang && (err = check_token(req->lang, strlen(req->lang),
					    PINT_SVC_MAX_TEXT)))
		return err;
	if ((err = check_text(req->info, PINT_SVC_MAX_TEXT)) ||
	    (err = check_text(req->email, PINT_SVC_MAX_TEXT)))
		return err;
	if (!req->email || !*req->email)
		return EINVAL;
	if (!wire->sess_id || !wire->origin_addr ||
	    check_token(wire->sess_id, strlen(wire->sess_id), 64) ||
	    check_text(wire->origin_addr, PINT_REQ_MAX_HOST) ||
	    !*wire->origin_addr)
		return EINVAL;
	return 0;
}

static int build_sdp(struct scratch *sc, const struct pint_svc_req *req,
		     const struct pint_svc_wire *wire)
{
	struct pint_sdp *sdp = &sc->sdp;
	size_t i;
	int err;

	pint_sdp_init(sdp);
	sdp->origin.user = pint_pl_str("-");
	sdp->origin.sess_id = pint_pl_str(wire->sess_id);
	sdp->origin.sess_version = pint_pl_str(wire->sess_id);
	sdp->origin.nettype = pint_pl_str("IN");
	sdp->origin.addrtype = pint_pl_str(wire->origin_ipv6 ? "IP6" : "IP4");
	sdp->origin.addr = pint_pl_str(wire->origin_addr);
	sdp->name = pint_pl_str(req->def->name);
	if (req->info && *req->info)
		sdp->info = pint_pl_str(req->info);
	sdp->email[0] = pint_pl_str(req->email);
	sdp->nemail = 1;

	err = set_number(sc, req);
	if (err)
		return err;
	err = pint_sdp_ntp_from_unix(&sdp->start, req->start);
	if (!err)
		err = pint_sdp_ntp_from_unix(&sdp->stop, req->stop);
	if (err)
		return err;

	for (i = 0; i < req->nrequire; i++)
		sdp->attrs.require[i] = pint_pl_str(req->require[i]);
	sdp->attrs.nrequire = req->nrequire;
	sdp->attrs.clir = req->clir;
	if (req->lang && *req->lang)
		sdp->attrs.lang = pint_pl_str(req->lang);

	if (req->def->content == PINT_SVC_NO_CONTENT)
		return add_dash(sc, PINT_SDP_MEDIA_AUDIO, req->def->proto);
	if (req->nitems == 0)
		return add_dash(sc, PINT_SDP_MEDIA_TEXT, req->def->proto);
	for (i = 0; i < req->nitems; i++) {
		err = add_item(sc, req, wire, i);
		if (err)
			return err;
	}
	return 0;
}

/* SDP first, then each inline item with its Content-ID (RFC 2387). */
static int build_multipart(struct pint_svc_body *out, struct scratch *sc,
			   const struct pint_svc_req *req,
			   const struct pint_svc_wire *wire)
{
	struct pint_sip_part parts[PINT_SVC_MAX_ITEMS + 1];
	struct pint_mbuf mb;
	size_t i, n = 0;
	int err;

	memset(parts, 0, sizeof(parts));
	parts[n].type = pint_pl_str("application/sdp");
	parts[n].data.p = out->sdp;
	parts[n].data.l = out->sdp_len;
	n++;
	for (i = 0; i < req->nitems; i++) {
		const struct pint_svc_item *it = &req->items[i];

		if (it->src != PINT_SVC_INLINE)
			continue;
		parts[n].type = pint_pl_str(it->type);
		parts[n].id = pint_pl_str(sc->cid[i]);
		parts[n].data.p = it->data;
		parts[n].data.l = it->len;
		n++;
	}

	if (!wire->boundary)
		return EINVAL;
	pint_mbuf_init(&mb, PINT_REQ_MAX_BODY);
	err = pint_sip_multipart_encode(&mb, wire->boundary, parts, n);
	if (err) {
		pint_mbuf_reset(&mb);
		return err;
	}
	out->body_len = mb.len;
	out->body = pint_mbuf_steal(&mb);
	if (!out->body)
		return ENOMEM;
	if (snprintf(out->ctype, sizeof(out->ctype),
		     "multipart/related;type=\"application/sdp\";boundary=\"%s\"",
		     wire->boundary) >= (int)sizeof(out->ctype))
		return EMSGSIZE;
	out->multipart = true;
	return 0;
}

/*
 * Encode the request: its SDP alone (kept for SUBSCRIBE bodies) and the
 * INVITE body with its Content-Type. EINVAL for a request that makes no
 * sense (content for R2C, none for R2F, a bad type or URI, stop before
 * start), EMSGSIZE past a limit. On error out holds nothing.
 */
int pint_svc_encode(struct pint_svc_body *out, const struct pint_svc_req *req,
		    const struct pint_svc_wire *wire)
{
	struct scratch *sc = NULL;
	struct pint_mbuf mb;
	bool has_inline = false;
	size_t i;
	int err;

	if (!out)
		return EINVAL;
	memset(out, 0, sizeof(*out));
	pint_mbuf_init(&mb, PINT_SDP_MAX_BODY);

	err = check_req(req, wire);
	if (err)
		goto out;
	/* the SDP model (28 KB, mostly media slots) is set up by build_sdp */
	sc = malloc(sizeof(*sc));
	if (!sc) {
		err = ENOMEM;
		goto out;
	}
	memset(sc->number, 0, sizeof(*sc) - offsetof(struct scratch, number));
	err = build_sdp(sc, req, wire);
	if (err)
		goto out;
	err = pint_sdp_encode(&mb, &sc->sdp);
	if (err)
		goto out;
	out->sdp_len = mb.len;
	out->sdp = pint_mbuf_steal(&mb);
	if (!out->sdp) {
		err = ENOMEM;
		goto out;
	}
	out->require_sdp = req->nrequire > 0;

	for (i = 0; i < req->nitems; i++)
		has_inline |= req->items[i].src == PINT_SVC_INLINE;
	if (has_inline) {
		err = build_multipart(out, sc, req, wire);
		goto out;
	}

	out->body = malloc(out->sdp_len + 1);
	if (!out->body) {
		err = ENOMEM;
		goto out;
	}
	memcpy(out->body, out->sdp, out->sdp_len + 1);
	out->body_len = out->sdp_len;
	snprintf(out->ctype, sizeof(out->ctype), "application/sdp");
out:
	pint_mbuf_reset(&mb);
	free(sc);
	if (err)
		pint_svc_body_reset(out);
	return err;
}

/* Free what pint_svc_encode() made; the body may be encoded again. */
void pint_svc_body_reset(struct pint_svc_body *out)
{
	if (!out)
		return;
	free(out->sdp);
	free(out->body);
	memset(out, 0, sizeof(*out));
}

/*
 * The INVITE for an encoded request: Request-URI sip:<service>@<domain>
 * [;tsp=], To: the A party for a_party services, Require when a=require
 * is used, the body as encoded.
 */
int pint_svc_invite(osip_message_t **msgp, const struct pint_svc_req *req,
		    const struct pint_svc_body *body,
		    const struct pint_req_local *loc,
		    const struct pint_req_ids *ids,
		    const struct pint_req_tx *tx,
		    const char *domain, const char *tsp)
{
	struct pint_req_invite inv;
	char to_uri[URI_SIZE];
	int n;

	if (!req || !req->def || !body || !body->body || !domain)
		return EINVAL;

	memset(&inv, 0, sizeof(inv));
	inv.service = req->def->name;
	inv.domain = domain;
	inv.tsp = tsp;
	inv.require_sdp = body->require_sdp;
	inv.content_type = body->multipart ? body->ctype : NULL;
	inv.body = body->body;
	inv.body_len = body->body_len;

	if (req->def->a_party) {
		const struct pint_tel *a = req->from;

		if (!a || a->kind == PINT_TEL_NONE)
			return EINVAL;
		if (a->e164[0])
			n = snprintf(to_uri, sizeof(to_uri),
				     "sip:%s@%s;user=phone", a->e164, domain);
		else
			n = snprintf(to_uri, sizeof(to_uri),
				     "sip:%s@%s;user=phone;phone-context=%s",
				     a->grouped, domain, a->context);
		if (n < 0 || (size_t)n >= sizeof(to_uri))
			return EMSGSIZE;
		inv.to_uri = to_uri;
	}
	return pint_req_invite(msgp, loc, ids, tx, &inv);
}
