/*
 * pint/sub.c — one status subscription of a call (PINT-PROFILE "Status
 * monitoring"), in PINT mode (RFC 2848: SUBSCRIBE without Event, the SDP
 * as body, NOTIFY with SDP, UNSUBSCRIBE) or dialog mode (RFC 6665 +
 * RFC 4235: Event: dialog, dialog-info NOTIFYs, refresh, Expires: 0).
 *
 *  SUBSCRIBING --2xx--> ACTIVE --timer: PINT new SUBSCRIBE, dialog refresh
 *      |  489: fallback       | <--2xx-- REFRESHING (dialog mode)
 *      v  >=300, timeout      | call ended: UNSUBSCRIBE / Expires: 0
 *     DONE <--- any final --- ENDING;  gateway UNSUBSCRIBE, terminated: DONE
 *
 * The call owns the subscription. Its events go out through the call, and
 * none once the call has ended.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pint/sip.h"
#include "pint/ua_int.h"

const char *ua_sub_state_name(uint8_t state)
{
	switch (state) {
	case UA_SUB_SUBSCRIBING: return "subscribing";
	case UA_SUB_ACTIVE: return "active";
	case UA_SUB_REFRESHING: return "refreshing";
	case UA_SUB_ENDING: return "ending";
	case UA_SUB_DONE: return "done";
	}
	return "?";
}

static bool call_live(const struct ua_sub *s)
{
	return s->call->state != PINT_UA_DONE;
}

static uint8_t sub_tp(struct pint_ua *ua, const struct ua_sub *s,
		      struct pint_tsx_peer *peer)
{
	if (ua_peer(ua, s->call->gw, -1, peer))
		return PINT_TSX_UDP;
	return (uint8_t)peer->transport;
}

static uint32_t asked(const struct pint_ua *ua, const struct ua_sub *s)
{
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, s->call->gw);

	return gc ? gc->subscribe_expires : 0;
}

/* Over: out of the table (later NOTIFYs get 481), timer off. */
static void done(struct pint_ua *ua, struct ua_sub *s)
{
	if (s->state != UA_SUB_DONE)
		ua->st.subs_live--;
	s->state = UA_SUB_DONE;
	ua_sub_dlg_remove(ua, s);
	ua_disarm(ua, &s->tm);
	ua_tsx_detach(ua, &s->tsx, false);
	pint_dialog_free(s->dlg);
	s->dlg = NULL;
	free(s->target);
	free(s->auth);
	s->target = s->auth = NULL;
}

/*
 * PINT: a new SUBSCRIBE when the granted time runs out; dialog: at ~80 %.
 * Never sooner than UA_MIN_REFRESH_MS, whatever a gateway grants.
 */
static void arm_refresh(struct pint_ua *ua, struct ua_sub *s, uint32_t secs)
{
	uint64_t ms = (uint64_t)secs * 1000u;

	s->expires = secs;
	if (s->mode == PINT_GWSET_STATUS_DIALOG)
		ms = ms * 4 / 5;
	if (ms < UA_MIN_REFRESH_MS)
		ms = UA_MIN_REFRESH_MS;
	ua_arm(ua, &s->tm, ua->now + ms);
}

static void emit(struct pint_ua *ua, struct ua_sub *s,
		 struct pint_status_ev *ev)
{
	ua_call_emit(ua, s->call, ev);
}

/* Monitoring ended on our side (no answer, no memory): say so once. */
static void lost(struct pint_ua *ua, struct ua_sub *s, const char *why)
{
	struct pint_status_ev ev;

	done(ua, s);
	if (!call_live(s))
		return;
	ua_call_untracked(ua, s->call);
	memset(&ev, 0, sizeof(ev));
	ev.by = PINT_STATUS_BY_PINTGW;
	ev.monitoring_ended = true;
	pint_status_text_copy(ev.reason, sizeof(ev.reason), why, strlen(why));
	emit(ua, s, &ev);
}

/* ---- sending ----------------------------------------------------------- */

