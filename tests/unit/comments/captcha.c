/* Unit tests for src/comments/captcha.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "comments/comments.h"

static struct cmt_keys keys;

static void
setup(void)
{
	unsigned char master[32];

	memset(master, 7, sizeof(master));
	cr_assert_eq(cmt_keys_derive(master, &keys, NULL), 0);
}

TestSuite(captcha, .init = setup);

#define T0 1700000000
#define TTL 1800

/* Works the answer out from the question, as a reader would. */
static int
solve(const char *q)
{
	int a, b;
	char op[8];

	cr_assert_eq(sscanf(q, "%d %7s %d =", &a, op, &b), 3, "question '%s'", q);
	if (strcmp(op, "+") == 0)
		return a + b;
	if (strcmp(op, "\xe2\x88\x92") == 0)
		return a - b;
	cr_assert_str_eq(op, "\xc3\x97", "question '%s'", q);
	return a * b;
}

static enum cmt_captcha
check(const struct cmt_challenge *c, const char *answer, int64_t article,
    int64_t now, unsigned char nonce[CMT_NONCE_BYTES])
{
	unsigned char dummy[CMT_NONCE_BYTES];
	int64_t exp;

	return cmt_captcha_check(&keys, c->token, answer, article, now, 3,
	    nonce ? nonce : dummy, &exp);
}

Test(captcha, questions_use_three_operators_and_small_answers)
{
	int seen[3] = { 0 };

	for (int i = 0; i < 3000; i++) {
		struct cmt_challenge c;
		int ans;
		size_t n;

		cmt_captcha_new(&keys, 1, T0, TTL, &c);
		n = strlen(c.question);
		cr_assert(n > 4 && strcmp(c.question + n - 2, " =") == 0,
		    "question '%s'", c.question);
		cr_assert_null(strchr(c.question, '-'), "ASCII minus in '%s'",
		    c.question);
		cr_assert_null(strchr(c.question, '*'));
		cr_assert_null(strchr(c.question, 'x'));
		seen[0] |= strstr(c.question, " + ") != NULL;
		seen[1] |= strstr(c.question, " \xe2\x88\x92 ") != NULL;
		seen[2] |= strstr(c.question, " \xc3\x97 ") != NULL;
		ans = solve(c.question);
		cr_assert(ans >= 0 && ans <= 99, "'%s' gives %d", c.question, ans);
		cr_assert(strlen(c.token) < CMT_TOKEN_MAX);
	}
	cr_assert(seen[0] && seen[1] && seen[2], "not every operator was drawn");
}

Test(captcha, right_answer_is_ok_and_reports_nonce_and_expiry)
{
	struct cmt_challenge c;
	unsigned char nonce[CMT_NONCE_BYTES], zero[CMT_NONCE_BYTES] = { 0 };
	int64_t exp = 0;
	char ans[16];

	cmt_captcha_new(&keys, 42, T0, TTL, &c);
	snprintf(ans, sizeof(ans), "%d", solve(c.question));
	cr_assert_eq(cmt_captcha_check(&keys, c.token, ans, 42, T0 + 10, 3,
	    nonce, &exp), CMT_CAPTCHA_OK);
	cr_assert_eq(exp, T0 + TTL);
	cr_assert_neq(memcmp(nonce, zero, sizeof(nonce)), 0);
	/* Surrounding blanks are fine. */
	snprintf(ans, sizeof(ans), " %d \n", solve(c.question));
	cr_assert_eq(check(&c, ans, 42, T0 + 10, NULL), CMT_CAPTCHA_OK);
}

