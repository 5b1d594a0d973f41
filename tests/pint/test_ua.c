/*
 * tests/pint/test_ua.c — pint/ua: the layer and the basic service life
 * over the in-memory wire (tests/pint/ua_harness.c): R2C from INVITE to
 * UNSUBSCRIBE, R2F multipart over TCP, the UAS side (OPTIONS, 405, 481,
 * 403, 500), gateway BYE, keepalives, REGISTER, info and debug, parsed
 * messages with the transport's Via received/rport.
 * Cancel, redirects, auth and fail-over are in test_call.c; the
 * subscription modes in test_sub.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/pint/ua_harness.h"
#include "pint/sip.h"
#include "pint/tel.h"

static struct uh U;

/* t= start reached (NTP, 800 s before the harness's wall clock). */
#define SDP_ACTIVE \
	"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=R2C\r\ne=ops@example.net\r\n" \
	"c=TN RFC2543 +1-555-555-0199\r\nt=4008988000 0\r\n" \
	"m=audio 1 voice -\r\n"
#define SDP_DONE \
	"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=R2C\r\ne=ops@example.net\r\n" \
	"c=TN RFC2543 +1-555-555-0199\r\nt=4008988000 4008988700\r\n" \
	"m=audio 1 voice -\r\n"

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static bool same_branch(const struct uh_msg *a, const struct uh_msg *b)
{
	struct pint_sip_via va, vb;

	assert_int_equal(pint_sip_top_via(a->m, &va), 0);
	assert_int_equal(pint_sip_top_via(b->m, &vb), 0);
	return va.branch.l == vb.branch.l &&
	       !memcmp(va.branch.p, vb.branch.p, va.branch.l);
}

/* The INVITE's SDP, as a NUL-terminated copy (free it). */
static char *sdp_of(const struct uh_msg *inv)
{
	size_t len = 0;
	const char *b = uh_body(inv->m, &len);
	char *s = malloc(len + 1);

	assert_non_null(b);
	assert_non_null(s);
	memcpy(s, b, len);
	s[len] = '\0';
	return s;
}

static void test_r2c_basic(void **state)
{
	struct uh *u = &U;
	struct pint_svc_req req;
	struct pint_tel to, from;
	struct uh_msg inv, sub, ack, ok, unsub;
	struct pint_dialog *gd;
	const struct pint_status_ev *ev;
	osip_message_t *r;
	char *sdp;
	size_t blen;
	const char *body;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	/* the bytes entry (tests, fuzzers); the other tests parse first */
	u->raw_recv = true;
	uh_r2c(&req, &to, &from);
	uh_call(u, 1, &req, true, NULL);
	ev = uh_ev(u, 1, PINT_STATUS_SENDING);
	assert_int_equal(ev->by, PINT_STATUS_BY_PINTGW);

	inv = uh_req(u, "INVITE");
	assert_string_equal(inv.addr, UH_GW0);
	assert_int_equal(inv.transport, PINT_TSX_UDP);
	assert_true(has(inv.raw, "INVITE sip:R2C@pint-east.example.net SIP/2.0"));
	assert_true(has(inv.raw, "+15555550100@pint-east.example.net;user=phone"));
	assert_true(has(inv.raw, "User-Agent: pintgw/test"));
	assert_true(has(inv.raw, ";branch=z9hG4bK"));
	sdp = sdp_of(&inv);
	assert_true(has(sdp, "c=TN RFC2543 +1-5555550199\r\n"));
	assert_true(has(sdp, "m=audio 1 voice -\r\n"));
	assert_true(has(sdp, "s=R2C\r\n"));

	/* 100: proceeding, and the SUBSCRIBE right after it */
	assert_int_equal(uh_reply(u, &inv, 100, NULL), 0);
	sub = uh_req(u, "SUBSCRIBE");
	assert_string_equal(uh_hdr(sub.m, "Event"), "");
	assert_string_equal(uh_hdr(sub.m, "Expires"), "600");
	assert_true(has(sub.raw, "Contact: <sip:pintgw@192.0.2.10:5060>"));
	body = uh_body(sub.m, &blen);
	assert_int_equal(blen, strlen(sdp));
	assert_memory_equal(body, sdp, blen);
	assert_string_not_equal(sub.m->call_id->number, inv.m->call_id->number);
	ev = uh_ev(u, 1, PINT_STATUS_PROCEEDING);

	/* the SUBSCRIBE's 2xx: monitoring, no status change */
	r = uh_answer(&sub, 200, "gs1");
	assert_int_equal(pint_req_add_expires(r, 600), 0);
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ev = uh_ev(u, 1, PINT_STATUS_NONE);
	assert_true(ev->monitoring);
	assert_true(ev->has_expires);
	assert_int_equal(ev->expires, 600);

	/* 200 to the INVITE: ACK end to end, accepted */
	r = uh_answer(&inv, 200, "gi1");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	assert_true(has(ack.raw, "ACK sip:gw@192.0.2.20:5060 SIP/2.0"));
	assert_string_equal(ack.m->call_id->number, inv.m->call_id->number);
	assert_string_equal(ack.m->cseq->number, "1");
	assert_false(same_branch(&ack, &inv));
	ev = uh_ev(u, 1, PINT_STATUS_ACCEPTED);
	assert_int_equal(ev->sip_code, 200);

	/* NOTIFY: t= start reached: active */
	gd = uh_uas(&sub, "gs1");
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_ACTIVE, NULL,
					      NULL), UH_GW0), 0);
	ok = uh_resp(u, 200);
	uh_msg_free(&ok);
	ev = uh_ev(u, 1, PINT_STATUS_ACTIVE);
	assert_true(ev->has_time);

	/* NOTIFY: stop passed: completed, then our UNSUBSCRIBE */
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_GW0), 0);
	ok = uh_resp(u, 200);
	uh_msg_free(&ok);
	unsub = uh_req(u, "UNSUBSCRIBE");
	assert_string_equal(unsub.m->call_id->number, sub.m->call_id->number);
	body = uh_body(unsub.m, &blen);
	assert_int_equal(blen, strlen(sdp));
	ev = uh_ev(u, 1, PINT_STATUS_COMPLETED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_OK);
	assert_int_equal(ev->by, PINT_STATUS_BY_GATEWAY);
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_none(u);
	uh_no_ev(u);

	/* a NOTIFY after the end: no subscription any more */
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_ACTIVE, NULL,
					      NULL), UH_GW0), 0);
	ok = uh_resp(u, 481);
	uh_msg_free(&ok);
	uh_no_ev(u);

	pint_dialog_free(gd);
	free(sdp);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&ack);
	uh_msg_free(&unsub);
	uh_fini(u);
}

