/*
 * tests/web/test_urlsafe.c — web/urlsafe.c: every special range and every
 * numeric host trick, table-driven, with and without allow-list entries;
 * the URL parser's refusals; canonical text; allow-list syntax.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "tests/pint/test_common.h"
#include "web/urlsafe.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The allow-list the "allowed with list" columns use. */
#define ALLOW "127.0.0.0/8 ::1/128, 10.0.0.0/8 169.254.169.254 fd00::/8"

static void allow_fill(struct web_urlsafe_allow *al, const char *text)
{
	const char *why = "unset";

	web_urlsafe_allow_init(al);
	assert_int_equal(web_urlsafe_allow_parse(al, text, strlen(text), &why),
			 0);
	assert_null(why);
}

/* ---- addresses ---- */

struct addr_case {
	const char *text;
	enum web_urlsafe_class cls;
	bool listed;            /* allowed once ALLOW is configured */
};

static const struct addr_case addr_cases[] = {
	/* IPv4 */
	{"127.0.0.1", WEB_URLSAFE_LOOPBACK, true},
	{"127.255.255.254", WEB_URLSAFE_LOOPBACK, true},
	{"0.0.0.0", WEB_URLSAFE_UNSPECIFIED, false},
	{"0.1.2.3", WEB_URLSAFE_UNSPECIFIED, false},
	{"10.0.0.1", WEB_URLSAFE_PRIVATE, true},
	{"10.255.255.255", WEB_URLSAFE_PRIVATE, true},
	{"172.16.0.1", WEB_URLSAFE_PRIVATE, false},
	{"172.31.255.255", WEB_URLSAFE_PRIVATE, false},
	{"172.15.255.255", WEB_URLSAFE_PUBLIC, true},
	{"172.32.0.1", WEB_URLSAFE_PUBLIC, true},
	{"192.168.1.1", WEB_URLSAFE_PRIVATE, false},
	{"169.254.169.254", WEB_URLSAFE_LINK_LOCAL, true},
	{"169.254.0.1", WEB_URLSAFE_LINK_LOCAL, false},
	{"100.64.0.1", WEB_URLSAFE_CGNAT, false},
	{"100.127.255.255", WEB_URLSAFE_CGNAT, false},
	{"100.63.255.255", WEB_URLSAFE_PUBLIC, true},
	{"100.128.0.1", WEB_URLSAFE_PUBLIC, true},
	{"224.0.0.1", WEB_URLSAFE_MULTICAST, false},
	{"239.255.255.250", WEB_URLSAFE_MULTICAST, false},
	{"255.255.255.255", WEB_URLSAFE_BROADCAST, false},
	{"240.0.0.1", WEB_URLSAFE_RESERVED, false},
	{"254.1.1.1", WEB_URLSAFE_RESERVED, false},
	{"198.18.0.1", WEB_URLSAFE_BENCHMARK, false},
	{"198.19.255.255", WEB_URLSAFE_BENCHMARK, false},
	{"198.17.255.255", WEB_URLSAFE_PUBLIC, true},
	{"198.20.0.1", WEB_URLSAFE_PUBLIC, true},
	{"192.0.0.170", WEB_URLSAFE_SPECIAL, false},
	{"192.0.2.1", WEB_URLSAFE_SPECIAL, false},
	{"198.51.100.7", WEB_URLSAFE_SPECIAL, false},
	{"203.0.113.9", WEB_URLSAFE_SPECIAL, false},
	{"192.88.99.1", WEB_URLSAFE_SPECIAL, false},
	{"8.8.8.8", WEB_URLSAFE_PUBLIC, true},
	{"1.1.1.1", WEB_URLSAFE_PUBLIC, true},
	{"126.255.255.255", WEB_URLSAFE_PUBLIC, true},
	{"128.0.0.1", WEB_URLSAFE_PUBLIC, true},
	{"223.255.255.255", WEB_URLSAFE_PUBLIC, true},
	/* IPv6 */
	{"::1", WEB_URLSAFE_LOOPBACK, true},
	{"::", WEB_URLSAFE_UNSPECIFIED, false},
	{"fc00::1", WEB_URLSAFE_ULA, false},
	{"fd12:3456::1", WEB_URLSAFE_ULA, true},
	{"fe80::1", WEB_URLSAFE_LINK_LOCAL, false},
	{"febf:ffff::1", WEB_URLSAFE_LINK_LOCAL, false},
	{"fec0::1", WEB_URLSAFE_SITE_LOCAL, false},
	{"feff::1", WEB_URLSAFE_SITE_LOCAL, false},
	{"ff02::1", WEB_URLSAFE_MULTICAST, false},
	{"ff0e::1", WEB_URLSAFE_MULTICAST, false},
	/* IPv4-mapped: the embedded address is judged, and listed */
	{"::ffff:127.0.0.1", WEB_URLSAFE_LOOPBACK, true},
	{"::ffff:7f00:1", WEB_URLSAFE_LOOPBACK, true},
	{"::ffff:10.0.0.1", WEB_URLSAFE_PRIVATE, true},
	{"::ffff:192.168.0.1", WEB_URLSAFE_PRIVATE, false},
	{"::ffff:169.254.169.254", WEB_URLSAFE_LINK_LOCAL, true},
	{"::ffff:0.0.0.0", WEB_URLSAFE_UNSPECIFIED, false},
	{"::ffff:8.8.8.8", WEB_URLSAFE_PUBLIC, true},
	/* IPv4-compatible ::/96 */
	{"::127.0.0.1", WEB_URLSAFE_LOOPBACK, true},
	{"::192.168.1.1", WEB_URLSAFE_PRIVATE, false},
	{"::0.0.0.2", WEB_URLSAFE_UNSPECIFIED, false},
	{"::8.8.8.8", WEB_URLSAFE_PUBLIC, true},
	/* NAT64 */
	{"64:ff9b::127.0.0.1", WEB_URLSAFE_LOOPBACK, true},
	{"64:ff9b::a9fe:a9fe", WEB_URLSAFE_LINK_LOCAL, true},
	{"64:ff9b::172.16.0.1", WEB_URLSAFE_PRIVATE, false},
	{"64:ff9b::8.8.8.8", WEB_URLSAFE_PUBLIC, true},
	{"64:ff9b:1::1", WEB_URLSAFE_RESERVED, false},
	/* 6to4 */
	{"2002:7f00:1::1", WEB_URLSAFE_LOOPBACK, true},
	{"2002:c0a8:101::1", WEB_URLSAFE_PRIVATE, false},
	{"2002:a9fe:a9fe::", WEB_URLSAFE_LINK_LOCAL, true},
	{"2002:808:808::1", WEB_URLSAFE_PUBLIC, true},
	/* Teredo and the rest of 2001::/23 */
	{"2001::1", WEB_URLSAFE_TEREDO, false},
	{"2001:0:4136:e378:8000:63bf:3fff:fdd2", WEB_URLSAFE_TEREDO, false},
	{"2001:2::1", WEB_URLSAFE_BENCHMARK, false},
	{"2001:10::1", WEB_URLSAFE_SPECIAL, false},
	{"2001:1ff::1", WEB_URLSAFE_SPECIAL, false},
	{"2001:db8::1", WEB_URLSAFE_SPECIAL, false},
	{"3fff::1", WEB_URLSAFE_SPECIAL, false},
	{"2001:200::1", WEB_URLSAFE_PUBLIC, true},
	{"2001:4860:4860::8888", WEB_URLSAFE_PUBLIC, true},
	{"2606:4700::1111", WEB_URLSAFE_PUBLIC, true},
	{"2a00:1450:4001::1", WEB_URLSAFE_PUBLIC, true},
	/* outside 2000::/3 */
	{"100::1", WEB_URLSAFE_RESERVED, false},
	{"1::1", WEB_URLSAFE_RESERVED, false},
	{"4000::1", WEB_URLSAFE_RESERVED, false},
	{"::ffff:0:7f00:1", WEB_URLSAFE_RESERVED, false},
};

