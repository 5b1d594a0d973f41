/*
 * pint/tsx_msg.c — the messages the layer writes itself: the ACK for a
 * non-2xx final (RFC 3261 §17.1.1.3) and its own responses (100 Trying,
 * 200 or 481 to a CANCEL, §8.2.6). They are made of header values copied
 * as text from the request (and from the response being ACKed), not
 * re-printed through osip: libosip2 5.3's *_to_str functions crash or
 * leak when an allocation fails (measured), this path allocates one
 * buffer and fails cleanly. The scanner is bounded by len; input that
 * osip accepted may still lack a header here, which gives EBADMSG.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pint/pl.h"
#include "pint/tsx_int.h"

struct hscan {
	const char *p;
	size_t len;
	size_t pos;
};

struct hdr {
	struct pint_pl name;
	struct pint_pl val;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct pint_pl trim(const char *p, size_t n)
{
	while (n && is_ws(*p)) {
		p++;
		n--;
	}
	while (n && is_ws(p[n - 1]))
		n--;
	return (struct pint_pl){ p, n };
}

/*
 * Where the line starting at i ends (its CR or LF), and in *next where the
 * following one starts. Like osip, a lone CR or LF ends a line too.
 */
static size_t line_end(const char *p, size_t len, size_t i, size_t *next)
{
	while (i < len && p[i] != '\r' && p[i] != '\n')
		i++;
	if (i + 1 < len && p[i] == '\r' && p[i + 1] == '\n')
		*next = i + 2;
	else
		*next = i < len ? i + 1 : len;
	return i;
}

/* Position s on the first header line; *start_line gets the first line. */
static void hscan_init(struct hscan *s, const char *p, size_t len,
		       struct pint_pl *start_line)
{
	const char *nul = memchr(p, '\0', len);
	size_t next;

	/* osip reads a C string: nothing after a NUL exists for it */
	if (nul)
		len = (size_t)(nul - p);
	*start_line = trim(p, line_end(p, len, 0, &next));
	s->p = p;
	s->len = len;
	s->pos = next;
}

/*
 * The next header line (with its folded continuation lines), split at
 * the first colon; false at the end of the headers, which is, as for
 * osip, any line that starts with CR or LF. Empty values are skipped.
 */
static bool hscan_next(struct hscan *s, struct hdr *h)
{
	const char *p = s->p;

	while (s->pos < s->len) {
		size_t start = s->pos, end, next;
		const char *colon;

		if (p[start] == '\r' || p[start] == '\n')
			return false;
		end = line_end(p, s->len, start, &next);
		while (next < s->len && (p[next] == ' ' || p[next] == '\t'))
			end = line_end(p, s->len, next, &next);
		s->pos = next;
		colon = memchr(p + start, ':', end - start);
		if (!colon)
			continue;       /* not a header: osip let it pass */
		h->name = trim(p + start, (size_t)(colon - (p + start)));
		h->val = trim(colon + 1, (size_t)(p + end - (colon + 1)));
		/* osip ignores a header with an empty value: so do we */
		if (!h->val.l)
			continue;
		return true;
	}
	return false;
}

static bool hdr_is(const struct hdr *h, const char *full, const char *compact)
{
	return pint_pl_caseeq(&h->name, full) ||
	       (compact && pint_pl_caseeq(&h->name, compact));
}

/* The first header called full (or compact) in p, or false. */
static bool find_hdr(const char *p, size_t len, const char *full,
		     const char *compact, struct pint_pl *val)
{
	struct hscan s;
	struct pint_pl sl;
	struct hdr h;

	hscan_init(&s, p, len, &sl);
	while (hscan_next(&s, &h)) {
		if (hdr_is(&h, full, compact)) {
			*val = h.val;
			return true;
		}
	}
	return false;
}

/* The first element of a comma-separated header value (the top Via). */
static struct pint_pl first_elem(struct pint_pl v)
{
	bool quoted = false;
	size_t i;

	for (i = 0; i < v.l; i++) {
		if (quoted && v.p[i] == '\\')
			i++;
		else if (v.p[i] == '"')
			quoted = !quoted;
		else if (!quoted && v.p[i] == ',')
			break;
	}
	return trim(v.p, i < v.l ? i : v.l);
}

static int put(struct pint_mbuf *mb, const char *name, struct pint_pl v)
{
	return pint_mbuf_printf(mb, "%s: %.*s\r\n", name, (int)v.l, v.p);
}

static int finish(struct pint_mbuf *mb, char **bufp, size_t *lenp, int err)
{
	if (!err)
		err = pint_mbuf_puts(mb, "Content-Length: 0\r\n\r\n");
	if (!err) {
		*lenp = mb->len;
		*bufp = pint_mbuf_steal(mb);
	}
	pint_mbuf_reset(mb);
	return err;
}

/* The lines of an INVITE its ACK is made of; s is left on the first
 * header, for the Route lines. */
struct ack_src {
	struct pint_pl sl, via, from, callid, cseq;
	struct hscan s;
};

static bool ack_src_find(struct ack_src *a, const char *req, size_t len)
{
	hscan_init(&a->s, req, len, &a->sl);
	return a->sl.l && find_hdr(req, len, "Via", "v", &a->via) &&
	       find_hdr(req, len, "From", "f", &a->from) &&
	       find_hdr(req, len, "Call-ID", "i", &a->callid) &&
	       find_hdr(req, len, "CSeq", NULL, &a->cseq);
}

