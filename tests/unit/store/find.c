/* Tests for finding stories in the store: related articles, search, date archives. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "store/store.h"

#include "fixture.h"

TestSuite(find, .init = setup, .fini = teardown);

#define T0 1795000000   /* November 2026 */
#define DAY 86400

struct art {
	const char *title;
	const char *standfirst;
	const char *body;
	const char *tags[4];
	int64_t published;
	const char *section;
	const char *date;       /* permalink date, default 2026/11/24 */
	int draft;
};

static int64_t
add(const struct art *x)
{
	struct st_article_new n = { 0 };
	size_t nt = 0;
	int64_t id = 0;

	while (nt < 4 && x->tags[nt] != NULL)
		nt++;
	n.title = x->title;
	n.standfirst = x->standfirst;
	n.body_format = "text";
	n.body_source = x->body ? x->body : "Body.";
	n.body_html = "";
	n.status = x->draft ? ST_DRAFT : ST_PUBLISHED;
	n.published_at = x->published ? x->published : T0;
	n.path_date = x->date ? x->date : "2026/11/24";
	n.section_name = x->section;
	n.tags = x->tags;
	n.ntags = nt;
	cr_assert_eq(store_article_add(st, &arena, &n, &id, NULL, &err), 0,
	    "%s", err.msg);
	return id;
}

static size_t
related(int64_t id, int64_t *out)
{
	struct st_article *items;
	size_t n, i;

	cr_assert_eq(store_related_list(st, &arena, id, STORE_RELATED_MAX,
	    &items, &n, &err), 0, "%s", err.msg);
	for (i = 0; i < n; i++)
		out[i] = items[i].id;
	return n;
}

