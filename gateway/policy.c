/*
 * gateway/policy.c — the policy's life cycle, its verdicts, the keys'
 * token buckets and live counts, the rules on numbers, and the order in
 * which a create meets the rules (docs/policy.md, "Order"):
 *
 *   rate_limit                          (before the body is resolved)
 *   key_deny, key_allow, global_deny, premium_rate   on to, then from
 *   quiet_hours, destination_cooldown, destination_daily_cap   on to
 *   concurrency
 *
 * 403 means "never, with this key and configuration"; 429 means "not
 * now" and carries Retry-After.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/policy_int.h"

/* Each rule's name (the API's "rule"), status and error code. */
static const struct {
	const char *name;
	int status;
	const char *code;
} rules[GW_POLICY_RULES] = {
	[GW_POLICY_ALLOW] = { "allow", 0, NULL },
	[GW_POLICY_RATE_LIMIT] = { "rate_limit", 429, "rate_limited" },
	[GW_POLICY_KEY_DENY] = { "key_deny", 403, "destination_denied" },
	[GW_POLICY_KEY_ALLOW] = { "key_allow", 403, "destination_denied" },
	[GW_POLICY_GLOBAL_DENY] = { "global_deny", 403, "destination_denied" },
	[GW_POLICY_PREMIUM_RATE] = { "premium_rate", 403,
				     "destination_denied" },
	[GW_POLICY_QUIET_HOURS] = { "quiet_hours", 429, "quiet_hours" },
	[GW_POLICY_DEST_COOLDOWN] = { "destination_cooldown", 429,
				      "destination_limited" },
	[GW_POLICY_DEST_DAILY_CAP] = { "destination_daily_cap", 429,
				       "destination_limited" },
	[GW_POLICY_CONCURRENCY] = { "concurrency", 429, "concurrency_limit" },
};

/* The API name of rule ("premium_rate"); "allow" for none. */
const char *gw_policy_rule_name(enum gw_policy_rule rule)
{
	return (unsigned)rule < GW_POLICY_RULES ? rules[rule].name : "allow";
}

static void verdict_allow(struct gw_policy_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->rule = GW_POLICY_ALLOW;
	v->field = "";
}

/* Fill v as a refusal by rule (its status and code from the table). */
void pol_refuse(struct gw_policy_verdict *v, enum gw_policy_rule rule,
		const char *field, unsigned retry_s, const char *fmt, ...)
{
	va_list ap;

	v->rule = rule;
	v->status = rules[rule].status;
	v->code = rules[rule].code;
	v->field = field ? field : "";
	v->retry_s = v->status == 429 ? (retry_s ? retry_s : 1) : 0;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

/* Whole seconds from now until until_ms, rounded up, at least 1. */
unsigned pol_retry_s(int64_t until_ms, int64_t now_ms)
{
	int64_t d = until_ms - now_ms;

	if (d <= 1000)
		return 1;
	return (unsigned)((d + 999) / 1000);
}

/* ---- life cycle ---- */

/*
 * A policy whose tables hash with sipkey (the api's: key names and
 * numbers come from clients) and that remembers at most dest_max
 * destinations (GW_POLICY_DEST_MAX in the daemon). EINVAL, ENOMEM.
 */
int gw_policy_alloc(struct gw_policy **polp,
		    const uint8_t sipkey[PINT_HASH_SIPKEY_LEN],
		    size_t dest_max)
{
	struct gw_policy *pol;

	if (!polp || !sipkey || !dest_max)
		return EINVAL;
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return ENOMEM;
	memcpy(pol->sipkey, sipkey, sizeof(pol->sipkey));
	pint_hash_init(&pol->buckets);
	pint_hash_init(&pol->dests);
	pol->dest_max = dest_max;
	*polp = pol;
	return 0;
}

static void bucket_free(struct pint_hash_node *n, void *arg)
{
	(void)arg;
	free(n);
}

/* Free the policy and its tables; NULL-safe. */
void gw_policy_free(struct gw_policy *pol)
{
	if (!pol)
		return;
	pint_hash_reset(&pol->buckets, bucket_free, NULL);
	pol_dests_free(pol);
	free(pol);
}

/* A refusal was answered (dry runs are not counted). */
void gw_policy_count(struct gw_policy *pol, enum gw_policy_rule rule)
{
	if (rule > GW_POLICY_ALLOW && rule < GW_POLICY_RULES)
		pol->refusals[rule]++;
}

void gw_policy_stats(const struct gw_policy *pol, struct gw_policy_stats *st)
{
	memcpy(st->refusals, pol->refusals, sizeof(st->refusals));
	st->destinations = pol->ndests;
	st->evicted = pol->evicted;
}

/* ---- keys: rate and live requests ---- */

static bool bucket_eq(const struct pint_hash_node *node, const void *key,
		      void *arg)
{
	(void)arg;
	return !strcmp(((const struct pol_bucket *)node)->name, key);
}

/* The key's bucket and count (new ones empty); NULL without memory. */
static struct pol_bucket *bucket_get(struct gw_policy *pol, const char *name)
{
	size_t n = strlen(name);
	uint64_t h = pint_hash_sip(pol->sipkey, name, n);
	struct pol_bucket *b;

	b = (struct pol_bucket *)pint_hash_find(&pol->buckets, h, bucket_eq,
						 name, NULL);
	if (b)
		return b;
	if (n >= sizeof(b->name))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b || pint_hash_insert(&pol->buckets, &b->node, h)) {
		free(b);
		return NULL;
	}
	memcpy(b->name, name, n + 1);
	return b;
}

