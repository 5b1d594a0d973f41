/*
 * tests/gateway/test_auth.c — gateway/auth.c: bearer tokens against the
 * [key NAME] hashes of a configuration. The hashes below were made with
 * `printf %s "$TOKEN" | sha256sum`, not with the code under test.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "gateway/auth.h"
#include "gateway/config.h"

#define TOKEN_A "tokenA-0123456789abcdef0123456789"
#define TOKEN_B "tokenB-0123456789abcdef0123456789"
#define TOKEN_C "tokenC_read.only~+/=="
#define HASH_A "dfa8cd6840916aeb3a95cd0c58f6149ee8aeb844b0feca2f350774509167ac69"
#define HASH_B "1d679eead0bc05471b962fa7ce5c406318a814ea5fe50422be6ce08d63e15a70"
#define HASH_C "ddad4f8edb044464c7a3c9f8d467ffc4032b71544564691a47efe0dfebc44591"
/* 256 times 'L' */
#define HASH_L "2162d3a310a600f6fdcb0253a0dd0c64580f07bfab439dae543fb1faf9eaea94"

static const char conf_text[] =
	"[key alpha]\n"
	"hash = sha256:" HASH_A "\n"
	"[key beta]\n"
	"hash = sha256:" HASH_B "\n"
	"rate = 1\n"
	"[key reader]\n"
	"hash = SHA256:" HASH_C "\n"
	"scopes = read cancel\n"
	"[key long]\n"
	"hash = sha256:" HASH_L "\n";

struct fixture {
	struct gw_conf *conf;
	struct gw_auth *auth;
};

static void setup(struct fixture *f)
{
	struct gw_conf_errs errs;

	f->conf = NULL;
	f->auth = NULL;
	if (gw_conf_parse_string(&f->conf, conf_text, sizeof(conf_text) - 1,
				 "auth.conf", &errs))
		fail_msg("config: %s", errs.n ? errs.msg[0] : "ENOMEM");
	assert_int_equal(gw_auth_alloc(&f->auth, f->conf), 0);
}

static void teardown(struct fixture *f)
{
	gw_auth_free(f->auth);
	gw_conf_free(f->conf);
}

/* The key name header authenticates as, or NULL when it is refused. */
static const char *who(const struct gw_auth *auth, const char *header)
{
	const struct gw_auth_key *key = (const struct gw_auth_key *)&key;
	int err = gw_auth_check(auth, header, &key);

	if (err) {
		assert_int_equal(err, ENOENT);
		assert_null(key);
		return NULL;
	}
	assert_non_null(key);
	return key->name;
}

static void test_tokens(void **state)
{
	static const struct {
		const char *header;
		const char *key;        /* NULL: 401 */
	} cases[] = {
		{"Bearer " TOKEN_A, "alpha"},
		{"Bearer " TOKEN_B, "beta"},
		{"Bearer " TOKEN_C, "reader"},
		/* the scheme in any case, blanks around and between */
		{"bearer " TOKEN_A, "alpha"},
		{"BEARER " TOKEN_A, "alpha"},
		{"Bearer   " TOKEN_A, "alpha"},
		{"Bearer\t" TOKEN_A, "alpha"},
		{"  Bearer " TOKEN_A "  ", "alpha"},
		/* wrong: other tokens, other schemes, bad shapes */
		{"Bearer tokenA-0123456789abcdef012345678", NULL},
		{"Bearer tokenA-0123456789abcdef01234567890", NULL},
		{"Bearer TOKENA-0123456789ABCDEF0123456789", NULL},
		{"Bearer " HASH_A, NULL},
		{"Basic dXNlcjpwYXNzd29yZA==", NULL},
		{"Basic " TOKEN_A, NULL},
		{"Token " TOKEN_A, NULL},
		{"Bearer", NULL},
		{"Bearer ", NULL},
		{"Bearer    ", NULL},
		{"Bearer" TOKEN_A, NULL},
		{TOKEN_A, NULL},
		{"", NULL},
		{"Bearer " TOKEN_A " " TOKEN_B, NULL},
		{"Bearer " TOKEN_A ",", NULL},
		{"Bearer =" TOKEN_A, NULL},
		{"Bearer tokenC_read.only~+/==x", NULL},
		{"Bearer tok\"en", NULL},
		{"Bearer tok\x01" "en", NULL},
		{"Bearer tok\xc3\xa9n", NULL},
	};
	struct fixture f;
	size_t i;

	(void)state;
	setup(&f);
	assert_int_equal(gw_auth_count(f.auth), 4);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = who(f.auth, cases[i].header);

		if ((got == NULL) != (cases[i].key == NULL) ||
		    (got && strcmp(got, cases[i].key) != 0))
			fail_msg("'%s': got %s, want %s", cases[i].header,
				 got ? got : "401",
				 cases[i].key ? cases[i].key : "401");
	}
	/* no header at all */
	assert_null(who(f.auth, NULL));
	teardown(&f);
}

