/*
 * pint/sipmsg.c — getters on a parsed message, Warning, responses.
 *
 * Getters return views into osip's strings; they never allocate.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pint/sip_priv.h"

static const char empty[] = "";

static struct pint_pl pl_of(const char *s)
{
	return pint_pl_str(s ? s : empty);
}

/* ---- header by name ---------------------------------------------------- */

static const struct {
	const char *full;
	const char *compact;
} aliases[] = {
	{"Call-ID", "i"}, {"Contact", "m"}, {"Content-Encoding", "e"},
	{"Content-Length", "l"}, {"Content-Type", "c"}, {"From", "f"},
	{"Subject", "s"}, {"Supported", "k"}, {"To", "t"}, {"Via", "v"},
	{"Event", "o"}, {"Allow-Events", "u"}, {"Refer-To", "r"},
	{"Referred-By", "b"}, {"Session-Expires", "x"},
};

/* The full name for a compact one ("o" → "Event"), else NULL. */
const char *pint_sip_full_name(const struct pint_pl *name)
{
	size_t i;

	for (i = 0; name->l == 1 && i < sizeof(aliases) / sizeof(aliases[0]);
	     i++)
		if (pint_pl_caseeq(name, aliases[i].compact))
			return aliases[i].full;
	return NULL;
}

/* Headers osip parses into structures: there is no one value to view. */
static const char *const structured[] = {
	"via", "from", "to", "call-id", "cseq", "contact", "content-type",
	"content-length", "route", "record-route", "accept", "accept-encoding",
	"accept-language", "alert-info", "call-info", "error-info",
	"authorization", "proxy-authorization", "www-authenticate",
	"proxy-authenticate", "authentication-info",
	"proxy-authentication-info",
};

/* Case-insensitive equality; the first letters sort out most pairs. */
static bool ieq(const char *a, const char *b)
{
	return (a[0] | 0x20) == (b[0] | 0x20) && strcasecmp(a, b) == 0;
}

static bool name_is(const char *hname, const char *full, const char *compact)
{
	return hname && (ieq(hname, full) || (compact && ieq(hname, compact)));
}

static int value_list(const osip_list_t *l, unsigned idx, struct pint_pl *valp)
{
	const osip_content_length_t *v;

	if ((int)idx >= osip_list_size(l))
		return ENOENT;
	v = osip_list_get(l, (int)idx);
	*valp = pl_of(v->value);
	return 0;
}

/*
 * The idx-th (0-based) value of a header osip keeps as text, by full or
 * compact name, case-insensitive ("Event" finds "o:" too). Comma lists are
 * split by osip, one value each. EINVAL for headers osip parses into
 * structures (Via, From, To, Call-ID, CSeq, Contact, Content-Type, …: use
 * the dedicated getters or osip's fields); ENOENT when absent.
 */
int pint_sip_header(const osip_message_t *msg, const char *name, unsigned idx,
		    struct pint_pl *valp)
{
	const char *full = name, *compact = NULL;
	unsigned seen = 0;
	size_t i;
	int k;

	if (!msg || !name || !valp)
		return EINVAL;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (name_is(name, aliases[i].full, aliases[i].compact)) {
			full = aliases[i].full;
			compact = aliases[i].compact;
		}
	}
	for (i = 0; i < sizeof(structured) / sizeof(structured[0]); i++)
		if (ieq(full, structured[i]))
			return EINVAL;
	if (ieq(full, "content-encoding"))
		return value_list(&msg->content_encodings, idx, valp);
	if (ieq(full, "allow"))
		return value_list(&msg->allows, idx, valp);
	if (ieq(full, "mime-version")) {
		if (idx != 0 || !msg->mime_version)
			return ENOENT;
		*valp = pl_of(msg->mime_version->value);
		return 0;
	}

	for (k = 0; k < osip_list_size(&msg->headers); k++) {
		const osip_header_t *h = osip_list_get(&msg->headers, k);

		if (!name_is(h->hname, full, compact))
			continue;
		if (seen++ == idx) {
			*valp = pl_of(h->hvalue);
			return 0;
		}
	}
	return ENOENT;
}

/* ---- Via, tags, CSeq --------------------------------------------------- */

static const osip_generic_param_t *param(const osip_list_t *l,
					 const char *name)
{
	int i;

	for (i = 0; i < osip_list_size(l); i++) {
		const osip_generic_param_t *gp = osip_list_get(l, i);

		if (gp->gname && strcasecmp(gp->gname, name) == 0)
			return gp;
	}
	return NULL;
}

