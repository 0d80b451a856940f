/* Unit tests for src/markup/front.c: front matter of Markdown posts. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/arena.h"
#include "markup/markup.h"

static int
fm(const char *s, struct bl_arena *a, struct fm_post *p, struct bl_err *err)
{
	return markup_front_matter(s, strlen(s), a, p, err);
}

Test(front, all_keys)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct fm_post p;
	struct bl_err err = { .msg = "" };
	static const char src[] =
	    "---\n"
	    "title: \"Storm: the \\\"big\\\" one\"\n"
	    "standfirst: 'It''s over'\n"
	    "author: Zoë Lefèvre\n"
	    "section: World\n"
	    "dateline: SAINT-MALO\n"
	    "# a comment line\n"
	    "date: 2026-11-24T08:30:00+01:00\n"
	    "slug: harbour-cleanup\n"
	    "tags: [Storm, \"Saint-Malo, France\", 'storm', #Weather]\n"
	    "photos:\n"
	    "  - file: 2026/sweep.jpg\n"
	    "    caption: A worker sweeps the street.\n"
	    "    credit: \"Jane Doe / Example Agency via AP\"\n"
	    "    alt: A worker with a broom\n"
	    "  - file: boats.jpg\n"
	    "    caption: Boats lie on their sides\n"
	    "      in the drained harbour.\n"
	    "---\n"
	    "Body *here*.\n";

	cr_assert_eq(fm(src, &a, &p, &err), 0, "%s", err.msg);
	cr_assert_str_eq(p.title, "Storm: the \"big\" one");
	cr_assert_str_eq(p.standfirst, "It's over");
	cr_assert_str_eq(p.author, "Zoë Lefèvre");
	cr_assert_str_eq(p.section, "World");
	cr_assert_str_eq(p.dateline, "SAINT-MALO");
	cr_assert_str_eq(p.date, "2026-11-24T08:30:00+01:00");
	cr_assert_str_eq(p.slug, "harbour-cleanup");
	cr_assert_eq(p.ntags, 3);
	cr_assert_str_eq(p.tags[0], "Storm");
	cr_assert_str_eq(p.tags[1], "Saint-Malo, France");
	cr_assert_str_eq(p.tags[2], "Weather");
	cr_assert_eq(p.nphotos, 2);
	cr_assert_str_eq(p.photos[0].file, "2026/sweep.jpg");
	cr_assert_str_eq(p.photos[0].caption, "A worker sweeps the street.");
	cr_assert_str_eq(p.photos[0].credit, "Jane Doe / Example Agency via AP");
	cr_assert_str_eq(p.photos[0].alt, "A worker with a broom");
	cr_assert_str_eq(p.photos[1].file, "boats.jpg");
	cr_assert_str_eq(p.photos[1].caption,
	    "Boats lie on their sides in the drained harbour.");
	cr_assert_str_eq(p.photos[1].credit, "");
	cr_assert_str_eq(p.photos[1].alt, "");
	cr_assert_eq(p.body_len, strlen("Body *here*.\n"));
	cr_assert_eq(strncmp(p.body, "Body *here*.\n", p.body_len), 0);
	bl_arena_release(&a);
}

Test(front, tag_list_forms_and_defaults)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct fm_post p;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(fm("---\r\ntitle: We're #1\r\ntags: police, London , "
	    "POLICE\r\n---\r\nText", &a, &p, &err), 0, "%s", err.msg);
	cr_assert_str_eq(p.title, "We're #1");
	cr_assert_eq(p.ntags, 2);
	cr_assert_str_eq(p.tags[0], "police");
	cr_assert_str_eq(p.tags[1], "London");
	/* Keys not given are NULL. */
	cr_assert_null(p.author);
	cr_assert_null(p.date);
	cr_assert_null(p.slug);
	cr_assert_eq(p.nphotos, 0);
	cr_assert_str_eq(p.body, "Text");

	cr_assert_eq(fm("---\ntitle: T\ntags:\n  - one\n  - \"two, three\"\n"
	    "- four\nstandfirst: >\n  Folded\n  text.\n\n  Second.\n---\n",
	    &a, &p, &err), 0, "%s", err.msg);
	cr_assert_eq(p.ntags, 3);
	cr_assert_str_eq(p.tags[1], "two, three");
	cr_assert_str_eq(p.tags[2], "four");
	cr_assert_str_eq(p.standfirst, "Folded text.\nSecond.");
	cr_assert_eq(p.body_len, 0);
	bl_arena_release(&a);
}

static void
expect_error(const char *src, const char *msg)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct fm_post p;
	struct bl_err err = { .msg = "" };

	cr_assert_eq(fm(src, &a, &p, &err), -1, "accepted: %s", src);
	cr_assert_str_eq(err.msg, msg);
	cr_assert_null(p.title);
	bl_arena_release(&a);
}

Test(front, errors_name_the_problem)
{
	expect_error("---\ntitle: T\ntitel: x\n---\n",
	    "unknown front matter key 'titel' (line 3)");
	expect_error("---\ntitle: T\nphotos:\n  - file: a.jpg\n    capton: x\n"
	    "---\n", "unknown photo key 'capton' (front matter line 5)");
	expect_error("---\ntitle: T\nsection: World\n",
	    "front matter is not closed (no '---' line after it)");
	expect_error("# Just Markdown\n\nText.\n",
	    "missing front matter (--- block)");
	expect_error("", "missing front matter (--- block)");
	expect_error("---\nauthor: Jane\n---\nBody\n",
	    "front matter has no 'title'");
	expect_error("---\ntitle: T\ntitle: U\n---\n",
	    "duplicate front matter key 'title' (line 3)");
	expect_error("---\ntitle: \"T\n---\n",
	    "front matter line 2: quoted value is not closed");
	expect_error("---\ntitle: T\ndate: 2026-02-30\n---\n",
	    "invalid date '2026-02-30' in front matter (use ISO 8601, e.g. "
	    "2026-11-24T08:30:00Z)");
	expect_error("---\ntitle T\n---\n",
	    "front matter line 2: expected 'key: value'");
	expect_error("---\ntitle: T\n- stray\n---\n",
	    "front matter line 3: a list item outside 'tags' or 'photos'");
}