/* The top Via, then every Route in order. */
static int put_via_routes(struct pint_mbuf *mb, struct ack_src *a)
{
	struct hdr h;
	int err = put(mb, "Via", first_elem(a->via));

	while (!err && hscan_next(&a->s, &h)) {
		if (hdr_is(&h, "Route", NULL))
			err = put(mb, "Route", h.val);
	}
	return err;
}

/*
 * The ACK for the non-2xx final resp to the INVITE req (both raw): its
 * Request-URI, top Via (hence branch), Route set, From, Call-ID and CSeq
 * number, with the To of the response. Malloc'd into *bufp.
 */
int tsx_build_ack(const char *req, size_t req_len, const char *resp,
		  size_t resp_len, char **bufp, size_t *lenp)
{
	struct pint_pl uri, to;
	struct ack_src a;
	struct pint_mbuf mb;
	const char *sp;
	size_t n;
	int err;

	if (!ack_src_find(&a, req, req_len) || !find_hdr(resp, resp_len, "To", "t", &to))
		return EBADMSG;
	/* Method SP Request-URI SP SIP-Version */
	sp = memchr(a.sl.p, ' ', a.sl.l);
	if (!sp)
		return EBADMSG;
	uri.p = sp + 1;
	n = a.sl.l - (size_t)(uri.p - a.sl.p);
	sp = memchr(uri.p, ' ', n);
	uri.l = sp ? (size_t)(sp - uri.p) : 0;
	if (!uri.l)
		return EBADMSG;
	for (n = 0; n < a.cseq.l && a.cseq.p[n] >= '0' && a.cseq.p[n] <= '9'; n++)
		;
	if (!n)
		return EBADMSG;

	pint_mbuf_init(&mb, PINT_TSX_MAX_MSG);
	err = pint_mbuf_printf(&mb, "ACK %.*s SIP/2.0\r\n", (int)uri.l, uri.p);
	if (!err)
		err = put_via_routes(&mb, &a);
	if (!err)
		err = put(&mb, "From", a.from);
	if (!err)
		err = put(&mb, "To", to);
	if (!err)
		err = put(&mb, "Call-ID", a.callid);
	if (!err)
		err = pint_mbuf_printf(&mb, "CSeq: %.*s ACK\r\n"
				       "Max-Forwards: 70\r\n", (int)n, a.cseq.p);
	return finish(&mb, bufp, lenp, err);
}

/*
 * What of the INVITE req an ICT still needs once it is Proceeding (no
 * more retransmissions): the lines tsx_build_ack() reads, in their order
 * (start line, top Via, every Route, From, Call-ID, CSeq), without the
 * body. tsx_build_ack() gives the same ACK from it as from req. Malloc'd
 * into *bufp.
 */
int tsx_ack_base(const char *req, size_t req_len, char **bufp, size_t *lenp)
{
	struct ack_src a;
	struct pint_mbuf mb;
	int err;

	if (!ack_src_find(&a, req, req_len))
		return EBADMSG;
	pint_mbuf_init(&mb, PINT_TSX_MAX_MSG);
	err = pint_mbuf_printf(&mb, "%.*s\r\n", (int)a.sl.l, a.sl.p);
	if (!err)
		err = put_via_routes(&mb, &a);
	if (!err)
		err = put(&mb, "From", a.from);
	if (!err)
		err = put(&mb, "Call-ID", a.callid);
	if (!err)
		err = put(&mb, "CSeq", a.cseq);
	if (!err)
		err = pint_mbuf_puts(&mb, "\r\n");
	if (!err) {
		*lenp = mb.len;
		*bufp = pint_mbuf_steal(&mb);   /* cut to its length */
	}
	pint_mbuf_reset(&mb);
	return err;
}

/*
 * A response with no body to the raw request req: every Via, From, To,
 * Call-ID, CSeq. The To comes from to_msg instead when given and it has
 * one (the INVITE's last response, for the answer to a CANCEL: RFC 3261
 * §9.2 wants the same To tag, and adding a tag to a peer's To by hand
 * can make text osip then rejects). Malloc'd into *bufp.
 */
int tsx_build_response(const char *req, size_t len, int code,
		       const char *reason, const char *to_msg, size_t to_len,
		       char **bufp, size_t *lenp)
{
	struct pint_pl sl, from, to, callid, cseq;
	struct pint_mbuf mb;
	struct hscan s;
	struct hdr h;
	int err;

	if (!find_hdr(req, len, "From", "f", &from) ||
	    !find_hdr(req, len, "To", "t", &to) ||
	    !find_hdr(req, len, "Call-ID", "i", &callid) ||
	    !find_hdr(req, len, "CSeq", NULL, &cseq))
		return EBADMSG;
	if (to_msg)
		find_hdr(to_msg, to_len, "To", "t", &to);
	pint_mbuf_init(&mb, PINT_TSX_MAX_MSG);
	err = pint_mbuf_printf(&mb, "SIP/2.0 %d %s\r\n", code, reason);
	hscan_init(&s, req, len, &sl);
	while (!err && hscan_next(&s, &h)) {
		if (hdr_is(&h, "Via", "v"))
			err = put(&mb, "Via", h.val);
	}
	if (!err)
		err = put(&mb, "From", from);
	if (!err)
		err = put(&mb, "To", to);
	if (!err)
		err = put(&mb, "Call-ID", callid);
	if (!err)
		err = put(&mb, "CSeq", cseq);
	return finish(&mb, bufp, lenp, err);
}
