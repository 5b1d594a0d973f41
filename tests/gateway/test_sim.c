/*
 * tests/gateway/test_sim.c — gateway/sim with real sockets on 127.0.0.1
 * and the real loop. A small UAC lives in the test (requests built with
 * pint/req and pint/dialog, sent through its own gateway/transport): it
 * sends what pintgw would and what it never would, answers the
 * simulator's requests when told to, and every check reads what came
 * back on the wire. Each run stops on a predicate or a guard timer that
 * fails the test. Simulated times run at SPEED.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/pint/test_common.h"
#include "gateway/log.h"
#include "gateway/loop.h"
#include "gateway/sim/sim.h"
#include "gateway/sim/sim_int.h"
#include "gateway/transport.h"
#include "pint/dialog.h"
#include "pint/dialoginfo.h"
#include "pint/digest.h"
#include "pint/req.h"
#include "pint/sdp.h"
#include "pint/sip.h"

#define GUARD_MS  3000u
#define MAXM      96u
#define SPEED     50.0
#define SESS      "8423016647712093"      /* the o= id in the fixtures */

/* ---- fixture: a simulator and a UAC on one loop ---- */

struct msg {
	osip_message_t *m;
	char *raw;                      /* NUL-terminated copy */
	size_t len;
	struct gw_tp_peer from;
};

struct fx {
	struct gw_loop *loop;
	struct gw_sim *sim;
	struct gw_sim_conf conf;
	struct gw_tp_listen_cfg lc;
	struct gw_sim_subtype spell;
	const char *services[1];
	struct gw_tp *uac;
	struct gw_tp_listen_cfg ulc;
	uint16_t port;                  /* the simulator's */
	uint16_t uport;                 /* the UAC's */
	char domain[32];                /* "127.0.0.1:port" */
	struct pint_req_local loc[2];   /* the UAC: UDP, TCP */
	struct msg in[MAXM];
	size_t n;
	bool autoreply;                 /* 200 to NOTIFY, BYE, UNSUBSCRIBE */
	unsigned seq;
	size_t traced_in, traced_out, traced_absorbed, traced_cid;
};

static void trace_h(const struct gw_sim_trace *t, void *arg)
{
	struct fx *fx = arg;

	assert_non_null(t->peer);
	assert_true(t->first.l > 0 && t->first.l <= t->len);
	if (t->out)
		fx->traced_out++;
	else
		fx->traced_in++;
	if (t->absorbed)
		fx->traced_absorbed++;
	if (t->call_id.p)
		fx->traced_cid++;
}

static void send_raw(struct fx *fx, const char *buf, size_t len,
		     const struct gw_tp_peer *to)
{
	assert_int_equal(gw_tp_send(fx->uac, to, buf, len), 0);
}

static void send_to(struct fx *fx, osip_message_t *m, bool tcp)
{
	struct gw_tp_peer to;
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(gw_tp_peer_from_str(&to, tcp ? "tcp" : "udp",
					     "127.0.0.1", fx->port), 0);
	assert_int_equal(pint_sip_to_str(m, &buf, &len), 0);
	send_raw(fx, buf, len, &to);
	free(buf);
}

static void autoreply(struct fx *fx, const osip_message_t *req,
		      const struct gw_tp_peer *from)
{
	osip_message_t *r = NULL;
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(pint_sip_response(&r, req, 200, NULL, NULL), 0);
	assert_int_equal(pint_sip_to_str(r, &buf, &len), 0);
	send_raw(fx, buf, len, from);
	free(buf);
	osip_message_free(r);
}

static void uac_recv(osip_message_t *m, const char *raw, size_t len,
		     const struct gw_tp_peer *from, void *arg)
{
	struct fx *fx = arg;
	struct msg *e;

	assert_true(fx->n < MAXM);
	e = &fx->in[fx->n++];
	e->m = m;
	e->raw = malloc(len + 1);
	assert_non_null(e->raw);
	memcpy(e->raw, raw, len);
	e->raw[len] = '\0';
	e->len = len;
	e->from = *from;
	if (fx->autoreply && MSG_IS_REQUEST(m) &&
	    (!strcmp(m->sip_method, "NOTIFY") || !strcmp(m->sip_method, "BYE") ||
	     !strcmp(m->sip_method, "UNSUBSCRIBE")))
		autoreply(fx, m, from);
}

/* Defaults; a test changes fx->conf before fx_start(). */
static void fx_init(struct fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	assert_int_equal(gw_loop_alloc(&fx->loop), 0);
	fx->lc.addr = "127.0.0.1";
	fx->lc.udp = true;
	fx->lc.tcp = true;
	fx->conf.listen = &fx->lc;
	fx->conf.nlisten = 1;
	fx->conf.speed = SPEED;
	fx->conf.trace = trace_h;
	fx->conf.trace_arg = fx;
	fx->spell.type = "image/tiff";
	fx->spell.spelling = "tif";
	fx->conf.subtypes = &fx->spell;
	fx->conf.nsubtypes = 1;
	fx->services[0] = "R2FB";
	fx->conf.services = fx->services;
	fx->conf.nservices = 1;
	fx->autoreply = true;
}

static void fx_start(struct fx *fx)
{
	struct gw_tp_cfg cfg;
	struct gw_tp_local lp;
	char msg[256];
	size_t i;

	assert_int_equal(gw_sim_alloc(&fx->sim, fx->loop, &fx->conf, msg,
				      sizeof(msg)), 0);
	fx->port = gw_sim_port(fx->sim, false);
	assert_true(fx->port > 0);
	assert_int_equal(gw_sim_port(fx->sim, true), fx->port);
	snprintf(fx->domain, sizeof(fx->domain), "127.0.0.1:%u", fx->port);
	fx->ulc.addr = "127.0.0.1";
	fx->ulc.udp = true;
	fx->ulc.tcp = true;
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = &fx->ulc;
	cfg.nlisten = 1;
	cfg.recv_h = uac_recv;
	cfg.arg = fx;
	assert_int_equal(gw_tp_alloc(&fx->uac, fx->loop, &cfg, NULL), 0);
	assert_int_equal(gw_tp_local(fx->uac, 0, &lp), 0);
	fx->uport = ntohs(((struct sockaddr_in *)&lp.addr)->sin_port);
	for (i = 0; i < 2; i++) {
		fx->loc[i].host = "127.0.0.1";
		fx->loc[i].port = fx->uport;
		fx->loc[i].transport = i ? "TCP" : "UDP";
		fx->loc[i].user = "uac";
	}
}

static void fx_done(struct fx *fx)
{
	size_t i;

	gw_sim_free(fx->sim);
	gw_tp_free(fx->uac);
	for (i = 0; i < fx->n; i++) {
		osip_message_free(fx->in[i].m);
		free(fx->in[i].raw);
	}
	assert_int_equal(gw_loop_verify(fx->loop), 0);
	gw_loop_free(fx->loop);
}

/* ---- running the loop ---- */

typedef bool (pred_h)(void *arg);

struct run {
	struct gw_loop *loop;
	pred_h *p;
	void *arg;
	struct gw_prepare prep;
	struct gw_timer guard;
	bool ok;
};

