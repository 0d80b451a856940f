/* The site's pages: routing, template data, caching and static files. */
#include "site/site_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/file.h"
#include "render/html.h"

#define CC_HTML "public, max-age=60, stale-while-revalidate=300"
#define CC_STATIC "public, max-age=3600"
#define CC_MEDIA "public, max-age=31536000, immutable"
#define MAX_STATIC_BYTES ((size_t)4 * 1024 * 1024)
#define MAX_PAGE_NUMBER 100000

/* The generic 404 page, cached once: it shows no part of the request, so
 * any number of bad URLs costs one cache entry. */
static struct page *
build_notfound(struct page_build *b)
{
	if (pb_common(b, "notfound", bl_arena_printf(&b->a, "Page not found – %s",
	    b->s->cfg.site_title), NULL, NULL) < 0)
		return NULL;
	return pb_render(b, "notfound", 404, CC_HTML, 0);
}

static struct page *
build_front(struct page_build *b, int page)
{
	struct bl_arena *a = &b->a;
	struct site *s = b->s;
	struct st_query q;
	struct st_list lead, latest;
	int per = (int)s->cfg.pages_per_page, pages;
	const char *title;

	memset(&q, 0, sizeof(q));
	q.limit = 1;
	if (store_article_list(b->st, a, &q, &lead, &b->err) < 0)
		return NULL;
	pages = lead.total <= 1 ? 1 : (int)((lead.total - 1 + per - 1) / per);
	if (page > pages)
		return build_notfound(b);
	title = page == 1 ? s->cfg.site_title :
	    bl_arena_printf(a, "Latest stories, page %d – %s", page, s->cfg.site_title);
	if (pb_common(b, "front", title, NULL, NULL) < 0)
		return NULL;
	pb_dep(b, "front");
	/* The lead's count already gave the number of pages. */
	memset(&q, 0, sizeof(q));
	q.limit = per;
	q.offset = 1 + (page - 1) * per;
	q.no_total = 1;
	if (store_article_list(b->st, a, &q, &latest, &b->err) < 0)
		return NULL;
	if (page == 1 && lead.n) {
		struct st_section *secs;
		struct tpl_val *sections;
		size_t n;

		pb_teaser(b, tpl_set_map(a, b->root, "lead"), &lead.items[0]);
		if (store_section_list(b->st, a, 0, &secs, &n, &b->err) < 0)
			return NULL;
		sections = tpl_set_list(a, b->root, "sections");
		for (size_t i = 0; i < n; i++) {
			struct st_list items;
			struct tpl_val *m;

			memset(&q, 0, sizeof(q));
			q.section = secs[i].slug;
			q.exclude_id = lead.items[0].id;
			q.limit = (int)s->cfg.front_section_items;
			q.no_total = 1;
			if (store_article_list(b->st, a, &q, &items, &b->err) < 0)
				return NULL;
			if (items.n == 0)
				continue;
			m = tpl_list_add_map(a, sections);
			tpl_set_text(a, m, "name", secs[i].name);
			tpl_set_text(a, m, "url", bl_arena_printf(&b->a, "/section/%s/", secs[i].slug));
			pb_teasers(b, m, "items", items.items, items.n);
		}
	}
	pb_teasers(b, b->root, "latest", latest.items, latest.n);
	pb_pagination(b, "/", page, pages, 0);
	return pb_render(b, "front", 200, CC_HTML, 0);
}

enum listing_kind { L_SECTION, L_TAG, L_AUTHOR };

