/*
 * gateway/api_click_view.c — what the page that made a click may read:
 * GET /v1/click/{id}?view=<token> (with ?wait= like GET
 * /v1/requests/{id}) and GET /v1/click/{id}/events (a list, or SSE like
 * the request's events). The view token stands for the key: without the
 * right one the request does not exist (404, the same as an unknown id).
 *
 * The click's resource is a subset of the request's: id, service,
 * status, times, info, outcome, last_seq, the events (no SIP details),
 * and the number dialled masked as the logs mask it. The 201 of a click
 * has it too, with its view token.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api_int.h"
#include "gateway/log.h"
#include "pint/tel.h"

#define VIEW_EVENTS_MAX 64u     /* events in the view (a call has ~6) */
#define LINK_SIZE (GW_STORE_ID_MAX + GW_CLICK_VIEW_LEN + 32u)

/* A click's view being made: c and the texts and events it points to. */
struct view {
	struct web_resource_click c;
	char token[GW_CLICK_VIEW_LEN + 1];      /* "" = none */
	char masked[GW_STORE_ID_MAX + 1];
	char self[LINK_SIZE];
	char events[LINK_SIZE];
	struct gw_store_events page;
	struct web_resource_event ev[VIEW_EVENTS_MAX];
	json_t *sips[VIEW_EVENTS_MAX];
};

/* The first VIEW_EVENTS_MAX events of row; unknown statuses left out. */
static int view_events(struct gw_api *api, const struct gw_store_req *row,
		       struct view *v)
{
	size_t i;
	int err;

	err = gw_store_events(api->d->store, row->id, 0, VIEW_EVENTS_MAX,
			      &v->page);
	for (i = 0; !err && i < v->page.n && v->c.n < VIEW_EVENTS_MAX; i++)
		if (!api_event_fill(&v->ev[v->c.n], &v->sips[v->c.n],
				    &v->page.v[i]))
			v->c.n++;
	v->c.ev = v->ev;
	return err;
}

/* "to" masked; "links" carrying the view token when there is one. */
static void view_extras(struct view *v, const struct gw_store_req *row)
{
	const char *to = row->to_number ? row->to_number : row->to_input;
	const char *q = v->token[0] ? "?view=" : "";

	v->c.to = to && !pint_tel_mask(to, v->masked, sizeof(v->masked)) ?
		  v->masked : NULL;
	snprintf(v->self, sizeof(v->self), "/v1/click/%s%s%s", row->id, q,
		 v->token);
	snprintf(v->events, sizeof(v->events), "/v1/click/%s/events%s%s",
		 row->id, q, v->token);
	v->c.self = v->self;
	v->c.events_link = v->events;
}

/*
 * The click's resource of row (*bodyp is the caller's); with_token adds
 * "view_token" (the 201 of a click). 0, EINVAL or ENOMEM.
 */
int api_click_render(struct gw_api *api, const struct gw_store_req *row,
		     bool with_token, char **bodyp, size_t *lenp)
{
	const uint8_t *secret;
	struct api_res res;
	struct view v;
	size_t slen, i;
	int err;

	memset(&v, 0, sizeof(v));
	err = api_res_fill(&res, row);
	if (!err && !api_click_secret(row->owner, &secret, &slen, api))
		err = gw_click_view(v.token, row->id, secret, slen);
	if (!err)
		err = view_events(api, row, &v);
	if (!err) {
		view_extras(&v, row);
		v.c.with_token = with_token;
		v.c.view_token = v.token[0] ? v.token : NULL;
		err = web_resource_click(bodyp, lenp, &res.r, &v.c);
	}
	for (i = 0; i < v.c.n; i++)
		json_decref(v.sips[i]);
	gw_store_events_clear(&v.page);
	api_res_clear(&res);
	return err;
}

/*
 * The request m names, when ?view= is its view token; else false after
 * replying 404 (whether it exists or not), or 503.
 */
static bool load_viewed(struct gw_api *api, struct web_http_req *req,
			const struct api_match *m, struct gw_store_req *row)
{
	const char *view = web_http_req_query(req, "view");
	const uint8_t *secret = NULL;
	struct web_json_err e;
	size_t slen = 0;
	int err = ENOENT;

	memset(row, 0, sizeof(*row));
	if (m->id_ok && view)
		err = gw_store_get_request(api->d->store, m->id, NULL, row);
	if (!err && (api_click_secret(row->owner, &secret, &slen, api) ||
		     !gw_click_view_ok(view, row->id, secret, slen)))
		err = ENOENT;
	if (!err)
		return true;
	gw_store_req_clear(row);
	if (err == ENOENT)
		web_json_err_set(&e, 404, "not_found", "", "no such request");
	else
		api_store_err(&e, err);
	api_reply_err(req, &e);
	return false;
}

/* GET /v1/click/{id}?view=V[&wait=S&after=N] */
void api_click_get(struct gw_api *api, struct web_http_req *req,
		   const struct api_match *m)
{
	struct web_req_wait w;
	struct web_json_err e;
	struct gw_store_req row;
	const char *name, *value;
	size_t i;

	web_req_wait_init(&w);
	for (i = 0; !web_http_req_query_at(req, i, &name, &value); i++) {
		if (strcmp(name, "view") && web_req_wait_set(&w, name, value,
							     &e)) {
			api_reply_err(req, &e);
			return;
		}
	}
	if (!load_viewed(api, req, m, &row))
		return;
	api_get_row(api, req, &row, &w, true);
	gw_store_req_clear(&row);
}

/* GET /v1/click/{id}/events?view=V[&after=N]: a list, or SSE. */
void api_click_events(struct gw_api *api, struct web_http_req *req,
		      const struct api_match *m)
{
	struct gw_store_req row;
	uint64_t after = 0;
	bool sse = false;

	if (!api_events_query(req, true, &after, &sse) ||
	    !load_viewed(api, req, m, &row))
		return;
	api_events_row(api, req, &row, after, sse);
	gw_store_req_clear(&row);
}
