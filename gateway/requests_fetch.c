/*
 * gateway/requests_fetch.c — content items with "fetch": true, downloaded
 * (gateway/fetch) before the INVITE that carries them inline.
 *
 * The fetch runs while the request is still queued: start_call (or the
 * resend of a recovered "sending" request, gw_rq_resend) finds items
 * left to fetch, records the same status again with the info "fetching
 * content", and starts one transfer per item, all at once, on the loop.
 * Nothing is on the wire meanwhile, so a cancel ends it at once. When
 * every body is in, each becomes an inline item of the spec, the INVITE
 * is measured against [sip] max_message, and the request goes back to
 * gw_rq_schedule (stop_at and draining are judged again there) or to
 * gw_rq_resend. The first failure stops the other transfers and ends the
 * request failed/content_fetch_failed (interrupted for a resend, whose
 * first INVITE may have reached the gateway), the reason in its info and
 * outcome; it never reaches SIP.
 *
 * The bodies live in the spec only: a restart fetches them again.
 * Completions name the request by ref and do nothing once it is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/log.h"
#include "gateway/requests_int.h"

#define INFO_FETCHING "fetching content"
#define INFO_REFETCHING "pintgw restarted before the gateway answered; " \
	"fetching content again"

/* The downloads of one request. */
struct rq_fetch {
	uint64_t ids[PINT_SVC_MAX_ITEMS];      /* gw_fetch's, while pending */
	char *body[PINT_SVC_MAX_ITEMS];
	size_t len[PINT_SVC_MAX_ITEMS];
	uint32_t pending;               /* bit i: items[i] in transfer */
	size_t total;                   /* bytes fetched so far */
	unsigned items;
	bool resend;                    /* go on with gw_rq_resend */
	bool done;                      /* every body handed to the spec */
	char note[RQ_TEXT_SIZE];        /* info of the "sending" to come */
};

/* The fetcher, once it exists (the daemon makes it after the table). */
void gw_reqs_set_fetch(struct gw_reqs *r, struct gw_fetch *f)
{
	if (r)
		r->fetch = f;
}

/* Items of q's spec still to be fetched before it can be sent. */
bool gw_rq_fetch_needed(const struct rq *q)
{
	return q->spec && q->spec->fetch_left;
}

/* Transfers of q under way (it has sent nothing of this attempt). */
bool gw_rq_fetching(const struct rq *q)
{
	return q->fetch && q->fetch->pending;
}

/* The info for the "sending" after a fetch ("content fetched: …"), or
 * NULL when nothing was fetched. */
const char *gw_rq_fetch_note(const struct rq *q)
{
	return q->fetch && q->fetch->done ? q->fetch->note : NULL;
}

static void cancel_all(struct rq *q)
{
	struct rq_fetch *fe = q->fetch;
	unsigned i;

	for (i = 0; fe && i < PINT_SVC_MAX_ITEMS; i++) {
		if (!(fe->pending & (1u << i)))
			continue;
		if (q->r->fetch)
			gw_fetch_cancel(q->r->fetch, fe->ids[i]);
		fe->pending &= ~(1u << i);
	}
}

/* Stop q's transfers and free what they brought (gw_rq_free). */
void gw_rq_fetch_stop(struct rq *q)
{
	unsigned i;

	if (!q->fetch)
		return;
	cancel_all(q);
	for (i = 0; i < PINT_SVC_MAX_ITEMS; i++)
		free(q->fetch->body[i]);
	free(q->fetch);
	q->fetch = NULL;
}

/*
 * End q: item idx could not be fetched (idx -1: no item in particular).
 * A first attempt fails with content_fetch_failed, a resend after a
 * restart as interrupted; the reason name goes in the outcome.
 */
static void fail(struct rq *q, int idx, enum gw_fetch_why why,
		 const char *text)
{
	bool resend = q->fetch && q->fetch->resend;
	char info[RQ_TEXT_SIZE], item[32] = "content";
	struct gw_rq_change c;

	cancel_all(q);
	if (idx >= 0)
		snprintf(item, sizeof(item), "content[%d]", idx);
	gw_rq_text(info, sizeof(info), "%s%s not fetched (%s): %s",
		   resend ? "pintgw restarted before the gateway answered; " :
		   "", item, gw_fetch_why_name(why), text);
	memset(&c, 0, sizeof(c));
	c.status = PINT_STATUS_FAILED;
	c.outcome = resend ? PINT_OUTCOME_INTERRUPTED :
		    PINT_OUTCOME_CONTENT_FETCH_FAILED;
	c.by = PINT_STATUS_BY_PINTGW;
	c.info = info;
	c.reason = gw_fetch_why_name(why);
	if (gw_rq_record(q, &c, NULL))
		gw_rq_log(LOG_LEVEL_ERR, "requests: fetch failure not recorded",
			  q, "info", info);
	else
		gw_rq_log(LOG_LEVEL_INFO, "requests: content not fetched", q,
			  "info", info);
}

/*
 * The INVITE with the content inline, measured as the SIP side will
 * build it (gw_sip_preview): it must fit in [sip] max_message. Where no
 * gateway can take it now, the send itself says so.
 */
