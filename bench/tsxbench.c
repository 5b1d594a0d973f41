/*
 * bench/tsxbench.c — cost of one SIP message against the number of live
 * transactions / calls, for bench/run.sh (figure 2). No sockets, no
 * clock reads inside the code under test: messages go in as bytes, time
 * as a number, exactly as gateway/sipgw drives pint/.
 *
 *   tsxbench [-m tsx|ua|osip] [-n 100,1000,10000,100000] [-k K] [-r R]
 *
 * tsx:  N client INVITE transactions (pint/tsx) held in Proceeding by a
 *       180; then K 180 retransmissions, each to a random live one:
 *       pint_tsx_recv per matched response.
 * ua:   N ringing service calls (pint/ua, no status subscription); then
 *       K whole calls on top: start (INVITE), 200 (ACK), gateway BYE (our
 *       200), plus the timer ticks that reap them: per message = per
 *       call / 5.
 * osip: the baseline: libosip2's own transaction layer (what pint/tsx
 *       replaced, libraries.md §1.8): N ICTs in Proceeding, then K
 *       180s: osip_parse + osip_find_transaction_and_add_event + execute.
 *       Skipped above 10 000: creating the list costs O(N²).
 *
 * Prints one line per N: ns per message (best of R runs of K), heap bytes
 * per live object. Under valgrind --tool=callgrind only the measured
 * calls are collected (CALLGRIND_TOGGLE_COLLECT); one dump per N, named
 * "MODE N=…", so Ir per message = the dump's Ir / (K * R * messages).
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <osip2/osip.h>
#include <osipparser2/osip_parser.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#include "pint/gwset.h"
#include "pint/sip.h"
#include "pint/tel.h"
#include "pint/tsx.h"
#include "pint/ua.h"

#define MAX_N 1000000u
#define MAX_K 1000000u
#define MAX_SIZES 8u
#define MSG_MAX 4096u
#define OSIP_MAX_N 10000u
#define OSIP_WORK 2000000u      /* osip: K * N bound per run */
#define UA_BATCH 256u           /* calls between clock jumps that reap them */
#define LINGER_MS 40000u        /* > 64*T1: a finished call is forgotten */

static const struct pint_tsx_peer GW = { PINT_TSX_UDP, "127.0.0.1", 5070 };

struct bench {
	unsigned k, runs;
	uint64_t rng;
	uint64_t now;
	/* the last message the code under test sent */
	char last[MSG_MAX];
	size_t last_len;
	unsigned long sent;
	unsigned long events, terminals;
};

static struct bench B;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(void)
{
	B.rng ^= B.rng >> 12;
	B.rng ^= B.rng << 25;
	B.rng ^= B.rng >> 27;
	return B.rng * 2685821657736338717ull;
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Heap bytes per object since before (0 under a sanitizer's allocator). */
static double per_obj(size_t before, size_t extra, unsigned n)
{
	size_t now = heap_used();

	return now > before + extra ? (double)(now - before - extra) / n : 0;
}

static void die(const char *what, int err) __attribute__((noreturn));

static void die(const char *what, int err)
{
	fprintf(stderr, "tsxbench: %s: %s\n", what, strerror(err));
	exit(1);
}

/* ---- message text ------------------------------------------------------ */

static size_t fmt(char *buf, size_t size, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

static size_t fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		die("message", EMSGSIZE);
	return (size_t)n;
}

static size_t invite_text(char *buf, size_t size, unsigned i)
{
	return fmt(buf, size,
		   "INVITE sip:R2C@127.0.0.1:5070 SIP/2.0\r\n"
		   "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKb%08x;rport\r\n"
		   "Max-Forwards: 70\r\n"
		   "From: <sip:pintgw@127.0.0.1>;tag=f%08x\r\n"
		   "To: <sip:+15555550100@127.0.0.1;user=phone>\r\n"
		   "Call-ID: c%08x@127.0.0.1\r\n"
		   "CSeq: 1 INVITE\r\n"
		   "Contact: <sip:pintgw@127.0.0.1:5060>\r\n"
		   "Content-Length: 0\r\n\r\n", i, i, i);
}

static size_t ringing_text(char *buf, size_t size, unsigned i)
{
	return fmt(buf, size,
		   "SIP/2.0 180 Ringing\r\n"
		   "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKb%08x;rport=5060\r\n"
		   "From: <sip:pintgw@127.0.0.1>;tag=f%08x\r\n"
		   "To: <sip:+15555550100@127.0.0.1;user=phone>;tag=g%08x\r\n"
		   "Call-ID: c%08x@127.0.0.1\r\n"
		   "CSeq: 1 INVITE\r\n"
		   "Contact: <sip:127.0.0.1:5070>\r\n"
		   "Content-Length: 0\r\n\r\n", i, i, i, i);
}

/* The value of header name in msg (up to CRLF), or NULL. */
static const char *hdr(const char *msg, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *p = msg, *e;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (p[0] == '\r')
			return NULL;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			e = strstr(p, "\r\n");
			*len = e ? (size_t)(e - p) : strlen(p);
			return p;
		}
	}
	return NULL;
}

