/*
 * gateway/api_click.c — POST /v1/click (API.md "Public click-to-call
 * widget"): a request made without an API key, on a signed click token,
 * for the key that signed it; the per-address limit and the count of
 * each token's uses.
 *
 * Order of a click's checks: 415 Content-Type, 400 query, 400 body,
 * 401 invalid_token (format, signature, unknown key or no secret, a
 * lifetime over [click] max_ttl), 401 token_expired, 403
 * origin_not_allowed, 403 destination_not_allowed, 403 token_used_up,
 * 429 rate_limited (the client address), then the create of
 * POST /v1/requests as the token's key from its scope check on
 * (api_create.c): 403 scope, 503 draining, 429 the key's rate, 400/422
 * numbers, then the rest of the abuse policy (gateway/policy.c: number
 * rules, quiet hours, destination cooldown and daily cap, concurrency),
 * refused with its rule and counted as for any create.
 *
 * Uses: a token with "max" is counted by jti, in memory, from the
 * store's counts at start plus every click under way; each create
 * queues its use right behind the request's own writes, so both land in
 * one transaction, and a create that fails gives it back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api_int.h"
#include "gateway/log.h"
#include "pint/tel.h"

#define PRUNE_EVERY_S 1         /* full table: prune expired at most this often */

_Static_assert(sizeof(((struct web_req *)0)->service) > GW_CLICK_NAME_MAX &&
	       sizeof(((struct web_req *)0)->from) > GW_CLICK_NUMBER_MAX &&
	       sizeof(((struct web_req *)0)->to) ==
	       sizeof(((struct web_req_click *)0)->to),
	       "a token's fields fit a request's");

/* ---- routes ---- */

#define CLICK "/v1/click"

/*
 * /v1/click, /v1/click/{id} and /v1/click/{id}/events; false for any
 * other path (api_match() goes on).
 */
bool api_click_match(struct api_match *m, const char *method,
		     const char *path)
{
	bool get = !strcmp(method, "GET");
	const char *rest, *slash;
	size_t n;

	if (!strcmp(path, CLICK)) {
		m->route = ROUTE_CLICK;
		m->allow = "POST";
		m->op = !strcmp(method, "POST") ? OP_CLICK : OP_NONE;
		return true;
	}
	if (strncmp(path, CLICK "/", sizeof(CLICK)))
		return false;
	rest = path + sizeof(CLICK);
	slash = strchr(rest, '/');
	n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (!n || (slash && strcmp(slash, "/events")))
		return true;    /* route NONE: 404 */
	m->route = slash ? ROUTE_CLICK_EVENTS : ROUTE_CLICK_ITEM;
	m->allow = "GET";
	m->op = !get ? OP_NONE : slash ? OP_CLICK_EVENTS : OP_CLICK_GET;
	m->id_ok = api_id_ok(rest, n);
	if (m->id_ok) {
		memcpy(m->id, rest, n);
		m->id[n] = '\0';
	}
	return true;
}

/* ---- secrets ---- */

/*
 * gw_click_secret_h on the api: the secret of a key that exists now
 * (deps.auth) and has one (deps.secrets); ENOENT otherwise.
 */
int api_click_secret(const char *name, const uint8_t **secretp,
		     size_t *lenp, void *arg)
{
	struct gw_api *api = arg;

	if (!gw_auth_find(api->d->auth, name))
		return ENOENT;
	return gw_secrets_get(api->d->secrets, name, secretp, lenp);
}

/* ---- per client address ---- */

static bool ip_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	(void)arg;
	return !memcmp(((const struct api_ip *)n)->addr, key, 16);
}

/* The bucket's key: IPv4 as mapped, IPv6 by its /64 (one site's). */
static void ip_key(uint8_t out[16], const char *client)
{
	struct in_addr a4;

	memset(out, 0, 16);
	if (inet_pton(AF_INET, client, &a4) == 1) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, client, out) == 1) {
		memset(out + 8, 0, 8);
	}
}

static void ip_unlink(struct gw_api *api, struct api_ip *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		api->ip_head = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else
		api->ip_tail = b->prev;
	b->prev = b->next = NULL;
}

