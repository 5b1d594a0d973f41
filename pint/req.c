/*
 * pint/req.c — SIP request builders (RFC 3261 §8.1.1, §9.1, §12.2.1.1,
 * §17.1.1.3; RFC 2848 §3.5; RFC 6665; RFC 4235).
 *
 * Every caller string is checked against a character class (URIs against
 * a strict grammar) before it reaches a header, so CR/LF, quotes or
 * brackets can never inject a header or a parameter. The osip structures
 * are filled by req_field.c, never through osip's parsers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "pint/pl.h"
#include "pint/req_int.h"

/* v in decimal into buf (at least 21 bytes), NUL-terminated. */
static void utoa(char *buf, unsigned long long v)
{
	char rev[21];
	size_t n = 0, i;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	buf[n] = '\0';
}

static int add_via(osip_message_t *m, const struct pint_req_local *loc,
		   const char *tp, const char *branch)
{
	const char *h = loc->host;
	size_t hl = strlen(h);
	osip_via_t *v = NULL;
	char port[24];
	int err;

	if (osip_via_init(&v) != 0)
		return ENOMEM;
	utoa(port, loc->port);
	if (h[0] == '[') {
		h++;
		hl -= 2;
	}
	v->version = osip_strdup("2.0");
	v->protocol = osip_strdup(tp);
	v->host = req_dupn(h, hl);
	err = req_dup_opt(&v->port, loc->port ? port : NULL);
	if (!v->version || !v->protocol || !v->host)
		err = ENOMEM;
	if (!err)
		err = req_param_add(&v->via_params, "branch", branch);
	if (!err)
		err = req_param_add(&v->via_params, "rport", NULL);
	if (!err)
		err = req_list_put(&m->vias, v);
	if (err)
		osip_via_free(v);
	return err;
}

/* Method, version and Request-URI in a new message. */
static int msg_start(osip_message_t **mp, const char *method,
		     const char *ruri)
{
	osip_message_t *m = NULL;
	int err = 0;

	if (osip_message_init(&m) != 0)
		return ENOMEM;
	m->sip_method = osip_strdup(method);
	m->sip_version = osip_strdup("SIP/2.0");
	if (!m->sip_method || !m->sip_version)
		err = ENOMEM;
	if (!err)
		err = req_uri_new(&m->req_uri, ruri);
	if (err)
		osip_message_free(m);
	else
		*mp = m;
	return err;
}

/* Hand m over on success, free it on error. */
static int done(osip_message_t **msgp, osip_message_t *m, int err)
{
	if (err) {
		osip_message_free(m);
		return err;
	}
	osip_message_force_update(m);
	*msgp = m;
	return 0;
}

/* --- checks of the request descriptions -------------------------------- */

static int check_local(const struct pint_req_local *loc, const char **tpp)
{
	int err;

	if (!loc || !loc->transport)
		return EINVAL;
	if (!strcasecmp(loc->transport, "UDP"))
		*tpp = "UDP";
	else if (!strcasecmp(loc->transport, "TCP"))
		*tpp = "TCP";
	else
		return EINVAL;
	err = req_check_host(loc->host, false);
	if (!err)
		err = req_check_set(loc->user, PINT_REQ_MAX_TOKEN, REQ_USER);
	if (!err && loc->domain)
		err = req_check_host(loc->domain, false);
	if (!err)
		err = req_check_opt(loc->display, PINT_REQ_MAX_DISPLAY,
				    REQ_TEXT);
	return err;
}

/* auth-scheme SP printable text (RFC 3261 §25.1 credentials). */
static int check_cred(const char *s)
{
	size_t n;
	int err;

	err = req_check_opt(s, PINT_REQ_MAX_HDR, REQ_HVAL);
	if (err || !s)
		return err;
	n = req_token_len(s);
	return (n > 0 && s[n] == ' ' && s[n + 1]) ? 0 : EINVAL;
}

