/*
 * tests/web/test_webhook.c — web/webhook.c: signature known answers
 * (computed independently with `openssl dgst -sha256 -hmac`), the
 * receiver's check, the backoff schedule's bounds, and the queue's
 * per-request ordering and retries through a fake sender with a fake
 * clock; one delivery goes over the wire to a server thread on 127.0.0.1
 * and is verified from the bytes it received.
 */
#include <arpa/inet.h>
#include <errno.h>
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
#include "web/webhook.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The API.md example event; its bytes are docs/webhooks.md's too. */
#define DOC_BODY "{\"event_id\":\"rq_5Jm0x8YtQ2Kb7Cq1:3\"," \
	"\"request_id\":\"rq_5Jm0x8YtQ2Kb7Cq1\",\"seq\":3,\"status\":\"active\"," \
	"\"at\":\"2023-11-14T22:13:20Z\",\"info\":\"call connected\"," \
	"\"outcome\":null,\"client_state\":\"order-4711\"}"
#define DOC_SECRET "whsec_test_secret"
#define DOC_T 1700000000
#define DOC_SIG "t=1700000000,v1=" \
	"7e694dc1eb40f26516708afa5604a58d5d620a63a05d455f781d33aca97e9e70"

/* ---- signatures ---- */

struct kat {
	const char *secret;
	size_t secret_len;
	int64_t t;
	const char *body;
	const char *sig;
};

/*
 * printf '%s' "<t>.<body>" | openssl dgst -sha256 -hmac "<secret>"
 * (the third: -mac HMAC -macopt hexkey:00ff10803c).
 */
static const struct kat kats[] = {
	{DOC_SECRET, 17, DOC_T, DOC_BODY, DOC_SIG},
	{"s3cr3t", 6, 0, "", "t=0,v1="
	 "3f9088652f6bbbf5fb267427cb173addd3621d27558a0d18d24ec8285c15944c"},
	{"\x00\xff\x10\x80\x3c", 5, 1712345678, "{\"a\":\"\xc3\xa9\"}",
	 "t=1712345678,v1="
	 "949a211dcb95626c4c4d61686390b427a0c19d93d209cb81e7ed3aeb1149e7b8"},
};

static void test_sign_kat(void **state)
{
	char sig[WEB_WEBHOOK_SIG_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < N(kats); i++) {
		const struct kat *k = &kats[i];

		assert_int_equal(web_webhook_sign(sig, sizeof(sig), k->secret,
						  k->secret_len, k->t, k->body,
						  strlen(k->body)), 0);
		assert_string_equal(sig, k->sig);
		assert_int_equal(web_webhook_verify(sig, strlen(sig), k->secret,
						    k->secret_len, k->body,
						    strlen(k->body), k->t, 300),
				 0);
	}
}

static void test_sign_errors(void **state)
{
	char sig[WEB_WEBHOOK_SIG_SIZE];
	size_t i, need = strlen(DOC_SIG) + 1;

	(void)state;
	assert_int_equal(web_webhook_sign(sig, sizeof(sig), "k", 1, -1, "x", 1),
			 EINVAL);
	assert_int_equal(web_webhook_sign(sig, sizeof(sig), "k", 0, 1, "x", 1),
			 EINVAL);
	assert_int_equal(web_webhook_sign(sig, sizeof(sig), NULL, 1, 1, "x", 1),
			 EINVAL);
	assert_int_equal(web_webhook_sign(sig, sizeof(sig), "k", 1, 1, NULL, 1),
			 EINVAL);
	assert_int_equal(web_webhook_sign(sig, sizeof(sig), "k",
					  WEB_WEBHOOK_SECRET_MAX + 1, 1, "x",
					  1), EINVAL);
	assert_int_equal(web_webhook_sign(NULL, 0, "k", 1, 1, "x", 1), EINVAL);
	for (i = 0; i < need; i++)
		assert_int_equal(web_webhook_sign(sig, i, DOC_SECRET, 17, DOC_T,
						  DOC_BODY, strlen(DOC_BODY)),
				 EMSGSIZE);
	assert_int_equal(web_webhook_sign(sig, need, DOC_SECRET, 17, DOC_T,
					  DOC_BODY, strlen(DOC_BODY)), 0);
	/* the largest t still fits the documented size */
	assert_int_equal(web_webhook_sign(sig, sizeof(sig), "k", 1, INT64_MAX,
					  "x", 1), 0);
	assert_int_equal(web_webhook_verify(sig, strlen(sig), "k", 1, "x", 1,
					    0, 0), 0);
}

#define V1 "7e694dc1eb40f26516708afa5604a58d5d620a63a05d455f781d33aca97e9e70"
#define V1_UP "7E694DC1EB40F26516708AFA5604A58D5D620A63A05D455F781D33ACA97E9E70"
#define V1_BAD "0e694dc1eb40f26516708afa5604a58d5d620a63a05d455f781d33aca97e9e70"

struct vcase {
	const char *hdr;
	int64_t now;
	uint32_t tol;
	int err;
};

