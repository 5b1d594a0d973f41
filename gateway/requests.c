/*
 * gateway/requests.c — the request table: its lists and lookups, the
 * life of a struct rq, create, scheduling by start_at/stop_at, starting
 * the call, lifetime, drain and counters.
 *
 * The state machine (DESIGN.md §4) is in requests_event.c: on_event()
 * decides what an event from gw_sip means for a request, gw_rq_record()
 * writes the one event and the row it leaves (gw_rq_set_status() here keeps
 * the counters). Every recorded event goes to the store first; the
 * created handler, the published hook and cancel answers run in the
 * commit's callback, so nothing is claimed that is not on disk, and an
 * INVITE leaves only from the commit of its "sending", which holds its
 * identities (gw_rq_call_start), so nothing is sent that is not on disk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <jansson.h>

#include "gateway/log.h"
#include "gateway/requests_int.h"
#include "pint/tel.h"
#include "web/json.h"

#define ID_PREFIX "rq_"
#define ID_TIME_CHARS 8u        /* base62 ms since 1970: to year 8000 */
#define ID_RAND_CHARS 17u       /* base62 from getrandom: 101 bits */
_Static_assert(sizeof(ID_PREFIX) - 1 + ID_TIME_CHARS + ID_RAND_CHARS + 1 == GW_REQ_ID_SIZE,
	       "GW_REQ_ID_SIZE is the prefix, the time, the random part and a NUL");
#define MASK_SIZE (PINT_TEL_E164_SIZE + PINT_TEL_MAX_INPUT)

