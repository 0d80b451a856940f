/* Tests for the store: SQLite schema, article and comment rows, change log. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "store/store.h"

#include "fixture.h"

TestSuite(store, .init = setup, .fini = teardown);

/* Adds a published article with the given fields; returns its id. */
static int64_t
add(const char *title, const char *section, const char *author,
    const char *tag, int64_t published_at, char **path)
{
	struct st_article_new n = { 0 };
	const char *tags[1] = { tag };
	int64_t id = 0;

	n.title = title;
	n.body_format = "text";
	n.body_source = "Body.";
	n.body_html = "<p>Body.</p>";
	n.status = ST_PUBLISHED;
	n.published_at = published_at;
	n.path_date = "2026/11/24";
	n.section_name = section;
	n.author_name = author;
	n.tags = tags;
	n.ntags = tag != NULL ? 1 : 0;
	cr_assert_eq(store_article_add(st, &arena, &n, &id, path, &err), 0,
	    "%s", err.msg);
	cr_assert_gt(id, 0);
	return id;
}

/* ------------------------------------------------------- open, schema */

/* The newest schema version (migrate_sqlite.c, migrate_pg.c). */
#define SCHEMA_LATEST 7

Test(store, open_migrates_and_reopens)
{
	struct store *again = NULL;
	char url[600];

	cr_expect_eq(store_schema_version(st), SCHEMA_LATEST);
	if (test_pg) {
		cr_expect_str_eq(store_backend(st), "postgresql");
		cr_expect_eq(raw_int("SELECT max(version) FROM byline_schema",
		    NULL), SCHEMA_LATEST);
		cr_expect_eq(raw_int("SELECT count(*) FROM information_schema"
		    ".tables WHERE table_name = 'article_search'", NULL), 1);
		cr_expect_eq(raw_int("SELECT count(*) FROM pg_indexes"
		    " WHERE indexname = 'comments_duplicate'", NULL), 1);
	} else {
		cr_expect_str_eq(store_backend(st), "sqlite");
		cr_expect_eq(raw_int("PRAGMA user_version", NULL), SCHEMA_LATEST);
		cr_expect_eq(raw_int("SELECT count(*) FROM sqlite_schema "
		    "WHERE name = 'articles_fts'", NULL), 1);
		cr_expect_eq(raw_int("SELECT count(*) FROM sqlite_schema "
		    "WHERE name = 'comments_duplicate'", NULL), 1);
		/* WAL journal, so the server and the CLI can share the
		 * file. */
		cr_expect_eq(raw_int("SELECT journal_mode = 'wal' "
		    "FROM pragma_journal_mode", NULL), 1);
	}

	add("Kept across opens", NULL, NULL, NULL, 0, NULL);
	store_close(st);
	st = NULL;

	if (test_pg)
		snprintf(url, sizeof(url), "%s", dbpath);
	else
		snprintf(url, sizeof(url), "sqlite:%s", dbpath);
	cr_assert_eq(store_open(url, &again, &err), 0, "%s", err.msg);
	cr_expect_eq(store_schema_version(again), SCHEMA_LATEST);
	store_close(again);

	cr_assert_eq(store_open(dbpath, &st, &err), 0, "%s", err.msg);
	cr_expect_eq(store_schema_version(st), SCHEMA_LATEST);
	cr_expect_eq(raw_int("SELECT count(*) FROM articles", NULL), 1);
}

Test(store, newer_schema_fails_cleanly)
{
	struct store *again = (struct store *)&err;

	raw_exec(test_pg ? "UPDATE byline_schema SET version = 99" :
	    "PRAGMA user_version = 99");
	cr_assert_eq(store_open(dbpath, &again, &err), -1);
	cr_expect_null(again);
	cr_expect_not_null(strstr(err.msg, "newer"), "%s", err.msg);
	cr_expect_not_null(strstr(err.msg, "99"), "%s", err.msg);
	cr_expect_eq(err.unavailable, 0);
	/* Nothing was changed on the way out. */
	cr_expect_eq(raw_int(test_pg ? "SELECT max(version) FROM byline_schema"
	    : "PRAGMA user_version", NULL), 99);
}

Test(store, bad_urls_fail_cleanly)
{
	struct store *s2 = NULL;
	char p[200];

	/* No server there: an outage (503), and the password is never
	 * shown. */
	cr_expect_eq(store_open("postgresql://news:s3cret@127.0.0.1:1/news",
	    &s2, &err), -1);
	cr_expect_eq(err.unavailable, 1, "%s", err.msg);
	cr_expect_null(strstr(err.msg, "s3cret"), "%s", err.msg);
	cr_expect_not_null(strstr(err.msg, "news:***@127.0.0.1:1"), "%s",
	    err.msg);
	cr_expect_null(s2);
	cr_expect_eq(store_open("postgres://127.0.0.1:1/news?password=s3cret",
	    &s2, &err), -1);
	cr_expect_null(strstr(err.msg, "s3cret"), "%s", err.msg);
	/* A malformed URL is a mistake, not an outage. */
	cr_expect_eq(store_open("postgresql://[::1/news", &s2, &err), -1);
	cr_expect_eq(err.unavailable, 0, "%s", err.msg);
	cr_expect_null(s2);
	cr_expect_eq(store_open("", &s2, &err), -1);
	cr_expect_eq(store_open(NULL, &s2, &err), -1);
	cr_expect_eq(store_open("mysql://x/y", &s2, &err), -1);
	snprintf(p, sizeof(p), "%s/no/such/dir/x.db", dir);
	cr_expect_eq(store_open(p, &s2, &err), -1);
	cr_expect_not_null(strstr(err.msg, "cannot open database"), "%s",
	    err.msg);

	/* A file that is not a database. */
	snprintf(p, sizeof(p), "%s/junk.db", dir);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs("this is not a database, not at all, just some text that is "
	    "long enough to look like a header to sqlite\n", f);
	fclose(f);
	cr_expect_eq(store_open(p, &s2, &err), -1);
	cr_expect_null(s2);
}

/* ---------------------------------------------------- add and read back */

