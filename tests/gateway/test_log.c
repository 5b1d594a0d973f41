/*
 * tests/gateway/test_log.c — gateway/log.c. Lines are captured in a
 * tmpfile() and read back (open_memstream would allocate behind the
 * allocation counter's back).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tests/pint/test_common.h"
#include "gateway/log.h"

static FILE *cap;
static char out[4 * LOG_LINE_MAX];

static void reset(void)
{
	log_set_level(LOG_LEVEL_INFO);
	log_set_timestamps(false);
	log_set_journal(false);
	cap = tmpfile();
	assert_non_null(cap);
	log_set_output(cap);
}

/* Everything written since the last call (or reset). */
static const char *captured(void)
{
	size_t n;

	assert_int_equal(fflush(cap), 0);
	rewind(cap);
	n = fread(out, 1, sizeof(out) - 1, cap);
	out[n] = '\0';
	rewind(cap);
	assert_int_equal(ftruncate(fileno(cap), 0), 0);
	return out;
}

static void done(void)
{
	log_set_output(NULL);
	fclose(cap);
	cap = NULL;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void test_line_shape(void **state)
{
	(void)state;
	reset();
	log_info("sip: gateway %s up", "pint-east");
	assert_string_equal(captured(), "level=info msg=\"sip: gateway pint-east up\"\n");
	log_err("store: %d", 42);
	assert_string_equal(captured(), "level=err msg=\"store: 42\"\n");
	log_warn("x");
	assert_string_equal(captured(), "level=warn msg=x\n");
	log_msg(LOG_LEVEL_INFO, "%s", "");
	assert_string_equal(captured(), "level=info msg=\"\"\n");
	log_kv(LOG_LEVEL_INFO, "api: request created", "req", "rq_7Hk2", "service", "call", NULL);
	assert_string_equal(captured(),
			    "level=info msg=\"api: request created\" req=rq_7Hk2 service=call\n");
	log_kv(LOG_LEVEL_WARN, NULL, NULL);
	assert_string_equal(captured(), "level=warn msg=\"\"\n");
	done();
}

static void test_timestamp(void **state)
{
	char day0[16], day1[16];
	const char *s;
	struct tm tm;
	time_t t;
	size_t i;

	(void)state;
	reset();
	log_set_timestamps(true);
	t = time(NULL);
	assert_non_null(gmtime_r(&t, &tm));
	strftime(day0, sizeof(day0), "%Y-%m-%d", &tm);
	log_info("hi");
	t = time(NULL);
	assert_non_null(gmtime_r(&t, &tm));
	strftime(day1, sizeof(day1), "%Y-%m-%d", &tm);
	s = captured();
	/* ts=YYYY-MM-DDTHH:MM:SS.mmmZ */
	assert_int_equal(strlen(s), strlen("ts=2025-01-02T03:04:05.678Z level=info msg=hi\n"));
	assert_memory_equal(s, "ts=", 3);
	for (i = 3; i < 27; i++) {
		if (i == 7 || i == 10)
			assert_int_equal(s[i], '-');
		else if (i == 13)
			assert_int_equal(s[i], 'T');
		else if (i == 16 || i == 19)
			assert_int_equal(s[i], ':');
		else if (i == 22)
			assert_int_equal(s[i], '.');
		else if (i == 26)
			assert_int_equal(s[i], 'Z');
		else
			assert_true(s[i] >= '0' && s[i] <= '9');
	}
	assert_true(memcmp(s + 3, day0, 10) == 0 || memcmp(s + 3, day1, 10) == 0);
	assert_string_equal(s + 27, " level=info msg=hi\n");
	done();
}

static void test_escaping(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "rq_7Hk2-x.y/z:1", "rq_7Hk2-x.y/z:1" },
		{ "", "\"\"" },
		{ "a b", "\"a b\"" },
		{ "a=b", "\"a=b\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "C:\\dir", "\"C:\\\\dir\"" },
		{ "l1\nl2", "\"l1\\nl2\"" },
		{ "cr\r", "\"cr\\r\"" },
		{ "tab\t", "\"tab\\t\"" },
		{ "\x01", "\"\\u0001\"" },
		{ "\x1b[31m", "\"\\u001b[31m\"" },
		{ "del\x7f", "\"del\\u007f\"" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xe2\x82\xac", "\xe2\x82\xac" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "bad\xff", "\"bad\\xff\"" },
		{ "cut\xc3", "\"cut\\xc3\"" },
		{ "\xed\xa0\x80", "\"\\xed\\xa0\\x80\"" },
		{ "\xe0\x80\x80", "\"\\xe0\\x80\\x80\"" },
		{ "\xf4\x90\x80\x80", "\"\\xf4\\x90\\x80\\x80\"" },
		{ "\xc0\xaf", "\"\\xc0\\xaf\"" },
	};
	char want[256];
	size_t i;

	(void)state;
	reset();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "level=info msg=m k=%s\n", cases[i].out);
		log_kv(LOG_LEVEL_INFO, "m", "k", cases[i].in, NULL);
		assert_string_equal(captured(), want);
		/* the message goes through the same escaping */
		snprintf(want, sizeof(want), "level=info msg=%s\n", cases[i].out);
		log_info("%s", cases[i].in);
		assert_string_equal(captured(), want);
	}
	done();
}

