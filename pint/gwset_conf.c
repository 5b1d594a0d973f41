/*
 * pint/gwset_conf.c — validating and copying gateway configurations for
 * pint/gwset.c. Pure: inet_pton is the only library call that looks at
 * addresses, and it does no I/O.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pint/gwset.h"
#include "pint/gwset_int.h"

#define REST_MAX_DEFAULT_MS 300000u
#define REST_DEFAULT_MS 30000u
#define SUBSCRIBE_EXPIRES_DEFAULT 600u

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* RFC 3261 token characters. */
static bool is_token(char c)
{
	return is_alnum(c) || (c && strchr("-.!%*_+`'~", c));
}

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Length of s when it is 1..max bytes, else 0. */
static size_t bounded_len(const char *s, size_t max)
{
	size_t len;

	if (!s)
		return 0;
	len = strnlen(s, max + 1);
	return len > max ? 0 : len;
}

static bool valid_name(const char *s)
{
	size_t i, len = bounded_len(s, PINT_GWSET_MAX_NAME);

	for (i = 0; i < len; i++) {
		if (!is_token(s[i]))
			return false;
	}
	return len > 0;
}

/*
 * A numeric IPv4 or IPv6 literal (no brackets, no zone) of at most
 * PINT_GWSET_MAX_STR bytes into 16 bytes, IPv4 as v4-mapped IPv6, so
 * "192.0.2.1" and "::ffff:192.0.2.1" compare equal.
 */
bool pint_gwset_ip(const char *s, uint8_t out[16])
{
	struct in_addr a4;

	if (!bounded_len(s, PINT_GWSET_MAX_STR))
		return false;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = 0xff;
		out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return true;
	}
	return inet_pton(AF_INET6, s, out) == 1;
}

static bool valid_port(const char *p, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* A hostname or IPv4 literal: letters, digits, '-', '.', '_'. */
static bool valid_hostname(const char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_alnum(p[i]) && p[i] != '-' && p[i] != '.' &&
		    p[i] != '_')
			return false;
	}
	return true;
}

/*
 * host[:port] as it goes into a Request-URI: a hostname, an IPv4 literal
 * or a bracketed IPv6 literal. Stricter than "no spaces": anything else
 * would have to be escaped on the wire.
 */
static bool valid_hostport(const char *s)
{
	size_t len = bounded_len(s, PINT_GWSET_MAX_STR);
	const char *colon, *close;
	char v6[PINT_GWSET_MAX_STR + 1];
	uint8_t bin[16];
	size_t hlen;

	if (!len)
		return false;
	if (s[0] == '[') {
		close = memchr(s, ']', len);
		if (!close || close == s + 1)
			return false;
		hlen = (size_t)(close - s - 1);
		memcpy(v6, s + 1, hlen);
		v6[hlen] = '\0';
		if (inet_pton(AF_INET6, v6, bin) != 1)
			return false;
		if (close == s + len - 1)
			return true;
		return close[1] == ':' &&
		       valid_port(close + 2, len - (size_t)(close - s) - 2);
	}
	colon = memchr(s, ':', len);
	if (!colon)
		return valid_hostname(s, len);
	hlen = (size_t)(colon - s);
	return valid_hostname(s, hlen) &&
	       valid_port(colon + 1, len - hlen - 1);
}

/* Printable, no space, none of the characters that end a URI in a header. */
static bool valid_uri(const char *s)
{
	size_t i, len = bounded_len(s, PINT_GWSET_MAX_STR);

	if (len < 4 || (strncasecmp(s, "sip:", 4) &&
			(len < 5 || strncasecmp(s, "sips:", 5))))
		return false;
	for (i = 0; i < len; i++) {
		if (is_ctl((unsigned char)s[i]) || s[i] == ' ' ||
		    strchr("<>\"", s[i]))
			return false;
	}
	return true;
}

/* Username goes into a quoted-string: no controls, quotes or backslashes. */
static bool valid_username(const char *s)
{
	size_t i, len = bounded_len(s, PINT_GWSET_MAX_STR);

	for (i = 0; i < len; i++) {
		if (is_ctl((unsigned char)s[i]) || s[i] == '"' || s[i] == '\\')
			return false;
	}
	return len > 0;
}