Test(store, add_get_round_trip)
{
	struct st_article_new n = { 0 };
	const char *tags[] = { "Police", "Zürich Politics", "police" };
	struct st_photo photos[2] = {
		{ .file = "2026/11/a.jpg", .caption = "Straße in Zürich",
		  .credit = "Jane Doe / Example Agency via AP", .alt = "A road",
		  .width = 1200, .height = 800 },
		{ .file = "2026/11/b.jpg", .caption = "Second" },
	};
	struct st_article *r;
	int64_t id;
	char *path;

	n.title = "Zürich café reopens — «finally»";
	n.standfirst = "Owners say 東京 visitors helped";
	n.dateline = "ZÜRICH";
	n.excerpt = "The café is back.";
	n.body_format = "markdown";
	n.body_source = "The *café* is back.";
	n.body_html = "<p>The <em>café</em> is back.</p>";
	n.status = ST_PUBLISHED;
	n.published_at = 1795000000;
	n.path_date = "2026/11/24";
	n.section_name = "Ærø Straße";
	n.author_name = "Zoë Łukasz-Øberg";
	n.tags = tags;
	n.ntags = 3;
	n.photos = photos;
	n.nphotos = 2;
	cr_assert_eq(store_article_add(st, &arena, &n, &id, &path, &err), 0,
	    "%s", err.msg);
	cr_expect_str_eq(path, "/2026/11/24/zurich-cafe-reopens-finally/");

	cr_assert_eq(store_article_get(st, &arena, id, 0, &r, &err), 0,
	    "%s", err.msg);
	cr_expect_eq(r->id, id);
	cr_expect_str_eq(r->slug, "zurich-cafe-reopens-finally");
	cr_expect_str_eq(r->path, path);
	cr_expect_str_eq(r->title, n.title);
	cr_expect_str_eq(r->standfirst, n.standfirst);
	cr_expect_str_eq(r->dateline, "ZÜRICH");
	cr_expect_str_eq(r->excerpt, n.excerpt);
	cr_expect_str_eq(r->body_format, "markdown");
	cr_expect_str_eq(r->body_source, n.body_source);
	cr_expect_str_eq(r->body_html, n.body_html);
	cr_expect_eq(r->status, ST_PUBLISHED);
	cr_expect_eq(r->published_at, 1795000000);
	cr_expect_eq(r->updated_at, 1795000000);
	cr_expect_geq(r->created_at, time(NULL) - 60);
	cr_expect_eq(r->comment_count, 0);

	cr_expect_gt(r->section.id, 0);
	cr_expect_str_eq(r->section.slug, "aero-strasse");
	cr_expect_str_eq(r->section.name, "Ærø Straße");
	cr_expect_gt(r->author.id, 0);
	cr_expect_str_eq(r->author.slug, "zoe-lukasz-oberg");
	cr_expect_str_eq(r->author.name, "Zoë Łukasz-Øberg");
	cr_expect_str_eq(r->author.bio, "");

	/* "police" is the same tag as "Police": listed once. */
	cr_assert_eq(r->ntags, 2);
	cr_expect_str_eq(r->tags[0].slug, "police");
	cr_expect_str_eq(r->tags[0].name, "Police");
	cr_expect_str_eq(r->tags[1].slug, "zurich-politics");
	cr_expect_str_eq(r->tags[1].name, "Zürich Politics");

	cr_assert_eq(r->nphotos, 2);
	cr_expect_eq(r->photos[0].pos, 0);
	cr_expect_str_eq(r->photos[0].file, "2026/11/a.jpg");
	cr_expect_str_eq(r->photos[0].caption, "Straße in Zürich");
	cr_expect_str_eq(r->photos[0].credit,
	    "Jane Doe / Example Agency via AP");
	cr_expect_str_eq(r->photos[0].alt, "A road");
	cr_expect_eq(r->photos[0].width, 1200);
	cr_expect_eq(r->photos[0].height, 800);
	cr_expect_eq(r->photos[1].pos, 1);
	cr_expect_str_eq(r->photos[1].file, "2026/11/b.jpg");
	cr_expect_str_eq(r->photos[1].credit, "");
	cr_expect_str_eq(r->photos[1].alt, "");
	cr_expect_eq(r->photos[1].width, 0);

	/* The same row by path and by slug. */
	cr_assert_eq(store_article_by_path(st, &arena, path, &r, &err), 0);
	cr_expect_eq(r->id, id);
	cr_expect_eq(r->nphotos, 2);
	cr_assert_eq(store_article_by_slug(st, &arena,
	    "zurich-cafe-reopens-finally", &r, &err), 0);
	cr_expect_eq(r->id, id);
	cr_expect_eq(store_article_by_slug(st, &arena, "nope", &r, &err), 1);
	cr_expect_eq(store_article_get(st, &arena, id + 100, 1, &r, &err), 1);
	cr_expect_eq(store_article_by_path(st, &arena, "/x/", &r, &err), 1);
}

