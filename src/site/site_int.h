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
