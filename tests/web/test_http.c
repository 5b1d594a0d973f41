/*
 * tests/web/test_http.c — web/http*.c over real sockets on 127.0.0.1 and
 * ::1, one thread: the test drives web_http_run() with poll() on
 * web_http_fd() and talks raw HTTP/1.1 through non-blocking sockets.
 * Every wait is bounded (pump() gives up after its deadline).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* memmem; Makefile.am passes it too */
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/pint/test_common.h"
#include "web/http.h"

#define RAW_MAX (256u * 1024u)
#define MAX_IDS 8

/* ---- fixture: one server per test, the handler's notes ---- */

struct fx {
	struct web_http *http;
	unsigned calls;                 /* handler calls */
	uint64_t ids[MAX_IDS];          /* suspended / stream ids */
	unsigned nids;
	uint64_t end_ids[MAX_IDS];
	enum web_http_end ends[MAX_IDS];
	unsigned nends;
	unsigned expired;
	bool expire_reply;              /* the expire handler replies */
	uint32_t poll_ms;
	int hdr_errs[4];                /* results seen inside /hdr */
	unsigned logs;
	char log[1024];
	uint64_t last_req_id;
	bool oom;                       /* allocation-failure sweep running */
};

static struct fx F;

/* Inside callbacks: must succeed, except that OOM sweeps allow ENOMEM. */
#define CB_OK(x) do { \
		int rc_ = (x); \
		if (!F.oom || rc_ != ENOMEM) \
			assert_int_equal(rc_, 0); \
	} while (0)

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_log(const char *msg, void *arg)
{
	struct fx *fx = arg;

	fx->logs++;
	snprintf(fx->log, sizeof(fx->log), "%s", msg);
}

static void on_expire(struct web_http *http, uint64_t id, void *arg)
{
	struct fx *fx = arg;

	fx->expired++;
	if (fx->expire_reply)
		CB_OK(web_http_resume_reply(http, id, 200, "text/plain",
					    "expired", 7, NULL));
}

static void on_end(struct web_http *http, uint64_t id, enum web_http_end why,
		   void *arg)
{
	struct fx *fx = arg;

	(void)http;
	if (fx->nends < MAX_IDS) {
		fx->end_ids[fx->nends] = id;
		fx->ends[fx->nends] = why;
		fx->nends++;
	}
}

/* /echo: everything the handler sees, as text, so tests compare bytes. */
static void echo(struct web_http_req *req)
{
	static char out[8192];
	const char *name, *value, *body, *h;
	size_t n = 0, i, blen;

	n += (size_t)snprintf(out + n, sizeof(out) - n, "%s %s\n",
			      web_http_req_method(req), web_http_req_path(req));
	for (i = 0; !web_http_req_query_at(req, i, &name, &value); i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "q %s=%s\n",
				      name, value);
	h = web_http_req_header(req, "x-test");
	n += (size_t)snprintf(out + n, sizeof(out) - n, "h %s\nc %s\n",
			      h ? h : "-", web_http_req_client(req));
	value = web_http_req_query(req, "a");
	n += (size_t)snprintf(out + n, sizeof(out) - n, "a %s\n",
			      value ? value : "-");
	body = web_http_req_body(req, &blen);
	n += (size_t)snprintf(out + n, sizeof(out) - n, "b %zu:", blen);
	if (blen < sizeof(out) - n) {
		memcpy(out + n, body, blen);
		n += blen;
	}
	CB_OK(web_http_reply(req, 200, "text/plain", out, n));
}

static void handler(struct web_http_req *req, void *arg)
{
	struct fx *fx = arg;
	const char *path = web_http_req_path(req);
	uint64_t id = 0;

	fx->calls++;
	fx->last_req_id = web_http_req_id(req);
	if (!strncmp(path, "/echo", 5)) {
		echo(req);
	} else if (!strcmp(path, "/json")) {
		CB_OK(web_http_reply_json(req, 200, "{\"ok\":true}"));
	} else if (!strcmp(path, "/hdr")) {
		fx->hdr_errs[0] = web_http_add_header(req, "X-A", "1");
		fx->hdr_errs[1] = web_http_add_header(req, "X-B", "a\r\nb: c");
		fx->hdr_errs[2] = web_http_add_header(req, "Content-Length",
						      "5");
		assert_int_equal(web_http_reply(req, 204, NULL, NULL, 0), 0);
		fx->hdr_errs[3] = web_http_reply(req, 200, NULL, NULL, 0);
	} else if (!strcmp(path, "/suspend")) {
		CB_OK(web_http_add_header(req, "X-Early", "yes"));
		assert_int_equal(web_http_suspend(req, &id), 0);
		assert_int_equal(web_http_suspend(req, NULL), EPROTO);
	} else if (!strcmp(path, "/poll")) {
		assert_int_equal(web_http_suspend_until(req, fx->poll_ms,
				 on_expire, fx, &id), 0);
	} else if (!strcmp(path, "/sse")) {
		CB_OK(web_http_stream(req, on_end, fx, &id));
		if (id)
			assert_int_equal(web_http_reply(req, 200, NULL, NULL,
							0), EPROTO);
	} else if (!strcmp(path, "/noreply")) {
		/* no reply: web/http answers 500 */
	} else {
		CB_OK(web_http_reply(req, 404, NULL, NULL, 0));
	}
	if (id) {
		assert_int_equal(id, web_http_req_id(req));
		if (fx->nids < MAX_IDS)
			fx->ids[fx->nids++] = id;
	}
}

static const char *const shop_origins[] = {"https://shop.example", NULL};

static void conf_test(struct web_http_conf *c)
{
	web_http_conf_init(c);
	c->body_max = 1000;
	c->heartbeat_ms = 100;
	c->idle_timeout_s = 5;
	c->stream_queue_max = 4096;
	c->server_name = "pintgw-test";
	c->cors_origins = shop_origins;
	c->logh = on_log;
	c->log_arg = &F;
}

static void start_conf(const struct web_http_conf *c)
{
	memset(&F, 0, sizeof(F));
	F.poll_ms = 150;
	F.expire_reply = true;
	assert_int_equal(web_http_alloc(&F.http, c, handler, &F), 0);
	assert_non_null(F.http);
	assert_true(web_http_port(F.http) > 0);
	assert_true(web_http_fd(F.http) >= 0);
}

static void start(const char *addr)
{
	struct web_http_conf c;

	conf_test(&c);
	c.addr = addr;
	start_conf(&c);
}

static void stop(void)
{
	web_http_free(F.http);
	F.http = NULL;
}

/* ---- raw client ---- */

struct cli {
	int fd;
	char raw[RAW_MAX];
	size_t len;
	bool eof;
};

static struct cli C1, C2, C3, C4;