static void ok200(struct uh *u)
{
	struct uh_msg ok = uh_resp(u, 200);

	uh_msg_free(&ok);
}

/* A tracked R2C, accepted, its subscription granted (gd: its dialog). */
static void tracked(struct uh *u, uint64_t ref, struct uh_msg *inv,
		    struct uh_msg *sub, struct pint_dialog **gd)
{
	struct pint_svc_req req;
	struct pint_tel to, from;
	osip_message_t *r;

	uh_r2c(&req, &to, &from);
	uh_call(u, ref, &req, true, NULL);
	uh_ev(u, ref, PINT_STATUS_SENDING);
	*inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, inv, 180, "gi"), 0);
	*sub = uh_req(u, "SUBSCRIBE");
	uh_ev(u, ref, PINT_STATUS_PROCEEDING);
	r = uh_answer(sub, 200, "gs");
	assert_int_equal(pint_req_add_expires(r, 600), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	uh_ev(u, ref, PINT_STATUS_NONE);
	uh_accept(u, ref, inv, "gi");
	*gd = uh_uas(sub, "gs");
}

/* The end of a tracked call: gateway BYE, completed, our UNSUBSCRIBE. */
static void tracked_end(struct uh *u, uint64_t ref, struct uh_msg *inv,
			struct uh_msg *sub, struct pint_dialog *gd)
{
	struct uh_msg unsub;

	uh_gw_bye(u, ref, inv, "gi");
	unsub = uh_req(u, "UNSUBSCRIBE");
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_none(u);
	uh_no_ev(u);
	uh_msg_free(&unsub);
	uh_msg_free(inv);
	uh_msg_free(sub);
	pint_dialog_free(gd);
}

