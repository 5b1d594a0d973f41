/*
 * pint/gwset.c — the telephony gateways: configuration copies, health,
 * rest after 503, keepalive schedule and the choice of where to send.
 *
 * A set is one allocation holding PINT_GWSET_MAX slots, plus one string
 * block per gateway (made by pint/gwset_conf.c, which also validates).
 * A slot keeps its index for as long as its gateway's name survives
 * reloads; an emptied slot is only reused once every slot has been used
 * once (see pint_gwset_replace).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pint/gwset.h"
#include "pint/gwset_int.h"

struct gw {
	bool used;                      /* a gateway holds this slot */
	uint64_t vacated;               /* set->gen when emptied, 0 = never used */
	struct pint_gwset_copy c;
	enum pint_gwset_health health;
	unsigned fails;                 /* consecutive, since the last answer */
	bool resting;
	uint64_t rest_until;
	enum pint_gwset_status_mode mode;
	uint64_t sent, failed_over, timeouts;
	uint64_t last_sent;             /* set->seq at the last send, 0 = never */
	uint64_t ka_due;                /* next OPTIONS when keepalive_ms */
};

struct pint_gwset {
	struct gw gw[PINT_GWSET_MAX];
	size_t count;                   /* highest used index + 1 */
	uint64_t gen;                   /* reloads so far */
	uint64_t seq;                   /* sends so far: round-robin order */
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool same_peer(const struct pint_gwset_copy *a,
		      const struct pint_gwset_copy *b)
{
	return a->conf.peer.transport == b->conf.peer.transport &&
	       a->conf.peer.port == b->conf.peer.port &&
	       !memcmp(a->bin[0], b->bin[0], 16);
}

/* ---- lifetime and configuration -------------------------------------- */

/*
 * A new set holding copies of confs[0..n) at indexes 0..n-1, all of
 * health UNKNOWN with a keepalive due at once. n may be 0 (pick then
 * says ENOENT). EINVAL / EMSGSIZE as pint_gwset_check, or ENOMEM; *setp
 * is only written on success.
 */
int pint_gwset_alloc(struct pint_gwset **setp,
		     const struct pint_gwset_conf *confs, size_t n)
{
	struct pint_gwset *set = NULL;
	int err;

	if (!setp)
		return EINVAL;
	err = pint_gwset_check(confs, n, NULL, NULL);
	if (err)
		goto out;
	set = calloc(1, sizeof(*set));
	if (!set) {
		err = ENOMEM;
		goto out;
	}
	err = pint_gwset_replace(set, confs, n);
	if (err)
		goto out;
	*setp = set;
	set = NULL;
out:
	pint_gwset_free(set);
	return err;
}

/*
 * The slot a new name gets: the lowest never used (vacated 0, as gen is
 * at least 1 by the time a slot is emptied), else the one emptied
 * longest ago.
 */
static size_t free_slot(const struct pint_gwset *set)
{
	size_t i, best = PINT_GWSET_NONE;

	for (i = 0; i < PINT_GWSET_MAX; i++) {
		const struct gw *g = &set->gw[i];

		if (g->used)
			continue;
		if (best == PINT_GWSET_NONE || g->vacated < set->gw[best].vacated)
			best = i;
	}
	return best;
}

static void install(struct gw *g, struct pint_gwset_copy *gc)
{
	const struct pint_gwset_conf *old = &g->c.conf;
	bool known = g->used;

	if (known && !same_peer(&g->c, gc)) {
		/* same name, another host: nothing we knew applies to it */
		g->health = PINT_GWSET_UNKNOWN;
		g->fails = 0;
		g->resting = false;
		g->rest_until = 0;
		g->ka_due = 0;
		g->mode = gc->conf.status_mode;
	} else if (known) {
		if (old->status_mode != gc->conf.status_mode ||
		    old->dialog_fallback != gc->conf.dialog_fallback)
			g->mode = gc->conf.status_mode;
		if (old->keepalive_ms != gc->conf.keepalive_ms)
			g->ka_due = 0;
	} else {
		memset(g, 0, sizeof(*g));
		g->health = PINT_GWSET_UNKNOWN;
		g->mode = gc->conf.status_mode;
	}
	free(g->c.strs);
	g->c = *gc;
	g->used = true;
}

/*
 * Reload: the set now holds copies of confs[0..n). All or nothing: on
 * EINVAL, EMSGSIZE or ENOMEM the set is unchanged.
 *
 * A gateway whose name is in both keeps its index, health, failure
 * count, rest, counters, round-robin place and keepalive schedule, with
 * three exceptions: a new peer (transport, address or port) starts over
 * as UNKNOWN, not resting, keepalive due at once, configured status
 * mode; a changed status_mode or dialog_fallback drops an earlier
 * fallback; a changed keepalive_ms makes the next keepalive due at once.
 * Gateways not in confs are dropped: their index then has conf() ==
 * NULL and every event given for it is ignored. A new name takes the
 * lowest index never used in this set; only when all PINT_GWSET_MAX have
 * been used does it take the one emptied longest ago. So an index
 * callers kept across a reload still means the same gateway or nothing,
 * unless more than PINT_GWSET_MAX names have come and gone; callers that
 * must be exact after that keep the name and use pint_gwset_find().
 * Pointers from pint_gwset_conf() are invalid after this call.
 */
int pint_gwset_replace(struct pint_gwset *set,
		       const struct pint_gwset_conf *confs, size_t n)
{
	struct pint_gwset_copy staged[PINT_GWSET_MAX];
	size_t slot[PINT_GWSET_MAX];
	bool keep[PINT_GWSET_MAX] = {false};
	size_t i, done = 0;
	int err;

	if (!set)
		return EINVAL;
	err = pint_gwset_check(confs, n, NULL, NULL);
	if (err)
		return err;
	for (done = 0; done < n; done++) {
		err = pint_gwset_copy(&staged[done], &confs[done]);
		if (err)
			goto out;
	}

	for (i = 0; i < n; i++) {
		slot[i] = pint_gwset_find(set, confs[i].name);
		if (slot[i] != PINT_GWSET_NONE)
			keep[slot[i]] = true;
	}
	set->gen++;
	for (i = 0; i < PINT_GWSET_MAX; i++) {
		struct gw *g = &set->gw[i];

		if (!g->used || keep[i])
			continue;
		free(g->c.strs);
		memset(g, 0, sizeof(*g));
		g->vacated = set->gen;
	}
	for (i = 0; i < n; i++) {
		/* n <= PINT_GWSET_MAX, so a slot is always free */
		if (slot[i] == PINT_GWSET_NONE)
			slot[i] = free_slot(set);
		install(&set->gw[slot[i]], &staged[i]);
	}
	set->count = 0;
	for (i = 0; i < PINT_GWSET_MAX; i++) {
		if (set->gw[i].used)
			set->count = i + 1;
	}
	done = 0;
out:
	for (i = 0; i < done; i++)
		free(staged[i].strs);
	return err;
}

/* Free the set and every string it owns. NULL-safe. */
void pint_gwset_free(struct pint_gwset *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < PINT_GWSET_MAX; i++)
		free(set->gw[i].c.strs);
	free(set);
}

