/* Unit tests for src/core/base64.c. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "core/base64.h"

static void
check(const char *in, const char *want)
{
	char out[64];
	size_t n = strlen(in);

	cr_assert_eq(bl_base64url((const unsigned char *)in, n, out),
	    strlen(want));
	cr_assert_str_eq(out, want);
	cr_assert_eq(BL_BASE64URL_LEN(n), strlen(want));
}

Test(base64, rfc4648_vectors_without_padding)
{
	check("", "");
	check("f", "Zg");
	check("fo", "Zm8");
	check("foo", "Zm9v");
	check("foob", "Zm9vYg");
	check("fooba", "Zm9vYmE");
	check("foobar", "Zm9vYmFy");
}

Test(base64, url_alphabet)
{
	/* 0xfb 0xff: '+' and '/' in standard base64. */
	check("\xfb\xff\xbf", "-_-_");
}

Test(base64, same_as_libsodium_and_decodes_back)
{
	unsigned char in[200], back[200];
	char ours[300], theirs[300];
	size_t n, binlen;
	const char *end;

	cr_assert_geq(sodium_init(), 0);
	for (n = 0; n < sizeof(in); n++) {
		randombytes_buf(in, n);
		bl_base64url(in, n, ours);
		sodium_bin2base64(theirs, sizeof(theirs), in, n,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		cr_assert_str_eq(ours, theirs, "length %zu", n);
		cr_assert_eq(sodium_base642bin(back, sizeof(back), ours,
		    strlen(ours), NULL, &binlen, &end,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
		cr_assert_eq(binlen, n);
		cr_assert_eq(memcmp(back, in, n), 0);
	}
}
