/*
 * tests/web/test_fetch.c — web/fetch.c against a raw-socket HTTP server
 * thread on 127.0.0.1 (and a second listener on 127.0.0.2 that must
 * never see a connection), loopback allowed explicitly per test. The test
 * thread drives web_fetch_run() with poll() like the daemon's loop;
 * every wait is bounded. curl's allocator is the counting one, so each
 * test also proves the transfers leave nothing behind.
 *
 * The server thread never allocates: static buffers only, so the counter
 * is touched by the test thread alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "tests/pint/test_common.h"
#include "web/fetch.h"

/* ---- the server ---- */

#define SRV_CONNS 32
#define SRV_BUF 8192
#define SRV_LOG 32
#define BIG (1024u * 1024u)

struct sconn {
	int fd;
	size_t len;
	bool hang;              /* answered nothing, keeps it open */
	char buf[SRV_BUF];
};

struct slog {
	char method[8];
	char path[128];
	char headers[2048];
	char body[1024];
	size_t body_len;
};

static struct srv {
	pthread_t th;
	pthread_mutex_t mu;
	int lfd[2];             /* 127.0.0.1, 127.0.0.2 */
	uint16_t port[2];
	int wake[2];            /* pipe: stop */
	unsigned accepted[2];
	unsigned nlog;
	struct slog log[SRV_LOG];
	struct sconn c[SRV_CONNS];
	char big[BIG];
} S;

static void srv_send(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;         /* the client left: fine */
		p += n;
		len -= (size_t)n;
	}
}

static void srv_reply(int fd, const char *status, const char *ctype,
		      const char *extra, const char *body, size_t len)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
		     status, ctype, len, extra);
	srv_send(fd, head, (size_t)n);
	srv_send(fd, body, len);
}

/* Answer one complete request; false = keep the connection (hang). */
static bool srv_route(struct sconn *c, const char *path)
{
	char extra[256];

	if (!strcmp(path, "/ok")) {
		srv_reply(c->fd, "200 OK", "text/plain", "", "hello", 5);
	} else if (!strcmp(path, "/fail")) {
		srv_reply(c->fd, "500 Internal Server Error", "text/plain", "",
			  "oops", 4);
	} else if (!strcmp(path, "/hang")) {
		return false;
	} else if (!strcmp(path, "/close")) {
		static const char part[] = "HTTP/1.1 200 OK\r\n"
			"Content-Type: text/plain\r\nContent-Length: 100\r\n"
			"\r\n0123456789";

		srv_send(c->fd, part, sizeof(part) - 1);
	} else if (!strcmp(path, "/empty")) {
		/* close without a byte of reply */
	} else if (!strcmp(path, "/redir")) {
		srv_reply(c->fd, "302 Found", "text/plain",
			  "Location: /ok\r\n", "moved", 5);
	} else if (!strcmp(path, "/redir-far")) {
		snprintf(extra, sizeof(extra),
			 "Location: http://127.0.0.2:%u/ok\r\n", S.port[1]);
		srv_reply(c->fd, "302 Found", "text/plain", extra, "", 0);
	} else if (!strcmp(path, "/redir-file")) {
		srv_reply(c->fd, "302 Found", "text/plain",
			  "Location: file:///etc/passwd\r\n", "", 0);
	} else if (!strcmp(path, "/redir-loop")) {
		srv_reply(c->fd, "307 Temporary Redirect", "text/plain",
			  "Location: /redir-loop\r\n", "", 0);
	} else if (!strcmp(path, "/redir-pdf")) {
		srv_reply(c->fd, "302 Found", "text/html",
			  "Location: /pdf\r\n", "<p>moved</p>", 12);
	} else if (!strcmp(path, "/big")) {
		srv_reply(c->fd, "200 OK", "application/octet-stream", "",
			  S.big, BIG);
	} else if (!strcmp(path, "/big-close")) {
		/* no length: the body runs until the close */
		static const char head[] = "HTTP/1.1 200 OK\r\n"
			"Content-Type: application/octet-stream\r\n"
			"Connection: close\r\n\r\n";

		srv_send(c->fd, head, sizeof(head) - 1);
		srv_send(c->fd, S.big, BIG);
	} else if (!strcmp(path, "/pdf")) {
		srv_reply(c->fd, "200 OK", "Application/PDF; name=q.pdf", "",
			  "%PDF-1.4\n", 9);
	} else if (!strcmp(path, "/html")) {
		srv_reply(c->fd, "200 OK", "text/html; charset=utf-8", "",
			  "<p>hi</p>", 9);
	} else if (!strcmp(path, "/pdf-empty")) {
		srv_reply(c->fd, "204 No Content", "text/html", "", "", 0);
	} else if (!strcmp(path, "/echo")) {
		srv_reply(c->fd, "200 OK", "application/json", "", "{}", 2);
	} else {
		srv_reply(c->fd, "404 Not Found", "text/plain", "", "no", 2);
	}
	return true;
}

