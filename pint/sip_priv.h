/*
 * pint/sip_priv.h — shared by sip.c, siphead.c, sipmsg.c, sipmime.c,
 * sipcanon.c and sipalloc.c.
 *
 * Not for use outside pint/sip*.c. osip never sees an allocation failure
 * (pint_sip_init()'s hooks serve it from a reserve and count it), so every
 * wrapper must check pint_sip_osip_err() with a mark taken before it
 * called osip, and then free what osip built.
 */
#ifndef PINT_SIP_PRIV_H
#define PINT_SIP_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "pint/sip.h"

struct pint_sip_hfield {        /* one header field as sent */
	size_t off, end;        /* [off, end): folding kept, no line end */
	struct pint_pl name;
	struct pint_pl value;   /* trimmed of spaces, tabs and line ends */
};

struct pint_sip_head {
	struct pint_pl start;   /* start line without its line end */
	size_t len;             /* bytes up to and including the empty line */
	unsigned n;             /* header fields (all of them, stored or not) */
	struct pint_sip_hfield f[PINT_SIP_MAX_HEADERS];  /* [0, n) set */
	const char *bad;        /* first syntax fault, NULL when none */
	bool bad_bytes;         /* NUL, bare CR, CTL: never echo these */
	unsigned nclen;         /* Content-Length fields */
	struct pint_pl clen;    /* the first one's value */
};

int pint_sip_head_scan(const char *p, size_t len, struct pint_sip_head *h);
int pint_sip_head_clen(const struct pint_sip_head *h, size_t *clenp);
bool pint_sip_head_canonical(const struct pint_sip_head *h);
int pint_sip_printable(const osip_message_t *m);
bool pint_sip_prints(const osip_message_t *m);
int pint_sip_reparses(osip_message_t *m, osip_message_t **againp);
bool pint_sip_field_is(const struct pint_sip_hfield *f, const char *full,
		       const char *compact);
size_t pint_sip_skip_crlf(const char *p, size_t len);
size_t pint_sip_copy_crlf(char *dst, const char *p, size_t n);
bool pint_sip_has_ctl(const char *p, size_t n);
struct pint_pl pint_sip_trim_lws(struct pint_pl pl);

unsigned long pint_sip_nomem_mark(void);
int pint_sip_osip_err(int rc, unsigned long mark, int dflt);

bool pint_sip_is_token(int c);
bool pint_sip_token(const struct pint_pl *pl, size_t max);
struct pint_pl pint_sip_unquote(struct pint_pl pl);
struct pint_pl pint_sip_unbracket(struct pint_pl pl);

const char *pint_sip_full_name(const struct pint_pl *name);
int pint_sip_multipart_split(const char *body, size_t len,
			     const char *boundary, struct pint_sip_part *parts,
			     size_t max, size_t *np, const char **whyp);
int pint_sip_attach_parts(osip_message_t *msg,
			  const struct pint_sip_part *parts, size_t n);

#endif