static int measure(struct rq *q, char *why, size_t size)
{
	struct gw_reqs *r = q->r;
	struct pint_ua_call_params p;
	struct pint_svc_req sr;
	char *text = NULL;
	size_t len = 0;
	int err;

	if (!r->sip)
		return 0;
	gw_spec_svc_req(q->spec, &sr);
	memset(&p, 0, sizeof(p));
	p.req = &sr;
	p.gateway = q->row.gateway ? q->row.gateway : q->spec->gateway;
	p.ring_timeout_ms = q->spec->ring_timeout_ms;
	p.track = q->spec->track;
	err = gw_sip_preview(r->sip, &p, &text, &len);
	free(text);
	if (err == ENOENT)
		return 0;
	if (!err && len > r->conf->sip.max_message)
		err = EMSGSIZE;
	if (err == EMSGSIZE)
		gw_rq_text(why, size, "the INVITE with the content inline "
			   "would pass [sip] max_message (%u bytes)%s",
			   (unsigned)r->conf->sip.max_message,
			   len ? "" : " or what a SIP message can carry");
	else if (err)
		gw_rq_text(why, size, "the content cannot be sent inline: %s",
			   strerror(err));
	return err;
}

/* Every body is in: the spec takes them, then q goes on. */
static void finish(struct rq *q)
{
	struct rq_fetch *fe = q->fetch;
	char why[RQ_TEXT_SIZE];
	unsigned i;
	int err;

	for (i = 0; i < PINT_SVC_MAX_ITEMS; i++) {
		if (!fe->body[i])
			continue;
		if (gw_spec_set_fetched(q->spec, i, fe->body[i], fe->len[i])) {
			fail(q, (int)i, GW_FETCH_INTERNAL, "not an item to fetch");
			return;
		}
		fe->body[i] = NULL;
	}
	err = measure(q, why, sizeof(why));
	if (err) {
		fail(q, -1, err == EMSGSIZE ? GW_FETCH_TOO_LARGE :
		     GW_FETCH_INTERNAL, why);
		return;
	}
	fe->done = true;
	gw_rq_text(fe->note, sizeof(fe->note), "content fetched: %u item%s, "
		   "%zu bytes inline", fe->items, fe->items == 1 ? "" : "s",
		   fe->total);
	if (fe->resend)
		gw_rq_resend(q);
	else
		gw_rq_schedule(q);
}

/* gw_fetch_h (arg: the table): one item's transfer ended. */
static void on_fetched(uint64_t ref, unsigned idx, struct gw_fetch_result *res,
		       void *arg)
{
	struct gw_reqs *r = arg;
	struct rq *q = gw_rq_find_ref(r, ref);
	struct rq_fetch *fe = q ? q->fetch : NULL;
	char text[RQ_TEXT_SIZE];

	if (!fe || q->ended || q->dead || idx >= PINT_SVC_MAX_ITEMS ||
	    !(fe->pending & (1u << idx)))
		return;
	fe->pending &= ~(1u << idx);
	if (res->why != GW_FETCH_OK) {
		fail(q, (int)idx, res->why, res->text);
		return;
	}
	fe->body[idx] = res->body;
	fe->len[idx] = res->len;
	res->body = NULL;
	fe->total += fe->len[idx];
	if (fe->total > r->conf->fetch.max_total) {
		gw_rq_text(text, sizeof(text), "the fetched content passes "
			   "[fetch] max_total (%u bytes)",
			   (unsigned)r->conf->fetch.max_total);
		fail(q, (int)idx, GW_FETCH_TOO_LARGE, text);
		return;
	}
	if (!fe->pending)
		finish(q);
}

/*
 * Start fetching q's items (resend: q is a recovered "sending" one,
 * gw_rq_resend goes on after). The same status is recorded again with
 * the info "fetching content"; then one transfer per item, each capped
 * at [fetch] max_bytes and max_total. A transfer that cannot start ends
 * q at once.
 */
void gw_rq_fetch_start(struct rq *q, bool resend)
{
	const struct gw_conf_fetch *fc = &q->r->conf->fetch;
	struct gw_rq_change c;
	struct rq_fetch *fe;
	char text[GW_FETCH_TEXT_SIZE], info[RQ_TEXT_SIZE];
	size_t cap = fc->max_bytes < fc->max_total ? fc->max_bytes :
		     fc->max_total;
	unsigned i;
	int err;

	if (gw_rq_fetching(q) || q->ended || q->dead)
		return;
	gw_rq_fetch_stop(q);
	fe = calloc(1, sizeof(*fe));
	if (!fe) {
		gw_rq_end(q, PINT_STATUS_FAILED, resend ?
			  PINT_OUTCOME_INTERRUPTED : PINT_OUTCOME_ERROR,
			  "no memory to fetch the content");
		return;
	}
	q->fetch = fe;
	fe->resend = resend;
	for (i = 0; i < q->spec->nitems && i < PINT_SVC_MAX_ITEMS; i++)
		fe->items += !!(q->spec->fetch_left & (1u << i));
	if (!q->r->fetch) {
		fail(q, -1, GW_FETCH_INTERNAL, "no content fetcher");
		return;
	}
	gw_rq_text(info, sizeof(info), "%s: %u item%s",
		   resend ? INFO_REFETCHING : INFO_FETCHING, fe->items,
		   fe->items == 1 ? "" : "s");
	memset(&c, 0, sizeof(c));
	c.status = q->status;
	c.by = PINT_STATUS_BY_PINTGW;
	c.info = info;
	err = gw_rq_record(q, &c, NULL);
	if (err) {
		fail(q, -1, GW_FETCH_INTERNAL, strerror(err));
		return;
	}
	for (i = 0; i < q->spec->nitems && i < PINT_SVC_MAX_ITEMS; i++) {
		const struct pint_svc_item *it = &q->spec->items[i];

		if (!(q->spec->fetch_left & (1u << i)))
			continue;
		err = gw_fetch_get(q->r->fetch, it->data, it->type, cap, q->ref,
				   i, on_fetched, q->r, &fe->ids[i]);
		if (err) {
			fail(q, (int)i, gw_fetch_start_error(q->r->fetch,
				it->data, err, text, sizeof(text)), text);
			return;
		}
		fe->pending |= 1u << i;
	}
}