static void check_addr(const struct addr_case *c,
		       const struct web_urlsafe_allow *al)
{
	enum web_urlsafe_class cls = WEB_URLSAFE_CLASS_COUNT;
	struct sockaddr_storage ss;
	struct in6_addr a6;
	struct in_addr a4;
	socklen_t sl;
	int want0 = c->cls == WEB_URLSAFE_PUBLIC ? 0 : EACCES;
	int want1 = c->listed ? 0 : EACCES;

	print_message("addr %s\n", c->text);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, c->text, &a4) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		assert_int_equal(web_urlsafe_v4_class(&a4), c->cls);
		assert_int_equal(web_urlsafe_v4_ok(&a4, NULL, &cls), want0);
		assert_int_equal(cls, c->cls);
		assert_int_equal(web_urlsafe_v4_ok(&a4, al, NULL), want1);
		sin->sin_family = AF_INET;
		sin->sin_addr = a4;
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		assert_int_equal(inet_pton(AF_INET6, c->text, &a6), 1);
		assert_int_equal(web_urlsafe_v6_class(&a6), c->cls);
		assert_int_equal(web_urlsafe_v6_ok(&a6, NULL, &cls), want0);
		assert_int_equal(cls, c->cls);
		assert_int_equal(web_urlsafe_v6_ok(&a6, al, NULL), want1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a6;
		sl = sizeof(*sin6);
	}
	cls = WEB_URLSAFE_CLASS_COUNT;
	assert_int_equal(web_urlsafe_sockaddr_ok((struct sockaddr *)&ss, sl,
						 NULL, &cls), want0);
	assert_int_equal(cls, c->cls);
	assert_int_equal(web_urlsafe_sockaddr_ok((struct sockaddr *)&ss, sl,
						 al, NULL), want1);
	/* a listed address passes for any class once 0/0 and ::/0 are in */
}