static void srv_log(const struct sconn *c, const char *method,
		    const char *path, const char *hdr, size_t hlen,
		    const char *body, size_t blen)
{
	struct slog *l;

	pthread_mutex_lock(&S.mu);
	if (S.nlog < SRV_LOG) {
		l = &S.log[S.nlog++];
		snprintf(l->method, sizeof(l->method), "%s", method);
		snprintf(l->path, sizeof(l->path), "%s", path);
		if (hlen >= sizeof(l->headers))
			hlen = sizeof(l->headers) - 1;
		memcpy(l->headers, hdr, hlen);
		l->headers[hlen] = '\0';
		l->body_len = blen < sizeof(l->body) ? blen : sizeof(l->body) - 1;
		memcpy(l->body, body, l->body_len);
		l->body[l->body_len] = '\0';
	}
	pthread_mutex_unlock(&S.mu);
	(void)c;
}

/* A whole request in c->buf? Then answer it. false = close c. */
static bool srv_input(struct sconn *c)
{
	char method[8], path[128];
	const char *end, *cl;
	size_t hlen, blen = 0;

	c->buf[c->len] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return c->len < SRV_BUF - 1;
	hlen = (size_t)(end - c->buf) + 4;
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	if (cl && cl < end)
		blen = strtoul(cl + 17, NULL, 10);
	if (c->len < hlen + blen)
		return c->len < SRV_BUF - 1;
	if (sscanf(c->buf, "%7s %127s", method, path) != 2)
		return false;
	srv_log(c, method, path, c->buf, hlen, c->buf + hlen, blen);
	if (!srv_route(c, path)) {
		c->hang = true;
		return true;
	}
	return false;
}

static void srv_close(struct sconn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->hang = false;
}

static void *srv_main(void *arg)
{
	struct pollfd pf[3 + SRV_CONNS];
	int idx[3 + SRV_CONNS];
	int i, n;

	(void)arg;
	for (;;) {
		n = 0;
		pf[n].fd = S.wake[0];
		pf[n++].events = POLLIN;
		pf[n].fd = S.lfd[0];
		pf[n++].events = POLLIN;
		pf[n].fd = S.lfd[1];
		pf[n++].events = POLLIN;
		for (i = 0; i < SRV_CONNS; i++) {
			if (S.c[i].fd < 0)
				continue;
			idx[n] = i;
			pf[n].fd = S.c[i].fd;
			pf[n++].events = POLLIN;
		}
		if (poll(pf, (nfds_t)n, 1000) < 0)
			continue;
		if (pf[0].revents)
			break;
		for (i = 1; i <= 2; i++) {
			int fd, k;

			if (!(pf[i].revents & POLLIN))
				continue;
			fd = accept(S.lfd[i - 1], NULL, NULL);
			if (fd < 0)
				continue;
			pthread_mutex_lock(&S.mu);
			S.accepted[i - 1]++;
			pthread_mutex_unlock(&S.mu);
			for (k = 0; k < SRV_CONNS && S.c[k].fd >= 0; k++)
				;
			if (k == SRV_CONNS) {
				close(fd);
				continue;
			}
			S.c[k].fd = fd;
			S.c[k].len = 0;
		}
		for (i = 3; i < n; i++) {
			struct sconn *c = &S.c[idx[i]];
			ssize_t r;

			if (!pf[i].revents)
				continue;
			r = recv(c->fd, c->buf + c->len, SRV_BUF - 1 - c->len, 0);
			if (r <= 0) {
				srv_close(c);
				continue;
			}
			c->len += (size_t)r;
			if (!c->hang && !srv_input(c))
				srv_close(c);
		}
	}
	return NULL;
}

