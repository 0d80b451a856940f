/* Unit tests for src/comments/avatar.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "comments/comments.h"

static struct cmt_keys keys;

static void
setup(void)
{
	unsigned char master[32];

	memset(master, 3, sizeof(master));
	cr_assert_eq(cmt_keys_derive(master, &keys, NULL), 0);
}

TestSuite(avatar, .init = setup);

static int
is_id(const char *s)
{
	if (strlen(s) != 32)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return 0;
	return 1;
}

Test(avatar, ids_are_deterministic_and_per_email)
{
	char a[33], b[33], c[33];

	cmt_avatar_id(&keys, "zoe@example.org", a);
	cmt_avatar_id(&keys, "zoe@example.org", b);
	cmt_avatar_id(&keys, "zoe@example.com", c);
	cr_assert(is_id(a), "'%s'", a);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
}

Test(avatar, ids_ignore_case_and_blanks)
{
	char a[33], b[33];

	cmt_avatar_id(&keys, "zoe@example.org", a);
	cmt_avatar_id(&keys, "  Zoe@EXAMPLE.org\n", b);
	cr_assert_str_eq(a, b);
}

Test(avatar, ids_depend_on_the_key)
{
	struct cmt_keys other;
	unsigned char master[32];
	char a[33], b[33];

	memset(master, 4, sizeof(master));
	cr_assert_eq(cmt_keys_derive(master, &other, NULL), 0);
	cmt_avatar_id(&keys, "zoe@example.org", a);
	cmt_avatar_id(&other, "zoe@example.org", b);
	cr_assert_str_neq(a, b);
}

static int
count(const char *s, const char *sub)
{
	int n = 0;

	for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
		n++;
	return n;
}

Test(avatar, svg_is_a_small_safe_document)
{
	struct bl_buf out = BL_BUF_INIT, again = BL_BUF_INIT;
	char id[33];

	cmt_avatar_id(&keys, "zoe@example.org", id);
	cr_assert_eq(cmt_avatar_svg(id, &out), 0);
	cr_assert_eq(strncmp(out.s, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
	cr_assert_not_null(strstr(out.s, "viewBox=\"0 0 5 5\""));
	cr_assert_not_null(strstr(out.s, "width=\"40\" height=\"40\""));
	cr_assert_not_null(strstr(out.s, "shape-rendering=\"crispEdges\""));
	cr_assert_not_null(strstr(out.s, "</svg>"));
	cr_assert_eq(count(out.s, "<"), count(out.s, ">"));
	cr_assert_eq(count(out.s, "\"") % 2, 0);
	cr_assert_null(strstr(out.s, "<script"));
	cr_assert_null(strstr(out.s, "<text"));
	cr_assert_null(strstr(out.s, "href"));
	cr_assert_null(strstr(out.s, "url("));
	cr_assert_eq(count(out.s, "http"), 1, "only the namespace");
	cr_assert_eq(cmt_avatar_svg(id, &again), 0);
	cr_assert_str_eq(out.s, again.s);
	bl_buf_release(&out);
	bl_buf_release(&again);
}

/* Parses the cells out of the path and checks the left-right mirror. */
static void
check_symmetry(const char *svg)
{
	int grid[5][5] = { { 0 } };
	const char *p = strstr(svg, " d=\"");
	int filled = 0;

	cr_assert_not_null(p);
	p += 4;
	while (*p == 'M') {
		int x, y, used;

		cr_assert_eq(sscanf(p, "M%d %dh1v1h-1z%n", &x, &y, &used), 2);
		cr_assert(x >= 0 && x < 5 && y >= 0 && y < 5);
		grid[y][x] = 1;
		filled++;
		p += used;
	}
	cr_assert_eq(*p, '"');
	cr_assert_gt(filled, 0);
	for (int y = 0; y < 5; y++)
		for (int x = 0; x < 5; x++)
			cr_assert_eq(grid[y][x], grid[y][4 - x]);
}

Test(avatar, different_emails_draw_different_pictures)
{
	struct bl_buf a = BL_BUF_INIT, b = BL_BUF_INIT;
	char ia[33], ib[33];

	cmt_avatar_id(&keys, "zoe@example.org", ia);
	cmt_avatar_id(&keys, "sam@example.org", ib);
	cr_assert_eq(cmt_avatar_svg(ia, &a), 0);
	cr_assert_eq(cmt_avatar_svg(ib, &b), 0);
	cr_assert_str_neq(a.s, b.s);
	check_symmetry(a.s);
	check_symmetry(b.s);
	bl_buf_release(&a);
	bl_buf_release(&b);
}

/* WCAG relative luminance of "#rrggbb". */
static double
luminance(const char *hex)
{
	unsigned v[3];
	double l[3];

	cr_assert_eq(sscanf(hex, "#%2x%2x%2x", &v[0], &v[1], &v[2]), 3, "%s", hex);
	for (int i = 0; i < 3; i++) {
		double c = v[i] / 255.0;

		l[i] = c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
	}
	return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

Test(avatar, many_ids_draw_symmetric_coloured_grids)
{
	for (int i = 0; i < 200; i++) {
		struct bl_buf out = BL_BUF_INIT;
		char email[64], id[33];
		const char *fill;

		snprintf(email, sizeof(email), "reader%d@example.org", i);
		cmt_avatar_id(&keys, email, id);
		cr_assert_eq(cmt_avatar_svg(id, &out), 0);
		check_symmetry(out.s);
		fill = strstr(out.s, "<path fill=\"#");
		cr_assert_not_null(fill);
		fill += 12;
		/* Stands out from the #eeeeee background, and is no black. */
		cr_assert_geq((luminance("#eeeeee") + 0.05) /
		    (luminance(fill) + 0.05), 2.3, "%.7s", fill);
		cr_assert_geq(luminance(fill), 0.03, "%.7s", fill);
		bl_buf_release(&out);
	}
	struct bl_buf zero = BL_BUF_INIT;

	cr_assert_eq(cmt_avatar_svg("00000000000000000000000000000000", &zero), 0);
	check_symmetry(zero.s);
	bl_buf_release(&zero);
}

Test(avatar, bad_ids_are_refused)
{
	static const char *bad[] = { "", "abc", "0123456789abcdef0123456789abcde",
	    "0123456789abcdef0123456789abcdef0", "0123456789ABCDEF0123456789abcdef",
	    "0123456789abcdef0123456789abcdeg", "../../../../etc/passwd0123456789",
	    "0123456789abcdef 123456789abcdef" };
	struct bl_buf out = BL_BUF_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(cmt_avatar_svg(bad[i], &out), -1, "'%s'", bad[i]);
	cr_assert_eq(cmt_avatar_svg(NULL, &out), -1);
	cr_assert_eq(out.len, 0);
	bl_buf_release(&out);
}