static void ip_front(struct gw_api *api, struct api_ip *b)
{
	b->next = api->ip_head;
	if (api->ip_head)
		api->ip_head->prev = b;
	api->ip_head = b;
	if (!api->ip_tail)
		api->ip_tail = b;
}

/* The address's bucket, new ones full; the idlest goes when full. */
static struct api_ip *ip_get(struct gw_api *api, const uint8_t addr[16],
			     double burst, uint64_t now_ms)
{
	uint64_t h = pint_hash_sip(api->sipkey, addr, 16);
	struct api_ip *b;

	b = (struct api_ip *)pint_hash_find(&api->ips, h, ip_eq, addr, NULL);
	if (b) {
		ip_unlink(api, b);
		ip_front(api, b);
		return b;
	}
	if (pint_hash_count(&api->ips) >= API_CLICK_IPS_MAX && api->ip_tail) {
		b = api->ip_tail;
		ip_unlink(api, b);
		pint_hash_remove(&api->ips, &b->node);
		memset(b, 0, sizeof(*b));
	} else {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
	}
	memcpy(b->addr, addr, 16);
	b->tokens = burst;
	b->last_ms = now_ms;
	if (pint_hash_insert(&api->ips, &b->node, h)) {
		free(b);
		return NULL;
	}
	ip_front(api, b);
	return b;
}

/*
 * Take a click from the client's bucket ([click] rate_per_ip,
 * burst_per_ip). false with *retry_s (whole seconds, at least 1) when it
 * is empty. Without memory the click is not refused for it.
 */
bool api_click_ip_take(struct gw_api *api, const char *client,
		       uint64_t now_ms, unsigned *retry_s)
{
	const struct gw_conf_click *cc = &api->d->conf->click;
	double burst = cc->burst_per_ip, need;
	uint8_t addr[16];
	struct api_ip *b;

	if (cc->rate_per_ip <= 0)
		return true;
	ip_key(addr, client ? client : "");
	b = ip_get(api, addr, burst, now_ms);
	if (!b)
		return true;
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * cc->rate_per_ip /
			     1000.0;
		b->last_ms = now_ms;
	}
	if (b->tokens > burst)
		b->tokens = burst;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	need = (1.0 - b->tokens) / cc->rate_per_ip;
	*retry_s = (unsigned)need;
	if ((double)*retry_s < need || !*retry_s)
		(*retry_s)++;
	return false;
}

/* ---- uses of tokens ---- */

static bool use_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	(void)arg;
	return !strcmp(((const struct api_use *)n)->jti, key);
}

static struct api_use *use_find(struct gw_api *api, const char *jti)
{
	uint64_t h = pint_hash_sip(api->sipkey, jti, strlen(jti));

	return (struct api_use *)pint_hash_find(&api->uses, h, use_eq, jti,
						 NULL);
}

static void use_free(struct gw_api *api, struct api_use *u)
{
	if (u->prev)
		u->prev->next = u->next;
	else
		api->use_list = u->next;
	if (u->next)
		u->next->prev = u->prev;
	pint_hash_remove(&api->uses, &u->node);
	free(u);
}

/* Forget the tokens that cannot be used any more (expired by now_s). */
static void use_prune(struct gw_api *api, int64_t now_s)
{
	struct api_use *u, *next;

	api->use_pruned_s = now_s;
	for (u = api->use_list; u; u = next) {
		next = u->next;
		if (u->exp <= now_s)
			use_free(api, u);
	}
}

/* jti's entry, a new one at 0 uses; NULL without memory or room. */
static struct api_use *use_get(struct gw_api *api, const char *jti,
			       int64_t exp, int64_t now_s)
{
	struct api_use *u = use_find(api, jti);
	size_t n = strlen(jti);

	if (u)
		return u;
	if (n >= sizeof(u->jti))
		return NULL;
	if (pint_hash_count(&api->uses) >= API_CLICK_USES_MAX &&
	    now_s >= api->use_pruned_s + PRUNE_EVERY_S)
		use_prune(api, now_s);
	if (pint_hash_count(&api->uses) >= API_CLICK_USES_MAX)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	memcpy(u->jti, jti, n + 1);
	u->exp = exp;
	if (pint_hash_insert(&api->uses, &u->node,
			     pint_hash_sip(api->sipkey, jti, n))) {
		free(u);
		return NULL;
	}
	u->next = api->use_list;
	if (api->use_list)
		api->use_list->prev = u;
	api->use_list = u;
	return u;
}

