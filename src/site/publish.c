/* Publishing: plain-text wire copy and Markdown posts into the store. */
#include "site/site.h"

#include <ctype.h>
#include <dirent.h>
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
#include "core/utf8.h"
#include "import/text.h"
#include "markup/markup.h"
#include "media/image.h"

/* Source files larger than this are refused rather than read. */
#define MAX_SOURCE_BYTES ((size_t)8 * 1024 * 1024)
#define EXCERPT_CHARS 220

/* Photos copied into DIR/media for one article, removed again if the
 * article cannot be stored, so a failed import leaves nothing behind. */
struct copied {
	char **paths;
	size_t n;
};

/* Ends an import's photo copies: removed when the article was not stored
 * (`ok` 0), kept otherwise. */
static void
copied_end(struct copied *c, int ok)
{
	for (size_t i = 0; i < c->n; i++) {
		if (!ok)
			unlink(c->paths[i]);
		free(c->paths[i]);
	}
	free(c->paths);
	c->paths = NULL;
	c->n = 0;
}

static int
is_image_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 ||
	    strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".webp") == 0 ||
	    strcasecmp(dot, ".gif") == 0);
}

/*
 * Copies image `src` into DIR/media/YYYY/MM/ under its own name (with -2,
 * -3... when taken), reads its size, and fills `p->file`, width, height.
 */
static int
take_photo(struct site *s, struct bl_arena *a, const char *src, int64_t when,
    struct st_photo *p, struct copied *c, struct bl_err *err)
{
	char *rel_dir, *dir, *name, *dst = NULL, *rel = NULL;
	const char *base = bl_basename(src), *dot;
	int w = 0, h = 0;

