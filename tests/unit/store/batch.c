/* Tests for group commit (store_batch_*), on SQLite and on PostgreSQL. */
#include <criterion/criterion.h>

#include <string.h>

#include "core/arena.h"
#include "store/store.h"

#include "fixture.h"

TestSuite(batch, .init = setup, .fini = teardown);

/* 0 when a second connection finds the article `slug`, 1 when not. */
static int
seen_by(struct store *other, const char *slug)
{
	struct st_article *a;
	int rc;

	rc = store_article_by_slug(other, &arena, slug, &a, &err);
	cr_assert_geq(rc, 0, "%s", err.msg);
	return rc == 0;
}

Test(batch, writes_commit_together_and_stay_hidden_until_then)
{
	struct store *other;
	struct st_comment *c;
	size_t n = 0;
	int64_t a, b, cid;

	cr_assert_eq(store_open(dbpath, &other, &err), 0, "%s", err.msg);
	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	a = add_article(st, "First in batch", "One", "World", NULL);
	cr_assert_gt(a, 0, "%s", err.msg);
	b = add_article(st, "Second in batch", "Two", "World", NULL);
	cr_assert_gt(b, 0, "%s", err.msg);
	cid = add_comment(st, a, 0, "Batched comment");
	cr_assert_gt(cid, 0, "%s", err.msg);

	/* This connection sees its own writes; nobody else does yet. */
	cr_expect(seen_by(st, "first-in-batch"));
	cr_expect_not(seen_by(other, "first-in-batch"));
	cr_expect_not(seen_by(other, "second-in-batch"));

	cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);
	cr_expect(seen_by(other, "first-in-batch"));
	cr_expect(seen_by(other, "second-in-batch"));
	cr_assert_eq(store_comment_list(other, &arena, a, &c, &n, &err), 0);
	cr_expect_eq(n, 1);
	store_close(other);
}

Test(batch, a_failed_write_leaves_the_others)
{
	struct st_article_new bad = { 0 };
	struct st_comment *c;
	size_t n = 0;
	int64_t a, b, id;

	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	a = add_article(st, "Kept one", "One", NULL, NULL);
	cr_assert_gt(a, 0, "%s", err.msg);
	/* A comment on no article fails inside the batch... */
	cr_expect_eq(add_comment(st, a + 1000, 0, "Lost"), -1);
	cr_expect_neq(strstr(err.msg, "no article"), NULL, "%s", err.msg);
	/* ...and so does an article without a title... */
	cr_expect_eq(store_article_add(st, &arena, &bad, &id, NULL, &err), -1);
	/* ...yet the batch goes on. */
	b = add_article(st, "Kept two", "Two", NULL, NULL);
	cr_assert_gt(b, 0, "%s", err.msg);
	cr_assert_gt(add_comment(st, b, 0, "Kept comment"), 0, "%s", err.msg);
	cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);

	cr_expect_eq(raw_int("SELECT count(*) FROM articles", NULL), 2);
	cr_expect_eq(raw_int("SELECT count(*) FROM comments", NULL), 1);
	cr_assert_eq(store_comment_list(st, &arena, b, &c, &n, &err), 0);
	cr_expect_eq(n, 1);
}

/* A batch of comments logs the articles it changed, and "comments", for
 * the watchers; on SQLite each key once, when it commits, however many
 * comments share it. */
