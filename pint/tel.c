/*
 * pint/tel.c — telephone numbers: typed input -> E.164 and RFC 2543 forms.
 *
 * Decisions callers and the API docs rely on:
 * - Separators are ' ', '-', '.', '(', ')', '/'; a '+' may only come
 *   before the first digit. Any other byte is rejected with its position.
 * - A leading "00" is the international prefix ("00 44 …" = "+44 …"),
 *   whatever the context; "011" is one only with a "+1…" context.
 * - In a global number, "(0)" right after the country code is the
 *   national trunk prefix people add in writing ("+44 (0)20 …") and is
 *   dropped.
 * - A number without '+'/00 needs a context. "+cc" contexts make it E.164
 *   (trunk prefixes: see trunks[]); longer "+cc…" contexts ("+97252") are
 *   network prefixes: the number stays LOCAL (remote local dialling,
 *   RFC 2848 §3.4.3.1) except in the fixed-length plans of +1 and +7,
 *   where context digits + number of exactly 10 national digits is
 *   complete ("555-0142" in "+1 555" = +15555550142). Digit-only and
 *   private "X-…" contexts always give LOCAL. So do numbers that would be
 *   too short for E.164 ("123" in "+44").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pint/tel.h"

/*
 * Assigned E.164 country codes, after the ITU-T "List of ITU-T
 * Recommendation E.164 assigned country codes" (complement to E.164,
 * annexed to the ITU Operational Bulletin), with 383 (Kosovo, 2016) and
 * 997 (reserved for Kazakhstan, 2021). Codes for global services and
 * networks (800, 808, 870, 878, 881-883, 888, 979, 991) and for groups
 * of countries (388) are known; spare or expansion codes (210, 28x, 671,
 * 684, 83x, 969, 978, 999, …) are not.
 *
 * Indexed by the first two digits: CC2 marks a two-digit code, bit n a
 * three-digit code ending in n. 1 and 7 are the one-digit codes.
 */
#define CC2	0x400u
#define D(n)	(1u << (n))
#define ALL	0x3ffu

static const uint16_t cc_tab[100] = {
	[20] = CC2, [27] = CC2,
	[21] = D(1) | D(2) | D(3) | D(6) | D(8),
	[22] = ALL, [23] = ALL, [24] = ALL, [25] = ALL & ~D(9), [26] = ALL,
	[29] = D(0) | D(1) | D(7) | D(8) | D(9),
	[30] = CC2, [31] = CC2, [32] = CC2, [33] = CC2, [34] = CC2,
	[35] = ALL, [36] = CC2, [37] = ALL, [38] = ALL & ~D(4), [39] = CC2,
	[40] = CC2, [41] = CC2, [42] = D(0) | D(1) | D(3), [43] = CC2,
	[44] = CC2, [45] = CC2, [46] = CC2, [47] = CC2, [48] = CC2, [49] = CC2,
	[50] = ALL, [51] = CC2, [52] = CC2, [53] = CC2, [54] = CC2,
	[55] = CC2, [56] = CC2, [57] = CC2, [58] = CC2, [59] = ALL,
	[60] = CC2, [61] = CC2, [62] = CC2, [63] = CC2, [64] = CC2,
	[65] = CC2, [66] = CC2,
	[67] = ALL & ~D(1), [68] = ALL & ~D(4), [69] = D(0) | D(1) | D(2),
	[80] = D(0) | D(8), [81] = CC2, [82] = CC2, [84] = CC2, [86] = CC2,
	[85] = D(0) | D(2) | D(3) | D(5) | D(6),
	[87] = D(0) | D(8),
	[88] = D(0) | D(1) | D(2) | D(3) | D(6) | D(8),
	[90] = CC2, [91] = CC2, [92] = CC2, [93] = CC2, [94] = CC2,
	[95] = CC2, [96] = ALL & ~D(9), [97] = ALL & ~D(8), [98] = CC2,
	[99] = ALL & ~(D(0) | D(9)),
};

/*
 * National trunk prefixes dropped when a "+cc" context makes a national
 * number E.164. Not listed: one leading '0'. An empty list means the
 * leading 0 belongs to the number (Italy's "06 …" is +39 06 …). nsn is
 * the fixed national number length (0 = it varies), which is also what
 * lets a prefix context complete a number in those plans.
 */
