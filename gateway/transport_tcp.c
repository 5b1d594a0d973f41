/*
 * gateway/transport_tcp.c — SIP over TCP: accept, connect, framing, queues.
 *
 * Connections are found by id (replies go back on the connection a request
 * came in on, RFC 3261 §18.2.2) or by peer address (reuse for new
 * requests), through two fixed-size hash tables: the count is bounded by
 * max_conns per direction. Input is framed with pint_sip_frame in a buffer
 * of max_msg bytes that exists only while a message is incomplete. Output
 * goes straight to the socket; what the socket does not take waits in a
 * bounded queue until EPOLLOUT.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* accept4; Makefile.am passes it too */
#endif
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "gateway/log.h"
#include "gateway/transport_int.h"

#define OBUF_MIN 4096u

/* ---- hashing ------------------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

/* Seeded: peers choose their source ports, not our bucket. */
static uint64_t addr_hash(const struct gw_tp *tp, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	uint64_t h = tp->seed ^ ss->ss_family, a[2];

	if (ss->ss_family == AF_INET)
		return mix(h ^ ((uint64_t)sin->sin_addr.s_addr << 16 | sin->sin_port));
	memcpy(a, &sin6->sin6_addr, sizeof(a));
	h = mix(h ^ a[0]);
	h = mix(h ^ a[1]);
	return mix(h ^ sin6->sin6_port);
}

static bool addr_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *x = (const struct sockaddr_in *)a;
	const struct sockaddr_in *y = (const struct sockaddr_in *)b;
	const struct sockaddr_in6 *x6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *y6 = (const struct sockaddr_in6 *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	return x6->sin6_port == y6->sin6_port &&
	       x6->sin6_scope_id == y6->sin6_scope_id &&
	       memcmp(&x6->sin6_addr, &y6->sin6_addr, sizeof(x6->sin6_addr)) == 0;
}

static void hash_add(struct gw_tp *tp, struct tp_conn *c)
{
	struct tp_conn **b;

	b = &tp->by_id[mix(c->id) & tp->mask];
	c->id_next = *b;
	*b = c;
	b = &tp->by_addr[c->addr_hash & tp->mask];
	c->addr_next = *b;
	*b = c;
}

static void hash_del(struct gw_tp *tp, struct tp_conn *c)
{
	struct tp_conn **pp;

	for (pp = &tp->by_id[mix(c->id) & tp->mask]; *pp; pp = &(*pp)->id_next)
		if (*pp == c) {
			*pp = c->id_next;
			break;
		}
	for (pp = &tp->by_addr[c->addr_hash & tp->mask]; *pp; pp = &(*pp)->addr_next)
		if (*pp == c) {
			*pp = c->addr_next;
			break;
		}
}

static struct tp_conn *find_id(const struct gw_tp *tp, uint64_t id)
{
	struct tp_conn *c;

	for (c = tp->by_id[mix(id) & tp->mask]; c; c = c->id_next)
		if (c->id == id)
			return c;
	return NULL;
}

static struct tp_conn *find_addr(const struct gw_tp *tp,
				 const struct sockaddr_storage *ss)
{
	uint64_t h = addr_hash(tp, ss);
	struct tp_conn *c;

	for (c = tp->by_addr[h & tp->mask]; c; c = c->addr_next)
		if (c->addr_hash == h && addr_eq(&c->addr, ss))
			return c;
	return NULL;
}

/* ---- lifetime ------------------------------------------------------------ */

static void conn_peer(const struct tp_conn *c, struct gw_tp_peer *peer)
{
	memset(peer, 0, sizeof(*peer));
	peer->proto = GW_TP_TCP;
	peer->addr = c->addr;
	peer->addrlen = c->addrlen;
	peer->conn = c->id;
	peer->local = c->local;
}

static void conn_release(struct tp_conn *c)
{
	struct gw_tp *tp = c->tp;

	if (c->prev)
		c->prev->next = c->next;
	else
		tp->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->ibuf);
	free(c->obuf);
	free(c);
}

/* The turn end after a close: free, then tell the upper layer. */
static void conn_free_h(void *arg)
{
	struct tp_conn *c = arg;
	struct gw_tp *tp = c->tp;
	struct gw_tp_peer peer;
	bool report = c->report && tp->err_h;
	int err = c->err;

	conn_peer(c, &peer);
	conn_release(c);
	if (report)
		tp->err_h(&peer, err, tp->arg);
}

/*
 * Close now, free at the end of the turn. err 0 is an orderly close. The
 * upper layer hears of it when report is set, when queued bytes are lost
 * or when the connection never came up.
 */
