/*
 * web/resource.c — the JSON pintgw sends (API.md), keys in API.md's
 * order, written straight to text (web/jsonw.h). Reply bodies use the
 * API.md look ("a": 1, "b": 2 on one line); SSE data, webhook bodies and
 * the normalised request (?dry_run, the stored spec) are compact.
 * Times: see web_json_time_format().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "web/json.h"
#include "web/jsonw.h"
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

/*
 * Members are written with web/jsonw.h; every put_*() returns the
 * writer's error so far (the first one sticks), so a sequence of them
 * needs no checks between the calls.
 */

/* JSON integers here are 64-bit signed, as jansson's were: ERANGE past. */
static int put_u64(struct web_jsonw *w, const char *key, uint64_t v)
{
	if (v > INT64_MAX)
		return web_jsonw_fail(w, ERANGE);
	web_jsonw_key(w, key);
	return web_jsonw_int(w, (int64_t)v);
}

static int put_status(struct web_jsonw *w, const char *key, enum web_status s)
{
	const char *name = web_resource_status_name(s);

	if (!name)
		return web_jsonw_fail(w, EINVAL);
	return web_jsonw_member_str(w, key, name);
}

/* An RFC 3339 time; has false = null. ERANGE outside years 0000–9999. */
static int put_time(struct web_jsonw *w, const char *key, bool has, int64_t ms)
{
	char buf[WEB_JSON_TIME_SIZE];
	int err;

	if (!has)
		return web_jsonw_member_str(w, key, NULL);
	err = web_json_time_format(buf, ms);
	if (err)
		return web_jsonw_fail(w, err);
	return web_jsonw_member_str(w, key, buf);
}

static int put_party(struct web_jsonw *w, const char *key,
		     const struct web_resource_party *pa)
{
	if (!pa->input)
		return web_jsonw_member_str(w, key, NULL);
	web_jsonw_key(w, key);
	web_jsonw_open(w, '{');
	web_jsonw_member_str(w, "input", pa->input);
	web_jsonw_member_str(w, "number", pa->number);
	return web_jsonw_close(w, '}');
}

static int put_outcome(struct web_jsonw *w, const char *key,
		       const struct web_resource_outcome *o)
{
	static const char *const by_names[] = {NULL, "gateway", "pintgw"};
	const char *code = web_resource_outcome_name(o->code);

	if (o->code == WEB_OUTCOME_NONE)
		return web_jsonw_member_str(w, key, NULL);
	if (!code || (unsigned)o->by > WEB_BY_PINTGW)
		return web_jsonw_fail(w, EINVAL);
	web_jsonw_key(w, key);
	web_jsonw_open(w, '{');
	web_jsonw_member_str(w, "code", code);
	web_jsonw_member_nz(w, "sip_code", o->sip_code);
	web_jsonw_member_str(w, "reason", o->reason);
	web_jsonw_member_str(w, "warning", o->warning);
	web_jsonw_member_str(w, "by", by_names[o->by]);
	return web_jsonw_close(w, '}');
}

