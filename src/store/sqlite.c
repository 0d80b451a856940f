/* The SQLite backend of the store: connection, statements, reads and writes. */
#include "store/store_int.h"
#include "store/sqlite_int.h"
#include "store/rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/alloc.h"
#include "core/buf.h"

#define STMT_TEXT_(name, sql) sql,
static const char *const stmt_sql[S__MAX] = {
	SQLITE_STATEMENTS(STMT_TEXT_)
};
#undef STMT_TEXT_

/* Busy wait for another process's write lock before failing (ms). */
#define BUSY_TIMEOUT 5000

struct sq {
	struct store base;
	sqlite3 *db;
	char *path;
	int version;
	sqlite3_stmt *stmt[S__MAX];	/* prepared on first use */

	/* store_poll: data_version sees other connections' commits,
	 * `commits` counts this connection's own. */
	int polled;
	int64_t data_version;
	uint64_t commits, commits_seen;

	/* Group commit (store_batch_*): writes nest in savepoints inside
	 * one open transaction. A copy (store_copy_*) is one transaction too,
	 * with its INSERT statements made from the table catalog. */
	int batch;
	int copying;
	sqlite3_stmt *copy_stmt[16];

	/* In a batch, the comments' change-log keys wait for the commit,
	 * each written once however many comments share it: the articles
	 * with a new approved comment, and whether there was any. */
	int64_t *changed;
	size_t nchanged, changed_cap;
	int changed_comments;

	/* The call in progress, for error messages. */
	struct bl_err *err;
	const char *op;
};

static struct sq *
to_sq(struct store *st)
{
	return (struct sq *)st;
}

static void
begin_call(struct sq *q, const char *op, struct bl_err *err)
{
	q->op = op;
	q->err = err;
}

/* Reports the connection's last error for the operation in progress. */
static int
fail(struct sq *q)
{
	return bl_errf(q->err, "cannot %s: %s", q->op, sqlite3_errmsg(q->db));
}

static int
failf(struct sq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
failf(struct sq *q, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bl_errf(q->err, "cannot %s: %s", q->op, msg);
}

/* ---------------------------------------------------------- statements */

/*
 * Returns statement `id` ready for binding, or NULL (error reported).
 * Every user resets the statement when done (done()), so a statement never
 * holds a read transaction open between calls.
 */
static sqlite3_stmt *
get(struct sq *q, enum stmt id)
{
	sqlite3_stmt *s = q->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(q->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			fail(q);
			return NULL;
		}
		q->stmt[id] = s;
	} else {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return s;
}

static void
done(sqlite3_stmt *s)
{
	if (s != NULL)
		sqlite3_reset(s);
}

/*
 * Gets statement `id` and binds parameters ?1, ?2... from the arguments as
 * `fmt` says, one letter each: 't' text (const char *, NULL binds ''),
 * 'i' integer (int64_t), 'n' integer or NULL when 0 (int64_t), 'f' real
 * (double), 'x' skips a parameter number the statement does not use (no
 * argument).
 */
static sqlite3_stmt *
bindv(struct sq *q, enum stmt id, const char *fmt, va_list ap)
{
	sqlite3_stmt *s;
	const char *t;
	int64_t v;
	int i, rc = SQLITE_OK;

	if ((s = get(q, id)) == NULL)
		return NULL;
	for (i = 1; *fmt && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 't':
			t = va_arg(ap, const char *);
			rc = sqlite3_bind_text(s, i, t != NULL ? t : "", -1,
			    SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		case 'n':
			v = va_arg(ap, int64_t);
			rc = v ? sqlite3_bind_int64(s, i, v) :
			    sqlite3_bind_null(s, i);
			break;
		case 'f':
			rc = sqlite3_bind_double(s, i, va_arg(ap, double));
			break;
		case 'x':
			break;
		default:
			bl_fatal("store: bad bind format '%c'", *fmt);
		}
	}
	if (rc != SQLITE_OK) {
		fail(q);
		done(s);
		return NULL;
	}
	return s;
}

static sqlite3_stmt *
bind(struct sq *q, enum stmt id, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;

	va_start(ap, fmt);
	s = bindv(q, id, fmt, ap);
	va_end(ap);
	return s;
}

/* Runs a statement that returns no rows. */
static int
exec(struct sq *q, enum stmt id, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	s = bindv(q, id, fmt, ap);
	va_end(ap);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		fail(q);
		done(s);
		return -1;
	}
	done(s);
	return 0;
}

/* Runs a one-value query: 0 with *out set, 1 when no row, -1 on error. */
static int
query_int(struct sq *q, int64_t *out, enum stmt id, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	s = bindv(q, id, fmt, ap);
	va_end(ap);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		done(s);
		return 0;
	}
	if (rc != SQLITE_DONE) {
		fail(q);
		done(s);
		return -1;
	}
	done(s);
	return 1;
}

/* A text column copied into the arena; "" for NULL. */
static char *
col_str(struct bl_arena *a, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);

	if (t == NULL)
		return bl_arena_strndup(a, "", 0);
	return bl_arena_strndup(a, (const char *)t, (size_t)n);
}

static int
step_error(struct sq *q, sqlite3_stmt *s)
{
	fail(q);
	done(s);
	return -1;
}

/* Steps `s` to its first row: 0 on a row (the caller reads it and calls
 * done()), 1 when there is none (s is done), -1 on an error. */
static int
first_row(struct sq *q, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE) {
		done(s);
		return 1;
	}
	return step_error(q, s);
}

/* Grows an arena array of `size`-byte items from *cap to twice as many. */
static void *
grow(struct bl_arena *a, void *items, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p;

	if (ncap > (size_t)-1 / size / 2)
		bl_fatal("store: result too large");
	p = bl_arena_alloc(a, ncap * size);
	if (n)
		memcpy(p, items, n * size);
	*cap = ncap;
	return p;
}

/* ------------------------------------------------------- transactions */

static int
tx_begin(struct sq *q)
{
	/* SQLite rolls a whole transaction back by itself on some errors (an
	 * I/O error, a full disk): a batch is then over, and a write must not
	 * go on outside it as if it belonged to it. */
	if (q->batch && sqlite3_get_autocommit(q->db))
		return failf(q, "the batch was rolled back by an earlier error");
	return exec(q, q->batch ? S_SAVEPOINT : S_BEGIN, "");
}

static int
tx_commit(struct sq *q)
{
	if (q->batch)
		return exec(q, S_RELEASE, "");
	if (exec(q, S_COMMIT, "") < 0)
		return -1;
	q->commits++;
	return 0;
}

/* Runs a transaction-control statement after a failure, keeping the
 * error already reported. */
static void
tx_control(struct sq *q, enum stmt id)
{
	sqlite3_stmt *s = q->stmt[id];

	if (s == NULL && sqlite3_prepare_v3(q->db, stmt_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &s, NULL) == SQLITE_OK)
		q->stmt[id] = s;
	if (s != NULL) {
		sqlite3_step(s);
		sqlite3_reset(s);
	}
}

/* Rolls back after a failure, keeping the error already reported. In a
 * batch only the failed write's savepoint is undone. */
static int
tx_abort(struct sq *q)
{
	int i;

	for (i = 0; i < S__MAX; i++)
		done(q->stmt[i]);
	if (sqlite3_get_autocommit(q->db))
		return -1;
	if (q->batch) {
		tx_control(q, S_ROLLBACK_TO);
		tx_control(q, S_RELEASE);
	} else
		tx_control(q, S_ROLLBACK);
	return -1;
}

/* --------------------------------------------------------- open, close */

static const struct store_ops sqlite_ops;
static int sq_related_rebuild(struct store *, struct bl_err *);

static void
sq_close(struct store *st)
{
	struct sq *q = to_sq(st);
	int i;

	for (i = 0; i < S__MAX; i++)
		sqlite3_finalize(q->stmt[i]);
	for (i = 0; i < (int)(sizeof(q->copy_stmt) / sizeof(q->copy_stmt[0])); i++)
		sqlite3_finalize(q->copy_stmt[i]);
	sqlite3_close(q->db);
	free(q->changed);
	free(q->path);
	free(q);
}

static int
sq_schema_version(struct store *st)
{
	return to_sq(st)->version;
}

/*
 * Connection settings, for every connection:
 *  - WAL journal: readers never block the writer and vice versa, so the
 *    server and CLI commands can share the file;
 *  - synchronous=FULL: the WAL is synced on every commit, so a write that
 *    store_* reported as done survives a power loss or OS crash (NORMAL
 *    would only keep the database consistent, not durable);
 *  - foreign_keys=ON: SQLite leaves it off by default;
 *  - busy timeout: wait up to 5 s for another process's write lock;
 *  - wal_autocheckpoint 4000 pages (16 MiB) instead of 1000: a checkpoint
 *    runs in the connection that commits, and the comment writer would
 *    stop for it; a serving site checkpoints from its change watcher
 *    instead (store_checkpoint), and this is the backstop;
 *  - defensive mode: SQL cannot corrupt the file on purpose.
 */
static const char setup_sql[] =
	"PRAGMA foreign_keys = ON;"
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = FULL;"
	"PRAGMA wal_autocheckpoint = 4000;";

