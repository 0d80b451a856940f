/* SQLite backend internals: the statement catalog and the migrator. */
#ifndef BL_SQLITE_INT_H
#define BL_SQLITE_INT_H

#include <stddef.h>

#include <sqlite3.h>

#include "core/err.h"
#include "store/search_terms.h"
#include "store/sql_article.h"

/*
 * The statement catalog: every statement the SQLite backend runs, named
 * once here with its text. sqlite.c turns this list into `enum stmt` and the
 * matching text array, prepares each statement the first time it is used on
 * a connection and then reuses it (reset + clear bindings). Parameters are
 * always bound; no SQL is ever assembled from data. Schema scripts live in
 * migrate_sqlite.c.
 *
 * Article rows are read with ARTICLE_COLS or SUMMARY_COLS
 * (store/sql_article.h, shared with the PostgreSQL backend).
 */
#define LIST_ORDER \
	" ORDER BY a.published_at DESC, a.id DESC LIMIT ?2 OFFSET ?3"
#define IN_SECTION \
	" a.section_id = (SELECT id FROM sections WHERE slug = ?4)"
#define IN_AUTHOR \
	" a.author_id = (SELECT id FROM authors WHERE slug = ?4)"
/* Tag pages walk article_tags, which copies status and published_at
 * from articles so one index gives a tag's newest stories. */
#define TAG_WHERE \
	" WHERE x.tag_id = (SELECT id FROM tags WHERE slug = ?4)" \
	" AND x.status = 1 AND x.article_id <> ?1"

/* Date archives: the permalink starts with "/2026/", "/2026/11/" or
 * "/2026/11/24/" (?4); '~' sorts after every character of a path. */
#define IN_DATE \
	" a.path >= ?4 AND a.path < ?4 || '~'"
/* Search and related-text queries say CROSS JOIN so SQLite walks the
 * full-text matches first and looks each article up by id; left to
 * itself the planner may walk every published article and test MATCH
 * once per row (46 ms instead of 0.1 ms for a word no story has, on 3000
 * stories). */
/* Search order: relevance (w.b, bm25 as byline_rank computes it in
 * fts_sqlite.c: negative, lower is better; the title counts most) made
 * up to 50% stronger for recent stories, fading with a 30-day scale from
 * ?4 (now). */
#define SEARCH_RANK \
	"w.b * (1.0 + 0.5 /" \
	" (1.0 + max(0, ?4 - a.published_at) / 2592000.0))"

/* A comment's body equals the text `p`; the prefix lets SQLite find it
 * by the comments_duplicate index (migration 5). The unary + keeps
 * SQLite from putting `p` in for body inside substr() (constant
 * propagation), which would hide the indexed expression. */
#define COMMENT_SAME_TEXT(p) \
	"substr(body, 1, 64) = substr(" p ", 1, 64) AND +body = " p

