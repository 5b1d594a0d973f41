/*
 * pint/hash.c — intrusive chained hash table with incremental resizing,
 * and the SipHash-2-4 function used to key it.
 */
#include <errno.h>
#include <stdlib.h>

#include "pint/hash.h"

/*
 * Work per insert/remove while resizing: move up to STEP_CHAINS non-empty
 * buckets of t[0], looking at no more than STEP_VISITS buckets. A grow
 * doubles at load 1, so its move (size buckets, most of them full) ends
 * long before the new table fills; a shrink starts below load 1/8, where
 * most buckets are empty and cheap to skip, and targets load <= 1/2.
 */
#define STEP_CHAINS 4
#define STEP_VISITS 40

/* An empty table; the first insert allocates PINT_HASH_MIN_SIZE buckets. */
void pint_hash_init(struct pint_hash *h)
{
	h->t[0].b = NULL;
	h->t[0].size = 0;
	h->t[0].used = 0;
	h->t[1] = h->t[0];
	h->moved = 0;
}

static bool resizing(const struct pint_hash *h)
{
	return h->t[1].b != NULL;
}

static size_t slot(const struct pint_hash_tab *t, uint64_t hash)
{
	return (size_t)(hash & (uint64_t)(t->size - 1));
}

static void push(struct pint_hash_tab *t, struct pint_hash_node *n)
{
	size_t i = slot(t, n->hash);

	n->next = t->b[i];
	t->b[i] = n;
	t->used++;
}

static void step(struct pint_hash *h)
{
	int chains = 0, visits = 0;

	while (resizing(h) && chains < STEP_CHAINS && visits++ < STEP_VISITS) {
		struct pint_hash_node *n = h->t[0].b[h->moved];

		h->t[0].b[h->moved] = NULL;
		if (n)
			chains++;
		while (n) {
			struct pint_hash_node *next = n->next;

			h->t[0].used--;
			push(&h->t[1], n);
			n = next;
		}
		if (++h->moved == h->t[0].size) {
			free(h->t[0].b);
			h->t[0] = h->t[1];
			h->t[1].b = NULL;
			h->t[1].size = 0;
			h->t[1].used = 0;
			h->moved = 0;
		}
	}
}

/* Start moving into a table of size buckets; a failed allocation waits. */
static void start_resize(struct pint_hash *h, size_t size)
{
	struct pint_hash_node **b;

	if (size == h->t[0].size || size > SIZE_MAX / sizeof(*b))
		return;
	b = calloc(size, sizeof(*b));
	if (!b)
		return;
	h->t[1].b = b;
	h->t[1].size = size;
	h->t[1].used = 0;
	h->moved = 0;
}

/*
 * Link n under hash. The caller checks for duplicates first if it cares.
 * ENOMEM only when the table has no buckets yet and they cannot be
 * allocated; a failed grow is retried on a later insert.
 */
int pint_hash_insert(struct pint_hash *h, struct pint_hash_node *n,
		     uint64_t hash)
{
	if (!h->t[0].b) {
		h->t[0].b = calloc(PINT_HASH_MIN_SIZE, sizeof(*h->t[0].b));
		if (!h->t[0].b)
			return ENOMEM;
		h->t[0].size = PINT_HASH_MIN_SIZE;
		h->t[0].used = 0;
	}
	n->hash = hash;
	if (resizing(h)) {
		step(h);
		push(resizing(h) ? &h->t[1] : &h->t[0], n);
		return 0;
	}
	push(&h->t[0], n);
	if (h->t[0].used > h->t[0].size)
		start_resize(h, h->t[0].size * 2);
	return 0;
}

static bool unlink_from(struct pint_hash_tab *t, struct pint_hash_node *n)
{
	struct pint_hash_node **pp;

	if (!t->b)
		return false;
	for (pp = &t->b[slot(t, n->hash)]; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->used--;
			return true;
		}
	}
	return false;
}

