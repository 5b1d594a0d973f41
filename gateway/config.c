/*
 * gateway/config.c — reading pintgw.conf: the file, its lines, its
 * sections and the checks that need a whole section or the whole file.
 *
 * inih splits "key = value" lines. It gets them through a reader that
 * first counts lines (inih's handler does not know its line number),
 * drops comments and leading blanks (so no line is ever taken as a
 * continuation, whatever inih was built with), refuses control characters
 * and over-long lines, and handles [section] headers itself (so an empty
 * section is still seen and checked).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/config_int.h"
#include "pint/mbuf.h"

static const char *const sect_names[] = {
	[GW_SECT_MAIN] = "pintgw", [GW_SECT_HTTP] = "http",
	[GW_SECT_SIP] = "sip", [GW_SECT_STORE] = "store",
	[GW_SECT_WEBHOOKS] = "webhooks", [GW_SECT_FETCH] = "fetch",
	[GW_SECT_POLICY] = "policy", [GW_SECT_CLICK] = "click",
	[GW_SECT_GATEWAY] = "gateway", [GW_SECT_SERVICE] = "service",
	[GW_SECT_KEY] = "key",
};

/* ---- errors ------------------------------------------------------------ */

/* Record "NAME:LINE: message" (line 0: "NAME: message"). */
void gw_conf_error(struct gw_conf_parse *ps, unsigned line,
		   const char *fmt, ...)
{
	struct gw_conf_errs *e = ps->errs;
	va_list ap;
	char *m;
	int n;

	e->total++;
	if (e->n >= GW_CONF_MAX_ERRORS)
		return;
	e->line[e->n] = line;
	m = e->msg[e->n++];
	if (line)
		n = snprintf(m, GW_CONF_ERR_SIZE, "%s:%u: ", ps->name, line);
	else
		n = snprintf(m, GW_CONF_ERR_SIZE, "%s: ", ps->name);
	if (n < 0 || (size_t)n >= GW_CONF_ERR_SIZE)
		return;
	va_start(ap, fmt);
	vsnprintf(m + n, GW_CONF_ERR_SIZE - (size_t)n, fmt, ap);
	va_end(ap);
}

/* "KEY: expected EXPECTED, got 'VALUE'" on the current line; EINVAL. */
int gw_conf_bad(struct gw_conf_parse *ps, const char *key, const char *val,
		const char *expected)
{
	char shown[GW_CONF_ERR_SIZE / 2];

	gw_conf_show(val, shown, sizeof(shown));
	gw_conf_error(ps, ps->line, "%s: expected %s, got '%s'", key, expected,
		      shown);
	return EINVAL;
}

/* ---- sections ---------------------------------------------------------- */

static void *sect_obj(struct gw_conf_parse *ps)
{
	struct gw_conf *c = ps->conf;

	switch (ps->sect) {
	case GW_SECT_MAIN:
		return &c->main;
	case GW_SECT_HTTP:
		return &c->http;
	case GW_SECT_SIP:
		return &c->sip;
	case GW_SECT_STORE:
		return &c->store;
	case GW_SECT_WEBHOOKS:
		return &c->webhooks;
	case GW_SECT_FETCH:
		return &c->fetch;
	case GW_SECT_POLICY:
		return &c->policy;
	case GW_SECT_CLICK:
		return &c->click;
	case GW_SECT_GATEWAY:
		return &c->gateways[ps->idx];
	case GW_SECT_SERVICE:
		return &c->services[ps->idx];
	case GW_SECT_KEY:
		return &c->keys[ps->idx];
	default:
		return NULL;
	}
}

/* NAME of the current [gateway|service|key NAME] section. */
static const char *obj_name(struct gw_conf_parse *ps)
{
	struct gw_conf *c = ps->conf;

	switch (ps->sect) {
	case GW_SECT_GATEWAY:
		return c->gateways[ps->idx].name;
	case GW_SECT_SERVICE:
		return c->services[ps->idx].name;
	case GW_SECT_KEY:
		return c->keys[ps->idx].name;
	default:
		return NULL;
	}
}

