/* The store front: picks a backend from the database URL and calls it. */
#include "store/store.h"
#include "store/store_int.h"

#include <string.h>

/* ------------------------------------------------------- open and close */

int
store_open(const char *url, struct store **out, struct bl_err *err)
{
	const char *p;

	if (out == NULL)
		return bl_errf(err, "cannot open database: no result pointer");
	*out = NULL;
	if (url == NULL || *url == '\0')
		return bl_errf(err, "cannot open database: no database given");
	if (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0)
		return store_pg_open(url, out, err);
	if (strncmp(url, "sqlite:", 7) == 0) {
		/* "sqlite:PATH", also "sqlite://PATH" and "sqlite:///abs". */
		p = url + 7;
		if (strncmp(p, "//", 2) == 0)
			p += 2;
		if (*p == '\0')
			return bl_errf(err, "cannot open database '%s': no "
			    "file name", url);
		return store_sqlite_open(p, out, err);
	}
	p = strstr(url, "://");
	if (p != NULL && strchr(url, '/') > p)
		return bl_errf(err, "cannot open database '%s': unknown "
		    "scheme (use a file path, sqlite:PATH or postgresql://)",
		    url);
	return store_sqlite_open(url, out, err);
}

void
store_close(struct store *st)
{
	if (st != NULL)
		st->ops->close(st);
}

int
store_schema_version(struct store *st)
{
	return st != NULL ? st->ops->schema_version(st) : 0;
}

#define NEED(x, what) do {						\
	if ((x) == NULL)						\
		return bl_errf(err, "cannot %s: bad arguments", what);	\
} while (0)

/* --------------------------------------------------------------- reads */

int
store_article_get(struct store *st, struct bl_arena *a, int64_t id,
    int include_drafts, struct st_article **out, struct bl_err *err)
{
	NEED(st, "read article");
	NEED(a, "read article");
	NEED(out, "read article");
	*out = NULL;
	return st->ops->article_get(st, a, id, include_drafts, out, err);
}

int
store_article_by_path(struct store *st, struct bl_arena *a, const char *path,
    struct st_article **out, struct bl_err *err)
{
	NEED(st, "read article");
	NEED(a, "read article");
	NEED(out, "read article");
	*out = NULL;
	if (path == NULL)
		return 1;
	return st->ops->article_by_path(st, a, path, out, err);
}

int
store_article_by_slug(struct store *st, struct bl_arena *a, const char *slug,
    struct st_article **out, struct bl_err *err)
{
	NEED(st, "read article");
	NEED(a, "read article");
	NEED(out, "read article");
	*out = NULL;
	if (slug == NULL)
		return 1;
	return st->ops->article_by_slug(st, a, slug, out, err);
}

int
store_article_list(struct store *st, struct bl_arena *a,
    const struct st_query *q, struct st_list *out, struct bl_err *err)
{
	static const struct st_query all;

	NEED(st, "list articles");
	NEED(a, "list articles");
	NEED(out, "list articles");
	memset(out, 0, sizeof(*out));
	return st->ops->article_list(st, a, q != NULL ? q : &all, out, err);
}

int
store_section_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_section *out, struct bl_err *err)
{
	NEED(st, "read section");
	NEED(a, "read section");
	NEED(out, "read section");
	memset(out, 0, sizeof(*out));
	if (slug == NULL)
		return 1;
	return st->ops->section_get(st, a, slug, out, err);
}

int
store_author_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_author *out, struct bl_err *err)
{
	NEED(st, "read author");
	NEED(a, "read author");
	NEED(out, "read author");
	memset(out, 0, sizeof(*out));
	if (slug == NULL)
		return 1;
	return st->ops->author_get(st, a, slug, out, err);
}

int
store_tag_get(struct store *st, struct bl_arena *a, const char *slug,
    struct st_tag *out, struct bl_err *err)
{
	NEED(st, "read tag");
	NEED(a, "read tag");
	NEED(out, "read tag");
	memset(out, 0, sizeof(*out));
	if (slug == NULL)
		return 1;
	return st->ops->tag_get(st, a, slug, out, err);
}

