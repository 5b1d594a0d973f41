/*
 * web/http.c — libmicrohttpd adapter: the daemon in external epoll mode and
 * its loop hooks, the id table, the deadline list, the access handler
 * protocol (libraries.md §2.4) and the counters. Replies, suspend/resume
 * and CORS: web/http_req.c; streams: web/http_stream.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "web/http_int.h"

const uint32_t web_http_lat_bounds_us[WEB_HTTP_LAT_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000,
};

#define TAB_INIT 64u
#define BODY_INIT 1024u

#define E400_QUERY "{\"error\":{\"code\":\"invalid_parameter\"," \
	"\"message\":\"too many query parameters\"}}"
#define E500_NOREPLY "{\"error\":{\"code\":\"internal\"," \
	"\"message\":\"no reply\"}}"

/* Monotonic time in µs; web/ is not sans-I/O, it owns its clock. */
int64_t web_http_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Defaults for every field; addr "127.0.0.1", port 0, no CORS. */
void web_http_conf_init(struct web_http_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->addr = "127.0.0.1";
	conf->body_max = WEB_HTTP_BODY_MAX;
	conf->conn_limit = WEB_HTTP_CONN_LIMIT;
	conf->per_ip_limit = WEB_HTTP_PER_IP_LIMIT;
	conf->idle_timeout_s = WEB_HTTP_IDLE_S;
	conf->conn_memory = WEB_HTTP_CONN_MEMORY;
	conf->backlog = SOMAXCONN;
	conf->heartbeat_ms = WEB_HTTP_HEARTBEAT_MS;
	conf->stream_queue_max = WEB_HTTP_STREAM_QUEUE;
}

/* ---- id table (every live request) ---- */

static size_t tab_slot(const struct web_http *http, uint64_t id)
{
	/* Fibonacci hashing: sequential ids spread over the buckets */
	return (size_t)(id * 0x9e3779b97f4a7c15ull >> 17) &
	       (http->tab_size - 1);
}

static void tab_grow(struct web_http *http)
{
	struct web_http_req **nt, *req, *next;
	size_t i, old = http->tab_size;

	nt = calloc(old * 2, sizeof(*nt));
	if (!nt)
		return;         /* longer chains, still correct */
	http->tab_size = old * 2;
	for (i = 0; i < old; i++) {
		for (req = http->tab[i]; req; req = next) {
			size_t s = tab_slot(http, req->id);

			next = req->hnext;
			req->hnext = nt[s];
			nt[s] = req;
		}
	}
	free(http->tab);
	http->tab = nt;
}

static void tab_add(struct web_http *http, struct web_http_req *req)
{
	size_t s;

	if (http->tab_n >= http->tab_size)
		tab_grow(http);
	s = tab_slot(http, req->id);
	req->hnext = http->tab[s];
	http->tab[s] = req;
	http->tab_n++;
}

static void tab_del(struct web_http *http, struct web_http_req *req)
{
	struct web_http_req **pp = &http->tab[tab_slot(http, req->id)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == req) {
			*pp = req->hnext;
			http->tab_n--;
			return;
		}
	}
}

/* The live request with this id, or NULL. */
struct web_http_req *web_http_find(struct web_http *http, uint64_t id)
{
	struct web_http_req *req;

	if (!http || !id)
		return NULL;
	for (req = http->tab[tab_slot(http, id)]; req; req = req->hnext)
		if (req->id == id)
			return req;
	return NULL;
}

/* ---- deadline list: sorted, inserted from the tail (deadlines mostly
 * grow: heartbeats share one interval), one entry per request ---- */

/* Arm (or re-arm) the request's single timer at at_us (> 0). */
void web_http_timer_set(struct web_http_req *req, int64_t at_us)
{
	struct web_http *http = req->http;
	struct web_http_req *p;

	web_http_timer_clear(req);
	req->at_us = at_us;
	for (p = http->ttail; p && p->at_us > at_us; p = p->tprev)
		;
	req->tprev = p;
	req->tnext = p ? p->tnext : http->thead;
	if (req->tnext)
		req->tnext->tprev = req;
	else
		http->ttail = req;
	if (p)
		p->tnext = req;
	else
		http->thead = req;
}

/* Disarm the request's timer; harmless when not armed. */
void web_http_timer_clear(struct web_http_req *req)
{
	struct web_http *http = req->http;

	if (!req->at_us)
		return;
	if (req->tprev)
		req->tprev->tnext = req->tnext;
	else
		http->thead = req->tnext;
	if (req->tnext)
		req->tnext->tprev = req->tprev;
	else
		http->ttail = req->tprev;
	req->tprev = req->tnext = NULL;
	req->at_us = 0;
}

