/*
 * gateway/api_keys.c — what a key may do beyond its scopes: its token
 * bucket (rate, burst) and count of live requests (concurrency), both in
 * one table by key name, and its destination rules (allow, deny).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api_int.h"

static bool bucket_eq(const struct pint_hash_node *node, const void *key,
		      void *arg)
{
	(void)arg;
	return !strcmp(((const struct api_bucket *)node)->name, key);
}

/* The key's bucket and count (new ones empty); NULL without memory. */
static struct api_bucket *bucket_get(struct gw_api *api, const char *name)
{
	size_t n = strlen(name);
	uint64_t h = pint_hash_sip(api->sipkey, name, n);
	struct api_bucket *b;

	b = (struct api_bucket *)pint_hash_find(&api->buckets, h, bucket_eq,
						 name, NULL);
	if (b)
		return b;
	if (n >= sizeof(b->name))
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b || pint_hash_insert(&api->buckets, &b->node, h)) {
		free(b);
		return NULL;
	}
	memcpy(b->name, name, n + 1);
	return b;
}

/*
 * Take one token of the key's bucket (rate per second, burst). false with
 * *retry_s, the whole seconds until a token is there, when it is empty.
 */
bool api_rate_take(struct gw_api *api, const struct gw_conf_key *key,
		   uint64_t now_ms, unsigned *retry_s)
{
	double rate = key->rate ? key->rate : 1, need;
	struct api_bucket *b = bucket_get(api, key->name);

	if (!b)
		return true;    /* no memory: do not refuse for it */
	if (!b->primed) {
		b->primed = true;
		b->tokens = key->burst;
		b->last_ms = now_ms;
	}
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * rate / 1000.0;
		b->last_ms = now_ms;
	}
	if (b->tokens > key->burst)
		b->tokens = key->burst;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	need = (1.0 - b->tokens) / rate;
	*retry_s = (unsigned)need;
	if ((double)*retry_s < need || !*retry_s)
		(*retry_s)++;   /* rounded up, at least 1 */
	return false;
}

/*
 * The owner's count of live requests (creates in flight included) moves
 * by delta, never below 0: the concurrency limit's measure.
 */
void api_live_add(struct gw_api *api, const char *owner, int delta)
{
	struct api_bucket *b;

	if (!owner)
		return;
	b = bucket_get(api, owner);
	if (!b)
		return;
	if (delta < 0 && b->live < (uint64_t)-delta)
		b->live = 0;
	else
		b->live += (uint64_t)(int64_t)delta;
}

/* The owner's live requests (creates in flight included). */
uint64_t api_live_of(struct gw_api *api, const char *owner)
{
	struct api_bucket *b = bucket_get(api, owner);

	return b ? b->live : 0;
}

/* Whether number starts with one of list's E.164 prefixes. */
static bool prefixed(const char *number, const struct gw_conf_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (!strncmp(number, list->v[i], strlen(list->v[i])))
			return true;
	return false;
}

static bool party_ok(const struct pint_tel *tel, const struct gw_conf_key *k,
		     const char *field, struct web_json_err *e)
{
	if (!tel->e164[0]) {
		if (!k->allow.n)
			return true;
		web_json_err_set(e, 403, "destination_denied", field,
				 "%s: a local number cannot be checked against "
				 "the key's allowed prefixes", field);
		return false;
	}
	if ((k->allow.n && !prefixed(tel->e164, &k->allow)) ||
	    prefixed(tel->e164, &k->deny)) {
		web_json_err_set(e, 403, "destination_denied", field,
				 "%s: the API key may not dial this number",
				 field);
		return false;
	}
	return true;
}

/*
 * The key's destination rules (allow, deny: E.164 prefixes) on every
 * number the network dials: to, and the A party of a call. 0 or EPERM
 * with e set (403 destination_denied).
 */
int api_policy(const struct gw_spec *spec, const struct gw_conf_key *key,
	       struct web_json_err *e)
{
	if (!party_ok(&spec->to, key, "to", e))
		return EPERM;
	if (spec->from.kind != PINT_TEL_NONE &&
	    !party_ok(&spec->from, key, "from", e))
		return EPERM;
	return 0;
}
