/*
 * web/urlsafe.c — outbound address policy: the classes of IPv4 and IPv6
 * addresses (embedded IPv4 forms judged as their IPv4) and allow-lists.
 * A host name is judged on every address it resolves to, at connect
 * time (web/fetch.c); URLs are parsed in web/urlsafe_url.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "web/urlsafe.h"

#define CIDR_TEXT_MAX 64u       /* one allow-list token */

static const char *const class_names[WEB_URLSAFE_CLASS_COUNT] = {
	"public", "loopback", "unspecified", "private", "link-local",
	"cgnat", "multicast", "broadcast", "reserved", "benchmarking",
	"special-purpose", "unique-local", "site-local", "teredo", "not-ip",
};

/* The class's name for logs and error texts ("loopback"). */
const char *web_urlsafe_class_name(enum web_urlsafe_class c)
{
	if ((unsigned)c >= WEB_URLSAFE_CLASS_COUNT)
		return "unknown";
	return class_names[c];
}

/* ---- address classes ---- */

struct v4_range {
	uint32_t net;
	uint8_t bits;
	uint8_t cls;
};

/* First match wins: broadcast sits before 240/4. */
static const struct v4_range v4_ranges[] = {
	{0x00000000u, 8, WEB_URLSAFE_UNSPECIFIED},
	{0x0a000000u, 8, WEB_URLSAFE_PRIVATE},
	{0x64400000u, 10, WEB_URLSAFE_CGNAT},
	{0x7f000000u, 8, WEB_URLSAFE_LOOPBACK},
	{0xa9fe0000u, 16, WEB_URLSAFE_LINK_LOCAL},
	{0xac100000u, 12, WEB_URLSAFE_PRIVATE},
	{0xc0000000u, 24, WEB_URLSAFE_SPECIAL},       /* IETF assignments */
	{0xc0000200u, 24, WEB_URLSAFE_SPECIAL},       /* TEST-NET-1 */
	{0xc0586300u, 24, WEB_URLSAFE_SPECIAL},       /* 6to4 relay */
	{0xc0a80000u, 16, WEB_URLSAFE_PRIVATE},
	{0xc6120000u, 15, WEB_URLSAFE_BENCHMARK},
	{0xc6336400u, 24, WEB_URLSAFE_SPECIAL},       /* TEST-NET-2 */
	{0xcb007100u, 24, WEB_URLSAFE_SPECIAL},       /* TEST-NET-3 */
	{0xe0000000u, 4, WEB_URLSAFE_MULTICAST},
	{0xffffffffu, 32, WEB_URLSAFE_BROADCAST},
	{0xf0000000u, 4, WEB_URLSAFE_RESERVED},
};

static enum web_urlsafe_class v4_class(uint32_t x)
{
	size_t i;

	for (i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++) {
		uint32_t mask = 0xffffffffu << (32 - v4_ranges[i].bits);

		if ((x & mask) == v4_ranges[i].net)
			return (enum web_urlsafe_class)v4_ranges[i].cls;
	}
	return WEB_URLSAFE_PUBLIC;
}

/* The class of an IPv4 address (network byte order, as in in_addr). */
enum web_urlsafe_class web_urlsafe_v4_class(const struct in_addr *a)
{
	return v4_class(ntohl(a->s_addr));
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static bool zero(const uint8_t *b, size_t n)
{
	while (n--)
		if (*b++)
			return false;
	return true;
}

/*
 * The IPv4 address an IPv6 form stands for: IPv4-compatible ::/96 (not ::
 * and ::1), IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16. The connection ends up at (or is relayed to) that address,
 * so it is the one to judge.
 */
static bool v6_embedded(const uint8_t *b, uint32_t *v4p)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};

	if (!memcmp(b, mapped, 12) || !memcmp(b, nat64, 12) ||
	    (zero(b, 12) && be32(b + 12) > 1)) {
		*v4p = be32(b + 12);
		return true;
	}
	if (b[0] == 0x20 && b[1] == 0x02) {
		*v4p = be32(b + 2);
		return true;
	}
	return false;
}