static const struct vcase vcases[] = {
	{"t=1700000000,v1=" V1, DOC_T, 300, 0},
	{"t=1700000000,v1=" V1_UP, DOC_T, 300, 0},
	{" t=1700000000 , v1=" V1 " ", DOC_T, 300, 0},
	{"v1=" V1 ",t=1700000000", DOC_T, 300, 0},
	{"t=1700000000,v1=" V1_BAD ",v1=" V1, DOC_T, 300, 0},
	{"t=1700000000,v0=abc,v2=zz,x,v1=" V1, DOC_T, 300, 0},
	{"t=1700000000,v1=" V1, DOC_T + 300, 300, 0},
	{"t=1700000000,v1=" V1, DOC_T - 300, 300, 0},
	{"t=1700000000,v1=" V1, DOC_T + 301, 300, ERANGE},
	{"t=1700000000,v1=" V1, DOC_T - 301, 300, ERANGE},
	{"t=1700000000,v1=" V1, 0, 0, 0},             /* no tolerance */
	{"t=1700000000,v1=" V1, INT64_MIN, 300, ERANGE},
	{"t=1700000000,v1=" V1_BAD, DOC_T, 300, EACCES},
	{"t=1700000001,v1=" V1, DOC_T, 300, EACCES},
	{"t=01700000000,v1=" V1, DOC_T, 300, EACCES},  /* t's text is signed */
	{"v1=" V1, DOC_T, 300, EBADMSG},
	{"t=1700000000", DOC_T, 300, EBADMSG},
	{"t=1700000000,t=1700000000,v1=" V1, DOC_T, 300, EBADMSG},
	{"t=,v1=" V1, DOC_T, 300, EBADMSG},
	{"t=17e8,v1=" V1, DOC_T, 300, EBADMSG},
	{"t=-1700000000,v1=" V1, DOC_T, 300, EBADMSG},
	{"t=17000000000000000000,v1=" V1, DOC_T, 300, EBADMSG},
	{"t=9999999999999999999,v1=" V1, DOC_T, 300, EBADMSG},
	{"t=1700000000,v1=" V1 "0", DOC_T, 300, EBADMSG},
	{"t=1700000000,v1=xyz", DOC_T, 300, EBADMSG},
	{"t=1700000000,v1=" V1_BAD ",v1=" V1_BAD ",v1=" V1_BAD ",v1=" V1_BAD
	 ",v1=" V1_BAD ",v1=" V1_BAD ",v1=" V1_BAD ",v1=" V1_BAD ",v1=" V1,
	 DOC_T, 300, EACCES},  /* only the first eight v1 are tried */
	{"", DOC_T, 300, EBADMSG},
	{"garbage", DOC_T, 300, EBADMSG},
};

static void test_verify(void **state)
{
	static char big[WEB_WEBHOOK_HEADER_MAX + 2];
	char buf[700];
	size_t i, n;

	(void)state;
	for (i = 0; i < N(vcases); i++) {
		const struct vcase *c = &vcases[i];

		print_message("verify '%s'\n", c->hdr);
		assert_int_equal(web_webhook_verify(c->hdr, strlen(c->hdr),
						    DOC_SECRET, 17, DOC_BODY,
						    strlen(DOC_BODY), c->now,
						    c->tol), c->err);
	}
	/* wrong secret, changed body */
	assert_int_equal(web_webhook_verify(DOC_SIG, strlen(DOC_SIG), "other",
					    5, DOC_BODY, strlen(DOC_BODY),
					    DOC_T, 300), EACCES);
	assert_int_equal(web_webhook_verify(DOC_SIG, strlen(DOC_SIG),
					    DOC_SECRET, 17, DOC_BODY,
					    strlen(DOC_BODY) - 1, DOC_T, 300),
			 EACCES);
	/* only hlen bytes are read: trailing text after them is not seen */
	n = (size_t)snprintf(buf, sizeof(buf), "%s,t=1", DOC_SIG);
	assert_int_equal(web_webhook_verify(buf, n - 4, DOC_SECRET, 17,
					    DOC_BODY, strlen(DOC_BODY), DOC_T,
					    300), 0);
	assert_int_equal(web_webhook_verify(buf, n, DOC_SECRET, 17, DOC_BODY,
					    strlen(DOC_BODY), DOC_T, 300),
			 EBADMSG);
	memset(big, ' ', sizeof(big));
	memcpy(big, DOC_SIG, strlen(DOC_SIG));
	assert_int_equal(web_webhook_verify(big, WEB_WEBHOOK_HEADER_MAX,
					    DOC_SECRET, 17, DOC_BODY,
					    strlen(DOC_BODY), DOC_T, 300), 0);
	assert_int_equal(web_webhook_verify(big, WEB_WEBHOOK_HEADER_MAX + 1,
					    DOC_SECRET, 17, DOC_BODY,
					    strlen(DOC_BODY), DOC_T, 300),
			 EBADMSG);
	assert_int_equal(web_webhook_verify(NULL, 0, DOC_SECRET, 17, "", 0, 0,
					    0), EINVAL);
	assert_int_equal(web_webhook_verify(DOC_SIG, strlen(DOC_SIG), "", 0,
					    DOC_BODY, strlen(DOC_BODY), DOC_T,
					    300), EINVAL);
}

static void test_payload(void **state)
{
	struct web_resource_webhook w;
	char ev[WEB_WEBHOOK_EVENT_ID_SIZE];
	char *body;
	size_t len, i;

	(void)state;
	memset(&w, 0, sizeof(w));
	w.event_id = "ignored";
	w.request_id = "rq_5Jm0x8YtQ2Kb7Cq1";
	w.seq = 3;
	w.status = WEB_STATUS_ACTIVE;
	w.at = 1700000000000LL;
	w.info = "call connected";
	w.client_state = "order-4711";
	assert_int_equal(web_webhook_payload(&body, &len, &w), 0);
	assert_string_equal(body, DOC_BODY);
	assert_int_equal(len, strlen(DOC_BODY));
	free(body);
	w.request_id = "rq bad";
	assert_int_equal(web_webhook_payload(&body, &len, &w), EINVAL);
	assert_null(body);

	assert_int_equal(web_webhook_event_id(ev, sizeof(ev), "rq_A-1",
					      18446744073709551615ull), 0);
	assert_string_equal(ev, "rq_A-1:18446744073709551615");
	for (i = 0; i <= strlen("rq_A-1:7"); i++)
		assert_int_equal(web_webhook_event_id(ev, i, "rq_A-1", 7),
				 EMSGSIZE);
	assert_int_equal(web_webhook_event_id(ev, i, "rq_A-1", 7), 0);
	assert_int_equal(web_webhook_event_id(ev, sizeof(ev), "", 1), EINVAL);
	assert_int_equal(web_webhook_event_id(ev, sizeof(ev), "a:b", 1),
			 EINVAL);
	assert_int_equal(web_webhook_event_id(ev, sizeof(ev), NULL, 1), EINVAL);
	memset(ev, 'a', WEB_WEBHOOK_ID_MAX + 1);
	ev[WEB_WEBHOOK_ID_MAX + 1] = '\0';
	assert_int_equal(web_webhook_event_id(ev + 40, 40, ev, 1), EINVAL);
}

