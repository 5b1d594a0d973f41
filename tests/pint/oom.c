/*
 * tests/pint/oom.c — make check-oom: every scenario of every pint/ module
 * is run with allocation k failing, k = 1, 2, 3 … until a run completes
 * without reaching k. Each run must return 0 or ENOMEM, free everything it
 * allocated, and not crash (the sanitizer build catches the rest).
 * Output is TAP, one line per scenario. libosip2 itself does not survive
 * allocation failures; pint_sip_init() puts it behind pint/sip's reserve,
 * so a failure inside osip surfaces as ENOMEM from the pint/ wrapper.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pint/sip.h"
#include "tests/fakes/alloc.h"
#include "tests/pint/oom.h"

static const struct oom_case *const tables[] = {
	oom_cases_mbuf,
	oom_cases_ua,
	oom_cases_tsx,
	oom_cases_service,
	oom_cases_status,
	oom_cases_sip,
	oom_cases_gwset,
	oom_cases_req,
	oom_cases_sdp,
	oom_cases_tel,
	oom_cases_dialoginfo,
	oom_cases_digest,
};

#define OOM_MAX_K 100000ul

static int run_case(const struct oom_case *c, unsigned long *runsp)
{
	unsigned long k;

	for (k = 1; k <= OOM_MAX_K; k++) {
		long live = alloc_live();
		unsigned long before = alloc_failed();
		int err;

		alloc_fail_at(k);
		err = c->run();
		alloc_fail_at(0);

		if (alloc_live() != live) {
			printf("# %s: k=%lu leaked %ld allocation(s) (err=%d)\n",
			       c->name, k, alloc_live() - live, err);
			return 1;
		}
		if (alloc_failed() == before) {
			/* Allocation k was never reached: the full run. */
			if (err != 0) {
				printf("# %s: unfailed run returned %d (%s)\n",
				       c->name, err, strerror(err));
				return 1;
			}
			*runsp = k;
			return 0;
		}
		if (err != 0 && err != ENOMEM) {
			printf("# %s: k=%lu returned %d (%s), want 0 or ENOMEM\n",
			       c->name, k, err, strerror(err));
			return 1;
		}
	}
	printf("# %s: more than %lu allocations\n", c->name, OOM_MAX_K);
	return 1;
}

int main(void)
{
	size_t t, n = 0, failed = 0;
	const struct oom_case *c;

	/* osip behind its allocation reserve, as in the daemon. */
	if (pint_sip_init() != 0) {
		printf("1..0 # pint_sip_init failed\n");
		return 1;
	}
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (c = tables[t]; c->name; c++)
			n++;
	printf("1..%zu\n", n);

	n = 0;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (c = tables[t]; c->name; c++) {
			unsigned long runs = 0;
			int bad = run_case(c, &runs);

			failed += (size_t)bad;
			printf("%s %zu - %s (%lu failure points)\n",
			       bad ? "not ok" : "ok", ++n, c->name, runs ? runs - 1 : 0);
		}
	}
	printf("# oom: %zu passed, %zu failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
