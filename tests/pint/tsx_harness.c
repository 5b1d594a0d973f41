/*
 * tests/pint/tsx_harness.c — fake clock, capturing transport and
 * recording TU for the pint/tsx tests.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_port.h>

#include "tests/pint/test_common.h"
#include "tests/pint/tsx_harness.h"

struct th H;

const struct pint_tsx_peer TH_GW_UDP = { PINT_TSX_UDP, "192.0.2.20", 5060 };
const struct pint_tsx_peer TH_GW_TCP = { PINT_TSX_TCP, "192.0.2.20", 5060 };
const struct pint_tsx_peer TH_SRC_UDP = { PINT_TSX_UDP, "192.0.2.30", 5070 };
const struct pint_tsx_peer TH_SRC_TCP = { PINT_TSX_TCP, "192.0.2.30", 5070 };

static char *tmpl_request, *tmpl_response;

static void no_trace(const char *fi, int li, osip_trace_level_t level,
		     const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

void th_global_init(void)
{
	parser_init();
	/* osip prints parse errors on stdout; the bad-input tests cause some */
	osip_trace_initialize_func(END_TRACE_LEVEL, no_trace);
	tmpl_request = test_read_file("tsx/request.sip", NULL);
	tmpl_response = test_read_file("tsx/response.sip", NULL);
}

void *__real_malloc(size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);

/*
 * on: osip allocates from libc directly, neither counted nor failed, so
 * alloc_fail_at() hits only pint/ code (libosip2 5.3 leaks inside
 * osip_message_parse and crashes inside osip_*_to_str when its own
 * allocations fail). Switch only while no osip object is alive.
 */
void th_osip_unfailing(bool on)
{
	if (on)
		osip_set_allocators(__real_malloc, __real_realloc, __real_free);
	else
		osip_set_allocators(__wrap_malloc, __wrap_realloc, __wrap_free);
}

void th_global_fini(void)
{
	free(tmpl_request);
	free(tmpl_response);
}

static int send_h(const char *buf, size_t len, const struct pint_tsx_peer *peer,
		  void *arg)
{
	struct th_sent *s;

	assert_ptr_equal(arg, &H);
	if (H.send_err)
		return H.send_err;
	H.nsent_total++;
	if (H.nsent < TH_MAX_SENT) {
		s = &H.sent[H.nsent++];
		assert_true(len < TH_BUF);
		memcpy(s->buf, buf, len);
		s->buf[len] = '\0';
		s->len = len;
		s->at = H.now;
		s->transport = peer->transport;
		snprintf(s->addr, sizeof(s->addr), "%s", peer->addr);
		s->port = peer->port;
	}
	if (H.on_send)
		H.on_send(buf, len);
	return 0;
}

static struct th_ev *record(char kind, struct pint_tsx *tsx)
{
	static struct th_ev scratch;
	struct th_ev *e = &scratch;

