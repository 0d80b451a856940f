/* Backend-neutral reading of search text: a reader's query as terms, an
 * article's distinctive words. Each backend writes them in its own query
 * language (fts_sqlite.c: FTS5 strings; fts_pg.c: tsquery parameters). */
#ifndef BL_STORE_SEARCH_TERMS_H
#define BL_STORE_SEARCH_TERMS_H

#include <stddef.h>

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

#endif
