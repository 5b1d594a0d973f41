/*
 * pint/sipmime.c — multipart/related bodies (RFC 2046 §5.1, RFC 2387).
 *
 * Emitted strictly (CRLFs, a blank line after each part's headers,
 * Content-ID in brackets, closing delimiter); decoded leniently (RFC 2848
 * §4.5 omits the blank line after the SDP part's headers and writes
 * Content-IDs without brackets). Parts attached to an osip message keep
 * their Content-Type and Content-ID as text headers, which osip prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pint/sip_priv.h"

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* ---- checks for emitting ----------------------------------------------- */

static bool is_bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("'()+_,-./:=? ", c));
}

/* RFC 2046 bchars, 1..70 of them, not ending in a space. */
static bool boundary_ok(const char *b)
{
	size_t i;

	if (!b || !b[0])
		return false;
	for (i = 0; b[i]; i++)
		if (i >= PINT_SIP_MAX_BOUNDARY || !is_bchar(b[i]))
			return false;
	return b[i - 1] != ' ';
}

static bool header_safe(const struct pint_pl *pl, const char *also_bad)
{
	size_t i;

	for (i = 0; i < pl->l; i++) {
		unsigned char c = (unsigned char)pl->p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f ||
		    (c && strchr(also_bad, c)))
			return false;
	}
	return true;
}

static bool contains(const struct pint_pl *hay, const char *a, size_t al,
		     const char *b, size_t bl)
{
	size_t i;

	if (!hay->l || hay->l < al + bl)
		return false;
	for (i = 0; i + al + bl <= hay->l; i++) {
		if (memcmp(hay->p + i, a, al) == 0 &&
		    memcmp(hay->p + i + al, b, bl) == 0)
			return true;
	}
	return false;
}

static int check_parts(const char *boundary, const struct pint_sip_part *parts,
		       size_t n)
{
	size_t i;

	if (!boundary_ok(boundary) || !parts || n == 0 ||
	    n > PINT_SIP_MAX_PARTS)
		return EINVAL;
	for (i = 0; i < n; i++) {
		const struct pint_sip_part *pt = &parts[i];

		if (!pt->type.p || pt->type.l == 0 ||
		    !header_safe(&pt->type, ""))
			return EINVAL;
		if (pt->id.p && (pt->id.l == 0 ||
				 !header_safe(&pt->id, "<> \t")))
			return EINVAL;
		if (pt->data.l && !pt->data.p)
			return EINVAL;
		if (contains(&pt->data, "--", 2, boundary, strlen(boundary)))
			return EINVAL;
	}
	return 0;
}

/*
 * Append a multipart body: per part "--boundary", Content-Type, Content-ID
 * <id> when id is set, a blank line, the data, CRLF; then "--boundary--".
 * EINVAL for a bad boundary (RFC 2046 chars, ≤ 70), no part or more than
 * PINT_SIP_MAX_PARTS, a missing type, header-unsafe type/id, or a part
 * whose data contains "--boundary". On any error mb is left as it was.
 */
int pint_sip_multipart_encode(struct pint_mbuf *mb, const char *boundary,
			      const struct pint_sip_part *parts, size_t n)
{
	size_t start, i;
	int err;

	if (!mb)
		return EINVAL;
	err = check_parts(boundary, parts, n);
	if (err)
		return err;
	start = mb->len;
	for (i = 0; i < n && !err; i++) {
		const struct pint_sip_part *pt = &parts[i];

		err = pint_mbuf_printf(mb, "--%s\r\nContent-Type: %.*s\r\n",
				       boundary, (int)pt->type.l, pt->type.p);
		if (!err && pt->id.p)
			err = pint_mbuf_printf(mb, "Content-ID: <%.*s>\r\n",
					       (int)pt->id.l, pt->id.p);
		if (!err)
			err = pint_mbuf_puts(mb, "\r\n");
		if (!err)
			err = pint_mbuf_append(mb, pt->data.p, pt->data.l);
		if (!err)
			err = pint_mbuf_puts(mb, "\r\n");
	}
	if (!err)
		err = pint_mbuf_printf(mb, "--%s--\r\n", boundary);
	if (err) {
		mb->len = start;
		if (mb->buf)
			mb->buf[start] = '\0';
	}
	return err;
}

/* ---- decoding ---------------------------------------------------------- */

struct delim {
	size_t at;      /* where "--boundary" starts */
	size_t next;    /* first byte after the delimiter line */
	bool close;     /* "--boundary--" */
};

