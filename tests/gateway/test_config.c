/*
 * tests/gateway/test_config.c — gateway/config*.c: pintgw.conf fixtures
 * (tests/data/config/) that must parse to known values, fixtures that
 * must fail with the exact "FILE:LINE: message" lists of their .errors
 * files, the shipped etc/pintgw.conf (and its documentation), limits,
 * file errors, allocation failure, and the hand-over to pint/gwset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/pint/test_common.h"
#include "gateway/config.h"
#include "gateway/config_int.h"
#include "pint/gwset.h"
#include "pint/mbuf.h"

/* Parse tests/data/config/<file>, named <file> in messages. */
static int parse_fixture(const char *file, struct gw_conf **confp,
			 struct gw_conf_errs *errs)
{
	char rel[256];
	size_t len;
	char *text;
	int err;

	snprintf(rel, sizeof(rel), "config/%s", file);
	text = test_read_file(rel, &len);
	err = gw_conf_parse_string(confp, text, len, file, errs);
	free(text);
	return err;
}

static struct gw_conf *parse_ok(const char *file)
{
	struct gw_conf_errs errs;
	struct gw_conf *conf = NULL;
	int err = parse_fixture(file, &conf, &errs);

	if (err || errs.total)
		fail_msg("%s: err %d, %zu errors, first: %s", file, err,
			 errs.total, errs.n ? errs.msg[0] : "-");
	assert_non_null(conf);
	return conf;
}

static struct gw_conf *parse_text_ok(const char *text)
{
	struct gw_conf_errs errs;
	struct gw_conf *conf = NULL;
	int err = gw_conf_parse_string(&conf, text, strlen(text), "t.conf",
				       &errs);

	if (err || errs.total)
		fail_msg("err %d, %zu errors, first: %s", err, errs.total,
			 errs.n ? errs.msg[0] : "-");
	return conf;
}

/* ---- good files -------------------------------------------------------- */

static void check_defaults(const struct gw_conf *c)
{
	assert_string_equal(c->main.state_dir, "/var/lib/pintgw");
	assert_int_equal(c->main.log_level, LOG_LEVEL_INFO);
	assert_true(c->main.log_timestamps);
	assert_true(c->main.mask_numbers);
	assert_null(c->main.default_context);
	assert_null(c->main.requestor_email);
	assert_int_equal(c->main.drain_grace, 10);
	assert_int_equal(c->main.max_pending, 100000);

	assert_string_equal(c->http.listen.host, "127.0.0.1");
	assert_int_equal(c->http.listen.port, 8080);
	assert_false(c->http.listen.ipv6);
	assert_int_equal(c->http.max_body, 1048576);
	assert_int_equal(c->http.max_connections, 1024);
	assert_int_equal(c->http.per_ip_connections, 64);
	assert_int_equal(c->http.connection_timeout, 30);
	assert_int_equal(c->http.cors_origins.n, 0);
	assert_int_equal(c->http.sse_heartbeat, 15);

	assert_int_equal(c->sip.nlisten, 2);
	assert_int_equal(c->sip.listen[0].transport, PINT_TSX_UDP);
	assert_string_equal(c->sip.listen[0].host, "127.0.0.1");
	assert_int_equal(c->sip.listen[0].port, 5060);
	assert_int_equal(c->sip.listen[1].transport, PINT_TSX_TCP);
	assert_string_equal(c->sip.listen[1].host, "127.0.0.1");
	assert_int_equal(c->sip.listen[1].port, 5060);
	assert_string_equal(c->sip.contact_host, "127.0.0.1");
	assert_false(c->sip.contact_ipv6);
	assert_string_equal(c->sip.user, "pintgw");
	assert_int_equal(c->sip.udp_buffer, 4u * 1024u * 1024u);
	assert_int_equal(c->sip.tcp_idle_timeout, 60);
	assert_int_equal(c->sip.max_message, 65535);
	assert_int_equal(c->sip.t1, 500);
	assert_int_equal(c->sip.t2, 4000);
	assert_int_equal(c->sip.t4, 5000);
	assert_int_equal(c->sip.ring_timeout, 30);
	assert_int_equal(c->sip.ring_timeout_max, 300);
	assert_int_equal(c->sip.max_redirects, 3);

	assert_int_equal(c->store.synchronous, GW_STORE_SYNC_NORMAL);
	assert_int_equal(c->store.busy_timeout, 5000);
	assert_int_equal(c->store.commit_interval, 1);

	assert_int_equal(c->webhooks.attempts, 12);
	assert_int_equal(c->webhooks.base_delay, 5);
	assert_int_equal(c->webhooks.max_delay, 3600);
	assert_int_equal(c->webhooks.timeout, 10);
	assert_int_equal(c->webhooks.max_inflight, 64);
	assert_int_equal(c->webhooks.allow_private.n, 0);

	assert_true(c->policy.default_deny);
	assert_int_equal(c->policy.deny.n, 0);
	assert_int_equal(c->policy.allow.n, 0);
	assert_int_equal(c->policy.destination_cooldown, 60);
	assert_int_equal(c->policy.destination_daily_cap, 10);
	assert_false(c->policy.quiet);
	assert_int_equal(c->policy.ntz, 0);

	assert_true(c->click.rate_per_ip > 0.199 && c->click.rate_per_ip < 0.201);
	assert_int_equal(c->click.burst_per_ip, 3);
	assert_int_equal(c->click.max_ttl, 30 * 86400);
	assert_int_equal(c->click.origins.n, 0);
}

static void check_gateway_defaults(const struct gw_conf_gateway *gw)
{
	assert_null(gw->tsp);
	assert_int_equal(gw->priority, 0);
	assert_int_equal(gw->keepalive, 30);
	assert_int_equal(gw->down_after, 3);
	assert_int_equal(gw->rest_max, 300);
	assert_int_equal(gw->rest_default, 30);
	assert_int_equal(gw->status, PINT_GWSET_STATUS_PINT);
	assert_true(gw->dialog_fallback);
	assert_int_equal(gw->subscribe_expires, 600);
	assert_null(gw->username);
	assert_null(gw->password);
	assert_null(gw->register_aor);
	assert_int_equal(gw->register_expires, 3600);
	assert_int_equal(gw->nallow_from, 0);
	assert_int_equal(gw->nspellings, 0);
}