Test(store, missing_fields_read_back_empty)
{
	struct st_article_new n = { 0 };
	struct st_article *r;
	int64_t id;

	n.title = "Bare";
	n.status = ST_PUBLISHED;
	n.path_date = "2026/01/02";
	cr_assert_eq(store_article_add(st, &arena, &n, &id, NULL, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(store_article_get(st, &arena, id, 0, &r, &err), 0);
	cr_expect_str_eq(r->standfirst, "");
	cr_expect_str_eq(r->dateline, "");
	cr_expect_str_eq(r->excerpt, "");
	cr_expect_str_eq(r->body_format, "text");
	cr_expect_str_eq(r->body_source, "");
	cr_expect_str_eq(r->body_html, "");
	cr_expect_eq(r->section.id, 0);
	cr_expect_str_eq(r->section.slug, "");
	cr_expect_str_eq(r->section.name, "");
	cr_expect_eq(r->author.id, 0);
	cr_expect_str_eq(r->author.name, "");
	cr_expect_eq(r->ntags, 0);
	cr_expect_eq(r->nphotos, 0);
	/* published_at 0 for a published story means now. */
	cr_expect_geq(r->published_at, time(NULL) - 60);
	cr_expect_eq(r->updated_at, r->published_at);
	cr_expect_str_eq(r->path, "/2026/01/02/bare/");
}

Test(store, duplicate_slugs_get_suffixes)
{
	char *p1, *p2, *p3;
	struct st_article_new n = { 0 };
	int64_t id;
	char *p4;

	add("Storm hits coast", NULL, NULL, NULL, 0, &p1);
	add("Storm hits coast", NULL, NULL, NULL, 0, &p2);
	add("Storm  hits coast!", NULL, NULL, NULL, 0, &p3);
	cr_expect_str_eq(p1, "/2026/11/24/storm-hits-coast/");
	cr_expect_str_eq(p2, "/2026/11/24/storm-hits-coast-2/");
	cr_expect_str_eq(p3, "/2026/11/24/storm-hits-coast-3/");

	/* A given slug is cleaned and made unique the same way. */
	n.title = "Other";
	n.slug = "Storm Hits Coast";
	n.status = ST_DRAFT;
	n.path_date = "2025/02/03";
	cr_assert_eq(store_article_add(st, &arena, &n, &id, &p4, &err), 0,
	    "%s", err.msg);
	cr_expect_str_eq(p4, "/2025/02/03/storm-hits-coast-4/");

	/* A story whose own slug ends in a number does not push the next
	 * copy's number; a gap is filled first. */
	add("Budget", NULL, NULL, NULL, 0, &p1);
	add("Budget 2026", NULL, NULL, NULL, 0, &p2);
	add("Budget", NULL, NULL, NULL, 0, &p3);
	cr_expect_str_eq(p2, "/2026/11/24/budget-2026/");
	cr_expect_str_eq(p3, "/2026/11/24/budget-2/");
	add("Budget", NULL, NULL, NULL, 0, &p3);
	cr_expect_str_eq(p3, "/2026/11/24/budget-3/");
}

Test(store, bad_input_is_refused)
{
	struct st_article_new n = { 0 };
	int64_t id = 7;

	n.status = ST_PUBLISHED;
	n.path_date = "2026/11/24";
	cr_expect_eq(store_article_add(st, &arena, &n, &id, NULL, &err), -1);
	cr_expect_str_eq(err.msg, "cannot add article: the title is empty");
	n.title = "  \t";
	cr_expect_eq(store_article_add(st, &arena, &n, &id, NULL, &err), -1);
	n.title = "Fine";
	n.path_date = "2026/13/01";
	cr_expect_eq(store_article_add(st, &arena, &n, &id, NULL, &err), -1);
	cr_expect_not_null(strstr(err.msg, "2026/13/01"), "%s", err.msg);
	n.path_date = "../../etc";
	cr_expect_eq(store_article_add(st, &arena, &n, &id, NULL, &err), -1);
	n.path_date = "2026/11/24";
	n.body_format = "html";
	cr_expect_eq(store_article_add(st, &arena, &n, &id, NULL, &err), -1);
	cr_expect_not_null(strstr(err.msg, "'html'"), "%s", err.msg);
	n.body_format = NULL;
	n.status = 5;
	cr_expect_eq(store_article_add(st, &arena, &n, &id, NULL, &err), -1);
	n.status = ST_PUBLISHED;
	n.ntags = 2;
	cr_expect_eq(store_article_add(st, &arena, &n, &id, NULL, &err), -1);
	n.ntags = 0;
	cr_expect_eq(store_article_add(NULL, &arena, &n, &id, NULL, &err), -1);
	cr_expect_eq(store_article_add(st, &arena, NULL, &id, NULL, &err), -1);
	/* Nothing was written by the failures. */
	cr_expect_eq(raw_int("SELECT count(*) FROM articles", NULL), 0);
	cr_expect_eq(raw_int("SELECT count(*) FROM changes", NULL), 0);

	/* Without a permalink date, the publication date (UTC) is used. */
	n.path_date = NULL;
	n.published_at = 1700000000;	/* 2023-11-14 22:13:20 UTC */
	char *path;
	cr_assert_eq(store_article_add(st, &arena, &n, &id, &path, &err), 0,
	    "%s", err.msg);
	cr_expect_str_eq(path, "/2023/11/14/fine/");

	/* A title with nothing sluggable still gets a permalink. */
	n.title = "???";
	cr_assert_eq(store_article_add(st, &arena, &n, &id, &path, &err), 0,
	    "%s", err.msg);
	cr_expect_str_eq(path, "/2023/11/14/article/");
	n.title = "東京";
	cr_assert_eq(store_article_add(st, &arena, &n, &id, &path, &err), 0,
	    "%s", err.msg);
	cr_expect_str_eq(path, "/2023/11/14/u6771u4eac/");
}

/* ------------------------------------------------------------ drafts */

Test(store, drafts_are_hidden)
{
	struct st_article_new n = { 0 };
	struct st_article *r;
	struct st_list l;
	struct st_query q = { 0 };
	struct st_section *secs;
	size_t nsecs;
	int64_t id;
	char *path;

	n.title = "Embargoed";
	n.status = ST_DRAFT;
	n.published_at = 0;
	n.path_date = "2026/11/24";
	n.section_name = "Secret";
	cr_assert_eq(store_article_add(st, &arena, &n, &id, &path, &err), 0,
	    "%s", err.msg);

	cr_expect_eq(store_article_by_path(st, &arena, path, &r, &err), 1);
	cr_expect_eq(store_article_get(st, &arena, id, 0, &r, &err), 1);
	cr_assert_eq(store_article_get(st, &arena, id, 1, &r, &err), 0);
	cr_expect_eq(r->status, ST_DRAFT);
	cr_expect_eq(r->published_at, 0);
	cr_assert_eq(store_article_by_slug(st, &arena, "embargoed", &r, &err),
	    0);
	cr_expect_eq(r->id, id);

	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 0);
	cr_expect_eq(l.total, 0);
	q.section = "secret";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 0);
	cr_assert_eq(store_section_list(st, &arena, 1, &secs, &nsecs, &err), 0);
	cr_expect_eq(nsecs, 0);
}

/* ------------------------------------------------------------ listings */

