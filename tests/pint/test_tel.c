/*
 * tests/pint/test_tel.c — pint/tel.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/tel.h"

#define FIELDS 6

/* Undo the \xNN and \\ escapes of tests/data/tel/numbers.txt in place. */
static size_t unescape(char *s)
{
	size_t i, o = 0, n = strlen(s);

	if (strcmp(s, "\"\"") == 0) {
		s[0] = '\0';
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && s[i + 1] == '\\') {
			s[o++] = '\\';
			i++;
		} else if (s[i] == '\\' && s[i + 1] == 'x') {
			char hex[3] = {s[i + 2], s[i + 3], '\0'};

			s[o++] = (char)strtoul(hex, NULL, 16);
			i += 3;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static enum pint_tel_kind kind_of(const char *s)
{
	if (strcmp(s, "global") == 0)
		return PINT_TEL_GLOBAL;
	if (strcmp(s, "national") == 0)
		return PINT_TEL_NATIONAL;
	if (strcmp(s, "local") == 0)
		return PINT_TEL_LOCAL;
	fail_msg("bad kind '%s' in numbers.txt", s);
	return PINT_TEL_NONE;
}

/* Everything a successful parse promises, checked on one case. */
static void check_ok(const char *line, const char *in, size_t inlen,
		     const char *ctx, char **f)
{
	char out[PINT_TEL_RFC2543_SIZE], mask[PINT_TEL_RFC2543_SIZE];
	struct pint_tel tel, again;
	struct pint_tel_error why;
	bool global;
	int err;

	err = pint_tel_parse(&tel, in, inlen, ctx, "to", &why);
	if (err)
		fail_msg("%s: %s", line, why.msg);
	assert_int_equal(why.reason, PINT_TEL_OK);
	assert_int_equal(tel.kind, kind_of(f[2]));
	assert_string_equal(tel.e164, strcmp(f[3], "-") ? f[3] : "");
	assert_int_equal(pint_tel_rfc2543(&tel, out, sizeof(out)), 0);
	assert_string_equal(out, f[4]);
	assert_int_equal(pint_tel_check_rfc2543(out, strlen(out), &global), 0);
	assert_int_equal(global, tel.kind == PINT_TEL_GLOBAL);

	if (tel.kind == PINT_TEL_GLOBAL)
		assert_string_equal(tel.context, "");
	else
		assert_int_equal(pint_tel_check_context(tel.context,
							strlen(tel.context)), 0);

	/* what we put on the wire reads back as the same number */
	assert_int_equal(pint_tel_parse(&again, out, strlen(out),
					tel.context, "to", &why), 0);
	assert_int_equal(again.kind, tel.kind);
	assert_string_equal(again.e164, tel.e164);

	if (tel.e164[0]) {
		assert_int_equal(pint_tel_rfc2543_global(&tel, out, sizeof(out)), 0);
		assert_int_equal(pint_tel_check_rfc2543(out, strlen(out), &global), 0);
		assert_true(global);
		assert_int_equal(pint_tel_mask(tel.e164, mask, sizeof(mask)), 0);
	} else {
		assert_int_equal(pint_tel_rfc2543_global(&tel, out, sizeof(out)), ENOENT);
		assert_int_equal(pint_tel_mask(tel.grouped, mask, sizeof(mask)), 0);
	}
	assert_string_equal(mask, f[5]);
}

static void check_error(const char *line, const char *in, size_t inlen,
			const char *ctx, char **f)
{
	struct pint_tel tel;
	struct pint_tel_error why;
	int err;

	err = pint_tel_parse(&tel, in, inlen, ctx, "to", &why);
	if (err != EINVAL)
		fail_msg("%s: accepted as %s", line, tel.e164);
	assert_string_equal(pint_tel_reason_name(why.reason), f[3]);
	assert_int_equal(why.pos, strtoul(f[4], NULL, 10));
	if (why.pos)
		assert_int_equal(why.ch, (unsigned char)
				 (why.reason == PINT_TEL_BAD_CHAR ? in : ctx)[why.pos - 1]);
	assert_true(strncmp(why.msg, "to: ", 4) == 0);
	assert_true(strlen(why.msg) > 8);
	assert_int_equal(tel.kind, PINT_TEL_NONE);
	assert_string_equal(tel.e164, "");
}

static void test_table(void **state)
{
	size_t len, n = 0;
	char *buf = test_read_file("tel/numbers.txt", &len);
	char *line, *next;

	(void)state;
	for (line = buf; line && *line; line = next) {
		char copy[256], *f[FIELDS], *s;
		const char *ctx;
		size_t nf = 0, inlen;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || line[strspn(line, " ")] == '\0')
			continue;
		snprintf(copy, sizeof(copy), "%s", line);
		for (s = line; nf < FIELDS; nf++) {
			char *bar = strchr(s, '|');

			if (bar)
				*bar = '\0';
			f[nf] = trim(s);
			if (!bar) {
				nf++;
				break;
			}
			s = bar + 1;
		}
		if (nf < 5)
			fail_msg("short line: %s", copy);
		inlen = unescape(f[0]);
		unescape(f[1]);
		ctx = strcmp(f[1], "-") ? f[1] : NULL;
		if (strcmp(f[2], "error") == 0) {
			check_error(copy, f[0], inlen, ctx, f);
		} else {
			if (nf < 6)
				fail_msg("short line: %s", copy);
			check_ok(copy, f[0], inlen, ctx, f);
		}
		n++;
	}
	free(buf);
	assert_true(n >= 80);
}

static void expect_msg(const char *in, size_t len, const char *ctx,
		       const char *field, const char *msg)
{
	struct pint_tel tel;
	struct pint_tel_error why;

	assert_int_equal(pint_tel_parse(&tel, in, len, ctx, field, &why), EINVAL);
	assert_string_equal(why.msg, msg);
}

#define MSG(in, ctx, field, msg) expect_msg(in, sizeof(in) - 1, ctx, field, msg)

static void test_messages(void **state)
{
	(void)state;
	MSG("+1-55", NULL, "to",
	    "to: '+1-55' is too short for an E.164 number");
	MSG("", NULL, "to", "to: is empty");
	MSG("( )", NULL, "from", "from: '( )' has no digits");
	MSG("1-800-FLOWERS", "+1", "to",
	    "to: '1-800-FLOWERS' has an invalid character 'F' at position 7");
	MSG("++1", NULL, "to",
	    "to: '++1' has an invalid character '+' at position 2 (a '+' may only start the number)");
	MSG("+1\r\n", NULL, "to",
	    "to: '+1\\x0D\\x0A' has an invalid byte 0x0D at position 3");
	MSG("+1555\0", NULL, "to",
	    "to: '+1555\\x00' has an invalid byte 0x00 at position 6");
	MSG("\xEF\xBC\x91", NULL, "to",
	    "to: '\\xEF\\xBC\\x91' has an invalid byte 0xEF at position 1");
	MSG("1'2", "+44", "to",
	    "to: '1'2' has an invalid byte 0x27 at position 2");
	MSG("+1234567890123456", NULL, "to",
	    "to: '+1234567890123456' is too long for an E.164 number (16 digits, at most 15)");
	MSG("1234567890123456", NULL, "to",
	    "to: '1234567890123456' is too long for a telephone number (16 digits, at most 15)");
	MSG("22345678901", "+1", "to",
	    "to: '22345678901' is too long for an E.164 number in phone context '+1'");
	MSG("+0 123 4567", NULL, "to",
	    "to: '+0 123 4567' has a country code starting with 0");
	MSG("+999 123 4567", NULL, "to",
	    "to: '+999 123 4567' does not start with a known country code");
	MSG("0201 555 0142", NULL, "to",
	    "to: '0201 555 0142' has no '+' and country code, and no phone context was given");
	MSG("0201", "abc", "to",
	    "to: phone context 'abc' is not '+' and digits, digits or an 'X-' name");
	MSG("0201", "X-a b", "to",
	    "to: phone context 'X-a b' has an invalid character ' ' at position 4");
	MSG("0201", "+44a", "to",
	    "to: phone context '+44a' has an invalid character 'a' at position 4");
	MSG("0201", "+0", "to",
	    "to: phone context '+0' has a country code starting with 0");
	MSG("0201", "+999", "to",
	    "to: phone context '+999' does not start with a known country code");
	MSG("0201", "+1234567890123456", "to",
	    "to: phone context '+1234567890123456' has more than 15 digits");
	MSG("0201", "- -", "to",
	    "to: phone context '- -' is not '+' and digits, digits or an 'X-' name");
	MSG("0201", "+", "to", "to: phone context '+' has no digits");
	MSG("+1-55", NULL, NULL, "'+1-55' is too short for an E.164 number");
	MSG("+1-55", NULL, "", "'+1-55' is too short for an E.164 number");
}

static void test_hostile(void **state)
{
	char big[10240], ctx[200];
	struct pint_tel tel;
	struct pint_tel_error why;
	size_t i;

	(void)state;
	/* 10 KB: refused by size before it is looked at */
	memset(big, '1', sizeof(big));
	big[0] = '+';
	assert_int_equal(pint_tel_parse(&tel, big, sizeof(big), NULL, "to", &why), EINVAL);
	assert_int_equal(why.reason, PINT_TEL_TOO_LONG);
	assert_string_equal(why.msg, "to: is too long (10240 bytes, at most 64)");

	/* the limit is exact: 64 bytes are parsed, 65 are not */
	memset(big, ' ', sizeof(big));
	memcpy(big + 64 - 12, "+15555550199", 12);
	assert_int_equal(pint_tel_parse(&tel, big, PINT_TEL_MAX_INPUT, NULL, "to", &why), 0);
	assert_string_equal(tel.e164, "+15555550199");
	assert_int_equal(pint_tel_parse(&tel, big + 63 - 12, PINT_TEL_MAX_INPUT + 1,
					NULL, "to", &why), EINVAL);
	assert_int_equal(why.reason, PINT_TEL_TOO_LONG);

	/* 64 digits */
	memset(big, '9', 64);
	big[0] = '+';
	assert_int_equal(pint_tel_parse(&tel, big, 64, NULL, "to", &why), EINVAL);
	assert_int_equal(why.reason, PINT_TEL_TOO_LONG);
	assert_int_equal(pint_tel_parse(&tel, big + 1, 63, "+44", "to", &why), EINVAL);
	assert_int_equal(why.reason, PINT_TEL_TOO_LONG);

	/* a long message is cut short, still terminated */
	memset(big, 0xff, 64);
	assert_int_equal(pint_tel_parse(&tel, big, 64, NULL,
					"a_very_long_field_name_that_goes_on_and_on_and_on", &why),
			 EINVAL);
	assert_int_equal(why.reason, PINT_TEL_BAD_CHAR);
	assert_int_equal(why.pos, 1);
	assert_int_equal(why.ch, 0xff);
	assert_true(strlen(why.msg) < sizeof(why.msg));
	assert_non_null(strstr(why.msg, "\\xFF...' has an invalid byte 0xFF at position 1"));
	for (i = 0; why.msg[i]; i++)
		assert_true(why.msg[i] >= 0x20 && why.msg[i] < 0x7f);

	/* only the first len bytes count: nothing past them is read */
	assert_int_equal(pint_tel_parse(&tel, "+15555550199XYZ", 12, NULL, "to", &why), 0);
	assert_string_equal(tel.e164, "+15555550199");
	assert_int_equal(pint_tel_parse(&tel, "+15555550199", 5, NULL, "to", &why), EINVAL);
	assert_int_equal(why.reason, PINT_TEL_TOO_SHORT);

	/* NULL input is empty; NULL why is allowed */
	assert_int_equal(pint_tel_parse(&tel, NULL, 5, NULL, "to", &why), EINVAL);
	assert_int_equal(why.reason, PINT_TEL_EMPTY);
	assert_int_equal(pint_tel_parse(&tel, "+1", 2, NULL, "to", NULL), EINVAL);
	assert_int_equal(pint_tel_parse(&tel, "+15555550199", 12, NULL, NULL, NULL), 0);
	assert_int_equal(pint_tel_parse(NULL, "+15555550199", 12, NULL, NULL, &why), EINVAL);

	/* an unterminated-looking, overlong context */
	memset(ctx, '4', sizeof(ctx) - 1);
	ctx[0] = '+';
	ctx[sizeof(ctx) - 1] = '\0';
	assert_int_equal(pint_tel_parse(&tel, "0201", 4, ctx, "to", &why), EINVAL);
	assert_int_equal(why.reason, PINT_TEL_BAD_CONTEXT);
	assert_string_equal(why.msg, "to: phone context is too long (at most 64 bytes)");
	/* 64 bytes of private context are fine */
	memset(ctx, 'a', sizeof(ctx));
	memcpy(ctx, "X-", 2);
	ctx[PINT_TEL_MAX_CONTEXT] = '\0';
	assert_int_equal(pint_tel_parse(&tel, "321", 3, ctx, "to", &why), 0);
	assert_string_equal(tel.context, ctx);

	/* a failed parse leaves nothing behind from an earlier success */
	assert_int_equal(pint_tel_parse(&tel, "+15555550199", 12, NULL, "to", &why), 0);
	assert_int_equal(pint_tel_parse(&tel, "+1555", 5, NULL, "to", &why), EINVAL);
	assert_int_equal(tel.kind, PINT_TEL_NONE);
	assert_string_equal(tel.e164, "");
	assert_string_equal(tel.grouped, "");
}

struct rfc2543_case {
	const char *in;
	int err;
	bool global;
};

static void test_check_rfc2543(void **state)
{
	static const struct rfc2543_case cases[] = {
		{"+1-555-555-0199", 0, true},
		{"+15555550199", 0, true},
		{"+1", 0, true},
		{"0201-555-0142", 0, false},
		{"123", 0, false},
		{"0", 0, false},
		{"+123456789012345", 0, true},
		{"1-2-3-4-5-6-7-8-9-0-1-2-3-4-5", 0, false},
		{"+1234567890123456", EBADMSG, false},
		{"1234567890123456", EBADMSG, false},
		{"", EBADMSG, false},
		{"+", EBADMSG, false},
		{"+0123", EBADMSG, false},
		{"+-1", EBADMSG, false},
		{"-1", EBADMSG, false},
		{"1-", EBADMSG, false},
		{"1--2", EBADMSG, false},
		{"+1 555", EBADMSG, false},
		{"+1.555", EBADMSG, false},
		{"(555)5550199", EBADMSG, false},
		{"555*1", EBADMSG, false},
		{"555#", EBADMSG, false},
		{"++1", EBADMSG, false},
		{"1+1", EBADMSG, false},
		{"555;user=phone", EBADMSG, false},
		{"555 ", EBADMSG, false},
		{" 555", EBADMSG, false},
		{"555\r\n", EBADMSG, false},
		{"\xEF\xBC\x91", EBADMSG, false},
	};
	size_t i;
	bool global;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		global = !cases[i].global;
		assert_int_equal(pint_tel_check_rfc2543(cases[i].in,
							strlen(cases[i].in), &global),
				 cases[i].err);
		if (!cases[i].err)
			assert_int_equal(global, cases[i].global);
	}
	/* embedded NUL and bounds */
	assert_int_equal(pint_tel_check_rfc2543("12\0003", 4, NULL), EBADMSG);
	assert_int_equal(pint_tel_check_rfc2543("123-", 3, NULL), 0);
	assert_int_equal(pint_tel_check_rfc2543(NULL, 0, NULL), EBADMSG);
}

