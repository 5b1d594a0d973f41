/*
 * pint/tsx_server.c — server transactions: IST (RFC 3261 §17.2.1 with the
 * RFC 6026 Accepted state), NIST (§17.2.2) and CANCEL (§9.2).
 *
 * IST:  Proceeding --2xx--> Accepted (2xx resent, L) --> Terminated
 *           |  --300-699--> Completed (G, H) --ACK--> Confirmed (I)
 *                                                 --> Terminated
 * NIST: Trying --1xx--> Proceeding --final--> Completed (J) --> Terminated
 * Each new INVITE is answered 100 at once; CANCEL is answered here (200
 * if it matches an INVITE server transaction, else 481) and reported to
 * the TU only while that INVITE has no final response. The 2xx is resent
 * here, not by the TU (RFC 3261 §13.3.1.4 pacing: T1 doubling to T2, UDP
 * only) until its ACK arrives — matched by Call-ID, CSeq number and tags,
 * since a 2xx ACK has a branch of its own — or Timer L ends the wait.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "pint/tsx_int.h"

/* The tag parameter of a From/To header, or NULL (or too long). */
static const char *tag_of(osip_from_t *h)
{
	osip_generic_param_t *p = NULL;

	/* osip takes a char * name it does not modify */
	if (!h || osip_uri_param_get_byname(&h->gen_params, (char *)"tag",
					    &p) != 0 ||
	    !p || !p->gvalue || strlen(p->gvalue) > PINT_TSX_MAX_TAG)
		return NULL;
	return p->gvalue;
}

/*
 * Call-ID NUL CSeq-number NUL From-tag NUL To-tag: what a 2xx and its
 * ACK share. False when a tag is missing (then there is no dialog to
 * match the ACK by) or a part is too long.
 */
static bool ack_key(osip_message_t *m, char *buf, size_t size, size_t *lenp)
{
	const char *from_tag = tag_of(m->from), *to_tag = tag_of(m->to);
	const char *host;
	int n;

	if (!m->call_id || !m->call_id->number || !m->cseq ||
	    !m->cseq->number || !from_tag || !to_tag)
		return false;
	host = m->call_id->host;
	n = snprintf(buf, size, "%s%s%s%c%s%c%s%c%s", m->call_id->number,
		     host ? "@" : "", host ? host : "", '\0', m->cseq->number,
		     '\0', from_tag, '\0', to_tag);
	if (n < 0 || (size_t)n >= size)
		return false;
	*lenp = (size_t)n;
	return true;
}

static bool ack_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	const struct pint_tsx *tsx = TSX_OF(n, by_ack);

	return tsx->aux_len == *(const size_t *)arg &&
	       !memcmp(tsx->aux, key, tsx->aux_len);
}

/* The IST in Accepted whose 2xx this ACK acknowledges, or NULL. */
static struct pint_tsx *find_by_ack(struct pint_tsx_layer *l,
				    osip_message_t *ack)
{
	char key[TSX_ACKKEY_MAX];
	size_t len = 0;
	struct pint_hash_node *n;

	if (!ack_key(ack, key, sizeof(key), &len))
		return NULL;
	n = pint_hash_find(&l->by_ack, pint_hash_sip(l->sipkey, key, len),
			   ack_eq, key, &len);
	return n ? TSX_OF(n, by_ack) : NULL;
}

/* A request matched tsx again: absorb it, resend the last response. */
static void retransmitted(struct pint_tsx *tsx)
{
	int err;

	tsx->l->st.retransmits_absorbed++;
	switch ((enum pint_tsx_state)tsx->state) {
	case PINT_TSX_PROCEEDING:
	case PINT_TSX_COMPLETED:
		break;
	default:
		/* Trying: nothing to resend yet. Confirmed: done.
		 * Accepted (RFC 6026): our own 2xx timer resends. */
		return;
	}
	err = tsx_resend(tsx, tsx->msg, tsx->msg_len);
	if (err)
		tsx_fail(tsx, err);
}

