/*
 * gateway/sim/sim_int.h — shared by the simulator's files only: sim.c
 * (lifetime, wiring, dispatch), sim_wire.c (sending, trace, helpers),
 * sim_call.c (one service session and its timeline), sim_invite.c (the
 * INVITE taken in, CANCEL, ACK, BYE), sim_sub.c (status subscriptions,
 * PINT and dialog package), sim_check.c (what an INVITE must satisfy),
 * sim_auth.c (digest challenges), sim_dinfo.c (dialog-info XML) and
 * sim_script.c (the outcome table, service texts, subtypes).
 *
 * The gw_sim owns every session and subscription. A session may be
 * watched by subscriptions (linked on it); a subscription may outlive its
 * session (call NULL) while its last request is out. Every transaction's
 * ctx points at a kind byte inside its owner; an owner that goes away
 * first detaches its transactions (ctx NULL), and is freed at the end of
 * the loop turn (the reaper), never inside the callback that ended it.
 */
#ifndef GW_SIM_INT_H
#define GW_SIM_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>

#include "gateway/sim/sim.h"
#include "pint/dialog.h"
#include "pint/dialoginfo.h"
#include "pint/hash.h"
#include "pint/req.h"
#include "pint/sdp.h"
#include "pint/sip.h"
#include "pint/tsx.h"

#define SIM_TOKEN_SIZE 23u              /* 128 bits in base64url + NUL */
#define SIM_BRANCH_SIZE (sizeof(PINT_REQ_BRANCH_COOKIE) - 1u + SIM_TOKEN_SIZE)
#define SIM_HOST_SIZE (INET6_ADDRSTRLEN + 2u)   /* "[v6]" */
#define SIM_INFO_SIZE 128u              /* our i= texts */
#define SIM_TEXT_SIZE 256u              /* a Warning text we send */
#define SIM_DIGITS_SIZE 32u             /* the dialled digits */
#define SIM_NONCES 64u                  /* digest nonces remembered */
#define SIM_NONCE_SIZE 33u              /* 128 bits in hex + NUL */
#define SIM_MAX_AHEAD_S (7u * 86400u)   /* latest scheduled start */
#define SIM_ALT "-alt"                  /* redirect target suffix */
#define SIM_AGENT_SIZE (SIM_HOST_SIZE + 6u)

/* What a transaction's ctx points at. */
enum sim_kind {
	SIM_K_IST = 1,          /* sim_call.k_ist: the INVITE */
	SIM_K_BYE,              /* sim_call.k_bye: our BYE */
	SIM_K_SUB,              /* sim_sub.kind: our NOTIFY / UNSUBSCRIBE */
};

/* Intrusive lists on struct gw_link (loop.h): a head links to itself. */
static inline void sim_list_init(struct gw_link *h)
{
	h->prev = h->next = h;
}

static inline bool sim_list_empty(const struct gw_link *h)
{
	return h->next == h;
}

