/*
 * pint/call.c — one service call (PINT-PROFILE "Service request =
 * INVITE", "Responses to the INVITE", "Cancel").
 *
 *  CALLING --1xx--> PROCEEDING --2xx: ACK--> ACCEPTED --cancel: BYE--> BYEING
 *     |    (B: next gateway)  | ring timeout / cancel     |  2xx: DONE  |
 *     |                       v                           |  606: back -+
 *     +--cancel (owed)--> CANCELING --487 / 64*T1--> DONE  +--gateway BYE,
 *                              |  2xx crossing: ACK + BYE      NOTIFY, max
 *                                                              duration: DONE
 * 3xx, 401/407 and 503 start a new INVITE from CALLING (same Call-ID and
 * CSeq + 1, or a new Call-ID at the next gateway); a new gateway or
 * target is reported as evidence once its INVITE is out. What each
 * response means is pint/status's decision; this file only acts on it.
 * Every status change leaves through ua_call_emit, which also ends the call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "pint/sip.h"
#include "pint/ua_int.h"

static void set_state(struct pint_ua *ua, struct ua_call *c, uint8_t state);
static void bye_lost(struct pint_ua *ua, struct ua_call *c, const char *why);

#define UNTRACKED_END "no status from the gateway: assumed completed"

static bool pending(const struct ua_call *c)
{
	return c->state == PINT_UA_CALLING || c->state == PINT_UA_PROCEEDING ||
	       c->state == PINT_UA_CANCELING;
}

/* ---- events ------------------------------------------------------------ */

static void ev_pintgw(struct pint_status_ev *ev, enum pint_status status,
		      enum pint_outcome outcome, const char *reason)
{
	memset(ev, 0, sizeof(*ev));
	ev->status = status;
	ev->outcome = outcome;
	ev->by = PINT_STATUS_BY_PINTGW;
	if (reason)
		pint_status_text_copy(ev->reason, sizeof(ev->reason), reason,
				      strlen(reason));
}

/* The terminal step: state DONE, the subscription closed, linger. */
static void finish(struct pint_ua *ua, struct ua_call *c,
		   enum pint_status status)
{
	bool open = pending(c) && !c->answered;

	c->status = (uint8_t)status;
	set_state(ua, c, PINT_UA_DONE);
	/* ended (by a NOTIFY) while the INVITE is open: withdraw it quietly */
	if (open && !c->cancel_sent) {
		if (c->got_1xx)
			(void)ua_call_send_cancel(ua, c);
		else
			c->cancel_owed = true;
	}
	if (c->sub)
		ua_sub_end(ua, c->sub);
}

/*
 * Report ev for c: a status that would go backwards is kept as evidence
 * only (NONE), a terminal one ends the call first. Nothing after the
 * terminal event; stale dialog-info versions are not reported at all.
 */
void ua_call_emit(struct pint_ua *ua, struct ua_call *c,
		  struct pint_status_ev *ev)
{
	bool term = pint_status_is_terminal(ev->status);

	if (c->state == PINT_UA_DONE || ev->stale)
		return;
	if (!term && ev->status != PINT_STATUS_NONE &&
	    !pint_status_may_follow((enum pint_status)c->status, ev->status))
		ev->status = PINT_STATUS_NONE;
	if (!term)
		ev->outcome = PINT_OUTCOME_NONE;
	if (term)
		finish(ua, c, ev->status);
	else if (ev->status != PINT_STATUS_NONE)
		c->status = (uint8_t)ev->status;
	ua->st.events++;
	if (term)
		ua->st.terminal_events++;
	if (ua->h.event)
		ua->h.event(c->ref, ev, ua->h.arg);
	if (term && !c->sent)
		ua_call_discard(ua, c);
}

/*
 * Evidence that the call went on elsewhere (a new gateway or target, new
 * identities in pint_ua_call_info), status unchanged; resp is the answer
 * that sent it there, NULL for none.
 */
