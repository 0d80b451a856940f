/* The store: the only module that speaks SQL. Backend-neutral interface. */
#ifndef BL_STORE_H
#define BL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

/*
 * A `struct store` is one connection to the site's database. It is not
 * thread-safe: a server opens one per worker thread (see store_pool below).
 * Nothing here exposes the backend: callers see typed rows and functions.
 *
 * Conventions:
 *  - functions return 0 on success, -1 on failure (err->msg says why);
 *    lookups return 1 when nothing matched (no error);
 *  - rows and strings a lookup returns are allocated from the caller's arena
 *    and live as long as it; string fields are never NULL (empty instead);
 *  - times are Unix seconds (UTC);
 *  - every write happens in one transaction and appends to the change log
 *    (store_changes_since) the cache keys it affects, so every server
 *    process sees it.
 */
struct store;

/* ---------------------------------------------------------------- rows */

struct st_section {
	int64_t id;
	char *slug;        /* "world" */
	char *name;        /* "World" */
	int64_t article_count;  /* published articles (listing queries only) */
};

struct st_author {
	int64_t id;
	char *slug;        /* "jane-doe" */
	char *name;        /* "Jane Doe" */
	char *bio;
	int64_t article_count;
};

struct st_tag {
	int64_t id;
	char *slug;        /* "police" (lowercase, URL form) */
	char *name;        /* "Police" (as first written, shown as #Police) */
	int64_t article_count;
};

struct st_photo {
	int64_t id;
	int pos;           /* 0-based order within the article */
	char *file;        /* path under DIR/media/, "" when there is no image */
	char *caption;
	char *credit;      /* "Jane Doe / Example Agency via AP", no parentheses */
	char *alt;
	int width, height; /* 0 when unknown */
};

enum st_status {
	ST_DRAFT = 0,
	ST_PUBLISHED = 1,
};

struct st_article {
	int64_t id;
	char *slug;
	char *path;          /* permalink "/2026/11/24/slug/" */
	char *title;
	char *standfirst;    /* "" when none */
	char *dateline;      /* "LONDON", "" when none */
	char *excerpt;       /* plain text for listings and meta descriptions */
	char *body_format;   /* "text" or "markdown" */
	char *body_source;   /* what the author wrote (cleaned for "text") */
	char *body_html;     /* safe HTML made by markup/ (never outside input) */
	enum st_status status;
	int64_t published_at;  /* 0 for drafts */
	int64_t updated_at;
	int64_t created_at;
	int64_t comment_count; /* approved comments */
	struct st_section section;  /* id 0 when none */
	struct st_author author;    /* id 0 when none */
	struct st_tag *tags;
	size_t ntags;
	struct st_photo *photos;    /* all photos (full get) or the first (lists) */
	size_t nphotos;
};

/* What a new article is made of (store_article_add). Strings are borrowed. */
struct st_article_new {
	const char *slug;        /* NULL or "": derived from the title */
	const char *title;
	const char *standfirst;
	const char *dateline;
	const char *excerpt;
	const char *body_format;
	const char *body_source;
	const char *body_html;
	enum st_status status;
	int64_t published_at;    /* used when published; 0: now */
	const char *path_date;   /* "2026/11/24": permalink date in site time */
	const char *section_name;/* created if new; NULL: none */
	const char *author_name; /* created if new; NULL: none */
	const char *const *tags; /* names, created if new */
	size_t ntags;
	const struct st_photo *photos; /* id ignored; pos taken from order */
	size_t nphotos;
};

enum st_comment_status {
	STC_PENDING = 0,
	STC_APPROVED = 1,
	STC_SPAM = 2,
};

struct st_comment {
	int64_t id;
	int64_t article_id;
	int64_t parent_id;     /* 0 for top level */
	char *author;
	char *email;           /* private: never rendered anywhere public */
	char *url;
	char *body;            /* plain text as written */
	char *ip;
	enum st_comment_status status;
	int64_t created_at;
	/* Filled by store_comment_get and store_comment_admin_list only. */
	char *article_title;
	char *article_path;
};

/* Listing query: at most one filter set; everything else zero. */
struct st_query {
	const char *section;   /* slug */
	const char *tag;       /* slug */
	const char *author;    /* slug */
	const char *date;      /* permalink date "2026", "2026/11" or
	                          "2026/11/24" (site time), see store_archive_months */
	int64_t exclude_id;
	int limit;             /* rows per page */
	int offset;
	int no_total;          /* 1: leave st_list.total -1 rather than count
	                          every match (on big sites a count reads
	                          tens of thousands of index entries) */
};

