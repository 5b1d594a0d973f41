/*
 * gateway/api_cancel.c — DELETE /v1/requests/{id} (API.md "Cancel"): the
 * request table cancels and answers after the commit that settles it;
 * its answer becomes the reply (200, 409 already_final, 409 cannot_abort
 * with the gateway's text, 404).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api_int.h"

/* Unlink and free; the reply was made or is web_http's to end. */
static void cancel_free(struct api_cancel *x)
{
	struct gw_api *api = x->api;

	if (x->prev)
		x->prev->next = x->next;
	else if (api->cancels == x)
		api->cancels = x->next;
	if (x->next)
		x->next->prev = x->prev;
	free(x);
}

/* Shutdown, after gw_reqs is gone: no answer will come. */
void api_cancel_free_all(struct gw_api *api)
{
	while (api->cancels)
		cancel_free(api->cancels);
}

/* gw_reqs_canceled_h: the answer, after the commit that settled it. */
static void canceled(int err, const struct gw_store_req *row,
		     const char *info, void *arg)
{
	struct api_cancel *x = arg;
	struct gw_api *api = x->api;
	struct web_json_err e;
	char *body = NULL;
	size_t len = 0;

	switch (err) {
	case 0:
		if (row && !api_render(&body, &len, row)) {
			api->counters.cancels++;
			api_late_reply(api, x->http_id, 200, body, len, NULL);
			free(body);
			cancel_free(x);
			return;
		}
		web_json_err_set(&e, 503, "unavailable", "",
				 "canceled; read the request again");
		break;
	case EALREADY:
		web_json_err_set(&e, 409, "already_final", "",
				 "the request has already ended");
		break;
	case EBUSY:
		web_json_err_set(&e, 409, "cannot_abort", "",
				 "the gateway cannot stop the service: %s",
				 info && *info ? info : "no reason given");
		break;
	case ENOENT:
		web_json_err_set(&e, 404, "not_found", "", "no such request");
		break;
	case EAGAIN:
		web_json_err_set(&e, 503, "not_ready", "",
				 "the request cannot be canceled yet (pintgw "
				 "is starting); try again");
		break;
	default:
		api_store_err(&e, err);
		break;
	}
	api_late_err(api, x->http_id, &e);
	cancel_free(x);
}

/* DELETE /v1/requests/{id}: key and scope checked, id well-formed. */
void api_cancel(struct gw_api *api, struct web_http_req *req,
		const struct api_match *m, const char *owner)
{
	struct api_cancel *x;
	const char *name, *value;
	int err;

	if (!web_http_req_query_at(req, 0, &name, &value)) {
		api_reply_code(req, 400, "unknown_parameter", name,
			       "unknown query parameter");
		return;
	}
	if (!api->d->reqs) {
		api_reply_code(req, 503, "unavailable", "",
			       "requests are not accepted yet");
		return;
	}
	x = calloc(1, sizeof(*x));
	if (!x || web_http_suspend(req, &x->http_id)) {
		free(x);
		web_http_reply_json(req, 503, API_E503);
		return;
	}
	x->api = api;
	x->next = api->cancels;
	if (api->cancels)
		api->cancels->prev = x;
	api->cancels = x;
	/* the answer may come before this returns: x is linked already */
	err = gw_reqs_cancel(api->d->reqs, m->id, owner, canceled, x);
	if (err)
		canceled(err, NULL, NULL, x);
}
