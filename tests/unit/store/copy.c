/* Tests for whole-site copies (store_copy): SQLite to the fixture's
 * backend (PostgreSQL when BYLINE_TEST_PG is set) and back to SQLite. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "store/store.h"

#include "fixture.h"

TestSuite(copy, .init = setup, .fini = teardown);

/* A SQLite store in the test's folder. */
static struct store *
open_sqlite(const char *name)
{
	struct store *s;
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	cr_assert_eq(store_open(p, &s, &err), 0, "%s", err.msg);
	return s;
}

struct site {
	int64_t harbour, storm, draft;
	int64_t top, reply, deep;
};

/* Fills `s` with a small site: published and draft articles with
 * sections, tags, photos, a bio, threaded comments (ids with a gap) and
 * a spent CAPTCHA nonce. */
static void
fill(struct store *s, struct site *x)
{
	struct st_article_new n = { 0 };
	struct st_photo ph[2] = {
		{ .file = "2026/11/a.jpg", .caption = "The quay",
		  .credit = "Jane Doe", .alt = "Boats", .width = 1200,
		  .height = 800 },
		{ .file = "2026/11/b.jpg", .caption = "Ærø ferry" },
	};
	const char *tags[2] = { "Weather", "Orkney" };
	int64_t gone;
	int already = -1;

	x->harbour = add_article(s, "Harbour reopens after the storm",
	    "The harbour at Kirkwall reopened to ferries on Monday.", "World",
	    "Weather");
	cr_assert_gt(x->harbour, 0, "%s", err.msg);
	x->storm = add_article(s, "Storm damage counted in Zürich",
	    "Insurers counted the damage the storm left.", "World", "Weather");
	cr_assert_gt(x->storm, 0, "%s", err.msg);
	n.title = "A draft with photos";
	n.standfirst = "Not yet";
	n.body_format = "markdown";
	n.body_source = "Draft *text*";
	n.body_html = "<p>Draft <em>text</em></p>";
	n.status = ST_DRAFT;
	n.path_date = "2026/11/25";
	n.section_name = "Business";
	n.author_name = "Zoë Ørsted";
	n.tags = tags;
	n.ntags = 2;
	n.photos = ph;
	n.nphotos = 2;
	cr_assert_eq(store_article_add(s, &arena, &n, &x->draft, NULL, &err),
	    0, "%s", err.msg);
	cr_assert_eq(store_author_set_bio(s, "Zoë Ørsted", "Writes on trade.",
	    &err), 0, "%s", err.msg);

	gone = add_comment(s, x->harbour, 0, "Deleted soon");
	cr_assert_gt(gone, 0, "%s", err.msg);
	x->top = add_comment(s, x->harbour, 0, "Good news for the islands");
	x->reply = add_comment(s, x->harbour, x->top, "Agreed");
	x->deep = add_comment(s, x->harbour, x->reply, "Not everyone agrees");
	cr_assert_gt(x->deep, 0, "%s", err.msg);
	cr_assert_eq(store_comment_delete(s, gone, &err), 0, "%s", err.msg);
	cr_assert_eq(store_captcha_spend(s, "a1b2c3", 4000000000LL, &already,
	    &err), 0, "%s", err.msg);
	cr_assert_eq(already, 0);
}

struct progress {
	int calls;
	int done;
	int64_t last, total;
};

static void
on_progress(void *ctx, const char *table, int64_t done, int64_t total)
{
	struct progress *p = ctx;

	p->calls++;
	p->last = done;
	p->total = total;
	if (strcmp(table, "done") == 0)
		p->done = 1;
}

