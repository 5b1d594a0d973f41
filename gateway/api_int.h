/*
 * gateway/api_int.h — private to gateway/api*.c: the api struct, the
 * route table, the objects that outlive a handler call (creates and
 * cancels waiting for their commit, long-poll waiters, event streams),
 * and helpers shared by the route files. Not for other modules.
 */
#ifndef GW_API_INT_H
#define GW_API_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/api.h"
#include "gateway/click.h"
#include "gateway/policy.h"
#include "gateway/spec.h"
#include "pint/hash.h"
#include "web/json.h"
#include "web/req.h"
#include "web/resource.h"

/* The answer when there is no memory even for an error message. */
#define API_E503 "{\"error\":{\"code\":\"unavailable\"," \
	"\"message\":\"out of memory, try again\"}}"

#define API_IDEM_KEY_MAX 255u           /* Idempotency-Key bytes */
#define API_OWNER_SIZE (GW_CONF_MAX_NAME + 1u)
#define API_ID_TAIL_MAX (GW_REQ_ID_SIZE - 4u)   /* after "rq_" */
#define API_ALLOW_SIZE 32u              /* "GET, POST, DELETE" */
#define API_RECOVER_WINDOW_MS 60000     /* see api_create.c, recovery */
#define API_WAIT_SLACK_MS 1000u         /* long-poll backstop, see api_read.c */
#define API_CLICK_IPS_MAX 10000u        /* per-IP buckets; the idlest goes */
#define API_CLICK_USES_MAX 100000u      /* tokens with a use limit tracked */

/* Routes (API.md); ROUTE_NONE = unknown path. */
enum api_route {
	ROUTE_NONE = 0,
	ROUTE_COLLECTION,       /* /v1/requests */
	ROUTE_ITEM,             /* /v1/requests/{id} */
	ROUTE_EVENTS,           /* /v1/requests/{id}/events */
	ROUTE_DELIVERIES,       /* /v1/requests/{id}/deliveries */
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_CLICK,            /* /v1/click */
	ROUTE_CLICK_ITEM,       /* /v1/click/{id} */
	ROUTE_CLICK_EVENTS,     /* /v1/click/{id}/events */
};

/* What a handler does once route and method are known. */
enum api_op {
	OP_NONE = 0,
	OP_LIST,
	OP_CREATE,
	OP_GET,
	OP_CANCEL,
	OP_EVENTS,
	OP_DELIVERIES,
	OP_HEALTHZ,
	OP_READYZ,
	OP_METRICS,
	OP_CLICK,
	OP_CLICK_GET,
	OP_CLICK_EVENTS,
};

/* The result of matching method + path. */
struct api_match {
	enum api_route route;
	enum api_op op;         /* OP_NONE: 404 (route NONE) or 405 */
	const char *allow;      /* the Allow header for a 405 */
	char id[GW_STORE_ID_MAX + 1];   /* {id}, as sent (checked later) */
	bool id_ok;             /* it has the syntax of a request id */
};

/* A parked reply or stream, found by its web/http id. */
enum api_sub_kind {
	SUB_WAIT = 1,           /* long-poll GET /v1/requests/{id}?wait= */
	SUB_STREAM,             /* SSE GET /v1/requests/{id}/events */
};

struct api_watch;

struct api_sub {
	struct pint_hash_node node;     /* api->subs, by http id */
	struct api_sub *prev, *next;    /* in watch->subs */
	struct api_watch *watch;
	struct gw_api *api;
	enum api_sub_kind kind;
	uint64_t http_id;
	uint64_t after;                 /* answer or send events past this */
	char owner[API_OWNER_SIZE];     /* checked when it was added */
	bool click;                     /* SUB_WAIT: answer with the click view */
	struct gw_timer timer;          /* SUB_WAIT: the backstop */
};

/* Everyone waiting on one request id. */
struct api_watch {
	struct pint_hash_node node;     /* api->watches, by request id */
	char id[GW_STORE_ID_MAX + 1];
	struct api_sub *subs;
};

/* What a click's create does to its token: one use of jti (max > 0). */
struct api_click_use {
	char jti[GW_CLICK_JTI_LEN + 1];
	int64_t exp;                    /* Unix s */
	uint32_t max;                   /* 0 = unlimited: not counted */
};