/* CANCEL: its own NIST, answered here; the TU hears of it on the IST. */
static int cancel(struct pint_tsx_layer *l, const struct tsx_in *in,
		  const struct tsx_key *k, uint64_t now)
{
	const struct tsx_info *mi = &in->mi;
	struct tsx_key ik;
	struct pint_tsx *ist, *tsx = NULL;
	char *resp = NULL;
	size_t len = 0;
	int err;

	tsx_key_make(l, &ik, mi->branch, "INVITE", mi->host, mi->port);
	ist = tsx_lookup(l, &ik);
	if (ist && ist->kind != PINT_TSX_IST)
		ist = NULL;
	/* RFC 3261 §9.2: the To (tag) of the INVITE's last response */
	if (ist)
		err = tsx_build_response(in->raw, in->len, 200, "OK",
					 ist->msg, ist->msg_len, &resp, &len);
	else
		err = tsx_build_response(in->raw, in->len, 481,
					 "Call/Transaction Does Not Exist",
					 NULL, 0, &resp, &len);
	if (err)
		return err;
	err = tsx_alloc(&tsx, l, PINT_TSX_NIST, k, in->src);
	if (err) {
		free(resp);
		return err;
	}
	tsx->msg = resp;
	tsx->msg_len = len;
	tsx->state = PINT_TSX_COMPLETED;
	if (!tsx_reliable(tsx))
		tsx_arm(tsx, &tsx->life, now + 64ull * l->t1);  /* J */
	err = tsx_send(tsx, resp, len);
	if (err) {
		l->st.transport_errors++;
		tsx_kill(tsx);
	} else if (tsx_reliable(tsx)) {
		tsx_kill(tsx);
	}
	if (ist && ist->state == PINT_TSX_PROCEEDING && l->h.cancel)
		l->h.cancel(ist, in->m, l->h.arg);
	return 0;
}

/* A request no transaction knows: a new IST (answered 100) or NIST. */
static int new_request(struct pint_tsx_layer *l, const struct tsx_in *in,
		       const struct tsx_key *k)
{
	bool invite = !strcmp(in->mi.method, "INVITE");
	struct pint_tsx *tsx = NULL;
	char *trying = NULL;
	size_t len = 0;
	int err;

	if (invite) {
		err = tsx_build_response(in->raw, in->len, 100, "Trying", NULL,
					 0, &trying, &len);
		if (err)
			return err;
	}
	err = tsx_alloc(&tsx, l, invite ? PINT_TSX_IST : PINT_TSX_NIST, k,
			in->src);
	if (err) {
		free(trying);
		return err;
	}
	tsx->state = invite ? PINT_TSX_PROCEEDING : PINT_TSX_TRYING;
	if (invite) {
		tsx->msg = trying;
		tsx->msg_len = len;
		err = tsx_send(tsx, trying, len);
		if (err) {
			/* the TU never saw it; the peer will retransmit */
			l->st.transport_errors++;
			tsx_kill(tsx);
			return 0;
		}
	}
	/* a send handler that answers at once may have ended it already */
	if (l->h.req && tsx->state != PINT_TSX_TERMINATED)
		l->h.req(tsx, in->m, in->src, l->h.arg);
	return 0;
}

/* A request other than ACK: retransmission, CANCEL or a new one. */
int tsx_server_request(struct pint_tsx_layer *l, const struct tsx_in *in,
		       uint64_t now)
{
	const struct tsx_info *mi = &in->mi;
	struct tsx_key k;
	struct pint_tsx *tsx;

	tsx_key_make(l, &k, mi->branch, mi->method, mi->host, mi->port);
	tsx = tsx_lookup(l, &k);
	if (tsx) {
		retransmitted(tsx);
		return 0;
	}
	if (!strcmp(mi->method, "CANCEL"))
		return cancel(l, in, &k, now);
	return new_request(l, in, &k);
}

static void got_2xx_ack(struct pint_tsx *ist)
{
	ist->flags |= TSX_F_ACKED;
	pint_heap_disarm(&ist->l->heap, &ist->rtx);
}

/*
 * ACK: for a non-2xx it belongs to the IST (same branch) and is absorbed
 * there; for a 2xx it stops our 2xx resends and goes to the TU (stray).
 */