static void test_headers(void **state)
{
	struct web_webhook_hdrs hh;

	(void)state;
	assert_int_equal(web_webhook_headers(&hh, NULL, "rq_5Jm0x8YtQ2Kb7Cq1:3",
					     DOC_SECRET, 17, DOC_T, DOC_BODY,
					     strlen(DOC_BODY)), 0);
	assert_string_equal(hh.v[0], "Content-Type: application/json");
	assert_string_equal(hh.v[1], "Pintgw-Signature: " DOC_SIG);
	assert_string_equal(hh.v[2], "Pintgw-Event-Id: rq_5Jm0x8YtQ2Kb7Cq1:3");
	assert_string_equal(hh.v[3], "User-Agent: " WEB_WEBHOOK_UA);
	assert_null(hh.v[4]);
	assert_int_equal(web_webhook_headers(&hh, "acme/2", "e:1", "k", 1, 5,
					     "x", 1), 0);
	assert_string_equal(hh.v[3], "User-Agent: acme/2");
	assert_int_equal(web_webhook_headers(&hh, "a\r\nX-Evil: 1", "e:1", "k",
					     1, 5, "x", 1), EINVAL);
	assert_int_equal(web_webhook_headers(&hh, NULL, "e\n:1", "k", 1, 5,
					     "x", 1), EINVAL);
	assert_int_equal(web_webhook_headers(&hh, "", "e:1", "k", 1, 5, "x", 1),
			 EINVAL);
	assert_int_equal(web_webhook_headers(&hh, NULL, "e:1", "k", 0, 5, "x",
					     1), EINVAL);
}

/* ---- the retry schedule ---- */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_delay_bounds(void **state)
{
	static const uint64_t caps[] = {
		1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
	};
	struct web_webhook_conf c;
	uint64_t seed = 88172645463325252ull;
	unsigned a, i;

	(void)state;
	web_webhook_conf_init(&c);
	c.base_ms = 1000;
	c.max_delay_ms = 60000;
	for (a = 1; a <= N(caps); a++) {
		uint64_t cap = caps[a - 1], sum = 0;

		assert_int_equal(web_webhook_delay_ms(&c, a, 0), 0);
		assert_int_equal(web_webhook_delay_ms(&c, a, cap), cap);
		assert_int_equal(web_webhook_delay_ms(&c, a, cap + 1), 0);
		assert_true(web_webhook_delay_ms(&c, a, UINT64_MAX) <= cap);
		for (i = 0; i < 10000; i++) {
			uint64_t d = web_webhook_delay_ms(&c, a,
							  xorshift(&seed));

			assert_true(d <= cap);
			sum += d;
		}
		/* full jitter: uniform over [0, cap], mean cap/2 */
		assert_true(sum / 10000 > cap * 45 / 100);
		assert_true(sum / 10000 < cap * 55 / 100);
	}
	/* attempt 0 is treated as the first; huge attempts stay capped */
	assert_int_equal(web_webhook_delay_ms(&c, 0, 1000), 1000);
	assert_int_equal(web_webhook_delay_ms(&c, 4000000000u, 60000), 60000);
	/* a max_delay that is not base * 2^k is reached exactly */
	c.base_ms = 3;
	c.max_delay_ms = UINT32_MAX;
	assert_int_equal(web_webhook_delay_ms(&c, 200, UINT32_MAX), UINT32_MAX);
	c.max_delay_ms = 3;
	assert_int_equal(web_webhook_delay_ms(&c, 9, 3), 3);
}

/* ---- the queue, through a fake sender ---- */

#define SENT_MAX 64
#define RES_MAX 4096

struct sent {
	char url[128];
	char sig[160];
	char event[128];
	char body[256];
	size_t len;
	web_fetch_h *done;
	void *done_arg;
	uint64_t id;
	bool open;
};

static struct qfx {
	int64_t now;
	uint64_t rnd;
	int send_err;           /* the fake's next answers */
	unsigned nsent;
	struct sent sent[SENT_MAX];
	uint64_t next_id;
	unsigned ncancel;
	uint64_t cancelled[8];
	unsigned nres;
	struct web_webhook_result res[RES_MAX];
	char res_ids[RES_MAX][WEB_WEBHOOK_ID_MAX + 1];
	struct web_webhook *wh;
	void (*hook)(const struct web_webhook_result *r);
} Q;

static int64_t fake_clock(void *arg)
{
	(void)arg;
	return Q.now;
}

static uint64_t fake_rand(void *arg)
{
	(void)arg;
	return Q.rnd;
}

static const char *hdr_find(const char *const *hdrs, const char *name)
{
	size_t n = strlen(name);

	for (; *hdrs; hdrs++)
		if (!strncmp(*hdrs, name, n) && (*hdrs)[n] == ':')
			return *hdrs + n + 2;
	return NULL;
}