#define SQLITE_STATEMENTS(X) \
	X(S_BEGIN, "BEGIN IMMEDIATE") \
	X(S_COMMIT, "COMMIT") \
	X(S_ROLLBACK, "ROLLBACK") \
	X(S_SAVEPOINT, "SAVEPOINT w") \
	X(S_RELEASE, "RELEASE w") \
	X(S_ROLLBACK_TO, "ROLLBACK TO w") \
	X(S_DATA_VERSION, "PRAGMA data_version") \
	\
	X(S_SECTION_ENSURE, "INSERT INTO sections (slug, name) VALUES (?1, ?2)" \
	    " ON CONFLICT (slug) DO NOTHING") \
	X(S_SECTION_ID, "SELECT id FROM sections WHERE slug = ?1") \
	X(S_SECTION_OTHERS, "SELECT count(*) FROM articles" \
	    " WHERE section_id = ?1 AND status = 1 AND id <> ?2") \
	X(S_AUTHOR_ENSURE, "INSERT INTO authors (slug, name) VALUES (?1, ?2)" \
	    " ON CONFLICT (slug) DO NOTHING") \
	X(S_AUTHOR_ID, "SELECT id FROM authors WHERE slug = ?1") \
	X(S_AUTHOR_SET_BIO, "UPDATE authors SET bio = ?2 WHERE id = ?1") \
	X(S_TAG_ENSURE, "INSERT INTO tags (slug, name) VALUES (?1, ?2)" \
	    " ON CONFLICT (slug) DO NOTHING") \
	X(S_TAG_ID, "SELECT id FROM tags WHERE slug = ?1") \
	X(S_SLUG_TAKEN, "SELECT 1 FROM articles WHERE slug = ?1 OR path = ?2") \
	X(S_SLUG_FAMILY, "SELECT slug FROM articles" \
	    " WHERE slug > ?1 || '-' AND slug < ?1 || '.'") \
	X(S_ARTICLE_INSERT, "INSERT INTO articles (slug, path, title," \
	    " standfirst, dateline, excerpt, body_format, body_source," \
	    " body_html, status, published_at, updated_at, created_at," \
	    " section_id, author_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8," \
	    " ?9, ?10, ?11, ?12, ?13, ?14, ?15)") \
	X(S_ARTICLE_TAG_INSERT, "INSERT INTO article_tags (article_id, tag_id," \
	    " pos, status, published_at) VALUES (?1, ?2, ?3, ?4, ?5)" \
	    " ON CONFLICT DO NOTHING") \
	X(S_PHOTO_INSERT, "INSERT INTO photos (article_id, pos, file, caption," \
	    " credit, alt, width, height)" \
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
	X(S_FTS_INSERT, "INSERT INTO articles_fts (rowid, title, standfirst," \
	    " body) VALUES (?1, ?2, ?3, ?4)") \
	\
	X(S_ARTICLE_GET, ARTICLE_COLS \
	    " WHERE a.id = ?1 AND (a.status = 1 OR ?2)") \
	X(S_ARTICLE_BY_PATH, ARTICLE_COLS \
	    " WHERE a.path = ?1 AND a.status = 1") \
	X(S_ARTICLE_BY_SLUG, ARTICLE_COLS " WHERE a.slug = ?1") \
	X(S_ARTICLE_TAGS, "SELECT t.id, t.slug, t.name FROM article_tags x" \
	    " JOIN tags t ON t.id = x.tag_id WHERE x.article_id = ?1" \
	    " ORDER BY x.pos") \
	X(S_ARTICLE_PHOTOS, "SELECT id, pos, file, caption, credit, alt," \
	    " width, height FROM photos WHERE article_id = ?1" \
	    " ORDER BY pos, id") \
	X(S_ARTICLE_PHOTO_FIRST, "SELECT id, pos, file, caption, credit, alt," \
	    " width, height FROM photos WHERE article_id = ?1" \
	    " ORDER BY pos, id LIMIT 1") \
	\
	X(S_LIST_ALL, SUMMARY_COLS \
	    " WHERE a.status = 1 AND a.id <> ?1" LIST_ORDER) \
	X(S_COUNT_ALL, "SELECT count(*) FROM articles a" \
	    " WHERE a.status = 1 AND a.id <> ?1") \
	X(S_LIST_SECTION, SUMMARY_COLS " WHERE" IN_SECTION \
	    " AND a.status = 1 AND a.id <> ?1" LIST_ORDER) \
	X(S_COUNT_SECTION, "SELECT count(*) FROM articles a WHERE" IN_SECTION \
	    " AND a.status = 1 AND a.id <> ?1") \
	X(S_LIST_AUTHOR, SUMMARY_COLS " WHERE" IN_AUTHOR \
	    " AND a.status = 1 AND a.id <> ?1" LIST_ORDER) \
	X(S_COUNT_AUTHOR, "SELECT count(*) FROM articles a WHERE" IN_AUTHOR \
	    " AND a.status = 1 AND a.id <> ?1") \
	X(S_LIST_TAG, SUMMARY_SELECT " FROM article_tags x" \
	    " JOIN articles a ON a.id = x.article_id" ARTICLE_JOINS TAG_WHERE \
	    " ORDER BY x.published_at DESC, x.article_id DESC" \
	    " LIMIT ?2 OFFSET ?3") \
	X(S_COUNT_TAG, "SELECT count(*) FROM article_tags x" TAG_WHERE) \
	\
	X(S_SECTION_GET, "SELECT s.id, s.slug, s.name," \
	    " (SELECT count(*) FROM articles a" \
	    "   WHERE a.section_id = s.id AND a.status = 1)" \
	    " FROM sections s WHERE s.slug = ?1") \
	X(S_AUTHOR_GET, "SELECT u.id, u.slug, u.name," \
	    " (SELECT count(*) FROM articles a" \
	    "   WHERE a.author_id = u.id AND a.status = 1), u.bio" \
	    " FROM authors u WHERE u.slug = ?1") \
	X(S_TAG_GET, "SELECT t.id, t.slug, t.name," \
	    " (SELECT count(*) FROM article_tags x" \
	    "   WHERE x.tag_id = t.id AND x.status = 1)" \
	    " FROM tags t WHERE t.slug = ?1") \
	X(S_SECTION_LIST, "SELECT s.id, s.slug, s.name," \
	    " (SELECT count(*) FROM articles a" \
	    "   WHERE a.section_id = s.id AND a.status = 1)" \
	    " FROM sections s WHERE EXISTS (SELECT 1 FROM articles a" \
	    "   WHERE a.section_id = s.id AND a.status = 1)" \
	    " ORDER BY s.name, s.id") \
	X(S_SECTION_NAMES, "SELECT s.id, s.slug, s.name FROM sections s" \
	    " WHERE EXISTS (SELECT 1 FROM articles a" \
	    "   WHERE a.section_id = s.id AND a.status = 1)" \
	    " ORDER BY s.name, s.id") \
	\
	X(S_ARTICLE_EXISTS, "SELECT 1 FROM articles WHERE id = ?1") \
	X(S_COMMENT_ARTICLE, "SELECT article_id FROM comments WHERE id = ?1") \
	X(S_COMMENT_LIST, "SELECT id, article_id, parent_id, author, email," \
	    " url, body, ip, status, created_at FROM comments" \
	    " WHERE article_id = ?1 AND status = 1" \
	    " ORDER BY created_at, id") \
	X(S_COMMENT_GET, "SELECT c.id, c.article_id, c.parent_id, c.author," \
	    " c.email, c.url, c.body, c.ip, c.status, c.created_at," \
	    " a.title, a.path FROM comments c JOIN articles a ON a.id = c.article_id" \
	    " WHERE c.id = ?1") \
	X(S_COMMENT_ADMIN, "SELECT c.id, c.article_id, c.parent_id, c.author," \
	    " c.email, c.url, c.body, c.ip, c.status, c.created_at," \
	    " a.title, a.path FROM comments c JOIN articles a ON a.id = c.article_id" \
	    " WHERE (?1 < 0 OR c.status = ?1) AND (?2 = '' OR a.slug = ?2)" \
	    " ORDER BY c.created_at DESC, c.id DESC LIMIT ?3") \
	X(S_COMMENT_SET_STATUS, "UPDATE comments SET status = ?2 WHERE id = ?1") \
	X(S_COMMENT_REPARENT, "UPDATE comments SET parent_id =" \
	    " (SELECT parent_id FROM comments WHERE id = ?1) WHERE parent_id = ?1") \
	X(S_COMMENT_DELETE, "DELETE FROM comments WHERE id = ?1") \
	X(S_COMMENT_UPDATE, "UPDATE comments SET author = ?2, url = ?3, body = ?4," \
	    " status = ?5 WHERE id = ?1") \
	X(S_COMMENT_EMAIL_APPROVED, "SELECT 1 FROM comments WHERE email = ?1" \
	    " COLLATE NOCASE AND status = 1 LIMIT 1") \
	X(S_COMMENT_LAST_IP, "SELECT coalesce(max(created_at), 0) FROM comments" \
	    " WHERE ip = ?1") \
	X(S_COMMENT_DUPLICATE, "SELECT 1 FROM comments WHERE article_id = ?1" \
	    " AND " COMMENT_SAME_TEXT("?4") \
	    " AND (author = ?2 OR (?3 <> '' AND email = ?3 COLLATE NOCASE))" \
	    " LIMIT 1") \
	X(S_COMMENT_TARGET, "SELECT path, published_at FROM articles" \
	    " WHERE id = ?1 AND status = 1") \
	X(S_COMMENT_CHECKS, "SELECT" \
	    " CASE WHEN ?6 THEN (SELECT coalesce(max(created_at), 0)" \
	    "   FROM comments WHERE ip = ?1) ELSE 0 END," \
	    " EXISTS (SELECT 1 FROM comments WHERE article_id = ?2" \
	    "   AND " COMMENT_SAME_TEXT("?5") \
	    "   AND (author = ?3 OR (?4 <> '' AND email = ?4 COLLATE NOCASE)))," \
	    " CASE WHEN ?7 THEN EXISTS (SELECT 1 FROM comments" \
	    "   WHERE email = ?4 COLLATE NOCASE AND status = 1) ELSE 0 END") \
	X(S_COMMENT_INSERT_CHECKED, "INSERT INTO comments (article_id," \
	    " parent_id, author, email, url, body, ip, status, created_at)" \
	    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9" \
	    " WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?1)" \
	    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM comments" \
	    "   WHERE id = ?2 AND article_id = ?1))") \
	X(S_CAPTCHA_PRUNE, "DELETE FROM captcha_spent WHERE expires < ?1") \
	X(S_CAPTCHA_SPEND, "INSERT INTO captcha_spent (nonce, expires)" \
	    " VALUES (?1, ?2) ON CONFLICT (expires, nonce) DO NOTHING") \
	\
	X(S_CHANGE_INSERT, "INSERT INTO changes (key, created_at)" \
	    " VALUES (?1, ?2)") \
	X(S_CHANGE_PRUNE, "DELETE FROM changes WHERE created_at < ?1") \
	X(S_CHANGE_LATEST, "SELECT coalesce(max(id), 0) FROM changes") \
	X(S_CHANGES_SINCE, "SELECT id, key FROM changes WHERE id > ?1" \
	    " ORDER BY id LIMIT ?2") \
	\
	/* The page's ids first, from the (status, path, published_at) */ \
	/* index alone: sorting whole rows of a year's stories read them */ \
	/* all (0.45 s for 30,000); sorting index entries takes 10 ms. */ \
	X(S_LIST_DATE, SUMMARY_COLS " WHERE a.id IN (SELECT a.id" \
	    " FROM articles a WHERE" IN_DATE " AND a.status = 1" \
	    " AND a.id <> ?1" LIST_ORDER ")" \
	    " ORDER BY a.published_at DESC, a.id DESC") \
	X(S_COUNT_DATE, "SELECT count(*) FROM articles a WHERE" IN_DATE \
	    " AND a.status = 1 AND a.id <> ?1") \
	/* Archive months hop from month to month down the (status, path) */ \
	/* index: the newest path before ?1, then the month's count. */ \
	X(S_ARCHIVE_BEFORE, "SELECT path FROM articles" \
	    " WHERE status = 1 AND path < ?1 ORDER BY path DESC LIMIT 1") \
	X(S_ARCHIVE_COUNT, "SELECT count(*) FROM articles" \
	    " WHERE status = 1 AND path >= ?1 AND path < ?1 || '~'") \
	\
	/* Search (docs/search.md). articles_fts holds published articles */ \
	/* only, so matches are counted without reading articles, up to */ \
	/* ?2. The ?5 most recently added matches (FTS5 walks rowids */ \
	/* newest first by itself) are ranked, reading published_at from */ \
	/* the small articles_dated index instead of the article rows; */ \
	/* the other matches follow in rowid order. highlight() and */ \
	/* snippet() run only for the rows of the page shown. */ \
	/* One read transaction for all of a search: one snapshot, one */ \
	/* lock (a savepoint also nests in a batch's transaction). */ \
	X(S_SEARCH_BEGIN, "SAVEPOINT search") \
	X(S_SEARCH_END, "RELEASE search") \
	X(S_SEARCH_COUNT, "SELECT count(*) FROM (SELECT 1 FROM articles_fts" \
	    " WHERE articles_fts MATCH ?1 LIMIT ?2)") \
	X(S_SEARCH_RANKED, "SELECT w.id FROM (SELECT rowid AS id," \
	    " byline_rank(articles_fts, ?6, 5.0, 2.0, 1.0) AS b" \
	    " FROM articles_fts" \
	    " WHERE articles_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?5) w" \
	    " CROSS JOIN articles a INDEXED BY articles_dated ON a.id = w.id" \
	    " ORDER BY " SEARCH_RANK ", a.published_at DESC, a.id DESC" \
	    " LIMIT ?2 OFFSET ?3") \
	/* Document frequencies for byline_rank (search_df): where the */ \
	/* ?1 + 1 newest published stories begin, and a term's matches */ \
	/* among the stories from id ?2 up. */ \
	X(S_SEARCH_SAMPLE_FROM, "SELECT id FROM articles" \
	    " INDEXED BY articles_dated WHERE status = 1" \
	    " ORDER BY id DESC LIMIT 1 OFFSET ?1") \
	X(S_SEARCH_SAMPLE, "SELECT count(*) FROM articles_fts" \
	    " WHERE articles_fts MATCH ?1 AND rowid >= ?2") \
	X(S_SEARCH_REST, "SELECT rowid FROM articles_fts" \
	    " WHERE articles_fts MATCH ?1 ORDER BY rowid DESC" \
	    " LIMIT ?2 OFFSET ?3") \
	X(S_SEARCH_ROW, SUMMARY_SELECT "," \
	    " highlight(articles_fts, 0, char(1), char(2))," \
	    " snippet(articles_fts, 2, char(1), char(2), '…', 28)" \
	    " FROM articles_fts CROSS JOIN articles a" \
	    " ON a.id = articles_fts.rowid" ARTICLE_JOINS \
	    " WHERE articles_fts MATCH ?1 AND articles_fts.rowid = ?2" \
	    " AND a.status = 1") \
	/* The same for the rows ?4 (",12,7,") between ids ?2 and ?3 at */ \
	/* once: FTS5 merges a prefix's words afresh for every MATCH it */ \
	/* runs, the whole index over, so prefix queries run one. */ \
	X(S_SEARCH_ROWS, SUMMARY_SELECT "," \
	    " highlight(articles_fts, 0, char(1), char(2))," \
	    " snippet(articles_fts, 2, char(1), char(2), '…', 28)" \
	    " FROM articles_fts CROSS JOIN articles a" \
	    " ON a.id = articles_fts.rowid" ARTICLE_JOINS \
	    " WHERE articles_fts MATCH ?1" \
	    " AND articles_fts.rowid BETWEEN ?2 AND ?3" \
	    " AND instr(?4, ',' || articles_fts.rowid || ',') > 0" \
	    " AND a.status = 1") \
	\
	X(S_PUBLISHED_COUNT, "SELECT count(*) FROM articles WHERE status = 1") \
	X(S_REL_TARGET, "SELECT a.published_at, coalesce(a.section_id, 0)," \
	    " f.title, f.standfirst, f.body FROM articles a" \
	    " JOIN articles_fts f ON f.rowid = a.id" \
	    " WHERE a.id = ?1 AND a.status = 1") \
	/* Counting stops past RELATED_DF_MAX (?2): a common word's */ \
	/* count would walk its whole list for a word that is dropped. */ \
	X(S_REL_DF, "SELECT count(*) FROM (SELECT 1 FROM articles_fts" \
	    " WHERE articles_fts MATCH ?1 LIMIT ?2)") \
	X(S_REL_OWN_TAGS, "SELECT x.tag_id, (SELECT count(*) FROM article_tags z" \
	    "   WHERE z.tag_id = x.tag_id AND z.status = 1)" \
	    " FROM article_tags x WHERE x.article_id = ?1") \
	/* Related articles read their candidates' facts from the small */ \
	/* articles_dated index, never from the (large) article rows, and */ \
	/* each query is bounded: publishing on a site of 100,000 stories */ \
	/* recomputes some 160 lists. Tag peers: the newest ?2 rows from */ \
	/* article_tags alone, then their sections. */ \
	X(S_REL_TAG_PEERS, "SELECT p.article_id, p.tag_id, p.published_at," \
	    " coalesce(a.section_id, 0) FROM (SELECT y.article_id," \
	    "  y.tag_id, y.published_at FROM article_tags x" \
	    "  JOIN article_tags y ON y.tag_id = x.tag_id AND y.status = 1" \
	    "  WHERE x.article_id = ?1 AND y.article_id <> ?1" \
	    "  ORDER BY y.published_at DESC, y.article_id DESC LIMIT ?2) p" \
	    " CROSS JOIN articles a INDEXED BY articles_dated" \
	    " ON a.id = p.article_id" \
	    " ORDER BY p.published_at DESC, p.article_id DESC") \
	X(S_REL_TEXT, "SELECT a.id, bm25(articles_fts, 3.0, 2.0, 1.0)," \
	    " a.published_at, coalesce(a.section_id, 0) FROM articles_fts" \
	    " CROSS JOIN articles a INDEXED BY articles_dated" \
	    " ON a.id = articles_fts.rowid" \
	    " WHERE articles_fts MATCH ?1 AND a.id <> ?2 AND a.status = 1" \
	    " ORDER BY bm25(articles_fts, 3.0, 2.0, 1.0), a.id LIMIT ?3") \
	/* Fillers: the ?4 nearest in time, own section (?2, 0 for none) */ \
	/* first. The nearest ?4 on each side of ?3, in the section and */ \
	/* in all, hold them; each side is one index walk. */ \
	X(S_REL_FILL, "SELECT id, published_at, sec FROM (" \
	    " SELECT * FROM (SELECT id, published_at," \
	    "  coalesce(section_id, 0) AS sec FROM articles" \
	    "  WHERE section_id IS nullif(?2, 0) AND status = 1 AND id <> ?1" \
	    "  AND published_at >= ?3 ORDER BY published_at, id LIMIT ?4)" \
	    " UNION SELECT * FROM (SELECT id, published_at," \
	    "  coalesce(section_id, 0) FROM articles" \
	    "  WHERE section_id IS nullif(?2, 0) AND status = 1 AND id <> ?1" \
	    "  AND published_at < ?3 ORDER BY published_at DESC, id LIMIT ?4)" \
	    " UNION SELECT * FROM (SELECT id, published_at," \
	    "  coalesce(section_id, 0) FROM articles" \
	    "  WHERE status = 1 AND id <> ?1" \
	    "  AND published_at >= ?3 ORDER BY published_at, id LIMIT ?4)" \
	    " UNION SELECT * FROM (SELECT id, published_at," \
	    "  coalesce(section_id, 0) FROM articles" \
	    "  WHERE status = 1 AND id <> ?1" \
	    "  AND published_at < ?3 ORDER BY published_at DESC, id LIMIT ?4))" \
	    " ORDER BY sec = ?2 DESC, abs(published_at - ?3), id LIMIT ?4") \
	X(S_REL_OLD, "SELECT related_id FROM related WHERE article_id = ?1" \
	    " ORDER BY pos") \
	X(S_REL_DELETE, "DELETE FROM related WHERE article_id = ?1") \
	X(S_REL_INSERT, "INSERT INTO related (article_id, pos, related_id," \
	    " score) VALUES (?1, ?2, ?3, ?4)") \
	/* Short lists among the newest stories only (?3 x 20 looked at): */ \
	/* on a big site the older ones are full, and walking them all */ \
	/* cost a lookup per published story on every publish. */ \
	X(S_REL_SHORT, "SELECT a.id FROM (SELECT id FROM articles" \
	    "  INDEXED BY articles_dated WHERE status = 1 AND id <> ?1" \
	    "  ORDER BY id DESC LIMIT ?3 * 20) a" \
	    " WHERE (SELECT count(*) FROM related r" \
	    "   WHERE r.article_id = a.id) < ?2 ORDER BY a.id DESC LIMIT ?3") \
	X(S_REL_ALL, "SELECT id FROM articles WHERE status = 1 ORDER BY id") \
	X(S_REL_PRUNE, "DELETE FROM related WHERE article_id NOT IN" \
	    " (SELECT id FROM articles WHERE status = 1)") \
	X(S_REL_MISSING, "SELECT (SELECT count(*) FROM articles" \
	    "   WHERE status = 1) > 1 AND NOT EXISTS (SELECT 1 FROM related)") \
	X(S_REL_LIST, SUMMARY_SELECT " FROM related r" \
	    " JOIN articles a ON a.id = r.related_id" ARTICLE_JOINS \
	    " WHERE r.article_id = ?1 AND a.status = 1" \
	    " ORDER BY r.pos LIMIT ?2")