void tsx_server_ack(struct pint_tsx_layer *l, const struct tsx_in *in,
		    uint64_t now)
{
	const struct tsx_info *mi = &in->mi;
	struct tsx_key k;
	struct pint_tsx *ist;

	tsx_key_make(l, &k, mi->branch, "INVITE", mi->host, mi->port);
	ist = tsx_lookup(l, &k);
	if (ist && ist->kind == PINT_TSX_IST) {
		switch ((enum pint_tsx_state)ist->state) {
		case PINT_TSX_COMPLETED:
			pint_heap_disarm(&l->heap, &ist->rtx);
			pint_heap_disarm(&l->heap, &ist->life);
			ist->state = PINT_TSX_CONFIRMED;
			if (tsx_reliable(ist))
				tsx_kill(ist);
			else
				tsx_arm(ist, &ist->life, now + l->t4);  /* I */
			return;
		case PINT_TSX_ACCEPTED:
			/* a 2xx ACK reusing the INVITE's branch (RFC 2543) */
			got_2xx_ack(ist);
			tsx_stray(l, in);
			return;
		default:
			/* Confirmed: a retransmission; Proceeding: bogus */
			l->st.retransmits_absorbed++;
			return;
		}
	}
	ist = find_by_ack(l, in->m);
	if (ist)
		got_2xx_ack(ist);
	tsx_stray(l, in);
}

/* Attach the 2xx ACK key (before any state changes; ENOMEM undoes it). */
static int wait_for_ack(struct pint_tsx *ist, osip_message_t *resp)
{
	struct pint_tsx_layer *l = ist->l;
	char key[TSX_ACKKEY_MAX];
	size_t len = 0;
	char *aux;
	int err;

	if (!ack_key(resp, key, sizeof(key), &len)) {
		/* no tags, no dialog: nothing to wait for or resend */
		ist->flags |= TSX_F_ACKED;
		return 0;
	}
	aux = malloc(len);
	if (!aux)
		return ENOMEM;
	memcpy(aux, key, len);
	err = pint_hash_insert(&l->by_ack, &ist->by_ack,
			       pint_hash_sip(l->sipkey, key, len));
	if (err) {
		free(aux);
		return err;
	}
	ist->aux = aux;
	ist->aux_len = len;
	ist->flags |= TSX_F_BYACK;
	return 0;
}

/* The state a response moves tsx to, with its timers (RFC 3261 / 6026). */
static void respond_transition(struct pint_tsx *tsx, int code, uint64_t now)
{
	struct pint_tsx_layer *l = tsx->l;
	bool resend = !tsx_reliable(tsx);

	if (code < 200) {
		if (tsx->kind == PINT_TSX_NIST)
			tsx->state = PINT_TSX_PROCEEDING;
		return;
	}
	if (tsx->kind == PINT_TSX_NIST) {
		tsx->state = PINT_TSX_COMPLETED;
		if (resend)
			tsx_arm(tsx, &tsx->life, now + 64ull * l->t1);  /* J */
		return;
	}
	tsx->state = code < 300 ? PINT_TSX_ACCEPTED : PINT_TSX_COMPLETED;
	if (resend && !(tsx->flags & TSX_F_ACKED)) {
		tsx->interval = l->t1;
		tsx_arm(tsx, &tsx->rtx, now + l->t1);           /* G */
	}
	tsx_arm(tsx, &tsx->life, now + 64ull * l->t1);          /* L or H */
}

/* The common part of the respond calls: resp is what buf says. */
static int respond(struct pint_tsx *tsx, osip_message_t *resp,
		   const char *buf, size_t len, uint64_t now)
{
	struct pint_tsx_layer *l = tsx->l;
	char *copy = NULL;
	int code, err;

	if (!MSG_IS_RESPONSE(resp))
		return EINVAL;
	code = resp->status_code;
	if (code < 100 || code > 699)
		return EINVAL;
	if (tsx->state != PINT_TSX_PROCEEDING &&
	    !(tsx->kind == PINT_TSX_NIST && tsx->state == PINT_TSX_TRYING))
		return EPROTO;
	err = tsx_copy(&copy, buf, len);
	if (err)
		return err;
	if (tsx->kind == PINT_TSX_IST && code >= 200 && code < 300) {
		err = wait_for_ack(tsx, resp);
		if (err) {
			free(copy);
			return err;
		}
	}

	tsx_enter(l);
	free(tsx->msg);
	tsx->msg = copy;
	tsx->msg_len = len;
	respond_transition(tsx, code, now);
	err = tsx_send(tsx, tsx->msg, tsx->msg_len);
	if (err) {
		l->st.transport_errors++;
		tsx_kill(tsx);
	} else if (tsx->kind == PINT_TSX_NIST && code >= 200 &&
		   tsx_reliable(tsx)) {
		tsx_kill(tsx);                                  /* J = 0 */
	}
	tsx_leave(l);
	return err;
}

