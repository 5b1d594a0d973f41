/*
 * tests/gateway/test_fetch.c — gateway/fetch.c: the judgement of every
 * kind of result (a table), media types, the [fetch] settings as
 * web/fetch takes them, and real transfers on the real loop against
 * tests/gateway/content_server.c on 127.0.0.1 (allowed explicitly;
 * 127.0.0.2 stays refused): a body kept by the caller, each failure, a
 * followed redirect, a hanging server that stalls nothing else, cancel,
 * metrics. curl's allocator is the counting one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "tests/pint/test_common.h"
#include "tests/gateway/content_server.h"
#include "gateway/fetch.h"

#define ENDS_MAX 8

struct end {
	uint64_t ref;
	unsigned idx;
	enum gw_fetch_why why;
	unsigned status;
	uint32_t total_ms;
	uint64_t at_ms;                 /* loop time of the callback */
	char text[GW_FETCH_TEXT_SIZE];
	char *body;                     /* taken when env.take */
	size_t len;
};

struct env {
	struct gw_loop *loop;
	struct gw_fetch *f;
	struct gw_conf_fetch conf;
	struct gw_timer poll;
	uint64_t deadline;
	unsigned want;
	bool take;
	size_t n;
	struct end ends[ENDS_MAX];
};

static void done_h(uint64_t ref, unsigned idx, struct gw_fetch_result *res,
		   void *arg)
{
	struct env *e = arg;
	struct end *d;

	assert_true(e->n < ENDS_MAX);
	d = &e->ends[e->n++];
	d->ref = ref;
	d->idx = idx;
	d->why = res->why;
	d->status = res->status;
	d->total_ms = res->total_ms;
	d->at_ms = gw_loop_update_time(e->loop);
	snprintf(d->text, sizeof(d->text), "%s", res->text);
	if (res->why == GW_FETCH_OK) {
		assert_non_null(res->body);
		assert_true(res->len > 0);
		assert_int_equal(res->body[res->len], '\0');
	} else {
		assert_null(res->body);
	}
	if (e->take && res->body) {
		d->body = res->body;
		d->len = res->len;
		res->body = NULL;
	}
}

static void poll_h(void *arg)
{
	struct env *e = arg;

	if (e->n >= e->want || gw_loop_now(e->loop) >= e->deadline) {
		gw_loop_stop(e->loop);
		return;
	}
	assert_int_equal(gw_timer_start(e->loop, &e->poll, 5, poll_h, e), 0);
}

/* Run the loop until want callbacks came or max_ms passed. */
static void run(struct env *e, unsigned want, unsigned max_ms)
{
	e->want = want;
	e->deadline = gw_loop_update_time(e->loop) + max_ms;
	assert_int_equal(gw_timer_start(e->loop, &e->poll, 0, poll_h, e), 0);
	assert_int_equal(gw_loop_run(e->loop), 0);
	gw_timer_stop(e->loop, &e->poll);
}

static void env_init(struct env *e, unsigned timeout, unsigned redirects)
{
	char msg[128] = "";

	memset(e, 0, sizeof(*e));
	assert_int_equal(gw_loop_alloc(&e->loop), 0);
	e->conf.max_bytes = 1000;
	e->conf.max_total = 1000;
	e->conf.timeout = timeout;
	e->conf.max_redirects = redirects;
	e->conf.max_inflight = 8;
	web_urlsafe_allow_init(&e->conf.allow_private);
	assert_int_equal(web_urlsafe_allow_parse(&e->conf.allow_private,
						 "127.0.0.1/32", 12, NULL), 0);
	assert_int_equal(gw_fetch_alloc(&e->f, e->loop, &e->conf, msg,
					sizeof(msg)), 0);
	content_server_reset();
}

static void env_done(struct env *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->ends[i].body);
	gw_fetch_free(e->f);
	gw_loop_free(e->loop);
}

static void url(char *buf, size_t size, const char *path)
{
	snprintf(buf, size, "http://127.0.0.1:%u%s",
		 (unsigned)content_server_port(), path);
}

static void get(struct env *e, const char *path, const char *type,
		size_t max, uint64_t ref, unsigned idx, uint64_t *idp)
{
	char u[128];
	uint64_t id = 0;

	url(u, sizeof(u), path);
	assert_int_equal(gw_fetch_get(e->f, u, type, max, ref, idx, done_h, e,
				      &id), 0);
	assert_true(id > 0);
	if (idp)
		*idp = id;
}