static void check_key_defaults(const struct gw_conf_key *k)
{
	assert_int_equal(k->scopes, GW_CONF_SCOPE_ALL);
	assert_int_equal(k->rate, 10);
	assert_int_equal(k->burst, 20);
	assert_int_equal(k->concurrency, 100);
	assert_null(k->from);
	assert_null(k->email);
	assert_int_equal(k->allow.n, 0);
	assert_int_equal(k->deny.n, 0);
	assert_null(k->secret_env);
}

static void test_empty_is_defaults(void **state)
{
	struct gw_conf *c = parse_ok("empty.conf");

	(void)state;
	check_defaults(c);
	assert_int_equal(c->ngateways, 0);
	assert_int_equal(c->nservices, 0);
	assert_int_equal(c->nkeys, 0);
	gw_conf_free(c);

	/* no bytes at all, and no text pointer */
	c = NULL;
	assert_int_equal(gw_conf_parse_string(&c, NULL, 0, "x", NULL), 0);
	check_defaults(c);
	gw_conf_free(c);
}

static void test_full(void **state)
{
	struct gw_conf *c = parse_ok("full.conf");
	const struct gw_conf_gateway *gw;
	const struct gw_conf_service *svc;
	const struct gw_conf_key *k;
	static const uint8_t shop_hash[GW_CONF_HASH_LEN] = {
		0x40, 0x1f, 0xe3, 0xcc, 0xb9, 0xf5, 0xff, 0xb6,
		0x78, 0xec, 0xd7, 0x00, 0xeb, 0x48, 0x03, 0x92,
		0x50, 0xd1, 0x39, 0x15, 0x2a, 0x40, 0xc6, 0x5a,
		0x83, 0xec, 0xcc, 0x70, 0x6b, 0x99, 0x78, 0x19,
	};

	(void)state;
	assert_string_equal(c->main.state_dir, "/srv/pintgw");
	assert_int_equal(c->main.log_level, LOG_LEVEL_DEBUG);
	assert_false(c->main.log_timestamps);
	assert_false(c->main.mask_numbers);
	assert_string_equal(c->main.default_context, "+44");
	assert_string_equal(c->main.requestor_email, "ops@example.com");
	assert_int_equal(c->main.drain_grace, 0);
	assert_int_equal(c->main.max_pending, 5000);

	assert_string_equal(c->http.listen.host, "::1");
	assert_true(c->http.listen.ipv6);
	assert_true(c->http.listen.numeric);
	assert_int_equal(c->http.listen.port, 8443);
	assert_int_equal(c->http.max_body, 2097152);
	assert_int_equal(c->http.max_connections, 10);
	assert_int_equal(c->http.per_ip_connections, 10);
	assert_int_equal(c->http.connection_timeout, 5);
	assert_int_equal(c->http.cors_origins.n, 2);
	assert_string_equal(c->http.cors_origins.v[0], "https://shop.example.com");
	assert_string_equal(c->http.cors_origins.v[1], "http://localhost:3000");
	assert_int_equal(c->http.sse_heartbeat, 20);

	assert_int_equal(c->sip.nlisten, 2);
	assert_int_equal(c->sip.listen[0].transport, PINT_TSX_UDP);
	assert_string_equal(c->sip.listen[0].host, "192.0.2.10");
	assert_int_equal(c->sip.listen[0].port, 5070);
	assert_int_equal(c->sip.listen[1].transport, PINT_TSX_TCP);
	assert_int_equal(c->sip.listen[1].port, 5060);
	assert_string_equal(c->sip.contact_host, "sip.example.com");
	assert_string_equal(c->sip.user, "gw-1");
	assert_int_equal(c->sip.udp_buffer, 65536);
	assert_int_equal(c->sip.tcp_idle_timeout, 120);
	assert_int_equal(c->sip.max_message, 4096);
	assert_int_equal(c->sip.t1, 250);
	assert_int_equal(c->sip.t2, 250);
	assert_int_equal(c->sip.t4, 2500);
	assert_int_equal(c->sip.ring_timeout, 45);
	assert_int_equal(c->sip.ring_timeout_max, 45);
	assert_int_equal(c->sip.max_redirects, 0);
	assert_int_equal(c->store.synchronous, GW_STORE_SYNC_FULL);
	assert_int_equal(c->store.busy_timeout, 250);
	assert_int_equal(c->store.commit_interval, 5);

	assert_int_equal(c->ngateways, 2);
	gw = gw_conf_gateway(c, "east");
	assert_ptr_equal(gw, &c->gateways[0]);
	assert_int_equal(gw->line, 40);
	assert_string_equal(gw->address, "tcp:pint.example.net:5080");
	assert_int_equal(gw->peer.transport, PINT_TSX_TCP);
	assert_string_equal(gw->peer.host, "pint.example.net");
	assert_false(gw->peer.numeric);
	assert_int_equal(gw->peer.port, 5080);
	assert_string_equal(gw->domain, "example.net");
	assert_string_equal(gw->tsp, "tsp.example.net");
	assert_int_equal(gw->priority, 7);
	assert_int_equal(gw->keepalive, 0);
	assert_int_equal(gw->down_after, 1);
	assert_int_equal(gw->rest_max, 60);
	assert_int_equal(gw->rest_default, 60);
	assert_int_equal(gw->status, PINT_GWSET_STATUS_DIALOG);
	assert_false(gw->dialog_fallback);
	assert_int_equal(gw->subscribe_expires, 120);
	assert_string_equal(gw->username, "alice");
	assert_string_equal(gw->password, "s3cr=t");
	assert_string_equal(gw->register_aor, "sip:pintgw@example.net");
	assert_int_equal(gw->register_expires, 60);
	assert_int_equal(gw->nallow_from, 2);
	assert_string_equal(gw->allow_from[0], "192.0.2.7");
	assert_string_equal(gw->allow_from[1], "2001:db8::7");
	assert_int_equal(gw->nspellings, 2);
	assert_string_equal(gw->spellings[0].type, "image/tiff");
	assert_string_equal(gw->spellings[0].subtype, "tif");
	assert_string_equal(gw->spellings[1].type, "application/pdf");
	assert_string_equal(gw->spellings[1].subtype, "pdf-doc");

	gw = gw_conf_gateway(c, "west");
	assert_non_null(gw);
	assert_string_equal(gw->domain, "198.51.100.1");
	assert_int_equal(gw->peer.port, 5060);
	assert_true(gw->peer.numeric);
	check_gateway_defaults(gw);
	assert_null(gw_conf_gateway(c, "north"));

	assert_int_equal(c->nservices, 2);
	svc = gw_conf_service(c, "faxback");
	assert_non_null(svc);
	assert_string_equal(svc->uri_user, "R2FB");
	assert_int_equal(svc->proto, PINT_SDP_PROTO_FAX);
	assert_int_equal(svc->content, PINT_SVC_MAY_CONTENT);
	assert_true(svc->a_party);
	svc = gw_conf_service(c, "page");
	assert_string_equal(svc->uri_user, "page");
	assert_int_equal(svc->proto, PINT_SDP_PROTO_PAGER);
	assert_int_equal(svc->content, PINT_SVC_NEEDS_CONTENT);
	assert_false(svc->a_party);
	assert_null(gw_conf_service(c, "call"));

	assert_int_equal(c->nkeys, 2);
	k = gw_conf_key(c, "shop");
	assert_non_null(k);
	assert_memory_equal(k->hash, shop_hash, GW_CONF_HASH_LEN);
	assert_int_equal(k->scopes, GW_CONF_SCOPE_CALL | GW_CONF_SCOPE_READ);
	assert_int_equal(k->rate, 2);
	assert_int_equal(k->burst, 3);
	assert_int_equal(k->concurrency, 4);
	assert_string_equal(k->from, "020 7946 0018");
	assert_string_equal(k->email, "shop@example.com");
	assert_int_equal(k->allow.n, 2);
	assert_string_equal(k->allow.v[0], "+44");
	assert_string_equal(k->allow.v[1], "+1");
	assert_int_equal(k->deny.n, 1);
	assert_string_equal(k->deny.v[0], "+44909");
	assert_string_equal(k->secret_env, "SHOP_SECRET");
	k = gw_conf_key(c, "ops");
	assert_int_equal(k->hash[31], 1);
	check_key_defaults(k);
	gw_conf_free(c);
}

