/*
 * gateway/sim/sim_invite.c — the INVITE taken in (credentials, service,
 * the RFC 2848 checks of sim_check.c, a new session that takes over an
 * ended one with the same o= line) and what the peer does to a session:
 * CANCEL, the ACK for our 2xx, BYE (RFC 2848 §3.5.8: 200, or 606 when
 * the service cannot be aborted), a re-INVITE.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/log.h"
#include "gateway/sim/sim_int.h"
#include "pint/tel.h"

#define NO_ABORT_TEXT "Fax in progress, service cannot be aborted"

/* ---- a new session ------------------------------------------------------- */

static int callid_of(const osip_message_t *req, char **dstp)
{
	const osip_call_id_t *ci = req->call_id;
	size_t a, h, n;
	char *s;

	if (!ci || !ci->number)
		return EBADMSG;
	a = strlen(ci->number);
	h = ci->host ? strlen(ci->host) : 0;
	n = a + (ci->host ? h + 1 : 0);
	if (n > PINT_SIP_MAX_CALLID)
		return EMSGSIZE;
	s = malloc(n + 1);
	if (!s)
		return ENOMEM;
	memcpy(s, ci->number, a);
	if (ci->host) {
		s[a] = '@';
		memcpy(s + a + 1, ci->host, h);
	}
	s[n] = '\0';
	*dstp = s;
	return 0;
}

/* The From tag of req, "" when it has none (RFC 2543 peers). */
static int tag_of(const osip_message_t *req, bool to, char **dstp)
{
	struct pint_pl tag = PINT_PL("");

	if (to)
		(void)pint_sip_to_tag(req, &tag);
	else
		(void)pint_sip_from_tag(req, &tag);
	return pint_pl_strdup(dstp, &tag);
}

static int call_fill(struct gw_sim *sim, struct sim_call *c,
		     const osip_message_t *req, const char *service,
		     const struct sim_verdict *v)
{
	int err = 0;

	if (sim->cur_raw) {
		c->inv = malloc(sim->cur_len);
		if (!c->inv)
			return ENOMEM;
		memcpy(c->inv, sim->cur_raw, sim->cur_len);
		c->inv_len = sim->cur_len;
	} else {
		err = pint_sip_to_str(req, &c->inv, &c->inv_len);
	}
	if (!err) {
		/* every later answer is built from these bytes: they must
		 * parse the way pint/sip parses (EBADMSG: 400 now) */
		osip_message_t *m = NULL;

		err = pint_sip_parse(&m, c->inv, c->inv_len, NULL);
		osip_message_free(m);
		if (err && err != ENOMEM)
			err = EBADMSG;
	}
	if (!err) {
		c->sdp = malloc(v->sdp.l);
		err = c->sdp ? 0 : ENOMEM;
	}
	if (!err) {
		memcpy(c->sdp, v->sdp.p, v->sdp.l);
		c->sdp_len = v->sdp.l;
		err = sim_dupstr(&c->service, service);
	}
	if (!err)
		err = callid_of(req, &c->call_id);
	if (!err)
		err = tag_of(req, false, &c->remote_tag);
	if (!err)
		err = sim_token(c->local_tag);
	if (!err)
		err = pint_req_uri_str(&c->from_uri, req->from->url);
	if (!err)
		err = pint_req_uri_str(&c->to_uri, req->to->url);
	if (!err)
		err = pint_dialog_uas_alloc(&c->dlg, req, c->local_tag, 1);
	return err;
}

static struct sim_call *call_new(struct gw_sim *sim, const char *okey)
{
	struct sim_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->k_ist = SIM_K_IST;
	c->k_bye = SIM_K_BYE;
	c->sim = sim;
	c->id = ++sim->next_id;
	c->created = sim_now(sim);
	sim_list_init(&c->subs);
	if (sim_dupstr(&c->okey, okey)) {
		free(c);
		return NULL;
	}
	return c;
}

/* Index c, taking the place of an ended session with the same keys. */
static int call_index(struct gw_sim *sim, struct sim_call *c)
{
	struct sim_call *old = sim_call_by_cid(sim, c->call_id, c->remote_tag);
	int err;

	if (old) {
		pint_hash_remove(&sim->by_cid, &old->by_cid);
		old->in_cid = false;
	}
	err = pint_hash_insert(&sim->by_cid, &c->by_cid,
			       sim_key_hash(sim, c->call_id, c->remote_tag));
	if (err)
		return err;
	c->in_cid = true;
	old = sim_call_by_origin(sim, c->okey);
	if (old) {
		pint_hash_remove(&sim->by_origin, &old->by_origin);
		old->in_origin = false;
		/* the same service session asked for again (after a 3xx,
		 * say): its watchers now watch this attempt */
		sim_sub_inherit(sim, old, c);
	}
	err = pint_hash_insert(&sim->by_origin, &c->by_origin,
			       sim_key_hash(sim, c->okey, NULL));
	if (!err)
		c->in_origin = true;
	return err;
}

