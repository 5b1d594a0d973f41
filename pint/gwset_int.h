/*
 * pint/gwset_int.h — private to pint/gwset.c and pint/gwset_conf.c.
 *
 * A copy owns one string block (strs) that every string of conf points
 * into; whoever holds the copy frees strs.
 */
#ifndef PINT_GWSET_INT_H
#define PINT_GWSET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pint/gwset.h"

/* A validated, owned copy of one configuration entry. */
struct pint_gwset_copy {
	char *strs;                     /* one block: every string of conf */
	struct pint_gwset_conf conf;    /* points into strs, defaults applied */
	uint8_t bin[1 + PINT_GWSET_MAX_ADDRS][16];  /* peer, then addrs */
	size_t nbin;
};

bool pint_gwset_ip(const char *s, uint8_t out[16]);
int pint_gwset_copy(struct pint_gwset_copy *gc,
		    const struct pint_gwset_conf *c);

#endif