	if (H.quiet)
		return e;
	assert_true(H.nev < TH_MAX_EV);
	e = &H.ev[H.nev++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->at = H.now;
	if (tsx) {
		e->id = pint_tsx_id(tsx);
		e->ctx = pint_tsx_ctx(tsx);
	}
	return e;
}

static void resp_h(struct pint_tsx *tsx, osip_message_t *resp, void *arg)
{
	assert_ptr_equal(arg, &H);
	record('r', tsx)->code = resp->status_code;
	if (H.on_resp)
		H.on_resp(tsx, resp);
}

static void fail_h(struct pint_tsx *tsx, int err, void *arg)
{
	assert_ptr_equal(arg, &H);
	assert_int_equal(pint_tsx_state(tsx), PINT_TSX_TERMINATED);
	record('f', tsx)->err = err;
	if (H.on_fail)
		H.on_fail(tsx, err);
}

static void req_h(struct pint_tsx *tsx, osip_message_t *req,
		  const struct pint_tsx_peer *src, void *arg)
{
	struct th_ev *e = record('q', tsx);

	assert_ptr_equal(arg, &H);
	assert_non_null(src);
	snprintf(e->method, sizeof(e->method), "%s", req->sip_method);
	if (H.on_req)
		H.on_req(tsx, req);
}

static void cancel_h(struct pint_tsx *ist, osip_message_t *cancel, void *arg)
{
	struct th_ev *e = record('c', ist);

	assert_ptr_equal(arg, &H);
	snprintf(e->method, sizeof(e->method), "%s", cancel->sip_method);
	if (H.on_cancel)
		H.on_cancel(ist, cancel);
}

static void stray_h(osip_message_t *msg, const struct pint_tsx_peer *src,
		    void *arg)
{
	struct th_ev *e = record('s', NULL);

	assert_ptr_equal(arg, &H);
	assert_non_null(src);
	e->code = msg->status_code;
	if (MSG_IS_REQUEST(msg))
		snprintf(e->method, sizeof(e->method), "%s", msg->sip_method);
}

/* A fresh layer with the recording handlers; cfg NULL = RFC defaults. */
void th_init_cfg(const struct pint_tsx_config *cfg)
{
	struct pint_tsx_handlers h = {
		.send = send_h, .resp = resp_h, .fail = fail_h, .req = req_h,
		.cancel = cancel_h, .stray = stray_h, .arg = &H,
	};
	struct pint_tsx_config dflt = { .t1_ms = 0 };

	memcpy(dflt.hash_key, "0123456789abcdef", 16);
	memset(&H, 0, sizeof(H));
	assert_int_equal(pint_tsx_layer_alloc(&H.l, cfg ? cfg : &dflt, &h), 0);
}

void th_init(void)
{
	th_init_cfg(NULL);
}

void th_fini(void)
{
	pint_tsx_layer_free(H.l);
	H.l = NULL;
}

/* Fire every deadline up to t at its exact time, like the event loop. */
void th_run_until(uint64_t t)
{
	uint64_t d;

	while ((d = pint_tsx_next_deadline(H.l)) <= t) {
		assert_true(d >= H.now);
		H.now = d;
		pint_tsx_tick(H.l, d);
	}
	H.now = t;
}

static const char *value(const struct th_msg *m, const char *tok, size_t len,
			 char *num, size_t numsize)
{
#define TOK(name, field, dflt) \
	if (len == sizeof(name) - 1 && !memcmp(tok, name, len)) \
		return m->field ? m->field : dflt
	TOK("METHOD", method, "INVITE");
	TOK("BRANCH", branch, "z9hG4bK1");
	TOK("SENTBY", sentby, "192.0.2.10:5060");
	TOK("TRANSPORT", transport, "UDP");
	TOK("CALLID", callid, "c1@192.0.2.10");
	TOK("CSEQ", cseq, "1");
	TOK("TOTAG", totag, "");
	TOK("REASON", reason, "OK");
#undef TOK
	if (len == 4 && !memcmp(tok, "CODE", 4)) {
		snprintf(num, numsize, "%d", m->code ? m->code : 200);
		return num;
	}
	fail_msg("unknown template token %.*s", (int)len, tok);
	return "";
}

/* A message from the request or response template. */
size_t th_fill(char *out, size_t size, bool request, const struct th_msg *m)
{
	const char *p = request ? tmpl_request : tmpl_response;
	size_t n = 0;

	while (*p) {
		const char *end = NULL, *v;
		char num[16];
		size_t k = 1, vl;

		/* @TOKEN@: upper case only, so user@host stays as it is */
		while (p[k] >= 'A' && p[k] <= 'Z')
			k++;
		if (p[0] == '@' && k > 1 && p[k] == '@')
			end = p + k;
		if (!end) {
			assert_true(n + 1 < size);
			out[n++] = *p++;
			continue;
		}
		v = value(m, p + 1, k - 1, num, sizeof(num));
		vl = strlen(v);
		assert_true(n + vl < size);
		memcpy(out + n, v, vl);
		n += vl;
		p = end + 1;
	}
	out[n] = '\0';
	return n;
}

osip_message_t *th_parse(const char *buf, size_t len)
{
	osip_message_t *m = NULL;

	assert_int_equal(osip_message_init(&m), 0);
	assert_int_equal(osip_message_parse(m, buf, len), 0);
	return m;
}

/* The i-th captured message, parsed (osip_message_free it). */
osip_message_t *th_sent_msg(size_t i)
{
	assert_true(i < H.nsent);
	return th_parse(H.sent[i].buf, H.sent[i].len);
}

int th_start_err(const struct th_msg *m, const struct pint_tsx_peer *peer)
{
	char buf[TH_BUF];
	size_t len = th_fill(buf, sizeof(buf), true, m);
	uint64_t id = 0;

	return pint_tsx_start_buf(&id, H.l, buf, len, peer, NULL, H.now);
}

/* Start a client transaction; its id. */
uint64_t th_start(const struct th_msg *m, const struct pint_tsx_peer *peer,
		  void *ctx)
{
	char buf[TH_BUF];
	size_t len = th_fill(buf, sizeof(buf), true, m);
	uint64_t id = 0;

	assert_int_equal(pint_tsx_start_buf(&id, H.l, buf, len, peer, ctx,
					    H.now), 0);
	assert_true(id != 0);
	return id;
}

/* Feed a request or response from the templates, as bytes from src. */
int th_recv(bool request, const struct th_msg *m,
	    const struct pint_tsx_peer *src)
{
	char buf[TH_BUF];
	size_t len = th_fill(buf, sizeof(buf), request, m);

	return pint_tsx_recv(H.l, buf, len, src, H.now);
}

int th_respond(struct pint_tsx *tsx, const struct th_msg *m)
{
	char buf[TH_BUF];
	size_t len = th_fill(buf, sizeof(buf), false, m);

	return pint_tsx_respond_buf(tsx, buf, len, H.now);
}

int th_respond_id(uint64_t id, const struct th_msg *m)
{
	struct pint_tsx *tsx = pint_tsx_find(H.l, id);

	assert_non_null(tsx);
	return th_respond(tsx, m);
}

/* The tag of a From/To header, or NULL. */
const char *th_tag(osip_from_t *h)
{
	osip_generic_param_t *p = NULL;

	if (osip_uri_param_get_byname(&h->gen_params, (char *)"tag", &p) || !p)
		return NULL;
	return p->gvalue;
}

/* The top Via's branch, or NULL. */
const char *th_branch(osip_message_t *m)
{
	osip_via_t *via = NULL;
	osip_generic_param_t *p = NULL;

	if (osip_message_get_via(m, 0, &via) < 0 ||
	    osip_uri_param_get_byname(&via->via_params, (char *)"branch", &p) ||
	    !p)
		return NULL;
	return p->gvalue;
}

/*
 * Captured sends first.. are exactly n copies of one message, sent at
 * the times at[] and nothing was sent after them.
 */
void th_assert_sent_at(size_t first, const uint64_t *at, size_t n)
{
	size_t i;

	assert_int_equal(H.nsent, first + n);
	for (i = 0; i < n; i++) {
		const struct th_sent *s = &H.sent[first + i];

		if (s->at != at[i])
			fail_msg("copy %zu sent at %llu, want %llu", i,
				 (unsigned long long)s->at,
				 (unsigned long long)at[i]);
		assert_int_equal(s->len, H.sent[first].len);
		assert_memory_equal(s->buf, H.sent[first].buf, s->len);
	}
}

size_t th_count(char kind)
{
	size_t i, n = 0;

	for (i = 0; i < H.nev; i++)
		n += H.ev[i].kind == kind;
	return n;
}

const struct th_ev *th_last(char kind)
{
	size_t i = H.nev;

	while (i--) {
		if (H.ev[i].kind == kind)
			return &H.ev[i];
	}
	fail_msg("no event '%c'", kind);
	return NULL;
}

/* Forget captured sends and events (the clock keeps going). */
void th_clear(void)
{
	H.nsent = 0;
	H.nev = 0;
}
