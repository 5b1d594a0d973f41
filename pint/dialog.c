/*
 * pint/dialog.c — UA dialog state (RFC 3261 §12.1, §12.2.2).
 *
 * Values from our own request that fail a check are EINVAL (caller bug);
 * values from the peer's message are EBADMSG (the peer's fault). The
 * in-dialog builders sit on pint_req_build, which checks every value.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "pint/dialog.h"
#include "pint/mbuf.h"
#include "pint/pl.h"
#include "pint/req.h"

/* EINVAL from a check of the peer's value means the peer's fault. */
static int blame(int err, int bad)
{
	return err == EINVAL ? bad : err;
}

static int own_tag(char **dstp, const char *tag, int bad)
{
	struct pint_pl pl = pint_pl_str(tag);
	int err;

	err = blame(pint_req_check_token(tag, PINT_REQ_MAX_TOKEN), bad);
	return err ? err : pint_pl_strdup(dstp, &pl);
}

static int own_uri(char **dstp, const osip_uri_t *u, int bad)
{
	return u ? blame(pint_req_uri_str(dstp, u), bad) : bad;
}

/* number["@"host], checked, in our heap; no osip call allocates. */
static int own_callid(char **dstp, const osip_call_id_t *cid, int bad)
{
	struct pint_mbuf mb;
	int err;

	if (!cid || !cid->number)
		return bad;
	pint_mbuf_init(&mb, PINT_REQ_MAX_CALLID);
	err = pint_mbuf_puts(&mb, cid->number);
	if (!err && cid->host)
		err = pint_mbuf_printf(&mb, "@%s", cid->host);
	if (!err)
		err = blame(pint_req_check_callid(mb.buf), bad);
	if (!err) {
		*dstp = pint_mbuf_steal(&mb);
		return *dstp ? 0 : ENOMEM;
	}
	pint_mbuf_reset(&mb);
	return err;
}

/* The tag parameter of a From/To header; NULL when absent or empty. */
static const char *tag_of(const osip_from_t *h)
{
	osip_generic_param_t *p = NULL;
	char name[] = "tag";

	if (!h || osip_generic_param_get_byname((osip_list_t *)&h->gen_params,
						name, &p) < 0 || !p)
		return NULL;
	return (p->gvalue && *p->gvalue) ? p->gvalue : NULL;
}

static bool has_lr(const osip_from_t *rr)
{
	osip_uri_param_t *p = NULL;
	char name[] = "lr";

	return rr && rr->url &&
	       osip_uri_param_get_byname(&rr->url->url_params, name, &p) >= 0
	       && p;
}

/* Call-IDs compare byte by byte (RFC 3261 §20.8); no allocation. */
static bool callid_eq(const osip_call_id_t *cid, const char *s)
{
	size_t n;

	if (!cid || !cid->number || !s)
		return false;
	n = strlen(cid->number);
	if (strncmp(s, cid->number, n))
		return false;
	if (!cid->host)
		return s[n] == '\0';
	return s[n] == '@' && !strcmp(s + n + 1, cid->host);
}

static bool tag_eq(const char *a, const char *b)
{
	return a ? (b && !strcmp(a, b)) : !b;
}

static bool callid_same(const osip_call_id_t *a, const osip_call_id_t *b)
{
	return a && b && a->number && tag_eq(a->number, b->number) &&
	       tag_eq(a->host, b->host);
}

/* Record-Route → route set, reversed for a UAC (RFC 3261 §12.1.2). */
static int set_routes(struct pint_dialog *dlg, const osip_list_t *rr,
		      bool reverse)
{
	int i, n = osip_list_size(rr);
	int err = 0;

	if (n > (int)PINT_DIALOG_MAX_ROUTES)
		return EMSGSIZE;
	for (i = 0; !err && i < n; i++) {
		const osip_record_route_t *r;

		r = osip_list_get(rr, reverse ? n - 1 - i : i);
		err = blame(pint_req_addr_str(&dlg->route[i], r), EBADMSG);
		if (!err) {
			dlg->route_count++;
			if (i == 0)
				dlg->strict_route = !has_lr(r);
		}
	}
	return err;
}

/* The peer's first Contact URI, or fallback when it sent none. */
static int own_target(char **dstp, const osip_message_t *msg,
		      const osip_uri_t *fallback)
{
	const osip_contact_t *c = osip_list_get(&msg->contacts, 0);

	return own_uri(dstp, (c && c->url) ? c->url : fallback, EBADMSG);
}

