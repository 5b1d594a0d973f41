/*
 * gateway/spec.c — a validated create body (web/req.h) resolved against
 * the configuration and the caller's key: the service definition, the
 * numbers, the content items and every default, checked once through
 * pint_svc_encode so that a 201 never goes to a request that can never
 * be sent.
 *
 * Content items with "fetch": true are url items marked in
 * spec->fetch_left until the request table downloads them (gateway/fetch)
 * and makes them inline items (gw_spec_set_fetched). The create check
 * encodes them as the inline parts they will become, so that a request
 * whose multipart body could never be built is refused now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/spec.h"
#include "pint/pl.h"
#include "pint/sip.h"
#include "web/resource.h"

#define HOST_SIZE 256
/* Only what pint_svc_encode needs to run: it is never sent. */
#define CHECK_SESS "1"
#define CHECK_HOST "pintgw.invalid"
#define CHECK_BOUNDARY "pint-check"

/* Who the request is for, once the key may have been reloaded away. */
struct owner {
	const char *name;
	const struct gw_conf_key *key;  /* NULL: gone, use the config's */
};

static int dup_str(char **dst, const char *s)
{
	size_t n;

	*dst = NULL;
	if (!s)
		return 0;
	n = strlen(s);
	*dst = malloc(n + 1);
	if (!*dst)
		return ENOMEM;
	memcpy(*dst, s, n + 1);
	return 0;
}

/* "" (the web_req way of saying absent) as NULL. */
static const char *opt(const char *s)
{
	return s && s[0] ? s : NULL;
}

_Static_assert(PINT_SVC_MAX_ITEMS <= 32, "fetch_left has a bit per item");
_Static_assert(GW_SPEC_FETCH_MAX <= GW_SPEC_INLINE_ITEMS_MAX,
	       "every fetched item fits in the multipart body");

/* Free spec and everything in it; NULL is fine. */
void gw_spec_free(struct gw_spec *spec)
{
	size_t i;

	if (!spec)
		return;
	for (i = 0; i < PINT_SVC_MAX_ITEMS; i++)
		free(spec->fetched[i]);
	free(spec->owner);
	free(spec->service);
	free(spec->def_name);
	free(spec->spellings);
	free(spec->to_input);
	free(spec->from_input);
	free(spec->phone_context);
	free(spec->items);
	free(spec->lang);
	free(spec->require);
	free(spec->webhook_url);
	free(spec->webhook_json);
	free(spec->client_state);
	free(spec->gateway);
	free(spec->email);
	free(spec->json);
	free(spec);
}

/* ---- the service ------------------------------------------------------- */

/*
 * The gateway whose subtype spellings the SDP uses: the one asked for,
 * else the one tried first (lowest priority, the first in the file on a
 * tie). The gateway set may still fail over to another one.
 */
static const struct gw_conf_gateway *spelling_gateway(const struct gw_conf *conf,
						      const struct gw_conf_gateway *asked)
{
	const struct gw_conf_gateway *best = asked;
	size_t i;

	for (i = 0; !asked && i < conf->ngateways; i++)
		if (!best || conf->gateways[i].priority < best->priority)
			best = &conf->gateways[i];
	return best;
}

/* def.spellings as one block: the array, then its strings. */
static int copy_spellings(struct gw_spec *spec, const struct pint_svc_def *d)
{
	struct pint_svc_spelling *sp;
	size_t i, size, tl, sl;
	char *p;

	spec->def.spellings = NULL;
	spec->def.nspellings = 0;
	if (!d->nspellings)
		return 0;
	size = d->nspellings * sizeof(*sp);
	for (i = 0; i < d->nspellings; i++)
		size += strlen(d->spellings[i].type) + strlen(d->spellings[i].subtype) + 2;
	sp = malloc(size);
	if (!sp)
		return ENOMEM;
	p = (char *)(sp + d->nspellings);
	for (i = 0; i < d->nspellings; i++) {
		tl = strlen(d->spellings[i].type) + 1;
		sl = strlen(d->spellings[i].subtype) + 1;
		memcpy(p, d->spellings[i].type, tl);
		sp[i].type = p;
		p += tl;
		memcpy(p, d->spellings[i].subtype, sl);
		sp[i].subtype = p;
		p += sl;
	}
	spec->spellings = sp;
	spec->def.spellings = sp;
	spec->def.nspellings = d->nspellings;
	return 0;
}

