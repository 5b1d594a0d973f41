/*
 * tests/web/test_req.c — web/req.c: POST /v1/requests and /v1/click body
 * validation (fixture table tests/data/web/), normalisation, round trips
 * through web_resource_req_encode(), hostile bodies built in memory, query
 * parameters, and allocation failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "web/json.h"
#include "web/req.h"
#include "web/resource.h"

struct outcome {
	const char *file;
	int status;             /* 0 = accepted */
	const char *code;
	const char *field;      /* "" = none */
};

static const struct outcome req_cases[] = {
	{"req-ok-call.json", 0, NULL, NULL},
	{"req-ok-fax-full.json", 0, NULL, NULL},
	{"req-ok-nulls.json", 0, NULL, NULL},
	{"req-ok-custom-content.json", 0, NULL, NULL},
	{"req-ok-custom-nocontent.json", 0, NULL, NULL},
	{"req-ok-data.json", 0, NULL, NULL},
	{"req-ok-bom.json", 0, NULL, NULL},
	{"req-ok-times.json", 0, NULL, NULL},
	{"req-ok-ring-bounds.json", 0, NULL, NULL},
	{"req-ok-ring-max.json", 0, NULL, NULL},
	{"req-ok-webhook-default.json", 0, NULL, NULL},
	{"req-ok-webhook-list.json", 0, NULL, NULL},
	{"req-ok-client-state.json", 0, NULL, NULL},
	{"req-ok-unicode-to.json", 0, NULL, NULL},
	{"req-ok-require.json", 0, NULL, NULL},
	{"req-ok-fetch.json", 0, NULL, NULL},
	{"ok-item-url-2048.json", 0, NULL, NULL},
	{"ok-start-feb29-leap.json", 0, NULL, NULL},
	{"ok-client-state-1024.json", 0, NULL, NULL},
	/* API.md's example is a call with content: valid JSON, no sense. */
	{"req-api-example.json", 422, "content_not_allowed", "content"},
	/* malformed and hostile */
	{"bad-malformed.json", 400, "malformed_json", ""},
	{"bad-trailing.json", 400, "malformed_json", ""},
	{"bad-empty.json", 400, "malformed_json", ""},
	{"bad-root-array.json", 400, "invalid_body", ""},
	{"bad-root-string.json", 400, "invalid_body", ""},
	{"bad-root-number.json", 400, "invalid_body", ""},
	{"bad-root-null.json", 400, "invalid_body", ""},
	{"bad-dup-key.json", 400, "duplicate_field", ""},
	{"bad-dup-key-nested.json", 400, "duplicate_field", ""},
	{"bad-deep.json", 400, "too_complex", ""},
	{"bad-deep-in-field.json", 400, "too_complex", ""},
	{"bad-depth16-field.json", 400, "invalid_field", "client_state"},
	{"bad-utf8.json", 400, "malformed_json", ""},
	{"bad-utf8-overlong.json", 400, "malformed_json", ""},
	{"bad-utf8-surrogate.json", 400, "malformed_json", ""},
	{"bad-utf8-key.json", 400, "malformed_json", ""},
	{"bad-nul.json", 400, "malformed_json", ""},
	{"bad-nul-key.json", 400, "malformed_json", ""},
	{"bad-lone-surrogate-escape.json", 400, "malformed_json", ""},
	{"bad-1e400.json", 400, "malformed_json", ""},
	{"bad-bigint.json", 400, "malformed_json", ""},
	{"bad-neg-zero.json", 400, "invalid_field", "ring_timeout"},
	{"bad-ring-real.json", 400, "invalid_field", "ring_timeout"},
	{"bad-ring-low.json", 400, "invalid_field", "ring_timeout"},
	{"bad-ring-high.json", 400, "invalid_field", "ring_timeout"},
	{"bad-ring-negative.json", 400, "invalid_field", "ring_timeout"},
	{"bad-ring-string.json", 400, "invalid_field", "ring_timeout"},
	/* unknown, missing, wrong type, bad value */
	{"bad-unknown-root.json", 400, "unknown_field", "bogus"},
	{"bad-unknown-root-first.json", 400, "unknown_field", "zzz"},
	{"bad-unknown-two.json", 400, "unknown_field", "zz"},
	/* the path is cut to its buffer (127 bytes), at a character boundary */
	{"bad-unknown-long-key.json", 400, "unknown_field",
	 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"},
	{"bad-unknown-item.json", 400, "unknown_field", "content[1].fetch2"},
	{"bad-unknown-webhook.json", 400, "unknown_field", "webhook.secret"},
	{"bad-service-missing.json", 400, "missing_field", "service"},
	{"bad-to-missing.json", 400, "missing_field", "to"},
	{"bad-to-null.json", 400, "missing_field", "to"},
	{"bad-service-type.json", 400, "invalid_field", "service"},
	{"bad-service-syntax.json", 400, "invalid_field", "service"},
	{"bad-service-long.json", 400, "invalid_field", "service"},
	{"bad-to-long.json", 400, "invalid_field", "to"},
	{"bad-to-ctl.json", 400, "invalid_field", "to"},
	{"bad-to-c1.json", 400, "invalid_field", "to"},
	{"bad-to-newline.json", 400, "invalid_field", "to"},
	{"bad-to-empty.json", 400, "invalid_field", "to"},
	{"bad-to-array.json", 400, "invalid_field", "to"},
	{"bad-from-type.json", 400, "invalid_field", "from"},
	{"bad-context.json", 400, "invalid_field", "phone_context"},
	{"bad-content-object.json", 400, "invalid_field", "content"},
	{"bad-content-many.json", 400, "invalid_field", "content"},
	{"bad-item-string.json", 400, "invalid_field", "content[0]"},
	{"bad-item-null.json", 400, "invalid_field", "content[0]"},
	{"bad-item-notype.json", 400, "missing_field", "content[0].type"},
	{"bad-item-mime.json", 400, "invalid_field", "content[0].type"},
	{"bad-item-mime-params.json", 400, "invalid_field", "content[0].type"},
	{"bad-item-b64.json", 400, "invalid_field", "content[0].data"},
	{"bad-item-b64-pad.json", 400, "invalid_field", "content[0].data"},
	{"bad-item-b64-bits.json", 400, "invalid_field", "content[0].data"},
	{"bad-item-b64-urlsafe.json", 400, "invalid_field", "content[0].data"},
	{"bad-item-b64-type.json", 400, "invalid_field", "content[0].data"},
	{"bad-item-url.json", 400, "invalid_field", "content[0].url"},
	{"bad-item-url-nohost.json", 400, "invalid_field", "content[0].url"},
	{"bad-item-url-space.json", 400, "invalid_field", "content[0].url"},
	{"bad-item-url-long.json", 400, "invalid_field", "content[0].url"},
	{"bad-item-fetch-type.json", 400, "invalid_field", "content[0].fetch"},
	{"bad-item-text-type.json", 400, "invalid_field", "content[0].text"},
	{"bad-language.json", 400, "invalid_field", "language"},
	{"bad-language-long.json", 400, "invalid_field", "language"},
	{"bad-clir-type.json", 400, "invalid_field", "clir"},
	{"bad-require-type.json", 400, "invalid_field", "require"},
	{"bad-require-item.json", 400, "invalid_field", "require[1]"},
	{"bad-require-syntax.json", 400, "invalid_field", "require[1]"},
	{"bad-require-many.json", 400, "invalid_field", "require"},
	{"bad-start-feb30.json", 400, "invalid_field", "start_at"},
	{"bad-start-feb29.json", 400, "invalid_field", "start_at"},
	{"bad-start-syntax.json", 400, "invalid_field", "start_at"},
	{"bad-start-nozone.json", 400, "invalid_field", "start_at"},
	{"bad-start-type.json", 400, "invalid_field", "start_at"},
	{"bad-stop-range.json", 400, "invalid_field", "stop_at"},
	{"bad-track-type.json", 400, "invalid_field", "track"},
	{"bad-webhook-type.json", 400, "invalid_field", "webhook"},
	{"bad-webhook-nourl.json", 400, "missing_field", "webhook.url"},
	{"bad-webhook-url.json", 400, "invalid_field", "webhook.url"},
	{"bad-webhook-url-null.json", 400, "missing_field", "webhook.url"},
	{"bad-webhook-event.json", 400, "invalid_field", "webhook.events[0]"},
	{"bad-webhook-event-type.json", 400, "invalid_field", "webhook.events[0]"},
	{"bad-webhook-events-empty.json", 400, "invalid_field", "webhook.events"},
	{"bad-webhook-events-many.json", 400, "invalid_field", "webhook.events"},
	{"bad-webhook-events-type.json", 400, "invalid_field", "webhook.events"},
	{"bad-client-state-long.json", 400, "invalid_field", "client_state"},
	{"bad-client-state-type.json", 400, "invalid_field", "client_state"},
	{"bad-gateway.json", 400, "invalid_field", "gateway"},
	/* valid JSON that makes no sense */
	{"bad-fax-nocontent.json", 422, "content_required", "content"},
	{"bad-content-nocontent.json", 422, "content_required", "content"},
	{"bad-fax-empty-content.json", 422, "content_required", "content"},
	{"bad-call-content.json", 422, "content_not_allowed", "content"},
	{"bad-item-nosource.json", 422, "invalid_content", "content[0]"},
	{"bad-item-twosources.json", 422, "invalid_content", "content[0]"},
	{"bad-item-fetch-text.json", 422, "invalid_content", "content[0].fetch"},
	{"bad-schedule.json", 422, "invalid_schedule", "stop_at"},
	{"bad-schedule-equal.json", 422, "invalid_schedule", "stop_at"},
	/* a 400 anywhere wins over a 422 */
	{"bad-order-400-over-422.json", 400, "invalid_field", "ring_timeout"},
	{"bad-order-422-item-then-400.json", 400, "invalid_field", "gateway"},
};

static const struct outcome click_cases[] = {
	{"click-ok.json", 0, NULL, NULL},
	{"click-bad-unknown.json", 400, "unknown_field", "from"},
	{"click-bad-notoken.json", 400, "missing_field", "token"},
	{"click-bad-token-space.json", 400, "invalid_field", "token"},
	{"click-bad-to-type.json", 400, "invalid_field", "to"},
	{"click-bad-root.json", 400, "invalid_body", ""},
	{"bad-deep.json", 400, "too_complex", ""},
	{"bad-utf8.json", 400, "malformed_json", ""},
};

/* A fixture in an exact-size heap copy (no NUL), so ASan sees over-reads. */
static char *load_exact(const char *name, size_t *lenp)
{
	char rel[256], *txt, *buf;

	snprintf(rel, sizeof(rel), "web/%s", name);
	txt = test_read_file(rel, lenp);
	buf = malloc(*lenp ? *lenp : 1);
	assert_non_null(buf);
	memcpy(buf, txt, *lenp);
	free(txt);
	return buf;
}

/* Messages and fields must be clean, and the field must lead the message. */
static void check_err_text(const struct web_json_err *e)
{
	size_t fl = strlen(e->field);

	assert_true(web_json_utf8_valid(e->message, strlen(e->message)));
	assert_false(web_json_has_ctl(e->message, strlen(e->message)));
	assert_false(web_json_has_ctl(e->field, fl));
	assert_true(e->message[0] != '\0');
	if (fl) {
		assert_memory_equal(e->message, e->field, fl);
		assert_memory_equal(e->message + fl, ": ", 2);
	}
}

static void check_outcome(const struct outcome *c, int err,
			  const struct web_json_err *e)
{
	if (!c->status) {
		if (err)
			fail_msg("%s: %d %s", c->file, e->status, e->message);
		return;
	}
	if (err != EBADMSG)
		fail_msg("%s: err %d, expected EBADMSG", c->file, err);
	if (e->status != c->status || strcmp(e->code, c->code) ||
	    strcmp(e->field, c->field))
		fail_msg("%s: got %d %s field '%s' (%s), expected %d %s '%s'",
			 c->file, e->status, e->code, e->field, e->message,
			 c->status, c->code, c->field);
	check_err_text(e);
}

static void assert_req_equal(const struct web_req *a, const struct web_req *b)
{
	size_t i;

	assert_string_equal(a->service, b->service);
	assert_string_equal(a->to, b->to);
	assert_string_equal(a->from, b->from);
	assert_string_equal(a->phone_context, b->phone_context);
	assert_int_equal(a->content_count, b->content_count);
	for (i = 0; i < a->content_count; i++) {
		const struct web_req_content *x = &a->content[i], *y = &b->content[i];

		assert_string_equal(x->type, y->type);
		assert_int_equal(x->src, y->src);
		assert_int_equal(x->len, y->len);
		assert_memory_equal(x->body, y->body, x->len + 1);
		assert_int_equal(x->fetch, y->fetch);
	}
	assert_string_equal(a->language, b->language);
	assert_int_equal(a->has_clir, b->has_clir);
	assert_int_equal(a->clir, b->clir);
	assert_int_equal(a->require_count, b->require_count);
	for (i = 0; i < a->require_count; i++)
		assert_string_equal(a->require[i], b->require[i]);
	assert_int_equal(a->has_start_at, b->has_start_at);
	assert_int_equal(a->start_at, b->start_at);
	assert_int_equal(a->has_stop_at, b->has_stop_at);
	assert_int_equal(a->stop_at, b->stop_at);
	assert_int_equal(a->has_ring_timeout, b->has_ring_timeout);
	assert_int_equal(a->ring_timeout, b->ring_timeout);
	assert_int_equal(a->track, b->track);
	assert_int_equal(a->has_webhook, b->has_webhook);
	assert_string_equal(a->webhook_url, b->webhook_url);
	assert_int_equal(a->webhook_events, b->webhook_events);
	assert_int_equal(a->has_client_state, b->has_client_state);
	assert_string_equal(a->client_state, b->client_state);
	assert_string_equal(a->gateway, b->gateway);
}

/* Encode req, validate the text again: it must give an equal struct. */
static void round_trip(const struct web_req *req)
{
	struct web_json_err e;
	struct web_req back;
	char *txt = NULL;
	size_t len;

	assert_int_equal(web_resource_req_encode(&txt, &len, req), 0);
	assert_int_equal(strlen(txt), len);
	if (web_req_parse(&back, txt, len, &e))
		fail_msg("re-encoded request refused: %s\n%s", e.message, txt);
	assert_req_equal(req, &back);
	web_req_reset(&back);
	free(txt);
}

static void test_req_fixtures(void **state)
{
	struct web_json_err e;
	struct web_req req;
	size_t i, len;
	char *buf;
	int err;

	(void)state;
	for (i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		buf = load_exact(req_cases[i].file, &len);
		memset(&e, 0, sizeof(e));
		err = web_req_parse(&req, buf, len, &e);
		check_outcome(&req_cases[i], err, &e);
		if (!err)
			round_trip(&req);
		else
			assert_int_equal(req.content_count, 0);
		web_req_reset(&req);
		free(buf);
	}
}

static void test_click_fixtures(void **state)
{
	struct web_req_click ck;
	struct web_json_err e;
	size_t i, len;
	char *buf;
	int err;

	(void)state;
	for (i = 0; i < sizeof(click_cases) / sizeof(click_cases[0]); i++) {
		buf = load_exact(click_cases[i].file, &len);
		err = web_req_click_parse(&ck, buf, len, &e);
		check_outcome(&click_cases[i], err, &e);
		free(buf);
	}
	buf = load_exact("click-ok.json", &len);
	assert_int_equal(web_req_click_parse(&ck, buf, len, &e), 0);
	assert_string_equal(ck.token, "eyJzdmMiOiJjYWxsIn0.c2ln");
	assert_string_equal(ck.to, "+1 555 555 0199");
	free(buf);
}

static void parse_file(struct web_req *req, const char *name)
{
	struct web_json_err e;
	size_t len;
	char *buf = load_exact(name, &len);

	if (web_req_parse(req, buf, len, &e))
		fail_msg("%s: %s", name, e.message);
	free(buf);
}

/* The normalised values of the full example (as a fax). */
static void test_req_values(void **state)
{
	struct web_req req;

	(void)state;
	parse_file(&req, "req-ok-fax-full.json");
	assert_string_equal(req.service, "fax");
	assert_string_equal(req.to, "+1 555 555 0199");
	assert_string_equal(req.from, "+1-555-555-0100");
	assert_string_equal(req.phone_context, "+44");
	assert_int_equal(req.content_count, 2);
	assert_string_equal(req.content[0].type, "text/plain");
	assert_int_equal(req.content[0].src, WEB_REQ_TEXT);
	assert_string_equal(req.content[0].body, "Your order has shipped.");
	assert_int_equal(req.content[0].len, 23);
	assert_int_equal(req.content[1].src, WEB_REQ_URL);
	assert_string_equal(req.content[1].body, "https://example.com/q.pdf");
	assert_false(req.content[1].fetch);
	assert_string_equal(req.language, "en");
	assert_true(req.has_clir && req.clir);
	assert_int_equal(req.require_count, 1);
	assert_string_equal(req.require[0], "phone-context");
	assert_true(req.has_start_at && req.has_stop_at);
	assert_int_equal(req.start_at, 1795269600000LL);
	assert_int_equal(req.stop_at, 1795284000000LL);
	assert_true(req.has_ring_timeout);
	assert_int_equal(req.ring_timeout, 30);
	assert_true(req.track);
	assert_true(req.has_webhook);
	assert_string_equal(req.webhook_url, "https://example.com/hooks/pint");
	assert_int_equal(req.webhook_events, WEB_REQ_EVENTS_ALL);
	assert_true(req.has_client_state);
	assert_string_equal(req.client_state, "order-4711");
	assert_string_equal(req.gateway, "pint-east");
	web_req_reset(&req);

	/* null = not given; track defaults to true */
	parse_file(&req, "req-ok-nulls.json");
	assert_string_equal(req.from, "");
	assert_int_equal(req.content_count, 0);
	assert_false(req.has_clir);
	assert_false(req.has_start_at || req.has_stop_at || req.has_ring_timeout);
	assert_true(req.track);
	assert_false(req.has_webhook || req.has_client_state);
	assert_string_equal(req.gateway, "");
	web_req_reset(&req);

	parse_file(&req, "req-ok-ring-bounds.json");
	assert_int_equal(req.ring_timeout, 5);
	assert_false(req.track);
	assert_true(req.has_clir);
	assert_false(req.clir);
	web_req_reset(&req);
}

static void test_req_normalise(void **state)
{
	static const unsigned char tiff[] = {
		'I', 'I', 0x2a, 0, 8, 0, 0, 0, 1, 1, 2, 3,
	};
	struct web_req req;

	(void)state;
	parse_file(&req, "req-ok-data.json");
	assert_int_equal(req.content_count, 3);
	assert_int_equal(req.content[0].src, WEB_REQ_DATA);
	assert_int_equal(req.content[0].len, sizeof(tiff));
	assert_memory_equal(req.content[0].body, tiff, sizeof(tiff));
	assert_int_equal(req.content[1].len, 0);
	assert_string_equal(req.content[1].body, "");
	assert_string_equal(req.content[2].body, "hi");
	web_req_reset(&req);

	parse_file(&req, "req-ok-custom-content.json");
	assert_string_equal(req.service, "r2hc.ext-1");
	assert_string_equal(req.content[0].type, "text/html");
	web_req_reset(&req);

	/* 15:00:00.5+01:00 = 14:00:00.500Z; 123456 µs cut to 123 ms */
	parse_file(&req, "req-ok-times.json");
	assert_int_equal(req.start_at, 1795269600500LL);
	assert_int_equal(req.stop_at, 1795284000123LL);
	web_req_reset(&req);

	parse_file(&req, "req-ok-webhook-list.json");
	assert_int_equal(req.webhook_events,
			 WEB_REQ_EVENT_BIT(WEB_STATUS_COMPLETED) |
			 WEB_REQ_EVENT_BIT(WEB_STATUS_FAILED));
	web_req_reset(&req);

	parse_file(&req, "req-ok-webhook-default.json");
	assert_int_equal(req.webhook_events, WEB_REQ_EVENTS_ALL);
	assert_string_equal(req.webhook_url, "http://[2001:db8::1]:8080/h?x=1");
	web_req_reset(&req);

	parse_file(&req, "req-ok-fetch.json");
	assert_true(req.content[0].fetch);
	assert_string_equal(req.content[0].body, "HTTPS://example.com/a.html");
	web_req_reset(&req);
}

/* Messages a client reads: exact text for a few representative errors. */
static void test_req_messages(void **state)
{
	static const struct {
		const char *body;
		const char *message;
	} cases[] = {
		{"{\"service\": \"call\", \"to\": \"1\", \"ring_timeout\": \"30\"}",
		 "ring_timeout: expected integer, got string"},
		{"{\"service\": \"call\", \"to\": \"1\", \"ring_timeout\": 3601}",
		 "ring_timeout: 3601 is out of range 5..3600 seconds"},
		{"{\"service\": \"call\"}", "to: required field missing"},
		{"{\"service\": \"call\", \"to\": \"1\", \"x\": 1}", "x: unknown field"},
		{"{\"service\": \"ca ll\", \"to\": \"1\"}",
		 "service: 'ca ll' is not a valid name"},
		{"{\"service\": \"call\", \"to\": \"12345678901234567890123456789012345678901234567890123456789012345\"}",
		 "to: '1234567890123456789012345678901234567890\xe2\x80\xa6' is longer than 64 bytes"},
		{"{\"service\": \"call\", \"to\": \"+1\\u0007\"}",
		 "to: '+1?' contains control characters"},
		{"{\"service\": \"call\",\n\"to\": +1}",
		 "malformed JSON at line 2, column 7: invalid token near '+'"},
		{"[1]", "request body must be a JSON object, got array"},
		{"{\"service\": \"fax\", \"to\": \"1\"}",
		 "content: this service needs content"},
		{"{\"service\": \"call\", \"to\": \"1\", \"start_at\": \"2026-02-30T00:00:00Z\"}",
		 "start_at: '2026-02-30T00:00:00Z' is not an RFC 3339 time"},
		{"{\"service\": \"call\", \"to\": \"1\", \"\\u00e9\\n\": 1}",
		 "\xc3\xa9?: unknown field"},
	};
	struct web_json_err e;
	struct web_req req;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(web_req_parse(&req, cases[i].body,
					       strlen(cases[i].body), &e), EBADMSG);
		if (strcmp(e.message, cases[i].message))
			fail_msg("case %zu: '%s'", i, e.message);
	}
}

