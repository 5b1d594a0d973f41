/*
 * gateway/log.c — logfmt lines, built in a stack buffer and written with
 * one fwrite, so lines from several threads never interleave and the hot
 * path allocates nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "gateway/log.h"

static struct {
	enum log_level level;
	FILE *out;              /* NULL = stderr, which is no constant */
	bool ts;
	bool journal;
} cfg = { LOG_LEVEL_INFO, NULL, true, false };

static const char *const level_names[] = { "err", "warn", "info", "debug" };

#define TAIL " truncated=true\n"
/* content ends here: room stays for a closing quote and TAIL */
#define LIMIT (LOG_LINE_MAX - 1 - (sizeof(TAIL) - 1))

struct line {
	char buf[LOG_LINE_MAX];
	size_t len;
	bool trunc;             /* something did not fit; nothing more goes in */
};

/* Set the most verbose level that is written (default: info). */
void log_set_level(enum log_level level)
{
	if ((unsigned)level <= LOG_LEVEL_DEBUG)
		cfg.level = level;
}

enum log_level log_get_level(void)
{
	return cfg.level;
}

/* "err|warn|info|debug" (also "error", "warning"; any case); else EINVAL. */
int log_level_parse(const char *s, enum log_level *levelp)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{ "err", LOG_LEVEL_ERR }, { "error", LOG_LEVEL_ERR },
		{ "warn", LOG_LEVEL_WARN }, { "warning", LOG_LEVEL_WARN },
		{ "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
	};
	size_t i;

	if (!s || !levelp)
		return EINVAL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*levelp = names[i].level;
			return 0;
		}
	}
	return EINVAL;
}

/* The name used in level= fields; "?" for a value out of range. */
const char *log_level_name(enum log_level level)
{
	return (unsigned)level <= LOG_LEVEL_DEBUG ? level_names[level] : "?";
}

/* Whether a line at level would be written: skip building costly fields. */
bool log_enabled(enum log_level level)
{
	return (unsigned)level <= (unsigned)cfg.level;
}

/* Where lines go; NULL = stderr. The caller keeps f open while it is set. */
void log_set_output(FILE *f)
{
	cfg.out = f;
}

/* ts= field first on each line (default on). */
void log_set_timestamps(bool on)
{
	cfg.ts = on;
}

/*
 * Journal mode: each line starts with the syslog priority ("<6>"), which
 * journald turns into PRIORITY= (so journalctl -p works), and has no ts=:
 * journald stamps lines itself.
 */
void log_set_journal(bool on)
{
	cfg.journal = on;
}

/* Whether stderr is systemd's journal stream ($JOURNAL_STREAM "dev:ino"). */
bool log_journal_detected(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (!env || fstat(STDERR_FILENO, &st) < 0)
		return false;
	errno = 0;
	dev = strtoull(env, &end, 10);
	if (end == env || *end != ':')
		return false;
	env = end + 1;
	ino = strtoull(env, &end, 10);
	if (end == env || *end || errno)
		return false;
	return dev == (unsigned long long)st.st_dev && ino == (unsigned long long)st.st_ino;
}

