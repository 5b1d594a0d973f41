/*
 * tests/pint/test_call.c — pint/call.c over the in-memory wire: Digest
 * retries, fail-over (no answer, transport error, 503), redirects, ring
 * timeout, every cancel path (before the 1xx, CANCEL crossing a 200, BYE
 * after the 2xx, 606 cannot_abort), crash-recovery identities and branch,
 * the evidence of a new gateway or target, the one ACK for every 2xx copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/pint/ua_harness.h"
#include "pint/digest.h"
#include "pint/sip.h"

static struct uh U;

#define CHAL "Digest realm=\"pint.example.net\", nonce=\"n0nce42\", " \
	     "qop=\"auth\", algorithm=MD5"

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static struct pint_svc_req REQ;
static struct pint_tel TEL_TO, TEL_FROM;

static void start(struct uh *u, uint64_t ref, const char *gateway)
{
	uh_r2c(&REQ, &TEL_TO, &TEL_FROM);
	uh_call(u, ref, &REQ, false, gateway);
	uh_ev(u, ref, PINT_STATUS_SENDING);
}

/* The evidence that ref went on elsewhere: status unchanged, info. */
static void moved(struct uh *u, uint64_t ref, const char *info, int code)
{
	const struct pint_status_ev *ev = uh_ev(u, ref, PINT_STATUS_NONE);

	assert_string_equal(ev->info, info);
	assert_int_equal(ev->sip_code, code);
	assert_int_equal(ev->by, PINT_STATUS_BY_PINTGW);
	assert_int_equal(ev->outcome, PINT_OUTCOME_NONE);
}

/* pint_ua_call_info names the identities of inv (the daemon stores them). */
static void info_is(struct uh *u, uint64_t ref, const struct uh_msg *inv,
		    const char *gateway)
{
	struct pint_ua_call_info ci;
	struct pint_sip_via v;

	assert_int_equal(pint_ua_call_info(u->ua, ref, &ci), 0);
	assert_string_equal(ci.gateway, gateway);
	assert_string_equal(ci.call_id, inv->m->call_id->number);
	assert_int_equal(ci.cseq, strtoul(inv->m->cseq->number, NULL, 10));
	assert_int_equal(pint_sip_top_via(inv->m, &v), 0);
	assert_int_equal(strlen(ci.branch), v.branch.l);
	assert_memory_equal(ci.branch, v.branch.p, v.branch.l);
}

static void branch_of(const struct uh_msg *m, char *buf, size_t size)
{
	struct pint_sip_via v;

	assert_int_equal(pint_sip_top_via(m->m, &v), 0);
	snprintf(buf, size, "%.*s", (int)v.branch.l, v.branch.p);
}

/* The value of param="…" in s, copied into buf. */
static void param(const char *s, const char *name, char *buf, size_t size)
{
	const char *p = strstr(s, name), *q;

	assert_non_null(p);
	p += strlen(name);
	q = strchr(p, '"');
	assert_non_null(q);
	snprintf(buf, size, "%.*s", (int)(q - p), p);
}

static void gw_creds(struct pint_gwset_conf gw[2])
{
	uh_default_gw(gw);
	gw[0].username = "pintgw";
	gw[0].password = "s3cret";
}

