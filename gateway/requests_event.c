/*
 * gateway/requests_event.c — what happens to a request after its create:
 * the events of the SIP side judged by the transition rule (on_event),
 * each recorded as one event and the row it leaves (gw_rq_record), and
 * published after the commit that stored it (pub_done): the creator's
 * reply, the listeners, the cancel answers, the end of an ended request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/log.h"
#include "gateway/requests_int.h"
#include "web/jsonw.h"

/* ---- publication -------------------------------------------------------- */

/* Free p and the cancels still on it (not answered). */
void gw_rq_pub_free(struct pub *p)
{
	while (!gw_rq_list_empty(&p->cancels)) {
		struct gw_link *l = p->cancels.next;

		gw_rq_list_del(l);
		gw_rq_cancel_free(RQ_ENTRY(l, struct cancel_op, link));
	}
	gw_store_req_unpack(&p->row, &p->row_mem);
	gw_store_event_unpack(&p->ev, &p->ev_mem);
	free(p);
}

/*
 * The store refused the batch that held p: nothing of it is on disk. The
 * creator hears the errno (nothing was created), waiting cancels too; an
 * ended request goes anyway (its row stays live on disk, for recovery);
 * one whose "sending" was lost is not sent but failed. A request that
 * goes on keeps its seq, so the lost event leaves a gap.
 */
static void pub_failed(struct gw_reqs *r, struct pub *p, struct rq *q, int err)
{
	char why[RQ_TEXT_SIZE];
	gw_reqs_created_h *h;
	void *harg;

	log_kv(LOG_LEVEL_ERR, "requests: event not stored", "req", p->ev.request_id,
	       "status", p->ev.status, "error", strerror(err), NULL);
	while (!gw_rq_list_empty(&p->cancels)) {
		struct gw_link *l = p->cancels.next;
		struct cancel_op *op = RQ_ENTRY(l, struct cancel_op, link);

		gw_rq_list_del(l);
		op->err = err;
		gw_rq_cancel_answer(r, op);
	}
	if (p->created && q) {
		h = q->created_h;
		harg = q->created_arg;
		q->created_h = NULL;
		gw_rq_kill(q);
		if (h)
			h(err, NULL, harg);
	} else if (p->terminal && q) {
		gw_rq_kill(q);
	} else if (p->start && q && q->starting) {
		/* the identities are not on disk: the INVITE may not leave */
		q->starting = false;
		gw_rq_text(why, sizeof(why), "the request could not be stored "
			   "before sending: %s", strerror(err));
		gw_rq_end(q, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR, why);
	}
}

/*
 * The commit of an event (or of a create): tell the creator, then every
 * listener, then the cancels this event settles; schedule a new request,
 * send one whose "sending" this was; free an ended one.
 */
static void pub_done(int err, void *arg)
{
	struct pub *p = arg;
	struct gw_reqs *r = p->r;
	struct rq *q;
	gw_reqs_created_h *h;
	void *harg;

	gw_rq_list_del(&p->link);
	if (r->closing) {
		gw_rq_pub_free(p);
		return;
	}
	q = gw_rq_find_ref(r, p->ref);
	if (q && q->last_pub == p)
		q->last_pub = NULL;
	if (err) {
		pub_failed(r, p, q, err);
		gw_rq_pub_free(p);
		return;
	}
	if (p->created && q && q->created_h) {
		h = q->created_h;
		harg = q->created_arg;
		q->created_h = NULL;
		h(0, &p->row, harg);
	}
	if (r->hooks.published)
		r->hooks.published(&p->row, &p->ev,
				   p->terminal ? pint_outcome_name(p->outcome) : NULL,
				   r->hooks.arg);
	while (!gw_rq_list_empty(&p->cancels)) {
		struct gw_link *l = p->cancels.next;
		struct cancel_op *op = RQ_ENTRY(l, struct cancel_op, link);

		gw_rq_list_del(l);
		op->h(op->err, &p->row, op->info[0] ? op->info : NULL, op->arg);
		gw_rq_cancel_free(op);
	}
	/* the handlers may have done anything: look again */
	q = gw_rq_find_ref(r, p->ref);
	if (q && p->terminal)
		gw_rq_kill(q);
	else if (q && p->created)
		gw_rq_schedule(q);
	else if (q && p->start && q->starting && !q->ended)
		gw_rq_call_start(q);
	gw_rq_pub_free(p);
}

static int pub_new(struct gw_reqs *r, struct rq *q, struct pub **pp)
{
	struct pub *p = calloc(1, sizeof(*p));

	if (!p)
		return ENOMEM;
	p->r = r;
	p->ref = q->ref;
	gw_rq_list_init(&p->cancels);
	*pp = p;
	return 0;
}

