/* Markdown to safe HTML by walking cmark-gfm's tree, and Markdown excerpts. */
#include "markup/markup.h"
#include "markup/markup_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "core/alloc.h"
#include "render/html.h"

/*
 * cmark-gfm's HTML renderer is never used: it would pass raw HTML through
 * or replace it with a comment, and its output cannot be checked. Instead
 * each node kind maps to a tag written here, and all text goes through
 * render/html.h. Walking is iterative (cmark_iter), so deep nesting cannot
 * exhaust the stack.
 */

static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

static void
ext_register(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

/*
 * Container blocks (block quotes, list items) opened at the start of any
 * one line. cmark-gfm slows down sharply with very deep nesting (100,000
 * "> " markers take minutes), and no real story nests more than a few
 * levels, so deeper text is refused before it is parsed.
 */
#define MD_MAX_NESTING 32

static size_t
deepest_nesting(const char *md, size_t len)
{
	size_t deepest = 0, i = 0;

	while (i < len) {
		size_t depth = 0;

		for (;;) {
			while (i < len && (md[i] == ' ' || md[i] == '\t'))
				i++;
			if (i < len && md[i] == '>') {
				i++;
			} else if (i + 1 < len && (md[i] == '-' || md[i] == '*' ||
			    md[i] == '+') && (md[i + 1] == ' ' || md[i + 1] == '\t')) {
				i += 2;
			} else {
				size_t j = i;

				while (j < len && j - i < 9 && md[j] >= '0' && md[j] <= '9')
					j++;
				if (j > i && j + 1 < len && (md[j] == '.' || md[j] == ')') &&
				    (md[j + 1] == ' ' || md[j + 1] == '\t'))
					i = j + 2;
				else
					break;
			}
			depth++;
		}
		if (depth > deepest)
			deepest = depth;
		while (i < len && md[i] != '\n')
			i++;
		i++;
	}
	return deepest;
}

/* Parses `md` with the GFM extensions; the caller frees with
 * cmark_node_free(). NULL on failure. */
static cmark_node *
parse(const char *md, size_t len)
{
	static const char *const exts[] = {
		"table", "strikethrough", "autolink", NULL
	};
	cmark_parser *p;
	cmark_node *doc;

	pthread_once(&ext_once, ext_register);
	p = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	if (p == NULL)
		return NULL;
	for (size_t i = 0; exts[i] != NULL; i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);

		if (e != NULL)
			cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, md ? md : "", md ? len : 0);
	doc = cmark_parser_finish(p);
	cmark_parser_free(p);
	return doc;
}

static int
is_type(cmark_node *n, const char *name)
{
	const char *t = cmark_node_get_type_string(n);

	return t != NULL && strcmp(t, name) == 0;
}

static const char *
lit(cmark_node *n)
{
	const char *s = cmark_node_get_literal(n);

	return s ? s : "";
}