static void test_auth_401_then_200(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_conf gw[2];
	struct uh_msg inv, ack, inv2, ack2;
	struct pint_digest_chal ch;
	struct pint_digest_cred cr;
	char cnonce[64], resp[80], want[PINT_DIGEST_HEX_MAX + 1];
	osip_message_t *r;

	(void)state;
	gw_creds(gw);
	uh_init(u, gw, 2, NULL);
	start(u, 7, NULL);
	inv = uh_req(u, "INVITE");
	r = uh_answer(&inv, 401, "ga");
	assert_int_equal(pint_req_add_header(r, "WWW-Authenticate", CHAL), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);

	/* the transaction ACKs the 401; then the INVITE again, CSeq + 1 */
	ack = uh_req(u, "ACK");
	assert_string_equal(ack.m->cseq->number, "1");
	inv2 = uh_req(u, "INVITE");
	assert_string_equal(inv2.m->call_id->number, inv.m->call_id->number);
	assert_string_equal(inv2.m->cseq->number, "2");
	assert_true(has(inv2.raw, "Authorization: Digest username=\"pintgw\""));
	assert_true(has(inv2.raw, "uri=\"sip:R2C@pint-east.example.net\""));
	assert_true(has(inv2.raw, "nc=00000001"));

	/* the response is right for the cnonce it chose */
	param(inv2.raw, "cnonce=\"", cnonce, sizeof(cnonce));
	param(inv2.raw, "response=\"", resp, sizeof(resp));
	assert_int_equal(pint_digest_parse(&ch, CHAL, strlen(CHAL)), 0);
	memset(&cr, 0, sizeof(cr));
	cr.method = "INVITE";
	cr.uri = "sip:R2C@pint-east.example.net";
	cr.username = "pintgw";
	cr.password = "s3cret";
	cr.cnonce = cnonce;
	cr.nc = 1;
	assert_int_equal(pint_digest_response(want, &ch, &cr,
					      PINT_DIGEST_QOP_AUTH), 0);
	assert_string_equal(resp, want);
	uh_no_ev(u);

	/* 200: the ACK carries the credentials again (RFC 3261 §22.1) */
	r = uh_answer(&inv2, 200, "gb");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack2 = uh_req(u, "ACK");
	assert_true(has(ack2.raw, "Authorization: Digest"));
	assert_string_equal(ack2.m->cseq->number, "2");
	uh_ev(u, 7, PINT_STATUS_ACCEPTED);
	uh_gw_bye(u, 7, &inv2, "gb");
	uh_none(u);

	uh_msg_free(&inv);
	uh_msg_free(&ack);
	uh_msg_free(&inv2);
	uh_msg_free(&ack2);
	uh_fini(u);
}

static void test_auth_407_twice(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_conf gw[2];
	struct uh_msg inv, ack, inv2, ack2;
	const struct pint_status_ev *ev;
	osip_message_t *r;

	(void)state;
	gw_creds(gw);
	uh_init(u, gw, 2, NULL);
	start(u, 1, NULL);
	inv = uh_req(u, "INVITE");
	r = uh_answer(&inv, 407, "ga");
	assert_int_equal(pint_req_add_header(r, "Proxy-Authenticate", CHAL), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	inv2 = uh_req(u, "INVITE");
	assert_true(has(inv2.raw, "Proxy-Authorization: Digest"));
	assert_string_equal(inv2.m->cseq->number, "2");

	/* a second challenge: auth_failed, no third INVITE */
	r = uh_answer(&inv2, 407, "gb");
	assert_int_equal(pint_req_add_header(r, "Proxy-Authenticate", CHAL), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack2 = uh_req(u, "ACK");
	ev = uh_ev(u, 1, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_AUTH_FAILED);
	assert_int_equal(ev->sip_code, 407);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&ack);
	uh_msg_free(&inv2);
	uh_msg_free(&ack2);

	/* west has no credentials: its 401 fails at once */
	start(u, 2, "west");
	inv = uh_req(u, "INVITE");
	assert_string_equal(inv.addr, UH_GW1);
	r = uh_answer(&inv, 401, "gc");
	assert_int_equal(pint_req_add_header(r, "WWW-Authenticate", CHAL), 0);
	assert_int_equal(uh_send(u, r, UH_GW1), 0);
	ack = uh_req(u, "ACK");
	ev = uh_ev(u, 2, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_AUTH_FAILED);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&ack);
	uh_fini(u);
}