Test(captcha, token_is_url_safe_text)
{
	struct cmt_challenge c;

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	for (const char *p = c.token; *p; p++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_", *p), "'%c' in token", *p);
}

Test(captcha, wrong_answer_still_reports_nonce)
{
	struct cmt_challenge c;
	unsigned char n1[CMT_NONCE_BYTES], n2[CMT_NONCE_BYTES];
	char ans[16];

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	snprintf(ans, sizeof(ans), "%d", solve(c.question) + 1);
	cr_assert_eq(check(&c, ans, 1, T0 + 10, n1), CMT_CAPTCHA_WRONG);
	snprintf(ans, sizeof(ans), "%d", solve(c.question));
	cr_assert_eq(check(&c, ans, 1, T0 + 10, n2), CMT_CAPTCHA_OK);
	cr_assert_eq(memcmp(n1, n2, sizeof(n1)), 0,
	    "the same token must report the same nonce");
}

Test(captcha, empty_answers)
{
	struct cmt_challenge c;

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	cr_assert_eq(check(&c, "", 1, T0 + 10, NULL), CMT_CAPTCHA_EMPTY);
	cr_assert_eq(check(&c, "   ", 1, T0 + 10, NULL), CMT_CAPTCHA_EMPTY);
	cr_assert_eq(check(&c, NULL, 1, T0 + 10, NULL), CMT_CAPTCHA_EMPTY);
}

Test(captcha, garbage_answers_are_wrong)
{
	struct cmt_challenge c;
	char buf[64];
	int ans;

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	ans = solve(c.question);
	const char *fmts[] = { "%dabc", "-%d", "%d.0", "+%d", "%d %d", "0x%d",
	    "%d\xef\xbc\x90", "1e1%d" };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		snprintf(buf, sizeof(buf), fmts[i], ans, ans);
		cr_assert_eq(check(&c, buf, 1, T0 + 10, NULL), CMT_CAPTCHA_WRONG,
		    "'%s' accepted for '%s'", buf, c.question);
	}
	cr_assert_eq(check(&c, "99999999999999999999", 1, T0 + 10, NULL),
	    CMT_CAPTCHA_WRONG);
	cr_assert_eq(check(&c, "abc", 1, T0 + 10, NULL), CMT_CAPTCHA_WRONG);
}

Test(captcha, leading_zeros_are_the_same_number)
{
	struct cmt_challenge c;
	char buf[32];

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	snprintf(buf, sizeof(buf), "0%d", solve(c.question));
	cr_assert_eq(check(&c, buf, 1, T0 + 10, NULL), CMT_CAPTCHA_OK);
}

Test(captcha, expired_before_anything_else)
{
	struct cmt_challenge c;
	unsigned char nonce[CMT_NONCE_BYTES] = { 0 }, zero[CMT_NONCE_BYTES] = { 0 };
	char ans[16];

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	snprintf(ans, sizeof(ans), "%d", solve(c.question));
	cr_assert_eq(check(&c, ans, 1, T0 + TTL - 1, NULL), CMT_CAPTCHA_OK);
	cr_assert_eq(check(&c, ans, 1, T0 + TTL, nonce), CMT_CAPTCHA_EXPIRED);
	cr_assert_neq(memcmp(nonce, zero, sizeof(nonce)), 0);
	cr_assert_eq(check(&c, "", 1, T0 + TTL + 100, NULL), CMT_CAPTCHA_EXPIRED);
}

Test(captcha, too_fast)
{
	struct cmt_challenge c;
	char ans[16];

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	snprintf(ans, sizeof(ans), "%d", solve(c.question));
	cr_assert_eq(check(&c, ans, 1, T0, NULL), CMT_CAPTCHA_TOO_FAST);
	cr_assert_eq(check(&c, ans, 1, T0 + 2, NULL), CMT_CAPTCHA_TOO_FAST);
	cr_assert_eq(check(&c, ans, 1, T0 - 100, NULL), CMT_CAPTCHA_TOO_FAST,
	    "a token from the future");
	cr_assert_eq(check(&c, ans, 1, T0 + 3, NULL), CMT_CAPTCHA_OK);
	cr_assert_eq(check(&c, "", 1, T0 + 1, NULL), CMT_CAPTCHA_EMPTY);
}

Test(captcha, another_article_is_invalid)
{
	struct cmt_challenge c;
	char ans[16];

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	snprintf(ans, sizeof(ans), "%d", solve(c.question));
	cr_assert_eq(check(&c, ans, 2, T0 + 10, NULL), CMT_CAPTCHA_INVALID);
	cr_assert_eq(check(&c, ans, -1, T0 + 10, NULL), CMT_CAPTCHA_INVALID);
}

