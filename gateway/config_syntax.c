/*
 * gateway/config_syntax.c — the shape of single values in pintgw.conf:
 * addresses, host names, origins, tokens, prefixes, hashes, booleans.
 * Pure: inet_pton is the only library call that looks at addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/config_int.h"

#define SHOW_MAX 48             /* bytes of a bad value quoted in a message */

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Length of s when it is at most max bytes, else max + 1. */
static size_t bounded(const char *s, size_t max)
{
	return strnlen(s, max + 1);
}

/*
 * An IPv4 or IPv6 literal of len bytes (no brackets, no zone). *v6p (may
 * be NULL) says which.
 */
bool gw_conf_ip_literal(const char *s, size_t len, bool *v6p)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, bin) == 1) {
		if (v6p)
			*v6p = false;
		return true;
	}
	if (inet_pton(AF_INET6, buf, bin) == 1) {
		if (v6p)
			*v6p = true;
		return true;
	}
	return false;
}

/*
 * A DNS name: labels of 1..63 letters, digits, '-' and '_' (not starting
 * or ending with '-'), dots between, at most 253 bytes. All-numeric names
 * are refused: "192.0.2.300" is a typo, not a host name.
 */
bool gw_conf_valid_hostname(const char *p, size_t len)
{
	size_t i, label = 0;
	bool alpha = false;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char c = p[i];

		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_alnum(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
		alpha |= !is_digit(c);
	}
	return alpha && p[len - 1] != '-' && p[len - 1] != '.';
}

/* "0".."65535", no sign, no leading zeros beyond one digit. */
static bool parse_port(const char *p, size_t len, bool zero_ok, uint16_t *portp)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5 || (len > 1 && p[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		if (!is_digit(p[i]))
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v > 65535 || (v == 0 && !zero_ok))
		return false;
	*portp = (uint16_t)v;
	return true;
}

/*
 * [udp:|tcp:]HOST[:PORT] with HOST an IPv4 literal, a bracketed IPv6
 * literal or (unless GW_ADDR_NUMERIC) a host name; see GW_ADDR_*. SIP
 * addresses without a port get 5060. Fills *a but a->host, and says
 * where the host is; allocates nothing.
 */
static bool split_addr(const char *s, unsigned flags, struct gw_conf_addr *a,
		       const char **hostp, size_t *hlenp)
{
	const char *host, *end, *rest;
	size_t len = bounded(s, GW_CONF_MAX_STR), hlen;

	if (len > GW_CONF_MAX_STR)
		return false;
	*a = (struct gw_conf_addr){PINT_TSX_UDP, NULL, 5060, false, false};
	end = s + len;
	host = s;
	if (flags & GW_ADDR_SIP) {
		if (len > 4 && strncasecmp(s, "udp:", 4) == 0)
			a->transport = PINT_TSX_UDP;
		else if (len > 4 && strncasecmp(s, "tcp:", 4) == 0)
			a->transport = PINT_TSX_TCP;
		else
			return false;
		host += 4;
	}
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (!close)
			return false;
		hlen = (size_t)(close - host - 1);
		if (!gw_conf_ip_literal(host + 1, hlen, &a->ipv6) || !a->ipv6)
			return false;
		a->numeric = true;
		host++;
		rest = close + 1;
	} else {
		rest = memchr(host, ':', (size_t)(end - host));
		if (!rest)
			rest = end;
		hlen = (size_t)(rest - host);
		if (gw_conf_ip_literal(host, hlen, &a->ipv6)) {
			if (a->ipv6)
				return false;   /* IPv6 needs its brackets */
			a->numeric = true;
		} else if (!gw_conf_valid_hostname(host, hlen)) {
			return false;
		}
	}
	if (rest == end) {
		if (flags & GW_ADDR_NEED_PORT)
			return false;
	} else if (*rest != ':' ||
		   !parse_port(rest + 1, (size_t)(end - rest - 1),
			       flags & GW_ADDR_PORT_ZERO, &a->port)) {
		return false;
	}
	if ((flags & GW_ADDR_NUMERIC) && !a->numeric)
		return false;
	*hostp = host;
	*hlenp = hlen;
	return true;
}

/*
 * An address (see split_addr) into *out: 0, EINVAL or ENOMEM; out->host
 * is allocated on success only.
 */
int gw_conf_parse_addr(const char *s, unsigned flags, struct gw_conf_addr *out)
{
	struct gw_conf_addr a;
	const char *host;
	size_t hlen;

	if (!split_addr(s, flags, &a, &host, &hlen))
		return EINVAL;
	a.host = malloc(hlen + 1);
	if (!a.host)
		return ENOMEM;
	memcpy(a.host, host, hlen);
	a.host[hlen] = '\0';
	*out = a;
	return 0;
}

