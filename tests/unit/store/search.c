/* Tests for search on many matches: the ranked newest matches, the rest newest first, honest totals, every page reachable, drafts never found. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "store/search_terms.h"
#include "store/store.h"

#include "fixture.h"

TestSuite(search, .init = setup, .fini = teardown);

#define T0 1795000000   /* November 2026 */
#define HOUR 3600

static int64_t
add(const char *title, const char *body, int64_t published, int draft)
{
	struct st_article_new n = { 0 };
	int64_t id = 0;

	n.title = title;
	n.body_format = "text";
	n.body_source = body;
	n.body_html = "";
	n.status = draft ? ST_DRAFT : ST_PUBLISHED;
	n.published_at = published;
	n.path_date = "2026/11/24";
	cr_assert_eq(store_article_add(st, &arena, &n, &id, NULL, &err), 0,
	    "%s", err.msg);
	return id;
}

/* Adds `n` stories holding `word` in their body, one an hour up to T0,
 * in one batch; ids[i] is the i-th (oldest first). */
static void
add_many(const char *word, int n, int64_t *ids)
{
	char title[64], body[160];

	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	for (int i = 0; i < n; i++) {
		snprintf(title, sizeof(title), "Harbour report number %d", i);
		snprintf(body, sizeof(body), "The %s was seen again from the "
		    "quay on day %d, said the harbour master.", word, i);
		ids[i] = add(title, body, T0 - (int64_t)(n - i) * HOUR, 0);
	}
	cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);
}

static struct st_search_result
search(const char *text, int limit, int offset)
{
	struct st_search q = { text, strlen(text), limit, offset, T0 };
	struct st_search_result r;

	memset(&r, 0, sizeof(r));
	cr_assert_eq(store_search(st, &arena, &q, &r, &err), 0, "'%s': %s",
	    text, err.msg);
	return r;
}

static size_t
position(const struct st_search_result *r, int64_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].id == id)
			return i;
	return (size_t)-1;
}

Test(search, newest_relevant_first_then_newest_first_to_the_last_page)
{
	enum { N = SEARCH_RANKED + 25 };
	int64_t ids[N], old, star, *seen;
	size_t nseen = 0;
	struct st_search_result r;

	/* The oldest story has the word in its title: relevant, but older
	 * than every ranked match. */
	old = add("Cormorant colony returns", "A cormorant colony nests on "
	    "the breakwater again.", T0 - 400 * 24 * HOUR, 0);
	add_many("cormorant", N, ids);
	/* A recent story with the word in its title and standfirst-like
	 * opening beats the body-only stories around it. */
	star = add("Cormorant rescue at the quay", "A cormorant caught in a "
	    "net was freed by the cormorant club.", T0 - 30 * HOUR, 0);

	r = search("cormorant", 10, 0);
	cr_expect_eq(r.total, N + 2, "every match is counted");
	cr_assert_eq(r.n, 10);
	cr_expect_eq(r.items[0].id, star, "the most relevant recent story "
	    "comes first");
	cr_expect_eq(position(&r, old), (size_t)-1, "an old story does not "
	    "push out the recent ones");
	cr_expect_neq(position(&r, ids[N - 1]), (size_t)-1, "the newest "
	    "story is on the first page");

	/* Every page, to the last: each story exactly once, and after the
	 * ranked ones the rest newest first, the oldest last. */
	seen = bl_arena_alloc(&arena, (N + 2) * sizeof(*seen));
	for (int off = 0; off < N + 2; off += 10) {
		r = search("cormorant", 10, off);
		cr_expect_eq(r.total, N + 2);
		cr_assert_eq(r.n, (size_t)(N + 2 - off < 10 ? N + 2 - off : 10),
		    "page at %d", off);
		for (size_t i = 0; i < r.n; i++) {
			for (size_t j = 0; j < nseen; j++)
				cr_assert_neq(seen[j], r.items[i].id,
				    "story %lld twice", (long long)seen[j]);
			cr_expect_eq(r.items[i].status, ST_PUBLISHED);
			seen[nseen++] = r.items[i].id;
		}
	}
	cr_expect_eq(nseen, (size_t)N + 2);
	for (size_t i = SEARCH_RANKED + 1; i < nseen; i++)
		cr_expect_gt(seen[i - 1], seen[i], "past the ranked matches, "
		    "newest first");
	cr_expect_eq(seen[nseen - 1], old, "the oldest story is last");

	r = search("cormorant", 10, N + 2);
	cr_expect_eq(r.n, 0, "past the last page");
	cr_expect_eq(r.total, N + 2);

	/* A prefix finds the same stories in the same order (its rows are
	 * read together), ranked and past the ranked ones. */
	for (int off = 0; off <= SEARCH_RANKED; off += SEARCH_RANKED) {
		struct st_search_result w = search("cormorant", 10, off);

		r = search("cormor*", 10, off);
		cr_expect_eq(r.total, w.total);
		cr_assert_eq(r.n, w.n);
		for (size_t i = 0; i < r.n; i++) {
			cr_expect_eq(r.items[i].id, w.items[i].id,
			    "at %d + %zu", off, i);
			cr_expect_not_null(strchr(r.snippets[i], ST_MARK_ON));
		}
	}
}

