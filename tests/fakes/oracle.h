/*
 * tests/fakes/oracle.h — for the tests that hold a JSON writer against
 * jansson: inputs (text of every kind a writer escapes, copies or cleans,
 * times across the years it writes, SIP codes to the ends of int) and the
 * check of an output against jansson's. Every draw comes from the
 * caller's test_rand() state; strings are static.
 */
#ifndef TESTS_FAKES_ORACLE_H
#define TESTS_FAKES_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void test_escaped_text(char *buf, size_t size);
bool test_one_in(uint64_t *s, unsigned n);
const char *test_text(uint64_t *s);
int64_t test_when(uint64_t *s);
int test_sip_code(uint64_t *s);
void test_same_json(char *got, char *want);

#endif
