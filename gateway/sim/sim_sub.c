/*
 * gateway/sim/sim_sub.c — status subscriptions at the simulator, the
 * notifier's side of PINT-PROFILE "Status monitoring".
 *
 * PINT mode (RFC 2848 §3.5.3): a SUBSCRIBE without Event names the
 * service session by the o= line of its SDP (unknown: 606 + Warning 307);
 * 200 carries the current SDP and Expires; NOTIFYs carry the updated SDP
 * as the session progresses; when the granted time runs out the
 * simulator sends UNSUBSCRIBE with Expires = how long it still keeps the
 * session; the subscriber's UNSUBSCRIBE gets 200 with the same.
 * Dialog mode (RFC 6665 + RFC 4235): Event: dialog with call-id/from-tag,
 * an immediate NOTIFY and one per change, full-state dialog-info with a
 * growing version and Subscription-State; terminated when the dialog
 * ends, the subscription runs out or is ended with Expires: 0. An
 * Event-less SUBSCRIBE gets 489, UNSUBSCRIBE 501.
 *
 *   ACTIVE --expiry, session gone, dialog over--> ENDING --answer--> DONE
 *      `--------- subscriber's UNSUBSCRIBE / Expires: 0 -------------^
 *
 * One request at a time per subscription: a change while a NOTIFY is out
 * is sent (as full state) once it is answered.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/log.h"
#include "gateway/sim/sim_int.h"

#define DINFO_TYPE "application/dialog-info+xml"

/* ---- table --------------------------------------------------------------- */

static bool sub_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	const struct sim_sub *s = SIM_OF(n, struct sim_sub, by_dlg);
	const char *const *k = key;

	(void)arg;
	return sim_key_eq(s->dlg->call_id, s->local_tag, k[0], k[1]);
}

static struct sim_sub *sub_by_dlg(const struct gw_sim *sim,
				  const osip_message_t *req)
{
	const osip_call_id_t *ci = req->call_id;
	char cid[PINT_SIP_MAX_CALLID + 2], tag[PINT_SIP_MAX_TAG + 1];
	const char *k[2] = { cid, tag };
	struct pint_hash_node *n;
	struct pint_pl t;
	int w;

	if (!ci || !ci->number || pint_sip_to_tag(req, &t) ||
	    t.l >= sizeof(tag))
		return NULL;
	w = snprintf(cid, sizeof(cid), "%s%s%s", ci->number,
		     ci->host ? "@" : "", ci->host ? ci->host : "");
	if (w < 0 || (size_t)w >= sizeof(cid))
		return NULL;
	memcpy(tag, t.p, t.l);
	tag[t.l] = '\0';
	n = pint_hash_find(&sim->by_sub, sim_key_hash(sim, cid, tag), sub_eq,
			   k, NULL);
	return n ? SIM_OF(n, struct sim_sub, by_dlg) : NULL;
}

/* ---- lifetime ------------------------------------------------------------ */

/*
 * Over: out of the table and lists, timer off, its request detached,
 * freed by the reaper. Idempotent; sends nothing.
 */
void sim_sub_release(struct gw_sim *sim, struct sim_sub *s)
{
	if (s->state == SIM_SUB_DONE)
		return;
	s->state = SIM_SUB_DONE;
	gw_timer_stop(sim->loop, &s->tm);
	if (s->in_tab)
		pint_hash_remove(&sim->by_sub, &s->by_dlg);
	s->in_tab = false;
	sim_list_del(&s->link);
	sim_detach(sim, &s->tsx);
	s->call = NULL;
	sim->st.subs_live--;
	s->next_dead = sim->dead_subs;
	sim->dead_subs = s;
	sim_reap_later(sim);
}

/* The reaper's part: s is released already (out of every list). */
void sim_sub_free(struct gw_sim *sim, struct sim_sub *s)
{
	(void)sim;
	pint_dialog_free(s->dlg);
	free(s->snap);
	free(s);
}

