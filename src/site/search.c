/* Search over published articles, related articles, and the page helpers they share with archives. */
#include "site/site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "render/html.h"
#include "store/search_terms.h"

#define CC_FIND "public, max-age=60, stale-while-revalidate=300"
/* Pages past this are not served. Far enough for the last page of a
 * word every story holds on a site of a million stories at the default
 * ten a page. */
#define SEARCH_MAX_PAGE 100000
#define SEARCH_QUERY_MAX 1024        /* bytes of q used (the store's cap) */
#define SEARCH_SHOWN_MAX 120         /* bytes of q repeated in headings */


/* ------------------------------------------------------------- search */

/*
 * Safe HTML from text with ST_MARK_ON / ST_MARK_OFF around matches: the
 * text is escaped, each marked run becomes <mark>…</mark> (marks that do
 * not pair up are dropped, so the result is always well formed).
 */
static const char *
marked_html(struct bl_arena *a, const char *s)
{
	struct bl_buf b = BL_BUF_INIT;
	const char *p, *run = s;
	char *r;
	int open = 0;

	for (p = s; *p; p++) {
		if (*p != ST_MARK_ON && *p != ST_MARK_OFF)
			continue;
		html_text(&b, run, (size_t)(p - run));
		if (*p == ST_MARK_ON && !open) {
			bl_buf_puts(&b, "<mark>");
			open = 1;
		} else if (*p == ST_MARK_OFF && open) {
			bl_buf_puts(&b, "</mark>");
			open = 0;
		}
		run = p + 1;
	}
	html_text(&b, run, (size_t)(p - run));
	if (open)
		bl_buf_puts(&b, "</mark>");
	r = bl_buf_err(&b) ? bl_arena_strdup(a, "") :
	    bl_arena_strndup(a, b.s, b.len);
	bl_buf_release(&b);
	return r;
}

/*
 * The query as text that can be shown and linked: the first
 * SEARCH_QUERY_MAX bytes, invalid UTF-8 repaired, control characters and
 * runs of white space made single spaces, trimmed.
 */
static char *
clean_query(struct bl_arena *a, const char *q)
{
	size_t n = q ? strlen(q) : 0, o = 0;
	char *r, *w;

	if (n > SEARCH_QUERY_MAX)
		n = SEARCH_QUERY_MAX;
	r = bl_utf8_repair(a, q ? q : "", n);
	w = r;
	for (const char *p = r; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int space = c < 0x20 || c == 0x7f || c == ' ';

		if (space) {
			if (o > 0 && w[o - 1] != ' ')
				w[o++] = ' ';
			continue;
		}
		w[o++] = *p;
	}
	while (o > 0 && w[o - 1] == ' ')
		o--;
	w[o] = '\0';
	return w;
}

/* At most SEARCH_SHOWN_MAX bytes of `q`, cut between characters, with
 * "…" when cut. */
static const char *
shown_query(struct bl_arena *a, const char *q)
{
	size_t n = strlen(q);

	if (n <= SEARCH_SHOWN_MAX)
		return q;
	n = SEARCH_SHOWN_MAX;
	while (n > 0 && ((unsigned char)q[n] & 0xc0) == 0x80)
		n--;
	return bl_arena_printf(a, "%.*s…", (int)n, q);
}

/* "1 result", "12 results", "1,005 results", or "More than 500
 * results" when the store counted no further than `n` (`more`). */
static const char *
total_label(struct bl_arena *a, int64_t n, int more)
{
	char digits[32], grouped[48];
	size_t len, o = 0;

	if (n == 1 && !more)
		return "1 result";
	len = (size_t)snprintf(digits, sizeof(digits), "%lld", (long long)n);
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	return bl_arena_printf(a, "%s%s results", more ? "More than " : "",
	    grouped);
}

static int
page_param(const char *v)
{
	long n = 0;

	if (v == NULL || *v < '1' || *v > '9')
		return 1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return 1;
		n = n * 10 + (*v - '0');
		if (n > SEARCH_MAX_PAGE)
			return SEARCH_MAX_PAGE;
	}
	return (int)n;
}

