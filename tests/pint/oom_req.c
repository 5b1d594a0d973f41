/*
 * tests/pint/oom_req.c — allocation-failure scenarios for pint/req and
 * pint/dialog: build every request kind and free it; make dialogs from a
 * peer's messages and use them. The peer's messages are assembled with
 * pint_req_build (then turned into responses where needed), not parsed:
 * osip_message_parse itself leaks and drops headers when an allocation
 * fails, which would hide what these scenarios are about.
 */
#include <errno.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "tests/pint/oom.h"
#include "pint/dialog.h"
#include "pint/req.h"

#define CRLF "\r\n"

static const char SDP[] =
	"v=0" CRLF "o=- 3001 3001 IN IP4 192.0.2.10" CRLF "s=R2C" CRLF
	"e=sales@example.com" CRLF "c=TN RFC2543 +1-555-555-0199" CRLF
	"t=0 0" CRLF "m=audio 1 voice -" CRLF;

static const char MULTIPART[] =
	"--b1" CRLF "Content-Type: application/sdp" CRLF CRLF "v=0" CRLF CRLF
	"--b1" CRLF "Content-Type: text/plain" CRLF
	"Content-ID: <t1@gw.example.com>" CRLF CRLF "hello" CRLF
	"--b1--" CRLF;

static const struct pint_req_local LOC = {
	"192.0.2.10", 5060, "UDP", "pint-client", "gw.example.com", "pintgw",
};
static const struct pint_req_local LOC_TCP = {
	"gw.example.com", 5060, "TCP", "pint-client", NULL, NULL,
};
static const struct pint_req_ids IDS = {"5f1e9c2a@gw.example.com", "a71c", 1};
static const struct pint_req_ids SUB_IDS = {"sub-7f3a@gw.example.com", "s1", 1};
static const struct pint_req_tx TX = {"z9hG4bK-1", NULL, NULL};

/*
 * err is what building *mp returned: free the message, reset *mp. (No
 * osip_message_to_str here: libosip2 5.3.0 dereferences NULL inside
 * osip_via_to_str when one of its own allocations fails.)
 */
static int emit(osip_message_t **mp, int err)
{
	osip_message_free(*mp);
	*mp = NULL;
	return err;
}

static const struct pint_req_local GW = {
	"198.51.100.7", 5070, "TCP", "R2C", NULL, NULL,
};
static char RR_P1[] = "<sip:p1.example.net;lr>";
static char RR_P2[] = "<sip:p2.example.net;lr>";
static char *const ROUTES[] = {RR_P1, RR_P2};

/* The INVITE we sent, with a preloaded route. */
static const struct pint_req_base INVITE = {
	.method = "INVITE", .ruri = "sip:R2C@pint.example.net",
	.from_display = "pintgw", .from_uri = "sip:pint-client@gw.example.com",
	.from_tag = "a71c",
	.to_uri = "sip:+15555550100@pint.example.net;user=phone",
	.call_id = "5f1e9c2a@gw.example.com", .cseq = 1,
	.route = ROUTES, .route_count = 1,
};

/*
 * A response to b (its From, To, Call-ID, CSeq) with the given To tag,
 * Record-Route = routes, and the gateway's Contact when contact is set.
 */
static int response(osip_message_t **mp, const struct pint_req_base *b,
		    int code, const char *to_tag, size_t routes, bool contact)
{
	struct pint_req_base r = *b;
	osip_message_t *m = NULL;
	int err;

	r.to_tag = to_tag;
	r.route = ROUTES;
	r.route_count = routes;
	err = pint_req_build(&m, &LOC, &TX, &r);
	if (err)
		return err;
	osip_free(m->sip_method);
	m->sip_method = NULL;
	osip_uri_free(m->req_uri);
	m->req_uri = NULL;
	osip_message_set_status_code(m, code);
	m->reason_phrase = osip_strdup("Whatever");
	m->record_routes = m->routes;
	osip_list_init(&m->routes);
	err = m->reason_phrase ? 0 : ENOMEM;
	if (!err && contact)
		err = pint_req_add_contact(m, &GW, -1);
	if (err) {
		osip_message_free(m);
		return err;
	}
	*mp = m;
	return 0;
}

