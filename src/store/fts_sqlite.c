/* Full-text helpers of the SQLite backend: safe FTS5 queries and the search ranking function. */
#include "store/sqlite_int.h"

#include <math.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"

/* Appends `t` as an FTS5 string: in double quotes, inner quotes doubled
 * (a word never holds one, but the syntax is kept safe regardless). */
static void
put_term(struct bl_buf *b, const struct fts_qterm *t)
{
	bl_buf_putc(b, '"');
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] == '"')
			bl_buf_putc(b, '"');
		bl_buf_putc(b, t->s[i]);
	}
	bl_buf_putc(b, '"');
	if (t->prefix)
		bl_buf_puts(b, " *");
}

static char *
join_terms(struct bl_arena *a, const struct fts_qterm *t, size_t n,
    const char *op)
{
	struct bl_buf b = BL_BUF_INIT;
	char *r;

	for (size_t i = 0; i < n; i++) {
		if (i)
			bl_buf_puts(&b, op);
		put_term(&b, &t[i]);
	}
	r = bl_buf_err(&b) ? NULL : bl_arena_strndup(a, b.s, b.len);
	bl_buf_release(&b);
	return r;
}

int
fts_query_build(struct bl_arena *a, const char *text, size_t len,
    struct fts_query *out)
{
	struct fts_qterm terms[FTS_QUERY_MAX_TERMS];
	size_t nterms;

	memset(out, 0, sizeof(*out));
	nterms = fts_query_terms(a, text, len, terms);
	out->nterms = nterms;
	if (nterms == 0)
		return 0;
	out->all = join_terms(a, terms, nterms, " AND ");
	if (nterms > 1)
		out->any = join_terms(a, terms, nterms, " OR ");
	for (size_t i = 0; i < nterms; i++) {
		if ((out->term[i] = join_terms(a, &terms[i], 1, "")) == NULL)
			return -1;
		if (memchr(terms[i].s, ' ', terms[i].len) != NULL)
			out->phrases |= 1u << i;
		if (terms[i].prefix)
			out->prefix = 1;
	}
	return out->all != NULL ? 0 : -1;
}

/* ------------------------------------------------------------ ranking */

/*
 * byline_rank(articles_fts, DF, W0, W1, W2...): FTS5's bm25() with column
 * weights W0... (k1 = 1.2, b = 0.75, negative: lower is better), except
 * that the document frequency of each phrase comes from DF instead of
 * being counted. bm25() counts it by walking every match of every phrase
 * on the first row it ranks, which for a word most stories hold costs
 * time in proportion to the site (9 ms for 100,000 stories) however few
 * rows are ranked. DF is a blob of one double per phrase of the query: a
 * count of the stories holding it (>= 0), or minus the share of stories
 * holding it (a sample, scaled by the number of rows).
 */
struct rank_data {
	int nphrase;
	double avgdl;
	double idf[];
};

static int
rank_setup(const Fts5ExtensionApi *api, Fts5Context *fts,
    sqlite3_value *df, struct rank_data **out)
{
	struct rank_data *d;
	sqlite3_int64 nrow = 0, ntok = 0;
	const double *v = sqlite3_value_blob(df);
	int nv = sqlite3_value_bytes(df) / (int)sizeof(double);
	int n = api->xPhraseCount(fts), rc;

	if ((rc = api->xRowCount(fts, &nrow)) != SQLITE_OK ||
	    (rc = api->xColumnTotalSize(fts, -1, &ntok)) != SQLITE_OK)
		return rc;
	if ((d = sqlite3_malloc64(sizeof(*d) + (size_t)n * sizeof(double))) ==
	    NULL)
		return SQLITE_NOMEM;
	d->nphrase = n;
	d->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	if (d->avgdl <= 0)
		d->avgdl = 1.0;
	for (int i = 0; i < n; i++) {
		double hit, x;

		/* The blob is aligned as SQLite keeps it; copy to be sure. */
		if (i < nv && v != NULL)
			memcpy(&x, (const char *)v + (size_t)i * sizeof(x),
			    sizeof(x));
		else
			x = 0;
		hit = x >= 0 ? x : -x * (double)nrow;
		d->idf[i] = log(((double)nrow - hit + 0.5) / (hit + 0.5));
		if (d->idf[i] <= 0.0)
			d->idf[i] = 1e-6;
	}
	if ((rc = api->xSetAuxdata(fts, d, sqlite3_free)) != SQLITE_OK)
		return rc;	/* xSetAuxdata freed d */
	*out = d;
	return SQLITE_OK;
}

static void
rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
    int nval, sqlite3_value **val)
{
	struct rank_data *d;
	double freq[FTS_QUERY_MAX_TERMS] = { 0 }, score = 0, dl;
	int ninst = 0, ntok = 0, ip, ic, io, rc = SQLITE_OK;
	const double k1 = 1.2, b = 0.75;

	if (nval < 1) {
		sqlite3_result_error(ctx, "byline_rank: no frequencies", -1);
		return;
	}
	if ((d = api->xGetAuxdata(fts, 0)) == NULL &&
	    (rc = rank_setup(api, fts, val[0], &d)) != SQLITE_OK)
		goto fail;
	if (d->nphrase > FTS_QUERY_MAX_TERMS) {
		sqlite3_result_error(ctx, "byline_rank: too many phrases", -1);
		return;
	}
	if ((rc = api->xInstCount(fts, &ninst)) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < ninst; i++) {
		if ((rc = api->xInst(fts, i, &ip, &ic, &io)) != SQLITE_OK)
			goto fail;
		if (ip >= 0 && ip < d->nphrase)
			freq[ip] += ic + 1 < nval ?
			    sqlite3_value_double(val[ic + 1]) : 1.0;
	}
	if ((rc = api->xColumnSize(fts, -1, &ntok)) != SQLITE_OK)
		goto fail;
	dl = (double)ntok;
	for (int i = 0; i < d->nphrase; i++)
		score += d->idf[i] * (freq[i] * (k1 + 1.0)) /
		    (freq[i] + k1 * (1.0 - b + b * dl / d->avgdl));
	sqlite3_result_double(ctx, -score);
	return;
fail:
	sqlite3_result_error_code(ctx, rc);
}

int
fts_rank_register(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (api == NULL || api->iVersion < 2)
		return -1;
	return api->xCreateFunction(api, "byline_rank", NULL, rank_fn,
	    NULL) == SQLITE_OK ? 0 : -1;
}
