/*
 * pint/ua.c — the user agent layer: configuration, identifiers from the
 * injected RNG, the call table, the timer heap, entry points (with frees
 * deferred to the outermost one) and observability. What comes in is
 * pint/ua_in.c, one service call pint/call.c and pint/call_build.c, one
 * subscription pint/sub.c, keepalives and REGISTER pint/reg.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>

#include "pint/sip.h"
#include "pint/ua_int.h"


/* ---- identifiers ------------------------------------------------------- */

static const char b64u[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int rnd(struct pint_ua *ua, uint8_t *buf, size_t len)
{
	int err = ua->h.rand(buf, len, ua->h.arg);

	return err > 0 ? err : err < 0 ? EIO : 0;
}

_Static_assert(PINT_UA_RAND_BYTES == 16, "the encoders take 16 bytes");
_Static_assert(PINT_UA_TOKEN_SIZE == UA_TOKEN_SIZE, "one token size");
_Static_assert(PINT_UA_DECIMAL_SIZE == UA_SESS_SIZE, "one session id size");

/* 16 random bytes as 22 URL-safe characters: tags, Call-IDs, cnonces. */
void pint_ua_token(char buf[PINT_UA_TOKEN_SIZE],
		   const uint8_t r[PINT_UA_RAND_BYTES])
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= PINT_UA_RAND_BYTES; i += 3) {
		v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];
		buf[o++] = b64u[v >> 18 & 63];
		buf[o++] = b64u[v >> 12 & 63];
		buf[o++] = b64u[v >> 6 & 63];
		buf[o++] = b64u[v & 63];
	}
	buf[o++] = b64u[r[15] >> 2];
	buf[o++] = b64u[(r[15] & 3) << 4];
	buf[o] = '\0';
}

/*
 * 16 random bytes (big-endian) in decimal: an SDP o= session id (digits
 * only, no leading zeros). Long division by 10^9 on 32-bit limbs, nine
 * digits a step.
 */
