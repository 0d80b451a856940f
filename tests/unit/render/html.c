/* Unit tests for src/render/html.c: the escaping writer. */
#include <criterion/criterion.h>
#include <string.h>

#include "render/html.h"

static char *
esc(int (*fn)(struct bl_buf *, const char *, size_t), const char *in)
{
	struct bl_buf b = BL_BUF_INIT;

	fn(&b, in, strlen(in));
	return bl_buf_detach(&b, NULL);
}

Test(html, escapes_every_special_character)
{
	char *s = esc(html_text, "<script>alert('x')</script> & \"q\"");

	cr_assert_str_eq(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
	free(s);
}

Test(html, keeps_unicode_untouched)
{
	char *s = esc(html_text, "“Zoë” — naïve");

	cr_assert_str_eq(s, "“Zoë” — naïve");
	free(s);
}

Test(html, url_refuses_dangerous_schemes)
{
	const char *bad[] = { "javascript:alert(1)", "JaVaScRiPt:alert(1)",
	    "vbscript:x", "data:text/html,<b>", "java\tscript:x", " javascript:x" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *s = esc(html_url, bad[i]);
		cr_assert_str_eq(s, "#", "%s must be refused", bad[i]);
		free(s);
	}
}

Test(html, url_keeps_safe_urls_escaped)
{
	char *s = esc(html_url, "https://example.org/a?b=1&c=\"2\"");

	cr_assert_str_eq(s, "https://example.org/a?b=1&amp;c=&quot;2&quot;");
	free(s);
	s = esc(html_url, "/tag/police/");
	cr_assert_str_eq(s, "/tag/police/");
	free(s);
	s = esc(html_url, "a/b:c");
	cr_assert_str_eq(s, "a/b:c", "colon after a slash is not a scheme");
	free(s);
}

Test(html, json_string_cannot_close_script)
{
	char *s = esc(html_json_string, "</script><!-- \"x\"\n");

	cr_assert_null(strstr(s, "</"));
	cr_assert_null(strstr(s, "<!--"));
	cr_assert_str_eq(s, "\\u003c/script\\u003e\\u003c!-- \\\"x\\\"\\n");
	free(s);
}
