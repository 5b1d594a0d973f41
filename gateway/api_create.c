/*
 * gateway/api_create.c — POST /v1/requests: checks, dry run, idempotency,
 * the create and its reply. A click (api_click.c) makes its request
 * through the same path, from its scope check on, as its key.
 *
 * Order of a create's checks, so a client always sees the same error for
 * the same mistake: 401 key, 415 Content-Type, 400 query, 400
 * Idempotency-Key syntax, 400/422 body, 403 scope, 503 draining, then
 * idempotency (replay or 409), 429 rate, 400/422 resolution
 * (gw_spec_build), 422 webhook without a key secret, then the rest of
 * the abuse policy (gateway/policy.c: 403 number rules, 429 quiet hours,
 * destination cooldown and daily cap, key concurrency). A dry run meets
 * the same rules without spending anything and shows the decision
 * (api_dry.c).
 *
 * Idempotency: the first reply cannot be known before the commit (the
 * request id and times come from gw_reqs), yet the key must be durable
 * in the same transaction as the request. So the row is written twice:
 * a placeholder (status 0) queued right behind gw_reqs_create()'s writes,
 * and the full reply after that commit; the 201 goes out only after the
 * second write. A placeholder found later (a crash in between) is
 * resolved by finding the request itself: same owner, created near the
 * placeholder, same normalised spec.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api_int.h"
#include "gateway/log.h"
#include "gateway/spec.h"

#define RECOVER_PAGES 8u        /* pages of 200 looked at, at most */

/* ---- the in-flight list ---- */

static void create_link(struct gw_api *api, struct api_create *c)
{
	c->prev = NULL;
	c->next = api->creates;
	if (api->creates)
		api->creates->prev = c;
	api->creates = c;
}

static void create_free(struct api_create *c)
{
	struct gw_api *api = c->api;

	if (c->prev)
		c->prev->next = c->next;
	else if (api->creates == c)
		api->creates = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->body);
	free(c->dups);
	free(c);
}

static struct api_create *create_find(struct gw_api *api, const char *owner,
				      const char *idem)
{
	struct api_create *c;

	for (c = api->creates; c; c = c->next)
		if (c->has_idem && !strcmp(c->owner, owner) &&
		    !strcmp(c->idem, idem))
			return c;
	return NULL;
}

/*
 * Shutdown, after web_http and gw_reqs are gone: no callback will come,
 * so the pending objects just go.
 */
void api_create_free_all(struct gw_api *api)
{
	while (api->creates)
		create_free(api->creates);
	api_cancel_free_all(api);
}

/* ---- helpers ---- */

_Static_assert(GW_STORE_HASH_LEN == GW_CONF_HASH_LEN, "one SHA-256 for both");

/*
 * A stored entry against this body's hash: 0 the same body (replay it,
 * or resolve its placeholder), EEXIST another body (409).
 */
int api_idem_check(const struct gw_store_idem *idem, const uint8_t *hash)
{
	return memcmp(idem->body_hash, hash, GW_STORE_HASH_LEN) ? EEXIST : 0;
}

static void location_of(char *buf, size_t size, const char *id)
{
	snprintf(buf, size, "/v1/requests/%s", id);
}

static void click_location_of(char *buf, size_t size, const char *id)
{
	snprintf(buf, size, "/v1/click/%s", id);
}

/* The Location of a stored reply: the "id" in its body. */
static void location_from_body(char *buf, size_t size, const char *body)
{
	json_t *j = body ? json_loads(body, 0, NULL) : NULL;
	const char *id = json_string_value(json_object_get(j, "id"));

	buf[0] = '\0';
	if (id && api_id_ok(id, strlen(id)))
		location_of(buf, size, id);
	json_decref(j);
}

static void reply_replay(struct gw_api *api, struct web_http_req *req,
			 const struct gw_store_idem *idem)
{
	char loc[GW_STORE_ID_MAX + 16];
	const char *body = idem->response ? idem->response : "";

	api->counters.replays++;
	location_from_body(loc, sizeof(loc), idem->response);
	if (loc[0])
		web_http_add_header(req, "Location", loc);
	web_http_add_header(req, "Idempotent-Replayed", "true");
	web_http_reply(req, (unsigned)idem->status_code, WEB_HTTP_CT_JSON,
		       body, strlen(body));
}

/* ---- the reply of a create ---- */