/* ---- the stored JSON of an event ---------------------------------------- */

/* A reason phrase, "" as null. */
static const char *reason_or_null(const char *s)
{
	return s && s[0] ? s : NULL;
}

/*
 * The event's "sip" column, {"code","reason","warning"}: what the gateway
 * said, compact, in *outp (free()). 0 or ENOMEM.
 */
int gw_rq_sip_json(char **outp, const struct gw_rq_change *c)
{
	struct web_jsonw w;

	*outp = NULL;
	web_jsonw_init(&w, true);
	web_jsonw_open(&w, '{');
	web_jsonw_member_nz(&w, "code", c->sip_code);
	web_jsonw_member_str(&w, "reason", reason_or_null(c->reason));
	web_jsonw_member_str(&w, "warning", c->warning);
	web_jsonw_close(&w, '}');
	return web_jsonw_finish(&w, outp, NULL);
}

/*
 * The row's "outcome" column, the API's outcome object
 * {"code","sip_code","reason","warning","by"}, compact, in *outp
 * (free()). 0 or ENOMEM.
 */
int gw_rq_outcome_json(char **outp, const struct gw_rq_change *c)
{
	struct web_jsonw w;

	*outp = NULL;
	web_jsonw_init(&w, true);
	web_jsonw_open(&w, '{');
	web_jsonw_member_str(&w, "code", pint_outcome_name(c->outcome));
	web_jsonw_member_nz(&w, "sip_code", c->sip_code);
	web_jsonw_member_str(&w, "reason", reason_or_null(c->reason));
	web_jsonw_member_str(&w, "warning", c->warning);
	web_jsonw_member_str(&w, "by", c->by == PINT_STATUS_BY_NONE ? NULL :
			     pint_status_by_name(c->by));
	web_jsonw_close(&w, '}');
	return web_jsonw_finish(&w, outp, NULL);
}

/* ---- recording ---------------------------------------------------------- */

enum {
	F_STATUS, F_INFO, F_OUTCOME, F_WARNING, F_GATEWAY, F_CALLID, F_FROMTAG,
	F_SESSID, F_BRANCH, F_SDP, NF
};

/* The row fields a write changes: new heap strings, and the CSeq. */
struct fields {
	char *nv[NF];
	bool set[NF];
	uint32_t cseq;
	bool set_cseq;
};

static char **row_field(struct gw_store_req *row, int f)
{
	switch (f) {
	case F_STATUS: return &row->status;
	case F_INFO: return &row->info;
	case F_OUTCOME: return &row->outcome;
	case F_WARNING: return &row->warning;
	case F_GATEWAY: return &row->gateway;
	case F_CALLID: return &row->call_id;
	case F_FROMTAG: return &row->from_tag;
	case F_SESSID: return &row->sess_id;
	case F_BRANCH: return &row->branch;
	default: return &row->sdp;
	}
}

/* Field f becomes a copy of v (NULL too). */
static int set_to(struct fields *fs, int f, const char *v)
{
	free(fs->nv[f]);
	fs->set[f] = true;
	return gw_rq_dup_str(&fs->nv[f], v);
}

/* Field f becomes v when v is known and differs from cur. */
static int set_new(struct fields *fs, int f, const char *v, const char *cur)
{
	return v && !gw_rq_str_eq(v, cur) ? set_to(fs, f, v) : 0;
}

static void set_cseq(struct fields *fs, uint32_t cseq, uint32_t cur)
{
	if (cseq && cseq != cur) {
		fs->cseq = cseq;
		fs->set_cseq = true;
	}
}

static void fields_free(struct fields *fs)
{
	int f;

	for (f = 0; f < NF; f++)
		free(fs->nv[f]);
}

/* next: q's row with fs applied (fs keeps its strings until kept). */
static void fields_apply(const struct fields *fs, struct gw_store_req *next)
{
	int f;

	for (f = 0; f < NF; f++)
		if (fs->set[f])
			*row_field(next, f) = fs->nv[f];
	if (fs->set_cseq)
		next->cseq = fs->cseq;
}

/* The write is queued: next (fs applied) is q's row now. */
static void fields_keep(struct rq *q, const struct fields *fs,
			const struct gw_store_req *next)
{
	int f;

	for (f = 0; f < NF; f++)
		if (fs->set[f])
			free(*row_field(&q->row, f));
	q->row = *next;
}

/* Queue next as q's row. The spec is never rewritten: it is stored at
 * the create, and NULL keeps it (store.h). The SDP is small and written
 * each time, so that a lost write of it heals at the next. */