/* A JSON body {"service": "fax", "to": "1", <mid>} in a heap buffer. */
static char *body_with(const char *mid, size_t fill, char c, const char *tail,
		       size_t *lenp)
{
	const char *head = "{\"service\": \"fax\", \"to\": \"1\", ";
	size_t hl = strlen(head), ml = strlen(mid), tl = strlen(tail);
	char *b = malloc(hl + ml + fill + tl);

	assert_non_null(b);
	memcpy(b, head, hl);
	memcpy(b + hl, mid, ml);
	memset(b + hl + ml, c, fill);
	memcpy(b + hl + ml + fill, tail, tl);
	*lenp = hl + ml + fill + tl;
	return b;
}

static void expect(const char *b, size_t len, int status, const char *code,
		   const char *field)
{
	struct web_json_err e;
	struct web_req req;
	int err;

	memset(&e, 0, sizeof(e));
	err = web_req_parse(&req, b, len, &e);
	if (!status) {
		if (err)
			fail_msg("refused: %s", e.message);
		web_req_reset(&req);
		return;
	}
	assert_int_equal(err, EBADMSG);
	if (e.status != status || strcmp(e.code, code) || strcmp(e.field, field))
		fail_msg("got %d %s '%s' (%s)", e.status, e.code, e.field, e.message);
	check_err_text(&e);
}