static void test_r2f_multipart_tcp(void **state)
{
	static const char text[] = "Please find our price list below.\r\n";
	struct uh *u = &U;
	struct pint_svc_item item = { "text/plain", PINT_SVC_INLINE, text,
				      sizeof(text) - 1 };
	struct pint_svc_req req;
	struct pint_tel to;
	struct uh_msg inv, sub, unsub;
	const char *body;
	size_t blen = 0;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	assert_int_equal(pint_tel_parse(&to, "+15555550123", 12, NULL, "to",
					NULL), 0);
	memset(&req, 0, sizeof(req));
	req.def = pint_svc_builtin("fax");
	req.to = &to;
	req.items = &item;
	req.nitems = 1;
	req.email = "sales@example.com";
	uh_call(u, 2, &req, true, NULL);
	uh_ev(u, 2, PINT_STATUS_SENDING);

	/* inline content: over TCP, multipart/related, SDP first */
	inv = uh_req(u, "INVITE");
	assert_int_equal(inv.transport, PINT_TSX_TCP);
	assert_true(has(inv.raw, "INVITE sip:R2F@pint-east.example.net SIP/2.0"));
	assert_true(has(inv.raw, "Via: SIP/2.0/TCP 192.0.2.10:5060"));
	assert_true(has(inv.raw, ";transport=tcp>"));
	assert_true(has(inv.raw, "multipart/related;type=\"application/sdp\";"
			"boundary=\"pint-"));
	assert_true(has(inv.raw, "Content-Type: application/sdp"));
	assert_true(has(inv.raw, "Please find our price list below."));
	assert_true(has(inv.raw, "spr:"));

	/* the SUBSCRIBE: the SDP alone, over the gateway's transport */
	assert_int_equal(uh_reply(u, &inv, 183, "gi"), 0);
	sub = uh_req(u, "SUBSCRIBE");
	assert_int_equal(sub.transport, PINT_TSX_UDP);
	body = uh_body(sub.m, &blen);
	assert_non_null(body);
	assert_true(blen > 4 && !memcmp(body, "v=0\r\n", 5));
	assert_false(has(sub.raw, "multipart"));
	assert_false(has(sub.raw, "price list"));
	uh_ev(u, 2, PINT_STATUS_PROCEEDING);
	assert_int_equal(uh_reply(u, &sub, 200, "gs"), 0);
	uh_ev(u, 2, PINT_STATUS_NONE);

	uh_accept(u, 2, &inv, "gi");
	uh_gw_bye(u, 2, &inv, "gi");
	unsub = uh_req(u, "UNSUBSCRIBE");
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&unsub);
	uh_fini(u);
}

static void test_untracked_gateway_bye_and_reack(void **state)
{
	struct uh *u = &U;
	struct pint_svc_req req;
	struct pint_tel to, from;
	struct uh_msg inv, ack;
	osip_message_t *r;
	const struct pint_status_ev *ev;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	uh_r2c(&req, &to, &from);
	uh_call(u, 3, &req, false, NULL);
	uh_ev(u, 3, PINT_STATUS_SENDING);
	inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, &inv, 180, "gi"), 0);
	uh_ev(u, 3, PINT_STATUS_PROCEEDING);
	uh_accept(u, 3, &inv, "gi");
	uh_none(u);             /* untracked: no SUBSCRIBE */

	/* a retransmitted 2xx is ACKed again, no second event */
	r = uh_answer(&inv, 200, "gi");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	uh_msg_free(&ack);
	/* … also once the INVITE transaction is gone (Timer M) */
	uh_run(u, u->now + 40000);
	r = uh_answer(&inv, 200, "gi");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ack = uh_req(u, "ACK");
	uh_msg_free(&ack);
	uh_no_ev(u);

	/* no status ever: completed after the maximum duration */
	uh_run(u, u->now + 3600000);
	ev = uh_ev(u, 3, PINT_STATUS_COMPLETED);
	assert_int_equal(ev->by, PINT_STATUS_BY_PINTGW);
	assert_int_equal(ev->outcome, PINT_OUTCOME_OK);
	uh_none(u);
	uh_msg_free(&inv);

	/* an untracked call ended by the gateway's BYE */
	uh_call(u, 4, &req, false, NULL);
	uh_ev(u, 4, PINT_STATUS_SENDING);
	inv = uh_req(u, "INVITE");
	uh_accept(u, 4, &inv, "gj");
	uh_gw_bye(u, 4, &inv, "gj");
	uh_none(u);
	uh_msg_free(&inv);
	uh_fini(u);
}

