/*
 * web/urlsafe.h — outbound URL and address policy (webhooks, content
 * fetch): a strict http/https URL parser that sees through numeric host
 * tricks (web/urlsafe_url.c), and pure judges of IPv4/IPv6 addresses
 * against the special ranges, with an allow-list of CIDRs from the config
 * (web/urlsafe.c). No allocation, no I/O, no state: every struct is caller
 * memory; u->path points into the caller's input.
 */
#ifndef WEB_URLSAFE_H
#define WEB_URLSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define WEB_URLSAFE_URL_MAX     2048u   /* bytes of an input URL */
#define WEB_URLSAFE_NAME_MAX    253u    /* bytes of a host name (no dot) */
#define WEB_URLSAFE_LABEL_MAX   63u     /* bytes of one name label */
#define WEB_URLSAFE_HOST_SIZE   256u    /* host buffer, NUL included */
/* Canonical URL text and its NUL (web_urlsafe_parse() refuses URLs
 * whose canonical form would be longer than WEB_URLSAFE_URL_MAX). */
#define WEB_URLSAFE_CANON_SIZE  (WEB_URLSAFE_URL_MAX + 1u)
#define WEB_URLSAFE_ALLOW_MAX   64u     /* CIDRs in an allow-list */
#define WEB_URLSAFE_ADDR_SIZE   INET6_ADDRSTRLEN

/* What a host is once normalised. */
enum web_urlsafe_kind {
	WEB_URLSAFE_NAME = 0,   /* judged after resolution, per address */
	WEB_URLSAFE_IPV4,
	WEB_URLSAFE_IPV6,
};

/* Why an address is refused; PUBLIC is the one class that is not. */
enum web_urlsafe_class {
	WEB_URLSAFE_PUBLIC = 0,
	WEB_URLSAFE_LOOPBACK,           /* 127/8, ::1 */
	WEB_URLSAFE_UNSPECIFIED,        /* 0/8, :: */
	WEB_URLSAFE_PRIVATE,            /* RFC 1918 */
	WEB_URLSAFE_LINK_LOCAL,         /* 169.254/16 (metadata), fe80::/10 */
	WEB_URLSAFE_CGNAT,              /* 100.64/10 */
	WEB_URLSAFE_MULTICAST,          /* 224/4, ff00::/8 */
	WEB_URLSAFE_BROADCAST,          /* 255.255.255.255 */
	WEB_URLSAFE_RESERVED,           /* 240/4; IPv6 outside 2000::/3 */
	WEB_URLSAFE_BENCHMARK,          /* 198.18/15, 2001:2::/48 */
	WEB_URLSAFE_SPECIAL,            /* 192.0.0/24, documentation, 6to4
					 * relay, 2001::/23, 100::/64 */
	WEB_URLSAFE_ULA,                /* fc00::/7 */
	WEB_URLSAFE_SITE_LOCAL,         /* fec0::/10 */
	WEB_URLSAFE_TEREDO,             /* 2001::/32 */
	WEB_URLSAFE_NOT_IP,             /* a family other than IPv4/IPv6 */
	WEB_URLSAFE_CLASS_COUNT
};

/*
 * A parsed URL. host is lower case, percent-decoded, without its trailing
 * dot; an IP literal is in canonical text (IPv6 without brackets) and in
 * v4/v6. path is a view of the input from the first '/' or '?' after the
 * authority up to '#' or the end (len 0: none).
 */
struct web_urlsafe_url {
	bool https;
	enum web_urlsafe_kind kind;
	char host[WEB_URLSAFE_HOST_SIZE];
	size_t host_len;
	struct in_addr v4;
	struct in6_addr v6;
	uint16_t port;                  /* given or the scheme's default */
	bool port_given;
	const char *path;
	size_t path_len;
};

/* One allow-list entry: family AF_INET or AF_INET6, network bytes. */
struct web_urlsafe_cidr {
	uint8_t family;
	uint8_t bits;
	uint8_t addr[16];
};

/* Addresses in these networks pass even when their class is refused. */
struct web_urlsafe_allow {
	size_t n;
	struct web_urlsafe_cidr v[WEB_URLSAFE_ALLOW_MAX];
};

/* URLs. */
int web_urlsafe_parse(struct web_urlsafe_url *u, const char *p, size_t len,
		      const char **whyp);
int web_urlsafe_canon(char *buf, size_t size,
		      const struct web_urlsafe_url *u);
int web_urlsafe_check(const struct web_urlsafe_url *u,
		      const struct web_urlsafe_allow *allow,
		      enum web_urlsafe_class *clsp);

/* Addresses. */
enum web_urlsafe_class web_urlsafe_v4_class(const struct in_addr *a);
enum web_urlsafe_class web_urlsafe_v6_class(const struct in6_addr *a);
int web_urlsafe_v4_ok(const struct in_addr *a,
		      const struct web_urlsafe_allow *allow,
		      enum web_urlsafe_class *clsp);
int web_urlsafe_v6_ok(const struct in6_addr *a,
		      const struct web_urlsafe_allow *allow,
		      enum web_urlsafe_class *clsp);
int web_urlsafe_sockaddr_ok(const struct sockaddr *sa, socklen_t len,
			    const struct web_urlsafe_allow *allow,
			    enum web_urlsafe_class *clsp);
const char *web_urlsafe_class_name(enum web_urlsafe_class c);

/* Allow-lists: "10.0.0.0/8, ::1/128 127.0.0.1" (config text). */
void web_urlsafe_allow_init(struct web_urlsafe_allow *allow);
int web_urlsafe_allow_parse(struct web_urlsafe_allow *allow, const char *p,
			    size_t len, const char **whyp);

#endif