static struct page *
build_listing(struct page_build *b, enum listing_kind kind, const char *slug, int page)
{
	struct bl_arena *a = &b->a;
	struct st_query q;
	struct st_list list;
	struct tpl_val *l;
	const char *name, *label, *description, *base, *kname, *current = NULL;
	int per = (int)b->s->cfg.pages_per_page, pages, rc;

	memset(&q, 0, sizeof(q));
	if (kind == L_SECTION) {
		struct st_section sec;
		rc = store_section_get(b->st, a, slug, &sec, &b->err);
		if (rc != 0)
			return rc < 0 ? NULL : build_notfound(b);
		name = sec.name;
		label = "Section";
		kname = "section";
		description = bl_arena_printf(a, "The latest %s stories from %s.",
		    sec.name, b->s->cfg.site_title);
		base = bl_arena_printf(&b->a, "/section/%s/", sec.slug);
		q.section = sec.slug;
		current = sec.slug;
		pb_dep(b, bl_arena_printf(a, "section:%s", sec.slug));
	} else if (kind == L_TAG) {
		struct st_tag tag;
		rc = store_tag_get(b->st, a, slug, &tag, &b->err);
		if (rc != 0)
			return rc < 0 ? NULL : build_notfound(b);
		name = bl_arena_printf(a, "#%s", tag.name);
		label = "Tag";
		kname = "tag";
		description = bl_arena_printf(a, "Stories tagged #%s.", tag.name);
		base = bl_arena_printf(&b->a, "/tag/%s/", tag.slug);
		q.tag = tag.slug;
		pb_dep(b, bl_arena_printf(a, "tag:%s", tag.slug));
	} else {
		struct st_author au;
		rc = store_author_get(b->st, a, slug, &au, &b->err);
		if (rc != 0)
			return rc < 0 ? NULL : build_notfound(b);
		name = au.name;
		label = "Author";
		kname = "author";
		description = au.bio[0] ? au.bio :
		    bl_arena_printf(a, "Stories by %s.", au.name);
		base = bl_arena_printf(&b->a, "/author/%s/", au.slug);
		q.author = au.slug;
		pb_dep(b, bl_arena_printf(a, "author:%s", au.slug));
	}
	q.limit = per;
	q.offset = (page - 1) * per;
	if (store_article_list(b->st, a, &q, &list, &b->err) < 0)
		return NULL;
	pages = list.total == 0 ? 1 : (int)((list.total + per - 1) / per);
	if (page > pages)
		return build_notfound(b);
	if (pb_common(b, kname, page == 1 ?
	    bl_arena_printf(a, "%s – %s", name, b->s->cfg.site_title) :
	    bl_arena_printf(a, "%s, page %d – %s", name, page, b->s->cfg.site_title),
	    description, current) < 0)
		return NULL;
	l = tpl_set_map(a, b->root, "listing");
	tpl_set_text(a, l, "kind", kname);
	tpl_set_text(a, l, "label", label);
	tpl_set_text(a, l, "name", name);
	tpl_set_text(a, l, "description", description);
	pb_teasers(b, b->root, "items", list.items, list.n);
	pb_pagination(b, base, page, pages, 0);
	return pb_render(b, "listing", 200, CC_HTML, 0);
}


/* --------------------------------------------------------- comments */

struct cnode {
	int64_t id;
	size_t idx;
};

