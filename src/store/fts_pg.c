/* PostgreSQL search (tsvector, GIN) and related articles. */
#include "store/pg_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"
#include "store/search_terms.h"
#include "store/sql_article.h"

/*
 * The schema of search, run by migration 1 after the tables exist.
 *
 * "byline" is the text search configuration: English's, with a Snowball
 * stemmer that keeps stop words (FTS5 indexes every word too, so "the
 * harbour" and "to be or not to be" find what they say), and unaccent in
 * front of it for words with non-ASCII letters, so "Zoe" finds "Zoë".
 * unaccent is a trusted extension (PostgreSQL 13+): a database owner may
 * create it; when it cannot be created the configuration simply does not
 * fold diacritics. An unaccent installed before, in any schema, is used.
 *
 * article_search holds, per article, the text the store indexed (the body
 * as plain text, which the articles table does not keep) for snippets and
 * related articles, and the document: title weighted A, standfirst B,
 * body D. The two aggregates join per-term tsqueries with && and ||, so a
 * reader's words are each turned into a tsquery by phraseto_tsquery and
 * never parsed as tsquery syntax.
 */
const char pg_search_ddl[] =
	"DO $ddl$\n"
	"DECLARE\n"
	"	ns text;\n"
	"BEGIN\n"
	"	IF NOT EXISTS (SELECT 1 FROM pg_extension\n"
	"	    WHERE extname = 'unaccent') THEN\n"
	"		BEGIN\n"
	"			CREATE EXTENSION unaccent;\n"
	"		EXCEPTION WHEN OTHERS THEN\n"
	"			NULL;\n"
	"		END;\n"
	"	END IF;\n"
	"	IF NOT EXISTS (SELECT 1 FROM pg_ts_dict\n"
	"	    WHERE dictname = 'byline_stem'\n"
	"	    AND dictnamespace = current_schema()::regnamespace) THEN\n"
	"		CREATE TEXT SEARCH DICTIONARY byline_stem\n"
	"		    (TEMPLATE = snowball, LANGUAGE = english);\n"
	"	END IF;\n"
	"	IF NOT EXISTS (SELECT 1 FROM pg_ts_config\n"
	"	    WHERE cfgname = 'byline'\n"
	"	    AND cfgnamespace = current_schema()::regnamespace) THEN\n"
	"		CREATE TEXT SEARCH CONFIGURATION byline (COPY = english);\n"
	"	END IF;\n"
	"	ALTER TEXT SEARCH CONFIGURATION byline\n"
	"	    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart,\n"
	"	    word, hword, hword_part WITH byline_stem;\n"
	"	SELECT n.nspname INTO ns FROM pg_extension e\n"
	"	    JOIN pg_namespace n ON n.oid = e.extnamespace\n"
	"	    WHERE e.extname = 'unaccent';\n"
	"	IF ns IS NOT NULL THEN\n"
	"		EXECUTE format('ALTER TEXT SEARCH CONFIGURATION byline'\n"
	"		    ' ALTER MAPPING FOR word, hword, hword_part'\n"
	"		    ' WITH %I.unaccent, byline_stem', ns);\n"
	"		EXECUTE format('ALTER TEXT SEARCH CONFIGURATION byline'\n"
	"		    ' ALTER MAPPING FOR numword, numhword, hword_numpart'\n"
	"		    ' WITH %I.unaccent, simple', ns);\n"
	"	END IF;\n"
	"END\n"
	"$ddl$;\n"
	"CREATE AGGREGATE byline_tsquery_and (tsquery)\n"
	"	(SFUNC = tsquery_and, STYPE = tsquery);\n"
	"CREATE AGGREGATE byline_tsquery_or (tsquery)\n"
	"	(SFUNC = tsquery_or, STYPE = tsquery);\n"
	"CREATE TABLE article_search (\n"
	"	article_id BIGINT PRIMARY KEY\n"
	"		REFERENCES articles (id) ON DELETE CASCADE,\n"
	"	title TEXT NOT NULL,\n"
	"	standfirst TEXT NOT NULL,\n"
	"	body TEXT NOT NULL,\n"
	"	doc tsvector NOT NULL\n"
	");\n"
	"CREATE INDEX article_search_doc ON article_search USING gin (doc);\n";

/* ------------------------------------------------------------ queries */

/*
 * One term (text parameter `w`) as a tsquery: its words in order, stemmed
 * and folded by the configuration, or NULL when it holds no word the
 * parser keeps (checked first, as an empty tsquery makes the server send
 * notices). The aggregates skip NULLs.
 */
#define TERM_TSQ(w) \
	"CASE WHEN length(to_tsvector('byline', " w ")) > 0" \
	" THEN phraseto_tsquery('byline', " w ") END"

/*
 * A reader's query: $1 the terms, one per line (terms hold no control
 * character), $2 a bit mask of the prefix terms (bit 0: the first), $3
 * true for every term (&&), false for any (||). A prefix term is the
 * server's own rendering of its tsquery with ":*" added: a quoted lexeme,
 * never reader text.
 */
