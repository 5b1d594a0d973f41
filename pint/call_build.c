/*
 * pint/call_build.c — what one service call is made of and what it sends:
 * its creation from the service request (identities, encoded SDP and
 * body), the INVITE rebuilt on demand (never kept as a message) and the
 * dialog of its 2xx, CANCEL, the 2xx ACK (made once, kept as bytes and
 * sent again as is), BYE, and its release. The decisions are in
 * pint/call.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "pint/sip.h"
#include "pint/ua_int.h"

static int dup_str(char **dstp, const char *s)
{
	size_t n = strlen(s);

	*dstp = malloc(n + 1);
	if (!*dstp)
		return ENOMEM;
	memcpy(*dstp, s, n + 1);
	return 0;
}

/* Inline content goes over TCP (RFC 2848 §3.5.1); else the gateway's. */
uint8_t ua_call_transport(const struct pint_ua *ua, const struct ua_call *c)
{
	struct pint_tsx_peer peer;

	if (ua_peer(ua, c->gw, -1, &peer))
		return PINT_TSX_UDP;
	return c->ctype ? PINT_TSX_TCP : (uint8_t)peer.transport;
}

static int redirect_msg(struct pint_ua *ua, struct ua_call *c,
			const struct pint_req_local *loc,
			const struct pint_req_ids *ids,
			const struct pint_req_tx *tx, osip_message_t **mp)
{
	struct pint_req_base b;
	osip_message_t *m = NULL;
	char from[PINT_REQ_MAX_URI];
	int n, err;

	(void)ua;
	n = snprintf(from, sizeof(from), "sip:%s@%s", loc->user,
		     loc->domain ? loc->domain : loc->host);
	if (n < 0 || (size_t)n >= sizeof(from))
		return EMSGSIZE;
	memset(&b, 0, sizeof(b));
	b.method = "INVITE";
	b.ruri = c->target;
	b.from_display = loc->display;
	b.from_uri = from;
	b.from_tag = ids->from_tag;
	b.to_uri = c->to_uri;
	b.call_id = ids->call_id;
	b.cseq = ids->cseq;
	err = pint_req_build(&m, loc, tx, &b);
	if (err)
		return err;
	err = pint_req_add_contact(m, loc, -1);
	if (!err && c->require_sdp)
		err = pint_req_add_header(m, "Require", "org.ietf.sdp.require");
	if (!err)
		err = pint_req_add_body(m, c->ctype, c->body ? c->body : c->sdp,
					c->body ? c->body_len : c->sdp_len);
	if (err) {
		osip_message_free(m);
		return err;
	}
	*mp = m;
	return 0;
}

/*
 * The current INVITE with branch: rebuilt whenever needed (CANCEL, the
 * dialog, a retry) from what the call keeps, never stored as a message.
 */
int ua_call_invite_msg(struct pint_ua *ua, struct ua_call *c,
		      const char *branch, osip_message_t **mp)
{
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, c->gw);
	const struct pint_req_local *loc = ua_loc(ua, c->tp);
	struct pint_req_ids ids = { c->call_id, c->tag, c->cseq };
	struct pint_req_tx tx = { branch, NULL, NULL };
	struct pint_svc_def def;
	struct pint_svc_req req;
	struct pint_svc_body body;

	if (!gc)
		return ENOENT;
	if (c->auth_proxy)
		tx.proxy_authorization = c->auth;
	else
		tx.authorization = c->auth;
	if (c->target)
		return redirect_msg(ua, c, loc, &ids, &tx, mp);
	memset(&def, 0, sizeof(def));
	memset(&req, 0, sizeof(req));
	memset(&body, 0, sizeof(body));
	def.name = c->service;
	def.a_party = c->a_party != NULL;
	req.def = &def;
	req.from = c->a_party;
	body.body = c->body ? c->body : c->sdp;
	body.body_len = c->body ? c->body_len : c->sdp_len;
	body.multipart = c->ctype != NULL;
	if (c->ctype)
		snprintf(body.ctype, sizeof(body.ctype), "%s", c->ctype);
	body.require_sdp = c->require_sdp;
	return pint_svc_invite(mp, &req, &body, loc, &ids, &tx, gc->domain,
			       gc->tsp);
}

/*
 * Send the INVITE for the call's current identity with a new branch (a
 * resumed call's first one keeps the branch it had before the restart).
 * *netp tells a transport error (try elsewhere) from any other.
 */
