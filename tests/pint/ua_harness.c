/*
 * tests/pint/ua_harness.c — see ua_harness.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "tests/pint/ua_harness.h"
#include "pint/sip.h"
#include "pint/tel.h"

const struct pint_req_local uh_gwloc = {
	UH_GW0, 5060, "UDP", "gw", "pint-east.example.net", NULL,
};

static const char gw_sdp[] =
	"v=0\r\n"
	"o=- 1 1 IN IP4 192.0.2.20\r\n"
	"s=R2C\r\n"
	"e=ops@example.net\r\n"
	"c=TN RFC2543 +1-555-555-0199\r\n"
	"t=0 0\r\n"
	"m=audio 1 voice -\r\n";

int uh_group_setup(void **state)
{
	(void)state;
	return pint_sip_init();
}

void uh_default_gw(struct pint_gwset_conf gw[2])
{
	size_t i;

	memset(gw, 0, 2 * sizeof(*gw));
	for (i = 0; i < 2; i++) {
		gw[i].peer.transport = PINT_TSX_UDP;
		gw[i].peer.port = 5060;
		gw[i].priority = (unsigned)i + 1;
		gw[i].down_after = 2;
		gw[i].rest_max_ms = 600000;
		gw[i].rest_default_ms = 30000;
		gw[i].status_mode = PINT_GWSET_STATUS_PINT;
		gw[i].dialog_fallback = true;
		gw[i].subscribe_expires = 600;
	}
	gw[0].name = "east";
	gw[0].peer.addr = UH_GW0;
	gw[0].domain = "pint-east.example.net";
	gw[1].name = "west";
	gw[1].peer.addr = UH_GW1;
	gw[1].domain = "pint-west.example.net";
}

void uh_default_conf(struct pint_ua_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->udp.host = "192.0.2.10";
	c->udp.port = 5060;
	c->udp.transport = "UDP";
	c->udp.user = "pintgw";
	c->udp.domain = "gw.example.com";
	c->tcp = c->udp;
	c->tcp.transport = "TCP";
	c->user_agent = "pintgw/test";
	c->ring_timeout_ms = 30000;
	c->max_redirects = 3;
	c->max_duration_ms = 3600000;
}

/* ---- handlers ---------------------------------------------------------- */

static int on_send(const char *buf, size_t len,
		   const struct pint_tsx_peer *peer, void *arg)
{
	struct uh *u = arg;
	struct uh_sent *s;
	osip_message_t *m = NULL;
	int err;

	/* the transaction layer takes the ua's messages without parsing
	 * them again: whatever it sends must pass our own parser */
	err = pint_sip_parse(&m, buf, len, NULL);
	osip_message_free(m);
	if (err && err != ENOMEM)
		fail_msg("the ua sent what pint_sip_parse refuses (%s): %.*s",
			 strerror(err), (int)len, buf);
	if (u->send_fail && (!u->fail_addr || !strcmp(u->fail_addr, peer->addr)))
		return u->send_fail;
	if (u->nsent >= UH_MAX_SENT || len >= UH_BUF)
		return ENOBUFS;
	s = &u->sent[u->nsent++];
	memcpy(s->buf, buf, len);
	s->buf[len] = '\0';
	s->len = len;
	s->transport = peer->transport;
	snprintf(s->addr, sizeof(s->addr), "%s", peer->addr);
	s->port = peer->port;
	return 0;
}

static size_t ref_slot(struct uh *u, uint64_t ref)
{
	size_t i;

	for (i = 0; i < u->nrefs; i++)
		if (u->refs[i] == ref)
			return i;
	if (u->nrefs < UH_MAX_REFS) {
		u->refs[u->nrefs] = ref;
		u->terminals[u->nrefs] = 0;
		u->started[u->nrefs] = false;
		return u->nrefs++;
	}
	return UH_MAX_REFS;
}

static void on_event(uint64_t ref, const struct pint_status_ev *ev, void *arg)
{
	struct uh *u = arg;
	size_t i = ref_slot(u, ref);

	/* the shared sink: nothing may follow a terminal event */
	if (i == UH_MAX_REFS || u->terminals[i])
		u->violations++;
	else if (pint_status_is_terminal(ev->status))
		u->terminals[i]++;
	if (pint_status_is_terminal(ev->status) != (ev->outcome != 0))
		u->violations++;
	if (u->nev >= UH_MAX_EV) {
		u->violations++;        /* the test reads too late */
	} else {
		u->ev[u->nev].ref = ref;
		u->ev[u->nev].ev = *ev;
		u->nev++;
	}
}

