/*
 * tests/pint/test_status.c — pint/status.c and pint/status_ev.c.
 *
 * Fixtures in tests/data/status/ are whole SIP messages (CRLF, exact
 * Content-Length); each table row is file + context → the complete event.
 * All SDP times are relative to NOW_UNIX.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/dialoginfo.h"
#include "pint/sip.h"
#include "pint/status.h"

#define NOW_UNIX 1795000000ull
#define NOW_NTP  (NOW_UNIX + 2208988800ull)
#define PAST     (NOW_NTP - 600)
#define PAST_STOP (NOW_NTP - 60)
#define FUTURE   (NOW_NTP + 3600)

static osip_message_t *load(const char *name)
{
	osip_message_t *m = NULL;
	char rel[128];
	size_t len;
	char *buf;

	snprintf(rel, sizeof(rel), "status/%s", name);
	buf = test_read_file(rel, &len);
	assert_int_equal(osip_message_init(&m), 0);
	if (osip_message_parse(m, buf, len) != 0)
		fail_msg("osip cannot parse %s", name);
	free(buf);
	return m;
}

/* Evidence text must be valid UTF-8 without control characters. */
static void assert_clean(const char *s, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n = strlen(s);

	assert_true(n < size);
	while (i < n) {
		size_t k = 1, j;

		assert_true(u[i] >= 0x20 && u[i] != 0x7f);
		if (u[i] >= 0xf0)
			k = 4;
		else if (u[i] >= 0xe0)
			k = 3;
		else if (u[i] >= 0xc2)
			k = 2;
		else
			assert_true(u[i] < 0x80);
		assert_true(i + k <= n);
		for (j = 1; j < k; j++)
			assert_int_equal(u[i + j] & 0xc0, 0x80);
		if (k == 2)
			assert_false(u[i] == 0xc2 && u[i + 1] < 0xa0);  /* C1 */
		i += k;
	}
	if (n)
		assert_true(s[0] != ' ' && s[n - 1] != ' ');
}

enum kind { INVITE, SUBSCRIBE, UNSUBSCRIBE, BYE, NOTIFY, GW_BYE, GW_UNSUB, DIALOG };

enum {
	F_MON = 1 << 0, F_ENDED = 1 << 1, F_CANNOT_ABORT = 1 << 2,
	F_UNKNOWN = 1 << 3, F_RESUB = 1 << 4, F_FALLBACK = 1 << 5,
	F_IGNORED = 1 << 6, F_STALE = 1 << 7, F_EXPIRES = 1 << 8,
	F_RETENTION = 1 << 9, F_TIME = 1 << 10,
};

/* One expected event; zero fields mean none/unset, by 0 means gateway. */
struct row {
	const char *file;
	enum kind kind;
	struct pint_status_ctx ctx;
	enum pint_status status;
	enum pint_outcome outcome;
	enum pint_status_act act;
	enum pint_status_by by;
	unsigned sip_code;
	unsigned warn_code;
	const char *warn_text;  /* NULL: no Warning */
	const char *info;
	const char *unsupported;
	unsigned flags;
	uint32_t expires, retention, retry_after;
	uint64_t t_start, t_stop;
};

static int interpret(const struct row *r, osip_message_t *m, struct pint_status_ev *ev)
{
	struct pint_dinfo_track tr;
	int err = EINVAL;

	switch (r->kind) {
	case INVITE:
		err = pint_status_invite_resp(ev, m, &r->ctx);
		break;
	case SUBSCRIBE:
		err = pint_status_subscribe_resp(ev, m, &r->ctx, NOW_UNIX);
		break;
	case UNSUBSCRIBE:
		err = pint_status_unsubscribe_resp(ev, m);
		break;
	case BYE:
		err = pint_status_bye_resp(ev, m);
		break;
	case NOTIFY:
		err = pint_status_notify(ev, m, NOW_UNIX);
		break;
	case GW_BYE:
		err = pint_status_gateway_bye(ev, m);
		break;
	case GW_UNSUB:
		err = pint_status_gateway_unsubscribe(ev, m);
		break;
	case DIALOG:
		pint_dinfo_track_init(&tr);
		err = pint_status_dialog_notify(ev, m, &r->ctx, &tr);
		break;
	}
	return err;
}

static int run_row(const struct row *r, struct pint_status_ev *ev)
{
	osip_message_t *m = load(r->file);
	int err = interpret(r, m, ev);

	osip_message_free(m);
	return err;
}

static void check_row(const struct row *r)
{
	struct pint_status_ev ev;
	unsigned flags;

	print_message("%s\n", r->file);
	assert_int_equal(run_row(r, &ev), 0);
	assert_string_equal(pint_status_name(ev.status), pint_status_name(r->status));
	assert_string_equal(pint_outcome_name(ev.outcome), pint_outcome_name(r->outcome));
	assert_int_equal(pint_status_is_terminal(ev.status), ev.outcome != PINT_OUTCOME_NONE);
	assert_string_equal(pint_status_act_name(ev.act), pint_status_act_name(r->act));
	assert_string_equal(pint_status_by_name(ev.by),
			    pint_status_by_name(r->by ? r->by : PINT_STATUS_BY_GATEWAY));
	assert_int_equal(ev.sip_code, r->sip_code);
	assert_int_equal(ev.has_warning, r->warn_text != NULL);
	if (r->warn_text) {
		assert_int_equal(ev.warning.code, r->warn_code);
		assert_string_equal(ev.warning.text, r->warn_text);
	}
	assert_string_equal(ev.info, r->info ? r->info : "");
	assert_string_equal(ev.unsupported, r->unsupported ? r->unsupported : "");
	flags = (ev.monitoring ? F_MON : 0) | (ev.monitoring_ended ? F_ENDED : 0) |
		(ev.cannot_abort ? F_CANNOT_ABORT : 0) | (ev.session_unknown ? F_UNKNOWN : 0) |
		(ev.resubscribe_needed ? F_RESUB : 0) | (ev.fallback_to_dialog ? F_FALLBACK : 0) |
		(ev.body_ignored ? F_IGNORED : 0) | (ev.stale ? F_STALE : 0) |
		(ev.has_expires ? F_EXPIRES : 0) | (ev.has_retention ? F_RETENTION : 0) |
		(ev.has_time ? F_TIME : 0);
	assert_int_equal(flags, r->flags);
	assert_int_equal(ev.expires, r->expires);
	assert_int_equal(ev.retention, r->retention);
	assert_int_equal(ev.retry_after, r->retry_after);
	assert_int_equal(ev.t_start_ntp, r->t_start);
	assert_int_equal(ev.t_stop_ntp, r->t_stop);
	assert_clean(ev.reason, sizeof(ev.reason));
	assert_clean(ev.info, sizeof(ev.info));
}

