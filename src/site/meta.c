/* Search-engine and social metadata for pages and articles. */
#include "site/site_int.h"

#include <string.h>

#include "core/buf.h"

static const char *
abs_url(struct site *s, struct bl_arena *a, const char *path)
{
	return bl_arena_printf(a, "%s%s", s->cfg.site_url, path);
}

static void
feed_link(struct bl_arena *a, struct tpl_val *list, const char *type,
    const char *title, const char *href)
{
	struct tpl_val *m = tpl_list_add_map(a, list);

	tpl_set_text(a, m, "type", type);
	tpl_set_text(a, m, "title", title);
	tpl_set_text(a, m, "href", href);
}

/* "/section/world/page/2/" -> "/section/world/", or NULL for other paths. */
static char *
listing_base(struct bl_arena *a, const char *kind, const char *path)
{
	size_t kl = strlen(kind);
	const char *slash;

	if (path == NULL || path[0] != '/' || strncmp(path + 1, kind, kl) != 0 ||
	    path[kl + 1] != '/')
		return NULL;
	slash = strchr(path + kl + 2, '/');
	if (slash == NULL || slash == path + kl + 2)
		return NULL;
	return bl_arena_strndup(a, path, (size_t)(slash - path) + 1);
}

/*
 * Adds `meta` to every page's data:
 *   meta.home meta.logo meta.og_type   absolute URLs, "website" or "article"
 *   meta.feeds[] type title href       the site's feeds (autodiscovery)
 *   meta.listing_feed                  the RSS feed of a section, tag or author page
 *   meta.website meta.search_template  the front page's WebSite JSON-LD
 *   meta.noindex                       true on pages search engines should skip
 */
void
site_meta_page(struct site *s, struct bl_arena *a, struct tpl_val *root,
    const char *kind, const char *path)
{
	struct tpl_val *m = tpl_set_map(a, root, "meta"), *feeds;
	const char *title = s->cfg.site_title;

	tpl_set_text(a, m, "home", abs_url(s, a, "/"));
	tpl_set_text(a, m, "logo", abs_url(s, a, "/static/logo.svg"));
	tpl_set_text(a, m, "og_type", strcmp(kind, "article") == 0 ? "article" : "website");
	feeds = tpl_set_list(a, m, "feeds");
	feed_link(a, feeds, "application/rss+xml",
	    bl_arena_printf(a, "%s – RSS feed", title), abs_url(s, a, "/feed/"));
	feed_link(a, feeds, "application/atom+xml",
	    bl_arena_printf(a, "%s – Atom feed", title), abs_url(s, a, "/feed/atom/"));
	feed_link(a, feeds, "application/feed+json",
	    bl_arena_printf(a, "%s – JSON feed", title), abs_url(s, a, "/feed/json/"));
	if (strcmp(kind, "section") == 0 || strcmp(kind, "tag") == 0 ||
	    strcmp(kind, "author") == 0) {
		char *base = listing_base(a, kind, path);

		if (base != NULL)
			tpl_set_text(a, m, "listing_feed", abs_url(s, a,
			    bl_arena_printf(a, "%sfeed/", base)));
	}
	if (strcmp(kind, "front") == 0 && path && strcmp(path, "/") == 0) {
		tpl_set_bool(a, m, "website", 1);
		tpl_set_text(a, m, "search_template",
		    abs_url(s, a, "/search?q={search_term_string}"));
	}
	if (strcmp(kind, "notfound") == 0)
		tpl_set_bool(a, m, "noindex", 1);
}

/*
 * Adds `meta_article` to an article page's data (Open Graph, Twitter card
 * and schema.org NewsArticle):
 *   url headline description published modified home   (absolute, ISO 8601)
 *   author.name author.url        (missing when none)
 *   section.name section.url      (missing when none)
 *   tags[] name   keywords        (tag names, and them joined by ", ")
 *   image.url image.type image.alt image.width image.height  (first photo file)
 *   comments_feed                 the article's comments feed
 *   comment_count                 approved comments, all pages of them
 */
void
site_meta_article(struct site *s, struct bl_arena *a, struct tpl_val *root,
    const struct st_article *ar)
{
	struct tpl_val *m = tpl_set_map(a, root, "meta_article");
	struct bl_buf kw = BL_BUF_INIT;
	int64_t modified = ar->updated_at > ar->published_at ? ar->updated_at :
	    ar->published_at;

	tpl_set_text(a, m, "url", abs_url(s, a, ar->path));
	tpl_set_text(a, m, "home", abs_url(s, a, "/"));
	tpl_set_text(a, m, "headline", ar->title);
	tpl_set_text(a, m, "description", ar->standfirst[0] ? ar->standfirst :
	    ar->excerpt);
	tpl_set_text(a, m, "published", site_time_iso(a, ar->published_at));
	tpl_set_text(a, m, "modified", site_time_iso(a, modified));
	tpl_set_text(a, m, "comments_feed", abs_url(s, a,
	    bl_arena_printf(a, "%sfeed/", ar->path)));
	tpl_set_int(a, m, "comment_count", ar->comment_count);
	if (ar->author.id) {
		struct tpl_val *au = tpl_set_map(a, m, "author");
		tpl_set_text(a, au, "name", ar->author.name);
		tpl_set_text(a, au, "url", abs_url(s, a,
		    bl_arena_printf(a, "/author/%s/", ar->author.slug)));
	}
	if (ar->section.id) {
		struct tpl_val *sec = tpl_set_map(a, m, "section");
		tpl_set_text(a, sec, "name", ar->section.name);
		tpl_set_text(a, sec, "url", abs_url(s, a,
		    bl_arena_printf(a, "/section/%s/", ar->section.slug)));
	}
	if (ar->ntags) {
		struct tpl_val *tags = tpl_set_list(a, m, "tags");

		for (size_t i = 0; i < ar->ntags; i++) {
			struct tpl_val *t = tpl_list_add_map(a, tags);
			tpl_set_text(a, t, "name", ar->tags[i].name);
			bl_buf_printf(&kw, "%s%s", i ? ", " : "", ar->tags[i].name);
		}
		if (bl_buf_err(&kw) == 0)
			tpl_set_text(a, m, "keywords", kw.s);
	}
	bl_buf_release(&kw);
	for (size_t i = 0; i < ar->nphotos; i++) {
		const struct st_photo *p = &ar->photos[i];
		const char *dot = strrchr(p->file, '.');
		struct tpl_val *img;

		if (p->file[0] == '\0')
			continue;
		img = tpl_set_map(a, m, "image");
		tpl_set_text(a, img, "url", abs_url(s, a,
		    bl_arena_printf(a, "/media/%s", p->file)));
		tpl_set_text(a, img, "alt", p->alt[0] ? p->alt : p->caption);
		if (dot && (strcmp(dot, ".jpg") == 0 || strcmp(dot, ".jpeg") == 0))
			tpl_set_text(a, img, "type", "image/jpeg");
		else if (dot && strcmp(dot, ".png") == 0)
			tpl_set_text(a, img, "type", "image/png");
		else if (dot && strcmp(dot, ".webp") == 0)
			tpl_set_text(a, img, "type", "image/webp");
		if (p->width > 0 && p->height > 0) {
			tpl_set_int(a, img, "width", p->width);
			tpl_set_int(a, img, "height", p->height);
		}
		break;
	}
}