static int prep_h(void *arg)
{
	struct run *r = arg;

	if (r->p(r->arg)) {
		r->ok = true;
		gw_loop_stop(r->loop);
	}
	return -1;
}

static void guard_h(void *arg)
{
	struct run *r = arg;

	gw_loop_stop(r->loop);
}

/* Run until p(arg) holds; false after ms. */
static bool run_for(struct gw_loop *loop, pred_h *p, void *arg, unsigned ms)
{
	struct run r = { .loop = loop, .p = p, .arg = arg };

	if (p(arg))
		return true;
	gw_loop_add_prepare(loop, &r.prep, prep_h, &r);
	assert_int_equal(gw_timer_start(loop, &r.guard, ms, guard_h, &r), 0);
	assert_int_equal(gw_loop_run(loop), 0);
	gw_timer_stop(loop, &r.guard);
	gw_loop_del_prepare(loop, &r.prep);
	return r.ok || p(arg);
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

/* Let the loop run ms, whatever happens. */
static void run_ms(struct fx *fx, unsigned ms)
{
	(void)run_for(fx->loop, never, NULL, ms);
}

/* ---- finding what came back ---- */

struct want {
	struct fx *fx;
	size_t from;                    /* first index looked at */
	int code;                       /* response code, 0 = a request */
	const char *method;             /* request or CSeq method */
	const char *cid;                /* Call-ID, NULL = any */
	size_t found;
};

static bool cid_is(const osip_message_t *m, const char *cid)
{
	return !cid || (m->call_id && m->call_id->number &&
			!strcmp(m->call_id->number, cid));
}

static bool want_p(void *arg)
{
	struct want *w = arg;
	size_t i;

	for (i = w->from; i < w->fx->n; i++) {
		const osip_message_t *m = w->fx->in[i].m;

		if (!cid_is(m, w->cid))
			continue;
		if (w->code && MSG_IS_RESPONSE(m) && m->status_code == w->code &&
		    m->cseq && !strcmp(m->cseq->method, w->method)) {
			w->found = i;
			return true;
		}
		if (!w->code && MSG_IS_REQUEST(m) &&
		    !strcmp(m->sip_method, w->method)) {
			w->found = i;
			return true;
		}
	}
	return false;
}

/* The index of the first message from index `from` on that matches. */
static size_t wait_from(struct fx *fx, size_t from, int code,
			const char *method, const char *cid)
{
	struct want w = { fx, from, code, method, cid, 0 };

	if (!run_for(fx->loop, want_p, &w, GUARD_MS))
		fail_msg("no %d %s (call %s) within %u ms", code, method,
			 cid ? cid : "any", GUARD_MS);
	return w.found;
}

static osip_message_t *wait_msg(struct fx *fx, int code, const char *method,
				const char *cid)
{
	return fx->in[wait_from(fx, 0, code, method, cid)].m;
}

/* The first final (>= 200) response to cid's INVITE. */
static bool final_p(void *arg)
{
	struct want *w = arg;
	size_t i;

	for (i = w->from; i < w->fx->n; i++) {
		const osip_message_t *m = w->fx->in[i].m;

		if (MSG_IS_RESPONSE(m) && cid_is(m, w->cid) && m->cseq &&
		    !strcmp(m->cseq->method, w->method) &&
		    m->status_code >= w->code) {
			w->found = i;
			return true;
		}
	}
	return false;
}

static osip_message_t *wait_answer(struct fx *fx, const char *cid, int min)
{
	struct want w = { fx, 0, min, "INVITE", cid, 0 };

	if (!run_for(fx->loop, final_p, &w, GUARD_MS))
		fail_msg("no answer >= %d to INVITE %s", min, cid);
	return fx->in[w.found].m;
}

static size_t count(const struct fx *fx, int code, const char *method,
		    const char *cid)
{
	size_t i, k = 0;

	for (i = 0; i < fx->n; i++) {
		const osip_message_t *m = fx->in[i].m;

		if (!cid_is(m, cid))
			continue;
		if (code ? MSG_IS_RESPONSE(m) && m->status_code == code &&
			   !strcmp(m->cseq->method, method) :
			   MSG_IS_REQUEST(m) && !strcmp(m->sip_method, method))
			k++;
	}
	return k;
}

/* The value of header name (first one), from the raw text. */
static bool raw_hdr(const struct fx *fx, const osip_message_t *m,
		    const char *name, char *buf, size_t size)
{
	size_t i, n = strlen(name);
	const char *p, *e;

	for (i = 0; i < fx->n && fx->in[i].m != m; i++)
		;
	assert_true(i < fx->n);
	for (p = fx->in[i].raw; p && *p && !(p[0] == '\r' && p[1] == '\n');
	     p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
		if (strncasecmp(p, name, n) || p[n] != ':')
			continue;
		p += n + 1;
		while (*p == ' ')
			p++;
		e = strstr(p, "\r\n");
		n = e ? (size_t)(e - p) : strlen(p);
		if (n >= size)
			n = size - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return true;
	}
	return false;
}

static unsigned warning_code(const osip_message_t *m)
{
	struct pint_sip_warning w[2];
	size_t n = 0;

	if (pint_sip_warnings(m, w, 2, &n) || !n)
		return 0;
	return w[0].code;
}

/* The SDP of a message, decoded into *sdp (views into m). */
static void sdp_of(const osip_message_t *m, struct pint_sdp *sdp)
{
	struct pint_pl body;

	assert_int_equal(pint_sip_body(m, &body), 0);
	assert_int_equal(pint_sdp_decode(sdp, body.p, body.l), 0);
}

/* ---- the UAC's requests ---- */

struct call {
	char cid[32];
	char tag[32];
	uint32_t cseq;
	bool tcp;
	osip_message_t *inv;            /* the last INVITE sent */
	struct pint_dialog *dlg;
	char *body;                     /* what the INVITE carried */
	size_t body_len;
};

static void call_init(struct fx *fx, struct call *c)
{
	memset(c, 0, sizeof(*c));
	fx->seq++;
	snprintf(c->cid, sizeof(c->cid), "cid-%u-%u", fx->seq, fx->port);
	snprintf(c->tag, sizeof(c->tag), "tag-%u", fx->seq);
	c->cseq = 1;
}

static void call_done(struct call *c)
{
	osip_message_free(c->inv);
	pint_dialog_free(c->dlg);
	free(c->body);
}

static void branch(struct fx *fx, char *buf, size_t size)
{
	snprintf(buf, size, PINT_REQ_BRANCH_COOKIE "-t%u", ++fx->seq);
}

/* A fixture SDP with a session id of its own (so sessions differ). */
static char *fixture(struct fx *fx, const char *name, size_t *lenp)
{
	char rel[128], id[sizeof(SESS)];
	char *s, *p;

	snprintf(rel, sizeof(rel), "sim/%s", name);
	s = test_read_file(rel, lenp);
	snprintf(id, sizeof(id), "%016u", ++fx->seq);
	for (p = strstr(s, SESS); p; p = strstr(p, SESS))
		memcpy(p, id, sizeof(SESS) - 1);
	return s;
}

/* An R2C SDP dialling +1-555-555-<last4>. */
static char *r2c_sdp(struct fx *fx, const char *last4, size_t *lenp)
{
	char *s = fixture(fx, "r2c.sdp", lenp);
	char *p = strstr(s, "555-0000");

	assert_non_null(p);
	memcpy(p + 4, last4, 4);
	return s;
}

static void invite_ex(struct fx *fx, struct call *c, const char *service,
		      const char *to_uri, const char *ctype, char *body,
		      size_t len, const char *auth)
{
	struct pint_req_ids ids = { c->cid, c->tag, c->cseq };
	struct pint_req_tx tx = { NULL, auth, NULL };
	struct pint_req_invite inv;
	char br[64];

	branch(fx, br, sizeof(br));
	tx.branch = br;
	memset(&inv, 0, sizeof(inv));
	inv.service = service;
	inv.domain = fx->domain;
	inv.to_uri = to_uri;
	inv.content_type = ctype;
	inv.body = body;
	inv.body_len = len;
	osip_message_free(c->inv);
	c->inv = NULL;
	assert_int_equal(pint_req_invite(&c->inv, &fx->loc[c->tcp], &ids, &tx,
					 &inv), 0);
	send_to(fx, c->inv, c->tcp);
	if (c->body != body) {
		free(c->body);
		c->body = body;
		c->body_len = len;
	}
}

#define A_PARTY "sip:+15555550100@127.0.0.1;user=phone"

/* An R2C INVITE to last4 (the body stays with c). */
static void invite_r2c(struct fx *fx, struct call *c, const char *last4)
{
	size_t len;
	char *sdp = r2c_sdp(fx, last4, &len);

	invite_ex(fx, c, "R2C", A_PARTY, NULL, sdp, len, NULL);
}

static void send_ack(struct fx *fx, struct call *c, const osip_message_t *ok)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	osip_message_t *m = NULL;
	char br[64];

	if (!c->dlg)
		assert_int_equal(pint_dialog_uac_alloc(&c->dlg, c->inv, ok), 0);
	branch(fx, br, sizeof(br));
	tx.branch = br;
	assert_int_equal(pint_dialog_ack_2xx(&m, c->dlg, &fx->loc[c->tcp], &tx,
					     c->cseq), 0);
	send_to(fx, m, c->tcp);
	osip_message_free(m);
}

