/* The PostgreSQL backend of the store: connection, statements, reads and
 * writes (search and related lists are in fts_pg.c). */
#include "store/pg_int.h"
#include "store/rules.h"
#include "store/sql_article.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/buf.h"

/*
 * The statement catalog: every statement this file runs, with its text.
 * Each is prepared (PQprepare, named "bN") the first time a connection
 * uses it; after a reconnect they are prepared again. Parameters are
 * always bound, as text, and typed by the server from their context or
 * a cast. Article rows are read with ARTICLE_COLS or SUMMARY_COLS
 * (sql_article.h).
 */
/* $2 NULL is no limit. */
#define LIST_ORDER \
	" ORDER BY a.published_at DESC, a.id DESC LIMIT $2 OFFSET $3"
#define IN_SECTION(n) \
	" a.section_id = (SELECT id FROM sections WHERE slug = $" #n ")"
#define IN_AUTHOR(n) \
	" a.author_id = (SELECT id FROM authors WHERE slug = $" #n ")"
#define TAG_WHERE(n) \
	" WHERE x.tag_id = (SELECT id FROM tags WHERE slug = $" #n ")" \
	" AND x.status = 1 AND x.article_id <> $1"
/* Date archives: the permalink starts with "/2026/", "/2026/11/"... */
#define IN_DATE(n) " starts_with(a.path, $" #n "::text)"
#define COMMENT_COLS \
	"SELECT c.id, c.article_id, c.parent_id, c.author, c.email, c.url," \
	" c.body, c.ip, c.status, c.created_at, a.title, a.path" \
	" FROM comments c JOIN articles a ON a.id = c.article_id"

/* A comment's body equals the text `p`; the hash lets PostgreSQL find
 * it by the comments_duplicate index (migration 5). */
#define COMMENT_SAME_TEXT(p) \
	"md5(body) = md5(" p "::text) AND body = " p "::text"

#define PG_STATEMENTS(X) \
	X(P_BEGIN, "BEGIN") \
	X(P_BEGIN_READ, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") \
	X(P_COMMIT, "COMMIT") \
	X(P_ROLLBACK, "ROLLBACK") \
	X(P_SAVEPOINT, "SAVEPOINT w") \
	X(P_RELEASE, "RELEASE SAVEPOINT w") \
	X(P_ROLLBACK_TO, "ROLLBACK TO SAVEPOINT w") \
	X(P_LOCK, "SELECT pg_advisory_xact_lock($1::bigint)") \
	X(P_NOTIFY, "SELECT pg_notify('byline_changes', '')") \
	X(P_LISTEN, "LISTEN byline_changes") \
	X(P_FETCH, "FETCH 1000 FROM byline_copy") \
	X(P_CLOSE, "CLOSE byline_copy") \
	\
	X(P_SECTION_ENSURE, "INSERT INTO sections (slug, name)" \
	    " VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING") \
	X(P_SECTION_ID, "SELECT id FROM sections WHERE slug = $1") \
	X(P_SECTION_OTHERS, "SELECT count(*) FROM articles" \
	    " WHERE section_id = $1 AND status = 1 AND id <> $2") \
	X(P_AUTHOR_ENSURE, "INSERT INTO authors (slug, name)" \
	    " VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING") \
	X(P_AUTHOR_ID, "SELECT id FROM authors WHERE slug = $1") \
	X(P_AUTHOR_SET_BIO, "UPDATE authors SET bio = $2 WHERE id = $1") \
	X(P_TAG_ENSURE, "INSERT INTO tags (slug, name) VALUES ($1, $2)" \
	    " ON CONFLICT (slug) DO NOTHING") \
	X(P_TAG_ID, "SELECT id FROM tags WHERE slug = $1") \
	X(P_SLUG_TAKEN, "SELECT 1 FROM articles WHERE slug = $1 OR path = $2") \
	X(P_SLUG_FAMILY, "SELECT slug FROM articles" \
	    " WHERE starts_with(slug, $1::text || '-')") \
	X(P_ARTICLE_INSERT, "INSERT INTO articles (slug, path, title," \
	    " standfirst, dateline, excerpt, body_format, body_source," \
	    " body_html, status, published_at, updated_at, created_at," \
	    " section_id, author_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8," \
	    " $9, $10, $11, $12, $13, $14, $15) RETURNING id") \
	X(P_ARTICLE_TAG_INSERT, "INSERT INTO article_tags (article_id," \
	    " tag_id, pos, status, published_at)" \
	    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING") \
	X(P_PHOTO_INSERT, "INSERT INTO photos (article_id, pos, file," \
	    " caption, credit, alt, width, height)" \
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)") \
	\
	X(P_ARTICLE_GET, ARTICLE_COLS \
	    " WHERE a.id = $1 AND (a.status = 1 OR $2::integer <> 0)") \
	X(P_ARTICLE_BY_PATH, ARTICLE_COLS \
	    " WHERE a.path = $1 AND a.status = 1") \
	X(P_ARTICLE_BY_SLUG, ARTICLE_COLS " WHERE a.slug = $1") \
	X(P_ARTICLE_TAGS, "SELECT t.id, t.slug, t.name FROM article_tags x" \
	    " JOIN tags t ON t.id = x.tag_id WHERE x.article_id = $1" \
	    " ORDER BY x.pos") \
	X(P_ARTICLE_PHOTOS, "SELECT id, pos, file, caption, credit, alt," \
	    " width, height FROM photos WHERE article_id = $1" \
	    " ORDER BY pos, id") \
	X(P_ARTICLE_PHOTO_FIRST, "SELECT id, pos, file, caption, credit," \
	    " alt, width, height FROM photos WHERE article_id = $1" \
	    " ORDER BY pos, id LIMIT 1") \
	\
	X(P_LIST_ALL, SUMMARY_COLS \
	    " WHERE a.status = 1 AND a.id <> $1" LIST_ORDER) \
	X(P_COUNT_ALL, "SELECT count(*) FROM articles a" \
	    " WHERE a.status = 1 AND a.id <> $1") \
	X(P_LIST_SECTION, SUMMARY_COLS " WHERE" IN_SECTION(4) \
	    " AND a.status = 1 AND a.id <> $1" LIST_ORDER) \
	X(P_COUNT_SECTION, "SELECT count(*) FROM articles a WHERE" \
	    IN_SECTION(2) " AND a.status = 1 AND a.id <> $1") \
	X(P_LIST_AUTHOR, SUMMARY_COLS " WHERE" IN_AUTHOR(4) \
	    " AND a.status = 1 AND a.id <> $1" LIST_ORDER) \
	X(P_COUNT_AUTHOR, "SELECT count(*) FROM articles a WHERE" \
	    IN_AUTHOR(2) " AND a.status = 1 AND a.id <> $1") \
	X(P_LIST_TAG, SUMMARY_SELECT " FROM article_tags x" \
	    " JOIN articles a ON a.id = x.article_id" ARTICLE_JOINS \
	    TAG_WHERE(4) " ORDER BY x.published_at DESC, x.article_id DESC" \
	    " LIMIT $2 OFFSET $3") \
	X(P_COUNT_TAG, "SELECT count(*) FROM article_tags x" TAG_WHERE(2)) \
	X(P_LIST_DATE, SUMMARY_COLS " WHERE" IN_DATE(4) \
	    " AND a.status = 1 AND a.id <> $1" LIST_ORDER) \
	X(P_COUNT_DATE, "SELECT count(*) FROM articles a WHERE" IN_DATE(2) \
	    " AND a.status = 1 AND a.id <> $1") \
	X(P_ARCHIVE_MONTHS, "SELECT substr(path, 2, 4), substr(path, 7, 2)," \
	    " count(*) FROM articles WHERE status = 1" \
	    " GROUP BY 1, 2 ORDER BY 1 DESC, 2 DESC") \
	\
	X(P_SECTION_GET, "SELECT s.id, s.slug, s.name," \
	    " (SELECT count(*) FROM articles a" \
	    "   WHERE a.section_id = s.id AND a.status = 1)" \
	    " FROM sections s WHERE s.slug = $1") \
	X(P_AUTHOR_GET, "SELECT u.id, u.slug, u.name," \
	    " (SELECT count(*) FROM articles a" \
	    "   WHERE a.author_id = u.id AND a.status = 1), u.bio" \
	    " FROM authors u WHERE u.slug = $1") \
	X(P_TAG_GET, "SELECT t.id, t.slug, t.name," \
	    " (SELECT count(*) FROM article_tags x" \
	    "   WHERE x.tag_id = t.id AND x.status = 1)" \
	    " FROM tags t WHERE t.slug = $1") \
	X(P_SECTION_LIST, "SELECT s.id, s.slug, s.name," \
	    " (SELECT count(*) FROM articles a" \
	    "   WHERE a.section_id = s.id AND a.status = 1)" \
	    " FROM sections s WHERE EXISTS (SELECT 1 FROM articles a" \
	    "   WHERE a.section_id = s.id AND a.status = 1)" \
	    " ORDER BY s.name, s.id") \
	X(P_SECTION_NAMES, "SELECT s.id, s.slug, s.name FROM sections s" \
	    " WHERE EXISTS (SELECT 1 FROM articles a" \
	    "   WHERE a.section_id = s.id AND a.status = 1)" \
	    " ORDER BY s.name, s.id") \
	X(P_REL_LIST, SUMMARY_SELECT " FROM related r" \
	    " JOIN articles a ON a.id = r.related_id" ARTICLE_JOINS \
	    " WHERE r.article_id = $1 AND a.status = 1" \
	    " ORDER BY r.pos LIMIT $2") \
	X(P_REL_MISSING, "SELECT ((SELECT count(*) FROM articles" \
	    "   WHERE status = 1) > 1 AND NOT EXISTS" \
	    " (SELECT 1 FROM related))::integer") \
	\
	X(P_ARTICLE_EXISTS, "SELECT 1 FROM articles WHERE id = $1") \
	X(P_COMMENT_ARTICLE, "SELECT article_id FROM comments WHERE id = $1") \
	X(P_COMMENT_INSERT, "INSERT INTO comments (article_id, parent_id," \
	    " author, email, url, body, ip, status, created_at)" \
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id") \
	X(P_COMMENT_LIST, "SELECT id, article_id, parent_id, author, email," \
	    " url, body, ip, status, created_at FROM comments" \
	    " WHERE article_id = $1 AND status = 1" \
	    " ORDER BY created_at, id") \
	X(P_COMMENT_GET, COMMENT_COLS " WHERE c.id = $1") \
	X(P_COMMENT_ADMIN, COMMENT_COLS \
	    " WHERE ($1::integer < 0 OR c.status = $1::integer)" \
	    " AND ($2::text = '' OR a.slug = $2::text)" \
	    " ORDER BY c.created_at DESC, c.id DESC LIMIT $3") \
	X(P_COMMENT_SET_STATUS, "UPDATE comments SET status = $2" \
	    " WHERE id = $1") \
	X(P_COMMENT_REPARENT, "UPDATE comments SET parent_id =" \
	    " (SELECT parent_id FROM comments WHERE id = $1)" \
	    " WHERE parent_id = $1") \
	X(P_COMMENT_DELETE, "DELETE FROM comments WHERE id = $1") \
	X(P_COMMENT_UPDATE, "UPDATE comments SET author = $2, url = $3," \
	    " body = $4, status = $5 WHERE id = $1") \
	X(P_COMMENT_EMAIL_APPROVED, "SELECT 1 FROM comments" \
	    " WHERE lower(email) = lower($1::text) AND status = 1 LIMIT 1") \
	X(P_COMMENT_LAST_IP, "SELECT coalesce(max(created_at), 0)" \
	    " FROM comments WHERE ip = $1") \
	X(P_COMMENT_DUPLICATE, "SELECT 1 FROM comments WHERE article_id = $1" \
	    " AND " COMMENT_SAME_TEXT("$4") " AND (author = $2 OR ($3::text <> ''" \
	    " AND lower(email) = lower($3::text))) LIMIT 1") \
	X(P_COMMENT_CHECKS, "SELECT" \
	    " CASE WHEN $6::integer <> 0 THEN (SELECT" \
	    "   coalesce(max(created_at), 0) FROM comments WHERE ip = $1)" \
	    "   ELSE 0 END," \
	    " EXISTS (SELECT 1 FROM comments WHERE article_id = $2" \
	    "   AND " COMMENT_SAME_TEXT("$5") \
	    "   AND (author = $3 OR ($4::text <> ''" \
	    "   AND lower(email) = lower($4::text))))::integer," \
	    " CASE WHEN $7::integer <> 0 THEN EXISTS (SELECT 1 FROM comments" \
	    "   WHERE lower(email) = lower($4::text) AND status = 1)::integer" \
	    "   ELSE 0 END") \
	X(P_COMMENT_TARGET, "SELECT path, published_at FROM articles" \
	    " WHERE id = $1 AND status = 1") \
	X(P_CAPTCHA_PRUNE, "DELETE FROM captcha_spent WHERE expires < $1") \
	X(P_CAPTCHA_SPEND, "INSERT INTO captcha_spent (nonce, expires)" \
	    " VALUES ($1, $2) ON CONFLICT (expires, nonce) DO NOTHING") \
	\
	X(P_CHANGE_INSERT, "INSERT INTO changes (key, created_at)" \
	    " VALUES ($1, $2)") \
	X(P_CHANGE_PRUNE, "DELETE FROM changes WHERE created_at < $1") \
	X(P_CHANGE_LATEST, "SELECT coalesce(max(id), 0) FROM changes") \
	X(P_CHANGES_SINCE, "SELECT id, key FROM changes WHERE id > $1" \
	    " ORDER BY id LIMIT $2")

