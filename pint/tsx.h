/*
 * pint/tsx.h — RFC 3261 §17 transactions (with RFC 6026), sans I/O.
 *
 * The layer owns its transactions and frees them itself, at the end of the
 * entry point during which they terminated; the TU borrows a transaction
 * inside callbacks and refers to it later by id (pint_tsx_find). Messages
 * passed to callbacks are borrowed for the call; what the TU gives the
 * layer is copied as bytes, never kept as an osip message (a message
 * given to pint_tsx_recv_msg stays the caller's). Time comes in as now_ms
 * (monotonic); bytes leave through the injected send handler.
 */
#ifndef PINT_TSX_H
#define PINT_TSX_H

#include <stddef.h>
#include <stdint.h>

#include "pint/mbuf.h"

struct osip_message;            /* osip_message_t, from osipparser2 */
struct pint_tsx;
struct pint_tsx_layer;

/* RFC 3261 timer bases (configurable per layer, these are the defaults). */
#define PINT_TSX_T1_MS 500u
#define PINT_TSX_T2_MS 4000u
#define PINT_TSX_T4_MS 5000u

/* Hard limits on what a peer or the TU can make the layer store. */
#define PINT_TSX_MAX_MSG 65535u        /* one serialized message */
#define PINT_TSX_MAX_BRANCH 256u       /* Via branch parameter */
#define PINT_TSX_MAX_METHOD 32u        /* request / CSeq method */
#define PINT_TSX_MAX_HOST 255u         /* Via sent-by host */
#define PINT_TSX_MAX_ADDR 255u         /* peer address string */
/* Call-ID, CSeq number and tags making up the key of a 2xx ACK */
#define PINT_TSX_MAX_TAG 256u

/* pint_tsx_next_deadline() when no timer is armed. */
#define PINT_TSX_NEVER UINT64_MAX

enum pint_tsx_transport {
	PINT_TSX_UDP = 0,
	PINT_TSX_TCP,           /* reliable: never retransmit, D/I/J/K = 0 */
};

/* Where a message goes to or came from. addr is NUL-terminated. */
struct pint_tsx_peer {
	enum pint_tsx_transport transport;
	const char *addr;
	uint16_t port;
};

enum pint_tsx_kind {
	PINT_TSX_ICT,           /* client INVITE */
	PINT_TSX_NICT,          /* client non-INVITE */
	PINT_TSX_IST,           /* server INVITE */
	PINT_TSX_NIST,          /* server non-INVITE */
};

enum pint_tsx_state {
	PINT_TSX_CALLING,
	PINT_TSX_TRYING,
	PINT_TSX_PROCEEDING,
	PINT_TSX_COMPLETED,
	PINT_TSX_CONFIRMED,
	PINT_TSX_ACCEPTED,
	PINT_TSX_TERMINATED,
};

/* Send len bytes to peer; 0 or a positive errno (a transport error). */
typedef int (pint_tsx_send_h)(const char *buf, size_t len,
			      const struct pint_tsx_peer *peer, void *arg);
/* Client: a response matched tsx (1xx, 2xx incl. retransmitted 2xx, final). */
typedef void (pint_tsx_resp_h)(struct pint_tsx *tsx, struct osip_message *resp,
			       void *arg);
/* Any: tsx ended badly: ETIMEDOUT (B, F, H, L without ACK) or the send
 * handler's errno. tsx is already Terminated. */
typedef void (pint_tsx_fail_h)(struct pint_tsx *tsx, int err, void *arg);
/* Server: a new request; answer with pint_tsx_respond(), now or later. */
typedef void (pint_tsx_req_h)(struct pint_tsx *tsx, struct osip_message *req,
			      const struct pint_tsx_peer *src, void *arg);
/* Server: CANCEL for ist, still without a final response. The layer has
 * answered 200 to the CANCEL; the TU should answer 487 on ist. */
typedef void (pint_tsx_cancel_h)(struct pint_tsx *ist,
				 struct osip_message *cancel, void *arg);
/* ACK for a 2xx, or a response that matches no client transaction. */
typedef void (pint_tsx_stray_h)(struct osip_message *msg,
				const struct pint_tsx_peer *src, void *arg);

/*
 * What the layer does by itself, and what it leaves to the TU:
 * - every new INVITE is answered 100 Trying at once;
 * - CANCEL is answered here: 200 if it matches an INVITE server
 *   transaction (branch + sent-by), else 481; cancel_h runs while that
 *   INVITE has no final response, and the TU then sends 487 on it;
 * - the ACK for a non-2xx final is built, sent and resent here; a 2xx is
 *   never ACKed here: it and its retransmissions go to resp_h for 64*T1
 *   (Timer M), later ones to stray_h;
 * - a 2xx sent on an INVITE server transaction is resent here (T1
 *   doubling to T2, UDP only) until its ACK arrives, matched by Call-ID,
 *   CSeq number and tags, or Timer L (64*T1) fires: then fail_h with
 *   ETIMEDOUT (the TU should send BYE). A 2xx without To tag is not
 *   resent. Every 2xx ACK also goes to stray_h;
 * - no Timer B after a 1xx: ringing lasts until the TU's own timeout
 *   (CANCEL). Server transactions in Trying/Proceeding have no timer: the
 *   TU must answer every request req_h gave it, or terminate it;
 * - branches without the z9hG4bK cookie match by exact value; there is no
 *   RFC 2543 matching, and a message without branch is EBADMSG.
 * send_h may call back into the layer (an in-memory loopback, say).
 */