struct context_case {
	const char *in;
	int err;
};

static void test_check_context(void **state)
{
	static const struct context_case cases[] = {
		{"+44", 0},
		{"+97252", 0},
		{"+1", 0},
		{"0345", 0},
		{"X-acme.com-23", 0},
		{"x-pbx", 0},
		{"X-a%20b", 0},
		{"+123456789012345", 0},
		{"123456789012345", 0},
		{"", EBADMSG},
		{"+", EBADMSG},
		{"+0", EBADMSG},
		{"+999", EBADMSG},
		{"+28", EBADMSG},
		{"+1 555", EBADMSG},
		{"+1-555", EBADMSG},
		{"+1234567890123456", EBADMSG},
		{"1234567890123456", EBADMSG},
		{"X-", EBADMSG},
		{"X", EBADMSG},
		{"Y-acme", EBADMSG},
		{"acme.com", EBADMSG},
		{"X-a b", EBADMSG},
		{"X-a%2", EBADMSG},
		{"X-a%zz", EBADMSG},
		{"X-a\r\n", EBADMSG},
		{"X-a\"b", EBADMSG},
		{"X-\xC3\xA9", EBADMSG},
		{"44+", EBADMSG},
	};
	char big[PINT_TEL_MAX_CONTEXT + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (pint_tel_check_context(cases[i].in, strlen(cases[i].in)) != cases[i].err)
			fail_msg("context '%s': expected %d", cases[i].in, cases[i].err);
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "X-", 2);
	assert_int_equal(pint_tel_check_context(big, PINT_TEL_MAX_CONTEXT), 0);
	assert_int_equal(pint_tel_check_context(big, PINT_TEL_MAX_CONTEXT + 1), EBADMSG);
	assert_int_equal(pint_tel_check_context("X-a\0b", 5), EBADMSG);
	assert_int_equal(pint_tel_check_context(NULL, 0), EBADMSG);
}