int ua_call_send_invite(struct pint_ua *ua, struct ua_call *c, bool *netp)
{
	struct pint_tsx_peer peer;
	osip_message_t *m = NULL;
	int err = 0;

	*netp = false;
	if (!c->keep_branch)
		err = ua_branch(ua, c->branch);
	c->keep_branch = false;
	if (!err)
		err = ua_peer(ua, c->gw, c->tp, &peer);
	if (!err)
		err = ua_call_invite_msg(ua, c, c->branch, &m);
	if (!err)
		err = ua_send_tsx(ua, m, &peer, &c->kind, &c->inv_tsx, netp);
	osip_message_free(m);
	if (!err || *netp) {
		/* lost on the wire, the attempt is over as if unanswered */
		c->answered = *netp;
		c->cancel_sent = false;
		c->sent = true;
		pint_gwset_sent(ua->gws, c->gw);
		ua->st.invites_sent++;
	}
	return err;
}

int ua_call_send_cancel(struct pint_ua *ua, struct ua_call *c)
{
	struct pint_tsx_peer peer;
	osip_message_t *inv = NULL, *m = NULL;
	bool net = false;
	int err;

	err = ua_peer(ua, c->gw, c->tp, &peer);
	if (!err)
		err = ua_call_invite_msg(ua, c, c->branch, &inv);
	if (!err)
		err = pint_req_cancel(&m, inv);
	if (!err)
		err = ua_send_tsx(ua, m, &peer, &c->k_cancel, &c->cxl_tsx,
				  &net);
	osip_message_free(inv);
	osip_message_free(m);
	if (!err || net) {
		/* lost on the wire, the INVITE is given up after 64*T1 */
		c->cancel_owed = false;
		c->cancel_sent = true;
		ua->st.cancels_sent++;
		return 0;
	}
	return err;
}

/* The ACK for the 2xx, made once (RFC 3261 §13.2.2.4: every copy of
 * the 2xx gets the same ACK). */
static int make_ack(struct pint_ua *ua, struct ua_call *c)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	char branch[UA_BRANCH_SIZE];
	osip_message_t *m = NULL;
	int err;

	if (c->auth_proxy)
		tx.proxy_authorization = c->auth;
	else
		tx.authorization = c->auth;
	tx.branch = branch;
	err = ua_branch(ua, branch);
	if (!err)
		err = pint_dialog_ack_2xx(&m, c->dlg, ua_loc(ua, c->tp), &tx,
					  c->cseq);
	if (!err)
		err = ua_serialize(ua, m, &c->ack, &c->ack_len);
	osip_message_free(m);
	return err;
}

/* ACK the 2xx; a copy of it gets the bytes of the first ACK again. */
void ua_call_send_ack(struct pint_ua *ua, struct ua_call *c)
{
	struct pint_tsx_peer peer;

	/* a lost ACK (or one not made) goes with the 2xx retransmission */
	if (ua_peer(ua, c->gw, c->tp, &peer) || (!c->ack && make_ack(ua, c)))
		return;
	(void)ua->h.send(c->ack, c->ack_len, &peer, ua->h.arg);
}

/* The dialog from the 2xx and the INVITE it answers (rebuilt). */
int ua_call_make_dialog(struct pint_ua *ua, struct ua_call *c,
			const osip_message_t *resp)
{
	osip_message_t *inv = NULL;
	int err;

	err = ua_call_invite_msg(ua, c, c->branch, &inv);
	if (!err)
		err = pint_dialog_uac_alloc(&c->dlg, inv, resp);
	osip_message_free(inv);
	return err;
}

/* After the 2xx no INVITE is built again: keep the SDP only. */
void ua_call_drop_invite(struct ua_call *c)
{
	free(c->body);
	free(c->ctype);
	free(c->target);
	free(c->to_uri);
	free(c->service);
	free(c->a_party);
	c->body = c->ctype = c->target = c->to_uri = c->service = NULL;
	c->a_party = NULL;
	c->body_len = 0;
}

/* BYE in the INVITE dialog; *netp for a transport error. */
int ua_call_send_bye(struct pint_ua *ua, struct ua_call *c, bool *netp)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	char branch[UA_BRANCH_SIZE];
	struct pint_tsx_peer peer;
	osip_message_t *m = NULL;
	int err;

	*netp = false;
	tx.branch = branch;
	err = ua_branch(ua, branch);
	if (!err)
		err = ua_peer(ua, c->gw, c->tp, &peer);
	if (!err)
		err = pint_dialog_bye(&m, c->dlg, ua_loc(ua, c->tp), &tx);
	if (!err)
		err = ua_send_tsx(ua, m, &peer, &c->k_bye, &c->bye_tsx, netp);
	osip_message_free(m);
	if (!err)
		ua->st.byes_sent++;
	return err;
}

