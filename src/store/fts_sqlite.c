/* Full-text helpers of the SQLite backend: safe FTS5 queries. */
#include "store/sqlite_int.h"

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
	return out->all != NULL ? 0 : -1;
}
