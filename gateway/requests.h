/*
 * gateway/requests.h — the request table and its state machine
 * (DESIGN.md §4): each web request joined to its PINT call; every status
 * change one numbered event, stored before it is published; exactly one
 * terminal event per request; scheduling by start_at/stop_at; crash
 * recovery on start (DESIGN.md §5).
 *
 * The table keeps in memory only what a live request needs (its spec
 * while the call may still need it, its seq, timers); everything a reader
 * sees comes from the store's committed state. Completions name requests
 * by id and do nothing when the request is gone (STYLE.md rule 8).
 * Callbacks run on the loop thread after the store's commit, never from
 * inside the call that asked for them. The configuration is borrowed
 * until the next gw_reqs_reload; specs belong to the table once given.
 * Free the gw_sip before the table (its events name it), the table
 * before the store and the loop.
 */
#ifndef GW_REQUESTS_H
#define GW_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "gateway/fetch.h"
#include "gateway/loop.h"
#include "gateway/sipgw.h"
#include "gateway/spec.h"
#include "gateway/store.h"
#include "pint/mbuf.h"

#define GW_REQ_ID_SIZE 29               /* "rq_" + 25 URL-safe chars, NUL */

struct gw_reqs;

/* The reply to a create, after the commit: err 0 and the stored row, or
 * the errno of the store (the request was not created). */
typedef void (gw_reqs_created_h)(int err, const struct gw_store_req *row,
				 void *arg);

/* The outcome of a cancel (API.md "Cancel"): 0 canceled (row is the
 * request after the commit), EALREADY already final, EBUSY the gateway
 * cannot abort (info holds its text), ENOENT unknown, or a store errno. */
typedef void (gw_reqs_canceled_h)(int err, const struct gw_store_req *row,
				  const char *info, void *arg);

/* An event was committed: the fan-out point (long-poll, SSE, webhooks,
 * metrics). row is the request as stored with this event; outcome the
 * name of its outcome (the code in row->outcome) when the event is
 * terminal, else NULL. */
typedef void (gw_reqs_published_h)(const struct gw_store_req *row,
				   const struct gw_store_event *ev,
				   const char *outcome, void *arg);

struct gw_reqs_hooks {
	gw_reqs_published_h *published;
	void *arg;
};

/* Gauges and counters for /metrics. */
struct gw_reqs_stats {
	uint64_t live;                  /* non-terminal, in memory */
	uint64_t scheduled;             /* queued for a later start_at */
	uint64_t created;
	uint64_t events;
	uint64_t by_status[16];         /* by enum pint_status: live requests now;
					 * terminal ones: ended so since start */
	uint64_t by_outcome[16];        /* terminal outcomes, by enum pint_outcome */
	uint64_t recovered;             /* resumed after a restart */
	uint64_t interrupted;           /* failed as interrupted after a restart */
};

/* Lifetime */
int gw_reqs_alloc(struct gw_reqs **rp, struct gw_loop *loop,
		  struct gw_store *store, struct gw_sip *sip,
		  const struct gw_conf *conf, const struct gw_reqs_hooks *hooks);
void gw_reqs_set_sip(struct gw_reqs *r, struct gw_sip *sip);
void gw_reqs_set_fetch(struct gw_reqs *r, struct gw_fetch *f);
void gw_reqs_free(struct gw_reqs *r);
void gw_reqs_reload(struct gw_reqs *r, const struct gw_conf *conf);
int gw_reqs_recover(struct gw_reqs *r, char *msg, size_t msgsize);

/* The SIP side's events: give this to gw_sip_alloc as its event handler. */
void gw_reqs_sip_event(uint64_t ref, const struct pint_status_ev *ev,
		       void *arg);

/* Requests (spec ownership passes to the table, also on error) */
int gw_reqs_create(struct gw_reqs *r, struct gw_spec *spec,
		   gw_reqs_created_h *h, void *arg);
int gw_reqs_cancel(struct gw_reqs *r, const char *id, const char *owner,
		   gw_reqs_canceled_h *h, void *arg);

/* Draining (SIGTERM): no new calls start; true once nothing is in flight. */
void gw_reqs_drain(struct gw_reqs *r);
bool gw_reqs_idle(const struct gw_reqs *r);

/* Observability */
void gw_reqs_stats(const struct gw_reqs *r, struct gw_reqs_stats *st);
size_t gw_reqs_live(const struct gw_reqs *r);
int gw_reqs_debug(const struct gw_reqs *r, struct pint_mbuf *mb);

#endif
