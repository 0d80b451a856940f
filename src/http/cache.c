/* The page cache: a hash map, eviction by bytes, dependency drops. */
#include "http/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"

/*
 * A read-write lock guards the map and the list. Lookups only read: a hit
 * sets the entry's `referenced` flag instead of moving it in the list, so
 * the server threads never wait for each other on a hit (with one mutex,
 * a thread descheduled while holding it stalled the other for
 * milliseconds). Eviction is CLOCK, LRU's usual approximation: the entry
 * at the tail goes unless it was used since it last got there, in which
 * case it loses the flag and moves to the front (a second chance).
 *
 * page_cache_invalidate() scans every entry and its deps. That is linear in
 * the number of cached pages, which is fine for the tens of thousands of
 * entries a news site keeps hot (a scan of 50,000 entries is well under a
 * millisecond) and invalidations happen only when content changes.
 */
struct cache_ent {
	char *key;
	uint64_t hash;
	struct page *page;
	size_t bytes;              /* accounted size: bodies and key */
	struct cache_ent *hnext;   /* bucket chain */
	struct cache_ent *prev;    /* list, newest (or last spared) first */
	struct cache_ent *next;
	atomic_int referenced;     /* used since it was put or last spared */
};

struct page_cache {
	pthread_rwlock_t lock;
	struct cache_ent **buckets;
	size_t nbuckets;           /* a power of two */
	size_t entries;
	size_t bytes;
	size_t max_bytes;
	struct cache_ent *head;    /* most recently used */
	struct cache_ent *tail;    /* next to go */
	uint64_t gen;              /* bumped by every invalidation */
	_Atomic uint64_t hits;
	_Atomic uint64_t misses;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
};

#define CACHE_MIN_BUCKETS 64

static uint64_t
hash_key(const struct page_cache *c, const char *key)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	/* SipHash with a random key: request paths cannot force collisions. */
	crypto_shorthash(out, (const unsigned char *)key, strlen(key),
	    c->hkey);
	memcpy(&h, out, sizeof(h));
	return h;
}

static size_t
page_bytes(const struct page *p, const char *key)
{
	size_t n = sizeof(struct cache_ent) + strlen(key) + 1;
	int e;

	for (e = 0; e < PAGE_ENC__MAX; e++)
		n += p->body[e].len;
	n += p->gz_part[0].len + p->gz_part[1].len;
	return n;
}

struct page_cache *
page_cache_new(size_t max_bytes)
{
	struct page_cache *c;

	if (sodium_init() < 0)
		bl_fatal("cannot initialise libsodium");
	c = bl_xcalloc(1, sizeof(*c));
	if (pthread_rwlock_init(&c->lock, NULL) != 0)
		bl_fatal("cannot create the page cache lock");
	c->nbuckets = CACHE_MIN_BUCKETS;
	c->buckets = bl_xcalloc(c->nbuckets, sizeof(*c->buckets));
	c->max_bytes = max_bytes;
	c->gen = 1;
	randombytes_buf(c->hkey, sizeof(c->hkey));
	return c;
}

