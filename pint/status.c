/*
 * pint/status.c — status events from INVITE/SUBSCRIBE/UNSUBSCRIBE/BYE
 * responses, PINT NOTIFYs, gateway BYE/UNSUBSCRIBE and dialog-info: the
 * decisions. Taking the evidence out of a message is in status_ev.c.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "pint/dialoginfo.h"
#include "pint/sdp.h"
#include "pint/status.h"
#include "pint/status_int.h"

static const char *const status_names[] = {
	[PINT_STATUS_NONE] = "none",
	[PINT_STATUS_QUEUED] = "queued",
	[PINT_STATUS_SENDING] = "sending",
	[PINT_STATUS_PROCEEDING] = "proceeding",
	[PINT_STATUS_ACCEPTED] = "accepted",
	[PINT_STATUS_ACTIVE] = "active",
	[PINT_STATUS_COMPLETED] = "completed",
	[PINT_STATUS_FAILED] = "failed",
	[PINT_STATUS_CANCELED] = "canceled",
	[PINT_STATUS_EXPIRED] = "expired",
};

static const char *const outcome_names[] = {
	[PINT_OUTCOME_NONE] = "none",
	[PINT_OUTCOME_OK] = "ok",
	[PINT_OUTCOME_BUSY] = "busy",
	[PINT_OUTCOME_NO_ANSWER] = "no_answer",
	[PINT_OUTCOME_REJECTED] = "rejected",
	[PINT_OUTCOME_UNSUPPORTED] = "unsupported",
	[PINT_OUTCOME_NOT_FOUND] = "not_found",
	[PINT_OUTCOME_UNREACHABLE] = "unreachable",
	[PINT_OUTCOME_AUTH_FAILED] = "auth_failed",
	[PINT_OUTCOME_INTERRUPTED] = "interrupted",
	[PINT_OUTCOME_CANCELED] = "canceled",
	[PINT_OUTCOME_EXPIRED] = "expired",
	[PINT_OUTCOME_ERROR] = "error",
	[PINT_OUTCOME_CONTENT_FETCH_FAILED] = "content_fetch_failed",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The status's stable name; "none" for NONE, "?" outside the enum. */
const char *pint_status_name(enum pint_status status)
{
	if ((unsigned)status >= NELEM(status_names))
		return "?";
	return status_names[status];
}

/* The outcome's stable name (API.md); "none" for NONE, "?" outside. */
const char *pint_outcome_name(enum pint_outcome outcome)
{
	if ((unsigned)outcome >= NELEM(outcome_names))
		return "?";
	return outcome_names[outcome];
}

/* "gateway", "pintgw", or "none". */
const char *pint_status_by_name(enum pint_status_by by)
{
	switch (by) {
	case PINT_STATUS_BY_GATEWAY:
		return "gateway";
	case PINT_STATUS_BY_PINTGW:
		return "pintgw";
	default:
		return "none";
	}
}

/* The action's name, for logs. */
const char *pint_status_act_name(enum pint_status_act act)
{
	switch (act) {
	case PINT_STATUS_ACT_REDIRECT:
		return "redirect";
	case PINT_STATUS_ACT_CHALLENGE:
		return "challenge";
	case PINT_STATUS_ACT_NEXT_GATEWAY:
		return "next_gateway";
	default:
		return "none";
	}
}

/* A real status from its name (never NONE); ENOENT for anything else. */
int pint_status_from_name(enum pint_status *statusp, const struct pint_pl *name)
{
	size_t i;

	for (i = PINT_STATUS_QUEUED; i < NELEM(status_names); i++) {
		if (pint_pl_eq(name, status_names[i])) {
			*statusp = (enum pint_status)i;
			return 0;
		}
	}
	return ENOENT;
}

/* A real outcome from its name (never NONE); ENOENT for anything else. */
int pint_outcome_from_name(enum pint_outcome *outcomep, const struct pint_pl *name)
{
	size_t i;

	for (i = PINT_OUTCOME_OK; i < NELEM(outcome_names); i++) {
		if (pint_pl_eq(name, outcome_names[i])) {
			*outcomep = (enum pint_outcome)i;
			return 0;
		}
	}
	return ENOENT;
}

/* completed, failed, canceled and expired end a request. */
bool pint_status_is_terminal(enum pint_status status)
{
	return status == PINT_STATUS_COMPLETED || status == PINT_STATUS_FAILED ||
	       status == PINT_STATUS_CANCELED || status == PINT_STATUS_EXPIRED;
}