/* Checks that `to` holds the site `from` holds. */
static void
same_site(struct store *from, struct store *to, const struct site *x)
{
	struct st_article *a, *b;
	struct st_comment *ca, *cb;
	struct st_search q = { .text = "harbour", .len = 7, .limit = 10 };
	struct st_search_result r = { 0 };
	size_t na = 0, nb = 0, i;
	int64_t ca_n, cb_n;
	int already = -1;

	for (i = 0; i < store_ntables; i++) {
		cr_assert_eq(store_copy_count(from, &store_tables[i], &ca_n,
		    &err), 0, "%s", err.msg);
		cr_assert_eq(store_copy_count(to, &store_tables[i], &cb_n,
		    &err), 0, "%s", err.msg);
		cr_expect_eq(ca_n, cb_n, "table %s", store_tables[i].name);
	}
	cr_assert_eq(store_article_get(from, &arena, x->draft, 1, &a, &err), 0);
	cr_assert_eq(store_article_get(to, &arena, x->draft, 1, &b, &err), 0,
	    "%s", err.msg);
	cr_expect_str_eq(b->title, a->title);
	cr_expect_str_eq(b->slug, a->slug);
	cr_expect_str_eq(b->path, a->path);
	cr_expect_str_eq(b->body_source, a->body_source);
	cr_expect_str_eq(b->body_html, a->body_html);
	cr_expect_eq(b->status, ST_DRAFT);
	cr_expect_eq(b->created_at, a->created_at);
	cr_expect_str_eq(b->section.slug, "business");
	cr_expect_str_eq(b->author.bio, "Writes on trade.");
	cr_assert_eq(b->ntags, 2);
	cr_expect_str_eq(b->tags[0].name, "Weather");
	cr_expect_str_eq(b->tags[1].name, "Orkney");
	cr_assert_eq(b->nphotos, 2);
	cr_expect_str_eq(b->photos[1].caption, "Ærø ferry");
	cr_expect_eq(b->photos[0].width, 1200);

	/* Threads keep their shape. */
	cr_assert_eq(store_comment_list(from, &arena, x->harbour, &ca, &na,
	    &err), 0);
	cr_assert_eq(store_comment_list(to, &arena, x->harbour, &cb, &nb,
	    &err), 0, "%s", err.msg);
	cr_assert_eq(na, 3);
	cr_assert_eq(nb, na);
	for (i = 0; i < na; i++) {
		cr_expect_eq(cb[i].id, ca[i].id);
		cr_expect_eq(cb[i].parent_id, ca[i].parent_id);
		cr_expect_str_eq(cb[i].body, ca[i].body);
	}
	cr_expect_eq(cb[2].parent_id, x->reply);

	/* The target built its own search index. */
	cr_assert_eq(store_search(to, &arena, &q, &r, &err), 0, "%s",
	    err.msg);
	cr_assert_eq(r.n, 1);
	cr_expect_eq(r.items[0].id, x->harbour);

	/* Replay protection moved with the site. */
	cr_assert_eq(store_captcha_spend(to, "a1b2c3", 4000000000LL, &already,
	    &err), 0, "%s", err.msg);
	cr_expect_eq(already, 1);
}

Test(copy, round_trip_keeps_ids_threads_and_search)
{
	struct store *src = open_sqlite("src.db"), *back;
	struct progress pr = { 0 };
	struct site x;
	int64_t id, cid;

	fill(src, &x);
	cr_assert_eq(store_copy(src, st, on_progress, &pr, &err), 0, "%s",
	    err.msg);
	cr_expect(pr.done);
	cr_expect_eq(pr.last, pr.total);
	same_site(src, st, &x);

	/* New rows get ids after the copied ones. */
	id = add_article(st, "After the move", "New story.", NULL, NULL);
	cr_assert_gt(id, x.draft, "%s", err.msg);
	cid = add_comment(st, id, 0, "First on the new database");
	cr_expect_gt(cid, x.deep, "%s", err.msg);

	/* And back again. */
	back = open_sqlite("back.db");
	cr_assert_eq(store_copy(st, back, NULL, NULL, &err), 0, "%s", err.msg);
	same_site(st, back, &x);
	store_close(back);
	store_close(src);
}

Test(copy, refuses_a_target_with_content)
{
	struct store *src = open_sqlite("src.db");
	struct site x;
	int64_t mine;

	fill(src, &x);
	mine = add_article(st, "Already here", "Mine.", NULL, NULL);
	cr_assert_gt(mine, 0, "%s", err.msg);
	cr_expect_eq(store_copy(src, st, NULL, NULL, &err), -1);
	cr_expect_neq(strstr(err.msg, "already holds"), NULL, "%s", err.msg);
	/* Nothing was written, and the target works on. */
	cr_expect_eq(raw_int("SELECT count(*) FROM articles", NULL), 1);
	cr_expect_eq(raw_int("SELECT count(*) FROM comments", NULL), 0);
	cr_expect_gt(add_article(st, "Still writable", "Yes.", NULL, NULL),
	    mine, "%s", err.msg);
	store_close(src);
}

Test(copy, a_failed_copy_leaves_the_target_empty)
{
	struct store *src = open_sqlite("src.db");
	struct site x;
	int64_t n = -1;

	fill(src, &x);
	cr_assert_eq(store_copy_begin(st, &err), 0, "%s", err.msg);
	cr_assert_eq(store_copy_write(st, &store_tables[0],
	    (struct st_value[]){ { .type = STV_INT, .i = 7 },
	    { .type = STV_TEXT, .s = "world" },
	    { .type = STV_TEXT, .s = "World" } }, &err), 0, "%s", err.msg);
	/* A row that breaks a constraint (slug is NOT NULL) ends it. */
	cr_expect_eq(store_copy_write(st, &store_tables[0],
	    (struct st_value[]){ { .type = STV_INT, .i = 8 },
	    { .type = STV_NULL }, { .type = STV_TEXT, .s = "X" } }, &err), -1);
	store_copy_abort(st);
	cr_assert_eq(store_copy_count(st, &store_tables[0], &n, &err), 0,
	    "%s", err.msg);
	cr_expect_eq(n, 0);
	/* A whole copy works afterwards. */
	cr_assert_eq(store_copy(src, st, NULL, NULL, &err), 0, "%s", err.msg);
	same_site(src, st, &x);
	store_close(src);
}
