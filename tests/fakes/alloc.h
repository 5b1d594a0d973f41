/*
 * tests/fakes/alloc.h — allocation counter and failure injection.
 *
 * Test programs are linked with -Wl,--wrap=malloc,calloc,realloc,free so
 * every allocation made by code in the program (and by osip, jansson and
 * expat, whose allocator hooks point here) is counted. A test passes only
 * when it frees what it allocated; check-oom makes the k-th allocation
 * fail and accepts only success or a clean ENOMEM.
 */
#ifndef TESTS_FAKES_ALLOC_H
#define TESTS_FAKES_ALLOC_H

#include <stddef.h>

long alloc_live(void);
unsigned long alloc_count(void);
void alloc_fail_at(unsigned long k);
unsigned long alloc_failed(void);

/* cmocka setup/teardown pair: teardown fails the test on a leak. */
int alloc_setup(void **state);
int alloc_teardown(void **state);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void __wrap_free(void *ptr);

#endif