static int cseq_of(const osip_message_t *msg, unsigned long long max,
		   unsigned long long *vp)
{
	struct pint_pl pl;

	if (!msg->cseq || !msg->cseq->number)
		return EINVAL;
	pl = pint_pl_str(msg->cseq->number);
	return pint_pl_u64(&pl, max, vp) ? EINVAL : 0;
}

/* Free the dialog and every string it owns (NULL-safe). */
void pint_dialog_free(struct pint_dialog *dlg)
{
	size_t i;

	if (!dlg)
		return;
	free(dlg->call_id);
	free(dlg->local_uri);
	free(dlg->local_tag);
	free(dlg->remote_uri);
	free(dlg->remote_tag);
	free(dlg->remote_target);
	for (i = 0; i < PINT_DIALOG_MAX_ROUTES; i++)
		free(dlg->route[i]);
	free(dlg);
}

/*
 * The UAC side of a dialog from the request we sent (INVITE, SUBSCRIBE)
 * and the peer's 101–199 response with a To tag or its 2xx. The remote
 * target is the response's Contact, or the request's Request-URI when it
 * has none (lenient with RFC 2543 gateways). EPROTO when resp does not
 * create a dialog or does not belong to req; EBADMSG when the peer's
 * values are unusable; EMSGSIZE past the limits; ENOMEM.
 */
int pint_dialog_uac_alloc(struct pint_dialog **dlgp,
			  const osip_message_t *req,
			  const osip_message_t *resp)
{
	struct pint_dialog *dlg = NULL;
	const char *ltag, *rtag;
	unsigned long long cseq;
	int err;

	if (!dlgp || !req || !resp || !MSG_IS_REQUEST(req) ||
	    !MSG_IS_RESPONSE(resp) || !req->call_id || !req->from ||
	    !req->to || !req->req_uri)
		return EINVAL;
	ltag = tag_of(req->from);
	if (!ltag || cseq_of(req, PINT_REQ_MAX_CSEQ, &cseq))
		return EINVAL;
	rtag = tag_of(resp->to);
	if (resp->status_code <= 100 || resp->status_code > 299 ||
	    (resp->status_code < 200 && !rtag))
		return EPROTO;
	if (!resp->call_id || !resp->from ||
	    !tag_eq(ltag, tag_of(resp->from)))
		return EPROTO;
	if (!callid_same(req->call_id, resp->call_id))
		return EPROTO;

	dlg = calloc(1, sizeof(*dlg));
	if (!dlg)
		return ENOMEM;
	err = own_callid(&dlg->call_id, req->call_id, EINVAL);
	if (!err)
		err = own_uri(&dlg->local_uri, req->from->url, EINVAL);
	if (!err)
		err = own_uri(&dlg->remote_uri, req->to->url, EINVAL);
	if (!err)
		err = own_tag(&dlg->local_tag, ltag, EINVAL);
	if (!err && rtag)
		err = own_tag(&dlg->remote_tag, rtag, EBADMSG);
	if (!err)
		err = own_target(&dlg->remote_target, resp, req->req_uri);
	if (!err)
		err = set_routes(dlg, &resp->record_routes, true);
	if (err) {
		pint_dialog_free(dlg);
		return err;
	}
	dlg->local_cseq = (uint32_t)cseq + 1;
	*dlgp = dlg;
	return 0;
}

/*
 * The UAS side of a dialog from the peer's dialog-creating request (the
 * simulator accepting a SUBSCRIBE): local_tag goes in our responses' To,
 * local_cseq numbers our first request. Route set = Record-Route in
 * order; remote target = the request's Contact, else its From URI.
 * EPROTO when req already carries a To tag; EBADMSG for unusable values.
 */
int pint_dialog_uas_alloc(struct pint_dialog **dlgp,
			  const osip_message_t *req, const char *local_tag,
			  uint32_t local_cseq)
{
	struct pint_dialog *dlg = NULL;
	unsigned long long cseq;
	const char *rtag;
	int err;

	if (!dlgp || !req || !MSG_IS_REQUEST(req))
		return EINVAL;
	err = pint_req_check_token(local_tag, PINT_REQ_MAX_TOKEN);
	if (err)
		return err;
	if (local_cseq > PINT_REQ_MAX_CSEQ)
		return ERANGE;
	if (!req->call_id || !req->from || !req->to ||
	    cseq_of(req, UINT32_MAX, &cseq))
		return EBADMSG;
	if (tag_of(req->to))
		return EPROTO;
	rtag = tag_of(req->from);

	dlg = calloc(1, sizeof(*dlg));
	if (!dlg)
		return ENOMEM;
	err = own_callid(&dlg->call_id, req->call_id, EBADMSG);
	if (!err)
		err = own_uri(&dlg->local_uri, req->to->url, EBADMSG);
	if (!err)
		err = own_uri(&dlg->remote_uri, req->from->url, EBADMSG);
	if (!err)
		err = own_tag(&dlg->local_tag, local_tag, EINVAL);
	if (!err && rtag)
		err = own_tag(&dlg->remote_tag, rtag, EBADMSG);
	if (!err)
		err = own_target(&dlg->remote_target, req, req->from->url);
	if (!err)
		err = set_routes(dlg, &req->record_routes, false);
	if (err) {
		pint_dialog_free(dlg);
		return err;
	}
	dlg->local_cseq = local_cseq;
	dlg->remote_cseq = (uint32_t)cseq;
	dlg->remote_cseq_set = true;
	*dlgp = dlg;
	return 0;
}

