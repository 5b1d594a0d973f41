/*
 * tests/pint/test_req.c — pint/req.c: every builder is serialized with
 * osip_message_to_str, parsed again and checked field by field (osip does
 * not round-trip bytes, so the parsed fields are what we compare).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "tests/pint/test_common.h"
#include "pint/req.h"
#include "pint/req_int.h"

static const char SDP[] =
	"v=0\r\n"
	"o=- 3001 3001 IN IP4 192.0.2.10\r\n"
	"s=R2C\r\n"
	"e=sales@example.com\r\n"
	"c=TN RFC2543 +1-555-555-0199\r\n"
	"t=0 0\r\n"
	"m=audio 1 voice -\r\n";

static const char MULTIPART[] =
	"--pint-b1\r\n"
	"Content-Type: application/sdp\r\n"
	"\r\n"
	"v=0\r\n"
	"o=- 3002 3002 IN IP4 192.0.2.10\r\n"
	"s=R2F\r\n"
	"e=sales@example.com\r\n"
	"c=TN RFC2543 +1-555-555-0123\r\n"
	"t=0 0\r\n"
	"m=text 1 fax plain\r\n"
	"a=fmtp:plain spr:fax-text-1@gw.example.com\r\n"
	"\r\n"
	"--pint-b1\r\n"
	"Content-Type: text/plain; charset=us-ascii\r\n"
	"Content-ID: <fax-text-1@gw.example.com>\r\n"
	"\r\n"
	"Please find our price list below ...\r\n"
	"--pint-b1--\r\n";

static const char MP_TYPE[] =
	"multipart/related; type=\"application/sdp\"; boundary=\"pint-b1\"";

static const char AUTH[] =
	"Digest username=\"pintgw\", realm=\"pint.example.net\", "
	"nonce=\"6b8e1f\", uri=\"sip:R2F@pint.example.net\", "
	"response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5";

static const struct pint_req_local LOC_UDP = {
	"192.0.2.10", 5060, "UDP", "pint-client", "gw.example.com", "pintgw",
};
static const struct pint_req_local LOC_TCP = {
	"gw.example.com", 5060, "tcp", "pint-client", NULL, NULL,
};
static const struct pint_req_ids IDS = {"5f1e9c2a@gw.example.com", "a71c", 1};
static const struct pint_req_tx TX = {"z9hG4bK-r2c-1", NULL, NULL};

/* --- helpers ----------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	parser_init();
	return 0;
}

/* Serialize m, parse the text again; *wirep keeps the text (osip_free). */
static osip_message_t *reparse(osip_message_t *m, char **wirep)
{
	osip_message_t *p = NULL;
	char *wire = NULL;
	size_t len = 0;

	assert_int_equal(osip_message_to_str(m, &wire, &len), 0);
	assert_int_equal(osip_message_init(&p), 0);
	assert_int_equal(osip_message_parse(p, wire, len), 0);
	if (wirep)
		*wirep = wire;
	else
		osip_free(wire);
	return p;
}

/* Compare the osip string *sp (set by the call giving rc), free it. */
static void check_ostr(int rc, char **sp, const char *want)
{
	char *s = *sp;

	assert_int_equal(rc, 0);
	assert_non_null(s);
	if (strcmp(s, want)) {
		print_error("got '%s', want '%s'\n", s, want);
		osip_free(s);
		fail();
	}
	osip_free(s);
}

static void check_uri(const osip_uri_t *u, const char *want)
{
	char *s = NULL;

	assert_non_null(u);
	check_ostr(osip_uri_to_str(u, &s), &s, want);
}

/* Value of a generic parameter: NULL absent, "" present without value. */
static const char *gparam(const osip_list_t *l, const char *name)
{
	int i;

	for (i = 0; i < osip_list_size(l); i++) {
		osip_generic_param_t *p = osip_list_get(l, i);

		if (p->gname && !strcmp(p->gname, name))
			return p->gvalue ? p->gvalue : "";
	}
	return NULL;
}

/* name-addr: URI, tag (NULL = none) and display name as osip keeps it. */
static void check_addr(const osip_from_t *f, const char *uri, const char *tag,
		       const char *display)
{
	assert_non_null(f);
	check_uri(f->url, uri);
	if (tag)
		assert_string_equal(gparam(&f->gen_params, "tag"), tag);
	else
		assert_null(gparam(&f->gen_params, "tag"));
	if (display)
		assert_string_equal(f->displayname, display);
	else
		assert_null(f->displayname);
}

static int hcount(const osip_message_t *p, const char *name)
{
	osip_header_t *h = NULL;
	int i = -1, n = 0;

	/* the position argument is where the search starts */
	while ((i = osip_message_header_get_byname(p, name, i + 1, &h)) >= 0)
		n++;
	return n;
}

static const char *hval(const osip_message_t *p, const char *name, int pos)
{
	osip_header_t *h = NULL;
	int i = -1;

	while (pos-- >= 0) {
		i = osip_message_header_get_byname(p, name, i + 1, &h);
		if (i < 0)
			fail_msg("no %s header", name);
	}
	assert_non_null(h->hvalue);
	return h->hvalue;
}

/* osip parses Accept into its own list of content types. */
static void check_accept(const osip_message_t *p, const char *type,
			 const char *subtype)
{
	const osip_accept_t *a;

	assert_int_equal(osip_list_size(&p->accepts), 1);
	a = osip_list_get(&p->accepts, 0);
	assert_string_equal(a->type, type);
	assert_string_equal(a->subtype, subtype);
}

static void check_common(const osip_message_t *p, const char *method,
			 const char *ruri, const char *cseq)
{
	assert_true(MSG_IS_REQUEST(p));
	assert_string_equal(p->sip_method, method);
	check_uri(p->req_uri, ruri);
	assert_non_null(p->cseq);
	assert_string_equal(p->cseq->number, cseq);
	assert_string_equal(p->cseq->method, method);
	assert_string_equal(hval(p, "max-forwards", 0), "70");
	assert_int_equal(hcount(p, "max-forwards"), 1);
	assert_non_null(p->call_id);
}