int
store_sqlite_open(const char *path, struct store **out, struct bl_err *err)
{
	struct sq *q;
	int64_t missing = 0;
	int rc;

	*out = NULL;
	q = bl_xcalloc(1, sizeof(*q));
	q->base.ops = &sqlite_ops;
	q->path = bl_xstrdup(path);
	rc = sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (q->db == NULL)
			bl_errf(err, "cannot open database '%s': %s", path,
			    sqlite3_errstr(rc));
		else
			bl_errf(err, "cannot open database '%s': %s", path,
			    sqlite3_errmsg(q->db));
		goto fail;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT);
	sqlite3_db_config(q->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (sqlite3_exec(q->db, setup_sql, NULL, NULL, NULL) != SQLITE_OK) {
		bl_errf(err, "cannot open database '%s': %s", path,
		    sqlite3_errmsg(q->db));
		goto fail;
	}
	/* Search ranks with its own bm25 (fts_sqlite.c). */
	if (fts_rank_register(q->db) < 0) {
		bl_errf(err, "cannot open database '%s': no full-text search "
		    "ranking: %s", path, sqlite3_errmsg(q->db));
		goto fail;
	}
	if (sqlite_migrate(q->db, path, &q->version, err) < 0)
		goto fail;
	/* Articles written before related lists existed get theirs now. */
	if (query_int(q, &missing, S_REL_MISSING, "") < 0 ||
	    (missing && sq_related_rebuild(&q->base, err) < 0)) {
		bl_errf(err, "cannot open database '%s': %s", path, err->msg);
		goto fail;
	}
	*out = &q->base;
	return 0;
fail:
	sq_close(&q->base);
	return -1;
}

/* ------------------------------------------------------- article reads */

/* Columns in AC_* order (store/sql_article.h). */
static void
read_article(struct bl_arena *a, sqlite3_stmt *s, struct st_article *r)
{
	r->id = sqlite3_column_int64(s, AC_ID);
	r->slug = col_str(a, s, AC_SLUG);
	r->path = col_str(a, s, AC_PATH);
	r->title = col_str(a, s, AC_TITLE);
	r->standfirst = col_str(a, s, AC_STANDFIRST);
	r->dateline = col_str(a, s, AC_DATELINE);
	r->excerpt = col_str(a, s, AC_EXCERPT);
	r->body_format = col_str(a, s, AC_BODY_FORMAT);
	r->body_source = col_str(a, s, AC_BODY_SOURCE);
	r->body_html = col_str(a, s, AC_BODY_HTML);
	r->status = sqlite3_column_int(s, AC_STATUS) == ST_PUBLISHED ?
	    ST_PUBLISHED : ST_DRAFT;
	r->published_at = sqlite3_column_int64(s, AC_PUBLISHED);
	r->updated_at = sqlite3_column_int64(s, AC_UPDATED);
	r->created_at = sqlite3_column_int64(s, AC_CREATED);
	r->comment_count = sqlite3_column_int64(s, AC_COMMENTS);
	r->section.id = sqlite3_column_int64(s, AC_SEC_ID);
	r->section.slug = col_str(a, s, AC_SEC_SLUG);
	r->section.name = col_str(a, s, AC_SEC_NAME);
	r->author.id = sqlite3_column_int64(s, AC_AU_ID);
	r->author.slug = col_str(a, s, AC_AU_SLUG);
	r->author.name = col_str(a, s, AC_AU_NAME);
	r->author.bio = col_str(a, s, AC_AU_BIO);
	r->tags = NULL;
	r->ntags = 0;
	r->photos = NULL;
	r->nphotos = 0;
}

static int
read_tags(struct sq *q, struct bl_arena *a, struct st_article *r)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if ((s = bind(q, S_ARTICLE_TAGS, "i", r->id)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (r->ntags == cap)
			r->tags = grow(a, r->tags, r->ntags, &cap,
			    sizeof(*r->tags));
		r->tags[r->ntags].id = sqlite3_column_int64(s, 0);
		r->tags[r->ntags].slug = col_str(a, s, 1);
		r->tags[r->ntags].name = col_str(a, s, 2);
		r->ntags++;
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return 0;
}

static int
read_photos(struct sq *q, struct bl_arena *a, struct st_article *r,
    int first_only)
{
	sqlite3_stmt *s;
	struct st_photo *p;
	size_t cap = 0;
	int rc;

	s = bind(q, first_only ? S_ARTICLE_PHOTO_FIRST : S_ARTICLE_PHOTOS, "i",
	    r->id);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (r->nphotos == cap)
			r->photos = grow(a, r->photos, r->nphotos, &cap,
			    sizeof(*r->photos));
		p = &r->photos[r->nphotos++];
		p->id = sqlite3_column_int64(s, 0);
		p->pos = sqlite3_column_int(s, 1);
		p->file = col_str(a, s, 2);
		p->caption = col_str(a, s, 3);
		p->credit = col_str(a, s, 4);
		p->alt = col_str(a, s, 5);
		p->width = sqlite3_column_int(s, 6);
		p->height = sqlite3_column_int(s, 7);
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return 0;
}

/*
 * Runs a bound single-article query and fills *out with the article, its
 * tags and photos. The tags and photos are read while the article's
 * statement is still open, so all three come from one snapshot.
 */
static int
fetch_article(struct sq *q, struct bl_arena *a, sqlite3_stmt *s,
    struct st_article **out)
{
	struct st_article *r;
	int rc;

	if (s == NULL)
		return -1;
	if ((rc = first_row(q, s)) != 0)
		return rc;
	r = bl_arena_alloc(a, sizeof(*r));
	read_article(a, s, r);
	if (read_tags(q, a, r) < 0 || read_photos(q, a, r, 0) < 0) {
		done(s);
		return -1;
	}
	done(s);
	*out = r;
	return 0;
}

static int
sq_article_get(struct store *st, struct bl_arena *a, int64_t id,
    int include_drafts, struct st_article **out, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "read article", err);
	return fetch_article(q, a, bind(q, S_ARTICLE_GET, "ii", id,
	    (int64_t)(include_drafts != 0)), out);
}

static int
sq_article_by_path(struct store *st, struct bl_arena *a, const char *path,
    struct st_article **out, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "read article", err);
	return fetch_article(q, a, bind(q, S_ARTICLE_BY_PATH, "t", path), out);
}

static int
sq_article_by_slug(struct store *st, struct bl_arena *a, const char *slug,
    struct st_article **out, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "read article", err);
	return fetch_article(q, a, bind(q, S_ARTICLE_BY_SLUG, "t", slug), out);
}

static int
sq_article_list(struct store *st, struct bl_arena *a,
    const struct st_query *qr, struct st_list *out, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	enum stmt list = S_LIST_ALL, count = S_COUNT_ALL;
	const char *filter = NULL;
	struct st_article *r;
	sqlite3_stmt *s;
	size_t cap = 0;
	int64_t limit, offset;
	int rc;

	begin_call(q, "list articles", err);
	if (qr->section != NULL) {
		list = S_LIST_SECTION, count = S_COUNT_SECTION;
		filter = qr->section;
	} else if (qr->tag != NULL) {
		list = S_LIST_TAG, count = S_COUNT_TAG;
		filter = qr->tag;
	} else if (qr->author != NULL) {
		list = S_LIST_AUTHOR, count = S_COUNT_AUTHOR;
		filter = qr->author;
	} else if (qr->date != NULL) {
		list = S_LIST_DATE, count = S_COUNT_DATE;
		if (!store_archive_date_valid(qr->date))
			return 0;	/* no such period: nothing in it */
		filter = bl_arena_printf(a, "/%s/", qr->date);
	}
	limit = qr->limit > 0 ? qr->limit : -1;	/* SQLite: -1 is no limit */
	offset = qr->offset > 0 ? qr->offset : 0;

	/* Count and page in one read transaction so they agree. */
	s = filter != NULL ?
	    bind(q, list, "iiit", qr->exclude_id, limit, offset, filter) :
	    bind(q, list, "iii", qr->exclude_id, limit, offset);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap)
			out->items = grow(a, out->items, out->n, &cap,
			    sizeof(*out->items));
		r = &out->items[out->n++];
		read_article(a, s, r);
		if (read_tags(q, a, r) < 0 || read_photos(q, a, r, 1) < 0) {
			done(s);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	if (offset == 0 && (limit < 0 || (int64_t)out->n < limit))
		out->total = (int64_t)out->n;	/* the page holds them all */
	else if (qr->no_total)
		out->total = -1;
	else {
		rc = filter != NULL ?
		    query_int(q, &out->total, count, "ixxt", qr->exclude_id,
		    filter) :
		    query_int(q, &out->total, count, "i", qr->exclude_id);
		if (rc < 0) {
			done(s);
			return -1;
		}
	}
	done(s);
	return 0;
}

/* ------------------------------------- sections, authors, tags, comments */

/* Reads one section, author or tag row by slug: id, slug, name, count and,
 * when `bio` is not NULL, a fifth column. 1 when there is none. */
static int
named_get(struct sq *q, struct bl_arena *a, enum stmt id, const char *slug,
    int64_t *oid, char **oslug, char **oname, int64_t *count, char **bio)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = bind(q, id, "t", slug)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*oid = sqlite3_column_int64(s, 0);
		*oslug = col_str(a, s, 1);
		*oname = col_str(a, s, 2);
		*count = sqlite3_column_int64(s, 3);
		if (bio != NULL)
			*bio = col_str(a, s, 4);
	} else if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return rc == SQLITE_ROW ? 0 : 1;
}