/*
 * True when a request in `from` may move to `to`: strictly forward in
 * queued < sending < proceeding < accepted < active < terminal, never out
 * of a terminal status, never to NONE. The same status again is not a
 * transition (an event may still carry new evidence).
 */
bool pint_status_may_follow(enum pint_status from, enum pint_status to)
{
	if ((unsigned)from >= NELEM(status_names) || (unsigned)to >= NELEM(status_names))
		return false;
	if (to == PINT_STATUS_NONE || pint_status_is_terminal(from))
		return false;
	if (pint_status_is_terminal(to))
		return true;
	return to > from;
}

static void set_terminal(struct pint_status_ev *ev, enum pint_status status,
			 enum pint_outcome outcome)
{
	ev->status = status;
	ev->outcome = outcome;
}

/* PINT's status rule: stop reached ⇒ completed, else start reached ⇒ active. */
static void times_status(struct pint_status_ev *ev, uint64_t now_unix)
{
	uint64_t now;

	if (!ev->has_time || now_unix > UINT64_MAX - PINT_SDP_NTP_OFFSET)
		return;
	now = now_unix + PINT_SDP_NTP_OFFSET;
	if (ev->t_stop_ntp && ev->t_stop_ntp <= now)
		set_terminal(ev, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK);
	else if (ev->t_start_ntp && ev->t_start_ntp <= now)
		ev->status = PINT_STATUS_ACTIVE;
}

/*
 * Decode an SDP body and apply it: t=/i= as evidence, then the status
 * rule (stop ≤ now ⇒ completed/ok, else start ≤ now ⇒ active). A body
 * that does not decode leaves the status alone and sets body_ignored.
 * The event is not reset: evidence adds to what is there.
 */
void pint_status_apply_sdp(struct pint_status_ev *ev, const char *p, size_t len,
			   uint64_t now_unix)
{
	pint_status_sdp_evidence(ev, p, len);
	times_status(ev, now_unix);
}

/* ---- common message checks ------------------------------------------- */

static const struct pint_status_ctx ctx_zero;

/*
 * Reset ev and take what every message offers: Warning, and for responses
 * the code and reason. A response must have a 100..699 code, and its CSeq
 * (when present) the method we asked about.
 */
static int ev_start(struct pint_status_ev *ev, const osip_message_t *msg,
		    const char *method, bool response)
{
	if (!ev || !msg)
		return EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->by = PINT_STATUS_BY_GATEWAY;

	if (response) {
		if (!MSG_IS_RESPONSE(msg))
			return EINVAL;
		if (msg->status_code < 100 || msg->status_code > 699)
			return EBADMSG;
		if (msg->cseq && msg->cseq->method && strcmp(msg->cseq->method, method) != 0)
			return EINVAL;
		ev->sip_code = (uint16_t)msg->status_code;
		pint_status_text_set(ev->reason, sizeof(ev->reason), msg->reason_phrase);
	} else {
		if (!MSG_IS_REQUEST(msg) || !msg->sip_method ||
		    strcmp(msg->sip_method, method) != 0)
			return EINVAL;
	}
	pint_status_warning_take(ev, msg);
	return 0;
}

static bool has_challenge(const osip_message_t *msg)
{
	osip_message_t *m = (osip_message_t *)msg;

	return osip_list_size(&m->www_authenticates) > 0 ||
	       osip_list_size(&m->proxy_authenticates) > 0;
}

static bool has_contact(const osip_message_t *msg)
{
	return osip_list_size(&((osip_message_t *)msg)->contacts) > 0;
}

/* Final failure codes that need no action from the call layer. */
static void fail_by_code(struct pint_status_ev *ev, unsigned code,
			 const struct pint_status_ctx *ctx)
{
	switch (code) {
	case 420: case 488: case 606:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_UNSUPPORTED);
		break;
	case 400:
		/* RFC 2848 §3.4.4 allows 400 + Warning 30x for an unknown
		 * required attribute instead of 420. */
		if (ev->has_warning && ev->warning.code >= 300 && ev->warning.code <= 307)
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_UNSUPPORTED);
		else
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR);
		break;
	case 486: case 600:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_BUSY);
		break;
	case 408: case 480:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_NO_ANSWER);
		break;
	case 487:
		if (ctx->cancel == PINT_STATUS_CANCEL_USER) {
			set_terminal(ev, PINT_STATUS_CANCELED, PINT_OUTCOME_CANCELED);
			ev->by = PINT_STATUS_BY_PINTGW;
		} else if (ctx->cancel == PINT_STATUS_CANCEL_TIMEOUT) {
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_NO_ANSWER);
			ev->by = PINT_STATUS_BY_PINTGW;
		} else {
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR);
		}
		break;
	case 403: case 603:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_REJECTED);
		break;
	case 404: case 604:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_NOT_FOUND);
		break;
	case 401: case 407:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_AUTH_FAILED);
		break;
	default:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR);
		break;
	}
}