/* A create's input once checked: POST /v1/requests or a click. */
struct api_create_in {
	const struct gw_auth_key *key;
	struct web_req wreq;
	const char *scope;
	bool dry_run;
	const char *idem;               /* NULL: no Idempotency-Key */
	uint8_t hash[GW_STORE_HASH_LEN];
	const struct api_click_use *click;      /* NULL: not a click */
};

/* A create between its checks and its reply. */
struct api_create {
	struct api_create *prev, *next; /* api->creates */
	struct gw_api *api;
	uint64_t http_id;
	char owner[API_OWNER_SIZE];
	char service[WEB_REQ_TOKEN_MAX + 1];
	bool has_idem;
	char idem[API_IDEM_KEY_MAX + 1];
	uint8_t hash[GW_STORE_HASH_LEN];
	int64_t created_ms;             /* wall clock of the idempotency row */
	bool click;                     /* made by POST /v1/click */
	struct api_click_use use;
	/* the reply, once known (after the commit) */
	bool done;
	unsigned status;
	char *body;
	size_t len;
	char location[GW_STORE_ID_MAX + 16];
	/* same key and body, arrived while this one was in flight */
	uint64_t *dups;
	size_t ndups;
};

/* A cancel waiting for gw_reqs' answer. */
struct api_cancel {
	struct api_cancel *prev, *next; /* api->cancels */
	struct gw_api *api;
	uint64_t http_id;
};

/* A client address's click bucket (POST /v1/click). */
struct api_ip {
	struct pint_hash_node node;     /* api->ips, by addr */
	struct api_ip *prev, *next;     /* api->ip_head: most recent first */
	uint8_t addr[16];               /* IPv4-mapped, or an IPv6 /64 */
	double tokens;
	uint64_t last_ms;               /* loop time of the last refill */
};

/* Uses of one click token with a use limit, committed and in flight. */
struct api_use {
	struct pint_hash_node node;     /* api->uses, by jti */
	struct api_use *prev, *next;    /* api->use_list */
	char jti[GW_CLICK_JTI_LEN + 1];
	int64_t exp;                    /* Unix s: prunable after */
	uint32_t uses;
};

struct gw_api {
	const struct gw_api_deps *d;
	uint8_t sipkey[PINT_HASH_SIPKEY_LEN];
	struct pint_hash watches;       /* struct api_watch */
	struct pint_hash subs;          /* struct api_sub */
	struct gw_policy *policy;       /* rates, live counts, destinations */
	struct pint_hash ips;           /* struct api_ip */
	struct api_ip *ip_head, *ip_tail;
	struct pint_hash uses;          /* struct api_use */
	struct api_use *use_list;
	int64_t use_pruned_s;           /* wall clock of the last prune */
	struct api_create *creates;
	struct api_cancel *cancels;
	size_t waiting;                 /* SUB_WAIT count */
	bool draining;
	struct gw_metrics_counters counters;
};

/* A stored request rendered as a resource: the strings are borrowed from
 * row and from the parsed outcome, which api_res_clear() releases. */
struct api_res {
	struct web_resource r;
	json_t *outcome;
};

