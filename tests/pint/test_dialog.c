/*
 * tests/pint/test_dialog.c — pint/dialog.c: dialog creation from real
 * INVITE/SUBSCRIBE exchanges (tests/data/req/), route sets, CSeq
 * enforcement on incoming requests, and the in-dialog builders, each
 * serialized and parsed again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "tests/pint/test_common.h"
#include "pint/dialog.h"

static const char SDP[] =
	"v=0\r\n"
	"o=- 3001 3001 IN IP4 192.0.2.10\r\n"
	"s=R2C\r\n"
	"e=sales@example.com\r\n"
	"c=TN RFC2543 +1-555-555-0199\r\n"
	"t=0 0\r\n"
	"m=audio 1 voice -\r\n";

static const struct pint_req_local LOC = {
	"192.0.2.10", 5060, "UDP", "pint-client", "gw.example.com", "pintgw",
};

static const char *const ROUTES[] = {
	"<sip:p1.example.net;lr>", "<sip:p2.example.net;lr>",
};

/* --- helpers ----------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	parser_init();
	return 0;
}

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

static osip_message_t *reparse(osip_message_t *m)
{
	osip_message_t *p = NULL;
	char *wire = NULL;
	size_t len = 0;

	assert_int_equal(osip_message_to_str(m, &wire, &len), 0);
	assert_int_equal(osip_message_init(&p), 0);
	assert_int_equal(osip_message_parse(p, wire, len), 0);
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

static const char *hval(const osip_message_t *p, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(p, name, 0, &h) < 0)
		return NULL;
	return h->hvalue;
}

static void check_addr(const osip_from_t *f, const char *uri, const char *tag)
{
	char *s = NULL;

	assert_non_null(f);
	check_ostr(osip_uri_to_str(f->url, &s), &s, uri);
	if (tag)
		assert_string_equal(gparam(&f->gen_params, "tag"), tag);
	else
		assert_null(gparam(&f->gen_params, "tag"));
}

/*
 * The fields every in-dialog request must carry (RFC 3261 §12.2.1.1):
 * Request-URI = remote target, To/From = remote/local URI and tags, the
 * Call-ID, CSeq, one Via with our branch, Max-Forwards, the route set.
 */
static void check_in_dialog(const osip_message_t *p,
			    const struct pint_dialog *dlg, const char *method,
			    const char *cseq, const char *branch)
{
	const osip_via_t *v;
	char *s = NULL;
	size_t i;

	assert_string_equal(p->sip_method, method);
	check_ostr(osip_uri_to_str(p->req_uri, &s), &s, dlg->remote_target);
	check_addr(p->from, dlg->local_uri, dlg->local_tag);
	check_addr(p->to, dlg->remote_uri, dlg->remote_tag);
	check_ostr(osip_call_id_to_str(p->call_id, &s), &s, dlg->call_id);
	assert_string_equal(p->cseq->number, cseq);
	assert_string_equal(p->cseq->method, method);
	assert_int_equal(osip_list_size(&p->vias), 1);
	v = osip_list_get(&p->vias, 0);
	assert_string_equal(v->protocol, "UDP");
	assert_string_equal(gparam(&v->via_params, "branch"), branch);
	assert_string_equal(hval(p, "max-forwards"), "70");
	assert_int_equal(osip_list_size(&p->routes), (int)dlg->route_count);
	for (i = 0; i < dlg->route_count; i++) {
		check_ostr(osip_from_to_str(osip_list_get(&p->routes, (int)i),
					    &s), &s, dlg->route[i]);
	}
}

static struct pint_dialog *invite_dialog(const char *resp_file)
{
	osip_message_t *inv = load("req/invite.sip");
	osip_message_t *resp = load(resp_file);
	struct pint_dialog *dlg = NULL;

	assert_int_equal(pint_dialog_uac_alloc(&dlg, inv, resp), 0);
	osip_message_free(resp);
	osip_message_free(inv);
	return dlg;
}

/* --- creation ---------------------------------------------------------- */