/* Appends the plain text inside `n` (for alt text). */
static void
plain_text(struct bl_buf *out, cmark_node *n)
{
	cmark_iter *it = cmark_iter_new(n);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *c = cmark_iter_get_node(it);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			bl_buf_puts(out, lit(c));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			bl_buf_putc(out, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* A paragraph holding only images (and blanks): rendered as figures. */
static int
image_only(cmark_node *para)
{
	int images = 0;

	for (cmark_node *c = cmark_node_first_child(para); c != NULL;
	    c = cmark_node_next(c)) {
		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_IMAGE:
			images++;
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			break;
		case CMARK_NODE_TEXT:
			if (strspn(lit(c), " \t") != strlen(lit(c)))
				return 0;
			break;
		default:
			return 0;
		}
	}
	return images > 0;
}

struct render {
	struct bl_buf *out;
	const struct st_photo *photos;
	const char *const *refs;  /* names used in the front matter, or NULL */
	size_t nphotos;
	struct bl_arena arena;
	size_t *slot;          /* per photo: paragraph it follows, or -1 */
	cmark_node **pending;  /* images waiting for the end of their block */
	size_t npending, maxpending;
	int tbody;             /* a <tbody> is open */
};

#define NO_SLOT ((size_t)-1)

/* The stem and extension of the last path segment of `s`. */
static void
base_parts(const char *s, const char **stem, size_t *nstem, const char **ext)
{
	const char *slash = strrchr(s, '/'), *dot;

	*stem = slash ? slash + 1 : s;
	dot = strrchr(*stem, '.');
	*ext = dot ? dot : "";
	*nstem = dot ? (size_t)(dot - *stem) : strlen(*stem);
}

/*
 * Whether a relative image name shows a stored photo file after the import
 * copied it: "photos/Harbour Sweep.JPG" matches "2026/11/harbour-sweep.jpg"
 * and "2026/11/harbour-sweep-2.jpg" (the stem made a slug, a "-N" added to
 * keep names apart, the extension in any case).
 */
static int
same_photo_name(struct render *r, const char *url, const char *file)
{
	const char *us, *ue, *fs, *fe;
	size_t un, fn, sn;
	char *slug;

	if (strchr(url, ':') != NULL || url[0] == '\0')
		return 0;
	base_parts(url, &us, &un, &ue);
	base_parts(file, &fs, &fn, &fe);
	if (strcasecmp(ue, fe) != 0)
		return 0;
	slug = markup_slug(&r->arena, bl_arena_strndup(&r->arena, us, un), 0);
	sn = strlen(slug);
	if (sn == 0 || fn < sn || strncmp(fs, slug, sn) != 0)
		return 0;
	if (fn == sn)
		return 1;
	if (fs[sn] != '-' || fn == sn + 1)
		return 0;
	for (size_t i = sn + 1; i < fn; i++)
		if (fs[i] < '0' || fs[i] > '9')
			return 0;
	return 1;
}

/* The photo an image's URL shows, or -1. */
static long
photo_index(struct render *r, const char *url)
{
	size_t i;

	if (url == NULL || url[0] == '\0')
		return -1;
	for (i = 0; i < r->nphotos; i++) {
		const char *f = r->photos[i].file;

		if ((f && f[0] && strcmp(f, url) == 0) ||
		    (r->refs && r->refs[i] && strcmp(r->refs[i], url) == 0))
			return (long)i;
	}
	for (i = 0; i < r->nphotos; i++) {
		const char *f = r->photos[i].file;

		if (f && f[0] && same_photo_name(r, url, f))
			return (long)i;
	}
	return -1;
}

/* Renders one Markdown image as a figure. */
static void
image_figure(struct render *r, cmark_node *img)
{
	const char *url = cmark_node_get_url(img);
	struct st_photo tmp;
	struct bl_buf alt = BL_BUF_INIT;
	long k;

	if (url == NULL)
		url = "";
	if ((k = photo_index(r, url)) >= 0) {
		mk_figure(r->out, &r->photos[k], NULL);
		bl_buf_putc(r->out, '\n');
		return;
	}
	plain_text(&alt, img);
	memset(&tmp, 0, sizeof(tmp));
	tmp.caption = bl_buf_err(&alt) ? "" : alt.s;
	tmp.alt = tmp.caption;
	tmp.credit = "";
	/* A bare relative name ("x.jpg") is a file in the media folder. */
	if (url[0] != '\0' && url[0] != '/' && strchr(url, ':') == NULL &&
	    strchr(url, '?') == NULL && strchr(url, '#') == NULL) {
		tmp.file = (char *)url;
		mk_figure(r->out, &tmp, NULL);
	} else {
		tmp.file = "";
		mk_figure(r->out, &tmp, url);
	}
	bl_buf_putc(r->out, '\n');
	bl_buf_release(&alt);
}

static void
flush_pending(struct render *r)
{
	for (size_t i = 0; i < r->npending; i++)
		image_figure(r, r->pending[i]);
	r->npending = 0;
}

static void
place_photos(struct render *r, size_t slot)
{
	for (size_t i = 0; i < r->nphotos; i++)
		if (r->slot[i] == slot) {
			mk_figure(r->out, &r->photos[i], NULL);
			bl_buf_putc(r->out, '\n');
		}
}

/*
 * Decides where photos that the text does not show go: the first before
 * the first paragraph (slot 0), the others after paragraphs spread evenly
 * (slot k: after the k-th top-level text paragraph).
 */
static void
plan_photos(struct render *r, cmark_node *doc, size_t *nparas)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	size_t k, nfree = 0, j = 0, p = 0;

	for (k = 0; k < r->nphotos; k++)
		r->slot[k] = 0;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);

		if (ev == CMARK_EVENT_ENTER &&
		    cmark_node_get_type(n) == CMARK_NODE_IMAGE) {
			long i = photo_index(r, cmark_node_get_url(n));

			if (i >= 0)
				r->slot[i] = NO_SLOT;
		}
	}
	cmark_iter_free(it);
	for (cmark_node *n = cmark_node_first_child(doc); n != NULL;
	    n = cmark_node_next(n))
		if (cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH &&
		    !image_only(n))
			p++;
	for (k = 0; k < r->nphotos; k++)
		if (r->slot[k] != NO_SLOT)
			nfree++;
	for (k = 0; k < r->nphotos; k++) {
		if (r->slot[k] == NO_SLOT)
			continue;
		r->slot[k] = (j == 0 || p == 0) ? 0 : (j * p + nfree - 1) / nfree;
		j++;
	}
	*nparas = p;
}

