/*
 * gateway/click.c — click tokens and view tokens (gateway/click.h).
 *
 * Verification trusts nothing before the MAC: the payload is decoded and
 * parsed only to find "k", the key whose secret checks the signature;
 * every other field is read after the constant-time comparison, then
 * checked strictly (types, syntax, counts, no unknown field). Base64url
 * is decoded strictly too: no padding, no other characters, unused bits
 * zero, so one token has exactly one spelling.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "gateway/click.h"

#define MAC_LEN 32u                     /* HMAC-SHA256 */
#define SIG_LEN 43u                     /* its base64url */
#define MAGIC_LEN (sizeof(GW_CLICK_MAGIC) - 1)
#define PAYLOAD_MAX ((GW_CLICK_TOKEN_MAX / 4u) * 3u)
#define VIEW_ID_MAX 64u                 /* request ids (GW_STORE_ID_MAX) */
#define VIEW_MAGIC "view."

static const char b64u[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* ---- base64url without padding ---- */

static int b64u_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

static size_t b64u_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Encode n bytes and a NUL into out; 0 or EMSGSIZE. */
static int b64u_encode(char *out, size_t size, const uint8_t *in, size_t n)
{
	size_t i, o = 0;
	uint32_t v;

	if (b64u_len(n) >= size)
		return EMSGSIZE;
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64u[v >> 18 & 63];
		out[o++] = b64u[v >> 12 & 63];
		out[o++] = b64u[v >> 6 & 63];
		out[o++] = b64u[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64u[v >> 18 & 63];
		out[o++] = b64u[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64u[v >> 18 & 63];
		out[o++] = b64u[v >> 12 & 63];
		out[o++] = b64u[v >> 6 & 63];
	}
	out[o] = '\0';
	return 0;
}

/* Strict decode of (p, len) into out: 0, EBADMSG or EMSGSIZE. */
static int b64u_decode(uint8_t *out, size_t cap, const char *p, size_t len,
		       size_t *np)
{
	size_t i, o = 0, rest = len % 4;
	uint32_t v = 0;
	int d;

	*np = 0;
	if (rest == 1)
		return EBADMSG;
	if (len / 4 * 3 + (rest ? rest - 1 : 0) > cap)
		return EMSGSIZE;
	for (i = 0; i < len; i++) {
		d = b64u_val(p[i]);
		if (d < 0)
			return EBADMSG;
		v = v << 6 | (uint32_t)d;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
			v = 0;
		}
	}
	if (rest == 2) {
		if (v & 0xf)
			return EBADMSG;         /* bits past the last byte */
		out[o++] = (uint8_t)(v >> 4);
	} else if (rest == 3) {
		if (v & 0x3)
			return EBADMSG;
		out[o++] = (uint8_t)(v >> 10);
		out[o++] = (uint8_t)(v >> 2);
	}
	*np = o;
	return 0;
}

/* HMAC-SHA256(secret, p[0..len)): 0 or ENOMEM. */
static int mac(uint8_t md[MAC_LEN], const uint8_t *secret, size_t slen,
	       const char *p, size_t len)
{
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), secret, (int)slen, (const unsigned char *)p,
		  len, md, &n) || n != MAC_LEN)
		return ENOMEM;
	return 0;
}

static bool secret_ok(const uint8_t *secret, size_t len)
{
	return secret && len && len <= GW_CLICK_SECRET_MAX;
}

/* ---- field syntax ---- */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A [key NAME] or service name: letters, digits, '-', '_', '.'. */
static bool name_ok(const char *s)
{
	size_t i, n = strnlen(s, GW_CLICK_NAME_MAX + 1);

	if (!n || n > GW_CLICK_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!(digit(s[i]) || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || strchr("-_.", s[i])))
			return false;
	return true;
}