static bool delim_at(const char *b, size_t len, size_t i, const char *bd,
		     size_t bl, struct delim *d)
{
	size_t j;

	if (len - i < bl + 2 || b[i] != '-' || b[i + 1] != '-' ||
	    memcmp(b + i + 2, bd, bl) != 0)
		return false;
	j = i + 2 + bl;
	d->at = i;
	d->close = false;
	if (len - j >= 2 && b[j] == '-' && b[j + 1] == '-') {
		d->close = true;
		d->next = len;
		return true;
	}
	while (j < len && is_wsp(b[j]))
		j++;
	if (j == len) {
		d->next = len;
		return true;
	}
	if (b[j] == '\n' || (b[j] == '\r' && j + 1 < len && b[j + 1] == '\n')) {
		d->next = j + (b[j] == '\r' ? 2 : 1);
		return true;
	}
	return false;
}

/* The first delimiter line at or after the line start from. */
static bool find_delim(const char *b, size_t len, size_t from, const char *bd,
		       size_t bl, struct delim *d)
{
	size_t i = from;

	for (;;) {
		const char *lf;

		if (delim_at(b, len, i, bd, bl, d))
			return true;
		lf = memchr(b + i, '\n', len - i);
		if (!lf)
			return false;
		i = (size_t)(lf - b) + 1;
	}
}

/* "name:" with name a token: a MIME header rather than content. */
static bool is_header_line(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && pint_sip_is_token((unsigned char)p[i]))
		i++;
	if (i == 0)
		return false;
	while (i < n && is_wsp(p[i]))
		i++;
	return i < n && p[i] == ':';
}

static size_t line_end(const char *p, size_t n, size_t pos, size_t *nextp)
{
	const char *lf = memchr(p + pos, '\n', n - pos);
	size_t eol = lf ? (size_t)(lf - p) : n;

	*nextp = lf ? eol + 1 : n;
	if (eol > pos && p[eol - 1] == '\r')
		eol--;
	return eol;
}

/*
 * osip's own part parser takes every name starting "content-type" for the
 * Content-Type and leaks the one before when it meets a second: a part
 * with two is refused, whoever parses it later. Content-ID and
 * Content-Length have one meaning per part too.
 */
static const char *part_field(const struct pint_pl *name, unsigned *seen)
{
	static const char *const once[] = {
		"content-id", "content-length",
	};
	size_t i;

	if (name->l >= 12 && strncasecmp(name->p, "content-type", 12) == 0) {
		if (*seen & 1u)
			return "several Content-Type in a body part";
		*seen |= 1u;
		return NULL;
	}
	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
		if (!pint_pl_caseeq(name, once[i]))
			continue;
		if (*seen & 2u << i)
			return i ? "several Content-Length in a body part" :
				   "several Content-ID in a body part";
		*seen |= 2u << i;
	}
	return NULL;
}

/*
 * Headers then data of one part. Without a blank line, the first line that
 * is not "token: value" starts the data (RFC 2848 §4.5 example).
 */
static int part_parse(const char *p, size_t n, struct pint_sip_part *pt,
		      const char **whyp)
{
	size_t pos = 0;
	unsigned seen = 0;

	memset(pt, 0, sizeof(*pt));
	while (pos < n) {
		struct pint_pl name, value;
		size_t next, eol = line_end(p, n, pos, &next), colon;

		if (eol == pos) {
			pos = next;             /* the blank line */
			break;
		}
		if (!is_header_line(p + pos, eol - pos))
			break;
		while (next < n && is_wsp(p[next]))
			eol = line_end(p, n, next, &next);
		if (memchr(p + pos, '\0', eol - pos)) {
			*whyp = "NUL in a body part header";
			return EBADMSG;
		}
		colon = (size_t)((const char *)memchr(p + pos, ':',
						      eol - pos) - p);
		name.p = p + pos;
		name.l = colon - pos;
		name = pint_pl_trim(name);
		value.p = p + colon + 1;
		value.l = eol - colon - 1;
		value = pint_sip_trim_lws(value);
		*whyp = part_field(&name, &seen);
		if (*whyp)
			return EBADMSG;
		if (pint_pl_caseeq(&name, "content-type") && !pt->type.p)
			pt->type = value;
		else if (pint_pl_caseeq(&name, "content-id") && !pt->id.p)
			pt->id = pint_sip_unbracket(value);
		pos = next;
	}
	pt->data.p = p + pos;
	pt->data.l = n - pos;
	return 0;
}

/*
 * pint_sip_multipart_decode() telling why a part was refused: *whyp gets
 * a static text for a part's EBADMSG (whyp may be NULL).
 */
