/*
 * tests/gateway/test_policy.c — gateway/policy*.c and [policy] in
 * gateway/config_policy.c: each rule and its verdict, the order of the
 * rules and the precedence of the prefix lists, the built-in list, the
 * token bucket and live counts, the cooldown and daily cap windows and
 * quiet hours with injected times, and the destination table's bounds.
 * The rules on the wire: tests/it/http_policy.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "gateway/policy.h"

#define H(c) "hash = sha256:" \
	"000000000000000000000000000000000000000000000000000000000000000" c "\n"

/* 2026-11-21T14:00:00Z, on the hour. */
#define T0 1795269600000LL
#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)

static const uint8_t sipkey[PINT_HASH_SIPKEY_LEN] = "0123456789abcdef";

static struct gw_conf *conf_of(const char *text)
{
	struct gw_conf_errs errs;
	struct gw_conf *c = NULL;
	size_t i;
	int err;

	err = gw_conf_parse_string(&c, text, strlen(text), "t.conf", &errs);
	for (i = 0; err && i < errs.n; i++)
		print_error("%s\n", errs.msg[i]);
	assert_int_equal(err, 0);
	return c;
}

static struct gw_policy *policy_new(size_t max)
{
	struct gw_policy *pol = NULL;

	assert_int_equal(gw_policy_alloc(&pol, sipkey, max), 0);
	return pol;
}

static void tel_set(struct pint_tel *t, const char *e164)
{
	memset(t, 0, sizeof(*t));
	t->kind = e164[0] ? PINT_TEL_GLOBAL : PINT_TEL_LOCAL;
	snprintf(t->e164, sizeof(t->e164), "%s", e164);
}

/* gw_policy_check of to (and from, unless NULL) at now, scheduled at. */
static enum gw_policy_rule ask(struct gw_policy *pol, const struct gw_conf *c,
			       const char *key, const char *to,
			       const char *from, int64_t now, int64_t at,
			       struct gw_policy_verdict *v)
{
	struct pint_tel tt, ft;
	struct gw_policy_ask a;
	bool ok;

	tel_set(&tt, to);
	memset(&a, 0, sizeof(a));
	a.conf = c;
	a.key = gw_conf_key(c, key);
	assert_non_null(a.key);
	a.to = &tt;
	if (from) {
		tel_set(&ft, from);
		a.from = &ft;
	}
	a.now_ms = now;
	a.start_at = at;
	ok = gw_policy_check(pol, &a, v);
	assert_int_equal(ok, v->rule == GW_POLICY_ALLOW);
	return v->rule;
}

/* ---- verdicts and the built-in list ---- */

static void test_rule_names(void **state)
{
	static const char *const names[GW_POLICY_RULES] = {
		"allow", "rate_limit", "key_deny", "key_allow", "global_deny",
		"premium_rate", "quiet_hours", "destination_cooldown",
		"destination_daily_cap", "concurrency",
	};
	unsigned i;

	(void)state;
	for (i = 0; i < GW_POLICY_RULES; i++)
		assert_string_equal(gw_policy_rule_name(i), names[i]);
	assert_string_equal(gw_policy_rule_name(GW_POLICY_RULES), "allow");
	assert_string_equal(gw_policy_rule_name((enum gw_policy_rule)-1),
			    "allow");
}

static void test_default_list(void **state)
{
	static const struct {
		const char *number, *prefix;
	} t[] = {
		{"+19005550100", "+1900"},
		{"+18765550100", "+1876"},
		{"+18095550100", "+1809"},
		{"+15555550100", NULL},
		{"+12125550100", NULL},
		{"+449012345678", "+449"},
		{"+448712345678", "+44871"},
		{"+448702345678", NULL},        /* 0870: not listed */
		{"+447000123456", "+4470"},
		{"+447700900123", NULL},        /* a UK mobile */
		{"+442079460000", NULL},        /* London */
		{"+4990012345678", "+49900"},
		{"+493012345678", NULL},
		{"+979123456789", "+979"},
		{"+88216123456", "+882"},
		{"+8816123456", "+881"},
		{"+5371234567", "+53"},
		{"+5511987654321", NULL},
		{"+61190012345", "+61190"},
		{"+61212345678", NULL},
		{"", NULL},
	};
	const struct gw_policy_range *v, *r;
	size_t n, i, j, len;

	(void)state;
	v = gw_policy_default_list(&n);
	assert_true(n >= 40);
	for (i = 0; i < n; i++) {
		len = strlen(v[i].prefix);
		/* the syntax of a config prefix: "+", no leading 0, digits */
		assert_true(len >= 3 && len <= 16);
		assert_int_equal(v[i].prefix[0], '+');
		assert_true(v[i].prefix[1] != '0');
		assert_int_equal(strspn(v[i].prefix + 1, "0123456789"), len - 1);
		assert_true(strlen(v[i].what) > 4);
		/* prefix-free: the first match is the only one */
		for (j = 0; j < n; j++)
			if (j != i)
				assert_true(strncmp(v[j].prefix, v[i].prefix,
						    len));
	}
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r = gw_policy_default_match(t[i].number);
		if (!t[i].prefix) {
			assert_null(r);
			continue;
		}
		assert_non_null(r);
		assert_string_equal(r->prefix, t[i].prefix);
	}
	assert_null(gw_policy_default_match(NULL));
}