static void on_gateway(size_t idx, enum pint_gwset_health health, void *arg)
{
	struct uh *u = arg;

	if (u->nhealth < 16) {
		u->health_idx[u->nhealth] = idx;
		u->health[u->nhealth] = health;
		u->nhealth++;
	}
}

/* Deterministic "random" bytes: xorshift64*. */
static int on_rand(uint8_t *buf, size_t len, void *arg)
{
	struct uh *u = arg;
	size_t i;

	for (i = 0; i < len; i++) {
		u->rng ^= u->rng >> 12;
		u->rng ^= u->rng << 25;
		u->rng ^= u->rng >> 27;
		buf[i] = (uint8_t)((u->rng * 2685821657736338717ull) >> 56);
	}
	return 0;
}

/* ---- set-up ------------------------------------------------------------ */

void uh_init(struct uh *u, const struct pint_gwset_conf *gw, size_t n,
	     const struct pint_ua_conf *conf)
{
	struct pint_ua_handlers h = {
		.send = on_send, .event = on_event, .gateway = on_gateway,
		.rand = on_rand,
	};
	struct pint_gwset_conf def[2];

	memset(u, 0, sizeof(*u));
	u->rng = 0x9e3779b97f4a7c15ull;
	u->now = 1000;
	if (!gw) {
		uh_default_gw(def);
		gw = def;
		n = 2;
	}
	assert_true(n <= UH_MAX_GW);
	memcpy(u->gw, gw, n * sizeof(*gw));
	u->ngw = n;
	assert_int_equal(pint_gwset_alloc(&u->gws, gw, n), 0);
	if (conf)
		u->conf = *conf;
	else
		uh_default_conf(&u->conf);
	u->conf.gwset = u->gws;
	h.arg = u;
	assert_int_equal(pint_ua_alloc(&u->ua, &u->conf, &h), 0);
	pint_ua_set_wallclock(u->ua, u->now, 1800000000);
}

void uh_fini(struct uh *u)
{
	size_t i;

	pint_ua_free(u->ua);
	pint_gwset_free(u->gws);
	u->ua = NULL;
	u->gws = NULL;
	assert_int_equal(u->violations, 0);
	for (i = 0; i < u->nrefs; i++) {
		if (!u->started[i])
			continue;
		if (u->terminals[i] != 1)
			print_error("ref %llu: %u terminal events\n",
				    (unsigned long long)u->refs[i],
				    u->terminals[i]);
		assert_int_equal(u->terminals[i], 1);
	}
}

/* Move the fake clock to until, firing every deadline on the way. */
void uh_run(struct uh *u, uint64_t until)
{
	uint64_t d;

	while ((d = pint_ua_next_deadline(u->ua)) <= until) {
		if (d > u->now)
			u->now = d;
		pint_ua_tick(u->ua, u->now);
		if (d < u->now && pint_ua_next_deadline(u->ua) <= d)
			break;          /* a deadline in the past that stays */
	}
	if (until > u->now)
		u->now = until;
	pint_ua_tick(u->ua, u->now);
}

/* R2C to +1 555 555 0199 for the agent +1 555 555 0100. */
void uh_r2c(struct pint_svc_req *req, struct pint_tel *to,
	    struct pint_tel *from)
{
	assert_int_equal(pint_tel_parse(to, "+15555550199", 12, NULL, "to",
					NULL), 0);
	assert_int_equal(pint_tel_parse(from, "+15555550100", 12, NULL, "from",
					NULL), 0);
	memset(req, 0, sizeof(*req));
	req->def = pint_svc_builtin("call");
	req->to = to;
	req->from = from;
	req->email = "callback@example.com";
}

void uh_call(struct uh *u, uint64_t ref, const struct pint_svc_req *req,
	     bool track, const char *gateway)
{
	struct pint_ua_call_params p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.req = req;
	p.track = track;
	p.gateway = gateway;
	i = ref_slot(u, ref);
	assert_true(i < UH_MAX_REFS);
	u->started[i] = true;
	assert_int_equal(pint_ua_call_start(u->ua, ref, &p, u->now), 0);
}

/* ---- the wire ---------------------------------------------------------- */

size_t uh_pending(const struct uh *u)
{
	return u->nsent - u->head;
}

struct uh_msg uh_take(struct uh *u)
{
	struct pint_sip_error why = { NULL, 0 };
	struct uh_msg msg;
	struct uh_sent *s;