static void test_addr_table(void **state)
{
	struct web_urlsafe_allow al, all;
	size_t i;

	(void)state;
	allow_fill(&al, ALLOW);
	allow_fill(&all, "0.0.0.0/0 ::/0");
	for (i = 0; i < N(addr_cases); i++) {
		check_addr(&addr_cases[i], &al);
		if (strchr(addr_cases[i].text, ':')) {
			struct in6_addr a6;

			inet_pton(AF_INET6, addr_cases[i].text, &a6);
			assert_int_equal(web_urlsafe_v6_ok(&a6, &all, NULL), 0);
		} else {
			struct in_addr a4;

			inet_pton(AF_INET, addr_cases[i].text, &a4);
			assert_int_equal(web_urlsafe_v4_ok(&a4, &all, NULL), 0);
		}
	}
}

/* Every class has a distinct printable name. */
static void test_class_names(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < WEB_URLSAFE_CLASS_COUNT; i++) {
		const char *a = web_urlsafe_class_name(i);

		assert_non_null(a);
		assert_true(strlen(a) > 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(a, web_urlsafe_class_name(j));
	}
	assert_string_equal(web_urlsafe_class_name(WEB_URLSAFE_CLASS_COUNT),
			    "unknown");
	assert_string_equal(web_urlsafe_class_name(WEB_URLSAFE_LOOPBACK),
			    "loopback");
}

/* Non-IP families and short lengths are refused as NOT_IP. */
static void test_sockaddr_other(void **state)
{
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	struct web_urlsafe_allow all;
	enum web_urlsafe_class cls;

	(void)state;
	allow_fill(&all, "0.0.0.0/0 ::/0");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_int_equal(web_urlsafe_sockaddr_ok((struct sockaddr *)&sun,
						 sizeof(sun), &all, &cls),
			 EACCES);
	assert_int_equal(cls, WEB_URLSAFE_NOT_IP);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "8.8.8.8", &sin.sin_addr);
	assert_int_equal(web_urlsafe_sockaddr_ok((struct sockaddr *)&sin,
						 sizeof(sin) - 1, &all, &cls),
			 EACCES);
	assert_int_equal(cls, WEB_URLSAFE_NOT_IP);
	assert_int_equal(web_urlsafe_sockaddr_ok(NULL, 0, &all, &cls), EACCES);
	assert_int_equal(web_urlsafe_sockaddr_ok((struct sockaddr *)&sin,
						 sizeof(sin), NULL, &cls), 0);
	assert_int_equal(cls, WEB_URLSAFE_PUBLIC);
}

/* ---- URLs ---- */

struct url_case {
	const char *url;
	int err;
	enum web_urlsafe_kind kind;
	const char *host;
	unsigned port;
	int check;              /* web_urlsafe_check() without a list */
	int check_listed;       /* with ALLOW */
};

#define NAME WEB_URLSAFE_NAME
#define V4 WEB_URLSAFE_IPV4
#define V6 WEB_URLSAFE_IPV6
#define BAD(u) {u, EBADMSG, NAME, NULL, 0, 0, 0}