static void check_callid(const osip_message_t *p, const char *want)
{
	char *s = NULL;

	check_ostr(osip_call_id_to_str(p->call_id, &s), &s, want);
}

static void check_via(const osip_message_t *p, const char *proto,
		      const char *host, const char *port, const char *branch)
{
	const osip_via_t *v;

	assert_int_equal(osip_list_size(&p->vias), 1);
	v = osip_list_get(&p->vias, 0);
	assert_string_equal(v->protocol, proto);
	assert_string_equal(v->host, host);
	assert_string_equal(v->port, port);
	assert_string_equal(gparam(&v->via_params, "branch"), branch);
}

static void check_contact(const osip_message_t *p, const char *want)
{
	char *s = NULL;

	if (!want) {
		assert_int_equal(osip_list_size(&p->contacts), 0);
		return;
	}
	assert_int_equal(osip_list_size(&p->contacts), 1);
	check_ostr(osip_contact_to_str(osip_list_get(&p->contacts, 0), &s), &s,
		   want);
}

static void check_body(const osip_message_t *p, const char *type,
		       const char *subtype, const char *body, size_t len)
{
	osip_body_t *b;

	if (!type) {
		assert_null(p->content_type);
		assert_int_equal(osip_list_size(&p->bodies), 0);
		return;
	}
	assert_non_null(p->content_type);
	assert_string_equal(p->content_type->type, type);
	assert_string_equal(p->content_type->subtype, subtype);
	assert_int_equal(osip_list_size(&p->bodies), 1);
	b = osip_list_get(&p->bodies, 0);
	assert_int_equal(b->length, len);
	assert_memory_equal(b->body, body, len);
}

/* The wire text after the blank line is exactly body. */
static void check_wire_body(const char *wire, const char *body)
{
	const char *p = strstr(wire, "\r\n\r\n");

	assert_non_null(p);
	assert_string_equal(p + 4, body);
}

/* --- out-of-dialog builders -------------------------------------------- */

static void test_invite_r2c(void **state)
{
	const struct pint_req_invite inv = {
		.service = "R2C", .domain = "pint.example.net",
		.to_uri = "sip:+15555550100@pint.example.net;user=phone",
		.require_sdp = true, .body = SDP, .body_len = sizeof(SDP) - 1,
	};
	osip_message_t *m = NULL, *p;
	char *wire;

	(void)state;
	assert_int_equal(pint_req_invite(&m, &LOC_UDP, &IDS, &TX, &inv), 0);
	p = reparse(m, &wire);
	check_common(p, "INVITE", "sip:R2C@pint.example.net", "1");
	check_via(p, "UDP", "192.0.2.10", "5060", "z9hG4bK-r2c-1");
	assert_non_null(gparam(&((osip_via_t *)osip_list_get(&p->vias, 0))
				       ->via_params, "rport"));
	check_addr(p->from, "sip:pint-client@gw.example.com", "a71c",
		   "\"pintgw\"");
	check_addr(p->to, "sip:+15555550100@pint.example.net;user=phone",
		   NULL, NULL);
	check_callid(p, "5f1e9c2a@gw.example.com");
	check_contact(p, "<sip:pint-client@192.0.2.10:5060>");
	assert_int_equal(hcount(p, "require"), 1);
	assert_string_equal(hval(p, "require", 0), "org.ietf.sdp.require");
	assert_int_equal(hcount(p, "event"), 0);
	assert_int_equal(osip_list_size(&p->authorizations), 0);
	check_body(p, "application", "sdp", SDP, sizeof(SDP) - 1);
	check_wire_body(wire, SDP);
	osip_free(wire);
	osip_message_free(p);
	osip_message_free(m);
}

static void test_invite_r2f_multipart_tcp(void **state)
{
	const struct pint_req_tx tx = {"z9hG4bK-r2f-1", AUTH, AUTH};
	const struct pint_req_invite inv = {
		.service = "R2F", .domain = "pint.example.net:5070",
		.tsp = "telco.example.org", .require_sdp = true,
		.require_subscribe = true, .content_type = MP_TYPE,
		.body = MULTIPART, .body_len = sizeof(MULTIPART) - 1,
	};
	osip_message_t *m = NULL, *p;
	osip_authorization_t *a;
	osip_body_t *b;
	char *wire;

	(void)state;
	assert_int_equal(pint_req_invite(&m, &LOC_TCP, &IDS, &tx, &inv), 0);
	p = reparse(m, &wire);
	check_common(p, "INVITE",
		     "sip:R2F@pint.example.net:5070;tsp=telco.example.org",
		     "1");
	check_via(p, "TCP", "gw.example.com", "5060", "z9hG4bK-r2f-1");
	check_addr(p->from, "sip:pint-client@gw.example.com", "a71c", NULL);
	check_addr(p->to, "sip:R2F@pint.example.net:5070;tsp=telco.example.org",
		   NULL, NULL);
	check_contact(p, "<sip:pint-client@gw.example.com:5060;transport=tcp>");
	assert_int_equal(hcount(p, "require"), 2);
	assert_string_equal(hval(p, "require", 0), "org.ietf.sdp.require");
	assert_string_equal(hval(p, "require", 1), "org.ietf.sip.subscribe");

	/* the caller's multipart bytes go out verbatim */
	check_wire_body(wire, MULTIPART);
	assert_string_equal(p->content_type->type, "multipart");
	assert_string_equal(p->content_type->subtype, "related");
	assert_string_equal(gparam(&p->content_type->gen_params, "boundary"),
			    "\"pint-b1\"");
	assert_string_equal(gparam(&p->content_type->gen_params, "type"),
			    "\"application/sdp\"");
	assert_int_equal(osip_list_size(&p->bodies), 2);
	b = osip_list_get(&p->bodies, 0);
	assert_string_equal(b->content_type->subtype, "sdp");
	assert_non_null(strstr(b->body, "a=fmtp:plain spr:fax-text-1@gw"));
	b = osip_list_get(&p->bodies, 1);
	assert_string_equal(b->content_type->type, "text");
	assert_string_equal(b->content_type->subtype, "plain");
	assert_int_equal(b->length,
			 strlen("Please find our price list below ..."));

	assert_int_equal(osip_list_size(&p->authorizations), 1);
	a = osip_list_get(&p->authorizations, 0);
	assert_string_equal(a->username, "\"pintgw\"");
	assert_string_equal(a->realm, "\"pint.example.net\"");
	assert_int_equal(osip_list_size(&p->proxy_authorizations), 1);
	osip_free(wire);
	osip_message_free(p);
	osip_message_free(m);
}

