/*
 * tests/web/test_resource_req_jansson.c — the normalised request
 * (web_resource_req_encode, the stored spec and ?dry_run) and its
 * webhook member (web_resource_req_webhook) are written straight to
 * text; each is held against the same content built as a jansson tree
 * and dumped by json_dumps(JSON_COMPACT), the oracle. Two sources of
 * requests: structs filled directly (hostile and broken text, every
 * content source and a bad one, counts past the limits, extreme numbers
 * and times, absent fields), and bodies web_req_parse() took (every
 * service, content inline, by url and fetched, webhooks, schedules).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/fakes/oracle.h"
#include "web/json.h"
#include "web/req.h"
#include "web/resource.h"

#define ROUNDS 3000u

/* ---- the oracle: the request as a jansson tree ---- */

/* s as a jansson string, cleaned as web_json_set_str() cleans it. */
static json_t *o_string(const char *s)
{
	json_t *obj = json_object(), *v;

	assert_int_equal(web_json_set_str(obj, "s", s), 0);
	v = json_incref(json_object_get(obj, "s"));
	json_decref(obj);
	return v;
}

static int o_item(json_t *arr, const struct web_req_content *ct)
{
	json_t *it = json_object();
	char *b64 = NULL;
	int err;

	assert_int_equal(json_array_append_new(arr, it), 0);
	assert_int_equal(web_json_set_str(it, "type", ct->type), 0);
	switch (ct->src) {
	case WEB_REQ_TEXT:
		return web_json_set_str(it, "text", ct->body);
	case WEB_REQ_DATA:
		err = web_json_b64_encode(&b64, NULL, ct->body, ct->len);
		if (!err)
			err = web_json_set_str(it, "data", b64);
		free(b64);
		return err;
	case WEB_REQ_URL:
		err = web_json_set_str(it, "url", ct->body);
		return err ? err : web_json_set_new(it, "fetch", json_boolean(ct->fetch));
	}
	return EINVAL;
}

static json_t *o_webhook(const struct web_req *req)
{
	static const char *const names[WEB_STATUS_COUNT] = {
		NULL, "queued", "sending", "proceeding", "accepted", "active",
		"completed", "failed", "canceled", "expired",
	};
	json_t *wh = json_object(), *ev = json_array();
	unsigned s;

	assert_int_equal(web_json_set_str(wh, "url", req->webhook_url), 0);
	assert_int_equal(json_object_set_new(wh, "events", ev), 0);
	if (req->webhook_events == WEB_REQ_EVENTS_ALL)
		assert_int_equal(json_array_append_new(ev, json_string("*")), 0);
	else
		for (s = 1; s < WEB_STATUS_COUNT; s++)
			if (req->webhook_events & WEB_REQ_EVENT_BIT(s))
				assert_int_equal(json_array_append_new(ev, json_string(names[s])), 0);
	return wh;
}

static void o_opt(json_t *obj, const char *key, const char *s)
{
	if (s[0])
		assert_int_equal(web_json_set_str(obj, key, s), 0);
}