/* 256 bytes is the longest token; longer ones (10 KB) are refused. */
static void test_token_length(void **state)
{
	char header[16 + 10240 + 1];
	struct fixture f;

	(void)state;
	setup(&f);
	memcpy(header, "Bearer ", 7);
	memset(header + 7, 'L', GW_AUTH_MAX_TOKEN);
	header[7 + GW_AUTH_MAX_TOKEN] = '\0';
	assert_string_equal(who(f.auth, header), "long");

	header[7 + GW_AUTH_MAX_TOKEN] = ' ';
	header[8 + GW_AUTH_MAX_TOKEN] = '\0';
	assert_string_equal(who(f.auth, header), "long");

	header[7 + GW_AUTH_MAX_TOKEN] = 'L';
	assert_null(who(f.auth, header));

	memset(header + 7, 'L', 10240);
	header[7 + 10240] = '\0';
	assert_null(who(f.auth, header));
	teardown(&f);
}

static void test_scopes(void **state)
{
	const struct gw_auth_key *alpha, *reader;
	struct fixture f;

	(void)state;
	setup(&f);
	alpha = gw_auth_find(f.auth, "alpha");
	reader = gw_auth_find(f.auth, "reader");
	assert_non_null(alpha);
	assert_non_null(reader);
	assert_null(gw_auth_find(f.auth, "gamma"));
	assert_null(gw_auth_find(f.auth, NULL));

	assert_true(gw_auth_has_scope(alpha, "call"));
	assert_true(gw_auth_has_scope(alpha, "fax"));
	assert_true(gw_auth_has_scope(alpha, "content"));
	assert_true(gw_auth_has_scope(alpha, "read"));
	assert_true(gw_auth_has_scope(alpha, "cancel"));
	assert_false(gw_auth_has_scope(alpha, "admin"));
	assert_false(gw_auth_has_scope(alpha, "CALL"));
	assert_false(gw_auth_has_scope(alpha, NULL));

	assert_false(gw_auth_has_scope(reader, "call"));
	assert_false(gw_auth_has_scope(reader, "fax"));
	assert_false(gw_auth_has_scope(reader, "content"));
	assert_true(gw_auth_has_scope(reader, "read"));
	assert_true(gw_auth_has_scope(reader, "cancel"));
	assert_false(gw_auth_has_scope(NULL, "read"));

	/* the key leads to its configuration: limits, name */
	assert_int_equal(gw_auth_find(f.auth, "beta")->conf->rate, 1);
	assert_ptr_equal(alpha->conf, gw_conf_key(f.conf, "alpha"));
	teardown(&f);
}

static void test_no_keys(void **state)
{
	struct gw_conf *conf = NULL;
	struct gw_auth *auth = NULL;
	const struct gw_auth_key *key;

	(void)state;
	assert_int_equal(gw_conf_parse_string(&conf, "", 0, "e", NULL), 0);
	assert_int_equal(gw_auth_alloc(&auth, conf), 0);
	assert_int_equal(gw_auth_count(auth), 0);
	assert_int_equal(gw_auth_check(auth, "Bearer " TOKEN_A, &key), ENOENT);
	assert_int_equal(gw_auth_check(NULL, "Bearer " TOKEN_A, &key), EINVAL);
	assert_int_equal(gw_auth_check(auth, "Bearer " TOKEN_A, NULL), EINVAL);
	assert_int_equal(gw_auth_alloc(NULL, conf), EINVAL);
	assert_int_equal(gw_auth_alloc(&auth, NULL), EINVAL);
	gw_auth_free(auth);
	gw_auth_free(NULL);
	gw_conf_free(conf);
	assert_int_equal(gw_auth_count(NULL), 0);
}

