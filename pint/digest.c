/*
 * pint/digest.c — Digest challenges in, Authorization values out.
 *
 * Parsing is lenient about spelling (case, LWS, folding, quoted or bare
 * values, empty list elements) and strict about meaning: a duplicate or
 * oversized parameter refuses the whole challenge. Hashing goes through
 * OpenSSL EVP in hash_hex() only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pint/pl.h"
#include "pint/digest.h"

/* Known parameters, as bits for duplicate detection. */
enum {
	P_REALM = 1u << 0,
	P_NONCE = 1u << 1,
	P_OPAQUE = 1u << 2,
	P_DOMAIN = 1u << 3,
	P_ALGORITHM = 1u << 4,
	P_QOP = 1u << 5,
	P_STALE = 1u << 6,
};

static const char *const alg_names[] = {
	[PINT_DIGEST_MD5] = "MD5",
	[PINT_DIGEST_MD5_SESS] = "MD5-sess",
	[PINT_DIGEST_SHA256] = "SHA-256",
	[PINT_DIGEST_SHA256_SESS] = "SHA-256-sess",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The RFC 7616 name of an algorithm, as emitted in algorithm=. */
const char *pint_digest_alg_name(enum pint_digest_alg alg)
{
	return (size_t)alg < NELEM(alg_names) ? alg_names[alg] : "?";
}

static bool is_lws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* RFC 7230 tchar. */
static bool is_tchar(char ch)
{
	unsigned char c = (unsigned char)ch;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A bare value: anything visible but the separators that end it. */
static bool is_bare(char ch)
{
	unsigned char c = (unsigned char)ch;

	return c > 0x20 && c != 0x7f && c != ',' && c != '"';
}

static bool is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

struct scan {
	const char *p;
	size_t len;
	size_t i;
};

static void skip_lws(struct scan *s)
{
	while (s->i < s->len && is_lws(s->p[s->i]))
		s->i++;
}

static struct pint_pl token(struct scan *s)
{
	struct pint_pl pl = {s->p + s->i, 0};

	while (s->i < s->len && is_tchar(s->p[s->i])) {
		s->i++;
		pl.l++;
	}
	return pl;
}

/*
 * A quoted-string or a bare value into val (NUL-terminated, unescaped).
 * EBADMSG for an unterminated quote or a control character,
 * EMSGSIZE past PINT_DIGEST_MAX_VALUE.
 */
static int value(struct scan *s, char *val, size_t *vlenp)
{
	size_t n = 0;

	if (s->i < s->len && s->p[s->i] == '"') {
		s->i++;
		for (;;) {
			char ch;

			if (s->i >= s->len)
				return EBADMSG;
			ch = s->p[s->i++];
			if (ch == '"')
				break;
			if (ch == '\\') {
				if (s->i >= s->len)
					return EBADMSG;
				ch = s->p[s->i++];
			}
			if (is_ctl((unsigned char)ch))
				return EBADMSG;
			if (n >= PINT_DIGEST_MAX_VALUE)
				return EMSGSIZE;
			val[n++] = ch;
		}
	} else {
		while (s->i < s->len && is_bare(s->p[s->i])) {
			if (n >= PINT_DIGEST_MAX_VALUE)
				return EMSGSIZE;
			val[n++] = s->p[s->i++];
		}
		if (n == 0)
			return EBADMSG;
	}
	val[n] = '\0';
	*vlenp = n;
	return 0;
}

/* Offered qop values; unknown ones are ignored (RFC 2617 §3.2.1). */
static unsigned parse_qops(const char *v, size_t len)
{
	unsigned qops = 0;
	size_t i = 0;

	while (i < len) {
		struct pint_pl pl = {v + i, 0};

		while (i < len && v[i] != ',') {
			i++;
			pl.l++;
		}
		i++;
		pl = pint_pl_trim(pl);
		if (pint_pl_caseeq(&pl, "auth"))
			qops |= PINT_DIGEST_QOP_AUTH;
		else if (pint_pl_caseeq(&pl, "auth-int"))
			qops |= PINT_DIGEST_QOP_AUTH_INT;
	}
	return qops;
}

static int parse_alg(const char *v, size_t len, enum pint_digest_alg *algp)
{
	struct pint_pl pl = {v, len};
	size_t i;

	for (i = 0; i < NELEM(alg_names); i++) {
		if (pint_pl_caseeq(&pl, alg_names[i])) {
			*algp = (enum pint_digest_alg)i;
			return 0;
		}
	}
	return EPROTO;
}

static int apply(struct pint_digest_chal *ch, const struct pint_pl *name,
		 const char *v, size_t vlen, unsigned *seenp)
{
	static const struct {
		const char *name;
		unsigned bit;
	} known[] = {
		{"realm", P_REALM}, {"nonce", P_NONCE}, {"opaque", P_OPAQUE},
		{"domain", P_DOMAIN}, {"algorithm", P_ALGORITHM},
		{"qop", P_QOP}, {"stale", P_STALE},
	};
	struct pint_pl pl = {v, vlen};
	unsigned bit = 0;
	size_t i;

	for (i = 0; i < NELEM(known); i++) {
		if (pint_pl_caseeq(name, known[i].name))
			bit = known[i].bit;
	}
	if (!bit)
		return 0;
	/* Two realms or nonces: which one would the server check? */
	if (*seenp & bit)
		return EBADMSG;
	*seenp |= bit;

	switch (bit) {
	case P_REALM:
		memcpy(ch->realm, v, vlen + 1);
		break;
	case P_NONCE:
		memcpy(ch->nonce, v, vlen + 1);
		break;
	case P_OPAQUE:
		memcpy(ch->opaque, v, vlen + 1);
		ch->has_opaque = true;
		break;
	case P_DOMAIN:
		memcpy(ch->domain, v, vlen + 1);
		break;
	case P_ALGORITHM:
		return parse_alg(v, vlen, &ch->alg);
	case P_QOP:
		ch->qops = parse_qops(v, vlen);
		/* Offered, but nothing we can answer. */
		if (!ch->qops)
			return EPROTO;
		break;
	case P_STALE:
		ch->stale = pint_pl_caseeq(&pl, "true");
		break;
	}
	return 0;
}

/*
 * Parse one WWW-Authenticate / Proxy-Authenticate header value of len
 * bytes (need not be NUL-terminated) into *ch.
 * EBADMSG: unparsable, unterminated quote, duplicate parameter, no realm
 * or nonce. EMSGSIZE: past a PINT_DIGEST_MAX_* limit. EPROTO: a challenge
 * we cannot answer (another scheme than Digest, an unknown algorithm, a
 * qop list without auth or auth-int, a -sess algorithm without qop).
 * On error *ch is left zeroed or partly filled: do not use it.
 */
int pint_digest_parse(struct pint_digest_chal *ch, const char *p, size_t len)
{
	struct scan s = {p, len, 0};
	char val[PINT_DIGEST_MAX_VALUE + 1];
	unsigned seen = 0, nparams = 0;
	struct pint_pl pl;
	size_t vlen;
	int err;

	if (!ch || (!p && len))
		return EINVAL;
	if (!p)
		s.p = "";
	memset(ch, 0, sizeof(*ch));
	if (len > PINT_DIGEST_MAX_HEADER)
		return EMSGSIZE;

	skip_lws(&s);
	pl = token(&s);
	if (!pl.l)
		return EBADMSG;
	if (!pint_pl_caseeq(&pl, "Digest"))
		return EPROTO;
	if (s.i < s.len && !is_lws(s.p[s.i]))
		return EBADMSG;

	for (;;) {
		while (s.i < s.len && (is_lws(s.p[s.i]) || s.p[s.i] == ','))
			s.i++;
		if (s.i >= s.len)
			break;

		if (++nparams > PINT_DIGEST_MAX_PARAMS)
			return EMSGSIZE;
		pl = token(&s);
		if (!pl.l)
			return EBADMSG;
		skip_lws(&s);
		if (s.i >= s.len || s.p[s.i] != '=')
			return EBADMSG;
		s.i++;
		skip_lws(&s);
		err = value(&s, val, &vlen);
		if (err)
			return err;
		skip_lws(&s);
		if (s.i < s.len && s.p[s.i] != ',')
			return EBADMSG;

		err = apply(ch, &pl, val, vlen, &seen);
		if (err)
			return err;
	}

	if ((seen & (P_REALM | P_NONCE)) != (P_REALM | P_NONCE))
		return EBADMSG;
	/* -sess folds the cnonce into HA1, and without qop there is none. */
	if (!ch->qops && (ch->alg == PINT_DIGEST_MD5_SESS ||
			  ch->alg == PINT_DIGEST_SHA256_SESS))
		return EPROTO;
	return 0;
}

/* The qop we answer with: auth when offered, else auth-int, else none. */
enum pint_digest_qop pint_digest_qop_choose(const struct pint_digest_chal *ch)
{
	if (ch->qops & PINT_DIGEST_QOP_AUTH)
		return PINT_DIGEST_QOP_AUTH;
	if (ch->qops & PINT_DIGEST_QOP_AUTH_INT)
		return PINT_DIGEST_QOP_AUTH_INT;
	return PINT_DIGEST_QOP_NONE;
}

/*
 * H(part0:part1:…) in lowercase hex into out (PINT_DIGEST_HEX_MAX + 1).
 * The one place OpenSSL's results are translated: ENOMEM when no context
 * can be had, EPROTO when the provider refuses the digest (MD5 under FIPS).
 */
static int hash_hex(enum pint_digest_alg alg, char *out,
		    const struct pint_pl *parts, size_t nparts)
{
	static const char hexd[] = "0123456789abcdef";
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0, j;
	size_t i;
	int err = 0;

	md = (alg == PINT_DIGEST_SHA256 || alg == PINT_DIGEST_SHA256_SESS) ?
		EVP_sha256() : EVP_md5();
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return ENOMEM;
	if (!EVP_DigestInit_ex(ctx, md, NULL)) {
		err = EPROTO;
		goto out;
	}
	for (i = 0; i < nparts; i++) {
		if ((i && !EVP_DigestUpdate(ctx, ":", 1)) ||
		    (parts[i].l && !EVP_DigestUpdate(ctx, parts[i].p, parts[i].l))) {
			err = EPROTO;
			goto out;
		}
	}
	if (!EVP_DigestFinal_ex(ctx, dig, &dlen) ||
	    dlen * 2 > PINT_DIGEST_HEX_MAX) {
		err = EPROTO;
		goto out;
	}
	for (j = 0; j < dlen; j++) {
		out[2 * j] = hexd[dig[j] >> 4];
		out[2 * j + 1] = hexd[dig[j] & 15];
	}
	out[2 * dlen] = '\0';

 out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(dig, sizeof(dig));
	return err;
}

/* A value headed for a quoted-string: no CR/LF or other controls. */
static bool clean(const char *s)
{
	for (; *s; s++) {
		if (is_ctl((unsigned char)*s))
			return false;
	}
	return true;
}

static int check_cred(const struct pint_digest_chal *ch,
		      const struct pint_digest_cred *cr,
		      enum pint_digest_qop qop)
{
	struct pint_pl method;

	if (!cr->method || !cr->uri || !cr->username || !cr->password ||
	    (!cr->body && cr->body_len))
		return EINVAL;
	method = pint_pl_str(cr->method);
	if (!method.l)
		return EINVAL;
	while (method.l && is_tchar(*method.p)) {
		method.p++;
		method.l--;
	}
	if (method.l || !*cr->uri || !clean(cr->uri) ||
	    !clean(cr->username) || !clean(ch->realm) ||
	    !clean(ch->nonce) || !clean(ch->opaque))
		return EINVAL;
	if (qop != PINT_DIGEST_QOP_NONE &&
	    (!cr->cnonce || !*cr->cnonce || !clean(cr->cnonce) || cr->nc == 0))
		return EINVAL;
	if (qop == PINT_DIGEST_QOP_NONE && (ch->alg == PINT_DIGEST_MD5_SESS ||
					    ch->alg == PINT_DIGEST_SHA256_SESS))
		return EPROTO;
	return 0;
}

/*
 * The request-digest (RFC 7616 §3.4.1) in lowercase hex for the given qop
 * (normally pint_digest_qop_choose()). EINVAL for missing or unsafe
 * credentials (controls in a quoted value, a method that is no token, no
 * cnonce or nc = 0 with a qop), EPROTO for -sess without qop, ENOMEM.
 */
int pint_digest_response(char hex[PINT_DIGEST_HEX_MAX + 1],
			 const struct pint_digest_chal *ch,
			 const struct pint_digest_cred *cr,
			 enum pint_digest_qop qop)
{
	char ha1[PINT_DIGEST_HEX_MAX + 1], ha2[PINT_DIGEST_HEX_MAX + 1];
	char hbody[PINT_DIGEST_HEX_MAX + 1], ncs[9];
	struct pint_pl parts[6];
	int err;

	if (!hex || !ch || !cr)
		return EINVAL;
	err = check_cred(ch, cr, qop);
	if (err)
		return err;
	snprintf(ncs, sizeof(ncs), "%08x", (unsigned)cr->nc);

	parts[0] = pint_pl_str(cr->username);
	parts[1] = pint_pl_str(ch->realm);
	parts[2] = pint_pl_str(cr->password);
	err = hash_hex(ch->alg, ha1, parts, 3);
	if (err)
		goto out;
	if (ch->alg == PINT_DIGEST_MD5_SESS || ch->alg == PINT_DIGEST_SHA256_SESS) {
		parts[0] = pint_pl_str(ha1);
		parts[1] = pint_pl_str(ch->nonce);
		parts[2] = pint_pl_str(cr->cnonce);
		err = hash_hex(ch->alg, ha1, parts, 3);
		if (err)
			goto out;
	}

	parts[0] = pint_pl_str(cr->method);
	parts[1] = pint_pl_str(cr->uri);
	if (qop == PINT_DIGEST_QOP_AUTH_INT) {
		struct pint_pl body = {cr->body, cr->body_len};

		err = hash_hex(ch->alg, hbody, &body, 1);
		if (err)
			goto out;
		parts[2] = pint_pl_str(hbody);
		err = hash_hex(ch->alg, ha2, parts, 3);
	} else {
		err = hash_hex(ch->alg, ha2, parts, 2);
	}
	if (err)
		goto out;

	parts[0] = pint_pl_str(ha1);
	parts[1] = pint_pl_str(ch->nonce);
	if (qop == PINT_DIGEST_QOP_NONE) {
		parts[2] = pint_pl_str(ha2);
		err = hash_hex(ch->alg, hex, parts, 3);
	} else {
		parts[2] = pint_pl_str(ncs);
		parts[3] = pint_pl_str(cr->cnonce);
		parts[4] = pint_pl_str(qop == PINT_DIGEST_QOP_AUTH ? "auth" : "auth-int");
		parts[5] = pint_pl_str(ha2);
		err = hash_hex(ch->alg, hex, parts, 6);
	}

 out:
	/* HA1 is as good as the password for this realm. */
	OPENSSL_cleanse(ha1, sizeof(ha1));
	return err;
}

/* Append `, name="value"` (no comma when first), escaping " and \. */
static int put_quoted(struct pint_mbuf *mb, const char *name,
		      const char *v, bool first)
{
	int err;

	err = pint_mbuf_printf(mb, "%s%s=\"", first ? "" : ", ", name);
	while (!err && *v) {
		size_t n = strcspn(v, "\"\\");

		err = pint_mbuf_append(mb, v, n);
		v += n;
		if (!err && *v) {
			char esc[2] = {'\\', *v++};

			err = pint_mbuf_append(mb, esc, 2);
		}
	}
	return err ? err : pint_mbuf_puts(mb, "\"");
}

/*
 * Append the Authorization / Proxy-Authorization header value answering
 * ch to mb, e.g. `Digest username="u", realm="r", nonce="n", uri="sip:x",
 * response="…", algorithm=MD5, qop=auth, nc=00000001, cnonce="c",
 * opaque="o"` (qop, nc and cnonce only when the challenge offered a qop).
 * Errors as pint_digest_response(), plus EMSGSIZE past the buffer's limit;
 * on any error mb is left as it was.
 */
int pint_digest_authorize(struct pint_mbuf *mb,
			  const struct pint_digest_chal *ch,
			  const struct pint_digest_cred *cr)
{
	enum pint_digest_qop qop;
	char resp[PINT_DIGEST_HEX_MAX + 1];
	size_t start;
	int err;

	if (!mb || !ch)
		return EINVAL;
	start = mb->len;
	qop = pint_digest_qop_choose(ch);
	err = pint_digest_response(resp, ch, cr, qop);
	if (err)
		return err;

	err = pint_mbuf_puts(mb, "Digest ");
	if (!err)
		err = put_quoted(mb, "username", cr->username, true);
	if (!err)
		err = put_quoted(mb, "realm", ch->realm, false);
	if (!err)
		err = put_quoted(mb, "nonce", ch->nonce, false);
	if (!err)
		err = put_quoted(mb, "uri", cr->uri, false);
	if (!err)
		err = put_quoted(mb, "response", resp, false);
	if (!err)
		err = pint_mbuf_printf(mb, ", algorithm=%s",
				       pint_digest_alg_name(ch->alg));
	if (!err && qop != PINT_DIGEST_QOP_NONE) {
		err = pint_mbuf_printf(mb, ", qop=%s, nc=%08x",
				       qop == PINT_DIGEST_QOP_AUTH ? "auth" : "auth-int",
				       (unsigned)cr->nc);
		if (!err)
			err = put_quoted(mb, "cnonce", cr->cnonce, false);
	}
	if (!err && ch->has_opaque)
		err = put_quoted(mb, "opaque", ch->opaque, false);

	if (err && mb->buf) {
		mb->len = start;
		mb->buf[start] = '\0';
	}
	return err;
}
