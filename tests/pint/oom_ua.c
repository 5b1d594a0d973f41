/*
 * tests/pint/oom_ua.c — allocation-failure scenarios for pint/ua (the
 * layer, calls, subscriptions, keepalives, REGISTER).
 *
 * Each scenario plays a whole exchange with the gateway over an in-memory
 * wire. An allocation failure inside the ua does not always come back as
 * an error: it may end a call with failed/error or end its monitoring, so
 * any step that does not find what the happy path expects returns ENOMEM
 * (the driver accepts that only on runs where an allocation failed). What
 * must hold on every run: pint_ua_free leaves nothing behind, and no call
 * gets a second terminal event (that returns EPROTO). osip is pointed at
 * the uncounted allocator while a scenario runs, as in oom_tsx.c (osip
 * does not survive its own allocation failures).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "tests/pint/oom.h"
#include "pint/dialog.h"
#include "pint/sip.h"
#include "pint/tel.h"
#include "pint/ua.h"


void *__real_malloc(size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);

#define GW0 "192.0.2.20"
#define GW1 "192.0.2.30"
#define MAX_SENT 64
#define BUF 8192
#define REFS 4

#define SDP_ACTIVE \
	"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=R2C\r\ne=ops@example.net\r\n" \
	"c=TN RFC2543 +1-555-555-0199\r\nt=4008988000 0\r\n" \
	"m=audio 1 voice -\r\n"
#define CHAL "Digest realm=\"pint\", nonce=\"n1\", qop=\"auth\""
#define DI_CONFIRMED \
	"<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:" \
	"ns:dialog-info\" version=\"0\" state=\"full\" entity=\"sip:x@y\">\n" \
	"<dialog id=\"d1\"><state>confirmed</state></dialog>\n</dialog-info>\n"
#define DI_ENDED \
	"<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:" \
	"ns:dialog-info\" version=\"1\" state=\"full\" entity=\"sip:x@y\">\n" \
	"<dialog id=\"d1\"><state event=\"remote-bye\">terminated</state>" \
	"</dialog>\n</dialog-info>\n"

static const struct pint_req_local gwloc = {
	GW0, 5060, "UDP", "gw", "pint-east.example.net", NULL,
};

struct sent {
	size_t len;
	char buf[BUF];
	char addr[64];
};

struct run {
	struct pint_ua *ua;
	struct pint_gwset *gws;
	uint64_t now;
	uint64_t rng;
	unsigned branch;
	size_t nsent, head;
	struct sent sent[MAX_SENT];
	unsigned terminals[REFS];
	enum pint_status last[REFS];
	bool twice;
	unsigned feeds;
};

/* Outside the allocation counter: the wire is the test's, not the ua's. */
static struct run R;

static int on_send(const char *buf, size_t len,
		   const struct pint_tsx_peer *peer, void *arg)
{
	struct run *r = arg;
	struct sent *s;

	if (r->nsent >= MAX_SENT || len >= BUF)
		return ENOBUFS;
	s = &r->sent[r->nsent++];
	memcpy(s->buf, buf, len);
	s->buf[len] = '\0';
	s->len = len;
	snprintf(s->addr, sizeof(s->addr), "%s", peer->addr);
	return 0;
}

static void on_event(uint64_t ref, const struct pint_status_ev *ev,
		     void *arg)
{
	struct run *r = arg;

	if (ref >= REFS)
		return;
	if (r->terminals[ref])
		r->twice = true;
	if (pint_status_is_terminal(ev->status))
		r->terminals[ref]++;
	if (ev->status != PINT_STATUS_NONE)
		r->last[ref] = ev->status;
}

static int on_rand(uint8_t *buf, size_t len, void *arg)
{
	struct run *r = arg;
	size_t i;

	for (i = 0; i < len; i++) {
		r->rng ^= r->rng << 13;
		r->rng ^= r->rng >> 7;
		r->rng ^= r->rng << 17;
		buf[i] = (uint8_t)r->rng;
	}
	return 0;
}

