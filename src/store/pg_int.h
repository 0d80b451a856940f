/* Internals shared by the PostgreSQL backend (pg.c, migrate_pg.c) and its
 * search and related-articles part (fts_pg.c). */
#ifndef BL_STORE_PG_INT_H
#define BL_STORE_PG_INT_H

#include <libpq-fe.h>
#include "store/store_int.h"

/* fts_pg.c: search and related articles on PostgreSQL. Every function
 * uses only parameterised libpq calls (PQexecParams) on `conn` inside
 * whatever transaction the caller has open; on failure it reports into
 * err, with bl_errf_unavailable when PQstatus(conn) == CONNECTION_BAD. */
/* DDL run by migration 1 after the tables exist: the text search
 * configuration and the article_search table (article_id BIGINT PRIMARY KEY
 * REFERENCES articles(id) ON DELETE CASCADE, doc tsvector, plus whatever
 * columns fts_pg.c needs) with its GIN index. */
extern const char pg_search_ddl[];
/* Writes (insert or replace) the search document of one article. */
int pg_search_index(PGconn *conn, struct bl_arena *a, int64_t article_id,
    const char *title, const char *standfirst, const char *body_text,
    struct bl_err *err);
/* store_search on PostgreSQL (same contract as in store.h). */
int pg_search(PGconn *conn, struct bl_arena *a, const struct st_search *q,
    struct st_search_result *out, struct bl_err *err);
/* After article `id` was added (same transaction): recompute the related
 * lists it can affect, as sqlite.c's rel_after_add does, inserting a
 * change-log row "article:N" (INSERT INTO changes (key, created_at)) for
 * every article whose list changed. */
int pg_related_after_add(PGconn *conn, struct bl_arena *a, int64_t id,
    struct bl_err *err);
/* Recomputes every published article's related list (store_related_rebuild). */
int pg_related_rebuild(PGconn *conn, struct bl_err *err);

/* pg.c's row readers, for fts_pg.c's result rows. Strings are copied
 * into `a` ("" for NULL), numbers are 0 for NULL. */
/* Row i of an article query (columns in AC_* order, store/sql_article.h):
 * every field but tags and photos, which are left empty. */
void pg_read_article(struct bl_arena *a, const PGresult *res, int i,
    struct st_article *r);
/* A tag of row i from column `col` on: id, slug, name. */
void pg_read_tag(struct bl_arena *a, const PGresult *res, int i, int col,
    struct st_tag *t);
/* A photo of row i from column `col` on: id, pos, file, caption, credit,
 * alt, width, height. */
void pg_read_photo(struct bl_arena *a, const PGresult *res, int i, int col,
    struct st_photo *ph);

/* ------------------------------------------ pg.c and migrate_pg.c only */

/* The newest schema version this build knows (the same numbers as the
 * SQLite backend's). */
extern const int pg_schema_latest;

/*
 * Brings the schema up to pg_schema_latest in one transaction that holds
 * a transaction-level advisory lock, so nodes starting together migrate
 * once; the version lives in byline_schema. `name` (the URL with its
 * password hidden) is for messages. Stores the resulting version in
 * *version. Fails without changing anything if the database is newer
 * than this build.
 */
int pg_migrate(PGconn *conn, const char *name, int *version,
    struct bl_err *err);

/* libpq's message `m` as one line in `buf` (line breaks and tabs become
 * single spaces); returns buf. */
const char *pg_msg_line(const char *m, char *buf, size_t size);

/* Advisory lock keys (pg_advisory_xact_lock): schema migrations, and
 * writers of the change log, which take it so change ids are handed out
 * in commit order (a watcher reading "id > last" never skips a row that
 * commits late). */
#define PG_LOCK_MIGRATE 0x62796c6e00000001LL
#define PG_LOCK_WRITE 0x62796c6e00000002LL

#endif
