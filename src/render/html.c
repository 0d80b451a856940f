/* The one HTML-escaping writer (see html.h). */
#include "render/html.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

int
html_text(struct bl_buf *out, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\0': rep = "\xef\xbf\xbd"; break;
		default: continue;
		}
		bl_buf_add(out, s + start, i - start);
		bl_buf_puts(out, rep);
		start = i + 1;
	}
	bl_buf_add(out, s + start, n - start);
	return bl_buf_err(out);
}

int
html_puts(struct bl_buf *out, const char *s)
{
	return html_text(out, s ? s : "", s ? strlen(s) : 0);
}

int
html_url_is_safe(const char *s, size_t n)
{
	size_t i, colon = n;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == ' ' || c == '\\')
			return 0;
		if (c == ':' && colon == n)
			colon = i;
		if ((c == '/' || c == '?' || c == '#') && colon == n)
			break;      /* relative reference: no scheme */
	}
	if (colon == n || (i < n && i < colon))
		return 1;
	if ((colon == 4 && strncasecmp(s, "http", 4) == 0) ||
	    (colon == 5 && strncasecmp(s, "https", 5) == 0) ||
	    (colon == 6 && strncasecmp(s, "mailto", 6) == 0) ||
	    (colon == 3 && strncasecmp(s, "tel", 3) == 0))
		return 1;
	return 0;
}

int
html_url(struct bl_buf *out, const char *s, size_t n)
{
	if (!html_url_is_safe(s, n))
		return bl_buf_putc(out, '#');
	return html_text(out, s, n);
}

int
html_url_component(struct bl_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			bl_buf_putc(out, (char)c);
		else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			bl_buf_add(out, e, 3);
		}
	}
	return bl_buf_err(out);
}

int
html_json_string(struct bl_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': bl_buf_puts(out, "\\\""); break;
		case '\\': bl_buf_puts(out, "\\\\"); break;
		case '\n': bl_buf_puts(out, "\\n"); break;
		case '\r': bl_buf_puts(out, "\\r"); break;
		case '\t': bl_buf_puts(out, "\\t"); break;
		case '<': bl_buf_puts(out, "\\u003c"); break;
		case '>': bl_buf_puts(out, "\\u003e"); break;
		case '&': bl_buf_puts(out, "\\u0026"); break;
		default:
			if (c < 0x20)
				bl_buf_printf(out, "\\u%04x", c);
			else
				bl_buf_putc(out, (char)c);
		}
	}
	return bl_buf_err(out);
}