static int
contains(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* ---------------------------------------------------- related articles */

static const char *const topics[] = {
	"Harbour cranes replaced by automated machines at the container port",
	"Seagrass meadow brings young fish back to Lanmouth Bay",
	"Central bank holds interest rates as inflation eases",
	"Coastal railway reopens after landslip repairs",
	"Book prize shortlist names six debut novelists",
	"Philharmonic moves into restored grain hall",
	"Winter lights festival draws record crowds",
	"Tidal energy trial powers two hundred homes",
};

Test(find, related_never_self_always_some_and_deterministic)
{
	int64_t ids[8], got[8][STORE_RELATED_MAX], again[STORE_RELATED_MAX];
	size_t n[8], i, k;

	for (i = 0; i < 8; i++) {
		struct art a = { .title = topics[i],
		    .tags = { i % 2 ? "Business" : "Culture" },
		    .published = T0 + (int64_t)i * DAY,
		    .section = i % 3 ? "News" : "Features" };
		ids[i] = add(&a);
	}
	for (i = 0; i < 8; i++) {
		n[i] = related(ids[i], got[i]);
		cr_expect_geq(n[i], 3, "article %zu has %zu related", i, n[i]);
		cr_expect_leq(n[i], STORE_RELATED_MAX);
		cr_expect_not(contains(got[i], n[i], ids[i]),
		    "article %zu lists itself", i);
		for (k = 0; k < n[i]; k++)
			cr_expect_not(contains(got[i], k, got[i][k]),
			    "a story listed twice");
	}
	/* Rebuilding from scratch gives the same lists, twice over. */
	for (int round = 0; round < 2; round++) {
		cr_assert_eq(store_related_rebuild(st, &err), 0, "%s", err.msg);
		for (i = 0; i < 8; i++) {
			cr_assert_eq(related(ids[i], again), n[i]);
			for (k = 0; k < n[i]; k++)
				cr_expect_eq(again[k], got[i][k],
				    "article %zu position %zu", i, k);
		}
	}
	/* The limit is honoured. */
	{
		struct st_article *items;
		size_t m;

		cr_assert_eq(store_related_list(st, &arena, ids[0], 3, &items,
		    &m, &err), 0);
		cr_expect_eq(m, 3);
		cr_expect_eq(items[0].id, got[0][0]);
		cr_expect_str_neq(items[0].title, "");
	}
}

Test(find, rarer_shared_tag_wins)
{
	int64_t rare, t, got[STORE_RELATED_MAX];
	size_t n;

	/* "Ferries" is on many stories, "Customs" on two. */
	for (int i = 0; i < 5; i++) {
		struct art f = { .title = topics[i + 2], .tags = { "Ferries" } };
		add(&f);
	}
	{
		struct art a = { .title = "Quayside market opens",
		    .tags = { "Customs" } };
		struct art b = { .title = "Lighthouse keepers remembered",
		    .tags = { "Ferries" } };
		rare = add(&a);
		add(&b);
	}
	{
		struct art x = { .title = "Valmora signs pact",
		    .tags = { "Ferries", "Customs" } };
		t = add(&x);
	}
	n = related(t, got);
	cr_assert_geq(n, 3);
	cr_expect_eq(got[0], rare, "the story sharing the rare tag leads");
	cr_expect_not(contains(got, n, t));
}

Test(find, text_similarity_counts)
{
	int64_t fish, t, got[STORE_RELATED_MAX];
	size_t n;

	for (int i = 0; i < 6; i++) {
		struct art f = { .title = topics[(i + 2) % 8],
		    .body = "The council met on Tuesday to discuss the budget." };
		if (i == 1)
			continue;
		add(&f);
	}
	{
		struct art a = { .title = topics[1],
		    .standfirst = "Volunteers planted seagrass by hand.",
		    .body = "Divers counted juvenile fish in the seagrass "
		    "meadow, where cod and plaice shelter." };
		fish = add(&a);
	}
	{
		struct art x = { .title = "Seagrass planting spreads along coast",
		    .body = "More volunteers will plant seagrass where young "
		    "fish such as plaice can shelter." };
		t = add(&x);
	}
	n = related(t, got);
	cr_assert_geq(n, 3);
	cr_expect_eq(got[0], fish, "the story about the same thing leads");
}

Test(find, recomputed_when_a_story_is_published)
{
	struct st_change *c;
	int64_t a, x, latest, got[STORE_RELATED_MAX];
	size_t n, nc, i;
	char key[64];
	int seen = 0;

	for (i = 0; i < 7; i++) {
		struct art f = { .title = topics[i], .tags = { "Filler" },
		    .published = T0 + (int64_t)i * DAY };
		add(&f);
	}
	{
		struct art s = { .title = "Ferry timetable changes",
		    .tags = { "Filler", "Kestrel Ferry" },
		    .published = T0 + 3 * DAY };
		a = add(&s);
	}
	n = related(a, got);
	cr_assert_eq(n, STORE_RELATED_MAX);
	cr_assert_eq(store_change_latest(st, &latest, &err), 0);

	{
		struct art s = { .title = "Kestrel ferry gets a new hull",
		    .tags = { "Kestrel Ferry" }, .published = T0 + 4 * DAY };
		x = add(&s);
	}
	n = related(a, got);
	cr_expect_eq(got[0], x, "the new story now leads the older one's list");
	cr_assert_eq(store_changes_since(st, &arena, latest, 1000, &c, &nc,
	    &err), 0);
	snprintf(key, sizeof(key), "article:%lld", (long long)a);
	for (i = 0; i < nc; i++)
		seen |= strcmp(c[i].key, key) == 0;
	cr_expect(seen, "the older story's page is invalidated");
}

Test(find, only_published_stories_are_related)
{
	int64_t draft, t, got[STORE_RELATED_MAX];
	size_t n;

	for (int i = 0; i < 6; i++) {
		struct art f = { .title = topics[i], .tags = { "Weather" } };
		add(&f);
	}
	{
		struct art d = { .title = "Storm warning draft",
		    .tags = { "Storms", "Weather" }, .draft = 1 };
		draft = add(&d);
	}
	{
		struct art s = { .title = "Storm batters the coast",
		    .tags = { "Storms", "Weather" } };
		t = add(&s);
	}
	n = related(t, got);
	cr_expect_geq(n, 3);
	cr_expect_not(contains(got, n, draft));
	cr_expect_eq(related(draft, got), 0, "a draft has no list");
}

Test(find, rebuilt_for_old_databases)
{
	int64_t ids[4], got[STORE_RELATED_MAX];

	for (int i = 0; i < 4; i++) {
		struct art f = { .title = topics[i] };
		ids[i] = add(&f);
	}
	/* As if written by a byline without related lists. */
	store_close(st);
	st = NULL;
	raw_exec("DELETE FROM related");
	cr_assert_eq(store_open(dbpath, &st, &err), 0, "%s", err.msg);
	cr_expect_eq(related(ids[0], got), 3);
}

/* -------------------------------------------------------------- search */

static struct st_search_result
search(const char *text, int limit, int offset)
{
	struct st_search q = { text, text ? strlen(text) : 0, limit, offset, 0 };
	struct st_search_result r;

	cr_assert_eq(store_search(st, &arena, &q, &r, &err), 0, "'%s': %s",
	    text, err.msg);
	return r;
}

static void
search_corpus(void)
{
	static const struct art arts[] = {
		{ .title = "Marathon day", .body = "She runs every morning "
		  "along the harbour wall before work." },
		{ .title = "Zoë Hart wins the regatta",
		  .body = "The sailor took the cup for the third time." },
		{ .title = "Harbour bridge reopens", .body = "The harbour "
		  "bridge opened at dawn after repairs." },
		{ .title = "Bridge club", .body = "A bridge tournament at the "
		  "old harbour hall drew forty players." },
		{ .title = "Secret plans", .body = "Nobody should find "
		  "this running story.", .draft = 1 },
	};

	for (size_t i = 0; i < sizeof(arts) / sizeof(*arts); i++)
		add(&arts[i]);
}

static int
has_title(const struct st_search_result *r, const char *title)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i].title, title) == 0)
			return 1;
	return 0;
}

