/*
 * gateway/sim/sim_call.c — one simulated service session: the telephone
 * side played on a timer, the answers to its INVITE, the session kept
 * for SUBSCRIBE queries until its retention runs out. How a session
 * starts and what the peer does to it is in sim_invite.c.
 *
 *  DIALING --dial--> RINGING --ring--> ACCEPTED --connect--> CONNECTED
 *     | 486/603/404      | 408/480        (200)    (t= start)  | pages…
 *     v                  v                                     v (t= stop)
 *   ENDED <--- CANCEL 487, peer BYE 200, no ACK, our BYE ------ ENDED
 *
 * 503 and 302 are answered at once (DIALING -> ENDED); a scheduled
 * service (t= start ahead) is accepted after the dial time and connects
 * at its start. Every change goes to the session's subscriptions
 * (sim_sub_changed), which decide what to tell whom.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/log.h"
#include "gateway/sim/sim_int.h"

/* The state's name, for logs and gw_sim_debug. */
const char *sim_call_state_name(enum sim_call_state s)
{
	switch (s) {
	case SIM_CALL_DIALING: return "dialing";
	case SIM_CALL_RINGING: return "ringing";
	case SIM_CALL_ACCEPTED: return "accepted";
	case SIM_CALL_CONNECTED: return "connected";
	case SIM_CALL_ENDED: return "ended";
	}
	return "?";
}

/* ---- tables -------------------------------------------------------------- */

static bool cid_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	const struct sim_call *c = SIM_OF(n, struct sim_call, by_cid);
	const char *const *k = key;

	(void)arg;
	return sim_key_eq(c->call_id, c->remote_tag, k[0], k[1]);
}

static bool origin_eq(const struct pint_hash_node *n, const void *key,
		      void *arg)
{
	const struct sim_call *c = SIM_OF(n, struct sim_call, by_origin);

	(void)arg;
	return !strcmp(c->okey, key);
}

/* The newest session of an INVITE dialog (Call-ID and the peer's tag). */
struct sim_call *sim_call_by_cid(const struct gw_sim *sim, const char *cid,
				 const char *tag)
{
	const char *k[2] = { cid, tag ? tag : "" };
	struct pint_hash_node *n;

	n = pint_hash_find(&sim->by_cid, sim_key_hash(sim, k[0], k[1]), cid_eq,
			   k, NULL);
	return n ? SIM_OF(n, struct sim_call, by_cid) : NULL;
}

/* The newest session with this o= identity. */
struct sim_call *sim_call_by_origin(const struct gw_sim *sim, const char *okey)
{
	struct pint_hash_node *n;

	n = pint_hash_find(&sim->by_origin, sim_key_hash(sim, okey, NULL),
			   origin_eq, okey, NULL);
	return n ? SIM_OF(n, struct sim_call, by_origin) : NULL;
}

static void unindex(struct gw_sim *sim, struct sim_call *c)
{
	if (c->in_cid)
		pint_hash_remove(&sim->by_cid, &c->by_cid);
	if (c->in_origin)
		pint_hash_remove(&sim->by_origin, &c->by_origin);
	c->in_cid = c->in_origin = false;
}

/* ---- the updated SDP ----------------------------------------------------- */

static int put_line(struct pint_mbuf *mb, const char *p, size_t n)
{
	int err = pint_mbuf_append(mb, p, n);

	return err ? err : pint_mbuf_append(mb, "\r\n", 2);
}

/*
 * The session description as the simulator reports it now: the INVITE's
 * SDP with t= and the session i= replaced (RFC 2848 §3.5.3.1); media
 * sections untouched.
 */
int sim_call_sdp(const struct sim_call *c, struct pint_mbuf *mb)
{
	const char *p = c->sdp, *e = c->sdp + c->sdp_len;
	bool media = false, t_done = false;
	int err = 0;

	while (p < e && !err) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		const char *next = nl ? nl + 1 : e;

		if (n && p[n - 1] == '\r')
			n--;
		if (n >= 2 && p[0] == 'm' && p[1] == '=')
			media = true;
		if (!n || (!media && n >= 2 && p[0] == 'i' && p[1] == '=')) {
			p = next;
			continue;
		}
		if (!media && !t_done && n >= 2 && p[0] == 't' && p[1] == '=') {
			t_done = true;
			err = pint_mbuf_printf(mb, "t=%" PRIu64 " %" PRIu64
					       "\r\n", c->start_ntp,
					       c->stop_ntp);
		} else {
			err = put_line(mb, p, n);
		}
		if (!err && !media && n >= 2 && p[0] == 's' && p[1] == '=' &&
		    c->info[0])
			err = pint_mbuf_printf(mb, "i=%s\r\n", c->info);
		p = next;
	}
	return err;
}

/* Seconds the session record is still kept (for Expires). */
uint32_t sim_call_retention_left(const struct sim_call *c)
{
	uint64_t gone;

	if (!c->ended)
		return c->sim->retention;
	gone = (sim_now(c->sim) - c->ended) / 1000u;
	return gone >= c->sim->retention ? 0 :
	       (uint32_t)(c->sim->retention - gone);
}