static void
heading_tag(struct bl_buf *out, cmark_node *n, int close)
{
	int level = cmark_node_get_heading_level(n);

	if (level < 2)
		level = 2;
	if (level > 6)
		level = 6;
	bl_buf_printf(out, close ? "</h%d>\n" : "<h%d>", level);
}

static int
tight_item(cmark_node *para)
{
	cmark_node *item = cmark_node_parent(para);
	cmark_node *list = item ? cmark_node_parent(item) : NULL;

	return item != NULL && list != NULL &&
	    cmark_node_get_type(item) == CMARK_NODE_ITEM &&
	    cmark_node_get_list_tight(list);
}

static int
external(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0 || strncmp(url, "//", 2) == 0;
}

static void
link_open(struct bl_buf *out, cmark_node *n)
{
	const char *url = cmark_node_get_url(n);
	const char *title = cmark_node_get_title(n);

	if (url == NULL || url[0] == '\0' || !html_url_is_safe(url, strlen(url))) {
		bl_buf_puts(out, "<a>");
		return;
	}
	bl_buf_puts(out, "<a href=\"");
	html_url(out, url, strlen(url));
	bl_buf_putc(out, '"');
	if (title != NULL && title[0] != '\0') {
		bl_buf_puts(out, " title=\"");
		html_puts(out, title);
		bl_buf_putc(out, '"');
	}
	if (external(url))
		bl_buf_puts(out, " rel=\"noopener\"");
	bl_buf_putc(out, '>');
}

/* Extension nodes (tables, strikethrough), known by their type names. */
static void
ext_node(struct render *r, cmark_node *n, int enter)
{
	struct bl_buf *out = r->out;
	cmark_node *parent = cmark_node_parent(n);

	if (is_type(n, "strikethrough"))
		bl_buf_puts(out, enter ? "<del>" : "</del>");
	else if (is_type(n, "table")) {
		if (enter) {
			bl_buf_puts(out, "<table>\n");
			r->tbody = 0;
		} else {
			if (r->tbody)
				bl_buf_puts(out, "</tbody>\n");
			r->tbody = 0;
			bl_buf_puts(out, "</table>\n");
			flush_pending(r);
		}
	} else if (is_type(n, "table_header"))
		bl_buf_puts(out, enter ? "<thead>\n<tr>\n" : "</tr>\n</thead>\n");
	else if (is_type(n, "table_row")) {
		if (enter && !r->tbody) {
			bl_buf_puts(out, "<tbody>\n");
			r->tbody = 1;
		}
		bl_buf_puts(out, enter ? "<tr>\n" : "</tr>\n");
	} else if (is_type(n, "table_cell")) {
		int th = parent != NULL && is_type(parent, "table_header");

		if (enter)
			bl_buf_puts(out, th ? "<th>" : "<td>");
		else
			bl_buf_puts(out, th ? "</th>\n" : "</td>\n");
	}
	/* Anything else: its children are rendered, no tag of its own. */
}