Test(batch, comments_log_each_article_once)
{
	struct st_change *ch;
	struct st_comment held = { 0 };
	int64_t a, b, first, latest = -1, id;
	size_t n = 0, i;
	int seen_a = 0, seen_b = 0, seen_comments = 0;

	a = add_article(st, "Busy story", "One", NULL, NULL);
	cr_assert_gt(a, 0, "%s", err.msg);
	b = add_article(st, "Quiet story", "Two", NULL, NULL);
	cr_assert_gt(b, 0, "%s", err.msg);
	cr_assert_eq(store_change_latest(st, &latest, &err), 0);

	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	first = add_comment(st, a, 0, "First");
	cr_assert_gt(first, 0, "%s", err.msg);
	cr_assert_gt(add_comment(st, a, first, "A reply"), 0, "%s", err.msg);
	cr_assert_gt(add_comment(st, a, 0, "Third"), 0, "%s", err.msg);
	/* A reply to a comment of another article fails alone. */
	cr_expect_eq(add_comment(st, b, first, "Misplaced"), -1);
	cr_expect_neq(strstr(err.msg, "no comment"), NULL, "%s", err.msg);
	/* A held comment changes no page: no key for b. */
	held.article_id = b;
	held.author = "Held";
	held.email = "held@example.org";
	held.body = "Waiting";
	held.ip = "192.0.2.9";
	held.status = STC_PENDING;
	cr_assert_eq(store_comment_add(st, &held, &id, &err), 0, "%s", err.msg);
	cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);

	cr_expect_eq(raw_int("SELECT count(*) FROM comments", NULL), 4);
	cr_assert_eq(store_changes_since(st, &arena, latest, 100, &ch, &n,
	    &err), 0, "%s", err.msg);
	for (i = 0; i < n; i++) {
		/* New comments are soft changes (store.h): "~article:ID". */
		if (strcmp(ch[i].key, bl_arena_printf(&arena, "~article:%lld",
		    (long long)a)) == 0)
			seen_a++;
		else if (strstr(ch[i].key, bl_arena_printf(&arena,
		    "article:%lld", (long long)b)) != NULL)
			seen_b++;
		else if (strcmp(ch[i].key, "~comments") == 0)
			seen_comments++;
	}
	cr_expect_eq(seen_b, 0);
	if (test_pg) {
		/* PostgreSQL batches log per comment, as outside a batch. */
		cr_expect_geq(seen_a, 1);
		cr_expect_geq(seen_comments, 1);
	} else {
		cr_expect_eq(n, 2, "%zu changes", n);
		cr_expect_eq(seen_a, 1);
		cr_expect_eq(seen_comments, 1);
	}

	/* A batch that is dropped logs nothing. */
	cr_assert_eq(store_change_latest(st, &latest, &err), 0);
	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	cr_assert_gt(add_comment(st, b, 0, "Dropped"), 0, "%s", err.msg);
	store_batch_rollback(st);
	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);
	n = 0;
	cr_assert_eq(store_changes_since(st, &arena, latest, 100, &ch, &n,
	    &err), 0, "%s", err.msg);
	cr_expect_eq(n, 0, "%zu changes", n);
}

Test(batch, rollback_drops_the_whole_batch)
{
	int64_t a, latest = -1, after = -1;

	cr_assert_eq(store_change_latest(st, &latest, &err), 0);
	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	a = add_article(st, "Never published", "Gone", "World", "Police");
	cr_assert_gt(a, 0, "%s", err.msg);
	cr_assert_gt(add_comment(st, a, 0, "Gone too"), 0, "%s", err.msg);
	store_batch_rollback(st);

	cr_expect_eq(raw_int("SELECT count(*) FROM articles", NULL), 0);
	cr_expect_eq(raw_int("SELECT count(*) FROM comments", NULL), 0);
	cr_expect_eq(raw_int("SELECT count(*) FROM tags", NULL), 0);
	cr_assert_eq(store_change_latest(st, &after, &err), 0);
	cr_expect_eq(after, latest, "the change log is rolled back too");

	/* The store works on as before, outside any batch. */
	cr_expect_gt(add_article(st, "Published later", "Here", NULL, NULL),
	    0, "%s", err.msg);
	cr_expect_eq(raw_int("SELECT count(*) FROM articles", NULL), 1);
}

Test(batch, misuse_is_refused)
{
	cr_expect_eq(store_batch_commit(st, &err), -1);
	cr_expect_neq(strstr(err.msg, "no batch"), NULL, "%s", err.msg);
	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	cr_expect_eq(store_batch_begin(st, &err), -1);
	cr_expect_neq(strstr(err.msg, "already open"), NULL, "%s", err.msg);
	cr_expect_eq(store_copy_begin(st, &err), -1);
	cr_assert_eq(store_batch_commit(st, &err), 0, "%s", err.msg);
	store_batch_rollback(st);	/* nothing open: a no-op */
	cr_expect_gt(add_article(st, "After", "x", NULL, NULL), 0, "%s",
	    err.msg);
}