int pint_sip_multipart_split(const char *body, size_t len,
			     const char *boundary, struct pint_sip_part *parts,
			     size_t max, size_t *np, const char **whyp)
{
	size_t bl, n = 0, limit = max < PINT_SIP_MAX_PARTS ? max :
		PINT_SIP_MAX_PARTS;
	const char *why = NULL;
	struct delim d;

	if (!whyp)
		whyp = &why;
	if (!boundary || (!body && len) || (!parts && max) || !np)
		return EINVAL;
	bl = strnlen(boundary, PINT_SIP_MAX_BOUNDARY + 1);
	if (bl == 0 || bl > PINT_SIP_MAX_BOUNDARY)
		return EINVAL;
	if (!len || !find_delim(body, len, 0, boundary, bl, &d) || d.close)
		return EBADMSG;

	while (!d.close) {
		size_t start = d.next, end;
		int err;

		if (find_delim(body, len, start, boundary, bl, &d)) {
			end = d.at;
			if (end > start && body[end - 1] == '\n')
				end--;
			if (end > start && body[end - 1] == '\r')
				end--;
		} else {
			end = len;
			d.close = true;
		}
		if (n == limit)
			return EMSGSIZE;
		err = part_parse(body + start, end - start, &parts[n], whyp);
		if (err)
			return err;
		n++;
	}
	*np = n;
	return 0;
}

/*
 * Split a multipart body into views: parts[0..*np). Lenient: preamble and
 * epilogue ignored, a missing closing delimiter ends the last part at the
 * end of the body, a part without the blank line after its headers is
 * accepted (see part_parse), Content-ID brackets optional. The CRLF before
 * each delimiter belongs to the delimiter. EINVAL for an empty boundary or
 * one over 70 chars; EBADMSG when no delimiter is found, a part header
 * holds a NUL or a part has two Content-Type (any field named
 * "content-type…", as osip reads them), Content-ID or Content-Length;
 * EMSGSIZE for more than min(max, PINT_SIP_MAX_PARTS) parts.
 */
int pint_sip_multipart_decode(const char *body, size_t len,
			      const char *boundary, struct pint_sip_part *parts,
			      size_t max, size_t *np)
{
	return pint_sip_multipart_split(body, len, boundary, parts, max, np,
					NULL);
}

/* ---- Content-Type parameters -------------------------------------------- */

/*
 * A Content-Type parameter by name (case-insensitive), with the quotes
 * osip keeps taken off. ENOENT when absent.
 */
int pint_sip_ctype_param(const osip_content_type_t *ct, const char *name,
			 struct pint_pl *valp)
{
	int i;

	if (!ct || !name || !valp)
		return EINVAL;
	for (i = 0; i < osip_list_size(&ct->gen_params); i++) {
		const osip_generic_param_t *gp =
			osip_list_get(&ct->gen_params, i);

		if (gp->gname && strcasecmp(gp->gname, name) == 0) {
			*valp = pint_sip_unquote(pint_pl_str(gp->gvalue ?
							     gp->gvalue : ""));
			return 0;
		}
	}
	return ENOENT;
}

/*
 * For a multipart message: its boundary copied into buf (NUL-terminated)
 * and, when typep is given, the `type` parameter (unset when absent: RFC
 * 2848's examples omit it). ENOENT when the message is not multipart;
 * EBADMSG when the boundary is missing, empty or over 70 chars.
 */
int pint_sip_multipart_boundary(const osip_message_t *msg,
				char buf[PINT_SIP_MAX_BOUNDARY + 1],
				struct pint_pl *typep)
{
	struct pint_pl b;

	if (!msg || !buf)
		return EINVAL;
	if (!msg->content_type || !msg->content_type->type ||
	    strcasecmp(msg->content_type->type, "multipart") != 0)
		return ENOENT;
	if (pint_sip_ctype_param(msg->content_type, "boundary", &b) != 0 ||
	    b.l == 0 || b.l > PINT_SIP_MAX_BOUNDARY || memchr(b.p, '"', b.l))
		return EBADMSG;
	memcpy(buf, b.p, b.l);
	buf[b.l] = '\0';
	if (typep && pint_sip_ctype_param(msg->content_type, "type", typep))
		*typep = (struct pint_pl)PINT_PL_INIT;
	return 0;
}

/* ---- parts as osip bodies ---------------------------------------------- */

static int add_header(osip_body_t *b, const char *name, const char *v,
		      size_t l, bool brackets)
{
	osip_header_t *h;
	size_t o = 0;

	if (osip_header_init(&h) != 0)
		return ENOMEM;
	h->hname = osip_strdup(name);
	h->hvalue = osip_malloc(l + 3);
	if (!h->hname || !h->hvalue)
		goto nomem;
	if (brackets)
		h->hvalue[o++] = '<';
	if (l)
		memcpy(h->hvalue + o, v, l);
	o += l;
	if (brackets)
		h->hvalue[o++] = '>';
	h->hvalue[o] = '\0';
	if (osip_list_add(b->headers, h, -1) < 0)
		goto nomem;
	return 0;
nomem:
	osip_header_free(h);
	return ENOMEM;
}