#define STMT_ENUM_(name, sql) name,
enum pstmt {
	PG_STATEMENTS(STMT_ENUM_)
	P__MAX
};
#undef STMT_ENUM_

#define STMT_TEXT_(name, sql) sql,
static const char *const stmt_sql[P__MAX] = {
	PG_STATEMENTS(STMT_TEXT_)
};
#undef STMT_TEXT_

#define MAX_PARAMS 16
#define COPY_TABLES_MAX 16
/* Tries of a write transaction that lost a race with another node. */
#define WRITE_TRIES 5
/* Seconds between tries to reach a server that could not be reached. */
#define RECONNECT_GAP 1

struct pg {
	struct store base;
	PGconn *conn;
	char *name;		/* the URL with its password hidden */
	int version;
	/* Statements prepared on this connection (cleared on reconnect). */
	unsigned char prepared[P__MAX];
	unsigned char copy_prepared[COPY_TABLES_MAX];

	/* store_poll: LISTEN issued on this connection, and not yet
	 * reported by a poll; commits counts this connection's own. */
	int listening;
	int listen_fresh;
	uint64_t commits, commits_seen;

	/* When a reconnect last failed (monotonic seconds): the next try
	 * waits RECONNECT_GAP, so an unreachable server costs each caller
	 * at most one connect_timeout per gap, not one per call. */
	int64_t reset_failed_at;

	int intx;		/* a transaction is open (BEGIN done) */
	int batch;		/* store_batch_*: writes are savepoints */
	int copying;		/* store_copy_*: one transaction */
	int logged;		/* change rows written: notify at commit */
	char sqlstate[6];	/* of the last failed statement */

	/* The call in progress, for error messages. */
	struct bl_err *err;
	const char *op;
};

static struct pg *
to_pg(struct store *st)
{
	return (struct pg *)st;
}

static void
begin_call(struct pg *p, const char *op, struct bl_err *err)
{
	p->op = op;
	p->err = err;
}

static int
failf(struct pg *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
failf(struct pg *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bl_errf(p->err, "cannot %s: %s", p->op, msg);
}

/* libpq's message as one line in `buf`: its line breaks and the tabs
 * after them become single spaces, the trailing one goes. */
const char *
pg_msg_line(const char *m, char *buf, size_t size)
{
	size_t n = 0;
	int space = 0;

	if (m == NULL || *m == '\0')
		m = "unknown error";
	for (; *m && n + 1 < size; m++) {
		if (*m == '\n' || *m == '\r' || *m == '\t') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < size)
			buf[n++] = ' ';
		space = 0;
		buf[n++] = *m;
	}
	buf[n] = '\0';
	return buf;
}

/* Whether a failure means the server is gone for now (reconnect, 503):
 * a broken connection, SQLSTATE class 08 (connection exception),
 * 57P01..57P03 (shutdown, crash, cannot connect now). */