static void create_answer(struct api_create *c)
{
	const char *first[] = {"Location", c->location, NULL};
	const char *dup[] = {"Location", c->location, "Idempotent-Replayed",
			     "true", NULL};
	size_t i;

	api_late_reply(c->api, c->http_id, c->status, c->body, c->len,
		       c->location[0] ? first : NULL);
	for (i = 0; i < c->ndups; i++) {
		c->api->counters.replays++;
		api_late_reply(c->api, c->dups[i], c->status, c->body, c->len,
			       c->location[0] ? dup : &dup[2]);
	}
	create_free(c);
}

static void create_fail(struct api_create *c, const struct web_json_err *e)
{
	size_t i;

	api_late_err(c->api, c->http_id, e);
	for (i = 0; i < c->ndups; i++)
		api_late_err(c->api, c->dups[i], e);
	create_free(c);
}

/* The full idempotency row is on disk (or could not be written: the
 * placeholder then stands, see the module comment). */
static void idem_done(int err, void *arg)
{
	struct api_create *c = arg;

	if (err)
		log_warn("api: idempotency key of %s not stored: %s",
			 c->location, strerror(err));
	create_answer(c);
}

static void idem_put(struct gw_api *api, const char *owner, const char *key,
		     const uint8_t *hash, int status, const char *response,
		     int64_t created_ms, gw_store_done_h *h, void *arg,
		     int *errp)
{
	struct gw_store_idem row;

	memset(&row, 0, sizeof(row));
	row.owner = (char *)owner;
	row.key = (char *)key;
	memcpy(row.body_hash, hash, GW_STORE_HASH_LEN);
	row.status_code = status;
	row.response = (char *)response;
	row.created_at = created_ms;
	*errp = gw_store_put_idem(api->d->store, &row, h, arg);
}

/* gw_reqs_created_h: the request and its placeholder are committed. */
static void created(int err, const struct gw_store_req *row, void *arg)
{
	struct api_create *c = arg;
	struct web_json_err e;

	if (err || !row) {
		gw_policy_live_add(c->api->policy, c->owner, -1);
		if (c->click)
			api_click_failed(c->api, c);
		api_store_err(&e, err ? err : EIO);
		create_fail(c, &e);
		return;
	}
	gw_metrics_created(&c->api->counters, c->service);
	if (c->click) {
		c->api->counters.clicks[GW_METRICS_CLICK_ACCEPTED]++;
		click_location_of(c->location, sizeof(c->location), row->id);
		err = api_click_render(c->api, row, true, &c->body, &c->len);
	} else {
		location_of(c->location, sizeof(c->location), row->id);
		err = api_render(&c->body, &c->len, row);
	}
	if (err) {
		log_err("api: %s created, its resource not rendered: %s",
			row->id, strerror(err));
		web_json_err_set(&e, 503, "unavailable", "",
				 "the request %s was created; read it at %s",
				 row->id, c->location);
		create_fail(c, &e);
		return;
	}
	c->status = 201;
	c->done = true;
	if (!c->has_idem) {
		create_answer(c);
		return;
	}
	idem_put(c->api, c->owner, c->idem, c->hash, 201, c->body,
		 c->created_ms, idem_done, c, &err);
	if (err)
		idem_done(err, c);
}

/* gw_reqs_create() refused synchronously: its errno as an API error. */
static void create_err(struct web_json_err *e, int err)
{
	if (err == EAGAIN)
		web_json_err_set(e, 503, "overloaded", "",
				 "too many requests in flight, try again later");
	else
		api_store_err(e, err);
}

/* ---- recovery of a placeholder ---- */

/*
 * The request a placeholder stands for: owner's, created within
 * API_RECOVER_WINDOW_MS of it, with the same normalised spec. 0 with
 * *row filled, ENOENT, or a store errno.
 */
static int recover_find(struct gw_api *api, const char *owner,
			int64_t at, const struct gw_spec *spec,
			struct gw_store_req *row)
{
	struct gw_store_filter f;
	struct gw_store_page page;
	char cursor[GW_STORE_CURSOR_MAX] = "";
	unsigned pages;
	size_t i;
	int err;

	memset(&f, 0, sizeof(f));
	f.owner = owner;
	f.created_after = at - API_RECOVER_WINDOW_MS;
	f.created_before = at + API_RECOVER_WINDOW_MS;
	f.limit = GW_STORE_LIST_MAX;
	for (pages = 0; pages < RECOVER_PAGES; pages++) {
		f.cursor = cursor[0] ? cursor : NULL;
		err = gw_store_list(api->d->store, &f, &page);
		if (err)
			return err;
		for (i = 0; i < page.n; i++) {
			if (page.v[i].spec && spec->json &&
			    !strcmp(page.v[i].spec, spec->json)) {
				*row = page.v[i];
				memset(&page.v[i], 0, sizeof(page.v[i]));
				gw_store_page_clear(&page);
				return 0;
			}
		}
		memcpy(cursor, page.next_cursor, sizeof(cursor));
		gw_store_page_clear(&page);
		if (!cursor[0])
			break;
	}
	return ENOENT;
}

