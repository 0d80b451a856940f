/* Backend-neutral reading of search text (a reader's query as terms, an
 * article's distinctive words) and related-article scoring. */
#include "store/search_terms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/utf8.h"

/*
 * Whether code point `c` can be part of a word. The index's tokenizer
 * (unicode61) keeps letters and digits; here every ASCII letter or digit
 * and every other code point counts, except the punctuation and symbols
 * readers commonly type (dashes, typographic quotes, ellipses, spaces,
 * CJK punctuation, U+FFFD). A word made only of punctuation the tokenizer
 * drops would match nothing and empty an AND query, so the list errs on
 * the side of separating.
 */
static int
word_char(unsigned c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z');
	if (c >= 0x80 && c <= 0xbf)         /* C1, NBSP, ¡ « » ¿ © … */
		return c == 0xaa || c == 0xb2 || c == 0xb3 || c == 0xb5 ||
		    c == 0xb9 || c == 0xba;
	if (c == 0xd7 || c == 0xf7)         /* × ÷ */
		return 0;
	if (c >= 0x2000 && c <= 0x2bff)     /* punctuation, symbols, arrows */
		return 0;
	if (c >= 0x3000 && c <= 0x303f)     /* CJK punctuation */
		return 0;
	if (c >= 0xfe30 && c <= 0xfe6f)     /* compatibility forms */
		return 0;
	if ((c >= 0xff00 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
	    (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65))
		return 0;                   /* fullwidth punctuation */
	if (c >= 0xfff0 && c <= 0xffff)     /* specials, U+FFFD */
		return 0;
	return 1;
}

/* Double quotes readers type: ASCII and typographic ones, guillemets. */
static int
quote_char(unsigned c)
{
	return c == '"' || c == 0x201c || c == 0x201d || c == 0x201e ||
	    c == 0xab || c == 0xbb;
}

static int
operator_word(const char *s, size_t n)
{
	return (n == 3 && (memcmp(s, "AND", 3) == 0 || memcmp(s, "NOT", 3) == 0)) ||
	    (n == 2 && memcmp(s, "OR", 2) == 0) ||
	    (n == 4 && memcmp(s, "NEAR", 4) == 0);
}

size_t
fts_query_terms(struct bl_arena *a, const char *text, size_t len,
    struct fts_qterm terms[FTS_QUERY_MAX_TERMS])
{
	struct bl_buf phrase = BL_BUF_INIT;
	size_t nterms = 0, nwords = 0, i = 0, n, cl;
	const char *s;
	int in_phrase = 0;

	if (text == NULL)
		return 0;
	if (len > FTS_QUERY_MAX_BYTES)
		len = FTS_QUERY_MAX_BYTES;
	s = bl_utf8_repair(a, text, len);
	n = strlen(s);
	while (i < n && nterms < FTS_QUERY_MAX_TERMS) {
		unsigned c = bl_utf8_decode(s + i, n - i, &cl);

		if (quote_char(c)) {
			if (in_phrase && phrase.len > 0) {
				terms[nterms].s = bl_arena_strndup(a, phrase.s,
				    phrase.len);
				terms[nterms].len = phrase.len;
				terms[nterms++].prefix = 0;
			}
			bl_buf_reset(&phrase);
			nwords = 0;
			in_phrase = !in_phrase;
			i += cl;
			continue;
		}
		if (!word_char(c)) {
			i += cl;
			continue;
		}
		/* A word: up to the next separator. */
		size_t start = i, end;
		while (i < n) {
			c = bl_utf8_decode(s + i, n - i, &cl);
			if (!word_char(c))
				break;
			i += cl;
		}
		end = i;
		if (end - start > FTS_WORD_MAX_BYTES)
			continue;
		if (in_phrase) {
			if (nwords++ >= FTS_QUERY_MAX_TERMS)
				continue;
			if (phrase.len)
				bl_buf_putc(&phrase, ' ');
			bl_buf_add(&phrase, s + start, end - start);
			continue;
		}
		if (operator_word(s + start, end - start))
			continue;
		terms[nterms].s = s + start;
		terms[nterms].len = end - start;
		terms[nterms++].prefix = i < n && s[i] == '*' &&
		    end - start >= 2;
	}
	/* An unclosed quote runs to the end of the text. */
	if (in_phrase && phrase.len > 0 && nterms < FTS_QUERY_MAX_TERMS) {
		terms[nterms].s = bl_arena_strndup(a, phrase.s, phrase.len);
		terms[nterms].len = phrase.len;
		terms[nterms++].prefix = 0;
	}
	bl_buf_release(&phrase);
	return nterms;
}

/* ------------------------------------------------------- article terms */

/* Common English words that say nothing about what a story is about. */
static const char *const stopwords[] = {
	"about", "above", "after", "again", "against", "all", "also", "and",
	"any", "are", "around", "because", "been", "before", "being",
	"below", "between", "both", "but", "can", "could", "did", "does",
	"doing", "down", "during", "each", "even", "few", "for", "from",
	"further", "had", "has", "have", "having", "her", "here", "hers",
	"herself", "him", "himself", "his", "how", "into", "its", "itself",
	"just", "last", "like", "made", "make", "many", "more", "most",
	"much", "must", "new", "not", "now", "off", "once", "one", "only",
	"other", "our", "ours", "out", "over", "own", "said", "same", "say",
	"says", "she", "should", "since", "some", "still", "such", "than",
	"that", "the", "their", "theirs", "them", "then", "there", "these",
	"they", "this", "those", "three", "through", "too", "two", "under",
	"until", "very", "was", "way", "were", "what", "when", "where",
	"which", "while", "who", "whom", "why", "will", "with", "would",
	"year", "years", "yet", "you", "your",
};

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int
stopword(const char *w)
{
	return bsearch(&w, stopwords, sizeof(stopwords) / sizeof(*stopwords),
	    sizeof(*stopwords), cmp_str) != NULL;
}

struct wtok {
	char *w;
	double weight;
};

static int
cmp_wtok_word(const void *x, const void *y)
{
	return strcmp(((const struct wtok *)x)->w, ((const struct wtok *)y)->w);
}

static int
cmp_term_weight(const void *x, const void *y)
{
	const struct fts_term *a = x, *b = y;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return strcmp(a->word, b->word);
}

/* Adds the words of `s` with `weight` each to the list. */
static void
collect(struct bl_arena *a, const char *s, double weight, struct wtok **list,
    size_t *n, size_t *cap)
{
	size_t len = s != NULL ? strlen(s) : 0, i = 0, cl;

	while (i < len && *n < FTS_TEXT_MAX_WORDS) {
		unsigned c = bl_utf8_decode(s + i, len - i, &cl);
		size_t start, wl;
		int digits = 1;
		char *w;

		if (!word_char(c)) {
			i += cl;
			continue;
		}
		start = i;
		while (i < len) {
			c = bl_utf8_decode(s + i, len - i, &cl);
			if (!word_char(c))
				break;
			if (c < '0' || c > '9')
				digits = 0;
			i += cl;
		}
		wl = i - start;
		if (wl < 3 || wl > FTS_WORD_MAX_BYTES || digits)
			continue;
		w = bl_arena_strndup(a, s + start, wl);
		for (char *p = w; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (stopword(w))
			continue;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct wtok *nl = bl_arena_alloc(a, ncap * sizeof(*nl));
			if (*n)
				memcpy(nl, *list, *n * sizeof(*nl));
			*list = nl;
			*cap = ncap;
		}
		(*list)[*n].w = w;
		(*list)[(*n)++].weight = weight;
	}
}

size_t
fts_terms(struct bl_arena *a, const char *title, const char *standfirst,
    const char *body, struct fts_term **out, size_t max)
{
	struct wtok *list = NULL;
	struct fts_term *terms;
	size_t n = 0, cap = 0, nt = 0;

	collect(a, title, 3.0, &list, &n, &cap);
	collect(a, standfirst, 2.0, &list, &n, &cap);
	collect(a, body, 1.0, &list, &n, &cap);
	*out = NULL;
	if (n == 0)
		return 0;
	qsort(list, n, sizeof(*list), cmp_wtok_word);
	terms = bl_arena_alloc(a, n * sizeof(*terms));
	for (size_t i = 0; i < n; i++) {
		if (nt > 0 && strcmp(terms[nt - 1].word, list[i].w) == 0) {
			terms[nt - 1].weight += list[i].weight;
			continue;
		}
		terms[nt].word = list[i].w;
		terms[nt++].weight = list[i].weight;
	}
	qsort(terms, nt, sizeof(*terms), cmp_term_weight);
	*out = terms;
	return nt < max ? nt : max;
}

/* ---------------------------------------------------- related articles */

void
related_push(struct bl_arena *a, struct related_set *set, int64_t id,
    int64_t published, int64_t section, double tag, double text)
{
	struct related_cand *c;

	if (set->n == set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 16;
		struct related_cand *nc = bl_arena_alloc(a, ncap * sizeof(*nc));

		if (set->n)
			memcpy(nc, set->c, set->n * sizeof(*nc));
		set->c = nc;
		set->cap = ncap;
	}
	c = &set->c[set->n++];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->published = published;
	c->section = section;
	c->tag = tag;
	c->text = text;
}

static int
cmp_cand_id(const void *x, const void *y)
{
	const struct related_cand *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

static int
cmp_cand_rank(const void *x, const void *y)
{
	const struct related_cand *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

void
related_merge(struct related_set *set)
{
	size_t i, n = 0;

	if (set->n == 0)
		return;
	qsort(set->c, set->n, sizeof(*set->c), cmp_cand_id);
	for (i = 0; i < set->n; i++) {
		if (n > 0 && set->c[n - 1].id == set->c[i].id) {
			set->c[n - 1].tag += set->c[i].tag;
			if (set->c[i].text > set->c[n - 1].text)
				set->c[n - 1].text = set->c[i].text;
			continue;
		}
		set->c[n++] = set->c[i];
	}
	set->n = n;
}

size_t
related_first_distinct(int64_t *ids, size_t n, size_t max)
{
	size_t i, k, kept = 0;

	for (i = 0; i < n && kept < max; i++) {
		for (k = 0; k < kept; k++)
			if (ids[k] == ids[i])
				break;
		if (k == kept)
			ids[kept++] = ids[i];
	}
	return kept;
}

static int
cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

size_t
related_sort_unique(int64_t *ids, size_t n, int64_t self)
{
	size_t i, kept = 0;

	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_id);
	for (i = 0; i < n; i++)
		if (ids[i] != self && (kept == 0 || ids[kept - 1] != ids[i]))
			ids[kept++] = ids[i];
	return kept;
}

size_t
related_keep(const struct related_set *set, size_t max, const int64_t *old,
    size_t nold, int64_t *ranked, size_t *nranked, int *same)
{
	size_t i, nnew = set->n < max ? set->n : max;

	if (ranked != NULL)
		for (i = 0; i < set->n && i < RELATED_NEIGHBOURS; i++)
			ranked[(*nranked)++] = set->c[i].id;
	*same = 0;
	if (nnew == nold) {
		for (i = 0; i < nnew && old[i] == set->c[i].id; i++)
			;
		*same = i == nnew;
	}
	return nnew;
}

void
related_rank(struct related_set *set, int64_t published, int64_t section,
    double tagmax, double textmax)
{
	for (size_t i = 0; i < set->n; i++) {
		struct related_cand *c = &set->c[i];
		double dt = fabs((double)(published - c->published));

		c->score = (tagmax > 0 ? RELATED_W_TAG * c->tag / tagmax : 0) +
		    (textmax > 0 ? RELATED_W_TEXT * c->text / textmax : 0) +
		    RELATED_W_FRESH / (1.0 + dt / RELATED_FRESH_SCALE) +
		    (section != 0 && c->section == section ?
		    RELATED_W_SECTION : 0);
		/* Rounded so that scores equal to 1e-9 tie, and the lower id
		 * wins whatever the floating-point noise. */
		c->rank = llround(c->score * 1e9);
	}
	if (set->n > 1)
		qsort(set->c, set->n, sizeof(*set->c), cmp_cand_rank);
}

size_t
related_words(struct fts_term *terms, const int64_t *df, size_t n,
    int64_t npub)
{
	size_t i, nkeep = 0;

	if (npub < 1)
		npub = 1;
	for (i = 0; i < n; i++) {
		int64_t d = df[i];

		if (d <= 1)
			continue;	/* no other story has it */
		if (d > npub)
			d = npub;
		terms[nkeep].word = terms[i].word;
		terms[nkeep].weight = terms[i].weight *
		    log((double)npub / (double)d);
		if (terms[nkeep].weight > 0)
			nkeep++;
	}
	if (nkeep > 1)
		qsort(terms, nkeep, sizeof(*terms), cmp_term_weight);
	return nkeep < RELATED_QUERY_TERMS ? nkeep : RELATED_QUERY_TERMS;
}