int
store_section_list(struct store *st, struct bl_arena *a, int counts,
    struct st_section **out, size_t *n, struct bl_err *err)
{
	NEED(st, "list sections");
	NEED(a, "list sections");
	NEED(out, "list sections");
	NEED(n, "list sections");
	*out = NULL;
	*n = 0;
	return st->ops->section_list(st, a, counts, out, n, err);
}

int
store_comment_list(struct store *st, struct bl_arena *a, int64_t article_id,
    struct st_comment **out, size_t *n, struct bl_err *err)
{
	NEED(st, "list comments");
	NEED(a, "list comments");
	NEED(out, "list comments");
	NEED(n, "list comments");
	*out = NULL;
	*n = 0;
	return st->ops->comment_list(st, a, article_id, out, n, err);
}

int
store_related_list(struct store *st, struct bl_arena *a, int64_t article_id,
    int limit, struct st_article **out, size_t *n, struct bl_err *err)
{
	NEED(st, "read related articles");
	NEED(a, "read related articles");
	NEED(out, "read related articles");
	NEED(n, "read related articles");
	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return 0;
	if (limit > STORE_RELATED_MAX)
		limit = STORE_RELATED_MAX;
	return st->ops->related_list(st, a, article_id, limit, out, n, err);
}

int
store_search(struct store *st, struct bl_arena *a, const struct st_search *q,
    struct st_search_result *out, struct bl_err *err)
{
	NEED(st, "search");
	NEED(a, "search");
	NEED(q, "search");
	NEED(out, "search");
	memset(out, 0, sizeof(*out));
	if (q->text == NULL)
		return 0;
	return st->ops->search(st, a, q, out, err);
}

int
store_archive_months(struct store *st, struct bl_arena *a,
    struct st_month **out, size_t *n, struct bl_err *err)
{
	NEED(st, "list archive months");
	NEED(a, "list archive months");
	NEED(out, "list archive months");
	NEED(n, "list archive months");
	*out = NULL;
	*n = 0;
	return st->ops->archive_months(st, a, out, n, err);
}

/* -------------------------------------------------------------- writes */

int
store_related_rebuild(struct store *st, struct bl_err *err)
{
	NEED(st, "rebuild related articles");
	return st->ops->related_rebuild(st, err);
}

int
store_article_add(struct store *st, struct bl_arena *a,
    const struct st_article_new *in, int64_t *id, char **path,
    struct bl_err *err)
{
	int64_t dummy;

	NEED(st, "add article");
	NEED(a, "add article");
	NEED(in, "add article");
	if (id == NULL)
		id = &dummy;
	*id = 0;
	if (path != NULL)
		*path = NULL;
	return st->ops->article_add(st, a, in, id, path, err);
}

int
store_author_set_bio(struct store *st, const char *name, const char *bio,
    struct bl_err *err)
{
	NEED(st, "set author bio");
	NEED(name, "set author bio");
	return st->ops->author_set_bio(st, name, bio != NULL ? bio : "", err);
}

int
store_comment_add(struct store *st, const struct st_comment *c, int64_t *id,
    struct bl_err *err)
{
	int64_t dummy;

	NEED(st, "add comment");
	NEED(c, "add comment");
	if (id == NULL)
		id = &dummy;
	*id = 0;
	return st->ops->comment_add(st, c, id, err);
}

/* ---------------------------------------------------- change tracking */

int
store_change_latest(struct store *st, int64_t *id, struct bl_err *err)
{
	NEED(st, "read change log");
	NEED(id, "read change log");
	*id = 0;
	return st->ops->change_latest(st, id, err);
}

int
store_changes_since(struct store *st, struct bl_arena *a, int64_t after,
    size_t max, struct st_change **out, size_t *n, struct bl_err *err)
{
	NEED(st, "read change log");
	NEED(a, "read change log");
	NEED(out, "read change log");
	NEED(n, "read change log");
	*out = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	return st->ops->changes_since(st, a, after, max, out, n, err);
}

