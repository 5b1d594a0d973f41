/*
 * gateway/api.c — the api's life cycle and its front door: the route
 * table (404, 405 + Allow), API keys and scopes (401, 403), error replies
 * in the API.md shape, late replies by id, and a stored request rendered
 * as the resource. The routes themselves: api_create.c, api_read.c,
 * api_stream.c, api_cancel.c, api_click.c and api_click_view.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "gateway/api_int.h"
#include "gateway/log.h"

/* Wall clock in Unix ms: created_at of idempotency rows, their TTL. */
int64_t api_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- routes ---- */

#define PREFIX "/v1/requests"

/*
 * Match method and path (decoded, without the query) against API.md's
 * routes. route NONE: 404. op NONE with a route: 405, allow set. The {id}
 * segment is copied as sent; id_ok tells whether it can be an id at all
 * (ids are checked before the store is touched).
 */
void api_match(struct api_match *m, const char *method, const char *path)
{
	static const struct {
		const char *path;
		enum api_route route;
		enum api_op op;
	} fixed[] = {
		{ "/healthz", ROUTE_HEALTHZ, OP_HEALTHZ },
		{ "/readyz", ROUTE_READYZ, OP_READYZ },
		{ "/metrics", ROUTE_METRICS, OP_METRICS },
	};
	bool get = !strcmp(method, "GET");
	const char *rest, *slash;
	size_t i, n;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (strcmp(path, fixed[i].path))
			continue;
		m->route = fixed[i].route;
		m->op = get ? fixed[i].op : OP_NONE;
		m->allow = "GET";
		return;
	}
	if (api_click_match(m, method, path))
		return;
	if (!strcmp(path, PREFIX)) {
		m->route = ROUTE_COLLECTION;
		m->allow = "GET, POST";
		m->op = get ? OP_LIST : !strcmp(method, "POST") ? OP_CREATE :
			OP_NONE;
		return;
	}
	if (strncmp(path, PREFIX "/", sizeof(PREFIX)))
		return;
	rest = path + sizeof(PREFIX);
	slash = strchr(rest, '/');
	n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (!n)
		return;
	if (slash && !strcmp(slash, "/deliveries")) {
		m->route = ROUTE_DELIVERIES;
		m->allow = "GET";
		m->op = get ? OP_DELIVERIES : OP_NONE;
	} else if (slash) {
		if (strcmp(slash, "/events"))
			return;
		m->route = ROUTE_EVENTS;
		m->allow = "GET";
		m->op = get ? OP_EVENTS : OP_NONE;
	} else {
		m->route = ROUTE_ITEM;
		m->allow = "GET, DELETE";
		m->op = get ? OP_GET : !strcmp(method, "DELETE") ? OP_CANCEL :
			OP_NONE;
	}
	m->id_ok = api_id_ok(rest, n);
	if (m->id_ok) {
		memcpy(m->id, rest, n);
		m->id[n] = '\0';
	}
}

/* "rq_" and 1..API_ID_TAIL_MAX of [A-Za-z0-9_-] (gateway/requests.c). */
bool api_id_ok(const char *p, size_t len)
{
	size_t i;

	if (len < 4 || len > 3 + API_ID_TAIL_MAX || memcmp(p, "rq_", 3))
		return false;
	for (i = 3; i < len; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

static bool tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/*
 * Content-Type application/json (any case), parameters allowed; a
 * charset parameter, if any, must say utf-8 (RFC 8259 §8.1: JSON between
 * systems is UTF-8). Anything unparsable is not JSON.
 */
bool api_ctype_json(const char *ct)
{
	static const char json[] = "application/json";
	const char *name, *val;
	size_t nlen, vlen;
	bool quoted;

	if (!ct)
		return false;
	while (ows(*ct))
		ct++;
	if (strncasecmp(ct, json, sizeof(json) - 1))
		return false;
	ct += sizeof(json) - 1;
	for (;;) {
		while (ows(*ct))
			ct++;
		if (!*ct)
			return true;
		if (*ct++ != ';')
			return false;
		while (ows(*ct))
			ct++;
		for (name = ct; tchar(*ct); ct++)
			;
		nlen = (size_t)(ct - name);
		if (!nlen || *ct++ != '=')
			return false;
		quoted = *ct == '"';
		if (quoted) {
			for (val = ++ct; *ct && *ct != '"'; ct++)
				if (*ct == '\\' && ct[1])
					ct++;
			if (*ct != '"')
				return false;
			vlen = (size_t)(ct++ - val);
		} else {
			for (val = ct; tchar(*ct); ct++)
				;
			vlen = (size_t)(ct - val);
			if (!vlen)
				return false;
		}
		if (nlen == 7 && !strncasecmp(name, "charset", 7) &&
		    !(vlen == 5 && !strncasecmp(val, "utf-8", 5)))
			return false;
	}
}

/* 1..255 characters of [A-Za-z0-9_:.-] (API.md). */
bool api_idem_key_ok(const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++) {
		char c = p[i];

		if (i >= API_IDEM_KEY_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == ':' ||
		      c == '.' || c == '-'))
			return false;
	}
	return i > 0;
}