#define FAILED(o) .status = PINT_STATUS_FAILED, .outcome = PINT_OUTCOME_##o
#define PINTGW .by = PINT_STATUS_BY_PINTGW

static const struct row invite_rows[] = {
	{"inv-100.sip", INVITE, .status = PINT_STATUS_PROCEEDING, .sip_code = 100,
	 .info = "Trying"},
	{"inv-180.sip", INVITE, .status = PINT_STATUS_PROCEEDING, .sip_code = 180,
	 .info = "Ringing"},
	{"inv-183-sdp.sip", INVITE, .status = PINT_STATUS_PROCEEDING, .sip_code = 183,
	 .info = "dialling the agent", .flags = F_TIME},
	{"inv-200.sip", INVITE, .status = PINT_STATUS_ACCEPTED, .sip_code = 200,
	 .info = "request accepted", .flags = F_TIME, .t_start = PAST},
	{"inv-200-nosdp.sip", INVITE, .status = PINT_STATUS_ACCEPTED, .sip_code = 200},
	{"inv-302.sip", INVITE, {.redirects_left = 1}, .act = PINT_STATUS_ACT_REDIRECT,
	 .sip_code = 302},
	{"inv-302.sip", INVITE, FAILED(ERROR), .sip_code = 302},
	{"inv-302-nocontact.sip", INVITE, {.redirects_left = 3}, FAILED(ERROR), .sip_code = 302},
	{"inv-401.sip", INVITE, .act = PINT_STATUS_ACT_CHALLENGE, .sip_code = 401},
	{"inv-401.sip", INVITE, {.auth_retried = true}, FAILED(AUTH_FAILED), .sip_code = 401},
	{"inv-401-nochallenge.sip", INVITE, FAILED(AUTH_FAILED), .sip_code = 401},
	{"inv-407.sip", INVITE, .act = PINT_STATUS_ACT_CHALLENGE, .sip_code = 407},
	{"inv-407.sip", INVITE, {.auth_retried = true}, FAILED(AUTH_FAILED), .sip_code = 407},
	/* T3: unknown required attribute, 420 or 400 + Warning 306 */
	{"inv-420.sip", INVITE, FAILED(UNSUPPORTED), .sip_code = 420,
	 .unsupported = "org.ietf.sdp.require, org.ietf.sip.subscribe"},
	{"inv-400-w306.sip", INVITE, FAILED(UNSUPPORTED), .sip_code = 400, .warn_code = 306,
	 .warn_text = "Attribute not understood: phone-context"},
	{"inv-400.sip", INVITE, FAILED(ERROR), .sip_code = 400},
	{"inv-488.sip", INVITE, FAILED(UNSUPPORTED), .sip_code = 488, .warn_code = 301,
	 .warn_text = "Incompatible network address formats"},
	/* T4: required attribute recognised but not fulfillable */
	{"inv-606-w399.sip", INVITE, FAILED(UNSUPPORTED), .sip_code = 606, .warn_code = 399,
	 .warn_text = "phone-context not honoured"},
	{"inv-486.sip", INVITE, FAILED(BUSY), .sip_code = 486},
	{"inv-600.sip", INVITE, FAILED(BUSY), .sip_code = 600},
	{"inv-408.sip", INVITE, FAILED(NO_ANSWER), .sip_code = 408},
	{"inv-480.sip", INVITE, FAILED(NO_ANSWER), .sip_code = 480},
	{"inv-487.sip", INVITE, {.cancel = PINT_STATUS_CANCEL_TIMEOUT}, FAILED(NO_ANSWER),
	 PINTGW, .sip_code = 487},
	{"inv-487.sip", INVITE, {.cancel = PINT_STATUS_CANCEL_USER},
	 .status = PINT_STATUS_CANCELED, .outcome = PINT_OUTCOME_CANCELED, PINTGW,
	 .sip_code = 487},
	{"inv-487.sip", INVITE, FAILED(ERROR), .sip_code = 487},
	{"inv-403.sip", INVITE, FAILED(REJECTED), .sip_code = 403},
	{"inv-603.sip", INVITE, FAILED(REJECTED), .sip_code = 603},
	{"inv-404.sip", INVITE, FAILED(NOT_FOUND), .sip_code = 404},
	{"inv-604.sip", INVITE, FAILED(NOT_FOUND), .sip_code = 604},
	{"inv-503.sip", INVITE, {.next_gateway = true}, .act = PINT_STATUS_ACT_NEXT_GATEWAY,
	 .sip_code = 503, .retry_after = 120},
	{"inv-503.sip", INVITE, FAILED(ERROR), .sip_code = 503, .retry_after = 120},
	{"inv-503-huge.sip", INVITE, {.next_gateway = true},
	 .act = PINT_STATUS_ACT_NEXT_GATEWAY, .sip_code = 503,
	 .retry_after = PINT_STATUS_RETRY_AFTER_MAX},
	{"inv-503-none.sip", INVITE, {.next_gateway = true},
	 .act = PINT_STATUS_ACT_NEXT_GATEWAY, .sip_code = 503},
	{"inv-415.sip", INVITE, FAILED(ERROR), .sip_code = 415},
	{"inv-500.sip", INVITE, FAILED(ERROR), .sip_code = 500},
	{"inv-580.sip", INVITE, FAILED(ERROR), .sip_code = 580},
};

