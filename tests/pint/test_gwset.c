/*
 * tests/pint/test_gwset.c — pint/gwset.c (configuration checks and
 * copies: test_gwset_conf.c).
 *
 * Time is a plain variable handed to every call (the set never reads a
 * clock). Gateways are brought into a state through the same events the
 * daemon reports, never by poking at the set.
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

static enum pint_gwset_health health(const struct pint_gwset *set,
				     size_t idx)
{
	struct pint_gwset_info info;

	pint_gwset_info(set, idx, &info);
	return info.health;
}

static size_t pick(const struct pint_gwset *set, const bool *tried,
		   uint64_t now)
{
	size_t idx = 12345;
	int err = pint_gwset_pick(set, NULL, tried, now, &idx);

	if (err) {
		assert_int_equal(err, ENOENT);
		assert_int_equal(idx, PINT_GWSET_NONE);
	}
	return idx;
}

/* ---- choosing -------------------------------------------------------- */

enum st { UP, UNK, DOWN, REST, DOWNREST };

/* Bring gateway i into st at time 0 (down_after = 1, rest 60 s). */
static void drive(struct pint_gwset *set, size_t i, enum st st)
{
	switch (st) {
	case UP:
		pint_gwset_keepalive(set, i, true, 0);
		break;
	case UNK:
		break;
	case DOWN:
		pint_gwset_keepalive(set, i, false, 0);
		break;
	case REST:
		pint_gwset_overloaded(set, i, 60, true, 0);
		break;
	case DOWNREST:
		pint_gwset_overloaded(set, i, 60, true, 0);
		pint_gwset_timeout(set, i, 0);
		break;
	}
}

struct pick_case {
	unsigned prio[3];
	enum st st[3];
	bool tried[3];
	size_t want;            /* PINT_GWSET_NONE = ENOENT */
};

static const struct pick_case pick_cases[] = {
	{{1, 1, 1}, {UP, UP, UP}, {0}, 0},
	{{3, 2, 1}, {UP, UP, UP}, {0}, 2},
	{{3, 2, 1}, {UP, UP, UP}, {0, 0, 1}, 1},
	{{1, 1, 1}, {UNK, UNK, UP}, {0}, 2},
	{{1, 1, 9}, {UNK, UNK, UP}, {0}, 2},      /* health before priority */
	{{1, 1, 9}, {DOWN, UNK, UP}, {0}, 2},
	{{1, 2, 2}, {DOWN, UNK, UNK}, {0}, 1},
	{{1, 2, 3}, {REST, UNK, DOWN}, {0}, 1},   /* resting is bad */
	{{1, 2, 3}, {REST, DOWN, REST}, {0}, 0},  /* all bad: least bad */
	{{3, 2, 1}, {REST, DOWN, REST}, {0}, 2},
	{{1, 2, 3}, {DOWN, DOWNREST, REST}, {0}, 2},
	{{1, 2, 3}, {DOWNREST, DOWN, DOWN}, {0}, 1},
	{{1, 2, 3}, {DOWNREST, DOWNREST, DOWN}, {0}, 2},
	{{1, 2, 3}, {DOWNREST, DOWNREST, DOWNREST}, {0}, 0},
	{{1, 2, 3}, {UP, UP, DOWN}, {1, 1, 0}, 2},  /* down beats nothing */
	{{1, 2, 3}, {UP, UP, UP}, {1, 1, 1}, PINT_GWSET_NONE},
};

static void test_pick_table(void **state)
{
	struct pint_gwset_conf c[3];
	struct pint_gwset *set;
	size_t i, k;

	(void)state;
	for (i = 0; i < N_(pick_cases); i++) {
		const struct pick_case *t = &pick_cases[i];

		c[0] = gw("a", "192.0.2.1", t->prio[0]);
		c[1] = gw("b", "192.0.2.2", t->prio[1]);
		c[2] = gw("c", "192.0.2.3", t->prio[2]);
		set = mkset(c, 3);
		for (k = 0; k < 3; k++)
			drive(set, k, t->st[k]);
		if (pick(set, t->tried, 1000) != t->want)
			fail_msg("pick case %zu: got %zu want %zu", i,
				 pick(set, t->tried, 1000), t->want);
		/* the same without a tried array when none is tried */
		if (!t->tried[0] && !t->tried[1] && !t->tried[2])
			assert_int_equal(pick(set, NULL, 1000), t->want);
		pint_gwset_free(set);
	}
}