static void send_bye(struct fx *fx, struct call *c)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	osip_message_t *m = NULL;
	char br[64];

	branch(fx, br, sizeof(br));
	tx.branch = br;
	assert_int_equal(pint_dialog_bye(&m, c->dlg, &fx->loc[c->tcp], &tx), 0);
	send_to(fx, m, c->tcp);
	osip_message_free(m);
}

/* The call up to its 200 (ACKed); returns the 200. */
static osip_message_t *answered(struct fx *fx, struct call *c,
				const char *last4)
{
	osip_message_t *ok;

	invite_r2c(fx, c, last4);
	ok = wait_answer(fx, c->cid, 200);
	assert_int_equal(ok->status_code, 200);
	send_ack(fx, c, ok);
	return ok;
}

/* A PINT SUBSCRIBE for c's session (its SDP), on a new Call-ID. */
static void subscribe_pint(struct fx *fx, struct call *s, const struct call *c,
			   uint32_t expires, const char *event)
{
	struct pint_req_ids ids = { s->cid, s->tag, s->cseq };
	struct pint_req_tx tx = { NULL, NULL, NULL };
	struct pint_req_subscribe sub;
	char br[64], target[64];

	snprintf(target, sizeof(target), "sip:R2C@%s", fx->domain);
	branch(fx, br, sizeof(br));
	tx.branch = br;
	memset(&sub, 0, sizeof(sub));
	sub.target = target;
	sub.expires = expires;
	sub.sdp = c->body;
	sub.sdp_len = c->body_len;
	osip_message_free(s->inv);
	s->inv = NULL;
	assert_int_equal(pint_req_subscribe(&s->inv, &fx->loc[0], &ids, &tx,
					    &sub), 0);
	if (event)
		assert_int_equal(pint_req_add_header(s->inv, "Event", event), 0);
	send_to(fx, s->inv, false);
}

/* ---- tests: tables ---- */

static void test_outcome_table(void **state)
{
	static const struct {
		const char *number;
		enum gw_sim_outcome o;
	} t[] = {
		{ "+1-555-555-0000", GW_SIM_ANSWER },
		{ "+15555550486", GW_SIM_BUSY },
		{ "0201-555-0408", GW_SIM_NO_ANSWER },
		{ "+1-555-555-0480", GW_SIM_UNAVAILABLE },
		{ "+1-555-555-0603", GW_SIM_DECLINE },
		{ "+1-555-555-0404", GW_SIM_NOT_FOUND },
		{ "+1-555-555-0503", GW_SIM_OVERLOAD },
		{ "+1-555-555-0999", GW_SIM_BLACK_HOLE },
		{ "+1-555-555-0606", GW_SIM_NO_ABORT },
		{ "+1-555-555-0302", GW_SIM_REDIRECT },
		{ "+1-555-555-0180", GW_SIM_RING_LONG },
		{ "+1-555-555-0700", GW_SIM_SLOW },
		{ "+1-555-555-1234", GW_SIM_ANSWER },
		{ "486", GW_SIM_ANSWER },        /* fewer than four digits */
		{ "", GW_SIM_ANSWER },
	};
	enum gw_sim_outcome o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(gw_sim_outcome_of(t[i].number,
						   strlen(t[i].number)), t[i].o);
	assert_int_equal(gw_sim_outcome_parse("0503", &o), 0);
	assert_int_equal(o, GW_SIM_OVERLOAD);
	assert_int_equal(gw_sim_outcome_parse("busy", &o), 0);
	assert_int_equal(o, GW_SIM_BUSY);
	assert_int_equal(gw_sim_outcome_parse("1111", &o), EINVAL);
	assert_string_equal(gw_sim_outcome_name(GW_SIM_NO_ABORT), "no_abort");
	assert_string_equal(gw_sim_outcome_name(GW_SIM_NOUTCOMES), "?");
}