static void expire_h(void *arg);

static struct sim_sub *sub_new(struct gw_sim *sim, const osip_message_t *req,
			       const struct pint_tsx_peer *src, bool dialog,
			       struct sim_call *c)
{
	struct sim_sub *s = calloc(1, sizeof(*s));
	struct sim_peer from;
	int err;

	if (!s)
		return NULL;
	s->kind = SIM_K_SUB;
	s->sim = sim;
	s->dialog = dialog;
	s->id = ++sim->next_id;
	err = sim_token(s->local_tag);
	if (!err)
		err = pint_dialog_uas_alloc(&s->dlg, req, s->local_tag, 1);
	if (!err)
		err = pint_hash_insert(&sim->by_sub, &s->by_dlg,
				       sim_key_hash(sim, s->dlg->call_id,
						    s->local_tag));
	if (err) {
		log_info("sim: subscription refused: %s", strerror(err));
		pint_dialog_free(s->dlg);
		free(s);
		return NULL;
	}
	s->in_tab = true;
	sim_peer_of(src, &from);
	sim_peer_target(s->dlg->remote_target, &from, &s->peer);
	s->call = c;
	sim_list_add(c ? &c->subs : &sim->orphans, &s->link);
	sim->st.subscribes++;
	sim->st.subs_live++;
	return s;
}

static void arm(struct gw_sim *sim, struct sim_sub *s, uint32_t secs)
{
	s->expires_at = sim_now(sim) + secs * 1000ull;
	(void)gw_timer_start(sim->loop, &s->tm, secs * 1000ull, expire_h, s);
}

/* ---- what is reported ---------------------------------------------------- */

/* An attempt that ended in a 3xx: the next attempt will be watched. */
static bool redirected(const struct sim_call *c)
{
	return c->state == SIM_CALL_ENDED && c->end == SIM_END_REJECTED &&
	       c->code >= 300 && c->code < 400;
}

/* The RFC 4235 state a session is in. */
static enum pint_dinfo_state dstate(const struct sim_call *c)
{
	switch (c->state) {
	case SIM_CALL_DIALING:
		return PINT_DINFO_TRYING;
	case SIM_CALL_RINGING:
		return PINT_DINFO_EARLY;
	case SIM_CALL_ACCEPTED:
	case SIM_CALL_CONNECTED:
		return PINT_DINFO_CONFIRMED;
	default:
		return PINT_DINFO_TERMINATED;
	}
}

static void dinfo_of(const struct gw_sim *sim, const struct sim_call *c,
		     struct sim_dinfo_dialog *d, char *id, size_t idsize)
{
	static const enum pint_dinfo_event events[] = {
		[SIM_END_NONE] = PINT_DINFO_EV_NONE,
		[SIM_END_DONE] = PINT_DINFO_EV_LOCAL_BYE,
		[SIM_END_REJECTED] = PINT_DINFO_EV_REJECTED,
		[SIM_END_CANCELED] = PINT_DINFO_EV_CANCELLED,
		[SIM_END_ABORTED] = PINT_DINFO_EV_REMOTE_BYE,
		[SIM_END_TIMEOUT] = PINT_DINFO_EV_TIMEOUT,
		[SIM_END_ERROR] = PINT_DINFO_EV_ERROR,
	};

	memset(d, 0, sizeof(*d));
	snprintf(id, idsize, "sim-%" PRIu64, c->id);
	d->id = id;
	d->call_id = c->call_id;
	d->local_tag = c->state == SIM_CALL_DIALING ? NULL : c->local_tag;
	d->remote_tag = c->remote_tag[0] ? c->remote_tag : NULL;
	d->duration = (uint32_t)((sim_now(sim) - c->created) / 1000u);
	d->local_uri = c->to_uri;
	d->remote_uri = c->from_uri;
	d->state = dstate(c);
	if (d->state == PINT_DINFO_TERMINATED) {
		d->event = c->end < sizeof(events) / sizeof(events[0]) ?
			   events[c->end] : PINT_DINFO_EV_ERROR;
		if (c->end == SIM_END_REJECTED)
			d->code = c->code;
	}
}