static int row_write(struct gw_reqs *r, const struct gw_store_req *next)
{
	struct gw_store_req w = *next;

	w.spec = NULL;
	return gw_store_update_request(r->store, &w, NULL, NULL);
}

/* The SIP identities of the call as they are now (recovery needs them):
 * pint/ua's choices (the gateway, the SDP) and changes (a failover's new
 * Call-ID and branch, an authenticated retry's CSeq and branch). A
 * branch "" (no INVITE: a watched call) says nothing. */
static int call_fields(struct rq *q, struct fields *fs)
{
	struct pint_ua_call_info ci;
	char *sdp;
	int err;

	if (!q->in_sip || !q->r->sip || gw_sip_call_info(q->r->sip, q->ref, &ci))
		return 0;
	err = set_new(fs, F_GATEWAY, ci.gateway, q->row.gateway);
	if (!err)
		err = set_new(fs, F_CALLID, ci.call_id, q->row.call_id);
	if (!err)
		err = set_new(fs, F_FROMTAG, ci.from_tag, q->row.from_tag);
	if (!err)
		err = set_new(fs, F_SESSID, ci.sess_id, q->row.sess_id);
	if (!err && ci.branch && ci.branch[0])
		err = set_new(fs, F_BRANCH, ci.branch, q->row.branch);
	set_cseq(fs, ci.cseq, q->row.cseq);
	if (!err && ci.sdp && (!q->row.sdp || strlen(q->row.sdp) != ci.sdp_len ||
			       memcmp(q->row.sdp, ci.sdp, ci.sdp_len))) {
		sdp = malloc(ci.sdp_len + 1);
		if (!sdp)
			return ENOMEM;
		memcpy(sdp, ci.sdp, ci.sdp_len);
		sdp[ci.sdp_len] = '\0';
		free(fs->nv[F_SDP]);
		fs->set[F_SDP] = true;
		fs->nv[F_SDP] = sdp;
	}
	return err;
}

/* The identities chosen for an attempt, before it is sent. */
static int ids_fields(struct rq *q, const struct gw_rq_ids *ids, struct fields *fs)
{
	int err = set_new(fs, F_CALLID, ids->call_id, q->row.call_id);

	if (!err)
		err = set_new(fs, F_FROMTAG, ids->from_tag, q->row.from_tag);
	if (!err)
		err = set_new(fs, F_SESSID, ids->sess_id, q->row.sess_id);
	if (!err)
		err = set_new(fs, F_BRANCH, ids->branch, q->row.branch);
	set_cseq(fs, ids->cseq, q->row.cseq);
	return err;
}

static int event_fill(struct pub *p, const struct rq *q,
		      const struct gw_rq_change *c, uint32_t seq, int64_t at)
{
	struct gw_store_event ev = {
		.request_id = q->row.id, .seq = seq, .at = at,
		.status = (char *)pint_status_name(c->status), .info = (char *)c->info,
	};
	int err = 0;

	if (c->has_sip)
		err = gw_rq_sip_json(&ev.sip, c);
	if (!err)
		err = gw_store_event_pack(&p->ev, &ev, &p->ev_mem);
	free(ev.sip);
	return err;
}

/*
 * Record change c on q: the next event (seq + 1) and the row it leaves
 * (status, info, outcome on a terminal status, the gateway's last code
 * and Warning, the call's identities), both queued for this turn's
 * commit; *pubp (may be NULL) is what the commit will publish, for
 * attaching cancel answers. c->start makes the event an attempt's: the
 * row counts it and the call starts at the commit (q->starting until
 * then, gw_rq_call_start). A terminal status ends q: nothing more is
 * recorded and q is freed after the commit. EALREADY once ended; ENOMEM
 * (logged, q unchanged; when only the event could not be queued, the
 * row's update stands without it and the next event takes its seq).
 */
