/*
 * gateway/api_read.c — GET /v1/requests/{id} (with the long-poll),
 * GET /v1/requests (filters, pages), GET /v1/requests/{id}/events (a
 * JSON list, or server-sent events) and GET /v1/requests/{id}/deliveries
 * (its webhook deliveries). Everything read is committed state;
 * a key sees its own requests only (another key's id is a 404). The
 * click routes (api_click_view.c) answer and wait with the same code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/api_int.h"
#include "gateway/hooks.h"
#include "gateway/log.h"
#include "pint/tel.h"

#define EVENTS_PAGE 256u        /* events per store read */
#define EVENTS_LIST_MAX 4096u   /* events in one JSON list */

/* The request, or false after replying 404 or 503. */
bool api_load_row(struct gw_api *api, struct web_http_req *req,
		  const char *id, const char *owner, struct gw_store_req *row)
{
	struct web_json_err e;
	int err;

	memset(row, 0, sizeof(*row));
	err = gw_store_get_request(api->d->store, id, owner, row);
	if (!err)
		return true;
	if (err == ENOENT)
		web_json_err_set(&e, 404, "not_found", "", "no such request");
	else
		api_store_err(&e, err);
	api_reply_err(req, &e);
	return false;
}

/* The resource, or the click's view of it. */
static int render(struct gw_api *api, const struct gw_store_req *row,
		  bool click, char **bodyp, size_t *lenp)
{
	if (click)
		return api_click_render(api, row, false, bodyp, lenp);
	return api_render(bodyp, lenp, row);
}

static void reply_row(struct gw_api *api, struct web_http_req *req,
		      const struct gw_store_req *row, bool click)
{
	struct web_json_err e;
	char *body = NULL;
	size_t len = 0;
	int err;

	err = render(api, row, click, &body, &len);
	if (err) {
		log_err("api: %s: cannot render: %s", row->id, strerror(err));
		web_json_err_set(&e, 503, "unavailable", "",
				 "the request cannot be shown now");
		api_reply_err(req, &e);
		return;
	}
	web_http_reply(req, 200, WEB_HTTP_CT_JSON, body, len);
	free(body);
}

/* ---- GET /v1/requests/{id} ---- */

/* A waiter's answer: the row as it is (from the hook or the store). */
static void wait_answer(struct api_sub *sub, const struct gw_store_req *row)
{
	struct gw_api *api = sub->api;
	uint64_t id = sub->http_id;
	char *body = NULL;
	size_t len = 0;

	bool click = sub->click;

	api_sub_del(api, sub);
	if (render(api, row, click, &body, &len)) {
		api_late_reply(api, id, 503, API_E503, sizeof(API_E503) - 1,
			       NULL);
		return;
	}
	api_late_reply(api, id, 200, body, len, NULL);
	free(body);
}

/* The wait is over without a new event: answer with the current state. */
static void wait_timeout(struct api_sub *sub)
{
	struct gw_api *api = sub->api;
	struct gw_store_req row;
	struct web_json_err e;
	uint64_t id = sub->http_id;
	int err;

	memset(&row, 0, sizeof(row));
	err = gw_store_get_request(api->d->store, sub->watch->id, sub->owner,
				   &row);
	if (!err) {
		wait_answer(sub, &row);
	} else {
		api_sub_del(api, sub);
		if (err == ENOENT)
			web_json_err_set(&e, 404, "not_found", "",
					 "no such request");
		else
			api_store_err(&e, err);
		api_late_err(api, id, &e);
	}
	gw_store_req_clear(&row);
}

/* web_http_expire_h: the long-poll's deadline. */
static void wait_expired(struct web_http *http, uint64_t id, void *arg)
{
	struct api_sub *sub = api_sub_find(arg, id);

	(void)http;
	if (sub && sub->kind == SUB_WAIT)
		wait_timeout(sub);
}

/*
 * The loop's backstop, a little after the deadline: web/http does not
 * call wait_expired() for a client it found gone, and the sub must not
 * outlive it.
 */
static void wait_backstop(void *arg)
{
	wait_timeout(arg);
}