static void test_uac_from_200(void **state)
{
	struct pint_dialog *dlg = invite_dialog("req/resp_200.sip");

	(void)state;
	assert_string_equal(dlg->call_id, "5f1e9c2a@gw.example.com");
	assert_string_equal(dlg->local_uri, "sip:pint-client@gw.example.com");
	assert_string_equal(dlg->local_tag, "a71c");
	assert_string_equal(dlg->remote_uri,
			    "sip:+15555550100@pint.example.net;user=phone");
	assert_string_equal(dlg->remote_tag, "gw200");
	assert_string_equal(dlg->remote_target,
			    "sip:R2C@198.51.100.7:5070;transport=tcp");
	/* Record-Route p2, p1 in the response → route set p1, p2 */
	assert_int_equal(dlg->route_count, 2);
	assert_string_equal(dlg->route[0], ROUTES[0]);
	assert_string_equal(dlg->route[1], ROUTES[1]);
	assert_false(dlg->strict_route);
	assert_int_equal(dlg->local_cseq, 2);
	assert_false(dlg->remote_cseq_set);
	pint_dialog_free(dlg);
	pint_dialog_free(NULL);
}

/* Each response to invite.sip → error, or the dialog's shape. */
static void test_uac_variants(void **state)
{
	const struct {
		const char *file;
		int err;
		const char *target;
		size_t routes;
		const char *first_route;
		bool strict;
		const char *rtag;
	} cases[] = {
		{"req/resp_200_rrcomma.sip", 0,
		 "sip:R2C@198.51.100.7:5070;transport=tcp", 2, ROUTES[0],
		 false, "gw200"},
		{"req/resp_200_strict.sip", 0,
		 "sip:R2C@198.51.100.7:5070;transport=tcp", 2,
		 "<sip:old.example.net>", true, "gw200"},
		/* no Contact: the Request-URI stays the target */
		{"req/resp_200_nocontact.sip", 0, "sip:R2C@pint.example.net",
		 0, NULL, false, "gw200"},
		/* RFC 2543 peer without a To tag on its 2xx */
		{"req/resp_200_notag.sip", 0,
		 "sip:R2C@198.51.100.7:5070;transport=tcp", 0, NULL, false,
		 NULL},
		{"req/resp_180.sip", 0,
		 "sip:R2C@198.51.100.7:5070;transport=tcp",
		 0, NULL, false, "gw200"},
		{"req/resp_180_notag.sip", EPROTO, NULL, 0, NULL, false, NULL},
		{"req/resp_100.sip", EPROTO, NULL, 0, NULL, false, NULL},
		{"req/resp_486.sip", EPROTO, NULL, 0, NULL, false, NULL},
		{"req/resp_200_othercall.sip", EPROTO, NULL, 0, NULL, false,
		 NULL},
		{"req/resp_200_manyrr.sip", EMSGSIZE, NULL, 0, NULL, false,
		 NULL},
		{"req/resp_200_v6.sip", 0, "sip:R2C@[2001:db8::7]:5070", 1,
		 "<sip:[2001:db8::5];lr>", false, "gw200"},
		/* values we could not send back: refused, not mangled */
		{"req/resp_200_badcontact.sip", EBADMSG, NULL, 0, NULL, false,
		 NULL},
		{"req/resp_200_badrr.sip", EBADMSG, NULL, 0, NULL, false,
		 NULL},
	};
	osip_message_t *inv = load("req/invite.sip");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		osip_message_t *resp = load(cases[i].file);
		struct pint_dialog *dlg = NULL;
		int err = pint_dialog_uac_alloc(&dlg, inv, resp);

		if (err != cases[i].err)
			fail_msg("%s: %d, want %d", cases[i].file, err,
				 cases[i].err);
		if (!err) {
			assert_string_equal(dlg->remote_target,
					    cases[i].target);
			assert_int_equal(dlg->route_count, cases[i].routes);
			if (cases[i].routes)
				assert_string_equal(dlg->route[0],
						    cases[i].first_route);
			assert_int_equal(dlg->strict_route, cases[i].strict);
			if (cases[i].rtag)
				assert_string_equal(dlg->remote_tag,
						    cases[i].rtag);
			else
				assert_null(dlg->remote_tag);
		} else {
			assert_null(dlg);
		}
		pint_dialog_free(dlg);
		osip_message_free(resp);
	}
	osip_message_free(inv);
}

