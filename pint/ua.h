/*
 * pint/ua.h — the PINT user agent, sans I/O: service calls (INVITE, CANCEL,
 * BYE), status subscriptions (PINT or RFC 6665 dialog package), the UAS
 * side for what gateways send us, OPTIONS keepalives and REGISTER.
 *
 * The ua owns its calls, subscriptions and transaction layer; callers name
 * a call by the uint64_t ref they chose. The gateway set is the caller's
 * (borrowed, it must outlive the ua). Bytes leave through handlers->send,
 * status through handlers->event: synchronously, from inside any entry
 * point (pint_ua_call_start included), once the ua's own state is settled,
 * so a handler may call back into the ua, but never pint_ua_free. Each
 * call gets exactly one terminal event; it then stays known (EALREADY)
 * for 64*T1 to answer retransmissions, and is forgotten. Identifiers come
 * from handlers->rand; time comes in as monotonic ms (wall clock for SDP
 * t= through pint_ua_set_wallclock).
 */
#ifndef PINT_UA_H
#define PINT_UA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pint/gwset.h"
#include "pint/mbuf.h"
#include "pint/req.h"
#include "pint/service.h"
#include "pint/status.h"
#include "pint/tsx.h"

struct pint_ua;

#define PINT_UA_NEVER UINT64_MAX       /* next_deadline: nothing armed */
#define PINT_UA_ID_MAX 64u             /* bytes of a Call-ID, tag, sess id */
#define PINT_UA_RAND_BYTES 16u         /* 128 bits behind every identifier */
#define PINT_UA_MAX_REDIRECTS 8u       /* hard cap on conf->max_redirects */
#define PINT_UA_MAX_TEXT 128u          /* User-Agent string */
#define PINT_UA_TOKEN_SIZE 23u         /* 22 URL-safe characters and NUL */
#define PINT_UA_DECIMAL_SIZE 40u       /* 2^128 in decimal (39 digits), NUL */

/* Where a call is in its life (names: pint_ua_call_state_name). */
enum pint_ua_call_state {
	PINT_UA_CALLING = 0,    /* INVITE sent, no response yet */
	PINT_UA_PROCEEDING,     /* a 1xx came: ring timeout running */
	PINT_UA_CANCELING,      /* CANCEL sent (or owed until the first 1xx) */
	PINT_UA_ACCEPTED,       /* 2xx ACKed: the service runs at the gateway */
	PINT_UA_BYEING,         /* our BYE is out (cancel after 2xx) */
	PINT_UA_DONE,           /* terminal event sent; lingers for re-ACKs */
	PINT_UA_NSTATES,
};

/* Send len bytes to peer: 0, or a positive errno (transport error). */
typedef int (pint_ua_send_h)(const char *buf, size_t len,
			     const struct pint_tsx_peer *peer, void *arg);
/* A status change or new evidence for the call ref (see pint/status.h). */
typedef void (pint_ua_event_h)(uint64_t ref, const struct pint_status_ev *ev,
			       void *arg);
/* Gateway idx of the set changed health (keepalives, timeouts). */
typedef void (pint_ua_gateway_h)(size_t idx, enum pint_gwset_health health,
				 void *arg);
/* Fill len bytes from the OS RNG (getrandom): 0 or a positive errno. */
typedef int (pint_ua_rand_h)(uint8_t *buf, size_t len, void *arg);

/* send and rand are required; event and gateway may be NULL. */
struct pint_ua_handlers {
	pint_ua_send_h *send;
	pint_ua_event_h *event;
	pint_ua_gateway_h *gateway;
	pint_ua_rand_h *rand;
	void *arg;
};

/* Copied by pint_ua_alloc (strings too), except gwset. */
struct pint_ua_conf {
	struct pint_req_local udp;      /* Via/Contact/From over UDP */
	struct pint_req_local tcp;      /* over TCP (inline content) */
	struct pint_tsx_config tsx;     /* hash_key all zero: taken from rand */
	const char *user_agent;         /* User-Agent and Server; NULL = none */
	struct pint_gwset *gwset;       /* borrowed; outlives the ua */
	const char *origin_addr;        /* SDP o= address; NULL = udp.host */
	bool origin_ipv6;
	const char *cid_host;           /* Content-ID host; NULL = UDP domain */
	uint32_t ring_timeout_ms;       /* default per call; 0 = none */
	unsigned max_redirects;         /* 3xx followed per call (≤ 8) */
	/* an accepted call with no monitoring (none configured, or it ended)
	 * reports completed/ok "by pintgw" this long after; 0 = never */
	uint32_t max_duration_ms;
	uint32_t register_retry_ms;     /* after a failed REGISTER; 0 = 60 s */
};