static size_t shrink_target(size_t used)
{
	size_t size = PINT_HASH_MIN_SIZE;

	while (size < 2 * used)
		size *= 2;
	return size;
}

/* Unlink n, which must be in the table. Never allocates except to shrink. */
void pint_hash_remove(struct pint_hash *h, struct pint_hash_node *n)
{
	struct pint_hash_tab *t0 = &h->t[0];
	bool moved = resizing(h) && slot(t0, n->hash) < h->moved;

	/* a node not yet moved may still be new, i.e. inserted into t[1] */
	if (moved || !unlink_from(t0, n))
		unlink_from(&h->t[1], n);
	if (resizing(h)) {
		step(h);
		return;
	}
	if (t0->size > PINT_HASH_MIN_SIZE && t0->used < t0->size / 8)
		start_resize(h, shrink_target(t0->used));
}

static struct pint_hash_node *scan(struct pint_hash_node *n, uint64_t hash,
				   pint_hash_eq_h *eq, const void *key,
				   void *arg)
{
	for (; n; n = n->next) {
		if (n->hash == hash && eq(n, key, arg))
			return n;
	}
	return NULL;
}

/* The first node under hash for which eq() holds, or NULL. */
struct pint_hash_node *pint_hash_find(const struct pint_hash *h, uint64_t hash,
				      pint_hash_eq_h *eq, const void *key,
				      void *arg)
{
	const struct pint_hash_tab *t0 = &h->t[0];
	struct pint_hash_node *n = NULL;

	if (!t0->b)
		return NULL;
	if (!resizing(h) || slot(t0, hash) >= h->moved)
		n = scan(t0->b[slot(t0, hash)], hash, eq, key, arg);
	if (!n && resizing(h))
		n = scan(h->t[1].b[slot(&h->t[1], hash)], hash, eq, key, arg);
	return n;
}

/* Number of linked nodes. */
size_t pint_hash_count(const struct pint_hash *h)
{
	return h->t[0].used + h->t[1].used;
}

/*
 * Call fn on every node, in no particular order. fn may free the node it
 * is given but must not insert or remove.
 */
void pint_hash_foreach(const struct pint_hash *h, pint_hash_visit_h *fn,
		       void *arg)
{
	int k;
	size_t i;

	for (k = 0; k < 2; k++) {
		const struct pint_hash_tab *t = &h->t[k];

		for (i = 0; t->b && i < t->size; i++) {
			struct pint_hash_node *n = t->b[i];

			while (n) {
				struct pint_hash_node *next = n->next;

				fn(n, arg);
				n = next;
			}
		}
	}
}

/*
 * Free the bucket arrays after handing every node to fn (may be NULL);
 * the table is empty and usable again.
 */
void pint_hash_reset(struct pint_hash *h, pint_hash_visit_h *fn, void *arg)
{
	if (fn)
		pint_hash_foreach(h, fn, arg);
	free(h->t[0].b);
	free(h->t[1].b);
	pint_hash_init(h);
}

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = rotl(v[2], 32);
}

static void sipblock(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

/*
 * SipHash-2-4 of p[0..len) under a 16-byte secret key, so that peers who
 * choose branch values cannot aim them all at one bucket.
 */
uint64_t pint_hash_sip(const uint8_t key[PINT_HASH_SIPKEY_LEN],
		       const void *p, size_t len)
{
	const uint8_t *in = p;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v[4] = {
		k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
		k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull,
	};
	uint64_t last = (uint64_t)len << 56;
	size_t i, tail = len & 7;

	for (i = 0; i + 8 <= len; i += 8)
		sipblock(v, le64(in + i));
	while (tail--)
		last |= (uint64_t)in[i + tail] << (8 * tail);
	sipblock(v, last);
	v[2] ^= 0xff;
	sipround(v);
	sipround(v);
	sipround(v);
	sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Mix an integer key (ours, not a peer's) over all 64 bits (splitmix64). */
uint64_t pint_hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}