/* Password is only hashed: any bytes but controls, may be empty. */
static bool valid_password(const char *s)
{
	size_t i, len;

	if (!s || strnlen(s, PINT_GWSET_MAX_STR + 1) > PINT_GWSET_MAX_STR)
		return false;
	len = strlen(s);
	for (i = 0; i < len; i++) {
		if (is_ctl((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* The first invalid field of c, or NULL. */
static const char *bad_field(const struct pint_gwset_conf *c)
{
	uint8_t bin[16];
	size_t i;

	if (!valid_name(c->name))
		return "name";
	if (c->peer.transport != PINT_TSX_UDP &&
	    c->peer.transport != PINT_TSX_TCP)
		return "peer.transport";
	if (!pint_gwset_ip(c->peer.addr, bin))
		return "peer.addr";
	if (c->peer.port == 0)
		return "peer.port";
	if (!valid_hostport(c->domain))
		return "domain";
	if (c->tsp && !valid_hostname(c->tsp,
				      bounded_len(c->tsp, PINT_GWSET_MAX_STR)))
		return "tsp";
	if (c->naddrs > PINT_GWSET_MAX_ADDRS)
		return "naddrs";
	for (i = 0; i < c->naddrs; i++) {
		if (!pint_gwset_ip(c->addrs[i], bin))
			return "addrs";
	}
	if (c->status_mode != PINT_GWSET_STATUS_PINT &&
	    c->status_mode != PINT_GWSET_STATUS_DIALOG &&
	    c->status_mode != PINT_GWSET_STATUS_NONE)
		return "status_mode";
	if (!c->username != !c->password)
		return c->username ? "password" : "username";
	if (c->username && !valid_username(c->username))
		return "username";
	if (c->password && !valid_password(c->password))
		return "password";
	if (c->register_aor && !valid_uri(c->register_aor))
		return "register_aor";
	return NULL;
}

/*
 * Validate a whole configuration without allocating: 0, EMSGSIZE when n
 * is above PINT_GWSET_MAX (*badp = PINT_GWSET_NONE, *fieldp = "count"),
 * or EINVAL with *badp = the index of the first bad entry
 * (PINT_GWSET_NONE when confs itself is NULL) and *fieldp = the field's
 * name ("name" also for a duplicate, which is reported at its second
 * occurrence). On success *badp = PINT_GWSET_NONE, *fieldp = NULL.
 * badp and fieldp may be NULL.
 *
 * Rules: name is an RFC 3261 token of 1..PINT_GWSET_MAX_NAME bytes,
 * unique (case-sensitive, as pint_gwset_find matches); peer.addr and
 * every addrs[i] a numeric IPv4/IPv6 literal without brackets or zone;
 * peer.port 1..65535; domain host[:port] (hostname, IPv4, or [IPv6]);
 * tsp NULL or a hostname; username and password both set or both NULL;
 * register_aor NULL or a sip:/sips: URI without spaces or <>".
 * Strings are at most PINT_GWSET_MAX_STR bytes. Numbers are not
 * checked: zeros take defaults (see pint_gwset_replace).
 */
int pint_gwset_check(const struct pint_gwset_conf *confs, size_t n,
		     size_t *badp, const char **fieldp)
{
	const char *field = NULL;
	size_t i, j, bad = PINT_GWSET_NONE;
	int err = 0;

	if (n > PINT_GWSET_MAX) {
		err = EMSGSIZE;
		field = "count";
		goto out;
	}
	if (n && !confs) {
		err = EINVAL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		field = bad_field(&confs[i]);
		for (j = 0; !field && j < i; j++) {
			if (!strcmp(confs[i].name, confs[j].name))
				field = "name";
		}
		if (field) {
			err = EINVAL;
			bad = i;
			goto out;
		}
	}
out:
	if (badp)
		*badp = bad;
	if (fieldp)
		*fieldp = field;
	return err;
}

/* ---- owned copies ---------------------------------------------------- */

static void put(char **dst, const char **field, const char *src)
{
	size_t len;

	if (!src) {
		*field = NULL;
		return;
	}
	len = strlen(src) + 1;
	memcpy(*dst, src, len);
	*field = *dst;
	*dst += len;
}

/*
 * Copy a conf pint_gwset_check() accepted into one string block (gc->strs,
 * the caller frees it), applying the defaults: down_after 0 → 1,
 * rest_max_ms 0 → 300 000, rest_default_ms 0 → 30 000,
 * subscribe_expires 0 → 600. 0 or ENOMEM.
 */
int pint_gwset_copy(struct pint_gwset_copy *gc,
		    const struct pint_gwset_conf *c)
{
	const char *one[] = {
		c->name, c->peer.addr, c->domain, c->tsp, c->username,
		c->password, c->register_aor,
	};
	struct pint_gwset_conf *d = &gc->conf;
	size_t i, total = 0;
	char *p;

	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		total += one[i] ? strlen(one[i]) + 1 : 0;
	for (i = 0; i < c->naddrs; i++)
		total += strlen(c->addrs[i]) + 1;

	gc->strs = malloc(total);
	if (!gc->strs)
		return ENOMEM;

	*d = *c;
	p = gc->strs;
	put(&p, &d->name, c->name);
	put(&p, &d->peer.addr, c->peer.addr);
	put(&p, &d->domain, c->domain);
	put(&p, &d->tsp, c->tsp);
	put(&p, &d->username, c->username);
	put(&p, &d->password, c->password);
	put(&p, &d->register_aor, c->register_aor);
	memset(d->addrs, 0, sizeof(d->addrs));
	for (i = 0; i < c->naddrs; i++)
		put(&p, &d->addrs[i], c->addrs[i]);

	if (d->down_after == 0)
		d->down_after = 1;
	if (d->rest_max_ms == 0)
		d->rest_max_ms = REST_MAX_DEFAULT_MS;
	if (d->rest_default_ms == 0)
		d->rest_default_ms = REST_DEFAULT_MS;
	if (d->subscribe_expires == 0)
		d->subscribe_expires = SUBSCRIBE_EXPIRES_DEFAULT;

	/* validated already: these cannot fail */
	gc->nbin = 0;
	pint_gwset_ip(d->peer.addr, gc->bin[gc->nbin++]);
	for (i = 0; i < d->naddrs; i++)
		pint_gwset_ip(d->addrs[i], gc->bin[gc->nbin++]);
	return 0;
}
