/* Unit tests for src/http/cache.c: hits, dependency drops, tickets, LRU. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/cache.h"

static struct page *
sized_page(size_t n, char fill)
{
	struct bl_buf b = BL_BUF_INIT;
	struct page *p;
	size_t i;

	for (i = 0; i < n; i++)
		bl_buf_putc(&b, fill);
	p = page_new(200, "text/html", NULL, &b, 0);
	bl_buf_release(&b);
	return p;
}

/* Puts a fresh page under `key` and drops the caller's reference. */
static void
put_new(struct page_cache *c, const char *key, size_t n, const char *dep)
{
	struct page *p = sized_page(n, key[1]);

	if (dep != NULL)
		page_add_dep(p, dep);
	page_cache_put(c, key, p, page_cache_ticket(c));
	page_unref(p);
}

static int
has(struct page_cache *c, const char *key)
{
	struct page *p = page_cache_get(c, key);

	page_unref(p);
	return p != NULL;
}

Test(cache, get_put_and_counters)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page *p;
	size_t entries, bytes;
	uint64_t hits, misses;

	cr_assert_null(page_cache_get(c, "/a/"));
	put_new(c, "/a/", 100, NULL);
	p = page_cache_get(c, "/a/");
	cr_assert_not_null(p);
	cr_assert_eq(p->body[PAGE_IDENTITY].len, 100);
	page_unref(p);
	cr_assert_null(page_cache_get(c, "/b/"));
	page_cache_stats(c, &entries, &bytes, &hits, &misses);
	cr_assert_eq(entries, 1);
	cr_assert_geq(bytes, 100);
	cr_assert_eq(hits, 1);
	cr_assert_eq(misses, 2);
	page_cache_free(c);
}

Test(cache, put_replaces_same_key)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page *p;
	size_t entries;

	put_new(c, "/a/", 100, NULL);
	put_new(c, "/a/", 200, NULL);
	page_cache_stats(c, &entries, NULL, NULL, NULL);
	cr_assert_eq(entries, 1);
	p = page_cache_get(c, "/a/");
	cr_assert_eq(p->body[PAGE_IDENTITY].len, 200, "the newer page wins");
	page_unref(p);
	page_cache_free(c);
}

Test(cache, invalidate_drops_only_dependents)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page *p;
	size_t entries;

	p = sized_page(10, 'x');
	page_add_dep(p, "article:1");
	page_add_dep(p, "tag:police");
	page_cache_put(c, "/2024/story/", p, page_cache_ticket(c));
	page_unref(p);
	put_new(c, "/tag/police/", 10, "tag:police");
	put_new(c, "/tag/weather/", 10, "tag:weather");
	put_new(c, "/about/", 10, NULL);

	page_cache_invalidate(c, "tag:police");
	cr_assert(!has(c, "/2024/story/"));
	cr_assert(!has(c, "/tag/police/"));
	cr_assert(has(c, "/tag/weather/"));
	cr_assert(has(c, "/about/"));
	page_cache_stats(c, &entries, NULL, NULL, NULL);
	cr_assert_eq(entries, 2);

	page_cache_invalidate(c, "/about/");
	cr_assert(!has(c, "/about/"), "a key is its own dependency");
	page_cache_clear(c);
	cr_assert(!has(c, "/tag/weather/"));
	page_cache_free(c);
}

Test(cache, stale_ticket_is_refused)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page *p = sized_page(10, 'x');
	uint64_t t;

	t = page_cache_ticket(c);
	/* The article changes while the page is being rendered. */
	page_cache_invalidate(c, "article:7");
	page_cache_put(c, "/story/", p, t);
	cr_assert(!has(c, "/story/"), "a page rendered from old data got in");
	page_cache_put(c, "/story/", p, page_cache_ticket(c));
	cr_assert(has(c, "/story/"));
	page_unref(p);
	page_cache_free(c);
}

/* A new comment: pages showing it are rebuilt at most once per refresh
 * time, but an old page goes at once. */