static int fake_send(const char *url, const char *const *hdrs,
		     const char *body, size_t len, web_fetch_h *done,
		     void *done_arg, uint64_t *idp, void *arg)
{
	struct sent *s;

	(void)arg;
	if (Q.send_err)
		return Q.send_err;
	assert_true(Q.nsent < SENT_MAX);
	s = &Q.sent[Q.nsent++];
	snprintf(s->url, sizeof(s->url), "%s", url);
	snprintf(s->sig, sizeof(s->sig), "%s", hdr_find(hdrs, "Pintgw-Signature"));
	snprintf(s->event, sizeof(s->event), "%s",
		 hdr_find(hdrs, "Pintgw-Event-Id"));
	assert_string_equal(hdr_find(hdrs, "Content-Type"), "application/json");
	assert_non_null(hdr_find(hdrs, "User-Agent"));
	assert_true(len < sizeof(s->body));
	memcpy(s->body, body, len);
	s->body[len] = '\0';
	s->len = len;
	s->done = done;
	s->done_arg = done_arg;
	s->id = ++Q.next_id;
	s->open = true;
	*idp = s->id;
	return 0;
}

static int fake_cancel(uint64_t id, void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < Q.nsent; i++) {
		if (Q.sent[i].id == id && Q.sent[i].open) {
			Q.sent[i].open = false;
			if (Q.ncancel < N(Q.cancelled))
				Q.cancelled[Q.ncancel++] = id;
			return 0;
		}
	}
	fail_msg("cancel of unknown transfer %llu", (unsigned long long)id);
	return ENOENT;
}

static void on_result(const struct web_webhook_result *r, void *arg)
{
	(void)arg;
	assert_true(Q.nres < RES_MAX);
	Q.res[Q.nres] = *r;
	snprintf(Q.res_ids[Q.nres], sizeof(Q.res_ids[0]), "%s", r->request_id);
	Q.res[Q.nres].request_id = Q.res_ids[Q.nres];
	Q.res[Q.nres].error = "";
	Q.nres++;
	if (Q.hook)
		Q.hook(r);
}

/* The fake's transfer i ends with this status (err 0) or err. */
static void complete(unsigned i, int err, unsigned status)
{
	struct web_fetch_res res;

	assert_true(i < Q.nsent);
	assert_true(Q.sent[i].open);
	Q.sent[i].open = false;
	memset(&res, 0, sizeof(res));
	res.status = status;
	res.addr = "";
	res.error = err ? "boom" : "";
	Q.sent[i].done(Q.sent[i].id, err, &res, Q.sent[i].done_arg);
}

static struct web_webhook *queue_new(unsigned attempts, unsigned inflight)
{
	struct web_webhook_conf c;
	struct web_webhook *wh;

	memset(&Q, 0, sizeof(Q));
	Q.now = 1700000000000LL;
	Q.rnd = 0;
	web_webhook_conf_init(&c);
	c.attempts = attempts;
	c.base_ms = 1000;
	c.max_delay_ms = 8000;
	c.max_inflight = inflight;
	c.send = fake_send;
	c.cancel = fake_cancel;
	c.clock = fake_clock;
	c.rand = fake_rand;
	c.user_agent = "pintgw-test/1";
	assert_int_equal(web_webhook_alloc(&wh, &c, on_result, NULL), 0);
	Q.wh = wh;
	return wh;
}

static int push(struct web_webhook *wh, const char *id, uint64_t seq)
{
	struct web_webhook_dlv d;
	char body[128];

	memset(&d, 0, sizeof(d));
	snprintf(body, sizeof(body), "{\"request_id\":\"%s\",\"seq\":%llu}", id,
		 (unsigned long long)seq);
	d.request_id = id;
	d.seq = seq;
	d.url = "https://hooks.example.com/pint";
	d.secret = "sekrit";
	d.secret_len = 6;
	d.body = body;
	d.len = strlen(body);
	d.next_at = Q.now;
	return web_webhook_push(wh, &d);
}

static void sent_is(unsigned i, const char *event)
{
	assert_true(i < Q.nsent);
	assert_string_equal(Q.sent[i].event, event);
}

/* seq n+1 waits for seq n, through retries; other requests go on. */
static void test_queue_order(void **state)
{
	struct web_webhook *wh;
	struct web_webhook_stats st;

	(void)state;
	wh = queue_new(8, 16);
	assert_int_equal(push(wh, "rqA", 1), 0);
	assert_int_equal(push(wh, "rqA", 2), 0);
	assert_int_equal(push(wh, "rqA", 3), 0);
	assert_int_equal(push(wh, "rqB", 1), 0);
	assert_int_equal(web_webhook_timeout_ms(wh), 0);
	assert_int_equal(web_webhook_run(wh), 0);
	assert_int_equal(Q.nsent, 2);
	sent_is(0, "rqA:1");
	sent_is(1, "rqB:1");
	web_webhook_stats_get(wh, &st);
	assert_int_equal(st.queued, 4);
	assert_int_equal(st.inflight, 2);
	assert_int_equal(st.requests, 2);
	/* nothing else may start while rqA:1 is out */
	assert_int_equal(web_webhook_timeout_ms(wh), -1);

	Q.rnd = 1000;           /* the first retry's whole range: 0..1000 */
	complete(0, 0, 500);
	assert_int_equal(Q.nres, 1);
	assert_string_equal(Q.res[0].request_id, "rqA");
	assert_int_equal(Q.res[0].seq, 1);
	assert_int_equal(Q.res[0].state, WEB_WEBHOOK_RETRY);
	assert_int_equal(Q.res[0].attempt, 1);
	assert_int_equal(Q.res[0].status, 500);
	assert_int_equal(Q.res[0].next_at, Q.now + 1000);
	assert_int_equal(web_webhook_timeout_ms(wh), 1000);
	assert_int_equal(web_webhook_run(wh), 0);
	assert_int_equal(Q.nsent, 2);           /* rqA:2 does not jump ahead */

	complete(1, 0, 204);
	assert_int_equal(Q.res[1].state, WEB_WEBHOOK_DELIVERED);
	assert_string_equal(Q.res[1].request_id, "rqB");

	Q.now += 999;
	assert_int_equal(web_webhook_timeout_ms(wh), 1);
	assert_int_equal(web_webhook_run(wh), 0);
	assert_int_equal(Q.nsent, 2);
	Q.now += 1;
	assert_int_equal(web_webhook_run(wh), 0);
	assert_int_equal(Q.nsent, 3);
	sent_is(2, "rqA:1");
	Q.rnd = 2000 + 2001 * 7;        /* reduced to 0..2000: 2000 */
	complete(2, ECONNREFUSED, 0);
	assert_int_equal(Q.res[2].state, WEB_WEBHOOK_RETRY);
	assert_int_equal(Q.res[2].attempt, 2);
	assert_int_equal(Q.res[2].err, ECONNREFUSED);
	assert_int_equal(Q.res[2].next_at, Q.now + 2000);
	Q.now = Q.res[2].next_at;
	web_webhook_run(wh);
	sent_is(3, "rqA:1");
	complete(3, 0, 200);
	assert_int_equal(Q.res[3].state, WEB_WEBHOOK_DELIVERED);
	assert_int_equal(Q.res[3].attempt, 3);
	/* now rqA:2, at once, then rqA:3 */
	assert_int_equal(web_webhook_timeout_ms(wh), 0);
	web_webhook_run(wh);
	assert_int_equal(Q.nsent, 5);
	sent_is(4, "rqA:2");
	complete(4, 0, 200);
	web_webhook_run(wh);
	sent_is(5, "rqA:3");
	complete(5, 0, 299);
	assert_int_equal(Q.nres, 6);
	web_webhook_stats_get(wh, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.requests, 0);
	assert_int_equal(st.inflight, 0);
	assert_int_equal(st.delivered, 4);
	assert_int_equal(st.retried, 2);
	assert_int_equal(st.attempts, 6);
	assert_int_equal(web_webhook_timeout_ms(wh), -1);
	web_webhook_free(wh);
}

