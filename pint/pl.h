/*
 * pint/pl.h — pointer-length views into text the caller owns.
 *
 * A view never owns its bytes: it lives as long as the buffer it points
 * into. Parsers return views; builders take NUL-terminated strings.
 */
#ifndef PINT_PL_H
#define PINT_PL_H

#include <stdbool.h>
#include <stddef.h>

struct pint_pl {
	const char *p;
	size_t l;
};

#define PINT_PL_INIT {NULL, 0}
#define PINT_PL(s) ((struct pint_pl){(s), sizeof(s) - 1})

struct pint_pl pint_pl_str(const char *s);
bool pint_pl_isset(const struct pint_pl *pl);
bool pint_pl_eq(const struct pint_pl *pl, const char *s);
bool pint_pl_caseeq(const struct pint_pl *pl, const char *s);
bool pint_pl_prefix(const struct pint_pl *pl, const char *prefix);
struct pint_pl pint_pl_trim(struct pint_pl pl);
int pint_pl_u64(const struct pint_pl *pl, unsigned long long max,
		unsigned long long *valp);
int pint_pl_strdup(char **dstp, const struct pint_pl *pl);

#endif