/* true when the placeholder's request was found and replied. */
static bool recover(struct gw_api *api, struct web_http_req *req,
		    const struct gw_store_idem *idem, const struct gw_spec *spec)
{
	struct gw_store_req row;
	struct web_json_err e;
	char loc[GW_STORE_ID_MAX + 16];
	char *body = NULL;
	size_t len = 0;
	int err;

	memset(&row, 0, sizeof(row));
	err = recover_find(api, idem->owner, idem->created_at, spec, &row);
	if (err == ENOENT)
		return false;   /* never committed with it: create afresh */
	if (!err)
		err = api_render(&body, &len, &row);
	if (err) {
		api_store_err(&e, err);
		api_reply_err(req, &e);
	} else {
		api->counters.replays++;
		log_info("api: idempotency key of %s recovered", row.id);
		location_of(loc, sizeof(loc), row.id);
		idem_put(api, idem->owner, idem->key, idem->body_hash, 201,
			 body, idem->created_at, NULL, NULL, &err);
		web_http_add_header(req, "Location", loc);
		web_http_add_header(req, "Idempotent-Replayed", "true");
		web_http_reply(req, 201, WEB_HTTP_CT_JSON, body, len);
	}
	free(body);
	gw_store_req_clear(&row);
	return true;
}

/* ---- POST /v1/requests ---- */

/*
 * The key may use the service, and pintgw takes creates: false once
 * replied (403 insufficient_scope, 503 shutting_down).
 */
bool api_create_allowed(struct gw_api *api, struct web_http_req *req,
			struct api_create_in *in)
{
	in->scope = api_service_scope(api->d->conf, in->wreq.service);
	if (in->scope ? !gw_auth_has_scope(in->key, in->scope) :
	    !(in->key->scopes & (GW_CONF_SCOPE_CALL | GW_CONF_SCOPE_FAX |
				 GW_CONF_SCOPE_CONTENT))) {
		api_reply_code(req, 403, "insufficient_scope", "service",
			       "service: the API key lacks the scope '%s'",
			       in->scope ? in->scope : "call");
		return false;
	}
	if (api->draining && !in->dry_run) {
		api_reply_code(req, 503, "shutting_down", "",
			       "pintgw is shutting down");
		return false;
	}
	return true;
}

/* Checks up to and including the scope; false once replied. */
static bool create_checks(struct gw_api *api, struct web_http_req *req,
			  struct api_create_in *in)
{
	struct web_json_err e;
	const char *name, *value, *body;
	size_t i, len;
	int err;

	in->key = api_auth(api, req);
	if (!in->key)
		return false;
	if (!api_ctype_json(web_http_req_header(req, "Content-Type"))) {
		api_reply_code(req, 415, "unsupported_media_type", "",
			       "the body must be application/json");
		return false;
	}
	for (i = 0; !web_http_req_query_at(req, i, &name, &value); i++) {
		if (web_req_create_set(&in->dry_run, name, value, &e)) {
			api_reply_err(req, &e);
			return false;
		}
	}
	in->idem = web_http_req_header(req, "Idempotency-Key");
	if (in->idem && !api_idem_key_ok(in->idem)) {
		api_reply_code(req, 400, "invalid_header", "Idempotency-Key",
			       "Idempotency-Key: expected 1 to %u characters "
			       "of A-Z a-z 0-9 _ : . -", API_IDEM_KEY_MAX);
		return false;
	}
	body = web_http_req_body(req, &len);
	err = web_req_parse(&in->wreq, body, len, &e);
	if (err == ENOMEM)
		web_json_err_set(&e, 503, "unavailable", "",
				 "out of memory, try again");
	if (err) {
		api_reply_err(req, &e);
		return false;
	}
	if (in->idem && gw_auth_sha256(body, len, in->hash)) {
		web_http_reply_json(req, 503, API_E503);
		return false;
	}
	return api_create_allowed(api, req, in);
}

enum idem_state { IDEM_NONE, IDEM_DONE, IDEM_PLACEHOLDER };

/* Idempotency before anything is created: replayed, 409, or go on. */
static enum idem_state idem_lookup(struct gw_api *api,
				   struct web_http_req *req,
				   const struct api_create_in *in,
				   struct gw_store_idem *idem)
{
	struct api_create *c;
	struct web_json_err e;
	uint64_t *dups;
	int err;