static void test_ipv6(void **state)
{
	struct gw_conf *c = parse_ok("ipv6.conf");
	const struct gw_conf_gateway *gw;

	(void)state;
	assert_string_equal(c->sip.contact_host, "2001:db8::10");
	assert_true(c->sip.contact_ipv6);
	gw = gw_conf_gateway(c, "v6");
	assert_string_equal(gw->peer.host, "2001:db8::1");
	assert_true(gw->peer.ipv6);
	assert_int_equal(gw->peer.port, 5060);
	assert_string_equal(gw->domain, "[2001:db8::1]");
	gw = gw_conf_gateway(c, "v6port");
	assert_int_equal(gw->peer.transport, PINT_TSX_TCP);
	assert_int_equal(gw->peer.port, 5070);
	assert_string_equal(gw->domain, "[2001:db8::2]");
	gw_conf_free(c);
}

static void test_repeated_lists(void **state)
{
	struct gw_conf *c = parse_ok("lists.conf");
	const struct gw_conf_key *k;
	const struct gw_conf_gateway *gw;

	(void)state;
	assert_int_equal(c->http.cors_origins.n, 3);
	assert_string_equal(c->http.cors_origins.v[2],
			    "https://c.example.com:8443");
	/* the first listen line replaces the default list, later ones add */
	assert_int_equal(c->sip.nlisten, 3);
	assert_int_equal(c->sip.listen[1].transport, PINT_TSX_TCP);
	assert_int_equal(c->sip.listen[2].port, 0);
	gw = gw_conf_gateway(c, "g");
	assert_int_equal(gw->nallow_from, 3);
	assert_string_equal(gw->allow_from[2], "192.0.2.4");
	k = gw_conf_key(c, "k");
	assert_int_equal(k->allow.n, 3);
	assert_string_equal(k->allow.v[2], "+49");
	assert_int_equal(k->deny.n, 2);
	gw_conf_free(c);
}

static void test_syntax(void **state)
{
	struct gw_conf *c = parse_ok("syntax.conf");
	const struct gw_conf_gateway *gw;

	(void)state;
	assert_int_equal(c->main.log_level, LOG_LEVEL_WARN);
	assert_true(c->main.log_timestamps);
	assert_false(c->main.mask_numbers);
	assert_int_equal(c->http.max_body, 4096);
	gw = gw_conf_gateway(c, "tabbed");
	assert_non_null(gw);
	assert_string_equal(gw->address, "udp:192.0.2.1");
	assert_true(gw->dialog_fallback);
	/* ';' and '#' only start a comment after a blank */
	assert_string_equal(gw->password, "pa;ss#word");
	assert_int_equal(c->store.synchronous, GW_STORE_SYNC_FULL);
	gw_conf_free(c);
}

/* Every boolean spelling, in any case. */
static void test_booleans(void **state)
{
	static const struct {
		const char *text;
		bool want;
	} cases[] = {
		{"true", true}, {"TRUE", true}, {"yes", true}, {"Yes", true},
		{"on", true}, {"ON", true}, {"1", true},
		{"false", false}, {"False", false}, {"no", false},
		{"NO", false}, {"off", false}, {"Off", false}, {"0", false},
	};
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gw_conf *c;

		snprintf(text, sizeof(text), "[pintgw]\nmask_numbers = %s\n",
			 cases[i].text);
		c = parse_text_ok(text);
		assert_int_equal(c->main.mask_numbers, cases[i].want);
		gw_conf_free(c);
	}
}

/* (text, len) is all that is read: no NUL needed, nothing past len. */
static void test_length_bounded(void **state)
{
	static const char text[] = "[http]\nmax_body = 2048999";
	struct gw_conf *c = NULL;

	(void)state;
	assert_int_equal(gw_conf_parse_string(&c, text, sizeof(text) - 4,
					      "t.conf", NULL), 0);
	assert_int_equal(c->http.max_body, 2048);
	gw_conf_free(c);
}

/* ---- bad files --------------------------------------------------------- */

/*
 * Each bad_X.conf must fail with exactly the messages of bad_X.errors,
 * one per line, in order.
 */
static const char *const bad_files[] = {
	"bad_syntax", "bad_sections", "bad_keys", "bad_main", "bad_gateway",
	"bad_service_key", "bad_required", "bad_cross",
};

