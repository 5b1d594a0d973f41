/*
 * gateway/api.h — the HTTP API of API.md on web/http: routes, API keys and
 * scopes, create (dry run, idempotency), read, long-poll, event streams,
 * cancel, the public click routes (click and view tokens), and the
 * operational endpoints /healthz, /readyz, /metrics.
 *
 * The daemon owns struct gw_api_deps and everything it points to; the api
 * borrows the struct itself and reads it at each use, so the daemon may
 * fill reqs and http after gw_api_alloc() and swap conf, auth and secrets
 * on reload.
 * Suspended replies, long-poll waiters and event streams belong to the api
 * and are named by web/http ids (STYLE.md rule 8). Free order: web_http
 * first (it ends the streams through the api), then gw_reqs, then the api.
 */
#ifndef GW_API_H
#define GW_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/auth.h"
#include "gateway/config.h"
#include "gateway/fetch.h"
#include "gateway/hooks.h"
#include "gateway/loop.h"
#include "gateway/metrics.h"
#include "gateway/requests.h"
#include "gateway/secrets.h"
#include "gateway/sipgw.h"
#include "gateway/store.h"
#include "web/http.h"

struct gw_api;
struct gw_demo;

/* What the api works with; the daemon's, borrowed (see above). */
struct gw_api_deps {
	struct gw_loop *loop;
	struct gw_store *store;
	struct gw_sip *sip;             /* NULL: /readyz says no gateway */
	struct gw_reqs *reqs;           /* NULL: creates and cancels get 503 */
	struct web_http *http;          /* NULL: late replies are dropped */
	const struct gw_conf *conf;
	const struct gw_auth *auth;
	struct gw_hooks *hooks;         /* NULL: no webhook metrics */
	const struct gw_secrets *secrets;  /* keys' secrets; NULL: no clicks */
	struct gw_demo *demo;           /* NULL: no /demo/ routes */
	struct gw_fetch *fetch;         /* NULL: no content fetch metrics */
};

/* Lifetime */
int gw_api_alloc(struct gw_api **apip, const struct gw_api_deps *deps);
void gw_api_free(struct gw_api *api);
int gw_api_seed(struct gw_api *api);
void gw_api_drain(struct gw_api *api);

/* Hooks: give these to web_http_alloc() and gw_reqs_alloc() with the api */
void gw_api_handle(struct web_http_req *req, void *arg);
void gw_api_published(const struct gw_store_req *row,
		      const struct gw_store_event *ev, const char *outcome, void *arg);

/* Observability */
const struct gw_metrics_counters *gw_api_counters(const struct gw_api *api);
size_t gw_api_waiting(const struct gw_api *api);

#endif
