/*
 * web/urlsafe_url.c — the outbound URL parser and its canonical text.
 *
 * The parser decides what host a URL names the way resolvers would:
 * percent-decoding, full-width forms, trailing dots and the inet_aton()
 * numeric forms (0x7f000001, 2130706433, 017700000001, 127.1, 0x7f.1) all
 * come out as the address they denote. The fetcher then hands curl only
 * the canonical text (web_urlsafe_canon()), so no other parser ever gets
 * to read the original differently.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "web/urlsafe.h"

#define V6_TEXT_MAX 45u         /* longest IPv6 literal text */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One strict UTF-8 sequence at p (n bytes left): the code point, or -1
 * for an invalid, overlong or surrogate sequence. *usedp gets its length.
 */
static long utf8_next(const unsigned char *p, size_t n, size_t *usedp)
{
	unsigned need, i;
	long cp, min;

	if (p[0] < 0x80) {
		*usedp = 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		need = 1;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		need = 2;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		need = 3;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else {
		return -1;
	}
	if (n < need + 1)
		return -1;
	for (i = 1; i <= need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*usedp = need + 1;
	return cp;
}

/*
 * The ASCII character IDNA mapping turns a code point into, for the
 * forms that can spell a number or a dot: full-width ASCII (U+FF01–FF5E)
 * and the ideographic, half-width and small full stops. 0 = none: other
 * non-ASCII hosts must come in their xn-- form.
 */
static int idna_ascii(long cp)
{
	if (cp >= 0xff01 && cp <= 0xff5e)
		return (int)(cp - 0xfee0);
	if (cp == 0x3002 || cp == 0xff61 || cp == 0xfe52)
		return '.';
	return 0;
}

/* One inet_aton() part: decimal, 0-octal or 0x-hex; false if bad. */
static bool v4_part(const char *p, size_t len, uint32_t *vp)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (len >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		i = 2;
		if (len == 2)
			return false;   /* "0x" alone: refused, not guessed */
	} else if (len >= 2 && p[0] == '0') {
		base = 8;
		i = 1;
	}
	if (len == 0)
		return false;
	for (; i < len; i++) {
		int d = hexval((unsigned char)p[i]);

		if (d < 0 || (unsigned)d >= base)
			return false;
		v = v * base + (unsigned)d;
		if (v > 0xffffffffu)
			return false;
	}
	*vp = (uint32_t)v;
	return true;
}

/*
 * inet_aton()'s grammar, which getaddrinfo() and browsers share: one to
 * four parts, the last filling the bytes left ("127.1" = 127.0.0.1,
 * "2130706433" = 127.0.0.1).
 */
static bool v4_numeric(const char *p, size_t len, uint32_t *ap)
{
	uint32_t part[4], v;
	size_t n = 0, i, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && p[i] != '.')
			continue;
		if (n == 4 || !v4_part(p + start, i - start, &part[n]))
			return false;
		n++;
		start = i + 1;
	}
	v = 0;
	for (i = 0; i + 1 < n; i++) {
		if (part[i] > 0xff)
			return false;
		v |= part[i] << (24 - 8 * i);
	}
	/* n == 1 needs no check: a part never exceeds 32 bits */
	if (n > 1 && n < 4 && part[n - 1] >> (8 * (5 - n)))
		return false;
	if (n == 4 && part[3] > 0xff)
		return false;
	*ap = v | part[n - 1];
	return true;
}