static int
sq_section_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_section *out, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "read section", err);
	return named_get(q, a, S_SECTION_GET, slug, &out->id, &out->slug,
	    &out->name, &out->article_count, NULL);
}

static int
sq_author_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_author *out, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "read author", err);
	return named_get(q, a, S_AUTHOR_GET, slug, &out->id, &out->slug,
	    &out->name, &out->article_count, &out->bio);
}

static int
sq_tag_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_tag *out, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "read tag", err);
	return named_get(q, a, S_TAG_GET, slug, &out->id, &out->slug,
	    &out->name, &out->article_count, NULL);
}

static int
sq_section_list(struct store *st, struct bl_arena *a, int counts,
    struct st_section **out, size_t *n, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct st_section *r;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	begin_call(q, "list sections", err);
	if ((s = bind(q, counts ? S_SECTION_LIST : S_SECTION_NAMES, ""))
	    == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap)
			*out = grow(a, *out, *n, &cap, sizeof(**out));
		r = &(*out)[(*n)++];
		r->id = sqlite3_column_int64(s, 0);
		r->slug = col_str(a, s, 1);
		r->name = col_str(a, s, 2);
		r->article_count = counts ? sqlite3_column_int64(s, 3) : -1;
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return 0;
}

static int
sq_comment_list(struct store *st, struct bl_arena *a, int64_t article_id,
    struct st_comment **out, size_t *n, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct st_comment *c;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, status;

	begin_call(q, "list comments", err);
	if ((s = bind(q, S_COMMENT_LIST, "i", article_id)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap)
			*out = grow(a, *out, *n, &cap, sizeof(**out));
		c = &(*out)[(*n)++];
		c->id = sqlite3_column_int64(s, 0);
		c->article_id = sqlite3_column_int64(s, 1);
		c->parent_id = sqlite3_column_int64(s, 2);
		c->author = col_str(a, s, 3);
		c->email = col_str(a, s, 4);
		c->url = col_str(a, s, 5);
		c->body = col_str(a, s, 6);
		c->ip = col_str(a, s, 7);
		status = sqlite3_column_int(s, 8);
		c->status = store_comment_status(status);
		c->created_at = sqlite3_column_int64(s, 9);
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return 0;
}

/* -------------------------------------------------------------- writes */

static int64_t
now(void)
{
	return (int64_t)time(NULL);
}

/* Appends a change-log row (inside the caller's transaction). */
static int
log_change(struct sq *q, const char *key)
{
	return exec(q, S_CHANGE_INSERT, "ti", key, now());
}

static int
log_changef(struct sq *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
log_changef(struct sq *q, const char *fmt, ...)
{
	char key[STORE_SLUG_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	return log_change(q, key);
}

/* Drops change-log rows older than STORE_CHANGE_KEEP; in a batch this is
 * done once, when the batch commits. */
static int
prune_changes(struct sq *q)
{
	if (q->batch)
		return 0;
	return exec(q, S_CHANGE_PRUNE, "i", now() - STORE_CHANGE_KEEP);
}

/* Gets or creates the row `name` names in a sections/authors/tags table;
 * an existing row keeps the name it was first written with. */
static int
ensure(struct sq *q, enum stmt ins, enum stmt sel, const char *what,
    const char *name, char *slug, int64_t *id)
{
	int rc;

	if (store_slugify(name, slug, STORE_SLUG_MAX + 1) == 0)
		return failf(q, "%s name '%s' has no letters or digits", what,
		    name);
	if (exec(q, ins, "tt", slug, name) < 0)
		return -1;
	rc = query_int(q, id, sel, "t", slug);
	if (rc > 0)
		return failf(q, "%s '%s' vanished", what, slug);
	return rc;
}

/* Picks a free slug: `base`, else the first free of base-2, base-3...
 * ("election-2024", a slug of its own, does not make the next "election"
 * copy "election-2025"). */
static int
unique_slug(struct sq *q, struct bl_arena *a, const char *base,
    const char *date, char **out)
{
	sqlite3_stmt *s;
	const char *t;
	char *path;
	size_t n = 0, cap = 0;
	int64_t one, v, *taken = NULL;
	int rc;

	path = bl_arena_printf(a, "/%s/%s/", date, base);
	rc = query_int(q, &one, S_SLUG_TAKEN, "tt", base, path);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		*out = bl_arena_strdup(a, base);
		return 0;
	}
	if ((s = bind(q, S_SLUG_FAMILY, "t", base)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(s, 0);
		if (t == NULL || (v = store_slug_suffix(base, t)) == 0)
			continue;
		if (n == cap)
			taken = grow(a, taken, n, &cap, sizeof(*taken));
		taken[n++] = v;
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	*out = bl_arena_printf(a, "%s-%lld", base,
	    (long long)store_slug_next(taken, n));
	return 0;
}

/* ---------------------------------------------------- related articles */

/*
 * Related articles (docs/related.md). For a published article T every
 * candidate C gets
 *
 *   score = 0.45 tags + 0.35 text + 0.10 fresh + 0.10 sec
 *
 *   tags   the idf weights ln(N / df) of the tags C shares with T, over the
 *          sum for all of T's tags (N published articles, df of them with
 *          the tag): a rare shared tag counts more than a common one;
 *   text   bm25 of C for an OR query of T's most distinctive words (title
 *          words count 3, standfirst 2, body 1, times ln(N / df)), over
 *          the best candidate's bm25;
 *   fresh  1 / (1 + |published(T) - published(C)| / 30 days);
 *   sec    1 when both are in the same section.
 *
 * The best STORE_RELATED_MAX (ties: lower id first) are stored in
 * `related`. When fewer candidates share a tag or a word, the nearest in
 * time from the same section, then from anywhere, fill the list.
 */

/* The OR query of the article's most distinctive words (related_words,
 * search_terms.h), or NULL. */
static int
rel_text_query(struct sq *q, struct bl_arena *a, const char *title,
    const char *standfirst, const char *body, int64_t npub, char **out)
{
	struct fts_term *terms;
	struct bl_buf b = BL_BUF_INIT;
	size_t n, i;
	int64_t *df;

	*out = NULL;
	n = fts_terms(a, title, standfirst, body, &terms, RELATED_TERMS);
	df = bl_arena_alloc(a, (n + 1) * sizeof(*df));
	for (i = 0; i < n; i++) {
		df[i] = 0;
		/* Words are letters and digits only: no quote to double. */
		if (strchr(terms[i].word, '"') != NULL)
			continue;
		if (query_int(q, &df[i], S_REL_DF, "ti",
		    bl_arena_printf(a, "\"%s\"", terms[i].word),
		    (int64_t)RELATED_DF_MAX + 1) < 0)
			return -1;
		if (df[i] > RELATED_DF_MAX)
			df[i] = 0;	/* too common to tell stories apart */
	}
	n = related_words(terms, df, n, npub);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (i)
			bl_buf_puts(&b, " OR ");
		bl_buf_putc(&b, '"');
		bl_buf_puts(&b, terms[i].word);
		bl_buf_putc(&b, '"');
	}
	if (!bl_buf_err(&b))
		*out = bl_arena_strndup(a, b.s, b.len);
	bl_buf_release(&b);
	return 0;
}

/*
 * Recomputes and stores the related list of article `id` (inside the
 * caller's transaction). Sets *changed when the stored list is different
 * now, and fills ranked[0..*nranked) with up to RELATED_NEIGHBOURS best
 * candidates when `ranked` is not NULL. An article that is not published
 * loses its list.
 */
static int
rel_compute(struct sq *q, int64_t id, int64_t npub, int64_t *ranked,
    size_t *nranked, int *changed)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct related_set set = { NULL, 0, 0 };
	int64_t published, section, *old = NULL, *tag_ids = NULL;
	double *tag_idf = NULL, tagmax = 0, textmax = 0;
	char *title, *standfirst, *body, *expr;
	size_t nold = 0, oldcap = 0, ntags = 0, tagcap = 0, i, k, nnew;
	int same;
	sqlite3_stmt *s;
	int rc, ret = -1;

	*changed = 0;
	if (nranked != NULL)
		*nranked = 0;
	/* What is stored now. */
	if ((s = bind(q, S_REL_OLD, "i", id)) == NULL)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nold == oldcap)
			old = grow(&a, old, nold, &oldcap, sizeof(*old));
		old[nold++] = sqlite3_column_int64(s, 0);
	}
	if (rc != SQLITE_DONE) {
		step_error(q, s);
		goto out;
	}
	done(s);

	if ((s = bind(q, S_REL_TARGET, "i", id)) == NULL)
		goto out;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE) {
			step_error(q, s);
			goto out;
		}
		done(s);
		/* Not published (or gone): no list. */
		if (nold > 0) {
			if (exec(q, S_REL_DELETE, "i", id) < 0)
				goto out;
			*changed = 1;
		}
		ret = 0;
		goto out;
	}
	published = sqlite3_column_int64(s, 0);
	section = sqlite3_column_int64(s, 1);
	title = col_str(&a, s, 2);
	standfirst = col_str(&a, s, 3);
	body = col_str(&a, s, 4);
	done(s);
	if (npub < 1)
		npub = 1;

	/* Shared tags, weighted by rarity. */
	if ((s = bind(q, S_REL_OWN_TAGS, "i", id)) == NULL)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t df = sqlite3_column_int64(s, 1);

		if (ntags == tagcap) {
			size_t c2 = tagcap;
			tag_ids = grow(&a, tag_ids, ntags, &tagcap, sizeof(*tag_ids));
			tag_idf = grow(&a, tag_idf, ntags, &c2, sizeof(*tag_idf));
		}
		if (df < 1)
			df = 1;
		if (df > npub)
			df = npub;
		tag_ids[ntags] = sqlite3_column_int64(s, 0);
		tag_idf[ntags] = log((double)npub / (double)df);
		tagmax += tag_idf[ntags++];
	}
	if (rc != SQLITE_DONE) {
		step_error(q, s);
		goto out;
	}
	done(s);
	if (ntags > 0) {
		if ((s = bind(q, S_REL_TAG_PEERS, "ii", id,
		    (int64_t)RELATED_TAG_PEERS)) == NULL)
			goto out;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			int64_t tag = sqlite3_column_int64(s, 1);
			double w = 0;

			for (k = 0; k < ntags; k++)
				if (tag_ids[k] == tag)
					w = tag_idf[k];
			related_push(&a, &set, sqlite3_column_int64(s, 0),
			    sqlite3_column_int64(s, 2),
			    sqlite3_column_int64(s, 3), w, 0);
		}
		if (rc != SQLITE_DONE) {
			step_error(q, s);
			goto out;
		}
		done(s);
	}

	/* Text similarity through the full-text index. */
	if (rel_text_query(q, &a, title, standfirst, body, npub, &expr) < 0)
		goto out;
	if (expr != NULL) {
		if ((s = bind(q, S_REL_TEXT, "tii", expr, id,
		    (int64_t)RELATED_TEXT_HITS)) == NULL)
			goto out;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			double t = -sqlite3_column_double(s, 1);

			if (t <= 0)
				continue;
			if (t > textmax)
				textmax = t;
			related_push(&a, &set, sqlite3_column_int64(s, 0),
			    sqlite3_column_int64(s, 2),
			    sqlite3_column_int64(s, 3), 0, t);
		}
		if (rc != SQLITE_DONE) {
			step_error(q, s);
			goto out;
		}
		done(s);
	}
	related_merge(&set);

	/* Too few: the nearest in time, own section first. */
	if (set.n < STORE_RELATED_MAX) {
		if ((s = bind(q, S_REL_FILL, "iiii", id, section, published,
		    (int64_t)RELATED_FILL)) == NULL)
			goto out;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			related_push(&a, &set, sqlite3_column_int64(s, 0),
			    sqlite3_column_int64(s, 1),
			    sqlite3_column_int64(s, 2), 0, 0);
		if (rc != SQLITE_DONE) {
			step_error(q, s);
			goto out;
		}
		done(s);
		related_merge(&set);
	}

	related_rank(&set, published, section, tagmax, textmax);

	nnew = related_keep(&set, STORE_RELATED_MAX, old, nold, ranked,
	    nranked, &same);
	if (same) {
		ret = 0;	/* same list: scores may move, order not */
		goto out;
	}
	if (exec(q, S_REL_DELETE, "i", id) < 0)
		goto out;
	for (i = 0; i < nnew; i++)
		if (exec(q, S_REL_INSERT, "iiif", id, (int64_t)i, set.c[i].id,
		    set.c[i].score) < 0)
			goto out;
	*changed = 1;
	ret = 0;