	memset(&msg, 0, sizeof(msg));
	assert_int_equal(u->violations, 0);
	if (u->head >= u->nsent)
		fail_msg("nothing was sent");
	s = &u->sent[u->head++];
	if (pint_sip_parse(&msg.m, s->buf, s->len, &why) != 0)
		fail_msg("unparsable message sent (%s):\n%s", why.reason,
			 s->buf);
	msg.transport = s->transport;
	snprintf(msg.addr, sizeof(msg.addr), "%s", s->addr);
	msg.raw = malloc(s->len + 1);
	assert_non_null(msg.raw);
	memcpy(msg.raw, s->buf, s->len + 1);
	if (u->head == u->nsent)
		u->head = u->nsent = 0;
	return msg;
}

struct uh_msg uh_req(struct uh *u, const char *method)
{
	struct uh_msg msg = uh_take(u);

	if (!MSG_IS_REQUEST(msg.m) || strcmp(msg.m->sip_method, method))
		fail_msg("want a %s, the ua sent:\n%s", method, msg.raw);
	return msg;
}

struct uh_msg uh_resp(struct uh *u, int code)
{
	struct uh_msg msg = uh_take(u);

	if (!MSG_IS_RESPONSE(msg.m) || msg.m->status_code != code)
		fail_msg("want a %d, the ua sent:\n%s", code, msg.raw);
	return msg;
}

void uh_none(struct uh *u)
{
	if (u->head < u->nsent)
		fail_msg("unexpected message sent:\n%s", u->sent[u->head].buf);
}

void uh_msg_free(struct uh_msg *msg)
{
	osip_message_free(msg->m);
	free(msg->raw);
	memset(msg, 0, sizeof(*msg));
}

/* The first value of a header kept as text ("" for none, never NULL). */
const char *uh_hdr(const osip_message_t *m, const char *name)
{
	static char buf[1024];
	struct pint_pl v;

	if (pint_sip_header(m, name, 0, &v) != 0)
		return "";
	snprintf(buf, sizeof(buf), "%.*s", (int)v.l, v.p);
	return buf;
}

/* The whole body as received (a view into m), or NULL. */
const char *uh_body(const osip_message_t *m, size_t *lenp)
{
	struct pint_pl b;

	if (pint_sip_body(m, &b) != 0)
		return NULL;
	*lenp = b.l;
	return b.p;
}

void uh_tag(const osip_message_t *m, bool to, char *buf, size_t size)
{
	struct pint_pl t;

	if ((to ? pint_sip_to_tag(m, &t) : pint_sip_from_tag(m, &t)) != 0)
		t.l = 0;
	snprintf(buf, size, "%.*s", (int)t.l, t.p ? t.p : "");
}

/* ---- the gateway ------------------------------------------------------- */

/* A response to req from its gateway, with a Contact for 1xx/2xx. */
osip_message_t *uh_answer(const struct uh_msg *req, int code,
			  const char *to_tag)
{
	osip_message_t *r = NULL;
	char contact[128];

	assert_int_equal(pint_sip_response(&r, req->m, code, NULL, to_tag), 0);
	if (code < 300 && code > 100) {
		snprintf(contact, sizeof(contact), "<sip:gw@%s:5060>",
			 req->addr);
		assert_int_equal(pint_req_add_header(r, "Contact", contact), 0);
	}
	return r;
}

void uh_add_sdp(osip_message_t *m, const char *sdp)
{
	if (!sdp)
		sdp = gw_sdp;
	assert_int_equal(pint_req_add_body(m, NULL, sdp, strlen(sdp)), 0);
}

/*
 * Feed m (freed here) to the ua as coming from src:5060 over UDP: as text
 * parsed once (gateway/sipgw's way), or as bytes (u->raw_recv).
 */
int uh_send(struct uh *u, osip_message_t *m, const char *src)
{
	struct pint_tsx_peer peer = { PINT_TSX_UDP, src, 5060 };
	osip_message_t *in = NULL;
	char *buf = NULL;
	size_t len = 0;
	int err;

	assert_int_equal(pint_sip_to_str(m, &buf, &len), 0);
	osip_message_free(m);
	if (u->raw_recv) {
		err = pint_ua_recv(u->ua, buf, len, &peer, u->now);
	} else {
		err = pint_sip_parse(&in, buf, len, NULL);
		if (!err)
			err = pint_ua_recv_msg(u->ua, in, buf, len, &peer,
					       u->now);
		osip_message_free(in);
	}
	free(buf);
	return err;
}

int uh_reply(struct uh *u, const struct uh_msg *req, int code,
	     const char *to_tag)
{
	return uh_send(u, uh_answer(req, code, to_tag), req->addr);
}

/* The gateway's side of the dialog req opens (its 2xx used tag). */
struct pint_dialog *uh_uas(const struct uh_msg *req, const char *tag)
{
	struct pint_dialog *d = NULL;

