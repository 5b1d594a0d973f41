/*
 * pint/req_int.h — private to pint/req*.c: character classes, the URI and
 * name-addr grammar, a bounded line formatter, and the helpers that fill
 * osip structures by hand (osip_strdup'ed fields, every osip_list_add
 * checked, no osip parser or *_clone involved: those lose data and leak
 * when an allocation fails). Every function returns 0, EINVAL, EMSGSIZE
 * or ENOMEM; on error what the caller passed in owns what was made.
 */
#ifndef PINT_REQ_INT_H
#define PINT_REQ_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <osipparser2/osip_message.h>

#include "pint/req.h"

/* Character classes: letters and digits plus these (RFC 3261 §25.1). */
#define REQ_TOKEN  "-.!%*_+`'~"
#define REQ_USER   "-_.!~*'()&=+$,"         /* no ";?/" nor escapes */
#define REQ_WORD   REQ_TOKEN "()<>:/[]?{}@" /* Call-ID, no DQUOTE, '\' */
#define REQ_PCHAR  "-_.!~*'()[]/:&+$"       /* URI parameter, unescaped */
#define REQ_URI    "-_.!~*'()%;/?:@&=+$,[]" /* in <…>: no SP, '"', '<>' */
#define REQ_HOST   "-."
#define REQ_AGENT  REQ_TOKEN ":[]"          /* Warning agent host[:port] */
#define REQ_TEXT   NULL                     /* any byte but controls */
#define REQ_HVAL   ""                       /* printable ASCII, SP, HTAB */

#define REQ_LINE_MAX 3072   /* one formatted value; the limits fit in it */

/* A header value being formatted; over = it did not fit (EMSGSIZE). */
struct req_line {
	char buf[REQ_LINE_MAX];
	size_t len;
	bool over;
};

/* Checks (req_field.c). */
int req_check_set(const char *s, size_t max, const char *set);
int req_check_opt(const char *s, size_t max, const char *set);
int req_check_host(const char *s, bool allow_port);
size_t req_token_len(const char *s);
bool req_has_param(const char *s, const char *name);
int req_addr_scan(const char *s, osip_from_t *f);

/* Formatting. */
void req_line_init(struct req_line *l);
void req_lput(struct req_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void req_lquote(struct req_line *l, const char *s);

/* osip fields filled by hand. */
char *req_dupn(const char *s, size_t n);
int req_dup_opt(char **dst, const char *s);
int req_list_put(osip_list_t *l, void *el);
int req_param_add(osip_list_t *l, const char *name, const char *value);
int req_uri_new(osip_uri_t **up, const char *s);
int req_addr_new(osip_from_t **fp, const char *display, const char *uri,
		 const char *tag, const char *expires);
int req_add_route(osip_message_t *m, const char *route);
int req_hdr(osip_message_t *m, const char *name, const char *value);
int req_set_callid(osip_message_t *m, const char *cid);
int req_set_cseq(osip_message_t *m, const char *number, const char *method);

/* Parsed fields we can copy and send again (nothing allocated). */
bool req_uri_ok(const osip_uri_t *u);
bool req_addr_ok(const osip_from_t *f);
bool req_via_ok(const osip_via_t *v);
bool req_callid_ok(const osip_call_id_t *c);

/* Copies of parsed or built fields. */
int req_uri_copy(osip_uri_t **dst, const osip_uri_t *u);
int req_addr_copy(osip_from_t **dst, const osip_from_t *f);
int req_via_copy(osip_message_t *m, const osip_via_t *v);

#endif