out:
	bl_arena_release(&a);
	return ret;
}


/* Reads the first column of every row of a bound statement into ids. */
static int
collect_ids(struct sq *q, struct bl_arena *a, sqlite3_stmt *s, int64_t **ids,
    size_t *n, size_t *cap, size_t max)
{
	int rc;

	if (s == NULL)
		return -1;
	while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == *cap)
			*ids = grow(a, *ids, *n, cap, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	if (*n < max && rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return 0;
}

/*
 * After article `id` was published (inside the transaction): its own list,
 * then the lists it may have changed: up to RELATED_CASCADE_TAGS newest
 * articles sharing a tag with it, its best candidates, and articles whose
 * lists are not full yet. Logs "article:ID" for each other list changed.
 */
static int
rel_after_add(struct sq *q, struct bl_arena *a, int64_t id)
{
	int64_t ranked[RELATED_NEIGHBOURS], *ids = NULL, npub;
	size_t nranked, n = 0, cap = 0, i;
	int changed;

	/* Counted once: every list recomputed below weighs words and tags
	 * by the same number of published stories. */
	if (query_int(q, &npub, S_PUBLISHED_COUNT, "") < 0 ||
	    rel_compute(q, id, npub, ranked, &nranked, &changed) < 0)
		return -1;
	/* Articles sharing a tag, newest first, each once. */
	if (collect_ids(q, a, bind(q, S_REL_TAG_PEERS, "ii", id,
	    (int64_t)RELATED_TAG_PEERS), &ids, &n, &cap, RELATED_TAG_PEERS) < 0)
		return -1;
	n = related_first_distinct(ids, n, RELATED_CASCADE_TAGS);
	for (i = 0; i < nranked; i++) {
		if (n == cap)
			ids = grow(a, ids, n, &cap, sizeof(*ids));
		ids[n++] = ranked[i];
	}
	if (collect_ids(q, a, bind(q, S_REL_SHORT, "iii", id,
	    (int64_t)STORE_RELATED_MAX, (int64_t)RELATED_CASCADE_SHORT), &ids,
	    &n, &cap, n + RELATED_CASCADE_SHORT) < 0)
		return -1;
	n = related_sort_unique(ids, n, id);
	for (i = 0; i < n; i++) {
		if (rel_compute(q, ids[i], npub, NULL, NULL, &changed) < 0)
			return -1;
		if (changed && log_changef(q, "article:%lld",
		    (long long)ids[i]) < 0)
			return -1;
	}
	return 0;
}

static int
sq_related_rebuild(struct store *st, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct bl_arena a = BL_ARENA_INIT;
	int64_t *ids = NULL, npub;
	size_t n = 0, cap = 0, i;
	int changed;

	begin_call(q, "rebuild related articles", err);
	if (tx_begin(q) < 0)
		return -1;
	if (prune_changes(q) < 0 ||
	    exec(q, S_REL_PRUNE, "") < 0 ||
	    collect_ids(q, &a, bind(q, S_REL_ALL, ""), &ids, &n, &cap,
	    (size_t)-1) < 0)
		goto fail;
	if (query_int(q, &npub, S_PUBLISHED_COUNT, "") < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if (rel_compute(q, ids[i], npub, NULL, NULL, &changed) < 0)
			goto fail;
		if (changed && log_changef(q, "article:%lld",
		    (long long)ids[i]) < 0)
			goto fail;
	}
	if (tx_commit(q) < 0)
		goto fail;
	bl_arena_release(&a);
	return 0;
fail:
	bl_arena_release(&a);
	return tx_abort(q);
}

static int
sq_related_list(struct store *st, struct bl_arena *a, int64_t article_id,
    int limit, struct st_article **out, size_t *n, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct st_article *r;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	begin_call(q, "read related articles", err);
	if ((s = bind(q, S_REL_LIST, "ii", article_id, (int64_t)limit)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap)
			*out = grow(a, *out, *n, &cap, sizeof(**out));
		r = &(*out)[(*n)++];
		read_article(a, s, r);
		if (read_tags(q, a, r) < 0 || read_photos(q, a, r, 1) < 0) {
			done(s);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return 0;
}

/* ------------------------------------------------------ search, archive */

/*
 * byline_rank's document frequencies (fts_sqlite.c), one per term of
 * `fq`, in the order of the query's phrases. They only weigh the terms
 * against each other, so a query of one term needs none. A word is
 * counted up to SEARCH_DF_EXACT stories, a cheap walk of one list; a
 * word in more, or a phrase (whose count checks word positions story by
 * story), is sampled over the SEARCH_DF_EXACT newest stories.
 */
#define SEARCH_DF_EXACT 500

static int
search_df(struct sq *q, const struct fts_query *fq, double *df)
{
	int64_t n, hits, from = -1;
	int rc;

	memset(df, 0, fq->nterms * sizeof(*df));
	if (fq->nterms < 2)
		return 0;
	for (size_t i = 0; i < fq->nterms; i++) {
		if (!(fq->phrases & (1u << i))) {
			if (query_int(q, &n, S_SEARCH_COUNT, "ti",
			    fq->term[i], (int64_t)SEARCH_DF_EXACT + 1) < 0)
				return -1;
			if (n <= SEARCH_DF_EXACT) {
				df[i] = (double)n;
				continue;
			}
		}
		if (from < 0) {
			rc = query_int(q, &from, S_SEARCH_SAMPLE_FROM, "i",
			    (int64_t)SEARCH_DF_EXACT - 1);
			if (rc < 0)
				return -1;
			if (rc == 1)
				from = 0;
		}
		if (query_int(q, &hits, S_SEARCH_SAMPLE, "ti", fq->term[i],
		    from) < 0)
			return -1;
		/* From 0 the sample is every story: a count. */
		df[i] = from == 0 ? (double)hits :
		    -(double)hits / SEARCH_DF_EXACT;
	}
	return 0;
}

/*
 * The ids of the page at offset/limit (docs/search.md): positions below
 * SEARCH_RANKED come from the ranked window of the most recently added
 * matches, the others from the remaining matches in rowid order, newest
 * first. Both walk the FTS index only; the window reads published_at from
 * an index.
 */
static int
search_ids(struct sq *q, struct bl_arena *a, const struct fts_query *fq,
    const char *expr, int64_t limit, int64_t offset, int64_t t,
    int64_t **ids, size_t *n)
{
	double df[FTS_QUERY_MAX_TERMS];
	sqlite3_stmt *s;
	int64_t from;
	size_t cap = 0;

	if (offset < SEARCH_RANKED) {
		if (search_df(q, fq, df) < 0)
			return -1;
		s = bind(q, S_SEARCH_RANKED, "tiiiix", expr,
		    offset + limit < SEARCH_RANKED ? limit :
		    SEARCH_RANKED - offset, offset, t, (int64_t)SEARCH_RANKED);
		if (s != NULL && sqlite3_bind_blob(s, 6, df,
		    (int)(fq->nterms * sizeof(df[0])), SQLITE_STATIC) !=
		    SQLITE_OK) {
			fail(q);
			done(s);
			return -1;
		}
		if (collect_ids(q, a, s, ids, n, &cap, (size_t)-1) < 0)
			return -1;
	}
	from = offset > SEARCH_RANKED ? offset : SEARCH_RANKED;
	if (offset + limit > from && collect_ids(q, a, bind(q, S_SEARCH_REST,
	    "tii", expr, offset + limit - from, from), ids, n, &cap,
	    (size_t)-1) < 0)
		return -1;
	return 0;
}

/* Appends the result row of S_SEARCH_ROW(S) to out. */
static void
search_row(struct bl_arena *a, sqlite3_stmt *s, struct st_search_result *out)
{
	read_article(a, s, &out->items[out->n]);
	out->titles[out->n] = col_str(a, s, AC_AU_BIO + 1);
	out->snippets[out->n] = col_str(a, s, AC_AU_BIO + 2);
	out->n++;
}

/* Reads the rows of ids[0..n) with one MATCH (S_SEARCH_ROWS) into out,
 * in the order of ids. */
static int
search_rows(struct sq *q, struct bl_arena *a, const char *expr,
    const int64_t *ids, size_t n, struct st_search_result *out)
{
	struct st_search_result got = { 0 };
	struct bl_buf set = BL_BUF_INIT;
	sqlite3_stmt *s;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	size_t i, j;
	int rc = SQLITE_DONE;

	bl_buf_putc(&set, ',');
	for (i = 0; i < n; i++) {
		bl_buf_printf(&set, "%lld,", (long long)ids[i]);
		lo = ids[i] < lo ? ids[i] : lo;
		hi = ids[i] > hi ? ids[i] : hi;
	}
	if (bl_buf_err(&set)) {
		bl_buf_release(&set);
		return failf(q, "too many results");
	}
	got.items = bl_arena_alloc(a, (n + 1) * sizeof(*got.items));
	got.titles = bl_arena_alloc(a, (n + 1) * sizeof(*got.titles));
	got.snippets = bl_arena_alloc(a, (n + 1) * sizeof(*got.snippets));
	s = bind(q, S_SEARCH_ROWS, "tiit", expr, lo, hi, set.s);
	if (s == NULL) {
		bl_buf_release(&set);
		return -1;
	}
	while (got.n < n && (rc = sqlite3_step(s)) == SQLITE_ROW)
		search_row(a, s, &got);
	if (got.n < n && rc != SQLITE_DONE) {
		bl_buf_release(&set);
		return step_error(q, s);
	}
	done(s);
	bl_buf_release(&set);
	for (i = 0; i < n; i++)
		for (j = 0; j < got.n; j++)
			if (got.items[j].id == ids[i]) {
				out->items[out->n] = got.items[j];
				out->titles[out->n] = got.titles[j];
				out->snippets[out->n] = got.snippets[j];
				out->n++;
				break;
			}
	return 0;
}

static int
search_run(struct sq *q, struct bl_arena *a, const struct st_search *qr,
    struct st_search_result *out)
{
	struct fts_query fq;
	struct st_article *r;
	const char *expr;
	sqlite3_stmt *s;
	int64_t limit, offset, t, counted, *ids = NULL;
	size_t nids = 0, i;
	int rc;

	if (fts_query_build(a, qr->text, qr->len, &fq) < 0)
		return failf(q, "query too long");
	out->nterms = fq.nterms;
	if (fq.nterms == 0)
		return 0;
	limit = qr->limit > 0 ? qr->limit : 10;
	offset = qr->offset > 0 ? qr->offset : 0;
	t = qr->now > 0 ? qr->now : now();
	/* One more than counted tells "more than that many" apart. */
	counted = search_counted((int)offset, (int)limit);
	expr = fq.all;
	if (query_int(q, &out->total, S_SEARCH_COUNT, "ti", expr,
	    counted + 1) < 0)
		return -1;
	if (out->total == 0 && fq.any != NULL) {
		expr = fq.any;
		if (query_int(q, &out->total, S_SEARCH_COUNT, "ti", expr,
		    counted + 1) < 0)
			return -1;
		out->any = out->total > 0;
	}
	if (out->total == 0 || offset >= out->total)
		return 0;
	if (search_ids(q, a, &fq, expr, limit, offset, t, &ids, &nids) < 0)
		return -1;
	out->items = bl_arena_alloc(a, (nids + 1) * sizeof(*out->items));
	out->titles = bl_arena_alloc(a, (nids + 1) * sizeof(*out->titles));
	out->snippets = bl_arena_alloc(a, (nids + 1) * sizeof(*out->snippets));
	if (fq.prefix && nids > 0) {
		if (search_rows(q, a, expr, ids, nids, out) < 0)
			return -1;
	} else {
		for (i = 0; i < nids; i++) {
			if ((s = bind(q, S_SEARCH_ROW, "ti", expr, ids[i])) ==
			    NULL)
				return -1;
			if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
				done(s);
				continue;	/* not published: not shown */
			}
			if (rc != SQLITE_ROW)
				return step_error(q, s);
			search_row(a, s, out);
			done(s);
		}
	}
	for (i = 0; i < out->n; i++) {
		r = &out->items[i];
		if (read_tags(q, a, r) < 0 || read_photos(q, a, r, 1) < 0)
			return -1;
	}
	return 0;
}

static int
sq_search(struct store *st, struct bl_arena *a, const struct st_search *qr,
    struct st_search_result *out, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	int rc;

	begin_call(q, "search", err);
	if (exec(q, S_SEARCH_BEGIN, "") < 0)
		return -1;
	rc = search_run(q, a, qr, out);
	/* Read only: releasing ends it either way. */
	if (exec(q, S_SEARCH_END, "") < 0)
		rc = -1;
	return rc;
}

/*
 * Months with published stories, newest first, with their counts. Paths
 * begin "/YYYY/MM/", so instead of grouping every published story (0.1 s
 * and more at 100,000 stories) this hops down the (status, path) index:
 * the newest path before the cursor names a month, the index counts that
 * month's range, and the month's start becomes the next cursor. Work:
 * two index seeks a month plus a count that reads only index entries.
 */
static int
sq_archive_months(struct store *st, struct bl_arena *a, struct st_month **out,
    size_t *n, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct st_month *m;
	sqlite3_stmt *s;
	char cursor[512] = "~", month[10];
	const unsigned char *path;
	size_t cap = 0, plen;
	int64_t count;
	int rc, y, mo;

	begin_call(q, "list archive months", err);
	for (;;) {
		if ((s = bind(q, S_ARCHIVE_BEFORE, "t", cursor)) == NULL)
			return -1;
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			done(s);
			return 0;
		}
		if (rc != SQLITE_ROW)
			return step_error(q, s);
		path = sqlite3_column_text(s, 0);
		plen = (size_t)sqlite3_column_bytes(s, 0);
		if (path == NULL || plen >= sizeof(cursor)) {
			done(s);
			return failf(q, "archive path too long");
		}
		if (plen < 9 || sscanf((const char *)path, "/%4d/%2d/", &y,
		    &mo) != 2 || path[5] != '/' || path[8] != '/' ||
		    y < 1 || mo < 1 || mo > 12) {
			/* Not a dated path (none are, today): step past it. */
			memcpy(cursor, path, plen + 1);
			done(s);
			continue;
		}
		memcpy(month, path, 9);
		month[9] = '\0';
		done(s);
		if (query_int(q, &count, S_ARCHIVE_COUNT, "t", month) < 0)
			return -1;
		if (*n == cap)
			*out = grow(a, *out, *n, &cap, sizeof(**out));
		m = &(*out)[(*n)++];
		m->year = y;
		m->month = mo;
		m->count = count;
		memcpy(cursor, month, sizeof(month));
	}
}

static int
sq_article_add(struct store *st, struct bl_arena *a,
    const struct st_article_new *in, int64_t *id, char **pathp,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct store_article_plan pl;
	char secslug[STORE_SLUG_MAX + 1], auslug[STORE_SLUG_MAX + 1];
	char tagslug[STORE_SLUG_MAX + 1], why[400];
	const char *date;
	const struct st_photo *ph;
	char *slug, *path, **tagslugs;
	int64_t t, published, section = 0, author = 0, tag, aid;
	size_t i, j, ntagslugs = 0;

	begin_call(q, "add article", err);
	t = now();
	if (store_article_plan(in, t, &pl, why, sizeof(why)) < 0)
		return failf(q, "%s", why);
	published = pl.published;
	date = pl.date;

	if (tx_begin(q) < 0)
		return -1;
	if (prune_changes(q) < 0)
		return tx_abort(q);
	if (!store_blank(in->section_name) && ensure(q, S_SECTION_ENSURE,
	    S_SECTION_ID, "section", in->section_name, secslug, &section) < 0)
		return tx_abort(q);
	if (!store_blank(in->author_name) && ensure(q, S_AUTHOR_ENSURE,
	    S_AUTHOR_ID, "author", in->author_name, auslug, &author) < 0)
		return tx_abort(q);
	if (unique_slug(q, a, pl.base, date, &slug) < 0)
		return tx_abort(q);
	path = bl_arena_printf(a, "/%s/%s/", date, slug);

	if (exec(q, S_ARTICLE_INSERT, "tttttttttiiiinn", slug, path,
	    in->title, in->standfirst, in->dateline, in->excerpt, pl.format,
	    in->body_source, in->body_html, (int64_t)in->status, published,
	    pl.updated, t, section, author) < 0)
		return tx_abort(q);
	aid = sqlite3_last_insert_rowid(q->db);

	tagslugs = bl_arena_alloc(a, (in->ntags + 1) * sizeof(*tagslugs));
	for (i = 0; i < in->ntags; i++) {
		/* A tag of punctuation only ("???") has no page: dropped. */
		if (store_slugify(in->tags[i], tagslug, sizeof(tagslug)) == 0)
			continue;
		if (ensure(q, S_TAG_ENSURE, S_TAG_ID, "tag", in->tags[i],
		    tagslug, &tag) < 0)
			return tx_abort(q);
		if (exec(q, S_ARTICLE_TAG_INSERT, "iiiii", aid, tag,
		    (int64_t)i, (int64_t)in->status, published) < 0)
			return tx_abort(q);
		for (j = 0; j < ntagslugs; j++)
			if (strcmp(tagslugs[j], tagslug) == 0)
				break;
		if (j == ntagslugs)
			tagslugs[ntagslugs++] = bl_arena_strdup(a, tagslug);
	}
	for (i = 0; i < in->nphotos; i++) {
		ph = &in->photos[i];
		if (exec(q, S_PHOTO_INSERT, "iittttii", aid, (int64_t)i,
		    ph->file, ph->caption, ph->credit, ph->alt,
		    (int64_t)(ph->width > 0 ? ph->width : 0),
		    (int64_t)(ph->height > 0 ? ph->height : 0)) < 0)
			return tx_abort(q);
	}
	/* The search index holds published articles only (schema 4). */
	if (in->status == ST_PUBLISHED && exec(q, S_FTS_INSERT, "ittt", aid,
	    in->title, in->standfirst,
	    store_index_text(a, in->body_html, in->body_source)) < 0)
		return tx_abort(q);

	if (in->status == ST_PUBLISHED && rel_after_add(q, a, aid) < 0)
		return tx_abort(q);
	if (log_changef(q, "article:%lld", (long long)aid) < 0 ||
	    log_change(q, "front") < 0)
		return tx_abort(q);
	/* Date archive pages: "archive:2026-11". */
	if (in->status == ST_PUBLISHED && log_changef(q, "archive:%.4s-%.2s",
	    date, date + 5) < 0)
		return tx_abort(q);
	if (section && log_changef(q, "section:%s", secslug) < 0)
		return tx_abort(q);
	/* The first published story of a section adds it to every page's
	 * navigation. */
	if (section && in->status == ST_PUBLISHED) {
		int64_t others = 0;

		if (query_int(q, &others, S_SECTION_OTHERS, "ii", section, aid) < 0)
			return tx_abort(q);
		if (others == 0 && log_change(q, "sections") < 0)
			return tx_abort(q);
	}
	if (author && log_changef(q, "author:%s", auslug) < 0)
		return tx_abort(q);
	for (j = 0; j < ntagslugs; j++)
		if (log_changef(q, "tag:%s", tagslugs[j]) < 0)
			return tx_abort(q);
	if (tx_commit(q) < 0)
		return tx_abort(q);
	*id = aid;
	if (pathp != NULL)
		*pathp = path;
	return 0;
}

static int
sq_author_set_bio(struct store *st, const char *name, const char *bio,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);
	char slug[STORE_SLUG_MAX + 1];
	int64_t id;

	begin_call(q, "set author bio", err);
	if (store_blank(name))
		return failf(q, "the author name is empty");
	if (tx_begin(q) < 0)
		return -1;
	if (prune_changes(q) < 0 ||
	    ensure(q, S_AUTHOR_ENSURE, S_AUTHOR_ID, "author", name, slug,
	    &id) < 0 ||
	    exec(q, S_AUTHOR_SET_BIO, "it", id, bio) < 0 ||
	    log_changef(q, "author:%s", slug) < 0 ||
	    tx_commit(q) < 0)
		return tx_abort(q);
	return 0;
}