static void cli_open(struct cli *c, const char *addr)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(web_http_port(F.http));
		sl = sizeof(*s4);
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(web_http_port(F.http));
		sl = sizeof(*s6);
	}
	c->len = 0;
	c->eof = false;
	c->fd = socket(ss.ss_family, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	/* loopback: the kernel completes the handshake before accept() */
	assert_int_equal(connect(c->fd, (struct sockaddr *)&ss, sl), 0);
	assert_int_equal(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
}

static void cli_close(struct cli *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void cli_read(struct cli *c)
{
	ssize_t n;

	while (c->fd >= 0 && !c->eof && c->len < RAW_MAX) {
		n = recv(c->fd, c->raw + c->len, RAW_MAX - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			c->eof = true;
		} else {
			break;
		}
	}
}

typedef bool (cond_h)(void *arg);

/*
 * Run the server (and read the clients) until cond(arg) or max_ms, the
 * way the daemon's loop does: poll() on web_http_fd() (and the clients)
 * for web_http_timeout_ms(), never longer, so a missed wake-up shows.
 */
static bool pump(cond_h *cond, void *arg, int max_ms)
{
	struct cli *cs[] = {&C1, &C2, &C3, &C4};
	int64_t end = now_ms() + max_ms;
	struct pollfd pfd[5];
	int64_t t, left;
	unsigned i, n;

	for (;;) {
		assert_int_equal(web_http_run(F.http), 0);
		for (i = 0; i < 4; i++)
			cli_read(cs[i]);
		if (cond && cond(arg))
			return true;
		if (now_ms() >= end)
			return false;
		pfd[0].fd = web_http_fd(F.http);
		pfd[0].events = POLLIN;
		for (i = 0, n = 1; i < 4; i++) {
			if (cs[i]->fd < 0 || cs[i]->eof)
				continue;
			pfd[n].fd = cs[i]->fd;
			pfd[n].events = POLLIN;
			n++;
		}
		/* exactly what the daemon's loop does: fds + the timeout */
		t = web_http_timeout_ms(F.http);
		left = end - now_ms();
		poll(pfd, n, t < 0 || t > left ? (int)left : (int)t);
	}
}

static void cli_send(struct cli *c, const void *p, size_t len)
{
	const char *s = p;
	int64_t end = now_ms() + 3000;
	ssize_t n;

	while (len) {
		n = send(c->fd, s, len, MSG_NOSIGNAL);
		if (n > 0) {
			s += n;
			len -= (size_t)n;
			continue;
		}
		assert_true(n < 0 && errno == EAGAIN);
		assert_true(now_ms() < end);
		pump(NULL, NULL, 5);    /* let the server read */
	}
}

static void cli_sends(struct cli *c, const char *s)
{
	cli_send(c, s, strlen(s));
}

/* ---- response parsing ---- */

struct resp {
	int status;
	char head[4096];
	char body[RAW_MAX];
	size_t blen;
	bool chunked;
	bool complete;          /* whole message (chunked: last chunk seen) */
	size_t used;            /* raw bytes of this message */
};

static struct resp R;

static const char *hdr(const struct resp *r, const char *name)
{
	static char val[1024];
	size_t nl = strlen(name);
	const char *p = strstr(r->head, "\r\n");

	while (p && p[2]) {
		p += 2;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1, *e = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			snprintf(val, sizeof(val), "%.*s", (int)(e - v), v);
			return val;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/* Parse the message at raw[0..len) into *r; false if no header yet. */
static bool parse(const char *raw, size_t len, struct resp *r)
{
	const char *e, *p, *end = raw + len, *cl, *te;
	size_t hl;

	memset(r->head, 0, sizeof(r->head));
	r->blen = 0;
	r->complete = r->chunked = false;
	r->status = 0;
	r->used = 0;
	e = memmem(raw, len, "\r\n\r\n", 4);
	if (!e)
		return false;
	hl = (size_t)(e - raw) + 4;
	assert_true(hl < sizeof(r->head));
	memcpy(r->head, raw, hl);
	assert_int_equal(sscanf(r->head, "HTTP/1.%*d %d", &r->status), 1);
	p = raw + hl;
	if (r->status == 204 || r->status == 304) {
		r->complete = true;
		r->used = hl;
		return true;
	}
	cl = hdr(r, "Content-Length");
	if (cl) {
		size_t want = strtoul(cl, NULL, 10);

		r->blen = (size_t)(end - p) < want ? (size_t)(end - p) : want;
		memcpy(r->body, p, r->blen);
		r->complete = r->blen == want;
		r->used = hl + r->blen;
		return true;
	}
	te = hdr(r, "Transfer-Encoding");
	if (te && !strcasecmp(te, "chunked")) {
		r->chunked = true;
		for (;;) {
			const char *le = memmem(p, (size_t)(end - p),
						"\r\n", 2);
			size_t n;

			if (!le)
				break;
			n = strtoul(p, NULL, 16);
			if ((size_t)(end - le - 2) < n + 2)
				break;
			memcpy(r->body + r->blen, le + 2, n);
			r->blen += n;
			p = le + 2 + n + 2;
			if (!n) {
				r->complete = true;
				r->used = (size_t)(p - raw);
				break;
			}
		}
		return true;
	}
	r->blen = (size_t)(end - p);
	memcpy(r->body, p, r->blen);
	r->used = len;
	return true;
}

static bool c1_complete(void *arg)
{
	(void)arg;
	return parse(C1.raw, C1.len, &R) && (R.complete || C1.eof);
}

static bool cli_eof(void *arg)
{
	return ((struct cli *)arg)->eof;
}

static bool cli_has_head(void *arg)
{
	struct cli *c = arg;

	return memmem(c->raw, c->len, "\r\n\r\n", 4) != NULL;
}

/* Send a request on C1, wait for the whole answer in R, consume it. */
static int roundtrip(const void *req, size_t len)
{
	size_t used;

	cli_send(&C1, req, len);
	assert_true(pump(c1_complete, NULL, 3000));
	used = R.used;
	memmove(C1.raw, C1.raw + used, C1.len - used);
	C1.len -= used;
	return R.status;
}

static int roundtrip_s(const char *req)
{
	return roundtrip(req, strlen(req));
}

/* ---- tests ---- */

static void check_echo(const char *addr)
{
	static const char post[] =
		"POST /echo/a%20b?x=%2B1+2 HTTP/1.1\r\nHost: t\r\n"
		"Content-Type: application/octet-stream\r\n"
		"Content-Length: 6\r\n\r\nx\0y\r\nz";
	static const char want_post[] =
		"POST /echo/a b\nq x=+1 2\nh -\nc %s\na -\nb 6:x";
	char want[256];
	int n;

	start(addr);
	cli_open(&C1, addr);
	assert_int_equal(roundtrip_s(
		"GET /echo?a=1&b=x%20y&c&a=2 HTTP/1.1\r\nHost: t\r\n"
		"X-Test: hello  world\r\n\r\n"), 200);
	n = snprintf(want, sizeof(want), "GET /echo\nq a=1\nq b=x y\nq c=\n"
		     "q a=2\nh hello  world\nc %s\na 1\nb 0:", addr);
	assert_int_equal(R.blen, (size_t)n);
	assert_memory_equal(R.body, want, (size_t)n);
	assert_string_equal(hdr(&R, "Content-Type"), "text/plain");
	assert_string_equal(hdr(&R, "Server"), "pintgw-test");

	assert_int_equal(roundtrip(post, sizeof(post) - 1), 200);
	n = snprintf(want, sizeof(want), want_post, addr);
	/* the format stops at the NUL: append the body's bytes by hand */
	memcpy(want + n, "\0y\r\nz", 5);
	n += 5;
	assert_int_equal(R.blen, (size_t)n);
	assert_memory_equal(R.body, want, (size_t)n);
	assert_int_equal(F.calls, 2);
	cli_close(&C1);
	stop();
}

static void test_routing_v4(void **state)
{
	(void)state;
	check_echo("127.0.0.1");
}

static void test_routing_v6(void **state)
{
	(void)state;
	check_echo("::1");
}

static bool conns_are(void *arg)
{
	struct web_http_stats st;

	web_http_stats_get(F.http, &st);
	return st.connections == *(unsigned *)arg;
}

static void test_keepalive(void **state)
{
	struct web_http_stats st;
	unsigned one = 1, zero = 0;
	uint64_t first;

	(void)state;
	start("127.0.0.1");
	cli_open(&C1, "127.0.0.1");
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n\r\n"),
			 200);
	first = F.last_req_id;
	assert_null(hdr(&R, "Connection"));
	assert_string_equal(hdr(&R, "Content-Type"), WEB_HTTP_CT_JSON);
	assert_memory_equal(R.body, "{\"ok\":true}", 11);
	assert_int_equal(roundtrip_s("POST /echo HTTP/1.1\r\nHost: t\r\n"
				     "Content-Length: 3\r\n\r\nabc"), 200);
	assert_int_equal(roundtrip_s("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"),
			 404);
	assert_int_equal(F.last_req_id, first + 2);
	assert_false(C1.eof);
	assert_true(pump(conns_are, &one, 1000));
	web_http_stats_get(F.http, &st);
	assert_int_equal(st.requests[2], 2);
	assert_int_equal(st.requests[4], 1);
	assert_int_equal(st.bytes_in, 3);
	assert_int_equal(st.lat_count, 3);
	assert_int_equal(st.lat_le[WEB_HTTP_LAT_BUCKETS - 1], 3);
	assert_true(st.bytes_out > 11);
	cli_close(&C1);
	assert_true(pump(conns_are, &zero, 2000));
	stop();
}

static void test_body_limit(void **state)
{
	static char req[2048];
	struct web_http_stats st;
	int n;

	(void)state;
	start("127.0.0.1");
	/* exactly the limit: accepted */
	cli_open(&C1, "127.0.0.1");
	n = snprintf(req, sizeof(req), "POST /echo HTTP/1.1\r\nHost: t\r\n"
		     "Content-Length: 1000\r\n\r\n");
	memset(req + n, 'z', 1000);
	assert_int_equal(roundtrip(req, (size_t)n + 1000), 200);
	assert_non_null(memmem(R.body, R.blen, "b 1000:zzz", 10));
	/* one byte over: 413 in the first call, connection closed */
	cli_sends(&C1, "POST /echo HTTP/1.1\r\nHost: t\r\n"
		  "Content-Type: application/json\r\n"
		  "Content-Length: 1001\r\n\r\n");
	assert_true(pump(cli_eof, &C1, 3000));
	assert_true(parse(C1.raw, C1.len, &R));
	assert_int_equal(R.status, 413);
	assert_string_equal(hdr(&R, "Connection"), "close");
	assert_string_equal(hdr(&R, "Content-Type"), WEB_HTTP_CT_JSON);
	assert_non_null(memmem(R.body, R.blen, "\"body_too_large\"", 16));
	cli_close(&C1);
	/* with Expect: 100-continue the client is told before uploading */
	cli_open(&C1, "127.0.0.1");
	cli_sends(&C1, "POST /echo HTTP/1.1\r\nHost: t\r\n"
		  "Expect: 100-continue\r\nContent-Length: 1001\r\n\r\n");
	assert_true(pump(cli_eof, &C1, 3000));
	assert_true(parse(C1.raw, C1.len, &R));
	assert_int_equal(R.status, 413);
	cli_close(&C1);
	/* absurd length */
	cli_open(&C1, "127.0.0.1");
	cli_sends(&C1, "POST /echo HTTP/1.1\r\nHost: t\r\n"
		  "Content-Length: 99999999999999999999999\r\n\r\n");
	assert_true(pump(cli_eof, &C1, 3000));
	if (parse(C1.raw, C1.len, &R))  /* MHD may refuse it first */
		assert_true(R.status == 413 || R.status == 400);
	cli_close(&C1);
	assert_int_equal(F.calls, 1);
	web_http_stats_get(F.http, &st);
	assert_true(st.too_large >= 1);
	stop();
}

static void test_chunked_limit(void **state)
{
	static const char head[] = "POST /echo HTTP/1.1\r\nHost: t\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n";
	static char chunk[600];
	struct web_http_stats st;
	int n;

	(void)state;
	start("127.0.0.1");
	/* 2 x 500 = 1000: fine */
	cli_open(&C1, "127.0.0.1");
	n = snprintf(chunk, sizeof(chunk), "1f4\r\n");
	memset(chunk + n, 'c', 500);
	memcpy(chunk + n + 500, "\r\n", 2);
	cli_sends(&C1, head);
	cli_send(&C1, chunk, (size_t)n + 502);
	cli_send(&C1, chunk, (size_t)n + 502);
	cli_sends(&C1, "0\r\n\r\n");
	assert_true(pump(c1_complete, NULL, 3000));
	assert_int_equal(R.status, 200);
	assert_non_null(memmem(R.body, R.blen, "b 1000:", 7));
	cli_close(&C1);
	/* 500 + 500 + 1: aborted, no answer */
	cli_open(&C1, "127.0.0.1");
	cli_sends(&C1, head);
	cli_send(&C1, chunk, (size_t)n + 502);
	cli_send(&C1, chunk, (size_t)n + 502);
	cli_sends(&C1, "1\r\nx\r\n0\r\n\r\n");
	assert_true(pump(cli_eof, &C1, 3000));
	assert_null(memmem(C1.raw, C1.len, "HTTP/1.1", 8));
	cli_close(&C1);
	assert_int_equal(F.calls, 1);
	web_http_stats_get(F.http, &st);
	assert_int_equal(st.too_large, 1);
	assert_int_equal(st.requests[0], 1);
	stop();
}

static void test_huge_header(void **state)
{
	static char req[48 * 1024];
	int n;

	(void)state;
	start("127.0.0.1");
	cli_open(&C1, "127.0.0.1");
	n = snprintf(req, sizeof(req), "GET /echo HTTP/1.1\r\nHost: t\r\n"
		     "X-Big: ");
	memset(req + n, 'a', 40000);
	memcpy(req + n + 40000, "\r\n\r\n", 4);
	cli_send(&C1, req, (size_t)n + 40004);
	assert_true(pump(cli_has_head, &C1, 3000));
	assert_true(parse(C1.raw, C1.len, &R));
	assert_int_equal(R.status, 431);
	assert_int_equal(F.calls, 0);
	cli_close(&C1);
	stop();
}

static void test_replies(void **state)
{
	static char req[4096];
	int i, n;

	(void)state;
	start("127.0.0.1");
	cli_open(&C1, "127.0.0.1");
	assert_int_equal(roundtrip_s("GET /hdr HTTP/1.1\r\nHost: t\r\n\r\n"),
			 204);
	assert_string_equal(hdr(&R, "X-A"), "1");
	assert_null(hdr(&R, "X-B"));
	assert_null(hdr(&R, "b"));
	assert_int_equal(F.hdr_errs[0], 0);
	assert_int_equal(F.hdr_errs[1], EINVAL);
	assert_int_equal(F.hdr_errs[2], EINVAL);
	assert_int_equal(F.hdr_errs[3], EPROTO);
	/* no reply from the handler: 500, connection kept */
	assert_int_equal(roundtrip_s("GET /noreply HTTP/1.1\r\nHost: t\r\n"
				     "\r\n"), 500);
	assert_non_null(memmem(R.body, R.blen, "\"error\"", 7));
	/* too many query parameters: 400 without the handler */
	n = snprintf(req, sizeof(req), "GET /echo?");
	for (i = 0; i <= (int)WEB_HTTP_QUERY_MAX; i++)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "p%d=1&", i);
	n += snprintf(req + n, sizeof(req) - (size_t)n,
		      " HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_int_equal(roundtrip(req, (size_t)n), 400);
	assert_non_null(memmem(R.body, R.blen, "invalid_parameter", 17));
	assert_int_equal(F.calls, 2);
	cli_close(&C1);
	stop();
}

/*
 * Work was handed to MHD outside web_http_run(): MHD signals nothing in
 * external mode, so web_http_timeout_ms() must say "now".
 */
static bool run_due(void)
{
	return web_http_timeout_ms(F.http) == 0;
}

/* The fd is quiet: nothing for web_http_run() to do (stream parked). */
static bool stream_parked(void *arg)
{
	struct pollfd p = {web_http_fd(F.http), POLLIN, 0};

	(void)arg;
	return poll(&p, 1, 0) == 0 && web_http_timeout_ms(F.http) > 0;
}

static bool c1_any(void *arg)
{
	(void)arg;
	return C1.len > 0 || C1.eof;
}

static void test_suspend_resume(void **state)
{
	static const char *const hdrs[] = {"Location", "/v1/requests/rq_1",
					   NULL};
	static const char *const bad[] = {"Bad Name", "x", NULL};
	struct web_http_stats st;
	uint64_t id;

	(void)state;
	start("127.0.0.1");
	cli_open(&C1, "127.0.0.1");
	cli_sends(&C1, "POST /suspend HTTP/1.1\r\nHost: t\r\n"
		  "Content-Length: 2\r\n\r\n{}");
	assert_false(pump(c1_any, NULL, 150));
	assert_int_equal(F.nids, 1);
	id = F.ids[0];
	web_http_stats_get(F.http, &st);
	assert_int_equal(st.suspended, 1);
	assert_int_equal(web_http_resume_reply(F.http, id, 201,
			 WEB_HTTP_CT_JSON, "{}", 2, bad), EINVAL);
	assert_int_equal(web_http_resume_reply(F.http, id, 99, NULL, NULL, 0,
					       NULL), EINVAL);
	assert_int_equal(web_http_resume_reply(F.http, id + 100, 201, NULL,
					       NULL, 0, NULL), ENOENT);
	assert_int_equal(web_http_resume_reply(F.http, id, 201,
			 WEB_HTTP_CT_JSON, "{\"id\":1}", 8, hdrs), 0);
	/* outside web_http_run(): the loop learns it from the timeout */
	assert_true(run_due());
	assert_int_equal(web_http_resume_reply(F.http, id, 201, NULL, NULL, 0,
					       NULL), ENOENT);
	assert_true(pump(c1_complete, NULL, 3000));
	assert_int_equal(R.status, 201);
	assert_string_equal(hdr(&R, "Location"), "/v1/requests/rq_1");
	assert_string_equal(hdr(&R, "X-Early"), "yes");
	assert_null(hdr(&R, "Bad Name"));
	assert_memory_equal(R.body, "{\"id\":1}", 8);
	/* the connection stays usable */
	C1.len = 0;
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n\r\n"),
			 200);
	web_http_stats_get(F.http, &st);
	assert_int_equal(st.suspended, 0);
	assert_int_equal(st.requests[2], 2);
	assert_int_equal(web_http_resume_reply(F.http, id, 200, NULL, NULL, 0,
					       NULL), ENOENT);
	cli_close(&C1);
	stop();
}

static bool nothing_suspended(void *arg)
{
	struct web_http_stats st;

	(void)arg;
	web_http_stats_get(F.http, &st);
	return st.suspended == 0 && st.connections == 0;
}

static void test_resume_gone(void **state)
{
	unsigned zero = 0;
	uint64_t id;

	(void)state;
	start("127.0.0.1");
	/* the client leaves, then the reply comes */
	cli_open(&C1, "127.0.0.1");
	cli_sends(&C1, "GET /suspend HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_false(pump(c1_any, NULL, 50));
	assert_int_equal(F.nids, 1);
	id = F.ids[0];
	cli_close(&C1);
	assert_int_equal(web_http_resume_reply(F.http, id, 200, "text/plain",
					       "late", 4, NULL), ENOENT);
	assert_true(pump(conns_are, &zero, 2000));
	assert_int_equal(web_http_resume_reply(F.http, id, 200, "text/plain",
					       "late", 4, NULL), ENOENT);
	/* the client leaves, nobody replies: the liveness check finds it */
	cli_open(&C1, "127.0.0.1");
	cli_sends(&C1, "GET /suspend HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_false(pump(c1_any, NULL, 50));
	assert_int_equal(F.nids, 2);
	cli_close(&C1);
	assert_true(pump(nothing_suspended, NULL, 2000));
	assert_int_equal(web_http_resume_reply(F.http, F.ids[1], 200, NULL,
					       NULL, 0, NULL), ENOENT);
	stop();
}

static void test_longpoll(void **state)
{
	struct web_http_stats st;
	int64_t t0, t;

	(void)state;
	start("127.0.0.1");
	cli_open(&C1, "127.0.0.1");
	t0 = now_ms();
	cli_sends(&C1, "GET /poll HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_false(pump(c1_any, NULL, 60));
	t = web_http_timeout_ms(F.http);
	assert_true(t >= 0 && t <= 150);
	assert_true(pump(c1_complete, NULL, 3000));
	assert_true(now_ms() - t0 >= 150);
	assert_int_equal(R.status, 200);
	assert_memory_equal(R.body, "expired", 7);
	assert_int_equal(F.expired, 1);
	/* the expire handler does not reply: 503 */
	F.expire_reply = false;
	C1.len = 0;
	assert_int_equal(roundtrip_s("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n"),
			 503);
	assert_int_equal(F.expired, 2);
	assert_false(C1.eof);
	web_http_stats_get(F.http, &st);
	assert_int_equal(st.lat_count, 0);     /* long-polls not observed */
	assert_int_equal(st.suspended, 0);
	cli_close(&C1);
	stop();
}

/* A wait longer than the idle timeout is not cut by it. */
static void test_longpoll_beyond_idle(void **state)
{
	struct web_http_conf c;

	(void)state;
	conf_test(&c);
	c.idle_timeout_s = 1;
	c.heartbeat_ms = 300;
	start_conf(&c);
	F.poll_ms = 1500;
	cli_open(&C1, "127.0.0.1");
	assert_int_equal(roundtrip_s("GET /poll HTTP/1.1\r\nHost: t\r\n\r\n"),
			 200);
	assert_int_equal(F.expired, 1);
	cli_close(&C1);
	stop();
}

static bool body_has(void *arg)
{
	return parse(C1.raw, C1.len, &R) &&
	       memmem(R.body, R.blen, arg, strlen(arg)) != NULL;
}

static bool ended(void *arg)
{
	return F.nends >= *(unsigned *)arg;
}

static void open_stream(struct cli *c, uint64_t *idp)
{
	unsigned before = F.nids;

	cli_open(c, "127.0.0.1");
	cli_sends(c, "GET /sse HTTP/1.1\r\nHost: t\r\n"
		  "Accept: text/event-stream\r\nLast-Event-ID: 4\r\n\r\n");
	assert_true(pump(cli_has_head, c, 3000));
	assert_int_equal(F.nids, before + 1);
	*idp = F.ids[before];
}

static void test_sse(void **state)
{
	static const char *const ev[] = {
		"id: 1\nevent: queued\ndata: {}\n\n",
		"id: 2\nevent: sending\ndata: {}\n\n",
		"id: 3\nevent: active\ndata: {}\n\n",
	};
	struct web_http_stats st;
	unsigned one = 1;
	const char *a, *b, *c;
	uint64_t id;
	int i;

	(void)state;
	start("127.0.0.1");
	open_stream(&C1, &id);
	assert_true(parse(C1.raw, C1.len, &R));
	assert_int_equal(R.status, 200);
	assert_string_equal(hdr(&R, "Content-Type"), "text/event-stream");
	assert_string_equal(hdr(&R, "Cache-Control"), "no-cache");
	assert_string_equal(hdr(&R, "X-Accel-Buffering"), "no");
	assert_true(R.chunked);
	web_http_stats_get(F.http, &st);
	assert_int_equal(st.streams, 1);
	assert_true(pump(stream_parked, NULL, 1000));
	for (i = 0; i < 3; i++)
		assert_int_equal(web_http_stream_send(F.http, id, ev[i],
						      strlen(ev[i])), 0);
	assert_true(run_due());
	assert_true(pump(body_has, (void *)"id: 3", 3000));
	a = memmem(R.body, R.blen, ev[0], strlen(ev[0]));
	b = memmem(R.body, R.blen, ev[1], strlen(ev[1]));
	c = memmem(R.body, R.blen, ev[2], strlen(ev[2]));
	assert_true(a && b && c && a < b && b < c);
	/* idle: heartbeats */
	assert_true(pump(body_has, (void *)": ping\n\n", 2000));
	assert_true((const char *)memmem(R.body, R.blen, ": ping\n\n", 8) > c);
	/* another event after the ping, then close ends the response */
	assert_int_equal(web_http_stream_send(F.http, id, "data: x\n\n", 9),
			 0);
	assert_int_equal(web_http_stream_close(F.http, id), 0);
	assert_int_equal(web_http_stream_close(F.http, id), EALREADY);
	assert_int_equal(web_http_stream_send(F.http, id, "y", 1), EPROTO);
	assert_true(pump(ended, &one, 3000));
	assert_true(pump(c1_complete, NULL, 3000));
	assert_true(R.complete);
	assert_non_null(memmem(R.body, R.blen, "data: x\n\n", 9));
	assert_int_equal(F.end_ids[0], id);
	assert_int_equal(F.ends[0], WEB_HTTP_END_DONE);
	assert_int_equal(web_http_stream_send(F.http, id, "y", 1), ENOENT);
	assert_int_equal(web_http_stream_close(F.http, id), ENOENT);
	web_http_stats_get(F.http, &st);
	assert_int_equal(st.streams, 0);
	assert_int_equal(st.requests[2], 1);
	/* keep-alive after a finished stream */
	C1.len = 0;
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n\r\n"),
			 200);
	cli_close(&C1);
	stop();
}

static void test_sse_disconnect(void **state)
{
	unsigned one = 1;
	uint64_t id;

	(void)state;
	start("127.0.0.1");
	open_stream(&C1, &id);
	assert_int_equal(web_http_stream_send(F.http, id, "data: 1\n\n", 9),
			 0);
	assert_true(pump(body_has, (void *)"data: 1", 2000));
	cli_close(&C1);
	assert_true(pump(ended, &one, 3000));
	assert_int_equal(F.end_ids[0], id);
	assert_int_equal(F.ends[0], WEB_HTTP_END_GONE);
	assert_int_equal(web_http_stream_send(F.http, id, "data: 2\n\n", 9),
			 ENOENT);
	stop();
}

static void test_sse_slow(void **state)
{
	static char ev[1024];
	struct web_http_stats st;
	unsigned one = 1;
	uint64_t id;
	int i;

	(void)state;
	start("127.0.0.1");
	memset(ev, 'e', sizeof(ev));
	/* the queue bound alone: 4 KiB fit, the next byte does not */
	open_stream(&C1, &id);
	for (i = 0; i < 4; i++)
		assert_int_equal(web_http_stream_send(F.http, id, ev,
						      sizeof(ev)), 0);
	assert_int_equal(web_http_stream_send(F.http, id, "x", 1), EMSGSIZE);
	assert_int_equal(web_http_stream_send(F.http, id, "x", 1), ENOENT);
	assert_true(pump(ended, &one, 3000));
	assert_int_equal(F.ends[0], WEB_HTTP_END_SLOW);
	assert_true(pump(cli_eof, &C1, 3000));
	cli_close(&C1);
	web_http_stats_get(F.http, &st);
	assert_int_equal(st.streams_dropped, 1);
	assert_int_equal(st.streams, 0);
	stop();
}

/* A client that is alive but never reads: only the queue bound saves us. */
static void test_sse_stuck_client(void **state)
{
	static char ev[1024];
	unsigned one = 1;
	uint64_t id;
	int i, rc = 0, rcv = 2048;

	(void)state;
	start("127.0.0.1");
	memset(ev, 'e', sizeof(ev));
	cli_open(&C1, "127.0.0.1");
	setsockopt(C1.fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	cli_sends(&C1, "GET /sse HTTP/1.1\r\nHost: t\r\n\r\n");
	/* wait for the handler without reading the socket */
	for (i = 0; i < 200 && !F.nids; i++)
		pump(NULL, NULL, 5);
	assert_int_equal(F.nids, 1);
	id = F.ids[0];
	for (i = 0; i < 100000 && !rc; i++) {
		rc = web_http_stream_send(F.http, id, ev, sizeof(ev));
		assert_int_equal(web_http_run(F.http), 0);
	}
	assert_int_equal(rc, EMSGSIZE);
	assert_int_equal(F.nends, 0);   /* MHD still writing: ends later */
	cli_close(&C1);
	assert_true(pump(ended, &one, 5000));
	assert_int_equal(F.ends[0], WEB_HTTP_END_SLOW);
	stop();
}

static void test_limits(void **state)
{
	struct web_http_conf c;
	unsigned zero = 0;
	int64_t t0;

	(void)state;
	conf_test(&c);
	c.per_ip_limit = 2;
	c.idle_timeout_s = 1;
	start_conf(&c);
	cli_open(&C1, "127.0.0.1");
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n\r\n"),
			 200);
	t0 = now_ms();
	cli_open(&C2, "127.0.0.1");
	cli_sends(&C2, "GET /json HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_true(pump(cli_has_head, &C2, 3000));
	/* a third connection from the same address is closed at once */
	cli_open(&C3, "127.0.0.1");
	assert_true(pump(cli_eof, &C3, 3000));
	assert_int_equal(C3.len, 0);
	assert_false(C1.eof || C2.eof);
	/* idle connections end after the idle timeout */
	assert_true(pump(cli_eof, &C2, 4000));
	assert_true(now_ms() - t0 >= 900);
	assert_true(pump(conns_are, &zero, 3000));
	assert_true(C1.eof);
	assert_int_equal(F.calls, 2);
	cli_close(&C1);
	cli_close(&C2);
	cli_close(&C3);
	stop();
}

/* The configuration's reload: new CORS origins answer the next request,
 * a bad list or heartbeat changes nothing. */
static void test_cors_and_heartbeat_reload(void **state)
{
	static const char *const other[] = {"https://other.example", NULL};
	char long_origin[WEB_HTTP_ORIGIN_LEN + 2];
	const char *const bad[] = {long_origin, NULL};

	(void)state;
	memset(long_origin, 'a', sizeof(long_origin) - 1);
	long_origin[sizeof(long_origin) - 1] = '\0';
	start("127.0.0.1");
	cli_open(&C1, "127.0.0.1");
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n"
				     "Origin: https://other.example\r\n\r\n"), 200);
	assert_null(hdr(&R, "Access-Control-Allow-Origin"));
	assert_int_equal(web_http_cors_set(F.http, other), 0);
	assert_int_equal(web_http_cors_set(F.http, bad), EINVAL);
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n"
				     "Origin: https://other.example\r\n\r\n"), 200);
	assert_string_equal(hdr(&R, "Access-Control-Allow-Origin"),
			    "https://other.example");
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n"
				     "Origin: https://shop.example\r\n\r\n"), 200);
	assert_null(hdr(&R, "Access-Control-Allow-Origin"));
	/* none at all: no Vary either */
	assert_int_equal(web_http_cors_set(F.http, NULL), 0);
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n"
				     "Origin: https://other.example\r\n\r\n"), 200);
	assert_null(hdr(&R, "Access-Control-Allow-Origin"));
	assert_null(hdr(&R, "Vary"));
	/* heartbeats stay below the idle timeout (5 s here) */
	assert_int_equal(web_http_heartbeat_set(F.http, 0), EINVAL);
	assert_int_equal(web_http_heartbeat_set(F.http, 5000), EINVAL);
	assert_int_equal(web_http_heartbeat_set(F.http, 4999), 0);
	assert_int_equal(web_http_cors_set(NULL, other), EINVAL);
	assert_int_equal(web_http_heartbeat_set(NULL, 100), EINVAL);
	cli_close(&C1);
	stop();
}