/* ---- number rules and their precedence ---- */

static const char rules_conf[] =
	"[pintgw]\n"
	"state_dir = /tmp\n"
	"[policy]\n"
	"deny = +3361 +1212555\n"
	"allow = +1900555\n"
	"allow = +882\n"
	"[key open]\n" H("1")
	"[key us]\n" H("2")
	"allow = +1\n"
	"deny = +1555\n"
	"[key premium]\n" H("3")
	"allow = +19005550\n";

static void test_number_rules(void **state)
{
	static const struct {
		const char *key, *number;
		enum gw_policy_rule rule;
		const char *in_msg;
	} t[] = {
		{"open", "+15555550100", GW_POLICY_ALLOW, NULL},
		{"open", "", GW_POLICY_ALLOW, NULL},    /* local, no allow list */
		{"open", "+19004440100", GW_POLICY_PREMIUM_RATE,
		 "premium-rate range +1900 (built-in deny list: NANP 900"},
		/* a longer global allow beats the listed range */
		{"open", "+19005551234", GW_POLICY_ALLOW, NULL},
		/* as long as the listed range: the allow wins too */
		{"open", "+88216123456", GW_POLICY_ALLOW, NULL},
		{"open", "+88312345678", GW_POLICY_PREMIUM_RATE, "+883"},
		{"open", "+33612345678", GW_POLICY_GLOBAL_DENY,
		 "denied prefix +3361 ([policy] deny)"},
		{"open", "+447000123456", GW_POLICY_PREMIUM_RATE, "UK 070"},
		{"us", "+15555550100", GW_POLICY_KEY_DENY,
		 "the API key's denied prefix +1555"},
		{"us", "+33155550100", GW_POLICY_KEY_ALLOW,
		 "outside the API key's allowed prefixes"},
		{"us", "", GW_POLICY_KEY_ALLOW, "a local number"},
		/* +1 is shorter than +1900: the list still applies */
		{"us", "+19004440100", GW_POLICY_PREMIUM_RATE, "+1900"},
		{"us", "+18765550100", GW_POLICY_PREMIUM_RATE, "Jamaica"},
		/* [policy] deny holds even inside a key's allow list */
		{"us", "+12125550100", GW_POLICY_GLOBAL_DENY, "+1212555"},
		{"us", "+12125560100", GW_POLICY_ALLOW, NULL},
		{"premium", "+19005550111", GW_POLICY_ALLOW, NULL},
		{"premium", "+19005560000", GW_POLICY_KEY_ALLOW, NULL},
	};
	struct gw_conf *c = conf_of(rules_conf);
	struct gw_policy_verdict v;
	struct pint_tel tel;
	size_t i;
	bool ok;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tel_set(&tel, t[i].number);
		ok = gw_policy_number(c, gw_conf_key(c, t[i].key), &tel, "to",
				      &v);
		if (v.rule != t[i].rule)
			fail_msg("%s %s: rule %s, wanted %s", t[i].key,
				 t[i].number, gw_policy_rule_name(v.rule),
				 gw_policy_rule_name(t[i].rule));
		assert_int_equal(ok, t[i].rule == GW_POLICY_ALLOW);
		if (ok) {
			assert_int_equal(v.status, 0);
			assert_null(v.code);
			continue;
		}
		assert_int_equal(v.status, 403);
		assert_string_equal(v.code, "destination_denied");
		assert_string_equal(v.field, "to");
		assert_int_equal(v.retry_s, 0);
		if (t[i].in_msg && !strstr(v.message, t[i].in_msg))
			fail_msg("%s: '%s' lacks '%s'", t[i].number,
				 v.message, t[i].in_msg);
	}
	gw_conf_free(c);

	/* default_deny = no: only the configured lists remain */
	c = conf_of("[pintgw]\nstate_dir = /tmp\n[policy]\n"
		    "default_deny = no\ndeny = +979\n[key open]\n" H("1"));
	tel_set(&tel, "+19005550100");
	assert_true(gw_policy_number(c, gw_conf_key(c, "open"), &tel, "to",
				     &v));
	tel_set(&tel, "+979123456789");
	assert_false(gw_policy_number(c, gw_conf_key(c, "open"), &tel,
				      "from", &v));
	assert_int_equal(v.rule, GW_POLICY_GLOBAL_DENY);
	assert_string_equal(v.field, "from");
	gw_conf_free(c);
}