static int
cnode_cmp(const void *x, const void *y)
{
	const struct cnode *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * How an article's approved comments (oldest first) fall into pages.
 * A thread is a top-level comment with all its replies; threads are
 * numbered oldest first, and page k holds threads (k-1)*per .. k*per-1,
 * so a page keeps its threads as new ones arrive. The newest page is the
 * one the article's own URL shows.
 */
struct cpages {
	size_t *parent;        /* per comment: its parent's index, or n */
	size_t *thread;        /* per comment: its thread's number */
	size_t nthreads;
	size_t lo, hi;         /* the threads shown: lo <= thread < hi */
	int page, pages;       /* the page shown (1..pages), of how many */
};

/*
 * Splits `n` comments into pages and picks page `cpage` (0: the newest,
 * the article's own URL). A reply whose parent is not among them, or
 * comes after it, starts a thread of its own, as comment_thread() shows
 * it. Returns 0, or 1 when there is no such page: beyond the last, or
 * any numbered page when all comments fit on one.
 */
static int
comment_split(struct bl_arena *a, size_t per, const struct st_comment *cs,
    size_t n, int cpage, struct cpages *cp)
{
	struct cnode *byid = bl_arena_alloc(a, (n + 1) * sizeof(*byid));

	memset(cp, 0, sizeof(*cp));
	cp->parent = bl_arena_alloc(a, (n + 1) * sizeof(*cp->parent));
	cp->thread = bl_arena_alloc(a, (n + 1) * sizeof(*cp->thread));
	for (size_t i = 0; i < n; i++) {
		byid[i].id = cs[i].id;
		byid[i].idx = i;
	}
	qsort(byid, n, sizeof(*byid), cnode_cmp);
	for (size_t i = 0; i < n; i++) {
		struct cnode key = { cs[i].parent_id, 0 }, *hit = NULL;

		if (cs[i].parent_id > 0)
			hit = bsearch(&key, byid, n, sizeof(*byid), cnode_cmp);
		if (hit != NULL && hit->idx < i) {
			cp->parent[i] = hit->idx;
			cp->thread[i] = cp->thread[hit->idx];
		} else {
			cp->parent[i] = n;
			cp->thread[i] = cp->nthreads++;
		}
	}
	cp->pages = per == 0 || cp->nthreads == 0 ? 1 :
	    (int)((cp->nthreads + per - 1) / per);
	if (cpage > cp->pages || (cpage >= 1 && cp->pages == 1))
		return 1;
	cp->page = cpage >= 1 ? cpage : cp->pages;
	cp->lo = per == 0 ? 0 : (size_t)(cp->page - 1) * per;
	cp->hi = per == 0 ? cp->nthreads : cp->lo + per;
	return 0;
}

int
site_comment_url(struct site *s, struct bl_arena *a, const char *article_path,
    const struct st_comment *cs, size_t n, int64_t id, const char **url)
{
	struct cpages cp;
	size_t per = (size_t)s->cfg.comments_per_page, i;
	int k;

	for (i = 0; i < n && cs[i].id != id; i++)
		;
	if (i == n || comment_split(a, per, cs, n, 0, &cp) != 0)
		return 1;
	k = per == 0 ? 1 : (int)(cp.thread[i] / per) + 1;
	*url = k == cp.pages ?
	    bl_arena_printf(a, "%s#comment-%lld", article_path, (long long)id) :
	    bl_arena_printf(a, "%scomment-page-%d/#comment-%lld", article_path,
	    k, (long long)id);
	return 0;
}

/* The URL of page k of an article's comments: the newest is the
 * article's own. */
static const char *
comment_page_url(struct bl_arena *a, const struct st_article *ar,
    const struct cpages *cp, int k)
{
	return k == cp->pages ? ar->path :
	    bl_arena_printf(a, "%scomment-page-%d/", ar->path, k);
}

/*
 * The links between the pages of comments, as article.comment_pages
 * (nothing when there is one page): page pages older_url newer_url, and
 * numbers[] (number url current gap) holding the first and last pages and
 * two either side of this one, with a gap item where pages are skipped.
 */
static void
comment_nav(struct page_build *b, struct tpl_val *m, const struct st_article *ar,
    const struct cpages *cp)
{
	struct bl_arena *a = &b->a;
	struct tpl_val *nav, *nums;
	int gap = 0;

	if (cp->pages < 2)
		return;
	nav = tpl_set_map(a, m, "comment_pages");
	tpl_set_int(a, nav, "page", cp->page);
	tpl_set_int(a, nav, "pages", cp->pages);
	if (cp->page > 1)
		tpl_set_text(a, nav, "older_url", comment_page_url(a, ar, cp, cp->page - 1));
	else
		tpl_set_bool(a, nav, "older_url", 0);
	if (cp->page < cp->pages)
		tpl_set_text(a, nav, "newer_url", comment_page_url(a, ar, cp, cp->page + 1));
	else
		tpl_set_bool(a, nav, "newer_url", 0);
	nums = tpl_set_list(a, nav, "numbers");
	for (int k = 1; k <= cp->pages; k++) {
		struct tpl_val *it;

		if (k != 1 && k != cp->pages && (k < cp->page - 2 || k > cp->page + 2)) {
			gap = 1;
			continue;
		}
		if (gap) {
			it = tpl_list_add_map(a, nums);
			tpl_set_bool(a, it, "gap", 1);
			tpl_set_int(a, it, "number", 0);
			tpl_set_bool(a, it, "url", 0);
			tpl_set_bool(a, it, "current", 0);
			gap = 0;
		}
		it = tpl_list_add_map(a, nums);
		tpl_set_bool(a, it, "gap", 0);
		tpl_set_int(a, it, "number", k);
		tpl_set_text(a, it, "url", comment_page_url(a, ar, cp, k));
		tpl_set_bool(a, it, "current", k == cp->page);
	}
}

/*
 * The approved comments of one page as threads: top-level comments in the
 * configured order, replies oldest first under their parent, nested to
 * thread_depth. Every node gets every key its template reads (false when
 * absent), since names resolve outwards and a reply must not show its
 * parent's values. Reply links lead back to this page (`path`). The count
 * label is of all `n` comments. Returns the highest id shown (0: none).
 */
static int64_t
comment_thread(struct page_build *b, struct tpl_val *m, const char *path,
    const struct st_article *ar, const struct st_comment *cs, size_t n,
    const struct cpages *cp)
{
	struct bl_arena *a = &b->a;
	struct site *s = b->s;
	struct tpl_val *top = tpl_set_list(a, m, "comments");
	struct tpl_val **maps = bl_arena_alloc(a, (n + 1) * sizeof(*maps));
	struct tpl_val **children = bl_arena_alloc(a, (n + 1) * sizeof(*children));
	int *depth = bl_arena_alloc(a, (n + 1) * sizeof(*depth));
	size_t *order = bl_arena_alloc(a, (n + 1) * sizeof(*order));
	size_t ntop = 0;
	int newest = strcmp(s->cfg.comments_order, "newest") == 0;
	int closed = site_comments_closed(s, ar->published_at);
	int64_t max_id = 0;

	tpl_set_text(a, m, "comment_count_label", n == 0 ? "No comments yet." :
	    n == 1 ? "1 comment" : bl_arena_printf(a, "%zu comments", n));
	for (size_t i = 0; i < n; i++) {
		const struct st_comment *c = &cs[i];
		struct tpl_val *map;
		struct bl_buf body = BL_BUF_INIT;
		char av[33];

		/* Every comment counts for Last-Modified: a new one anywhere
		 * changes this page's count and links too. */
		pb_modified(b, c->created_at);
		if (cp->thread[i] < cp->lo || cp->thread[i] >= cp->hi)
			continue;
		if (cp->parent[i] < n) {
			size_t pi = cp->parent[i];
			map = tpl_list_add_map(a, children[pi]);
			depth[i] = depth[pi] + 1;
		} else {
			/* Top level (or an orphan whose parent is not shown). */
			map = tpl_map(a);
			order[ntop++] = i;
			depth[i] = 1;
		}
		maps[i] = map;
		children[i] = tpl_set_list(a, map, "children");
		if (c->id > max_id)
			max_id = c->id;
		tpl_set_int(a, map, "id", c->id);
		tpl_set_int(a, map, "depth", depth[i]);
		tpl_set_text(a, map, "author", c->author);
		if (c->url[0] && html_url_is_safe(c->url, strlen(c->url)))
			tpl_set_text(a, map, "author_url", c->url);
		else
			tpl_set_bool(a, map, "author_url", 0);
		tpl_set_text(a, map, "time_iso", site_time_iso(a, c->created_at));
		tpl_set_text(a, map, "time_human", site_time_human(a, c->created_at));
		cmt_avatar_id(&s->keys, c->email, av);
		tpl_set_text(a, map, "avatar", bl_arena_printf(a, "/avatar/%s.svg", av));
		if (depth[i] < s->cfg.comments_thread_depth && !closed)
			tpl_set_text(a, map, "reply_url", bl_arena_printf(a,
			    "%s?replytocom=%lld#respond", path, (long long)c->id));
		else
			tpl_set_bool(a, map, "reply_url", 0);
		cmt_format(&body, c->body);
		tpl_set_html(a, map, "body", bl_arena_strndup(a, body.s, body.len));
		bl_buf_release(&body);
	}
	/* Top-level maps were made detached so their order can be chosen. */
	for (size_t k = 0; k < ntop; k++)
		tpl_list_add_val(a, top, maps[order[newest ? ntop - 1 - k : k]]);
	return max_id;
}

/*
 * What kind of article URL `path` is: 0 for the article itself
 * ("/YYYY/MM/DD/slug/"), N for its comment page N
 * ("/YYYY/MM/DD/slug/comment-page-N/", N >= 1 without leading zeros),
 * -1 for anything else. *base gets the length of the article's own path.
 */
static int
article_url(const char *path, size_t *base)
{
	static const char seg[] = "comment-page-";
	size_t n = strlen(path), k;

	if (site_is_article_path(path, n)) {
		*base = n;
		return 0;
	}
	/* The last segment, "comment-page-N/", after the article's path. */
	if (n < 2 || path[n - 1] != '/')
		return -1;
	for (k = n - 1; k > 0 && path[k - 1] != '/'; k--)
		;
	if (k == 0 || strncmp(path + k, seg, sizeof(seg) - 1) != 0 ||
	    !site_is_article_path(path, k))
		return -1;
	*base = k;
	return site_page_number(path + k + sizeof(seg) - 1);
}

/*
 * An article page: the article's own URL shows the newest page of its
 * comments, ARTICLE/comment-page-N/ page N (docs/comments.md). 404 for
 * no such article or page of comments.
 */
static struct page *
build_article(struct page_build *b)
{
	struct bl_arena *a = &b->a;
	struct st_article *ar;
	struct st_comment *cs = NULL;
	struct cpages cp;
	struct tpl_val *m;
	struct page *p;
	size_t nc = 0, words = 0, base;
	int rc, closed, cpage;
	int64_t max_id;

	cpage = article_url(b->path, &base);
	if (cpage < 0)
		return build_notfound(b);
	rc = store_article_by_path(b->st, a, bl_arena_strndup(a, b->path, base), &ar,
	    &b->err);
	if (rc != 0)
		return rc < 0 ? NULL : build_notfound(b);
	if (store_comment_list(b->st, a, ar->id, &cs, &nc, &b->err) < 0)
		return NULL;
	if (comment_split(&b->a, (size_t)b->s->cfg.comments_per_page, cs, nc,
	    cpage, &cp) != 0)
		return build_notfound(b);
	if (pb_common(b, "article", cpage == 0 ?
	    bl_arena_printf(a, "%s – %s", ar->title, b->s->cfg.site_title) :
	    bl_arena_printf(a, "%s – comments, page %d – %s", ar->title, cpage,
	    b->s->cfg.site_title), ar->standfirst[0] ? ar->standfirst : ar->excerpt,
	    ar->section.id ? ar->section.slug : NULL) < 0)
		return NULL;
	pb_dep(b, bl_arena_printf(a, "article:%lld", (long long)ar->id));
	m = tpl_set_map(a, b->root, "article");
	pb_teaser(b, m, ar);
	tpl_set_text(a, m, "standfirst", ar->standfirst[0] ? ar->standfirst : NULL);
	tpl_set_text(a, m, "dateline", ar->dateline[0] ? ar->dateline : NULL);
	tpl_set_html(a, m, "body", ar->body_html);
	tpl_set_text(a, m, "updated_iso", site_time_iso(a, ar->updated_at));
	tpl_set_text(a, m, "updated_human", site_time_human(a, ar->updated_at));
	tpl_set_bool(a, m, "is_updated", ar->updated_at > ar->published_at + 60);
	for (const char *w = ar->body_source; *w; w++)
		if (isspace((unsigned char)w[0]) && !isspace((unsigned char)w[1]))
			words++;
	tpl_set_int(a, m, "reading_minutes", words / 230 + 1);
	max_id = comment_thread(b, m, b->path, ar, cs, nc, &cp);
	comment_nav(b, m, ar, &cp);
	closed = site_comments_closed(b->s, ar->published_at);
	if (closed)
		tpl_set_bool(a, m, "comments_closed", 1);
	else
		tpl_set_html(a, m, "comment_form", PAGE_SPLICE_MARKER);
	{
		struct st_article *rel;
		size_t nrel;

		if (site_related_list(b->s, b->st, a, ar->id, &rel, &nrel, &b->err) < 0)
			return NULL;
		pb_teasers(b, b->root, "related", rel, nrel);
	}
	site_meta_article(b->s, a, b->root, ar);
	p = pb_render(b, "article", 200, CC_HTML, !closed);
	if (p != NULL) {
		p->meta[0] = ar->id;
		p->meta[1] = ar->published_at;
		p->meta[2] = max_id;
	}
	return p;
}

/* ------------------------------------------------------------- routing */

enum route {
	R_NONE, R_FRONT, R_ARTICLE, R_SECTION, R_TAG, R_AUTHOR,
};

/* Matches cacheable HTML routes. Sets *slug (arena) and *page. */
static enum route
match(struct page_build *b, const char *path, char **slug, int *page)
{
	static const struct { const char *prefix; enum route r; } lists[] = {
		{ "/section/", R_SECTION }, { "/tag/", R_TAG }, { "/author/", R_AUTHOR },
	};

	*page = 1;
	if (strcmp(path, "/") == 0)
		return R_FRONT;
	if (strncmp(path, "/page/", 6) == 0) {
		*page = site_page_number(path + 6);
		return *page >= 2 ? R_FRONT : R_NONE;
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(*lists); i++) {
		size_t pl = strlen(lists[i].prefix);
		const char *rest, *slash;

		if (strncmp(path, lists[i].prefix, pl) != 0)
			continue;
		rest = path + pl;
		slash = strchr(rest, '/');
		if (slash == NULL || !site_is_slug(rest, (size_t)(slash - rest)))
			return R_NONE;
		*slug = bl_arena_strndup(&b->a, rest, (size_t)(slash - rest));
		if (slash[1] == '\0')
			return lists[i].r;
		if (strncmp(slash + 1, "page/", 5) == 0) {
			*page = site_page_number(slash + 6);
			return *page >= 2 ? lists[i].r : R_NONE;
		}
		return R_NONE;
	}
	{
		size_t base;

		if (article_url(path, &base) >= 0)
			return R_ARTICLE;
	}
	return R_NONE;
}

static const char *
file_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".css", "text/css; charset=utf-8" }, { ".js", "application/javascript" },
		{ ".svg", "image/svg+xml" }, { ".png", "image/png" },
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
		{ ".webp", "image/webp" }, { ".gif", "image/gif" },
		{ ".ico", "image/x-icon" }, { ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(*types); i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* A safe relative file path: no empty, hidden or ".." segments. */
static int
safe_rel(const char *p)
{
	const char *seg = p;

	if (*p == '\0')
		return 0;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		if (n == 0 || seg[0] == '.')
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)seg[i] < 0x20 || seg[i] == '\\')
				return 0;
		if (end == NULL)
			return 1;
		seg = end + 1;
	}
}

