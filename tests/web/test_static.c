/*
 * tests/web/test_static.c — web/static.c and the table generated from
 * web/static/: every file on disk is served byte for byte at "/<name>",
 * "/" is index.html, nothing else is found, ETags are strong, quoted and
 * distinct; If-None-Match matching.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "web/static.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#ifndef SRCDIR
#error "SRCDIR must name the source tree"
#endif

/* SRCDIR/web/static/<name> into a heap buffer (free()). */
static char *read_static(const char *name, size_t *lenp)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/web/static/%s", SRCDIR,
			     name) >= sizeof(path))
		fail_msg("path too long: %s", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		fail_msg("cannot size %s", path);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read on %s", path);
	fclose(f);
	*lenp = (size_t)n;
	return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Every regular file of web/static/ is found, with its bytes and type. */
static void test_every_file_found(void **state)
{
	char url[512];
	DIR *d;
	struct dirent *de;
	size_t files = 0;
	bool index_seen = false, widget_seen = false;

	(void)state;
	assert_non_null(d = opendir(SRCDIR "/web/static"));
	while ((de = readdir(d)) != NULL) {
		const struct web_static_file *f;
		size_t len;
		char *disk;

		if (de->d_name[0] == '.')
			continue;
		files++;
		assert_true((size_t)snprintf(url, sizeof(url), "/%s",
					     de->d_name) < sizeof(url));
		f = web_static_find(url);
		if (!f)
			fail_msg("%s is not in the table", url);
		assert_string_equal(f->path, url);
		disk = read_static(de->d_name, &len);
		assert_int_equal(f->len, len);
		assert_memory_equal(f->data, disk, len);
		assert_int_equal(f->data[f->len], '\0');
		free(disk);
		if (ends_with(url, ".html"))
			assert_string_equal(f->ctype, "text/html; charset=utf-8");
		if (ends_with(url, ".js"))
			assert_string_equal(f->ctype,
					    "text/javascript; charset=utf-8");
		if (ends_with(url, ".css"))
			assert_string_equal(f->ctype, "text/css; charset=utf-8");
		index_seen |= !strcmp(url, "/index.html");
		widget_seen |= !strcmp(url, "/widget.js");
	}
	closedir(d);
	assert_true(index_seen);
	assert_true(widget_seen);
	/* One entry per file, plus "/" for index.html: nothing stale. */
	assert_int_equal(web_static_count, files + 1);
}

static void test_root_is_index(void **state)
{
	const struct web_static_file *root = web_static_find("/");
	const struct web_static_file *index = web_static_find("/index.html");

	(void)state;
	assert_non_null(root);
	assert_non_null(index);
	assert_ptr_equal(root->data, index->data);
	assert_int_equal(root->len, index->len);
	assert_string_equal(root->etag, index->etag);
	assert_string_equal(root->ctype, "text/html; charset=utf-8");
	assert_non_null(strstr(root->data, "/widget.js"));
}

static void test_not_found(void **state)
{
	static const char *const paths[] = {
		"", "/../x", "/../widget.js", "/widget.js/", "//widget.js",
		"/WIDGET.JS", "/Widget.js", "widget.js", "/widget.js?v=1",
		"/widget.js ", " /widget.js", "/widget.js%00", "/./widget.js",
		"/static/widget.js", "/web/static/widget.js", "/index.htm",
		"/index.html/", "//", "/.", "/..", "/%2e%2e/x", "/demo/config",
		"/widget", "/.gitignore", "\\widget.js",
	};
	size_t i;

	(void)state;
	assert_null(web_static_find(NULL));
	for (i = 0; i < N(paths); i++) {
		if (web_static_find(paths[i]))
			fail_msg("\"%s\" was found", paths[i]);
	}
}

/* Strong ("…", never W/), 16 lower-case hex digits, one per content. */
static void test_etags(void **state)
{
	size_t i, j, k;

	(void)state;
	assert_true(web_static_count >= 2);
	for (i = 0; i < web_static_count; i++) {
		const struct web_static_file *f = &web_static_files[i];

		assert_int_equal(strlen(f->etag), 18);
		assert_int_equal(f->etag[0], '"');
		assert_int_equal(f->etag[17], '"');
		for (k = 1; k < 17; k++)
			assert_non_null(strchr("0123456789abcdef", f->etag[k]));
		if (i > 0)      /* sorted, so also unique */
			assert_true(strcmp(web_static_files[i - 1].path,
					   f->path) < 0);
		assert_ptr_equal(web_static_find(f->path), f);
		for (j = 0; j < i; j++) {
			const struct web_static_file *g = &web_static_files[j];
			bool same = g->len == f->len &&
				    !memcmp(g->data, f->data, f->len);

			if (same)
				assert_string_equal(g->etag, f->etag);
			else
				assert_string_not_equal(g->etag, f->etag);
		}
	}
}

struct fresh_case {
	const char *fmt;        /* @ = the file's ETag, # = another's */
	bool fresh;
};

static const struct fresh_case fresh_cases[] = {
	{"@", true},
	{"W/@", true},
	{" \t@\t ", true},
	{"*", true},
	{"  *  ", true},
	{"\"x\", @", true},
	{"#,@", true},
	{", ,@,", true},
	{"W/\"abc\" , W/@", true},
	{"", false},
	{"   ", false},
	{",", false},
	{"#", false},
	{"\"0123456789abcdef\"", false},
	{"\"\"", false},
	{"w/@", false},
	{"*, @", false},
	{"@, *", false},
	{"@ junk", false},
	{"junk @", false},
	{"@@", false},
	{"\"abc", false},
	{"\"a\"b\", @", false},
	{"\"a b\", @", false},
};

/* fmt with @ and # replaced by the two ETags. */
static void expand(char *out, size_t size, const char *fmt, const char *e1,
		   const char *e2)
{
	size_t n = 0, k;

	for (; *fmt; fmt++) {
		const char *s = *fmt == '@' ? e1 : *fmt == '#' ? e2 : NULL;

		k = s ? strlen(s) : 1;
		assert_true(n + k < size);
		memcpy(out + n, s ? s : fmt, k);
		n += k;
	}
	out[n] = '\0';
}

static void test_fresh(void **state)
{
	const struct web_static_file *f = web_static_find("/widget.js");
	const struct web_static_file *g = web_static_find("/index.html");
	char value[256], bare[32];
	size_t i, n;
	char *big;

	(void)state;
	assert_non_null(f);
	assert_non_null(g);
	for (i = 0; i < N(fresh_cases); i++) {
		expand(value, sizeof(value), fresh_cases[i].fmt, f->etag,
		       g->etag);
		if (web_static_fresh(f, value) != fresh_cases[i].fresh)
			fail_msg("If-None-Match: [%s] should %smatch %s", value,
				 fresh_cases[i].fresh ? "" : "not ", f->etag);
	}
	assert_false(web_static_fresh(f, NULL));
	assert_false(web_static_fresh(NULL, f->etag));
	/* The bare hex, unquoted, is not an entity-tag. */
	n = strlen(f->etag);
	memcpy(bare, f->etag + 1, n - 2);
	bare[n - 2] = '\0';
	assert_false(web_static_fresh(f, bare));

	/* Too long to look at: not fresh, even with the tag up front. */
	big = malloc(WEB_STATIC_INM_MAX + 64);
	assert_non_null(big);
	memset(big, ' ', WEB_STATIC_INM_MAX + 63);
	memcpy(big, f->etag, n);
	big[WEB_STATIC_INM_MAX + 63] = '\0';
	assert_false(web_static_fresh(f, big));
	big[WEB_STATIC_INM_MAX] = '\0';     /* exactly the limit: looked at */
	assert_true(web_static_fresh(f, big));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_every_file_found),
		leakcheck_test(test_root_is_index),
		leakcheck_test(test_not_found),
		leakcheck_test(test_etags),
		leakcheck_test(test_fresh),
	};

	return cmocka_run_group_tests_name("web/static", tests, NULL, NULL);
}