static void test_options_and_405(void **state)
{
	struct uh *u = &U;
	struct pint_req_ids ids = { "opt-1", "go", 1 };
	struct pint_req_tx tx = { "z9hG4bKopt1", NULL, NULL };
	struct pint_req_base b;
	osip_message_t *m = NULL;
	struct uh_msg resp;
	char tag[64];

	(void)state;
	uh_init(u, NULL, 0, NULL);
	assert_int_equal(pint_req_options(&m, &uh_gwloc, &ids, &tx,
					  "sip:pintgw@192.0.2.10"), 0);
	assert_int_equal(uh_send(u, m, UH_GW0), 0);
	resp = uh_resp(u, 200);
	assert_true(has(resp.raw, "OPTIONS, NOTIFY, BYE, UNSUBSCRIBE, ACK, CANCEL"));
	assert_true(has(resp.raw, "application/dialog-info+xml"));
	assert_true(has(resp.raw, "Server: pintgw/test"));
	uh_tag(resp.m, true, tag, sizeof(tag));
	assert_true(strlen(tag) >= 22);
	uh_msg_free(&resp);

	/* pintgw never takes calls: INVITE 405 (after the layer's 100) */
	memset(&b, 0, sizeof(b));
	b.method = "INVITE";
	b.ruri = "sip:pintgw@192.0.2.10";
	b.from_uri = "sip:gw@pint-east.example.net";
	b.from_tag = "gf";
	b.to_uri = "sip:pintgw@192.0.2.10";
	b.call_id = "inbound-1";
	b.cseq = 1;
	tx.branch = "z9hG4bKinv1";
	assert_int_equal(pint_req_build(&m, &uh_gwloc, &tx, &b), 0);
	assert_int_equal(uh_send(u, m, UH_GW0), 0);
	resp = uh_resp(u, 100);
	uh_msg_free(&resp);
	resp = uh_resp(u, 405);
	assert_true(has(resp.raw, "Allow: OPTIONS, NOTIFY"));
	uh_msg_free(&resp);

	b.method = "MESSAGE";
	b.call_id = "inbound-2";
	tx.branch = "z9hG4bKmsg1";
	assert_int_equal(pint_req_build(&m, &uh_gwloc, &tx, &b), 0);
	assert_int_equal(uh_send(u, m, UH_SPOOF), 0);
	resp = uh_resp(u, 405);
	uh_msg_free(&resp);

	/* BYE or NOTIFY outside any dialog of ours */
	b.method = "BYE";
	b.call_id = "inbound-3";
	b.to_tag = "nosuch";
	tx.branch = "z9hG4bKbye1";
	assert_int_equal(pint_req_build(&m, &uh_gwloc, &tx, &b), 0);
	assert_int_equal(uh_send(u, m, UH_GW0), 0);
	resp = uh_resp(u, 481);
	uh_msg_free(&resp);
	uh_none(u);
	uh_no_ev(u);
	uh_fini(u);
}

static void test_notify_spoofed(void **state)
{
	struct uh *u = &U;
	struct uh_msg inv, sub, resp;
	struct pint_dialog *gd;
	struct pint_ua_stats st;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	tracked(u, 5, &inv, &sub, &gd);

	/* right dialog, wrong source address: 403, no event */
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_SPOOF), 0);
	resp = uh_resp(u, 403);
	uh_msg_free(&resp);
	/* the same goes for BYE in the INVITE dialog */
	{
		struct pint_dialog *bd = uh_uas(&inv, "gi");

		assert_int_equal(uh_send(u, uh_in_dialog(u, bd, "BYE"),
					 UH_SPOOF), 0);
		pint_dialog_free(bd);
	}
	resp = uh_resp(u, 403);
	uh_msg_free(&resp);
	uh_none(u);
	uh_no_ev(u);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.refused_403, 2);

	/* the gateway's own NOTIFY still goes through */
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_ACTIVE, NULL,
					      NULL), UH_GW0), 0);
	ok200(u);
	uh_ev(u, 5, PINT_STATUS_ACTIVE);
	tracked_end(u, 5, &inv, &sub, gd);
	uh_fini(u);
}

static void test_notify_wrong_tags(void **state)
{
	struct uh *u = &U;
	struct uh_msg inv, sub, resp;
	struct pint_dialog *gd;
	char *save, *bogus;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	tracked(u, 6, &inv, &sub, &gd);
	bogus = malloc(8);
	assert_non_null(bogus);
	memcpy(bogus, "bogus1", 7);

	/* To tag is not ours */
	save = gd->remote_tag;
	gd->remote_tag = bogus;
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_GW0), 0);
	gd->remote_tag = save;
	resp = uh_resp(u, 481);
	uh_msg_free(&resp);

	/* From tag is not the gateway's */
	save = gd->local_tag;
	gd->local_tag = bogus;
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_GW0), 0);
	gd->local_tag = save;
	resp = uh_resp(u, 481);
	uh_msg_free(&resp);
	free(bogus);
	uh_none(u);
	uh_no_ev(u);
	tracked_end(u, 6, &inv, &sub, gd);
	uh_fini(u);
}