	if (!is_image_name(base))
		return bl_errf(err, "'%s' is not a JPEG, PNG, WebP or GIF file name", src);
	if (media_image_size(src, &w, &h, err) < 0)
		return -1;
	rel_dir = bl_arena_strndup(a, site_path_date(a, when), 7);  /* YYYY/MM */
	dir = bl_arena_printf(a, "%s/%s", s->media_dir, rel_dir);
	if (bl_mkdirs(dir, err) < 0)
		return -1;
	dot = strrchr(base, '.');
	name = markup_slug(a, bl_arena_strndup(a, base, (size_t)(dot - base)), 80);
	if (name[0] == '\0')
		name = "photo";
	for (int n = 1; n < 1000; n++) {
		const char *ext = dot;
		char lower[8];
		size_t i;

		for (i = 0; ext[i] && i < sizeof(lower) - 1; i++)
			lower[i] = (char)tolower((unsigned char)ext[i]);
		lower[i] = '\0';
		rel = n == 1 ? bl_arena_printf(a, "%s/%s%s", rel_dir, name, lower) :
		    bl_arena_printf(a, "%s/%s-%d%s", rel_dir, name, n, lower);
		dst = bl_arena_printf(a, "%s/%s", s->media_dir, rel);
		if (access(dst, F_OK) < 0)
			break;
	}
	if (bl_file_copy(src, dst, err) < 0)
		return -1;
	c->paths = bl_xrealloc(c->paths, (c->n + 1) * sizeof(*c->paths));
	c->paths[c->n++] = bl_xstrdup(dst);
	p->file = rel;
	p->width = w;
	p->height = h;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Image files of `dir`, sorted by name. */
static int
list_images(struct bl_arena *a, const char *dir, char ***out, size_t *n,
    struct bl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cnt = 0, cap = 0;

	if (d == NULL)
		return bl_errf(err, "cannot open photo folder '%s': %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !is_image_name(e->d_name))
			continue;
		if (cnt == cap) {
			char **nv = bl_arena_alloc(a, (cap ? cap * 2 : 16) * sizeof(*nv));
			if (cnt)
				memcpy(nv, v, cnt * sizeof(*v));
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[cnt++] = bl_arena_printf(a, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*out = v;
	*n = cnt;
	return 0;
}

/* The cleaned text of an imported article, in the import format, so the
 * body can be rendered again from what is stored. */
static char *
text_source(struct bl_arena *a, const struct imp_article *art)
{
	struct bl_buf b = BL_BUF_INIT;
	char *s;

	bl_buf_printf(&b, "%s\n", art->headline);
	for (size_t i = 0; i < art->nblocks; i++) {
		const struct imp_block *k = &art->blocks[i];

		if (k->kind == IMP_PARA)
			bl_buf_printf(&b, "\n%s\n", k->text);
		else {
			const struct imp_photo *p = &art->photos[k->photo];
			bl_buf_printf(&b, "\n%s\n(%s)\n", p->caption, p->credit);
		}
	}
	if (art->ntags) {
		bl_buf_puts(&b, "\n");
		for (size_t i = 0; i < art->ntags; i++)
			bl_buf_printf(&b, "%s#%s", i ? " " : "", art->tags[i]);
		bl_buf_puts(&b, "\n");
	}
	s = bl_arena_strndup(a, b.s, b.len);
	bl_buf_release(&b);
	return s;
}

static int
store_it(struct site *s, struct bl_arena *a, struct st_article_new *n,
    struct publish_result *res, struct bl_err *err)
{
	struct store *st = site_store(s, err);
	int rc;

	if (st == NULL)
		return -1;
	rc = store_article_add(st, a, n, &res->id, &res->path, err);
	site_store_put(s, st);
	return rc;
}

int
site_import_text(struct site *s, struct bl_arena *a, const char *file,
    const struct publish_opts *o, struct publish_result *res,
    struct bl_err *err)
{
	struct bl_buf raw = BL_BUF_INIT, html = BL_BUF_INIT;
	struct imp_article art;
	struct st_photo *photos = NULL;
	struct st_article_new n;
	struct copied c = { NULL, 0 };
	struct bl_err e;
	char **images = NULL;
	size_t nimages = 0;
	int64_t when = o->date ? o->date : (int64_t)time(NULL);
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (bl_file_read(file, MAX_SOURCE_BYTES, &raw, err) < 0)
		goto out;
	if (imp_text_parse(raw.s, raw.len, a, &art, &e) < 0) {
		bl_errf(err, "%s", e.msg);
		goto out;
	}
	if (o->photos_dir && list_images(a, o->photos_dir, &images, &nimages, err) < 0)
		goto out;
	if (art.nphotos) {
		photos = bl_arena_alloc(a, art.nphotos * sizeof(*photos));
		for (size_t i = 0; i < art.nphotos; i++) {
			photos[i].pos = (int)i;
			photos[i].file = "";
			photos[i].caption = art.photos[i].caption;
			photos[i].credit = art.photos[i].credit;
			photos[i].alt = art.photos[i].alt;
			if (i < nimages && take_photo(s, a, images[i], when, &photos[i], &c, err) < 0)
				goto out;
		}
	}
	if (markup_text_body(&html, &art, photos) < 0) {
		bl_errf(err, "cannot render '%s': body too large", file);
		goto out;
	}
	memset(&n, 0, sizeof(n));
	n.title = art.headline;
	n.standfirst = o->standfirst ? o->standfirst : "";
	n.dateline = "";
	n.body_format = "text";
	n.body_source = text_source(a, &art);
	n.body_html = html.s;
	n.excerpt = "";
	for (size_t i = 0; i < art.nblocks; i++)
		if (art.blocks[i].kind == IMP_PARA) {
			n.excerpt = markup_excerpt_text(a, art.blocks[i].text, EXCERPT_CHARS);
			break;
		}
	n.status = o->publish ? ST_PUBLISHED : ST_DRAFT;
	n.published_at = o->publish ? when : 0;
	n.path_date = site_path_date(a, when);
	n.section_name = o->section;
	n.author_name = o->author;
	n.tags = (const char *const *)art.tags;
	n.ntags = art.ntags;
	n.photos = photos;
	n.nphotos = art.nphotos;
	if (store_it(s, a, &n, res, err) < 0)
		goto out;
	res->nparas = art.nparas;
	res->nphotos = art.nphotos;
	res->ntags = art.ntags;
	res->ndropped = art.ndropped;
	res->title = art.headline;
	rc = 0;
out:
	copied_end(&c, rc == 0);
	bl_buf_release(&raw);
	bl_buf_release(&html);
	return rc;
}

int
site_post_add(struct site *s, struct bl_arena *a, const char *file,
    const struct publish_opts *o, struct publish_result *res,
    struct bl_err *err)
{
	struct bl_buf raw = BL_BUF_INIT, html = BL_BUF_INIT;
	struct fm_post post;
	struct st_photo *photos = NULL;
	struct st_article_new n;
	struct copied c = { NULL, 0 };
	struct bl_err e;
	const char *slash = strrchr(file, '/');
	char *dir = slash ? bl_arena_strndup(a, file, (size_t)(slash - file)) : ".";
	int64_t when = (int64_t)time(NULL);
	const char **refs;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (bl_file_read(file, MAX_SOURCE_BYTES, &raw, err) < 0)
		goto out;
	if (!bl_utf8_valid(raw.s, raw.len)) {
		bl_errf(err, "%s: file is not UTF-8 text", file);
		goto out;
	}
	if (markup_front_matter(raw.s, raw.len, a, &post, &e) < 0) {
		bl_errf(err, "%s: %s", file, e.msg);
		goto out;
	}
	if (o->date)
		when = o->date;
	else if (post.date) {
		long long t;
		if (markup_parse_date(post.date, &t) < 0) {
			bl_errf(err, "%s: date '%s' is not an ISO 8601 date", file, post.date);
			goto out;
		}
		when = (int64_t)t;
	}
	if (post.nphotos) {
		photos = bl_arena_alloc(a, post.nphotos * sizeof(*photos));
		for (size_t i = 0; i < post.nphotos; i++) {
			const struct fm_photo *fp = &post.photos[i];
			const char *base = o->photos_dir ? o->photos_dir : dir;
			char *src;

			photos[i].pos = (int)i;
			photos[i].file = "";
			photos[i].caption = fp->caption ? fp->caption : "";
			photos[i].credit = fp->credit ? fp->credit : "";
			photos[i].alt = fp->alt ? fp->alt : "";
			if (fp->file == NULL || fp->file[0] == '\0')
				continue;
			src = fp->file[0] == '/' ? fp->file :
			    bl_arena_printf(a, "%s/%s", base, fp->file);
			if (take_photo(s, a, src, when, &photos[i], &c, err) < 0)
				goto out;
		}
	}
	refs = bl_arena_alloc(a, (post.nphotos + 1) * sizeof(*refs));
	for (size_t i = 0; i < post.nphotos; i++)
		refs[i] = post.photos[i].file ? post.photos[i].file : "";
	if (markup_markdown_body_refs(&html, post.body, post.body_len, photos,
	    refs, post.nphotos, err) < 0)
		goto out;
	memset(&n, 0, sizeof(n));
	n.slug = post.slug;
	n.title = post.title;
	n.standfirst = o->standfirst ? o->standfirst : post.standfirst ? post.standfirst : "";
	n.dateline = post.dateline ? post.dateline : "";
	n.body_format = "markdown";
	n.body_source = bl_arena_strndup(a, post.body, post.body_len);
	n.body_html = html.s;
	n.excerpt = markup_excerpt_markdown(a, n.body_source, EXCERPT_CHARS);
	n.status = o->publish ? ST_PUBLISHED : ST_DRAFT;
	n.published_at = o->publish ? when : 0;
	n.path_date = site_path_date(a, when);
	n.section_name = o->section ? o->section : post.section;
	n.author_name = o->author ? o->author : post.author;
	n.tags = (const char *const *)post.tags;
	n.ntags = post.ntags;
	n.photos = photos;
	n.nphotos = post.nphotos;
	if (store_it(s, a, &n, res, err) < 0)
		goto out;
	res->nphotos = post.nphotos;
	res->ntags = post.ntags;
	res->title = post.title;
	rc = 0;
out:
	copied_end(&c, rc == 0);
	bl_buf_release(&raw);
	bl_buf_release(&html);
	return rc;
}
