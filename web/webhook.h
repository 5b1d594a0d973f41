/*
 * web/webhook.h — signed webhook deliveries (API.md): payload, signature,
 * retry schedule (webhook.c) and a queue POSTing through web/fetch.h one
 * delivery at a time per request, in seq order (webhook_queue.c). The
 * store is the daemon's: it pushes pending deliveries and persists each
 * result. Pushed data is copied and owned until the delivery ends.
 */
#ifndef WEB_WEBHOOK_H
#define WEB_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "web/fetch.h"
#include "web/resource.h"

struct web_webhook;

/* Defaults filled in by web_webhook_conf_init(). */
#define WEB_WEBHOOK_ATTEMPTS     12u
#define WEB_WEBHOOK_BASE_MS      5000u          /* first retry: 0–5 s */
#define WEB_WEBHOOK_MAX_DELAY_MS 3600000u       /* 1 h */
#define WEB_WEBHOOK_INFLIGHT     64u            /* POSTs at once */
#define WEB_WEBHOOK_UA           "pintgw-webhook/1"
#define WEB_WEBHOOK_TOLERANCE_S  300u           /* receivers, see docs */

/* Hard limits. */
#define WEB_WEBHOOK_ATTEMPTS_MAX 100u
#define WEB_WEBHOOK_ID_MAX       WEB_RESOURCE_ID_MAX   /* request id */
#define WEB_WEBHOOK_SECRET_MAX   1024u          /* bytes */
#define WEB_WEBHOOK_BODY_MAX     (64u * 1024u)
#define WEB_WEBHOOK_HEADER_MAX   1024u          /* signature header read */
#define WEB_WEBHOOK_UA_MAX       128u

/* "t=<20 digits>,v1=<64 hex>" and NUL; "<id>:<seq>" and NUL. */
#define WEB_WEBHOOK_SIG_SIZE     96u
#define WEB_WEBHOOK_EVENT_ID_SIZE (WEB_WEBHOOK_ID_MAX + 22u)

#define WEB_WEBHOOK_CT           "application/json"

/* The header lines of one POST; v[] points into the struct. */
struct web_webhook_hdrs {
	char sig[WEB_WEBHOOK_SIG_SIZE + 32];
	char event[WEB_WEBHOOK_EVENT_ID_SIZE + 32];
	char ua[WEB_WEBHOOK_UA_MAX + 16];
	const char *v[5];               /* NULL-terminated */
};

/* Replaceable seams (tests): clock, randomness and the POST itself. */
typedef int64_t (web_webhook_clock_h)(void *arg);       /* Unix ms */
typedef uint64_t (web_webhook_rand_h)(void *arg);       /* uniform */
typedef int (web_webhook_send_h)(const char *url, const char *const *hdrs,
				 const char *body, size_t len,
				 web_fetch_h *done, void *done_arg,
				 uint64_t *idp, void *arg);
typedef int (web_webhook_cancel_h)(uint64_t id, void *arg);

struct web_webhook_conf {
	unsigned attempts;              /* 1 .. WEB_WEBHOOK_ATTEMPTS_MAX */
	uint32_t base_ms;               /* > 0 */
	uint32_t max_delay_ms;          /* >= base_ms */
	unsigned max_inflight;          /* > 0 */
	const char *user_agent;         /* copied; NULL = WEB_WEBHOOK_UA */
	struct web_fetch *fetch;        /* borrowed, outlives the queue */
	web_webhook_send_h *send;       /* NULL = web_fetch_post on fetch */
	web_webhook_cancel_h *cancel;   /* with send */
	void *send_arg;
	web_webhook_clock_h *clock;     /* NULL = CLOCK_REALTIME */
	web_webhook_rand_h *rand;       /* NULL = OpenSSL RAND_bytes */
	void *seam_arg;                 /* for clock and rand */
};

/* One pending delivery as the store keeps it; everything is copied. */
struct web_webhook_dlv {
	const char *request_id;         /* [A-Za-z0-9_-], <= ID_MAX */
	uint64_t seq;
	const char *url;
	const void *secret;
	size_t secret_len;              /* 1 .. SECRET_MAX */
	const char *body;               /* the payload, as signed */
	size_t len;
	unsigned attempt;               /* attempts already made */
	int64_t next_at;                /* Unix ms; <= now = due */
};

enum web_webhook_state {
	WEB_WEBHOOK_DELIVERED,          /* a 2xx: done */
	WEB_WEBHOOK_RETRY,              /* again at next_at */
	WEB_WEBHOOK_FAILED,             /* attempts used up, or a URL the
					 * policy will never allow */
};

/* An attempt's end: what the deliveries table needs. Borrowed. */
struct web_webhook_result {
	const char *request_id;
	uint64_t seq;
	enum web_webhook_state state;
	unsigned attempt;               /* attempts made, this one included */
	int64_t next_at;                /* RETRY only */
	int err;                        /* web_fetch_h's err */
	unsigned status;                /* HTTP status, 0 = none */
	const char *error;              /* short text; "" = none */
};

typedef void (web_webhook_h)(const struct web_webhook_result *r, void *arg);

struct web_webhook_stats {
	uint64_t attempts;
	uint64_t delivered;
	uint64_t retried;
	uint64_t failed;
	uint32_t queued;                /* deliveries held, in flight too */
	uint32_t inflight;
	uint32_t requests;              /* requests with deliveries held */
};

/* Payload and signature (pure). */
int web_webhook_event_id(char *buf, size_t size, const char *request_id,
			 uint64_t seq);
int web_webhook_payload(char **bodyp, size_t *lenp,
			const struct web_resource_webhook *w);
int web_webhook_sign(char *buf, size_t size, const void *secret,
		     size_t secret_len, int64_t t, const void *body,
		     size_t len);
int web_webhook_verify(const char *hdr, size_t hlen, const void *secret,
		       size_t secret_len, const void *body, size_t len,
		       int64_t now, uint32_t tolerance_s);
int web_webhook_headers(struct web_webhook_hdrs *hh, const char *user_agent,
			const char *event_id, const void *secret,
			size_t secret_len, int64_t t, const void *body,
			size_t len);

/* Retry schedule (pure). */
uint64_t web_webhook_delay_ms(const struct web_webhook_conf *conf,
			      unsigned attempt, uint64_t rnd);

/*
 * The queue, on the loop thread: call web_webhook_run() every turn and
 * sleep at most web_webhook_timeout_ms(); the fetcher's own hooks drive
 * the POSTs. Results are reported from web_webhook_run() and from inside
 * web_fetch_run(); the handler may push and drop, not free.
 */
void web_webhook_conf_init(struct web_webhook_conf *conf);
int web_webhook_alloc(struct web_webhook **whp,
		      const struct web_webhook_conf *conf, web_webhook_h *h,
		      void *arg);
void web_webhook_free(struct web_webhook *wh);
int web_webhook_push(struct web_webhook *wh, const struct web_webhook_dlv *d);
int web_webhook_drop(struct web_webhook *wh, const char *request_id);
int web_webhook_run(struct web_webhook *wh);
int64_t web_webhook_timeout_ms(const struct web_webhook *wh);
void web_webhook_stats_get(const struct web_webhook *wh,
			   struct web_webhook_stats *st);

#endif
