/*
 * tests/pint/test_sub.c — pint/sub.c over the in-memory wire: PINT
 * NOTIFY evidence, gateway UNSUBSCRIBE, 606/307, renewal when the granted
 * time runs out, 489 → dialog-package fallback (or none) and its
 * evidence, two calls' 489s crossing, a dialog-info NOTIFY
 * sequence (stale version, refresh, Expires: 0), a gap in a partial
 * document, a NOTIFY before the 2xx, 405 to UNSUBSCRIBE, pint_ua_watch,
 * a new subscription at the next gateway after a 503 failover.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/pint/ua_harness.h"
#include "pint/sip.h"

static struct uh U;
static struct pint_svc_req REQ;
static struct pint_tel TEL_TO, TEL_FROM;

#define SDP_INFO \
	"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=R2F\r\ni=3 pages of 5 sent\r\n" \
	"e=ops@example.net\r\nc=TN RFC2543 +1-555-555-0199\r\nt=0 0\r\n" \
	"m=text 1 fax plain\r\n"
#define SDP_DONE \
	"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=R2C\r\ne=ops@example.net\r\n" \
	"c=TN RFC2543 +1-555-555-0199\r\nt=4008988000 4008988700\r\n" \
	"m=audio 1 voice -\r\n"

#define DI_CT "application/dialog-info+xml"
#define DI(version, kind, dialogs) \
	"<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:" \
	"ns:dialog-info\" version=\"" version "\" state=\"" kind "\" " \
	"entity=\"sip:R2C@pint-west.example.net\">\n" dialogs "</dialog-info>\n"
#define DLG(state) "<dialog id=\"d1\" direction=\"recipient\"><state>" \
	state "</state></dialog>\n"
#define DLG_END(event) "<dialog id=\"d1\" direction=\"recipient\"><state " \
	"event=\"" event "\">terminated</state></dialog>\n"

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static void ok200(struct uh *u)
{
	struct uh_msg ok = uh_resp(u, 200);

	uh_msg_free(&ok);
}

/* A tracked R2C: INVITE, 100, the SUBSCRIBE; proceeding reported. */
static void start(struct uh *u, uint64_t ref, const char *gw,
		  struct uh_msg *inv, struct uh_msg *sub)
{
	uh_r2c(&REQ, &TEL_TO, &TEL_FROM);
	uh_call(u, ref, &REQ, true, gw);
	uh_ev(u, ref, PINT_STATUS_SENDING);
	*inv = uh_req(u, "INVITE");
	assert_int_equal(uh_reply(u, inv, 100, NULL), 0);
	*sub = uh_req(u, "SUBSCRIBE");
	uh_ev(u, ref, PINT_STATUS_PROCEEDING);
}

/* 2xx to the SUBSCRIBE with Expires; the monitoring event. */
static void granted(struct uh *u, uint64_t ref, const struct uh_msg *sub,
		    const char *tag, uint32_t expires, bool sdp)
{
	osip_message_t *r = uh_answer(sub, 200, tag);
	const struct pint_status_ev *ev;

	assert_int_equal(pint_req_add_expires(r, expires), 0);
	if (sdp)
		uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, sub->addr), 0);
	ev = uh_ev(u, ref, PINT_STATUS_NONE);
	assert_true(ev->monitoring);
}