static const char base62[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* ---- lists -------------------------------------------------------------- */

void gw_rq_list_init(struct gw_link *head)
{
	head->prev = head;
	head->next = head;
}

bool gw_rq_list_empty(const struct gw_link *head)
{
	return head->next == head;
}

void gw_rq_list_add(struct gw_link *head, struct gw_link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

/* Unlink l; a node on no list (NULL links) is left alone. */
void gw_rq_list_del(struct gw_link *l)
{
	if (!l->next)
		return;
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = NULL;
	l->next = NULL;
}

/* Append every node of from to to; from is empty after. */
void gw_rq_list_move(struct gw_link *to, struct gw_link *from)
{
	while (!gw_rq_list_empty(from)) {
		struct gw_link *l = from->next;

		gw_rq_list_del(l);
		gw_rq_list_add(to, l);
	}
}

/* ---- small helpers ------------------------------------------------------ */

/* Wall clock, Unix ms: event times, start_at/stop_at. */
int64_t gw_rq_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A heap copy of s (NULL stays NULL): 0 or ENOMEM. */
int gw_rq_dup_str(char **dst, const char *s)
{
	size_t n;

	*dst = NULL;
	if (!s)
		return 0;
	n = strlen(s);
	*dst = malloc(n + 1);
	if (!*dst)
		return ENOMEM;
	memcpy(*dst, s, n + 1);
	return 0;
}

/* A text for an event or a log line, cut to size (the JSON layer cleans
 * a cut UTF-8 sequence). */
void gw_rq_text(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(buf, size, fmt, ap) < 0 && size)
		buf[0] = '\0';
	va_end(ap);
}

/* Equal strings, or both NULL. */
bool gw_rq_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A copy of src without its spec and sdp (published rows), its strings
 * in one block, *mem: free it with gw_store_req_unpack(). */
int gw_rq_row_dup(struct gw_store_req *dst, const struct gw_store_req *src, char **mem)
{
	struct gw_store_req tmp = *src;

	tmp.spec = NULL;
	tmp.sdp = NULL;
	return gw_store_req_pack(dst, &tmp, mem);
}

/* One line about q: req=<id> and one more field (key NULL: none). */
void gw_rq_log(enum log_level level, const char *msg, const struct rq *q,
	       const char *key, const char *val)
{
	log_kv(level, msg, "req", q->row.id, "status", pint_status_name(q->status),
	       key, val, NULL);
}

static void mask(const struct gw_reqs *r, const char *number, char *buf,
		 size_t size)
{
	if (!number)
		snprintf(buf, size, "-");
	else if (!r->conf->main.mask_numbers)
		snprintf(buf, size, "%s", number);
	else if (pint_tel_mask(number, buf, size))
		snprintf(buf, size, "?");
}

/* len bytes from the OS RNG: 0 or an errno. */
int gw_rq_rand(uint8_t *buf, size_t len)
{
	ssize_t got = getrandom(buf, len, 0);

	if (got == (ssize_t)len)
		return 0;
	return got < 0 ? errno : EIO;
}

/*
 * "rq_", the creation time (ID_TIME_CHARS base62 digits of Unix ms, most
 * significant first) and ID_RAND_CHARS base62 characters from getrandom
 * (no modulo bias). The store keys requests, their specs and their
 * events by id: random ids put every insert on a random page of those
 * B-trees, so each commit wrote a page per request to the WAL, and the
 * checkpointer copied it back, across the whole file. With the time
 * first, inserts land at the end of each tree (bench closed loop after
 * 8 s: 3 500 -> 5 000 creates/s, checkpointer CPU -78 %, p99 at
 * 2 000/s 10-16 ms -> 3-5 ms). Ids still sort by creation only as well
 * as the clock goes forward; uniqueness rests on the random part.
 */
static int make_id(char id[GW_REQ_ID_SIZE])
{
	char *p = id + sizeof(ID_PREFIX) - 1;
	int64_t ms = gw_rq_wall_ms();
	uint64_t t = ms > 0 ? (uint64_t)ms : 0;
	uint8_t buf[64];
	size_t n = 0, i = 0;
	int err;

	memcpy(id, ID_PREFIX, sizeof(ID_PREFIX) - 1);
	for (n = ID_TIME_CHARS; n > 0; n--) {
		p[n - 1] = base62[t % 62];
		t /= 62;
	}
	p += ID_TIME_CHARS;
	while (n < ID_RAND_CHARS) {
		if (i == 0 || i == sizeof(buf)) {
			err = gw_rq_rand(buf, sizeof(buf));
			if (err)
				return err;
			i = 0;
		}
		if (buf[i] < 248)       /* 4 * 62 */
			p[n++] = base62[buf[i] % 62];
		i++;
	}
	p[n] = '\0';
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

static bool id_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	const struct rq *q = RQ_ENTRY(n, struct rq, id_node);

	(void)arg;
	return strcmp(q->row.id, key) == 0;
}

static bool ref_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	const struct rq *q = RQ_ENTRY(n, struct rq, ref_node);

	(void)arg;
	return q->ref == *(const uint64_t *)key;
}

static uint64_t id_hash(const struct gw_reqs *r, const char *id)
{
	return pint_hash_sip(r->sipkey, id, strlen(id));
}

/* The live request called id, or NULL. */
struct rq *gw_rq_find_id(const struct gw_reqs *r, const char *id)
{
	struct pint_hash_node *n;

	n = pint_hash_find(&r->by_id, id_hash(r, id), id_eq, id, NULL);
	return n ? RQ_ENTRY(n, struct rq, id_node) : NULL;
}

/* The live request behind gw_sip's ref, or NULL. */
struct rq *gw_rq_find_ref(const struct gw_reqs *r, uint64_t ref)
{
	struct pint_hash_node *n;

	n = pint_hash_find(&r->by_ref, pint_hash_u64(ref), ref_eq, &ref, NULL);
	return n ? RQ_ENTRY(n, struct rq, ref_node) : NULL;
}

/* A new request in the table (row.id set, the rest empty). */
int gw_rq_new(struct gw_reqs *r, struct rq **qp, const char *id)
{
	struct rq *q = calloc(1, sizeof(*q));
	int err;

	if (!q)
		return ENOMEM;
	q->r = r;
	q->ref = r->next_ref++;
	gw_rq_list_init(&q->cancels);
	err = gw_rq_dup_str(&q->row.id, id);
	if (!err)
		err = pint_hash_insert(&r->by_id, &q->id_node, id_hash(r, id));
	if (!err) {
		err = pint_hash_insert(&r->by_ref, &q->ref_node,
				       pint_hash_u64(q->ref));
		if (err)
			pint_hash_remove(&r->by_id, &q->id_node);
	}
	if (err) {
		free(q->row.id);
		free(q);
		return err;
	}
	*qp = q;
	return 0;
}