#define SEARCH_QUERY \
	"WITH t AS (SELECT CASE" \
	"   WHEN length(to_tsvector('byline', w)) = 0 THEN NULL" \
	"   WHEN ($2::integer >> (i::integer - 1)) & 1 = 1" \
	"   THEN (phraseto_tsquery('byline', w)::text || ':*')::tsquery" \
	"   ELSE phraseto_tsquery('byline', w) END AS q" \
	" FROM unnest(string_to_array($1, E'\\n')) WITH ORDINALITY AS u (w, i))," \
	" m AS (SELECT CASE WHEN $3::boolean THEN byline_tsquery_and(q)" \
	"   ELSE byline_tsquery_or(q) END AS q FROM t)"

/*
 * Relevance: ts_rank with the title 5 times and the standfirst twice the
 * weight of the body (ts_rank takes weights for D, C, B, A, at most 1),
 * divided by 1 + ln(words) so long stories do not win by length, then
 * made up to 50% stronger for recent stories with a 30-day scale from $4.
 */
#define SEARCH_RANK \
	"ts_rank('{0.2, 0, 0.4, 1.0}', x.doc, x.q, 1) * (1.0 + 0.5 /" \
	" (1.0 + greatest(0, $4::bigint - x.published_at) / 2592000.0))"

/* The marks of store.h and a passage of about 28 words. */
#define HL_MARKS "StartSel=\"\x01\", StopSel=\"\x02\""
#define HL_TITLE "HighlightAll=true, " HL_MARKS
#define HL_SNIPPET "MaxWords=28, MinWords=20, ShortWord=3, " HL_MARKS

/*
 * The order of docs/search.md, as SQLite's: the $7 (SEARCH_RANKED) most
 * recently added matches (win) by relevance, ties to the newer story,
 * then the other matches most recently added first.
 */
#define SEARCH_ORDER(r) \
	" ORDER BY " r "win DESC, " r "rank DESC NULLS LAST," \
	" CASE WHEN " r "win THEN " r "published_at END DESC NULLS LAST," \
	" " r "id DESC"

/*
 * One page of results ($5 rows from $6) in that order, with the number of
 * matches, the marked title and body passage, and where the passage sits
 * in the body (its position, 0 when not found, its length and the body's)
 * so the reader can tell where it was cut.
 */
static const char sql_search[] = SEARCH_QUERY ","
	" r AS (SELECT x.id, x.title, x.body, x.q, x.published_at, x.total,"
	"   x.win, CASE WHEN x.win THEN " SEARCH_RANK " END AS rank"
	"  FROM (SELECT s.article_id AS id, s.title, s.body, s.doc, m.q,"
	"   a.published_at, count(*) OVER () AS total,"
	"   row_number() OVER (ORDER BY s.article_id DESC) <= $7::bigint"
	"   AS win"
	"   FROM m, article_search s JOIN articles a ON a.id = s.article_id"
	"   WHERE s.doc @@ m.q AND a.status = 1) x"
	"  " SEARCH_ORDER("") " LIMIT $5 OFFSET $6)"
	" " SUMMARY_SELECT ", r.total,"
	" ts_headline('byline', r.title, r.q, '" HL_TITLE "'),"
	" h.snippet, strpos(h.body, h.plain), length(h.plain), length(h.body)"
	" FROM r JOIN articles a ON a.id = r.id" ARTICLE_JOINS
	" CROSS JOIN LATERAL (SELECT x.snippet,"
	"   btrim(translate(x.snippet, E'\\x01\\x02', ''), E' \\t\\r\\n')"
	"   AS plain, btrim(r.body, E' \\t\\r\\n') AS body"
	"   FROM (SELECT ts_headline('byline', r.body, r.q,"
	"   '" HL_SNIPPET "') AS snippet) x) h"
	SEARCH_ORDER("r.");
/* Columns after the summary ones (store/sql_article.h, read by
 * pg_read_article). */
enum {
	C_TOTAL = AC_AU_BIO + 1, C_MTITLE, C_SNIPPET, C_AT, C_PLAIN_LEN,
	C_BODY_LEN
};

static const char sql_search_count[] = SEARCH_QUERY
	" SELECT count(*) FROM m, article_search s"
	" JOIN articles a ON a.id = s.article_id"
	" WHERE s.doc @@ m.q AND a.status = 1";

/* Tags and first photos of the listed articles ($1: ids, comma-separated). */
static const char sql_tags[] =
	"SELECT x.article_id, t.id, t.slug, t.name FROM article_tags x"
	" JOIN tags t ON t.id = x.tag_id"
	" WHERE x.article_id = ANY (string_to_array($1, ',')::bigint[])"
	" ORDER BY x.article_id, x.pos";
static const char sql_photos[] =
	"SELECT DISTINCT ON (article_id) article_id, id, pos, file, caption,"
	" credit, alt, width, height FROM photos"
	" WHERE article_id = ANY (string_to_array($1, ',')::bigint[])"
	" ORDER BY article_id, pos, id";