static void check_errors(const char *what, const struct gw_conf_errs *errs,
			 char *want)
{
	size_t i = 0;
	char *line = want, *nl;

	for (; (nl = strchr(line, '\n')) != NULL; line = nl + 1, i++) {
		*nl = '\0';
		if (i >= errs->n)
			fail_msg("%s: %zu errors, want more: %s", what,
				 errs->n, line);
		if (strcmp(errs->msg[i], line) != 0)
			fail_msg("%s: error %zu:\n got  %s\n want %s", what,
				 i + 1, errs->msg[i], line);
	}
	if (errs->n != i || errs->total != i)
		fail_msg("%s: %zu errors (%zu kept), want %zu; next: %s", what,
			 errs->total, errs->n, i, errs->msg[i]);
}

static void test_bad_files(void **state)
{
	char conf[64], rel[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		struct gw_conf_errs errs;
		struct gw_conf *c = NULL;
		char *want;

		snprintf(conf, sizeof(conf), "%s.conf", bad_files[i]);
		snprintf(rel, sizeof(rel), "config/%s.errors", bad_files[i]);
		assert_int_equal(parse_fixture(conf, &c, &errs), EINVAL);
		assert_null(c);
		want = test_read_file(rel, NULL);
		check_errors(conf, &errs, want);
		free(want);
	}
}

/* A parse that fails leaves *confp alone and works without errs. */
static void test_errs_optional(void **state)
{
	struct gw_conf *c = (struct gw_conf *)&c;

	(void)state;
	assert_int_equal(gw_conf_parse_string(&c, "x", 1, NULL, NULL), EINVAL);
	assert_ptr_equal(c, (struct gw_conf *)&c);
	assert_int_equal(gw_conf_parse_string(NULL, "", 0, NULL, NULL),
			 EINVAL);
	assert_int_equal(gw_conf_load(&c, NULL, NULL), EINVAL);
}

/* Values quoted in messages are cut and escaped. */
static void test_shown_values(void **state)
{
	static const char text[] = "[pintgw]\nlog_level = \xc3\xa9t\xc3\xa9\n";
	static const char key[] = "[gateway g]\naddress = udp:192.0.2.1\n"
		"subtype.image/t\xf6 = tif\nx\xff = 1\n";
	struct gw_conf_errs errs;
	struct gw_conf *c = NULL;

	(void)state;
	assert_int_equal(gw_conf_parse_string(&c, text, sizeof(text) - 1,
					      "t.conf", &errs), EINVAL);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msg[0],
			    "t.conf:2: log_level: expected err, warn, info or debug, got '\\xc3\\xa9t\\xc3\\xa9'");

	/* keys too (a fuzzer find: subtype keys were quoted raw) */
	assert_int_equal(gw_conf_parse_string(&c, key, sizeof(key) - 1,
					      "t.conf", &errs), EINVAL);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.msg[0],
			    "t.conf:3: subtype.image/t\\xf6: expected subtype.TYPE with a text/, audio/, image/ or application/ MIME type");
	assert_string_equal(errs.msg[1],
			    "t.conf:4: unknown key 'x\\xff' in [gateway g]");
}

/* Only GW_CONF_MAX_ERRORS messages are kept, the first found, by line. */
static void test_error_limit(void **state)
{
	struct gw_conf_errs errs;
	struct pint_mbuf mb;
	struct gw_conf *c = NULL;
	unsigned i;

	(void)state;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, "[pintgw]\n"), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(pint_mbuf_printf(&mb, "x%u = 1\n", i), 0);
	assert_int_equal(gw_conf_parse_string(&c, mb.buf, mb.len, "t.conf",
					      &errs), EINVAL);
	pint_mbuf_reset(&mb);
	assert_int_equal(errs.total, 40);
	assert_int_equal(errs.n, GW_CONF_MAX_ERRORS);
	assert_string_equal(errs.msg[0], "t.conf:2: unknown key 'x0' in [pintgw]");
	assert_int_equal(errs.line[31], 33);
	assert_string_equal(errs.msg[31],
			    "t.conf:33: unknown key 'x31' in [pintgw]");
}

/* head, then n lines made by the literal fmt (with i twice). */
#define BUILD(mb, head, fmt, n) do { \
		unsigned i_; \
		pint_mbuf_init(&(mb), 0); \
		assert_int_equal(pint_mbuf_puts(&(mb), head), 0); \
		for (i_ = 0; i_ < (n); i_++) \
			assert_int_equal(pint_mbuf_printf(&(mb), fmt, i_, \
							  i_), 0); \
	} while (0)

/* mb must fail with exactly one error, want; mb is reset. */
static void check_one_error(struct pint_mbuf *mb, const char *want)
{
	struct gw_conf_errs errs;
	struct gw_conf *c = NULL;

	assert_int_equal(gw_conf_parse_string(&c, mb->buf, mb->len, "t.conf",
					      &errs), EINVAL);
	pint_mbuf_reset(mb);
	if (errs.n != 1 || strcmp(errs.msg[0], want) != 0)
		fail_msg("%zu errors, first: %s\nwant: %s", errs.total,
			 errs.n ? errs.msg[0] : "-", want);
}

static void test_limits(void **state)
{
	struct pint_mbuf mb;

	(void)state;
	BUILD(mb, "", "[gateway g%u]\naddress = udp:192.0.2.%u\n", 33);
	check_one_error(&mb, "t.conf:65: more than 32 [gateway] sections");
	BUILD(mb, "", "[service s%u]\nproto = fax\ncontent = none\n#%u\n", 33);
	check_one_error(&mb, "t.conf:129: more than 32 [service] sections");
	BUILD(mb, "[gateway g]\naddress = udp:192.0.2.1\n",
	      "subtype.text/x%u = x%u\n", 17);
	check_one_error(&mb, "t.conf:19: more than 16 subtype spellings");
	BUILD(mb, "[sip]\n", "listen = udp:127.0.0.%u:50%u\n", 17);
	check_one_error(&mb, "t.conf:18: listen: more than 16 addresses");
	BUILD(mb, "[http]\n", "cors_origins = https://o%u.example.com:8%u\n",
	      65);
	check_one_error(&mb, "t.conf:66: cors_origins: more than 64 origins");
	BUILD(mb, "[key k]\nhash = sha256:"
	      "1111111111111111111111111111111111111111111111111111111111111111\n",
	      "deny = +9%u%u\n", 65);
	check_one_error(&mb, "t.conf:67: deny: more than 64 prefixes");
}