/* The first rule in order decides; from is judged after to. */
static void test_order(void **state)
{
	struct gw_conf *c = conf_of(
		"[pintgw]\nstate_dir = /tmp\n"
		"[policy]\nquiet_hours = 21:00-08:00\ntz = +44:+0\n"
		"destination_cooldown = 60\ndestination_daily_cap = 1\n"
		"[key k]\n" H("1") "deny = +4490\nconcurrency = 1\n");
	struct gw_policy *pol = policy_new(16);
	struct gw_policy_verdict v;
	int64_t night = T0 + 8 * HOUR;          /* 22:00Z */

	(void)state;
	/* key deny before the built-in list (+449) */
	assert_int_equal(ask(pol, c, "k", "+449012345678", NULL, T0, 0, &v),
			 GW_POLICY_KEY_DENY);
	/* to passes, from does not */
	assert_int_equal(ask(pol, c, "k", "+442079460000", "+449012345678",
			     T0, 0, &v), GW_POLICY_KEY_DENY);
	assert_string_equal(v.field, "from");
	/* quiet hours before the cooldown and the cap */
	assert_int_equal(gw_policy_record(pol, "+442079460000", night - 1000,
					  night), 0);
	assert_int_equal(ask(pol, c, "k", "+442079460000", NULL, night, 0, &v),
			 GW_POLICY_QUIET_HOURS);
	/* cooldown before the cap (both apply here) */
	assert_int_equal(gw_policy_record(pol, "+442079460001", T0 - 1000, T0),
			 0);
	assert_int_equal(ask(pol, c, "k", "+442079460001", NULL, T0, 0, &v),
			 GW_POLICY_DEST_COOLDOWN);
	assert_int_equal(ask(pol, c, "k", "+442079460001", NULL, T0 + HOUR, 0,
			     &v), GW_POLICY_DEST_DAILY_CAP);
	/* concurrency last, only for what passes everything else */
	gw_policy_live_add(pol, "k", 1);
	assert_int_equal(ask(pol, c, "k", "+442079460002", NULL, T0, 0, &v),
			 GW_POLICY_CONCURRENCY);
	assert_int_equal(v.status, 429);
	assert_string_equal(v.code, "concurrency_limit");
	assert_int_equal(v.retry_s, 1);
	assert_int_equal(ask(pol, c, "k", "+442079460001", NULL, T0, 0, &v),
			 GW_POLICY_DEST_COOLDOWN);
	gw_policy_live_add(pol, "k", -1);
	assert_int_equal(ask(pol, c, "k", "+442079460002", NULL, T0, 0, &v),
			 GW_POLICY_ALLOW);
	/* a local number: no destination counters, no quiet hours */
	assert_int_equal(ask(pol, c, "k", "", NULL, night, 0, &v),
			 GW_POLICY_ALLOW);
	gw_policy_free(pol);
	gw_conf_free(c);
}

/* ---- keys ---- */

static void test_rate(void **state)
{
	struct gw_conf *c = conf_of("[pintgw]\nstate_dir = /tmp\n[key k]\n"
				    H("1") "rate = 2\nburst = 3\n");
	const struct gw_conf_key *k = gw_conf_key(c, "k");
	struct gw_policy *pol = policy_new(16);
	struct gw_policy_verdict v;

	(void)state;
	/* a dry run looks without taking, however often */
	assert_true(gw_policy_rate(pol, k, 1000, false, &v));
	assert_true(gw_policy_rate(pol, k, 1000, false, &v));
	assert_true(gw_policy_rate(pol, k, 1000, false, &v));
	assert_true(gw_policy_rate(pol, k, 1000, false, &v));
	assert_true(gw_policy_rate(pol, k, 1000, true, &v));
	assert_true(gw_policy_rate(pol, k, 1000, true, &v));
	assert_true(gw_policy_rate(pol, k, 1000, true, &v));
	assert_false(gw_policy_rate(pol, k, 1000, true, &v));
	assert_int_equal(v.rule, GW_POLICY_RATE_LIMIT);
	assert_int_equal(v.status, 429);
	assert_string_equal(v.code, "rate_limited");
	assert_int_equal(v.retry_s, 1);
	assert_false(gw_policy_rate(pol, k, 1000, false, &v));
	assert_false(gw_policy_rate(pol, k, 1499, true, &v));
	assert_true(gw_policy_rate(pol, k, 1500, false, &v));
	assert_true(gw_policy_rate(pol, k, 1500, true, &v));
	assert_false(gw_policy_rate(pol, k, 1500, true, &v));
	/* a long pause refills to the burst, not beyond */
	assert_true(gw_policy_rate(pol, k, 100000, true, &v));
	assert_true(gw_policy_rate(pol, k, 100000, true, &v));
	assert_true(gw_policy_rate(pol, k, 100000, true, &v));
	assert_false(gw_policy_rate(pol, k, 100000, true, &v));
	/* a clock that steps back takes nothing back */
	assert_false(gw_policy_rate(pol, k, 50000, true, &v));
	gw_policy_free(pol);
	gw_conf_free(c);
}