static void gw_confs(struct pint_gwset_conf gw[2])
{
	size_t i;

	memset(gw, 0, 2 * sizeof(*gw));
	for (i = 0; i < 2; i++) {
		gw[i].peer.transport = PINT_TSX_UDP;
		gw[i].peer.port = 5060;
		gw[i].priority = (unsigned)i + 1;
		gw[i].down_after = 2;
		gw[i].rest_max_ms = 60000;
		gw[i].rest_default_ms = 30000;
		gw[i].dialog_fallback = true;
		gw[i].subscribe_expires = 600;
		gw[i].username = "pintgw";
		gw[i].password = "s3cret";
	}
	gw[0].name = "east";
	gw[0].peer.addr = GW0;
	gw[0].domain = "pint-east.example.net";
	gw[1].name = "west";
	gw[1].peer.addr = GW1;
	gw[1].domain = "pint-west.example.net";
}

static int begin(struct run *r, const struct pint_gwset_conf *gw)
{
	struct pint_ua_handlers h = {
		.send = on_send, .event = on_event, .rand = on_rand, .arg = r,
	};
	struct pint_ua_conf c;
	int err;

	memset(r, 0, sizeof(*r));
	r->rng = 0x2545f4914f6cdd1dull;
	r->now = 1000;
	err = pint_gwset_alloc(&r->gws, gw, 2);
	if (err)
		return err;
	memset(&c, 0, sizeof(c));
	c.udp.host = "192.0.2.10";
	c.udp.port = 5060;
	c.udp.transport = "UDP";
	c.udp.user = "pintgw";
	c.tcp = c.udp;
	c.tcp.transport = "TCP";
	c.user_agent = "pintgw/oom";
	c.gwset = r->gws;
	c.ring_timeout_ms = 30000;
	c.max_redirects = 3;
	c.max_duration_ms = 600000;
	err = pint_ua_alloc(&r->ua, &c, &h);
	if (!err)
		pint_ua_set_wallclock(r->ua, r->now, 1800000000);
	return err;
}

static void end(struct run *r)
{
	pint_ua_free(r->ua);
	pint_gwset_free(r->gws);
	r->ua = NULL;
	r->gws = NULL;
}

static void run_until(struct run *r, uint64_t t)
{
	uint64_t d;
	unsigned n = 0;

	while ((d = pint_ua_next_deadline(r->ua)) <= t && n++ < 10000) {
		if (d > r->now)
			r->now = d;
		pint_ua_tick(r->ua, r->now);
	}
	r->now = t;
}

/* The next message sent, if it is what is expected (method or code). */
static int take(struct run *r, const char *method, int code,
		osip_message_t **mp, char *addr, size_t size)
{
	struct sent *s;
	int err;

	*mp = NULL;
	if (r->head >= r->nsent)
		return ENOMEM;
	s = &r->sent[r->head++];
	err = pint_sip_parse(mp, s->buf, s->len, NULL);
	if (err)
		return ENOMEM;
	if (addr)
		snprintf(addr, size, "%s", s->addr);
	if ((method && (!MSG_IS_REQUEST(*mp) ||
			strcmp((*mp)->sip_method, method))) ||
	    (!method && (!MSG_IS_RESPONSE(*mp) ||
			 (*mp)->status_code != code))) {
		osip_message_free(*mp);
		*mp = NULL;
		return ENOMEM;
	}
	return 0;
}

/*
 * Feed m (always freed) to the ua from src: every other one as bytes,
 * the others parsed first as gateway/sipgw does, so both entry points
 * run under allocation failure.
 */
static int feed(struct run *r, osip_message_t *m, const char *src)
{
	struct pint_tsx_peer peer = { PINT_TSX_UDP, src, 5060 };
	osip_message_t *in = NULL;
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (!m)
		return ENOMEM;
	err = pint_sip_to_str(m, &buf, &len);
	osip_message_free(m);
	if (!err && r->feeds++ % 2) {
		err = pint_sip_parse(&in, buf, len, NULL);
		if (!err)
			err = pint_ua_recv_msg(r->ua, in, buf, len, &peer,
					       r->now);
		osip_message_free(in);
	} else if (!err) {
		err = pint_ua_recv(r->ua, buf, len, &peer, r->now);
	}
	free(buf);
	return err == EBADMSG ? ENOMEM : err;
}

