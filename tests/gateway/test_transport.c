/*
 * tests/gateway/test_transport.c — gateway/transport with real sockets on
 * 127.0.0.1 and ::1 and the real loop. Test peers are plain sockets
 * watched on the same loop; every run stops on a predicate, a turn limit
 * or a guard timer that fails the test. Nothing sleeps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "tests/pint/test_common.h"
#include "gateway/log.h"
#include "gateway/loop.h"
#include "gateway/transport.h"

#define GUARD_MS  2000u
#define MAX_TURNS 20000u
#define MAXM      16u
#define MAXDG     16u
#define DGSIZE    4096u
#define RAWMAX    2048u     /* raw bytes kept per message */

static const char *const hosts[] = { "127.0.0.1", "::1" };

/* ---- fixture ---- */

struct fx {
	struct gw_loop *loop;
	struct gw_tp *tp;
	struct gw_tp_cfg cfg;
	struct gw_tp_listen_cfg lc[2];
	osip_message_t *msg[MAXM];
	char raw[MAXM][RAWMAX];         /* first RAWMAX bytes as received */
	size_t rawlen[MAXM];            /* the whole length */
	struct gw_tp_peer from[MAXM];
	size_t n;
	struct gw_tp_peer errp[MAXM];
	int err[MAXM];
	size_t nerr;
};

static void recv_h(osip_message_t *msg, const char *raw, size_t len,
		   const struct gw_tp_peer *from, void *arg)
{
	struct fx *fx = arg;

	assert_true(fx->n < MAXM);
	assert_non_null(raw);
	assert_true(len > 0);
	memcpy(fx->raw[fx->n], raw, len < RAWMAX ? len : RAWMAX);
	fx->rawlen[fx->n] = len;
	fx->msg[fx->n] = msg;
	fx->from[fx->n] = *from;
	fx->n++;
}

static void err_h(const struct gw_tp_peer *peer, int err, void *arg)
{
	struct fx *fx = arg;

	assert_true(fx->nerr < MAXM);
	fx->errp[fx->nerr] = *peer;
	fx->err[fx->nerr] = err;
	fx->nerr++;
}

/* A fixture with one listener on host; cfg tweaks go in before fx_start. */
static void fx_init(struct fx *fx, const char *host, bool udp, bool tcp)
{
	memset(fx, 0, sizeof(*fx));
	fx->lc[0].addr = host;
	fx->lc[0].udp = udp;
	fx->lc[0].tcp = tcp;
	fx->cfg.listen = fx->lc;
	fx->cfg.nlisten = 1;
	fx->cfg.recv_h = recv_h;
	fx->cfg.err_h = err_h;
	fx->cfg.arg = fx;
	assert_int_equal(gw_loop_alloc(&fx->loop), 0);
}

static void fx_start(struct fx *fx)
{
	assert_int_equal(gw_tp_alloc(&fx->tp, fx->loop, &fx->cfg, NULL), 0);
}

static void fx_done(struct fx *fx)
{
	size_t i;

	for (i = 0; i < fx->n; i++)
		osip_message_free(fx->msg[i]);
	gw_tp_free(fx->tp);
	assert_int_equal(gw_loop_verify(fx->loop), 0);
	gw_loop_free(fx->loop);
}

static struct gw_tp_stats stats(const struct fx *fx)
{
	struct gw_tp_stats st;

	gw_tp_stats(fx->tp, &st);
	return st;
}

static struct gw_tp_local local(const struct fx *fx, size_t idx)
{
	struct gw_tp_local lp;

	assert_int_equal(gw_tp_local(fx->tp, idx, &lp), 0);
	return lp;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* ---- running the loop ---- */

typedef bool (pred_h)(void *arg);

struct run {
	struct gw_loop *loop;
	pred_h *p;
	void *arg;
	struct gw_prepare prep;
	struct gw_timer guard;
	unsigned turns;
	bool ok;
	bool fired;
};

/* Before each sleep: a predicate made true by fds, timers or defers. */
static int prep_h(void *arg)
{
	struct run *r = arg;

	if (r->p(r->arg))
		r->ok = true;
	if (r->ok || ++r->turns >= MAX_TURNS)
		gw_loop_stop(r->loop);
	return -1;
}

static void guard_h(void *arg)
{
	struct run *r = arg;

	r->fired = true;
	gw_loop_stop(r->loop);
}

/* Run until p(arg) holds; false after ms or MAX_TURNS turns. */
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
	assert_int_equal(gw_loop_verify(loop), 0);
	return r.ok || p(arg);
}

#define run_until(fx, p, arg) assert_true(run_for((fx)->loop, (p), (arg), GUARD_MS))

/* ---- test-side sockets ---- */

struct cli {
	struct gw_loop *loop;
	int fd;
	bool udp;
	struct gw_fd w;
	struct sockaddr_storage addr;   /* own address */
	socklen_t addrlen;
	char buf[2 * 65536];            /* TCP stream */
	size_t len;
	char dg[MAXDG][DGSIZE + 1];     /* UDP datagrams, NUL-terminated */
	size_t dglen[MAXDG];
	size_t ndg;
	bool eof;
	int err;
};

static void cli_h(int fd, uint32_t events, void *arg)
{
	struct cli *c = arg;
	ssize_t n;

	(void)events;
	for (;;) {
		if (c->udp) {
			char tmp[DGSIZE + 1];

			n = recv(fd, tmp, DGSIZE, MSG_DONTWAIT);
			if (n < 0)
				return;
			assert_true(c->ndg < MAXDG);
			memcpy(c->dg[c->ndg], tmp, (size_t)n);
			c->dg[c->ndg][n] = '\0';
			c->dglen[c->ndg++] = (size_t)n;
			continue;
		}
		assert_true(c->len < sizeof(c->buf) - 1);
		n = recv(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, MSG_DONTWAIT);
		if (n > 0) {
			c->len += (size_t)n;
			c->buf[c->len] = '\0';
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		c->eof = true;
		c->err = n < 0 ? errno : 0;
		gw_fd_unwatch(c->loop, &c->w);
		return;
	}
}

static void cli_watch(struct cli *c, struct gw_loop *loop, int fd, bool udp)
{
	int fl;

	c->loop = loop;
	c->fd = fd;
	c->udp = udp;
	fl = fcntl(fd, F_GETFL);
	assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
	c->addrlen = sizeof(c->addr);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&c->addr, &c->addrlen), 0);
	assert_int_equal(gw_fd_watch(loop, &c->w, fd, EPOLLIN, cli_h, c), 0);
}

static struct cli *cli_new(void)
{
	struct cli *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->fd = -1;
	return c;
}