/* A new call in the tables, status queued, nothing sent. */
int ua_call_new(struct pint_ua *ua, uint64_t ref, struct ua_call **cp)
{
	struct ua_call *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	c->kind = UA_K_INVITE;
	c->k_cancel = UA_K_CANCEL;
	c->k_bye = UA_K_BYE;
	c->ref = ref;
	c->status = PINT_STATUS_QUEUED;
	pint_timer_init(&c->tm, UA_TM_CALL);
	/* one timer for the call, one for its subscription */
	err = ua_reserve_timers(ua, 2);
	if (err) {
		free(c);
		return err;
	}
	err = ua_ref_insert(ua, c);
	if (err) {
		ua->timers -= 2;
		free(c);
		return err;
	}
	ua->st.calls_live++;
	ua->st.calls_by_state[c->state]++;
	*cp = c;
	return 0;
}

/* A resumed branch: none, or the cookie and more, a token that fits. */
static bool branch_ok(const char *b)
{
	size_t n = sizeof(PINT_REQ_BRANCH_COOKIE) - 1;

	return !b || (strlen(b) > n && strlen(b) <= PINT_UA_ID_MAX &&
		      !strncmp(b, PINT_REQ_BRANCH_COOKIE, n) &&
		      !pint_req_check_token(b, PINT_REQ_MAX_TOKEN));
}

static int set_ids(struct pint_ua *ua, struct ua_call *c,
		   const struct pint_ua_resume *r)
{
	char sess[UA_SESS_SIZE];
	int err;

	if (!r) {
		c->cseq = 1;
		err = ua_token(ua, c->call_id);
		if (!err)
			err = ua_token(ua, c->tag);
		if (!err)
			err = ua_sess_id(ua, sess);
		if (!err)
			memcpy(c->sess_id, sess, sizeof(sess));
		return err;
	}
	if (!r->call_id || !r->from_tag || !r->sess_id ||
	    strlen(r->call_id) > PINT_UA_ID_MAX ||
	    strlen(r->from_tag) > PINT_UA_ID_MAX ||
	    strlen(r->sess_id) > PINT_UA_ID_MAX ||
	    pint_req_check_callid(r->call_id) ||
	    pint_req_check_token(r->from_tag, PINT_REQ_MAX_TOKEN) ||
	    r->cseq >= PINT_REQ_MAX_CSEQ || !branch_ok(r->branch))
		return EINVAL;
	if (r->branch) {
		snprintf(c->branch, sizeof(c->branch), "%s", r->branch);
		c->keep_branch = true;
	}
	snprintf(c->call_id, sizeof(c->call_id), "%s", r->call_id);
	snprintf(c->tag, sizeof(c->tag), "%s", r->from_tag);
	snprintf(c->sess_id, sizeof(c->sess_id), "%s", r->sess_id);
	c->cseq = r->cseq + 1;
	return 0;
}

/* The request's SDP and body, encoded once and kept by the call. */
static int encode(struct pint_ua *ua, struct ua_call *c,
		  const struct pint_svc_req *req)
{
	char boundary[UA_TOKEN_SIZE + 8];
	struct pint_svc_body b;
	struct pint_svc_wire w;
	int err;

	memcpy(boundary, "pint-", 5);
	err = ua_token(ua, boundary + 5);
	if (err)
		return err;
	memset(&w, 0, sizeof(w));
	w.sess_id = c->sess_id;
	w.origin_addr = ua->origin;
	w.origin_ipv6 = ua->origin_ipv6;
	w.cid_host = ua->cid_host;
	w.boundary = boundary;
	err = pint_svc_encode(&b, req, &w);
	if (err)
		return err;
	if (b.multipart)
		err = dup_str(&c->ctype, b.ctype);
	if (err) {
		pint_svc_body_reset(&b);
		return err;
	}
	c->sdp = b.sdp;
	c->sdp_len = b.sdp_len;
	c->require_sdp = b.require_sdp;
	if (b.multipart) {
		c->body = b.body;
		c->body_len = b.body_len;
	} else {
		free(b.body);
	}
	return 0;
}

static int keep_request(struct pint_ua *ua, struct ua_call *c,
			const struct pint_ua_call_params *p)
{
	const struct pint_svc_req *req = p->req;
	int err;

	err = dup_str(&c->service, req->def->name);
	if (!err && p->gateway)
		err = dup_str(&c->pref, p->gateway);
	if (!err && req->def->a_party) {
		if (!req->from)
			return EINVAL;
		c->a_party = malloc(sizeof(*c->a_party));
		if (!c->a_party)
			return ENOMEM;
		*c->a_party = *req->from;
	}
	c->ring_ms = p->ring_timeout_ms ? p->ring_timeout_ms : ua->ring_ms;
	c->track = p->track;
	return err;
}

