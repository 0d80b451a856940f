/* Tests for state shared by several connections (server nodes, CLI
 * commands): replay protection, change notification and, on PostgreSQL,
 * surviving a lost connection. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "store/store.h"

#include "fixture.h"

TestSuite(nodes, .init = setup, .fini = teardown);

#define NONCES 40

/* Spends nonces n0..n39 through a connection of its own; returns how
 * many were new to it (-1 on an error). */
static int
spend_all(void)
{
	struct store *s;
	char nonce[16];
	int i, already, fresh = 0;

	if (store_open(dbpath, &s, &err) < 0)
		return -1;
	for (i = 0; i < NONCES; i++) {
		snprintf(nonce, sizeof(nonce), "n%d", i);
		if (store_captcha_spend(s, nonce, 4000000000LL, &already,
		    &err) < 0) {
			store_close(s);
			return -1;
		}
		fresh += !already;
	}
	store_close(s);
	return fresh;
}

Test(nodes, a_captcha_token_is_spent_once_across_connections)
{
	struct store *other;
	int already = -1, mine, theirs, status;
	pid_t pid;

	cr_assert_eq(store_open(dbpath, &other, &err), 0, "%s", err.msg);
	cr_assert_eq(store_captcha_spend(st, "feed01", 4000000000LL, &already,
	    &err), 0, "%s", err.msg);
	cr_expect_eq(already, 0);
	cr_assert_eq(store_captcha_spend(other, "feed01", 4000000000LL,
	    &already, &err), 0, "%s", err.msg);
	cr_expect_eq(already, 1, "a replay on another node");
	cr_assert_eq(store_captcha_spend(other, "feed02", 4000000000LL,
	    &already, &err), 0, "%s", err.msg);
	cr_expect_eq(already, 0);
	store_close(other);

	/* Two processes racing to spend the same tokens: each token is
	 * accepted exactly once. */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(spend_all() + 1);
	mine = spend_all();
	cr_assert_geq(mine, 0, "%s", err.msg);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) > 0,
	    "child failed: %d", status);
	theirs = WEXITSTATUS(status) - 1;
	cr_expect_eq(mine + theirs, NONCES, "%d + %d", mine, theirs);
}

Test(nodes, poll_sees_comments_from_another_connection)
{
	struct store *other;
	int64_t a;
	int changed = -1;

	a = add_article(st, "Talked about", "Body.", NULL, NULL);
	cr_assert_gt(a, 0, "%s", err.msg);
	cr_assert_eq(store_open(dbpath, &other, &err), 0, "%s", err.msg);
	cr_assert_eq(store_poll(st, &changed, &err), 0, "%s", err.msg);
	cr_assert_eq(store_poll(st, &changed, &err), 0, "%s", err.msg);
	cr_expect_eq(changed, 0);

	cr_assert_gt(add_comment(other, a, 0, "From another node"), 0, "%s",
	    err.msg);
	cr_expect_eq(poll_changed(st), 1);
	cr_assert_eq(store_poll(st, &changed, &err), 0, "%s", err.msg);
	cr_expect_eq(changed, 0);

	/* A moderator's change elsewhere too. */
	cr_assert_eq(store_comment_set_status(other, 1, STC_SPAM, &err), 0,
	    "%s", err.msg);
	cr_expect_eq(poll_changed(st), 1);
	store_close(other);
}

/* Ends the store's server session from another connection, as a server
 * restart or a network cut would; returns how many sessions ended. */
static long long
kill_sessions(void)
{
	return raw_int("SELECT count(pg_terminate_backend(pid))"
	    " FROM pg_stat_activity WHERE datname = current_database()"
	    " AND application_name = 'byline'", NULL);
}

/* Reads the article `id` through st: 0, or -1 with err set. */
static int
read_back(int64_t id)
{
	struct st_article *a;

	return store_article_get(st, &arena, id, 0, &a, &err) == 0 ? 0 : -1;
}

Test(nodes, a_lost_connection_comes_back_by_itself)
{
	int64_t a, b;
	int changed = -1, rc;

	PG_ONLY();
	a = add_article(st, "Before the cut", "Body.", NULL, NULL);
	cr_assert_gt(a, 0, "%s", err.msg);
	cr_assert_eq(store_poll(st, &changed, &err), 0, "%s", err.msg);
	cr_assert_eq(store_poll(st, &changed, &err), 0, "%s", err.msg);

	cr_assert_geq(kill_sessions(), 1);
	/* The first call may see the break (an outage, 503) or already
	 * reconnect; the one after it works. */
	rc = read_back(a);
	if (rc < 0)
		cr_expect_eq(err.unavailable, 1, "%s", err.msg);
	cr_assert_eq(read_back(a), 0, "%s", err.msg);

	/* Statements are prepared again and writes work. */
	b = add_article(st, "After the cut", "Body.", NULL, NULL);
	cr_assert_gt(b, a, "%s", err.msg);
	cr_expect_eq(read_back(b), 0, "%s", err.msg);

	/* Notifications sent while it was away are lost, so the poll after
	 * a reconnect says "changed" and the caller rereads the log. */
	cr_assert_geq(kill_sessions(), 1);
	for (rc = 0; rc < 3; rc++)
		if (store_poll(st, &changed, &err) == 0)
			break;
	cr_assert_lt(rc, 3, "%s", err.msg);
	cr_expect_eq(changed, 1);
	cr_assert_eq(store_poll(st, &changed, &err), 0, "%s", err.msg);
	cr_expect_eq(changed, 0);
}

Test(nodes, a_batch_cut_short_is_reported_and_dropped)
{
	int64_t a, b;

	PG_ONLY();
	cr_assert_eq(store_batch_begin(st, &err), 0, "%s", err.msg);
	a = add_article(st, "Inside the batch", "Body.", NULL, NULL);
	cr_assert_gt(a, 0, "%s", err.msg);
	cr_assert_geq(kill_sessions(), 1);

	/* The open transaction died with the session: nothing of it can be
	 * committed, and saying so is an outage, not a crash. */
	b = add_article(st, "Also inside", "Body.", NULL, NULL);
	if (b < 0)
		cr_expect_eq(err.unavailable, 1, "%s", err.msg);
	cr_expect_eq(store_batch_commit(st, &err), -1);
	cr_expect_eq(err.unavailable, 1, "%s", err.msg);
	store_batch_rollback(st);

	cr_expect_eq(raw_int("SELECT count(*) FROM articles", NULL), 0);
	cr_expect_gt(add_article(st, "After the batch", "Body.", NULL, NULL),
	    0, "%s", err.msg);
	cr_expect_eq(raw_int("SELECT count(*) FROM articles", NULL), 1);
}