static void test_pick_preferred(void **state)
{
	struct pint_gwset_conf c[4] = {
		gw("up", "192.0.2.1", 1), gw("unknown", "192.0.2.2", 1),
		gw("down", "192.0.2.3", 1), gw("resting", "192.0.2.4", 1),
	};
	bool tried[PINT_GWSET_MAX] = {false};
	struct pint_gwset *set = mkset(c, 4);
	size_t idx;

	(void)state;
	drive(set, 0, UP);
	drive(set, 2, DOWN);
	pint_gwset_overloaded(set, 3, 5, true, 1000);    /* until 6000 */

	assert_int_equal(pint_gwset_pick(set, "up", NULL, 2000, &idx), 0);
	assert_int_equal(idx, 0);
	/* an explicit choice with unknown health is used */
	assert_int_equal(pint_gwset_pick(set, "unknown", tried, 2000, &idx), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(pint_gwset_pick(set, "down", NULL, 2000, &idx), EBUSY);
	assert_int_equal(idx, PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_pick(set, "resting", NULL, 5999, &idx),
			 EBUSY);
	/* the rest ends by time alone */
	assert_int_equal(pint_gwset_pick(set, "resting", NULL, 6000, &idx), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(pint_gwset_pick(set, "nope", NULL, 2000, &idx),
			 ENOENT);
	assert_int_equal(idx, PINT_GWSET_NONE);
	tried[0] = true;
	assert_int_equal(pint_gwset_pick(set, "up", tried, 2000, &idx),
			 EALREADY);
	assert_int_equal(idx, PINT_GWSET_NONE);
	/* never substituted: the other gateways are not considered */
	assert_int_equal(pint_gwset_pick(set, "down", tried, 2000, &idx),
			 EBUSY);

	assert_int_equal(pint_gwset_pick(NULL, NULL, NULL, 0, &idx), EINVAL);
	assert_int_equal(pint_gwset_pick(set, NULL, NULL, 0, NULL), EINVAL);
	pint_gwset_free(set);
}

/* Equals take turns; one back from DOWN joins the turn, no catching up. */
static void test_round_robin(void **state)
{
	struct pint_gwset_conf c[4] = {
		gw("a", "192.0.2.1", 1), gw("b", "192.0.2.2", 1),
		gw("c", "192.0.2.3", 1), gw("spare", "192.0.2.4", 2),
	};
	static const size_t order[] = {0, 1, 2, 0, 1, 2, 0, 1, 2};
	static const size_t back[] = {1, 0, 2, 1, 0, 2};
	struct pint_gwset_info info;
	struct pint_gwset *set = mkset(c, 4);
	size_t i, idx;

	(void)state;
	for (i = 0; i < 4; i++)
		drive(set, i, UP);
	for (i = 0; i < N_(order); i++) {
		idx = pick(set, NULL, 10);
		assert_int_equal(idx, order[i]);
		pint_gwset_sent(set, idx);
	}
	pint_gwset_info(set, 0, &info);
	assert_int_equal(info.sent, 3);
	pint_gwset_info(set, 3, &info);
	assert_int_equal(info.sent, 0);

	/* b is down for a while: a and c share the load */
	pint_gwset_keepalive(set, 1, false, 20);
	for (i = 0; i < 10; i++) {
		idx = pick(set, NULL, 30);
		assert_true(idx == 0 || idx == 2);
		pint_gwset_sent(set, idx);
	}
	pint_gwset_keepalive(set, 1, true, 40);
	for (i = 0; i < N_(back); i++) {
		idx = pick(set, NULL, 50);
		assert_int_equal(idx, back[i]);
		pint_gwset_sent(set, idx);
	}
	pint_gwset_free(set);
}

/* 32 gateways: tried walks all of them in priority order, then ENOENT. */
static void test_32_gateways(void **state)
{
	struct pint_gwset_conf c[PINT_GWSET_MAX];
	char names[PINT_GWSET_MAX][16], addrs[PINT_GWSET_MAX][32];
	bool tried[PINT_GWSET_MAX] = {false};
	struct pint_gwset *set;
	size_t i, idx;

	(void)state;
	for (i = 0; i < PINT_GWSET_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "gw%zu", i);
		snprintf(addrs[i], sizeof(addrs[i]), "2001:db8::%zx", i + 1);
		c[i] = gw(names[i], addrs[i], (unsigned)(PINT_GWSET_MAX - i));
	}
	set = mkset(c, PINT_GWSET_MAX);
	assert_int_equal(pint_gwset_count(set), PINT_GWSET_MAX);
	for (i = 0; i < PINT_GWSET_MAX; i++) {
		assert_int_equal(pint_gwset_find(set, names[i]), i);
		assert_int_equal(pint_gwset_by_addr(set, addrs[i]), i);
	}
	for (i = 0; i < PINT_GWSET_MAX; i++) {
		idx = pick(set, tried, 0);
		assert_int_equal(idx, PINT_GWSET_MAX - 1 - i);
		tried[idx] = true;
	}
	assert_int_equal(pick(set, tried, 0), PINT_GWSET_NONE);
	pint_gwset_free(set);
}

/* ---- health ---------------------------------------------------------- */

struct health_case {
	unsigned down_after;
	const char *events;     /* a: OPTIONS answered, n: not, t: timeout,
				 * o: 503 */
	enum pint_gwset_health want;
};

static const struct health_case health_cases[] = {
	{3, "", PINT_GWSET_UNKNOWN},
	{3, "a", PINT_GWSET_UP},
	{3, "nn", PINT_GWSET_UNKNOWN},
	{3, "nnn", PINT_GWSET_DOWN},
	{3, "nnna", PINT_GWSET_UP},
	{3, "tt", PINT_GWSET_UNKNOWN},
	{3, "ttt", PINT_GWSET_DOWN},
	{3, "tnt", PINT_GWSET_DOWN},       /* both kinds count together */
	{3, "ann", PINT_GWSET_UP},
	{3, "annt", PINT_GWSET_DOWN},
	{3, "nnann", PINT_GWSET_UP},       /* an answer resets the count */
	{3, "nnonn", PINT_GWSET_UP},       /* so does a 503 */
	{3, "o", PINT_GWSET_UP},
	{3, "nnnnnnnnnna", PINT_GWSET_UP},
	{0, "n", PINT_GWSET_DOWN},         /* 0 means 1 */
	{0, "t", PINT_GWSET_DOWN},
	{1, "na", PINT_GWSET_UP},
	{1, "an", PINT_GWSET_DOWN},
};

static void test_health_table(void **state)
{
	struct pint_gwset_conf c;
	struct pint_gwset *set;
	size_t i;
	const char *e;

	(void)state;
	for (i = 0; i < N_(health_cases); i++) {
		const struct health_case *t = &health_cases[i];

		c = gw("g", "192.0.2.1", 0);
		c.down_after = t->down_after;
		set = mkset(&c, 1);
		for (e = t->events; *e; e++) {
			if (*e == 'a')
				pint_gwset_keepalive(set, 0, true, 0);
			else if (*e == 'n')
				pint_gwset_keepalive(set, 0, false, 0);
			else if (*e == 't')
				pint_gwset_timeout(set, 0, 0);
			else
				pint_gwset_overloaded(set, 0, 1, true, 0);
		}
		if (health(set, 0) != t->want)
			fail_msg("health case %zu (%s): %s", i, t->events,
				 pint_gwset_health_name(health(set, 0)));
		pint_gwset_free(set);
	}
}

static void test_counters(void **state)
{
	struct pint_gwset_conf c = gw("g", "192.0.2.1", 0);
	struct pint_gwset_info info;
	struct pint_gwset *set;

	(void)state;
	c.down_after = 5;
	set = mkset(&c, 1);
	pint_gwset_sent(set, 0);
	pint_gwset_sent(set, 0);
	pint_gwset_timeout(set, 0, 0);
	pint_gwset_overloaded(set, 0, 0, false, 0);
	pint_gwset_overloaded(set, 0, 0, false, 0);
	pint_gwset_keepalive(set, 0, false, 0);
	pint_gwset_info(set, 0, &info);
	assert_int_equal(info.sent, 2);
	assert_int_equal(info.timeouts, 1);
	assert_int_equal(info.failed_over, 3);
	pint_gwset_free(set);
}

/* Events for an index no gateway holds are ignored. */
static void test_bad_index(void **state)
{
	struct pint_gwset_conf c = gw("g", "192.0.2.1", 0);
	struct pint_gwset *set = mkset(&c, 1);
	struct pint_gwset_info info;
	static const size_t bad[] = {1, 31, 32, PINT_GWSET_NONE};
	size_t i;

	(void)state;
	for (i = 0; i < N_(bad); i++) {
		pint_gwset_sent(set, bad[i]);
		pint_gwset_timeout(set, bad[i], 0);
		pint_gwset_overloaded(set, bad[i], 10, true, 0);
		pint_gwset_keepalive(set, bad[i], true, 0);
		pint_gwset_fallback(set, bad[i]);
		memset(&info, 0xff, sizeof(info));
		pint_gwset_info(set, bad[i], &info);
		assert_null(info.name);
		assert_int_equal(info.sent, 0);
		assert_false(info.resting);
	}
	pint_gwset_sent(NULL, 0);
	pint_gwset_timeout(NULL, 0, 0);
	pint_gwset_info(set, 0, NULL);
	/* still UNKNOWN without keepalives, so up: nothing marked it down */
	assert_true(pint_gwset_any_up(set));
	assert_int_equal(pint_gwset_next_deadline(set), UINT64_MAX);
	pint_gwset_info(set, 0, &info);
	assert_int_equal(info.sent, 0);
	assert_int_equal(info.failed_over, 0);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_PINT);
	assert_int_equal(pint_gwset_count(NULL), 0);
	assert_int_equal(pint_gwset_next_deadline(NULL), UINT64_MAX);
	assert_int_equal(pint_gwset_keepalive_due(NULL, 0), PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_by_addr(NULL, "192.0.2.1"),
			 PINT_GWSET_NONE);
	assert_false(pint_gwset_any_up(NULL));
	pint_gwset_free(set);
}