static int srv_listen(const char *ip, uint16_t port, uint16_t *portp)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 64), 0);
	getsockname(fd, (struct sockaddr *)&sin, &sl);
	*portp = ntohs(sin.sin_port);
	return fd;
}

static int srv_start(void **state)
{
	int i;

	(void)state;
	memset(S.big, 'x', sizeof(S.big));
	for (i = 0; i < SRV_CONNS; i++)
		S.c[i].fd = -1;
	pthread_mutex_init(&S.mu, NULL);
	S.lfd[0] = srv_listen("127.0.0.1", 0, &S.port[0]);
	S.lfd[1] = srv_listen("127.0.0.2", 0, &S.port[1]);
	if (pipe(S.wake))
		return -1;
	return pthread_create(&S.th, NULL, srv_main, NULL) ? -1 : 0;
}

static int srv_stop(void **state)
{
	int i;

	(void)state;
	if (write(S.wake[1], "x", 1) != 1)
		return -1;
	pthread_join(S.th, NULL);
	for (i = 0; i < SRV_CONNS; i++)
		if (S.c[i].fd >= 0)
			srv_close(&S.c[i]);
	close(S.lfd[0]);
	close(S.lfd[1]);
	close(S.wake[0]);
	close(S.wake[1]);
	return 0;
}

static void srv_reset(void)
{
	pthread_mutex_lock(&S.mu);
	S.nlog = 0;
	S.accepted[0] = S.accepted[1] = 0;
	pthread_mutex_unlock(&S.mu);
}

static unsigned srv_accepted(int i)
{
	unsigned n;

	pthread_mutex_lock(&S.mu);
	n = S.accepted[i];
	pthread_mutex_unlock(&S.mu);
	return n;
}

static unsigned srv_nlog(void)
{
	unsigned n;

	pthread_mutex_lock(&S.mu);
	n = S.nlog;
	pthread_mutex_unlock(&S.mu);
	return n;
}

/*
 * The resolver, replaced for this program (curl's threaded resolver calls
 * it from its thread): "*.slow.test" takes SLOW_DNS_MS and fails, every
 * other name fails at once. Tests pin the names they connect to with
 * conf->resolve, so no real lookup ever happens. No allocation here.
 */
#define SLOW_DNS_MS 1500

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	size_t n = node ? strlen(node) : 0;

	(void)service;
	(void)hints;
	*res = NULL;
	if (n >= 10 && !strcmp(node + n - 10, ".slow.test")) {
		struct timespec ts = {SLOW_DNS_MS / 1000,
				      SLOW_DNS_MS % 1000 * 1000000L};

		nanosleep(&ts, NULL);
		return EAI_AGAIN;
	}
	return EAI_NONAME;
}

/* ---- the client side ---- */

#define DONE_MAX 16

struct done {
	bool called;
	uint64_t id;
	int err;
	unsigned status;
	char body[256];
	size_t len;
	char ctype[128];
	char addr[64];
	char error[WEB_FETCH_ERROR_SIZE];
	unsigned redirects;
	int64_t at_ms;
	bool take;              /* take the body and free it here */
};

static struct done D[DONE_MAX];
static unsigned ndone;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_done(uint64_t id, int err, struct web_fetch_res *res,
		    void *arg)
{
	struct done *d = arg;

	assert_false(d->called);
	d->called = true;
	d->id = id;
	d->err = err;
	d->status = res->status;
	d->len = res->len;
	if (res->body)
		snprintf(d->body, sizeof(d->body), "%s", res->body);
	else
		assert_int_equal(res->len, 0);
	snprintf(d->ctype, sizeof(d->ctype), "%s", res->ctype ? res->ctype : "");
	snprintf(d->addr, sizeof(d->addr), "%s", res->addr);
	snprintf(d->error, sizeof(d->error), "%s", res->error);
	d->redirects = res->redirects;
	d->at_ms = now_ms();
	if (err)
		assert_true(strlen(res->error) > 0);
	else
		assert_string_equal(res->error, "");
	if (d->take && res->body) {
		free(res->body);
		res->body = NULL;
	}
	ndone++;
}