static const char sql_index[] =
	"INSERT INTO article_search (article_id, title, standfirst, body, doc)"
	" VALUES ($1, $2, $3, $4,"
	" setweight(to_tsvector('byline', $2), 'A') ||"
	" setweight(to_tsvector('byline', $3), 'B') ||"
	" setweight(to_tsvector('byline', $4), 'D'))"
	" ON CONFLICT (article_id) DO UPDATE SET title = excluded.title,"
	" standfirst = excluded.standfirst, body = excluded.body,"
	" doc = excluded.doc";

/* Related articles (the statements of sqlite_int.h's S_REL_*). */

/* The stored list (ids, space-separated) and, when article $1 is
 * published, its date, section and text. */
static const char sql_rel_target[] =
	"SELECT (SELECT string_agg(related_id::text, ' ' ORDER BY pos)"
	"   FROM related WHERE article_id = $1),"
	" t.published_at, t.section, t.title, t.standfirst, t.body"
	" FROM (SELECT 1) one LEFT JOIN (SELECT a.published_at,"
	"   coalesce(a.section_id, 0) AS section, f.title, f.standfirst,"
	"   f.body FROM articles a JOIN article_search f"
	"   ON f.article_id = a.id WHERE a.id = $1 AND a.status = 1) t ON true";
static const char sql_rel_own_tags[] =
	"SELECT x.tag_id, (SELECT count(*) FROM article_tags z"
	"   WHERE z.tag_id = x.tag_id AND z.status = 1)"
	" FROM article_tags x WHERE x.article_id = $1";
/* The bounds are SQLite's (docs/related.md): the newest $2 tag rows
 * first, then their sections; fillers from index walks on either side
 * of the date; short lists among the newest stories only. */
static const char sql_rel_tag_peers[] =
	"SELECT p.article_id, p.tag_id, p.published_at,"
	" coalesce(a.section_id, 0) FROM (SELECT y.article_id, y.tag_id,"
	"  y.published_at FROM article_tags x"
	"  JOIN article_tags y ON y.tag_id = x.tag_id AND y.status = 1"
	"  WHERE x.article_id = $1 AND y.article_id <> $1"
	"  ORDER BY y.published_at DESC, y.article_id DESC LIMIT $2) p"
	" JOIN articles a ON a.id = p.article_id"
	" ORDER BY p.published_at DESC, p.article_id DESC";
/* How many articles hold each word of $1 (space-separated), in order,
 * counting no further than $2 (RELATED_DF_MAX + 1: a word past it is
 * dropped, and a common word's full count walks most of the index). */
static const char sql_rel_df[] =
	"SELECT CASE WHEN q IS NULL THEN 0 ELSE (SELECT count(*) FROM"
	"   (SELECT 1 FROM article_search WHERE doc @@ q LIMIT $2::int) t) END"
	" FROM unnest(string_to_array($1, ' ')) WITH ORDINALITY AS u (w, i)"
	" CROSS JOIN LATERAL (SELECT " TERM_TSQ("u.w") " AS q) x ORDER BY i";
/* Candidates matching any of the words $1, best first; the title counts
 * three times and the standfirst twice as much as the body. */
static const char sql_rel_text[] =
	"WITH m AS (SELECT byline_tsquery_or(" TERM_TSQ("w") ") AS q"
	"   FROM unnest(string_to_array($1, ' ')) AS u (w))"
	" SELECT a.id, ts_rank('{0.3333, 0, 0.6667, 1.0}', f.doc, m.q, 1),"
	" a.published_at, coalesce(a.section_id, 0)"
	" FROM m, article_search f JOIN articles a ON a.id = f.article_id"
	" WHERE f.doc @@ m.q AND a.id <> $2 AND a.status = 1"
	" ORDER BY 2 DESC, a.id LIMIT $3";
static const char sql_rel_fill[] =
	"SELECT id, published_at, sec FROM ("
	" (SELECT id, published_at, coalesce(section_id, 0) AS sec"
	"  FROM articles WHERE section_id IS NOT DISTINCT FROM nullif($2, 0)"
	"  AND status = 1 AND id <> $1 AND published_at >= $3"
	"  ORDER BY published_at, id LIMIT $4)"
	" UNION (SELECT id, published_at, coalesce(section_id, 0)"
	"  FROM articles WHERE section_id IS NOT DISTINCT FROM nullif($2, 0)"
	"  AND status = 1 AND id <> $1 AND published_at < $3"
	"  ORDER BY published_at DESC, id LIMIT $4)"
	" UNION (SELECT id, published_at, coalesce(section_id, 0)"
	"  FROM articles WHERE status = 1 AND id <> $1 AND published_at >= $3"
	"  ORDER BY published_at, id LIMIT $4)"
	" UNION (SELECT id, published_at, coalesce(section_id, 0)"
	"  FROM articles WHERE status = 1 AND id <> $1 AND published_at < $3"
	"  ORDER BY published_at DESC, id LIMIT $4)) u"
	" ORDER BY sec = $2 DESC, abs(published_at - $3), id LIMIT $4";
/* Replaces the list of $1 with the ids $2 and scores $3 (space-separated);
 * an upsert, so two writers recomputing one list never collide on a key. */
