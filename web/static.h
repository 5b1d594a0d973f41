/*
 * web/static.h — the files of web/static/ (widget.js, the demo page)
 * compiled into the binary: scripts/embed-static.pl generates the table in
 * web/static_data.c at build time. Everything here is constant data with
 * static storage: nothing to allocate or free, safe to share.
 */
#ifndef WEB_STATIC_H
#define WEB_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_STATIC_INM_MAX 4096u    /* If-None-Match bytes looked at */

/* One servable file. */
struct web_static_file {
	const char *path;       /* URL path: "/widget.js"; index.html also "/" */
	const char *ctype;      /* Content-Type, with charset for text */
	const char *data;       /* the bytes (NUL after them, not counted) */
	size_t len;
	const char *etag;       /* strong, quoted: "\"0123456789abcdef\"" */
};

/* The file served at exactly this path; NULL if none (or path NULL). */
const struct web_static_file *web_static_find(const char *path);

/*
 * Whether an If-None-Match header value (NULL: none) names the file's
 * ETag or is "*": the reply may then be 304 Not Modified. Weak
 * comparison (RFC 9110 §13.1.2), so W/"…" matches too; a malformed
 * value, or one longer than WEB_STATIC_INM_MAX, never matches.
 */
bool web_static_fresh(const struct web_static_file *f, const char *if_none_match);

/* The generated table (web/static_data.c), sorted by path. */
extern const struct web_static_file web_static_files[];
extern const size_t web_static_count;

#endif