/*
 * The NOTIFY body: the session's SDP (PINT) or dialog-info (dialog):
 * full state, so a redirected first attempt is listed too, terminated,
 * next to the one that followed it (same Call-ID and From tag); alone it
 * is not listed (a document of terminated dialogs only reads as the end
 * of the request, and the next attempt is on its way).
 */
static int body_of(struct gw_sim *sim, struct sim_sub *s,
		   struct pint_mbuf *mb)
{
	struct sim_dinfo_dialog d[2];
	size_t n = 0;
	char id[32];

	if (!s->dialog)
		return s->call ? sim_call_sdp(s->call, mb) : EINVAL;
	if (s->call && s->prev.set) {
		dinfo_of(sim, s->call, &d[0], id, sizeof(id));
		d[0].id = s->prev.id;
		d[0].local_tag = s->prev.local_tag;
		d[0].state = PINT_DINFO_TERMINATED;
		d[0].event = PINT_DINFO_EV_REJECTED;
		d[0].code = s->prev.code;
		d[0].duration = s->prev.duration;
		n++;
	}
	if (s->call && !redirected(s->call)) {
		dinfo_of(sim, s->call, &d[n], id, sizeof(id));
		s->reported = (uint8_t)d[n].state;
		n++;
	}
	return sim_dinfo_encode(mb, s->version, s->dlg->local_uri, d, n);
}

/* Keep a copy of what was last reported (for UNSUBSCRIBE bodies). */
static void snapshot(struct sim_sub *s, const struct pint_mbuf *mb)
{
	char *copy;

	if (s->dialog || !mb->len)
		return;
	copy = malloc(mb->len);
	if (!copy)
		return;
	memcpy(copy, mb->buf, mb->len);
	free(s->snap);
	s->snap = copy;
	s->snap_len = mb->len;
}

static uint32_t left_s(const struct gw_sim *sim, const struct sim_sub *s)
{
	uint64_t now = sim_now(sim);

	return s->expires_at > now ?
	       (uint32_t)((s->expires_at - now + 999) / 1000u) : 0;
}

/* Send the current state (or note it is owed while a request is out). */
static void notify(struct gw_sim *sim, struct sim_sub *s)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	struct pint_req_notify n;
	char branch[SIM_BRANCH_SIZE], state[64];
	osip_message_t *m = NULL;
	struct pint_mbuf mb;
	int err;

	if (s->state != SIM_SUB_ACTIVE)
		return;
	if (s->tsx) {
		s->dirty = true;
		return;
	}
	s->dirty = false;
	pint_mbuf_init(&mb, PINT_REQ_MAX_BODY);
	err = body_of(sim, s, &mb);
	memset(&n, 0, sizeof(n));
	if (s->dialog) {
		n.event = "dialog";
		n.content_type = DINFO_TYPE;
		if (s->last && s->end_reason)
			snprintf(state, sizeof(state), "terminated;reason=%s",
				 s->end_reason);
		else if (s->last)
			snprintf(state, sizeof(state), "terminated");
		else
			snprintf(state, sizeof(state), "active;expires=%u",
				 (unsigned)left_s(sim, s));
		n.subscription_state = state;
	}
	n.body = mb.buf;
	n.body_len = mb.len;
	tx.branch = branch;
	if (!err)
		err = sim_branch(branch);
	if (!err)
		err = pint_dialog_notify(&m, s->dlg, sim_loc(sim, s->peer.tp),
					 &tx, &n);
	if (!err)
		err = sim_send(sim, m, &s->peer, &s->kind, &s->tsx);
	osip_message_free(m);
	if (!err) {
		snapshot(s, &mb);
		sim->st.notifies++;
		s->version++;
		if (s->last)
			s->state = SIM_SUB_ENDING;
	}
	pint_mbuf_reset(&mb);
	if (err) {
		log_warn("sim: subscription %" PRIu64 ": NOTIFY not sent: %s",
			 s->id, strerror(err));
		sim_sub_release(sim, s);
	}
}

