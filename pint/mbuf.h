/*
 * pint/mbuf.h — a growable text buffer with a hard size limit.
 *
 * The buffer owns its bytes; pint_mbuf_reset() frees them. Writers that
 * would pass the limit fail with EMSGSIZE and leave the buffer as it was,
 * so every emitter in pint/ is bounded by construction.
 */
#ifndef PINT_MBUF_H
#define PINT_MBUF_H

#include <stddef.h>

struct pint_mbuf {
	char *buf;      /* always NUL-terminated when non-NULL */
	size_t len;
	size_t size;
	size_t max;     /* largest len allowed; 0 = PINT_MBUF_DEFAULT_MAX */
};

#define PINT_MBUF_DEFAULT_MAX (1024u * 1024u)

void pint_mbuf_init(struct pint_mbuf *mb, size_t max);
void pint_mbuf_reset(struct pint_mbuf *mb);
int pint_mbuf_append(struct pint_mbuf *mb, const char *p, size_t len);
int pint_mbuf_puts(struct pint_mbuf *mb, const char *s);
int pint_mbuf_printf(struct pint_mbuf *mb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *pint_mbuf_steal(struct pint_mbuf *mb);

#endif