/*
 * Counters and the in-flight gauge follow every status change: by_status
 * counts live requests per status and, for terminal statuses, how many
 * ended so; NONE takes a request out (freed before its end).
 */
void gw_rq_set_status(struct rq *q, enum pint_status to,
		      enum pint_outcome outcome)
{
	struct gw_reqs_stats *st = &q->r->st;
	enum pint_status from = q->status;

	if (from == to)
		return;
	if (from != PINT_STATUS_NONE && from < 16)
		st->by_status[from]--;
	if (from == PINT_STATUS_SENDING || from == PINT_STATUS_PROCEEDING)
		q->r->in_flight--;
	if (to != PINT_STATUS_NONE && to < 16)
		st->by_status[to]++;
	if (to == PINT_STATUS_SENDING || to == PINT_STATUS_PROCEEDING)
		q->r->in_flight++;
	if (pint_status_is_terminal(to) && outcome < 16)
		st->by_outcome[outcome]++;
	q->status = to;
}

/* Stop q's timer (and count it out of the scheduled gauge). */
void gw_rq_unarm(struct rq *q)
{
	if (gw_timer_pending(&q->timer))
		gw_timer_stop(q->r->loop, &q->timer);
	if (q->scheduled) {
		q->scheduled = false;
		q->r->st.scheduled--;
	}
}

static void gw_rq_free(struct rq *q)
{
	gw_rq_unarm(q);
	gw_rq_fetch_stop(q);
	while (!gw_rq_list_empty(&q->cancels)) {
		struct gw_link *l = q->cancels.next;

		gw_rq_list_del(l);
		gw_rq_cancel_free(RQ_ENTRY(l, struct cancel_op, link));
	}
	gw_store_req_clear(&q->row);
	gw_spec_free(q->spec);
	free(q);
}

/*
 * Take q out of the table now (later lookups miss it: STYLE.md rule 8)
 * and free it at the turn end. Waiting cancels are answered EALREADY.
 */
void gw_rq_kill(struct rq *q)
{
	struct gw_reqs *r = q->r;

	if (q->dead)
		return;
	q->dead = true;
	if (!pint_status_is_terminal(q->status))
		gw_rq_set_status(q, PINT_STATUS_NONE, PINT_OUTCOME_NONE);
	gw_rq_unarm(q);
	pint_hash_remove(&r->by_id, &q->id_node);
	pint_hash_remove(&r->by_ref, &q->ref_node);
	gw_rq_cancel_settle(q, NULL, EALREADY, NULL);
	gw_rq_list_add(&r->reap, &q->reap);
	gw_rq_defer(r);
}

static void defer_h(void *arg)
{
	struct gw_reqs *r = arg;

	gw_rq_cancel_run_answers(r);
	while (!gw_rq_list_empty(&r->reap)) {
		struct gw_link *l = r->reap.next;

		gw_rq_list_del(l);
		gw_rq_free(RQ_ENTRY(l, struct rq, reap));
	}
}

/* Run the answers and frees queued on r at the end of this turn. */
void gw_rq_defer(struct gw_reqs *r)
{
	if (r->loop && !gw_defer_pending(&r->defer))
		gw_loop_defer(r->loop, &r->defer, defer_h, r);
}

/* ---- scheduling and starting -------------------------------------------- */

static void timer_h(void *arg)
{
	struct rq *q = arg;

	if (q->scheduled) {
		q->scheduled = false;
		q->r->st.scheduled--;
	}
	gw_rq_schedule(q);
}

