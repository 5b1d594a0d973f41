/*
 * web/http.h — the HTTP server the routes sit on (libmicrohttpd, external
 * epoll mode): bodies with limits, CORS, suspend/resume, long-poll
 * deadlines, server-sent events. struct web_http owns every request; a
 * struct web_http_req pointer is valid only inside the handler call, later
 * a request is named by its uint64_t id. Bodies are copied, never taken.
 */
#ifndef WEB_HTTP_H
#define WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct web_http;
struct web_http_req;

/* Defaults filled in by web_http_conf_init(). */
#define WEB_HTTP_BODY_MAX        (1024u * 1024u)  /* request body bytes */
#define WEB_HTTP_CONN_LIMIT      1000u
#define WEB_HTTP_PER_IP_LIMIT    64u
#define WEB_HTTP_IDLE_S          30u
#define WEB_HTTP_CONN_MEMORY     (32u * 1024u)    /* headers + buffers */
#define WEB_HTTP_HEARTBEAT_MS    15000u
#define WEB_HTTP_STREAM_QUEUE    (64u * 1024u)    /* unsent bytes/stream */

/* Hard limits. */
#define WEB_HTTP_ORIGINS_MAX     32u    /* CORS origins */
#define WEB_HTTP_ORIGIN_LEN      256u   /* bytes of one origin */
#define WEB_HTTP_QUERY_MAX       64u    /* query parameters (more: 400) */
#define WEB_HTTP_XHEADERS_MAX    16u    /* headers added to one reply */
#define WEB_HTTP_XHEADER_BYTES   4096u  /* their names + values */
#define WEB_HTTP_CORS_MAX_AGE    600u   /* preflight cache, seconds */
#define WEB_HTTP_CLIENT_SIZE     48u    /* client address text + NUL */

#define WEB_HTTP_CT_JSON "application/json; charset=utf-8"

/* Latency histogram: upper bounds in µs (Prometheus le="0.0005" … "5"). */
#define WEB_HTTP_LAT_BUCKETS     13u
extern const uint32_t web_http_lat_bounds_us[WEB_HTTP_LAT_BUCKETS];

/* A complete request: reply, suspend or stream before returning. */
typedef void (web_http_h)(struct web_http_req *req, void *arg);
/* A suspended request's deadline passed (web_http_suspend_until()). */
typedef void (web_http_expire_h)(struct web_http *http, uint64_t id,
				 void *arg);

/* Why a stream ended. */
enum web_http_end {
	WEB_HTTP_END_DONE,      /* web_http_stream_close(), all bytes out */
	WEB_HTTP_END_GONE,      /* client left, write error or idle timeout */
	WEB_HTTP_END_SLOW,      /* dropped: its queue limit was reached */
	WEB_HTTP_END_SHUTDOWN,  /* web_http_free() */
};
typedef void (web_http_end_h)(struct web_http *http, uint64_t id,
			      enum web_http_end why, void *arg);
/* One line of libmicrohttpd's own diagnostics, without newline. */
typedef void (web_http_log_h)(const char *msg, void *arg);

struct web_http_conf {
	const char *addr;               /* IPv4 or IPv6 literal */
	uint16_t port;                  /* 0 = ephemeral */
	size_t body_max;                /* > 0 */
	unsigned conn_limit;            /* > 0 */
	unsigned per_ip_limit;          /* 0 = off */
	unsigned idle_timeout_s;        /* 0 = never (not advised) */
	size_t conn_memory;             /* >= 4096 */
	unsigned backlog;               /* 0 = system default */
	const char *const *cors_origins;        /* NULL-terminated; "*" = any */
	const char *cors_prefix;                /* a path prefix ("/v1/click") with
						 * origins of its own; NULL = none */
	const char *const *cors_prefix_origins; /* NULL-terminated, "*" = any: on
						 * that prefix, with cors_origins */
	uint32_t heartbeat_ms;          /* > 0, below the idle timeout */
	size_t stream_queue_max;        /* > 0 */
	const char *server_name;        /* Server header; NULL = none */
	web_http_log_h *logh;           /* NULL = MHD messages dropped */
	void *log_arg;
};

/* Counters for /metrics; requests[0] = ended without any reply. */
struct web_http_stats {
	uint64_t requests[6];           /* [1..5] by status class */
	uint64_t bytes_in;              /* request body bytes */
	uint64_t bytes_out;             /* reply body and stream bytes */
	uint64_t too_large;             /* 413 and aborted chunked bodies */
	uint64_t streams_dropped;       /* slow clients */
	uint32_t connections;           /* open TCP connections */
	uint32_t suspended;             /* suspended requests (not streams) */
	uint32_t streams;               /* open streams */
	uint64_t lat_count;
	uint64_t lat_sum_us;
	uint64_t lat_le[WEB_HTTP_LAT_BUCKETS];  /* cumulative, as Prometheus */
};

/*
 * Server life cycle and the loop's hooks: watch web_http_fd() for EPOLLIN,
 * sleep at most web_http_timeout_ms() (a prepare hook, every turn) and
 * call web_http_run() every turn. All of it on the loop thread.
 */
void web_http_conf_init(struct web_http_conf *conf);
int web_http_alloc(struct web_http **httpp, const struct web_http_conf *conf,
		   web_http_h *h, void *arg);
uint16_t web_http_port(const struct web_http *http);
int web_http_fd(const struct web_http *http);
int web_http_run(struct web_http *http);
int64_t web_http_timeout_ms(const struct web_http *http);
int web_http_quiesce(struct web_http *http);
int web_http_cors_prefix_set(struct web_http *http,
			     const char *const *origins);
int web_http_cors_set(struct web_http *http, const char *const *origins);
int web_http_heartbeat_set(struct web_http *http, uint32_t ms);
void web_http_free(struct web_http *http);
void web_http_stats_get(const struct web_http *http,
			struct web_http_stats *st);

/* The request (inside the handler only). */
uint64_t web_http_req_id(const struct web_http_req *req);
const char *web_http_req_method(const struct web_http_req *req);
const char *web_http_req_path(const struct web_http_req *req);
const char *web_http_req_query(const struct web_http_req *req,
			       const char *name);
size_t web_http_req_query_count(const struct web_http_req *req);
int web_http_req_query_at(const struct web_http_req *req, size_t i,
			  const char **namep, const char **valuep);
const char *web_http_req_header(const struct web_http_req *req,
				const char *name);
const char *web_http_req_body(const struct web_http_req *req, size_t *lenp);
const char *web_http_req_client(const struct web_http_req *req);

/* Replying now. */
int web_http_add_header(struct web_http_req *req, const char *name,
			const char *value);
int web_http_reply(struct web_http_req *req, unsigned status,
		   const char *ctype, const void *body, size_t len);
int web_http_reply_json(struct web_http_req *req, unsigned status,
			const char *json);

/* Replying later, by id. */
int web_http_suspend(struct web_http_req *req, uint64_t *idp);
int web_http_suspend_until(struct web_http_req *req, uint32_t ms,
			   web_http_expire_h *eh, void *arg, uint64_t *idp);
int web_http_resume_reply(struct web_http *http, uint64_t id,
			  unsigned status, const char *ctype,
			  const void *body, size_t len,
			  const char *const *hdrs);

/* Server-sent events, by id. */
int web_http_stream(struct web_http_req *req, web_http_end_h *eh, void *arg,
		    uint64_t *idp);
int web_http_stream_send(struct web_http *http, uint64_t id,
			 const void *data, size_t len);
int web_http_stream_close(struct web_http *http, uint64_t id);

#endif