int gw_rq_record(struct rq *q, const struct gw_rq_change *c, struct pub **pubp)
{
	struct gw_reqs *r = q->r;
	bool terminal = pint_status_is_terminal(c->status);
	struct gw_store_req next;
	struct fields fs;
	struct pub *p = NULL;
	int64_t now = gw_rq_wall_ms();
	int err;

	if (q->ended || q->dead)
		return EALREADY;
	memset(&fs, 0, sizeof(fs));
	err = pub_new(r, q, &p);
	if (!err)
		err = event_fill(p, q, c, q->row.last_seq + 1, now);
	if (!err)
		err = set_to(&fs, F_STATUS, pint_status_name(c->status));
	/* info describes the status: a new status without one clears it;
	 * warning goes with the last SIP message */
	if (!err && (c->info || c->status != q->status))
		err = set_to(&fs, F_INFO, c->info);
	if (!err && (c->warning || c->sip_code))
		err = set_to(&fs, F_WARNING, c->warning);
	if (!err && terminal && (fs.set[F_OUTCOME] = true))
		err = gw_rq_outcome_json(&fs.nv[F_OUTCOME], c);
	if (!err)
		err = call_fields(q, &fs);
	if (!err && c->ids)
		err = ids_fields(q, c->ids, &fs);

	next = q->row;
	fields_apply(&fs, &next);
	next.updated_at = now;
	next.last_seq = p ? p->ev.seq : next.last_seq;
	if (c->sip_code)
		next.last_code = c->sip_code;
	if (c->start)
		next.attempt++;
	if (!err)
		err = gw_rq_row_dup(&p->row, &next, &p->row_mem);
	if (!err)
		err = row_write(r, &next);
	if (!err)
		err = gw_store_append_event(r->store, &p->ev, pub_done, p);
	if (err) {
		fields_free(&fs);
		if (p)
			gw_rq_pub_free(p);
		gw_rq_log(LOG_LEVEL_ERR, "requests: event not recorded", q, "error",
			  strerror(err));
		return err;
	}
	fields_keep(q, &fs, &next);
	gw_rq_list_add(&r->pubs, &p->link);
	q->last_pub = p;
	p->terminal = terminal;
	p->outcome = c->outcome;
	p->start = c->start && !terminal;
	q->starting = p->start;
	r->st.events++;
	gw_rq_set_status(q, c->status, c->outcome);
	if (terminal) {
		q->ended = true;
		q->end_pub = p;
		gw_rq_unarm(q);
		gw_rq_log(LOG_LEVEL_INFO, "requests: ended", q, "outcome",
			  pint_outcome_name(c->outcome));
	} else {
		gw_rq_log(LOG_LEVEL_DEBUG, "requests: event", q, "info", c->info);
	}
	if (pubp)
		*pubp = p;
	return 0;
}

/*
 * Right after the call started: what pint/ua chose (the gateway, the SDP)
 * goes to the row without an event (no status changed), so that a crash
 * before the next event still leaves it for recovery (a resend goes to
 * that gateway). Logged on failure: the next event writes it.
 */
void gw_rq_note_call(struct rq *q)
{
	struct gw_store_req next;
	struct fields fs;
	int f, err;
	bool any;

	if (q->ended || q->dead)
		return;
	memset(&fs, 0, sizeof(fs));
	err = call_fields(q, &fs);
	for (any = fs.set_cseq, f = 0; f < NF; f++)
		any |= fs.set[f];
	if (!err && !any)
		return;
	next = q->row;
	fields_apply(&fs, &next);
	if (!err)
		err = row_write(q->r, &next);
	if (err) {
		fields_free(&fs);
		gw_rq_log(LOG_LEVEL_WARN, "requests: call details not stored", q,
			  "error", strerror(err));
		return;
	}
	fields_keep(q, &fs, &next);
}

/* pintgw ends q itself (expired, canceled while queued, interrupted…). */
int gw_rq_end(struct rq *q, enum pint_status status, enum pint_outcome outcome,
	      const char *info)
{
	struct gw_rq_change c = {
		.status = status, .outcome = outcome,
		.by = PINT_STATUS_BY_PINTGW, .info = info,
	};

	return gw_rq_record(q, &c, NULL);
}

/*
 * The create's writes: the row and event 1 "queued", published (and the
 * creator told) at their commit. Everything is allocated before the row
 * is queued; only the event's own queueing can still fail after it (the
 * row then stands alone, and a restart would take it up).
 */
int gw_rq_record_create(struct rq *q, int64_t now)
{
	struct gw_reqs *r = q->r;
	struct gw_store_req w = q->row;
	struct pub *p = NULL;
	int err;

	w.spec = q->spec->json;
	err = pub_new(r, q, &p);
	if (!err) {
		struct gw_store_event ev = {
			.request_id = q->row.id, .seq = 1, .at = now, .status = q->row.status,
		};

		p->created = true;
		err = gw_store_event_pack(&p->ev, &ev, &p->ev_mem);
	}
	if (!err)
		err = gw_rq_row_dup(&p->row, &q->row, &p->row_mem);
	if (!err)
		err = gw_store_put_request(r->store, &w, NULL, NULL);
	if (!err)
		err = gw_store_append_event(r->store, &p->ev, pub_done, p);
	if (err) {
		if (p)
			gw_rq_pub_free(p);
		return err;
	}
	/* the store has its copy, and nothing else reads it: a pending
	 * request need not keep it */
	free(q->spec->json);
	q->spec->json = NULL;
	q->spec->json_len = 0;
	gw_rq_list_add(&r->pubs, &p->link);
	q->last_pub = p;
	return 0;
}

