/*
 * gateway/requests_recover.c — what makes a request survive a crash: the
 * SIP identities of an attempt, chosen here and stored with "sending"
 * before its INVITE leaves (requests.c start_call), and finishing what a
 * crash or restart interrupted (DESIGN.md §5), from the store's live
 * rows only.
 *
 *   queued      waits on: its timer is armed again (start_at), it
 *               expires if stop_at has passed, or it is sent on the
 *               first loop turn (never from inside the scan);
 *   sending     no answer was recorded: sent again on the first loop
 *               turn as the same request (gw_rq_resend): the stored
 *               Call-ID, From tag, CSeq, session id and Via branch, to
 *               the gateway of the first attempt. Its INVITE may never
 *               have left (the identities are stored before it is sent);
 *               a gateway that got it holds its transaction until 64*T1
 *               after a final answer nobody acknowledged, and meanwhile
 *               takes the resend for a retransmission (same branch and
 *               CSeq) and answers it again, not with a second call; a
 *               row stored without a branch (an older pintgw) goes with
 *               a new one, which such a gateway answers as a merged
 *               request (RFC 3261 §8.2.2.2: 482, failed/interrupted).
 *               Past that window the transaction is gone and the resend
 *               would be a new call. Hence only within 64*T1 of the
 *               attempt, and only when no other gateway can have taken
 *               the call over (pint/ua fails over to another gateway,
 *               with new identities and no event, unless there is one or
 *               the request names its own);
 *               else, and for rows stored without identities,
 *               failed/interrupted. Fetched content is not stored: a
 *               request with "fetch": true items fetches them again
 *               first (requests_fetch.c), and a failure then is
 *               failed/interrupted too;
 *   proceeding  failed/interrupted: a 1xx came, a phone may have rung:
 *               a second INVITE could dial twice;
 *   accepted,   the status subscription is re-established (gw_sip_watch)
 *   active      and the request waits for its end as before; one that
 *               was not tracked, or whose gateway or SDP is unknown,
 *               fails as interrupted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gateway/log.h"
#include "gateway/requests_int.h"

/* Timer H: how long a gateway keeps an INVITE transaction after a final
 * answer nobody acknowledged, in T1s. */
#define RESEND_WINDOW_T1 64u

struct recovery {
	struct gw_reqs *r;
	int64_t now;
	size_t live, queued, resent, watched, interrupted, skipped;
};

/* ---- identities ---------------------------------------------------------- */

_Static_assert(PINT_UA_RAND_BYTES == 16, "rand_token encodes 16 bytes");

#define RQ_TOKEN_LEN 22u        /* rand_token's characters */
#define RQ_COOKIE_LEN (sizeof(PINT_REQ_BRANCH_COOKIE) - 1u)
_Static_assert(RQ_COOKIE_LEN + RQ_TOKEN_LEN < RQ_ID_SIZE, "a branch fits");

/* 128 random bits as 22 URL-safe characters, pint/ua's token form. */
static int rand_token(char buf[RQ_ID_SIZE])
{
	uint8_t r[PINT_UA_RAND_BYTES];
	int err = gw_rq_rand(r, sizeof(r));

	if (!err)
		pint_ua_token(buf, r);
	return err;
}

/* A Via branch: the RFC 3261 cookie and a token, like pint/ua's. */
static int rand_branch(char buf[RQ_ID_SIZE])
{
	char tok[RQ_ID_SIZE];
	int err = rand_token(tok);

	if (err)
		return err;
	memcpy(buf, PINT_REQ_BRANCH_COOKIE, RQ_COOKIE_LEN);
	memcpy(buf + RQ_COOKIE_LEN, tok, RQ_TOKEN_LEN + 1u);
	return 0;
}

/* 128 random bits in decimal (SDP o= wants digits), pint/ua's form. */
static int rand_decimal(char buf[RQ_ID_SIZE])
{
	uint8_t r[PINT_UA_RAND_BYTES];
	int err = gw_rq_rand(r, sizeof(r));

	if (!err)
		pint_ua_decimal(buf, r);
	return err;
}

/*
 * A new attempt's identities: fresh Call-ID, From tag, session id and Via
 * branch, and CSeq 1, what pint/ua would choose itself. start_call stores
 * them with "sending" and hands them to pint/ua as a resume, so that what
 * is on disk is what went out, and a resend can repeat it: the same
 * INVITE again, a retransmission to a gateway that got the first.
 */