/* Run the fetcher until n callbacks came or ms passed. */
static void pump(struct web_fetch *f, unsigned n, int64_t ms)
{
	int64_t end = now_ms() + ms;

	while (ndone < n && now_ms() < end) {
		struct pollfd pf = {.fd = web_fetch_fd(f), .events = POLLIN};
		int64_t t = web_fetch_timeout_ms(f);

		if (t < 0 || t > 50)
			t = 50;
		poll(&pf, 1, (int)t);
		assert_int_equal(web_fetch_run(f), 0);
	}
}

static struct web_fetch *fetch_new(bool loopback, unsigned redirs,
				   uint32_t timeout_ms)
{
	struct web_urlsafe_allow al;
	struct web_fetch_conf c;
	struct web_fetch *f;
	char pin[64];
	const char *resolve[] = {pin, NULL};

	memset(D, 0, sizeof(D));
	ndone = 0;
	srv_reset();
	web_urlsafe_allow_init(&al);
	if (loopback)
		assert_int_equal(web_urlsafe_allow_parse(&al, "127.0.0.1/32",
							 12, NULL), 0);
	snprintf(pin, sizeof(pin), "hook.test:%u:127.0.0.1", S.port[0]);
	web_fetch_conf_init(&c);
	c.allow = &al;
	c.max_redirects = redirs;
	c.timeout_ms = timeout_ms;
	c.connect_timeout_ms = timeout_ms;
	c.user_agent = "pintgw-test/1";
	c.resolve = resolve;
	assert_int_equal(web_fetch_alloc(&f, &c), 0);
	return f;
}

static void url(char *buf, size_t size, const char *path)
{
	snprintf(buf, size, "http://127.0.0.1:%u%s", S.port[0], path);
}

static void get(struct web_fetch *f, const char *path, size_t max,
		const char *type, struct done *d)
{
	char u[128];

	url(u, sizeof(u), path);
	assert_int_equal(web_fetch_get(f, u, max, type, on_done, d, &d->id), 0);
}

/* ---- tests ---- */

static void test_get_ok(void **state)
{
	struct web_fetch_stats st;
	struct web_fetch *f;

	(void)state;
	f = fetch_new(true, 0, 5000);
	D[1].take = true;
	get(f, "/ok", 0, NULL, &D[0]);
	get(f, "/ok", 0, "text/plain", &D[1]);
	assert_int_not_equal(D[0].id, D[1].id);
	web_fetch_stats_get(f, &st);
	assert_int_equal(st.running, 2);
	pump(f, 2, 5000);
	assert_int_equal(ndone, 2);
	assert_int_equal(D[0].err, 0);
	assert_int_equal(D[0].status, 200);
	assert_string_equal(D[0].body, "hello");
	assert_int_equal(D[0].len, 5);
	assert_string_equal(D[0].ctype, "text/plain");
	assert_string_equal(D[0].addr, "127.0.0.1");
	assert_int_equal(D[1].err, 0);
	assert_string_equal(D[1].body, "hello");
	assert_int_equal(srv_nlog(), 2);
	assert_string_equal(S.log[0].method, "GET");
	assert_non_null(strstr(S.log[0].headers, "User-Agent: pintgw-test/1"));
	web_fetch_stats_get(f, &st);
	assert_int_equal(st.started, 2);
	assert_int_equal(st.ok, 2);
	assert_int_equal(st.running, 0);
	web_fetch_free(f);
}

static void test_post(void **state)
{
	static const char *const hdrs[] = {
		"Content-Type: application/json", "X-Test: yes", NULL,
	};
	static const char body[] = "{\"a\":1}";
	struct web_fetch *f;
	char u[128];

	(void)state;
	f = fetch_new(true, 0, 5000);
	url(u, sizeof(u), "/fail");
	assert_int_equal(web_fetch_post(f, u, hdrs, body, sizeof(body) - 1,
					on_done, &D[0], NULL), 0);
	url(u, sizeof(u), "/echo");
	assert_int_equal(web_fetch_post(f, u, NULL, NULL, 0, on_done, &D[1],
					NULL), 0);
	pump(f, 2, 5000);
	assert_int_equal(ndone, 2);
	/* a 500 is a result, not an error */
	assert_int_equal(D[0].err, 0);
	assert_int_equal(D[0].status, 500);
	assert_string_equal(D[0].body, "oops");
	assert_int_equal(D[1].err, 0);
	assert_int_equal(D[1].status, 200);
	assert_int_equal(srv_nlog(), 2);
	assert_string_equal(S.log[0].method, "POST");
	assert_string_equal(S.log[0].path, "/fail");
	assert_string_equal(S.log[0].body, body);
	assert_non_null(strstr(S.log[0].headers, "X-Test: yes\r\n"));
	assert_non_null(strstr(S.log[0].headers,
			       "Content-Type: application/json\r\n"));
	assert_null(strstr(S.log[0].headers, "Expect:"));
	assert_int_equal(S.log[1].body_len, 0);
	web_fetch_free(f);
}

