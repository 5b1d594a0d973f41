/*
 * pint/ua_in.c — what comes in: the transaction layer's callbacks routed
 * to their owners, the dialog tables (Call-ID + our tag, hashed) and the
 * UAS side: OPTIONS answered, NOTIFY/BYE/UNSUBSCRIBE in our dialogs,
 * every other method refused with 405 (INVITE too: pintgw takes no calls).
 *
 * Incoming in-dialog requests are checked in this order: a dialog of ours
 * (481), the owning gateway's address (403), CSeq (500), then answered 200
 * and only then interpreted, so a refused request never changes a status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "pint/sip.h"
#include "pint/ua_int.h"

#define UA_ALLOW "OPTIONS, NOTIFY, BYE, UNSUBSCRIBE, ACK, CANCEL"
#define UA_ACCEPT "application/sdp, application/dialog-info+xml"

/* ---- dialog tables: Call-ID + our tag ---------------------------------- */

struct dkey {
	const char *call_id;
	const char *tag;
};

static uint64_t dkey_hash(const struct pint_ua *ua, const struct dkey *k)
{
	size_t a = strlen(k->call_id), b = strlen(k->tag);
	char buf[PINT_SIP_MAX_CALLID + PINT_SIP_MAX_TAG + 2];

	if (a > PINT_SIP_MAX_CALLID)
		a = PINT_SIP_MAX_CALLID;
	if (b > PINT_SIP_MAX_TAG)
		b = PINT_SIP_MAX_TAG;
	memcpy(buf, k->call_id, a);
	buf[a] = '\0';
	memcpy(buf + a + 1, k->tag, b);
	return pint_hash_sip(ua->sipkey, buf, a + 1 + b);
}

static bool call_dlg_eq(const struct pint_hash_node *n, const void *key,
			void *arg)
{
	const struct ua_call *c = OF(n, const struct ua_call, by_dlg);
	const struct dkey *k = key;

	(void)arg;
	return !strcmp(c->call_id, k->call_id) && !strcmp(c->tag, k->tag);
}

static bool sub_dlg_eq(const struct pint_hash_node *n, const void *key,
		       void *arg)
{
	const struct ua_sub *s = OF(n, const struct ua_sub, by_dlg);
	const struct dkey *k = key;

	(void)arg;
	return !strcmp(s->call_id, k->call_id) && !strcmp(s->tag, k->tag);
}

/* Index a call's INVITE dialog by its Call-ID and our tag. */
int ua_call_dlg_insert(struct pint_ua *ua, struct ua_call *c)
{
	struct dkey k = { c->call_id, c->tag };
	int err;

	if (c->in_tab)
		return 0;
	err = pint_hash_insert(&ua->by_cdlg, &c->by_dlg, dkey_hash(ua, &k));
	c->in_tab = !err;
	return err;
}

void ua_call_dlg_remove(struct pint_ua *ua, struct ua_call *c)
{
	if (c->in_tab)
		pint_hash_remove(&ua->by_cdlg, &c->by_dlg);
	c->in_tab = false;
}

/* Index a subscription by its Call-ID and our tag. */
int ua_sub_dlg_insert(struct pint_ua *ua, struct ua_sub *s)
{
	struct dkey k = { s->call_id, s->tag };
	int err;

	if (s->in_tab)
		return 0;
	err = pint_hash_insert(&ua->by_sdlg, &s->by_dlg, dkey_hash(ua, &k));
	s->in_tab = !err;
	return err;
}

void ua_sub_dlg_remove(struct pint_ua *ua, struct ua_sub *s)
{
	if (s->in_tab)
		pint_hash_remove(&ua->by_sdlg, &s->by_dlg);
	s->in_tab = false;
}

