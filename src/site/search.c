/* Search over published articles, related articles, and the page helpers they share with archives. */
#include "site/find_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "render/html.h"

#define CC_FIND "public, max-age=60, stale-while-revalidate=300"
#define SEARCH_MAX_PAGE 1000
#define SEARCH_QUERY_MAX 1024        /* bytes of q used (the store's cap) */
#define SEARCH_SHOWN_MAX 120         /* bytes of q repeated in headings */

/* ------------------------------------------------------ shared helpers */

int
find_begin(struct find_build *b, struct site *s, const char *path)
{
	memset(b, 0, sizeof(*b));
	b->s = s;
	b->path = path;
	bl_arena_init(&b->a);
	b->st = site_store(s, &b->err);
	if (b->st == NULL) {
		bl_arena_release(&b->a);
		return -1;
	}
	return 0;
}

void
find_end(struct find_build *b)
{
	if (b->st != NULL)
		site_store_put(b->s, b->st);
	b->st = NULL;
	bl_arena_release(&b->a);
}

void
find_dep(struct find_build *b, const char *key)
{
	char **nd = bl_arena_alloc(&b->a, (b->ndeps + 1) * sizeof(*nd));

	if (b->ndeps)
		memcpy(nd, b->deps, b->ndeps * sizeof(*nd));
	nd[b->ndeps++] = bl_arena_strdup(&b->a, key);
	b->deps = nd;
}

int
find_common(struct find_build *b, const char *kind, const char *title,
    const char *description)
{
	struct bl_arena *a = &b->a;
	struct tpl_val *site, *nav;
	struct st_section *secs;
	size_t n;
	time_t now = time(NULL);
	struct tm tm;

	b->root = tpl_map(a);
	site = tpl_set_map(a, b->root, "site");
	tpl_set_text(a, site, "title", b->s->cfg.site_title);
	tpl_set_text(a, site, "description", b->s->cfg.site_description);
	tpl_set_text(a, site, "url", b->s->cfg.site_url);
	tpl_set_text(a, site, "language", b->s->cfg.site_language);
	b->page = tpl_set_map(a, b->root, "page");
	tpl_set_text(a, b->page, "kind", kind);
	tpl_set_text(a, b->page, "title", title);
	tpl_set_text(a, b->page, "description", description && *description ?
	    description : b->s->cfg.site_description);
	tpl_set_text(a, b->page, "canonical", bl_arena_printf(a, "%s%s",
	    b->s->cfg.site_url, b->path));
	site_meta_page(b->s, a, b->root, kind, b->path);
	localtime_r(&now, &tm);
	tpl_set_int(a, b->root, "year", tm.tm_year + 1900);
	if (store_section_list(b->st, a, &secs, &n, &b->err) < 0)
		return -1;
	nav = tpl_set_list(a, b->root, "nav");
	for (size_t i = 0; i < n; i++) {
		struct tpl_val *it = tpl_list_add_map(a, nav);
		tpl_set_text(a, it, "name", secs[i].name);
		tpl_set_text(a, it, "url", bl_arena_printf(a, "/section/%s/",
		    secs[i].slug));
		tpl_set_bool(a, it, "current", 0);
	}
	find_dep(b, "sections");
	return 0;
}

void
find_teaser(struct find_build *b, struct tpl_val *t, const struct st_article *ar)
{
	struct bl_arena *a = &b->a;

	tpl_set_text(a, t, "title", ar->title);
	tpl_set_text(a, t, "url", ar->path);
	tpl_set_text(a, t, "summary", ar->standfirst[0] ? ar->standfirst :
	    ar->excerpt);
	tpl_set_text(a, t, "published_iso", site_time_iso(a, ar->published_at));
	tpl_set_text(a, t, "published_human", site_time_human(a,
	    ar->published_at));
	tpl_set_int(a, t, "comment_count", ar->comment_count);
	/* Every key a teaser reads is set, so none resolves from an outer
	 * scope. */
	if (ar->section.id) {
		struct tpl_val *m = tpl_set_map(a, t, "section");
		tpl_set_text(a, m, "name", ar->section.name);
		tpl_set_text(a, m, "url", bl_arena_printf(a, "/section/%s/",
		    ar->section.slug));
	} else
		tpl_set_bool(a, t, "section", 0);
	if (ar->author.id) {
		struct tpl_val *m = tpl_set_map(a, t, "author");
		tpl_set_text(a, m, "name", ar->author.name);
		tpl_set_text(a, m, "url", bl_arena_printf(a, "/author/%s/",
		    ar->author.slug));
	} else
		tpl_set_bool(a, t, "author", 0);
	tpl_set_bool(a, t, "photo", 0);
	for (size_t i = 0; i < ar->nphotos; i++) {
		const struct st_photo *p = &ar->photos[i];
		struct tpl_val *m;

		if (p->file[0] == '\0')
			continue;
		m = tpl_set_map(a, t, "photo");
		tpl_set_text(a, m, "src", bl_arena_printf(a, "/media/%s", p->file));
		tpl_set_text(a, m, "alt", p->alt[0] ? p->alt : p->caption);
		if (p->width > 0) {
			tpl_set_int(a, m, "width", p->width);
			tpl_set_int(a, m, "height", p->height);
		}
		break;
	}
	{
		struct tpl_val *tags = tpl_set_list(a, t, "tags");
		for (size_t i = 0; i < ar->ntags; i++) {
			struct tpl_val *m = tpl_list_add_map(a, tags);
			tpl_set_text(a, m, "name", ar->tags[i].name);
			tpl_set_text(a, m, "url", bl_arena_printf(a, "/tag/%s/",
			    ar->tags[i].slug));
		}
	}
	if (ar->updated_at > b->last_modified)
		b->last_modified = ar->updated_at;
	find_dep(b, bl_arena_printf(a, "article:%lld", (long long)ar->id));
}

