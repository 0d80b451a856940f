/* Versioned schema migrations of the SQLite backend, tracked by user_version. */
#include "store/sqlite_int.h"

#include <stddef.h>

/*
 * Migrations, oldest first. Versions start at 1 and grow by one; each
 * script ends by setting PRAGMA user_version to its own version (checked
 * after it runs). Never edit a released migration: add a new one.
 */
static const struct migration {
	int version;
	const char *name;
	const char *sql;
} migrations[] = {
	{ 1, "initial schema",
	"CREATE TABLE sections (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	slug TEXT NOT NULL UNIQUE,\n"
	"	name TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE authors (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	slug TEXT NOT NULL UNIQUE,\n"
	"	name TEXT NOT NULL,\n"
	"	bio TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE TABLE tags (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	slug TEXT NOT NULL UNIQUE,\n"
	"	name TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE articles (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	slug TEXT NOT NULL UNIQUE,\n"
	"	path TEXT NOT NULL UNIQUE,\n"
	"	title TEXT NOT NULL,\n"
	"	standfirst TEXT NOT NULL DEFAULT '',\n"
	"	dateline TEXT NOT NULL DEFAULT '',\n"
	"	excerpt TEXT NOT NULL DEFAULT '',\n"
	"	body_format TEXT NOT NULL DEFAULT 'text',\n"
	"	body_source TEXT NOT NULL DEFAULT '',\n"
	"	body_html TEXT NOT NULL DEFAULT '',\n"
	"	status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1)),\n"
	"	published_at INTEGER NOT NULL DEFAULT 0,\n"
	"	updated_at INTEGER NOT NULL,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	section_id INTEGER REFERENCES sections (id) ON DELETE SET NULL,\n"
	"	author_id INTEGER REFERENCES authors (id) ON DELETE SET NULL\n"
	");\n"
	/* Listings: newest published first, overall and per section/author. */
	"CREATE INDEX articles_published\n"
	"	ON articles (status, published_at DESC, id DESC);\n"
	"CREATE INDEX articles_section\n"
	"	ON articles (section_id, status, published_at DESC, id DESC);\n"
	"CREATE INDEX articles_author\n"
	"	ON articles (author_id, status, published_at DESC, id DESC);\n"
	"CREATE TABLE article_tags (\n"
	"	article_id INTEGER NOT NULL\n"
	"		REFERENCES articles (id) ON DELETE CASCADE,\n"
	"	tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,\n"
	"	pos INTEGER NOT NULL DEFAULT 0,\n"
	"	status INTEGER NOT NULL DEFAULT 0,\n"
	"	published_at INTEGER NOT NULL DEFAULT 0,\n"
	"	PRIMARY KEY (article_id, tag_id)\n"
	") WITHOUT ROWID;\n"
	/* Tag pages: status and published_at are copies of the article's
	 * (the trigger keeps them so) so one index lists a tag's newest. */
	"CREATE INDEX article_tags_tag\n"
	"	ON article_tags (tag_id, status, published_at DESC,\n"
	"	article_id DESC);\n"
	"CREATE TRIGGER articles_tag_copy\n"
	"	AFTER UPDATE OF status, published_at ON articles\n"
	"BEGIN\n"
	"	UPDATE article_tags SET status = new.status,\n"
	"		published_at = new.published_at\n"
	"	WHERE article_id = new.id;\n"
	"END;\n"
	"CREATE TABLE photos (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	article_id INTEGER NOT NULL\n"
	"		REFERENCES articles (id) ON DELETE CASCADE,\n"
	"	pos INTEGER NOT NULL DEFAULT 0,\n"
	"	file TEXT NOT NULL DEFAULT '',\n"
	"	caption TEXT NOT NULL DEFAULT '',\n"
	"	credit TEXT NOT NULL DEFAULT '',\n"
	"	alt TEXT NOT NULL DEFAULT '',\n"
	"	width INTEGER NOT NULL DEFAULT 0,\n"
	"	height INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX photos_article ON photos (article_id, pos);\n"
	"CREATE TABLE comments (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	article_id INTEGER NOT NULL\n"
	"		REFERENCES articles (id) ON DELETE CASCADE,\n"
	"	parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,\n"
	"	author TEXT NOT NULL DEFAULT '',\n"
	"	email TEXT NOT NULL DEFAULT '',\n"
	"	url TEXT NOT NULL DEFAULT '',\n"
	"	body TEXT NOT NULL DEFAULT '',\n"
	"	ip TEXT NOT NULL DEFAULT '',\n"
	"	status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),\n"
	"	created_at INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX comments_article\n"
	"	ON comments (article_id, status, created_at);\n"
	"CREATE INDEX comments_parent ON comments (parent_id);\n"
	/* AUTOINCREMENT: ids never go back, even after pruning empties it. */
	"CREATE TABLE changes (\n"
	"	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"	key TEXT NOT NULL,\n"
	"	created_at INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX changes_created ON changes (created_at);\n"
	/* Full text of every article, rowid = articles.id; the store writes
	 * it with the article. */
	"CREATE VIRTUAL TABLE articles_fts USING fts5 (\n"
	"	title, standfirst, body,\n"
	"	tokenize = 'porter unicode61 remove_diacritics 2'\n"
	");\n"
	"PRAGMA user_version = 1;\n" },
	{ 2, "comment abuse controls",
	"CREATE TABLE captcha_spent (\n"
	"	nonce TEXT PRIMARY KEY,\n"
	"	expires INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX captcha_spent_expires ON captcha_spent (expires);\n"
	"CREATE INDEX comments_ip ON comments (ip, created_at);\n"
	"CREATE INDEX comments_email ON comments (email COLLATE NOCASE, status);\n"
	"CREATE INDEX comments_status ON comments (status, created_at);\n"
	"PRAGMA user_version = 2;\n" },
	{ 3, "related articles",
	/* Each published article's related articles, best first (pos 0..),
	 * computed when articles are written (docs/related.md). The store
	 * fills it for existing articles the first time it opens the file. */
	"CREATE TABLE related (\n"
	"	article_id INTEGER NOT NULL\n"
	"		REFERENCES articles (id) ON DELETE CASCADE,\n"
	"	pos INTEGER NOT NULL,\n"
	"	related_id INTEGER NOT NULL\n"
	"		REFERENCES articles (id) ON DELETE CASCADE,\n"
	"	score REAL NOT NULL,\n"
	"	PRIMARY KEY (article_id, pos)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX related_related ON related (related_id);\n"
	"PRAGMA user_version = 3;\n" },
	{ 4, "search of published articles",
	/* Search counts and walks matches in the full-text index alone
	 * (docs/search.md), so the index holds published articles only: the
	 * store adds an article to it when it is written as published. The
	 * ranked matches read published_at from this index rather than
	 * from their (large) article rows, and related articles their
	 * candidates' section too. */
	"DELETE FROM articles_fts\n"
	"	WHERE rowid IN (SELECT id FROM articles WHERE status <> 1);\n"
	"CREATE INDEX articles_dated\n"
	"	ON articles (id, status, published_at, section_id);\n"
	"PRAGMA user_version = 4;\n" },
	{ 5, "comment duplicate index",
	/* The duplicate check of every posted comment looks for the same
	 * text on the article: by this index it reads the few comments
	 * that begin alike instead of every comment of the article. */
	"CREATE INDEX comments_duplicate\n"
	"	ON comments (article_id, substr(body, 1, 64));\n"
	"PRAGMA user_version = 5;\n" },
	{ 6, "dated archive index",
	/* Date archives count, sort and page their stories and the archive
	 * lists its months from this index alone, not from the (large)
	 * article rows: a year of 30,000 stories 0.6 s -> 15 ms. */
	"CREATE INDEX articles_status_path\n"
	"	ON articles (status, path, published_at);\n"
	"PRAGMA user_version = 6;\n" },
	{ 7, "spent challenges by expiry",
	/* Every posted comment spends its challenge's nonce. Keyed by the
	 * random nonce, each insert landed on a random page of the table
	 * (one more page to write per comment) and pruning went through a
	 * second index; keyed by expiry first, inserts go near the end and
	 * pruning deletes from the front. A token carries its expiry, so a
	 * replay still meets its own row. */
	"CREATE TABLE captcha_spent_new (\n"
	"	nonce TEXT NOT NULL,\n"
	"	expires INTEGER NOT NULL,\n"
	"	PRIMARY KEY (expires, nonce)\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO captcha_spent_new (nonce, expires)\n"
	"	SELECT nonce, expires FROM captcha_spent;\n"
	"DROP TABLE captcha_spent;\n"
	"ALTER TABLE captcha_spent_new RENAME TO captcha_spent;\n"
	"PRAGMA user_version = 7;\n" },
};