static void test_cors(void **state)
{
	static const char *const any[] = {"*", NULL};
	struct web_http_conf c;
	unsigned calls;

	(void)state;
	start("127.0.0.1");
	cli_open(&C1, "127.0.0.1");
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/requests HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://shop.example\r\n"
		"Access-Control-Request-Method: POST\r\n"
		"Access-Control-Request-Headers: content-type\r\n\r\n"), 204);
	assert_string_equal(hdr(&R, "Access-Control-Allow-Origin"),
			    "https://shop.example");
	assert_string_equal(hdr(&R, "Access-Control-Allow-Methods"),
			    "GET, POST, DELETE, OPTIONS");
	assert_string_equal(hdr(&R, "Access-Control-Allow-Headers"),
			    "Authorization, Content-Type, Idempotency-Key, "
			    "Last-Event-ID");
	assert_string_equal(hdr(&R, "Access-Control-Max-Age"), "600");
	assert_string_equal(hdr(&R, "Vary"), "Origin");
	assert_null(hdr(&R, "Connection"));
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/requests HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://evil.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 403);
	assert_null(hdr(&R, "Access-Control-Allow-Origin"));
	assert_int_equal(F.calls, 0);
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n"
				     "Origin: https://shop.example\r\n\r\n"),
			 200);
	assert_string_equal(hdr(&R, "Access-Control-Allow-Origin"),
			    "https://shop.example");
	assert_string_equal(hdr(&R, "Access-Control-Expose-Headers"),
			    "Location, Idempotent-Replayed, Retry-After");
	assert_string_equal(hdr(&R, "Vary"), "Origin");
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n"
				     "Origin: https://evil.example\r\n\r\n"),
			 200);
	assert_null(hdr(&R, "Access-Control-Allow-Origin"));
	assert_string_equal(hdr(&R, "Vary"), "Origin");
	/* OPTIONS without a preflight header goes to the application */
	calls = F.calls;
	assert_int_equal(roundtrip_s("OPTIONS /x HTTP/1.1\r\nHost: t\r\n\r\n"),
			 404);
	assert_int_equal(F.calls, calls + 1);
	cli_close(&C1);
	stop();

	conf_test(&c);
	c.cors_origins = any;
	start_conf(&c);
	cli_open(&C1, "127.0.0.1");
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n"
				     "Origin: http://localhost:8080\r\n\r\n"),
			 200);
	assert_string_equal(hdr(&R, "Access-Control-Allow-Origin"),
			    "http://localhost:8080");
	cli_close(&C1);
	stop();
}