static void cli_free(struct cli *c)
{
	if (!c)
		return;
	gw_fd_unwatch(c->loop, &c->w);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static void loopback(int family, struct sockaddr_storage *ss, socklen_t *lenp)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*lenp = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		*lenp = sizeof(*sin6);
	}
}

/* A UDP socket on the listener's loopback address. */
static struct cli *cli_udp(struct fx *fx, int family)
{
	struct sockaddr_storage ss;
	struct cli *c = cli_new();
	socklen_t sl;
	int fd;

	loopback(family, &ss, &sl);
	fd = socket(family, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
	cli_watch(c, fx->loop, fd, true);
	return c;
}

/* A TCP client connected to listener idx (the kernel accepts for it). */
static struct cli *cli_tcp(struct fx *fx, size_t idx)
{
	struct gw_tp_local lp = local(fx, idx);
	struct cli *c = cli_new();
	int fd;

	fd = socket(lp.addr.ss_family, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&lp.addr, lp.addrlen), 0);
	cli_watch(c, fx->loop, fd, false);
	return c;
}

static void cli_send(struct cli *c, const char *p, size_t n)
{
	assert_int_equal(send(c->fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void cli_sendto(struct cli *c, const struct fx *fx, size_t idx,
		       const char *p, size_t n)
{
	struct gw_tp_local lp = local(fx, idx);

	assert_int_equal(sendto(c->fd, p, n, 0, (struct sockaddr *)&lp.addr,
				lp.addrlen), (ssize_t)n);
}

/* A TCP server for outbound tests: accepts into cli slots. */
struct srv {
	struct gw_loop *loop;
	int fd;
	struct gw_fd w;
	uint16_t port;
	struct cli *c[4];
	size_t n;
};

static void srv_h(int fd, uint32_t events, void *arg)
{
	struct srv *s = arg;
	int cfd;

	(void)events;
	cfd = accept(fd, NULL, NULL);
	if (cfd < 0)
		return;
	assert_true(s->n < 4);
	s->c[s->n] = cli_new();
	cli_watch(s->c[s->n++], s->loop, cfd, false);
}

static void srv_open(struct srv *s, struct gw_loop *loop, int family)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(s, 0, sizeof(*s));
	s->loop = loop;
	loopback(family, &ss, &sl);
	s->fd = socket(family, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&ss, sl), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	sl = sizeof(ss);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&ss, &sl), 0);
	s->port = port_of(&ss);
	assert_int_equal(gw_fd_watch(loop, &s->w, s->fd, EPOLLIN, srv_h, s), 0);
}

static void srv_close(struct srv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		cli_free(s->c[i]);
	gw_fd_unwatch(s->loop, &s->w);
	close(s->fd);
}

/* ---- messages ---- */

/*
 * A SIP message: start line, Via value, Call-ID, CSeq value, body, and
 * clen: -1 the right Content-Length, -2 none, else that value.
 */
static size_t mkmsg(char *b, size_t size, const char *start, const char *via,
		    const char *callid, const char *cseq, const char *body,
		    long clen)
{
	char cl[48] = "";
	int n;

	if (clen == -1)
		snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", strlen(body));
	else if (clen >= 0)
		snprintf(cl, sizeof(cl), "Content-Length: %ld\r\n", clen);
	n = snprintf(b, size,
		     "%s\r\n"
		     "Via: %s\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:web@pint.invalid>;tag=f1\r\n"
		     "To: <sip:gw@pint.invalid>\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: %s\r\n"
		     "%s"
		     "\r\n%s",
		     start, via, callid, cseq, cl, body);
	assert_true(n > 0 && (size_t)n < size);
	return (size_t)n;
}

#define OPTIONS "OPTIONS sip:gw@pint.invalid SIP/2.0"

static size_t mkreq(char *b, size_t size, const char *proto, const char *callid)
{
	char via[128];

	snprintf(via, sizeof(via), "SIP/2.0/%s client.invalid:5099;branch=z9hG4bK%s;rport",
		 proto, callid);
	return mkmsg(b, size, OPTIONS, via, callid, "1 OPTIONS", "", -1);
}

static const char *callid(const osip_message_t *m)
{
	assert_non_null(m->call_id);
	return m->call_id->number;
}

/* ---- predicates ---- */

struct want {
	struct fx *fx;
	struct cli *c;
	struct srv *s;
	size_t n;
	uint64_t v;
};

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static bool w_msgs(void *arg)
{
	const struct want *w = arg;

	return w->fx->n >= w->n;
}

static bool w_dgrams(void *arg)
{
	const struct want *w = arg;

	return w->c->ndg >= w->n;
}

static bool w_bytes(void *arg)
{
	const struct want *w = arg;

	return w->c->len >= w->n;
}

static bool w_eof(void *arg)
{
	const struct want *w = arg;

	return w->c->eof;
}

static bool w_errs(void *arg)
{
	const struct want *w = arg;

	return w->fx->nerr >= w->n;
}

static bool w_tcp_in_bytes(void *arg)
{
	const struct want *w = arg;

	return stats(w->fx).tcp_in_bytes >= w->v;
}

static bool w_udp_in(void *arg)
{
	const struct want *w = arg;

	return stats(w->fx).udp_in >= w->v;
}

static bool w_rx_drops(void *arg)
{
	const struct want *w = arg;

	return stats(w->fx).rx_drops > 0;
}

static bool w_closed(void *arg)
{
	const struct want *w = arg;

	return stats(w->fx).tcp_closed >= w->v;
}

static bool w_accepts(void *arg)
{
	const struct want *w = arg;
	struct gw_tp_stats st = stats(w->fx);

	return st.tcp_accepted + st.tcp_refused >= w->v;
}

static void wait_msgs(struct fx *fx, size_t n)
{
	struct want w = { .fx = fx, .n = n };

	run_until(fx, w_msgs, &w);
}

static void wait_dgrams(struct fx *fx, struct cli *c, size_t n)
{
	struct want w = { .fx = fx, .c = c, .n = n };

	run_until(fx, w_dgrams, &w);
}

static void wait_bytes(struct fx *fx, struct cli *c, size_t n)
{
	struct want w = { .fx = fx, .c = c, .n = n };

	run_until(fx, w_bytes, &w);
}

static void wait_eof(struct fx *fx, struct cli *c)
{
	struct want w = { .fx = fx, .c = c };

	run_until(fx, w_eof, &w);
}

/* ---- peers and configuration ---- */