static void test_unanswered_failover(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_info info;
	const struct pint_status_ev *ev;
	struct uh_msg inv, copy, inv2;
	uint64_t t0;
	size_t n;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	t0 = u->now;
	start(u, 3, NULL);
	inv = uh_req(u, "INVITE");
	assert_string_equal(inv.addr, UH_GW0);

	/* 0.5, 1, 2, 4, 8, 16 s after the first send: 7 copies in all */
	uh_run(u, t0 + 31999);
	for (n = 0; uh_pending(u); n++) {
		copy = uh_req(u, "INVITE");
		assert_string_equal(copy.raw, inv.raw);
		uh_msg_free(&copy);
	}
	assert_int_equal(n, 6);
	uh_no_ev(u);

	/* Timer B: the next gateway, a new Call-ID */
	uh_run(u, t0 + 32000);
	inv2 = uh_req(u, "INVITE");
	assert_string_equal(inv2.addr, UH_GW1);
	assert_string_not_equal(inv2.m->call_id->number,
				inv.m->call_id->number);
	assert_string_equal(inv2.m->cseq->number, "1");
	pint_gwset_info(u->gws, 0, &info);
	assert_int_equal(info.timeouts, 1);
	/* said once the INVITE is out, with the new identities */
	moved(u, 3, "trying gateway west", 0);
	info_is(u, 3, &inv2, "west");
	uh_no_ev(u);

	/* west is silent too: unreachable */
	uh_run(u, t0 + 64000);
	while (uh_pending(u)) {
		copy = uh_req(u, "INVITE");
		uh_msg_free(&copy);
	}
	ev = uh_ev(u, 3, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_UNREACHABLE);
	assert_int_equal(ev->by, PINT_STATUS_BY_PINTGW);
	uh_msg_free(&inv);
	uh_msg_free(&inv2);
	uh_fini(u);
}

static void test_transport_error_failover(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, ack;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	u->send_fail = ECONNREFUSED;
	u->fail_addr = UH_GW0;
	start(u, 1, NULL);
	moved(u, 1, "trying gateway west", 0);
	inv = uh_req(u, "INVITE");
	assert_string_equal(inv.addr, UH_GW1);
	info_is(u, 1, &inv, "west");
	assert_int_equal(uh_reply(u, &inv, 486, "gx"), 0);
	ack = uh_req(u, "ACK");
	ev = uh_ev(u, 1, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_BUSY);
	uh_msg_free(&inv);
	uh_msg_free(&ack);

	/* nowhere to send: unreachable before call_start returns, and no
	 * gateway was tried for real */
	u->fail_addr = NULL;
	start(u, 2, NULL);
	ev = uh_ev(u, 2, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_UNREACHABLE);
	uh_none(u);
	uh_fini(u);
}

static void test_100_then_slow_200(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 4, NULL);
	inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, &inv, 100, NULL), 0);
	ev = uh_ev(u, 4, PINT_STATUS_PROCEEDING);
	assert_int_equal(ev->sip_code, 100);

	/* no retransmission after a 1xx, no timeout before the ring time */
	uh_run(u, u->now + 29000);
	uh_none(u);
	uh_no_ev(u);
	uh_accept(u, 4, &inv, "gs");
	uh_run(u, u->now + 60000);
	uh_none(u);
	uh_gw_bye(u, 4, &inv, "gs");
	uh_msg_free(&inv);
	uh_fini(u);
}

static void test_ring_timeout(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, cxl, ack;
	char b1[128], b2[128];
	uint64_t t0;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 5, NULL);
	inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, &inv, 180, "gr"), 0);
	t0 = u->now;
	ev = uh_ev(u, 5, PINT_STATUS_PROCEEDING);
	assert_string_equal(ev->info, "Ringing");

	uh_run(u, t0 + 29999);
	uh_none(u);
	uh_run(u, t0 + 30000);
	cxl = uh_req(u, "CANCEL");
	assert_string_equal(cxl.m->call_id->number, inv.m->call_id->number);
	assert_string_equal(cxl.m->cseq->number, "1");
	assert_string_equal(cxl.m->cseq->method, "CANCEL");
	branch_of(&inv, b1, sizeof(b1));
	branch_of(&cxl, b2, sizeof(b2));
	assert_string_equal(b1, b2);
	uh_no_ev(u);

	assert_int_equal(uh_reply(u, &cxl, 200, NULL), 0);
	assert_int_equal(uh_reply(u, &inv, 487, "gr"), 0);
	ack = uh_req(u, "ACK");
	ev = uh_ev(u, 5, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_NO_ANSWER);
	assert_int_equal(ev->by, PINT_STATUS_BY_PINTGW);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&cxl);
	uh_msg_free(&ack);
	uh_fini(u);
}