/* PINT: the monitoring session is over on our side (RFC 2848 §3.5.3.3). */
static void unsubscribe(struct gw_sim *sim, struct sim_sub *s,
			uint32_t retention)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	char branch[SIM_BRANCH_SIZE];
	osip_message_t *m = NULL;
	int err;

	sim_detach(sim, &s->tsx);       /* an owed NOTIFY is moot now */
	tx.branch = branch;
	err = sim_branch(branch);
	if (!err && !s->snap)
		err = ENOENT;
	if (!err)
		err = pint_dialog_unsubscribe(&m, s->dlg,
					      sim_loc(sim, s->peer.tp), &tx,
					      s->snap, s->snap_len);
	if (!err)
		err = pint_req_add_expires(m, retention);
	if (!err)
		err = sim_send(sim, m, &s->peer, &s->kind, &s->tsx);
	osip_message_free(m);
	if (err) {
		sim_sub_release(sim, s);
		return;
	}
	sim->st.unsubscribes++;
	s->last = true;
	s->state = SIM_SUB_ENDING;
}

/* The dialog-package subscription ends with a terminated NOTIFY. */
static void terminate(struct gw_sim *sim, struct sim_sub *s,
		      const char *reason)
{
	s->last = true;
	s->end_reason = reason;
	notify(sim, s);
}

static void expire_h(void *arg)
{
	struct sim_sub *s = arg;
	struct gw_sim *sim = s->sim;

	if (s->state != SIM_SUB_ACTIVE)
		return;
	if (s->dialog)
		terminate(sim, s, "timeout");
	else
		unsubscribe(sim, s, s->call ?
			    sim_call_retention_left(s->call) : 0);
}

/* ---- changes of the session ---------------------------------------------- */

/*
 * The session changed: tell its watchers. PINT NOTIFYs report progress
 * (ringing, answered, connected, pages) and the successful end (t=
 * stop); a failed or canceled INVITE is told by its own final response,
 * so no NOTIFY races it with a t= stop that would read as "completed".
 * Dialog-package watchers see every state and, at the end, the last one.
 */
void sim_sub_changed(struct gw_sim *sim, struct sim_call *c)
{
	struct gw_link *l, *next;

	for (l = c->subs.next; l != &c->subs; l = next) {
		struct sim_sub *s = SIM_OF(l, struct sim_sub, link);

		next = l->next;
		if (s->dialog) {
			/* pages and the like are no dialog state; after a
			 * 3xx the next attempt is awaited: a document with
			 * nothing but the rejected dialog would read as the
			 * end of the request */
			if (redirected(c))
				continue;
			if (c->state == SIM_CALL_ENDED)
				terminate(sim, s, "noresource");
			else if (dstate(c) != s->reported)
				notify(sim, s);
			continue;
		}
		if (c->state == SIM_CALL_DIALING ||
		    (c->state == SIM_CALL_ENDED && c->end != SIM_END_DONE))
			continue;
		notify(sim, s);
	}
}

/* The session is forgotten: its watchers are told and let go. */
void sim_sub_call_gone(struct gw_sim *sim, struct sim_call *c)
{
	while (!sim_list_empty(&c->subs)) {
		struct sim_sub *s = SIM_OF(c->subs.next, struct sim_sub, link);

		sim_list_del(&s->link);
		sim_list_add(&sim->orphans, &s->link);
		s->call = NULL;
		if (s->state != SIM_SUB_ACTIVE)
			continue;
		if (s->dialog)
			terminate(sim, s, "noresource");
		else
			unsubscribe(sim, s, 0);
	}
}

/*
 * A new attempt of the same service session takes over its watchers;
 * dialog-package watchers keep the attempt it replaces as a terminated
 * dialog in their documents.
 */
