/*
 * pint/reg.c — gateway upkeep for the ua: OPTIONS keepalives (one
 * non-INVITE transaction each: any final answer = up, a timeout = not),
 * REGISTER of pintgw's Contact at a gateway's register_aor with a refresh
 * at ~80 % of the granted time, and the Digest answers (RFC 3261 §22) that
 * calls, subscriptions and registrations share.
 *
 *  IDLE --timer--> SENDING --2xx--> OK --80 %--> SENDING
 *                     |  401/407: once with credentials
 *                     +--other, timeout--> FAILED --retry--> SENDING
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "pint/digest.h"
#include "pint/sip.h"
#include "pint/ua_int.h"

/* ---- digest ------------------------------------------------------------ */

static int chal_text(struct pint_mbuf *mb, const osip_www_authenticate_t *w)
{
	const char *names[] = { "realm", "nonce", "opaque", "algorithm", "qop",
				"stale", "domain" };
	const char *vals[] = { w->realm, w->nonce, w->opaque, w->algorithm,
			       w->qop_options, w->stale, w->domain };
	size_t i;
	int err;

	/* osip keeps the quotes of quoted values: joining gives the text */
	err = pint_mbuf_puts(mb, w->auth_type ? w->auth_type : "");
	for (i = 0; !err && i < sizeof(names) / sizeof(names[0]); i++)
		if (vals[i])
			err = pint_mbuf_printf(mb, "%s%s=%s", i ? "," : " ",
					       names[i], vals[i]);
	return err;
}

/*
 * Credentials answering the first usable challenge of a 401/407 from
 * gateway gw, for method and the Request-URI uri as sent (body for
 * auth-int). EPROTO when there are no credentials or no challenge we can
 * answer; ENOMEM; the rand handler's errno.
 */
int ua_digest(struct pint_ua *ua, size_t gw, const osip_message_t *resp,
	      const char *method, const char *uri, const char *body,
	      size_t body_len, char **authp, bool *proxyp)
{
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, gw);
	bool proxy = resp->status_code == 407;
	const osip_list_t *l = proxy ? &resp->proxy_authenticates :
				       &resp->www_authenticates;
	struct pint_digest_chal ch;
	struct pint_digest_cred cr;
	struct pint_mbuf mb;
	char cnonce[UA_TOKEN_SIZE];
	int i, n = osip_list_size(l), err = EPROTO;

	if (!gc || !gc->username || !gc->password)
		return EPROTO;
	for (i = 0; i < n && i < UA_MAX_CHALLENGES && err; i++) {
		pint_mbuf_init(&mb, PINT_DIGEST_MAX_HEADER);
		err = chal_text(&mb, osip_list_get(l, i));
		if (!err)
			err = pint_digest_parse(&ch, mb.buf, mb.len);
		pint_mbuf_reset(&mb);
		if (err == ENOMEM)
			return err;
		if (err)
			err = EPROTO;
	}
	if (err)
		return err;
	err = ua_token(ua, cnonce);
	if (err)
		return err;
	memset(&cr, 0, sizeof(cr));
	cr.method = method;
	cr.uri = uri;
	cr.username = gc->username;
	cr.password = gc->password;
	cr.cnonce = cnonce;
	cr.nc = 1;
	cr.body = body;
	cr.body_len = body_len;
	pint_mbuf_init(&mb, PINT_REQ_MAX_HDR);
	err = pint_digest_authorize(&mb, &ch, &cr);
	if (!err) {
		*authp = pint_mbuf_steal(&mb);
		*proxyp = proxy;
	}
	pint_mbuf_reset(&mb);
	return err == EINVAL || err == EMSGSIZE ? EPROTO : err;
}

/* ---- keepalives -------------------------------------------------------- */