static void test_notify_cseq_backwards(void **state)
{
	struct uh *u = &U;
	struct uh_msg inv, sub, resp;
	struct pint_dialog *gd;
	uint32_t next;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	tracked(u, 7, &inv, &sub, &gd);
	gd->local_cseq = 10;
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_ACTIVE, NULL,
					      NULL), UH_GW0), 0);
	ok200(u);
	uh_ev(u, 7, PINT_STATUS_ACTIVE);
	next = gd->local_cseq;

	/* the same CSeq again (a new transaction), then a lower one: 500 */
	gd->local_cseq = 10;
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_GW0), 0);
	resp = uh_resp(u, 500);
	uh_msg_free(&resp);
	gd->local_cseq = 3;
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_GW0), 0);
	resp = uh_resp(u, 500);
	uh_msg_free(&resp);
	uh_no_ev(u);
	gd->local_cseq = next;
	tracked_end(u, 7, &inv, &sub, gd);
	uh_fini(u);
}

static void test_notify_ends_pending_invite(void **state)
{
	struct uh *u = &U;
	struct pint_svc_req req;
	struct pint_tel to, from;
	struct uh_msg inv, sub, unsub, cxl, ack;
	struct pint_dialog *gd;
	const struct pint_status_ev *ev;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	uh_r2c(&req, &to, &from);
	uh_call(u, 8, &req, true, NULL);
	uh_ev(u, 8, PINT_STATUS_SENDING);
	inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, &inv, 180, "gi"), 0);
	sub = uh_req(u, "SUBSCRIBE");
	uh_ev(u, 8, PINT_STATUS_PROCEEDING);
	assert_int_equal(uh_reply(u, &sub, 200, "gs"), 0);
	uh_ev(u, 8, PINT_STATUS_NONE);

	/* the service is over before the INVITE is answered */
	gd = uh_uas(&sub, "gs");
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_GW0), 0);
	ok200(u);
	cxl = uh_req(u, "CANCEL");
	unsub = uh_req(u, "UNSUBSCRIBE");
	ev = uh_ev(u, 8, PINT_STATUS_COMPLETED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_OK);
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	assert_int_equal(uh_reply(u, &cxl, 200, NULL), 0);
	assert_int_equal(uh_reply(u, &inv, 487, "gi"), 0);
	ack = uh_req(u, "ACK");
	uh_none(u);
	uh_no_ev(u);
	pint_dialog_free(gd);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&unsub);
	uh_msg_free(&cxl);
	uh_msg_free(&ack);
	uh_fini(u);
}

static void test_keepalive_down_up(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_conf gw[2];
	struct uh_msg opt, copy;
	struct pint_ua_stats st;
	uint64_t t0;

	(void)state;
	uh_default_gw(gw);
	gw[0].keepalive_ms = 10000;
	gw[0].down_after = 1;
	uh_init(u, gw, 2, NULL);
	t0 = u->now;
	assert_true(pint_ua_next_deadline(u->ua) <= t0);
	uh_run(u, t0);
	opt = uh_req(u, "OPTIONS");
	assert_string_equal(opt.addr, UH_GW0);
	assert_true(has(opt.raw, "OPTIONS sip:pint-east.example.net SIP/2.0"));
	assert_true(has(opt.raw, "Accept: application/sdp"));

	/* unanswered: DOWN when Timer F fires (later ones wait for it) */
	uh_run(u, t0 + 31999);
	while (uh_pending(u)) {
		copy = uh_req(u, "OPTIONS");
		assert_string_equal(copy.m->call_id->number,
				    opt.m->call_id->number);
		uh_msg_free(&copy);
	}
	assert_int_equal(u->nhealth, 0);
	uh_run(u, t0 + 32000);
	assert_int_equal(u->nhealth, 1);
	assert_int_equal(u->health_idx[0], 0);
	assert_int_equal(u->health[0], PINT_GWSET_DOWN);
	uh_msg_free(&opt);

	/* the next one is answered (any response): UP */
	uh_run(u, t0 + 40000);
	opt = uh_req(u, "OPTIONS");
	assert_int_equal(uh_reply(u, &opt, 405, NULL), 0);
	assert_int_equal(u->nhealth, 2);
	assert_int_equal(u->health[1], PINT_GWSET_UP);
	assert_true(pint_gwset_any_up(u->gws));
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.keepalives_sent, 2);
	assert_int_equal(st.keepalives_failed, 1);
	uh_msg_free(&opt);
	while (uh_pending(u)) {
		copy = uh_take(u);
		uh_msg_free(&copy);
	}
	uh_fini(u);
}

