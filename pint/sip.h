/*
 * pint/sip.h — the one wrapper around libosip2's parser (pint/sip.c,
 * siphead.c, sipmsg.c, sipmime.c). Call pint_sip_init() once first.
 * pint_sip_parse() checks the raw text before osip sees it and hands back an
 * osip_message_t the caller frees with osip_message_free(). Views (struct
 * pint_pl) point into that message, or into the caller's buffer for the raw
 * helpers, and die with it. char ** results are heap copies: free() them.
 */
#ifndef PINT_SIP_H
#define PINT_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <osipparser2/osip_parser.h>

#include "pint/mbuf.h"
#include "pint/pl.h"

#define PINT_SIP_MAX_MSG      65535u      /* whole message, bytes */
#define PINT_SIP_MAX_HEADERS  128u        /* header fields, lines and values */
#define PINT_SIP_MAX_METHOD   32u
#define PINT_SIP_MAX_TAG      128u        /* From/To tag */
#define PINT_SIP_MAX_CALLID   256u
#define PINT_SIP_MAX_CSEQ     2147483647u /* RFC 3261 §8.1.1.5: < 2**31 */
#define PINT_SIP_MAX_PARTS    8u          /* multipart body parts */
#define PINT_SIP_MAX_BOUNDARY 70u         /* RFC 2046 §5.1.1 */
#define PINT_SIP_MAX_WARNING  512u        /* one emitted Warning text */

/* Why a message was refused: a fixed text, and the answer for a request. */
struct pint_sip_error {
	const char *reason;  /* static string, e.g. "bad Content-Length" */
	int status;          /* 400, 416, 505 or 513; meaningful for requests */
};

/* Start-up (once, before threads): osip tables, tracing off, allocators. */
int pint_sip_init(void);
/* Reuse osip's small blocks on this thread while on (nested); off frees. */
void pint_sip_cache_use(bool on);

/* Parsing, framing, printing */
int pint_sip_parse(osip_message_t **msgp, const char *buf, size_t len,
		   struct pint_sip_error *why);
int pint_sip_frame(const char *p, size_t len, size_t *msglenp, size_t *skipp);
int pint_sip_to_str(const osip_message_t *msg, char **strp, size_t *lenp);

/* Answers */
int pint_sip_response(osip_message_t **respp, const osip_message_t *req,
		      int code, const char *reason, const char *to_tag);
int pint_sip_reply_raw(char **strp, size_t *lenp, const char *buf, size_t len,
		       int code, const char *reason, const char *to_tag);
int pint_sip_add_warning(osip_message_t *msg, unsigned code,
			 const char *agent, const char *text);

/* Header getters (views into msg) */
struct pint_sip_via {
	struct pint_pl transport;  /* "UDP", "TCP", … as sent */
	struct pint_pl host;       /* IPv6 without brackets (osip's way) */
	uint16_t port;             /* 0: absent */
	struct pint_pl branch;     /* unset: absent */
	struct pint_pl received;   /* unset: absent */
	bool rport;                /* rport parameter present */
	uint16_t rport_value;      /* 0: present without a value */
};

int pint_sip_header(const osip_message_t *msg, const char *name, unsigned idx,
		    struct pint_pl *valp);
int pint_sip_top_via(const osip_message_t *msg, struct pint_sip_via *via);
int pint_sip_from_tag(const osip_message_t *msg, struct pint_pl *tagp);
int pint_sip_to_tag(const osip_message_t *msg, struct pint_pl *tagp);
int pint_sip_cseq(const osip_message_t *msg, uint32_t *nump,
		  struct pint_pl *methodp);
int pint_sip_expires(const osip_message_t *msg, uint32_t max, uint32_t *secsp);
int pint_sip_retry_after(const osip_message_t *msg, uint32_t max,
			 uint32_t *secsp);

/* Warning: <code> <agent> "<text>" — parsed leniently (RFC 2848 §8.4 #2) */
struct pint_sip_warning {
	unsigned code;             /* 0 when not three digits ("xxx") */
	struct pint_pl agent;
	struct pint_pl text;       /* without quotes; \-escapes left as sent */
};

int pint_sip_warning_parse(const char *p, size_t len,
			   struct pint_sip_warning *w, size_t max, size_t *np);
int pint_sip_warnings(const osip_message_t *msg, struct pint_sip_warning *w,
		      size_t max, size_t *np);

/* Bodies and multipart/related (RFC 2046, RFC 2387) */
struct pint_sip_part {
	struct pint_pl type;       /* Content-Type value; unset: none */
	struct pint_pl id;         /* Content-ID without <>; unset: none */
	struct pint_pl data;
};

int pint_sip_body(const osip_message_t *msg, struct pint_pl *bodyp);
int pint_sip_part(const osip_message_t *msg, size_t idx,
		  struct pint_sip_part *partp);
int pint_sip_set_multipart(osip_message_t *msg, const char *boundary,
			   const struct pint_sip_part *parts, size_t n);
int pint_sip_multipart_encode(struct pint_mbuf *mb, const char *boundary,
			      const struct pint_sip_part *parts, size_t n);
int pint_sip_multipart_decode(const char *body, size_t len,
			      const char *boundary, struct pint_sip_part *parts,
			      size_t max, size_t *np);
int pint_sip_ctype_param(const osip_content_type_t *ct, const char *name,
			 struct pint_pl *valp);
int pint_sip_multipart_boundary(const osip_message_t *msg,
				char buf[PINT_SIP_MAX_BOUNDARY + 1],
				struct pint_pl *typep);

#endif