/* Wake q at wall time at: its start_at (scheduled) or its stop_at. */
static void arm(struct rq *q, int64_t at, int64_t now, bool scheduled)
{
	int err;

	err = gw_timer_start(q->r->loop, &q->timer, (uint64_t)(at - now),
			     timer_h, q);
	if (err) {
		gw_rq_log(LOG_LEVEL_ERR, "requests: timer not armed", q, "error",
			  strerror(err));
		return;
	}
	q->scheduled = scheduled;
	if (scheduled)
		q->r->st.scheduled++;
}

/* The spec of a request recovered from the store, built when needed;
 * why gets the reason it cannot be. */
int gw_rq_ensure_spec(struct rq *q, char *why, size_t size)
{
	struct web_json_err e;
	int err;

	if (q->spec)
		return 0;
	if (!q->row.spec) {
		snprintf(why, size, "the stored request has no spec");
		return EINVAL;
	}
	memset(&e, 0, sizeof(e));
	err = gw_spec_recover(&q->spec, q->row.spec, strlen(q->row.spec),
			      q->r->conf, q->row.owner, &e);
	if (err == EBADMSG)
		gw_rq_text(why, size, "stored request no longer valid: %s", e.message);
	else if (err)
		gw_rq_text(why, size, "stored request not rebuilt: %s", strerror(err));
	if (err)
		return err;
	free(q->row.spec);
	q->row.spec = NULL;
	return 0;
}

/*
 * Send q: content items with "fetch": true are fetched first (the request
 * stays queued meanwhile; requests_fetch.c comes back here); then its
 * identities are chosen and recorded with "sending"; the INVITE leaves
 * only at that commit (gw_rq_call_start), so a crash never leaves an
 * INVITE on the wire that the store does not know.
 */
