/*
 * web/json.h — JSON helpers of the HTTP API: strict, bounded body loading,
 * the API error object, text clean-up, value syntax, RFC 3339 times.
 * web_json_load() hands over a jansson tree (json_decref); every char *
 * returned is the caller's (free()); struct web_json_err is caller data.
 * Only state: a flagging hook in jansson's allocator (see web/json.c).
 */
#ifndef WEB_JSON_H
#define WEB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Hard limits of a request body, checked before jansson sees it. */
#define WEB_JSON_BODY_MAX   (1024u * 1024u)  /* bytes (HTTP layer: same) */
#define WEB_JSON_DEPTH_MAX  16u     /* nested objects/arrays */
#define WEB_JSON_ITEMS_MAX  1024u   /* containers + commas (≈ values) */

/* Buffer sizes of an error, NUL included. */
#define WEB_JSON_CODE_SIZE  32
#define WEB_JSON_FIELD_SIZE 128
#define WEB_JSON_MSG_SIZE   320
#define WEB_JSON_QUOTE_MAX  40      /* bytes of a value quoted in a message */

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL. */
#define WEB_JSON_TIME_SIZE  25
/* Unix ms of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z. */
#define WEB_JSON_TIME_MIN   (-62167219200000LL)
#define WEB_JSON_TIME_MAX   253402300799999LL

/*
 * An API error (API.md): HTTP status, stable code, a human message that
 * starts with the field path ("to: '+1-55' is too short"), and the path
 * itself ("" = none, then "field" is left out of the body). Every text is
 * valid UTF-8 without control characters. Codes used by web/:
 *   400 malformed_json, duplicate_field, too_complex, invalid_body,
 *       unknown_field, invalid_field, missing_field,
 *       unknown_parameter, invalid_parameter
 *   413 body_too_large
 *   422 content_required, content_not_allowed, invalid_content,
 *       invalid_schedule
 * rule names the policy rule behind a refusal ("" = none, then "rule" is
 * left out): web_json_err_set() clears it, web_json_err_rule() sets it.
 */
struct web_json_err {
	int status;
	char code[WEB_JSON_CODE_SIZE];
	char rule[WEB_JSON_CODE_SIZE];
	char field[WEB_JSON_FIELD_SIZE];
	char message[WEB_JSON_MSG_SIZE];
};

/* Errors. */
void web_json_err_set(struct web_json_err *e, int status, const char *code,
		      const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void web_json_err_rule(struct web_json_err *e, const char *rule);
int web_json_error_body(char **bodyp, size_t *lenp,
			const struct web_json_err *e);

/* Loading a request body: a JSON object or an error. */
int web_json_load(json_t **rootp, const char *p, size_t len,
		  struct web_json_err *e);
const char *web_json_type_name(const json_t *v);

/* Text checks and clean-up for values echoed back to clients. */
bool web_json_utf8_valid(const char *p, size_t len);
bool web_json_has_ctl(const char *p, size_t len);
size_t web_json_clean(char *dst, size_t size, const char *p, size_t len);
void web_json_quote(char *dst, size_t size, const char *p, size_t len);

/* Syntax of API values (names, numbers' contexts, URLs, base64). */
bool web_json_token_ok(const char *p, size_t len);
bool web_json_context_ok(const char *p, size_t len);
bool web_json_lang_ok(const char *p, size_t len);
bool web_json_mime_ok(const char *p, size_t len);
bool web_json_url_ok(const char *p, size_t len);
bool web_json_b64_check(const char *p, size_t len, size_t *outp);
void web_json_b64_decode(unsigned char *out, const char *p, size_t len);
int web_json_b64_encode(char **outp, size_t *lenp, const void *p, size_t len);

/* Building replies: strings that may be NULL (JSON null) or unclean. */
int web_json_set_str(json_t *obj, const char *key, const char *s);
int web_json_set_new(json_t *obj, const char *key, json_t *v);
int web_json_set_time(json_t *obj, const char *key, int64_t ms);
int web_json_dump(char **bodyp, size_t *lenp, const json_t *v, size_t flags);

/* RFC 3339 times <-> Unix milliseconds. */
int web_json_time_parse(int64_t *msp, const char *p, size_t len);
int web_json_time_format(char buf[WEB_JSON_TIME_SIZE], int64_t ms);

#endif