/*
 * The key's token bucket (rate per second, burst) at loop time now_ms:
 * true when a token is there, and then taken if take (a dry run only
 * looks). false with v a 429 rate_limit whose Retry-After is the whole
 * seconds until the next token.
 */
bool gw_policy_rate(struct gw_policy *pol, const struct gw_conf_key *key,
		    uint64_t now_ms, bool take, struct gw_policy_verdict *v)
{
	double rate = key->rate ? key->rate : 1, tokens, need;
	struct pol_bucket *b = bucket_get(pol, key->name);
	unsigned retry;

	verdict_allow(v);
	if (!b)
		return true;    /* no memory: do not refuse for it */
	if (!b->primed) {
		b->primed = true;
		b->tokens = key->burst;
		b->last_ms = now_ms;
	}
	tokens = b->tokens;
	if (now_ms > b->last_ms)
		tokens += (double)(now_ms - b->last_ms) * rate / 1000.0;
	if (tokens > key->burst)
		tokens = key->burst;
	if (tokens >= 1.0) {
		if (take) {
			b->tokens = tokens - 1.0;
			if (now_ms > b->last_ms)
				b->last_ms = now_ms;
		}
		return true;
	}
	need = (1.0 - tokens) / rate;
	retry = (unsigned)need;
	if ((double)retry < need || !retry)
		retry++;        /* rounded up, at least 1 */
	pol_refuse(v, GW_POLICY_RATE_LIMIT, "", retry,
		   "the API key's rate limit is reached");
	return false;
}

/*
 * The owner's count of live requests (creates in flight included) moves
 * by delta, never below 0: the concurrency limit's measure.
 */
void gw_policy_live_add(struct gw_policy *pol, const char *owner, int delta)
{
	struct pol_bucket *b;

	if (!owner)
		return;
	b = bucket_get(pol, owner);
	if (!b)
		return;
	if (delta < 0 && b->live < (uint64_t)-delta)
		b->live = 0;
	else
		b->live += (uint64_t)(int64_t)delta;
}

/* The owner's live requests (creates in flight included). */
uint64_t gw_policy_live_of(struct gw_policy *pol, const char *owner)
{
	struct pol_bucket *b = owner ? bucket_get(pol, owner) : NULL;

	return b ? b->live : 0;
}

/* ---- numbers ---- */

