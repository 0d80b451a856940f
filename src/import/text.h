/* The plain-text article parser: wire copy and scraped pages to blocks. */
#ifndef BL_IMPORT_TEXT_H
#define BL_IMPORT_TEXT_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/*
 * Format (see docs/formats.md):
 *  1. the first non-empty line is the headline;
 *  2. paragraphs are separated by blank lines; all belong to the body;
 *  3. a photo is a caption paragraph whose last line is followed directly by
 *     a credit line in parentheses "(Jane Doe / Agency via AP)"; a paragraph
 *     just before it that repeats the caption is the same photo (alt text);
 *  4. a line made only of hashtags gives tags;
 *  5. site chrome after the story ("Related Articles", "Leave a Reply",
 *     "Your email address will not be published...", "13 + 4 =", sharing
 *     and comment-form leftovers) is dropped;
 *  6. text is kept exactly (quotes, dashes, names); it is never HTML.
 */

enum imp_block_kind {
	IMP_PARA,
	IMP_PHOTO,
};

struct imp_block {
	enum imp_block_kind kind;
	char *text;        /* IMP_PARA: the paragraph, lines joined by ' ' */
	size_t photo;      /* IMP_PHOTO: index into imp_article.photos */
};

struct imp_photo {
	char *caption;
	char *credit;      /* without the parentheses */
	char *alt;         /* the repeated caption paragraph, or "" */
};

struct imp_article {
	char *headline;
	struct imp_block *blocks;
	size_t nblocks;
	struct imp_photo *photos;
	size_t nphotos;
	char **tags;       /* as written, without '#', duplicates removed */
	size_t ntags;
	size_t nparas;     /* paragraphs in the body */
	size_t ndropped;   /* chrome lines dropped */
};

/*
 * Parses `data` (not NUL-terminated, `len` bytes; `data` may be freed
 * afterwards). Everything in `out` is allocated from `a`. Fails, with a
 * message for a person ("file is empty", "file is not UTF-8 text (invalid
 * byte at offset N)", "file looks binary (NUL byte at offset N)", "no story
 * text after the headline"), when the text is empty, not UTF-8, binary (NUL
 * or other control bytes), or has no body; `out` is then zeroed.
 */
int imp_text_parse(const char *data, size_t len, struct bl_arena *a,
    struct imp_article *out, struct bl_err *err);

#endif