static void test_invite_responses(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invite_rows) / sizeof(invite_rows[0]); i++)
		check_row(&invite_rows[i]);
}

static const struct row subscription_rows[] = {
	/* T11: snapshot SDP + Expires */
	{"sub-200.sip", SUBSCRIBE, .status = PINT_STATUS_ACTIVE, .sip_code = 200,
	 .info = "agent connected", .flags = F_MON | F_EXPIRES | F_TIME, .expires = 600,
	 .t_start = PAST},
	{"sub-200-future.sip", SUBSCRIBE, .sip_code = 200, .flags = F_MON | F_EXPIRES | F_TIME,
	 .expires = 600, .t_start = FUTURE},
	/* T15: a poll (Expires: 0) ends at once, the snapshot still counts */
	{"sub-200-poll.sip", SUBSCRIBE, .status = PINT_STATUS_COMPLETED,
	 .outcome = PINT_OUTCOME_OK, .sip_code = 200, .info = "call ended",
	 .flags = F_ENDED | F_EXPIRES | F_TIME, .t_start = PAST, .t_stop = PAST_STOP},
	{"sub-202-dialog.sip", SUBSCRIBE, .sip_code = 202, .flags = F_MON | F_EXPIRES,
	 .expires = 3600},
	{"sub-200-huge-expires.sip", SUBSCRIBE, .sip_code = 200, .flags = F_MON | F_EXPIRES,
	 .expires = PINT_STATUS_EXPIRES_MAX},
	/* T21: an RFC 6665 notifier */
	{"sub-489.sip", SUBSCRIBE, .sip_code = 489, .flags = F_ENDED | F_FALLBACK},
	/* T16: the gateway forgot the session */
	{"sub-606-w307.sip", SUBSCRIBE, .sip_code = 606, .warn_code = 307,
	 .warn_text = "session id no longer valid", .flags = F_ENDED | F_UNKNOWN},
	{"sub-606-w399.sip", SUBSCRIBE, .sip_code = 606, .warn_code = 399, .warn_text = "no",
	 .flags = F_ENDED},
	{"sub-481.sip", SUBSCRIBE, .sip_code = 481, .flags = F_ENDED},
	{"sub-401.sip", SUBSCRIBE, .act = PINT_STATUS_ACT_CHALLENGE, .sip_code = 401},
	{"sub-401.sip", SUBSCRIBE, {.auth_retried = true}, .sip_code = 401, .flags = F_ENDED},
	{"sub-180.sip", SUBSCRIBE, .sip_code = 180},
	{"unsub-200.sip", UNSUBSCRIBE, .sip_code = 200, .flags = F_ENDED | F_RETENTION,
	 .retention = 3600},
	{"unsub-501.sip", UNSUBSCRIBE, .sip_code = 501, .flags = F_ENDED | F_FALLBACK},
	{"unsub-405.sip", UNSUBSCRIBE, .sip_code = 405, .flags = F_ENDED | F_FALLBACK},
	{"unsub-481.sip", UNSUBSCRIBE, .sip_code = 481, .flags = F_ENDED},
	/* T17: cancel after 2xx, accepted */
	{"bye-200.sip", BYE, .status = PINT_STATUS_CANCELED, .outcome = PINT_OUTCOME_CANCELED,
	 PINTGW, .sip_code = 200, .info = "fax canceled",
	 .flags = F_RETENTION | F_TIME, .retention = 300, .t_start = PAST, .t_stop = PAST_STOP},
	/* T18: cannot be aborted; the status stays */
	{"bye-606.sip", BYE, .sip_code = 606, .warn_code = 399,
	 .warn_text = "Fax in progress, service cannot be aborted", .info = "3 of 5 pages sent",
	 .flags = F_CANNOT_ABORT | F_TIME, .t_start = PAST},
	{"bye-481.sip", BYE, .sip_code = 481},
	{"bye-100.sip", BYE, .sip_code = 100},
	{"unsub-100.sip", UNSUBSCRIBE, .sip_code = 100},
};

static void test_subscription_responses(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(subscription_rows) / sizeof(subscription_rows[0]); i++)
		check_row(&subscription_rows[i]);
}

