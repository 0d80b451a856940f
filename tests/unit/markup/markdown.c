/* Unit tests for src/markup/markdown.c: Markdown to allow-listed HTML. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "markup/markup.h"

/* What md() returned, freed after each test so leak checks stay quiet. */
static char *kept[16];
static size_t nkept;

static void
drop_kept(void)
{
	while (nkept > 0)
		free(kept[--nkept]);
}

TestSuite(markdown, .fini = drop_kept);

static char *
md(const char *src, const struct st_photo *photos, size_t n)
{
	struct bl_buf b = BL_BUF_INIT;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(markup_markdown_body(&b, src, strlen(src), photos, n, &err),
	    0, "%s", err.msg);
	cr_assert_lt(nkept, sizeof(kept) / sizeof(kept[0]));
	return kept[nkept++] = b.s;
}

static struct st_photo
photo(char *file, char *caption)
{
	struct st_photo p;

	memset(&p, 0, sizeof(p));
	p.file = file;
	p.caption = caption;
	p.credit = "Agency";
	p.alt = "";
	return p;
}

Test(markdown, basic_blocks_and_inlines)
{
	cr_assert_str_eq(md("# Title\n\nSome *em* and **strong** and ~~gone~~ "
	    "and `co<de>`.  \nNext line.\n\n### Three\n\n> quoted\n\n---\n\n"
	    "```c\nif (a < b) return;\n```\n", NULL, 0),
	    "<h2>Title</h2>\n<p>Some <em>em</em> and <strong>strong</strong> and "
	    "<del>gone</del> and <code>co&lt;de&gt;</code>.<br>\nNext line.</p>\n"
	    "<h3>Three</h3>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n<hr>\n"
	    "<pre><code>if (a &lt; b) return;\n</code></pre>\n");
}

Test(markdown, lists)
{
	cr_assert_str_eq(md("- one\n- two\n\n3. three\n4. four\n", NULL, 0),
	    "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
	    "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n");
	cr_assert_str_eq(md("1. loose\n\n2. list\n", NULL, 0),
	    "<ol>\n<li><p>loose</p>\n</li>\n<li><p>list</p>\n</li>\n</ol>\n");
}

Test(markdown, raw_html_is_shown_as_text)
{
	char *h = md("<script>alert(1)</script>\n\nHi <img src=x "
	    "onerror=alert(1)> there <b>bold</b>\n\n<div onclick=\"x\">d</div>\n",
	    NULL, 0);

	cr_assert_str_eq(h, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
	    "<p>Hi &lt;img src=x onerror=alert(1)&gt; there &lt;b&gt;bold"
	    "&lt;/b&gt;</p>\n<p>&lt;div onclick=&quot;x&quot;&gt;d&lt;/div&gt;"
	    "</p>\n");
}

Test(markdown, links_keep_only_safe_urls)
{
	cr_assert_str_eq(md("[a](javascript:alert(1)) [b](/local \"T\") "
	    "[c](https://example.com/?q=1&r=2) [d](data:text/html,x) "
	    "[e](mailto:desk@example.com) www.example.org\n", NULL, 0),
	    "<p><a>a</a> <a href=\"/local\" title=\"T\">b</a> "
	    "<a href=\"https://example.com/?q=1&amp;r=2\" rel=\"noopener\">c</a> "
	    "<a>d</a> <a href=\"mailto:desk@example.com\">e</a> "
	    "<a href=\"http://www.example.org\" rel=\"noopener\">"
	    "www.example.org</a></p>\n");
}

Test(markdown, tables)
{
	cr_assert_str_eq(md("| Team | Score |\n|---|--:|\n| A <i> | 1 |\n"
	    "| B | **2** |\n", NULL, 0),
	    "<table>\n<thead>\n<tr>\n<th>Team</th>\n<th>Score</th>\n</tr>\n"
	    "</thead>\n<tbody>\n<tr>\n<td>A &lt;i&gt;</td>\n<td>1</td>\n</tr>\n"
	    "<tr>\n<td>B</td>\n<td><strong>2</strong></td>\n</tr>\n</tbody>\n"
	    "</table>\n");
}

Test(markdown, images_become_figures)
{
	struct st_photo ph[1] = { photo("a.jpg", "Caption A") };

	/* A photo's file: its figure, with credit. */
	cr_assert_str_eq(md("Intro.\n\n![ignored](a.jpg)\n\nEnd.\n", ph, 1),
	    "<p>Intro.</p>\n<figure class=\"photo\"><img src=\"/media/a.jpg\" "
	    "alt=\"Caption A\" loading=\"lazy\"><figcaption>Caption A <span "
	    "class=\"credit\">(Agency)</span></figcaption></figure>\n"
	    "<p>End.</p>\n");
	/* Another image: a figure without credit, after its paragraph. */
	cr_assert_str_eq(md("See ![A \"map\"](maps/x.png) here.\n", NULL, 0),
	    "<p>See  here.</p>\n<figure class=\"photo\"><img "
	    "src=\"/media/maps/x.png\" alt=\"A &quot;map&quot;\" "
	    "loading=\"lazy\"><figcaption>A &quot;map&quot;</figcaption>"
	    "</figure>\n");
	cr_assert_str_eq(md("![x](javascript:alert(1))\n", NULL, 0),
	    "<figure class=\"photo\"><figcaption>x</figcaption></figure>\n");
	cr_assert_str_eq(md("![x](https://img.example/p.jpg)\n", NULL, 0),
	    "<figure class=\"photo\"><img src=\"https://img.example/p.jpg\" "
	    "alt=\"x\" loading=\"lazy\"><figcaption>x</figcaption></figure>\n");
}

