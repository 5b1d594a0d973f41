/*
 * gateway/transport.c — listeners, message checks and peers.
 *
 * One receive path for both transports: a whole message (a datagram or a
 * TCP frame) goes through pint_sip_parse; a refused request is answered
 * statelessly from its raw bytes, anything else refused is dropped; a
 * request's top Via gets received/rport (RFC 3261 §18.2.1, RFC 3581) and
 * the message goes up. Datagrams are read and sent in transport_udp.c,
 * TCP connections live in transport_tcp.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "gateway/log.h"
#include "gateway/transport_int.h"

/* ---- addresses ----------------------------------------------------------- */

/* A numeric IPv4 or IPv6 literal (brackets allowed) and a port. */
static int addr_parse(const char *s, uint16_t port,
		      struct sockaddr_storage *ss, socklen_t *lenp)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n;

	if (!s)
		return EINVAL;
	n = strlen(s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (!memchr(buf, ':', n)) {
		if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1)
			return EINVAL;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*lenp = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return EINVAL;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	*lenp = sizeof(*sin6);
	return 0;
}

/* The address as text (no brackets) and its port. */
static int addr_ip(const struct sockaddr_storage *ss, char *buf, size_t size,
		   uint16_t *portp)
{
	const void *a;
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		a = &sin->sin_addr;
		port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		a = &sin6->sin6_addr;
		port = ntohs(sin6->sin6_port);
	} else {
		return EINVAL;
	}
	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)size))
		return EMSGSIZE;
	if (portp)
		*portp = port;
	return 0;
}

/* Whether the text host is the numeric address of ss (a name never is). */
static bool host_is_addr(const char *host, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage h;
	socklen_t hl;

	if (!host || addr_parse(host, 0, &h, &hl) != 0 ||
	    h.ss_family != ss->ss_family)
		return false;
	if (ss->ss_family == AF_INET)
		return ((struct sockaddr_in *)&h)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)ss)->sin_addr.s_addr;
	return memcmp(&((struct sockaddr_in6 *)&h)->sin6_addr,
		      &((const struct sockaddr_in6 *)ss)->sin6_addr,
		      sizeof(struct in6_addr)) == 0;
}

/* ---- peers --------------------------------------------------------------- */

/*
 * A peer from a transport name ("udp"/"tcp", any case), a numeric IPv4 or
 * IPv6 host (brackets allowed) and a port (not 0). EINVAL otherwise: names
 * are resolved when the configuration is loaded, not here.
 */
int gw_tp_peer_from_str(struct gw_tp_peer *peer, const char *transport,
			const char *host, uint16_t port)
{
	enum gw_tp_proto proto;
	int err;

	if (!peer || !transport || !host || port == 0)
		return EINVAL;
	if (strcasecmp(transport, "udp") == 0)
		proto = GW_TP_UDP;
	else if (strcasecmp(transport, "tcp") == 0)
		proto = GW_TP_TCP;
	else
		return EINVAL;
	memset(peer, 0, sizeof(*peer));
	err = addr_parse(host, port, &peer->addr, &peer->addrlen);
	if (err)
		return err;
	peer->proto = proto;
	peer->conn = 0;
	peer->local = -1;
	return 0;
}

/* The peer's address as text (IPv6 without brackets) and its port. */
int gw_tp_peer_ip(const struct gw_tp_peer *peer, char *buf, size_t size,
		  uint16_t *portp)
{
	if (!peer || !buf)
		return EINVAL;
	return addr_ip(&peer->addr, buf, size, portp);
}

/*
 * "udp:127.0.0.1:5060" or "tcp:[::1]:5060" for logs, NUL-terminated.
 * GW_TP_PEER_STRLEN bytes are always enough; EMSGSIZE when size is not.
 */
