/* A site on disk (DIR/byline.conf, database, media, theme) and its pages. */
#ifndef BL_SITE_H
#define BL_SITE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "comments/comments.h"
#include "config/config.h"
#include "core/arena.h"
#include "core/err.h"
#include "http/cache.h"
#include "http/server.h"
#include "render/tpl.h"
#include "store/store.h"

/*
 * A `struct site` is what `byline serve` and the content commands work on:
 * the configuration, the theme, a pool of store connections (one per
 * thread that needs one at a time), the page cache and the watcher that
 * drops cached pages when the database changes (here or in another
 * process). Everything is reached through it; there is no global state.
 */
struct store_pool;
struct site_writer;
struct form_skel;

struct site {
	char *dir;                 /* the site folder */
	char *media_dir;           /* DIR/media */
	char *theme_dir;           /* the default theme folder */
	char *override_dir;        /* DIR/theme */
	struct config cfg;
	struct cmt_keys keys;      /* derived from DIR/secret.key */
	struct cmt_policy policy;  /* from the [comments] settings */
	struct tpl_set *tpl;       /* NULL until site_serve_prepare() */
	struct form_skel *form_skel; /* the fresh comment form, or NULL */
	struct store_pool *pool;
	struct page_cache *cache;  /* NULL until site_serve_prepare() */
	pthread_t watcher;
	int watcher_running;
	struct site_writer *writer; /* comment group commit, while serving */
	volatile int stopping;
};

/* Where the default theme and demo material are found: $BYLINE_DATADIR,
 * else the folder compiled in. Borrowed string. */
const char *site_datadir(void);

/* Opens the site in `dir`: reads byline.conf, opens the store (running
 * migrations). Free with site_close(). */
int site_open(const char *dir, struct site **out, struct bl_err *err);
void site_close(struct site *s);

/* Creates a new site folder (fails if DIR/byline.conf exists) on
 * `database`: NULL for DIR/byline.db (SQLite), else a URL as store_open
 * takes (postgresql://..., whose database must exist; its schema is
 * created or upgraded). */
int site_init(const char *dir, const char *title, const char *url,
    const char *database, struct bl_err *err);

/* The database URL for a `database` setting: URLs pass, a relative file
 * (also "sqlite:FILE") is taken relative to the site folder `dir`.
 * Caller frees. */
char *site_database_url(const char *dir, const char *db);
/* The URL of the site's database (borrowed). */
const char *site_database(const struct site *s);

/* Borrow a store connection for the current thread; give it back. */
struct store *site_store(struct site *s, struct bl_err *err);
void site_store_put(struct site *s, struct store *st);

/* ----------------------------------------------------------- publishing */

struct publish_opts {
	const char *section;       /* overrides / supplies the section */
	const char *author;
	const char *standfirst;    /* plain text has none unless given */
	int64_t date;              /* 0: now (or the front matter date) */
	int publish;               /* 1: published, 0: draft */
	const char *photos_dir;    /* image files matched to photos in order */
};

struct publish_result {
	int64_t id;
	char *path;                /* arena-owned permalink */
	size_t nparas, nphotos, ntags, ndropped;
	char *title;
};

/* Imports one plain-text file. Nothing is written when it fails. */
int site_import_text(struct site *s, struct bl_arena *a, const char *file,
    const struct publish_opts *o, struct publish_result *res,
    struct bl_err *err);
/* Adds one Markdown post with front matter. Photo files named in the front
 * matter are looked up next to the post file and copied into DIR/media. */
int site_post_add(struct site *s, struct bl_arena *a, const char *file,
    const struct publish_opts *o, struct publish_result *res,
    struct bl_err *err);

/* Formats a Unix time in the site's zone: ISO 8601 with offset, or a
 * reader's date "24 November 2026". Arena-owned. */
char *site_time_iso(struct bl_arena *a, int64_t t);
char *site_time_human(struct bl_arena *a, int64_t t);
/* The permalink date "2026/11/24" of time `t` in the site's zone. */
char *site_path_date(struct bl_arena *a, int64_t t);

/* --------------------------------------------------------------- serving */

/* Loads the theme, makes the page cache and starts the change watcher. */
int site_serve_prepare(struct site *s, struct bl_err *err);
/* The HTTP handler (ctx is the struct site). */
void site_handle(void *ctx, const struct http_req *req, struct http_result *res);

#endif
