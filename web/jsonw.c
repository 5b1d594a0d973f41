/*
 * web/jsonw.c — the JSON writer. Strings come out as jansson 2.14 dumps
 * them without JSON_ENSURE_ASCII (tests/web/test_jsonw.c holds the two
 * side by side): '"' and '\\' escaped, \b \f \n \r \t, the other C0
 * controls as \u00XX in upper-case hex, everything else ('/', DEL, C1
 * controls, non-ASCII) as it is.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "web/json.h"
#include "web/jsonw.h"

#define FIRST_SIZE 1024u    /* a request resource fits: one allocation */

/* An empty writer; compact: jansson's JSON_COMPACT, else flags 0. */
void web_jsonw_init(struct web_jsonw *w, bool compact)
{
	memset(w, 0, sizeof(*w));
	w->compact = compact;
}

/* Record err (the first one is kept); returns the writer's error. */
int web_jsonw_fail(struct web_jsonw *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

/* Room for n more bytes: the buffer doubles. 0 or the writer's error. */
static int grow(struct web_jsonw *w, size_t n)
{
	size_t size;
	char *p;

	if (w->err || n <= w->size - w->len)
		return w->err;
	size = w->size ? w->size : FIRST_SIZE;
	while (size - w->len < n) {
		if (size > SIZE_MAX / 2)
			return web_jsonw_fail(w, ENOMEM);
		size *= 2;
	}
	p = realloc(w->p, size);
	if (!p)
		return web_jsonw_fail(w, ENOMEM);
	w->p = p;
	w->size = size;
	return 0;
}

/*
 * Hand the text over, NUL-terminated: *outp is the caller's (free()),
 * *lenp (if lenp) its length. On an earlier error the text is freed and
 * that error returned, *outp untouched. The writer is empty afterwards.
 */
int web_jsonw_finish(struct web_jsonw *w, char **outp, size_t *lenp)
{
	int err = grow(w, 1);

	if (err) {
		free(w->p);
	} else {
		w->p[w->len] = '\0';
		*outp = w->p;
		if (lenp)
			*lenp = w->len;
	}
	w->p = NULL;
	w->len = w->size = 0;
	return err;
}

/*
 * As web_jsonw_finish(), in an allocation the size of the text: for text
 * that is kept rather than sent at once (the buffer grew by doubling).
 */
int web_jsonw_finish_fit(struct web_jsonw *w, char **outp, size_t *lenp)
{
	size_t len;
	char *p, *fit;
	int err = web_jsonw_finish(w, &p, &len);

	if (err)
		return err;
	fit = realloc(p, len + 1);
	*outp = fit ? fit : p;  /* a shrink that fails leaves p as it was */
	if (lenp)
		*lenp = len;
	return 0;
}

static int put(struct web_jsonw *w, const char *p, size_t n)
{
	if (grow(w, n))
		return w->err;
	memcpy(w->p + w->len, p, n);
	w->len += n;
	return 0;
}

/*
 * Room for a key or value of at most n bytes and the separator it owes,
 * which is written. Returns where the key or value goes, NULL after an
 * error; end() closes it.
 */
static char *begin(struct web_jsonw *w, size_t n)
{
	char *o;

	if (n > SIZE_MAX - 2) {
		web_jsonw_fail(w, ENOMEM);
		return NULL;
	}
	if (grow(w, n + 2))
		return NULL;
	o = w->p + w->len;
	if (w->sep) {
		*o++ = ',';
		if (!w->compact)
			*o++ = ' ';
	}
	return o;
}

/* The text up to o is written; a value needs a separator after it. */
static int end(struct web_jsonw *w, char *o, bool value)
{
	w->len = (size_t)(o - w->p);
	w->sep = value;
	return 0;
}

/* The escape of a byte below 0x20, '"' or '\\' at e; its length. */
static size_t escape(unsigned char c, char *e)
{
	/* pairs: a byte, then the letter of its short escape */
	static const char named[] = "\"\"" "\\\\" "\bb" "\ff" "\nn" "\rr" "\tt";
	static const char hex[] = "0123456789ABCDEF";
	const char *n;

	e[0] = '\\';
	for (n = named; *n; n += 2) {
		if ((unsigned char)n[0] == c) {
			e[1] = n[1];
			return 2;
		}
	}
	memcpy(e + 1, "u00", 3);
	e[4] = hex[c >> 4];
	e[5] = hex[c & 0x0f];
	return 6;
}

/*
 * p[0..len), well-formed UTF-8, as a string value. Bytes of multi-byte
 * characters are all 0x80 or above, so escaping byte by byte is escaping
 * by character. Room for the text unescaped is made once; an escape makes
 * room for itself and the rest again.
 */
static int quote(struct web_jsonw *w, const char *p, size_t len)
{
	char *o = len <= SIZE_MAX - 2 ? begin(w, len + 2) : NULL;
	size_t i;

	if (!o)
		return web_jsonw_fail(w, ENOMEM);
	*o++ = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		w->len = (size_t)(o - w->p);
		if (grow(w, 6 + (len - i - 1) + 1))
			return w->err;
		o = w->p + w->len;
		o += escape(c, o);
	}
	*o++ = '"';
	return end(w, o, true);
}

