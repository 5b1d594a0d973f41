/*
 * web/http_int.h — private to web/http.c and web/http_stream.c: the server
 * and request structs, the id table, the deadline list and the stream
 * hooks. Not for routes.
 */
#ifndef WEB_HTTP_INT_H
#define WEB_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <microhttpd.h>

#include "web/http.h"

enum web_http_state {
	RQ_READING,     /* headers in, body arriving */
	RQ_HANDLING,    /* inside the application's handler */
	RQ_SUSPENDED,   /* waiting for web_http_resume_reply() */
	RQ_READY,       /* response built, queued on the next handler call */
	RQ_QUEUED,      /* handed to MHD */
	RQ_STREAM,      /* SSE response built or queued */
};

struct web_http_qp {
	const char *name;
	const char *value;
};

struct web_http_req {
	struct web_http *http;
	struct MHD_Connection *conn;
	uint64_t id;
	struct web_http_req *hnext;     /* id table chain */
	enum web_http_state state;
	bool mhd_susp;                  /* MHD_suspend_connection() in force */
	bool counted_susp;              /* counted in http->n_susp */
	bool no_latency;                /* long-poll / stream: not observed */
	bool gone;                      /* client found gone while suspended */
	bool sent;                      /* response queued to MHD */
	const char *method;             /* MHD's, live until completion */
	const char *path;
	int64_t t0_us;                  /* first handler call */
	char client[WEB_HTTP_CLIENT_SIZE];

	char *body;                     /* NUL-terminated, NULL = empty */
	size_t body_len, body_cap;

	struct web_http_qp *query;
	size_t nquery;

	char *xh;                       /* added headers: "name\0value\0"… */
	size_t xh_len;
	unsigned nxh;

	struct MHD_Response *resp;      /* built, not yet queued */
	unsigned status;                /* status of the built response */
	size_t resp_len;                /* its body bytes */

	/* deadline list (sorted by at_us; one entry per request) */
	struct web_http_req *tprev, *tnext;
	int64_t at_us;                  /* 0 = not armed */
	int64_t deadline_us;            /* suspend_until, 0 = none */
	web_http_expire_h *expire_h;
	void *expire_arg;

	/* stream */
	web_http_end_h *end_h;
	void *end_arg;
	char *sbuf;                     /* queued bytes sbuf[soff..slen) */
	size_t soff, slen, scap;
	int64_t last_write_us;
	bool closing;                   /* web_http_stream_close() */
	bool dropped;                   /* queue limit hit */
};

/* A CORS list: copied origins, any = "*" is one of them. */
struct web_http_origins {
	char **v;
	size_t n;
	bool any;
};

struct web_http {
	struct MHD_Daemon *d;
	web_http_h *h;
	void *arg;
	struct web_http_conf conf;      /* strings below are our copies */
	char *server_name;
	struct web_http_origins origins;        /* cors_origins */
	char *cors_prefix;              /* NULL: no per-prefix list */
	struct web_http_origins porigins;       /* its origins */
	uint16_t port;
	int epfd;
	bool quiesced, stopping;
	bool woken;                     /* resumed since MHD last ran */
	uint64_t next_id;

	struct web_http_req **tab;      /* id table, power-of-two buckets */
	size_t tab_size, tab_n;
	struct web_http_req *thead, *ttail;     /* deadline list */

	char too_large_body[160];
	struct web_http_stats st;
};

/* Canned API-shaped error bodies for answers web/http gives itself. */
#define WEB_HTTP_E503 \
	"{\"error\":{\"code\":\"unavailable\",\"message\":\"not available\"}}"

/* web/http.c */
int64_t web_http_now_us(void);
struct web_http_req *web_http_find(struct web_http *http, uint64_t id);
void web_http_timer_set(struct web_http_req *req, int64_t at_us);
void web_http_timer_clear(struct web_http_req *req);

/* web/http_req.c */
void web_http_wake(struct web_http_req *req);
bool web_http_peer_gone(struct web_http_req *req);
void web_http_count_out(struct web_http *http, size_t n);
bool web_http_origin_ok(const struct web_http *http, const char *origin,
			const char *path);
int web_http_add_hdr(struct MHD_Response *r, const char *name,
		     const char *value);
int web_http_resp_finish(struct web_http_req *req, struct MHD_Response *r);
void web_http_susp_leave(struct web_http_req *req);
int web_http_build(struct web_http_req *req, unsigned status,
		   const char *ctype, const void *body, size_t len, bool close);
int web_http_build_json(struct web_http_req *req, unsigned status,
			const char *json, bool close);
void web_http_mark_gone(struct web_http_req *req);
void web_http_susp_tick(struct web_http_req *req, int64_t now);
int web_http_query_collect(struct web_http_req *req);
int web_http_preflight(struct web_http_req *req);

/* web/http_stream.c */
void web_http_stream_tick(struct web_http_req *req, int64_t now);
void web_http_stream_end(struct web_http_req *req,
			 enum MHD_RequestTerminationCode toe);
void web_http_stream_stop(struct web_http_req *req);

#endif