static void test_notify_info_warning(void **state)
{
	struct pint_ua_stats st;
	struct uh *u = &U;
	struct uh_msg inv, sub, unsub;
	const struct pint_status_ev *ev;
	struct pint_dialog *gd;
	osip_message_t *n;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 1, NULL, &inv, &sub);
	granted(u, 1, &sub, "gs", 600, true);
	uh_accept(u, 1, &inv, "gi");

	gd = uh_uas(&sub, "gs");
	n = uh_notify(u, gd, NULL, SDP_INFO, NULL, NULL);
	assert_int_equal(pint_sip_add_warning(n, 399, "gw", "retrying"), 0);
	assert_int_equal(uh_send(u, n, UH_GW0), 0);
	ok200(u);
	ev = uh_ev(u, 1, PINT_STATUS_NONE);
	assert_string_equal(ev->info, "3 pages of 5 sent");
	assert_true(ev->has_warning);
	assert_int_equal(ev->warning.code, 399);
	assert_string_equal(ev->warning.text, "retrying");
	assert_true(ev->monitoring);

	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.subs_live, 1);
	assert_int_equal(st.notify_accepted, 1);

	/* the gateway's BYE ends it; then our UNSUBSCRIBE */
	uh_gw_bye(u, 1, &inv, "gi");
	unsub = uh_req(u, "UNSUBSCRIBE");
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.subs_live, 0);
	assert_int_equal(st.subscribes_sent, 1);
	assert_int_equal(st.unsubscribes_sent, 1);
	uh_none(u);
	uh_no_ev(u);
	pint_dialog_free(gd);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&unsub);
	uh_fini(u);
}

static void test_gateway_unsubscribe(void **state)
{
	struct uh *u = &U;
	struct uh_msg inv, sub, resp;
	const struct pint_status_ev *ev;
	struct pint_dialog *gd;
	osip_message_t *m;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 2, NULL, &inv, &sub);
	granted(u, 2, &sub, "gs", 600, true);
	uh_accept(u, 2, &inv, "gi");

	gd = uh_uas(&sub, "gs");
	m = uh_in_dialog(u, gd, "UNSUBSCRIBE");
	assert_int_equal(pint_req_add_expires(m, 3600), 0);
	assert_int_equal(uh_send(u, m, UH_GW0), 0);
	ok200(u);
	ev = uh_ev(u, 2, PINT_STATUS_NONE);
	assert_true(ev->monitoring_ended);
	assert_true(ev->has_retention);
	assert_int_equal(ev->retention, 3600);

	/* monitoring is over: a NOTIFY now matches nothing */
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_INFO, NULL,
					      NULL), UH_GW0), 0);
	resp = uh_resp(u, 481);
	uh_msg_free(&resp);
	uh_no_ev(u);

	/* the call goes on without monitoring; no UNSUBSCRIBE at its end */
	uh_gw_bye(u, 2, &inv, "gi");
	uh_none(u);
	pint_dialog_free(gd);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_fini(u);
}

static void test_subscribe_606_307(void **state)
{
	struct uh *u = &U;
	struct uh_msg inv, sub;
	const struct pint_status_ev *ev;
	osip_message_t *r;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 3, NULL, &inv, &sub);
	r = uh_answer(&sub, 606, "gs");
	assert_int_equal(pint_sip_add_warning(r, 307, "gw",
					      "session id no longer valid"), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ev = uh_ev(u, 3, PINT_STATUS_NONE);
	assert_true(ev->session_unknown);
	assert_true(ev->monitoring_ended);
	uh_none(u);                     /* no retry */
	uh_accept(u, 3, &inv, "gi");
	uh_gw_bye(u, 3, &inv, "gi");
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_fini(u);
}

static void test_pint_renewal(void **state)
{
	struct uh *u = &U;
	struct uh_msg inv, sub, sub2, unsub;
	osip_message_t *r;
	uint64_t t0;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 4, NULL, &inv, &sub);
	uh_accept(u, 4, &inv, "gi");
	t0 = u->now;
	granted(u, 4, &sub, "gs", 60, true);

	/* PINT has no refresh: a new monitoring session when it runs out */
	uh_run(u, t0 + 59999);
	uh_none(u);
	uh_run(u, t0 + 60000);
	sub2 = uh_req(u, "SUBSCRIBE");
	assert_string_not_equal(sub2.m->call_id->number,
				sub.m->call_id->number);
	assert_true(has(sub2.raw, "SUBSCRIBE sip:gw@192.0.2.20:5060"));
	assert_string_equal(uh_hdr(sub2.m, "Event"), "");

	/* the call ends while it is out: UNSUBSCRIBE once it is answered */
	uh_gw_bye(u, 4, &inv, "gi");
	uh_none(u);
	r = uh_answer(&sub2, 200, "g2");
	assert_int_equal(pint_req_add_expires(r, 60), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	unsub = uh_req(u, "UNSUBSCRIBE");
	assert_string_equal(unsub.m->call_id->number, sub2.m->call_id->number);
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_none(u);
	uh_no_ev(u);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&sub2);
	uh_msg_free(&unsub);
	uh_fini(u);
}