static void test_keys_and_null_values(void **state)
{
	(void)state;
	reset();
	log_kv(LOG_LEVEL_INFO, "m", "a b", "1", "x=y", "2", "q\"", "3", "", "4", "n\n", "5", NULL);
	assert_string_equal(captured(), "level=info msg=m a_b=1 x_y=2 q_=3 _=4 n_=5\n");
	/* a NULL value is "" and ends the list: "b" is never read */
	log_kv(LOG_LEVEL_INFO, "m", "a", (const char *)NULL, "b", "2", NULL);
	assert_string_equal(captured(), "level=info msg=m a=\"\"\n");
	done();
}

static void test_level_filter(void **state)
{
	(void)state;
	reset();
	assert_int_equal(log_get_level(), LOG_LEVEL_INFO);
	assert_false(log_enabled(LOG_LEVEL_DEBUG));
	log_debug("hidden");
	assert_string_equal(captured(), "");

	log_set_level(LOG_LEVEL_WARN);
	assert_int_equal(log_get_level(), LOG_LEVEL_WARN);
	assert_true(log_enabled(LOG_LEVEL_ERR));
	assert_true(log_enabled(LOG_LEVEL_WARN));
	assert_false(log_enabled(LOG_LEVEL_INFO));
	log_err("e");
	log_warn("w");
	log_info("i");
	log_debug("d");
	log_kv(LOG_LEVEL_INFO, "kv", NULL);
	log_msg(LOG_LEVEL_DEBUG, "m");
	log_msg((enum log_level)17, "out of range");
	assert_string_equal(captured(), "level=err msg=e\nlevel=warn msg=w\n");

	log_set_level((enum log_level)9);
	assert_int_equal(log_get_level(), LOG_LEVEL_WARN);
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("d");
	log_kv(LOG_LEVEL_DEBUG, "kv", "k", "v", NULL);
	assert_string_equal(captured(), "level=debug msg=d\nlevel=debug msg=kv k=v\n");
	log_set_level(LOG_LEVEL_ERR);
	log_warn("w");
	assert_string_equal(captured(), "");
	done();
}

static void test_level_parse(void **state)
{
	static const struct {
		const char *s;
		int err;
		enum log_level level;
	} cases[] = {
		{ "err", 0, LOG_LEVEL_ERR }, { "error", 0, LOG_LEVEL_ERR },
		{ "ERR", 0, LOG_LEVEL_ERR }, { "warn", 0, LOG_LEVEL_WARN },
		{ "Warning", 0, LOG_LEVEL_WARN }, { "info", 0, LOG_LEVEL_INFO },
		{ "debug", 0, LOG_LEVEL_DEBUG }, { "DEBUG", 0, LOG_LEVEL_DEBUG },
		{ "", EINVAL, 0 }, { "trace", EINVAL, 0 }, { "info ", EINVAL, 0 },
		{ "in", EINVAL, 0 },
	};
	enum log_level level;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		level = (enum log_level)99;
		assert_int_equal(log_level_parse(cases[i].s, &level), cases[i].err);
		if (!cases[i].err)
			assert_int_equal(level, cases[i].level);
		else
			assert_int_equal(level, 99);
	}
	assert_int_equal(log_level_parse(NULL, &level), EINVAL);
	assert_int_equal(log_level_parse("info", NULL), EINVAL);
	assert_string_equal(log_level_name(LOG_LEVEL_ERR), "err");
	assert_string_equal(log_level_name(LOG_LEVEL_WARN), "warn");
	assert_string_equal(log_level_name(LOG_LEVEL_INFO), "info");
	assert_string_equal(log_level_name(LOG_LEVEL_DEBUG), "debug");
	assert_string_equal(log_level_name((enum log_level)4), "?");
}