static void emit_moved(struct pint_ua *ua, struct ua_call *c,
		       const osip_message_t *resp, const char *what,
		       const char *where)
{
	struct pint_status_ev ev;
	char text[PINT_STATUS_TEXT_SIZE];

	ev_pintgw(&ev, PINT_STATUS_NONE, PINT_OUTCOME_NONE, NULL);
	if (resp) {
		ev.sip_code = (uint16_t)resp->status_code;
		if (resp->reason_phrase)
			pint_status_text_copy(ev.reason, sizeof(ev.reason),
					      resp->reason_phrase,
					      strlen(resp->reason_phrase));
	}
	snprintf(text, sizeof(text), "%s %s", what, where ? where : "?");
	pint_status_text_copy(ev.info, sizeof(ev.info), text, strlen(text));
	ua_call_emit(ua, c, &ev);
}

static void emit_internal(struct pint_ua *ua, struct ua_call *c, int err)
{
	struct pint_status_ev ev;

	ev_pintgw(&ev, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR,
		  err == ENOMEM ? "out of memory" :
				  "request could not be built");
	ua_call_emit(ua, c, &ev);
}

/* ---- state and timers -------------------------------------------------- */

/* Transitions in one place: each state owns the call's one timer. */
static void set_state(struct pint_ua *ua, struct ua_call *c, uint8_t state)
{
	ua->st.calls_by_state[c->state]--;
	ua->st.calls_by_state[state]++;
	c->state = state;
	ua_disarm(ua, &c->tm);
	switch (state) {
	case PINT_UA_PROCEEDING:
		if (c->ring_ms)
			ua_arm(ua, &c->tm, ua->now + c->ring_ms);
		break;
	case PINT_UA_CANCELING:
		/* a CANCEL owed until the first 1xx: Timer B still runs */
		if (!c->cancel_owed)
			ua_arm(ua, &c->tm, ua->now + UA_CANCEL_WAIT(ua));
		break;
	case PINT_UA_ACCEPTED:
		if (ua->max_dur_ms && (!c->sub || c->sub->state == UA_SUB_DONE))
			ua_arm(ua, &c->tm, ua->now + ua->max_dur_ms);
		break;
	case PINT_UA_DONE:
		if (c->sent)
			ua_arm(ua, &c->tm, ua->now + UA_LINGER(ua));
		break;
	default:
		break;
	}
}

/* Monitoring has ended on a running service: give it a maximum life. */
void ua_call_untracked(struct pint_ua *ua, struct ua_call *c)
{
	if (c->state == PINT_UA_ACCEPTED && ua->max_dur_ms &&
	    !pint_timer_armed(&c->tm))
		ua_arm(ua, &c->tm, ua->now + ua->max_dur_ms);
}

/* ---- gateways ---------------------------------------------------------- */

static bool pick(struct pint_ua *ua, const struct ua_call *c, uint32_t tried,
		 size_t *idxp)
{
	bool t[PINT_GWSET_MAX];
	size_t i;

	for (i = 0; i < PINT_GWSET_MAX; i++)
		t[i] = tried >> i & 1u;
	return pint_gwset_pick(ua->gws, c->pref, t, ua->now, idxp) == 0 &&
	       *idxp < PINT_GWSET_MAX;
}

static bool can_failover(struct pint_ua *ua, const struct ua_call *c)
{
	size_t idx;

	return pick(ua, c, c->tried | 1u << c->gw, &idx);
}

/* A fresh identity for another gateway: new Call-ID, tag, CSeq 1. */
static int new_identity(struct pint_ua *ua, struct ua_call *c, size_t gw)
{
	char cid[UA_TOKEN_SIZE], tag[UA_TOKEN_SIZE];
	int err;

	err = ua_token(ua, cid);
	if (!err)
		err = ua_token(ua, tag);
	if (err)
		return err;
	ua_call_dlg_remove(ua, c);
	memcpy(c->call_id, cid, sizeof(cid));
	memcpy(c->tag, tag, sizeof(tag));
	c->cseq = 1;
	c->gw = gw;
	c->tp = ua_call_transport(ua, c);
	free(c->auth);
	free(c->target);
	free(c->to_uri);
	c->auth = c->target = c->to_uri = NULL;
	c->auth_retried = false;
	c->redirects = 0;
	c->got_1xx = false;
	return ua_call_dlg_insert(ua, c);
}