/* api.c: routing, errors, keys, rendering */
void api_match(struct api_match *m, const char *method, const char *path);
bool api_id_ok(const char *p, size_t len);
bool api_ctype_json(const char *ctype);
bool api_idem_key_ok(const char *p);
const char *api_service_scope(const struct gw_conf *conf, const char *service);
void api_reply_err(struct web_http_req *req, const struct web_json_err *e);
void api_reply_code(struct web_http_req *req, int status, const char *code,
		    const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void api_late_reply(struct gw_api *api, uint64_t http_id, unsigned status,
		    const char *body, size_t len, const char *const *hdrs);
void api_late_err(struct gw_api *api, uint64_t http_id,
		  const struct web_json_err *e);
void api_store_err(struct web_json_err *e, int err);
int api_res_fill(struct api_res *res, const struct gw_store_req *row);
/* An outcome's name ("busy", …): its code; unknown or NULL: none. */
enum web_outcome api_outcome_parse(const char *s);
void api_res_clear(struct api_res *res);
int api_render(char **bodyp, size_t *lenp, const struct gw_store_req *row);
int api_event_fill(struct web_resource_event *ev, json_t **sipp,
		   const struct gw_store_event *row);
const struct gw_auth_key *api_auth(struct gw_api *api,
				   struct web_http_req *req);
bool api_scope(struct web_http_req *req, const struct gw_auth_key *key,
	       const char *scope);
int64_t api_wall_ms(void);

/* api_create.c: POST /v1/requests, and the create of a click */
void api_create(struct gw_api *api, struct web_http_req *req);
bool api_create_allowed(struct gw_api *api, struct web_http_req *req,
			struct api_create_in *in);
bool api_create_run(struct gw_api *api, struct web_http_req *req,
		    struct api_create_in *in);
void api_too_many(struct web_http_req *req, const char *code,
		  unsigned retry, const char *msg);
void api_create_free_all(struct gw_api *api);
int api_idem_check(const struct gw_store_idem *idem, const uint8_t *hash);

/* api_dry.c: the reply of a dry run */
void api_dry_run(struct gw_api *api, struct web_http_req *req,
		 const struct web_req *wreq, const struct gw_spec *spec,
		 const struct gw_auth_key *key, const char *scope,
		 const struct gw_policy_verdict *v);

/* api_cancel.c: DELETE /v1/requests/{id} */
void api_cancel(struct gw_api *api, struct web_http_req *req,
		const struct api_match *m, const char *owner);
void api_cancel_free_all(struct gw_api *api);

/* api_click.c: POST /v1/click, its limits and its token's uses */
bool api_click_match(struct api_match *m, const char *method,
		     const char *path);
void api_click(struct gw_api *api, struct web_http_req *req);
bool api_click_ip_take(struct gw_api *api, const char *client,
		       uint64_t now_ms, unsigned *retry_s);
uint32_t api_click_uses(struct gw_api *api, const char *jti);
void api_click_started(struct gw_api *api, const struct api_create *c);
void api_click_failed(struct gw_api *api, const struct api_create *c);
int api_click_seed(struct gw_api *api);
void api_click_free_all(struct gw_api *api);
int api_click_secret(const char *name, const uint8_t **secretp,
		     size_t *lenp, void *arg);

/* api_click_view.c: GET /v1/click/{id}[/events], the click's resource */
int api_click_render(struct gw_api *api, const struct gw_store_req *row,
		     bool view_token, char **bodyp, size_t *lenp);
void api_click_get(struct gw_api *api, struct web_http_req *req,
		   const struct api_match *m);
void api_click_events(struct gw_api *api, struct web_http_req *req,
		      const struct api_match *m);

/* api_read.c: GET /v1/requests[/{id}[/events|/deliveries]] */
void api_get(struct gw_api *api, struct web_http_req *req,
	     const struct api_match *m, const char *owner);
void api_list(struct gw_api *api, struct web_http_req *req,
	      const char *owner);
void api_events(struct gw_api *api, struct web_http_req *req,
		const struct api_match *m, const char *owner);
void api_deliveries(struct gw_api *api, struct web_http_req *req,
		    const struct api_match *m, const char *owner);
void api_wait_event(struct api_sub *sub, const struct gw_store_req *row,
		    const struct gw_store_event *ev);
bool api_load_row(struct gw_api *api, struct web_http_req *req,
		  const char *id, const char *owner, struct gw_store_req *row);
void api_get_row(struct gw_api *api, struct web_http_req *req,
		 const struct gw_store_req *row, const struct web_req_wait *w,
		 bool click);
bool api_events_query(struct web_http_req *req, bool click,
		      uint64_t *afterp, bool *ssep);
void api_events_row(struct gw_api *api, struct web_http_req *req,
		    const struct gw_store_req *row, uint64_t after, bool sse);
bool api_stream_send(struct gw_api *api, uint64_t sid,
		     const struct gw_store_event *row);

/* api_demo.c: static files, /demo/config, /demo/trace/{id} */
bool api_demo_route(struct gw_api *api, struct web_http_req *req);

/* api_stream.c: waiters, streams, the published fan-out, operations */
int api_sub_add(struct gw_api *api, const char *id, const char *owner,
		enum api_sub_kind kind, uint64_t http_id, uint64_t after,
		struct api_sub **subp);
void api_sub_del(struct gw_api *api, struct api_sub *sub);
struct api_sub *api_sub_find(struct gw_api *api, uint64_t http_id);
void api_subs_free_all(struct gw_api *api);
void api_healthz(struct gw_api *api, struct web_http_req *req);
void api_readyz(struct gw_api *api, struct web_http_req *req);
void api_metrics(struct gw_api *api, struct web_http_req *req);

#endif
