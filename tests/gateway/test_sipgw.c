/*
 * tests/gateway/test_sipgw.c — gateway/sipgw with real sockets on
 * 127.0.0.1 and the real loop: configuration errors, the dry-run INVITE,
 * calls to a fake gateway (a plain UDP socket on the same loop that
 * answers as each test tells it), timers through the loop hooks, metrics,
 * reload. Every run stops on a predicate or a guard timer that fails it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "tests/pint/test_common.h"
#include "gateway/config.h"
#include "gateway/log.h"
#include "gateway/loop.h"
#include "gateway/sipgw.h"
#include "gateway/sipgw_int.h"
#include "pint/sip.h"
#include "pint/tel.h"

#define GUARD_MS 3000u
#define MAXEV    16u
#define MAXDG    16u
#define DGSIZE   4096u

/* ---- the fake gateway: a UDP socket that answers INVITEs ---- */

enum fake_mode {
	FAKE_SILENT,            /* answers nothing */
	FAKE_BUSY,              /* 486 to every INVITE */
	FAKE_BUSY_SECOND,       /* ignores the first INVITE, 486 to the next */
};

struct fake {
	struct gw_loop *loop;
	int fd;
	uint16_t port;
	struct gw_fd w;
	enum fake_mode mode;
	char dg[MAXDG][DGSIZE + 1];
	uint64_t at[MAXDG];     /* loop time of arrival */
	size_t ndg;
	size_t invites;
};

/* The value of header name in msg (first line of it), into buf. */
static const char *hdr(const char *msg, const char *name, char *buf,
		       size_t size)
{
	size_t n = strlen(name);
	const char *p, *e;

	for (p = msg; p && *p; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			e = strstr(p, "\r\n");
			n = e ? (size_t)(e - p) : strlen(p);
			if (n >= size)
				n = size - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return buf;
		}
		if (p[0] == '\r' && p[1] == '\n')
			break;
	}
	buf[0] = '\0';
	return buf;
}

static void fake_answer(struct fake *f, const char *req,
			const struct sockaddr_storage *to, socklen_t tolen)
{
	char via[512], from[256], tov[256], cid[256], cseq[64], out[2048];
	int n;

	n = snprintf(out, sizeof(out),
		     "SIP/2.0 486 Busy Here\r\nVia: %s\r\nFrom: %s\r\n"
		     "To: %s;tag=fake1\r\nCall-ID: %s\r\nCSeq: %s\r\n"
		     "Content-Length: 0\r\n\r\n",
		     hdr(req, "Via", via, sizeof(via)),
		     hdr(req, "From", from, sizeof(from)),
		     hdr(req, "To", tov, sizeof(tov)),
		     hdr(req, "Call-ID", cid, sizeof(cid)),
		     hdr(req, "CSeq", cseq, sizeof(cseq)));
	assert_true(n > 0 && (size_t)n < sizeof(out));
	assert_int_equal(sendto(f->fd, out, (size_t)n, 0,
				(const struct sockaddr *)to, tolen), n);
}

static void fake_h(int fd, uint32_t events, void *arg)
{
	struct fake *f = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char buf[DGSIZE + 1];
	ssize_t n;

	(void)events;
	n = recvfrom(fd, buf, DGSIZE, MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
	if (n <= 0)
		return;
	buf[n] = '\0';
	assert_true(f->ndg < MAXDG);
	memcpy(f->dg[f->ndg], buf, (size_t)n + 1);
	f->at[f->ndg] = gw_loop_now(f->loop);
	f->ndg++;
	if (strncmp(buf, "INVITE ", 7) != 0)
		return;
	f->invites++;
	if (f->mode == FAKE_BUSY ||
	    (f->mode == FAKE_BUSY_SECOND && f->invites >= 2))
		fake_answer(f, buf, &ss, sl);
}

static void fake_init(struct fake *f, struct gw_loop *loop, enum fake_mode mode)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	memset(f, 0, sizeof(*f));
	f->loop = loop;
	f->mode = mode;
	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(f->fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&sin, &sl), 0);
	f->port = ntohs(sin.sin_port);
	assert_int_equal(gw_fd_watch(loop, &f->w, f->fd, EPOLLIN, fake_h, f), 0);
}