static void
lru_unlink(struct page_cache *c, struct cache_ent *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push_front(struct page_cache *c, struct cache_ent *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head != NULL)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static struct cache_ent **
find_slot(struct page_cache *c, const char *key, uint64_t h)
{
	struct cache_ent **pp;

	pp = &c->buckets[h & (c->nbuckets - 1)];
	while (*pp != NULL &&
	    ((*pp)->hash != h || strcmp((*pp)->key, key) != 0))
		pp = &(*pp)->hnext;
	return pp;
}

/* Unlinks `e` (found through *slot) and frees it; the page loses the
 * cache's reference only, so holders keep it alive. */
static void
drop(struct page_cache *c, struct cache_ent **slot, struct cache_ent *e)
{
	*slot = e->hnext;
	lru_unlink(c, e);
	c->entries--;
	c->bytes -= e->bytes;
	page_unref(e->page);
	free(e->key);
	free(e);
}

static void
drop_ent(struct page_cache *c, struct cache_ent *e)
{
	struct cache_ent **pp;

	pp = &c->buckets[e->hash & (c->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	drop(c, pp, e);
}

static void
grow(struct page_cache *c)
{
	struct cache_ent **nb, *e, *next;
	size_t i, n = c->nbuckets * 2;

	nb = bl_xcalloc(n, sizeof(*nb));
	for (i = 0; i < c->nbuckets; i++)
		for (e = c->buckets[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	free(c->buckets);
	c->buckets = nb;
	c->nbuckets = n;
}

static void
clear_locked(struct page_cache *c)
{
	while (c->head != NULL)
		drop_ent(c, c->head);
}

void
page_cache_free(struct page_cache *c)
{
	if (c == NULL)
		return;
	clear_locked(c);
	free(c->buckets);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

struct page *
page_cache_get(struct page_cache *c, const char *key)
{
	struct cache_ent *e;
	struct page *p = NULL;
	uint64_t h = hash_key(c, key);

	pthread_rwlock_rdlock(&c->lock);
	e = *find_slot(c, key, h);
	if (e != NULL) {
		if (!atomic_load_explicit(&e->referenced, memory_order_relaxed))
			atomic_store_explicit(&e->referenced, 1,
			    memory_order_relaxed);
		p = page_ref(e->page);
		atomic_fetch_add_explicit(&c->hits, 1, memory_order_relaxed);
	} else
		atomic_fetch_add_explicit(&c->misses, 1, memory_order_relaxed);
	pthread_rwlock_unlock(&c->lock);
	return p;
}

uint64_t
page_cache_ticket(struct page_cache *c)
{
	uint64_t t;

	pthread_rwlock_rdlock(&c->lock);
	t = c->gen;
	pthread_rwlock_unlock(&c->lock);
	return t;
}

void
page_cache_put(struct page_cache *c, const char *key, struct page *p,
    uint64_t ticket)
{
	struct cache_ent **slot, *e;
	uint64_t h = hash_key(c, key);
	size_t bytes = page_bytes(p, key);

	pthread_rwlock_wrlock(&c->lock);
	/* Rendered from data read before an invalidation, or too big to
	 * keep at all. */
	if (ticket != c->gen || bytes > c->max_bytes)
		goto out;
	slot = find_slot(c, key, h);
	if (*slot != NULL)
		drop(c, slot, *slot);
	while (c->tail != NULL && c->bytes + bytes > c->max_bytes) {
		e = c->tail;
		if (atomic_exchange_explicit(&e->referenced, 0,
		    memory_order_relaxed) && e != c->head) {
			lru_unlink(c, e);	/* a second chance */
			lru_push_front(c, e);
			continue;
		}
		drop_ent(c, e);
	}
	if (c->entries >= c->nbuckets)
		grow(c);
	e = bl_xcalloc(1, sizeof(*e));
	atomic_init(&e->referenced, 0);
	e->key = bl_xstrdup(key);
	e->hash = h;
	e->page = page_ref(p);
	e->bytes = bytes;
	e->hnext = c->buckets[h & (c->nbuckets - 1)];
	c->buckets[h & (c->nbuckets - 1)] = e;
	lru_push_front(c, e);
	c->entries++;
	c->bytes += bytes;
out:
	pthread_rwlock_unlock(&c->lock);
}

static int
depends_on(const struct cache_ent *e, const char *dep)
{
	size_t i;

	if (strcmp(e->key, dep) == 0)
		return 1;
	for (i = 0; i < e->page->ndeps; i++)
		if (strcmp(e->page->deps[i], dep) == 0)
			return 1;
	return 0;
}

void
page_cache_invalidate(struct page_cache *c, const char *dep)
{
	struct cache_ent *e, *next;

	pthread_rwlock_wrlock(&c->lock);
	c->gen++;
	for (e = c->head; e != NULL; e = next) {
		next = e->next;
		if (depends_on(e, dep))
			drop_ent(c, e);
	}
	pthread_rwlock_unlock(&c->lock);
}

void
page_cache_clear(struct page_cache *c)
{
	pthread_rwlock_wrlock(&c->lock);
	c->gen++;
	clear_locked(c);
	pthread_rwlock_unlock(&c->lock);
}

void
page_cache_stats(struct page_cache *c, size_t *entries, size_t *bytes,
    uint64_t *hits, uint64_t *misses)
{
	pthread_rwlock_rdlock(&c->lock);
	if (entries != NULL)
		*entries = c->entries;
	if (bytes != NULL)
		*bytes = c->bytes;
	pthread_rwlock_unlock(&c->lock);
	if (hits != NULL)
		*hits = atomic_load(&c->hits);
	if (misses != NULL)
		*misses = atomic_load(&c->misses);
}
