/*
 * tests/pint/oom_mbuf.c — allocation-failure scenarios for pint/mbuf.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "pint/mbuf.h"
#include "tests/pint/oom.h"

static int grow_and_steal(void)
{
	struct pint_mbuf mb;
	char *s;
	int i, err = 0;

	pint_mbuf_init(&mb, 0);
	for (i = 0; i < 200 && !err; i++)
		err = pint_mbuf_printf(&mb, "a=fmtp:plain uri:https://example.com/%d\r\n", i);
	if (err)
		goto out;
	s = pint_mbuf_steal(&mb);
	if (!s) {
		err = ENOMEM;
		goto out;
	}
	free(s);
out:
	pint_mbuf_reset(&mb);
	return err;
}

const struct oom_case oom_cases_mbuf[] = {
	{"mbuf: grow and steal", grow_and_steal},
	{NULL, NULL},
};