static void test_peer_str(void **state)
{
	static const struct {
		const char *tp, *host;
		uint16_t port;
		int err;
		const char *str;
	} t[] = {
		{ "udp", "127.0.0.1", 5060, 0, "udp:127.0.0.1:5060" },
		{ "TCP", "::1", 5060, 0, "tcp:[::1]:5060" },
		{ "tcp", "[2001:db8::1]", 5061, 0, "tcp:[2001:db8::1]:5061" },
		{ "Udp", "192.0.2.7", 65535, 0, "udp:192.0.2.7:65535" },
		{ "udp", "pint.example.com", 5060, EINVAL, NULL },
		{ "udp", "1.2.3", 5060, EINVAL, NULL },
		{ "udp", "[127.0.0.1", 5060, EINVAL, NULL },
		{ "udp", "", 5060, EINVAL, NULL },
		{ "sctp", "127.0.0.1", 5060, EINVAL, NULL },
		{ "udp", "127.0.0.1", 0, EINVAL, NULL },
	};
	struct gw_tp_peer p;
	char buf[GW_TP_PEER_STRLEN], ip[64];
	uint16_t port;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(gw_tp_peer_from_str(&p, t[i].tp, t[i].host, t[i].port),
				 t[i].err);
		if (t[i].err)
			continue;
		assert_int_equal(p.conn, 0);
		assert_int_equal(p.local, -1);
		assert_int_equal(gw_tp_peer_str(&p, buf, sizeof(buf)), 0);
		assert_string_equal(buf, t[i].str);
		assert_int_equal(gw_tp_peer_ip(&p, ip, sizeof(ip), &port), 0);
		assert_int_equal(port, t[i].port);
		assert_int_equal(gw_tp_peer_str(&p, buf, 8), EMSGSIZE);
	}
	/* long forms fit the documented size */
	assert_int_equal(gw_tp_peer_from_str(&p, "tcp",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535), 0);
	assert_int_equal(gw_tp_peer_str(&p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "tcp:[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	assert_int_equal(gw_tp_peer_from_str(&p, "udp", "::ffff:255.255.255.255", 1), 0);
	assert_int_equal(gw_tp_peer_str(&p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "udp:[::ffff:255.255.255.255]:1");
}

static void test_cfg_errors(void **state)
{
	struct gw_tp_listen_cfg lc[2] = {
		{ .addr = "127.0.0.1", .udp = true },
		{ .addr = "127.0.0.1", .udp = true },
	};
	struct gw_tp_cfg cfg = { .listen = lc, .nlisten = 1, .recv_h = recv_h };
	struct sockaddr_storage ss;
	struct gw_loop *loop;
	struct gw_tp *tp = NULL;
	size_t failed = 99;
	socklen_t sl;
	int fd;

	(void)state;
	assert_int_equal(gw_loop_alloc(&loop), 0);
	cfg.nlisten = 0;
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, NULL), EINVAL);
	cfg.nlisten = GW_TP_MAX_LISTENERS + 1;
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, NULL), EINVAL);
	cfg.nlisten = 1;
	cfg.recv_h = NULL;
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, NULL), EINVAL);
	cfg.recv_h = recv_h;
	cfg.max_msg = GW_TP_MIN_MAX_MSG - 1;
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, NULL), EINVAL);
	cfg.max_msg = PINT_SIP_MAX_MSG + 1;
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, NULL), EINVAL);
	cfg.max_msg = 2048;
	cfg.max_queue = 2047;
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, NULL), EINVAL);
	cfg.max_msg = 0;
	cfg.max_queue = 0;

	/* the second listener is the bad one, the first is closed again */
	cfg.nlisten = 2;
	lc[1].addr = "localhost";
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, &failed), EINVAL);
	assert_int_equal(failed, 1);
	lc[1].addr = "::1";
	lc[1].udp = false;
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, &failed), EINVAL);
	lc[1].udp = true;

	/* a port in use */
	loopback(AF_INET, &ss, &sl);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
	sl = sizeof(ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	lc[1].addr = "127.0.0.1";
	lc[1].port = port_of(&ss);
	failed = 99;
	assert_int_equal(gw_tp_alloc(&tp, loop, &cfg, &failed), EADDRINUSE);
	assert_int_equal(failed, 1);
	assert_null(tp);
	close(fd);
	assert_int_equal(gw_loop_verify(loop), 0);
	gw_loop_free(loop);
}