/* Crash recovery: the identities the first attempt was sent with. */
struct pint_ua_resume {
	const char *call_id;
	const char *from_tag;
	uint32_t cseq;                  /* last CSeq sent; the INVITE has +1 */
	const char *sess_id;            /* SDP o= session id, the same again */
	/* the INVITE's Via branch (z9hG4bK…, ≤ PINT_UA_ID_MAX bytes): with
	 * the same CSeq the resend is a retransmission of that INVITE;
	 * NULL = a new branch */
	const char *branch;
};

struct pint_ua_call_params {
	const struct pint_svc_req *req; /* validated; read (and copied) by pint_ua_call_start only */
	const char *gateway;            /* preferred gateway name, NULL = any */
	uint32_t ring_timeout_ms;       /* 0 = the conf default */
	bool track;                     /* subscribe to status at the gateway */
	const struct pint_ua_resume *resume;  /* NULL = a new call */
};

/* What the daemon stores for crash recovery; views valid until the next
 * pint_ua_* call. */
struct pint_ua_call_info {
	enum pint_ua_call_state state;
	enum pint_status status;        /* last status reported */
	const char *gateway;            /* name, NULL if it left the set */
	const char *call_id;
	const char *from_tag;
	uint32_t cseq;                  /* of the last INVITE sent */
	const char *branch;             /* its Via branch ("": none sent) */
	const char *sess_id;
	const char *sdp;                /* the INVITE's SDP (NULL: none yet) */
	size_t sdp_len;
	bool monitoring;                /* a subscription is live */
};

/* Counters for /metrics: gauges are calls_*, subs_live; the rest grow. */
struct pint_ua_stats {
	uint64_t calls_live;
	uint64_t calls_by_state[PINT_UA_NSTATES];
	uint64_t subs_live;
	uint64_t calls_started;
	uint64_t events;
	uint64_t terminal_events;
	uint64_t invites_sent;          /* every INVITE attempt */
	uint64_t retries;               /* attempts after the first one */
	uint64_t redirects;
	uint64_t auth_retries;
	uint64_t failovers;
	uint64_t cancels_sent;
	uint64_t byes_sent;
	uint64_t subscribes_sent;
	uint64_t unsubscribes_sent;
	uint64_t fallbacks;             /* PINT → dialog mode */
	uint64_t notify_accepted;
	uint64_t refused_481;           /* NOTIFY/BYE/UNSUBSCRIBE: no dialog */
	uint64_t refused_403;           /* … not from the gateway's address */
	uint64_t refused_500;           /* … with a CSeq not increasing */
	uint64_t gateway_byes;
	uint64_t gateway_unsubscribes;
	uint64_t options_answered;      /* OPTIONS to us */
	uint64_t requests_405;
	uint64_t keepalives_sent;
	uint64_t keepalives_failed;
	uint64_t registrations;         /* REGISTER 2xx */
	uint64_t registration_failures;
	struct pint_tsx_stats tsx;
};

/* Identifiers from PINT_UA_RAND_BYTES random bytes (the caller's RNG) */
void pint_ua_token(char buf[PINT_UA_TOKEN_SIZE],
		   const uint8_t r[PINT_UA_RAND_BYTES]);
void pint_ua_decimal(char buf[PINT_UA_DECIMAL_SIZE],
		     const uint8_t r[PINT_UA_RAND_BYTES]);

/* Lifetime */
int pint_ua_alloc(struct pint_ua **uap, const struct pint_ua_conf *conf,
		  const struct pint_ua_handlers *h);
void pint_ua_free(struct pint_ua *ua);
void pint_ua_set_wallclock(struct pint_ua *ua, uint64_t now_ms,
			   uint64_t unix_s);
void pint_ua_gateways_changed(struct pint_ua *ua);

/* Input: messages (as bytes, or parsed once by the caller) and time */
int pint_ua_recv(struct pint_ua *ua, const char *buf, size_t len,
		 const struct pint_tsx_peer *src, uint64_t now_ms);
int pint_ua_recv_msg(struct pint_ua *ua, struct osip_message *msg,
		     const char *raw, size_t len,
		     const struct pint_tsx_peer *src, uint64_t now_ms);
void pint_ua_tick(struct pint_ua *ua, uint64_t now_ms);
uint64_t pint_ua_next_deadline(const struct pint_ua *ua);

/* Calls */
int pint_ua_call_start(struct pint_ua *ua, uint64_t ref,
		       const struct pint_ua_call_params *p, uint64_t now_ms);
int pint_ua_call_cancel(struct pint_ua *ua, uint64_t ref, uint64_t now_ms);
int pint_ua_call_info(const struct pint_ua *ua, uint64_t ref,
		      struct pint_ua_call_info *info);
int pint_ua_watch(struct pint_ua *ua, uint64_t ref, const char *gateway,
		  const char *sdp, size_t sdp_len, uint64_t now_ms);

/* Observability */
void pint_ua_stats(const struct pint_ua *ua, struct pint_ua_stats *st);
int pint_ua_debug(const struct pint_ua *ua, struct pint_mbuf *mb);
const char *pint_ua_call_state_name(enum pint_ua_call_state state);

#endif
