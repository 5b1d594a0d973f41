/*
 * tests/fuzz/fuzz_dialoginfo.c — pint_dinfo_parse() on arbitrary bytes.
 *
 * There is no encoder to round-trip through, so a success is checked
 * against the parser's promises instead: every dialog has an id and a
 * state, every string is terminated within its array, enumerations and
 * codes are in range, and a second parse of the same bytes agrees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pint/dialoginfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s)
{
	if (!memchr(s, '\0', PINT_DINFO_MAX_STR + 1))
		abort();
}

static void check_doc(const struct pint_dinfo *di)
{
	size_t i, j;

	if (di->state != PINT_DINFO_FULL && di->state != PINT_DINFO_PARTIAL)
		abort();
	if (di->ndialogs > PINT_DINFO_MAX_DIALOGS)
		abort();
	check_str(di->entity);
	for (i = 0; i < di->ndialogs; i++) {
		const struct pint_dinfo_dialog *d = &di->dialogs[i];

		check_str(d->id);
		if (d->id[0] == '\0')
			abort();
		for (j = 0; j < i; j++) {
			if (!strcmp(d->id, di->dialogs[j].id))
				abort();
		}
		if (d->state < PINT_DINFO_TRYING || d->state > PINT_DINFO_TERMINATED)
			abort();
		if (d->event > PINT_DINFO_EV_UNKNOWN)
			abort();
		if (d->direction > PINT_DINFO_RECIPIENT)
			abort();
		if (d->code && (d->code < 100 || d->code > 699))
			abort();
		check_str(d->call_id);
		check_str(d->local_tag);
		check_str(d->remote_tag);
		check_str(d->local.identity);
		check_str(d->local.display);
		check_str(d->local.target);
		check_str(d->remote.identity);
		check_str(d->remote.display);
		check_str(d->remote.target);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pint_dinfo *di = NULL, *again = NULL;
	struct pint_dinfo_track tr;
	enum pint_dinfo_verdict v;
	int err;

	err = pint_dinfo_parse(&di, (const char *)data, size);
	if (err)
		return 0;
	check_doc(di);

	if (pint_dinfo_parse(&again, (const char *)data, size) != 0)
		abort();
	if (memcmp(di, again, sizeof(*di)) != 0)
		abort();

	pint_dinfo_track_init(&tr);
	if (pint_dinfo_track_check(&tr, di, &v) != 0 || v == PINT_DINFO_STALE)
		abort();
	if (pint_dinfo_track_check(&tr, again, &v) != 0 || v != PINT_DINFO_STALE)
		abort();

	pint_dinfo_free(again);
	pint_dinfo_free(di);
	return 0;
}