static int check_tx(const struct pint_req_tx *tx)
{
	size_t n = strlen(PINT_REQ_BRANCH_COOKIE);
	int err;

	if (!tx)
		return EINVAL;
	err = pint_req_check_token(tx->branch, PINT_REQ_MAX_TOKEN);
	if (!err && (strncmp(tx->branch, PINT_REQ_BRANCH_COOKIE, n) ||
		     !tx->branch[n]))
		err = EINVAL;
	if (!err)
		err = check_cred(tx->authorization);
	if (!err)
		err = check_cred(tx->proxy_authorization);
	return err;
}

static int check_base(const struct pint_req_base *b)
{
	size_t i;
	int err;

	if (!b || (b->route_count && !b->route))
		return EINVAL;
	if (b->cseq > PINT_REQ_MAX_CSEQ)
		return ERANGE;
	if (b->route_count > PINT_REQ_MAX_ROUTES)
		return EMSGSIZE;
	/* the three URIs are checked as they are scanned (req_uri_new) */
	err = pint_req_check_token(b->method, PINT_REQ_MAX_TOKEN);
	if (!err && (!b->ruri || !b->from_uri || !b->to_uri))
		err = EINVAL;
	if (!err)
		err = req_check_opt(b->from_display, PINT_REQ_MAX_DISPLAY,
				    REQ_TEXT);
	if (!err)
		err = pint_req_check_token(b->from_tag, PINT_REQ_MAX_TOKEN);
	if (!err && b->to_tag)
		err = pint_req_check_token(b->to_tag, PINT_REQ_MAX_TOKEN);
	if (!err)
		err = pint_req_check_callid(b->call_id);
	for (i = 0; !err && i < b->route_count; i++)
		err = req_addr_scan(b->route[i], NULL);
	return err;
}

/* --- the skeleton and its pieces --------------------------------------- */

/*
 * Build the parts every request has (see struct pint_req_base) into a
 * new message. EINVAL/EMSGSIZE/ERANGE for bad input, ENOMEM.
 */
int pint_req_build(osip_message_t **msgp, const struct pint_req_local *loc,
		   const struct pint_req_tx *tx,
		   const struct pint_req_base *b)
{
	osip_message_t *m = NULL;
	const char *tp;
	char num[24];
	size_t i;
	int err;

	if (!msgp)
		return EINVAL;
	err = check_local(loc, &tp);
	if (!err)
		err = check_tx(tx);
	if (!err)
		err = check_base(b);
	if (!err)
		err = msg_start(&m, b->method, b->ruri);
	if (err)
		return err;
	utoa(num, b->cseq);
	err = add_via(m, loc, tp, tx->branch);
	if (!err)
		err = req_addr_new(&m->from, b->from_display, b->from_uri,
				   b->from_tag, NULL);
	if (!err)
		err = req_addr_new(&m->to, NULL, b->to_uri, b->to_tag, NULL);
	if (!err)
		err = req_set_callid(m, b->call_id);
	if (!err)
		err = req_set_cseq(m, num, b->method);
	if (!err)
		err = req_hdr(m, "Max-Forwards", PINT_REQ_MAX_FORWARDS);
	for (i = 0; !err && i < b->route_count; i++)
		err = req_add_route(m, b->route[i]);
	if (!err && tx->authorization)
		err = req_hdr(m, "Authorization", tx->authorization);
	if (!err && tx->proxy_authorization)
		err = req_hdr(m, "Proxy-Authorization",
			      tx->proxy_authorization);
	return done(msgp, m, err);
}

/*
 * Contact: <sip:user@host[:port][;transport=tcp]>[;expires=N]; expires < 0
 * writes no parameter, above 2^32-1 is ERANGE.
 */
int pint_req_add_contact(osip_message_t *m, const struct pint_req_local *loc,
			 int64_t expires)
{
	osip_from_t *c = NULL;
	struct req_line uri;
	const char *tp;
	char exp[24];
	int err;

	if (!m)
		return EINVAL;
	if (expires > (int64_t)UINT32_MAX)
		return ERANGE;
	err = check_local(loc, &tp);
	if (err)
		return err;
	req_line_init(&uri);
	req_lput(&uri, "sip:%s@%s", loc->user, loc->host);
	if (loc->port)
		req_lput(&uri, ":%u", (unsigned)loc->port);
	if (!strcmp(tp, "TCP"))
		req_lput(&uri, ";transport=tcp");
	if (uri.over)
		return EMSGSIZE;
	snprintf(exp, sizeof(exp), "%lld", (long long)expires);
	err = req_addr_new(&c, NULL, uri.buf, NULL, expires >= 0 ? exp : NULL);
	if (!err && req_list_put(&m->contacts, c)) {
		osip_from_free(c);
		err = ENOMEM;
	}
	if (!err)
		osip_message_force_update(m);
	return err;
}

