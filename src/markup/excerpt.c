/* Plain-text excerpts: the opening of a body, cut at a word boundary. */
#include "markup/markup.h"

#include <string.h>

/* Characters not left dangling before the "…" of a cut excerpt. */
static int
dangling(char c)
{
	return c == ' ' || c == ',' || c == ';' || c == ':' || c == '-' ||
	    c == '(' || c == '"' || c == '\'';
}

char *
markup_excerpt_text(struct bl_arena *a, const char *text, size_t max)
{
	struct bl_buf b = BL_BUF_INIT;
	size_t i, chars = 0, cut = 0, space = 0;
	int pending = 0;
	char *s;

	if (text == NULL)
		text = "";
	/* Collapse blank runs (ASCII and NBSP) to one space. */
	for (i = 0; text[i]; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v' ||
		    (c == 0xc2 && (unsigned char)text[i + 1] == 0xa0)) {
			if (c == 0xc2)
				i++;
			pending = b.len > 0;
			continue;
		}
		if (pending)
			bl_buf_putc(&b, ' ');
		pending = 0;
		bl_buf_putc(&b, (char)c);
	}
	if (bl_buf_err(&b)) {
		bl_buf_release(&b);
		return bl_arena_strdup(a, "");
	}
	/* Count characters; remember where max-1 of them end. */
	for (i = 0; i < b.len; i++) {
		if (((unsigned char)b.s[i] & 0xc0) == 0x80)
			continue;
		if (chars == (max > 0 ? max - 1 : 0))
			cut = i;
		if (b.s[i] == ' ' && (max == 0 || chars < max))
			space = i;
		chars++;
	}
	if (chars <= max) {
		s = bl_arena_strndup(a, b.s, b.len);
		bl_buf_release(&b);
		return s;
	}
	if (max == 0) {
		bl_buf_release(&b);
		return bl_arena_strdup(a, "");
	}
	/* Cut at the last space that keeps room for the "…". */
	if (space > 0 && space <= cut)
		cut = space;
	while (cut > 0 && dangling(b.s[cut - 1]))
		cut--;
	bl_buf_truncate(&b, cut);
	bl_buf_puts(&b, "\xe2\x80\xa6");
	s = bl_arena_strndup(a, b.s, b.len);
	bl_buf_release(&b);
	return s;
}