static int
lost(PGconn *conn, const char *state)
{
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		return 1;
	if (state == NULL)
		return 0;
	return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* Reports the failure of a statement (result `r`, may be NULL). */
static int
fail_result(struct pg *p, PGresult *r)
{
	const char *state = r != NULL ?
	    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	char buf[400];

	snprintf(p->sqlstate, sizeof(p->sqlstate), "%s",
	    state != NULL ? state : "");
	pg_msg_line(r != NULL && *PQresultErrorMessage(r) ?
	    PQresultErrorMessage(r) : PQerrorMessage(p->conn), buf,
	    sizeof(buf));
	if (lost(p->conn, state))
		return bl_errf_unavailable(p->err, "cannot %s: database "
		    "'%s' unavailable: %s", p->op, p->name, buf);
	return bl_errf(p->err, "cannot %s: %s", p->op, buf);
}

/* ----------------------------------------------------------- connection */

/*
 * Makes sure the connection is up before a statement. A broken one is
 * reset (that blocks at most connect_timeout); the new session has no
 * prepared statements and no LISTEN, so both are redone. Inside a batch
 * or copy the transaction died with the connection: that fails until
 * the caller ends it.
 */
static int
conn_up(struct pg *p)
{
	struct timespec ts;
	char buf[400];

	if (PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	if (p->intx || p->batch || p->copying) {
		p->intx = 0;
		return bl_errf_unavailable(p->err, "cannot %s: the connection "
		    "to '%s' was lost in a transaction", p->op, p->name);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (p->reset_failed_at != 0 &&
	    (int64_t)ts.tv_sec - p->reset_failed_at < RECONNECT_GAP)
		return bl_errf_unavailable(p->err, "cannot %s: cannot reach "
		    "'%s' (retrying)", p->op, p->name);
	PQreset(p->conn);
	memset(p->prepared, 0, sizeof(p->prepared));
	memset(p->copy_prepared, 0, sizeof(p->copy_prepared));
	p->listening = 0;
	if (PQstatus(p->conn) != CONNECTION_OK) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		p->reset_failed_at = (int64_t)ts.tv_sec > 0 ?
		    (int64_t)ts.tv_sec : 1;
		return bl_errf_unavailable(p->err, "cannot %s: cannot reach "
		    "'%s': %s", p->op, p->name, pg_msg_line(PQerrorMessage(p->conn),
		    buf, sizeof(buf)));
	}
	p->reset_failed_at = 0;
	return 0;
}

/* Parameters bound as text, from a bind format (see run()). */
struct params {
	int n;
	const char *v[MAX_PARAMS];
	char num[MAX_PARAMS][32];
};

static void
params_fill(struct params *pp, const char *fmt, va_list ap)
{
	const char *t;
	int64_t v;

	for (pp->n = 0; *fmt; fmt++, pp->n++) {
		if (pp->n == MAX_PARAMS)
			bl_fatal("store: too many parameters");
		switch (*fmt) {
		case 't':
			t = va_arg(ap, const char *);
			pp->v[pp->n] = t != NULL ? t : "";
			break;
		case 'i':
		case 'n':
		case 'l':
			v = va_arg(ap, int64_t);
			if ((*fmt == 'n' && v == 0) || (*fmt == 'l' && v < 0)) {
				pp->v[pp->n] = NULL;
				break;
			}
			snprintf(pp->num[pp->n], sizeof(pp->num[0]), "%lld",
			    (long long)v);
			pp->v[pp->n] = pp->num[pp->n];
			break;
		case 'f':
			snprintf(pp->num[pp->n], sizeof(pp->num[0]), "%.17g",
			    va_arg(ap, double));
			pp->v[pp->n] = pp->num[pp->n];
			break;
		default:
			bl_fatal("store: bad bind format '%c'", *fmt);
		}
	}
}

static int
result_ok(PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);

	return s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK;
}

/*
 * Runs catalog statement `id` with parameters from `fmt`, one letter
 * each: 't' text (const char *, NULL binds ''), 'i' integer (int64_t),
 * 'n' integer or NULL when 0, 'l' integer or NULL when negative (a
 * LIMIT: NULL is none), 'f' real (double). Returns the result (the
 * caller PQclears it) or NULL with the error reported. A statement
 * outside any transaction that fails because the connection broke is
 * tried once more on a new connection: it changed nothing.
 */
static PGresult *
runv(struct pg *p, enum pstmt id, const char *fmt, va_list ap)
{
	struct params pp;
	PGresult *r;
	char name[16];
	int attempt;

	params_fill(&pp, fmt, ap);
	snprintf(name, sizeof(name), "b%d", (int)id);
	for (attempt = 0;; attempt++) {
		if (conn_up(p) < 0)
			return NULL;
		r = NULL;
		if (!p->prepared[id]) {
			r = PQprepare(p->conn, name, stmt_sql[id], 0, NULL);
			if (result_ok(r)) {
				p->prepared[id] = 1;
				PQclear(r);
				r = NULL;
			}
		}
		if (r == NULL) {
			r = PQexecPrepared(p->conn, name, pp.n, pp.v, NULL,
			    NULL, 0);
			if (result_ok(r))
				return r;
		}
		if (attempt == 0 && !p->intx && !p->batch && !p->copying &&
		    lost(p->conn, r != NULL ?
		    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL) &&
		    PQstatus(p->conn) != CONNECTION_OK) {
			PQclear(r);
			continue;
		}
		fail_result(p, r);
		PQclear(r);
		return NULL;
	}
}

static PGresult *
run(struct pg *p, enum pstmt id, const char *fmt, ...)
{
	PGresult *r;
	va_list ap;

	va_start(ap, fmt);
	r = runv(p, id, fmt, ap);
	va_end(ap);
	return r;
}

/* Runs a statement whose rows, if any, are not needed. */
static int
exec(struct pg *p, enum pstmt id, const char *fmt, ...)
{
	PGresult *r;
	va_list ap;

	va_start(ap, fmt);
	r = runv(p, id, fmt, ap);
	va_end(ap);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* An integer column; 0 for NULL or text that is not a number. */
static int64_t
col_i64(const PGresult *r, int row, int col)
{
	const char *s;
	char *end;
	long long v;

	if (PQgetisnull(r, row, col))
		return 0;
	s = PQgetvalue(r, row, col);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0)
		return 0;
	return (int64_t)v;
}

static double
col_real(const PGresult *r, int row, int col)
{
	const char *s;
	char *end;
	double v;

	if (PQgetisnull(r, row, col))
		return 0;
	s = PQgetvalue(r, row, col);
	v = strtod(s, &end);
	return end == s ? 0 : v;
}

/* A text column copied into the arena; "" for NULL. */
static char *
col_str(struct bl_arena *a, const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return bl_arena_strndup(a, "", 0);
	return bl_arena_strndup(a, PQgetvalue(r, row, col),
	    (size_t)PQgetlength(r, row, col));
}

/* Runs a one-value query: 0 with *out set, 1 when no row, -1 on error. */
static int
query_int(struct pg *p, int64_t *out, enum pstmt id, const char *fmt, ...)
{
	PGresult *r;
	va_list ap;
	int rc = 1;

	va_start(ap, fmt);
	r = runv(p, id, fmt, ap);
	va_end(ap);
	if (r == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		*out = col_i64(r, 0, 0);
		rc = 0;
	}
	PQclear(r);
	return rc;
}

/* Grows an arena array of `size`-byte items to hold `n` of them. */
static void *
alloc_items(struct bl_arena *a, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	if (n > (size_t)-1 / size)
		bl_fatal("store: result too large");
	return bl_arena_alloc(a, n * size);
}

/* ------------------------------------------------------- transactions */

static void
tx_control(struct pg *p, enum pstmt id)
{
	struct bl_err *keep = p->err;

	/* The error already reported stays. */
	p->err = NULL;
	if (PQstatus(p->conn) == CONNECTION_OK)
		exec(p, id, "");
	p->err = keep;
}

/* Rolls back after a failure, keeping the error already reported. In a
 * batch only the failed write's savepoint is undone. */
static int
tx_abort(struct pg *p)
{
	p->logged = 0;
	if (PQstatus(p->conn) != CONNECTION_OK) {
		p->intx = 0;
		return -1;
	}
	if (p->batch) {
		tx_control(p, P_ROLLBACK_TO);
		tx_control(p, P_RELEASE);
	} else if (p->intx) {
		tx_control(p, P_ROLLBACK);
		p->intx = 0;
	}
	return -1;
}

/*
 * Starts a write: a transaction, or a savepoint inside a batch. A write
 * that logs changes (`lock`) first takes the writers' advisory lock, so
 * writes from every node follow one another as SQLite's do and change ids
 * are given out in commit order. A batch took the lock when it began.
 */
static int
tx_begin(struct pg *p, int lock)
{
	p->sqlstate[0] = '\0';
	p->logged = 0;
	if (p->batch)
		return exec(p, P_SAVEPOINT, "");
	if (exec(p, P_BEGIN, "") < 0)
		return -1;
	p->intx = 1;
	if (lock && exec(p, P_LOCK, "i", (int64_t)PG_LOCK_WRITE) < 0)
		return tx_abort(p);
	return 0;
}

/* Ends a write. Other nodes hear of its changes by NOTIFY, which the
 * server delivers when the transaction commits. */
static int
tx_commit(struct pg *p)
{
	if (p->logged && exec(p, P_NOTIFY, "") < 0)
		return -1;
	p->logged = 0;
	if (p->batch)
		return exec(p, P_RELEASE, "");
	if (exec(p, P_COMMIT, "") < 0)
		return -1;
	p->intx = 0;
	p->commits++;
	return 0;
}

/* Whether a failed write lost a race with another connection and is
 * worth running again: unique_violation, serialization_failure,
 * deadlock_detected. */
static int
retryable(const struct pg *p)
{
	return strcmp(p->sqlstate, "23505") == 0 ||
	    strcmp(p->sqlstate, "40001") == 0 ||
	    strcmp(p->sqlstate, "40P01") == 0;
}

/* --------------------------------------------------------- open, close */

/* Server notices ("relation already exists, skipping") are not errors
 * and must not reach a terminal or a log line by line. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static const struct store_ops pg_ops;
static int pg_related_rebuild_op(struct store *, struct bl_err *);

static void
pq_close(struct store *st)
{
	struct pg *p = to_pg(st);

	if (p->conn != NULL)
		PQfinish(p->conn);
	free(p->name);
	free(p);
}

static int
pq_schema_version(struct store *st)
{
	return to_pg(st)->version;
}

/* Appends `s` up to `end` (exclusive), with the value of every
 * "password=" hidden up to the next `stop` character. */
static void
hide_password_kv(struct bl_buf *b, const char *s, const char *end,
    const char *stop)
{
	const char *k;

	while (s < end && (k = strstr(s, "password=")) != NULL && k < end) {
		k += strlen("password=");
		bl_buf_add(b, s, (size_t)(k - s));
		bl_buf_puts(b, "***");
		s = k;
		while (s < end && strchr(stop, *s) == NULL)
			s++;
	}
	if (s < end)
		bl_buf_add(b, s, (size_t)(end - s));
}

/*
 * The URL for messages: "postgresql://user:secret@host/db" becomes
 * "postgresql://user:***@host/db", and "password=..." in a query string
 * or key=value string is hidden too. Caller frees.
 */
static char *
url_for_messages(const char *url)
{
	struct bl_buf b = BL_BUF_INIT;
	const char *auth, *aend, *at = NULL, *colon = NULL, *q;
	char *out;

	auth = strstr(url, "://");
	if (auth == NULL) {
		hide_password_kv(&b, url, url + strlen(url), " ");
		goto done;
	}
	auth += 3;
	aend = auth + strcspn(auth, "/?#");
	for (q = auth; q < aend; q++)
		if (*q == '@')
			at = q;
	if (at != NULL)
		for (q = auth; q < at && colon == NULL; q++)
			if (*q == ':')
				colon = q;
	if (colon != NULL) {
		bl_buf_add(&b, url, (size_t)(colon + 1 - url));
		bl_buf_puts(&b, "***");
		bl_buf_add(&b, at, (size_t)(aend - at));
	} else
		bl_buf_add(&b, url, (size_t)(aend - url));
	hide_password_kv(&b, aend, aend + strlen(aend), "&#");
done:
	if (bl_buf_err(&b)) {
		bl_buf_release(&b);
		return bl_xstrdup("(database)");
	}
	out = bl_buf_detach(&b, NULL);
	return out;
}

int
store_pg_open(const char *url, struct store **out, struct bl_err *err)
{
	/* Defaults first: the URL's own settings override them (libpq
	 * reads the arrays in order, expanding dbname where it stands). */
	static const char *const keys[] = {
		"connect_timeout", "application_name", "client_encoding",
		"keepalives", "keepalives_idle", "keepalives_interval",
		"keepalives_count", "tcp_user_timeout", "dbname", NULL,
	};
	const char *values[] = {
		"5", "byline", "UTF8", "1", "30", "10", "3", "15000", url, NULL,
	};
	PQconninfoOption *opts;
	struct pg *p;
	char *perr = NULL, buf[400];
	int64_t missing = 0;

	*out = NULL;
	p = bl_xcalloc(1, sizeof(*p));
	p->base.ops = &pg_ops;
	p->name = url_for_messages(url);
	begin_call(p, "open database", err);
	/* A malformed URL is a mistake to fix, not an outage. */
	if ((opts = PQconninfoParse(url, &perr)) == NULL) {
		bl_errf(err, "cannot open database '%s': %s", p->name,
		    pg_msg_line(perr != NULL ? perr : "bad connection URL", buf,
		    sizeof(buf)));
		PQfreemem(perr);
		goto fail;
	}
	PQconninfoFree(opts);
	p->conn = PQconnectdbParams(keys, values, 1);
	if (p->conn == NULL) {
		bl_errf(err, "cannot open database '%s': out of memory",
		    p->name);
		goto fail;
	}
	PQsetNoticeProcessor(p->conn, quiet, NULL);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		bl_errf_unavailable(err, "cannot connect to '%s': %s", p->name,
		    pg_msg_line(PQerrorMessage(p->conn), buf, sizeof(buf)));
		goto fail;
	}
	if (pg_migrate(p->conn, p->name, &p->version, err) < 0)
		goto fail;
	/* Articles written before related lists existed get theirs now. */
	if (query_int(p, &missing, P_REL_MISSING, "") < 0 ||
	    (missing && pg_related_rebuild_op(&p->base, err) < 0)) {
		struct bl_err e = *err;

		(e.unavailable ? bl_errf_unavailable : bl_errf)(err,
		    "cannot open database '%s': %s", p->name, e.msg);
		goto fail;
	}
	*out = &p->base;
	return 0;
fail:
	pq_close(&p->base);
	return -1;
}