/*
 * The INVITE at the next gateway, reported once it is out (resp: the
 * answer that made us leave, or NULL); ENOENT when none is left.
 */
static int failover(struct pint_ua *ua, struct ua_call *c,
		    const osip_message_t *resp)
{
	const struct pint_gwset_conf *gc;
	size_t idx;
	bool net = false;
	int err;

	for (;;) {
		c->tried |= 1u << c->gw;
		if (!pick(ua, c, c->tried, &idx))
			return ENOENT;
		/* monitoring the abandoned attempt would report nothing */
		ua_sub_retire(ua, c);
		err = new_identity(ua, c, idx);
		if (err)
			return err;
		set_state(ua, c, PINT_UA_CALLING);
		ua->st.failovers++;
		ua->st.retries++;
		err = ua_call_send_invite(ua, c, &net);
		if (!net)
			break;
		pint_gwset_timeout(ua->gws, c->gw, ua->now);
	}
	if (!err) {
		gc = ua_gw_conf(ua, c->gw);
		emit_moved(ua, c, resp, "trying gateway", gc ? gc->name : NULL);
	}
	return err;
}

/* No answer from the gateway: Timer B or a transport error. */
static void no_answer(struct pint_ua *ua, struct ua_call *c)
{
	struct pint_status_ctx ctx;
	struct pint_status_ev ev;
	int err;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cancel = (enum pint_status_cancel)c->cancel;
	ctx.current = (enum pint_status)c->status;
	if (c->cancel == PINT_STATUS_CANCEL_NONE) {
		pint_gwset_timeout(ua->gws, c->gw, ua->now);
		ctx.next_gateway = can_failover(ua, c);
	}
	pint_status_no_response(&ev, &ctx);
	if (ev.act == PINT_STATUS_ACT_NEXT_GATEWAY) {
		err = failover(ua, c, NULL);
		if (!err)
			return;
		if (err != ENOENT) {
			emit_internal(ua, c, err);
			return;
		}
		ctx.next_gateway = false;
		pint_status_no_response(&ev, &ctx);
	}
	ua_call_emit(ua, c, &ev);
}

/* ---- responses to the INVITE ------------------------------------------- */

/* Subscribe to the service's status at the Contact of resp, or the
 * Request-URI the INVITE went to. Failures only cost the monitoring. */
static void subscribe(struct pint_ua *ua, struct ua_call *c,
		      const osip_message_t *resp)
{
	struct pint_gwset_info info;
	const osip_contact_t *ct = osip_list_get(&resp->contacts, 0);
	osip_message_t *inv = NULL;
	char *target = NULL;
	int err = ENOENT;

	if (!c->track || c->sub || c->gw >= pint_gwset_count(ua->gws))
		return;
	pint_gwset_info(ua->gws, c->gw, &info);
	if (info.status_mode == PINT_GWSET_STATUS_NONE)
		return;
	if (c->dlg) {
		struct pint_pl rt = pint_pl_str(c->dlg->remote_target);

		err = pint_pl_strdup(&target, &rt);
	} else if (ct && ct->url) {
		err = pint_req_uri_str(&target, ct->url);
	}
	if (err && !ua_call_invite_msg(ua, c, c->branch, &inv))
		err = ua_msg_uri(inv, false, &target);
	osip_message_free(inv);
	if (!err)
		(void)ua_sub_start(ua, c, (uint8_t)info.status_mode, target);
	free(target);
}