int
store_poll(struct store *st, int *changed, struct bl_err *err)
{
	NEED(st, "poll database");
	NEED(changed, "poll database");
	*changed = 0;
	return st->ops->poll(st, changed, err);
}

int
store_checkpoint(struct store *st, struct bl_err *err)
{
	NEED(st, "checkpoint database");
	if (st->ops->checkpoint == NULL)
		return 0;
	return st->ops->checkpoint(st, err);
}

/* ------------------------------------------------------ comment admin */

int
store_comment_get(struct store *st, struct bl_arena *a, int64_t id,
    struct st_comment **out, struct bl_err *err)
{
	NEED(st, "get comment");
	NEED(a, "get comment");
	NEED(out, "get comment");
	*out = NULL;
	return st->ops->comment_get(st, a, id, out, err);
}

int
store_comment_admin_list(struct store *st, struct bl_arena *a, int status,
    const char *article, int limit, struct st_comment **out, size_t *n,
    struct bl_err *err)
{
	NEED(st, "list comments");
	NEED(a, "list comments");
	NEED(out, "list comments");
	NEED(n, "list comments");
	*out = NULL;
	*n = 0;
	return st->ops->comment_admin_list(st, a, status, article,
	    limit < 0 ? 0 : limit, out, n, err);
}

int
store_comment_set_status(struct store *st, int64_t id,
    enum st_comment_status status, struct bl_err *err)
{
	NEED(st, "change comment");
	if (status != STC_PENDING && status != STC_APPROVED && status != STC_SPAM)
		return bl_errf(err, "cannot change comment: unknown status %d", (int)status);
	return st->ops->comment_set_status(st, id, status, err);
}

int
store_comment_delete(struct store *st, int64_t id, struct bl_err *err)
{
	NEED(st, "delete comment");
	return st->ops->comment_delete(st, id, err);
}

int
store_comment_update(struct store *st, int64_t id, const char *author,
    const char *url, const char *body, enum st_comment_status status,
    struct bl_err *err)
{
	NEED(st, "edit comment");
	NEED(author, "edit comment");
	NEED(body, "edit comment");
	if (status != STC_PENDING && status != STC_APPROVED && status != STC_SPAM)
		return bl_errf(err, "cannot edit comment: unknown status %d", (int)status);
	return st->ops->comment_update(st, id, author, url ? url : "", body,
	    status, err);
}

int
store_comment_email_approved(struct store *st, const char *email, int *yes,
    struct bl_err *err)
{
	NEED(st, "check comment author");
	NEED(email, "check comment author");
	NEED(yes, "check comment author");
	*yes = 0;
	return st->ops->comment_email_approved(st, email, yes, err);
}

int
store_comment_last_from_ip(struct store *st, const char *ip, int64_t *t,
    struct bl_err *err)
{
	NEED(st, "check comment flood");
	NEED(ip, "check comment flood");
	NEED(t, "check comment flood");
	*t = 0;
	return st->ops->comment_last_from_ip(st, ip, t, err);
}

int
store_comment_duplicate(struct store *st, int64_t article_id,
    const char *author, const char *email, const char *body, int *yes,
    struct bl_err *err)
{
	NEED(st, "check duplicate comment");
	NEED(author, "check duplicate comment");
	NEED(email, "check duplicate comment");
	NEED(body, "check duplicate comment");
	NEED(yes, "check duplicate comment");
	*yes = 0;
	return st->ops->comment_duplicate(st, article_id, author, email, body,
	    yes, err);
}

int
store_captcha_spend(struct store *st, const char *nonce, int64_t expires,
    int *already, struct bl_err *err)
{
	NEED(st, "spend challenge");
	NEED(nonce, "spend challenge");
	NEED(already, "spend challenge");
	*already = 0;
	return st->ops->captcha_spend(st, nonce, expires, already, err);
}