Test(find, search_stems_and_folds_diacritics)
{
	struct st_search_result r;

	search_corpus();
	r = search("running", 10, 0);
	cr_expect_eq(r.n, 1, "'running' finds 'runs'");
	cr_expect(has_title(&r, "Marathon day"));
	cr_expect_not(has_title(&r, "Secret plans"), "drafts are not found");

	r = search("Zoe", 10, 0);
	cr_expect(has_title(&r, "Zoë Hart wins the regatta"));
	r = search("ZOË", 10, 0);
	cr_expect(has_title(&r, "Zoë Hart wins the regatta"));
}

Test(find, search_phrases_and_marks)
{
	struct st_search_result r;

	search_corpus();
	r = search("harbour bridge", 10, 0);
	cr_expect_eq(r.n, 2, "both words, anywhere");
	cr_expect_eq(r.any, 0);
	r = search("\"harbour bridge\"", 10, 0);
	cr_assert_eq(r.n, 1, "the phrase only where the words are together");
	cr_expect_str_eq(r.items[0].title, "Harbour bridge reopens");
	cr_expect_not_null(strstr(r.snippets[0], "\x01harbour bridge\x02") ?
	    r.snippets[0] : strstr(r.snippets[0], "\x01" "harbour"),
	    "snippet: '%s'", r.snippets[0]);
	cr_expect_not_null(strchr(r.titles[0], ST_MARK_ON), "title: '%s'",
	    r.titles[0]);
	cr_expect_not_null(strchr(r.snippets[0], ST_MARK_OFF));
	/* Typographic quotes work as quotes. */
	r = search("“harbour bridge”", 10, 0);
	cr_expect_eq(r.n, 1);
}

Test(find, search_falls_back_to_any_word)
{
	struct st_search_result r;

	search_corpus();
	r = search("regatta zebra", 10, 0);
	cr_expect_eq(r.any, 1);
	cr_expect_eq(r.n, 1);
	cr_expect(has_title(&r, "Zoë Hart wins the regatta"));
	r = search("zebra", 10, 0);
	cr_expect_eq(r.n, 0);
	cr_expect_eq(r.total, 0);
	cr_expect_eq(r.nterms, 1);
}

