/* XML sitemaps (an index, posts, listing pages), the Google News sitemap and robots.txt. */
#include "site/feed_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SITEMAP_MAX 50000          /* URLs per sitemap file (the protocol's limit) */
#define NEWS_MAX 1000              /* URLs in a news sitemap (Google's limit) */
#define NEWS_SECONDS (48 * 3600)   /* how recent a news sitemap's articles are */
#define READ_CHUNK 1000            /* articles read from the store at a time */
#define SITEMAP_CC "public, max-age=300"
#define ROBOTS_CC "public, max-age=3600"
#define SITEMAP_NS "http://www.sitemaps.org/schemas/sitemap/0.9"
#define NEWS_NS "http://www.google.com/schemas/sitemap-news/0.9"

/* A URL with its last modification, for the listing-pages sitemap. */
struct loc {
	const char *path;
	int64_t lastmod;
};

static int
loc_cmp(const void *x, const void *y)
{
	const struct loc *a = x, *b = y;

	return strcmp(a->path, b->path);
}

static void
url_entry(struct xw *x, struct site *s, struct bl_arena *a, const char *path,
    int64_t lastmod)
{
	xw_start(x, "url");
	xw_elem(x, "loc", feed_abs(s, a, path));
	if (lastmod > 0)
		xw_elem(x, "lastmod", site_time_iso(a, lastmod));
	xw_end(x);
}

static int64_t
article_mod(const struct st_article *ar)
{
	return ar->updated_at > ar->published_at ? ar->updated_at : ar->published_at;
}

static struct page *
xml_page(struct bl_buf *body, int64_t lastmod, int cached)
{
	struct page *p = page_new(200, XML_TYPE, SITEMAP_CC, body, 1);

	if (lastmod > 0)
		page_set_last_modified(p, lastmod);
	if (cached) {
		/* Any new or changed article may change every sitemap. */
		page_add_dep(p, "front");
		page_add_dep(p, "sections");
	}
	return p;
}

/* Reads published articles [offset, offset + count) newest first, calling
 * `fn` for each, in chunks so memory stays bounded. */
static int
each_article(struct store *st, int64_t offset, int64_t count,
    void (*fn)(void *, const struct st_article *), void *ctx, int64_t *total,
    struct bl_err *err)
{
	int64_t done = 0;

	for (;;) {
		struct bl_arena a;
		struct st_query q;
		struct st_list list;

		memset(&q, 0, sizeof(q));
		q.offset = (int)(offset + done);
		q.limit = count - done < READ_CHUNK ? (int)(count - done) : READ_CHUNK;
		if (q.limit <= 0)
			return 0;
		bl_arena_init(&a);
		if (store_article_list(st, &a, &q, &list, err) < 0) {
			bl_arena_release(&a);
			return -1;
		}
		if (total)
			*total = list.total;
		for (size_t i = 0; i < list.n; i++)
			fn(ctx, &list.items[i]);
		done += (int64_t)list.n;
		bl_arena_release(&a);
		if (list.n < (size_t)q.limit)
			return 0;
	}
}

/* ------------------------------------------------------------ index */

static void
max_mod(void *ctx, const struct st_article *ar)
{
	int64_t *m = ctx;

	if (article_mod(ar) > *m)
		*m = article_mod(ar);
}

static struct page *
build_index(struct site *s, struct bl_arena *a, struct store *st,
    struct bl_err *err)
{
	struct bl_buf body = BL_BUF_INIT;
	struct st_query q;
	struct st_list list;
	struct xw x;
	int64_t chunks, newest = 0;

	memset(&q, 0, sizeof(q));
	q.limit = 1;
	if (store_article_list(st, a, &q, &list, err) < 0)
		return NULL;
	chunks = list.total == 0 ? 1 : (list.total + SITEMAP_MAX - 1) / SITEMAP_MAX;
	xw_begin(&x, &body);
	xw_start(&x, "sitemapindex");
	xw_attr(&x, "xmlns", SITEMAP_NS);
	for (int64_t k = 0; k < chunks; k++) {
		int64_t mod = 0;

		if (each_article(st, k * SITEMAP_MAX, SITEMAP_MAX, max_mod, &mod,
		    NULL, err) < 0) {
			bl_buf_release(&body);
			return NULL;
		}
		if (mod > newest)
			newest = mod;
		xw_start(&x, "sitemap");
		xw_elem(&x, "loc", feed_abs(s, a, bl_arena_printf(a,
		    "/sitemap-posts-%lld.xml", (long long)k + 1)));
		if (mod > 0)
			xw_elem(&x, "lastmod", site_time_iso(a, mod));
		xw_end(&x);
	}
	xw_start(&x, "sitemap");
	xw_elem(&x, "loc", feed_abs(s, a, "/sitemap-pages.xml"));
	if (newest > 0)
		xw_elem(&x, "lastmod", site_time_iso(a, newest));
	xw_end(&x);
	xw_finish(&x);
	return xml_page(&body, newest, 1);
}