static void test_uac_bad_args(void **state)
{
	osip_message_t *inv = load("req/invite.sip");
	osip_message_t *resp = load("req/resp_200.sip");
	struct pint_dialog *dlg = NULL;

	(void)state;
	assert_int_equal(pint_dialog_uac_alloc(NULL, inv, resp), EINVAL);
	assert_int_equal(pint_dialog_uac_alloc(&dlg, NULL, resp), EINVAL);
	assert_int_equal(pint_dialog_uac_alloc(&dlg, inv, NULL), EINVAL);
	assert_int_equal(pint_dialog_uac_alloc(&dlg, resp, inv), EINVAL);
	assert_int_equal(pint_dialog_uac_alloc(&dlg, resp, resp), EINVAL);
	assert_null(dlg);
	osip_message_free(resp);
	osip_message_free(inv);
}

/* --- incoming requests ------------------------------------------------- */

/* In order: the gateway's requests in the INVITE dialog → outcome. */
static void test_recv_cseq_sequence(void **state)
{
	const struct {
		const char *file;
		int err;
		uint32_t remote_cseq;
	} seq[] = {
		{"req/in_options_5.sip", 0, 5},
		{"req/in_options_5.sip", EPROTO, 5},    /* not higher */
		{"req/in_options_4.sip", EPROTO, 5},    /* lower */
		{"req/in_ack_1.sip", 0, 5},             /* matched only */
		{"req/in_bye_badcseq.sip", EBADMSG, 5},
		{"req/in_bye_bigcseq.sip", EBADMSG, 5}, /* > 2^32-1 */
		{"req/in_bye_othertag.sip", ENOENT, 5},
		{"req/in_bye_otherfrom.sip", ENOENT, 5},
		{"req/in_bye_notag.sip", ENOENT, 5},
		{"req/in_bye_othercall.sip", ENOENT, 5},
		{"req/in_bye_callnohost.sip", ENOENT, 5},
		{"req/in_bye_6.sip", 0, 6},
		{"req/resp_200.sip", EINVAL, 6},        /* not a request */
	};
	struct pint_dialog *dlg = invite_dialog("req/resp_200.sip");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		osip_message_t *req = load(seq[i].file);
		int err = pint_dialog_recv(dlg, req);

		if (err != seq[i].err)
			fail_msg("step %zu %s: %d, want %d", i, seq[i].file,
				 err, seq[i].err);
		assert_true(dlg->remote_cseq_set);
		assert_int_equal(dlg->remote_cseq, seq[i].remote_cseq);
		assert_int_equal(pint_dialog_match(dlg, req),
				 seq[i].err != ENOENT && seq[i].err != EINVAL);
		osip_message_free(req);
	}
	assert_int_equal(pint_dialog_recv(NULL, NULL), EINVAL);
	assert_false(pint_dialog_match(NULL, NULL));
	pint_dialog_free(dlg);
}

static void test_target_refresh(void **state)
{
	struct pint_dialog *dlg = invite_dialog("req/resp_200.sip");
	osip_message_t *upd = load("req/in_refresh_contact.sip");
	osip_message_t *bye = load("req/in_bye_6.sip");

	(void)state;
	assert_int_equal(pint_dialog_target_refresh(dlg, bye), 0);
	assert_string_equal(dlg->remote_target,
			    "sip:R2C@198.51.100.7:5070;transport=tcp");
	assert_int_equal(pint_dialog_target_refresh(dlg, upd), 0);
	assert_string_equal(dlg->remote_target, "sip:R2C@198.51.100.8:5080");
	assert_int_equal(pint_dialog_target_refresh(dlg, NULL), EINVAL);
	osip_message_free(bye);
	osip_message_free(upd);
	pint_dialog_free(dlg);
}