/* Notes that an approved comment on `article` was added in the open
 * batch; sq_batch_commit logs the keys. */
static void
changed_in_batch(struct sq *q, int64_t article)
{
	size_t i;

	q->changed_comments = 1;
	for (i = 0; i < q->nchanged; i++)
		if (q->changed[i] == article)
			return;
	if (q->nchanged == q->changed_cap) {
		q->changed_cap = q->changed_cap ? q->changed_cap * 2 : 64;
		q->changed = bl_xrealloc(q->changed,
		    q->changed_cap * sizeof(*q->changed));
	}
	q->changed[q->nchanged++] = article;
}

/*
 * One statement inserts the comment if its article exists and its parent
 * (if any) is a comment of that article. In a batch that statement is
 * the whole write: a failed statement undoes itself, so it needs no
 * savepoint, and the change-log keys wait for the commit. Outside a batch
 * it is a transaction with its change-log rows.
 */
static int
sq_comment_add(struct store *st, const struct st_comment *c, int64_t *id,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);
	int64_t one, cid;
	int rc;

	begin_call(q, "add comment", err);
	if (c->status != STC_PENDING && c->status != STC_APPROVED &&
	    c->status != STC_SPAM)
		return failf(q, "unknown status %d", (int)c->status);
	if (c->parent_id < 0)
		return failf(q, "bad parent %lld", (long long)c->parent_id);

	if (q->batch) {
		if (sqlite3_get_autocommit(q->db))
			return failf(q, "the batch was rolled back by an "
			    "earlier error");
	} else if (tx_begin(q) < 0 || prune_changes(q) < 0)
		return tx_abort(q);
	if (exec(q, S_COMMENT_INSERT_CHECKED, "intttttii", c->article_id,
	    c->parent_id, c->author, c->email, c->url, c->body, c->ip,
	    (int64_t)c->status, c->created_at > 0 ? c->created_at : now()) < 0)
		return q->batch ? -1 : tx_abort(q);
	if (sqlite3_changes(q->db) == 0) {
		/* Not inserted: say why. */
		rc = query_int(q, &one, S_ARTICLE_EXISTS, "i", c->article_id);
		if (rc > 0)
			failf(q, "no article %lld", (long long)c->article_id);
		else if (rc == 0)
			failf(q, "no comment %lld on article %lld",
			    (long long)c->parent_id, (long long)c->article_id);
		return q->batch ? -1 : tx_abort(q);
	}
	cid = sqlite3_last_insert_rowid(q->db);
	/* Only an approved comment changes what readers see; a held one
	 * shows up when it is approved (comment_set_status logs then). */
	if (q->batch) {
		if (c->status == STC_APPROVED)
			changed_in_batch(q, c->article_id);
		*id = cid;
		return 0;
	}
	if (c->status == STC_APPROVED &&
	    (log_changef(q, "~article:%lld", (long long)c->article_id) < 0 ||
	    log_change(q, "~comments") < 0))
		return tx_abort(q);
	if (tx_commit(q) < 0)
		return tx_abort(q);
	*id = cid;
	return 0;
}

