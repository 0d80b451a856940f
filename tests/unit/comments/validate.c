/* Unit tests for src/comments/validate.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "comments/comments.h"

static struct bl_arena arena;
static const char *msgs[CMT_F__MAX];
static struct cmt_clean clean;

static void
setup(void)
{
	bl_arena_init(&arena);
}

static void
teardown(void)
{
	bl_arena_release(&arena);
}

TestSuite(validate, .init = setup, .fini = teardown);

/* A valid form; tests change one field. */
static struct cmt_input
good(void)
{
	return (struct cmt_input){
		.comment = "Nice piece.",
		.author = "Zoë",
		.email = "zoe@example.org",
		.url = "",
		.honeypot = "",
	};
}

static int
run(const struct cmt_input *in)
{
	return cmt_validate(in, NULL, &arena, &clean, msgs);
}

/* A string of `n` copies of `unit`, arena-owned. */
static char *
rep(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = bl_arena_alloc(&arena, u * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	return s;
}

Test(validate, accepts_a_good_form_and_trims)
{
	struct cmt_input in = good();

	in.comment = "  \r\nFirst line\r\nsecond\rthird\n\n";
	in.author = "  Zoë Ångström\t";
	in.email = " zoe@example.org ";
	cr_assert_eq(run(&in), 0);
	for (int i = 0; i < CMT_F__MAX; i++)
		cr_assert_null(msgs[i], "field %d: %s", i, msgs[i]);
	cr_assert_str_eq(clean.comment, "First line\nsecond\nthird");
	cr_assert_str_eq(clean.author, "Zoë Ångström");
	cr_assert_str_eq(clean.email, "zoe@example.org");
	cr_assert_str_eq(clean.url, "");
}

Test(validate, missing_fields)
{
	struct cmt_input in = { 0 };

	cr_assert_eq(run(&in), 3);
	cr_assert_str_eq(msgs[CMT_F_COMMENT], "Please write a comment.");
	cr_assert_str_eq(msgs[CMT_F_AUTHOR], "Please enter your name.");
	cr_assert_str_eq(msgs[CMT_F_EMAIL], "Please enter your email address.");
	cr_assert_null(msgs[CMT_F_URL]);
	cr_assert_null(msgs[CMT_F_HONEYPOT]);
	cr_assert_null(msgs[CMT_F_CAPTCHA]);
	cr_assert_str_eq(clean.comment, "");
	cr_assert_str_eq(clean.url, "");
}

Test(validate, blank_fields_count_as_missing)
{
	struct cmt_input in = good();

	in.comment = " \n\t\r\n ";
	in.author = "   ";
	in.email = "\t";
	cr_assert_eq(run(&in), 3);
	cr_assert_str_eq(msgs[CMT_F_COMMENT], "Please write a comment.");
	cr_assert_str_eq(msgs[CMT_F_AUTHOR], "Please enter your name.");
	cr_assert_str_eq(msgs[CMT_F_EMAIL], "Please enter your email address.");
}

Test(validate, name_limit_counts_characters)
{
	struct cmt_input in = good();

	in.author = rep("a", 100);
	cr_assert_eq(run(&in), 0);
	in.author = rep("a", 101);
	cr_assert_eq(run(&in), 1);
	cr_assert_str_eq(msgs[CMT_F_AUTHOR],
	    "Your name is longer than 100 characters.");
	in.author = rep("é", 100);          /* 200 bytes, 100 characters */
	cr_assert_eq(run(&in), 0);
	in.author = rep("\xf0\x9f\x99\x82", 100);
	cr_assert_eq(run(&in), 0);
	in.author = rep("東", 101);
	cr_assert_eq(run(&in), 1);
}

Test(validate, comment_limit_message_has_a_thousands_separator)
{
	struct cmt_input in = good();

	in.comment = rep("x", 20000);
	cr_assert_eq(run(&in), 0);
	in.comment = rep("x", 20001);
	cr_assert_eq(run(&in), 1);
	cr_assert_str_eq(msgs[CMT_F_COMMENT],
	    "Your comment is longer than 20,000 characters.");
	in.comment = rep("ü", 20000);
	cr_assert_eq(run(&in), 0);
}

Test(validate, limits_come_from_the_configuration)
{
	struct cmt_input in = good();
	struct cmt_limits lim = { .name = 5, .comment = 1234567 };

	in.author = "abcdef";
	in.comment = rep("y", 1234568);
	cr_assert_eq(cmt_validate(&in, &lim, &arena, &clean, msgs), 2);
	cr_assert_str_eq(msgs[CMT_F_AUTHOR], "Your name is longer than 5 characters.");
	cr_assert_str_eq(msgs[CMT_F_COMMENT],
	    "Your comment is longer than 1,234,567 characters.");
	lim.comment = 1000;
	in.comment = rep("y", 1001);
	in.author = "abc";
	cr_assert_eq(cmt_validate(&in, &lim, &arena, &clean, msgs), 1);
	cr_assert_str_eq(msgs[CMT_F_COMMENT],
	    "Your comment is longer than 1,000 characters.");
}

Test(validate, invalid_utf8)
{
	struct cmt_input in = good();

	in.comment = "caf\xe9";
	in.author = "\xc0\xaf";
	in.email = "a\xff@example.org";
	in.url = "http://example.org/\xed\xa0\x80";
	cr_assert_eq(run(&in), 4);
	cr_assert_str_eq(msgs[CMT_F_COMMENT], "Your comment is not valid text (UTF-8).");
	cr_assert_str_eq(msgs[CMT_F_AUTHOR], "Your name is not valid text (UTF-8).");
	cr_assert_str_eq(msgs[CMT_F_EMAIL], "Please enter a valid email address.");
	cr_assert_str_eq(msgs[CMT_F_URL],
	    "Please enter a web address starting with http:// or https://.");
}

Test(validate, control_characters_in_the_comment)
{
	static const char *bad[] = { "a\x01" "b", "bell\x07", "esc\x1b[0m x",
	    "del\x7f x", "c1 \xc2\x85 x", "c1 \xc2\x9f x", "form\ffeed x" };
	struct cmt_input in = good();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in.comment = bad[i];
		cr_assert_eq(run(&in), 1, "case %zu", i);
		cr_assert_str_eq(msgs[CMT_F_COMMENT],
		    "Your comment contains characters that are not allowed.");
	}
	in.comment = "tab\there\nnew line\r\nand \xc2\xa0 nbsp";
	cr_assert_eq(run(&in), 0);
}