static const struct url_case url_cases[] = {
	{"http://example.com/hook", 0, NAME, "example.com", 80, 0, 0},
	{"https://example.com", 0, NAME, "example.com", 443, 0, 0},
	{"HTTPS://Example.COM:8443/X", 0, NAME, "example.com", 8443, 0, 0},
	{"http://example.com./", 0, NAME, "example.com", 80, 0, 0},
	{"http://LOCALHOST/", 0, NAME, "localhost", 80, 0, 0},
	{"http://ex%41mple.com/", 0, NAME, "example.com", 80, 0, 0},
	{"http://xn--bcher-kva.de/", 0, NAME, "xn--bcher-kva.de", 80, 0, 0},
	{"http://\xef\xbd\x85xample.com/", 0, NAME, "example.com", 80, 0, 0},
	{"http://a_b.example.com:/", 0, NAME, "a_b.example.com", 80, 0, 0},
	{"http://0xg1/", 0, NAME, "0xg1", 80, 0, 0},
	{"http://1.2.3.4.example/", 0, NAME, "1.2.3.4.example", 80, 0, 0},
	{"  http://example.com/ \n", 0, NAME, "example.com", 80, 0, 0},
	{"http://8.8.8.8/", 0, V4, "8.8.8.8", 80, 0, 0},
	{"http://[2001:4860:4860::8888]:8080/", 0, V6, "2001:4860:4860::8888",
	 8080, 0, 0},
	/* loopback in every spelling */
	{"http://127.0.0.1/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://0x7f000001/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://0X7F000001/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://2130706433/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://017700000001/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://127.1/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://127.0.1/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://0x7f.1/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://0177.0.0.1/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://0x7f.0x0.0x0.0x1/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://127.0.0.1./", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://%31%32%37.0.0.1/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://%30x7f%2e1/", 0, V4, "127.0.0.1", 80, EACCES, 0},
	{"http://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97\xef\xbc\x8e\xef\xbc\x90"
	 "\xef\xbc\x8e\xef\xbc\x90\xef\xbc\x8e\xef\xbc\x91/", 0, V4,
	 "127.0.0.1", 80, EACCES, 0},
	{"http://127\xe3\x80\x82" "0\xe3\x80\x82" "0\xef\xbd\xa1" "1/", 0, V4,
	 "127.0.0.1", 80, EACCES, 0},
	{"http://%EF%BC%91%EF%BC%92%EF%BC%97.0.0.1/", 0, V4, "127.0.0.1", 80,
	 EACCES, 0},
	{"http://\xef\xbc\x90\xef\xbd\x98\xef\xbc\x97\xef\xbd\x86.1/", 0, V4,
	 "127.0.0.1", 80, EACCES, 0},
	{"http://[::1]:8080/", 0, V6, "::1", 8080, EACCES, 0},
	{"http://[::ffff:127.0.0.1]/", 0, V6, "::ffff:127.0.0.1", 80, EACCES,
	 0},
	{"http://[::ffff:7f00:1]/", 0, V6, "::ffff:127.0.0.1", 80, EACCES, 0},
	{"http://[::FFFF:7F00:0001]/", 0, V6, "::ffff:127.0.0.1", 80, EACCES,
	 0},
	{"http://[64:ff9b::7f00:1]/", 0, V6, "64:ff9b::7f00:1", 80, EACCES, 0},
	{"http://[2002:7f00:1::]/", 0, V6, "2002:7f00:1::", 80, EACCES, 0},
	/* other refused ranges */
	{"http://0/", 0, V4, "0.0.0.0", 80, EACCES, EACCES},
	{"http://0.0.0.0:8080/", 0, V4, "0.0.0.0", 8080, EACCES, EACCES},
	{"http://[::]/", 0, V6, "::", 80, EACCES, EACCES},
	{"http://169.254.169.254/latest/meta-data/", 0, V4, "169.254.169.254",
	 80, EACCES, 0},
	{"http://2852039166/", 0, V4, "169.254.169.254", 80, EACCES, 0},
	{"http://[::ffff:a9fe:a9fe]/", 0, V6, "::ffff:169.254.169.254", 80,
	 EACCES, 0},
	{"http://10.1.2.3/", 0, V4, "10.1.2.3", 80, EACCES, 0},
	{"http://012.1.2.3/", 0, V4, "10.1.2.3", 80, EACCES, 0},
	{"http://192.168.0.1/", 0, V4, "192.168.0.1", 80, EACCES, EACCES},
	{"http://0xc0a80001/", 0, V4, "192.168.0.1", 80, EACCES, EACCES},
	{"http://172.16.0.1/", 0, V4, "172.16.0.1", 80, EACCES, EACCES},
	{"http://100.64.0.1/", 0, V4, "100.64.0.1", 80, EACCES, EACCES},
	{"http://224.0.0.1/", 0, V4, "224.0.0.1", 80, EACCES, EACCES},
	{"http://255.255.255.255/", 0, V4, "255.255.255.255", 80, EACCES,
	 EACCES},
	{"http://4294967295/", 0, V4, "255.255.255.255", 80, EACCES, EACCES},
	{"http://240.0.0.1/", 0, V4, "240.0.0.1", 80, EACCES, EACCES},
	{"http://198.18.0.1/", 0, V4, "198.18.0.1", 80, EACCES, EACCES},
	{"http://[fc00::1]/", 0, V6, "fc00::1", 80, EACCES, EACCES},
	{"http://[fd00::1]/", 0, V6, "fd00::1", 80, EACCES, 0},
	{"http://[fe80::1]/", 0, V6, "fe80::1", 80, EACCES, EACCES},
	{"http://[fec0::1]/", 0, V6, "fec0::1", 80, EACCES, EACCES},
	{"http://[2001::1]/", 0, V6, "2001::1", 80, EACCES, EACCES},
	/* refused syntax */
	BAD("ftp://example.com/"),
	BAD("file:///etc/passwd"),
	BAD("gopher://127.0.0.1:6379/_INFO"),
	BAD("javascript:alert(1)"),
	BAD("http:/example.com/"),
	BAD("http:example.com"),
	BAD("//example.com/"),
	BAD(""),
	BAD("http://"),
	BAD("http:///path"),
	BAD("http://user:pw@example.com/"),
	BAD("http://user@example.com/"),
	BAD("http://example.com@127.0.0.1/"),
	BAD("http://evil.com\\@127.0.0.1/"),
	BAD("http://evil.com\\.127.0.0.1/"),
	BAD("http://example.com:0/"),
	BAD("http://example.com:65536/"),
	BAD("http://example.com:99999999999999999999/"),
	BAD("http://example.com:80a/"),
	BAD("http://example.com:-1/"),
	BAD("http://1.2.3.4.5/"),
	BAD("http://256.0.0.1/"),
	BAD("http://1.2.3.256/"),
	BAD("http://1.2.65536/"),
	BAD("http://1.16777216/"),
	BAD("http://0x100000000/"),
	BAD("http://4294967296/"),
	BAD("http://08.0.0.1/"),
	BAD("http://0x/"),
	BAD("http://127..0.1/"),
	BAD("http://.example.com/"),
	BAD("http://example..com/"),
	BAD("http://example.com../"),
	BAD("http://foo.0x7f/"),
	BAD("http://example.123/"),
	BAD("http://exa mple.com/"),
	BAD("http://example.com/\tx"),
	BAD("http://exam\nple.com/"),
	BAD("http://ex%zzample.com/"),
	BAD("http://ex%4/"),
	BAD("http://%00.com/"),
	BAD("http://ex%2fample.com/"),
	BAD("http://b\xc3\xbc" "cher.de/"),
	BAD("http://\xc0\xae.com/"),
	BAD("http://\xff.com/"),
	BAD("http://\xef\xbc\xa0" "127.0.0.1/"),
	BAD("http://[::1/"),
	BAD("http://[::1]x/"),
	BAD("http://[]/"),
	BAD("http://[fe80::1%25eth0]/"),
	BAD("http://[::1%eth0]/"),
	BAD("http://[127.0.0.1]/"),
	BAD("http://[0x7f000001]/"),
	BAD("http://::1/"),
	BAD("http://::ffff:127.0.0.1/"),
	BAD("http://a:b:c/"),
};

static void check_url(const struct url_case *c,
		      const struct web_urlsafe_allow *al)
{
	struct web_urlsafe_url u;
	enum web_urlsafe_class cls;
	const char *why = "unset";
	int err;

	print_message("url %s\n", c->url);
	err = web_urlsafe_parse(&u, c->url, strlen(c->url), &why);
	assert_int_equal(err, c->err);
	if (err) {
		assert_non_null(why);
		assert_true(strlen(why) > 0);
		assert_int_equal(u.host_len, 0);
		return;
	}
	assert_null(why);
	assert_int_equal(u.kind, c->kind);
	assert_string_equal(u.host, c->host);
	assert_int_equal(u.host_len, strlen(c->host));
	assert_int_equal(u.port, c->port);
	assert_int_equal(web_urlsafe_check(&u, NULL, &cls), c->check);
	if (!c->check)
		assert_true(cls == WEB_URLSAFE_PUBLIC);
	else
		assert_true(cls != WEB_URLSAFE_PUBLIC);
	assert_int_equal(web_urlsafe_check(&u, al, NULL), c->check_listed);
}

static void test_url_table(void **state)
{
	struct web_urlsafe_allow al;
	size_t i;

	(void)state;
	allow_fill(&al, ALLOW);
	for (i = 0; i < N(url_cases); i++)
		check_url(&url_cases[i], &al);
}

/* The canonical text parses back to itself. */
static void test_canon_round_trip(void **state)
{
	char c1[WEB_URLSAFE_CANON_SIZE], c2[WEB_URLSAFE_CANON_SIZE];
	struct web_urlsafe_url u, v;
	size_t i;

	(void)state;
	for (i = 0; i < N(url_cases); i++) {
		const char *s = url_cases[i].url;

		if (web_urlsafe_parse(&u, s, strlen(s), NULL))
			continue;
		assert_int_equal(web_urlsafe_canon(c1, sizeof(c1), &u), 0);
		assert_int_equal(web_urlsafe_parse(&v, c1, strlen(c1), NULL),
				 0);
		assert_int_equal(v.kind, u.kind);
		assert_string_equal(v.host, u.host);
		assert_int_equal(v.port, u.port);
		assert_int_equal(v.https, u.https);
		assert_int_equal(web_urlsafe_canon(c2, sizeof(c2), &v), 0);
		assert_string_equal(c1, c2);
	}
}

struct canon_case {
	const char *url;
	const char *canon;
};

static const struct canon_case canon_cases[] = {
	{"HTTP://Example.COM", "http://example.com/"},
	{"http://0x7f.1:8080/a b?c=d#frag", "http://127.0.0.1:8080/a%20b?c=d"},
	{"https://[::FFFF:7F00:1]:443/x", "https://[::ffff:127.0.0.1]/x"},
	{"http://example.com:80?q", "http://example.com/?q"},
	{"http://example.com:443/", "http://example.com:443/"},
	{"https://example.com:80/", "https://example.com:80/"},
	{"http://ex.com/\xc3\xbc", "http://ex.com/%C3%BC"},
	{"http://ex.com/%7e/./../x", "http://ex.com/%7e/./../x"},
	{"http://ex.com#top", "http://ex.com/"},
	{"http://2130706433:8000/hook", "http://127.0.0.1:8000/hook"},
};

static void test_canon(void **state)
{
	char buf[WEB_URLSAFE_CANON_SIZE];
	struct web_urlsafe_url u;
	size_t i;

	(void)state;
	for (i = 0; i < N(canon_cases); i++) {
		const char *s = canon_cases[i].url;

		assert_int_equal(web_urlsafe_parse(&u, s, strlen(s), NULL), 0);
		assert_int_equal(web_urlsafe_canon(buf, sizeof(buf), &u), 0);
		assert_string_equal(buf, canon_cases[i].canon);
	}
	/* too small a buffer is EMSGSIZE at every size */
	assert_int_equal(web_urlsafe_parse(&u, "http://ex.com/abc", 17, NULL),
			 0);
	for (i = 0; i < sizeof("http://ex.com/abc"); i++)
		assert_int_equal(web_urlsafe_canon(buf, i, &u), EMSGSIZE);
	assert_int_equal(web_urlsafe_canon(buf, i, &u), 0);
	memset(&u, 0, sizeof(u));
	assert_int_equal(web_urlsafe_canon(buf, sizeof(buf), &u), EINVAL);
}

/* Bounds: the input is read only up to len; limits are EMSGSIZE. */
static void test_url_limits(void **state)
{
	static char big[WEB_URLSAFE_URL_MAX + 16];
	struct web_urlsafe_url u;
	const char *why;
	size_t n;

	(void)state;
	/* the length counts, not a NUL: "http://a.b" inside a longer text */
	assert_int_equal(web_urlsafe_parse(&u, "http://a.bc/xyz", 10, &why), 0);
	assert_string_equal(u.host, "a.b");
	assert_int_equal(u.path_len, 0);

	memset(big, 'a', sizeof(big));
	memcpy(big, "http://x.com/", 13);
	assert_int_equal(web_urlsafe_parse(&u, big, WEB_URLSAFE_URL_MAX, &why),
			 0);
	assert_int_equal(u.path_len, WEB_URLSAFE_URL_MAX - 12);
	assert_int_equal(web_urlsafe_parse(&u, big, WEB_URLSAFE_URL_MAX + 1,
					   &why), EMSGSIZE);
	assert_string_equal(why, "URL too long");
	/* the canonical form counts: 1000 spaces become 3000 bytes */
	memset(big + 13, ' ', 1000);
	big[1013] = 'z';
	assert_int_equal(web_urlsafe_parse(&u, big, 1014, &why), EMSGSIZE);
	assert_int_equal(web_urlsafe_parse(&u, big, 13 + 600 + 1, &why), 0);

	/* a 253-byte name passes, 254 does not; labels up to 63 */
	n = (size_t)snprintf(big, sizeof(big), "http://");
	while (n < 7 + 253) {
		size_t k = 7 + 253 - n > 63 ? 63 : 7 + 253 - n;

		memset(big + n, 'a', k);
		n += k;
		if (n < 7 + 253)
			big[n++] = '.';
	}
	assert_int_equal(web_urlsafe_parse(&u, big, n, &why), 0);
	assert_int_equal(u.host_len, 253);
	big[n] = '.';           /* a trailing dot does not count */
	assert_int_equal(web_urlsafe_parse(&u, big, n + 1, &why), 0);
	big[n] = 'a';
	assert_int_equal(web_urlsafe_parse(&u, big, n + 1, &why), EMSGSIZE);
	assert_string_equal(why, "host too long");
	memset(big + 7, 'a', 64);
	big[71] = '.';
	assert_int_equal(web_urlsafe_parse(&u, big, 72 + 2, &why), EBADMSG);
	assert_string_equal(why, "host label too long");

	assert_int_equal(web_urlsafe_parse(&u, NULL, 0, &why), EINVAL);
	assert_int_equal(web_urlsafe_parse(NULL, "http://a/", 9, &why),
			 EINVAL);
}

/* ---- allow-lists ---- */

struct allow_case {
	const char *text;
	int err;
	size_t n;
};

static const struct allow_case allow_cases[] = {
	{"", 0, 0},
	{" , \t", 0, 0},
	{"127.0.0.0/8", 0, 1},
	{"127.0.0.0/8, ::1/128 10.0.0.0/8", 0, 3},
	{"10.0.0.1", 0, 1},
	{"::1", 0, 1},
	{"fe80::/10", 0, 1},
	{"0.0.0.0/0", 0, 1},
	{"::/0", 0, 1},
	{"169.254.169.254/32\n100.64.0.0/10\r\n", 0, 2},
	{"10.0.0.1/8", EINVAL, 0},
	{"fe80::1/10", EINVAL, 0},
	{"10.0.0.0/33", EINVAL, 0},
	{"fe80::/129", EINVAL, 0},
	{"10.0.0.0/", EINVAL, 0},
	{"10.0.0.0/0008", EINVAL, 0},
	{"10.0.0.0/abc", EINVAL, 0},
	{"/8", EINVAL, 0},
	{"0x7f000001/32", EINVAL, 0},
	{"127.1/32", EINVAL, 0},
	{"example.com", EINVAL, 0},
	{"127.0.0.0/8 nonsense", EINVAL, 0},
	{"1234567890123456789012345678901234567890123456789012345678901/32",
	 EINVAL, 0},
};

static void test_allow_parse(void **state)
{
	struct web_urlsafe_allow al;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < N(allow_cases); i++) {
		const struct allow_case *c = &allow_cases[i];

		print_message("allow '%s'\n", c->text);
		web_urlsafe_allow_init(&al);
		why = "unset";
		assert_int_equal(web_urlsafe_allow_parse(&al, c->text,
							 strlen(c->text), &why),
				 c->err);
		assert_int_equal(al.n, c->n);
		if (c->err)
			assert_true(why && strlen(why) > 0);
		else
			assert_null(why);
	}
	/* the bits: 10.0.0.1 alone is a /32, ::1 a /128 */
	web_urlsafe_allow_init(&al);
	assert_int_equal(web_urlsafe_allow_parse(&al, "10.0.0.1 ::1", 12, NULL),
			 0);
	assert_int_equal(al.v[0].bits, 32);
	assert_int_equal(al.v[0].family, AF_INET);
	assert_int_equal(al.v[1].bits, 128);
	assert_int_equal(al.v[1].family, AF_INET6);
}