static int run_invite(void)
{
	const struct pint_req_invite inv = {
		.service = "R2C", .domain = "pint.example.net",
		.to_uri = "sip:+15555550100@pint.example.net;user=phone",
		.require_sdp = true, .body = SDP, .body_len = sizeof(SDP) - 1,
	};
	osip_message_t *m = NULL;

	return emit(&m, pint_req_invite(&m, &LOC, &IDS, &TX, &inv));
}

static int run_invite_multipart(void)
{
	const struct pint_req_tx tx = {
		"z9hG4bK-2",
		"Digest username=\"u\", realm=\"r\", nonce=\"n\", "
		"uri=\"sip:R2F@pint.example.net\", response=\"00\"",
		"Digest username=\"u\", realm=\"p\", nonce=\"n\", "
		"uri=\"sip:R2F@pint.example.net\", response=\"00\"",
	};
	const struct pint_req_invite inv = {
		.service = "R2F", .domain = "pint.example.net",
		.tsp = "telco.example.org", .require_subscribe = true,
		.content_type = "multipart/related; type=\"application/sdp\"; "
				"boundary=b1",
		.body = MULTIPART, .body_len = sizeof(MULTIPART) - 1,
	};
	osip_message_t *m = NULL;

	return emit(&m, pint_req_invite(&m, &LOC_TCP, &IDS, &tx, &inv));
}

static int run_subscribe(void)
{
	const struct pint_req_subscribe sub = {
		.target = "sip:R2C@pint.example.net", .expires = 600,
		.require_subscribe = true, .sdp = SDP,
		.sdp_len = sizeof(SDP) - 1,
	};
	const struct pint_req_subscribe_dialog dsub = {
		.target = "sip:R2C@pint.example.net", .expires = 3600,
		.event = {"5f1e9c2a@gw.example.com", "a71c", "gw200"},
	};
	osip_message_t *m = NULL;
	int err;

	err = emit(&m, pint_req_subscribe(&m, &LOC, &SUB_IDS, &TX, &sub));
	if (!err)
		err = emit(&m, pint_req_subscribe_dialog(&m, &LOC, &SUB_IDS,
							&TX, &dsub));
	return err;
}

static int run_options_register(void)
{
	const struct pint_req_register reg = {
		"sip:broker.example.net", "sip:pintgw@broker.example.net", 3600,
	};
	osip_message_t *m = NULL;
	int err;

	err = emit(&m, pint_req_options(&m, &LOC, &IDS, &TX,
				       "sip:pint.example.net"));
	if (!err)
		err = emit(&m, pint_req_register(&m, &LOC, &IDS, &TX, &reg));
	return err;
}

static int run_cancel_ack(void)
{
	osip_message_t *inv = NULL, *resp = NULL, *m = NULL;
	int err;

	err = pint_req_build(&inv, &LOC, &TX, &INVITE);
	if (!err)
		err = response(&resp, &INVITE, 487, "gw487", 0, false);
	if (!err)
		err = emit(&m, pint_req_cancel(&m, inv));
	if (!err)
		err = emit(&m, pint_req_ack_non2xx(&m, inv, resp));
	osip_message_free(resp);
	osip_message_free(inv);
	return err;
}

static int run_invite_dialog(void)
{
	const struct pint_req_tx tx = {"z9hG4bK-bye", NULL, NULL};
	const struct pint_req_base bye = {
		.method = "BYE", .ruri = "sip:pint-client@192.0.2.10:5060",
		.from_uri = INVITE.to_uri, .from_tag = "gw200",
		.to_uri = INVITE.from_uri, .to_tag = "a71c",
		.call_id = INVITE.call_id, .cseq = 6,
	};
	osip_message_t *inv = NULL, *resp = NULL, *in = NULL, *m = NULL;
	struct pint_dialog *dlg = NULL;
	int err;

	err = pint_req_build(&inv, &LOC, &TX, &INVITE);
	if (!err)
		err = response(&resp, &INVITE, 200, "gw200", 2, true);
	if (!err)
		err = pint_req_build(&in, &GW, &TX, &bye);
	if (!err)
		err = pint_dialog_uac_alloc(&dlg, inv, resp);
	if (!err)
		err = emit(&m, pint_dialog_ack_2xx(&m, dlg, &LOC, &TX, 1));
	if (!err)
		err = pint_dialog_recv(dlg, in);
	if (!err)
		err = pint_dialog_target_refresh(dlg, resp);
	if (!err)
		err = emit(&m, pint_dialog_bye(&m, dlg, &LOC, &tx));
	pint_dialog_free(dlg);
	osip_message_free(in);
	osip_message_free(resp);
	osip_message_free(inv);
	return err;
}

