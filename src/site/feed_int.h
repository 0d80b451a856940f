/* What the feed and sitemap files share: a small XML writer and helpers. */
#ifndef BL_FEED_INT_H
#define BL_FEED_INT_H

#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "site/site_int.h"

#define XML_TYPE "application/xml; charset=utf-8"
#define XW_MAX_DEPTH 16

/*
 * An XML writer on a bl_buf. Element and attribute names are the caller's
 * literals; every value and text goes through the escaper, which also
 * turns malformed UTF-8 into U+FFFD and drops characters XML 1.0 forbids,
 * so any text from the store makes a well-formed document. Errors stick
 * in the buffer (bl_buf_err).
 */
struct xw {
	struct bl_buf *out;
	const char *stack[XW_MAX_DEPTH];
	int depth;
	int open;          /* a start tag is waiting for its '>' */
	int children;      /* the current element has child elements */
};

/* Starts a document on `out` (borrowed until the last xw_ call). */
void xw_begin(struct xw *x, struct bl_buf *out);
/* `name` must stay valid until its xw_end (a literal). */
void xw_start(struct xw *x, const char *name);
/* An attribute of the element just started; a NULL value writes nothing. */
void xw_attr(struct xw *x, const char *name, const char *value);
void xw_text(struct xw *x, const char *s);
void xw_end(struct xw *x);
/* <name>text</name>; nothing at all when `text` is NULL. */
void xw_elem(struct xw *x, const char *name, const char *text);
/* Closes every open element and ends the document with a newline. */
void xw_finish(struct xw *x);

/* An absolute URL for a site path ("/x/"), arena-owned. */
const char *feed_abs(struct site *s, struct bl_arena *a, const char *path);

/* A plain error page that is never cached. Caller owns the reference. */
struct page *feed_error_page(int status, const char *text);

/* Sitemaps and robots.txt: answers (returning 1) the paths it owns. */
int site_sitemap_route(struct site *s, const struct http_req *req,
    struct http_result *res);

#endif