/*
 * Text that is not UTF-8 (from the network) is cleaned rather than
 * refused, as web_json_set_str() does: controls and bad bytes become '?'.
 */
static int quote_clean(struct web_jsonw *w, const char *p, size_t len)
{
	char *tmp;

	if (w->err)
		return w->err;
	tmp = malloc(len + 1);
	if (!tmp)
		return web_jsonw_fail(w, ENOMEM);
	len = web_json_clean(tmp, len + 1, p, len);
	quote(w, tmp, len);
	free(tmp);
	return w->err;
}

/* '{' or '[' as a value: after a key, an array item or at the top. */
int web_jsonw_open(struct web_jsonw *w, char c)
{
	char *o = begin(w, 1);

	if (!o)
		return w->err;
	*o++ = c;
	return end(w, o, false);
}

/* '}' or ']': ends what web_jsonw_open() began. */
int web_jsonw_close(struct web_jsonw *w, char c)
{
	put(w, &c, 1);
	w->sep = true;
	return w->err;
}

/*
 * A key and its ": "; its value comes next. Keys are the caller's own
 * names, letters, digits and '_': they are written as they are.
 */
int web_jsonw_key(struct web_jsonw *w, const char *key)
{
	size_t n = strlen(key);
	char *o = begin(w, n + 4);

	if (!o)
		return w->err;
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	if (!w->compact)
		*o++ = ' ';
	return end(w, o, false);
}

/* A string value; NULL is null. */
int web_jsonw_str(struct web_jsonw *w, const char *s)
{
	size_t len, i;

	if (!s)
		return web_jsonw_null(w);
	len = strlen(s);
	/* An ASCII run is whole characters: only the rest needs checking. */
	for (i = 0; i < len && !((unsigned char)s[i] & 0x80); i++)
		;
	if (web_json_utf8_valid(s + i, len - i))
		return quote(w, s, len);
	return quote_clean(w, s, len);
}

/* An integer, in decimal as jansson writes a json_int_t. */
int web_jsonw_int(struct web_jsonw *w, int64_t v)
{
	char buf[20];           /* "-9223372036854775808" */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t i = sizeof(buf);
	char *o;

	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	o = begin(w, sizeof(buf) - i);
	if (!o)
		return w->err;
	memcpy(o, buf + i, sizeof(buf) - i);
	return end(w, o + sizeof(buf) - i, true);
}

/* A literal value: null, true, false. */
static int word(struct web_jsonw *w, const char *s, size_t n)
{
	char *o = begin(w, n);

	if (!o)
		return w->err;
	memcpy(o, s, n);
	return end(w, o + n, true);
}

int web_jsonw_bool(struct web_jsonw *w, bool v)
{
	return v ? word(w, "true", 4) : word(w, "false", 5);
}

int web_jsonw_null(struct web_jsonw *w)
{
	return word(w, "null", 4);
}

/* "key": s; NULL is null. */
int web_jsonw_member_str(struct web_jsonw *w, const char *key, const char *s)
{
	web_jsonw_key(w, key);
	return web_jsonw_str(w, s);
}

/* "key": v, 0 as null (a SIP code not yet known, …). */
int web_jsonw_member_nz(struct web_jsonw *w, const char *key, int64_t v)
{
	web_jsonw_key(w, key);
	return v ? web_jsonw_int(w, v) : web_jsonw_null(w);
}

/*
 * s as it is, outside any JSON value (a frame around a document): the
 * value after it gets no separator.
 */
int web_jsonw_raw(struct web_jsonw *w, const char *s)
{
	put(w, s, strlen(s));
	w->sep = false;
	return w->err;
}
