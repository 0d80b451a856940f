/* Unit tests for src/markup/figure.c: photo figures and text bodies. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/arena.h"
#include "import/text.h"
#include "markup/markup.h"

static struct st_photo
photo(char *file, char *caption, char *credit, char *alt, int w, int h)
{
	struct st_photo p;

	memset(&p, 0, sizeof(p));
	p.file = file;
	p.caption = caption;
	p.credit = credit;
	p.alt = alt;
	p.width = w;
	p.height = h;
	return p;
}

Test(figure, with_file_and_size)
{
	struct bl_buf b = BL_BUF_INIT;
	struct st_photo p = photo("2026/11/street sweep.jpg",
	    "A worker sweeps the street.", "Jane Doe / Example Agency via AP",
	    "", 1200, 800);

	cr_assert_eq(markup_figure(&b, &p), 0);
	cr_assert_str_eq(b.s, "<figure class=\"photo\"><img "
	    "src=\"/media/2026/11/street%20sweep.jpg\" "
	    "alt=\"A worker sweeps the street.\" width=\"1200\" "
	    "height=\"800\" loading=\"lazy\"><figcaption>A worker sweeps the "
	    "street. <span class=\"credit\">(Jane Doe / Example Agency via "
	    "AP)</span></figcaption></figure>");
	bl_buf_release(&b);
}

Test(figure, without_file_has_no_img)
{
	struct bl_buf b = BL_BUF_INIT;
	struct st_photo p = photo("", "Caption.", "Credit", "Alt", 0, 0);

	cr_assert_eq(markup_figure(&b, &p), 0);
	cr_assert_str_eq(b.s, "<figure class=\"photo\"><figcaption>Caption. "
	    "<span class=\"credit\">(Credit)</span></figcaption></figure>");
	bl_buf_release(&b);
}

Test(figure, explicit_alt_and_unknown_size_and_no_credit)
{
	struct bl_buf b = BL_BUF_INIT;
	struct st_photo p = photo("a.jpg", "Caption", "", "Alt text", 0, 0);

	markup_figure(&b, &p);
	cr_assert_str_eq(b.s, "<figure class=\"photo\"><img src=\"/media/a.jpg\" "
	    "alt=\"Alt text\" loading=\"lazy\"><figcaption>Caption"
	    "</figcaption></figure>");
	bl_buf_release(&b);
}

Test(figure, hostile_text_is_escaped)
{
	struct bl_buf b = BL_BUF_INIT;
	struct st_photo p = photo("../../x\"><script>.jpg",
	    "<script>alert(1)</script> & \"quotes\"",
	    "Jo's </span><b>Agency</b>", "\" onerror=\"alert(1)", 10, 10);

	markup_figure(&b, &p);
	cr_assert_null(strstr(b.s, "<script"));
	cr_assert_null(strstr(b.s, "<b>"));
	cr_assert_null(strstr(b.s, "\" onerror"));
	cr_assert_null(strstr(b.s, ".."));
	cr_assert(strstr(b.s, "src=\"/media/x%22%3E%3Cscript%3E.jpg\"") != NULL,
	    "%s", b.s);
	cr_assert(strstr(b.s, "alt=\"&quot; onerror=&quot;alert(1)\"") != NULL);
	cr_assert(strstr(b.s, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
	    "&quot;quotes&quot;") != NULL);
	cr_assert(strstr(b.s, "(Jo&#39;s &lt;/span&gt;&lt;b&gt;Agency&lt;/b&gt;)"
	    "</span>") != NULL);
	bl_buf_release(&b);
}

Test(figure, text_body_renders_paragraphs_and_photos)
{
	static const char src[] = "Headline\n\nFirst <b>para</b> & more.\n\n"
	    "Alt repeat.\n\nAlt repeat.\n(Credit / Agency)\n\nLast.\n";
	struct bl_arena a = BL_ARENA_INIT;
	struct bl_buf b = BL_BUF_INIT;
	struct imp_article art;
	struct bl_err err;
	struct st_photo ph = photo("p.jpg", "Alt repeat.", "Credit / Agency",
	    "Alt repeat.", 0, 0);

	cr_assert_eq(imp_text_parse(src, sizeof(src) - 1, &a, &art, &err), 0);
	cr_assert_eq(markup_text_body(&b, &art, &ph), 0);
	cr_assert_str_eq(b.s, "<p>First &lt;b&gt;para&lt;/b&gt; &amp; more.</p>\n"
	    "<figure class=\"photo\"><img src=\"/media/p.jpg\" alt=\"Alt "
	    "repeat.\" loading=\"lazy\"><figcaption>Alt repeat. <span "
	    "class=\"credit\">(Credit / Agency)</span></figcaption></figure>\n"
	    "<p>Last.</p>\n");
	/* Without stored photos the figures have no image. */
	bl_buf_reset(&b);
	markup_text_body(&b, &art, NULL);
	cr_assert(strstr(b.s, "<figure class=\"photo\"><figcaption>Alt repeat.")
	    != NULL);
	bl_buf_release(&b);
	bl_arena_release(&a);
}
