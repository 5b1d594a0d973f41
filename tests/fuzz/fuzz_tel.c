/*
 * tests/fuzz/fuzz_tel.c — pint/tel.c: typed numbers, contexts, RFC 2543.
 *
 * The first byte picks a phone context (none, a few fixed ones, or the
 * bytes up to the first '|'); the rest is the number. Every parse that
 * succeeds must yield forms that pass the strict checks and read back as
 * the same number; every failure must carry a printable message.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pint/tel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const contexts[] = {
	NULL, "+44", "+1", "+1 555", "+97252", "X-acme.com-23", "0345",
};

#define NCONTEXTS (sizeof(contexts) / sizeof(contexts[0]))

static size_t digits_of(const char *s, char *out)
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
	}
	out[n] = '\0';
	return n;
}

static void check_failure(int err, const struct pint_tel *tel,
			  const struct pint_tel_error *why)
{
	const char *nul = memchr(why->msg, '\0', sizeof(why->msg));
	const char *s;

	if (err != EINVAL || why->reason == PINT_TEL_OK || !nul ||
	    nul == why->msg || tel->kind != PINT_TEL_NONE || tel->e164[0])
		abort();
	for (s = why->msg; *s; s++) {
		if (*s < 0x20 || *s >= 0x7f)
			abort();
	}
	if (strcmp(pint_tel_reason_name(why->reason), "error") == 0)
		abort();
}

static void check_success(const struct pint_tel *tel, const char *p,
			  size_t len)
{
	char out[PINT_TEL_RFC2543_SIZE], mask[PINT_TEL_RFC2543_SIZE];
	char d1[PINT_TEL_RFC2543_SIZE], d2[PINT_TEL_MAX_INPUT + 1];
	char typed[PINT_TEL_MAX_INPUT + 1];
	struct pint_tel again;
	struct pint_tel_error why;
	size_t n, i;
	bool global;

	if (tel->kind == PINT_TEL_LOCAL) {
		if (tel->e164[0] || tel->cc_len)
			abort();
	} else if (tel->kind == PINT_TEL_GLOBAL ||
		   tel->kind == PINT_TEL_NATIONAL) {
		n = strlen(tel->e164);
		if (tel->e164[0] != '+' || n < 1 + PINT_TEL_MIN_DIGITS ||
		    n > 1 + PINT_TEL_MAX_DIGITS || tel->e164[1] == '0')
			abort();
		for (i = 1; i < n; i++) {
			if (tel->e164[i] < '0' || tel->e164[i] > '9')
				abort();
		}
		if (tel->cc_len == 0 ||
		    pint_tel_cc_len(tel->e164 + 1, n - 1) != tel->cc_len)
			abort();
	} else {
		abort();
	}
	if (tel->kind == PINT_TEL_GLOBAL ? tel->context[0] != '\0' :
	    pint_tel_check_context(tel->context, strlen(tel->context)) != 0)
		abort();

	if (pint_tel_rfc2543(tel, out, sizeof(out)) != 0 ||
	    pint_tel_check_rfc2543(out, strlen(out), &global) != 0 ||
	    global != (tel->kind == PINT_TEL_GLOBAL))
		abort();
	if (tel->kind != PINT_TEL_GLOBAL) {
		/* the local form keeps exactly the digits that were typed */
		memcpy(typed, p, len);
		typed[len] = '\0';
		digits_of(out, d1);
		digits_of(typed, d2);
		if (strcmp(d1, d2) != 0)
			abort();
	}

	/* what goes on the wire reads back as the same number */
	if (pint_tel_parse(&again, out, strlen(out),
			   tel->context[0] ? tel->context : NULL, "to", &why) != 0 ||
	    again.kind != tel->kind || strcmp(again.e164, tel->e164) != 0)
		abort();

	if (tel->kind == PINT_TEL_LOCAL) {
		if (pint_tel_rfc2543_global(tel, out, sizeof(out)) != ENOENT)
			abort();
	} else {
		if (pint_tel_rfc2543_global(tel, out, sizeof(out)) != 0 ||
		    pint_tel_check_rfc2543(out, strlen(out), &global) != 0 ||
		    !global)
			abort();
		digits_of(out, d1);
		if (strcmp(d1, tel->e164 + 1) != 0)
			abort();
	}

	if (pint_tel_mask(tel->e164[0] ? tel->e164 : tel->grouped, mask,
			  sizeof(mask)) != 0 ||
	    strlen(mask) != strlen(tel->e164[0] ? tel->e164 : tel->grouped))
		abort();
}

static void parse_one(const char *p, size_t len, const char *context)
{
	struct pint_tel tel;
	struct pint_tel_error why;
	int err;

	err = pint_tel_parse(&tel, p, len, context, "to", &why);
	if (err)
		check_failure(err, &tel, &why);
	else
		check_success(&tel, p, len);
}

/* Anything the strict checks accept must parse as what they said. */
static void strict_forms(const char *p, size_t len)
{
	char ctx[PINT_TEL_MAX_CONTEXT + 1];
	struct pint_tel tel;
	struct pint_tel_error why;
	bool global;

	/* (digits that start "00" are an international prefix, "0-0" too) */
	if (pint_tel_check_rfc2543(p, len, &global) == 0 && !global &&
	    !(len >= 2 && p[0] == '0' &&
	      (p[1] == '0' || (len >= 3 && p[1] == '-' && p[2] == '0')))) {
		if (pint_tel_parse(&tel, p, len, "X-fuzz", "to", &why) != 0 ||
		    tel.kind != PINT_TEL_LOCAL || strlen(tel.grouped) != len ||
		    memcmp(tel.grouped, p, len) != 0)
			abort();
	}
	if (pint_tel_check_context(p, len) == 0) {
		memcpy(ctx, p, len);
		ctx[len] = '\0';
		if (pint_tel_parse(&tel, "123", 3, ctx, "to", &why) != 0 ||
		    strcmp(tel.context, ctx) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ctx[81], *copy, *m;
	const char *p, *bar;
	size_t len, k;

	if (size == 0)
		return 0;
	p = (const char *)data + 1;
	len = size - 1;
	k = data[0] % (NCONTEXTS + 1);

	if (k < NCONTEXTS) {
		parse_one(p, len, contexts[k]);
	} else {
		bar = memchr(p, '|', len < sizeof(ctx) ? len : sizeof(ctx));
		if (bar) {
			memcpy(ctx, p, (size_t)(bar - p));
			ctx[bar - p] = '\0';
			len -= (size_t)(bar - p) + 1;
			p = bar + 1;
			parse_one(p, len, ctx);
		}
	}
	parse_one(p, len, NULL);
	strict_forms(p, len);

	/* the mask of anything keeps its length */
	copy = malloc(len + 1);
	m = malloc(len + 1);
	if (copy && m) {
		memcpy(copy, p, len);
		copy[len] = '\0';
		if (pint_tel_mask(copy, m, len + 1) != 0 ||
		    strlen(m) != strlen(copy))
			abort();
	}
	free(copy);
	free(m);
	return 0;
}