static int options_msg(struct pint_ua *ua, const struct pint_gwset_conf *gc,
		       uint8_t tp, osip_message_t **mp)
{
	struct pint_req_ids ids = { NULL, NULL, 1 };
	struct pint_req_tx tx = { NULL, NULL, NULL };
	char cid[UA_TOKEN_SIZE], tag[UA_TOKEN_SIZE], branch[UA_BRANCH_SIZE];
	char target[PINT_REQ_MAX_URI];
	int n, err;

	n = snprintf(target, sizeof(target), "sip:%s", gc->domain);
	if (n < 0 || (size_t)n >= sizeof(target))
		return EMSGSIZE;
	err = ua_token(ua, cid);
	if (!err)
		err = ua_token(ua, tag);
	if (!err)
		err = ua_branch(ua, branch);
	if (err)
		return err;
	ids.call_id = cid;
	ids.from_tag = tag;
	tx.branch = branch;
	return pint_req_options(mp, ua_loc(ua, tp), &ids, &tx, target);
}

static void keepalive(struct pint_ua *ua, size_t idx)
{
	struct ua_ka *ka = &ua->gw[idx].ka;
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, idx);
	osip_message_t *m = NULL;
	bool net = false;
	int err;

	/* the last one is still out: its own timeout will tell */
	if (!gc || (ka->tsx && pint_tsx_find(ua->tsx, ka->tsx)))
		return;
	err = options_msg(ua, gc, (uint8_t)gc->peer.transport, &m);
	if (!err)
		err = ua_send_tsx(ua, m, &gc->peer, ka, &ka->tsx, &net);
	osip_message_free(m);
	ua->st.keepalives_sent++;
	if (err && net)
		ua_ka_done(ua, ka, false);
}

/* Send the OPTIONS of every gateway the set says is due. */
void ua_ka_due(struct pint_ua *ua)
{
	size_t i, idx;

	for (i = 0; i <= PINT_GWSET_MAX; i++) {
		idx = pint_gwset_keepalive_due(ua->gws, ua->now);
		if (idx == PINT_GWSET_NONE)
			break;
		if (idx < PINT_GWSET_MAX)
			keepalive(ua, idx);
	}
}

/* A keepalive's outcome: any final answer, or none. */
void ua_ka_done(struct pint_ua *ua, struct ua_ka *ka, bool answered)
{
	ka->tsx = 0;
	if (!answered)
		ua->st.keepalives_failed++;
	if (ka->idx < pint_gwset_count(ua->gws))
		pint_gwset_keepalive(ua->gws, ka->idx, answered, ua->now);
}

/* ---- REGISTER ---------------------------------------------------------- */

static int register_msg(struct pint_ua *ua, struct ua_reg *r,
			const struct pint_gwset_conf *gc, const char *branch,
			char *registrar, size_t size, osip_message_t **mp)
{
	struct pint_req_ids ids = { r->call_id, r->tag, r->cseq };
	struct pint_req_tx tx = { branch, NULL, NULL };
	struct pint_req_register reg;
	int n;

	n = snprintf(registrar, size, "sip:%s", gc->domain);
	if (n < 0 || (size_t)n >= size)
		return EMSGSIZE;
	if (r->auth_proxy)
		tx.proxy_authorization = r->auth;
	else
		tx.authorization = r->auth;
	reg.registrar = registrar;
	reg.aor = gc->register_aor;
	reg.expires = gc->register_expires;
	return pint_req_register(mp, ua_loc(ua, (uint8_t)gc->peer.transport),
				 &ids, &tx, &reg);
}

static void reg_retry(struct pint_ua *ua, struct ua_reg *r, uint32_t ms)
{
	r->state = UA_REG_FAILED;
	ua_arm(ua, &r->tm, ua->now + ms);
}

static void reg_failed(struct pint_ua *ua, struct ua_reg *r)
{
	ua->st.registration_failures++;
	free(r->auth);
	r->auth = NULL;
	reg_retry(ua, r, ua->reg_retry_ms);
}

/* Send the REGISTER (Call-ID kept across refreshes, CSeq + 1 each). */
static void reg_send(struct pint_ua *ua, struct ua_reg *r)
{
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, r->idx);
	char branch[UA_BRANCH_SIZE], registrar[PINT_REQ_MAX_URI];
	osip_message_t *m = NULL;
	bool net = false;
	int err;

	if (!gc || !gc->register_aor) {
		r->state = UA_REG_IDLE;
		return;
	}
	if (r->cseq >= PINT_REQ_MAX_CSEQ)
		r->call_id[0] = '\0';
	err = 0;
	if (!r->call_id[0]) {
		err = ua_token(ua, r->call_id);
		if (!err)
			err = ua_token(ua, r->tag);
		r->cseq = 0;
		if (err)
			r->call_id[0] = '\0';
	}
	r->cseq++;
	if (!err)
		err = ua_branch(ua, branch);
	if (!err)
		err = register_msg(ua, r, gc, branch, registrar,
				   sizeof(registrar), &m);
	if (!err)
		err = ua_send_tsx(ua, m, &gc->peer, r, &r->tsx, &net);
	osip_message_free(m);
	if (err && net) {
		reg_failed(ua, r);
		return;
	}
	if (err) {
		reg_retry(ua, r, UA_RETRY_MS);
		return;
	}
	r->state = UA_REG_SENDING;
}