/* The opening SUBSCRIBE (PINT or dialog package), rebuilt on demand. */
static int open_msg(struct pint_ua *ua, struct ua_sub *s, const char *branch,
		    osip_message_t **mp)
{
	const struct ua_call *c = s->call;
	struct pint_tsx_peer peer;
	const struct pint_req_local *loc = ua_loc(ua, sub_tp(ua, s, &peer));
	struct pint_req_ids ids = { s->call_id, s->tag, s->cseq };
	struct pint_req_tx tx = { branch, NULL, NULL };

	if (s->auth_proxy)
		tx.proxy_authorization = s->auth;
	else
		tx.authorization = s->auth;
	if (s->mode == PINT_GWSET_STATUS_PINT) {
		struct pint_req_subscribe sub = {
			.target = s->target, .expires = asked(ua, s),
			.sdp = c->sdp, .sdp_len = c->sdp_len,
		};

		return pint_req_subscribe(mp, loc, &ids, &tx, &sub);
	} else {
		struct pint_req_subscribe_dialog sub = {
			.target = s->target, .expires = asked(ua, s),
		};

		/* RFC 4235 §3.2, the notifier's view: to-tag is its tag */
		if (!c->watch) {
			sub.event.call_id = c->call_id;
			sub.event.from_tag = c->tag;
			sub.event.to_tag = c->dlg ? c->dlg->remote_tag : NULL;
		}
		return pint_req_subscribe_dialog(mp, loc, &ids, &tx, &sub);
	}
}

/* Send m on the subscription; a failure ends it (see lost()). */
static int send_msg(struct pint_ua *ua, struct ua_sub *s, osip_message_t *m,
		    const char *why)
{
	struct pint_tsx_peer peer;
	bool net = false;
	int err;

	sub_tp(ua, s, &peer);
	err = ua_send_tsx(ua, m, &peer, s, &s->tsx, &net);
	osip_message_free(m);
	if (err)
		lost(ua, s, why);
	return err;
}

static int send_open(struct pint_ua *ua, struct ua_sub *s)
{
	char branch[UA_BRANCH_SIZE];
	osip_message_t *m = NULL;
	int err;

	err = ua_branch(ua, branch);
	if (!err)
		err = open_msg(ua, s, branch, &m);
	if (err) {
		lost(ua, s, "SUBSCRIBE could not be built");
		return err;
	}
	ua->st.subscribes_sent++;
	return send_msg(ua, s, m, "SUBSCRIBE could not be sent");
}

/* Dialog mode: re-SUBSCRIBE in the dialog (expires 0 ends it). */
static int in_dialog(struct pint_ua *ua, struct ua_sub *s, uint32_t expires,
		     osip_message_t **mp)
{
	const struct ua_call *c = s->call;
	struct pint_req_dialog_event ev = { NULL, NULL, NULL };
	struct pint_req_tx tx = { NULL, NULL, NULL };
	char branch[UA_BRANCH_SIZE];
	struct pint_tsx_peer peer;
	uint8_t tp = sub_tp(ua, s, &peer);
	int err;

	if (!c->watch) {
		ev.call_id = c->call_id;
		ev.from_tag = c->tag;
		ev.to_tag = c->dlg ? c->dlg->remote_tag : NULL;
	}
	tx.branch = branch;
	err = ua_branch(ua, branch);
	if (err)
		return err;
	if (s->mode == PINT_GWSET_STATUS_PINT)
		return pint_dialog_unsubscribe(mp, s->dlg, ua_loc(ua, tp), &tx,
					       c->sdp, c->sdp_len);
	return pint_dialog_subscribe_refresh(mp, s->dlg, ua_loc(ua, tp), &tx,
					     &ev, expires);
}

static void send_refresh(struct pint_ua *ua, struct ua_sub *s)
{
	osip_message_t *m = NULL;

	if (in_dialog(ua, s, asked(ua, s), &m)) {
		ua_arm(ua, &s->tm, ua->now + UA_RETRY_MS);
		return;
	}
	s->state = UA_SUB_REFRESHING;
	ua->st.subscribes_sent++;
	(void)send_msg(ua, s, m, "SUBSCRIBE refresh could not be sent");
}

/* The call has ended: UNSUBSCRIBE (PINT) or SUBSCRIBE Expires: 0. */
static void send_end(struct pint_ua *ua, struct ua_sub *s)
{
	osip_message_t *m = NULL;

	ua_disarm(ua, &s->tm);
	if (!s->dlg || in_dialog(ua, s, 0, &m)) {
		done(ua, s);
		return;
	}
	s->state = UA_SUB_ENDING;
	ua->st.unsubscribes_sent++;
	(void)send_msg(ua, s, m, "UNSUBSCRIBE could not be sent");
}

/*
 * Open a subscription for call c in mode at target (copied): a new
 * Call-ID and tag each time, the previous subscription (if any) dropped.
 * A failure to send is reported (monitoring ended) and returns 0; an
 * error (ENOMEM, the rand handler's) means nothing was sent or reported.
 */
