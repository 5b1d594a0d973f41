/*
 * tests/pint/test_sipalloc.c — the cache of osip's small blocks
 * (pint_sip_cache_use): the same results with it, what it keeps and
 * frees, nesting, and allocation failures still clean through it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/sip.h"

/* The cache's bound in blocks: 64 sizes of at most 256, 8 large ones. */
#define MAX_CACHED (64 * 256 + 8)

static int group_setup(void **state)
{
	(void)state;
	return pint_sip_init();
}

static const char notify[] =
	"NOTIFY sip:pintgw@192.0.2.10:5060 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-c1;rport\r\n"
	"From: <sip:R2C@pint.example.net>;tag=g1\r\n"
	"To: <sip:pintgw@192.0.2.10>;tag=p1\r\n"
	"Call-ID: cache-1@192.0.2.20\r\n"
	"CSeq: 2 NOTIFY\r\n"
	"Contact: <sip:192.0.2.20:5060>\r\n"
	"Event: telephone-event\r\n"
	"Subscription-State: active;expires=600\r\n"
	"Warning: 399 gw.example.net \"ringing, then answered\"\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 5\r\n\r\nv=0\r\n";

/* Parse notify, answer it and print the answer: the text, or NULL. */
static char *answer_once(size_t *lenp)
{
	osip_message_t *m = NULL, *r = NULL;
	char *s = NULL;
	int err;

	err = pint_sip_parse(&m, notify, sizeof(notify) - 1, NULL);
	if (!err)
		err = pint_sip_response(&r, m, 200, NULL, "t1");
	if (!err)
		err = pint_sip_to_str(r, &s, lenp);
	osip_message_free(r);
	osip_message_free(m);
	return err ? NULL : s;
}

/* The same text with the cache on; its blocks go back when it is off. */
static void test_same_results(void **state)
{
	long live = alloc_live();
	char *plain, *cached;
	size_t n1, n2;
	int i;

	(void)state;
	plain = answer_once(&n1);
	assert_non_null(plain);
	pint_sip_cache_use(true);
	for (i = 0; i < 50; i++) {
		cached = answer_once(&n2);
		assert_non_null(cached);
		assert_int_equal(n1, n2);
		assert_memory_equal(plain, cached, n1);
		free(cached);
	}
	/* blocks wait in the cache, and are reused rather than added to */
	assert_true(alloc_live() > live + 1);
	assert_true(alloc_live() < live + 1 + 2000);
	pint_sip_cache_use(false);
	free(plain);
	assert_int_equal(alloc_live(), live);
}

/* Nested uses: only the last "off" empties it; a stray "off" is harmless. */
static void test_nesting(void **state)
{
	long live = alloc_live();
	osip_message_t *m = NULL;

	(void)state;
	pint_sip_cache_use(false);
	pint_sip_cache_use(true);
	pint_sip_cache_use(true);
	assert_int_equal(pint_sip_parse(&m, notify, sizeof(notify) - 1, NULL),
			 0);
	osip_message_free(m);
	assert_true(alloc_live() > live);
	pint_sip_cache_use(false);
	assert_true(alloc_live() > live);
	pint_sip_cache_use(false);
	assert_int_equal(alloc_live(), live);
	pint_sip_cache_use(false);
	assert_int_equal(alloc_live(), live);
}

/* Many messages freed at once: the cache keeps a bounded number. */
static void test_bound(void **state)
{
	osip_message_t *m[64];
	long live = alloc_live();
	size_t i;

	(void)state;
	pint_sip_cache_use(true);
	for (i = 0; i < 64; i++) {
		m[i] = NULL;
		assert_int_equal(pint_sip_parse(&m[i], notify,
						sizeof(notify) - 1, NULL), 0);
	}
	for (i = 0; i < 64; i++)
		osip_message_free(m[i]);
	assert_true(alloc_live() <= live + MAX_CACHED);
	pint_sip_cache_use(false);
	assert_int_equal(alloc_live(), live);
}

/* Any allocation failing with the cache on still gives a clean ENOMEM. */
static void test_nomem_with_cache(void **state)
{
	unsigned long k, before;
	bool done = false;
	size_t n, n0;
	char *s, *plain;
	long live;

	(void)state;
	plain = answer_once(&n0);
	assert_non_null(plain);
	live = alloc_live();
	pint_sip_cache_use(true);
	for (k = 1; !done; k++) {
		before = alloc_failed();
		alloc_fail_at(k);
		s = answer_once(&n);
		alloc_fail_at(0);
		done = alloc_failed() == before;
		/* ENOMEM, or the same text (a failed realloc is retried) */
		assert_true(s || !done);
		if (s) {
			assert_int_equal(n, n0);
			assert_memory_equal(s, plain, n0);
		}
		free(s);
		/* start each round from an empty cache, as a daemon does */
		pint_sip_cache_use(false);
		assert_int_equal(alloc_live(), live);
		pint_sip_cache_use(true);
	}
	assert_true(k > 50);
	pint_sip_cache_use(false);
	assert_int_equal(alloc_live(), live);
	free(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_same_results),
		leakcheck_test(test_nesting),
		leakcheck_test(test_bound),
		leakcheck_test(test_nomem_with_cache),
	};

	return cmocka_run_group_tests_name("sipalloc", tests, group_setup,
					   NULL);
}
