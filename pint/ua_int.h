/*
 * pint/ua_int.h — private to the ua module: pint/ua.c (the layer),
 * pint/ua_in.c (what comes in), pint/call.c and pint/call_build.c (one
 * service call), pint/sub.c (one status subscription) and pint/reg.c
 * (keepalives, REGISTER, Digest).
 *
 * The ua owns its calls; a call owns its subscription, dialog and strings.
 * Every transaction's ctx points at a byte holding an enum ua_kind inside
 * its owner (a call has one per role: INVITE, CANCEL, BYE); an owner that
 * goes away, or replaces a request, first detaches the transaction (ctx
 * NULL), so a late callback finds nothing. Calls that
 * reach their end stay in the tables (state DONE) for a linger time, then
 * are freed at the end of the outermost entry point.
 */
#ifndef PINT_UA_INT_H
#define PINT_UA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_message.h>

#include "pint/dialog.h"
#include "pint/dialoginfo.h"
#include "pint/gwset.h"
#include "pint/hash.h"
#include "pint/heap.h"
#include "pint/tel.h"
#include "pint/ua.h"

/* 16 random bytes in base64url: 22 characters. */
#define UA_TOKEN_LEN 22u
#define UA_TOKEN_SIZE (UA_TOKEN_LEN + 1u)
#define UA_BRANCH_SIZE (sizeof(PINT_REQ_BRANCH_COOKIE) - 1u + UA_TOKEN_SIZE)
#define UA_ID_SIZE (PINT_UA_ID_MAX + 1u)
/* A decimal 128-bit number: 39 digits. */
#define UA_SESS_SIZE 40u

/* RFC 3261 §9.1: give the INVITE up 64*T1 after CANCEL. */
#define UA_CANCEL_WAIT(ua) (64ull * (ua)->t1)
/* How long an ended call stays for retransmitted 2xx (Timer M). */
#define UA_LINGER(ua) (64ull * (ua)->t1)
/* A step that failed on memory is tried again this much later. */
#define UA_RETRY_MS 1000u
#define UA_MIN_REFRESH_MS 5000u        /* subscription refresh floor */
#define UA_REG_RETRY_MS 60000u
#define UA_MAX_CHALLENGES 4            /* WWW-Authenticate values looked at */
#define UA_MAX_CONTACTS 8              /* 3xx Contacts looked at */

/* What a transaction's ctx points at (a call has one marker per role). */
enum ua_kind {
	UA_K_INVITE = 1,                /* ua_call.kind */
	UA_K_CANCEL,                    /* ua_call.k_cancel */
	UA_K_BYE,                       /* ua_call.k_bye */
	UA_K_SUB,
	UA_K_KA,
	UA_K_REG,
};

enum ua_timer_tag {
	UA_TM_CALL = 1,
	UA_TM_SUB,
	UA_TM_REG,
};

enum ua_sub_state {
	UA_SUB_SUBSCRIBING = 0, /* opening SUBSCRIBE out */
	UA_SUB_ACTIVE,          /* 2xx came: NOTIFYs accepted */
	UA_SUB_REFRESHING,      /* dialog mode: in-dialog re-SUBSCRIBE out */
	UA_SUB_ENDING,          /* our UNSUBSCRIBE / Expires: 0 out */
	UA_SUB_DONE,
};

enum ua_reg_state {
	UA_REG_IDLE = 0,        /* not configured, or waiting to start */
	UA_REG_SENDING,
	UA_REG_OK,
	UA_REG_FAILED,          /* waiting to try again */
};

struct ua_call;