static void got_1xx(struct pint_ua *ua, struct ua_call *c,
		    const osip_message_t *resp)
{
	struct pint_status_ctx ctx;
	struct pint_status_ev ev;
	bool first = !c->got_1xx;

	c->got_1xx = true;
	if (first && c->cancel_owed) {
		if (!ua_call_send_cancel(ua, c) &&
		    c->state == PINT_UA_CANCELING)
			set_state(ua, c, PINT_UA_CANCELING);
	}
	if (c->state == PINT_UA_DONE)
		return;
	if (c->state == PINT_UA_CALLING)
		set_state(ua, c, PINT_UA_PROCEEDING);
	/* PINT §3.5.3.4: once the gateway has the INVITE */
	if (first && c->state == PINT_UA_PROCEEDING)
		subscribe(ua, c, resp);
	memset(&ctx, 0, sizeof(ctx));
	if (pint_status_invite_resp(&ev, resp, &ctx))
		return;
	ua_call_emit(ua, c, &ev);
}

static bool same_dialog(const struct ua_call *c, const osip_message_t *resp)
{
	struct pint_pl tag;

	if (pint_sip_to_tag(resp, &tag))
		return !c->dlg->remote_tag;
	return c->dlg->remote_tag && pint_pl_eq(&tag, c->dlg->remote_tag);
}

static void got_2xx(struct pint_ua *ua, struct ua_call *c,
		    const osip_message_t *resp)
{
	struct pint_status_ctx ctx;
	struct pint_status_ev ev;
	bool net = false;
	int err;

	c->answered = true;
	if (c->dlg) {
		/* a retransmission (RFC 3261 §13.2.2.4); other forks: not
		 * followed */
		if (same_dialog(c, resp))
			ua_call_send_ack(ua, c);
		return;
	}
	err = ua_call_make_dialog(ua, c, resp);
	if (err) {
		/* without a dialog there is no ACK to send */
		emit_internal(ua, c, err);
		return;
	}
	if (c->state == PINT_UA_DONE ||
	    c->cancel == PINT_STATUS_CANCEL_USER) {
		/* not wanted any more: ACK, then BYE (RFC 3261 §15) */
		ua_call_send_ack(ua, c);
		ua_call_drop_invite(c);
		if (c->state == PINT_UA_DONE) {
			(void)ua_call_send_bye(ua, c, &net);
			return;
		}
		set_state(ua, c, PINT_UA_BYEING);
		if (ua_call_send_bye(ua, c, &net))
			bye_lost(ua, c, "BYE could not be sent");
		return;
	}
	/* our ring timer lost the race: the gateway took the service */
	c->cancel = PINT_STATUS_CANCEL_NONE;
	c->cancel_owed = false;
	subscribe(ua, c, resp);
	ua_call_send_ack(ua, c);
	ua_call_drop_invite(c);
	set_state(ua, c, PINT_UA_ACCEPTED);
	memset(&ctx, 0, sizeof(ctx));
	if (pint_status_invite_resp(&ev, resp, &ctx))
		return;
	ua_call_emit(ua, c, &ev);
}

/* Follow a 3xx to a Contact at one of our gateways. EPROTO: none. */
static int redirect(struct pint_ua *ua, struct ua_call *c,
		    const osip_message_t *resp)
{
	osip_message_t *inv = NULL;
	char *uri = NULL;
	size_t idx = PINT_GWSET_NONE;
	bool net = false;
	int i, n = osip_list_size(&resp->contacts), err;

	if (c->cseq >= PINT_REQ_MAX_CSEQ)
		return EPROTO;
	for (i = 0; i < n && i < UA_MAX_CONTACTS && !uri; i++) {
		const osip_contact_t *ct = osip_list_get(&resp->contacts, i);

		/* configured gateways only: a 3xx must not aim us anywhere */
		if (!ct->url || !ct->url->host)
			continue;
		idx = pint_gwset_by_addr(ua->gws, ct->url->host);
		if (idx == PINT_GWSET_NONE || idx >= PINT_GWSET_MAX)
			continue;
		err = pint_req_uri_str(&uri, ct->url);
		if (err == ENOMEM)
			return err;
	}
	if (!uri)
		return EPROTO;
	if (!c->to_uri) {
		err = ua_call_invite_msg(ua, c, c->branch, &inv);
		if (!err)
			err = ua_msg_uri(inv, true, &c->to_uri);
		osip_message_free(inv);
		if (err) {
			free(uri);
			return err;
		}
	}
	/* the subscription lives at the gateway the call is leaving */
	if (idx != c->gw)
		ua_sub_retire(ua, c);
	free(c->target);
	free(c->auth);
	c->target = uri;
	c->auth = NULL;
	c->auth_retried = false;
	c->gw = idx;
	c->tp = ua_call_transport(ua, c);
	c->cseq++;
	c->redirects++;
	c->got_1xx = false;
	ua->st.redirects++;
	ua->st.retries++;
	set_state(ua, c, PINT_UA_CALLING);
	err = ua_call_send_invite(ua, c, &net);
	if (net) {
		no_answer(ua, c);
		return 0;
	}
	if (!err)
		emit_moved(ua, c, resp, "redirected to", c->target);
	return err;
}