static void test_live_count(void **state)
{
	struct gw_policy *pol = policy_new(16);

	(void)state;
	gw_policy_live_add(pol, "k", 1);
	gw_policy_live_add(pol, "k", 1);
	assert_int_equal(gw_policy_live_of(pol, "k"), 2);
	gw_policy_live_add(pol, "k", -1);
	gw_policy_live_add(pol, "k", -1);
	gw_policy_live_add(pol, "k", -1);       /* never below 0 */
	assert_int_equal(gw_policy_live_of(pol, "k"), 0);
	gw_policy_live_add(pol, "gone", 1);
	gw_policy_live_add(pol, NULL, 1);
	assert_int_equal(gw_policy_live_of(pol, "gone"), 1);
	assert_int_equal(gw_policy_live_of(pol, NULL), 0);
	gw_policy_free(pol);
}

/* ---- destinations ---- */

static const char dest_conf[] =
	"[pintgw]\nstate_dir = /tmp\n"
	"[policy]\ndestination_cooldown = 60\ndestination_daily_cap = 3\n"
	"[key a]\n" H("1") "[key b]\n" H("2");

static void test_cooldown(void **state)
{
	struct gw_conf *c = conf_of(dest_conf);
	struct gw_policy *pol = policy_new(16);
	struct gw_policy_verdict v;
	const char *n = "+15555550100";

	(void)state;
	assert_int_equal(ask(pol, c, "a", n, NULL, T0, 0, &v), GW_POLICY_ALLOW);
	assert_int_equal(gw_policy_record(pol, n, T0, T0), 0);
	/* any key: one number, one cooldown */
	assert_int_equal(ask(pol, c, "b", n, NULL, T0 + 1000, 0, &v),
			 GW_POLICY_DEST_COOLDOWN);
	assert_int_equal(v.status, 429);
	assert_string_equal(v.code, "destination_limited");
	assert_string_equal(v.field, "to");
	assert_int_equal(v.retry_s, 59);
	assert_non_null(strstr(v.message, "less than 60 s ago"));
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 59500, 0, &v),
			 GW_POLICY_DEST_COOLDOWN);
	assert_int_equal(v.retry_s, 1);
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 60000, 0, &v),
			 GW_POLICY_ALLOW);
	assert_int_equal(ask(pol, c, "a", "+15555550101", NULL, T0 + 1000, 0,
			     &v), GW_POLICY_ALLOW);
	/* a scheduled request is counted at its create, not its start */
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 1000, T0 + 2 * HOUR,
			     &v), GW_POLICY_DEST_COOLDOWN);
	/* cooldown 0: off */
	c->policy.destination_cooldown = 0;
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 1000, 0, &v),
			 GW_POLICY_ALLOW);
	gw_policy_free(pol);
	gw_conf_free(c);
}