/* A response to the request req as the gateway sends it. */
static size_t answer(char *buf, size_t size, const char *req, unsigned code,
		     const char *reason, const char *totag)
{
	const char *via, *from, *to, *cid, *cseq;
	size_t lv, lf, lt, lc, ls;

	via = hdr(req, "Via", &lv);
	from = hdr(req, "From", &lf);
	to = hdr(req, "To", &lt);
	cid = hdr(req, "Call-ID", &lc);
	cseq = hdr(req, "CSeq", &ls);
	if (!via || !from || !to || !cid || !cseq)
		die("request without Via/From/To/Call-ID/CSeq", EBADMSG);
	return fmt(buf, size, "SIP/2.0 %u %s\r\nVia: %.*s\r\nFrom: %.*s\r\n"
		   "To: %.*s%s%s\r\nCall-ID: %.*s\r\nCSeq: %.*s\r\n"
		   "Contact: <sip:127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n",
		   code, reason, (int)lv, via, (int)lf, from, (int)lt, to,
		   totag ? ";tag=" : "", totag ? totag : "", (int)lc, cid,
		   (int)ls, cseq);
}

/* The gateway's BYE in the dialog of invite (its To tag: totag). */
static size_t gw_bye(char *buf, size_t size, const char *invite,
		     const char *totag, unsigned n)
{
	const char *from, *to, *cid, *contact;
	size_t lf, lt, lc, lk;

	from = hdr(invite, "From", &lf);
	to = hdr(invite, "To", &lt);
	cid = hdr(invite, "Call-ID", &lc);
	contact = hdr(invite, "Contact", &lk);
	if (!from || !to || !cid || !contact || lk < 2)
		die("INVITE without From/To/Call-ID/Contact", EBADMSG);
	return fmt(buf, size, "BYE %.*s SIP/2.0\r\n"
		   "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKy%08x\r\n"
		   "Max-Forwards: 70\r\nFrom: %.*s;tag=%s\r\nTo: %.*s\r\n"
		   "Call-ID: %.*s\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
		   (int)lk - 2, contact + 1, n, (int)lt, to, totag, (int)lf,
		   from, (int)lc, cid);
}

/* ---- handlers ------------------------------------------------------------ */

static int send_h(const char *buf, size_t len, const struct pint_tsx_peer *peer,
		  void *arg)
{
	(void)peer;
	(void)arg;
	B.sent++;
	if (len >= sizeof(B.last))
		return EMSGSIZE;
	memcpy(B.last, buf, len);
	B.last[len] = '\0';
	B.last_len = len;
	return 0;
}

static void event_h(uint64_t ref, const struct pint_status_ev *ev, void *arg)
{
	(void)ref;
	(void)arg;
	B.events++;
	if (pint_status_is_terminal(ev->status))
		B.terminals++;
}

static int rand_h(uint8_t *buf, size_t len, void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(rnd() >> 56);
	return 0;
}

/* ---- tsx: matched responses at N live ICTs ------------------------------- */

static void result(const char *mode, unsigned n, double ns, double per_obj,
		   unsigned long msgs)
{
	printf("mode=%s live=%u ns_per_msg=%.0f heap_per_live=%.0f msgs=%lu\n",
	       mode, n, ns, per_obj, msgs);
	fflush(stdout);
}

