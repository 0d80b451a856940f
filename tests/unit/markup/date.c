/* Unit tests for src/markup/date.c: ISO 8601 dates. */
#include <criterion/criterion.h>

#include "markup/markup.h"

static long long
when(const char *s)
{
	long long t = -1;

	cr_assert_eq(markup_parse_date(s, &t), 0, "rejected '%s'", s);
	return t;
}

Test(date, accepts_the_listed_forms)
{
	cr_assert_eq(when("1970-01-01"), 0);
	cr_assert_eq(when("2026-11-24"), 1795478400LL);
	cr_assert_eq(when("2026-11-24T08:30"), 1795478400LL + 8 * 3600 + 1800);
	cr_assert_eq(when("2026-11-24T08:30:00Z"), 1795478400LL + 30600);
	cr_assert_eq(when("2026-11-24T08:30:15.250Z"), 1795478400LL + 30615);
	cr_assert_eq(when("2026-11-24T08:30:00+01:00"), 1795478400LL + 27000);
	cr_assert_eq(when("2026-11-24T08:30:00-0530"),
	    1795478400LL + 30600 + 19800);
	cr_assert_eq(when("2026-11-24 08:30"), 1795478400LL + 30600);
	cr_assert_eq(when("2024-02-29"), 1709164800LL);
}

Test(date, rejects_invalid_dates)
{
	static const char *const bad[] = {
		"", "2026", "2026-02-30", "2025-02-29", "2026-13-01",
		"2026-00-10", "2026-11-24T25:00", "2026-11-24T08:60",
		"2026-11-24T08:30:61", "2026-11-24T08", "2026-11-24T08:30Zx",
		"24/11/2026", "2026-11-24T08:30:00+25:00", "next tuesday",
		"2026-1-5", NULL
	};
	long long t;

	for (int i = 0; bad[i] != NULL; i++)
		cr_assert_eq(markup_parse_date(bad[i], &t), -1, "accepted '%s'",
		    bad[i]);
}
