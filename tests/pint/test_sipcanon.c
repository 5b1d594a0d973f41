/*
 * tests/pint/test_sipcanon.c — pint_sip_head_canonical: which header
 * sections skip the print-and-reparse check, and that each field it takes
 * is really printed back unchanged by the osip we link; pint_sip_prints
 * against pint_sip_printable.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/sip_priv.h"

#define BUF 2048

static int group_setup(void **state)
{
	(void)state;
	return pint_sip_init();
}

/* One header field; printed: the name osip prints it under (structured). */
static const struct {
	const char *name;
	const char *value;
	bool canon;
	const char *printed;
} fields[] = {
	{"Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa1;rport", true, "Via"},
	{"Via", "SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK1;received=2001:db8::1",
	 true, "Via"},
	{"v", "SIP/2.0/TCP gw.example.net;branch=z9hG4bK-x;rport=5060", true, "Via"},
	{"Via", "SIP/2.0/UDP  127.0.0.1;branch=z9hG4bKa", false, NULL},
	{"Via", "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKa, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKb",
	 false, NULL},
	{"Via", "sip/2.0/UDP 127.0.0.1;branch=z9hG4bKa", false, NULL},
	{"Via", "SIP/2.0/UDP 127.0.0.1:;branch=z9hG4bKa", false, NULL},
	{"Via", "SIP/2.0/UDP 127.0.0.1 ;branch=z9hG4bKa", false, NULL},
	{"Via", "SIP/2.0/UDP 127.0.0.1;branch=\"q\"", false, NULL},
	{"Via", "SIP/2.0/UDP 127.0.0.1;branch=", false, NULL},
	{"Via", "SIP/2.0/UDP 127.0.0.1:123456;branch=z9hG4bKa", false, NULL},
	{"Via", "SIP/2.0/UDP 127.0.0.1 (comment)", false, NULL},
	{"From", "<sip:pintgw@127.0.0.1>;tag=BUohDmRhVFrn8jyOAwMjlA", true, "From"},
	{"From", "\"PINT gateway\" <sip:pintgw@127.0.0.1:5060;transport=udp>;tag=a-1",
	 true, "From"},
	{"f", "Bob Smith <sip:+15555550100@gw.example.net;user=phone>", true,
	 "From"},
	{"To", "<sip:R2C@127.0.0.1>", true, "To"},
	{"To", "sip:R2C@127.0.0.1;tag=x", false, NULL},
	{"To", "<sip:R2C@127.0.0.1> ;tag=x", false, NULL},
	{"To", "Bob<sip:R2C@127.0.0.1>", false, NULL},
	{"To", "Bob  Smith <sip:R2C@127.0.0.1>", false, NULL},
	{"To", "<sip:n\t;>", false, NULL},
	{"To", "<sip:a@bc;x-obr=1>", false, NULL},
	{"To", "<sip:a@bc:>", false, NULL},
	{"To", "<sip:a@bc?subject=x>", false, NULL},
	{"To", "<sip:%41@bc>", false, NULL},
	{"To", "<sip:a:pw@bc>", false, NULL},
	{"To", "<tel:+15555550100>", false, NULL},
	{"To", "\"a\\\"b\" <sip:a@bc>", false, NULL},
	{"To", "<sip:a@bc>;tag=\"x\"", false, NULL},
	{"To", "<sip:a@bc>;=x", false, NULL},
	{"Contact", "<sip:127.0.0.1:25999>", true, "Contact"},
	{"m", "<sip:[::1]:5060;transport=tcp>;expires=60", true, "Contact"},
	{"Contact", "*", false, NULL},
	{"Contact", "<sip:a@bc>;+sip.instance=\"<urn:x>\"", false, NULL},
	{"Contact", "<sip:a@bc>, <sip:d@ef>", false, NULL},
	{"Route", "<sip:proxy.example.net;lr>", true, "Route"},
	{"Record-Route", "<sip:10.0.0.1;lr>", true, "Record-Route"},
	{"Call-ID", "wPVBat4Vke39s8dX_omY0A", true, "Call-ID"},
	{"i", "1-12345@127.0.0.1", true, "Call-ID"},
	{"Call-ID", "@host", false, NULL},
	{"Call-ID", "a b", false, NULL},
	{"CSeq", "1 INVITE", true, "CSeq"},
	{"CSeq", "1  INVITE", false, NULL},
	{"CSeq", "1 INVITE x", false, NULL},
	{"CSeq", "x INVITE", false, NULL},
	{"Content-Type", "application/sdp", true, "Content-Type"},
	{"c", "multipart/related;type=\"application/sdp\";boundary=\"pint-W8y\"",
	 true, "Content-Type"},
	{"Content-Type", "multipart/related; boundary=b1", true, "Content-Type"},
	{"Content-Type", "multipart/related; boundary", false, NULL},
	{"Content-Type", "text/plain; charset=\"a,b\"", false, NULL},
	{"Content-Type", "text/plain ; charset=utf-8", false, NULL},
	{"Content-Type", "text/plain;  charset=utf-8", false, NULL},
	{"Allow", "INVITE, ACK", false, NULL},
	{"WWW-Authenticate", "Digest realm=\"x\", nonce=\"y\"", false, NULL},
	{"MIME-Version", "1.0", false, NULL},
	{"Max-Forwards", "70", true, NULL},
	{"Subject", "a, b,, \"c", true, NULL},
	{"Warning", "399 gw \"a, b\"", true, NULL},
	{"Content-Length", "0", true, NULL},
};

