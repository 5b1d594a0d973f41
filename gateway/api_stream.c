/*
 * gateway/api_stream.c — who waits on which request (long-polls and
 * event streams, by request id and by web/http id), the fan-out of
 * published events to them, and the operational endpoints.
 *
 * A watch exists while some sub waits on its request id and dies with
 * its last sub. Subs die when answered, when their stream ends (web/http
 * tells by id) or, for long-polls, at their backstop timer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api_int.h"
#include "gateway/log.h"

/* ---- the tables ---- */

static bool watch_eq(const struct pint_hash_node *n, const void *key,
		     void *arg)
{
	(void)arg;
	return !strcmp(((const struct api_watch *)n)->id, key);
}

static bool sub_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	(void)arg;
	return ((const struct api_sub *)n)->http_id == *(const uint64_t *)key;
}

static struct api_watch *watch_find(struct gw_api *api, const char *id)
{
	uint64_t h = pint_hash_sip(api->sipkey, id, strlen(id));

	return (struct api_watch *)pint_hash_find(&api->watches, h, watch_eq,
						   id, NULL);
}

/* The sub parked under this web/http id, or NULL. */
struct api_sub *api_sub_find(struct gw_api *api, uint64_t http_id)
{
	return (struct api_sub *)pint_hash_find(&api->subs,
						 pint_hash_u64(http_id), sub_eq,
						 &http_id, NULL);
}

/*
 * Park http_id on request id (owner's, checked by the caller) until an
 * event past after. *subp is the api's until api_sub_del(). ENOMEM.
 */
int api_sub_add(struct gw_api *api, const char *id, const char *owner,
		enum api_sub_kind kind, uint64_t http_id, uint64_t after,
		struct api_sub **subp)
{
	struct api_watch *w = watch_find(api, id);
	struct api_sub *sub;
	size_t n = strlen(id);
	bool fresh = false;

	if (n >= sizeof(w->id) || strlen(owner) >= sizeof(sub->owner))
		return EINVAL;
	sub = calloc(1, sizeof(*sub));
	if (!sub)
		return ENOMEM;
	if (!w) {
		w = calloc(1, sizeof(*w));
		if (!w) {
			free(sub);
			return ENOMEM;
		}
		memcpy(w->id, id, n + 1);
		if (pint_hash_insert(&api->watches, &w->node,
				     pint_hash_sip(api->sipkey, id, n))) {
			free(w);
			free(sub);
			return ENOMEM;
		}
		fresh = true;
	}
	sub->api = api;
	sub->kind = kind;
	sub->http_id = http_id;
	sub->after = after;
	snprintf(sub->owner, sizeof(sub->owner), "%s", owner);
	if (pint_hash_insert(&api->subs, &sub->node, pint_hash_u64(http_id))) {
		if (fresh) {
			pint_hash_remove(&api->watches, &w->node);
			free(w);
		}
		free(sub);
		return ENOMEM;
	}
	sub->watch = w;
	sub->next = w->subs;
	if (w->subs)
		w->subs->prev = sub;
	w->subs = sub;
	if (kind == SUB_WAIT)
		api->waiting++;
	*subp = sub;
	return 0;
}

/* Forget sub (and its watch when it was the last); its reply is done. */
void api_sub_del(struct gw_api *api, struct api_sub *sub)
{
	struct api_watch *w = sub->watch;

	gw_timer_stop(api->d->loop, &sub->timer);
	if (sub->prev)
		sub->prev->next = sub->next;
	else
		w->subs = sub->next;
	if (sub->next)
		sub->next->prev = sub->prev;
	if (!w->subs) {
		pint_hash_remove(&api->watches, &w->node);
		free(w);
	}
	pint_hash_remove(&api->subs, &sub->node);
	if (sub->kind == SUB_WAIT)
		api->waiting--;
	free(sub);
}

static void sub_drop(struct pint_hash_node *n, void *arg)
{
	struct api_sub *sub = (struct api_sub *)n;
	struct gw_api *api = arg;

	gw_timer_stop(api->d->loop, &sub->timer);
	free(sub);
}

static void watch_drop(struct pint_hash_node *n, void *arg)
{
	(void)arg;
	free(n);
}

/* Shutdown: every sub and watch goes, no reply (web_http is gone). */
void api_subs_free_all(struct gw_api *api)
{
	pint_hash_reset(&api->subs, sub_drop, api);
	pint_hash_reset(&api->watches, watch_drop, NULL);
	api->waiting = 0;
}

/* ---- fan-out ---- */

static void stream_event(struct gw_api *api, struct api_sub *sub,
			 const struct gw_store_event *ev, bool final)
{
	uint64_t sid = sub->http_id;

	if (ev->seq <= sub->after)
		return;         /* sent from the store already */
	sub->after = ev->seq;
	if (!api_stream_send(api, sid, ev) || final) {
		api_sub_del(api, sub);
		if (api->d->http)
			web_http_stream_close(api->d->http, sid);
	}
}

/*
 * gw_reqs_published_h: an event is committed. Counted, then handed to
 * the long-polls and streams of that request.
 */