/* A finally failed delivery lets the next one go. */
static void test_queue_final_failure(void **state)
{
	struct web_webhook *wh;
	unsigned i;

	(void)state;
	wh = queue_new(3, 16);
	Q.rnd = 0;              /* retries are due at once */
	assert_int_equal(push(wh, "rqA", 1), 0);
	assert_int_equal(push(wh, "rqA", 2), 0);
	for (i = 0; i < 3; i++) {
		web_webhook_run(wh);
		sent_is(i, "rqA:1");
		complete(i, 0, i == 2 ? 404 : 503);
	}
	assert_int_equal(Q.res[0].state, WEB_WEBHOOK_RETRY);
	assert_int_equal(Q.res[1].state, WEB_WEBHOOK_RETRY);
	assert_int_equal(Q.res[2].state, WEB_WEBHOOK_FAILED);
	assert_int_equal(Q.res[2].attempt, 3);
	assert_int_equal(Q.res[2].status, 404);
	web_webhook_run(wh);
	sent_is(3, "rqA:2");
	/* a pushed attempt count is honoured: one more attempt at least */
	assert_int_equal(push(wh, "rqB", 9), 0);
	wh = Q.wh;
	complete(3, 0, 201);
	web_webhook_free(wh);
}

static void test_queue_pushed_attempts(void **state)
{
	struct web_webhook_dlv d;
	struct web_webhook *wh;

	(void)state;
	wh = queue_new(3, 16);
	memset(&d, 0, sizeof(d));
	d.request_id = "rqA";
	d.seq = 4;
	d.url = "http://hooks.example.com/";
	d.secret = "k";
	d.secret_len = 1;
	d.body = "{}";
	d.len = 2;
	d.attempt = 5;          /* more than attempts: still tried once */
	d.next_at = Q.now + 5000;
	assert_int_equal(web_webhook_push(wh, &d), 0);
	assert_int_equal(web_webhook_timeout_ms(wh), 5000);
	web_webhook_run(wh);
	assert_int_equal(Q.nsent, 0);
	Q.now += 5000;
	web_webhook_run(wh);
	assert_int_equal(Q.nsent, 1);
	assert_string_equal(Q.sent[0].url, "http://hooks.example.com/");
	assert_string_equal(Q.sent[0].body, "{}");
	complete(0, ETIMEDOUT, 0);
	assert_int_equal(Q.res[0].state, WEB_WEBHOOK_FAILED);
	assert_int_equal(Q.res[0].attempt, 6);
	web_webhook_free(wh);
}

/* Every attempt is signed with its own send time and verifies. */
static void test_queue_resign(void **state)
{
	struct web_webhook *wh;
	unsigned i;

	(void)state;
	wh = queue_new(8, 16);
	assert_int_equal(push(wh, "rqA", 1), 0);
	for (i = 0; i < 3; i++) {
		char want[40];

		web_webhook_run(wh);
		assert_int_equal(Q.nsent, i + 1);
		snprintf(want, sizeof(want), "t=%lld,",
			 (long long)(Q.now / 1000));
		assert_true(!strncmp(Q.sent[i].sig, want, strlen(want)));
		assert_int_equal(web_webhook_verify(Q.sent[i].sig,
						    strlen(Q.sent[i].sig),
						    "sekrit", 6, Q.sent[i].body,
						    Q.sent[i].len,
						    Q.now / 1000, 300), 0);
		complete(i, 0, 502);
		Q.now = Q.res[i].next_at + 123456;
	}
	assert_string_not_equal(Q.sent[0].sig, Q.sent[1].sig);
	web_webhook_free(wh);
}

