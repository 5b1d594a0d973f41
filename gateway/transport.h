/*
 * gateway/transport.h — pintgw's SIP sockets (UDP and TCP) on the loop.
 *
 * A gw_tp owns its listening sockets, its TCP connections and all their
 * buffers; it runs on one gw_loop and is freed before it. Every parsed
 * message goes to the receive handler, which owns it from then on
 * (osip_message_free); its raw bytes come along, borrowed for the call.
 * gw_tp_send copies or writes the bytes before it returns. Connections are named by a uint64_t id, never by pointer; a
 * closed connection's id is never reused.
 */
#ifndef GW_TRANSPORT_H
#define GW_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "gateway/loop.h"
#include "pint/sip.h"

struct gw_tp;

enum gw_tp_proto {
	GW_TP_UDP = 1,
	GW_TP_TCP = 2,
};

#define GW_TP_MAX_LISTENERS  16u
#define GW_TP_UDP_BATCH      512u      /* datagrams per socket per turn */
#define GW_TP_ACCEPT_BATCH   32u       /* accepts per listener per turn */
#define GW_TP_DEF_SOCKBUF    (4u * 1024u * 1024u)
#define GW_TP_DEF_MAX_MSG    PINT_SIP_MAX_MSG
#define GW_TP_MIN_MAX_MSG    512u
#define GW_TP_DEF_IDLE_MS    60000u
#define GW_TP_DEF_MAX_CONNS  1024u     /* per direction (accepted, opened) */
#define GW_TP_DEF_MAX_QUEUE  (256u * 1024u)
#define GW_TP_PEER_STRLEN    64u       /* "tcp:[v6]:65535" and NUL fit */

/* Where a message came from, or where to send one. */
struct gw_tp_peer {
	enum gw_tp_proto proto;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint64_t conn;          /* TCP connection id; 0: none, use addr */
	int local;              /* listener index it came in on; -1: none */
};

/*
 * The handler owns msg; requests have received/rport set (RFC 3581). raw
 * is the message as it came off the wire (len bytes, not NUL-terminated,
 * Via not edited), valid until the handler returns.
 */
typedef void (gw_tp_recv_h)(osip_message_t *msg, const char *raw, size_t len,
			    const struct gw_tp_peer *from, void *arg);
/*
 * A TCP connection failed (connect refused or timed out, reset, write
 * error, closed with bytes still queued); what was queued on it is gone.
 * Called at the end of a loop turn, never from inside gw_tp_send.
 */
typedef void (gw_tp_err_h)(const struct gw_tp_peer *peer, int err, void *arg);

struct gw_tp_listen_cfg {
	const char *addr;       /* numeric IPv4 or IPv6 literal ("[::1]" too) */
	uint16_t port;          /* 0: ephemeral, see gw_tp_local() */
	bool udp;
	bool tcp;
};

/* Zero means the default for every number. */
struct gw_tp_cfg {
	const struct gw_tp_listen_cfg *listen;
	size_t nlisten;         /* 1 .. GW_TP_MAX_LISTENERS */
	uint32_t udp_rcvbuf;    /* bytes asked for, GW_TP_DEF_SOCKBUF */
	uint32_t udp_sndbuf;
	size_t max_msg;         /* GW_TP_MIN_MAX_MSG .. PINT_SIP_MAX_MSG */
	uint32_t tcp_idle_ms;
	size_t max_conns;       /* accepted ones; opened ones have as many */
	size_t max_queue;       /* per connection; at least max_msg */
	gw_tp_recv_h *recv_h;   /* required */
	gw_tp_err_h *err_h;     /* may be NULL */
	void *arg;
};

/* A bound listener, as the kernel has it. */
struct gw_tp_local {
	struct sockaddr_storage addr;   /* with the bound port */
	socklen_t addrlen;
	bool udp;
	bool tcp;
	int rcvbuf;             /* UDP socket, getsockopt (Linux doubles it) */
	int sndbuf;
};

/* For /metrics. Counters only grow, except tcp_open. */
struct gw_tp_stats {
	uint64_t udp_in;            /* datagrams read */
	uint64_t udp_in_bytes;
	uint64_t udp_out;           /* datagrams sent */
	uint64_t udp_out_bytes;
	uint64_t tcp_in;            /* messages framed */
	uint64_t tcp_in_bytes;      /* bytes read */
	uint64_t tcp_out;           /* messages written or queued */
	uint64_t tcp_out_bytes;     /* bytes written */
	uint64_t parse_failures;    /* refused by pint_sip_parse */
	uint64_t stateless_answers; /* 400/505/513… sent for those */
	uint64_t dropped;           /* received, neither delivered nor answered */
	uint64_t oversize;          /* over max_msg (counted in dropped too) */
	uint64_t rx_drops;          /* kernel receive-buffer drops (SO_RXQ_OVFL) */
	uint64_t tcp_open;          /* connections now (gauge) */
	uint64_t tcp_accepted;
	uint64_t tcp_connects;      /* outbound connections started */
	uint64_t tcp_closed;
	uint64_t tcp_refused;       /* accepts closed at once: over max_conns */
	uint64_t tcp_idle_closed;
	uint64_t tcp_framing_errors;
	uint64_t send_errors;       /* gw_tp_send failures, lost queues */
};

/* Lifetime */
int gw_tp_alloc(struct gw_tp **tpp, struct gw_loop *loop,
		const struct gw_tp_cfg *cfg, size_t *failedp);
void gw_tp_free(struct gw_tp *tp);
int gw_tp_local(const struct gw_tp *tp, size_t idx, struct gw_tp_local *lp);
void gw_tp_stats(const struct gw_tp *tp, struct gw_tp_stats *st);

/* Sending */
int gw_tp_send(struct gw_tp *tp, const struct gw_tp_peer *to, const char *buf,
	       size_t len);

/* Peers */
int gw_tp_peer_from_str(struct gw_tp_peer *peer, const char *transport,
			const char *host, uint16_t port);
int gw_tp_peer_str(const struct gw_tp_peer *peer, char *buf, size_t size);
int gw_tp_peer_ip(const struct gw_tp_peer *peer, char *buf, size_t size,
		  uint16_t *portp);

#endif