/* ---- answering the INVITE ------------------------------------------------ */

/*
 * Send r on the session's INVITE transaction (the request re-parsed from
 * the bytes kept). ENOENT when the transaction is gone.
 */
int sim_call_respond(struct gw_sim *sim, struct sim_call *c,
		     struct sim_resp *r)
{
	struct pint_tsx *tsx = c->ist ? pint_tsx_find(sim->tsx, c->ist) : NULL;
	osip_message_t *req = NULL;
	int err;

	if (!tsx || c->answered)
		return ENOENT;
	err = pint_sip_parse(&req, c->inv, c->inv_len, NULL);
	if (err)
		return err;
	r->to_tag = c->local_tag;
	err = sim_reply(sim, tsx, req, r);
	osip_message_free(req);
	if (!err && r->code >= 200) {
		c->answered = true;
		c->code = (unsigned)r->code;
	}
	return err;
}

/* A 1xx/2xx with our Contact and the session's SDP. */
static int respond_sdp(struct gw_sim *sim, struct sim_call *c, int code)
{
	struct pint_mbuf mb;
	struct sim_resp r;
	int err;

	pint_mbuf_init(&mb, PINT_SDP_MAX_BODY);
	err = sim_call_sdp(c, &mb);
	if (err)
		return err;
	memset(&r, 0, sizeof(r));
	r.code = code;
	r.contact = true;
	r.expires = -1;
	r.body = mb.buf;
	r.body_len = mb.len;
	err = sim_call_respond(sim, c, &r);
	pint_mbuf_reset(&mb);
	return err;
}

static void keep_h(void *arg);

/*
 * The session is over: no timeline any more, kept for the retention
 * time, its watchers told.
 */
void sim_call_end(struct gw_sim *sim, struct sim_call *c, enum sim_end how)
{
	if (c->state == SIM_CALL_ENDED)
		return;
	c->state = SIM_CALL_ENDED;
	c->end = (uint8_t)how;
	c->ended = sim_now(sim);
	if (c->ended == 0)
		c->ended = 1;
	gw_timer_stop(sim->loop, &c->tm);
	(void)gw_timer_start(sim->loop, &c->keep, sim->retention * 1000ull,
			     keep_h, c);
	sim->st.sessions_live--;
	log_info("sim: session %" PRIu64 " %s %s ended (%u)", c->id,
		 c->service, gw_sim_outcome_name(c->outcome), c->code);
	sim_sub_changed(sim, c);
}

/* A final failure to the INVITE (and the end). */
void sim_call_refuse(struct gw_sim *sim, struct sim_call *c, int code,
		     const char *reason)
{
	char ra[16], user[PINT_REQ_MAX_TOKEN + 1];
	struct sim_resp r;

	memset(&r, 0, sizeof(r));
	r.code = code;
	r.reason = reason;
	r.expires = -1;
	if (code == 503) {
		snprintf(ra, sizeof(ra), "%u", GW_SIM_RETRY_AFTER);
		r.hname[r.nh] = "Retry-After";
		r.hvalue[r.nh++] = ra;
	}
	if (code == 302) {
		/* to this simulator, where <service>-alt answers */
		snprintf(user, sizeof(user), "%s%s", c->service, SIM_ALT);
		r.contact = true;
		r.contact_user = user;
	}
	(void)sim_call_respond(sim, c, &r);
	c->code = (unsigned)code;
	sim_call_end(sim, c, SIM_END_REJECTED);
}

/* ---- the telephone side -------------------------------------------------- */

static void step_h(void *arg);

static void arm(struct gw_sim *sim, struct sim_call *c, uint64_t ms)
{
	(void)gw_timer_start(sim->loop, &c->tm, ms, step_h, c);
}

/* The telephone side starts: the dial time runs. */
void sim_call_start(struct gw_sim *sim, struct sim_call *c)
{
	arm(sim, c, sim_scaled(sim, GW_SIM_DIAL_MS));
	sim_sub_changed(sim, c);
}

static void set_info(struct sim_call *c, const char *text)
{
	snprintf(c->info, sizeof(c->info), "%s", text);
}

/* Our BYE in the INVITE dialog (once). */
void sim_call_send_bye(struct gw_sim *sim, struct sim_call *c)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	char branch[SIM_BRANCH_SIZE];
	osip_message_t *m = NULL;
	struct sim_peer to;

	if (!c->dlg || c->bye_tsx)
		return;
	sim_peer_target(c->dlg->remote_target, &c->src, &to);
	tx.branch = branch;
	if (sim_branch(branch) ||
	    pint_dialog_bye(&m, c->dlg, sim_loc(sim, to.tp), &tx)) {
		log_warn("sim: session %" PRIu64 ": BYE not built", c->id);
		return;
	}
	if (!sim_send(sim, m, &to, &c->k_bye, &c->bye_tsx))
		sim->st.byes++;
	osip_message_free(m);
}