/* A server that never answers: its timeout fires, the others finish
 * meanwhile, and nothing waits on it. */
static void test_hang(void **state)
{
	struct web_fetch *f;
	int64_t t0;
	int i;

	(void)state;
	f = fetch_new(true, 0, 800);
	t0 = now_ms();
	get(f, "/hang", 0, NULL, &D[0]);
	for (i = 1; i <= 4; i++)
		get(f, "/ok", 0, NULL, &D[i]);
	pump(f, 5, 5000);
	assert_int_equal(ndone, 5);
	for (i = 1; i <= 4; i++) {
		assert_int_equal(D[i].err, 0);
		assert_int_equal(D[i].status, 200);
		assert_true(D[i].at_ms - t0 < 500);
		assert_true(D[i].at_ms < D[0].at_ms);
	}
	assert_int_equal(D[0].err, ETIMEDOUT);
	assert_int_equal(D[0].status, 0);
	assert_true(D[0].at_ms - t0 >= 700);
	assert_true(D[0].at_ms - t0 < 3000);
	web_fetch_free(f);
}

static void test_closed_mid_response(void **state)
{
	struct web_fetch *f;

	(void)state;
	f = fetch_new(true, 0, 5000);
	get(f, "/close", 0, NULL, &D[0]);
	get(f, "/empty", 0, NULL, &D[1]);
	pump(f, 2, 5000);
	assert_int_equal(ndone, 2);
	assert_int_equal(D[0].err, ECONNRESET);
	assert_int_equal(D[0].len, 0);          /* no body on error */
	assert_int_equal(D[1].err, ECONNRESET);
	web_fetch_free(f);
}

static void test_redirect_default(void **state)
{
	struct web_fetch *f;

	(void)state;
	f = fetch_new(true, 0, 5000);
	get(f, "/redir", 0, NULL, &D[0]);
	pump(f, 1, 5000);
	assert_int_equal(D[0].err, 0);
	assert_int_equal(D[0].status, 302);
	assert_int_equal(D[0].redirects, 0);
	assert_int_equal(srv_nlog(), 1);
	web_fetch_free(f);
}

static void test_redirect_followed(void **state)
{
	struct web_fetch *f;

	(void)state;
	f = fetch_new(true, 3, 5000);
	get(f, "/redir", 0, NULL, &D[0]);
	get(f, "/redir-pdf", 0, "application/pdf", &D[1]);
	pump(f, 2, 5000);
	assert_int_equal(D[0].err, 0);
	assert_int_equal(D[0].status, 200);
	assert_string_equal(D[0].body, "hello");
	assert_int_equal(D[0].redirects, 1);
	/* the type is judged on the final reply, the 3xx body is not kept */
	assert_int_equal(D[1].err, 0);
	assert_string_equal(D[1].body, "%PDF-1.4\n");
	assert_int_equal(srv_nlog(), 4);
	web_fetch_free(f);
}

/* Followed redirects meet the address check, the scheme list, the cap. */
static void test_redirect_refused(void **state)
{
	struct web_fetch *f;

	(void)state;
	f = fetch_new(true, 3, 5000);
	get(f, "/redir-far", 0, NULL, &D[0]);
	get(f, "/redir-file", 0, NULL, &D[1]);
	get(f, "/redir-loop", 0, NULL, &D[2]);
	pump(f, 3, 5000);
	assert_int_equal(ndone, 3);
	assert_int_equal(D[0].err, EACCES);
	assert_string_equal(D[0].error, "address refused: 127.0.0.2 (loopback)");
	assert_int_equal(srv_accepted(1), 0);
	assert_int_equal(D[1].err, EACCES);
	assert_int_equal(D[2].err, ELOOP);
	web_fetch_free(f);
}

