/*
 * pint/sipcanon.c — what osip prints back: the checks that it can print
 * a message and read the print again, and header sections already in
 * the form osip prints, which need no such check.
 *
 * osip reads some headers in forms it then prints in a way it refuses
 * ("sip:n\t;", an empty port, a one-letter host…), so pint_sip_parse has
 * osip print what it read and read it again. Most messages are written
 * the way osip prints them: every field osip parses into a structure is
 * then a fixed point of parse + print, the second parse would read what
 * the first one did, and cannot fail. This recognises that form, field by
 * field and strictly; anything else still takes the print and the second
 * parse. tests/pint/test_sipcanon.c checks the fixed points against the
 * osip we link, fuzz_sip the whole round trip.
 */
#include <string.h>
#include <strings.h>

#include "pint/sip_priv.h"

struct cur {
	const char *p;
	const char *e;
};

static bool alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* URI user and parameters: osip unescapes '%' and escapes what is not
 * unreserved; these are neither */
static bool uri_ch(int c)
{
	return alnum(c) || c == '-' || c == '_' || c == '.' || c == '!' ||
	       c == '~' || c == '*' || c == '\'' || c == '+';
}

static bool host_ch(int c)
{
	return alnum(c) || c == '-' || c == '.';
}

static bool v6_ch(int c)
{
	return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == ':' || c == '.';
}

/* RFC 3261 token without '%' */
static bool tok_ch(int c)
{
	return alnum(c) || c == '-' || c == '.' || c == '!' || c == '*' ||
	       c == '_' || c == '+' || c == '`' || c == '\'' || c == '~';
}

/* header parameter values: tokens, and addresses (received=::1) */
static bool gval_ch(int c)
{
	return tok_ch(c) || c == ':' || c == '[' || c == ']';
}

/* quoted-string contents without escapes, quotes, commas or semicolons */
static bool qd_ch(int c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != ',' &&
	       c != ';';
}

/* Skip at least one character of the class; false when there is none. */
static bool run(struct cur *c, bool (*ok)(int))
{
	const char *s = c->p;

	while (c->p < c->e && ok((unsigned char)*c->p))
		c->p++;
	return c->p > s;
}