/* --- in-dialog builders ------------------------------------------------ */

static void test_bye_and_ack_2xx(void **state)
{
	const struct pint_req_tx ack = {
		"z9hG4bK-ack-1",
		"Digest username=\"pintgw\", realm=\"pint.example.net\", "
		"nonce=\"6b8e1f\", uri=\"sip:R2C@pint.example.net\", "
		"response=\"0123456789abcdef0123456789abcdef\"",
		NULL,
	};
	const struct pint_req_tx tx1 = {"z9hG4bK-bye-1", NULL, NULL};
	const struct pint_req_tx tx2 = {"z9hG4bK-bye-2", NULL, NULL};
	const struct pint_req_tx bad = {"bad", NULL, NULL};
	struct pint_dialog *dlg = invite_dialog("req/resp_200.sip");
	osip_message_t *m = NULL, *p;
	osip_authorization_t *a;

	(void)state;
	/* ACK: the INVITE's CSeq and credentials, new branch, no CSeq spent */
	assert_int_equal(pint_dialog_ack_2xx(&m, dlg, &LOC, &ack, 1), 0);
	p = reparse(m);
	check_in_dialog(p, dlg, "ACK", "1", "z9hG4bK-ack-1");
	assert_int_equal(osip_list_size(&p->authorizations), 1);
	a = osip_list_get(&p->authorizations, 0);
	assert_string_equal(a->username, "\"pintgw\"");
	assert_int_equal(osip_list_size(&p->contacts), 0);
	assert_int_equal(osip_list_size(&p->bodies), 0);
	assert_int_equal(dlg->local_cseq, 2);
	osip_message_free(p);
	osip_message_free(m);

	m = NULL;
	assert_int_equal(pint_dialog_bye(&m, dlg, &LOC, &tx1), 0);
	p = reparse(m);
	check_in_dialog(p, dlg, "BYE", "2", "z9hG4bK-bye-1");
	assert_int_equal(osip_list_size(&p->contacts), 0);
	assert_int_equal(osip_list_size(&p->bodies), 0);
	assert_int_equal(dlg->local_cseq, 3);
	osip_message_free(p);
	osip_message_free(m);

	m = NULL;
	assert_int_equal(pint_dialog_bye(&m, dlg, &LOC, &tx2), 0);
	p = reparse(m);
	check_in_dialog(p, dlg, "BYE", "3", "z9hG4bK-bye-2");
	osip_message_free(p);
	osip_message_free(m);

	/* a failed build spends no CSeq */
	m = NULL;
	assert_int_equal(pint_dialog_bye(&m, dlg, &LOC, NULL), EINVAL);
	assert_int_equal(pint_dialog_bye(&m, dlg, &LOC, &bad), EINVAL);
	assert_int_equal(pint_dialog_ack_2xx(&m, dlg, &LOC, &bad, 1), EINVAL);
	assert_int_equal(pint_dialog_ack_2xx(&m, dlg, &LOC, &tx1,
					     PINT_REQ_MAX_CSEQ + 1u), ERANGE);
	assert_int_equal(pint_dialog_ack_2xx(&m, NULL, &LOC, &tx1, 1), EINVAL);
	assert_null(m);
	assert_int_equal(dlg->local_cseq, 4);
	pint_dialog_free(dlg);
}

static void test_cseq_exhausted(void **state)
{
	const struct pint_req_tx tx = {"z9hG4bK-bye-9", NULL, NULL};
	struct pint_dialog *dlg = invite_dialog("req/resp_200.sip");
	osip_message_t *m = NULL, *p;

	(void)state;
	dlg->local_cseq = PINT_REQ_MAX_CSEQ;
	assert_int_equal(pint_dialog_bye(&m, dlg, &LOC, &tx), 0);
	p = reparse(m);
	assert_string_equal(p->cseq->number, "2147483647");
	osip_message_free(p);
	osip_message_free(m);
	m = NULL;
	assert_int_equal(pint_dialog_bye(&m, dlg, &LOC, &tx), ERANGE);
	assert_null(m);
	pint_dialog_free(dlg);
}

