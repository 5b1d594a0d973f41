/*
 * tests/pint/test_digest.c — pint/digest.c against published vectors.
 *
 * Expected responses not taken from an RFC were computed independently
 * (Python hashlib) from the same inputs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/digest.h"

/* Parse from an exact-size heap copy so ASan sees reads past len. */
static int parse(struct pint_digest_chal *ch, const char *s)
{
	size_t len = strlen(s);
	char *exact = malloc(len ? len : 1);
	int err;

	assert_non_null(exact);
	memcpy(exact, s, len);
	err = pint_digest_parse(ch, exact, len);
	free(exact);
	return err;
}

/* Authorize and compare the whole header value. */
static void expect_auth(const struct pint_digest_chal *ch,
			const struct pint_digest_cred *cr, const char *want)
{
	struct pint_mbuf mb;

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_digest_authorize(&mb, ch, cr), 0);
	assert_string_equal(mb.buf, want);
	pint_mbuf_reset(&mb);
}

static void test_rfc2617_example(void **state)
{
	static const struct pint_digest_cred cr = {
		.method = "GET", .uri = "/dir/index.html",
		.username = "Mufasa", .password = "Circle Of Life",
		.cnonce = "0a4f113b", .nc = 1,
	};
	struct pint_digest_chal ch;
	char hex[PINT_DIGEST_HEX_MAX + 1];

	(void)state;
	assert_int_equal(parse(&ch, "Digest\r\n"
			       "                 realm=\"testrealm@host.com\",\r\n"
			       "                 qop=\"auth,auth-int\",\r\n"
			       "                 nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
			       "                 opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), 0);
	assert_string_equal(ch.realm, "testrealm@host.com");
	assert_string_equal(ch.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
	assert_string_equal(ch.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
	assert_true(ch.has_opaque);
	assert_int_equal(ch.alg, PINT_DIGEST_MD5);
	assert_int_equal(ch.qops, PINT_DIGEST_QOP_AUTH | PINT_DIGEST_QOP_AUTH_INT);
	assert_false(ch.stale);
	assert_int_equal(pint_digest_qop_choose(&ch), PINT_DIGEST_QOP_AUTH);

	assert_int_equal(pint_digest_response(hex, &ch, &cr, PINT_DIGEST_QOP_AUTH), 0);
	assert_string_equal(hex, "6629fae49393a05397450978507c4ef1");
	expect_auth(&ch, &cr,
		    "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
		    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
		    "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, "
		    "qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
		    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
}

static void test_rfc7616_examples(void **state)
{
	static const struct pint_digest_cred cr = {
		.method = "GET", .uri = "/dir/index.html",
		.username = "Mufasa", .password = "Circle of Life",
		.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", .nc = 1,
	};
	static const struct {
		const char *alg;
		enum pint_digest_alg want_alg;
		const char *response;
	} cases[] = {
		{"MD5", PINT_DIGEST_MD5, "8ca523f5e9506fed4657c9700eebdbec"},
		{"SHA-256", PINT_DIGEST_SHA256,
		 "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	};
	struct pint_digest_chal ch;
	char hdr[512], want[1024];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		snprintf(hdr, sizeof(hdr),
			 "Digest\r\n       realm=\"http-auth@example.org\",\r\n"
			 "       qop=\"auth, auth-int\",\r\n       algorithm=%s,\r\n"
			 "       nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
			 "       opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
			 cases[i].alg);
		assert_int_equal(parse(&ch, hdr), 0);
		assert_int_equal(ch.alg, cases[i].want_alg);
		snprintf(want, sizeof(want),
			 "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
			 "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
			 "uri=\"/dir/index.html\", response=\"%s\", algorithm=%s, "
			 "qop=auth, nc=00000001, "
			 "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
			 "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
			 cases[i].response, cases[i].alg);
		expect_auth(&ch, &cr, want);
	}
}

/* RFC 2069: no qop, so no nc/cnonce on the wire and none in the hash. */
static void test_rfc2069_no_qop(void **state)
{
	static const struct pint_digest_cred cr = {
		.method = "INVITE", .uri = "sip:+15551234567@gw.example.net",
		.username = "alice", .password = "secret",
	};
	struct pint_digest_chal ch;

	(void)state;
	assert_int_equal(parse(&ch, "Digest realm=\"pint.example.net\", nonce=\"abc123\""), 0);
	assert_int_equal(ch.qops, PINT_DIGEST_QOP_NONE);
	assert_false(ch.has_opaque);
	expect_auth(&ch, &cr,
		    "Digest username=\"alice\", realm=\"pint.example.net\", nonce=\"abc123\", "
		    "uri=\"sip:+15551234567@gw.example.net\", "
		    "response=\"e00f1212b1b7f1183561838eccbf801b\", algorithm=MD5");
}

static void test_sess_and_auth_int(void **state)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=R2C\r\n";
	struct pint_digest_cred cr = {
		.method = "INVITE", .uri = "sip:gw.example.net",
		.username = "alice", .password = "secret",
		.cnonce = "c0nce", .nc = 42,
	};
	struct pint_digest_chal ch;
	char hex[PINT_DIGEST_HEX_MAX + 1];

	(void)state;
	assert_int_equal(parse(&ch, "Digest realm=\"pint.example.net\", nonce=\"n0nce\", "
			       "algorithm=MD5-sess, qop=\"auth\""), 0);
	assert_int_equal(ch.alg, PINT_DIGEST_MD5_SESS);
	assert_int_equal(pint_digest_response(hex, &ch, &cr, PINT_DIGEST_QOP_AUTH), 0);
	assert_string_equal(hex, "4d663165eb57ae682bfc0718764864d6");

	assert_int_equal(parse(&ch, "Digest realm=\"pint.example.net\", nonce=\"n0nce\", "
			       "algorithm=sha-256-SESS, qop=auth"), 0);
	assert_int_equal(ch.alg, PINT_DIGEST_SHA256_SESS);
	expect_auth(&ch, &cr,
		    "Digest username=\"alice\", realm=\"pint.example.net\", nonce=\"n0nce\", "
		    "uri=\"sip:gw.example.net\", response="
		    "\"0dd1a398f092d070e5628b44f39d9c5e19785dd1b05f0445156594c80e39530f\", "
		    "algorithm=SHA-256-sess, qop=auth, nc=0000002a, cnonce=\"c0nce\"");

	/* auth-int only: the body is hashed into HA2. */
	cr.nc = 1;
	cr.body = sdp;
	cr.body_len = sizeof(sdp) - 1;
	assert_int_equal(parse(&ch, "Digest realm=\"pint.example.net\", nonce=\"n0nce\", "
			       "algorithm=SHA-256, qop=\"auth-int\""), 0);
	assert_int_equal(pint_digest_qop_choose(&ch), PINT_DIGEST_QOP_AUTH_INT);
	expect_auth(&ch, &cr,
		    "Digest username=\"alice\", realm=\"pint.example.net\", nonce=\"n0nce\", "
		    "uri=\"sip:gw.example.net\", response="
		    "\"f57aa06ea884802d77c19dd55ef0e6c59ce7a3dacfa23128e69f54c2d0b466c7\", "
		    "algorithm=SHA-256, qop=auth-int, nc=00000001, cnonce=\"c0nce\"");

	/* No body at all hashes the empty string. */
	cr.body = NULL;
	cr.body_len = 0;
	assert_int_equal(parse(&ch, "Digest realm=\"pint.example.net\", nonce=\"n0nce\", "
			       "qop=\"auth-int\""), 0);
	assert_int_equal(pint_digest_response(hex, &ch, &cr, PINT_DIGEST_QOP_AUTH_INT), 0);
	assert_string_equal(hex, "3a4c65a0fe9b502bc27fa447cbbbc62f");
}

/* Escapes are undone for hashing and redone on the wire. */
static void test_escapes_round_trip(void **state)
{
	static const struct pint_digest_cred cr = {
		.method = "REGISTER", .uri = "sip:example.com",
		.username = "bo\"b", .password = "pw",
		.cnonce = "cn", .nc = 1,
	};
	struct pint_digest_chal ch, back;
	struct pint_mbuf mb;

	(void)state;
	assert_int_equal(parse(&ch, "Digest realm=\"a\\\"b\\\\c\", nonce=\"\\n\", "
			       "qop=\"auth\", opaque=\"\""), 0);
	assert_string_equal(ch.realm, "a\"b\\c");
	assert_string_equal(ch.nonce, "n");
	assert_true(ch.has_opaque);
	assert_string_equal(ch.opaque, "");

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), 0);
	assert_string_equal(mb.buf,
			    "Digest username=\"bo\\\"b\", realm=\"a\\\"b\\\\c\", nonce=\"n\", "
			    "uri=\"sip:example.com\", response=\"71702fb09a0672304c35b44f21854170\", "
			    "algorithm=MD5, qop=auth, nc=00000001, cnonce=\"cn\", opaque=\"\"");
	/* The Authorization value reads back with the same grammar. */
	assert_int_equal(pint_digest_parse(&back, mb.buf, mb.len), 0);
	assert_string_equal(back.realm, ch.realm);
	assert_string_equal(back.nonce, ch.nonce);
	pint_mbuf_reset(&mb);
}

static void test_odd_but_legal_spellings(void **state)
{
	static const struct {
		const char *hdr;
		enum pint_digest_alg alg;
		unsigned qops;
		bool stale;
	} cases[] = {
		{"digest realm=\"r\",nonce=\"n\"", PINT_DIGEST_MD5, 0, false},
		{"DIGEST REALM=\"r\" , NONCE = \"n\" ,ALGORITHM = md5", PINT_DIGEST_MD5, 0, false},
		{"  Digest\trealm=\"r\",\r\n\tnonce=\"n\",,, stale=TRUE", PINT_DIGEST_MD5, 0, true},
		{"Digest nonce=n, realm=r, stale=\"true\", qop=auth", PINT_DIGEST_MD5,
		 PINT_DIGEST_QOP_AUTH, true},
		{"Digest realm=\"\", nonce=\"n\", algorithm=\"SHA-256\", stale=false",
		 PINT_DIGEST_SHA256, 0, false},
		{"Digest realm=\"r\", nonce=\"n\", qop=\"auth-int , token68, AUTH\"",
		 PINT_DIGEST_MD5, PINT_DIGEST_QOP_AUTH | PINT_DIGEST_QOP_AUTH_INT, false},
		{"Digest realm=\"r\", nonce=\"a/b+c==\", charset=UTF-8, userhash=false, "
		 "domain=\"sip:a.example.com sip:b.example.com\", x-ext=\"q\\\"uoted, with comma\",",
		 PINT_DIGEST_MD5, 0, false},
	};
	struct pint_digest_chal ch;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = parse(&ch, cases[i].hdr);

		if (err)
			fail_msg("case %zu: %d", i, err);
		assert_int_equal(ch.alg, cases[i].alg);
		assert_int_equal(ch.qops, cases[i].qops);
		assert_int_equal(ch.stale, cases[i].stale);
		assert_string_equal(ch.nonce, i == 6 ? "a/b+c==" : "n");
	}
	assert_string_equal(ch.domain, "sip:a.example.com sip:b.example.com");
}

static void test_hostile_and_unusable(void **state)
{
	static const struct {
		const char *hdr;
		int err;
	} cases[] = {
		{"", EBADMSG},
		{"   ", EBADMSG},
		{"Digest", EBADMSG},
		{"Digestrealm=\"r\", nonce=\"n\"", EPROTO},
		{"Digest, realm=\"r\", nonce=\"n\"", EBADMSG},
		{"Digest realm=\"r\"", EBADMSG},
		{"Digest nonce=\"n\"", EBADMSG},
		{"Digest realm=\"r, nonce=\"n\"", EBADMSG},
		{"Digest realm=\"r\", nonce=\"n", EBADMSG},
		{"Digest realm=\"r\", nonce=\"n\\", EBADMSG},
		{"Digest realm=\"r\", nonce=\"n\"x", EBADMSG},
		{"Digest realm=\"r\" nonce=\"n\"", EBADMSG},
		{"Digest realm=\"r\", nonce=", EBADMSG},
		{"Digest realm=\"r\", nonce=,", EBADMSG},
		{"Digest realm=\"r\", nonce", EBADMSG},
		{"Digest realm=\"r\", =\"n\"", EBADMSG},
		{"Digest realm=\"r\", nonce=\"n\", realm=\"evil\"", EBADMSG},
		{"Digest realm=\"r\", nonce=\"n\", NONCE=\"m\"", EBADMSG},
		{"Digest realm=\"r\", nonce=\"n\", qop=\"auth\", qop=\"auth\"", EBADMSG},
		{"Digest realm=\"r\", nonce=\"a\r\nInjected: 1\"", EBADMSG},
		{"Digest realm=\"r\", nonce=\"a\\\r\"", EBADMSG},
		{"Basic realm=\"r\"", EPROTO},
		{"Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256", EPROTO},
		{"Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5", EPROTO},
		{"Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"", EPROTO},
		{"Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess", EPROTO},
		{"Digest realm=\"r\", nonce=\"n\", a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, "
		 "i=9, j=10, k=11, l=12, m=13, n=14, o=15, p=16, q=17, r=18, s=19, t=20, "
		 "u=21, v=22, w=23, x=24, y=25, z=26, aa=27, bb=28, cc=29, dd=30", 0},
		{"Digest realm=\"r\", nonce=\"n\", a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, "
		 "i=9, j=10, k=11, l=12, m=13, n=14, o=15, p=16, q=17, r=18, s=19, t=20, "
		 "u=21, v=22, w=23, x=24, y=25, z=26, aa=27, bb=28, cc=29, dd=30, ee=31", EMSGSIZE},
	};
	struct pint_digest_chal ch;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = parse(&ch, cases[i].hdr);

		if (err != cases[i].err)
			fail_msg("case %zu (%s): got %d, want %d", i, cases[i].hdr,
				 err, cases[i].err);
	}
}

static void test_size_limits(void **state)
{
	struct pint_digest_chal ch;
	char *hdr;
	size_t n;

	(void)state;
	/* A 10 KB nonce: over the header limit before any parsing. */
	hdr = malloc(11000);
	assert_non_null(hdr);
	n = (size_t)snprintf(hdr, 11000, "Digest realm=\"r\", nonce=\"");
	memset(hdr + n, 'a', 10240);
	n += 10240;
	memcpy(hdr + n, "\"", 2);
	assert_int_equal(pint_digest_parse(&ch, hdr, n + 1), EMSGSIZE);

	/* Within the header limit, one value over PINT_DIGEST_MAX_VALUE. */
	n = (size_t)snprintf(hdr, 11000, "Digest realm=\"r\", nonce=\"");
	memset(hdr + n, 'a', PINT_DIGEST_MAX_VALUE + 1);
	memcpy(hdr + n + PINT_DIGEST_MAX_VALUE + 1, "\"", 2);
	assert_int_equal(parse(&ch, hdr), EMSGSIZE);
	/* Exactly at the limit, quoted and bare. */
	memcpy(hdr + n + PINT_DIGEST_MAX_VALUE, "\"", 2);
	assert_int_equal(parse(&ch, hdr), 0);
	assert_int_equal(strlen(ch.nonce), PINT_DIGEST_MAX_VALUE);
	n = (size_t)snprintf(hdr, 11000, "Digest realm=r, nonce=");
	memset(hdr + n, 'b', PINT_DIGEST_MAX_VALUE + 1);
	hdr[n + PINT_DIGEST_MAX_VALUE + 1] = '\0';
	assert_int_equal(parse(&ch, hdr), EMSGSIZE);
	hdr[n + PINT_DIGEST_MAX_VALUE] = '\0';
	assert_int_equal(parse(&ch, hdr), 0);
	free(hdr);

	assert_int_equal(pint_digest_parse(NULL, "x", 1), EINVAL);
	assert_int_equal(pint_digest_parse(&ch, NULL, 1), EINVAL);
	assert_int_equal(pint_digest_parse(&ch, NULL, 0), EBADMSG);
}

static void test_bad_credentials(void **state)
{
	struct pint_digest_cred cr = {
		.method = "INVITE", .uri = "sip:gw.example.net",
		.username = "alice", .password = "secret",
		.cnonce = "c", .nc = 1,
	};
	struct pint_digest_chal ch;
	struct pint_mbuf mb;

	(void)state;
	assert_int_equal(parse(&ch, "Digest realm=\"r\", nonce=\"n\", qop=auth"), 0);
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, "kept"), 0);

	cr.nc = 0;
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EINVAL);
	cr.nc = 1;
	cr.cnonce = "";
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EINVAL);
	cr.cnonce = NULL;
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EINVAL);
	cr.cnonce = "c";
	cr.username = "alice\r\nVia: evil";
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EINVAL);
	cr.username = "alice";
	cr.method = "IN VITE";
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EINVAL);
	cr.method = "INVITE";
	cr.uri = "";
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EINVAL);
	cr.uri = "sip:gw.example.net";
	cr.body_len = 3;
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EINVAL);
	cr.body_len = 0;
	assert_int_equal(pint_digest_authorize(&mb, &ch, NULL), EINVAL);
	assert_string_equal(mb.buf, "kept");

	/* A limit hit midway leaves the buffer as it was. */
	pint_mbuf_reset(&mb);
	pint_mbuf_init(&mb, 60);
	assert_int_equal(pint_mbuf_puts(&mb, "kept"), 0);
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EMSGSIZE);
	assert_string_equal(mb.buf, "kept");
	assert_int_equal(mb.len, 4);
	pint_mbuf_reset(&mb);

	/* A hand-built -sess challenge without qop cannot be answered. */
	ch.qops = PINT_DIGEST_QOP_NONE;
	ch.alg = PINT_DIGEST_SHA256_SESS;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), EPROTO);
	assert_null(mb.buf);
	assert_string_equal(pint_digest_alg_name(PINT_DIGEST_SHA256_SESS), "SHA-256-sess");
}

static void test_alloc_failure(void **state)
{
	static const struct pint_digest_cred cr = {
		.method = "INVITE", .uri = "sip:gw.example.net",
		.username = "alice", .password = "secret",
		.cnonce = "c", .nc = 1,
	};
	struct pint_digest_chal ch;
	struct pint_mbuf mb;

	(void)state;
	assert_int_equal(parse(&ch, "Digest realm=\"r\", nonce=\"n\", qop=auth"), 0);
	pint_mbuf_init(&mb, 0);
	alloc_fail_at(1);
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), ENOMEM);
	alloc_fail_at(0);
	assert_null(mb.buf);
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), 0);
	assert_true(mb.len > 0);
	pint_mbuf_reset(&mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_rfc2617_example),
		leakcheck_test(test_rfc7616_examples),
		leakcheck_test(test_rfc2069_no_qop),
		leakcheck_test(test_sess_and_auth_int),
		leakcheck_test(test_escapes_round_trip),
		leakcheck_test(test_odd_but_legal_spellings),
		leakcheck_test(test_hostile_and_unusable),
		leakcheck_test(test_size_limits),
		leakcheck_test(test_bad_credentials),
		leakcheck_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("pint_digest", tests, NULL, NULL);
}