static void test_display_name_escaped(void **state)
{
	struct pint_req_local loc = LOC_UDP;
	const struct pint_req_invite inv = {
		.service = "R2C", .domain = "pint.example.net",
		.body = SDP, .body_len = sizeof(SDP) - 1,
	};
	osip_message_t *m = NULL, *p;

	(void)state;
	loc.display = "Sales \"East\" \\ desk";
	assert_int_equal(pint_req_invite(&m, &loc, &IDS, &TX, &inv), 0);
	p = reparse(m, NULL);
	assert_string_equal(p->from->displayname,
			    "\"Sales \\\"East\\\" \\\\ desk\"");
	check_addr(p->to, "sip:R2C@pint.example.net", NULL, NULL);
	osip_message_free(p);
	osip_message_free(m);
}

/* Hostile or out-of-range inputs: the error, *msgp untouched, no leak. */
enum field {
	F_SERVICE, F_DOMAIN, F_TSP, F_TO, F_CALLID, F_TAG, F_BRANCH, F_DISPLAY,
	F_USER, F_HOST, F_TRANSPORT, F_CTYPE, F_AUTH, F_CSEQ, F_BODY_NULL,
	F_BODY_LEN, F_NULL_LOC, F_NULL_IDS, F_NULL_TX, F_NULL_INV,
};

static void test_invite_rejects(void **state)
{
	static char longsvc[PINT_REQ_MAX_TOKEN + 2];
	static char longuri[PINT_REQ_MAX_URI + 2];
	const struct {
		enum field f;
		const char *v;
		int err;
	} cases[] = {
		{F_SERVICE, "R2C\r\nX-Evil: 1", EINVAL},
		{F_SERVICE, "R2C@evil.example", EINVAL},
		{F_SERVICE, "R2C>", EINVAL},
		{F_SERVICE, "", EINVAL},
		{F_SERVICE, longsvc, EMSGSIZE},
		{F_DOMAIN, "pint.example.net\r\nX: y", EINVAL},
		{F_DOMAIN, "pint example.net", EINVAL},
		{F_DOMAIN, "pint.example.net:70000", EINVAL},
		{F_TSP, "telco;maddr=evil", EINVAL},
		{F_TO, "sip:a@b\r\nX: y", EINVAL},
		{F_TO, "sip:a@b>;tag=x", EINVAL},
		{F_TO, "http://example.com/", EINVAL},
		{F_TO, longuri, EMSGSIZE},
		{F_CALLID, "abc\r\n@x", EINVAL},
		{F_CALLID, "abc def", EINVAL},
		{F_CALLID, "a@b@c", EINVAL},
		{F_CALLID, "a\"b", EINVAL},
		{F_TAG, "a;b", EINVAL},
		{F_BRANCH, "abcdef", EINVAL},
		{F_BRANCH, "z9hG4bK", EINVAL},
		{F_BRANCH, "z9hG4bK1\r\n", EINVAL},
		{F_DISPLAY, "pint\r\nX: y", EINVAL},
		{F_USER, "a@b", EINVAL},
		{F_HOST, "192.0.2.10 x", EINVAL},
		{F_TRANSPORT, "SCTP", EINVAL},
		{F_CTYPE, "text/plain", EINVAL},
		{F_CTYPE, "multipart/related", EINVAL},
		{F_CTYPE, "multipart/related; boundary=x\r\nX: y", EINVAL},
		{F_AUTH, "Digest a=\"b\"\r\nX: y", EINVAL},
		{F_AUTH, "\"", EINVAL},
		{F_CSEQ, NULL, ERANGE},
		{F_BODY_NULL, NULL, EINVAL},
		{F_BODY_LEN, "0", EINVAL},
		{F_BODY_LEN, "big", EMSGSIZE},
		{F_NULL_LOC, NULL, EINVAL},
		{F_NULL_IDS, NULL, EINVAL},
		{F_NULL_TX, NULL, EINVAL},
		{F_NULL_INV, NULL, EINVAL},
	};
	size_t i;

	(void)state;
	memset(longsvc, 'R', sizeof(longsvc) - 1);
	memcpy(longuri, "sip:", 4);
	memset(longuri + 4, 'a', sizeof(longuri) - 5);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pint_req_local loc = LOC_UDP;
		struct pint_req_ids ids = IDS;
		struct pint_req_tx tx = TX;
		struct pint_req_invite inv = {
			.service = "R2C", .domain = "pint.example.net",
			.body = SDP, .body_len = sizeof(SDP) - 1,
		};
		const struct pint_req_local *lp = &loc;
		const struct pint_req_ids *ip = &ids;
		const struct pint_req_tx *tp = &tx;
		const struct pint_req_invite *vp = &inv;
		const char *v = cases[i].v;
		osip_message_t *m = NULL;

		switch (cases[i].f) {
		case F_SERVICE: inv.service = v; break;
		case F_DOMAIN: inv.domain = v; break;
		case F_TSP: inv.tsp = v; break;
		case F_TO: inv.to_uri = v; break;
		case F_CALLID: ids.call_id = v; break;
		case F_TAG: ids.from_tag = v; break;
		case F_BRANCH: tx.branch = v; break;
		case F_DISPLAY: loc.display = v; break;
		case F_USER: loc.user = v; break;
		case F_HOST: loc.host = v; break;
		case F_TRANSPORT: loc.transport = v; break;
		case F_CTYPE: inv.content_type = v; break;
		case F_AUTH: tx.authorization = v; break;
		case F_CSEQ: ids.cseq = PINT_REQ_MAX_CSEQ + 1; break;
		case F_BODY_NULL: inv.body = NULL; break;
		case F_BODY_LEN:
			inv.body_len = strcmp(v, "big") ? 0
							: PINT_REQ_MAX_BODY + 1;
			break;
		case F_NULL_LOC: lp = NULL; break;
		case F_NULL_IDS: ip = NULL; break;
		case F_NULL_TX: tp = NULL; break;
		case F_NULL_INV: vp = NULL; break;
		}
		if (pint_req_invite(&m, lp, ip, tp, vp) != cases[i].err)
			fail_msg("case %zu: want %d", i, cases[i].err);
		assert_null(m);
	}
	assert_int_equal(pint_req_invite(NULL, &LOC_UDP, &IDS, &TX, NULL),
			 EINVAL);
}