static long rmem_max(void)
{
	FILE *f = fopen("/proc/sys/net/core/rmem_max", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Bound ports, both transports on one port, and the UDP buffer sizes. */
static void test_listeners(void **state)
{
	struct fx fx;
	struct gw_tp_local lp;
	long rmax = rmem_max();
	size_t i;

	(void)state;
	fx_init(&fx, hosts[0], true, true);
	fx.lc[1].addr = "[::1]";
	fx.lc[1].udp = true;
	fx.lc[1].tcp = true;
	fx.cfg.nlisten = 2;
	fx_start(&fx);
	for (i = 0; i < 2; i++) {
		lp = local(&fx, i);
		assert_true(lp.udp && lp.tcp);
		assert_int_equal(lp.addr.ss_family, i == 0 ? AF_INET : AF_INET6);
		assert_int_not_equal(port_of(&lp.addr), 0);
		printf("# listener %zu: port %u rcvbuf %d sndbuf %d (asked %u, "
		       "rmem_max %ld, euid %d)\n", i, port_of(&lp.addr), lp.rcvbuf,
		       lp.sndbuf, GW_TP_DEF_SOCKBUF, rmax, (int)geteuid());
		/* what the kernel guarantees: min(asked, rmem_max) at least */
		if (rmax > 0)
			assert_true(lp.rcvbuf >= (rmax < (long)GW_TP_DEF_SOCKBUF ?
						  rmax : (long)GW_TP_DEF_SOCKBUF));
		if (geteuid() == 0) {
			assert_true(lp.rcvbuf >= 1024 * 1024);
			assert_true(lp.sndbuf >= 1024 * 1024);
		}
	}
	assert_int_equal(gw_tp_local(fx.tp, 2, &lp), ENOENT);
	fx_done(&fx);
}

/* ---- UDP ---- */

/* A request reaches the handler with received/rport set; a reply goes back. */
static void test_udp_request(void **state)
{
	static const struct {
		const char *sentby;     /* NULL: the client's own address */
		const char *params;
		bool received;
		bool rport;
	} t[] = {
		{ "client.invalid:5099", "branch=z9hG4bKa;rport", true, true },
		{ NULL, "branch=z9hG4bKb", false, false },
		{ NULL, "rport;branch=z9hG4bKc", true, true },
		{ "192.0.2.1", "branch=z9hG4bKd", true, false },
		{ NULL, "branch=z9hG4bKe;received=192.0.2.9", true, false },
	};
	size_t h, i;

	(void)state;
	for (h = 0; h < 2; h++) {
		struct fx fx;
		struct cli *c;
		char ip[64], host[70], via[160], buf[1024];
		uint16_t cport;

		fx_init(&fx, hosts[h], true, false);
		fx_start(&fx);
		c = cli_udp(&fx, h ? AF_INET6 : AF_INET);
		assert_int_equal(gw_tp_peer_ip(&(struct gw_tp_peer){ .addr = c->addr },
					       ip, sizeof(ip), &cport), 0);
		snprintf(host, sizeof(host), h ? "[%s]" : "%s", ip);
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			struct pint_sip_via v;
			struct gw_tp_peer *from;
			char cid[16], *s;
			size_t n, slen;

			if (t[i].sentby)
				snprintf(via, sizeof(via), "SIP/2.0/UDP %s;%s",
					 t[i].sentby, t[i].params);
			else
				snprintf(via, sizeof(via), "SIP/2.0/UDP %s:%u;%s",
					 host, cport, t[i].params);
			snprintf(cid, sizeof(cid), "u%zu-%zu", h, i);
			n = mkmsg(buf, sizeof(buf), OPTIONS, via, cid, "1 OPTIONS", "", -1);
			cli_sendto(c, &fx, 0, buf, n);
			wait_msgs(&fx, i + 1);
			assert_string_equal(callid(fx.msg[i]), cid);
			/* the raw bytes are the datagram, Via untouched */
			assert_int_equal(fx.rawlen[i], n);
			assert_memory_equal(fx.raw[i], buf, n);
			from = &fx.from[i];
			assert_int_equal(from->proto, GW_TP_UDP);
			assert_int_equal(from->local, 0);
			assert_int_equal(from->conn, 0);
			assert_int_equal(port_of(&from->addr), cport);
			assert_int_equal(pint_sip_top_via(fx.msg[i], &v), 0);
			assert_int_equal(v.received.p != NULL, t[i].received);
			if (t[i].received)
				assert_true(pint_pl_eq(&v.received, ip));
			assert_int_equal(v.rport, t[i].rport);
			if (t[i].rport)
				assert_int_equal(v.rport_value, cport);
			/* the text osip prints was rebuilt after the edit */
			assert_int_equal(osip_message_to_str(fx.msg[i], &s, &slen), 0);
			assert_int_equal(strstr(s, "received=") != NULL, t[i].received);
			osip_free(s);

			/* the answer leaves from the socket the request came in on */
			n = mkmsg(buf, sizeof(buf), "SIP/2.0 200 OK", via, cid,
				  "1 OPTIONS", "", -1);
			assert_int_equal(gw_tp_send(fx.tp, from, buf, n), 0);
			wait_dgrams(&fx, c, i + 1);
			assert_memory_equal(c->dg[i], buf, n);
		}
		assert_int_equal(stats(&fx).udp_in, i);
		assert_int_equal(stats(&fx).udp_out, i);
		assert_int_equal(stats(&fx).parse_failures, 0);
		cli_free(c);
		fx_done(&fx);
	}
}

static const char bad_via[] = "SIP/2.0/UDP client.invalid;branch=z9hG4bKbad";

/* A malformed request gets a stateless answer on the sender's socket. */
static void test_udp_bad_request(void **state)
{
	static const struct {
		const char *start, *extra, *cseq, *body;
		long clen;
		const char *status;
	} t[] = {
		{ OPTIONS, "", "one OPTIONS", "", -1, "SIP/2.0 400 " },
		{ OPTIONS, "", "4294967496 OPTIONS", "", -1, "SIP/2.0 400 " },
		{ OPTIONS, "", "1 INVITE", "", -1, "SIP/2.0 400 " },
		{ OPTIONS, "", "1 OPTIONS", "abc", 50, "SIP/2.0 400 " },
		{ OPTIONS, "\r\nContent-Length: 2", "1 OPTIONS", "abc", -1,
		  "SIP/2.0 400 " },
		{ OPTIONS, "\r\nMax-Forwards: 4294967496", "1 OPTIONS", "", -1,
		  "SIP/2.0 400 " },
		{ "OPTIONS sip:gw@pint.invalid SIP/4294967496", "", "1 OPTIONS", "", -1,
		  "SIP/2.0 400 " },
		{ "OPTIONS sip:gw@pint.invalid SIP/3.0", "", "1 OPTIONS", "", -1,
		  "SIP/2.0 505 " },
		{ "OPTIONS http://gw.invalid/ SIP/2.0", "", "1 OPTIONS", "", -1,
		  "SIP/2.0 416 " },
	};
	size_t h, i;

	(void)state;
	for (h = 0; h < 2; h++) {
		struct fx fx;
		struct cli *c;
		char buf[1024], cid[16], via[160];

		fx_init(&fx, hosts[h], true, false);
		fx_start(&fx);
		c = cli_udp(&fx, h ? AF_INET6 : AF_INET);
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			size_t n;

			snprintf(cid, sizeof(cid), "bad%zu", i);
			snprintf(via, sizeof(via), "%s%s", bad_via, t[i].extra);
			n = mkmsg(buf, sizeof(buf), t[i].start, via, cid, t[i].cseq,
				  t[i].body, t[i].clen);
			cli_sendto(c, &fx, 0, buf, n);
			wait_dgrams(&fx, c, i + 1);
			if (memcmp(c->dg[i], t[i].status, strlen(t[i].status)) != 0)
				fail_msg("case %zu: %s", i, c->dg[i]);
			assert_non_null(strstr(c->dg[i], cid));
			assert_non_null(strstr(c->dg[i], "z9hG4bKbad"));
			assert_non_null(strstr(c->dg[i], "To: <sip:gw@pint.invalid>;tag="));
		}
		assert_int_equal(fx.n, 0);
		assert_int_equal(stats(&fx).parse_failures, i);
		assert_int_equal(stats(&fx).stateless_answers, i);
		cli_free(c);
		fx_done(&fx);
	}
}

