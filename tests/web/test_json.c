/*
 * tests/web/test_json.c — web/json.c: body loading limits, API errors,
 * text clean-up, value syntax, base64 and RFC 3339 times.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/pint/test_common.h"
#include "web/json.h"

static void test_time_parse(void **state)
{
	static const struct {
		const char *in;
		int err;
		int64_t ms;
	} cases[] = {
		{"1970-01-01T00:00:00Z", 0, 0},
		{"2026-11-21T14:00:00Z", 0, 1795269600000LL},
		{"2026-11-21t14:00:00z", 0, 1795269600000LL},
		{"2026-11-21 14:00:00Z", 0, 1795269600000LL},
		{"2026-11-21T15:00:00+01:00", 0, 1795269600000LL},
		{"2026-11-21T09:30:00-04:30", 0, 1795269600000LL},
		{"2026-11-21T14:00:00-00:00", 0, 1795269600000LL},
		{"2026-11-21T14:00:00.5Z", 0, 1795269600500LL},
		{"2026-11-21T14:00:00.25Z", 0, 1795269600250LL},
		{"2026-11-21T14:00:00.999999999Z", 0, 1795269600999LL},
		{"2026-11-21T14:00:00.000Z", 0, 1795269600000LL},
		{"1969-12-31T23:59:59.999Z", 0, -1},
		{"2000-02-29T23:59:59Z", 0, 951868799000LL},
		{"1900-03-01T00:00:00Z", 0, -2203891200000LL},
		{"2016-12-31T23:59:60Z", 0, 1483228800000LL},   /* leap second */
		{"0000-01-01T00:00:00Z", 0, WEB_JSON_TIME_MIN},
		{"9999-12-31T23:59:59.999Z", 0, WEB_JSON_TIME_MAX},
		{"0001-01-01T00:00:00Z", 0, -62135596800000LL},
		/* impossible dates and bad syntax */
		{"2026-02-29T00:00:00Z", EBADMSG, 0},
		{"2026-02-30T00:00:00Z", EBADMSG, 0},
		{"2026-04-31T00:00:00Z", EBADMSG, 0},
		{"1900-02-29T00:00:00Z", EBADMSG, 0},
		{"2026-13-01T00:00:00Z", EBADMSG, 0},
		{"2026-00-01T00:00:00Z", EBADMSG, 0},
		{"2026-01-00T00:00:00Z", EBADMSG, 0},
		{"2026-01-01T24:00:00Z", EBADMSG, 0},
		{"2026-01-01T00:60:00Z", EBADMSG, 0},
		{"2026-01-01T00:00:61Z", EBADMSG, 0},
		{"2026-01-01T00:00:00", EBADMSG, 0},
		{"2026-01-01T00:00:00.Z", EBADMSG, 0},
		{"2026-01-01T00:00:00+0100", EBADMSG, 0},
		{"2026-01-01T00:00:00+24:00", EBADMSG, 0},
		{"2026-01-01T00:00:00+01:60", EBADMSG, 0},
		{"2026-01-01T00:00:00+01:00x", EBADMSG, 0},
		{"2026-01-01T00:00:00ZZ", EBADMSG, 0},
		{"2026-1-01T00:00:00Z", EBADMSG, 0},
		{"2026-01-01X00:00:00Z", EBADMSG, 0},
		{"+026-01-01T00:00:00Z", EBADMSG, 0},
		{"2026-01-01T00:00Z", EBADMSG, 0},
		{"", EBADMSG, 0},
		/* outside years 0000-9999 once in UTC */
		{"0000-01-01T00:00:00+00:01", ERANGE, 0},
		{"9999-12-31T23:59:59-01:00", ERANGE, 0},
	};
	size_t i;
	int64_t ms;
	int err;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms = 42;
		err = web_json_time_parse(&ms, cases[i].in, strlen(cases[i].in));
		if (err != cases[i].err)
			fail_msg("%s: err %d", cases[i].in, err);
		if (!err && ms != cases[i].ms)
			fail_msg("%s: %lld", cases[i].in, (long long)ms);
		if (err)
			assert_int_equal(ms, 42);
	}
	/* the length bounds the input: no NUL needed, nothing read past it */
	assert_int_equal(web_json_time_parse(&ms, "1970-01-01T00:00:00Zjunk", 20), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(web_json_time_parse(&ms, "1970-01-01T00:00:00.1", 21), EBADMSG);
}

