/*
 * web/resource.c — the JSON pintgw sends (API.md). Keys are written in
 * API.md's order (jansson keeps insertion order). Reply bodies use the
 * API.md look ("a": 1, "b": 2 on one line); SSE data and webhook bodies are
 * compact. Times: see web_json_time_format().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/json.h"
#include "web/req.h"
#include "web/resource.h"

#define LINK_BASE_MAX 128u

static const char *const status_names[WEB_STATUS_COUNT] = {
	NULL, "queued", "sending", "proceeding", "accepted", "active",
	"completed", "failed", "canceled", "expired",
};

static const char *const outcome_names[WEB_OUTCOME_COUNT] = {
	NULL, "ok", "busy", "no_answer", "rejected", "unsupported",
	"not_found", "unreachable", "auth_failed", "interrupted", "canceled",
	"expired", "error", "content_fetch_failed",
};

/* The API name of a status; NULL for NONE or a value out of range. */
const char *web_resource_status_name(enum web_status s)
{
	if ((unsigned)s >= WEB_STATUS_COUNT)
		return NULL;
	return status_names[s];
}

/* A status from its API name (exact, lower case). 0 or ENOENT. */
int web_resource_status_parse(enum web_status *sp, const char *p, size_t len)
{
	unsigned i;

	for (i = 1; i < WEB_STATUS_COUNT; i++) {
		if (strlen(status_names[i]) == len &&
		    !memcmp(status_names[i], p, len)) {
			*sp = (enum web_status)i;
			return 0;
		}
	}
	return ENOENT;
}

/* completed, failed, canceled and expired end a request. */
bool web_resource_status_final(enum web_status s)
{
	return s == WEB_STATUS_COMPLETED || s == WEB_STATUS_FAILED ||
	       s == WEB_STATUS_CANCELED || s == WEB_STATUS_EXPIRED;
}

/* The API name of an outcome code; NULL for NONE or out of range. */
const char *web_resource_outcome_name(enum web_outcome o)
{
	if ((unsigned)o >= WEB_OUTCOME_COUNT)
		return NULL;
	return outcome_names[o];
}

static int set_int(json_t *obj, const char *key, long long v)
{
	return web_json_set_new(obj, key, json_integer(v));
}

/* A SIP status code, 0 = null. */
static int set_code(json_t *obj, const char *key, int code)
{
	if (!code)
		return web_json_set_new(obj, key, json_null());
	return set_int(obj, key, code);
}

/* jansson integers are long long: a larger seq cannot be written. */
static int set_u64(json_t *obj, const char *key, uint64_t v)
{
	if (v > INT64_MAX)
		return ERANGE;
	return set_int(obj, key, (long long)v);
}

static int set_status(json_t *obj, const char *key, enum web_status s)
{
	const char *name = web_resource_status_name(s);

	if (!name)
		return EINVAL;
	return web_json_set_new(obj, key, json_string(name));
}

static int set_party(json_t *obj, const char *key,
		     const struct web_resource_party *pa)
{
	json_t *v;
	int err;

	if (!pa->input)
		return web_json_set_new(obj, key, json_null());
	v = json_object();
	err = web_json_set_new(obj, key, v);
	if (!err)
		err = web_json_set_str(v, "input", pa->input);
	if (!err)
		err = web_json_set_str(v, "number", pa->number);
	return err;
}

static int set_outcome(json_t *obj, const char *key,
		       const struct web_resource_outcome *o)
{
	static const char *const by_names[] = {NULL, "gateway", "pintgw"};
	const char *code = web_resource_outcome_name(o->code);
	json_t *v;
	int err;

	if (o->code == WEB_OUTCOME_NONE)
		return web_json_set_new(obj, key, json_null());
	if (!code || (unsigned)o->by > WEB_BY_PINTGW)
		return EINVAL;
	v = json_object();
	err = web_json_set_new(obj, key, v);
	if (!err)
		err = web_json_set_str(v, "code", code);
	if (!err)
		err = set_code(v, "sip_code", o->sip_code);
	if (!err)
		err = web_json_set_str(v, "reason", o->reason);
	if (!err)
		err = web_json_set_str(v, "warning", o->warning);
	if (!err)
		err = web_json_set_str(v, "by", by_names[o->by]);
	return err;
}