/* Answer a 401/407 once (same Call-ID, CSeq + 1). EPROTO: cannot. */
static int challenge(struct pint_ua *ua, struct ua_call *c,
		     const osip_message_t *resp)
{
	osip_message_t *inv = NULL;
	char *uri = NULL, *auth = NULL;
	bool proxy = false, net;
	int err;

	if (c->cseq >= PINT_REQ_MAX_CSEQ)
		return EPROTO;
	err = ua_call_invite_msg(ua, c, c->branch, &inv);
	if (!err)
		err = ua_msg_uri(inv, false, &uri);
	osip_message_free(inv);
	if (!err)
		err = ua_digest(ua, c->gw, resp, "INVITE", uri,
				c->body ? c->body : c->sdp,
				c->body ? c->body_len : c->sdp_len, &auth,
				&proxy);
	free(uri);
	if (err)
		return err;
	free(c->auth);
	c->auth = auth;
	c->auth_proxy = proxy;
	c->auth_retried = true;
	c->cseq++;
	c->got_1xx = false;
	ua->st.auth_retries++;
	ua->st.retries++;
	set_state(ua, c, PINT_UA_CALLING);
	err = ua_call_send_invite(ua, c, &net);
	if (net) {
		no_answer(ua, c);
		return 0;
	}
	return err;
}

/* After our CANCEL every non-2xx final means what the 487 would. */
static void canceled_final(struct pint_status_ev *ev, uint8_t cause)
{
	ev->act = PINT_STATUS_ACT_NONE;
	ev->by = PINT_STATUS_BY_PINTGW;
	if (cause == PINT_STATUS_CANCEL_USER) {
		ev->status = PINT_STATUS_CANCELED;
		ev->outcome = PINT_OUTCOME_CANCELED;
	} else {
		ev->status = PINT_STATUS_FAILED;
		ev->outcome = PINT_OUTCOME_NO_ANSWER;
	}
}

static void got_final(struct pint_ua *ua, struct ua_call *c,
		      const osip_message_t *resp)
{
	struct pint_status_ctx ctx;
	struct pint_status_ev ev;
	bool rested = false;
	int err = 0;

	c->answered = true;
	if (c->state == PINT_UA_DONE)
		return;         /* the transaction ACKs it */
	memset(&ctx, 0, sizeof(ctx));
	ctx.cancel = (enum pint_status_cancel)c->cancel;
	ctx.current = (enum pint_status)c->status;
	ctx.auth_retried = c->auth_retried;
	ctx.redirects_left = ua->max_redirects > c->redirects ?
			     ua->max_redirects - c->redirects : 0;
	if (resp->status_code == 503)
		ctx.next_gateway = c->cancel == PINT_STATUS_CANCEL_NONE &&
				   can_failover(ua, c);
	for (;;) {
		if (pint_status_invite_resp(&ev, resp, &ctx)) {
			emit_internal(ua, c, EINVAL);
			return;
		}
		if (resp->status_code == 503 && !rested) {
			rested = true;
			pint_gwset_overloaded(ua->gws, c->gw, ev.retry_after,
					      ev.retry_after > 0, ua->now);
		}
		if (c->cancel != PINT_STATUS_CANCEL_NONE) {
			canceled_final(&ev, c->cancel);
			break;
		}
		if (ev.act == PINT_STATUS_ACT_REDIRECT) {
			err = redirect(ua, c, resp);
			ctx.redirects_left = 0;
		} else if (ev.act == PINT_STATUS_ACT_CHALLENGE) {
			err = challenge(ua, c, resp);
			ctx.auth_retried = true;
		} else if (ev.act == PINT_STATUS_ACT_NEXT_GATEWAY) {
			err = failover(ua, c, resp);
			ctx.next_gateway = false;
			if (err == ENOENT)
				err = EPROTO;
		} else {
			break;
		}
		if (!err)
			return;
		if (err != EPROTO) {
			emit_internal(ua, c, err);
			return;
		}
	}
	ua_call_emit(ua, c, &ev);
}