static void test_cancel_crossing_200(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, cxl, ack, bye;
	osip_message_t *r;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 6, NULL);
	inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, &inv, 180, "gc"), 0);
	uh_ev(u, 6, PINT_STATUS_PROCEEDING);
	assert_int_equal(pint_ua_call_cancel(u->ua, 6, u->now), 0);
	cxl = uh_req(u, "CANCEL");
	/* a second DELETE while the first is under way */
	assert_int_equal(pint_ua_call_cancel(u->ua, 6, u->now), 0);
	uh_none(u);

	/* the 200 crosses the CANCEL: ACK it, then BYE */
	r = uh_answer(&inv, 200, "gc");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	bye = uh_req(u, "BYE");
	assert_string_equal(bye.m->call_id->number, inv.m->call_id->number);
	assert_string_equal(bye.m->cseq->number, "2");
	uh_no_ev(u);
	assert_int_equal(uh_reply(u, &cxl, 200, NULL), 0);
	assert_int_equal(uh_reply(u, &bye, 200, NULL), 0);
	ev = uh_ev(u, 6, PINT_STATUS_CANCELED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_CANCELED);
	assert_int_equal(ev->by, PINT_STATUS_BY_PINTGW);
	assert_int_equal(pint_ua_call_cancel(u->ua, 6, u->now), EALREADY);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&cxl);
	uh_msg_free(&ack);
	uh_msg_free(&bye);
	uh_fini(u);
}

static void test_cancel_before_1xx(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, cxl, ack, copy;
	uint64_t t0;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 1, NULL);
	inv = uh_req(u, "INVITE");
	/* RFC 3261 §9.1: no CANCEL before a provisional response */
	assert_int_equal(pint_ua_call_cancel(u->ua, 1, u->now), 0);
	uh_none(u);
	assert_int_equal(uh_reply(u, &inv, 180, "g1"), 0);
	cxl = uh_req(u, "CANCEL");
	uh_ev(u, 1, PINT_STATUS_PROCEEDING);
	assert_int_equal(uh_reply(u, &cxl, 200, NULL), 0);
	assert_int_equal(uh_reply(u, &inv, 487, "g1"), 0);
	ack = uh_req(u, "ACK");
	ev = uh_ev(u, 1, PINT_STATUS_CANCELED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_CANCELED);
	uh_msg_free(&inv);
	uh_msg_free(&cxl);
	uh_msg_free(&ack);

	/* never a 1xx: Timer B ends it as canceled, not at another gateway */
	start(u, 2, NULL);
	t0 = u->now;
	inv = uh_req(u, "INVITE");
	assert_int_equal(pint_ua_call_cancel(u->ua, 2, u->now), 0);
	uh_run(u, t0 + 32000);
	while (uh_pending(u)) {
		copy = uh_req(u, "INVITE");
		assert_string_equal(copy.addr, UH_GW0);
		uh_msg_free(&copy);
	}
	ev = uh_ev(u, 2, PINT_STATUS_CANCELED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_CANCELED);
	assert_int_equal(pint_ua_call_cancel(u->ua, 99, u->now), ENOENT);
	uh_msg_free(&inv);
	uh_fini(u);
}