struct mask_case {
	const char *in;
	const char *out;
};

static void test_mask(void **state)
{
	static const struct mask_case cases[] = {
		{"+15555550199", "+1******0199"},
		{"+1-5555550199", "+1-******0199"},
		{"+442055550177", "+44******0177"},
		{"+29022123", "+****2123"},
		{"+99912345678", "+*******5678"},
		{"0201-555-0142", "****-***-0142"},
		{"12345678", "****5678"},
		{"123", "**3"},
		{"12", "*2"},
		{"1", "*"},
		{"", ""},
		{"+", "+"},
		{"abc\r\n\x01\xff", "abc????"},
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(pint_tel_mask(cases[i].in, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].out);
		assert_int_equal(strlen(buf), strlen(cases[i].in));
	}
	assert_int_equal(pint_tel_mask("+15555550199", buf, 13), 0);
	assert_int_equal(pint_tel_mask("+15555550199", buf, 12), EMSGSIZE);
	assert_string_equal(buf, "");
	assert_int_equal(pint_tel_mask(NULL, buf, sizeof(buf)), EINVAL);
	assert_int_equal(pint_tel_mask("1", NULL, 0), EINVAL);
}

static void test_output_buffers(void **state)
{
	struct pint_tel tel;
	char buf[PINT_TEL_RFC2543_SIZE];

	(void)state;
	assert_int_equal(pint_tel_parse(&tel, "+123456789012345", 16, NULL, "to", NULL), 0);
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "+1-23456789012345");
	assert_int_equal(pint_tel_rfc2543(&tel, buf, 18), 0);
	assert_int_equal(pint_tel_rfc2543(&tel, buf, 17), EMSGSIZE);
	assert_string_equal(buf, "");
	assert_int_equal(pint_tel_rfc2543(&tel, NULL, 0), EINVAL);

	/* the largest grouped forms fit PINT_TEL_RFC2543_SIZE */
	assert_int_equal(pint_tel_parse(&tel, "+1 2 3 4 5 6 7 8 9 0 1 2 3 4 5", 30,
					NULL, "to", NULL), 0);
	assert_string_equal(tel.grouped, "+1-2-3-4-5-6-7-8-9-0-1-2-3-4-5");
	assert_int_equal(pint_tel_parse(&tel, "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5", 29,
					"X-pbx", "to", NULL), 0);
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-2-3-4-5-6-7-8-9-0-1-2-3-4-5");

	/* national: local form by default, global form on request */
	assert_int_equal(pint_tel_parse(&tel, "0201 555 0142", 13, "+44", "to", NULL), 0);
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0201-555-0142");
	assert_string_equal(tel.context, "+44");
	assert_int_equal(tel.cc_len, 2);
	assert_int_equal(pint_tel_rfc2543_global(&tel, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "+44-2015550142");

	/* structs not filled by pint_tel_parse() are refused */
	memset(&tel, 0, sizeof(tel));
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), EINVAL);
	assert_int_equal(pint_tel_rfc2543_global(&tel, buf, sizeof(buf)), EINVAL);
	assert_int_equal(pint_tel_rfc2543(NULL, buf, sizeof(buf)), EINVAL);
	tel.kind = PINT_TEL_GLOBAL;
	memcpy(tel.e164, "+15555550199", 13);
	tel.cc_len = 2;
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), EINVAL);
	tel.cc_len = 1;
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), 0);
	memset(tel.e164, '1', sizeof(tel.e164));
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), EINVAL);
	tel.kind = PINT_TEL_LOCAL;
	memcpy(tel.grouped, "12--3", 6);
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), EINVAL);
	tel.kind = (enum pint_tel_kind)42;
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), EINVAL);
}