/* Any other header: name a token, value printable ASCII (no CR/LF). */
int pint_req_add_header(osip_message_t *m, const char *name,
			const char *value)
{
	int err;

	if (!m)
		return EINVAL;
	err = pint_req_check_token(name, PINT_REQ_MAX_TOKEN);
	if (!err)
		err = req_check_set(value, PINT_REQ_MAX_HDR, REQ_HVAL);
	if (!err)
		err = req_hdr(m, name, value);
	if (!err)
		osip_message_force_update(m);
	return err;
}

int pint_req_add_expires(osip_message_t *m, uint32_t expires)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%lu", (unsigned long)expires);
	return pint_req_add_header(m, "Expires", buf);
}

/*
 * Content-Type (NULL = application/sdp) and the body bytes as given. A
 * bare type/subtype goes in m->content_type; with parameters (multipart
 * above all: osip would wrap the body in boundaries of its own) the type
 * stays a plain header and m->content_type NULL.
 */
int pint_req_add_body(osip_message_t *m, const char *ctype, const char *body,
		      size_t len)
{
	osip_content_type_t *ct = NULL;
	osip_body_t *b = NULL;
	const char *params;
	size_t t, n;
	int err;

	if (!m || !body || !len || m->content_type ||
	    osip_list_size(&m->bodies) > 0)
		return EINVAL;
	if (len > PINT_REQ_MAX_BODY)
		return EMSGSIZE;
	if (!ctype)
		ctype = "application/sdp";
	err = req_check_set(ctype, PINT_REQ_MAX_HDR, REQ_HVAL);
	if (err)
		return err;
	/* type "/" subtype, then nothing or LWS ";" parameters */
	t = req_token_len(ctype);
	n = ctype[t] == '/' ? req_token_len(ctype + t + 1) : 0;
	params = ctype + t + 1 + n;
	if (t == 0 || n == 0 ||
	    (*params && params[strspn(params, " \t")] != ';'))
		return EINVAL;
	if (!strncasecmp(ctype, "multipart/", 10) &&
	    !req_has_param(params, "boundary"))
		return EINVAL;

	if (osip_body_init(&b) != 0)
		return ENOMEM;
	b->body = req_dupn(body, len);
	b->length = len;
	if (!b->body || req_list_put(&m->bodies, b)) {
		osip_body_free(b);
		return ENOMEM;
	}
	if (*params) {
		err = req_hdr(m, "Content-Type", ctype);
	} else if (osip_content_type_init(&ct) != 0) {
		err = ENOMEM;
	} else {
		ct->type = req_dupn(ctype, t);
		ct->subtype = osip_strdup(ctype + t + 1);
		m->content_type = ct;
		err = (ct->type && ct->subtype) ? 0 : ENOMEM;
	}
	if (!err)
		osip_message_force_update(m);
	return err;
}

/*
 * Event: dialog[;call-id=…;from-tag=…[;to-tag=…]] (RFC 4235 §4.1) and
 * Accept: application/dialog-info+xml. ev NULL or all NULL = no params.
 */