static void test_cancel_after_2xx(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, bye;
	char tag[64];

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 8, NULL);
	inv = uh_req(u, "INVITE");
	uh_accept(u, 8, &inv, "g8");
	assert_int_equal(pint_ua_call_cancel(u->ua, 8, u->now), 0);
	bye = uh_req(u, "BYE");
	assert_true(has(bye.raw, "BYE sip:gw@192.0.2.20:5060 SIP/2.0"));
	uh_tag(bye.m, true, tag, sizeof(tag));
	assert_string_equal(tag, "g8");
	assert_string_equal(bye.m->cseq->number, "2");
	uh_no_ev(u);
	assert_int_equal(uh_reply(u, &bye, 200, NULL), 0);
	ev = uh_ev(u, 8, PINT_STATUS_CANCELED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_CANCELED);
	assert_int_equal(pint_ua_call_cancel(u->ua, 8, u->now), EALREADY);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&bye);
	uh_fini(u);
}

#define SDP_PAGES \
	"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=R2F\r\ni=3 of 5 pages sent\r\n" \
	"e=ops@example.net\r\nc=TN RFC2543 +1-555-555-0199\r\nt=0 0\r\n" \
	"m=text 1 fax plain\r\n"

static void test_bye_606_cannot_abort(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, bye, bye2;
	osip_message_t *r;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 9, NULL);
	inv = uh_req(u, "INVITE");
	uh_accept(u, 9, &inv, "g9");
	assert_int_equal(pint_ua_call_cancel(u->ua, 9, u->now), 0);
	bye = uh_req(u, "BYE");
	r = uh_answer(&bye, 606, NULL);
	assert_int_equal(pint_sip_add_warning(r, 399, "gw",
		"Fax in progress, service cannot be aborted"), 0);
	uh_add_sdp(r, SDP_PAGES);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ev = uh_ev(u, 9, PINT_STATUS_NONE);
	assert_true(ev->cannot_abort);
	assert_int_equal(ev->sip_code, 606);
	assert_true(ev->has_warning);
	assert_int_equal(ev->warning.code, 399);
	assert_string_equal(ev->warning.text,
			    "Fax in progress, service cannot be aborted");
	assert_string_equal(ev->info, "3 of 5 pages sent");

	/* still accepted: it may be cancelled again, or end on its own */
	assert_int_equal(pint_ua_call_cancel(u->ua, 9, u->now), 0);
	bye2 = uh_req(u, "BYE");
	assert_string_equal(bye2.m->cseq->number, "3");
	r = uh_answer(&bye2, 606, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ev = uh_ev(u, 9, PINT_STATUS_NONE);
	assert_true(ev->cannot_abort);
	uh_gw_bye(u, 9, &inv, "g9");
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&bye);
	uh_msg_free(&bye2);
	uh_fini(u);
}

static void test_503_next_gateway(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_info info;
	const struct pint_status_ev *ev;
	struct uh_msg inv, ack, inv2, inv3;
	osip_message_t *r;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 10, NULL);
	inv = uh_req(u, "INVITE");
	r = uh_answer(&inv, 503, "g0");
	assert_int_equal(pint_req_add_header(r, "Retry-After", "120"), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	inv2 = uh_req(u, "INVITE");
	assert_string_equal(inv2.addr, UH_GW1);
	assert_true(has(inv2.raw, "INVITE sip:R2C@pint-west.example.net"));
	assert_string_not_equal(inv2.m->call_id->number,
				inv.m->call_id->number);
	pint_gwset_info(u->gws, 0, &info);
	assert_true(info.resting);
	assert_int_equal(info.rest_until_ms, u->now + 120000);
	moved(u, 10, "trying gateway west", 503);
	info_is(u, 10, &inv2, "west");
	uh_no_ev(u);
	uh_accept(u, 10, &inv2, "gw");
	uh_gw_bye(u, 10, &inv2, "gw");

	/* the next call avoids the resting gateway */
	start(u, 11, NULL);
	inv3 = uh_req(u, "INVITE");
	assert_string_equal(inv3.addr, UH_GW1);
	uh_msg_free(&ack);
	assert_int_equal(uh_reply(u, &inv3, 486, "g3"), 0);
	ack = uh_req(u, "ACK");
	ev = uh_ev(u, 11, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_BUSY);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&ack);
	uh_msg_free(&inv2);
	uh_msg_free(&inv3);
	uh_fini(u);
}