static void test_time_format(void **state)
{
	static const struct {
		int64_t ms;
		const char *out;
	} cases[] = {
		{0, "1970-01-01T00:00:00Z"},
		{1795269600000LL, "2026-11-21T14:00:00Z"},
		{1795269600250LL, "2026-11-21T14:00:00.250Z"},
		{1795269600001LL, "2026-11-21T14:00:00.001Z"},
		{-1, "1969-12-31T23:59:59.999Z"},
		{-1000, "1969-12-31T23:59:59Z"},
		{951868799000LL, "2000-02-29T23:59:59Z"},
		{WEB_JSON_TIME_MIN, "0000-01-01T00:00:00Z"},
		{WEB_JSON_TIME_MAX, "9999-12-31T23:59:59.999Z"},
	};
	char buf[WEB_JSON_TIME_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(web_json_time_format(buf, cases[i].ms), 0);
		assert_string_equal(buf, cases[i].out);
	}
	assert_int_equal(web_json_time_format(buf, WEB_JSON_TIME_MIN - 1), ERANGE);
	assert_string_equal(buf, "");
	assert_int_equal(web_json_time_format(buf, WEB_JSON_TIME_MAX + 1), ERANGE);
	assert_int_equal(web_json_time_format(buf, INT64_MIN), ERANGE);
	assert_int_equal(web_json_time_format(buf, INT64_MAX), ERANGE);
}

/* format → parse is the identity; the date agrees with libc's gmtime_r. */
static void test_time_round_trip(void **state)
{
	char buf[WEB_JSON_TIME_SIZE], ref[96];
	int64_t ms, back, step = 86400000LL * 37 + 3600000LL * 5 + 61001;
	unsigned n = 0;
	struct tm tm;
	time_t t;

	(void)state;
	for (ms = WEB_JSON_TIME_MIN; ms <= WEB_JSON_TIME_MAX; ms += step, n++) {
		assert_int_equal(web_json_time_format(buf, ms), 0);
		assert_int_equal(web_json_time_parse(&back, buf, strlen(buf)), 0);
		assert_int_equal(back, ms);
		t = (time_t)((ms - ((ms % 1000) + 1000) % 1000) / 1000);
		assert_non_null(gmtime_r(&t, &tm));
		snprintf(ref, sizeof(ref), "%04d-%02d-%02dT%02d:%02d:%02d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		assert_memory_equal(buf, ref, 19);
	}
	assert_true(n > 60000);
}

static void test_err_set(void **state)
{
	struct web_json_err e;
	char big[600];

	(void)state;
	web_json_err_set(&e, 400, "invalid_field", "to", "'%s' is too short", "+1-55");
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "invalid_field");
	assert_string_equal(e.field, "to");
	assert_string_equal(e.message, "to: '+1-55' is too short");

	web_json_err_set(&e, 400, "malformed_json", NULL, "bad at %d", 3);
	assert_string_equal(e.field, "");
	assert_string_equal(e.message, "bad at 3");

	/* control characters and bad bytes never reach a client */
	web_json_err_set(&e, 400, "unknown_field", "a\nb\xff", "x\ty");
	assert_string_equal(e.field, "a?b?");
	assert_string_equal(e.message, "a?b?: x?y");

	/* a message cut by its buffer is cut at a character boundary */
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i + 2 < sizeof(big) - 1; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	web_json_err_set(&e, 422, "x", "f", "%s", big);
	assert_true(strlen(e.message) < WEB_JSON_MSG_SIZE);
	assert_true(web_json_utf8_valid(e.message, strlen(e.message)));
	assert_true(strlen(e.message) >= WEB_JSON_MSG_SIZE - 3);
}

