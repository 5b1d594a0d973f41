/*
 * pint/sipalloc.c — start-up and osip's allocators: the reserve that
 * contains osip's allocation failures, and the cache of its small blocks.
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pint/sip_priv.h"

/*
 * osip does not survive allocation failures (measured): several printers
 * realloc without a NULL check, list insertions leak, and a parse can
 * "succeed" with half-built headers. So osip never sees one: a failed osip
 * allocation is served from a per-thread reserve and counted, and every
 * wrapper then reports ENOMEM and frees what osip built, which returns the
 * reserve. This, the count and the block cache below are the only
 * mutable state in pint/.
 */
#define RESERVE_SIZE (256u * 1024u)

struct rhdr {                   /* in front of each reserve block */
	size_t size;
	size_t pad;             /* keeps 16-byte alignment */
};

static _Thread_local struct {
	unsigned char *base;    /* NULL: no reserve on this thread */
	size_t used;
	unsigned long live;
} rsv;

static _Thread_local unsigned long nomem;

static bool in_reserve(const void *p)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)rsv.base;

	return rsv.base && a >= b && a < b + RESERVE_SIZE;
}

static void *reserve_alloc(size_t size)
{
	size_t need = sizeof(struct rhdr) + ((size + 15) & ~(size_t)15);
	struct rhdr *h;

	nomem++;
	if (!rsv.base || size > RESERVE_SIZE || need > RESERVE_SIZE - rsv.used)
		return NULL;
	h = (struct rhdr *)(void *)(rsv.base + rsv.used);
	h->size = size;
	rsv.used += need;
	rsv.live++;
	return h + 1;
}

/*
 * A parse or a print makes and frees a hundred and more small blocks, and
 * glibc's per-thread cache keeps only 7 of each size: most of them take
 * the long way through its bins, and the few large ones (a message's
 * text, osip's copy of what it parses) make glibc consolidate its fast
 * bins each time. While pint_sip_cache_use() is on, osip's freed blocks
 * wait here for its next allocations: by size (glibc's usable sizes 24,
 * 40, 56, ... CACHE_SMALL_MAX bytes, last in first out, up to
 * CACHE_CLASS_BYTES of each size), and up to CACHE_LARGE larger ones.
 */
#define CACHE_BASE 24u
#define CACHE_GRAIN 16u
#define CACHE_SMALL_MAX 1032u
#define CACHE_CLASSES ((CACHE_SMALL_MAX - CACHE_BASE) / CACHE_GRAIN + 1)
#define CACHE_CLASS_BYTES (64u * 1024u)
#define CACHE_MAX_PER_CLASS 256u
#define CACHE_LARGE 8u
#define CACHE_LARGE_MAX (128u * 1024u)

struct cblk {
	struct cblk *next;
};

static _Thread_local struct {
	unsigned users;
	struct cblk *head[CACHE_CLASSES];
	unsigned n[CACHE_CLASSES];
	void *large[CACHE_LARGE];
	size_t large_size[CACHE_LARGE];         /* usable bytes, 0: empty */
} cache;

static void *cache_get(size_t size)
{
	size_t c, i;
	struct cblk *b;

	if (size > CACHE_SMALL_MAX) {
		for (i = 0; i < CACHE_LARGE; i++) {
			if (cache.large_size[i] >= size) {
				cache.large_size[i] = 0;
				return cache.large[i];
			}
		}
		return NULL;
	}
	c = size <= CACHE_BASE ? 0 :
	    (size - CACHE_BASE + CACHE_GRAIN - 1) / CACHE_GRAIN;
	b = cache.head[c];
	if (!b)
		return NULL;
	cache.head[c] = b->next;
	cache.n[c]--;
	return b;
}

