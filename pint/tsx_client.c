/*
 * pint/tsx_client.c — client transactions: ICT (RFC 3261 §17.1.1 with the
 * RFC 6026 Accepted state) and NICT (§17.1.2).
 *
 * ICT:  Calling --1xx--> Proceeding --2xx--> Accepted (M) --> Terminated
 *          |  (A, B)          |  --300-699--> Completed (D) --> Terminated
 *          +-- B fires: timeout
 * NICT: Trying --1xx--> Proceeding --final--> Completed (K) --> Terminated
 *          (E, F)           (E at T2, F)
 * The ACK for a non-2xx is built from the stored request and the response
 * (tsx_msg.c) and kept to answer retransmitted finals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "pint/tsx_int.h"

/* Timer D for unreliable transports (RFC 3261: at least 32 s). */
#define TIMER_D_MS 32000u
/* Timer A doubles without cap; Timer B ends it long before this. */
#define RTX_MAX_MS 0x40000000u

/*
 * The common part of the start calls: req is what buf says. The bytes
 * are copied; the first copy goes out before this returns.
 */
static int start(uint64_t *idp, struct pint_tsx_layer *l,
		 osip_message_t *req, const char *buf, size_t len,
		 const struct pint_tsx_peer *peer, void *ctx, uint64_t now)
{
	struct tsx_info mi;
	struct tsx_key k;
	struct pint_tsx *tsx = NULL;
	char *copy = NULL;
	int err;

	if (!MSG_IS_REQUEST(req) || tsx_info_get(req, &mi) ||
	    !strcmp(mi.method, "ACK"))
		return EINVAL;
	tsx_key_make(l, &k, mi.branch, mi.method, NULL, 0);
	if (tsx_lookup(l, &k))
		return EALREADY;
	err = tsx_copy(&copy, buf, len);
	if (err)
		return err;

	tsx_enter(l);
	err = tsx_alloc(&tsx, l, strcmp(mi.method, "INVITE") ? PINT_TSX_NICT :
		       PINT_TSX_ICT, &k, peer);
	if (err) {
		free(copy);
		goto out;
	}
	tsx->msg = copy;
	tsx->msg_len = len;
	tsx->ctx = ctx;
	tsx->state = tsx->kind == PINT_TSX_ICT ? PINT_TSX_CALLING :
						 PINT_TSX_TRYING;
	/* timers first: a send handler may answer at once, re-entering */
	if (!tsx_reliable(tsx)) {
		tsx->interval = l->t1;
		tsx_arm(tsx, &tsx->rtx, now + l->t1);
	}
	tsx_arm(tsx, &tsx->life, now + 64ull * l->t1);  /* B or F */
	err = tsx_send(tsx, tsx->msg, tsx->msg_len);
	if (err) {
		l->st.transport_errors++;
		tsx_kill(tsx);
	} else {
		*idp = tsx->id;
	}
out:
	tsx_leave(l);
	return err;
}

/*
 * Start a client transaction for the request in buf (len bytes, copied):
 * ICT for INVITE, NICT for anything else but ACK (an ACK for a 2xx is
 * sent by the TU itself; the ACK for a non-2xx is the ICT's). Its top Via
 * must carry a branch unique to this request. The first copy is sent at
 * once. *idp gets its id (pint_tsx_find; the ctx pointer comes back in
 * every callback); it may be gone already if the send handler answered.
 * EINVAL bad argument or request, EALREADY branch + method in use,
 * EMSGSIZE, ENOMEM, or the send handler's errno (no transaction then).
 */
int pint_tsx_start_buf(uint64_t *idp, struct pint_tsx_layer *l,
		       const char *buf, size_t len,
		       const struct pint_tsx_peer *peer, void *ctx,
		       uint64_t now_ms)
{
	osip_message_t *req = NULL;
	int err;

	if (!idp || !l || !buf || !tsx_peer_ok(peer))
		return EINVAL;
	if (len > PINT_TSX_MAX_MSG)
		return EMSGSIZE;
	err = tsx_parse(&req, buf, len);
	if (err)
		return err == ENOMEM ? ENOMEM : EINVAL;
	err = start(idp, l, req, buf, len, peer, ctx, now_ms);
	osip_message_free(req);
	return err;
}