static void test_queue_inflight_cap(void **state)
{
	struct web_webhook *wh;
	char id[16];
	unsigned i;

	(void)state;
	wh = queue_new(8, 2);
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "rq%u", i);
		assert_int_equal(push(wh, id, 1), 0);
	}
	web_webhook_run(wh);
	assert_int_equal(Q.nsent, 2);
	assert_int_equal(web_webhook_timeout_ms(wh), -1);
	complete(1, 0, 200);
	assert_int_equal(web_webhook_timeout_ms(wh), 0);
	web_webhook_run(wh);
	assert_int_equal(Q.nsent, 3);
	/* push order is kept among equally due requests */
	sent_is(0, "rq0:1");
	sent_is(1, "rq1:1");
	sent_is(2, "rq2:1");
	web_webhook_free(wh);          /* two in flight: cancelled */
	assert_int_equal(Q.ncancel, 2);
	assert_int_equal(Q.nres, 1);
}

static void test_queue_dup_and_drop(void **state)
{
	struct web_webhook_stats st;
	struct web_webhook *wh;

	(void)state;
	wh = queue_new(8, 16);
	assert_int_equal(push(wh, "rqA", 1), 0);
	assert_int_equal(push(wh, "rqA", 1), EALREADY);
	assert_int_equal(push(wh, "rqA", 2), 0);
	assert_int_equal(push(wh, "rqB", 1), 0);
	web_webhook_run(wh);
	assert_int_equal(Q.nsent, 2);
	assert_int_equal(push(wh, "rqA", 1), EALREADY);   /* in flight */
	assert_int_equal(web_webhook_drop(wh, "rqA"), 0);
	assert_int_equal(Q.ncancel, 1);
	assert_int_equal(Q.cancelled[0], Q.sent[0].id);
	assert_int_equal(web_webhook_drop(wh, "rqA"), ENOENT);
	assert_int_equal(web_webhook_drop(wh, NULL), ENOENT);
	web_webhook_stats_get(wh, &st);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.inflight, 1);
	assert_int_equal(st.requests, 1);
	complete(1, 0, 200);
	/* delivered: the same event may be pushed again (at least once) */
	assert_int_equal(push(wh, "rqB", 1), 0);
	assert_int_equal(Q.nres, 1);
	web_webhook_free(wh);
}

/* A lower seq pushed late goes before the rest (store refill order). */
static void test_queue_late_lower_seq(void **state)
{
	struct web_webhook *wh;

	(void)state;
	wh = queue_new(8, 16);
	Q.now += 10;
	assert_int_equal(push(wh, "rqA", 5), 0);
	assert_int_equal(push(wh, "rqA", 3), 0);
	assert_int_equal(push(wh, "rqA", 4), 0);
	web_webhook_run(wh);
	sent_is(0, "rqA:3");
	complete(0, 0, 200);
	web_webhook_run(wh);
	sent_is(1, "rqA:4");
	complete(1, 0, 200);
	web_webhook_run(wh);
	sent_is(2, "rqA:5");
	complete(2, 0, 200);
	web_webhook_free(wh);
}

static void test_queue_sync_errors(void **state)
{
	struct web_webhook *wh;

	(void)state;
	wh = queue_new(3, 16);
	Q.rnd = 0;
	assert_int_equal(push(wh, "rqA", 1), 0);
	assert_int_equal(push(wh, "rqA", 2), 0);
	Q.send_err = EACCES;    /* a literal the policy refuses: final */
	web_webhook_run(wh);
	assert_int_equal(Q.nres, 2);
	assert_int_equal(Q.res[0].state, WEB_WEBHOOK_FAILED);
	assert_int_equal(Q.res[0].attempt, 1);
	assert_int_equal(Q.res[0].err, EACCES);
	assert_int_equal(Q.res[1].seq, 2);
	assert_int_equal(Q.res[1].state, WEB_WEBHOOK_FAILED);
	assert_int_equal(push(wh, "rqB", 1), 0);
	Q.send_err = ENOMEM;    /* passing: retried, then given up */
	web_webhook_run(wh);
	assert_int_equal(Q.nres, 5);
	assert_int_equal(Q.res[2].state, WEB_WEBHOOK_RETRY);
	assert_int_equal(Q.res[3].state, WEB_WEBHOOK_RETRY);
	assert_int_equal(Q.res[4].state, WEB_WEBHOOK_FAILED);
	assert_int_equal(Q.res[4].attempt, 3);
	web_webhook_free(wh);
}

static void test_queue_bad_input(void **state)
{
	struct web_webhook_conf c;
	struct web_webhook_dlv d;
	struct web_webhook *wh;

	(void)state;
	wh = queue_new(8, 16);
	memset(&d, 0, sizeof(d));
	d.request_id = "rqA";
	d.seq = 1;
	d.url = "https://example.com/";
	d.secret = "k";
	d.secret_len = 1;
	d.body = "{}";
	d.len = 2;
	assert_int_equal(web_webhook_push(wh, &d), 0);
	d.seq = 2;
	d.request_id = "rq A";
	assert_int_equal(web_webhook_push(wh, &d), EINVAL);
	d.request_id = "rqA";
	d.url = "ftp://example.com/";
	assert_int_equal(web_webhook_push(wh, &d), EINVAL);
	d.url = "https://u:p@example.com/";
	assert_int_equal(web_webhook_push(wh, &d), EINVAL);
	d.url = "https://example.com/";
	d.secret_len = 0;
	assert_int_equal(web_webhook_push(wh, &d), EINVAL);
	d.secret_len = 1;
	d.len = 0;
	assert_int_equal(web_webhook_push(wh, &d), EINVAL);
	d.len = WEB_WEBHOOK_BODY_MAX + 1;
	assert_int_equal(web_webhook_push(wh, &d), EINVAL);
	assert_int_equal(web_webhook_push(wh, NULL), EINVAL);
	web_webhook_free(wh);

	web_webhook_conf_init(&c);
	assert_int_equal(web_webhook_alloc(&wh, &c, on_result, NULL), EINVAL);
	c.send = fake_send;
	assert_int_equal(web_webhook_alloc(&wh, &c, on_result, NULL), EINVAL);
	c.cancel = fake_cancel;
	c.attempts = 0;
	assert_int_equal(web_webhook_alloc(&wh, &c, on_result, NULL), EINVAL);
	c.attempts = 3;
	c.max_delay_ms = c.base_ms - 1;
	assert_int_equal(web_webhook_alloc(&wh, &c, on_result, NULL), EINVAL);
	c.max_delay_ms = c.base_ms;
	c.user_agent = "a\nb";
	assert_int_equal(web_webhook_alloc(&wh, &c, on_result, NULL), EINVAL);
	c.user_agent = NULL;
	assert_int_equal(web_webhook_alloc(&wh, &c, NULL, NULL), EINVAL);
	assert_int_equal(web_webhook_alloc(&wh, &c, on_result, NULL), 0);
	web_webhook_free(wh);
	web_webhook_free(NULL);
}