/* Uses of the token jti, committed and under way (0: none known). */
uint32_t api_click_uses(struct gw_api *api, const char *jti)
{
	struct api_use *u = use_find(api, jti);

	return u ? u->uses : 0;
}

static void use_done(int err, void *arg)
{
	(void)arg;
	if (err)
		log_warn("api: a click token's use was not stored: %s",
			 strerror(err));
}

/*
 * c's request is queued in the store: count its token's use, and queue
 * the use behind the request's writes (one transaction).
 */
void api_click_started(struct gw_api *api, const struct api_create *c)
{
	struct gw_store_click_use row;
	struct api_use *u;
	int err;

	if (!c->use.max)
		return;
	u = use_get(api, c->use.jti, c->use.exp, api_wall_ms() / 1000);
	if (u)
		u->uses++;
	memset(&row, 0, sizeof(row));
	row.jti = (char *)(uintptr_t)c->use.jti;
	row.owner = (char *)(uintptr_t)c->owner;
	row.uses = 1;
	row.expires_at = c->use.exp;
	err = gw_store_add_click_use(api->d->store, &row, use_done, NULL);
	if (err)
		use_done(err, NULL);
}

/* c's request was not created after all: its use is given back. */
void api_click_failed(struct gw_api *api, const struct api_create *c)
{
	struct api_use *u;

	if (!c->use.max)
		return;
	u = use_find(api, c->use.jti);
	if (u && u->uses)
		u->uses--;
}

struct seed {
	struct gw_api *api;
	int64_t now_s;
};

static int seed_use(struct gw_store_click_use *row, void *arg)
{
	struct seed *sd = arg;
	struct api_use *u = use_get(sd->api, row->jti, row->expires_at,
				    sd->now_s);

	if (!u)
		return ENOMEM;
	u->uses += row->uses;
	return 0;
}

/*
 * The uses of tokens still valid, from the store (once, before the loop
 * runs); the rows of expired ones are purged first. 0 or a store errno.
 */
int api_click_seed(struct gw_api *api)
{
	struct seed sd = {api, api_wall_ms() / 1000};
	unsigned n = 0;
	int err;

	err = gw_store_purge_click_uses(api->d->store, sd.now_s, &n);
	if (!err && n)
		log_info("api: %u expired click tokens forgotten", n);
	if (!err)
		err = gw_store_scan_click_uses(api->d->store, sd.now_s,
					       seed_use, &sd);
	return err;
}

static void ip_drop(struct pint_hash_node *n, void *arg)
{
	(void)arg;
	free(n);
}

/* Shutdown: the buckets and counts go. */
void api_click_free_all(struct gw_api *api)
{
	struct api_use *u, *next;

	for (u = api->use_list; u; u = next) {
		next = u->next;
		free(u);
	}
	api->use_list = NULL;
	pint_hash_reset(&api->uses, NULL, NULL);
	pint_hash_reset(&api->ips, ip_drop, NULL);
	api->ip_head = api->ip_tail = NULL;
}

/* ---- POST /v1/click ---- */

static void refuse(struct gw_api *api, struct web_http_req *req,
		   enum gw_metrics_click why, int status, const char *code,
		   const char *field, const char *msg)
{
	api->counters.clicks[why]++;
	api_reply_code(req, status, code, field, "%s", msg);
}

/* Content-Type, query, body: false once replied. */
static bool click_body(struct web_http_req *req, struct web_req_click *ck)
{
	struct web_json_err e;
	const char *name, *value, *body;
	size_t len;
	int err;

	if (!api_ctype_json(web_http_req_header(req, "Content-Type"))) {
		api_reply_code(req, 415, "unsupported_media_type", "",
			       "the body must be application/json");
		return false;
	}
	if (!web_http_req_query_at(req, 0, &name, &value)) {
		api_reply_code(req, 400, "unknown_parameter", name,
			       "unknown query parameter");
		return false;
	}
	body = web_http_req_body(req, &len);
	err = web_req_click_parse(ck, body, len, &e);
	if (err == ENOMEM)
		web_json_err_set(&e, 503, "unavailable", "",
				 "out of memory, try again");
	if (err) {
		api_reply_err(req, &e);
		return false;
	}
	return true;
}