/* Arm a first REGISTER for every gateway that has a register_aor. */
void ua_reg_start_all(struct pint_ua *ua)
{
	size_t i, n = pint_gwset_count(ua->gws);

	for (i = 0; i < n && i < PINT_GWSET_MAX; i++) {
		const struct pint_gwset_conf *gc = pint_gwset_conf(ua->gws, i);
		struct ua_reg *r = &ua->gw[i].reg;

		if (gc && gc->register_aor && r->state == UA_REG_IDLE &&
		    !pint_timer_armed(&r->tm))
			ua_arm(ua, &r->tm, ua->now);
	}
}

void ua_reg_timer(struct pint_ua *ua, struct ua_reg *r)
{
	if (r->state != UA_REG_SENDING)
		reg_send(ua, r);
}

/* The binding's lifetime: our Contact's expires, else Expires, else ours. */
static uint32_t granted(const osip_message_t *resp, uint32_t asked)
{
	const osip_contact_t *ct = osip_list_get(&resp->contacts, 0);
	osip_generic_param_t *p = NULL;
	unsigned long long v;
	struct pint_pl pl;
	uint32_t secs;

	if (ct && osip_contact_param_get_byname((osip_contact_t *)ct,
						(char *)"expires", &p) == 0 &&
	    p && p->gvalue) {
		pl = pint_pl_str(p->gvalue);
		if (!pint_pl_u64(&pl, PINT_STATUS_EXPIRES_MAX, &v))
			return (uint32_t)v;
	}
	if (!pint_sip_expires(resp, PINT_STATUS_EXPIRES_MAX, &secs))
		return secs;
	return asked;
}

void ua_reg_resp(struct pint_ua *ua, struct ua_reg *r, osip_message_t *resp)
{
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, r->idx);
	int code = resp->status_code;
	char registrar[PINT_REQ_MAX_URI];
	char *auth = NULL;
	bool proxy = false;
	uint32_t secs;

	if (code < 200)
		return;
	r->tsx = 0;
	if (!gc) {
		r->state = UA_REG_IDLE;
		return;
	}
	if (code < 300) {
		ua->st.registrations++;
		free(r->auth);
		r->auth = NULL;
		r->auth_retried = false;
		r->state = UA_REG_OK;
		secs = granted(resp, gc->register_expires);
		r->granted = secs;
		if (!secs) {
			reg_retry(ua, r, ua->reg_retry_ms);
			return;
		}
		ua_arm(ua, &r->tm, ua->now + (uint64_t)secs * 800u);
		return;
	}
	if ((code == 401 || code == 407) && !r->auth_retried &&
	    snprintf(registrar, sizeof(registrar), "sip:%s", gc->domain) <
	    (int)sizeof(registrar) &&
	    !ua_digest(ua, r->idx, resp, "REGISTER", registrar, NULL, 0,
		       &auth, &proxy)) {
		free(r->auth);
		r->auth = auth;
		r->auth_proxy = proxy;
		r->auth_retried = true;
		reg_send(ua, r);
		return;
	}
	r->auth_retried = false;
	reg_failed(ua, r);
}

void ua_reg_fail(struct pint_ua *ua, struct ua_reg *r)
{
	r->tsx = 0;
	r->auth_retried = false;
	reg_failed(ua, r);
}

/* Free what the registrations own (the ua is going away). */
void ua_reg_free_all(struct pint_ua *ua)
{
	size_t i;

	for (i = 0; i < PINT_GWSET_MAX; i++) {
		free(ua->gw[i].reg.auth);
		ua->gw[i].reg.auth = NULL;
	}
}