static int
regular_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Theme assets come from DIR/theme/static first, then the default theme.
 * They are small, so they go through the page cache and get compressed. */
static struct page *
build_static(struct page_build *b, const char *rel)
{
	const char *type = file_type(rel);
	struct bl_buf body = BL_BUF_INIT;
	char *path;
	struct page *p;

	if (type == NULL || !safe_rel(rel))
		return NULL;
	path = bl_arena_printf(&b->a, "%s/static/%s", b->s->override_dir, rel);
	if (!regular_file(path))
		path = bl_arena_printf(&b->a, "%s/static/%s", b->s->theme_dir, rel);
	if (!regular_file(path) || bl_file_read(path, MAX_STATIC_BYTES, &body, NULL) < 0) {
		bl_buf_release(&body);
		return NULL;
	}
	p = page_new(200, type, CC_STATIC, &body, 1);
	page_add_dep(p, "static");
	return p;
}


/* Paths of known shapes that lack their trailing slash get a redirect. */
static struct page *
slash_redirect(struct page_build *b, const char *path)
{
	char *with = bl_arena_printf(&b->a, "%s/", path);
	char *slug;
	int page;

	if (match(b, with, &slug, &page) == R_NONE)
		return NULL;
	return page_redirect(301, with);
}

struct page *
site_article_page(struct site *s, const char *path, struct bl_err *err)
{
	struct page *p = page_cache_get(s->cache, path);
	struct page_build b;
	uint64_t ticket;

	if (p != NULL)
		return p;
	memset(&b, 0, sizeof(b));
	b.s = s;
	b.path = path;
	b.compress = PAGE_COMPRESS_ALL;
	bl_arena_init(&b.a);
	ticket = page_cache_ticket(s->cache);
	b.st = site_store(s, err);
	if (b.st == NULL) {
		bl_arena_release(&b.a);
		return NULL;
	}
	{
		size_t base;

		p = article_url(path, &base) >= 0 ? build_article(&b) : NULL;
	}
	site_store_put(s, b.st);
	if (p != NULL && p->status == 200)
		page_cache_put(s->cache, path, p, ticket);
	else if (p != NULL) {
		page_unref(p);
		p = NULL;
		bl_errf(err, "no article at '%s'", path);
	} else
		bl_errf(err, "%s", b.err.msg);
	bl_arena_release(&b.a);
	return p;
}