int ua_sub_start(struct pint_ua *ua, struct ua_call *c, uint8_t mode,
		 const char *target)
{
	struct ua_sub *s = c->sub;
	size_t n = strlen(target);
	int err;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return ENOMEM;
		s->kind = UA_K_SUB;
		s->state = UA_SUB_DONE;
		s->call = c;
		pint_timer_init(&s->tm, UA_TM_SUB);
		c->sub = s;
	} else {
		done(ua, s);
	}
	s->mode = mode;
	s->state = UA_SUB_SUBSCRIBING;
	ua->st.subs_live++;
	s->auth_retried = s->auth_proxy = s->end_pending = s->early = false;
	s->cseq = 1;
	s->expires = 0;
	pint_dinfo_track_init(&s->track);
	err = ua_token(ua, s->call_id);
	if (!err)
		err = ua_token(ua, s->tag);
	if (!err) {
		s->target = malloc(n + 1);
		err = s->target ? 0 : ENOMEM;
	}
	if (!err) {
		memcpy(s->target, target, n + 1);
		err = ua_sub_dlg_insert(ua, s);
	}
	if (err) {
		done(ua, s);
		return err;
	}
	/* from here a failure is reported as monitoring ended */
	(void)send_open(ua, s);
	return 0;
}

/* ---- responses --------------------------------------------------------- */

static int retry_auth(struct pint_ua *ua, struct ua_sub *s,
		      const osip_message_t *resp)
{
	char *auth = NULL;
	bool proxy = false;
	int err;

	if (s->auth_retried || s->cseq >= PINT_REQ_MAX_CSEQ)
		return EPROTO;
	err = ua_digest(ua, s->call->gw, resp, "SUBSCRIBE", s->target, NULL, 0,
			&auth, &proxy);
	if (err)
		return err;
	free(s->auth);
	s->auth = auth;
	s->auth_proxy = proxy;
	s->auth_retried = true;
	s->cseq++;
	/* a failure from here is reported by send_open */
	(void)send_open(ua, s);
	return 0;
}

static bool make_dialog(struct pint_ua *ua, struct ua_sub *s,
			const osip_message_t *resp)
{
	osip_message_t *req = NULL;
	int err;

	/* the request is rebuilt: only its identities matter here */
	err = open_msg(ua, s, PINT_REQ_BRANCH_COOKIE "x", &req);
	if (!err)
		err = pint_dialog_uac_alloc(&s->dlg, req, resp);
	osip_message_free(req);
	if (err)
		return false;
	if (s->early) {
		s->dlg->remote_cseq = s->early_cseq;
		s->dlg->remote_cseq_set = true;
	}
	free(s->target);
	s->target = NULL;
	return true;
}

#define FALLBACK_DIALOG \
	"gateway is not a PINT notifier: using the dialog event package"
#define FALLBACK_NONE "gateway is not a PINT notifier: no status monitoring"
#define REFUSED_DIALOG \
	"gateway refused the dialog event package: no status monitoring"

/*
 * A 489 to the opening SUBSCRIBE: the gateway is no notifier of s's mode.
 * The gateway's next mode (pint/gwset: PINT → dialog if configured, else
 * none) applies to later calls, and to this one when that is the dialog
 * package: true then, with ev (the 489's evidence) reported once the new
 * SUBSCRIBE is out. False: monitoring ends, ev says why.
 */
static bool fall_back(struct pint_ua *ua, struct ua_sub *s,
		      struct pint_status_ev *ev)
{
	struct pint_gwset_info info;
	struct ua_call *c = s->call;
	char *target = s->target;
	const char *why;
	size_t gw = c->gw;
	int err;

	if (gw >= pint_gwset_count(ua->gws))
		return false;
	pint_gwset_info(ua->gws, gw, &info);
	/* another call's 489 may have moved the gateway on already */
	if (info.status_mode == s->mode) {
		pint_gwset_fallback(ua->gws, gw);
		ua->st.fallbacks++;
		pint_gwset_info(ua->gws, gw, &info);
	}
	why = s->mode == PINT_GWSET_STATUS_DIALOG ? REFUSED_DIALOG :
						    FALLBACK_NONE;
	pint_status_text_copy(ev->info, sizeof(ev->info), why, strlen(why));
	if (info.status_mode != PINT_GWSET_STATUS_DIALOG ||
	    s->mode == PINT_GWSET_STATUS_DIALOG || !call_live(s) || !target)
		return false;
	s->target = NULL;
	err = ua_sub_start(ua, c, PINT_GWSET_STATUS_DIALOG, target);
	free(target);
	if (err)
		return false;
	/* a SUBSCRIBE that could not be sent was reported (lost()) */
	if (c->sub->state == UA_SUB_DONE)
		return true;
	pint_status_text_copy(ev->info, sizeof(ev->info), FALLBACK_DIALOG,
			      sizeof(FALLBACK_DIALOG) - 1);
	ev->monitoring_ended = false;
	emit(ua, s, ev);
	return true;
}

