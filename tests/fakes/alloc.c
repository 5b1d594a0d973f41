/*
 * tests/fakes/alloc.c — allocation counter and failure injection.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tests/fakes/alloc.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);

/* atomic: a library's own threads (curl's resolver) allocate too */
static atomic_long live;
static atomic_ulong count;
static unsigned long fail_at;   /* 0 = never; else the count that fails */
static unsigned long failed;

/* Allocations not yet freed. */
long alloc_live(void)
{
	return live;
}

/* Allocation attempts so far (failed ones included). */
unsigned long alloc_count(void)
{
	return count;
}

/* Make the k-th allocation from now fail once (k >= 1); 0 disarms. */
void alloc_fail_at(unsigned long k)
{
	fail_at = k ? count + k : 0;
}

/* How many allocations were made to fail. */
unsigned long alloc_failed(void)
{
	return failed;
}

static int should_fail(void)
{
	unsigned long n = atomic_fetch_add(&count, 1) + 1;

	if (fail_at && n == fail_at) {
		failed++;
		return 1;
	}
	return 0;
}

void *__wrap_malloc(size_t size)
{
	void *p;

	if (should_fail())
		return NULL;
	p = __real_malloc(size);
	if (p)
		live++;
	return p;
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
	void *p;

	if (should_fail())
		return NULL;
	p = __real_calloc(nmemb, size);
	if (p)
		live++;
	return p;
}

void *__wrap_realloc(void *ptr, size_t size)
{
	void *p;

	if (!ptr)
		return __wrap_malloc(size);
	if (size == 0) {
		__wrap_free(ptr);
		return NULL;
	}
	if (should_fail())
		return NULL;
	p = __real_realloc(ptr, size);
	return p;
}

void __wrap_free(void *ptr)
{
	if (!ptr)
		return;
	live--;
	__real_free(ptr);
}

static long mark;

int alloc_setup(void **state)
{
	(void)state;
	mark = live;
	return 0;
}

int alloc_teardown(void **state)
{
	(void)state;
	if (live != mark) {
		print_error("leak: %ld allocation(s) not freed\n", live - mark);
		return -1;
	}
	return 0;
}