static void test_register(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_conf gw[2];
	struct uh_msg reg, reg2, reg3;
	struct pint_ua_stats st;
	osip_message_t *r = NULL;
	uint64_t t1;

	(void)state;
	uh_default_gw(gw);
	gw[0].register_aor = "sip:pintgw@pint-east.example.net";
	gw[0].register_expires = 300;
	gw[0].username = "pintgw";
	gw[0].password = "s3cret";
	uh_init(u, gw, 2, NULL);
	uh_run(u, u->now);
	reg = uh_req(u, "REGISTER");
	assert_true(has(reg.raw, "REGISTER sip:pint-east.example.net SIP/2.0"));
	assert_true(has(reg.raw, "To: <sip:pintgw@pint-east.example.net>"));
	assert_true(has(reg.raw, ";expires=300"));
	assert_string_equal(reg.m->cseq->number, "1");

	r = uh_answer(&reg, 401, "gr");
	assert_int_equal(pint_req_add_header(r, "WWW-Authenticate",
		"Digest realm=\"pint\", nonce=\"rn1\", qop=\"auth\""), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	reg2 = uh_req(u, "REGISTER");
	assert_string_equal(reg2.m->call_id->number, reg.m->call_id->number);
	assert_string_equal(reg2.m->cseq->number, "2");
	assert_true(has(reg2.raw, "Authorization: Digest username=\"pintgw\""));
	assert_true(has(reg2.raw, "uri=\"sip:pint-east.example.net\""));

	/* granted 120 s: refreshed at 80 %, same Call-ID, CSeq + 1 */
	assert_int_equal(pint_sip_response(&r, reg2.m, 200, NULL, "gr"), 0);
	assert_int_equal(pint_req_add_header(r, "Contact",
		"<sip:pintgw@192.0.2.10:5060>;expires=120"), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	t1 = u->now;
	uh_run(u, t1 + 95999);
	uh_none(u);
	uh_run(u, t1 + 96000);
	reg3 = uh_req(u, "REGISTER");
	assert_string_equal(reg3.m->call_id->number, reg.m->call_id->number);
	assert_string_equal(reg3.m->cseq->number, "3");
	assert_false(has(reg3.raw, "Authorization:"));
	assert_int_equal(pint_sip_response(&r, reg3.m, 200, NULL, "gr"), 0);
	assert_int_equal(pint_req_add_expires(r, 200), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.registrations, 2);
	assert_int_equal(st.registration_failures, 0);
	uh_run(u, u->now + 159999);
	uh_none(u);

	/* a reload that gives west an address of record registers it too */
	gw[1].register_aor = "sip:pintgw@pint-west.example.net";
	gw[1].register_expires = 300;
	assert_int_equal(pint_gwset_replace(u->gws, gw, 2), 0);
	pint_ua_gateways_changed(u->ua);
	uh_run(u, u->now);
	uh_msg_free(&reg);
	reg = uh_req(u, "REGISTER");
	assert_string_equal(reg.addr, UH_GW1);
	assert_true(has(reg.raw, "REGISTER sip:pint-west.example.net SIP/2.0"));
	uh_msg_free(&reg);
	uh_msg_free(&reg2);
	uh_msg_free(&reg3);
	uh_fini(u);
}

static void test_info_debug_stats(void **state)
{
	struct uh *u = &U;
	struct pint_svc_req req;
	struct pint_tel to, from;
	struct pint_ua_call_info info;
	struct pint_ua_stats st;
	struct pint_mbuf mb;
	struct uh_msg inv, cxl, ack;
	char tag[64];
	size_t i;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	uh_r2c(&req, &to, &from);
	uh_call(u, 42, &req, false, "east");
	uh_ev(u, 42, PINT_STATUS_SENDING);
	inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, &inv, 180, "gi"), 0);
	uh_ev(u, 42, PINT_STATUS_PROCEEDING);

	assert_int_equal(pint_ua_call_info(u->ua, 42, &info), 0);
	assert_int_equal(info.state, PINT_UA_PROCEEDING);
	assert_int_equal(info.status, PINT_STATUS_PROCEEDING);
	assert_string_equal(info.gateway, "east");
	assert_string_equal(info.call_id, inv.m->call_id->number);
	uh_tag(inv.m, false, tag, sizeof(tag));
	assert_string_equal(info.from_tag, tag);
	assert_int_equal(strlen(info.call_id), 22);
	assert_int_equal(info.cseq, 1);
	assert_true(strlen(info.sess_id) >= 30);
	for (i = 0; info.sess_id[i]; i++)
		assert_true(info.sess_id[i] >= '0' && info.sess_id[i] <= '9');
	assert_non_null(info.sdp);
	assert_true(has(info.sdp, info.sess_id));
	assert_int_equal(pint_ua_call_info(u->ua, 43, &info), ENOENT);

	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_ua_debug(u->ua, &mb), 0);
	assert_true(has(mb.buf, "call 42 proceeding status=proceeding gw=east"));
	pint_mbuf_reset(&mb);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.calls_live, 1);
	assert_int_equal(st.calls_by_state[PINT_UA_PROCEEDING], 1);
	assert_int_equal(st.invites_sent, 1);
	assert_int_equal(st.events, 2);
	assert_true(st.tsx.live_client >= 1);
	assert_string_equal(pint_ua_call_state_name(PINT_UA_BYEING), "byeing");

	assert_int_equal(pint_ua_call_cancel(u->ua, 42, u->now), 0);
	cxl = uh_req(u, "CANCEL");
	assert_int_equal(uh_reply(u, &inv, 487, "gi"), 0);
	ack = uh_req(u, "ACK");
	uh_ev(u, 42, PINT_STATUS_CANCELED);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.calls_by_state[PINT_UA_DONE], 1);
	assert_int_equal(st.terminal_events, 1);
	assert_int_equal(st.cancels_sent, 1);

	/* an ended call lingers for retransmissions, then goes */
	uh_run(u, u->now + 40000);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.calls_live, 0);
	assert_int_equal(pint_ua_call_info(u->ua, 42, &info), ENOENT);
	uh_msg_free(&inv);
	uh_msg_free(&cxl);
	uh_msg_free(&ack);
	uh_fini(u);
}