/* The line a key of the current section was set on (well or not), or 0. */
static unsigned seen_line(const struct gw_conf_parse *ps, const char *name)
{
	const struct gw_conf_keydef *kd;
	size_t i, n;

	kd = gw_conf_keydefs(ps->sect, &n);
	for (i = 0; kd && i < n; i++) {
		if (strcmp(kd[i].name, name) == 0)
			return ps->seen[i];
	}
	return 0;
}

static unsigned key_line(const struct gw_conf_parse *ps, const char *name)
{
	unsigned line = seen_line(ps, name);

	return line ? line : ps->sect_line;
}

/* "a (N) must not be above b (M)" when a > b. */
static void check_order(struct gw_conf_parse *ps, const char *a, uint32_t av,
			const char *b, uint32_t bv)
{
	if (av > bv)
		gw_conf_error(ps, key_line(ps, a),
			      "%s (%u) must not be above %s (%u)", a,
			      (unsigned)av, b, (unsigned)bv);
}

static void finish_gateway(struct gw_conf_parse *ps, struct gw_conf_gateway *gw)
{
	/* lines, not values: a bad username is reported once, not twice */
	if (!seen_line(ps, "username") != !seen_line(ps, "password"))
		gw_conf_error(ps, ps->sect_line,
			      "[gateway %s] username and password go together",
			      gw->name);
	check_order(ps, "rest_default", gw->rest_default, "rest_max",
		    gw->rest_max);
	if (!gw->domain && gw->peer.host) {
		size_t len = strlen(gw->peer.host) + 3;

		gw->domain = malloc(len);
		if (!gw->domain) {
			ps->err = ENOMEM;
			return;
		}
		snprintf(gw->domain, len, gw->peer.ipv6 ? "[%s]" : "%s",
			 gw->peer.host);
	}
}

/* Checks that need the whole section; defaults that depend on others. */
static void finish_section(struct gw_conf_parse *ps)
{
	const struct gw_conf_keydef *kd;
	struct gw_conf *c = ps->conf;
	size_t i, n;

	kd = gw_conf_keydefs(ps->sect, &n);
	for (i = 0; kd && i < n; i++) {
		if ((kd[i].flags & GW_KD_REQUIRED) && !ps->seen[i])
			gw_conf_error(ps, ps->sect_line,
				      "[%s %s] missing required key '%s'",
				      sect_names[ps->sect], obj_name(ps),
				      kd[i].name);
	}
	switch (ps->sect) {
	case GW_SECT_HTTP:
		check_order(ps, "per_ip_connections",
			    c->http.per_ip_connections, "max_connections",
			    c->http.max_connections);
		break;
	case GW_SECT_SIP:
		check_order(ps, "t1", c->sip.t1, "t2", c->sip.t2);
		check_order(ps, "ring_timeout", c->sip.ring_timeout,
			    "ring_timeout_max", c->sip.ring_timeout_max);
		break;
	case GW_SECT_WEBHOOKS:
		check_order(ps, "base_delay", c->webhooks.base_delay,
			    "max_delay", c->webhooks.max_delay);
		break;
	case GW_SECT_GATEWAY:
		finish_gateway(ps, &c->gateways[ps->idx]);
		break;
	case GW_SECT_SERVICE:
		if (!c->services[ps->idx].uri_user &&
		    gw_conf_strdup(&c->services[ps->idx].uri_user,
				   c->services[ps->idx].name))
			ps->err = ENOMEM;
		break;
	default:
		break;
	}
	ps->sect = GW_SECT_SKIP;
}

/* Append a zeroed element to *arrp (of *np elements of size sz). */
static int grow(void **arrp, size_t *np, size_t sz)
{
	char *p = realloc(*arrp, (*np + 1) * sz);

	if (!p)
		return ENOMEM;
	memset(p + *np * sz, 0, sz);
	*arrp = p;
	(*np)++;
	return 0;
}