/* Send junk, then a bad request as a marker: the marker's 400 must be all. */
static void test_udp_dropped(void **state)
{
	static const char bin[] = "\x00\x01\x02\xff\xfe garbage \x00\r\n\r\n";
	char marker[1024];
	struct fx fx;
	struct cli *c;
	size_t n, mn, i, nj = 0;
	struct { char b[1024]; size_t n; } junk[8];
	struct want w;

	(void)state;
	fx_init(&fx, hosts[0], true, false);
	fx_start(&fx);
	c = cli_udp(&fx, AF_INET);

	n = (size_t)snprintf(junk[nj].b, sizeof(junk[nj].b), "hello world\r\n\r\n");
	junk[nj++].n = n;
	memcpy(junk[nj].b, bin, sizeof(bin) - 1);
	junk[nj++].n = sizeof(bin) - 1;
	n = (size_t)snprintf(junk[nj].b, sizeof(junk[nj].b),
			     "GET / HTTP/1.1\r\nHost: gw\r\n\r\n");
	junk[nj++].n = n;
	/* responses failing validation: never answered */
	junk[nj].n = mkmsg(junk[nj].b, sizeof(junk[nj].b), "SIP/2.0 200 OK", bad_via,
			   "r1", "x OPTIONS", "", -1);
	nj++;
	junk[nj].n = mkmsg(junk[nj].b, sizeof(junk[nj].b),
			   "SIP/2.0 4294967496 OK", bad_via, "r2", "1 OPTIONS", "", -1);
	nj++;
	/* an ACK is never answered either */
	junk[nj].n = mkmsg(junk[nj].b, sizeof(junk[nj].b),
			   "ACK sip:gw@pint.invalid SIP/2.0", bad_via, "a1", "1 ACK",
			   "abc", 50);
	nj++;
	/* a request without Call-ID: nothing to build an answer from */
	n = (size_t)snprintf(junk[nj].b, sizeof(junk[nj].b),
			     OPTIONS "\r\nVia: %s\r\nCSeq: 1 OPTIONS\r\n\r\n", bad_via);
	junk[nj++].n = n;
	/* a keep-alive */
	memcpy(junk[nj].b, "\r\n\r\n", 4);
	junk[nj++].n = 4;

	for (i = 0; i < nj; i++)
		cli_sendto(c, &fx, 0, junk[i].b, junk[i].n);
	mn = mkmsg(marker, sizeof(marker), OPTIONS, bad_via, "marker", "x OPTIONS",
		   "", -1);
	cli_sendto(c, &fx, 0, marker, mn);
	w = (struct want){ .fx = &fx, .v = nj + 1 };
	run_until(&fx, w_udp_in, &w);
	wait_dgrams(&fx, c, 1);
	assert_int_equal(c->ndg, 1);
	assert_non_null(strstr(c->dg[0], "marker"));
	assert_int_equal(fx.n, 0);
	/* the keep-alive is neither a failure nor a drop */
	assert_int_equal(stats(&fx).parse_failures, nj);
	assert_int_equal(stats(&fx).dropped, nj - 1);
	assert_int_equal(stats(&fx).stateless_answers, 1);
	cli_free(c);
	fx_done(&fx);
}

/* Over max_msg: dropped unread, neither delivered nor answered. */
static void test_udp_oversize(void **state)
{
	char big[3000], body[2000], marker[512];
	struct fx fx;
	struct cli *c;
	size_t n, mn;
	struct want w;

	(void)state;
	fx_init(&fx, hosts[1], true, false);
	fx.cfg.max_msg = 1024;
	fx_start(&fx);
	c = cli_udp(&fx, AF_INET6);
	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	n = mkmsg(big, sizeof(big), OPTIONS, bad_via, "big", "1 OPTIONS", body, -1);
	assert_true(n > 1024);
	cli_sendto(c, &fx, 0, big, n);
	/* exactly max_msg still goes through */
	n = mkmsg(big, sizeof(big), OPTIONS, bad_via, "edge", "1 OPTIONS", "", -1);
	memset(body, 'y', 1024 - n - 2);
	body[1024 - n - 2] = '\0';
	n = mkmsg(big, sizeof(big), OPTIONS, bad_via, "edge", "1 OPTIONS", body, -1);
	assert_int_equal(n, 1024);
	cli_sendto(c, &fx, 0, big, n);
	mn = mkmsg(marker, sizeof(marker), OPTIONS, bad_via, "marker", "x OPTIONS",
		   "", -1);
	cli_sendto(c, &fx, 0, marker, mn);
	w = (struct want){ .fx = &fx, .v = 3 };
	run_until(&fx, w_udp_in, &w);
	wait_dgrams(&fx, c, 1);
	assert_int_equal(c->ndg, 1);
	assert_non_null(strstr(c->dg[0], "marker"));
	assert_int_equal(fx.n, 1);
	assert_string_equal(callid(fx.msg[0]), "edge");
	assert_int_equal(stats(&fx).oversize, 1);
	assert_int_equal(stats(&fx).dropped, 1);
	cli_free(c);
	fx_done(&fx);
}

