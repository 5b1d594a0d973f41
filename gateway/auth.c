/*
 * gateway/auth.c — bearer tokens against configured SHA-256 hashes.
 *
 * Only hashes are compared, with CRYPTO_memcmp, against every key of the
 * table whatever matched, so neither the token's bytes nor which key it
 * belongs to shows in the time a check takes. Each token is a random
 * secret (not a password): one unsalted SHA-256 is the right strength.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "gateway/auth.h"

struct gw_auth {
	struct gw_auth_key *keys;
	uint8_t (*hash)[GW_CONF_HASH_LEN];     /* keys[i]'s, side by side */
	size_t n;
};

/*
 * A table of every [key NAME] of conf (which must outlive it). 0 or
 * ENOMEM; EINVAL for NULL arguments.
 */
int gw_auth_alloc(struct gw_auth **authp, const struct gw_conf *conf)
{
	struct gw_auth *a;
	size_t i;

	if (!authp || !conf)
		return EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return ENOMEM;
	if (conf->nkeys) {
		a->keys = calloc(conf->nkeys, sizeof(*a->keys));
		a->hash = calloc(conf->nkeys, sizeof(*a->hash));
		if (!a->keys || !a->hash) {
			gw_auth_free(a);
			return ENOMEM;
		}
	}
	for (i = 0; i < conf->nkeys; i++) {
		a->keys[i].name = conf->keys[i].name;
		a->keys[i].scopes = conf->keys[i].scopes;
		a->keys[i].conf = &conf->keys[i];
		memcpy(a->hash[i], conf->keys[i].hash, GW_CONF_HASH_LEN);
	}
	a->n = conf->nkeys;
	*authp = a;
	return 0;
}

/* NULL-safe. */
void gw_auth_free(struct gw_auth *auth)
{
	if (!auth)
		return;
	free(auth->keys);
	free(auth->hash);
	free(auth);
}

/* How many keys the table holds (0 for NULL). */
size_t gw_auth_count(const struct gw_auth *auth)
{
	return auth ? auth->n : 0;
}

/* The key called name (from logs, stored requests, click tokens), or NULL. */
const struct gw_auth_key *gw_auth_find(const struct gw_auth *auth,
				       const char *name)
{
	size_t i;

	for (i = 0; auth && name && i < auth->n; i++) {
		if (strcmp(auth->keys[i].name, name) == 0)
			return &auth->keys[i];
	}
	return NULL;
}

/* RFC 6750 b64token: ALPHA DIGIT - . _ ~ + / then any '=' padding. */
static bool valid_token(const char *p, size_t len)
{
	size_t i = 0;

	if (len == 0 || len > GW_AUTH_MAX_TOKEN)
		return false;
	for (; i < len; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("-._~+/", c)))
			break;
	}
	if (i == 0)
		return false;
	while (i < len && p[i] == '=')
		i++;
	return i == len;
}

int gw_auth_sha256(const void *p, size_t len, uint8_t md[GW_CONF_HASH_LEN])
{
	unsigned int mdlen = 0;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != GW_CONF_HASH_LEN)
		return ENOMEM;  /* EVP fails only when it cannot allocate */
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The key an Authorization header value belongs to. Accepted:
 * [blanks] "Bearer" (any case) 1*(SP|HTAB) token [blanks], the token an
 * RFC 6750 b64token of at most GW_AUTH_MAX_TOKEN bytes. 0 with *keyp
 * set; ENOENT for a missing header, another scheme, a malformed or
 * unknown token (all a 401); ENOMEM; EINVAL for NULL auth or keyp.
 */
int gw_auth_check(const struct gw_auth *auth, const char *authorization,
		  const struct gw_auth_key **keyp)
{
	uint8_t md[GW_CONF_HASH_LEN];
	const char *p = authorization, *tok;
	size_t i, len, found = 0;
	int err;

	if (!auth || !keyp)
		return EINVAL;
	*keyp = NULL;
	if (!p)
		return ENOENT;
	while (blank(*p))
		p++;
	if (strncasecmp(p, "Bearer", 6) != 0 || !blank(p[6]))
		return ENOENT;
	p += 6;
	while (blank(*p))
		p++;
	tok = p;
	for (len = 0; len <= GW_AUTH_MAX_TOKEN && tok[len] && !blank(tok[len]);
	     len++)
		;
	for (p = tok + len; blank(*p); p++)
		;
	if (*p || !valid_token(tok, len))
		return ENOENT;

	err = gw_auth_sha256(tok, len, md);
	if (err)
		return err;
	/* every key, branch-free selection: the time says nothing of which */
	for (i = 0; i < auth->n; i++) {
		size_t eq = (size_t)(CRYPTO_memcmp(md, auth->hash[i],
						   GW_CONF_HASH_LEN) == 0);
		size_t mask = (size_t)0 - eq;

		/* configuration refuses equal hashes: at most one match */
		found = (found & ~mask) | ((i + 1) & mask);
	}
	OPENSSL_cleanse(md, sizeof(md));
	if (!found)
		return ENOENT;
	*keyp = &auth->keys[found - 1];
	return 0;
}

/* Whether key may use scope ("call", "fax", "content", "read", "cancel"). */
bool gw_auth_has_scope(const struct gw_auth_key *key, const char *scope)
{
	unsigned bit = gw_conf_scope_bit(scope);

	return key && bit && (key->scopes & bit);
}

/*
 * The lower-case hex SHA-256 of token, as `printf %s "$TOKEN" | sha256sum`
 * prints it. The token must be one gw_auth_check() accepts and at least
 * GW_AUTH_MIN_SECRET bytes (a secret, not a word): else EINVAL. ENOMEM.
 */
int gw_auth_hash_token(const char *token, char hex[GW_AUTH_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t md[GW_CONF_HASH_LEN];
	size_t i, len;
	int err;

	if (!token || !hex)
		return EINVAL;
	len = strnlen(token, GW_AUTH_MAX_TOKEN + 1);
	if (len < GW_AUTH_MIN_SECRET || !valid_token(token, len))
		return EINVAL;
	err = gw_auth_sha256(token, len, md);
	if (err)
		return err;
	for (i = 0; i < GW_CONF_HASH_LEN; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[2 * GW_CONF_HASH_LEN] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}