/*
 * The scope a create of service needs: its own name for the built-ins;
 * for a [service NAME] the scope of its kind (voice: call, fax: fax,
 * pager: content). NULL for a service nobody configured.
 */
const char *api_service_scope(const struct gw_conf *conf, const char *service)
{
	const struct gw_conf_service *svc;

	if (!strcmp(service, "call") || !strcmp(service, "fax") ||
	    !strcmp(service, "content"))
		return service;
	svc = gw_conf_service(conf, service);
	if (!svc)
		return NULL;
	switch (svc->proto) {
	case PINT_SDP_PROTO_VOICE:
		return "call";
	case PINT_SDP_PROTO_FAX:
		return "fax";
	case PINT_SDP_PROTO_PAGER:
		return "content";
	default:
		return NULL;
	}
}

/* ---- error replies ---- */

/* Reply e now; no memory for the body: a canned 503. */
void api_reply_err(struct web_http_req *req, const struct web_json_err *e)
{
	char *body = NULL;
	size_t len = 0;

	if (web_json_error_body(&body, &len, e) ||
	    web_http_reply(req, (unsigned)e->status, WEB_HTTP_CT_JSON, body,
			   len))
		web_http_reply_json(req, 503, API_E503);
	free(body);
}

/* Reply an error made of its parts; the message is printf-formatted. */
void api_reply_code(struct web_http_req *req, int status, const char *code,
		    const char *field, const char *fmt, ...)
{
	struct web_json_err e;
	char msg[WEB_JSON_MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	web_json_err_set(&e, status, code, field, "%s", msg);
	api_reply_err(req, &e);
}

/*
 * Reply to a suspended request. A client that left (ENOENT) is nobody's
 * concern; without memory for this reply it still gets a 503.
 */
void api_late_reply(struct gw_api *api, uint64_t http_id, unsigned status,
		    const char *body, size_t len, const char *const *hdrs)
{
	struct web_http *http = api->d->http;
	int err;

	if (!http || !http_id)
		return;
	err = web_http_resume_reply(http, http_id, status, WEB_HTTP_CT_JSON,
				    body, len, hdrs);
	if (err && err != ENOENT)
		web_http_resume_reply(http, http_id, 503, WEB_HTTP_CT_JSON,
				      API_E503, sizeof(API_E503) - 1,
				      NULL);
}

/* api_late_reply() of an error. */
void api_late_err(struct gw_api *api, uint64_t http_id,
		  const struct web_json_err *e)
{
	char *body = NULL;
	size_t len = 0;

	if (web_json_error_body(&body, &len, e))
		api_late_reply(api, http_id, 503, API_E503,
			       sizeof(API_E503) - 1, NULL);
	else
		api_late_reply(api, http_id, (unsigned)e->status, body, len,
			       NULL);
	free(body);
}

/* A store error as the 503 a client sees (logged here, once). */
void api_store_err(struct web_json_err *e, int err)
{
	if (err == ENOMEM) {
		web_json_err_set(e, 503, "unavailable", "",
				 "out of memory, try again");
		return;
	}
	log_warn("api: store: %s", strerror(err));
	web_json_err_set(e, 503, "store_unavailable", "",
			 "the store cannot be used now (%s)", strerror(err));
}

/* ---- keys and scopes ---- */

/*
 * The key of "Authorization: Bearer …", or NULL after replying 401 (with
 * WWW-Authenticate, RFC 6750 §3) or 503.
 */
const struct gw_auth_key *api_auth(struct gw_api *api,
				   struct web_http_req *req)
{
	const char *h = web_http_req_header(req, "Authorization");
	const struct gw_auth_key *key = NULL;
	int err;

	err = gw_auth_check(api->d->auth, h, &key);
	if (!err)
		return key;
	if (err == ENOMEM) {
		web_http_reply_json(req, 503, API_E503);
		return NULL;
	}
	api->counters.unauthorized++;
	web_http_add_header(req, "WWW-Authenticate", h ?
			    "Bearer realm=\"pintgw\", error=\"invalid_token\"" :
			    "Bearer realm=\"pintgw\"");
	api_reply_code(req, 401, "unauthorized", "", h ?
		       "the API key is not valid" :
		       "an API key is required (Authorization: Bearer <key>)");
	return NULL;
}

/* Whether key has scope; else false after replying 403. */
bool api_scope(struct web_http_req *req, const struct gw_auth_key *key,
	       const char *scope)
{
	if (gw_auth_has_scope(key, scope))
		return true;
	api_reply_code(req, 403, "insufficient_scope", "",
		       "the API key lacks the scope '%s'", scope);
	return false;
}

/* ---- the resource ---- */

enum web_outcome api_outcome_parse(const char *s)
{
	unsigned i;

	for (i = 1; s && i < WEB_OUTCOME_COUNT; i++)
		if (!strcmp(s, web_resource_outcome_name(i)))
			return i;
	return WEB_OUTCOME_NONE;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int jint(const json_t *o, const char *k1, const char *k2)
{
	json_t *v = json_object_get(o, k1);

	if (!v && k2)
		v = json_object_get(o, k2);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 999)
		return 0;
	return (int)json_integer_value(v);
}

/* The outcome column (gateway/requests.c's JSON): unreadable = null. */
static json_t *outcome_fill(struct web_resource_outcome *o, const char *text)
{
	const char *by;
	json_t *j;

	memset(o, 0, sizeof(*o));
	if (!text)
		return NULL;
	j = json_loads(text, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	o->code = api_outcome_parse(jstr(j, "code"));
	o->sip_code = jint(j, "sip_code", NULL);
	o->reason = jstr(j, "reason");
	o->warning = jstr(j, "warning");
	by = jstr(j, "by");
	o->by = by && !strcmp(by, "gateway") ? WEB_BY_GATEWAY :
		by && !strcmp(by, "pintgw") ? WEB_BY_PINTGW : WEB_BY_NONE;
	return j;
}

/*
 * Fill res from a stored row (borrowed: keep it until api_res_clear()).
 * EINVAL for a row whose status is not an API status; ENOMEM.
 */
int api_res_fill(struct api_res *res, const struct gw_store_req *row)
{
	struct web_resource *r = &res->r;

	memset(res, 0, sizeof(*res));
	if (!row->status || web_resource_status_parse(&r->status, row->status,
						      strlen(row->status)))
		return EINVAL;
	r->id = row->id;
	r->service = row->service;
	r->to.input = row->to_input;
	r->to.number = row->to_number;
	r->from.input = row->from_input;
	r->from.number = row->from_number;
	r->created_at = row->created_at;
	r->updated_at = row->updated_at;
	r->has_start_at = row->start_at != 0;
	r->start_at = row->start_at;
	r->has_stop_at = row->stop_at != 0;
	r->stop_at = row->stop_at;
	r->info = row->info;
	res->outcome = outcome_fill(&r->outcome, row->outcome);
	r->sip.set = row->gateway || row->call_id || row->last_code;
	r->sip.gateway = row->gateway;
	r->sip.call_id = row->call_id;
	r->sip.last_code = row->last_code;
	r->sip.warning = row->warning;
	r->last_seq = row->last_seq;
	r->client_state = row->client_state;
	return 0;
}

void api_res_clear(struct api_res *res)
{
	json_decref(res->outcome);
	res->outcome = NULL;
}

/* The JSON resource of a stored row (*bodyp is the caller's). */
int api_render(char **bodyp, size_t *lenp, const struct gw_store_req *row)
{
	struct api_res res;
	int err;

	err = api_res_fill(&res, row);
	if (!err)
		err = web_resource_encode(bodyp, lenp, &res.r);
	api_res_clear(&res);
	return err;
}

/*
 * An event row as web/resource wants it; *sipp holds the parsed "sip"
 * column the strings point into (json_decref it after use).
 */
int api_event_fill(struct web_resource_event *ev, json_t **sipp,
		   const struct gw_store_event *row)
{
	json_t *j = NULL;

	memset(ev, 0, sizeof(*ev));
	*sipp = NULL;
	if (!row->status || web_resource_status_parse(&ev->status, row->status,
						      strlen(row->status)))
		return EINVAL;
	ev->seq = row->seq;
	ev->at = row->at;
	ev->info = row->info;
	if (row->sip)
		j = json_loads(row->sip, 0, NULL);
	if (json_is_object(j)) {
		ev->sip.set = true;
		ev->sip.gateway = jstr(j, "gateway");
		ev->sip.call_id = jstr(j, "call_id");
		ev->sip.last_code = jint(j, "last_code", "code");
		ev->sip.warning = jstr(j, "warning");
		*sipp = j;
	} else {
		json_decref(j);
	}
	return 0;
}

/* ---- life cycle and dispatch ---- */

/*
 * An api on deps (borrowed, see api.h) and its policy. ENOMEM, or the
 * errno of getrandom() for the hash key.
 */
int gw_api_alloc(struct gw_api **apip, const struct gw_api_deps *deps)
{
	struct gw_api *api;
	int err;

	if (!apip || !deps || !deps->loop || !deps->store || !deps->conf ||
	    !deps->auth)
		return EINVAL;
	api = calloc(1, sizeof(*api));
	if (!api)
		return ENOMEM;
	/* ids and key names come from clients: keyed hashing */
	if (getrandom(api->sipkey, sizeof(api->sipkey), 0) !=
	    (ssize_t)sizeof(api->sipkey)) {
		err = errno ? errno : EIO;
		free(api);
		return err;
	}
	err = gw_policy_alloc(&api->policy, api->sipkey, GW_POLICY_DEST_MAX);
	if (err) {
		free(api);
		return err;
	}
	api->d = deps;
	pint_hash_init(&api->watches);
	pint_hash_init(&api->subs);
	pint_hash_init(&api->ips);
	pint_hash_init(&api->uses);
	*apip = api;
	return 0;
}

/*
 * Free the api, its waiters, pending creates and cancels (their replies
 * are web_http's to end, freed before). NULL-safe.
 */
void gw_api_free(struct gw_api *api)
{
	if (!api)
		return;
	api_subs_free_all(api);
	api_create_free_all(api);
	api_click_free_all(api);
	gw_policy_free(api->policy);
	free(api);
}

/* SIGTERM: creates are refused (503) and /readyz says so from now on. */
void gw_api_drain(struct gw_api *api)
{
	api->draining = true;
}

const struct gw_metrics_counters *gw_api_counters(const struct gw_api *api)
{
	return &api->counters;
}

/* Long-polls parked now. */
size_t gw_api_waiting(const struct gw_api *api)
{
	return api->waiting;
}

static void method_not_allowed(struct web_http_req *req,
			       const struct api_match *m)
{
	web_http_add_header(req, "Allow", m->allow);
	api_reply_code(req, 405, "method_not_allowed", "",
		       "%s is not allowed here (allowed: %s)",
		       web_http_req_method(req), m->allow);
}

/* web_http_h: every request. */
void gw_api_handle(struct web_http_req *req, void *arg)
{
	struct gw_api *api = arg;
	const struct gw_auth_key *key;
	struct api_match m;
	const char *scope;

	if (api_demo_route(api, req))
		return;
	api_match(&m, web_http_req_method(req), web_http_req_path(req));
	if (m.route == ROUTE_NONE) {
		api_reply_code(req, 404, "not_found", "", "no such resource");
		return;
	}
	if (m.op == OP_NONE) {
		method_not_allowed(req, &m);
		return;
	}
	switch (m.op) {
	case OP_HEALTHZ:
		api_healthz(api, req);
		return;
	case OP_READYZ:
		api_readyz(api, req);
		return;
	case OP_METRICS:
		api_metrics(api, req);
		return;
	case OP_CREATE:
		api_create(api, req);   /* its own order of checks */
		return;
	case OP_CLICK:                  /* no API key: a click token */
		api_click(api, req);
		return;
	case OP_CLICK_GET:              /* no API key: a view token */
		api_click_get(api, req, &m);
		return;
	case OP_CLICK_EVENTS:
		api_click_events(api, req, &m);
		return;
	default:
		break;
	}
	key = api_auth(api, req);
	if (!key)
		return;
	scope = m.op == OP_CANCEL ? "cancel" : "read";
	if (!api_scope(req, key, scope))
		return;
	if (m.route != ROUTE_COLLECTION && !m.id_ok) {
		api_reply_code(req, 404, "not_found", "", "no such request");
		return;
	}
	switch (m.op) {
	case OP_LIST:
		api_list(api, req, key->name);
		break;
	case OP_GET:
		api_get(api, req, &m, key->name);
		break;
	case OP_EVENTS:
		api_events(api, req, &m, key->name);
		break;
	case OP_DELIVERIES:
		api_deliveries(api, req, &m, key->name);
		break;
	case OP_CANCEL:
		api_cancel(api, req, &m, key->name);
		break;
	default:
		api_reply_code(req, 404, "not_found", "", "no such resource");
		break;
	}
}
