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

#endif