/* What sim_dinfo_encode writes, pint/dialoginfo reads back. */
static void test_dinfo_roundtrip(void **state)
{
	struct sim_dinfo_dialog d[2];
	struct pint_dinfo *di = NULL;
	struct pint_mbuf mb;

	(void)state;
	memset(d, 0, sizeof(d));
	d[0].id = "sim-1";
	d[0].call_id = "a&b<c>\"d'@host";
	d[0].local_tag = "lt";
	d[0].remote_tag = "rt";
	d[0].state = PINT_DINFO_TERMINATED;
	d[0].event = PINT_DINFO_EV_REJECTED;
	d[0].code = 486;
	d[0].duration = 7;
	d[0].local_uri = "sip:R2C@example.net";
	d[0].remote_uri = "sip:pintgw@example.com";
	d[1].id = "sim-2";
	d[1].call_id = "x";
	d[1].state = PINT_DINFO_TRYING;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(sim_dinfo_encode(&mb, 3, "sip:R2C@example.net", d, 2), 0);
	assert_int_equal(pint_dinfo_parse(&di, mb.buf, mb.len), 0);
	assert_int_equal(di->version, 3);
	assert_int_equal(di->state, PINT_DINFO_FULL);
	assert_string_equal(di->entity, "sip:R2C@example.net");
	assert_int_equal(di->ndialogs, 2);
	assert_string_equal(di->dialogs[0].call_id, d[0].call_id);
	assert_string_equal(di->dialogs[0].local_tag, "lt");
	assert_string_equal(di->dialogs[0].remote_tag, "rt");
	assert_int_equal(di->dialogs[0].direction, PINT_DINFO_RECIPIENT);
	assert_int_equal(di->dialogs[0].state, PINT_DINFO_TERMINATED);
	assert_int_equal(di->dialogs[0].event, PINT_DINFO_EV_REJECTED);
	assert_int_equal(di->dialogs[0].code, 486);
	assert_true(di->dialogs[0].has_duration);
	assert_int_equal(di->dialogs[0].duration, 7);
	assert_string_equal(di->dialogs[0].local.identity, "sip:R2C@example.net");
	assert_string_equal(di->dialogs[1].local_tag, "");
	assert_int_equal(di->dialogs[1].state, PINT_DINFO_TRYING);
	assert_int_equal(di->dialogs[1].event, PINT_DINFO_EV_NONE);
	pint_dinfo_free(di);
	pint_mbuf_reset(&mb);

	/* nothing to report is a document too; bad values are refused */
	assert_int_equal(sim_dinfo_encode(&mb, 0, "sip:x@y", NULL, 0), 0);
	assert_int_equal(pint_dinfo_parse(&di, mb.buf, mb.len), 0);
	assert_int_equal(di->ndialogs, 0);
	pint_dinfo_free(di);
	pint_mbuf_reset(&mb);
	d[1].call_id = "bad\001";
	assert_int_equal(sim_dinfo_encode(&mb, 0, "sip:x@y", d, 2), EINVAL);
	assert_null(mb.buf);
	d[1].call_id = NULL;
	assert_int_equal(sim_dinfo_encode(&mb, 0, "sip:x@y", d, 2), EINVAL);
}

static void test_conf_errors(void **state)
{
	static const char *const bad_service[] = { "R 2" };
	struct gw_sim_subtype bad_sub = { "tiff", "tif" };
	struct gw_sim *sim = NULL;
	struct fx fx;
	char msg[256];

	(void)state;
	fx_init(&fx);
	fx.conf.speed = 5000;
	assert_int_equal(gw_sim_alloc(&sim, fx.loop, &fx.conf, msg, sizeof(msg)),
			 EINVAL);
	assert_non_null(strstr(msg, "speed"));
	fx.conf.speed = 0;
	fx.conf.outcome = "1111";
	assert_int_equal(gw_sim_alloc(&sim, fx.loop, &fx.conf, msg, sizeof(msg)),
			 EINVAL);
	assert_non_null(strstr(msg, "outcome"));
	fx.conf.outcome = NULL;
	fx.conf.services = bad_service;
	assert_int_equal(gw_sim_alloc(&sim, fx.loop, &fx.conf, msg, sizeof(msg)),
			 EINVAL);
	assert_non_null(strstr(msg, "service"));
	fx.conf.services = fx.services;
	fx.conf.subtypes = &bad_sub;
	assert_int_equal(gw_sim_alloc(&sim, fx.loop, &fx.conf, msg, sizeof(msg)),
			 EINVAL);
	assert_non_null(strstr(msg, "subtype"));
	fx.conf.subtypes = &fx.spell;
	fx.conf.auth_user = "alice";
	assert_int_equal(gw_sim_alloc(&sim, fx.loop, &fx.conf, msg, sizeof(msg)),
			 EINVAL);
	assert_non_null(strstr(msg, "auth"));
	fx.conf.auth_user = NULL;
	fx.conf.nlisten = 0;
	assert_int_equal(gw_sim_alloc(&sim, fx.loop, &fx.conf, msg, sizeof(msg)),
			 EINVAL);
	assert_null(sim);
	gw_loop_free(fx.loop);
}

/* ---- tests: the RFC 2848 checks on INVITE ---- */

static void test_invite_checks(void **state)
{
	static const struct {
		const char *file;
		const char *service;
		int code;               /* 180: taken */
		unsigned warn;
		const char *unsupported;
	} t[] = {
		{ "r2c.sdp", "R2C", 180, 0, NULL },
		{ "not_tn.sdp", "R2C", 488, 300, NULL },
		{ "x_addrtype.sdp", "R2C", 488, 301, NULL },
		{ "bad_number.sdp", "R2C", 488, 301, NULL },
		{ "garbage.sdp", "R2C", 488, 399, NULL },
		{ "require_unknown.sdp", "R2C", 420, 306, "x-teleport" },
		{ "require_ctx_ok.sdp", "R2C", 180, 0, NULL },
		{ "require_ctx_private.sdp", "R2C", 606, 399, NULL },
		{ "require_plan.sdp", "R2C", 606, 399, NULL },
		{ "media_video.sdp", "R2C", 488, 304, NULL },
		{ "proto_modem.sdp", "R2C", 488, 302, NULL },
		{ "fax_render.sdp", "R2F", 488, 305, NULL },
		{ "fax_nofmtp.sdp", "R2F", 488, 399, NULL },
		{ "fax_tif.sdp", "R2F", 180, 0, NULL },
		{ "fax_uri.sdp", "R2F", 180, 0, NULL },
		{ "fax_uri.sdp", "R2FB", 180, 0, NULL },
		{ "fax_spr_missing.sdp", "R2F", 400, 399, NULL },
		{ "scheduled_far.sdp", "R2C", 488, 399, NULL },
		{ "r2c.sdp", "R2X", 404, 0, NULL },
	};
	struct gw_sim_stats st;
	struct fx fx;
	size_t i;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct call c;
		osip_message_t *r;
		struct pint_pl tag;
		size_t len;
		char *sdp = fixture(&fx, t[i].file, &len);
		char buf[128];

		call_init(&fx, &c);
		invite_ex(&fx, &c, t[i].service,
			  !strcmp(t[i].service, "R2C") ? A_PARTY : NULL, NULL,
			  sdp, len, NULL);
		r = wait_answer(&fx, c.cid, 180);
		if (r->status_code != t[i].code)
			fail_msg("%s: %d, want %d", t[i].file, r->status_code,
				 t[i].code);
		if (t[i].warn)
			assert_int_equal(warning_code(r), t[i].warn);
		if (t[i].unsupported) {
			assert_true(raw_hdr(&fx, r, "Unsupported", buf,
					    sizeof(buf)));
			assert_string_equal(buf, t[i].unsupported);
		}
		if (r->status_code >= 300)
			assert_int_equal(pint_sip_to_tag(r, &tag), 0);
		call_done(&c);
	}
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.refused, 14);
	assert_int_equal(st.sessions, 5);
	fx_done(&fx);
}