#define FALLBACK_DIALOG \
	"gateway is not a PINT notifier: using the dialog event package"

/* The evidence of a 489: status unchanged, why monitoring changed. */
static void not_pint(struct uh *u, uint64_t ref, const char *info, bool ended)
{
	const struct pint_status_ev *ev = uh_ev(u, ref, PINT_STATUS_NONE);

	assert_int_equal(ev->sip_code, 489);
	assert_string_equal(ev->info, info);
	assert_int_equal(ev->monitoring_ended, ended);
	assert_false(ev->monitoring);
}

static void test_489_dialog_fallback(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_info info;
	struct uh_msg inv, sub, dsub, end;
	char want[256], tag[64];
	osip_message_t *r;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 5, NULL, &inv, &sub);
	assert_int_equal(uh_reply(u, &sub, 489, "gs"), 0);

	/* an RFC 6665 notifier: the dialog package instead, said once the
	 * new SUBSCRIBE is out */
	dsub = uh_req(u, "SUBSCRIBE");
	uh_tag(inv.m, false, tag, sizeof(tag));
	snprintf(want, sizeof(want), "dialog;call-id=%s;from-tag=%s",
		 inv.m->call_id->number, tag);
	assert_string_equal(uh_hdr(dsub.m, "Event"), want);
	assert_true(has(dsub.raw, "Accept: application/dialog-info+xml"));
	assert_string_equal(uh_hdr(dsub.m, "Expires"), "600");
	assert_string_not_equal(dsub.m->call_id->number,
				sub.m->call_id->number);
	pint_gwset_info(u->gws, 0, &info);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_DIALOG);
	not_pint(u, 5, FALLBACK_DIALOG, false);
	uh_no_ev(u);

	r = uh_answer(&dsub, 200, "gd");
	assert_int_equal(pint_req_add_expires(r, 600), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	uh_ev(u, 5, PINT_STATUS_NONE);
	uh_accept(u, 5, &inv, "gi");

	/* the end: SUBSCRIBE Expires: 0 in the subscription's dialog */
	uh_gw_bye(u, 5, &inv, "gi");
	end = uh_req(u, "SUBSCRIBE");
	assert_string_equal(uh_hdr(end.m, "Expires"), "0");
	assert_string_equal(end.m->call_id->number, dsub.m->call_id->number);
	uh_tag(end.m, true, tag, sizeof(tag));
	assert_string_equal(tag, "gd");
	assert_int_equal(uh_reply(u, &end, 200, NULL), 0);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&dsub);
	uh_msg_free(&end);
	uh_fini(u);
}

/*
 * 489 without dialog_fallback: monitoring ends, and the event says why.
 * Two calls' 489s crossing: the second one must not move the gateway on
 * from the mode the first one chose (dialog) to none.
 */