/* ------------------------------------------------------- article reads */

void
pg_read_article(struct bl_arena *a, const PGresult *res, int i,
    struct st_article *r)
{
	memset(r, 0, sizeof(*r));
	r->id = col_i64(res, i, AC_ID);
	r->slug = col_str(a, res, i, AC_SLUG);
	r->path = col_str(a, res, i, AC_PATH);
	r->title = col_str(a, res, i, AC_TITLE);
	r->standfirst = col_str(a, res, i, AC_STANDFIRST);
	r->dateline = col_str(a, res, i, AC_DATELINE);
	r->excerpt = col_str(a, res, i, AC_EXCERPT);
	r->body_format = col_str(a, res, i, AC_BODY_FORMAT);
	r->body_source = col_str(a, res, i, AC_BODY_SOURCE);
	r->body_html = col_str(a, res, i, AC_BODY_HTML);
	r->status = col_i64(res, i, AC_STATUS) == ST_PUBLISHED ?
	    ST_PUBLISHED : ST_DRAFT;
	r->published_at = col_i64(res, i, AC_PUBLISHED);
	r->updated_at = col_i64(res, i, AC_UPDATED);
	r->created_at = col_i64(res, i, AC_CREATED);
	r->comment_count = col_i64(res, i, AC_COMMENTS);
	r->section.id = col_i64(res, i, AC_SEC_ID);
	r->section.slug = col_str(a, res, i, AC_SEC_SLUG);
	r->section.name = col_str(a, res, i, AC_SEC_NAME);
	r->author.id = col_i64(res, i, AC_AU_ID);
	r->author.slug = col_str(a, res, i, AC_AU_SLUG);
	r->author.name = col_str(a, res, i, AC_AU_NAME);
	r->author.bio = col_str(a, res, i, AC_AU_BIO);
}

void
pg_read_tag(struct bl_arena *a, const PGresult *res, int i, int col,
    struct st_tag *t)
{
	t->id = col_i64(res, i, col);
	t->slug = col_str(a, res, i, col + 1);
	t->name = col_str(a, res, i, col + 2);
	t->article_count = 0;
}

void
pg_read_photo(struct bl_arena *a, const PGresult *res, int i, int col,
    struct st_photo *ph)
{
	ph->id = col_i64(res, i, col);
	ph->pos = (int)col_i64(res, i, col + 1);
	ph->file = col_str(a, res, i, col + 2);
	ph->caption = col_str(a, res, i, col + 3);
	ph->credit = col_str(a, res, i, col + 4);
	ph->alt = col_str(a, res, i, col + 5);
	ph->width = (int)col_i64(res, i, col + 6);
	ph->height = (int)col_i64(res, i, col + 7);
}

static int
read_tags(struct pg *p, struct bl_arena *a, struct st_article *r)
{
	PGresult *res;
	int i, n;

	if ((res = run(p, P_ARTICLE_TAGS, "i", r->id)) == NULL)
		return -1;
	n = PQntuples(res);
	r->tags = alloc_items(a, (size_t)n, sizeof(*r->tags));
	for (i = 0; i < n; i++)
		pg_read_tag(a, res, i, 0, &r->tags[i]);
	r->ntags = (size_t)n;
	PQclear(res);
	return 0;
}

static int
read_photos(struct pg *p, struct bl_arena *a, struct st_article *r,
    int first_only)
{
	PGresult *res;
	int i, n;

	res = run(p, first_only ? P_ARTICLE_PHOTO_FIRST : P_ARTICLE_PHOTOS,
	    "i", r->id);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	r->photos = alloc_items(a, (size_t)n, sizeof(*r->photos));
	for (i = 0; i < n; i++)
		pg_read_photo(a, res, i, 0, &r->photos[i]);
	r->nphotos = (size_t)n;
	PQclear(res);
	return 0;
}

/*
 * Reads the article rows of `res` (summaries or full articles) with
 * their tags and photos (the first only for summaries) into *items
 * (arena). Clears `res`.
 */
static int
read_articles(struct pg *p, struct bl_arena *a, PGresult *res,
    int summaries, struct st_article **items, size_t *n)
{
	struct st_article *r;
	int i, rows;

	if (res == NULL)
		return -1;
	rows = PQntuples(res);
	*items = alloc_items(a, (size_t)rows, sizeof(**items));
	for (i = 0; i < rows; i++) {
		r = &(*items)[i];
		pg_read_article(a, res, i, r);
		if (read_tags(p, a, r) < 0 ||
		    read_photos(p, a, r, summaries) < 0) {
			PQclear(res);
			return -1;
		}
	}
	*n = (size_t)rows;
	PQclear(res);
	return 0;
}

/* Runs a bound single-article query: 0 and *out, 1 when none. */
static int
fetch_article(struct pg *p, struct bl_arena *a, PGresult *res,
    struct st_article **out)
{
	struct st_article *items;
	size_t n = 0;

	if (read_articles(p, a, res, 0, &items, &n) < 0)
		return -1;
	if (n == 0)
		return 1;
	*out = &items[0];
	return 0;
}

static int
pq_article_get(struct store *st, struct bl_arena *a, int64_t id,
    int include_drafts, struct st_article **out, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "read article", err);
	return fetch_article(p, a, run(p, P_ARTICLE_GET, "ii", id,
	    (int64_t)(include_drafts != 0)), out);
}

static int
pq_article_by_path(struct store *st, struct bl_arena *a, const char *path,
    struct st_article **out, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "read article", err);
	return fetch_article(p, a, run(p, P_ARTICLE_BY_PATH, "t", path), out);
}

static int
pq_article_by_slug(struct store *st, struct bl_arena *a, const char *slug,
    struct st_article **out, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "read article", err);
	return fetch_article(p, a, run(p, P_ARTICLE_BY_SLUG, "t", slug), out);
}

