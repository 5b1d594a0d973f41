/*
 * pint/tsx.c — the transaction layer: matching, timers, deferred frees,
 * and what the client (tsx_client.c) and server (tsx_server.c) halves share.
 *
 * Matching is RFC 3261 §17.1.3 / §17.2.3 on the top Via branch only: keys
 * are branch + method for client transactions and branch + method +
 * sent-by for server ones (ACK looks for INVITE; CANCEL has its own
 * server transaction). Branches without the z9hG4bK cookie are matched
 * the same way, by exact value; the RFC 2543 fallback (Request-URI, tags,
 * Call-ID, CSeq) is not implemented, and requests without a branch are
 * rejected (EBADMSG).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "pint/pl.h"
#include "pint/sip.h"
#include "pint/tsx_int.h"

/* Count an entry point; frees wait until the outermost one returns. */
void tsx_enter(struct pint_tsx_layer *l)
{
	l->depth++;
}

static void tsx_free(struct pint_tsx *tsx)
{
	free(tsx->msg);
	free(tsx->aux);
	free(tsx);
}

/* Leave an entry point; the outermost frees what terminated meanwhile. */
void tsx_leave(struct pint_tsx_layer *l)
{
	if (--l->depth)
		return;
	while (l->dead) {
		struct pint_tsx *tsx = l->dead;

		l->dead = tsx->next_dead;
		tsx_free(tsx);
	}
}

/* An empty layer. cfg may be NULL (defaults); h->send is required. */
int pint_tsx_layer_alloc(struct pint_tsx_layer **lp,
			 const struct pint_tsx_config *cfg,
			 const struct pint_tsx_handlers *h)
{
	struct pint_tsx_layer *l;

	if (!lp || !h || !h->send)
		return EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return ENOMEM;
	l->h = *h;
	l->t1 = cfg && cfg->t1_ms ? cfg->t1_ms : PINT_TSX_T1_MS;
	l->t2 = cfg && cfg->t2_ms ? cfg->t2_ms : PINT_TSX_T2_MS;
	l->t4 = cfg && cfg->t4_ms ? cfg->t4_ms : PINT_TSX_T4_MS;
	if (cfg)
		memcpy(l->sipkey, cfg->hash_key, sizeof(l->sipkey));
	pint_hash_init(&l->by_key);
	pint_hash_init(&l->by_id);
	pint_hash_init(&l->by_ack);
	pint_heap_init(&l->heap);
	l->next_id = 1;
	*lp = l;
	return 0;
}

static void free_visit(struct pint_hash_node *n, void *arg)
{
	(void)arg;
	tsx_free(TSX_OF(n, by_id));
}

/*
 * Free the layer and every transaction, without callbacks and without
 * sending anything. Not from inside a callback.
 */
void pint_tsx_layer_free(struct pint_tsx_layer *l)
{
	if (!l)
		return;
	/* every transaction not yet terminated is in by_id exactly once */
	pint_hash_reset(&l->by_id, free_visit, NULL);
	pint_hash_reset(&l->by_key, NULL, NULL);
	pint_hash_reset(&l->by_ack, NULL, NULL);
	l->depth = 1;
	tsx_leave(l);
	pint_heap_reset(&l->heap);
	free(l);
}

/* A malloc'd, NUL-terminated copy of len bytes. */
int tsx_copy(char **dstp, const char *buf, size_t len)
{
	char *d = malloc(len + 1);

	if (!d)
		return ENOMEM;
	memcpy(d, buf, len);
	d[len] = '\0';
	*dstp = d;
	return 0;
}

/*
 * Parse len bytes into a new message (free it with osip_message_free)
 * through pint_sip_parse, the one checked parse path: raw osip leaks on
 * some input (a body part with two Content-Types) and takes what it
 * cannot print back. EBADMSG when refused, EMSGSIZE, ENOMEM.
 */
int tsx_parse(osip_message_t **mp, const char *buf, size_t len)
{
	return pint_sip_parse(mp, buf, len, NULL);
}

/*
 * The top Via's branch and sent-by and the method, after the checks every
 * matched message must pass: Via with branch, CSeq (number < 2^32),
 * Call-ID, From, To; a request's CSeq method equal to its method; a
 * status of 100..699.
 */
