/* Unit tests for src/site/form_skel.c: the fresh comment form, fast. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "comments/comments.h"
#include "core/arena.h"
#include "site/site_int.h"

static char dir[64];
static struct site *site;

static void
run(const char *cmd)
{
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void
open_site(const char *form_override)
{
	struct bl_err err;
	char path[256];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/byline-form-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	rmdir(dir);
	cr_assert_eq(site_init(dir, "The Courier", "https://news.example",
	    NULL, &err), 0, "%s", err.msg);
	if (form_override != NULL) {
		snprintf(path, sizeof(path), "%s/theme", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/theme/templates", dir);
		mkdir(path, 0755);
		snprintf(path, sizeof(path),
		    "%s/theme/templates/comment-form.html", dir);
		cr_assert_not_null(f = fopen(path, "w"));
		fputs(form_override, f);
		fclose(f);
	}
	cr_assert_eq(site_open(dir, &site, &err), 0, "%s", err.msg);
	cr_assert_eq(tpl_set_load(site->theme_dir, site->override_dir,
	    &site->tpl, &err), 0, "%s", err.msg);
	cr_assert_eq(form_skel_build(site, &err), 0, "%s", err.msg);
}

static void
close_site(void)
{
	char cmd[128];

	if (site != NULL)
		site_close(site);
	site = NULL;
	if (dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		run(cmd);
	}
	dir[0] = '\0';
}

TestSuite(form, .fini = close_site);

/* Replaces what follows `after` up to the next `until` with "X", so two
 * forms with different challenges compare equal. */
static char *
mask(const char *s, const char *after, const char *until)
{
	const char *a = strstr(s, after), *b;
	char *out;
	size_t n;

	cr_assert_not_null(a, "no '%s' in the form", after);
	a += strlen(after);
	cr_assert_not_null(b = strstr(a, until));
	n = (size_t)(a - s);
	out = malloc(n + 1 + strlen(b) + 1);
	memcpy(out, s, n);
	out[n] = 'X';
	strcpy(out + n + 1, b);
	return out;
}

static char *
masked(const char *form)
{
	char *q = mask(form, "<label for=\"captcha\">", " <span");
	char *t = mask(q, "name=\"token\" value=\"", "\"");

	free(q);
	return t;
}

Test(form, fresh_form_is_the_templates_form)
{
	struct comment_form f;
	struct bl_arena a;
	struct form_skel *k;
	const char *fast, *slow;
	size_t fast_len, slow_len;
	char *mf, *ms;
	uint32_t crc;

	open_site(NULL);
	cr_assert_not_null(site->form_skel, "the default theme has every slot");
	bl_arena_init(&a);
	memset(&f, 0, sizeof(f));
	f.article_id = 4321;
	f.article_path = "/2026/11/25/story/";
	cr_assert_eq(form_skel_fill(site, &a, f.article_id, &fast,
	    &fast_len, &crc), 0);
	cr_assert_eq(strlen(fast), fast_len);
	/* The CRC made from the pieces is the CRC of the bytes. */
	cr_assert_eq(crc, (uint32_t)crc32(0L, (const Bytef *)fast,
	    (uInt)fast_len));
	cr_assert_not_null(strstr(fast, "Leave a Reply"));
	cr_assert_not_null(strstr(fast,
	    "<input type=\"hidden\" name=\"article\" value=\"4321\">"));
	cr_assert_null(strstr(fast, "byline-slot"), "%s", fast);

	/* The same form through the template (no skeleton). */
	k = site->form_skel;
	site->form_skel = NULL;
	cr_assert_eq(site_comment_fragment(site, &a, NULL, &f, &slow,
	    &slow_len), 0);
	site->form_skel = k;
	mf = masked(fast);
	ms = masked(slow);
	cr_assert_str_eq(mf, ms);
	free(mf);
	free(ms);
	bl_arena_release(&a);
}

Test(form, each_view_gets_its_own_challenge_that_verifies)
{
	struct bl_arena a;
	const char *one, *two, *t;
	char token[CMT_TOKEN_MAX], question[64];
	size_t n1, n2, i;
	unsigned char nonce[CMT_NONCE_BYTES];
	int64_t expires;
	int x, y, answer;
	char op;

	open_site(NULL);
	bl_arena_init(&a);
	cr_assert_eq(form_skel_fill(site, &a, 77, &one, &n1, NULL), 0);
	cr_assert_eq(form_skel_fill(site, &a, 77, &two, &n2, NULL), 0);
	cr_assert_str_neq(one, two, "two views share a challenge");

	t = strstr(one, "name=\"token\" value=\"");
	cr_assert_not_null(t);
	t += strlen("name=\"token\" value=\"");
	for (i = 0; t[i] != '"' && i + 1 < sizeof(token); i++)
		token[i] = t[i];
	token[i] = '\0';
	t = strstr(one, "<label for=\"captcha\">");
	cr_assert_not_null(t);
	t += strlen("<label for=\"captcha\">");
	for (i = 0; t[i] != '<' && i + 1 < sizeof(question); i++)
		question[i] = t[i];
	question[i] = '\0';
	/* "13 + 4 =", "65 \u2212 18 =" (a minus sign), "2 \u00d7 5 =". */
	cr_assert_eq(sscanf(question, "%d", &x), 1, "%s", question);
	t = strchr(question, ' ');
	cr_assert_not_null(t);
	if (strncmp(t, " + ", 3) == 0) {
		op = '+';
		t += 3;
	} else if (strncmp(t, " \u00d7 ", 4) == 0) {
		op = '*';
		t += 4;
	} else {
		cr_assert_eq(strncmp(t, " \u2212 ", 5), 0, "%s", question);
		op = '-';
		t += 5;
	}
	cr_assert_eq(sscanf(t, "%d", &y), 1, "%s", question);
	answer = op == '+' ? x + y : op == '*' ? x * y : x - y;
	snprintf(question, sizeof(question), "%d", answer);
	cr_assert_eq(cmt_captcha_check(&site->keys, token, question, 77,
	    time(NULL) + 60, 0, nonce, &expires), CMT_CAPTCHA_OK);
	cr_assert_neq(cmt_captcha_check(&site->keys, token, question, 78,
	    time(NULL) + 60, 0, nonce, &expires), CMT_CAPTCHA_OK,
	    "a token for one story must not work on another");
	bl_arena_release(&a);
}

Test(form, theme_without_the_slots_takes_the_template)
{
	struct comment_form f;
	struct bl_arena a;
	const char *out;
	size_t len;

	/* A theme whose form shows the token twice and no question label:
	 * no skeleton; every view runs the template. */
	open_site("<form method=\"post\" action=\"{{form.action}}\">"
	    "<input type=\"hidden\" name=\"token\" value=\"{{challenge.token}}\">"
	    "<input type=\"hidden\" name=\"token2\" value=\"{{challenge.token}}\">"
	    "<input type=\"hidden\" name=\"article\" value=\"{{form.article_id}}\">"
	    "</form>\n");
	cr_assert_null(site->form_skel);
	bl_arena_init(&a);
	memset(&f, 0, sizeof(f));
	f.article_id = 9;
	f.article_path = "/";
	cr_assert_eq(form_skel_fill(site, &a, 9, &out, &len, NULL), -1);
	cr_assert_eq(site_comment_fragment(site, &a, NULL, &f, &out, &len), 0);
	cr_assert_not_null(strstr(out, "name=\"article\" value=\"9\""), "%s", out);
	cr_assert_null(strstr(out, "byline-slot"), "%s", out);
	bl_arena_release(&a);
}