/* The class of an IPv6 address; embedded IPv4 forms get the IPv4's. */
enum web_urlsafe_class web_urlsafe_v6_class(const struct in6_addr *a)
{
	const uint8_t *b = a->s6_addr;
	uint32_t v4;

	if (zero(b, 16))
		return WEB_URLSAFE_UNSPECIFIED;
	if (zero(b, 15) && b[15] == 1)
		return WEB_URLSAFE_LOOPBACK;
	if (v6_embedded(b, &v4))
		return v4_class(v4);
	if (b[0] == 0xff)
		return WEB_URLSAFE_MULTICAST;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return WEB_URLSAFE_LINK_LOCAL;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return WEB_URLSAFE_SITE_LOCAL;
	if ((b[0] & 0xfe) == 0xfc)
		return WEB_URLSAFE_ULA;
	if (b[0] == 0x20 && b[1] == 0x01) {
		if (b[2] == 0 && b[3] == 0)
			return WEB_URLSAFE_TEREDO;
		if (b[2] == 0 && b[3] == 2 && b[4] == 0 && b[5] == 0)
			return WEB_URLSAFE_BENCHMARK;
		if (b[2] < 0x02 || (b[2] == 0x0d && b[3] == 0xb8))
			return WEB_URLSAFE_SPECIAL;  /* 2001::/23, 2001:db8::/32 */
	}
	if (b[0] == 0x3f && (b[1] & 0xf0) == 0xf0)
		return WEB_URLSAFE_SPECIAL;          /* 3fff::/20 documentation */
	if ((b[0] & 0xe0) != 0x20)
		return WEB_URLSAFE_RESERVED;         /* 64:ff9b:1::/48, 100::/64 … */
	return WEB_URLSAFE_PUBLIC;
}

/* ---- allow-lists ---- */

static bool cidr_match(const struct web_urlsafe_cidr *c, int family,
		       const uint8_t *addr)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->family != family)
		return false;
	if (memcmp(c->addr, addr, full))
		return false;
	return !rest || !((c->addr[full] ^ addr[full]) &
			  (uint8_t)(0xff00u >> rest));
}

static bool allowed(const struct web_urlsafe_allow *allow, int family,
		    const uint8_t *addr)
{
	size_t i;

	if (!allow)
		return false;
	for (i = 0; i < allow->n && i < WEB_URLSAFE_ALLOW_MAX; i++)
		if (cidr_match(&allow->v[i], family, addr))
			return true;
	return false;
}

/*
 * Judge an IPv4 address: 0 when it may be connected to (public, or in the
 * allow-list), EACCES when not. *clsp (may be NULL) gets its class either
 * way. allow may be NULL (nothing extra allowed).
 */
int web_urlsafe_v4_ok(const struct in_addr *a,
		      const struct web_urlsafe_allow *allow,
		      enum web_urlsafe_class *clsp)
{
	enum web_urlsafe_class c = web_urlsafe_v4_class(a);

	if (clsp)
		*clsp = c;
	if (c == WEB_URLSAFE_PUBLIC ||
	    allowed(allow, AF_INET, (const uint8_t *)&a->s_addr))
		return 0;
	return EACCES;
}

/*
 * Judge an IPv6 address as web_urlsafe_v4_ok(). An embedded IPv4 form
 * passes when either the IPv6 address or its IPv4 is in the allow-list.
 */
int web_urlsafe_v6_ok(const struct in6_addr *a,
		      const struct web_urlsafe_allow *allow,
		      enum web_urlsafe_class *clsp)
{
	enum web_urlsafe_class c = web_urlsafe_v6_class(a);
	uint8_t v4b[4];
	uint32_t v4;