static void refuse_verdict(struct gw_sim *sim, struct pint_tsx *tsx,
			   const osip_message_t *req,
			   const struct sim_verdict *v)
{
	char tag[SIM_TOKEN_SIZE];
	struct sim_resp r;

	memset(&r, 0, sizeof(r));
	r.code = v->code;
	r.reason = v->reason;
	r.expires = -1;
	r.warn_code = v->warn_code;
	r.warn_text = v->warn_text;
	if (v->unsupported[0]) {
		r.hname[r.nh] = "Unsupported";
		r.hvalue[r.nh++] = v->unsupported;
	}
	if (v->accept) {
		r.hname[r.nh] = "Accept";
		r.hvalue[r.nh++] = "application/sdp, multipart/related";
	}
	if (!sim_token(tag))
		r.to_tag = tag;
	sim->st.refused++;
	log_info("sim: INVITE refused: %d %s", v->code, v->warn_text);
	(void)sim_reply(sim, tsx, req, &r);
}

/*
 * A new INVITE (no To tag): credentials, service, the RFC 2848 checks,
 * then a session that plays the outcome of its number.
 */
void sim_call_invite(struct gw_sim *sim, struct pint_tsx *tsx,
		     osip_message_t *req, const struct pint_tsx_peer *src)
{
	struct sim_verdict v;
	struct pint_sdp sdp;
	struct sim_call *c = NULL, *old;
	const char *service;
	char *okey = NULL, masked[SIM_DIGITS_SIZE];
	bool alt;
	int err;

	pint_sdp_init(&sdp);
	sim->st.invites++;
	if (!sim_auth_ok(sim, tsx, req))
		return;
	service = sim_service_of(sim, req->req_uri ? req->req_uri->username :
				 NULL, &alt);
	if (!service) {
		memset(&v, 0, sizeof(v));
		v.code = 404;
		v.reason = "Service Not Found";
		refuse_verdict(sim, tsx, req, &v);
		return;
	}
	sim_check_invite(sim, service, req, &v);
	if (!v.code && (pint_sdp_decode(&sdp, v.sdp.p, v.sdp.l) ||
			sim_origin_key(&sdp, &okey))) {
		(void)sim_reply_code(sim, tsx, req, 500);
		return;
	}
	old = okey ? sim_call_by_origin(sim, okey) : NULL;
	if (!v.code && old && old->state != SIM_CALL_ENDED) {
		v.code = 606;
		v.warn_code = 399;
		snprintf(v.warn_text, sizeof(v.warn_text),
			 "service session already in progress");
	}
	if (v.code) {
		refuse_verdict(sim, tsx, req, &v);
		free(okey);
		return;
	}
	c = call_new(sim, okey);
	free(okey);
	err = c ? call_fill(sim, c, req, service, &v) : ENOMEM;
	if (!err)
		err = call_index(sim, c);
	if (err) {
		log_warn("sim: INVITE refused: %s", strerror(err));
		if (c)
			sim_call_free(sim, c);
		(void)sim_reply_code(sim, tsx, req, err == EBADMSG ? 400 : 500);
		return;
	}
	sim_list_add(&sim->calls, &c->link);
	sim_peer_of(src, &c->src);
	c->ist = pint_tsx_id(tsx);
	pint_tsx_set_ctx(tsx, &c->k_ist);
	c->outcome = (uint8_t)(sim->forced ? sim->force :
			       gw_sim_outcome_of(v.digits, strlen(v.digits)));
	if (c->outcome == GW_SIM_REDIRECT && alt)
		c->outcome = GW_SIM_ANSWER;
	snprintf(c->digits, sizeof(c->digits), "%s", v.digits);
	c->svc = (uint8_t)v.svc;
	c->pages = c->svc == SIM_SVC_FAX ? GW_SIM_PAGES : 0;
	c->start_ntp = v.start_ntp;
	c->stop_ntp = sdp.stop;
	if (v.start_ntp > sim_ntp_now() + 1) {
		c->scheduled = true;
		c->delay_ms = (v.start_ntp - sim_ntp_now()) * 1000u;
	}
	sim->st.sessions++;
	sim->st.sessions_live++;
	if (pint_tel_mask(c->digits, masked, sizeof(masked)))
		snprintf(masked, sizeof(masked), "?");
	log_info("sim: session %" PRIu64 " %s to %s: %s%s", c->id, service,
		 masked, gw_sim_outcome_name(c->outcome),
		 c->scheduled ? " (scheduled)" : "");
	if (c->outcome == GW_SIM_OVERLOAD || c->outcome == GW_SIM_REDIRECT) {
		const char *reason;
		int code = sim_final_code((enum gw_sim_outcome)c->outcome,
					  &reason);

		sim_call_refuse(sim, c, code, reason);
		return;
	}
	if (c->outcome == GW_SIM_BLACK_HOLE) {
		/* only when the prefilter could not see it: say nothing more */
		pint_tsx_set_ctx(tsx, NULL);
		c->ist = 0;
		sim_call_end(sim, c, SIM_END_ERROR);
		return;
	}
	sim_call_start(sim, c);
}