static const struct end *end_of(const struct env *e, uint64_t ref)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->ends[i].ref == ref)
			return &e->ends[i];
	fail_msg("no end for ref %llu", (unsigned long long)ref);
	return &e->ends[0];
}

/* ---- pure parts ---- */

static void test_why_names(void **state)
{
	unsigned i, k;

	(void)state;
	assert_string_equal(gw_fetch_why_name(GW_FETCH_OK), "ok");
	assert_string_equal(gw_fetch_why_name(GW_FETCH_TOO_LARGE), "too_large");
	assert_string_equal(gw_fetch_why_name(GW_FETCH_REFUSED),
			    "refused_address");
	assert_string_equal(gw_fetch_why_name(GW_FETCH_WHY_COUNT), "?");
	for (i = 0; i < GW_FETCH_WHY_COUNT; i++) {
		assert_true(strlen(gw_fetch_why_name(i)) > 1);
		for (k = 0; k < i; k++)
			assert_string_not_equal(gw_fetch_why_name(i),
						gw_fetch_why_name(k));
	}
}

static void test_judge(void **state)
{
	static char body[] = "data";
	static const struct {
		int err;
		bool has_res;
		unsigned status;
		bool body;
		const char *error;
		unsigned redirects;
		enum gw_fetch_why why;
		const char *text;
	} t[] = {
		{0, true, 200, true, "", 0, GW_FETCH_OK, "4 bytes"},
		{0, true, 204, false, "", 0, GW_FETCH_EMPTY, "HTTP 204 with an empty body"},
		{0, true, 302, true, "", 0, GW_FETCH_REDIRECT,
		 "HTTP 302: a redirect, not followed ([fetch] max_redirects is 0)"},
		{0, true, 404, true, "", 0, GW_FETCH_HTTP_STATUS,
		 "HTTP 404 from the content server"},
		{0, true, 100, false, "", 0, GW_FETCH_HTTP_STATUS, "HTTP 100"},
		{EMSGSIZE, true, 200, false, "response body over 10 bytes", 0,
		 GW_FETCH_TOO_LARGE, "response body over 10 bytes"},
		{ETIMEDOUT, true, 0, false, "Operation timed out", 0,
		 GW_FETCH_TIMEOUT, "Operation timed out"},
		{ETIMEDOUT, true, 0, false, "", 0, GW_FETCH_TIMEOUT, "timed out"},
		{EACCES, true, 0, false, "address refused: 10.0.0.1 (private)", 0,
		 GW_FETCH_REFUSED, "10.0.0.1 (private)"},
		{ENOTSUP, true, 200, false, "content type text/html, not image/tiff",
		 0, GW_FETCH_WRONG_TYPE, "text/html, not image/tiff"},
		{ELOOP, true, 301, false, "", 3, GW_FETCH_REDIRECT,
		 "more than 3 redirects"},
		{ECONNREFUSED, true, 0, false, "Connection refused", 0,
		 GW_FETCH_NETWORK, "Connection refused"},
		{EPROTO, true, 0, false, "", 0, GW_FETCH_NETWORK, "Protocol error"},
		{ENOMEM, true, 0, false, "", 0, GW_FETCH_INTERNAL, "out of memory"},
		{EACCES, false, 0, false, NULL, 0, GW_FETCH_REFUSED, "refused by policy"},
		{EBADMSG, false, 0, false, NULL, 0, GW_FETCH_BAD_URL, "cannot be fetched"},
		{ENOMEM, false, 0, false, NULL, 0, GW_FETCH_INTERNAL, "out of memory"},
	};
	char text[GW_FETCH_TEXT_SIZE];
	struct web_fetch_res res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&res, 0, sizeof(res));
		res.status = t[i].status;
		res.body = t[i].body ? body : NULL;
		res.len = t[i].body ? 4 : 0;
		res.error = t[i].error;
		text[0] = '\0';
		if (gw_fetch_judge(t[i].err, t[i].has_res ? &res : NULL,
				   t[i].redirects, text, sizeof(text)) != t[i].why)
			fail_msg("case %zu: not %s", i, gw_fetch_why_name(t[i].why));
		if (!strstr(text, t[i].text))
			fail_msg("case %zu: '%s' lacks '%s'", i, text, t[i].text);
	}
	/* a long text is cut, never overrun */
	memset(&res, 0, sizeof(res));
	res.error = "timed out after a very long time, and a very long time, "
		    "and a very long time, and a very long time, and a very "
		    "long time, and a very long time, and a very long time, and "
		    "a very long time";
	assert_int_equal(gw_fetch_judge(ETIMEDOUT, &res, 0, text, 16),
			 GW_FETCH_TIMEOUT);
	assert_int_equal(strlen(text), 15);
}

