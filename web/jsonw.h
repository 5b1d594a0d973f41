/*
 * web/jsonw.h — a JSON writer: values appended in order to one growing
 * buffer, byte for byte as jansson's json_dumps() writes them (flags 0 or
 * JSON_COMPACT), without building a tree. The struct is the caller's (on
 * the stack); the buffer is the writer's until web_jsonw_finish() hands it
 * over (free()), or web_jsonw_finish_fit() cut to the text's size. The
 * first error sticks: later calls do nothing.
 */
#ifndef WEB_JSONW_H
#define WEB_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct web_jsonw {
	char *p;
	size_t len;
	size_t size;
	int err;            /* first error, 0 while all went well */
	bool compact;       /* "," and ":" instead of ", " and ": " */
	bool sep;           /* a value came last: the next one needs "," */
};

/* Life cycle. */
void web_jsonw_init(struct web_jsonw *w, bool compact);
int web_jsonw_fail(struct web_jsonw *w, int err);
int web_jsonw_finish(struct web_jsonw *w, char **outp, size_t *lenp);
int web_jsonw_finish_fit(struct web_jsonw *w, char **outp, size_t *lenp);

/* Structure: open '{' or '[', close '}' or ']', a key inside an object. */
int web_jsonw_open(struct web_jsonw *w, char c);
int web_jsonw_close(struct web_jsonw *w, char c);
int web_jsonw_key(struct web_jsonw *w, const char *key);

/* Values; a NULL string is null. */
int web_jsonw_str(struct web_jsonw *w, const char *s);
int web_jsonw_int(struct web_jsonw *w, int64_t v);
int web_jsonw_bool(struct web_jsonw *w, bool v);
int web_jsonw_null(struct web_jsonw *w);

/* Members: a key and its value; a NULL string, an integer 0, is null. */
int web_jsonw_member_str(struct web_jsonw *w, const char *key, const char *s);
int web_jsonw_member_nz(struct web_jsonw *w, const char *key, int64_t v);

/* Text around a document (SSE framing), copied as it is. */
int web_jsonw_raw(struct web_jsonw *w, const char *s);

#endif