static void bench_tsx(unsigned n)
{
	const struct pint_tsx_handlers h = { .send = send_h };
	struct pint_tsx_config cfg;
	struct pint_tsx_layer *l;
	char buf[MSG_MAX];
	char (*resp)[512];
	size_t *rlen, heap0;
	uint64_t id, t0, best = UINT64_MAX;
	double heap;
	unsigned i, j, r;
	int err;

	memset(&cfg, 0, sizeof(cfg));
	memset(cfg.hash_key, 0x5a, sizeof(cfg.hash_key));
	heap0 = heap_used();
	err = pint_tsx_layer_alloc(&l, &cfg, &h);
	if (err)
		die("pint_tsx_layer_alloc", err);
	for (i = 0; i < n; i++) {
		size_t len = invite_text(buf, sizeof(buf), i);

		err = pint_tsx_start_buf(&id, l, buf, len, &GW, NULL, B.now);
		if (err)
			die("pint_tsx_start_buf", err);
		len = ringing_text(buf, sizeof(buf), i);
		err = pint_tsx_recv(l, buf, len, &GW, B.now);
		if (err)
			die("pint_tsx_recv", err);
	}
	/* the responses to feed, built before the clock runs */
	resp = malloc((size_t)B.k * sizeof(*resp));
	rlen = malloc((size_t)B.k * sizeof(*rlen));
	if (!resp || !rlen)
		die("malloc", ENOMEM);
	for (j = 0; j < B.k; j++)
		rlen[j] = ringing_text(resp[j], sizeof(resp[j]),
				       (unsigned)(rnd() % n));
	heap = per_obj(heap0, (size_t)B.k * (sizeof(*resp) + sizeof(*rlen)), n);
	/* as gateway/sipgw runs it, once the heap per object is known */
	pint_sip_cache_use(true);
	CALLGRIND_START_INSTRUMENTATION;
	for (r = 0; r < B.runs; r++) {
		t0 = now_ns();
		CALLGRIND_TOGGLE_COLLECT;
		for (j = 0; j < B.k; j++)
			err |= pint_tsx_recv(l, resp[j], rlen[j], &GW, B.now);
		CALLGRIND_TOGGLE_COLLECT;
		t0 = now_ns() - t0;
		if (err)
			die("pint_tsx_recv (measured)", EPROTO);
		if (t0 < best)
			best = t0;
	}
	snprintf(buf, sizeof(buf), "tsx N=%u msgs=%u", n, B.k * B.runs);
	CALLGRIND_DUMP_STATS_AT(buf);
	CALLGRIND_STOP_INSTRUMENTATION;
	pint_sip_cache_use(false);
	result("tsx", n, (double)best / B.k, heap, B.k);
	free(resp);
	free(rlen);
	pint_tsx_layer_free(l);
}

/* ---- ua: whole calls at N ringing calls ---------------------------------- */

struct ua_bench {
	struct pint_gwset *gws;
	struct pint_ua *ua;
	struct pint_svc_req req;
	struct pint_tel to, from;
	struct pint_ua_call_params params;
	uint64_t spent;                 /* ns inside pint_ua_* */
};

#define TIMED(u, call) do {                                           \
		uint64_t t_ = now_ns();                               \
		CALLGRIND_TOGGLE_COLLECT;                             \
		err = (call);                                         \
		CALLGRIND_TOGGLE_COLLECT;                             \
		(u)->spent += now_ns() - t_;                          \
	} while (0)

static void ua_setup(struct ua_bench *u)
{
	const struct pint_ua_handlers h = {
		.send = send_h, .event = event_h, .rand = rand_h,
	};
	struct pint_gwset_conf gw;
	struct pint_ua_conf conf;
	int err;

	memset(&gw, 0, sizeof(gw));
	gw.name = "bench";
	gw.peer = GW;
	gw.domain = "127.0.0.1:5070";
	gw.priority = 1;
	gw.down_after = 3;
	gw.rest_max_ms = 300000;
	gw.rest_default_ms = 30000;
	gw.status_mode = PINT_GWSET_STATUS_NONE;
	gw.subscribe_expires = 600;
	err = pint_gwset_alloc(&u->gws, &gw, 1);
	if (err)
		die("pint_gwset_alloc", err);
	memset(&conf, 0, sizeof(conf));
	conf.udp.host = "127.0.0.1";
	conf.udp.port = 5060;
	conf.udp.transport = "UDP";
	conf.udp.user = "pintgw";
	conf.udp.domain = "127.0.0.1";
	conf.tcp = conf.udp;
	conf.tcp.transport = "TCP";
	conf.user_agent = "pintgw/bench";
	conf.gwset = u->gws;
	conf.ring_timeout_ms = 24u * 3600u * 1000u;     /* ringing stays */
	conf.max_redirects = 3;
	err = pint_ua_alloc(&u->ua, &conf, &h);
	if (err)
		die("pint_ua_alloc", err);
	pint_ua_set_wallclock(u->ua, B.now, 1800000000);
	if (pint_tel_parse(&u->to, "+15555550199", 12, NULL, "to", NULL) ||
	    pint_tel_parse(&u->from, "+15555550100", 12, NULL, "from", NULL))
		die("pint_tel_parse", EINVAL);
	memset(&u->req, 0, sizeof(u->req));
	u->req.def = pint_svc_builtin("call");
	u->req.to = &u->to;
	u->req.from = &u->from;
	u->req.email = "bench@example.invalid";
	memset(&u->params, 0, sizeof(u->params));
	u->params.req = &u->req;
	u->params.track = false;
}