static void test_oversize(void **state)
{
	struct web_fetch *f;
	char u[128];

	(void)state;
	f = fetch_new(true, 0, 5000);
	get(f, "/big", 65536, NULL, &D[0]);
	get(f, "/big-close", 65536, NULL, &D[1]);
	get(f, "/big", 0, NULL, &D[2]);         /* conf default: 64 KiB */
	get(f, "/big", BIG, NULL, &D[3]);       /* exactly the cap */
	pump(f, 4, 10000);
	assert_int_equal(ndone, 4);
	assert_int_equal(D[0].err, EMSGSIZE);
	assert_int_equal(D[0].len, 0);
	assert_int_equal(D[1].err, EMSGSIZE);
	assert_string_equal(D[1].error, "response body over 65536 bytes");
	assert_int_equal(D[2].err, EMSGSIZE);
	assert_int_equal(D[3].err, 0);
	assert_int_equal(D[3].len, BIG);
	url(u, sizeof(u), "/big");
	assert_int_equal(web_fetch_get(f, u, WEB_FETCH_BYTES_MAX + 1, NULL,
				       on_done, &D[4], NULL), EINVAL);
	web_fetch_free(f);
}

static void test_content_type(void **state)
{
	struct web_fetch *f;

	(void)state;
	f = fetch_new(true, 0, 5000);
	get(f, "/pdf", 0, "application/pdf", &D[0]);
	get(f, "/pdf", 0, "image/tiff", &D[1]);
	get(f, "/html", 0, "application/pdf", &D[2]);
	get(f, "/fail", 0, "application/pdf", &D[3]);
	get(f, "/pdf-empty", 0, "application/pdf", &D[4]);
	pump(f, 5, 5000);
	assert_int_equal(ndone, 5);
	assert_int_equal(D[0].err, 0);
	assert_string_equal(D[0].ctype, "Application/PDF; name=q.pdf");
	assert_int_equal(D[1].err, ENOTSUP);
	assert_int_equal(D[1].len, 0);
	assert_string_equal(D[1].error,
			    "content type Application/PDF; name=q.pdf, not image/tiff");
	assert_int_equal(D[2].err, ENOTSUP);
	/* an error page is data: the status says what happened */
	assert_int_equal(D[3].err, 0);
	assert_int_equal(D[3].status, 500);
	/* no body at all: judged at the end */
	assert_int_equal(D[4].err, ENOTSUP);
	assert_non_null(strstr(S.log[0].headers, "Accept: application/pdf"));
	web_fetch_free(f);
}

/* Without the allow-list loopback is refused before any connection. */
static void test_refused_before_connect(void **state)
{
	static const char *const hosts[] = {
		"127.0.0.1", "0x7f000001", "2130706433", "127.1", "[::1]",
		"[::ffff:127.0.0.1]", "%31%32%37.0.0.1", "169.254.169.254",
		"0177.0.0.01",
	};
	struct web_fetch_stats st;
	struct web_fetch *f;
	char u[128];
	size_t i;

	(void)state;
	f = fetch_new(false, 3, 5000);
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		snprintf(u, sizeof(u), "http://%s:%u/ok", hosts[i], S.port[0]);
		assert_int_equal(web_fetch_get(f, u, 0, NULL, on_done, &D[0],
					       NULL), EACCES);
		assert_int_equal(web_fetch_post(f, u, NULL, "x", 1, on_done,
						&D[0], NULL), EACCES);
	}
	/* a name that resolves to loopback: refused at connect */
	snprintf(u, sizeof(u), "http://hook.test:%u/ok", S.port[0]);
	assert_int_equal(web_fetch_get(f, u, 0, NULL, on_done, &D[1], NULL), 0);
	pump(f, 1, 5000);
	assert_int_equal(ndone, 1);
	assert_false(D[0].called);
	assert_int_equal(D[1].err, EACCES);
	assert_string_equal(D[1].error, "address refused: 127.0.0.1 (loopback)");
	assert_int_equal(srv_accepted(0), 0);
	assert_int_equal(srv_accepted(1), 0);
	web_fetch_stats_get(f, &st);
	assert_int_equal(st.refused, 2 * i + 1);
	assert_int_equal(st.failed, 1);
	web_fetch_free(f);
}