struct st_list {
	struct st_article *items;  /* summaries: no body, first photo only */
	size_t n;
	int64_t total;             /* rows matching, ignoring limit/offset;
	                              -1 with st_query.no_total */
};

/* Search: what a reader typed and which page of results. */
struct st_search {
	const char *text;      /* any bytes (invalid UTF-8, FTS syntax, ...) */
	size_t len;            /* of text */
	int limit;             /* results per page */
	int offset;
	int64_t now;           /* Unix time recency is measured from; 0: now */
};

/* Marks around the matched words in st_search_result titles and
 * snippets: plain text otherwise, to be escaped before it meets HTML. */
#define ST_MARK_ON '\x01'
#define ST_MARK_OFF '\x02'

struct st_search_result {
	struct st_article *items;  /* summaries, best first */
	char **titles;             /* per item: title with marks */
	char **snippets;           /* per item: a passage of the body with
	                              marks, "…" where it was cut */
	size_t n;
	int64_t total;             /* matches in all */
	int any;                   /* 1: no story has every term; these
	                              have at least one */
	size_t nterms;             /* words and phrases searched for; 0 when
	                              the text had none (nothing searched) */
};

/* Published articles in one month (store_archive_months). */
struct st_month {
	int year;
	int month;                 /* 1..12 */
	int64_t count;
};

/* One change-log row: what changed, as a cache dependency key such as
 * "article:12", "section:world", "tag:police", "author:jane-doe", "front".
 * A key that starts with STORE_CHANGE_SOFT ("~article:12", "~comments")
 * is a change readers may see a moment late: a new approved comment. The
 * key after the mark is the one that changed; pages depending on it are
 * dropped softly (page_cache_invalidate_soft, cache.comment_refresh_ms).
 * Changes to existing comments (edits, moderation, deletes) are hard. */
#define STORE_CHANGE_SOFT '~'
struct st_change {
	int64_t id;
	char *key;
};

/* ------------------------------------------------------- open and close */

/*
 * Opens the database named by `url`: a file path or "sqlite:PATH" for
 * SQLite (created if missing, WAL mode), "postgresql://..." (or
 * "postgres://", any libpq connection URI) for PostgreSQL, whose database
 * must exist. Runs pending schema migrations. Caller frees with
 * store_close(). When the database server cannot be reached the error is
 * marked err->unavailable.
 *
 * A connection that breaks later (the server restarted, the network went
 * away) is not fatal: calls fail with err->unavailable set and the next
 * call tries to reconnect by itself.
 */
int store_open(const char *url, struct store **out, struct bl_err *err);
void store_close(struct store *st);
/* The schema version after migrations. */
int store_schema_version(struct store *st);

/* --------------------------------------------------------------- reads */

/* Full article (body, all photos, tags). 1 if not found. Drafts are found
 * only when `include_drafts` is set. */
int store_article_get(struct store *st, struct bl_arena *a, int64_t id,
    int include_drafts, struct st_article **out, struct bl_err *err);
/* By permalink path "/YYYY/MM/DD/slug/"; published only. */
int store_article_by_path(struct store *st, struct bl_arena *a,
    const char *path, struct st_article **out, struct bl_err *err);
/* By slug, any status. */
int store_article_by_slug(struct store *st, struct bl_arena *a,
    const char *slug, struct st_article **out, struct bl_err *err);
/* Published articles, newest first, filtered by `q`. */
int store_article_list(struct store *st, struct bl_arena *a,
    const struct st_query *q, struct st_list *out, struct bl_err *err);

int store_section_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_section *out, struct bl_err *err);
int store_author_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_author *out, struct bl_err *err);
int store_tag_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_tag *out, struct bl_err *err);
/* Sections with at least one published article, by name. With `counts`
 * 0 each article_count is -1: counting reads every published story's
 * index entry, too much for the navigation of every page on a big site. */
int store_section_list(struct store *st, struct bl_arena *a, int counts,
    struct st_section **out, size_t *n, struct bl_err *err);

/*
 * The related articles of a published article, best first, at most
 * `limit` (capped at STORE_RELATED_MAX): summaries as store_article_list
 * gives, published only, never the article itself. The lists are
 * computed when articles are written (docs/related.md), so this is one
 * query. *out (arena) may be NULL when *n is 0.
 */
#define STORE_RELATED_MAX 5
int store_related_list(struct store *st, struct bl_arena *a,
    int64_t article_id, int limit, struct st_article **out, size_t *n,
    struct bl_err *err);