static void test_subscribe_pint(void **state)
{
	const struct pint_req_ids ids = {"sub-7f3a@gw.example.com", "s1", 1};
	const struct pint_req_tx tx = {"z9hG4bK-sub-1", NULL, NULL};
	struct pint_req_subscribe sub = {
		.target = "sip:R2C@198.51.100.7:5070", .expires = 600,
		.sdp = SDP, .sdp_len = sizeof(SDP) - 1,
	};
	osip_message_t *m = NULL, *p;

	(void)state;
	assert_int_equal(pint_req_subscribe(&m, &LOC_UDP, &ids, &tx, &sub), 0);
	p = reparse(m, NULL);
	check_common(p, "SUBSCRIBE", "sip:R2C@198.51.100.7:5070", "1");
	check_via(p, "UDP", "192.0.2.10", "5060", "z9hG4bK-sub-1");
	check_addr(p->from, "sip:pint-client@gw.example.com", "s1",
		   "\"pintgw\"");
	check_addr(p->to, "sip:R2C@198.51.100.7:5070", NULL, NULL);
	check_callid(p, "sub-7f3a@gw.example.com");
	check_contact(p, "<sip:pint-client@192.0.2.10:5060>");
	assert_int_equal(hcount(p, "event"), 0);
	assert_int_equal(hcount(p, "require"), 0);
	assert_string_equal(hval(p, "expires", 0), "600");
	check_body(p, "application", "sdp", SDP, sizeof(SDP) - 1);
	osip_message_free(p);
	osip_message_free(m);

	/* a poll, with To naming the service and the option tag required */
	sub.expires = 0;
	sub.to_uri = "sip:R2C@pint.example.net";
	sub.require_subscribe = true;
	m = NULL;
	assert_int_equal(pint_req_subscribe(&m, &LOC_UDP, &ids, &tx, &sub), 0);
	p = reparse(m, NULL);
	assert_string_equal(hval(p, "expires", 0), "0");
	assert_string_equal(hval(p, "require", 0), "org.ietf.sip.subscribe");
	check_addr(p->to, "sip:R2C@pint.example.net", NULL, NULL);
	osip_message_free(p);
	osip_message_free(m);

	m = NULL;
	sub.sdp_len = 0;
	assert_int_equal(pint_req_subscribe(&m, &LOC_UDP, &ids, &tx, &sub),
			 EINVAL);
	sub.sdp_len = sizeof(SDP) - 1;
	sub.target = "sip:R2C@gw\r\nEvent: dialog";
	assert_int_equal(pint_req_subscribe(&m, &LOC_UDP, &ids, &tx, &sub),
			 EINVAL);
	assert_null(m);
}

static void test_subscribe_dialog(void **state)
{
	const struct pint_req_ids ids = {"sub-9c@gw.example.com", "d1", 1};
	const struct pint_req_tx tx = {"z9hG4bK-dsub-1", NULL, NULL};
	struct pint_req_subscribe_dialog sub = {
		.target = "sip:R2C@198.51.100.7:5070", .expires = 3600,
		.event = {"5f1e9c2a@gw.example.com", "a71c", "gw200"},
	};
	osip_message_t *m = NULL, *p;

	(void)state;
	assert_int_equal(pint_req_subscribe_dialog(&m, &LOC_TCP, &ids, &tx,
						   &sub), 0);
	p = reparse(m, NULL);
	check_common(p, "SUBSCRIBE", "sip:R2C@198.51.100.7:5070", "1");
	check_via(p, "TCP", "gw.example.com", "5060", "z9hG4bK-dsub-1");
	check_addr(p->from, "sip:pint-client@gw.example.com", "d1", NULL);
	check_addr(p->to, "sip:R2C@198.51.100.7:5070", NULL, NULL);
	check_contact(p, "<sip:pint-client@gw.example.com:5060;transport=tcp>");
	assert_string_equal(hval(p, "event", 0),
			    "dialog;call-id=\"5f1e9c2a@gw.example.com\""
			    ";from-tag=a71c;to-tag=gw200");
	check_accept(p, "application", "dialog-info+xml");
	assert_string_equal(hval(p, "expires", 0), "3600");
	check_body(p, NULL, NULL, NULL, 0);
	osip_message_free(p);
	osip_message_free(m);

	/* a token Call-ID stays unquoted; no selection = plain "dialog" */
	sub.event.call_id = "5f1e9c2a";
	sub.event.to_tag = NULL;
	m = NULL;
	assert_int_equal(pint_req_subscribe_dialog(&m, &LOC_TCP, &ids, &tx,
						   &sub), 0);
	p = reparse(m, NULL);
	assert_string_equal(hval(p, "event", 0),
			    "dialog;call-id=5f1e9c2a;from-tag=a71c");
	osip_message_free(p);
	osip_message_free(m);
	memset(&sub.event, 0, sizeof(sub.event));
	m = NULL;
	assert_int_equal(pint_req_subscribe_dialog(&m, &LOC_TCP, &ids, &tx,
						   &sub), 0);
	p = reparse(m, NULL);
	assert_string_equal(hval(p, "event", 0), "dialog");
	osip_message_free(p);
	osip_message_free(m);

	m = NULL;
	sub.event.from_tag = "a71c";   /* from-tag without call-id */
	assert_int_equal(pint_req_subscribe_dialog(&m, &LOC_TCP, &ids, &tx,
						   &sub), EINVAL);
	sub.event.call_id = "a\"b@c";
	assert_int_equal(pint_req_subscribe_dialog(&m, &LOC_TCP, &ids, &tx,
						   &sub), EINVAL);
	sub.event.call_id = "abc";
	sub.event.to_tag = "x\r\ny";
	assert_int_equal(pint_req_subscribe_dialog(&m, &LOC_TCP, &ids, &tx,
						   &sub), EINVAL);
	assert_null(m);
}