static const char sql_rel_store[] =
	"WITH d AS (DELETE FROM related WHERE article_id = $1"
	"   AND pos >= coalesce(array_length(string_to_array($2, ' '), 1), 0))"
	" INSERT INTO related (article_id, pos, related_id, score)"
	" SELECT $1, i - 1, r, s FROM unnest(string_to_array($2, ' ')::bigint[],"
	"   string_to_array($3, ' ')::float8[]) WITH ORDINALITY AS u (r, s, i)"
	" ON CONFLICT (article_id, pos) DO UPDATE"
	" SET related_id = excluded.related_id, score = excluded.score";
static const char sql_rel_short[] =
	"SELECT a.id FROM (SELECT id FROM articles WHERE status = 1"
	"  AND id <> $1 ORDER BY id DESC LIMIT $3::int * 20) a"
	" WHERE (SELECT count(*) FROM related r"
	"   WHERE r.article_id = a.id) < $2 ORDER BY a.id DESC LIMIT $3";
static const char sql_rel_all[] =
	"SELECT id FROM articles WHERE status = 1 ORDER BY id";
static const char sql_published_count[] =
	"SELECT count(*) FROM articles WHERE status = 1";
static const char sql_rel_prune[] =
	"DELETE FROM related WHERE article_id NOT IN"
	" (SELECT id FROM articles WHERE status = 1)";
static const char sql_change[] =
	"INSERT INTO changes (key, created_at) VALUES ($1, $2)";

/* ------------------------------------------------------------ helpers */

/* Reports the failure of `what` into err: unavailable when the connection
 * is gone (the caller reconnects), an error otherwise. Returns -1. */
static int
fail(PGconn *conn, const PGresult *r, const char *what, struct bl_err *err)
{
	const char *m = r != NULL ? PQresultErrorMessage(r) : "";
	size_t n;

	if (m == NULL || *m == '\0')
		m = PQerrorMessage(conn);
	n = strlen(m);
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	if (PQstatus(conn) == CONNECTION_BAD)
		return bl_errf_unavailable(err, "cannot %s: %.*s", what,
		    (int)n, m);
	return bl_errf(err, "cannot %s: %.*s", what, (int)n, m);
}

/* Runs `sql` with `n` text parameters. Returns the result (PQclear it),
 * or NULL after reporting the failure. */
static PGresult *
run(PGconn *conn, const char *sql, int n, const char *const *v,
    const char *what, struct bl_err *err)
{
	PGresult *r;
	ExecStatusType s;

	r = PQexecParams(conn, sql, n, NULL, v, NULL, NULL, 0);
	s = PQresultStatus(r);
	if (r != NULL && (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK))
		return r;
	fail(conn, r, what, err);
	PQclear(r);
	return NULL;
}

