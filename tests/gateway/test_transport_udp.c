/*
 * tests/gateway/test_transport_udp.c — gateway/transport_udp.c with real
 * sockets on 127.0.0.1 and the real loop: datagrams read in batches,
 * sends queued until the end of the loop turn and sent in order, the
 * queue sent on free, a hard send failure remembered for a while.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "tests/pint/test_common.h"
#include "gateway/loop.h"
#include "gateway/transport.h"

#define MANY 150u       /* more than the send queue */
#define MANY_IN (GW_TP_UDP_BATCH + 88u)        /* more than a turn's read batch */

struct fx {
	struct gw_loop *loop;
	struct gw_tp *tp;
	struct gw_tp_listen_cfg lc;
	struct gw_tp_cfg cfg;
	size_t n;               /* messages delivered */
	size_t per_turn[MANY_IN];       /* delivered after each turn */
	unsigned turns;
	unsigned stop_after;    /* turns to run */
	struct gw_prepare prep;
	int cfd;                /* a plain UDP socket, the peer */
	struct sockaddr_in caddr;
};

static void recv_h(osip_message_t *msg, const char *raw, size_t len,
		   const struct gw_tp_peer *from, void *arg)
{
	struct fx *fx = arg;

	(void)raw;
	(void)len;
	(void)from;
	fx->n++;
	osip_message_free(msg);
}

static int prep_h(void *arg)
{
	struct fx *fx = arg;

	if (fx->turns && fx->turns <= MANY_IN)
		fx->per_turn[fx->turns - 1] = fx->n;
	if (fx->turns++ >= fx->stop_after)
		gw_loop_stop(fx->loop);
	return 10;
}

/* Run k loop turns. */
static void turns(struct fx *fx, unsigned k)
{
	fx->turns = 0;
	fx->stop_after = k;
	gw_loop_add_prepare(fx->loop, &fx->prep, prep_h, fx);
	assert_int_equal(gw_loop_run(fx->loop), 0);
	gw_loop_del_prepare(fx->loop, &fx->prep);
}

static void fx_init(struct fx *fx)
{
	socklen_t sl = sizeof(fx->caddr);
	struct timeval tv = { .tv_sec = 2 };

	memset(fx, 0, sizeof(*fx));
	fx->lc.addr = "127.0.0.1";
	fx->lc.udp = true;
	fx->cfg.listen = &fx->lc;
	fx->cfg.nlisten = 1;
	fx->cfg.recv_h = recv_h;
	fx->cfg.arg = fx;
	assert_int_equal(gw_loop_alloc(&fx->loop), 0);
	assert_int_equal(gw_tp_alloc(&fx->tp, fx->loop, &fx->cfg, NULL), 0);
	fx->cfd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fx->cfd >= 0);
	fx->caddr.sin_family = AF_INET;
	fx->caddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fx->cfd, (struct sockaddr *)&fx->caddr,
			      sizeof(fx->caddr)), 0);
	assert_int_equal(getsockname(fx->cfd, (struct sockaddr *)&fx->caddr,
				     &sl), 0);
	assert_int_equal(setsockopt(fx->cfd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				    sizeof(tv)), 0);
}

static void fx_done(struct fx *fx)
{
	gw_tp_free(fx->tp);
	assert_int_equal(gw_loop_verify(fx->loop), 0);
	gw_loop_free(fx->loop);
	close(fx->cfd);
}

static struct gw_tp_stats stats(const struct fx *fx)
{
	struct gw_tp_stats st;

	gw_tp_stats(fx->tp, &st);
	return st;
}

/* The peer as gw_tp_send wants it. */
static struct gw_tp_peer peer(const struct fx *fx)
{
	struct gw_tp_peer p;

	assert_int_equal(gw_tp_peer_from_str(&p, "udp", "127.0.0.1",
					     ntohs(fx->caddr.sin_port)), 0);
	return p;
}

static size_t dgram(char *buf, size_t size, unsigned i)
{
	int n = snprintf(buf, size,
			 "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKu%u\r\n"
			 "From: <sip:peer@127.0.0.1>;tag=f%u\r\n"
			 "To: <sip:gw@127.0.0.1>\r\nCall-ID: u%u@127.0.0.1\r\n"
			 "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
			 i, i, i);

	assert_true(n > 0 && (size_t)n < size);
	return (size_t)n;
}

/* The next datagram the peer has, in buf; its length, or -1 if none. */
static ssize_t peer_recv(const struct fx *fx, char *buf, size_t size,
			 bool wait)
{
	return recv(fx->cfd, buf, size - 1, wait ? 0 : MSG_DONTWAIT);
}

/*
 * Sends wait for the end of the turn; more than the queue holds go out
 * sooner; all of them arrive, in order, counted once.
 */
