/*
 * web/http_req.c — one request seen from the application: accessors,
 * building replies (bodies copied), added headers, suspend and resume by
 * id, the deadline and liveness tick of a suspended request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "web/http_int.h"

#define E403_ORIGIN "{\"error\":{\"code\":\"origin_not_allowed\"," \
	"\"message\":\"origin not allowed\"}}"

/*
 * Resume the MHD connection if we suspended it. In external mode MHD has
 * no inter-thread channel: nothing becomes readable, so woken makes
 * web_http_timeout_ms() say 0 until web_http_run() has run MHD.
 */
void web_http_wake(struct web_http_req *req)
{
	if (!req->mhd_susp)
		return;
	req->mhd_susp = false;
	req->http->woken = true;
	MHD_resume_connection(req->conn);
}

/*
 * A suspended connection is not watched by MHD (libraries.md §2.5), so we
 * peek: EOF or a socket error means the client left. A half-close counts
 * as gone, as it does for MHD itself.
 */
bool web_http_peer_gone(struct web_http_req *req)
{
	const union MHD_ConnectionInfo *ci;
	char c;
	ssize_t n;

	ci = MHD_get_connection_info(req->conn,
				     MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return true;
	n = recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0)
		return false;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return false;
	return true;
}

/* Body bytes handed to MHD (replies when queued, streams as read). */
void web_http_count_out(struct web_http *http, size_t n)
{
	http->st.bytes_out += n;
}

/* Is path cors_prefix itself or below it? */
static bool under_prefix(const struct web_http *http, const char *path)
{
	size_t n;

	if (!http->cors_prefix || !path)
		return false;
	n = strlen(http->cors_prefix);
	return !strncmp(path, http->cors_prefix, n) &&
	       (path[n] == '\0' || path[n] == '/');
}

/*
 * Is this Origin in the CORS list (or is "*" there), or, on a path
 * under cors_prefix, in that prefix's list?
 */
bool web_http_origin_ok(const struct web_http *http, const char *origin,
			const char *path)
{
	const struct web_http_origins *p = &http->porigins;
	size_t i;

	if (!origin || !*origin)
		return false;
	if (http->origins.any)
		return true;
	for (i = 0; i < http->origins.n; i++)
		if (!strcasecmp(http->origins.v[i], origin))
			return true;
	if (!under_prefix(http, path))
		return false;
	if (p->any)
		return true;
	for (i = 0; i < p->n; i++)
		if (!strcasecmp(p->v[i], origin))
			return true;
	return false;
}

/* MHD_add_response_header() with our error code. */
int web_http_add_hdr(struct MHD_Response *r, const char *name,
		     const char *value)
{
	return MHD_add_response_header(r, name, value) == MHD_YES ? 0 : ENOMEM;
}

/*
 * Headers every response gets: Server, CORS for an allowed Origin, and
 * those added with web_http_add_header() (consumed here).
 */
int web_http_resp_finish(struct web_http_req *req, struct MHD_Response *r)
{
	struct web_http *http = req->http;
	const char *origin, *p;
	unsigned i;
	int err = 0;

	if (http->server_name)
		err = web_http_add_hdr(r, MHD_HTTP_HEADER_SERVER,
				       http->server_name);
	if (!err && (http->origins.n || http->porigins.n))
		err = web_http_add_hdr(r, MHD_HTTP_HEADER_VARY, "Origin");
	origin = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					     "Origin");
	if (!err && web_http_origin_ok(http, origin, req->path)) {
		err = web_http_add_hdr(r, "Access-Control-Allow-Origin",
				       origin);
		if (!err)
			err = web_http_add_hdr(r,
				"Access-Control-Expose-Headers",
				"Location, Idempotent-Replayed, Retry-After");
	}
	for (i = 0, p = req->xh; !err && i < req->nxh; i++) {
		const char *v = p + strlen(p) + 1;

		err = web_http_add_hdr(r, p, v);
		p = v + strlen(v) + 1;
	}
	free(req->xh);
	req->xh = NULL;
	req->xh_len = 0;
	req->nxh = 0;
	return err;
}

/* Leave the suspended count and the deadline list. */
void web_http_susp_leave(struct web_http_req *req)
{
	if (req->counted_susp) {
		req->counted_susp = false;
		req->http->st.suspended--;
	}
	web_http_timer_clear(req);
}

/*
 * Build the response (body copied, MHD frees its copy) and move the
 * request to RQ_READY, resuming it if it was suspended. No state check:
 * web/http's own answers go through here too.
 */
