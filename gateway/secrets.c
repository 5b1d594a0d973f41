/*
 * gateway/secrets.c — the keys' secrets, read from the environment
 * (gateway/secrets.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "gateway/log.h"
#include "gateway/secrets.h"

struct secret {
	char *name;
	uint8_t *v;
	size_t len;             /* 0 = none */
};

struct gw_secrets {
	struct secret *v;
	size_t n;
};

/*
 * The value of key's secret_env now: 0 with *vp (the environment's, do
 * not keep it past a setenv) and *lenp; ENOENT when the key names no
 * variable or it is unset or empty; EMSGSIZE when it is longer than
 * GW_SECRET_MAX (such a secret is not used at all).
 */
int gw_secret_env(const struct gw_conf_key *key, const char **vp,
		  size_t *lenp)
{
	const char *s = key->secret_env ? getenv(key->secret_env) : NULL;
	size_t len = s ? strlen(s) : 0;

	*vp = NULL;
	*lenp = 0;
	if (!len)
		return ENOENT;
	if (len > GW_SECRET_MAX)
		return EMSGSIZE;
	*vp = s;
	*lenp = len;
	return 0;
}

/* Free the table, wiping the secrets first. NULL-safe. */
void gw_secrets_free(struct gw_secrets *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; s->v && i < s->n; i++) {
		if (s->v[i].v)
			OPENSSL_cleanse(s->v[i].v, s->v[i].len);
		free(s->v[i].v);
		free(s->v[i].name);
	}
	free(s->v);
	free(s);
}

/* A copy of len bytes, NUL-terminated; NULL without memory. */
static char *copy(const char *src, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, src, len);
		d[len] = '\0';
	}
	return d;
}

/*
 * Every key's secret from getenv(secret_env), read now (a too long one
 * is logged and left out). 0 or ENOMEM.
 */
int gw_secrets_load(struct gw_secrets **sp, const struct gw_conf *conf)
{
	struct gw_secrets *s;
	const char *v;
	size_t i, len;
	int err = 0, e;

	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->v = calloc(conf->nkeys ? conf->nkeys : 1, sizeof(*s->v));
	if (!s->v)
		err = ENOMEM;
	for (i = 0; !err && i < conf->nkeys; i++) {
		const struct gw_conf_key *k = &conf->keys[i];

		s->n++;
		s->v[i].name = copy(k->name, strlen(k->name));
		err = s->v[i].name ? 0 : ENOMEM;
		e = err ? 0 : gw_secret_env(k, &v, &len);
		if (e == EMSGSIZE)
			log_warn("keys: key %s: %s is longer than %u bytes: no "
				 "secret", k->name, k->secret_env,
				 GW_SECRET_MAX);
		if (!err && !e) {
			s->v[i].v = (uint8_t *)copy(v, len);
			err = s->v[i].v ? 0 : ENOMEM;
			s->v[i].len = err ? 0 : len;
		}
	}
	if (err) {
		gw_secrets_free(s);
		return err;
	}
	*sp = s;
	return 0;
}

/*
 * The secret of the key called name: 0 with *vp (the table's, valid
 * until it is freed) and *lenp, or ENOENT (no such key, or no secret).
 */
int gw_secrets_get(const struct gw_secrets *s, const char *name,
		   const uint8_t **vp, size_t *lenp)
{
	size_t i;

	*vp = NULL;
	*lenp = 0;
	for (i = 0; s && name && i < s->n; i++) {
		if (strcmp(s->v[i].name, name))
			continue;
		if (!s->v[i].len)
			return ENOENT;
		*vp = s->v[i].v;
		*lenp = s->v[i].len;
		return 0;
	}
	return ENOENT;
}