static void test_redirect(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, ack, inv2;
	osip_message_t *r;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 12, "east");
	inv = uh_req(u, "INVITE");
	r = uh_answer(&inv, 302, "g0");
	assert_int_equal(pint_req_add_header(r, "Contact",
					     "<sip:R2C@192.0.2.30:5060>"), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	inv2 = uh_req(u, "INVITE");
	assert_string_equal(inv2.addr, UH_GW1);
	assert_true(has(inv2.raw, "INVITE sip:R2C@192.0.2.30:5060 SIP/2.0"));
	assert_string_equal(inv2.m->call_id->number, inv.m->call_id->number);
	assert_string_equal(inv2.m->cseq->number, "2");
	assert_true(has(inv2.raw, "+15555550100@pint-east.example.net;user=phone"));
	moved(u, 12, "redirected to sip:R2C@192.0.2.30:5060", 302);
	info_is(u, 12, &inv2, "west");
	uh_no_ev(u);
	uh_accept(u, 12, &inv2, "gw");
	uh_gw_bye(u, 12, &inv2, "gw");
	uh_msg_free(&inv);
	uh_msg_free(&ack);
	uh_msg_free(&inv2);

	/* a Contact that is none of our gateways is not followed */
	start(u, 13, NULL);
	inv = uh_req(u, "INVITE");
	r = uh_answer(&inv, 301, "g1");
	assert_int_equal(pint_req_add_header(r, "Contact",
					     "<sip:R2C@203.0.113.5>"), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	ev = uh_ev(u, 13, PINT_STATUS_FAILED);
	assert_int_equal(ev->sip_code, 301);
	assert_int_equal(ev->outcome, PINT_OUTCOME_ERROR);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&ack);
	uh_fini(u);
}

static void test_resume(void **state)
{
	struct uh *u = &U;
	struct pint_ua_resume rs = { "resumed-call-1", "rtag1", 4, "12345",
				     NULL };
	struct pint_ua_call_params p;
	const struct pint_status_ev *ev;
	struct uh_msg inv, ack;
	char tag[64], br[80];

	(void)state;
	uh_init(u, NULL, 0, NULL);
	uh_r2c(&REQ, &TEL_TO, &TEL_FROM);
	memset(&p, 0, sizeof(p));
	p.req = &REQ;
	p.resume = &rs;
	assert_int_equal(pint_ua_call_start(u->ua, 20, &p, u->now), 0);
	assert_int_equal(pint_ua_call_start(u->ua, 20, &p, u->now), EALREADY);
	uh_ev(u, 20, PINT_STATUS_SENDING);
	inv = uh_req(u, "INVITE");
	assert_string_equal(inv.m->call_id->number, "resumed-call-1");
	uh_tag(inv.m, false, tag, sizeof(tag));
	assert_string_equal(tag, "rtag1");
	assert_string_equal(inv.m->cseq->number, "5");
	assert_true(has(inv.raw, "o=- 12345 12345 IN IP4 192.0.2.10"));
	/* no branch to resume: a new one, which call_info names */
	branch_of(&inv, br, sizeof(br));
	assert_true(!strncmp(br, "z9hG4bK", 7) && strlen(br) == 29);
	info_is(u, 20, &inv, "east");
	assert_int_equal(uh_reply(u, &inv, 603, "gd"), 0);
	ack = uh_req(u, "ACK");
	ev = uh_ev(u, 20, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_REJECTED);
	uh_msg_free(&inv);
	uh_msg_free(&ack);

	/* bad input: nothing sent, no event */
	rs.call_id = "bad call id";
	assert_int_equal(pint_ua_call_start(u->ua, 21, &p, u->now), EINVAL);
	rs.call_id = "resumed-call-2";
	rs.branch = "xyz-no-cookie";
	assert_int_equal(pint_ua_call_start(u->ua, 21, &p, u->now), EINVAL);
	rs.branch = "z9hG4bK";
	assert_int_equal(pint_ua_call_start(u->ua, 21, &p, u->now), EINVAL);
	rs.branch = "z9hG4bKa b";
	assert_int_equal(pint_ua_call_start(u->ua, 21, &p, u->now), EINVAL);
	memset(br, 'a', sizeof(br));
	memcpy(br, "z9hG4bK", 7);
	br[PINT_UA_ID_MAX + 1] = '\0';
	rs.branch = br;
	assert_int_equal(pint_ua_call_start(u->ua, 21, &p, u->now), EINVAL);
	p.resume = NULL;
	p.gateway = "nowhere";
	assert_int_equal(pint_ua_call_start(u->ua, 21, &p, u->now), ENOENT);
	uh_none(u);
	uh_no_ev(u);
	uh_fini(u);
}