static int port_value(const char *s, uint16_t *portp)
{
	struct pint_pl pl = pl_of(s);
	unsigned long long v;

	if (pint_pl_u64(&pl, 65535, &v) != 0 || v == 0)
		return EBADMSG;
	*portp = (uint16_t)v;
	return 0;
}

/*
 * The topmost Via: transport, sent-by host and port (0: absent), branch,
 * received and rport. ENOENT without Via; EBADMSG for a bad port.
 */
int pint_sip_top_via(const osip_message_t *msg, struct pint_sip_via *via)
{
	const osip_via_t *v;
	const osip_generic_param_t *gp;

	if (!msg || !via)
		return EINVAL;
	v = osip_list_get(&msg->vias, 0);
	if (!v)
		return ENOENT;
	memset(via, 0, sizeof(*via));
	via->transport = pl_of(v->protocol);
	via->host = pl_of(v->host);
	if (v->port && port_value(v->port, &via->port))
		return EBADMSG;
	gp = param(&v->via_params, "branch");
	if (gp && gp->gvalue)
		via->branch = pint_pl_str(gp->gvalue);
	gp = param(&v->via_params, "received");
	if (gp && gp->gvalue)
		via->received = pint_pl_str(gp->gvalue);
	gp = param(&v->via_params, "rport");
	if (gp) {
		via->rport = true;
		if (gp->gvalue && port_value(gp->gvalue, &via->rport_value))
			return EBADMSG;
	}
	return 0;
}

static int tag_of(const osip_from_t *ft, struct pint_pl *tagp)
{
	const osip_generic_param_t *gp;

	if (!ft || !tagp)
		return EINVAL;
	gp = param(&ft->gen_params, "tag");
	if (!gp || !gp->gvalue || !gp->gvalue[0])
		return ENOENT;
	*tagp = pint_sip_unquote(pint_pl_str(gp->gvalue));
	return 0;
}

/* The From tag (quotes stripped); ENOENT when there is none. */
int pint_sip_from_tag(const osip_message_t *msg, struct pint_pl *tagp)
{
	return tag_of(msg ? msg->from : NULL, tagp);
}

/* The To tag (quotes stripped); ENOENT when there is none. */
int pint_sip_to_tag(const osip_message_t *msg, struct pint_pl *tagp)
{
	return tag_of(msg ? msg->to : NULL, tagp);
}

/*
 * CSeq number (digits only, ≤ PINT_SIP_MAX_CSEQ: osip keeps it as text)
 * and method view; either output may be NULL. EBADMSG when absent or bad.
 */
int pint_sip_cseq(const osip_message_t *msg, uint32_t *nump,
		  struct pint_pl *methodp)
{
	struct pint_pl num, method;
	unsigned long long v;

	if (!msg)
		return EINVAL;
	if (!msg->cseq || !msg->cseq->number || !msg->cseq->method)
		return EBADMSG;
	num = pint_pl_str(msg->cseq->number);
	method = pint_pl_str(msg->cseq->method);
	if (pint_pl_u64(&num, PINT_SIP_MAX_CSEQ, &v) != 0 ||
	    !pint_sip_token(&method, PINT_SIP_MAX_METHOD))
		return EBADMSG;
	if (nump)
		*nump = (uint32_t)v;
	if (methodp)
		*methodp = method;
	return 0;
}

/* ---- delta-seconds ----------------------------------------------------- */

/* Leading digits of pl, saturating at max; what follows is left in *restp. */
static int delta_seconds(struct pint_pl pl, uint32_t max, uint32_t *secsp,
			 struct pint_pl *restp)
{
	uint64_t v = 0;
	size_t i = 0;

	pl = pint_pl_trim(pl);
	while (i < pl.l && pl.p[i] >= '0' && pl.p[i] <= '9') {
		v = v * 10 + (uint64_t)(pl.p[i] - '0');
		if (v > max)
			v = max;
		i++;
	}
	if (i == 0)
		return EBADMSG;
	*secsp = (uint32_t)v;
	restp->p = pl.p + i;
	restp->l = pl.l - i;
	return 0;
}

/*
 * Expires in seconds, values above max taken as max. ENOENT when absent,
 * EBADMSG when not delta-seconds (RFC 2543's date form included).
 */
