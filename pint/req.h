/*
 * pint/req.h — SIP request builders for the PINT client (and its simulator).
 *
 * Each builder returns a complete osip_message_t in *msgp that the caller
 * owns (osip_message_free). Inputs are borrowed and only read; nothing
 * random or time-based is made here: Call-IDs, tags, branches, CSeq numbers
 * and bodies come from the caller. On any error *msgp is untouched and
 * nothing is left allocated. In-dialog requests are built in pint/dialog
 * on top of pint_req_build and the pint_req_add_* helpers.
 *
 * Messages are assembled field by field, never through osip's header
 * parsers: those drop data and leak when an allocation fails, these do not.
 * Multipart types, types with parameters, Authorization and
 * Proxy-Authorization are therefore kept as plain headers (m->headers):
 * osip_message_to_str writes them verbatim.
 */
#ifndef PINT_REQ_H
#define PINT_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_message.h>

/* Hard limits: a longer value gives EMSGSIZE. */
#define PINT_REQ_MAX_TOKEN   128u            /* tag, branch, service, user */
#define PINT_REQ_MAX_CALLID  256u
#define PINT_REQ_MAX_HOST    255u
#define PINT_REQ_MAX_URI     1024u
#define PINT_REQ_MAX_DISPLAY 128u            /* From display name */
#define PINT_REQ_MAX_TEXT    256u            /* Warning text */
#define PINT_REQ_MAX_HDR     2048u           /* Authorization, Event, … */
#define PINT_REQ_MAX_BODY    (1024u * 1024u)
#define PINT_REQ_MAX_WARNINGS 8u
#define PINT_REQ_MAX_ROUTES  16u
#define PINT_REQ_MAX_CSEQ    2147483647u     /* RFC 3261 §8.1.1.5: < 2^31 */
#define PINT_REQ_MAX_FORWARDS "70"
#define PINT_REQ_BRANCH_COOKIE "z9hG4bK"     /* every branch starts so */

/* pintgw's own SIP side: Via sent-by, Contact, From identity. */
struct pint_req_local {
	const char *host;       /* IPv4, [IPv6] or DNS name */
	uint16_t port;          /* 0: not written (default port) */
	const char *transport;  /* "UDP" or "TCP" (any case) */
	const char *user;       /* From and Contact user part */
	const char *domain;     /* From host; NULL = host */
	const char *display;    /* From display name; NULL = none */
};

/* Identity of a request outside any dialog. */
struct pint_req_ids {
	const char *call_id;
	const char *from_tag;
	uint32_t cseq;          /* 0 .. PINT_REQ_MAX_CSEQ */
};

/* Per-transaction values: the Via branch and precomputed credentials. */
struct pint_req_tx {
	const char *branch;               /* PINT_REQ_BRANCH_COOKIE… token */
	const char *authorization;        /* header value or NULL */
	const char *proxy_authorization;  /* header value or NULL */
};

/* The PINT service request (PINT-PROFILE "Service request = INVITE"). */
struct pint_req_invite {
	const char *service;      /* Request-URI user: R2C, R2F, R2HC, custom */
	const char *domain;       /* gateway domain, host[:port] */
	const char *tsp;          /* ;tsp= provider domain, NULL = none */
	const char *to_uri;       /* A party for R2C; NULL = the Request-URI */
	bool require_sdp;         /* Require: org.ietf.sdp.require */
	bool require_subscribe;   /* Require: org.ietf.sip.subscribe */
	const char *content_type; /* NULL = application/sdp, else multipart/… */
	const char *body;         /* encoded SDP or multipart body, not empty */
	size_t body_len;
};

/* PINT status SUBSCRIBE (no Event header, the INVITE's SDP as body). */
struct pint_req_subscribe {
	const char *target;       /* Request-URI: the gateway or its Contact */
	const char *to_uri;       /* NULL = target */
	uint32_t expires;         /* 0 = one immediate answer (poll) */
	bool require_subscribe;   /* Require: org.ietf.sip.subscribe */
	const char *sdp;          /* the INVITE's SDP part only, not empty */
	size_t sdp_len;
};

/* RFC 4235 dialog selection: all NULL = every dialog at the target. */
struct pint_req_dialog_event {
	const char *call_id;      /* needs from_tag */
	const char *from_tag;     /* needs call_id */
	const char *to_tag;       /* optional, needs call_id */
};

/* RFC 6665 + RFC 4235 SUBSCRIBE opening a dialog-package subscription. */
struct pint_req_subscribe_dialog {
	const char *target;
	const char *to_uri;       /* NULL = target */
	uint32_t expires;
	struct pint_req_dialog_event event;
};