/* ---- rest after 503 -------------------------------------------------- */

struct rest_case {
	uint32_t rest_max, rest_default, retry_after;
	bool has;
	uint64_t want_ms;
};

static const struct rest_case rest_cases[] = {
	{0, 0, 120, true, 120000},
	{0, 0, 0, true, 30000},                 /* Retry-After: 0 */
	{0, 0, 120, false, 30000},              /* value ignored */
	{60000, 0, 120, true, 60000},           /* clamped */
	{60000, 0, 60, true, 60000},
	{10000, 0, 0, false, 10000},            /* default clamped too */
	{0, 5000, 0, false, 5000},
	{0, 0, UINT32_MAX, true, 300000},
	{0, 0, 1, true, 1000},
};

static void test_rest_table(void **state)
{
	const uint64_t now = 1000000;
	struct pint_gwset_conf c[2];
	struct pint_gwset_info info;
	struct pint_gwset *set;
	size_t i;

	(void)state;
	for (i = 0; i < N_(rest_cases); i++) {
		const struct rest_case *t = &rest_cases[i];

		c[0] = gw("g", "192.0.2.1", 0);
		c[0].rest_max_ms = t->rest_max;
		c[0].rest_default_ms = t->rest_default;
		c[1] = gw("spare", "192.0.2.2", 9);
		set = mkset(c, 2);
		pint_gwset_overloaded(set, 0, t->retry_after, t->has, now);
		pint_gwset_info(set, 0, &info);
		assert_true(info.resting);
		if (info.rest_until_ms != now + t->want_ms)
			fail_msg("rest case %zu: %llu", i,
				 (unsigned long long)(info.rest_until_ms - now));
		assert_int_equal(info.health, PINT_GWSET_UP);
		assert_int_equal(info.failed_over, 1);
		assert_int_equal(pick(set, NULL, now + t->want_ms - 1), 1);
		assert_int_equal(pick(set, NULL, now + t->want_ms), 0);
		assert_int_equal(pint_gwset_next_deadline(set),
				 now + t->want_ms);
		pint_gwset_free(set);
	}
}