/*
 * host[:port] for a Request-URI: a host name, an IPv4 literal or a
 * bracketed IPv6 literal (pint_gwset_check's rule for domain).
 */
bool gw_conf_valid_hostport(const char *s)
{
	struct gw_conf_addr a;
	const char *host;
	size_t hlen;

	return split_addr(s, 0, &a, &host, &hlen);
}

/* "*", or http(s)://host[:port] exactly as a browser sends Origin. */
bool gw_conf_valid_origin(const char *s)
{
	size_t len = bounded(s, GW_CONF_MAX_STR), skip, hlen;
	struct gw_conf_addr a;
	const char *host;

	if (strcmp(s, "*") == 0)
		return true;
	if (len > GW_CONF_MAX_STR)
		return false;
	if (strncmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	return split_addr(s + skip, 0, &a, &host, &hlen);
}

/* An RFC 3261 token of 1..max bytes. */
bool gw_conf_valid_token(const char *s, size_t max)
{
	size_t i, len = bounded(s, max);

	if (len == 0 || len > max)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_alnum(s[i]) && !strchr("-.!%*_+`'~", s[i]))
			return false;
	}
	return true;
}

/* At most max bytes without control characters (UTF-8 passes). */
bool gw_conf_valid_text(const char *s, size_t max, bool empty_ok)
{
	size_t i, len = bounded(s, max);

	if (len > max || (len == 0 && !empty_ok))
		return false;
	for (i = 0; i < len; i++) {
		if (is_ctl((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* sip: or sips: and nothing that would end a URI inside a header. */
bool gw_conf_valid_sip_uri(const char *s)
{
	size_t i, len = bounded(s, GW_CONF_MAX_STR), skip;

	if (len > GW_CONF_MAX_STR)
		return false;
	if (strncasecmp(s, "sip:", 4) == 0)
		skip = 4;
	else if (strncasecmp(s, "sips:", 5) == 0)
		skip = 5;
	else
		return false;
	if (len == skip)
		return false;
	for (i = 0; i < len; i++) {
		if (is_ctl((unsigned char)s[i]) || s[i] == ' ' ||
		    strchr("<>\"", s[i]))
			return false;
	}
	return true;
}

/* An E.164 prefix: '+', a non-zero digit, at most 15 digits. */
bool gw_conf_valid_prefix(const char *s)
{
	size_t i, len = bounded(s, 16);

	if (len < 2 || len > 16 || s[0] != '+' || s[1] == '0')
		return false;
	for (i = 1; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
	}
	return true;
}

/* A portable environment variable name. */
bool gw_conf_valid_envname(const char *s)
{
	size_t i, len = bounded(s, 128);

	if (len == 0 || len > 128 || is_digit(s[0]))
		return false;
	for (i = 0; i < len; i++) {
		if (!is_alnum(s[i]) && s[i] != '_')
			return false;
	}
	return true;
}

/*
 * A section name: 1..GW_CONF_MAX_NAME letters, digits, '-', '_', '.' —
 * safe in logs, JSON and URLs, and an RFC 3261 token.
 */
bool gw_conf_valid_name(const char *s)
{
	size_t i, len = bounded(s, GW_CONF_MAX_NAME);

	if (len == 0 || len > GW_CONF_MAX_NAME)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_alnum(s[i]) && !strchr("-_.", s[i]))
			return false;
	}
	return true;
}

/* true/false, yes/no, on/off, 1/0 in any case; else EINVAL. */
int gw_conf_parse_bool(const char *s, bool *bp)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*bp = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*bp = false;
			return 0;
		}
	}
	return EINVAL;
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "sha256:" and 64 hex digits (either case) into 32 bytes; else EINVAL. */
int gw_conf_parse_hash(const char *s, uint8_t out[GW_CONF_HASH_LEN])
{
	size_t i;

	if (strncasecmp(s, "sha256:", 7) != 0 ||
	    bounded(s + 7, 2 * GW_CONF_HASH_LEN) != 2 * GW_CONF_HASH_LEN)
		return EINVAL;
	s += 7;
	for (i = 0; i < GW_CONF_HASH_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/*
 * A value as it may appear in a message: at most SHOW_MAX bytes, then
 * "...", bytes outside printable ASCII as \xNN (a config error must not
 * put control characters into the log).
 */
void gw_conf_show(const char *val, char *buf, size_t size)
{
	size_t i, n = 0;

	if (size == 0)
		return;
	for (i = 0; val[i] && n + 5 < size; i++) {
		unsigned char c = (unsigned char)val[i];

		if (i == SHOW_MAX) {
			n += (size_t)snprintf(buf + n, size - n, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\\')
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n < size ? n : size - 1] = '\0';
}