/* A published event for a waiter (api_stream.c). */
void api_wait_event(struct api_sub *sub, const struct gw_store_req *row,
		    const struct gw_store_event *ev)
{
	if (ev->seq > sub->after)
		wait_answer(sub, row);
}

/*
 * Answer with row (the resource, or the click's view), now or, with a
 * wait, once an event past w's after is published or the wait is over.
 */
void api_get_row(struct gw_api *api, struct web_http_req *req,
		 const struct gw_store_req *row, const struct web_req_wait *w,
		 bool click)
{
	struct api_sub *sub;
	enum web_status st = WEB_STATUS_NONE;
	uint64_t after, hid;

	after = w->has_after ? w->after : row->last_seq;
	if (row->status)
		web_resource_status_parse(&st, row->status, strlen(row->status));
	if (!w->wait || row->last_seq > after || web_resource_status_final(st) ||
	    api->draining) {
		reply_row(api, req, row, click);
		return;
	}
	if (web_http_suspend_until(req, w->wait * 1000u, wait_expired, api,
				   &hid)) {
		reply_row(api, req, row, click);
		return;
	}
	if (api_sub_add(api, row->id, row->owner, SUB_WAIT, hid, after, &sub)) {
		api_late_reply(api, hid, 503, API_E503, sizeof(API_E503) - 1,
			       NULL);
		return;
	}
	sub->click = click;
	gw_timer_start(api->d->loop, &sub->timer,
		       (uint64_t)w->wait * 1000u + API_WAIT_SLACK_MS,
		       wait_backstop, sub);
}

/* GET /v1/requests/{id}[?wait=S&after=N]: key and scope checked. */
void api_get(struct gw_api *api, struct web_http_req *req,
	     const struct api_match *m, const char *owner)
{
	struct web_req_wait w;
	struct web_json_err e;
	struct gw_store_req row;
	const char *name, *value;
	size_t i;

	web_req_wait_init(&w);
	for (i = 0; !web_http_req_query_at(req, i, &name, &value); i++) {
		if (web_req_wait_set(&w, name, value, &e)) {
			api_reply_err(req, &e);
			return;
		}
	}
	if (!api_load_row(api, req, m->id, owner, &row))
		return;
	api_get_row(api, req, &row, &w, false);
	gw_store_req_clear(&row);
}

/* ---- GET /v1/requests ---- */

static int list_render(char **bodyp, size_t *lenp,
		       const struct gw_store_page *page, uint32_t statuses,
		       const char *next)
{
	struct api_res *res;
	struct web_resource *rs;
	size_t i, n = 0;
	int err = 0;

	res = calloc(page->n ? page->n : 1, sizeof(*res));
	rs = calloc(page->n ? page->n : 1, sizeof(*rs));
	if (!res || !rs) {
		err = ENOMEM;
		goto out;
	}
	for (i = 0; i < page->n && !err; i++) {
		err = api_res_fill(&res[n], &page->v[i]);
		if (err == EINVAL) {
			/* a row this version cannot show: leave it out */
			log_warn("api: %s: status '%s' unknown",
				 page->v[i].id, page->v[i].status);
			err = 0;
			continue;
		}
		if (!err && statuses &&
		    !(statuses & WEB_REQ_EVENT_BIT(res[n].r.status))) {
			api_res_clear(&res[n]);
			continue;
		}
		if (!err) {
			rs[n] = res[n].r;
			n++;
		}
	}
	if (!err)
		err = web_resource_list(bodyp, lenp, rs, n, next);
out:
	for (i = 0; res && i < n; i++)
		api_res_clear(&res[i]);
	free(res);
	free(rs);
	return err;
}

