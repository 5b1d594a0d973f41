/*
 * pint/hash.h — intrusive chained hash table with incremental resizing.
 *
 * Nodes are embedded in the caller's objects; the table owns only its
 * bucket arrays and never frees a node. Growing or shrinking moves a few
 * buckets per insert/remove (two tables while it runs), so no single call
 * pays for the whole table. Keys are the caller's: it hashes them (SipHash
 * with a secret key for text that peers choose) and compares them.
 */
#ifndef PINT_HASH_H
#define PINT_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pint_hash_node {
	struct pint_hash_node *next;
	uint64_t hash;
};

struct pint_hash_tab {
	struct pint_hash_node **b;
	size_t size;    /* buckets, a power of two, 0 = none */
	size_t used;    /* nodes */
};

struct pint_hash {
	struct pint_hash_tab t[2];      /* t[1] is set only while resizing */
	size_t moved;   /* buckets of t[0] already moved into t[1] */
};

#define PINT_HASH_MIN_SIZE 16u
#define PINT_HASH_SIPKEY_LEN 16u

/* True when node holds the key the caller looks for. */
typedef bool (pint_hash_eq_h)(const struct pint_hash_node *node,
			      const void *key, void *arg);
/* Visits one node; it may free it (the walk has read ->next already). */
typedef void (pint_hash_visit_h)(struct pint_hash_node *node, void *arg);

void pint_hash_init(struct pint_hash *h);
void pint_hash_reset(struct pint_hash *h, pint_hash_visit_h *fn, void *arg);

int pint_hash_insert(struct pint_hash *h, struct pint_hash_node *n,
		     uint64_t hash);
void pint_hash_remove(struct pint_hash *h, struct pint_hash_node *n);
struct pint_hash_node *pint_hash_find(const struct pint_hash *h, uint64_t hash,
				      pint_hash_eq_h *eq, const void *key,
				      void *arg);
size_t pint_hash_count(const struct pint_hash *h);
void pint_hash_foreach(const struct pint_hash *h, pint_hash_visit_h *fn,
		       void *arg);

uint64_t pint_hash_sip(const uint8_t key[PINT_HASH_SIPKEY_LEN],
		       const void *p, size_t len);
uint64_t pint_hash_u64(uint64_t x);

#endif