#define STMT_ENUM_(name, sql) name,
enum stmt {
	SQLITE_STATEMENTS(STMT_ENUM_)
	S__MAX
};
#undef STMT_ENUM_

/* --------------------------------------------------- full-text helpers */

struct bl_arena;

/* A reader's query as FTS5 MATCH expressions (arena strings). */
struct fts_query {
	char *all;       /* every term: "a" AND "b c" AND "d" * ; NULL if none */
	char *any;       /* any term: "a" OR ...; NULL for fewer than 2 */
	char *term[FTS_QUERY_MAX_TERMS];  /* each term alone: "b c" */
	unsigned phrases;  /* bit i: term i is several words */
	int prefix;        /* some term is a prefix ("harb*") */
	size_t nterms;
};

/*
 * Turns what a reader typed into safe FTS5 expressions: the terms of
 * fts_query_terms (search_terms.h), each written as an FTS5 string (a
 * prefix word followed by " *"), so the result always parses whatever was
 * typed. Zero terms leaves both expressions NULL. Returns 0, or -1 if a
 * buffer failed.
 */
int fts_query_build(struct bl_arena *a, const char *text, size_t len,
    struct fts_query *out);

/*
 * Registers the FTS5 function byline_rank (fts_sqlite.c: bm25 with the
 * document frequencies given by the caller) on `db`. Returns 0, or -1
 * when FTS5 is missing or refused it.
 */
int fts_rank_register(sqlite3 *db);

/* The newest schema version this build knows. */
extern const int sqlite_schema_latest;

/*
 * Brings the schema of `db` up to sqlite_schema_latest: each pending
 * migration runs in one IMMEDIATE transaction that also sets
 * PRAGMA user_version, so a crash leaves the previous version intact and
 * two processes opening at once apply it only once. Stores the resulting
 * version in *version. Fails without touching the file if the database is
 * newer than this build.
 */
int sqlite_migrate(sqlite3 *db, const char *path, int *version,
    struct bl_err *err);

#endif