	c = create_find(api, in->key->name, in->idem);
	if (c) {
		if (memcmp(c->hash, in->hash, GW_STORE_HASH_LEN))
			goto conflict;
		/* the same create in flight: answer both alike */
		dups = realloc(c->dups, (c->ndups + 1) * sizeof(*dups));
		if (!dups || web_http_suspend(req, &dups[c->ndups])) {
			if (dups)
				c->dups = dups;
			web_http_reply_json(req, 503, API_E503);
			return IDEM_DONE;
		}
		c->dups = dups;
		c->ndups++;
		return IDEM_DONE;
	}
	err = gw_store_get_idem(api->d->store, in->key->name, in->idem,
				api_wall_ms(), idem);
	if (err == ENOENT)
		return IDEM_NONE;
	if (err) {
		api_store_err(&e, err);
		api_reply_err(req, &e);
		return IDEM_DONE;
	}
	if (api_idem_check(idem, in->hash))
		goto conflict;
	if (!idem->status_code)
		return IDEM_PLACEHOLDER;
	reply_replay(api, req, idem);
	return IDEM_DONE;
conflict:
	api->counters.conflicts++;
	api_reply_code(req, 409, "idempotency_conflict", "Idempotency-Key",
		       "Idempotency-Key: already used with another body");
	return IDEM_DONE;
}

/* Hand spec to gw_reqs and count the create: its key's live requests,
 * its destination's dials, a click's use of its token. Replies itself on
 * failure; true when the create is under way (its reply follows). */
static bool create_start(struct gw_api *api, struct web_http_req *req,
			 const struct api_create_in *in, struct gw_spec *spec)
{
	char dest[PINT_TEL_E164_SIZE];
	struct api_create *c;
	struct web_json_err e;
	int err;

	if (!api->d->reqs) {
		gw_spec_free(spec);
		api_reply_code(req, 503, "unavailable", "",
			       "requests are not accepted yet");
		return false;
	}
	c = calloc(1, sizeof(*c));
	if (!c || web_http_suspend(req, &c->http_id)) {
		free(c);
		gw_spec_free(spec);
		web_http_reply_json(req, 503, API_E503);
		return false;
	}
	c->api = api;
	c->click = in->click != NULL;
	if (in->click)
		c->use = *in->click;
	snprintf(c->owner, sizeof(c->owner), "%s", in->key->name);
	snprintf(c->service, sizeof(c->service), "%s", in->wreq.service);
	c->has_idem = in->idem != NULL;
	if (in->idem) {
		snprintf(c->idem, sizeof(c->idem), "%s", in->idem);
		memcpy(c->hash, in->hash, GW_STORE_HASH_LEN);
	}
	c->created_ms = api_wall_ms();
	create_link(api, c);
	/* the spec is gw_reqs' from the call on */
	snprintf(dest, sizeof(dest), "%s", spec->to.e164);
	err = gw_reqs_create(api->d->reqs, spec, created, c);
	if (err) {
		create_err(&e, err);
		create_fail(c, &e);
		return false;
	}
	gw_policy_live_add(api->policy, c->owner, 1);
	if (dest[0] && gw_policy_record(api->policy, dest, c->created_ms,
					c->created_ms))
		log_warn("api: %s: dial not counted: %s", c->owner,
			 strerror(ENOMEM));
	if (c->click)
		api_click_started(api, c);      /* the same transaction */
	if (c->has_idem) {
		/* behind the request's writes: the same transaction */
		idem_put(api, c->owner, c->idem, c->hash, 0, NULL,
			 c->created_ms, NULL, NULL, &err);
		if (err)
			log_warn("api: idempotency placeholder not queued: %s",
				 strerror(err));
	}
	return true;
}

/* 429 with Retry-After. */
void api_too_many(struct web_http_req *req, const char *code,
		  unsigned retry, const char *msg)
{
	char rbuf[16];

	snprintf(rbuf, sizeof(rbuf), "%u", retry);
	web_http_add_header(req, "Retry-After", rbuf);
	api_reply_code(req, 429, code, "", "%s", msg);
}

/*
 * A policy refusal in the API error shape with its rule (and
 * Retry-After on a 429), counted by rule. Logged without the number:
 * the message has it unmasked.
 */