static void test_daily_cap(void **state)
{
	struct gw_conf *c = conf_of(dest_conf);
	struct gw_policy *pol = policy_new(16);
	struct gw_policy_verdict v;
	struct gw_policy_stats st;
	const char *n = "+15555550100";

	(void)state;
	c->policy.destination_cooldown = 0;
	assert_int_equal(gw_policy_record(pol, n, T0, T0), 0);
	assert_int_equal(gw_policy_record(pol, n, T0 + 10 * MIN,
					  T0 + 10 * MIN), 0);
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + HOUR, 0, &v),
			 GW_POLICY_ALLOW);
	assert_int_equal(gw_policy_record(pol, n, T0 + 2 * HOUR,
					  T0 + 2 * HOUR), 0);
	assert_int_equal(ask(pol, c, "b", n, NULL, T0 + 2 * HOUR + 1000, 0,
			     &v), GW_POLICY_DEST_DAILY_CAP);
	assert_int_equal(v.status, 429);
	assert_string_equal(v.code, "destination_limited");
	assert_non_null(strstr(v.message, "dialled 3 times in 24 h"));
	/* the 14:00 hour ages out at 15:00 the next day */
	assert_int_equal(v.retry_s, (unsigned)((25 * HOUR - 2 * HOUR - 1000 +
						999) / 1000));
	/* rolling, never shorter than 24 h: still counted after 24.5 h */
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 24 * HOUR + 30 * MIN,
			     0, &v), GW_POLICY_DEST_DAILY_CAP);
	assert_int_equal(v.retry_s, 30 * 60);
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 25 * HOUR - 1000, 0,
			     &v), GW_POLICY_DEST_DAILY_CAP);
	assert_int_equal(v.retry_s, 1);
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 25 * HOUR, 0, &v),
			 GW_POLICY_ALLOW);
	/* a cap of 2: the hour that must age out is the first, with 2 */
	c->policy.destination_daily_cap = 2;
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 3 * HOUR, 0, &v),
			 GW_POLICY_DEST_DAILY_CAP);
	assert_int_equal(v.retry_s, 22 * 3600);
	/* a cap of 1: both hours must age out, the last at 17:00 + 24 h */
	c->policy.destination_daily_cap = 1;
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 3 * HOUR, 0, &v),
			 GW_POLICY_DEST_DAILY_CAP);
	assert_int_equal(v.retry_s, 24 * 3600);
	c->policy.destination_daily_cap = 0;
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 3 * HOUR, 0, &v),
			 GW_POLICY_ALLOW);

	/* seeding after a restart: old dials first, ones too old ignored */
	gw_policy_free(pol);
	pol = policy_new(16);
	c->policy.destination_daily_cap = 3;
	assert_int_equal(gw_policy_record(pol, n, T0 - 26 * HOUR,
					  T0 + HOUR), 0);
	gw_policy_stats(pol, &st);
	assert_int_equal(st.destinations, 0);
	assert_int_equal(gw_policy_record(pol, n, T0 - 20 * HOUR, T0 + HOUR), 0);
	assert_int_equal(gw_policy_record(pol, n, T0 - 2 * HOUR, T0 + HOUR), 0);
	/* one out of order: counted in its own hour */
	assert_int_equal(gw_policy_record(pol, n, T0 - 21 * HOUR, T0 + HOUR), 0);
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + HOUR, 0, &v),
			 GW_POLICY_DEST_DAILY_CAP);
	/* the oldest (T0 - 21 h) ages out at T0 + 4 h */
	assert_int_equal(v.retry_s, 3 * 3600);
	assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 4 * HOUR, 0, &v),
			 GW_POLICY_ALLOW);
	gw_policy_stats(pol, &st);
	assert_int_equal(st.destinations, 1);
	gw_policy_free(pol);
	gw_conf_free(c);
}

static void test_table_bounds(void **state)
{
	struct gw_conf *c = conf_of(dest_conf);
	struct gw_policy *pol = policy_new(4);
	struct gw_policy_verdict v;
	struct gw_policy_stats st;
	char n[PINT_TEL_E164_SIZE];
	unsigned long k;
	int i, err;

	(void)state;
	for (i = 0; i < 5; i++) {
		snprintf(n, sizeof(n), "+1555555010%d", i);
		assert_int_equal(gw_policy_record(pol, n, T0 + i, T0 + i), 0);
	}
	gw_policy_stats(pol, &st);
	assert_int_equal(st.destinations, 4);
	assert_int_equal(st.evicted, 1);
	/* the least recently dialled went; the others are remembered */
	assert_int_equal(ask(pol, c, "a", "+15555550100", NULL, T0 + 10, 0, &v),
			 GW_POLICY_ALLOW);
	assert_int_equal(ask(pol, c, "a", "+15555550101", NULL, T0 + 10, 0, &v),
			 GW_POLICY_DEST_COOLDOWN);
	/* dialled again, the oldest becomes the newest */
	assert_int_equal(gw_policy_record(pol, "+15555550101", T0 + 20,
					  T0 + 20), 0);
	assert_int_equal(gw_policy_record(pol, "+15555550109", T0 + 30,
					  T0 + 30), 0);
	assert_int_equal(ask(pol, c, "a", "+15555550101", NULL, T0 + 40, 0, &v),
			 GW_POLICY_DEST_COOLDOWN);
	assert_int_equal(ask(pol, c, "a", "+15555550102", NULL, T0 + 40, 0, &v),
			 GW_POLICY_ALLOW);
	/* expired ones are freed as time passes, not evicted */
	assert_int_equal(ask(pol, c, "a", "+15555550199", NULL,
			     T0 + GW_POLICY_KEEP_MS + 40, 0, &v),
			 GW_POLICY_ALLOW);
	gw_policy_stats(pol, &st);
	assert_int_equal(st.destinations, 0);
	assert_int_equal(st.evicted, 2);
	/* what is not a number is refused */
	assert_int_equal(gw_policy_record(pol, "", T0, T0), EINVAL);
	assert_int_equal(gw_policy_record(pol, NULL, T0, T0), EINVAL);
	assert_int_equal(gw_policy_record(pol, "+123456789012345678", T0, T0),
			 EINVAL);
	/* without memory a dial is not counted, and nothing leaks */
	for (k = 1; k < 8; k++) {
		snprintf(n, sizeof(n), "+1555555020%lu", k);
		alloc_fail_at(k);
		err = gw_policy_record(pol, n, T0, T0);
		alloc_fail_at(0);
		assert_true(err == 0 || err == ENOMEM);
		assert_int_equal(ask(pol, c, "a", n, NULL, T0 + 1, 0, &v),
				 err ? GW_POLICY_ALLOW :
				 GW_POLICY_DEST_COOLDOWN);
	}
	gw_policy_free(pol);
	gw_conf_free(c);
}