/*
 * A resend after a restart with the first INVITE's branch and CSeq: the
 * gateway sees a retransmission of the INVITE it has (RFC 3261 §17.2.3).
 * Only that INVITE keeps it: the challenge's retry gets a new branch.
 */
static void test_resume_branch(void **state)
{
	static const char want[] = "z9hG4bK-stored-by-the-daemon.0123456789"
				   "abcdefghijklmnopqrstuvwxy"; /* 64 bytes */
	struct uh *u = &U;
	struct pint_ua_resume rs = { "resumed-call-3", "rtag3", 0, "777",
				     want };
	struct pint_gwset_conf gw[2];
	struct pint_ua_call_params p;
	struct uh_msg inv, ack, inv2;
	osip_message_t *r;
	char br[80];

	(void)state;
	gw_creds(gw);
	uh_init(u, gw, 2, NULL);
	uh_r2c(&REQ, &TEL_TO, &TEL_FROM);
	memset(&p, 0, sizeof(p));
	p.req = &REQ;
	p.resume = &rs;
	p.gateway = "east";
	assert_int_equal(pint_ua_call_start(u->ua, 22, &p, u->now), 0);
	uh_ev(u, 22, PINT_STATUS_SENDING);
	inv = uh_req(u, "INVITE");
	branch_of(&inv, br, sizeof(br));
	assert_string_equal(br, want);
	assert_string_equal(inv.m->cseq->number, "1");
	info_is(u, 22, &inv, "east");

	r = uh_answer(&inv, 401, "ga");
	assert_int_equal(pint_req_add_header(r, "WWW-Authenticate", CHAL), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	branch_of(&ack, br, sizeof(br));
	assert_string_equal(br, want);  /* the non-2xx ACK: the INVITE's */
	uh_msg_free(&ack);
	inv2 = uh_req(u, "INVITE");
	branch_of(&inv2, br, sizeof(br));
	assert_string_not_equal(br, want);
	info_is(u, 22, &inv2, "east");
	uh_accept(u, 22, &inv2, "gb");
	uh_gw_bye(u, 22, &inv2, "gb");
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&inv2);
	uh_fini(u);
}

/*
 * RFC 3261 §13.2.2.4: every copy of the 2xx gets the same ACK, byte for
 * byte, while the INVITE transaction lives and after it (Timer M).
 */
static void test_2xx_copies_same_ack(void **state)
{
	struct uh *u = &U;
	struct uh_msg inv, ack, again;
	osip_message_t *r;
	char b1[80], b2[80];
	int i;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 30, NULL);
	inv = uh_req(u, "INVITE");
	r = uh_answer(&inv, 200, "g30");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	uh_ev(u, 30, PINT_STATUS_ACCEPTED);
	branch_of(&ack, b1, sizeof(b1));
	branch_of(&inv, b2, sizeof(b2));
	assert_string_not_equal(b1, b2);        /* a 2xx ACK is its own */
	for (i = 0; i < 3; i++) {
		/* the second copy arrives after Timer M: a stray 2xx */
		if (i == 2)
			uh_run(u, u->now + 40000);
		r = uh_answer(&inv, 200, "g30");
		uh_add_sdp(r, NULL);
		assert_int_equal(uh_send(u, r, UH_GW0), 0);
		again = uh_req(u, "ACK");
		assert_string_equal(again.raw, ack.raw);
		assert_string_equal(again.addr, ack.addr);
		uh_msg_free(&again);
	}
	uh_none(u);
	uh_no_ev(u);
	uh_gw_bye(u, 30, &inv, "g30");
	uh_msg_free(&inv);
	uh_msg_free(&ack);
	uh_fini(u);
}

