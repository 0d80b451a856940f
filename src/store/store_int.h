/* Internals shared by the store front (store.c) and its backends. */
#ifndef BL_STORE_INT_H
#define BL_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * One backend: a table of functions with the contracts of the same-named
 * store_* functions in store.h. store.c checks arguments that every backend
 * would check the same way (NULL store, NULL out pointers) and then calls
 * through this table, so a backend never sees a NULL `st` or `out`.
 */
struct store_ops {
	const char *name;	/* "sqlite", "postgresql" */
	void (*close)(struct store *);
	int (*schema_version)(struct store *);

	int (*article_get)(struct store *, struct bl_arena *, int64_t, int,
	    struct st_article **, struct bl_err *);
	int (*article_by_path)(struct store *, struct bl_arena *, const char *,
	    struct st_article **, struct bl_err *);
	int (*article_by_slug)(struct store *, struct bl_arena *, const char *,
	    struct st_article **, struct bl_err *);
	int (*article_list)(struct store *, struct bl_arena *,
	    const struct st_query *, struct st_list *, struct bl_err *);
	int (*section_get)(struct store *, struct bl_arena *, const char *,
	    struct st_section *, struct bl_err *);
	int (*author_get)(struct store *, struct bl_arena *, const char *,
	    struct st_author *, struct bl_err *);
	int (*tag_get)(struct store *, struct bl_arena *, const char *,
	    struct st_tag *, struct bl_err *);
	int (*section_list)(struct store *, struct bl_arena *, int,
	    struct st_section **, size_t *, struct bl_err *);
	int (*comment_list)(struct store *, struct bl_arena *, int64_t,
	    struct st_comment **, size_t *, struct bl_err *);
	int (*related_list)(struct store *, struct bl_arena *, int64_t, int,
	    struct st_article **, size_t *, struct bl_err *);
	int (*search)(struct store *, struct bl_arena *,
	    const struct st_search *, struct st_search_result *,
	    struct bl_err *);
	int (*archive_months)(struct store *, struct bl_arena *,
	    struct st_month **, size_t *, struct bl_err *);
	int (*related_rebuild)(struct store *, struct bl_err *);

	int (*article_add)(struct store *, struct bl_arena *,
	    const struct st_article_new *, int64_t *, char **,
	    struct bl_err *);
	int (*author_set_bio)(struct store *, const char *, const char *,
	    struct bl_err *);
	int (*comment_add)(struct store *, const struct st_comment *,
	    int64_t *, struct bl_err *);

	int (*comment_get)(struct store *, struct bl_arena *, int64_t,
	    struct st_comment **, struct bl_err *);
	int (*comment_admin_list)(struct store *, struct bl_arena *, int,
	    const char *, int, struct st_comment **, size_t *, struct bl_err *);
	int (*comment_set_status)(struct store *, int64_t,
	    enum st_comment_status, struct bl_err *);
	int (*comment_delete)(struct store *, int64_t, struct bl_err *);
	int (*comment_update)(struct store *, int64_t, const char *,
	    const char *, const char *, enum st_comment_status,
	    struct bl_err *);
	int (*comment_email_approved)(struct store *, const char *, int *,
	    struct bl_err *);
	int (*comment_last_from_ip)(struct store *, const char *, int64_t *,
	    struct bl_err *);
	int (*comment_duplicate)(struct store *, int64_t, const char *,
	    const char *, const char *, int *, struct bl_err *);
	int (*captcha_spend)(struct store *, const char *, int64_t, int *,
	    struct bl_err *);
	int (*comment_checks)(struct store *, const struct st_comment *, int,
	    struct st_comment_checks *, struct bl_err *);
	int (*comment_target)(struct store *, struct bl_arena *, int64_t,
	    char **, int64_t *, struct bl_err *);

	int (*change_latest)(struct store *, int64_t *, struct bl_err *);
	int (*changes_since)(struct store *, struct bl_arena *, int64_t,
	    size_t, struct st_change **, size_t *, struct bl_err *);
	int (*poll)(struct store *, int *, struct bl_err *);
	int (*checkpoint)(struct store *, struct bl_err *);  /* may be NULL */

	int (*batch_begin)(struct store *, struct bl_err *);
	int (*batch_commit)(struct store *, struct bl_err *);
	void (*batch_rollback)(struct store *);

	int (*copy_count)(struct store *, const struct st_table *, int64_t *,
	    struct bl_err *);
	int (*copy_read)(struct store *, const struct st_table *,
	    int (*)(void *, const struct st_value *, struct bl_err *), void *,
	    struct bl_err *);
	int (*copy_begin)(struct store *, struct bl_err *);
	int (*copy_write)(struct store *, const struct st_table *,
	    const struct st_value *, struct bl_err *);
	int (*copy_end)(struct store *, struct bl_err *);
	void (*copy_abort)(struct store *);
};

/* Every backend's connection struct starts with this. */
struct store {
	const struct store_ops *ops;
};


/* Longest slug the store makes (bytes, before any "-N" suffix). */
#define STORE_SLUG_MAX 80

/* Opens the SQLite database file `path` (see store_open). */
int store_sqlite_open(const char *path, struct store **out,
    struct bl_err *err);
/* Opens the PostgreSQL database at libpq URI `url` (see store_open). */
int store_pg_open(const char *url, struct store **out, struct bl_err *err);

/* Tables whose rows must be absent for store_copy_begin (the content). */
#define STORE_COPY_CONTENT_TABLES 5  /* the first five of store_tables */

/*
 * Writes the URL slug of `name` into `out` (size `outsz`, at least
 * STORE_SLUG_MAX + 1): lowercase ASCII letters, digits and single hyphens,
 * Latin diacritics folded ("Ærø Straße" -> "aero-strasse"). Text with no
 * Latin letters or digits ("東京") gets "u" + hex code points per word
 * ("u6771u4eac") so every non-blank name has a stable slug. Returns the
 * slug's length, 0 when `name` is NULL or blank.
 */
size_t store_slugify(const char *name, char *out, size_t outsz);

/*
 * The article text for the full-text index: the tags of the (trusted)
 * body HTML dropped, block boundaries turned into spaces and the common
 * character references decoded; `source` when there is no HTML.
 * Arena-owned.
 */
char *store_index_text(struct bl_arena *a, const char *html,
    const char *source);

/* Returns 1 if `s` is "YYYY/MM/DD" with plausible numbers, 0 otherwise. */
int store_path_date_valid(const char *s);

#endif