/* A path prefix with origins of its own (the click routes). */
static void test_cors_prefix(void **state)
{
	static const char *const widget[] = {"https://widget.example", NULL};
	static const char *const other[] = {"https://other.example", NULL};
	static const char *const bad_list[] = {"*", NULL};
	struct web_http_conf c;
	struct web_http *http = NULL;

	(void)state;
	conf_test(&c);
	c.cors_prefix = "/v1/click";
	c.cors_prefix_origins = widget;
	start_conf(&c);
	cli_open(&C1, "127.0.0.1");
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/click HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://widget.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 204);
	assert_string_equal(hdr(&R, "Access-Control-Allow-Origin"),
			    "https://widget.example");
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/click/rq_abc/events HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://widget.example\r\n"
		"Access-Control-Request-Method: GET\r\n\r\n"), 204);
	/* the global list applies there too */
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/click HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://shop.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 204);
	/* elsewhere the prefix's origins are nobody */
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/requests HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://widget.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 403);
	assert_null(hdr(&R, "Access-Control-Allow-Origin"));
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/clickx HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://widget.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 403);
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/click HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://evil.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 403);
	/* replies on the prefix carry it; others not */
	assert_int_equal(roundtrip_s("GET /v1/click/rq_abc HTTP/1.1\r\n"
				     "Host: t\r\n"
				     "Origin: https://widget.example\r\n\r\n"),
			 404);
	assert_string_equal(hdr(&R, "Access-Control-Allow-Origin"),
			    "https://widget.example");
	assert_string_equal(hdr(&R, "Vary"), "Origin");
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n"
				     "Origin: https://widget.example\r\n\r\n"),
			 200);
	assert_null(hdr(&R, "Access-Control-Allow-Origin"));
	/* replaced at run time (a reload) */
	assert_int_equal(web_http_cors_prefix_set(F.http, other), 0);
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/click HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://widget.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 403);
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/click HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://other.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 204);
	assert_int_equal(web_http_cors_prefix_set(F.http, NULL), 0);
	assert_int_equal(roundtrip_s(
		"OPTIONS /v1/click HTTP/1.1\r\nHost: t\r\n"
		"Origin: https://other.example\r\n"
		"Access-Control-Request-Method: POST\r\n\r\n"), 403);
	cli_close(&C1);
	stop();

	/* a server without a prefix has no list to replace */
	start("127.0.0.1");
	assert_int_equal(web_http_cors_prefix_set(F.http, other), EINVAL);
	stop();
	conf_test(&c);
	c.cors_prefix = "v1/click";
	assert_int_equal(web_http_alloc(&http, &c, handler, &F), EINVAL);
	conf_test(&c);
	c.cors_prefix_origins = bad_list;
	assert_int_equal(web_http_alloc(&http, &c, handler, &F), EINVAL);
	assert_null(http);
}