/* Hostile bodies too large to keep as fixture files. */
static void test_req_hostile(void **state)
{
	const char *txt = "\"content\": [{\"type\": \"text/plain\", \"text\": \"";
	const char *item = "\"content\": [{\"type\": \"text/plain\", \"text\": \"a\"}]";
	size_t len, n;
	char *b, *p;

	(void)state;
	/* a 2 MB string */
	b = body_with("\"client_state\": \"", 2u * 1024 * 1024, 'x', "\"}", &len);
	expect(b, len, 413, "body_too_large", "");
	free(b);

	/* exactly the body limit (padded with spaces) is read; one more is not */
	b = body_with(item, 0, ' ', "}", &n);
	free(b);
	b = body_with(item, WEB_JSON_BODY_MAX - n, ' ', "}", &len);
	assert_int_equal(len, WEB_JSON_BODY_MAX);
	expect(b, len, 0, NULL, NULL);
	free(b);
	b = body_with(item, WEB_JSON_BODY_MAX + 1 - n, ' ', "}", &len);
	expect(b, len, 413, "body_too_large", "");
	free(b);

	/* inline content: 768 KiB of text pass, one byte more does not */
	b = body_with(txt, WEB_REQ_INLINE_MAX, 'a', "\"}]}", &len);
	expect(b, len, 0, NULL, NULL);
	free(b);
	b = body_with(txt, WEB_REQ_INLINE_MAX + 1, 'a', "\"}]}", &len);
	expect(b, len, 400, "invalid_field", "content[0].text");
	free(b);
	/* … counted over items: 700 000 of text + 100 000 decoded bytes */
	b = body_with(txt, 700000, 'a',
		      "\"}, {\"type\": \"image/tiff\", \"data\": \"", &len);
	n = len;
	p = realloc(b, n + 133336 + 4);
	assert_non_null(p);
	memset(p + n, 'A', 133336);
	memcpy(p + n + 133336, "\"}]}", 4);
	expect(p, n + 133340, 400, "invalid_field", "content[1].data");
	free(p);

	/* 100 000 array elements: refused before jansson builds them */
	b = body_with("\"require\": [\"a\"", 0, ' ', "", &len);
	p = realloc(b, len + 100000 * 4 + 2);
	assert_non_null(p);
	for (n = 0; n < 100000; n++)
		memcpy(p + len + n * 4, ",\"a\"", 4);
	memcpy(p + len + 400000, "]}", 2);
	expect(p, len + 400002, 400, "too_complex", "");
	free(p);
}