static void conn_close(struct tp_conn *c, int err, bool report)
{
	struct gw_tp *tp = c->tp;
	bool lost = c->ooff < c->olen;
	char ps[GW_TP_PEER_STRLEN];
	struct gw_tp_peer peer;

	if (c->state == CONN_CLOSED)
		return;
	if (log_enabled(LOG_LEVEL_DEBUG)) {
		conn_peer(c, &peer);
		if (gw_tp_peer_str(&peer, ps, sizeof(ps)) == 0)
			log_debug("tp: close %s id=%llu err=%d lost=%zu", ps,
				  (unsigned long long)c->id, err, c->olen - c->ooff);
	}
	c->report = report || lost || c->state == CONN_CONNECTING;
	c->err = err ? err : ECONNRESET;
	if (lost)
		tp->st.send_errors++;
	hash_del(tp, c);
	gw_fd_unwatch(tp->loop, &c->w);
	close(c->fd);
	c->fd = -1;
	gw_timer_stop(tp->loop, &c->idle);
	c->state = CONN_CLOSED;
	if (c->inbound)
		tp->n_in--;
	else
		tp->n_out--;
	tp->st.tcp_open--;
	tp->st.tcp_closed++;
	gw_loop_defer(tp->loop, &c->dfree, conn_free_h, c);
}

static void idle_h(void *arg)
{
	struct tp_conn *c = arg;

	c->tp->st.tcp_idle_closed++;
	conn_close(c, ETIMEDOUT, false);
}

/* Traffic: the idle timer starts over (restarting never fails). */
static void touch(struct tp_conn *c)
{
	(void)gw_timer_start(c->tp->loop, &c->idle, c->tp->idle_ms, idle_h, c);
}

static void conn_h(int fd, uint32_t events, void *arg);

/* A connection on fd, which it owns (closed on failure too). */
static int conn_new(struct gw_tp *tp, int fd, bool inbound, int local,
		    const struct sockaddr_storage *ss, socklen_t sl,
		    enum conn_state state, struct tp_conn **cp)
{
	struct tp_conn *c;
	int one = 1, err;

	/* SIP messages are whole writes: no Nagle delay before the last part */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return ENOMEM;
	}
	c->tp = tp;
	c->fd = fd;
	c->state = state;
	c->inbound = inbound;
	c->local = local;
	c->addr = *ss;
	c->addrlen = sl;
	err = gw_fd_watch(tp->loop, &c->w, fd, state == CONN_CONNECTING ?
			  EPOLLIN | EPOLLOUT : EPOLLIN, conn_h, c);
	if (!err)
		err = gw_timer_start(tp->loop, &c->idle, tp->idle_ms, idle_h, c);
	if (err) {
		gw_fd_unwatch(tp->loop, &c->w);
		close(fd);
		free(c);
		return err;
	}
	c->id = ++tp->next_id;
	c->addr_hash = addr_hash(tp, ss);
	hash_add(tp, c);
	c->next = tp->conns;
	if (c->next)
		c->next->prev = c;
	tp->conns = c;
	if (inbound)
		tp->n_in++;
	else
		tp->n_out++;
	tp->st.tcp_open++;
	*cp = c;
	return 0;
}

/* Buckets for both directions at their caps; never resized. */
int gw_tp_tcp_init(struct gw_tp *tp)
{
	size_t n = 16, want = tp->max_conns > (1u << 19) ? (1u << 20) :
			      2 * tp->max_conns;

	while (n < want)
		n *= 2;
	tp->by_id = calloc(n, sizeof(*tp->by_id));
	tp->by_addr = calloc(n, sizeof(*tp->by_addr));
	if (!tp->by_id || !tp->by_addr)
		return ENOMEM;
	tp->mask = n - 1;
	return 0;
}

/* Every connection, closed ones waiting for their defer too; no handler. */
void gw_tp_tcp_free(struct gw_tp *tp)
{
	struct tp_conn *c;

	while ((c = tp->conns)) {
		gw_loop_defer_cancel(tp->loop, &c->dfree);
		gw_timer_stop(tp->loop, &c->idle);
		gw_fd_unwatch(tp->loop, &c->w);
		if (c->fd >= 0)
			close(c->fd);
		conn_release(c);
	}
	free(tp->by_id);
	free(tp->by_addr);
	tp->by_id = tp->by_addr = NULL;
}

/* ---- output -------------------------------------------------------------- */