static int
pq_article_list(struct store *st, struct bl_arena *a,
    const struct st_query *qr, struct st_list *out, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	enum pstmt list = P_LIST_ALL, count = P_COUNT_ALL;
	const char *filter = NULL;
	int64_t limit, offset;
	PGresult *res;
	int rc;

	begin_call(p, "list articles", err);
	if (qr->section != NULL) {
		list = P_LIST_SECTION, count = P_COUNT_SECTION;
		filter = qr->section;
	} else if (qr->tag != NULL) {
		list = P_LIST_TAG, count = P_COUNT_TAG;
		filter = qr->tag;
	} else if (qr->author != NULL) {
		list = P_LIST_AUTHOR, count = P_COUNT_AUTHOR;
		filter = qr->author;
	} else if (qr->date != NULL) {
		list = P_LIST_DATE, count = P_COUNT_DATE;
		if (!store_archive_date_valid(qr->date))
			return 0;	/* no such period: nothing in it */
		filter = bl_arena_printf(a, "/%s/", qr->date);
	}
	limit = qr->limit > 0 ? qr->limit : -1;
	offset = qr->offset > 0 ? qr->offset : 0;

	res = filter != NULL ?
	    run(p, list, "ilit", qr->exclude_id, limit, offset, filter) :
	    run(p, list, "ili", qr->exclude_id, limit, offset);
	if (read_articles(p, a, res, 1, &out->items, &out->n) < 0)
		return -1;
	if (offset == 0 && (limit < 0 || (int64_t)out->n < limit)) {
		out->total = (int64_t)out->n;	/* the page holds them all */
		return 0;
	}
	if (qr->no_total) {
		out->total = -1;
		return 0;
	}
	rc = filter != NULL ?
	    query_int(p, &out->total, count, "it", qr->exclude_id, filter) :
	    query_int(p, &out->total, count, "i", qr->exclude_id);
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------- sections, authors, tags, comments */

/* Reads one section, author or tag row by slug: id, slug, name, count and,
 * when `bio` is not NULL, a fifth column. 1 when there is none. */
static int
named_get(struct pg *p, struct bl_arena *a, enum pstmt id, const char *slug,
    int64_t *oid, char **oslug, char **oname, int64_t *count, char **bio)
{
	PGresult *r;
	int found;

	if ((r = run(p, id, "t", slug)) == NULL)
		return -1;
	found = PQntuples(r) > 0;
	if (found) {
		*oid = col_i64(r, 0, 0);
		*oslug = col_str(a, r, 0, 1);
		*oname = col_str(a, r, 0, 2);
		*count = col_i64(r, 0, 3);
		if (bio != NULL)
			*bio = col_str(a, r, 0, 4);
	}
	PQclear(r);
	return found ? 0 : 1;
}

static int
pq_section_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_section *out, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "read section", err);
	return named_get(p, a, P_SECTION_GET, slug, &out->id, &out->slug,
	    &out->name, &out->article_count, NULL);
}

static int
pq_author_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_author *out, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "read author", err);
	return named_get(p, a, P_AUTHOR_GET, slug, &out->id, &out->slug,
	    &out->name, &out->article_count, &out->bio);
}

static int
pq_tag_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_tag *out, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "read tag", err);
	return named_get(p, a, P_TAG_GET, slug, &out->id, &out->slug,
	    &out->name, &out->article_count, NULL);
}

static int
pq_section_list(struct store *st, struct bl_arena *a, int counts,
    struct st_section **out, size_t *n, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	struct st_section *s;
	PGresult *r;
	int i, rows;

	begin_call(p, "list sections", err);
	if ((r = run(p, counts ? P_SECTION_LIST : P_SECTION_NAMES, "")) == NULL)
		return -1;
	rows = PQntuples(r);
	*out = alloc_items(a, (size_t)rows, sizeof(**out));
	for (i = 0; i < rows; i++) {
		s = &(*out)[i];
		s->id = col_i64(r, i, 0);
		s->slug = col_str(a, r, i, 1);
		s->name = col_str(a, r, i, 2);
		s->article_count = counts ? col_i64(r, i, 3) : -1;
	}
	*n = (size_t)rows;
	PQclear(r);
	return 0;
}

/* Fills a comment from columns 0..9, and 10..11 when `with_article`. */
static void
comment_row(struct bl_arena *a, const PGresult *r, int i,
    struct st_comment *c, int with_article)
{
	c->id = col_i64(r, i, 0);
	c->article_id = col_i64(r, i, 1);
	c->parent_id = col_i64(r, i, 2);
	c->author = col_str(a, r, i, 3);
	c->email = col_str(a, r, i, 4);
	c->url = col_str(a, r, i, 5);
	c->body = col_str(a, r, i, 6);
	c->ip = col_str(a, r, i, 7);
	c->status = store_comment_status(col_i64(r, i, 8));
	c->created_at = col_i64(r, i, 9);
	c->article_title = with_article ? col_str(a, r, i, 10) :
	    bl_arena_strdup(a, "");
	c->article_path = with_article ? col_str(a, r, i, 11) :
	    bl_arena_strdup(a, "");
}

/* Reads every comment row of `res` into *out (arena); clears `res`. */
static int
read_comments(struct bl_arena *a, PGresult *res, int with_article,
    struct st_comment **out, size_t *n)
{
	int i, rows;

	if (res == NULL)
		return -1;
	rows = PQntuples(res);
	*out = alloc_items(a, (size_t)rows, sizeof(**out));
	for (i = 0; i < rows; i++)
		comment_row(a, res, i, &(*out)[i], with_article);
	*n = (size_t)rows;
	PQclear(res);
	return 0;
}

static int
pq_comment_list(struct store *st, struct bl_arena *a, int64_t article_id,
    struct st_comment **out, size_t *n, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "list comments", err);
	return read_comments(a, run(p, P_COMMENT_LIST, "i", article_id), 0,
	    out, n);
}

static int
pq_related_list(struct store *st, struct bl_arena *a, int64_t article_id,
    int limit, struct st_article **out, size_t *n, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "read related articles", err);
	return read_articles(p, a, run(p, P_REL_LIST, "ii", article_id,
	    (int64_t)limit), 1, out, n);
}

/* ------------------------------------------------------ search, archive */

static int
pq_search(struct store *st, struct bl_arena *a, const struct st_search *q,
    struct st_search_result *out, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "search", err);
	if (conn_up(p) < 0)
		return -1;
	return pg_search(p->conn, a, q, out, err);
}

