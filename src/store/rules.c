/* Backend-neutral rules of store writes and reads (see rules.h). */
#include "store/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
store_blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

int
store_archive_date_valid(const char *d)
{
	size_t n = strlen(d);

	if (n != 4 && n != 7 && n != 10)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (i == 4 || i == 7 ? d[i] != '/' : (d[i] < '0' || d[i] > '9'))
			return 0;
	return 1;
}

enum st_comment_status
store_comment_status(int64_t v)
{
	return v == STC_APPROVED ? STC_APPROVED :
	    v == STC_SPAM ? STC_SPAM : STC_PENDING;
}

int
store_article_plan(const struct st_article_new *in, int64_t now,
    struct store_article_plan *pl, char *why, size_t whysize)
{
	const char *slugsrc;
	struct tm tm;
	time_t tt;

	memset(pl, 0, sizeof(*pl));
	if (store_blank(in->title))
		return snprintf(why, whysize, "the title is empty"), -1;
	if (in->status != ST_DRAFT && in->status != ST_PUBLISHED)
		return snprintf(why, whysize, "unknown status %d",
		    (int)in->status), -1;
	pl->format = in->body_format != NULL && *in->body_format ?
	    in->body_format : "text";
	if (strcmp(pl->format, "text") != 0 &&
	    strcmp(pl->format, "markdown") != 0)
		return snprintf(why, whysize, "unknown body format '%s'",
		    pl->format), -1;
	if (in->ntags > 0 && in->tags == NULL)
		return snprintf(why, whysize, "tags missing"), -1;
	if (in->nphotos > 0 && in->photos == NULL)
		return snprintf(why, whysize, "photos missing"), -1;
	if (in->published_at < 0)
		return snprintf(why, whysize, "bad publication time %lld",
		    (long long)in->published_at), -1;

	pl->published = in->status == ST_PUBLISHED ?
	    (in->published_at > 0 ? in->published_at : now) : 0;
	pl->updated = in->published_at > 0 ? in->published_at : now;
	pl->date = in->path_date;
	if (pl->date == NULL || *pl->date == '\0') {
		tt = (time_t)(pl->published ? pl->published : now);
		if (gmtime_r(&tt, &tm) == NULL || strftime(pl->datebuf,
		    sizeof(pl->datebuf), "%Y/%m/%d", &tm) == 0)
			return snprintf(why, whysize, "bad publication time "
			    "%lld", (long long)tt), -1;
		pl->date = pl->datebuf;
	}
	if (!store_path_date_valid(pl->date))
		return snprintf(why, whysize, "bad permalink date '%s' (want "
		    "YYYY/MM/DD)", pl->date), -1;
	slugsrc = !store_blank(in->slug) ? in->slug : in->title;
	if (store_slugify(slugsrc, pl->base, sizeof(pl->base)) == 0)
		snprintf(pl->base, sizeof(pl->base), "article");
	return 0;
}

int64_t
store_slug_suffix(const char *base, const char *slug)
{
	size_t blen = strlen(base);
	const char *s;
	int64_t v = 0;

	if (strncmp(slug, base, blen) != 0 || slug[blen] != '-' ||
	    slug[blen + 1] == '0' || slug[blen + 1] == '\0')
		return 0;
	for (s = slug + blen + 1; *s >= '0' && *s <= '9'; s++) {
		if (v > 100000000)
			return 0;
		v = v * 10 + (*s - '0');
	}
	return *s == '\0' && v >= 2 ? v : 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t
store_slug_next(int64_t *taken, size_t n)
{
	int64_t next = 2;
	size_t i;

	if (n > 1)
		qsort(taken, n, sizeof(*taken), cmp_i64);
	for (i = 0; i < n && taken[i] <= next; i++)
		if (taken[i] == next)
			next++;
	return next;
}