/* An INVITE inside a dialog: no re-INVITEs here. */
void sim_call_reinvite(struct gw_sim *sim, struct pint_tsx *tsx,
		       osip_message_t *req)
{
	struct sim_resp r;
	char *cid = NULL, *tag = NULL;
	struct sim_call *c = NULL;

	if (!callid_of(req, &cid) && !tag_of(req, false, &tag))
		c = sim_call_by_cid(sim, cid, tag);
	free(cid);
	free(tag);
	if (!c || !c->dlg || !pint_dialog_match(c->dlg, req)) {
		(void)sim_reply_code(sim, tsx, req, 481);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.code = 488;
	r.expires = -1;
	r.warn_code = 399;
	r.warn_text = "re-INVITE not supported";
	(void)sim_reply(sim, tsx, req, &r);
}

/* ---- what the peer does -------------------------------------------------- */

/* CANCEL before our final answer (the layer has answered it 200). */
void sim_call_cancel(struct gw_sim *sim, struct sim_call *c)
{
	struct sim_resp r;

	if (c->answered || c->state == SIM_CALL_ENDED)
		return;
	memset(&r, 0, sizeof(r));
	r.code = 487;
	r.expires = -1;
	(void)sim_call_respond(sim, c, &r);
	c->code = 487;
	sim->st.canceled++;
	sim_call_end(sim, c, SIM_END_CANCELED);
}

/* The INVITE transaction failed: no ACK for our 2xx, or a send error. */
void sim_call_ist_failed(struct gw_sim *sim, struct sim_call *c, int err)
{
	c->ist = 0;
	if (c->state == SIM_CALL_ENDED)
		return;
	if (c->answered && c->code < 300 && err == ETIMEDOUT && !c->acked) {
		/* RFC 3261 §13.3.1.4: confirm the end with BYE */
		log_info("sim: session %" PRIu64 ": no ACK", c->id);
		sim_call_end(sim, c, SIM_END_TIMEOUT);
		sim_call_send_bye(sim, c);
		return;
	}
	if (!c->answered)
		sim_call_end(sim, c, SIM_END_ERROR);
}

static struct sim_call *call_of(struct gw_sim *sim, const osip_message_t *req)
{
	char *cid = NULL, *tag = NULL;
	struct sim_call *c = NULL;

	if (!callid_of(req, &cid) && !tag_of(req, false, &tag))
		c = sim_call_by_cid(sim, cid, tag);
	free(cid);
	free(tag);
	return c;
}

/* The ACK for our 2xx (the layer has matched and absorbed it). */
void sim_call_ack(struct gw_sim *sim, const osip_message_t *ack)
{
	struct sim_call *c = call_of(sim, ack);

	if (c && c->dlg && pint_dialog_match(c->dlg, ack))
		c->acked = true;
}

/*
 * BYE from the peer: the requestor cancels an accepted service (RFC 2848
 * §3.5.8). 200 with the final SDP and Expires (retention), or for the
 * 0606 outcome 606 + Warning 399 + the current SDP: the service goes on.
 * In an early dialog it cancels the INVITE.
 */
void sim_call_bye(struct gw_sim *sim, struct pint_tsx *tsx,
		  osip_message_t *req)
{
	struct sim_call *c = call_of(sim, req);
	struct pint_mbuf mb;
	struct sim_resp r;
	int err;

	if (!c || !c->dlg || c->state == SIM_CALL_ENDED) {
		(void)sim_reply_code(sim, tsx, req, 481);
		return;
	}
	switch (pint_dialog_recv(c->dlg, req)) {
	case 0:
		break;
	case ENOENT:
		(void)sim_reply_code(sim, tsx, req, 481);
		return;
	case EPROTO:
		(void)sim_reply_code(sim, tsx, req, 500);
		return;
	default:
		(void)sim_reply_code(sim, tsx, req, 400);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.expires = -1;
	if (c->state == SIM_CALL_DIALING || c->state == SIM_CALL_RINGING) {
		r.code = 200;
		(void)sim_reply(sim, tsx, req, &r);
		sim_call_cancel(sim, c);
		return;
	}
	if (c->outcome == GW_SIM_NO_ABORT) {
		r.code = 606;
		r.warn_code = 399;
		r.warn_text = NO_ABORT_TEXT;
		sim->st.no_abort++;
	} else {
		r.code = 200;
		r.expires = sim->retention;
		c->stop_ntp = sim_ntp_now();
		if (!c->start_ntp)
			c->start_ntp = c->stop_ntp;
		snprintf(c->info, sizeof(c->info), "aborted by requestor");
	}
	pint_mbuf_init(&mb, PINT_SDP_MAX_BODY);
	err = sim_call_sdp(c, &mb);
	if (!err) {
		r.body = mb.buf;
		r.body_len = mb.len;
	}
	(void)sim_reply(sim, tsx, req, &r);
	pint_mbuf_reset(&mb);
	if (r.code == 200) {
		sim->st.aborted++;
		sim_call_end(sim, c, SIM_END_ABORTED);
	}
}