int
store_comment_checks(struct store *st, const struct st_comment *c,
    int which, struct st_comment_checks *out, struct bl_err *err)
{
	NEED(st, "check comment");
	NEED(c, "check comment");
	NEED(out, "check comment");
	memset(out, 0, sizeof(*out));
	return st->ops->comment_checks(st, c, which, out, err);
}

int
store_comment_target(struct store *st, struct bl_arena *a, int64_t id,
    char **path, int64_t *published_at, struct bl_err *err)
{
	NEED(st, "read article");
	NEED(a, "read article");
	NEED(path, "read article");
	NEED(published_at, "read article");
	return st->ops->comment_target(st, a, id, path, published_at, err);
}

const char *
store_backend(struct store *st)
{
	return st != NULL ? st->ops->name : "";
}

/* -------------------------------------------------------- group commit */

int
store_batch_begin(struct store *st, struct bl_err *err)
{
	NEED(st, "begin batch");
	return st->ops->batch_begin(st, err);
}

int
store_batch_commit(struct store *st, struct bl_err *err)
{
	NEED(st, "commit batch");
	return st->ops->batch_commit(st, err);
}

void
store_batch_rollback(struct store *st)
{
	if (st != NULL)
		st->ops->batch_rollback(st);
}

/* ----------------------------------------------------- whole-site copy */

#define COL(n, t) { n, STV_##t }

static const struct st_column sections_cols[] = {
	COL("id", INT), COL("slug", TEXT), COL("name", TEXT),
};
static const struct st_column authors_cols[] = {
	COL("id", INT), COL("slug", TEXT), COL("name", TEXT),
	COL("bio", TEXT),
};
static const struct st_column tags_cols[] = {
	COL("id", INT), COL("slug", TEXT), COL("name", TEXT),
};
static const struct st_column articles_cols[] = {
	COL("id", INT), COL("slug", TEXT), COL("path", TEXT),
	COL("title", TEXT), COL("standfirst", TEXT), COL("dateline", TEXT),
	COL("excerpt", TEXT), COL("body_format", TEXT),
	COL("body_source", TEXT), COL("body_html", TEXT), COL("status", INT),
	COL("published_at", INT), COL("updated_at", INT),
	COL("created_at", INT), COL("section_id", INT), COL("author_id", INT),
};
static const struct st_column comments_cols[] = {
	COL("id", INT), COL("article_id", INT), COL("parent_id", INT),
	COL("author", TEXT), COL("email", TEXT), COL("url", TEXT),
	COL("body", TEXT), COL("ip", TEXT), COL("status", INT),
	COL("created_at", INT),
};
static const struct st_column article_tags_cols[] = {
	COL("article_id", INT), COL("tag_id", INT), COL("pos", INT),
	COL("status", INT), COL("published_at", INT),
};
static const struct st_column photos_cols[] = {
	COL("id", INT), COL("article_id", INT), COL("pos", INT),
	COL("file", TEXT), COL("caption", TEXT), COL("credit", TEXT),
	COL("alt", TEXT), COL("width", INT), COL("height", INT),
};
static const struct st_column related_cols[] = {
	COL("article_id", INT), COL("pos", INT), COL("related_id", INT),
	COL("score", REAL),
};
static const struct st_column captcha_spent_cols[] = {
	COL("nonce", TEXT), COL("expires", INT),
};

#define TABLE(n) { #n, n##_cols, sizeof(n##_cols) / sizeof(n##_cols[0]) }

/* The first STORE_COPY_CONTENT_TABLES must be empty in a copy's target. */
const struct st_table store_tables[] = {
	TABLE(sections), TABLE(authors), TABLE(tags), TABLE(articles),
	TABLE(comments), TABLE(article_tags), TABLE(photos), TABLE(related),
	TABLE(captcha_spent),
};
const size_t store_ntables = sizeof(store_tables) / sizeof(store_tables[0]);

