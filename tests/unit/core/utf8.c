/* Unit tests for src/core/utf8.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/utf8.h"

#define V(s) bl_utf8_valid(s, sizeof(s) - 1)

Test(utf8, accepts_text_in_many_scripts)
{
	cr_assert(V("Zoë Ångström — “quoted” 東京 🙂"));
}

Test(utf8, rejects_malformed_sequences)
{
	cr_assert_not(V("\xc0\xaf"), "overlong slash");
	cr_assert_not(V("\xed\xa0\x80"), "surrogate");
	cr_assert_not(V("\xf4\x90\x80\x80"), "above U+10FFFF");
	cr_assert_not(V("abc\xe2\x80"), "truncated");
	cr_assert_not(V("\xff"), "invalid byte");
}

Test(utf8, finds_control_characters)
{
	cr_assert(bl_utf8_has_controls("a\x01" "b", 3));
	cr_assert(bl_utf8_has_controls("\xc2\x85", 2), "C1 NEL");
	cr_assert_not(bl_utf8_has_controls("a\tb\r\nc", 6));
}
