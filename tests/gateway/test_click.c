/*
 * tests/gateway/test_click.c — gateway/click.c: click tokens (mint,
 * verify, every tampered part, wrong key, expiry, payloads that are not
 * what a token holds, the size and count limits) and view tokens. The
 * known-answer vectors were made with openssl(1) and base64(1), not with
 * the code under test; raw payloads are signed here with OpenSSL's HMAC
 * so that the codec's own checks, not the MAC, are what refuses them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tests/pint/test_common.h"
#include "gateway/click.h"

#define SHOP_SECRET "sec-shop-0123456789"
#define OTHER_SECRET "sec-other-0123456789"
#define JTI "AAECAwQFBgcICQoLDA0ODw"
#define EXP 1767225600ll
/* The token of the design's example payload, signed with SHOP_SECRET. */
#define VECTOR "pc1.eyJrIjoic2hvcCIsInN2YyI6ImNhbGwiLCJmcm9tIjoiKzE1NTU1NTUw" \
	"MTAwIiwidG8iOlsiKzE1NTUiLCIrNDQiXSwiZXhwIjoxNzY3MjI1NjAwLCJtYXgiOjMs" \
	"Im9yaWdpbiI6WyJodHRwczovL3Nob3AuZXhhbXBsZSJdLCJqdGkiOiJBQUVDQXdRRkJn" \
	"Y0lDUW9MREEwT0R3In0.GhVuhTHpzqW_8vn7zeNU95tvLaNitXJ2arbQUC3vIK0"
#define VIEW_ID "rq_5Jm0x8YtQ2Kb7Cq1abcd"
#define VIEW_VECTOR "fY0qOfixnpuihStZNFeXiQ"

static const struct {
	const char *name, *secret;
} keys[] = {
	{"shop", SHOP_SECRET},
	{"other", OTHER_SECRET},
	{"nosecret", ""},
};

static int secret_of(const char *name, const uint8_t **sp, size_t *lenp,
		     void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].name, name))
			continue;
		*sp = (const uint8_t *)keys[i].secret;
		*lenp = strlen(keys[i].secret);
		return 0;
	}
	return ENOENT;
}

static const uint8_t *U(const char *s)
{
	return (const uint8_t *)s;
}

/* The design's example as a struct. */
static void example(struct gw_click *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "shop");
	snprintf(c->service, sizeof(c->service), "call");
	snprintf(c->from, sizeof(c->from), "+15555550100");
	snprintf(c->to[0], sizeof(c->to[0]), "+1555");
	snprintf(c->to[1], sizeof(c->to[1]), "+44");
	c->nto = 2;
	c->exp = EXP;
	c->max = 3;
	snprintf(c->origin[0], sizeof(c->origin[0]), "https://shop.example");
	c->norigin = 1;
	snprintf(c->jti, sizeof(c->jti), JTI);
}

static int verify(struct gw_click *c, const char *tok, int64_t now)
{
	return gw_click_verify(c, tok, strlen(tok), now, secret_of, NULL);
}

/* base64url without padding, by OpenSSL's encoder. */
static void b64u(char *out, size_t size, const void *p, size_t len)
{
	char tmp[4096];
	size_t i, o = 0;
	int n;

	assert_true(len * 4 / 3 + 4 < sizeof(tmp));
	n = EVP_EncodeBlock((unsigned char *)tmp, p, (int)len);
	assert_true(n >= 0);
	for (i = 0; i < (size_t)n && tmp[i] != '='; i++) {
		assert_true(o + 1 < size);
		out[o++] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : tmp[i];
	}
	out[o] = '\0';
}

/* "pc1." b64u(json) "." b64u(HMAC(secret, that)): a raw signed token. */
static void sign_text(char *tok, size_t size, const char *payload_b64,
		      const char *secret)
{
	unsigned char md[32];
	unsigned int n = 0;
	char sig[64];
	int len;

	len = snprintf(tok, size, "pc1.%s", payload_b64);
	assert_true(len > 0 && (size_t)len < size);
	assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret),
			     (const unsigned char *)tok, (size_t)len, md, &n));
	b64u(sig, sizeof(sig), md, n);
	assert_true((size_t)len + 1 + strlen(sig) < size);
	tok[len] = '.';
	memcpy(tok + len + 1, sig, strlen(sig) + 1);
}

