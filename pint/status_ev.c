/*
 * pint/status_ev.c — evidence out of SIP messages: safe text, the first
 * Warning, Unsupported, delta-seconds headers, typed bodies, SDP t=/i=.
 *
 * Everything taken from the wire is evidence for humans: it is copied into
 * fixed buffers with control characters removed, invalid UTF-8 replaced
 * and cut at a character boundary, so no later layer (JSON, logs, SSE)
 * has to distrust it.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "pint/sdp.h"
#include "pint/status.h"
#include "pint/status_int.h"

/* ---- text evidence ---------------------------------------------------- */

struct textw {
	char *dst;
	size_t size;
	size_t len;
	bool space;     /* a space is owed before the next character */
	bool full;      /* something did not fit: the rest is dropped */
};

static void textw_init(struct textw *w, char *dst, size_t size)
{
	w->dst = dst;
	w->size = size;
	w->len = 0;
	w->space = false;
	w->full = size == 0;
	if (size)
		dst[0] = '\0';
}

/* Append one whole character (n bytes) or, once it does not fit, nothing. */
static void textw_put(struct textw *w, const char *s, size_t n)
{
	size_t need = n + (w->space && w->len > 0);

	if (w->full)
		return;
	if (need > w->size - 1 - w->len) {
		w->full = true;
		return;
	}
	if (w->space && w->len > 0)
		w->dst[w->len++] = ' ';
	w->space = false;
	memcpy(w->dst + w->len, s, n);
	w->len += n;
	w->dst[w->len] = '\0';
}

/* One UTF-8 sequence: its length, and the code point or -1 if invalid. */
static size_t utf8_next(const unsigned char *p, size_t n, long *cpp)
{
	unsigned long cp, min;
	size_t len, i;

	if (p[0] < 0x80) {
		*cpp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1fu;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0fu;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07u;
		min = 0x10000;
	} else {
		*cpp = -1;
		return 1;
	}
	if (len > n) {
		*cpp = -1;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cpp = -1;
			return 1;
		}
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		*cpp = -1;
		return 1;
	}
	*cpp = (long)cp;
	return len;
}

/*
 * Append wire text. Control characters (C0, DEL, C1, line separators)
 * become one space, runs of spaces collapse, leading and trailing ones go;
 * bidi overrides and zero-width marks are dropped (they can make a log
 * line or a web page lie); invalid UTF-8 becomes '?'. With unescape,
 * a backslash quotes the next character (SIP quoted-pair).
 */
static void textw_text(struct textw *w, const char *p, size_t len, bool unescape)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	while (i < len && !w->full) {
		size_t n;
		long cp;

		if (unescape && u[i] == '\\' && i + 1 < len)
			i++;
		n = utf8_next(u + i, len - i, &cp);
		if (cp < 0)
			textw_put(w, "?", 1);
		else if (cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
			 cp == 0x2028 || cp == 0x2029)
			w->space = true;
		else if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
			 (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff)
			;
		else
			textw_put(w, p + i, n);
		i += n;
	}
}

/*
 * Copy wire text into dst (size bytes, NUL included) made safe as above;
 * returns the bytes written without the NUL. dst is always terminated
 * when size > 0, and never ends inside a UTF-8 sequence.
 */
size_t pint_status_text_copy(char *dst, size_t size, const char *p, size_t len)
{
	struct textw w;

	textw_init(&w, dst, size);
	if (p)
		textw_text(&w, p, len, false);
	return w.len;
}

/* Like pint_status_text_copy() for a C string (NULL gives ""). */
void pint_status_text_set(char *dst, size_t size, const char *s)
{
	pint_status_text_copy(dst, size, s, s ? strlen(s) : 0);
}

static bool is_lws(char c)
{
	return c == ' ' || c == '\t';
}

/* A Warning code token: three digits, or RFC 2848's placeholder "xxx". */
static bool warn_code_token(const char *p, size_t len)
{
	size_t i;

	if (len != 3)
		return false;
	for (i = 0; i < 3; i++) {
		if (!(p[i] >= '0' && p[i] <= '9') && p[i] != 'x' && p[i] != 'X')
			return false;
	}
	return true;
}

/* Where the quoted string starting at p[0] == '"' ends (its closing quote). */
static size_t quoted_end(const char *p, size_t len)
{
	size_t i = 1;

	while (i < len) {
		if (p[i] == '\\' && i + 1 < len)
			i += 2;
		else if (p[i] == '"')
			return i;
		else
			i++;
	}
	return len;
}

/* True when p starts a warning-value: a code token and a blank. */
static bool warn_value_start(const char *p, size_t len)
{
	return len > 3 && warn_code_token(p, 3) && is_lws(p[3]);
}

/*
 * Where an unquoted text ends: at ", " + the next warning-value if the
 * header line combines several ("399 gw a, 307 gw \"b\"").
 */
static size_t unquoted_end(const char *p, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i++) {
		if (p[i] != ',')
			continue;
		for (j = i + 1; j < len && is_lws(p[j]); j++)
			;
		if (warn_value_start(p + j, len - j))
			return i;
	}
	return len;
}