/* ---- quiet hours ---- */

static const char quiet_conf[] =
	"[pintgw]\nstate_dir = /tmp\n"
	"[policy]\nquiet_hours = 21:00-08:00\n"
	"tz = +44:+0 +49:+1\n"
	"tz = +1:-8 +1212:-5 +91:+5:30\n"
	"destination_cooldown = 0\n"
	"[key k]\n" H("1");

static void test_quiet_hours(void **state)
{
	static const struct {
		const char *number;
		int64_t at;             /* from T0 (14:00Z) */
		bool quiet;
		int64_t end;            /* from T0 */
	} t[] = {
		{"+442079460000", 7 * HOUR - 1000, false, 0},   /* 20:59:59 */
		{"+442079460000", 7 * HOUR, true, 18 * HOUR},   /* 21:00 */
		{"+442079460000", 8 * HOUR, true, 18 * HOUR},   /* 22:00 */
		{"+442079460000", 17 * HOUR + 59 * MIN, true, 18 * HOUR},
		{"+442079460000", 18 * HOUR, false, 0},         /* 08:00 */
		{"+493012345678", 6 * HOUR + 30 * MIN, true, 17 * HOUR},
		{"+493012345678", 6 * HOUR - 1, false, 0},
		/* the longest prefix: New York at -5, the rest of +1 at -8 */
		{"+12125550100", 12 * HOUR, true, 23 * HOUR},   /* 02:00Z */
		{"+13105550100", 12 * HOUR, false, 0},          /* 18:00 local */
		{"+13105550100", 15 * HOUR, true, 26 * HOUR},   /* 21:00 local */
		/* half-hour offsets: 21:00 IST is 15:30Z */
		{"+919876543210", 90 * MIN, true, 12 * HOUR + 30 * MIN},
		{"+919876543210", 89 * MIN, false, 0},
		/* no tz entry: quiet hours do not apply */
		{"+33155550100", 8 * HOUR, false, 0},
	};
	struct gw_conf *c = conf_of(quiet_conf);
	struct gw_policy *pol = policy_new(16);
	struct gw_policy_verdict v;
	int64_t end = 0;
	int32_t off = 0;
	size_t i;
	bool q;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		q = gw_policy_quiet(&c->policy, t[i].number, T0 + t[i].at,
				    &end, &off);
		if (q != t[i].quiet)
			fail_msg("%s at +%lld ms: quiet %d", t[i].number,
				 (long long)t[i].at, q);
		if (q)
			assert_int_equal(end, T0 + t[i].end);
	}
	/* now in quiet hours: 429 until their end, counted from now */
	assert_int_equal(ask(pol, c, "k", "+442079460000", NULL, T0 + 8 * HOUR,
			     0, &v), GW_POLICY_QUIET_HOURS);
	assert_int_equal(v.status, 429);
	assert_string_equal(v.code, "quiet_hours");
	assert_string_equal(v.field, "to");
	assert_int_equal(v.retry_s, 10 * 3600);
	assert_non_null(strstr(v.message, "now is in quiet hours 21:00-08:00 "
			       "at +442079460000 (UTC+00:00) until "
			       "2026-11-22T08:00:00Z"));
	/* a request scheduled into quiet hours is judged at its start */
	assert_int_equal(ask(pol, c, "k", "+12125550100", NULL, T0,
			     T0 + 12 * HOUR, &v), GW_POLICY_QUIET_HOURS);
	assert_non_null(strstr(v.message, "start_at is in quiet hours"));
	assert_non_null(strstr(v.message, "(UTC-05:00)"));
	assert_int_equal(v.retry_s, 23 * 3600);
	/* scheduled out of them, it passes even if now is quiet there */
	assert_int_equal(ask(pol, c, "k", "+442079460000", NULL, T0 + 8 * HOUR,
			     T0 + 19 * HOUR, &v), GW_POLICY_ALLOW);
	assert_int_equal(ask(pol, c, "k", "+919876543210", NULL, T0 + 2 * HOUR,
			     0, &v), GW_POLICY_QUIET_HOURS);
	assert_non_null(strstr(v.message, "(UTC+05:30)"));

	/* a window inside one day */
	c->policy.quiet_start = 12 * 60;
	c->policy.quiet_end = 13 * 60;
	assert_false(gw_policy_quiet(&c->policy, "+442079460000",
				     T0 - 2 * HOUR - 1, &end, &off));
	assert_true(gw_policy_quiet(&c->policy, "+442079460000",
				    T0 - 90 * MIN, &end, &off));
	assert_int_equal(end, T0 - HOUR);
	assert_false(gw_policy_quiet(&c->policy, "+442079460000", T0 - HOUR,
				     &end, &off));
	/* off */
	c->policy.quiet = false;
	assert_false(gw_policy_quiet(&c->policy, "+442079460000",
				     T0 - 90 * MIN, &end, &off));
	gw_policy_free(pol);
	gw_conf_free(c);
}