static int
run_cmd(PGconn *conn, const char *sql, int n, const char *const *v,
    const char *what, struct bl_err *err)
{
	PGresult *r = run(conn, sql, n, v, what, err);

	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

static char *
num(struct bl_arena *a, int64_t v)
{
	return bl_arena_printf(a, "%lld", (long long)v);
}

static int64_t
get_i64(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* The number of published articles, into *out. */
static int
published_count(PGconn *conn, int64_t *out, struct bl_err *err)
{
	PGresult *r = run(conn, sql_published_count, 0, NULL,
	    "relate articles", err);

	if (r == NULL)
		return -1;
	*out = get_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

static double
get_f(const PGresult *r, int row, int col)
{
	return strtod(PQgetvalue(r, row, col), NULL);
}

static char *
get_s(struct bl_arena *a, const PGresult *r, int row, int col)
{
	return bl_arena_strndup(a, PQgetvalue(r, row, col),
	    (size_t)PQgetlength(r, row, col));
}

static void *
grow(struct bl_arena *a, void *items, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p;

	p = bl_arena_alloc(a, ncap * size);
	if (n)
		memcpy(p, items, n * size);
	*cap = ncap;
	return p;
}

/* ------------------------------------------------------------ indexing */

/* Longest title, standfirst and body indexed (bytes): together well under
 * the 1 MiB a tsvector's words may take, whatever the text. */
#define IDX_TITLE_MAX (64 * 1024)
#define IDX_STANDFIRST_MAX (64 * 1024)
#define IDX_BODY_MAX (640 * 1024)
/* Runs of non-space bytes are broken after this many: the server skips
 * (with a notice) words over 2047 characters, and such a run is no word
 * a reader would search for. */
#define IDX_RUN_MAX 1000

/*
 * The text as indexed: valid UTF-8, cut at a character boundary to `max`
 * bytes, the two mark characters turned into spaces (so a passage's only
 * marks are the server's) and over-long runs broken.
 */
static char *
index_text(struct bl_arena *a, const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0, run = 0, i, cl;
	char *t;

	if (s == NULL)
		s = "";
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	t = bl_utf8_valid(s, n) ? bl_arena_strndup(a, s, n) :
	    bl_utf8_repair(a, s, n);
	n = strlen(t);
	for (i = 0; i < n; i += cl) {
		bl_utf8_decode(t + i, n - i, &cl);
		if (t[i] == ST_MARK_ON || t[i] == ST_MARK_OFF)
			t[i] = ' ';
		if (t[i] == ' ' || t[i] == '\n' || t[i] == '\t' ||
		    t[i] == '\r')
			run = 0;
		else if ((run += cl) > IDX_RUN_MAX) {
			memset(t + i, ' ', cl);
			run = 0;
		}
	}
	return t;
}

int
pg_search_index(PGconn *conn, struct bl_arena *a, int64_t article_id,
    const char *title, const char *standfirst, const char *body_text,
    struct bl_err *err)
{
	const char *v[4];

	v[0] = num(a, article_id);
	v[1] = index_text(a, title, IDX_TITLE_MAX);
	v[2] = index_text(a, standfirst, IDX_STANDFIRST_MAX);
	v[3] = index_text(a, body_text, IDX_BODY_MAX);
	return run_cmd(conn, sql_index, 4, v, "index article for search",
	    err);
}

/* -------------------------------------------------------------- search */

static struct st_article *
find_item(struct st_search_result *out, int64_t id)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->items[i].id == id)
			return &out->items[i];
	return NULL;
}

/* Reads the tags and the first photo of every result. */
static int
read_extras(PGconn *conn, struct bl_arena *a, struct st_search_result *out,
    struct bl_err *err)
{
	struct bl_buf ids = BL_BUF_INIT;
	const char *v[1];
	struct st_article *x;
	PGresult *r;
	size_t *caps;
	int i, n;

	for (size_t k = 0; k < out->n; k++)
		bl_buf_printf(&ids, "%s%lld", k ? "," : "",
		    (long long)out->items[k].id);
	v[0] = bl_buf_err(&ids) ? "" : bl_arena_strndup(a, ids.s, ids.len);
	bl_buf_release(&ids);

	if ((r = run(conn, sql_tags, 1, v, "search", err)) == NULL)
		return -1;
	caps = bl_arena_alloc(a, out->n * sizeof(*caps));
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		struct st_tag *t;

		if ((x = find_item(out, get_i64(r, i, 0))) == NULL)
			continue;
		if (x->ntags == caps[x - out->items])
			x->tags = grow(a, x->tags, x->ntags,
			    &caps[x - out->items], sizeof(*x->tags));
		t = &x->tags[x->ntags++];
		pg_read_tag(a, r, i, 1, t);
	}
	PQclear(r);

	if ((r = run(conn, sql_photos, 1, v, "search", err)) == NULL)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		struct st_photo *p;

		if ((x = find_item(out, get_i64(r, i, 0))) == NULL ||
		    x->nphotos > 0)
			continue;
		p = x->photos = bl_arena_alloc(a, sizeof(*p));
		x->nphotos = 1;
		pg_read_photo(a, r, i, 1, p);
	}
	PQclear(r);
	return 0;
}

/* The body passage of row i with "…" where the body goes on. */
static char *
read_snippet(struct bl_arena *a, const PGresult *r, int i)
{
	int64_t at = get_i64(r, i, C_AT), plen = get_i64(r, i, C_PLAIN_LEN),
	    blen = get_i64(r, i, C_BODY_LEN);
	const char *s = PQgetvalue(r, i, C_SNIPPET);
	int before, after;
	size_t n;

	if (plen == 0)
		return bl_arena_strdup(a, "");
	before = at > 1;
	after = at > 0 ? at - 1 + plen < blen : plen < blen;
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' ||
	    s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return bl_arena_printf(a, "%s%.*s%s", before ? "…" : "", (int)n, s,
	    after ? "…" : "");
}

/* Reads a page of results of `v` (the query's parameters). Sets *total
 * when the page has rows. */
static int
search_page(PGconn *conn, struct bl_arena *a, const char *const *v,
    struct st_search_result *out, int64_t *total, struct bl_err *err)
{
	PGresult *r;
	int i, n;

	if ((r = run(conn, sql_search, 7, v, "search", err)) == NULL)
		return -1;
	n = PQntuples(r);
	if (n > 0) {
		*total = get_i64(r, 0, C_TOTAL);
		out->items = bl_arena_alloc(a, (size_t)n * sizeof(*out->items));
		out->titles = bl_arena_alloc(a, (size_t)n * sizeof(char *));
		out->snippets = bl_arena_alloc(a, (size_t)n * sizeof(char *));
	}
	for (i = 0; i < n; i++) {
		pg_read_article(a, r, i, &out->items[i]);
		out->titles[i] = get_s(a, r, i, C_MTITLE);
		out->snippets[i] = read_snippet(a, r, i);
	}
	out->n = (size_t)n;
	PQclear(r);
	return 0;
}

static int
search_count(PGconn *conn, const char *const *v, int64_t *total,
    struct bl_err *err)
{
	PGresult *r;

	if ((r = run(conn, sql_search_count, 3, v, "search", err)) == NULL)
		return -1;
	*total = PQntuples(r) > 0 ? get_i64(r, 0, 0) : 0;
	PQclear(r);
	return 0;
}

/*
 * One pass: every term (all = 1) or any. A page with rows carries the
 * total; an empty first page means no match; an empty later page needs a
 * count to tell "beyond the end" from "nothing".
 */