static void test_rest_extends_never_shortens(void **state)
{
	struct pint_gwset_conf c = gw("g", "192.0.2.1", 0);
	struct pint_gwset *set = mkset(&c, 1);
	struct pint_gwset_info info;

	(void)state;
	pint_gwset_overloaded(set, 0, 60, true, 1000);          /* 61000 */
	pint_gwset_overloaded(set, 0, 10, true, 2000);          /* 12000 */
	pint_gwset_info(set, 0, &info);
	assert_int_equal(info.rest_until_ms, 61000);
	pint_gwset_overloaded(set, 0, 120, true, 3000);
	pint_gwset_info(set, 0, &info);
	assert_int_equal(info.rest_until_ms, 123000);

	/* answers do not end a rest */
	pint_gwset_keepalive(set, 0, true, 4000);
	pint_gwset_info(set, 0, &info);
	assert_true(info.resting);
	assert_true(pint_gwset_any_up(set));    /* resting still counts */

	/* once over, the next 503 starts a fresh rest */
	pint_gwset_overloaded(set, 0, 5, true, 200000);
	pint_gwset_info(set, 0, &info);
	assert_int_equal(info.rest_until_ms, 205000);

	/* far future clock: no wrap-around */
	pint_gwset_overloaded(set, 0, 5, true, UINT64_MAX - 10);
	pint_gwset_info(set, 0, &info);
	assert_int_equal(info.rest_until_ms, UINT64_MAX);
	pint_gwset_free(set);
}