static void test_options(void **state)
{
	const struct pint_req_ids ids = {"opt-1@gw.example.com", "o1", 42};
	const struct pint_req_tx tx = {"z9hG4bK-opt-1", NULL, NULL};
	osip_message_t *m = NULL, *p;

	(void)state;
	assert_int_equal(pint_req_options(&m, &LOC_UDP, &ids, &tx,
					  "sip:pint.example.net:5070"), 0);
	p = reparse(m, NULL);
	check_common(p, "OPTIONS", "sip:pint.example.net:5070", "42");
	check_via(p, "UDP", "192.0.2.10", "5060", "z9hG4bK-opt-1");
	check_addr(p->to, "sip:pint.example.net:5070", NULL, NULL);
	check_addr(p->from, "sip:pint-client@gw.example.com", "o1",
		   "\"pintgw\"");
	check_callid(p, "opt-1@gw.example.com");
	check_contact(p, "<sip:pint-client@192.0.2.10:5060>");
	check_accept(p, "application", "sdp");
	check_body(p, NULL, NULL, NULL, 0);
	osip_message_free(p);
	osip_message_free(m);

	m = NULL;
	assert_int_equal(pint_req_options(&m, &LOC_UDP, &ids, &tx, NULL),
			 EINVAL);
	assert_int_equal(pint_req_options(&m, &LOC_UDP, &ids, &tx,
					  "sip:a b"), EINVAL);
	assert_null(m);
}

static void test_register(void **state)
{
	const struct pint_req_ids ids = {"reg-1@gw.example.com", "r1", 7};
	const struct pint_req_tx tx = {"z9hG4bK-reg-7", AUTH, NULL};
	const struct pint_req_register reg = {
		"sip:broker.example.net", "sip:pintgw@broker.example.net", 3600,
	};
	struct pint_req_local loc = LOC_UDP;
	osip_message_t *m = NULL, *p;

	(void)state;
	loc.port = 0;
	assert_int_equal(pint_req_register(&m, &loc, &ids, &tx, &reg), 0);
	p = reparse(m, NULL);
	check_common(p, "REGISTER", "sip:broker.example.net", "7");
	assert_null(((osip_via_t *)osip_list_get(&p->vias, 0))->port);
	check_addr(p->to, "sip:pintgw@broker.example.net", NULL, NULL);
	check_addr(p->from, "sip:pintgw@broker.example.net", "r1",
		   "\"pintgw\"");
	check_contact(p, "<sip:pint-client@192.0.2.10>;expires=3600");
	assert_int_equal(osip_list_size(&p->authorizations), 1);
	check_body(p, NULL, NULL, NULL, 0);
	osip_message_free(p);
	osip_message_free(m);
}

/* --- CANCEL and ACK derived from a real INVITE ------------------------- */

static osip_message_t *load(const char *file)
{
	osip_message_t *p = NULL;
	size_t len;
	char *text = test_read_file(file, &len);

	assert_int_equal(osip_message_init(&p), 0);
	assert_int_equal(osip_message_parse(p, text, len), 0);
	free(text);
	return p;
}

static void check_routes(const osip_message_t *p, const char *const *want,
			 int n)
{
	int i;

	assert_int_equal(osip_list_size(&p->routes), n);
	for (i = 0; i < n; i++) {
		char *s = NULL;

		check_ostr(osip_from_to_str(osip_list_get(&p->routes, i), &s),
			   &s, want[i]);
	}
}

static const char *const INVITE_ROUTES[] = {
	"<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>",
};