static bool again(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

static void conn_flush(struct tp_conn *c)
{
	struct gw_tp *tp = c->tp;
	ssize_t n;
	int err;

	while (c->ooff < c->olen) {
		n = send(c->fd, c->obuf + c->ooff, c->olen - c->ooff,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (again(errno))
				return;
			conn_close(c, errno, true);
			return;
		}
		c->ooff += (size_t)n;
		tp->st.tcp_out_bytes += (uint64_t)n;
		touch(c);
	}
	free(c->obuf);
	c->obuf = NULL;
	c->osize = c->ooff = c->olen = 0;
	err = gw_fd_modify(tp->loop, &c->w, EPOLLIN);
	if (err)
		conn_close(c, err, true);
}

/* Append to the queue (room checked by the caller) and wait for EPOLLOUT. */
static int queue(struct tp_conn *c, const char *p, size_t n)
{
	struct gw_tp *tp = c->tp;
	size_t pending = c->olen - c->ooff, size;
	char *b;
	int err;

	if (c->olen + n > c->osize && c->ooff) {
		memmove(c->obuf, c->obuf + c->ooff, pending);
		c->ooff = 0;
		c->olen = pending;
	}
	if (c->olen + n > c->osize) {
		size = c->osize ? c->osize : OBUF_MIN;
		while (size < c->olen + n)
			size *= 2;
		if (size > tp->max_queue)
			size = tp->max_queue;
		b = realloc(c->obuf, size);
		if (!b)
			return ENOMEM;
		c->obuf = b;
		c->osize = size;
	}
	memcpy(c->obuf + c->olen, p, n);
	c->olen += n;
	if (pending == 0 && c->state == CONN_OPEN) {
		err = gw_fd_modify(tp->loop, &c->w, EPOLLIN | EPOLLOUT);
		if (err)
			return err;
	}
	return 0;
}

/* One whole message: written, queued, or not at all (ENOBUFS). */
static int conn_write(struct tp_conn *c, const char *buf, size_t len)
{
	struct gw_tp *tp = c->tp;
	size_t pending = c->olen - c->ooff, done = 0;
	ssize_t n;
	int err;

	if (len > tp->max_queue - pending)
		return ENOBUFS;
	if (c->state == CONN_OPEN && pending == 0) {
		n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && !again(errno)) {
			err = errno;
			conn_close(c, err, true);
			return err;
		}
		if (n > 0) {
			done = (size_t)n;
			tp->st.tcp_out_bytes += (uint64_t)n;
			touch(c);
		}
		if (done == len)
			return 0;
	}
	err = queue(c, buf + done, len - done);
	/* half a message on the wire: the stream cannot be resynchronised */
	if (err && done)
		conn_close(c, err, true);
	return err;
}

static int conn_connect(struct gw_tp *tp, const struct gw_tp_peer *to,
			struct tp_conn **cp)
{
	enum conn_state state = CONN_OPEN;
	int fd, err;

	if (tp->n_out >= tp->max_conns)
		return ENOBUFS;
	fd = socket(to->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (const struct sockaddr *)&to->addr, to->addrlen) < 0) {
		if (errno != EINPROGRESS) {
			err = errno;
			close(fd);
			return err;
		}
		state = CONN_CONNECTING;
	}
	err = conn_new(tp, fd, false, -1, &to->addr, to->addrlen, state, cp);
	if (!err)
		tp->st.tcp_connects++;
	return err;
}

/*
 * TCP part of gw_tp_send: the connection named by to->conn, else one to
 * to->addr, else a new one. ENOENT when to->conn is gone and there is no
 * address to fall back on.
 */
int gw_tp_tcp_send(struct gw_tp *tp, const struct gw_tp_peer *to,
		   const char *buf, size_t len)
{
	struct tp_conn *c = NULL;
	int err;

	if (to->conn)
		c = find_id(tp, to->conn);
	if (!c && to->addr.ss_family != AF_INET && to->addr.ss_family != AF_INET6)
		err = ENOENT;
	else if (!c && !(c = find_addr(tp, &to->addr)))
		err = conn_connect(tp, to, &c);
	else
		err = 0;
	if (!err)
		err = conn_write(c, buf, len);
	if (err) {
		tp->st.send_errors++;
		return err;
	}
	tp->st.tcp_out++;
	return 0;
}

/* ---- input --------------------------------------------------------------- */