/* Call-ID as sent (number@host) into buf; false when absent or too long. */
static bool msg_callid(const osip_message_t *m, char *buf, size_t size)
{
	size_t n, h;

	if (!m->call_id || !m->call_id->number)
		return false;
	n = strlen(m->call_id->number);
	h = m->call_id->host ? strlen(m->call_id->host) + 1 : 0;
	if (n + h >= size)
		return false;
	memcpy(buf, m->call_id->number, n);
	if (h) {
		buf[n++] = '@';
		memcpy(buf + n, m->call_id->host, h - 1);
		n += h - 1;
	}
	buf[n] = '\0';
	return n > 0;
}

/* Our tag in m: the To tag of a request to us, the From tag of a response. */
static bool msg_key(const osip_message_t *m, bool request, char *cid,
		    size_t cid_size, char *tag, size_t tag_size)
{
	struct pint_pl pl;

	if (!msg_callid(m, cid, cid_size))
		return false;
	if ((request ? pint_sip_to_tag(m, &pl) : pint_sip_from_tag(m, &pl)) ||
	    !pl.l || pl.l >= tag_size)
		return false;
	memcpy(tag, pl.p, pl.l);
	tag[pl.l] = '\0';
	return true;
}

static struct ua_call *find_call_dlg(const struct pint_ua *ua,
				     const struct dkey *k)
{
	struct pint_hash_node *n = pint_hash_find(&ua->by_cdlg,
						  dkey_hash(ua, k),
						  call_dlg_eq, k, NULL);

	return n ? OF(n, struct ua_call, by_dlg) : NULL;
}

static struct ua_sub *find_sub_dlg(const struct pint_ua *ua,
				   const struct dkey *k)
{
	struct pint_hash_node *n = pint_hash_find(&ua->by_sdlg,
						  dkey_hash(ua, k),
						  sub_dlg_eq, k, NULL);

	return n ? OF(n, struct ua_sub, by_dlg) : NULL;
}

/* ---- UAS side ---------------------------------------------------------- */

/* Answer req on tsx; caps adds Allow and Accept (OPTIONS, 405). */
static void respond(struct pint_ua *ua, struct pint_tsx *tsx,
		    const osip_message_t *req, int code, bool caps)
{
	osip_message_t *r = NULL;
	char tag[UA_TOKEN_SIZE];
	struct pint_pl have;
	const char *tt = NULL;
	char *buf = NULL;
	size_t len = 0;
	int err = 0;

	/* RFC 3261 §8.2.6.2: a final answer outside a dialog gets a tag */
	if (code >= 200 && pint_sip_to_tag(req, &have) != 0) {
		err = ua_token(ua, tag);
		tt = tag;
	}
	if (!err)
		err = pint_sip_response(&r, req, code, NULL, tt);
	if (!err && caps)
		err = pint_req_add_header(r, "Allow", UA_ALLOW);
	if (!err && caps)
		err = pint_req_add_header(r, "Accept", UA_ACCEPT);
	if (!err)
		err = ua_serialize(ua, r, &buf, &len);
	if (!err)
		err = pint_tsx_respond_built(tsx, r, buf, len, ua->now);
	/* unanswered, the transaction would absorb the peer's retries */
	if (err)
		pint_tsx_terminate(tsx);
	free(buf);
	osip_message_free(r);
}

static int refuse(struct pint_ua *ua, struct pint_tsx *tsx,
		  const osip_message_t *req, int code)
{
	respond(ua, tsx, req, code, false);
	if (code == 481)
		ua->st.refused_481++;
	else if (code == 403)
		ua->st.refused_403++;
	else if (code == 500)
		ua->st.refused_500++;
	return code;
}

/* 0, or the answer an in-dialog request gets from the dialog's CSeq rules. */
static int dialog_check(struct pint_dialog *dlg, const osip_message_t *req)
{
	switch (pint_dialog_recv(dlg, req)) {
	case 0:
		return 0;
	case EPROTO:
		return 500;
	case ENOENT:
		return 481;
	default:
		return 400;
	}
}

/*
 * src is one of gateway gw's addresses. pint_gwset_by_addr compares binary
 * forms but names only the lowest index sharing an address, so gateways
 * on one host (other ports) are matched by their configured text too.
 */