static void
render(struct render *r, cmark_node *doc, size_t nparas)
{
	struct bl_buf *out = r->out;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	size_t seen = 0;

	if (nparas == 0)
		place_photos(r, 0);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		int enter = ev == CMARK_EVENT_ENTER;
		int top = cmark_node_parent(n) == doc;

		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_DOCUMENT:
			break;
		case CMARK_NODE_PARAGRAPH:
			if (enter && image_only(n)) {
				for (cmark_node *c = cmark_node_first_child(n);
				    c != NULL; c = cmark_node_next(c))
					if (cmark_node_get_type(c) ==
					    CMARK_NODE_IMAGE)
						image_figure(r, c);
				cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
				break;
			}
			if (image_only(n))
				break;   /* the exit event after a reset */
			if (enter && top && seen == 0 && nparas > 0)
				place_photos(r, 0);
			if (!tight_item(n))
				bl_buf_puts(out, enter ? "<p>" : "</p>\n");
			else if (!enter && cmark_node_next(n) != NULL)
				bl_buf_putc(out, '\n');
			if (!enter) {
				flush_pending(r);
				if (top)
					place_photos(r, ++seen);
			}
			break;
		case CMARK_NODE_HEADING:
			heading_tag(out, n, !enter);
			if (!enter)
				flush_pending(r);
			break;
		case CMARK_NODE_BLOCK_QUOTE:
			bl_buf_puts(out, enter ? "<blockquote>\n" :
			    "</blockquote>\n");
			break;
		case CMARK_NODE_LIST:
			if (!enter)
				bl_buf_puts(out, cmark_node_get_list_type(n) ==
				    CMARK_ORDERED_LIST ? "</ol>\n" : "</ul>\n");
			else if (cmark_node_get_list_type(n) != CMARK_ORDERED_LIST)
				bl_buf_puts(out, "<ul>\n");
			else if (cmark_node_get_list_start(n) != 1)
				bl_buf_printf(out, "<ol start=\"%d\">\n",
				    cmark_node_get_list_start(n));
			else
				bl_buf_puts(out, "<ol>\n");
			break;
		case CMARK_NODE_ITEM:
			bl_buf_puts(out, enter ? "<li>" : "</li>\n");
			break;
		case CMARK_NODE_CODE_BLOCK:
			bl_buf_puts(out, "<pre><code>");
			html_puts(out, lit(n));
			bl_buf_puts(out, "</code></pre>\n");
			break;
		case CMARK_NODE_HTML_BLOCK: {
			const char *s = lit(n);
			size_t len = strlen(s);

			while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
				len--;
			bl_buf_puts(out, "<p>");
			html_text(out, s, len);
			bl_buf_puts(out, "</p>\n");
			break;
		}
		case CMARK_NODE_THEMATIC_BREAK:
			bl_buf_puts(out, "<hr>\n");
			break;
		case CMARK_NODE_TEXT:
		case CMARK_NODE_HTML_INLINE:
			html_puts(out, lit(n));
			break;
		case CMARK_NODE_CODE:
			bl_buf_puts(out, "<code>");
			html_puts(out, lit(n));
			bl_buf_puts(out, "</code>");
			break;
		case CMARK_NODE_SOFTBREAK:
			bl_buf_putc(out, '\n');
			break;
		case CMARK_NODE_LINEBREAK:
			bl_buf_puts(out, "<br>\n");
			break;
		case CMARK_NODE_EMPH:
			bl_buf_puts(out, enter ? "<em>" : "</em>");
			break;
		case CMARK_NODE_STRONG:
			bl_buf_puts(out, enter ? "<strong>" : "</strong>");
			break;
		case CMARK_NODE_LINK:
			if (enter)
				link_open(out, n);
			else
				bl_buf_puts(out, "</a>");
			break;
		case CMARK_NODE_IMAGE:
			/* Shown after the block that holds it: a figure cannot
			 * stand inside a paragraph. */
			if (enter) {
				if (r->npending == r->maxpending) {
					r->maxpending = r->maxpending * 2 + 4;
					r->pending = bl_xrealloc(r->pending,
					    r->maxpending * sizeof(*r->pending));
				}
				r->pending[r->npending++] = n;
				cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
			}
			break;
		default:
			ext_node(r, n, enter);
			break;
		}
	}
	flush_pending(r);
	cmark_iter_free(it);
}