/* The tree gateway/spec.c and ?dry_run built and dumped; NULL on err. */
static int o_req(json_t **objp, const struct web_req *req)
{
	json_t *obj, *arr;
	size_t i;
	int err = 0;

	*objp = NULL;
	if (req->content_count > WEB_REQ_CONTENT_MAX ||
	    req->require_count > WEB_REQ_REQUIRE_MAX)
		return EINVAL;
	obj = json_object();
	assert_int_equal(web_json_set_str(obj, "service", req->service), 0);
	assert_int_equal(web_json_set_str(obj, "to", req->to), 0);
	o_opt(obj, "from", req->from);
	o_opt(obj, "phone_context", req->phone_context);
	if (req->content_count) {
		arr = json_array();
		assert_int_equal(json_object_set_new(obj, "content", arr), 0);
		for (i = 0; !err && i < req->content_count; i++)
			err = o_item(arr, &req->content[i]);
	}
	o_opt(obj, "language", req->language);
	if (req->has_clir)
		assert_int_equal(json_object_set_new(obj, "clir", json_boolean(req->clir)), 0);
	if (req->require_count) {
		arr = json_array();
		assert_int_equal(json_object_set_new(obj, "require", arr), 0);
		for (i = 0; i < req->require_count; i++)
			assert_int_equal(json_array_append_new(arr, o_string(req->require[i])), 0);
	}
	if (!err && req->has_start_at)
		err = web_json_set_time(obj, "start_at", req->start_at);
	if (!err && req->has_stop_at)
		err = web_json_set_time(obj, "stop_at", req->stop_at);
	if (req->has_ring_timeout)
		assert_int_equal(json_object_set_new(obj, "ring_timeout",
						     json_integer(req->ring_timeout)), 0);
	assert_int_equal(json_object_set_new(obj, "track", json_boolean(req->track)), 0);
	if (req->has_webhook)
		assert_int_equal(json_object_set_new(obj, "webhook", o_webhook(req)), 0);
	if (req->has_client_state)
		assert_int_equal(web_json_set_str(obj, "client_state", req->client_state), 0);
	o_opt(obj, "gateway", req->gateway);
	if (err)
		json_decref(obj);
	else
		*objp = obj;
	return err;
}

static char *o_dump(const json_t *v)
{
	char *out = NULL;

	assert_int_equal(web_json_dump(&out, NULL, v, JSON_COMPACT), 0);
	return out;
}

/*
 * req written by both: the same error or the same text, which parses
 * and which jansson writes again unchanged (?dry_run splices it into a
 * jansson dump; hooks and recovery load it); its webhook alone too.
 */
