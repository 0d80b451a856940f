/* The page cache: a hash map, eviction by bytes, dependency drops. */
#include "http/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	/* Soft invalidation (cache.h), monotonic ms: served until
	 * stale_until when that is not 0; soft_ms is the last soft
	 * invalidation of this key, kept when the page is rebuilt. */
	_Atomic int64_t stale_until;
	int64_t built_ms;
	int64_t soft_ms;
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
	uint64_t hard_gen;         /* gen of the last hard one (or clear) */
	unsigned refresh_ms;       /* how long a stale page is still served */
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

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	c->hard_gen = 1;
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
page_cache_set_refresh(struct page_cache *c, unsigned refresh_ms)
{
	c->refresh_ms = refresh_ms;
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
	/* A stale page past its time counts as missing; the page built
	 * next replaces it. */
	if (e != NULL) {
		int64_t until = atomic_load_explicit(&e->stale_until,
		    memory_order_relaxed);

		if (until != 0 && now_ms() >= until)
			e = NULL;
	}
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
	int64_t soft = 0, now = now_ms();

	pthread_rwlock_wrlock(&c->lock);
	/* Rendered from data read before a hard invalidation, or too big
	 * to keep at all. After soft ones only, it is kept as stale: it
	 * may lack a comment, which it shows once refresh_ms is over. */
	if (ticket < c->hard_gen || bytes > c->max_bytes)
		goto out;
	slot = find_slot(c, key, h);
	if (*slot != NULL) {
		soft = (*slot)->soft_ms;
		drop(c, slot, *slot);
	}
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
	e->built_ms = now;
	e->soft_ms = soft;
	atomic_init(&e->stale_until, ticket != c->gen ?
	    now + (int64_t)c->refresh_ms : 0);
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
	c->hard_gen = ++c->gen;
	for (e = c->head; e != NULL; e = next) {
		next = e->next;
		if (depends_on(e, dep))
			drop_ent(c, e);
	}
	pthread_rwlock_unlock(&c->lock);
}

void
page_cache_invalidate_soft(struct page_cache *c, const char *dep)
{
	struct cache_ent *e, *next;
	int64_t now = now_ms();
	int burst = 0, quiet = 0;

	pthread_rwlock_wrlock(&c->lock);
	c->gen++;
	for (e = c->head; e != NULL; e = next) {
		next = e->next;
		if (!depends_on(e, dep))
			continue;
		/* The first change after a quiet spell: the page goes now
		 * (kept as an entry that no longer serves, so that the
		 * page built next remembers when this happened). During a
		 * burst: served until it is refresh_ms old. */
		if (now - e->soft_ms >= (int64_t)c->refresh_ms) {
			atomic_store_explicit(&e->stale_until, now,
			    memory_order_relaxed);
			quiet = 1;
		} else {
			if (atomic_load_explicit(&e->stale_until,
			    memory_order_relaxed) == 0)
				atomic_store_explicit(&e->stale_until,
				    e->built_ms + (int64_t)c->refresh_ms,
				    memory_order_relaxed);
			burst = 1;
		}
		e->soft_ms = now;
	}
	/* Unless every page it touched is in a burst, this change must show
	 * at once: a page rendered before it is refused, as after a hard
	 * invalidation. */
	if (quiet || !burst)
		c->hard_gen = c->gen;
	pthread_rwlock_unlock(&c->lock);
}

void
page_cache_clear(struct page_cache *c)
{
	pthread_rwlock_wrlock(&c->lock);
	c->hard_gen = ++c->gen;
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