/* Check NAME of a [gateway|service|key NAME] header and add its object. */
static int open_named(struct gw_conf_parse *ps, enum gw_conf_sect kind,
		      const char *name)
{
	static const size_t max[] = {
		[GW_SECT_GATEWAY] = GW_CONF_MAX_GATEWAYS,
		[GW_SECT_SERVICE] = GW_CONF_MAX_SERVICES,
		[GW_SECT_KEY] = GW_CONF_MAX_KEYS,
	};
	const char *kname = sect_names[kind];
	struct gw_conf *c = ps->conf;
	size_t i, n = 0;
	char shown[GW_CONF_ERR_SIZE / 2];
	int err;

	gw_conf_show(name, shown, sizeof(shown));
	if (!*name) {
		gw_conf_error(ps, ps->line, "section [%s] needs a name: [%s NAME]",
			      kname, kname);
		return EINVAL;
	}
	if (!gw_conf_valid_name(name)) {
		gw_conf_error(ps, ps->line,
			      "bad %s name '%s' (expected 1 to %u letters, digits, '-', '_' or '.')",
			      kname, shown, GW_CONF_MAX_NAME);
		return EINVAL;
	}
	if (kind == GW_SECT_SERVICE && (strcmp(name, "call") == 0 ||
					strcmp(name, "fax") == 0 ||
					strcmp(name, "content") == 0)) {
		gw_conf_error(ps, ps->line,
			      "service '%s' is built in and cannot be redefined",
			      name);
		return EINVAL;
	}
	for (i = 0; ; i++) {
		const char *other;
		unsigned line;

		if (kind == GW_SECT_GATEWAY && i < c->ngateways) {
			other = c->gateways[i].name;
			line = c->gateways[i].line;
		} else if (kind == GW_SECT_SERVICE && i < c->nservices) {
			other = c->services[i].name;
			line = c->services[i].line;
		} else if (kind == GW_SECT_KEY && i < c->nkeys) {
			other = c->keys[i].name;
			line = c->keys[i].line;
		} else {
			n = i;
			break;
		}
		if (strcmp(other, name) == 0) {
			gw_conf_error(ps, ps->line,
				      "duplicate %s '%s' (first at line %u)",
				      kname, name, line);
			return EINVAL;
		}
	}
	if (n >= max[kind]) {
		gw_conf_error(ps, ps->line, "more than %zu [%s] sections",
			      max[kind], kname);
		return EINVAL;
	}

	/* the element first: gw_conf_free() copes with a NULL name */
	if (kind == GW_SECT_GATEWAY) {
		err = grow((void **)&c->gateways, &c->ngateways,
			   sizeof(*c->gateways));
		if (!err) {
			gw_conf_gateway_init(&c->gateways[n]);
			c->gateways[n].line = ps->line;
			err = gw_conf_strdup(&c->gateways[n].name, name);
		}
	} else if (kind == GW_SECT_SERVICE) {
		err = grow((void **)&c->services, &c->nservices,
			   sizeof(*c->services));
		if (!err) {
			c->services[n].line = ps->line;
			err = gw_conf_strdup(&c->services[n].name, name);
		}
	} else {
		err = grow((void **)&c->keys, &c->nkeys, sizeof(*c->keys));
		if (!err) {
			gw_conf_key_init(&c->keys[n]);
			c->keys[n].line = ps->line;
			err = gw_conf_strdup(&c->keys[n].name, name);
		}
	}
	if (err) {
		ps->err = err;
		return err;
	}
	ps->idx = n;
	return 0;
}