static void api_refuse(struct gw_api *api, struct web_http_req *req,
		       const char *owner, const struct gw_policy_verdict *v)
{
	struct web_json_err e;
	char rbuf[16];

	log_debug("api: create refused: key=%s rule=%s status=%d field=%s",
		  owner, gw_policy_rule_name(v->rule), v->status,
		  v->field[0] ? v->field : "-");
	gw_policy_count(api->policy, v->rule);
	if (v->rule == GW_POLICY_RATE_LIMIT || v->rule == GW_POLICY_CONCURRENCY)
		api->counters.rate_limited++;
	if (v->status == 429) {
		snprintf(rbuf, sizeof(rbuf), "%u", v->retry_s);
		web_http_add_header(req, "Retry-After", rbuf);
	}
	web_json_err_set(&e, v->status, v->code, v->field, "%s", v->message);
	web_json_err_rule(&e, gw_policy_rule_name(v->rule));
	api_reply_err(req, &e);
}

/*
 * Whether the key can sign webhooks: the pipeline's view of its secret,
 * else the daemon's table of secrets, else (tests) secret_env now.
 */
static bool key_can_sign(struct gw_api *api, const struct gw_conf_key *k)
{
	const uint8_t *v;
	const char *s;
	size_t n;

	if (api->d->hooks)
		return gw_hooks_has_secret(api->d->hooks, k->name);
	if (api->d->secrets)
		return !gw_secrets_get(api->d->secrets, k->name, &v, &n);
	return !gw_secret_env(k, &s, &n);
}

/* The policy's rules after the rate, on the resolved numbers, now. */
static void policy_check(struct gw_api *api, const struct api_create_in *in,
			 const struct gw_spec *spec,
			 struct gw_policy_verdict *v)
{
	struct gw_policy_ask a;

	memset(&a, 0, sizeof(a));
	a.conf = api->d->conf;
	a.key = in->key->conf;
	a.to = &spec->to;
	a.from = spec->from.kind != PINT_TEL_NONE ? &spec->from : NULL;
	a.now_ms = api_wall_ms();
	a.start_at = spec->start_at;
	gw_policy_check(api->policy, &a, v);
}

/*
 * A checked create (api_create_allowed passed), from idempotency on:
 * replied now, or under way; true when a request is being created.
 */
bool api_create_run(struct gw_api *api, struct web_http_req *req,
		    struct api_create_in *in)
{
	struct gw_store_idem idem;
	struct gw_spec *spec = NULL;
	struct gw_policy_verdict v;
	struct web_json_err e;
	enum idem_state st = IDEM_NONE;
	bool started = false;
	int err;

	memset(&idem, 0, sizeof(idem));
	memset(&v, 0, sizeof(v));
	if (in->idem && !in->dry_run) {
		st = idem_lookup(api, req, in, &idem);
		if (st == IDEM_DONE)
			goto out;
	}
	/* before the body is resolved: bad bodies spend tokens too */
	if (in->dry_run || st == IDEM_NONE)
		gw_policy_rate(api->policy, in->key->conf,
			       gw_loop_now(api->d->loop), !in->dry_run, &v);
	if (v.rule && !in->dry_run) {
		api_refuse(api, req, in->key->name, &v);
		goto out;
	}
	err = gw_spec_build(&spec, &in->wreq, api->d->conf, in->key->conf, &e);
	if (err == ENOMEM)
		web_json_err_set(&e, 503, "unavailable", "",
				 "out of memory, try again");
	if (!err && spec->webhook_url && !key_can_sign(api, in->key->conf)) {
		web_json_err_set(&e, 422, "webhook_secret_missing", "webhook",
				 "the API key has no secret to sign webhooks "
				 "with (secret_env of [key %s])", in->key->name);
		err = EPERM;
	}
	if (err) {
		api_reply_err(req, &e);
		goto out;
	}
	/* a create that was committed before a crash is only replayed */
	if (st == IDEM_PLACEHOLDER && recover(api, req, &idem, spec))
		goto out;
	if (!v.rule)
		policy_check(api, in, spec, &v);
	if (in->dry_run) {
		api_dry_run(api, req, &in->wreq, spec, in->key, in->scope ?
			    in->scope : in->wreq.service, &v);
		goto out;
	}
	if (v.rule) {
		api_refuse(api, req, in->key->name, &v);
		goto out;
	}
	started = create_start(api, req, in, spec);
	spec = NULL;
out:
	gw_spec_free(spec);
	gw_store_idem_clear(&idem);
	return started;
}

/* POST /v1/requests (API.md "Create a service request"). */
void api_create(struct gw_api *api, struct web_http_req *req)
{
	struct api_create_in in;

	memset(&in, 0, sizeof(in));
	if (create_checks(api, req, &in))
		api_create_run(api, req, &in);
	web_req_reset(&in.wreq);
}
