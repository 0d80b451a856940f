/* What the site's source files share with each other and nothing else. */
#ifndef BL_SITE_INT_H
#define BL_SITE_INT_H

#include "comments/comments.h"
#include "site/site.h"

#define HTML_TYPE "text/html; charset=utf-8"

/* The state of a comment form for one response. */
struct comment_form {
	int64_t article_id;
	const char *article_path;
	int closed;
	int64_t reply_to;                 /* parent comment, 0 for none */
	const char *values[CMT_F__MAX];   /* what the reader typed, or NULL */
	int cookies;                      /* "save my details" ticked */
	const char *errors[CMT_F__MAX];   /* messages beside fields */
	const char *summary;              /* message above the form */
	int64_t edit_id;                  /* editing this comment, 0 for new */
	int skeleton;                     /* form_skel.c: slots, not values */
	/* The page the form goes into, when known (page_known): the newest
	 * comment it shows (page meta[2]), so the reader's own just-posted
	 * comment is shown in the form's list when the page lacks it. */
	int page_known;
	int64_t page_newest;
};

/*
 * Renders the comment form fragment for one response into `a`: a fresh
 * challenge, the reader's saved details, their comments awaiting moderation
 * or still editable (from the signed cookie), the reply heading. Reads the
 * database only when the request carries a "mine" cookie or replies.
 */
int site_comment_fragment(struct site *s, struct bl_arena *a,
    const struct http_req *req, const struct comment_form *f,
    const char **out, size_t *len);

/*
 * Where comment `id` is shown (pages.c): the URL, arena-owned, of the page
 * of comments holding its thread ("ARTICLE#comment-ID" when that is the
 * newest page, "ARTICLE/comment-page-N/#comment-ID" otherwise). `cs` is
 * the article's approved comments, oldest first (store_comment_list).
 * Returns 0, or 1 when `id` is not among them.
 */
int site_comment_url(struct site *s, struct bl_arena *a,
    const char *article_path, const struct st_comment *cs, size_t n,
    int64_t id, const char **url);

/*
 * The fresh form, fast (form_skel.c). Most views get the form exactly as
 * a first-time reader sees it: no saved details, no errors, no reply, no
 * comments of their own. For those only the question, the token and the
 * article id differ, so the template is rendered once, when the server
 * starts, with slot markers in their places (comment_form.skeleton), and
 * each view joins the pieces around its own escaped values instead of
 * running the template again.
 *
 * form_skel_build() makes s->form_skel (NULL and 0 when the theme's form
 * does not hold each slot exactly once: every view then takes the
 * template). form_skel_fill() renders the fresh form for `article_id`
 * into `a`, and sets *crc (unless NULL) to its CRC-32, made from the
 * pieces' CRCs and the view's own bytes (a gzip member needs it; see
 * page_splice_write()); returns 0, or -1 when there is no skeleton.
 * comment_form_fresh() says whether a view may take it.
 */
#define FORM_SLOT_QUESTION "byline-slot-question-7c1e"
#define FORM_SLOT_ARTICLE "byline-slot-article-7c1e"
#define FORM_SLOT_TOKEN "byline-slot-token-7c1e"
struct form_skel;
int form_skel_build(struct site *s, struct bl_err *err);
void form_skel_free(struct form_skel *k);
int form_skel_fill(struct site *s, struct bl_arena *a, int64_t article_id,
    const char **out, size_t *len, uint32_t *crc);
int comment_form_fresh(struct site *s, const struct http_req *req,
    const struct comment_form *f);

/* ------------------------------------------------ the comment writer */

/*
 * One comment write (writer.c): spend the CAPTCHA nonce, and for a post
 * the checks that must see earlier writes (flood, duplicate, "previously
 * approved"), moderation and the insert. The caller fills the inputs;
 * every pointer is borrowed until site_comment_write() returns.
 */
enum cw_result {
	CW_OK,          /* done (and for a post, c.status and id are set) */
	CW_REPLAY,      /* the nonce was spent before: nothing written */
	CW_FLOOD,       /* too soon after the last comment from c.ip */
	CW_DUPLICATE,   /* the article already has this text from them */
	CW_FAILED       /* the database failed: err says why; nothing of
	                   this write (or of its whole batch) happened */
};

struct comment_write {
	/* in */
	int spend;                  /* spend nonce_hex until expires */
	char nonce_hex[CMT_NONCE_BYTES * 2 + 1];
	int64_t expires;
	int post;                   /* 0: only spend the nonce */
	int64_t flood_seconds;      /* 0: no flood check */
	struct st_comment c;        /* article_id, parent_id, author, email,
	                               url, body, ip, created_at */
	const struct cmt_clean *clean;
	const char *user_agent;     /* may be NULL */
	/* out */
	enum cw_result result;
	int64_t id;                 /* CW_OK post: the new comment */
	const char *why;            /* CW_OK post: why it was held, or NULL */
	int64_t retry_after;        /* CW_FLOOD: seconds */
	struct bl_err err;          /* CW_FAILED */
	/* the writer's */
	int done;
	struct comment_write *next;
};

/*
 * Starts and stops the writer thread of a serving site (site_writer_stop
 * writes what is queued first; both are no-ops when repeated).
 */
