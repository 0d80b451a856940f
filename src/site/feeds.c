/* Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) and the routes of feeds, sitemaps and robots.txt. */
#include "site/feed_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "core/utf8.h"
#include "render/html.h"

#define FEED_ITEMS 20
#define FEED_CC "public, max-age=300"
#define FEED_MAX_BYTES ((size_t)64 * 1024 * 1024)

#define RSS_TYPE "application/rss+xml; charset=utf-8"
#define ATOM_TYPE "application/atom+xml; charset=utf-8"
#define JSONFEED_TYPE "application/feed+json; charset=utf-8"

/* ------------------------------------------------------- XML writer */

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_seq(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
	    c >= 0xf0 && c <= 0xf4 ? 4 : 0;

	return k && k <= n && bl_utf8_valid(s, k) ? k : 0;
}

/* Escapes XML text or attribute text (see struct xw). */
static void
xml_escape(struct bl_buf *out, const char *s, int attr)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k;
		unsigned cp;

		if (c < 0x80) {
			i++;
			switch (c) {
			case '&': bl_buf_puts(out, "&amp;"); break;
			case '<': bl_buf_puts(out, "&lt;"); break;
			case '>': bl_buf_puts(out, "&gt;"); break;
			case '"':
				bl_buf_puts(out, attr ? "&quot;" : "\"");
				break;
			case '\t': case '\n': case '\r':
				if (attr)
					bl_buf_printf(out, "&#%d;", c);
				else
					bl_buf_putc(out, (char)c);
				break;
			default:
				if (c >= 0x20)
					bl_buf_putc(out, (char)c);
				break;
			}
			continue;
		}
		k = utf8_seq(s + i, n - i);
		if (k == 0) {
			bl_buf_puts(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		cp = bl_utf8_decode(s + i, k, &k);
		if (cp != 0xfffe && cp != 0xffff)
			bl_buf_add(out, s + i, k);
		i += k;
	}
}

static void
xw_close_tag(struct xw *x)
{
	if (x->open) {
		bl_buf_putc(x->out, '>');
		x->open = 0;
	}
}

void
xw_begin(struct xw *x, struct bl_buf *out)
{
	memset(x, 0, sizeof(*x));
	x->out = out;
	bl_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
	x->children = 1;
}

void
xw_start(struct xw *x, const char *name)
{
	xw_close_tag(x);
	if (x->depth >= XW_MAX_DEPTH) {
		/* A programming error: make the document fail, not lie. */
		x->out->err = -1;
		return;
	}
	x->children = 1;
	bl_buf_putc(x->out, '\n');
	bl_buf_printf(x->out, "<%s", name);
	x->stack[x->depth++] = name;
	x->open = 1;
	x->children = 0;
}

void
xw_attr(struct xw *x, const char *name, const char *value)
{
	if (value == NULL || !x->open)
		return;
	bl_buf_printf(x->out, " %s=\"", name);
	xml_escape(x->out, value, 1);
	bl_buf_putc(x->out, '"');
}

void
xw_text(struct xw *x, const char *s)
{
	xw_close_tag(x);
	if (s)
		xml_escape(x->out, s, 0);
}

void
xw_end(struct xw *x)
{
	const char *name;

	if (x->depth == 0)
		return;
	name = x->stack[--x->depth];
	if (x->open) {
		bl_buf_puts(x->out, "/>");
		x->open = 0;
	} else {
		if (x->children)
			bl_buf_putc(x->out, '\n');
		bl_buf_printf(x->out, "</%s>", name);
	}
	x->children = 1;   /* the parent has had a child element */
}

void
xw_elem(struct xw *x, const char *name, const char *text)
{
	if (text == NULL)
		return;
	xw_start(x, name);
	xw_text(x, text);
	xw_end(x);
}

void
xw_finish(struct xw *x)
{
	while (x->depth > 0)
		xw_end(x);
	bl_buf_putc(x->out, '\n');
}

/* ---------------------------------------------------------- helpers */

const char *
feed_abs(struct site *s, struct bl_arena *a, const char *path)
{
	return bl_arena_printf(a, "%s%s", s->cfg.site_url, path);
}