static void opened(struct pint_ua *ua, struct ua_sub *s,
		   const osip_message_t *resp)
{
	struct ua_call *c = s->call;
	struct pint_status_ctx ctx;
	struct pint_status_ev ev;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cancel = (enum pint_status_cancel)c->cancel;
	ctx.current = (enum pint_status)c->status;
	ctx.auth_retried = s->auth_retried;
	if (pint_status_subscribe_resp(&ev, resp, &ctx, ua_unix(ua))) {
		lost(ua, s, "unusable answer to SUBSCRIBE");
		return;
	}
	if (resp->status_code < 300) {
		if (!make_dialog(ua, s, resp)) {
			lost(ua, s, "unusable answer to SUBSCRIBE");
			return;
		}
		if (s->end_pending || !call_live(s)) {
			send_end(ua, s);
			return;
		}
		if (!ev.has_expires) {
			ev.expires = asked(ua, s);
			ev.monitoring_ended = ev.expires == 0;
		}
		if (ev.monitoring_ended) {      /* Expires: 0, a poll */
			ev.monitoring = false;
			done(ua, s);
			ua_call_untracked(ua, c);
		} else {
			s->state = UA_SUB_ACTIVE;
			arm_refresh(ua, s, ev.expires);
		}
		emit(ua, s, &ev);
		return;
	}
	if (ev.act == PINT_STATUS_ACT_CHALLENGE) {
		if (!retry_auth(ua, s, resp))
			return;
		ctx.auth_retried = true;
		(void)pint_status_subscribe_resp(&ev, resp, &ctx, ua_unix(ua));
	}
	if (ev.fallback_to_dialog && fall_back(ua, s, &ev))
		return;
	done(ua, s);
	if (!call_live(s))
		return;
	ua_call_untracked(ua, c);
	emit(ua, s, &ev);
}

static void refreshed(struct pint_ua *ua, struct ua_sub *s,
		      const osip_message_t *resp)
{
	uint32_t secs;

	if (resp->status_code >= 300) {
		lost(ua, s, "SUBSCRIBE refresh refused");
		return;
	}
	if (s->end_pending || !call_live(s)) {
		send_end(ua, s);
		return;
	}
	s->state = UA_SUB_ACTIVE;
	if (pint_sip_expires(resp, PINT_STATUS_EXPIRES_MAX, &secs))
		secs = asked(ua, s);
	if (secs == 0) {
		done(ua, s);
		ua_call_untracked(ua, s->call);
		return;
	}
	arm_refresh(ua, s, secs);
}

static void ended(struct pint_ua *ua, struct ua_sub *s,
		  const osip_message_t *resp)
{
	struct pint_status_ev ev;

	if (s->mode == PINT_GWSET_STATUS_PINT &&
	    !pint_status_unsubscribe_resp(&ev, resp) && ev.fallback_to_dialog) {
		/* for the next calls: the call itself has ended */
		if (s->call->gw < pint_gwset_count(ua->gws)) {
			pint_gwset_fallback(ua->gws, s->call->gw);
			ua->st.fallbacks++;
		}
	}
	done(ua, s);
}

/* A final response on the subscription's request. */
void ua_sub_resp(struct pint_ua *ua, struct ua_sub *s, osip_message_t *resp)
{
	if (resp->status_code < 200)
		return;
	s->tsx = 0;
	switch (s->state) {
	case UA_SUB_SUBSCRIBING:
		opened(ua, s, resp);
		break;
	case UA_SUB_REFRESHING:
		refreshed(ua, s, resp);
		break;
	case UA_SUB_ENDING:
		ended(ua, s, resp);
		break;
	default:
		break;
	}
}

/* No answer (Timer F) or a transport error. */
void ua_sub_fail(struct pint_ua *ua, struct ua_sub *s)
{
	s->tsx = 0;
	if (s->state == UA_SUB_ENDING)
		done(ua, s);
	else
		lost(ua, s, "no answer to SUBSCRIBE");
}

void ua_sub_timer(struct pint_ua *ua, struct ua_sub *s)
{
	struct ua_call *c = s->call;
	char *target;

	if (s->state != UA_SUB_ACTIVE)
		return;
	if (!call_live(s)) {
		send_end(ua, s);
		return;
	}
	if (s->mode == PINT_GWSET_STATUS_DIALOG) {
		send_refresh(ua, s);
		return;
	}
	/* PINT has no refresh: the monitoring session ran out, open anew */
	target = s->dlg ? s->dlg->remote_target : NULL;
	if (target)
		s->dlg->remote_target = NULL;
	if (!target || ua_sub_start(ua, c, PINT_GWSET_STATUS_PINT, target))
		lost(ua, s, "SUBSCRIBE could not be renewed");
	free(target);
}

