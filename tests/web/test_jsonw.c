/*
 * tests/web/test_jsonw.c — web/jsonw.c against jansson: every string,
 * number and shape the writer produces must be the bytes json_dumps()
 * produces for the same value (flags 0 and JSON_COMPACT), text that is
 * not UTF-8 cleaned as web_json_set_str() cleans it. jansson is the
 * oracle here and nothing else.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "web/json.h"
#include "web/jsonw.h"

/* the same inputs on every run */
static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	return test_rand(&seed);
}

/* jansson's text of {"k": s} (s NULL: null), s cleaned as the API does. */
static char *oracle_str(const char *s, bool compact)
{
	json_t *obj = json_object();
	char *out = NULL;

	assert_non_null(obj);
	assert_int_equal(web_json_set_str(obj, "k", s), 0);
	assert_int_equal(web_json_dump(&out, NULL, obj, compact ? JSON_COMPACT : 0), 0);
	json_decref(obj);
	return out;
}

static char *writer_str(const char *s, bool compact)
{
	struct web_jsonw w;
	char *out = NULL;
	size_t len = 0;

	web_jsonw_init(&w, compact);
	web_jsonw_open(&w, '{');
	web_jsonw_key(&w, "k");
	web_jsonw_str(&w, s);
	web_jsonw_close(&w, '}');
	assert_int_equal(web_jsonw_finish(&w, &out, &len), 0);
	assert_int_equal(len, strlen(out));
	return out;
}

/* s written by both, in both forms: the same bytes. */
static void same_str(const char *s)
{
	char *want, *got;
	int compact;

	for (compact = 0; compact < 2; compact++) {
		want = oracle_str(s, compact);
		got = writer_str(s, compact);
		if (strcmp(want, got))
			fail_msg("string %zu bytes: jansson %s, writer %s",
				 s ? strlen(s) : 0, want, got);
		free(want);
		free(got);
	}
}

/* The escapes, spelt out: '/' and DEL stay, \u00XX is upper case. */
static void test_escapes(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"", "{\"k\": \"\"}"},
		{"plain", "{\"k\": \"plain\"}"},
		{"a\"b\\c/d", "{\"k\": \"a\\\"b\\\\c/d\"}"},
		{"\b\f\n\r\t", "{\"k\": \"\\b\\f\\n\\r\\t\"}"},
		{"\x01\x1f\x0b\x7f", "{\"k\": \"\\u0001\\u001F\\u000B\x7f\"}"},
		{"caf\xc3\xa9 \xc2\x85 \xe2\x80\xa8 \xf0\x9f\x98\x80",
		 "{\"k\": \"caf\xc3\xa9 \xc2\x85 \xe2\x80\xa8 \xf0\x9f\x98\x80\"}"},
		{"bad\xff\xc3 \x01", "{\"k\": \"bad?? ?\"}"},
		{NULL, "{\"k\": null}"},
	};
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = writer_str(cases[i].in, false);
		assert_string_equal(got, cases[i].out);
		free(got);
		same_str(cases[i].in);
	}
}

/* Every byte alone and inside text, every code point class, bad UTF-8. */
static void test_strings_vs_jansson(void **state)
{
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xe0\x80\x80",
		"\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xfe", "\xff",
		"ok\xe2\x82", "\xe2\x82ok", "a\"\xff\\b\n",
	};
	char s[64];
	uint32_t cp;
	size_t i;
	int b;

	(void)state;
	for (b = 1; b < 256; b++) {
		snprintf(s, sizeof(s), "%c", b);
		same_str(s);
		snprintf(s, sizeof(s), "x%cy%c", b, b);
		same_str(s);
	}
	/* all of U+0001–U+07FF, then a stride through the rest */
	for (cp = 1; cp <= 0x10ffff; cp += cp < 0x800 ? 1 : 0x3f1) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80)
			snprintf(s, sizeof(s), "<%c>", (int)cp);
		else if (cp < 0x800)
			snprintf(s, sizeof(s), "<%c%c>", 0xc0 | (int)(cp >> 6),
				 0x80 | (int)(cp & 0x3f));
		else if (cp < 0x10000)
			snprintf(s, sizeof(s), "<%c%c%c>", 0xe0 | (int)(cp >> 12),
				 0x80 | (int)(cp >> 6 & 0x3f), 0x80 | (int)(cp & 0x3f));
		else
			snprintf(s, sizeof(s), "<%c%c%c%c>", 0xf0 | (int)(cp >> 18),
				 0x80 | (int)(cp >> 12 & 0x3f),
				 0x80 | (int)(cp >> 6 & 0x3f), 0x80 | (int)(cp & 0x3f));
		same_str(s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		same_str(bad[i]);
}