/* [webhooks]: values, the repeatable allow-list, its limits and order. */
static void test_webhooks(void **state)
{
	static const struct {
		const char *text;
		const char *error;      /* NULL: valid */
	} bad[] = {
		{"[webhooks]\nattempts = 0\n",
		 "t.conf:2: attempts: expected a number from 1 to 100, got '0'"},
		{"[webhooks]\nattempts = 101\n",
		 "t.conf:2: attempts: expected a number from 1 to 100, got '101'"},
		{"[webhooks]\ntimeout = 0\n",
		 "t.conf:2: timeout: expected a number of seconds from 1 to 300, "
		 "got '0'"},
		{"[webhooks]\nbase_delay = 10\nmax_delay = 5\n",
		 "t.conf:2: base_delay (10) must not be above max_delay (5)"},
		{"[webhooks]\nallow_private = 10.0.0.0/33\n", NULL},
		{"[webhooks]\nallow_private =\n", NULL},
		{"[webhooks]\nbogus = 1\n", NULL},
		{"[webhooks]\n[webhooks]\n",
		 "t.conf:2: duplicate section [webhooks] (first at line 1)"},
		{"[webhooks x]\n", "t.conf:1: section [webhooks] takes no name"},
	};
	struct gw_conf_errs errs;
	struct gw_conf *c;
	struct pint_mbuf mb;
	size_t i;

	(void)state;
	c = parse_text_ok("[webhooks]\nattempts = 3\nbase_delay = 1\n"
			  "max_delay = 2\ntimeout = 4\nmax_inflight = 5\n"
			  "allow_private = 127.0.0.0/8, ::1\n"
			  "allow_private = 10.20.0.0/16\n");
	assert_int_equal(c->webhooks.attempts, 3);
	assert_int_equal(c->webhooks.base_delay, 1);
	assert_int_equal(c->webhooks.max_delay, 2);
	assert_int_equal(c->webhooks.timeout, 4);
	assert_int_equal(c->webhooks.max_inflight, 5);
	assert_int_equal(c->webhooks.allow_private.n, 3);
	assert_int_equal(c->webhooks.allow_private.v[0].family, AF_INET);
	assert_int_equal(c->webhooks.allow_private.v[0].bits, 8);
	assert_int_equal(c->webhooks.allow_private.v[1].family, AF_INET6);
	assert_int_equal(c->webhooks.allow_private.v[1].bits, 128);
	assert_int_equal(c->webhooks.allow_private.v[2].bits, 16);
	gw_conf_free(c);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		assert_int_equal(gw_conf_parse_string(&c, bad[i].text,
						      strlen(bad[i].text), "t.conf",
						      &errs), EINVAL);
		assert_null(c);
		assert_int_equal(errs.total, 1);
		if (bad[i].error)
			assert_string_equal(errs.msg[0], bad[i].error);
	}

	/* 64 networks in all, over repeated keys */
	BUILD(mb, "[webhooks]\n", "allow_private = 10.%u.%u.0/24\n", 64);
	c = parse_text_ok(mb.buf);
	assert_int_equal(c->webhooks.allow_private.n, 64);
	gw_conf_free(c);
	assert_int_equal(pint_mbuf_puts(&mb, "allow_private = 192.0.2.1\n"), 0);
	c = NULL;
	assert_int_equal(gw_conf_parse_string(&c, mb.buf, mb.len, "t.conf",
					      &errs), EINVAL);
	assert_int_equal(errs.total, 1);
	assert_non_null(strstr(errs.msg[0], "t.conf:66: allow_private:"));
	assert_non_null(strstr(errs.msg[0], "too many networks"));
	pint_mbuf_reset(&mb);
}

/* [fetch]: values, defaults, the allow-list as in [webhooks], limits. */
static void test_fetch(void **state)
{
	static const struct {
		const char *text;
		const char *error;
	} bad[] = {
		{"[fetch]\nmax_bytes = 0\n",
		 "t.conf:2: max_bytes: expected a number of bytes from 1 to "
		 "65535, got '0'"},
		{"[fetch]\nmax_total = 65536\n",
		 "t.conf:2: max_total: expected a number of bytes from 1 to "
		 "65535, got '65536'"},
		{"[fetch]\ntimeout = 301\n",
		 "t.conf:2: timeout: expected a number of seconds from 1 to 300, "
		 "got '301'"},
		{"[fetch]\nmax_redirects = 11\n",
		 "t.conf:2: max_redirects: expected a number from 0 to 10, got "
		 "'11'"},
		{"[fetch]\nmax_inflight = 0\n",
		 "t.conf:2: max_inflight: expected a number from 1 to 10000, got "
		 "'0'"},
		{"[fetch]\nallow_private = 10.0.0.0/33\n", NULL},
		{"[fetch]\nallow = 10.0.0.0/8\n", NULL},
		{"[fetch]\n[fetch]\n",
		 "t.conf:2: duplicate section [fetch] (first at line 1)"},
		{"[fetch x]\n", "t.conf:1: section [fetch] takes no name"},
	};
	struct gw_conf_errs errs;
	struct gw_conf *c;
	size_t i;

	(void)state;
	c = parse_text_ok("");
	assert_int_equal(c->fetch.max_bytes, 61440);
	assert_int_equal(c->fetch.max_total, 61440);
	assert_int_equal(c->fetch.timeout, 10);
	assert_int_equal(c->fetch.max_redirects, 0);
	assert_int_equal(c->fetch.max_inflight, 64);
	assert_int_equal(c->fetch.allow_private.n, 0);
	gw_conf_free(c);

	c = parse_text_ok("[fetch]\nmax_bytes = 1000\nmax_total = 500\n"
			  "timeout = 3\nmax_redirects = 2\nmax_inflight = 9\n"
			  "allow_private = 127.0.0.1/32\n"
			  "allow_private = 10.0.0.0/8, fd00::/8\n"
			  "[webhooks]\nallow_private = 192.168.0.0/16\n");
	assert_int_equal(c->fetch.max_bytes, 1000);
	assert_int_equal(c->fetch.max_total, 500);
	assert_int_equal(c->fetch.timeout, 3);
	assert_int_equal(c->fetch.max_redirects, 2);
	assert_int_equal(c->fetch.max_inflight, 9);
	assert_int_equal(c->fetch.allow_private.n, 3);
	assert_int_equal(c->fetch.allow_private.v[0].bits, 32);
	assert_int_equal(c->fetch.allow_private.v[2].family, AF_INET6);
	/* each section keeps its own list */
	assert_int_equal(c->webhooks.allow_private.n, 1);
	assert_int_equal(c->webhooks.allow_private.v[0].bits, 16);
	gw_conf_free(c);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		assert_int_equal(gw_conf_parse_string(&c, bad[i].text,
						      strlen(bad[i].text), "t.conf",
						      &errs), EINVAL);
		assert_null(c);
		assert_int_equal(errs.total, 1);
		if (bad[i].error)
			assert_string_equal(errs.msg[0], bad[i].error);
	}
}