/* Does the last label look like a number (all digits, or 0x + hex)? */
static bool ends_in_number(const char *h, size_t len)
{
	size_t start = len, i;

	while (start > 0 && h[start - 1] != '.')
		start--;
	if (start == len)
		return false;
	if (len - start >= 2 && h[start] == '0' &&
	    (h[start + 1] == 'x' || h[start + 1] == 'X')) {
		for (i = start + 2; i < len; i++)
			if (hexval((unsigned char)h[i]) < 0)
				return false;
		return true;
	}
	for (i = start; i < len; i++)
		if (h[i] < '0' || h[i] > '9')
			return false;
	return true;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/*
 * The host part of a non-bracketed authority into u->host: percent-
 * decode, map full-width forms, lower-case, drop one trailing dot, then
 * either an IPv4 address (when the last label is a number) or a name.
 */
static int host_norm(struct web_urlsafe_url *u, const char *p, size_t len,
		     const char **whyp)
{
	unsigned char raw[WEB_URLSAFE_URL_MAX];
	char *h = u->host;
	size_t rn = 0, hn = 0, i, used, label = 0;
	uint32_t v4;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (p[i] != '%') {
			raw[rn++] = (unsigned char)p[i];
			continue;
		}
		hi = i + 2 < len ? hexval((unsigned char)p[i + 1]) : -1;
		lo = i + 2 < len ? hexval((unsigned char)p[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			*whyp = "bad percent-encoding in host";
			return EBADMSG;
		}
		raw[rn++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	for (i = 0; i < rn; i += used) {
		long cp = utf8_next(raw + i, rn - i, &used);
		int c;

		if (cp < 0) {
			*whyp = "host is not valid UTF-8";
			return EBADMSG;
		}
		if (cp == 0) {
			*whyp = "bad character in host";
			return EBADMSG;
		}
		c = cp < 0x80 ? (int)cp : idna_ascii(cp);
		if (!c) {
			*whyp = "non-ASCII host: give its xn-- form";
			return EBADMSG;
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (hn >= WEB_URLSAFE_NAME_MAX + 1) {
			*whyp = "host too long";
			return EMSGSIZE;
		}
		h[hn++] = (char)c;
	}
	if (hn > 0 && h[hn - 1] == '.')
		hn--;
	if (hn == 0) {
		*whyp = "no host";
		return EBADMSG;
	}
	if (hn > WEB_URLSAFE_NAME_MAX) {
		*whyp = "host too long";
		return EMSGSIZE;
	}
	h[hn] = '\0';
	for (i = 0; i <= hn; i++) {
		if (i < hn && h[i] != '.') {
			if (!name_char(h[i])) {
				*whyp = "bad character in host";
				return EBADMSG;
			}
			label++;
			continue;
		}
		if (label == 0 || label > WEB_URLSAFE_LABEL_MAX) {
			*whyp = label ? "host label too long" :
					"empty label in host";
			return EBADMSG;
		}
		label = 0;
	}
	u->host_len = hn;
	if (!ends_in_number(h, hn)) {
		u->kind = WEB_URLSAFE_NAME;
		return 0;
	}
	if (!v4_numeric(h, hn, &v4)) {
		*whyp = "numeric host is not an IPv4 address";
		return EBADMSG;
	}
	u->kind = WEB_URLSAFE_IPV4;
	u->v4.s_addr = htonl(v4);
	inet_ntop(AF_INET, &u->v4, u->host, sizeof(u->host));
	u->host_len = strlen(u->host);
	return 0;
}

static int v6_literal(struct web_urlsafe_url *u, const char *p, size_t len,
		      const char **whyp)
{
	char text[V6_TEXT_MAX + 1];

	if (memchr(p, '%', len)) {
		*whyp = "IPv6 zone identifiers are not allowed";
		return EBADMSG;
	}
	if (len == 0 || len > V6_TEXT_MAX) {
		*whyp = "bad IPv6 literal";
		return EBADMSG;
	}
	memcpy(text, p, len);
	text[len] = '\0';
	if (inet_pton(AF_INET6, text, &u->v6) != 1) {
		*whyp = "bad IPv6 literal";
		return EBADMSG;
	}
	u->kind = WEB_URLSAFE_IPV6;
	inet_ntop(AF_INET6, &u->v6, u->host, sizeof(u->host));
	u->host_len = strlen(u->host);
	return 0;
}

static int port_parse(struct web_urlsafe_url *u, const char *p, size_t len,
		      const char **whyp)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return 0;       /* "host:" is the default port (RFC 3986) */
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' || v > 65535) {
			*whyp = "bad port";
			return EBADMSG;
		}
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v == 0 || v > 65535) {
		*whyp = "bad port";
		return EBADMSG;
	}
	u->port = (uint16_t)v;
	u->port_given = true;
	return 0;
}

static int authority(struct web_urlsafe_url *u, const char *p, size_t len,
		     const char **whyp)
{
	const char *rb, *colon = NULL;
	size_t i;
	int err;

	if (memchr(p, '@', len)) {
		*whyp = "user info in URLs is not allowed";
		return EBADMSG;
	}
	if (memchr(p, '\\', len)) {
		*whyp = "backslash in host";
		return EBADMSG;
	}
	if (len > 0 && p[0] == '[') {
		rb = memchr(p, ']', len);
		if (!rb) {
			*whyp = "bad IPv6 literal";
			return EBADMSG;
		}
		err = v6_literal(u, p + 1, (size_t)(rb - p - 1), whyp);
		if (err)
			return err;
		i = (size_t)(rb - p) + 1;
		if (i == len)
			return 0;
		if (p[i] != ':') {
			*whyp = "bad port";
			return EBADMSG;
		}
		return port_parse(u, p + i + 1, len - i - 1, whyp);
	}
	for (i = 0; i < len; i++)
		if (p[i] == ':')
			colon = p + i;
	if (colon && memchr(p, ':', (size_t)(colon - p))) {
		*whyp = "IPv6 literals need brackets";
		return EBADMSG;
	}
	err = host_norm(u, p, colon ? (size_t)(colon - p) : len, whyp);
	if (err || !colon)
		return err;
	return port_parse(u, colon + 1, len - (size_t)(colon - p) - 1, whyp);
}

static bool prefix_ci(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	if (len < n)
		return false;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != s[i])
			return false;
	}
	return true;
}