/* ------------------------------------------------------ comment admin */

/* Fills a comment from columns 0..9, and 10..11 when `with_article`. */
static void
comment_row(struct bl_arena *a, sqlite3_stmt *s, struct st_comment *c,
    int with_article)
{
	int status;

	c->id = sqlite3_column_int64(s, 0);
	c->article_id = sqlite3_column_int64(s, 1);
	c->parent_id = sqlite3_column_int64(s, 2);
	c->author = col_str(a, s, 3);
	c->email = col_str(a, s, 4);
	c->url = col_str(a, s, 5);
	c->body = col_str(a, s, 6);
	c->ip = col_str(a, s, 7);
	status = sqlite3_column_int(s, 8);
	c->status = store_comment_status(status);
	c->created_at = sqlite3_column_int64(s, 9);
	c->article_title = with_article ? col_str(a, s, 10) : bl_arena_strdup(a, "");
	c->article_path = with_article ? col_str(a, s, 11) : bl_arena_strdup(a, "");
}

static int
sq_comment_get(struct store *st, struct bl_arena *a, int64_t id,
    struct st_comment **out, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	sqlite3_stmt *s;
	int rc;

	begin_call(q, "get comment", err);
	if ((s = bind(q, S_COMMENT_GET, "i", id)) == NULL)
		return -1;
	if ((rc = first_row(q, s)) != 0)
		return rc;
	*out = bl_arena_alloc(a, sizeof(**out));
	comment_row(a, s, *out, 1);
	done(s);
	return 0;
}

