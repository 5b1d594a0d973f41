/*
 * pint/heap.c — binary min-heap of embedded timers.
 */
#include <errno.h>
#include <stdlib.h>

#include "pint/heap.h"

/* An idle timer; tag tells its owner which timer fired. */
void pint_timer_init(struct pint_timer *t, uint32_t tag)
{
	t->due = 0;
	t->seq = 0;
	t->idx = 0;
	t->tag = tag;
}

/* True while the timer sits in a heap. */
bool pint_timer_armed(const struct pint_timer *t)
{
	return t->idx != 0;
}

/* An empty heap; allocates nothing until timers are armed or reserved. */
void pint_heap_init(struct pint_heap *h)
{
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
	h->seq = 0;
}

/*
 * Free the array. Timers still armed are forgotten, not touched: the
 * caller frees their owners anyway.
 */
void pint_heap_reset(struct pint_heap *h)
{
	free(h->v);
	pint_heap_init(h);
}

/* Make room for n armed timers so that arming up to n cannot fail. */
int pint_heap_reserve(struct pint_heap *h, size_t n)
{
	struct pint_timer **v;
	size_t cap;

	if (n <= h->cap)
		return 0;
	if (n > PINT_HEAP_MAX)
		return ENOMEM;
	/* double so that reserving one more each time stays amortised O(1) */
	cap = h->cap ? h->cap : 16;
	while (cap < n)
		cap *= 2;
	if (cap > PINT_HEAP_MAX)
		cap = PINT_HEAP_MAX;
	v = realloc(h->v, cap * sizeof(*v));
	if (!v)
		return ENOMEM;
	h->v = v;
	h->cap = cap;
	return 0;
}

/* a fires before b: earlier deadline, or armed earlier for the same one */
static bool less(const struct pint_timer *a, const struct pint_timer *b)
{
	if (a->due != b->due)
		return a->due < b->due;
	return a->seq < b->seq;
}

static void place(struct pint_heap *h, size_t i, struct pint_timer *t)
{
	h->v[i] = t;
	t->idx = (uint32_t)(i + 1);
}

static void sift_up(struct pint_heap *h, size_t i)
{
	struct pint_timer *t = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!less(t, h->v[parent]))
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, t);
}

static void sift_down(struct pint_heap *h, size_t i)
{
	struct pint_timer *t = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && less(h->v[c + 1], h->v[c]))
			c++;
		if (!less(h->v[c], t))
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

/*
 * Arm t to fire at due (re-arming an armed timer moves it, and it then
 * counts as armed last among equal deadlines). ENOMEM only when the
 * array must grow and cannot; the timer is then left idle.
 */
int pint_heap_arm(struct pint_heap *h, struct pint_timer *t, uint64_t due)
{
	int err;

	pint_heap_disarm(h, t);
	err = pint_heap_reserve(h, h->n + 1);
	if (err)
		return err;
	t->due = due;
	t->seq = h->seq++;
	h->v[h->n] = t;
	t->idx = (uint32_t)(h->n + 1);
	h->n++;
	sift_up(h, h->n - 1);
	return 0;
}

/* Take t out of the heap; nothing happens if it is not armed. */
void pint_heap_disarm(struct pint_heap *h, struct pint_timer *t)
{
	size_t i;
	struct pint_timer *last;

	if (!t->idx)
		return;
	i = t->idx - 1;
	t->idx = 0;
	h->n--;
	if (i == h->n)
		return;
	last = h->v[h->n];
	h->v[i] = last;
	last->idx = (uint32_t)(i + 1);
	if (i > 0 && less(last, h->v[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

/* The timer that fires first, or NULL when none is armed. */
struct pint_timer *pint_heap_peek(const struct pint_heap *h)
{
	return h->n ? h->v[0] : NULL;
}

/* Number of armed timers. */
size_t pint_heap_count(const struct pint_heap *h)
{
	return h->n;
}
