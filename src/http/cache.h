/* The in-memory page cache: rendered pages by URL, dropped by dependency. */
#ifndef BL_CACHE_H
#define BL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "http/page.h"

/*
 * Thread-safe. Keys are normalised request paths ("/tag/police/page/2/").
 * Each page lists dependency keys ("article:12", "tag:police", "front");
 * page_cache_invalidate("tag:police") drops every page that lists it.
 *
 * A page rendered from data read before an invalidation must not be
 * stored after it: take a ticket with page_cache_ticket() before reading
 * the database and pass it to page_cache_put(), which refuses the page if
 * any invalidation happened since. There is one generation for the whole
 * cache, so any invalidation (or clear) makes every outstanding ticket
 * stale: conservative, and cheap.
 *
 * Invalidation scans every entry (fine up to tens of thousands of pages).
 *
 * Soft invalidation is for changes readers may see a moment late: a new
 * comment. page_cache_invalidate_soft() drops a page at once, as a hard
 * invalidation does, when its key had no soft invalidation in the last
 * `refresh_ms` (page_cache_set_refresh()): the first comment after a quiet
 * spell shows at once. During a burst it only marks the page stale: a
 * stale page is still served until it is `refresh_ms` old, then it counts
 * as missing and is built again. So under a burst of comments a page is
 * rebuilt at most once per `refresh_ms`, however many comments arrive. A
 * page put with a ticket that only burst-time soft invalidations made
 * stale is kept, marked stale, instead of refused.
 */
struct page_cache;

/* `max_bytes` bounds the memory held (all variants plus the key and a
 * small per-entry overhead); least recently used pages go first, and a
 * page bigger than the whole cache is never stored. Free with
 * page_cache_free(), which drops the cache's references. */
struct page_cache *page_cache_new(size_t max_bytes);
void page_cache_free(struct page_cache *c);
/* How long a softly invalidated page may still be served, in ms (0, the
 * default: soft invalidation drops pages as the hard one does). Call
 * before the cache is shared. */
void page_cache_set_refresh(struct page_cache *c, unsigned refresh_ms);

/* Returns a new reference to the cached page, or NULL. */
struct page *page_cache_get(struct page_cache *c, const char *key);
uint64_t page_cache_ticket(struct page_cache *c);
/* Stores `p` under `key` (copied), replacing any page there, unless the
 * ticket is stale or the page too big. Takes a reference of its own; the
 * caller keeps its one. */
void page_cache_put(struct page_cache *c, const char *key, struct page *p,
    uint64_t ticket);
/* Drops every page depending on `dep`, and the page stored under the key
 * `dep` if any. Pages still being sent stay alive through their refs. */
void page_cache_invalidate(struct page_cache *c, const char *dep);
/* The same for a change readers may see up to refresh_ms late (above). */
void page_cache_invalidate_soft(struct page_cache *c, const char *dep);
void page_cache_clear(struct page_cache *c);
/* Counters for tests and benchmarks. */
void page_cache_stats(struct page_cache *c, size_t *entries, size_t *bytes,
    uint64_t *hits, uint64_t *misses);

#endif
