/* Unit tests for src/render/tpl.c: the theme template engine. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/tpl.h"

static const char XSS_DQ[] = "\"><script>alert(1)</script>";
static const char XSS_SQ[] = "' onmouseover='x";

/* Compiles templates given as name, source pairs; fails the test on error. */
static struct tpl_set *
compile_n(size_t n, const char *const *names, const char *const *srcs)
{
	struct tpl_set *set = NULL;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(tpl_set_from_strings(names, srcs, n, &set, &err), 0,
	    "compile failed: %s", err.msg);
	cr_assert_not_null(set);
	return set;
}

static struct tpl_set *
compile1(const char *src)
{
	const char *names[] = { "t" };

	return compile_n(1, names, &src);
}

/* Returns the compile error of a one-template set, "" if it compiled. */
static char *
compile_error(const char *src)
{
	const char *names[] = { "t" };
	struct tpl_set *set = NULL;
	struct bl_err err = { .msg = "" };

	if (tpl_set_from_strings(names, &src, 1, &set, &err) == 0) {
		tpl_set_free(set);
		return strdup("");
	}
	cr_assert_null(set);
	return strdup(err.msg);
}

static char *
render(const struct tpl_set *set, const char *name, const struct tpl_val *root)
{
	struct bl_buf b = BL_BUF_INIT;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(tpl_render(set, name, root, &b, &err), 0,
	    "render failed: %s", err.msg);
	return bl_buf_detach(&b, NULL);
}

/* Compiles `src`, renders it with `root` and compares with `want`. */
static void
expect(const char *src, const struct tpl_val *root, const char *want)
{
	struct tpl_set *set = compile1(src);
	char *s = render(set, "t", root);

	cr_assert_str_eq(s, want, "template: %s", src);
	free(s);
	tpl_set_free(set);
}

/* --------------------------------------------------------------- escaping */

Test(tpl_escape, text_in_element_text)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "v", XSS_DQ);
	expect("<p>{{v}}</p>", r,
	    "<p>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	bl_arena_release(&a);
}

Test(tpl_escape, double_quoted_attribute)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "v", XSS_DQ);
	expect("<input value=\"{{v}}\">", r,
	    "<input value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">");
	tpl_set_text(&a, r, "v", XSS_SQ);
	expect("<input value=\"{{v}}\">", r,
	    "<input value=\"&#39; onmouseover=&#39;x\">");
	bl_arena_release(&a);
}

Test(tpl_escape, single_quoted_attribute)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "v", XSS_SQ);
	expect("<div title='{{v}}'>x</div>", r,
	    "<div title='&#39; onmouseover=&#39;x'>x</div>");
	tpl_set_text(&a, r, "v", XSS_DQ);
	expect("<div title='{{v}}'></div>", r,
	    "<div title='&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'></div>");
	bl_arena_release(&a);
}

Test(tpl_escape, title_and_textarea_escape_everything)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "t", "</title><script>x</script>");
	tpl_set_html(&a, r, "h", "<b>bold</b>");
	expect("<title>{{t}}</title><textarea>{{h}}</textarea>", r,
	    "<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>"
	    "<textarea>&lt;b&gt;bold&lt;/b&gt;</textarea>");
	bl_arena_release(&a);
}

Test(tpl_escape, dangerous_urls_become_hash)
{
	static const char *const attrs[] = { "href", "src", "action",
	    "formaction", "poster", "cite", "data", "srcset", "HREF" };
	static const char *const bad[] = { "javascript:alert(1)",
	    "data:text/html,<script>alert(1)</script>", "JavaScript:x",
	    "vbscript:x" };
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);
	char src[128], want[128];

	for (size_t i = 0; i < sizeof(attrs) / sizeof(*attrs); i++)
		for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
			tpl_set_text(&a, r, "u", bad[k]);
			snprintf(src, sizeof(src), "<a %s=\"{{u}}\">x</a>", attrs[i]);
			snprintf(want, sizeof(want), "<a %s=\"#\">x</a>", attrs[i]);
			expect(src, r, want);
			snprintf(src, sizeof(src), "<img %s='{{u}}'>", attrs[i]);
			snprintf(want, sizeof(want), "<img %s='#'>", attrs[i]);
			expect(src, r, want);
		}
	bl_arena_release(&a);
}