struct trunk {
	const char *cc;
	const char *prefix[2];
	size_t nsn;
};

static const struct trunk trunks[] = {
	{"1", {"1", NULL}, 10},		/* NANP: 1 NPA NXX XXXX */
	{"7", {"8", NULL}, 10},		/* Russia, Kazakhstan: 8 XXX … */
	{"36", {"06", "0"}, 0},		/* Hungary writes "06 1 …" */
	{"39", {NULL, NULL}, 0},	/* Italy */
	{"378", {NULL, NULL}, 0},	/* San Marino */
	{"379", {NULL, NULL}, 0},	/* Vatican */
	{"225", {NULL, NULL}, 0},	/* Côte d'Ivoire (2021 plan) */
	{"241", {NULL, NULL}, 0},	/* Gabon */
	{"242", {NULL, NULL}, 0},	/* Congo */
};

static const struct trunk trunk_default = {"", {"0", NULL}, 0};

#define NO_INDEX	SIZE_MAX
#define ECHO_SIZE	128	/* bytes of quoted input in a message */

struct scan {
	char d[PINT_TEL_MAX_INPUT];	/* the digits */
	bool brk[PINT_TEL_MAX_INPUT];	/* a separator came before d[i] */
	size_t n;
	bool plus;
	size_t zero_at;			/* d[] index of a "(0)", or NO_INDEX */
};

enum ctx_kind { CTX_NONE, CTX_INTL, CTX_DIGITS, CTX_PRIVATE };

struct ctx {
	enum ctx_kind kind;
	char norm[PINT_TEL_CONTEXT_SIZE];	/* "+44", "0345", "X-a.com-23" */
	size_t nd;				/* digits in norm */
	unsigned cc;				/* country code digits (INTL) */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_sep(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' ||
	       c == '/';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 2396 uric without '%' (checked separately as an escape). */
static bool is_uric(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	return c != '\0' && strchr("-_.!~*'();/?:@&=+$,", c) != NULL;
}

/*
 * Input quoted in a message, escaped (\xNN for anything not printable
 * ASCII, and for '\\') and cut with "..." to fit ECHO_SIZE, so that field,
 * input and text always fit PINT_TEL_MSG_SIZE.
 */
static void echo(char dst[ECHO_SIZE], const char *p, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (o + 4 + sizeof("...") > ECHO_SIZE) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\')
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, ECHO_SIZE - o, "\\x%02X", c);
	}
	dst[o] = '\0';
}