Test(validate, control_characters_in_other_fields)
{
	struct cmt_input in = good();

	in.author = "Zo\te";
	cr_assert_eq(run(&in), 1);
	cr_assert_str_eq(msgs[CMT_F_AUTHOR],
	    "Your name contains characters that are not allowed.");
	in.author = "Zo\ne";
	cr_assert_eq(run(&in), 1);
	in.author = "Zo\xc2\x80";
	cr_assert_eq(run(&in), 1);
	in = good();
	in.email = "zoe\x7f@example.org";
	cr_assert_eq(run(&in), 1);
	cr_assert_str_eq(msgs[CMT_F_EMAIL], "Please enter a valid email address.");
	in = good();
	in.url = "http://exa\tmple.org/";
	cr_assert_eq(run(&in), 1);
	cr_assert_not_null(msgs[CMT_F_URL]);
}

Test(validate, nul_inside_a_field)
{
	static const char comment[] = "before\0after";
	static const char author[] = "Zo\0e";
	struct cmt_input in = good();
	size_t len[CMT_F__MAX] = { 0 };

	in.comment = comment;
	len[CMT_F_COMMENT] = sizeof(comment) - 1;
	in.author = author;
	len[CMT_F_AUTHOR] = sizeof(author) - 1;
	cr_assert_eq(cmt_validate_n(&in, len, NULL, &arena, &clean, msgs), 2);
	cr_assert_str_eq(msgs[CMT_F_COMMENT],
	    "Your comment contains characters that are not allowed.");
	cr_assert_str_eq(msgs[CMT_F_AUTHOR],
	    "Your name contains characters that are not allowed.");
}