Test(tpl_escape, safe_urls_are_kept_and_escaped)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "u", "https://example.com/?a=1&b=\"2\"");
	expect("<a href=\"{{u}}\">", r,
	    "<a href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\">");
	tpl_set_text(&a, r, "u", "/2026/01/02/story/");
	expect("<a href=\"{{u}}\">", r, "<a href=\"/2026/01/02/story/\">");
	bl_arena_release(&a);
}

Test(tpl_escape, url_scheme_set_by_the_template_is_not_checked_again)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	/* After "/search?q=" the value is a query, not a whole URL. */
	tpl_set_text(&a, r, "q", "javascript:x");
	expect("<a href=\"/search?q={{q}}\">", r,
	    "<a href=\"/search?q=javascript:x\">");
	/* Before any ':', '/', '?' or '#' the value can still pick a scheme. */
	tpl_set_text(&a, r, "q", "script:alert(1)");
	expect("<a href=\"java{{q}}\">", r, "<a href=\"java#\">");
	/* Each srcset candidate is checked. */
	tpl_set_text(&a, r, "q", "javascript:x");
	expect("<img srcset=\"/a.jpg 1x, {{q}} 2x\">", r,
	    "<img srcset=\"/a.jpg 1x, # 2x\">");
	bl_arena_release(&a);
}

Test(tpl_escape, data_attributes_are_not_urls)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "v", "a:b<");
	expect("<div data-id=\"{{v}}\" class=\"{{v}}\">", r,
	    "<div data-id=\"a:b&lt;\" class=\"a:b&lt;\">");
	bl_arena_release(&a);
}

Test(tpl_escape, safe_html_is_raw_only_in_element_text)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_html(&a, r, "h", "<p>Hi &amp; \"bye\"</p>");
	expect("<div>{{h}}</div>", r, "<div><p>Hi &amp; \"bye\"</p></div>");
	expect("<div title=\"{{h}}\">", r,
	    "<div title=\"&lt;p&gt;Hi &amp;amp; &quot;bye&quot;&lt;/p&gt;\">");
	expect("<script type=\"application/ld+json\">{\"a\": \"{{h}}\"}</script>",
	    r, "<script type=\"application/ld+json\">{\"a\": "
	    "\"\\u003cp\\u003eHi \\u0026amp; \\\"bye\\\"\\u003c/p\\u003e\"}</script>");
	bl_arena_release(&a);
}

Test(tpl_escape, json_ld_strings)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "t", "</script><script>alert(\"1\")</script>\n");
	expect("<script type=\"application/ld+json\">{\"headline\": \"{{t}}\"}</script><p>{{t}}</p>",
	    r, "<script type=\"application/ld+json\">{\"headline\": "
	    "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(\\\"1\\\")"
	    "\\u003c/script\\u003e\\n\"}</script>"
	    "<p>&lt;/script&gt;&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;\n</p>");
	bl_arena_release(&a);
}

Test(tpl_escape, json_ld_values_outside_strings)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "t", "a \"b\"");
	tpl_set_int(&a, r, "n", 42);
	tpl_set_bool(&a, r, "b", 1);
	expect("<SCRIPT Type='Application/LD+JSON '>"
	    "{\"x\": {{t}}, \"n\": {{n}}, \"b\": {{b}}, \"m\": {{missing}}, "
	    "\"s\": \"q\\\"{{n}}\"}</script>", r,
	    "<SCRIPT Type='Application/LD+JSON '>"
	    "{\"x\": \"a \\\"b\\\"\", \"n\": 42, \"b\": true, \"m\": null, "
	    "\"s\": \"q\\\"42\"}</script>");
	bl_arena_release(&a);
}

Test(tpl_escape, unicode_text_is_unchanged)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "t", "“Zoë” — naïve 日本語 🎉");
	expect("<h1 title=\"{{t}}\">{{t}} · ünïcode</h1>", r,
	    "<h1 title=\"“Zoë” — naïve 日本語 🎉\">“Zoë” — naïve 日本語 🎉 · ünïcode</h1>");
	bl_arena_release(&a);
}

/* --------------------------------------------------------------- contexts */

