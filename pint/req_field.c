/*
 * pint/req_field.c — the text side of pint/req: character classes, the
 * URI and name-addr grammar we emit and accept back, the line formatter,
 * and osip structures filled field by field (see req_int.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "pint/pl.h"
#include "pint/req_int.h"

static bool c_ok(unsigned char c, const char *set)
{
	if (set == NULL)
		return c == '\t' || (c >= 0x20 && c != 0x7f);
	if (*set == '\0')
		return c == '\t' || (c >= 0x20 && c < 0x7f);
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c != '\0' && strchr(set, c));
}

static bool all_ok(const char *p, size_t n, const char *set)
{
	while (n--) {
		if (!c_ok((unsigned char)*p++, set))
			return false;
	}
	return true;
}

/* NULL or empty → EINVAL, longer than max → EMSGSIZE, bad byte → EINVAL. */
int req_check_set(const char *s, size_t max, const char *set)
{
	size_t n;

	if (!s || !*s)
		return EINVAL;
	n = strnlen(s, max + 1);
	if (n > max)
		return EMSGSIZE;
	return all_ok(s, n, set) ? 0 : EINVAL;
}

int req_check_opt(const char *s, size_t max, const char *set)
{
	return s ? req_check_set(s, max, set) : 0;
}

/* Length of the RFC 3261 token at the start of s. */
size_t req_token_len(const char *s)
{
	size_t n = 0;

	while (s[n] && c_ok((unsigned char)s[n], REQ_TOKEN))
		n++;
	return n;
}

/* True when the ";"-separated parameters in s include name= (any case). */
bool req_has_param(const char *s, const char *name)
{
	size_t n = strlen(name);

	while ((s = strchr(s, ';')) != NULL) {
		s += 1 + strspn(s + 1, " \t");
		if (!strncasecmp(s, name, n) && s[n] == '=')
			return true;
	}
	return false;
}

/*
 * host [":" port] in p[0..n): DNS name, IPv4 or [IPv6]. *hlp gets the
 * length of the host part (brackets included), *portp the port or NULL.
 */
static int hostport_scan(const char *p, size_t n, bool allow_port,
			 size_t *hlp, const char **portp)
{
	const char *e;
	size_t h, i;
	unsigned long port = 0;

	if (p[0] == '[') {
		e = memchr(p, ']', n);
		if (!e || e - p < 2)
			return EINVAL;
		h = (size_t)(e - p) + 1;
		if (strspn(p + 1, "0123456789abcdefABCDEF:.") < h - 2 ||
		    !memchr(p + 1, ':', h - 2))
			return EINVAL;
	} else {
		e = memchr(p, ':', n);
		h = e ? (size_t)(e - p) : n;
		if (!all_ok(p, h, REQ_HOST))
			return EINVAL;
	}
	if (h == 0 || h > PINT_REQ_MAX_HOST)
		return h ? EMSGSIZE : EINVAL;
	*hlp = h;
	*portp = NULL;
	if (h == n)
		return 0;
	if (!allow_port || p[h] != ':' || n - h < 2 || n - h > 6)
		return EINVAL;
	for (i = h + 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return EINVAL;
		port = port * 10 + (unsigned long)(p[i] - '0');
	}
	*portp = p + h + 1;
	return (port >= 1 && port <= 65535) ? 0 : EINVAL;
}

int req_check_host(const char *s, bool allow_port)
{
	const char *port;
	size_t n, h;

	if (!s || !*s)
		return EINVAL;
	n = strnlen(s, PINT_REQ_MAX_HOST + 7);
	if (n > PINT_REQ_MAX_HOST + 6)
		return EMSGSIZE;
	return hostport_scan(s, n, allow_port, &h, &port);
}

/* --- osip structures, filled by hand ---------------------------------- */