int pint_req_add_event_dialog(osip_message_t *m,
			      const struct pint_req_dialog_event *ev)
{
	struct req_line l;
	int err = 0;

	if (!m)
		return EINVAL;
	req_line_init(&l);
	req_lput(&l, "dialog");
	if (ev && (ev->call_id || ev->from_tag || ev->to_tag)) {
		err = pint_req_check_callid(ev->call_id);
		if (!err)
			err = pint_req_check_token(ev->from_tag,
						   PINT_REQ_MAX_TOKEN);
		if (!err && ev->to_tag)
			err = pint_req_check_token(ev->to_tag,
						   PINT_REQ_MAX_TOKEN);
		if (err)
			return err;
		/* call-id = token / DQUOTE callid DQUOTE ('@' is no token) */
		if (!pint_req_check_token(ev->call_id, PINT_REQ_MAX_CALLID))
			req_lput(&l, ";call-id=%s", ev->call_id);
		else
			req_lput(&l, ";call-id=\"%s\"", ev->call_id);
		req_lput(&l, ";from-tag=%s", ev->from_tag);
		if (ev->to_tag)
			req_lput(&l, ";to-tag=%s", ev->to_tag);
	}
	if (l.over)
		return EMSGSIZE;
	err = pint_req_add_header(m, "Event", l.buf);
	return err ? err : pint_req_add_header(m, "Accept",
					       "application/dialog-info+xml");
}

/* Warning: <300–399> <agent> "<text, escaped>" (RFC 3261 §20.43). */
int pint_req_add_warning(osip_message_t *m, const struct pint_req_warning *w)
{
	struct req_line l;
	int err;

	if (!m || !w || w->code < 300 || w->code > 399)
		return EINVAL;
	err = req_check_set(w->agent, PINT_REQ_MAX_HOST + 6, REQ_AGENT);
	if (!err)
		err = req_check_set(w->text, PINT_REQ_MAX_TEXT, REQ_TEXT);
	if (err)
		return err;
	req_line_init(&l);
	req_lput(&l, "%u %s ", w->code, w->agent);
	req_lquote(&l, w->text);
	if (l.over)
		return EMSGSIZE;
	err = req_hdr(m, "Warning", l.buf);
	if (!err)
		osip_message_force_update(m);
	return err;
}

/* --- requests outside a dialog ---------------------------------------- */

/* The skeleton of a request that opens a transaction outside a dialog. */
static int begin_new(osip_message_t **mp, const char *method,
		     const char *ruri, const char *to_uri, const char *from_uri,
		     const struct pint_req_local *loc,
		     const struct pint_req_ids *ids,
		     const struct pint_req_tx *tx)
{
	struct pint_req_base b = {0};
	struct req_line from;
	const char *tp;
	int err;

	if (!ids)
		return EINVAL;
	err = check_local(loc, &tp);
	if (err)
		return err;
	req_line_init(&from);
	if (from_uri)
		req_lput(&from, "%s", from_uri);
	else
		req_lput(&from, "sip:%s@%s", loc->user,
		     loc->domain ? loc->domain : loc->host);
	if (from.over)
		return EMSGSIZE;
	b.method = method;
	b.ruri = ruri;
	b.from_display = loc->display;
	b.from_uri = from.buf;
	b.from_tag = ids->from_tag;
	b.to_uri = to_uri;
	b.call_id = ids->call_id;
	b.cseq = ids->cseq;
	return pint_req_build(mp, loc, tx, &b);
}

/*
 * The PINT service request: INVITE sip:<service>@<domain>[;tsp=…] with To
 * = inv->to_uri or the Request-URI, our From/Contact, the Require tags
 * asked for and the body as given (application/sdp or the caller's
 * multipart/… type). EINVAL/EMSGSIZE/ERANGE on bad input, ENOMEM.
 */
int pint_req_invite(osip_message_t **msgp, const struct pint_req_local *loc,
		    const struct pint_req_ids *ids,
		    const struct pint_req_tx *tx,
		    const struct pint_req_invite *inv)
{
	osip_message_t *m = NULL;
	struct req_line ruri;
	int err;

	if (!msgp || !inv)
		return EINVAL;
	err = req_check_set(inv->service, PINT_REQ_MAX_TOKEN, REQ_USER);
	if (!err)
		err = req_check_host(inv->domain, true);
	if (!err && inv->tsp)
		err = req_check_host(inv->tsp, false);
	if (!err && inv->content_type &&
	    strncasecmp(inv->content_type, "multipart/", 10) &&
	    strcasecmp(inv->content_type, "application/sdp"))
		err = EINVAL;
	if (err)
		return err;
	req_line_init(&ruri);
	req_lput(&ruri, "sip:%s@%s", inv->service, inv->domain);
	if (inv->tsp)
		req_lput(&ruri, ";tsp=%s", inv->tsp);
	if (ruri.over)
		return EMSGSIZE;

	err = begin_new(&m, "INVITE", ruri.buf,
			inv->to_uri ? inv->to_uri : ruri.buf, NULL, loc, ids,
			tx);
	if (err)
		return err;
	err = pint_req_add_contact(m, loc, -1);
	if (!err && inv->require_sdp)
		err = req_hdr(m, "Require", "org.ietf.sdp.require");
	if (!err && inv->require_subscribe)
		err = req_hdr(m, "Require", "org.ietf.sip.subscribe");
	if (!err)
		err = pint_req_add_body(m, inv->content_type, inv->body,
					inv->body_len);
	return done(msgp, m, err);
}