Test(store, list_filters_order_and_pages)
{
	struct st_query q = { 0 };
	struct st_list l;
	struct st_section sec, *secs;
	struct st_author au;
	struct st_tag tag;
	struct st_photo ph = { .file = "x.jpg", .caption = "First" };
	struct st_article_new n = { 0 };
	const char *tags[] = { "Police" };
	size_t nsecs;
	int64_t id[6], pid;
	int i;

	id[0] = add("One", "World", "Ann Lee", "Police", 1000, NULL);
	id[1] = add("Two", "World", "Bob Ray", "Courts", 2000, NULL);
	id[2] = add("Three", "Sport", "Ann Lee", "police", 3000, NULL);
	id[3] = add("Four", "World", "Ann Lee", NULL, 3000, NULL);
	id[4] = add("Five", "Arts", "Bob Ray", "Police", 500, NULL);

	n.title = "Six";
	n.status = ST_PUBLISHED;
	n.published_at = 100;
	n.path_date = "2026/11/24";
	n.section_name = "world";	/* same section, other spelling */
	n.tags = tags;
	n.ntags = 1;
	n.photos = &ph;
	n.nphotos = 1;
	cr_assert_eq(store_article_add(st, &arena, &n, &pid, NULL, &err), 0);
	id[5] = pid;

	/* Everything, newest first; same time: higher id first. */
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(l.n, 6);
	cr_expect_eq(l.total, 6);
	cr_expect_eq(l.items[0].id, id[3]);
	cr_expect_eq(l.items[1].id, id[2]);
	cr_expect_eq(l.items[2].id, id[1]);
	cr_expect_eq(l.items[3].id, id[0]);
	cr_expect_eq(l.items[4].id, id[4]);
	cr_expect_eq(l.items[5].id, id[5]);
	/* Summaries: no body, but section, author, tags, first photo. */
	cr_expect_str_eq(l.items[3].body_html, "");
	cr_expect_str_eq(l.items[3].body_source, "");
	cr_expect_str_eq(l.items[3].section.slug, "world");
	cr_expect_str_eq(l.items[3].author.name, "Ann Lee");
	cr_assert_eq(l.items[3].ntags, 1);
	cr_expect_str_eq(l.items[3].tags[0].name, "Police");
	cr_assert_eq(l.items[5].nphotos, 1);
	cr_expect_str_eq(l.items[5].photos[0].caption, "First");
	cr_expect_str_eq(l.items[5].section.name, "World");

	/* Pages keep the total. */
	q.limit = 4;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 4);
	cr_expect_eq(l.total, 6);
	q.offset = 4;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 2);
	cr_expect_eq(l.total, 6);
	cr_expect_eq(l.items[0].id, id[4]);
	q.offset = 10;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 0);
	cr_expect_eq(l.total, 6);

	/* Section filter, with exclusion ("more from World"). */
	memset(&q, 0, sizeof(q));
	q.section = "world";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 4);
	cr_expect_eq(l.total, 4);
	q.exclude_id = id[3];
	q.limit = 2;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_assert_eq(l.n, 2);
	cr_expect_eq(l.total, 3);
	cr_expect_eq(l.items[0].id, id[1]);
	cr_expect_eq(l.items[1].id, id[0]);

	/* Tag filter. */
	memset(&q, 0, sizeof(q));
	q.tag = "police";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_assert_eq(l.n, 4);
	cr_expect_eq(l.items[0].id, id[2]);
	cr_expect_eq(l.items[3].id, id[5]);
	q.limit = 1;
	q.offset = 1;
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_assert_eq(l.n, 1);
	cr_expect_eq(l.total, 4);
	cr_expect_eq(l.items[0].id, id[0]);

	/* Author filter. */
	memset(&q, 0, sizeof(q));
	q.author = "bob-ray";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_assert_eq(l.n, 2);
	cr_expect_eq(l.items[0].id, id[1]);
	cr_expect_eq(l.items[1].id, id[4]);

	/* Unknown slugs: empty, not an error. */
	memset(&q, 0, sizeof(q));
	q.tag = "nope";
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_expect_eq(l.n, 0);
	cr_expect_eq(l.total, 0);

	/* A NULL query lists everything. */
	cr_assert_eq(store_article_list(st, &arena, NULL, &l, &err), 0);
	cr_expect_eq(l.n, 6);

	/* Sections by name, with counts. */
	cr_assert_eq(store_section_list(st, &arena, 1, &secs, &nsecs, &err), 0);
	cr_assert_eq(nsecs, 3);
	cr_expect_str_eq(secs[0].name, "Arts");
	cr_expect_eq(secs[0].article_count, 1);
	cr_expect_str_eq(secs[1].name, "Sport");
	cr_expect_str_eq(secs[2].name, "World");
	cr_expect_eq(secs[2].article_count, 4);

	cr_assert_eq(store_section_get(st, &arena, "world", &sec, &err), 0);
	cr_expect_str_eq(sec.name, "World");
	cr_expect_eq(sec.article_count, 4);
	cr_expect_eq(store_section_get(st, &arena, "nope", &sec, &err), 1);
	cr_assert_eq(store_author_get(st, &arena, "ann-lee", &au, &err), 0);
	cr_expect_str_eq(au.name, "Ann Lee");
	cr_expect_str_eq(au.bio, "");
	cr_expect_eq(au.article_count, 3);
	cr_expect_eq(store_author_get(st, &arena, "nobody", &au, &err), 1);
	cr_assert_eq(store_tag_get(st, &arena, "police", &tag, &err), 0);
	cr_expect_str_eq(tag.name, "Police");
	cr_expect_eq(tag.article_count, 4);
	cr_assert_eq(store_tag_get(st, &arena, "courts", &tag, &err), 0);
	cr_expect_eq(tag.article_count, 1);
	cr_expect_eq(store_tag_get(st, &arena, "Police", &tag, &err), 1);

	for (i = 0; i < 6; i++)
		cr_expect_gt(id[i], 0);
}

/* ----------------------------------------------------------- comments */

