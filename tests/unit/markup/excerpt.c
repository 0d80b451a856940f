/* Unit tests for src/markup/excerpt.c and markup_excerpt_markdown. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "markup/markup.h"

Test(excerpt, short_text_is_kept_whole_with_blanks_collapsed)
{
	struct bl_arena a = BL_ARENA_INIT;

	cr_assert_str_eq(markup_excerpt_text(&a, "  Crews began\n\nclearing "
	    "debris.  ", 100), "Crews began clearing debris.");
	cr_assert_str_eq(markup_excerpt_text(&a, NULL, 10), "");
	bl_arena_release(&a);
}

Test(excerpt, long_text_is_cut_at_a_word_with_ellipsis)
{
	struct bl_arena a = BL_ARENA_INIT;
	const char *s = markup_excerpt_text(&a, "Zoë Lefèvre said the café, "
	    "on the quay, was flooded overnight.", 30);

	cr_assert_str_eq(s, "Zoë Lefèvre said the café, on…");
	cr_assert_leq(bl_utf8_len(s, strlen(s)), 30);
	/* The comma before the cut does not dangle. */
	cr_assert_str_eq(markup_excerpt_text(&a, "One two, three four", 10),
	    "One two…");
	/* A single long word is cut inside. */
	cr_assert_str_eq(markup_excerpt_text(&a, "Supercalifragilistic", 6),
	    "Super…");
	bl_arena_release(&a);
}

Test(excerpt, markdown_formatting_is_removed)
{
	struct bl_arena a = BL_ARENA_INIT;

	cr_assert_str_eq(markup_excerpt_markdown(&a, "## Storm\n\n**Crews** "
	    "began _clearing_ [debris](https://x.example/) on `Monday`.\n\n"
	    "![alt text](p.jpg)\n\n<script>alert(1)</script>\n\n- one\n- two\n",
	    200), "Storm Crews began clearing debris on Monday. one two");
	cr_assert_str_eq(markup_excerpt_markdown(&a, "A *very* long sentence "
	    "goes here", 12), "A very long…");
	bl_arena_release(&a);
}