int web_http_build(struct web_http_req *req, unsigned status,
		   const char *ctype, const void *body, size_t len, bool close)
{
	struct MHD_Response *r;
	int err = 0;

	if (len)
		r = MHD_create_response_from_buffer(len, (void *)body,
						    MHD_RESPMEM_MUST_COPY);
	else
		r = MHD_create_response_from_buffer(0, (void *)"",
						    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return ENOMEM;
	if (ctype)
		err = web_http_add_hdr(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (!err && close)
		err = web_http_add_hdr(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (!err)
		err = web_http_resp_finish(req, r);
	if (err) {
		MHD_destroy_response(r);
		return err;
	}
	if (req->resp)
		MHD_destroy_response(req->resp);
	req->resp = r;
	req->status = status;
	req->resp_len = len;
	if (req->state == RQ_SUSPENDED) {
		web_http_susp_leave(req);
		req->state = RQ_READY;
		web_http_wake(req);
	} else {
		req->state = RQ_READY;
	}
	return 0;
}

/* web_http_build() of a NUL-terminated JSON text. */
int web_http_build_json(struct web_http_req *req, unsigned status,
			const char *json, bool close)
{
	return web_http_build(req, status, WEB_HTTP_CT_JSON, json,
			      strlen(json), close);
}

/*
 * The client left while suspended: answer 503 with Connection: close so
 * MHD finishes the connection quietly; the id stops resolving now.
 */
void web_http_mark_gone(struct web_http_req *req)
{
	req->gone = true;
	if (web_http_build_json(req, 503, WEB_HTTP_E503, true)) {
		/* no memory: the handler call aborts the connection */
		web_http_susp_leave(req);
		web_http_wake(req);
	}
}

/* ---- before the handler ---- */

struct qcollect {
	struct web_http_req *req;
	size_t max;
};

static enum MHD_Result q_each(void *cls, enum MHD_ValueKind kind,
			      const char *key, const char *value)
{
	struct qcollect *qc = cls;
	struct web_http_req *req = qc->req;

	(void)kind;
	if (req->nquery >= qc->max)
		return MHD_NO;
	req->query[req->nquery].name = key;
	req->query[req->nquery].value = value ? value : "";
	req->nquery++;
	return MHD_YES;
}

/* Gather the decoded query parameters (EMSGSIZE past the limit). */
int web_http_query_collect(struct web_http_req *req)
{
	struct qcollect qc = {req, 0};
	int n;

	n = MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, NULL,
				      NULL);
	if (n <= 0)
		return 0;
	if ((unsigned)n > WEB_HTTP_QUERY_MAX)
		return EMSGSIZE;
	req->query = calloc((size_t)n, sizeof(*req->query));
	if (!req->query)
		return ENOMEM;
	qc.max = (size_t)n;
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, q_each,
				  &qc);
	return 0;
}

/*
 * A CORS preflight never reaches the application: answer it here (the
 * request is RQ_READY after) — 204 with the CORS headers for an allowed
 * Origin, else 403. Anything else is left alone.
 */
int web_http_preflight(struct web_http_req *req)
{
	struct MHD_Response *r;
	const char *origin;
	int err;

	if (strcmp(req->method, MHD_HTTP_METHOD_OPTIONS))
		return 0;
	origin = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					     "Origin");
	if (!origin || !MHD_lookup_connection_value(req->conn,
			MHD_HEADER_KIND, "Access-Control-Request-Method"))
		return 0;
	if (!web_http_origin_ok(req->http, origin, req->path))
		return web_http_build_json(req, 403, E403_ORIGIN, false);
	err = web_http_build(req, 204, NULL, NULL, 0, false);
	if (err)
		return err;
	r = req->resp;
	err = web_http_add_hdr(r, "Access-Control-Allow-Methods",
			       "GET, POST, DELETE, OPTIONS");
	if (!err)
		err = web_http_add_hdr(r, "Access-Control-Allow-Headers",
				       "Authorization, Content-Type, "
				       "Idempotency-Key, Last-Event-ID");
	if (!err) {
		char age[16];

		snprintf(age, sizeof(age), "%u", WEB_HTTP_CORS_MAX_AGE);
		err = web_http_add_hdr(r, "Access-Control-Max-Age", age);
	}
	return err;
}

/* ---- accessors (valid inside the handler call) ---- */

