/* Backend-neutral reading of search text (a reader's query as terms, an
 * article's distinctive words) and related-article scoring. Each backend
 * writes the terms in its own query language (fts_sqlite.c: FTS5 strings;
 * fts_pg.c: tsquery parameters) and reads the candidates itself. */
#ifndef BL_STORE_SEARCH_TERMS_H
#define BL_STORE_SEARCH_TERMS_H

#include <stddef.h>
#include <stdint.h>

#define FTS_QUERY_MAX_BYTES 1024   /* of a reader's query looked at */
#define FTS_QUERY_MAX_TERMS 16     /* words and phrases, and words a phrase */
#define FTS_WORD_MAX_BYTES 64      /* longer "words" are ignored */
#define FTS_TEXT_MAX_WORDS 20000   /* words of an article looked at */

struct bl_arena;

/* One term of a reader's query: a word, or the words of a phrase. */
struct fts_qterm {
	const char *s;   /* words joined by single spaces (arena or the
	                    repaired text); no control characters, quotes or
	                    ASCII punctuation */
	size_t len;
	int prefix;      /* a single word typed with a trailing '*' */
};

/*
 * Splits what a reader typed (any bytes: invalid UTF-8 is repaired, the
 * first FTS_QUERY_MAX_BYTES are used, a NUL ends the text) into words and
 * "quoted phrases" (ASCII or typographic quotes, guillemets; an unclosed
 * quote runs to the end), at most FTS_QUERY_MAX_TERMS of them, into
 * `terms`. A word directly followed by '*' is a prefix. Operator words (AND,
 * OR, NOT, NEAR in capitals) and every other character that is not part of
 * a word only separate words. Returns the number of terms; their text is
 * arena-owned.
 */
size_t fts_query_terms(struct bl_arena *a, const char *text, size_t len,
    struct fts_qterm terms[FTS_QUERY_MAX_TERMS]);

/*
 * Search order and totals, the same on both backends (docs/search.md).
 * Ranking every match of a word most stories hold costs time in
 * proportion to the site, so only the SEARCH_RANKED most recently added
 * matches are ranked by relevance and recency; the other matches follow
 * them, most recently added first, which a store walks in index order.
 */
#define SEARCH_RANKED 200

/*
 * Matches are counted as far as SEARCH_COUNTED, or to just past the page
 * asked for when that lies further: store_search's total is exact when it
 * is at most search_counted(offset, limit), and a larger total only says
 * "more than that many" (a backend that counts everything may return the
 * exact number). So a page knows whether another follows it.
 */
#define SEARCH_COUNTED 500

static inline int64_t
search_counted(int offset, int limit)
{
	int64_t end = (int64_t)(offset > 0 ? offset : 0) +
	    (limit > 0 ? limit : 0);

	return end > SEARCH_COUNTED ? end : SEARCH_COUNTED;
}

/* A word of an article and how much it counts (title words 3, standfirst
 * 2, body 1, summed over occurrences). */
struct fts_term {
	char *word;      /* lowercased (ASCII), arena-owned */
	double weight;
};

/*
 * The candidate terms of an article for related-article matching: words
 * of 3 or more bytes, not all digits, not English stop words, weighted as
 * above, heaviest first (ties by word). Words hold letters and digits
 * only. Sets *out (arena) and returns how many, at most `max`.
 */
size_t fts_terms(struct bl_arena *a, const char *title,
    const char *standfirst, const char *body, struct fts_term **out,
    size_t max);

/* ------------------------------------------------ related articles */

/* docs/related.md: score = 0.45 tags + 0.35 text + 0.10 fresh + 0.10
 * section; freshness fades over 30 days. */
#define RELATED_W_TAG 0.45
#define RELATED_W_TEXT 0.35
#define RELATED_W_FRESH 0.10
#define RELATED_W_SECTION 0.10
#define RELATED_FRESH_SCALE (30.0 * 86400.0)
#define RELATED_QUERY_TERMS 10  /* distinctive words searched for */
#define RELATED_TERMS 24        /* candidate words of an article */
#define RELATED_TAG_PEERS 2000  /* tag-sharing rows looked at */
#define RELATED_TEXT_HITS 100   /* text matches looked at */
/* Words in more published stories than this say little about what a story
 * is about and would make the text query rank most of a big site: they
 * do not count (a site of up to this many stories keeps every word). */
#define RELATED_DF_MAX 1000
#define RELATED_FILL 20         /* fillers looked at */
#define RELATED_NEIGHBOURS 10   /* best candidates of a new article */
#define RELATED_CASCADE_TAGS 100  /* tag-sharing articles recomputed */
#define RELATED_CASCADE_SHORT 50  /* articles with short lists recomputed */

/* One candidate C for the related list of an article T. */
struct related_cand {
	int64_t id, published, section;
	double tag;             /* sum of ln(N / df) of the tags shared */
	double text;            /* text match, higher is better, > 0 */
	double score;
	int64_t rank;           /* score rounded, for stable ties */
};

/* A growing array of candidates (arena-owned); start with { NULL, 0, 0 }. */
struct related_set {
	struct related_cand *c;
	size_t n, cap;
};

/* Appends a candidate row (one shared tag, one text hit or a filler). */
void related_push(struct bl_arena *a, struct related_set *set, int64_t id,
    int64_t published, int64_t section, double tag, double text);
/* Sorts by id and merges rows of the same candidate: tag weights add up,
 * the text score is the best seen. */
void related_merge(struct related_set *set);
/* Scores every candidate against T (published at `published`, in section
 * `section`, 0 for none) given the largest possible tag sum and the best
 * text match, and sorts best first, ties to the lower id. */
void related_rank(struct related_set *set, int64_t published,
    int64_t section, double tagmax, double textmax);
/*
 * After related_rank: the number of candidates to store (at most `max`),
 * with the best RELATED_NEIGHBOURS ids appended to ranked[*nranked...]
 * when `ranked` is not NULL, and *same = 1 when the list to store is
 * `old` (nold ids) in the same order, so nothing needs writing.
 */
/*
 * The lists recomputed after an article is added (docs/related.md), in
 * place: related_first_distinct() keeps the first `max` distinct ids of
 * ids[0..n) in their order; related_sort_unique() sorts them by id (two
 * writers then lock the lists they share in the same order) and drops
 * repeats and `self`. Each returns the new count.
 */
size_t related_first_distinct(int64_t *ids, size_t n, size_t max);
size_t related_sort_unique(int64_t *ids, size_t n, int64_t self);
size_t related_keep(const struct related_set *set, size_t max,
    const int64_t *old, size_t nold, int64_t *ranked, size_t *nranked,
    int *same);
/*
 * Keeps the words of `terms` (fts_terms order) worth searching for: those
 * some other story uses (df[i] > 1) and not every story (npub published),
 * each weighing count * ln(npub / df), the heaviest RELATED_QUERY_TERMS
 * first. Rewrites terms[0..n) and returns how many were kept.
 */
size_t related_words(struct fts_term *terms, const int64_t *df, size_t n,
    int64_t npub);

#endif