Test(store, comments_count_approved_only)
{
	struct st_comment c = { 0 }, *cs;
	struct st_article *r;
	struct st_list l;
	size_t n;
	int64_t aid, c1, c2, c3, c4;

	aid = add("Talked about", NULL, NULL, NULL, 0, NULL);
	c.article_id = aid;
	c.author = "Renée";
	c.email = "renee@example.org";
	c.url = "https://example.org/";
	c.body = "Première!\nSecond line.";
	c.ip = "192.0.2.1";
	c.status = STC_APPROVED;
	c.created_at = 1000;
	cr_assert_eq(store_comment_add(st, &c, &c1, &err), 0, "%s", err.msg);
	c.status = STC_PENDING;
	c.created_at = 500;
	cr_assert_eq(store_comment_add(st, &c, &c2, &err), 0);
	c.status = STC_SPAM;
	cr_assert_eq(store_comment_add(st, &c, &c3, &err), 0);
	c.status = STC_APPROVED;
	c.parent_id = c1;
	c.created_at = 2000;
	c.author = NULL;
	c.url = NULL;
	cr_assert_eq(store_comment_add(st, &c, &c4, &err), 0, "%s", err.msg);

	cr_assert_eq(store_article_get(st, &arena, aid, 0, &r, &err), 0);
	cr_expect_eq(r->comment_count, 2);
	cr_assert_eq(store_article_list(st, &arena, NULL, &l, &err), 0);
	cr_assert_eq(l.n, 1);
	cr_expect_eq(l.items[0].comment_count, 2);

	cr_assert_eq(store_comment_list(st, &arena, aid, &cs, &n, &err), 0);
	cr_assert_eq(n, 2);
	cr_expect_eq(cs[0].id, c1);
	cr_expect_eq(cs[0].article_id, aid);
	cr_expect_eq(cs[0].parent_id, 0);
	cr_expect_str_eq(cs[0].author, "Renée");
	cr_expect_str_eq(cs[0].email, "renee@example.org");
	cr_expect_str_eq(cs[0].url, "https://example.org/");
	cr_expect_str_eq(cs[0].body, "Première!\nSecond line.");
	cr_expect_str_eq(cs[0].ip, "192.0.2.1");
	cr_expect_eq(cs[0].status, STC_APPROVED);
	cr_expect_eq(cs[0].created_at, 1000);
	cr_expect_eq(cs[1].id, c4);
	cr_expect_eq(cs[1].parent_id, c1);
	cr_expect_str_eq(cs[1].author, "");
	cr_expect_str_eq(cs[1].url, "");

	/* Bad references are refused with a reason. */
	c.parent_id = 0;
	c.article_id = aid + 50;
	cr_expect_eq(store_comment_add(st, &c, &c4, &err), -1);
	cr_expect_not_null(strstr(err.msg, "no article"), "%s", err.msg);
	c.article_id = aid;
	c.parent_id = c4 + 50;
	cr_expect_eq(store_comment_add(st, &c, &c4, &err), -1);
	cr_expect_not_null(strstr(err.msg, "cannot add comment"), "%s",
	    err.msg);
	c.parent_id = 0;
	c.status = 9;
	cr_expect_eq(store_comment_add(st, &c, &c4, &err), -1);
	cr_expect_eq(raw_int("SELECT count(*) FROM comments", NULL), 4);
	cr_expect_eq(store_comment_list(st, &arena, aid + 9, &cs, &n, &err),
	    0);
	cr_expect_eq(n, 0);
}

/* ---------------------------------------------------- change tracking */

static int
has_key(struct st_change *c, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].key, key) == 0)
			return 1;
	return 0;
}

Test(store, change_log_names_affected_pages)
{
	struct st_change *c;
	struct st_comment cm = { 0 };
	size_t n;
	int64_t latest, before, aid, cid;
	char key[64];

	cr_assert_eq(store_change_latest(st, &latest, &err), 0);
	cr_expect_eq(latest, 0);
	aid = add("Logged", "Côte d'Ivoire", "Jane Doe", "Élections", 0,
	    NULL);
	cr_assert_eq(store_changes_since(st, &arena, 0, 100, &c, &n, &err),
	    0);
	cr_assert_eq(n, 7);
	snprintf(key, sizeof(key), "article:%lld", (long long)aid);
	cr_expect(has_key(c, n, "archive:2026-11"), "the month's archive");
	cr_expect(has_key(c, n, "sections"),
	    "a section's first story changes every page's navigation");
	cr_expect(has_key(c, n, key));
	cr_expect(has_key(c, n, "front"));
	cr_expect(has_key(c, n, "section:cote-divoire"));
	cr_expect(has_key(c, n, "author:jane-doe"));
	cr_expect(has_key(c, n, "tag:elections"));
	cr_expect_lt(c[0].id, c[6].id);
	cr_assert_eq(store_change_latest(st, &latest, &err), 0);
	cr_expect_eq(latest, c[6].id);

	/* A second story in the same section leaves the navigation alone. */
	before = latest;
	add("Logged again", "Côte d'Ivoire", "Jane Doe", "Élections", 0, NULL);
	cr_assert_eq(store_changes_since(st, &arena, before, 100, &c, &n, &err), 0);
	cr_expect_not(has_key(c, n, "sections"));
	cr_assert_eq(store_change_latest(st, &latest, &err), 0);

	/* Only what came after `before`, at most `max`. */
	before = latest;
	cm.article_id = aid;
	cm.body = "held";
	/* A held comment changes no page anyone sees: nothing logged. */
	cr_assert_eq(store_comment_add(st, &cm, &cid, &err), 0);
	cr_assert_eq(store_changes_since(st, &arena, before, 100, &c, &n,
	    &err), 0);
	cr_assert_eq(n, 0);
	cm.body = "hi";
	cm.status = STC_APPROVED;
	cr_assert_eq(store_comment_add(st, &cm, &cid, &err), 0);
	cr_assert_eq(store_changes_since(st, &arena, before, 100, &c, &n,
	    &err), 0);
	cr_assert_eq(n, 2);
	/* A new comment is a soft change: readers may see it a moment
	 * late (store.h). */
	cr_expect_eq(c[0].key[0], STORE_CHANGE_SOFT);
	cr_expect_str_eq(c[0].key + 1, key);
	cr_expect_str_eq(c[1].key, "~comments");
	cr_assert_eq(store_changes_since(st, &arena, 0, 3, &c, &n, &err), 0);
	cr_expect_eq(n, 3);
	cr_assert_eq(store_changes_since(st, &arena, 0, 0, &c, &n, &err), 0);
	cr_expect_eq(n, 0);
}