static int resolve_service(struct gw_spec *spec, const struct web_req *req,
			   const struct gw_conf *conf, struct web_json_err *e)
{
	const struct gw_conf_gateway *gw = NULL;
	const struct gw_conf_service *svc = NULL;
	const struct pint_svc_def *builtin;
	struct pint_svc_def d;
	int err;

	if (opt(req->gateway)) {
		gw = gw_conf_gateway(conf, req->gateway);
		if (!gw) {
			web_json_err_set(e, 422, "unknown_gateway", "gateway",
					 "no gateway '%s' is configured", req->gateway);
			return EBADMSG;
		}
	}
	gw = spelling_gateway(conf, gw);
	builtin = pint_svc_builtin(req->service);
	if (builtin) {
		d = *builtin;
		d.spellings = gw && gw->nspellings ? gw->spellings : NULL;
		d.nspellings = gw ? gw->nspellings : 0;
	} else {
		svc = gw_conf_service(conf, req->service);
		if (!svc) {
			web_json_err_set(e, 422, "unknown_service", "service",
					 "'%s' is not a service of this gateway (call, fax, content%s)",
					 req->service, conf->nservices ? " or a configured one" : "");
			return EBADMSG;
		}
		gw_conf_svc_def(svc, gw, &d);
	}
	spec->def = d;
	if (svc) {
		err = dup_str(&spec->def_name, d.name);
		if (err)
			return err;
		spec->def.name = spec->def_name;
	}
	err = copy_spellings(spec, &d);
	if (!err)
		err = dup_str(&spec->service, req->service);
	if (!err)
		err = dup_str(&spec->gateway, opt(req->gateway));
	return err;
}

/* ---- the parties ------------------------------------------------------- */

static int parse_number(struct pint_tel *tel, const char *input,
			const char *context, const char *field,
			const char *what, struct web_json_err *e)
{
	struct pint_tel_error why;

	if (!pint_tel_parse(tel, input, strlen(input), context, NULL, &why))
		return 0;
	web_json_err_set(e, 400, "invalid_number", field, "%s%s", what, why.msg);
	return EBADMSG;
}

/*
 * to: as asked; from: as asked, else (services with an A party only) the
 * key's default. The phone_context given applies to both, else the
 * configured default context.
 */
static int resolve_parties(struct gw_spec *spec, const struct web_req *req,
			   const struct gw_conf *conf, const struct owner *o,
			   bool *from_defaulted, struct web_json_err *e)
{
	const char *ctx = opt(req->phone_context) ? req->phone_context :
			  conf->main.default_context;
	const char *from = opt(req->from);
	const char *what = "";
	int err;

	*from_defaulted = false;
	err = parse_number(&spec->to, req->to, ctx, "to", "", e);
	if (err)
		return err;
	if (!from && spec->def.a_party && o->key && o->key->from) {
		from = o->key->from;
		what = "the key's default: ";
		*from_defaulted = true;
	}
	if (!from && spec->def.a_party) {
		web_json_err_set(e, 422, "from_required", "from",
				 "service '%s' calls an A party first: give 'from' "
				 "(or configure one for the key)", req->service);
		return EBADMSG;
	}
	if (from) {
		err = parse_number(&spec->from, from, ctx, "from", what, e);
		if (err)
			return err;
	}
	err = dup_str(&spec->to_input, req->to);
	if (!err)
		err = dup_str(&spec->from_input, from);
	if (!err)
		err = dup_str(&spec->phone_context, opt(req->phone_context));
	return err;
}

/* ---- content and options ----------------------------------------------- */

/* The items as one block: the array, then each type and its data. */
static int copy_items(struct gw_spec *spec, const struct web_req *req,
		      struct web_json_err *e)
{
	const struct pint_svc_def *d = &spec->def;
	struct pint_svc_item *it;
	size_t i, size, tl, nfetch = 0, ninline = 0;
	char *p;

