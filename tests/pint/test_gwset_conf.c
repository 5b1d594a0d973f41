/*
 * tests/pint/test_gwset_conf.c — pint/gwset_conf.c: which gateway
 * configurations a set accepts, and that it keeps its own copies (with
 * the defaults applied) rather than views into the caller's memory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/gwset.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))

/* A valid gateway: UDP to addr:5060, no keepalive, defaults elsewhere. */
static struct pint_gwset_conf gw(const char *name, const char *addr,
				 unsigned priority)
{
	struct pint_gwset_conf c;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.peer.transport = PINT_TSX_UDP;
	c.peer.addr = addr;
	c.peer.port = 5060;
	c.domain = "pint.example.net";
	c.priority = priority;
	return c;
}

static struct pint_gwset *mkset(const struct pint_gwset_conf *c, size_t n)
{
	struct pint_gwset *set = NULL;

	assert_int_equal(pint_gwset_alloc(&set, c, n), 0);
	assert_non_null(set);
	return set;
}

/* ---- configuration --------------------------------------------------- */

static void test_alloc_copies_and_defaults(void **state)
{
	char name[] = "pint-east", addr[] = "192.0.2.10";
	char domain[] = "pint.example.net:5070", tsp[] = "telco.example.org";
	char extra[] = "2001:db8::5", user[] = "alice", pass[] = "s3cret";
	char aor[] = "sip:pintgw@example.net";
	struct pint_gwset_conf c[2];
	const struct pint_gwset_conf *got;
	struct pint_gwset_info info;
	struct pint_gwset *set;

	(void)state;
	c[0] = gw(name, addr, 5);
	c[0].domain = domain;
	c[0].tsp = tsp;
	c[0].addrs[0] = extra;
	c[0].naddrs = 1;
	c[0].username = user;
	c[0].password = pass;
	c[0].register_aor = aor;
	c[0].register_expires = 3600;
	c[0].dialog_fallback = true;
	c[1] = gw("pint-west", "2001:db8::1", 7);
	c[1].addrs[0] = "192.0.2.21";
	c[1].addrs[1] = "192.0.2.22";
	c[1].addrs[2] = "2001:db8::23";
	c[1].addrs[3] = "::ffff:192.0.2.24";
	c[1].naddrs = PINT_GWSET_MAX_ADDRS;
	c[1].peer.transport = PINT_TSX_TCP;
	c[1].peer.port = 5061;
	c[1].down_after = 4;
	c[1].rest_max_ms = 1000;
	c[1].rest_default_ms = 500;
	c[1].subscribe_expires = 60;
	c[1].keepalive_ms = 15000;
	c[1].status_mode = PINT_GWSET_STATUS_DIALOG;
	set = mkset(c, 2);

	/* the caller's memory may change or go away */
	memset(name, 'x', sizeof(name) - 1);
	memset(addr, '9', sizeof(addr) - 1);
	memset(domain, 'x', sizeof(domain) - 1);
	memset(tsp, 'x', sizeof(tsp) - 1);
	memset(extra, 'x', sizeof(extra) - 1);
	memset(user, 'x', sizeof(user) - 1);
	memset(pass, 'x', sizeof(pass) - 1);
	memset(aor, 'x', sizeof(aor) - 1);

	assert_int_equal(pint_gwset_count(set), 2);
	got = pint_gwset_conf(set, 0);
	assert_non_null(got);
	assert_string_equal(got->name, "pint-east");
	assert_ptr_not_equal(got->name, name);
	assert_string_equal(got->peer.addr, "192.0.2.10");
	assert_int_equal(got->peer.port, 5060);
	assert_int_equal(got->peer.transport, PINT_TSX_UDP);
	assert_string_equal(got->domain, "pint.example.net:5070");
	assert_string_equal(got->tsp, "telco.example.org");
	assert_int_equal(got->naddrs, 1);
	assert_string_equal(got->addrs[0], "2001:db8::5");
	assert_null(got->addrs[1]);
	assert_string_equal(got->username, "alice");
	assert_string_equal(got->password, "s3cret");
	assert_string_equal(got->register_aor, "sip:pintgw@example.net");
	assert_int_equal(got->register_expires, 3600);
	assert_int_equal(got->priority, 5);
	assert_true(got->dialog_fallback);
	/* zeros take the defaults */
	assert_int_equal(got->down_after, 1);
	assert_int_equal(got->rest_max_ms, 300000);
	assert_int_equal(got->rest_default_ms, 30000);
	assert_int_equal(got->subscribe_expires, 600);
	assert_int_equal(got->keepalive_ms, 0);

	got = pint_gwset_conf(set, 1);
	assert_non_null(got);
	assert_string_equal(got->name, "pint-west");
	assert_int_equal(got->peer.transport, PINT_TSX_TCP);
	assert_int_equal(got->peer.port, 5061);
	assert_null(got->tsp);
	assert_int_equal(got->naddrs, 4);
	assert_string_equal(got->addrs[0], "192.0.2.21");
	assert_string_equal(got->addrs[3], "::ffff:192.0.2.24");
	assert_int_equal(pint_gwset_by_addr(set, "192.0.2.24"), 1);
	assert_int_equal(pint_gwset_by_addr(set, "2001:db8::23"), 1);
	assert_null(got->username);
	assert_null(got->password);
	assert_null(got->register_aor);
	assert_int_equal(got->down_after, 4);
	assert_int_equal(got->rest_max_ms, 1000);
	assert_int_equal(got->rest_default_ms, 500);
	assert_int_equal(got->subscribe_expires, 60);
	assert_int_equal(got->keepalive_ms, 15000);

	pint_gwset_info(set, 1, &info);
	assert_string_equal(info.name, "pint-west");
	assert_int_equal(info.health, PINT_GWSET_UNKNOWN);
	assert_false(info.resting);
	assert_int_equal(info.rest_until_ms, 0);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_DIALOG);
	assert_int_equal(info.sent, 0);
	assert_int_equal(info.failed_over, 0);
	assert_int_equal(info.timeouts, 0);

	assert_int_equal(pint_gwset_find(set, "pint-east"), 0);
	assert_int_equal(pint_gwset_find(set, "pint-west"), 1);
	assert_int_equal(pint_gwset_find(set, "PINT-WEST"), PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_find(set, "nope"), PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_find(set, NULL), PINT_GWSET_NONE);
	assert_null(pint_gwset_conf(set, 2));
	assert_null(pint_gwset_conf(set, PINT_GWSET_NONE));
	pint_gwset_free(set);
}