static bool from_gateway(const struct pint_ua *ua, size_t gw,
			 const struct pint_tsx_peer *src)
{
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, gw);
	size_t i;

	if (pint_gwset_by_addr(ua->gws, src->addr) == gw)
		return true;
	if (!gc)
		return false;
	if (gc->peer.addr && !strcmp(gc->peer.addr, src->addr))
		return true;
	for (i = 0; i < gc->naddrs && i < PINT_GWSET_MAX_ADDRS; i++)
		if (gc->addrs[i] && !strcmp(gc->addrs[i], src->addr))
			return true;
	return false;
}

static void gateway_bye(struct pint_ua *ua, struct pint_tsx *tsx,
			const osip_message_t *req, const struct dkey *k,
			const struct pint_tsx_peer *src)
{
	struct ua_call *c = find_call_dlg(ua, k);
	int code;

	if (!c || !c->dlg) {
		refuse(ua, tsx, req, 481);
		return;
	}
	if (!from_gateway(ua, c->gw, src)) {
		refuse(ua, tsx, req, 403);
		return;
	}
	code = dialog_check(c->dlg, req);
	if (code) {
		refuse(ua, tsx, req, code);
		return;
	}
	respond(ua, tsx, req, 200, false);
	ua->st.gateway_byes++;
	ua_call_gateway_bye(ua, c, req);
}

/* Early NOTIFY (before the 2xx): CSeq must still grow. */
static int early_check(struct ua_sub *s, const osip_message_t *req)
{
	uint32_t cseq;

	if (pint_sip_cseq(req, &cseq, NULL))
		return 400;
	if (s->early && cseq <= s->early_cseq)
		return 500;
	s->early = true;
	s->early_cseq = cseq;
	return 0;
}

static void sub_request(struct pint_ua *ua, struct pint_tsx *tsx,
			const osip_message_t *req, const struct dkey *k,
			const struct pint_tsx_peer *src, bool notify)
{
	struct ua_sub *s = find_sub_dlg(ua, k);
	struct pint_status_ev ev;
	int code, err;

	if (!s || s->state == UA_SUB_DONE) {
		refuse(ua, tsx, req, 481);
		return;
	}
	if (!from_gateway(ua, s->call->gw, src)) {
		refuse(ua, tsx, req, 403);
		return;
	}
	code = s->dlg ? dialog_check(s->dlg, req) : early_check(s, req);
	if (code) {
		refuse(ua, tsx, req, code);
		return;
	}
	if (!notify) {
		respond(ua, tsx, req, 200, false);
		ua->st.gateway_unsubscribes++;
		ua_sub_gateway_unsubscribe(ua, s, req);
		return;
	}
	/* interpret first: out of memory, the gateway sends it again */
	err = ua_sub_notify(ua, s, req, &ev);
	if (err) {
		respond(ua, tsx, req, err == ENOMEM ? 500 : 400, false);
		return;
	}
	respond(ua, tsx, req, 200, false);
	ua->st.notify_accepted++;
	ua_sub_notified(ua, s, &ev);
}

static void on_req(struct pint_tsx *tsx, osip_message_t *req,
		   const struct pint_tsx_peer *src, void *arg)
{
	struct pint_ua *ua = arg;
	char cid[PINT_SIP_MAX_CALLID + 1], tag[PINT_SIP_MAX_TAG + 1];
	const char *m = req->sip_method;
	struct dkey k = { cid, tag };
	bool bye = !strcmp(m, "BYE"), notify = !strcmp(m, "NOTIFY");

	if (!strcmp(m, "OPTIONS")) {
		ua->st.options_answered++;
		respond(ua, tsx, req, 200, true);
	} else if (bye || notify || !strcmp(m, "UNSUBSCRIBE")) {
		if (!msg_key(req, true, cid, sizeof(cid), tag, sizeof(tag)))
			refuse(ua, tsx, req, 481);
		else if (bye)
			gateway_bye(ua, tsx, req, &k, src);
		else
			sub_request(ua, tsx, req, &k, src, notify);
	} else {
		/* INVITE too: pintgw never accepts calls */
		ua->st.requests_405++;
		respond(ua, tsx, req, 405, true);
	}
}