Test(tpl_context, forbidden_places_are_compile_errors)
{
	static const char *const bad[] = {
		"<script>var x = \"{{x}}\";</script>",
		"<script type=\"text/javascript\">{{x}}</script>",
		"<script type=\"module\">f({{x}})</script>",
		"<script type=\"{{t}}\">{{x}}</script>",
		"<style>body { color: {{c}} }</style>",
		"<style media=\"x\">a{}</style><style>{{c}}</style>",
		"<div {{x}}>",
		"<div class=\"a\" {{x}}>",
		"<div class={{x}}>",
		"<a href={{u}}>",
		"<a href=x{{u}}>",
		"<!-- {{x}} -->",
		"<!--\n{{x}}\n-->",
		"<{{x}}>",
		"</{{x}}>",
		"<div data-{{x}}=\"1\">",
		"<a onclick=\"{{x}}\">",
		"<body onLoad='{{x}}'>",
		"<iframe srcdoc=\"{{x}}\"></iframe>",
		"<!DOCTYPE {{x}}>",
		"<p title=\"{{>p}}\">",
		"<script type=\"application/ld+json\">{{>p}}</script>",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *msg = compile_error(bad[i]);

		cr_expect(strncmp(msg, "t:", 2) == 0 && msg[2] >= '1' && msg[2] <= '3',
		    "'%s' must fail with file:line, got '%s'", bad[i], msg);
		free(msg);
	}
}

Test(tpl_context, error_names_the_place)
{
	char *msg = compile_error("<p>ok</p>\n<script>\nvar a = {{x}};\n</script>");

	cr_assert_str_eq(msg, "t:3: '{{x}}' inside <script> (only <script "
	    "type=\"application/ld+json\"> takes values)");
	free(msg);
	msg = compile_error("<div\nclass={{x}}>");
	cr_assert_str_eq(msg, "t:2: '{{x}}' in an unquoted attribute value");
	free(msg);
	msg = compile_error("<!-- {{ x }} -->");
	cr_assert_str_eq(msg, "t:1: '{{x}}' inside an HTML comment");
	free(msg);
}

Test(tpl_context, text_resumes_after_raw_elements_and_comments)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	tpl_set_text(&a, r, "x", "<i>");
	expect("<script>var s = \"<p>\" + '</sc' + 'ript>';</script ><p>{{x}}</p>"
	    "<style>a>b{}</STYLE><!-- c -- d --><!--><b>{{x}}</b>"
	    "<!DOCTYPE html><a title=\"a>b\">{{x}}</a> 1 < 2 {{x}}", r,
	    "<script>var s = \"<p>\" + '</sc' + 'ript>';</script ><p>&lt;i&gt;</p>"
	    "<style>a>b{}</STYLE><!-- c -- d --><!--><b>&lt;i&gt;</b>"
	    "<!DOCTYPE html><a title=\"a>b\">&lt;i&gt;</a> 1 < 2 &lt;i&gt;");
	bl_arena_release(&a);
}

Test(tpl_context, template_must_end_in_element_text)
{
	char *msg = compile_error("<p>x</p>\n<div class=\"a");

	cr_assert_str_eq(msg, "t:2: template ends inside a tag");
	free(msg);
	msg = compile_error("<!-- open");
	cr_assert_str_eq(msg, "t:1: template ends inside an HTML comment");
	free(msg);
}

Test(tpl_context, conditional_attributes)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);
	const char *src = "<option value=\"1\" {{#sel}}selected{{/sel}}>"
	    "<li class=\"nav{{#cur}} current{{/cur}}\">";

	expect(src, r, "<option value=\"1\" ><li class=\"nav\">");
	tpl_set_bool(&a, r, "sel", 1);
	tpl_set_bool(&a, r, "cur", 1);
	expect(src, r, "<option value=\"1\" selected><li class=\"nav current\">");
	bl_arena_release(&a);
}