static void test_media_type(void **state)
{
	static const struct {
		const char *in;
		int err;
		const char *out;
	} t[] = {
		{"text/plain", 0, "text/plain"},
		{"Application/PDF; name=q.pdf", 0, "application/pdf"},
		{" \timage/tiff ", 0, "image/tiff"},
		{"audio/x-wav;rate=8000", 0, "audio/x-wav"},
		{"", EINVAL, NULL},
		{"text", EINVAL, NULL},
		{"/plain", EINVAL, NULL},
		{"text/", EINVAL, NULL},
		{"te\"xt/plain", EINVAL, NULL},
		{"text/pl,ain", EINVAL, NULL},
		{"text/pl\x7f" "ain", EINVAL, NULL},
		{"text/plain\xc3\xa9", EINVAL, NULL},
	};
	char out[WEB_FETCH_TYPE_LEN + 1], longer[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(gw_fetch_media_type(t[i].in, out, sizeof(out)),
				 t[i].err);
		if (!t[i].err)
			assert_string_equal(out, t[i].out);
	}
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	longer[5] = '/';
	assert_int_equal(gw_fetch_media_type(longer, out, sizeof(out)), EMSGSIZE);
	assert_int_equal(gw_fetch_media_type("text/plain", out, 5), EMSGSIZE);
	assert_int_equal(gw_fetch_media_type(NULL, out, sizeof(out)), EINVAL);
}

static void test_conf(void **state)
{
	struct gw_conf_fetch c;
	struct web_fetch_conf fc;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.max_bytes = 4096;
	c.max_total = 8192;
	c.timeout = 2;
	c.max_redirects = 3;
	c.max_inflight = 7;
	gw_fetch_conf(&c, &fc);
	assert_int_equal(fc.timeout_ms, 2000);
	assert_int_equal(fc.connect_timeout_ms, 2000);  /* never above it */
	assert_int_equal(fc.max_bytes, 4096);
	assert_int_equal(fc.max_redirects, 3);
	assert_int_equal(fc.max_conns, 7);
	assert_null(fc.allow);
	assert_non_null(fc.user_agent);
	assert_int_equal(strncmp(fc.user_agent, "pintgw/", 7), 0);
	c.timeout = 60;
	gw_fetch_conf(&c, &fc);
	assert_int_equal(fc.connect_timeout_ms, WEB_FETCH_CONNECT_MS);
}

/* ---- transfers ---- */

/* Each kind of end, by ref; the body is the caller's once taken. */
static void test_results(void **state)
{
	struct env e;
	const struct end *d;
	struct gw_fetch_stats st;

	(void)state;
	env_init(&e, 5, 0);
	e.take = true;
	get(&e, "/doc", "text/plain", 1000, 1, 0, NULL);
	get(&e, "/html", "application/pdf", 1000, 2, 1, NULL);
	get(&e, "/big", "text/plain", 1000, 3, 2, NULL);
	get(&e, "/missing", "text/plain", 1000, 4, 3, NULL);
	get(&e, "/redir", "text/plain", 1000, 5, 4, NULL);
	get(&e, "/empty", "text/plain", 1000, 6, 5, NULL);
	run(&e, 6, 5000);
	assert_int_equal(e.n, 6);

	d = end_of(&e, 1);
	assert_int_equal(d->why, GW_FETCH_OK);
	assert_int_equal(d->idx, 0);
	assert_int_equal(d->status, 200);
	assert_int_equal(d->len, sizeof(CONTENT_DOC) - 1);
	assert_memory_equal(d->body, CONTENT_DOC, d->len);
	d = end_of(&e, 2);
	assert_int_equal(d->why, GW_FETCH_WRONG_TYPE);
	assert_int_equal(d->idx, 1);
	assert_non_null(strstr(d->text, "text/html, not application/pdf"));
	d = end_of(&e, 3);
	assert_int_equal(d->why, GW_FETCH_TOO_LARGE);
	assert_non_null(strstr(d->text, "over 1000 bytes"));
	d = end_of(&e, 4);
	assert_int_equal(d->why, GW_FETCH_HTTP_STATUS);
	assert_int_equal(d->status, 404);
	d = end_of(&e, 5);
	assert_int_equal(d->why, GW_FETCH_REDIRECT);
	assert_int_equal(d->status, 302);
	d = end_of(&e, 6);
	assert_int_equal(d->why, GW_FETCH_EMPTY);
	assert_int_equal(content_server_hits("/doc"), 1);

	gw_fetch_stats(e.f, &st);
	assert_int_equal(st.started, 6);
	assert_int_equal(st.running, 0);
	assert_int_equal(st.ended[GW_FETCH_OK], 1);
	assert_int_equal(st.ended[GW_FETCH_TOO_LARGE], 1);
	assert_int_equal(st.bytes, sizeof(CONTENT_DOC) - 1);
	env_done(&e);
}