/* A response to req with an optional extra header and SDP body. */
static osip_message_t *answer(const osip_message_t *req, int code,
			      const char *tag, const char *hname,
			      const char *hval, const char *sdp)
{
	osip_message_t *m = NULL;

	if (pint_sip_response(&m, req, code, NULL, tag))
		return NULL;
	if ((hname && pint_req_add_header(m, hname, hval)) ||
	    (code < 300 && pint_req_add_header(m, "Contact",
					       "<sip:gw@192.0.2.20:5060>")) ||
	    (sdp && pint_req_add_body(m, NULL, sdp, strlen(sdp)))) {
		osip_message_free(m);
		return NULL;
	}
	return m;
}

static int reply(struct run *r, const osip_message_t *req, int code,
		 const char *tag, const char *hname, const char *hval,
		 const char *src)
{
	return feed(r, answer(req, code, tag, hname, hval,
			      code >= 200 && code < 300 &&
			      !strcmp(req->sip_method, "INVITE") ?
			      SDP_ACTIVE : NULL), src);
}

static int expect(struct run *r, const char *method, int code)
{
	osip_message_t *m = NULL;
	int err = take(r, method, code, &m, NULL, 0);

	osip_message_free(m);
	return err;
}

static struct pint_dialog *uas(const osip_message_t *req, const char *tag)
{
	struct pint_dialog *d = NULL;

	return pint_dialog_uas_alloc(&d, req, tag, 1) ? NULL : d;
}

static osip_message_t *gw_req(struct run *r, struct pint_dialog *d,
			      const char *method, const char *ctype,
			      const char *body, const char *substate)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	struct pint_req_notify n;
	osip_message_t *m = NULL;
	char branch[32];

	if (!d)
		return NULL;
	snprintf(branch, sizeof(branch), "z9hG4bKg%u", ++r->branch);
	tx.branch = branch;
	if (!strcmp(method, "BYE"))
		return pint_dialog_bye(&m, d, &gwloc, &tx) ? NULL : m;
	memset(&n, 0, sizeof(n));
	n.content_type = ctype;
	n.body = body;
	n.body_len = strlen(body);
	n.event = substate ? "dialog" : NULL;
	n.subscription_state = substate;
	return pint_dialog_notify(&m, d, &gwloc, &tx, &n) ? NULL : m;
}

static int start_call(struct run *r, uint64_t ref, bool track,
		      const char *gw)
{
	static struct pint_tel to, from;
	struct pint_svc_req req;
	struct pint_ua_call_params p;

	if (pint_tel_parse(&to, "+15555550199", 12, NULL, "to", NULL) ||
	    pint_tel_parse(&from, "+15555550100", 12, NULL, "from", NULL))
		return EINVAL;
	memset(&req, 0, sizeof(req));
	req.def = pint_svc_builtin("call");
	req.to = &to;
	req.from = &from;
	req.email = "cb@example.com";
	memset(&p, 0, sizeof(p));
	p.req = &req;
	p.track = track;
	p.gateway = gw;
	return pint_ua_call_start(r->ua, ref, &p, r->now);
}

static int verdict(struct run *r, uint64_t ref, enum pint_status want,
		   int err)
{
	if (r->twice)
		return EPROTO;
	if (!err && (r->terminals[ref] != 1 || r->last[ref] != want))
		err = ENOMEM;
	return err;
}

/* ---- scenarios --------------------------------------------------------- */

/* R2C tracked: 180, SUBSCRIBE 200, 200 + ACK, NOTIFY, gateway BYE,
 * UNSUBSCRIBE 200, linger. */