static void test_shutdown(void **state)
{
	struct sockaddr_in sa;
	int fd, probe, i;
	uint64_t s1, s2;

	(void)state;
	start("127.0.0.1");
	F.poll_ms = 60000;
	cli_open(&C1, "127.0.0.1");
	cli_sends(&C1, "GET /suspend HTTP/1.1\r\nHost: t\r\n\r\n");
	cli_open(&C2, "127.0.0.1");
	cli_sends(&C2, "GET /poll HTTP/1.1\r\nHost: t\r\n\r\n");
	for (i = 0; i < 200 && F.nids < 2; i++)
		pump(NULL, NULL, 5);
	assert_int_equal(F.nids, 2);
	open_stream(&C3, &s1);
	open_stream(&C4, &s2);
	assert_int_equal(web_http_stream_send(F.http, s2, "data: q\n\n", 9),
			 0);

	assert_int_equal(web_http_quiesce(F.http), 0);
	assert_int_equal(web_http_quiesce(F.http), EALREADY);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(web_http_port(F.http));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	/* fd took the number of the closed listening socket (or near it):
	 * web_http_free() must not close it a second time */
	probe = fd;
	pump(NULL, NULL, 50);   /* open connections still served */

	stop();
	assert_int_equal(fcntl(probe, F_GETFD), 0);
	close(fd);
	assert_int_equal(F.logs, 0);
	assert_int_equal(F.nends, 2);
	assert_int_equal(F.ends[0], WEB_HTTP_END_SHUTDOWN);
	assert_int_equal(F.ends[1], WEB_HTTP_END_SHUTDOWN);
	/* what the clients got before the sockets closed */
	cli_read(&C1);
	cli_read(&C2);
	cli_read(&C4);
	assert_true(parse(C1.raw, C1.len, &R));
	assert_int_equal(R.status, 503);
	assert_true(parse(C2.raw, C2.len, &R));
	assert_int_equal(R.status, 503);
	assert_true(parse(C4.raw, C4.len, &R));
	assert_non_null(memmem(R.body, R.blen, "data: q\n\n", 9));
	cli_close(&C1);
	cli_close(&C2);
	cli_close(&C3);
	cli_close(&C4);
}