/* Random bytes, mostly text, often broken: 20 000 strings. */
static void test_random_strings(void **state)
{
	static const char pool[] = "aZ09 \"\\/\n\t\x01\x1f\x7f";
	char s[96];
	size_t len, i;
	unsigned n;

	(void)state;
	for (n = 0; n < 20000; n++) {
		len = rnd() % (sizeof(s) - 1);
		for (i = 0; i < len; i++) {
			uint64_t r = rnd();

			if (r % 4)
				s[i] = pool[(r >> 8) % (sizeof(pool) - 1)];
			else
				s[i] = (char)(1 + (r >> 8) % 255);
		}
		s[len] = '\0';
		same_str(s);
	}
}

static void test_integers(void **state)
{
	static const int64_t fixed[] = {
		0, 1, -1, 9, 10, -10, 99, 100, 486, 65535, INT32_MAX, INT32_MIN,
		(int64_t)INT32_MAX + 1, 1795269600000LL, INT64_MAX, INT64_MIN,
		INT64_MIN + 1,
	};
	struct web_jsonw w;
	json_t *arr = json_array();
	char *want = NULL, *got = NULL;
	size_t i;
	int64_t v;

	(void)state;
	assert_non_null(arr);
	web_jsonw_init(&w, false);
	web_jsonw_open(&w, '[');
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 2000; i++) {
		v = i < sizeof(fixed) / sizeof(fixed[0]) ? fixed[i] :
			(int64_t)(rnd() >> (rnd() % 64));
		if (i % 2 && v != INT64_MIN)
			v = -v;
		assert_int_equal(json_array_append_new(arr, json_integer(v)), 0);
		web_jsonw_int(&w, v);
	}
	web_jsonw_close(&w, ']');
	assert_int_equal(web_jsonw_finish(&w, &got, NULL), 0);
	assert_int_equal(web_json_dump(&want, NULL, arr, 0), 0);
	assert_string_equal(got, want);
	json_decref(arr);
	free(want);
	free(got);
}

/*
 * A random value, built as a jansson tree and written at once: nested
 * objects and arrays (empty ones too), strings, integers, booleans and
 * nulls.
 */
static json_t *both(struct web_jsonw *w, unsigned depth)
{
	static const char *const texts[] = {
		"", "x", "two words", "q\"uo\\te", "\n", "caf\xc3\xa9", "bad\xff",
		NULL,
	};
	unsigned kind = depth ? (unsigned)(rnd() % 6) : 2 + (unsigned)(rnd() % 4);
	unsigned i, n = (unsigned)(rnd() % 4);
	char key[16];
	json_t *v = NULL, *item;
	const char *s;
	int64_t x;

	switch (kind) {
	case 0:
		v = json_object();
		web_jsonw_open(w, '{');
		for (i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "k%u", i);
			web_jsonw_key(w, key);
			item = both(w, depth - 1);
			assert_int_equal(json_object_set_new(v, key, item), 0);
		}
		web_jsonw_close(w, '}');
		break;
	case 1:
		v = json_array();
		web_jsonw_open(w, '[');
		for (i = 0; i < n; i++)
			assert_int_equal(json_array_append_new(v, both(w, depth - 1)), 0);
		web_jsonw_close(w, ']');
		break;
	case 2:
		s = texts[rnd() % (sizeof(texts) / sizeof(texts[0]))];
		web_jsonw_str(w, s);
		v = json_object();
		assert_int_equal(web_json_set_str(v, "s", s), 0);
		item = json_incref(json_object_get(v, "s"));
		json_decref(v);
		v = item;
		break;
	case 3:
		x = (int64_t)rnd();
		web_jsonw_int(w, x);
		v = json_integer(x);
		break;
	case 4:
		x = (int64_t)(rnd() % 2);
		web_jsonw_bool(w, x == 1);
		v = json_boolean(x);
		break;
	default:
		web_jsonw_null(w);
		v = json_null();
		break;
	}
	assert_non_null(v);
	return v;
}

static void test_shapes_vs_jansson(void **state)
{
	struct web_jsonw w;
	char *want, *got;
	json_t *v;
	unsigned n;
	int compact;

	(void)state;
	for (n = 0; n < 3000; n++) {
		compact = (int)(n % 2);
		web_jsonw_init(&w, compact);
		v = both(&w, 1 + n % 4);
		got = want = NULL;
		assert_int_equal(web_jsonw_finish(&w, &got, NULL), 0);
		assert_int_equal(web_json_dump(&want, NULL, v,
					       JSON_ENCODE_ANY | (compact ? JSON_COMPACT : 0)), 0);
		assert_string_equal(got, want);
		json_decref(v);
		free(want);
		free(got);
	}
}

/* raw text frames a document: no separator is owed across it. */
static void test_raw(void **state)
{
	struct web_jsonw w;
	char *out = NULL;
	size_t len;

	(void)state;
	web_jsonw_init(&w, true);
	web_jsonw_raw(&w, "id: ");
	web_jsonw_int(&w, 7);
	web_jsonw_raw(&w, "\ndata: ");
	web_jsonw_open(&w, '[');
	web_jsonw_null(&w);
	web_jsonw_str(&w, "a");
	web_jsonw_close(&w, ']');
	web_jsonw_raw(&w, "\n\n");
	assert_int_equal(web_jsonw_finish(&w, &out, &len), 0);
	assert_string_equal(out, "id: 7\ndata: [null,\"a\"]\n\n");
	assert_int_equal(len, strlen(out));
	free(out);
}