int pint_sip_expires(const osip_message_t *msg, uint32_t max, uint32_t *secsp)
{
	struct pint_pl v, rest;
	int err;

	if (!secsp)
		return EINVAL;
	err = pint_sip_header(msg, "expires", 0, &v);
	if (err)
		return err;
	err = delta_seconds(v, max, secsp, &rest);
	if (!err && rest.l)
		err = EBADMSG;
	return err;
}

/*
 * Retry-After delta-seconds, above max taken as max; a comment and
 * parameters after it ("120 (busy);duration=60") are ignored. ENOENT when
 * absent, EBADMSG when it does not start with digits.
 */
int pint_sip_retry_after(const osip_message_t *msg, uint32_t max,
			 uint32_t *secsp)
{
	struct pint_pl v, rest;
	int err;

	if (!secsp)
		return EINVAL;
	err = pint_sip_header(msg, "retry-after", 0, &v);
	if (err)
		return err;
	err = delta_seconds(v, max, secsp, &rest);
	if (err)
		return err;
	rest = pint_pl_trim(rest);
	if (rest.l && rest.p[0] != '(' && rest.p[0] != ';')
		return EBADMSG;
	return 0;
}

/* ---- Warning ----------------------------------------------------------- */

static bool is_sp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ", 3ALNUM SP" after an unquoted text starts the next warning. */
static bool next_warning_at(const char *p, size_t n)
{
	size_t i = 1, k;

	while (i < n && is_sp(p[i]))
		i++;
	for (k = 0; k < 3; k++, i++)
		if (i >= n || !((p[i] >= '0' && p[i] <= '9') ||
				(p[i] >= 'a' && p[i] <= 'z') ||
				(p[i] >= 'A' && p[i] <= 'Z')))
			return false;
	return i < n && (p[i] == ' ' || p[i] == '\t');
}

static struct pint_pl word(const char *p, size_t n, size_t *ip)
{
	struct pint_pl w;

	while (*ip < n && is_sp(p[*ip]))
		(*ip)++;
	w.p = p + *ip;
	w.l = 0;
	while (*ip < n && !is_sp(p[*ip]) && p[*ip] != ',') {
		(*ip)++;
		w.l++;
	}
	return w;
}

/* One warning from p[*ip]; *ip ends past its separating comma. */
static void one_warning(const char *p, size_t n, size_t *ip,
			struct pint_sip_warning *w)
{
	struct pint_pl code = word(p, n, ip);
	size_t i;

	w->code = 0;
	if (code.l == 3 && code.p[0] >= '0' && code.p[0] <= '9' &&
	    code.p[1] >= '0' && code.p[1] <= '9' &&
	    code.p[2] >= '0' && code.p[2] <= '9')
		w->code = (unsigned)((code.p[0] - '0') * 100 +
				     (code.p[1] - '0') * 10 +
				     (code.p[2] - '0'));
	w->agent = word(p, n, ip);
	i = *ip;
	while (i < n && is_sp(p[i]))
		i++;
	w->text.p = p + i;
	w->text.l = 0;
	if (i < n && p[i] == '"') {
		w->text.p = p + ++i;
		while (i < n && p[i] != '"') {
			i += (p[i] == '\\' && i + 1 < n) ? 2 : 1;
		}
		w->text.l = (size_t)(p + (i < n ? i : n) - w->text.p);
		if (i < n)
			i++;
		while (i < n && p[i] != ',')
			i++;
	} else {
		/* RFC 2848's examples leave it unquoted, commas and all */
		while (i < n && !(p[i] == ',' && next_warning_at(p + i, n - i)))
			i++;
		w->text.l = (size_t)(p + i - w->text.p);
		w->text = pint_pl_trim(w->text);
	}
	*ip = i < n ? i + 1 : n;
}

/*
 * Parse one Warning header value into up to max entries (*np of them);
 * further warnings are ignored. Lenient: a code that is not three digits
 * ("xxx") gives code 0, an unquoted text runs to the next ", NNN agent" or
 * the end, missing parts give empty views. Never fails on content.
 */
int pint_sip_warning_parse(const char *p, size_t len,
			   struct pint_sip_warning *w, size_t max, size_t *np)
{
	size_t i = 0, n = 0;

	if ((!p && len) || (!w && max) || !np)
		return EINVAL;
	while (i < len && n < max) {
		struct pint_sip_warning tmp;

		while (i < len && (is_sp(p[i]) || p[i] == ','))
			i++;
		if (i == len)
			break;
		one_warning(p, len, &i, &tmp);
		w[n++] = tmp;
	}
	*np = n;
	return 0;
}