static void test_conf_errors(void **state)
{
	static const char *many[WEB_HTTP_ORIGINS_MAX + 2];
	struct web_http_conf c;
	struct web_http *http = NULL, *h2 = NULL;
	unsigned i;

	(void)state;
	memset(&F, 0, sizeof(F));
	conf_test(&c);
	c.addr = "localhost";
	assert_int_equal(web_http_alloc(&http, &c, handler, &F), EINVAL);
	assert_null(http);
	conf_test(&c);
	c.heartbeat_ms = 5000;          /* >= idle timeout */
	assert_int_equal(web_http_alloc(&http, &c, handler, &F), EINVAL);
	conf_test(&c);
	c.body_max = 0;
	assert_int_equal(web_http_alloc(&http, &c, handler, &F), EINVAL);
	conf_test(&c);
	for (i = 0; i < WEB_HTTP_ORIGINS_MAX + 1; i++)
		many[i] = "https://a.example";
	c.cors_origins = many;
	assert_int_equal(web_http_alloc(&http, &c, handler, &F), EINVAL);
	conf_test(&c);
	assert_int_equal(web_http_alloc(&http, &c, NULL, &F), EINVAL);
	/* the port is taken */
	conf_test(&c);
	c.logh = NULL;
	assert_int_equal(web_http_alloc(&http, &c, handler, &F), 0);
	c.port = web_http_port(http);
	assert_int_equal(web_http_alloc(&h2, &c, handler, &F), EADDRINUSE);
	assert_null(h2);
	/* nothing pending: no timeout */
	assert_int_equal(web_http_timeout_ms(http), -1);
	web_http_free(http);
	web_http_free(NULL);
}

