/*
 * gateway/auth.h — API keys: "Authorization: Bearer <token>" checked
 * against the SHA-256 hashes of the [key NAME] sections of pintgw.conf.
 *
 * A gw_auth table owns its array but borrows the gw_conf it was built
 * from (names, limits): free the table before that configuration, and
 * build a new table from each reloaded one. Tokens are never kept.
 */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"

#define GW_AUTH_MAX_TOKEN 256u  /* bytes of a bearer token */
#define GW_AUTH_MIN_SECRET 16u  /* gw_auth_hash_token() refuses shorter */
#define GW_AUTH_HEX_SIZE (2u * GW_CONF_HASH_LEN + 1u)

struct gw_auth;

struct gw_auth_key {
	const char *name;               /* owner of its requests */
	unsigned scopes;                /* GW_CONF_SCOPE_* */
	const struct gw_conf_key *conf; /* rate, burst, from, allow … */
};

/* The table */
int gw_auth_alloc(struct gw_auth **authp, const struct gw_conf *conf);
void gw_auth_free(struct gw_auth *auth);
size_t gw_auth_count(const struct gw_auth *auth);
const struct gw_auth_key *gw_auth_find(const struct gw_auth *auth,
				       const char *name);

/* Checking a request */
int gw_auth_check(const struct gw_auth *auth, const char *authorization,
		  const struct gw_auth_key **keyp);
bool gw_auth_has_scope(const struct gw_auth_key *key, const char *scope);

/* Making a key: the hash that goes into "hash = sha256:<hex>" */
int gw_auth_hash_token(const char *token, char hex[GW_AUTH_HEX_SIZE]);

/* SHA-256 of len bytes at p (tokens, idempotent bodies): 0 or ENOMEM. */
int gw_auth_sha256(const void *p, size_t len, uint8_t md[GW_CONF_HASH_LEN]);

#endif
