/*
 * tests/pint/oom_tsx.c — allocation-failure scenarios for pint/tsx.
 *
 * Each scenario runs whole exchanges through one layer and returns the
 * first error (ENOMEM when an allocation failed; the message or call is
 * then dropped, as the peer would retransmit). osip is pointed at the
 * uncounted libc allocator while a scenario runs: libosip2 5.3 leaks
 * inside osip_message_parse and crashes inside osip_*_to_str when its own
 * allocations fail (measured), so failing those would test osip, not us.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "tests/pint/oom.h"
#include "pint/tsx.h"


void *__real_malloc(size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);

#define REQ(method, branch, sentby, totag, cseq) \
	method " sip:R2C@gw.example.net SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP " sentby ";branch=" branch "\r\n" \
	"Max-Forwards: 70\r\n" \
	"Route: <sip:proxy.example.net;lr>\r\n" \
	"From: <sip:pintgw@example.com>;tag=f1\r\n" \
	"To: <sip:+15555550100@gw.example.net>" totag "\r\n" \
	"Call-ID: oom@192.0.2.10\r\n" \
	"CSeq: " cseq "\r\n" \
	"Content-Length: 0\r\n\r\n"
#define RESP(status, branch, sentby, totag, cseq) \
	"SIP/2.0 " status "\r\n" \
	"Via: SIP/2.0/UDP " sentby ";branch=" branch "\r\n" \
	"From: <sip:pintgw@example.com>;tag=f1\r\n" \
	"To: <sip:+15555550100@gw.example.net>" totag "\r\n" \
	"Call-ID: oom@192.0.2.10\r\n" \
	"CSeq: " cseq "\r\n" \
	"Content-Length: 0\r\n\r\n"

#define GW "192.0.2.10:5060"
#define PEER "192.0.2.30:5070"

static const struct pint_tsx_peer to_gw = { PINT_TSX_UDP, "192.0.2.20", 5060 };
static const struct pint_tsx_peer from_peer = { PINT_TSX_UDP, "192.0.2.30", 5070 };

struct run {
	struct pint_tsx_layer *l;
	uint64_t now;
	uint64_t last_req;      /* id of the last new server transaction */
	int err;                /* first error seen inside a callback */
};

static int discard(const char *buf, size_t len, const struct pint_tsx_peer *peer,
		   void *arg)
{
	(void)buf;
	(void)len;
	(void)peer;
	(void)arg;
	return 0;
}

static void on_req(struct pint_tsx *tsx, osip_message_t *req,
		   const struct pint_tsx_peer *src, void *arg)
{
	struct run *r = arg;

	(void)req;
	(void)src;
	r->last_req = pint_tsx_id(tsx);
}

static void on_cancel(struct pint_tsx *ist, osip_message_t *cancel, void *arg)
{
	static const char resp[] = RESP("487 Request Terminated", "z9hG4bKi1",
					PEER, ";tag=u1", "1 INVITE");
	struct run *r = arg;
	int err;

	(void)cancel;
	err = pint_tsx_respond_buf(ist, resp, sizeof(resp) - 1, r->now);
	if (err && !r->err)
		r->err = err;
}

static int begin(struct run *r)
{
	const struct pint_tsx_handlers h = {
		.send = discard, .req = on_req, .cancel = on_cancel, .arg = r,
	};

	memset(r, 0, sizeof(*r));
	return pint_tsx_layer_alloc(&r->l, NULL, &h);
}

static int feed(struct run *r, const char *msg, const struct pint_tsx_peer *src)
{
	int err = pint_tsx_recv(r->l, msg, strlen(msg), src, r->now);

	if (!err)
		err = r->err;
	return err;
}

static int respond(struct run *r, uint64_t id, const char *msg)
{
	struct pint_tsx *tsx = pint_tsx_find(r->l, id);

	/* gone means an earlier allocation failure dropped it */
	if (!tsx)
		return ENOMEM;
	return pint_tsx_respond_buf(tsx, msg, strlen(msg), r->now);
}

static void run_until(struct run *r, uint64_t t)
{
	uint64_t d;

	while ((d = pint_tsx_next_deadline(r->l)) <= t) {
		r->now = d;
		pint_tsx_tick(r->l, d);
	}
	r->now = t;
}