int gw_rq_new_ids(struct gw_rq_ids *ids)
{
	int err = rand_token(ids->call_id);

	if (!err)
		err = rand_token(ids->from_tag);
	if (!err)
		err = rand_decimal(ids->sess_id);
	if (!err)
		err = rand_branch(ids->branch);
	ids->cseq = 1;
	return err;
}

/* ---- recovery ------------------------------------------------------------ */

/* What the stored request says: "track" (false only when it says so),
 * and whether it names a gateway. */
static void spec_facts(const char *spec, bool *trackp, bool *gatewayp)
{
	json_t *root, *v;

	*trackp = true;
	*gatewayp = false;
	if (!spec)
		return;
	root = json_loads(spec, 0, NULL);
	v = root ? json_object_get(root, "track") : NULL;
	if (v && json_is_false(v))
		*trackp = false;
	v = root ? json_object_get(root, "gateway") : NULL;
	*gatewayp = json_is_string(v);
	json_decref(root);
}

static bool spec_tracked(const char *spec)
{
	bool track, gateway;

	spec_facts(spec, &track, &gateway);
	return track;
}

static void interrupt(struct recovery *rc, struct rq *q, const char *why)
{
	rc->interrupted++;
	rc->r->st.interrupted++;
	gw_rq_end(q, PINT_STATUS_FAILED, PINT_OUTCOME_INTERRUPTED, why);
}

static void rewatch(struct recovery *rc, struct rq *q)
{
	struct gw_reqs *r = rc->r;
	char why[RQ_TEXT_SIZE];
	int err;

	if (!spec_tracked(q->row.spec ? q->row.spec : NULL)) {
		interrupt(rc, q, "pintgw restarted; the service was not tracked, "
			  "its end cannot be known");
		return;
	}
	if (!r->sip || !q->row.gateway || !q->row.sdp || !q->row.sdp[0]) {
		interrupt(rc, q, "pintgw restarted; the service's gateway or "
			  "session is not known, it cannot be watched");
		return;
	}
	q->in_sip = true;
	/* events may come before this returns */
	err = gw_sip_watch(r->sip, q->ref, q->row.gateway, q->row.sdp,
			   strlen(q->row.sdp));
	if (!err) {
		rc->watched++;
		r->st.recovered++;
		return;
	}
	q->in_sip = false;
	gw_rq_text(why, sizeof(why), "pintgw restarted; the status subscription "
		 "could not be re-established: %s", strerror(err));
	interrupt(rc, q, why);
}

/*
 * Why the recovered "sending" q may not be sent again ("" if it may): no
 * identities (stored by an older pintgw), several gateways to fail over
 * to (the INVITE may be at another one, under identities not stored), or
 * too old for the gateway to know the first attempt still.
 */
static void resend_refusal(const struct recovery *rc, const struct rq *q,
			   char *why, size_t size)
{
	const struct gw_conf *conf = rc->r->conf;
	int64_t window = (int64_t)RESEND_WINDOW_T1 *
			 (conf->sip.t1 ? conf->sip.t1 : PINT_TSX_T1_MS);
	const struct gw_store_req *row = &q->row;
	bool track, gateway;

	why[0] = '\0';
	spec_facts(row->spec, &track, &gateway);
	if (!row->call_id || !row->from_tag || !row->sess_id || !row->cseq)
		snprintf(why, size, "pintgw restarted before the gateway answered; "
			 "not resent: the first attempt's identities are not stored");
	else if (!gateway && conf->ngateways != 1)
		snprintf(why, size, "pintgw restarted before the gateway answered; "
			 "not resent: it may have gone on to another gateway");
	else if (rc->now - row->updated_at > window)
		gw_rq_text(why, size, "pintgw restarted %lld s after the request was "
			   "sent; not resent: the gateway may no longer know the first "
			   "attempt", (long long)((rc->now - row->updated_at) / 1000));
}

/*
 * A recovered "sending" request, on the turn after the scan: the resend
 * is recorded (the same status, evidence) and goes out at its commit
 * with the stored identities (gw_rq_call_start).
 */