static int
search_pass(PGconn *conn, struct bl_arena *a, const char **v, int all,
    int offset, struct st_search_result *out, struct bl_err *err)
{
	v[2] = all ? "true" : "false";
	out->total = 0;
	if (search_page(conn, a, v, out, &out->total, err) < 0)
		return -1;
	if (out->n == 0 && offset > 0 &&
	    search_count(conn, v, &out->total, err) < 0)
		return -1;
	return 0;
}

int
pg_search(PGconn *conn, struct bl_arena *a, const struct st_search *q,
    struct st_search_result *out, struct bl_err *err)
{
	struct fts_qterm t[FTS_QUERY_MAX_TERMS];
	struct bl_buf terms = BL_BUF_INIT;
	const char *v[7];
	unsigned mask = 0;
	size_t n, i;
	int limit, offset;

	n = fts_query_terms(a, q->text, q->len, t);
	out->nterms = n;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (i)
			bl_buf_putc(&terms, '\n');
		bl_buf_add(&terms, t[i].s, t[i].len);
		if (t[i].prefix)
			mask |= 1u << i;
	}
	if (bl_buf_err(&terms)) {
		bl_buf_release(&terms);
		return bl_errf(err, "cannot search: query too long");
	}
	limit = q->limit > 0 ? q->limit : 10;
	offset = q->offset > 0 ? q->offset : 0;
	v[0] = bl_arena_strndup(a, terms.s, terms.len);
	bl_buf_release(&terms);
	v[1] = bl_arena_printf(a, "%u", mask);
	v[3] = num(a, q->now > 0 ? q->now : (int64_t)time(NULL));
	v[4] = num(a, limit);
	v[5] = num(a, offset);
	v[6] = num(a, SEARCH_RANKED);
	if (search_pass(conn, a, v, 1, offset, out, err) < 0)
		return -1;
	if (out->total == 0 && n > 1) {
		if (search_pass(conn, a, v, 0, offset, out, err) < 0)
			return -1;
		out->any = out->total > 0;
	}
	if (out->n > 0 && read_extras(conn, a, out, err) < 0)
		return -1;
	return 0;
}

/* ---------------------------------------------------- related articles */

/*
 * Related articles (docs/related.md), as sqlite.c computes them. For a
 * published article T every candidate C gets
 *
 *   score = 0.45 tags + 0.35 text + 0.10 fresh + 0.10 section
 *
 * with `text` the ts_rank of C for an OR query of T's most distinctive
 * words over the best candidate's (SQLite uses bm25: the scores differ,
 * the parts and weights do not). The scoring itself is search_terms.c's.
 */

/* The article's most distinctive words, space-separated, or NULL. */
static int
rel_words(PGconn *conn, struct bl_arena *a, const char *title,
    const char *standfirst, const char *body, int64_t npub, char **out,
    struct bl_err *err)
{
	struct fts_term *terms;
	struct bl_buf b = BL_BUF_INIT;
	const char *v[2];
	size_t n, nkeep, i;
	int64_t *df;
	PGresult *r;

	*out = NULL;
	n = fts_terms(a, title, standfirst, body, &terms, RELATED_TERMS);
	if (n == 0)
		return 0;
	/* Words hold letters and digits only: spaces separate them. */
	for (i = 0; i < n; i++) {
		if (i)
			bl_buf_putc(&b, ' ');
		bl_buf_puts(&b, terms[i].word);
	}
	v[0] = bl_buf_err(&b) ? "" : bl_arena_strndup(a, b.s, b.len);
	v[1] = bl_arena_printf(a, "%d", RELATED_DF_MAX + 1);
	bl_buf_reset(&b);
	if ((r = run(conn, sql_rel_df, 2, v, "relate articles", err)) ==
	    NULL) {
		bl_buf_release(&b);
		return -1;
	}
	df = bl_arena_alloc(a, n * sizeof(*df));
	for (i = 0; i < n; i++) {
		df[i] = i < (size_t)PQntuples(r) ? get_i64(r, (int)i, 0) : 0;
		if (df[i] > RELATED_DF_MAX)
			df[i] = 0;	/* too common to tell stories apart */
	}
	PQclear(r);
	nkeep = related_words(terms, df, n, npub);
	for (i = 0; i < nkeep; i++) {
		if (i)
			bl_buf_putc(&b, ' ');
		bl_buf_puts(&b, terms[i].word);
	}
	if (nkeep > 0 && !bl_buf_err(&b))
		*out = bl_arena_strndup(a, b.s, b.len);
	bl_buf_release(&b);
	return 0;
}

/* Reads "1 2 3" into ids (arena). */
static size_t
parse_ids(struct bl_arena *a, const char *s, int64_t **ids)
{
	size_t n = 0, cap = 0;
	char *end;

	*ids = NULL;
	while (s != NULL && *s) {
		int64_t v = strtoll(s, &end, 10);

		if (end == s)
			break;
		if (n == cap)
			*ids = grow(a, *ids, n, &cap, sizeof(**ids));
		(*ids)[n++] = v;
		s = end;
	}
	return n;
}