/* Keep ptr (a malloc() block) for reuse; false: free it. */
static bool cache_put(void *ptr)
{
	size_t u, c, i;
	struct cblk *b = ptr;

	if (!cache.users)
		return false;
	u = malloc_usable_size(ptr);
	if (u > CACHE_SMALL_MAX) {
		for (i = 0; u <= CACHE_LARGE_MAX && i < CACHE_LARGE; i++) {
			if (!cache.large_size[i]) {
				cache.large[i] = ptr;
				cache.large_size[i] = u;
				return true;
			}
		}
		return false;
	}
	if (u < CACHE_BASE || (u - CACHE_BASE) % CACHE_GRAIN)
		return false;
	c = (u - CACHE_BASE) / CACHE_GRAIN;
	if (cache.n[c] >= CACHE_MAX_PER_CLASS ||
	    (cache.n[c] + 1) * u > CACHE_CLASS_BYTES)
		return false;
	b->next = cache.head[c];
	cache.head[c] = b;
	cache.n[c]++;
	return true;
}

/*
 * Turn the cache of osip's small blocks on this thread on (true) or off
 * (false, which frees what it holds). Calls nest: it stays on until each
 * "on" has had its "off". For long-lived users of the SIP stack (the
 * daemon's SIP side): blocks wait in it instead of going back to the
 * heap, up to CACHE_CLASSES * CACHE_CLASS_BYTES + CACHE_LARGE *
 * CACHE_LARGE_MAX bytes (in practice a few hundred kilobytes).
 */
void pint_sip_cache_use(bool on)
{
	size_t c;

	if (on) {
		cache.users++;
		return;
	}
	if (!cache.users || --cache.users)
		return;
	for (c = 0; c < CACHE_CLASSES; c++) {
		while (cache.head[c]) {
			struct cblk *b = cache.head[c];

			cache.head[c] = b->next;
			free(b);
		}
		cache.n[c] = 0;
	}
	for (c = 0; c < CACHE_LARGE; c++) {
		if (cache.large_size[c])
			free(cache.large[c]);
		cache.large_size[c] = 0;
	}
}

static void osip_free_hook(void *ptr)
{
	if (!ptr)
		return;
	if (!in_reserve(ptr)) {
		if (!cache_put(ptr))
			free(ptr);
		return;
	}
	if (--rsv.live == 0)
		rsv.used = 0;
}

static void *osip_malloc_hook(size_t size)
{
	void *p = cache_get(size);

	if (!p)
		p = malloc(size);
	return p ? p : reserve_alloc(size);
}

static void *osip_realloc_hook(void *ptr, size_t size)
{
	size_t old;
	void *p;

	if (!ptr)
		return osip_malloc_hook(size);
	if (!in_reserve(ptr)) {
		p = realloc(ptr, size);
		if (p || size == 0)
			return p;
	}
	/* ptr is still valid: move it by hand */
	old = in_reserve(ptr) ? ((struct rhdr *)ptr - 1)->size :
		malloc_usable_size(ptr);
	p = malloc(size);
	if (!p)
		p = reserve_alloc(size);
	if (!p)
		return NULL;
	memcpy(p, ptr, old < size ? old : size);
	osip_free_hook(ptr);
	return p;
}

static void trace_none(const char *fi, int li, osip_trace_level_t level,
		       const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

/*
 * Once at start-up, before any thread and before any other osip call:
 * osip's tables, its allocators with this thread's reserve (other threads
 * get none: osip failures there are not contained), and no tracing to
 * stderr (the daemon logs, libraries do not).
 */
int pint_sip_init(void)
{
	int lvl;

	if (!rsv.base) {
		rsv.base = malloc(RESERVE_SIZE);
		if (!rsv.base)
			return ENOMEM;
	}
	osip_set_allocators(osip_malloc_hook, osip_realloc_hook,
			    osip_free_hook);
	osip_trace_initialize_func(END_TRACE_LEVEL, trace_none);
	for (lvl = TRACE_LEVEL0; lvl < END_TRACE_LEVEL; lvl++)
		osip_trace_disable_level((osip_trace_level_t)lvl);
	if (parser_init() != 0)
		return ENOMEM;
	return 0;
}

/* The failure count now; compare with pint_sip_osip_err() later. */
unsigned long pint_sip_nomem_mark(void)
{
	return nomem;
}

/*
 * The one translation of osip return codes: ENOMEM when osip said so or an
 * allocation failed since mark (whatever osip returned), dflt for any
 * other negative code, else 0.
 */
int pint_sip_osip_err(int rc, unsigned long mark, int dflt)
{
	if (rc == OSIP_NOMEM || nomem != mark)
		return ENOMEM;
	return rc < 0 ? dflt : 0;
}