static struct page *
build_search(struct page_build *b, const char *raw, int page)
{
	struct bl_arena *a = &b->a;
	struct site *s = b->s;
	struct st_search q;
	struct st_search_result r;
	struct tpl_val *sm, *items;
	struct bl_buf url = BL_BUF_INIT;
	const char *text = clean_query(a, raw), *shown, *title, *base;
	int per = (int)s->cfg.pages_per_page, pages = 1, failed = 0, more;
	int64_t counted;

	shown = shown_query(a, text);
	memset(&q, 0, sizeof(q));
	q.text = text;
	q.len = strlen(text);
	q.limit = per;
	q.offset = (page - 1) * per;
	if (store_search(b->st, a, &q, &r, &b->err) < 0) {
		/* A reader's query must never break the page: say nothing
		 * was found, and leave the reason in the log. */
		fprintf(stderr, "byline: search failed: %s\n", b->err.msg);
		memset(&r, 0, sizeof(r));
		r.nterms = 1;
		failed = 1;
	}
	/* The store counts matches only so far (search_terms.h): beyond
	 * that the page says "more than", and offers the next page without
	 * knowing the last one. */
	counted = search_counted(q.offset, q.limit);
	more = r.total > counted;
	if (more)
		pages = page + 1;
	else if (r.total > 0)
		pages = (int)((r.total + per - 1) / per);
	if (*text == '\0')
		title = bl_arena_printf(a, "Search – %s", s->cfg.site_title);
	else if (page > 1)
		title = bl_arena_printf(a, "Search results for “%s”, page %d – %s",
		    shown, page, s->cfg.site_title);
	else
		title = bl_arena_printf(a, "Search results for “%s” – %s", shown,
		    s->cfg.site_title);
	if (pb_common(b, "search", title, *text ? bl_arena_printf(a,
	    "Stories on %s matching “%s”.", s->cfg.site_title, shown) :
	    bl_arena_printf(a, "Search the stories of %s.", s->cfg.site_title),
	    NULL) < 0)
		return NULL;
	tpl_set_bool(a, b->page, "noindex", 1);
	sm = tpl_set_map(a, b->root, "search");
	tpl_set_text(a, sm, "query", text);
	tpl_set_text(a, sm, "shown", shown);
	tpl_set_bool(a, sm, "asked", *text != '\0');
	tpl_set_bool(a, sm, "empty", *text == '\0' || r.nterms == 0);
	tpl_set_bool(a, sm, "none", *text != '\0' && r.n == 0);
	tpl_set_bool(a, sm, "any", r.any);
	tpl_set_bool(a, sm, "failed", failed);
	tpl_set_int(a, sm, "total", more ? counted : r.total);
	tpl_set_bool(a, sm, "more", more);
	tpl_set_text(a, sm, "total_label", total_label(a, more ? counted :
	    r.total, more));
	tpl_set_bool(a, sm, "beyond", r.total > 0 && r.n == 0);
	items = tpl_set_list(a, b->root, "items");
	for (size_t i = 0; i < r.n; i++) {
		struct tpl_val *t = tpl_list_add_map(a, items);

		pb_teaser(b, t, &r.items[i]);
		tpl_set_html(a, t, "title_html", marked_html(a, r.titles[i]));
		if (r.snippets[i][0] != '\0')
			tpl_set_html(a, t, "snippet", marked_html(a,
			    r.snippets[i]));
		else
			tpl_set_bool(a, t, "snippet", 0);
	}
	bl_buf_puts(&url, "/search?q=");
	html_url_component(&url, text, strlen(text));
	base = bl_arena_strndup(a, url.s, url.len);
	bl_buf_release(&url);
	tpl_set_text(a, sm, "first_url", base);
	pb_pagination(b, base, page, pages, 1);
	return pb_render(b, "search", 200, CC_FIND, 0);
}

int
site_search_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	const char *path = http_req_path(req);
	struct page_build b;
	struct page *p;

	if (strcmp(path, "/search") != 0 && strcmp(path, "/search/") != 0)
		return 0;
	if (strcmp(http_req_method(req), "POST") == 0)
		return 0;	/* the site answers 405 */
	memset(res, 0, sizeof(*res));
	if (pb_begin(&b, s, "/search") < 0) {
		b.err.unavailable = 1;
		site_fail(res, &b.err, "cannot reach the database");
		res->page = site_error_page(503, "Service unavailable");
		return 1;
	}
	/* Never cached: the possible queries are unbounded, and each is
	 * one indexed query. So only the coding this reader takes is made
	 * (compressing with both gzip and brotli was a quarter of the CPU
	 * of a search). */
	b.compress = page_compress_for(http_req_header(req, "Accept-Encoding"));
	p = build_search(&b, http_req_query(req, "q"),
	    page_param(http_req_query(req, "page")));
	if (p == NULL)
		p = site_fail(res, &b.err, "cannot build search page") == 503 ?
		    site_error_page(503, "Service unavailable") :
		    site_error_page(500, "Internal server error");
	pb_end(&b);
	res->page = p;
	return 1;
}

/* ------------------------------------------------------------ related */

int
site_related_list(struct site *s, struct store *st, struct bl_arena *a,
    int64_t article_id, struct st_article **items, size_t *n,
    struct bl_err *err)
{
	return store_related_list(st, a, article_id, (int)s->cfg.related_count,
	    items, n, err);
}