Test(tpl_context, sections_may_not_shift_the_context)
{
	static const char *const bad[] = {
		"{{#x}}<a href=\"{{/x}}{{u}}\">",
		"<a href{{#x}} title{{/x}}=\"{{u}}\">",
		"<a href=\"{{#x}}/{{/x}}{{u}}\">",
		"<scr{{#x}}ipt{{/x}}>",
		"<a {{#x}}=\"1\"{{/x}}>",
		"{{#x}}<!--{{/x}}-->",
		"<script {{#x}}type=\"application/ld+json\"{{/x}}></script>",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *msg = compile_error(bad[i]);

		cr_expect(strncmp(msg, "t:1: ", 5) == 0,
		    "'%s' must fail, got '%s'", bad[i], msg);
		free(msg);
	}
}

/* --------------------------------------------------------------- sections */

Test(tpl_section, list_of_maps)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *l, *m;

	l = tpl_set_list(&a, r, "items");
	m = tpl_list_add_map(&a, l);
	tpl_set_text(&a, m, "title", "One");
	tpl_set_text(&a, m, "url", "/one/");
	m = tpl_list_add_map(&a, l);
	tpl_set_text(&a, m, "title", "Two & Three");
	tpl_set_text(&a, m, "url", "javascript:bad()");
	cr_assert_eq(tpl_list_len(l), 2);
	expect("<ul>{{#items}}<li><a href=\"{{url}}\">{{title}}</a></li>{{/items}}</ul>",
	    r, "<ul><li><a href=\"/one/\">One</a></li>"
	    "<li><a href=\"#\">Two &amp; Three</a></li></ul>");
	bl_arena_release(&a);
}

Test(tpl_section, list_of_scalars_with_dot_and_positions)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *l;

	l = tpl_set_list(&a, r, "l");
	tpl_list_add_text(&a, l, "a");
	tpl_list_add_text(&a, l, "<b>");
	tpl_list_add_text(&a, l, "c");
	expect("{{#l}}{{#@first}}[{{/@first}}{{@index}}:{{.}}{{^@last}}, {{/@last}}"
	    "{{#@last}}]{{/@last}}{{/l}}", r, "[0:a, 1:&lt;b&gt;, 2:c]");
	expect("{{#l}}{{#@first}}{{.}}{{/@first}}{{/l}}", r, "a");
	expect("{{#l}}{{@first}}{{@last}} {{/l}}", r,
	    "truefalse falsefalse falsetrue ");
	bl_arena_release(&a);
}

Test(tpl_section, positions_refer_to_the_nearest_list)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *l, *m, *in;

	l = tpl_set_list(&a, r, "rows");
	for (int i = 0; i < 2; i++) {
		m = tpl_list_add_map(&a, l);
		tpl_set_map(&a, m, "author");
		tpl_set_text(&a, tpl_set_map(&a, m, "author"), "name", i ? "B" : "A");
		in = tpl_set_list(&a, m, "tags");
		tpl_list_add_text(&a, in, "x");
		tpl_list_add_text(&a, in, "y");
	}
	expect("{{#rows}}{{#author}}{{@index}}{{name}}{{/author}}"
	    "({{#tags}}{{@index}}{{.}}{{/tags}}){{/rows}}{{@index}}", r,
	    "0A(0x1y)1B(0x1y)");
	bl_arena_release(&a);
}

Test(tpl_section, map_is_pushed_as_scope)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *m;

	tpl_set_text(&a, r, "name", "root");
	tpl_set_text(&a, r, "other", "outer");
	m = tpl_set_map(&a, r, "author");
	tpl_set_text(&a, m, "name", "Jane");
	expect("{{#author}}{{name}} {{other}}{{/author}} {{name}}", r,
	    "Jane outer root");
	tpl_set_map(&a, r, "empty");
	expect("{{#empty}}in{{/empty}}{{^empty}}out{{/empty}}", r, "in");
	bl_arena_release(&a);
}

Test(tpl_section, scalars_by_truth)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);
	const char *src = "{{#v}}yes:{{.}}{{/v}}{{^v}}no{{/v}}";

	expect(src, r, "no");                   /* missing */
	tpl_set_bool(&a, r, "v", 1);
	expect(src, r, "yes:true");
	tpl_set_bool(&a, r, "v", 0);
	expect(src, r, "no");
	tpl_set_int(&a, r, "v", 7);
	expect(src, r, "yes:7");
	tpl_set_int(&a, r, "v", 0);
	expect(src, r, "no");
	tpl_set_text(&a, r, "v", "x<");
	expect(src, r, "yes:x&lt;");
	tpl_set_text(&a, r, "v", "");
	expect(src, r, "no");
	tpl_set_list(&a, r, "v");
	expect(src, r, "no");                   /* empty list */
	tpl_list_add_text(&a, tpl_set_list(&a, r, "v"), "i");
	expect(src, r, "yes:i");
	bl_arena_release(&a);
}