int site_writer_start(struct site *s, struct bl_err *err);
void site_writer_stop(struct site *s);
/*
 * Runs `w` and returns once its result is known. On SQLite with the
 * writer running, `w` joins the writer's next batch and the call returns
 * after that batch committed (or failed: then every write in it is
 * CW_FAILED). Otherwise (PostgreSQL, which groups commits itself, or no
 * writer) it runs on `st`, the caller's own connection.
 */
void site_comment_write(struct site *s, struct store *st,
    struct comment_write *w);

/* Routes under /comments/, /api/ and /avatar/; returns 0 when `path` is
 * not one of them. */
int site_comment_route(struct site *s, const struct http_req *req,
    struct http_result *res);

/* The article page at `path` from the cache, or built and cached now.
 * Returns a reference, or NULL when there is no such article. */
struct page *site_article_page(struct site *s, const char *path,
    struct bl_err *err);

/* True when comments on an article published at `published` are closed. */
int site_comments_closed(const struct site *s, int64_t published);

/* --------------------------------------------------- building pages */

/* What one request needs while its HTML page is built (build.c). */
struct page_build {
	struct site *s;
	struct store *st;          /* borrowed with site_store() */
	struct bl_arena a;         /* everything below lives here */
	struct bl_err err;
	struct tpl_val *root;
	struct tpl_val *page;      /* root's "page" map */
	const char *path;
	char **deps;               /* cache dependency keys */
	size_t ndeps;
	int64_t last_modified;
	int compress;              /* page_new()'s; pb_begin() sets ALL */
};

/* Initialises `b` for `path` (borrowed) and borrows a store; -1 with
 * b->err when no store is available. pb_end() undoes both. */
int pb_begin(struct page_build *b, struct site *s, const char *path);
void pb_end(struct page_build *b);

/* Records that the page must be rebuilt when `key` changes. */
void pb_dep(struct page_build *b, const char *key);

/* The data every template gets (site, page, nav, year); `description`
 * NULL means the site's; `current_section` (a slug or NULL) is marked
 * current in the navigation. */
int pb_common(struct page_build *b, const char *kind, const char *title,
    const char *description, const char *current_section);
/* Keeps the newest time seen, for Last-Modified. */
void pb_modified(struct page_build *b, int64_t t);
/* A list of teasers under `key` of `map`. */
void pb_teasers(struct page_build *b, struct tpl_val *map, const char *key,
    const struct st_article *items, size_t n);

/* A teaser (docs/theme.md) of a summary into `t`; depends on the story. */
void pb_teaser(struct page_build *b, struct tpl_val *t,
    const struct st_article *ar);

/* Pagination data under root (page pages prev_url next_url); `base` is
 * page 1's URL. Other pages are BASEpage/N/ ("/2026/page/2/"), or
 * BASE&page=N when `query` is set ("/search?q=x&page=2"). */
void pb_pagination(struct page_build *b, const char *base, int page,
    int pages, int query);

/* Renders template `tpl` into a new page (one reference, the caller's)
 * with the recorded dependencies, with a splice point for the comment form
 * when `spliced`; NULL with b->err on failure. */
struct page *pb_render(struct page_build *b, const char *tpl, int status,
    const char *cache_control, int spliced);
/* Logs a failed build ("byline: WHAT: why") and returns the status to
 * answer: 503 (with a Retry-After header added to res) when err says the
 * database is unreachable for now, else 500. */
int site_fail(struct http_result *res, const struct bl_err *err,
    const char *what);

/* A plain error page (not cached). */
struct page *site_error_page(int status, const char *text);

/* URL shapes: a slug ([a-z0-9-], 1..200), an article permalink
 * "/YYYY/MM/DD/slug/" of `n` bytes, and "N/" page numbers (>= 1; -1 for
 * anything else). */
int site_is_slug(const char *s, size_t n);
int site_is_article_path(const char *p, size_t n);
int site_page_number(const char *p);

/* ------------------------------------------ finding and following */

/*
 * Each route function answers the requests it owns (returning 1 with
 * `res` filled, caching what it can in s->cache with the right dependency
 * keys), or returns 0 for paths that are not its own.
 *   site_feed_route:    RSS, Atom and JSON feeds, sitemaps, robots.txt
 *   site_search_route:  /search
 *   site_archive_route: /YYYY/, /YYYY/MM/, /YYYY/MM/DD/, /archive/
 */
int site_feed_route(struct site *s, const struct http_req *req,
    struct http_result *res);
int site_search_route(struct site *s, const struct http_req *req,
    struct http_result *res);
int site_archive_route(struct site *s, const struct http_req *req,
    struct http_result *res);

/* The related articles of an article, best first (published only, never
 * the article itself); summaries like store_article_list gives. */
int site_related_list(struct site *s, struct store *st, struct bl_arena *a,
    int64_t article_id, struct st_article **items, size_t *n,
    struct bl_err *err);

/* Search-engine and social metadata: site_meta_page adds to every page's
 * data, site_meta_article to an article page's (Open Graph, Twitter card,
 * schema.org NewsArticle JSON-LD). */
void site_meta_page(struct site *s, struct bl_arena *a, struct tpl_val *root,
    const char *kind, const char *path);
void site_meta_article(struct site *s, struct bl_arena *a,
    struct tpl_val *root, const struct st_article *ar);

#endif
