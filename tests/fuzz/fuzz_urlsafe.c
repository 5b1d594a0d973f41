/*
 * tests/fuzz/fuzz_urlsafe.c — web/urlsafe.c: URLs, allow-lists, addresses.
 *
 * The first byte picks the mode (its value modulo 4; the seed corpus
 * uses '0'..'3'), the rest is the input:
 *   0  a URL: a parse that succeeds must canonicalise, parse back to the
 *      same host, kind, port and scheme, and canonicalise to the same
 *      text; a refusal must leave a reason and a zeroed struct.
 *   1  an allow-list: each entry printed back as CIDR text must parse to
 *      the same entry; an error leaves the list as it was.
 *   2  16 bytes of IPv6 address: embedded IPv4 forms must be judged as
 *      their IPv4, and "everything" lists must allow every address.
 *   3  a numeric host: glibc's inet_aton() and the parser must agree.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/urlsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_url(const char *p, size_t len)
{
	char c1[WEB_URLSAFE_CANON_SIZE], c2[WEB_URLSAFE_CANON_SIZE];
	struct web_urlsafe_url u, v;
	const char *why = NULL, *s;
	size_t i;
	int err;

	err = web_urlsafe_parse(&u, p, len, &why);
	if (err) {
		if ((err != EBADMSG && err != EMSGSIZE) || !why || !*why ||
		    u.host_len || u.path)
			abort();
		return;
	}
	if (why || !u.host_len || u.host_len != strlen(u.host) ||
	    u.host_len > WEB_URLSAFE_NAME_MAX + 2 || !u.port)
		abort();
	for (s = u.host; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '@' || *s == '/' ||
		    *s == '%' || *s == '\\' || *s == '[' || *s == '#')
			abort();
	if (u.path_len && (u.path < p || u.path + u.path_len > p + len))
		abort();
	if (web_urlsafe_canon(c1, sizeof(c1), &u))
		abort();
	if (web_urlsafe_parse(&v, c1, strlen(c1), NULL))
		abort();
	if (v.kind != u.kind || strcmp(v.host, u.host) || v.port != u.port ||
	    v.https != u.https)
		abort();
	if (u.kind == WEB_URLSAFE_IPV4 && memcmp(&u.v4, &v.v4, sizeof(u.v4)))
		abort();
	if (u.kind == WEB_URLSAFE_IPV6 && memcmp(&u.v6, &v.v6, sizeof(u.v6)))
		abort();
	if (web_urlsafe_canon(c2, sizeof(c2), &v) || strcmp(c1, c2))
		abort();
	for (i = 0; c1[i]; i++)
		if ((unsigned char)c1[i] <= 0x20 || (unsigned char)c1[i] >= 0x7f)
			abort();
	/* literals are judged by their address, names pass until resolved */
	err = web_urlsafe_check(&u, NULL, NULL);
	if (u.kind == WEB_URLSAFE_NAME ? err != 0 :
	    err != (u.kind == WEB_URLSAFE_IPV4 ?
		    web_urlsafe_v4_ok(&u.v4, NULL, NULL) :
		    web_urlsafe_v6_ok(&u.v6, NULL, NULL)))
		abort();
}

static void check_allow(const char *p, size_t len)
{
	struct web_urlsafe_allow al, again;
	char text[WEB_URLSAFE_ALLOW_MAX * 56], addr[INET6_ADDRSTRLEN];
	const char *why = NULL;
	size_t i, n = 0;
	int err;

	web_urlsafe_allow_init(&al);
	err = web_urlsafe_allow_parse(&al, p, len, &why);
	if (err) {
		if ((err != EINVAL && err != EMSGSIZE) || !why || al.n)
			abort();
		return;
	}
	if (why || al.n > WEB_URLSAFE_ALLOW_MAX)
		abort();
	for (i = 0; i < al.n; i++) {
		const struct web_urlsafe_cidr *c = &al.v[i];

		if ((c->family != AF_INET && c->family != AF_INET6) ||
		    c->bits > (c->family == AF_INET ? 32 : 128))
			abort();
		if (!inet_ntop(c->family, c->addr, addr, sizeof(addr)))
			abort();
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s/%u,",
				      addr, c->bits);
	}
	web_urlsafe_allow_init(&again);
	if (web_urlsafe_allow_parse(&again, text, n, NULL) ||
	    again.n != al.n || memcmp(again.v, al.v, al.n * sizeof(al.v[0])))
		abort();
}

static void check_addr(const uint8_t *p, size_t len)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0xff, 0xff};
	struct web_urlsafe_allow all;
	struct sockaddr_in6 sin6;
	struct in6_addr a6;
	struct in_addr a4;
	enum web_urlsafe_class c6, c4, cs;
	int e6, es;

	if (len < 16)
		return;
	memcpy(&a6, p, 16);
	memcpy(&a4, p + 12, 4);
	c6 = web_urlsafe_v6_class(&a6);
	c4 = web_urlsafe_v4_class(&a4);
	if (c6 >= WEB_URLSAFE_CLASS_COUNT || c4 >= WEB_URLSAFE_CLASS_COUNT)
		abort();
	if (!memcmp(p, mapped, 12) && c6 != c4)
		abort();
	e6 = web_urlsafe_v6_ok(&a6, NULL, NULL);
	if ((e6 == 0) != (c6 == WEB_URLSAFE_PUBLIC))
		abort();
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = a6;
	es = web_urlsafe_sockaddr_ok((struct sockaddr *)&sin6, sizeof(sin6),
				     NULL, &cs);
	if (es != e6 || cs != c6)
		abort();
	web_urlsafe_allow_init(&all);
	if (web_urlsafe_allow_parse(&all, "0.0.0.0/0 ::/0", 14, NULL) ||
	    web_urlsafe_v6_ok(&a6, &all, NULL) ||
	    web_urlsafe_v4_ok(&a4, &all, NULL))
		abort();
}

static void check_numeric(const char *p, size_t len)
{
	char host[80], url[96];
	struct web_urlsafe_url u;
	struct in_addr a;
	size_t i;
	int ok, err;

	/* a label past 63 bytes is refused as a host name, rightly, where
	 * inet_aton would still read the digits: compare only shorter ones */
	if (len == 0 || len > WEB_URLSAFE_LABEL_MAX || p[len - 1] == '.')
		return;
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdefxABCDEFX.", p[i]) || !p[i])
			return;
	memcpy(host, p, len);
	host[len] = '\0';
	ok = inet_aton(host, &a);
	snprintf(url, sizeof(url), "http://%s/", host);
	err = web_urlsafe_parse(&u, url, strlen(url), NULL);
	if (ok && (err || u.kind != WEB_URLSAFE_IPV4 ||
		   u.v4.s_addr != a.s_addr))
		abort();
	if (!ok && !err && u.kind == WEB_URLSAFE_IPV4)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		check_url(p, size - 1);
		break;
	case 1:
		check_allow(p, size - 1);
		break;
	case 2:
		check_addr(data + 1, size - 1);
		break;
	default:
		check_numeric(p, size - 1);
		break;
	}
	return 0;
}