static void test_cancel(void **state)
{
	osip_message_t *inv = load("req/invite.sip"), *m = NULL, *p;
	const osip_via_t *v;

	(void)state;
	assert_int_equal(pint_req_cancel(&m, inv), 0);
	p = reparse(m, NULL);
	check_common(p, "CANCEL", "sip:R2C@pint.example.net", "1");
	check_via(p, "UDP", "192.0.2.10", "5060", "z9hG4bK-inv-1");
	v = osip_list_get(&p->vias, 0);
	assert_non_null(gparam(&v->via_params, "rport"));
	check_addr(p->from, "sip:pint-client@gw.example.com", "a71c",
		   "\"pintgw\"");
	check_addr(p->to, "sip:+15555550100@pint.example.net;user=phone",
		   NULL, NULL);
	check_callid(p, "5f1e9c2a@gw.example.com");
	check_routes(p, INVITE_ROUTES, 2);
	check_contact(p, NULL);
	assert_int_equal(osip_list_size(&p->authorizations), 0);
	check_body(p, NULL, NULL, NULL, 0);
	osip_message_free(p);
	osip_message_free(m);

	m = NULL;
	assert_int_equal(pint_req_cancel(&m, NULL), EINVAL);
	/* fields our builders would never have written are not copied */
	osip_free(inv->req_uri->host);
	inv->req_uri->host = osip_strdup("pint example.net");
	assert_int_equal(pint_req_cancel(&m, inv), EINVAL);
	osip_free(inv->req_uri->host);
	inv->req_uri->host = osip_strdup("pint.example.net");
	assert_int_equal(pint_req_cancel(&m, inv), 0);
	osip_message_free(m);
	m = NULL;
	osip_free(inv->sip_method);
	inv->sip_method = osip_strdup("BYE");
	assert_int_equal(pint_req_cancel(&m, inv), EINVAL);
	assert_null(m);
	osip_message_free(inv);
}

static void test_ack_non2xx(void **state)
{
	const struct {
		const char *file;
		int err;
		const char *tag;
	} cases[] = {
		{"req/resp_487.sip", 0, "gw487"},
		{"req/resp_486.sip", 0, "gw486"},
		{"req/resp_200.sip", EINVAL, NULL},
		{"req/resp_180.sip", EINVAL, NULL},
	};
	osip_message_t *inv = load("req/invite.sip");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		osip_message_t *resp = load(cases[i].file), *m = NULL, *p;

		assert_int_equal(pint_req_ack_non2xx(&m, inv, resp),
				 cases[i].err);
		if (cases[i].err) {
			assert_null(m);
			osip_message_free(resp);
			continue;
		}
		p = reparse(m, NULL);
		check_common(p, "ACK", "sip:R2C@pint.example.net", "1");
		check_via(p, "UDP", "192.0.2.10", "5060", "z9hG4bK-inv-1");
		check_addr(p->from, "sip:pint-client@gw.example.com", "a71c",
			   "\"pintgw\"");
		check_addr(p->to,
			   "sip:+15555550100@pint.example.net;user=phone",
			   cases[i].tag, NULL);
		check_callid(p, "5f1e9c2a@gw.example.com");
		check_routes(p, INVITE_ROUTES, 2);
		check_contact(p, NULL);
		check_body(p, NULL, NULL, NULL, 0);
		osip_message_free(p);
		osip_message_free(m);
		osip_message_free(resp);
	}
	osip_message_free(inv);
}

/* --- the pieces -------------------------------------------------------- */

static void test_add_helpers(void **state)
{
	const struct pint_req_base base = {
		.method = "MESSAGE", .ruri = "sip:a@b.example",
		.from_uri = "sip:c@d.example", .from_tag = "t1",
		.to_uri = "sip:a@b.example", .to_tag = "t2",
		.call_id = "x@y", .cseq = PINT_REQ_MAX_CSEQ,
	};
	struct pint_req_warning w = {399, "gw.example.net", "say \"hi\""};
	struct pint_req_base b = base;
	osip_message_t *m = NULL, *p;
	char *many[PINT_REQ_MAX_ROUTES + 1];
	size_t i;

	(void)state;
	assert_int_equal(pint_req_build(&m, &LOC_UDP, &TX, &b), 0);
	assert_int_equal(pint_req_add_header(m, "X-Pint", "ok 1"), 0);
	assert_int_equal(pint_req_add_header(m, "X Pint", "v"), EINVAL);
	assert_int_equal(pint_req_add_header(m, "X-Pint", "a\r\nB: c"), EINVAL);
	assert_int_equal(pint_req_add_header(m, "X-Pint", "caf\xc3\xa9"),
			 EINVAL);
	assert_int_equal(pint_req_add_warning(m, &w), 0);
	w.code = 299;
	assert_int_equal(pint_req_add_warning(m, &w), EINVAL);
	w.code = 307;
	w.agent = "gw \"x\"";
	assert_int_equal(pint_req_add_warning(m, &w), EINVAL);
	assert_int_equal(pint_req_add_contact(m, &LOC_UDP, 4294967296LL),
			 ERANGE);
	assert_int_equal(pint_req_add_body(m, "text/plain", NULL, 3), EINVAL);
	assert_int_equal(pint_req_add_body(m, "text", "abc", 3), EINVAL);
	assert_int_equal(pint_req_add_body(m, "text/plain x", "abc", 3),
			 EINVAL);
	assert_int_equal(pint_req_add_body(m, "multipart/mixed; Boundary",
					   "abc", 3), EINVAL);
	assert_int_equal(pint_req_add_body(m, "text/plain", "abc", 3), 0);
	assert_int_equal(pint_req_add_body(m, "text/plain", "abc", 3), EINVAL);
	p = reparse(m, NULL);
	check_common(p, "MESSAGE", "sip:a@b.example", "2147483647");
	check_addr(p->to, "sip:a@b.example", "t2", NULL);
	assert_string_equal(hval(p, "x-pint", 0), "ok 1");
	assert_int_equal(hcount(p, "warning"), 1);
	assert_string_equal(hval(p, "warning", 0),
			    "399 gw.example.net \"say \\\"hi\\\"\"");
	check_body(p, "text", "plain", "abc", 3);
	osip_message_free(p);
	osip_message_free(m);

	/* base checks */
	m = NULL;
	b.cseq = PINT_REQ_MAX_CSEQ + 1u;
	assert_int_equal(pint_req_build(&m, &LOC_UDP, &TX, &b), ERANGE);
	b = base;
	b.method = "BAD METHOD";
	assert_int_equal(pint_req_build(&m, &LOC_UDP, &TX, &b), EINVAL);
	b = base;
	b.to_tag = "x\ny";
	assert_int_equal(pint_req_build(&m, &LOC_UDP, &TX, &b), EINVAL);
	b = base;
	for (i = 0; i < PINT_REQ_MAX_ROUTES + 1; i++)
		many[i] = (char *)"<sip:p.example.net;lr>";
	b.route = many;
	b.route_count = PINT_REQ_MAX_ROUTES + 1;
	assert_int_equal(pint_req_build(&m, &LOC_UDP, &TX, &b), EMSGSIZE);
	b.route_count = 1;
	many[0] = (char *)"<sip:p.example.net;lr>\r\nX: y";
	assert_int_equal(pint_req_build(&m, &LOC_UDP, &TX, &b), EINVAL);
	assert_int_equal(pint_req_build(&m, &LOC_UDP, &TX, NULL), EINVAL);
	assert_null(m);

	/* checks exported for early validation */
	assert_int_equal(pint_req_check_uri("tel:+15555550100"), 0);
	assert_int_equal(pint_req_check_uri("SIPS:a@b"), 0);
	assert_int_equal(pint_req_check_uri("mailto:a@b"), EINVAL);
	assert_int_equal(pint_req_check_callid("@abc"), EINVAL);
	assert_int_equal(pint_req_check_callid("abc@"), EINVAL);
	assert_int_equal(pint_req_check_callid("a{1}:[x]@h"), 0);
	assert_int_equal(pint_req_check_token("abc", 2), EMSGSIZE);
	assert_int_equal(pint_req_check_token(NULL, 2), EINVAL);
}