static void test_489_no_fallback_and_crossing(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_conf gw[2];
	struct pint_gwset_info info;
	struct pint_ua_stats st;
	struct uh_msg inv, sub, inv2, sub2, dsub, dsub2;

	(void)state;
	uh_default_gw(gw);
	gw[0].dialog_fallback = false;
	uh_init(u, gw, 2, NULL);
	start(u, 1, NULL, &inv, &sub);
	assert_int_equal(uh_reply(u, &sub, 489, "gs"), 0);
	not_pint(u, 1, "gateway is not a PINT notifier: no status monitoring",
		 true);
	uh_none(u);
	pint_gwset_info(u->gws, 0, &info);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_NONE);
	uh_accept(u, 1, &inv, "gi");
	uh_gw_bye(u, 1, &inv, "gi");
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_fini(u);

	uh_init(u, NULL, 0, NULL);
	start(u, 2, NULL, &inv, &sub);
	start(u, 3, NULL, &inv2, &sub2);
	assert_int_equal(uh_reply(u, &sub, 489, "gs"), 0);
	dsub = uh_req(u, "SUBSCRIBE");
	not_pint(u, 2, FALLBACK_DIALOG, false);
	assert_int_equal(uh_reply(u, &sub2, 489, "gs"), 0);
	dsub2 = uh_req(u, "SUBSCRIBE");
	not_pint(u, 3, FALLBACK_DIALOG, false);
	assert_true(has(dsub2.raw, "Event: dialog;"));
	pint_gwset_info(u->gws, 0, &info);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_DIALOG);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.fallbacks, 1);
	/* the dialog package refused too: none, for good */
	assert_int_equal(uh_reply(u, &dsub, 489, "gd"), 0);
	not_pint(u, 2, "gateway refused the dialog event package: no status "
		 "monitoring", true);
	pint_gwset_info(u->gws, 0, &info);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_NONE);
	uh_none(u);
	uh_no_ev(u);
	uh_msg_free(&sub);
	uh_msg_free(&sub2);
	assert_int_equal(uh_reply(u, &inv, 486, "gi"), 0);
	sub = uh_req(u, "ACK");
	uh_ev(u, 2, PINT_STATUS_FAILED);
	assert_int_equal(uh_reply(u, &inv2, 486, "gj"), 0);
	sub2 = uh_req(u, "ACK");
	uh_ev(u, 3, PINT_STATUS_FAILED);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&inv2);
	uh_msg_free(&sub2);
	uh_msg_free(&dsub);
	uh_msg_free(&dsub2);
	uh_fini(u);
}

static void dialog_gw(struct pint_gwset_conf gw[2])
{
	uh_default_gw(gw);
	gw[1].status_mode = PINT_GWSET_STATUS_DIALOG;
}

static void notify_di(struct uh *u, struct pint_dialog *gd, const char *xml,
		      const char *substate)
{
	assert_int_equal(uh_send(u, uh_notify(u, gd, DI_CT, xml, "dialog",
					      substate), UH_GW1), 0);
	ok200(u);
}

static void test_dialog_sequence(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_conf gw[2];
	struct uh_msg inv, sub, ref, end;
	const struct pint_status_ev *ev;
	struct pint_dialog *gd;
	osip_message_t *r;
	char tag[64];
	uint64_t t0;

	(void)state;
	dialog_gw(gw);
	uh_init(u, gw, 2, NULL);
	start(u, 6, "west", &inv, &sub);
	assert_true(has(uh_hdr(sub.m, "Event"), "dialog;call-id="));
	assert_true(has(sub.raw, "Accept: application/dialog-info+xml"));
	assert_int_equal(uh_body(sub.m, &(size_t){0}), NULL);
	r = uh_answer(&sub, 200, "gs");
	assert_int_equal(pint_req_add_expires(r, 600), 0);
	assert_int_equal(uh_send(u, r, UH_GW1), 0);
	t0 = u->now;
	uh_ev(u, 6, PINT_STATUS_NONE);

	gd = uh_uas(&sub, "gs");
	notify_di(u, gd, DI("0", "full", DLG("trying")), "active;expires=600");
	uh_ev(u, 6, PINT_STATUS_NONE);          /* already proceeding */
	notify_di(u, gd, DI("1", "full", DLG("early")), "active;expires=600");
	ev = uh_ev(u, 6, PINT_STATUS_NONE);
	assert_string_equal(ev->info, "ringing");
	/* the same version again: stale, ignored */
	notify_di(u, gd, DI("1", "full", DLG("confirmed")), "active");
	uh_no_ev(u);

	uh_accept(u, 6, &inv, "gi");
	notify_di(u, gd, DI("2", "full", DLG("confirmed")), "active");
	uh_ev(u, 6, PINT_STATUS_ACTIVE);

	/* refresh at 80 % of the 600 s granted, in the dialog */
	uh_run(u, t0 + 479999);
	uh_none(u);
	uh_run(u, t0 + 480000);
	ref = uh_req(u, "SUBSCRIBE");
	assert_string_equal(ref.m->call_id->number, sub.m->call_id->number);
	uh_tag(ref.m, true, tag, sizeof(tag));
	assert_string_equal(tag, "gs");
	assert_string_equal(ref.m->cseq->number, "2");
	assert_string_equal(uh_hdr(ref.m, "Expires"), "600");
	assert_true(has(uh_hdr(ref.m, "Event"), "dialog;call-id="));
	assert_int_equal(uh_reply(u, &ref, 200, NULL), 0);
	uh_no_ev(u);

	/* terminated by the far end: completed, then Expires: 0 */
	notify_di(u, gd, DI("3", "full", DLG_END("remote-bye")), "active");
	ev = uh_ev(u, 6, PINT_STATUS_COMPLETED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_OK);
	end = uh_req(u, "SUBSCRIBE");
	assert_string_equal(uh_hdr(end.m, "Expires"), "0");
	assert_int_equal(uh_reply(u, &end, 200, NULL), 0);
	uh_none(u);
	uh_no_ev(u);
	pint_dialog_free(gd);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&ref);
	uh_msg_free(&end);
	uh_fini(u);
}

