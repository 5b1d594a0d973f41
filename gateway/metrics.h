/*
 * gateway/metrics.h — GET /metrics: the Prometheus text format 0.0.4 of
 * every counter and gauge the daemon keeps, and the api's own counters
 * (requests by service, status and outcome).
 *
 * gw_metrics_render() is pure: it reads snapshots the caller took (a
 * NULL pointer leaves that family out) and appends to the caller's buffer;
 * the SIP side's families follow, from gw_sip_metrics(). The counters are
 * plain data their owner embeds; only the buffer ever allocates.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/hooks.h"
#include "gateway/loop.h"
#include "gateway/policy.h"
#include "gateway/requests.h"
#include "gateway/store.h"
#include "pint/mbuf.h"
#include "web/http.h"
#include "web/resource.h"

#define GW_METRICS_CTYPE "text/plain; version=0.0.4; charset=utf-8"
#define GW_METRICS_SERVICES_MAX 40u     /* 3 built-ins, 32 custom, spare */
#define GW_METRICS_NAME_SIZE 65u        /* a service name and its NUL */
#define GW_METRICS_OTHER "other"        /* services past the table */

/* One service's counters (since the process started). */
struct gw_metrics_svc {
	char name[GW_METRICS_NAME_SIZE];
	uint64_t created;
	uint64_t events[WEB_STATUS_COUNT];      /* published, by status */
	uint64_t outcomes[WEB_OUTCOME_COUNT];   /* terminal, by outcome */
};

/* What became of a POST /v1/click with a valid body. */
enum gw_metrics_click {
	GW_METRICS_CLICK_ACCEPTED = 0,  /* 201: a request was created */
	GW_METRICS_CLICK_INVALID_TOKEN,
	GW_METRICS_CLICK_EXPIRED,
	GW_METRICS_CLICK_ORIGIN,
	GW_METRICS_CLICK_DESTINATION,
	GW_METRICS_CLICK_USED_UP,
	GW_METRICS_CLICK_RATE_LIMITED,  /* the client address's limit */
	GW_METRICS_CLICK_KEY,           /* refused as a create of the key */
	GW_METRICS_CLICK_COUNT
};

/* The api's counters. */
struct gw_metrics_counters {
	struct gw_metrics_svc svc[GW_METRICS_SERVICES_MAX];
	size_t nsvc;
	struct gw_metrics_svc other;    /* named GW_METRICS_OTHER */
	uint64_t dry_runs;
	uint64_t replays;               /* Idempotent-Replayed answers */
	uint64_t conflicts;             /* 409 idempotency_conflict */
	uint64_t rate_limited;          /* 429 */
	uint64_t unauthorized;          /* 401 */
	uint64_t cancels;               /* DELETE that canceled */
	uint64_t clicks[GW_METRICS_CLICK_COUNT];
};

/* Snapshots to render; NULL leaves a family out. */
struct gw_metrics_src {
	const struct gw_metrics_counters *api;
	const struct web_http_stats *http;
	const struct gw_store_stats *store;
	const struct gw_reqs_stats *reqs;
	const struct gw_loop_stats *loop;
	const struct gw_hooks_stats *hooks;     /* webhook deliveries */
	const struct gw_policy_stats *policy;   /* refusals by rule */
	size_t waiting;                 /* long-polls parked in the api */
	bool ready;                     /* what /readyz would say */
};

/* Counting */
void gw_metrics_created(struct gw_metrics_counters *c, const char *service);
void gw_metrics_event(struct gw_metrics_counters *c, const char *service,
		      enum web_status status, enum web_outcome outcome);

/* Rendering: 0, ENOMEM or EMSGSIZE (the buffer's limit) */
int gw_metrics_render(struct pint_mbuf *mb, const struct gw_metrics_src *src);

#endif