Test(captcha, every_tampered_byte_is_invalid)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_=+/. ";
	struct cmt_challenge c;
	char ans[16];
	size_t n;

	cmt_captcha_new(&keys, 1, T0, TTL, &c);
	snprintf(ans, sizeof(ans), "%d", solve(c.question));
	n = strlen(c.token);
	for (size_t i = 0; i < n; i++) {
		char orig = c.token[i];

		for (const char *p = alpha; *p; p++) {
			if (*p == orig)
				continue;
			c.token[i] = *p;
			cr_assert_eq(check(&c, ans, 1, T0 + 10, NULL),
			    CMT_CAPTCHA_INVALID, "byte %zu changed to '%c'", i, *p);
		}
		c.token[i] = orig;
	}
	cr_assert_eq(check(&c, ans, 1, T0 + 10, NULL), CMT_CAPTCHA_OK);
	/* Truncated and extended. */
	c.token[n - 1] = '\0';
	cr_assert_eq(check(&c, ans, 1, T0 + 10, NULL), CMT_CAPTCHA_INVALID);
	c.token[n - 1] = 'A';
	c.token[n] = 'A';
	c.token[n + 1] = '\0';
	cr_assert_eq(check(&c, ans, 1, T0 + 10, NULL), CMT_CAPTCHA_INVALID);
	cr_assert_eq(cmt_captcha_check(&keys, "", ans, 1, T0 + 10, 3, NULL, NULL),
	    CMT_CAPTCHA_INVALID);
	cr_assert_eq(cmt_captcha_check(&keys, NULL, ans, 1, T0 + 10, 3, NULL,
	    NULL), CMT_CAPTCHA_INVALID);
}

Test(captcha, token_from_another_key_is_invalid)
{
	struct cmt_keys other;
	struct cmt_challenge c;
	unsigned char master[32];
	char ans[16];

	memset(master, 8, sizeof(master));
	cr_assert_eq(cmt_keys_derive(master, &other, NULL), 0);
	cmt_captcha_new(&other, 1, T0, TTL, &c);
	snprintf(ans, sizeof(ans), "%d", solve(c.question));
	cr_assert_eq(check(&c, ans, 1, T0 + 10, NULL), CMT_CAPTCHA_INVALID);
}

Test(captcha, answer_cannot_be_read_from_the_token)
{
	struct cmt_challenge a, b;

	cmt_captcha_new(&keys, 1, T0, TTL, &a);
	cmt_captcha_new(&keys, 1, T0, TTL, &b);
	cr_assert_str_neq(a.token, b.token);
}

Test(captcha, nonces_differ_between_challenges)
{
	unsigned char seen[50][CMT_NONCE_BYTES];

	for (int i = 0; i < 50; i++) {
		struct cmt_challenge c;

		cmt_captcha_new(&keys, 1, T0, TTL, &c);
		cr_assert_eq(check(&c, "", 1, T0 + 10, seen[i]), CMT_CAPTCHA_EMPTY);
		for (int j = 0; j < i; j++)
			cr_assert_neq(memcmp(seen[i], seen[j], CMT_NONCE_BYTES), 0);
	}
}

Test(captcha, messages_match_the_documentation)
{
	cr_assert_null(cmt_captcha_message(CMT_CAPTCHA_OK));
	cr_assert_str_eq(cmt_captcha_message(CMT_CAPTCHA_EMPTY),
	    "Please answer the question.");
	cr_assert_str_eq(cmt_captcha_message(CMT_CAPTCHA_WRONG),
	    "That answer is not right. Please try this new question.");
	cr_assert_str_eq(cmt_captcha_message(CMT_CAPTCHA_EXPIRED),
	    "That question has expired. Please answer this new one.");
	cr_assert_str_eq(CMT_CAPTCHA_USED_MESSAGE,
	    "That question was already used. Please answer this new one.");
	cr_assert_str_eq(cmt_captcha_message(CMT_CAPTCHA_TOO_FAST),
	    "You answered very quickly. Please check your comment and answer "
	    "this new question.");
	cr_assert_not_null(cmt_captcha_message(CMT_CAPTCHA_INVALID));
}