/* An untaken body is freed by the fetcher. */
static void test_body_not_taken(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, 5, 0);
	get(&e, "/doc2", "text/plain", 1000, 9, 0, NULL);
	run(&e, 1, 5000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ends[0].why, GW_FETCH_OK);
	assert_null(e.ends[0].body);
	env_done(&e);
}

/* With max_redirects the 302 is followed, to an allowed address. */
static void test_redirect_followed(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, 5, 2);
	e.take = true;
	get(&e, "/redir", "text/plain", 1000, 1, 0, NULL);
	run(&e, 1, 5000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ends[0].why, GW_FETCH_OK);
	assert_memory_equal(e.ends[0].body, CONTENT_DOC, e.ends[0].len);
	assert_int_equal(content_server_hits("/doc"), 1);
	env_done(&e);
}

/* Refused before any connection: the address and the URL named. */
static void test_refused_at_start(void **state)
{
	static const struct {
		const char *url;
		int err;
		enum gw_fetch_why why;
		const char *text;
	} t[] = {
		{"http://127.0.0.2:9/doc", EACCES, GW_FETCH_REFUSED,
		 "address refused: 127.0.0.2 (loopback)"},
		{"http://10.1.2.3/doc", EACCES, GW_FETCH_REFUSED,
		 "address refused: 10.1.2.3 (private)"},
		{"http://[::1]/doc", EACCES, GW_FETCH_REFUSED, "(loopback)"},
		{"ftp://example.com/doc", 0, GW_FETCH_BAD_URL,
		 "the url cannot be fetched"},
		{"http://user@example.com/doc", 0, GW_FETCH_BAD_URL,
		 "the url cannot be fetched"},
	};
	char text[GW_FETCH_TEXT_SIZE];
	struct env e;
	uint64_t id = 0;
	size_t i;
	int err;

	(void)state;
	env_init(&e, 5, 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err = gw_fetch_get(e.f, t[i].url, "text/plain", 100, 1, 0, done_h,
				   &e, &id);
		assert_int_not_equal(err, 0);
		if (t[i].err)
			assert_int_equal(err, t[i].err);
		assert_int_equal(gw_fetch_start_error(e.f, t[i].url, err, text,
						      sizeof(text)), t[i].why);
		if (!strstr(text, t[i].text))
			fail_msg("%s: '%s' lacks '%s'", t[i].url, text, t[i].text);
	}
	assert_int_equal(gw_fetch_get(e.f, "http://127.0.0.1/", "text", 100, 1, 0,
				      done_h, &e, &id), EINVAL);
	assert_int_equal(gw_fetch_get(e.f, "http://127.0.0.1/", "text/plain", 0, 1,
				      0, done_h, &e, &id), EINVAL);
	assert_int_equal(gw_fetch_start_error(e.f, "x", ENOMEM, text,
					      sizeof(text)), GW_FETCH_INTERNAL);
	run(&e, 1, 100);
	assert_int_equal(e.n, 0);
	env_done(&e);
}

/* A server that never answers holds its own transfer only. */
static void test_hang_stalls_nothing(void **state)
{
	struct env e;
	const struct end *d;
	uint64_t t0;

	(void)state;
	env_init(&e, 1, 0);
	t0 = gw_loop_update_time(e.loop);
	get(&e, "/hang", "text/plain", 1000, 1, 0, NULL);
	get(&e, "/doc", "text/plain", 1000, 2, 0, NULL);
	run(&e, 1, 3000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ends[0].ref, 2);
	assert_int_equal(e.ends[0].why, GW_FETCH_OK);
	assert_true(e.ends[0].at_ms - t0 < 800);
	run(&e, 2, 3000);
	assert_int_equal(e.n, 2);
	d = end_of(&e, 1);
	assert_int_equal(d->why, GW_FETCH_TIMEOUT);
	assert_true(d->at_ms - t0 >= 950);
	assert_non_null(strstr(d->text, "timed out"));
	env_done(&e);
}