/* --require-mode 400; Require: headers; bodies; the A party. */
static void test_invite_headers(void **state)
{
	struct fx fx;
	struct call c;
	osip_message_t *r;
	char buf[128], *sdp;
	size_t len;

	(void)state;
	fx_init(&fx);
	fx.conf.require_mode = GW_SIM_REQUIRE_400;
	fx_start(&fx);

	call_init(&fx, &c);
	sdp = fixture(&fx, "require_unknown.sdp", &len);
	invite_ex(&fx, &c, "R2C", A_PARTY, NULL, sdp, len, NULL);
	r = wait_answer(&fx, c.cid, 200);
	assert_int_equal(r->status_code, 400);
	assert_int_equal(warning_code(r), 306);
	assert_false(raw_hdr(&fx, r, "Unsupported", buf, sizeof(buf)));
	call_done(&c);

	/* an option tag it lacks: 420 + Unsupported naming it */
	call_init(&fx, &c);
	sdp = r2c_sdp(&fx, "0000", &len);
	invite_ex(&fx, &c, "R2C", A_PARTY, NULL, sdp, len, NULL);
	call_done(&c);
	call_init(&fx, &c);
	sdp = r2c_sdp(&fx, "0000", &len);
	{
		struct pint_req_ids ids = { c.cid, c.tag, 1 };
		struct pint_req_tx tx = { PINT_REQ_BRANCH_COOKIE "-rq", NULL, NULL };
		struct pint_req_invite inv = { .service = "R2C",
			.domain = fx.domain, .to_uri = A_PARTY,
			.require_sdp = true, .require_subscribe = true,
			.body = sdp, .body_len = len };

		assert_int_equal(pint_req_invite(&c.inv, &fx.loc[0], &ids, &tx,
						 &inv), 0);
		assert_int_equal(pint_req_add_header(c.inv, "Require",
						     "x-warp-drive"), 0);
		send_to(&fx, c.inv, false);
	}
	r = wait_answer(&fx, c.cid, 200);
	assert_int_equal(r->status_code, 420);
	assert_true(raw_hdr(&fx, r, "Unsupported", buf, sizeof(buf)));
	assert_string_equal(buf, "x-warp-drive");
	free(sdp);
	call_done(&c);

	/* a body that is no SDP: 415 + Accept */
	call_init(&fx, &c);
	sdp = fixture(&fx, "r2c.sdp", &len);
	{
		struct pint_req_tx tx = { PINT_REQ_BRANCH_COOKIE "-415", NULL, NULL };
		char ruri[64];
		struct pint_req_base b = {
			.method = "INVITE", .ruri = ruri,
			.from_uri = "sip:uac@127.0.0.1", .from_tag = c.tag,
			.to_uri = A_PARTY, .call_id = c.cid, .cseq = 1,
		};

		snprintf(ruri, sizeof(ruri), "sip:R2C@%s", fx.domain);
		assert_int_equal(pint_req_build(&c.inv, &fx.loc[0], &tx, &b), 0);
		assert_int_equal(pint_req_add_contact(c.inv, &fx.loc[0], -1), 0);
		assert_int_equal(pint_req_add_body(c.inv, "text/plain", sdp, len),
				 0);
		send_to(&fx, c.inv, false);
	}
	free(sdp);
	r = wait_answer(&fx, c.cid, 200);
	assert_int_equal(r->status_code, 415);
	assert_true(raw_hdr(&fx, r, "Accept", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "application/sdp"));
	call_done(&c);

	/* R2C whose A party is no telephone number (RFC 2848 §4.2) */
	call_init(&fx, &c);
	sdp = fixture(&fx, "r2c.sdp", &len);
	invite_ex(&fx, &c, "R2C", "sip:agent@company.example", NULL, sdp, len,
		  NULL);
	r = wait_answer(&fx, c.cid, 200);
	assert_int_equal(r->status_code, 606);
	assert_int_equal(warning_code(r), 399);
	call_done(&c);
	fx_done(&fx);
}

/* multipart/related over TCP: SDP first, spr: naming a part. */
static void test_multipart_tcp(void **state)
{
	static const char text[] = "Please find our price list below.\r\n";
	struct pint_sip_part parts[2];
	struct pint_mbuf mb;
	struct fx fx;
	struct call c;
	osip_message_t *r;
	size_t len;
	char *sdp;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	sdp = fixture(&fx, "fax_spr.sdp", &len);
	memset(parts, 0, sizeof(parts));
	parts[0].type = pint_pl_str("application/sdp");
	parts[0].data = (struct pint_pl){sdp, len};
	parts[1].type = pint_pl_str("text/plain");
	parts[1].id = pint_pl_str("fax-text-1@gw.example.com");
	parts[1].data = pint_pl_str(text);
	pint_mbuf_init(&mb, 0);
	call_init(&fx, &c);
	c.tcp = true;
	assert_int_equal(pint_sip_multipart_encode(&mb, "b-sim-1", parts, 2), 0);
	len = mb.len;
	invite_ex(&fx, &c, "R2F", NULL,
		  "multipart/related;type=\"application/sdp\";boundary=\"b-sim-1\"",
		  pint_mbuf_steal(&mb), len, NULL);
	r = wait_answer(&fx, c.cid, 180);
	assert_int_equal(r->status_code, 180);
	assert_int_equal(fx.in[wait_from(&fx, 0, 180, "INVITE", c.cid)].from.proto,
			 GW_TP_TCP);
	call_done(&c);

	/* spr: naming no part */
	call_init(&fx, &c);
	c.tcp = true;
	parts[1].id = pint_pl_str("other@gw.example.com");
	assert_int_equal(pint_sip_multipart_encode(&mb, "b-sim-2", parts, 2), 0);
	len = mb.len;
	invite_ex(&fx, &c, "R2F", NULL,
		  "multipart/related;type=\"application/sdp\";boundary=\"b-sim-2\"",
		  pint_mbuf_steal(&mb), len, NULL);
	r = wait_answer(&fx, c.cid, 200);
	assert_int_equal(r->status_code, 400);
	assert_int_equal(warning_code(r), 399);
	call_done(&c);
	free(sdp);
	fx_done(&fx);
}

/* ---- tests: outcomes ---- */