/* The dialog is a public struct: a corrupted one is refused, not sent. */
static void test_tampered_dialog(void **state)
{
	const struct pint_req_tx tx = {"z9hG4bK-bye-9", NULL, NULL};
	struct pint_dialog *dlg = invite_dialog("req/resp_200.sip");
	osip_message_t *m = NULL;
	char *saved = dlg->remote_target;
	char evil[] = "sip:a@b\r\nX-Evil: 1";

	(void)state;
	dlg->remote_target = evil;
	assert_int_equal(pint_dialog_bye(&m, dlg, &LOC, &tx), EINVAL);
	dlg->remote_target = saved;
	saved = dlg->route[0];
	dlg->route[0] = evil;
	assert_int_equal(pint_dialog_bye(&m, dlg, &LOC, &tx), EINVAL);
	dlg->route[0] = saved;
	assert_null(m);
	assert_int_equal(dlg->local_cseq, 2);
	pint_dialog_free(dlg);
}

/* PINT monitoring: SUBSCRIBE → 200 → NOTIFY in → UNSUBSCRIBE out. */
static void test_pint_subscription(void **state)
{
	const struct pint_req_ids ids = {"sub-7f3a@gw.example.com", "s1", 1};
	const struct pint_req_tx tx = {"z9hG4bK-sub-1", NULL, NULL};
	const struct pint_req_tx utx = {"z9hG4bK-uns-1", NULL, NULL};
	const struct pint_req_subscribe sub = {
		.target = "sip:R2C@pint.example.net", .expires = 600,
		.sdp = SDP, .sdp_len = sizeof(SDP) - 1,
	};
	osip_message_t *req = NULL, *resp = load("req/sub_200.sip");
	osip_message_t *notify = load("req/sub_notify_1.sip");
	osip_message_t *bye = load("req/in_bye_6.sip");
	struct pint_dialog *dlg = NULL;
	osip_message_t *m = NULL, *p;
	osip_body_t *b;

	(void)state;
	assert_int_equal(pint_req_subscribe(&req, &LOC, &ids, &tx, &sub), 0);
	assert_int_equal(pint_dialog_uac_alloc(&dlg, req, resp), 0);
	assert_string_equal(dlg->remote_target, "sip:R2C@198.51.100.7:5070");
	assert_string_equal(dlg->remote_uri, "sip:R2C@pint.example.net");
	assert_string_equal(dlg->remote_tag, "gwsub");

	assert_int_equal(pint_dialog_recv(dlg, notify), 0);
	assert_int_equal(dlg->remote_cseq, 1);
	assert_int_equal(pint_dialog_recv(dlg, bye), ENOENT);

	assert_int_equal(pint_dialog_unsubscribe(&m, dlg, &LOC, &utx, SDP,
						 sizeof(SDP) - 1), 0);
	p = reparse(m);
	check_in_dialog(p, dlg, "UNSUBSCRIBE", "2", "z9hG4bK-uns-1");
	assert_null(hval(p, "event"));
	assert_string_equal(p->content_type->subtype, "sdp");
	b = osip_list_get(&p->bodies, 0);
	assert_int_equal(b->length, sizeof(SDP) - 1);
	assert_memory_equal(b->body, SDP, sizeof(SDP) - 1);
	osip_message_free(p);
	osip_message_free(m);
	m = NULL;
	assert_int_equal(pint_dialog_unsubscribe(&m, dlg, &LOC, &utx, NULL, 0),
			 EINVAL);
	assert_null(m);

	pint_dialog_free(dlg);
	osip_message_free(bye);
	osip_message_free(notify);
	osip_message_free(resp);
	osip_message_free(req);
}