/* Parsing adds to the list; past the limit nothing is added. */
static void test_allow_limit(void **state)
{
	struct web_urlsafe_allow al;
	char text[WEB_URLSAFE_ALLOW_MAX * 16];
	const char *why;
	size_t n = 0, i;

	(void)state;
	web_urlsafe_allow_init(&al);
	assert_int_equal(web_urlsafe_allow_parse(&al, "10.0.0.0/8", 10, NULL),
			 0);
	for (i = 1; i < WEB_URLSAFE_ALLOW_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "11.%zu.0.0/16 ",
				      i);
	assert_int_equal(web_urlsafe_allow_parse(&al, text, n, &why), 0);
	assert_int_equal(al.n, WEB_URLSAFE_ALLOW_MAX);
	assert_int_equal(web_urlsafe_allow_parse(&al, "12.0.0.0/8", 10, &why),
			 EMSGSIZE);
	assert_int_equal(al.n, WEB_URLSAFE_ALLOW_MAX);
	/* an error halfway leaves the list as it was */
	web_urlsafe_allow_init(&al);
	assert_int_equal(web_urlsafe_allow_parse(&al, "10.0.0.0/8 bad", 14,
						 &why), EINVAL);
	assert_int_equal(al.n, 0);
	assert_int_equal(web_urlsafe_allow_parse(NULL, "x", 1, &why), EINVAL);
}