static void test_answer_flow(void **state)
{
	struct gw_sim_stats st;
	struct pint_sdp sdp, sent;
	struct fx fx;
	struct call c;
	osip_message_t *r, *ok;
	struct pint_pl tag;
	char buf[128];

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	call_init(&fx, &c);
	ok = answered(&fx, &c, "0000");
	r = wait_msg(&fx, 100, "INVITE", c.cid);
	assert_int_not_equal(pint_sip_to_tag(r, &tag), 0);
	r = wait_msg(&fx, 180, "INVITE", c.cid);
	assert_int_equal(pint_sip_to_tag(r, &tag), 0);
	assert_true(raw_hdr(&fx, r, "Contact", buf, sizeof(buf)));
	sdp_of(r, &sdp);
	assert_true(pint_pl_eq(&sdp.info, "ringing"));
	sdp_of(ok, &sdp);
	assert_true(pint_pl_eq(&sdp.info, "answered"));
	assert_int_equal(sdp.start, 0);
	/* the session description is ours, updated: same o= line */
	assert_int_equal(pint_sdp_decode(&sent, c.body, c.body_len), 0);
	assert_true(pint_sdp_origin_eq(&sdp.origin, &sent.origin));

	/* the service runs its course and the simulator ends it */
	r = wait_msg(&fx, 0, "BYE", c.cid);
	assert_int_equal(pint_sip_from_tag(r, &tag), 0);
	assert_true(pint_pl_eq(&tag, c.dlg->remote_tag));
	assert_int_equal(pint_sip_to_tag(r, &tag), 0);
	assert_true(pint_pl_eq(&tag, c.tag));
	run_ms(&fx, 20);
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.answered, 1);
	assert_int_equal(st.completed, 1);
	assert_int_equal(st.byes, 1);
	assert_int_equal(st.sessions_live, 0);
	/* the 200 was not resent: the ACK matched it */
	assert_int_equal(count(&fx, 200, "INVITE", c.cid), 1);
	assert_true(fx.traced_in >= 2 && fx.traced_out >= 4);
	assert_true(fx.traced_cid == fx.traced_in + fx.traced_out);
	call_done(&c);
	fx_done(&fx);
}

static void test_failures(void **state)
{
	static const struct {
		const char *last4;
		int code;
		bool rings;
	} t[] = {
		{ "0486", 486, false },
		{ "0603", 603, false },
		{ "0404", 404, false },
		{ "0408", 408, true },
		{ "0480", 480, true },
		{ "0503", 503, false },
		{ "0302", 302, false },
	};
	struct fx fx;
	size_t i;
	char buf[128];

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct call c;
		osip_message_t *r;

		call_init(&fx, &c);
		invite_r2c(&fx, &c, t[i].last4);
		r = wait_answer(&fx, c.cid, 200);
		if (r->status_code != t[i].code)
			fail_msg("%s: %d, want %d", t[i].last4, r->status_code,
				 t[i].code);
		assert_int_equal(count(&fx, 180, "INVITE", c.cid), t[i].rings);
		if (t[i].code == 503) {
			assert_true(raw_hdr(&fx, r, "Retry-After", buf, sizeof(buf)));
			assert_string_equal(buf, "30");
		}
		if (t[i].code == 302) {
			assert_true(raw_hdr(&fx, r, "Contact", buf, sizeof(buf)));
			assert_non_null(strstr(buf, "sip:R2C-alt@127.0.0.1"));
		}
		call_done(&c);
	}
	fx_done(&fx);
}

/* 0302: the redirected INVITE (same Call-ID, CSeq + 1) is answered. */
static void test_redirect(void **state)
{
	struct fx fx;
	struct call c;
	osip_message_t *r;
	size_t len;
	char *sdp;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	call_init(&fx, &c);
	invite_r2c(&fx, &c, "0302");
	r = wait_answer(&fx, c.cid, 200);
	assert_int_equal(r->status_code, 302);
	c.cseq++;
	sdp = malloc(c.body_len);
	assert_non_null(sdp);
	memcpy(sdp, c.body, c.body_len);
	len = c.body_len;
	invite_ex(&fx, &c, "R2C-alt", A_PARTY, NULL, sdp, len, NULL);
	(void)wait_msg(&fx, 180, "INVITE", c.cid);
	call_done(&c);
	fx_done(&fx);
}

static void test_black_hole(void **state)
{
	struct gw_sim_stats st;
	struct fx fx;
	struct call c;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	call_init(&fx, &c);
	invite_r2c(&fx, &c, "0999");
	send_to(&fx, c.inv, false);     /* a retransmission: absorbed too */
	run_ms(&fx, 150);
	assert_int_equal(fx.n, 0);      /* not even 100 Trying */
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.absorbed, 2);
	assert_int_equal(st.sessions, 0);
	assert_int_equal(fx.traced_absorbed, 2);
	call_done(&c);
	fx_done(&fx);
}

/* BYE from the requestor: 200 + final SDP + Expires; 0606: 606. */
static void test_bye(void **state)
{
	struct gw_sim_stats st;
	struct pint_sdp sdp;
	struct fx fx;
	struct call c;
	osip_message_t *r;
	char buf[64];

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	call_init(&fx, &c);
	(void)answered(&fx, &c, "0000");
	send_bye(&fx, &c);
	r = wait_msg(&fx, 200, "BYE", c.cid);
	assert_true(raw_hdr(&fx, r, "Expires", buf, sizeof(buf)));
	assert_string_equal(buf, "300");
	sdp_of(r, &sdp);
	assert_true(pint_pl_eq(&sdp.info, "aborted by requestor"));
	assert_true(sdp.stop > 0 && sdp.start > 0 && sdp.start <= sdp.stop);
	call_done(&c);

	call_init(&fx, &c);
	(void)answered(&fx, &c, "0606");
	send_bye(&fx, &c);
	r = wait_msg(&fx, 606, "BYE", c.cid);
	assert_int_equal(warning_code(r), 399);
	assert_true(raw_hdr(&fx, r, "Warning", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "Fax in progress, service cannot be aborted"));
	sdp_of(r, &sdp);
	assert_true(pint_pl_isset(&sdp.info));
	/* the service goes on to its end: the simulator's own BYE */
	(void)wait_msg(&fx, 0, "BYE", c.cid);
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.aborted, 1);
	assert_int_equal(st.no_abort, 1);
	assert_int_equal(st.completed, 1);
	call_done(&c);
	fx_done(&fx);
}

static void test_cancel(void **state)
{
	struct gw_sim_stats st;
	osip_message_t *m = NULL;
	struct fx fx;
	struct call c;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	call_init(&fx, &c);
	invite_r2c(&fx, &c, "0180");
	(void)wait_msg(&fx, 180, "INVITE", c.cid);
	assert_int_equal(pint_req_cancel(&m, c.inv), 0);
	send_to(&fx, m, false);
	osip_message_free(m);
	(void)wait_msg(&fx, 200, "CANCEL", c.cid);
	(void)wait_msg(&fx, 487, "INVITE", c.cid);
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.canceled, 1);
	call_done(&c);
	fx_done(&fx);
}

/* ---- tests: subscriptions ---- */