/* ---- responses to our requests ---------------------------------------- */

/*
 * A response to our INVITE (PINT-PROFILE "Responses to the INVITE"):
 * 1xx proceeding, 2xx accepted, 3xx/401/407/503 an action for the call
 * layer while ctx allows it, else a terminal status by the code table.
 * SDP t=/i= and the first Warning are kept as evidence. EINVAL for a
 * request or a response to another method, EBADMSG for a bad code.
 */
int pint_status_invite_resp(struct pint_status_ev *ev, const osip_message_t *resp,
			    const struct pint_status_ctx *ctx)
{
	unsigned code;
	uint32_t ra;
	int err;

	err = ev_start(ev, resp, "INVITE", true);
	if (err)
		return err;
	if (!ctx)
		ctx = &ctx_zero;
	code = ev->sip_code;

	if (code < 200)
		pint_status_text_set(ev->info, sizeof(ev->info), resp->reason_phrase);
	pint_status_msg_sdp(ev, resp);

	if (code < 200) {
		ev->status = PINT_STATUS_PROCEEDING;
	} else if (code < 300) {
		ev->status = PINT_STATUS_ACCEPTED;
	} else if (code < 400) {
		if (ctx->redirects_left > 0 && has_contact(resp))
			ev->act = PINT_STATUS_ACT_REDIRECT;
		else
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR);
	} else if ((code == 401 || code == 407) && !ctx->auth_retried &&
		   has_challenge(resp)) {
		ev->act = PINT_STATUS_ACT_CHALLENGE;
	} else if (code == 503) {
		if (pint_status_seconds(pint_status_header(resp, "retry-after"),
					PINT_STATUS_RETRY_AFTER_MAX, &ra))
			ev->retry_after = ra;
		if (ctx->next_gateway)
			ev->act = PINT_STATUS_ACT_NEXT_GATEWAY;
		else
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR);
	} else {
		pint_status_unsupported_take(ev, resp);
		fail_by_code(ev, code, ctx);
	}
	return 0;
}

/*
 * No response to our INVITE (Timer B) or a transport error: the next
 * gateway when ctx allows it, else failed/unreachable. If we had already
 * sent CANCEL, the cancel's cause decides (RFC 3261 §9.1: the INVITE is
 * given up 64*T1 after CANCEL).
 */
void pint_status_no_response(struct pint_status_ev *ev, const struct pint_status_ctx *ctx)
{
	if (!ev)
		return;
	if (!ctx)
		ctx = &ctx_zero;
	memset(ev, 0, sizeof(*ev));
	ev->by = PINT_STATUS_BY_PINTGW;
	if (ctx->cancel == PINT_STATUS_CANCEL_USER)
		set_terminal(ev, PINT_STATUS_CANCELED, PINT_OUTCOME_CANCELED);
	else if (ctx->cancel == PINT_STATUS_CANCEL_TIMEOUT)
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_NO_ANSWER);
	else if (ctx->next_gateway)
		ev->act = PINT_STATUS_ACT_NEXT_GATEWAY;
	else
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_UNREACHABLE);
}

static void expires_take(struct pint_status_ev *ev, const osip_message_t *msg,
			 bool retention)
{
	uint32_t v;

	if (!pint_status_seconds(pint_status_header(msg, "expires"),
				 PINT_STATUS_EXPIRES_MAX, &v))
		return;
	if (retention) {
		ev->has_retention = true;
		ev->retention = v;
	} else {
		ev->has_expires = true;
		ev->expires = v;
	}
}

/*
 * A response to our SUBSCRIBE (PINT or dialog mode). 2xx: monitoring with
 * the granted Expires (Expires: 0 = a poll, monitoring ends) and the SDP
 * snapshot applied as a NOTIFY would be. 489: not a PINT notifier
 * (fallback_to_dialog). 606 + Warning 307: the gateway forgot the session.
 * 401/407: a challenge while ctx allows one. Other finals end monitoring.
 * None of these changes the request's status except through t=.
 */