Test(find, malformed_queries_never_fail)
{
	static const char *const bad[] = {
		"", " ", "\"", "\"\"", "\"harbour", "harbour\"", "AND", "OR OR",
		"harbour AND", "NOT harbour", "NEAR(harbour bridge)", "*", "harb*",
		"^harbour", "title:harbour", "{title body}: x", "(harbour",
		"harbour)", "((((", "-harbour", "+harbour", "harbour:", "'",
		"a\"b\"c\"", "\xff\xfe\xfd", "caf\xc3", "\xe2\x80\x99", "—",
		"NEAR", "\x01\x02", "%s%n", "col:\"a\" OR (b", "\\", "\"\"\"\"\"",
	};
	struct st_search_result r;
	char *big;

	search_corpus();
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		r = search(bad[i], 10, 0);
	r = search("title:harbour", 10, 0);
	cr_expect_geq(r.n, 1, "column filters are just words");
	r = search("harb*", 10, 0);
	cr_expect_geq(r.n, 2, "a trailing star searches a prefix");
	r = search("(harbour", 10, 0);
	cr_expect_geq(r.n, 2);
	r = search("", 10, 0);
	cr_expect_eq(r.nterms, 0);
	cr_expect_eq(r.n, 0);

	/* 10 KB of text, words and operators. */
	big = malloc(10241);
	cr_assert_not_null(big);
	for (size_t i = 0; i < 10240; i++)
		big[i] = "harbour AND \"( :*^ OR NEAR/ "[i % 29];
	big[10240] = '\0';
	r = search(big, 10, 0);
	cr_expect_leq(r.nterms, 16);
	free(big);
	{
		/* A NUL in the middle and invalid bytes with a length. */
		struct st_search q = { "harbour\0\xff bridge", 16, 10, 0, 0 };
		cr_expect_eq(store_search(st, &arena, &q, &r, &err), 0, "%s",
		    err.msg);
	}
}

Test(find, search_pages_and_recency)
{
	struct st_search_result r;
	int64_t old, fresh;

	for (int i = 0; i < 12; i++) {
		struct art a = { .title = topics[i % 8],
		    .body = "The lifeboat crew was called out again.",
		    .published = T0 - (int64_t)(i + 10) * 30 * DAY };
		add(&a);
	}
	{
		struct art a = { .title = "Lifeboat rescue", .body = "A lifeboat "
		  "saved two kayakers.", .published = T0 - 400 * DAY };
		struct art b = { .title = "Lifeboat rescue", .body = "A lifeboat "
		  "saved two kayakers.", .published = T0 };
		old = add(&a);
		fresh = add(&b);
	}
	r = search("lifeboat", 10, 0);
	cr_expect_eq(r.total, 14);
	cr_expect_eq(r.n, 10);
	{
		size_t io = 99, ifr = 99;
		for (size_t i = 0; i < r.n; i++) {
			if (r.items[i].id == old)
				io = i;
			if (r.items[i].id == fresh)
				ifr = i;
		}
		cr_expect_lt(ifr, io, "the same story, newer, ranks higher");
	}
	r = search("lifeboat", 10, 10);
	cr_expect_eq(r.n, 4);
	r = search("lifeboat", 10, 20);
	cr_expect_eq(r.n, 0);
	cr_expect_eq(r.total, 14);
}

/* ------------------------------------------------------- date archives */