static void fake_done(struct fake *f)
{
	gw_fd_unwatch(f->loop, &f->w);
	close(f->fd);
}

/* How many datagrams the fake got whose first line starts with p. */
static size_t fake_count(const struct fake *f, const char *p)
{
	size_t i, n = 0;

	for (i = 0; i < f->ndg; i++)
		if (strncmp(f->dg[i], p, strlen(p)) == 0)
			n++;
	return n;
}

/* ---- the daemon side ---- */

struct fx {
	struct gw_loop *loop;
	struct gw_conf *conf;
	struct gw_sip *sip;
	struct fake gw;
	uint64_t ref[MAXEV];
	struct pint_status_ev ev[MAXEV];
	size_t nev;
	size_t health_changes;
	char msg[256];
};

static void event_h(uint64_t ref, const struct pint_status_ev *ev, void *arg)
{
	struct fx *fx = arg;

	assert_true(fx->nev < MAXEV);
	fx->ref[fx->nev] = ref;
	fx->ev[fx->nev] = *ev;
	fx->nev++;
}

static void health_h(const char *gateway, enum pint_gwset_health health,
		     void *arg)
{
	struct fx *fx = arg;

	(void)health;
	assert_non_null(gateway);
	fx->health_changes++;
}

/* A gw_conf from INI text, printf-style. */
static struct gw_conf *conf_text(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static struct gw_conf *conf_text(const char *fmt, ...)
{
	struct gw_conf_errs errs;
	struct gw_conf *c = NULL;
	char text[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	if (gw_conf_parse_string(&c, text, (size_t)n, "test", &errs) != 0) {
		fprintf(stderr, "conf: %s\n", errs.n ? errs.msg[0] : "?");
		fail();
	}
	return c;
}

#define CONF_HEAD "[pintgw]\nstate_dir = /tmp\n[sip]\n" \
	"listen = udp:127.0.0.1:0 tcp:127.0.0.1:0\nt1 = 100\n"

/* A fixture with the fake gateway (mode) as [gateway gw1]. */
static void fx_init(struct fx *fx, enum fake_mode mode)
{
	memset(fx, 0, sizeof(*fx));
	assert_int_equal(gw_loop_alloc(&fx->loop), 0);
	fake_init(&fx->gw, fx->loop, mode);
	fx->conf = conf_text(CONF_HEAD "[gateway gw1]\naddress = udp:127.0.0.1:%u\n"
			     "domain = pint.example\nkeepalive = 0\n", fx->gw.port);
	assert_int_equal(gw_sip_alloc(&fx->sip, fx->loop, fx->conf, event_h,
				      health_h, fx, fx->msg, sizeof(fx->msg)), 0);
	assert_string_equal(fx->msg, "");
}

static void fx_done(struct fx *fx)
{
	gw_sip_free(fx->sip);
	gw_conf_free(fx->conf);
	fake_done(&fx->gw);
	assert_int_equal(gw_loop_verify(fx->loop), 0);
	gw_loop_free(fx->loop);
}

/* ---- running the loop ---- */

typedef bool (pred_h)(struct fx *fx);

struct run {
	struct fx *fx;
	pred_h *p;
	struct gw_check chk;
	struct gw_timer guard;
	bool fired;
};

static void run_chk(void *arg)
{
	struct run *r = arg;

	if (r->p(r->fx))
		gw_loop_stop(r->fx->loop);
}

static void guard_h(void *arg)
{
	struct run *r = arg;

	r->fired = true;
	gw_loop_stop(r->fx->loop);
}

/* Run until p holds (true) or ms have passed (false). */
static bool run_for(struct fx *fx, pred_h *p, unsigned ms)
{
	struct run r = { .fx = fx, .p = p };

	if (p(fx))
		return true;
	gw_loop_add_check(fx->loop, &r.chk, run_chk, &r);
	assert_int_equal(gw_timer_start(fx->loop, &r.guard, ms, guard_h, &r), 0);
	assert_int_equal(gw_loop_run(fx->loop), 0);
	gw_timer_stop(fx->loop, &r.guard);
	gw_loop_del_check(fx->loop, &r.chk);
	return p(fx);
}

static bool never(struct fx *fx)
{
	(void)fx;
	return false;
}

static bool terminal(struct fx *fx)
{
	size_t i;

	for (i = 0; i < fx->nev; i++)
		if (pint_status_is_terminal(fx->ev[i].status))
			return true;
	return false;
}

static bool acked(struct fx *fx)
{
	return fake_count(&fx->gw, "ACK ") > 0;
}

/* ---- requests ---- */

struct req {
	struct pint_tel to, from;
	struct pint_svc_item item;
	struct pint_svc_req r;
	struct pint_ua_call_params p;
};

static void req_init(struct req *q, const char *service, const char *text)
{
	struct pint_tel_error why;

	memset(q, 0, sizeof(*q));
	assert_int_equal(pint_tel_parse(&q->to, "+15555550199", 12, NULL, "to",
					&why), 0);
	assert_int_equal(pint_tel_parse(&q->from, "+15555550100", 12, NULL,
					"from", &why), 0);
	q->r.def = pint_svc_builtin(service);
	assert_non_null(q->r.def);
	q->r.to = &q->to;
	q->r.from = q->r.def->a_party ? &q->from : NULL;
	q->r.email = "test@example.com";
	if (text) {
		q->item.type = "text/plain";
		q->item.src = PINT_SVC_INLINE;
		q->item.data = text;
		q->item.len = strlen(text);
		q->r.items = &q->item;
		q->r.nitems = 1;
	}
	q->p.req = &q->r;
}

/* ---- tests ---- */

/* Bad listen addresses and unresolvable gateways: an errno and a message. */
static void test_alloc_errors(void **state)
{
	static const struct {
		const char *text;
		int err;
		const char *msg;
	} t[] = {
		{ "[sip]\nlisten = udp:192.0.2.1:0\n", EADDRNOTAVAIL,
		  "[sip] listen 192.0.2.1 port 0:" },
		{ "[sip]\nlisten = udp:127.0.0.1:0\n[gateway bad]\n"
		  "address = udp:nosuch.invalid:5060\nkeepalive = 0\n", ENOENT,
		  "[gateway bad] address nosuch.invalid: " },
		{ "[sip]\nlisten = udp:127.0.0.1:0\n[gateway bad]\n"
		  "address = udp:127.0.0.1:5060\nallow_from = 999.1.1.1\n",
		  -1, NULL },
	};
	struct gw_sip *s = NULL;
	struct gw_loop *loop;
	size_t i;

	(void)state;
	/* a resolver that cannot be reached gives up quickly */
	setenv("RES_OPTIONS", "timeout:1 attempts:1", 1);
	assert_int_equal(gw_loop_alloc(&loop), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gw_conf_errs errs;
		struct gw_conf *c = NULL;
		char msg[256];
		int err;

		err = gw_conf_parse_string(&c, t[i].text, strlen(t[i].text),
					   "test", &errs);
		if (t[i].err < 0) {
			/* refused by the configuration already */
			assert_int_equal(err, EINVAL);
			continue;
		}
		assert_int_equal(err, 0);
		msg[0] = 'x';
		assert_int_equal(gw_sip_alloc(&s, loop, c, NULL, NULL, NULL, msg,
					      sizeof(msg)), t[i].err);
		assert_null(s);
		assert_memory_equal(msg, t[i].msg, strlen(t[i].msg));
		gw_conf_free(c);
	}
	assert_int_equal(gw_sip_alloc(NULL, loop, NULL, NULL, NULL, NULL,
				      NULL, 0), EINVAL);
	assert_int_equal(gw_loop_verify(loop), 0);
	gw_loop_free(loop);
}

/* One port for UDP and TCP; names resolved once; the debug dump. */
static void test_ports_debug(void **state)
{
	struct gw_conf *c;
	struct gw_sip *s;
	struct gw_loop *loop;
	struct pint_mbuf mb;
	char msg[256];

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	c = conf_text(CONF_HEAD "[gateway local]\naddress = udp:localhost:5999\n"
		      "keepalive = 0\n");
	assert_int_equal(gw_sip_alloc(&s, loop, c, NULL, NULL, NULL, msg,
				      sizeof(msg)), 0);
	assert_int_not_equal(gw_sip_port(s, false), 0);
	assert_int_equal(gw_sip_port(s, false), gw_sip_port(s, true));
	assert_true(gw_sip_ready(s));   /* keepalive = 0: counts as up */
	pint_mbuf_init(&mb, 0);
	assert_int_equal(gw_sip_debug(s, &mb), 0);
	assert_non_null(strstr(mb.buf, "gateway local udp:127.0.0.1:5999 health=unknown"));
	assert_non_null(strstr(mb.buf, "sip: contact 127.0.0.1 udp="));
	pint_mbuf_reset(&mb);
	gw_sip_free(s);
	gw_conf_free(c);
	gw_sip_free(NULL);
	assert_int_equal(gw_loop_verify(loop), 0);
	gw_loop_free(loop);
}

/*
 * The rand handler: bytes read ahead in the gw_sip's pool are handed out
 * once each, across refills; large requests and no gw_sip go to the OS.
 */
static void test_rand_pool(void **state)
{
	uint8_t seen[200][16], zero[16], big[SIPGW_RAND_POOL];
	struct gw_conf *c;
	struct gw_sip *s;
	struct gw_loop *loop;
	char msg[256];
	size_t i, j;

	(void)state;
	memset(zero, 0, sizeof(zero));
	assert_int_equal(gw_loop_alloc(&loop), 0);
	c = conf_text(CONF_HEAD "[gateway local]\naddress = udp:localhost:5999\n"
		      "keepalive = 0\n");
	assert_int_equal(gw_sip_alloc(&s, loop, c, NULL, NULL, NULL, msg,
				      sizeof(msg)), 0);
	/* 3200 bytes: the 1024-byte pool refills three times */
	for (i = 0; i < 200; i++) {
		assert_int_equal(gw_sip_rand(seen[i], 16, s), 0);
		assert_memory_not_equal(seen[i], zero, 16);
		for (j = 0; j < i; j++)
			assert_memory_not_equal(seen[i], seen[j], 16);
	}
	assert_true(s->rleft < SIPGW_RAND_POOL);
	assert_int_equal(gw_sip_rand(big, sizeof(big), s), 0);
	assert_int_equal(gw_sip_rand(big, 16, NULL), 0);
	assert_memory_not_equal(big, zero, 16);
	gw_sip_free(s);
	gw_conf_free(c);
	assert_int_equal(gw_loop_verify(loop), 0);
	gw_loop_free(loop);
}

/* The dry-run INVITE: what would be sent, fresh ids each time, nothing sent. */
static void test_preview(void **state)
{
	char *a = NULL, *b = NULL, *m = NULL, via[64], ca[128], cb[128];
	struct pint_ua_resume rs = { "cid-1", "t1", 2, "123", "z9hG4bKres1" };
	size_t alen = 0, blen = 0, mlen = 0;
	struct req q, qf;
	struct fx fx;

	(void)state;
	fx_init(&fx, FAKE_BUSY);
	req_init(&q, "call", NULL);
	assert_int_equal(gw_sip_preview(fx.sip, &q.p, &a, &alen), 0);
	assert_int_equal(gw_sip_preview(fx.sip, &q.p, &b, &blen), 0);
	assert_int_equal(strlen(a), alen);
	assert_memory_equal(a, "INVITE sip:R2C@pint.example SIP/2.0\r\n", 37);
	snprintf(via, sizeof(via), "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK",
		 gw_sip_port(fx.sip, false));
	assert_non_null(strstr(a, via));
	assert_non_null(strstr(a, "To: <sip:+15555550100@pint.example;user=phone>"));
	assert_non_null(strstr(a, "\r\nc=TN RFC2543 +1-5555550199\r\n"));
	assert_non_null(strstr(a, "\r\nm=audio 1 voice -\r\n"));
	assert_non_null(strstr(a, "\r\nUser-Agent: pintgw/"));
	assert_string_not_equal(hdr(a, "Call-ID", ca, sizeof(ca)),
				hdr(b, "Call-ID", cb, sizeof(cb)));

	/* inline content: multipart over TCP */
	req_init(&qf, "fax", "hello");
	assert_int_equal(gw_sip_preview(fx.sip, &qf.p, &m, &mlen), 0);
	assert_memory_equal(m, "INVITE sip:R2F@pint.example SIP/2.0\r\n", 37);
	assert_non_null(strstr(m, "Via: SIP/2.0/TCP 127.0.0.1:"));
	assert_non_null(strstr(m, "multipart/related"));
	assert_non_null(strstr(m, "Content-ID: <1."));
	assert_non_null(strstr(m, "@127.0.0.1>\r\n"));

	/* a resend's identities, its branch included */
	free(b);
	q.p.resume = &rs;
	assert_int_equal(gw_sip_preview(fx.sip, &q.p, &b, &blen), 0);
	assert_non_null(strstr(hdr(b, "Via", ca, sizeof(ca)),
			       "branch=z9hG4bKres1"));
	assert_string_equal(hdr(b, "Call-ID", cb, sizeof(cb)), "cid-1");
	assert_string_equal(hdr(b, "CSeq", cb, sizeof(cb)), "3 INVITE");
	q.p.resume = NULL;

	q.p.gateway = "nosuch";
	assert_int_equal(gw_sip_preview(fx.sip, &q.p, &a, &alen), ENOENT);
	assert_int_equal(gw_sip_preview(fx.sip, NULL, &a, &alen), EINVAL);
	/* nothing went out */
	assert_false(run_for(&fx, never, 100));
	assert_int_equal(fx.gw.ndg, 0);
	assert_int_equal(fx.nev, 0);
	free(a);
	free(b);
	free(m);
	fx_done(&fx);
}

/* A call through the loop: 486 gives failed/busy, the ACK goes out. */
static void test_call_busy(void **state)
{
	struct pint_ua_call_info ci;
	struct req q;
	struct fx fx;

	(void)state;
	fx_init(&fx, FAKE_BUSY);
	req_init(&q, "call", NULL);
	q.p.track = false;
	assert_true(gw_sip_ready(fx.sip));      /* keepalive = 0: up until it fails */
	assert_int_equal(gw_sip_call_start(fx.sip, 7, &q.p), 0);
	/* the sending event comes before call_start returns */
	assert_int_equal(fx.nev, 1);
	assert_int_equal(fx.ref[0], 7);
	assert_int_equal(fx.ev[0].status, PINT_STATUS_SENDING);
	assert_int_equal(gw_sip_call_start(fx.sip, 7, &q.p), EALREADY);
	assert_int_equal(gw_sip_call_info(fx.sip, 7, &ci), 0);
	assert_string_equal(ci.gateway, "gw1");
	assert_true(run_for(&fx, terminal, GUARD_MS));
	assert_int_equal(fx.nev, 2);
	assert_int_equal(fx.ev[1].status, PINT_STATUS_FAILED);
	assert_int_equal(fx.ev[1].outcome, PINT_OUTCOME_BUSY);
	assert_int_equal(fx.ev[1].sip_code, 486);
	assert_true(run_for(&fx, acked, GUARD_MS));
	assert_int_equal(fake_count(&fx.gw, "INVITE "), 1);
	assert_int_equal(fake_count(&fx.gw, "ACK "), 1);
	/* an answer shows the gateway is there */
	assert_true(gw_sip_ready(fx.sip));
	assert_int_equal(fx.health_changes, 1);
	assert_int_equal(gw_sip_call_cancel(fx.sip, 7), EALREADY);
	assert_int_equal(gw_sip_call_cancel(fx.sip, 8), ENOENT);
	assert_int_equal(gw_sip_call_info(fx.sip, 8, &ci), ENOENT);
	fx_done(&fx);
}

/* The ua's timers run through the loop hooks: the INVITE is sent again
 * T1 (100 ms here) after the first copy, and only then answered. */
static void test_call_retransmit(void **state)
{
	struct gw_loop_stats st;
	uint64_t gap;
	struct req q;
	struct fx fx;

	(void)state;
	fx_init(&fx, FAKE_BUSY_SECOND);
	req_init(&q, "call", NULL);
	assert_int_equal(gw_sip_call_start(fx.sip, 1, &q.p), 0);
	assert_true(run_for(&fx, terminal, GUARD_MS));
	assert_int_equal(fx.ev[fx.nev - 1].outcome, PINT_OUTCOME_BUSY);
	assert_int_equal(fake_count(&fx.gw, "INVITE "), 2);
	assert_string_equal(fx.gw.dg[0], fx.gw.dg[1]);
	gap = fx.gw.at[1] - fx.gw.at[0];
	assert_true(gap >= 90 && gap <= 200);
	/* and the loop slept in between: no busy turns */
	gw_loop_stats(fx.loop, &st);
	assert_true(st.turns < 50);
	fx_done(&fx);
}

static bool answered(struct fx *fx)
{
	return fake_count(&fx->gw, "SIP/2.0 200 ") > 0;
}

/*
 * The transport parses each message once and the ua works on that parse:
 * an answer carries the Via received/rport the transport set (RFC 3581),
 * which a second parse of the raw bytes would not see.
 */
static void test_answer_has_rport(void **state)
{
	struct sockaddr_in to;
	char out[1024], via[256], want[64];
	struct fx fx;
	int n;

	(void)state;
	fx_init(&fx, FAKE_SILENT);
	n = snprintf(out, sizeof(out),
		     "OPTIONS sip:pintgw@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.99:5999;branch=z9hG4bKrp1"
		     ";rport\r\nMax-Forwards: 70\r\n"
		     "From: <sip:gw@pint.example>;tag=g1\r\n"
		     "To: <sip:pintgw@127.0.0.1>\r\nCall-ID: rport-1\r\n"
		     "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
	assert_true(n > 0 && (size_t)n < sizeof(out));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(gw_sip_port(fx.sip, false));
	assert_int_equal(sendto(fx.gw.fd, out, (size_t)n, 0,
				(const struct sockaddr *)&to, sizeof(to)), n);
	assert_true(run_for(&fx, answered, GUARD_MS));
	hdr(fx.gw.dg[fx.gw.ndg - 1], "Via", via, sizeof(via));
	snprintf(want, sizeof(want), "rport=%u", fx.gw.port);
	assert_non_null(strstr(via, "received=127.0.0.1"));
	assert_non_null(strstr(via, want));
	fx_done(&fx);
}

/* How many HELP lines of buf start with the n bytes at s. */
static size_t count_help(const char *buf, const char *s, size_t n)
{
	size_t k = 0;

	for (; (buf = strstr(buf, "# HELP ")); buf++)
		if (strncmp(buf, s, n) == 0)
			k++;
	return k;
}

/* Prometheus text: counters, gauges, one HELP per family, gateway lines. */
static void test_metrics(void **state)
{
	struct pint_mbuf mb;
	struct req q;
	struct fx fx;
	char *p, *line;
	size_t families = 0;

	(void)state;
	fx_init(&fx, FAKE_BUSY);
	req_init(&q, "call", NULL);
	assert_int_equal(gw_sip_call_start(fx.sip, 1, &q.p), 0);
	assert_true(run_for(&fx, terminal, GUARD_MS));
	pint_mbuf_init(&mb, 0);
	assert_int_equal(gw_sip_metrics(fx.sip, &mb), 0);
	assert_non_null(strstr(mb.buf, "\npintgw_sip_invites_sent_total 1\n"));
	assert_non_null(strstr(mb.buf, "\npintgw_sip_terminal_events_total 1\n"));
	assert_non_null(strstr(mb.buf, "\n# TYPE pintgw_sip_calls gauge\n"));
	assert_non_null(strstr(mb.buf, "\npintgw_sip_calls{state=\"done\"} 1\n"));
	assert_non_null(strstr(mb.buf, "\npintgw_sip_udp_datagrams_total{direction=\"out\"} 2\n"));
	assert_non_null(strstr(mb.buf, "\npintgw_gateway_up{gateway=\"gw1\"} 1\n"));
	assert_non_null(strstr(mb.buf, "\npintgw_gateway_invites_total{gateway=\"gw1\"} 1\n"));
	/* every family once, every line a comment or "name[{…}] value" */
	for (line = mb.buf; line && *line; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		assert_non_null(p);
		if (strncmp(line, "# HELP ", 7) == 0) {
			families++;
			/* no family twice: "# HELP name " once */
			assert_int_equal(count_help(mb.buf, line,
					 8 + strcspn(line + 7, " ")), 1);
			continue;
		}
		if (line[0] == '#')
			continue;
		assert_memory_equal(line, "pintgw_", 7);
		assert_non_null(memchr(line, ' ', (size_t)(p - line)));
	}
	assert_true(families > 40);
	pint_mbuf_reset(&mb);
	assert_int_equal(gw_sip_metrics(fx.sip, NULL), EINVAL);
	fx_done(&fx);
}

/* Reload: a gateway added; a bad configuration changes nothing. */
static void test_reload(void **state)
{
	struct gw_conf *c2, *bad;
	struct pint_mbuf mb;
	struct fx fx;
	char msg[256];

	(void)state;
	setenv("RES_OPTIONS", "timeout:1 attempts:1", 1);
	fx_init(&fx, FAKE_SILENT);
	c2 = conf_text(CONF_HEAD "[gateway gw1]\naddress = udp:127.0.0.1:%u\n"
		       "keepalive = 0\n[gateway gw2]\naddress = udp:127.0.0.1:5998\n"
		       "keepalive = 0\n", fx.gw.port);
	bad = conf_text(CONF_HEAD "[gateway gw3]\naddress = udp:nosuch.invalid\n"
			"keepalive = 0\n");
	assert_int_equal(gw_sip_reload(fx.sip, c2, msg, sizeof(msg)), 0);
	assert_int_equal(gw_sip_reload(fx.sip, bad, msg, sizeof(msg)), ENOENT);
	assert_memory_equal(msg, "[gateway gw3] address nosuch.invalid: ", 38);
	pint_mbuf_init(&mb, 0);
	assert_int_equal(gw_sip_debug(fx.sip, &mb), 0);
	assert_non_null(strstr(mb.buf, "gateway gw1 udp:127.0.0.1:"));
	assert_non_null(strstr(mb.buf, "gateway gw2 udp:127.0.0.1:5998 "));
	assert_null(strstr(mb.buf, "gw3"));
	pint_mbuf_reset(&mb);
	gw_conf_free(c2);
	gw_conf_free(bad);
	fx_done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_alloc_errors),
		leakcheck_test(test_ports_debug),
		leakcheck_test(test_rand_pool),
		leakcheck_test(test_preview),
		leakcheck_test(test_call_busy),
		leakcheck_test(test_call_retransmit),
		leakcheck_test(test_answer_has_rport),
		leakcheck_test(test_metrics),
		leakcheck_test(test_reload),
	};

	log_set_level(LOG_LEVEL_ERR);
	if (pint_sip_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("gateway/sipgw", tests, NULL, NULL);
}