int pint_status_subscribe_resp(struct pint_status_ev *ev, const osip_message_t *resp,
			       const struct pint_status_ctx *ctx, uint64_t now_unix)
{
	unsigned code;
	int err;

	err = ev_start(ev, resp, "SUBSCRIBE", true);
	if (err)
		return err;
	if (!ctx)
		ctx = &ctx_zero;
	code = ev->sip_code;
	if (code < 200)
		return 0;

	if (code < 300) {
		expires_take(ev, resp, false);
		if (ev->has_expires && ev->expires == 0)
			ev->monitoring_ended = true;
		else
			ev->monitoring = true;
		pint_status_msg_sdp(ev, resp);
		times_status(ev, now_unix);
		return 0;
	}

	if ((code == 401 || code == 407) && !ctx->auth_retried && has_challenge(resp)) {
		ev->act = PINT_STATUS_ACT_CHALLENGE;
		return 0;
	}
	ev->monitoring_ended = true;
	if (code == 489)
		ev->fallback_to_dialog = true;
	else if (code == 606 && ev->has_warning && ev->warning.code == 307)
		ev->session_unknown = true;
	return 0;
}

/*
 * A response to our UNSUBSCRIBE: any final ends monitoring; 2xx may say
 * how long the gateway keeps the record (Expires = retention); 405/501
 * mean the gateway does not know UNSUBSCRIBE (fallback_to_dialog).
 */
int pint_status_unsubscribe_resp(struct pint_status_ev *ev, const osip_message_t *resp)
{
	int err;

	err = ev_start(ev, resp, "UNSUBSCRIBE", true);
	if (err)
		return err;
	if (ev->sip_code < 200)
		return 0;
	ev->monitoring_ended = true;
	if (ev->sip_code < 300)
		expires_take(ev, resp, true);
	else if (ev->sip_code == 405 || ev->sip_code == 501)
		ev->fallback_to_dialog = true;
	return 0;
}

/*
 * A response to our BYE (cancel after 2xx, RFC 2848 §3.5.8): 2xx ⇒
 * canceled/canceled by pintgw with retention from Expires; 606 ⇒
 * cannot_abort, status unchanged, with the gateway's Warning and i=.
 * Other answers change nothing; the evidence is still filled in.
 */
int pint_status_bye_resp(struct pint_status_ev *ev, const osip_message_t *resp)
{
	int err;

	err = ev_start(ev, resp, "BYE", true);
	if (err)
		return err;
	if (ev->sip_code < 200)
		return 0;
	pint_status_msg_sdp(ev, resp);
	if (ev->sip_code < 300) {
		set_terminal(ev, PINT_STATUS_CANCELED, PINT_OUTCOME_CANCELED);
		ev->by = PINT_STATUS_BY_PINTGW;
		expires_take(ev, resp, true);
	} else if (ev->sip_code == 606) {
		ev->cannot_abort = true;
	}
	return 0;
}

/* ---- requests from the gateway ---------------------------------------- */

/*
 * A PINT NOTIFY (the caller has matched it to a live subscription): its
 * SDP applied (t= ⇒ active/completed, i= ⇒ info), Warning as evidence.
 * A body that is not SDP or does not decode gives an event without a
 * status change (body_ignored); the subscription goes on. Event: and
 * Subscription-State: headers, if a modern stack adds them, are ignored.
 */
int pint_status_notify(struct pint_status_ev *ev, const osip_message_t *req,
		       uint64_t now_unix)
{
	int err;

	err = ev_start(ev, req, "NOTIFY", false);
	if (err)
		return err;
	ev->monitoring = true;
	pint_status_msg_sdp(ev, req);
	times_status(ev, now_unix);
	return 0;
}

/* A BYE from the gateway in the INVITE dialog: completed/ok by the gateway. */
int pint_status_gateway_bye(struct pint_status_ev *ev, const osip_message_t *req)
{
	int err;

	err = ev_start(ev, req, "BYE", false);
	if (err)
		return err;
	pint_status_msg_sdp(ev, req);
	set_terminal(ev, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK);
	return 0;
}

/*
 * An UNSUBSCRIBE from the gateway: monitoring ends, the request keeps its
 * status; Expires says how long the gateway remembers (retention).
 */