/*
 * The URI grammar: what the builders accept, and for accepted URIs the
 * round trip builder → wire → osip parse → pint_req_uri_str gives the
 * same text back.
 */
static void test_uri_grammar(void **state)
{
	static char longuri[PINT_REQ_MAX_URI + 2];
	const struct {
		const char *uri;
		int err;
	} cases[] = {
		{"sip:R2C@pint.example.net", 0},
		{"sip:pint.example.net", 0},
		{"sips:R2C@pint.example.net:5061;transport=tcp", 0},
		{"sip:+1-555-555-0100@pint.example.net;user=phone", 0},
		{"sip:0345-123456@pint.bt.co.uk;user=phone;"
		 "phone-context=+44", 0},
		{"sip:R2F@pint.example.net;tsp=telco.example.org;lr", 0},
		{"sip:R2C@[2001:db8::1]:5070", 0},
		{"sip:R2C@192.0.2.1:65535", 0},
		{"tel:+1-201-456-7890", 0},
		{"tel:456-7890;phone-context=+1-201", 0},
		{"tel:+", EINVAL},
		{"sip:a", EINVAL},     /* osip cannot parse it back */
		{"sip:ab", 0},
		{"tel:4567890", EINVAL},
		{"tel:+1x", EINVAL},
		{"tel:+1;a=b@c", EINVAL},
		{"SIP:R2C@pint.example.net", 0},
		{"sip:R2C@pint.example.net:0", EINVAL},
		{"sip:R2C@pint.example.net:65536", EINVAL},
		{"sip:R2C@pint.example.net:", EINVAL},
		{"sip:R2C@", EINVAL},
		{"sip:@pint.example.net", EINVAL},
		{"sip:", EINVAL},
		{"sip:a:secret@pint.example.net", EINVAL},
		{"sip:R2C@pint.example.net?Subject=x", EINVAL},
		{"sip:R2C@pint.example.net;=x", EINVAL},
		{"sip:R2C@pint.example.net;a=", EINVAL},
		{"sip:R2C@pint.example.net;a=b@c", EINVAL},
		{"sip:R%32C@pint.example.net", EINVAL},
		{"sip:R2C@pint_example.net", EINVAL},
		{"sip:R2C@[2001:db8::1", EINVAL},
		{"sip:R2C@[]", EINVAL},
		{"sip:a@[b]", EINVAL},
		{"sip:ab;X-OBP", EINVAL},  /* osip drops it when writing */
		{"sip:R2C@a b", EINVAL},
		{"sip:R2C@a>b", EINVAL},
		{"sip:R2C@a\r\nVia: x", EINVAL},
		{"mailto:R2C@pint.example.net", EINVAL},
		{"http://pint.example.net/", EINVAL},
		{"R2C@pint.example.net", EINVAL},
		{"", EINVAL},
		{longuri, EMSGSIZE},
	};
	size_t i;

	(void)state;
	memcpy(longuri, "sip:", 4);
	memset(longuri + 4, 'a', sizeof(longuri) - 5);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		osip_message_t *m = NULL, *p;
		char *back = NULL;
		int err = pint_req_check_uri(cases[i].uri);

		if (err != cases[i].err)
			fail_msg("'%s': %d, want %d", cases[i].uri, err,
				 cases[i].err);
		assert_int_equal(pint_req_options(&m, &LOC_UDP, &IDS, &TX,
						  cases[i].uri), err);
		if (err)
			continue;
		p = reparse(m, NULL);
		assert_int_equal(pint_req_uri_str(&back, p->req_uri), 0);
		assert_string_equal(back, cases[i].uri);
		free(back);
		osip_message_free(p);
		osip_message_free(m);
	}
	assert_null(pint_req_check_uri(NULL) ? NULL : "accepted NULL");
}

