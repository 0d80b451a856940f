/* Comment text to safe HTML: paragraphs, line breaks and auto-linked URLs. */
#include "comments/comments.h"

#include <string.h>

#include "render/html.h"

static int
fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Length of the "http://" or "https://" at s (any case), or 0. */
static size_t
scheme_at(const char *s, size_t n)
{
	static const char *const schemes[] = { "http://", "https://" };

	for (size_t k = 0; k < 2; k++) {
		size_t len = strlen(schemes[k]), i;

		if (n < len)
			continue;
		for (i = 0; i < len; i++)
			if (fold((unsigned char)s[i]) != schemes[k][i])
				break;
		if (i == len)
			return len;
	}
	return 0;
}

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
ends_url(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"';
}

static size_t
count(const char *s, size_t n, char c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/* Drops trailing punctuation that more likely ends the sentence. */
static size_t
trim_url(const char *s, size_t n)
{
	while (n > 0) {
		char c = s[n - 1];

		if (strchr(".,;:!?'", c) != NULL)
			n--;
		else if (c == ')' && count(s, n, '(') < count(s, n, ')'))
			n--;
		else if (c == ']' && count(s, n, '[') < count(s, n, ']'))
			n--;
		else
			break;
	}
	return n;
}

/* One line of text, escaped, with its URLs linked. */
static void
inline_text(struct bl_buf *out, const char *s, size_t n)
{
	size_t start = 0, i = 0;

	while (i < n) {
		size_t sl = 0, j;

		if (i == 0 || !is_alnum((unsigned char)s[i - 1]))
			sl = scheme_at(s + i, n - i);
		if (sl == 0) {
			i++;
			continue;
		}
		for (j = i + sl; j < n && !ends_url((unsigned char)s[j]); j++)
			;
		j = i + trim_url(s + i, j - i);
		if (j <= i + sl || !html_url_is_safe(s + i, j - i)) {
			i += sl;
			continue;
		}
		html_text(out, s + start, i - start);
		bl_buf_puts(out, "<a href=\"");
		html_url(out, s + i, j - i);
		bl_buf_puts(out, "\" rel=\"nofollow ugc noopener\">");
		html_text(out, s + i, j - i);
		bl_buf_puts(out, "</a>");
		start = i = j;
	}
	html_text(out, s + start, n - start);
}

static int
blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

int
cmt_format(struct bl_buf *out, const char *text)
{
	const char *p = text ? text : "";
	int open = 0;

	while (*p != '\0') {
		size_t n = strcspn(p, "\r\n");

		if (blank_line(p, n)) {
			if (open)
				bl_buf_puts(out, "</p>\n");
			open = 0;
		} else {
			bl_buf_puts(out, open ? "<br>\n" : "<p>");
			open = 1;
			inline_text(out, p, n);
		}
		p += n;
		if (p[0] == '\r' && p[1] == '\n')
			p += 2;
		else if (*p != '\0')
			p++;
	}
	if (open)
		bl_buf_puts(out, "</p>\n");
	return bl_buf_err(out);
}