static bool path_plain(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

static bool port_shown(const struct web_urlsafe_url *u)
{
	return u->port_given && u->port != (u->https ? 443 : 80);
}

/* Bytes of the canonical text, NUL not counted. */
static size_t canon_len(const struct web_urlsafe_url *u)
{
	size_t n = (u->https ? 8 : 7) + u->host_len, i;

	if (u->kind == WEB_URLSAFE_IPV6)
		n += 2;
	if (port_shown(u))
		n += u->port >= 10000 ? 6 : u->port >= 1000 ? 5 :
		     u->port >= 100 ? 4 : u->port >= 10 ? 3 : 2;
	if (u->path_len == 0 || u->path[0] != '/')
		n++;
	for (i = 0; i < u->path_len; i++)
		n += path_plain((unsigned char)u->path[i]) ? 1 : 3;
	return n;
}

/*
 * Parse an outbound URL: http or https (any case), no user info, a host
 * name, an IPv4 address in any inet_aton() form, or a bracketed IPv6
 * literal without zone; an optional port 1–65535. Leading and trailing
 * spaces and controls are dropped; control characters inside are refused.
 * 0, EINVAL (NULL), EBADMSG, or EMSGSIZE past WEB_URLSAFE_URL_MAX bytes
 * of input or of canonical text; a static reason in *whyp (may be NULL;
 * NULL on success). u is zeroed first; on success u->path points into p.
 */
int web_urlsafe_parse(struct web_urlsafe_url *u, const char *p, size_t len,
		      const char **whyp)
{
	const char *why = NULL, *auth, *end, *q;
	size_t i, skip;
	int err = 0;

	if (!u) {
		if (whyp)
			*whyp = "no URL";
		return EINVAL;
	}
	memset(u, 0, sizeof(*u));
	if (!p) {
		err = EINVAL;
		why = "no URL";
		goto out;
	}
	if (len > WEB_URLSAFE_URL_MAX) {
		err = EMSGSIZE;
		why = "URL too long";
		goto out;
	}
	while (len > 0 && (unsigned char)p[0] <= 0x20) {
		p++;
		len--;
	}
	while (len > 0 && (unsigned char)p[len - 1] <= 0x20)
		len--;
	for (i = 0; i < len; i++) {
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
			err = EBADMSG;
			why = "control character in URL";
			goto out;
		}
	}
	if (prefix_ci(p, len, "https://")) {
		u->https = true;
		u->port = 443;
		skip = 8;
	} else if (prefix_ci(p, len, "http://")) {
		u->port = 80;
		skip = 7;
	} else {
		err = EBADMSG;
		why = "scheme must be http:// or https://";
		goto out;
	}
	auth = p + skip;
	end = p + len;
	for (q = auth; q < end && *q != '/' && *q != '?' && *q != '#'; q++)
		if (*q == ' ') {
			err = EBADMSG;
			why = "space in host";
			goto out;
		}
	err = authority(u, auth, (size_t)(q - auth), &why);
	if (err)
		goto out;
	u->path = q;
	for (u->path_len = 0; q + u->path_len < end &&
	     q[u->path_len] != '#'; u->path_len++)
		;
	if (canon_len(u) > WEB_URLSAFE_URL_MAX) {
		/* its canonical form, %XX and all, must parse again */
		err = EMSGSIZE;
		why = "URL too long";
	}
out:
	if (err) {
		memset(u, 0, sizeof(*u));
		if (!why)
			why = "bad URL";
	}
	if (whyp)
		*whyp = why;
	return err;
}