/*
 * Full-text search over published articles (docs/search.md). Any text is
 * accepted: it is split into words and "phrases" and never reaches the
 * query language as it was typed. Stories with every term come first;
 * when none has them all, stories with any term (out->any = 1). Ranked by
 * relevance mixed with recency. Results are arena-owned.
 */
int store_search(struct store *st, struct bl_arena *a,
    const struct st_search *q, struct st_search_result *out,
    struct bl_err *err);

/* Months with published articles, newest first, with their counts
 * (by permalink date). *out is arena-owned. */
int store_archive_months(struct store *st, struct bl_arena *a,
    struct st_month **out, size_t *n, struct bl_err *err);

/* Approved comments of an article, oldest first. */
int store_comment_list(struct store *st, struct bl_arena *a,
    int64_t article_id, struct st_comment **out, size_t *n,
    struct bl_err *err);

/* -------------------------------------------------------------- writes */

/* Adds an article with its section, author, tags and photos. The slug is
 * made unique by appending -2, -3... Sets *id and, if `path` is not NULL,
 * *path (arena-owned) to the permalink. */
int store_article_add(struct store *st, struct bl_arena *a,
    const struct st_article_new *in, int64_t *id, char **path,
    struct bl_err *err);

/* Recomputes the related articles of every published article in one
 * transaction, logging "article:ID" for each whose list changed. Adding
 * an article does this for the articles it can affect by itself. */
int store_related_rebuild(struct store *st, struct bl_err *err);

/* Sets the bio of the author called `name` (created if new). */
int store_author_set_bio(struct store *st, const char *name, const char *bio,
    struct bl_err *err);

/* Adds a comment as given (status included); returns its id. */
int store_comment_add(struct store *st, const struct st_comment *c,
    int64_t *id, struct bl_err *err);

/* Any comment by id, with its article's title and path. 1 if none. */
int store_comment_get(struct store *st, struct bl_arena *a, int64_t id,
    struct st_comment **out, struct bl_err *err);
/* Comments for moderators, newest first: `status` -1 for any, `article`
 * an article slug or NULL, at most `limit` (0: all). */
int store_comment_admin_list(struct store *st, struct bl_arena *a, int status,
    const char *article, int limit, struct st_comment **out, size_t *n,
    struct bl_err *err);
/* Changes a comment's status. 1 if there is no such comment. */
int store_comment_set_status(struct store *st, int64_t id,
    enum st_comment_status status, struct bl_err *err);
/* Deletes a comment; its replies move up to its parent. 1 if none. */
int store_comment_delete(struct store *st, int64_t id, struct bl_err *err);
/* Replaces what a commenter wrote (an edit). 1 if none. */
int store_comment_update(struct store *st, int64_t id, const char *author,
    const char *url, const char *body, enum st_comment_status status,
    struct bl_err *err);

/* Abuse controls; each state lives in the database so every node of a
 * site sees the same. */
/* *yes = 1 when `email` has an approved comment (case-insensitive). */
int store_comment_email_approved(struct store *st, const char *email, int *yes,
    struct bl_err *err);
/* *t = the time of the newest comment from `ip` (0 when none). */
int store_comment_last_from_ip(struct store *st, const char *ip, int64_t *t,
    struct bl_err *err);
/* *yes = 1 when the article already has this text from this author name
 * or email. */
int store_comment_duplicate(struct store *st, int64_t article_id,
    const char *author, const char *email, const char *body, int *yes,
    struct bl_err *err);
/* What a posted comment is checked against, all in one look. */
struct st_comment_checks {
	int64_t last_from_ip;  /* newest comment from c->ip; 0 if none */
	int duplicate;         /* as store_comment_duplicate */
	int email_approved;    /* as store_comment_email_approved */
};
#define ST_CHECK_FLOOD    0x1  /* fill last_from_ip (else 0) */
#define ST_CHECK_APPROVED 0x2  /* fill email_approved (else 0) */
/* The checks of a comment about to be added (article_id, author, email,
 * body, ip of `c`), in one statement where the backend can: the
 * duplicate check always, the others as `which` asks. */
int store_comment_checks(struct store *st, const struct st_comment *c,
    int which, struct st_comment_checks *out, struct bl_err *err);
/* The published article a comment is posted to, read lightly (no body,
 * photos or tags): its path (in the arena) and publication time. 1 if
 * there is no such published article. */