static int set_sip(json_t *obj, const char *key,
		   const struct web_resource_sip *s)
{
	json_t *v;
	int err;

	if (!s->set)
		return web_json_set_new(obj, key, json_null());
	v = json_object();
	err = web_json_set_new(obj, key, v);
	if (!err)
		err = web_json_set_str(v, "gateway", s->gateway);
	if (!err)
		err = web_json_set_str(v, "call_id", s->call_id);
	if (!err)
		err = set_code(v, "last_code", s->last_code);
	if (!err)
		err = web_json_set_str(v, "warning", s->warning);
	return err;
}

/* Ids go into links and URLs unescaped: hold them to a safe alphabet. */
static bool id_ok(const char *id)
{
	size_t i, len;

	if (!id)
		return false;
	len = strlen(id);
	if (!len || len > WEB_RESOURCE_ID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int set_links(json_t *obj, const struct web_resource *r)
{
	char self[LINK_BASE_MAX + WEB_RESOURCE_ID_MAX + 2];
	char events[sizeof(self) + 7];
	const char *base = r->base ? r->base : "/v1/requests";
	json_t *v;
	int n, err;

	if (strlen(base) > LINK_BASE_MAX)
		return EINVAL;
	n = snprintf(self, sizeof(self), "%s/%s", base, r->id);
	if (n < 0 || (size_t)n >= sizeof(self))
		return EINVAL;
	n = snprintf(events, sizeof(events), "%s/events", self);
	if (n < 0 || (size_t)n >= sizeof(events))
		return EINVAL;
	v = json_object();
	err = web_json_set_new(obj, "links", v);
	if (!err)
		err = web_json_set_str(v, "self", self);
	if (!err)
		err = web_json_set_str(v, "events", events);
	return err;
}

static int set_opt_time(json_t *obj, const char *key, bool has, int64_t ms)
{
	if (!has)
		return web_json_set_new(obj, key, json_null());
	return web_json_set_time(obj, key, ms);
}

/*
 * The request resource as a new jansson object in *objp (json_decref),
 * for embedding (dry_run, lists). See web_resource_encode().
 */
int web_resource_json(json_t **objp, const struct web_resource *r)
{
	json_t *obj;
	int err;

	if (!id_ok(r->id) || !r->service || !web_resource_status_name(r->status))
		return EINVAL;
	obj = json_object();
	if (!obj)
		return ENOMEM;
	err = web_json_set_str(obj, "id", r->id);
	if (!err)
		err = web_json_set_str(obj, "service", r->service);
	if (!err)
		err = set_status(obj, "status", r->status);
	if (!err)
		err = set_party(obj, "to", &r->to);
	if (!err)
		err = set_party(obj, "from", &r->from);
	if (!err)
		err = web_json_set_time(obj, "created_at", r->created_at);
	if (!err)
		err = web_json_set_time(obj, "updated_at", r->updated_at);
	if (!err)
		err = set_opt_time(obj, "start_at", r->has_start_at, r->start_at);
	if (!err)
		err = set_opt_time(obj, "stop_at", r->has_stop_at, r->stop_at);
	if (!err)
		err = web_json_set_str(obj, "info", r->info);
	if (!err)
		err = set_outcome(obj, "outcome", &r->outcome);
	if (!err)
		err = set_sip(obj, "sip", &r->sip);
	if (!err)
		err = set_u64(obj, "last_seq", r->last_seq);
	if (!err)
		err = web_json_set_str(obj, "client_state", r->client_state);
	if (!err)
		err = set_links(obj, r);
	if (err) {
		json_decref(obj);
		return err;
	}
	*objp = obj;
	return 0;
}

/* The request resource reply body in *bodyp (free()). */
int web_resource_encode(char **bodyp, size_t *lenp,
			const struct web_resource *r)
{
	json_t *obj = NULL;
	int err;

	err = web_resource_json(&obj, r);
	if (!err)
		err = web_json_dump(bodyp, lenp, obj, 0);
	json_decref(obj);
	return err;
}

/*
 * GET /v1/requests reply: {"requests": [resource …], "next_cursor": c}
 * with next_cursor null on the last page.
 */
int web_resource_list(char **bodyp, size_t *lenp,
		      const struct web_resource *r, size_t n,
		      const char *next_cursor)
{
	json_t *root, *arr, *one;
	size_t i;
	int err;

	root = json_object();
	arr = json_array();
	err = web_json_set_new(root, "requests", arr);
	for (i = 0; !err && i < n; i++) {
		err = web_resource_json(&one, &r[i]);
		if (!err && json_array_append_new(arr, one))
			err = ENOMEM;
	}
	if (!err)
		err = web_json_set_str(root, "next_cursor", next_cursor);
	if (!err)
		err = web_json_dump(bodyp, lenp, root, 0);
	json_decref(root);
	return err;
}

/* One event {"seq", "at", "status", "info", "sip"} in *objp. */
int web_resource_event_json(json_t **objp,
			    const struct web_resource_event *ev)
{
	json_t *obj;
	int err;

	if (!web_resource_status_name(ev->status))
		return EINVAL;
	obj = json_object();
	if (!obj)
		return ENOMEM;
	err = set_u64(obj, "seq", ev->seq);
	if (!err)
		err = web_json_set_time(obj, "at", ev->at);
	if (!err)
		err = set_status(obj, "status", ev->status);
	if (!err)
		err = web_json_set_str(obj, "info", ev->info);
	if (!err)
		err = set_sip(obj, "sip", &ev->sip);
	if (err) {
		json_decref(obj);
		return err;
	}
	*objp = obj;
	return 0;
}

/* GET …/events reply: {"events": [event …]} in *bodyp (free()). */
int web_resource_events(char **bodyp, size_t *lenp,
			const struct web_resource_event *ev, size_t n)
{
	json_t *root, *arr, *one;
	size_t i;
	int err;

	root = json_object();
	arr = json_array();
	err = web_json_set_new(root, "events", arr);
	for (i = 0; !err && i < n; i++) {
		err = web_resource_event_json(&one, &ev[i]);
		if (!err && json_array_append_new(arr, one))
			err = ENOMEM;
	}
	if (!err)
		err = web_json_dump(bodyp, lenp, root, 0);
	json_decref(root);
	return err;
}

/*
 * One SSE frame "id: <seq>\nevent: <status>\ndata: <event JSON>\n\n" in
 * *framep (free()). The JSON is compact and jansson escapes CR and LF in
 * strings, so the data field is always one line.
 */
int web_resource_sse(char **framep, size_t *lenp,
		     const struct web_resource_event *ev)
{
	json_t *obj = NULL;
	char *data = NULL, *frame;
	int n, err;

	err = web_resource_event_json(&obj, ev);
	if (!err)
		err = web_json_dump(&data, NULL, obj, JSON_COMPACT);
	if (err)
		goto out;
	n = snprintf(NULL, 0, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n",
		     ev->seq, web_resource_status_name(ev->status), data);
	if (n < 0) {
		err = EINVAL;
		goto out;
	}
	frame = malloc((size_t)n + 1);
	if (!frame) {
		err = ENOMEM;
		goto out;
	}
	snprintf(frame, (size_t)n + 1, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n",
		 ev->seq, web_resource_status_name(ev->status), data);
	*framep = frame;
	if (lenp)
		*lenp = (size_t)n;
out:
	free(data);
	json_decref(obj);
	return err;
}

/*
 * Webhook body {"event_id", "request_id", "seq", "status", "at", "info",
 * "outcome", "client_state"}, compact, in *bodyp (free()). These are the
 * bytes the signature covers: send them unchanged.
 */
int web_resource_webhook(char **bodyp, size_t *lenp,
			 const struct web_resource_webhook *w)
{
	json_t *obj;
	int err;

	if (!w->event_id || !id_ok(w->request_id) ||
	    !web_resource_status_name(w->status))
		return EINVAL;
	obj = json_object();
	if (!obj)
		return ENOMEM;
	err = web_json_set_str(obj, "event_id", w->event_id);
	if (!err)
		err = web_json_set_str(obj, "request_id", w->request_id);
	if (!err)
		err = set_u64(obj, "seq", w->seq);
	if (!err)
		err = set_status(obj, "status", w->status);
	if (!err)
		err = web_json_set_time(obj, "at", w->at);
	if (!err)
		err = web_json_set_str(obj, "info", w->info);
	if (!err)
		err = set_outcome(obj, "outcome", &w->outcome);
	if (!err)
		err = web_json_set_str(obj, "client_state", w->client_state);
	if (!err)
		err = web_json_dump(bodyp, lenp, obj, JSON_COMPACT);
	json_decref(obj);
	return err;
}

static int req_item(json_t *arr, const struct web_req_content *ct)
{
	json_t *it = json_object();
	char *b64 = NULL;
	int err;

	if (!it)
		return ENOMEM;
	if (json_array_append_new(arr, it))
		return ENOMEM;
	err = web_json_set_str(it, "type", ct->type);
	if (err)
		return err;
	switch (ct->src) {
	case WEB_REQ_TEXT:
		return web_json_set_str(it, "text", ct->body);
	case WEB_REQ_DATA:
		err = web_json_b64_encode(&b64, NULL, ct->body, ct->len);
		if (!err)
			err = web_json_set_str(it, "data", b64);
		free(b64);
		return err;
	case WEB_REQ_URL:
		err = web_json_set_str(it, "url", ct->body);
		if (!err)
			err = web_json_set_new(it, "fetch", json_boolean(ct->fetch));
		return err;
	}
	return EINVAL;
}

static int req_webhook(json_t *obj, const struct web_req *req)
{
	json_t *wh = json_object(), *ev = json_array();
	unsigned s;
	int err;

	err = web_json_set_new(obj, "webhook", wh);
	if (!err)
		err = web_json_set_str(wh, "url", req->webhook_url);
	if (!err)
		err = web_json_set_new(wh, "events", ev);
	else
		json_decref(ev);
	if (!err && req->webhook_events == WEB_REQ_EVENTS_ALL)
		return json_array_append_new(ev, json_string("*")) ? ENOMEM : 0;
	for (s = 1; !err && s < WEB_STATUS_COUNT; s++) {
		if ((req->webhook_events & WEB_REQ_EVENT_BIT(s)) &&
		    json_array_append_new(ev, json_string(status_names[s])))
			err = ENOMEM;
	}
	return err;
}

/* Optional text fields: "" = not given, left out. */
static int req_opt(json_t *obj, const char *key, const char *s)
{
	return s[0] ? web_json_set_str(obj, key, s) : 0;
}

/*
 * A normalised request (web/req.h) as a new jansson object in *objp: the
 * fields given, in API.md order, content data re-encoded as padded base64,
 * times in UTC, webhook events as ["*"] or status names; "track" always.
 * Validating this object again yields an equal struct.
 */
int web_resource_req_json(json_t **objp, const struct web_req *req)
{
	json_t *obj, *arr;
	size_t i;
	int err;

	if (req->content_count > WEB_REQ_CONTENT_MAX ||
	    req->require_count > WEB_REQ_REQUIRE_MAX)
		return EINVAL;
	obj = json_object();
	if (!obj)
		return ENOMEM;
	err = web_json_set_str(obj, "service", req->service);
	if (!err)
		err = web_json_set_str(obj, "to", req->to);
	if (!err)
		err = req_opt(obj, "from", req->from);
	if (!err)
		err = req_opt(obj, "phone_context", req->phone_context);
	if (!err && req->content_count) {
		arr = json_array();
		err = web_json_set_new(obj, "content", arr);
		for (i = 0; !err && i < req->content_count; i++)
			err = req_item(arr, &req->content[i]);
	}
	if (!err)
		err = req_opt(obj, "language", req->language);
	if (!err && req->has_clir)
		err = web_json_set_new(obj, "clir", json_boolean(req->clir));
	if (!err && req->require_count) {
		arr = json_array();
		err = web_json_set_new(obj, "require", arr);
		for (i = 0; !err && i < req->require_count; i++)
			if (json_array_append_new(arr, json_string(req->require[i])))
				err = ENOMEM;
	}
	if (!err && req->has_start_at)
		err = web_json_set_time(obj, "start_at", req->start_at);
	if (!err && req->has_stop_at)
		err = web_json_set_time(obj, "stop_at", req->stop_at);
	if (!err && req->has_ring_timeout)
		err = set_int(obj, "ring_timeout", req->ring_timeout);
	if (!err)
		err = web_json_set_new(obj, "track", json_boolean(req->track));
	if (!err && req->has_webhook)
		err = req_webhook(obj, req);
	if (!err && req->has_client_state)
		err = web_json_set_str(obj, "client_state", req->client_state);
	if (!err)
		err = req_opt(obj, "gateway", req->gateway);
	if (err) {
		json_decref(obj);
		return err;
	}
	*objp = obj;
	return 0;
}

/* The normalised request as compact JSON in *bodyp (free()). */
int web_resource_req_encode(char **bodyp, size_t *lenp,
			    const struct web_req *req)
{
	json_t *obj = NULL;
	int err;

	err = web_resource_req_json(&obj, req);
	if (!err)
		err = web_json_dump(bodyp, lenp, obj, JSON_COMPACT);
	json_decref(obj);
	return err;
}