void
find_pagination(struct find_build *b, const char *base, int page, int pages,
    int query)
{
	struct bl_arena *a = &b->a;
	struct tpl_val *p = tpl_set_map(a, b->root, "pagination");
	const char *fmt = query ? "%s&page=%d" : "%spage/%d/";

	tpl_set_int(a, p, "page", page);
	tpl_set_int(a, p, "pages", pages);
	if (page > 1)
		tpl_set_text(a, p, "prev_url", page == 2 ? base :
		    bl_arena_printf(a, fmt, base, page - 1));
	if (page < pages)
		tpl_set_text(a, p, "next_url", bl_arena_printf(a, fmt, base,
		    page + 1));
}

struct page *
find_render(struct find_build *b, const char *tpl, int status,
    const char *cache_control)
{
	struct bl_buf out;
	struct page *p;

	bl_buf_init(&out, 32u * 1024 * 1024);
	if (tpl_render(b->s->tpl, tpl, b->root, &out, &b->err) < 0) {
		bl_buf_release(&out);
		return NULL;
	}
	p = page_new(status, HTML_TYPE, cache_control, &out, 1);
	for (size_t i = 0; i < b->ndeps; i++)
		page_add_dep(p, b->deps[i]);
	if (b->last_modified)
		page_set_last_modified(p, b->last_modified);
	return p;
}

struct page *
find_error_page(int status, const char *text)
{
	struct bl_buf body = BL_BUF_INIT;

	bl_buf_printf(&body, "<!DOCTYPE html><html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>%s</title></head><body><h1>%s</h1>"
	    "</body></html>\n", text, text);
	return page_new(status, HTML_TYPE, "no-store", &body, 0);
}

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
build_search(struct find_build *b, const char *raw, int page)
{
	struct bl_arena *a = &b->a;
	struct site *s = b->s;
	struct st_search q;
	struct st_search_result r;
	struct tpl_val *sm, *items;
	struct bl_buf url = BL_BUF_INIT;
	const char *text = clean_query(a, raw), *shown, *title, *base;
	int per = (int)s->cfg.pages_per_page, pages = 1, failed = 0;

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
	if (r.total > 0)
		pages = (int)((r.total + per - 1) / per);
	if (*text == '\0')
		title = bl_arena_printf(a, "Search – %s", s->cfg.site_title);
	else if (page > 1)
		title = bl_arena_printf(a, "Search results for “%s”, page %d – %s",
		    shown, page, s->cfg.site_title);
	else
		title = bl_arena_printf(a, "Search results for “%s” – %s", shown,
		    s->cfg.site_title);
	if (find_common(b, "search", title, *text ? bl_arena_printf(a,
	    "Stories on %s matching “%s”.", s->cfg.site_title, shown) :
	    bl_arena_printf(a, "Search the stories of %s.", s->cfg.site_title)) < 0)
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
	tpl_set_int(a, sm, "total", r.total);
	tpl_set_text(a, sm, "total_label", r.total == 1 ? "1 result" :
	    bl_arena_printf(a, "%lld results", (long long)r.total));
	tpl_set_bool(a, sm, "beyond", r.total > 0 && r.n == 0);
	items = tpl_set_list(a, b->root, "items");
	for (size_t i = 0; i < r.n; i++) {
		struct tpl_val *t = tpl_list_add_map(a, items);

		find_teaser(b, t, &r.items[i]);
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
	find_pagination(b, base, page, pages, 1);
	return find_render(b, "search", 200, CC_FIND);
}

int
site_search_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	const char *path = http_req_path(req);
	struct find_build b;
	struct page *p;

	if (strcmp(path, "/search") != 0 && strcmp(path, "/search/") != 0)
		return 0;
	if (strcmp(http_req_method(req), "POST") == 0)
		return 0;	/* the site answers 405 */
	memset(res, 0, sizeof(*res));
	if (find_begin(&b, s, "/search") < 0) {
		fprintf(stderr, "byline: %s\n", b.err.msg);
		res->page = find_error_page(503, "Service unavailable");
		return 1;
	}
	/* Never cached: the possible queries are unbounded, and each is
	 * one indexed query. */
	p = build_search(&b, http_req_query(req, "q"),
	    page_param(http_req_query(req, "page")));
	if (p == NULL) {
		fprintf(stderr, "byline: cannot build search page: %s\n",
		    b.err.msg);
		p = find_error_page(500, "Internal server error");
	}
	find_end(&b);
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