/* ---- [policy] in pintgw.conf ---- */

static void test_config(void **state)
{
	static const struct {
		const char *text;       /* after "[policy]\n" */
		const char *error;      /* NULL: parses */
	} t[] = {
		{"", NULL},
		{"default_deny = no\n", NULL},
		{"quiet_hours = 22:30 - 07:15\n", NULL},
		{"quiet_hours = off\n", NULL},
		{"tz = +44:0 +1:-5 +91:+5:30 +686:+14 +1808:-10\n", NULL},
		{"destination_cooldown = 86400\ndestination_daily_cap = 10000\n",
		 NULL},
		{"deny = +1900\ndeny = +44 +4470\nallow = +1900555\n", NULL},
		{"quiet_hours = 21:00-21:00\n", "t.conf:4: quiet_hours: expected"},
		{"quiet_hours = 24:00-08:00\n", "t.conf:4: quiet_hours"},
		{"quiet_hours = 21:0-08:00\n", "t.conf:4: quiet_hours"},
		{"quiet_hours = 21:00\n", "t.conf:4: quiet_hours"},
		{"quiet_hours = 21:00-08:00x\n", "t.conf:4: quiet_hours"},
		{"tz = +44\n", "t.conf:4: tz: expected PREFIX:OFFSET"},
		{"tz = 44:+1\n", "t.conf:4: tz"},
		{"tz = +44:+15\n", "t.conf:4: tz"},
		{"tz = +44:-12:30\n", "t.conf:4: tz"},
		{"tz = +44:+1:60\n", "t.conf:4: tz"},
		{"tz = +44:+1:5\n", "t.conf:4: tz"},
		{"tz = +44:+1\ntz = +49:+1 +44:+0\n",
		 "t.conf:5: tz: +44 is listed twice"},
		{"deny = 1900\n", "t.conf:4: deny: expected E.164 prefixes"},
		{"allow = +0800\n", "t.conf:4: allow"},
		{"destination_cooldown = 86401\n",
		 "t.conf:4: destination_cooldown: expected a number of seconds"},
		{"destination_daily_cap = -1\n", "t.conf:4: destination_daily_cap"},
		{"default_deny = maybe\n", "t.conf:4: default_deny"},
		{"tenant = x\n", "t.conf:4: unknown key 'tenant' in [policy]"},
		{"[policy]\n", "t.conf:4: duplicate section [policy]"},
	};
	char text[512];
	struct gw_conf_errs errs;
	struct gw_conf *c;
	size_t i;
	int err;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "[pintgw]\nstate_dir = /tmp\n"
			 "[policy]\n%s", t[i].text);
		c = NULL;
		err = gw_conf_parse_string(&c, text, strlen(text), "t.conf",
					   &errs);
		if (!t[i].error) {
			if (err)
				fail_msg("%s: %s", t[i].text, errs.msg[0]);
			gw_conf_free(c);
			continue;
		}
		assert_int_equal(err, EINVAL);
		assert_null(c);
		if (strncmp(errs.msg[0], t[i].error, strlen(t[i].error)))
			fail_msg("%s: '%s', wanted '%s…'", t[i].text,
				 errs.msg[0], t[i].error);
	}

	/* the defaults, and values as read */
	c = conf_of("[pintgw]\nstate_dir = /tmp\n");
	assert_true(c->policy.default_deny);
	assert_int_equal(c->policy.destination_cooldown, 60);
	assert_int_equal(c->policy.destination_daily_cap, 10);
	assert_false(c->policy.quiet);
	assert_int_equal(c->policy.ntz, 0);
	gw_conf_free(c);
	c = conf_of("[pintgw]\nstate_dir = /tmp\n[policy]\n"
		    "quiet_hours = 22:30-07:15\n"
		    "tz = +44:0 +1:-5 +91:+5:30\ntz = +1808:-10\n"
		    "deny = +1900\ndeny = +44 +4470\n");
	assert_true(c->policy.quiet);
	assert_int_equal(c->policy.quiet_start, 22 * 60 + 30);
	assert_int_equal(c->policy.quiet_end, 7 * 60 + 15);
	assert_int_equal(c->policy.ntz, 4);
	assert_string_equal(c->policy.tz[1].prefix, "+1");
	assert_int_equal(c->policy.tz[1].offset, -300);
	assert_int_equal(c->policy.tz[2].offset, 330);
	assert_int_equal(c->policy.tz[3].offset, -600);
	assert_int_equal(c->policy.deny.n, 3);
	assert_string_equal(c->policy.deny.v[2], "+4470");
	gw_conf_free(c);
}