/* Our BYE got nowhere: the service is taken to go on. */
static void bye_lost(struct pint_ua *ua, struct ua_call *c, const char *why)
{
	struct pint_status_ev ev;

	if (c->state != PINT_UA_BYEING)
		return;
	set_state(ua, c, PINT_UA_ACCEPTED);
	ev_pintgw(&ev, c->status < PINT_STATUS_ACCEPTED ? PINT_STATUS_ACCEPTED :
		  PINT_STATUS_NONE, PINT_OUTCOME_NONE, why);
	ua_call_emit(ua, c, &ev);
}

static void bye_final(struct pint_ua *ua, struct ua_call *c,
		      const osip_message_t *resp)
{
	struct pint_status_ev ev;

	if (c->state != PINT_UA_BYEING)
		return;
	if (pint_status_bye_resp(&ev, resp))
		return;
	if (!pint_status_is_terminal(ev.status)) {
		/* the service goes on (606: cannot be aborted) */
		set_state(ua, c, PINT_UA_ACCEPTED);
		if (c->status < PINT_STATUS_ACCEPTED)
			ev.status = PINT_STATUS_ACCEPTED;
		subscribe(ua, c, resp);
	}
	ua_call_emit(ua, c, &ev);
}

/* A response on one of the call's transactions (role tells which). */
void ua_call_resp(struct pint_ua *ua, struct ua_call *c, uint8_t role,
		  osip_message_t *resp)
{
	int code = resp->status_code;

	if (role == UA_K_INVITE) {
		/* any answer shows the gateway is there (pint/gwset.h) */
		pint_gwset_keepalive(ua->gws, c->gw, true, ua->now);
		if (code < 200)
			got_1xx(ua, c, resp);
		else if (code < 300)
			got_2xx(ua, c, resp);
		else
			got_final(ua, c, resp);
	} else if (role == UA_K_BYE && code >= 200) {
		c->bye_tsx = 0;
		bye_final(ua, c, resp);
	} else if (role == UA_K_CANCEL && code >= 200) {
		c->cxl_tsx = 0;
	}
}

/* A transaction of the call failed: ETIMEDOUT or a transport error. */
void ua_call_fail(struct pint_ua *ua, struct ua_call *c, uint8_t role)
{
	if (role == UA_K_INVITE) {
		c->inv_tsx = 0;
		if (pending(c) && !c->answered) {
			c->answered = true;
			no_answer(ua, c);
		}
	} else if (role == UA_K_BYE) {
		c->bye_tsx = 0;
		bye_lost(ua, c, "no answer to BYE");
	} else {
		c->cxl_tsx = 0;
	}
}

/* A 2xx whose INVITE transaction has gone: ACK it again. */
void ua_call_stray(struct pint_ua *ua, struct ua_call *c,
		   const osip_message_t *resp)
{
	if (c->dlg && same_dialog(c, resp))
		ua_call_send_ack(ua, c);
}

/* BYE from the gateway, already answered 200. */
void ua_call_gateway_bye(struct pint_ua *ua, struct ua_call *c,
			 const osip_message_t *req)
{
	struct pint_status_ev ev;

	if (c->state == PINT_UA_DONE || pint_status_gateway_bye(&ev, req))
		return;
	ua_call_emit(ua, c, &ev);
}