int gw_tp_peer_str(const struct gw_tp_peer *peer, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];
	uint16_t port;
	int n, err;

	if (!peer || !buf || size == 0)
		return EINVAL;
	err = addr_ip(&peer->addr, ip, sizeof(ip), &port);
	if (err)
		return err;
	n = snprintf(buf, size, "%s:%s%s%s:%u",
		     peer->proto == GW_TP_TCP ? "tcp" : "udp",
		     peer->addr.ss_family == AF_INET6 ? "[" : "", ip,
		     peer->addr.ss_family == AF_INET6 ? "]" : "", port);
	if (n < 0 || (size_t)n >= size)
		return EMSGSIZE;
	return 0;
}

/* ---- receive path -------------------------------------------------------- */

static int via_param_set(osip_via_t *via, const char *name, const char *value)
{
	osip_generic_param_t *gp;
	char *v;
	int i;

	v = osip_strdup(value);
	if (!v)
		return ENOMEM;
	for (i = 0; i < osip_list_size(&via->via_params); i++) {
		gp = osip_list_get(&via->via_params, i);
		if (gp->gname && strcasecmp(gp->gname, name) == 0) {
			osip_free(gp->gvalue);
			gp->gvalue = v;
			return 0;
		}
	}
	/* built by hand: osip_generic_param_add frees or not, depending */
	if (osip_uri_param_init(&gp) != 0) {
		osip_free(v);
		return ENOMEM;
	}
	gp->gvalue = v;
	gp->gname = osip_strdup(name);
	if (!gp->gname || osip_list_add(&via->via_params, gp, -1) < 0) {
		osip_uri_param_free(gp);
		return ENOMEM;
	}
	return 0;
}

/*
 * RFC 3261 §18.2.1: received= when the sent-by host is not the source
 * address. RFC 3581 §4: with rport, received= always and rport= the
 * source port. A received= the sender put there itself is overwritten:
 * answers follow it, so it must be the address the packet came from.
 * The cached text is stale after direct edits: rebuild it.
 */
static int via_fix(osip_message_t *msg, const struct gw_tp_peer *from)
{
	osip_via_t *via = osip_list_get(&msg->vias, 0);
	char ip[INET6_ADDRSTRLEN], port[8];
	bool rport = false, received = false;
	uint16_t p;
	int i, err;

	if (!via)
		return 0;
	for (i = 0; i < osip_list_size(&via->via_params); i++) {
		const osip_generic_param_t *gp = osip_list_get(&via->via_params, i);

		if (gp->gname && strcasecmp(gp->gname, "rport") == 0)
			rport = true;
		if (gp->gname && strcasecmp(gp->gname, "received") == 0)
			received = true;
	}
	if (!rport && !received && host_is_addr(via->host, &from->addr))
		return 0;
	err = addr_ip(&from->addr, ip, sizeof(ip), &p);
	if (err)
		return err;
	err = via_param_set(via, "received", ip);
	if (!err && rport) {
		snprintf(port, sizeof(port), "%u", p);
		err = via_param_set(via, "rport", port);
	}
	osip_message_force_update(msg);
	return err;
}

/* A stateless answer to a refused request, back the way it came. */
static void answer(struct gw_tp *tp, const char *buf, size_t len,
		   const struct pint_sip_error *why,
		   const struct gw_tp_peer *from)
{
	char tag[24], *s = NULL;
	size_t n = 0;
	int err;

	/* any unique tag will do: nothing remembers a stateless answer */
	snprintf(tag, sizeof(tag), "%016" PRIx64,
		 tp->seed ^ (++tp->ntags * 0x9e3779b97f4a7c15u));
	err = pint_sip_reply_raw(&s, &n, buf, len,
				 why->status ? why->status : 400, why->reason,
				 tag);
	if (err) {
		/* a response, an ACK, no usable head, or no memory */
		tp->st.dropped++;
		return;
	}
	if (from->proto == GW_TP_UDP)
		err = gw_tp_udp_send(tp, from, s, n);
	else
		err = gw_tp_tcp_send(tp, from, s, n);
	if (!err)
		tp->st.stateless_answers++;
	free(s);
}