/* The request's id: the same for suspend, resume and streams. */
uint64_t web_http_req_id(const struct web_http_req *req)
{
	return req->id;
}

/* "GET", "POST", … as sent. */
const char *web_http_req_method(const struct web_http_req *req)
{
	return req->method;
}

/* The path, percent-decoded, without the query. */
const char *web_http_req_path(const struct web_http_req *req)
{
	return req->path;
}

/* The first query parameter of that name ("" if it has no value), or NULL. */
const char *web_http_req_query(const struct web_http_req *req,
			       const char *name)
{
	size_t i;

	for (i = 0; i < req->nquery; i++)
		if (!strcmp(req->query[i].name, name))
			return req->query[i].value;
	return NULL;
}

/* How many query parameters (duplicates included, in order). */
size_t web_http_req_query_count(const struct web_http_req *req)
{
	return req->nquery;
}

/* The i-th query parameter (decoded); ENOENT past the end. */
int web_http_req_query_at(const struct web_http_req *req, size_t i,
			  const char **namep, const char **valuep)
{
	if (i >= req->nquery)
		return ENOENT;
	*namep = req->query[i].name;
	*valuep = req->query[i].value;
	return 0;
}

/* A request header by name (case-insensitive), or NULL. */
const char *web_http_req_header(const struct web_http_req *req,
				const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* The whole body, NUL-terminated after *lenp bytes ("" when none). */
const char *web_http_req_body(const struct web_http_req *req, size_t *lenp)
{
	if (lenp)
		*lenp = req->body_len;
	return req->body ? req->body : "";
}

/* The peer address as text ("192.0.2.1", "2001:db8::1"; "" if unknown). */
const char *web_http_req_client(const struct web_http_req *req)
{
	return req->client;
}

/* ---- replying ---- */

static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool name_ok(const char *n)
{
	static const char *const owned[] = {
		"Content-Length", "Transfer-Encoding", "Connection", "Date",
	};
	size_t i;

	if (!*n)
		return false;
	for (i = 0; n[i]; i++)
		if (!tchar((unsigned char)n[i]))
			return false;
	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (!strcasecmp(n, owned[i]))
			return false;   /* MHD writes these itself */
	return true;
}

static bool value_ok(const char *v)
{
	for (; *v; v++)
		if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f)
			return false;
	return true;
}

static bool can_reply(const struct web_http_req *req)
{
	return req->state == RQ_HANDLING || req->state == RQ_SUSPENDED;
}

/*
 * Add a header to the reply about to be made (copied). EINVAL for a bad
 * name or value (CR/LF: no header injection) or one MHD owns
 * (Content-Length, Transfer-Encoding, Connection, Date); EMSGSIZE past
 * WEB_HTTP_XHEADERS_MAX / WEB_HTTP_XHEADER_BYTES; EPROTO once replied.
 */
int web_http_add_header(struct web_http_req *req, const char *name,
			const char *value)
{
	size_t nl, vl;
	char *nx;

	if (!can_reply(req))
		return EPROTO;
	if (!name || !value || !name_ok(name) || !value_ok(value))
		return EINVAL;
	nl = strlen(name) + 1;
	vl = strlen(value) + 1;
	if (req->nxh >= WEB_HTTP_XHEADERS_MAX ||
	    nl + vl > WEB_HTTP_XHEADER_BYTES - req->xh_len)
		return EMSGSIZE;
	nx = realloc(req->xh, req->xh_len + nl + vl);
	if (!nx)
		return ENOMEM;
	memcpy(nx + req->xh_len, name, nl);
	memcpy(nx + req->xh_len + nl, value, vl);
	req->xh = nx;
	req->xh_len += nl + vl;
	req->nxh++;
	return 0;
}

static int reply(struct web_http_req *req, unsigned status, const char *ctype,
		 const void *body, size_t len)
{
	if (!can_reply(req))
		return EPROTO;
	if (status < 200 || status > 599 || (len && !body) ||
	    (len && (status == 204 || status == 304)) ||
	    (ctype && !value_ok(ctype)))
		return EINVAL;
	return web_http_build(req, status, ctype, body, len, false);
}

/*
 * Reply now: status 200–599 (204/304 without body), ctype NULL = no
 * Content-Type, body copied (the caller keeps its buffer). Sent after the
 * handler returns, keeping the connection alive. EPROTO if already
 * replied, suspended or streaming.
 */
int web_http_reply(struct web_http_req *req, unsigned status,
		   const char *ctype, const void *body, size_t len)
{
	return reply(req, status, ctype, body, len);
}