/* The token and what it allows: false once replied. */
static bool click_token(struct gw_api *api, struct web_http_req *req,
			const struct web_req_click *ck, struct gw_click *tok)
{
	const struct gw_conf *conf = api->d->conf;
	int64_t now_s = api_wall_ms() / 1000;
	struct api_use *u;
	struct pint_tel tel;
	struct pint_tel_error why;
	bool e164;
	int err;

	err = gw_click_verify(tok, ck->token, strlen(ck->token), now_s,
			      api_click_secret, api);
	if (err == ENOMEM) {
		web_http_reply_json(req, 503, API_E503);
		return false;
	}
	if (err == ETIMEDOUT) {
		refuse(api, req, GW_METRICS_CLICK_EXPIRED, 401,
		       "token_expired", "token", "the click token has "
		       "expired");
		return false;
	}
	if (!err && tok->exp - now_s > (int64_t)conf->click.max_ttl)
		err = ERANGE;
	if (err) {
		log_debug("api: click token refused: %s", err == ERANGE ?
			  "valid longer than [click] max_ttl" : strerror(err));
		refuse(api, req, GW_METRICS_CLICK_INVALID_TOKEN, 401,
		       "invalid_token", "token",
		       "not a valid click token");
		return false;
	}
	if (!gw_click_origin_ok(tok, web_http_req_header(req, "Origin"))) {
		refuse(api, req, GW_METRICS_CLICK_ORIGIN, 403,
		       "origin_not_allowed", "", "the click token is not "
		       "valid on this page's origin");
		return false;
	}
	e164 = !pint_tel_parse(&tel, ck->to, strlen(ck->to),
			       conf->main.default_context, "to", &why) &&
	       tel.e164[0];
	if (!gw_click_to_ok(tok, e164 ? tel.e164 : NULL)) {
		refuse(api, req, GW_METRICS_CLICK_DESTINATION, 403,
		       "destination_not_allowed", "to",
		       "the click token does not allow this number");
		return false;
	}
	if (!tok->max)
		return true;
	/* tracked from now on, so that its use cannot go uncounted */
	u = use_get(api, tok->jti, tok->exp, now_s);
	if (!u) {
		api_reply_code(req, 503, "unavailable", "", "too many click "
			       "tokens with a use limit are live, try again "
			       "later");
		return false;
	}
	if (u->uses >= tok->max) {
		refuse(api, req, GW_METRICS_CLICK_USED_UP, 403,
		       "token_used_up", "token",
		       "the click token has been used up");
		return false;
	}
	return true;
}

/* POST /v1/click: no API key; the token's key makes the request. */
void api_click(struct gw_api *api, struct web_http_req *req)
{
	struct api_create_in in;
	struct api_click_use use;
	struct web_req_click ck;
	struct gw_click tok;
	unsigned retry = 1;

	memset(&in, 0, sizeof(in));
	if (!click_body(req, &ck) || !click_token(api, req, &ck, &tok))
		return;
	if (!api_click_ip_take(api, web_http_req_client(req),
			       gw_loop_now(api->d->loop), &retry)) {
		api->counters.clicks[GW_METRICS_CLICK_RATE_LIMITED]++;
		api_too_many(req, "rate_limited", retry,
			     "too many clicks from this address");
		return;
	}
	in.key = gw_auth_find(api->d->auth, tok.key);
	if (!in.key) {          /* verified against it a moment ago */
		web_http_reply_json(req, 503, API_E503);
		return;
	}
	memset(&use, 0, sizeof(use));
	memcpy(use.jti, tok.jti, sizeof(use.jti));
	use.exp = tok.exp;
	use.max = tok.max;
	in.click = &use;
	in.wreq.track = true;
	memcpy(in.wreq.service, tok.service, strlen(tok.service) + 1);
	memcpy(in.wreq.to, ck.to, sizeof(in.wreq.to));
	memcpy(in.wreq.from, tok.from, strlen(tok.from) + 1);
	if (!api_create_allowed(api, req, &in) ||
	    !api_create_run(api, req, &in))
		api->counters.clicks[GW_METRICS_CLICK_KEY]++;
	web_req_reset(&in.wreq);
}