static void test_alloc_edges(void **state)
{
	struct pint_gwset_conf c[PINT_GWSET_MAX + 1];
	struct pint_gwset *set;
	size_t idx;

	(void)state;
	/* no gateways at all is a valid (if useless) set */
	set = mkset(NULL, 0);
	assert_int_equal(pint_gwset_count(set), 0);
	assert_int_equal(pint_gwset_pick(set, NULL, NULL, 0, &idx), ENOENT);
	assert_int_equal(pint_gwset_next_deadline(set), UINT64_MAX);
	assert_int_equal(pint_gwset_keepalive_due(set, 0), PINT_GWSET_NONE);
	assert_false(pint_gwset_any_up(set));
	pint_gwset_free(set);
	pint_gwset_free(NULL);

	set = NULL;
	assert_int_equal(pint_gwset_alloc(NULL, NULL, 0), EINVAL);
	assert_int_equal(pint_gwset_alloc(&set, NULL, 1), EINVAL);
	assert_null(set);
	for (idx = 0; idx < N_(c); idx++)
		c[idx] = gw("same", "192.0.2.1", 0);
	assert_int_equal(pint_gwset_alloc(&set, c, N_(c)), EMSGSIZE);
	assert_null(set);
	assert_int_equal(pint_gwset_replace(NULL, c, 1), EINVAL);
}

enum fld {
	F_NAME, F_ADDR, F_PORT, F_TRANSPORT, F_DOMAIN, F_TSP, F_NADDRS,
	F_ADDR0, F_MODE, F_USER, F_PASS, F_AOR,
};

struct conf_case {
	enum fld fld;
	const char *str;        /* the value (F_PORT etc.: NULL, see num) */
	long num;
	const char *field;      /* expected field, NULL = valid */
};