/* ---- keepalives ------------------------------------------------------ */

static void test_keepalive_schedule(void **state)
{
	struct pint_gwset_conf c[3] = {
		gw("a", "192.0.2.1", 0), gw("b", "192.0.2.2", 0),
		gw("c", "192.0.2.3", 0),
	};
	struct pint_gwset_info info;
	struct pint_gwset *set;

	(void)state;
	c[0].keepalive_ms = 10000;
	c[2].keepalive_ms = 4000;
	set = mkset(c, 3);

	/* a new gateway's first OPTIONS is due at once */
	assert_int_equal(pint_gwset_next_deadline(set), 0);
	assert_int_equal(pint_gwset_keepalive_due(set, 1000), 0);
	assert_int_equal(pint_gwset_keepalive_due(set, 1000), 2);
	assert_int_equal(pint_gwset_keepalive_due(set, 1000), PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_next_deadline(set), 5000);
	assert_int_equal(pint_gwset_keepalive_due(set, 4999), PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_keepalive_due(set, 5000), 2);
	assert_int_equal(pint_gwset_next_deadline(set), 9000);
	/* late: the most overdue first */
	assert_int_equal(pint_gwset_keepalive_due(set, 30000), 2);
	assert_int_equal(pint_gwset_keepalive_due(set, 30000), 0);
	assert_int_equal(pint_gwset_keepalive_due(set, 30000), PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_next_deadline(set), 34000);

	/* a rest end is a deadline too, and keepalive_due ends it */
	pint_gwset_overloaded(set, 1, 2, true, 30000);
	assert_int_equal(pint_gwset_next_deadline(set), 32000);
	assert_int_equal(pint_gwset_keepalive_due(set, 31999), PINT_GWSET_NONE);
	pint_gwset_info(set, 1, &info);
	assert_true(info.resting);
	assert_int_equal(pint_gwset_keepalive_due(set, 32000), PINT_GWSET_NONE);
	pint_gwset_info(set, 1, &info);
	assert_false(info.resting);
	assert_int_equal(info.rest_until_ms, 0);
	assert_int_equal(pint_gwset_next_deadline(set), 34000);

	/* answers and silence do not move the schedule */
	pint_gwset_keepalive(set, 0, false, 33000);
	pint_gwset_keepalive(set, 2, true, 33000);
	assert_int_equal(pint_gwset_next_deadline(set), 34000);
	pint_gwset_free(set);
}

static void test_keepalive_none(void **state)
{
	struct pint_gwset_conf c = gw("g", "192.0.2.1", 0);
	struct pint_gwset *set = mkset(&c, 1);

	(void)state;
	assert_int_equal(pint_gwset_next_deadline(set), UINT64_MAX);
	assert_int_equal(pint_gwset_keepalive_due(set, 0), PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_keepalive_due(set, UINT64_MAX),
			 PINT_GWSET_NONE);
	pint_gwset_free(set);
}

/* ---- status mode, addresses, readiness ------------------------------- */

static void test_fallback(void **state)
{
	struct pint_gwset_conf c[3] = {
		gw("pint-fb", "192.0.2.1", 0), gw("pint", "192.0.2.2", 0),
		gw("dialog", "192.0.2.3", 0),
	};
	static const enum pint_gwset_status_mode want[3][3] = {
		{PINT_GWSET_STATUS_DIALOG, PINT_GWSET_STATUS_NONE,
		 PINT_GWSET_STATUS_NONE},
		{PINT_GWSET_STATUS_NONE, PINT_GWSET_STATUS_NONE,
		 PINT_GWSET_STATUS_NONE},
		{PINT_GWSET_STATUS_NONE, PINT_GWSET_STATUS_NONE,
		 PINT_GWSET_STATUS_NONE},
	};
	struct pint_gwset_info info;
	struct pint_gwset *set;
	size_t i, k;

	(void)state;
	c[0].dialog_fallback = true;
	c[2].status_mode = PINT_GWSET_STATUS_DIALOG;
	c[2].dialog_fallback = true;
	set = mkset(c, 3);
	for (i = 0; i < 3; i++) {
		for (k = 0; k < 3; k++) {
			pint_gwset_fallback(set, i);
			pint_gwset_info(set, i, &info);
			assert_int_equal(info.status_mode, want[i][k]);
		}
		/* the configuration itself is not rewritten */
		assert_int_equal(pint_gwset_conf(set, i)->status_mode,
				 c[i].status_mode);
	}
	pint_gwset_free(set);
}