int
markup_markdown_body_refs(struct bl_buf *out, const char *md, size_t len,
    const struct st_photo *photos, const char *const *refs, size_t nphotos,
    struct bl_err *err)
{
	struct render r;
	cmark_node *doc;
	size_t nparas;

	if (md != NULL && deepest_nesting(md, len) > MD_MAX_NESTING)
		return bl_errf(err, "the Markdown body nests quotes or lists more "
		    "than %d levels deep", MD_MAX_NESTING);
	if ((doc = parse(md, len)) == NULL)
		return bl_errf(err, "cannot parse the Markdown body");
	memset(&r, 0, sizeof(r));
	r.out = out;
	r.photos = photos;
	r.refs = photos ? refs : NULL;
	r.nphotos = photos ? nphotos : 0;
	bl_arena_init(&r.arena);
	r.slot = bl_xcalloc(r.nphotos + 1, sizeof(*r.slot));
	plan_photos(&r, doc, &nparas);
	render(&r, doc, nparas);
	free(r.slot);
	free(r.pending);
	bl_arena_release(&r.arena);
	cmark_node_free(doc);
	if (bl_buf_err(out))
		return bl_errf(err, "the rendered body is too large");
	return 0;
}

int
markup_markdown_body(struct bl_buf *out, const char *md, size_t len,
    const struct st_photo *photos, size_t nphotos, struct bl_err *err)
{
	return markup_markdown_body_refs(out, md, len, photos, NULL, nphotos,
	    err);
}

char *
markup_excerpt_markdown(struct bl_arena *a, const char *md, size_t max)
{
	struct bl_buf text = BL_BUF_INIT;
	size_t len = md ? strlen(md) : 0;
	cmark_node *doc = deepest_nesting(md ? md : "", len) > MD_MAX_NESTING ?
	    NULL : parse(md, len);
	cmark_iter *it;
	cmark_event_type ev;
	char *s;

	if (doc == NULL)
		return bl_arena_strdup(a, "");
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);

		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			bl_buf_puts(&text, lit(n));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			bl_buf_putc(&text, ' ');
			break;
		case CMARK_NODE_IMAGE:
			if (ev == CMARK_EVENT_ENTER)
				cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
			break;
		case CMARK_NODE_CODE_BLOCK:
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			break;
		default:
			/* Block ends and table cells separate words. */
			if (ev == CMARK_EVENT_EXIT &&
			    ((cmark_node_get_type(n) & CMARK_NODE_TYPE_MASK) ==
			    CMARK_NODE_TYPE_BLOCK || is_type(n, "table_cell")))
				bl_buf_putc(&text, ' ');
			break;
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	s = markup_excerpt_text(a, bl_buf_err(&text) ? "" : text.s, max);
	bl_buf_release(&text);
	return s;
}
