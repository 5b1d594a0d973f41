/*
 * gateway/transport_udp.c — UDP datagrams in and out, in batches.
 *
 * In: recvmmsg() into TP_RECV_VEC buffers of max_msg + 1 bytes, at most
 * GW_TP_UDP_BATCH datagrams per socket per loop turn. Out: gw_tp_send
 * copies a datagram into the send queue and the queue leaves with
 * sendmmsg() at the end of the loop turn (a defer), or sooner when full;
 * on loopback a send costs the sender the receiver's side of the stack
 * too, and one system call for many saves a good part of that. A send
 * that fails there is counted; a hard failure (no route, a firewall)
 * also makes sends to that address fail at once for TP_FAIL_MS, so the
 * transaction layer's next retransmission reports it to its owner.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "gateway/transport_int.h"

_Static_assert(TP_SEND_BYTES >= PINT_SIP_MAX_MSG,
	       "a largest message fits in an empty send queue");

/* ---- receiving ----------------------------------------------------------- */

/* Whether a datagram is only CRLFs (an RFC 5626 keep-alive). */
static bool only_crlf(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* SO_RXQ_OVFL: the socket's drop count when this datagram was queued. */
static void rx_drops(struct tp_listener *l, struct msghdr *mh)
{
	struct cmsghdr *cm;
	uint32_t v;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SO_RXQ_OVFL ||
		    cm->cmsg_len < CMSG_LEN(sizeof(v)))
			continue;
		memcpy(&v, CMSG_DATA(cm), sizeof(v));
		/* a 32-bit counter that wraps: add the difference */
		l->tp->st.rx_drops += (uint32_t)(v - l->drops_seen);
		l->drops_seen = v;
	}
}

static void one_dgram(struct tp_listener *l, struct mmsghdr *m, char *buf,
		      struct gw_tp_peer *from)
{
	struct gw_tp *tp = l->tp;
	size_t n = m->msg_len;

	rx_drops(l, &m->msg_hdr);
	tp->st.udp_in++;
	tp->st.udp_in_bytes += (uint64_t)n;
	if ((m->msg_hdr.msg_flags & MSG_TRUNC) || n > tp->max_msg) {
		tp->st.oversize++;
		tp->st.dropped++;
		return;
	}
	if (only_crlf(buf, n))
		return;
	from->proto = GW_TP_UDP;
	from->addrlen = m->msg_hdr.msg_namelen;
	from->local = (int)l->idx;
	gw_tp_deliver(tp, buf, n, from);
}

/*
 * Level-triggered: a bounded batch per turn, the rest next turn. A short
 * recvmmsg() means the socket is empty for now: no call just to learn
 * that.
 */