/* The global lists are bounded (more than a key's). */
static void test_config_bounds(void **state)
{
	char *text, *p;
	struct gw_conf_errs errs;
	struct gw_conf *c = NULL;
	size_t size = 64 + (GW_CONF_MAX_POLICY_LIST + 1) * 16, i;

	(void)state;
	text = malloc(size);
	assert_non_null(text);
	p = text + snprintf(text, size, "[pintgw]\nstate_dir = /tmp\n[policy]\n");
	for (i = 0; i <= GW_CONF_MAX_POLICY_LIST; i++)
		p += snprintf(p, size - (size_t)(p - text), "deny = +1%05zu\n",
			      i);
	assert_int_equal(gw_conf_parse_string(&c, text, strlen(text), "t.conf",
					      &errs), EINVAL);
	assert_int_equal(errs.total, 1);
	assert_non_null(strstr(errs.msg[0], "deny: more than 1024 prefixes"));
	free(text);
}

static void test_alloc_count(void **state)
{
	struct gw_policy *pol = NULL;
	struct gw_policy_stats st;

	(void)state;
	assert_int_equal(gw_policy_alloc(NULL, sipkey, 1), EINVAL);
	assert_int_equal(gw_policy_alloc(&pol, NULL, 1), EINVAL);
	assert_int_equal(gw_policy_alloc(&pol, sipkey, 0), EINVAL);
	alloc_fail_at(1);
	assert_int_equal(gw_policy_alloc(&pol, sipkey, 1), ENOMEM);
	alloc_fail_at(0);
	assert_null(pol);
	gw_policy_free(NULL);

	/* refusals by rule; "allow" and what is no rule are not counted */
	pol = policy_new(1);
	gw_policy_count(pol, GW_POLICY_PREMIUM_RATE);
	gw_policy_count(pol, GW_POLICY_PREMIUM_RATE);
	gw_policy_count(pol, GW_POLICY_QUIET_HOURS);
	gw_policy_count(pol, GW_POLICY_ALLOW);
	gw_policy_count(pol, GW_POLICY_RULES);
	gw_policy_stats(pol, &st);
	assert_int_equal(st.refusals[GW_POLICY_PREMIUM_RATE], 2);
	assert_int_equal(st.refusals[GW_POLICY_QUIET_HOURS], 1);
	assert_int_equal(st.refusals[GW_POLICY_ALLOW], 0);
	assert_int_equal(st.destinations, 0);
	gw_policy_free(pol);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_rule_names),
		leakcheck_test(test_default_list),
		leakcheck_test(test_number_rules),
		leakcheck_test(test_order),
		leakcheck_test(test_rate),
		leakcheck_test(test_live_count),
		leakcheck_test(test_cooldown),
		leakcheck_test(test_daily_cap),
		leakcheck_test(test_table_bounds),
		leakcheck_test(test_quiet_hours),
		leakcheck_test(test_config),
		leakcheck_test(test_config_bounds),
		leakcheck_test(test_alloc_count),
	};

	return cmocka_run_group_tests_name("gateway_policy", tests, NULL, NULL);
}