static int
pq_archive_months(struct store *st, struct bl_arena *a, struct st_month **out,
    size_t *n, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	struct st_month *m;
	PGresult *r;
	int i, rows;

	begin_call(p, "list archive months", err);
	if ((r = run(p, P_ARCHIVE_MONTHS, "")) == NULL)
		return -1;
	rows = PQntuples(r);
	*out = alloc_items(a, (size_t)rows, sizeof(**out));
	*n = 0;
	for (i = 0; i < rows; i++) {
		int64_t y = col_i64(r, i, 0), mo = col_i64(r, i, 1);

		if (y < 1 || y > 9999 || mo < 1 || mo > 12)
			continue;
		m = &(*out)[(*n)++];
		m->year = (int)y;
		m->month = (int)mo;
		m->count = col_i64(r, i, 2);
	}
	PQclear(r);
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
log_change(struct pg *p, const char *key)
{
	if (exec(p, P_CHANGE_INSERT, "ti", key, now()) < 0)
		return -1;
	p->logged = 1;
	return 0;
}

static int
log_changef(struct pg *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
log_changef(struct pg *p, const char *fmt, ...)
{
	char key[STORE_SLUG_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	return log_change(p, key);
}

static int
prune_changes(struct pg *p)
{
	return exec(p, P_CHANGE_PRUNE, "i", now() - STORE_CHANGE_KEEP);
}

/* Gets or creates the row `name` names in a sections/authors/tags table;
 * an existing row keeps the name it was first written with. */
static int
ensure(struct pg *p, enum pstmt ins, enum pstmt sel, const char *what,
    const char *name, char *slug, int64_t *id)
{
	int rc;

	if (store_slugify(name, slug, STORE_SLUG_MAX + 1) == 0)
		return failf(p, "%s name '%s' has no letters or digits", what,
		    name);
	if (exec(p, ins, "tt", slug, name) < 0)
		return -1;
	rc = query_int(p, id, sel, "t", slug);
	if (rc > 0)
		return failf(p, "%s '%s' vanished", what, slug);
	return rc;
}

/* Picks a free slug: `base`, else the first free of base-2, base-3... */
static int
unique_slug(struct pg *p, struct bl_arena *a, const char *base,
    const char *date, char **out)
{
	PGresult *r;
	char *path;
	size_t n = 0;
	int64_t one, v, *taken;
	int rc, rows, k;

	path = bl_arena_printf(a, "/%s/%s/", date, base);
	rc = query_int(p, &one, P_SLUG_TAKEN, "tt", base, path);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		*out = bl_arena_strdup(a, base);
		return 0;
	}
	if ((r = run(p, P_SLUG_FAMILY, "t", base)) == NULL)
		return -1;
	rows = PQntuples(r);
	taken = alloc_items(a, (size_t)rows + 1, sizeof(*taken));
	for (k = 0; k < rows; k++)
		if ((v = store_slug_suffix(base, PQgetvalue(r, k, 0))) > 0)
			taken[n++] = v;
	PQclear(r);
	*out = bl_arena_printf(a, "%s-%lld", base,
	    (long long)store_slug_next(taken, n));
	return 0;
}

/* One try of store_article_add's transaction. */
static int
add_once(struct pg *p, struct bl_arena *a, const struct st_article_new *in,
    const struct store_article_plan *pl, int64_t t, int64_t *id, char **pathp)
{
	char secslug[STORE_SLUG_MAX + 1], auslug[STORE_SLUG_MAX + 1];
	char tagslug[STORE_SLUG_MAX + 1], *slug, *path, **tagslugs;
	const struct st_photo *ph;
	int64_t section = 0, author = 0, tag, aid, others;
	size_t i, j, ntagslugs = 0;

	if (tx_begin(p, 1) < 0)
		return -1;
	if (prune_changes(p) < 0)
		return tx_abort(p);
	if (!store_blank(in->section_name) && ensure(p, P_SECTION_ENSURE,
	    P_SECTION_ID, "section", in->section_name, secslug, &section) < 0)
		return tx_abort(p);
	if (!store_blank(in->author_name) && ensure(p, P_AUTHOR_ENSURE, P_AUTHOR_ID,
	    "author", in->author_name, auslug, &author) < 0)
		return tx_abort(p);
	if (unique_slug(p, a, pl->base, pl->date, &slug) < 0)
		return tx_abort(p);
	path = bl_arena_printf(a, "/%s/%s/", pl->date, slug);
	if (query_int(p, &aid, P_ARTICLE_INSERT, "tttttttttiiiinn", slug,
	    path, in->title, in->standfirst, in->dateline, in->excerpt,
	    pl->format, in->body_source, in->body_html, (int64_t)in->status,
	    pl->published, pl->updated, t, section, author) != 0)
		return tx_abort(p);

	tagslugs = bl_arena_alloc(a, (in->ntags + 1) * sizeof(*tagslugs));
	for (i = 0; i < in->ntags; i++) {
		/* A tag of punctuation only ("???") has no page: dropped. */
		if (store_slugify(in->tags[i], tagslug, sizeof(tagslug)) == 0)
			continue;
		if (ensure(p, P_TAG_ENSURE, P_TAG_ID, "tag", in->tags[i],
		    tagslug, &tag) < 0)
			return tx_abort(p);
		if (exec(p, P_ARTICLE_TAG_INSERT, "iiiii", aid, tag,
		    (int64_t)i, (int64_t)in->status, pl->published) < 0)
			return tx_abort(p);
		for (j = 0; j < ntagslugs; j++)
			if (strcmp(tagslugs[j], tagslug) == 0)
				break;
		if (j == ntagslugs)
			tagslugs[ntagslugs++] = bl_arena_strdup(a, tagslug);
	}
	for (i = 0; i < in->nphotos; i++) {
		ph = &in->photos[i];
		if (exec(p, P_PHOTO_INSERT, "iittttii", aid, (int64_t)i,
		    ph->file, ph->caption, ph->credit, ph->alt,
		    (int64_t)(ph->width > 0 ? ph->width : 0),
		    (int64_t)(ph->height > 0 ? ph->height : 0)) < 0)
			return tx_abort(p);
	}
	if (pg_search_index(p->conn, a, aid, in->title, in->standfirst,
	    store_index_text(a, in->body_html, in->body_source), p->err) < 0)
		return tx_abort(p);
	if (in->status == ST_PUBLISHED &&
	    pg_related_after_add(p->conn, a, aid, p->err) < 0)
		return tx_abort(p);
	if (log_changef(p, "article:%lld", (long long)aid) < 0 ||
	    log_change(p, "front") < 0)
		return tx_abort(p);
	/* Date archive pages: "archive:2026-11". */
	if (in->status == ST_PUBLISHED && log_changef(p, "archive:%.4s-%.2s",
	    pl->date, pl->date + 5) < 0)
		return tx_abort(p);
	if (section && log_changef(p, "section:%s", secslug) < 0)
		return tx_abort(p);
	/* The first published story of a section adds it to every page's
	 * navigation. */
	if (section && in->status == ST_PUBLISHED) {
		if (query_int(p, &others, P_SECTION_OTHERS, "ii", section,
		    aid) < 0)
			return tx_abort(p);
		if (others == 0 && log_change(p, "sections") < 0)
			return tx_abort(p);
	}
	if (author && log_changef(p, "author:%s", auslug) < 0)
		return tx_abort(p);
	for (j = 0; j < ntagslugs; j++)
		if (log_changef(p, "tag:%s", tagslugs[j]) < 0)
			return tx_abort(p);
	if (tx_commit(p) < 0)
		return tx_abort(p);
	*id = aid;
	if (pathp != NULL)
		*pathp = path;
	return 0;
}

static int
pq_article_add(struct store *st, struct bl_arena *a,
    const struct st_article_new *in, int64_t *id, char **pathp,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);
	struct store_article_plan pl;
	char why[300];
	int64_t t = now();
	int tries;

	begin_call(p, "add article", err);
	if (store_article_plan(in, t, &pl, why, sizeof(why)) < 0)
		return failf(p, "%s", why);
	/* Writers take a lock, so a slug race needs an odd client; should
	 * one happen anyway, the whole write runs again. */
	for (tries = 1;; tries++) {
		if (add_once(p, a, in, &pl, t, id, pathp) == 0)
			return 0;
		if (tries == WRITE_TRIES || !retryable(p))
			return -1;
	}
}

static int
pq_related_rebuild_in_tx(struct pg *p)
{
	if (prune_changes(p) < 0 || pg_related_rebuild(p->conn, p->err) < 0)
		return -1;
	/* fts_pg.c logs each changed list. */
	p->logged = 1;
	return 0;
}

static int
pg_related_rebuild_op(struct store *st, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "rebuild related articles", err);
	if (tx_begin(p, 1) < 0)
		return -1;
	if (pq_related_rebuild_in_tx(p) < 0 || tx_commit(p) < 0)
		return tx_abort(p);
	return 0;
}

static int
pq_author_set_bio(struct store *st, const char *name, const char *bio,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);
	char slug[STORE_SLUG_MAX + 1];
	int64_t id;

	begin_call(p, "set author bio", err);
	if (store_blank(name))
		return failf(p, "the author name is empty");
	if (tx_begin(p, 1) < 0)
		return -1;
	if (prune_changes(p) < 0 ||
	    ensure(p, P_AUTHOR_ENSURE, P_AUTHOR_ID, "author", name, slug,
	    &id) < 0 ||
	    exec(p, P_AUTHOR_SET_BIO, "it", id, bio) < 0 ||
	    log_changef(p, "author:%s", slug) < 0 ||
	    tx_commit(p) < 0)
		return tx_abort(p);
	return 0;
}

static int
pq_comment_add(struct store *st, const struct st_comment *c, int64_t *id,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);
	int64_t one, parent_article, cid;
	int rc;

	begin_call(p, "add comment", err);
	if (c->status != STC_PENDING && c->status != STC_APPROVED &&
	    c->status != STC_SPAM)
		return failf(p, "unknown status %d", (int)c->status);
	if (c->parent_id < 0)
		return failf(p, "bad parent %lld", (long long)c->parent_id);

	if (tx_begin(p, 1) < 0)
		return -1;
	rc = query_int(p, &one, P_ARTICLE_EXISTS, "i", c->article_id);
	if (rc != 0) {
		if (rc > 0)
			failf(p, "no article %lld", (long long)c->article_id);
		return tx_abort(p);
	}
	if (c->parent_id != 0) {
		rc = query_int(p, &parent_article, P_COMMENT_ARTICLE, "i",
		    c->parent_id);
		if (rc < 0)
			return tx_abort(p);
		if (rc > 0 || parent_article != c->article_id) {
			failf(p, "no comment %lld on article %lld",
			    (long long)c->parent_id, (long long)c->article_id);
			return tx_abort(p);
		}
	}
	if (prune_changes(p) < 0)
		return tx_abort(p);
	if (query_int(p, &cid, P_COMMENT_INSERT, "intttttii", c->article_id,
	    c->parent_id, c->author, c->email, c->url, c->body, c->ip,
	    (int64_t)c->status, c->created_at > 0 ? c->created_at : now()) != 0)
		return tx_abort(p);
	/* Only an approved comment changes what readers see; a new one
	 * is a soft change (store.h). */
	if (c->status == STC_APPROVED &&
	    (log_changef(p, "~article:%lld", (long long)c->article_id) < 0 ||
	    log_change(p, "~comments") < 0))
		return tx_abort(p);
	if (tx_commit(p) < 0)
		return tx_abort(p);
	*id = cid;
	return 0;
}

/* ------------------------------------------------------ comment admin */

static int
pq_comment_get(struct store *st, struct bl_arena *a, int64_t id,
    struct st_comment **out, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	struct st_comment *items;
	size_t n = 0;

	begin_call(p, "get comment", err);
	if (read_comments(a, run(p, P_COMMENT_GET, "i", id), 1, &items,
	    &n) < 0)
		return -1;
	if (n == 0)
		return 1;
	*out = &items[0];
	return 0;
}

static int
pq_comment_admin_list(struct store *st, struct bl_arena *a, int status,
    const char *article, int limit, struct st_comment **out, size_t *n,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "list comments", err);
	return read_comments(a, run(p, P_COMMENT_ADMIN, "itl",
	    (int64_t)status, article ? article : "",
	    (int64_t)(limit > 0 ? limit : -1)), 1, out, n);
}

enum comment_op { C_STATUS, C_DELETE, C_UPDATE };

/* Changes comment `id` (a delete first moves its replies up) in a
 * transaction that logs the article's key. Returns 1 when there is no
 * such comment. */
static int
comment_change(struct pg *p, int64_t id, enum comment_op op, int64_t status,
    const char *author, const char *url, const char *body)
{
	int64_t article;
	int rc;

	if (tx_begin(p, 1) < 0)
		return -1;
	rc = query_int(p, &article, P_COMMENT_ARTICLE, "i", id);
	if (rc != 0) {
		tx_abort(p);
		return rc;
	}
	if (prune_changes(p) < 0)
		return tx_abort(p);
	switch (op) {
	case C_STATUS:
		rc = exec(p, P_COMMENT_SET_STATUS, "ii", id, status);
		break;
	case C_DELETE:
		rc = exec(p, P_COMMENT_REPARENT, "i", id);
		if (rc == 0)
			rc = exec(p, P_COMMENT_DELETE, "i", id);
		break;
	default:
		rc = exec(p, P_COMMENT_UPDATE, "ittti", id, author, url, body,
		    status);
		break;
	}
	if (rc < 0)
		return tx_abort(p);
	if (log_changef(p, "article:%lld", (long long)article) < 0 ||
	    log_change(p, "comments") < 0)
		return tx_abort(p);
	if (tx_commit(p) < 0)
		return tx_abort(p);
	return 0;
}