/* Every whole message in the buffer goes up; a handler may close c. */
static void conn_input(struct tp_conn *c)
{
	struct gw_tp *tp = c->tp;
	struct gw_tp_peer from;
	size_t off = 0, mlen, skip;
	int err;

	conn_peer(c, &from);
	while (c->state != CONN_CLOSED) {
		err = pint_sip_frame(c->ibuf + off, c->ilen - off, &mlen, &skip);
		off += skip;
		if (err) {
			tp->st.tcp_framing_errors++;
			conn_close(c, err, false);
			return;
		}
		if (mlen == 0)
			break;
		tp->st.tcp_in++;
		gw_tp_deliver(tp, c->ibuf + off, mlen, &from);
		off += mlen;
	}
	if (c->state == CONN_CLOSED)
		return;
	c->ilen -= off;
	memmove(c->ibuf, c->ibuf + off, c->ilen);
	if (c->ilen == tp->max_msg) {
		/* a full buffer and still no whole message */
		tp->st.tcp_framing_errors++;
		tp->st.oversize++;
		conn_close(c, EMSGSIZE, false);
	} else if (c->ilen == 0) {
		free(c->ibuf);
		c->ibuf = NULL;
	}
}

/* One read per event: the loop is level-triggered, others get their turn. */
static void conn_read(struct tp_conn *c)
{
	struct gw_tp *tp = c->tp;
	ssize_t n;

	if (!c->ibuf) {
		c->ibuf = malloc(tp->max_msg);
		if (!c->ibuf) {
			conn_close(c, ENOMEM, true);
			return;
		}
	}
	n = recv(c->fd, c->ibuf + c->ilen, tp->max_msg - c->ilen, MSG_DONTWAIT);
	if (n < 0) {
		if (!again(errno))
			conn_close(c, errno, true);
		return;
	}
	if (n == 0) {
		conn_close(c, 0, false);
		return;
	}
	c->ilen += (size_t)n;
	tp->st.tcp_in_bytes += (uint64_t)n;
	touch(c);
	conn_input(c);
}

static int so_error(int fd)
{
	socklen_t sl;
	int e = 0;

	sl = sizeof(e);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) < 0)
		return errno;
	return e;
}

static void conn_h(int fd, uint32_t events, void *arg)
{
	struct tp_conn *c = arg;
	int err;

	if (c->state == CONN_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		err = so_error(fd);
		if (!err && (events & (EPOLLERR | EPOLLHUP)))
			err = ECONNREFUSED;
		if (err) {
			conn_close(c, err, true);
			return;
		}
		c->state = CONN_OPEN;
		touch(c);
	}
	if (events & EPOLLOUT) {
		conn_flush(c);
		if (c->state == CONN_CLOSED)
			return;
	}
	if (events & EPOLLIN) {
		conn_read(c);
		return;
	}
	if (events & (EPOLLERR | EPOLLHUP)) {
		err = so_error(fd);
		conn_close(c, err ? err : ECONNRESET, true);
	}
}

/* ---- accept -------------------------------------------------------------- */

static void resume_h(void *arg)
{
	struct tp_listener *l = arg;

	if (gw_fd_modify(l->tp->loop, &l->tw, EPOLLIN) != 0)
		(void)gw_timer_start(l->tp->loop, &l->pause, TP_PAUSE_MS, resume_h, l);
}

/*
 * Out of fds or memory: the pending connection stays in the backlog and
 * would wake a level-triggered loop at once, so stop listening a while.
 */
static void pause_accept(struct tp_listener *l, int err)
{
	log_warn("tp: accept paused for %u ms: %s", TP_PAUSE_MS, strerror(err));
	if (gw_fd_modify(l->tp->loop, &l->tw, 0) == 0)
		(void)gw_timer_start(l->tp->loop, &l->pause, TP_PAUSE_MS, resume_h, l);
}

/* Listener readable: a bounded batch of accepts; over max_conns, close. */
void gw_tp_tcp_accept_h(int fd, uint32_t events, void *arg)
{
	struct tp_listener *l = arg;
	struct gw_tp *tp = l->tp;
	struct sockaddr_storage ss;
	struct tp_conn *c;
	socklen_t sl;
	unsigned i;
	int cfd;

	(void)events;
	for (i = 0; i < GW_TP_ACCEPT_BATCH; i++) {
		sl = sizeof(ss);
		cfd = accept4(fd, (struct sockaddr *)&ss, &sl,
			      SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				pause_accept(l, errno);
				return;
			}
			/* ECONNABORTED, EINTR, a network error: the next one */
			continue;
		}
		if (tp->n_in >= tp->max_conns) {
			tp->st.tcp_refused++;
			close(cfd);
			continue;
		}
		if (conn_new(tp, cfd, true, (int)l->idx, &ss, sl, CONN_OPEN, &c)) {
			tp->st.tcp_refused++;
			continue;
		}
		tp->st.tcp_accepted++;
	}
}