static void observe(struct web_http *http, struct web_http_req *req)
{
	int64_t dt = web_http_now_us() - req->t0_us;
	unsigned i;

	if (req->no_latency)
		return;
	if (dt < 0)
		dt = 0;
	http->st.lat_count++;
	http->st.lat_sum_us += (uint64_t)dt;
	for (i = 0; i < WEB_HTTP_LAT_BUCKETS; i++)
		if (dt <= (int64_t)web_http_lat_bounds_us[i])
			http->st.lat_le[i]++;
}

static enum MHD_Result queue(struct web_http_req *req)
{
	struct MHD_Response *r = req->resp;
	enum MHD_Result ret;

	req->resp = NULL;
	ret = MHD_queue_response(req->conn, req->status, r);
	MHD_destroy_response(r);
	if (req->state != RQ_STREAM)
		req->state = RQ_QUEUED;
	if (ret == MHD_YES) {
		req->sent = true;
		observe(req->http, req);
		web_http_count_out(req->http, req->resp_len);
	}
	return ret;
}

/* ---- MHD callbacks ---- */

__attribute__((format(printf, 2, 0)))
static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct web_http *http = cls;
	char buf[512];
	size_t n;

	if (!http->conf.logh)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	http->conf.logh(buf, http->conf.log_arg);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_ctx, enum MHD_ConnectionNotificationCode
			  code)
{
	struct web_http *http = cls;

	(void)conn;
	(void)socket_ctx;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		http->st.connections++;
	else if (http->st.connections)
		http->st.connections--;
}

static void req_free(struct web_http_req *req)
{
	if (req->resp)
		MHD_destroy_response(req->resp);
	free(req->body);
	free(req->query);
	free(req->xh);
	free(req->sbuf);
	free(req);
}

/* MHD is done with the request (any reason): the one place it dies. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
			 enum MHD_RequestTerminationCode toe)
{
	struct web_http *http = cls;
	struct web_http_req *req = *ctx;
	unsigned cls_ix;

	(void)conn;
	if (!req)
		return;
	*ctx = NULL;
	tab_del(http, req);
	web_http_susp_leave(req);
	cls_ix = req->sent ? req->status / 100 : 0;
	if (req->gone && req->state != RQ_STREAM)
		cls_ix = 0;     /* its 503 was for nobody */
	http->st.requests[cls_ix]++;
	if (req->state == RQ_STREAM)
		web_http_stream_end(req, toe);
	req_free(req);
}

static void client_text(struct web_http_req *req)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	ci = MHD_get_connection_info(req->conn,
				     MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, req->client,
			  sizeof(req->client));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12],
				  req->client, sizeof(req->client));
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, req->client,
				  sizeof(req->client));
	}
}

static int req_alloc(struct web_http_req **reqp, struct web_http *http,
		     struct MHD_Connection *conn, const char *url,
		     const char *method)
{
	struct web_http_req *req;

	req = calloc(1, sizeof(*req));
	if (!req)
		return ENOMEM;
	req->http = http;
	req->conn = conn;
	req->id = http->next_id++;
	req->method = method;
	req->path = url;
	req->t0_us = web_http_now_us();
	req->state = RQ_READING;
	client_text(req);
	tab_add(http, req);
	*reqp = req;
	return 0;
}

/* Content-Length over the limit: 413 now, which also closes (§2.4). */
static bool too_large(struct web_http_req *req)
{
	struct web_http *http = req->http;
	const char *cl;
	unsigned long long v;
	char *end;

	cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!cl || *cl < '0' || *cl > '9')
		return false;
	errno = 0;
	v = strtoull(cl, &end, 10);
	if (errno != ERANGE && v <= http->conf.body_max)
		return false;
	return true;
}

static enum MHD_Result first_call(struct web_http_req *req)
{
	struct web_http *http = req->http;

	if (!too_large(req))
		return MHD_YES;
	http->st.too_large++;
	if (web_http_build_json(req, 413, http->too_large_body, true))
		return MHD_NO;
	return queue(req);
}

