/*
 * pint/tsx_int.h — private to pint/tsx*.c: the layer and transaction
 * structs and the helpers the client and server halves share.
 *
 * A transaction is one allocation (struct + match key + peer address)
 * plus the bytes it may have to send again (msg) and one extra buffer
 * (aux): the ACK an ICT built for a non-2xx, or the key an IST in Accepted
 * matches the 2xx ACK by. Both are malloc'd and freed with the transaction.
 * Nothing here calls an osip *_to_str function (see tsx_msg.c) except the
 * two osip_message_t convenience entry points.
 */
#ifndef PINT_TSX_INT_H
#define PINT_TSX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_message.h>

#include "pint/hash.h"
#include "pint/heap.h"
#include "pint/mbuf.h"
#include "pint/tsx.h"

/* Timer tags: each transaction has one retransmit and one lifetime timer. */
enum tsx_timer {
	TSX_RTX = 0,    /* A (ICT), E (NICT), G and the 2xx resend (IST) */
	TSX_LIFE = 1,   /* B D M (ICT), F K (NICT), H I L (IST), J (NIST) */
};

enum tsx_flag {
	TSX_F_BYACK = 1,        /* linked in by_ack (IST in Accepted) */
	TSX_F_ACKED = 2,        /* IST: the ACK for our 2xx came */
};

/* branch NUL method [NUL host:port], the longest key there can be */
#define TSX_KEY_MAX (PINT_TSX_MAX_BRANCH + 1 + PINT_TSX_MAX_METHOD + 1 + \
		     PINT_TSX_MAX_HOST + 7)
/* Call-ID NUL CSeq-number NUL From-tag NUL To-tag */
#define TSX_ACKKEY_MAX (4 * (PINT_TSX_MAX_TAG + 1))

struct pint_tsx_layer {
	struct pint_tsx_handlers h;
	uint32_t t1, t2, t4;
	uint8_t sipkey[PINT_HASH_SIPKEY_LEN];
	struct pint_hash by_key;        /* branch + method (+ sent-by) */
	struct pint_hash by_id;
	struct pint_hash by_ack;        /* ISTs in Accepted, by dialog + CSeq */
	struct pint_heap heap;
	struct pint_tsx *dead;          /* terminated, freed on leaving */
	unsigned depth;                 /* entry points on the stack */
	uint64_t next_id;
	size_t live;
	struct pint_tsx_stats st;
};

struct pint_tsx {
	struct pint_hash_node by_key;
	struct pint_hash_node by_id;
	struct pint_hash_node by_ack;
	struct pint_timer rtx;
	struct pint_timer life;
	struct pint_tsx_layer *l;
	struct pint_tsx *next_dead;
	uint64_t id;
	void *ctx;
	char *msg;              /* client: the request; server: last response */
	size_t msg_len;
	char *aux;              /* ICT: ACK for the non-2xx; IST: 2xx ACK key */
	size_t aux_len;
	uint32_t interval;      /* current retransmit interval, ms */
	uint16_t port;
	uint16_t key_len;
	uint8_t kind;           /* enum pint_tsx_kind */
	uint8_t state;          /* enum pint_tsx_state */
	uint8_t transport;      /* enum pint_tsx_transport */
	uint8_t flags;          /* enum tsx_flag */
	char key[];             /* key_len bytes, NUL, peer address, NUL */
};

/* What matching needs from a message, pointing into it. */
struct tsx_info {
	const char *method;     /* request method, or the CSeq method */
	const char *branch;
	const char *host;       /* Via sent-by */
	unsigned port;
	bool request;
};

/* One message as received: parsed for matching and callbacks, raw for
 * the messages built from it (tsx_msg.c). */
struct tsx_in {
	osip_message_t *m;
	const char *raw;
	size_t len;
	struct tsx_info mi;
	const struct pint_tsx_peer *src;
};

#define TSX_OF(ptr, member) ((struct pint_tsx *)(void *)((char *)(ptr) - \
				    offsetof(struct pint_tsx, member)))

struct tsx_key {
	char buf[TSX_KEY_MAX];
	size_t len;
	uint64_t hash;
};

/* tsx.c */
void tsx_enter(struct pint_tsx_layer *l);
void tsx_leave(struct pint_tsx_layer *l);
int tsx_parse(osip_message_t **mp, const char *buf, size_t len);
int tsx_copy(char **dstp, const char *buf, size_t len);
int tsx_info_get(osip_message_t *m, struct tsx_info *mi);
void tsx_key_make(const struct pint_tsx_layer *l, struct tsx_key *k,
		  const char *branch, const char *method, const char *host,
		  unsigned port);
struct pint_tsx *tsx_lookup(const struct pint_tsx_layer *l,
			    const struct tsx_key *k);
int tsx_alloc(struct pint_tsx **tsxp, struct pint_tsx_layer *l,
	      enum pint_tsx_kind kind, const struct tsx_key *k,
	      const struct pint_tsx_peer *peer);
void tsx_kill(struct pint_tsx *tsx);
void tsx_fail(struct pint_tsx *tsx, int err);
int tsx_send(struct pint_tsx *tsx, const char *buf, size_t len);
int tsx_resend(struct pint_tsx *tsx, const char *buf, size_t len);
void tsx_arm(struct pint_tsx *tsx, struct pint_timer *t, uint64_t due);
bool tsx_reliable(const struct pint_tsx *tsx);
bool tsx_peer_ok(const struct pint_tsx_peer *p);
void tsx_stray(struct pint_tsx_layer *l, const struct tsx_in *in);

/* tsx_msg.c */
int tsx_ack_base(const char *req, size_t req_len, char **bufp, size_t *lenp);
int tsx_build_ack(const char *req, size_t req_len, const char *resp,
		  size_t resp_len, char **bufp, size_t *lenp);
int tsx_build_response(const char *req, size_t len, int code,
		       const char *reason, const char *to_msg, size_t to_len,
		       char **bufp, size_t *lenp);

/* tsx_client.c */
int tsx_client_recv(struct pint_tsx *tsx, const struct tsx_in *in,
		    uint64_t now);
void tsx_client_timer(struct pint_tsx *tsx, enum tsx_timer which,
		      uint64_t now);

/* tsx_server.c */
int tsx_server_request(struct pint_tsx_layer *l, const struct tsx_in *in,
		       uint64_t now);
void tsx_server_ack(struct pint_tsx_layer *l, const struct tsx_in *in,
		    uint64_t now);
void tsx_server_timer(struct pint_tsx *tsx, enum tsx_timer which,
		      uint64_t now);

#endif
