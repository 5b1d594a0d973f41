/*
 * gateway/hooks.h — the webhook pipeline (API.md "Webhooks",
 * docs/webhooks.md): each published event that passes its request's
 * filter becomes a deliveries row (pending, attempt 0) and, once that row
 * is committed, a delivery in web/webhook's ordered queue, POSTed through
 * web/fetch on the daemon's loop and signed with the owning key's secret.
 * Every attempt's end rewrites the row; on start the pending rows are
 * queued again, so deliveries survive restarts (at least once).
 *
 * The pipeline owns its fetcher, its queue and a copy of the secrets; it
 * borrows the loop and the store (free it after the store: the store's
 * last callbacks may still name it) and the configuration until the next
 * gw_hooks_reload().
 */
#ifndef GW_HOOKS_H
#define GW_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "gateway/loop.h"
#include "gateway/store.h"
#include "web/resource.h"
#include "web/webhook.h"

struct gw_hooks;

#define GW_HOOKS_RECOVER_MAX 1000000u   /* pending rows queued at start */
#define GW_HOOKS_NO_SECRET "no secret configured"
#define GW_HOOKS_BAD_DLV "delivery refused: invalid URL or payload"

/* Counters since start, and the queue now (for /metrics). */
struct gw_hooks_stats {
	uint64_t created;               /* events that passed a filter */
	uint64_t attempts;              /* POSTs tried */
	uint64_t delivered;             /* a 2xx */
	uint64_t retried;               /* failed attempts with another to come */
	uint64_t failed;                /* given up: attempts used up, refused */
	uint64_t no_secret;             /* failed: the key has no secret */
	uint64_t store_errors;          /* delivery rows not written */
	uint64_t recovered;             /* queued again at start */
	uint32_t depth;                 /* deliveries held, in flight too */
	uint32_t inflight;
	uint32_t requests;              /* requests with deliveries held */
};

/* Test seams: NULL members keep the real ones (web/webhook.h). */
struct gw_hooks_seams {
	web_webhook_send_h *send;
	web_webhook_cancel_h *cancel;
	void *send_arg;
	web_webhook_clock_h *clock;
	web_webhook_rand_h *rand;
	void *seam_arg;
};

/*
 * Lifetime. seams may be NULL. The fetcher's fd and deadlines are hooked
 * into loop here. 0, EINVAL, ENOMEM, ENOTSUP (libcurl without its
 * threaded resolver) or the fetcher's errno; msg says which.
 */
int gw_hooks_alloc(struct gw_hooks **hp, struct gw_loop *loop,
		   struct gw_store *store, const struct gw_conf *conf,
		   const struct gw_hooks_seams *seams, char *msg,
		   size_t msgsize);
void gw_hooks_free(struct gw_hooks *h);
int gw_hooks_reload(struct gw_hooks *h, const struct gw_conf *conf);
int gw_hooks_recover(struct gw_hooks *h, char *msg, size_t msgsize);

/* gw_reqs_published_h: give it every committed event (arg: the hooks). */
void gw_hooks_published(const struct gw_store_req *row,
			const struct gw_store_event *ev, void *arg);

/* Whether owner's key has a secret to sign with (a create checks it) */
bool gw_hooks_has_secret(const struct gw_hooks *h, const char *owner);

/* Observability */
void gw_hooks_stats(const struct gw_hooks *h, struct gw_hooks_stats *st);

/* Pure parts (tests). */
int gw_hooks_target(const char *webhook_json, enum web_status status,
		    char *url, size_t urlsize, bool *passp);
int gw_hooks_payload(char **bodyp, size_t *lenp,
		     const struct gw_store_req *row,
		     const struct gw_store_event *ev);
const char *gw_hooks_state_name(const struct gw_store_delivery *dlv);

#endif