/* "+" and up to 15 digits, the first not 0; "+" alone if bare_ok. */
static bool e164_ok(const char *s, bool bare_ok)
{
	size_t i, n = strnlen(s, GW_CLICK_NUMBER_MAX + 1);

	if (n > GW_CLICK_NUMBER_MAX || s[0] != '+' || (n == 1 && !bare_ok))
		return false;
	if (n > 1 && s[1] == '0')
		return false;
	for (i = 1; i < n; i++)
		if (!digit(s[i]))
			return false;
	return true;
}

static bool host_char(char c)
{
	return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '.';
}

/* "http[s]://" host [":" port], nothing after: what Origin carries. */
static bool origin_ok(const char *s)
{
	size_t n = strnlen(s, GW_CLICK_ORIGIN_MAX + 1), i, h, port = 0;

	if (n > GW_CLICK_ORIGIN_MAX)
		return false;
	if (!strncmp(s, "https://", 8))
		i = 8;
	else if (!strncmp(s, "http://", 7))
		i = 7;
	else
		return false;
	h = i;
	if (s[i] == '[') {
		for (i++; i < n && (digit(s[i]) || strchr("abcdefABCDEF:.",
							   s[i])); i++)
			;
		if (i == h + 1 || i >= n || s[i++] != ']')
			return false;
	} else {
		while (i < n && host_char(s[i]))
			i++;
		if (i == h || s[h] == '.' || s[h] == '-')
			return false;
	}
	if (i == n)
		return true;
	if (s[i++] != ':' || i == n || n - i > 5)
		return false;
	for (; i < n; i++) {
		if (!digit(s[i]))
			return false;
		port = port * 10 + (size_t)(s[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

static bool jti_ok(const char *s)
{
	size_t i;

	for (i = 0; i < GW_CLICK_JTI_LEN; i++)
		if (b64u_val(s[i]) < 0)
			return false;
	return s[i] == '\0';
}

/*
 * Whether c is a token's content: every field's syntax, count and range
 * as the header says. 0 or EINVAL.
 */
int gw_click_check(const struct gw_click *c)
{
	size_t i;

	if (!c || !name_ok(c->key) || !name_ok(c->service) ||
	    (c->from[0] && !e164_ok(c->from, false)) ||
	    c->nto > GW_CLICK_TO_MAX || c->exp < 1 ||
	    c->exp > GW_CLICK_EXP_MAX || c->max > GW_CLICK_USES_MAX ||
	    c->norigin > GW_CLICK_ORIGINS_MAX || !jti_ok(c->jti))
		return EINVAL;
	for (i = 0; i < c->nto; i++)
		if (!e164_ok(c->to[i], true))
			return EINVAL;
	for (i = 0; i < c->norigin; i++)
		if (!origin_ok(c->origin[i]))
			return EINVAL;
	return 0;
}

/* ---- reading the payload ---- */

/* A JSON string into dst (cap bytes with the NUL): 0 or EBADMSG. */
static int str_field(const json_t *v, char *dst, size_t cap)
{
	size_t n;

	if (!json_is_string(v))
		return EBADMSG;
	n = json_string_length(v);
	if (n >= cap || strlen(json_string_value(v)) != n)
		return EBADMSG;
	memcpy(dst, json_string_value(v), n + 1);
	return 0;
}

/* A non-empty array of at most max strings into rows of cap bytes. */
static int list_field(const json_t *v, char *rows, size_t cap, size_t max,
		      size_t *np)
{
	size_t i;
	int err = 0;

	if (!json_is_array(v) || !json_array_size(v) ||
	    json_array_size(v) > max)
		return EBADMSG;
	for (i = 0; !err && i < json_array_size(v); i++)
		err = str_field(json_array_get(v, i), rows + i * cap, cap);
	*np = err ? 0 : i;
	return err;
}

static int int_field(const json_t *v, json_int_t lo, json_int_t hi,
		     json_int_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return EBADMSG;
	*out = json_integer_value(v);
	return 0;
}

enum { SEEN_SVC = 1, SEEN_EXP = 2, SEEN_MAX = 4, SEEN_JTI = 8,
       SEEN_ALL = 15 };

/* Every field of the (authentic) payload into c; EBADMSG. */
static int fill(struct gw_click *c, json_t *root)
{
	const char *name;
	json_t *v;
	json_int_t n = 0;
	unsigned seen = 0;
	int err = 0;

	json_object_foreach(root, name, v) {
		if (!strcmp(name, "k")) {
			continue;       /* read before the MAC */
		} else if (!strcmp(name, "svc")) {
			err = str_field(v, c->service, sizeof(c->service));
			seen |= SEEN_SVC;
		} else if (!strcmp(name, "from")) {
			err = str_field(v, c->from, sizeof(c->from));
			if (!err && !c->from[0])
				err = EBADMSG;
		} else if (!strcmp(name, "to")) {
			err = list_field(v, c->to[0], sizeof(c->to[0]),
					 GW_CLICK_TO_MAX, &c->nto);
		} else if (!strcmp(name, "exp")) {
			err = int_field(v, 1, GW_CLICK_EXP_MAX, &n);
			c->exp = n;
			seen |= SEEN_EXP;
		} else if (!strcmp(name, "max")) {
			err = int_field(v, 0, GW_CLICK_USES_MAX, &n);
			c->max = (uint32_t)n;
			seen |= SEEN_MAX;
		} else if (!strcmp(name, "origin")) {
			err = list_field(v, c->origin[0], sizeof(c->origin[0]),
					 GW_CLICK_ORIGINS_MAX, &c->norigin);
		} else if (!strcmp(name, "jti")) {
			err = str_field(v, c->jti, sizeof(c->jti));
			seen |= SEEN_JTI;
		} else {
			err = EBADMSG;  /* a field this version does not know */
		}
		if (err)
			return EBADMSG;
	}
	if (seen != SEEN_ALL || gw_click_check(c))
		return EBADMSG;
	return 0;
}

/* The pieces of a token's text, syntax only. */
static int split(const char *p, size_t len, size_t *plenp,
		 uint8_t sig[MAC_LEN])
{
	const char *dot;
	size_t n;

	if (len > GW_CLICK_TOKEN_MAX)
		return EMSGSIZE;
	if (len < MAGIC_LEN || memcmp(p, GW_CLICK_MAGIC, MAGIC_LEN))
		return EBADMSG;
	dot = memchr(p + MAGIC_LEN, '.', len - MAGIC_LEN);
	if (!dot || (size_t)(p + len - (dot + 1)) != SIG_LEN ||
	    b64u_decode(sig, MAC_LEN, dot + 1, SIG_LEN, &n) || n != MAC_LEN)
		return EBADMSG;
	*plenp = (size_t)(dot - (p + MAGIC_LEN));
	return *plenp ? 0 : EBADMSG;
}

/*
 * Verify the token (p, len) at Unix time now_s; h gives the secret of
 * the key the payload names. 0 with *c filled; ETIMEDOUT when it is
 * authentic but expired (*c filled too); EMSGSIZE longer than
 * GW_CLICK_TOKEN_MAX; EBADMSG not a token (format, a field's type or
 * syntax, an unknown field); ENOENT no such key or it has no secret;
 * EACCES the signature does not match; ENOMEM. Else *c is zeroed.
 */
int gw_click_verify(struct gw_click *c, const char *p, size_t len,
		    int64_t now_s, gw_click_secret_h *h, void *arg)
{
	uint8_t payload[PAYLOAD_MAX], sig[MAC_LEN], md[MAC_LEN];
	const uint8_t *secret = NULL;
	size_t plen = 0, n = 0, slen = 0;
	json_t *root = NULL;
	int err;

	if (!c || (!p && len) || !h)
		return EINVAL;
	memset(c, 0, sizeof(*c));
	err = split(p, len, &plen, sig);
	if (!err)
		err = b64u_decode(payload, sizeof(payload), p + MAGIC_LEN, plen,
				  &n);
	if (err)
		goto out;
	root = json_loadb((const char *)payload, n, JSON_REJECT_DUPLICATES,
			  NULL);
	if (!json_is_object(root) ||
	    str_field(json_object_get(root, "k"), c->key, sizeof(c->key)) ||
	    !name_ok(c->key)) {
		err = EBADMSG;
		goto out;
	}
	err = h(c->key, &secret, &slen, arg);
	if (!err && !secret_ok(secret, slen))
		err = ENOENT;
	if (err)
		goto out;
	err = mac(md, secret, slen, p, MAGIC_LEN + plen);
	if (!err && CRYPTO_memcmp(md, sig, MAC_LEN))
		err = EACCES;
	if (!err)
		err = fill(c, root);
	if (!err && now_s >= c->exp)
		err = ETIMEDOUT;
out:
	json_decref(root);
	if (err && err != ETIMEDOUT)
		memset(c, 0, sizeof(*c));
	return err;
}

/* ---- minting ---- */

struct out {
	char *p;
	size_t size, len;
	int err;
};

/* Append the strings up to the NULL; EMSGSIZE once they do not fit. */
static void put(struct out *o, ...)
{
	const char *s;
	va_list ap;
	size_t n;

	va_start(ap, o);
	while ((s = va_arg(ap, const char *)) && !o->err) {
		n = strlen(s);
		if (n >= o->size - o->len) {
			o->err = EMSGSIZE;
			break;
		}
		memcpy(o->p + o->len, s, n + 1);
		o->len += n;
	}
	va_end(ap);
}

static void put_list(struct out *o, const char *name, const char *rows,
		     size_t cap, size_t n)
{
	size_t i;

	put(o, ",\"", name, "\":[", NULL);
	for (i = 0; i < n; i++)
		put(o, i ? ",\"" : "\"", rows + i * cap, "\"", NULL);
	put(o, "]", NULL);
}

/*
 * The compact JSON of c (checked: every string is plain ASCII without
 * quotes or backslashes, so nothing needs escaping).
 */
static int payload_json(char *buf, size_t size, size_t *lenp,
			const struct gw_click *c)
{
	struct out o = {buf, size, 0, 0};
	char exp[24], max[16];

	snprintf(exp, sizeof(exp), "%lld", (long long)c->exp);
	snprintf(max, sizeof(max), "%u", (unsigned)c->max);
	put(&o, "{\"k\":\"", c->key, "\",\"svc\":\"", c->service, "\"",
	    NULL);
	if (c->from[0])
		put(&o, ",\"from\":\"", c->from, "\"", NULL);
	if (c->nto)
		put_list(&o, "to", c->to[0], sizeof(c->to[0]), c->nto);
	put(&o, ",\"exp\":", exp, ",\"max\":", max, NULL);
	if (c->norigin)
		put_list(&o, "origin", c->origin[0], sizeof(c->origin[0]),
			 c->norigin);
	put(&o, ",\"jti\":\"", c->jti, "\"}", NULL);
	*lenp = o.len;
	return o.err;
}

/*
 * Sign c with the key's secret into buf (NUL-terminated, *lenp bytes
 * without it). 0, EINVAL (c fails gw_click_check, no secret), EMSGSIZE
 * (the token would pass GW_CLICK_TOKEN_MAX or buf) or ENOMEM.
 */
int gw_click_mint(char *buf, size_t size, size_t *lenp,
		  const struct gw_click *c, const uint8_t *secret,
		  size_t secret_len)
{
	char json[PAYLOAD_MAX + 1], tok[GW_CLICK_TOKEN_MAX + 1];
	uint8_t md[MAC_LEN];
	size_t jlen = 0, plen, n;
	int err;

	if (!buf || !size || gw_click_check(c) ||
	    !secret_ok(secret, secret_len))
		return EINVAL;
	err = payload_json(json, sizeof(json), &jlen, c);
	if (!err && b64u_len(jlen) + MAGIC_LEN + 1 + SIG_LEN >
	    GW_CLICK_TOKEN_MAX)
		err = EMSGSIZE;
	if (err)
		return err;
	memcpy(tok, GW_CLICK_MAGIC, MAGIC_LEN);
	err = b64u_encode(tok + MAGIC_LEN, sizeof(tok) - MAGIC_LEN,
			  (const uint8_t *)json, jlen);
	plen = MAGIC_LEN + strlen(tok + MAGIC_LEN);
	if (!err)
		err = mac(md, secret, secret_len, tok, plen);
	if (!err) {
		tok[plen] = '.';
		err = b64u_encode(tok + plen + 1, sizeof(tok) - plen - 1, md,
				  MAC_LEN);
	}
	if (err)
		return err;
	n = strlen(tok);
	if (n >= size)
		return EMSGSIZE;
	memcpy(buf, tok, n + 1);
	if (lenp)
		*lenp = n;
	return 0;
}

/* A jti from 16 random bytes (the caller's: this module draws none). */
void gw_click_jti(char out[GW_CLICK_JTI_LEN + 1],
		  const uint8_t r[GW_CLICK_JTI_BYTES])
{
	b64u_encode(out, GW_CLICK_JTI_LEN + 1, r, GW_CLICK_JTI_BYTES);
}

/* ---- what a token allows ---- */

/* Whether the E.164 number is under one of the token's prefixes. */
bool gw_click_to_ok(const struct gw_click *c, const char *e164)
{
	size_t i;

	if (!c->nto)
		return true;
	for (i = 0; i < c->nto; i++) {
		if (!strcmp(c->to[i], "+"))
			return true;
		if (e164 && !strncmp(e164, c->to[i], strlen(c->to[i])))
			return true;
	}
	return false;
}

/* Whether a page of this Origin may use the token (NULL: none sent). */
bool gw_click_origin_ok(const struct gw_click *c, const char *origin)
{
	size_t i;

	if (!c->norigin)
		return true;
	for (i = 0; origin && i < c->norigin; i++)
		if (!strcasecmp(c->origin[i], origin))
			return true;
	return false;
}

/* ---- view tokens ---- */

/*
 * The view token of request id: base64url of the first 16 bytes of
 * HMAC-SHA256(secret, "view." id). 0, EINVAL or ENOMEM.
 */
int gw_click_view(char out[GW_CLICK_VIEW_LEN + 1], const char *id,
		  const uint8_t *secret, size_t secret_len)
{
	char data[sizeof(VIEW_MAGIC) + VIEW_ID_MAX];
	uint8_t md[MAC_LEN];
	size_t n;
	int err;

	out[0] = '\0';
	if (!id || !secret_ok(secret, secret_len))
		return EINVAL;
	n = strnlen(id, VIEW_ID_MAX + 1);
	if (!n || n > VIEW_ID_MAX)
		return EINVAL;
	memcpy(data, VIEW_MAGIC, sizeof(VIEW_MAGIC) - 1);
	memcpy(data + sizeof(VIEW_MAGIC) - 1, id, n);
	err = mac(md, secret, secret_len, data, sizeof(VIEW_MAGIC) - 1 + n);
	if (!err)
		err = b64u_encode(out, GW_CLICK_VIEW_LEN + 1, md, 16);
	OPENSSL_cleanse(md, sizeof(md));
	return err;
}

/* Whether view is request id's view token (compared in constant time). */
bool gw_click_view_ok(const char *view, const char *id,
		      const uint8_t *secret, size_t secret_len)
{
	char want[GW_CLICK_VIEW_LEN + 1];
	bool ok;

	if (!view || strnlen(view, GW_CLICK_VIEW_LEN + 1) != GW_CLICK_VIEW_LEN ||
	    gw_click_view(want, id, secret, secret_len))
		return false;
	ok = !CRYPTO_memcmp(want, view, GW_CLICK_VIEW_LEN);
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}
