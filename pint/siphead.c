/*
 * pint/siphead.c — the raw header section: scanning, TCP framing and
 * stateless answers built from bytes osip never parsed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pint/sip_priv.h"

/* ---- raw header section ------------------------------------------------ */

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* The view without spaces, tabs, CRs and LFs at either end. */
struct pint_pl pint_sip_trim_lws(struct pint_pl pl)
{
	while (pl.l && (is_wsp(pl.p[0]) || pl.p[0] == '\r' ||
			pl.p[0] == '\n')) {
		pl.p++;
		pl.l--;
	}
	while (pl.l && (is_wsp(pl.p[pl.l - 1]) || pl.p[pl.l - 1] == '\r' ||
			pl.p[pl.l - 1] == '\n'))
		pl.l--;
	return pl;
}

/* Whether one of the 8 bytes at p is below 0x20 or is 0x7f (DEL). */
static bool ctl8(const char *p)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t highs = 0x8080808080808080ull;
	uint64_t v, del;

	memcpy(&v, p, sizeof(v));
	del = v ^ (ones * 0x7f);
	/* the classic "has a byte less than n" test, for 0x20 and for 0 */
	return (((v - ones * 0x20) & ~v) | ((del - ones) & ~del)) & highs;
}

/* Offset of the byte after the first empty line, or 0 when there is none. */
static size_t head_end(const char *p, size_t len)
{
	const char *lf = p, *e = p + len;

	while ((lf = memchr(lf, '\n', (size_t)(e - lf))) != NULL) {
		lf++;
		if (lf < e && *lf == '\n')
			return (size_t)(lf + 1 - p);
		if (lf + 1 < e && lf[0] == '\r' && lf[1] == '\n')
			return (size_t)(lf + 2 - p);
	}
	return 0;
}

static void head_fault(struct pint_sip_head *h, const char *why)
{
	if (!h->bad)
		h->bad = why;
}

/* A token character; header names are letters and '-' almost always. */
static bool name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
	       pint_sip_is_token(c);
}

static void field_split(struct pint_sip_head *h, const char *p,
			struct pint_sip_hfield *f)
{
	struct pint_pl raw = {p + f->off, f->end - f->off};
	size_t i = 0;

	while (i < raw.l && name_char((unsigned char)raw.p[i]))
		i++;
	f->name.p = raw.p;
	f->name.l = i;
	while (i < raw.l && is_wsp(raw.p[i]))
		i++;
	if (f->name.l == 0 || i == raw.l || raw.p[i] != ':') {
		head_fault(h, "malformed header line");
		f->value.p = raw.p + raw.l;
		f->value.l = 0;
		return;
	}
	f->value.p = raw.p + i + 1;
	f->value.l = raw.l - i - 1;
	f->value = pint_sip_trim_lws(f->value);
}

/*
 * Split the head (start line, header fields, empty line) of the message at
 * p. EAGAIN when the empty line is not there yet; faults of syntax are noted
 * in h->bad and scanning goes on, so framing still finds Content-Length.
 */
int pint_sip_head_scan(const char *p, size_t len, struct pint_sip_head *h)
{
	const char *lf;
	size_t pos, i;

	/* the fields are written as they are found: not f[] (6 KB) */
	h->start.p = NULL;
	h->start.l = 0;
	h->len = 0;
	h->n = 0;
	h->bad = NULL;
	h->bad_bytes = false;
	h->nclen = 0;
	h->clen.p = NULL;
	h->clen.l = 0;
	h->len = head_end(p, len);
	if (!h->len)
		return EAGAIN;

	for (i = 0; i < h->len; i++) {
		unsigned char c = (unsigned char)p[i];

		/* eight bytes at a time while none is a control */
		if (i + 8 <= h->len && !ctl8(p + i)) {
			i += 7;
			continue;
		}
		if (c == '\r' && p[i + 1] == '\n')
			continue;
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			h->bad_bytes = true;
			head_fault(h, c == '\0' ? "NUL byte" : c == '\r' ?
				   "bare CR" : "control character");
		}
	}

	lf = memchr(p, '\n', h->len);
	h->start.p = p;
	h->start.l = (size_t)(lf - p);
	if (h->start.l && p[h->start.l - 1] == '\r')
		h->start.l--;
	pos = (size_t)(lf - p) + 1;

	for (;;) {
		struct pint_sip_hfield tmp, *f;
		size_t end;

		if (pos >= h->len || p[pos] == '\n' || p[pos] == '\r')
			break;  /* the empty line: head_end() found it */
		if (is_wsp(p[pos]))
			head_fault(h, "folded line without a header");

		f = h->n < PINT_SIP_MAX_HEADERS ? &h->f[h->n] : &tmp;
		f->off = pos;
		do {
			lf = memchr(p + pos, '\n', h->len - pos);
			pos = (size_t)(lf - p) + 1;
		} while (is_wsp(p[pos]));
		end = (size_t)(lf - p);
		if (end > f->off && p[end - 1] == '\r')
			end--;
		f->end = end;
		field_split(h, p, f);

		if ((f->name.l == 14 &&
		     strncasecmp(f->name.p, "content-length", 14) == 0) ||
		    (f->name.l == 1 && (f->name.p[0] | 0x20) == 'l')) {
			if (h->nclen++ == 0)
				h->clen = f->value;
		}
		if (++h->n > PINT_SIP_MAX_HEADERS)
			head_fault(h, "too many header fields");
	}
	return 0;
}