/*
 * One whole message from the wire: parse, answer or drop what is refused,
 * fix a request's Via and hand the message up with its raw bytes. The handler may send and
 * may close connections (not free tp).
 */
void gw_tp_deliver(struct gw_tp *tp, const char *buf, size_t len,
		   const struct gw_tp_peer *from)
{
	struct pint_sip_error why;
	osip_message_t *msg = NULL;
	char ps[GW_TP_PEER_STRLEN];
	int err;

	err = pint_sip_parse(&msg, buf, len, &why);
	if (err == ENOMEM) {
		tp->st.dropped++;
		log_warn("tp: out of memory parsing a message");
		return;
	}
	if (err) {
		tp->st.parse_failures++;
		if (log_enabled(LOG_LEVEL_DEBUG) &&
		    gw_tp_peer_str(from, ps, sizeof(ps)) == 0)
			log_kv(LOG_LEVEL_DEBUG, "tp: refused", "peer", ps,
			       "why", why.reason, NULL);
		answer(tp, buf, len, &why, from);
		return;
	}
	if (MSG_IS_REQUEST(msg)) {
		err = via_fix(msg, from);
		if (err) {
			tp->st.dropped++;
			osip_message_free(msg);
			return;
		}
	}
	tp->recv_h(msg, buf, len, from, tp->arg);
}

/*
 * Send one whole message. UDP: from the listener it came in on
 * (to->local) or the first of the family, queued and sent at the end of
 * the loop turn (transport_udp.c); a send that fails then is counted, and
 * a hard failure (no route, a firewall) makes sends to that address fail
 * here with its errno for a while. TCP: on connection to->conn,
 * else on an open connection to to->addr, else on a new one (connected
 * without blocking, queued until then). ENOBUFS when the connection's
 * queue would pass max_queue, EMSGSIZE over PINT_SIP_MAX_MSG, else the
 * socket's errno. A connection lost later is reported through err_h.
 */
int gw_tp_send(struct gw_tp *tp, const struct gw_tp_peer *to, const char *buf,
	       size_t len)
{
	if (!tp || !to || !buf || len == 0)
		return EINVAL;
	if (len > PINT_SIP_MAX_MSG) {
		tp->st.send_errors++;
		return EMSGSIZE;
	}
	if (to->addr.ss_family != AF_INET && to->addr.ss_family != AF_INET6 &&
	    !(to->proto == GW_TP_TCP && to->conn))
		return EINVAL;
	if (to->proto == GW_TP_UDP)
		return gw_tp_udp_send(tp, to, buf, len);
	if (to->proto == GW_TP_TCP)
		return gw_tp_tcp_send(tp, to, buf, len);
	return EINVAL;
}

/* ---- listeners ----------------------------------------------------------- */

/*
 * SO_*BUFFORCE passes net.core.[rw]mem_max but needs CAP_NET_ADMIN; the
 * plain option is capped silently. What the kernel granted is read back.
 */
static void sockbuf(int fd, int force, int plain, uint32_t want, int *gotp)
{
	int v = want > INT32_MAX / 2 ? INT32_MAX / 2 : (int)want;
	socklen_t sl = sizeof(*gotp);

	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
	*gotp = 0;
	(void)getsockopt(fd, SOL_SOCKET, plain, gotp, &sl);
}