static void test_error_body(void **state)
{
	struct web_json_err e;
	char *body = NULL;
	size_t len;

	(void)state;
	web_json_err_set(&e, 400, "invalid_number", "to",
			 "'+1-55' is too short for an E.164 number");
	assert_int_equal(web_json_error_body(&body, &len, &e), 0);
	assert_string_equal(body, "{\"error\": {\"code\": \"invalid_number\", "
			    "\"message\": \"to: '+1-55' is too short for an E.164 number\", "
			    "\"field\": \"to\"}}");
	assert_int_equal(len, strlen(body));
	free(body);

	web_json_err_set(&e, 413, "body_too_large", "", "too \"big\"");
	assert_int_equal(web_json_error_body(&body, NULL, &e), 0);
	assert_string_equal(body, "{\"error\": {\"code\": \"body_too_large\", "
			    "\"message\": \"too \\\"big\\\"\"}}");
	free(body);

	/* a policy refusal names its rule, right after the code */
	web_json_err_set(&e, 403, "destination_denied", "to", "premium");
	web_json_err_rule(&e, "premium_rate");
	assert_int_equal(web_json_error_body(&body, NULL, &e), 0);
	assert_string_equal(body, "{\"error\": {\"code\": \"destination_denied\", "
			    "\"rule\": \"premium_rate\", \"message\": \"to: premium\", "
			    "\"field\": \"to\"}}");
	free(body);
	/* the next error starts without one */
	web_json_err_set(&e, 429, "rate_limited", "", "slow down");
	assert_string_equal(e.rule, "");
	web_json_err_rule(&e, "a\nb");
	assert_string_equal(e.rule, "a?b");
	web_json_err_rule(&e, NULL);
	assert_string_equal(e.rule, "");
}

static void test_quote_clean(void **state)
{
	char q[WEB_JSON_QUOTE_MAX + 8], small[8], c[8];
	const char *long_s = "0123456789012345678901234567890123456789abc";

	(void)state;
	web_json_quote(q, sizeof(q), "abc", 3);
	assert_string_equal(q, "'abc'");
	web_json_quote(q, sizeof(q), "", 0);
	assert_string_equal(q, "''");
	web_json_quote(q, sizeof(q), long_s, strlen(long_s));
	assert_string_equal(q, "'0123456789012345678901234567890123456789\xe2\x80\xa6'");
	web_json_quote(q, sizeof(q), "a\x01\xff" "b", 4);
	assert_string_equal(q, "'a??b'");
	/* the value is a view: only len bytes are read */
	web_json_quote(q, sizeof(q), "abcdef", 2);
	assert_string_equal(q, "'ab'");
	web_json_quote(small, sizeof(small), "abcdefgh", 8);
	assert_true(strlen(small) < sizeof(small));
	assert_true(web_json_utf8_valid(small, strlen(small)));
	assert_int_equal(small[0], '\'');
	assert_int_equal(small[strlen(small) - 1], '\'');
	web_json_quote(small, 2, "x", 1);
	assert_string_equal(small, "");

	assert_int_equal(web_json_clean(c, sizeof(c), "abc", 3), 3);
	assert_string_equal(c, "abc");
	/* "aaaaa" + é does not fit whole in 7 bytes: é is dropped, not cut */
	assert_int_equal(web_json_clean(c, 7, "aaaaa\xc3\xa9", 7), 5);
	assert_string_equal(c, "aaaaa");
	assert_int_equal(web_json_clean(c, sizeof(c), "\xe2\x82", 2), 2);
	assert_string_equal(c, "??");
	assert_int_equal(web_json_clean(c, 0, "x", 1), 0);
}

static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		bool valid;
		bool ctl;
	} cases[] = {
		{"plain", 5, true, false},
		{"\xc3\xa9\xe2\x98\x8e\xf0\x9f\x98\x80", 9, true, false},
		{"tab\t", 4, true, true},
		{"del\x7f", 4, true, true},
		{"c1\xc2\x85", 4, true, true},
		{"nbsp\xc2\xa0", 6, true, false},
		{"nul\0x", 5, true, true},
		{"\xc0\xaf", 2, false, true},               /* overlong */
		{"\xe0\x80\xaf", 3, false, true},           /* overlong */
		{"\xed\xa0\x80", 3, false, true},           /* surrogate */
		{"\xf4\x90\x80\x80", 4, false, true},       /* > U+10FFFF */
		{"\xc3", 1, false, true},                   /* truncated */
		{"\xff", 1, false, true},
		{"\x80", 1, false, true},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(web_json_utf8_valid(cases[i].s, cases[i].len), cases[i].valid);
		assert_int_equal(web_json_has_ctl(cases[i].s, cases[i].len), cases[i].ctl);
	}
}