Test(cache, soft_invalidation_keeps_young_pages_for_a_while)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct timespec pause = { 0, 80 * 1000000L };

	page_cache_set_refresh(c, 50);
	put_new(c, "/story/", 10, "article:7");
	put_new(c, "/other/", 10, "article:8");
	/* The first comment after a quiet spell: the page goes at once. */
	page_cache_invalidate_soft(c, "article:7");
	cr_assert(!has(c, "/story/"), "the first comment did not show at once");
	cr_assert(has(c, "/other/"));
	/* Rebuilt; the next comment comes within refresh_ms: a burst. The
	 * page is still served, marked stale... */
	put_new(c, "/story/", 10, "article:7");
	page_cache_invalidate_soft(c, "article:7");
	page_cache_invalidate_soft(c, "article:7");
	cr_assert(has(c, "/story/"), "a page was rebuilt for every comment of a burst");
	nanosleep(&pause, NULL);
	/* ...until it is refresh_ms old: then a miss. */
	cr_assert(!has(c, "/story/"), "a stale page was served too long");
	/* A page that was not invalidated stays. */
	cr_assert(has(c, "/other/"));
	/* After a quiet spell, at once again. */
	put_new(c, "/story/", 10, "article:7");
	nanosleep(&pause, NULL);
	page_cache_invalidate_soft(c, "article:7");
	cr_assert(!has(c, "/story/"), "a comment after a quiet spell was held back");
	page_cache_free(c);
}

Test(cache, soft_invalidation_with_no_refresh_time_is_hard)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page *p = sized_page(10, 'x');
	uint64_t t;

	put_new(c, "/story/", 10, "article:7");
	page_cache_invalidate_soft(c, "article:7");
	cr_assert(!has(c, "/story/"));
	/* And a page rendered meanwhile is refused, as after a hard one. */
	t = page_cache_ticket(c);
	page_cache_invalidate_soft(c, "article:7");
	page_cache_put(c, "/story/", p, t);
	cr_assert(!has(c, "/story/"));
	page_unref(p);
	page_cache_free(c);
}

Test(cache, page_built_across_a_soft_change_is_kept_stale)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page *p = sized_page(10, 'x');
	struct timespec pause = { 0, 80 * 1000000L };
	uint64_t t;

	page_add_dep(p, "article:7");
	page_cache_set_refresh(c, 50);
	/* The first comment after a quiet spell, while the page is
	 * rendered: the page is refused. */
	put_new(c, "/story/", 10, "article:7");
	t = page_cache_ticket(c);
	page_cache_invalidate_soft(c, "article:7");
	page_cache_put(c, "/story/", p, t);
	cr_assert(!has(c, "/story/"));
	/* Rebuilt: a burst is under way. A comment while the page is
	 * rendered: the page is kept (the comment shows once it is
	 * rebuilt)... */
	page_cache_put(c, "/story/", p, page_cache_ticket(c));
	t = page_cache_ticket(c);
	page_cache_invalidate_soft(c, "article:7");
	page_cache_put(c, "/story/", p, t);
	cr_assert(has(c, "/story/"));
	nanosleep(&pause, NULL);
	cr_assert(!has(c, "/story/"), "the page missing a comment stayed");
	/* ...while an edit (hard) while rendering keeps it out. */
	page_cache_put(c, "/story/", p, page_cache_ticket(c));
	t = page_cache_ticket(c);
	page_cache_invalidate_soft(c, "article:7");
	page_cache_invalidate(c, "article:9");
	page_cache_put(c, "/story/", p, t);
	cr_assert(!has(c, "/story/"));
	page_unref(p);
	page_cache_free(c);
}

/* A cache with room for three 1000-byte pages, holding /a/, /b/, /c/ put
 * in that order; *one is what one of them costs. */
static struct page_cache *
three_page_cache(size_t *one)
{
	struct page_cache *c = page_cache_new(1 << 20);

	put_new(c, "/a/", 1000, NULL);
	page_cache_stats(c, NULL, one, NULL, NULL);
	page_cache_free(c);
	c = page_cache_new(3 * *one + *one / 2);
	put_new(c, "/a/", 1000, NULL);
	put_new(c, "/b/", 1000, NULL);
	put_new(c, "/c/", 1000, NULL);
	return c;
}

