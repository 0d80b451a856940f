/* Unit tests for src/markup/slug.c: URL slugs. */
#include <criterion/criterion.h>

#include "core/arena.h"
#include "markup/markup.h"

Test(slug, lowercases_and_joins_words_with_single_hyphens)
{
	struct bl_arena a = BL_ARENA_INIT;

	cr_assert_str_eq(markup_slug(&a, "Harbour cleanup begins -- after the "
	    "STORM!", 0), "harbour-cleanup-begins-after-the-storm");
	cr_assert_str_eq(markup_slug(&a, "  “Quoted” — 2026: 120 km/h?? ", 0),
	    "quoted-2026-120-km-h");
	cr_assert_str_eq(markup_slug(&a, "Mayor’s plan isn't new", 0),
	    "mayors-plan-isnt-new");
	bl_arena_release(&a);
}

Test(slug, diacritics_are_removed)
{
	struct bl_arena a = BL_ARENA_INIT;

	cr_assert_str_eq(markup_slug(&a, "Zoë Lefèvre à Saint-Malo", 0),
	    "zoe-lefevre-a-saint-malo");
	cr_assert_str_eq(markup_slug(&a, "Straße Øberg Łódź Œuvre Ærø "
	    "Şişli Țară", 0), "strasse-oberg-lodz-oeuvre-aero-sisli-tara");
	/* Decomposed é (e + U+0301) too. */
	cr_assert_str_eq(markup_slug(&a, "Cafe\xcc\x81 ouvert", 0),
	    "cafe-ouvert");
	bl_arena_release(&a);
}

Test(slug, other_scripts_and_empty_input)
{
	struct bl_arena a = BL_ARENA_INIT;

	cr_assert_str_eq(markup_slug(&a, "東京 2026", 0), "2026");
	cr_assert_str_eq(markup_slug(&a, "東京", 0), "");
	cr_assert_str_eq(markup_slug(&a, "!!!", 0), "");
	cr_assert_str_eq(markup_slug(&a, NULL, 0), "");
	bl_arena_release(&a);
}

Test(slug, length_is_cut_at_a_hyphen)
{
	struct bl_arena a = BL_ARENA_INIT;

	cr_assert_str_eq(markup_slug(&a, "Harbour cleanup begins after storm",
	    20), "harbour-cleanup");
	cr_assert_str_eq(markup_slug(&a, "Harbour cleanup begins", 15),
	    "harbour-cleanup");
	cr_assert_str_eq(markup_slug(&a, "Harbour cleanup begins", 16),
	    "harbour-cleanup");
	cr_assert_str_eq(markup_slug(&a, "Supercalifragilistic word", 8),
	    "supercal");
	bl_arena_release(&a);
}
