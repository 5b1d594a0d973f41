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

static const char *const kept[] = {
	"id", "service", "status", "created_at", "updated_at", "info",
	"outcome", "last_seq",
};

/* The events of row, first VIEW_EVENTS_MAX, without their "sip". */
static int view_events(struct gw_api *api, const struct gw_store_req *row,
		       json_t *arr)
{
	struct gw_store_events page;
	struct web_resource_event ev;
	json_t *sip, *o;
	size_t i;
	int err;

	err = gw_store_events(api->d->store, row->id, 0, VIEW_EVENTS_MAX,
			      &page);
	for (i = 0; !err && i < page.n; i++) {
		if (api_event_fill(&ev, &sip, &page.v[i]))
			continue;       /* unknown status: left out */
		o = NULL;
		err = web_resource_event_json(&o, &ev);
		json_decref(sip);
		if (!err && json_object_del(o, "sip"))
			err = EINVAL;
		if (!err && json_array_append(arr, o))
			err = ENOMEM;
		json_decref(o);
	}
	gw_store_events_clear(&page);
	return err;
}

/* "to" masked; "links" carrying the view token when there is one. */
static int view_extras(json_t *o, const struct gw_store_req *row,
		       const char *view)
{
	const char *to = row->to_number ? row->to_number : row->to_input;
	char masked[GW_STORE_ID_MAX + 1], link[LINK_SIZE];
	json_t *links = json_object();
	int err = links ? 0 : ENOMEM;

	if (!err)
		err = web_json_set_str(o, "to", to && !pint_tel_mask(to, masked,
					sizeof(masked)) ? masked : NULL);
	if (!err) {
		snprintf(link, sizeof(link), "/v1/click/%s%s%s", row->id,
			 view[0] ? "?view=" : "", view);
		err = web_json_set_str(links, "self", link);
	}
	if (!err) {
		snprintf(link, sizeof(link), "/v1/click/%s/events%s%s",
			 row->id, view[0] ? "?view=" : "", view);
		err = web_json_set_str(links, "events", link);
	}
	if (!err) {
		err = web_json_set_new(o, "links", links);
		links = NULL;
	}
	json_decref(links);
	return err;
}

/*
 * The click's resource of row (*bodyp is the caller's); with_token adds
 * "view_token" (the 201 of a click). 0, EINVAL or ENOMEM.
 */
int api_click_render(struct gw_api *api, const struct gw_store_req *row,
		     bool with_token, char **bodyp, size_t *lenp)
{
	char view[GW_CLICK_VIEW_LEN + 1] = "";
	const uint8_t *secret;
	struct api_res res;
	json_t *full = NULL, *o = NULL, *evs = NULL;
	size_t slen, i;
	int err;

	err = api_res_fill(&res, row);
	if (!err)
		err = web_resource_json(&full, &res.r);
	api_res_clear(&res);
	o = json_object();
	evs = json_array();
	if (!err && (!o || !evs))
		err = ENOMEM;
	for (i = 0; !err && i < sizeof(kept) / sizeof(kept[0]); i++)
		if (json_object_set(o, kept[i], json_object_get(full, kept[i])))
			err = ENOMEM;
	if (!err && !api_click_secret(row->owner, &secret, &slen, api))
		err = gw_click_view(view, row->id, secret, slen);
	if (!err)
		err = view_extras(o, row, view);
	if (!err)
		err = view_events(api, row, evs);
	if (!err) {
		err = web_json_set_new(o, "events", evs);
		evs = NULL;
	}
	if (!err && with_token)
		err = web_json_set_str(o, "view_token", view[0] ? view : NULL);
	if (!err)
		err = web_json_dump(bodyp, lenp, o, 0);
	json_decref(evs);
	json_decref(o);
	json_decref(full);
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