/* The field has this full or compact name (case-insensitive). */
bool pint_sip_field_is(const struct pint_sip_hfield *f, const char *full,
		       const char *compact)
{
	/* names start with a letter: the first one, either case, sorts out
	 * nearly every field without a full comparison */
	int c = f->name.l ? f->name.p[0] | 0x20 : 0;

	return (c == (full[0] | 0x20) && pint_pl_caseeq(&f->name, full)) ||
	       (compact && c == (compact[0] | 0x20) &&
		pint_pl_caseeq(&f->name, compact));
}

/* Content-Length as digits only; EMSGSIZE above the message limit. */
int pint_sip_head_clen(const struct pint_sip_head *h, size_t *clenp)
{
	unsigned long long v;
	int err;

	if (h->nclen != 1)
		return EBADMSG;
	err = pint_pl_u64(&h->clen, PINT_SIP_MAX_MSG, &v);
	if (err == ERANGE)
		return EMSGSIZE;
	if (err)
		return EBADMSG;
	*clenp = (size_t)v;
	return 0;
}

/* Leading CRs and LFs (keep-alives, RFC 3261 §7.5). */
size_t pint_sip_skip_crlf(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

/* Control characters other than HT. */
bool pint_sip_has_ctl(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

/* Copies [p, p+n) to dst with every bare LF turned into CRLF. */
size_t pint_sip_copy_crlf(char *dst, const char *p, size_t n)
{
	const char *lf, *e = p + n, *s = p;
	size_t o = 0, k;

	/* runs up to each LF copied whole: most fields have none */
	while ((lf = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		k = (size_t)(lf - s);
		memcpy(dst + o, s, k);
		o += k;
		if (lf == p || lf[-1] != '\r')
			dst[o++] = '\r';
		dst[o++] = '\n';
		s = lf + 1;
	}
	memcpy(dst + o, s, (size_t)(e - s));
	return o + (size_t)(e - s);
}


/* ---- framing ----------------------------------------------------------- */

/*
 * Find one message at the start of a TCP stream buffer. Leading CRLF
 * keep-alives are counted in *skipp (valid on every return: the caller
 * drops them). 0 with *msglenp > 0: the message is p[*skipp, *skipp +
 * *msglenp). 0 with *msglenp == 0: more bytes needed. EBADMSG: missing or
 * bad Content-Length; EMSGSIZE: over PINT_SIP_MAX_MSG. Both are fatal for
 * the connection. Cost is linear in len; call it when bytes arrive.
 */
int pint_sip_frame(const char *p, size_t len, size_t *msglenp, size_t *skipp)
{
	struct pint_sip_head h;
	size_t skip, avail, lim, clen;
	int err;

	if (!msglenp || !skipp || (!p && len))
		return EINVAL;
	*msglenp = 0;
	skip = pint_sip_skip_crlf(p, len);
	*skipp = skip;
	avail = len - skip;
	if (avail == 0)
		return 0;
	lim = avail < PINT_SIP_MAX_MSG ? avail : PINT_SIP_MAX_MSG;
	if (pint_sip_head_scan(p + skip, lim, &h) != 0)
		return avail >= PINT_SIP_MAX_MSG ? EMSGSIZE : 0;
	if (h.nclen == 0)
		return EBADMSG;
	err = pint_sip_head_clen(&h, &clen);
	if (err)
		return err;
	if (clen > PINT_SIP_MAX_MSG - h.len)
		return EMSGSIZE;
	if (avail >= h.len + clen)
		*msglenp = h.len + clen;
	return 0;
}

/* ---- stateless answer from raw bytes ----------------------------------- */

static bool raw_has_tag(struct pint_pl v)
{
	const char *gt = NULL;
	size_t i;

	for (i = 0; i < v.l; i++)
		if (v.p[i] == '>')
			gt = v.p + i;
	if (gt) {
		v.l -= (size_t)(gt - v.p);
		v.p = gt;
	}
	for (i = 0; i < v.l; i++) {
		struct pint_pl rest;

		if (v.p[i] != ';')
			continue;
		rest.p = v.p + i + 1;
		rest.l = v.l - i - 1;
		rest = pint_pl_trim(rest);
		if (rest.l > 3 && strncasecmp(rest.p, "tag", 3) == 0 &&
		    (rest.p[3] == '=' || is_wsp(rest.p[3])))
			return true;
	}
	return false;
}

/* Bit of a field a stateless answer copies, 0 for the others. */
static unsigned reply_field(const struct pint_sip_hfield *f)
{
	if (pint_sip_field_is(f, "via", "v"))
		return 1u;
	if (pint_sip_field_is(f, "from", "f"))
		return 2u;
	if (pint_sip_field_is(f, "to", "t"))
		return 4u;
	if (pint_sip_field_is(f, "call-id", "i"))
		return 8u;
	if (pint_sip_field_is(f, "cseq", NULL))
		return 16u;
	return 0;
}

static int reply_fields(struct pint_mbuf *mb, const char *p,
			const struct pint_sip_head *h, const char *to_tag)
{
	unsigned seen = 0;
	size_t i;
	int err = 0;

	for (i = 0; i < h->n && i < PINT_SIP_MAX_HEADERS && !err; i++) {
		const struct pint_sip_hfield *f = &h->f[i];
		unsigned bit;
		char *line;
		size_t n;

		bit = reply_field(f);
		if (!bit)
			continue;
		seen |= bit;
		line = malloc(2 * (f->end - f->off) + 1);
		if (!line)
			return ENOMEM;
		n = pint_sip_copy_crlf(line, p + f->off, f->end - f->off);
		err = pint_mbuf_append(mb, line, n);
		free(line);
		if (!err && to_tag && bit == 4u && !raw_has_tag(f->value))
			err = pint_mbuf_printf(mb, ";tag=%s", to_tag);
		if (!err)
			err = pint_mbuf_puts(mb, "\r\n");
	}
	if (!err && seen != 31)
		err = ENOENT;
	return err;
}

/*
 * A stateless answer (e.g. 400 with why->reason) to a request osip could
 * not parse or pint_sip_parse refused, built from the raw bytes: Via, From,
 * To (+ ;tag=to_tag when it has none), Call-ID and CSeq copied as sent.
 * ENOENT when there is nothing to answer (a response, an ACK, or a
 * mandatory field missing); EBADMSG when the head is unusable.
 */
int pint_sip_reply_raw(char **strp, size_t *lenp, const char *buf, size_t len,
		       int code, const char *reason, const char *to_tag)
{
	struct pint_mbuf mb;
	struct pint_pl tag = pint_pl_str(to_tag);
	struct pint_sip_head h;
	size_t skip;
	int err;

	if (!strp || (!buf && len) || code < 100 || code > 699 ||
	    (to_tag && !pint_sip_token(&tag, PINT_SIP_MAX_TAG)))
		return EINVAL;
	if (!reason)
		reason = osip_message_get_reason(code);
	if (!reason)
		reason = "Unknown";
	if (pint_sip_has_ctl(reason, strlen(reason)))
		return EINVAL;
	if (len > PINT_SIP_MAX_MSG)
		len = PINT_SIP_MAX_MSG;   /* the head alone may still fit */
	skip = pint_sip_skip_crlf(buf, len);
	if (pint_sip_head_scan(buf + skip, len - skip, &h) != 0 || h.bad_bytes)
		return EBADMSG;
	if (h.start.l > 4 && strncasecmp(h.start.p, "SIP/", 4) == 0)
		return ENOENT;
	if (h.start.l >= 4 && memcmp(h.start.p, "ACK ", 4) == 0)
		return ENOENT;

	pint_mbuf_init(&mb, PINT_SIP_MAX_MSG);
	err = pint_mbuf_printf(&mb, "SIP/2.0 %03d %s\r\n", code, reason);
	if (!err)
		err = reply_fields(&mb, buf + skip, &h, to_tag);
	if (!err)
		err = pint_mbuf_puts(&mb, "Content-Length: 0\r\n\r\n");
	if (err) {
		pint_mbuf_reset(&mb);
		return err;
	}
	if (lenp)
		*lenp = mb.len;
	*strp = pint_mbuf_steal(&mb);
	return 0;
}