struct addr_case {
	const char *addr;
	size_t want;
};

static const struct addr_case addr_cases[] = {
	{"192.0.2.10", 0},
	{"::ffff:192.0.2.10", 0},
	{"::FFFF:c000:20a", 0},
	{"192.0.2.11", 0},
	{"2001:db8:0:0::5", 0},
	{"[2001:db8::5]", 0},
	{"2001:DB8::1", 1},
	{"198.51.100.1", 2},                    /* peer given v4-mapped */
	{"::ffff:198.51.100.1", 2},
	{"192.0.2.12", PINT_GWSET_NONE},
	{"2001:db8::6", PINT_GWSET_NONE},
	{"pint.example.net", PINT_GWSET_NONE},
	{"192.0.2.10:5060", PINT_GWSET_NONE},
	{" 192.0.2.10", PINT_GWSET_NONE},
	{"", PINT_GWSET_NONE},
	{"[", PINT_GWSET_NONE},
	{"[]", PINT_GWSET_NONE},
	{"<big>", PINT_GWSET_NONE},
	{NULL, PINT_GWSET_NONE},
};

static void test_by_addr(void **state)
{
	struct pint_gwset_conf c[3] = {
		gw("a", "192.0.2.10", 0), gw("b", "2001:db8::1", 0),
		gw("c", "::ffff:198.51.100.1", 0),
	};
	char big[400];
	struct pint_gwset *set;
	const char *a;
	size_t i;

	(void)state;
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	c[0].addrs[0] = "192.0.2.11";
	c[0].addrs[1] = "2001:db8::5";
	c[0].naddrs = 2;
	set = mkset(c, 3);
	for (i = 0; i < N_(addr_cases); i++) {
		a = addr_cases[i].addr;
		if (a && !strcmp(a, "<big>"))
			a = big;
		if (pint_gwset_by_addr(set, a) != addr_cases[i].want)
			fail_msg("addr case %zu (%s)", i, a ? a : "NULL");
	}
	pint_gwset_free(set);
}

static void test_any_up_and_names(void **state)
{
	struct pint_gwset_conf c[2] = {
		gw("a", "192.0.2.1", 0), gw("b", "192.0.2.2", 0),
	};
	struct pint_gwset *set;
	size_t i;

	(void)state;
	/* with keepalives, UNKNOWN does not count until one is answered */
	c[0].keepalive_ms = c[1].keepalive_ms = 30000;
	set = mkset(c, 2);
	assert_false(pint_gwset_any_up(set));
	pint_gwset_keepalive(set, 1, true, 0);
	assert_true(pint_gwset_any_up(set));
	pint_gwset_keepalive(set, 0, false, 0);
	assert_true(pint_gwset_any_up(set));
	pint_gwset_timeout(set, 1, 0);
	assert_false(pint_gwset_any_up(set));
	pint_gwset_free(set);

	/* without keepalives nothing probes: UNKNOWN counts, DOWN does not */
	c[0].keepalive_ms = c[1].keepalive_ms = 0;
	c[0].down_after = c[1].down_after = 1;
	set = mkset(c, 2);
	assert_true(pint_gwset_any_up(set));
	for (i = 0; i < 2; i++)
		pint_gwset_timeout(set, i, 0);
	assert_false(pint_gwset_any_up(set));
	pint_gwset_free(set);

	assert_string_equal(pint_gwset_health_name(PINT_GWSET_UNKNOWN),
			    "unknown");
	assert_string_equal(pint_gwset_health_name(PINT_GWSET_UP), "up");
	assert_string_equal(pint_gwset_health_name(PINT_GWSET_DOWN), "down");
	assert_string_equal(pint_gwset_health_name((enum pint_gwset_health)9),
			    "invalid");
}

/* ---- reload ---------------------------------------------------------- */

