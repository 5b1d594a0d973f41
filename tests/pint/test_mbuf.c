/*
 * tests/pint/test_mbuf.c — pint/mbuf.c and pint/pl.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/mbuf.h"
#include "pint/pl.h"

static void test_append_and_printf(void **state)
{
	struct pint_mbuf mb;
	char *s;

	(void)state;
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, "v=0\r\n"), 0);
	assert_int_equal(pint_mbuf_printf(&mb, "o=- %u %u IN IP4 %s\r\n", 1u, 2u, "192.0.2.10"), 0);
	assert_string_equal(mb.buf, "v=0\r\no=- 1 2 IN IP4 192.0.2.10\r\n");
	assert_int_equal(mb.len, strlen(mb.buf));
	s = pint_mbuf_steal(&mb);
	assert_null(mb.buf);
	assert_string_equal(s, "v=0\r\no=- 1 2 IN IP4 192.0.2.10\r\n");
	free(s);
}

/* A buffer with slack (300 bytes in 512) is cut to its length when
 * stolen; the bytes stay as they were. */
static void test_steal_fits(void **state)
{
	struct pint_mbuf mb;
	char want[301];
	char *s;

	(void)state;
	memset(want, 'x', 300);
	want[300] = '\0';
	pint_mbuf_init(&mb, 0);
	assert_int_equal(pint_mbuf_puts(&mb, want), 0);
	assert_int_equal(mb.size, 512);
	s = pint_mbuf_steal(&mb);
	assert_non_null(s);
	assert_string_equal(s, want);
	assert_int_equal(mb.size, 0);
	assert_int_equal(mb.len, 0);
	free(s);
}

static void test_limit_is_hard(void **state)
{
	struct pint_mbuf mb;

	(void)state;
	pint_mbuf_init(&mb, 8);
	assert_int_equal(pint_mbuf_puts(&mb, "12345678"), 0);
	assert_int_equal(pint_mbuf_puts(&mb, "9"), EMSGSIZE);
	assert_int_equal(pint_mbuf_printf(&mb, "%d", 1), EMSGSIZE);
	assert_string_equal(mb.buf, "12345678");
	pint_mbuf_reset(&mb);
	assert_int_equal(pint_mbuf_printf(&mb, "%s", "123456789"), EMSGSIZE);
	assert_null(mb.buf);
	pint_mbuf_reset(&mb);
}

static void test_grows_past_first_block(void **state)
{
	struct pint_mbuf mb;
	size_t i;

	(void)state;
	pint_mbuf_init(&mb, 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(pint_mbuf_puts(&mb, "0123456789"), 0);
	assert_int_equal(mb.len, 10000);
	assert_int_equal(mb.buf[9999], '9');
	assert_int_equal(mb.buf[10000], '\0');
	pint_mbuf_reset(&mb);
}

static void test_alloc_failure_keeps_buffer(void **state)
{
	struct pint_mbuf mb;

	(void)state;
	pint_mbuf_init(&mb, 0);
	alloc_fail_at(1);
	assert_int_equal(pint_mbuf_puts(&mb, "x"), ENOMEM);
	assert_null(mb.buf);
	assert_int_equal(pint_mbuf_puts(&mb, "x"), 0);
	assert_string_equal(mb.buf, "x");
	pint_mbuf_reset(&mb);
}

static void test_steal_empty(void **state)
{
	struct pint_mbuf mb;
	char *s;

	(void)state;
	pint_mbuf_init(&mb, 0);
	s = pint_mbuf_steal(&mb);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_pl(void **state)
{
	struct pint_pl pl = pint_pl_str("  R2C \t");
	unsigned long long v;
	char *s;

	(void)state;
	pl = pint_pl_trim(pl);
	assert_true(pint_pl_eq(&pl, "R2C"));
	assert_true(pint_pl_caseeq(&pl, "r2c"));
	assert_false(pint_pl_eq(&pl, "R2"));
	assert_true(pint_pl_prefix(&pl, "R2"));
	assert_int_equal(pint_pl_strdup(&s, &pl), 0);
	assert_string_equal(s, "R2C");
	free(s);

	pl = pint_pl_str("18446744073709551615");
	assert_int_equal(pint_pl_u64(&pl, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	pl = pint_pl_str("18446744073709551616");
	assert_int_equal(pint_pl_u64(&pl, UINT64_MAX, &v), ERANGE);
	pl = pint_pl_str("700");
	assert_int_equal(pint_pl_u64(&pl, 699, &v), ERANGE);
	pl = pint_pl_str("-1");
	assert_int_equal(pint_pl_u64(&pl, 699, &v), EINVAL);
	pl = pint_pl_str("");
	assert_int_equal(pint_pl_u64(&pl, 699, &v), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_append_and_printf),
		leakcheck_test(test_limit_is_hard),
		leakcheck_test(test_grows_past_first_block),
		leakcheck_test(test_alloc_failure_keeps_buffer),
		leakcheck_test(test_steal_empty),
		leakcheck_test(test_steal_fits),
		leakcheck_test(test_pl),
	};

	return cmocka_run_group_tests_name("pint_mbuf", tests, NULL, NULL);
}