static int r2c_tracked(struct run *r)
{
	osip_message_t *inv = NULL, *sub = NULL, *unsub = NULL;
	struct pint_dialog *sd = NULL, *id = NULL;
	int err;

	err = start_call(r, 1, true, NULL);
	if (!err)
		err = take(r, "INVITE", 0, &inv, NULL, 0);
	if (!err)
		err = reply(r, inv, 180, "gi", NULL, NULL, GW0);
	if (!err)
		err = take(r, "SUBSCRIBE", 0, &sub, NULL, 0);
	if (!err)
		err = reply(r, sub, 200, "gs", "Expires", "600", GW0);
	if (!err)
		err = reply(r, inv, 200, "gi", NULL, NULL, GW0);
	if (!err)
		err = expect(r, "ACK", 0);
	if (!err) {
		sd = uas(sub, "gs");
		err = feed(r, gw_req(r, sd, "NOTIFY", NULL, SDP_ACTIVE, NULL),
			   GW0);
	}
	if (!err)
		err = expect(r, NULL, 200);
	if (!err) {
		id = uas(inv, "gi");
		err = feed(r, gw_req(r, id, "BYE", NULL, NULL, NULL), GW0);
	}
	if (!err)
		err = expect(r, NULL, 200);
	if (!err)
		err = take(r, "UNSUBSCRIBE", 0, &unsub, NULL, 0);
	if (!err)
		err = reply(r, unsub, 200, NULL, NULL, NULL, GW0);
	run_until(r, r->now + 40000);
	pint_dialog_free(sd);
	pint_dialog_free(id);
	osip_message_free(inv);
	osip_message_free(sub);
	osip_message_free(unsub);
	return verdict(r, 1, PINT_STATUS_COMPLETED, err);
}

/* 401 → INVITE with credentials → 302 to west → 180 → cancel → the 200
 * crosses the CANCEL → ACK + BYE → 200: canceled. */
static int retries_and_cancel(struct run *r)
{
	osip_message_t *inv = NULL, *inv2 = NULL, *inv3 = NULL, *bye = NULL;
	int err;

	err = start_call(r, 2, false, NULL);
	if (!err)
		err = take(r, "INVITE", 0, &inv, NULL, 0);
	if (!err)
		err = reply(r, inv, 401, "g1", "WWW-Authenticate", CHAL, GW0);
	if (!err)
		err = expect(r, "ACK", 0);
	if (!err)
		err = take(r, "INVITE", 0, &inv2, NULL, 0);
	if (!err)
		err = reply(r, inv2, 302, "g2", "Contact",
			    "<sip:R2C@192.0.2.30:5060>", GW0);
	if (!err)
		err = expect(r, "ACK", 0);
	if (!err)
		err = take(r, "INVITE", 0, &inv3, NULL, 0);
	if (!err)
		err = reply(r, inv3, 180, "g3", NULL, NULL, GW1);
	if (!err)
		err = pint_ua_call_cancel(r->ua, 2, r->now);
	if (!err)
		err = expect(r, "CANCEL", 0);
	if (!err)
		err = reply(r, inv3, 200, "g3", NULL, NULL, GW1);
	if (!err)
		err = expect(r, "ACK", 0);
	if (!err)
		err = take(r, "BYE", 0, &bye, NULL, 0);
	if (!err)
		err = reply(r, bye, 200, NULL, NULL, NULL, GW1);
	run_until(r, r->now + 40000);
	osip_message_free(inv);
	osip_message_free(inv2);
	osip_message_free(inv3);
	osip_message_free(bye);
	return verdict(r, 2, PINT_STATUS_CANCELED, err);
}

/* REGISTER with a challenge, OPTIONS both ways, a 405, then a call in
 * dialog mode: dialog-info NOTIFYs, completed, SUBSCRIBE Expires: 0. */