char *req_dupn(const char *s, size_t n)
{
	char *d = osip_malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Copy an optional string; ENOMEM only when a copy was needed and failed. */
int req_dup_opt(char **dst, const char *s)
{
	*dst = s ? osip_strdup(s) : NULL;
	return (s && !*dst) ? ENOMEM : 0;
}

/* Append name[=value] (value NULL: none) to a generic parameter list. */
static int param_add(osip_list_t *l, const char *name, size_t nl,
		     const char *value, size_t vl)
{
	osip_generic_param_t *p = NULL;

	if (osip_generic_param_init(&p) != 0)
		return ENOMEM;
	p->gname = req_dupn(name, nl);
	p->gvalue = value ? req_dupn(value, vl) : NULL;
	if (!p->gname || (value && !p->gvalue) || osip_list_add(l, p, -1) < 0) {
		osip_generic_param_free(p);
		return ENOMEM;
	}
	return 0;
}

int req_param_add(osip_list_t *l, const char *name, const char *value)
{
	return param_add(l, name, strlen(name), value,
			 value ? strlen(value) : 0);
}

/*
 * *(";" pname ["=" pvalue]) from p to end, REQ_PCHAR only (nothing osip would
 * escape). Appended to l, or only checked when l is NULL.
 */
static int params_scan(const char *p, const char *end, osip_list_t *l)
{
	const char *name, *ne, *val, *ve;
	int err;

	while (p < end) {
		if (*p++ != ';')
			return EINVAL;
		for (name = p; p < end && *p != ';' && *p != '='; p++)
			;
		ne = p;
		val = ve = NULL;
		if (p < end && *p == '=') {
			for (val = ++p; p < end && *p != ';'; p++)
				;
			ve = p;
			if (ve == val ||
			    !all_ok(val, (size_t)(ve - val), REQ_PCHAR))
				return EINVAL;
		}
		if (ne == name || !all_ok(name, (size_t)(ne - name), REQ_PCHAR))
			return EINVAL;
		/* libosip2 5.3 silently drops these two when it writes a URI */
		if (ne - name == 5 && (!strncasecmp(name, "x-obr", 5) ||
				       !strncasecmp(name, "x-obp", 5)))
			return EINVAL;
		if (l) {
			err = param_add(l, name, (size_t)(ne - name), val,
					val ? (size_t)(ve - val) : 0);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * tel: (RFC 3966, digits only): "+" global number, or a local one with a
 * phone-context parameter; visual separators "-.()"; then parameters.
 */
static int tel_scan(const char *p, const char *end)
{
	const char *q = p + (p < end && *p == '+');
	bool digit = false;

	for (; q < end && *q != ';'; q++) {
		if (*q >= '0' && *q <= '9')
			digit = true;
		else if (!strchr("-.()", *q))
			return EINVAL;
	}
	if (!digit)
		return EINVAL;
	if (*p != '+' &&
	    !(end - q > 15 && !strncasecmp(q, ";phone-context=", 15)))
		return EINVAL;
	return params_scan(q, end, NULL);
}

/*
 * The URI grammar we emit and accept back: sip:/sips: [user "@"] host
 * [":" port] *(";" param), no password, no headers, no escapes; tel:
 * (see tel_scan) kept whole as osip does. Fills u when given, else only
 * checks.
 */
static int uri_scan(const char *s, size_t n, osip_uri_t *u)
{
	const char *end = s + n, *p, *q, *port;
	size_t h;
	int err;

	if (n > PINT_REQ_MAX_URI)
		return EMSGSIZE;
	if (n < 6)      /* libosip2 5.3 rejects shorter Request-URIs */
		return EINVAL;
	p = memchr(s, ':', n);
	if (!p || p + 1 == end || !all_ok(s, n, REQ_URI))
		return EINVAL;
	if (u && !(u->scheme = req_dupn(s, (size_t)(p - s))))
		return ENOMEM;
	if (p - s == 3 && !strncasecmp(s, "tel", 3)) {
		err = tel_scan(p + 1, end);
		if (!err && u &&
		    !(u->string = req_dupn(p + 1, (size_t)(end - p - 1))))
			err = ENOMEM;
		return err;
	}
	if (!(p - s == 3 && !strncasecmp(s, "sip", 3)) &&
	    !(p - s == 4 && !strncasecmp(s, "sips", 4)))
		return EINVAL;
	for (q = ++p; q < end && c_ok((unsigned char)*q, REQ_USER); q++)
		;
	if (q < end && *q == '@') {
		if (q == p)
			return EINVAL;
		if (u && !(u->username = req_dupn(p, (size_t)(q - p))))
			return ENOMEM;
		p = q + 1;
	}
	for (q = p; q < end && *q != ';'; q++)
		;
	if (q == p)
		return EINVAL;
	err = hostport_scan(p, (size_t)(q - p), true, &h, &port);
	if (err)
		return err;
	if (u) {
		/* osip keeps an IPv6 host without brackets */
		u->host = p[0] == '[' ? req_dupn(p + 1, h - 2) : req_dupn(p, h);
		if (!u->host || (port && !(u->port = req_dupn(port,
							  (size_t)(q - port)))))
			return ENOMEM;
	}
	return params_scan(q, end, u ? &u->url_params : NULL);
}

/* A sip:/sips:/tel: URI in the grammar above. */
int pint_req_check_uri(const char *s)
{
	if (!s || !*s)
		return EINVAL;
	return uri_scan(s, strnlen(s, PINT_REQ_MAX_URI + 1), NULL);
}

int req_uri_new(osip_uri_t **up, const char *s)
{
	osip_uri_t *u = NULL;
	int err;

	/* the scan that fills u checks as pint_req_check_uri does */
	if (!s || !*s)
		return EINVAL;
	if (osip_uri_init(&u) != 0)
		return ENOMEM;
	err = uri_scan(s, strnlen(s, PINT_REQ_MAX_URI + 1), u);
	if (err)
		osip_uri_free(u);
	else
		*up = u;
	return err;
}

/* "<" uri ">" *(";" param): a Route value. Fills f when given. */
int req_addr_scan(const char *s, osip_from_t *f)
{
	const char *gt;
	size_t n;
	int err;

	if (!s || s[0] != '<')
		return EINVAL;
	n = strnlen(s, PINT_REQ_MAX_URI + 65);
	if (n > PINT_REQ_MAX_URI + 64)
		return EMSGSIZE;
	gt = memchr(s, '>', n);
	if (!gt || gt == s + 1)
		return EINVAL;
	if (f) {
		if (osip_uri_init(&f->url) != 0)
			return ENOMEM;
		err = uri_scan(s + 1, (size_t)(gt - s - 1), f->url);
	} else {
		err = uri_scan(s + 1, (size_t)(gt - s - 1), NULL);
	}
	if (err)
		return err;
	return params_scan(gt + 1, s + n, f ? &f->gen_params : NULL);
}

/* A token of at most max bytes (tags, branches, methods). */
int pint_req_check_token(const char *s, size_t max)
{
	return req_check_set(s, max, REQ_TOKEN);
}

/* word ["@" word] (RFC 3261 §25.1) without DQUOTE or backslash. */
int pint_req_check_callid(const char *s)
{
	const char *at;
	int err;

	err = req_check_set(s, PINT_REQ_MAX_CALLID, REQ_WORD);
	if (err)
		return err;
	at = strchr(s, '@');
	if (at && (at == s || at[1] == '\0' || strchr(at + 1, '@')))
		return EINVAL;
	return 0;
}

/* --- formatting -------------------------------------------------------- */


void req_line_init(struct req_line *l)
{
	l->buf[0] = '\0';
	l->len = 0;
	l->over = false;
}

/* Append n bytes; over (and nothing more) when they do not fit. */
static void lbytes(struct req_line *l, const char *s, size_t n)
{
	if (l->over || n >= sizeof(l->buf) - l->len) {
		l->over = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

/*
 * Append fmt formatted, as snprintf would. %s, %c, %u and %% (all the
 * formats this file and req.c use) are written here: vsnprintf costs
 * more than the rest of building a URI. Any other goes to vsnprintf.
 */
void req_lput(struct req_line *l, const char *fmt, ...)
{
	char num[16];
	const char *f, *s;
	va_list ap;
	int n;

	if (l->over)
		return;
	for (f = fmt; *f; f++)
		if (*f == '%' && (!f[1] || !strchr("scu%", f[1])))
			break;
	va_start(ap, fmt);
	if (*f) {
		n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
		if (n < 0 || (size_t)n >= sizeof(l->buf) - l->len)
			l->over = true;
		else
			l->len += (size_t)n;
		va_end(ap);
		return;
	}
	for (f = fmt; *f && !l->over; f++) {
		if (*f != '%') {
			for (s = f; f[1] && f[1] != '%'; f++)
				;
			lbytes(l, s, (size_t)(f - s) + 1);
			continue;
		}
		switch (*++f) {
		case 's':
			s = va_arg(ap, const char *);
			lbytes(l, s, strlen(s));
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			lbytes(l, num, 1);
			break;
		case 'u':
			n = snprintf(num, sizeof(num), "%u",
				     va_arg(ap, unsigned));
			lbytes(l, num, (size_t)n);
			break;
		default:
			lbytes(l, "%", 1);
			break;
		}
	}
	va_end(ap);
}

/* A quoted-string with '"' and '\' escaped (RFC 3261 §25.1). */
void req_lquote(struct req_line *l, const char *s)
{
	req_lput(l, "\"");
	for (; *s && !l->over; s++) {
		if (*s == '"' || *s == '\\')
			req_lput(l, "\\%c", *s);
		else
			req_lput(l, "%c", *s);
	}
	req_lput(l, "\"");
}

static void lparams(struct req_line *l, const osip_list_t *params)
{
	int i;

	for (i = 0; i < osip_list_size(params); i++) {
		const osip_generic_param_t *p = osip_list_get(params, i);

		req_lput(l, ";%s", p->gname ? p->gname : "");
		if (p->gvalue)
			req_lput(l, "=%s", p->gvalue);
	}
}

/* Our heap copy of a finished line, checked by check (EINVAL if not). */
static int lsteal(char **dstp, const struct req_line *l,
		  int (*check)(const char *))
{
	struct pint_pl pl;
	int err;

	if (l->over)
		return EMSGSIZE;
	err = check(l->buf);
	if (err)
		return err;
	pl.p = l->buf;
	pl.l = l->len;
	return pint_pl_strdup(dstp, &pl);
}

/* false when u cannot be written in our grammar (no host, headers). */
static bool luri(struct req_line *l, const osip_uri_t *u)
{
	if (!u->scheme || (!u->string && !u->host) ||
	    osip_list_size(&u->url_headers) > 0)
		return false;
	if (u->string) {
		req_lput(l, "%s:%s", u->scheme, u->string);
		return true;
	}
	req_lput(l, "%s:", u->scheme);
	if (u->username)
		req_lput(l, "%s%s%s@", u->username, u->password ? ":" : "",
		     u->password ? u->password : "");
	req_lput(l, strchr(u->host, ':') ? "[%s]" : "%s", u->host);
	if (u->port)
		req_lput(l, ":%s", u->port);
	lparams(l, &u->url_params);
	return true;
}

static int check_addr(const char *s)
{
	return req_addr_scan(s, NULL);
}

/* Parameters of a parsed header: name[=value], tokens or PCHAR. */
static bool params_ok(const osip_list_t *ps)
{
	static const char set[] = REQ_TOKEN REQ_PCHAR;
	int i;

	for (i = 0; i < osip_list_size(ps); i++) {
		const osip_generic_param_t *p = osip_list_get(ps, i);

		if (req_check_set(p->gname, PINT_REQ_MAX_TOKEN, set) ||
		    (p->gvalue && req_check_set(p->gvalue, PINT_REQ_MAX_URI,
						set)))
			return false;
	}
	return true;
}

/* A parsed URI that writes back in our grammar (nothing allocated). */
bool req_uri_ok(const osip_uri_t *u)
{
	struct req_line l;

	req_line_init(&l);
	return u && luri(&l, u) && !l.over && pint_req_check_uri(l.buf) == 0;
}

/* A parsed name-addr we can copy: URI as above, sane display, params. */
bool req_addr_ok(const osip_from_t *f)
{
	return f && req_uri_ok(f->url) && params_ok(&f->gen_params) &&
	       !req_check_opt(f->displayname, PINT_REQ_MAX_DISPLAY + 66,
			      REQ_TEXT);
}

/* A parsed Via we can copy: SIP/2.0/<token> host[:port];params. */
bool req_via_ok(const osip_via_t *v)
{
	struct req_line l;

	if (!v || !v->version || strcmp(v->version, "2.0") || !v->host ||
	    req_check_set(v->protocol, PINT_REQ_MAX_TOKEN, REQ_TOKEN) ||
	    !params_ok(&v->via_params))
		return false;
	req_line_init(&l);
	req_lput(&l, strchr(v->host, ':') ? "[%s]" : "%s", v->host);
	if (v->port)
		req_lput(&l, ":%s", v->port);
	return !l.over && req_check_host(l.buf, true) == 0;
}

/* A parsed Call-ID as pint_req_check_callid wants it. */
bool req_callid_ok(const osip_call_id_t *c)
{
	struct req_line l;

	if (!c || !c->number)
		return false;
	req_line_init(&l);
	req_lput(&l, "%s%s%s", c->number, c->host ? "@" : "",
		 c->host ? c->host : "");
	return !l.over && pint_req_check_callid(l.buf) == 0;
}

/*
 * The text of a parsed URI in the grammar the builders accept, in our
 * heap: EINVAL when it does not fit (password, headers, odd characters),
 * EMSGSIZE, ENOMEM. No osip call allocates here.
 */
int pint_req_uri_str(char **dstp, const osip_uri_t *u)
{
	struct req_line l;

	if (!dstp || !u)
		return EINVAL;
	req_line_init(&l);
	if (!luri(&l, u))
		return EINVAL;
	return lsteal(dstp, &l, pint_req_check_uri);
}

/* "<uri>;params" of a name-addr (a Record-Route), display name dropped. */
int pint_req_addr_str(char **dstp, const osip_from_t *addr)
{
	struct req_line l;

	if (!dstp || !addr || !addr->url)
		return EINVAL;
	req_line_init(&l);
	req_lput(&l, "<");
	if (!luri(&l, addr->url))
		return EINVAL;
	req_lput(&l, ">");
	lparams(&l, &addr->gen_params);
	return lsteal(dstp, &l, check_addr);
}

/* --- message assembly -------------------------------------------------- */

int req_list_put(osip_list_t *l, void *el)
{
	return osip_list_add(l, el, -1) < 0 ? ENOMEM : 0;
}

/* A header kept as text (osip writes name and value as given). */
int req_hdr(osip_message_t *m, const char *name, const char *value)
{
	osip_header_t *h = NULL;

	if (osip_header_init(&h) != 0)
		return ENOMEM;
	h->hname = osip_strdup(name);
	h->hvalue = osip_strdup(value);
	if (!h->hname || !h->hvalue || req_list_put(&m->headers, h)) {
		osip_header_free(h);
		return ENOMEM;
	}
	return 0;
}

/* ["display" ]<uri>[;tag=…][;expires=…] as an osip_from_t. */
int req_addr_new(osip_from_t **fp, const char *display, const char *uri,
		 const char *tag, const char *expires)
{
	osip_from_t *f = NULL;
	struct req_line l;
	int err;

	req_line_init(&l);
	if (display)
		req_lquote(&l, display);
	if (l.over)
		return EMSGSIZE;
	if (osip_from_init(&f) != 0)
		return ENOMEM;
	err = req_dup_opt(&f->displayname, display ? l.buf : NULL);
	if (!err)
		err = req_uri_new(&f->url, uri);
	if (!err && tag)
		err = req_param_add(&f->gen_params, "tag", tag);
	if (!err && expires)
		err = req_param_add(&f->gen_params, "expires", expires);
	if (err)
		osip_from_free(f);
	else
		*fp = f;
	return err;
}

int req_add_route(osip_message_t *m, const char *route)
{
	osip_from_t *f = NULL;
	int err;

	if (osip_from_init(&f) != 0)
		return ENOMEM;
	err = req_addr_scan(route, f);
	if (!err)
		err = req_list_put(&m->routes, f);
	if (err)
		osip_from_free(f);
	return err;
}

int req_set_callid(osip_message_t *m, const char *cid)
{
	const char *at = strchr(cid, '@');

	if (osip_call_id_init(&m->call_id) != 0)
		return ENOMEM;
	m->call_id->number = at ? req_dupn(cid, (size_t)(at - cid))
				: osip_strdup(cid);
	if (!m->call_id->number)
		return ENOMEM;
	return req_dup_opt(&m->call_id->host, at ? at + 1 : NULL);
}

int req_set_cseq(osip_message_t *m, const char *number, const char *method)
{
	if (osip_cseq_init(&m->cseq) != 0)
		return ENOMEM;
	m->cseq->number = osip_strdup(number);
	m->cseq->method = osip_strdup(method);
	return (m->cseq->number && m->cseq->method) ? 0 : ENOMEM;
}

/* --- copies --------------------------------------------------------- */

/* Field-by-field copies (osip's *_clone lose data when memory runs out). */
static int params_copy(osip_list_t *dst, const osip_list_t *src)
{
	int i, err = 0;

	for (i = 0; !err && i < osip_list_size(src); i++) {
		const osip_generic_param_t *p = osip_list_get(src, i);

		if (!p->gname)
			return EINVAL;
		err = req_param_add(dst, p->gname, p->gvalue);
	}
	return err;
}

int req_uri_copy(osip_uri_t **dst, const osip_uri_t *u)
{
	int err;

	if (!u)
		return EINVAL;
	if (osip_uri_init(dst) != 0)
		return ENOMEM;
	err = req_dup_opt(&(*dst)->scheme, u->scheme);
	if (!err)
		err = req_dup_opt(&(*dst)->username, u->username);
	if (!err)
		err = req_dup_opt(&(*dst)->password, u->password);
	if (!err)
		err = req_dup_opt(&(*dst)->host, u->host);
	if (!err)
		err = req_dup_opt(&(*dst)->port, u->port);
	if (!err)
		err = req_dup_opt(&(*dst)->string, u->string);
	if (!err)
		err = params_copy(&(*dst)->url_params, &u->url_params);
	if (!err)
		err = params_copy(&(*dst)->url_headers, &u->url_headers);
	return err;
}

int req_addr_copy(osip_from_t **dst, const osip_from_t *f)
{
	int err;

	if (!f)
		return EINVAL;
	if (osip_from_init(dst) != 0)
		return ENOMEM;
	err = req_dup_opt(&(*dst)->displayname, f->displayname);
	if (!err)
		err = req_uri_copy(&(*dst)->url, f->url);
	if (!err)
		err = params_copy(&(*dst)->gen_params, &f->gen_params);
	return err;
}

int req_via_copy(osip_message_t *m, const osip_via_t *v)
{
	osip_via_t *c = NULL;
	int err;

	if (osip_via_init(&c) != 0)
		return ENOMEM;
	err = req_dup_opt(&c->version, v->version);
	if (!err)
		err = req_dup_opt(&c->protocol, v->protocol);
	if (!err)
		err = req_dup_opt(&c->host, v->host);
	if (!err)
		err = req_dup_opt(&c->port, v->port);
	if (!err)
		err = req_dup_opt(&c->comment, v->comment);
	if (!err)
		err = params_copy(&c->via_params, &v->via_params);
	if (!err)
		err = req_list_put(&m->vias, c);
	if (err)
		osip_via_free(c);
	return err;
}