int store_comment_target(struct store *st, struct bl_arena *a, int64_t id,
    char **path, int64_t *published_at, struct bl_err *err);
/* Marks a CAPTCHA nonce (hex) as spent until `expires`; *already = 1 when it
 * was spent before (a replay). Expired entries are pruned. */
int store_captcha_spend(struct store *st, const char *nonce, int64_t expires,
    int *already, struct bl_err *err);

/* ---------------------------------------------------- change tracking */

/* How long change-log rows are kept (seconds); older rows are pruned by
 * writes. Ids grow but may skip numbers. */
#define STORE_CHANGE_KEEP 3600

/* The newest change-log id (0 when empty). */
int store_change_latest(struct store *st, int64_t *id, struct bl_err *err);
/* Changes with id > `after`, oldest first, at most `max`. */
int store_changes_since(struct store *st, struct bl_arena *a, int64_t after,
    size_t max, struct st_change **out, size_t *n, struct bl_err *err);
/*
 * Cheap test for "has anyone (this or another process) written since the
 * last call": sets *changed to 1 if so. For SQLite this reads
 * PRAGMA data_version; it does no query on the tables.
 */
int store_poll(struct store *st, int *changed, struct bl_err *err);
/*
 * SQLite: copies what the write-ahead log holds into the database file,
 * without waiting for readers or the writer (a PASSIVE checkpoint), so the
 * comment writer does not stop to do it when the log grows past
 * wal_autocheckpoint (see sqlite.c). Nothing to do on PostgreSQL.
 */
int store_checkpoint(struct store *st, struct bl_err *err);

/* "sqlite" or "postgresql". */
const char *store_backend(struct store *st);

/* ------------------------------------------------------ group commit */

/*
 * Batches: between store_batch_begin and store_batch_commit every write
 * on `st` joins one transaction, so many writes share one disk sync
 * (group commit). Each write is still all or nothing on its own: one that
 * fails leaves the batch's others in place and the batch usable. Nothing
 * in a batch is durable, or visible to other connections, until
 * store_batch_commit returns 0; when it fails, none of the batch happened.
 * store_batch_rollback drops the whole batch. Batches do not nest.
 */
int store_batch_begin(struct store *st, struct bl_err *err);
int store_batch_commit(struct store *st, struct bl_err *err);
void store_batch_rollback(struct store *st);

/* --------------------------------------------------- whole-site copy */

/*
 * Moving a site between databases (byline migrate). The tables that hold
 * a site, in an order that satisfies their references; the change log and
 * search index are not copied (the target builds its own).
 */
enum st_type { STV_NULL, STV_INT, STV_REAL, STV_TEXT };

struct st_value {
	enum st_type type;
	int64_t i;
	double r;
	const char *s;   /* STV_TEXT: NUL-terminated, valid during the call */
};

struct st_column {
	const char *name;
	enum st_type type;  /* the column's type (values may also be NULL) */
};

struct st_table {
	const char *name;
	const struct st_column *cols;
	size_t ncols;
};

extern const struct st_table store_tables[];
extern const size_t store_ntables;

/* The number of rows of `t`. */
int store_copy_count(struct store *st, const struct st_table *t, int64_t *n,
    struct bl_err *err);

/* Calls `row` with every row of `t` (columns in t->cols order, ascending
 * by the first column(s)); stops with -1 when `row` returns -1. */
int store_copy_read(struct store *st, const struct st_table *t,
    int (*row)(void *ctx, const struct st_value *v, struct bl_err *err),
    void *ctx, struct bl_err *err);

/* Starts filling an empty database: fails (nothing written) when `st`
 * already holds articles, comments, sections, authors or tags. Rows
 * are then written with store_copy_write (columns in t->cols order, ids
 * kept) and the whole copy is one transaction that store_copy_end
 * commits, after rebuilding the search index and id sequences, or
 * store_copy_abort drops. */
int store_copy_begin(struct store *st, struct bl_err *err);
int store_copy_write(struct store *st, const struct st_table *t,
    const struct st_value *v, struct bl_err *err);
int store_copy_end(struct store *st, struct bl_err *err);
void store_copy_abort(struct store *st);

/*
 * Copies every table of `from` into the empty `to` and then compares the
 * row counts of each table. `progress` (may be NULL) is called now and
 * then with the rows copied so far and the total. Nothing is left in `to`
 * when it fails.
 */
int store_copy(struct store *from, struct store *to,
    void (*progress)(void *ctx, const char *table, int64_t done,
    int64_t total), void *ctx, struct bl_err *err);

#endif
