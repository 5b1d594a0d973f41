/*
 * gateway/secrets.h — the keys' HMAC secrets: the value of the
 * environment variable a [key NAME] names in secret_env. Webhook
 * signatures and click tokens are made with them.
 *
 * A gw_secrets table owns copies of the values read when it was loaded
 * (getenv, once per key) and wipes them when freed; it keeps nothing of
 * the gw_conf it was loaded from. Load a new table on each reload.
 */
#ifndef GW_SECRETS_H
#define GW_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"

#define GW_SECRET_MAX 1024u     /* bytes of one secret; longer = none */

struct gw_secrets;

/* One key's secret as the environment has it now (borrowed from it). */
int gw_secret_env(const struct gw_conf_key *key, const char **vp,
		  size_t *lenp);

/* Every key's, copied */
int gw_secrets_load(struct gw_secrets **sp, const struct gw_conf *conf);
void gw_secrets_free(struct gw_secrets *s);
int gw_secrets_get(const struct gw_secrets *s, const char *name,
		   const uint8_t **vp, size_t *lenp);

#endif
