/*
 * tests/pint/oom.h — allocation-failure scenarios for make check-oom.
 *
 * Each scenario does one complete piece of work with the pint/ API and
 * returns 0 or the errno it got. It must free everything it allocated on
 * every path. The driver runs it with allocation k failing, k = 1, 2, …,
 * until a run needs fewer than k allocations, and accepts only 0 or
 * ENOMEM, no leak and no crash.
 */
#ifndef TESTS_PINT_OOM_H
#define TESTS_PINT_OOM_H

struct oom_case {
	const char *name;
	int (*run)(void);
};

/* One table per module, ended by {NULL, NULL}. */
extern const struct oom_case oom_cases_mbuf[];
extern const struct oom_case oom_cases_dialoginfo[];
extern const struct oom_case oom_cases_digest[];
extern const struct oom_case oom_cases_tel[];
extern const struct oom_case oom_cases_sdp[];
extern const struct oom_case oom_cases_req[];
extern const struct oom_case oom_cases_gwset[];
extern const struct oom_case oom_cases_sip[];
extern const struct oom_case oom_cases_status[];
extern const struct oom_case oom_cases_service[];
extern const struct oom_case oom_cases_tsx[];
extern const struct oom_case oom_cases_ua[];

#endif