static void test_pint_subscribe(void **state)
{
	struct pint_req_tx tx = { NULL, NULL, NULL };
	struct gw_sim_stats st;
	struct pint_sdp sdp;
	struct pint_dialog *sd = NULL;
	osip_message_t *r, *m = NULL;
	struct fx fx;
	struct call c, s;
	char buf[64], br[64], *body;
	bool connected = false, pages = false, stopped = false;
	size_t i, len;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	call_init(&fx, &c);
	body = fixture(&fx, "fax_uri.sdp", &len);
	invite_ex(&fx, &c, "R2F", NULL, NULL, body, len, NULL);
	(void)wait_msg(&fx, 100, "INVITE", c.cid);
	call_init(&fx, &s);
	subscribe_pint(&fx, &s, &c, 600, NULL);
	r = wait_msg(&fx, 200, "SUBSCRIBE", s.cid);
	assert_true(raw_hdr(&fx, r, "Expires", buf, sizeof(buf)));
	assert_string_equal(buf, "600");
	assert_false(raw_hdr(&fx, r, "Event", buf, sizeof(buf)));
	sdp_of(r, &sdp);
	assert_int_equal(sdp.start, 0);
	assert_int_equal(pint_dialog_uac_alloc(&sd, s.inv, r), 0);

	r = wait_answer(&fx, c.cid, 200);
	send_ack(&fx, &c, r);
	(void)wait_msg(&fx, 0, "BYE", c.cid);
	for (i = 0; i < fx.n; i++) {
		const osip_message_t *n = fx.in[i].m;

		if (!MSG_IS_REQUEST(n) || strcmp(n->sip_method, "NOTIFY"))
			continue;
		assert_true(cid_is(n, s.cid));
		sdp_of(n, &sdp);
		if (pint_pl_eq(&sdp.info, "connected")) {
			connected = true;
			assert_true(sdp.start > 0);
			assert_int_equal(sdp.stop, 0);
		}
		if (pint_pl_eq(&sdp.info, "3 of 5 pages sent"))
			pages = true;
		if (pint_pl_eq(&sdp.info, "5 of 5 pages sent")) {
			stopped = true;
			assert_true(sdp.stop >= sdp.start && sdp.start > 0);
		}
	}
	assert_true(connected && pages && stopped);

	/* our UNSUBSCRIBE ends it: 200 with how long the session is kept */
	branch(&fx, br, sizeof(br));
	tx.branch = br;
	assert_int_equal(pint_dialog_unsubscribe(&m, sd, &fx.loc[0], &tx,
						 c.body, c.body_len), 0);
	send_to(&fx, m, false);
	osip_message_free(m);
	r = wait_msg(&fx, 200, "UNSUBSCRIBE", s.cid);
	assert_true(raw_hdr(&fx, r, "Expires", buf, sizeof(buf)));
	assert_string_equal(buf, "300");
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.subscribes, 1);
	assert_int_equal(st.subs_live, 0);
	assert_true(st.notifies >= 7);
	pint_dialog_free(sd);
	call_done(&s);
	call_done(&c);
	fx_done(&fx);
}

static void test_subscribe_refusals(void **state)
{
	struct fx fx;
	struct call c, s;
	osip_message_t *r;
	size_t len;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	/* no such session: 606 + Warning 307 */
	call_init(&fx, &c);
	c.body = fixture(&fx, "r2c.sdp", &len);
	c.body_len = len;
	call_init(&fx, &s);
	subscribe_pint(&fx, &s, &c, 600, NULL);
	r = wait_msg(&fx, 606, "SUBSCRIBE", s.cid);
	assert_int_equal(warning_code(r), 307);
	call_done(&s);
	/* an Event header: this is a PINT notifier */
	call_init(&fx, &s);
	subscribe_pint(&fx, &s, &c, 600, "dialog");
	(void)wait_msg(&fx, 489, "SUBSCRIBE", s.cid);
	call_done(&s);
	call_done(&c);
	fx_done(&fx);
}

/* Expires: 0 is a poll; a subscription that runs out gets UNSUBSCRIBE. */
static void test_subscribe_expiry(void **state)
{
	struct gw_sim_stats st;
	struct fx fx;
	struct call c, s;
	osip_message_t *r;
	char buf[64];

	(void)state;
	fx_init(&fx);
	fx.conf.retention = 77;
	fx_start(&fx);
	call_init(&fx, &c);
	invite_r2c(&fx, &c, "0180");
	(void)wait_msg(&fx, 180, "INVITE", c.cid);
	call_init(&fx, &s);
	subscribe_pint(&fx, &s, &c, 0, NULL);
	r = wait_msg(&fx, 200, "SUBSCRIBE", s.cid);
	assert_true(raw_hdr(&fx, r, "Expires", buf, sizeof(buf)));
	assert_string_equal(buf, "0");
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.subs_live, 0);
	call_done(&s);

	call_init(&fx, &s);
	subscribe_pint(&fx, &s, &c, 1, NULL);
	(void)wait_msg(&fx, 200, "SUBSCRIBE", s.cid);
	r = wait_msg(&fx, 0, "UNSUBSCRIBE", s.cid);
	assert_true(raw_hdr(&fx, r, "Expires", buf, sizeof(buf)));
	assert_string_equal(buf, "77");
	run_ms(&fx, 20);
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.unsubscribes, 1);
	assert_int_equal(st.subs_live, 0);
	call_done(&s);
	call_done(&c);
	fx_done(&fx);
}

/* The dinfo of one NOTIFY, and its Subscription-State. */
static struct pint_dinfo *notify_dinfo(struct fx *fx, const osip_message_t *n,
				       char *state, size_t size)
{
	struct pint_dinfo *di = NULL;
	struct pint_pl body;

	assert_true(raw_hdr(fx, n, "Subscription-State", state, size));
	assert_int_equal(pint_sip_body(n, &body), 0);
	assert_int_equal(pint_dinfo_parse(&di, body.p, body.l), 0);
	return di;
}