static const char S64[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.";
static const char S65[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.x";

static void apply(struct pint_gwset_conf *c, const struct conf_case *t,
		  char *big)
{
	const char *s = t->str;

	if (s && !strcmp(s, "<big>"))
		s = big;
	switch (t->fld) {
	case F_NAME:
		c->name = s;
		break;
	case F_ADDR:
		c->peer.addr = s;
		break;
	case F_PORT:
		c->peer.port = (uint16_t)t->num;
		break;
	case F_TRANSPORT:
		c->peer.transport = (enum pint_tsx_transport)t->num;
		break;
	case F_DOMAIN:
		c->domain = s;
		break;
	case F_TSP:
		c->tsp = s;
		break;
	case F_NADDRS:
		c->naddrs = (size_t)t->num;
		break;
	case F_ADDR0:
		c->addrs[0] = s;
		c->naddrs = 1;
		break;
	case F_MODE:
		c->status_mode = (enum pint_gwset_status_mode)t->num;
		break;
	case F_USER:
		c->username = s;
		c->password = "pw";
		break;
	case F_PASS:
		c->username = "alice";
		c->password = s;
		break;
	case F_AOR:
		c->register_aor = s;
		break;
	}
}

static const struct conf_case conf_cases[] = {
	{F_NAME, NULL, 0, "name"},
	{F_NAME, "", 0, "name"},
	{F_NAME, S64, 0, NULL},
	{F_NAME, S65, 0, "name"},
	{F_NAME, "pint east", 0, "name"},
	{F_NAME, "pint;east", 0, "name"},
	{F_NAME, "pint\teast", 0, "name"},
	{F_NAME, "p\xc3\xa9", 0, "name"},
	{F_NAME, "a!%*_+`'~.-1", 0, NULL},
	{F_NAME, "dup", 0, "name"},             /* gateway 1 is "dup" too */
	{F_ADDR, NULL, 0, "peer.addr"},
	{F_ADDR, "", 0, "peer.addr"},
	{F_ADDR, "pint.example.net", 0, "peer.addr"},
	{F_ADDR, "[2001:db8::1]", 0, "peer.addr"},
	{F_ADDR, "fe80::1%eth0", 0, "peer.addr"},
	{F_ADDR, "192.0.2", 0, "peer.addr"},
	{F_ADDR, "256.0.2.1", 0, "peer.addr"},
	{F_ADDR, " 192.0.2.1", 0, "peer.addr"},
	{F_ADDR, "2001:db8::1", 0, NULL},
	{F_ADDR, "::ffff:192.0.2.1", 0, NULL},
	{F_PORT, NULL, 0, "peer.port"},
	{F_PORT, NULL, 65535, NULL},
	{F_TRANSPORT, NULL, 7, "peer.transport"},
	{F_TRANSPORT, NULL, PINT_TSX_TCP, NULL},
	{F_DOMAIN, NULL, 0, "domain"},
	{F_DOMAIN, "", 0, "domain"},
	{F_DOMAIN, "pint example.net", 0, "domain"},
	{F_DOMAIN, "pint.example.net\r\n", 0, "domain"},
	{F_DOMAIN, "gw@pint.example.net", 0, "domain"},
	{F_DOMAIN, "pint.example.net;x=1", 0, "domain"},
	{F_DOMAIN, "pint.example.net:0", 0, "domain"},
	{F_DOMAIN, "pint.example.net:65536", 0, "domain"},
	{F_DOMAIN, "pint.example.net:", 0, "domain"},
	{F_DOMAIN, "pint.example.net:50x", 0, "domain"},
	{F_DOMAIN, ":5060", 0, "domain"},
	{F_DOMAIN, "2001:db8::1", 0, "domain"},
	{F_DOMAIN, "[2001:db8::1", 0, "domain"},
	{F_DOMAIN, "[]", 0, "domain"},
	{F_DOMAIN, "[pint]", 0, "domain"},
	{F_DOMAIN, "[2001:db8::1]5060", 0, "domain"},
	{F_DOMAIN, "<big>", 0, "domain"},
	{F_DOMAIN, "pint.example.net:65535", 0, NULL},
	{F_DOMAIN, "192.0.2.1", 0, NULL},
	{F_DOMAIN, "[2001:db8::1]", 0, NULL},
	{F_DOMAIN, "[2001:db8::1]:5061", 0, NULL},
	{F_DOMAIN, "pint_1.example-2.net", 0, NULL},
	{F_TSP, "", 0, "tsp"},
	{F_TSP, "telco example", 0, "tsp"},
	{F_TSP, "telco;x", 0, "tsp"},
	{F_TSP, "telco.example.org", 0, NULL},
	{F_NADDRS, NULL, PINT_GWSET_MAX_ADDRS + 1, "naddrs"},
	{F_NADDRS, NULL, 1, "addrs"},           /* addrs[0] is NULL */
	{F_ADDR0, "gw2.example.net", 0, "addrs"},
	{F_ADDR0, "", 0, "addrs"},
	{F_ADDR0, "198.51.100.7", 0, NULL},
	{F_MODE, NULL, 3, "status_mode"},
	{F_MODE, NULL, PINT_GWSET_STATUS_NONE, NULL},
	{F_USER, NULL, 0, "username"},          /* password without user */
	{F_USER, "", 0, "username"},
	{F_USER, "al\"ice", 0, "username"},
	{F_USER, "al\\ice", 0, "username"},
	{F_USER, "al\nice", 0, "username"},
	{F_USER, "alice smith", 0, NULL},
	{F_PASS, NULL, 0, "password"},          /* user without password */
	{F_PASS, "pw\r", 0, "password"},
	{F_PASS, "<big>", 0, "password"},
	{F_PASS, "", 0, NULL},
	{F_PASS, "p \"w\\", 0, NULL},
	{F_AOR, "", 0, "register_aor"},
	{F_AOR, "pintgw@example.net", 0, "register_aor"},
	{F_AOR, "sip:pint gw@example.net", 0, "register_aor"},
	{F_AOR, "sip:<pintgw@example.net>", 0, "register_aor"},
	{F_AOR, "sip:pintgw@example.net", 0, NULL},
	{F_AOR, "SIPS:pintgw@example.net", 0, NULL},
};

/* Each field alone, in the second of two gateways: check, alloc, replace. */
static void test_conf_validation(void **state)
{
	char big[PINT_GWSET_MAX_STR + 2];
	struct pint_gwset_conf c[2];
	struct pint_gwset *set, *other;
	const char *field;
	size_t i, bad;
	int err, want;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	c[0] = gw("dup", "192.0.2.1", 0);
	set = mkset(c, 1);
	for (i = 0; i < N_(conf_cases); i++) {
		const struct conf_case *t = &conf_cases[i];

		c[1] = gw("second", "192.0.2.2", 0);
		apply(&c[1], t, big);
		want = t->field ? EINVAL : 0;
		err = pint_gwset_check(c, 2, &bad, &field);
		if (err != want || (t->field && strcmp(field, t->field)))
			fail_msg("case %zu (%s): err %d field %s", i,
				 t->str ? t->str : "NULL", err,
				 field ? field : "NULL");
		assert_int_equal(bad, t->field ? 1 : PINT_GWSET_NONE);

		other = NULL;
		assert_int_equal(pint_gwset_alloc(&other, c, 2), want);
		assert_true(!other == !!t->field);
		pint_gwset_free(other);

		/* a failed reload leaves the set as it was */
		assert_int_equal(pint_gwset_replace(set, c, 2), want);
		if (want) {
			assert_int_equal(pint_gwset_count(set), 1);
			assert_string_equal(pint_gwset_conf(set, 0)->name,
					    "dup");
		} else {
			bad = pint_gwset_find(set, c[1].name);
			assert_non_null(pint_gwset_conf(set, bad));
		}
		assert_int_equal(pint_gwset_replace(set, c, 1), 0);
		assert_int_equal(pint_gwset_count(set), 1);
	}
	pint_gwset_free(set);

	/* a longest allowed domain */
	big[PINT_GWSET_MAX_STR] = '\0';
	c[1] = gw("second", "192.0.2.2", 0);
	c[1].domain = big;
	assert_int_equal(pint_gwset_check(c, 2, NULL, NULL), 0);

	/* the first of several bad entries is the one reported */
	c[0].domain = "a b";
	c[1].name = "a b";
	assert_int_equal(pint_gwset_check(c, 2, &bad, &field), EINVAL);
	assert_int_equal(bad, 0);
	assert_string_equal(field, "domain");
	assert_int_equal(pint_gwset_check(NULL, 1, &bad, &field), EINVAL);
	assert_int_equal(bad, PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_check(c, PINT_GWSET_MAX + 1, &bad, &field),
			 EMSGSIZE);
	assert_int_equal(pint_gwset_check(NULL, 0, NULL, NULL), 0);
}

/* The set's own copies may be handed back to it (their memory is freed
 * only after the new copies are made). */
static void test_reload_from_own_conf(void **state)
{
	struct pint_gwset_conf c[2] = {
		gw("a", "192.0.2.1", 1), gw("b", "2001:db8::2", 2),
	};
	struct pint_gwset_conf r[2];
	struct pint_gwset *set;

	(void)state;
	c[1].addrs[0] = "192.0.2.22";
	c[1].naddrs = 1;
	c[1].username = "alice";
	c[1].password = "pw";
	set = mkset(c, 2);
	r[0] = *pint_gwset_conf(set, 1);
	r[1] = *pint_gwset_conf(set, 0);
	assert_int_equal(pint_gwset_replace(set, r, 2), 0);
	assert_int_equal(pint_gwset_find(set, "a"), 0);
	assert_int_equal(pint_gwset_find(set, "b"), 1);
	assert_string_equal(pint_gwset_conf(set, 1)->addrs[0], "192.0.2.22");
	assert_string_equal(pint_gwset_conf(set, 1)->password, "pw");
	assert_int_equal(pint_gwset_by_addr(set, "192.0.2.22"), 1);
	pint_gwset_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_alloc_copies_and_defaults),
		leakcheck_test(test_alloc_edges),
		leakcheck_test(test_conf_validation),
		leakcheck_test(test_reload_from_own_conf),
	};

	return cmocka_run_group_tests_name("gwset_conf", tests, NULL, NULL);
}
