/*
 * tests/fakes/oracle.c — inputs for JSON writers and the check of what
 * they wrote against jansson (oracle.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "tests/pint/test_common.h"
#include "tests/fakes/oracle.h"

/* Unix ms of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z. */
#define YEAR_0000 (-62167219200000LL)
#define YEAR_9999 253402300799999LL

/*
 * buf[0..size-1) of quotes, backslashes, newlines, a two-byte character,
 * '/' and spaces over and over, NUL-ended: whole UTF-8 characters (a lead
 * byte the end would cut off becomes 'x').
 */
void test_escaped_text(char *buf, size_t size)
{
	static const char pat[] = "ab\"\\\n\xc3\xa9/ ";
	size_t i;

	if (!size)
		return;
	for (i = 0; i + 1 < size; i++)
		buf[i] = pat[i % (sizeof(pat) - 1)];
	if (i && buf[i - 1] == '\xc3')
		buf[i - 1] = 'x';
	buf[i] = '\0';
}

/* true once in n draws. */
bool test_one_in(uint64_t *s, unsigned n)
{
	return test_rand(s) % n == 0;
}

/*
 * NULL, "", plain text, every escape, controls, non-ASCII, UTF-8 that is
 * broken in each way (cleaned by the writers), and 1 499 bytes (past a
 * writer's first buffer).
 */
const char *test_text(uint64_t *s)
{
	static char long_text[1500];
	static const char *const pool[] = {
		NULL, "", "call connected", "+1 555 555 0199", "+15555550199",
		"q\"uo\\te/slash", "line\nbreak\r\t\b\f", "\x01\x1f\x7f",
		"caf\xc3\xa9 \xe2\x98\x8e \xf0\x9f\x98\x80", "\xc2\x80\xc2\x9f",
		"bad\xff\xfe", "\xed\xa0\x80", "half\xe2\x82", "\xc0\xaf",
		"ctl in bad\n\xff", "399 gw \"Busy\"", "</script>", long_text,
	};

	if (!long_text[0])
		test_escaped_text(long_text, sizeof(long_text));
	return pool[test_rand(s) % (sizeof(pool) / sizeof(pool[0]))];
}

/* Unix ms from year 0000 to 9999 (before 1970 too), one in 60 outside. */
int64_t test_when(uint64_t *s)
{
	static const int64_t fixed[] = {
		0, -1, 1, 999, 1000, 1795269600000LL, 1795269600250LL,
		-62135596800000LL, 951868799000LL, YEAR_0000, YEAR_9999,
	};
	uint64_t span = (uint64_t)(YEAR_9999 - YEAR_0000) + 1;

	if (test_one_in(s, 60))
		return test_one_in(s, 2) ? YEAR_9999 + 1 : INT64_MIN;
	if (test_one_in(s, 2))
		return fixed[test_rand(s) % (sizeof(fixed) / sizeof(fixed[0]))];
	return YEAR_0000 + (int64_t)(test_rand(s) % span);
}

/* A SIP status code, 0 (none) and the ends of int among them. */
int test_sip_code(uint64_t *s)
{
	static const int codes[] = {0, 100, 180, 200, 486, 606, -1, INT32_MAX, INT32_MIN};

	return codes[test_rand(s) % (sizeof(codes) / sizeof(codes[0]))];
}

/* The writer's text got is jansson's want, byte for byte, and parses. Both freed. */
void test_same_json(char *got, char *want)
{
	json_error_t je;
	json_t *back;

	if (strcmp(got, want))
		fail_msg("writer:  %s\njansson: %s", got, want);
	back = json_loads(got, JSON_REJECT_DUPLICATES, &je);
	if (!back)
		fail_msg("%s: %s", je.text, got);
	json_decref(back);
	free(got);
	free(want);
}
