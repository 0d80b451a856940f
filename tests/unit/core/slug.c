/* Unit tests for src/core/slug.c: URL slugs. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/slug.h"

static const char *
slug(const char *in, size_t max, int hex)
{
	static char out[256];

	bl_slugify(in, out, sizeof(out), max, hex);
	return out;
}

Test(slug, folds_latin_letters_with_diacritics)
{
	cr_assert_str_eq(slug("Zoë Adébáyọ̀", 0, 0), "zoe-adebayo");
	cr_assert_str_eq(slug("Łukasz Wróbel", 0, 0), "lukasz-wrobel");
	cr_assert_str_eq(slug("Søren Kierkegaard-Holm", 0, 0), "soren-kierkegaard-holm");
	cr_assert_str_eq(slug("Straße Ærø", 0, 0), "strasse-aero");
	cr_assert_str_eq(slug("Nguyễn Thị Ánh", 0, 0), "nguyen-thi-anh");
}

Test(slug, punctuation_separates_and_apostrophes_vanish)
{
	cr_assert_str_eq(slug("  “Don’t panic” — Mayor's plea!  ", 0, 0), "dont-panic-mayors-plea");
	cr_assert_str_eq(slug("???", 0, 0), "");
}

Test(slug, other_scripts_only_with_hex)
{
	cr_assert_str_eq(slug("東京", 0, 0), "");
	cr_assert_str_eq(slug("東京", 0, 1), "u6771u4eac");
}

Test(slug, cut_after_a_whole_word)
{
	cr_assert_str_eq(slug("harbour cranes automation vote", 20, 0), "harbour-cranes");
	cr_assert_str_eq(slug("supercalifragilistic", 5, 0), "super", "a lone long word is cut");
	cr_assert_leq(strlen(slug("a b c d e f g h i j k l m n o p", 10, 0)), 10);
}

Test(slug, malformed_bytes_are_harmless)
{
	cr_assert_str_eq(slug("caf\xe9 au lait", 0, 0), "caf-au-lait");
}