void ua_call_timer(struct pint_ua *ua, struct ua_call *c)
{
	struct pint_status_ctx ctx;
	struct pint_status_ev ev;

	switch (c->state) {
	case PINT_UA_PROCEEDING:
		/* ring timeout: give the attempt up */
		c->cancel = PINT_STATUS_CANCEL_TIMEOUT;
		if (ua_call_send_cancel(ua, c)) {
			ua_arm(ua, &c->tm, ua->now + UA_RETRY_MS);
			return;
		}
		set_state(ua, c, PINT_UA_CANCELING);
		break;
	case PINT_UA_CANCELING:
		/* RFC 3261 §9.1: no final answer 64*T1 after CANCEL */
		ua_tsx_detach(ua, &c->inv_tsx, true);
		c->answered = true;
		memset(&ctx, 0, sizeof(ctx));
		ctx.cancel = (enum pint_status_cancel)c->cancel;
		pint_status_no_response(&ev, &ctx);
		ua_call_emit(ua, c, &ev);
		break;
	case PINT_UA_ACCEPTED:
		/* max duration: untracked, nothing else will ever end it */
		ev_pintgw(&ev, PINT_STATUS_COMPLETED, PINT_OUTCOME_OK, NULL);
		pint_status_text_copy(ev.info, sizeof(ev.info), UNTRACKED_END,
				      sizeof(UNTRACKED_END) - 1);
		ua_call_emit(ua, c, &ev);
		break;
	case PINT_UA_DONE:
		ua_call_discard(ua, c);
		break;
	default:
		break;
	}
}

/* ---- the API's calls --------------------------------------------------- */

/*
 * Cancel (API.md DELETE): see pint_ua_call_cancel.
 */
int ua_call_cancel(struct pint_ua *ua, struct ua_call *c)
{
	bool net = false;
	int err;

	switch (c->state) {
	case PINT_UA_CALLING:
		/* RFC 3261 §9.1: no CANCEL before a provisional response */
		c->cancel = PINT_STATUS_CANCEL_USER;
		c->cancel_owed = true;
		set_state(ua, c, PINT_UA_CANCELING);
		return 0;
	case PINT_UA_PROCEEDING:
		err = ua_call_send_cancel(ua, c);
		if (err)
			return err;
		c->cancel = PINT_STATUS_CANCEL_USER;
		set_state(ua, c, PINT_UA_CANCELING);
		return 0;
	case PINT_UA_CANCELING:
		c->cancel = PINT_STATUS_CANCEL_USER;
		return 0;
	case PINT_UA_ACCEPTED:
		if (!c->dlg)
			return EPROTO;
		err = ua_call_send_bye(ua, c, &net);
		if (err && !net)
			return err;
		set_state(ua, c, PINT_UA_BYEING);
		if (net)
			bye_lost(ua, c, "BYE could not be sent");
		return 0;
	case PINT_UA_BYEING:
		return 0;
	default:
		return EALREADY;
	}
}

/*
 * The first attempt of pint_ua_call_start: an error means nothing was
 * sent and nothing reported (the caller discards c).
 */
int ua_call_first(struct pint_ua *ua, struct ua_call *c,
		  const struct pint_ua_call_params *p)
{
	struct pint_status_ev ev;
	size_t idx;
	bool net = false;
	int err;

	err = ua_call_prepare(ua, c, p);
	if (err)
		return err;
	ua->st.calls_started++;
	if (!pick(ua, c, 0, &idx)) {
		ev_pintgw(&ev, PINT_STATUS_FAILED, PINT_OUTCOME_UNREACHABLE,
			  "no gateway available");
		ua_call_emit(ua, c, &ev);
		return 0;
	}
	c->gw = idx;
	c->tp = ua_call_transport(ua, c);
	err = ua_call_dlg_insert(ua, c);
	if (!err)
		err = ua_call_send_invite(ua, c, &net);
	if (err && !net)
		return err;
	ev_pintgw(&ev, PINT_STATUS_SENDING, PINT_OUTCOME_NONE, NULL);
	ua_call_emit(ua, c, &ev);
	if (net)
		no_answer(ua, c);
	return 0;
}