int tsx_info_get(osip_message_t *m, struct tsx_info *mi)
{
	osip_via_t *via = NULL;
	osip_generic_param_t *br = NULL;
	unsigned long long port = 5060, num;
	struct pint_pl cseq;

	if (!m->cseq || !m->cseq->method || !m->cseq->number ||
	    !m->call_id || !m->from || !m->to)
		return EBADMSG;
	if (osip_message_get_via(m, 0, &via) < 0 || !via || !via->host ||
	    !*via->host || strlen(via->host) > PINT_TSX_MAX_HOST)
		return EBADMSG;
	/* osip takes a char * name it does not modify */
	if (osip_via_param_get_byname(via, (char *)"branch", &br) != 0 ||
	    !br || !br->gvalue || !*br->gvalue ||
	    strlen(br->gvalue) > PINT_TSX_MAX_BRANCH)
		return EBADMSG;
	if (via->port) {
		struct pint_pl pl = pint_pl_str(via->port);

		if (pint_pl_u64(&pl, 65535, &port) || port == 0)
			return EBADMSG;
	}
	mi->branch = br->gvalue;
	mi->host = via->host;
	mi->port = (unsigned)port;
	mi->request = MSG_IS_REQUEST(m);
	if (mi->request) {
		if (!m->sip_method || strcmp(m->sip_method, m->cseq->method))
			return EBADMSG;
	} else if (m->status_code < 100 || m->status_code > 699) {
		return EBADMSG;
	}
	mi->method = m->cseq->method;
	if (!*mi->method || strlen(mi->method) > PINT_TSX_MAX_METHOD)
		return EBADMSG;
	/* osip keeps the number as text; RFC 3261: 32 bits */
	cseq = pint_pl_str(m->cseq->number);
	if (pint_pl_u64(&cseq, UINT32_MAX, &num))
		return EBADMSG;
	return 0;
}

static void key_put(struct tsx_key *k, const char *s, size_t n)
{
	if (n > sizeof(k->buf) - k->len)
		n = sizeof(k->buf) - k->len;
	memcpy(k->buf + k->len, s, n);
	k->len += n;
}

/*
 * The match key: branch NUL method, then NUL host:port for server
 * transactions (host NULL for client ones). The host is lower-cased.
 */
void tsx_key_make(const struct pint_tsx_layer *l, struct tsx_key *k,
		  const char *branch, const char *method, const char *host,
		  unsigned port)
{
	char tail[16];
	size_t i;

	k->len = 0;
	key_put(k, branch, strlen(branch) + 1);
	key_put(k, method, strlen(method));
	if (host) {
		key_put(k, "", 1);
		for (i = 0; host[i] && k->len < sizeof(k->buf); i++) {
			char c = host[i];

			k->buf[k->len++] = c >= 'A' && c <= 'Z' ? c + 32 : c;
		}
		/* ":port" without snprintf: this runs for every message */
		i = sizeof(tail);
		do {
			tail[--i] = (char)('0' + port % 10);
			port /= 10;
		} while (port && i > 1);
		tail[--i] = ':';
		key_put(k, tail + i, sizeof(tail) - i);
	}
	k->hash = pint_hash_sip(l->sipkey, k->buf, k->len);
}

static bool key_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	const struct pint_tsx *tsx = TSX_OF(n, by_key);
	const struct tsx_key *k = key;

	(void)arg;
	return tsx->key_len == k->len && !memcmp(tsx->key, k->buf, k->len);
}

/* The live transaction with this key, or NULL. */
struct pint_tsx *tsx_lookup(const struct pint_tsx_layer *l,
			    const struct tsx_key *k)
{
	struct pint_hash_node *n;

	n = pint_hash_find(&l->by_key, k->hash, key_eq, k, NULL);
	return n ? TSX_OF(n, by_key) : NULL;
}

static bool id_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	(void)arg;
	return TSX_OF(n, by_id)->id == *(const uint64_t *)key;
}

/* The live transaction with this id, or NULL once it has terminated. */
struct pint_tsx *pint_tsx_find(const struct pint_tsx_layer *l, uint64_t id)
{
	struct pint_hash_node *n;

	if (!l)
		return NULL;
	n = pint_hash_find(&l->by_id, pint_hash_u64(id), id_eq, &id, NULL);
	return n ? TSX_OF(n, by_id) : NULL;
}