/* Parsed URIs the builders could not send back are refused. */
static void test_uri_str_refuses(void **state)
{
	const struct {
		const char *uri;
		int err;
		const char *want;
	} cases[] = {
		{"sip:a:pw@h.example", EINVAL, NULL},
		{"sip:a@h.example?Subject=hi", EINVAL, NULL},
		{"sip:a%20b@h.example", EINVAL, NULL},
		{"sip:%41@h.example", 0, "sip:A@h.example"},
		{"sip:a@[2001:db8::2];lr", 0, "sip:a@[2001:db8::2];lr"},
		{"tel:+15555550100;phone-context=+1", 0,
		 "tel:+15555550100;phone-context=+1"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		osip_uri_t *u = NULL;
		osip_from_t *f = NULL;
		char *s = NULL;
		char addr[128];

		assert_int_equal(osip_uri_init(&u), 0);
		assert_int_equal(osip_uri_parse(u, cases[i].uri), 0);
		if (pint_req_uri_str(&s, u) != cases[i].err)
			fail_msg("'%s': want %d", cases[i].uri, cases[i].err);
		if (cases[i].want)
			assert_string_equal(s, cases[i].want);
		free(s);
		osip_uri_free(u);

		/* the same as a Record-Route value */
		snprintf(addr, sizeof(addr), "\"p\" <%s>;x=1", cases[i].uri);
		assert_int_equal(osip_from_init(&f), 0);
		assert_int_equal(osip_from_parse(f, addr), 0);
		s = NULL;
		assert_int_equal(pint_req_addr_str(&s, f), cases[i].err);
		if (cases[i].want) {
			snprintf(addr, sizeof(addr), "<%s>;x=1",
				 cases[i].want);
			assert_string_equal(s, addr);
		}
		free(s);
		osip_from_free(f);
	}
	assert_int_equal(pint_req_uri_str(NULL, NULL), EINVAL);
}

static void test_ipv6_local(void **state)
{
	const struct pint_req_local loc = {
		"[2001:db8::10]", 5062, "UDP", "pint-client", NULL, NULL,
	};
	osip_message_t *m = NULL, *p;

	(void)state;
	assert_int_equal(pint_req_options(&m, &loc, &IDS, &TX,
					  "sip:[2001:db8::1]:5070"), 0);
	p = reparse(m, NULL);
	check_uri(p->req_uri, "sip:[2001:db8::1]:5070");
	check_addr(p->from, "sip:pint-client@[2001:db8::10]", "a71c", NULL);
	check_contact(p, "<sip:pint-client@[2001:db8::10]:5062>");
	osip_message_free(p);
	osip_message_free(m);
}

/* A type with parameters stays a plain header; osip parses it back. */
static void test_body_with_params(void **state)
{
	static const char XML[] = "<dialog-info/>\r\n";
	const struct pint_req_base b = {
		.method = "NOTIFY", .ruri = "sip:a@b.example",
		.from_uri = "sip:c@d.example", .from_tag = "t1",
		.to_uri = "sip:a@b.example", .to_tag = "t2",
		.call_id = "x@y", .cseq = 1,
	};
	osip_message_t *m = NULL, *p;
	char *wire;

	(void)state;
	assert_int_equal(pint_req_build(&m, &LOC_UDP, &TX, &b), 0);
	assert_int_equal(pint_req_add_body(m, "application/dialog-info+xml; "
					   "charset=\"utf-8\"", XML,
					   sizeof(XML) - 1), 0);
	assert_null(m->content_type);
	p = reparse(m, &wire);
	assert_non_null(strstr(wire, "\r\nContent-Type: application/"
				     "dialog-info+xml; charset=\"utf-8\"\r\n"));
	check_wire_body(wire, XML);
	assert_string_equal(p->content_type->subtype, "dialog-info+xml");
	assert_string_equal(gparam(&p->content_type->gen_params, "charset"),
			    "\"utf-8\"");
	osip_free(wire);
	osip_message_free(p);
	osip_message_free(m);
}

/* The line formatter: its own %s %c %u %%, vsnprintf for the rest. */
static void test_line_format(void **state)
{
	struct req_line l;
	char big[REQ_LINE_MAX];

	(void)state;
	req_line_init(&l);
	req_lput(&l, "sip:%s@%s", "pintgw", "192.0.2.10");
	req_lput(&l, ":%u;x=%c%%", 5060u, 'y');
	req_lput(&l, "%s", "");
	req_lput(&l, ";n=%02x;l=%lu", 10u, 7ul);
	assert_false(l.over);
	assert_string_equal(l.buf, "sip:pintgw@192.0.2.10:5060;x=y%;n=0a;l=7");
	assert_int_equal(l.len, strlen(l.buf));
	/* one byte short of the buffer fits; a byte more does not */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	req_line_init(&l);
	req_lput(&l, "%s", big);
	assert_false(l.over);
	assert_int_equal(l.len, sizeof(big) - 1);
	req_lput(&l, "b");
	assert_true(l.over);
	req_lput(&l, "%s", "c");
	assert_true(l.over);
	req_line_init(&l);
	req_lput(&l, "x%s", big);
	assert_true(l.over);
	req_line_init(&l);
	req_lput(&l, "%s%c", big + 1, 'z');
	assert_false(l.over);
	assert_int_equal(l.buf[l.len - 1], 'z');
	req_line_init(&l);
	req_lput(&l, "%s%03u", big + 4, 7u);
	assert_false(l.over);
	assert_string_equal(l.buf + l.len - 3, "007");
	req_lput(&l, "%02u", 1u);
	assert_true(l.over);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_invite_r2c),
		leakcheck_test(test_invite_r2f_multipart_tcp),
		leakcheck_test(test_display_name_escaped),
		leakcheck_test(test_invite_rejects),
		leakcheck_test(test_subscribe_pint),
		leakcheck_test(test_subscribe_dialog),
		leakcheck_test(test_options),
		leakcheck_test(test_register),
		leakcheck_test(test_cancel),
		leakcheck_test(test_ack_non2xx),
		leakcheck_test(test_add_helpers),
		leakcheck_test(test_uri_grammar),
		leakcheck_test(test_uri_str_refuses),
		leakcheck_test(test_ipv6_local),
		leakcheck_test(test_body_with_params),
		leakcheck_test(test_line_format),
	};

	return cmocka_run_group_tests_name("pint_req", tests, group_setup,
					   NULL);
}