/*
 * What gateway/sipgw hands over: a message the transport parsed and gave
 * received/rport (RFC 3581). The ua answers from that message; the same
 * bytes through pint_ua_recv are parsed again, without them.
 */
static void test_recv_parsed_via(void **state)
{
	struct uh *u = &U;
	struct pint_req_ids ids = { "opt-via", "go", 1 };
	struct pint_req_tx tx = { "z9hG4bKvia1", NULL, NULL };
	struct pint_tsx_peer src = { PINT_TSX_UDP, UH_GW0, 4711 };
	osip_message_t *m = NULL;
	struct pint_sip_via v;
	struct uh_msg resp;
	osip_via_t *via;
	osip_generic_param_t *rp = NULL;
	char *buf = NULL;
	size_t len = 0;
	int i;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pint_req_options(&m, &uh_gwloc, &ids, &tx,
						  "sip:pintgw@192.0.2.10"), 0);
		assert_int_equal(pint_sip_to_str(m, &buf, &len), 0);
		osip_message_free(m);
		assert_int_equal(pint_sip_parse(&m, buf, len, NULL), 0);
		via = osip_list_get(&m->vias, 0);
		assert_int_equal(osip_via_param_add(via, osip_strdup("received"),
					osip_strdup("203.0.113.9")), 0);
		/* our requests carry ;rport: the transport fills it in */
		assert_int_equal(osip_via_param_get_byname(via, (char *)"rport",
							   &rp), 0);
		osip_free(rp->gvalue);
		rp->gvalue = osip_strdup("4711");
		if (i == 0)
			assert_int_equal(pint_ua_recv_msg(u->ua, m, buf, len,
							  &src, u->now), 0);
		else
			assert_int_equal(pint_ua_recv(u->ua, buf, len, &src,
						      u->now), 0);
		osip_message_free(m);
		free(buf);
		resp = uh_resp(u, 200);
		assert_int_equal(pint_sip_top_via(resp.m, &v), 0);
		if (i == 0) {
			assert_true(pint_pl_eq(&v.received, "203.0.113.9"));
			assert_int_equal(v.rport_value, 4711);
		} else {
			assert_int_equal(v.received.l, 0);
			assert_int_equal(v.rport_value, 0);
		}
		uh_msg_free(&resp);
		tx.branch = "z9hG4bKvia2";
	}
	assert_int_equal(pint_ua_recv_msg(u->ua, NULL, "x", 1, &src, u->now),
			 EINVAL);
	assert_int_equal(pint_ua_recv_msg(NULL, NULL, "x", 1, &src, u->now),
			 EINVAL);
	uh_none(u);
	uh_fini(u);
}