Test(search, ranked_window_uses_every_term)
{
	enum { N = 40 };
	int64_t ids[N], both, waders;
	struct st_search_result r;

	add_many("heron", N, ids);
	waders = add("Waders on the mudflats", "A heron and an egret, then "
	    "another egret.", T0 - 50 * HOUR, 0);
	both = add("Heron heron heron", "The heron, the heron and an egret "
	    "watched the heron.", T0 - 50 * HOUR, 0);
	r = search("heron egret", 10, 0);
	cr_expect_eq(r.any, 0);
	cr_assert_eq(r.total, 2);
	cr_assert_eq(r.n, 2);
	cr_expect_neq(position(&r, both), (size_t)-1);
	/* bm25 weighs a word by how few stories hold it: "egret" is rare,
	 * "heron" in every story, so the story with egret twice beats the
	 * one with heron everywhere (PostgreSQL's ts_rank has no such
	 * weight, docs/search.md). */
	if (!test_pg)
		cr_expect_eq(r.items[0].id, waders);
	r = search("egret heron", 10, 0);
	cr_expect_eq(r.total, 2, "the order of the words does not matter");
	r = search("\"the heron\"", 10, 0);
	cr_expect_eq(r.total, N + 1, "a phrase counts stories that have it");
	r = search("egret zzyzx", 10, 0);
	cr_expect_eq(r.any, 1);
	cr_expect_eq(r.total, 2);
}

Test(search, totals_past_the_count_say_more_and_pages_go_on)
{
	enum { N = SEARCH_COUNTED + 15 };
	int64_t *ids = bl_arena_alloc(&arena, N * sizeof(*ids));
	struct st_search_result r;
	int64_t counted;

	add_many("gannet", N, ids);
	r = search("gannet", 10, 0);
	counted = search_counted(0, 10);
	cr_expect_gt(r.total, counted, "more than counted: %lld",
	    (long long)r.total);
	cr_expect_eq(r.n, 10);
	cr_expect_eq(r.items[0].id, ids[N - 1], "newest first among equals");

	/* Far pages count as far as they go: the last page is exact. */
	r = search("gannet", 10, N - 5);
	cr_expect_eq(r.total, N);
	cr_expect_leq(r.total, search_counted(N - 5, 10));
	cr_assert_eq(r.n, 5);
	cr_expect_eq(r.items[4].id, ids[0], "the oldest is the very last");
	r = search("gannet", 10, N - 15);
	cr_expect_eq(r.n, 10);
	cr_expect_gt(r.total, N - 15 + 10, "another page follows");
	r = search("gannet", 10, N);
	cr_expect_eq(r.n, 0);
	cr_expect_eq(r.total, N, "past the end the total is exact");
}

Test(search, drafts_are_never_found)
{
	enum { N = 30 };
	int64_t ids[N], draft, total;
	struct st_search_result r;

	add_many("puffin", N, ids);
	draft = add("Puffin embargoed story", "Embargoed puffin quokkaberry "
	    "news.", T0, 1);
	(void)draft;
	r = search("quokkaberry", 10, 0);
	cr_expect_eq(r.total, 0, "a word only a draft holds finds nothing");
	cr_expect_eq(r.n, 0);
	r = search("puffin", 10, 0);
	cr_expect_eq(r.total, N, "drafts are not counted");
	total = 0;
	for (int off = 0; off < N; off += 10) {
		r = search("puffin", 10, off);
		for (size_t i = 0; i < r.n; i++)
			cr_expect_neq(r.items[i].id, draft);
		total += (int64_t)r.n;
	}
	cr_expect_eq(total, N);
	r = search("puffin quokkaberry", 10, 0);
	cr_expect_eq(r.any, 1, "only some words: the draft holds them all");
	cr_expect_eq(r.total, N);
	if (!test_pg)
		/* The index holds published stories only. */
		cr_expect_eq(raw_int("SELECT count(*) FROM articles_fts "
		    "WHERE articles_fts MATCH ?", "quokkaberry"), 0);
}

Test(search, related_cascade_ids_are_distinct_sorted_and_never_self)
{
	int64_t peers[] = { 9, 4, 9, 7, 4, 3, 8 };
	int64_t all[] = { 5, 3, 9, 3, 1, 5, 12, 9 };
	size_t n;

	/* The first three distinct, in their order (newest first). */
	n = related_first_distinct(peers, 7, 3);
	cr_assert_eq(n, 3);
	cr_expect_eq(peers[0], 9);
	cr_expect_eq(peers[1], 4);
	cr_expect_eq(peers[2], 7);
	cr_expect_eq(related_first_distinct(peers, 0, 3), 0);

	/* By id, each once, without the article itself (5). */
	n = related_sort_unique(all, 8, 5);
	cr_assert_eq(n, 4);
	cr_expect_eq(all[0], 1);
	cr_expect_eq(all[1], 3);
	cr_expect_eq(all[2], 9);
	cr_expect_eq(all[3], 12);
}