static void test_unknown_ids(void **state)
{
	(void)state;
	start("::1");
	assert_int_equal(web_http_resume_reply(F.http, 0, 200, NULL, NULL, 0,
					       NULL), ENOENT);
	assert_int_equal(web_http_resume_reply(F.http, 77, 200, NULL, NULL, 0,
					       NULL), ENOENT);
	assert_int_equal(web_http_stream_send(F.http, 77, "x", 1), ENOENT);
	assert_int_equal(web_http_stream_close(F.http, 77), ENOENT);
	/* a plain request's id is not a stream */
	cli_open(&C1, "::1");
	assert_int_equal(roundtrip_s("GET /json HTTP/1.1\r\nHost: t\r\n\r\n"),
			 200);
	assert_int_equal(web_http_stream_send(F.http, F.last_req_id, "x", 1),
			 ENOENT);
	cli_close(&C1);
	stop();
}

/* Many connections at once, all answered (no stall, ids distinct). */
static void test_many(void **state)
{
	static struct cli cs[40];
	unsigned i, done = 0;
	int64_t end;

	(void)state;
	start("127.0.0.1");
	for (i = 0; i < 40; i++) {
		cli_open(&cs[i], "127.0.0.1");
		cli_sends(&cs[i], "GET /json HTTP/1.1\r\nHost: t\r\n"
			  "Connection: close\r\n\r\n");
	}
	end = now_ms() + 5000;
	while (done < 40 && now_ms() < end) {
		pump(NULL, NULL, 5);
		for (done = 0, i = 0; i < 40; i++) {
			cli_read(&cs[i]);
			done += cs[i].eof;
		}
	}
	assert_int_equal(done, 40);
	for (i = 0; i < 40; i++) {
		assert_true(parse(cs[i].raw, cs[i].len, &R));
		assert_int_equal(R.status, 200);
		cli_close(&cs[i]);
	}
	assert_int_equal(F.calls, 40);
	stop();
}

