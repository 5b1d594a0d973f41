/*
 * tests/pint/test_common.h — what every cmocka test program includes.
 */
#ifndef TESTS_COMMON_H
#define TESTS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/fakes/alloc.h"

/* A test that must leave no allocation behind. */
#define leakcheck_test(f) cmocka_unit_test_setup_teardown(f, alloc_setup, alloc_teardown)

/* Read SRCDIR/tests/data/<rel> into a NUL-terminated heap buffer. */
char *test_read_file(const char *rel, size_t *lenp);

/* xorshift64 over *s (nonzero): the same "random" numbers on every run. */
uint64_t test_rand(uint64_t *s);

#endif