/* All warnings of all Warning headers, in order, up to max (*np). */
int pint_sip_warnings(const osip_message_t *msg, struct pint_sip_warning *w,
		      size_t max, size_t *np)
{
	size_t n = 0;
	unsigned k;

	if (!msg || (!w && max) || !np)
		return EINVAL;
	for (k = 0; n < max; k++) {
		struct pint_pl v;
		size_t got;

		if (pint_sip_header(msg, "warning", k, &v) != 0)
			break;
		pint_sip_warning_parse(v.p, v.l, w + n, max - n, &got);
		n += got;
	}
	*np = n;
	return 0;
}

static bool agent_ok(const char *s)
{
	size_t i;

	if (!s || !s[0] || strlen(s) > 255)
		return false;
	for (i = 0; s[i]; i++)
		if (!pint_sip_is_token((unsigned char)s[i]) &&
		    !strchr(":[]", s[i]))
			return false;
	return true;
}

/*
 * Add "Warning: <code> <agent> "<text>"" with the text always quoted and
 * '"' and '\' escaped. EINVAL for a code outside 100..999, an agent that
 * is not a host or token, or control characters in the text; EMSGSIZE for
 * a text longer than PINT_SIP_MAX_WARNING. On error msg is unchanged.
 */
int pint_sip_add_warning(osip_message_t *msg, unsigned code,
			 const char *agent, const char *text)
{
	unsigned long mark = pint_sip_nomem_mark();
	struct pint_mbuf mb;
	size_t i;
	int err, before;

	if (!msg || code < 100 || code > 999 || !agent_ok(agent) || !text)
		return EINVAL;
	if (strlen(text) > PINT_SIP_MAX_WARNING)
		return EMSGSIZE;
	for (i = 0; text[i]; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return EINVAL;
	}

	before = osip_list_size(&msg->headers);
	pint_mbuf_init(&mb, 2 * PINT_SIP_MAX_WARNING + 300);
	err = pint_mbuf_printf(&mb, "%03u %s \"", code, agent);
	for (i = 0; !err && text[i]; i++) {
		if (text[i] == '"' || text[i] == '\\')
			err = pint_mbuf_append(&mb, "\\", 1);
		if (!err)
			err = pint_mbuf_append(&mb, text + i, 1);
	}
	if (!err)
		err = pint_mbuf_puts(&mb, "\"");
	if (!err)
		err = pint_sip_osip_err(osip_message_set_header(msg, "Warning",
								mb.buf),
					mark, EINVAL);
	if (err && osip_list_size(&msg->headers) > before) {
		/* added from osip's reserve: take it out again */
		osip_header_t *h = osip_list_get(&msg->headers, before);

		osip_list_remove(&msg->headers, before);
		osip_header_free(h);
	}
	pint_mbuf_reset(&mb);
	return err;
}

/* ---- response builder -------------------------------------------------- */

static int copy_vias(osip_message_t *resp, const osip_message_t *req)
{
	int i;

	for (i = 0; i < osip_list_size(&req->vias); i++) {
		osip_via_t *v = NULL;

		if (osip_via_clone(osip_list_get(&req->vias, i), &v) != 0)
			return ENOMEM;
		if (osip_list_add(&resp->vias, v, -1) < 0) {
			osip_via_free(v);
			return ENOMEM;
		}
	}
	return 0;
}

static int copy_fields(osip_message_t *r, const osip_message_t *req,
		       const char *to_tag)
{
	osip_generic_param_t *gp;

	if (copy_vias(r, req) || osip_from_clone(req->from, &r->from) ||
	    osip_to_clone(req->to, &r->to) ||
	    osip_call_id_clone(req->call_id, &r->call_id) ||
	    osip_cseq_clone(req->cseq, &r->cseq))
		return ENOMEM;
	if (to_tag && !param(&r->to->gen_params, "tag")) {
		/* by hand: osip_to_set_tag() leaks its strings on ENOMEM */
		if (osip_generic_param_init(&gp) != 0)
			return ENOMEM;
		gp->gname = osip_strdup("tag");
		gp->gvalue = osip_strdup(to_tag);
		if (!gp->gname || !gp->gvalue ||
		    osip_list_add(&r->to->gen_params, gp, -1) < 0) {
			osip_generic_param_free(gp);
			return ENOMEM;
		}
	}
	return 0;
}