static inline void sim_list_add(struct gw_link *h, struct gw_link *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void sim_list_del(struct gw_link *n)
{
	if (!n->next)
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = NULL;
}

#define SIM_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Where to send: a copy, NUL-terminated address. */
struct sim_peer {
	enum pint_tsx_transport tp;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
};

/* A session's life (names: sim_call_state_name). */
enum sim_call_state {
	SIM_CALL_DIALING = 0,   /* 100 out (by the layer), nothing else */
	SIM_CALL_RINGING,       /* 180 out */
	SIM_CALL_ACCEPTED,      /* 200 out, not connected yet */
	SIM_CALL_CONNECTED,     /* t= start set: the service runs */
	SIM_CALL_ENDED,         /* over; kept for SUBSCRIBE until retention */
};

/* How an ended session ended (dialog-info <state event>). */
enum sim_end {
	SIM_END_NONE = 0,
	SIM_END_DONE,           /* the service ran to its end: our BYE */
	SIM_END_REJECTED,       /* a final >= 300 to the INVITE */
	SIM_END_CANCELED,       /* CANCEL: 487 */
	SIM_END_ABORTED,        /* the peer's BYE, answered 200 */
	SIM_END_TIMEOUT,        /* no ACK for our 200 */
	SIM_END_ERROR,          /* the INVITE could not be answered */
};

/* What the service does once connected. */
enum sim_kindof {
	SIM_SVC_CALL = 0,       /* voice, no content: R2C */
	SIM_SVC_FAX,            /* fax: pages */
	SIM_SVC_PLAY,           /* voice with content: R2HC */
	SIM_SVC_PAGE,           /* pager */
};

struct sim_call {
	uint8_t k_ist;                  /* SIM_K_IST */
	uint8_t k_bye;                  /* SIM_K_BYE */
	uint8_t state;                  /* enum sim_call_state */
	uint8_t end;                    /* enum sim_end */
	uint8_t outcome;                /* enum gw_sim_outcome */
	uint8_t svc;                    /* enum sim_kindof */
	bool answered;                  /* a final response went out */
	bool acked;
	bool scheduled;                 /* t= start in the future */
	bool in_cid, in_origin;
	struct gw_sim *sim;
	struct gw_link link;            /* sim->calls */
	struct gw_link subs;            /* sim_sub.link of its watchers */
	struct pint_hash_node by_cid;   /* Call-ID + the peer's tag */
	struct pint_hash_node by_origin;
	struct gw_timer tm;             /* the timeline */
	struct gw_timer keep;           /* retention after the end */
	struct sim_call *next_dead;
	uint64_t id;
	uint64_t ist;                   /* the INVITE's transaction */
	uint64_t bye_tsx;
	uint64_t created;               /* loop ms */
	uint64_t ended;                 /* loop ms, 0 = live */
	uint64_t delay_ms;              /* scheduled: until t= start */
	unsigned code;                  /* final response code sent */
	unsigned pages;
	unsigned pages_sent;
	uint64_t start_ntp;             /* t= as we report it */
	uint64_t stop_ntp;
	char *inv;                      /* the INVITE as received */
	size_t inv_len;
	char *sdp;                      /* its SDP, owned */
	size_t sdp_len;
	char *service;                  /* Request-URI user */
	char *call_id;
	char *remote_tag;
	char *okey;                     /* o= identity, see sim_origin_key */
	char *from_uri;                 /* the peer's identity (dialog-info) */
	char *to_uri;                   /* ours */
	struct pint_dialog *dlg;        /* UAS side of the INVITE dialog */
	struct sim_peer src;            /* where the INVITE came from */
	char local_tag[SIM_TOKEN_SIZE];
	char digits[SIM_DIGITS_SIZE];
	char info[SIM_INFO_SIZE];       /* the current i= */
};

enum sim_sub_state {
	SIM_SUB_ACTIVE = 0,
	SIM_SUB_ENDING,         /* the last request (UNSUBSCRIBE, NOTIFY) out */
	SIM_SUB_DONE,
};

struct sim_sub {
	uint8_t kind;                   /* SIM_K_SUB */
	uint8_t state;                  /* enum sim_sub_state */
	bool dialog;                    /* RFC 4235 subscription */
	bool in_tab;
	bool dirty;                     /* changed while a NOTIFY was out */
	bool last;                      /* the request out is the last one */
	const char *end_reason;         /* dialog: the terminated reason */
	char *snap;                     /* PINT: the last SDP reported */
	size_t snap_len;
	struct gw_sim *sim;
	struct sim_call *call;          /* watched session, NULL = none */
	struct gw_link link;            /* call->subs or sim->orphans */
	struct pint_hash_node by_dlg;   /* Call-ID + our tag */
	struct gw_timer tm;             /* expiry */
	struct sim_sub *next_dead;
	uint64_t id;
	uint64_t tsx;                   /* NOTIFY or UNSUBSCRIBE out */
	uint64_t expires_at;            /* loop ms */
	uint32_t version;               /* dialog-info, next to send */
	uint8_t reported;               /* dialog-info: the state last sent */
	struct {                        /* dialog mode: an attempt redirected */
		bool set;               /* (3xx) before the session watched */
		char id[24];
		char local_tag[SIM_TOKEN_SIZE];
		unsigned code;
		uint32_t duration;
	} prev;
	struct pint_dialog *dlg;
	struct sim_peer peer;
	char local_tag[SIM_TOKEN_SIZE];
};

struct sim_nonce {
	char value[SIM_NONCE_SIZE];
	uint64_t expires;               /* loop ms */
};

struct gw_sim {
	struct gw_loop *loop;
	struct gw_tp *tp;
	struct pint_tsx_layer *tsx;
	struct gw_prepare prep;
	struct gw_check chk;
	struct gw_defer reaper;
	bool hooked;
	bool spin;
	struct gw_link calls;           /* every session, oldest first */
	struct gw_link orphans;         /* subscriptions without a session */
	struct pint_hash by_cid;
	struct pint_hash by_origin;
	struct pint_hash by_sub;
	struct sim_call *dead_calls;
	struct sim_sub *dead_subs;
	uint8_t sipkey[PINT_HASH_SIPKEY_LEN];
	int udp_ls, tcp_ls;
	uint16_t udp_port, tcp_port;
	struct pint_req_local loc[2];   /* by enum pint_tsx_transport */
	char host[SIM_HOST_SIZE];       /* Via/Contact host, v6 bracketed */
	char agent[SIM_AGENT_SIZE];     /* Warning agent: host:port */
	char user[PINT_REQ_MAX_TOKEN + 1];
	/* the configuration, copied */
	double speed;
	enum gw_sim_mode mode;
	enum gw_sim_require_mode require_mode;
	bool forced;
	enum gw_sim_outcome force;
	char *realm;
	char *auth_user;
	char *auth_password;
	char *services[GW_SIM_MAX_SERVICES];
	size_t nservices;
	char *sub_type[GW_SIM_MAX_SUBTYPES];
	char *sub_spell[GW_SIM_MAX_SUBTYPES];
	size_t nsubtypes;
	uint32_t retention;
	uint32_t max_expires;
	gw_sim_trace_h *trace;
	void *trace_arg;
	/* digest nonces handed out, a ring */
	struct sim_nonce nonces[SIM_NONCES];
	size_t next_nonce;
	/* the message being received, for the request handler */
	const char *cur_raw;
	size_t cur_len;
	uint64_t next_id;
	struct gw_sim_stats st;
};

/* A response to send: every field optional but code. */
struct sim_resp {
	int code;
	const char *reason;             /* NULL: the standard phrase */
	const char *to_tag;             /* NULL: none added */
	bool contact;                   /* our Contact */
	const char *contact_user;       /* NULL: sim->user */
	int64_t expires;                /* < 0: no Expires */
	unsigned warn_code;             /* 0: no Warning */
	const char *warn_text;
	const char *hname[4];           /* more headers */
	const char *hvalue[4];
	size_t nh;
	const char *ctype;              /* NULL: application/sdp */
	const char *body;
	size_t body_len;
};

/* What an INVITE was found to be (sim_check.c). */
struct sim_verdict {
	int code;                       /* 0: acceptable */
	const char *reason;             /* NULL: the standard phrase */
	unsigned warn_code;
	char warn_text[SIM_TEXT_SIZE];
	char unsupported[SIM_TEXT_SIZE];
	bool accept;                    /* 415: add Accept */
	struct pint_pl sdp;             /* the SDP, in the request */
	char digits[SIM_DIGITS_SIZE];   /* of the dialled number */
	enum sim_kindof svc;
	uint64_t start_ntp;             /* t= start asked for, 0 = now */
};

/* sim_wire.c: services for the other files */
uint64_t sim_now(const struct gw_sim *sim);
uint64_t sim_ntp_now(void);
uint64_t sim_scaled(const struct gw_sim *sim, uint64_t ms);
int sim_token(char buf[SIM_TOKEN_SIZE]);
int sim_rand(uint8_t *buf, size_t len);
const struct pint_req_local *sim_loc(const struct gw_sim *sim,
				     enum pint_tsx_transport tp);
int sim_reply(struct gw_sim *sim, struct pint_tsx *tsx,
	      const osip_message_t *req, const struct sim_resp *r);
int sim_reply_code(struct gw_sim *sim, struct pint_tsx *tsx,
		   const osip_message_t *req, int code);
int sim_send(struct gw_sim *sim, osip_message_t *m, const struct sim_peer *to,
	     void *ctx, uint64_t *idp);
void sim_detach(struct gw_sim *sim, uint64_t *idp);
void sim_peer_of(const struct pint_tsx_peer *src, struct sim_peer *p);
void sim_peer_target(const char *uri, const struct sim_peer *fallback,
		     struct sim_peer *p);
int sim_branch(char buf[SIM_BRANCH_SIZE]);
uint64_t sim_key_hash(const struct gw_sim *sim, const char *a, const char *b);
bool sim_key_eq(const char *a1, const char *b1, const char *a2,
		const char *b2);
int sim_dupstr(char **dstp, const char *s);
int sim_tsx_send(const char *buf, size_t len, const struct pint_tsx_peer *peer,
		 void *arg);
void sim_trace_msg(struct gw_sim *sim, bool out, bool absorbed,
		   const struct gw_tp_peer *peer, const char *buf, size_t len);

/* sim.c */
void sim_reap_later(struct gw_sim *sim);

/* sim_call.c */
int sim_call_respond(struct gw_sim *sim, struct sim_call *c,
		     struct sim_resp *r);
void sim_call_end(struct gw_sim *sim, struct sim_call *c, enum sim_end how);
void sim_call_refuse(struct gw_sim *sim, struct sim_call *c, int code,
		     const char *reason);
void sim_call_start(struct gw_sim *sim, struct sim_call *c);
void sim_call_send_bye(struct gw_sim *sim, struct sim_call *c);
struct sim_call *sim_call_by_cid(const struct gw_sim *sim, const char *cid,
				 const char *tag);
struct sim_call *sim_call_by_origin(const struct gw_sim *sim,
				    const char *okey);
int sim_call_sdp(const struct sim_call *c, struct pint_mbuf *mb);
uint32_t sim_call_retention_left(const struct sim_call *c);
void sim_call_free(struct gw_sim *sim, struct sim_call *c);
const char *sim_call_state_name(enum sim_call_state s);

/* sim_invite.c */
void sim_call_invite(struct gw_sim *sim, struct pint_tsx *tsx,
		     osip_message_t *req, const struct pint_tsx_peer *src);
void sim_call_reinvite(struct gw_sim *sim, struct pint_tsx *tsx,
		       osip_message_t *req);
void sim_call_cancel(struct gw_sim *sim, struct sim_call *c);
void sim_call_ist_failed(struct gw_sim *sim, struct sim_call *c, int err);
void sim_call_ack(struct gw_sim *sim, const osip_message_t *ack);
void sim_call_bye(struct gw_sim *sim, struct pint_tsx *tsx,
		  osip_message_t *req);

/* sim_sub.c */
void sim_sub_subscribe(struct gw_sim *sim, struct pint_tsx *tsx,
		       osip_message_t *req, const struct pint_tsx_peer *src);
void sim_sub_in_dialog(struct gw_sim *sim, struct pint_tsx *tsx,
		       osip_message_t *req, bool unsubscribe);
void sim_sub_changed(struct gw_sim *sim, struct sim_call *c);
void sim_sub_call_gone(struct gw_sim *sim, struct sim_call *c);
void sim_sub_inherit(struct gw_sim *sim, struct sim_call *from,
		     struct sim_call *to);
void sim_sub_resp(struct gw_sim *sim, struct sim_sub *s,
		  const osip_message_t *resp);
void sim_sub_failed(struct gw_sim *sim, struct sim_sub *s);
void sim_sub_free(struct gw_sim *sim, struct sim_sub *s);
void sim_sub_release(struct gw_sim *sim, struct sim_sub *s);

/* sim_check.c */
int sim_req_sdp(const osip_message_t *req, bool sdp_first,
		struct pint_pl *sdp, bool *multipartp);
int sim_origin_key(const struct pint_sdp *sdp, char **keyp);
void sim_check_invite(const struct gw_sim *sim, const char *service,
		      const osip_message_t *req, struct sim_verdict *v);
int sim_prefilter_outcome(const struct gw_sim *sim, const osip_message_t *req,
			  enum gw_sim_outcome *op);

/* sim_auth.c */
bool sim_auth_ok(struct gw_sim *sim, struct pint_tsx *tsx,
		 const osip_message_t *req);

/* sim_dinfo.c: dialog-info documents (RFC 4235 §4) */
struct sim_dinfo_dialog {
	const char *id;
	const char *call_id;
	const char *local_tag;          /* NULL: none sent yet (trying) */
	const char *remote_tag;         /* NULL: none */
	enum pint_dinfo_state state;
	enum pint_dinfo_event event;    /* NONE: no event attribute */
	unsigned code;                  /* 0: no code attribute */
	uint32_t duration;              /* seconds */
	const char *local_uri;          /* NULL: no <local> */
	const char *remote_uri;         /* NULL: no <remote> */
};

int sim_dinfo_encode(struct pint_mbuf *mb, uint32_t version,
		     const char *entity, const struct sim_dinfo_dialog *d,
		     size_t n);

/* sim_script.c */
const char *sim_service_of(const struct gw_sim *sim, const char *user,
			   bool *altp);
bool sim_subtype_ok(const struct gw_sim *sim, const struct pint_pl *media,
		    const struct pint_pl *fmt);
uint64_t sim_ring_ms(enum gw_sim_outcome o);
const char *sim_final_info(enum sim_kindof svc);
int sim_final_code(enum gw_sim_outcome o, const char **reasonp);

#endif