static int
sq_comment_admin_list(struct store *st, struct bl_arena *a, int status,
    const char *article, int limit, struct st_comment **out, size_t *n,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	begin_call(q, "list comments", err);
	if ((s = bind(q, S_COMMENT_ADMIN, "iti", (int64_t)status,
	    article ? article : "", (int64_t)(limit > 0 ? limit : -1))) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap)
			*out = grow(a, *out, *n, &cap, sizeof(**out));
		comment_row(a, s, &(*out)[(*n)++], 1);
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return 0;
}

/* Runs one statement that changes comment `id` (and, for a delete, moves
 * its replies up first) in a transaction that logs the article's key.
 * Returns 1 when there is no such comment. */
static int
comment_change(struct sq *q, int64_t id, enum stmt stmt, const char *fmt,
    int64_t status, const char *author, const char *url, const char *body)
{
	int64_t article;
	int rc;

	if (tx_begin(q) < 0)
		return -1;
	rc = query_int(q, &article, S_COMMENT_ARTICLE, "i", id);
	if (rc != 0) {
		tx_abort(q);
		return rc;
	}
	if (prune_changes(q) < 0)
		return tx_abort(q);
	if (stmt == S_COMMENT_DELETE && exec(q, S_COMMENT_REPARENT, "i", id) < 0)
		return tx_abort(q);
	if (fmt[1] == '\0')
		rc = exec(q, stmt, "i", id);
	else if (stmt == S_COMMENT_SET_STATUS)
		rc = exec(q, stmt, "ii", id, status);
	else
		rc = exec(q, stmt, "ittti", id, author, url, body, status);
	if (rc < 0)
		return tx_abort(q);
	if (log_changef(q, "article:%lld", (long long)article) < 0 ||
	    log_change(q, "comments") < 0)
		return tx_abort(q);
	if (tx_commit(q) < 0)
		return tx_abort(q);
	return 0;
}

static int
sq_comment_set_status(struct store *st, int64_t id,
    enum st_comment_status status, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "change comment", err);
	return comment_change(q, id, S_COMMENT_SET_STATUS, "ii", status,
	    NULL, NULL, NULL);
}

static int
sq_comment_delete(struct store *st, int64_t id, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "delete comment", err);
	return comment_change(q, id, S_COMMENT_DELETE, "i", 0, NULL, NULL, NULL);
}

static int
sq_comment_update(struct store *st, int64_t id, const char *author,
    const char *url, const char *body, enum st_comment_status status,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "edit comment", err);
	return comment_change(q, id, S_COMMENT_UPDATE, "ittti", status, author,
	    url, body);
}

static int
sq_comment_email_approved(struct store *st, const char *email, int *yes,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);
	int64_t one;
	int rc;

	begin_call(q, "check comment author", err);
	rc = query_int(q, &one, S_COMMENT_EMAIL_APPROVED, "t", email);
	if (rc < 0)
		return -1;
	*yes = rc == 0;
	return 0;
}

static int
sq_comment_last_from_ip(struct store *st, const char *ip, int64_t *t,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "check comment flood", err);
	return query_int(q, t, S_COMMENT_LAST_IP, "t", ip) < 0 ? -1 : 0;
}

static int
sq_comment_duplicate(struct store *st, int64_t article_id, const char *author,
    const char *email, const char *body, int *yes, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	int64_t one;
	int rc;

	begin_call(q, "check duplicate comment", err);
	rc = query_int(q, &one, S_COMMENT_DUPLICATE, "ittt", article_id, author,
	    email, body);
	if (rc < 0)
		return -1;
	*yes = rc == 0;
	return 0;
}

static int
sq_captcha_spend(struct store *st, const char *nonce, int64_t expires,
    int *already, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "spend challenge", err);
	if (q->batch) {
		/* One statement, undone by itself if it fails: no savepoint;
		 * the batch prunes when it commits. */
		if (sqlite3_get_autocommit(q->db))
			return failf(q, "the batch was rolled back by an "
			    "earlier error");
		if (exec(q, S_CAPTCHA_SPEND, "ti", nonce, expires) < 0)
			return -1;
		*already = sqlite3_changes(q->db) == 0;
		return 0;
	}
	if (tx_begin(q) < 0)
		return -1;
	if (exec(q, S_CAPTCHA_PRUNE, "i", now()) < 0 ||
	    exec(q, S_CAPTCHA_SPEND, "ti", nonce, expires) < 0)
		return tx_abort(q);
	*already = sqlite3_changes(q->db) == 0;
	if (tx_commit(q) < 0)
		return tx_abort(q);
	return 0;
}

static int
sq_comment_checks(struct store *st, const struct st_comment *c, int which,
    struct st_comment_checks *out, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	sqlite3_stmt *s;
	int rc;

	begin_call(q, "check comment", err);
	if ((s = bind(q, S_COMMENT_CHECKS, "titttii", c->ip, c->article_id,
	    c->author, c->email, c->body, (int64_t)((which & ST_CHECK_FLOOD) != 0),
	    (int64_t)((which & ST_CHECK_APPROVED) != 0))) == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			failf(q, "no result");
		else
			fail(q);
		done(s);
		return -1;
	}
	out->last_from_ip = sqlite3_column_int64(s, 0);
	out->duplicate = sqlite3_column_int(s, 1) != 0;
	out->email_approved = sqlite3_column_int(s, 2) != 0;
	done(s);
	return 0;
}

static int
sq_comment_target(struct store *st, struct bl_arena *a, int64_t id,
    char **path, int64_t *published_at, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	sqlite3_stmt *s;
	int rc;

	begin_call(q, "read article", err);
	if ((s = bind(q, S_COMMENT_TARGET, "i", id)) == NULL)
		return -1;
	if ((rc = first_row(q, s)) != 0)
		return rc;
	*path = col_str(a, s, 0);
	*published_at = sqlite3_column_int64(s, 1);
	done(s);
	return 0;
}

/* ---------------------------------------------------- change tracking */

static int
sq_change_latest(struct store *st, int64_t *id, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	int rc;

	begin_call(q, "read change log", err);
	rc = query_int(q, id, S_CHANGE_LATEST, "");
	return rc < 0 ? -1 : 0;
}

static int
sq_changes_since(struct store *st, struct bl_arena *a, int64_t after,
    size_t max, struct st_change **out, size_t *n, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct st_change *c;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	begin_call(q, "read change log", err);
	if ((uint64_t)max > (uint64_t)INT64_MAX)
		max = (size_t)INT64_MAX;
	if ((s = bind(q, S_CHANGES_SINCE, "ii", after, (int64_t)max)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap)
			*out = grow(a, *out, *n, &cap, sizeof(**out));
		c = &(*out)[(*n)++];
		c->id = sqlite3_column_int64(s, 0);
		c->key = col_str(a, s, 1);
	}
	if (rc != SQLITE_DONE)
		return step_error(q, s);
	done(s);
	return 0;
}

static int
sq_poll(struct store *st, int *changed, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	int64_t v;
	int rc;

	begin_call(q, "poll database", err);
	rc = query_int(q, &v, S_DATA_VERSION, "");
	if (rc != 0)
		return rc < 0 ? -1 : failf(q, "no data_version");
	if (q->polled)
		*changed = v != q->data_version ||
		    q->commits != q->commits_seen;
	q->polled = 1;
	q->data_version = v;
	q->commits_seen = q->commits;
	return 0;
}