/* Puts a fresh comment form into an article page for this one response. */
static void
splice_form(struct site *s, const struct http_req *req, struct http_result *res)
{
	struct page *p = res->page;
	struct comment_form f;
	const char *frag, *reply;
	size_t len;
	uint32_t crc;

	if (p == NULL || p->splice_at < 0 || p->meta[0] <= 0)
		return;
	memset(&f, 0, sizeof(f));
	f.article_id = p->meta[0];
	f.article_path = http_req_path(req);
	f.closed = site_comments_closed(s, p->meta[1]);
	f.page_known = 1;
	f.page_newest = p->meta[2];
	reply = http_req_query(req, "replytocom");
	if (reply && *reply) {
		char *end;
		long long v = strtoll(reply, &end, 10);
		if (*end == '\0' && v > 0)
			f.reply_to = v;
	}
	/* The fresh form comes with its CRC, which the gzip member needs. */
	if (comment_form_fresh(s, req, &f) && form_skel_fill(s,
	    http_req_arena(req), f.article_id, &frag, &len, &crc) == 0) {
		res->fragment = frag;
		res->fragment_len = len;
		res->fragment_crc = crc;
		res->fragment_has_crc = 1;
	} else if (site_comment_fragment(s, http_req_arena(req), req, &f,
	    &frag, &len) == 0) {
		res->fragment = frag;
		res->fragment_len = len;
	}
	/* Each view carries its own question, and may carry the reader's
	 * saved details: never for a shared cache. */
	res->cache_control = "private, no-cache";
}