/* Dialog package: refresh, then end with Expires: 0, in one dialog. */
static void test_dialog_package_refresh(void **state)
{
	const struct pint_req_ids ids = {"sub-7f3a@gw.example.com", "s1", 1};
	const struct pint_req_tx tx = {"z9hG4bK-dsub-1", NULL, NULL};
	const struct pint_req_tx rtx = {"z9hG4bK-dsub-2", NULL, NULL};
	const struct pint_req_tx etx = {"z9hG4bK-dsub-3", NULL, NULL};
	const struct pint_req_subscribe_dialog sub = {
		.target = "sip:R2C@pint.example.net", .expires = 600,
		.event = {"5f1e9c2a@gw.example.com", "a71c", NULL},
	};
	osip_message_t *req = NULL, *resp = load("req/sub_200.sip");
	struct pint_dialog *dlg = NULL;
	osip_message_t *m = NULL, *p;

	(void)state;
	assert_int_equal(pint_req_subscribe_dialog(&req, &LOC, &ids, &tx, &sub),
			 0);
	assert_int_equal(pint_dialog_uac_alloc(&dlg, req, resp), 0);

	assert_int_equal(pint_dialog_subscribe_refresh(&m, dlg, &LOC, &rtx,
						       &sub.event, 600), 0);
	p = reparse(m);
	check_in_dialog(p, dlg, "SUBSCRIBE", "2", "z9hG4bK-dsub-2");
	assert_string_equal(hval(p, "event"),
			    "dialog;call-id=\"5f1e9c2a@gw.example.com\""
			    ";from-tag=a71c");
	assert_string_equal(hval(p, "expires"), "600");
	assert_int_equal(osip_list_size(&p->accepts), 1);
	assert_int_equal(osip_list_size(&p->contacts), 1);
	assert_int_equal(osip_list_size(&p->bodies), 0);
	osip_message_free(p);
	osip_message_free(m);

	m = NULL;
	assert_int_equal(pint_dialog_subscribe_refresh(&m, dlg, &LOC, &etx,
						       &sub.event, 0), 0);
	p = reparse(m);
	check_in_dialog(p, dlg, "SUBSCRIBE", "3", "z9hG4bK-dsub-3");
	assert_string_equal(hval(p, "expires"), "0");
	osip_message_free(p);
	osip_message_free(m);
	assert_int_equal(dlg->local_cseq, 4);

	pint_dialog_free(dlg);
	osip_message_free(resp);
	osip_message_free(req);
}