static size_t
count(const char *h, const char *needle)
{
	size_t n = 0;

	for (const char *p = h; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

Test(markdown, unplaced_photos_are_spread)
{
	struct st_photo ph[3] = {
		photo("1.jpg", "One"), photo("2.jpg", "Two"), photo("3.jpg", "Three")
	};
	char *h = md("## Head\n\nP1.\n\nP2.\n\nP3.\n\nP4.\n\nP5.\n\nP6.\n", ph, 3);

	/* First before the first paragraph, the others after P2 and P4. */
	cr_assert_str_eq(h, "<h2>Head</h2>\n"
	    "<figure class=\"photo\"><img src=\"/media/1.jpg\" alt=\"One\" "
	    "loading=\"lazy\"><figcaption>One <span class=\"credit\">(Agency)"
	    "</span></figcaption></figure>\n<p>P1.</p>\n<p>P2.</p>\n"
	    "<figure class=\"photo\"><img src=\"/media/2.jpg\" alt=\"Two\" "
	    "loading=\"lazy\"><figcaption>Two <span class=\"credit\">(Agency)"
	    "</span></figcaption></figure>\n<p>P3.</p>\n<p>P4.</p>\n"
	    "<figure class=\"photo\"><img src=\"/media/3.jpg\" alt=\"Three\" "
	    "loading=\"lazy\"><figcaption>Three <span class=\"credit\">(Agency)"
	    "</span></figcaption></figure>\n<p>P5.</p>\n<p>P6.</p>\n");

	/* A photo the text shows is not placed again. */
	h = md("P1.\n\n![x](2.jpg)\n\nP2.\n", ph, 3);
	cr_assert_eq(count(h, "/media/2.jpg"), 1);
	cr_assert_eq(count(h, "<figure"), 3);
	cr_assert(strstr(h, "3.jpg") > strstr(h, "<p>P1."), "%s", h);
	cr_assert(strstr(h, "1.jpg") < strstr(h, "<p>P1."), "%s", h);

	/* No paragraphs at all: photos still appear. */
	h = md("", ph, 2);
	cr_assert_eq(count(h, "<figure"), 2);
}

Test(markdown, images_find_photos_copied_under_new_names)
{
	struct st_photo ph[2] = {
		photo("2026/11/harbour-sweep-2.jpg", "Sweep"),
		photo("2026/11/boats.jpg", "Boats")
	};
	const char *refs[2] = { NULL, "../pics/IMG_0042.jpeg" };
	struct bl_buf b = BL_BUF_INIT;
	struct bl_err err;
	const char *src = "P1.\n\n![](pics/Harbour Sweep.JPG)\n\n"
	    "![](../pics/IMG_0042.jpeg)\n\nP2.\n";
	char *h;

	/* By the name the author wrote, and by the slugged file name. */
	cr_assert_eq(markup_markdown_body_refs(&b, src, strlen(src), ph, refs, 2,
	    &err), 0);
	cr_assert_eq(count(b.s, "<figure"), 2, "%s", b.s);
	cr_assert_eq(count(b.s, "/media/2026/11/harbour-sweep-2.jpg"), 1);
	cr_assert_eq(count(b.s, "/media/2026/11/boats.jpg"), 1);
	cr_assert(strstr(b.s, "Sweep") < strstr(b.s, "Boats"));
	bl_buf_release(&b);
	/* A different name is not taken for a photo. */
	h = md("P1.\n\n![](harbour.jpg)\n", ph, 1);
	cr_assert_eq(count(h, "/media/harbour.jpg"), 1);
	cr_assert_eq(count(h, "harbour-sweep-2.jpg"), 1);
}

Test(markdown, refuses_absurd_nesting_quickly)
{
	struct bl_buf out = BL_BUF_INIT, md = BL_BUF_INIT;
	struct bl_err err;

	/* 100,000 quote markers took cmark-gfm minutes: refused up front. */
	for (int i = 0; i < 100000; i++)
		bl_buf_puts(&md, "> ");
	bl_buf_puts(&md, "[[[***\n");
	cr_assert_eq(markup_markdown_body(&out, md.s, md.len, NULL, 0, &err), -1);
	cr_assert_not_null(strstr(err.msg, "levels deep"), "%s", err.msg);
	bl_buf_reset(&out);
	cr_assert_eq(markup_markdown_body(&out, "> > > quoted\n\n- a\n  - b\n", 24, NULL, 0, &err), 0,
	    "ordinary nesting is fine: %s", err.msg);
	cr_assert_not_null(strstr(out.s, "<blockquote>"));
	bl_buf_release(&out);
	bl_buf_release(&md);
}