/* send is required; any other handler may be NULL (event ignored). */
struct pint_tsx_handlers {
	pint_tsx_send_h *send;
	pint_tsx_resp_h *resp;
	pint_tsx_fail_h *fail;
	pint_tsx_req_h *req;
	pint_tsx_cancel_h *cancel;
	pint_tsx_stray_h *stray;
	void *arg;
};

struct pint_tsx_config {
	uint32_t t1_ms;         /* 0 = PINT_TSX_T1_MS */
	uint32_t t2_ms;         /* 0 = PINT_TSX_T2_MS */
	uint32_t t4_ms;         /* 0 = PINT_TSX_T4_MS */
	uint8_t hash_key[16];   /* random in production: peers pick branches */
};

/* Counters for /metrics. live_* are gauges, the rest only grow. */
struct pint_tsx_stats {
	uint64_t live_client;
	uint64_t live_server;
	uint64_t retransmits_sent;      /* requests, responses, ACKs re-sent */
	uint64_t retransmits_absorbed;  /* duplicates received, not passed up */
	uint64_t timeouts;
	uint64_t transport_errors;
	uint64_t strays;
};

/* Layer */
int pint_tsx_layer_alloc(struct pint_tsx_layer **lp,
			 const struct pint_tsx_config *cfg,
			 const struct pint_tsx_handlers *h);
void pint_tsx_layer_free(struct pint_tsx_layer *l);

/* Input: messages (as bytes, or parsed once by the caller) and time */
int pint_tsx_recv(struct pint_tsx_layer *l, const char *buf, size_t len,
		  const struct pint_tsx_peer *src, uint64_t now_ms);
int pint_tsx_recv_msg(struct pint_tsx_layer *l, struct osip_message *msg,
		      const char *raw, size_t len,
		      const struct pint_tsx_peer *src, uint64_t now_ms);
void pint_tsx_tick(struct pint_tsx_layer *l, uint64_t now_ms);
uint64_t pint_tsx_next_deadline(const struct pint_tsx_layer *l);

/* Client and server transactions: the message as bytes, or as an osip
 * message the layer serializes (libosip2 5.3 may crash on an allocation
 * failure inside osip_message_to_str: the _buf forms do not use it), or
 * both, printed by the caller (_built: the bytes are not parsed again). */
int pint_tsx_start_buf(uint64_t *idp, struct pint_tsx_layer *l,
		       const char *buf, size_t len,
		       const struct pint_tsx_peer *peer, void *ctx,
		       uint64_t now_ms);
int pint_tsx_start(uint64_t *idp, struct pint_tsx_layer *l,
		   struct osip_message *req, const struct pint_tsx_peer *peer,
		   void *ctx, uint64_t now_ms);
int pint_tsx_start_built(uint64_t *idp, struct pint_tsx_layer *l,
			 struct osip_message *req, const char *buf, size_t len,
			 const struct pint_tsx_peer *peer, void *ctx,
			 uint64_t now_ms);
int pint_tsx_respond_buf(struct pint_tsx *tsx, const char *buf, size_t len,
			 uint64_t now_ms);
int pint_tsx_respond(struct pint_tsx *tsx, struct osip_message *resp,
		     uint64_t now_ms);
int pint_tsx_respond_built(struct pint_tsx *tsx, struct osip_message *resp,
			   const char *buf, size_t len, uint64_t now_ms);
void pint_tsx_terminate(struct pint_tsx *tsx);

/* Lookup and accessors */
struct pint_tsx *pint_tsx_find(const struct pint_tsx_layer *l, uint64_t id);
uint64_t pint_tsx_id(const struct pint_tsx *tsx);
void *pint_tsx_ctx(const struct pint_tsx *tsx);
void pint_tsx_set_ctx(struct pint_tsx *tsx, void *ctx);
enum pint_tsx_kind pint_tsx_kind(const struct pint_tsx *tsx);
enum pint_tsx_state pint_tsx_state(const struct pint_tsx *tsx);
const char *pint_tsx_kind_name(enum pint_tsx_kind kind);
const char *pint_tsx_state_name(enum pint_tsx_state state);

/* Observability */
void pint_tsx_stats(const struct pint_tsx_layer *l, struct pint_tsx_stats *st);
int pint_tsx_debug(const struct pint_tsx_layer *l, struct pint_mbuf *mb);

#endif
