/*
 * gateway/transport_int.h — shared by transport.c (listeners, message
 * checks, peers), transport_udp.c (datagrams in and out) and
 * transport_tcp.c (connections). Not for other files.
 *
 * The gw_tp owns listeners and connections. A connection that closes is
 * unhashed and its fd closed at once, but its memory is freed by a defer
 * at the end of the turn: a handler further up the stack may still be
 * walking its input buffer.
 */
#ifndef GW_TRANSPORT_INT_H
#define GW_TRANSPORT_INT_H

#include "gateway/transport.h"

#define TP_PAUSE_MS 100u        /* accept paused after EMFILE and friends */
#define TP_RECV_VEC 16u         /* datagrams per recvmmsg(), buffers kept */
#define TP_SEND_QUEUE 64u       /* datagrams queued before a flush */
#define TP_SEND_BYTES (64u * 1024u)     /* and their bytes */
#define TP_FAILS 8u             /* addresses a send failed to, remembered */
#define TP_FAIL_MS 2000u        /* for as long */

struct tp_dgram {               /* a datagram waiting in the send queue */
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	size_t off;             /* in gw_tp.sbuf */
	size_t len;
};

struct tp_fail {                /* a hard send failure, err 0: unused */
	struct sockaddr_storage addr;
	int err;
	uint64_t until;         /* loop time */
};

struct gw_tp;

struct tp_listener {
	struct gw_tp *tp;
	size_t idx;
	struct sockaddr_storage addr;   /* bound, port included */
	socklen_t addrlen;
	int ufd;                        /* -1: no UDP */
	int tfd;                        /* -1: no TCP */
	struct gw_fd uw;
	struct gw_fd tw;
	struct gw_timer pause;          /* accept back on after a pause */
	uint32_t drops_seen;            /* last SO_RXQ_OVFL value */
	int rcvbuf;
	int sndbuf;
};

enum conn_state {
	CONN_CONNECTING,
	CONN_OPEN,
	CONN_CLOSED,            /* fd gone, waiting for its deferred free */
};

struct tp_conn {
	struct gw_tp *tp;
	uint64_t id;
	enum conn_state state;
	bool inbound;
	bool report;            /* call err_h when freed */
	int err;                /* why it closed */
	int fd;
	int local;              /* listener index, -1 for outbound */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint64_t addr_hash;
	struct gw_fd w;
	struct gw_timer idle;
	struct gw_defer dfree;
	struct tp_conn *id_next;        /* hash chains */
	struct tp_conn *addr_next;
	struct tp_conn *prev;           /* every connection, closed ones too */
	struct tp_conn *next;
	char *ibuf;                     /* max_msg bytes while in use */
	size_t ilen;
	char *obuf;
	size_t osize;
	size_t ooff;                    /* obuf[ooff, olen) waits for EPOLLOUT */
	size_t olen;
};

struct gw_tp {
	struct gw_loop *loop;
	gw_tp_recv_h *recv_h;
	gw_tp_err_h *err_h;
	void *arg;
	size_t max_msg;
	uint32_t idle_ms;
	size_t max_conns;
	size_t max_queue;
	uint32_t rcvbuf;
	uint32_t sndbuf;
	struct tp_listener *ls;
	size_t nls;
	char *rbuf;                     /* TP_RECV_VEC x (max_msg + 1) */
	struct tp_dgram *sq;            /* TP_SEND_QUEUE, nsq of them used */
	size_t nsq;
	char *sbuf;                     /* TP_SEND_BYTES, slen used */
	size_t slen;
	struct gw_defer sflush;         /* sends the queue at the turn end */
	struct tp_fail fails[TP_FAILS];
	size_t fail_next;               /* ring position */
	uint64_t fail_until;            /* the latest of fails[].until */
	uint64_t seed;                  /* address hash and To tags */
	uint64_t ntags;
	struct gw_tp_stats st;
	/* TCP */
	struct tp_conn **by_id;
	struct tp_conn **by_addr;
	size_t mask;                    /* buckets - 1 */
	struct tp_conn *conns;
	uint64_t next_id;
	size_t n_in;
	size_t n_out;
};

/* transport.c */
void gw_tp_deliver(struct gw_tp *tp, const char *buf, size_t len,
		   const struct gw_tp_peer *from);

/* transport_udp.c */
int gw_tp_udp_init(struct gw_tp *tp);
void gw_tp_udp_free(struct gw_tp *tp);
void gw_tp_udp_h(int fd, uint32_t events, void *arg);
int gw_tp_udp_send(struct gw_tp *tp, const struct gw_tp_peer *to,
		   const char *buf, size_t len);
void gw_tp_udp_flush(struct gw_tp *tp);

/* transport_tcp.c */
int gw_tp_tcp_init(struct gw_tp *tp);
void gw_tp_tcp_free(struct gw_tp *tp);
void gw_tp_tcp_accept_h(int fd, uint32_t events, void *arg);
int gw_tp_tcp_send(struct gw_tp *tp, const struct gw_tp_peer *to,
		   const char *buf, size_t len);

#endif
