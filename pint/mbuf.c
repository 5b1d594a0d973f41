/*
 * pint/mbuf.c — growable text buffer with a hard size limit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pint/mbuf.h"

/* An empty buffer that will hold at most max bytes (0 = default). */
void pint_mbuf_init(struct pint_mbuf *mb, size_t max)
{
	mb->buf = NULL;
	mb->len = 0;
	mb->size = 0;
	mb->max = max ? max : PINT_MBUF_DEFAULT_MAX;
}

/* Free the bytes; the buffer may be used again with the same limit. */
void pint_mbuf_reset(struct pint_mbuf *mb)
{
	free(mb->buf);
	mb->buf = NULL;
	mb->len = 0;
	mb->size = 0;
}

static int grow(struct pint_mbuf *mb, size_t need)
{
	size_t size;
	char *p;

	if (need > mb->max)
		return EMSGSIZE;
	if (need + 1 <= mb->size)
		return 0;

	size = mb->size ? mb->size : 256;
	while (size < need + 1)
		size *= 2;
	if (size > mb->max + 1)
		size = mb->max + 1;

	p = realloc(mb->buf, size);
	if (!p)
		return ENOMEM;
	mb->buf = p;
	mb->size = size;
	return 0;
}

/* Append len bytes. ENOMEM or EMSGSIZE leave the buffer unchanged. */
int pint_mbuf_append(struct pint_mbuf *mb, const char *p, size_t len)
{
	int err;

	if (len > mb->max - mb->len)
		return EMSGSIZE;
	err = grow(mb, mb->len + len);
	if (err)
		return err;
	if (len)
		memcpy(mb->buf + mb->len, p, len);
	mb->len += len;
	mb->buf[mb->len] = '\0';
	return 0;
}

/* Append a NUL-terminated string. */
int pint_mbuf_puts(struct pint_mbuf *mb, const char *s)
{
	return pint_mbuf_append(mb, s, strlen(s));
}

/* Append formatted text. ENOMEM or EMSGSIZE leave the buffer unchanged. */
int pint_mbuf_printf(struct pint_mbuf *mb, const char *fmt, ...)
{
	va_list ap;
	int n, err;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return EINVAL;
	if ((size_t)n > mb->max - mb->len)
		return EMSGSIZE;

	err = grow(mb, mb->len + (size_t)n);
	if (err)
		return err;

	va_start(ap, fmt);
	vsnprintf(mb->buf + mb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	mb->len += (size_t)n;
	return 0;
}

/* Slack a stolen buffer may keep: below it, a realloc saves nothing. */
#define STEAL_SLACK 32u

/*
 * Hand the bytes to the caller (free() them); the buffer is empty after.
 * An empty buffer yields an allocated "" so callers need no NULL case,
 * or NULL when even that cannot be allocated. What the caller gets is cut
 * to its length: stolen bytes are often kept (an SDP, a Call-ID, a
 * request for its ACK) while buffers grow by doubling from 256.
 */
char *pint_mbuf_steal(struct pint_mbuf *mb)
{
	char *s = mb->buf, *fit;

	if (!s)
		s = calloc(1, 1);
	else if (mb->size > mb->len + 1 + STEAL_SLACK && (fit = realloc(s, mb->len + 1)))
		s = fit;
	mb->buf = NULL;
	mb->len = 0;
	mb->size = 0;
	return s;
}