/*
 * pint_tsx_start_buf() for a request the caller built and printed: req
 * (borrowed) is what buf says, so buf is not parsed again. The caller
 * answers for the two agreeing (the ua prints with pint_sip_to_str, and
 * its fuzz target checks that every message it sends parses).
 */
int pint_tsx_start_built(uint64_t *idp, struct pint_tsx_layer *l,
			 osip_message_t *req, const char *buf, size_t len,
			 const struct pint_tsx_peer *peer, void *ctx,
			 uint64_t now_ms)
{
	if (!idp || !l || !req || !buf || !tsx_peer_ok(peer))
		return EINVAL;
	if (len > PINT_TSX_MAX_MSG)
		return EMSGSIZE;
	return start(idp, l, req, buf, len, peer, ctx, now_ms);
}

/* pint_tsx_start_buf() for an osip message (borrowed), serialized here. */
int pint_tsx_start(uint64_t *idp, struct pint_tsx_layer *l,
		   osip_message_t *req, const struct pint_tsx_peer *peer,
		   void *ctx, uint64_t now_ms)
{
	char *s = NULL;
	size_t n = 0;
	int r, err;

	if (!idp || !l || !req || !tsx_peer_ok(peer))
		return EINVAL;
	r = osip_message_to_str(req, &s, &n);
	if (r || !s)
		err = r == OSIP_NOMEM ? ENOMEM : EINVAL;
	else if (n > PINT_TSX_MAX_MSG)
		err = EMSGSIZE;
	else
		err = start(idp, l, req, s, n, peer, ctx, now_ms);
	osip_free(s);
	return err;
}

static void deliver(struct pint_tsx *tsx, const struct tsx_in *in)
{
	struct pint_tsx_layer *l = tsx->l;

	if (l->h.resp)
		l->h.resp(tsx, in->m, l->h.arg);
}

/* A client transaction past its last send of the request lets it go:
 * Completed and Accepted only absorb (or pass up) retransmitted
 * responses, for up to 32 s. */
static void drop_request(struct pint_tsx *tsx)
{
	free(tsx->msg);
	tsx->msg = NULL;
	tsx->msg_len = 0;
}

/*
 * 300-699 in Calling or Proceeding: ACK it, then Completed for Timer D
 * (0 over TCP). If the ACK cannot be built (ENOMEM) nothing changes and
 * the response is dropped: the server retransmits it.
 */
static int ict_final(struct pint_tsx *tsx, const struct tsx_in *in,
		     uint64_t now)
{
	struct pint_tsx_layer *l = tsx->l;
	int err;

	err = tsx_build_ack(tsx->msg, tsx->msg_len, in->raw, in->len,
			    &tsx->aux, &tsx->aux_len);
	if (err)
		return err;
	pint_heap_disarm(&l->heap, &tsx->rtx);
	pint_heap_disarm(&l->heap, &tsx->life);
	drop_request(tsx);      /* the ACK (aux) is what is sent again */
	tsx->state = PINT_TSX_COMPLETED;
	if (!tsx_reliable(tsx))
		tsx_arm(tsx, &tsx->life, now + TIMER_D_MS);
	err = tsx_send(tsx, tsx->aux, tsx->aux_len);
	deliver(tsx, in);
	/* the TU may have terminated tsx meanwhile: both calls allow that */
	if (err)
		tsx_fail(tsx, err);
	else if (tsx_reliable(tsx))
		tsx_kill(tsx);
	return 0;
}

/*
 * A ringing INVITE is held for as long as it rings: once Proceeding, it
 * sends nothing again but the ACK of a non-2xx final, so the request is
 * cut to the lines that ACK is made of. ENOMEM keeps the whole request.
 */
static void ict_keep_ack_base(struct pint_tsx *tsx)
{
	char *base;
	size_t len;

	if (tsx_ack_base(tsx->msg, tsx->msg_len, &base, &len))
		return;
	free(tsx->msg);
	tsx->msg = base;
	tsx->msg_len = len;
}