/* Any line: fits, ends in its only newline, quotes balanced. */
static void check_line(const char *s)
{
	size_t n = strlen(s), i, quotes = 0;

	assert_true(n > 0 && n <= LOG_LINE_MAX);
	assert_int_equal(count_char(s, '\n'), 1);
	assert_int_equal(s[n - 1], '\n');
	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			quotes++;
	}
	assert_int_equal(quotes % 2, 0);
}

static const char *ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	assert_true(n >= t);
	assert_string_equal(s + n - t, tail);
	return s + n - t;
}

#define LONG_KEY "a_key_longer_than_the_room_kept_for_the_tail"

static void test_truncation(void **state)
{
	static const char fill[] = { 'a', ' ', '\n', '"', '\x01' };
	char *big;
	const char *s, *end;
	size_t len, k, i;

	(void)state;
	reset();
	big = malloc(5001);
	assert_non_null(big);

	/* a long bare message */
	memset(big, 'a', 5000);
	big[5000] = '\0';
	log_info("%s", big);
	s = captured();
	check_line(s);
	assert_memory_equal(s, "level=info msg=aaaa", 19);
	ends_with(s, "a truncated=true\n");
	assert_true(strlen(s) > LOG_LINE_MAX - 20);

	/* an escape-heavy value is closed, later fields dropped */
	memset(big, '"', 3000);
	big[3000] = '\0';
	log_kv(LOG_LEVEL_INFO, "m", "k", big, "after", "x", NULL);
	s = captured();
	check_line(s);
	end = ends_with(s, "\\\"\" truncated=true\n");
	assert_null(strstr(s, "after="));
	assert_true(end - s > LOG_LINE_MAX - 25);

	/* multi-byte characters are not cut in two */
	for (i = 0; i + 2 <= 3000; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[i] = '\0';
	big[0] = ' ';
	big[1] = ' ';
	log_kv(LOG_LEVEL_INFO, "m", "k", big, NULL);
	s = captured();
	check_line(s);
	end = ends_with(s, "\xc3\xa9\" truncated=true\n");
	(void)end;

	/* around the limit, for bare, quoted and escaped values */
	for (k = 0; k < sizeof(fill); k++) {
		for (len = LOG_LINE_MAX - 80; len < LOG_LINE_MAX + 10; len++) {
			memset(big, fill[k], len);
			big[len] = '\0';
			log_kv(LOG_LEVEL_WARN, "m", "k", big, LONG_KEY, "1", NULL);
			s = captured();
			check_line(s);
			if (!strstr(s, " truncated=true\n"))
				ends_with(s, " " LONG_KEY "=1\n");
			/* here the quoted field's opening quote meets the limit */
			log_kv(LOG_LEVEL_WARN, "m", "a", big, "k", "x y", NULL);
			check_line(captured());
			log_err("%s", big);
			check_line(captured());
		}
	}
	free(big);
	done();
}

static void test_journal(void **state)
{
	char env[64];
	struct stat st;

	(void)state;
	reset();
	log_set_level(LOG_LEVEL_DEBUG);
	log_set_timestamps(true);
	log_set_journal(true);
	log_err("e");
	log_warn("w");
	log_info("i");
	log_debug("d");
	log_kv(LOG_LEVEL_INFO, "kv", "k", "v", NULL);
	assert_string_equal(captured(),
			    "<3>level=err msg=e\n<4>level=warn msg=w\n<6>level=info msg=i\n"
			    "<7>level=debug msg=d\n<6>level=info msg=kv k=v\n");
	log_set_journal(false);
	log_info("i");
	assert_memory_equal(captured(), "ts=", 3);
	done();

	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
	assert_false(log_journal_detected());
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", env, 1), 0);
	assert_true(log_journal_detected());
	snprintf(env, sizeof(env), "%llu:%llu",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino + 1);
	assert_int_equal(setenv("JOURNAL_STREAM", env, 1), 0);
	assert_false(log_journal_detected());
	assert_int_equal(setenv("JOURNAL_STREAM", "junk", 1), 0);
	assert_false(log_journal_detected());
	assert_int_equal(setenv("JOURNAL_STREAM", "12:", 1), 0);
	assert_false(log_journal_detected());
	assert_int_equal(setenv("JOURNAL_STREAM", "12:34x", 1), 0);
	assert_false(log_journal_detected());
	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_line_shape),
		leakcheck_test(test_timestamp),
		leakcheck_test(test_escaping),
		leakcheck_test(test_keys_and_null_values),
		leakcheck_test(test_level_filter),
		leakcheck_test(test_level_parse),
		leakcheck_test(test_truncation),
		leakcheck_test(test_journal),
	};

	return cmocka_run_group_tests_name("gw_log", tests, NULL, NULL);
}