/* The simulator's side: SUBSCRIBE in → UAS dialog → NOTIFYs out. */
static void test_uas_notify(void **state)
{
	static const char XML[] =
		"<?xml version=\"1.0\"?>\r\n"
		"<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" "
		"version=\"1\" state=\"full\" entity=\"sip:R2C@sim\">"
		"</dialog-info>\r\n";
	const struct pint_req_warning warn[] = {
		{399, "sim.example.net",
		 "fax aborted, will try for the next hour"},
		{307, "sim.example.net", "say \"again\""},
	};
	const struct pint_req_tx tx1 = {"z9hG4bK-n-1", NULL, NULL};
	const struct pint_req_tx tx2 = {"z9hG4bK-n-2", NULL, NULL};
	struct pint_req_notify n = {
		.body = SDP, .body_len = sizeof(SDP) - 1,
		.warnings = warn, .warning_count = 2,
	};
	osip_message_t *sub = load("req/sim_subscribe.sip");
	osip_message_t *uns = load("req/sim_unsubscribe.sip");
	struct pint_dialog *dlg = NULL;
	osip_message_t *m = NULL, *p;
	osip_header_t *h = NULL;
	int i;

	(void)state;
	assert_int_equal(pint_dialog_uas_alloc(&dlg, sub, "sim1", 1), 0);
	assert_string_equal(dlg->local_uri, "sip:R2C@sim.example.net");
	assert_string_equal(dlg->remote_uri, "sip:pint-client@gw.example.com");
	assert_string_equal(dlg->remote_tag, "c77");
	assert_string_equal(dlg->remote_target,
			    "sip:pint-client@192.0.2.10:5060");
	assert_int_equal(dlg->route_count, 2);   /* request order kept */
	assert_string_equal(dlg->route[0], "<sip:p1.example.net;lr>");
	assert_string_equal(dlg->route[1], "<sip:p0.example.net;lr>");
	assert_int_equal(dlg->remote_cseq, 4);

	assert_int_equal(pint_dialog_notify(&m, dlg, &LOC, &tx1, &n), 0);
	p = reparse(m);
	check_in_dialog(p, dlg, "NOTIFY", "1", "z9hG4bK-n-1");
	assert_null(hval(p, "event"));
	assert_null(hval(p, "subscription-state"));
	i = osip_message_header_get_byname(p, "warning", 0, &h);
	assert_true(i >= 0);
	assert_string_equal(h->hvalue,
			    "399 sim.example.net \"fax aborted, will try for "
			    "the next hour\"");
	assert_true(osip_message_header_get_byname(p, "warning", i + 1, &h) >
		    i);
	assert_string_equal(h->hvalue,
			    "307 sim.example.net \"say \\\"again\\\"\"");
	assert_int_equal(osip_list_size(&p->contacts), 1);
	assert_string_equal(p->content_type->subtype, "sdp");
	osip_message_free(p);
	osip_message_free(m);

	/* dialog-package flavour */
	memset(&n, 0, sizeof(n));
	n.event = "dialog";
	n.subscription_state = "active;expires=3599";
	n.content_type = "application/dialog-info+xml";
	n.body = XML;
	n.body_len = sizeof(XML) - 1;
	m = NULL;
	assert_int_equal(pint_dialog_notify(&m, dlg, &LOC, &tx2, &n), 0);
	p = reparse(m);
	check_in_dialog(p, dlg, "NOTIFY", "2", "z9hG4bK-n-2");
	assert_string_equal(hval(p, "event"), "dialog");
	assert_string_equal(hval(p, "subscription-state"),
			    "active;expires=3599");
	assert_string_equal(p->content_type->subtype, "dialog-info+xml");
	assert_null(hval(p, "warning"));
	osip_message_free(p);
	osip_message_free(m);

	/* hostile values */
	m = NULL;
	n.subscription_state = "active\r\nX: y";
	assert_int_equal(pint_dialog_notify(&m, dlg, &LOC, &tx2, &n), EINVAL);
	n.subscription_state = NULL;
	n.warnings = warn;
	n.warning_count = PINT_REQ_MAX_WARNINGS + 1;
	assert_int_equal(pint_dialog_notify(&m, dlg, &LOC, &tx2, &n), EMSGSIZE);
	assert_null(m);
	assert_int_equal(dlg->local_cseq, 3);

	/* the client's UNSUBSCRIBE: in the dialog, CSeq above the SUBSCRIBE */
	assert_int_equal(pint_dialog_recv(dlg, uns), 0);
	assert_int_equal(dlg->remote_cseq, 5);
	assert_int_equal(pint_dialog_recv(dlg, uns), EPROTO);

	/* a request already carrying a To tag creates no dialog */
	pint_dialog_free(dlg);
	dlg = NULL;
	assert_int_equal(pint_dialog_uas_alloc(&dlg, uns, "sim2", 1), EPROTO);
	assert_int_equal(pint_dialog_uas_alloc(&dlg, sub, "bad tag", 1),
			 EINVAL);
	assert_int_equal(pint_dialog_uas_alloc(&dlg, sub, "sim2",
					       PINT_REQ_MAX_CSEQ + 1u), ERANGE);
	assert_null(dlg);
	osip_message_free(uns);
	osip_message_free(sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_uac_from_200),
		leakcheck_test(test_uac_variants),
		leakcheck_test(test_uac_bad_args),
		leakcheck_test(test_recv_cseq_sequence),
		leakcheck_test(test_target_refresh),
		leakcheck_test(test_bye_and_ack_2xx),
		leakcheck_test(test_cseq_exhausted),
		leakcheck_test(test_tampered_dialog),
		leakcheck_test(test_pint_subscription),
		leakcheck_test(test_dialog_package_refresh),
		leakcheck_test(test_uas_notify),
	};

	return cmocka_run_group_tests_name("pint_dialog", tests, group_setup,
					   NULL);
}