void pint_ua_decimal(char buf[PINT_UA_DECIMAL_SIZE],
		     const uint8_t r[PINT_UA_RAND_BYTES])
{
	uint32_t q[PINT_UA_RAND_BYTES / 4];
	char rev[PINT_UA_DECIMAL_SIZE];
	size_t n = 0, i, d;
	bool zero;

	for (i = 0; i < 4; i++)
		q[i] = (uint32_t)r[4 * i] << 24 | (uint32_t)r[4 * i + 1] << 16 |
		       (uint32_t)r[4 * i + 2] << 8 | r[4 * i + 3];
	do {
		uint64_t rem = 0;

		zero = true;
		for (i = 0; i < 4; i++) {
			uint64_t cur = rem << 32 | q[i];

			q[i] = (uint32_t)(cur / 1000000000u);
			rem = cur % 1000000000u;
			zero &= q[i] == 0;
		}
		/* nine digits, or what is left of the number */
		for (d = 0; d < 9 && (!zero || rem || d == 0) &&
		     n < sizeof(rev) - 1; d++) {
			rev[n++] = (char)('0' + rem % 10);
			rem /= 10;
		}
	} while (!zero && n < sizeof(rev) - 1);
	for (i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	buf[n] = '\0';
}

/* 128 random bits as a token. */
int ua_token(struct pint_ua *ua, char buf[UA_TOKEN_SIZE])
{
	uint8_t r[PINT_UA_RAND_BYTES];
	int err;

	err = rnd(ua, r, sizeof(r));
	if (!err)
		pint_ua_token(buf, r);
	return err;
}

/* A Via branch: the RFC 3261 cookie and a token. */
int ua_branch(struct pint_ua *ua, char buf[UA_BRANCH_SIZE])
{
	size_t n = sizeof(PINT_REQ_BRANCH_COOKIE) - 1;

	memcpy(buf, PINT_REQ_BRANCH_COOKIE, n);
	return ua_token(ua, buf + n);
}

/* An SDP o= session id: 128 random bits written in decimal. */
int ua_sess_id(struct pint_ua *ua, char buf[UA_SESS_SIZE])
{
	uint8_t r[PINT_UA_RAND_BYTES];
	int err;

	err = rnd(ua, r, sizeof(r));
	if (!err)
		pint_ua_decimal(buf, r);
	return err;
}

/* ---- small services ---------------------------------------------------- */

/* Wall-clock seconds for SDP t= decisions (see pint_ua_set_wallclock). */
uint64_t ua_unix(const struct pint_ua *ua)
{
	int64_t ms = (int64_t)ua->now + ua->wall_off_ms;

	return ms > 0 ? (uint64_t)ms / 1000u : 0;
}

const struct pint_req_local *ua_loc(const struct pint_ua *ua, uint8_t tp)
{
	return &ua->loc[tp == PINT_TSX_TCP ? PINT_TSX_TCP : PINT_TSX_UDP];
}

/* The gateway's configuration, NULL once it left the set. */
const struct pint_gwset_conf *ua_gw_conf(const struct pint_ua *ua, size_t gw)
{
	if (gw >= pint_gwset_count(ua->gws))
		return NULL;
	return pint_gwset_conf(ua->gws, gw);
}

/* Where to send to gateway gw; tp < 0 keeps its configured transport. */
int ua_peer(const struct pint_ua *ua, size_t gw, int tp,
	    struct pint_tsx_peer *peer)
{
	const struct pint_gwset_conf *gc = ua_gw_conf(ua, gw);

	if (!gc)
		return ENOENT;
	*peer = gc->peer;
	if (tp >= 0)
		peer->transport = (enum pint_tsx_transport)tp;
	return 0;
}

/* The Request-URI (to = false) or the To URI of m as builder text. */
int ua_msg_uri(const osip_message_t *m, bool to, char **dstp)
{
	const osip_uri_t *u = to ? (m->to ? m->to->url : NULL) : m->req_uri;

	if (!u)
		return EINVAL;
	return pint_req_uri_str(dstp, u);
}

static int add_ua_header(struct pint_ua *ua, osip_message_t *m,
			 const char *name)
{
	if (!ua->user_agent)
		return 0;
	return pint_req_add_header(m, name, ua->user_agent);
}

/* m as text with our User-Agent (requests) or Server (responses). */
int ua_serialize(struct pint_ua *ua, osip_message_t *m, char **bufp,
		 size_t *lenp)
{
	int err = add_ua_header(ua, m, MSG_IS_REQUEST(m) ? "User-Agent" :
				"Server");

	return err ? err : pint_sip_to_str(m, bufp, lenp);
}

/*
 * Start a client transaction for m (borrowed) towards peer; ctx is the
 * owner the callbacks get. A transport error comes back as the send
 * handler's errno with *netp set, and no transaction (no fail callback).
 */
int ua_send_tsx(struct pint_ua *ua, osip_message_t *m,
		const struct pint_tsx_peer *peer, void *ctx, uint64_t *idp,
		bool *netp)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	*netp = false;
	err = ua_serialize(ua, m, &buf, &len);
	if (!err) {
		ua->send_err = 0;
		err = pint_tsx_start_built(idp, ua->tsx, m, buf, len, peer,
					   ctx, ua->now);
		*netp = err && ua->send_err;
	}
	free(buf);
	return err;
}

/* Cut the link from transaction *idp to its owner; optionally end it. */
void ua_tsx_detach(struct pint_ua *ua, uint64_t *idp, bool terminate)
{
	struct pint_tsx *tsx = *idp ? pint_tsx_find(ua->tsx, *idp) : NULL;

	if (tsx) {
		pint_tsx_set_ctx(tsx, NULL);
		if (terminate)
			pint_tsx_terminate(tsx);
	}
	*idp = 0;
}

/* Room for `more` timers; arming them later cannot fail. */
int ua_reserve_timers(struct pint_ua *ua, size_t more)
{
	int err = pint_heap_reserve(&ua->heap, ua->timers + more);

	if (!err)
		ua->timers += more;
	return err;
}