const int sqlite_schema_latest = (int)(sizeof(migrations) / sizeof(migrations[0]));

static int
user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
newer(const char *path, int v, struct bl_err *err)
{
	return bl_errf(err, "cannot open database '%s': its schema version "
	    "%d is newer than this byline knows (%d); upgrade byline", path,
	    v, sqlite_schema_latest);
}

int
sqlite_migrate(sqlite3 *db, const char *path, int *version,
    struct bl_err *err)
{
	const struct migration *m;
	size_t i;
	int v, after;

	if (user_version(db, &v) < 0)
		return bl_errf(err, "cannot read schema version of '%s': %s",
		    path, sqlite3_errmsg(db));
	if (v > sqlite_schema_latest)
		return newer(path, v, err);
	if (v == sqlite_schema_latest) {
		*version = v;
		return 0;
	}

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return bl_errf(err, "cannot migrate '%s': %s", path,
		    sqlite3_errmsg(db));
	/* Another process may have migrated while we waited for the lock. */
	if (user_version(db, &v) < 0) {
		bl_errf(err, "cannot read schema version of '%s': %s", path,
		    sqlite3_errmsg(db));
		goto fail;
	}
	if (v > sqlite_schema_latest) {
		newer(path, v, err);
		goto fail;
	}
	for (i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		m = &migrations[i];
		if (m->version <= v)
			continue;
		if (sqlite3_exec(db, m->sql, NULL, NULL, NULL) != SQLITE_OK) {
			bl_errf(err, "cannot migrate '%s' to version %d (%s): "
			    "%s", path, m->version, m->name,
			    sqlite3_errmsg(db));
			goto fail;
		}
		if (user_version(db, &after) < 0 || after != m->version) {
			bl_errf(err, "cannot migrate '%s' to version %d (%s): "
			    "the migration did not set user_version", path,
			    m->version, m->name);
			goto fail;
		}
		v = after;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		bl_errf(err, "cannot migrate '%s': %s", path,
		    sqlite3_errmsg(db));
		goto fail;
	}
	*version = v;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
