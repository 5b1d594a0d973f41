/*
 * gateway/log.h — the daemon's one logging API: logfmt lines on stderr.
 *
 *   ts=2025-01-02T03:04:05.678Z level=info msg="sip: gateway pint-east up" req=rq_x
 *
 * One event is one line, always: values are quoted and escaped as needed
 * and lines longer than LOG_LINE_MAX are cut with a truncated=true field.
 * Nothing is allocated; the settings are process-wide, set them at start.
 * Messages start with "module: " by convention (STYLE.md rule 13).
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* syslog.h owns LOG_ERR etc., hence the longer names */
enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#define LOG_LINE_MAX 2048       /* bytes per line, newline included */

/* Settings */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_level_parse(const char *s, enum log_level *levelp);
const char *log_level_name(enum log_level level);
bool log_enabled(enum log_level level);
void log_set_output(FILE *f);
void log_set_timestamps(bool on);
void log_set_journal(bool on);
bool log_journal_detected(void);

/* Lines */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_kv(enum log_level level, const char *msg, ...) __attribute__((sentinel));

#endif
