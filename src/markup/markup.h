/* Turning what authors write into safe HTML and plain-text excerpts. */
#ifndef BL_MARKUP_H
#define BL_MARKUP_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "import/text.h"
#include "store/store.h"

/*
 * Every function that produces HTML writes only tags it builds itself and
 * passes all text through render/html.h, so its output is safe HTML that
 * templates may insert unescaped (tpl_set_html).
 *
 * Photos render as the theme contract says:
 *   <figure class="photo"><img src="/media/FILE" alt="ALT" width=.. height=..
 *   loading="lazy"><figcaption>CAPTION <span class="credit">(CREDIT)</span>
 *   </figcaption></figure>
 * with no <img> when the photo has no file.
 */

/* Renders one photo as a <figure> (no newline around it). The src is
 * "/media/" + file with each path segment percent-encoded ("", "." and ".."
 * segments left out); alt is the photo's alt, or its caption when alt is
 * ""; width/height are written when > 0. */
int markup_figure(struct bl_buf *out, const struct st_photo *p);

/* Renders a parsed plain-text article body: paragraphs as <p>, photos as
 * figures. `photos` has an entry per imp photo, in order (files may be "");
 * NULL renders the imp photos without images. Each block ends in '\n'. */
int markup_text_body(struct bl_buf *out, const struct imp_article *art,
    const struct st_photo *photos);

/*
 * Renders Markdown (CommonMark + GFM tables, strikethrough, autolinks) by
 * walking cmark-gfm's tree and emitting only allow-listed elements: p, h2-h6
 * (h1 becomes h2: the page has one h1), em, strong, del, a (safe URLs only,
 * external links get rel="noopener"), ul, ol, li, blockquote, pre, code,
 * hr, br, table parts. Raw HTML is shown as text. An image whose URL equals
 * a photo's `file` renders as that photo's figure; other images render as
 * figures without credit. Photos not placed in the text are placed by the
 * rule in docs/formats.md: the first before the first paragraph, the
 * others spread evenly after later paragraphs.
 */
int markup_markdown_body(struct bl_buf *out, const char *md, size_t len,
    const struct st_photo *photos, size_t nphotos, struct bl_err *err);
/*
 * The same, where an image also shows photos[i] when its URL equals
 * refs[i]: the name the author wrote in the front matter, before the import
 * copied the file into the media folder under another name. `refs` and its
 * entries may be NULL. Without refs, a relative image name still finds a
 * copied photo by its slugged name ("Harbour Sweep.JPG" shows
 * "2026/11/harbour-sweep-2.jpg").
 */
int markup_markdown_body_refs(struct bl_buf *out, const char *md, size_t len,
    const struct st_photo *photos, const char *const *refs, size_t nphotos,
    struct bl_err *err);

/* Plain text of the opening of the body: up to `max` characters cut at a
 * word boundary, with "…" when cut (the "…" counts in `max`); runs of
 * blanks become one space. From Markdown, formatting is removed and images,
 * code blocks and raw HTML are left out. The result belongs to `a`; NULL
 * in gives "". */
char *markup_excerpt_text(struct bl_arena *a, const char *text, size_t max);
char *markup_excerpt_markdown(struct bl_arena *a, const char *md, size_t max);

/* A URL slug: lowercase ASCII letters, digits and single hyphens; Latin
 * letters with diacritics lose them (é→e, ß→ss, ø→o); apostrophes vanish
 * ("Mayor's" → "mayors"); other characters separate words. At most `max`
 * bytes (0: no limit), cut at a hyphen. "" if nothing is left. The result
 * belongs to `a`. */
char *markup_slug(struct bl_arena *a, const char *s, size_t max);

/* --------------------------------------------------- Markdown posts */

struct fm_photo {
	char *file, *caption, *credit, *alt;
};

/* A Markdown file with a front-matter block:
 *   ---
 *   title: ...
 *   standfirst: ...
 *   author: ...
 *   section: ...
 *   dateline: ...
 *   tags: [a, b]            (or "tags: a, b", or a "- item" list)
 *   date: 2026-11-24T08:30:00Z   (ISO 8601; offset or Z; date alone ok)
 *   slug: ...
 *   photos:
 *     - file: x.jpg
 *       caption: ...
 *       credit: ...
 *       alt: ...
 *   ---
 *   body in Markdown
 * Values may be quoted with "..." or '...'. Unknown keys are an error that
 * names them (typos must not silently lose data). Keys not given are NULL
 * (tags/photos: none); photo fields not given are ""; strings belong to
 * `a`; a date is checked with markup_parse_date(). On error `out` is
 * zeroed. */
struct fm_post {
	char *title, *standfirst, *author, *section, *dateline, *slug, *date;
	char **tags;
	size_t ntags;
	struct fm_photo *photos;
	size_t nphotos;
	const char *body;      /* points into the input */
	size_t body_len;
};

int markup_front_matter(const char *data, size_t len, struct bl_arena *a,
    struct fm_post *out, struct bl_err *err);

/* Parses ISO 8601 ("2026-11-24", "2026-11-24T08:30", "...:00Z",
 * "...+01:00") into Unix seconds; a time without offset is UTC. Returns 0,
 * or -1 for anything else or an impossible date or time (2026-02-30,
 * 25:00). */
int markup_parse_date(const char *s, long long *out);

#endif