static void test_dialog_gap_and_terminated(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_conf gw[2];
	struct uh_msg inv, sub, ref, sub2;
	const struct pint_status_ev *ev;
	struct pint_dialog *gd;

	(void)state;
	dialog_gw(gw);
	uh_init(u, gw, 2, NULL);
	start(u, 7, "west", &inv, &sub);
	/* a NOTIFY before the 2xx is taken as well (RFC 6665 §4.1.2.4) */
	gd = uh_uas(&sub, "gs");
	notify_di(u, gd, DI("0", "full", DLG("early")), "active;expires=600");
	ev = uh_ev(u, 7, PINT_STATUS_NONE);
	assert_string_equal(ev->info, "ringing");
	granted(u, 7, &sub, "gs", 600, false);
	uh_accept(u, 7, &inv, "gi");

	/* a partial document after a gap: fetch the full state again */
	notify_di(u, gd, DI("5", "partial", DLG("confirmed")), "active");
	ref = uh_req(u, "SUBSCRIBE");
	assert_string_equal(ref.m->call_id->number, sub.m->call_id->number);
	uh_ev(u, 7, PINT_STATUS_ACTIVE);
	assert_int_equal(uh_reply(u, &ref, 200, NULL), 0);

	/* the notifier ends the subscription and invites a new one */
	notify_di(u, gd, DI("6", "full", DLG("confirmed")),
		  "terminated;reason=timeout");
	sub2 = uh_req(u, "SUBSCRIBE");
	assert_string_not_equal(sub2.m->call_id->number,
				sub.m->call_id->number);
	ev = uh_ev(u, 7, PINT_STATUS_NONE);
	assert_true(ev->monitoring_ended);
	assert_int_equal(uh_reply(u, &sub2, 481, NULL), 0);
	ev = uh_ev(u, 7, PINT_STATUS_NONE);
	assert_true(ev->monitoring_ended);
	uh_gw_bye(u, 7, &inv, "gi");
	uh_none(u);
	pint_dialog_free(gd);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&ref);
	uh_msg_free(&sub2);
	uh_fini(u);
}

static void test_unsubscribe_405(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_info info;
	struct uh_msg inv, sub, unsub;
	struct pint_dialog *gd;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 8, NULL, &inv, &sub);
	granted(u, 8, &sub, "gs", 600, true);
	uh_accept(u, 8, &inv, "gi");
	gd = uh_uas(&sub, "gs");
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_GW0), 0);
	ok200(u);
	unsub = uh_req(u, "UNSUBSCRIBE");
	uh_ev(u, 8, PINT_STATUS_COMPLETED);

	/* a RFC 3261 UAS that does not know UNSUBSCRIBE: next calls fall back */
	assert_int_equal(uh_reply(u, &unsub, 405, NULL), 0);
	pint_gwset_info(u->gws, 0, &info);
	assert_int_equal(info.status_mode, PINT_GWSET_STATUS_DIALOG);
	uh_none(u);
	uh_no_ev(u);
	pint_dialog_free(gd);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&unsub);
	uh_fini(u);
}

