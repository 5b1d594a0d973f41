/*
 * pint/pl.c — pointer-length views.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pint/pl.h"

/* A view of a NUL-terminated string (NULL gives the empty, unset view). */
struct pint_pl pint_pl_str(const char *s)
{
	struct pint_pl pl = {s, s ? strlen(s) : 0};

	return pl;
}

/* True when the view points somewhere, even at zero bytes. */
bool pint_pl_isset(const struct pint_pl *pl)
{
	return pl && pl->p != NULL;
}

/* Byte-exact comparison with a NUL-terminated string. */
bool pint_pl_eq(const struct pint_pl *pl, const char *s)
{
	size_t n = strlen(s);

	return pl->l == n && (n == 0 || memcmp(pl->p, s, n) == 0);
}

/* ASCII case-insensitive comparison with a NUL-terminated string. */
bool pint_pl_caseeq(const struct pint_pl *pl, const char *s)
{
	size_t n = strlen(s);

	return pl->l == n && (n == 0 || strncasecmp(pl->p, s, n) == 0);
}

/* True when the view starts with prefix (byte-exact). */
bool pint_pl_prefix(const struct pint_pl *pl, const char *prefix)
{
	size_t n = strlen(prefix);

	return pl->l >= n && (n == 0 || memcmp(pl->p, prefix, n) == 0);
}

/* The view without leading and trailing spaces and tabs. */
struct pint_pl pint_pl_trim(struct pint_pl pl)
{
	while (pl.l > 0 && (pl.p[0] == ' ' || pl.p[0] == '\t')) {
		pl.p++;
		pl.l--;
	}
	while (pl.l > 0 && (pl.p[pl.l - 1] == ' ' || pl.p[pl.l - 1] == '\t'))
		pl.l--;

	return pl;
}

/*
 * Decimal digits only (no sign, no spaces), at most max.
 * EINVAL for an empty view or a non-digit, ERANGE above max.
 */
int pint_pl_u64(const struct pint_pl *pl, unsigned long long max,
		unsigned long long *valp)
{
	unsigned long long v = 0;
	size_t i;

	if (!pl || pl->l == 0)
		return EINVAL;

	for (i = 0; i < pl->l; i++) {
		unsigned d;

		if (pl->p[i] < '0' || pl->p[i] > '9')
			return EINVAL;
		d = (unsigned)(pl->p[i] - '0');
		if (v > (max - d) / 10)
			return ERANGE;
		v = v * 10 + d;
	}

	*valp = v;
	return 0;
}

/* A NUL-terminated heap copy of the view; the caller frees it. */
int pint_pl_strdup(char **dstp, const struct pint_pl *pl)
{
	char *s = malloc(pl->l + 1);

	if (!s)
		return ENOMEM;
	if (pl->l)
		memcpy(s, pl->p, pl->l);
	s[pl->l] = '\0';

	*dstp = s;
	return 0;
}
