/*
 * pint/gwset.h — the telephony gateways pintgw may send a service to:
 * priority, health from OPTIONS keepalives and failures, rest periods
 * after 503, and which one to try next.
 *
 * The set owns copies of every string in the configuration. Time comes in
 * as now_ms (monotonic); the set reports when its next keepalive is due
 * and never sends anything itself. Gateways are referred to by index,
 * stable for the life of the set (pint_gwset_replace keeps the indexes of
 * gateways whose names survive).
 */
#ifndef PINT_GWSET_H
#define PINT_GWSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pint/tsx.h"

#define PINT_GWSET_MAX 32              /* gateways in one set */
#define PINT_GWSET_MAX_NAME 64
#define PINT_GWSET_MAX_ADDRS 4         /* source addresses accepted from one */
#define PINT_GWSET_MAX_STR 255         /* any other string in a conf */
#define PINT_GWSET_NONE ((size_t)-1)

enum pint_gwset_status_mode {
	PINT_GWSET_STATUS_PINT = 0,    /* SUBSCRIBE/NOTIFY/UNSUBSCRIBE, RFC 2848 */
	PINT_GWSET_STATUS_DIALOG,      /* RFC 6665 + RFC 4235 dialog package */
	PINT_GWSET_STATUS_NONE,        /* INVITE/BYE view only */
};

struct pint_gwset_conf {
	const char *name;              /* "pint-east": token, unique */
	struct pint_tsx_peer peer;     /* where requests go (numeric address) */
	const char *domain;            /* Request-URI host[:port] */
	const char *tsp;               /* ;tsp= provider, NULL = none */
	/* further source addresses NOTIFY/BYE/UNSUBSCRIBE may come from;
	 * the peer address is always accepted */
	const char *addrs[PINT_GWSET_MAX_ADDRS];
	size_t naddrs;
	unsigned priority;             /* lower is tried first */
	uint32_t keepalive_ms;         /* OPTIONS interval, 0 = none */
	unsigned down_after;           /* failed keepalives before "down" (≥1) */
	uint32_t rest_max_ms;          /* clamp for Retry-After */
	uint32_t rest_default_ms;      /* 503 without Retry-After */
	enum pint_gwset_status_mode status_mode;
	bool dialog_fallback;          /* 489 / 405 / 501 → dialog mode */
	uint32_t subscribe_expires;    /* seconds asked for in SUBSCRIBE */
	const char *username;          /* digest credentials, NULL = none */
	const char *password;
	const char *register_aor;      /* REGISTER pintgw there, NULL = no */
	uint32_t register_expires;
};

enum pint_gwset_health {
	PINT_GWSET_UNKNOWN = 0,        /* no keepalive answer yet */
	PINT_GWSET_UP,
	PINT_GWSET_DOWN,
};

/* A snapshot for /metrics, /readyz and logs. */
struct pint_gwset_info {
	const char *name;
	enum pint_gwset_health health;
	bool resting;                  /* after a 503, until rest_until_ms */
	uint64_t rest_until_ms;
	enum pint_gwset_status_mode status_mode;  /* after any fallback */
	uint64_t sent, failed_over, timeouts;
};

struct pint_gwset;

/* Lifetime and configuration (SIGHUP reload keeps health and rest state) */
int pint_gwset_alloc(struct pint_gwset **setp,
		     const struct pint_gwset_conf *confs, size_t n);
int pint_gwset_replace(struct pint_gwset *set,
		       const struct pint_gwset_conf *confs, size_t n);
void pint_gwset_free(struct pint_gwset *set);
int pint_gwset_check(const struct pint_gwset_conf *confs, size_t n,
		     size_t *badp, const char **fieldp);
/* count() is one past the highest index in use, never above
 * PINT_GWSET_MAX; an index a reload emptied has conf() == NULL. */
size_t pint_gwset_count(const struct pint_gwset *set);
const struct pint_gwset_conf *pint_gwset_conf(const struct pint_gwset *set,
					      size_t idx);
size_t pint_gwset_find(const struct pint_gwset *set, const char *name);
size_t pint_gwset_by_addr(const struct pint_gwset *set, const char *addr);

/* Choosing where to send */
int pint_gwset_pick(const struct pint_gwset *set, const char *preferred,
		    const bool *tried, uint64_t now_ms, size_t *idxp);

/* What happened */
void pint_gwset_sent(struct pint_gwset *set, size_t idx);
void pint_gwset_timeout(struct pint_gwset *set, size_t idx, uint64_t now_ms);
void pint_gwset_overloaded(struct pint_gwset *set, size_t idx,
			   uint32_t retry_after_s, bool has_retry_after,
			   uint64_t now_ms);
void pint_gwset_keepalive(struct pint_gwset *set, size_t idx, bool answered,
			  uint64_t now_ms);
void pint_gwset_fallback(struct pint_gwset *set, size_t idx);

/* Keepalives: which gateway is due for an OPTIONS, and when the next is */
size_t pint_gwset_keepalive_due(struct pint_gwset *set, uint64_t now_ms);
uint64_t pint_gwset_next_deadline(const struct pint_gwset *set);

/* Observability */
void pint_gwset_info(const struct pint_gwset *set, size_t idx,
		     struct pint_gwset_info *info);
bool pint_gwset_any_up(const struct pint_gwset *set);
const char *pint_gwset_health_name(enum pint_gwset_health h);

#endif