static const struct row gateway_rows[] = {
	/* T12 */
	{"notify-t12.sip", NOTIFY, .status = PINT_STATUS_ACTIVE, .warn_code = 399,
	 .warn_text = "retrying", .info = "3 pages of 5 sent", .flags = F_MON | F_TIME,
	 .t_start = PAST},
	{"notify-stop.sip", NOTIFY, .status = PINT_STATUS_COMPLETED, .outcome = PINT_OUTCOME_OK,
	 .info = "5 of 5 pages sent", .flags = F_MON | F_TIME, .t_start = PAST,
	 .t_stop = PAST_STOP},
	{"notify-future.sip", NOTIFY, .info = "scheduled", .flags = F_MON | F_TIME,
	 .t_start = FUTURE},
	{"notify-stop-future.sip", NOTIFY, .status = PINT_STATUS_ACTIVE, .flags = F_MON | F_TIME,
	 .t_start = PAST, .t_stop = FUTURE},
	{"notify-now.sip", NOTIFY, .info = "waiting", .flags = F_MON | F_TIME},
	/* T24: RFC 2848's own style: "xxx", unquoted text with a comma,
	 * blanks after '=', CSeq naming SUBSCRIBE */
	{"notify-t24.sip", NOTIFY, .status = PINT_STATUS_ACTIVE, .warn_code = 0,
	 .warn_text = "fax aborted, will try for the next hour", .info = "3 pages of 5 sent",
	 .flags = F_MON | F_TIME, .t_start = PAST},
	{"notify-text.sip", NOTIFY, .warn_code = 399, .warn_text = "odd body",
	 .flags = F_MON | F_IGNORED},
	{"notify-badsdp.sip", NOTIFY, .flags = F_MON | F_IGNORED},
	{"notify-nobody.sip", NOTIFY, .flags = F_MON},
	{"notify-multipart-nosdp.sip", NOTIFY, .flags = F_MON | F_IGNORED},
	/* an unquoted text ends where the next warning-value starts */
	{"notify-two-warnings.sip", NOTIFY, .warn_code = 399, .warn_text = "fax aborted",
	 .flags = F_MON | F_TIME, .t_start = FUTURE},
	{"notify-multipart.sip", NOTIFY, .status = PINT_STATUS_ACTIVE, .info = "part one",
	 .flags = F_MON | F_TIME, .t_start = PAST},
	/* T20 */
	{"gw-bye.sip", GW_BYE, .status = PINT_STATUS_COMPLETED, .outcome = PINT_OUTCOME_OK},
	{"gw-bye-sdp.sip", GW_BYE, .status = PINT_STATUS_COMPLETED, .outcome = PINT_OUTCOME_OK,
	 .info = "call lasted 9 minutes", .flags = F_TIME, .t_start = PAST,
	 .t_stop = PAST_STOP},
	/* T13: monitoring closed, retention kept, status unchanged */
	{"gw-unsub.sip", GW_UNSUB, .flags = F_ENDED | F_RETENTION, .retention = 3600},
	/* RFC 2543 also allowed a date: no retention we can use */
	{"gw-unsub-date.sip", GW_UNSUB, .flags = F_ENDED},
	{"gw-unsub-sdp.sip", GW_UNSUB, .info = "done",
	 .flags = F_ENDED | F_RETENTION | F_TIME, .retention = 86400, .t_start = PAST,
	 .t_stop = PAST_STOP},
};

static void test_gateway_requests(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(gateway_rows) / sizeof(gateway_rows[0]); i++)
		check_row(&gateway_rows[i]);
}

#define ENDED(o) .status = PINT_STATUS_COMPLETED, .outcome = PINT_OUTCOME_##o
#define DLG_MON (F_MON | F_EXPIRES)

/* T22 and PINT-PROFILE "Status monitoring (dialog mode)". */
static const struct row dialog_rows[] = {
	{"dlg-trying.sip", DIALOG, .status = PINT_STATUS_PROCEEDING, .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-proceeding.sip", DIALOG, .status = PINT_STATUS_PROCEEDING, .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-early.sip", DIALOG, .status = PINT_STATUS_PROCEEDING, .sip_code = 180,
	 .info = "ringing", .flags = DLG_MON, .expires = 3500},
	{"dlg-confirmed.sip", DIALOG, .status = PINT_STATUS_ACTIVE, .sip_code = 200,
	 .flags = DLG_MON, .expires = 3500},
	{"dlg-remote-bye.sip", DIALOG, ENDED(OK), .flags = DLG_MON, .expires = 3500},
	{"dlg-local-bye.sip", DIALOG, ENDED(OK), .flags = DLG_MON, .expires = 3500},
	{"dlg-replaced.sip", DIALOG, ENDED(OK), .info = "transferred", .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-rejected-486.sip", DIALOG, FAILED(BUSY), .sip_code = 486, .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-rejected-600.sip", DIALOG, FAILED(BUSY), .sip_code = 600, .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-rejected-603.sip", DIALOG, FAILED(REJECTED), .sip_code = 603, .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-rejected-404.sip", DIALOG, FAILED(NOT_FOUND), .sip_code = 404, .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-rejected-480.sip", DIALOG, FAILED(NO_ANSWER), .sip_code = 480, .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-rejected-488.sip", DIALOG, FAILED(UNSUPPORTED), .sip_code = 488,
	 .flags = DLG_MON, .expires = 3500},
	{"dlg-rejected-500.sip", DIALOG, FAILED(ERROR), .sip_code = 500, .flags = DLG_MON,
	 .expires = 3500},
	{"dlg-rejected.sip", DIALOG, FAILED(REJECTED), .flags = DLG_MON, .expires = 3500},
	{"dlg-cancelled.sip", DIALOG, .status = PINT_STATUS_CANCELED,
	 .outcome = PINT_OUTCOME_CANCELED, .sip_code = 487, .flags = DLG_MON, .expires = 3500},
	{"dlg-cancelled.sip", DIALOG, {.cancel = PINT_STATUS_CANCEL_USER},
	 .status = PINT_STATUS_CANCELED, .outcome = PINT_OUTCOME_CANCELED, PINTGW,
	 .sip_code = 487, .flags = DLG_MON, .expires = 3500},
	{"dlg-cancelled.sip", DIALOG, {.cancel = PINT_STATUS_CANCEL_TIMEOUT}, FAILED(NO_ANSWER),
	 PINTGW, .sip_code = 487, .flags = DLG_MON, .expires = 3500},
	{"dlg-timeout.sip", DIALOG, FAILED(NO_ANSWER), .flags = DLG_MON, .expires = 3500},
	{"dlg-error.sip", DIALOG, FAILED(ERROR), .flags = DLG_MON, .expires = 3500},
	{"dlg-noevent.sip", DIALOG, {.current = PINT_STATUS_ACTIVE}, ENDED(OK),
	 .flags = DLG_MON, .expires = 3500},
	{"dlg-noevent.sip", DIALOG, {.current = PINT_STATUS_PROCEEDING}, FAILED(ERROR),
	 .flags = DLG_MON, .expires = 3500},
	{"dlg-noevent-486.sip", DIALOG, {.current = PINT_STATUS_ACTIVE}, FAILED(BUSY),
	 .sip_code = 486, .flags = DLG_MON, .expires = 3500},
	/* forking: a live leg outranks an ended one */
	{"dlg-fork.sip", DIALOG, .status = PINT_STATUS_ACTIVE, .sip_code = 200,
	 .flags = DLG_MON, .expires = 3500},
	{"dlg-all-ended.sip", DIALOG, ENDED(OK), .flags = DLG_MON, .expires = 3500},
	{"dlg-empty.sip", DIALOG, .flags = DLG_MON, .expires = 3500},
	/* a partial document first: we lack the full state */
	{"dlg-partial-gap.sip", DIALOG, .status = PINT_STATUS_ACTIVE,
	 .flags = DLG_MON | F_RESUB, .expires = 3500},
	{"dlg-terminated-timeout.sip", DIALOG, .flags = F_ENDED | F_RESUB},
	{"dlg-terminated-noresource.sip", DIALOG, .flags = F_ENDED},
	{"dlg-terminated-giveup.sip", DIALOG, .flags = F_ENDED | F_RESUB,
	 .retry_after = PINT_STATUS_RETRY_AFTER_MAX},
	{"dlg-final-bye.sip", DIALOG, ENDED(OK), .flags = F_ENDED},
	{"dlg-badxml.sip", DIALOG, .flags = DLG_MON | F_IGNORED, .expires = 100},
	{"dlg-wrongtype.sip", DIALOG, .flags = DLG_MON | F_IGNORED, .expires = 100},
};