static enum MHD_Result body_chunk(struct web_http_req *req, const char *data,
				  size_t *sizep)
{
	struct web_http *http = req->http;
	size_t n = *sizep, need;

	*sizep = 0;
	if (req->state != RQ_READING)
		return MHD_YES;
	http->st.bytes_in += n;
	if (n > http->conf.body_max - req->body_len) {
		/* chunked and too large: nothing but an abort is possible */
		http->st.too_large++;
		return MHD_NO;
	}
	need = req->body_len + n + 1;
	if (need > req->body_cap) {
		size_t cap = req->body_cap ? req->body_cap : BODY_INIT;
		char *nb;

		while (cap < need)
			cap *= 2;
		if (cap > http->conf.body_max + 1)
			cap = http->conf.body_max + 1;
		nb = realloc(req->body, cap);
		if (!nb)
			return MHD_NO;
		req->body = nb;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, n);
	req->body_len += n;
	req->body[req->body_len] = '\0';
	return MHD_YES;
}

/* The final handler call of a fresh request. */
static enum MHD_Result dispatch(struct web_http_req *req)
{
	struct web_http *http = req->http;
	int err;

	if (http->stopping) {
		err = web_http_build_json(req, 503, WEB_HTTP_E503, true);
		return err ? MHD_NO : queue(req);
	}
	err = web_http_query_collect(req);
	if (err == EMSGSIZE)
		err = web_http_build_json(req, 400, E400_QUERY, false);
	else if (!err)
		err = web_http_preflight(req);
	else
		err = web_http_build_json(req, 503, WEB_HTTP_E503, true);
	if (err)
		return MHD_NO;
	if (req->state == RQ_READY)
		return queue(req);

	req->state = RQ_HANDLING;
	http->h(req, http->arg);
	switch (req->state) {
	case RQ_HANDLING:
		if (web_http_build_json(req, 500, E500_NOREPLY, false))
			return MHD_NO;
		break;
	case RQ_SUSPENDED:
		MHD_suspend_connection(req->conn);
		req->mhd_susp = true;
		return MHD_YES;
	default:
		break;
	}
	return queue(req);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
				 const char *url, const char *method,
				 const char *version, const char *data,
				 size_t *sizep, void **ctx)
{
	struct web_http *http = cls;
	struct web_http_req *req = *ctx;

	(void)version;
	if (!req) {
		if (req_alloc(&req, http, conn, url, method))
			return MHD_NO;
		*ctx = req;
		return first_call(req);
	}
	if (*sizep)
		return body_chunk(req, data, sizep);
	switch (req->state) {
	case RQ_READING:
		return dispatch(req);
	case RQ_READY:
	case RQ_STREAM:
		return req->resp ? queue(req) : MHD_YES;
	case RQ_SUSPENDED:
		/* resumed without a reply: only when building one failed */
		return req->gone ? MHD_NO : MHD_YES;
	default:
		return MHD_YES;
	}
}

/* ---- server life cycle and loop hooks ---- */

/* At most WEB_HTTP_ORIGINS_MAX origins of WEB_HTTP_ORIGIN_LEN bytes. */
static int origins_check(const char *const *list)
{
	size_t n = 0;

	for (; list && list[n]; n++)
		if (strlen(list[n]) > WEB_HTTP_ORIGIN_LEN)
			return EINVAL;
	return n > WEB_HTTP_ORIGINS_MAX ? EINVAL : 0;
}

static int conf_check(const struct web_http_conf *c)
{
	size_t n = 0;

	if (!c->addr || !c->body_max || !c->conn_limit || !c->heartbeat_ms ||
	    !c->stream_queue_max || c->conn_memory < 4096 || !c->backlog)
		return EINVAL;
	if (c->idle_timeout_s &&
	    c->heartbeat_ms >= (uint64_t)c->idle_timeout_s * 1000)
		return EINVAL;  /* streams would time out between pings */
	if (c->body_max > SIZE_MAX / 2)
		return EINVAL;
	for (; c->cors_origins && c->cors_origins[n]; n++)
		if (strlen(c->cors_origins[n]) > WEB_HTTP_ORIGIN_LEN)
			return EINVAL;
	if (n > WEB_HTTP_ORIGINS_MAX)
		return EINVAL;
	if (c->cors_prefix && c->cors_prefix[0] != '/')
		return EINVAL;
	if (c->cors_prefix_origins && !c->cors_prefix)
		return EINVAL;
	return origins_check(c->cors_prefix_origins);
}

static char *copy_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static void origins_clear(struct web_http_origins *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->v[i]);
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/* Copies of list (NULL-terminated, checked) into o: 0 or ENOMEM. */
static int origins_copy(struct web_http_origins *o, const char *const *list)
{
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	while (list && list[n])
		n++;
	if (!n)
		return 0;
	o->v = calloc(n, sizeof(*o->v));
	if (!o->v)
		return ENOMEM;
	for (; o->n < n; o->n++) {
		o->v[o->n] = copy_str(list[o->n]);
		if (!o->v[o->n]) {
			origins_clear(o);
			return ENOMEM;
		}
		if (!strcmp(list[o->n], "*"))
			o->any = true;
	}
	return 0;
}