void sim_sub_inherit(struct gw_sim *sim, struct sim_call *from,
		     struct sim_call *to)
{
	struct sim_dinfo_dialog d;

	while (!sim_list_empty(&from->subs)) {
		struct sim_sub *s = SIM_OF(from->subs.next, struct sim_sub,
					   link);

		sim_list_del(&s->link);
		sim_list_add(&to->subs, &s->link);
		s->call = to;
		if (!s->dialog || from->state != SIM_CALL_ENDED)
			continue;
		dinfo_of(sim, from, &d, s->prev.id, sizeof(s->prev.id));
		snprintf(s->prev.local_tag, sizeof(s->prev.local_tag), "%s",
			 from->local_tag);
		s->prev.code = from->code;
		s->prev.duration = d.duration;
		s->prev.set = true;
	}
}

/* The answer to our NOTIFY or UNSUBSCRIBE. */
void sim_sub_resp(struct gw_sim *sim, struct sim_sub *s,
		  const osip_message_t *resp)
{
	s->tsx = 0;
	if (s->state != SIM_SUB_ACTIVE || resp->status_code >= 300) {
		/* the last request answered, or the subscriber refuses (a
		 * PINT gateway may take any failure as the end, §3.5.3.2) */
		sim_sub_release(sim, s);
		return;
	}
	if (s->dirty)
		notify(sim, s);
}

/* Our NOTIFY or UNSUBSCRIBE got no answer (or could not be sent). */
void sim_sub_failed(struct gw_sim *sim, struct sim_sub *s)
{
	s->tsx = 0;
	sim_sub_release(sim, s);
}

/* ---- requests from the subscriber ---------------------------------------- */

/* The Event header's package and dialog parameters (RFC 4235 §3.2). */
struct event {
	struct pint_pl package;
	char call_id[PINT_SIP_MAX_CALLID + 1];
	char from_tag[PINT_SIP_MAX_TAG + 1];
	char to_tag[PINT_SIP_MAX_TAG + 1];
};

static void param_copy(char *dst, size_t size, struct pint_pl v)
{
	v = pint_pl_trim(v);
	if (v.l >= 2 && v.p[0] == '"' && v.p[v.l - 1] == '"') {
		v.p++;
		v.l -= 2;
	}
	if (v.l >= size)
		v.l = 0;        /* too long to be ours: matches nothing */
	memcpy(dst, v.p, v.l);
	dst[v.l] = '\0';
}

static bool event_of(const osip_message_t *req, struct event *ev)
{
	struct pint_pl v;
	size_t i, j;

	memset(ev, 0, sizeof(*ev));
	if (pint_sip_header(req, "Event", 0, &v))
		return false;
	for (i = 0; i < v.l && v.p[i] != ';'; i++)
		;
	ev->package = pint_pl_trim((struct pint_pl){v.p, i});
	while (i < v.l) {
		struct pint_pl name, val;
		size_t eq;

		for (j = ++i; j < v.l && v.p[j] != ';'; j++)
			if (v.p[j] == '"')
				while (++j < v.l && v.p[j] != '"')
					;
		for (eq = i; eq < j && v.p[eq] != '='; eq++)
			;
		name = pint_pl_trim((struct pint_pl){v.p + i, eq - i});
		val = (struct pint_pl){v.p + eq + 1, eq < j ? j - eq - 1 : 0};
		if (pint_pl_caseeq(&name, "call-id"))
			param_copy(ev->call_id, sizeof(ev->call_id), val);
		else if (pint_pl_caseeq(&name, "from-tag"))
			param_copy(ev->from_tag, sizeof(ev->from_tag), val);
		else if (pint_pl_caseeq(&name, "to-tag"))
			param_copy(ev->to_tag, sizeof(ev->to_tag), val);
		i = j;
	}
	return true;
}