Test(tpl_section, nested_sections_and_outward_lookup)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *secs, *s, *items, *it;

	tpl_set_text(&a, tpl_set_map(&a, r, "site"), "name", "Daily");
	secs = tpl_set_list(&a, r, "sections");
	s = tpl_list_add_map(&a, secs);
	tpl_set_text(&a, s, "name", "World");
	items = tpl_set_list(&a, s, "items");
	it = tpl_list_add_map(&a, items);
	tpl_set_text(&a, it, "title", "T1");
	it = tpl_list_add_map(&a, items);
	tpl_set_text(&a, it, "title", "T2");
	tpl_set_text(&a, it, "name", "own");
	expect("{{#sections}}<h2>{{name}}</h2>{{#items}}[{{title}} {{name}} {{site.name}}]"
	    "{{/items}}{{/sections}}", r,
	    "<h2>World</h2>[T1 World Daily][T2 own Daily]");
	bl_arena_release(&a);
}

Test(tpl_section, dotted_names)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *art, *l, *m;

	art = tpl_set_map(&a, r, "article");
	tpl_set_text(&a, tpl_set_map(&a, art, "author"), "name", "Jane");
	tpl_set_text(&a, tpl_set_map(&a, r, "site"), "title", "Daily");
	expect("{{article.author.name}}|{{ article.author.missing }}|"
	    "{{article.nope.name}}|{{site.title.x}}", r, "Jane|||");
	/* Only the first segment looks outward; the rest stays inside it. */
	l = tpl_set_list(&a, r, "l");
	m = tpl_list_add_map(&a, l);
	tpl_set_map(&a, m, "site");                  /* has no title */
	m = tpl_list_add_map(&a, l);
	expect("{{#l}}[{{site.title}}]{{/l}}", r, "[][Daily]");
	expect("{{#article.author}}{{name}}{{/article.author}}", r, "Jane");
	bl_arena_release(&a);
}

Test(tpl_section, unknown_names_render_empty)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);

	expect("<p title=\"{{nope}}\">[{{nope}}][{{a.b}}][{{@index}}]"
	    "{{#nope}}x{{/nope}}</p>", r, "<p title=\"\">[][][]</p>");
	expect("[{{x}}]", NULL, "[]");
	tpl_set_map(&a, r, "m");
	tpl_set_list(&a, r, "l");
	expect("[{{m}}{{l}}]", r, "[]");
	bl_arena_release(&a);
}

Test(tpl_section, values_in_order_and_replaced)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *l;

	tpl_set_text(&a, r, "v", "first");
	tpl_set_text(&a, r, "v", "second");
	cr_assert_null(tpl_set_text(&a, r, "w", NULL));
	cr_assert_null(tpl_set_html(&a, r, "h", NULL));
	tpl_set_textn(&a, r, "n", "abcdef", 3);
	tpl_set_int(&a, r, "big", INT64_MAX);
	tpl_set_int(&a, r, "neg", -12);
	l = tpl_list(&a);
	tpl_list_add_text(&a, l, "x");
	cr_assert_eq(tpl_set_val(&a, r, "l", l), l);
	expect("{{v}} [{{w}}] {{^w}}missing{{/w}} {{n}} {{big}} {{neg}} {{#l}}{{.}}{{/l}}",
	    r, "second [] missing abc 9223372036854775807 -12 x");
	bl_arena_release(&a);
}

/* ------------------------------------------------------- syntax, partials */

Test(tpl_syntax, whitespace_and_comments)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);
	const char *names[] = { "t", "p" };
	const char *srcs[] = {
		"{{ name }}{{! a comment with {{ and <script> and\nnewlines }}"
		"{{# l }}{{ . }}{{/ l }}{{>  p  }}",
		"<i>{{name}}</i>",
	};
	struct tpl_set *set;
	char *s;

	tpl_set_text(&a, r, "name", "N");
	tpl_list_add_text(&a, tpl_set_list(&a, r, "l"), "i");
	set = compile_n(2, names, srcs);
	s = render(set, "t", r);
	cr_assert_str_eq(s, "Ni<i>N</i>");
	free(s);
	tpl_set_free(set);
	bl_arena_release(&a);
}