	if (d->content == PINT_SVC_NO_CONTENT && req->content_count) {
		web_json_err_set(e, 422, "content_not_allowed", "content",
				 "service '%s' takes no content", req->service);
		return EBADMSG;
	}
	if (d->content == PINT_SVC_NEEDS_CONTENT && !req->content_count) {
		web_json_err_set(e, 422, "content_required", "content",
				 "service '%s' needs content", req->service);
		return EBADMSG;
	}
	if (req->content_count > PINT_SVC_MAX_ITEMS ||
	    req->content_count > WEB_REQ_CONTENT_MAX) {
		web_json_err_set(e, 422, "too_large", "content",
				 "at most %u items", (unsigned)PINT_SVC_MAX_ITEMS);
		return EBADMSG;
	}
	for (i = 0; i < req->content_count; i++) {
		nfetch += req->content[i].src == WEB_REQ_URL && req->content[i].fetch;
		ninline += req->content[i].src != WEB_REQ_URL;
	}
	if (nfetch > GW_SPEC_FETCH_MAX) {
		web_json_err_set(e, 422, "too_large", "content",
				 "at most %u items with fetch: true",
				 GW_SPEC_FETCH_MAX);
		return EBADMSG;
	}
	if (nfetch + ninline > GW_SPEC_INLINE_ITEMS_MAX) {
		web_json_err_set(e, 422, "too_large", "content",
				 "at most %u items sent inline (text, data or "
				 "fetch: true)", GW_SPEC_INLINE_ITEMS_MAX);
		return EBADMSG;
	}
	if (!req->content_count)
		return 0;
	size = req->content_count * sizeof(*it);
	for (i = 0; i < req->content_count; i++)
		size += strlen(req->content[i].type) + 1 + req->content[i].len + 1;
	it = malloc(size);
	if (!it)
		return ENOMEM;
	p = (char *)(it + req->content_count);
	for (i = 0; i < req->content_count; i++) {
		const struct web_req_content *c = &req->content[i];

		tl = strlen(c->type) + 1;
		memcpy(p, c->type, tl);
		it[i].type = p;
		p += tl;
		memcpy(p, c->body, c->len);
		p[c->len] = '\0';
		it[i].data = p;
		it[i].len = c->len;
		p += c->len + 1;
		/* fetch items stay url items until their body is fetched */
		it[i].src = c->src == WEB_REQ_URL ? PINT_SVC_URI : PINT_SVC_INLINE;
		if (c->src == WEB_REQ_URL && c->fetch) {
			spec->fetch = true;
			spec->fetch_left |= 1u << i;
		}
	}
	spec->items = it;
	spec->nitems = req->content_count;
	return 0;
}

static int copy_require(struct gw_spec *spec, const struct web_req *req)
{
	size_t i, size, n = req->require_count, l;
	char **v, *p;

	if (!n || n > WEB_REQ_REQUIRE_MAX)
		return n ? EINVAL : 0;
	size = n * sizeof(*v);
	for (i = 0; i < n; i++)
		size += strlen(req->require[i]) + 1;
	v = malloc(size);
	if (!v)
		return ENOMEM;
	p = (char *)(v + n);
	for (i = 0; i < n; i++) {
		l = strlen(req->require[i]) + 1;
		memcpy(p, req->require[i], l);
		v[i] = p;
		p += l;
	}
	spec->require = v;
	spec->nrequire = n;
	return 0;
}