void gw_tp_udp_h(int fd, uint32_t events, void *arg)
{
	struct tp_listener *l = arg;
	struct gw_tp *tp = l->tp;
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctl[TP_RECV_VEC];
	struct gw_tp_peer from[TP_RECV_VEC];
	struct mmsghdr mh[TP_RECV_VEC];
	struct iovec iov[TP_RECV_VEC];
	unsigned done = 0, want, i;
	int n;

	(void)events;
	while (done < GW_TP_UDP_BATCH) {
		want = GW_TP_UDP_BATCH - done < TP_RECV_VEC ?
		       GW_TP_UDP_BATCH - done : TP_RECV_VEC;
		memset(from, 0, want * sizeof(from[0]));
		memset(mh, 0, want * sizeof(mh[0]));
		for (i = 0; i < want; i++) {
			iov[i].iov_base = tp->rbuf + i * (tp->max_msg + 1);
			iov[i].iov_len = tp->max_msg + 1;
			mh[i].msg_hdr.msg_name = &from[i].addr;
			mh[i].msg_hdr.msg_namelen = sizeof(from[i].addr);
			mh[i].msg_hdr.msg_iov = &iov[i];
			mh[i].msg_hdr.msg_iovlen = 1;
			mh[i].msg_hdr.msg_control = ctl[i].buf;
			mh[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
		}
		n = recvmmsg(fd, mh, want, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* EINTR, or an ICMP error queued on the socket */
			done++;
			continue;
		}
		for (i = 0; i < (unsigned)n; i++)
			one_dgram(l, &mh[i], iov[i].iov_base, &from[i]);
		done += (unsigned)n;
		if ((unsigned)n < want)
			break;
	}
}

/* ---- sending ------------------------------------------------------------- */

/* The UDP socket to send from: the one it came in on, else the family's. */
static struct tp_listener *udp_listener(struct gw_tp *tp,
					const struct gw_tp_peer *to)
{
	size_t i;

	if (to->local >= 0 && (size_t)to->local < tp->nls) {
		struct tp_listener *l = &tp->ls[to->local];

		if (l->ufd >= 0 && l->addr.ss_family == to->addr.ss_family)
			return l;
	}
	for (i = 0; i < tp->nls; i++)
		if (tp->ls[i].ufd >= 0 &&
		    tp->ls[i].addr.ss_family == to->addr.ss_family)
			return &tp->ls[i];
	return NULL;
}

static bool addr_eq(const struct sockaddr_storage *a,
		    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;

		return x->sin6_port == y->sin6_port &&
		       x->sin6_scope_id == y->sin6_scope_id &&
		       memcmp(&x->sin6_addr, &y->sin6_addr,
			      sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

/* Full buffers and interrupted calls pass; anything else is remembered. */
static bool hard_error(int err)
{
	return err != EAGAIN && err != EWOULDBLOCK && err != ENOBUFS &&
	       err != ENOMEM && err != EINTR;
}

static void remember_failure(struct gw_tp *tp, const struct tp_dgram *d,
			     int err)
{
	uint64_t until = gw_loop_now(tp->loop) + TP_FAIL_MS;
	struct tp_fail *f = NULL;
	size_t i;

	for (i = 0; i < TP_FAILS && !f; i++)
		if (tp->fails[i].err && addr_eq(&tp->fails[i].addr, &d->addr))
			f = &tp->fails[i];
	if (!f) {
		f = &tp->fails[tp->fail_next];
		tp->fail_next = (tp->fail_next + 1) % TP_FAILS;
	}
	f->addr = d->addr;
	f->err = err;
	f->until = until;
	if (until > tp->fail_until)
		tp->fail_until = until;
}

/* The error a send to `to` failed with lately, or 0. */
static int failed_lately(const struct gw_tp *tp, const struct gw_tp_peer *to)
{
	uint64_t now = gw_loop_now(tp->loop);
	size_t i;

	if (now >= tp->fail_until)
		return 0;
	for (i = 0; i < TP_FAILS; i++)
		if (tp->fails[i].err && tp->fails[i].until > now &&
		    addr_eq(&tp->fails[i].addr, &to->addr))
			return tp->fails[i].err;
	return 0;
}

/* Send the queue: one sendmmsg() per run of datagrams on one socket. */
void gw_tp_udp_flush(struct gw_tp *tp)
{
	struct mmsghdr mh[TP_SEND_QUEUE];
	struct iovec iov[TP_SEND_QUEUE];
	size_t i, e, n = tp->nsq;
	int r;

	for (i = 0; i < n; i++) {
		struct tp_dgram *d = &tp->sq[i];

		iov[i].iov_base = tp->sbuf + d->off;
		iov[i].iov_len = d->len;
		memset(&mh[i], 0, sizeof(mh[i]));
		mh[i].msg_hdr.msg_name = &d->addr;
		mh[i].msg_hdr.msg_namelen = d->addrlen;
		mh[i].msg_hdr.msg_iov = &iov[i];
		mh[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = 0; i < n;) {
		for (e = i + 1; e < n && tp->sq[e].fd == tp->sq[i].fd; e++)
			;
		r = sendmmsg(tp->sq[i].fd, mh + i, (unsigned)(e - i),
			     MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			for (e = i + (size_t)r; i < e; i++) {
				tp->st.udp_out++;
				tp->st.udp_out_bytes += mh[i].msg_len;
			}
			continue;
		}
		/* the first of the run failed: count it, go on after it */
		tp->st.send_errors++;
		if (r < 0 && hard_error(errno))
			remember_failure(tp, &tp->sq[i], errno);
		i++;
	}
	tp->nsq = 0;
	tp->slen = 0;
}

static void flush_h(void *arg)
{
	gw_tp_udp_flush(arg);
}

/*
 * Queue one datagram from the listener it came in on (to->local) or the
 * first of the family; it leaves at the end of this loop turn.
 * EAFNOSUPPORT without such a listener, or the error a send to that
 * address failed with in the last TP_FAIL_MS.
 */
int gw_tp_udp_send(struct gw_tp *tp, const struct gw_tp_peer *to,
		   const char *buf, size_t len)
{
	struct tp_listener *l = udp_listener(tp, to);
	struct tp_dgram *d;
	int err;

	if (!l) {
		tp->st.send_errors++;
		return EAFNOSUPPORT;
	}
	err = failed_lately(tp, to);
	if (err) {
		tp->st.send_errors++;
		return err;
	}
	/* gw_tp_send took len <= PINT_SIP_MAX_MSG: an empty queue has room */
	if (tp->nsq == TP_SEND_QUEUE || len > TP_SEND_BYTES - tp->slen)
		gw_tp_udp_flush(tp);
	d = &tp->sq[tp->nsq++];
	d->fd = l->ufd;
	d->addr = to->addr;
	d->addrlen = to->addrlen;
	d->off = tp->slen;
	d->len = len;
	memcpy(tp->sbuf + tp->slen, buf, len);
	tp->slen += len;
	if (!gw_defer_pending(&tp->sflush))
		gw_loop_defer(tp->loop, &tp->sflush, flush_h, tp);
	return 0;
}

/* The receive buffers and the send queue; ENOMEM. */
int gw_tp_udp_init(struct gw_tp *tp)
{
	tp->rbuf = malloc(TP_RECV_VEC * (tp->max_msg + 1));
	tp->sq = calloc(TP_SEND_QUEUE, sizeof(*tp->sq));
	tp->sbuf = malloc(TP_SEND_BYTES);
	return tp->rbuf && tp->sq && tp->sbuf ? 0 : ENOMEM;
}

/* Send what is queued (the sockets are still open) and free it all. */
void gw_tp_udp_free(struct gw_tp *tp)
{
	if (tp->nsq)
		gw_tp_udp_flush(tp);
	gw_loop_defer_cancel(tp->loop, &tp->sflush);
	free(tp->rbuf);
	free(tp->sq);
	free(tp->sbuf);
	tp->rbuf = NULL;
	tp->sq = NULL;
	tp->sbuf = NULL;
}