static void test_dialog_mode(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dialog_rows) / sizeof(dialog_rows[0]); i++)
		check_row(&dialog_rows[i]);
}

/*
 * The daemon parses with pint_sip_parse() (osip for the header section,
 * its own body and Warning handling): every row must give the very same
 * event that way. pint/sip refuses a few fixtures outright; that is its
 * call, listed here.
 */
static void test_pint_sip_path(void **state)
{
	static const struct {
		const struct row *rows;
		size_t n;
	} tables[] = {
		{invite_rows, sizeof(invite_rows) / sizeof(invite_rows[0])},
		{subscription_rows, sizeof(subscription_rows) / sizeof(subscription_rows[0])},
		{gateway_rows, sizeof(gateway_rows) / sizeof(gateway_rows[0])},
		{dialog_rows, sizeof(dialog_rows) / sizeof(dialog_rows[0])},
	};
	static const char *const refused[] = {
		"notify-t24.sip",       /* CSeq: 4711 SUBSCRIBE in a NOTIFY */
	};
	size_t t, i, k, compared = 0;

	(void)state;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (i = 0; i < tables[t].n; i++) {
			const struct row *r = &tables[t].rows[i];
			struct pint_status_ev a, b;
			struct pint_sip_error why;
			osip_message_t *m = NULL;
			char rel[128];
			size_t len;
			char *buf;
			int err;

			snprintf(rel, sizeof(rel), "status/%s", r->file);
			buf = test_read_file(rel, &len);
			err = pint_sip_parse(&m, buf, len, &why);
			free(buf);
			if (err) {
				for (k = 0; k < sizeof(refused) / sizeof(refused[0]); k++)
					if (strcmp(r->file, refused[k]) == 0)
						break;
				if (k == sizeof(refused) / sizeof(refused[0]))
					fail_msg("pint_sip_parse refuses %s: %s", r->file, why.reason);
				continue;
			}
			assert_int_equal(run_row(r, &a), 0);
			assert_int_equal(interpret(r, m, &b), 0);
			osip_message_free(m);
			if (memcmp(&a, &b, sizeof(a)) != 0)
				fail_msg("%s: another event through pint_sip_parse", r->file);
			compared++;
		}
	}
	assert_true(compared > 100);
}

/* T22: trying → early → confirmed → terminated, a stale copy in between. */
static void test_dialog_sequence(void **state)
{
	static const struct {
		const char *file;
		enum pint_status status;
		bool stale;
	} seq[] = {
		{"dlg-trying.sip", PINT_STATUS_PROCEEDING, false},      /* v1 */
		{"dlg-early.sip", PINT_STATUS_PROCEEDING, false},       /* v3: gap, full */
		{"dlg-trying.sip", PINT_STATUS_NONE, true},             /* v1 again */
		{"dlg-confirmed.sip", PINT_STATUS_ACTIVE, false},       /* v4 */
		{"dlg-confirmed.sip", PINT_STATUS_NONE, true},          /* v4 again */
		{"dlg-early.sip", PINT_STATUS_NONE, true},              /* v3 late */
		{"dlg-remote-bye.sip", PINT_STATUS_COMPLETED, false},   /* v5 */
	};
	struct pint_dinfo_track tr;
	struct pint_status_ev ev;
	size_t i;

	(void)state;
	pint_dinfo_track_init(&tr);
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		osip_message_t *m = load(seq[i].file);

		assert_int_equal(pint_status_dialog_notify(&ev, m, NULL, &tr), 0);
		osip_message_free(m);
		assert_int_equal(ev.status, seq[i].status);
		assert_int_equal(ev.stale, seq[i].stale);
		assert_false(ev.resubscribe_needed);
	}
}

static void test_no_response(void **state)
{
	static const struct {
		struct pint_status_ctx ctx;
		enum pint_status status;
		enum pint_outcome outcome;
		enum pint_status_act act;
	} rows[] = {
		{{0}, PINT_STATUS_FAILED, PINT_OUTCOME_UNREACHABLE, PINT_STATUS_ACT_NONE},
		{{.next_gateway = true}, PINT_STATUS_NONE, PINT_OUTCOME_NONE,
		 PINT_STATUS_ACT_NEXT_GATEWAY},
		{{.cancel = PINT_STATUS_CANCEL_USER, .next_gateway = true}, PINT_STATUS_CANCELED,
		 PINT_OUTCOME_CANCELED, PINT_STATUS_ACT_NONE},
		{{.cancel = PINT_STATUS_CANCEL_TIMEOUT}, PINT_STATUS_FAILED, PINT_OUTCOME_NO_ANSWER,
		 PINT_STATUS_ACT_NONE},
	};
	struct pint_status_ev ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		pint_status_no_response(&ev, &rows[i].ctx);
		assert_int_equal(ev.status, rows[i].status);
		assert_int_equal(ev.outcome, rows[i].outcome);
		assert_int_equal(ev.act, rows[i].act);
		assert_int_equal(ev.by, PINT_STATUS_BY_PINTGW);
		assert_int_equal(ev.sip_code, 0);
	}
	pint_status_no_response(&ev, NULL);
	assert_int_equal(ev.outcome, PINT_OUTCOME_UNREACHABLE);
	pint_status_no_response(NULL, NULL);
}

