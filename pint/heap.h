/*
 * pint/heap.h — binary min-heap of timers embedded in their owners.
 *
 * The heap owns only its array of pointers; each struct pint_timer lives in
 * the object it times and remembers its heap slot, so arming and disarming
 * are O(log n) and need no search. Equal deadlines fire in arming order.
 * Arming never allocates once pint_heap_reserve() has made room.
 */
#ifndef PINT_HEAP_H
#define PINT_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pint_timer {
	uint64_t due;   /* absolute ms */
	uint64_t seq;   /* arming order, breaks ties between equal deadlines */
	uint32_t idx;   /* heap slot + 1; 0 = not armed (so zeroed = idle) */
	uint32_t tag;   /* free for the owner: which of its timers this is */
};

struct pint_heap {
	struct pint_timer **v;
	size_t n;
	size_t cap;
	uint64_t seq;
};

/* Largest number of armed timers (idx is 32 bits). */
#define PINT_HEAP_MAX 0x7fffffffu

void pint_timer_init(struct pint_timer *t, uint32_t tag);
bool pint_timer_armed(const struct pint_timer *t);

void pint_heap_init(struct pint_heap *h);
void pint_heap_reset(struct pint_heap *h);
int pint_heap_reserve(struct pint_heap *h, size_t n);

int pint_heap_arm(struct pint_heap *h, struct pint_timer *t, uint64_t due);
void pint_heap_disarm(struct pint_heap *h, struct pint_timer *t);

struct pint_timer *pint_heap_peek(const struct pint_heap *h);
size_t pint_heap_count(const struct pint_heap *h);

#endif