/* Request-URIs of the start line. */
static const struct {
	const char *uri;
	bool canon;
} uris[] = {
	{"sip:R2C@127.0.0.1", true},
	{"sip:127.0.0.1:25999", true},
	{"sips:alice@[2001:db8::1]:5061;transport=tls", true},
	{"sip:+15555550199@gw.example.net;user=phone;lr", true},
	{"sip:a@b", true},
	{"sip:a@bc:", false},
	{"SIP:a@bc", false},
	{"sip:a:pw@bc", false},
	{"sip:a@bc?x=y", false},
	{"sip:%61@bc", false},
	{"sip:a@bc;x-obp", false},
	{"sip:a@[zz::1]", false},
	{"sip:a@[127.0.0.1]", false},
	{"sip:a@bc;=x", false},
};

static bool canon_of(const char *msg)
{
	struct pint_sip_head h;

	assert_int_equal(pint_sip_head_scan(msg, strlen(msg), &h), 0);
	assert_null(h.bad);
	return pint_sip_head_canonical(&h);
}

static void test_field_table(void **state)
{
	char msg[BUF];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(msg, sizeof(msg),
			 "OPTIONS sip:R2C@127.0.0.1 SIP/2.0\r\n%s: %s\r\n\r\n",
			 fields[i].name, fields[i].value);
		if (canon_of(msg) != fields[i].canon)
			fail_msg("%s: %s: expected %s", fields[i].name,
				 fields[i].value, fields[i].canon ? "canonical" :
				 "not canonical");
		/* a status line never stands in the way */
		snprintf(msg, sizeof(msg), "SIP/2.0 200 OK\r\n%s: %s\r\n\r\n",
			 fields[i].name, fields[i].value);
		assert_int_equal(canon_of(msg), fields[i].canon);
	}
}

static void test_uri_table(void **state)
{
	char msg[BUF];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		snprintf(msg, sizeof(msg), "OPTIONS %s SIP/2.0\r\n\r\n",
			 uris[i].uri);
		if (canon_of(msg) != uris[i].canon)
			fail_msg("%s: expected %s", uris[i].uri,
				 uris[i].canon ? "canonical" : "not canonical");
	}
}

/* s without the spaces after semicolons: osip prints "; name=value". */
static void squeeze(char *s)
{
	char *o = s, *start = s;

	for (; *s; s++)
		if (!(*s == ' ' && o > start && o[-1] == ';'))
			*o++ = *s;
	*o = '\0';
}

/* osip's text of m, NUL-terminated (osip_free it). */
static char *printed(const char *msg)
{
	osip_message_t *m = NULL;
	char *s = NULL;
	size_t n = 0;

	assert_int_equal(osip_message_init(&m), 0);
	assert_int_equal(osip_message_parse(m, msg, strlen(msg)), 0);
	assert_int_equal(osip_message_to_str(m, &s, &n), 0);
	osip_message_free(m);
	return s;
}

/*
 * Every structured field taken as canonical comes back from osip's
 * printer as it went in: parsing the print reads the same text.
 */
static void test_fixed_points(void **state)
{
	char msg[BUF], want[BUF], *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!fields[i].canon || !fields[i].printed)
			continue;
		snprintf(msg, sizeof(msg),
			 "OPTIONS sip:R2C@127.0.0.1 SIP/2.0\r\n%s: %s\r\n\r\n",
			 fields[i].name, fields[i].value);
		snprintf(want, sizeof(want), "\r\n%s: %s\r\n",
			 fields[i].printed, fields[i].value);
		s = printed(msg);
		squeeze(s);
		squeeze(want);
		if (!strstr(s, want))
			fail_msg("osip printed %s as:\n%s", fields[i].value, s);
		osip_free(s);
	}
	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		if (!uris[i].canon)
			continue;
		snprintf(msg, sizeof(msg), "OPTIONS %s SIP/2.0\r\n\r\n",
			 uris[i].uri);
		s = printed(msg);
		if (strncmp(s, msg, strlen(msg) - 2) != 0)
			fail_msg("osip printed %s as:\n%s", uris[i].uri, s);
		osip_free(s);
	}
}

/*
 * Whole messages, canonical or not, get the same answer from
 * pint_sip_parse as before, and what it accepts prints and parses again.
 */