static void warning_parse(struct pint_status_warning *w, const char *p, size_t len,
			  struct textw *tw)
{
	struct pint_pl v = pint_pl_trim((struct pint_pl){p, p ? len : 0});
	size_t i = 0, end;

	memset(w, 0, sizeof(*w));
	while (i < v.l && !is_lws(v.p[i]))
		i++;
	if (warn_code_token(v.p, i)) {
		if (v.p[0] >= '0' && v.p[0] <= '9' && v.p[1] >= '0' && v.p[1] <= '9' &&
		    v.p[2] >= '0' && v.p[2] <= '9')
			w->code = (uint16_t)((v.p[0] - '0') * 100 + (v.p[1] - '0') * 10 +
					     (v.p[2] - '0'));
		v = pint_pl_trim((struct pint_pl){v.p + i, v.l - i});
		if (v.l && v.p[0] != '"') {
			for (i = 0; i < v.l && !is_lws(v.p[i]); i++)
				;
			pint_status_text_copy(w->agent, sizeof(w->agent), v.p, i);
			v = pint_pl_trim((struct pint_pl){v.p + i, v.l - i});
		}
	}

	textw_init(tw, w->text, sizeof(w->text));
	if (v.l && v.p[0] == '"') {
		end = quoted_end(v.p, v.l);
		textw_text(tw, v.p + 1, end - 1, true);
	} else {
		textw_text(tw, v.p, unquoted_end(v.p, v.l), false);
	}
}

/*
 * One Warning value, leniently: `code agent "text"` per RFC 3261, but the
 * text may be unquoted, the code may be "xxx" (code 0) and code and agent
 * may be missing (then everything is text). Never fails: worst case the
 * whole value ends up as text.
 */
void pint_status_warning_parse(struct pint_status_warning *w, const char *p, size_t len)
{
	struct textw tw;

	warning_parse(w, p, len, &tw);
}

/* ---- headers ---------------------------------------------------------- */

/*
 * The next header named lname (lower case) from *posp on. osip's
 * getters take a non-const message but do not change it.
 */
static const osip_header_t *header_next(const osip_message_t *msg, const char *lname,
					int *posp)
{
	osip_header_t *h = NULL;
	int pos;

	pos = osip_message_header_get_byname((osip_message_t *)msg, lname, *posp, &h);
	if (pos < 0 || !h)
		return NULL;
	*posp = pos + 1;
	return h;
}

/* The first header named lname (lower case), or NULL. */
const char *pint_status_header(const osip_message_t *msg, const char *lname)
{
	const osip_header_t *h;
	int pos = 0;

	h = header_next(msg, lname, &pos);
	return h && h->hvalue ? h->hvalue : NULL;
}

static bool seconds_view(const char *p, size_t len, uint32_t max, uint32_t *valp)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < len && is_lws(p[i]))
		i++;
	if (i == len || p[i] < '0' || p[i] > '9')
		return false;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(p[i] - '0');
		if (v > max)
			v = max;
	}
	*valp = (uint32_t)v;
	return true;
}

/* Leading decimal digits of s (after blanks), saturated at max. */
bool pint_status_seconds(const char *s, uint32_t max, uint32_t *valp)
{
	return s && seconds_view(s, strlen(s), max, valp);
}

/*
 * The first Warning. osip splits header values at commas outside quotes,
 * so an unquoted text with a comma ("Fax in progress, cannot abort")
 * arrives as several headers: pieces that do not start with a code are
 * glued back on.
 */
void pint_status_warning_take(struct pint_status_ev *ev, const osip_message_t *msg)
{
	const osip_header_t *h;
	struct textw tw;
	int pos = 0, parts = 0;
	bool quoted;
	struct pint_pl v;

	h = header_next(msg, "warning", &pos);
	if (!h || !h->hvalue)
		return;
	ev->has_warning = true;
	warning_parse(&ev->warning, h->hvalue, strlen(h->hvalue), &tw);
	quoted = strchr(h->hvalue, '"') != NULL;
	while (!quoted && ++parts < PINT_STATUS_WARN_PARTS_MAX &&
	       (h = header_next(msg, "warning", &pos)) != NULL) {
		if (!h->hvalue)
			break;
		v = pint_pl_trim(pint_pl_str(h->hvalue));
		if (warn_value_start(v.p, v.l))
			break;
		textw_put(&tw, ",", 1);
		tw.space = true;
		textw_text(&tw, v.p, v.l, false);
	}
}

/* Unsupported option tags, joined by ", ". */
void pint_status_unsupported_take(struct pint_status_ev *ev, const osip_message_t *msg)
{
	const osip_header_t *h;
	struct textw tw;
	int pos = 0, n = 0;

	textw_init(&tw, ev->unsupported, sizeof(ev->unsupported));
	while (n < PINT_STATUS_UNSUPPORTED_MAX &&
	       (h = header_next(msg, "unsupported", &pos)) != NULL) {
		if (!h->hvalue)
			continue;
		if (n++) {
			textw_put(&tw, ",", 1);
			tw.space = true;
		}
		textw_text(&tw, h->hvalue, strlen(h->hvalue), false);
	}
}