/* The handler may push and drop from inside a result. */
static void reentry_hook(const struct web_webhook_result *r)
{
	if (r->seq == 1 && !strcmp(r->request_id, "rqA")) {
		assert_int_equal(push(Q.wh, "rqA", 2), 0);
		assert_int_equal(web_webhook_drop(Q.wh, "rqB"), 0);
		assert_int_equal(push(Q.wh, "rqC", 1), 0);
	}
}

static void test_queue_reentry(void **state)
{
	struct web_webhook *wh;

	(void)state;
	wh = queue_new(8, 16);
	Q.hook = reentry_hook;
	assert_int_equal(push(wh, "rqA", 1), 0);
	assert_int_equal(push(wh, "rqB", 1), 0);
	web_webhook_run(wh);
	assert_int_equal(Q.nsent, 2);
	complete(0, 0, 200);   /* rqA gone, rqA:2 pushed, rqB dropped */
	assert_int_equal(Q.ncancel, 1);
	web_webhook_run(wh);
	assert_int_equal(Q.nsent, 4);
	sent_is(2, "rqA:2");
	sent_is(3, "rqC:1");
	complete(2, 0, 200);
	complete(3, 0, 200);
	assert_int_equal(Q.nres, 3);
	web_webhook_free(wh);
}

/* Many requests, random outcomes: each request's seqs end in order. */
static void test_queue_many(void **state)
{
	enum { REQS = 300, SEQS = 4 };
	static unsigned last[REQS];
	struct web_webhook_stats st;
	struct web_webhook *wh;
	uint64_t seed = 12345;
	char id[16];
	unsigned i, s, rounds = 0;

	(void)state;
	wh = queue_new(4, 50);
	memset(last, 0, sizeof(last));
	for (s = 1; s <= SEQS; s++) {
		for (i = 0; i < REQS; i++) {
			snprintf(id, sizeof(id), "rq%u", i);
			assert_int_equal(push(wh, id, s), 0);
		}
	}
	for (;;) {
		web_webhook_stats_get(wh, &st);
		if (!st.queued)
			break;
		assert_true(++rounds < 100000);
		Q.rnd = xorshift(&seed);
		web_webhook_run(wh);
		for (i = 0; i < Q.nsent; i++) {
			if (!Q.sent[i].open)
				continue;
			complete(i, 0, xorshift(&seed) % 3 ? 200 : 500);
		}
		Q.nsent = 0;    /* the fake's log restarts each round */
		Q.now += 500;
		for (i = 0; i < Q.nres; i++) {
			unsigned r = (unsigned)strtoul(Q.res[i].request_id + 2,
						       NULL, 10);

			if (Q.res[i].state == WEB_WEBHOOK_RETRY) {
				assert_int_equal(Q.res[i].seq, last[r] + 1);
				continue;
			}
			assert_int_equal(Q.res[i].seq, last[r] + 1);
			last[r] = (unsigned)Q.res[i].seq;
		}
		Q.nres = 0;
	}
	for (i = 0; i < REQS; i++)
		assert_int_equal(last[i], SEQS);
	web_webhook_stats_get(wh, &st);
	assert_int_equal(st.delivered + st.failed, REQS * SEQS);
	assert_int_equal(st.requests, 0);
	web_webhook_free(wh);
}

/* Allocation failure anywhere in push: ENOMEM, nothing left behind. */
static void test_queue_oom(void **state)
{
	unsigned long k;
	bool done = false;

	(void)state;
	for (k = 1; !done && k < 200; k++) {
		struct web_webhook *wh = NULL;
		struct web_webhook_conf c;
		long live = alloc_live();
		unsigned long failed = alloc_failed();
		int err;

		memset(&Q, 0, sizeof(Q));
		web_webhook_conf_init(&c);
		c.send = fake_send;
		c.cancel = fake_cancel;
		c.clock = fake_clock;
		c.rand = fake_rand;
		alloc_fail_at(k);
		err = web_webhook_alloc(&wh, &c, on_result, NULL);
		Q.wh = wh;
		if (!err)
			err = push(wh, "rqA", 1);
		if (!err)
			err = push(wh, "rqA", 2);
		if (!err)
			err = push(wh, "rqB", 1);
		if (!err) {
			web_webhook_run(wh);
			complete(0, 0, 200);
			web_webhook_run(wh);
		}
		done = alloc_failed() == failed;
		alloc_fail_at(0);
		assert_true(err == 0 || err == ENOMEM);
		assert_true(err == 0 || !done);
		web_webhook_free(wh);
		assert_int_equal(alloc_live(), live);
	}
	assert_true(done);
	assert_true(k > 10);    /* every allocation of the scenario failed once */
}

/* ---- over the wire ---- */

static struct wsrv {
	pthread_t th;
	int lfd;
	uint16_t port;
	char req[8192];
	size_t len;
	bool got;
} W;

