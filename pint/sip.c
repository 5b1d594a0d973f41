/*
 * pint/sip.c — raw checks, osip parsing, printing.
 *
 * osip is lenient where it hurts (status 4294967496 read as 200, CSeq and
 * Content-Length unchecked, LF-only bodies dropped, Warning texts split at
 * commas, binary MIME parts refused), so the raw text is checked first and
 * osip only ever sees the header section: bodies and Warning values are
 * attached by us from the raw bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pint/sip_priv.h"

/* RFC 3261 token characters. */
bool pint_sip_is_token(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

/* A non-empty token of at most max characters. */
bool pint_sip_token(const struct pint_pl *pl, size_t max)
{
	size_t i;

	if (!pl->p || pl->l == 0 || pl->l > max)
		return false;
	for (i = 0; i < pl->l; i++)
		if (!pint_sip_is_token((unsigned char)pl->p[i]))
			return false;
	return true;
}

/* The view without one pair of surrounding double quotes. */
struct pint_pl pint_sip_unquote(struct pint_pl pl)
{
	if (pl.l >= 2 && pl.p[0] == '"' && pl.p[pl.l - 1] == '"') {
		pl.p++;
		pl.l -= 2;
	}
	return pl;
}

/* The trimmed view without one pair of surrounding angle brackets. */
struct pint_pl pint_sip_unbracket(struct pint_pl pl)
{
	pl = pint_pl_trim(pl);
	if (pl.l >= 2 && pl.p[0] == '<' && pl.p[pl.l - 1] == '>') {
		pl.p++;
		pl.l -= 2;
	}
	return pl;
}

/* ---- start line -------------------------------------------------------- */

static void fail(struct pint_sip_error *why, const char *reason, int status)
{
	if (why) {
		why->reason = reason;
		why->status = status;
	}
}

/* "SIP/2.0" (case-insensitive); 505 for another version, 400 for junk. */
static int check_version(struct pint_pl v, struct pint_sip_error *why)
{
	size_t i, dots = 0, digits = 0;

	if (pint_pl_caseeq(&v, "SIP/2.0"))
		return 0;
	for (i = 4; v.l > 4 && i < v.l; i++) {
		if (v.p[i] == '.' && digits && !dots) {
			dots++;
			digits = 0;
		} else if (v.p[i] >= '0' && v.p[i] <= '9') {
			digits++;
		} else {
			break;
		}
	}
	if (v.l > 4 && strncasecmp(v.p, "SIP/", 4) == 0 && i == v.l &&
	    dots && digits) {
		fail(why, "unsupported SIP version", 505);
		return EBADMSG;
	}
	fail(why, "bad SIP version", 400);
	return EBADMSG;
}

static int check_status_line(struct pint_pl s, struct pint_sip_error *why)
{
	struct pint_pl v = {s.p, 0};
	size_t i;

	while (v.l < s.l && s.p[v.l] != ' ')
		v.l++;
	if (check_version(v, why))
		return EBADMSG;

	/* exactly "SP 3DIGIT SP": osip reads 4294967496 as 200 */
	i = v.l + 1;
	if (s.l < i + 4 || s.p[v.l] != ' ' || s.p[i] < '1' || s.p[i] > '6' ||
	    s.p[i + 1] < '0' || s.p[i + 1] > '9' ||
	    s.p[i + 2] < '0' || s.p[i + 2] > '9' || s.p[i + 3] != ' ') {
		fail(why, "bad status code", 400);
		return EBADMSG;
	}
	if (pint_sip_has_ctl(s.p + i + 4, s.l - i - 4)) {
		fail(why, "bad reason phrase", 400);
		return EBADMSG;
	}
	return 0;
}

static int check_uri(struct pint_pl u, struct pint_sip_error *why)
{
	size_t i = 0;

	while (i < u.l && u.p[i] != ':')
		i++;
	if (i == u.l || i == 0 || i + 1 == u.l) {
		fail(why, "bad Request-URI", 400);
		return EBADMSG;
	}
	if ((i == 3 && strncasecmp(u.p, "sip", 3) == 0) ||
	    (i == 4 && strncasecmp(u.p, "sips", 4) == 0))
		return 0;
	fail(why, "unsupported URI scheme", 416);
	return EBADMSG;
}

static int check_request_line(struct pint_pl s, struct pint_sip_error *why)
{
	struct pint_pl m = {s.p, 0}, u, v;

	while (m.l < s.l && s.p[m.l] != ' ')
		m.l++;
	if (!pint_sip_token(&m, PINT_SIP_MAX_METHOD) || m.l == s.l) {
		fail(why, "bad method", 400);
		return EBADMSG;
	}
	u.p = s.p + m.l + 1;
	u.l = 0;
	while (u.p + u.l < s.p + s.l && u.p[u.l] != ' ')
		u.l++;
	v.p = u.p + u.l + 1;
	if (u.l == 0 || v.p > s.p + s.l || pint_sip_has_ctl(u.p, u.l)) {
		fail(why, "bad request line", 400);
		return EBADMSG;
	}
	v.l = (size_t)(s.p + s.l - v.p);
	if (check_version(v, why))
		return EBADMSG;
	return check_uri(u, why);
}

/* ---- parse ------------------------------------------------------------- */

#define OSIP_HEAD_STACK 4096u

/*
 * The header section osip gets: no Content-Length, no Warning, compact
 * names spelt out (osip prints unknown ones as "O:"), CRLF line ends.
 * *bufp comes in as a buffer of OSIP_HEAD_STACK bytes and goes out as the
 * text: in that buffer, or in a malloc()ed one when it does not fit.
 */
static int osip_head(const char *p, const struct pint_sip_head *h, char **bufp,
		     size_t *lenp)
{
	size_t o, i;
	/* bare LFs may double; a spelt-out compact name adds < 16 bytes */
	size_t need = 2 * h->len + 3 + 16 * (size_t)h->n;
	/* the caller's buffer (OSIP_HEAD_STACK bytes) when it is enough */
	char *b = need <= OSIP_HEAD_STACK ? *bufp : malloc(need);

	if (!b)
		return ENOMEM;
	o = pint_sip_copy_crlf(b, h->start.p, h->start.l);
	b[o++] = '\r';
	b[o++] = '\n';
	for (i = 0; i < h->n; i++) {
		const struct pint_sip_hfield *f = &h->f[i];
		const char *full = pint_sip_full_name(&f->name);
		size_t from = f->off;

		if (pint_sip_field_is(f, "content-length", "l") ||
		    pint_sip_field_is(f, "warning", NULL))
			continue;
		if (full) {
			memcpy(b + o, full, strlen(full));
			o += strlen(full);
			from += f->name.l;
		}
		o += pint_sip_copy_crlf(b + o, p + from, f->end - from);
		b[o++] = '\r';
		b[o++] = '\n';
	}
	b[o++] = '\r';
	b[o++] = '\n';
	b[o] = '\0';
	*bufp = b;
	*lenp = o;
	return 0;
}

/* A field value on one line: each line end with its folding becomes SP. */
static int unfold(const struct pint_pl *v, char **strp)
{
	size_t i, o = 0;
	char *s = malloc(v->l + 1);

	if (!s)
		return ENOMEM;
	for (i = 0; i < v->l; i++) {
		if (v->p[i] == '\r' || v->p[i] == '\n') {
			while (i + 1 < v->l && (v->p[i + 1] == '\r' ||
						v->p[i + 1] == '\n' ||
						v->p[i + 1] == ' ' ||
						v->p[i + 1] == '\t'))
				i++;
			s[o++] = ' ';
			continue;
		}
		s[o++] = v->p[i];
	}
	s[o] = '\0';
	*strp = s;
	return 0;
}

/* osip splits Warning at commas, breaking RFC 2848's unquoted texts. */
static int add_raw_warnings(osip_message_t *msg, const struct pint_sip_head *h)
{
	unsigned long mark = pint_sip_nomem_mark();
	size_t i;
	int err = 0;

	for (i = 0; i < h->n && !err; i++) {
		char *v;

		if (!pint_sip_field_is(&h->f[i], "warning", NULL) ||
		    h->f[i].value.l == 0)
			continue;
		err = unfold(&h->f[i].value, &v);
		if (err)
			break;
		err = osip_message_set_header(msg, "Warning", v);
		err = pint_sip_osip_err(err, mark, EBADMSG);
		free(v);
	}
	return err;
}

static int attach_body(osip_message_t *msg, const char *body, size_t len,
		       struct pint_sip_error *why)
{
	struct pint_sip_part parts[PINT_SIP_MAX_PARTS];
	char boundary[PINT_SIP_MAX_BOUNDARY + 1];
	unsigned long mark = pint_sip_nomem_mark();
	const char *reason = NULL;
	size_t n, i;
	int err;

	if (len == 0)
		return 0;
	err = pint_sip_multipart_boundary(msg, boundary, NULL);
	if (err == ENOENT)
		return pint_sip_osip_err(osip_message_set_body(msg, body, len),
					 mark, EBADMSG);
	if (err) {
		fail(why, "bad multipart boundary", 400);
		return EBADMSG;
	}
	err = pint_sip_multipart_split(body, len, boundary, parts,
				       PINT_SIP_MAX_PARTS, &n, &reason);
	if (err) {
		fail(why, err == EMSGSIZE ? "too many body parts" :
		     reason ? reason : "bad multipart body", 400);
		return EBADMSG;
	}
	for (i = 0; i < n; i++) {
		/* osip cannot print a part without data: never accept one */
		if (parts[i].data.l == 0) {
			fail(why, "empty body part", 400);
			return EBADMSG;
		}
	}
	return pint_sip_attach_parts(msg, parts, n);
}

static size_t elements(const osip_message_t *m)
{
	const osip_list_t *lists[] = {
		&m->accepts, &m->accept_encodings, &m->accept_languages,
		&m->alert_infos, &m->allows, &m->authentication_infos,
		&m->authorizations, &m->call_infos, &m->contacts,
		&m->content_encodings, &m->error_infos,
		&m->proxy_authenticates, &m->proxy_authentication_infos,
		&m->proxy_authorizations, &m->record_routes, &m->routes,
		&m->vias, &m->www_authenticates, &m->headers,
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		n += (size_t)osip_list_size(lists[i]);
	n += !!m->call_id + !!m->content_type + !!m->cseq + !!m->from +
	     !!m->mime_version + !!m->to;
	return n;
}

static bool tag_ok(const osip_from_t *ft)
{
	int i;

	for (i = 0; i < osip_list_size(&ft->gen_params); i++) {
		const osip_generic_param_t *gp =
			osip_list_get(&ft->gen_params, i);

		if (gp->gname && strcasecmp(gp->gname, "tag") == 0 &&
		    gp->gvalue && strlen(gp->gvalue) > PINT_SIP_MAX_TAG)
			return false;
	}
	return true;
}

static bool port_ok(const char *port)
{
	struct pint_pl pl = pint_pl_str(port);
	unsigned long long v;

	return !port || pint_pl_u64(&pl, 65535, &v) == 0;
}

static bool params_named(const osip_list_t *l)
{
	int i;

	for (i = 0; i < osip_list_size(l); i++) {
		const osip_uri_param_t *up = osip_list_get(l, i);

		if (!up->gname || !up->gname[0])
			return false;
	}
	return true;
}

/*
 * osip takes "sip:a@ ;" or "host:" and prints what it cannot read back:
 * a SIP URI needs a host, named parameters and a numeric port. Other
 * schemes osip keeps as plain text.
 */
static bool uri_ok(const osip_uri_t *u)
{
	if (!u || (u->string && !u->host))
		return true;
	/* "<sip:n\t\t>>" prints as a host osip cannot read back (fuzzed) */
	return u->host && u->host[0] &&
	       !u->host[strcspn(u->host, " \t<>\"")] &&
	       !pint_sip_has_ctl(u->host, strlen(u->host)) &&
	       port_ok(u->port) &&
	       params_named(&u->url_params) && params_named(&u->url_headers);
}

/*
 * Header parameters need token names: osip reads ";>x=1" and cannot read
 * back what it prints for it.
 */
static bool params_tokens(const osip_list_t *l)
{
	int i;

	for (i = 0; i < osip_list_size(l); i++) {
		const osip_generic_param_t *gp = osip_list_get(l, i);
		struct pint_pl name = pint_pl_str(gp->gname);

		if (!pint_sip_token(&name, PINT_SIP_MAX_TAG))
			return false;
	}
	return true;
}

static bool name_addr_ok(const osip_from_t *ft)
{
	return uri_ok(ft->url) && params_tokens(&ft->gen_params);
}

static bool uris_ok(const osip_list_t *l)
{
	int i;

	for (i = 0; i < osip_list_size(l); i++)
		if (!name_addr_ok(osip_list_get(l, i)))
			return false;
	return true;
}

static bool addresses_ok(const osip_message_t *m)
{
	int i;

	for (i = 0; i < osip_list_size(&m->vias); i++) {
		const osip_via_t *v = osip_list_get(&m->vias, i);

		if (!port_ok(v->port) || !params_tokens(&v->via_params))
			return false;
	}
	return uri_ok(m->req_uri) && name_addr_ok(m->from) &&
	       name_addr_ok(m->to) && uris_ok(&m->contacts) &&
	       uris_ok(&m->routes) && uris_ok(&m->record_routes) &&
	       (!m->content_type ||
		params_tokens(&m->content_type->gen_params));
}

/*
 * What osip takes on trust: presence, ranges and agreement of fields. A
 * head already in osip's printed form (canon) cannot fail to print or to
 * parse again: that check is for the others.
 */
static int check_fields(osip_message_t *m, bool canon,
			struct pint_sip_error *why)
{
	unsigned long mark = pint_sip_nomem_mark();
	osip_message_t *again = NULL;
	struct pint_pl v, method;
	unsigned long long mf;
	uint32_t num;
	size_t cid;
	int err;

	if (osip_list_size(&m->vias) < 1 || !m->from || !m->to || !m->call_id ||
	    !m->call_id->number || !m->cseq) {
		fail(why, osip_list_size(&m->vias) < 1 ? "missing Via" :
		     !m->from ? "missing From" : !m->to ? "missing To" :
		     !m->cseq ? "missing CSeq" : "missing Call-ID", 400);
		return EBADMSG;
	}
	if (elements(m) >= PINT_SIP_MAX_HEADERS) {
		fail(why, "too many header fields", 400);
		return EBADMSG;
	}
	cid = strlen(m->call_id->number) +
	      (m->call_id->host ? 1 + strlen(m->call_id->host) : 0);
	if (cid > PINT_SIP_MAX_CALLID) {
		fail(why, "Call-ID too long", 400);
		return EBADMSG;
	}
	if (pint_sip_cseq(m, &num, &method)) {
		fail(why, "bad CSeq", 400);
		return EBADMSG;
	}
	if (MSG_IS_REQUEST(m) && !pint_pl_eq(&method, m->sip_method)) {
		fail(why, "CSeq method does not match", 400);
		return EBADMSG;
	}
	if (!tag_ok(m->from) || !tag_ok(m->to)) {
		fail(why, "tag too long", 400);
		return EBADMSG;
	}
	if (!addresses_ok(m)) {
		fail(why, "bad address or parameter", 400);
		return EBADMSG;
	}
	if (pint_sip_header(m, "max-forwards", 0, &v) == 0 &&
	    pint_pl_u64(&v, 255, &mf) != 0) {
		fail(why, "bad Max-Forwards", 400);
		return EBADMSG;
	}
	if (canon)
		return 0;
	err = pint_sip_osip_err(pint_sip_printable(m), mark, EBADMSG);
	if (!err)
		err = pint_sip_osip_err(pint_sip_reparses(m, &again), mark, EBADMSG);
	/* what is read back must pass the same checks: it is what a peer
	 * gets from us, and what we read if it comes back */
	if (!err && !addresses_ok(again))
		err = EBADMSG;
	osip_message_free(again);
	if (err == EBADMSG)
		fail(why, "unprintable header", 400);
	return err;
}

/*
 * Parse one whole message (a datagram, or one frame from pint_sip_frame).
 * Leading CRLFs are skipped. The raw text is checked first (size, control
 * characters, start line, Content-Length, header count), then osip parses the
 * header section and we attach the body (multipart split leniently), then
 * mandatory fields, ranges and parameter names are checked, and osip must
 * read back what it prints for the headers (it does by construction when
 * they are in its printed form already). Without Content-Length the body
 * is the rest of the buffer; bytes past Content-Length are ignored (RFC 3261
 * §18.3). EBADMSG or EMSGSIZE come with *why filled (why may be NULL).
 */
int pint_sip_parse(osip_message_t **msgp, const char *buf, size_t len,
		   struct pint_sip_error *why)
{
	osip_message_t *msg = NULL;
	unsigned long mark = pint_sip_nomem_mark();
	struct pint_sip_head h;
	size_t skip, clen, hlen;
	char stack[OSIP_HEAD_STACK], *hbuf = stack;
	int err;

	fail(why, NULL, 0);
	if (!msgp || (!buf && len))
		return EINVAL;
	if (len > PINT_SIP_MAX_MSG) {
		fail(why, "message too large", 513);
		return EMSGSIZE;
	}
	skip = pint_sip_skip_crlf(buf, len);
	buf += skip;
	len -= skip;
	if (len == 0 || pint_sip_head_scan(buf, len, &h) != 0) {
		fail(why, len ? "no end of header section" : "empty message",
		     400);
		return EBADMSG;
	}
	if (h.bad) {
		fail(why, h.bad, 400);
		return EBADMSG;
	}
	if (h.start.l > 4 && strncasecmp(h.start.p, "SIP/", 4) == 0)
		err = check_status_line(h.start, why);
	else
		err = check_request_line(h.start, why);
	if (err)
		return err;

	clen = len - h.len;
	if (h.nclen) {
		size_t v;

		if (pint_sip_head_clen(&h, &v) != 0 || v > clen) {
			fail(why, h.nclen > 1 ? "several Content-Length" :
			     "bad Content-Length", 400);
			return EBADMSG;
		}
		clen = v;
	}

	err = osip_head(buf, &h, &hbuf, &hlen);
	if (err)
		goto out;
	err = pint_sip_osip_err(osip_message_init(&msg), mark, ENOMEM);
	if (err)
		goto out;
	err = pint_sip_osip_err(osip_message_parse(msg, hbuf, hlen), mark,
				EBADMSG);
	if (err) {
		fail(why, "malformed message", 400);
		goto out;
	}
	err = add_raw_warnings(msg, &h);
	if (!err)
		err = attach_body(msg, buf + h.len, clen, why);
	if (!err)
		err = check_fields(msg, pint_sip_head_canonical(&h), why);
	if (!err)
		err = pint_sip_osip_err(0, mark, 0);

out:
	if (hbuf != stack)
		free(hbuf);
	if (err) {
		if (err == ENOMEM)
			fail(why, NULL, 0);
		else if (why && !why->reason)
			fail(why, "malformed message", 400);
		osip_message_free(msg);
		return err;
	}
	*msgp = msg;
	return 0;
}

/* ---- printing ---------------------------------------------------------- */

/*
 * The message as text in a heap string (free()), NUL-terminated, *lenp
 * bytes. osip caches its text inside msg and edits of the structures do not
 * invalidate that cache, so a rebuild is forced each time (the cache is the
 * only thing written in msg). EMSGSIZE above PINT_SIP_MAX_MSG, EINVAL when
 * osip cannot print it (a mandatory part missing).
 */
int pint_sip_to_str(const osip_message_t *msg, char **strp, size_t *lenp)
{
	osip_message_t *m = (osip_message_t *)msg;
	unsigned long mark = pint_sip_nomem_mark();
	char *s = NULL, *out;
	size_t n = 0;
	int err = 0;

	if (!msg || !strp)
		return EINVAL;
	osip_message_force_update(m);
	if (!pint_sip_prints(m))
		err = pint_sip_osip_err(pint_sip_printable(m), mark, EINVAL);
	if (!err)
		err = pint_sip_osip_err(osip_message_to_str(m, &s, &n), mark,
					EINVAL);
	if (err)
		goto out;
	if (n > PINT_SIP_MAX_MSG) {
		err = EMSGSIZE;
		goto out;
	}
	out = malloc(n + 1);
	if (!out) {
		err = ENOMEM;
		goto out;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	*strp = out;
	if (lenp)
		*lenp = n;
out:
	osip_free(s);
	return err;
}