struct ua_sub {
	uint8_t kind;                   /* UA_K_SUB: first, see above */
	uint8_t state;                  /* enum ua_sub_state */
	uint8_t mode;                   /* PINT_GWSET_STATUS_PINT or _DIALOG */
	bool in_tab;                    /* in ua->by_sdlg */
	bool auth_retried;
	bool auth_proxy;
	bool end_pending;               /* call ended while a request was out */
	bool early;                     /* a NOTIFY came before the 2xx */
	struct pint_hash_node by_dlg;
	struct pint_timer tm;
	struct ua_call *call;           /* owner */
	struct pint_dialog *dlg;        /* from the 2xx */
	char *target;                   /* opening Request-URI, until the 2xx */
	char *auth;                     /* credentials, opening SUBSCRIBE */
	uint64_t tsx;                   /* the request out, 0 = none */
	uint32_t cseq;                  /* of the opening SUBSCRIBE */
	uint32_t expires;               /* granted, seconds */
	uint32_t early_cseq;
	struct pint_dinfo_track track;  /* dialog mode */
	char call_id[UA_TOKEN_SIZE];
	char tag[UA_TOKEN_SIZE];
};

struct ua_call {
	uint8_t kind;                   /* UA_K_INVITE: the INVITE's ctx */
	uint8_t k_cancel;               /* UA_K_CANCEL: the CANCEL's ctx */
	uint8_t k_bye;                  /* UA_K_BYE: the BYE's ctx */
	uint8_t state;                  /* enum pint_ua_call_state */
	uint8_t status;                 /* enum pint_status, last reported */
	uint8_t cancel;                 /* enum pint_status_cancel */
	uint8_t tp;                     /* INVITE's enum pint_tsx_transport */
	uint8_t mode;                   /* enum pint_gwset_status_mode used */
	uint8_t redirects;
	bool got_1xx;
	bool cancel_owed;               /* CANCEL waits for the first 1xx */
	bool auth_retried;
	bool auth_proxy;
	bool in_tab;                    /* in ua->by_cdlg */
	bool require_sdp;
	bool sent;                      /* something went on the wire */
	bool watch;                     /* pint_ua_watch: no INVITE of ours */
	bool track;                     /* subscribe when the gateway allows */
	bool answered;                  /* the current INVITE got its final */
	bool cancel_sent;               /* … and a CANCEL went out for it */
	bool dead;                      /* discarded: freed on leaving */
	bool keep_branch;               /* first INVITE: the resumed branch */
	uint32_t tried;                 /* gateway indexes tried, a bit each */
	uint32_t cseq;                  /* of the current INVITE */
	uint32_t ring_ms;
	size_t gw;
	uint64_t ref;
	uint64_t inv_tsx, cxl_tsx, bye_tsx;
	struct pint_hash_node by_ref;
	struct pint_hash_node by_dlg;   /* Call-ID + our tag of the INVITE */
	struct pint_timer tm;
	struct ua_call *next_dead;
	struct pint_dialog *dlg;        /* INVITE dialog after the 2xx */
	struct ua_sub *sub;
	char *service;                  /* Request-URI user */
	struct pint_tel *a_party;       /* To: of a_party services, else NULL */
	char *pref;                     /* preferred gateway name */
	char *target;                   /* redirected Request-URI or NULL */
	char *to_uri;                   /* To URI once redirected */
	char *auth;                     /* (Proxy-)Authorization value */
	char *sdp;                      /* the SDP alone: SUBSCRIBE bodies */
	size_t sdp_len;
	char *body;                     /* multipart body, NULL = the SDP */
	size_t body_len;
	char *ctype;                    /* multipart Content-Type, or NULL */
	char *ack;                      /* the 2xx's ACK, sent again as is */
	size_t ack_len;
	char call_id[UA_ID_SIZE];
	char tag[UA_ID_SIZE];
	char branch[UA_ID_SIZE];        /* of the current INVITE (a resumed
					 * one may be longer than ours) */
	char sess_id[UA_ID_SIZE];
};

struct ua_ka {
	uint8_t kind;                   /* UA_K_KA */
	uint8_t idx;
	uint64_t tsx;
};