static void test_connect_refused(void **state)
{
	struct web_fetch *f;
	uint16_t port;
	char u[128];
	int fd;

	(void)state;
	fd = srv_listen("127.0.0.1", 0, &port);
	close(fd);              /* nothing listens there now */
	f = fetch_new(true, 0, 5000);
	snprintf(u, sizeof(u), "http://127.0.0.1:%u/", port);
	assert_int_equal(web_fetch_get(f, u, 0, NULL, on_done, &D[0], NULL), 0);
	pump(f, 1, 5000);
	assert_int_equal(D[0].err, ECONNREFUSED);
	web_fetch_free(f);
}

static void test_cancel(void **state)
{
	struct web_fetch *f;
	int64_t t0;

	(void)state;
	f = fetch_new(true, 0, 5000);
	get(f, "/hang", 0, NULL, &D[0]);
	get(f, "/ok", 0, NULL, &D[1]);
	pump(f, 1, 5000);
	assert_true(D[1].called);
	assert_int_equal(web_fetch_cancel(f, D[0].id), 0);
	assert_int_equal(web_fetch_cancel(f, D[0].id), ENOENT);
	assert_int_equal(web_fetch_cancel(f, D[1].id), ENOENT);
	assert_int_equal(web_fetch_cancel(f, 0), ENOENT);
	assert_int_equal(web_fetch_cancel(NULL, 1), ENOENT);
	t0 = now_ms();
	pump(f, 2, 300);
	assert_true(now_ms() - t0 >= 300);
	assert_false(D[0].called);
	/* freeing with a transfer live: no callback either */
	get(f, "/hang", 0, NULL, &D[2]);
	web_fetch_free(f);
	assert_false(D[2].called);
}

/*
 * A name whose lookup hangs: its timeout fires on time (the resolver
 * thread is left behind, not joined), other transfers go on meanwhile,
 * and a name that does not resolve is EHOSTUNREACH.
 */
static void test_slow_dns(void **state)
{
	struct timespec ts = {0, 0};
	long base;
	struct web_fetch *f;
	char u[128];
	int64_t t0;

	(void)state;
	base = alloc_live();
	f = fetch_new(true, 0, 300);
	t0 = now_ms();
	snprintf(u, sizeof(u), "http://hook.slow.test:%u/ok", S.port[0]);
	assert_int_equal(web_fetch_get(f, u, 0, NULL, on_done, &D[0], NULL), 0);
	get(f, "/ok", 0, NULL, &D[1]);
	snprintf(u, sizeof(u), "http://nowhere.invalid:%u/ok", S.port[0]);
	assert_int_equal(web_fetch_get(f, u, 0, NULL, on_done, &D[2], NULL), 0);
	pump(f, 3, 5000);
	assert_int_equal(ndone, 3);
	assert_int_equal(D[1].err, 0);
	assert_true(D[1].at_ms < D[0].at_ms);
	assert_int_equal(D[0].err, ETIMEDOUT);
	assert_true(D[0].at_ms - t0 < SLOW_DNS_MS - 500);
	assert_int_equal(D[2].err, EHOSTUNREACH);
	web_fetch_free(f);
	assert_true(now_ms() - t0 < SLOW_DNS_MS - 400);
	/* let the forgotten lookup end and free its memory before the leak
	 * check (nothing else allocates meanwhile): on a loaded machine its
	 * thread may end well after SLOW_DNS_MS */
	ts.tv_nsec = 20 * 1000000L;
	while (alloc_live() != base && now_ms() - t0 < SLOW_DNS_MS + 20000)
		nanosleep(&ts, NULL);
}

/* Callbacks may start the next transfer. */
static void chain_done(uint64_t id, int err, struct web_fetch_res *res,
		       void *arg)
{
	struct web_fetch *f = arg;
	char u[128];

	on_done(id, err, res, &D[ndone]);
	if (ndone < 3) {
		url(u, sizeof(u), "/ok");
		assert_int_equal(web_fetch_get(f, u, 0, NULL, chain_done, f,
					       NULL), 0);
	}
}

static void test_chain(void **state)
{
	struct web_fetch *f;
	char u[128];

	(void)state;
	f = fetch_new(true, 0, 5000);
	url(u, sizeof(u), "/ok");
	assert_int_equal(web_fetch_get(f, u, 0, NULL, chain_done, f, NULL), 0);
	pump(f, 3, 5000);
	assert_int_equal(ndone, 3);
	assert_int_equal(D[2].status, 200);
	web_fetch_free(f);
}