/* One Warning header: code 300–399, agent host or pseudonym, free text. */
struct pint_req_warning {
	unsigned code;
	const char *agent;
	const char *text;         /* written as a quoted string, escaped */
};

/* NOTIFY sent by the built-in PINT server simulator. */
struct pint_req_notify {
	const char *event;               /* Event value, NULL = none (PINT) */
	const char *subscription_state;  /* NULL = none (PINT) */
	const char *content_type;        /* NULL = application/sdp */
	const char *body;                /* NULL or empty = no body */
	size_t body_len;
	const struct pint_req_warning *warnings;
	size_t warning_count;            /* ≤ PINT_REQ_MAX_WARNINGS */
};

/* REGISTER binding pintgw's Contact to an address of record. */
struct pint_req_register {
	const char *registrar;    /* Request-URI */
	const char *aor;          /* To and From URI */
	uint32_t expires;         /* Contact ;expires=, 0 removes the binding */
};

/*
 * What every request carries. pint_req_build checks each value and makes
 * Request-URI, Via (loc + tx->branch, ;rport), From, To, Call-ID, CSeq,
 * Max-Forwards, Route and the credentials of tx; no Contact, no body.
 */
struct pint_req_base {
	const char *method;       /* token */
	const char *ruri;
	const char *from_display; /* NULL = none */
	const char *from_uri;
	const char *from_tag;
	const char *to_uri;
	const char *to_tag;       /* NULL = none */
	const char *call_id;
	uint32_t cseq;            /* 0 .. PINT_REQ_MAX_CSEQ, else ERANGE */
	char *const *route;       /* "<uri>[;param…]" values, send order */
	size_t route_count;       /* ≤ PINT_REQ_MAX_ROUTES */
};

/* Input checks the builders use, for callers that want to fail early. */
int pint_req_check_token(const char *s, size_t max);
int pint_req_check_callid(const char *s);
int pint_req_check_uri(const char *s);

/* Text a builder accepts back, made from parsed fields (free() it). */
int pint_req_uri_str(char **dstp, const osip_uri_t *u);
int pint_req_addr_str(char **dstp, const osip_from_t *addr);

/*
 * The skeleton and the pieces added to it. The message stays the caller's;
 * after an add_* error it may hold part of the piece: free it.
 */
int pint_req_build(osip_message_t **msgp, const struct pint_req_local *loc,
		   const struct pint_req_tx *tx,
		   const struct pint_req_base *b);
int pint_req_add_contact(osip_message_t *m, const struct pint_req_local *loc,
			 int64_t expires);
int pint_req_add_header(osip_message_t *m, const char *name,
			const char *value);
int pint_req_add_expires(osip_message_t *m, uint32_t expires);
int pint_req_add_body(osip_message_t *m, const char *ctype, const char *body,
		      size_t len);
int pint_req_add_event_dialog(osip_message_t *m,
			      const struct pint_req_dialog_event *ev);
int pint_req_add_warning(osip_message_t *m, const struct pint_req_warning *w);

/* Requests outside a dialog. */
int pint_req_invite(osip_message_t **msgp, const struct pint_req_local *loc,
		    const struct pint_req_ids *ids,
		    const struct pint_req_tx *tx,
		    const struct pint_req_invite *inv);
int pint_req_subscribe(osip_message_t **msgp,
		       const struct pint_req_local *loc,
		       const struct pint_req_ids *ids,
		       const struct pint_req_tx *tx,
		       const struct pint_req_subscribe *sub);
int pint_req_subscribe_dialog(osip_message_t **msgp,
			      const struct pint_req_local *loc,
			      const struct pint_req_ids *ids,
			      const struct pint_req_tx *tx,
			      const struct pint_req_subscribe_dialog *sub);
int pint_req_options(osip_message_t **msgp, const struct pint_req_local *loc,
		     const struct pint_req_ids *ids,
		     const struct pint_req_tx *tx, const char *target);
int pint_req_register(osip_message_t **msgp,
		      const struct pint_req_local *loc,
		      const struct pint_req_ids *ids,
		      const struct pint_req_tx *tx,
		      const struct pint_req_register *reg);

/*
 * Requests derived from a sent INVITE (RFC 3261 §9.1, §17.1.1.3): its
 * fields are copied, so it must be one our builders made (or would have).
 */
int pint_req_cancel(osip_message_t **msgp, const osip_message_t *invite);
int pint_req_ack_non2xx(osip_message_t **msgp, const osip_message_t *invite,
			const osip_message_t *resp);

#endif