/* ---- requests from the gateway ----------------------------------------- */

/*
 * What a NOTIFY (already matched, source and CSeq checked) says, before
 * it is answered: ENOMEM asks the gateway to send it again.
 */
int ua_sub_notify(struct pint_ua *ua, struct ua_sub *s,
		  const osip_message_t *req, struct pint_status_ev *ev)
{
	struct pint_status_ctx ctx;

	if (s->mode == PINT_GWSET_STATUS_PINT)
		return pint_status_notify(ev, req, ua_unix(ua));
	memset(&ctx, 0, sizeof(ctx));
	ctx.cancel = (enum pint_status_cancel)s->call->cancel;
	ctx.current = (enum pint_status)s->call->status;
	return pint_status_dialog_notify(ev, req, &ctx, &s->track);
}

/* The NOTIFY has been answered 200: act on it, then report it. */
void ua_sub_notified(struct pint_ua *ua, struct ua_sub *s,
		     struct pint_status_ev *ev)
{
	struct ua_call *c = s->call;
	char *target = NULL;

	if (s->mode == PINT_GWSET_STATUS_DIALOG && !ev->stale) {
		if (ev->monitoring_ended) {
			/* Subscription-State: terminated */
			if (s->dlg && ev->resubscribe_needed && call_live(s))
				target = s->dlg->remote_target;
			if (target)
				s->dlg->remote_target = NULL;
			done(ua, s);
			if (!target || ua_sub_start(ua, c,
					PINT_GWSET_STATUS_DIALOG, target))
				ua_call_untracked(ua, c);
			free(target);
		} else if (s->state == UA_SUB_ACTIVE &&
			   ev->resubscribe_needed) {
			ua_disarm(ua, &s->tm);
			send_refresh(ua, s);
		} else if (s->state == UA_SUB_ACTIVE && ev->has_expires) {
			ua_disarm(ua, &s->tm);
			arm_refresh(ua, s, ev->expires);
		}
	}
	emit(ua, s, ev);
}

/* UNSUBSCRIBE from the gateway, answered 200: monitoring is over. */
void ua_sub_gateway_unsubscribe(struct pint_ua *ua, struct ua_sub *s,
				const osip_message_t *req)
{
	struct pint_status_ev ev;
	int err = pint_status_gateway_unsubscribe(&ev, req);

	done(ua, s);
	if (err || !call_live(s))
		return;
	ua_call_untracked(ua, s->call);
	emit(ua, s, &ev);
}

/* The call has ended: close the subscription (now or once its request
 * is answered). No event comes from it any more. */
void ua_sub_end(struct pint_ua *ua, struct ua_sub *s)
{
	switch (s->state) {
	case UA_SUB_SUBSCRIBING:
	case UA_SUB_REFRESHING:
		s->end_pending = true;
		ua_disarm(ua, &s->tm);
		break;
	case UA_SUB_ACTIVE:
		send_end(ua, s);
		break;
	default:
		break;
	}
}

/*
 * The call leaves the gateway of its subscription (failover, a redirect
 * elsewhere): end it there, UNSUBSCRIBE / Expires: 0 when it was
 * established, else just drop it, and forget it, so the call subscribes
 * anew at the next gateway. Call before the call's gateway and
 * identities change: the request goes to, and names, the old ones. Its
 * answer is nobody's; no event comes from it.
 */
void ua_sub_retire(struct pint_ua *ua, struct ua_call *c)
{
	struct ua_sub *s = c->sub;
	osip_message_t *m = NULL;
	struct pint_tsx_peer peer;
	uint64_t id = 0;
	bool net = false;

	if (!s)
		return;
	c->sub = NULL;
	ua_tsx_detach(ua, &s->tsx, false);
	if ((s->state == UA_SUB_ACTIVE || s->state == UA_SUB_REFRESHING) &&
	    s->dlg && !in_dialog(ua, s, 0, &m)) {
		sub_tp(ua, s, &peer);
		if (!ua_send_tsx(ua, m, &peer, NULL, &id, &net))
			ua->st.unsubscribes_sent++;
		osip_message_free(m);
	}
	ua_sub_free(ua, s);
}

/* Free s (its owner, the call, is going away). */
void ua_sub_free(struct pint_ua *ua, struct ua_sub *s)
{
	done(ua, s);
	free(s);
}