static int attach_one(osip_message_t *msg, const struct pint_sip_part *pt)
{
	struct pint_pl type = pt->type.p ? pt->type :
		pint_pl_str("text/plain; charset=us-ascii");
	osip_body_t *b;
	int err = ENOMEM;

	if (osip_body_init(&b) != 0)
		return ENOMEM;
	b->body = osip_malloc(pt->data.l + 1);
	if (!b->body || !b->headers)
		goto out;
	if (pt->data.l)
		memcpy(b->body, pt->data.p, pt->data.l);
	b->body[pt->data.l] = '\0';
	b->length = pt->data.l;
	/*
	 * osip prints the blank line after part headers only when there are
	 * some, so a headerless part would read back with its first line as
	 * a header: spell out RFC 2046's default type instead.
	 */
	if (add_header(b, "Content-Type", type.p, type.l, false))
		goto out;
	if (pt->id.p && add_header(b, "Content-ID", pt->id.p, pt->id.l, true))
		goto out;
	if (osip_list_add(&msg->bodies, b, -1) < 0)
		goto out;
	return 0;
out:
	osip_body_free(b);
	return err;
}

/*
 * Append parts as osip bodies (Content-Type, RFC 2046's default when the
 * part has none, and Content-ID <id> as part headers). On failure the
 * bodies added so far are removed again.
 */
int pint_sip_attach_parts(osip_message_t *msg,
			  const struct pint_sip_part *parts, size_t n)
{
	unsigned long mark = pint_sip_nomem_mark();
	int base = osip_list_size(&msg->bodies), err = 0;
	size_t i;

	for (i = 0; i < n && !err; i++)
		err = attach_one(msg, &parts[i]);
	if (!err)
		err = pint_sip_osip_err(0, mark, 0);
	while (err && osip_list_size(&msg->bodies) > base) {
		int last = osip_list_size(&msg->bodies) - 1;
		osip_body_t *b = osip_list_get(&msg->bodies, last);

		osip_list_remove(&msg->bodies, last);
		osip_body_free(b);
	}
	osip_message_force_update(msg);
	return err;
}

/*
 * Give msg a multipart/related body: Content-Type "multipart/related;
 * type=<first part's media type>; boundary=<boundary>" and one osip body
 * per part, so osip prints it correctly (osip_message_set_body() with a
 * pre-encoded multipart text would be wrapped in delimiters twice). Checks
 * as pint_sip_multipart_encode(); EINVAL also when msg already has a body
 * or a part has no data (osip cannot print an empty part).
 * On failure msg is unchanged.
 */
int pint_sip_set_multipart(osip_message_t *msg, const char *boundary,
			   const struct pint_sip_part *parts, size_t n)
{
	unsigned long mark = pint_sip_nomem_mark();
	osip_content_type_t *ct = NULL, *old;
	struct pint_mbuf mb;
	struct pint_pl root;
	size_t i;
	int err;

	if (!msg || osip_list_size(&msg->bodies) > 0)
		return EINVAL;
	err = check_parts(boundary, parts, n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (parts[i].data.l == 0)
			return EINVAL;  /* osip cannot print an empty part */
	root = parts[0].type;
	if (memchr(root.p, ';', root.l))
		root.l = (size_t)((const char *)memchr(root.p, ';', root.l) -
				  root.p);
	root = pint_pl_trim(root);
	if (root.l == 0 || !header_safe(&root, "\"\\"))
		return EINVAL;

	pint_mbuf_init(&mb, 256);
	err = pint_mbuf_printf(&mb, "multipart/related; type=\"%.*s\"; "
			       "boundary=\"%s\"", (int)root.l, root.p,
			       boundary);
	if (err)
		goto out;
	err = pint_sip_osip_err(osip_content_type_init(&ct), mark, ENOMEM);
	if (!err)
		err = pint_sip_osip_err(osip_content_type_parse(ct, mb.buf),
					mark, EINVAL);
	if (!err)
		err = pint_sip_attach_parts(msg, parts, n);
	if (err)
		goto out;
	old = msg->content_type;
	msg->content_type = ct;
	ct = old;
	osip_message_force_update(msg);
out:
	osip_content_type_free(ct);
	pint_mbuf_reset(&mb);
	return err;
}
