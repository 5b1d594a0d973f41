/*
 * gateway/requests_cancel.c — DELETE /v1/requests/{id} (API.md "Cancel").
 *
 * A queued request is canceled at once (its content fetch too), and so
 * is one whose "sending" is not committed yet, or whose resend after a
 * restart has not started (nothing of that attempt is on the wire); one on the wire is canceled by
 * the SIP side (CANCEL before the final answer, BYE after a 2xx) and the
 * answer waits for the event that settles it: canceled, a 606 to the BYE
 * (cannot abort) or another end. Every cancel waiting on a request gets
 * the same answer. Answers never run inside gw_reqs_cancel: they come
 * from the commit that stored the settling event, or at the turn end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/requests_int.h"

#define WATCHED_TEXT "pintgw restarted after the gateway accepted this " \
	"service: it can be watched, no longer stopped from here"

void gw_rq_cancel_free(struct cancel_op *op)
{
	if (!op)
		return;
	if (op->row_mem)
		gw_store_req_unpack(&op->row, &op->row_mem);
	else
		gw_store_req_clear(&op->row);
	free(op);
}

/* Answer op at the end of this turn. */
void gw_rq_cancel_answer(struct gw_reqs *r, struct cancel_op *op)
{
	gw_rq_list_add(&r->answers, &op->link);
	gw_rq_defer(r);
}

/* The turn end: the answers queued by gw_rq_cancel_answer, in order. */
void gw_rq_cancel_run_answers(struct gw_reqs *r)
{
	struct gw_link now;

	gw_rq_list_init(&now);
	gw_rq_list_move(&now, &r->answers);
	while (!gw_rq_list_empty(&now)) {
		struct gw_link *l = now.next;
		struct cancel_op *op = RQ_ENTRY(l, struct cancel_op, link);

		gw_rq_list_del(l);
		op->h(op->err, op->has_row ? &op->row : NULL,
		      op->info[0] ? op->info : NULL, op->arg);
		gw_rq_cancel_free(op);
	}
}

/*
 * Settle every cancel waiting on q with err (and info): at p's commit
 * with the row stored there; p NULL: at the commit of q's latest event if
 * it is still pending (an answer claims nothing that is not on disk),
 * else at the turn end with q's row as it stands.
 */
void gw_rq_cancel_settle(struct rq *q, struct pub *p, int err, const char *info)
{
	if (!p)
		p = q->last_pub;
	while (!gw_rq_list_empty(&q->cancels)) {
		struct gw_link *l = q->cancels.next;
		struct cancel_op *op = RQ_ENTRY(l, struct cancel_op, link);

		gw_rq_list_del(l);
		op->err = err;
		if (info)
			gw_rq_text(op->info, sizeof(op->info), "%s", info);
		if (p) {
			gw_rq_list_add(&p->cancels, l);
			continue;
		}
		op->has_row = !gw_rq_row_dup(&op->row, &q->row, &op->row_mem);
		gw_rq_cancel_answer(q->r, op);
	}
	q->canceling = false;
}

/* Not live in memory: ended (EALREADY), unknown (ENOENT), or not yet
 * recovered (EAGAIN); the committed row comes with the answer. */
static void from_store(struct gw_reqs *r, struct cancel_op *op,
		       const char *id, const char *owner)
{
	enum pint_status st = PINT_STATUS_NONE;
	struct pint_pl name;
	int err;

	err = gw_store_get_request(r->store, id, owner, &op->row);
	if (!err) {
		op->has_row = true;
		name = pint_pl_str(op->row.status);
		if (pint_status_from_name(&st, &name) || !pint_status_is_terminal(st))
			err = EAGAIN;
		else
			err = EALREADY;
	}
	op->err = err;
	gw_rq_cancel_answer(r, op);
}

static void on_wire(struct gw_reqs *r, struct rq *q, struct cancel_op *op)
{
	int err;

	gw_rq_list_add(&q->cancels, &op->link);
	if (q->canceling)
		return;
	if (!r->sip) {
		gw_rq_cancel_settle(q, NULL, EAGAIN, NULL);
		return;
	}
	q->canceling = true;
	/* the settling event may come before this returns */
	err = gw_sip_call_cancel(r->sip, q->ref);
	if (!err || q->ended)
		return;
	if (err == EPROTO)
		gw_rq_cancel_settle(q, NULL, EBUSY, WATCHED_TEXT);
	else
		gw_rq_cancel_settle(q, NULL, err == ENOENT ? EALREADY : err, NULL);
}

/*
 * Cancel request id of owner (NULL: any owner). 0: h is called once, not
 * from inside this call, with 0 and the canceled row, EALREADY (already
 * final: the row), EBUSY (the gateway cannot abort: info says why, the
 * request is unchanged), ENOENT (unknown, or another owner's), EAGAIN
 * (not ready), or a store errno. EINVAL or ENOMEM: h is not called.
 */
int gw_reqs_cancel(struct gw_reqs *r, const char *id, const char *owner,
		   gw_reqs_canceled_h *h, void *arg)
{
	struct cancel_op *op;
	struct rq *q;
	int err;

	if (!r || !id || !h)
		return EINVAL;
	op = calloc(1, sizeof(*op));
	if (!op)
		return ENOMEM;
	op->h = h;
	op->arg = arg;
	q = gw_rq_find_id(r, id);
	if (q && owner && strcmp(q->row.owner, owner) != 0) {
		op->err = ENOENT;
		gw_rq_cancel_answer(r, op);
		return 0;
	}
	if (!q) {
		from_store(r, op, id, owner);
		return 0;
	}
	if (q->ended) {
		op->err = q->status == PINT_STATUS_CANCELED ? 0 : EALREADY;
		gw_rq_list_add(&q->end_pub->cancels, &op->link);
		return 0;
	}
	/* "sending" still waiting for its commit, or fetching its content
	 * again after a restart, has sent nothing yet */
	if (q->status != PINT_STATUS_QUEUED && !q->starting && !q->resend &&
	    !gw_rq_fetching(q)) {
		on_wire(r, q, op);
		return 0;
	}
	gw_rq_list_add(&q->cancels, &op->link);
	err = gw_rq_end(q, PINT_STATUS_CANCELED, PINT_OUTCOME_CANCELED,
			q->resend || q->resent ?
			"canceled after a restart, before it was sent again" :
			"canceled before it was sent");
	if (err) {
		gw_rq_list_del(&op->link);
		gw_rq_cancel_free(op);
		return err;
	}
	gw_rq_cancel_settle(q, q->end_pub, 0, NULL);
	return 0;
}
