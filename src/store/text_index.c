/* Backend-neutral text work of the store: the full-text index's text. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

static int
inline_tag(const char *s, size_t n)
{
	static const char *const names[] = { "a", "abbr", "b", "bdi", "bdo",
	    "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
	    "samp", "small", "span", "strong", "sub", "sup", "time", "u",
	    "var", NULL };
	size_t i;

	if (n > 0 && s[0] == '/')
		s++, n--;
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && strncasecmp(names[i], s, n) == 0)
			return 1;
	return 0;
}

/*
 * The article text for the full-text index: the tags of the (trusted)
 * body HTML dropped, block boundaries turned into spaces and the common
 * character references decoded. Falls back to the source text.
 */
char *
store_index_text(struct bl_arena *a, const char *html, const char *source)
{
	struct bl_buf b = BL_BUF_INIT;
	const char *p, *e;
	char *r;
	size_t n;
	long cp;
	char u[4];

	if (html == NULL || *html == '\0')
		return bl_arena_strdup(a, source != NULL ? source : "");
	for (p = html; *p; ) {
		if (*p == '<') {
			e = strchr(p, '>');
			if (e == NULL)
				break;
			for (n = 1; p + n < e && p[n] != ' ' && p[n] != '/' &&
			    p[n] != '\t' && p[n] != '\n'; n++)
				;
			if (p[1] == '/')
				for (n = 2; p + n < e && p[n] != ' '; n++)
					;
			if (!inline_tag(p + 1, n - 1))
				bl_buf_putc(&b, ' ');
			p = e + 1;
		} else if (*p == '&' && (e = strchr(p, ';')) != NULL &&
		    e - p < 10) {
			if (strncmp(p, "&amp;", 5) == 0)
				bl_buf_putc(&b, '&');
			else if (strncmp(p, "&lt;", 4) == 0)
				bl_buf_putc(&b, '<');
			else if (strncmp(p, "&gt;", 4) == 0)
				bl_buf_putc(&b, '>');
			else if (strncmp(p, "&quot;", 6) == 0)
				bl_buf_putc(&b, '"');
			else if (p[1] == '#') {
				cp = p[2] == 'x' || p[2] == 'X' ?
				    strtol(p + 3, NULL, 16) :
				    strtol(p + 2, NULL, 10);
				if (cp > 0 && cp < 0x80)
					bl_buf_putc(&b, (char)cp);
				else if (cp >= 0x80 && cp < 0x800) {
					u[0] = (char)(0xC0 | cp >> 6);
					u[1] = (char)(0x80 | (cp & 0x3F));
					bl_buf_add(&b, u, 2);
				} else if (cp >= 0x800 && cp < 0x10000 &&
				    (cp < 0xD800 || cp > 0xDFFF)) {
					u[0] = (char)(0xE0 | cp >> 12);
					u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
					u[2] = (char)(0x80 | (cp & 0x3F));
					bl_buf_add(&b, u, 3);
				} else if (cp >= 0x10000 && cp <= 0x10FFFF) {
					u[0] = (char)(0xF0 | cp >> 18);
					u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
					u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
					u[3] = (char)(0x80 | (cp & 0x3F));
					bl_buf_add(&b, u, 4);
				} else
					bl_buf_putc(&b, ' ');
			} else
				bl_buf_putc(&b, ' ');
			p = e + 1;
		} else
			bl_buf_putc(&b, *p++);
	}
	r = bl_arena_strndup(a, b.s, b.len);
	bl_buf_release(&b);
	return r;
}