static bool cli_done(void *arg)
{
	struct cli *c = arg;

	return c->eof || (parse(c->raw, c->len, &R) && R.complete);
}

static bool cli_head_or_eof(void *arg)
{
	return cli_eof(arg) || cli_has_head(arg);
}

static bool ids_above(void *arg)
{
	return F.nids > *(unsigned *)arg || C3.eof;
}

/*
 * One whole life of a server: start, a POST with query and body, a stream
 * with an event, a suspended request answered later, free. Under an
 * allocation failure any request may be refused; nothing may leak.
 */
static int oom_life(void)
{
	static const char *const hdrs[] = {"Location", "/x", NULL};
	struct web_http_conf c;
	unsigned nids;
	int err;

	conf_test(&c);
	memset(&F, 0, sizeof(F));
	F.oom = true;
	err = web_http_alloc(&F.http, &c, handler, &F);
	if (err)
		return err;
	cli_open(&C1, "127.0.0.1");
	cli_sends(&C1, "POST /echo?a=1&b=2 HTTP/1.1\r\nHost: t\r\n"
		  "Content-Length: 5\r\n\r\nhello");
	pump(cli_done, &C1, 1000);
	cli_open(&C2, "127.0.0.1");
	cli_sends(&C2, "GET /sse HTTP/1.1\r\nHost: t\r\n\r\n");
	pump(cli_head_or_eof, &C2, 1000);
	if (F.nids) {
		err = web_http_stream_send(F.http, F.ids[0], "data: 1\n\n", 9);
		assert_true(err == 0 || err == ENOMEM);
		pump(NULL, NULL, 20);
	}
	nids = F.nids;
	cli_open(&C3, "127.0.0.1");
	cli_sends(&C3, "GET /suspend HTTP/1.1\r\nHost: t\r\n\r\n");
	pump(ids_above, &nids, 1000);
	if (F.nids > nids) {
		err = web_http_resume_reply(F.http, F.ids[nids], 200,
					    "text/plain", "ok", 2, hdrs);
		assert_true(err == 0 || err == ENOMEM);
		pump(cli_done, &C3, 1000);
	}
	stop();
	cli_close(&C1);
	cli_close(&C2);
	cli_close(&C3);
	F.oom = false;
	return 0;
}

static void test_oom(void **state)
{
	unsigned long k, n;
	long live;
	int err;

	(void)state;
	n = alloc_count();
	assert_int_equal(oom_life(), 0);
	n = alloc_count() - n;
	assert_true(n > 5);
	for (k = 1; k <= n + 1; k++) {
		live = alloc_live();
		alloc_fail_at(k);
		err = oom_life();
		alloc_fail_at(0);
		assert_true(err == 0 || err == ENOMEM);
		assert_int_equal(alloc_live(), live);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_routing_v4),
		leakcheck_test(test_routing_v6),
		leakcheck_test(test_keepalive),
		leakcheck_test(test_body_limit),
		leakcheck_test(test_chunked_limit),
		leakcheck_test(test_huge_header),
		leakcheck_test(test_replies),
		leakcheck_test(test_suspend_resume),
		leakcheck_test(test_resume_gone),
		leakcheck_test(test_longpoll),
		leakcheck_test(test_longpoll_beyond_idle),
		leakcheck_test(test_sse),
		leakcheck_test(test_sse_disconnect),
		leakcheck_test(test_sse_slow),
		leakcheck_test(test_sse_stuck_client),
		leakcheck_test(test_limits),
		leakcheck_test(test_cors_and_heartbeat_reload),
		leakcheck_test(test_cors),
		leakcheck_test(test_cors_prefix),
		leakcheck_test(test_shutdown),
		leakcheck_test(test_conf_errors),
		leakcheck_test(test_unknown_ids),
		leakcheck_test(test_many),
		leakcheck_test(test_oom),
	};

	C1.fd = C2.fd = C3.fd = C4.fd = -1;
	return cmocka_run_group_tests_name("web_http", tests, NULL, NULL);
}
