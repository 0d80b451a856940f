/* Backend-neutral rules of store writes and reads: what every backend
 * decides the same way before or after its SQL. */
#ifndef BL_STORE_RULES_H
#define BL_STORE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"

/* 1 when `s` is NULL or only spaces, tabs and line ends. */
int store_blank(const char *s);

/* 1 when `d` is "2026", "2026/11" or "2026/11/24": the shapes of a
 * permalink date prefix (the numbers are not checked: an impossible
 * date is an empty archive). */
int store_archive_date_valid(const char *d);

/* The comment status a stored number stands for (unknown: pending). */
enum st_comment_status store_comment_status(int64_t v);

/* What store_article_add writes for an article, worked out from its
 * input before any SQL. */
struct store_article_plan {
	const char *format;	/* "text" or "markdown" */
	const char *date;	/* permalink date "YYYY/MM/DD" */
	char base[STORE_SLUG_MAX + 1];	/* slug before any "-N" */
	char datebuf[16];
	int64_t published;	/* 0 for drafts */
	int64_t updated;
};

/*
 * Checks a new article and plans its row, `now` being the current time:
 * title present, known status and body format, tags and photos given
 * when counted, a valid permalink date (from in->path_date or the
 * publication day in UTC). Returns 0, or -1 with the reason (for
 * "cannot add article: REASON") in `why`.
 */
int store_article_plan(const struct st_article_new *in, int64_t now,
    struct store_article_plan *pl, char *why, size_t whysize);

/* N when `slug` is "BASE-N" with N >= 2 written without leading zeros,
 * 0 otherwise. */
int64_t store_slug_suffix(const char *base, const char *slug);

/* The first free suffix: 2, or the smallest N > 2 not in taken[0..n)
 * (sorted here). "election-2024", a slug of its own, does not make the
 * next "election" copy "election-2025". */
int64_t store_slug_next(int64_t *taken, size_t n);

#endif