static bool client_kind(enum pint_tsx_kind kind)
{
	return kind == PINT_TSX_ICT || kind == PINT_TSX_NICT;
}

/*
 * A new transaction in the indexes, with room for its two timers. The
 * caller sets its state and stored bytes; nothing is sent yet.
 */
int tsx_alloc(struct pint_tsx **tsxp, struct pint_tsx_layer *l,
	      enum pint_tsx_kind kind, const struct tsx_key *k,
	      const struct pint_tsx_peer *peer)
{
	struct pint_tsx *tsx;
	size_t alen = strlen(peer->addr);
	int err;

	err = pint_heap_reserve(&l->heap, 2 * (l->live + 1));
	if (err)
		return err;
	tsx = calloc(1, sizeof(*tsx) + k->len + 1 + alen + 1);
	if (!tsx)
		return ENOMEM;
	tsx->l = l;
	tsx->id = l->next_id;
	tsx->kind = (uint8_t)kind;
	tsx->transport = (uint8_t)peer->transport;
	tsx->port = peer->port;
	tsx->key_len = (uint16_t)k->len;
	memcpy(tsx->key, k->buf, k->len);
	memcpy(tsx->key + k->len + 1, peer->addr, alen);
	pint_timer_init(&tsx->rtx, TSX_RTX);
	pint_timer_init(&tsx->life, TSX_LIFE);
	err = pint_hash_insert(&l->by_key, &tsx->by_key, k->hash);
	if (err) {
		free(tsx);
		return err;
	}
	err = pint_hash_insert(&l->by_id, &tsx->by_id, pint_hash_u64(tsx->id));
	if (err) {
		pint_hash_remove(&l->by_key, &tsx->by_key);
		free(tsx);
		return err;
	}
	l->next_id++;
	l->live++;
	if (client_kind(kind))
		l->st.live_client++;
	else
		l->st.live_server++;
	*tsxp = tsx;
	return 0;
}

/*
 * Terminated: out of every index, timers off, freed when the outermost
 * entry point returns. Idempotent. Call only inside an entry point.
 */
void tsx_kill(struct pint_tsx *tsx)
{
	struct pint_tsx_layer *l = tsx->l;

	if (tsx->state == PINT_TSX_TERMINATED)
		return;
	tsx->state = PINT_TSX_TERMINATED;
	pint_heap_disarm(&l->heap, &tsx->rtx);
	pint_heap_disarm(&l->heap, &tsx->life);
	pint_hash_remove(&l->by_key, &tsx->by_key);
	pint_hash_remove(&l->by_id, &tsx->by_id);
	if (tsx->flags & TSX_F_BYACK)
		pint_hash_remove(&l->by_ack, &tsx->by_ack);
	tsx->flags &= (uint8_t)~TSX_F_BYACK;
	l->live--;
	if (client_kind(tsx->kind))
		l->st.live_client--;
	else
		l->st.live_server--;
	tsx->next_dead = l->dead;
	l->dead = tsx;
}

/* Terminate and tell the TU why (ETIMEDOUT or a transport error). */
void tsx_fail(struct pint_tsx *tsx, int err)
{
	struct pint_tsx_layer *l = tsx->l;

	if (tsx->state == PINT_TSX_TERMINATED)
		return;
	tsx_kill(tsx);
	if (err == ETIMEDOUT)
		l->st.timeouts++;
	else
		l->st.transport_errors++;
	if (l->h.fail)
		l->h.fail(tsx, err, l->h.arg);
}

/* Hand bytes to the transport; a failure comes back as a positive errno. */
int tsx_send(struct pint_tsx *tsx, const char *buf, size_t len)
{
	struct pint_tsx_layer *l = tsx->l;
	struct pint_tsx_peer peer = {
		.transport = (enum pint_tsx_transport)tsx->transport,
		.addr = tsx->key + tsx->key_len + 1,
		.port = tsx->port,
	};
	int r = l->h.send(buf, len, &peer, l->h.arg);

	if (r == 0)
		return 0;
	return r > 0 ? r : EIO;
}

/* tsx_send(), counted as a retransmission. */
int tsx_resend(struct pint_tsx *tsx, const char *buf, size_t len)
{
	tsx->l->st.retransmits_sent++;
	return tsx_send(tsx, buf, len);
}