static void test_ring_timeout_no_487(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, cxl, ack, inv2, cxl2;
	osip_message_t *r;
	uint64_t t0;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 1, NULL);
	inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, &inv, 180, "g1"), 0);
	uh_ev(u, 1, PINT_STATUS_PROCEEDING);
	uh_run(u, u->now + 30000);
	cxl = uh_req(u, "CANCEL");
	t0 = u->now;
	assert_int_equal(uh_reply(u, &cxl, 200, NULL), 0);

	/* RFC 3261 §9.1: no final answer 64*T1 after the CANCEL */
	uh_run(u, t0 + 31999);
	uh_no_ev(u);
	uh_run(u, t0 + 32000);
	ev = uh_ev(u, 1, PINT_STATUS_FAILED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_NO_ANSWER);
	uh_none(u);

	/* a 200 crossing our ring-timeout CANCEL: the service was taken */
	start(u, 2, NULL);
	inv2 = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, &inv2, 180, "g2"), 0);
	uh_ev(u, 2, PINT_STATUS_PROCEEDING);
	uh_run(u, u->now + 30000);
	cxl2 = uh_req(u, "CANCEL");
	r = uh_answer(&inv2, 200, "g2");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	uh_ev(u, 2, PINT_STATUS_ACCEPTED);
	uh_none(u);
	uh_gw_bye(u, 2, &inv2, "g2");
	uh_msg_free(&inv);
	uh_msg_free(&cxl);
	uh_msg_free(&inv2);
	uh_msg_free(&cxl2);
	uh_msg_free(&ack);
	uh_fini(u);
}

static void test_bye_unanswered(void **state)
{
	struct uh *u = &U;
	const struct pint_status_ev *ev;
	struct uh_msg inv, bye, copy;
	uint64_t t0;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 1, NULL);
	inv = uh_req(u, "INVITE");
	uh_accept(u, 1, &inv, "g1");
	assert_int_equal(pint_ua_call_cancel(u->ua, 1, u->now), 0);
	t0 = u->now;
	bye = uh_req(u, "BYE");
	uh_run(u, t0 + 32000);
	while (uh_pending(u)) {
		copy = uh_req(u, "BYE");
		uh_msg_free(&copy);
	}
	/* Timer F: the service is taken to go on */
	ev = uh_ev(u, 1, PINT_STATUS_NONE);
	assert_int_equal(ev->by, PINT_STATUS_BY_PINTGW);
	assert_string_equal(ev->reason, "no answer to BYE");
	uh_gw_bye(u, 1, &inv, "g1");
	uh_msg_free(&inv);
	uh_msg_free(&bye);
	uh_fini(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_auth_401_then_200),
		leakcheck_test(test_auth_407_twice),
		leakcheck_test(test_unanswered_failover),
		leakcheck_test(test_transport_error_failover),
		leakcheck_test(test_100_then_slow_200),
		leakcheck_test(test_ring_timeout),
		leakcheck_test(test_cancel_crossing_200),
		leakcheck_test(test_cancel_before_1xx),
		leakcheck_test(test_cancel_after_2xx),
		leakcheck_test(test_bye_606_cannot_abort),
		leakcheck_test(test_503_next_gateway),
		leakcheck_test(test_redirect),
		leakcheck_test(test_resume),
		leakcheck_test(test_resume_branch),
		leakcheck_test(test_2xx_copies_same_ack),
		leakcheck_test(test_ring_timeout_no_487),
		leakcheck_test(test_bye_unanswered),
	};

	return cmocka_run_group_tests_name("pint_call", tests, uh_group_setup,
					   NULL);
}
