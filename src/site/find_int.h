/* Page building shared by the search and date-archive pages (search.c, archive.c). */
#ifndef BL_FIND_INT_H
#define BL_FIND_INT_H

#include "site/site_int.h"

/* What one search or archive request needs while its page is built. */
struct find_build {
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
};

/* Initialises `b` for `path` (borrowed) and borrows a store; -1 with
 * b->err when no store is available. find_end() undoes both. */
int find_begin(struct find_build *b, struct site *s, const char *path);
void find_end(struct find_build *b);

/* Records that the page must be rebuilt when `key` changes. */
void find_dep(struct find_build *b, const char *key);

/* The data every template gets (site, page, nav, year); `description`
 * NULL means the site's. */
int find_common(struct find_build *b, const char *kind, const char *title,
    const char *description);

/* A teaser (docs/theme.md) of a summary into `t`; depends on the story. */
void find_teaser(struct find_build *b, struct tpl_val *t,
    const struct st_article *ar);

/* Pagination data under root (page pages prev_url next_url); `base` is
 * page 1's URL. Other pages are BASEpage/N/ ("/2026/page/2/"), or
 * BASE&page=N when `query` is set ("/search?q=x&page=2"). */
void find_pagination(struct find_build *b, const char *base, int page,
    int pages, int query);

/* Renders template `tpl` into a new page (one reference, the caller's)
 * with the recorded dependencies; NULL with b->err on failure. */
struct page *find_render(struct find_build *b, const char *tpl, int status,
    const char *cache_control);

/* A plain error page (not cached). */
struct page *find_error_page(int status, const char *text);

#endif