/* [click]: the decimal rate, the origins, the ranges. */
static void test_click(void **state)
{
	static const struct {
		const char *text;
		const char *error;
	} bad[] = {
		{"[click]\nrate_per_ip = .5\n", "t.conf:2: rate_per_ip: "
		 "expected a number of clicks per second from 0 to 1000, at "
		 "most 3 decimals (0.2), got '.5'"},
		{"[click]\nrate_per_ip = 1.\n", NULL},
		{"[click]\nrate_per_ip = 0.0001\n", NULL},
		{"[click]\nrate_per_ip = 1000.001\n", NULL},
		{"[click]\nrate_per_ip = 10000\n", NULL},
		{"[click]\nrate_per_ip = -1\n", NULL},
		{"[click]\nrate_per_ip = 1e3\n", NULL},
		{"[click]\nburst_per_ip = 0\n", NULL},
		{"[click]\nmax_ttl = 59\n", "t.conf:2: max_ttl: expected a "
		 "number of seconds from 60 to 31622400, got '59'"},
		{"[click]\norigins = shop.example\n", NULL},
		{"[click]\norigins = * https://a.example\n",
		 "t.conf:2: origins: '*' must be the only origin"},
		{"[click]\n[click]\n",
		 "t.conf:2: duplicate section [click] (first at line 1)"},
	};
	struct gw_conf_errs errs;
	struct gw_conf *c;
	size_t i;

	(void)state;
	c = parse_text_ok("[click]\nrate_per_ip = 2.125\nburst_per_ip = 7\n"
			  "max_ttl = 3600\norigins = https://shop.example\n"
			  "origins = http://127.0.0.1:8080\n");
	assert_true(c->click.rate_per_ip > 2.1249 && c->click.rate_per_ip < 2.1251);
	assert_int_equal(c->click.burst_per_ip, 7);
	assert_int_equal(c->click.max_ttl, 3600);
	assert_int_equal(c->click.origins.n, 2);
	assert_string_equal(c->click.origins.v[1], "http://127.0.0.1:8080");
	gw_conf_free(c);
	c = parse_text_ok("[click]\nrate_per_ip = 0\norigins = *\n");
	assert_true(c->click.rate_per_ip == 0);
	assert_string_equal(c->click.origins.v[0], "*");
	gw_conf_free(c);
	c = parse_text_ok("[click]\nrate_per_ip = 1000\n");
	assert_true(c->click.rate_per_ip == 1000);
	gw_conf_free(c);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		assert_int_equal(gw_conf_parse_string(&c, bad[i].text,
						      strlen(bad[i].text), "t.conf",
						      &errs), EINVAL);
		assert_null(c);
		assert_int_equal(errs.total, 1);
		if (bad[i].error)
			assert_string_equal(errs.msg[0], bad[i].error);
	}
}

static void test_key_limit(void **state)
{
	struct gw_conf_errs errs;
	struct pint_mbuf mb;
	struct gw_conf *c = NULL;
	unsigned i;

	(void)state;
	pint_mbuf_init(&mb, 0);
	for (i = 0; i <= GW_CONF_MAX_KEYS; i++)
		assert_int_equal(pint_mbuf_printf(&mb,
			"[key k%u]\nhash = sha256:%064x\n", i, i), 0);
	assert_int_equal(gw_conf_parse_string(&c, mb.buf, mb.len, "t.conf",
					      &errs), EINVAL);
	assert_int_equal(errs.total, 1);
	assert_string_equal(errs.msg[0],
			    "t.conf:2049: more than 1024 [key] sections");
	/* exactly the limit is fine */
	assert_int_equal(gw_conf_parse_string(&c, mb.buf,
					      (size_t)(strstr(mb.buf, "[key k1024]") - mb.buf),
					      "t.conf", &errs), 0);
	assert_int_equal(c->nkeys, GW_CONF_MAX_KEYS);
	gw_conf_free(c);
	pint_mbuf_reset(&mb);
}

/* ---- the shipped file -------------------------------------------------- */

static char *read_src(const char *rel, size_t *lenp)
{
	char path[4096];

	snprintf(path, sizeof(path), "../../%s", rel);
	return test_read_file(path, lenp);
}

/* etc/pintgw.conf parses cleanly and says the defaults the code has. */
static void test_shipped_conf(void **state)
{
	struct gw_conf_errs errs;
	struct pint_gwset_conf gc;
	struct gw_conf *c = NULL;
	const struct gw_conf_gateway *gw;
	const struct gw_conf_key *k;
	const char *field = NULL;
	size_t bad;

	(void)state;
	assert_int_equal(gw_conf_load(&c, SRCDIR "/etc/pintgw.conf", &errs), 0);
	assert_int_equal(errs.total, 0);
	check_defaults(c);
	assert_int_equal(c->ngateways, 1);
	gw = gw_conf_gateway(c, "local");
	assert_non_null(gw);
	assert_string_equal(gw->address, "udp:127.0.0.1:5070");
	assert_string_equal(gw->domain, "127.0.0.1");
	check_gateway_defaults(gw);
	assert_int_equal(gw_conf_gwset(gw, NULL, &gc), 0);
	assert_int_equal(pint_gwset_check(&gc, 1, &bad, &field), 0);
	assert_int_equal(c->nservices, 0);
	assert_int_equal(c->nkeys, 1);
	k = gw_conf_key(c, "example");
	assert_non_null(k);
	check_key_defaults(k);
	gw_conf_free(c);
}