static void test_value_syntax(void **state)
{
	static const struct {
		bool (*fn)(const char *p, size_t len);
		const char *s;
		bool ok;
	} cases[] = {
		{web_json_token_ok, "call", true},
		{web_json_token_ok, "R2C", true},
		{web_json_token_ok, "pint-east.1_a+b", true},
		{web_json_token_ok, "", false},
		{web_json_token_ok, "-x", false},
		{web_json_token_ok, "a b", false},
		{web_json_token_ok, "a/b", false},
		{web_json_token_ok, "caf\xc3\xa9", false},
		{web_json_context_ok, "+44", true},
		{web_json_context_ok, "+1-201-406", true},
		{web_json_context_ok, "example.com", true},
		{web_json_context_ok, "+44 20", false},
		{web_json_context_ok, "", false},
		{web_json_lang_ok, "en", true},
		{web_json_lang_ok, "en-US", true},
		{web_json_lang_ok, "zh-Hant-TW", true},
		{web_json_lang_ok, "de-CH-1996", true},
		{web_json_lang_ok, "x-klingon", true},
		{web_json_lang_ok, "en_US", false},
		{web_json_lang_ok, "en-", false},
		{web_json_lang_ok, "-en", false},
		{web_json_lang_ok, "1en", false},
		{web_json_lang_ok, "abcdefghi", false},
		{web_json_lang_ok, "", false},
		{web_json_mime_ok, "text/plain", true},
		{web_json_mime_ok, "application/vnd.ms-excel", true},
		{web_json_mime_ok, "image/svg+xml", true},
		{web_json_mime_ok, "text", false},
		{web_json_mime_ok, "text/", false},
		{web_json_mime_ok, "/plain", false},
		{web_json_mime_ok, "text/plain/x", false},
		{web_json_mime_ok, "text/plain; charset=utf-8", false},
		{web_json_mime_ok, "text/.x", false},
		{web_json_url_ok, "https://example.com/q.pdf", true},
		{web_json_url_ok, "http://example.com", true},
		{web_json_url_ok, "HTTP://EXAMPLE.COM:8080/a?b=c#d", true},
		{web_json_url_ok, "https://u:p@h.example/x", true},
		{web_json_url_ok, "http://[::1]:80/", true},
		{web_json_url_ok, "http://[::1]/", true},
		{web_json_url_ok, "http://h:65535", true},
		{web_json_url_ok, "http://h:65536", false},
		{web_json_url_ok, "http://h:0", false},
		{web_json_url_ok, "http://h:", false},
		{web_json_url_ok, "http://h:8x", false},
		{web_json_url_ok, "http://[::1", false},
		{web_json_url_ok, "http://[]/", false},
		{web_json_url_ok, "http://u@/x", false},
		{web_json_url_ok, "http://", false},
		{web_json_url_ok, "https:/x", false},
		{web_json_url_ok, "ftp://h/x", false},
		{web_json_url_ok, "file:///etc/passwd", false},
		{web_json_url_ok, "//h/x", false},
		{web_json_url_ok, "http://h/a b", false},
		{web_json_url_ok, "http://h/<x>", false},
		{web_json_url_ok, "http://h/\xc3\xa9", false},
		{web_json_url_ok, "http://h/\r\n", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i].fn(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
			fail_msg("case %zu '%s'", i, cases[i].s);
	/* views: a NUL inside the length is a byte like any other */
	assert_false(web_json_token_ok("ab\0c", 4));
	assert_false(web_json_url_ok("http://h/\0", 10));
	assert_true(web_json_token_ok("abc!", 3));
}

static void test_b64(void **state)
{
	static const struct {
		const char *in;
		bool ok;
		const char *out;
	} cases[] = {
		{"", true, ""},
		{"aGk=", true, "hi"},
		{"aGk", true, "hi"},
		{"aGVsbG8=", true, "hello"},
		{"aGVsbG8", true, "hello"},
		{"aGVs\r\nbG8=", true, "hello"},
		{"aGVsbA==", true, "hell"},
		{"aGVsbA", true, "hell"},
		{"aGVsbA=", false, NULL},
		{"aGVsbA===", false, NULL},
		{"a", false, NULL},
		{"aGVsb", false, NULL},
		{"aGk=aGk=", false, NULL},
		{"aGl=", false, NULL},      /* unused bits set */
		{"aGVsbB==", false, NULL},
		{"aG k", false, NULL},
		{"aG-_", false, NULL},
		{"====", false, NULL},
	};
	unsigned char src[300], out[300];
	char *enc;
	size_t i, n, len, elen;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].in);
		if (web_json_b64_check(cases[i].in, len, &n) != cases[i].ok)
			fail_msg("case %zu '%s'", i, cases[i].in);
		if (!cases[i].ok)
			continue;
		assert_int_equal(n, strlen(cases[i].out));
		web_json_b64_decode(out, cases[i].in, len);
		assert_memory_equal(out, cases[i].out, n);
	}
	for (i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 37 + 11);
	for (len = 0; len <= sizeof(src); len++) {
		assert_int_equal(web_json_b64_encode(&enc, &elen, src, len), 0);
		assert_int_equal(elen, (len + 2) / 3 * 4);
		assert_int_equal(strlen(enc), elen);
		assert_true(web_json_b64_check(enc, elen, &n));
		assert_int_equal(n, len);
		web_json_b64_decode(out, enc, elen);
		assert_memory_equal(out, src, len);
		free(enc);
	}
	assert_int_equal(web_json_b64_encode(&enc, NULL, "hello", 5), 0);
	assert_string_equal(enc, "aGVsbG8=");
	free(enc);
}