static int bind_udp(struct gw_tp *tp, struct tp_listener *l)
{
	int fd, one = 1;

	fd = socket(l->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	/* "::" means IPv6 only: list 0.0.0.0 too for both */
	if ((l->addr.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&l->addr, l->addrlen) < 0) {
		int err = errno;

		close(fd);
		return err;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0)
		log_warn("tp: SO_RXQ_OVFL unavailable, drops not counted");
	sockbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF, tp->rcvbuf, &l->rcvbuf);
	sockbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF, tp->sndbuf, &l->sndbuf);
	/* the kernel doubles what it grants (bookkeeping overhead) */
	if ((uint64_t)l->rcvbuf < 2ull * tp->rcvbuf ||
	    (uint64_t)l->sndbuf < 2ull * tp->sndbuf)
		log_warn("tp: udp socket buffers smaller than asked: rcvbuf=%d/%u "
			 "sndbuf=%d/%u (raise net.core.rmem_max/wmem_max)",
			 l->rcvbuf, tp->rcvbuf, l->sndbuf, tp->sndbuf);
	l->ufd = fd;
	return 0;
}

static int bind_tcp(struct tp_listener *l)
{
	int fd, one = 1;

	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (l->addr.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&l->addr, l->addrlen) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		int err = errno;

		close(fd);
		return err;
	}
	l->tfd = fd;
	return 0;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static void close_listener(struct gw_tp *tp, struct tp_listener *l)
{
	gw_fd_unwatch(tp->loop, &l->uw);
	gw_fd_unwatch(tp->loop, &l->tw);
	gw_timer_stop(tp->loop, &l->pause);
	if (l->ufd >= 0)
		close(l->ufd);
	if (l->tfd >= 0)
		close(l->tfd);
	l->ufd = l->tfd = -1;
}

/*
 * Bind one listener. Port 0 with both transports: the kernel picks the
 * TCP port and UDP must get the same one; a few tries, as another socket
 * may hold that UDP port.
 */
static int open_listener(struct gw_tp *tp, struct tp_listener *l,
			 const struct gw_tp_listen_cfg *lc)
{
	socklen_t sl;
	int tries, err;

	if (!lc->udp && !lc->tcp)
		return EINVAL;
	err = addr_parse(lc->addr, lc->port, &l->addr, &l->addrlen);
	if (err)
		return err;
	for (tries = 0; tries < 8; tries++) {
		set_port(&l->addr, lc->port);
		err = lc->tcp ? bind_tcp(l) : bind_udp(tp, l);
		if (err)
			return err;
		sl = sizeof(l->addr);
		if (getsockname(lc->tcp ? l->tfd : l->ufd,
				(struct sockaddr *)&l->addr, &sl) < 0) {
			err = errno;
			close_listener(tp, l);
			return err;
		}
		if (!lc->tcp || !lc->udp)
			break;
		err = bind_udp(tp, l);
		if (!err)
			break;
		close_listener(tp, l);
		if (err != EADDRINUSE || lc->port != 0)
			return err;
	}
	if (err)
		return err;
	if (l->ufd >= 0)
		err = gw_fd_watch(tp->loop, &l->uw, l->ufd, EPOLLIN,
				  gw_tp_udp_h, l);
	if (!err && l->tfd >= 0)
		err = gw_fd_watch(tp->loop, &l->tw, l->tfd, EPOLLIN,
				  gw_tp_tcp_accept_h, l);
	if (err)
		close_listener(tp, l);
	return err;
}

static int check_cfg(const struct gw_tp_cfg *cfg)
{
	if (!cfg->listen || cfg->nlisten == 0 || cfg->nlisten > GW_TP_MAX_LISTENERS ||
	    !cfg->recv_h)
		return EINVAL;
	if (cfg->max_msg && (cfg->max_msg < GW_TP_MIN_MAX_MSG ||
			     cfg->max_msg > PINT_SIP_MAX_MSG))
		return EINVAL;
	if (cfg->max_queue && cfg->max_queue <
	    (cfg->max_msg ? cfg->max_msg : GW_TP_DEF_MAX_MSG))
		return EINVAL;
	return 0;
}

static uint64_t seed(void)
{
	struct timespec ts;
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		return s;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
}