void ua_arm(struct pint_ua *ua, struct pint_timer *t, uint64_t due)
{
	(void)pint_heap_arm(&ua->heap, t, due);
}

void ua_disarm(struct pint_ua *ua, struct pint_timer *t)
{
	pint_heap_disarm(&ua->heap, t);
}

/* Report gateways whose health changed since we last looked. */
void ua_gw_check(struct pint_ua *ua)
{
	struct pint_gwset_info info;
	size_t i, n = pint_gwset_count(ua->gws);

	for (i = 0; i < n && i < PINT_GWSET_MAX; i++) {
		pint_gwset_info(ua->gws, i, &info);
		if (info.health == ua->gw[i].health)
			continue;
		ua->gw[i].health = (uint8_t)info.health;
		if (ua->h.gateway)
			ua->h.gateway(i, info.health, ua->h.arg);
	}
}

/* ---- the call table ---------------------------------------------------- */

static bool ref_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	(void)arg;
	return OF(n, const struct ua_call, by_ref)->ref ==
	       *(const uint64_t *)key;
}

static struct ua_call *find_call(const struct pint_ua *ua, uint64_t ref)
{
	struct pint_hash_node *n = pint_hash_find(&ua->by_ref,
						  pint_hash_u64(ref), ref_eq,
						  &ref, NULL);

	return n ? OF(n, struct ua_call, by_ref) : NULL;
}

/* Index a new call by its ref. */
int ua_ref_insert(struct pint_ua *ua, struct ua_call *c)
{
	return pint_hash_insert(&ua->by_ref, &c->by_ref, pint_hash_u64(c->ref));
}

void ua_ref_remove(struct pint_ua *ua, struct ua_call *c)
{
	pint_hash_remove(&ua->by_ref, &c->by_ref);
}

/* ---- entry points and deferred frees ----------------------------------- */

void ua_enter(struct pint_ua *ua, uint64_t now)
{
	if (!ua->depth++ || now > ua->now)
		ua->now = now;
}

/* Leave an entry point; the outermost frees the calls that went away. */
void ua_leave(struct pint_ua *ua)
{
	if (--ua->depth)
		return;
	while (ua->dead) {
		struct ua_call *c = ua->dead;

		ua->dead = c->next_dead;
		ua_call_free(ua, c);
	}
}

/* ---- lifetime ---------------------------------------------------------- */

static int dup_opt(char **dstp, const char *s, size_t max)
{
	size_t n;

	*dstp = NULL;
	if (!s)
		return 0;
	n = strlen(s);
	if (n > max)
		return EINVAL;
	*dstp = malloc(n + 1);
	if (!*dstp)
		return ENOMEM;
	memcpy(*dstp, s, n + 1);
	return 0;
}

/* Copy one local identity; src->host NULL borrows the UDP one. */
static int copy_local(struct pint_ua *ua, int tp,
		      const struct pint_req_local *src)
{
	struct pint_req_local *d = &ua->loc[tp];
	char **o = &ua->owned[tp * 5];
	int err;

	if (!src->host)
		src = &ua->loc[PINT_TSX_UDP];
	d->port = src->port;
	d->transport = tp == PINT_TSX_TCP ? "TCP" : "UDP";
	err = dup_opt(&o[0], src->host, PINT_REQ_MAX_HOST);
	if (!err)
		err = dup_opt(&o[1], src->user, PINT_REQ_MAX_TOKEN);
	if (!err)
		err = dup_opt(&o[2], src->domain, PINT_REQ_MAX_HOST);
	if (!err)
		err = dup_opt(&o[3], src->display, PINT_REQ_MAX_DISPLAY);
	d->host = o[0];
	d->user = o[1];
	d->domain = o[2];
	d->display = o[3];
	if (!err && (!d->host || !d->user))
		err = EINVAL;
	return err;
}

