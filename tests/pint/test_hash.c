/*
 * tests/pint/test_hash.c — pint/hash.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pint/test_common.h"
#include "pint/hash.h"

struct item {
	struct pint_hash_node node;     /* first: the cast below relies on it */
	uint64_t key;
	int seen;
};

static bool item_eq(const struct pint_hash_node *n, const void *key, void *arg)
{
	(void)arg;
	return ((const struct item *)(const void *)n)->key ==
	       *(const uint64_t *)key;
}

static struct item *find(const struct pint_hash *h, uint64_t key, uint64_t hash)
{
	return (struct item *)(void *)pint_hash_find(h, hash, item_eq, &key,
						     NULL);
}

static void test_siphash_reference_vectors(void **state)
{
	/* SipHash-2-4 paper, key 00..0f, message 00..len-1 */
	static const struct {
		size_t len;
		uint64_t want;
	} v[] = {
		{ 0, 0x726fdb47dd0e0e31ull },
		{ 1, 0x74f839c593dc67fdull },
		{ 7, 0xab0200f58b01d137ull },
		{ 8, 0x93f5f5799a932462ull },
		{ 15, 0xa129ca6149be45e5ull },
	};
	uint8_t key[16], msg[16];
	size_t i;

	(void)state;
	for (i = 0; i < 16; i++)
		key[i] = msg[i] = (uint8_t)i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(pint_hash_sip(key, msg, v[i].len) == v[i].want);
	/* another key, another value */
	key[0] ^= 1;
	assert_true(pint_hash_sip(key, msg, 0) != v[0].want);
}

#define MANY 100000

static void test_many_grow_and_shrink_incrementally(void **state)
{
	struct item *items;
	struct pint_hash h;
	size_t i, max_size = 0;
	bool saw_resize = false;

	(void)state;
	items = calloc(MANY, sizeof(*items));
	assert_non_null(items);
	pint_hash_init(&h);
	for (i = 0; i < MANY; i++) {
		size_t before = h.moved;
		bool was = h.t[1].b != NULL;

		items[i].key = i;
		assert_int_equal(pint_hash_insert(&h, &items[i].node,
						  pint_hash_u64(i)), 0);
		/* no insert moves more than a handful of buckets */
		if (was && h.t[1].b)
			assert_true(h.moved - before <= 40);
		if (h.t[1].b && !saw_resize) {
			size_t k;

			/* mid-resize: everything is still found */
			saw_resize = true;
			for (k = 0; k <= i; k++)
				assert_ptr_equal(find(&h, k, pint_hash_u64(k)),
						 &items[k]);
		}
		if (h.t[0].size > max_size)
			max_size = h.t[0].size;
	}
	assert_true(saw_resize);
	assert_int_equal(pint_hash_count(&h), MANY);
	/* grown to keep load around 1 */
	assert_true(max_size >= MANY / 2);
	for (i = 0; i < MANY; i++)
		assert_ptr_equal(find(&h, i, pint_hash_u64(i)), &items[i]);
	assert_null(find(&h, MANY, pint_hash_u64(MANY)));

	for (i = 0; i < MANY; i += 2)
		pint_hash_remove(&h, &items[i].node);
	for (i = 0; i < MANY; i++) {
		struct item *it = find(&h, i, pint_hash_u64(i));

		assert_ptr_equal(it, i % 2 ? &items[i] : NULL);
	}
	for (i = 1; i < MANY; i += 2)
		pint_hash_remove(&h, &items[i].node);
	assert_int_equal(pint_hash_count(&h), 0);
	/* shrunk back on the way down */
	assert_true(h.t[0].size + h.t[1].size < max_size);
	pint_hash_reset(&h, NULL, NULL);
	free(items);
}

static void test_full_collisions(void **state)
{
	struct item it[50];
	struct pint_hash h;
	size_t i;

	(void)state;
	pint_hash_init(&h);
	for (i = 0; i < 50; i++) {
		it[i].key = i;
		/* every node under one hash value */
		assert_int_equal(pint_hash_insert(&h, &it[i].node, 7), 0);
	}
	for (i = 0; i < 50; i++)
		assert_ptr_equal(find(&h, i, 7), &it[i]);
	assert_null(find(&h, 3, 8));
	pint_hash_remove(&h, &it[25].node);
	assert_null(find(&h, 25, 7));
	assert_ptr_equal(find(&h, 24, 7), &it[24]);
	assert_ptr_equal(find(&h, 26, 7), &it[26]);
	assert_int_equal(pint_hash_count(&h), 49);
	pint_hash_reset(&h, NULL, NULL);
}

static void count_visit(struct pint_hash_node *n, void *arg)
{
	((struct item *)(void *)n)->seen++;
	(*(size_t *)arg)++;
}

static void free_visit(struct pint_hash_node *n, void *arg)
{
	(*(size_t *)arg)++;
	free(n);
}

static void test_foreach_and_reset_visit_each_once(void **state)
{
	struct pint_hash h;
	size_t i, visits = 0;
	struct item *first = NULL;

	(void)state;
	pint_hash_init(&h);
	for (i = 0; i < 1000; i++) {
		struct item *it = calloc(1, sizeof(*it));

		assert_non_null(it);
		it->key = i;
		if (!first)
			first = it;
		assert_int_equal(pint_hash_insert(&h, &it->node,
						  pint_hash_u64(i)), 0);
	}
	/* some of them are in t[1] by now */
	pint_hash_foreach(&h, count_visit, &visits);
	assert_int_equal(visits, 1000);
	assert_int_equal(first->seen, 1);
	visits = 0;
	pint_hash_reset(&h, free_visit, &visits);
	assert_int_equal(visits, 1000);
	assert_int_equal(pint_hash_count(&h), 0);
	assert_null(h.t[0].b);
}

static void test_allocation_failures(void **state)
{
	struct item it[40];
	struct pint_hash h;
	unsigned long failed0 = alloc_failed();
	size_t i;

	(void)state;
	pint_hash_init(&h);
	it[0].key = 0;
	alloc_fail_at(1);
	assert_int_equal(pint_hash_insert(&h, &it[0].node, 0), ENOMEM);
	assert_int_equal(pint_hash_count(&h), 0);
	for (i = 0; i < 40; i++) {
		it[i].key = i;
		/* the grow at 17 fails: the insert still succeeds */
		if (i == PINT_HASH_MIN_SIZE)
			alloc_fail_at(1);
		assert_int_equal(pint_hash_insert(&h, &it[i].node,
						  pint_hash_u64(i)), 0);
		if (i == PINT_HASH_MIN_SIZE) {
			assert_int_equal(alloc_failed() - failed0, 2);
			assert_null(h.t[1].b);
		}
	}
	/* a later insert grew it */
	assert_true(h.t[0].size > PINT_HASH_MIN_SIZE || h.t[1].b);
	for (i = 0; i < 40; i++)
		assert_ptr_equal(find(&h, i, pint_hash_u64(i)), &it[i]);
	pint_hash_reset(&h, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		leakcheck_test(test_siphash_reference_vectors),
		leakcheck_test(test_many_grow_and_shrink_incrementally),
		leakcheck_test(test_full_collisions),
		leakcheck_test(test_foreach_and_reset_visit_each_once),
		leakcheck_test(test_allocation_failures),
	};

	return cmocka_run_group_tests_name("pint_hash", tests, NULL, NULL);
}