static int run_subscription_dialog(void)
{
	const struct pint_req_dialog_event ev = {"5f1e9c2a", "a71c", NULL};
	const struct pint_req_subscribe sub = {
		.target = "sip:R2C@pint.example.net", .expires = 600,
		.sdp = SDP, .sdp_len = sizeof(SDP) - 1,
	};
	const struct pint_req_base sub_base = {
		.method = "SUBSCRIBE", .ruri = "sip:R2C@pint.example.net",
		.from_uri = "sip:pint-client@gw.example.com", .from_tag = "s1",
		.to_uri = "sip:R2C@pint.example.net",
		.call_id = "sub-7f3a@gw.example.com", .cseq = 1,
	};
	osip_message_t *req = NULL, *resp = NULL, *m = NULL;
	struct pint_dialog *dlg = NULL;
	int err;

	err = pint_req_subscribe(&req, &LOC, &SUB_IDS, &TX, &sub);
	if (!err)
		err = response(&resp, &sub_base, 200, "gwsub", 0, true);
	if (!err)
		err = pint_dialog_uac_alloc(&dlg, req, resp);
	if (!err)
		err = emit(&m, pint_dialog_unsubscribe(&m, dlg, &LOC, &TX, SDP,
						      sizeof(SDP) - 1));
	if (!err)
		err = emit(&m, pint_dialog_subscribe_refresh(&m, dlg, &LOC, &TX,
							    &ev, 0));
	pint_dialog_free(dlg);
	osip_message_free(resp);
	osip_message_free(req);
	return err;
}

static int run_uas_notify(void)
{
	const struct pint_req_warning w[] = {
		{399, "sim.example.net", "fax aborted, \"retrying\""},
	};
	const struct pint_req_notify n = {
		.event = "dialog", .subscription_state = "active;expires=60",
		.body = SDP, .body_len = sizeof(SDP) - 1,
		.warnings = w, .warning_count = 1,
	};
	const struct pint_req_base in = {
		.method = "SUBSCRIBE", .ruri = "sip:R2C@sim.example.net",
		.from_uri = "sip:pint-client@gw.example.com", .from_tag = "c77",
		.to_uri = "sip:R2C@sim.example.net",
		.call_id = "simsub-1@gw.example.com", .cseq = 4,
		.route = ROUTES, .route_count = 2,
	};
	osip_message_t *sub = NULL, *m = NULL;
	struct pint_dialog *dlg = NULL;
	int err;

	err = pint_req_build(&sub, &LOC, &TX, &in);
	if (!err) {
		/* as the proxies would have recorded it */
		sub->record_routes = sub->routes;
		osip_list_init(&sub->routes);
		err = pint_req_add_contact(sub, &LOC, -1);
	}
	if (!err)
		err = pint_dialog_uas_alloc(&dlg, sub, "sim1", 1);
	if (!err)
		err = emit(&m, pint_dialog_notify(&m, dlg, &GW, &TX, &n));
	pint_dialog_free(dlg);
	osip_message_free(sub);
	return err;
}

const struct oom_case oom_cases_req[] = {
	{"req_invite", run_invite},
	{"req_invite_multipart", run_invite_multipart},
	{"req_subscribe", run_subscribe},
	{"req_options_register", run_options_register},
	{"req_cancel_ack", run_cancel_ack},
	{"dialog_invite", run_invite_dialog},
	{"dialog_subscription", run_subscription_dialog},
	{"dialog_uas_notify", run_uas_notify},
	{NULL, NULL},
};