/*
 * One past the highest index in use, at most PINT_GWSET_MAX (so a
 * `bool tried[PINT_GWSET_MAX]` always suffices). Indexes below it may be
 * empty after a reload: skip those whose pint_gwset_conf() is NULL.
 */
size_t pint_gwset_count(const struct pint_gwset *set)
{
	return set ? set->count : 0;
}

static const struct gw *gw_get(const struct pint_gwset *set, size_t idx)
{
	if (!set || idx >= set->count || !set->gw[idx].used)
		return NULL;
	return &set->gw[idx];
}

static struct gw *gw_mut(struct pint_gwset *set, size_t idx)
{
	if (!set || idx >= set->count || !set->gw[idx].used)
		return NULL;
	return &set->gw[idx];
}

/*
 * The set's copy of gateway idx's configuration, with the defaults
 * applied (down_after >= 1, rest_max_ms, rest_default_ms and
 * subscribe_expires non-zero); NULL for an empty or out-of-range index.
 * Valid until the next pint_gwset_replace() or pint_gwset_free().
 */
const struct pint_gwset_conf *pint_gwset_conf(const struct pint_gwset *set,
					      size_t idx)
{
	const struct gw *g = gw_get(set, idx);

	return g ? &g->c.conf : NULL;
}

/* The index of the gateway called name (exact match), or PINT_GWSET_NONE. */
size_t pint_gwset_find(const struct pint_gwset *set, const char *name)
{
	size_t i;

	if (!set || !name)
		return PINT_GWSET_NONE;
	for (i = 0; i < set->count; i++) {
		if (set->gw[i].used && !strcmp(set->gw[i].c.conf.name, name))
			return i;
	}
	return PINT_GWSET_NONE;
}