static void test_many_calls(void **state)
{
	struct uh *u = &U;
	struct pint_svc_req req;
	struct pint_tel to, from;
	struct pint_ua_call_params p;
	struct pint_ua_stats st;
	struct uh_msg inv, ack;
	uint64_t ref;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	uh_r2c(&req, &to, &from);
	for (ref = 1; ref <= 200; ref++) {
		uh_call(u, ref, &req, false, NULL);
		inv = uh_req(u, "INVITE");
		assert_int_equal(uh_reply(u, &inv, 486, "gb"), 0);
		ack = uh_req(u, "ACK");
		uh_ev(u, ref, PINT_STATUS_SENDING);
		uh_ev(u, ref, PINT_STATUS_FAILED);
		uh_msg_free(&inv);
		uh_msg_free(&ack);
	}
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.calls_live, 200);
	assert_int_equal(st.calls_by_state[PINT_UA_DONE], 200);
	uh_run(u, u->now + 40000);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.calls_live, 0);
	assert_int_equal(st.terminal_events, 200);

	/* freeing the ua with calls under way leaves nothing behind */
	memset(&p, 0, sizeof(p));
	p.req = &req;
	for (ref = 1000; ref < 1100; ref++) {
		assert_int_equal(pint_ua_call_start(u->ua, ref, &p, u->now), 0);
		uh_ev(u, ref, PINT_STATUS_SENDING);
	}
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.calls_live, 100);
	assert_int_equal(uh_pending(u), 100);
	uh_fini(u);
}

/* The byte-wise long division the decimal ids were first written with. */
static void decimal_ref(char *buf, const uint8_t r[PINT_UA_RAND_BYTES])
{
	uint8_t q[PINT_UA_RAND_BYTES];
	char rev[PINT_UA_DECIMAL_SIZE];
	size_t n = 0, i;
	bool zero;

	memcpy(q, r, sizeof(q));
	do {
		unsigned rem = 0;

		zero = true;
		for (i = 0; i < sizeof(q); i++) {
			unsigned cur = rem << 8 | q[i];

			q[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			zero &= q[i] == 0;
		}
		rev[n++] = (char)('0' + rem);
	} while (!zero);
	for (i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	buf[n] = '\0';
}

/* pint_ua_decimal: the 128-bit number in decimal, edges and at random. */
static void test_decimal(void **state)
{
	uint8_t r[PINT_UA_RAND_BYTES];
	char got[PINT_UA_DECIMAL_SIZE], want[PINT_UA_DECIMAL_SIZE];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned i, j;

	(void)state;
	memset(r, 0, sizeof(r));
	pint_ua_decimal(got, r);
	assert_string_equal(got, "0");
	memset(r, 0xff, sizeof(r));
	pint_ua_decimal(got, r);
	assert_string_equal(got, "340282366920938463463374607431768211455");
	memset(r, 0, sizeof(r));
	r[15] = 1;
	pint_ua_decimal(got, r);
	assert_string_equal(got, "1");
	/* 10^9 and 10^18: whole chunks of zeros */
	r[15] = 0x00; r[14] = 0xca; r[13] = 0x9a; r[12] = 0x3b;
	pint_ua_decimal(got, r);
	assert_string_equal(got, "1000000000");
	memset(r, 0, sizeof(r));
	r[8] = 0x0d; r[9] = 0xe0; r[10] = 0xb6; r[11] = 0xb3;
	r[12] = 0xa7; r[13] = 0x64; r[14] = 0x00; r[15] = 0x00;
	pint_ua_decimal(got, r);
	assert_string_equal(got, "1000000000000000000");
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < sizeof(r); j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			r[j] = (uint8_t)x;
		}
		/* small numbers too */
		memset(r, 0, i % 16);
		pint_ua_decimal(got, r);
		decimal_ref(want, r);
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_r2c_basic),
		leakcheck_test(test_r2f_multipart_tcp),
		leakcheck_test(test_untracked_gateway_bye_and_reack),
		leakcheck_test(test_options_and_405),
		leakcheck_test(test_notify_spoofed),
		leakcheck_test(test_notify_wrong_tags),
		leakcheck_test(test_notify_cseq_backwards),
		leakcheck_test(test_notify_ends_pending_invite),
		leakcheck_test(test_keepalive_down_up),
		leakcheck_test(test_register),
		leakcheck_test(test_info_debug_stats),
		leakcheck_test(test_recv_parsed_via),
		leakcheck_test(test_many_calls),
		leakcheck_test(test_decimal),
	};

	return cmocka_run_group_tests_name("pint_ua", tests, uh_group_setup,
					   NULL);
}