static const struct {
	const char *head;       /* after the start line, before the end */
	bool canon;
	int err;
} messages[] = {
	{"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKm1\r\n"
	 "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
	 "Call-ID: m1@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n",
	 true, 0},
	{"v: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKm2\r\n"
	 "f: <sip:a@127.0.0.1>;tag=1\r\nt: sip:b@127.0.0.1\r\n"
	 "i: m2\r\nCSeq: 1 OPTIONS\r\n", false, 0},
	/* the fuzzed forms osip prints and then refuses */
	{"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKm3\r\n"
	 "From: sip:n\t\t\t\t;tag=c1\r\nTo: <sip:b@127.0.0.1>\r\n"
	 "Call-ID: m3\r\nCSeq: 1 OPTIONS\r\n", false, EBADMSG},
	{"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKm4\r\n"
	 "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1:>\r\n"
	 "Call-ID: m4\r\nCSeq: 1 OPTIONS\r\n", false, EBADMSG},
	{"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKm5\r\n"
	 "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
	 "Call-ID: m5\r\nCSeq: 1 OPTIONS\r\n"
	 "Content-Type: text/plain; charset\r\n", false, EBADMSG},
};

static void test_messages(void **state)
{
	struct pint_sip_error why;
	osip_message_t *m = NULL, *again = NULL;
	char msg[BUF], *s;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(messages) / sizeof(messages[0]); i++) {
		snprintf(msg, sizeof(msg),
			 "OPTIONS sip:R2C@127.0.0.1 SIP/2.0\r\n%s\r\n",
			 messages[i].head);
		assert_int_equal(canon_of(msg), messages[i].canon);
		assert_int_equal(pint_sip_parse(&m, msg, strlen(msg), &why),
				 messages[i].err);
		if (messages[i].err)
			continue;
		assert_int_equal(pint_sip_to_str(m, &s, &n), 0);
		assert_int_equal(pint_sip_parse(&again, s, n, &why), 0);
		osip_message_free(again);
		osip_message_free(m);
		free(s);
	}
}

/* The ways a parsed message can be left unprintable by direct edits. */
enum edit {
	E_NONE, E_CTYPE_PARAM, E_CTYPE_SUBTYPE, E_FROM_URL, E_TO_HOST,
	E_CALL_ID, E_CSEQ_METHOD, E_MIME_VERSION, E_URI_SCHEME, E_END,
};

static void edit(osip_message_t *m, enum edit e)
{
	osip_content_length_t *mv = NULL;

	switch (e) {
	case E_CTYPE_PARAM:
		assert_int_equal(osip_generic_param_add(&m->content_type->gen_params,
							osip_strdup("charset"),
							NULL), 0);
		break;
	case E_CTYPE_SUBTYPE:
		osip_free(m->content_type->subtype);
		m->content_type->subtype = NULL;
		break;
	case E_FROM_URL:
		osip_uri_free(m->from->url);
		m->from->url = NULL;
		break;
	case E_TO_HOST:
		osip_free(m->to->url->host);
		m->to->url->host = NULL;
		break;
	case E_CALL_ID:
		osip_free(m->call_id->number);
		m->call_id->number = NULL;
		break;
	case E_CSEQ_METHOD:
		osip_free(m->cseq->method);
		m->cseq->method = NULL;
		break;
	case E_MIME_VERSION:
		assert_int_equal(osip_content_length_init(&mv), 0);
		m->mime_version = mv;
		break;
	case E_URI_SCHEME:
		m->to->url->string = osip_strdup("opaque");
		osip_free(m->to->url->scheme);
		m->to->url->scheme = NULL;
		break;
	case E_NONE:
	case E_END:
		break;
	}
}

/*
 * pint_sip_prints() agrees with pint_sip_printable(), which prints, on
 * every part whose absence makes osip's printer fail, and pint_sip_to_str
 * refuses what either refuses.
 */
static void test_prints(void **state)
{
	const char msg[] = "OPTIONS sip:R2C@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKp1\r\n"
		"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
		"Call-ID: p1@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n"
		"Content-Type: text/plain\r\n\r\nhello";
	osip_message_t *m;
	char *s;
	size_t n;
	int e;

	(void)state;
	for (e = E_NONE; e < E_END; e++) {
		m = NULL;
		assert_int_equal(pint_sip_parse(&m, msg, sizeof(msg) - 1, NULL),
				 0);
		edit(m, (enum edit)e);
		assert_int_equal(pint_sip_prints(m), e == E_NONE);
		assert_int_equal(pint_sip_printable(m) == 0, e == E_NONE);
		s = NULL;
		/* osip reports a MIME-Version without value as no memory */
		assert_int_equal(pint_sip_to_str(m, &s, &n),
				 e == E_NONE ? 0 : e == E_MIME_VERSION ?
				 ENOMEM : EINVAL);
		free(s);
		osip_message_free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_field_table),
		leakcheck_test(test_uri_table),
		leakcheck_test(test_fixed_points),
		leakcheck_test(test_messages),
		leakcheck_test(test_prints),
	};

	return cmocka_run_group_tests_name("sipcanon", tests, group_setup,
					   NULL);
}