/* ---- bodies ----------------------------------------------------------- */

static bool ct_is(const osip_content_type_t *ct, const char *type, const char *subtype)
{
	return ct && ct->type && ct->subtype && strcasecmp(ct->type, type) == 0 &&
	       strcasecmp(ct->subtype, subtype) == 0;
}

/* "type/subtype" optionally followed by blanks or ";params". */
static bool ctype_value_is(const char *v, const char *type, const char *subtype)
{
	struct pint_pl pl = pint_pl_trim((struct pint_pl){v, strcspn(v, ";")});
	size_t t = strlen(type), s = strlen(subtype);

	return pl.l == t + 1 + s && strncasecmp(pl.p, type, t) == 0 && pl.p[t] == '/' &&
	       strncasecmp(pl.p + t + 1, subtype, s) == 0;
}

/*
 * A part's type: osip's MIME parser fills content_type, pint/sip keeps a
 * part's Content-Type as one of its headers.
 */
static bool part_is(const osip_body_t *b, const char *type, const char *subtype)
{
	int i, n;

	if (b->content_type)
		return ct_is(b->content_type, type, subtype);
	n = b->headers ? osip_list_size(b->headers) : 0;
	for (i = 0; i < n && i < PINT_STATUS_PARTS_MAX; i++) {
		const osip_header_t *h = osip_list_get(b->headers, i);

		if (h && h->hname && h->hvalue && strcasecmp(h->hname, "content-type") == 0)
			return ctype_value_is(h->hvalue, type, subtype);
	}
	return false;
}

/*
 * The body of the given type: the message's own, or the first such part
 * of a multipart body. A body without Content-Type is taken as wanted
 * (parse leniently; the decoder has the last word), though osip drops
 * such bodies today.
 */
enum pint_status_body pint_status_body_find(const osip_message_t *msg,
					    const char *type, const char *subtype,
					    struct pint_pl *pl)
{
	osip_message_t *m = (osip_message_t *)msg;
	const osip_content_type_t *ct = msg->content_type;
	osip_body_t *b = NULL;
	int i;

	if (osip_list_size(&m->bodies) <= 0)
		return PINT_STATUS_BODY_NONE;
	if (ct && ct->type && strcasecmp(ct->type, "multipart") == 0) {
		for (i = 0; i < PINT_STATUS_PARTS_MAX; i++) {
			if (osip_message_get_body(m, i, &b) < 0 || !b)
				break;
			if (part_is(b, type, subtype) && b->body && b->length) {
				*pl = (struct pint_pl){b->body, b->length};
				return PINT_STATUS_BODY_FOUND;
			}
		}
		return PINT_STATUS_BODY_OTHER;
	}
	if (osip_message_get_body(m, 0, &b) < 0 || !b || !b->body || b->length == 0)
		return PINT_STATUS_BODY_NONE;
	if (ct && !ct_is(ct, type, subtype))
		return PINT_STATUS_BODY_OTHER;
	*pl = (struct pint_pl){b->body, b->length};
	return PINT_STATUS_BODY_FOUND;
}

/* t= and i= of an SDP body as evidence; an undecodable body is noted. */
void pint_status_sdp_evidence(struct pint_status_ev *ev, const char *p, size_t len)
{
	struct pint_sdp sdp;
	const struct pint_pl *info = NULL;
	size_t i;

	if (pint_sdp_decode(&sdp, p, len) != 0) {
		ev->body_ignored = true;
		return;
	}
	ev->has_time = true;
	ev->t_start_ntp = sdp.start;
	ev->t_stop_ntp = sdp.stop;
	if (pint_pl_isset(&sdp.info))
		info = &sdp.info;
	for (i = 0; !info && i < sdp.nmedia; i++) {
		if (pint_pl_isset(&sdp.media[i].info))
			info = &sdp.media[i].info;
	}
	if (info)
		pint_status_text_copy(ev->info, sizeof(ev->info), info->p, info->l);
}

/* The SDP body of msg, if any, as evidence. */
void pint_status_msg_sdp(struct pint_status_ev *ev, const osip_message_t *msg)
{
	struct pint_pl pl;

	switch (pint_status_body_find(msg, "application", "sdp", &pl)) {
	case PINT_STATUS_BODY_FOUND:
		pint_status_sdp_evidence(ev, pl.p, pl.l);
		break;
	case PINT_STATUS_BODY_OTHER:
		ev->body_ignored = true;
		break;
	case PINT_STATUS_BODY_NONE:
		break;
	}
}

/*
 * The header parameter `name` (given with its '=', e.g. "expires=") of
 * value v as delta-seconds, saturated at max; false when absent or not
 * a number.
 */
bool pint_status_param_seconds(const char *v, const char *name, uint32_t max,
			       uint32_t *valp)
{
	size_t n = strlen(name);
	const char *s = strchr(v, ';');

	while (s) {
		s++;
		while (is_lws(*s))
			s++;
		if (strncasecmp(s, name, n) == 0)
			return seconds_view(s + n, strcspn(s + n, ";"), max, valp);
		s = strchr(s, ';');
	}
	return false;
}