/* e=: the key's address, the configured one, else pintgw@<host name>. */
static int set_email(struct gw_spec *spec, const struct gw_conf *conf,
		     const struct owner *o)
{
	char host[HOST_SIZE], mail[HOST_SIZE + 8];

	if (o->key && o->key->email)
		return dup_str(&spec->email, o->key->email);
	if (conf->main.requestor_email)
		return dup_str(&spec->email, conf->main.requestor_email);
	if (gethostname(host, sizeof(host)) != 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(mail, sizeof(mail), "pintgw@%s", host);
	return dup_str(&spec->email, mail);
}

static int copy_options(struct gw_spec *spec, const struct web_req *req,
			const struct gw_conf *conf, const struct owner *o)
{
	uint32_t ring;
	int err;

	spec->clir = !req->has_clir ? PINT_SDP_CLIR_UNSET :
		     req->clir ? PINT_SDP_CLIR_TRUE : PINT_SDP_CLIR_FALSE;
	spec->start_at = req->has_start_at ? req->start_at : 0;
	spec->stop_at = req->has_stop_at ? req->stop_at : 0;
	ring = req->has_ring_timeout ? req->ring_timeout : conf->sip.ring_timeout;
	if (conf->sip.ring_timeout_max && ring > conf->sip.ring_timeout_max)
		ring = conf->sip.ring_timeout_max;
	spec->ring_timeout_ms = ring * 1000u;
	spec->track = req->track;
	spec->webhook_events = req->has_webhook ? req->webhook_events : 0;
	err = dup_str(&spec->owner, o->name);
	if (!err)
		err = dup_str(&spec->lang, opt(req->language));
	if (!err)
		err = copy_require(spec, req);
	if (!err && req->has_webhook)
		err = dup_str(&spec->webhook_url, req->webhook_url);
	if (!err && req->has_client_state)
		err = dup_str(&spec->client_state, req->client_state);
	if (!err)
		err = set_email(spec, conf, o);
	return err;
}

/* ---- the check and the JSON -------------------------------------------- */

/* A hint for what pint_svc_encode refused (it says EINVAL only). */
static void encode_hint(const struct gw_spec *spec, struct web_json_err *e)
{
	static const char *const media[] = {"text/", "audio/", "image/", "application/"};
	size_t i, k;

	for (i = 0; i < spec->nitems; i++) {
		for (k = 0; k < sizeof(media) / sizeof(media[0]); k++)
			if (!strncmp(spec->items[i].type, media[k], strlen(media[k])))
				break;
		if (k == sizeof(media) / sizeof(media[0])) {
			char field[48];

			snprintf(field, sizeof(field), "content[%zu].type", i);
			web_json_err_set(e, 422, "invalid_request", field,
					 "'%s' cannot be described in PINT SDP "
					 "(text, audio, image or application only)",
					 spec->items[i].type);
			return;
		}
	}
	web_json_err_set(e, 422, "invalid_request", NULL,
			 "the request cannot be expressed as a PINT %s service request",
			 spec->def.name);
}

/* Encode once, as the call will: what the SDP layer refuses is a 4xx now. */
static int check_encode(const struct gw_spec *spec, const struct gw_conf *conf,
			struct web_json_err *e)
{
	struct pint_svc_item items[PINT_SVC_MAX_ITEMS];
	struct pint_svc_wire w;
	struct pint_svc_body b;
	struct pint_svc_req sr;
	int err;

	gw_spec_svc_preview(spec, items, &sr);
	memset(&w, 0, sizeof(w));
	w.sess_id = CHECK_SESS;
	w.origin_addr = conf->sip.contact_host ? conf->sip.contact_host : CHECK_HOST;
	w.origin_ipv6 = conf->sip.contact_host && conf->sip.contact_ipv6;
	w.cid_host = CHECK_HOST;
	w.boundary = CHECK_BOUNDARY;
	err = pint_svc_encode(&b, &sr, &w);
	pint_svc_body_reset(&b);
	switch (err) {
	case 0:
	case ENOMEM:
		return err;
	case EMSGSIZE:
		/* the body was within limits: it is a value PINT cannot carry */
		web_json_err_set(e, 422, "too_large", NULL,
				 "the %s service request exceeds what PINT can carry "
				 "(a URL over %u bytes, or too much content)",
				 spec->def.name, (unsigned)PINT_SVC_MAX_REF);
		return EBADMSG;
	default:
		encode_hint(spec, e);
		return EBADMSG;
	}
}

/*
 * The stored form: the normalised body, made independent of what a reload
 * may change. A number the default context resolved is written in its
 * E.164 form (the SDP carries only that form, so the INVITE is the same),
 * and a local one gets its context written in; the key's default A party
 * is written in too. Recovery then dials what was accepted, whatever the
 * configuration says by then. (A local A party next to a number with an
 * E.164 form keeps depending on the default context.)
 */
static int make_json(struct gw_spec *spec, const struct web_req *req,
		     bool from_defaulted)
{
	struct web_req *w;
	bool ctx_default = !opt(req->phone_context);
	int err;

	/* a shallow copy: its content bodies are req's, never freed here */
	w = malloc(sizeof(*w));
	if (!w)
		return ENOMEM;
	memcpy(w, req, sizeof(*w));
	if (ctx_default && spec->to.kind == PINT_TEL_NATIONAL)
		snprintf(w->to, sizeof(w->to), "%s", spec->to.e164);
	if (ctx_default && spec->to.kind == PINT_TEL_LOCAL)
		snprintf(w->phone_context, sizeof(w->phone_context), "%s",
			 spec->to.context);
	if (from_defaulted)
		snprintf(w->from, sizeof(w->from), "%s", spec->from_input);
	if (ctx_default && spec->from.kind == PINT_TEL_NATIONAL)
		snprintf(w->from, sizeof(w->from), "%s", spec->from.e164);
	err = web_resource_req_encode(&spec->json, &spec->json_len, w);
	if (!err && w->has_webhook)
		err = web_resource_req_webhook(&spec->webhook_json, NULL, w);
	free(w);
	return err;
}

static int build(struct gw_spec **specp, const struct web_req *req,
		 const struct gw_conf *conf, const struct owner *o,
		 struct web_json_err *e)
{
	struct gw_spec *spec;
	bool from_defaulted = false;
	int err;

	*specp = NULL;
	if (!req || !conf || !e)
		return EINVAL;
	spec = calloc(1, sizeof(*spec));
	if (!spec)
		return ENOMEM;
	err = resolve_service(spec, req, conf, e);
	if (!err)
		err = resolve_parties(spec, req, conf, o, &from_defaulted, e);
	if (!err)
		err = copy_items(spec, req, e);
	if (!err)
		err = copy_options(spec, req, conf, o);
	if (!err)
		err = check_encode(spec, conf, e);
	if (!err)
		err = make_json(spec, req, from_defaulted);
	if (err == EINVAL) {
		web_json_err_set(e, 422, "invalid_request", NULL,
				 "the request cannot be expressed as a PINT service request");
		err = EBADMSG;
	}
	if (err) {
		gw_spec_free(spec);
		return err;
	}
	*specp = spec;
	return 0;
}

/*
 * Resolve req for the caller's key (owner = key->name) against conf.
 * 0 and a new *specp; EBADMSG with e filled (reply e->status: 400
 * invalid_number; 422 unknown_service, unknown_gateway, from_required,
 * content_required, content_not_allowed, too_large, invalid_request);
 * ENOMEM; EINVAL for missing arguments. Nothing is kept
 * from req, conf or key.
 */
int gw_spec_build(struct gw_spec **specp, const struct web_req *req,
		  const struct gw_conf *conf, const struct gw_conf_key *key,
		  struct web_json_err *e)
{
	struct owner o = {key ? key->name : NULL, key};

	if (!specp)
		return EINVAL;
	*specp = NULL;
	if (!key)
		return EINVAL;
	return build(specp, req, conf, &o, e);
}

static int from_text(struct gw_spec **specp, const char *json, size_t len,
		     const struct gw_conf *conf, const struct owner *o,
		     struct web_json_err *e)
{
	struct web_req *req;
	int err;

	if (!specp)
		return EINVAL;
	*specp = NULL;
	if (!json || !conf || !e)
		return EINVAL;
	req = malloc(sizeof(*req));
	if (!req)
		return ENOMEM;
	err = web_req_parse(req, json, len, e);
	if (!err) {
		err = build(specp, req, conf, o, e);
		web_req_reset(req);
	}
	free(req);
	return err;
}

/*
 * The spec of a stored request (gw_spec.json) for key, as gw_spec_build
 * made it; key NULL leaves spec->owner NULL and takes every default from
 * conf. Same results as gw_spec_build (EBADMSG: the text no longer
 * validates or no longer resolves, e.g. its service was removed).
 */
int gw_spec_from_json(struct gw_spec **specp, const char *json, size_t len,
		      const struct gw_conf *conf, const struct gw_conf_key *key,
		      struct web_json_err *e)
{
	struct owner o = {key ? key->name : NULL, key};

	return from_text(specp, json, len, conf, &o, e);
}

/*
 * Recovery: the spec of a stored request of owner (the row's owner). The
 * key of that name supplies its defaults if conf still has it; when a
 * reload removed it, the owner name stays and the defaults are conf's
 * (the A party and the numbers' contexts are in the JSON already, see
 * make_json; e= becomes the configured requestor address).
 */
int gw_spec_recover(struct gw_spec **specp, const char *json, size_t len,
		    const struct gw_conf *conf, const char *owner,
		    struct web_json_err *e)
{
	struct owner o = {owner, gw_conf_key(conf, owner)};

	if (!owner) {
		if (specp)
			*specp = NULL;
		return EINVAL;
	}
	return from_text(specp, json, len, conf, &o, e);
}

/*
 * The pint/service view of spec: every pointer into spec, which must
 * outlive every use of out (pint/ua keeps it for the call's life).
 */
void gw_spec_svc_req(const struct gw_spec *spec, struct pint_svc_req *out)
{
	memset(out, 0, sizeof(*out));
	out->def = &spec->def;
	out->to = &spec->to;
	out->from = spec->from.kind != PINT_TEL_NONE ? &spec->from : NULL;
	out->items = spec->items;
	out->nitems = spec->nitems;
	out->phone_context = spec->phone_context;
	out->clir = spec->clir;
	out->lang = spec->lang;
	out->require = (const char *const *)spec->require;
	out->nrequire = spec->nrequire;
	out->start = spec->start_at > 0 ? (uint64_t)spec->start_at / 1000u : 0;
	out->stop = spec->stop_at > 0 ? (uint64_t)spec->stop_at / 1000u : 0;
	out->email = spec->email;
}

/*
 * Hand item idx its fetched body: it becomes an inline item and spec owns
 * body (of len bytes, NUL-terminated beyond them, as every item's data).
 * EINVAL (nothing taken) when idx is no item still to be fetched or the
 * body is empty (an inline part cannot be).
 */
int gw_spec_set_fetched(struct gw_spec *spec, size_t idx, char *body,
			size_t len)
{
	if (!spec || !body || !len || idx >= spec->nitems ||
	    idx >= PINT_SVC_MAX_ITEMS || !(spec->fetch_left & (1u << idx)))
		return EINVAL;
	spec->fetched[idx] = body;
	spec->items[idx].src = PINT_SVC_INLINE;
	spec->items[idx].data = body;
	spec->items[idx].len = len;
	spec->fetch_left &= ~(1u << idx);
	return 0;
}

/*
 * gw_spec_svc_req with the items copied into items (caller's, which must
 * live as long as out) and each item still to be fetched shown as the
 * inline part it will become, holding GW_SPEC_FETCH_PLACEHOLDER: the
 * shape of the INVITE to come, for the create check and dry runs.
 */
void gw_spec_svc_preview(const struct gw_spec *spec,
			 struct pint_svc_item items[PINT_SVC_MAX_ITEMS],
			 struct pint_svc_req *out)
{
	size_t i;

	gw_spec_svc_req(spec, out);
	if (!spec->fetch_left || spec->nitems > PINT_SVC_MAX_ITEMS)
		return;
	for (i = 0; i < spec->nitems; i++) {
		items[i] = spec->items[i];
		if (!(spec->fetch_left & (1u << i)))
			continue;
		items[i].src = PINT_SVC_INLINE;
		items[i].data = GW_SPEC_FETCH_PLACEHOLDER;
		items[i].len = sizeof(GW_SPEC_FETCH_PLACEHOLDER) - 1;
	}
	out->items = items;
}