int pint_status_gateway_unsubscribe(struct pint_status_ev *ev, const osip_message_t *req)
{
	int err;

	err = ev_start(ev, req, "UNSUBSCRIBE", false);
	if (err)
		return err;
	pint_status_msg_sdp(ev, req);
	ev->monitoring_ended = true;
	expires_take(ev, req, true);
	return 0;
}

/* ---- dialog mode ------------------------------------------------------ */

static unsigned dinfo_rank(enum pint_dinfo_state state)
{
	switch (state) {
	case PINT_DINFO_TRYING:
	case PINT_DINFO_PROCEEDING:
		return 1;
	case PINT_DINFO_EARLY:
		return 2;
	case PINT_DINFO_CONFIRMED:
		return 3;
	default:
		return 0;
	}
}

static bool dinfo_ended_ok(const struct pint_dinfo_dialog *d)
{
	return d->event == PINT_DINFO_EV_LOCAL_BYE || d->event == PINT_DINFO_EV_REMOTE_BYE ||
	       d->event == PINT_DINFO_EV_REPLACED;
}

static void dinfo_terminated(struct pint_status_ev *ev, const struct pint_dinfo_dialog *d,
			     const struct pint_status_ctx *ctx)
{
	switch (d->event) {
	case PINT_DINFO_EV_CANCELLED:
		if (ctx->cancel == PINT_STATUS_CANCEL_TIMEOUT) {
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_NO_ANSWER);
		} else {
			set_terminal(ev, PINT_STATUS_CANCELED, PINT_OUTCOME_CANCELED);
		}
		if (ctx->cancel != PINT_STATUS_CANCEL_NONE)
			ev->by = PINT_STATUS_BY_PINTGW;
		break;
	case PINT_DINFO_EV_REJECTED:
		if (d->code >= 300)
			fail_by_code(ev, d->code, ctx);
		else
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_REJECTED);
		break;
	case PINT_DINFO_EV_LOCAL_BYE:
	case PINT_DINFO_EV_REMOTE_BYE:
		set_terminal(ev, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK);
		break;
	case PINT_DINFO_EV_REPLACED:
		set_terminal(ev, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK);
		pint_status_text_set(ev->info, sizeof(ev->info), "transferred");
		break;
	case PINT_DINFO_EV_TIMEOUT:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_NO_ANSWER);
		break;
	case PINT_DINFO_EV_ERROR:
		set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR);
		break;
	default:
		/* No (or an unknown) reason: a code says how it failed; else
		 * only our own history tells an ended call from a failed one. */
		if (d->code >= 300)
			fail_by_code(ev, d->code, ctx);
		else if (ctx->current == PINT_STATUS_ACTIVE)
			set_terminal(ev, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK);
		else
			set_terminal(ev, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR);
		break;
	}
}

/*
 * Map a parsed dialog-info document: the most advanced live dialog wins
 * (confirmed ⇒ active, early ⇒ proceeding "ringing", trying/proceeding ⇒
 * proceeding); only when every dialog has terminated is the request
 * terminal, preferring a dialog that ended by BYE or replacement. A
 * document without dialogs changes nothing.
 */
static void dinfo_apply(struct pint_status_ev *ev, const struct pint_dinfo *di,
			const struct pint_status_ctx *ctx)
{
	const struct pint_dinfo_dialog *live = NULL, *ended = NULL;
	unsigned rank = 0;
	size_t i, n = di->ndialogs;

	if (n > PINT_DINFO_MAX_DIALOGS)
		n = PINT_DINFO_MAX_DIALOGS;
	for (i = 0; i < n; i++) {
		const struct pint_dinfo_dialog *d = &di->dialogs[i];

		if (d->state == PINT_DINFO_TERMINATED) {
			if (!ended || (!dinfo_ended_ok(ended) && dinfo_ended_ok(d)))
				ended = d;
		} else if (dinfo_rank(d->state) > rank) {
			rank = dinfo_rank(d->state);
			live = d;
		}
	}

	if (live) {
		ev->sip_code = (uint16_t)(live->code <= 699 ? live->code : 0);
		if (live->state == PINT_DINFO_CONFIRMED) {
			ev->status = PINT_STATUS_ACTIVE;
		} else {
			ev->status = PINT_STATUS_PROCEEDING;
			if (live->state == PINT_DINFO_EARLY)
				pint_status_text_set(ev->info, sizeof(ev->info), "ringing");
		}
	} else if (ended) {
		ev->sip_code = (uint16_t)(ended->code <= 699 ? ended->code : 0);
		dinfo_terminated(ev, ended, ctx);
	}
}