/*
 * PINT status SUBSCRIBE (RFC 2848 §3.5.3.1): a new Call-ID, no Event
 * header, Expires (0 = poll), our Contact and the INVITE's SDP only.
 */
int pint_req_subscribe(osip_message_t **msgp,
		       const struct pint_req_local *loc,
		       const struct pint_req_ids *ids,
		       const struct pint_req_tx *tx,
		       const struct pint_req_subscribe *sub)
{
	osip_message_t *m = NULL;
	int err;

	if (!msgp || !sub)
		return EINVAL;
	err = begin_new(&m, "SUBSCRIBE", sub->target,
			sub->to_uri ? sub->to_uri : sub->target, NULL, loc,
			ids, tx);
	if (err)
		return err;
	err = pint_req_add_contact(m, loc, -1);
	if (!err)
		err = pint_req_add_expires(m, sub->expires);
	if (!err && sub->require_subscribe)
		err = req_hdr(m, "Require", "org.ietf.sip.subscribe");
	if (!err)
		err = pint_req_add_body(m, NULL, sub->sdp, sub->sdp_len);
	return done(msgp, m, err);
}

/*
 * RFC 6665 + RFC 4235 SUBSCRIBE: Event: dialog[;call-id;from-tag;to-tag],
 * Accept: application/dialog-info+xml, Expires, Contact, no body.
 */
int pint_req_subscribe_dialog(osip_message_t **msgp,
			      const struct pint_req_local *loc,
			      const struct pint_req_ids *ids,
			      const struct pint_req_tx *tx,
			      const struct pint_req_subscribe_dialog *sub)
{
	osip_message_t *m = NULL;
	int err;

	if (!msgp || !sub)
		return EINVAL;
	err = begin_new(&m, "SUBSCRIBE", sub->target,
			sub->to_uri ? sub->to_uri : sub->target, NULL, loc,
			ids, tx);
	if (err)
		return err;
	err = pint_req_add_contact(m, loc, -1);
	if (!err)
		err = pint_req_add_event_dialog(m, &sub->event);
	if (!err)
		err = pint_req_add_expires(m, sub->expires);
	return done(msgp, m, err);
}

/* OPTIONS keepalive to target: Accept: application/sdp, no body. */
int pint_req_options(osip_message_t **msgp, const struct pint_req_local *loc,
		     const struct pint_req_ids *ids,
		     const struct pint_req_tx *tx, const char *target)
{
	osip_message_t *m = NULL;
	int err;

	if (!msgp)
		return EINVAL;
	err = begin_new(&m, "OPTIONS", target, target, NULL, loc, ids, tx);
	if (err)
		return err;
	err = pint_req_add_contact(m, loc, -1);
	if (!err)
		err = req_hdr(m, "Accept", "application/sdp");
	return done(msgp, m, err);
}

/* REGISTER: To = From = AOR, Contact = our listener with ;expires=. */
int pint_req_register(osip_message_t **msgp,
		      const struct pint_req_local *loc,
		      const struct pint_req_ids *ids,
		      const struct pint_req_tx *tx,
		      const struct pint_req_register *reg)
{
	osip_message_t *m = NULL;
	int err;

	if (!msgp || !reg)
		return EINVAL;
	err = begin_new(&m, "REGISTER", reg->registrar, reg->aor, reg->aor,
			loc, ids, tx);
	if (err)
		return err;
	err = pint_req_add_contact(m, loc, reg->expires);
	return done(msgp, m, err);
}