static int put_sip(struct web_jsonw *w, const char *key,
		   const struct web_resource_sip *s)
{
	if (!s->set)
		return web_jsonw_member_str(w, key, NULL);
	web_jsonw_key(w, key);
	web_jsonw_open(w, '{');
	web_jsonw_member_str(w, "gateway", s->gateway);
	web_jsonw_member_str(w, "call_id", s->call_id);
	web_jsonw_member_nz(w, "last_code", s->last_code);
	web_jsonw_member_str(w, "warning", s->warning);
	return web_jsonw_close(w, '}');
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

/* "links": {"self": self, "events": events}. */
static int put_link_pair(struct web_jsonw *w, const char *self,
			 const char *events)
{
	web_jsonw_key(w, "links");
	web_jsonw_open(w, '{');
	web_jsonw_member_str(w, "self", self);
	web_jsonw_member_str(w, "events", events);
	return web_jsonw_close(w, '}');
}

/* The resource's links: base/id and base/id/events. */
static int put_links(struct web_jsonw *w, const struct web_resource *r)
{
	static const char events[] = "/events";
	char self[LINK_BASE_MAX + 1 + WEB_RESOURCE_ID_MAX + 1];
	char evs[sizeof(self) + sizeof(events) - 1];
	const char *base = r->base ? r->base : "/v1/requests";
	size_t blen = strlen(base), ilen = strlen(r->id);

	if (blen > LINK_BASE_MAX)
		return web_jsonw_fail(w, EINVAL);
	memcpy(self, base, blen);
	self[blen] = '/';
	memcpy(self + blen + 1, r->id, ilen + 1);
	memcpy(evs, self, blen + 1 + ilen);
	memcpy(evs + blen + 1 + ilen, events, sizeof(events));
	return put_link_pair(w, self, evs);
}

/*
 * The request resource's members in API.md's order. The click's view
 * (click true) keeps id, service, status, created_at, updated_at, info,
 * outcome and last_seq. EINVAL without a good id, a service or a status.
 */
static int put_members(struct web_jsonw *w, const struct web_resource *r,
		       bool click)
{
	if (!id_ok(r->id) || !r->service || !web_resource_status_name(r->status))
		return web_jsonw_fail(w, EINVAL);
	web_jsonw_member_str(w, "id", r->id);
	web_jsonw_member_str(w, "service", r->service);
	put_status(w, "status", r->status);
	if (!click) {
		put_party(w, "to", &r->to);
		put_party(w, "from", &r->from);
	}
	put_time(w, "created_at", true, r->created_at);
	put_time(w, "updated_at", true, r->updated_at);
	if (!click) {
		put_time(w, "start_at", r->has_start_at, r->start_at);
		put_time(w, "stop_at", r->has_stop_at, r->stop_at);
	}
	web_jsonw_member_str(w, "info", r->info);
	put_outcome(w, "outcome", &r->outcome);
	if (!click)
		put_sip(w, "sip", &r->sip);
	put_u64(w, "last_seq", r->last_seq);
	if (click)
		return w->err;
	web_jsonw_member_str(w, "client_state", r->client_state);
	return put_links(w, r);
}

static int put_resource(struct web_jsonw *w, const struct web_resource *r)
{
	web_jsonw_open(w, '{');
	put_members(w, r, false);
	return web_jsonw_close(w, '}');
}

/* One event {"seq", "at", "status", "info", "sip"}; sip false: no "sip". */
static int put_event(struct web_jsonw *w, const struct web_resource_event *ev,
		     bool sip)
{
	if (!web_resource_status_name(ev->status))
		return web_jsonw_fail(w, EINVAL);
	web_jsonw_open(w, '{');
	put_u64(w, "seq", ev->seq);
	put_time(w, "at", true, ev->at);
	put_status(w, "status", ev->status);
	web_jsonw_member_str(w, "info", ev->info);
	if (sip)
		put_sip(w, "sip", &ev->sip);
	return web_jsonw_close(w, '}');
}

/* A list reply up to its first item: {"<key>": [ */
static int open_list(struct web_jsonw *w, const char *key)
{
	web_jsonw_init(w, false);
	web_jsonw_open(w, '{');
	web_jsonw_key(w, key);
	return web_jsonw_open(w, '[');
}

/* The request resource reply body in *bodyp (free()). */
int web_resource_encode(char **bodyp, size_t *lenp,
			const struct web_resource *r)
{
	struct web_jsonw w;

	web_jsonw_init(&w, false);
	put_resource(&w, r);
	return web_jsonw_finish(&w, bodyp, lenp);
}

/*
 * GET /v1/requests reply: {"requests": [resource …], "next_cursor": c}
 * with next_cursor null on the last page.
 */
int web_resource_list(char **bodyp, size_t *lenp,
		      const struct web_resource *r, size_t n,
		      const char *next_cursor)
{
	struct web_jsonw w;
	size_t i;

	open_list(&w, "requests");
	for (i = 0; i < n && !w.err; i++)
		put_resource(&w, &r[i]);
	web_jsonw_close(&w, ']');
	web_jsonw_member_str(&w, "next_cursor", next_cursor);
	web_jsonw_close(&w, '}');
	return web_jsonw_finish(&w, bodyp, lenp);
}

/* GET …/events reply: {"events": [event …]} in *bodyp (free()). */
int web_resource_events(char **bodyp, size_t *lenp,
			const struct web_resource_event *ev, size_t n)
{
	struct web_jsonw w;
	size_t i;

	open_list(&w, "events");
	for (i = 0; i < n && !w.err; i++)
		put_event(&w, &ev[i], true);
	web_jsonw_close(&w, ']');
	web_jsonw_close(&w, '}');
	return web_jsonw_finish(&w, bodyp, lenp);
}

/*
 * One SSE frame "id: <seq>\nevent: <status>\ndata: <event JSON>\n\n" in
 * *framep (free()). The JSON is compact and CR and LF in strings are
 * escaped, so the data field is always one line.
 */
int web_resource_sse(char **framep, size_t *lenp,
		     const struct web_resource_event *ev)
{
	const char *name = web_resource_status_name(ev->status);
	struct web_jsonw w;

	if (!name)
		return EINVAL;
	if (ev->seq > INT64_MAX)
		return ERANGE;
	web_jsonw_init(&w, true);
	web_jsonw_raw(&w, "id: ");
	web_jsonw_int(&w, (int64_t)ev->seq);
	web_jsonw_raw(&w, "\nevent: ");
	web_jsonw_raw(&w, name);
	web_jsonw_raw(&w, "\ndata: ");
	put_event(&w, ev, true);
	web_jsonw_raw(&w, "\n\n");
	return web_jsonw_finish(&w, framep, lenp);
}

/*
 * Webhook body {"event_id", "request_id", "seq", "status", "at", "info",
 * "outcome", "client_state"}, compact, in *bodyp (free()). These are the
 * bytes the signature covers: send them unchanged.
 */
int web_resource_webhook(char **bodyp, size_t *lenp,
			 const struct web_resource_webhook *w)
{
	struct web_jsonw jw;

	if (!w->event_id || !id_ok(w->request_id) ||
	    !web_resource_status_name(w->status))
		return EINVAL;
	web_jsonw_init(&jw, true);
	web_jsonw_open(&jw, '{');
	web_jsonw_member_str(&jw, "event_id", w->event_id);
	web_jsonw_member_str(&jw, "request_id", w->request_id);
	put_u64(&jw, "seq", w->seq);
	put_status(&jw, "status", w->status);
	put_time(&jw, "at", true, w->at);
	web_jsonw_member_str(&jw, "info", w->info);
	put_outcome(&jw, "outcome", &w->outcome);
	web_jsonw_member_str(&jw, "client_state", w->client_state);
	web_jsonw_close(&jw, '}');
	return web_jsonw_finish(&jw, bodyp, lenp);
}

/*
 * The click's view of a request (API.md, click-to-call) in *bodyp
 * (free()): r's members put_members() keeps for a click, then "to",
 * "links", the events without "sip" and, with c->with_token,
 * "view_token".
 */
int web_resource_click(char **bodyp, size_t *lenp,
		       const struct web_resource *r,
		       const struct web_resource_click *c)
{
	struct web_jsonw w;
	size_t i;

	web_jsonw_init(&w, false);
	web_jsonw_open(&w, '{');
	put_members(&w, r, true);
	web_jsonw_member_str(&w, "to", c->to);
	put_link_pair(&w, c->self, c->events_link);
	web_jsonw_key(&w, "events");
	web_jsonw_open(&w, '[');
	for (i = 0; i < c->n && !w.err; i++)
		put_event(&w, &c->ev[i], false);
	web_jsonw_close(&w, ']');
	if (c->with_token)
		web_jsonw_member_str(&w, "view_token", c->view_token);
	web_jsonw_close(&w, '}');
	return web_jsonw_finish(&w, bodyp, lenp);
}

/* ---- the normalised request (?dry_run, the stored spec) ---- */

static int put_bool(struct web_jsonw *w, const char *key, bool v)
{
	web_jsonw_key(w, key);
	return web_jsonw_bool(w, v);
}

/* Optional text fields: "" = not given, left out. */
static int put_opt(struct web_jsonw *w, const char *key, const char *s)
{
	return s[0] ? web_jsonw_member_str(w, key, s) : w->err;
}

static int put_req_item(struct web_jsonw *w, const struct web_req_content *ct)
{
	char *b64 = NULL;
	int err;

	web_jsonw_open(w, '{');
	web_jsonw_member_str(w, "type", ct->type);
	switch (ct->src) {
	case WEB_REQ_TEXT:
		web_jsonw_member_str(w, "text", ct->body);
		break;
	case WEB_REQ_DATA:
		err = web_json_b64_encode(&b64, NULL, ct->body, ct->len);
		if (err)
			return web_jsonw_fail(w, err);
		web_jsonw_member_str(w, "data", b64);
		free(b64);
		break;
	case WEB_REQ_URL:
		web_jsonw_member_str(w, "url", ct->body);
		put_bool(w, "fetch", ct->fetch);
		break;
	default:
		return web_jsonw_fail(w, EINVAL);
	}
	return web_jsonw_close(w, '}');
}

/* {"url", "events"}: events as ["*"] or status names. */
static int put_req_webhook(struct web_jsonw *w, const struct web_req *req)
{
	unsigned s;

	web_jsonw_open(w, '{');
	web_jsonw_member_str(w, "url", req->webhook_url);
	web_jsonw_key(w, "events");
	web_jsonw_open(w, '[');
	if (req->webhook_events == WEB_REQ_EVENTS_ALL)
		web_jsonw_str(w, "*");
	else
		for (s = 1; s < WEB_STATUS_COUNT; s++)
			if (req->webhook_events & WEB_REQ_EVENT_BIT(s))
				web_jsonw_str(w, status_names[s]);
	web_jsonw_close(w, ']');
	return web_jsonw_close(w, '}');
}

/*
 * A normalised request (web/req.h): the fields given, in API.md order,
 * content data re-encoded as padded base64, times in UTC, webhook events
 * as ["*"] or status names; "track" always. Validating it again yields an
 * equal struct.
 */
static int put_req(struct web_jsonw *w, const struct web_req *req)
{
	size_t i;

	if (req->content_count > WEB_REQ_CONTENT_MAX ||
	    req->require_count > WEB_REQ_REQUIRE_MAX)
		return web_jsonw_fail(w, EINVAL);
	web_jsonw_open(w, '{');
	web_jsonw_member_str(w, "service", req->service);
	web_jsonw_member_str(w, "to", req->to);
	put_opt(w, "from", req->from);
	put_opt(w, "phone_context", req->phone_context);
	if (req->content_count) {
		web_jsonw_key(w, "content");
		web_jsonw_open(w, '[');
		for (i = 0; i < req->content_count && !w->err; i++)
			put_req_item(w, &req->content[i]);
		web_jsonw_close(w, ']');
	}
	put_opt(w, "language", req->language);
	if (req->has_clir)
		put_bool(w, "clir", req->clir);
	if (req->require_count) {
		web_jsonw_key(w, "require");
		web_jsonw_open(w, '[');
		for (i = 0; i < req->require_count; i++)
			web_jsonw_str(w, req->require[i]);
		web_jsonw_close(w, ']');
	}
	if (req->has_start_at)
		put_time(w, "start_at", true, req->start_at);
	if (req->has_stop_at)
		put_time(w, "stop_at", true, req->stop_at);
	if (req->has_ring_timeout) {
		web_jsonw_key(w, "ring_timeout");
		web_jsonw_int(w, req->ring_timeout);
	}
	put_bool(w, "track", req->track);
	if (req->has_webhook) {
		web_jsonw_key(w, "webhook");
		put_req_webhook(w, req);
	}
	if (req->has_client_state)
		web_jsonw_member_str(w, "client_state", req->client_state);
	put_opt(w, "gateway", req->gateway);
	return web_jsonw_close(w, '}');
}

/*
 * The normalised request as compact JSON in *bodyp (free(); its own size:
 * a spec keeps it): what ?dry_run shows and the store keeps. EINVAL
 * (counts past the limits, a bad content source), ERANGE (a time outside
 * years 0000–9999), ENOMEM.
 */
int web_resource_req_encode(char **bodyp, size_t *lenp,
			    const struct web_req *req)
{
	struct web_jsonw w;

	web_jsonw_init(&w, true);
	put_req(&w, req);
	return web_jsonw_finish_fit(&w, bodyp, lenp);
}

/*
 * The value of its "webhook" member alone, as web_resource_req_encode()
 * writes it, in *bodyp (free(); its own size); for a req with
 * has_webhook. 0 or ENOMEM.
 */
int web_resource_req_webhook(char **bodyp, size_t *lenp,
			     const struct web_req *req)
{
	struct web_jsonw w;

	web_jsonw_init(&w, true);
	put_req_webhook(&w, req);
	return web_jsonw_finish_fit(&w, bodyp, lenp);
}