static void sign_json(char *tok, size_t size, const char *json,
		      const char *secret)
{
	char p[4096];

	b64u(p, sizeof(p), json, strlen(json));
	sign_text(tok, size, p, secret);
}

/* ---- good tokens ---- */

static void test_vector(void **state)
{
	struct gw_click c, want;
	char buf[GW_CLICK_TOKEN_MAX + 1];
	size_t len = 0;

	(void)state;
	example(&want);
	assert_int_equal(verify(&c, VECTOR, EXP - 1), 0);
	assert_memory_equal(&c, &want, sizeof(c));
	/* minting the same claims gives the same bytes */
	assert_int_equal(gw_click_mint(buf, sizeof(buf), &len, &want,
				       U(SHOP_SECRET), strlen(SHOP_SECRET)), 0);
	assert_string_equal(buf, VECTOR);
	assert_int_equal(len, strlen(VECTOR));
}

static void test_round_trip(void **state)
{
	struct gw_click in, out;
	char buf[GW_CLICK_TOKEN_MAX + 1];
	size_t len = 0;

	(void)state;
	/* the smallest token: no from, to or origin, unlimited uses */
	memset(&in, 0, sizeof(in));
	snprintf(in.key, sizeof(in.key), "other");
	snprintf(in.service, sizeof(in.service), "callback_2.x");
	in.exp = 1;
	snprintf(in.jti, sizeof(in.jti), "____________________-A");
	assert_int_equal(gw_click_mint(buf, sizeof(buf), &len, &in,
				       U(OTHER_SECRET), strlen(OTHER_SECRET)), 0);
	assert_int_equal(verify(&out, buf, 0), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	/* the largest counts, "+" (any destination) among the prefixes */
	example(&in);
	memset(in.to, 0, sizeof(in.to));
	memset(in.origin, 0, sizeof(in.origin));
	for (in.nto = 0; in.nto < GW_CLICK_TO_MAX; in.nto++)
		snprintf(in.to[in.nto], sizeof(in.to[0]), "+%zu", in.nto + 1);
	snprintf(in.to[3], sizeof(in.to[3]), "+");
	for (in.norigin = 0; in.norigin < GW_CLICK_ORIGINS_MAX; in.norigin++)
		snprintf(in.origin[in.norigin], sizeof(in.origin[0]),
			 "http://[::1]:%zu", 8000 + in.norigin);
	in.max = GW_CLICK_USES_MAX;
	in.exp = GW_CLICK_EXP_MAX;
	assert_int_equal(gw_click_mint(buf, sizeof(buf), &len, &in,
				       U(SHOP_SECRET), strlen(SHOP_SECRET)), 0);
	assert_true(len <= GW_CLICK_TOKEN_MAX);
	assert_int_equal(verify(&out, buf, 0), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	/* too small a buffer */
	assert_int_equal(gw_click_mint(buf, len, NULL, &in, U(SHOP_SECRET),
				       strlen(SHOP_SECRET)), EMSGSIZE);
}

static void test_allows(void **state)
{
	struct gw_click c;

	(void)state;
	example(&c);
	assert_true(gw_click_to_ok(&c, "+15555550199"));
	assert_true(gw_click_to_ok(&c, "+442071234567"));
	assert_false(gw_click_to_ok(&c, "+15565550199"));
	assert_false(gw_click_to_ok(&c, "+4"));
	assert_false(gw_click_to_ok(&c, NULL));
	assert_true(gw_click_origin_ok(&c, "https://shop.example"));
	assert_true(gw_click_origin_ok(&c, "HTTPS://Shop.Example"));
	assert_false(gw_click_origin_ok(&c, "https://shop.example:443"));
	assert_false(gw_click_origin_ok(&c, "https://evil.example"));
	assert_false(gw_click_origin_ok(&c, "null"));
	assert_false(gw_click_origin_ok(&c, NULL));
	snprintf(c.to[1], sizeof(c.to[1]), "+");
	assert_true(gw_click_to_ok(&c, "+819012345678"));
	c.nto = 0;
	c.norigin = 0;
	assert_true(gw_click_to_ok(&c, "+819012345678"));
	assert_true(gw_click_origin_ok(&c, NULL));
}

/* ---- refusals ---- */

static void test_tampered(void **state)
{
	char tok[GW_CLICK_TOKEN_MAX + 8], other[GW_CLICK_TOKEN_MAX + 8];
	char *dot;
	struct gw_click c;
	size_t n = strlen(VECTOR);

	(void)state;
	/* the magic */
	snprintf(tok, sizeof(tok), "%s", VECTOR);
	tok[2] = '2';
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	assert_int_equal(verify(&c, VECTOR + 4, 0), EBADMSG);
	/* a character of the payload: the JSON is still fine, the MAC not */
	snprintf(tok, sizeof(tok), "%s", VECTOR);
	dot = strchr(tok + 4, '.');
	dot[-20] = dot[-20] == 'A' ? 'B' : 'A';
	assert_int_equal(verify(&c, tok, 0), EACCES);
	/* every character of the signature, in turn */
	for (dot = strchr(VECTOR + 4, '.') + 1; *dot; dot++) {
		snprintf(tok, sizeof(tok), "%s", VECTOR);
		tok[dot - VECTOR] = *dot == 'x' ? 'y' : 'x';
		assert_int_not_equal(verify(&c, tok, 0), 0);
	}
	/* the signature cut, grown, or missing */
	snprintf(tok, sizeof(tok), "%.*s", (int)(n - 1), VECTOR);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	snprintf(tok, sizeof(tok), "%sA", VECTOR);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	snprintf(tok, sizeof(tok), "%s", VECTOR);
	*strrchr(tok, '.') = '\0';
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	snprintf(tok, sizeof(tok), "%s.", VECTOR);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	/* another token's signature on this payload */
	sign_json(other, sizeof(other), "{\"k\":\"shop\",\"svc\":\"call\","
		  "\"exp\":1767225600,\"max\":0,\"jti\":\"" JTI "\"}",
		  SHOP_SECRET);
	assert_int_equal(verify(&c, other, 0), 0);
	snprintf(tok, sizeof(tok), "%.*s%s", (int)(strrchr(VECTOR, '.') -
						    VECTOR), VECTOR,
		 strrchr(other, '.'));
	assert_int_equal(verify(&c, tok, 0), EACCES);
	/* the key changed to another one that exists: its secret fails */
	sign_json(tok, sizeof(tok), "{\"k\":\"other\",\"svc\":\"call\","
		  "\"exp\":1767225600,\"max\":0,\"jti\":\"" JTI "\"}",
		  SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EACCES);
	/* nothing of a refused token is left in c */
	assert_string_equal(c.key, "");
	assert_int_equal(c.exp, 0);
}

static void test_keys(void **state)
{
	char tok[GW_CLICK_TOKEN_MAX + 1];
	struct gw_click c;

	(void)state;
	/* signed with the wrong secret */
	sign_json(tok, sizeof(tok), "{\"k\":\"shop\",\"svc\":\"call\","
		  "\"exp\":1767225600,\"max\":0,\"jti\":\"" JTI "\"}",
		  OTHER_SECRET);
	assert_int_equal(verify(&c, tok, 0), EACCES);
	/* a key nobody configured, and one without a secret */
	sign_json(tok, sizeof(tok), "{\"k\":\"gone\",\"svc\":\"call\","
		  "\"exp\":1767225600,\"max\":0,\"jti\":\"" JTI "\"}",
		  SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), ENOENT);
	sign_json(tok, sizeof(tok), "{\"k\":\"nosecret\",\"svc\":\"call\","
		  "\"exp\":1767225600,\"max\":0,\"jti\":\"" JTI "\"}",
		  SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), ENOENT);
	/* minting needs a secret */
	example(&c);
	assert_int_equal(gw_click_mint(tok, sizeof(tok), NULL, &c, U(""), 0),
			 EINVAL);
	assert_int_equal(gw_click_mint(tok, sizeof(tok), NULL, &c, NULL, 5),
			 EINVAL);
}