	if (clsp)
		*clsp = c;
	if (c == WEB_URLSAFE_PUBLIC || allowed(allow, AF_INET6, a->s6_addr))
		return 0;
	if (v6_embedded(a->s6_addr, &v4)) {
		v4b[0] = (uint8_t)(v4 >> 24);
		v4b[1] = (uint8_t)(v4 >> 16);
		v4b[2] = (uint8_t)(v4 >> 8);
		v4b[3] = (uint8_t)v4;
		if (allowed(allow, AF_INET, v4b))
			return 0;
	}
	return EACCES;
}

/*
 * Judge a socket address (what a resolver or curl hands over): 0 or
 * EACCES as above; any family but AF_INET/AF_INET6, or a len too short
 * for its family, is refused as NOT_IP.
 */
int web_urlsafe_sockaddr_ok(const struct sockaddr *sa, socklen_t len,
			    const struct web_urlsafe_allow *allow,
			    enum web_urlsafe_class *clsp)
{
	if (sa && sa->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in))
		return web_urlsafe_v4_ok(
			&((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			allow, clsp);
	if (sa && sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6))
		return web_urlsafe_v6_ok(
			&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			allow, clsp);
	if (clsp)
		*clsp = WEB_URLSAFE_NOT_IP;
	return EACCES;
}

/* An empty allow-list. */
void web_urlsafe_allow_init(struct web_urlsafe_allow *allow)
{
	memset(allow, 0, sizeof(*allow));
}

static int cidr_parse(struct web_urlsafe_cidr *c, const char *p, size_t len,
		      const char **whyp)
{
	char text[CIDR_TEXT_MAX + 1];
	const char *slash = memchr(p, '/', len);
	size_t alen = slash ? (size_t)(slash - p) : len;
	unsigned long bits = 0, max;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (len > CIDR_TEXT_MAX || alen == 0) {
		*whyp = "not an address or network";
		return EINVAL;
	}
	memcpy(text, p, alen);
	text[alen] = '\0';
	if (inet_pton(AF_INET, text, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, text, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		*whyp = "not an IPv4 or IPv6 address";
		return EINVAL;
	}
	bits = max;
	if (slash) {
		size_t n = len - alen - 1;

		if (n == 0 || n > 3) {
			*whyp = "bad prefix length";
			return EINVAL;
		}
		for (bits = 0, i = alen + 1; i < len; i++) {
			if (p[i] < '0' || p[i] > '9') {
				*whyp = "bad prefix length";
				return EINVAL;
			}
			bits = bits * 10 + (unsigned long)(p[i] - '0');
		}
		if (bits > max) {
			*whyp = "prefix length too long";
			return EINVAL;
		}
	}
	c->bits = (uint8_t)bits;
	/* host bits past the prefix are a typo more often than not */
	for (i = bits; i < max; i++) {
		if (c->addr[i / 8] & (0x80u >> (i % 8))) {
			*whyp = "address has bits set past the prefix length";
			return EINVAL;
		}
	}
	return 0;
}

static bool sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == ',' || ch == '\n' ||
	       ch == '\r';
}

/*
 * Add the CIDRs of a config value (separated by spaces, tabs or commas;
 * "a.b.c.d" alone is a /32, an IPv6 address alone a /128). 0, EINVAL
 * (with *whyp, which may be NULL) or EMSGSIZE past WEB_URLSAFE_ALLOW_MAX;
 * on error the list is unchanged.
 */
int web_urlsafe_allow_parse(struct web_urlsafe_allow *allow, const char *p,
			    size_t len, const char **whyp)
{
	const char *why = NULL;
	size_t i = 0, n;
	int err = 0;

	if (!allow || (!p && len)) {
		err = EINVAL;
		why = "no list";
		goto out;
	}
	n = allow->n;
	while (i < len) {
		size_t start;

		while (i < len && sep(p[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !sep(p[i]))
			i++;
		if (n >= WEB_URLSAFE_ALLOW_MAX) {
			err = EMSGSIZE;
			why = "too many networks";
			goto out;
		}
		err = cidr_parse(&allow->v[n], p + start, i - start, &why);
		if (err)
			goto out;
		n++;
	}
	allow->n = n;
out:
	if (whyp)
		*whyp = why;
	return err;
}