static void test_names(void **state)
{
	static const char *const statuses[] = {
		"queued", "sending", "proceeding", "accepted", "active",
		"completed", "failed", "canceled", "expired",
	};
	/* API.md, "The request resource": exactly these, in this order. */
	static const char *const outcomes[] = {
		"ok", "busy", "no_answer", "rejected", "unsupported", "not_found",
		"unreachable", "auth_failed", "interrupted", "canceled", "expired", "error",
		"content_fetch_failed",
	};
	enum pint_status s;
	enum pint_outcome o;
	struct pint_pl pl;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		assert_string_equal(pint_status_name((enum pint_status)(PINT_STATUS_QUEUED + i)),
				    statuses[i]);
		pl = pint_pl_str(statuses[i]);
		assert_int_equal(pint_status_from_name(&s, &pl), 0);
		assert_int_equal(s, PINT_STATUS_QUEUED + i);
	}
	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		assert_string_equal(pint_outcome_name((enum pint_outcome)(PINT_OUTCOME_OK + i)),
				    outcomes[i]);
		pl = pint_pl_str(outcomes[i]);
		assert_int_equal(pint_outcome_from_name(&o, &pl), 0);
		assert_int_equal(o, PINT_OUTCOME_OK + i);
	}
	assert_string_equal(pint_status_name(PINT_STATUS_NONE), "none");
	assert_string_equal(pint_status_name((enum pint_status)99), "?");
	assert_string_equal(pint_outcome_name((enum pint_outcome)99), "?");
	pl = pint_pl_str("none");
	assert_int_equal(pint_status_from_name(&s, &pl), ENOENT);
	assert_int_equal(pint_outcome_from_name(&o, &pl), ENOENT);
	pl = pint_pl_str("Active");
	assert_int_equal(pint_status_from_name(&s, &pl), ENOENT);
	pl = (struct pint_pl){"activeX", 6};
	assert_int_equal(pint_status_from_name(&s, &pl), 0);
	assert_int_equal(s, PINT_STATUS_ACTIVE);
	assert_string_equal(pint_status_by_name(PINT_STATUS_BY_GATEWAY), "gateway");
	assert_string_equal(pint_status_by_name(PINT_STATUS_BY_PINTGW), "pintgw");
	assert_string_equal(pint_status_act_name(PINT_STATUS_ACT_NEXT_GATEWAY), "next_gateway");
}

static void test_transitions(void **state)
{
	/* may[from][to] for from, to = queued … expired (enum order) */
	static const bool may[9][9] = {
		/*        Q  S  P  A  V  C  F  X  E */
		/* Q */ { 0, 1, 1, 1, 1, 1, 1, 1, 1 },
		/* S */ { 0, 0, 1, 1, 1, 1, 1, 1, 1 },
		/* P */ { 0, 0, 0, 1, 1, 1, 1, 1, 1 },
		/* A */ { 0, 0, 0, 0, 1, 1, 1, 1, 1 },
		/* V */ { 0, 0, 0, 0, 0, 1, 1, 1, 1 },
		/* C */ { 0 }, /* F */ { 0 }, /* X */ { 0 }, /* E */ { 0 },
	};
	unsigned f, t;

	(void)state;
	for (f = 0; f < 9; f++) {
		enum pint_status from = (enum pint_status)(PINT_STATUS_QUEUED + f);

		for (t = 0; t < 9; t++)
			assert_int_equal(pint_status_may_follow(from,
					(enum pint_status)(PINT_STATUS_QUEUED + t)), may[f][t]);
		assert_false(pint_status_may_follow(from, PINT_STATUS_NONE));
		assert_int_equal(pint_status_is_terminal(from), from >= PINT_STATUS_COMPLETED);
	}
	assert_false(pint_status_is_terminal(PINT_STATUS_NONE));
	assert_true(pint_status_may_follow(PINT_STATUS_NONE, PINT_STATUS_QUEUED));
	assert_false(pint_status_may_follow(PINT_STATUS_ACTIVE, (enum pint_status)42));
	assert_false(pint_status_may_follow((enum pint_status)42, PINT_STATUS_COMPLETED));
}

static void test_warning_parse(void **state)
{
	static const struct {
		const char *in;
		unsigned code;
		const char *agent, *text;
	} rows[] = {
		{"399 gw \"retrying\"", 399, "gw", "retrying"},
		{"399 gw Fax in progress", 399, "gw", "Fax in progress"},
		{"xxx gw fax aborted", 0, "gw", "fax aborted"},
		{"XXX gw", 0, "gw", ""},
		{"307 \"no agent\"", 307, "", "no agent"},
		{"fax line out of order", 0, "", "fax line out of order"},
		{"  399 \t gw.example.com:5060   \"a \\\"b\\\" c\\\\\"  trailing", 399,
		 "gw.example.com:5060", "a \"b\" c\\"},
		{"399", 399, "", ""},
		{"", 0, "", ""},
		{"\"only quoted\"", 0, "", "only quoted"},
		{"399 gw \"unterminated \\", 399, "gw", "unterminated \\"},
		{"1234 gw x", 0, "", "1234 gw x"},
		{"399 gw fax aborted, 307 gw \"b\"", 399, "gw", "fax aborted"},
		{"399 gw one, two, xxx gw three", 399, "gw", "one, two"},
		{"399 gw ends with comma,", 399, "gw", "ends with comma,"},
		{"39a gw x", 0, "", "39a gw x"},
	};
	struct pint_status_warning w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		print_message("%s\n", rows[i].in);
		pint_status_warning_parse(&w, rows[i].in, strlen(rows[i].in));
		assert_int_equal(w.code, rows[i].code);
		assert_string_equal(w.agent, rows[i].agent);
		assert_string_equal(w.text, rows[i].text);
	}
	/* views need no NUL: "399 gw" cut after the code */
	pint_status_warning_parse(&w, "399 gw \"x\"", 3);
	assert_int_equal(w.code, 399);
	assert_string_equal(w.agent, "");
	pint_status_warning_parse(&w, NULL, 5);
	assert_int_equal(w.code, 0);
	assert_string_equal(w.text, "");
}