/* One whole call: INVITE, 200, ACK, gateway BYE, our 200. */
static void ua_call(struct ua_bench *u, uint64_t ref, unsigned n)
{
	char invite[MSG_MAX], msg[MSG_MAX], tag[32];
	size_t len;
	unsigned long terms = B.terminals;
	int err;

	TIMED(u, pint_ua_call_start(u->ua, ref, &u->params, B.now));
	if (err)
		die("pint_ua_call_start", err);
	memcpy(invite, B.last, B.last_len + 1);
	snprintf(tag, sizeof(tag), "g%08x", n);
	len = answer(msg, sizeof(msg), invite, 200, "OK", tag);
	TIMED(u, pint_ua_recv(u->ua, msg, len, &GW, B.now));
	if (err || strncmp(B.last, "ACK ", 4))
		die("200: no ACK", err ? err : EPROTO);
	len = gw_bye(msg, sizeof(msg), invite, tag, n);
	TIMED(u, pint_ua_recv(u->ua, msg, len, &GW, B.now));
	if (err || strncmp(B.last, "SIP/2.0 200", 11) || B.terminals != terms + 1)
		die("BYE: no 200 or no terminal event", err ? err : EPROTO);
}

static void bench_ua(unsigned n)
{
	struct ua_bench u;
	char msg[MSG_MAX], tag[32];
	uint64_t ref = 1, best = UINT64_MAX;
	size_t len, heap0;
	double heap;
	unsigned i, j, r;
	int err;

	memset(&u, 0, sizeof(u));
	heap0 = heap_used();
	ua_setup(&u);
	for (i = 0; i < n; i++, ref++) {
		err = pint_ua_call_start(u.ua, ref, &u.params, B.now);
		if (err)
			die("pint_ua_call_start", err);
		snprintf(tag, sizeof(tag), "r%08x", i);
		len = answer(msg, sizeof(msg), B.last, 180, "Ringing", tag);
		err = pint_ua_recv(u.ua, msg, len, &GW, B.now);
		if (err)
			die("pint_ua_recv 180", err);
	}
	heap = per_obj(heap0, 0, n);
	pint_sip_cache_use(true);
	CALLGRIND_START_INSTRUMENTATION;
	for (r = 0; r < B.runs; r++) {
		u.spent = 0;
		for (j = 0; j < B.k; j++, ref++) {
			ua_call(&u, ref, j);
			if ((j + 1) % UA_BATCH)
				continue;
			/* forget the finished calls, as time would */
			B.now += LINGER_MS;
			TIMED(&u, (pint_ua_tick(u.ua, B.now), 0));
		}
		B.now += LINGER_MS;
		TIMED(&u, (pint_ua_tick(u.ua, B.now), 0));
		if (u.spent < best)
			best = u.spent;
	}
	snprintf(msg, sizeof(msg), "ua N=%u msgs=%u", n, B.k * B.runs * 5);
	CALLGRIND_DUMP_STATS_AT(msg);
	CALLGRIND_STOP_INSTRUMENTATION;
	pint_sip_cache_use(false);
	result("ua", n, (double)best / ((double)B.k * 5), heap,
	       (unsigned long)B.k * 5);
	pint_ua_free(u.ua);
	pint_gwset_free(u.gws);
}

/* ---- osip: libosip2's transaction layer, the baseline ---------------------- */

static int osip_send_cb(osip_transaction_t *tr, osip_message_t *m, char *host,
			int port, int fd)
{
	(void)tr;
	(void)m;
	(void)host;
	(void)port;
	(void)fd;
	B.sent++;
	return 0;
}

static void osip_nop_cb(int type, osip_transaction_t *tr, osip_message_t *m)
{
	(void)type;
	(void)tr;
	(void)m;
}