/* ---- the transaction layer's callbacks --------------------------------- */

static int on_send(const char *buf, size_t len,
		   const struct pint_tsx_peer *peer, void *arg)
{
	struct pint_ua *ua = arg;

	ua->send_err = ua->h.send(buf, len, peer, ua->h.arg);
	return ua->send_err;
}

static void on_resp(struct pint_tsx *tsx, osip_message_t *resp, void *arg)
{
	struct pint_ua *ua = arg;
	uint8_t *kind = pint_tsx_ctx(tsx);

	if (!kind)
		return;
	switch (*kind) {
	case UA_K_INVITE:
		ua_call_resp(ua, OF(kind, struct ua_call, kind), *kind, resp);
		break;
	case UA_K_CANCEL:
		ua_call_resp(ua, OF(kind, struct ua_call, k_cancel), *kind,
			     resp);
		break;
	case UA_K_BYE:
		ua_call_resp(ua, OF(kind, struct ua_call, k_bye), *kind, resp);
		break;
	case UA_K_SUB:
		ua_sub_resp(ua, OF(kind, struct ua_sub, kind), resp);
		break;
	case UA_K_KA:
		if (resp->status_code >= 200)
			ua_ka_done(ua, OF(kind, struct ua_ka, kind), true);
		break;
	case UA_K_REG:
		ua_reg_resp(ua, OF(kind, struct ua_reg, kind), resp);
		break;
	}
}

static void on_fail(struct pint_tsx *tsx, int err, void *arg)
{
	struct pint_ua *ua = arg;
	uint8_t *kind = pint_tsx_ctx(tsx);

	(void)err;
	if (!kind)
		return;
	switch (*kind) {
	case UA_K_INVITE:
		ua_call_fail(ua, OF(kind, struct ua_call, kind), *kind);
		break;
	case UA_K_CANCEL:
		ua_call_fail(ua, OF(kind, struct ua_call, k_cancel), *kind);
		break;
	case UA_K_BYE:
		ua_call_fail(ua, OF(kind, struct ua_call, k_bye), *kind);
		break;
	case UA_K_SUB:
		ua_sub_fail(ua, OF(kind, struct ua_sub, kind));
		break;
	case UA_K_KA:
		ua_ka_done(ua, OF(kind, struct ua_ka, kind), false);
		break;
	case UA_K_REG:
		ua_reg_fail(ua, OF(kind, struct ua_reg, kind));
		break;
	}
}

/* A 2xx to an INVITE whose transaction has gone: ACK it again. */
static void on_stray(osip_message_t *msg, const struct pint_tsx_peer *src,
		     void *arg)
{
	struct pint_ua *ua = arg;
	char cid[PINT_SIP_MAX_CALLID + 1], tag[PINT_SIP_MAX_TAG + 1];
	struct dkey k = { cid, tag };
	struct ua_call *c;

	(void)src;
	if (!MSG_IS_RESPONSE(msg) || msg->status_code < 200 ||
	    msg->status_code > 299 || !msg->cseq || !msg->cseq->method ||
	    strcmp(msg->cseq->method, "INVITE") ||
	    !msg_key(msg, false, cid, sizeof(cid), tag, sizeof(tag)))
		return;
	c = find_call_dlg(ua, &k);
	if (c)
		ua_call_stray(ua, c, msg);
}

/* The transaction layer's handlers, all pointing back at ua. */
void ua_tsx_handlers(struct pint_tsx_handlers *h, struct pint_ua *ua)
{
	memset(h, 0, sizeof(*h));
	h->send = on_send;
	h->resp = on_resp;
	h->fail = on_fail;
	h->req = on_req;
	h->stray = on_stray;
	h->arg = ua;
}