/*
 * The canonical text of a parsed URL, the only form handed on to curl:
 * lower-case scheme, the normalised host (IPv6 in brackets), the port
 * unless it is the scheme's default, the path with spaces and non-ASCII
 * bytes percent-encoded ("/" when empty). It parses back to the same URL
 * and is never longer than WEB_URLSAFE_URL_MAX. 0, EINVAL or EMSGSIZE.
 */
int web_urlsafe_canon(char *buf, size_t size, const struct web_urlsafe_url *u)
{
	static const char hex[] = "0123456789ABCDEF";
	bool v6 = u->kind == WEB_URLSAFE_IPV6;
	size_t n, i;

	if (u->host_len == 0)
		return EINVAL;
	if (canon_len(u) >= size)
		return EMSGSIZE;
	n = (size_t)snprintf(buf, size, "%s://%s%s%s", u->https ? "https" :
			     "http", v6 ? "[" : "", u->host, v6 ? "]" : "");
	if (port_shown(u))
		n += (size_t)snprintf(buf + n, size - n, ":%u",
				      (unsigned)u->port);
	if (u->path_len == 0 || u->path[0] != '/')
		buf[n++] = '/';
	for (i = 0; i < u->path_len; i++) {
		unsigned char c = (unsigned char)u->path[i];

		if (path_plain(c)) {
			buf[n++] = (char)c;
			continue;
		}
		buf[n++] = '%';
		buf[n++] = hex[c >> 4];
		buf[n++] = hex[c & 15];
	}
	buf[n] = '\0';
	return 0;
}

/*
 * Judge a parsed URL's host before any connection: an IP literal by its
 * address (0 or EACCES, *clsp its class); a name passes here (class
 * PUBLIC) and is judged on each address it resolves to.
 */
int web_urlsafe_check(const struct web_urlsafe_url *u,
		      const struct web_urlsafe_allow *allow,
		      enum web_urlsafe_class *clsp)
{
	if (clsp)
		*clsp = WEB_URLSAFE_PUBLIC;
	switch (u->kind) {
	case WEB_URLSAFE_IPV4:
		return web_urlsafe_v4_ok(&u->v4, allow, clsp);
	case WEB_URLSAFE_IPV6:
		return web_urlsafe_v6_ok(&u->v6, allow, clsp);
	case WEB_URLSAFE_NAME:
		break;
	}
	return 0;
}