static bool eat(struct cur *c, char ch)
{
	if (c->p < c->e && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static bool eat_str(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->e - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* host [":" port]: a name, an IPv4 address or a bracketed IPv6 one */
static bool hostport(struct cur *c)
{
	const char *s;

	if (eat(c, '[')) {
		s = c->p;
		if (!run(c, v6_ch) || !memchr(s, ':', (size_t)(c->p - s)) ||
		    !eat(c, ']'))
			return false;
	} else if (!run(c, host_ch)) {
		return false;
	}
	if (eat(c, ':')) {
		s = c->p;
		if (!run(c, digit) || c->p - s > 5)
			return false;
	}
	return true;
}

/*
 * sip[s]:[user@]hostport *(;name[=value]) filling c. osip leaves out
 * x-obr and x-obp when it prints.
 */
static bool uri(struct cur c)
{
	struct cur u;
	const char *s;

	if (!eat_str(&c, "sip:") && !eat_str(&c, "sips:"))
		return false;
	u = c;
	if (run(&u, uri_ch) && eat(&u, '@'))
		c = u;
	if (!hostport(&c))
		return false;
	while (c.p < c.e) {
		if (!eat(&c, ';'))
			return false;
		s = c.p;
		if (!run(&c, uri_ch))
			return false;
		if (c.p - s == 5 && (strncasecmp(s, "x-obr", 5) == 0 ||
				     strncasecmp(s, "x-obp", 5) == 0))
			return false;
		if (eat(&c, '=') && !run(&c, uri_ch))
			return false;
	}
	return true;
}

/* *(;name[=value]) up to the end */
static bool gen_params(struct cur c)
{
	while (c.p < c.e) {
		if (!eat(&c, ';') || !run(&c, tok_ch))
			return false;
		if (eat(&c, '=') && !run(&c, gval_ch))
			return false;
	}
	return true;
}

/* ["quoted" SP | token *(SP token) SP] <uri> *(;name[=value]) */
static bool name_addr(struct cur c)
{
	const char *gt;
	struct cur u;

	if (eat(&c, '"')) {
		while (c.p < c.e && qd_ch((unsigned char)*c.p))
			c.p++;
		if (!eat(&c, '"') || !eat(&c, ' '))
			return false;
	} else if (c.p < c.e && *c.p != '<') {
		/* osip keeps the words and puts one space before '<' */
		do {
			if (!run(&c, tok_ch) || !eat(&c, ' '))
				return false;
		} while (c.p < c.e && *c.p != '<');
	}
	if (!eat(&c, '<'))
		return false;
	gt = memchr(c.p, '>', (size_t)(c.e - c.p));
	if (!gt)
		return false;
	u.p = c.p;
	u.e = gt;
	if (!uri(u))
		return false;
	c.p = gt + 1;
	return gen_params(c);
}

/* SIP/2.0/PROTO SP hostport *(;name[=value]) */
static bool via(struct cur c)
{
	return eat_str(&c, "SIP/2.0/") && run(&c, alpha) && eat(&c, ' ') &&
	       hostport(&c) && gen_params(c);
}

/* visible ASCII, not starting with '@' (osip splits at the first '@') */
static bool call_id(struct cur c)
{
	if (c.p == c.e || *c.p == '@')
		return false;
	for (; c.p < c.e; c.p++)
		if (*c.p <= 0x20 || *c.p >= 0x7f)
			return false;
	return true;
}

static bool cseq(struct cur c)
{
	return run(&c, digit) && eat(&c, ' ') && run(&c, tok_ch) &&
	       c.p == c.e;
}

/*
 * type/subtype *(;[SP]name=value): osip prints "; name=value" and drops
 * the space again when it reads it (as it does a missing one).
 */
static bool content_type(struct cur c)
{
	if (!run(&c, tok_ch) || !eat(&c, '/') || !run(&c, tok_ch))
		return false;
	while (c.p < c.e) {
		if (!eat(&c, ';'))
			return false;
		(void)eat(&c, ' ');
		if (!run(&c, tok_ch) || !eat(&c, '='))
			return false;
		if (eat(&c, '"')) {
			while (c.p < c.e && qd_ch((unsigned char)*c.p))
				c.p++;
			if (!eat(&c, '"'))
				return false;
		} else if (!run(&c, tok_ch)) {
			return false;
		}
	}
	return true;
}

enum kind {
	K_TEXT,         /* osip keeps it as text: a second parse cannot fail */
	K_NAME_ADDR,
	K_VIA,
	K_CALL_ID,
	K_CSEQ,
	K_CTYPE,
	K_OTHER,        /* parsed into a structure not recognised here */
};

/*
 * What osip does with each header it parses into a structure (libosip2's
 * parser_init() list). Content-Length never reaches osip, and Warning is
 * added back as text.
 */
#define KIND(name, kind) {name, sizeof(name) - 1, kind}
static const struct {
	const char *name;
	size_t len;
	enum kind kind;
} kinds[] = {
	KIND("via", K_VIA), KIND("from", K_NAME_ADDR), KIND("to", K_NAME_ADDR),
	KIND("contact", K_NAME_ADDR), KIND("route", K_NAME_ADDR),
	KIND("record-route", K_NAME_ADDR), KIND("call-id", K_CALL_ID),
	KIND("cseq", K_CSEQ), KIND("content-type", K_CTYPE),
	KIND("content-length", K_TEXT), KIND("accept", K_OTHER),
	KIND("accept-encoding", K_OTHER), KIND("accept-language", K_OTHER),
	KIND("alert-info", K_OTHER), KIND("allow", K_OTHER),
	KIND("authentication-info", K_OTHER), KIND("authorization", K_OTHER),
	KIND("call-info", K_OTHER), KIND("content-encoding", K_OTHER),
	KIND("error-info", K_OTHER), KIND("mime-version", K_OTHER),
	KIND("proxy-authenticate", K_OTHER),
	KIND("proxy-authentication-info", K_OTHER),
	KIND("proxy-authorization", K_OTHER),
	KIND("www-authenticate", K_OTHER),
};
#undef KIND

static enum kind kind_of(const struct pint_sip_hfield *f)
{
	const char *full = f->name.l == 1 ? pint_sip_full_name(&f->name) : NULL;
	struct pint_pl name = full ? pint_pl_str(full) : f->name;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].len == name.l &&
		    strncasecmp(kinds[i].name, name.p, name.l) == 0)
			return kinds[i].kind;
	return K_TEXT;
}

static bool field_ok(const struct pint_sip_hfield *f)
{
	struct cur c = {f->value.p, f->value.p + f->value.l};

	switch (kind_of(f)) {
	case K_TEXT:
		return true;
	case K_NAME_ADDR:
		return name_addr(c);
	case K_VIA:
		return via(c);
	case K_CALL_ID:
		return call_id(c);
	case K_CSEQ:
		return cseq(c);
	case K_CTYPE:
		return content_type(c);
	case K_OTHER:
		break;
	}
	return false;
}

/*
 * Whether osip prints back what it reads from the head h (scanned and
 * checked: a valid start line, no faults): the Request-URI and every
 * field osip parses into a structure are in osip's own printed form, on
 * one line, without commas osip would split at. Then printing the parsed
 * message and parsing it again cannot fail, and pint_sip_parse skips it.
 */
bool pint_sip_head_canonical(const struct pint_sip_head *h)
{
	struct cur c = {h->start.p, h->start.p + h->start.l};
	unsigned i;

	if (h->start.l < 4 || strncmp(h->start.p, "SIP/", 4) != 0) {
		/* Method SP Request-URI SP version: the URI alone */
		const char *sp = memchr(c.p, ' ', h->start.l);

		if (!sp)
			return false;
		c.p = sp + 1;
		sp = memchr(c.p, ' ', (size_t)(c.e - c.p));
		if (!sp)
			return false;
		c.e = sp;
		if (!uri(c))
			return false;
	}
	if (h->n > PINT_SIP_MAX_HEADERS)
		return false;
	for (i = 0; i < h->n; i++)
		if (!field_ok(&h->f[i]))
			return false;
	return true;
}

/* ---- printing and reading back ---------------------------------------- */

static int printed(int rc, char **sp)
{
	osip_free(*sp);
	*sp = NULL;
	return rc;
}

/*
 * osip_message_to_str() ignores a failure to print From, To, Call-ID,
 * CSeq, Content-Type or MIME-Version and leaves a bare "Content-Type: "
 * behind (e.g. a parameter without value): print them first. 0 or
 * osip's error.
 */
int pint_sip_printable(const osip_message_t *m)
{
	char *s = NULL;
	int rc = 0;

	if (m->from)
		rc = printed(osip_from_to_str(m->from, &s), &s);
	if (!rc && m->to)
		rc = printed(osip_to_to_str(m->to, &s), &s);
	if (!rc && m->call_id)
		rc = printed(osip_call_id_to_str(m->call_id, &s), &s);
	if (!rc && m->cseq)
		rc = printed(osip_cseq_to_str(m->cseq, &s), &s);
	if (!rc && m->content_type)
		rc = printed(osip_content_type_to_str(m->content_type, &s), &s);
	if (!rc && m->mime_version)
		rc = printed(osip_content_length_to_str(m->mime_version, &s),
			     &s);
	return rc;
}

/*
 * osip accepts some headers it prints in a form it then refuses ("sip:n\t;"
 * becomes "<sip:n>", an empty port, a one-letter host…), or reads back as
 * something else (a Via "comment" in parentheses is printed after the
 * host and read again as part of it): print the header section (bodies
 * set aside, they are ours), have osip read it again, and print that
 * once more: the two prints must be the same, so that what is printed
 * is read back as itself. 0 with the message read again in *againp (the
 * caller checks it as it did m, then frees it), or osip's error.
 */
int pint_sip_reparses(osip_message_t *m, osip_message_t **againp)
{
	osip_list_t bodies = m->bodies;
	osip_message_t *c = NULL;
	char *s = NULL, *s2 = NULL;
	size_t n = 0, n2 = 0;
	int rc;

	*againp = NULL;
	osip_list_init(&m->bodies);
	osip_message_force_update(m);
	rc = osip_message_to_str(m, &s, &n);
	m->bodies = bodies;
	osip_message_force_update(m);
	if (!rc)
		rc = osip_message_init(&c);
	if (!rc)
		rc = osip_message_parse(c, s, n);
	if (!rc)
		rc = osip_message_to_str(c, &s2, &n2);
	if (!rc && (n2 != n || memcmp(s, s2, n) != 0))
		rc = OSIP_SYNTAXERROR;
	if (!rc)
		*againp = c;
	else
		osip_message_free(c);
	osip_free(s);
	osip_free(s2);
	return rc;
}

static bool uri_prints(const osip_uri_t *u)
{
	return u && (u->host || u->string) && (u->scheme || !u->string);
}

/*
 * What pint_sip_printable() finds out, without printing: the parts whose
 * absence makes those printers fail are all there. They can fail
 * otherwise only for memory, which the allocation count reports.
 */
bool pint_sip_prints(const osip_message_t *m)
{
	const osip_content_type_t *ct = m->content_type;
	int i;

	if ((m->from && !uri_prints(m->from->url)) ||
	    (m->to && !uri_prints(m->to->url)) ||
	    (m->call_id && !m->call_id->number) ||
	    (m->cseq && (!m->cseq->number || !m->cseq->method)) ||
	    (m->mime_version && !m->mime_version->value))
		return false;
	if (!ct)
		return true;
	if (!ct->type || !ct->subtype)
		return false;
	for (i = 0; i < osip_list_size(&ct->gen_params); i++) {
		const osip_generic_param_t *gp =
			osip_list_get(&ct->gen_params, i);

		if (!gp->gvalue)
			return false;
	}
	return true;
}