static void test_reload_keeps_state(void **state)
{
	struct pint_gwset_conf c[3] = {
		gw("a", "192.0.2.1", 1), gw("b", "192.0.2.2", 1),
		gw("c", "192.0.2.3", 1),
	};
	struct pint_gwset_conf r[3];
	struct pint_gwset_info info;
	struct pint_gwset *set;
	size_t idx;

	(void)state;
	c[0].keepalive_ms = 10000;
	c[2].dialog_fallback = true;
	set = mkset(c, 3);
	assert_int_equal(pint_gwset_keepalive_due(set, 0), 0);
	drive(set, 0, UP);
	pint_gwset_sent(set, 0);
	pint_gwset_sent(set, 0);
	pint_gwset_overloaded(set, 1, 30, true, 0);
	drive(set, 2, DOWN);
	pint_gwset_fallback(set, 2);

	/* b goes, d arrives, the order changes, a's domain changes */
	r[0] = c[2];
	r[1] = gw("d", "192.0.2.4", 0);
	r[2] = c[0];
	r[2].domain = "new.example.net";
	assert_int_equal(pint_gwset_replace(set, r, 3), 0);

	assert_int_equal(pint_gwset_find(set, "a"), 0);
	assert_int_equal(pint_gwset_find(set, "c"), 2);
	/* an emptied index is not handed out while unused ones remain */
	assert_int_equal(pint_gwset_find(set, "d"), 3);
	assert_int_equal(pint_gwset_find(set, "b"), PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_count(set), 4);
	assert_null(pint_gwset_conf(set, 1));
	assert_string_equal(pint_gwset_conf(set, 0)->domain,
			    "new.example.net");

	pint_gwset_info(set, 0, &info);
	assert_string_equal(info.name, "a");
	assert_int_equal(info.health, PINT_GWSET_UP);
	assert_int_equal(info.sent, 2);
	pint_gwset_info(set, 2, &info);
	assert_int_equal(info.health, PINT_GWSET_DOWN);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_DIALOG);
	pint_gwset_info(set, 3, &info);
	assert_int_equal(info.health, PINT_GWSET_UNKNOWN);
	pint_gwset_info(set, 1, &info);
	assert_null(info.name);
	/* keepalive schedule kept: a's next OPTIONS is still at 10000 */
	assert_int_equal(pint_gwset_next_deadline(set), 10000);

	/* a late event for b is dropped, and b's index is never picked */
	pint_gwset_timeout(set, 1, 0);
	pint_gwset_sent(set, 0);
	assert_int_equal(pick(set, NULL, 0), 0);
	drive(set, 0, DOWN);
	assert_int_equal(pick(set, NULL, 0), 3);
	assert_int_equal(pint_gwset_pick(set, "b", NULL, 0, &idx), ENOENT);

	/* b comes back: a new gateway, fresh state, the next unused index */
	r[1] = c[1];
	assert_int_equal(pint_gwset_replace(set, r, 3), 0);
	assert_int_equal(pint_gwset_find(set, "b"), 4);
	assert_int_equal(pint_gwset_find(set, "d"), PINT_GWSET_NONE);
	assert_null(pint_gwset_conf(set, 3));
	assert_int_equal(pint_gwset_count(set), 5);
	pint_gwset_info(set, 4, &info);
	assert_false(info.resting);
	assert_int_equal(info.failed_over, 0);

	/* dropping the top index lowers count (c stays at 2) */
	assert_int_equal(pint_gwset_replace(set, r, 1), 0);
	assert_int_equal(pint_gwset_count(set), 3);
	assert_int_equal(pint_gwset_replace(set, NULL, 0), 0);
	assert_int_equal(pint_gwset_count(set), 0);
	assert_int_equal(pick(set, NULL, 0), PINT_GWSET_NONE);
	pint_gwset_free(set);
}

