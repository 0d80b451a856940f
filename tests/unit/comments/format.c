/* Unit tests for src/comments/format.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "comments/comments.h"

static struct bl_buf out = BL_BUF_INIT;

static void
teardown(void)
{
	bl_buf_release(&out);
}

TestSuite(format, .fini = teardown);

static const char *
fmt(const char *text)
{
	bl_buf_reset(&out);
	cr_assert_eq(cmt_format(&out, text), 0);
	return out.s;
}

Test(format, paragraphs_and_line_breaks)
{
	cr_assert_str_eq(fmt("one"), "<p>one</p>\n");
	cr_assert_str_eq(fmt("one\ntwo\n\nthree"),
	    "<p>one<br>\ntwo</p>\n<p>three</p>\n");
	cr_assert_str_eq(fmt("one\r\n\r\n  \n\r\ntwo\r\n"),
	    "<p>one</p>\n<p>two</p>\n");
	cr_assert_str_eq(fmt(""), "");
	cr_assert_str_eq(fmt(NULL), "");
}

Test(format, html_is_escaped)
{
	cr_assert_str_eq(fmt("<script>alert('x')</script>"),
	    "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>\n");
	cr_assert_str_eq(fmt("<img src=x onerror=alert(1)>"),
	    "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
	cr_assert_str_eq(fmt("Tom & \"Jerry\""),
	    "<p>Tom &amp; &quot;Jerry&quot;</p>\n");
}

Test(format, javascript_is_not_linked)
{
	const char *h = fmt("javascript:alert(1) and data:text/html,x");

	cr_assert_null(strstr(h, "<a"));
	cr_assert_str_eq(h, "<p>javascript:alert(1) and data:text/html,x</p>\n");
	cr_assert_null(strstr(fmt("xhttp://example.org"), "<a"));
}

Test(format, urls_are_linked)
{
	cr_assert_str_eq(fmt("see https://example.org/a?b=1&c=2 now"),
	    "<p>see <a href=\"https://example.org/a?b=1&amp;c=2\" "
	    "rel=\"nofollow ugc noopener\">https://example.org/a?b=1&amp;c=2</a>"
	    " now</p>\n");
	cr_assert_str_eq(fmt("HTTP://EXAMPLE.ORG"),
	    "<p><a href=\"HTTP://EXAMPLE.ORG\" rel=\"nofollow ugc noopener\">"
	    "HTTP://EXAMPLE.ORG</a></p>\n");
	cr_assert_str_eq(fmt("http:// alone"), "<p>http:// alone</p>\n");
}

Test(format, trailing_punctuation_stays_outside)
{
	cr_assert_str_eq(fmt("Read http://example.org/x."),
	    "<p>Read <a href=\"http://example.org/x\" rel=\"nofollow ugc noopener\">"
	    "http://example.org/x</a>.</p>\n");
	cr_assert_str_eq(fmt("(see http://example.org/x)!"),
	    "<p>(see <a href=\"http://example.org/x\" rel=\"nofollow ugc noopener\">"
	    "http://example.org/x</a>)!</p>\n");
	cr_assert_str_eq(fmt("http://en.example.org/wiki/C_(language), yes"),
	    "<p><a href=\"http://en.example.org/wiki/C_(language)\" "
	    "rel=\"nofollow ugc noopener\">http://en.example.org/wiki/C_(language)"
	    "</a>, yes</p>\n");
	cr_assert_str_eq(fmt("'http://example.org/q?'"),
	    "<p>&#39;<a href=\"http://example.org/q\" rel=\"nofollow ugc noopener\">"
	    "http://example.org/q</a>?&#39;</p>\n");
}

Test(format, quotes_and_angle_brackets_end_a_url)
{
	const char *h = fmt("http://example.org/\"onmouseover=\"alert(1)");

	cr_assert_str_eq(h,
	    "<p><a href=\"http://example.org/\" rel=\"nofollow ugc noopener\">"
	    "http://example.org/</a>&quot;onmouseover=&quot;alert(1)</p>\n");
	h = fmt("<http://example.org/><script>");
	cr_assert_str_eq(h,
	    "<p>&lt;<a href=\"http://example.org/\" rel=\"nofollow ugc noopener\">"
	    "http://example.org/</a>&gt;&lt;script&gt;</p>\n");
	h = fmt("http://example.org/it's");
	cr_assert_str_eq(h,
	    "<p><a href=\"http://example.org/it&#39;s\" rel=\"nofollow ugc noopener\">"
	    "http://example.org/it&#39;s</a></p>\n");
}

Test(format, backslash_urls_are_not_linked)
{
	cr_assert_null(strstr(fmt("http://example.org\\@evil"), "<a"));
}
