/* Date archives and the archive index. */
#include "site/site_int.h"

#include <stdio.h>
#include <string.h>

#define CC_ARCHIVE "public, max-age=60, stale-while-revalidate=300"

static const char *const month_names[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };

/* A date archive request: year, month (0: whole year), day (0: whole
 * month), page. */
struct period {
	int year, month, day;
	int page;
};

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Reads exactly `n` digits; -1 if they are not there. */
static int
digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "page/N/" with N >= 2 and no leading zero; returns N or -1. */
static int
page_suffix(const char *p)
{
	long n = 0;
	const char *start;

	if (strncmp(p, "page/", 5) != 0)
		return -1;
	p += 5;
	start = p;
	if (*p < '1' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9' && p - start < 7)
		n = n * 10 + (*p++ - '0');
	if (*p != '/' || p[1] != '\0' || n < 2)
		return -1;
	return (int)n;
}

/*
 * Parses /YYYY/, /YYYY/MM/, /YYYY/MM/DD/, each with an optional page/N/.
 * Returns 1 for a real date, 0 for a path of another shape (including an
 * article's /YYYY/MM/DD/slug/), -1 for an archive-shaped path naming an
 * impossible date (2026/13, 2026/02/30), which is a 404.
 */
static int
parse_period(const char *path, struct period *pd)
{
	const char *p = path;
	int v, have_month = 0, have_day = 0;

	memset(pd, 0, sizeof(*pd));
	pd->page = 1;
	if (p[0] != '/' || (pd->year = digits(p + 1, 4)) < 0 || p[5] != '/')
		return 0;
	p += 6;
	if ((v = digits(p, 2)) >= 0 && p[2] == '/') {
		pd->month = v;
		have_month = 1;
		p += 3;
		if ((v = digits(p, 2)) >= 0 && p[2] == '/') {
			pd->day = v;
			have_day = 1;
			p += 3;
		}
	}
	if (*p != '\0' && (pd->page = page_suffix(p)) < 0)
		return 0;
	if (pd->year < 1000 ||
	    (have_month && (pd->month < 1 || pd->month > 12)) ||
	    (have_day && (pd->day < 1 ||
	    pd->day > days_in_month(pd->year, pd->month))))
		return -1;
	return 1;
}

static const char *
period_base(struct bl_arena *a, const struct period *pd)
{
	if (pd->day)
		return bl_arena_printf(a, "/%04d/%02d/%02d/", pd->year,
		    pd->month, pd->day);
	if (pd->month)
		return bl_arena_printf(a, "/%04d/%02d/", pd->year, pd->month);
	return bl_arena_printf(a, "/%04d/", pd->year);
}

static struct page *
build_period(struct page_build *b, const struct period *pd)
{
	struct bl_arena *a = &b->a;
	struct site *s = b->s;
	struct st_query q;
	struct st_list list;
	struct tpl_val *m, *items;
	const char *name, *kind, *base, *title, *description;
	int per = (int)s->cfg.pages_per_page, pages;

	memset(&q, 0, sizeof(q));
	if (pd->day) {
		q.date = bl_arena_printf(a, "%04d/%02d/%02d", pd->year, pd->month,
		    pd->day);
		name = bl_arena_printf(a, "%d %s %d", pd->day,
		    month_names[pd->month - 1], pd->year);
		kind = "day";
	} else if (pd->month) {
		q.date = bl_arena_printf(a, "%04d/%02d", pd->year, pd->month);
		name = bl_arena_printf(a, "%s %d", month_names[pd->month - 1],
		    pd->year);
		kind = "month";
	} else {
		q.date = bl_arena_printf(a, "%04d", pd->year);
		name = bl_arena_printf(a, "%d", pd->year);
		kind = "year";
	}
	q.limit = per;
	q.offset = (pd->page - 1) * per;
	if (store_article_list(b->st, a, &q, &list, &b->err) < 0)
		return NULL;
	/* An empty period has no page, like a page past the last. */
	if (list.total == 0 || list.n == 0)
		return site_error_page(404, "Not found");
	pages = (int)((list.total + per - 1) / per);
	base = period_base(a, pd);
	title = pd->page == 1 ?
	    bl_arena_printf(a, "%s – %s", name, s->cfg.site_title) :
	    bl_arena_printf(a, "%s, page %d – %s", name, pd->page,
	    s->cfg.site_title);
	description = bl_arena_printf(a, "%lld %s published in %s on %s.",
	    (long long)list.total, list.total == 1 ? "story" : "stories", name,
	    s->cfg.site_title);
	if (pb_common(b, "archive", title, description, NULL) < 0)
		return NULL;
	if (pd->month) {
		pb_dep(b, bl_arena_printf(a, "archive:%04d-%02d", pd->year,
		    pd->month));
	} else {
		for (int mo = 1; mo <= 12; mo++)
			pb_dep(b, bl_arena_printf(a, "archive:%04d-%02d",
			    pd->year, mo));
	}
	m = tpl_set_map(a, b->root, "archive");
	tpl_set_text(a, m, "kind", kind);
	tpl_set_text(a, m, "label", "Archive");
	tpl_set_text(a, m, "name", name);
	tpl_set_text(a, m, "description", description);
	tpl_set_text(a, m, "index_url", "/archive/");
	/* The way up: a day's month, a month's year. */
	if (pd->day) {
		tpl_set_text(a, m, "up_url", bl_arena_printf(a, "/%04d/%02d/",
		    pd->year, pd->month));
		tpl_set_text(a, m, "up_name", bl_arena_printf(a, "%s %d",
		    month_names[pd->month - 1], pd->year));
	} else if (pd->month) {
		tpl_set_text(a, m, "up_url", bl_arena_printf(a, "/%04d/",
		    pd->year));
		tpl_set_text(a, m, "up_name", bl_arena_printf(a, "%d", pd->year));
	} else
		tpl_set_bool(a, m, "up_url", 0);
	/* A year's page lists its months. */
	{
		struct tpl_val *months = tpl_set_list(a, m, "months");
		struct st_month *ms;
		size_t nm;

		if (!pd->month) {
			if (store_archive_months(b->st, a, &ms, &nm, &b->err) < 0)
				return NULL;
			for (size_t i = nm; i-- > 0; ) {
				struct tpl_val *it;

				if (ms[i].year != pd->year)
					continue;
				it = tpl_list_add_map(a, months);
				tpl_set_text(a, it, "name",
				    month_names[ms[i].month - 1]);
				tpl_set_text(a, it, "url", bl_arena_printf(a,
				    "/%04d/%02d/", ms[i].year, ms[i].month));
				tpl_set_int(a, it, "count", ms[i].count);
			}
		}
	}
	items = tpl_set_list(a, b->root, "items");
	for (size_t i = 0; i < list.n; i++)
		pb_teaser(b, tpl_list_add_map(a, items), &list.items[i]);
	pb_pagination(b, base, pd->page, pages, 0);
	return pb_render(b, "archive", 200, CC_ARCHIVE, 0);
}

static struct page *
build_index(struct page_build *b)
{
	struct bl_arena *a = &b->a;
	struct site *s = b->s;
	struct st_month *ms;
	struct tpl_val *years, *y = NULL, *months = NULL;
	size_t n;
	int64_t total = 0, ytotal = 0;
	int cur = -1;

	if (store_archive_months(b->st, a, &ms, &n, &b->err) < 0)
		return NULL;
	if (pb_common(b, "archive-index", bl_arena_printf(a, "Archive – %s",
	    s->cfg.site_title), bl_arena_printf(a, "Every month of stories on "
	    "%s, newest first.", s->cfg.site_title), NULL) < 0)
		return NULL;
	pb_dep(b, "front");
	years = tpl_set_list(a, b->root, "years");
	for (size_t i = 0; i < n; i++) {
		struct tpl_val *it;

		if (ms[i].year != cur) {
			if (y != NULL)
				tpl_set_int(a, y, "count", ytotal);
			y = tpl_list_add_map(a, years);
			cur = ms[i].year;
			ytotal = 0;
			tpl_set_int(a, y, "year", cur);
			tpl_set_text(a, y, "url", bl_arena_printf(a, "/%04d/", cur));
			months = tpl_set_list(a, y, "months");
		}
		it = tpl_list_add_map(a, months);
		tpl_set_text(a, it, "name", month_names[ms[i].month - 1]);
		tpl_set_text(a, it, "url", bl_arena_printf(a, "/%04d/%02d/",
		    ms[i].year, ms[i].month));
		tpl_set_int(a, it, "count", ms[i].count);
		ytotal += ms[i].count;
		total += ms[i].count;
	}
	if (y != NULL)
		tpl_set_int(a, y, "count", ytotal);
	tpl_set_int(a, b->root, "total", total);
	return pb_render(b, "archive-index", 200, CC_ARCHIVE, 0);
}

int
site_archive_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	const char *path = http_req_path(req);
	struct page_build b;
	struct period pd;
	struct page *p;
	uint64_t ticket;
	size_t len = strlen(path);
	int index, rc = 0;

	index = strcmp(path, "/archive/") == 0;
	if (!index) {
		rc = parse_period(path, &pd);
		if (rc == 0 && len > 1 && path[len - 1] != '/') {
			/* "/2026/11" and "/archive": the address with its slash. */
			char with[64];
			struct period tmp;

			if (len + 2 > sizeof(with))
				return 0;
			snprintf(with, sizeof(with), "%s/", path);
			if (strcmp(with, "/archive/") != 0 &&
			    parse_period(with, &tmp) != 1)
				return 0;
			if (strcmp(http_req_method(req), "POST") == 0)
				return 0;
			memset(res, 0, sizeof(*res));
			res->page = page_redirect(301, with);
			return 1;
		}
		if (rc == 0)
			return 0;
		if (rc < 0)
			return 0;	/* the site's 404 page */
	}
	if (strcmp(http_req_method(req), "POST") == 0)
		return 0;	/* the site answers 405 */
	memset(res, 0, sizeof(*res));
	p = page_cache_get(s->cache, path);
	if (p != NULL) {
		res->page = p;
		return 1;
	}
	ticket = page_cache_ticket(s->cache);
	if (pb_begin(&b, s, path) < 0) {
		b.err.unavailable = 1;
		site_fail(res, &b.err, "cannot reach the database");
		res->page = site_error_page(503, "Service unavailable");
		return 1;
	}
	p = index ? build_index(&b) : build_period(&b, &pd);
	if (p == NULL) {
		res->page = site_fail(res, &b.err, "cannot build archive page")
		    == 503 ? site_error_page(503, "Service unavailable") :
		    site_error_page(500, "Internal server error");
		pb_end(&b);
		return 1;
	}
	pb_end(&b);
	if (p->status == 404) {
		/* Nothing published then: the site's own 404 page. */
		page_unref(p);
		memset(res, 0, sizeof(*res));
		return 0;
	}
	page_cache_put(s->cache, path, p, ticket);
	res->page = p;
	return 1;
}