/* Turn "#key = value" and "#[section]" lines into live ones. */
static void uncomment(char *text)
{
	char *p = text;

	while (*p) {
		if (p[0] == '#' && ((p[1] >= 'a' && p[1] <= 'z') || p[1] == '['))
			p[0] = ' ';
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
}

/* Whether text has a line "name = …" in the section headed by header. */
static bool has_key(const char *text, const char *header, const char *name)
{
	const char *p = strstr(text, header), *end;
	size_t len = strlen(name);

	assert_non_null(p);
	end = strstr(p + 1, "\n[");
	if (!end)
		end = strstr(p + 1, "\n [");
	for (p = strchr(p, '\n'); p && (!end || p < end); p = strchr(p + 1, '\n')) {
		const char *q = p + 1;

		while (*q == ' ')
			q++;
		if (strncmp(q, name, len) == 0 && q[len] == ' ')
			return true;
	}
	return false;
}

/*
 * Every key of the tables is in etc/pintgw.conf, live or as a commented
 * example, the examples are valid too, and the man page has an entry
 * for each.
 */
static void test_every_key_documented(void **state)
{
	static const struct {
		enum gw_conf_sect sect;
		const char *header;
	} sects[] = {
		{GW_SECT_MAIN, "[pintgw]"}, {GW_SECT_HTTP, "[http]"},
		{GW_SECT_SIP, "[sip]"}, {GW_SECT_STORE, "[store]"},
		{GW_SECT_WEBHOOKS, "[webhooks]"},
		{GW_SECT_FETCH, "[fetch]"},
		{GW_SECT_POLICY, "[policy]"},
		{GW_SECT_CLICK, "[click]"},
		{GW_SECT_GATEWAY, "[gateway local]"},
		{GW_SECT_SERVICE, "[service faxback]"},
		{GW_SECT_KEY, "[key example]"},
	};
	struct gw_conf_errs errs;
	struct gw_conf *c = NULL;
	char *text, *man, entry[80];
	size_t i, j, n, len, mlen, total = 0;

	(void)state;
	text = read_src("etc/pintgw.conf", &len);
	man = read_src("docs/pintgw.conf.5", &mlen);
	uncomment(text);
	if (gw_conf_parse_string(&c, text, len, "pintgw.conf", &errs))
		fail_msg("uncommented pintgw.conf: %s", errs.msg[0]);
	assert_non_null(gw_conf_service(c, "faxback"));
	assert_int_equal(gw_conf_gateway(c, "local")->nspellings, 1);
	gw_conf_free(c);

	for (i = 0; i < sizeof(sects) / sizeof(sects[0]); i++) {
		const struct gw_conf_keydef *kd = gw_conf_keydefs(sects[i].sect,
								  &n);

		for (j = 0; j < n; j++, total++) {
			if (!has_key(text, sects[i].header, kd[j].name))
				fail_msg("%s %s: not in etc/pintgw.conf",
					 sects[i].header, kd[j].name);
			snprintf(entry, sizeof(entry), "\n.B %s\n", kd[j].name);
			if (!strstr(man, entry))
				fail_msg("%s: no '.B %s' in pintgw.conf.5",
					 kd[j].name, kd[j].name);
		}
	}
	assert_true(has_key(text, "[gateway local]", "subtype.image/tiff"));
	assert_non_null(strstr(man, "\n.BI subtype. TYPE\n"));
	assert_int_equal(total, 83);
	free(text);
	free(man);
}

/* ---- files ------------------------------------------------------------- */

static void test_load_errors(void **state)
{
	char path[] = "/tmp/pintgw-conf-XXXXXX";
	struct gw_conf_errs errs;
	struct gw_conf *c = NULL;
	char line[1024];
	size_t i;
	int fd;

	(void)state;
	assert_int_equal(gw_conf_load(&c, "/nonexistent/pintgw.conf", &errs),
			 ENOENT);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msg[0], "/nonexistent/pintgw.conf: cannot open: No such file or directory");

	assert_int_equal(gw_conf_load(&c, SRCDIR "/tests/data/config", &errs),
			 EISDIR);
	assert_string_equal(errs.msg[0], SRCDIR "/tests/data/config: cannot read: Is a directory");

	/* a bad file read by path: messages name the path */
	assert_int_equal(gw_conf_load(&c, SRCDIR "/tests/data/config/bad_required.conf",
				      &errs), EINVAL);
	assert_int_equal(errs.total, 6);
	assert_string_equal(errs.msg[5], SRCDIR "/tests/data/config/bad_required.conf:10: [key nohash] missing required key 'hash'");
	assert_null(c);

	/* one byte more than GW_CONF_MAX_FILE */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	memset(line, '#', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	for (i = 0; i < GW_CONF_MAX_FILE / sizeof(line); i++)
		assert_int_equal(write(fd, line, sizeof(line)), (ssize_t)sizeof(line));
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	assert_int_equal(gw_conf_load(&c, path, &errs), EMSGSIZE);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], ": larger than 1048576 bytes"));
	assert_int_equal(truncate(path, GW_CONF_MAX_FILE), 0);
	assert_int_equal(gw_conf_load(&c, path, &errs), 0);
	gw_conf_free(c);
	unlink(path);
}

/* Failing each allocation in turn gives ENOMEM and frees everything. */
static void test_alloc_failure(void **state)
{
	static const char *const files[] = {"full.conf", "lists.conf",
					    "bad_cross.conf"};
	size_t f;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct gw_conf_errs errs;
		unsigned long k;
		char rel[64];
		size_t len;
		char *text;
		int want;

		snprintf(rel, sizeof(rel), "config/%s", files[f]);
		text = test_read_file(rel, &len);
		want = strncmp(files[f], "bad", 3) == 0 ? EINVAL : 0;
		for (k = 1; ; k++) {
			long live = alloc_live();
			struct gw_conf *c = NULL;
			int err;

			alloc_fail_at(k);
			err = gw_conf_parse_string(&c, text, len, files[f],
						   &errs);
			alloc_fail_at(0);
			if (err == ENOMEM) {
				assert_null(c);
				assert_int_equal(alloc_live(), live);
				continue;
			}
			assert_int_equal(err, want);
			gw_conf_free(c);
			assert_int_equal(alloc_live(), live);
			break;
		}
		free(text);
		assert_true(k > 10);
	}
}

/* ---- use --------------------------------------------------------------- */