/* Replace dst by copies of list (checked): EINVAL or ENOMEM leave it. */
static int origins_replace(struct web_http_origins *dst, const char *const *list)
{
	struct web_http_origins o;
	int err;

	if (origins_check(list))
		return EINVAL;
	err = origins_copy(&o, list);
	if (err)
		return err;
	origins_clear(dst);
	*dst = o;
	return 0;
}

static int conf_copy(struct web_http *http, const struct web_http_conf *c)
{
	int err;

	http->conf = *c;
	http->conf.cors_origins = NULL;
	http->conf.cors_prefix = NULL;
	http->conf.cors_prefix_origins = NULL;
	http->conf.server_name = NULL;
	if (c->server_name) {
		http->server_name = copy_str(c->server_name);
		if (!http->server_name)
			return ENOMEM;
	}
	if (c->cors_prefix) {
		http->cors_prefix = copy_str(c->cors_prefix);
		if (!http->cors_prefix)
			return ENOMEM;
		err = origins_copy(&http->porigins, c->cors_prefix_origins);
		if (err)
			return err;
	}
	return origins_copy(&http->origins, c->cors_origins);
}

/* The one place libmicrohttpd's start failure becomes our code. */
static int start_err(int e)
{
	switch (e) {
	case EADDRINUSE:
	case EADDRNOTAVAIL:
	case EACCES:
	case ENOMEM:
		return e;
	default:
		return EIO;
	}
}

static int start(struct web_http *http)
{
	const union MHD_DaemonInfo *di;
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, http->conf.addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(http->conf.port);
	} else if (inet_pton(AF_INET6, http->conf.addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(http->conf.port);
		flags |= MHD_USE_IPv6;
	} else {
		return EINVAL;
	}
	errno = 0;
	http->d = MHD_start_daemon(flags, http->conf.port, NULL, NULL,
		on_access, http,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, http,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, http->conf.conn_limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, http->conf.per_ip_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, http->conf.idle_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, http->conf.conn_memory,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, http->conf.backlog,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, http,
		MHD_OPTION_END);
	if (!http->d)
		return start_err(errno);
	di = MHD_get_daemon_info(http->d, MHD_DAEMON_INFO_EPOLL_FD);
	http->epfd = di ? di->epoll_fd : -1;
	di = MHD_get_daemon_info(http->d, MHD_DAEMON_INFO_BIND_PORT);
	http->port = di ? di->port : 0;
	return http->epfd < 0 || !http->port ? EIO : 0;
}

/*
 * Start listening on conf->addr:port (copied). Requests go to h(req, arg)
 * inside web_http_run(). EINVAL bad conf, EADDRINUSE/EADDRNOTAVAIL/EACCES
 * from bind, ENOMEM, EIO other start failures.
 */
int web_http_alloc(struct web_http **httpp, const struct web_http_conf *conf,
		   web_http_h *h, void *arg)
{
	struct web_http *http = NULL;
	int err;

	if (!httpp || !conf || !h)
		return EINVAL;
	err = conf_check(conf);
	if (err)
		goto out;
	http = calloc(1, sizeof(*http));
	if (!http) {
		err = ENOMEM;
		goto out;
	}
	http->h = h;
	http->arg = arg;
	http->next_id = 1;
	http->epfd = -1;
	err = conf_copy(http, conf);
	if (err)
		goto out;
	snprintf(http->too_large_body, sizeof(http->too_large_body),
		 "{\"error\":{\"code\":\"body_too_large\",\"message\":"
		 "\"request body exceeds %zu bytes\"}}", conf->body_max);
	http->tab = calloc(TAB_INIT, sizeof(*http->tab));
	if (!http->tab) {
		err = ENOMEM;
		goto out;
	}
	http->tab_size = TAB_INIT;
	err = start(http);
	http->conf.addr = NULL;         /* the caller's string, used up */
out:
	if (err) {
		web_http_free(http);
		http = NULL;
	}
	if (httpp)
		*httpp = http;
	return err;
}

/*
 * Replace the origins of cors_prefix (copied; the configuration's reload).
 * 0; EINVAL when the server has no cors_prefix or the list is too long;
 * ENOMEM (the old list stays).
 */
int web_http_cors_prefix_set(struct web_http *http,
			     const char *const *origins)
{
	if (!http || !http->cors_prefix)
		return EINVAL;
	return origins_replace(&http->porigins, origins);
}