/* ------------------------------------------------------------ posts */

struct posts_ctx {
	struct xw *x;
	struct site *s;
	struct bl_arena *a;
	int64_t newest;
	size_t n;
};

static void
post_url(void *ctx, const struct st_article *ar)
{
	struct posts_ctx *c = ctx;

	url_entry(c->x, c->s, c->a, ar->path, article_mod(ar));
	if (article_mod(ar) > c->newest)
		c->newest = article_mod(ar);
	c->n++;
}

/* Returns NULL with err empty when chunk `k` (1-based) does not exist. */
static struct page *
build_posts(struct site *s, struct bl_arena *a, struct store *st, long k,
    struct bl_err *err)
{
	struct bl_buf body = BL_BUF_INIT;
	struct posts_ctx c;
	struct xw x;
	int64_t total = 0;

	memset(&c, 0, sizeof(c));
	c.x = &x;
	c.s = s;
	c.a = a;
	xw_begin(&x, &body);
	xw_start(&x, "urlset");
	xw_attr(&x, "xmlns", SITEMAP_NS);
	if (each_article(st, (int64_t)(k - 1) * SITEMAP_MAX, SITEMAP_MAX, post_url,
	    &c, &total, err) < 0) {
		bl_buf_release(&body);
		return NULL;
	}
	if (c.n == 0 && k > 1) {
		bl_buf_release(&body);
		err->msg[0] = '\0';
		return NULL;
	}
	xw_finish(&x);
	return xml_page(&body, c.newest, 1);
}

/* ---------------------------------------------------------- listings */

struct pages_ctx {
	struct bl_arena *a;
	struct loc *locs;
	size_t n, cap;
	int64_t newest;
};

static void
loc_add(struct pages_ctx *c, const char *path, int64_t mod)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct loc *nl = bl_arena_alloc(c->a, cap * sizeof(*nl));

		if (c->n)
			memcpy(nl, c->locs, c->n * sizeof(*nl));
		c->locs = nl;
		c->cap = cap;
	}
	c->locs[c->n].path = bl_arena_strdup(c->a, path);
	c->locs[c->n].lastmod = mod;
	c->n++;
}

static void
listing_locs(void *ctx, const struct st_article *ar)
{
	struct pages_ctx *c = ctx;
	int64_t mod = article_mod(ar);
	char buf[300];

	if (mod > c->newest)
		c->newest = mod;
	if (ar->section.id) {
		snprintf(buf, sizeof(buf), "/section/%s/", ar->section.slug);
		loc_add(c, buf, mod);
	}
	if (ar->author.id) {
		snprintf(buf, sizeof(buf), "/author/%s/", ar->author.slug);
		loc_add(c, buf, mod);
	}
	for (size_t i = 0; i < ar->ntags; i++) {
		snprintf(buf, sizeof(buf), "/tag/%s/", ar->tags[i].slug);
		loc_add(c, buf, mod);
	}
}

static struct page *
build_listing_pages(struct site *s, struct bl_arena *a, struct store *st,
    struct bl_err *err)
{
	struct bl_buf body = BL_BUF_INIT;
	struct pages_ctx c;
	struct xw x;
	size_t written = 1;

	memset(&c, 0, sizeof(c));
	c.a = a;
	if (each_article(st, 0, INT64_MAX / 2, listing_locs, &c, NULL, err) < 0)
		return NULL;
	if (c.n)
		qsort(c.locs, c.n, sizeof(*c.locs), loc_cmp);
	xw_begin(&x, &body);
	xw_start(&x, "urlset");
	xw_attr(&x, "xmlns", SITEMAP_NS);
	url_entry(&x, s, a, "/", c.newest);
	for (size_t i = 0; i < c.n && written < SITEMAP_MAX; ) {
		size_t j = i;
		int64_t mod = 0;

		for (; j < c.n && strcmp(c.locs[j].path, c.locs[i].path) == 0; j++)
			if (c.locs[j].lastmod > mod)
				mod = c.locs[j].lastmod;
		url_entry(&x, s, a, c.locs[i].path, mod);
		written++;
		i = j;
	}
	xw_finish(&x);
	return xml_page(&body, c.newest, 1);
}

/* -------------------------------------------------------------- news */

static struct page *
build_news(struct site *s, struct bl_arena *a, struct store *st,
    struct bl_err *err)
{
	struct bl_buf body = BL_BUF_INIT;
	int64_t since = (int64_t)time(NULL) - NEWS_SECONDS, newest = 0;
	struct st_query q;
	struct st_list list;
	struct xw x;
	size_t n = 0;
	int done = 0;