static bool server_kind(const struct pint_tsx *tsx)
{
	return tsx->kind == PINT_TSX_IST || tsx->kind == PINT_TSX_NIST;
}

/*
 * Send the response in buf (len bytes, copied) on a server transaction
 * and keep it for retransmissions: any number of 1xx, then one final.
 * EINVAL not a server transaction or not a response (100..699), EPROTO
 * after the final, ENOMEM, EMSGSIZE, or the send handler's errno (the
 * transaction then ends, without a fail callback).
 */
int pint_tsx_respond_buf(struct pint_tsx *tsx, const char *buf, size_t len,
			 uint64_t now_ms)
{
	osip_message_t *resp = NULL;
	int err;

	if (!tsx || !buf || !server_kind(tsx))
		return EINVAL;
	if (len > PINT_TSX_MAX_MSG)
		return EMSGSIZE;
	err = tsx_parse(&resp, buf, len);
	if (err)
		return err == ENOMEM ? ENOMEM : EINVAL;
	err = respond(tsx, resp, buf, len, now_ms);
	osip_message_free(resp);
	return err;
}

/*
 * pint_tsx_respond_buf() for a response the caller built and printed:
 * resp (borrowed) is what buf says, so buf is not parsed again (see
 * pint_tsx_start_built).
 */
int pint_tsx_respond_built(struct pint_tsx *tsx, osip_message_t *resp,
			   const char *buf, size_t len, uint64_t now_ms)
{
	if (!tsx || !resp || !buf || !server_kind(tsx))
		return EINVAL;
	if (len > PINT_TSX_MAX_MSG)
		return EMSGSIZE;
	return respond(tsx, resp, buf, len, now_ms);
}

/* pint_tsx_respond_buf() for an osip message (borrowed), serialized here. */
int pint_tsx_respond(struct pint_tsx *tsx, osip_message_t *resp,
		     uint64_t now_ms)
{
	char *s = NULL;
	size_t n = 0;
	int r, err;

	if (!tsx || !resp || !server_kind(tsx))
		return EINVAL;
	r = osip_message_to_str(resp, &s, &n);
	if (r || !s)
		err = r == OSIP_NOMEM ? ENOMEM : EINVAL;
	else if (n > PINT_TSX_MAX_MSG)
		err = EMSGSIZE;
	else
		err = respond(tsx, resp, s, n, now_ms);
	osip_free(s);
	return err;
}

/* A timer of a server transaction fired. */
void tsx_server_timer(struct pint_tsx *tsx, enum tsx_timer which,
		      uint64_t now)
{
	struct pint_tsx_layer *l = tsx->l;
	int err;

	if (which == TSX_RTX) {
		/* G in Completed; the 2xx resend in Accepted until the ACK */
		if (tsx->state != PINT_TSX_COMPLETED &&
		    tsx->state != PINT_TSX_ACCEPTED)
			return;
		tsx->interval = 2 * tsx->interval < l->t2 ? 2 * tsx->interval :
							    l->t2;
		tsx_arm(tsx, &tsx->rtx, now + tsx->interval);
		err = tsx_resend(tsx, tsx->msg, tsx->msg_len);
		if (err)
			tsx_fail(tsx, err);
		return;
	}
	if (tsx->kind == PINT_TSX_IST &&
	    ((tsx->state == PINT_TSX_COMPLETED) ||              /* H */
	     (tsx->state == PINT_TSX_ACCEPTED && !(tsx->flags & TSX_F_ACKED))))
		tsx_fail(tsx, ETIMEDOUT);
	else
		tsx_kill(tsx);                                  /* I, J, L */
}