static int
pq_comment_set_status(struct store *st, int64_t id,
    enum st_comment_status status, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "change comment", err);
	return comment_change(p, id, C_STATUS, status, NULL, NULL, NULL);
}

static int
pq_comment_delete(struct store *st, int64_t id, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "delete comment", err);
	return comment_change(p, id, C_DELETE, 0, NULL, NULL, NULL);
}

static int
pq_comment_update(struct store *st, int64_t id, const char *author,
    const char *url, const char *body, enum st_comment_status status,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "edit comment", err);
	return comment_change(p, id, C_UPDATE, status, author, url, body);
}

static int
pq_comment_email_approved(struct store *st, const char *email, int *yes,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);
	int64_t one;
	int rc;

	begin_call(p, "check comment author", err);
	rc = query_int(p, &one, P_COMMENT_EMAIL_APPROVED, "t", email);
	*yes = rc == 0;
	return rc < 0 ? -1 : 0;
}

static int
pq_comment_last_from_ip(struct store *st, const char *ip, int64_t *t,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "check comment flood", err);
	return query_int(p, t, P_COMMENT_LAST_IP, "t", ip) < 0 ? -1 : 0;
}

static int
pq_comment_duplicate(struct store *st, int64_t article_id, const char *author,
    const char *email, const char *body, int *yes, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	int64_t one;
	int rc;

	begin_call(p, "check duplicate comment", err);
	rc = query_int(p, &one, P_COMMENT_DUPLICATE, "ittt", article_id,
	    author, email, body);
	*yes = rc == 0;
	return rc < 0 ? -1 : 0;
}

static int
pq_comment_checks(struct store *st, const struct st_comment *c, int which,
    struct st_comment_checks *out, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	PGresult *r;

	begin_call(p, "check comment", err);
	if ((r = run(p, P_COMMENT_CHECKS, "titttii", c->ip, c->article_id,
	    c->author, c->email, c->body, (int64_t)((which & ST_CHECK_FLOOD) != 0),
	    (int64_t)((which & ST_CHECK_APPROVED) != 0))) == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return failf(p, "no result");
	}
	out->last_from_ip = col_i64(r, 0, 0);
	out->duplicate = col_i64(r, 0, 1) != 0;
	out->email_approved = col_i64(r, 0, 2) != 0;
	PQclear(r);
	return 0;
}

static int
pq_comment_target(struct store *st, struct bl_arena *a, int64_t id,
    char **path, int64_t *published_at, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	PGresult *r;

	begin_call(p, "read article", err);
	if ((r = run(p, P_COMMENT_TARGET, "i", id)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 1;
	}
	*path = col_str(a, r, 0, 0);
	*published_at = col_i64(r, 0, 1);
	PQclear(r);
	return 0;
}

/* The nonce's row is the proof of spending: of two nodes spending one
 * token at once, the unique key lets exactly one insert it. */
static int
pq_captcha_spend(struct store *st, const char *nonce, int64_t expires,
    int *already, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	PGresult *r;

	begin_call(p, "spend challenge", err);
	if (tx_begin(p, 0) < 0)
		return -1;
	if (exec(p, P_CAPTCHA_PRUNE, "i", now()) < 0)
		return tx_abort(p);
	if ((r = run(p, P_CAPTCHA_SPEND, "ti", nonce, expires)) == NULL)
		return tx_abort(p);
	*already = strcmp(PQcmdTuples(r), "0") == 0;
	PQclear(r);
	if (tx_commit(p) < 0)
		return tx_abort(p);
	return 0;
}

/* ---------------------------------------------------- change tracking */

static int listen_once(struct pg *);

static int
pq_change_latest(struct store *st, int64_t *id, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "read change log", err);
	if (conn_up(p) < 0 || (!p->intx && listen_once(p) < 0))
		return -1;
	return query_int(p, id, P_CHANGE_LATEST, "") < 0 ? -1 : 0;
}

static int
pq_changes_since(struct store *st, struct bl_arena *a, int64_t after,
    size_t max, struct st_change **out, size_t *n, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	PGresult *r;
	int i, rows;

	begin_call(p, "read change log", err);
	if ((uint64_t)max > (uint64_t)INT64_MAX)
		max = (size_t)INT64_MAX;
	if ((r = run(p, P_CHANGES_SINCE, "ii", after, (int64_t)max)) == NULL)
		return -1;
	rows = PQntuples(r);
	*out = alloc_items(a, (size_t)rows, sizeof(**out));
	for (i = 0; i < rows; i++) {
		(*out)[i].id = col_i64(r, i, 0);
		(*out)[i].key = col_str(a, r, i, 1);
	}
	*n = (size_t)rows;
	PQclear(r);
	return 0;
}

/* Drops the notifications that arrived; returns how many. */
static int
drain_notifies(struct pg *p)
{
	PGnotify *n;
	int got = 0;

	while ((n = PQnotifies(p->conn)) != NULL) {
		got++;
		PQfreemem(n);
	}
	return got;
}

/*
 * Subscribes this connection to change notifications, once per session.
 * store_change_latest does it too, before it reads the newest id, so a
 * caller that reads the id and then polls misses no write committed in
 * between.
 */
static int
listen_once(struct pg *p)
{
	if (p->listening)
		return 0;
	if (exec(p, P_LISTEN, "") < 0)
		return -1;
	p->listening = 1;
	p->listen_fresh = 1;
	return 0;
}

/*
 * The first poll after LISTEN (on a new connection, or after a
 * reconnect, when notifications may have been missed) reports a change;
 * later ones read what the server sent without running a query.
 */
static int
pq_poll(struct store *st, int *changed, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	char buf[400];
	int got;

	begin_call(p, "poll database", err);
	if (conn_up(p) < 0 || listen_once(p) < 0)
		return -1;
	if (!PQconsumeInput(p->conn))
		return bl_errf_unavailable(err, "cannot poll database '%s': "
		    "%s", p->name, pg_msg_line(PQerrorMessage(p->conn), buf,
		    sizeof(buf)));
	got = drain_notifies(p);
	*changed = got > 0 || p->commits != p->commits_seen ||
	    p->listen_fresh;
	p->listen_fresh = 0;
	p->commits_seen = p->commits;
	return 0;
}

/* -------------------------------------------------------- group commit */

static int
pq_batch_begin(struct store *st, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "begin batch", err);
	if (p->batch || p->copying)
		return failf(p, "a batch is already open");
	if (tx_begin(p, 1) < 0)
		return -1;
	p->batch = 1;
	return 0;
}

static int
pq_batch_commit(struct store *st, struct bl_err *err)
{
	struct pg *p = to_pg(st);

	begin_call(p, "commit batch", err);
	if (!p->batch)
		return failf(p, "no batch is open");
	p->batch = 0;
	if (tx_commit(p) < 0)
		return tx_abort(p);
	return 0;
}

static void
pq_batch_rollback(struct store *st)
{
	struct pg *p = to_pg(st);

	if (!p->batch)
		return;
	p->batch = 0;
	tx_abort(p);
}

/* ----------------------------------------------------- whole-site copy */

/*
 * Runs SQL made from the table catalog (names are constants of the
 * program, never data) with text parameters. Returns the result or NULL
 * with the error reported.
 */
static PGresult *
run_built(struct pg *p, struct bl_buf *b, int n, const char *const *v)
{
	PGresult *r;

	if (bl_buf_err(b)) {
		failf(p, "out of memory");
		return NULL;
	}
	if (conn_up(p) < 0)
		return NULL;
	r = PQexecParams(p->conn, b->s, n, NULL, v, NULL, NULL, 0);
	if (!result_ok(r)) {
		fail_result(p, r);
		PQclear(r);
		return NULL;
	}
	return r;
}

static int
pq_copy_count(struct store *st, const struct st_table *t, int64_t *n,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);
	struct bl_buf b = BL_BUF_INIT;
	PGresult *r;

	begin_call(p, "count rows", err);
	bl_buf_printf(&b, "SELECT count(*) FROM %s", t->name);
	r = run_built(p, &b, 0, NULL);
	bl_buf_release(&b);
	if (r == NULL)
		return -1;
	*n = PQntuples(r) > 0 ? col_i64(r, 0, 0) : 0;
	PQclear(r);
	return 0;
}