/* web_http_reply() of a NUL-terminated JSON text (WEB_HTTP_CT_JSON). */
int web_http_reply_json(struct web_http_req *req, unsigned status,
			const char *json)
{
	if (!json)
		return EINVAL;
	return reply(req, status, WEB_HTTP_CT_JSON, json, strlen(json));
}

static int suspend(struct web_http_req *req, uint64_t *idp)
{
	struct web_http *http = req->http;

	if (req->state != RQ_HANDLING)
		return EPROTO;
	req->state = RQ_SUSPENDED;
	req->counted_susp = true;
	http->st.suspended++;
	/* liveness check: a suspended connection is not watched by MHD */
	web_http_timer_set(req, web_http_now_us() +
			   (int64_t)http->conf.heartbeat_ms * 1000);
	if (idp)
		*idp = req->id;
	return 0;
}

/*
 * Park the request: the reply comes later through web_http_resume_reply()
 * with *idp. The client is checked every heartbeat interval; if it left,
 * the id stops resolving. Without a deadline it may wait forever, so a
 * route that waits on an outside event should use suspend_until.
 */
int web_http_suspend(struct web_http_req *req, uint64_t *idp)
{
	return suspend(req, idp);
}

/*
 * web_http_suspend() with a deadline ms from now: then eh(http, id, arg)
 * runs inside web_http_run() and should resume_reply (e.g. the long-poll's
 * current state); if it does not, or eh is NULL, the client gets 503.
 * Long-poll waits are left out of the latency histogram.
 */
int web_http_suspend_until(struct web_http_req *req, uint32_t ms,
			   web_http_expire_h *eh, void *arg, uint64_t *idp)
{
	int64_t now = web_http_now_us(), hb;
	int err;

	err = suspend(req, idp);
	if (err)
		return err;
	hb = (int64_t)req->http->conf.heartbeat_ms * 1000;
	req->deadline_us = now + (int64_t)ms * 1000;
	req->expire_h = eh;
	req->expire_arg = arg;
	req->no_latency = true;
	web_http_timer_set(req, req->deadline_us < now + hb ?
			   req->deadline_us : now + hb);
	return 0;
}

/*
 * Reply to a suspended request (body copied; hdrs = NULL or name, value, …,
 * NULL). ENOENT if the id is unknown, not suspended, or the client has
 * left (checked now). EINVAL/EMSGSIZE for bad headers, ENOMEM: the request
 * then stays suspended and may be answered again.
 */
int web_http_resume_reply(struct web_http *http, uint64_t id,
			  unsigned status, const char *ctype,
			  const void *body, size_t len,
			  const char *const *hdrs)
{
	struct web_http_req *req = web_http_find(http, id);
	size_t xh_len;
	unsigned nxh;
	int err = 0;

	if (!req || req->state != RQ_SUSPENDED || req->gone || http->stopping)
		return ENOENT;
	if (web_http_peer_gone(req)) {
		web_http_mark_gone(req);
		return ENOENT;
	}
	xh_len = req->xh_len;
	nxh = req->nxh;
	for (; hdrs && hdrs[0] && !err; hdrs += 2)
		err = hdrs[1] ? web_http_add_header(req, hdrs[0], hdrs[1]) :
				EINVAL;
	if (!err)
		err = reply(req, status, ctype, body, len);
	if (err && req->xh) {
		/* undo what this call added (a failed build consumed all) */
		req->xh_len = xh_len;
		req->nxh = nxh;
		if (!xh_len) {
			free(req->xh);
			req->xh = NULL;
		}
	}
	return err;
}

/* The timer of a suspended request: deadline, else liveness check. */
void web_http_susp_tick(struct web_http_req *req, int64_t now)
{
	struct web_http *http = req->http;
	int64_t at;

	if (req->deadline_us && now >= req->deadline_us) {
		req->deadline_us = 0;
		if (req->expire_h)
			req->expire_h(http, req->id, req->expire_arg);
		if (req->state == RQ_SUSPENDED &&
		    web_http_build_json(req, 503, WEB_HTTP_E503, false))
			web_http_mark_gone(req);
		return;
	}
	if (web_http_peer_gone(req)) {
		web_http_mark_gone(req);
		return;
	}
	at = now + (int64_t)http->conf.heartbeat_ms * 1000;
	if (req->deadline_us && req->deadline_us < at)
		at = req->deadline_us;
	web_http_timer_set(req, at);
}