static unsigned bits(uint32_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static const char *one_status(uint32_t v)
{
	unsigned i;

	for (i = 1; i < WEB_STATUS_COUNT; i++)
		if (v == WEB_REQ_EVENT_BIT(i))
			return web_resource_status_name(i);
	return NULL;
}

/* GET /v1/requests: key and scope checked. */
void api_list(struct gw_api *api, struct web_http_req *req, const char *owner)
{
	struct web_req_query q;
	struct web_json_err e;
	struct gw_store_filter f;
	struct gw_store_page page;
	struct pint_tel tel;
	struct pint_tel_error why;
	const char *name, *value;
	char *body = NULL;
	size_t i, len = 0;
	int err;

	web_req_query_init(&q);
	for (i = 0; !web_http_req_query_at(req, i, &name, &value); i++) {
		if (web_req_query_set(&q, name, value, &e)) {
			api_reply_err(req, &e);
			return;
		}
	}
	memset(&f, 0, sizeof(f));
	f.owner = owner;
	/* one status filters in the store; several filter the page */
	f.status = bits(q.statuses) == 1 ? one_status(q.statuses) : NULL;
	f.service = q.service[0] ? q.service : NULL;
	if (q.to[0]) {
		if (pint_tel_parse(&tel, q.to, strlen(q.to),
				   api->d->conf->main.default_context, "to",
				   &why) || !tel.e164[0]) {
			api_reply_code(req, 400, "invalid_parameter", "to",
				       "to: not a number that can be "
				       "matched (use E.164, +CC…)");
			return;
		}
		f.to = tel.e164;
	}
	f.created_after = q.has_created_after ? q.created_after : 0;
	f.created_before = q.has_created_before ? q.created_before : 0;
	f.limit = q.limit;
	f.cursor = q.cursor[0] ? q.cursor : NULL;
	err = gw_store_list(api->d->store, &f, &page);
	if (err == EINVAL) {
		api_reply_code(req, 400, "invalid_parameter", "cursor",
			       "cursor: not a cursor from this API");
		return;
	}
	if (err) {
		api_store_err(&e, err);
		api_reply_err(req, &e);
		return;
	}
	err = list_render(&body, &len, &page,
			  bits(q.statuses) > 1 ? q.statuses : 0,
			  page.next_cursor[0] ? page.next_cursor : NULL);
	gw_store_page_clear(&page);
	if (err) {
		web_http_reply_json(req, 503, API_E503);
		return;
	}
	web_http_reply(req, 200, WEB_HTTP_CT_JSON, body, len);
	free(body);
}

/* ---- GET /v1/requests/{id}/events ---- */

static bool wants_sse(const char *accept)
{
	static const char sse[] = "text/event-stream";
	const char *p;

	for (p = accept; p && *p; p++)
		if (!strncasecmp(p, sse, sizeof(sse) - 1))
			return true;
	return false;
}

/* The event list as JSON (all of them past after, bounded). */
static int events_json(struct gw_api *api, const char *id, uint32_t after,
		       char **bodyp, size_t *lenp)
{
	struct web_resource_event *evs = NULL, *nv;
	struct gw_store_events page;
	json_t **sips = NULL, **ns;
	size_t i, n = 0;
	int err = 0;

	do {
		err = gw_store_events(api->d->store, id, after, EVENTS_PAGE,
				      &page);
		if (err)
			break;
		nv = realloc(evs, (n + page.n + 1) * sizeof(*evs));
		if (nv)
			evs = nv;
		ns = realloc(sips, (n + page.n + 1) * sizeof(*sips));
		if (ns)
			sips = ns;
		if (!nv || !ns)
			err = ENOMEM;
		for (i = 0; !err && i < page.n; i++) {
			if (api_event_fill(&evs[n], &sips[n], &page.v[i]))
				continue;       /* unknown status: skip */
			n++;
			after = page.v[i].seq;
		}
		if (!err && page.n < EVENTS_PAGE) {
			err = web_resource_events(bodyp, lenp, evs, n);
			gw_store_events_clear(&page);
			break;
		}
		gw_store_events_clear(&page);
		if (n >= EVENTS_LIST_MAX)
			err = EMSGSIZE;
	} while (!err);
	for (i = 0; i < n; i++)
		json_decref(sips[i]);
	free(evs);
	free(sips);
	return err;
}

/*
 * Send one stored or published event on stream sid. false when it could
 * not be queued: the caller ends the stream, and the client resumes from
 * the store with Last-Event-ID (a gap would be worse).
 */
bool api_stream_send(struct gw_api *api, uint64_t sid,
		     const struct gw_store_event *row)
{
	struct web_resource_event ev;
	json_t *sip = NULL;
	char *frame = NULL;
	size_t len = 0;
	int err;

	if (!api->d->http)
		return false;
	if (api_event_fill(&ev, &sip, row))
		return true;
	err = web_resource_sse(&frame, &len, &ev);
	json_decref(sip);
	if (!err)
		err = web_http_stream_send(api->d->http, sid, frame, len);
	free(frame);
	return !err;
}

/* web_http_end_h of our streams. */
static void stream_ended(struct web_http *http, uint64_t id,
			 enum web_http_end why, void *arg)
{
	struct api_sub *sub = api_sub_find(arg, id);

	(void)http;
	(void)why;
	if (sub)
		api_sub_del(arg, sub);
}

/* Stored events past after, then live ones (api_stream.c). */
static void events_stream(struct gw_api *api, struct web_http_req *req,
			  const struct gw_store_req *row, uint64_t after,
			  const char *owner)
{
	struct gw_store_events page;
	struct api_sub *sub;
	enum web_status st = WEB_STATUS_NONE;
	uint64_t sid;
	size_t i;
	int err;

	if (web_http_stream(req, stream_ended, api, &sid)) {
		web_http_reply_json(req, 503, API_E503);
		return;
	}
	while (after < row->last_seq) {
		err = gw_store_events(api->d->store, row->id, (uint32_t)after,
				      EVENTS_PAGE, &page);
		if (err || !page.n) {
			gw_store_events_clear(&page);
			break;
		}
		for (i = 0; i < page.n; i++) {
			if (!api_stream_send(api, sid, &page.v[i])) {
				gw_store_events_clear(&page);
				web_http_stream_close(api->d->http, sid);
				return;
			}
			after = page.v[i].seq;
		}
		gw_store_events_clear(&page);
	}
	if (row->status)
		web_resource_status_parse(&st, row->status, strlen(row->status));
	if ((web_resource_status_final(st) && after >= row->last_seq) ||
	    api_sub_add(api, row->id, owner, SUB_STREAM, sid, after, &sub))
		web_http_stream_close(api->d->http, sid);
}

/*
 * The query (after; view too on the click route) and Last-Event-ID of an
 * events request: false once replied (400).
 */
bool api_events_query(struct web_http_req *req, bool click,
		      uint64_t *afterp, bool *ssep)
{
	const char *name, *value, *last;
	bool sse = wants_sse(web_http_req_header(req, "Accept"));
	uint64_t after = 0;
	size_t i;

	for (i = 0; !web_http_req_query_at(req, i, &name, &value); i++) {
		if (click && !strcmp(name, "view"))
			continue;
		if (strcmp(name, "after")) {
			api_reply_code(req, 400, "unknown_parameter", name,
				       "unknown query parameter");
			return false;
		}
		if (!value || web_req_seq_parse(&after, value,
						strlen(value))) {
			api_reply_code(req, 400, "invalid_parameter", "after",
				       "after: not an event number");
			return false;
		}
	}
	last = sse ? web_http_req_header(req, "Last-Event-ID") : NULL;
	if (last && *last && web_req_seq_parse(&after, last, strlen(last))) {
		api_reply_code(req, 400, "invalid_header", "Last-Event-ID",
			       "Last-Event-ID: not an event number");
		return false;
	}
	*afterp = after;
	*ssep = sse;
	return true;
}

/* The events of row past after: a JSON list, or a stream. */
void api_events_row(struct gw_api *api, struct web_http_req *req,
		    const struct gw_store_req *row, uint64_t after, bool sse)
{
	struct web_json_err e;
	char *body = NULL;
	size_t len = 0;
	int err;

	if (after > UINT32_MAX)
		after = UINT32_MAX;     /* past any seq */
	if (sse) {
		events_stream(api, req, row, after, row->owner);
		return;
	}
	err = events_json(api, row->id, (uint32_t)after, &body, &len);
	if (err) {
		api_store_err(&e, err == EMSGSIZE ? ENOMEM : err);
		api_reply_err(req, &e);
		return;
	}
	web_http_reply(req, 200, WEB_HTTP_CT_JSON, body, len);
	free(body);
}

/* GET /v1/requests/{id}/events: key and scope checked. */
void api_events(struct gw_api *api, struct web_http_req *req,
		const struct api_match *m, const char *owner)
{
	struct gw_store_req row;
	uint64_t after = 0;
	bool sse = false;

	if (!api_events_query(req, false, &after, &sse) ||
	    !api_load_row(api, req, m->id, owner, &row))
		return;
	api_events_row(api, req, &row, after, sse);
	gw_store_req_clear(&row);
}

/* ---- GET /v1/requests/{id}/deliveries ---- */

static int delivery_json(json_t *arr, const char *id,
			 const struct gw_store_delivery *d)
{
	char eid[WEB_WEBHOOK_EVENT_ID_SIZE];
	json_t *o = json_object();
	int err = o ? 0 : ENOMEM;

	if (!err)
		err = web_webhook_event_id(eid, sizeof(eid), id, d->seq);
	if (!err)
		err = web_json_set_new(o, "seq", json_integer(d->seq));
	if (!err)
		err = web_json_set_str(o, "event_id", eid);
	if (!err)
		err = web_json_set_str(o, "state", gw_hooks_state_name(d));
	if (!err)
		err = web_json_set_new(o, "attempt", json_integer(d->attempt));
	if (!err)
		err = d->state == GW_STORE_DLV_PENDING ?
			web_json_set_time(o, "next_at", d->next_at) :
			web_json_set_new(o, "next_at", json_null());
	if (!err)
		err = web_json_set_new(o, "last_code", d->last_code ?
				       json_integer(d->last_code) :
				       json_null());
	if (!err)
		err = web_json_set_str(o, "last_error", d->last_error);
	if (!err)
		err = web_json_set_time(o, "updated_at", d->updated_at);
	if (!err && json_array_append(arr, o))
		err = ENOMEM;
	json_decref(o);
	return err;
}

/* {"deliveries": [...]} of request id, every row in seq order. */
static int deliveries_json(struct gw_api *api, const char *id, char **bodyp,
			   size_t *lenp)
{
	struct gw_store_deliveries ds;
	json_t *root = json_object(), *arr = json_array();
	uint32_t after = 0;
	size_t i, total = 0;
	int err = root && arr ? 0 : ENOMEM;

	while (!err) {
		err = gw_store_deliveries(api->d->store, id, after,
					  EVENTS_PAGE, &ds);
		for (i = 0; !err && i < ds.n; i++)
			err = delivery_json(arr, id, &ds.v[i]);
		if (!err && ds.n)
			after = ds.v[ds.n - 1].seq;
		total += ds.n;
		if (ds.n < EVENTS_PAGE || total >= EVENTS_LIST_MAX) {
			gw_store_deliveries_clear(&ds);
			break;
		}
		gw_store_deliveries_clear(&ds);
	}
	if (!err) {
		err = web_json_set_new(root, "deliveries", arr);
		arr = NULL;
	}
	if (!err)
		err = web_json_dump(bodyp, lenp, root, 0);
	json_decref(arr);
	json_decref(root);
	return err;
}

/*
 * The webhook deliveries of one of owner's requests: one entry per event
 * that passed its filter, with its state (pending, retry, delivered,
 * failed), attempts made and the last status or error.
 */
void api_deliveries(struct gw_api *api, struct web_http_req *req,
		    const struct api_match *m, const char *owner)
{
	struct gw_store_req row;
	struct web_json_err e;
	const char *name, *value;
	char *body = NULL;
	size_t len = 0;
	int err;

	if (!web_http_req_query_at(req, 0, &name, &value)) {
		api_reply_code(req, 400, "unknown_parameter", name,
			       "unknown query parameter");
		return;
	}
	if (!api_load_row(api, req, m->id, owner, &row))
		return;
	err = deliveries_json(api, row.id, &body, &len);
	gw_store_req_clear(&row);
	if (err) {
		api_store_err(&e, err);
		api_reply_err(req, &e);
		free(body);
		return;
	}
	web_http_reply(req, 200, WEB_HTTP_CT_JSON, body, len);
	free(body);
}
