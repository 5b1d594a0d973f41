/*
 * web/json.c — strict body loading, API errors, text clean-up, value
 * syntax, base64 (RFC 3339 times: json_time.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/json.h"

/*
 * Length (1–4) of the well-formed UTF-8 character at p, 0 when the bytes
 * are not one: overlongs, surrogates and code points past U+10FFFF are
 * refused, as jansson refuses them on input.
 */
static size_t utf8_char(const unsigned char *p, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (!len)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* C0, DEL and C1 controls: never echoed, never in a number or a name. */
static bool is_ctl(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* True when p[0..len) is entirely well-formed UTF-8. */
bool web_json_utf8_valid(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		n = utf8_char(u + i, len - i, &c);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/* True when p[0..len) holds a control character (or is not UTF-8). */
bool web_json_has_ctl(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		n = utf8_char(u + i, len - i, &c);
		if (!n || is_ctl(c))
			return true;
		i += n;
	}
	return false;
}

/*
 * Copy p[0..len) into dst (size > 0), each control character or byte that
 * is not UTF-8 replaced by '?', cut at a character boundary to fit, and
 * NUL-terminated. Returns the bytes written. dst and p must not overlap.
 */
size_t web_json_clean(char *dst, size_t size, const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, o = 0, n;
	uint32_t c;

	if (!size)
		return 0;
	while (i < len) {
		n = utf8_char(u + i, len - i, &c);
		if (!n || is_ctl(c)) {
			if (o + 1 > size - 1)
				break;
			dst[o++] = '?';
			i += n ? n : 1;
			continue;
		}
		if (o + n > size - 1)
			break;
		memcpy(dst + o, p + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
	return o;
}

/*
 * A value for an error message: 'clean text', cut after
 * WEB_JSON_QUOTE_MAX bytes with an ellipsis. dst should hold
 * WEB_JSON_QUOTE_MAX + 6 bytes; a smaller one cuts harder.
 */
void web_json_quote(char *dst, size_t size, const char *p, size_t len)
{
	static const char ell[] = "\xe2\x80\xa6";  /* U+2026 */
	size_t room, o;
	bool cut;

	if (size < 3) {
		if (size)
			dst[0] = '\0';
		return;
	}
	room = size - 3;             /* two quotes and the NUL */
	cut = len > WEB_JSON_QUOTE_MAX || len > room;
	if (cut)
		room = room > sizeof(ell) - 1 ? room - (sizeof(ell) - 1) : 0;
	if (room > WEB_JSON_QUOTE_MAX)
		room = WEB_JSON_QUOTE_MAX;
	dst[0] = '\'';
	o = 1 + web_json_clean(dst + 1, room + 1, p, len);
	if (cut && o + sizeof(ell) - 1 + 2 <= size) {
		memcpy(dst + o, ell, sizeof(ell) - 1);
		o += sizeof(ell) - 1;
	}
	dst[o++] = '\'';
	dst[o] = '\0';
}

/*
 * Fill e. The message is "<field>: <text>" (just <text> without a field),
 * cut to fit and cleaned, so it can always be encoded.
 */
void web_json_err_set(struct web_json_err *e, int status, const char *code,
		      const char *field, const char *fmt, ...)
{
	char text[WEB_JSON_MSG_SIZE], raw[WEB_JSON_MSG_SIZE];
	va_list ap;
	int n;

	e->status = status;
	web_json_clean(e->code, sizeof(e->code), code, strlen(code));
	e->rule[0] = '\0';
	if (!field)
		field = "";
	web_json_clean(e->field, sizeof(e->field), field, strlen(field));

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		text[0] = '\0';
	if (e->field[0])
		n = snprintf(raw, sizeof(raw), "%s: %s", e->field, text);
	else
		n = snprintf(raw, sizeof(raw), "%s", text);
	if (n < 0)
		raw[0] = '\0';
	/* snprintf may have cut a character in two: clean again. */
	web_json_clean(e->message, sizeof(e->message), raw, strlen(raw));
}

/* Name the policy rule behind e (after web_json_err_set); NULL clears. */
void web_json_err_rule(struct web_json_err *e, const char *rule)
{
	if (!rule)
		rule = "";
	web_json_clean(e->rule, sizeof(e->rule), rule, strlen(rule));
}

/*
 * The reply body {"error": {"code", "rule", "message", "field"}} in
 * *bodyp (free() it); "rule" and "field" are left out when e has none.
 * 0 or ENOMEM.
 */
int web_json_error_body(char **bodyp, size_t *lenp,
			const struct web_json_err *e)
{
	json_t *root = NULL, *obj;
	int err;

	root = json_object();
	obj = json_object();
	err = web_json_set_new(root, "error", obj);
	if (err)
		goto out;
	err = web_json_set_str(obj, "code", e->code);
	if (!err && e->rule[0])
		err = web_json_set_str(obj, "rule", e->rule);
	if (!err)
		err = web_json_set_str(obj, "message", e->message);
	if (!err && e->field[0])
		err = web_json_set_str(obj, "field", e->field);
	if (!err)
		err = web_json_dump(bodyp, lenp, root, 0);
out:
	json_decref(root);
	return err;
}

/* The JSON type of v as the API names it in messages. */
const char *web_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "value";
}

/* Value syntax shared by the body and query checks: pure, on (p, len). */

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* strchr() would also "find" a NUL byte. */
static bool in_set(char c, const char *set)
{
	return c && strchr(set, c);
}

/* service, gateway, require items: alnum first, then [A-Za-z0-9._+-]. */
bool web_json_token_ok(const char *p, size_t len)
{
	size_t i;

	if (!len || !is_alnum(p[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!is_alnum(p[i]) && !in_set(p[i], "._+-"))
			return false;
	return true;
}

/* phone-context: "+44" or a domain name. */
bool web_json_context_ok(const char *p, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum(p[i]) && !in_set(p[i], "+.()-"))
			return false;
	return true;
}

/* BCP 47-ish: ALPHA{1,8} ("-" alnum{1,8})*. */
bool web_json_lang_ok(const char *p, size_t len)
{
	size_t i, run = 0, sub = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || p[i] == '-') {
			if (!run || run > 8)
				return false;
			run = 0;
			sub++;
			continue;
		}
		if (sub == 0 ? !is_alpha(p[i]) : !is_alnum(p[i]))
			return false;
		run++;
	}
	return len > 0;
}

/* RFC 6838 type "/" subtype, restricted-name characters, no parameters. */
bool web_json_mime_ok(const char *p, size_t len)
{
	size_t i, slash = 0, run = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '/') {
			if (slash++ || !run)
				return false;
			run = 0;
		} else if (run == 0 ? is_alnum(p[i]) :
			   (is_alnum(p[i]) || in_set(p[i], "!#$&-^_.+"))) {
			run++;
		} else {
			return false;
		}
	}
	return slash == 1 && run > 0;
}

