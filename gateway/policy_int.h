/*
 * gateway/policy_int.h — private to gateway/policy*.c: the policy's
 * tables. policy.c has the keys' buckets and the rules, policy_dest.c
 * the destinations (cooldown, daily cap) and quiet hours, policy_list.c
 * the built-in deny list.
 */
#ifndef GW_POLICY_INT_H
#define GW_POLICY_INT_H

#include "gateway/policy.h"

/* A key's token bucket (rate, burst) and live count (concurrency). */
struct pol_bucket {
	struct pint_hash_node node;     /* pol->buckets, by key name */
	char name[GW_CONF_MAX_NAME + 1];
	bool primed;                    /* tokens set (full) once */
	double tokens;
	uint64_t last_ms;               /* loop time of the last refill */
	uint64_t live;                  /* the key's live requests */
};

/*
 * A number dialled in the last GW_POLICY_KEEP_MS: its latest dial and
 * its dials by hour. slots[h % GW_POLICY_SLOTS] counts hour h (Unix ms /
 * GW_POLICY_SLOT_MS) for h in top_hour - 24 .. top_hour.
 */
struct pol_dest {
	struct pint_hash_node node;     /* pol->dests, by number */
	struct pol_dest *older, *newer; /* by latest dial (near enough) */
	char number[PINT_TEL_E164_SIZE];
	int64_t last_ms;
	int64_t top_hour;
	uint16_t slots[GW_POLICY_SLOTS];
};

struct gw_policy {
	uint8_t sipkey[PINT_HASH_SIPKEY_LEN];
	struct pint_hash buckets;       /* struct pol_bucket */
	struct pint_hash dests;         /* struct pol_dest */
	struct pol_dest *oldest, *newest;
	size_t ndests, dest_max;
	uint64_t evicted;
	uint64_t refusals[GW_POLICY_RULES];
};

/* policy.c */
void pol_refuse(struct gw_policy_verdict *v, enum gw_policy_rule rule,
		const char *field, unsigned retry_s, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
unsigned pol_retry_s(int64_t until_ms, int64_t now_ms);

/* policy_dest.c */
bool pol_dest_ok(struct gw_policy *pol, const struct gw_conf_policy *p,
		 const char *number, int64_t now_ms,
		 struct gw_policy_verdict *v);
bool pol_quiet_ok(const struct gw_conf_policy *p, const char *number,
		  int64_t at_ms, int64_t now_ms, bool scheduled,
		  struct gw_policy_verdict *v);
void pol_dests_free(struct gw_policy *pol);

#endif