static int dialog_and_upkeep(struct run *r)
{
	osip_message_t *reg = NULL, *opt = NULL, *inv = NULL, *sub = NULL;
	osip_message_t *fin = NULL, *m = NULL;
	struct pint_req_ids ids = { "o1", "t1", 1 };
	struct pint_req_tx tx = { "z9hG4bKo1", NULL, NULL };
	struct pint_dialog *sd = NULL;
	int err;

	run_until(r, r->now);
	err = take(r, "REGISTER", 0, &reg, NULL, 0);
	if (!err)
		err = take(r, "OPTIONS", 0, &opt, NULL, 0);
	if (!err)
		err = reply(r, opt, 200, NULL, NULL, NULL, GW0);
	if (!err)
		err = reply(r, reg, 401, NULL, "WWW-Authenticate", CHAL, GW0);
	osip_message_free(reg);
	reg = NULL;
	if (!err)
		err = take(r, "REGISTER", 0, &reg, NULL, 0);
	if (!err)
		err = reply(r, reg, 200, NULL, "Expires", "300", GW0);
	if (!err && pint_req_options(&m, &gwloc, &ids, &tx, "sip:x@192.0.2.10"))
		err = ENOMEM;
	if (!err)
		err = feed(r, m, GW0);
	if (!err)
		err = expect(r, NULL, 200);

	if (!err)
		err = start_call(r, 3, true, "west");
	if (!err)
		err = take(r, "INVITE", 0, &inv, NULL, 0);
	if (!err)
		err = reply(r, inv, 183, "gi", NULL, NULL, GW1);
	if (!err)
		err = take(r, "SUBSCRIBE", 0, &sub, NULL, 0);
	if (!err)
		err = reply(r, sub, 200, "gs", "Expires", "600", GW1);
	if (!err)
		err = reply(r, inv, 200, "gi", NULL, NULL, GW1);
	if (!err)
		err = expect(r, "ACK", 0);
	if (!err) {
		sd = uas(sub, "gs");
		err = feed(r, gw_req(r, sd, "NOTIFY",
				     "application/dialog-info+xml",
				     DI_CONFIRMED, "active;expires=600"), GW1);
	}
	if (!err)
		err = expect(r, NULL, 200);
	if (!err)
		err = feed(r, gw_req(r, sd, "NOTIFY",
				     "application/dialog-info+xml", DI_ENDED,
				     "active;expires=600"), GW1);
	if (!err)
		err = expect(r, NULL, 200);
	if (!err)
		err = take(r, "SUBSCRIBE", 0, &fin, NULL, 0);
	if (!err)
		err = reply(r, fin, 200, NULL, NULL, NULL, GW1);
	run_until(r, r->now + 40000);
	pint_dialog_free(sd);
	osip_message_free(reg);
	osip_message_free(opt);
	osip_message_free(inv);
	osip_message_free(sub);
	osip_message_free(fin);
	return verdict(r, 3, PINT_STATUS_COMPLETED, err);
}

static int scenario(int (*fn)(struct run *r), bool dialog)
{
	osip_malloc_func_t *m = osip_malloc_func;
	osip_realloc_func_t *re = osip_realloc_func;
	osip_free_func_t *f = osip_free_func;
	struct pint_gwset_conf gw[2];
	int err;

	parser_init();
	osip_set_allocators(__real_malloc, __real_realloc, __real_free);
	gw_confs(gw);
	if (dialog) {
		gw[0].register_aor = "sip:pintgw@pint-east.example.net";
		gw[0].register_expires = 300;
		gw[0].keepalive_ms = 20000;
		gw[1].status_mode = PINT_GWSET_STATUS_DIALOG;
	}
	err = begin(&R, gw);
	if (!err)
		err = fn(&R);
	end(&R);
	osip_set_allocators(m, re, f);
	return err;
}

static int run_r2c_tracked(void)
{
	return scenario(r2c_tracked, false);
}

static int run_retries_and_cancel(void)
{
	return scenario(retries_and_cancel, false);
}

static int run_dialog_and_upkeep(void)
{
	return scenario(dialog_and_upkeep, true);
}

const struct oom_case oom_cases_ua[] = {
	{ "ua_r2c_tracked", run_r2c_tracked },
	{ "ua_retries_and_cancel", run_retries_and_cancel },
	{ "ua_dialog_and_upkeep", run_dialog_and_upkeep },
	{ NULL, NULL },
};