/*
 * Recomputes and stores the related list of article `id` (inside the
 * caller's transaction). Sets *changed when the stored list is different
 * now, and fills ranked[0..*nranked) with up to RELATED_NEIGHBOURS best
 * candidates when `ranked` is not NULL. An article that is not published
 * loses its list.
 */
static int
rel_compute(PGconn *conn, int64_t id, int64_t npub, int64_t *ranked,
    size_t *nranked, int *changed, struct bl_err *err)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct related_set set = { NULL, 0, 0 };
	struct bl_buf ids = BL_BUF_INIT, scores = BL_BUF_INIT;
	int64_t published, section, *old = NULL, *tag_ids = NULL;
	double *tag_idf = NULL, tagmax = 0, textmax = 0;
	char *title, *standfirst, *body, *words;
	size_t nold, ntags = 0, i, k, nnew;
	int same;
	const char *v[4];
	PGresult *r = NULL;
	int ret = -1, n;

	*changed = 0;
	if (nranked != NULL)
		*nranked = 0;
	v[0] = num(&a, id);
	if ((r = run(conn, sql_rel_target, 1, v, "relate articles", err)) ==
	    NULL)
		goto out;
	nold = parse_ids(&a, PQgetvalue(r, 0, 0), &old);
	if (PQgetisnull(r, 0, 1)) {
		/* Not published (or gone): no list. */
		if (nold > 0) {
			v[1] = "";
			v[2] = "";
			if (run_cmd(conn, sql_rel_store, 3, v,
			    "relate articles", err) < 0)
				goto out;
			*changed = 1;
		}
		ret = 0;
		goto out;
	}
	published = get_i64(r, 0, 1);
	section = get_i64(r, 0, 2);
	title = get_s(&a, r, 0, 3);
	standfirst = get_s(&a, r, 0, 4);
	body = get_s(&a, r, 0, 5);
	PQclear(r);
	r = NULL;
	if (npub < 1)
		npub = 1;

	/* Shared tags, weighted by rarity. */
	if ((r = run(conn, sql_rel_own_tags, 1, v, "relate articles",
	    err)) == NULL)
		goto out;
	n = PQntuples(r);
	if (n > 0) {
		tag_ids = bl_arena_alloc(&a, (size_t)n * sizeof(*tag_ids));
		tag_idf = bl_arena_alloc(&a, (size_t)n * sizeof(*tag_idf));
	}
	for (int j = 0; j < n; j++) {
		int64_t df = get_i64(r, j, 1);

		if (df < 1)
			df = 1;
		if (df > npub)
			df = npub;
		tag_ids[ntags] = get_i64(r, j, 0);
		tag_idf[ntags] = log((double)npub / (double)df);
		tagmax += tag_idf[ntags++];
	}
	PQclear(r);
	r = NULL;
	if (ntags > 0) {
		v[1] = num(&a, RELATED_TAG_PEERS);
		if ((r = run(conn, sql_rel_tag_peers, 2, v, "relate articles",
		    err)) == NULL)
			goto out;
		n = PQntuples(r);
		for (int j = 0; j < n; j++) {
			int64_t tag = get_i64(r, j, 1);
			double w = 0;

			for (k = 0; k < ntags; k++)
				if (tag_ids[k] == tag)
					w = tag_idf[k];
			related_push(&a, &set, get_i64(r, j, 0), get_i64(r, j, 2),
			    get_i64(r, j, 3), w, 0);
		}
		PQclear(r);
		r = NULL;
	}

	/* Text similarity through the full-text index. */
	if (rel_words(conn, &a, title, standfirst, body, npub, &words,
	    err) < 0)
		goto out;
	if (words != NULL) {
		const char *tv[3] = { words, v[0], num(&a, RELATED_TEXT_HITS) };

		if ((r = run(conn, sql_rel_text, 3, tv, "relate articles",
		    err)) == NULL)
			goto out;
		n = PQntuples(r);
		for (int j = 0; j < n; j++) {
			double t = get_f(r, j, 1);

			if (t <= 0)
				continue;
			if (t > textmax)
				textmax = t;
			related_push(&a, &set, get_i64(r, j, 0), get_i64(r, j, 2),
			    get_i64(r, j, 3), 0, t);
		}
		PQclear(r);
		r = NULL;
	}
	related_merge(&set);

	/* Too few: the nearest in time, own section first. */
	if (set.n < STORE_RELATED_MAX) {
		v[1] = num(&a, section);
		v[2] = num(&a, published);
		v[3] = num(&a, RELATED_FILL);
		if ((r = run(conn, sql_rel_fill, 4, v, "relate articles",
		    err)) == NULL)
			goto out;
		n = PQntuples(r);
		for (int j = 0; j < n; j++)
			related_push(&a, &set, get_i64(r, j, 0), get_i64(r, j, 1),
			    get_i64(r, j, 2), 0, 0);
		PQclear(r);
		r = NULL;
		related_merge(&set);
	}

	related_rank(&set, published, section, tagmax, textmax);

	nnew = related_keep(&set, STORE_RELATED_MAX, old, nold, ranked,
	    nranked, &same);
	if (same) {
		ret = 0;	/* same list: scores may move, order not */
		goto out;
	}
	for (i = 0; i < nnew; i++) {
		bl_buf_printf(&ids, "%s%lld", i ? " " : "",
		    (long long)set.c[i].id);
		bl_buf_printf(&scores, "%s%.17g", i ? " " : "",
		    set.c[i].score);
	}
	if (bl_buf_err(&ids) || bl_buf_err(&scores)) {
		bl_errf(err, "cannot relate articles: out of memory");
		goto out;
	}
	v[1] = ids.s;
	v[2] = scores.s;
	if (run_cmd(conn, sql_rel_store, 3, v, "relate articles", err) < 0)
		goto out;
	*changed = 1;
	ret = 0;