/* Allocation failure anywhere: a clean ENOMEM, nothing leaked. */
static void test_req_oom(void **state)
{
	static const char *const files[] = {
		"req-ok-fax-full.json", "req-ok-data.json", "bad-item-b64.json",
		"bad-order-422-item-then-400.json", "click-ok.json",
	};
	struct web_req_click ck;
	struct web_json_err e;
	struct web_req req;
	unsigned long k;
	size_t i, len, elen;
	char *buf, *txt;
	long live;
	int err, want;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		buf = load_exact(files[i], &len);
		if (i == 4)
			want = web_req_click_parse(&ck, buf, len, &e);
		else
			want = web_req_parse(&req, buf, len, &e);
		web_req_reset(&req);
		for (k = 1; k < 10000; k++) {
			live = alloc_live();
			alloc_fail_at(k);
			if (i == 4) {
				err = web_req_click_parse(&ck, buf, len, &e);
			} else {
				err = web_req_parse(&req, buf, len, &e);
				if (!err) {
					txt = NULL;
					err = web_resource_req_encode(&txt, &elen, &req);
					free(txt);
				}
				web_req_reset(&req);
			}
			alloc_fail_at(0);
			assert_int_equal(alloc_live(), live);
			if (err != ENOMEM && err != want)
				fail_msg("%s: k=%lu err=%d", files[i], k, err);
			if (err != ENOMEM)
				break;
		}
		assert_true(k < 10000);
		free(buf);
	}
}