static void test_expired(void **state)
{
	struct gw_click c;

	(void)state;
	assert_int_equal(verify(&c, VECTOR, EXP - 1), 0);
	assert_int_equal(verify(&c, VECTOR, EXP), ETIMEDOUT);
	/* authentic: what it says is there, for the caller's log */
	assert_string_equal(c.key, "shop");
	assert_string_equal(c.jti, JTI);
	assert_int_equal(verify(&c, VECTOR, EXP + 86400), ETIMEDOUT);
}

/* Payloads that are signed right but are not a token's. */
static void test_bad_payloads(void **state)
{
	static const char *const bad[] = {
		"[]",
		"\"shop\"",
		"{\"k\":\"shop\"",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"} x",
		"{}",
		/* a required field missing */
		"{\"k\":\"shop\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0}",
		"{\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		/* unknown and repeated fields */
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\",\"x\":1}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"svc\":\"fax\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		/* types */
		"{\"k\":\"shop\",\"svc\":1,\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":\"1\",\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1.0,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":null,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\",\"to\":\"+1\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\",\"to\":[1]}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\",\"origin\":[[]]}",
		/* ranges */
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":0,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":-5,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":253402300800,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":-1,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":1000001,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":99999999999999999999,\"max\":0,\"jti\":\"" JTI "\"}",
		/* syntax of the strings */
		"{\"k\":\"sh op\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"ca\\u0000ll\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"short\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "A\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"exp\":1,\"max\":0,\"jti\":\"AAECAwQFBgcICQoLDA0OD=\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"from\":\"\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"from\":\"15555550100\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"from\":\"+\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"from\":\"+1 555\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"from\":\"+1234567890123456\",\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"to\":[],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"to\":[\"+0\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"to\":[\"44\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"to\":[\"+4x\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[\"shop.example\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[\"https://shop.example/\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[\"https://shop.example:0\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[\"https://shop.example:65536\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[\"https://\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[\"https://[]\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[\"ftp://shop.example\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
		"{\"k\":\"shop\",\"svc\":\"call\",\"origin\":[\"null\"],\"exp\":1,\"max\":0,\"jti\":\"" JTI "\"}",
	};
	char tok[GW_CLICK_TOKEN_MAX + 1];
	struct gw_click c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sign_json(tok, sizeof(tok), bad[i], SHOP_SECRET);
		if (verify(&c, tok, 0) != EBADMSG)
			fail_msg("accepted or refused otherwise: %s", bad[i]);
	}
	/* an empty payload, and one that is not base64url */
	sign_text(tok, sizeof(tok), "", SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	sign_text(tok, sizeof(tok), "eyJrIjoic2hvcCJ9+", SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	sign_text(tok, sizeof(tok), "eyJrIjoic2hvcCJ9=", SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	/* {"k":"shop"} without svc …, cut to 15 and 17 characters */
	sign_text(tok, sizeof(tok), "eyJrIjoic2hvcCJ9", SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	sign_text(tok, sizeof(tok), "eyJrIjoic2hvcCJ", SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	sign_text(tok, sizeof(tok), "eyJrIjoic2hvcCJ9B", SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
}

/* The same bytes spelt with unused bits set in the last character. */
static void test_canonical(void **state)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789-_";
	char tok[GW_CLICK_TOKEN_MAX + 1], json[256], p[512], *last;
	struct gw_click c;
	size_t n;

	(void)state;
	n = (size_t)snprintf(json, sizeof(json), "{\"k\":\"shop\",\"svc\":"
			     "\"call\",\"exp\":1,\"max\":0,\"jti\":\""
			     JTI "\"}");
	for (;;) {
		b64u(p, sizeof(p), json, n);
		if (strlen(p) % 4 == 2)
			break;          /* 4 unused bits */
		json[n++] = ' ';
		json[n] = '\0';
	}
	sign_text(tok, sizeof(tok), p, SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), 0);
	last = &p[strlen(p) - 1];
	*last = alphabet[(strchr(alphabet, *last) - alphabet) | 1];
	sign_text(tok, sizeof(tok), p, SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
}

static void test_limits(void **state)
{
	char tok[GW_CLICK_TOKEN_MAX + 64], json[4096];
	struct gw_click c;
	size_t i, n;

	(void)state;
	/* one byte over the limit, before anything else is looked at */
	memset(tok, 'A', GW_CLICK_TOKEN_MAX + 1);
	memcpy(tok, "pc1.", 4);
	assert_int_equal(gw_click_verify(&c, tok, GW_CLICK_TOKEN_MAX + 1, 0,
					 secret_of, NULL), EMSGSIZE);
	assert_int_equal(gw_click_verify(&c, "", 0, 0, secret_of, NULL),
			 EBADMSG);
	/* 17 prefixes, 9 origins: refused though signed */
	n = (size_t)snprintf(json, sizeof(json), "{\"k\":\"shop\",\"svc\":"
			     "\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI
			     "\",\"to\":[");
	for (i = 0; i <= GW_CLICK_TO_MAX; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"+%zu\"",
				      i ? "," : "", i + 1);
	snprintf(json + n, sizeof(json) - n, "]}");
	sign_json(tok, sizeof(tok), json, SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	n = (size_t)snprintf(json, sizeof(json), "{\"k\":\"shop\",\"svc\":"
			     "\"call\",\"exp\":1,\"max\":0,\"jti\":\"" JTI
			     "\",\"origin\":[");
	for (i = 0; i <= GW_CLICK_ORIGINS_MAX; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
				      "%s\"https://a%zu.example\"",
				      i ? "," : "", i);
	snprintf(json + n, sizeof(json) - n, "]}");
	sign_json(tok, sizeof(tok), json, SHOP_SECRET);
	assert_int_equal(verify(&c, tok, 0), EBADMSG);
	/* the same through mint: the struct is checked first */
	example(&c);
	c.nto = GW_CLICK_TO_MAX + 1;
	assert_int_equal(gw_click_mint(tok, sizeof(tok), NULL, &c,
				       U(SHOP_SECRET), strlen(SHOP_SECRET)),
			 EINVAL);
	example(&c);
	c.norigin = GW_CLICK_ORIGINS_MAX + 1;
	assert_int_equal(gw_click_mint(tok, sizeof(tok), NULL, &c,
				       U(SHOP_SECRET), strlen(SHOP_SECRET)),
			 EINVAL);
	/* eight long origins do not fit in 2048 bytes */
	example(&c);
	for (c.norigin = 0; c.norigin < GW_CLICK_ORIGINS_MAX; c.norigin++) {
		memset(c.origin[c.norigin], 'a', 200);
		memcpy(c.origin[c.norigin], "https://", 8);
		c.origin[c.norigin][200] = '\0';
	}
	assert_int_equal(gw_click_mint(tok, sizeof(tok), NULL, &c,
				       U(SHOP_SECRET), strlen(SHOP_SECRET)),
			 EMSGSIZE);
	/* a secret longer than the limit */
	example(&c);
	memset(json, 's', GW_CLICK_SECRET_MAX + 1);
	assert_int_equal(gw_click_mint(tok, sizeof(tok), NULL, &c, U(json),
				       GW_CLICK_SECRET_MAX + 1), EINVAL);
	assert_int_equal(gw_click_mint(tok, sizeof(tok), NULL, &c, U(json),
				       GW_CLICK_SECRET_MAX), 0);
}

static void test_check(void **state)
{
	struct gw_click c;

	(void)state;
	example(&c);
	assert_int_equal(gw_click_check(&c), 0);
	snprintf(c.from, sizeof(c.from), "+0123");
	assert_int_equal(gw_click_check(&c), EINVAL);
	example(&c);
	snprintf(c.origin[0], sizeof(c.origin[0]), "http://127.0.0.1:8080");
	assert_int_equal(gw_click_check(&c), 0);
	snprintf(c.origin[0], sizeof(c.origin[0]), "http://-x.example");
	assert_int_equal(gw_click_check(&c), EINVAL);
	example(&c);
	c.jti[5] = '+';
	assert_int_equal(gw_click_check(&c), EINVAL);
	example(&c);
	c.exp = 0;
	assert_int_equal(gw_click_check(&c), EINVAL);
	assert_int_equal(gw_click_check(NULL), EINVAL);
}

static void test_jti(void **state)
{
	static const uint8_t r[GW_CLICK_JTI_BYTES] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	char jti[GW_CLICK_JTI_LEN + 1];

	(void)state;
	gw_click_jti(jti, r);
	assert_string_equal(jti, JTI);
}

/* ---- view tokens ---- */

static void test_view(void **state)
{
	char v[GW_CLICK_VIEW_LEN + 1], bad[GW_CLICK_VIEW_LEN + 2];
	char id[80];

	(void)state;
	assert_int_equal(gw_click_view(v, VIEW_ID, U(SHOP_SECRET),
				       strlen(SHOP_SECRET)), 0);
	assert_string_equal(v, VIEW_VECTOR);
	assert_true(gw_click_view_ok(VIEW_VECTOR, VIEW_ID, U(SHOP_SECRET),
				     strlen(SHOP_SECRET)));
	/* another request, another key, a changed or cut token */
	assert_false(gw_click_view_ok(VIEW_VECTOR, "rq_5Jm0x8YtQ2Kb7Cq1abce",
				      U(SHOP_SECRET), strlen(SHOP_SECRET)));
	assert_false(gw_click_view_ok(VIEW_VECTOR, VIEW_ID, U(OTHER_SECRET),
				      strlen(OTHER_SECRET)));
	snprintf(bad, sizeof(bad), "%s", VIEW_VECTOR);
	bad[0] = 'g';
	assert_false(gw_click_view_ok(bad, VIEW_ID, U(SHOP_SECRET),
				      strlen(SHOP_SECRET)));
	bad[GW_CLICK_VIEW_LEN - 1] = '\0';
	assert_false(gw_click_view_ok(bad, VIEW_ID, U(SHOP_SECRET),
				      strlen(SHOP_SECRET)));
	snprintf(bad, sizeof(bad), "%sA", VIEW_VECTOR);
	assert_false(gw_click_view_ok(bad, VIEW_ID, U(SHOP_SECRET),
				      strlen(SHOP_SECRET)));
	assert_false(gw_click_view_ok("", VIEW_ID, U(SHOP_SECRET),
				      strlen(SHOP_SECRET)));
	assert_false(gw_click_view_ok(NULL, VIEW_ID, U(SHOP_SECRET),
				      strlen(SHOP_SECRET)));
	assert_false(gw_click_view_ok(VIEW_VECTOR, VIEW_ID, U(""), 0));
	/* ids past 64 bytes are not request ids */
	memset(id, 'a', 65);
	id[65] = '\0';
	assert_int_equal(gw_click_view(v, id, U(SHOP_SECRET),
				       strlen(SHOP_SECRET)), EINVAL);
	assert_int_equal(gw_click_view(v, "", U(SHOP_SECRET),
				       strlen(SHOP_SECRET)), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_vector),
		leakcheck_test(test_round_trip),
		leakcheck_test(test_allows),
		leakcheck_test(test_tampered),
		leakcheck_test(test_keys),
		leakcheck_test(test_expired),
		leakcheck_test(test_bad_payloads),
		leakcheck_test(test_canonical),
		leakcheck_test(test_limits),
		leakcheck_test(test_check),
		leakcheck_test(test_jti),
		leakcheck_test(test_view),
	};

	return cmocka_run_group_tests_name("click", tests, NULL, NULL);
}