static void test_dialog_mode(void **state)
{
	struct pint_req_subscribe_dialog sub;
	struct pint_req_tx tx = { NULL, NULL, NULL };
	enum pint_dinfo_state seen[8] = { PINT_DINFO_STATE_NONE };
	osip_message_t *r, *m = NULL;
	struct pint_dinfo *di;
	struct fx fx;
	struct call c, s;
	char br[64], ss[64], target[64];
	size_t i, k = 0;
	uint32_t version = 0;

	(void)state;
	fx_init(&fx);
	fx.conf.mode = GW_SIM_MODE_DIALOG;
	fx_start(&fx);
	call_init(&fx, &c);
	invite_r2c(&fx, &c, "0000");
	(void)wait_msg(&fx, 100, "INVITE", c.cid);

	/* Event-less: not a PINT notifier */
	call_init(&fx, &s);
	subscribe_pint(&fx, &s, &c, 600, NULL);
	r = wait_msg(&fx, 489, "SUBSCRIBE", s.cid);
	assert_true(raw_hdr(&fx, r, "Allow-Events", ss, sizeof(ss)));
	assert_string_equal(ss, "dialog");
	call_done(&s);

	call_init(&fx, &s);
	snprintf(target, sizeof(target), "sip:R2C@%s", fx.domain);
	memset(&sub, 0, sizeof(sub));
	sub.target = target;
	sub.expires = 600;
	sub.event.call_id = c.cid;
	sub.event.from_tag = c.tag;
	branch(&fx, br, sizeof(br));
	tx.branch = br;
	{
		struct pint_req_ids ids = { s.cid, s.tag, 1 };

		assert_int_equal(pint_req_subscribe_dialog(&m, &fx.loc[0], &ids,
							   &tx, &sub), 0);
	}
	send_to(&fx, m, false);
	osip_message_free(m);
	(void)wait_msg(&fx, 200, "SUBSCRIBE", s.cid);
	r = wait_answer(&fx, c.cid, 200);
	send_ack(&fx, &c, r);
	(void)wait_msg(&fx, 0, "BYE", c.cid);
	run_ms(&fx, 30);
	for (i = 0; i < fx.n && k < 8; i++) {
		const osip_message_t *n = fx.in[i].m;

		if (!MSG_IS_REQUEST(n) || strcmp(n->sip_method, "NOTIFY"))
			continue;
		di = notify_dinfo(&fx, n, ss, sizeof(ss));
		if (k)
			assert_true(di->version > version);
		version = di->version;
		assert_int_equal(di->ndialogs, 1);
		assert_string_equal(di->dialogs[0].call_id, c.cid);
		assert_string_equal(di->dialogs[0].remote_tag, c.tag);
		seen[k++] = di->dialogs[0].state;
		if (di->dialogs[0].state == PINT_DINFO_TERMINATED) {
			assert_int_equal(di->dialogs[0].event,
					 PINT_DINFO_EV_LOCAL_BYE);
			assert_string_equal(ss, "terminated;reason=noresource");
		} else {
			assert_non_null(strstr(ss, "active;expires="));
		}
		pint_dinfo_free(di);
	}
	/* the first NOTIFY has the state of the moment (the 180 may have
	 * gone out already); then every change, in order, to the end */
	assert_true(k >= 3);
	assert_true(seen[0] == PINT_DINFO_TRYING || seen[0] == PINT_DINFO_EARLY);
	for (i = 1; i < k; i++)
		assert_true(seen[i] > seen[i - 1]);
	assert_int_equal(seen[k - 2], PINT_DINFO_CONFIRMED);
	assert_int_equal(seen[k - 1], PINT_DINFO_TERMINATED);
	call_done(&s);

	/* UNSUBSCRIBE is no RFC 6665 method */
	call_init(&fx, &s);
	{
		struct pint_req_base b = {
			.method = "UNSUBSCRIBE", .ruri = target,
			.from_uri = "sip:uac@127.0.0.1", .from_tag = s.tag,
			.to_uri = target, .to_tag = "x", .call_id = s.cid,
			.cseq = 2,
		};

		branch(&fx, br, sizeof(br));
		assert_int_equal(pint_req_build(&m, &fx.loc[0], &tx, &b), 0);
	}
	send_to(&fx, m, false);
	osip_message_free(m);
	(void)wait_msg(&fx, 501, "UNSUBSCRIBE", s.cid);
	call_done(&s);
	call_done(&c);
	fx_done(&fx);
}

/* ---- tests: digest, OPTIONS ---- */

static void test_auth(void **state)
{
	struct pint_digest_chal ch;
	struct pint_digest_cred cr;
	struct gw_sim_stats st;
	struct pint_mbuf mb;
	struct fx fx;
	struct call c;
	osip_message_t *r;
	char chal[512], uri[64], *sdp;
	size_t len;

	(void)state;
	fx_init(&fx);
	fx.conf.auth_user = "alice";
	fx.conf.auth_password = "s3cret";
	fx_start(&fx);
	call_init(&fx, &c);
	invite_r2c(&fx, &c, "0000");
	r = wait_answer(&fx, c.cid, 200);
	assert_int_equal(r->status_code, 401);
	assert_true(raw_hdr(&fx, r, "WWW-Authenticate", chal, sizeof(chal)));
	assert_int_equal(pint_digest_parse(&ch, chal, strlen(chal)), 0);
	assert_string_equal(ch.realm, "pintsim");
	assert_int_equal(ch.qops & PINT_DIGEST_QOP_AUTH, PINT_DIGEST_QOP_AUTH);
	assert_int_equal(strlen(ch.nonce), 32);

	/* the right password, same Call-ID, CSeq + 1 */
	snprintf(uri, sizeof(uri), "sip:R2C@%s", fx.domain);
	memset(&cr, 0, sizeof(cr));
	cr.method = "INVITE";
	cr.uri = uri;
	cr.username = "alice";
	cr.password = "s3cret";
	cr.cnonce = "0a4f113b";
	cr.nc = 1;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), 0);
	c.cseq++;
	sdp = malloc(c.body_len);
	assert_non_null(sdp);
	memcpy(sdp, c.body, c.body_len);
	len = c.body_len;
	invite_ex(&fx, &c, "R2C", A_PARTY, NULL, sdp, len, mb.buf);
	(void)wait_msg(&fx, 180, "INVITE", c.cid);
	pint_mbuf_reset(&mb);
	call_done(&c);

	/* a wrong one: challenged again, and counted */
	call_init(&fx, &c);
	invite_r2c(&fx, &c, "0001");
	(void)wait_answer(&fx, c.cid, 200);
	cr.password = "wrong";
	assert_int_equal(pint_digest_authorize(&mb, &ch, &cr), 0);
	c.cseq++;
	sdp = malloc(c.body_len);
	assert_non_null(sdp);
	memcpy(sdp, c.body, c.body_len);
	invite_ex(&fx, &c, "R2C", A_PARTY, NULL, sdp, c.body_len, mb.buf);
	(void)wait_from(&fx, wait_from(&fx, 0, 401, "INVITE", c.cid) + 1, 401,
			"INVITE", c.cid);
	pint_mbuf_reset(&mb);
	gw_sim_stats(fx.sim, &st);
	assert_int_equal(st.challenges, 3);
	assert_int_equal(st.auth_failures, 1);
	assert_int_equal(st.sessions, 1);
	call_done(&c);
	fx_done(&fx);
}

static void test_options(void **state)
{
	struct pint_req_tx tx = { PINT_REQ_BRANCH_COOKIE "-opt", NULL, NULL };
	struct pint_req_ids ids = { "opt-1", "t1", 1 };
	osip_message_t *m = NULL, *r;
	struct fx fx;
	char buf[128], target[64];

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	snprintf(target, sizeof(target), "sip:%s", fx.domain);
	assert_int_equal(pint_req_options(&m, &fx.loc[0], &ids, &tx, target), 0);
	send_to(&fx, m, false);
	osip_message_free(m);
	r = wait_msg(&fx, 200, "OPTIONS", "opt-1");
	assert_true(raw_hdr(&fx, r, "Allow", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "UNSUBSCRIBE"));
	fx_done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_outcome_table),
		leakcheck_test(test_dinfo_roundtrip),
		leakcheck_test(test_conf_errors),
		leakcheck_test(test_invite_checks),
		leakcheck_test(test_invite_headers),
		leakcheck_test(test_multipart_tcp),
		leakcheck_test(test_answer_flow),
		leakcheck_test(test_failures),
		leakcheck_test(test_redirect),
		leakcheck_test(test_black_hole),
		leakcheck_test(test_bye),
		leakcheck_test(test_cancel),
		leakcheck_test(test_pint_subscribe),
		leakcheck_test(test_subscribe_refusals),
		leakcheck_test(test_subscribe_expiry),
		leakcheck_test(test_dialog_mode),
		leakcheck_test(test_auth),
		leakcheck_test(test_options),
	};

	log_set_level(LOG_LEVEL_ERR);
	if (pint_sip_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("gateway/sim", tests, NULL, NULL);
}
