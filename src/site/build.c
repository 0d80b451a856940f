/* Building an HTML page: the data every template gets, teasers,
 * pagination, rendering and dependency keys, shared by every page kind. */
#include "site/site_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int
pb_begin(struct page_build *b, struct site *s, const char *path)
{
	memset(b, 0, sizeof(*b));
	b->s = s;
	b->path = path;
	b->compress = PAGE_COMPRESS_ALL;
	bl_arena_init(&b->a);
	b->st = site_store(s, &b->err);
	if (b->st == NULL) {
		bl_arena_release(&b->a);
		return -1;
	}
	return 0;
}

void
pb_end(struct page_build *b)
{
	if (b->st != NULL)
		site_store_put(b->s, b->st);
	b->st = NULL;
	bl_arena_release(&b->a);
}

void
pb_dep(struct page_build *b, const char *key)
{
	char **nd = bl_arena_alloc(&b->a, (b->ndeps + 1) * sizeof(*nd));

	if (b->ndeps)
		memcpy(nd, b->deps, b->ndeps * sizeof(*nd));
	nd[b->ndeps++] = bl_arena_strdup(&b->a, key);
	b->deps = nd;
}

int
pb_common(struct page_build *b, const char *kind, const char *title,
    const char *description, const char *current_section)
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
	if (store_section_list(b->st, a, 0, &secs, &n, &b->err) < 0)
		return -1;
	nav = tpl_set_list(a, b->root, "nav");
	for (size_t i = 0; i < n; i++) {
		struct tpl_val *it = tpl_list_add_map(a, nav);
		tpl_set_text(a, it, "name", secs[i].name);
		tpl_set_text(a, it, "url", bl_arena_printf(a, "/section/%s/",
		    secs[i].slug));
		tpl_set_bool(a, it, "current", current_section != NULL &&
		    strcmp(current_section, secs[i].slug) == 0);
	}
	pb_dep(b, "sections");
	return 0;
}

void
pb_teaser(struct page_build *b, struct tpl_val *t, const struct st_article *ar)
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
		if (ar->author.bio[0])
			tpl_set_text(a, m, "bio", ar->author.bio);
		else
			tpl_set_bool(a, m, "bio", 0);
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
	pb_dep(b, bl_arena_printf(a, "article:%lld", (long long)ar->id));
}

void
pb_pagination(struct page_build *b, const char *base, int page, int pages,
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
pb_render(struct page_build *b, const char *tpl, int status,
    const char *cache_control, int spliced)
{
	struct bl_buf out;
	struct page *p;

	bl_buf_init(&out, 32u * 1024 * 1024);
	if (tpl_render(b->s->tpl, tpl, b->root, &out, &b->err) < 0) {
		bl_buf_release(&out);
		return NULL;
	}
	p = spliced ? page_new_spliced(status, HTML_TYPE, cache_control, &out,
	    b->compress) :
	    page_new(status, HTML_TYPE, cache_control, &out, b->compress);
	for (size_t i = 0; i < b->ndeps; i++)
		page_add_dep(p, b->deps[i]);
	if (b->last_modified)
		page_set_last_modified(p, b->last_modified);
	return p;
}

/*
 * A failure to build a response: logged with what was being done, and
 * answered 503 with Retry-After when the database is unreachable for now
 * (err->unavailable), else 500.
 */
int
site_fail(struct http_result *res, const struct bl_err *err, const char *what)
{
	int status = err->unavailable ? 503 : 500;

	fprintf(stderr, "byline: %s: %s\n", what, err->msg);
	if (status == 503 && res->nheaders < sizeof(res->headers) /
	    sizeof(res->headers[0])) {
		res->headers[res->nheaders].name = "Retry-After";
		res->headers[res->nheaders++].value = "5";
	}
	return status;
}

struct page *
site_error_page(int status, const char *text)
{
	struct bl_buf body = BL_BUF_INIT;

	bl_buf_printf(&body, "<!DOCTYPE html><html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>%s</title></head><body><h1>%s</h1>"
	    "</body></html>\n", text, text);
	return page_new(status, HTML_TYPE, "no-store", &body, 0);
}

void
pb_modified(struct page_build *b, int64_t t)
{
	if (t > b->last_modified)
		b->last_modified = t;
}

void
pb_teasers(struct page_build *b, struct tpl_val *map, const char *key,
    const struct st_article *items, size_t n)
{
	struct tpl_val *list = tpl_set_list(&b->a, map, key);

	for (size_t i = 0; i < n; i++)
		pb_teaser(b, tpl_list_add_map(&b->a, list), &items[i]);
}

int
site_is_slug(const char *s, size_t n)
{
	if (n == 0 || n > 200)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

int
site_is_article_path(const char *p, size_t n)
{
	/* /YYYY/MM/DD/slug/ */
	if (n < 14 || p[0] != '/' || p[5] != '/' || p[8] != '/' || p[11] != '/' || p[n - 1] != '/')
		return 0;
	for (int i = 1; i < 11; i++)
		if (i != 5 && i != 8 && !isdigit((unsigned char)p[i]))
			return 0;
	return site_is_slug(p + 12, n - 13);
}

int
site_page_number(const char *p)
{
	long n = 0;
	const char *start = p;

	while (isdigit((unsigned char)*p) && p - start < 7)
		n = n * 10 + (*p++ - '0');
	if (p == start || *p != '/' || p[1] != '\0' || start[0] == '0')
		return -1;
	return (int)n;
}