Test(find, date_archives)
{
	struct st_query q = { 0 };
	struct st_list l;
	struct st_month *m;
	size_t n;

	{
		struct art a = { .title = "October one", .date = "2026/10/31",
		    .published = T0 - 30 * DAY };
		struct art b = { .title = "November one", .date = "2026/11/01",
		    .published = T0 - 20 * DAY };
		struct art c = { .title = "November two", .date = "2026/11/24",
		    .published = T0 };
		struct art d = { .title = "Draft", .date = "2026/11/24",
		    .draft = 1 };
		struct art e = { .title = "Last year", .date = "2025/11/24",
		    .published = T0 - 365 * DAY };
		add(&a), add(&b), add(&c), add(&d), add(&e);
	}
	q.date = "2026/11";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_assert_eq(l.n, 2);
	cr_expect_str_eq(l.items[0].title, "November two", "newest first");
	cr_expect_str_eq(l.items[1].title, "November one");
	q.date = "2026";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 3);
	q.date = "2026/11/24";
	q.limit = 1;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 1);
	cr_expect_eq(l.total, 1);
	q.date = "2026/12";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 0);
	q.date = "2026/1";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 0, "malformed dates hold nothing");

	cr_assert_eq(store_archive_months(st, &arena, &m, &n, &err), 0);
	cr_assert_eq(n, 3);
	cr_expect_eq(m[0].year, 2026);
	cr_expect_eq(m[0].month, 11);
	cr_expect_eq(m[0].count, 2, "drafts are not counted");
	cr_expect_eq(m[1].month, 10);
	cr_expect_eq(m[2].year, 2025);
}

Test(find, archive_months_span_years_and_pages_skip_counts_when_asked)
{
	struct st_query q = { 0 };
	struct st_list l;
	struct st_month *m;
	size_t n;
	static const char *const dates[] = { "2024/01/05", "2024/01/20",
	    "2024/12/31", "2026/03/01", "2026/03/02", "2026/03/03" };

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		struct art a = { .title = dates[i], .date = dates[i],
		    .published = T0 - (int64_t)(10 - i) * DAY };
		add(&a);
	}
	{
		struct art d = { .title = "Draft in May", .date = "2025/05/05",
		    .draft = 1 };
		add(&d);
	}
	/* Newest month first, each with its count; a month holding only a
	 * draft is not listed; the gap year 2025 is simply absent. */
	cr_assert_eq(store_archive_months(st, &arena, &m, &n, &err), 0);
	cr_assert_eq(n, 3);
	cr_expect_eq(m[0].year, 2026);
	cr_expect_eq(m[0].month, 3);
	cr_expect_eq(m[0].count, 3);
	cr_expect_eq(m[1].year, 2024);
	cr_expect_eq(m[1].month, 12);
	cr_expect_eq(m[1].count, 1);
	cr_expect_eq(m[2].month, 1);
	cr_expect_eq(m[2].count, 2);

	/* A page of a longer list counts every match, unless told not to. */
	q.limit = 2;
	q.offset = 2;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 2);
	cr_expect_eq(l.total, 6);
	q.no_total = 1;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 2);
	cr_expect_eq(l.total, -1);
	/* A page that holds everything still knows its total. */
	q.offset = 0;
	q.limit = 50;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.total, 6);
}

Test(find, section_names_without_counts)
{
	struct st_section *with, *without;
	size_t nw, nwo;

	{
		struct art a = { .title = "Ferry", .section = "Local" };
		struct art b = { .title = "Budget", .section = "Politics" };
		struct art c = { .title = "Vote", .section = "Politics" };
		struct art d = { .title = "Draft", .section = "Sport",
		    .draft = 1 };
		add(&a), add(&b), add(&c), add(&d);
	}
	cr_assert_eq(store_section_list(st, &arena, 1, &with, &nw, &err), 0);
	cr_assert_eq(store_section_list(st, &arena, 0, &without, &nwo, &err),
	    0);
	cr_assert_eq(nw, 2, "a section with only a draft is not listed");
	cr_assert_eq(nwo, nw);
	for (size_t i = 0; i < nw; i++) {
		cr_expect_str_eq(without[i].slug, with[i].slug);
		cr_expect_str_eq(without[i].name, with[i].name);
		cr_expect_eq(without[i].article_count, -1);
	}
	cr_expect_eq(with[1].article_count, 2);
}