/* A "[...]" line of len bytes (comments and blanks around it gone). */
static void start_section(struct gw_conf_parse *ps, const char *p, size_t len)
{
	char kind[16], name[GW_CONF_MAX_STR + 1], shown[GW_CONF_ERR_SIZE / 2];
	size_t klen, nlen;
	enum gw_conf_sect s;

	if (!ps->err && ps->sect != GW_SECT_NONE)
		finish_section(ps);
	ps->sect = GW_SECT_SKIP;
	ps->sect_line = ps->line;
	memset(ps->seen, 0, sizeof(ps->seen));
	memset(ps->spell_line, 0, sizeof(ps->spell_line));

	if (len < 2 || p[len - 1] != ']') {
		gw_conf_error(ps, ps->line, memchr(p, ']', len) ?
			      "unexpected text after the section header" :
			      "expected ']' at the end of the section header");
		return;
	}
	p++;
	len -= 2;
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	klen = 0;
	while (klen < len && p[klen] != ' ' && p[klen] != '\t')
		klen++;
	nlen = klen;
	while (nlen < len && (p[nlen] == ' ' || p[nlen] == '\t'))
		nlen++;
	if (len - nlen > GW_CONF_MAX_STR)
		nlen = len - GW_CONF_MAX_STR;
	memcpy(name, p + nlen, len - nlen);
	name[len - nlen] = '\0';

	for (s = GW_SECT_MAIN; s <= GW_SECT_KEY; s++) {
		if (strlen(sect_names[s]) == klen &&
		    memcmp(p, sect_names[s], klen) == 0)
			break;
	}
	if (s > GW_SECT_KEY) {
		snprintf(kind, sizeof(kind), "%.*s",
			 (int)(klen < sizeof(kind) ? klen : sizeof(kind) - 1),
			 p);
		gw_conf_show(kind, shown, sizeof(shown));
		gw_conf_error(ps, ps->line,
			      "unknown section [%s] (expected pintgw, http, sip, store, webhooks, fetch, policy, click, gateway NAME, service NAME or key NAME)",
			      shown);
		return;
	}
	if (s >= GW_SECT_GATEWAY) {
		if (open_named(ps, s, name) == 0)
			ps->sect = s;
		return;
	}
	if (*name) {
		gw_conf_error(ps, ps->line, "section [%s] takes no name",
			      sect_names[s]);
		return;
	}
	if (ps->once_line[s]) {
		gw_conf_error(ps, ps->line,
			      "duplicate section [%s] (first at line %u)",
			      sect_names[s], ps->once_line[s]);
		return;
	}
	ps->once_line[s] = ps->line;
	ps->sect = s;
}

/* inih's callback, once per "key = value" line. Always goes on. */
static int on_key(void *user, const char *section, const char *key,
		  const char *val)
{
	struct gw_conf_parse *ps = user;
	const struct gw_conf_keydef *kd;
	char shown[GW_CONF_ERR_SIZE / 2];
	size_t i, n;
	void *obj;
	int err;

	(void)section;          /* ours is in ps: we read the headers */
	if (ps->err || ps->sect == GW_SECT_SKIP)
		return 1;
	gw_conf_show(key, shown, sizeof(shown));
	if (ps->sect == GW_SECT_NONE) {
		gw_conf_error(ps, ps->line,
			      "key '%s' outside any section (start with [pintgw])",
			      shown);
		return 1;
	}
	obj = sect_obj(ps);
	if (ps->sect == GW_SECT_GATEWAY && strncmp(key, "subtype.", 8) == 0) {
		err = gw_conf_spelling(ps, obj, key, val);
		if (err == ENOMEM)
			ps->err = err;
		return 1;
	}
	kd = gw_conf_keydefs(ps->sect, &n);
	for (i = 0; i < n && strcmp(kd[i].name, key) != 0; i++)
		;
	if (i == n) {
		if (obj_name(ps))
			gw_conf_error(ps, ps->line, "unknown key '%s' in [%s %s]",
				      shown, sect_names[ps->sect], obj_name(ps));
		else
			gw_conf_error(ps, ps->line, "unknown key '%s' in [%s]",
				      shown, sect_names[ps->sect]);
		return 1;
	}
	if (ps->seen[i] && !(kd[i].flags & GW_KD_REPEAT)) {
		gw_conf_error(ps, ps->line,
			      "duplicate key '%s' (first set at line %u)", key,
			      ps->seen[i]);
		return 1;
	}
	/* seen even when the value is bad: no "missing key" on top */
	if (!ps->seen[i])
		ps->seen[i] = ps->line;
	err = gw_conf_set(ps, obj, &kd[i], val);
	if (err == ENOMEM)
		ps->err = err;
	return 1;
}