/* INVITE out, 180, 486 (the layer builds the ACK), 486 again, Timer D. */
static int ict_busy(struct run *r)
{
	static const char inv[] = REQ("INVITE", "z9hG4bKc1", GW, "", "1 INVITE");
	uint64_t id = 0;
	int err;

	err = pint_tsx_start_buf(&id, r->l, inv, sizeof(inv) - 1, &to_gw,
				 NULL, r->now);
	if (err)
		return err;
	run_until(r, 600);
	err = feed(r, RESP("180 Ringing", "z9hG4bKc1", GW, ";tag=t1",
			   "1 INVITE"), &to_gw);
	if (!err)
		err = feed(r, RESP("486 Busy Here", "z9hG4bKc1", GW, ";tag=t1",
				   "1 INVITE"), &to_gw);
	if (!err)
		err = feed(r, RESP("486 Busy Here", "z9hG4bKc1", GW, ";tag=t1",
				   "1 INVITE"), &to_gw);
	run_until(r, 40000);
	return err;
}

/* INVITE in (100 built), 180, CANCEL (200 built, 487 from the TU), ACK;
 * a second INVITE answered 200, its ACK on a new branch, Timer L. */
static int ist_cancel_and_2xx(struct run *r)
{
	uint64_t ist;
	int err;

	err = feed(r, REQ("INVITE", "z9hG4bKi1", PEER, "", "1 INVITE"),
		   &from_peer);
	ist = r->last_req;
	if (!err)
		err = respond(r, ist, RESP("180 Ringing", "z9hG4bKi1", PEER,
					   ";tag=u1", "1 INVITE"));
	if (!err)
		err = feed(r, REQ("CANCEL", "z9hG4bKi1", PEER, "", "1 CANCEL"),
			   &from_peer);
	if (!err)
		err = feed(r, REQ("ACK", "z9hG4bKi1", PEER, ";tag=u1", "1 ACK"),
			   &from_peer);
	if (err)
		return err;
	err = feed(r, REQ("INVITE", "z9hG4bKi2", PEER, "", "2 INVITE"),
		   &from_peer);
	if (!err)
		err = respond(r, r->last_req, RESP("200 OK", "z9hG4bKi2", PEER,
						   ";tag=u2", "2 INVITE"));
	run_until(r, 2000);
	if (!err)
		err = feed(r, REQ("ACK", "z9hG4bKa2", PEER, ";tag=u2", "2 ACK"),
			   &from_peer);
	run_until(r, 40000);
	return err;
}

/* 40 NOTIFYs (the indexes grow), answered, retransmitted, Timer J. */
static int nist_many(struct run *r)
{
	char msg[1024], resp[1024], branch[32];
	int i, err = 0;

	for (i = 0; i < 40 && !err; i++) {
		snprintf(branch, sizeof(branch), "z9hG4bKn%d", i);
		snprintf(msg, sizeof(msg), REQ("NOTIFY", "%s", PEER, ";tag=f9",
					       "7 NOTIFY"), branch);
		snprintf(resp, sizeof(resp), RESP("200 OK", "%s", PEER,
						  ";tag=f9", "7 NOTIFY"), branch);
		err = feed(r, msg, &from_peer);
		if (!err)
			err = respond(r, r->last_req, resp);
		if (!err)
			err = feed(r, msg, &from_peer);
	}
	run_until(r, 40000);
	return err;
}

static int scenario(int (*fn)(struct run *r))
{
	osip_malloc_func_t *m = osip_malloc_func;
	osip_realloc_func_t *re = osip_realloc_func;
	osip_free_func_t *f = osip_free_func;
	struct run r;
	int err;

	parser_init();
	osip_set_allocators(__real_malloc, __real_realloc, __real_free);
	err = begin(&r);
	if (!err)
		err = fn(&r);
	pint_tsx_layer_free(r.l);
	osip_set_allocators(m, re, f);
	return err;
}

static int run_ict_busy(void)
{
	return scenario(ict_busy);
}

static int run_ist_cancel_and_2xx(void)
{
	return scenario(ist_cancel_and_2xx);
}

static int run_nist_many(void)
{
	return scenario(nist_many);
}

const struct oom_case oom_cases_tsx[] = {
	{ "tsx_ict_busy", run_ict_busy },
	{ "tsx_ist_cancel_and_2xx", run_ist_cancel_and_2xx },
	{ "tsx_nist_many", run_nist_many },
	{ NULL, NULL },
};