static int load(const char *s, struct web_json_err *e)
{
	json_t *root = NULL;
	int err;

	memset(e, 0, sizeof(*e));
	err = web_json_load(&root, s, strlen(s), e);
	if (!err)
		assert_true(json_is_object(root));
	json_decref(root);
	return err;
}

/* A heap string of n × open, then the core, then n × close. */
static char *nest(size_t n, char open, const char *core, char close)
{
	size_t cl = strlen(core);
	char *s = malloc(2 * n + cl + 1);

	assert_non_null(s);
	memset(s, open, n);
	memcpy(s + n, core, cl);
	memset(s + n + cl, close, n);
	s[2 * n + cl] = '\0';
	return s;
}

/* {"a":<s>} in a new heap string; s is freed. */
static char *wrap_a(char *s)
{
	size_t n = strlen(s) + 8;
	char *b = malloc(n);

	assert_non_null(b);
	snprintf(b, n, "{\"a\":%s}", s);
	free(s);
	return b;
}

static void test_load(void **state)
{
	struct web_json_err e;
	char *s, *b;
	size_t i;

	(void)state;
	assert_int_equal(load("{}", &e), 0);
	assert_int_equal(load("\xef\xbb\xbf{\"a\": 1}", &e), 0);
	assert_int_equal(load(" {\"a\": [1, {\"b\": null}]} \n", &e), 0);

	assert_int_equal(load("{\"a\": 1,\n \"a\": 2}", &e), EBADMSG);
	assert_string_equal(e.code, "duplicate_field");
	assert_int_equal(e.status, 400);
	assert_string_equal(e.message,
			    "duplicate key at line 2, column 4: duplicate object key near '\"a\"'");

	assert_int_equal(load("{\"a\": \"\xff\"}", &e), EBADMSG);
	assert_string_equal(e.code, "malformed_json");
	assert_true(web_json_utf8_valid(e.message, strlen(e.message)));

	assert_int_equal(load("{\"a\": 1e400}", &e), EBADMSG);
	assert_string_equal(e.code, "malformed_json");
	assert_int_equal(load("{\"a\": \"\\u0000\"}", &e), EBADMSG);
	assert_string_equal(e.code, "malformed_json");
	assert_int_equal(load("", &e), EBADMSG);
	assert_string_equal(e.code, "malformed_json");
	assert_int_equal(load("\xef\xbb\xbf", &e), EBADMSG);
	assert_string_equal(e.code, "malformed_json");

	assert_int_equal(load("[]", &e), EBADMSG);
	assert_string_equal(e.code, "invalid_body");
	assert_string_equal(e.message, "request body must be a JSON object, got array");
	assert_int_equal(load("true", &e), EBADMSG);
	assert_string_equal(e.message, "request body must be a JSON object, got boolean");
	assert_int_equal(load("1.5", &e), EBADMSG);
	assert_string_equal(e.message, "request body must be a JSON object, got number");

	/* depth: 16 levels pass, 17 do not; brackets in strings do not count */
	s = nest(WEB_JSON_DEPTH_MAX - 1, '[', "{\"x\": \"[[[[[[[[[[[[[[[[[[\"}", ']');
	b = wrap_a(s);
	assert_int_equal(load(b, &e), EBADMSG);      /* 1 + 15 + 1 levels */
	assert_string_equal(e.code, "too_complex");
	free(b);
	s = nest(WEB_JSON_DEPTH_MAX - 2, '[', "{\"x\": \"[[[[[[[[[[[[[[[[[[\\\"\"}", ']');
	b = wrap_a(s);
	assert_int_equal(load(b, &e), 0);            /* 1 + 14 + 1 levels */
	free(b);
	s = nest(10000, '{', "", '}');
	assert_int_equal(load(s, &e), EBADMSG);
	assert_string_equal(e.code, "too_complex");
	assert_string_equal(e.message,
			    "JSON nested deeper than 16 levels at line 1, column 17");
	free(s);

	/* value count: WEB_JSON_ITEMS_MAX passes, one more does not */
	s = malloc(8 + 2 * WEB_JSON_ITEMS_MAX + 4);
	assert_non_null(s);
	memcpy(s, "{\"a\":[0", 7);
	for (i = 0; i < WEB_JSON_ITEMS_MAX - 2; i++)
		memcpy(s + 7 + 2 * i, ",0", 2);
	memcpy(s + 7 + 2 * i, "]}", 3);
	assert_int_equal(load(s, &e), 0);
	memcpy(s + 7 + 2 * i, ",0]}", 5);
	assert_int_equal(load(s, &e), EBADMSG);
	assert_string_equal(e.code, "too_complex");
	free(s);

	/* over the body limit: refused before anything is read */
	assert_int_equal(web_json_load(NULL, "", WEB_JSON_BODY_MAX + 1, &e), EBADMSG);
	assert_int_equal(e.status, 413);
	assert_string_equal(e.code, "body_too_large");
}