/*
 * A parsed dialog-info document as an event (by the gateway), without a
 * subscription or version check; pint_status_dialog_notify() adds those.
 */
void pint_status_dinfo(struct pint_status_ev *ev, const struct pint_dinfo *di,
		       const struct pint_status_ctx *ctx)
{
	if (!ev)
		return;
	memset(ev, 0, sizeof(*ev));
	ev->by = PINT_STATUS_BY_GATEWAY;
	if (di)
		dinfo_apply(ev, di, ctx ? ctx : &ctx_zero);
}

/*
 * Subscription-State (RFC 6665 §4.1.3): active/pending refresh the granted
 * expiry; terminated ends monitoring, and asks for a new subscription
 * when the reason allows one (deactivated, timeout at once; probation,
 * giveup after retry-after).
 */
static void substate_take(struct pint_status_ev *ev, const osip_message_t *msg)
{
	const char *v = pint_status_header(msg, "subscription-state");
	struct pint_pl state, reason;
	const char *r;
	uint32_t n;

	if (!v)
		return;
	state = pint_pl_trim((struct pint_pl){v, strcspn(v, ";")});
	if (!pint_pl_caseeq(&state, "terminated")) {
		if (pint_status_param_seconds(v, "expires=", PINT_STATUS_EXPIRES_MAX, &n)) {
			ev->has_expires = true;
			ev->expires = n;
		}
		return;
	}
	ev->monitoring_ended = true;
	if (pint_status_param_seconds(v, "retry-after=", PINT_STATUS_RETRY_AFTER_MAX, &n))
		ev->retry_after = n;
	for (r = strchr(v, ';'); r; r = strchr(r, ';')) {
		r++;
		reason = pint_pl_trim((struct pint_pl){r, strcspn(r, ";")});
		if (reason.l < 7 || strncasecmp(reason.p, "reason=", 7) != 0)
			continue;
		reason.p += 7;
		reason.l -= 7;
		reason = pint_pl_trim(reason);
		if (pint_pl_caseeq(&reason, "deactivated") || pint_pl_caseeq(&reason, "timeout") ||
		    pint_pl_caseeq(&reason, "probation") || pint_pl_caseeq(&reason, "giveup"))
			ev->resubscribe_needed = true;
		break;
	}
}

/*
 * A NOTIFY in dialog mode: Subscription-State, then the dialog-info body
 * checked against the subscription's version tracker. A stale version is
 * ignored (stale, no status change); a gap in a partial document asks for
 * a re-SUBSCRIBE. A body that is not dialog-info or does not parse gives
 * evidence only (body_ignored). ENOMEM when parsing ran out of memory.
 */
int pint_status_dialog_notify(struct pint_status_ev *ev, const osip_message_t *req,
			      const struct pint_status_ctx *ctx,
			      struct pint_dinfo_track *track)
{
	struct pint_dinfo *di = NULL;
	enum pint_dinfo_verdict verdict;
	struct pint_pl pl;
	int err;

	if (!track)
		return EINVAL;
	err = ev_start(ev, req, "NOTIFY", false);
	if (err)
		return err;
	if (!ctx)
		ctx = &ctx_zero;
	substate_take(ev, req);
	if (!ev->monitoring_ended)
		ev->monitoring = true;

	switch (pint_status_body_find(req, "application", "dialog-info+xml", &pl)) {
	case PINT_STATUS_BODY_NONE:
		goto out;
	case PINT_STATUS_BODY_OTHER:
		ev->body_ignored = true;
		goto out;
	case PINT_STATUS_BODY_FOUND:
		break;
	}

	err = pint_dinfo_parse(&di, pl.p, pl.l);
	if (err == ENOMEM)
		goto out;
	if (err) {
		err = 0;
		ev->body_ignored = true;
		goto out;
	}
	err = pint_dinfo_track_check(track, di, &verdict);
	if (err)
		goto out;
	if (verdict == PINT_DINFO_STALE) {
		ev->stale = true;
		goto out;
	}
	if (verdict == PINT_DINFO_ACCEPT_RESYNC && di->state == PINT_DINFO_PARTIAL)
		ev->resubscribe_needed = true;
	dinfo_apply(ev, di, ctx);

out:
	/* Nothing to re-subscribe for once the request has ended. */
	if (pint_status_is_terminal(ev->status))
		ev->resubscribe_needed = false;
	pint_dinfo_free(di);
	return err;
}
