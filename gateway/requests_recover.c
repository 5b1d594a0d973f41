/*
 * gateway/requests_recover.c — finishing what a crash or restart
 * interrupted (DESIGN.md §5), from the store's live rows only.
 *
 *   queued      waits on: its timer is armed again (start_at), it
 *               expires if stop_at has passed, or it is sent on the
 *               first loop turn (never from inside the scan);
 *   sending     failed/interrupted: a resend must repeat the first
 *               attempt's Call-ID, From tag and CSeq to be recognised,
 *               and the store keeps only the Call-ID;
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

struct recovery {
	struct gw_reqs *r;
	size_t live, queued, watched, interrupted, skipped;
};

/* "track" of the stored request: false only when it says so. */
static bool spec_tracked(const char *spec)
{
	json_t *root, *v;
	bool track = true;

	if (!spec)
		return true;
	root = json_loads(spec, 0, NULL);
	v = root ? json_object_get(root, "track") : NULL;
	if (v && json_is_false(v))
		track = false;
	json_decref(root);
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
		interrupt(rc, q, "pintgw restarted before the gateway answered; "
			  "not resent: the first attempt's identities are not stored");
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
	err = gw_store_scan_live(r->store, recover_h, &rc);
	snprintf(text, sizeof(text), "%zu live: %zu queued, %zu re-watched, "
		 "%zu interrupted", rc.live, rc.queued, rc.watched, rc.interrupted);
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