/* All or nothing; once something did not fit, nothing more goes in. */
static void put(struct line *l, const char *p, size_t n)
{
	if (l->trunc || l->len > LIMIT || n > LIMIT - l->len) {
		l->trunc = true;
		return;
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

/* Length of the valid UTF-8 sequence at p, or 0 if the byte is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;       /* also stops at the NUL */
	/* overlong forms, surrogates, past U+10FFFF */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

/* Plain bytes stay bare; anything else needs quotes (the empty value too). */
static bool needs_quotes(const unsigned char *p)
{
	size_t n;

	if (!*p)
		return true;
	for (; *p; p += n) {
		if (*p <= ' ' || *p == '=' || *p == '"' || *p == '\\' || *p == 0x7f)
			return true;
		n = utf8_len(p);
		if (!n)
			return true;
	}
	return false;
}

/*
 * A value, escaped so that the event stays on one line and parsers find
 * its end: \" \\ \n \r \t, \u00XX for other controls and DEL, \xXX for a
 * byte that is not UTF-8. A multi-byte character is never cut in two.
 */
static void put_value(struct line *l, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)v;
	bool quoted = needs_quotes(p);
	char esc[6];
	size_t n;

	if (quoted) {
		put(l, "\"", 1);
		quoted = !l->trunc;
	}
	for (; *p && !l->trunc; p += n) {
		n = 1;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(l, esc, 2);
		} else if (*p == '\n' || *p == '\r' || *p == '\t') {
			esc[0] = '\\';
			esc[1] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
			put(l, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			put(l, esc, 6);
		} else if ((n = utf8_len(p)) == 0) {
			n = 1;
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[*p >> 4];
			esc[3] = hex[*p & 15];
			put(l, esc, 4);
		} else {
			put(l, (const char *)p, n);
		}
	}
	/* LIMIT kept a byte for this: a cut value is still closed */
	if (quoted)
		l->buf[l->len++] = '"';
}

/*
 * " key=value". Key bytes that would break the line's syntax become '_';
 * keys are names from our code, so longer than 64 bytes are simply cut.
 */
static void put_field(struct line *l, const char *key, const char *val)
{
	char k[64];
	size_t i;

	for (i = 0; key[i] && i < sizeof(k); i++) {
		unsigned char c = (unsigned char)key[i];

		k[i] = c <= ' ' || c == '=' || c == '"' || c >= 0x7f ? '_' : (char)c;
	}
	if (i == 0)
		k[i++] = '_';
	put(l, " ", 1);
	put(l, k, i);
	put(l, "=", 1);
	put_value(l, val);
}

static void put_ts(struct line *l)
{
	struct timespec ts;
	struct tm tm;
	char b[64];
	int n;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || !gmtime_r(&ts.tv_sec, &tm))
		return;
	n = snprintf(b, sizeof(b), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		     tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	if (n > 0 && (size_t)n < sizeof(b))
		put(l, b, (size_t)n);
}

static void line_start(struct line *l, enum log_level level)
{
	char prio[3] = { '<', "3467"[level], '>' };   /* syslog severities */

	l->len = 0;
	l->trunc = false;
	if (cfg.journal)
		put(l, prio, sizeof(prio));
	else if (cfg.ts)
		put_ts(l);
	put(l, "level=", 6);
	put(l, level_names[level], strlen(level_names[level]));
}

/* TAIL or the newline (room kept by LIMIT), then one write. */
static void line_end(struct line *l)
{
	const char *tail = l->trunc ? TAIL : "\n";
	size_t n = strlen(tail);
	FILE *f = cfg.out ? cfg.out : stderr;

	memcpy(l->buf + l->len, tail, n);
	l->len += n;
	/* nowhere to report a failed log write to */
	(void)fwrite(l->buf, 1, l->len, f);
	(void)fflush(f);
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	struct line l;
	int n;

	if (!log_enabled(level))
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		msg[0] = '\0';
	line_start(&l, level);
	put_field(&l, "msg", msg);
	if (n >= (int)sizeof(msg))
		l.trunc = true;
	line_end(&l);
}

/* A line with msg= printf-formatted, at a level known only at run time. */
void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/* level=err msg="<printf fmt>"; likewise log_warn, log_info, log_debug. */
void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERR, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

/*
 * msg (not a format) then key, value pairs up to a NULL key:
 *   log_kv(LOG_LEVEL_INFO, "api: created", "req", id, "service", "call", NULL);
 * A NULL value is written as "" and also ends the list, so an odd count
 * never reads past the arguments. Fields past LOG_LINE_MAX are dropped.
 */
void log_kv(enum log_level level, const char *msg, ...)
{
	const char *key, *val;
	struct line l;
	va_list ap;

	if (!log_enabled(level))
		return;
	line_start(&l, level);
	put_field(&l, "msg", msg ? msg : "");
	va_start(ap, msg);
	while ((key = va_arg(ap, const char *)) != NULL) {
		val = va_arg(ap, const char *);
		put_field(&l, key, val ? val : "");
		if (!val)
			break;
	}
	va_end(ap);
	line_end(&l);
}