/* Prefixes that are not byte-aligned match exactly their range (refused
 * classes only: a public address passes with or without a list). */
static void test_allow_prefix(void **state)
{
	static const struct {
		const char *cidr, *addr;
		bool in;
	} cases[] = {
		{"10.64.0.0/10", "10.64.0.1", true},
		{"10.64.0.0/10", "10.127.255.255", true},
		{"10.64.0.0/10", "10.128.0.0", false},
		{"10.64.0.0/10", "10.63.255.255", false},
		{"192.168.0.0/17", "192.168.127.1", true},
		{"192.168.0.0/17", "192.168.128.1", false},
		{"10.0.0.1/32", "10.0.0.1", true},
		{"10.0.0.1/32", "10.0.0.2", false},
		{"fe80::/10", "febf::1", true},
		{"fe80::/10", "fec0::1", false},
		{"fd00::/7", "fc00::1", false},   /* host bits: refused below */
		{"fc00::/7", "fdff::1", true},
		{"fd00::/9", "fd7f::1", true},
		{"fd00::/9", "fd80::1", false},
		{"::1/128", "::1", true},
		{"::1/128", "::2", false},
		{"::ffff:0:0/96", "::ffff:10.1.1.1", true},
	};
	struct web_urlsafe_allow al;
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		struct in6_addr a6;
		struct in_addr a4;
		int err;

		web_urlsafe_allow_init(&al);
		err = web_urlsafe_allow_parse(&al, cases[i].cidr,
					      strlen(cases[i].cidr), NULL);
		if (!strcmp(cases[i].cidr, "fd00::/7")) {
			assert_int_equal(err, EINVAL);
			continue;
		}
		assert_int_equal(err, 0);
		if (inet_pton(AF_INET, cases[i].addr, &a4) == 1) {
			assert_int_equal(web_urlsafe_v4_ok(&a4, &al, NULL),
					 cases[i].in ? 0 : EACCES);
		} else {
			assert_int_equal(inet_pton(AF_INET6, cases[i].addr, &a6),
					 1);
			assert_int_equal(web_urlsafe_v6_ok(&a6, &al, NULL),
					 cases[i].in ? 0 : EACCES);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_addr_table),
		leakcheck_test(test_class_names),
		leakcheck_test(test_sockaddr_other),
		leakcheck_test(test_url_table),
		leakcheck_test(test_canon_round_trip),
		leakcheck_test(test_canon),
		leakcheck_test(test_url_limits),
		leakcheck_test(test_allow_parse),
		leakcheck_test(test_allow_limit),
		leakcheck_test(test_allow_prefix),
	};

	return cmocka_run_group_tests_name("web_urlsafe", tests, NULL, NULL);
}