struct page *
feed_error_page(int status, const char *text)
{
	struct bl_buf body = BL_BUF_INIT;

	bl_buf_printf(&body, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>%s</title></head><body><h1>%s</h1></body></html>\n", text, text);
	return page_new(status, HTML_TYPE, "no-store", &body, 0);
}

/* RFC 822 date (RFC 2822 form, four-digit year) in UTC; arena-owned. */
static char *
rfc822(struct bl_arena *a, int64_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	return bl_arena_printf(a, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The image type of a media file name, or NULL. */
static const char *
image_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
		{ ".png", "image/png" }, { ".webp", "image/webp" },
		{ ".gif", "image/gif" }, { ".svg", "image/svg+xml" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(*types); i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/*
 * Copies safe HTML with every root-relative URL in src, href, poster and
 * srcset attributes made absolute, so feed readers resolve them. The HTML
 * was made by markup/, so attribute values are double-quoted.
 */
static char *
absolute_urls(struct site *s, struct bl_arena *a, const char *html)
{
	static const char *const attrs[] = { " src=\"", " href=\"", " poster=\"",
	    " srcset=\"" };
	struct bl_buf out = BL_BUF_INIT;
	const char *p = html;
	char *res;

	while (*p) {
		const char *best = NULL;
		size_t blen = 0;
		int srcset = 0;

		for (size_t i = 0; i < sizeof(attrs) / sizeof(*attrs); i++) {
			const char *hit = strstr(p, attrs[i]);
			if (hit && (best == NULL || hit < best)) {
				best = hit;
				blen = strlen(attrs[i]);
				srcset = i == 3;
			}
		}
		if (best == NULL) {
			bl_buf_puts(&out, p);
			break;
		}
		bl_buf_add(&out, p, (size_t)(best - p) + blen);
		p = best + blen;
		if (!srcset) {
			if (p[0] == '/' && p[1] != '/')
				bl_buf_puts(&out, s->cfg.site_url);
			continue;
		}
		/* srcset: "URL w, URL w" */
		for (int first = 1; *p && *p != '"'; first = 0) {
			const char *comma = strchr(p, ',');
			const char *quote = strchr(p, '"');
			const char *end = comma && (!quote || comma < quote) ? comma + 1 :
			    quote ? quote : p + strlen(p);
			const char *u = p;

			while (u < end && *u == ' ')
				u++;
			bl_buf_add(&out, p, (size_t)(u - p));
			if (u[0] == '/' && u[1] != '/')
				bl_buf_puts(&out, s->cfg.site_url);
			bl_buf_add(&out, u, (size_t)(end - u));
			p = end;
			(void)first;
		}
	}
	res = bl_arena_strndup(a, out.s, out.len);
	bl_buf_release(&out);
	return res;
}

/* --------------------------------------------------------- the model */

struct feed_item {
	const char *url;          /* absolute permalink */
	const char *id;           /* the item's lasting id when it is not
	                             `url` (RSS guid, Atom id, JSON id),
	                             or NULL */
	const char *title;
	const char *author;       /* NULL when none */
	const char *author_url;   /* absolute, NULL when none */
	int64_t published, updated;
	const char **tags;        /* tag names */
	size_t ntags;
	const char *summary;      /* plain text */
	const char *content;      /* safe HTML with absolute URLs, or NULL */
	const char *comments;     /* absolute URL of the comments, or NULL */
	const char *image;        /* absolute URL of the photo, or NULL */
	const char *image_type;
	int64_t image_bytes;
};

struct feed {
	const char *title;
	const char *description;
	const char *home;         /* absolute URL of the HTML page */
	const char *self;         /* absolute URL of this feed */
	const char *self_rss, *self_atom, *self_json;
	int64_t updated;
	struct feed_item *items;
	size_t n;
};

enum feed_fmt { FMT_RSS, FMT_ATOM, FMT_JSON };

/* The cache keys a feed depends on (arena-owned). */
struct deps {
	const char *key[FEED_ITEMS + 4];
	size_t n;
};

static void
dep_add(struct deps *d, const char *key)
{
	if (d->n < sizeof(d->key) / sizeof(*d->key))
		d->key[d->n++] = key;
}

enum feed_scope {
	FS_SITE, FS_SECTION, FS_TAG, FS_AUTHOR, FS_COMMENTS, FS_ARTICLE,
};

/* A parsed feed address. */
struct feed_req {
	enum feed_scope scope;
	enum feed_fmt fmt;
	const char *base;     /* the HTML page's path, "/section/world/" */
	char *slug;           /* section, tag or author */
};

/* --------------------------------------------------------- writers */

static void
write_rss(struct site *s, struct bl_arena *a, const struct feed *f,
    int comments, struct bl_buf *out)
{
	struct xw x;

	xw_begin(&x, out);
	xw_start(&x, "rss");
	xw_attr(&x, "version", "2.0");
	xw_attr(&x, "xmlns:atom", "http://www.w3.org/2005/Atom");
	xw_attr(&x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
	xw_attr(&x, "xmlns:content", "http://purl.org/rss/1.0/modules/content/");
	xw_start(&x, "channel");
	xw_elem(&x, "title", f->title);
	xw_start(&x, "atom:link");
	xw_attr(&x, "href", f->self);
	xw_attr(&x, "rel", "self");
	xw_attr(&x, "type", "application/rss+xml");
	xw_end(&x);
	xw_elem(&x, "link", f->home);
	xw_elem(&x, "description", f->description);
	xw_elem(&x, "language", s->cfg.site_language);
	xw_elem(&x, "lastBuildDate", rfc822(a, f->updated));
	xw_elem(&x, "generator", "Byline " BYLINE_VERSION);
	xw_elem(&x, "ttl", "5");
	for (size_t i = 0; i < f->n; i++) {
		const struct feed_item *it = &f->items[i];

		xw_start(&x, "item");
		xw_elem(&x, "title", it->title);
		xw_elem(&x, "link", it->url);
		xw_elem(&x, "dc:creator", it->author);
		xw_elem(&x, "pubDate", rfc822(a, it->published));
		for (size_t k = 0; k < it->ntags; k++)
			xw_elem(&x, "category", it->tags[k]);
		xw_start(&x, "guid");
		xw_attr(&x, "isPermaLink", it->id != NULL ? "false" : "true");
		xw_text(&x, it->id != NULL ? it->id : it->url);
		xw_end(&x);
		xw_elem(&x, "description", it->summary);
		xw_elem(&x, "content:encoded", it->content);
		xw_elem(&x, "comments", it->comments);
		if (it->image) {
			xw_start(&x, "enclosure");
			xw_attr(&x, "url", it->image);
			xw_attr(&x, "length", bl_arena_printf(a, "%lld",
			    (long long)it->image_bytes));
			xw_attr(&x, "type", it->image_type);
			xw_end(&x);
		}
		xw_end(&x);
	}
	(void)comments;
	xw_finish(&x);
}

static void
write_atom(struct site *s, struct bl_arena *a, const struct feed *f,
    struct bl_buf *out)
{
	struct xw x;

	xw_begin(&x, out);
	xw_start(&x, "feed");
	xw_attr(&x, "xmlns", "http://www.w3.org/2005/Atom");
	xw_attr(&x, "xml:lang", s->cfg.site_language);
	xw_elem(&x, "id", f->self);
	xw_elem(&x, "title", f->title);
	xw_elem(&x, "subtitle", f->description);
	xw_elem(&x, "updated", site_time_iso(a, f->updated));
	xw_start(&x, "link");
	xw_attr(&x, "rel", "self");
	xw_attr(&x, "type", "application/atom+xml");
	xw_attr(&x, "href", f->self);
	xw_end(&x);
	xw_start(&x, "link");
	xw_attr(&x, "rel", "alternate");
	xw_attr(&x, "type", "text/html");
	xw_attr(&x, "href", f->home);
	xw_end(&x);
	/* Entries without a byline are the site's own. */
	xw_start(&x, "author");
	xw_elem(&x, "name", s->cfg.site_title);
	xw_elem(&x, "uri", feed_abs(s, a, "/"));
	xw_end(&x);
	xw_start(&x, "generator");
	xw_attr(&x, "version", BYLINE_VERSION);
	xw_text(&x, "Byline");
	xw_end(&x);
	xw_start(&x, "icon");
	xw_text(&x, feed_abs(s, a, "/static/favicon.svg"));
	xw_end(&x);
	for (size_t i = 0; i < f->n; i++) {
		const struct feed_item *it = &f->items[i];

		xw_start(&x, "entry");
		xw_elem(&x, "id", it->id != NULL ? it->id : it->url);
		xw_elem(&x, "title", it->title);
		xw_start(&x, "link");
		xw_attr(&x, "rel", "alternate");
		xw_attr(&x, "type", "text/html");
		xw_attr(&x, "href", it->url);
		xw_end(&x);
		xw_elem(&x, "published", site_time_iso(a, it->published));
		xw_elem(&x, "updated", site_time_iso(a, it->updated));
		if (it->author) {
			xw_start(&x, "author");
			xw_elem(&x, "name", it->author);
			xw_elem(&x, "uri", it->author_url);
			xw_end(&x);
		}
		for (size_t k = 0; k < it->ntags; k++) {
			xw_start(&x, "category");
			xw_attr(&x, "term", it->tags[k]);
			xw_end(&x);
		}
		if (it->summary && *it->summary) {
			xw_start(&x, "summary");
			xw_attr(&x, "type", "text");
			xw_text(&x, it->summary);
			xw_end(&x);
		}
		if (it->content) {
			xw_start(&x, "content");
			xw_attr(&x, "type", "html");
			xw_text(&x, it->content);
			xw_end(&x);
		}
		if (it->image) {
			xw_start(&x, "link");
			xw_attr(&x, "rel", "enclosure");
			xw_attr(&x, "type", it->image_type);
			xw_attr(&x, "length", bl_arena_printf(a, "%lld",
			    (long long)it->image_bytes));
			xw_attr(&x, "href", it->image);
			xw_end(&x);
		}
		if (it->comments) {
			xw_start(&x, "link");
			xw_attr(&x, "rel", "replies");
			xw_attr(&x, "type", "text/html");
			xw_attr(&x, "href", it->comments);
			xw_end(&x);
		}
		xw_end(&x);
	}
	xw_finish(&x);
}

/* A JSON string from store text; malformed UTF-8 is repaired. */
static json_t *
jstr(struct bl_arena *a, const char *s)
{
	size_t n = strlen(s);

	if (!bl_utf8_valid(s, n))
		s = bl_utf8_repair(a, s, n);
	return json_string(s);
}

static void
write_json(struct site *s, struct bl_arena *a, const struct feed *f,
    struct bl_buf *out)
{
	json_t *root = json_object(), *items = json_array();
	char *dump;

	json_object_set_new(root, "version", json_string("https://jsonfeed.org/version/1.1"));
	json_object_set_new(root, "title", jstr(a, f->title));
	json_object_set_new(root, "home_page_url", jstr(a, f->home));
	json_object_set_new(root, "feed_url", jstr(a, f->self));
	if (f->description && *f->description)
		json_object_set_new(root, "description", jstr(a, f->description));
	json_object_set_new(root, "language", jstr(a, s->cfg.site_language));
	json_object_set_new(root, "icon", jstr(a, feed_abs(s, a, "/static/logo.svg")));
	json_object_set_new(root, "favicon", jstr(a, feed_abs(s, a, "/static/favicon.svg")));
	json_object_set_new(root, "authors", json_pack("[{s:o,s:o}]",
	    "name", jstr(a, s->cfg.site_title), "url", jstr(a, feed_abs(s, a, "/"))));
	for (size_t i = 0; i < f->n; i++) {
		const struct feed_item *it = &f->items[i];
		json_t *j = json_object();

		json_object_set_new(j, "id", jstr(a, it->id != NULL ? it->id :
		    it->url));
		json_object_set_new(j, "url", jstr(a, it->url));
		json_object_set_new(j, "title", jstr(a, it->title));
		if (it->content)
			json_object_set_new(j, "content_html", jstr(a, it->content));
		else
			json_object_set_new(j, "content_text", jstr(a, it->summary ? it->summary : ""));
		if (it->summary && *it->summary)
			json_object_set_new(j, "summary", jstr(a, it->summary));
		json_object_set_new(j, "date_published", jstr(a, site_time_iso(a, it->published)));
		json_object_set_new(j, "date_modified", jstr(a, site_time_iso(a, it->updated)));
		if (it->author) {
			json_t *au = json_object();
			json_object_set_new(au, "name", jstr(a, it->author));
			if (it->author_url)
				json_object_set_new(au, "url", jstr(a, it->author_url));
			json_object_set_new(j, "authors", json_pack("[o]", au));
		}
		if (it->ntags) {
			json_t *tags = json_array();
			for (size_t k = 0; k < it->ntags; k++)
				json_array_append_new(tags, jstr(a, it->tags[k]));
			json_object_set_new(j, "tags", tags);
		}
		if (it->image) {
			json_t *att = json_object();
			json_object_set_new(j, "image", jstr(a, it->image));
			json_object_set_new(att, "url", jstr(a, it->image));
			json_object_set_new(att, "mime_type", jstr(a, it->image_type));
			json_object_set_new(att, "size_in_bytes", json_integer(it->image_bytes));
			json_object_set_new(j, "attachments", json_pack("[o]", att));
		}
		json_array_append_new(items, j);
	}
	json_object_set_new(root, "items", items);
	dump = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (dump == NULL)
		out->err = -1;
	else {
		bl_buf_puts(out, dump);
		bl_buf_putc(out, '\n');
	}
	free(dump);
}

/* ---------------------------------------------------------- readers */

static const char *
listing_url(struct bl_arena *a, const char *kind, const char *slug)
{
	return bl_arena_printf(a, "/%s/%s/", kind, slug);
}

/* Fills a feed item from an article summary (and its full body). */
static int
article_item(struct site *s, struct store *st, struct bl_arena *a,
    const struct st_article *ar, struct feed_item *it, struct bl_err *err)
{
	memset(it, 0, sizeof(*it));
	it->url = feed_abs(s, a, ar->path);
	it->title = ar->title;
	if (ar->author.id) {
		it->author = ar->author.name;
		it->author_url = feed_abs(s, a, listing_url(a, "author", ar->author.slug));
	}
	it->published = ar->published_at;
	it->updated = ar->updated_at > ar->published_at ? ar->updated_at : ar->published_at;
	it->ntags = ar->ntags;
	it->tags = bl_arena_alloc(a, (ar->ntags + 1) * sizeof(*it->tags));
	for (size_t k = 0; k < ar->ntags; k++)
		it->tags[k] = ar->tags[k].name;
	it->summary = ar->standfirst[0] ? ar->standfirst : ar->excerpt;
	it->comments = bl_arena_printf(a, "%s#comments", it->url);
	if (strcmp(s->cfg.feeds_content, "summary") != 0) {
		struct st_article *full;
		int rc = store_article_get(st, a, ar->id, 0, &full, err);

		if (rc < 0)
			return -1;
		if (rc == 0)
			it->content = absolute_urls(s, a, full->body_html);
	}
	for (size_t k = 0; k < ar->nphotos; k++) {
		const struct st_photo *p = &ar->photos[k];
		struct stat sb;
		const char *type;

		if (p->file[0] == '\0' || (type = image_type(p->file)) == NULL)
			continue;
		if (stat(bl_arena_printf(a, "%s/%s", s->media_dir, p->file), &sb) != 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		it->image = feed_abs(s, a, bl_arena_printf(a, "/media/%s", p->file));
		it->image_type = type;
		it->image_bytes = (int64_t)sb.st_size;
		break;
	}
	return 0;
}

/* Feeds of articles: the whole site, a section, a tag or an author.
 * Returns 1 when the section, tag or author does not exist. */
static int
article_feed(struct site *s, struct store *st, struct bl_arena *a,
    const struct feed_req *fr, struct feed *f, struct deps *deps,
    struct bl_err *err)
{
	struct st_query q;
	struct st_list list;
	int rc = 0;

	memset(&q, 0, sizeof(q));
	q.limit = FEED_ITEMS;
	f->description = s->cfg.site_description;
	switch (fr->scope) {
	case FS_SECTION: {
		struct st_section sec;
		if ((rc = store_section_get(st, a, fr->slug, &sec, err)) != 0)
			return rc;
		f->title = bl_arena_printf(a, "%s – %s", s->cfg.site_title, sec.name);
		f->description = bl_arena_printf(a, "The latest %s stories from %s.",
		    sec.name, s->cfg.site_title);
		q.section = sec.slug;
		dep_add(deps, bl_arena_printf(a, "section:%s", sec.slug));
		break;
	}
	case FS_TAG: {
		struct st_tag tag;
		if ((rc = store_tag_get(st, a, fr->slug, &tag, err)) != 0)
			return rc;
		f->title = bl_arena_printf(a, "%s – #%s", s->cfg.site_title, tag.name);
		f->description = bl_arena_printf(a, "Stories tagged #%s.", tag.name);
		q.tag = tag.slug;
		dep_add(deps, bl_arena_printf(a, "tag:%s", tag.slug));
		break;
	}
	case FS_AUTHOR: {
		struct st_author au;
		if ((rc = store_author_get(st, a, fr->slug, &au, err)) != 0)
			return rc;
		f->title = bl_arena_printf(a, "%s – %s", s->cfg.site_title, au.name);
		f->description = bl_arena_printf(a, "Stories by %s.", au.name);
		q.author = au.slug;
		dep_add(deps, bl_arena_printf(a, "author:%s", au.slug));
		break;
	}
	default:
		f->title = s->cfg.site_title;
		dep_add(deps, "front");
		break;
	}
	if (store_article_list(st, a, &q, &list, err) < 0)
		return -1;
	f->items = bl_arena_alloc(a, (list.n + 1) * sizeof(*f->items));
	for (size_t i = 0; i < list.n; i++) {
		if (article_item(s, st, a, &list.items[i], &f->items[i], err) < 0)
			return -1;
		if (f->items[i].updated > f->updated)
			f->updated = f->items[i].updated;
		dep_add(deps, bl_arena_printf(a, "article:%lld",
		    (long long)list.items[i].id));
	}
	f->n = list.n;
	return 0;
}

static void
comment_item(struct site *s, struct bl_arena *a, const struct st_comment *c,
    const char *article_title, const char *article_path, int site_wide,
    struct feed_item *it)
{
	struct bl_buf html = BL_BUF_INIT;

	memset(it, 0, sizeof(*it));
	/* The comment's permalink: it redirects to the page of comments
	 * showing it, which for a long discussion need not be the
	 * article's own URL (and can change from it). The id stays what
	 * it was before permalinks, so readers see no item as new. */
	it->url = bl_arena_printf(a, "%s/comments/%lld/", s->cfg.site_url,
	    (long long)c->id);
	it->id = bl_arena_printf(a, "%s%s#comment-%lld", s->cfg.site_url,
	    article_path, (long long)c->id);
	it->title = site_wide ? bl_arena_printf(a, "Comment on %s by %s",
	    article_title, c->author) : bl_arena_printf(a, "By: %s", c->author);
	it->author = c->author;
	if (c->url[0] && (strncmp(c->url, "http://", 7) == 0 ||
	    strncmp(c->url, "https://", 8) == 0) && html_url_is_safe(c->url, strlen(c->url)))
		it->author_url = c->url;
	it->published = it->updated = c->created_at;
	it->summary = c->body;
	cmt_format(&html, c->body);
	it->content = bl_arena_strndup(a, html.s, html.len);
	bl_buf_release(&html);
}

/* Comment feeds: the site's newest approved comments, or one article's.
 * Returns 1 when the article does not exist. */
static int
comment_feed(struct site *s, struct store *st, struct bl_arena *a,
    const struct feed_req *fr, struct feed *f, struct deps *deps,
    struct bl_err *err)
{
	struct st_comment *cs;
	size_t n;
	int rc;

	if (fr->scope == FS_COMMENTS) {
		f->title = bl_arena_printf(a, "Comments for %s", s->cfg.site_title);
		f->description = bl_arena_printf(a, "The latest reader comments on %s.",
		    s->cfg.site_title);
		if (store_comment_admin_list(st, a, STC_APPROVED, NULL, FEED_ITEMS,
		    &cs, &n, err) < 0)
			return -1;
		dep_add(deps, "comments");
		f->items = bl_arena_alloc(a, (n + 1) * sizeof(*f->items));
		for (size_t i = 0; i < n; i++)
			comment_item(s, a, &cs[i], cs[i].article_title,
			    cs[i].article_path, 1, &f->items[f->n++]);
	} else {
		struct st_article *ar;

		if ((rc = store_article_by_path(st, a, fr->base, &ar, err)) != 0)
			return rc;
		f->title = bl_arena_printf(a, "Comments on: %s", ar->title);
		f->description = bl_arena_printf(a, "Reader comments on “%s”.", ar->title);
		f->home = feed_abs(s, a, ar->path);
		f->updated = ar->published_at;
		dep_add(deps, bl_arena_printf(a, "article:%lld", (long long)ar->id));
		if (store_comment_list(st, a, ar->id, &cs, &n, err) < 0)
			return -1;
		/* Newest first, at most FEED_ITEMS. */
		f->items = bl_arena_alloc(a, (FEED_ITEMS + 1) * sizeof(*f->items));
		for (size_t i = n; i > 0 && f->n < FEED_ITEMS; i--)
			comment_item(s, a, &cs[i - 1], ar->title, ar->path, 0,
			    &f->items[f->n++]);
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].updated > f->updated)
			f->updated = f->items[i].updated;
	return 0;
}

/* --------------------------------------------------------- routing */


/* Parses a feed address; returns 0 when `path` is not one. */
static int
parse_feed(struct bl_arena *a, const char *path, struct feed_req *fr)
{
	static const struct { const char *tail; enum feed_fmt fmt; } tails[] = {
		{ "feed/", FMT_RSS }, { "feed/rss2/", FMT_RSS },
		{ "feed/atom/", FMT_ATOM }, { "feed/json/", FMT_JSON },
	};
	static const struct { const char *prefix; enum feed_scope scope; } lists[] = {
		{ "/section/", FS_SECTION }, { "/tag/", FS_TAG }, { "/author/", FS_AUTHOR },
	};
	size_t n = strlen(path), blen = 0;
	int found = 0;

	memset(fr, 0, sizeof(*fr));
	for (size_t i = 0; i < sizeof(tails) / sizeof(*tails); i++) {
		size_t tl = strlen(tails[i].tail);
		if (n > tl && strcmp(path + n - tl, tails[i].tail) == 0 &&
		    path[n - tl - 1] == '/') {
			fr->fmt = tails[i].fmt;
			blen = n - tl;
			found = 1;
			break;
		}
	}
	if (!found)
		return 0;
	fr->base = bl_arena_strndup(a, path, blen);
	if (blen == 1) {
		fr->scope = FS_SITE;
		return 1;
	}
	if (strcmp(fr->base, "/comments/") == 0) {
		fr->scope = FS_COMMENTS;
		return 1;
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(*lists); i++) {
		size_t pl = strlen(lists[i].prefix);
		if (strncmp(fr->base, lists[i].prefix, pl) == 0 &&
		    site_is_slug(fr->base + pl, blen - pl - 1)) {
			fr->scope = lists[i].scope;
			fr->slug = bl_arena_strndup(a, fr->base + pl, blen - pl - 1);
			return 1;
		}
	}
	if (site_is_article_path(fr->base, blen)) {
		fr->scope = FS_ARTICLE;
		return 1;
	}
	return 0;
}

/* Builds the feed page; NULL with *missing set for an unknown section,
 * tag, author or article, NULL with err filled on failure. */
static struct page *
build_feed(struct site *s, struct bl_arena *a, const struct feed_req *fr,
    int *missing, struct bl_err *err)
{
	static const char *const fmt_suffix[] = { "", "atom/", "json/" };
	struct feed f;
	struct deps deps;
	struct page *p;
	struct store *st;
	struct bl_buf body;
	int rc;

	*missing = 0;
	memset(&f, 0, sizeof(f));
	f.home = feed_abs(s, a, fr->base);
	f.self = feed_abs(s, a, bl_arena_printf(a, "%sfeed/%s", fr->base,
	    fmt_suffix[fr->fmt]));
	memset(&deps, 0, sizeof(deps));
	st = site_store(s, err);
	if (st == NULL)
		return NULL;
	if (fr->scope == FS_COMMENTS || fr->scope == FS_ARTICLE)
		rc = comment_feed(s, st, a, fr, &f, &deps, err);
	else
		rc = article_feed(s, st, a, fr, &f, &deps, err);
	site_store_put(s, st);
	if (rc != 0) {
		*missing = rc > 0;
		return NULL;
	}
	if (f.updated == 0)
		f.updated = (int64_t)time(NULL);
	bl_buf_init(&body, FEED_MAX_BYTES);
	if (fr->fmt == FMT_RSS)
		write_rss(s, a, &f, fr->scope >= FS_COMMENTS, &body);
	else if (fr->fmt == FMT_ATOM)
		write_atom(s, a, &f, &body);
	else
		write_json(s, a, &f, &body);
	if (bl_buf_err(&body) < 0) {
		bl_buf_release(&body);
		bl_errf(err, "cannot write feed '%s': too large", f.self);
		return NULL;
	}
	p = page_new(200, fr->fmt == FMT_RSS ? RSS_TYPE : fr->fmt == FMT_ATOM ?
	    ATOM_TYPE : JSONFEED_TYPE, FEED_CC, &body, 1);
	for (size_t i = 0; i < deps.n; i++)
		page_add_dep(p, deps.key[i]);
	page_set_last_modified(p, f.updated);
	return p;
}

static void
method_not_allowed(struct http_result *res)
{
	res->page = feed_error_page(405, "Method not allowed");
	res->headers[0].name = "Allow";
	res->headers[0].value = "GET, HEAD";
	res->nheaders = 1;
}

int
site_feed_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	const char *path = http_req_path(req);
	struct bl_arena *a = http_req_arena(req);
	struct feed_req fr;
	struct bl_err err;
	struct page *p;
	size_t n = strlen(path);
	uint64_t ticket;
	int missing;

	if (site_sitemap_route(s, req, res))
		return 1;
	if (n == 0 || path[n - 1] != '/') {
		/* "/feed" and friends: the address with its slash. */
		const char *with = bl_arena_printf(a, "%s/", path);
		if (n > 4 && strcmp(path + n - 4, "feed") != 0 &&
		    strcmp(path + n - 4, "atom") != 0 && strcmp(path + n - 4, "json") != 0 &&
		    strcmp(path + n - 4, "rss2") != 0)
			return 0;
		if (!parse_feed(a, with, &fr))
			return 0;
		if (strcmp(http_req_method(req), "POST") == 0)
			method_not_allowed(res);
		else
			res->page = page_redirect(301, with);
		return 1;
	}
	if (!parse_feed(a, path, &fr))
		return 0;
	if (strcmp(http_req_method(req), "POST") == 0) {
		method_not_allowed(res);
		return 1;
	}
	if ((p = page_cache_get(s->cache, path)) != NULL) {
		res->page = p;
		return 1;
	}
	ticket = page_cache_ticket(s->cache);
	p = build_feed(s, a, &fr, &missing, &err);
	if (p == NULL && missing)
		return 0;      /* the site's own 404 page */
	if (p == NULL) {
		res->page = site_fail(res, &err, "cannot build feed") == 503 ?
		    feed_error_page(503, "Service unavailable") :
		    feed_error_page(500, "Internal server error");
		return 1;
	}
	page_cache_put(s->cache, path, p, ticket);
	res->page = p;
	return 1;
}