void gw_api_published(const struct gw_store_req *row,
		      const struct gw_store_event *ev, const char *outcome, void *arg)
{
	struct gw_api *api = arg;
	struct api_watch *w;
	struct api_sub *sub, *next;
	enum web_status st = WEB_STATUS_NONE;
	bool final;

	if (!row || !ev || !row->id || !ev->status)
		return;
	web_resource_status_parse(&st, ev->status, strlen(ev->status));
	final = web_resource_status_final(st);
	gw_metrics_event(&api->counters, row->service, st,
			 final ? api_outcome_parse(outcome) : WEB_OUTCOME_NONE);
	if (final)
		gw_policy_live_add(api->policy, row->owner, -1);
	w = watch_find(api, row->id);
	if (!w)
		return;
	/* a sub may go (and the watch with the last one): keep next first */
	for (sub = w->subs; sub; sub = next) {
		next = sub->next;
		if (sub->kind == SUB_WAIT)
			api_wait_event(sub, row, ev);
		else
			stream_event(api, sub, ev, final);
	}
}

static int seed_one(struct gw_store_req *row, void *arg)
{
	struct gw_api *api = arg;

	gw_policy_live_add(api->policy, row->owner, 1);
	return 0;
}

struct seed_dials {
	struct gw_policy *policy;
	int64_t now;
};

static int seed_dial(const char *number, int64_t at, void *arg)
{
	struct seed_dials *sd = arg;

	/* ENOMEM: that dial is not counted; the rest still are */
	gw_policy_record(sd->policy, number, at, sd->now);
	return 0;
}

/*
 * Count each key's live requests in the store (the concurrency limit's
 * starting point), every number dialled in the last GW_POLICY_KEEP_MS
 * (the destination cooldown and daily cap survive a restart) and the
 * uses of click tokens. Call once after gw_reqs_recover(), before the
 * loop runs (the terminal events of what recovery ended are published
 * later and count down). 0 or a store errno.
 */
int gw_api_seed(struct gw_api *api)
{
	struct seed_dials sd;
	int err;

	err = gw_store_scan_live(api->d->store, seed_one, api);
	if (err)
		return err;
	sd.policy = api->policy;
	sd.now = api_wall_ms();
	err = gw_store_scan_dials(api->d->store, sd.now - GW_POLICY_KEEP_MS,
				  seed_dial, &sd);
	return err ? err : api_click_seed(api);
}

/* ---- operations ---- */

/* GET /healthz: the process answers. */
void api_healthz(struct gw_api *api, struct web_http_req *req)
{
	(void)api;
	web_http_reply_json(req, 200, "{\"status\":\"ok\"}");
}

static bool ready(const struct gw_api *api, bool *store_ok, bool *gw_ok)
{
	*store_ok = gw_store_writable(api->d->store);
	*gw_ok = api->d->sip && gw_sip_ready(api->d->sip);
	return *store_ok && *gw_ok && !api->draining;
}

/*
 * GET /readyz: 200 when the store is writable and a gateway answers
 * OPTIONS; else 503 naming the first check that failed, all of them in
 * "checks".
 */
void api_readyz(struct gw_api *api, struct web_http_req *req)
{
	bool store_ok, gw_ok;
	const char *code = "not_ready", *field, *msg;
	char body[512];

	if (ready(api, &store_ok, &gw_ok)) {
		web_http_reply_json(req, 200, "{\"status\":\"ready\",\"checks\":"
				    "{\"store\":\"ok\",\"gateway\":\"ok\"}}");
		return;
	}
	if (api->draining) {
		code = "shutting_down";
		field = "";
		msg = "pintgw is shutting down";
	} else if (!store_ok) {
		field = "store";
		msg = "store: the database is not writable";
	} else {
		field = "gateway";
		msg = "gateway: no gateway answers OPTIONS";
	}
	snprintf(body, sizeof(body),
		 "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"%s%s%s},"
		 "\"checks\":{\"store\":\"%s\",\"gateway\":\"%s\"}}",
		 code, msg, *field ? ",\"field\":\"" : "", field,
		 *field ? "\"" : "", store_ok ? "ok" : "failed",
		 gw_ok ? "ok" : "failed");
	web_http_reply_json(req, 503, body);
}

/* GET /metrics: Prometheus text (gateway/metrics.c, then the SIP side
 * and the content fetcher). */
void api_metrics(struct gw_api *api, struct web_http_req *req)
{
	struct gw_metrics_src src;
	struct web_http_stats hs;
	struct gw_store_stats ss;
	struct gw_reqs_stats rs;
	struct gw_loop_stats ls;
	struct gw_hooks_stats hk;
	struct gw_policy_stats ps;
	struct pint_mbuf mb;
	bool a, b;
	int err;

	memset(&src, 0, sizeof(src));
	src.api = &api->counters;
	src.waiting = api->waiting;
	src.ready = ready(api, &a, &b);
	if (api->d->http) {
		web_http_stats_get(api->d->http, &hs);
		src.http = &hs;
	}
	gw_store_stats(api->d->store, &ss);
	src.store = &ss;
	if (api->d->reqs) {
		gw_reqs_stats(api->d->reqs, &rs);
		src.reqs = &rs;
	}
	gw_loop_stats(api->d->loop, &ls);
	src.loop = &ls;
	if (api->d->hooks) {
		gw_hooks_stats(api->d->hooks, &hk);
		src.hooks = &hk;
	}
	gw_policy_stats(api->policy, &ps);
	src.policy = &ps;
	pint_mbuf_init(&mb, 0);
	err = gw_metrics_render(&mb, &src);
	if (!err && api->d->sip)
		err = gw_sip_metrics(api->d->sip, &mb);
	if (!err && api->d->fetch)
		err = gw_fetch_metrics(api->d->fetch, &mb);
	if (err) {
		log_warn("api: metrics: %s", strerror(err));
		web_http_reply_json(req, 503, API_E503);
	} else {
		web_http_reply(req, 200, GW_METRICS_CTYPE, mb.buf, mb.len);
	}
	pint_mbuf_reset(&mb);
}
