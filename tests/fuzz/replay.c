/*
 * tests/fuzz/replay.c — runs a fuzz target over its seed corpus in
 * make check (TAP), so every seed and every past crash is a regression
 * test in the ordinary and the sanitizer builds. FUZZ_NAME names the
 * corpus folder tests/fuzz/corpus/FUZZ_NAME.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SRCDIR
#error "SRCDIR must name the source tree"
#endif
#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the corpus"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char dir[4096], path[8192];
	char *names[4096];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", SRCDIR, FUZZ_NAME);
	d = opendir(dir);
	if (!d) {
		printf("1..1\nnot ok 1 - cannot open %s\n", dir);
		return 1;
	}
	while ((de = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		names[n] = malloc(len + 1);
		if (!names[n])
			return 1;
		memcpy(names[n], de->d_name, len + 1);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);

	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		FILE *f;
		uint8_t *buf;
		long len;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0) {
			printf("not ok %zu - %s: unreadable\n", i + 1, names[i]);
			if (f)
				fclose(f);
			continue;
		}
		/* An exact-size copy so ASan sees any read past the end. */
		buf = malloc(len ? (size_t)len : 1);
		if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			printf("not ok %zu - %s: short read\n", i + 1, names[i]);
			free(buf);
			fclose(f);
			continue;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		printf("ok %zu - %s %s\n", i + 1, FUZZ_NAME, names[i]);
		free(names[i]);
	}
	return 0;
}