Test(tpl_syntax, compile_errors_carry_line_numbers)
{
	static const struct { const char *src, *msg; } cases[] = {
		{ "a\nb\n{{#items}}\nx\n", "t:3: unclosed section 'items'" },
		{ "{{#a}}\n{{#b}}\n\n\n{{/a}}",
		  "t:5: '{{/a}}' does not close 'b' opened on line 2" },
		{ "\n{{/a}}", "t:2: '{{/a}}' closes no section" },
		{ "\n\n{{a b}}", "t:3: bad tag name 'a b'" },
		{ "\n{{{x}}}", "t:2: bad tag name '{x'" },
		{ "{{&x}}", "t:1: bad tag name '&x'" },
		{ "x\n{{@foo}}", "t:2: bad tag name '@foo'" },
		{ "{{a..b}}", "t:1: bad tag name 'a..b'" },
		{ "{{}}", "t:1: empty tag '{{}}'" },
		{ "a\n\nb {{x", "t:3: unclosed tag '{{'" },
		{ "{{! multi\nline\n}}\n{{#}}", "t:4: bad tag name ''" },
		{ "\n{{>nope}}", "t:2: unknown partial 'nope'" },
		{ "\n{{>a/b}}", "t:2: bad partial name 'a/b'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *msg = compile_error(cases[i].src);

		cr_expect_str_eq(msg, cases[i].msg, "source: %s", cases[i].src);
		free(msg);
	}
}

Test(tpl_syntax, partials_see_the_current_scope)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *l;
	const char *names[] = { "page", "teaser" };
	const char *srcs[] = {
		"{{#items}}{{>teaser}}{{/items}}",
		"<article class=\"teaser\"><a href=\"{{url}}\">{{title}}</a>"
		"{{#@last}}.{{/@last}}</article>",
	};
	struct tpl_set *set = compile_n(2, names, srcs);
	char *s;

	l = tpl_set_list(&a, r, "items");
	tpl_set_text(&a, tpl_list_add_map(&a, l), "title", "A");
	tpl_set_text(&a, tpl_list_add_map(&a, l), "title", "B");
	s = render(set, "page", r);
	cr_assert_str_eq(s, "<article class=\"teaser\"><a href=\"\">A</a></article>"
	    "<article class=\"teaser\"><a href=\"\">B</a>.</article>");
	free(s);
	tpl_set_free(set);
	bl_arena_release(&a);
}

Test(tpl_syntax, recursive_partials_stop_at_the_limit)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a), *c;
	const char *names[] = { "loop", "thread" };
	const char *srcs[] = {
		"x{{>loop}}",
		"<li>{{text}}{{#replies}}<ul>{{>thread}}</ul>{{/replies}}</li>",
	};
	struct tpl_set *set = compile_n(2, names, srcs);
	struct bl_buf b = BL_BUF_INIT;
	struct bl_err err = { .msg = "" };
	char *s;

	cr_assert_eq(tpl_render(set, "loop", r, &b, &err), -1);
	cr_assert(strstr(err.msg, "nested more than 16 deep") != NULL, "%s", err.msg);
	bl_buf_release(&b);

	/* Recursion that the data ends is fine. */
	c = r;
	for (int i = 0; i < 3; i++) {
		tpl_set_int(&a, c, "text", i);
		c = tpl_list_add_map(&a, tpl_set_list(&a, c, "replies"));
	}
	tpl_set_text(&a, c, "text", "end");
	/* Without this the leaf's {{#replies}} would find its parent's list
	 * (names resolve outwards) and recurse until the limit. */
	tpl_set_list(&a, c, "replies");
	s = render(set, "thread", r);
	cr_assert_str_eq(s, "<li>0<ul><li>1<ul><li>2<ul><li>end</li></ul></li></ul></li></ul></li>");
	free(s);
	tpl_set_free(set);
	bl_arena_release(&a);
}