/* Opens cursor byline_copy on `sql` built from the catalog. */
static int
cursor_open(struct pg *p, struct bl_buf *b)
{
	struct bl_buf d = BL_BUF_INIT;
	PGresult *r;

	bl_buf_printf(&d, "DECLARE byline_copy NO SCROLL CURSOR FOR %s", b->s);
	if (bl_buf_err(b))
		bl_buf_puts(&d, "(");	/* fails to parse, reported */
	r = run_built(p, &d, 0, NULL);
	bl_buf_release(&d);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/*
 * Streams the rows of `sql` (from the catalog) through a cursor, 1000
 * at a time, calling `fn` for each batch; a site can have a million
 * comments, which must not all sit in memory. Outside a transaction
 * the cursor gets a read-only snapshot of its own.
 */
static int
cursor_each(struct pg *p, struct bl_buf *sql,
    int (*fn)(struct pg *, const PGresult *, int, void *), void *ctx)
{
	PGresult *r;
	int own = !p->intx, i, rows, ret = -1;

	if (own) {
		if (exec(p, P_BEGIN_READ, "") < 0)
			return -1;
		p->intx = 1;
	}
	if (cursor_open(p, sql) < 0)
		goto out;
	for (;;) {
		if ((r = run(p, P_FETCH, "")) == NULL)
			goto out;
		rows = PQntuples(r);
		for (i = 0; i < rows; i++)
			if (fn(p, r, i, ctx) < 0) {
				PQclear(r);
				goto out;
			}
		PQclear(r);
		if (rows == 0)
			break;
	}
	if (exec(p, P_CLOSE, "") < 0)
		goto out;
	ret = 0;
out:
	if (own) {
		if (ret == 0 && exec(p, P_COMMIT, "") == 0)
			p->intx = 0;
		else
			tx_abort(p);
	}
	return ret;
}

struct copy_reader {
	const struct st_table *t;
	int (*row)(void *, const struct st_value *, struct bl_err *);
	void *ctx;
};

static int
copy_read_row(struct pg *p, const PGresult *r, int i, void *arg)
{
	struct copy_reader *cr = arg;
	struct st_value v[32];
	size_t c;

	for (c = 0; c < cr->t->ncols; c++) {
		memset(&v[c], 0, sizeof(v[c]));
		if (PQgetisnull(r, i, (int)c)) {
			v[c].type = STV_NULL;
			continue;
		}
		v[c].type = cr->t->cols[c].type;
		switch (cr->t->cols[c].type) {
		case STV_INT:
			v[c].i = col_i64(r, i, (int)c);
			break;
		case STV_REAL:
			v[c].r = col_real(r, i, (int)c);
			break;
		default:
			v[c].type = STV_TEXT;
			v[c].s = PQgetvalue(r, i, (int)c);
			break;
		}
	}
	return cr->row(cr->ctx, v, p->err);
}

static int
pq_copy_read(struct store *st, const struct st_table *t,
    int (*row)(void *, const struct st_value *, struct bl_err *), void *ctx,
    struct bl_err *err)
{
	struct pg *p = to_pg(st);
	struct copy_reader cr = { t, row, ctx };
	struct bl_buf b = BL_BUF_INIT;
	size_t i;
	int rc;

	begin_call(p, "read rows", err);
	if (t->ncols > 32)
		return failf(p, "table %s has too many columns", t->name);
	bl_buf_puts(&b, "SELECT ");
	for (i = 0; i < t->ncols; i++)
		bl_buf_printf(&b, "%s%s", i ? ", " : "", t->cols[i].name);
	bl_buf_printf(&b, " FROM %s ORDER BY 1, 2", t->name);
	rc = cursor_each(p, &b, copy_read_row, &cr);
	bl_buf_release(&b);
	return rc;
}

static void pq_copy_abort(struct store *);

static int
pq_copy_begin(struct store *st, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	int64_t n;
	size_t i;

	begin_call(p, "start copy", err);
	if (p->batch || p->copying)
		return failf(p, "a transaction is open");
	if (tx_begin(p, 1) < 0)
		return -1;
	p->copying = 1;
	for (i = 0; i < STORE_COPY_CONTENT_TABLES; i++) {
		if (pq_copy_count(st, &store_tables[i], &n, err) < 0)
			goto fail;
		if (n > 0) {
			bl_errf(err, "cannot copy into '%s': it already holds a "
			    "site (%lld rows in %s)", p->name, (long long)n,
			    store_tables[i].name);
			goto fail;
		}
	}
	return 0;
fail:
	pq_copy_abort(st);
	return -1;
}

static int
pq_copy_write(struct store *st, const struct st_table *t,
    const struct st_value *v, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	struct bl_buf b = BL_BUF_INIT;
	size_t k = (size_t)(t - store_tables), i;
	const char *vals[32];
	char num[32][32], name[16];
	PGresult *r;

	begin_call(p, "write row", err);
	if (!p->copying)
		return failf(p, "no copy in progress");
	if (k >= store_ntables || k >= COPY_TABLES_MAX || t->ncols > 32)
		return failf(p, "unknown table");
	if (conn_up(p) < 0)
		return -1;
	snprintf(name, sizeof(name), "copy%d", (int)k);
	if (!p->copy_prepared[k]) {
		bl_buf_printf(&b, "INSERT INTO %s (", t->name);
		for (i = 0; i < t->ncols; i++)
			bl_buf_printf(&b, "%s%s", i ? ", " : "",
			    t->cols[i].name);
		bl_buf_puts(&b, ") VALUES (");
		for (i = 0; i < t->ncols; i++)
			bl_buf_printf(&b, "%s$%zu", i ? ", " : "", i + 1);
		bl_buf_puts(&b, ")");
		if (bl_buf_err(&b)) {
			bl_buf_release(&b);
			return failf(p, "out of memory");
		}
		r = PQprepare(p->conn, name, b.s, 0, NULL);
		bl_buf_release(&b);
		if (!result_ok(r)) {
			fail_result(p, r);
			PQclear(r);
			return -1;
		}
		PQclear(r);
		p->copy_prepared[k] = 1;
	}
	for (i = 0; i < t->ncols; i++) {
		switch (v[i].type) {
		case STV_NULL:
			vals[i] = NULL;
			break;
		case STV_INT:
			snprintf(num[i], sizeof(num[i]), "%lld",
			    (long long)v[i].i);
			vals[i] = num[i];
			break;
		case STV_REAL:
			snprintf(num[i], sizeof(num[i]), "%.17g", v[i].r);
			vals[i] = num[i];
			break;
		default:
			vals[i] = v[i].s != NULL ? v[i].s : "";
			break;
		}
	}
	r = PQexecPrepared(p->conn, name, (int)t->ncols, vals, NULL, NULL, 0);
	if (!result_ok(r)) {
		fail_result(p, r);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

static int
copy_index_row(struct pg *p, const PGresult *r, int i, void *arg)
{
	struct bl_arena *a = arg;
	int rc;

	rc = pg_search_index(p->conn, a, col_i64(r, i, 0),
	    PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
	    store_index_text(a, PQgetvalue(r, i, 3), PQgetvalue(r, i, 4)),
	    p->err);
	bl_arena_release(a);
	return rc;
}

/* Tables whose ids come from an identity sequence. */
static const char *const id_tables[] = {
	"sections", "authors", "tags", "articles", "comments", "photos",
};

static int
pq_copy_end(struct store *st, struct bl_err *err)
{
	struct pg *p = to_pg(st);
	struct bl_arena a = BL_ARENA_INIT;
	struct bl_buf b = BL_BUF_INIT;
	PGresult *r;
	size_t i;
	int rc;

	begin_call(p, "finish copy", err);
	if (!p->copying)
		return failf(p, "no copy in progress");
	/* The search index is made from the articles, as article_add does. */
	bl_buf_puts(&b, "SELECT id, title, standfirst, body_html, body_source"
	    " FROM articles ORDER BY id");
	rc = cursor_each(p, &b, copy_index_row, &a);
	bl_buf_release(&b);
	bl_arena_release(&a);
	if (rc < 0)
		goto fail;
	/* New rows must not collide with the ids the copy kept. */
	for (i = 0; i < sizeof(id_tables) / sizeof(id_tables[0]); i++) {
		const char *v[1] = { id_tables[i] };

		bl_buf_init(&b, 0);
		bl_buf_printf(&b, "SELECT setval(pg_get_serial_sequence($1,"
		    " 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1, false)",
		    id_tables[i]);
		r = run_built(p, &b, 1, v);
		bl_buf_release(&b);
		if (r == NULL)
			goto fail;
		PQclear(r);
	}
	if (log_change(p, "front") < 0 || log_change(p, "sections") < 0)
		goto fail;
	p->copying = 0;
	if (tx_commit(p) < 0) {
		p->copying = 1;
		goto fail;
	}
	return 0;
fail:
	pq_copy_abort(st);
	return -1;
}

static void
pq_copy_abort(struct store *st)
{
	struct pg *p = to_pg(st);

	if (!p->copying)
		return;
	p->copying = 0;
	tx_abort(p);
}

static const struct store_ops pg_ops = {
	.name = "postgresql",
	.close = pq_close,
	.schema_version = pq_schema_version,
	.article_get = pq_article_get,
	.article_by_path = pq_article_by_path,
	.article_by_slug = pq_article_by_slug,
	.article_list = pq_article_list,
	.section_get = pq_section_get,
	.author_get = pq_author_get,
	.tag_get = pq_tag_get,
	.section_list = pq_section_list,
	.comment_list = pq_comment_list,
	.related_list = pq_related_list,
	.search = pq_search,
	.archive_months = pq_archive_months,
	.related_rebuild = pg_related_rebuild_op,
	.article_add = pq_article_add,
	.author_set_bio = pq_author_set_bio,
	.comment_add = pq_comment_add,
	.comment_get = pq_comment_get,
	.comment_admin_list = pq_comment_admin_list,
	.comment_set_status = pq_comment_set_status,
	.comment_delete = pq_comment_delete,
	.comment_update = pq_comment_update,
	.comment_email_approved = pq_comment_email_approved,
	.comment_last_from_ip = pq_comment_last_from_ip,
	.comment_duplicate = pq_comment_duplicate,
	.captcha_spend = pq_captcha_spend,
	.comment_checks = pq_comment_checks,
	.comment_target = pq_comment_target,
	.change_latest = pq_change_latest,
	.changes_since = pq_changes_since,
	.poll = pq_poll,
	.batch_begin = pq_batch_begin,
	.batch_commit = pq_batch_commit,
	.batch_rollback = pq_batch_rollback,
	.copy_count = pq_copy_count,
	.copy_read = pq_copy_read,
	.copy_begin = pq_copy_begin,
	.copy_write = pq_copy_write,
	.copy_end = pq_copy_end,
	.copy_abort = pq_copy_abort,
};