/* A tiny receive buffer overflows; SO_RXQ_OVFL reports it on the next read. */
static void test_udp_rx_drops(void **state)
{
	char buf[2048], body[800];
	struct fx fx;
	struct cli *c;
	size_t n, i;
	struct want w;

	(void)state;
	fx_init(&fx, hosts[0], true, false);
	fx.cfg.udp_rcvbuf = 4096;
	fx_start(&fx);
	c = cli_udp(&fx, AF_INET);
	memset(body, 'z', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	n = mkmsg(buf, sizeof(buf), OPTIONS, bad_via, "flood", "1 OPTIONS", body, -1);
	for (i = 0; i < 64; i++)
		cli_sendto(c, &fx, 0, buf, n);
	wait_msgs(&fx, 1);
	assert_true(fx.n < 64);
	/* the count rides on the first datagram queued after the drops */
	w = (struct want){ .fx = &fx };
	cli_sendto(c, &fx, 0, buf, n);
	run_until(&fx, w_rx_drops, &w);
	printf("# rcvbuf %d: %zu of 65 delivered, rx_drops %llu\n", local(&fx, 0).rcvbuf,
	       fx.n, (unsigned long long)stats(&fx).rx_drops);
	assert_true(stats(&fx).rx_drops + fx.n >= 64);
	cli_free(c);
	fx_done(&fx);
}

/* ---- TCP inbound ---- */

static void test_tcp_two_in_one(void **state)
{
	size_t h;

	(void)state;
	for (h = 0; h < 2; h++) {
		char buf[2048];
		struct fx fx;
		struct cli *c;
		size_t n;

		fx_init(&fx, hosts[h], false, true);
		fx_start(&fx);
		c = cli_tcp(&fx, 0);
		n = mkreq(buf, sizeof(buf), "TCP", "one");
		n += mkreq(buf + n, sizeof(buf) - n, "TCP", "two");
		cli_send(c, buf, n);
		wait_msgs(&fx, 2);
		assert_string_equal(callid(fx.msg[0]), "one");
		assert_string_equal(callid(fx.msg[1]), "two");
		/* each message's own bytes, cut where the stream frames it */
		assert_int_equal(fx.rawlen[0] + fx.rawlen[1], n);
		assert_memory_equal(fx.raw[0], buf, fx.rawlen[0]);
		assert_memory_equal(fx.raw[1], buf + fx.rawlen[0], fx.rawlen[1]);
		assert_int_equal(fx.from[0].proto, GW_TP_TCP);
		assert_int_equal(fx.from[0].local, 0);
		assert_int_not_equal(fx.from[0].conn, 0);
		assert_int_equal(fx.from[0].conn, fx.from[1].conn);
		assert_int_equal(port_of(&fx.from[0].addr), port_of(&c->addr));
		assert_int_equal(stats(&fx).tcp_in, 2);
		assert_int_equal(stats(&fx).tcp_accepted, 1);
		assert_int_equal(stats(&fx).tcp_open, 1);
		cli_free(c);
		fx_done(&fx);
	}
}

/* One message split at every point, CRLF keep-alives in front of each. */
static void test_tcp_split(void **state)
{
	char msg[512], buf[600];
	struct fx fx;
	struct cli *c;
	size_t n, k, sent = 0;
	struct want w = { .fx = &fx };

	(void)state;
	fx_init(&fx, hosts[0], false, true);
	fx.cfg.max_msg = 1024;
	fx_start(&fx);
	c = cli_tcp(&fx, 0);
	n = mkmsg(msg, sizeof(msg), OPTIONS, "SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKs",
		  "split", "1 OPTIONS", "body", -1);
	memcpy(buf, "\r\n\r\n", 4);
	memcpy(buf + 4, msg, n);
	n += 4;
	for (k = 1; k < n; k++) {
		cli_send(c, buf, k);
		sent += k;
		w.v = sent;
		run_until(&fx, w_tcp_in_bytes, &w);
		assert_int_equal(fx.n, 0);
		cli_send(c, buf + k, n - k);
		sent += n - k;
		wait_msgs(&fx, 1);
		assert_string_equal(callid(fx.msg[0]), "split");
		/* the keep-alive CRLFs in front are not part of it */
		assert_int_equal(fx.rawlen[0], n - 4);
		assert_memory_equal(fx.raw[0], msg, n - 4);
		osip_message_free(fx.msg[0]);
		fx.n = 0;
	}
	assert_int_equal(stats(&fx).tcp_in, n - 1);
	assert_int_equal(stats(&fx).tcp_framing_errors, 0);
	assert_int_equal(stats(&fx).tcp_accepted, 1);
	assert_int_equal(stats(&fx).tcp_open, 1);
	cli_free(c);
	fx_done(&fx);
}

static void test_tcp_keepalive(void **state)
{
	char buf[1024];
	struct fx fx;
	struct cli *c;
	size_t n, i;
	struct want w = { .fx = &fx };

	(void)state;
	fx_init(&fx, hosts[1], false, true);
	fx_start(&fx);
	c = cli_tcp(&fx, 0);
	for (i = 1; i <= 5; i++) {
		cli_send(c, "\r\n\r\n", 4);
		w.v = 4 * i;
		run_until(&fx, w_tcp_in_bytes, &w);
	}
	/* RFC 5626 pong-sized CRLF too, then a message with CRLFs around it */
	n = (size_t)snprintf(buf, sizeof(buf), "\r\n");
	n += mkreq(buf + n, sizeof(buf) - n, "TCP", "ka");
	memcpy(buf + n, "\r\n\r\n", 4);
	n += 4;
	cli_send(c, buf, n);
	wait_msgs(&fx, 1);
	assert_string_equal(callid(fx.msg[0]), "ka");
	assert_false(c->eof);
	assert_int_equal(stats(&fx).tcp_framing_errors, 0);
	assert_int_equal(stats(&fx).tcp_open, 1);
	cli_free(c);
	fx_done(&fx);
}

/* Missing or bad Content-Length, or no end in max_msg bytes: closed. */
static void test_tcp_framing_error(void **state)
{
	static const char *const bad[] = {
		OPTIONS "\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCall-ID: x\r\n\r\n",
		OPTIONS "\r\nContent-Length: abc\r\n\r\n",
		OPTIONS "\r\nContent-Length: 1\r\nl: 2\r\n\r\nab",
		NULL,   /* max_msg bytes of header without an end */
	};
	char junk[1024];
	size_t i;

	(void)state;
	memset(junk, 'a', sizeof(junk));
	for (i = 0; i < 4; i++) {
		char buf[2048];
		struct fx fx;
		struct cli *c;
		size_t n = 0;

		fx_init(&fx, hosts[i % 2], false, true);
		fx.cfg.max_msg = 1024;
		fx_start(&fx);
		c = cli_tcp(&fx, 0);
		/* a good message first: it is delivered before the close */
		n = mkreq(buf, sizeof(buf), "TCP", "good");
		if (bad[i]) {
			memcpy(buf + n, bad[i], strlen(bad[i]));
			n += strlen(bad[i]);
		} else {
			memcpy(buf + n, junk, sizeof(junk));
			n += sizeof(junk);
		}
		cli_send(c, buf, n);
		wait_eof(&fx, c);
		assert_int_equal(fx.n, 1);
		assert_string_equal(callid(fx.msg[0]), "good");
		assert_int_equal(stats(&fx).tcp_framing_errors, 1);
		assert_int_equal(stats(&fx).tcp_open, 0);
		assert_int_equal(stats(&fx).tcp_closed, 1);
		assert_int_equal(fx.nerr, 0);
		cli_free(c);
		fx_done(&fx);
	}
}

/* A framed but invalid request: 400 on the same connection, which stays. */
static void test_tcp_bad_request(void **state)
{
	char buf[1024];
	struct fx fx;
	struct cli *c;
	size_t n;

	(void)state;
	fx_init(&fx, hosts[0], false, true);
	fx_start(&fx);
	c = cli_tcp(&fx, 0);
	n = mkmsg(buf, sizeof(buf), OPTIONS, "SIP/2.0/TCP h;branch=z9hG4bKt", "tbad",
		  "99999999999 OPTIONS", "", -1);
	cli_send(c, buf, n);
	wait_bytes(&fx, c, 20);
	assert_memory_equal(c->buf, "SIP/2.0 400 ", 12);
	n = mkreq(buf, sizeof(buf), "TCP", "after");
	cli_send(c, buf, n);
	wait_msgs(&fx, 1);
	assert_string_equal(callid(fx.msg[0]), "after");
	assert_false(c->eof);
	assert_int_equal(stats(&fx).stateless_answers, 1);
	cli_free(c);
	fx_done(&fx);
}

/* Replies go back on the connection the request came in on. */
static void test_tcp_reply_same_conn(void **state)
{
	size_t h;

	(void)state;
	for (h = 0; h < 2; h++) {
		char buf[1024], rep[1024];
		struct fx fx;
		struct cli *a, *b;
		size_t n, rn;

		fx_init(&fx, hosts[h], true, true);
		fx_start(&fx);
		a = cli_tcp(&fx, 0);
		b = cli_tcp(&fx, 0);
		n = mkreq(buf, sizeof(buf), "TCP", "from-a");
		cli_send(a, buf, n);
		wait_msgs(&fx, 1);
		n = mkreq(buf, sizeof(buf), "TCP", "from-b");
		cli_send(b, buf, n);
		wait_msgs(&fx, 2);
		assert_int_not_equal(fx.from[0].conn, fx.from[1].conn);

		rn = mkmsg(rep, sizeof(rep), "SIP/2.0 200 OK",
			   "SIP/2.0/TCP client.invalid;branch=z9hG4bKfrom-b", "from-b",
			   "1 OPTIONS", "", -1);
		assert_int_equal(gw_tp_send(fx.tp, &fx.from[1], rep, rn), 0);
		wait_bytes(&fx, b, rn);
		assert_memory_equal(b->buf, rep, rn);
		assert_int_equal(a->len, 0);
		/* by id alone: the address is not needed while it is open */
		{
			struct gw_tp_peer p = { .proto = GW_TP_TCP, .conn = fx.from[0].conn };

			assert_int_equal(gw_tp_send(fx.tp, &p, rep, rn), 0);
		}
		wait_bytes(&fx, a, rn);
		assert_int_equal(b->len, rn);
		assert_int_equal(stats(&fx).tcp_open, 2);
		assert_int_equal(stats(&fx).tcp_connects, 0);
		cli_free(a);
		cli_free(b);
		fx_done(&fx);
	}
}

static bool w_srv_bytes(void *arg)
{
	const struct want *w = arg;

	return w->s->n > 0 && w->s->c[0]->len >= w->n;
}

/* A send to a new address connects; the next one reuses the connection. */
static void test_tcp_connect_reuse(void **state)
{
	size_t h;

	(void)state;
	for (h = 0; h < 2; h++) {
		char m1[1024], m2[1024], rep[1024];
		struct gw_tp_peer to;
		struct fx fx;
		struct srv s;
		struct want w;
		size_t n1, n2, rn;

		fx_init(&fx, hosts[h], false, true);
		fx_start(&fx);
		srv_open(&s, fx.loop, h ? AF_INET6 : AF_INET);
		assert_int_equal(gw_tp_peer_from_str(&to, "tcp", hosts[h], s.port), 0);
		n1 = mkreq(m1, sizeof(m1), "TCP", "out-1");
		n2 = mkreq(m2, sizeof(m2), "TCP", "out-2");
		/* the second one is queued behind the first while connecting */
		assert_int_equal(gw_tp_send(fx.tp, &to, m1, n1), 0);
		assert_int_equal(gw_tp_send(fx.tp, &to, m2, n2), 0);
		w = (struct want){ .fx = &fx, .s = &s, .n = n1 + n2 };
		run_until(&fx, w_srv_bytes, &w);
		assert_memory_equal(s.c[0]->buf, m1, n1);
		assert_memory_equal(s.c[0]->buf + n1, m2, n2);
		/* and once it is open */
		assert_int_equal(gw_tp_send(fx.tp, &to, m1, n1), 0);
		w.n = 2 * n1 + n2;
		run_until(&fx, w_srv_bytes, &w);
		assert_int_equal(s.n, 1);
		assert_int_equal(stats(&fx).tcp_connects, 1);
		assert_int_equal(stats(&fx).tcp_out, 3);
		assert_int_equal(stats(&fx).tcp_out_bytes, 2 * n1 + n2);

		/* the answer comes in on that connection, with its id */
		rn = mkmsg(rep, sizeof(rep), "SIP/2.0 200 OK",
			   "SIP/2.0/TCP pintgw.invalid;branch=z9hG4bKout-1", "out-1",
			   "1 OPTIONS", "", -1);
		cli_send(s.c[0], rep, rn);
		wait_msgs(&fx, 1);
		assert_int_equal(fx.from[0].proto, GW_TP_TCP);
		assert_int_equal(fx.from[0].local, -1);
		assert_int_not_equal(fx.from[0].conn, 0);
		assert_int_equal(port_of(&fx.from[0].addr), s.port);
		assert_int_equal(gw_tp_send(fx.tp, &fx.from[0], m2, n2), 0);
		w.n = 2 * n1 + 2 * n2;
		run_until(&fx, w_srv_bytes, &w);
		assert_int_equal(s.n, 1);
		assert_int_equal(stats(&fx).tcp_open, 1);
		srv_close(&s);
		fx_done(&fx);
	}
}

/* Past max_queue bytes waiting: ENOBUFS, and nothing of that message sent. */
static void test_tcp_queue_limit(void **state)
{
	char m[1024];
	struct gw_tp_peer to;
	struct fx fx;
	struct srv s;
	struct want w;

	(void)state;
	fx_init(&fx, hosts[0], false, true);
	fx.cfg.max_msg = 1024;
	fx.cfg.max_queue = 1024;
	fx_start(&fx);
	srv_open(&s, fx.loop, AF_INET);
	assert_int_equal(gw_tp_peer_from_str(&to, "tcp", hosts[0], s.port), 0);
	memset(m, 'q', sizeof(m));
	assert_int_equal(gw_tp_send(fx.tp, &to, m, 800), 0);
	assert_int_equal(gw_tp_send(fx.tp, &to, m, 800), ENOBUFS);
	assert_int_equal(gw_tp_send(fx.tp, &to, m, 224), 0);
	assert_int_equal(gw_tp_send(fx.tp, &to, m, 1), ENOBUFS);
	assert_int_equal(gw_tp_send(fx.tp, &to, m, 0), EINVAL);
	w = (struct want){ .fx = &fx, .s = &s, .n = 1024 };
	run_until(&fx, w_srv_bytes, &w);
	assert_int_equal(stats(&fx).send_errors, 2);
	assert_int_equal(stats(&fx).tcp_out, 2);
	/* drained: room again */
	assert_int_equal(gw_tp_send(fx.tp, &to, m, 800), 0);
	w.n = 1824;
	run_until(&fx, w_srv_bytes, &w);
	assert_int_equal(s.c[0]->len, 1824);
	srv_close(&s);
	fx_done(&fx);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Idle connections close after the timeout, counted from the last read:
 * only lower bounds on time are asserted, a busy machine only adds.
 */
static void idle_case(unsigned idle_ms, unsigned pause_ms)
{
	char buf[1024];
	struct fx fx;
	struct cli *c;
	uint64_t t0, t1;
	size_t n;

	fx_init(&fx, hosts[1], false, true);
	fx.cfg.tcp_idle_ms = idle_ms;
	fx_start(&fx);
	c = cli_tcp(&fx, 0);
	n = mkreq(buf, sizeof(buf), "TCP", "idle");
	t0 = mono_ms();
	cli_send(c, buf, n);
	wait_msgs(&fx, 1);
	if (pause_ms) {
		/* quiet for a while, then traffic: the timer starts over */
		assert_false(run_for(fx.loop, never, NULL, pause_ms));
		assert_false(c->eof);
		t0 = mono_ms();
		cli_send(c, buf, n);
		wait_msgs(&fx, 2);
	}
	wait_eof(&fx, c);
	t1 = mono_ms();
	assert_true(t1 - t0 >= idle_ms);
	assert_true(t1 - t0 < GUARD_MS);
	assert_int_equal(stats(&fx).tcp_idle_closed, 1);
	assert_int_equal(stats(&fx).tcp_open, 0);
	assert_int_equal(fx.nerr, 0);
	/* the id is gone; without an address there is nowhere to send */
	{
		struct gw_tp_peer p = { .proto = GW_TP_TCP, .conn = fx.from[0].conn };

		assert_int_equal(gw_tp_send(fx.tp, &p, buf, n), ENOENT);
	}
	cli_free(c);
	fx_done(&fx);
}

static void test_tcp_idle(void **state)
{
	(void)state;
	idle_case(50, 0);
	/* a wide margin: the pause may overrun on a loaded machine */
	idle_case(300, 30);
}

/* Over max_conns the extra connection is accepted and closed at once. */
static void test_tcp_max_conns(void **state)
{
	struct cli *c[3];
	struct fx fx;
	struct want w;
	size_t i, eofs = 0;

	(void)state;
	fx_init(&fx, hosts[0], false, true);
	fx.cfg.max_conns = 2;
	fx_start(&fx);
	for (i = 0; i < 3; i++)
		c[i] = cli_tcp(&fx, 0);
	w = (struct want){ .fx = &fx, .v = 3 };
	run_until(&fx, w_accepts, &w);
	wait_eof(&fx, c[2]);
	for (i = 0; i < 3; i++)
		eofs += c[i]->eof;
	assert_int_equal(eofs, 1);
	assert_int_equal(stats(&fx).tcp_accepted, 2);
	assert_int_equal(stats(&fx).tcp_refused, 1);
	assert_int_equal(stats(&fx).tcp_open, 2);
	/* a slot frees up: the next one is taken */
	cli_free(c[0]);
	w.v = 1;
	run_until(&fx, w_closed, &w);
	c[0] = cli_tcp(&fx, 0);
	w.v = 4;
	run_until(&fx, w_accepts, &w);
	assert_int_equal(stats(&fx).tcp_accepted, 3);
	assert_int_equal(stats(&fx).tcp_open, 2);
	assert_false(c[0]->eof);
	for (i = 0; i < 3; i++)
		cli_free(c[i]);
	fx_done(&fx);
}

/* A connection that cannot be made drops its queue and calls err_h. */
static void test_tcp_connect_refused(void **state)
{
	size_t h;

	(void)state;
	for (h = 0; h < 2; h++) {
		struct sockaddr_storage ss;
		struct gw_tp_peer to;
		char buf[1024], ps[GW_TP_PEER_STRLEN], ps2[GW_TP_PEER_STRLEN];
		struct fx fx;
		struct want w;
		socklen_t sl;
		size_t n;
		int fd, err;

		fx_init(&fx, hosts[h], false, true);
		fx_start(&fx);
		/* a port that was just free: bound, never listened on */
		loopback(h ? AF_INET6 : AF_INET, &ss, &sl);
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
		sl = sizeof(ss);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
		assert_int_equal(gw_tp_peer_from_str(&to, "tcp", hosts[h], port_of(&ss)), 0);
		n = mkreq(buf, sizeof(buf), "TCP", "nobody");
		err = gw_tp_send(fx.tp, &to, buf, n);
		assert_int_equal(err, 0);
		w = (struct want){ .fx = &fx, .n = 1 };
		run_until(&fx, w_errs, &w);
		close(fd);
		assert_int_equal(fx.err[0], ECONNREFUSED);
		assert_int_equal(gw_tp_peer_str(&to, ps, sizeof(ps)), 0);
		assert_int_equal(gw_tp_peer_str(&fx.errp[0], ps2, sizeof(ps2)), 0);
		assert_string_equal(ps, ps2);
		assert_int_not_equal(fx.errp[0].conn, 0);
		assert_int_equal(stats(&fx).tcp_open, 0);
		assert_int_equal(stats(&fx).send_errors, 1);
		fx_done(&fx);
	}
}

/* Freeing with live connections, queues and pending frees leaves nothing. */
static void test_free_busy(void **state)
{
	struct gw_loop_stats before, after;
	struct gw_tp_peer to;
	char buf[1024];
	struct fx fx;
	struct cli *c;
	struct srv s;
	size_t n;

	(void)state;
	fx_init(&fx, hosts[0], true, true);
	gw_loop_stats(fx.loop, &before);
	fx_start(&fx);
	srv_open(&s, fx.loop, AF_INET);
	c = cli_tcp(&fx, 0);
	n = mkreq(buf, sizeof(buf), "TCP", "busy");
	cli_send(c, buf, n);
	cli_send(c, buf, n / 2);      /* half a message buffered */
	wait_msgs(&fx, 1);
	assert_int_equal(gw_tp_peer_from_str(&to, "tcp", hosts[0], s.port), 0);
	assert_int_equal(gw_tp_send(fx.tp, &to, buf, n), 0);   /* connecting */
	srv_close(&s);
	cli_free(c);
	osip_message_free(fx.msg[0]);
	fx.n = 0;
	gw_tp_free(fx.tp);
	fx.tp = NULL;
	gw_loop_stats(fx.loop, &after);
	assert_int_equal(after.fds, before.fds);
	assert_int_equal(after.timers, before.timers);
	assert_int_equal(fx.nerr, 0);
	fx_done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_peer_str),
		leakcheck_test(test_cfg_errors),
		leakcheck_test(test_listeners),
		leakcheck_test(test_udp_request),
		leakcheck_test(test_udp_bad_request),
		leakcheck_test(test_udp_dropped),
		leakcheck_test(test_udp_oversize),
		leakcheck_test(test_udp_rx_drops),
		leakcheck_test(test_tcp_two_in_one),
		leakcheck_test(test_tcp_split),
		leakcheck_test(test_tcp_keepalive),
		leakcheck_test(test_tcp_framing_error),
		leakcheck_test(test_tcp_bad_request),
		leakcheck_test(test_tcp_reply_same_conn),
		leakcheck_test(test_tcp_connect_reuse),
		leakcheck_test(test_tcp_queue_limit),
		leakcheck_test(test_tcp_idle),
		leakcheck_test(test_tcp_max_conns),
		leakcheck_test(test_tcp_connect_refused),
		leakcheck_test(test_free_busy),
	};

	if (pint_sip_init() != 0)
		return 1;
	log_set_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests_name("gateway/transport", tests, NULL, NULL);
}