static void start_call(struct rq *q)
{
	struct gw_rq_change c;
	struct gw_rq_ids ids;
	char why[RQ_TEXT_SIZE];
	int err;

	if (!q->r->sip) {
		gw_rq_end(q, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR,
			  "no SIP side to send the request");
		return;
	}
	if (gw_rq_ensure_spec(q, why, sizeof(why))) {
		gw_rq_end(q, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR, why);
		return;
	}
	if (gw_rq_fetch_needed(q)) {
		gw_rq_fetch_start(q, false);
		return;
	}
	err = gw_rq_new_ids(&ids);
	if (err) {
		gw_rq_text(why, sizeof(why), "no identities for the call: %s",
			   strerror(err));
		gw_rq_end(q, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR, why);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.status = PINT_STATUS_SENDING;
	c.by = PINT_STATUS_BY_PINTGW;
	c.info = gw_rq_fetch_note(q);
	c.ids = &ids;
	c.start = true;
	err = gw_rq_record(q, &c, NULL);
	if (err) {
		gw_rq_text(why, sizeof(why), "the request could not be recorded: %s",
			   strerror(err));
		gw_rq_end(q, PINT_STATUS_FAILED, PINT_OUTCOME_ERROR, why);
	}
}

/*
 * The commit of an attempt's "sending": the identities are on disk, the
 * INVITE may leave, with exactly them (pint/ua's resume: the CSeq before
 * the INVITE's; the branch, NULL for a row an older pintgw stored, makes
 * a resend a retransmission of the first INVITE). It goes to the gateway
 * the row names (a resend: where the first attempt went), else to the
 * request's, else to any.
 */
void gw_rq_call_start(struct rq *q)
{
	struct gw_reqs *r = q->r;
	/* a resend that cannot go is as interrupted as one refused */
	enum pint_outcome fail = q->resent ? PINT_OUTCOME_INTERRUPTED : PINT_OUTCOME_ERROR;
	struct pint_ua_call_params p;
	struct pint_ua_resume res;
	char why[RQ_TEXT_SIZE];
	int err;

	q->starting = false;
	if (!r->sip || !q->spec) {
		gw_rq_end(q, PINT_STATUS_FAILED, fail, "no SIP side to send the request");
		return;
	}
	gw_spec_svc_req(q->spec, &q->svc);
	memset(&res, 0, sizeof(res));
	res.call_id = q->row.call_id;
	res.from_tag = q->row.from_tag;
	res.cseq = q->row.cseq - 1;
	res.sess_id = q->row.sess_id;
	res.branch = q->row.branch;
	memset(&p, 0, sizeof(p));
	p.req = &q->svc;
	p.gateway = q->row.gateway ? q->row.gateway : q->spec->gateway;
	p.ring_timeout_ms = q->spec->ring_timeout_ms;
	p.track = q->spec->track;
	p.resume = &res;
	/* the ua's events may come before gw_sip_call_start returns */
	q->in_sip = true;
	err = gw_sip_call_start(r->sip, q->ref, &p);
	if (!err) {
		gw_rq_note_call(q);
		/* pint/ua copied what it needs (its body, the A party): a
		 * ringing request does not keep the spec; a resend after a
		 * restart builds it again from the store */
		gw_spec_free(q->spec);
		q->spec = NULL;
		memset(&q->svc, 0, sizeof(q->svc));
		return;
	}
	q->in_sip = false;
	if (err == ENOENT && p.gateway) {
		gw_rq_text(why, sizeof(why), "gateway '%s' is not available", p.gateway);
		gw_rq_end(q, PINT_STATUS_FAILED, q->resent ? fail : PINT_OUTCOME_UNREACHABLE,
			  why);
		return;
	}
	snprintf(why, sizeof(why), "the request could not be sent: %s", strerror(err));
	gw_rq_end(q, PINT_STATUS_FAILED, fail, why);
}

/*
 * A queued request: expire it once stop_at has passed, wait for its
 * start_at, hold it while draining (until stop_at), else send it. A
 * recovered "sending" one marked resend is sent again (also draining:
 * it is in flight already).
 */
void gw_rq_schedule(struct rq *q)
{
	struct gw_reqs *r = q->r;
	int64_t now = gw_rq_wall_ms();

	if (q->resend && !q->ended && !q->dead) {
		q->resend = false;
		gw_rq_resend(q);
		return;
	}
	if (q->status != PINT_STATUS_QUEUED || q->ended || q->dead ||
	    gw_timer_pending(&q->timer))
		return;
	if (q->row.stop_at && q->row.stop_at <= now) {
		gw_rq_end(q, PINT_STATUS_EXPIRED, PINT_OUTCOME_EXPIRED,
			  "stop_at passed before the request could be sent");
		return;
	}
	if (q->row.start_at > now) {
		arm(q, q->row.start_at, now, true);
		return;
	}
	if (r->draining) {
		if (q->row.stop_at)
			arm(q, q->row.stop_at, now, false);
		return;
	}
	start_call(q);
}

/* Look at q on the next turn (recovery: no INVITE from a scan). */
void gw_rq_wake(struct rq *q)
{
	int64_t now = gw_rq_wall_ms();

	if (!gw_timer_pending(&q->timer))
		arm(q, now, now, false);
}

/* ---- create ------------------------------------------------------------- */

static int fill_row(struct rq *q, const struct gw_spec *spec, int64_t now)
{
	struct gw_store_req *row = &q->row;
	int err;

	row->created_at = now;
	row->updated_at = now;
	row->start_at = spec->start_at;
	row->stop_at = spec->stop_at;
	row->last_seq = 1;
	err = gw_rq_dup_str(&row->owner, spec->owner);
	if (!err)
		err = gw_rq_dup_str(&row->service, spec->service);
	if (!err)
		err = gw_rq_dup_str(&row->status, pint_status_name(PINT_STATUS_QUEUED));
	if (!err)
		err = gw_rq_dup_str(&row->to_input, spec->to_input);
	if (!err)
		err = gw_rq_dup_str(&row->to_number, spec->to.e164[0] ? spec->to.e164 : NULL);
	if (!err)
		err = gw_rq_dup_str(&row->from_input, spec->from_input);
	if (!err)
		err = gw_rq_dup_str(&row->from_number, spec->from.e164[0] ?
			      spec->from.e164 : NULL);
	if (!err)
		err = gw_rq_dup_str(&row->client_state, spec->client_state);
	if (!err)
		err = gw_rq_dup_str(&row->webhook, spec->webhook_json);
	return err;
}

/*
 * Store a new request (spec is the table's from here on, also on error):
 * its row and event 1 "queued" go to this turn's commit; after it, h gets
 * the stored row (or the store's errno: nothing was created), listeners
 * get event 1, and the request is sent at start_at (now if none). 0: h
 * will be called once. EAGAIN: max_pending live requests, or draining;
 * EINVAL (no owner or spec JSON), ENOMEM: h is not called.
 */
int gw_reqs_create(struct gw_reqs *r, struct gw_spec *spec,
		   gw_reqs_created_h *h, void *arg)
{
	char id[GW_REQ_ID_SIZE], to[MASK_SIZE];
	struct rq *q = NULL;
	int64_t now;
	int err;

	if (!r || !spec || !spec->owner || !spec->service || !spec->json || !h) {
		err = EINVAL;
		goto out;
	}
	if (r->draining || (r->conf->main.max_pending &&
			    gw_reqs_live(r) >= r->conf->main.max_pending)) {
		err = EAGAIN;
		goto out;
	}
	err = make_id(id);
	if (!err)
		err = gw_rq_new(r, &q, id);
	if (err)
		goto out;
	q->spec = spec;
	spec = NULL;
	now = gw_rq_wall_ms();
	err = fill_row(q, q->spec, now);
	if (!err)
		err = gw_rq_record_create(q, now);
	if (err) {
		pint_hash_remove(&r->by_id, &q->id_node);
		pint_hash_remove(&r->by_ref, &q->ref_node);
		gw_rq_free(q);
		goto out;
	}
	q->created_h = h;
	q->created_arg = arg;
	gw_rq_set_status(q, PINT_STATUS_QUEUED, PINT_OUTCOME_NONE);
	r->st.created++;
	r->st.events++;
	mask(r, q->row.to_number ? q->row.to_number : q->row.to_input, to, sizeof(to));
	log_kv(LOG_LEVEL_INFO, "requests: created", "req", q->row.id, "owner",
	       q->row.owner, "service", q->row.service, "to", to, NULL);
out:
	gw_spec_free(spec);
	return err;
}

/* ---- lifetime ----------------------------------------------------------- */

/*
 * A request table on loop and store. conf is borrowed until the next
 * gw_reqs_reload (or the free); hooks are copied (may be NULL). sip may be
 * NULL here and set with gw_reqs_set_sip, since gw_sip_alloc wants this
 * table as its event handler's argument.
 */
int gw_reqs_alloc(struct gw_reqs **rp, struct gw_loop *loop,
		  struct gw_store *store, struct gw_sip *sip,
		  const struct gw_conf *conf, const struct gw_reqs_hooks *hooks)
{
	struct gw_reqs *r;

	if (!rp || !loop || !store || !conf)
		return EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	if (getrandom(r->sipkey, sizeof(r->sipkey), 0) != (ssize_t)sizeof(r->sipkey)) {
		free(r);
		return EIO;
	}
	r->loop = loop;
	r->store = store;
	r->sip = sip;
	r->conf = conf;
	if (hooks)
		r->hooks = *hooks;
	r->next_ref = 1;
	pint_hash_init(&r->by_id);
	pint_hash_init(&r->by_ref);
	gw_rq_list_init(&r->pubs);
	gw_rq_list_init(&r->answers);
	gw_rq_list_init(&r->reap);
	*rp = r;
	return 0;
}

/* The SIP side, once it exists (see gw_reqs_alloc). */
void gw_reqs_set_sip(struct gw_reqs *r, struct gw_sip *sip)
{
	if (r)
		r->sip = sip;
}

static void free_node(struct pint_hash_node *n, void *arg)
{
	(void)arg;
	gw_rq_free(RQ_ENTRY(n, struct rq, id_node));
}

/*
 * Free the table. What it queued is committed first (its callbacks then
 * call no handler), so the store may be freed after. No handler or hook
 * runs from here on. Free gw_sip first: its events name this table.
 */
void gw_reqs_free(struct gw_reqs *r)
{
	if (!r)
		return;
	r->closing = true;
	if (!gw_rq_list_empty(&r->pubs))
		(void)gw_store_commit(r->store);
	while (!gw_rq_list_empty(&r->pubs)) {
		/* only if the store could not commit: it keeps the rows */
		struct gw_link *l = r->pubs.next;

		gw_rq_list_del(l);
		gw_rq_pub_free(RQ_ENTRY(l, struct pub, link));
	}
	gw_loop_defer_cancel(r->loop, &r->defer);
	while (!gw_rq_list_empty(&r->answers)) {
		struct gw_link *l = r->answers.next;

		gw_rq_list_del(l);
		gw_rq_cancel_free(RQ_ENTRY(l, struct cancel_op, link));
	}
	while (!gw_rq_list_empty(&r->reap)) {
		struct gw_link *l = r->reap.next;

		gw_rq_list_del(l);
		gw_rq_free(RQ_ENTRY(l, struct rq, reap));
	}
	pint_hash_reset(&r->by_ref, NULL, NULL);
	pint_hash_reset(&r->by_id, free_node, NULL);
	free(r);
}

/* A new configuration: live requests keep their specs; new keys, services
 * and limits apply to what is created (or recovered) from now on. */
void gw_reqs_reload(struct gw_reqs *r, const struct gw_conf *conf)
{
	if (r && conf)
		r->conf = conf;
}

/* SIGTERM: refuse creates (EAGAIN) and start no call; queued requests
 * stay queued in the store for the next start. */
void gw_reqs_drain(struct gw_reqs *r)
{
	if (r)
		r->draining = true;
}

/* True when no INVITE awaits its answer and nothing waits for a commit
 * or an answer: the process may exit (accepted services are re-watched
 * after the restart, queued ones wait in the store). */
bool gw_reqs_idle(const struct gw_reqs *r)
{
	return !r || (!r->in_flight && gw_rq_list_empty(&r->pubs) &&
		      gw_rq_list_empty(&r->answers));
}

/* Counters and gauges for /metrics (see struct gw_reqs_stats). */
void gw_reqs_stats(const struct gw_reqs *r, struct gw_reqs_stats *st)
{
	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	if (!r)
		return;
	*st = r->st;
	st->live = gw_reqs_live(r);
}

/* Live (non-terminal) requests in memory. */
size_t gw_reqs_live(const struct gw_reqs *r)
{
	return r ? pint_hash_count(&r->by_id) : 0;
}

struct dump {
	struct pint_mbuf *mb;
	int err;
};

static void dump_node(struct pint_hash_node *n, void *arg)
{
	const struct rq *q = RQ_ENTRY(n, struct rq, id_node);
	struct dump *d = arg;

	if (d->err)
		return;
	d->err = pint_mbuf_printf(d->mb, "req %s ref=%" PRIu64 " status=%s seq=%" PRIu32
				  " start_at=%" PRId64 " stop_at=%" PRId64
				  " timer=%d sip=%d canceling=%d cancels=%d ended=%d\n",
				  q->row.id, q->ref, pint_status_name(q->status),
				  q->row.last_seq, q->row.start_at, q->row.stop_at,
				  gw_timer_pending(&q->timer), q->in_sip, q->canceling,
				  !gw_rq_list_empty(&q->cancels), q->ended);
}

/* One line of counters, then one per live request (STYLE.md rule 11);
 * EMSGSIZE when mb's limit is reached. */
int gw_reqs_debug(const struct gw_reqs *r, struct pint_mbuf *mb)
{
	struct dump d = {mb, 0};

	if (!r || !mb)
		return EINVAL;
	d.err = pint_mbuf_printf(mb, "requests: live=%zu in_flight=%zu scheduled=%"
				 PRIu64 " pending_commits=%d draining=%d\n",
				 gw_reqs_live(r), r->in_flight, r->st.scheduled,
				 !gw_rq_list_empty(&r->pubs), r->draining);
	pint_hash_foreach(&r->by_id, dump_node, &d);
	return d.err;
}