	xw_begin(&x, &body);
	xw_start(&x, "urlset");
	xw_attr(&x, "xmlns", SITEMAP_NS);
	xw_attr(&x, "xmlns:news", NEWS_NS);
	memset(&q, 0, sizeof(q));
	q.limit = 100;
	while (!done && n < NEWS_MAX) {
		if (store_article_list(st, a, &q, &list, err) < 0) {
			bl_buf_release(&body);
			return NULL;
		}
		for (size_t i = 0; i < list.n && n < NEWS_MAX; i++) {
			const struct st_article *ar = &list.items[i];

			if (ar->published_at < since) {
				done = 1;
				break;
			}
			if (article_mod(ar) > newest)
				newest = article_mod(ar);
			xw_start(&x, "url");
			xw_elem(&x, "loc", feed_abs(s, a, ar->path));
			xw_start(&x, "news:news");
			xw_start(&x, "news:publication");
			xw_elem(&x, "news:name", s->cfg.site_title);
			xw_elem(&x, "news:language", s->cfg.site_language);
			xw_end(&x);
			xw_elem(&x, "news:publication_date", site_time_iso(a, ar->published_at));
			xw_elem(&x, "news:title", ar->title);
			xw_end(&x);
			xw_end(&x);
			n++;
		}
		if (list.n < (size_t)q.limit)
			break;
		q.offset += q.limit;
	}
	xw_finish(&x);
	/* Never cached: which articles are recent enough changes by the clock. */
	return xml_page(&body, newest, 0);
}

/* ------------------------------------------------------------ robots */

static struct page *
build_robots(struct site *s)
{
	struct bl_buf body = BL_BUF_INIT;

	bl_buf_printf(&body, "User-agent: *\n"
	    "Disallow: /search\n"
	    "Disallow: /comments/\n"
	    "\n"
	    "Sitemap: %s/sitemap.xml\n"
	    "Sitemap: %s/news-sitemap.xml\n", s->cfg.site_url, s->cfg.site_url);
	return page_new(200, "text/plain; charset=utf-8", ROBOTS_CC, &body, 1);
}

/* ----------------------------------------------------------- routing */

enum sm_kind { SM_NONE, SM_INDEX, SM_POSTS, SM_PAGES, SM_NEWS, SM_ROBOTS };

static enum sm_kind
sm_match(const char *path, long *k)
{
	const char *p;
	char *end;

	if (strcmp(path, "/sitemap.xml") == 0)
		return SM_INDEX;
	if (strcmp(path, "/sitemap-pages.xml") == 0)
		return SM_PAGES;
	if (strcmp(path, "/news-sitemap.xml") == 0)
		return SM_NEWS;
	if (strcmp(path, "/robots.txt") == 0)
		return SM_ROBOTS;
	if (strncmp(path, "/sitemap-posts-", 15) != 0)
		return SM_NONE;
	p = path + 15;
	if (!isdigit((unsigned char)*p) || *p == '0' || strlen(p) > 10)
		return SM_NONE;
	*k = strtol(p, &end, 10);
	return strcmp(end, ".xml") == 0 && *k > 0 ? SM_POSTS : SM_NONE;
}

int
site_sitemap_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	const char *path = http_req_path(req);
	struct bl_arena *a = http_req_arena(req);
	enum sm_kind kind;
	struct store *st;
	struct bl_err err;
	struct page *p = NULL;
	uint64_t ticket;
	long k = 0;

	if ((kind = sm_match(path, &k)) == SM_NONE)
		return 0;
	if (strcmp(http_req_method(req), "POST") == 0) {
		res->page = feed_error_page(405, "Method not allowed");
		res->headers[0].name = "Allow";
		res->headers[0].value = "GET, HEAD";
		res->nheaders = 1;
		return 1;
	}
	if (kind == SM_ROBOTS) {
		res->page = build_robots(s);
		return 1;
	}
	if (kind != SM_NEWS && (p = page_cache_get(s->cache, path)) != NULL) {
		res->page = p;
		return 1;
	}
	ticket = page_cache_ticket(s->cache);
	if ((st = site_store(s, &err)) == NULL) {
		err.unavailable = 1;
		site_fail(res, &err, "cannot reach the database");
		res->page = feed_error_page(503, "Service unavailable");
		return 1;
	}
	err.msg[0] = '\0';
	switch (kind) {
	case SM_INDEX:
		p = build_index(s, a, st, &err);
		break;
	case SM_POSTS:
		p = build_posts(s, a, st, k, &err);
		break;
	case SM_PAGES:
		p = build_listing_pages(s, a, st, &err);
		break;
	default:
		p = build_news(s, a, st, &err);
		break;
	}
	site_store_put(s, st);
	if (p == NULL && err.msg[0] == '\0')
		return 0;      /* no such sitemap: the site's 404 page */
	if (p == NULL) {
		res->page = site_fail(res, &err, "cannot build sitemap") ==
		    503 ? feed_error_page(503, "Service unavailable") :
		    feed_error_page(500, "Internal server error");
		return 1;
	}
	if (kind != SM_NEWS)
		page_cache_put(s->cache, path, p, ticket);
	res->page = p;
	return 1;
}