Test(tpl_render, unknown_template_and_overflow)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);
	struct tpl_set *set = compile1("<p>{{x}}{{x}}{{x}}</p>");
	struct bl_buf b;
	struct bl_err err = { .msg = "" };

	bl_buf_init(&b, 0);
	cr_assert_eq(tpl_render(set, "nope", r, &b, &err), -1);
	cr_assert_str_eq(err.msg, "no template 'nope'");

	bl_buf_init(&b, 16);
	tpl_set_text(&a, r, "x", "0123456789");
	cr_assert_eq(tpl_render(set, "t", r, &b, &err), -1);
	cr_assert_str_eq(err.msg, "cannot render 't': output too large");
	cr_assert_eq(bl_buf_err(&b), -1);
	bl_buf_release(&b);
	tpl_set_free(set);
	bl_arena_release(&a);
}

/* -------------------------------------------------------------- loading */

static void
write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static void
make_dir(const char *dir, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	cr_assert_eq(mkdir(path, 0700), 0, "cannot create %s", path);
}

static void
remove_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(tpl_load, theme_and_override)
{
	char tmp[] = "/tmp/byline-tpl-XXXXXX";
	char theme[600], over[600], missing[600];
	struct bl_arena a = BL_ARENA_INIT;
	struct tpl_val *r = tpl_map(&a);
	struct tpl_set *set = NULL;
	struct bl_err err = { .msg = "" };
	char *s;

	cr_assert_not_null(mkdtemp(tmp));
	make_dir(tmp, "theme");
	make_dir(tmp, "theme/templates");
	make_dir(tmp, "site");
	make_dir(tmp, "site/templates");
	write_file(tmp, "theme/templates/page.html",
	    "{{>head}}<main>{{title}}</main>{{>extra}}\n");
	write_file(tmp, "theme/templates/head.html", "<header>theme</header>");
	write_file(tmp, "theme/templates/notes.txt", "{{#broken");
	write_file(tmp, "site/templates/head.html", "<header>site {{title}}</header>");
	write_file(tmp, "site/templates/extra.html", "<footer>extra</footer>");
	snprintf(theme, sizeof(theme), "%s/theme", tmp);
	snprintf(over, sizeof(over), "%s/site", tmp);
	snprintf(missing, sizeof(missing), "%s/none", tmp);
	tpl_set_text(&a, r, "title", "T");

	/* "extra" exists only in the override, so the theme alone fails. */
	cr_assert_eq(tpl_set_load(theme, NULL, &set, &err), -1);
	cr_assert(strstr(err.msg, "page.html:1: unknown partial 'extra'") != NULL,
	    "%s", err.msg);
	cr_assert_eq(tpl_set_load(theme, missing, &set, &err), -1);

	cr_assert_eq(tpl_set_load(theme, over, &set, &err), 0, "%s", err.msg);
	s = render(set, "page", r);
	cr_assert_str_eq(s, "<header>site T</header><main>T</main><footer>extra</footer>\n");
	free(s);
	s = render(set, "extra", r);
	cr_assert_str_eq(s, "<footer>extra</footer>");
	free(s);
	tpl_set_free(set);

	/* Without the partial the theme loads, with or without a missing
	 * override folder. */
	write_file(tmp, "theme/templates/page.html", "<main>{{title}}</main>");
	cr_assert_eq(tpl_set_load(theme, missing, &set, &err), 0, "%s", err.msg);
	s = render(set, "head", r);
	cr_assert_str_eq(s, "<header>theme</header>");
	free(s);
	tpl_set_free(set);

	/* Errors name the file and line. */
	write_file(tmp, "site/templates/head.html", "<p>\n<a href={{x}}>\n</p>");
	cr_assert_eq(tpl_set_load(theme, over, &set, &err), -1);
	cr_assert(strstr(err.msg, "/site/templates/head.html:2: ") != NULL,
	    "%s", err.msg);
	cr_assert_null(set);

	cr_assert_eq(tpl_set_load(missing, NULL, &set, &err), -1);
	cr_assert(strstr(err.msg, "cannot open '") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "/none/templates'") != NULL, "%s", err.msg);
	remove_tree(tmp);
	bl_arena_release(&a);
}