/*
 * A response to req (RFC 3261 §8.2.6): all Vias in order, From, To (with
 * ;tag=to_tag added when To has none and to_tag is given), Call-ID, CSeq.
 * reason NULL takes the standard phrase. The caller frees *respp with
 * osip_message_free(). EINVAL for a code outside 100..699, a response as
 * req, a req lacking those fields, a bad reason or tag.
 */
int pint_sip_response(osip_message_t **respp, const osip_message_t *req,
		      int code, const char *reason, const char *to_tag)
{
	unsigned long mark = pint_sip_nomem_mark();
	struct pint_pl tag = pint_pl_str(to_tag);
	osip_message_t *r = NULL;
	char *ver, *rp;
	size_t i;
	int err;

	if (!respp || !req || !MSG_IS_REQUEST(req) || code < 100 ||
	    code > 699 || osip_list_size(&req->vias) < 1 || !req->from ||
	    !req->to || !req->call_id || !req->cseq ||
	    (to_tag && !pint_sip_token(&tag, PINT_SIP_MAX_TAG)))
		return EINVAL;
	if (!reason)
		reason = osip_message_get_reason(code);
	if (!reason)
		reason = "Unknown";
	for (i = 0; reason[i]; i++)
		if ((unsigned char)reason[i] < 0x20 && reason[i] != '\t')
			return EINVAL;

	err = pint_sip_osip_err(osip_message_init(&r), mark, ENOMEM);
	if (err)
		goto out;
	ver = osip_strdup("SIP/2.0");
	rp = osip_strdup(reason);
	if (!ver || !rp) {
		osip_free(ver);
		osip_free(rp);
		err = ENOMEM;
		goto out;
	}
	osip_message_set_version(r, ver);
	osip_message_set_reason_phrase(r, rp);
	osip_message_set_status_code(r, code);
	err = copy_fields(r, req, to_tag);
	if (!err)
		err = pint_sip_osip_err(0, mark, 0);
out:
	if (err) {
		osip_message_free(r);
		return err;
	}
	*respp = r;
	return 0;
}

/* ---- bodies ------------------------------------------------------------ */

static bool is_multipart(const osip_message_t *msg)
{
	return msg->content_type && msg->content_type->type &&
	       strcasecmp(msg->content_type->type, "multipart") == 0;
}

/*
 * The body of a single-part message. ENOENT without body; EBADMSG for a
 * multipart message (use pint_sip_part()).
 */
int pint_sip_body(const osip_message_t *msg, struct pint_pl *bodyp)
{
	const osip_body_t *b;

	if (!msg || !bodyp)
		return EINVAL;
	if (osip_list_size(&msg->bodies) == 0)
		return ENOENT;
	if (is_multipart(msg) || osip_list_size(&msg->bodies) != 1)
		return EBADMSG;
	b = osip_list_get(&msg->bodies, 0);
	bodyp->p = b->body ? b->body : empty;
	bodyp->l = b->body ? b->length : 0;
	return 0;
}

/*
 * Part idx of the body as parsed or set by pint_sip_set_multipart(): its
 * Content-Type (a part received without one has "text/plain;
 * charset=us-ascii", RFC 2046 §5.1.1), Content-ID (brackets stripped) when
 * it has one, and its data. ENOENT past the last part.
 */
int pint_sip_part(const osip_message_t *msg, size_t idx,
		  struct pint_sip_part *partp)
{
	const osip_body_t *b;
	int i;

	if (!msg || !partp)
		return EINVAL;
	if (idx >= (size_t)osip_list_size(&msg->bodies))
		return ENOENT;
	b = osip_list_get(&msg->bodies, (int)idx);
	memset(partp, 0, sizeof(*partp));
	partp->data.p = b->body ? b->body : empty;
	partp->data.l = b->body ? b->length : 0;
	for (i = 0; b->headers && i < osip_list_size(b->headers); i++) {
		const osip_header_t *h = osip_list_get(b->headers, i);

		if (name_is(h->hname, "content-type", NULL) && !partp->type.p)
			partp->type = pint_pl_trim(pl_of(h->hvalue));
		else if (name_is(h->hname, "content-id", NULL) && !partp->id.p)
			partp->id = pint_sip_unbracket(pl_of(h->hvalue));
	}
	return 0;
}