static void test_hash_token(void **state)
{
	char hex[GW_AUTH_HEX_SIZE], tok[GW_AUTH_MAX_TOKEN + 2];

	(void)state;
	assert_int_equal(gw_auth_hash_token(TOKEN_A, hex), 0);
	assert_string_equal(hex, HASH_A);
	assert_int_equal(gw_auth_hash_token(TOKEN_C, hex), 0);
	assert_string_equal(hex, HASH_C);
	assert_int_equal(gw_auth_hash_token("example-token-replace-me-0123456789abcdef", hex), 0);
	assert_string_equal(hex, "401fe3ccb9f5ffb678ecd700eb48039250d139152a40c65a83eccc706b997819");

	memset(tok, 'L', GW_AUTH_MAX_TOKEN);
	tok[GW_AUTH_MAX_TOKEN] = '\0';
	assert_int_equal(gw_auth_hash_token(tok, hex), 0);
	assert_string_equal(hex, HASH_L);
	tok[GW_AUTH_MAX_TOKEN] = 'L';
	tok[GW_AUTH_MAX_TOKEN + 1] = '\0';
	assert_int_equal(gw_auth_hash_token(tok, hex), EINVAL);

	/* tokens check() would refuse, and words, are refused here too */
	assert_int_equal(gw_auth_hash_token("0123456789abcde", hex), EINVAL);
	assert_int_equal(gw_auth_hash_token("0123456789abcdef", hex), 0);
	assert_int_equal(gw_auth_hash_token("0123456789 abcdef", hex), EINVAL);
	assert_int_equal(gw_auth_hash_token("0123456789abcdef=x", hex), EINVAL);
	assert_int_equal(gw_auth_hash_token("", hex), EINVAL);
	assert_int_equal(gw_auth_hash_token(NULL, hex), EINVAL);
	assert_int_equal(gw_auth_hash_token(TOKEN_A, NULL), EINVAL);
}

/* FIPS 180-2's vectors, and bytes that are not text (idempotent bodies). */
static void test_sha256(void **state)
{
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
	static const uint8_t empty[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
		0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
		0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55 };
	uint8_t md[GW_CONF_HASH_LEN], md2[GW_CONF_HASH_LEN];

	(void)state;
	assert_int_equal(gw_auth_sha256("abc", 3, md), 0);
	assert_memory_equal(md, abc, sizeof(abc));
	assert_int_equal(gw_auth_sha256("", 0, md), 0);
	assert_memory_equal(md, empty, sizeof(empty));
	assert_int_equal(gw_auth_sha256("a\0b", 3, md), 0);
	assert_int_equal(gw_auth_sha256("a\0c", 3, md2), 0);
	assert_memory_not_equal(md, md2, sizeof(md));
}

/* The key in etc/pintgw.conf is the documented example token. */
static void test_shipped_key(void **state)
{
	struct gw_conf *conf = NULL;
	struct gw_auth *auth = NULL;
	struct gw_conf_errs errs;

	(void)state;
	assert_int_equal(gw_conf_load(&conf, SRCDIR "/etc/pintgw.conf", &errs),
			 0);
	assert_int_equal(gw_auth_alloc(&auth, conf), 0);
	assert_string_equal(who(auth, "Bearer example-token-replace-me-0123456789abcdef"),
			    "example");
	assert_null(who(auth, "Bearer " TOKEN_A));
	gw_auth_free(auth);
	gw_conf_free(conf);
}

/* Each allocation of gw_auth_alloc() failing gives a clean ENOMEM. */
static void test_alloc_failure(void **state)
{
	struct gw_conf *conf = NULL;
	unsigned long k;

	(void)state;
	assert_int_equal(gw_conf_parse_string(&conf, conf_text,
					      sizeof(conf_text) - 1, "a", NULL),
			 0);
	for (k = 1; ; k++) {
		struct gw_auth *auth = NULL;
		long live = alloc_live();
		int err;

		alloc_fail_at(k);
		err = gw_auth_alloc(&auth, conf);
		alloc_fail_at(0);
		if (err == 0) {
			gw_auth_free(auth);
			break;
		}
		assert_int_equal(err, ENOMEM);
		assert_null(auth);
		assert_int_equal(alloc_live(), live);
	}
	assert_int_equal(k, 4);
	gw_conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_tokens),
		leakcheck_test(test_token_length),
		leakcheck_test(test_scopes),
		leakcheck_test(test_no_keys),
		leakcheck_test(test_hash_token),
		leakcheck_test(test_sha256),
		leakcheck_test(test_shipped_key),
		leakcheck_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