/* Expires asked for, clamped to what we grant; EBADMSG when unreadable. */
static int asked(const struct gw_sim *sim, const osip_message_t *req,
		 uint32_t *secsp)
{
	int err = pint_sip_expires(req, sim->max_expires, secsp);

	if (err == ENOENT) {
		*secsp = GW_SIM_DEF_EXPIRES < sim->max_expires ?
			 GW_SIM_DEF_EXPIRES : sim->max_expires;
		return 0;
	}
	return err;
}

static void reply(struct gw_sim *sim, struct pint_tsx *tsx,
		  const osip_message_t *req, int code, const char *to_tag,
		  int64_t expires, const struct pint_mbuf *sdp)
{
	struct sim_resp r;

	memset(&r, 0, sizeof(r));
	r.code = code;
	r.to_tag = to_tag;
	r.contact = code < 300;
	r.expires = expires;
	if (sdp && sdp->len) {
		r.body = sdp->buf;
		r.body_len = sdp->len;
	}
	(void)sim_reply(sim, tsx, req, &r);
}

static void bad_event(struct gw_sim *sim, struct pint_tsx *tsx,
		      const osip_message_t *req)
{
	struct sim_resp r;

	memset(&r, 0, sizeof(r));
	r.code = 489;
	r.expires = -1;
	if (sim->mode == GW_SIM_MODE_DIALOG) {
		r.hname[0] = "Allow-Events";
		r.hvalue[0] = "dialog";
		r.nh = 1;
	}
	(void)sim_reply(sim, tsx, req, &r);
}

static void subscribe_pint(struct gw_sim *sim, struct pint_tsx *tsx,
			   osip_message_t *req, const struct pint_tsx_peer *src,
			   uint32_t secs)
{
	struct sim_call *c = NULL;
	struct sim_resp r;
	struct pint_mbuf mb;
	struct pint_sdp sdp;
	struct pint_pl body;
	struct sim_sub *s;
	char *okey = NULL;

	if (sim_req_sdp(req, false, &body, NULL) ||
	    pint_sdp_decode(&sdp, body.p, body.l)) {
		memset(&r, 0, sizeof(r));
		r.code = 400;
		r.reason = "Missing SDP";
		r.expires = -1;
		r.warn_code = 399;
		r.warn_text = "the service's session description is needed";
		(void)sim_reply(sim, tsx, req, &r);
		return;
	}
	if (!sim_origin_key(&sdp, &okey))
		c = sim_call_by_origin(sim, okey);
	free(okey);
	if (!c) {
		memset(&r, 0, sizeof(r));
		r.code = 606;
		r.expires = -1;
		r.warn_code = 307;
		r.warn_text = "session id no longer valid";
		(void)sim_reply(sim, tsx, req, &r);
		return;
	}
	pint_mbuf_init(&mb, PINT_SDP_MAX_BODY);
	if (sim_call_sdp(c, &mb)) {
		(void)sim_reply_code(sim, tsx, req, 500);
		return;
	}
	if (secs == 0) {
		/* a poll: the snapshot, and no monitoring session */
		char tag[SIM_TOKEN_SIZE];

		if (!sim_token(tag))
			reply(sim, tsx, req, 200, tag, 0, &mb);
		pint_mbuf_reset(&mb);
		return;
	}
	s = sub_new(sim, req, src, false, c);
	if (!s) {
		(void)sim_reply_code(sim, tsx, req, 500);
		pint_mbuf_reset(&mb);
		return;
	}
	arm(sim, s, secs);
	snapshot(s, &mb);
	reply(sim, tsx, req, 200, s->local_tag, secs, &mb);
	pint_mbuf_reset(&mb);
}