static int fail(struct pint_tel_error *why, const char *field,
		enum pint_tel_reason reason, size_t pos, unsigned char ch,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int fail(struct pint_tel_error *why, const char *field,
		enum pint_tel_reason reason, size_t pos, unsigned char ch,
		const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!why)
		return EINVAL;
	why->reason = reason;
	why->pos = pos;
	why->ch = ch;
	if (field && *field)
		n = snprintf(why->msg, sizeof(why->msg), "%.32s: ", field);
	if (n < 0 || (size_t)n >= sizeof(why->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(why->msg + n, sizeof(why->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return EINVAL;
}

/* "character 'x'" or "byte 0xNN" for a rejected byte. */
static void describe_char(char *dst, size_t size, unsigned char c)
{
	if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
		snprintf(dst, size, "character '%c'", c);
	else
		snprintf(dst, size, "byte 0x%02X", c);
}

/* Digits of a known country code at the start of digits[0..len), else 0. */
unsigned pint_tel_cc_len(const char *digits, size_t len)
{
	unsigned e;

	if (!digits || len < 1 || !is_digit(digits[0]))
		return 0;
	if (digits[0] == '1' || digits[0] == '7')
		return 1;
	if (len < 2 || !is_digit(digits[1]))
		return 0;
	e = cc_tab[(digits[0] - '0') * 10 + (digits[1] - '0')];
	if (e & CC2)
		return 2;
	if (len < 3 || !is_digit(digits[2]))
		return 0;
	return (e & D(digits[2] - '0')) ? 3 : 0;
}

/* Split typed input into digits and separator breaks; reject bad bytes. */
static int scan_number(struct scan *sc, const char *p, size_t len,
		       const char *field, const char *shown,
		       struct pint_tel_error *why)
{
	bool pending = false;
	char what[32];
	size_t i;

	memset(sc, 0, sizeof(*sc));
	sc->zero_at = NO_INDEX;

	for (i = 0; i < len; i++) {
		char c = p[i];

		if (is_digit(c)) {
			sc->brk[sc->n] = pending && sc->n > 0;
			sc->d[sc->n++] = c;
			pending = false;
			continue;
		}
		if (is_sep(c)) {
			if (c == '(' && sc->zero_at == NO_INDEX && i + 2 < len &&
			    p[i + 1] == '0' && p[i + 2] == ')')
				sc->zero_at = sc->n;
			pending = true;
			continue;
		}
		if (c == '+' && !sc->plus && sc->n == 0) {
			sc->plus = true;
			continue;
		}
		describe_char(what, sizeof(what), (unsigned char)c);
		return fail(why, field, PINT_TEL_BAD_CHAR, i + 1,
			    (unsigned char)c,
			    "'%s' has an invalid %s at position %zu%s", shown,
			    what, i + 1,
			    c == '+' ? " (a '+' may only start the number)" : "");
	}

	if (sc->n == 0 && !sc->plus)
		return fail(why, field, PINT_TEL_EMPTY, 0, 0,
			    len ? "'%s' has no digits" : "is empty", shown);
	return 0;
}

/* Remove k digits at index at; their separator breaks merge forward. */
static void drop_digits(struct scan *sc, size_t at, size_t k)
{
	bool b = false;
	size_t i;

	for (i = at; i < at + k + 1 && i < sc->n; i++)
		b = b || sc->brk[i];
	memmove(&sc->d[at], &sc->d[at + k], sc->n - at - k);
	memmove(&sc->brk[at], &sc->brk[at + k],
		(sc->n - at - k) * sizeof(sc->brk[0]));
	sc->n -= k;
	if (at < sc->n)
		sc->brk[at] = at > 0 && b;
	if (sc->zero_at != NO_INDEX) {
		if (sc->zero_at >= at + k)
			sc->zero_at -= k;
		else if (sc->zero_at >= at)
			sc->zero_at = NO_INDEX;
	}
}

/* "+"? digits with one '-' where the user had separators. */
static void group(const struct scan *sc, char *out, size_t size)
{
	size_t i, o = 0;

	if (sc->plus)
		out[o++] = '+';
	for (i = 0; i < sc->n && o + 2 < size; i++) {
		if (i > 0 && sc->brk[i])
			out[o++] = '-';
		out[o++] = sc->d[i];
	}
	out[o] = '\0';
}

/* The strict private-context syntax: "X-" 1*uric, %HH escapes. */
static size_t private_bad_pos(const char *p, size_t len)
{
	size_t i;

	if (len < 1 || (p[0] != 'X' && p[0] != 'x'))
		return 1;
	if (len < 2 || p[1] != '-')
		return 2;
	if (len < 3)
		return 3;
	for (i = 2; i < len; i++) {
		if (p[i] == '%') {
			if (i + 2 >= len || !is_hex(p[i + 1]) || !is_hex(p[i + 2]))
				return i + 1;
			i += 2;
			continue;
		}
		if (!is_uric(p[i]))
			return i + 1;
	}
	return 0;
}

/* Lenient context: separators allowed inside "+cc…" and digit contexts. */
static int parse_context(struct ctx *cx, const char *s, const char *field,
			 struct pint_tel_error *why)
{
	char shown[ECHO_SIZE], what[32];
	const char *nul;
	size_t len, i, o = 0, bad;
	bool plus = false;

	memset(cx, 0, sizeof(*cx));
	if (!s || !*s)
		return 0;
	nul = memchr(s, '\0', PINT_TEL_MAX_CONTEXT + 1);
	if (!nul)
		return fail(why, field, PINT_TEL_BAD_CONTEXT, 0, 0,
			    "phone context is too long (at most %d bytes)",
			    PINT_TEL_MAX_CONTEXT);
	len = (size_t)(nul - s);
	echo(shown, s, len);

	for (i = 0; i < len && is_sep(s[i]); i++)
		;
	if (i == len || (s[i] != '+' && !is_digit(s[i]))) {
		bad = private_bad_pos(s, len);
		if (bad == 0) {
			cx->kind = CTX_PRIVATE;
			memcpy(cx->norm, s, len + 1);
			return 0;
		}
		if (bad <= 2 || bad > len)
			return fail(why, field, PINT_TEL_BAD_CONTEXT, 0, 0,
				    "phone context '%s' is not '+' and digits, digits or an 'X-' name",
				    shown);
		describe_char(what, sizeof(what), (unsigned char)s[bad - 1]);
		return fail(why, field, PINT_TEL_BAD_CONTEXT, bad,
			    (unsigned char)s[bad - 1],
			    "phone context '%s' has an invalid %s at position %zu",
			    shown, what, bad);
	}

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (is_digit(c)) {
			if (cx->nd == PINT_TEL_MAX_DIGITS)
				return fail(why, field, PINT_TEL_BAD_CONTEXT, 0, 0,
					    "phone context '%s' has more than %d digits",
					    shown, PINT_TEL_MAX_DIGITS);
			cx->norm[o++] = c;
			cx->nd++;
		} else if (c == '+' && !plus && cx->nd == 0) {
			plus = true;
			cx->norm[o++] = c;
		} else if (!is_sep(c)) {
			describe_char(what, sizeof(what), (unsigned char)c);
			return fail(why, field, PINT_TEL_BAD_CONTEXT, i + 1,
				    (unsigned char)c,
				    "phone context '%s' has an invalid %s at position %zu",
				    shown, what, i + 1);
		}
	}
	cx->norm[o] = '\0';

	if (cx->nd == 0)
		return fail(why, field, PINT_TEL_BAD_CONTEXT, 0, 0,
			    "phone context '%s' has no digits", shown);
	if (!plus) {
		cx->kind = CTX_DIGITS;
		return 0;
	}
	if (cx->norm[1] == '0')
		return fail(why, field, PINT_TEL_BAD_CONTEXT, 0, 0,
			    "phone context '%s' has a country code starting with 0",
			    shown);
	cx->cc = pint_tel_cc_len(cx->norm + 1, cx->nd);
	if (cx->cc == 0)
		return fail(why, field, PINT_TEL_UNKNOWN_COUNTRY_CODE, 0, 0,
			    "phone context '%s' does not start with a known country code",
			    shown);
	cx->kind = CTX_INTL;
	return 0;
}

static const struct trunk *trunk_for(const char *cc, unsigned cc_len)
{
	size_t i;

	for (i = 0; i < sizeof(trunks) / sizeof(trunks[0]); i++) {
		if (strlen(trunks[i].cc) == cc_len &&
		    memcmp(trunks[i].cc, cc, cc_len) == 0)
			return &trunks[i];
	}
	return &trunk_default;
}

/* How many leading digits are a trunk prefix to drop. */
static size_t trunk_len(const struct trunk *t, const char *d, size_t n)
{
	size_t i, k;

	for (i = 0; i < 2; i++) {
		if (!t->prefix[i])
			continue;
		k = strlen(t->prefix[i]);
		if (n > k && memcmp(d, t->prefix[i], k) == 0 &&
		    (t->nsn == 0 || n - k == t->nsn))
			return k;
	}
	return 0;
}

/* e164 = "+" a b (digits), length already checked. */
static void set_e164(struct pint_tel *tel, const char *a, size_t na,
		     const char *b, size_t nb, unsigned cc)
{
	tel->e164[0] = '+';
	memcpy(tel->e164 + 1, a, na);
	memcpy(tel->e164 + 1 + na, b, nb);
	tel->e164[1 + na + nb] = '\0';
	tel->cc_len = cc;
}

static int parse_global(struct pint_tel *tel, struct scan *sc,
			const char *field, const char *shown,
			struct pint_tel_error *why)
{
	unsigned cc;

	if (sc->n > 0 && sc->d[0] == '0')
		return fail(why, field, PINT_TEL_BAD_PREFIX, 0, 0,
			    "'%s' has a country code starting with 0", shown);
	/* "+44 (0)20 …": the (0) sits right after the country code */
	if (sc->zero_at != NO_INDEX && sc->zero_at >= 1 && sc->zero_at <= 3 &&
	    sc->zero_at < sc->n &&
	    pint_tel_cc_len(sc->d, sc->n) == sc->zero_at)
		drop_digits(sc, sc->zero_at, 1);
	if (sc->n > PINT_TEL_MAX_DIGITS)
		return fail(why, field, PINT_TEL_TOO_LONG, 0, 0,
			    "'%s' is too long for an E.164 number (%zu digits, at most %d)",
			    shown, sc->n, PINT_TEL_MAX_DIGITS);
	if (sc->n < PINT_TEL_MIN_DIGITS)
		return fail(why, field, PINT_TEL_TOO_SHORT, 0, 0,
			    "'%s' is too short for an E.164 number", shown);
	cc = pint_tel_cc_len(sc->d, sc->n);
	if (cc == 0)
		return fail(why, field, PINT_TEL_UNKNOWN_COUNTRY_CODE, 0, 0,
			    "'%s' does not start with a known country code",
			    shown);

	tel->kind = PINT_TEL_GLOBAL;
	set_e164(tel, sc->d, sc->n, "", 0, cc);
	group(sc, tel->grouped, sizeof(tel->grouped));
	return 0;
}

/* A number without '+' in a context; see the module comment. */
static int parse_in_context(struct pint_tel *tel, const struct scan *sc,
			    const struct ctx *cx, const char *field,
			    const char *shown, struct pint_tel_error *why)
{
	const struct trunk *t;
	const char *ccd = cx->norm + 1;
	size_t rest, k, nn;

	tel->kind = PINT_TEL_LOCAL;
	group(sc, tel->grouped, sizeof(tel->grouped));
	memcpy(tel->context, cx->norm, sizeof(tel->context));
	if (cx->kind != CTX_INTL)
		return 0;

	t = trunk_for(ccd, cx->cc);
	rest = cx->nd - cx->cc;
	k = trunk_len(t, sc->d, sc->n);
	nn = sc->n - k;

	if (rest == 0 && t->nsn) {
		if (nn > t->nsn)
			goto too_long;
		if (nn == t->nsn)
			set_e164(tel, ccd, cx->cc, sc->d + k, nn, cx->cc);
	} else if (rest == 0) {
		if (cx->cc + nn > PINT_TEL_MAX_DIGITS)
			goto too_long;
		if (nn > 0 && cx->cc + nn >= PINT_TEL_MIN_DIGITS)
			set_e164(tel, ccd, cx->cc, sc->d + k, nn, cx->cc);
	} else if (t->nsn && nn == t->nsn) {
		set_e164(tel, ccd, cx->cc, sc->d + k, nn, cx->cc);
	} else if (t->nsn && rest + sc->n == t->nsn) {
		set_e164(tel, ccd, cx->nd, sc->d, sc->n, cx->cc);
	}
	if (tel->e164[0])
		tel->kind = PINT_TEL_NATIONAL;
	return 0;

too_long:
	memset(tel, 0, sizeof(*tel));
	return fail(why, field, PINT_TEL_TOO_LONG, 0, 0,
		    "'%s' is too long for an E.164 number in phone context '%s'",
		    shown, cx->norm);
}

/*
 * Parse a number as typed (p, len) into *tel, using context (a
 * phone-context value, NUL-terminated; NULL or "" for none) for numbers
 * without '+'. field names the input in messages ("to"; NULL for none).
 * 0, or EINVAL with *why (may be NULL) saying why; *tel is then zeroed.
 */
int pint_tel_parse(struct pint_tel *tel, const char *p, size_t len,
		   const char *context, const char *field,
		   struct pint_tel_error *why)
{
	char shown[ECHO_SIZE];
	struct scan sc;
	struct ctx cx;
	int err;

	if (why)
		memset(why, 0, sizeof(*why));
	if (!tel)
		return EINVAL;
	memset(tel, 0, sizeof(*tel));
	if (!p)
		len = 0;

	if (len > PINT_TEL_MAX_INPUT)
		return fail(why, field, PINT_TEL_TOO_LONG, 0, 0,
			    "is too long (%zu bytes, at most %d)", len,
			    PINT_TEL_MAX_INPUT);
	echo(shown, p, len);

	err = scan_number(&sc, p, len, field, shown, why);
	if (err)
		return err;
	err = parse_context(&cx, context, field, why);
	if (err)
		return err;

	if (!sc.plus && sc.n >= 2 && sc.d[0] == '0' && sc.d[1] == '0') {
		drop_digits(&sc, 0, 2);
		sc.plus = true;
	} else if (!sc.plus && cx.kind == CTX_INTL && cx.cc == 1 &&
		   sc.n >= 3 && memcmp(sc.d, "011", 3) == 0) {
		drop_digits(&sc, 0, 3);
		sc.plus = true;
	}
	if (sc.plus)
		return parse_global(tel, &sc, field, shown, why);

	if (sc.n > PINT_TEL_MAX_DIGITS)
		return fail(why, field, PINT_TEL_TOO_LONG, 0, 0,
			    "'%s' is too long for a telephone number (%zu digits, at most %d)",
			    shown, sc.n, PINT_TEL_MAX_DIGITS);
	if (cx.kind == CTX_NONE)
		return fail(why, field, PINT_TEL_MISSING_CONTEXT, 0, 0,
			    "'%s' has no '+' and country code, and no phone context was given",
			    shown);
	return parse_in_context(tel, &sc, &cx, field, shown, why);
}

static int put(char *buf, size_t size, const char *s, size_t n)
{
	if (!buf || size == 0)
		return EINVAL;
	if (n >= size) {
		buf[0] = '\0';
		return EMSGSIZE;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/* "+" cc "-" rest from a well-formed e164; EINVAL if it is not. */
static int global_form(const struct pint_tel *tel, char *buf, size_t size)
{
	char out[PINT_TEL_RFC2543_SIZE];
	const char *nul = memchr(tel->e164, '\0', sizeof(tel->e164));
	size_t n, i;

	if (!nul || tel->e164[0] != '+')
		return EINVAL;
	n = (size_t)(nul - tel->e164) - 1;
	if (n < PINT_TEL_MIN_DIGITS || n > PINT_TEL_MAX_DIGITS)
		return EINVAL;
	for (i = 1; i <= n; i++) {
		if (!is_digit(tel->e164[i]))
			return EINVAL;
	}
	if (tel->cc_len == 0 || pint_tel_cc_len(tel->e164 + 1, n) != tel->cc_len)
		return EINVAL;

	out[0] = '+';
	memcpy(out + 1, tel->e164 + 1, tel->cc_len);
	out[1 + tel->cc_len] = '-';
	memcpy(out + 2 + tel->cc_len, tel->e164 + 1 + tel->cc_len,
	       n - tel->cc_len);
	return put(buf, size, out, n + 2);
}

/*
 * The c=TN RFC2543 address: "+cc-rest" ("+1-5555550199") for a GLOBAL
 * number; the typed grouping ("0201-555-0142") for NATIONAL and LOCAL
 * ones, which go with a=phone-context:<tel->context>. EMSGSIZE if buf is
 * too small (PINT_TEL_RFC2543_SIZE always fits), EINVAL for a tel that
 * pint_tel_parse() did not fill.
 */
int pint_tel_rfc2543(const struct pint_tel *tel, char *buf, size_t size)
{
	const char *nul;

	if (!tel)
		return EINVAL;
	switch (tel->kind) {
	case PINT_TEL_GLOBAL:
		return global_form(tel, buf, size);
	case PINT_TEL_NATIONAL:
	case PINT_TEL_LOCAL:
		nul = memchr(tel->grouped, '\0', sizeof(tel->grouped));
		if (!nul || nul == tel->grouped ||
		    pint_tel_check_rfc2543(tel->grouped,
					   (size_t)(nul - tel->grouped), NULL))
			return EINVAL;
		return put(buf, size, tel->grouped,
			   (size_t)(nul - tel->grouped));
	case PINT_TEL_NONE:
		break;
	}
	return EINVAL;
}

/*
 * The global RFC 2543 form of any number that has an E.164 form, for a
 * c= line without phone-context. ENOENT for a LOCAL number.
 */
int pint_tel_rfc2543_global(const struct pint_tel *tel, char *buf,
			    size_t size)
{
	if (!tel || tel->kind == PINT_TEL_NONE)
		return EINVAL;
	if (tel->kind == PINT_TEL_LOCAL)
		return ENOENT;
	return global_form(tel, buf, size);
}

/*
 * A log-safe copy of number, same length: every digit becomes '*' except
 * the last min(4, digits / 2) digits and, when number starts with '+',
 * the country code if at least 4 digits stay masked. Other printable
 * ASCII bytes are kept, the rest become '?'.
 * "+15555550199" -> "+1******0199", "0201-555-0142" -> "****-***-0142",
 * "123" -> "**3". EMSGSIZE if buf cannot hold strlen(number) + 1.
 */
int pint_tel_mask(const char *number, char *buf, size_t size)
{
	size_t n, i, digits = 0, tail, head = 0, idx = 0, m = 0;
	char lead[3] = {0};

	if (!number)
		return EINVAL;
	n = strlen(number);
	if (!buf || size == 0)
		return EINVAL;
	if (size < n + 1) {
		buf[0] = '\0';
		return EMSGSIZE;
	}
	for (i = 0; i < n; i++) {
		if (is_digit(number[i])) {
			if (m < sizeof(lead))
				lead[m++] = number[i];
			digits++;
		}
	}
	tail = digits / 2 < 4 ? digits / 2 : 4;
	if (number[0] == '+') {
		head = pint_tel_cc_len(lead, m);
		if (digits < head + tail + 4)
			head = 0;
	}
	for (i = 0; i < n; i++) {
		char c = number[i];

		if (is_digit(c)) {
			buf[i] = (idx < head || idx >= digits - tail) ? c : '*';
			idx++;
		} else {
			buf[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
		}
	}
	buf[n] = '\0';
	return 0;
}

/*
 * Strict RFC 2848 §3.4.1 address for c=TN RFC2543 (INPAddr / LDPAddr):
 * "+" nonzero-digit or digit, then digits, each '-' followed by a digit;
 * at most PINT_TEL_MAX_DIGITS digits. Country codes are not checked.
 * 0 (and *globalp, may be NULL) or EBADMSG.
 */
int pint_tel_check_rfc2543(const char *p, size_t len, bool *globalp)
{
	size_t i = 0, digits = 0;
	bool global;

	if (!p || len == 0)
		return EBADMSG;
	global = p[0] == '+';
	if (global) {
		i = 1;
		if (len < 2 || p[1] == '0')
			return EBADMSG;
	}
	if (!is_digit(p[i]))
		return EBADMSG;
	for (; i < len; i++) {
		if (is_digit(p[i])) {
			if (++digits > PINT_TEL_MAX_DIGITS)
				return EBADMSG;
		} else if (p[i] != '-' || i + 1 == len || !is_digit(p[i + 1])) {
			return EBADMSG;
		}
	}
	if (globalp)
		*globalp = global;
	return 0;
}

/*
 * Strict a=phone-context value (RFC 2848 §3.4.3.1): "+" digits starting
 * with a known country code, or digits (at most PINT_TEL_MAX_DIGITS), or
 * a private "X-" (or "x-") name of URI characters. 0 or EBADMSG.
 */
int pint_tel_check_context(const char *p, size_t len)
{
	size_t i, start;

	if (!p || len == 0 || len > PINT_TEL_MAX_CONTEXT)
		return EBADMSG;
	if (p[0] != '+' && !is_digit(p[0]))
		return private_bad_pos(p, len) ? EBADMSG : 0;

	start = p[0] == '+' ? 1 : 0;
	if (len == start || len - start > PINT_TEL_MAX_DIGITS)
		return EBADMSG;
	for (i = start; i < len; i++) {
		if (!is_digit(p[i]))
			return EBADMSG;
	}
	if (start && pint_tel_cc_len(p + 1, len - 1) == 0)
		return EBADMSG;
	return 0;
}

/* Stable snake_case code for error bodies; "error" for unknown values. */
const char *pint_tel_reason_name(enum pint_tel_reason r)
{
	switch (r) {
	case PINT_TEL_OK:			return "ok";
	case PINT_TEL_EMPTY:			return "empty";
	case PINT_TEL_TOO_SHORT:		return "too_short";
	case PINT_TEL_TOO_LONG:			return "too_long";
	case PINT_TEL_BAD_CHAR:			return "bad_char";
	case PINT_TEL_MISSING_CONTEXT:		return "missing_context";
	case PINT_TEL_BAD_CONTEXT:		return "bad_context";
	case PINT_TEL_UNKNOWN_COUNTRY_CODE:	return "unknown_country_code";
	case PINT_TEL_BAD_PREFIX:		return "bad_prefix";
	}
	return "error";
}