Test(validate, email_addresses)
{
	static const char *ok[] = { "a@b.co", "first.last+tag@mail.example.org",
	    "zoë@exämple.de" };
	static const char *bad[] = { "plain", "@example.org", "a@", "a@b",
	    "a@@b.org", "a@b@c.org", "a b@c.org", "a@.org", "a@org.", "a@b..org",
	    "a@b. org" };
	struct cmt_input in = good();

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		in.email = ok[i];
		cr_assert_eq(run(&in), 0, "'%s' refused", ok[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in.email = bad[i];
		cr_assert_eq(run(&in), 1, "'%s' accepted", bad[i]);
		cr_assert_str_eq(msgs[CMT_F_EMAIL],
		    "Please enter a valid email address.");
	}
}

Test(validate, email_limit)
{
	struct cmt_input in = good();
	char *e = bl_arena_printf(&arena, "%s@example.org", rep("a", 254 - 12));

	cr_assert_eq(strlen(e), 254);
	in.email = e;
	cr_assert_eq(run(&in), 0);
	in.email = bl_arena_printf(&arena, "a%s", e);
	cr_assert_eq(run(&in), 1);
	cr_assert_str_eq(msgs[CMT_F_EMAIL], "Please enter a valid email address.");
}

Test(validate, urls_are_normalised)
{
	static const char *cases[][2] = {
		{ "example.org", "https://example.org" },
		{ "  www.example.org/a?b=c  ", "https://www.example.org/a?b=c" },
		{ "http://example.org", "http://example.org" },
		{ "HTTPS://Example.org/x", "HTTPS://Example.org/x" },
		{ "localhost:8080/x", "https://localhost:8080/x" },
		{ "//example.org/p", "https://example.org/p" },
	};
	struct cmt_input in = good();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in.url = cases[i][0];
		cr_assert_eq(run(&in), 0, "'%s' refused", cases[i][0]);
		cr_assert_str_eq(clean.url, cases[i][1]);
	}
	in.url = NULL;
	cr_assert_eq(run(&in), 0);
	cr_assert_str_eq(clean.url, "");
}

Test(validate, bad_urls)
{
	static const char *bad[] = { "javascript:alert(1)", "JavaScript:alert(1)",
	    "data:text/html,<script>", "ftp://example.org/", "mailto:a@b.org",
	    "http:example.org", "https://", "http:///path", "http://exa mple.org",
	    "vbscript:msgbox", "http://example.org/\\evil" };
	struct cmt_input in = good();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in.url = bad[i];
		cr_assert_eq(run(&in), 1, "'%s' accepted", bad[i]);
		cr_assert_str_eq(msgs[CMT_F_URL],
		    "Please enter a web address starting with http:// or https://.");
	}
}

Test(validate, url_limit)
{
	struct cmt_input in = good();
	char *u = bl_arena_printf(&arena, "https://example.org/%s",
	    rep("p", 2048 - 20));

	cr_assert_eq(strlen(u), 2048);
	in.url = u;
	cr_assert_eq(run(&in), 0);
	in.url = bl_arena_printf(&arena, "%sp", u);
	cr_assert_eq(run(&in), 1);
}

Test(validate, honeypot_must_be_empty)
{
	struct cmt_input in = good();

	in.honeypot = "http://spam.example/";
	cr_assert_eq(run(&in), 1);
	cr_assert_str_eq(msgs[CMT_F_HONEYPOT], "This field must be left empty.");
	in.honeypot = " ";
	cr_assert_eq(run(&in), 1);
	in.honeypot = NULL;
	cr_assert_eq(run(&in), 0);
}

Test(validate, messages_are_reset_between_calls)
{
	struct cmt_input in = { 0 };

	cr_assert_eq(run(&in), 3);
	in = good();
	cr_assert_eq(run(&in), 0);
	for (int i = 0; i < CMT_F__MAX; i++)
		cr_assert_null(msgs[i]);
}