/* The longest prefix of list that number starts with, or NULL. */
static const char *longest(const char *number, const struct gw_conf_list *l)
{
	const char *best = NULL;
	size_t i, n, bn = 0;

	for (i = 0; i < l->n; i++) {
		n = strlen(l->v[i]);
		if (n > bn && !strncmp(number, l->v[i], n)) {
			best = l->v[i];
			bn = n;
		}
	}
	return best;
}

static size_t len_of(const char *s)
{
	return s ? strlen(s) : 0;
}

/*
 * The number rules on one number the network would dial (field: "to" or
 * "from"), in order: the key's deny prefixes, the key's allow prefixes
 * (a local number cannot pass them), [policy] deny, then the built-in
 * list unless an allow prefix (the key's or [policy]'s) at least as long
 * as the listed range covers the number. true, or false with v a 403.
 */
bool gw_policy_number(const struct gw_conf *conf,
		      const struct gw_conf_key *key, const struct pint_tel *tel,
		      const char *field, struct gw_policy_verdict *v)
{
	const struct gw_conf_policy *p = &conf->policy;
	const struct gw_policy_range *r;
	const char *n = tel->e164, *m, *ka;
	size_t allow_len;

	verdict_allow(v);
	if (!n[0]) {
		if (!key->allow.n)
			return true;
		pol_refuse(v, GW_POLICY_KEY_ALLOW, field, 0,
			   "a local number cannot be checked against the API "
			   "key's allowed prefixes");
		return false;
	}
	m = longest(n, &key->deny);
	if (m) {
		pol_refuse(v, GW_POLICY_KEY_DENY, field, 0,
			   "%s is in the API key's denied prefix %s", n, m);
		return false;
	}
	ka = longest(n, &key->allow);
	if (key->allow.n && !ka) {
		pol_refuse(v, GW_POLICY_KEY_ALLOW, field, 0,
			   "%s is outside the API key's allowed prefixes", n);
		return false;
	}
	m = longest(n, &p->deny);
	if (m) {
		pol_refuse(v, GW_POLICY_GLOBAL_DENY, field, 0,
			   "%s is in the denied prefix %s ([policy] deny)",
			   n, m);
		return false;
	}
	r = p->default_deny ? gw_policy_default_match(n) : NULL;
	if (!r)
		return true;
	allow_len = len_of(ka);
	if (len_of(longest(n, &p->allow)) > allow_len)
		allow_len = len_of(longest(n, &p->allow));
	if (allow_len >= strlen(r->prefix))
		return true;
	pol_refuse(v, GW_POLICY_PREMIUM_RATE, field, 0,
		   "%s is in the premium-rate range %s (built-in deny list: "
		   "%s)", n, r->prefix, r->what);
	return false;
}

/*
 * Every rule after the rate, in order (see the top of this file), with
 * no side effect: a create that goes ahead calls gw_policy_record()
 * next. true, or false with v the first refusal.
 */
bool gw_policy_check(struct gw_policy *pol, const struct gw_policy_ask *a,
		     struct gw_policy_verdict *v)
{
	const struct gw_conf_policy *p = &a->conf->policy;
	const char *to = a->to->e164;
	bool sched = a->start_at > a->now_ms;

	if (!gw_policy_number(a->conf, a->key, a->to, "to", v))
		return false;
	if (a->from && !gw_policy_number(a->conf, a->key, a->from, "from", v))
		return false;
	if (to[0] && !pol_quiet_ok(p, to, sched ? a->start_at : a->now_ms,
				   a->now_ms, sched, v))
		return false;
	if (to[0] && !pol_dest_ok(pol, p, to, a->now_ms, v))
		return false;
	if (gw_policy_live_of(pol, a->key->name) >= a->key->concurrency) {
		pol_refuse(v, GW_POLICY_CONCURRENCY, "", 1,
			   "the API key has its most active requests already");
		return false;
	}
	verdict_allow(v);
	return true;
}
