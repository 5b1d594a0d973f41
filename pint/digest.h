/*
 * pint/digest.h — HTTP Digest for SIP 401/407 (RFC 2617, RFC 7616, RFC 8760).
 *
 * pint_digest_parse() fills a caller-owned struct pint_digest_chal with
 * unescaped copies of the challenge (fixed arrays, nothing points into the
 * input). pint_digest_authorize() appends an Authorization (or
 * Proxy-Authorization) header value to the caller's pint_mbuf. The caller
 * supplies the cnonce (pint/ reads no RNG) and counts nc per nonce.
 */
#ifndef PINT_DIGEST_H
#define PINT_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pint/mbuf.h"

/* Hard limits: a challenge past any of them is refused with EMSGSIZE. */
#define PINT_DIGEST_MAX_HEADER 4096   /* bytes of header value */
#define PINT_DIGEST_MAX_VALUE 256     /* one parameter value, unescaped */
#define PINT_DIGEST_MAX_PARAMS 32     /* parameters in one challenge */

#define PINT_DIGEST_HEX_MAX 64        /* SHA-256 in hex */

/* Anything else (SHA-512-256, AKAv1-MD5, …) is refused with EPROTO. */
enum pint_digest_alg {
	PINT_DIGEST_MD5,
	PINT_DIGEST_MD5_SESS,
	PINT_DIGEST_SHA256,
	PINT_DIGEST_SHA256_SESS,
};

/* Bits of pint_digest_chal.qops; NONE = an RFC 2069 challenge. */
enum pint_digest_qop {
	PINT_DIGEST_QOP_NONE = 0,
	PINT_DIGEST_QOP_AUTH = 1,
	PINT_DIGEST_QOP_AUTH_INT = 2,
};

struct pint_digest_chal {
	char realm[PINT_DIGEST_MAX_VALUE + 1];
	char nonce[PINT_DIGEST_MAX_VALUE + 1];
	char opaque[PINT_DIGEST_MAX_VALUE + 1];
	char domain[PINT_DIGEST_MAX_VALUE + 1]; /* informative, "" = absent */
	bool has_opaque;               /* echo opaque even when "" */
	enum pint_digest_alg alg;      /* MD5 when absent */
	unsigned qops;                 /* PINT_DIGEST_QOP_* offered */
	bool stale;                    /* nonce expired, password was right */
};

struct pint_digest_cred {
	const char *method;            /* "INVITE" */
	const char *uri;               /* the Request-URI as sent */
	const char *username;
	const char *password;
	const char *cnonce;            /* caller's random token; unused without qop */
	uint32_t nc;                   /* 1, 2, … per nonce; unused without qop */
	const char *body;              /* for qop=auth-int; NULL = empty body */
	size_t body_len;
};

int pint_digest_parse(struct pint_digest_chal *ch, const char *p, size_t len);
enum pint_digest_qop pint_digest_qop_choose(const struct pint_digest_chal *ch);
int pint_digest_response(char hex[PINT_DIGEST_HEX_MAX + 1],
			 const struct pint_digest_chal *ch,
			 const struct pint_digest_cred *cr,
			 enum pint_digest_qop qop);
int pint_digest_authorize(struct pint_mbuf *mb,
			  const struct pint_digest_chal *ch,
			  const struct pint_digest_cred *cr);
const char *pint_digest_alg_name(enum pint_digest_alg alg);

#endif