/* Arm (or move) one of the transaction's two timers. */
void tsx_arm(struct pint_tsx *tsx, struct pint_timer *t, uint64_t due)
{
	/* cannot fail: tsx_alloc() reserved two slots per live transaction */
	(void)pint_heap_arm(&tsx->l->heap, t, due);
}

/* TCP: no retransmissions, and the Completed/Confirmed waits are 0. */
bool tsx_reliable(const struct pint_tsx *tsx)
{
	return tsx->transport != PINT_TSX_UDP;
}

/* Hand a message to the stray handler: 2xx ACKs, unmatched responses. */
void tsx_stray(struct pint_tsx_layer *l, const struct tsx_in *in)
{
	l->st.strays++;
	if (l->h.stray)
		l->h.stray(in->m, in->src, l->h.arg);
}

/* A usable peer: known transport, address of 1..PINT_TSX_MAX_ADDR bytes. */
bool tsx_peer_ok(const struct pint_tsx_peer *p)
{
	return p && p->addr && *p->addr &&
	       strlen(p->addr) <= PINT_TSX_MAX_ADDR &&
	       (p->transport == PINT_TSX_UDP || p->transport == PINT_TSX_TCP);
}

/*
 * The first line, before osip sees it: "SIP/x SP 3DIGIT SP [reason]" or
 * "Method SP URI SP SIP/x", within one line. osip looks for those spaces
 * across line ends (then its headers start elsewhere than ours), and
 * wraps a status of more than three digits into 100..699.
 */
static bool start_line_ok(const char *buf, size_t len)
{
	size_t n = 0, sp[3], nsp = 0, i;

	while (n < len && buf[n] != '\r' && buf[n] != '\n' && buf[n])
		n++;
	for (i = 0; i < n && nsp < 3; i++) {
		if (buf[i] == ' ')
			sp[nsp++] = i;
	}
	if (n >= 4 && !memcmp(buf, "SIP/", 4)) {
		if (nsp < 1 || sp[0] + 4 > n)
			return false;
		for (i = sp[0] + 1; i < sp[0] + 4; i++) {
			if (buf[i] < '0' || buf[i] > '9')
				return false;
		}
		return i < n && buf[i] == ' ';
	}
	return nsp == 2 && sp[0] > 0 && sp[1] > sp[0] + 1 &&
	       n - sp[1] > 4 && !memcmp(buf + sp[1] + 1, "SIP/", 4);
}

static void dispatch(struct pint_tsx_layer *l, struct tsx_in *in,
		     uint64_t now, int *errp)
{
	const struct tsx_info *mi = &in->mi;
	struct tsx_key k;
	struct pint_tsx *tsx;

	if (!mi->request) {
		tsx_key_make(l, &k, mi->branch, mi->method, NULL, 0);
		tsx = tsx_lookup(l, &k);
		if (tsx && client_kind(tsx->kind))
			*errp = tsx_client_recv(tsx, in, now);
		else
			tsx_stray(l, in);
	} else if (!strcmp(mi->method, "ACK")) {
		tsx_server_ack(l, in, now);
	} else {
		*errp = tsx_server_request(l, in, now);
	}
}

/* CR/LF before the start line, as osip skips them: where the text starts. */
static const char *skip_crlf(const char *buf, size_t *lenp)
{
	while (*lenp && (*buf == '\r' || *buf == '\n')) {
		buf++;
		(*lenp)--;
	}
	return buf;
}

/*
 * One message (len bytes, need not be NUL-terminated) came from src. It
 * runs the matching transaction or starts a server one; callbacks run
 * inside. CR/LF before the start line are skipped (so a keep-alive of
 * only CR/LF is ignored). EMSGSIZE past PINT_TSX_MAX_MSG; EBADMSG when
 * pint_sip_parse refuses it or it lacks what matching needs (Via branch,
 * CSeq, Call-ID, From, To); ENOMEM drops it (the peer retransmits).
 * Protocol outcomes are not errors. The parse, then pint_tsx_recv_msg().
 */