/*
 * What the call keeps of p: the service and A party for rebuilding the
 * INVITE, its identities (new, or those of p->resume) and the encoded
 * SDP and body. On error the caller discards the call.
 */
int ua_call_prepare(struct pint_ua *ua, struct ua_call *c,
		    const struct pint_ua_call_params *p)
{
	int err = keep_request(ua, c, p);

	if (!err)
		err = set_ids(ua, c, p->resume);
	if (!err)
		err = encode(ua, c, p->req);
	return err;
}

/* The service name of an SDP (s=), for a Request-URI; EINVAL if unusable. */
static int sdp_service(const char *sdp, size_t len, char *buf, size_t size)
{
	const char *p = sdp, *end = sdp + len;
	size_t n;

	while (p + 2 <= end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;

		if (p[0] == 's' && p[1] == '=') {
			n = (size_t)(le - p - 2);
			if (n && p[2 + n - 1] == '\r')
				n--;
			if (!n || n >= size)
				return EINVAL;
			memcpy(buf, p + 2, n);
			buf[n] = '\0';
			return pint_req_check_token(buf, PINT_REQ_MAX_TOKEN);
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return EINVAL;
}

/* pint_ua_watch: an accepted service whose subscription alone we redo. */
int ua_call_watch(struct pint_ua *ua, struct ua_call *c, size_t gw,
		  const char *sdp, size_t sdp_len)
{
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, gw);
	struct pint_gwset_info info;
	char svc[PINT_REQ_MAX_TOKEN + 1], target[PINT_REQ_MAX_URI];
	int n;

	if (!gc || gw >= PINT_GWSET_MAX)
		return ENOENT;
	pint_gwset_info(ua->gws, gw, &info);
	if (info.status_mode == PINT_GWSET_STATUS_NONE)
		return EPROTO;
	if (sdp_service(sdp, sdp_len, svc, sizeof(svc)))
		n = snprintf(target, sizeof(target), "sip:%s", gc->domain);
	else
		n = snprintf(target, sizeof(target), "sip:%s@%s", svc,
			     gc->domain);
	if (n < 0 || (size_t)n >= sizeof(target))
		return EMSGSIZE;
	c->sdp = malloc(sdp_len + 1);
	if (!c->sdp)
		return ENOMEM;
	memcpy(c->sdp, sdp, sdp_len);
	c->sdp[sdp_len] = '\0';
	c->sdp_len = sdp_len;
	c->watch = true;
	c->track = true;
	c->gw = gw;
	c->tp = (uint8_t)gc->peer.transport;
	c->status = PINT_STATUS_ACCEPTED;
	ua->st.calls_by_state[c->state]--;
	c->state = PINT_UA_ACCEPTED;
	ua->st.calls_by_state[c->state]++;
	c->sent = true;
	return ua_sub_start(ua, c, (uint8_t)info.status_mode, target);
}

/* Out of the tables now, freed when the outermost entry point returns. */
void ua_call_discard(struct pint_ua *ua, struct ua_call *c)
{
	if (c->dead)
		return;
	c->dead = true;
	ua_ref_remove(ua, c);
	ua_call_dlg_remove(ua, c);
	ua_disarm(ua, &c->tm);
	if (c->sub)
		ua_sub_dlg_remove(ua, c->sub);
	c->next_dead = ua->dead;
	ua->dead = c;
}

/* Free c and everything it owns; its transactions lose their owner. */
void ua_call_free(struct pint_ua *ua, struct ua_call *c)
{
	struct pint_tsx *inv = c->inv_tsx ? pint_tsx_find(ua->tsx, c->inv_tsx) :
					    NULL;

	/* an INVITE still waiting for its final answer would wait forever */
	ua_tsx_detach(ua, &c->inv_tsx, inv && pint_tsx_state(inv) <
				       PINT_TSX_COMPLETED);
	ua_tsx_detach(ua, &c->cxl_tsx, false);
	ua_tsx_detach(ua, &c->bye_tsx, false);
	if (!c->dead) {
		ua_ref_remove(ua, c);
		ua_call_dlg_remove(ua, c);
	}
	ua_disarm(ua, &c->tm);
	if (c->sub)
		ua_sub_free(ua, c->sub);
	ua->timers -= 2;
	ua->st.calls_live--;
	ua->st.calls_by_state[c->state]--;
	pint_dialog_free(c->dlg);
	free(c->service);
	free(c->a_party);
	free(c->pref);
	free(c->target);
	free(c->to_uri);
	free(c->auth);
	free(c->sdp);
	free(c->body);
	free(c->ctype);
	free(c->ack);
	free(c);
}