int
store_copy_count(struct store *st, const struct st_table *t, int64_t *n,
    struct bl_err *err)
{
	NEED(st, "count rows");
	NEED(t, "count rows");
	NEED(n, "count rows");
	*n = 0;
	return st->ops->copy_count(st, t, n, err);
}

int
store_copy_read(struct store *st, const struct st_table *t,
    int (*row)(void *, const struct st_value *, struct bl_err *), void *ctx,
    struct bl_err *err)
{
	NEED(st, "read rows");
	NEED(t, "read rows");
	NEED(row, "read rows");
	return st->ops->copy_read(st, t, row, ctx, err);
}

int
store_copy_begin(struct store *st, struct bl_err *err)
{
	NEED(st, "start copy");
	return st->ops->copy_begin(st, err);
}

int
store_copy_write(struct store *st, const struct st_table *t,
    const struct st_value *v, struct bl_err *err)
{
	NEED(st, "write row");
	NEED(t, "write row");
	NEED(v, "write row");
	return st->ops->copy_write(st, t, v, err);
}

int
store_copy_end(struct store *st, struct bl_err *err)
{
	NEED(st, "finish copy");
	return st->ops->copy_end(st, err);
}

void
store_copy_abort(struct store *st)
{
	if (st != NULL)
		st->ops->copy_abort(st);
}

struct copy_run {
	struct store *to;
	const struct st_table *t;
	int64_t done, total, all_done, all_total;
	void (*progress)(void *, const char *, int64_t, int64_t);
	void *ctx;
};

static int
copy_row(void *arg, const struct st_value *v, struct bl_err *err)
{
	struct copy_run *r = arg;

	if (store_copy_write(r->to, r->t, v, err) < 0)
		return -1;
	r->done++;
	r->all_done++;
	if (r->progress != NULL && (r->all_done & 1023) == 0)
		r->progress(r->ctx, r->t->name, r->all_done, r->all_total);
	return 0;
}

int
store_copy(struct store *from, struct store *to,
    void (*progress)(void *, const char *, int64_t, int64_t), void *ctx,
    struct bl_err *err)
{
	struct copy_run r = { .to = to, .progress = progress, .ctx = ctx };
	int64_t counts[16], n;
	size_t i;

	NEED(from, "copy site");
	NEED(to, "copy site");
	if (store_ntables > sizeof(counts) / sizeof(counts[0]))
		return bl_errf(err, "cannot copy site: too many tables");
	for (i = 0; i < store_ntables; i++) {
		if (store_copy_count(from, &store_tables[i], &counts[i],
		    err) < 0)
			return -1;
		r.all_total += counts[i];
	}
	if (store_copy_begin(to, err) < 0)
		return -1;
	for (i = 0; i < store_ntables; i++) {
		r.t = &store_tables[i];
		r.done = 0;
		if (store_copy_read(from, r.t, copy_row, &r, err) < 0)
			goto fail;
		if (r.done != counts[i]) {
			bl_errf(err, "cannot copy site: table %s changed while "
			    "it was copied (%lld rows, then %lld)", r.t->name,
			    (long long)counts[i], (long long)r.done);
			goto fail;
		}
	}
	/* Verify, inside the copy's transaction: every table holds as many
	 * rows as the source had. */
	for (i = 0; i < store_ntables; i++) {
		if (store_copy_count(to, &store_tables[i], &n, err) < 0)
			goto fail;
		if (n != counts[i]) {
			bl_errf(err, "copy check failed: table %s has %lld rows "
			    "in the target, %lld in the source",
			    store_tables[i].name, (long long)n,
			    (long long)counts[i]);
			goto fail;
		}
	}
	if (progress != NULL)
		progress(ctx, "search index", r.all_done, r.all_total);
	if (store_copy_end(to, err) < 0)
		goto fail;
	if (progress != NULL)
		progress(ctx, "done", r.all_done, r.all_total);
	return 0;
fail:
	store_copy_abort(to);
	return -1;
}