/* What a reload resets for a surviving name. */
static void test_reload_changes(void **state)
{
	struct pint_gwset_conf c[3] = {
		gw("moved", "192.0.2.1", 1), gw("mode", "192.0.2.2", 1),
		gw("ka", "192.0.2.3", 1),
	};
	struct pint_gwset_info info;
	struct pint_gwset *set;
	size_t i;

	(void)state;
	c[1].dialog_fallback = true;
	c[2].keepalive_ms = 60000;
	set = mkset(c, 3);
	while (pint_gwset_keepalive_due(set, 0) != PINT_GWSET_NONE)
		;
	for (i = 0; i < 3; i++) {
		pint_gwset_sent(set, i);
		pint_gwset_overloaded(set, i, 100, true, 0);
		pint_gwset_timeout(set, i, 0);          /* DOWN and resting */
		pint_gwset_fallback(set, i);
	}
	assert_int_equal(pint_gwset_next_deadline(set), 60000);

	c[0].peer.port = 5070;                  /* another host */
	c[1].status_mode = PINT_GWSET_STATUS_NONE;
	c[2].keepalive_ms = 30000;
	assert_int_equal(pint_gwset_replace(set, c, 3), 0);

	pint_gwset_info(set, 0, &info);
	assert_int_equal(info.health, PINT_GWSET_UNKNOWN);
	assert_false(info.resting);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_PINT);
	assert_int_equal(info.sent, 1);         /* counters are kept */
	assert_int_equal(info.timeouts, 1);

	pint_gwset_info(set, 1, &info);
	assert_int_equal(info.health, PINT_GWSET_DOWN);
	assert_true(info.resting);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_NONE);

	pint_gwset_info(set, 2, &info);
	assert_int_equal(info.health, PINT_GWSET_DOWN);
	assert_true(info.resting);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_NONE);
	/* a new interval: due at once */
	assert_int_equal(pint_gwset_next_deadline(set), 0);
	assert_int_equal(pint_gwset_keepalive_due(set, 500), 2);
	assert_int_equal(pint_gwset_next_deadline(set), 30500);

	/* status_mode changed again: the configured mode, no fallback */
	pint_gwset_fallback(set, 1);
	c[1].status_mode = PINT_GWSET_STATUS_PINT;
	assert_int_equal(pint_gwset_replace(set, c, 3), 0);
	pint_gwset_info(set, 1, &info);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_PINT);
	/* the same conf again keeps a fallback */
	pint_gwset_fallback(set, 1);
	assert_int_equal(pint_gwset_replace(set, c, 3), 0);
	pint_gwset_info(set, 1, &info);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_DIALOG);
	pint_gwset_free(set);
}

/* All 32 indexes used: a new name takes the index emptied longest ago. */
static void test_reload_index_reuse(void **state)
{
	struct pint_gwset_conf c[PINT_GWSET_MAX], r[PINT_GWSET_MAX];
	char names[PINT_GWSET_MAX][16];
	struct pint_gwset *set;
	size_t i, n;

	(void)state;
	for (i = 0; i < PINT_GWSET_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "gw%zu", i);
		c[i] = gw(names[i], "192.0.2.1", 0);
	}
	set = mkset(c, PINT_GWSET_MAX);

	/* drop gw5, then gw6 in a later reload */
	for (i = 0, n = 0; i < PINT_GWSET_MAX; i++) {
		if (i != 5)
			r[n++] = c[i];
	}
	assert_int_equal(pint_gwset_replace(set, r, n), 0);
	for (i = 0, n = 0; i < PINT_GWSET_MAX; i++) {
		if (i != 5 && i != 6)
			r[n++] = c[i];
	}
	assert_int_equal(pint_gwset_replace(set, r, n), 0);
	assert_null(pint_gwset_conf(set, 5));
	assert_null(pint_gwset_conf(set, 6));

	r[n++] = gw("x", "192.0.2.9", 0);
	assert_int_equal(pint_gwset_replace(set, r, n), 0);
	assert_int_equal(pint_gwset_find(set, "x"), 5);
	r[n++] = gw("y", "192.0.2.9", 0);
	assert_int_equal(pint_gwset_replace(set, r, n), 0);
	assert_int_equal(pint_gwset_find(set, "y"), 6);
	assert_int_equal(pint_gwset_find(set, "x"), 5);
	assert_int_equal(pint_gwset_count(set), PINT_GWSET_MAX);

	/* a full rename in one reload still fits */
	for (i = 0; i < PINT_GWSET_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "new%zu", i);
		r[i] = gw(names[i], "192.0.2.1", 0);
	}
	assert_int_equal(pint_gwset_replace(set, r, PINT_GWSET_MAX), 0);
	for (i = 0; i < PINT_GWSET_MAX; i++)
		assert_int_not_equal(pint_gwset_find(set, names[i]),
				     PINT_GWSET_NONE);
	assert_int_equal(pint_gwset_find(set, "x"), PINT_GWSET_NONE);
	pint_gwset_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_pick_table),
		leakcheck_test(test_pick_preferred),
		leakcheck_test(test_round_robin),
		leakcheck_test(test_32_gateways),
		leakcheck_test(test_health_table),
		leakcheck_test(test_counters),
		leakcheck_test(test_bad_index),
		leakcheck_test(test_rest_table),
		leakcheck_test(test_rest_extends_never_shortens),
		leakcheck_test(test_keepalive_schedule),
		leakcheck_test(test_keepalive_none),
		leakcheck_test(test_fallback),
		leakcheck_test(test_by_addr),
		leakcheck_test(test_any_up_and_names),
		leakcheck_test(test_reload_keeps_state),
		leakcheck_test(test_reload_changes),
		leakcheck_test(test_reload_index_reuse),
	};

	return cmocka_run_group_tests_name("gwset", tests, NULL, NULL);
}