static void test_text_copy(void **state)
{
	static const struct {
		const char *in;
		size_t size;
		const char *out;
	} rows[] = {
		{"plain text", 64, "plain text"},
		{"  lead\t\ttab\r\nnew line  ", 64, "lead tab new line"},
		{"esc\x1b[31mred\x7f", 64, "esc [31mred"},
		{"c1 \xc2\x85 nel \xc2\xa0 nbsp", 64, "c1 nel \xc2\xa0 nbsp"},
		{"bad \xff\xfe utf8", 64, "bad ?? utf8"},
		{"overlong \xc0\xaf \xe0\x80\xaf", 64, "overlong ?? ???"},
		{"surrogate \xed\xa0\x80", 64, "surrogate ???"},
		{"too big \xf4\x90\x80\x80", 64, "too big ????"},
		{"cut \xe2\x82", 64, "cut ??"},
		{"broken \xc3(", 64, "broken ?("},
		{"bidi \xe2\x80\xae" "evil\xe2\x80\xac \xe2\x81\xa6x\xe2\x81\xa9 \xef\xbb\xbf" "z", 64,
		 "bidi evil x z"},
		{"ls\xe2\x80\xa8ps\xe2\x80\xa9" "end", 64, "ls ps end"},
		{"\xc3\xa9\xc3\xa9\xc3\xa9", 6, "\xc3\xa9\xc3\xa9"},       /* 5 bytes: 2 fit */
		{"\xc3\xa9\xc3\xa9\xc3\xa9", 7, "\xc3\xa9\xc3\xa9\xc3\xa9"},
		{"\xf0\x9f\x93\xa0" "fax", 4, ""},                          /* 4-byte char > 3 */
		{"\xf0\x9f\x93\xa0" "fax", 5, "\xf0\x9f\x93\xa0"},
		{"ab cd", 4, "ab"},     /* the owed space does not fit with "cd" */
		{"abc", 1, ""},
	};
	char buf[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		print_message("row %zu\n", i);
		memset(buf, 'Z', sizeof(buf));
		n = pint_status_text_copy(buf, rows[i].size, rows[i].in, strlen(rows[i].in));
		assert_string_equal(buf, rows[i].out);
		assert_int_equal(n, strlen(rows[i].out));
		assert_clean(buf, rows[i].size);
	}
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(pint_status_text_copy(buf, 0, "abc", 3), 0);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(pint_status_text_copy(buf, sizeof(buf), NULL, 3), 0);
	assert_string_equal(buf, "");
	/* no NUL needed: only len bytes are read */
	assert_int_equal(pint_status_text_copy(buf, sizeof(buf), "abcdef", 3), 3);
	assert_string_equal(buf, "abc");
}

/* Hostile evidence: control characters, bad UTF-8, 10 KB Warning texts. */
static void test_hostile_evidence(void **state)
{
	struct pint_status_ev ev;
	osip_message_t *m;
	size_t i, n;

	(void)state;
	m = load("notify-hostile.sip");
	assert_int_equal(pint_status_notify(&ev, m, NOW_UNIX), 0);
	osip_message_free(m);
	assert_int_equal(ev.warning.code, 399);
	assert_string_equal(ev.warning.text, "a b c d e \"q\" ??? ??");
	assert_clean(ev.warning.text, sizeof(ev.warning.text));
	assert_clean(ev.warning.agent, sizeof(ev.warning.agent));
	assert_clean(ev.info, sizeof(ev.info));
	assert_false(ev.body_ignored);
	assert_int_equal(ev.status, PINT_STATUS_ACTIVE);
	assert_string_equal(ev.info, "[31mred [0m evil ?? end");

	m = load("warning-10k.sip");
	assert_int_equal(pint_status_invite_resp(&ev, m, NULL), 0);
	osip_message_free(m);
	assert_int_equal(ev.outcome, PINT_OUTCOME_UNSUPPORTED);
	n = strlen(ev.warning.text);
	assert_int_equal(n, 254);       /* 127 two-byte characters fit in 255 */
	for (i = 0; i < n; i += 2)
		assert_memory_equal(ev.warning.text + i, "\xc3\xa9", 2);
	assert_clean(ev.warning.text, sizeof(ev.warning.text));

	m = load("warning-10k-unquoted.sip");
	assert_int_equal(pint_status_invite_resp(&ev, m, NULL), 0);
	osip_message_free(m);
	n = strlen(ev.warning.text);
	assert_int_equal(n, 253);       /* 63 × "x€" + "x"; the next € would pass 255 */
	assert_int_equal(ev.warning.text[252], 'x');
	assert_clean(ev.warning.text, sizeof(ev.warning.text));

	m = load("reason-hostile.sip");
	assert_int_equal(pint_status_invite_resp(&ev, m, NULL), 0);
	osip_message_free(m);
	assert_int_equal(ev.outcome, PINT_OUTCOME_BUSY);
	assert_string_equal(ev.reason, "Busy Here ]0;pwned");

	m = load("warning-notext.sip");
	assert_int_equal(pint_status_invite_resp(&ev, m, NULL), 0);
	osip_message_free(m);
	assert_true(ev.has_warning);
	assert_int_equal(ev.warning.code, 0);
	assert_string_equal(ev.warning.agent, "");
	assert_string_equal(ev.warning.text, "fax line out of order");
}