static void test_watch(void **state)
{
	static const char sdp[] =
		"v=0\r\no=- 777 777 IN IP4 192.0.2.10\r\ns=R2F\r\n"
		"e=a@example.com\r\nc=TN RFC2543 +1-555-555-0123\r\nt=0 0\r\n"
		"m=text 1 fax plain\r\n";
	struct uh *u = &U;
	struct uh_msg sub, unsub;
	struct pint_dialog *gd;
	struct pint_ua_call_info info;
	const struct pint_status_ev *ev;
	const char *body;
	size_t len = 0;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	assert_int_equal(pint_ua_watch(u->ua, 30, "east", sdp, strlen(sdp),
				       u->now), 0);
	assert_int_equal(pint_ua_watch(u->ua, 30, "east", sdp, strlen(sdp),
				       u->now), EALREADY);
	assert_int_equal(pint_ua_watch(u->ua, 31, "north", sdp, strlen(sdp),
				       u->now), ENOENT);
	sub = uh_req(u, "SUBSCRIBE");
	assert_true(has(sub.raw, "SUBSCRIBE sip:R2F@pint-east.example.net"));
	body = uh_body(sub.m, &len);
	assert_int_equal(len, strlen(sdp));
	assert_memory_equal(body, sdp, len);
	assert_int_equal(pint_ua_call_info(u->ua, 30, &info), 0);
	assert_true(info.monitoring);
	assert_int_equal(info.status, PINT_STATUS_ACCEPTED);
	assert_string_equal(info.gateway, "east");
	/* no INVITE dialog of ours to send BYE in */
	assert_int_equal(pint_ua_call_cancel(u->ua, 30, u->now), EPROTO);

	granted(u, 30, &sub, "gs", 600, false);
	gd = uh_uas(&sub, "gs");
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_DONE, NULL,
					      NULL), UH_GW0), 0);
	ok200(u);
	unsub = uh_req(u, "UNSUBSCRIBE");
	ev = uh_ev(u, 30, PINT_STATUS_COMPLETED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_OK);
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_none(u);
	pint_dialog_free(gd);
	uh_msg_free(&sub);
	uh_msg_free(&unsub);
	uh_fini(u);
}

static void test_poll_and_auth(void **state)
{
	struct uh *u = &U;
	struct pint_gwset_conf gw[2];
	struct uh_msg inv, sub, sub2;
	const struct pint_status_ev *ev;
	osip_message_t *r;

	(void)state;
	uh_default_gw(gw);
	gw[0].username = "pintgw";
	gw[0].password = "s3cret";
	uh_init(u, gw, 2, NULL);
	start(u, 9, NULL, &inv, &sub);

	/* a challenge to the SUBSCRIBE is answered once, CSeq + 1 */
	r = uh_answer(&sub, 401, "gs");
	assert_int_equal(pint_req_add_header(r, "WWW-Authenticate",
		"Digest realm=\"pint\", nonce=\"s1\", qop=\"auth\""), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	sub2 = uh_req(u, "SUBSCRIBE");
	assert_string_equal(sub2.m->call_id->number, sub.m->call_id->number);
	assert_string_equal(sub2.m->cseq->number, "2");
	assert_true(has(sub2.raw, "Authorization: Digest username=\"pintgw\""));
	uh_no_ev(u);

	/* granted Expires: 0 makes it a poll: one snapshot, monitoring over */
	r = uh_answer(&sub2, 200, "gs");
	assert_int_equal(pint_req_add_expires(r, 0), 0);
	uh_add_sdp(r, SDP_INFO);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	ev = uh_ev(u, 9, PINT_STATUS_NONE);
	assert_true(ev->monitoring_ended);
	assert_string_equal(ev->info, "3 pages of 5 sent");
	uh_accept(u, 9, &inv, "gi");
	uh_gw_bye(u, 9, &inv, "gi");
	uh_none(u);             /* nothing to UNSUBSCRIBE */
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&sub2);
	uh_fini(u);
}