/*
 * True when req belongs to the dialog: same Call-ID, our tag as its To
 * tag, the peer's tag (or none, if the peer never sent one) as From tag.
 */
bool pint_dialog_match(const struct pint_dialog *dlg,
		       const osip_message_t *req)
{
	if (!dlg || !req || !MSG_IS_REQUEST(req) || !dlg->local_tag)
		return false;
	return callid_eq(req->call_id, dlg->call_id) &&
	       tag_eq(dlg->local_tag, tag_of(req->to)) &&
	       tag_eq(dlg->remote_tag, tag_of(req->from));
}

/*
 * Accept an incoming in-dialog request (RFC 3261 §12.2.2): ENOENT when it
 * matches no dialog (answer 481), EBADMSG for a missing or unreadable
 * CSeq (400), EPROTO when its CSeq is not higher than the last one seen
 * (500), else the CSeq is recorded. ACK and CANCEL reuse the INVITE's
 * number, so they are matched only. Retransmissions must be absorbed by
 * the transaction layer before they get here.
 */
int pint_dialog_recv(struct pint_dialog *dlg, const osip_message_t *req)
{
	unsigned long long cseq;

	if (!dlg || !req || !MSG_IS_REQUEST(req) || !req->sip_method)
		return EINVAL;
	if (!pint_dialog_match(dlg, req))
		return ENOENT;
	if (!strcmp(req->sip_method, "ACK") ||
	    !strcmp(req->sip_method, "CANCEL"))
		return 0;
	if (cseq_of(req, UINT32_MAX, &cseq))
		return EBADMSG;
	if (dlg->remote_cseq_set && cseq <= dlg->remote_cseq)
		return EPROTO;
	dlg->remote_cseq = (uint32_t)cseq;
	dlg->remote_cseq_set = true;
	return 0;
}

/*
 * Target refresh (RFC 3261 §12.2; NOTIFY per RFC 6665 §4.1.2.4): the
 * first Contact of msg becomes the remote target. No Contact: unchanged.
 * On error the dialog is unchanged.
 */
int pint_dialog_target_refresh(struct pint_dialog *dlg,
			       const osip_message_t *msg)
{
	const osip_contact_t *c;
	char *t = NULL;
	int err;

	if (!dlg || !msg)
		return EINVAL;
	c = osip_list_get(&msg->contacts, 0);
	if (!c || !c->url)
		return 0;
	err = own_uri(&t, c->url, EBADMSG);
	if (err)
		return err;
	free(dlg->remote_target);
	dlg->remote_target = t;
	return 0;
}

/* --- requests inside the dialog --------------------------------------- */

static void base_of(struct pint_req_base *b, const struct pint_dialog *dlg,
		    const char *method, uint32_t cseq)
{
	memset(b, 0, sizeof(*b));
	b->method = method;
	b->ruri = dlg->remote_target;
	b->from_uri = dlg->local_uri;
	b->from_tag = dlg->local_tag;
	b->to_uri = dlg->remote_uri;
	b->to_tag = dlg->remote_tag;
	b->call_id = dlg->call_id;
	b->cseq = cseq;
	b->route = dlg->route;
	b->route_count = dlg->route_count;
}

/* The skeleton with the dialog's next CSeq (ERANGE once it is spent). */
static int start(osip_message_t **mp, const struct pint_dialog *dlg,
		 const char *method, const struct pint_req_local *loc,
		 const struct pint_req_tx *tx)
{
	struct pint_req_base b;

	if (!dlg)
		return EINVAL;
	if (dlg->local_cseq > PINT_REQ_MAX_CSEQ)
		return ERANGE;
	base_of(&b, dlg, method, dlg->local_cseq);
	return pint_req_build(mp, loc, tx, &b);
}