	assert_int_equal(pint_dialog_uas_alloc(&d, req->m, tag, 1), 0);
	return d;
}

static void gw_branch(struct uh *u, char *buf, size_t size)
{
	snprintf(buf, size, "z9hG4bKgw%llu", (unsigned long long)++u->branch);
}

/* NOTIFY in dlg: ctype NULL = SDP; event/substate NULL = none (PINT). */
osip_message_t *uh_notify(struct uh *u, struct pint_dialog *dlg,
			  const char *ctype, const char *body,
			  const char *event, const char *substate)
{
	struct pint_req_notify n;
	struct pint_req_tx tx = { NULL, NULL, NULL };
	osip_message_t *m = NULL;
	char branch[32];

	gw_branch(u, branch, sizeof(branch));
	tx.branch = branch;
	memset(&n, 0, sizeof(n));
	n.event = event;
	n.subscription_state = substate;
	n.content_type = ctype;
	n.body = body;
	n.body_len = body ? strlen(body) : 0;
	assert_int_equal(pint_dialog_notify(&m, dlg, &uh_gwloc, &tx, &n), 0);
	return m;
}

/* BYE or UNSUBSCRIBE (with an SDP) from the gateway in dlg. */
osip_message_t *uh_in_dialog(struct uh *u, struct pint_dialog *dlg,
			     const char *method)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	osip_message_t *m = NULL;
	char branch[32];

	gw_branch(u, branch, sizeof(branch));
	tx.branch = branch;
	if (!strcmp(method, "BYE"))
		assert_int_equal(pint_dialog_bye(&m, dlg, &uh_gwloc, &tx), 0);
	else
		assert_int_equal(pint_dialog_unsubscribe(&m, dlg, &uh_gwloc,
							 &tx, gw_sdp,
							 strlen(gw_sdp)), 0);
	return m;
}

void uh_accept(struct uh *u, uint64_t ref, const struct uh_msg *inv,
	       const char *tag)
{
	osip_message_t *r = uh_answer(inv, 200, tag);
	struct uh_msg ack;

	uh_add_sdp(r, NULL);
	assert_int_equal(uh_send(u, r, inv->addr), 0);
	ack = uh_req(u, "ACK");
	assert_string_equal(ack.addr, inv->addr);
	uh_msg_free(&ack);
	uh_ev(u, ref, PINT_STATUS_ACCEPTED);
}

void uh_gw_bye(struct uh *u, uint64_t ref, const struct uh_msg *inv,
	       const char *tag)
{
	struct pint_dialog *d = uh_uas(inv, tag);
	const struct pint_status_ev *ev;
	struct uh_msg ok;

	assert_int_equal(uh_send(u, uh_in_dialog(u, d, "BYE"), inv->addr), 0);
	ok = uh_resp(u, 200);
	uh_msg_free(&ok);
	ev = uh_ev(u, ref, PINT_STATUS_COMPLETED);
	assert_int_equal(ev->outcome, PINT_OUTCOME_OK);
	assert_int_equal(ev->by, PINT_STATUS_BY_GATEWAY);
	pint_dialog_free(d);
}

/* ---- events ------------------------------------------------------------ */

const struct pint_status_ev *uh_ev(struct uh *u, uint64_t ref,
				   enum pint_status status)
{
	const struct uh_ev *e;

	assert_int_equal(u->violations, 0);
	if (u->evhead >= u->nev)
		fail_msg("no event, want %s for %llu", pint_status_name(status),
			 (unsigned long long)ref);
	e = &u->ev[u->evhead++];
	if (e->ref != ref || e->ev.status != status)
		fail_msg("event %llu %s (%s, sip %u, reason '%s'), want %llu %s",
			 (unsigned long long)e->ref,
			 pint_status_name(e->ev.status),
			 pint_outcome_name(e->ev.outcome), e->ev.sip_code,
			 e->ev.reason, (unsigned long long)ref,
			 pint_status_name(status));
	/* the queue empties as it is read; the event stays valid until the
	 * next one arrives */
	if (u->evhead == u->nev) {
		u->last = *e;
		u->evhead = u->nev = 0;
		return &u->last.ev;
	}
	return &e->ev;
}

void uh_no_ev(struct uh *u)
{
	const struct uh_ev *e;

	assert_int_equal(u->violations, 0);
	if (u->evhead >= u->nev)
		return;
	e = &u->ev[u->evhead];
	fail_msg("unexpected event %llu %s (%s, reason '%s')",
		 (unsigned long long)e->ref, pint_status_name(e->ev.status),
		 pint_outcome_name(e->ev.outcome), e->ev.reason);
}