/* Members: a NULL string and an integer 0 are null. */
static void test_members(void **state)
{
	struct web_jsonw w;
	char *out = NULL;

	(void)state;
	web_jsonw_init(&w, false);
	web_jsonw_open(&w, '{');
	web_jsonw_member_str(&w, "a", "x");
	web_jsonw_member_str(&w, "b", NULL);
	web_jsonw_member_nz(&w, "c", 486);
	web_jsonw_member_nz(&w, "d", 0);
	web_jsonw_member_nz(&w, "e", -1);
	web_jsonw_close(&w, '}');
	assert_int_equal(web_jsonw_finish(&w, &out, NULL), 0);
	assert_string_equal(out, "{\"a\": \"x\", \"b\": null, \"c\": 486, \"d\": null, \"e\": -1}");
	free(out);
}

/* The first error sticks; finish frees the text and returns it. */
static void test_errors(void **state)
{
	struct web_jsonw w;
	char *out = NULL;

	(void)state;
	web_jsonw_init(&w, false);
	web_jsonw_open(&w, '{');
	web_jsonw_key(&w, "a");
	assert_int_equal(web_jsonw_fail(&w, ERANGE), ERANGE);
	assert_int_equal(web_jsonw_fail(&w, EINVAL), ERANGE);
	assert_int_equal(web_jsonw_str(&w, "b"), ERANGE);
	assert_int_equal(web_jsonw_close(&w, '}'), ERANGE);
	assert_int_equal(web_jsonw_finish(&w, &out, NULL), ERANGE);
	assert_null(out);

	/* nothing written at all: "" */
	web_jsonw_init(&w, false);
	assert_int_equal(web_jsonw_finish(&w, &out, NULL), 0);
	assert_string_equal(out, "");
	free(out);
}

/*
 * finish_fit: the text in a block of about its size; when the shrink
 * fails, the text in the writer's block; when the writer failed, ENOMEM.
 */
static void test_finish_fit(void **state)
{
	struct web_jsonw w;
	unsigned long k;
	char *out;
	size_t len;
	int err;

	(void)state;
	for (k = 0; k <= 2; k++) {
		out = NULL;
		len = 0;
		alloc_fail_at(k);       /* 1: the writer's block, 2: the shrink */
		web_jsonw_init(&w, true);
		web_jsonw_open(&w, '[');
		web_jsonw_bool(&w, true);
		web_jsonw_bool(&w, false);
		web_jsonw_close(&w, ']');
		err = web_jsonw_finish_fit(&w, &out, &len);
		alloc_fail_at(0);
		if (k == 1) {
			assert_int_equal(err, ENOMEM);
			assert_null(out);
			continue;
		}
		assert_int_equal(err, 0);
		assert_string_equal(out, "[true,false]");
		assert_int_equal(len, 12);
		if (k == 0)
			assert_true(malloc_usable_size(out) < 64);
		else
			assert_true(malloc_usable_size(out) >= 1024);
		free(out);
	}
}

/*
 * Allocation k failing, k = 1, 2, …: ENOMEM and nothing left behind,
 * until the text (long enough to grow twice, escaped and not UTF-8) is
 * written whole.
 */
static void test_oom(void **state)
{
	char text[3000];
	struct web_jsonw w;
	unsigned long k;
	char *out;
	long live;
	int err;

	(void)state;
	memset(text, '"', sizeof(text) - 2);
	text[sizeof(text) - 2] = '\xff';
	text[sizeof(text) - 1] = '\0';
	for (k = 1; k < 100; k++) {
		live = alloc_live();
		out = NULL;
		alloc_fail_at(k);
		web_jsonw_init(&w, false);
		web_jsonw_open(&w, '[');
		web_jsonw_str(&w, "first");
		web_jsonw_str(&w, text);
		web_jsonw_close(&w, ']');
		err = web_jsonw_finish(&w, &out, NULL);
		alloc_fail_at(0);
		if (!err) {
			/* ["first", "\"\"…?"] */
			assert_int_equal(strlen(out), 1 + 7 + 2 +
					 1 + 2 * (sizeof(text) - 2) + 1 + 1 + 1);
			free(out);
			break;
		}
		assert_int_equal(err, ENOMEM);
		assert_null(out);
		assert_int_equal(alloc_live(), live);
	}
	assert_true(k > 3 && k < 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_escapes),
		leakcheck_test(test_strings_vs_jansson),
		leakcheck_test(test_random_strings),
		leakcheck_test(test_integers),
		leakcheck_test(test_shapes_vs_jansson),
		leakcheck_test(test_raw),
		leakcheck_test(test_members),
		leakcheck_test(test_errors),
		leakcheck_test(test_finish_fit),
		leakcheck_test(test_oom),
	};

	return cmocka_run_group_tests_name("web_jsonw", tests, NULL, NULL);
}