int pint_tsx_recv(struct pint_tsx_layer *l, const char *buf, size_t len,
		  const struct pint_tsx_peer *src, uint64_t now_ms)
{
	osip_message_t *m = NULL;
	int err;

	if (!l || !buf || !tsx_peer_ok(src))
		return EINVAL;
	if (len > PINT_TSX_MAX_MSG)
		return EMSGSIZE;
	buf = skip_crlf(buf, &len);
	if (!len)
		return 0;
	if (!start_line_ok(buf, len))
		return EBADMSG;
	err = tsx_parse(&m, buf, len);
	if (err)
		return err;
	err = pint_tsx_recv_msg(l, m, buf, len, src, now_ms);
	osip_message_free(m);
	return err;
}

/*
 * pint_tsx_recv() for a message the caller has parsed already (with
 * pint_sip_parse, say): msg is borrowed, neither kept nor freed, and is
 * what the callbacks get, so edits the caller made (a transport's Via
 * received/rport) reach the TU. raw is the len bytes msg was parsed from:
 * the layer copies its own answers and ACKs from them. The same checks
 * and errors as pint_tsx_recv, except that a raw of only CR/LF, matching
 * no message, is EBADMSG.
 */
int pint_tsx_recv_msg(struct pint_tsx_layer *l, struct osip_message *msg,
		      const char *raw, size_t len,
		      const struct pint_tsx_peer *src, uint64_t now_ms)
{
	struct tsx_in in = { .m = msg, .src = src };
	int err;

	if (!l || !msg || !raw || !tsx_peer_ok(src))
		return EINVAL;
	if (len > PINT_TSX_MAX_MSG)
		return EMSGSIZE;
	raw = skip_crlf(raw, &len);
	/* the text the layer copies from must start where the parser's did */
	if (!len || !start_line_ok(raw, len))
		return EBADMSG;
	in.raw = raw;
	in.len = len;
	err = tsx_info_get(msg, &in.mi);
	if (err)
		return err;
	tsx_enter(l);
	dispatch(l, &in, now_ms, &err);
	tsx_leave(l);
	return err;
}

/* Fire every timer due at now, in deadline order (ties: arming order). */
void pint_tsx_tick(struct pint_tsx_layer *l, uint64_t now_ms)
{
	struct pint_timer *t;

	if (!l)
		return;
	tsx_enter(l);
	while ((t = pint_heap_peek(&l->heap)) && t->due <= now_ms) {
		enum tsx_timer which = (enum tsx_timer)t->tag;
		struct pint_tsx *tsx = which == TSX_RTX ? TSX_OF(t, rtx) :
							 TSX_OF(t, life);

		pint_heap_disarm(&l->heap, t);
		if (client_kind(tsx->kind))
			tsx_client_timer(tsx, which, now_ms);
		else
			tsx_server_timer(tsx, which, now_ms);
	}
	tsx_leave(l);
}

/* When pint_tsx_tick() must run next, or PINT_TSX_NEVER. */
uint64_t pint_tsx_next_deadline(const struct pint_tsx_layer *l)
{
	const struct pint_timer *t = l ? pint_heap_peek(&l->heap) : NULL;

	return t ? t->due : PINT_TSX_NEVER;
}

/*
 * End tsx now, silently: no callback, nothing sent. Safe from inside a
 * callback (the memory stays valid until the entry point returns) and on
 * a transaction that has already terminated.
 */
void pint_tsx_terminate(struct pint_tsx *tsx)
{
	struct pint_tsx_layer *l;

	if (!tsx)
		return;
	l = tsx->l;
	tsx_enter(l);
	tsx_kill(tsx);
	tsx_leave(l);
}

/* The transaction's id, unique within its layer, never reused. */
uint64_t pint_tsx_id(const struct pint_tsx *tsx)
{
	return tsx->id;
}

/* The TU's pointer for this transaction (start ctx, or set_ctx). */
void *pint_tsx_ctx(const struct pint_tsx *tsx)
{
	return tsx->ctx;
}

/* Attach the TU's pointer (server transactions get NULL at first). */
void pint_tsx_set_ctx(struct pint_tsx *tsx, void *ctx)
{
	tsx->ctx = ctx;
}

/* ICT, NICT, IST or NIST. */
enum pint_tsx_kind pint_tsx_kind(const struct pint_tsx *tsx)
{
	return (enum pint_tsx_kind)tsx->kind;
}