static void test_subscribe_before_ack(void **state)
{
	struct uh *u = &U;
	struct uh_msg inv, sub, ack, unsub;
	osip_message_t *r;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	uh_r2c(&REQ, &TEL_TO, &TEL_FROM);
	uh_call(u, 10, &REQ, true, NULL);
	uh_ev(u, 10, PINT_STATUS_SENDING);
	inv = uh_req(u, "INVITE");

	/* a 200 without any 1xx: the SUBSCRIBE goes just before the ACK */
	r = uh_answer(&inv, 200, "gi");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	sub = uh_req(u, "SUBSCRIBE");
	assert_true(has(sub.raw, "SUBSCRIBE sip:gw@192.0.2.20:5060 SIP/2.0"));
	ack = uh_req(u, "ACK");
	uh_ev(u, 10, PINT_STATUS_ACCEPTED);
	granted(u, 10, &sub, "gs", 600, true);

	/* cancelled after the 2xx: BYE; no SUBSCRIBE after it, UNSUBSCRIBE */
	uh_msg_free(&ack);
	assert_int_equal(pint_ua_call_cancel(u->ua, 10, u->now), 0);
	ack = uh_req(u, "BYE");
	uh_none(u);
	assert_int_equal(uh_reply(u, &ack, 200, NULL), 0);
	unsub = uh_req(u, "UNSUBSCRIBE");
	uh_ev(u, 10, PINT_STATUS_CANCELED);
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_run(u, u->now + 700000);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&ack);
	uh_msg_free(&unsub);
	uh_fini(u);
}

#define SDP_ACTIVE \
	"v=0\r\no=- 1 1 IN IP4 192.0.2.30\r\ns=R2C\r\ne=ops@example.net\r\n" \
	"c=TN RFC2543 +1-555-555-0199\r\nt=4008988000 0\r\n" \
	"m=audio 1 voice -\r\n"

/* 503 from INVITE's gateway: its ACK, then the INVITE at the next one. */
static struct uh_msg fail_503(struct uh *u, uint64_t ref,
			      const struct uh_msg *inv, struct uh_msg *unsub)
{
	struct uh_msg ack, inv2;

	assert_int_equal(uh_reply(u, inv, 503, "g0"), 0);
	ack = uh_req(u, "ACK");
	assert_string_equal(ack.addr, UH_GW0);
	if (unsub) {
		*unsub = uh_req(u, "UNSUBSCRIBE");
		assert_string_equal(unsub->addr, UH_GW0);
	}
	inv2 = uh_req(u, "INVITE");
	assert_string_equal(inv2.addr, UH_GW1);
	uh_ev(u, ref, PINT_STATUS_NONE);        /* trying gateway west */
	uh_msg_free(&ack);
	return inv2;
}

/* After a failover the call is monitored at the gateway that has it. */
static void test_failover_resubscribes(void **state)
{
	struct pint_ua_stats st;
	struct uh *u = &U;
	struct uh_msg inv, sub, unsub, inv2, sub2, resp;
	struct pint_dialog *gd, *gd2;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 11, NULL, &inv, &sub);
	assert_string_equal(sub.addr, UH_GW0);
	granted(u, 11, &sub, "gs", 600, true);

	/* east gives up: the established subscription there is ended */
	inv2 = fail_503(u, 11, &inv, &unsub);
	assert_string_equal(unsub.m->call_id->number, sub.m->call_id->number);
	uh_none(u);
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_no_ev(u);

	/* west rings: a new SUBSCRIBE, there, with identities of its own */
	assert_int_equal(uh_reply(u, &inv2, 180, "gw"), 0);
	sub2 = uh_req(u, "SUBSCRIBE");
	assert_string_equal(sub2.addr, UH_GW1);
	assert_true(has(sub2.raw, "SUBSCRIBE sip:gw@192.0.2.30:5060 SIP/2.0"));
	assert_string_not_equal(sub2.m->call_id->number,
				sub.m->call_id->number);
	assert_int_equal(uh_ev(u, 11, PINT_STATUS_NONE)->sip_code, 180);
	granted(u, 11, &sub2, "gs2", 600, true);
	uh_accept(u, 11, &inv2, "gw");
	uh_none(u);

	/* east's subscription is gone: its NOTIFY matches nothing */
	gd = uh_uas(&sub, "gs");
	assert_int_equal(uh_send(u, uh_notify(u, gd, NULL, SDP_INFO, NULL,
					      NULL), UH_GW0), 0);
	resp = uh_resp(u, 481);
	uh_msg_free(&resp);
	uh_no_ev(u);

	/* west's NOTIFY: the service has started */
	gd2 = uh_uas(&sub2, "gs2");
	assert_int_equal(uh_send(u, uh_notify(u, gd2, NULL, SDP_ACTIVE, NULL,
					      NULL), UH_GW1), 0);
	ok200(u);
	uh_ev(u, 11, PINT_STATUS_ACTIVE);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.subs_live, 1);
	assert_int_equal(st.subscribes_sent, 2);
	assert_int_equal(st.unsubscribes_sent, 1);

	uh_gw_bye(u, 11, &inv2, "gw");
	uh_msg_free(&unsub);
	unsub = uh_req(u, "UNSUBSCRIBE");
	assert_string_equal(unsub.addr, UH_GW1);
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_none(u);
	uh_no_ev(u);
	pint_dialog_free(gd);
	pint_dialog_free(gd2);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&unsub);
	uh_msg_free(&inv2);
	uh_msg_free(&sub2);
	uh_fini(u);
}

