/*
 * tests/fakes/alloc_libs.c — point the libraries' allocators at the
 * counter, before main() runs, in test programs that link them.
 */
#include <stddef.h>
#include <osipparser2/osip_port.h>
#include <osipparser2/osip_parser.h>

#include "tests/fakes/alloc.h"

static void hook_allocators(void) __attribute__((constructor));

static void hook_allocators(void)
{
	osip_set_allocators(__wrap_malloc, __wrap_realloc, __wrap_free);
}