static void test_query_list(void **state)
{
	struct web_req_query q;
	struct web_json_err e;

	(void)state;
	web_req_query_init(&q);
	assert_int_equal(q.limit, WEB_REQ_LIMIT_DEFAULT);
	assert_int_equal(q.statuses, 0);

	assert_int_equal(web_req_query_set(&q, "status", "queued,active", &e), 0);
	assert_int_equal(web_req_query_set(&q, "status", "failed", &e), 0);
	assert_int_equal(q.statuses, WEB_REQ_EVENT_BIT(WEB_STATUS_QUEUED) |
			 WEB_REQ_EVENT_BIT(WEB_STATUS_ACTIVE) |
			 WEB_REQ_EVENT_BIT(WEB_STATUS_FAILED));
	assert_int_equal(web_req_query_set(&q, "status", ",", &e), 0);
	assert_int_equal(web_req_query_set(&q, "status", "queued,nope", &e), EBADMSG);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "invalid_parameter");
	assert_string_equal(e.field, "status");
	assert_string_equal(e.message, "status: 'queued,nope' is not a list of status names");

	assert_int_equal(web_req_query_set(&q, "service", "fax", &e), 0);
	assert_string_equal(q.service, "fax");
	assert_int_equal(web_req_query_set(&q, "service", "f x", &e), EBADMSG);
	assert_int_equal(web_req_query_set(&q, "service", NULL, &e), 0);
	assert_string_equal(q.service, "");

	assert_int_equal(web_req_query_set(&q, "to", "+1 555", &e), 0);
	assert_string_equal(q.to, "+1 555");
	assert_int_equal(web_req_query_set(&q, "to", "+1\n", &e), EBADMSG);

	/* an unencoded '+' of the offset arrives as a space */
	assert_int_equal(web_req_query_set(&q, "created_after",
					   "2026-11-21T15:00:00 01:00", &e), 0);
	assert_true(q.has_created_after);
	assert_int_equal(q.created_after, 1795269600000LL);
	assert_int_equal(web_req_query_set(&q, "created_before",
					   "2026-11-21T14:00:00Z", &e), 0);
	assert_int_equal(q.created_before, 1795269600000LL);
	assert_int_equal(web_req_query_set(&q, "created_before", "yesterday", &e), EBADMSG);
	assert_string_equal(e.field, "created_before");
	assert_int_equal(web_req_query_set(&q, "created_before", "", &e), 0);
	assert_false(q.has_created_before);

	assert_int_equal(web_req_query_set(&q, "limit", "1", &e), 0);
	assert_int_equal(q.limit, 1);
	assert_int_equal(web_req_query_set(&q, "limit", "200", &e), 0);
	assert_int_equal(q.limit, 200);
	assert_int_equal(web_req_query_set(&q, "limit", "201", &e), EBADMSG);
	assert_int_equal(web_req_query_set(&q, "limit", "0", &e), EBADMSG);
	assert_int_equal(web_req_query_set(&q, "limit", "-1", &e), EBADMSG);
	assert_int_equal(web_req_query_set(&q, "limit", "+5", &e), EBADMSG);
	assert_int_equal(web_req_query_set(&q, "limit", "", &e), EBADMSG);
	assert_int_equal(web_req_query_set(&q, "limit", "99999999999999999999999", &e), EBADMSG);
	assert_int_equal(q.limit, 200);

	assert_int_equal(web_req_query_set(&q, "cursor", "c_AbC-123=", &e), 0);
	assert_string_equal(q.cursor, "c_AbC-123=");
	assert_int_equal(web_req_query_set(&q, "cursor", "a b", &e), EBADMSG);

	assert_int_equal(web_req_query_set(&q, "_", "1", &e), ENOENT);
	assert_string_equal(e.code, "unknown_parameter");
	assert_string_equal(e.field, "_");
	assert_string_equal(e.message, "_: unknown query parameter");
}

