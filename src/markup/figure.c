/* Photo figures and the HTML body of plain-text articles. */
#include "markup/markup.h"
#include "markup/markup_int.h"

#include <string.h>

#include "render/html.h"

/* "/media/" + file, each path segment percent-encoded; empty, "." and ".."
 * segments are left out so a stored path cannot climb out of media/. */
static void
media_src(struct bl_buf *out, const char *file)
{
	const char *p = file;

	bl_buf_puts(out, "/media");
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (!(n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))) {
			bl_buf_putc(out, '/');
			html_url_component(out, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
}

int
mk_figure(struct bl_buf *out, const struct st_photo *p, const char *url)
{
	const char *caption = p->caption ? p->caption : "";
	const char *credit = p->credit ? p->credit : "";
	const char *alt = p->alt && p->alt[0] ? p->alt : caption;
	int img;

	if (url != NULL)
		img = url[0] != '\0' && html_url_is_safe(url, strlen(url));
	else
		img = p->file != NULL && p->file[0] != '\0';

	bl_buf_puts(out, "<figure class=\"photo\">");
	if (img) {
		bl_buf_puts(out, "<img src=\"");
		if (url != NULL)
			html_url(out, url, strlen(url));
		else
			media_src(out, p->file);
		bl_buf_puts(out, "\" alt=\"");
		html_puts(out, alt);
		bl_buf_putc(out, '"');
		if (p->width > 0)
			bl_buf_printf(out, " width=\"%d\"", p->width);
		if (p->height > 0)
			bl_buf_printf(out, " height=\"%d\"", p->height);
		bl_buf_puts(out, " loading=\"lazy\">");
	}
	if (caption[0] != '\0' || credit[0] != '\0') {
		bl_buf_puts(out, "<figcaption>");
		html_puts(out, caption);
		if (credit[0] != '\0') {
			if (caption[0] != '\0')
				bl_buf_putc(out, ' ');
			bl_buf_puts(out, "<span class=\"credit\">(");
			html_puts(out, credit);
			bl_buf_puts(out, ")</span>");
		}
		bl_buf_puts(out, "</figcaption>");
	}
	bl_buf_puts(out, "</figure>");
	return bl_buf_err(out);
}

int
markup_figure(struct bl_buf *out, const struct st_photo *p)
{
	return mk_figure(out, p, NULL);
}

int
markup_text_body(struct bl_buf *out, const struct imp_article *art,
    const struct st_photo *photos)
{
	for (size_t i = 0; i < art->nblocks; i++) {
		const struct imp_block *b = &art->blocks[i];

		if (b->kind == IMP_PARA) {
			bl_buf_puts(out, "<p>");
			html_puts(out, b->text);
			bl_buf_puts(out, "</p>\n");
		} else if (b->photo < art->nphotos) {
			struct st_photo tmp;

			if (photos != NULL)
				mk_figure(out, &photos[b->photo], NULL);
			else {
				const struct imp_photo *ip = &art->photos[b->photo];

				memset(&tmp, 0, sizeof(tmp));
				tmp.file = "";
				tmp.caption = ip->caption;
				tmp.credit = ip->credit;
				tmp.alt = ip->alt;
				mk_figure(out, &tmp, NULL);
			}
			bl_buf_putc(out, '\n');
		}
	}
	return bl_buf_err(out);
}