static void subscribe_dialog(struct gw_sim *sim, struct pint_tsx *tsx,
			     osip_message_t *req,
			     const struct pint_tsx_peer *src,
			     const struct event *ev, uint32_t secs)
{
	struct sim_call *c = NULL;
	struct sim_sub *s;

	if (ev->call_id[0] && ev->from_tag[0])
		c = sim_call_by_cid(sim, ev->call_id, ev->from_tag);
	if (c && ev->to_tag[0] && strcmp(c->local_tag, ev->to_tag))
		c = NULL;
	s = sub_new(sim, req, src, true, c);
	if (!s) {
		(void)sim_reply_code(sim, tsx, req, 500);
		return;
	}
	arm(sim, s, secs);
	reply(sim, tsx, req, 200, s->local_tag, secs, NULL);
	/* RFC 6665 §4.2.1: a NOTIFY at once, the last one for a fetch
	 * (Expires: 0) or a dialog we do not have */
	if (secs == 0)
		terminate(sim, s, "timeout");
	else if (!c || (c->state == SIM_CALL_ENDED && !redirected(c)))
		terminate(sim, s, "noresource");
	else
		notify(sim, s);         /* a redirected attempt: empty */
}

/* A SUBSCRIBE outside any dialog: a new monitoring session. */
void sim_sub_subscribe(struct gw_sim *sim, struct pint_tsx *tsx,
		       osip_message_t *req, const struct pint_tsx_peer *src)
{
	struct event ev;
	bool has_event;
	uint32_t secs;

	if (!sim_auth_ok(sim, tsx, req))
		return;
	has_event = event_of(req, &ev);
	if (sim->mode == GW_SIM_MODE_PINT ? has_event :
	    (!has_event || !pint_pl_caseeq(&ev.package, "dialog"))) {
		bad_event(sim, tsx, req);
		return;
	}
	if (asked(sim, req, &secs)) {
		(void)sim_reply_code(sim, tsx, req, 400);
		return;
	}
	if (sim->mode == GW_SIM_MODE_PINT)
		subscribe_pint(sim, tsx, req, src, secs);
	else
		subscribe_dialog(sim, tsx, req, src, &ev, secs);
}

/*
 * SUBSCRIBE (refresh, or Expires: 0) or UNSUBSCRIBE inside one of our
 * subscription dialogs.
 */
void sim_sub_in_dialog(struct gw_sim *sim, struct pint_tsx *tsx,
		       osip_message_t *req, bool unsubscribe_req)
{
	struct sim_sub *s;
	struct pint_mbuf mb;
	uint32_t secs;
	int code = 0;

	if (unsubscribe_req && sim->mode == GW_SIM_MODE_DIALOG) {
		/* an RFC 6665 notifier knows no UNSUBSCRIBE */
		(void)sim_reply_code(sim, tsx, req, 501);
		return;
	}
	s = sub_by_dlg(sim, req);
	if (!s || s->state == SIM_SUB_DONE)
		code = 481;
	else
		switch (pint_dialog_recv(s->dlg, req)) {
		case 0:
			break;
		case ENOENT:
			code = 481;
			break;
		case EPROTO:
			code = 500;     /* CSeq not higher than the last */
			break;
		default:
			code = 400;
			break;
		}
	if (!code && !unsubscribe_req && asked(sim, req, &secs))
		code = 400;
	if (code) {
		(void)sim_reply_code(sim, tsx, req, code);
		return;
	}
	if (unsubscribe_req) {
		reply(sim, tsx, req, 200, NULL, s->call ?
		      sim_call_retention_left(s->call) : 0, NULL);
		sim_sub_release(sim, s);
		return;
	}
	pint_mbuf_init(&mb, PINT_SDP_MAX_BODY);
	if (!s->dialog && s->call)
		(void)sim_call_sdp(s->call, &mb);
	reply(sim, tsx, req, 200, NULL, secs, &mb);
	pint_mbuf_reset(&mb);
	if (s->state != SIM_SUB_ACTIVE)
		return;
	if (secs == 0) {
		if (s->dialog)
			terminate(sim, s, NULL);
		else
			sim_sub_release(sim, s);
		return;
	}
	arm(sim, s, secs);
	if (s->dialog)
		notify(sim, s);
}