static void test_query_cursor_limit(void **state)
{
	char cur[WEB_REQ_CURSOR_MAX + 2];
	struct web_req_query q;
	struct web_json_err e;

	(void)state;
	web_req_query_init(&q);
	memset(cur, 'c', sizeof(cur));
	cur[WEB_REQ_CURSOR_MAX] = '\0';
	assert_int_equal(web_req_query_set(&q, "cursor", cur, &e), 0);
	assert_int_equal(strlen(q.cursor), WEB_REQ_CURSOR_MAX);
	cur[WEB_REQ_CURSOR_MAX] = 'c';
	cur[WEB_REQ_CURSOR_MAX + 1] = '\0';
	assert_int_equal(web_req_query_set(&q, "cursor", cur, &e), EBADMSG);
	assert_true(web_json_utf8_valid(e.message, strlen(e.message)));
}

static void test_query_wait(void **state)
{
	struct web_json_err e;
	struct web_req_wait w;
	uint64_t seq;
	bool dry = false;

	(void)state;
	web_req_wait_init(&w);
	assert_int_equal(w.wait, 0);
	assert_false(w.has_after);
	assert_int_equal(web_req_wait_set(&w, "wait", "60", &e), 0);
	assert_int_equal(w.wait, 60);
	assert_int_equal(web_req_wait_set(&w, "wait", "0", &e), 0);
	assert_int_equal(w.wait, 0);
	assert_int_equal(web_req_wait_set(&w, "wait", "61", &e), EBADMSG);
	assert_string_equal(e.message, "wait: '61' is not a number of seconds 0..60");
	assert_int_equal(web_req_wait_set(&w, "wait", "1.5", &e), EBADMSG);
	assert_int_equal(web_req_wait_set(&w, "after", "0", &e), 0);
	assert_true(w.has_after);
	assert_int_equal(w.after, 0);
	assert_int_equal(web_req_wait_set(&w, "after", "9223372036854775807", &e), 0);
	assert_int_equal(w.after, INT64_MAX);
	assert_int_equal(web_req_wait_set(&w, "after", "9223372036854775808", &e), EBADMSG);
	assert_int_equal(web_req_wait_set(&w, "after", "-1", &e), EBADMSG);
	assert_int_equal(web_req_wait_set(&w, "after", NULL, &e), EBADMSG);
	assert_int_equal(web_req_wait_set(&w, "view", "x", &e), ENOENT);

	assert_int_equal(web_req_seq_parse(&seq, "42x", 2), 0);
	assert_int_equal(seq, 42);
	assert_int_equal(web_req_seq_parse(&seq, "", 0), EBADMSG);
	assert_int_equal(web_req_seq_parse(&seq, "18446744073709551616", 20), ERANGE);

	assert_int_equal(web_req_create_set(&dry, "dry_run", "1", &e), 0);
	assert_true(dry);
	assert_int_equal(web_req_create_set(&dry, "dry_run", "false", &e), 0);
	assert_false(dry);
	assert_int_equal(web_req_create_set(&dry, "dry_run", NULL, &e), 0);
	assert_true(dry);
	assert_int_equal(web_req_create_set(&dry, "dry_run", "yes", &e), EBADMSG);
	assert_string_equal(e.code, "invalid_parameter");
	assert_int_equal(web_req_create_set(&dry, "dryrun", "1", &e), ENOENT);
	assert_string_equal(e.code, "unknown_parameter");
	/* a hostile key is cleaned before it is echoed */
	assert_int_equal(web_req_create_set(&dry, "\xff\x01k", "1", &e), ENOENT);
	assert_string_equal(e.field, "??k");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_req_fixtures),
		leakcheck_test(test_click_fixtures),
		leakcheck_test(test_req_values),
		leakcheck_test(test_req_normalise),
		leakcheck_test(test_req_messages),
		leakcheck_test(test_req_hostile),
		leakcheck_test(test_req_oom),
		leakcheck_test(test_query_list),
		leakcheck_test(test_query_cursor_limit),
		leakcheck_test(test_query_wait),
	};

	return cmocka_run_group_tests_name("web_req", tests, NULL, NULL);
}