static void test_bad_args(void **state)
{
	static const char *const crlf[] = {"X-A: b\r\nX-Evil: 1", NULL};
	static const char *const nocolon[] = {"X-A", NULL};
	struct web_fetch_conf c;
	struct web_fetch *f;
	char u[128];

	(void)state;
	f = fetch_new(true, 0, 5000);
	url(u, sizeof(u), "/ok");
	assert_int_equal(web_fetch_post(f, u, crlf, "x", 1, on_done, D, NULL),
			 EINVAL);
	assert_int_equal(web_fetch_post(f, u, nocolon, "x", 1, on_done, D,
					NULL), EINVAL);
	assert_int_equal(web_fetch_post(f, u, NULL, NULL, 1, on_done, D, NULL),
			 EINVAL);
	assert_int_equal(web_fetch_post(f, NULL, NULL, "x", 1, on_done, D,
					NULL), EINVAL);
	assert_int_equal(web_fetch_get(f, u, 0, "a/b; c", on_done, D, NULL),
			 EINVAL);
	assert_int_equal(web_fetch_get(f, u, 0, "", on_done, D, NULL), EINVAL);
	assert_int_equal(web_fetch_get(f, "ftp://127.0.0.1/", 0, NULL, on_done,
				       D, NULL), EBADMSG);
	assert_int_equal(web_fetch_get(f, "http://u@127.0.0.1/", 0, NULL,
				       on_done, D, NULL), EBADMSG);
	assert_int_equal(srv_nlog(), 0);
	web_fetch_free(f);

	web_fetch_conf_init(&c);
	c.timeout_ms = 0;
	assert_int_equal(web_fetch_alloc(&f, &c), EINVAL);
	web_fetch_conf_init(&c);
	c.max_redirects = WEB_FETCH_REDIRS_MAX + 1;
	assert_int_equal(web_fetch_alloc(&f, &c), EINVAL);
	web_fetch_conf_init(&c);
	c.max_bytes = 0;
	assert_int_equal(web_fetch_alloc(&f, &c), EINVAL);
	assert_int_equal(web_fetch_alloc(&f, NULL), EINVAL);
	web_fetch_free(NULL);
}

static void test_type_match(void **state)
{
	(void)state;
	assert_true(web_fetch_type_match("application/pdf", "application/pdf"));
	assert_true(web_fetch_type_match(" Application/PDF ; q=1",
					 "application/pdf"));
	assert_true(web_fetch_type_match("image/tiff;x=y", "image/tiff"));
	assert_false(web_fetch_type_match("application/pdfx",
					  "application/pdf"));
	assert_false(web_fetch_type_match("application/pd", "application/pdf"));
	assert_false(web_fetch_type_match("", "application/pdf"));
	assert_false(web_fetch_type_match(NULL, "application/pdf"));
	assert_false(web_fetch_type_match("text/plain", NULL));
}

/* curl's allocator is the counting one: a transfer's memory is seen. */
static char *count_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = __wrap_malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_get_ok),
		leakcheck_test(test_post),
		leakcheck_test(test_hang),
		leakcheck_test(test_closed_mid_response),
		leakcheck_test(test_redirect_default),
		leakcheck_test(test_redirect_followed),
		leakcheck_test(test_redirect_refused),
		leakcheck_test(test_oversize),
		leakcheck_test(test_content_type),
		leakcheck_test(test_refused_before_connect),
		leakcheck_test(test_connect_refused),
		leakcheck_test(test_slow_dns),
		leakcheck_test(test_cancel),
		leakcheck_test(test_chain),
		leakcheck_test(test_bad_args),
		leakcheck_test(test_type_match),
	};
	int rc;

	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, __wrap_malloc,
				 __wrap_free, __wrap_realloc, count_strdup,
				 __wrap_calloc) != CURLE_OK)
		return 99;
	assert_int_equal(web_fetch_global_init(), 0);
	rc = cmocka_run_group_tests_name("web_fetch", tests, srv_start,
					 srv_stop);
	web_fetch_global_cleanup();
	curl_global_cleanup();
	return rc;
}