struct ua_reg {
	uint8_t kind;                   /* UA_K_REG */
	uint8_t state;                  /* enum ua_reg_state */
	uint8_t idx;
	bool auth_retried;
	bool auth_proxy;
	struct pint_timer tm;
	uint64_t tsx;
	uint32_t cseq;
	uint32_t granted;
	char *auth;
	char call_id[UA_TOKEN_SIZE];
	char tag[UA_TOKEN_SIZE];
};

struct ua_gw {
	struct ua_ka ka;
	struct ua_reg reg;
	uint8_t health;                 /* enum pint_gwset_health reported */
};

struct pint_ua {
	struct pint_ua_handlers h;
	struct pint_tsx_layer *tsx;
	struct pint_gwset *gws;
	struct pint_req_local loc[2];   /* by enum pint_tsx_transport */
	char *owned[12];                /* the strings loc[] points at */
	char *user_agent;
	char *origin;
	char *cid_host;
	bool origin_ipv6;
	uint32_t ring_ms;
	uint32_t max_dur_ms;
	uint32_t reg_retry_ms;
	uint32_t t1;
	unsigned max_redirects;
	int64_t wall_off_ms;
	int send_err;                   /* the send handler's last answer */
	uint64_t now;                   /* of the entry point running */
	uint8_t sipkey[PINT_HASH_SIPKEY_LEN];
	struct pint_hash by_ref;        /* calls by ref */
	struct pint_hash by_cdlg;       /* calls by INVITE Call-ID + our tag */
	struct pint_hash by_sdlg;       /* subscriptions by Call-ID + our tag */
	struct pint_heap heap;
	struct ua_call *dead;
	unsigned depth;
	size_t timers;                  /* heap slots reserved */
	struct ua_gw gw[PINT_GWSET_MAX];
	struct pint_ua_stats st;
};

#define OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* ua.c: the layer's services */
void ua_enter(struct pint_ua *ua, uint64_t now);
void ua_leave(struct pint_ua *ua);
int ua_token(struct pint_ua *ua, char buf[UA_TOKEN_SIZE]);
int ua_branch(struct pint_ua *ua, char buf[UA_BRANCH_SIZE]);
int ua_sess_id(struct pint_ua *ua, char buf[UA_SESS_SIZE]);
uint64_t ua_unix(const struct pint_ua *ua);
const struct pint_req_local *ua_loc(const struct pint_ua *ua, uint8_t tp);
int ua_peer(const struct pint_ua *ua, size_t gw, int tp,
	    struct pint_tsx_peer *peer);
int ua_serialize(struct pint_ua *ua, osip_message_t *m, char **bufp,
		 size_t *lenp);
int ua_send_tsx(struct pint_ua *ua, osip_message_t *m,
		const struct pint_tsx_peer *peer, void *ctx, uint64_t *idp,
		bool *netp);
void ua_tsx_detach(struct pint_ua *ua, uint64_t *idp, bool terminate);
int ua_reserve_timers(struct pint_ua *ua, size_t more);
void ua_arm(struct pint_ua *ua, struct pint_timer *t, uint64_t due);
void ua_disarm(struct pint_ua *ua, struct pint_timer *t);
int ua_call_dlg_insert(struct pint_ua *ua, struct ua_call *c);
void ua_call_dlg_remove(struct pint_ua *ua, struct ua_call *c);
int ua_sub_dlg_insert(struct pint_ua *ua, struct ua_sub *s);
void ua_sub_dlg_remove(struct pint_ua *ua, struct ua_sub *s);
int ua_ref_insert(struct pint_ua *ua, struct ua_call *c);
void ua_ref_remove(struct pint_ua *ua, struct ua_call *c);
void ua_gw_check(struct pint_ua *ua);
int ua_digest(struct pint_ua *ua, size_t gw, const osip_message_t *resp,
	      const char *method, const char *uri, const char *body,
	      size_t body_len, char **authp, bool *proxyp);
int ua_msg_uri(const osip_message_t *m, bool to, char **dstp);
const struct pint_gwset_conf *ua_gw_conf(const struct pint_ua *ua, size_t gw);

