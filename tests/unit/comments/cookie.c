/* Unit tests for src/comments/cookie.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments/comments.h"

static struct cmt_keys keys;
static struct bl_buf v = BL_BUF_INIT, p = BL_BUF_INIT;

static void
setup(void)
{
	unsigned char master[32];

	memset(master, 5, sizeof(master));
	cr_assert_eq(cmt_keys_derive(master, &keys, NULL), 0);
}

static void
teardown(void)
{
	bl_buf_release(&v);
	bl_buf_release(&p);
}

TestSuite(cookie, .init = setup, .fini = teardown);

Test(cookie, round_trip)
{
	cr_assert_eq(cmt_cookie_sign(&keys, "bl_own", "12-34_56", &v), 0);
	cr_assert_eq(strncmp(v.s, "12-34_56.", 9), 0);
	cr_assert_eq(v.len, 9 + 43);
	cr_assert_null(strchr(v.s, '='));
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_own", v.s, &p), 0);
	cr_assert_str_eq(p.s, "12-34_56");
}

Test(cookie, empty_payload_round_trips)
{
	cr_assert_eq(cmt_cookie_sign(&keys, "bl_own", "", &v), 0);
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_own", v.s, &p), 0);
	cr_assert_eq(p.len, 0);
}

Test(cookie, tampered_value_or_mac_fails)
{
	char *s;

	cr_assert_eq(cmt_cookie_sign(&keys, "bl_own", "12", &v), 0);
	s = strdup(v.s);
	for (size_t i = 0; i < v.len; i++) {
		for (const char *c = "0A_-a.z="; *c; c++) {
			if (*c == v.s[i])
				continue;
			s[i] = *c;
			cr_assert_eq(cmt_cookie_verify(&keys, "bl_own", s, &p), -1,
			    "'%s' accepted", s);
		}
		s[i] = v.s[i];
	}
	cr_assert_eq(p.len, 0, "nothing appended on failure");
	free(s);
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_own", "12", &p), -1);
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_own", "", &p), -1);
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_own", NULL, &p), -1);
}

Test(cookie, value_is_bound_to_the_name)
{
	cr_assert_eq(cmt_cookie_sign(&keys, "bl_own", "12", &v), 0);
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_author", v.s, &p), -1);
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_ow", v.s, &p), -1);
}

Test(cookie, another_key_fails)
{
	struct cmt_keys other;
	unsigned char master[32];

	memset(master, 6, sizeof(master));
	cr_assert_eq(cmt_keys_derive(master, &other, NULL), 0);
	cr_assert_eq(cmt_cookie_sign(&other, "bl_own", "12", &v), 0);
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_own", v.s, &p), -1);
}

Test(cookie, forbidden_characters_are_refused)
{
	static const char *bad[] = { "a.b", "a;b", "a,b", "a b", "a\tb", "a\"b",
	    "a\\b", "caf\xc3\xa9", "a\nb" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(cmt_cookie_sign(&keys, "bl_own", bad[i], &v), -1,
		    "'%s' signed", bad[i]);
	cr_assert_eq(v.len, 0);
	cr_assert_eq(cmt_cookie_sign(&keys, "bl=own", "x", &v), -1);
	cr_assert_eq(cmt_cookie_sign(&keys, "", "x", &v), -1);
	cr_assert_eq(cmt_cookie_sign(&keys, "bl_own", NULL, &v), -1);
	/* A payload may hold '=' and '|' (e.g. "id=3|t=17"). */
	cr_assert_eq(cmt_cookie_sign(&keys, "bl_own", "id=3|t=17", &v), 0);
	cr_assert_eq(cmt_cookie_verify(&keys, "bl_own", v.s, &p), 0);
	cr_assert_str_eq(p.s, "id=3|t=17");
}