static void same(const struct web_req *req)
{
	char *got = NULL, *want, *again;
	json_t *obj = NULL, *back;
	size_t len = 0;
	int err, want_err;

	err = web_resource_req_encode(&got, &len, req);
	want_err = o_req(&obj, req);
	assert_int_equal(err, want_err);
	if (err) {
		assert_null(got);
		return;
	}
	want = o_dump(obj);
	back = json_loads(want, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(back);
	again = o_dump(back);
	assert_string_equal(again, want);
	free(again);
	json_decref(back);
	assert_int_equal(len, strlen(got));
	test_same_json(got, want);

	if (req->has_webhook) {
		got = NULL;
		assert_int_equal(web_resource_req_webhook(&got, &len, req), 0);
		assert_int_equal(len, strlen(got));
		test_same_json(got, o_dump(json_object_get(obj, "webhook")));
	}
	json_decref(obj);
}

/* ---- requests filled directly ---- */

/* the same inputs on every run */
static uint64_t seed = 0x6a09e667f3bcc909ULL;

static uint64_t rnd(void)
{
	return test_rand(&seed);
}

static bool one_in(unsigned n)
{
	return test_one_in(&seed, n);
}

/* Fields here are strings: "" for an absent one. */
static const char *text(void)
{
	const char *s = test_text(&seed);

	return s ? s : "";
}

/* dst (size bytes) gets a text, cut to fit (possibly mid-character). */
static void fill(char *dst, size_t size)
{
	snprintf(dst, size, "%s", text());
}

/* One item of any source (now and then none that exists): owned body. */
static void item(struct web_req_content *ct)
{
	const char *s;
	size_t i;

	fill(ct->type, sizeof(ct->type));
	ct->src = (enum web_req_src)(1 + rnd() % 3);
	if (one_in(100))
		ct->src = one_in(2) ? 0 : WEB_REQ_URL + 1;
	ct->fetch = one_in(2);
	if (ct->src == WEB_REQ_DATA) {
		ct->len = rnd() % 300;
		ct->body = malloc(ct->len + 1);
		assert_non_null(ct->body);
		for (i = 0; i < ct->len; i++)
			ct->body[i] = (char)rnd();
		ct->body[ct->len] = '\0';
	} else {
		s = text();
		ct->len = strlen(s);
		ct->body = malloc(ct->len + 1);
		assert_non_null(ct->body);
		memcpy(ct->body, s, ct->len + 1);
	}
}

static void random_req(struct web_req *req)
{
	size_t i;

	memset(req, 0, sizeof(*req));
	fill(req->service, sizeof(req->service));
	fill(req->to, sizeof(req->to));
	fill(req->from, sizeof(req->from));
	fill(req->phone_context, sizeof(req->phone_context));
	req->content_count = rnd() % (WEB_REQ_CONTENT_MAX + 1);
	for (i = 0; i < req->content_count; i++)
		item(&req->content[i]);
	fill(req->language, sizeof(req->language));
	req->has_clir = one_in(2);
	req->clir = one_in(2);
	req->require_count = rnd() % (WEB_REQ_REQUIRE_MAX + 1);
	for (i = 0; i < req->require_count; i++)
		fill(req->require[i], sizeof(req->require[i]));
	req->has_start_at = one_in(2);
	req->start_at = test_when(&seed);
	req->has_stop_at = one_in(2);
	req->stop_at = test_when(&seed);
	req->has_ring_timeout = one_in(2);
	req->ring_timeout = one_in(4) ? UINT_MAX : (unsigned)rnd();
	req->track = one_in(2);
	req->has_webhook = one_in(2);
	fill(req->webhook_url, sizeof(req->webhook_url));
	req->webhook_events = one_in(3) ? WEB_REQ_EVENTS_ALL : (uint32_t)rnd();
	req->has_client_state = one_in(2);
	fill(req->client_state, sizeof(req->client_state));
	fill(req->gateway, sizeof(req->gateway));
}

static void test_filled_vs_jansson(void **state)
{
	struct web_req req;
	size_t content_count;
	unsigned n;

	(void)state;
	for (n = 0; n < ROUNDS; n++) {
		random_req(&req);
		same(&req);
		/* past the limits: EINVAL before anything is written */
		content_count = req.content_count;
		if (one_in(20)) {
			req.content_count = WEB_REQ_CONTENT_MAX + 1;
			same(&req);
			req.content_count = content_count;
		}
		if (one_in(20)) {
			req.require_count = WEB_REQ_REQUIRE_MAX + 1;
			same(&req);
		}
		web_req_reset(&req);
	}
}

/* ---- bodies web_req_parse() took ---- */

static char long_text[3000];    /* valid UTF-8 */

static void add(json_t *obj, const char *key, json_t *v)
{
	assert_int_equal(json_object_set_new(obj, key, v), 0);
}

/* Text a client may send (valid UTF-8, escapes of every kind). */
static const char *client_text(void)
{
	static const char *const pool[] = {
		"order-4711", "", "q\"uo\\te/slash", "line\nbreak\r\t\b\f",
		"\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x98\x8e \xf0\x9f\x98\x80",
		"\xc2\x80\xc2\x9f", "\xef\xbb\xbf BOM", "</script><!--",
	};

	return pool[rnd() % (sizeof(pool) / sizeof(pool[0]))];
}

static json_t *body_item(void)
{
	static const char *const types[] = {
		"text/plain", "image/tiff", "application/pdf", "Audio/Basic",
	};
	static const char *const urls[] = {
		"https://example.com/q.pdf", "http://example.com:8080/a/b?c=d&e=%20",
		"https://example.com/caf%C3%A9.txt#frag",
	};
	static const char *const data[] = {"", "aGk=", "AAECAw==", "SUkqAAgAAAABAQID", "/+8="};
	json_t *it = json_object();

	add(it, "type", json_string(types[rnd() % 4]));
	switch (rnd() % 3) {
	case 0:
		add(it, "text", json_string(one_in(4) ? long_text : client_text()));
		break;
	case 1:
		add(it, "data", json_string(data[rnd() % 5]));
		break;
	default:
		add(it, "url", json_string(urls[rnd() % 3]));
		if (one_in(2))
			add(it, "fetch", json_boolean(one_in(2)));
		break;
	}
	return it;
}

static json_t *body_webhook(void)
{
	static const char *const events[] = {
		"*", "queued", "sending", "proceeding", "accepted", "active",
		"completed", "failed", "canceled", "expired",
	};
	json_t *wh = json_object(), *ev;
	unsigned i, n;

	add(wh, "url", json_string("https://hooks.example.com/pint?x=%221%22&y=/"));
	if (one_in(3))
		return wh;
	ev = json_array();
	for (i = 0, n = 1 + (unsigned)(rnd() % 4); i < n; i++)
		assert_int_equal(json_array_append_new(ev, json_string(events[rnd() % 10])), 0);
	add(wh, "events", ev);
	return wh;
}

/* A body every service and option may appear in, valid for web/req. */
static json_t *random_body(void)
{
	static const char *const services[] = {"call", "fax", "content", "faxback", "page"};
	static const char *const times[] = {
		"2030-01-01T10:00:00Z", "2030-01-01T10:00:00.5+05:30",
		"0000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z",
	};
	const char *service = services[rnd() % 5];
	json_t *body = json_object(), *arr;
	unsigned i, n;

	add(body, "service", json_string(service));
	add(body, "to", json_string(one_in(2) ? "+1 555 555 0199" : "020 7946 0018"));
	if (one_in(2))
		add(body, "from", json_string("+44 20 7946 0018"));
	if (one_in(3))
		add(body, "phone_context", json_string(one_in(2) ? "+44" : "example.com"));
	if (strcmp(service, "call") && (one_in(4) || !strcmp(service, "fax") ||
					!strcmp(service, "content"))) {
		arr = json_array();
		for (i = 0, n = 1 + (unsigned)(rnd() % WEB_REQ_CONTENT_MAX); i < n; i++)
			assert_int_equal(json_array_append_new(arr, body_item()), 0);
		add(body, "content", arr);
	}
	if (one_in(2))
		add(body, "language", json_string(one_in(2) ? "en" : "de-CH"));
	if (one_in(2))
		add(body, "clir", json_boolean(one_in(2)));
	if (one_in(2)) {
		arr = json_array();
		for (i = 0, n = (unsigned)(rnd() % 4); i < n; i++)
			assert_int_equal(json_array_append_new(arr, json_string("x-feature")), 0);
		add(body, "require", arr);
	}
	if (one_in(2))
		add(body, "start_at", json_string(times[rnd() % 4]));
	if (one_in(4))
		add(body, "stop_at", json_string("9999-12-31T23:59:59.999Z"));
	if (one_in(2))
		add(body, "ring_timeout", json_integer(one_in(2) ? WEB_REQ_RING_MIN : WEB_REQ_RING_MAX));
	if (one_in(2))
		add(body, "track", json_boolean(one_in(2)));
	if (one_in(2))
		add(body, "webhook", body_webhook());
	if (one_in(2))
		add(body, "client_state", json_string(client_text()));
	if (one_in(3))
		add(body, "gateway", json_string("pint-east"));
	return body;
}

static void test_parsed_vs_jansson(void **state)
{
	struct web_json_err e;
	struct web_req req;
	json_t *body;
	char *text;
	unsigned n;

	(void)state;
	for (n = 0; n < ROUNDS; n++) {
		body = random_body();
		text = NULL;
		assert_int_equal(web_json_dump(&text, NULL, body, n % 2 ? JSON_COMPACT : 0), 0);
		json_decref(body);
		if (web_req_parse(&req, text, strlen(text), &e))
			fail_msg("%s: %s", e.message, text);
		same(&req);
		web_req_reset(&req);
		free(text);
	}
}

static int setup(void **state)
{
	test_escaped_text(long_text, sizeof(long_text));
	return alloc_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_filled_vs_jansson, setup, alloc_teardown),
		cmocka_unit_test_setup_teardown(test_parsed_vs_jansson, setup, alloc_teardown),
	};

	return cmocka_run_group_tests_name("web_resource_req_jansson", tests, NULL, NULL);
}
