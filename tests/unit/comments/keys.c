/* Unit tests for src/comments/keys.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comments/comments.h"

static char dir[] = "/tmp/bl-keys-XXXXXX";
static char path[64];

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secret.key", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(keys, .init = setup, .fini = teardown);

static void
put(const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

#define HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

Test(keys, loads_and_derives_distinct_keys)
{
	struct cmt_keys a, b;
	struct bl_err err;

	put(HEX "\n");
	cr_assert_eq(cmt_keys_load(path, &a, &err), 0, "%s", err.msg);
	cr_assert_neq(memcmp(a.captcha, a.cookie, 32), 0);
	cr_assert_neq(memcmp(a.cookie, a.avatar, 32), 0);
	cr_assert_neq(memcmp(a.captcha, a.avatar, 32), 0);
	put(HEX);
	cr_assert_eq(cmt_keys_load(path, &b, &err), 0, "%s", err.msg);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "deterministic");
	put("10112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
	cr_assert_eq(cmt_keys_load(path, &b, &err), 0, "%s", err.msg);
	cr_assert_neq(memcmp(&a, &b, sizeof(a)), 0, "another master key");
}

Test(keys, refuses_bad_key_files)
{
	static const char *bad[] = { "", "\n", "0011", HEX "00\n",
	    "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	    HEX "\nextra\n" };
	struct cmt_keys k;
	struct bl_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(bad[i]);
		cr_assert_eq(cmt_keys_load(path, &k, &err), -1, "case %zu", i);
		cr_assert_not_null(strstr(err.msg, "secret.key"), "%s", err.msg);
	}
	unlink(path);
	cr_assert_eq(cmt_keys_load(path, &k, &err), -1);
	cr_assert_not_null(strstr(err.msg, "cannot open"), "%s", err.msg);
}