/* ua_in.c */
void ua_tsx_handlers(struct pint_tsx_handlers *h, struct pint_ua *ua);

/* call_build.c */
uint8_t ua_call_transport(const struct pint_ua *ua, const struct ua_call *c);
int ua_call_invite_msg(struct pint_ua *ua, struct ua_call *c,
		       const char *branch, osip_message_t **mp);
int ua_call_send_invite(struct pint_ua *ua, struct ua_call *c, bool *netp);
int ua_call_send_cancel(struct pint_ua *ua, struct ua_call *c);
void ua_call_send_ack(struct pint_ua *ua, struct ua_call *c);
int ua_call_send_bye(struct pint_ua *ua, struct ua_call *c, bool *netp);
int ua_call_make_dialog(struct pint_ua *ua, struct ua_call *c,
			const osip_message_t *resp);
void ua_call_drop_invite(struct ua_call *c);
int ua_call_new(struct pint_ua *ua, uint64_t ref, struct ua_call **cp);
int ua_call_prepare(struct pint_ua *ua, struct ua_call *c,
		    const struct pint_ua_call_params *p);
int ua_call_watch(struct pint_ua *ua, struct ua_call *c, size_t gw,
		  const char *sdp, size_t sdp_len);
void ua_call_discard(struct pint_ua *ua, struct ua_call *c);
void ua_call_free(struct pint_ua *ua, struct ua_call *c);

/* call.c */
void ua_call_resp(struct pint_ua *ua, struct ua_call *c, uint8_t role,
		  osip_message_t *resp);
void ua_call_fail(struct pint_ua *ua, struct ua_call *c, uint8_t role);
void ua_call_timer(struct pint_ua *ua, struct ua_call *c);
void ua_call_stray(struct pint_ua *ua, struct ua_call *c,
		   const osip_message_t *resp);
void ua_call_gateway_bye(struct pint_ua *ua, struct ua_call *c,
			 const osip_message_t *req);
void ua_call_emit(struct pint_ua *ua, struct ua_call *c,
		  struct pint_status_ev *ev);
void ua_call_untracked(struct pint_ua *ua, struct ua_call *c);
int ua_call_first(struct pint_ua *ua, struct ua_call *c,
		  const struct pint_ua_call_params *p);
int ua_call_cancel(struct pint_ua *ua, struct ua_call *c);

/* sub.c */
int ua_sub_start(struct pint_ua *ua, struct ua_call *c, uint8_t mode,
		 const char *target);
void ua_sub_resp(struct pint_ua *ua, struct ua_sub *s, osip_message_t *resp);
void ua_sub_fail(struct pint_ua *ua, struct ua_sub *s);
void ua_sub_timer(struct pint_ua *ua, struct ua_sub *s);
int ua_sub_notify(struct pint_ua *ua, struct ua_sub *s,
		  const osip_message_t *req, struct pint_status_ev *ev);
void ua_sub_notified(struct pint_ua *ua, struct ua_sub *s,
		     struct pint_status_ev *ev);
void ua_sub_gateway_unsubscribe(struct pint_ua *ua, struct ua_sub *s,
				const osip_message_t *req);
void ua_sub_end(struct pint_ua *ua, struct ua_sub *s);
void ua_sub_retire(struct pint_ua *ua, struct ua_call *c);
void ua_sub_free(struct pint_ua *ua, struct ua_sub *s);
const char *ua_sub_state_name(uint8_t state);

/* reg.c */
void ua_ka_due(struct pint_ua *ua);
void ua_ka_done(struct pint_ua *ua, struct ua_ka *ka, bool answered);
void ua_reg_start_all(struct pint_ua *ua);
void ua_reg_timer(struct pint_ua *ua, struct ua_reg *r);
void ua_reg_resp(struct pint_ua *ua, struct ua_reg *r, osip_message_t *resp);
void ua_reg_fail(struct pint_ua *ua, struct ua_reg *r);
void ua_reg_free_all(struct pint_ua *ua);

#endif