static void test_apply_sdp(void **state)
{
	static const char sdp[] =
		"v=0\r\no=- 1 2 IN IP4 192.0.2.10\r\ns=R2C\r\ne=a@example.com\r\n"
		"c=TN RFC2543 +1-555-555-0199\r\nt=4003988200 4003988700\r\n"
		"m=audio 1 voice -\r\ni=media level\r\n";
	struct pint_status_ev ev;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	pint_status_apply_sdp(&ev, sdp, sizeof(sdp) - 1, 1795000000ull - 601);
	assert_int_equal(ev.status, PINT_STATUS_NONE);   /* start not reached */
	assert_string_equal(ev.info, "media level");
	pint_status_apply_sdp(&ev, sdp, sizeof(sdp) - 1, 1795000000ull - 600);
	assert_int_equal(ev.status, PINT_STATUS_ACTIVE);  /* start == now */
	pint_status_apply_sdp(&ev, sdp, sizeof(sdp) - 1, 1795000000ull - 100);
	assert_int_equal(ev.status, PINT_STATUS_COMPLETED);
	assert_int_equal(ev.outcome, PINT_OUTCOME_OK);

	memset(&ev, 0, sizeof(ev));
	pint_status_apply_sdp(&ev, sdp, sizeof(sdp) - 1, UINT64_MAX);
	assert_int_equal(ev.status, PINT_STATUS_NONE);   /* now not representable */
	pint_status_apply_sdp(&ev, "v=0\r\n", 5, 1795000000ull);
	assert_true(ev.body_ignored);
}

static void test_misuse(void **state)
{
	struct pint_status_ev ev;
	struct pint_dinfo_track tr;
	osip_message_t *req, *resp;

	(void)state;
	req = load("notify-t12.sip");
	resp = load("inv-486.sip");
	assert_int_equal(pint_status_invite_resp(&ev, req, NULL), EINVAL);
	assert_int_equal(pint_status_invite_resp(NULL, resp, NULL), EINVAL);
	assert_int_equal(pint_status_invite_resp(&ev, NULL, NULL), EINVAL);
	assert_int_equal(pint_status_bye_resp(&ev, resp), EINVAL);       /* CSeq INVITE */
	assert_int_equal(pint_status_subscribe_resp(&ev, resp, NULL, 0), EINVAL);
	assert_int_equal(pint_status_unsubscribe_resp(&ev, resp), EINVAL);
	assert_int_equal(pint_status_notify(&ev, resp, 0), EINVAL);
	assert_int_equal(pint_status_gateway_bye(&ev, req), EINVAL);     /* a NOTIFY */
	assert_int_equal(pint_status_gateway_unsubscribe(&ev, req), EINVAL);
	assert_int_equal(pint_status_dialog_notify(&ev, req, NULL, NULL), EINVAL);
	pint_dinfo_track_init(&tr);
	assert_int_equal(pint_status_dialog_notify(&ev, resp, NULL, &tr), EINVAL);

	resp->status_code = 700;
	assert_int_equal(pint_status_invite_resp(&ev, resp, NULL), EBADMSG);
	resp->status_code = 99;
	assert_int_equal(pint_status_invite_resp(&ev, resp, NULL), EBADMSG);
	osip_message_free(req);
	osip_message_free(resp);

	resp = load("inv-bye-cseq.sip");
	assert_int_equal(pint_status_invite_resp(&ev, resp, NULL), EINVAL);
	assert_int_equal(pint_status_bye_resp(&ev, resp), 0);
	assert_int_equal(ev.status, PINT_STATUS_CANCELED);
	osip_message_free(resp);

	pint_status_dinfo(&ev, NULL, NULL);
	assert_int_equal(ev.status, PINT_STATUS_NONE);
	assert_int_equal(ev.by, PINT_STATUS_BY_GATEWAY);
	pint_status_dinfo(NULL, NULL, NULL);
}

/* pint_status_dinfo() on a hand-made document, no SIP around it. */
static void test_dinfo_direct(void **state)
{
	struct pint_dinfo *di = calloc(1, sizeof(*di));
	struct pint_status_ctx ctx = {.cancel = PINT_STATUS_CANCEL_USER};
	struct pint_status_ev ev;

	(void)state;
	assert_non_null(di);
	di->ndialogs = 2;
	di->dialogs[0].state = PINT_DINFO_TERMINATED;
	di->dialogs[0].event = PINT_DINFO_EV_UNKNOWN;
	di->dialogs[0].code = 603;
	di->dialogs[1].state = PINT_DINFO_TERMINATED;
	di->dialogs[1].event = PINT_DINFO_EV_CANCELLED;
	pint_status_dinfo(&ev, di, &ctx);
	assert_int_equal(ev.status, PINT_STATUS_FAILED);        /* the first ended leg */
	assert_int_equal(ev.outcome, PINT_OUTCOME_REJECTED);
	assert_int_equal(ev.sip_code, 603);

	di->dialogs[1].state = PINT_DINFO_TRYING;
	pint_status_dinfo(&ev, di, &ctx);
	assert_int_equal(ev.status, PINT_STATUS_PROCEEDING);
	free(di);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_invite_responses),
		leakcheck_test(test_subscription_responses),
		leakcheck_test(test_gateway_requests),
		leakcheck_test(test_dialog_mode),
		leakcheck_test(test_dialog_sequence),
		leakcheck_test(test_pint_sip_path),
		leakcheck_test(test_no_response),
		leakcheck_test(test_names),
		leakcheck_test(test_transitions),
		leakcheck_test(test_warning_parse),
		leakcheck_test(test_text_copy),
		leakcheck_test(test_hostile_evidence),
		leakcheck_test(test_apply_sdp),
		leakcheck_test(test_misuse),
		leakcheck_test(test_dinfo_direct),
	};

	if (pint_sip_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("pint_status", tests, NULL, NULL);
}
