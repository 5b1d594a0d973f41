/*
 * tests/pint/test_heap.c — pint/heap.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/heap.h"

#define N 2000

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* Every slot knows its index and no child fires before its parent. */
static void check_invariants(const struct pint_heap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		const struct pint_timer *t = h->v[i], *p;

		assert_int_equal(t->idx, i + 1);
		if (i == 0)
			continue;
		p = h->v[(i - 1) / 2];
		assert_true(p->due < t->due ||
			    (p->due == t->due && p->seq < t->seq));
	}
}

static struct pint_timer *pop(struct pint_heap *h)
{
	struct pint_timer *t = pint_heap_peek(h);

	if (t)
		pint_heap_disarm(h, t);
	return t;
}

static void test_pops_in_deadline_order(void **state)
{
	static struct pint_timer t[N];
	struct pint_heap h;
	struct pint_timer *prev = NULL, *cur;
	uint32_t seed = 42;
	size_t i, n = 0;

	(void)state;
	pint_heap_init(&h);
	for (i = 0; i < N; i++) {
		pint_timer_init(&t[i], (uint32_t)i);
		/* few distinct values, so many ties */
		assert_int_equal(pint_heap_arm(&h, &t[i], lcg(&seed) % 97), 0);
	}
	check_invariants(&h);
	assert_int_equal(pint_heap_count(&h), N);
	while ((cur = pop(&h))) {
		assert_false(pint_timer_armed(cur));
		if (prev) {
			assert_true(prev->due <= cur->due);
			if (prev->due == cur->due)
				assert_true(prev->tag < cur->tag);
		}
		prev = cur;
		n++;
	}
	assert_int_equal(n, N);
	pint_heap_reset(&h);
}

static void test_equal_deadlines_fire_in_arming_order(void **state)
{
	static struct pint_timer t[100];
	struct pint_heap h;
	size_t i;

	(void)state;
	pint_heap_init(&h);
	/* arm in an order unrelated to the slot order in memory */
	for (i = 0; i < 100; i++) {
		size_t k = (i * 37) % 100;

		pint_timer_init(&t[k], (uint32_t)i);
		assert_int_equal(pint_heap_arm(&h, &t[k], 500), 0);
	}
	for (i = 0; i < 100; i++)
		assert_int_equal(pop(&h)->tag, i);
	assert_null(pop(&h));
	pint_heap_reset(&h);
}

static void test_disarm_anywhere(void **state)
{
	static struct pint_timer t[N];
	struct pint_heap h;
	uint32_t seed = 7;
	uint64_t last = 0;
	size_t i, left = N;
	struct pint_timer *cur;

	(void)state;
	pint_heap_init(&h);
	for (i = 0; i < N; i++) {
		pint_timer_init(&t[i], (uint32_t)i);
		assert_int_equal(pint_heap_arm(&h, &t[i], lcg(&seed) % 10000), 0);
	}
	for (i = 0; i < N; i += 3) {
		pint_heap_disarm(&h, &t[i]);
		pint_heap_disarm(&h, &t[i]);    /* idle: no-op */
		left--;
		check_invariants(&h);
	}
	assert_int_equal(pint_heap_count(&h), left);
	while ((cur = pop(&h))) {
		assert_true(cur->tag % 3 != 0);
		assert_true(cur->due >= last);
		last = cur->due;
		left--;
	}
	assert_int_equal(left, 0);
	pint_heap_reset(&h);
}

static void test_rearm_moves_timer(void **state)
{
	struct pint_timer a, b, c;
	struct pint_heap h;

	(void)state;
	pint_heap_init(&h);
	pint_timer_init(&a, 1);
	pint_timer_init(&b, 2);
	pint_timer_init(&c, 3);
	assert_int_equal(pint_heap_arm(&h, &a, 100), 0);
	assert_int_equal(pint_heap_arm(&h, &b, 100), 0);
	assert_int_equal(pint_heap_arm(&h, &c, 50), 0);
	/* re-arming a at the same deadline puts it behind b */
	assert_int_equal(pint_heap_arm(&h, &a, 100), 0);
	assert_int_equal(pint_heap_count(&h), 3);
	assert_ptr_equal(pop(&h), &c);
	assert_ptr_equal(pop(&h), &b);
	assert_ptr_equal(pop(&h), &a);
	/* moving later and earlier */
	assert_int_equal(pint_heap_arm(&h, &a, 10), 0);
	assert_int_equal(pint_heap_arm(&h, &b, 20), 0);
	assert_int_equal(pint_heap_arm(&h, &a, 30), 0);
	assert_ptr_equal(pint_heap_peek(&h), &b);
	assert_int_equal(pint_heap_arm(&h, &a, 5), 0);
	assert_ptr_equal(pint_heap_peek(&h), &a);
	pint_heap_reset(&h);
	assert_null(pint_heap_peek(&h));
}

static void test_reserve_makes_arming_allocation_free(void **state)
{
	static struct pint_timer t[300];
	struct pint_heap h;
	size_t i;

	(void)state;
	pint_heap_init(&h);
	assert_int_equal(pint_heap_reserve(&h, 300), 0);
	alloc_fail_at(1);
	for (i = 0; i < 300; i++) {
		pint_timer_init(&t[i], 0);
		assert_int_equal(pint_heap_arm(&h, &t[i], i), 0);
	}
	assert_int_equal(alloc_failed(), 0);
	alloc_fail_at(0);
	pint_heap_reset(&h);
}

static void test_alloc_failure_leaves_timer_idle(void **state)
{
	struct pint_timer t;
	struct pint_heap h;

	(void)state;
	pint_heap_init(&h);
	pint_timer_init(&t, 0);
	alloc_fail_at(1);
	assert_int_equal(pint_heap_arm(&h, &t, 1), ENOMEM);
	assert_false(pint_timer_armed(&t));
	assert_int_equal(pint_heap_count(&h), 0);
	assert_int_equal(pint_heap_arm(&h, &t, 1), 0);
	assert_true(pint_timer_armed(&t));
	pint_heap_reset(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_pops_in_deadline_order),
		leakcheck_test(test_equal_deadlines_fire_in_arming_order),
		leakcheck_test(test_disarm_anywhere),
		leakcheck_test(test_rearm_moves_timer),
		leakcheck_test(test_reserve_makes_arming_allocation_free),
		leakcheck_test(test_alloc_failure_leaves_timer_idle),
	};

	return cmocka_run_group_tests_name("pint_heap", tests, NULL, NULL);
}