static void bench_osip(unsigned n)
{
	osip_transaction_t **tr;
	osip_message_t *m;
	osip_event_t *ev;
	osip_t *osip;
	char buf[MSG_MAX];
	uint64_t t0, spent, best = UINT64_MAX;
	size_t len, heap0;
	double heap;
	unsigned i, j, r, k;
	int found;

	if (n > OSIP_MAX_N) {
		printf("mode=osip live=%u skipped=1 reason=O(N^2)_setup\n", n);
		fflush(stdout);
		return;
	}
	heap0 = heap_used();
	tr = calloc(n, sizeof(*tr));
	if (!tr || osip_init(&osip))
		die("osip_init", ENOMEM);
	osip_set_cb_send_message(osip, osip_send_cb);
	for (i = 0; i < OSIP_MESSAGE_CALLBACK_COUNT; i++)
		osip_set_message_callback(osip, (int)i, osip_nop_cb);
	for (i = 0; i < n; i++) {
		len = invite_text(buf, sizeof(buf), i);
		if (osip_message_init(&m) || osip_message_parse(m, buf, len))
			die("osip_message_parse", EBADMSG);
		if (osip_transaction_init(&tr[i], ICT, osip, m))
			die("osip_transaction_init", EPROTO);
		ev = osip_new_outgoing_sipmessage(m);
		if (!ev)
			die("osip_new_outgoing_sipmessage", ENOMEM);
		osip_transaction_execute(tr[i], ev);
		len = ringing_text(buf, sizeof(buf), i);
		ev = osip_parse(buf, len);
		if (!ev)
			die("osip_parse", EBADMSG);
		osip_transaction_execute(tr[i], ev);
	}
	heap = per_obj(heap0, 0, n);
	/* each message walks every transaction: fewer of them at large N */
	k = B.k < OSIP_WORK / n ? B.k : OSIP_WORK / n;
	if (k < 10)
		k = 10;
	CALLGRIND_START_INSTRUMENTATION;
	for (r = 0; r < B.runs; r++) {
		spent = 0;
		for (j = 0; j < k; j++) {
			unsigned x = (unsigned)(rnd() % n);

			len = ringing_text(buf, sizeof(buf), x);
			t0 = now_ns();
			CALLGRIND_TOGGLE_COLLECT;
			ev = osip_parse(buf, len);
			if (!ev)
				found = -1;
			else if ((found = osip_find_transaction_and_add_event(
					osip, ev)) == 0)
				ev = osip_fifo_tryget(tr[x]->transactionff);
			if (ev && !found)
				osip_transaction_execute(tr[x], ev);
			CALLGRIND_TOGGLE_COLLECT;
			spent += now_ns() - t0;
			if (found) {
				osip_event_free(ev);
				die("osip: a 180 matched no transaction", EPROTO);
			}
		}
		if (spent < best)
			best = spent;
	}
	snprintf(buf, sizeof(buf), "osip N=%u msgs=%u", n, k * B.runs);
	CALLGRIND_DUMP_STATS_AT(buf);
	CALLGRIND_STOP_INSTRUMENTATION;
	result("osip", n, (double)best / k, heap, k);
	for (i = 0; i < n; i++)
		osip_transaction_free(tr[i]);
	free(tr);
	osip_release(osip);
}

/* ---- main ------------------------------------------------------------------ */

static int parse_sizes(const char *s, unsigned *sizes, size_t *nsizes)
{
	char *end;
	unsigned long v;

	*nsizes = 0;
	while (*s) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end == s || v == 0 || v > MAX_N ||
		    *nsizes == MAX_SIZES)
			return EINVAL;
		sizes[(*nsizes)++] = (unsigned)v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return EINVAL;
	}
	return *nsizes ? 0 : EINVAL;
}

int main(int argc, char **argv)
{
	unsigned sizes[MAX_SIZES] = { 100, 1000, 10000, 100000 };
	size_t nsizes = 4, i;
	const char *mode = "tsx";
	unsigned long v;
	char *end;
	int c;

	B.k = 20000;
	B.runs = 3;
	while ((c = getopt(argc, argv, "m:n:k:r:h")) != -1) {
		switch (c) {
		case 'm':
			mode = optarg;
			break;
		case 'n':
			if (parse_sizes(optarg, sizes, &nsizes))
				goto usage;
			break;
		case 'k':
		case 'r':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > MAX_K)
				goto usage;
			if (c == 'k')
				B.k = (unsigned)v;
			else
				B.runs = (unsigned)v;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || (strcmp(mode, "tsx") && strcmp(mode, "ua") &&
			       strcmp(mode, "osip")))
		goto usage;
	if (pint_sip_init() || parser_init())
		die("init", ENOMEM);
	B.rng = 0x9e3779b97f4a7c15ull;
	B.now = 1000;
	for (i = 0; i < nsizes; i++) {
		if (!strcmp(mode, "tsx"))
			bench_tsx(sizes[i]);
		else if (!strcmp(mode, "ua"))
			bench_ua(sizes[i]);
		else
			bench_osip(sizes[i]);
	}
	return 0;
usage:
	fputs("usage: tsxbench [-m tsx|ua|osip] [-n N,N,...] [-k K] [-r RUNS]\n",
	      stderr);
	return 2;
}