Test(store, old_changes_are_pruned_on_write)
{
	struct st_change *c;
	size_t n;

	raw_exec("INSERT INTO changes (key, created_at) VALUES ('stale', 1)");
	cr_assert_eq(store_changes_since(st, &arena, 0, 100, &c, &n, &err),
	    0);
	cr_assert_eq(n, 1);
	add("Prunes", NULL, NULL, NULL, 0, NULL);
	cr_assert_eq(store_changes_since(st, &arena, 0, 100, &c, &n, &err),
	    0);
	cr_expect_eq(n, 3);	/* article:ID, front, archive:2026-11 */
	cr_expect_not(has_key(c, n, "stale"));
	/* Ids never go back after a prune. */
	cr_expect_gt(c[0].id, 1);
}

Test(store, poll_sees_other_connection)
{
	struct store *other;
	int changed = -1;

	cr_assert_eq(store_open(dbpath, &other, &err), 0, "%s", err.msg);
	cr_assert_eq(store_poll(st, &changed, &err), 0, "%s", err.msg);
	/* The first call sets the baseline; PostgreSQL starts listening
	 * then and cannot know what it missed before, so says "changed". */
	cr_expect_eq(changed, test_pg);
	cr_assert_eq(store_poll(st, &changed, &err), 0);
	cr_expect_eq(changed, 0);

	/* A write through another connection (as by the CLI). */
	{
		struct store *save = st;
		st = other;
		add("From elsewhere", NULL, NULL, NULL, 0, NULL);
		st = save;
	}
	cr_expect_eq(poll_changed(st), 1);
	cr_assert_eq(store_poll(st, &changed, &err), 0);
	cr_expect_eq(changed, 0);

	/* A write through this connection counts too. */
	add("From here", NULL, NULL, NULL, 0, NULL);
	cr_assert_eq(store_poll(st, &changed, &err), 0);
	cr_expect_eq(changed, 1);
	cr_assert_eq(store_poll(st, &changed, &err), 0);
	cr_expect_eq(changed, 0);

	/* A failed write is not a change. */
	struct st_article_new bad = { 0 };
	int64_t id;
	cr_expect_eq(store_article_add(st, &arena, &bad, &id, NULL, &err), -1);
	cr_assert_eq(store_poll(st, &changed, &err), 0);
	cr_expect_eq(changed, 0);
	store_close(other);
}

/* ----------------------------------------------------- full-text index */

Test(store, fts_index_follows_articles)
{
	struct st_article_new n = { 0 };
	int64_t id;

	SQLITE_ONLY();	/* reads FTS5's table; search tests cover both */

	n.title = "Café owners running again";
	n.standfirst = "A standfirst";
	n.body_format = "markdown";
	n.body_source = "**Bold** word";
	n.body_html = "<p><strong>Fish</strong>&amp;chips in Zürich</p>";
	n.status = ST_PUBLISHED;
	n.path_date = "2026/11/24";
	cr_assert_eq(store_article_add(st, &arena, &n, &id, NULL, &err), 0);

	cr_expect_eq(raw_int("SELECT rowid FROM articles_fts "
	    "WHERE articles_fts MATCH ?", "cafe"), id);
	cr_expect_eq(raw_int("SELECT rowid FROM articles_fts "
	    "WHERE articles_fts MATCH ?", "run"), id);
	cr_expect_eq(raw_int("SELECT rowid FROM articles_fts "
	    "WHERE articles_fts MATCH ?", "zurich"), id);
	cr_expect_eq(raw_int("SELECT rowid FROM articles_fts "
	    "WHERE articles_fts MATCH ?", "fish"), id);
	cr_expect_eq(raw_int("SELECT rowid FROM articles_fts "
	    "WHERE articles_fts MATCH ?", "chips"), id);
	/* Markup is not indexed. */
	cr_expect_eq(raw_int("SELECT count(*) FROM articles_fts "
	    "WHERE articles_fts MATCH ?", "strong"), 0);
	cr_expect_eq(raw_int("SELECT count(*) FROM articles_fts "
	    "WHERE articles_fts MATCH ?", "amp"), 0);
	cr_expect_eq(raw_int("SELECT count(*) FROM articles_fts", NULL), 1);
}

Test(store, tag_pages_follow_status_changes)
{
	struct st_query q = { .tag = "police" };
	struct st_list l;
	struct st_tag tag;
	int64_t a1, a2;

	a1 = add("Older", NULL, NULL, "Police", 1000, NULL);
	a2 = add("Newer", NULL, NULL, "Police", 2000, NULL);
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_assert_eq(l.n, 2);
	cr_expect_eq(l.items[0].id, a2);

	/* An article taken down (or re-dated) by a later write leaves the
	 * tag page at once. */
	raw_exec("UPDATE articles SET status = 0 WHERE title = 'Newer'");
	raw_exec("UPDATE articles SET published_at = 3000 "
	    "WHERE title = 'Older'");
	cr_assert_eq(store_article_list(st, &arena, &q, &l, &err), 0);
	cr_assert_eq(l.n, 1);
	cr_expect_eq(l.total, 1);
	cr_expect_eq(l.items[0].id, a1);
	cr_expect_eq(l.items[0].published_at, 3000);
	cr_assert_eq(store_tag_get(st, &arena, "police", &tag, &err), 0);
	cr_expect_eq(tag.article_count, 1);
}