static void ring(struct gw_sim *sim, struct sim_call *c)
{
	c->state = SIM_CALL_RINGING;
	set_info(c, "ringing");
	if (respond_sdp(sim, c, 180)) {
		sim_call_end(sim, c, SIM_END_ERROR);
		return;
	}
	arm(sim, c, sim_scaled(sim, sim_ring_ms((enum gw_sim_outcome)
						c->outcome)));
	sim_sub_changed(sim, c);
}

static void answer(struct gw_sim *sim, struct sim_call *c)
{
	c->state = SIM_CALL_ACCEPTED;
	set_info(c, c->scheduled ? "scheduled" : "answered");
	if (respond_sdp(sim, c, 200)) {
		sim_call_end(sim, c, SIM_END_ERROR);
		return;
	}
	sim->st.answered++;
	arm(sim, c, c->scheduled ? c->delay_ms :
		    sim_scaled(sim, GW_SIM_CONNECT_MS));
	sim_sub_changed(sim, c);
}

static uint64_t run_ms(const struct gw_sim *sim, const struct sim_call *c)
{
	switch (c->svc) {
	case SIM_SVC_FAX:
		return sim_scaled(sim, GW_SIM_PAGE_MS);
	case SIM_SVC_CALL:
		return sim_scaled(sim, GW_SIM_CALL_MS);
	default:
		return sim_scaled(sim, GW_SIM_PLAY_MS);
	}
}

static void pages_info(struct sim_call *c)
{
	snprintf(c->info, sizeof(c->info), "%u of %u pages sent",
		 c->pages_sent, c->pages);
}

static void connected(struct gw_sim *sim, struct sim_call *c)
{
	c->state = SIM_CALL_CONNECTED;
	c->start_ntp = sim_ntp_now();
	if (c->stop_ntp && c->stop_ntp < c->start_ntp)
		c->stop_ntp = 0;        /* the window asked for has passed */
	set_info(c, "connected");
	arm(sim, c, run_ms(sim, c));
	sim_sub_changed(sim, c);
}

/* The service has run to its end: t= stop, our BYE. */
static void finish(struct gw_sim *sim, struct sim_call *c)
{
	const char *text = sim_final_info((enum sim_kindof)c->svc);

	c->stop_ntp = sim_ntp_now();
	if (text)
		set_info(c, text);
	else
		pages_info(c);
	sim->st.completed++;
	sim_call_end(sim, c, SIM_END_DONE);
	sim_call_send_bye(sim, c);
}

static void progress(struct gw_sim *sim, struct sim_call *c)
{
	if (c->svc != SIM_SVC_FAX || ++c->pages_sent >= c->pages) {
		finish(sim, c);
		return;
	}
	pages_info(c);
	arm(sim, c, run_ms(sim, c));
	sim_sub_changed(sim, c);
}

static void step_h(void *arg)
{
	struct sim_call *c = arg;
	struct gw_sim *sim = c->sim;
	enum gw_sim_outcome o = (enum gw_sim_outcome)c->outcome;
	const char *reason;
	int code = sim_final_code(o, &reason);

	switch (c->state) {
	case SIM_CALL_DIALING:
		if (code && o != GW_SIM_NO_ANSWER && o != GW_SIM_UNAVAILABLE &&
		    o != GW_SIM_RING_LONG)
			sim_call_refuse(sim, c, code, reason);
		else if (c->scheduled)
			answer(sim, c);
		else
			ring(sim, c);
		break;
	case SIM_CALL_RINGING:
		if (code)
			sim_call_refuse(sim, c, code, reason);
		else
			answer(sim, c);
		break;
	case SIM_CALL_ACCEPTED:
		connected(sim, c);
		break;
	case SIM_CALL_CONNECTED:
		progress(sim, c);
		break;
	default:
		break;
	}
}

/* ---- the end of a session ------------------------------------------------ */

/* The retention time is over: the session is forgotten (606/307 now). */
static void keep_h(void *arg)
{
	struct sim_call *c = arg;
	struct gw_sim *sim = c->sim;

	sim_sub_call_gone(sim, c);
	unindex(sim, c);
	sim_list_del(&c->link);
	sim_detach(sim, &c->ist);
	sim_detach(sim, &c->bye_tsx);
	c->next_dead = sim->dead_calls;
	sim->dead_calls = c;
	sim_reap_later(sim);
}

/*
 * Free c now: timers off, out of the tables and lists, transactions
 * detached, watchers released without a word (teardown and the reaper).
 */
void sim_call_free(struct gw_sim *sim, struct sim_call *c)
{
	if (!c)
		return;
	gw_timer_stop(sim->loop, &c->tm);
	gw_timer_stop(sim->loop, &c->keep);
	unindex(sim, c);
	sim_list_del(&c->link);
	sim_detach(sim, &c->ist);
	sim_detach(sim, &c->bye_tsx);
	while (!sim_list_empty(&c->subs))
		sim_sub_release(sim, SIM_OF(c->subs.next, struct sim_sub,
					    link));
	pint_dialog_free(c->dlg);
	free(c->inv);
	free(c->sdp);
	free(c->service);
	free(c->call_id);
	free(c->remote_tag);
	free(c->okey);
	free(c->from_uri);
	free(c->to_uri);
	free(c);
}
