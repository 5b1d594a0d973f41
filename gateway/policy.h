/*
 * gateway/policy.h — what a create may do beyond its key's scopes
 * (docs/policy.md): the key's token bucket and live count, the rules on
 * the numbers the network dials (key deny/allow, [policy] deny, the
 * built-in premium-rate list), quiet hours at the destination, and the
 * per-destination cooldown and daily cap across all keys.
 *
 * The policy owns its tables: buckets by key name, destinations by
 * number (at most dest_max, expired ones freed as time passes, the least
 * recently dialled evicted when full). It borrows the configuration for
 * the length of a call only, so a reload applies at the next create, and
 * it reads no clock: callers hand the times in.
 */
#ifndef GW_POLICY_H
#define GW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"
#include "pint/hash.h"
#include "pint/tel.h"

struct gw_policy;

#define GW_POLICY_DEST_MAX 100000u      /* destinations remembered (~13 MB) */
#define GW_POLICY_SLOT_MS 3600000ll     /* the daily cap counts in hours */
#define GW_POLICY_SLOTS 25u             /* 24 h and the hour under way */
#define GW_POLICY_KEEP_MS ((int64_t)GW_POLICY_SLOTS * GW_POLICY_SLOT_MS)
#define GW_POLICY_SWEEP_MAX 64u         /* expired destinations freed per call */
#define GW_POLICY_MSG_SIZE 256u

/* The rules, in the order a create meets them (docs/policy.md). */
enum gw_policy_rule {
	GW_POLICY_ALLOW = 0,            /* no rule refused */
	GW_POLICY_RATE_LIMIT,           /* the key's token bucket */
	GW_POLICY_KEY_DENY,             /* the key's deny prefixes */
	GW_POLICY_KEY_ALLOW,            /* outside the key's allow prefixes */
	GW_POLICY_GLOBAL_DENY,          /* [policy] deny */
	GW_POLICY_PREMIUM_RATE,         /* the built-in list */
	GW_POLICY_QUIET_HOURS,          /* local night at the destination */
	GW_POLICY_DEST_COOLDOWN,        /* the number was dialled just now */
	GW_POLICY_DEST_DAILY_CAP,       /* the number's dials in 24 h */
	GW_POLICY_CONCURRENCY,          /* the key's live requests */
	GW_POLICY_RULES,
};

/* A decision. code and field are static strings. */
struct gw_policy_verdict {
	enum gw_policy_rule rule;       /* GW_POLICY_ALLOW: go on */
	int status;                     /* 403 or 429; 0 when allowed */
	const char *code;               /* the API error code; NULL allowed */
	const char *field;              /* "to", "from" or "" */
	unsigned retry_s;               /* 429: Retry-After, >= 1 */
	char message[GW_POLICY_MSG_SIZE];  /* without the field's "to: " */
};

/* What a create asks for, all borrowed. */
struct gw_policy_ask {
	const struct gw_conf *conf;
	const struct gw_conf_key *key;
	const struct pint_tel *to;
	const struct pint_tel *from;    /* NULL: the service has no A party */
	int64_t now_ms;                 /* wall clock, Unix ms */
	int64_t start_at;               /* Unix ms; 0 = now */
};

/* An entry of the built-in deny list. */
struct gw_policy_range {
	const char *prefix;             /* "+1900" */
	const char *what;               /* why it is listed, for messages */
};

struct gw_policy_stats {
	uint64_t refusals[GW_POLICY_RULES];     /* by rule, dry runs not */
	size_t destinations;            /* remembered now */
	uint64_t evicted;               /* dropped unexpired: table full */
};

/* Lifetime */
int gw_policy_alloc(struct gw_policy **polp,
		    const uint8_t sipkey[PINT_HASH_SIPKEY_LEN],
		    size_t dest_max);
void gw_policy_free(struct gw_policy *pol);

/* A key's rate and live requests */
bool gw_policy_rate(struct gw_policy *pol, const struct gw_conf_key *key,
		    uint64_t now_ms, bool take, struct gw_policy_verdict *v);
void gw_policy_live_add(struct gw_policy *pol, const char *owner, int delta);
uint64_t gw_policy_live_of(struct gw_policy *pol, const char *owner);

/* A create's numbers and destination */
bool gw_policy_check(struct gw_policy *pol, const struct gw_policy_ask *a,
		     struct gw_policy_verdict *v);
int gw_policy_record(struct gw_policy *pol, const char *number,
		     int64_t at_ms, int64_t now_ms);
void gw_policy_count(struct gw_policy *pol, enum gw_policy_rule rule);

/* Observability */
void gw_policy_stats(const struct gw_policy *pol, struct gw_policy_stats *st);
const char *gw_policy_rule_name(enum gw_policy_rule rule);

/* Pure parts (tests, docs) */
bool gw_policy_number(const struct gw_conf *conf,
		      const struct gw_conf_key *key, const struct pint_tel *tel,
		      const char *field, struct gw_policy_verdict *v);
bool gw_policy_quiet(const struct gw_conf_policy *p, const char *number,
		     int64_t at_ms, int64_t *end_ms, int32_t *offsetp);
const struct gw_policy_range *gw_policy_default_match(const char *number);
const struct gw_policy_range *gw_policy_default_list(size_t *np);

#endif