/* The current state; Terminated inside fail callbacks. */
enum pint_tsx_state pint_tsx_state(const struct pint_tsx *tsx)
{
	return (enum pint_tsx_state)tsx->state;
}

/* "ICT", "NICT", "IST", "NIST". */
const char *pint_tsx_kind_name(enum pint_tsx_kind kind)
{
	switch (kind) {
	case PINT_TSX_ICT: return "ICT";
	case PINT_TSX_NICT: return "NICT";
	case PINT_TSX_IST: return "IST";
	case PINT_TSX_NIST: return "NIST";
	}
	return "?";
}

/* RFC 3261 state names. */
const char *pint_tsx_state_name(enum pint_tsx_state state)
{
	switch (state) {
	case PINT_TSX_CALLING: return "Calling";
	case PINT_TSX_TRYING: return "Trying";
	case PINT_TSX_PROCEEDING: return "Proceeding";
	case PINT_TSX_COMPLETED: return "Completed";
	case PINT_TSX_CONFIRMED: return "Confirmed";
	case PINT_TSX_ACCEPTED: return "Accepted";
	case PINT_TSX_TERMINATED: return "Terminated";
	}
	return "?";
}

/* Copy the counters out (all zero for no layer). */
void pint_tsx_stats(const struct pint_tsx_layer *l, struct pint_tsx_stats *st)
{
	if (l)
		*st = l->st;
	else
		memset(st, 0, sizeof(*st));
}

/* The RFC 3261 / 6026 name of the timer `which` of tsx in its state. */
static const char *timer_name(const struct pint_tsx *tsx, enum tsx_timer which)
{
	static const char *const rtx[] = { "A", "E", "G", "G" };
	static const char *const life[][7] = {
		/* Calling Trying Proceeding Completed Confirmed Accepted */
		{ "B", "?", "B", "D", "?", "M", "?" },
		{ "?", "F", "F", "K", "?", "?", "?" },
		{ "?", "?", "?", "H", "I", "L", "?" },
		{ "?", "J", "J", "J", "?", "?", "?" },
	};

	if (which == TSX_RTX)
		return rtx[tsx->kind];
	return life[tsx->kind][tsx->state];
}

struct debug_ctx {
	struct pint_mbuf *mb;
	int err;
};

static void debug_visit(struct pint_hash_node *n, void *arg)
{
	const struct pint_tsx *tsx = TSX_OF(n, by_id);
	struct debug_ctx *d = arg;
	const char *branch = tsx->key;
	const char *method = branch + strlen(branch) + 1;
	const char *tail = method + strlen(method);
	char rtx[32] = "", life[32] = "";

	if (d->err)
		return;
	if (pint_timer_armed(&tsx->rtx))
		snprintf(rtx, sizeof(rtx), " %s=%llu", timer_name(tsx, TSX_RTX),
			 (unsigned long long)tsx->rtx.due);
	if (pint_timer_armed(&tsx->life))
		snprintf(life, sizeof(life), " %s=%llu",
			 timer_name(tsx, TSX_LIFE),
			 (unsigned long long)tsx->life.due);
	/* server keys go on past the method with NUL sent-by */
	d->err = pint_mbuf_printf(d->mb,
		"tsx %llu %s %s %.*s branch=%s%s%s peer=%s:%s:%u%s%s\n",
		(unsigned long long)tsx->id,
		pint_tsx_kind_name((enum pint_tsx_kind)tsx->kind),
		pint_tsx_state_name((enum pint_tsx_state)tsx->state),
		(int)(tail - method), method, branch,
		tail < tsx->key + tsx->key_len ? " sent-by=" : "",
		tail < tsx->key + tsx->key_len ? tail + 1 : "",
		tsx->transport == PINT_TSX_UDP ? "udp" : "tcp",
		tsx->key + tsx->key_len + 1, tsx->port, rtx, life);
}

/*
 * Append one line per live transaction to mb: id, kind, state, method,
 * branch, sent-by (servers), peer and armed timers with their deadline.
 */
int pint_tsx_debug(const struct pint_tsx_layer *l, struct pint_mbuf *mb)
{
	struct debug_ctx d = { mb, 0 };

	if (!l || !mb)
		return EINVAL;
	pint_hash_foreach(&l->by_id, debug_visit, &d);
	return d.err;
}