void gw_rq_resend(struct rq *q)
{
	struct gw_rq_change c;
	char why[RQ_TEXT_SIZE];
	int err;

	/* the first attempt's fate is not known: not resent, interrupted */
	if (gw_rq_ensure_spec(q, why, sizeof(why))) {
		gw_rq_end(q, PINT_STATUS_FAILED, PINT_OUTCOME_INTERRUPTED, why);
		return;
	}
	/* the fetched content is not stored: fetched again, then back here */
	if (gw_rq_fetch_needed(q)) {
		q->resent = true;
		gw_rq_fetch_start(q, true);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.status = PINT_STATUS_SENDING;
	c.by = PINT_STATUS_BY_PINTGW;
	c.info = "pintgw restarted before the gateway answered; sent again "
		 "as the same request";
	c.start = true;
	q->resent = true;
	err = gw_rq_record(q, &c, NULL);
	if (err) {
		gw_rq_text(why, sizeof(why), "pintgw restarted; the request could "
			   "not be sent again: %s", strerror(err));
		gw_rq_end(q, PINT_STATUS_FAILED, PINT_OUTCOME_INTERRUPTED, why);
	}
}

/* Move the scanned row into a new live request. */
static int adopt(struct gw_reqs *r, struct gw_store_req *row, struct rq **qp)
{
	struct rq *q;
	char *id;
	int err;

	err = gw_rq_new(r, &q, row->id);
	if (err)
		return err;
	id = q->row.id;
	q->row = *row;
	memset(row, 0, sizeof(*row));
	free(id);
	*qp = q;
	return 0;
}

static int recover_h(struct gw_store_req *row, void *arg)
{
	struct recovery *rc = arg;
	struct gw_reqs *r = rc->r;
	enum pint_status st;
	struct pint_pl name = pint_pl_str(row->status);
	char why[RQ_TEXT_SIZE];
	struct rq *q;
	int err;

	if (pint_status_from_name(&st, &name) || pint_status_is_terminal(st) ||
	    gw_rq_find_id(r, row->id)) {
		rc->skipped++;
		return 0;
	}
	err = adopt(r, row, &q);
	if (err)
		return err;
	rc->live++;
	gw_rq_set_status(q, st, PINT_OUTCOME_NONE);
	switch (st) {
	case PINT_STATUS_QUEUED:
		rc->queued++;
		r->st.recovered++;
		if (q->row.start_at > gw_rq_wall_ms() || r->draining)
			gw_rq_schedule(q);
		else
			gw_rq_wake(q);
		break;
	case PINT_STATUS_SENDING:
		resend_refusal(rc, q, why, sizeof(why));
		if (why[0]) {
			interrupt(rc, q, why);
			break;
		}
		rc->resent++;
		r->st.recovered++;
		q->resend = true;
		gw_rq_wake(q);
		break;
	case PINT_STATUS_PROCEEDING:
		interrupt(rc, q, "pintgw restarted while the gateway was working "
			  "on it; not resent, so the number is never dialled twice");
		break;
	default:
		rewatch(rc, q);
		break;
	}
	return 0;
}

/*
 * Take over the store's live requests after a start (see the top of this
 * file); call once, before the loop runs. msg gets a summary (also
 * logged). 0, or the store's errno (the requests met so far are kept).
 */
int gw_reqs_recover(struct gw_reqs *r, char *msg, size_t msgsize)
{
	struct recovery rc;
	char text[256];
	int err;

	if (!r)
		return EINVAL;
	memset(&rc, 0, sizeof(rc));
	rc.r = r;
	rc.now = gw_rq_wall_ms();
	err = gw_store_scan_live(r->store, recover_h, &rc);
	snprintf(text, sizeof(text), "%zu live: %zu queued, %zu resent, "
		 "%zu re-watched, %zu interrupted", rc.live, rc.queued, rc.resent,
		 rc.watched, rc.interrupted);
	if (msg && msgsize)
		snprintf(msg, msgsize, "%s", text);
	if (err) {
		log_kv(LOG_LEVEL_ERR, "requests: recovery stopped", "detail", text,
		       "error", strerror(err), NULL);
		return err;
	}
	log_kv(LOG_LEVEL_INFO, "requests: recovered", "detail", text, NULL);
	return 0;
}