/* ---- events from the SIP side ------------------------------------------ */

static void warning_text(const struct pint_status_ev *ev, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!ev->has_warning)
		return;
	if (ev->warning.code)
		gw_rq_text(buf, size, "%03u %s", (unsigned)ev->warning.code,
			 ev->warning.text);
	else
		snprintf(buf, size, "%s", ev->warning.text);
}

/* The cancel answer text of a 606 to our BYE. */
static const char *abort_text(const struct pint_status_ev *ev)
{
	if (ev->info[0])
		return ev->info;
	if (ev->has_warning && ev->warning.text[0])
		return ev->warning.text;
	if (ev->reason[0])
		return ev->reason;
	return "the gateway cannot abort the service";
}

static enum pint_outcome default_outcome(enum pint_status s)
{
	switch (s) {
	case PINT_STATUS_COMPLETED: return PINT_OUTCOME_OK;
	case PINT_STATUS_CANCELED: return PINT_OUTCOME_CANCELED;
	case PINT_STATUS_EXPIRED: return PINT_OUTCOME_EXPIRED;
	default: return PINT_OUTCOME_ERROR;
	}
}

/*
 * The transition rule (DESIGN.md §4): forward only, terminal is final; an
 * event that moves nothing (its status NONE, the same, or backwards) is
 * evidence, recorded (same status) only when it brings a new info or
 * Warning text — "3 of 5 pages sent" — so repeats and stale news leave
 * no trace. A 606 to our BYE answers waiting cancels with EBUSY.
 */
static void on_event(struct rq *q, const struct pint_status_ev *ev)
{
	char warn[RQ_TEXT_SIZE];
	struct gw_rq_change c;
	struct pub *p = NULL;
	enum pint_status to = ev->status;
	bool moves, fresh = false;

	if (ev->stale)
		return;
	moves = to != PINT_STATUS_NONE && to != q->status &&
		pint_status_may_follow(q->status, to);
	warning_text(ev, warn, sizeof(warn));
	memset(&c, 0, sizeof(c));
	c.by = ev->by;
	c.sip_code = ev->sip_code;
	c.reason = ev->reason;
	c.warning = warn[0] ? warn : NULL;
	c.has_sip = ev->sip_code || warn[0];
	c.info = ev->info[0] ? ev->info : NULL;
	if (moves) {
		c.status = to;
		if (!c.info && ev->by == PINT_STATUS_BY_PINTGW && !ev->sip_code &&
		    ev->reason[0])
			c.info = ev->reason;
		if (pint_status_is_terminal(to))
			c.outcome = ev->outcome ? ev->outcome : default_outcome(to);
		/* 482 to a resend (with a new branch: a row stored without
		 * one): the gateway still has the first attempt (RFC 3261
		 * §8.2.2.2), whose fate is not known here */
		if (q->resent && to == PINT_STATUS_FAILED && ev->sip_code == 482) {
			c.outcome = PINT_OUTCOME_INTERRUPTED;
			c.info = "pintgw restarted; the gateway still works on the "
				 "first attempt (482), its outcome is not known";
		}
	} else {
		fresh = (c.info && !gw_rq_str_eq(c.info, q->row.info)) ||
			(c.warning && !gw_rq_str_eq(c.warning, q->row.warning));
		if (!fresh && !ev->cannot_abort)
			return;
		c.status = q->status;
	}
	if ((moves || fresh) && gw_rq_record(q, &c, &p))
		p = NULL;
	if (q->ended)
		gw_rq_cancel_settle(q, q->end_pub, q->status == PINT_STATUS_CANCELED ?
				    0 : EALREADY, NULL);
	else if (ev->cannot_abort && q->canceling)
		gw_rq_cancel_settle(q, p, EBUSY, abort_text(ev));
}

/*
 * gw_sip's event handler (arg: the gw_reqs). Events for a ref that is no
 * longer live (ended, freed, unknown) are dropped.
 */
void gw_reqs_sip_event(uint64_t ref, const struct pint_status_ev *ev,
		       void *arg)
{
	struct gw_reqs *r = arg;
	struct rq *q;

	if (!r || !ev || r->closing)
		return;
	q = gw_rq_find_ref(r, ref);
	if (!q || !q->in_sip || q->ended || q->dead)
		return;
	on_event(q, ev);
}