static bool text_ok(const char *s)
{
	size_t i;

	for (i = 0; s && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return !s || i <= PINT_UA_MAX_TEXT;
}

static int conf_copy(struct pint_ua *ua, const struct pint_ua_conf *conf)
{
	const struct pint_req_local *u = &ua->loc[PINT_TSX_UDP];
	int err;

	if (!conf->udp.host || !conf->gwset || !text_ok(conf->user_agent) ||
	    conf->max_redirects > PINT_UA_MAX_REDIRECTS)
		return EINVAL;
	err = copy_local(ua, PINT_TSX_UDP, &conf->udp);
	if (!err)
		err = copy_local(ua, PINT_TSX_TCP, &conf->tcp);
	if (!err)
		err = dup_opt(&ua->user_agent, conf->user_agent,
			      PINT_UA_MAX_TEXT);
	if (!err)
		err = dup_opt(&ua->origin, conf->origin_addr ?
			      conf->origin_addr : u->host, PINT_REQ_MAX_HOST);
	if (!err)
		err = dup_opt(&ua->cid_host, conf->cid_host ? conf->cid_host :
			      u->domain ? u->domain : u->host,
			      PINT_REQ_MAX_HOST);
	if (err)
		return err;
	ua->gws = conf->gwset;
	ua->origin_ipv6 = conf->origin_ipv6;
	ua->ring_ms = conf->ring_timeout_ms;
	ua->max_dur_ms = conf->max_duration_ms;
	ua->reg_retry_ms = conf->register_retry_ms ? conf->register_retry_ms :
						     UA_REG_RETRY_MS;
	ua->max_redirects = conf->max_redirects;
	ua->t1 = conf->tsx.t1_ms ? conf->tsx.t1_ms : PINT_TSX_T1_MS;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/*
 * A ua for conf (copied; conf->gwset is borrowed and must outlive it) and
 * h (send and rand required). REGISTERs start at the first tick.
 * EINVAL for a bad configuration, ENOMEM, or the rand handler's errno.
 */
int pint_ua_alloc(struct pint_ua **uap, const struct pint_ua_conf *conf,
		  const struct pint_ua_handlers *h)
{
	struct pint_tsx_handlers thx;
	struct pint_tsx_config tc;
	struct pint_ua *ua;
	size_t i;
	int err;

	if (!uap || !conf || !h || !h->send || !h->rand)
		return EINVAL;
	ua = calloc(1, sizeof(*ua));
	if (!ua)
		return ENOMEM;
	ua->h = *h;
	pint_hash_init(&ua->by_ref);
	pint_hash_init(&ua->by_cdlg);
	pint_hash_init(&ua->by_sdlg);
	pint_heap_init(&ua->heap);
	for (i = 0; i < PINT_GWSET_MAX; i++) {
		ua->gw[i].ka.kind = UA_K_KA;
		ua->gw[i].ka.idx = (uint8_t)i;
		ua->gw[i].reg.kind = UA_K_REG;
		ua->gw[i].reg.idx = (uint8_t)i;
		pint_timer_init(&ua->gw[i].reg.tm, UA_TM_REG);
	}
	err = conf_copy(ua, conf);
	if (!err)
		err = rnd(ua, ua->sipkey, sizeof(ua->sipkey));
	tc = conf->tsx;
	if (!err && all_zero(tc.hash_key, sizeof(tc.hash_key)))
		err = rnd(ua, tc.hash_key, sizeof(tc.hash_key));
	ua_tsx_handlers(&thx, ua);
	if (!err)
		err = pint_tsx_layer_alloc(&ua->tsx, &tc, &thx);
	if (!err)
		err = ua_reserve_timers(ua, PINT_GWSET_MAX);
	if (err) {
		pint_ua_free(ua);
		return err;
	}
	for (i = 0; i < pint_gwset_count(ua->gws) && i < PINT_GWSET_MAX; i++) {
		struct pint_gwset_info info;

		pint_gwset_info(ua->gws, i, &info);
		ua->gw[i].health = (uint8_t)info.health;
	}
	ua_reg_start_all(ua);
	*uap = ua;
	return 0;
}

static void free_call_visit(struct pint_hash_node *n, void *arg)
{
	struct ua_call *c = OF(n, struct ua_call, by_ref);

	/* no removal from a table being walked (it may resize) */
	c->dead = true;
	ua_call_free(arg, c);
}

/*
 * Free the ua, its calls and transactions, without callbacks and without
 * sending anything (NULL-safe). Never from inside a handler.
 */
void pint_ua_free(struct pint_ua *ua)
{
	size_t i;

	if (!ua)
		return;
	ua->depth++;
	pint_hash_reset(&ua->by_ref, free_call_visit, ua);
	ua->depth--;
	while (ua->dead) {
		struct ua_call *c = ua->dead;

		ua->dead = c->next_dead;
		ua_call_free(ua, c);
	}
	ua_reg_free_all(ua);
	pint_tsx_layer_free(ua->tsx);
	pint_hash_reset(&ua->by_cdlg, NULL, NULL);
	pint_hash_reset(&ua->by_sdlg, NULL, NULL);
	pint_heap_reset(&ua->heap);
	for (i = 0; i < sizeof(ua->owned) / sizeof(ua->owned[0]); i++)
		free(ua->owned[i]);
	free(ua->user_agent);
	free(ua->origin);
	free(ua->cid_host);
	free(ua);
}

/* Wall clock for SDP t= decisions: unix_s is the time at monotonic now_ms. */
void pint_ua_set_wallclock(struct pint_ua *ua, uint64_t now_ms,
			   uint64_t unix_s)
{
	if (ua)
		ua->wall_off_ms = (int64_t)(unix_s * 1000u) - (int64_t)now_ms;
}

/*
 * After pint_gwset_replace(): start the REGISTERs that are now configured
 * (health changes are reported at the next entry point, as always).
 */
void pint_ua_gateways_changed(struct pint_ua *ua)
{
	if (!ua)
		return;
	ua_reg_start_all(ua);
}

/* ---- input ------------------------------------------------------------- */

/*
 * One message (len bytes) from src, at monotonic now_ms. Callbacks run
 * inside. EBADMSG/EMSGSIZE for what the transaction layer refuses,
 * ENOMEM drops it (the peer retransmits); protocol outcomes are events.
 */
int pint_ua_recv(struct pint_ua *ua, const char *buf, size_t len,
		 const struct pint_tsx_peer *src, uint64_t now_ms)
{
	int err;

	if (!ua || !buf || !src)
		return EINVAL;
	ua_enter(ua, now_ms);
	err = pint_tsx_recv(ua->tsx, buf, len, src, ua->now);
	ua_gw_check(ua);
	ua_leave(ua);
	return err;
}

/*
 * pint_ua_recv() for a message the caller parsed already (the daemon's
 * transport does, and sets the top Via's received/rport): msg is
 * borrowed, raw is the len bytes it was parsed from (see
 * pint_tsx_recv_msg). Answers the ua builds copy msg's Vias, so they
 * carry what the transport added. The same errors as pint_ua_recv.
 */
int pint_ua_recv_msg(struct pint_ua *ua, struct osip_message *msg,
		     const char *raw, size_t len,
		     const struct pint_tsx_peer *src, uint64_t now_ms)
{
	int err;

	if (!ua || !msg || !raw || !src)
		return EINVAL;
	ua_enter(ua, now_ms);
	err = pint_tsx_recv_msg(ua->tsx, msg, raw, len, src, ua->now);
	ua_gw_check(ua);
	ua_leave(ua);
	return err;
}

/* Fire whatever is due at now_ms: transactions, calls, keepalives. */
void pint_ua_tick(struct pint_ua *ua, uint64_t now_ms)
{
	struct pint_timer *t;

	if (!ua)
		return;
	ua_enter(ua, now_ms);
	pint_tsx_tick(ua->tsx, ua->now);
	while ((t = pint_heap_peek(&ua->heap)) && t->due <= ua->now) {
		pint_heap_disarm(&ua->heap, t);
		switch (t->tag) {
		case UA_TM_CALL:
			ua_call_timer(ua, OF(t, struct ua_call, tm));
			break;
		case UA_TM_SUB:
			ua_sub_timer(ua, OF(t, struct ua_sub, tm));
			break;
		case UA_TM_REG:
			ua_reg_timer(ua, OF(t, struct ua_reg, tm));
			break;
		}
	}
	ua_ka_due(ua);
	ua_gw_check(ua);
	ua_leave(ua);
}

/* When pint_ua_tick() must run next (monotonic ms), or PINT_UA_NEVER. */
uint64_t pint_ua_next_deadline(const struct pint_ua *ua)
{
	const struct pint_timer *t;
	uint64_t d, g;

	if (!ua)
		return PINT_UA_NEVER;
	d = pint_tsx_next_deadline(ua->tsx);
	t = pint_heap_peek(&ua->heap);
	if (t && t->due < d)
		d = t->due;
	g = pint_gwset_next_deadline(ua->gws);
	return g < d ? g : d;
}

/* ---- calls ------------------------------------------------------------- */

/*
 * Start service call ref: encode the request, pick a gateway, send the
 * INVITE. From here on every change of ref comes as an event, the first
 * (sending) before this returns; exactly one is terminal. EALREADY when
 * ref is live, ENOENT for an unknown preferred gateway, EINVAL/EMSGSIZE
 * for a request that cannot be encoded, ENOMEM: then nothing was sent and
 * no event came.
 */
int pint_ua_call_start(struct pint_ua *ua, uint64_t ref,
		       const struct pint_ua_call_params *p, uint64_t now_ms)
{
	struct ua_call *c = NULL;
	int err;

	if (!ua || !p || !p->req || !p->req->def || !p->req->def->name)
		return EINVAL;
	if (find_call(ua, ref))
		return EALREADY;
	if (p->gateway && pint_gwset_find(ua->gws, p->gateway) ==
	    PINT_GWSET_NONE)
		return ENOENT;
	ua_enter(ua, now_ms);
	err = ua_call_new(ua, ref, &c);
	if (!err) {
		err = ua_call_first(ua, c, p);
		if (err)
			ua_call_discard(ua, c);
	}
	ua_gw_check(ua);
	ua_leave(ua);
	return err;
}

/*
 * Cancel call ref (API.md DELETE): CANCEL before a final answer (owed
 * until the first 1xx, RFC 3261 §9.1), BYE after a 2xx; the outcome comes
 * as an event (canceled, or cannot_abort). ENOENT unknown ref, EALREADY
 * once the call has ended, EPROTO for a watched call (no INVITE dialog of
 * ours), ENOMEM. A cancel already under way returns 0.
 */
int pint_ua_call_cancel(struct pint_ua *ua, uint64_t ref, uint64_t now_ms)
{
	struct ua_call *c;
	int err;

	if (!ua)
		return EINVAL;
	c = find_call(ua, ref);
	if (!c)
		return ENOENT;
	ua_enter(ua, now_ms);
	err = ua_call_cancel(ua, c);
	ua_gw_check(ua);
	ua_leave(ua);
	return err;
}

/* What the daemon keeps for crash recovery; ENOENT for an unknown ref. */
int pint_ua_call_info(const struct pint_ua *ua, uint64_t ref,
		      struct pint_ua_call_info *info)
{
	const struct pint_gwset_conf *gc;
	const struct ua_call *c;

	if (!ua || !info)
		return EINVAL;
	c = find_call(ua, ref);
	if (!c)
		return ENOENT;
	memset(info, 0, sizeof(*info));
	gc = ua_gw_conf(ua, c->gw);
	info->state = (enum pint_ua_call_state)c->state;
	info->status = (enum pint_status)c->status;
	info->gateway = gc ? gc->name : NULL;
	info->call_id = c->call_id;
	info->from_tag = c->tag;
	info->cseq = c->cseq;
	info->branch = c->branch;
	info->sess_id = c->sess_id;
	info->sdp = c->sdp;
	info->sdp_len = c->sdp ? c->sdp_len : 0;
	info->monitoring = c->sub && c->sub->state != UA_SUB_DONE;
	return 0;
}

/*
 * Re-establish only the status subscription of a service accepted before
 * a restart: sdp (its o= line) names the service at gateway. The call is
 * accepted from the start; its events follow as for any call. EALREADY,
 * ENOENT (gateway), EINVAL, ENOMEM as for pint_ua_call_start.
 */
int pint_ua_watch(struct pint_ua *ua, uint64_t ref, const char *gateway,
		  const char *sdp, size_t sdp_len, uint64_t now_ms)
{
	struct ua_call *c = NULL;
	size_t gw;
	int err;

	if (!ua || !gateway || !sdp || !sdp_len || sdp_len > PINT_SDP_MAX_BODY)
		return EINVAL;
	if (find_call(ua, ref))
		return EALREADY;
	gw = pint_gwset_find(ua->gws, gateway);
	if (gw == PINT_GWSET_NONE)
		return ENOENT;
	ua_enter(ua, now_ms);
	err = ua_call_new(ua, ref, &c);
	if (!err) {
		err = ua_call_watch(ua, c, gw, sdp, sdp_len);
		if (err)
			ua_call_discard(ua, c);
	}
	ua_leave(ua);
	return err;
}

/* ---- observability ----------------------------------------------------- */

/* Copy the counters out (gauges are kept up to date, nothing is walked). */
void pint_ua_stats(const struct pint_ua *ua, struct pint_ua_stats *st)
{
	*st = ua->st;
	pint_tsx_stats(ua->tsx, &st->tsx);
}

/* The state's name for logs and pint_ua_debug ("calling", …, "done"). */
const char *pint_ua_call_state_name(enum pint_ua_call_state state)
{
	static const char *const names[] = {
		[PINT_UA_CALLING] = "calling",
		[PINT_UA_PROCEEDING] = "proceeding",
		[PINT_UA_CANCELING] = "canceling",
		[PINT_UA_ACCEPTED] = "accepted",
		[PINT_UA_BYEING] = "byeing",
		[PINT_UA_DONE] = "done",
	};

	if ((unsigned)state >= PINT_UA_NSTATES)
		return "?";
	return names[state];
}

struct debug_ctx {
	const struct pint_ua *ua;
	struct pint_mbuf *mb;
	int err;
};

static void debug_visit(struct pint_hash_node *n, void *arg)
{
	const struct ua_call *c = OF(n, const struct ua_call, by_ref);
	struct debug_ctx *d = arg;
	const struct pint_gwset_conf *gc = ua_gw_conf(d->ua, c->gw);

	if (d->err)
		return;
	d->err = pint_mbuf_printf(d->mb,
		"call %llu %s status=%s gw=%s call-id=%s cseq=%lu%s%s%s",
		(unsigned long long)c->ref,
		pint_ua_call_state_name((enum pint_ua_call_state)c->state),
		pint_status_name((enum pint_status)c->status),
		gc ? gc->name : "-", c->call_id, (unsigned long)c->cseq,
		c->dlg ? " dialog" : "", c->watch ? " watch" : "",
		pint_timer_armed(&c->tm) ? "" : " idle");
	if (!d->err && c->sub)
		d->err = pint_mbuf_printf(d->mb, " sub=%s/%s call-id=%s",
			c->sub->mode == PINT_GWSET_STATUS_DIALOG ? "dialog" :
								   "pint",
			ua_sub_state_name(c->sub->state), c->sub->call_id);
	if (!d->err)
		d->err = pint_mbuf_puts(d->mb, "\n");
}

/* One line per live call (state names, gateway, ids, subscription). */
int pint_ua_debug(const struct pint_ua *ua, struct pint_mbuf *mb)
{
	struct debug_ctx d = { ua, mb, 0 };

	if (!ua || !mb)
		return EINVAL;
	pint_hash_foreach(&ua->by_ref, debug_visit, &d);
	return d.err;
}