/*
 * Bind cfg's listeners and watch them on loop. pint_sip_init() must have
 * run. EINVAL for a bad cfg; a listener's bind or socket errno with its
 * index in *failedp (when not NULL); ENOMEM. Nothing is left open on
 * failure.
 */
int gw_tp_alloc(struct gw_tp **tpp, struct gw_loop *loop,
		const struct gw_tp_cfg *cfg, size_t *failedp)
{
	struct gw_tp *tp;
	size_t i;
	int err;

	if (!tpp || !loop || !cfg)
		return EINVAL;
	err = check_cfg(cfg);
	if (err)
		return err;
	tp = calloc(1, sizeof(*tp));
	if (!tp)
		return ENOMEM;
	tp->loop = loop;
	tp->recv_h = cfg->recv_h;
	tp->err_h = cfg->err_h;
	tp->arg = cfg->arg;
	tp->max_msg = cfg->max_msg ? cfg->max_msg : GW_TP_DEF_MAX_MSG;
	tp->idle_ms = cfg->tcp_idle_ms ? cfg->tcp_idle_ms : GW_TP_DEF_IDLE_MS;
	tp->max_conns = cfg->max_conns ? cfg->max_conns : GW_TP_DEF_MAX_CONNS;
	tp->max_queue = cfg->max_queue ? cfg->max_queue : GW_TP_DEF_MAX_QUEUE;
	if (tp->max_queue < tp->max_msg)
		tp->max_queue = tp->max_msg;
	tp->rcvbuf = cfg->udp_rcvbuf ? cfg->udp_rcvbuf : GW_TP_DEF_SOCKBUF;
	tp->sndbuf = cfg->udp_sndbuf ? cfg->udp_sndbuf : GW_TP_DEF_SOCKBUF;
	tp->seed = seed();
	tp->ls = calloc(cfg->nlisten, sizeof(*tp->ls));
	err = tp->ls ? gw_tp_udp_init(tp) : ENOMEM;
	if (err)
		goto out;
	err = gw_tp_tcp_init(tp);
	if (err)
		goto out;
	for (i = 0; i < cfg->nlisten; i++) {
		struct tp_listener *l = &tp->ls[i];

		l->tp = tp;
		l->idx = i;
		l->ufd = l->tfd = -1;
		tp->nls = i + 1;
		err = open_listener(tp, l, &cfg->listen[i]);
		if (err) {
			if (failedp)
				*failedp = i;
			goto out;
		}
	}
out:
	if (err) {
		gw_tp_free(tp);
		return err;
	}
	*tpp = tp;
	return 0;
}

/*
 * Send the datagrams still queued, close every socket, unwatch every fd,
 * stop every timer and free it all; NULL-safe. No handler is called. Not
 * from inside a gw_tp handler.
 */
void gw_tp_free(struct gw_tp *tp)
{
	size_t i;

	if (!tp)
		return;
	gw_tp_udp_free(tp);
	gw_tp_tcp_free(tp);
	for (i = 0; i < tp->nls; i++)
		close_listener(tp, &tp->ls[i]);
	free(tp->ls);
	free(tp);
}

/* Listener idx as bound (ephemeral port resolved); ENOENT past the end. */
int gw_tp_local(const struct gw_tp *tp, size_t idx, struct gw_tp_local *lp)
{
	const struct tp_listener *l;

	if (!tp || !lp)
		return EINVAL;
	if (idx >= tp->nls)
		return ENOENT;
	l = &tp->ls[idx];
	memset(lp, 0, sizeof(*lp));
	lp->addr = l->addr;
	lp->addrlen = l->addrlen;
	lp->udp = l->ufd >= 0;
	lp->tcp = l->tfd >= 0;
	lp->rcvbuf = l->rcvbuf;
	lp->sndbuf = l->sndbuf;
	return 0;
}

/* A copy of the counters. */
void gw_tp_stats(const struct gw_tp *tp, struct gw_tp_stats *st)
{
	*st = tp->st;
}