/* ---- lines ------------------------------------------------------------- */

struct reader {
	const char *p, *end;
	struct gw_conf_parse *ps;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * inih's fgets: hands over the next line, cleaned (see the top of this
 * file), or "" for a line that is blank, a comment, a section header or
 * in error. NULL at the end, or once memory ran out.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct reader *rd = stream;
	struct gw_conf_parse *ps = rd->ps;
	const char *p = rd->p, *end, *q, *eq;

	if (p >= rd->end || ps->err || num < 3)
		return NULL;
	end = memchr(p, '\n', (size_t)(rd->end - p));
	rd->p = end ? end + 1 : rd->end;
	if (!end)
		end = rd->end;
	ps->line++;
	str[0] = '\0';

	if (ps->line == 1 && end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;                 /* UTF-8 byte order mark */
	if (end > p && end[-1] == '\r')
		end--;
	for (q = p; q < end; q++) {
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f) {
			gw_conf_error(ps, ps->line,
				      "control character 0x%02x in line",
				      (unsigned char)*q);
			return str;
		}
	}
	while (p < end && blank(*p))
		p++;
	if (p == end || *p == ';' || *p == '#')
		return str;
	for (q = p + 1; q < end; q++) {
		if ((*q == ';' || *q == '#') && blank(q[-1])) {
			end = q;
			break;
		}
	}
	while (end > p && blank(end[-1]))
		end--;

	if (*p == '[') {
		start_section(ps, p, (size_t)(end - p));
		return str;
	}
	eq = memchr(p, '=', (size_t)(end - p));
	q = memchr(p, ':', (size_t)(end - p));
	if (!eq || (q && q < eq)) {
		gw_conf_error(ps, ps->line,
			      "expected 'key = value' or a [section] header");
		return str;
	}
	if (eq == p) {
		gw_conf_error(ps, ps->line, "expected a key before '='");
		return str;
	}
	if (end - p > num - 2) {
		gw_conf_error(ps, ps->line,
			      "line too long (at most %d characters without comments)",
			      num - 2);
		return str;
	}
	memcpy(str, p, (size_t)(end - p));
	str[end - p] = '\n';
	str[end - p + 1] = '\0';
	return str;
}

/* ---- the whole file ---------------------------------------------------- */

/* Stable sort by line: section checks run when the next header is read. */
static void sort_errors(struct gw_conf_errs *e)
{
	char msg[GW_CONF_ERR_SIZE];
	size_t i, j;
	unsigned line;

	for (i = 1; i < e->n; i++) {
		line = e->line[i];
		for (j = i; j > 0 && e->line[j - 1] > line; j--)
			;
		if (j == i)
			continue;
		memcpy(msg, e->msg[i], sizeof(msg));
		memmove(e->msg[j + 1], e->msg[j], (i - j) * sizeof(msg));
		memmove(&e->line[j + 1], &e->line[j],
			(i - j) * sizeof(e->line[0]));
		memcpy(e->msg[j], msg, sizeof(msg));
		e->line[j] = line;
	}
}

static bool wildcard(const struct gw_conf_addr *a)
{
	unsigned char bin[16] = {0}, zero[16] = {0};

	if (inet_pton(a->ipv6 ? AF_INET6 : AF_INET, a->host, bin) != 1)
		return false;
	return memcmp(bin, zero, a->ipv6 ? 16 : 4) == 0;
}

