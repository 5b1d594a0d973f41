/*
 * tests/fakes/alloc_jansson.c — point jansson's allocator at the counter,
 * before main() runs, in test programs that link jansson. Everything
 * jansson allocates (trees, json_dumps() text) is then counted, can be
 * made to fail, and is released through __wrap_free().
 */
#include <stddef.h>
#include <jansson.h>

#include "tests/fakes/alloc.h"

static void hook_jansson(void) __attribute__((constructor));

static void hook_jansson(void)
{
	json_set_alloc_funcs(__wrap_malloc, __wrap_free);
}