/*
 * An absolute http or https URL in visible ASCII, with a host and an
 * optional port 1–65535. Address policy (private ranges) is checked at
 * connect time, not here.
 */
bool web_json_url_ok(const char *p, size_t len)
{
	size_t i, s, a, end, h;
	unsigned port = 0;

	if (len > 7 && !strncasecmp(p, "http://", 7))
		s = 7;
	else if (len > 8 && !strncasecmp(p, "https://", 8))
		s = 8;
	else
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f ||
		    in_set(p[i], "\"<>\\^`{|}"))
			return false;
	for (end = s; end < len && !in_set(p[end], "/?#"); end++)
		;
	for (a = s, i = s; i < end; i++)
		if (p[i] == '@')
			a = i + 1;
	if (a < end && p[a] == '[') {
		for (h = a + 1; h < end && p[h] != ']'; h++)
			;
		if (h >= end || h == a + 1)
			return false;
		h++;
	} else {
		for (h = a; h < end && p[h] != ':'; h++)
			;
		if (h == a)
			return false;
	}
	if (h == end)
		return true;
	if (p[h] != ':' || h + 1 == end || end - h - 1 > 5)
		return false;
	for (i = h + 1; i < end; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		port = port * 10 + (unsigned)(p[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	return c == '/' ? 63 : -1;
}

/*
 * Check standard base64 (RFC 4648 §4) and count the decoded bytes:
 * padding optional but correct when present, CR/LF skipped (MIME line
 * breaks, as `base64 file` writes them), unused trailing bits zero.
 */
bool web_json_b64_check(const char *p, size_t len, size_t *outp)
{
	size_t i, sym = 0, pad = 0;
	int last = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			continue;
		if (p[i] == '=') {
			pad++;
			continue;
		}
		if (pad || (last = b64_val(p[i])) < 0)
			return false;
		sym++;
	}
	if (sym % 4 == 1 || pad > 2 || (pad && (sym + pad) % 4))
		return false;
	if ((sym % 4 == 2 && (last & 0x0f)) || (sym % 4 == 3 && (last & 0x03)))
		return false;
	*outp = sym / 4 * 3 + (sym % 4 ? sym % 4 - 1 : 0);
	return true;
}

/* Decode what web_json_b64_check() accepted; out holds its count. */
void web_json_b64_decode(unsigned char *out, const char *p, size_t len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, o = 0;
	int v;

	for (i = 0; i < len; i++) {
		v = b64_val(p[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
}


/* Standard base64 with padding of p[0..len) in *outp (free()), NUL-ended. */
int web_json_b64_encode(char **outp, size_t *lenp, const void *p, size_t len)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = p;
	size_t i, o = 0;
	uint32_t v;
	char *s;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return EMSGSIZE;
	s = malloc((len + 2) / 3 * 4 + 1);
	if (!s)
		return ENOMEM;
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8 | u[i + 2];
		s[o++] = abc[v >> 18];
		s[o++] = abc[v >> 12 & 63];
		s[o++] = abc[v >> 6 & 63];
		s[o++] = abc[v & 63];
	}
	if (i < len) {
		v = (uint32_t)u[i] << 16 | (i + 1 < len ? (uint32_t)u[i + 1] << 8 : 0);
		s[o++] = abc[v >> 18];
		s[o++] = abc[v >> 12 & 63];
		s[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
		s[o++] = '=';
	}
	s[o] = '\0';
	*outp = s;
	if (lenp)
		*lenp = o;
	return 0;
}

/*
 * Depth and size guard run before jansson: jansson recurses up to 2048
 * levels and allocates a node per value, so a 1 MiB body of "[[[[…" or
 * "[1,1,1,…" would cost deep stacks or tens of MB. Only string bounds
 * matter here; everything else about the syntax is jansson's job.
 */
static int prescan(const char *p, size_t len, struct web_json_err *e)
{
	size_t i, depth = 0, items = 0, line = 1, col = 0;
	bool in_str = false, esc = false;

	for (i = 0; i < len; i++) {
		char c = p[i];

		col++;
		if (c == '\n') {
			line++;
			col = 0;
		}
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '[':
		case '{':
			if (++depth > WEB_JSON_DEPTH_MAX) {
				web_json_err_set(e, 400, "too_complex", NULL,
						 "JSON nested deeper than %u levels at line %zu, column %zu",
						 WEB_JSON_DEPTH_MAX, line, col);
				return EBADMSG;
			}
			items++;
			break;
		case ']':
		case '}':
			if (depth)
				depth--;
			break;
		case ',':
			items++;
			break;
		default:
			break;
		}
		if (items > WEB_JSON_ITEMS_MAX) {
			web_json_err_set(e, 400, "too_complex", NULL,
					 "JSON has more than %u values (line %zu, column %zu)",
					 WEB_JSON_ITEMS_MAX, line, col);
			return EBADMSG;
		}
	}
	return 0;
}

/*
 * Allocation failures seen by jansson. Its lexer is not safe against them
 * (2.14, measured; upstream issue akheron/jansson#362, unfixed): lex_save()
 * ignores a failed strbuffer append, so a string silently loses a byte and
 * the parse succeeds, or a lost closing quote makes it read past its
 * buffer, or assert(c == d) aborts; other failures come back as "invalid
 * token" or with no error code. So web_json_load() chains a flagging
 * malloc in front of whatever jansson was given (re-checked on each call)
 * and never trusts a parse during which an allocation failed. Inside a
 * load, the failed allocation is retried once so that, after a transient
 * failure, the lexer's state stays consistent until we throw the result
 * away; a persistent failure inside the lexer remains the library's
 * hazard. Outside a load the hook only passes calls through.
 */
static json_malloc_t next_malloc;
static _Thread_local bool in_load;
static _Thread_local bool load_alloc_failed;

static void *flag_malloc(size_t size)
{
	void *p = next_malloc(size);

	if (!p && in_load) {
		load_alloc_failed = true;
		p = next_malloc(size);
	}
	return p;
}

static void hook_allocator(void)
{
	json_malloc_t m;
	json_free_t f;

	json_get_alloc_funcs(&m, &f);
	if (m != flag_malloc) {
		next_malloc = m;
		json_set_alloc_funcs(flag_malloc, f);
	}
}

/* Translate a jansson load error: the one place that knows its codes. */
static int load_error(const json_error_t *je, struct web_json_err *e)
{
	char text[JSON_ERROR_TEXT_LENGTH];

	web_json_clean(text, sizeof(text), je->text, strnlen(je->text, sizeof(je->text)));
	switch (json_error_code(je)) {
	case json_error_out_of_memory:
		return ENOMEM;
	case json_error_duplicate_key:
		web_json_err_set(e, 400, "duplicate_field", NULL,
				 "duplicate key at line %d, column %d: %s",
				 je->line, je->column, text);
		return EBADMSG;
	default:
		web_json_err_set(e, 400, "malformed_json", NULL,
				 "malformed JSON at line %d, column %d: %s",
				 je->line, je->column, text);
		return EBADMSG;
	}
}

/*
 * Load a request body: at most WEB_JSON_BODY_MAX bytes (413), nesting and
 * value count bounded (too_complex), duplicate keys refused, a JSON object
 * at the top (invalid_body). A leading UTF-8 BOM is skipped. Returns 0 with
 * *rootp the caller's, EBADMSG with e filled, or ENOMEM.
 */
int web_json_load(json_t **rootp, const char *p, size_t len,
		  struct web_json_err *e)
{
	json_error_t je;
	json_t *root;
	int err;

	if (len > WEB_JSON_BODY_MAX) {
		web_json_err_set(e, 413, "body_too_large", NULL,
				 "request body is larger than %u bytes",
				 WEB_JSON_BODY_MAX);
		return EBADMSG;
	}
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		len -= 3;
	}
	err = prescan(p, len, e);
	if (err)
		return err;

	hook_allocator();
	in_load = true;
	load_alloc_failed = false;
	root = json_loadb(p, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	in_load = false;
	if (load_alloc_failed) {
		json_decref(root);
		return ENOMEM;
	}
	if (!root)
		return load_error(&je, e);
	if (!json_is_object(root)) {
		web_json_err_set(e, 400, "invalid_body", NULL,
				 "request body must be a JSON object, got %s",
				 web_json_type_name(root));
		json_decref(root);
		return EBADMSG;
	}
	*rootp = root;
	return 0;
}

/*
 * Set obj[key] to v and take v over (v NULL: an allocation failed).
 * 0 or ENOMEM; v is released on failure.
 */
int web_json_set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return ENOMEM;
	if (!obj) {
		json_decref(v);
		return ENOMEM;
	}
	return json_object_set_new(obj, key, v) ? ENOMEM : 0;
}

/*
 * Set obj[key] to the string s, or to null when s is NULL. Text that is
 * not UTF-8 (from the network) is cleaned rather than refused.
 */
int web_json_set_str(json_t *obj, const char *key, const char *s)
{
	size_t len;
	json_t *v;
	char *tmp;

	if (!s)
		return web_json_set_new(obj, key, json_null());
	len = strlen(s);
	if (web_json_utf8_valid(s, len))
		return web_json_set_new(obj, key, json_stringn(s, len));

	tmp = malloc(len + 1);
	if (!tmp)
		return ENOMEM;
	len = web_json_clean(tmp, len + 1, s, len);
	v = json_stringn(tmp, len);
	free(tmp);
	return web_json_set_new(obj, key, v);
}

/* Set obj[key] to the RFC 3339 text of ms. 0, ERANGE or ENOMEM. */
int web_json_set_time(json_t *obj, const char *key, int64_t ms)
{
	char buf[WEB_JSON_TIME_SIZE];
	int err;

	err = web_json_time_format(buf, ms);
	if (err)
		return err;
	return web_json_set_new(obj, key, json_string(buf));
}

/*
 * Serialise v (jansson flags: 0 = the API's "a": 1, "b": 2 on one line,
 * JSON_COMPACT for the tightest form). *bodyp is the caller's (free()).
 */
int web_json_dump(char **bodyp, size_t *lenp, const json_t *v, size_t flags)
{
	char *s;

	s = json_dumps(v, flags);
	if (!s)
		return ENOMEM;
	*bodyp = s;
	if (lenp)
		*lenp = strlen(s);
	return 0;
}