/* --- requests derived from the INVITE --------------------------------- */

/* An INVITE whose copied fields pass the checks our builders apply. */
static bool is_invite(const osip_message_t *inv)
{
	unsigned long long n;
	struct pint_pl pl;
	int i;

	if (!inv || !MSG_IS_REQUEST(inv) || !inv->sip_method ||
	    strcmp(inv->sip_method, "INVITE") || !inv->cseq ||
	    !inv->cseq->number || !req_uri_ok(inv->req_uri) ||
	    !req_callid_ok(inv->call_id) || !req_addr_ok(inv->from) ||
	    !req_addr_ok(inv->to) || !req_via_ok(osip_list_get(&inv->vias, 0)))
		return false;
	for (i = 0; i < osip_list_size(&inv->routes); i++) {
		if (!req_addr_ok(osip_list_get(&inv->routes, i)))
			return false;
	}
	pl = pint_pl_str(inv->cseq->number);
	return pint_pl_u64(&pl, PINT_REQ_MAX_CSEQ, &n) == 0;
}

/*
 * CANCEL and non-2xx ACK share everything with the INVITE but To and the
 * CSeq method: Request-URI, a single Via equal to its top Via, From,
 * Call-ID, the CSeq number and the Route headers.
 */
static int derive(osip_message_t **msgp, const osip_message_t *inv,
		  const osip_to_t *to, const char *method)
{
	osip_message_t *m = NULL;
	int i, err = 0;

	if (osip_message_init(&m) != 0)
		return ENOMEM;
	m->sip_method = osip_strdup(method);
	m->sip_version = osip_strdup("SIP/2.0");
	if (!m->sip_method || !m->sip_version)
		err = ENOMEM;
	if (!err)
		err = req_uri_copy(&m->req_uri, inv->req_uri);
	if (!err)
		err = req_via_copy(m, osip_list_get(&inv->vias, 0));
	if (!err)
		err = req_addr_copy(&m->from, inv->from);
	if (!err)
		err = req_addr_copy(&m->to, to);
	if (!err && osip_call_id_init(&m->call_id) != 0)
		err = ENOMEM;
	if (!err)
		err = req_dup_opt(&m->call_id->number, inv->call_id->number);
	if (!err)
		err = req_dup_opt(&m->call_id->host, inv->call_id->host);
	if (!err)
		err = req_set_cseq(m, inv->cseq->number, method);
	if (!err)
		err = req_hdr(m, "Max-Forwards", PINT_REQ_MAX_FORWARDS);
	for (i = 0; !err && i < osip_list_size(&inv->routes); i++) {
		osip_from_t *r = NULL;

		err = req_addr_copy(&r, osip_list_get(&inv->routes, i));
		if (!err)
			err = req_list_put(&m->routes, r);
		if (err)
			osip_from_free(r);
	}
	return done(msgp, m, err);
}

/*
 * CANCEL for a pending INVITE we sent (RFC 3261 §9.1). EINVAL when invite
 * is not an INVITE whose fields our builders would have written.
 */
int pint_req_cancel(osip_message_t **msgp, const osip_message_t *invite)
{
	if (!msgp || !is_invite(invite))
		return EINVAL;
	return derive(msgp, invite, invite->to, "CANCEL");
}

/*
 * ACK for a 300–699 final response to our INVITE (RFC 3261 §17.1.1.3):
 * the INVITE's branch and routes, To taken from the response (its tag).
 * EINVAL as for CANCEL, or when resp is no such response or its To is
 * beyond our grammar.
 */
int pint_req_ack_non2xx(osip_message_t **msgp, const osip_message_t *invite,
			const osip_message_t *resp)
{
	if (!msgp || !is_invite(invite) || !resp || !MSG_IS_RESPONSE(resp) ||
	    resp->status_code < 300 || resp->status_code > 699 ||
	    !req_addr_ok(resp->to))
		return EINVAL;
	return derive(msgp, invite, resp->to, "ACK");
}