Test(store, processes_share_the_file)
{
	struct st_list l;
	char title[64];
	pid_t pid;
	int i, status;

	store_close(st);
	st = NULL;
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (store_open(dbpath, &st, &err) < 0)
			_exit(2);
		for (i = 0; i < 20; i++) {
			struct st_article_new n = { 0 };
			int64_t id;

			n.title = "Same title";
			n.status = ST_PUBLISHED;
			n.path_date = "2026/11/24";
			n.section_name = "World";
			if (store_article_add(st, &arena, &n, &id, NULL,
			    &err) < 0)
				_exit(3);
		}
		store_close(st);
		_exit(0);
	}
	cr_assert_eq(store_open(dbpath, &st, &err), 0, "%s", err.msg);
	for (i = 0; i < 20; i++) {
		snprintf(title, sizeof(title), "Same title");
		add(title, "World", NULL, NULL, 0, NULL);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child failed: %d", status);
	cr_assert_eq(store_article_list(st, &arena, NULL, &l, &err), 0);
	cr_expect_eq(l.n, 40);
	cr_expect_eq(raw_int("SELECT count(DISTINCT slug) FROM articles",
	    NULL), 40);
	cr_expect_eq(raw_int("SELECT count(*) FROM sections", NULL), 1);
}

Test(store, author_bio_is_kept)
{
	struct st_author au;
	struct st_article *r;
	struct st_change *c;
	size_t n;
	int64_t id, latest;

	/* A bio for an author not seen yet creates the author. */
	cr_assert_eq(store_author_set_bio(st, "Jane Doe", "Covers courts.",
	    &err), 0, "%s", err.msg);
	cr_assert_eq(store_author_get(st, &arena, "jane-doe", &au, &err), 0);
	cr_expect_str_eq(au.name, "Jane Doe");
	cr_expect_str_eq(au.bio, "Covers courts.");
	cr_expect_eq(au.article_count, 0);

	id = add("Ruling", NULL, "Jane Doe", NULL, 0, NULL);
	cr_assert_eq(store_change_latest(st, &latest, &err), 0);
	cr_assert_eq(store_author_set_bio(st, "jane doe", "Covers the "
	    "high court since 2019 — «always».", &err), 0, "%s", err.msg);
	cr_assert_eq(store_article_get(st, &arena, id, 0, &r, &err), 0);
	cr_expect_str_eq(r->author.name, "Jane Doe");
	cr_expect_str_eq(r->author.bio,
	    "Covers the high court since 2019 — «always».");
	cr_assert_eq(store_changes_since(st, &arena, latest, 10, &c, &n,
	    &err), 0);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(c[0].key, "author:jane-doe");

	cr_expect_eq(store_author_set_bio(st, " ", "x", &err), -1);
	cr_expect_eq(store_author_set_bio(st, NULL, "x", &err), -1);
	cr_expect_eq(raw_int("SELECT count(*) FROM authors", NULL), 1);
}

/* ------------------------------------------------- comment moderation */

static int64_t
comment(int64_t article, int64_t parent, const char *author, const char *email,
    const char *ip, const char *body, enum st_comment_status status)
{
	struct st_comment c = { 0 };
	int64_t id = 0;

	c.article_id = article;
	c.parent_id = parent;
	c.author = (char *)author;
	c.email = (char *)email;
	c.url = "";
	c.ip = (char *)ip;
	c.body = (char *)body;
	c.status = status;
	cr_assert_eq(store_comment_add(st, &c, &id, &err), 0, "%s", err.msg);
	return id;
}