static int
sq_checkpoint(struct store *st, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	int rc;

	begin_call(q, "checkpoint database", err);
	rc = sqlite3_wal_checkpoint_v2(q->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	/* BUSY: another checkpoint is running; it does the work. */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return failf(q, "%s", sqlite3_errmsg(q->db));
	return 0;
}

/* -------------------------------------------------------- group commit */

static int
sq_batch_begin(struct store *st, struct bl_err *err)
{
	struct sq *q = to_sq(st);

	begin_call(q, "begin batch", err);
	if (q->batch || q->copying)
		return failf(q, "a batch is already open");
	if (exec(q, S_BEGIN, "") < 0)
		return -1;
	q->batch = 1;
	return 0;
}

static int
sq_batch_commit(struct store *st, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	size_t i;

	begin_call(q, "commit batch", err);
	if (!q->batch)
		return failf(q, "no batch is open");
	if (sqlite3_get_autocommit(q->db)) {
		q->batch = 0;
		q->nchanged = 0;
		q->changed_comments = 0;
		return failf(q, "the batch was rolled back by an earlier error");
	}
	/* New approved comments: soft changes (store.h). */
	for (i = 0; i < q->nchanged; i++)
		if (log_changef(q, "~article:%lld", (long long)q->changed[i]) < 0)
			break;
	if (i < q->nchanged ||
	    (q->changed_comments && log_change(q, "~comments") < 0) ||
	    exec(q, S_CHANGE_PRUNE, "i", now() - STORE_CHANGE_KEEP) < 0 ||
	    exec(q, S_CAPTCHA_PRUNE, "i", now()) < 0) {
		q->batch = 0;
		q->nchanged = 0;
		q->changed_comments = 0;
		return tx_abort(q);
	}
	q->batch = 0;
	q->nchanged = 0;
	q->changed_comments = 0;
	if (exec(q, S_COMMIT, "") < 0)
		return tx_abort(q);
	q->commits++;
	return 0;
}

static void
sq_batch_rollback(struct store *st)
{
	struct sq *q = to_sq(st);

	if (!q->batch)
		return;
	q->batch = 0;
	q->nchanged = 0;
	q->changed_comments = 0;
	tx_abort(q);
}

/* ----------------------------------------------------- whole-site copy */

/* Index of `t` in store_tables, for the per-table statement cache. */
static size_t
table_index(const struct st_table *t)
{
	return (size_t)(t - store_tables);
}

/* Prepares SQL made from the table catalog (names are constants of the
 * program, never data). */
static sqlite3_stmt *
prepare_built(struct sq *q, struct bl_buf *b)
{
	sqlite3_stmt *s = NULL;

	if (bl_buf_err(b)) {
		failf(q, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v2(q->db, b->s, -1, &s, NULL) != SQLITE_OK) {
		fail(q);
		return NULL;
	}
	return s;
}

static int
sq_copy_count(struct store *st, const struct st_table *t, int64_t *n,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct bl_buf b = BL_BUF_INIT;
	sqlite3_stmt *s;
	int rc;

	begin_call(q, "count rows", err);
	bl_buf_printf(&b, "SELECT count(*) FROM %s", t->name);
	s = prepare_built(q, &b);
	bl_buf_release(&b);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		fail(q);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
sq_copy_read(struct store *st, const struct st_table *t,
    int (*row)(void *, const struct st_value *, struct bl_err *), void *ctx,
    struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct bl_buf b = BL_BUF_INIT;
	struct st_value v[32];
	sqlite3_stmt *s;
	size_t i;
	int rc;

	begin_call(q, "read rows", err);
	if (t->ncols > sizeof(v) / sizeof(v[0]))
		return failf(q, "table %s has too many columns", t->name);
	bl_buf_puts(&b, "SELECT ");
	for (i = 0; i < t->ncols; i++)
		bl_buf_printf(&b, "%s%s", i ? ", " : "", t->cols[i].name);
	bl_buf_printf(&b, " FROM %s ORDER BY 1, 2", t->name);
	s = prepare_built(q, &b);
	bl_buf_release(&b);
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < t->ncols; i++) {
			memset(&v[i], 0, sizeof(v[i]));
			if (sqlite3_column_type(s, (int)i) == SQLITE_NULL) {
				v[i].type = STV_NULL;
				continue;
			}
			v[i].type = t->cols[i].type;
			switch (t->cols[i].type) {
			case STV_INT:
				v[i].i = sqlite3_column_int64(s, (int)i);
				break;
			case STV_REAL:
				v[i].r = sqlite3_column_double(s, (int)i);
				break;
			default:
				v[i].type = STV_TEXT;
				v[i].s = (const char *)
				    sqlite3_column_text(s, (int)i);
				if (v[i].s == NULL)
					v[i].s = "";
				break;
			}
		}
		if (row(ctx, v, err) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		fail(q);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void sq_copy_abort(struct store *);

static int
sq_copy_begin(struct store *st, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	int64_t n;
	size_t i;

	if (q->batch || q->copying)
		return bl_errf(err, "cannot start copy: a transaction is open");
	if (sq_copy_count(st, &store_tables[3], &n, err) < 0)
		return -1;
	begin_call(q, "start copy", err);
	if (exec(q, S_BEGIN, "") < 0)
		return -1;
	q->copying = 1;
	for (i = 0; i < STORE_COPY_CONTENT_TABLES; i++) {
		if (sq_copy_count(st, &store_tables[i], &n, err) < 0)
			goto fail;
		if (n > 0) {
			bl_errf(err, "cannot copy into '%s': it already holds a "
			    "site (%lld rows in %s)", q->path, (long long)n,
			    store_tables[i].name);
			goto fail;
		}
	}
	return 0;
fail:
	sq_copy_abort(st);
	return -1;
}

static int
sq_copy_write(struct store *st, const struct st_table *t,
    const struct st_value *v, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct bl_buf b = BL_BUF_INIT;
	size_t k = table_index(t), i;
	sqlite3_stmt *s;
	int rc = SQLITE_OK;

	begin_call(q, "write row", err);
	if (!q->copying)
		return failf(q, "no copy in progress");
	if (k >= store_ntables || k >= sizeof(q->copy_stmt) / sizeof(q->copy_stmt[0]))
		return failf(q, "unknown table");
	if ((s = q->copy_stmt[k]) == NULL) {
		bl_buf_printf(&b, "INSERT INTO %s (", t->name);
		for (i = 0; i < t->ncols; i++)
			bl_buf_printf(&b, "%s%s", i ? ", " : "", t->cols[i].name);
		bl_buf_puts(&b, ") VALUES (");
		for (i = 0; i < t->ncols; i++)
			bl_buf_printf(&b, "%s?%zu", i ? ", " : "", i + 1);
		bl_buf_puts(&b, ")");
		s = prepare_built(q, &b);
		bl_buf_release(&b);
		if (s == NULL)
			return -1;
		q->copy_stmt[k] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	for (i = 0; i < t->ncols && rc == SQLITE_OK; i++) {
		switch (v[i].type) {
		case STV_NULL:
			rc = sqlite3_bind_null(s, (int)i + 1);
			break;
		case STV_INT:
			rc = sqlite3_bind_int64(s, (int)i + 1, v[i].i);
			break;
		case STV_REAL:
			rc = sqlite3_bind_double(s, (int)i + 1, v[i].r);
			break;
		case STV_TEXT:
			rc = sqlite3_bind_text(s, (int)i + 1,
			    v[i].s != NULL ? v[i].s : "", -1, SQLITE_STATIC);
			break;
		}
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return failf(q, "%s: %s", t->name, sqlite3_errmsg(q->db));
	return 0;
}

static int
sq_copy_end(struct store *st, struct bl_err *err)
{
	struct sq *q = to_sq(st);
	struct bl_arena a = BL_ARENA_INIT;
	sqlite3_stmt *s = NULL;
	struct bl_buf b = BL_BUF_INIT;
	int rc;

	begin_call(q, "finish copy", err);
	if (!q->copying)
		return failf(q, "no copy in progress");
	/* The search index is made from the published articles, as
	 * article_add does. */
	bl_buf_puts(&b, "SELECT id, title, standfirst, body_html, body_source"
	    " FROM articles WHERE status = 1 ORDER BY id");
	s = prepare_built(q, &b);
	bl_buf_release(&b);
	if (s == NULL)
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (exec(q, S_FTS_INSERT, "ittt", sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2),
		    store_index_text(&a,
		    (const char *)sqlite3_column_text(s, 3),
		    (const char *)sqlite3_column_text(s, 4))) < 0)
			goto fail;
		bl_arena_release(&a);
	}
	if (rc != SQLITE_DONE) {
		fail(q);
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (log_change(q, "front") < 0 || log_change(q, "sections") < 0)
		goto fail;
	if (exec(q, S_COMMIT, "") < 0)
		goto fail;
	q->copying = 0;
	q->commits++;
	return 0;
fail:
	sqlite3_finalize(s);
	bl_arena_release(&a);
	sq_copy_abort(st);
	return -1;
}

static void
sq_copy_abort(struct store *st)
{
	struct sq *q = to_sq(st);

	if (!q->copying)
		return;
	q->copying = 0;
	tx_abort(q);
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.schema_version = sq_schema_version,
	.article_get = sq_article_get,
	.article_by_path = sq_article_by_path,
	.article_by_slug = sq_article_by_slug,
	.article_list = sq_article_list,
	.section_get = sq_section_get,
	.author_get = sq_author_get,
	.tag_get = sq_tag_get,
	.section_list = sq_section_list,
	.comment_list = sq_comment_list,
	.related_list = sq_related_list,
	.search = sq_search,
	.archive_months = sq_archive_months,
	.related_rebuild = sq_related_rebuild,
	.article_add = sq_article_add,
	.author_set_bio = sq_author_set_bio,
	.comment_add = sq_comment_add,
	.comment_get = sq_comment_get,
	.comment_admin_list = sq_comment_admin_list,
	.comment_set_status = sq_comment_set_status,
	.comment_delete = sq_comment_delete,
	.comment_update = sq_comment_update,
	.comment_email_approved = sq_comment_email_approved,
	.comment_last_from_ip = sq_comment_last_from_ip,
	.comment_duplicate = sq_comment_duplicate,
	.captcha_spend = sq_captcha_spend,
	.comment_checks = sq_comment_checks,
	.comment_target = sq_comment_target,
	.change_latest = sq_change_latest,
	.changes_since = sq_changes_since,
	.poll = sq_poll,
	.checkpoint = sq_checkpoint,
	.batch_begin = sq_batch_begin,
	.batch_commit = sq_batch_commit,
	.batch_rollback = sq_batch_rollback,
	.copy_count = sq_copy_count,
	.copy_read = sq_copy_read,
	.copy_begin = sq_copy_begin,
	.copy_write = sq_copy_write,
	.copy_end = sq_copy_end,
	.copy_abort = sq_copy_abort,
};