static void test_set_helpers(void **state)
{
	json_t *obj = json_object();
	char *out = NULL;

	(void)state;
	assert_non_null(obj);
	assert_int_equal(web_json_set_str(obj, "a", "ok"), 0);
	assert_int_equal(web_json_set_str(obj, "b", NULL), 0);
	assert_int_equal(web_json_set_str(obj, "c", "bad\xff\xc3"), 0);
	assert_int_equal(web_json_set_time(obj, "d", 1795269600250LL), 0);
	assert_int_equal(web_json_set_time(obj, "e", WEB_JSON_TIME_MAX + 1), ERANGE);
	assert_int_equal(web_json_set_new(obj, "f", NULL), ENOMEM);
	assert_int_equal(web_json_set_new(NULL, "f", json_true()), ENOMEM);
	assert_int_equal(web_json_dump(&out, NULL, obj, JSON_COMPACT), 0);
	assert_string_equal(out, "{\"a\":\"ok\",\"b\":null,\"c\":\"bad??\","
			    "\"d\":\"2026-11-21T14:00:00.250Z\"}");
	free(out);
	json_decref(obj);
	assert_string_equal(web_json_type_name(json_null()), "null");
}

/* Allocation failure: a clean ENOMEM and nothing left behind. */
static void test_oom(void **state)
{
	static const char body[] =
		"{\"service\": \"call\", \"to\": \"+1 555 555 0199 and some more\", "
		"\"content\": [{\"type\": \"text/plain\", \"text\": \"a longer text value here\"}], "
		"\"n\": 1234567890123456, \"x\": [true, false, null, 1.5]}";
	struct web_json_err e;
	json_t *root;
	char *out;
	unsigned long k;
	long live;
	int err;

	(void)state;
	web_json_err_set(&e, 400, "invalid_field", "to", "nope");
	for (k = 1; k < 1000; k++) {
		live = alloc_live();
		out = NULL;
		alloc_fail_at(k);
		err = web_json_error_body(&out, NULL, &e);
		alloc_fail_at(0);
		free(out);
		assert_int_equal(alloc_live(), live);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
	}
	assert_true(k > 1 && k < 1000);

	for (k = 1; k < 1000; k++) {
		live = alloc_live();
		root = NULL;
		alloc_fail_at(k);
		err = web_json_load(&root, body, strlen(body), &e);
		alloc_fail_at(0);
		json_decref(root);
		assert_int_equal(alloc_live(), live);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
	}
	assert_true(k > 10 && k < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_time_parse),
		leakcheck_test(test_time_format),
		leakcheck_test(test_time_round_trip),
		leakcheck_test(test_err_set),
		leakcheck_test(test_error_body),
		leakcheck_test(test_quote_clean),
		leakcheck_test(test_utf8),
		leakcheck_test(test_value_syntax),
		leakcheck_test(test_b64),
		leakcheck_test(test_load),
		leakcheck_test(test_set_helpers),
		leakcheck_test(test_oom),
	};

	return cmocka_run_group_tests_name("web_json", tests, NULL, NULL);
}
