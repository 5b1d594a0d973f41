/*
 * tests/pint/oom_tel.c — allocation-failure scenarios for pint/tel.c.
 *
 * pint/tel never allocates, so no failure can reach it; the scenarios do
 * whole jobs and return EPROTO if an allocation was attempted at all, so
 * check-oom also guards that property.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tests/pint/oom.h"
#include "tests/fakes/alloc.h"
#include "pint/tel.h"

/* Parse, emit both RFC 2543 forms, check and mask one number. */
static int one_number(const char *in, const char *context,
		      enum pint_tel_kind want)
{
	char buf[PINT_TEL_RFC2543_SIZE], mask[PINT_TEL_RFC2543_SIZE];
	unsigned long before = alloc_count();
	struct pint_tel_error why;
	struct pint_tel tel;
	bool global;
	int err;

	err = pint_tel_parse(&tel, in, strlen(in), context, "to", &why);
	if (err)
		goto out;
	err = EPROTO;
	if (tel.kind != want)
		goto out;
	err = pint_tel_rfc2543(&tel, buf, sizeof(buf));
	if (err)
		goto out;
	err = pint_tel_check_rfc2543(buf, strlen(buf), &global);
	if (err)
		goto out;
	if (tel.e164[0]) {
		err = pint_tel_rfc2543_global(&tel, buf, sizeof(buf));
		if (err)
			goto out;
	}
	err = pint_tel_mask(tel.e164[0] ? tel.e164 : tel.grouped, mask,
			    sizeof(mask));
out:
	if (alloc_count() != before)
		err = EPROTO;
	return err;
}

static int oom_tel_global(void)
{
	return one_number("+1 (555) 555-0199", NULL, PINT_TEL_GLOBAL);
}

static int oom_tel_national(void)
{
	return one_number("0201 555 0142", "+44", PINT_TEL_NATIONAL);
}

static int oom_tel_local(void)
{
	return one_number("321", "X-acme.com-23", PINT_TEL_LOCAL);
}

/* A rejected number is the expected outcome here, not a failure. */
static int oom_tel_rejected(void)
{
	unsigned long before = alloc_count();
	struct pint_tel_error why;
	struct pint_tel tel;
	int err;

	err = pint_tel_parse(&tel, "1-800-FLOWERS", 13, "+1", "to", &why);
	if (err == EINVAL && why.reason == PINT_TEL_BAD_CHAR && why.pos == 7)
		err = 0;
	else
		err = EPROTO;
	if (alloc_count() != before)
		err = EPROTO;
	return err;
}

const struct oom_case oom_cases_tel[] = {
	{"tel_global", oom_tel_global},
	{"tel_national", oom_tel_national},
	{"tel_local", oom_tel_local},
	{"tel_rejected", oom_tel_rejected},
	{NULL, NULL},
};