static int ict_recv(struct pint_tsx *tsx, const struct tsx_in *in, uint64_t now)
{
	struct pint_tsx_layer *l = tsx->l;
	int code = in->m->status_code, err;

	switch ((enum pint_tsx_state)tsx->state) {
	case PINT_TSX_CALLING:
	case PINT_TSX_PROCEEDING:
		if (code < 200) {
			/* no more retransmissions, and no Timer B: the
			 * TU's own answer timeout takes over */
			pint_heap_disarm(&l->heap, &tsx->rtx);
			pint_heap_disarm(&l->heap, &tsx->life);
			if (tsx->state == PINT_TSX_CALLING)
				ict_keep_ack_base(tsx);
			tsx->state = PINT_TSX_PROCEEDING;
			deliver(tsx, in);
			return 0;
		}
		if (code < 300) {
			pint_heap_disarm(&l->heap, &tsx->rtx);
			drop_request(tsx);
			tsx->state = PINT_TSX_ACCEPTED;
			tsx_arm(tsx, &tsx->life, now + 64ull * l->t1); /* M */
			deliver(tsx, in);
			return 0;
		}
		return ict_final(tsx, in, now);
	case PINT_TSX_COMPLETED:
		if (code >= 300) {
			l->st.retransmits_absorbed++;
			err = tsx_resend(tsx, tsx->aux, tsx->aux_len);
			if (err)
				tsx_fail(tsx, err);
		}
		return 0;
	case PINT_TSX_ACCEPTED:
		/* RFC 6026: 2xx retransmissions go up; the TU re-ACKs */
		if (code >= 200 && code < 300)
			deliver(tsx, in);
		return 0;
	default:
		return 0;
	}
}

static int nict_recv(struct pint_tsx *tsx, const struct tsx_in *in,
		     uint64_t now)
{
	struct pint_tsx_layer *l = tsx->l;

	switch ((enum pint_tsx_state)tsx->state) {
	case PINT_TSX_TRYING:
	case PINT_TSX_PROCEEDING:
		if (in->m->status_code < 200) {
			/* Timer E keeps running; it fires at T2 from now on */
			tsx->state = PINT_TSX_PROCEEDING;
			deliver(tsx, in);
			return 0;
		}
		pint_heap_disarm(&l->heap, &tsx->rtx);
		pint_heap_disarm(&l->heap, &tsx->life);
		drop_request(tsx);
		tsx->state = PINT_TSX_COMPLETED;
		if (!tsx_reliable(tsx))
			tsx_arm(tsx, &tsx->life, now + l->t4);   /* K */
		deliver(tsx, in);
		if (tsx_reliable(tsx))
			tsx_kill(tsx);
		return 0;
	case PINT_TSX_COMPLETED:
		l->st.retransmits_absorbed++;
		return 0;
	default:
		return 0;
	}
}

/* A response matched tsx (a client transaction). ENOMEM drops it. */
int tsx_client_recv(struct pint_tsx *tsx, const struct tsx_in *in,
		    uint64_t now)
{
	if (tsx->kind == PINT_TSX_ICT)
		return ict_recv(tsx, in, now);
	return nict_recv(tsx, in, now);
}

/* Timer A or E: send the request again and back off. */
static void client_rtx(struct pint_tsx *tsx, uint64_t now)
{
	struct pint_tsx_layer *l = tsx->l;
	uint32_t next;
	int err;

	if (tsx->kind == PINT_TSX_ICT && tsx->state == PINT_TSX_CALLING)
		next = tsx->interval < RTX_MAX_MS ? 2 * tsx->interval :
						    RTX_MAX_MS;
	else if (tsx->kind == PINT_TSX_NICT && tsx->state == PINT_TSX_TRYING)
		next = 2 * tsx->interval < l->t2 ? 2 * tsx->interval : l->t2;
	else if (tsx->kind == PINT_TSX_NICT &&
		 tsx->state == PINT_TSX_PROCEEDING)
		next = l->t2;
	else
		return;
	tsx->interval = next;
	tsx_arm(tsx, &tsx->rtx, now + next);
	err = tsx_resend(tsx, tsx->msg, tsx->msg_len);
	if (err)
		tsx_fail(tsx, err);
}

/* A timer of a client transaction fired. */
void tsx_client_timer(struct pint_tsx *tsx, enum tsx_timer which,
		      uint64_t now)
{
	if (which == TSX_RTX) {
		client_rtx(tsx, now);
		return;
	}
	switch ((enum pint_tsx_state)tsx->state) {
	case PINT_TSX_CALLING:          /* B */
	case PINT_TSX_TRYING:           /* F */
	case PINT_TSX_PROCEEDING:       /* F (an ICT has none here) */
		tsx_fail(tsx, ETIMEDOUT);
		break;
	default:                        /* D, M, K */
		tsx_kill(tsx);
		break;
	}
}