static void test_send_queue(void **state)
{
	struct gw_tp_peer p;
	char buf[1024], got[1024];
	struct fx fx;
	unsigned i;
	size_t n;

	(void)state;
	fx_init(&fx);
	p = peer(&fx);
	for (i = 0; i < 10; i++) {
		n = dgram(buf, sizeof(buf), i);
		assert_int_equal(gw_tp_send(fx.tp, &p, buf, n), 0);
	}
	/* nothing left yet: the turn has not ended */
	assert_true(peer_recv(&fx, got, sizeof(got), false) < 0);
	assert_int_equal(stats(&fx).udp_out, 0);
	turns(&fx, 1);
	assert_int_equal(stats(&fx).udp_out, 10);
	for (i = 10; i < MANY; i++) {
		n = dgram(buf, sizeof(buf), i);
		assert_int_equal(gw_tp_send(fx.tp, &p, buf, n), 0);
	}
	turns(&fx, 1);
	for (i = 0; i < MANY; i++) {
		n = dgram(buf, sizeof(buf), i);
		assert_int_equal(peer_recv(&fx, got, sizeof(got), true),
				 (ssize_t)n);
		assert_memory_equal(got, buf, n);
	}
	assert_true(peer_recv(&fx, got, sizeof(got), false) < 0);
	assert_int_equal(stats(&fx).udp_out, MANY);
	assert_int_equal(stats(&fx).send_errors, 0);
	fx_done(&fx);
}

/* What is still queued when the transport is freed is sent first. */
static void test_free_sends_queue(void **state)
{
	struct gw_tp_peer p;
	char buf[1024], got[1024];
	struct fx fx;
	unsigned i;
	size_t n;

	(void)state;
	fx_init(&fx);
	p = peer(&fx);
	for (i = 0; i < 3; i++) {
		n = dgram(buf, sizeof(buf), i);
		assert_int_equal(gw_tp_send(fx.tp, &p, buf, n), 0);
	}
	gw_tp_free(fx.tp);
	fx.tp = NULL;
	for (i = 0; i < 3; i++) {
		n = dgram(buf, sizeof(buf), i);
		assert_int_equal(peer_recv(&fx, got, sizeof(got), true),
				 (ssize_t)n);
		assert_memory_equal(got, buf, n);
	}
	fx_done(&fx);
}

static void timer_h(void *arg)
{
	gw_loop_stop(arg);
}

/*
 * A send the kernel refuses (broadcast without SO_BROADCAST: EACCES) is
 * counted at the end of the turn; sends to that address then fail at
 * once, others go on, and after TP_FAIL_MS it is tried again.
 */
static void test_failure_remembered(void **state)
{
	struct gw_tp_peer p, bcast;
	struct gw_timer t;
	char buf[1024], got[1024];
	struct fx fx;
	size_t n;

	(void)state;
	memset(&t, 0, sizeof(t));
	fx_init(&fx);
	p = peer(&fx);
	assert_int_equal(gw_tp_peer_from_str(&bcast, "udp", "255.255.255.255",
					     9), 0);
	n = dgram(buf, sizeof(buf), 1);
	assert_int_equal(gw_tp_send(fx.tp, &bcast, buf, n), 0);
	assert_int_equal(gw_tp_send(fx.tp, &p, buf, n), 0);
	turns(&fx, 1);
	assert_int_equal(stats(&fx).send_errors, 1);
	assert_int_equal(stats(&fx).udp_out, 1);
	assert_int_equal(peer_recv(&fx, got, sizeof(got), true), (ssize_t)n);
	assert_int_equal(gw_tp_send(fx.tp, &bcast, buf, n), EACCES);
	assert_int_equal(stats(&fx).send_errors, 2);
	assert_int_equal(gw_tp_send(fx.tp, &p, buf, n), 0);
	turns(&fx, 1);
	assert_int_equal(stats(&fx).udp_out, 2);
	/* 2 s later: queued again, refused again at the turn end */
	assert_int_equal(gw_timer_start(fx.loop, &t, 2100, timer_h, fx.loop), 0);
	assert_int_equal(gw_loop_run(fx.loop), 0);
	assert_int_equal(gw_tp_send(fx.tp, &bcast, buf, n), 0);
	turns(&fx, 1);
	assert_int_equal(stats(&fx).send_errors, 3);
	assert_int_equal(peer_recv(&fx, got, sizeof(got), true), (ssize_t)n);
	fx_done(&fx);
}

/*
 * Many datagrams waiting: each turn reads at most GW_TP_UDP_BATCH of
 * them, and every one is delivered in the end.
 */
static void test_recv_batches(void **state)
{
	struct sockaddr_storage ss;
	struct gw_tp_local lp;
	char buf[1024];
	struct fx fx;
	unsigned i;
	size_t n;

	(void)state;
	fx_init(&fx);
	assert_int_equal(gw_tp_local(fx.tp, 0, &lp), 0);
	ss = lp.addr;
	for (i = 0; i < MANY_IN; i++) {
		n = dgram(buf, sizeof(buf), i);
		assert_int_equal(sendto(fx.cfd, buf, n, 0,
					(struct sockaddr *)&ss, lp.addrlen),
				 (ssize_t)n);
	}
	turns(&fx, 10);
	assert_int_equal(fx.n, MANY_IN);
	assert_int_equal(stats(&fx).udp_in, MANY_IN);
	assert_true(fx.per_turn[0] <= GW_TP_UDP_BATCH);
	assert_true(fx.per_turn[0] > 0);
	assert_true(fx.per_turn[1] - fx.per_turn[0] <= GW_TP_UDP_BATCH);
	fx_done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_send_queue),
		leakcheck_test(test_free_sends_queue),
		leakcheck_test(test_failure_remembered),
		leakcheck_test(test_recv_batches),
	};

	if (pint_sip_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("gateway/transport_udp", tests,
					   NULL, NULL);
}