Test(store, comment_moderation_changes_what_readers_see)
{
	int64_t aid = add("Moderated", "News", "Jane Doe", NULL, 0, NULL);
	int64_t c1 = comment(aid, 0, "Ann", "ann@example.com", "10.0.0.1", "first", STC_PENDING);
	int64_t c2 = comment(aid, c1, "Bob", "bob@example.com", "10.0.0.2", "reply", STC_APPROVED);
	struct st_comment *list, *one;
	size_t n;

	cr_assert_eq(store_comment_list(st, &arena, aid, &list, &n, &err), 0);
	cr_expect_eq(n, 1, "only approved comments are listed for readers");
	cr_assert_eq(store_comment_admin_list(st, &arena, STC_PENDING, NULL, 0, &list, &n, &err), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(list[0].id, c1);
	cr_expect_str_eq(list[0].article_title, "Moderated");
	{
		/* Moderation is a hard change: every reader sees it at
		 * once, unlike a new comment (store.h). */
		int64_t before;
		struct st_change *ch;
		size_t nch;

		cr_assert_eq(store_change_latest(st, &before, &err), 0);
		cr_assert_eq(store_comment_set_status(st, c1, STC_APPROVED, &err), 0, "%s", err.msg);
		cr_assert_eq(store_changes_since(st, &arena, before, 10, &ch, &nch, &err), 0);
		cr_assert_geq(nch, 1);
		cr_expect_str_eq(ch[0].key, bl_arena_printf(&arena, "article:%lld", (long long)aid));
	}
	cr_assert_eq(store_comment_list(st, &arena, aid, &list, &n, &err), 0);
	cr_expect_eq(n, 2);
	cr_assert_eq(store_comment_get(st, &arena, c1, &one, &err), 0);
	cr_expect_eq(one->status, STC_APPROVED);
	cr_expect_eq(store_comment_set_status(st, 99999, STC_APPROVED, &err), 1, "unknown id");

	/* Deleting a parent keeps its replies, moved up a level. */
	cr_assert_eq(store_comment_delete(st, c1, &err), 0, "%s", err.msg);
	cr_expect_eq(store_comment_get(st, &arena, c1, &one, &err), 1);
	cr_assert_eq(store_comment_get(st, &arena, c2, &one, &err), 0);
	cr_expect_eq(one->parent_id, 0);
	cr_expect_eq(store_comment_delete(st, c1, &err), 1);

	cr_assert_eq(store_comment_update(st, c2, "Bobby", "https://bob.example", "edited", STC_PENDING, &err), 0);
	cr_assert_eq(store_comment_get(st, &arena, c2, &one, &err), 0);
	cr_expect_str_eq(one->author, "Bobby");
	cr_expect_str_eq(one->body, "edited");
	cr_expect_eq(one->status, STC_PENDING);
}

Test(store, abuse_controls_read_shared_state)
{
	int64_t aid = add("Abuse", NULL, NULL, NULL, 0, NULL);
	int64_t t = 0;
	int yes = -1, already = -1;

	cr_assert_eq(store_comment_email_approved(st, "Ann@Example.com", &yes, &err), 0);
	cr_expect_eq(yes, 0);
	comment(aid, 0, "Ann", "ann@example.com", "10.0.0.1", "hello there", STC_APPROVED);
	cr_assert_eq(store_comment_email_approved(st, "ANN@example.com", &yes, &err), 0);
	cr_expect_eq(yes, 1, "email match ignores case");

	cr_assert_eq(store_comment_last_from_ip(st, "10.0.0.1", &t, &err), 0);
	cr_expect_gt(t, 0);
	cr_assert_eq(store_comment_last_from_ip(st, "10.9.9.9", &t, &err), 0);
	cr_expect_eq(t, 0);

	cr_assert_eq(store_comment_duplicate(st, aid, "Ann", "", "hello there", &yes, &err), 0);
	cr_expect_eq(yes, 1, "same author, same text");
	cr_assert_eq(store_comment_duplicate(st, aid, "Someone", "ann@example.com", "hello there", &yes, &err), 0);
	cr_expect_eq(yes, 1, "same email, same text");
	cr_assert_eq(store_comment_duplicate(st, aid, "Ann", "ann@example.com", "something else", &yes, &err), 0);
	cr_expect_eq(yes, 0);

	cr_assert_eq(store_captcha_spend(st, "00112233445566778899aabbccddeeff", time(NULL) + 60, &already, &err), 0);
	cr_expect_eq(already, 0);
	cr_assert_eq(store_captcha_spend(st, "00112233445566778899aabbccddeeff", time(NULL) + 60, &already, &err), 0);
	cr_expect_eq(already, 1, "a second use is a replay");
}

/* The posting path asks all its questions in one statement: the answers
 * are those of the single checks. */
Test(store, comment_checks_answer_as_the_single_checks)
{
	int64_t aid = add("Checked", NULL, NULL, NULL, 0, NULL);
	int64_t other = add("Elsewhere", NULL, NULL, NULL, 0, NULL);
	struct st_comment c = { 0 };
	struct st_comment_checks ck;
	char longer[300], differs[300];
	int all = ST_CHECK_FLOOD | ST_CHECK_APPROVED;

	/* Two long texts alike in their first 200 characters. */
	memset(longer, 'a', 200);
	strcpy(longer + 200, " and then the end");
	memcpy(differs, longer, 200);
	strcpy(differs + 200, " and then another end");

	c.article_id = aid;
	c.author = "Ann";
	c.email = "ANN@example.com";
	c.ip = "10.0.0.1";
	c.body = "hello there";
	cr_assert_eq(store_comment_checks(st, &c, all, &ck, &err), 0, "%s", err.msg);
	cr_expect_eq(ck.last_from_ip, 0);
	cr_expect_eq(ck.duplicate, 0);
	cr_expect_eq(ck.email_approved, 0);

	comment(aid, 0, "Ann", "ann@example.com", "10.0.0.1", "hello there", STC_APPROVED);
	comment(aid, 0, "Ann", "ann@example.com", "10.0.0.1", longer, STC_APPROVED);
	cr_assert_eq(store_comment_checks(st, &c, all, &ck, &err), 0, "%s", err.msg);
	cr_expect_gt(ck.last_from_ip, 0);
	cr_expect_eq(ck.duplicate, 1, "same author, same text");
	cr_expect_eq(ck.email_approved, 1, "email match ignores case");

	/* Only what `which` asks is looked at. */
	cr_assert_eq(store_comment_checks(st, &c, 0, &ck, &err), 0, "%s", err.msg);
	cr_expect_eq(ck.last_from_ip, 0);
	cr_expect_eq(ck.duplicate, 1);
	cr_expect_eq(ck.email_approved, 0);

	/* Same email, another name: still a duplicate; another article or
	 * another text is not. */
	c.author = "Someone";
	cr_assert_eq(store_comment_checks(st, &c, all, &ck, &err), 0, "%s", err.msg);
	cr_expect_eq(ck.duplicate, 1, "same email, same text");
	c.article_id = other;
	cr_assert_eq(store_comment_checks(st, &c, all, &ck, &err), 0, "%s", err.msg);
	cr_expect_eq(ck.duplicate, 0, "another article");
	c.article_id = aid;
	c.body = differs;
	cr_assert_eq(store_comment_checks(st, &c, all, &ck, &err), 0, "%s", err.msg);
	cr_expect_eq(ck.duplicate, 0, "texts that begin alike are not the same");
	c.body = longer;
	cr_assert_eq(store_comment_checks(st, &c, all, &ck, &err), 0, "%s", err.msg);
	cr_expect_eq(ck.duplicate, 1, "the same long text");

	/* No email given: only the name counts. */
	c.author = "Someone";
	c.email = "";
	c.ip = "10.9.9.9";
	cr_assert_eq(store_comment_checks(st, &c, all, &ck, &err), 0, "%s", err.msg);
	cr_expect_eq(ck.duplicate, 0);
	cr_expect_eq(ck.email_approved, 0);
	cr_expect_eq(ck.last_from_ip, 0);
}

Test(store, comment_target_reads_published_articles_only)
{
	struct st_article_new n = { 0 };
	char *path = NULL, *got = NULL;
	int64_t aid = add("Open for comments", NULL, NULL, NULL, 1790000000, &path);
	int64_t draft = 0, at = 0;

	cr_assert_eq(store_comment_target(st, &arena, aid, &got, &at, &err), 0,
	    "%s", err.msg);
	cr_expect_str_eq(got, path);
	cr_expect_eq(at, 1790000000);

	n.title = "Not yet";
	n.body_format = "text";
	n.body_source = "Body.";
	n.body_html = "<p>Body.</p>";
	n.status = ST_DRAFT;
	cr_assert_eq(store_article_add(st, &arena, &n, &draft, NULL, &err), 0,
	    "%s", err.msg);
	cr_expect_eq(store_comment_target(st, &arena, draft, &got, &at, &err), 1);
	cr_expect_eq(store_comment_target(st, &arena, aid + draft + 100, &got,
	    &at, &err), 1);
}