/*
 * Replace the CORS origins of every path (copied; the configuration's
 * reload): the next preflight and response use them.
 */
int web_http_cors_set(struct web_http *http, const char *const *origins)
{
	if (!http)
		return EINVAL;
	return origins_replace(&http->origins, origins);
}

/*
 * A new interval between SSE heartbeats (the configuration's reload):
 * below the idle timeout, as at start. Open streams take it after their
 * next heartbeat.
 */
int web_http_heartbeat_set(struct web_http *http, uint32_t ms)
{
	if (!http || !ms ||
	    (http->conf.idle_timeout_s && ms >= (uint64_t)http->conf.idle_timeout_s * 1000))
		return EINVAL;
	http->conf.heartbeat_ms = ms;
	return 0;
}

/* The bound port (the ephemeral one when conf.port was 0). */
uint16_t web_http_port(const struct web_http *http)
{
	return http->port;
}

/*
 * MHD's epoll fd: watch it for EPOLLIN (level-triggered) in the loop, and
 * also honour web_http_timeout_ms() every turn (resumes make no event).
 */
int web_http_fd(const struct web_http *http)
{
	return http->epfd;
}

static void timers_run(struct web_http *http)
{
	int64_t now = web_http_now_us();
	struct web_http_req *req;

	/* a re-armed timer is always later than now: the loop ends */
	while ((req = http->thead) && req->at_us <= now) {
		web_http_timer_clear(req);
		if (req->state == RQ_STREAM)
			web_http_stream_tick(req, now);
		else if (req->state == RQ_SUSPENDED)
			web_http_susp_tick(req, now);
	}
}

/*
 * Do all pending work: due deadlines and heartbeats, then MHD (accept,
 * read, handlers, write, resumed connections). Call every loop turn and
 * when the fd is readable. Callbacks run inside; none may free http.
 */
int web_http_run(struct web_http *http)
{
	timers_run(http);
	http->woken = false;
	return MHD_run(http->d) == MHD_YES ? 0 : EIO;
}

/*
 * Milliseconds until web_http_run() is due, -1 = only when the fd says;
 * 0 after a resume or stream write made outside web_http_run() (MHD
 * signals nothing then). For the loop's prepare hook, each turn.
 */
int64_t web_http_timeout_ms(const struct web_http *http)
{
	MHD_UNSIGNED_LONG_LONG to;
	int64_t ms = -1;

	if (http->woken)
		return 0;
	if (MHD_get_timeout(http->d, &to) == MHD_YES)
		ms = to > INT64_MAX ? INT64_MAX : (int64_t)to;
	if (http->thead) {
		int64_t d = http->thead->at_us - web_http_now_us();
		int64_t t = d <= 0 ? 0 : (d + 999) / 1000;

		if (ms < 0 || t < ms)
			ms = t;
	}
	return ms;
}

/*
 * Stop accepting (graceful shutdown): the listening socket is closed, open
 * connections go on. EALREADY the second time.
 */
int web_http_quiesce(struct web_http *http)
{
	MHD_socket fd;

	if (http->quiesced)
		return EALREADY;
	http->quiesced = true;
	fd = MHD_quiesce_daemon(http->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);      /* ours now (external mode: at once) */
	return 0;
}

/*
 * Answer every suspended request with 503, end every stream (end
 * callbacks run here with WEB_HTTP_END_SHUTDOWN), stop MHD — which must
 * not see a suspended connection — and free. NULL-safe.
 */
void web_http_free(struct web_http *http)
{
	struct web_http_req *req;
	size_t i;

	if (!http)
		return;
	if (http->d) {
		http->stopping = true;
		web_http_quiesce(http);
		for (i = 0; i < http->tab_size; i++) {
			for (req = http->tab[i]; req; req = req->hnext) {
				if (req->state == RQ_SUSPENDED &&
				    web_http_build_json(req, 503,
						WEB_HTTP_E503, true))
					web_http_mark_gone(req);
				else if (req->state == RQ_STREAM)
					web_http_stream_stop(req);
			}
		}
		/* let the resumed ones queue their answer and write it */
		MHD_run(http->d);
		MHD_run(http->d);
		MHD_stop_daemon(http->d);
	}
	origins_clear(&http->origins);
	origins_clear(&http->porigins);
	free(http->cors_prefix);
	free(http->server_name);
	free(http->tab);
	free(http);
}

/* A snapshot of the counters. */
void web_http_stats_get(const struct web_http *http,
			struct web_http_stats *st)
{
	*st = http->st;
}