/*
 * Which gateway a request came from: the lowest index whose peer address
 * or one of whose addrs equals addr, or PINT_GWSET_NONE. Ports are not
 * compared (UDP source ports are arbitrary). addr is a numeric literal;
 * comparison is on the binary address, so "::1" matches "0:0::1", and an
 * IPv4-mapped IPv6 form ("::ffff:192.0.2.1", as a dual-stack socket
 * reports) matches "192.0.2.1" and the reverse. Brackets around an IPv6
 * literal are accepted here; anything unparsable matches nothing.
 */
size_t pint_gwset_by_addr(const struct pint_gwset *set, const char *addr)
{
	char buf[PINT_GWSET_MAX_STR + 1];
	uint8_t bin[16];
	size_t i, k, len = strnlen(addr ? addr : "", PINT_GWSET_MAX_STR + 1);

	if (!set || !len || len > PINT_GWSET_MAX_STR)
		return PINT_GWSET_NONE;
	if (len >= 2 && addr[0] == '[' && addr[len - 1] == ']') {
		addr++;
		len -= 2;
	}
	memcpy(buf, addr, len);
	buf[len] = '\0';
	if (!pint_gwset_ip(buf, bin))
		return PINT_GWSET_NONE;
	for (i = 0; i < set->count; i++) {
		const struct gw *g = &set->gw[i];

		for (k = 0; g->used && k < g->c.nbin; k++) {
			if (!memcmp(g->c.bin[k], bin, 16))
				return i;
		}
	}
	return PINT_GWSET_NONE;
}

/* ---- choosing -------------------------------------------------------- */

static bool resting_at(const struct gw *g, uint64_t now_ms)
{
	return g->resting && now_ms < g->rest_until;
}

/* 0 is best: UP, UNKNOWN, then the bad ones (resting, DOWN). */
static unsigned rank(const struct gw *g, uint64_t now_ms)
{
	bool rest = resting_at(g, now_ms);

	if (g->health == PINT_GWSET_DOWN)
		return rest ? 4 : 3;
	if (rest)
		return 2;
	return g->health == PINT_GWSET_UP ? 0 : 1;
}

static bool better(const struct gw *a, const struct gw *b, uint64_t now_ms)
{
	unsigned ra = rank(a, now_ms), rb = rank(b, now_ms);

	if (ra != rb)
		return ra < rb;
	if (a->c.conf.priority != b->c.conf.priority)
		return a->c.conf.priority < b->c.conf.priority;
	return a->last_sent < b->last_sent;
}

/*
 * Where to send next; *idxp = the index, PINT_GWSET_NONE on error.
 *
 * With preferred (a name): that gateway and no other. ENOENT when no
 * gateway has that name, EALREADY when tried marks it, EBUSY when it is
 * DOWN or resting at now_ms; UNKNOWN health is fine.
 *
 * Without: among gateways not marked in tried (a caller-owned array of at
 * least pint_gwset_count() entries, NULL = none tried), the best by
 *   1. standing: UP, then UNKNOWN, then resting, then DOWN, then DOWN and
 *      resting (a resting gateway answers a quick 503, a DOWN one may have
 *      recovered but likely costs a Timer B; both are used rather than
 *      failing, since only trying shows whether they are back);
 *   2. lowest priority number;
 *   3. least recently sent to (pint_gwset_sent), so equals take turns;
 *      a gateway back from DOWN joins the rotation instead of catching
 *      up on a lifetime count;
 *   4. lowest index.
 * ENOENT only when every gateway is tried (or there are none). EINVAL
 * for a NULL set or idxp.
 */