static void test_country_codes(void **state)
{
	static const char *const known[] = {
		"1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39",
		"40", "41", "43", "44", "45", "46", "47", "48", "49", "51",
		"52", "53", "54", "55", "56", "57", "58", "60", "61", "62",
		"63", "64", "65", "66", "81", "82", "84", "86", "90", "91",
		"92", "93", "94", "95", "98",
		"211", "212", "213", "216", "218", "220", "229", "230", "239",
		"240", "249", "250", "258", "260", "269", "290", "291", "297",
		"298", "299", "350", "359", "370", "379", "380", "383", "385",
		"388", "389", "420", "421", "423", "500", "509", "590", "599",
		"670", "672", "679", "680", "683", "685", "689", "690", "692",
		"800", "808", "850", "852", "853", "855", "856", "870", "878",
		"880", "881", "882", "883", "886", "888", "960", "968", "970",
		"977", "979", "991", "992", "998",
	};
	static const char *const spare[] = {
		"0", "00", "210", "214", "215", "217", "219", "259", "280",
		"289", "292", "296", "384", "422", "424", "429", "671", "684",
		"693", "699", "801", "809", "830", "839", "851", "854", "857",
		"859", "871", "875", "879", "884", "887", "889", "890", "899",
		"969", "978", "990", "999", "2", "35", "3", "x1",
	};
	size_t i, assigned = 0;
	char d[3];

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_int_equal(pint_tel_cc_len(known[i], strlen(known[i])),
				 strlen(known[i]));
	for (i = 0; i < sizeof(spare) / sizeof(spare[0]); i++)
		assert_int_equal(pint_tel_cc_len(spare[i], strlen(spare[i])), 0);
	/* the code is the shortest prefix; trailing digits do not matter */
	assert_int_equal(pint_tel_cc_len("15555550199", 11), 1);
	assert_int_equal(pint_tel_cc_len("442055550177", 12), 2);
	assert_int_equal(pint_tel_cc_len("97252123", 8), 3);
	assert_int_equal(pint_tel_cc_len(NULL, 0), 0);

	/* no code is a prefix of another: count each once over 000..999 */
	for (i = 0; i < 1000; i++) {
		d[0] = (char)('0' + i / 100);
		d[1] = (char)('0' + i / 10 % 10);
		d[2] = (char)('0' + i % 10);
		if (pint_tel_cc_len(d, 3) == 3)
			assigned++;
	}
	/* 3-digit codes: 23 prefixes of the table above, summed by hand */
	assert_int_equal(assigned, 5 + 10 + 10 + 10 + 9 + 10 + 5 + 10 + 10 +
			 9 + 3 + 10 + 10 + 9 + 9 + 3 + 2 + 5 + 2 + 6 + 9 + 9 + 8);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(pint_tel_reason_name(PINT_TEL_OK), "ok");
	assert_string_equal(pint_tel_reason_name(PINT_TEL_EMPTY), "empty");
	assert_string_equal(pint_tel_reason_name(PINT_TEL_TOO_SHORT), "too_short");
	assert_string_equal(pint_tel_reason_name(PINT_TEL_TOO_LONG), "too_long");
	assert_string_equal(pint_tel_reason_name(PINT_TEL_BAD_CHAR), "bad_char");
	assert_string_equal(pint_tel_reason_name(PINT_TEL_MISSING_CONTEXT),
			    "missing_context");
	assert_string_equal(pint_tel_reason_name(PINT_TEL_BAD_CONTEXT), "bad_context");
	assert_string_equal(pint_tel_reason_name(PINT_TEL_UNKNOWN_COUNTRY_CODE),
			    "unknown_country_code");
	assert_string_equal(pint_tel_reason_name(PINT_TEL_BAD_PREFIX), "bad_prefix");
	assert_string_equal(pint_tel_reason_name((enum pint_tel_reason)99), "error");
}

static void test_no_allocation(void **state)
{
	struct pint_tel tel;
	struct pint_tel_error why;
	char buf[PINT_TEL_RFC2543_SIZE];
	unsigned long before = alloc_count();

	(void)state;
	assert_int_equal(pint_tel_parse(&tel, "0201 555 0142", 13, "+44", "to", &why), 0);
	assert_int_equal(pint_tel_rfc2543(&tel, buf, sizeof(buf)), 0);
	assert_int_equal(pint_tel_mask(tel.e164, buf, sizeof(buf)), 0);
	assert_int_equal(pint_tel_parse(&tel, "x", 1, "+44", "to", &why), EINVAL);
	assert_int_equal(alloc_count(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_table),
		leakcheck_test(test_messages),
		leakcheck_test(test_hostile),
		leakcheck_test(test_check_rfc2543),
		leakcheck_test(test_check_context),
		leakcheck_test(test_mask),
		leakcheck_test(test_output_buffers),
		leakcheck_test(test_country_codes),
		leakcheck_test(test_reason_names),
		leakcheck_test(test_no_allocation),
	};

	return cmocka_run_group_tests_name("pint_tel", tests, NULL, NULL);
}
