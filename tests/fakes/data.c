/*
 * tests/fakes/data.c — fixture files from tests/data/, and reproducible
 * pseudo-random inputs.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/pint/test_common.h"

#ifndef SRCDIR
#error "SRCDIR must name the source tree"
#endif

char *test_read_file(const char *rel, size_t *lenp)
{
	char path[4096];
	FILE *f;
	char *buf = NULL;
	long n = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/tests/data/%s", SRCDIR, rel) >= sizeof(path))
		fail_msg("path too long: %s", rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		fail_msg("cannot size %s", path);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read on %s", path);
	fclose(f);
	buf[n] = '\0';
	if (lenp)
		*lenp = (size_t)n;
	return buf;
}

uint64_t test_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}