/* A SUBSCRIBE still unanswered at the failover is dropped, not ended. */
static void test_failover_drops_pending(void **state)
{
	struct pint_ua_stats st;
	struct uh *u = &U;
	struct uh_msg inv, sub, inv2, sub2, unsub;
	osip_message_t *r;

	(void)state;
	uh_init(u, NULL, 0, NULL);
	start(u, 12, NULL, &inv, &sub);
	inv2 = fail_503(u, 12, &inv, NULL);
	uh_none(u);

	/* east's late 200 belongs to nobody: no monitoring event */
	r = uh_answer(&sub, 200, "gs");
	assert_int_equal(pint_req_add_expires(r, 600), 0);
	assert_int_equal(uh_send(u, r, UH_GW0), 0);
	uh_none(u);
	uh_no_ev(u);

	/* west answers at once: subscribed there before the ACK */
	r = uh_answer(&inv2, 200, "gw");
	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, UH_GW1), 0);
	sub2 = uh_req(u, "SUBSCRIBE");
	assert_string_equal(sub2.addr, UH_GW1);
	uh_msg_free(&inv);
	inv = uh_req(u, "ACK");
	uh_ev(u, 12, PINT_STATUS_ACCEPTED);
	granted(u, 12, &sub2, "gs2", 600, true);
	pint_ua_stats(u->ua, &st);
	assert_int_equal(st.subs_live, 1);
	assert_int_equal(st.unsubscribes_sent, 0);

	uh_gw_bye(u, 12, &inv2, "gw");
	unsub = uh_req(u, "UNSUBSCRIBE");
	assert_string_equal(unsub.addr, UH_GW1);
	assert_int_equal(uh_reply(u, &unsub, 200, NULL), 0);
	uh_none(u);
	uh_msg_free(&inv);
	uh_msg_free(&sub);
	uh_msg_free(&inv2);
	uh_msg_free(&sub2);
	uh_msg_free(&unsub);
	uh_fini(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_notify_info_warning),
		leakcheck_test(test_gateway_unsubscribe),
		leakcheck_test(test_subscribe_606_307),
		leakcheck_test(test_pint_renewal),
		leakcheck_test(test_489_dialog_fallback),
		leakcheck_test(test_489_no_fallback_and_crossing),
		leakcheck_test(test_dialog_sequence),
		leakcheck_test(test_dialog_gap_and_terminated),
		leakcheck_test(test_unsubscribe_405),
		leakcheck_test(test_watch),
		leakcheck_test(test_poll_and_auth),
		leakcheck_test(test_subscribe_before_ack),
		leakcheck_test(test_failover_resubscribes),
		leakcheck_test(test_failover_drops_pending),
	};

	return cmocka_run_group_tests_name("pint_sub", tests, uh_group_setup,
					   NULL);
}
