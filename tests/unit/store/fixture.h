/* The store tests' fixture: a fresh database for every test, removed
 * afterwards. Each test file includes this once and names its suite with
 * TestSuite(NAME, .init = setup, .fini = teardown).
 *
 * By default the database is a SQLite file in its own temporary folder.
 * When BYLINE_TEST_PG holds a PostgreSQL server URL (such as
 * "postgresql://byline@127.0.0.1:PORT/"), every test gets a database of
 * its own on that server instead, created from the "postgres" database
 * and dropped afterwards (Criterion runs each test in its own process, so
 * the process id names it). `dbpath` is then that database's URL, so
 * store_open(dbpath) opens a second connection either way. */
#ifndef BL_TEST_STORE_FIXTURE_H
#define BL_TEST_STORE_FIXTURE_H

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "core/arena.h"
#include "store/store.h"

static char dir[64];
static char dbpath[512];	/* SQLite file, or the test database's URL */
static struct bl_arena arena;
static struct store *st;
static struct bl_err err;

static int test_pg;		/* 1: the tests run on PostgreSQL */
static int torn_down;
static char pg_server[512];	/* BYLINE_TEST_PG */
static char pg_dbname[64];

/* The URL of database `db` on the test server: the server URL with its
 * path replaced (any "?options" kept). */
static void
pg_url_for(const char *db, char *out, size_t size)
{
	const char *auth = strstr(pg_server, "://");
	const char *path, *query;

	cr_assert_not_null(auth, "BYLINE_TEST_PG is not a URL");
	path = auth + 3 + strcspn(auth + 3, "/?");
	query = strchr(path, '?');
	snprintf(out, size, "%.*s/%s%s", (int)(path - pg_server), pg_server,
	    db, query != NULL ? query : "");
}

static void
pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs one statement on the test server's "postgres" database. */
static void
pg_admin(const char *sql)
{
	char url[600];
	PGconn *c;
	PGresult *r;

	pg_url_for("postgres", url, sizeof(url));
	c = PQconnectdb(url);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, pg_quiet, NULL);
	r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql,
	    PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

static void
setup(void)
{
	const char *server = getenv("BYLINE_TEST_PG");
	char sql[128];

	snprintf(dir, sizeof(dir), "/tmp/byline-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	bl_arena_init(&arena);
	if (server != NULL && *server != '\0') {
		test_pg = 1;
		snprintf(pg_server, sizeof(pg_server), "%s", server);
		snprintf(pg_dbname, sizeof(pg_dbname), "byline_test_%ld",
		    (long)getpid());
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s "
		    "WITH (FORCE)", pg_dbname);
		pg_admin(sql);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pg_dbname);
		pg_admin(sql);
		pg_url_for(pg_dbname, dbpath, sizeof(dbpath));
	} else
		snprintf(dbpath, sizeof(dbpath), "%s/site.db", dir);
	cr_assert_eq(store_open(dbpath, &st, &err), 0, "%s", err.msg);
}

static void
teardown(void)
{
	char p[512];
	struct dirent *e;
	DIR *d;

	if (torn_down)
		return;
	torn_down = 1;
	store_close(st);
	st = NULL;
	bl_arena_release(&arena);
	if (test_pg) {
		snprintf(p, sizeof(p), "DROP DATABASE IF EXISTS %s "
		    "WITH (FORCE)", pg_dbname);
		pg_admin(p);
	}
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Skips a test that only means something on SQLite. A skipped test's
 * .fini does not run, so the fixture is removed here. */
#define SQLITE_ONLY() do { \
	if (test_pg) { \
		teardown(); \
		cr_skip_test("SQLite only"); \
	} \
} while (0)

/* Skips a test that only means something on PostgreSQL. */
#define PG_ONLY() do { \
	if (!test_pg) { \
		teardown(); \
		cr_skip_test("PostgreSQL only (set BYLINE_TEST_PG)"); \
	} \
} while (0)

/* Runs SQL on the test database through a separate raw connection. */
static __attribute__((unused)) void
raw_exec(const char *sql)
{
	sqlite3 *db;
	PGconn *c;
	PGresult *r;

	if (test_pg) {
		c = PQconnectdb(dbpath);
		cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s",
		    PQerrorMessage(c));
		r = PQexec(c, sql);
		cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK ||
		    PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
		    PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		return;
	}
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* The first column of the first row of `sql` (parameter ?1 or $1 bound to
 * `param` when not NULL) through a raw connection; -1 when no row. */
static __attribute__((unused)) long long
raw_int(const char *sql, const char *param)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	PGconn *c;
	PGresult *r;
	long long v = -1;

	if (test_pg) {
		c = PQconnectdb(dbpath);
		cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s",
		    PQerrorMessage(c));
		r = PQexecParams(c, sql, param != NULL ? 1 : 0, NULL, &param,
		    NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql,
		    PQresultErrorMessage(r));
		if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
		return v;
	}
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	if (param != NULL)
		sqlite3_bind_text(s, 1, param, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/*
 * Polls `s` until it reports a change, up to about five seconds: on
 * PostgreSQL another connection's NOTIFY reaches this one a moment after
 * its commit returns. Returns the last *changed seen.
 */
static __attribute__((unused)) int
poll_changed(struct store *s)
{
	int changed = 0, i;

	for (i = 0; i < 500; i++) {
		cr_assert_eq(store_poll(s, &changed, &err), 0, "%s", err.msg);
		if (changed || !test_pg)
			break;
		usleep(10000);
	}
	return changed;
}

/*
 * Adds a published article "title" (body "<p>body</p>") through `s`, in
 * section `section` with tag `tag` (either may be NULL). Returns its id,
 * or -1 with err set: a failure is for the caller to check.
 */
static __attribute__((unused)) int64_t
add_article(struct store *s, const char *title, const char *body,
    const char *section, const char *tag)
{
	struct st_article_new n = { 0 };
	const char *tags[1] = { tag };
	char *html = bl_arena_printf(&arena, "<p>%s</p>", body);
	int64_t id = 0;

	n.title = title;
	n.body_format = "text";
	n.body_source = body;
	n.body_html = html;
	n.status = ST_PUBLISHED;
	n.path_date = "2026/11/24";
	n.section_name = section;
	n.tags = tags;
	n.ntags = tag != NULL ? 1 : 0;
	if (store_article_add(s, &arena, &n, &id, NULL, &err) < 0)
		return -1;
	return id;
}

/* Adds an approved comment through `s`; returns its id or -1. */
static __attribute__((unused)) int64_t
add_comment(struct store *s, int64_t article, int64_t parent,
    const char *body)
{
	struct st_comment c = { 0 };
	int64_t id = 0;

	c.article_id = article;
	c.parent_id = parent;
	c.author = (char *)"Reader";
	c.email = (char *)"reader@example.org";
	c.body = (char *)body;
	c.ip = (char *)"192.0.2.1";
	c.status = STC_APPROVED;
	c.created_at = 1795000000;
	if (store_comment_add(s, &c, &id, &err) < 0)
		return -1;
	return id;
}

#endif