int pint_gwset_pick(const struct pint_gwset *set, const char *preferred,
		    const bool *tried, uint64_t now_ms, size_t *idxp)
{
	const struct gw *g, *bestg = NULL;
	size_t i, best = PINT_GWSET_NONE;
	int err = 0;

	if (!set || !idxp)
		return EINVAL;
	if (preferred) {
		best = pint_gwset_find(set, preferred);
		if (best == PINT_GWSET_NONE)
			err = ENOENT;
		else if (tried && tried[best])
			err = EALREADY;
		else if (rank(&set->gw[best], now_ms) >= 2)
			err = EBUSY;
		goto out;
	}
	for (i = 0; i < set->count; i++) {
		g = &set->gw[i];
		if (!g->used || (tried && tried[i]))
			continue;
		if (!bestg || better(g, bestg, now_ms)) {
			bestg = g;
			best = i;
		}
	}
	if (!bestg)
		err = ENOENT;
out:
	*idxp = err ? PINT_GWSET_NONE : best;
	return err;
}

/* ---- events ---------------------------------------------------------- */

/* A rest that is over ends here, so info() stops reporting it. */
static void expire(struct gw *g, uint64_t now_ms)
{
	if (g->resting && now_ms >= g->rest_until) {
		g->resting = false;
		g->rest_until = 0;
	}
}

static void failed(struct gw *g)
{
	if (g->fails < g->c.conf.down_after)
		g->fails++;
	if (g->fails >= g->c.conf.down_after)
		g->health = PINT_GWSET_DOWN;
}

static void alive(struct gw *g)
{
	g->fails = 0;
	g->health = PINT_GWSET_UP;
}

/*
 * Events for gateway idx. Each ignores an index no gateway holds (out
 * of range, or emptied by a reload while the request was in flight).
 */

/* A request went to idx: counts, and moves it to the back of the turn. */
void pint_gwset_sent(struct pint_gwset *set, size_t idx)
{
	struct gw *g = gw_mut(set, idx);

	if (!g)
		return;
	g->sent++;
	g->last_sent = ++set->seq;
}

/*
 * No answer to a request (Timer B/F): counts as a timeout and a
 * fail-over, and as a failure toward DOWN exactly like an unanswered
 * keepalive (down_after consecutive failures of either kind).
 */
void pint_gwset_timeout(struct pint_gwset *set, size_t idx, uint64_t now_ms)
{
	struct gw *g = gw_mut(set, idx);

	if (!g)
		return;
	expire(g, now_ms);
	g->timeouts++;
	g->failed_over++;
	failed(g);
}

/*
 * A 503: counts as a fail-over, and the gateway rests until now_ms +
 * Retry-After (seconds, clamped to rest_max_ms), or rest_default_ms
 * (also clamped) when there is none or it is 0. A rest in progress is
 * only ever extended, never shortened; rests end by time alone. The 503
 * is an answer, so the gateway is UP and its failure count resets.
 */
void pint_gwset_overloaded(struct pint_gwset *set, size_t idx,
			   uint32_t retry_after_s, bool has_retry_after,
			   uint64_t now_ms)
{
	struct gw *g = gw_mut(set, idx);
	uint64_t ms, until;

	if (!g)
		return;
	expire(g, now_ms);
	g->failed_over++;
	alive(g);
	if (has_retry_after && retry_after_s)
		ms = (uint64_t)retry_after_s * 1000u;
	else
		ms = g->c.conf.rest_default_ms;
	if (ms > g->c.conf.rest_max_ms)
		ms = g->c.conf.rest_max_ms;
	until = sat_add(now_ms, ms);
	if (!g->resting || until > g->rest_until)
		g->rest_until = until;
	g->resting = true;
}

/*
 * The outcome of an OPTIONS. answered: any response, 4xx/5xx included
 * (a 405 proves the host is there) → UP, failure count reset. Callers
 * may report any other response from the gateway the same way; with
 * keepalive_ms = 0 that is the only way back from DOWN. Not answered →
 * a failure; DOWN after down_after consecutive ones. Rests are not
 * touched.
 */
void pint_gwset_keepalive(struct pint_gwset *set, size_t idx, bool answered,
			  uint64_t now_ms)
{
	struct gw *g = gw_mut(set, idx);

	if (!g)
		return;
	expire(g, now_ms);
	if (answered)
		alive(g);
	else
		failed(g);
}

/*
 * The gateway is not a notifier of the mode in use (489 to SUBSCRIBE,
 * 405/501 to UNSUBSCRIBE): PINT → DIALOG when dialog_fallback is set,
 * else NONE; DIALOG → NONE; NONE stays. Kept across reloads that do not
 * change status_mode or dialog_fallback.
 */