Test(cache, evicts_unused_pages_first_by_bytes)
{
	struct page_cache *c;
	size_t one, entries, bytes;

	/* Learn what one 1000-byte page costs, then allow three. */
	c = three_page_cache(&one);
	cr_assert(has(c, "/a/"), "touch /a/ so /b/ is the oldest");
	put_new(c, "/d/", 1000, NULL);
	cr_assert(!has(c, "/b/"), "the least recently used page must go");
	cr_assert(has(c, "/a/"));
	cr_assert(has(c, "/c/"));
	cr_assert(has(c, "/d/"));
	page_cache_stats(c, &entries, &bytes, NULL, NULL);
	cr_assert_eq(entries, 3);
	cr_assert_leq(bytes, 3 * one + one / 2);

	put_new(c, "/huge/", 10 * 1000, NULL);
	cr_assert(!has(c, "/huge/"), "a page bigger than the cache is refused");
	cr_assert(has(c, "/a/"), "and evicts nothing");
	page_cache_free(c);
}

Test(cache, when_every_page_was_used_the_oldest_goes)
{
	struct page_cache *c;
	size_t one;

	/* Every page used since it was put: each gets its second chance,
	 * and then the oldest goes, as least-recently-used would have it. */
	c = three_page_cache(&one);
	cr_assert(has(c, "/a/"));
	cr_assert(has(c, "/b/"));
	cr_assert(has(c, "/c/"));
	put_new(c, "/d/", 1000, NULL);
	cr_assert(!has(c, "/a/"), "the oldest page must go");
	cr_assert(has(c, "/b/"));
	cr_assert(has(c, "/c/"));
	cr_assert(has(c, "/d/"));
	page_cache_free(c);
}

Test(cache, holder_keeps_evicted_page_alive)
{
	struct page_cache *c = page_cache_new(1 << 20);
	struct page *p;

	put_new(c, "/a/", 500, NULL);
	p = page_cache_get(c, "/a/");
	page_cache_clear(c);
	cr_assert(!has(c, "/a/"));
	/* Still ours: ASan would flag a use after free here. */
	cr_assert_eq(p->body[PAGE_IDENTITY].len, 500);
	cr_assert_eq(p->body[PAGE_IDENTITY].data[499], 'a');
	page_unref(p);
	page_cache_free(c);
}

Test(cache, grows_past_many_entries)
{
	struct page_cache *c = page_cache_new(64 << 20);
	char key[32];
	size_t entries;
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/p/%d/", i);
		put_new(c, key, 10, i % 2 ? "odd" : "even");
	}
	page_cache_stats(c, &entries, NULL, NULL, NULL);
	cr_assert_eq(entries, 5000);
	cr_assert(has(c, "/p/4321/"));
	page_cache_invalidate(c, "odd");
	page_cache_stats(c, &entries, NULL, NULL, NULL);
	cr_assert_eq(entries, 2500);
	cr_assert(!has(c, "/p/4321/"));
	cr_assert(has(c, "/p/4320/"));
	page_cache_free(c);
}

static void *
hammer(void *arg)
{
	struct page_cache *c = arg;
	char key[32];
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "/k/%d/", i % 50);
		if (i % 3 == 0)
			put_new(c, key, 100 + i % 7, i % 2 ? "dep:a" : "dep:b");
		else
			page_unref(page_cache_get(c, key));
		if (i % 97 == 0)
			page_cache_invalidate(c, "dep:a");
	}
	return NULL;
}

Test(cache, survives_concurrent_use)
{
	struct page_cache *c = page_cache_new(20 * 1000);
	pthread_t t[4];
	size_t bytes;
	int i;

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer, c);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	page_cache_stats(c, NULL, &bytes, NULL, NULL);
	cr_assert_leq(bytes, 20 * 1000, "the byte bound holds under load");
	page_cache_free(c);
}