/* A cancelled transfer never calls back; freeing a running one leaks
 * nothing. */
static void test_cancel(void **state)
{
	struct gw_fetch_stats st;
	struct env e;
	uint64_t a, b;

	(void)state;
	env_init(&e, 5, 0);
	get(&e, "/hang", "text/plain", 1000, 1, 0, &a);
	get(&e, "/hang", "text/plain", 1000, 2, 0, &b);
	run(&e, 1, 200);
	assert_int_equal(content_server_hits("/hang"), 2);
	gw_fetch_stats(e.f, &st);
	assert_int_equal(st.running, 2);
	assert_int_equal(gw_fetch_cancel(e.f, a), 0);
	assert_int_equal(gw_fetch_cancel(e.f, a), ENOENT);
	assert_int_equal(gw_fetch_cancel(e.f, 9999), ENOENT);
	assert_int_equal(gw_fetch_cancel(NULL, a), ENOENT);
	gw_fetch_stats(e.f, &st);
	assert_int_equal(st.running, 1);
	run(&e, 1, 200);
	assert_int_equal(e.n, 0);
	env_done(&e);           /* b still running */
}

static void test_metrics(void **state)
{
	struct pint_mbuf mb;
	struct env e;

	(void)state;
	env_init(&e, 5, 0);
	get(&e, "/doc", "text/plain", 1000, 1, 0, NULL);
	get(&e, "/big", "text/plain", 1000, 2, 0, NULL);
	run(&e, 2, 5000);
	pint_mbuf_init(&mb, 0);
	assert_int_equal(gw_fetch_metrics(e.f, &mb), 0);
	assert_non_null(strstr(mb.buf, "\npintgw_fetch_started_total 2\n"));
	assert_non_null(strstr(mb.buf, "\npintgw_fetch_ended_total{result=\"ok\"} 1\n"));
	assert_non_null(strstr(mb.buf,
			       "\npintgw_fetch_ended_total{result=\"too_large\"} 1\n"));
	assert_non_null(strstr(mb.buf, "\npintgw_fetch_running 0\n"));
	assert_non_null(strstr(mb.buf, "# TYPE pintgw_fetch_bytes_total counter\n"));
	pint_mbuf_reset(&mb);
	pint_mbuf_init(&mb, 64);
	assert_int_equal(gw_fetch_metrics(e.f, &mb), EMSGSIZE);
	pint_mbuf_reset(&mb);
	env_done(&e);
}

static void test_alloc_args(void **state)
{
	struct gw_conf_fetch c;
	struct gw_fetch *f = NULL;
	struct gw_loop *loop;
	char msg[128] = "";

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	memset(&c, 0, sizeof(c));
	c.max_bytes = 10;
	c.max_total = 10;
	c.timeout = 1;
	c.max_redirects = WEB_FETCH_REDIRS_MAX + 1;     /* web/fetch refuses */
	assert_int_equal(gw_fetch_alloc(&f, loop, &c, msg, sizeof(msg)), EINVAL);
	assert_null(f);
	assert_non_null(strstr(msg, "fetch: "));
	assert_int_equal(gw_fetch_alloc(&f, NULL, &c, msg, sizeof(msg)), EINVAL);
	gw_fetch_free(NULL);
	gw_loop_free(loop);
}

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
		leakcheck_test(test_why_names),
		leakcheck_test(test_judge),
		leakcheck_test(test_media_type),
		leakcheck_test(test_conf),
		leakcheck_test(test_results),
		leakcheck_test(test_body_not_taken),
		leakcheck_test(test_redirect_followed),
		leakcheck_test(test_refused_at_start),
		leakcheck_test(test_hang_stalls_nothing),
		leakcheck_test(test_cancel),
		leakcheck_test(test_metrics),
		leakcheck_test(test_alloc_args),
	};
	int rc;

	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, __wrap_malloc,
				 __wrap_free, __wrap_realloc, count_strdup,
				 __wrap_calloc) != CURLE_OK)
		return 99;
	rc = cmocka_run_group_tests_name("gw_fetch", tests,
					 content_server_start,
					 content_server_stop);
	curl_global_cleanup();
	return rc;
}