void pint_gwset_fallback(struct pint_gwset *set, size_t idx)
{
	struct gw *g = gw_mut(set, idx);

	if (!g)
		return;
	if (g->mode == PINT_GWSET_STATUS_PINT && g->c.conf.dialog_fallback)
		g->mode = PINT_GWSET_STATUS_DIALOG;
	else
		g->mode = PINT_GWSET_STATUS_NONE;
}

/* ---- keepalive schedule ---------------------------------------------- */

/*
 * The index of a gateway whose OPTIONS is due at now_ms (the most
 * overdue, then the lowest index), now marked sent with its next one at
 * now_ms + keepalive_ms; PINT_GWSET_NONE when none is due. Call in a loop
 * until NONE whenever pint_gwset_next_deadline() has passed. It also
 * ends the rests that are over. A new gateway's first OPTIONS is due at
 * once. The next one is scheduled whether or not this one is answered,
 * so with keepalive_ms below Timer F they may overlap.
 */
size_t pint_gwset_keepalive_due(struct pint_gwset *set, uint64_t now_ms)
{
	struct gw *g, *bestg = NULL;
	size_t i, best = PINT_GWSET_NONE;

	if (!set)
		return PINT_GWSET_NONE;
	for (i = 0; i < set->count; i++) {
		g = &set->gw[i];
		if (!g->used)
			continue;
		expire(g, now_ms);
		if (!g->c.conf.keepalive_ms || g->ka_due > now_ms)
			continue;
		if (!bestg || g->ka_due < bestg->ka_due) {
			bestg = g;
			best = i;
		}
	}
	if (bestg)
		bestg->ka_due = sat_add(now_ms, bestg->c.conf.keepalive_ms);
	return best;
}

/*
 * The earliest time something is due: a keepalive or the end of a rest
 * (possibly already past: call pint_gwset_keepalive_due() then);
 * UINT64_MAX when nothing is.
 */
uint64_t pint_gwset_next_deadline(const struct pint_gwset *set)
{
	uint64_t t = UINT64_MAX;
	size_t i;

	for (i = 0; set && i < set->count; i++) {
		const struct gw *g = &set->gw[i];

		if (!g->used)
			continue;
		if (g->c.conf.keepalive_ms && g->ka_due < t)
			t = g->ka_due;
		if (g->resting && g->rest_until < t)
			t = g->rest_until;
	}
	return t;
}

/* ---- observability --------------------------------------------------- */

/*
 * A snapshot of gateway idx; all zero (name NULL) for an empty index.
 * name lives as long as pint_gwset_conf()'s pointer. resting is as of
 * the last call given the time (rests that are over end in
 * pint_gwset_keepalive_due(), which callers run at next_deadline);
 * rest_until_ms is 0 when not resting. status_mode is after fallbacks.
 * failed_over counts timeouts and 503s.
 */
void pint_gwset_info(const struct pint_gwset *set, size_t idx,
		     struct pint_gwset_info *info)
{
	const struct gw *g = gw_get(set, idx);

	if (!info)
		return;
	memset(info, 0, sizeof(*info));
	if (!g)
		return;
	info->name = g->c.conf.name;
	info->health = g->health;
	info->resting = g->resting;
	info->rest_until_ms = g->resting ? g->rest_until : 0;
	info->status_mode = g->mode;
	info->sent = g->sent;
	info->failed_over = g->failed_over;
	info->timeouts = g->timeouts;
}

/*
 * For /readyz: some gateway is UP (resting ones count: they answered and
 * their rest is short). UNKNOWN counts only without keepalives: nothing
 * would ever probe such a gateway, so it is taken as up until requests
 * to it fail (pintgw.conf(5), keepalive = 0).
 */
bool pint_gwset_any_up(const struct pint_gwset *set)
{
	size_t i;

	for (i = 0; set && i < set->count; i++) {
		const struct gw *g = &set->gw[i];

		if (g->used && (g->health == PINT_GWSET_UP ||
				(g->health == PINT_GWSET_UNKNOWN &&
				 !g->c.conf.keepalive_ms)))
			return true;
	}
	return false;
}

/* "unknown", "up", "down" (for logs and metrics labels). */
const char *pint_gwset_health_name(enum pint_gwset_health h)
{
	switch (h) {
	case PINT_GWSET_UNKNOWN:
		return "unknown";
	case PINT_GWSET_UP:
		return "up";
	case PINT_GWSET_DOWN:
		return "down";
	}
	return "invalid";
}