void
site_handle(void *ctx, const struct http_req *req, struct http_result *res)
{
	struct site *s = ctx;
	const char *path = http_req_path(req);
	struct page_build b;
	struct page *p = NULL;
	enum route r;
	char *slug = NULL;
	int page = 1, cacheable = 1;
	uint64_t ticket;

	memset(res, 0, sizeof(*res));
	if (site_comment_route(s, req, res) || site_feed_route(s, req, res) ||
	    site_search_route(s, req, res) || site_archive_route(s, req, res))
		return;
	if (strcmp(http_req_method(req), "POST") == 0) {
		res->page = site_error_page(405, "Method not allowed");
		res->headers[0].name = "Allow";
		res->headers[0].value = "GET, HEAD";
		res->nheaders = 1;
		return;
	}
	p = page_cache_get(s->cache, path);
	if (p != NULL) {
		res->page = p;
		splice_form(s, req, res);
		return;
	}
	memset(&b, 0, sizeof(b));
	b.s = s;
	b.path = path;
	b.compress = PAGE_COMPRESS_ALL;
	bl_arena_init(&b.a);

	if (strncmp(path, "/media/", 7) == 0) {
		const char *rel = path + 7;
		char *file;

		if (safe_rel(rel) && file_type(rel)) {
			file = bl_arena_printf(&b.a, "%s/%s", s->media_dir, rel);
			if (regular_file(file)) {
				/* The server frees file_owned once it has answered. */
				res->file_owned = bl_xstrdup(file);
				res->file_path = res->file_owned;
				res->file_type = file_type(rel);
				res->file_cache = CC_MEDIA;
				bl_arena_release(&b.a);
				return;
			}
		}
		path = NULL;     /* fall through to 404 */
	} else if (strncmp(path, "/static/", 8) == 0) {
		ticket = page_cache_ticket(s->cache);
		p = build_static(&b, path + 8);
		if (p != NULL) {
			page_cache_put(s->cache, path, p, ticket);
			res->page = p;
			bl_arena_release(&b.a);
			return;
		}
		path = NULL;
	}

	ticket = page_cache_ticket(s->cache);
	b.st = site_store(s, &b.err);
	if (b.st == NULL) {
		b.err.unavailable = 1;
		site_fail(res, &b.err, "cannot reach the database");
		res->page = site_error_page(503, "Service unavailable");
		bl_arena_release(&b.a);
		return;
	}
	r = path ? match(&b, path, &slug, &page) : R_NONE;
	switch (r) {
	case R_FRONT:
		p = build_front(&b, page);
		break;
	case R_ARTICLE:
		p = build_article(&b);
		break;
	case R_SECTION:
		p = build_listing(&b, L_SECTION, slug, page);
		break;
	case R_TAG:
		p = build_listing(&b, L_TAG, slug, page);
		break;
	case R_AUTHOR:
		p = build_listing(&b, L_AUTHOR, slug, page);
		break;
	case R_NONE:
		cacheable = 0;
		if (path && path[strlen(path) - 1] != '/')
			p = slash_redirect(&b, path);
		if (p == NULL) {
			p = page_cache_get(s->cache, ":404");
			if (p == NULL) {
				b.ndeps = 0;
				p = build_notfound(&b);
				if (p != NULL)
					page_cache_put(s->cache, ":404", p, ticket);
			}
		}
		break;
	}
	site_store_put(s, b.st);
	if (p == NULL) {
		p = site_fail(res, &b.err, "cannot build page") == 503 ?
		    site_error_page(503, "Service unavailable") :
		    site_error_page(500, "Internal server error");
		cacheable = 0;
	}
	if (cacheable && p->status == 200)
		page_cache_put(s->cache, http_req_path(req), p, ticket);
	res->page = p;
	splice_form(s, req, res);
	bl_arena_release(&b.a);
}