static void *wsrv_main(void *arg)
{
	static const char reply[] = "HTTP/1.1 204 No Content\r\n"
		"Connection: close\r\n\r\n";
	int fd;

	(void)arg;
	fd = accept(W.lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	for (;;) {
		const char *end, *cl;
		ssize_t r = recv(fd, W.req + W.len, sizeof(W.req) - 1 - W.len, 0);

		if (r <= 0)
			break;
		W.len += (size_t)r;
		W.req[W.len] = '\0';
		end = strstr(W.req, "\r\n\r\n");
		cl = strcasestr(W.req, "\r\nContent-Length: ");
		if (end && cl && W.len >= (size_t)(end - W.req) + 4 +
		    strtoul(cl + 18, NULL, 10)) {
			W.got = true;
			send(fd, reply, sizeof(reply) - 1, MSG_NOSIGNAL);
			break;
		}
	}
	close(fd);
	return NULL;
}

static const char *req_header(const char *name, char *out, size_t size)
{
	const char *p = strcasestr(W.req, name), *e;

	if (!p)
		return NULL;
	p += strlen(name);
	e = strstr(p, "\r\n");
	snprintf(out, size, "%.*s", (int)(e - p), p);
	return out;
}

static void test_wire(void **state)
{
	struct web_webhook_conf wc;
	struct web_fetch_conf fc;
	struct web_urlsafe_allow al;
	struct web_webhook_dlv d;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct web_fetch *f;
	struct web_webhook *wh;
	char url[64], sig[160], ev[64], ct[64], ua[64];
	const char *body;
	struct timespec ts;
	int64_t end;
	int one = 1;

	(void)state;
	memset(&W, 0, sizeof(W));
	W.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(W.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_int_equal(bind(W.lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(W.lfd, 4), 0);
	getsockname(W.lfd, (struct sockaddr *)&sin, &sl);
	W.port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&W.th, NULL, wsrv_main, NULL), 0);

	web_urlsafe_allow_init(&al);
	assert_int_equal(web_urlsafe_allow_parse(&al, "127.0.0.0/8", 11, NULL),
			 0);
	web_fetch_conf_init(&fc);
	fc.allow = &al;
	fc.timeout_ms = 5000;
	assert_int_equal(web_fetch_alloc(&f, &fc), 0);
	memset(&Q, 0, sizeof(Q));
	web_webhook_conf_init(&wc);
	wc.fetch = f;
	assert_int_equal(web_webhook_alloc(&wh, &wc, on_result, NULL), 0);

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hooks/pint", W.port);
	memset(&d, 0, sizeof(d));
	d.request_id = "rq_5Jm0x8YtQ2Kb7Cq1";
	d.seq = 3;
	d.url = url;
	d.secret = DOC_SECRET;
	d.secret_len = 17;
	d.body = DOC_BODY;
	d.len = strlen(DOC_BODY);
	assert_int_equal(web_webhook_push(wh, &d), 0);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 5000;
	while (Q.nres == 0) {
		struct pollfd pf = {.fd = web_fetch_fd(f), .events = POLLIN};

		clock_gettime(CLOCK_MONOTONIC, &ts);
		assert_true(ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < end);
		web_webhook_run(wh);
		poll(&pf, 1, 20);
		assert_int_equal(web_fetch_run(f), 0);
	}
	pthread_join(W.th, NULL);
	close(W.lfd);
	assert_int_equal(Q.res[0].state, WEB_WEBHOOK_DELIVERED);
	assert_int_equal(Q.res[0].status, 204);
	assert_true(W.got);

	/* what a receiver sees, checked as docs/webhooks.md says */
	assert_true(!strncmp(W.req, "POST /hooks/pint HTTP/1.1\r\n", 27));
	assert_non_null(req_header("\r\nPintgw-Signature: ", sig, sizeof(sig)));
	assert_non_null(req_header("\r\nPintgw-Event-Id: ", ev, sizeof(ev)));
	assert_non_null(req_header("\r\nContent-Type: ", ct, sizeof(ct)));
	assert_non_null(req_header("\r\nUser-Agent: ", ua, sizeof(ua)));
	assert_string_equal(ev, "rq_5Jm0x8YtQ2Kb7Cq1:3");
	assert_string_equal(ct, "application/json");
	assert_string_equal(ua, WEB_WEBHOOK_UA);
	body = strstr(W.req, "\r\n\r\n") + 4;
	assert_string_equal(body, DOC_BODY);
	clock_gettime(CLOCK_REALTIME, &ts);
	assert_int_equal(web_webhook_verify(sig, strlen(sig), DOC_SECRET, 17,
					    body, strlen(body), ts.tv_sec,
					    WEB_WEBHOOK_TOLERANCE_S), 0);
	web_webhook_free(wh);
	web_fetch_free(f);
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
		leakcheck_test(test_sign_kat),
		leakcheck_test(test_sign_errors),
		leakcheck_test(test_verify),
		leakcheck_test(test_payload),
		leakcheck_test(test_headers),
		leakcheck_test(test_delay_bounds),
		leakcheck_test(test_queue_order),
		leakcheck_test(test_queue_final_failure),
		leakcheck_test(test_queue_pushed_attempts),
		leakcheck_test(test_queue_resign),
		leakcheck_test(test_queue_inflight_cap),
		leakcheck_test(test_queue_dup_and_drop),
		leakcheck_test(test_queue_late_lower_seq),
		leakcheck_test(test_queue_sync_errors),
		leakcheck_test(test_queue_bad_input),
		leakcheck_test(test_queue_reentry),
		leakcheck_test(test_queue_many),
		leakcheck_test(test_queue_oom),
		leakcheck_test(test_wire),
	};
	int rc;

	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, __wrap_malloc,
				 __wrap_free, __wrap_realloc, count_strdup,
				 __wrap_calloc) != CURLE_OK)
		return 99;
	rc = cmocka_run_group_tests_name("web_webhook", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