out:
	PQclear(r);
	bl_buf_release(&ids);
	bl_buf_release(&scores);
	bl_arena_release(&a);
	return ret;
}

static int
log_article(PGconn *conn, int64_t id, struct bl_err *err)
{
	char key[32], at[32];
	const char *v[2] = { key, at };

	snprintf(key, sizeof(key), "article:%lld", (long long)id);
	snprintf(at, sizeof(at), "%lld", (long long)time(NULL));
	return run_cmd(conn, sql_change, 2, v, "log change", err);
}


/* Appends the first column of every row of `sql` (parameters v) to ids,
 * at most `max` in all. */
static int
collect_ids(PGconn *conn, struct bl_arena *a, const char *sql, int nv,
    const char *const *v, int64_t **ids, size_t *n, size_t *cap,
    size_t max, struct bl_err *err)
{
	PGresult *r;
	int rows;

	if ((r = run(conn, sql, nv, v, "relate articles", err)) == NULL)
		return -1;
	rows = PQntuples(r);
	for (int i = 0; i < rows && *n < max; i++) {
		if (*n == *cap)
			*ids = grow(a, *ids, *n, cap, sizeof(**ids));
		(*ids)[(*n)++] = get_i64(r, i, 0);
	}
	PQclear(r);
	return 0;
}

int
pg_related_after_add(PGconn *conn, struct bl_arena *a, int64_t id,
    struct bl_err *err)
{
	int64_t ranked[RELATED_NEIGHBOURS], *ids = NULL, npub;
	size_t nranked, n = 0, cap = 0, i;
	const char *v[3];
	int changed;

	/* Counted once: every list recomputed below weighs words and tags
	 * by the same number of published stories. */
	if (published_count(conn, &npub, err) < 0 ||
	    rel_compute(conn, id, npub, ranked, &nranked, &changed, err) < 0)
		return -1;
	/* Articles sharing a tag, newest first, each once. */
	v[0] = num(a, id);
	v[1] = num(a, RELATED_TAG_PEERS);
	if (collect_ids(conn, a, sql_rel_tag_peers, 2, v, &ids, &n, &cap,
	    RELATED_TAG_PEERS, err) < 0)
		return -1;
	n = related_first_distinct(ids, n, RELATED_CASCADE_TAGS);
	for (i = 0; i < nranked; i++) {
		if (n == cap)
			ids = grow(a, ids, n, &cap, sizeof(*ids));
		ids[n++] = ranked[i];
	}
	v[1] = num(a, STORE_RELATED_MAX);
	v[2] = num(a, RELATED_CASCADE_SHORT);
	if (collect_ids(conn, a, sql_rel_short, 3, v, &ids, &n, &cap,
	    n + RELATED_CASCADE_SHORT, err) < 0)
		return -1;
	n = related_sort_unique(ids, n, id);
	for (i = 0; i < n; i++) {
		if (rel_compute(conn, ids[i], npub, NULL, NULL, &changed, err) < 0)
			return -1;
		if (changed && log_article(conn, ids[i], err) < 0)
			return -1;
	}
	return 0;
}

static int
rebuild(PGconn *conn, struct bl_err *err)
{
	struct bl_arena a = BL_ARENA_INIT;
	int64_t *ids = NULL, npub;
	size_t n = 0, cap = 0, i;
	int changed, ret = -1;

	if (run_cmd(conn, sql_rel_prune, 0, NULL, "rebuild related articles",
	    err) < 0 ||
	    collect_ids(conn, &a, sql_rel_all, 0, NULL, &ids, &n, &cap,
	    (size_t)-1, err) < 0 ||
	    published_count(conn, &npub, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (rel_compute(conn, ids[i], npub, NULL, NULL, &changed, err) < 0)
			goto out;
		if (changed && log_article(conn, ids[i], err) < 0)
			goto out;
	}
	ret = 0;
out:
	bl_arena_release(&a);
	return ret;
}

int
pg_related_rebuild(PGconn *conn, struct bl_err *err)
{
	PGresult *r;
	int own;

	own = PQtransactionStatus(conn) == PQTRANS_IDLE;
	if (own && run_cmd(conn, "BEGIN", 0, NULL,
	    "rebuild related articles", err) < 0)
		return -1;
	if (rebuild(conn, err) < 0) {
		if (own) {
			r = PQexec(conn, "ROLLBACK");
			PQclear(r);
		}
		return -1;
	}
	if (own && run_cmd(conn, "COMMIT", 0, NULL,
	    "rebuild related articles", err) < 0)
		return -1;
	return 0;
}
