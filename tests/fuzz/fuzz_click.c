/*
 * tests/fuzz/fuzz_click.c — gateway/click.c: click and view tokens.
 *
 * The first byte picks the mode (its value modulo 3; the seed corpus
 * uses '0'..'2'), the rest is the input:
 *   0  a token's text, verified as it is. Whatever is accepted must mint
 *      again (same claims, same secret) into a token that verifies to
 *      the same claims; a refusal must leave the struct zeroed.
 *   1  a payload: signed here with the key's secret (what a site owner's
 *      server could do with any bytes), then verified, so that the
 *      checks after the MAC are reached; accepted claims must round-trip
 *      through mint and verify as in mode 0, and pass gw_click_check.
 *   2  a view token: compared with the real one of a fixed request id,
 *      and used as a request id itself (its own view token must pass,
 *      a changed one must not).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "gateway/click.h"

#define SECRET "fuzz-secret-0123456789"
#define NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int secret_of(const char *name, const uint8_t **sp, size_t *lenp,
		     void *arg)
{
	(void)arg;
	if (strcmp(name, "shop"))
		return ENOENT;
	*sp = (const uint8_t *)SECRET;
	*lenp = sizeof(SECRET) - 1;
	return 0;
}

static bool zeroed(const struct gw_click *c)
{
	static const struct gw_click z;

	return !memcmp(c, &z, sizeof(z));
}

/* An accepted token's claims: mint them again and read them back. */
static void round_trip(const struct gw_click *c)
{
	char tok[GW_CLICK_TOKEN_MAX + 1];
	struct gw_click back;
	size_t len = 0;
	int err;

	if (gw_click_check(c))
		abort();
	err = gw_click_mint(tok, sizeof(tok), &len, c,
			    (const uint8_t *)SECRET, sizeof(SECRET) - 1);
	if (err == EMSGSIZE)
		return;         /* a longer spelling may not fit again */
	if (err || len != strlen(tok) || len > GW_CLICK_TOKEN_MAX)
		abort();
	err = gw_click_verify(&back, tok, len, c->exp - 1, secret_of, NULL);
	if (err || memcmp(c, &back, sizeof(back)))
		abort();
}

static void verify_one(const char *p, size_t len)
{
	struct gw_click c;
	int err;

	err = gw_click_verify(&c, p, len, NOW, secret_of, NULL);
	if (!err || err == ETIMEDOUT) {
		round_trip(&c);
		return;
	}
	if (!zeroed(&c) || (err != EBADMSG && err != EMSGSIZE &&
			    err != ENOENT && err != EACCES && err != ENOMEM))
		abort();
}

static void b64u(char *out, const uint8_t *p, size_t len)
{
	size_t i, o = 0;
	int n = EVP_EncodeBlock((unsigned char *)out, p, (int)len);

	for (i = 0; i < (size_t)n && out[i] != '='; i++)
		out[o++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	out[o] = '\0';
}

static void signed_payload(const uint8_t *p, size_t len)
{
	char tok[2 * GW_CLICK_TOKEN_MAX + 64];
	unsigned char md[32];
	unsigned int n = 0;
	size_t tlen;

	if (len > GW_CLICK_TOKEN_MAX)
		return;
	memcpy(tok, "pc1.", 4);
	b64u(tok + 4, p, len);
	tlen = strlen(tok);
	if (!HMAC(EVP_sha256(), SECRET, (int)sizeof(SECRET) - 1,
		  (const unsigned char *)tok, tlen, md, &n))
		return;
	tok[tlen] = '.';
	b64u(tok + tlen + 1, md, n);
	verify_one(tok, strlen(tok));
}

static void view(const char *p, size_t len)
{
	static const char id[] = "rq_5Jm0x8YtQ2Kb7Cq1abcd";
	const uint8_t *s = (const uint8_t *)SECRET;
	char v[GW_CLICK_VIEW_LEN + 1], text[128];

	if (len >= sizeof(text) || memchr(p, '\0', len))
		return;
	memcpy(text, p, len);
	text[len] = '\0';
	if (gw_click_view(v, id, s, sizeof(SECRET) - 1))
		abort();
	if (gw_click_view_ok(text, id, s, sizeof(SECRET) - 1) !=
	    !strcmp(text, v))
		abort();
	if (gw_click_view(v, text, s, sizeof(SECRET) - 1))
		return;         /* empty or too long for an id */
	if (strlen(v) != GW_CLICK_VIEW_LEN ||
	    !gw_click_view_ok(v, text, s, sizeof(SECRET) - 1))
		abort();
	v[0] = v[0] == 'A' ? 'B' : 'A';
	if (gw_click_view_ok(v, text, s, sizeof(SECRET) - 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;

	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		verify_one(p, size - 1);
		break;
	case 1:
		signed_payload(data + 1, size - 1);
		break;
	default:
		view(p, size - 1);
		break;
	}
	return 0;
}