/* Hand m over and spend the CSeq on success; free m on error. */
static int finish(osip_message_t **msgp, osip_message_t *m,
		  struct pint_dialog *dlg, int err)
{
	if (err) {
		osip_message_free(m);
		return err;
	}
	dlg->local_cseq++;
	*msgp = m;
	return 0;
}

/*
 * ACK for a 2xx to our INVITE (RFC 3261 §13.2.2.4): in the dialog, a new
 * branch in tx, the INVITE's CSeq number, and tx carrying the INVITE's
 * credentials again. Spends no CSeq.
 */
int pint_dialog_ack_2xx(osip_message_t **msgp, const struct pint_dialog *dlg,
			const struct pint_req_local *loc,
			const struct pint_req_tx *tx, uint32_t invite_cseq)
{
	struct pint_req_base b;

	if (!msgp || !dlg)
		return EINVAL;
	base_of(&b, dlg, "ACK", invite_cseq);
	return pint_req_build(msgp, loc, tx, &b);
}

/* BYE: ends the INVITE dialog, cancels an accepted service (§3.5.8). */
int pint_dialog_bye(osip_message_t **msgp, struct pint_dialog *dlg,
		    const struct pint_req_local *loc,
		    const struct pint_req_tx *tx)
{
	osip_message_t *m = NULL;
	int err;

	if (!msgp)
		return EINVAL;
	err = start(&m, dlg, "BYE", loc, tx);
	return err ? err : finish(msgp, m, dlg, 0);
}

/* PINT UNSUBSCRIBE in the subscription's dialog, the SDP as body. */
int pint_dialog_unsubscribe(osip_message_t **msgp, struct pint_dialog *dlg,
			    const struct pint_req_local *loc,
			    const struct pint_req_tx *tx, const char *sdp,
			    size_t sdp_len)
{
	osip_message_t *m = NULL;
	int err;

	if (!msgp || !sdp || !sdp_len)
		return EINVAL;
	err = start(&m, dlg, "UNSUBSCRIBE", loc, tx);
	if (err)
		return err;
	err = pint_req_add_body(m, NULL, sdp, sdp_len);
	return finish(msgp, m, dlg, err);
}

/*
 * Dialog-package refresh, or with expires 0 the end of the subscription
 * (RFC 6665 §4.1.2.2, §4.1.2.3); ev repeats the opening SUBSCRIBE's.
 */
int pint_dialog_subscribe_refresh(osip_message_t **msgp,
				  struct pint_dialog *dlg,
				  const struct pint_req_local *loc,
				  const struct pint_req_tx *tx,
				  const struct pint_req_dialog_event *ev,
				  uint32_t expires)
{
	osip_message_t *m = NULL;
	int err;

	if (!msgp)
		return EINVAL;
	err = start(&m, dlg, "SUBSCRIBE", loc, tx);
	if (err)
		return err;
	err = pint_req_add_contact(m, loc, -1);
	if (!err)
		err = pint_req_add_event_dialog(m, ev);
	if (!err)
		err = pint_req_add_expires(m, expires);
	return finish(msgp, m, dlg, err);
}

/*
 * NOTIFY from the simulator in a subscription dialog it accepted: Contact,
 * optional Event and Subscription-State (RFC 6665 notifiers), one Warning
 * header per entry, an optional body (SDP or dialog-info XML).
 */
int pint_dialog_notify(osip_message_t **msgp, struct pint_dialog *dlg,
		       const struct pint_req_local *loc,
		       const struct pint_req_tx *tx,
		       const struct pint_req_notify *n)
{
	osip_message_t *m = NULL;
	size_t i;
	int err;

	if (!msgp || !n || (n->warning_count && !n->warnings) ||
	    (n->body_len && !n->body))
		return EINVAL;
	if (n->warning_count > PINT_REQ_MAX_WARNINGS)
		return EMSGSIZE;
	err = start(&m, dlg, "NOTIFY", loc, tx);
	if (err)
		return err;
	err = pint_req_add_contact(m, loc, -1);
	if (!err && n->event)
		err = pint_req_add_header(m, "Event", n->event);
	if (!err && n->subscription_state)
		err = pint_req_add_header(m, "Subscription-State",
					  n->subscription_state);
	for (i = 0; !err && i < n->warning_count; i++)
		err = pint_req_add_warning(m, &n->warnings[i]);
	if (!err && n->body_len)
		err = pint_req_add_body(m, n->content_type, n->body,
					n->body_len);
	return finish(msgp, m, dlg, err);
}