static void test_needs_restart(void **state)
{
	static const struct {
		const char *text;
		const char *key;        /* NULL: a reload applies it */
	} cases[] = {
		{"", NULL},
		{"[pintgw]\nlog_level = debug\nmax_pending = 7\n", NULL},
		{"[http]\ncors_origins = *\nsse_heartbeat = 3\n", NULL},
		{"[sip]\nring_timeout = 3\nmax_redirects = 0\n", NULL},
		{"[gateway g]\naddress = udp:192.0.2.1\n", NULL},
		{"[key k]\nhash = sha256:"
		 "2222222222222222222222222222222222222222222222222222222222222222\n",
		 NULL},
		{"[pintgw]\nstate_dir = /tmp\n", "[pintgw] state_dir"},
		{"[http]\nlisten = 127.0.0.1:8081\n", "[http] listen"},
		{"[http]\nmax_body = 2048\n", "[http] max_body"},
		{"[sip]\nlisten = udp:127.0.0.1:5060\n", "[sip] listen"},
		{"[sip]\nlisten = udp:127.0.0.1:5060 tcp:127.0.0.1:5061\n",
		 "[sip] listen"},
		{"[sip]\ncontact_host = 127.0.0.2\n", "[sip] contact_host"},
		{"[sip]\nt4 = 100\n", "[sip] t4"},
		{"[store]\nsynchronous = full\n", "[store] synchronous"},
		{"[webhooks]\nattempts = 3\n", "[webhooks]"},
		{"[webhooks]\nallow_private = 10.0.0.0/8\n", "[webhooks]"},
		{"[webhooks]\nattempts = 12\nmax_delay = 3600\n", NULL},
		{"[fetch]\ntimeout = 3\n", "[fetch]"},
		{"[fetch]\nallow_private = 127.0.0.1\n", "[fetch]"},
		{"[fetch]\nmax_bytes = 61440\nmax_redirects = 0\n", NULL},
	};
	struct gw_conf *base = parse_text_ok("");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gw_conf *c = parse_text_ok(cases[i].text);
		const char *key = "unset";

		assert_int_equal(gw_conf_needs_restart(base, c, &key),
				 cases[i].key != NULL);
		if (cases[i].key)
			assert_string_equal(key, cases[i].key);
		else
			assert_null(key);
		gw_conf_free(c);
	}
	gw_conf_free(base);
}

static void test_gwset_and_svc_def(void **state)
{
	struct gw_conf *c = parse_ok("full.conf");
	const struct gw_conf_gateway *east = gw_conf_gateway(c, "east");
	struct pint_gwset_conf gc[2];
	struct pint_svc_def def;
	const char *field = NULL;
	size_t bad;

	(void)state;
	/* a host name needs the address the daemon resolved it to */
	assert_int_equal(gw_conf_gwset(east, NULL, &gc[0]), EINVAL);
	assert_int_equal(gw_conf_gwset(east, "192.0.2.99", &gc[0]), 0);
	assert_string_equal(gc[0].name, "east");
	assert_int_equal(gc[0].peer.transport, PINT_TSX_TCP);
	assert_string_equal(gc[0].peer.addr, "192.0.2.99");
	assert_int_equal(gc[0].peer.port, 5080);
	assert_string_equal(gc[0].domain, "example.net");
	assert_string_equal(gc[0].tsp, "tsp.example.net");
	assert_int_equal(gc[0].naddrs, 2);
	assert_string_equal(gc[0].addrs[1], "2001:db8::7");
	assert_int_equal(gc[0].priority, 7);
	assert_int_equal(gc[0].keepalive_ms, 0);
	assert_int_equal(gc[0].down_after, 1);
	assert_int_equal(gc[0].rest_max_ms, 60000);
	assert_int_equal(gc[0].rest_default_ms, 60000);
	assert_int_equal(gc[0].status_mode, PINT_GWSET_STATUS_DIALOG);
	assert_false(gc[0].dialog_fallback);
	assert_int_equal(gc[0].subscribe_expires, 120);
	assert_string_equal(gc[0].username, "alice");
	assert_string_equal(gc[0].password, "s3cr=t");
	assert_string_equal(gc[0].register_aor, "sip:pintgw@example.net");
	assert_int_equal(gc[0].register_expires, 60);
	assert_int_equal(gw_conf_gwset(gw_conf_gateway(c, "west"), NULL,
				       &gc[1]), 0);
	assert_int_equal(gc[1].keepalive_ms, 30000);
	assert_int_equal(pint_gwset_check(gc, 2, &bad, &field), 0);

	gw_conf_svc_def(gw_conf_service(c, "faxback"), east, &def);
	assert_string_equal(def.name, "R2FB");
	assert_int_equal(def.proto, PINT_SDP_PROTO_FAX);
	assert_int_equal(def.content, PINT_SVC_MAY_CONTENT);
	assert_true(def.a_party);
	assert_int_equal(def.nspellings, 2);
	assert_ptr_equal(def.spellings, east->spellings);
	gw_conf_svc_def(gw_conf_service(c, "page"), NULL, &def);
	assert_null(def.spellings);
	assert_int_equal(def.nspellings, 0);
	gw_conf_free(c);
}

static void test_scope_bits(void **state)
{
	(void)state;
	assert_int_equal(gw_conf_scope_bit("call"), GW_CONF_SCOPE_CALL);
	assert_int_equal(gw_conf_scope_bit("fax"), GW_CONF_SCOPE_FAX);
	assert_int_equal(gw_conf_scope_bit("content"), GW_CONF_SCOPE_CONTENT);
	assert_int_equal(gw_conf_scope_bit("read"), GW_CONF_SCOPE_READ);
	assert_int_equal(gw_conf_scope_bit("cancel"), GW_CONF_SCOPE_CANCEL);
	assert_int_equal(gw_conf_scope_bit("Call"), 0);
	assert_int_equal(gw_conf_scope_bit(""), 0);
	assert_int_equal(gw_conf_scope_bit(NULL), 0);
	assert_null(gw_conf_key(NULL, "x"));
	assert_null(gw_conf_gateway(NULL, "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_empty_is_defaults),
		leakcheck_test(test_full),
		leakcheck_test(test_ipv6),
		leakcheck_test(test_repeated_lists),
		leakcheck_test(test_syntax),
		leakcheck_test(test_booleans),
		leakcheck_test(test_length_bounded),
		leakcheck_test(test_bad_files),
		leakcheck_test(test_errs_optional),
		leakcheck_test(test_shown_values),
		leakcheck_test(test_error_limit),
		leakcheck_test(test_limits),
		leakcheck_test(test_key_limit),
		leakcheck_test(test_webhooks),
		leakcheck_test(test_fetch),
		leakcheck_test(test_click),
		leakcheck_test(test_shipped_conf),
		leakcheck_test(test_every_key_documented),
		leakcheck_test(test_load_errors),
		leakcheck_test(test_alloc_failure),
		leakcheck_test(test_needs_restart),
		leakcheck_test(test_gwset_and_svc_def),
		leakcheck_test(test_scope_bits),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