/* Rules across sections, once every line is read. */
static void finish_file(struct gw_conf_parse *ps)
{
	struct gw_conf *c = ps->conf;
	struct gw_conf_sip *s = &c->sip;
	size_t i, j;

	if (!s->contact_host && !ps->contact_seen && s->nlisten) {
		if (wildcard(&s->listen[0])) {
			gw_conf_error(ps, ps->listen_line,
				      "[sip] contact_host is required when the first listen address (%s) is a wildcard",
				      s->listen[0].host);
		} else if (gw_conf_strdup(&s->contact_host,
					  s->listen[0].host)) {
			ps->err = ENOMEM;
			return;
		}
		s->contact_ipv6 = s->listen[0].ipv6;
	}
	for (i = 0; i < c->nkeys; i++) {
		gw_conf_check_from(ps, &c->keys[i]);
		for (j = 0; j < i; j++) {
			if (memcmp(c->keys[i].hash, c->keys[j].hash,
				   GW_CONF_HASH_LEN) == 0) {
				gw_conf_error(ps, c->keys[i].line,
					      "[key %s] has the same hash as [key %s] (line %u)",
					      c->keys[i].name, c->keys[j].name,
					      c->keys[j].line);
				break;
			}
		}
	}
}

/*
 * Parse len bytes of configuration text (need not be NUL-terminated);
 * name stands for the file in messages. 0 with *confp set; EINVAL with
 * the reasons in errs (may be NULL) and *confp untouched; ENOMEM.
 */
int gw_conf_parse_string(struct gw_conf **confp, const char *text, size_t len,
			 const char *name, struct gw_conf_errs *errs)
{
	struct gw_conf_errs local;
	struct gw_conf_parse ps;
	struct reader rd;
	int ret, err;

	if (!errs)
		errs = &local;
	errs->n = 0;
	errs->total = 0;
	if (!confp || (!text && len))
		return EINVAL;

	memset(&ps, 0, sizeof(ps));
	ps.errs = errs;
	ps.name = name ? name : "pintgw.conf";
	ps.conf = calloc(1, sizeof(*ps.conf));
	if (!ps.conf)
		return ENOMEM;
	err = gw_conf_defaults(ps.conf);
	if (err)
		goto out;

	rd.p = text;
	rd.end = text + len;
	rd.ps = &ps;
	ret = ini_parse_stream(read_line, &rd, on_key, &ps);
	if (!ps.err && ps.sect != GW_SECT_NONE)
		finish_section(&ps);
	if (!ps.err)
		finish_file(&ps);
	err = ps.err;
	if (err)
		goto out;
	if (ret != 0 && errs->total == 0)     /* inih saw what we did not */
		gw_conf_error(&ps, ret > 0 ? (unsigned)ret : 0,
			      "cannot parse this line");
	if (errs->total)
		err = EINVAL;
	sort_errors(errs);
out:
	if (err) {
		gw_conf_free(ps.conf);
		return err;
	}
	*confp = ps.conf;
	return 0;
}

/*
 * Read and parse the file at path (at most GW_CONF_MAX_FILE bytes). As
 * gw_conf_parse_string(), plus the errno of open/read (one message in
 * errs) and EMSGSIZE for a file that is too large.
 */
int gw_conf_load(struct gw_conf **confp, const char *path,
		 struct gw_conf_errs *errs)
{
	struct gw_conf_parse ps;
	struct gw_conf_errs local;
	struct pint_mbuf mb;
	char chunk[4096];
	ssize_t n;
	int fd, err = 0;

	if (!errs)
		errs = &local;
	errs->n = 0;
	errs->total = 0;
	if (!confp || !path)
		return EINVAL;
	memset(&ps, 0, sizeof(ps));
	ps.errs = errs;
	ps.name = path;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		gw_conf_error(&ps, 0, "cannot open: %s", strerror(err));
		return err;
	}
	pint_mbuf_init(&mb, GW_CONF_MAX_FILE);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			gw_conf_error(&ps, 0, "cannot read: %s", strerror(err));
			break;
		}
		if (n == 0)
			break;
		err = pint_mbuf_append(&mb, chunk, (size_t)n);
		if (err == EMSGSIZE)
			gw_conf_error(&ps, 0, "larger than %u bytes",
				      GW_CONF_MAX_FILE);
		if (err)
			break;
	}
	close(fd);
	if (!err)
		err = gw_conf_parse_string(confp, mb.buf, mb.len, path, errs);
	pint_mbuf_reset(&mb);
	return err;
}
