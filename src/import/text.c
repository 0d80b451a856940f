/* The plain-text article parser: wire copy and scraped pages to blocks. */
#include "import/text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"

/*
 * The parser works in three passes over the lines of the file:
 *  1. check the bytes (empty, NUL, UTF-8, control bytes) and split lines;
 *  2. classify each trimmed line: blank, story text, hashtags, a chrome
 *     heading that starts the tail ("Related Articles", "Leave a Reply"),
 *     strong chrome (unmistakable form and sharing leftovers, CAPTCHAs) or
 *     weak chrome (single words such as "Facebook" or "Email" that are only
 *     chrome when nothing but chrome stands around them);
 *  3. group the kept lines into paragraphs and find photos in them.
 * Only whole lines are ever recognised as chrome, so a sentence that
 * mentions "related articles" is always story text.
 */

enum line_kind {
	L_BLANK,
	L_TEXT,
	L_TAGS,     /* only hashtags */
	L_TAIL,     /* heading that starts the chrome tail */
	L_STRONG,   /* chrome wherever it stands */
	L_WEAK,     /* chrome only among chrome */
};

struct line {
	const char *s;
	size_t n;
	size_t off;          /* offset in the input, for nothing but debugging */
	enum line_kind kind;
	int drop;
};

/* Lines longer than this are never chrome. */
#define CHROME_MAX 200

/* ------------------------------------------------------ byte checks */

static int
check_bytes(const char *data, size_t len, size_t skip, struct bl_err *err)
{
	const unsigned char *s = (const unsigned char *)data;
	const char *nul;
	size_t bad, i;

	if (len == 0)
		return bl_errf(err, "file is empty");
	if ((nul = memchr(data, '\0', len)) != NULL)
		return bl_errf(err, "file looks binary (NUL byte at offset %zu)",
		    (size_t)(nul - data));
	if ((bad = bl_utf8_invalid_at(data, len)) < len)
		return bl_errf(err, "file is not UTF-8 text (invalid byte at "
		    "offset %zu)", bad);
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return bl_errf(err, "file looks binary (control byte "
			    "0x%02x at offset %zu)", s[i], i);
	for (i = skip; i < len; i++)
		if (!isspace(s[i]))
			return 0;
	return bl_errf(err, "file is empty");
}

/* ------------------------------------------------------ trimming */

/* Length of a blank character at s (ASCII space, NBSP, ZWSP, BOM), or 0. */
static size_t
blank_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n >= 1 && (u[0] == ' ' || u[0] == '\t' || u[0] == '\r' ||
	    u[0] == '\n' || u[0] == '\f' || u[0] == '\v'))
		return 1;
	if (n >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
		return 2;
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0x8b)
		return 3;
	if (n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		return 3;
	return 0;
}

/* Length of a blank character ending at s[n-1], or 0. */
static size_t
blank_before(const char *s, size_t n)
{
	if (n >= 1 && blank_at(s + n - 1, 1))
		return 1;
	if (n >= 2 && blank_at(s + n - 2, 2) == 2)
		return 2;
	if (n >= 3 && blank_at(s + n - 3, 3) == 3)
		return 3;
	return 0;
}

static void
trim(const char **s, size_t *n)
{
	size_t k;

	while (*n > 0 && (k = blank_at(*s, *n)) > 0) {
		*s += k;
		*n -= k;
	}
	while (*n > 0 && (k = blank_before(*s, *n)) > 0)
		*n -= k;
}

/* ------------------------------------------------------ classifying */

/*
 * Normalises a short line for matching: ASCII lowercase, whitespace runs
 * (and NBSP) to one space, "…" to "...", "’" to "'", no space before '*',
 * no trailing ':' or space. Returns 0, or -1 when the line is too long.
 */
static int
normalise(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0, i = 0;
	int space = 0;

	if (n > CHROME_MAX)
		return -1;
	while (i < n) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t k;

		if (o + 4 >= outsz)
			return -1;
		if ((k = blank_at(s + i, n - i)) > 0) {
			space = 1;
			i += k;
			continue;
		}
		if (space && o > 0 && u[0] != '*')
			out[o++] = ' ';
		space = 0;
		if (n - i >= 3 && u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0xa6) {
			memcpy(out + o, "...", 3);
			o += 3;
			i += 3;
		} else if (n - i >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
		    u[2] == 0x99) {
			out[o++] = '\'';
			i += 3;
		} else
			out[o++] = (char)tolower(s[i++]);
	}
	while (o > 0 && (out[o - 1] == ':' || out[o - 1] == ' '))
		o--;
	out[o] = '\0';
	return 0;
}

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const char *const tail_heads[] = {
	"related articles", "related posts", "related stories",
	"related news", "related content", "related coverage", "related",
	"more stories", "more articles", "you may also like",
	"you might also like", "recommended for you", "leave a reply",
	"leave a comment", "leave a reply cancel reply", "comments",
	"post navigation", NULL
};

static const char *const strong_lines[] = {
	"share this", "share this article", "share this story",
	"share this post", "share on facebook", "share on twitter",
	"share on x", "share on whatsapp", "share on linkedin",
	"share via email", "like this", "like loading...", "loading...",
	"cancel reply", "post comment", "submit comment", "post a comment",
	"comment*", "name*", "email*", "website*", "email address*",
	"required fields are marked*",
	"save my name, email, and website in this browser for the next "
	    "time i comment.",
	"save my name, email, and website in this browser for the next "
	    "time i comment",
	"notify me of follow-up comments by email.",
	"notify me of new posts by email.",
	"you must be logged in to post a comment.", "skip to content",
	"print this article", "print this page", "email this article",
	"copy link", "link copied", NULL
};

static const char *const weak_lines[] = {
	"facebook", "twitter", "x", "whatsapp", "email", "e-mail", "mail",
	"print", "linkedin", "reddit", "telegram", "pinterest", "tumblr",
	"pocket", "threads", "bluesky", "mastodon", "messenger", "flipboard",
	"share", "tweet", "like", "comment", "name", "website", "sms",
	"more", "follow us", NULL
};

static const char *
skip_digits(const char *s, size_t max)
{
	size_t k = 0;

	while (isdigit((unsigned char)s[k]) && k < max)
		k++;
	return k > 0 && !isdigit((unsigned char)s[k]) ? s + k : NULL;
}

/* An arithmetic CAPTCHA: "13 + 4 =", "13 × 4 = ?", "Solve: 7 - 2". */
static int
is_captcha(const char *s)
{
	static const char *const prefixes[] = {
		"solve", "what is", "what's", "calculate", "captcha", NULL
	};
	static const char *const ops[] = {
		"+", "-", "*", "x", "/", "\xc3\x97", "\xc3\xb7",
		"\xe2\x88\x92", "\xe2\x80\x93", NULL
	};
	int marked = 0;
	size_t k;

	for (k = 0; prefixes[k] != NULL; k++)
		if (starts(s, prefixes[k])) {
			s += strlen(prefixes[k]);
			marked = 1;
			break;
		}
	while (*s == ' ' || *s == ':')
		s++;
	if ((s = skip_digits(s, 6)) == NULL)
		return 0;
	while (*s == ' ')
		s++;
	for (k = 0; ops[k] != NULL; k++)
		if (starts(s, ops[k]))
			break;
	if (ops[k] == NULL)
		return 0;
	s += strlen(ops[k]);
	while (*s == ' ')
		s++;
	if ((s = skip_digits(s, 6)) == NULL)
		return 0;
	while (*s == ' ')
		s++;
	if (*s == '=') {
		marked = 1;
		s++;
		while (*s == ' ')
			s++;
	}
	if (*s == '?') {
		marked = 1;
		s++;
	}
	if (*s == '*')
		s++;
	return marked && *s == '\0';
}

/* "3 Comments", "12 responses", "One thought on “Headline”". */
static int
is_comment_count(const char *s)
{
	const char *p = skip_digits(s, 6);

	if (p == NULL && starts(s, "one "))
		p = s + 3;
	if (p == NULL || *p != ' ')
		return 0;
	p++;
	if (strcmp(p, "comment") == 0 || strcmp(p, "comments") == 0 ||
	    strcmp(p, "response") == 0 || strcmp(p, "responses") == 0 ||
	    strcmp(p, "reply") == 0 || strcmp(p, "replies") == 0)
		return 1;
	return starts(p, "thought on ") || starts(p, "thoughts on ");
}

static int
tag_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* A line made only of hashtags: "#Word #word, #Other_tag". */
static int
is_tag_line(const char *s, size_t n)
{
	size_t i = 0, ntags = 0;

	while (i < n) {
		size_t start;
		int letter = 0;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
			i++;
		if (i == n)
			break;
		if (s[i] != '#')
			return 0;
		start = ++i;
		while (i < n && (tag_char((unsigned char)s[i]) ||
		    ((s[i] == '-' || s[i] == '.') && i > start && i + 1 < n &&
		    tag_char((unsigned char)s[i + 1])))) {
			if (!isdigit((unsigned char)s[i]))
				letter = 1;
			i++;
		}
		if (i == start || !letter)
			return 0;
		if (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != ',')
			return 0;
		ntags++;
	}
	return ntags > 0;
}

static enum line_kind
classify(const char *s, size_t n)
{
	char norm[CHROME_MAX * 2 + 8];

	if (n == 0)
		return L_BLANK;
	if (s[0] == '#' && is_tag_line(s, n))
		return L_TAGS;
	if (normalise(s, n, norm, sizeof(norm)) == -1 || norm[0] == '\0')
		return L_TEXT;
	if (in_list(norm, tail_heads) || is_comment_count(norm))
		return L_TAIL;
	if (in_list(norm, strong_lines) || is_captcha(norm) ||
	    starts(norm, "your email address will not be published") ||
	    starts(norm, "click to share") || starts(norm, "click to email") ||
	    starts(norm, "click to print") ||
	    (ends(norm, "(opens in new window)") && strlen(norm) <= 80))
		return L_STRONG;
	if (in_list(norm, weak_lines))
		return L_WEAK;
	return L_TEXT;
}

/* ------------------------------------------------------ building */

struct builder {
	struct bl_arena *a;
	struct imp_article art;
};

static void
add_tags(struct builder *b, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start, k;

		while (i < n && s[i] != '#')
			i++;
		if (i == n)
			break;
		start = ++i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != ',')
			i++;
		for (k = 0; k < b->art.ntags; k++)
			if (strlen(b->art.tags[k]) == i - start &&
			    strncasecmp(b->art.tags[k], s + start, i - start) == 0)
				break;
		if (k == b->art.ntags)
			b->art.tags[b->art.ntags++] =
			    bl_arena_strndup(b->a, s + start, i - start);
	}
}

static char *
join(struct builder *b, const struct line *l, size_t n)
{
	struct bl_buf buf = BL_BUF_INIT;
	char *s;

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			bl_buf_putc(&buf, ' ');
		bl_buf_add(&buf, l[i].s, l[i].n);
	}
	s = bl_arena_strndup(b->a, buf.s, buf.len);
	bl_buf_release(&buf);
	return s;
}

/* Appends `s` lowercased (ASCII), blank runs as one space, without a
 * final full stop. */
static void
loose(struct bl_buf *out, const char *s)
{
	int space = 0;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (space && out->len > 0)
			bl_buf_putc(out, ' ');
		space = 0;
		bl_buf_putc(out, (char)tolower((unsigned char)*s));
	}
	while (out->len > 0 && out->s[out->len - 1] == '.')
		bl_buf_truncate(out, out->len - 1);
}

/* Compares two texts loosely: ASCII case, runs of blanks and a final full
 * stop do not matter. */
static int
same_text(const char *x, const char *y)
{
	struct bl_buf bx = BL_BUF_INIT, by = BL_BUF_INIT;
	int same;

	loose(&bx, x);
	loose(&by, y);
	same = bl_buf_err(&bx) == 0 && bl_buf_err(&by) == 0 && bx.len > 0 &&
	    bx.len == by.len && memcmp(bx.s, by.s, bx.len) == 0;
	bl_buf_release(&bx);
	bl_buf_release(&by);
	return same;
}

static void
add_para(struct builder *b, const struct line *l, size_t n)
{
	struct imp_block *blk = &b->art.blocks[b->art.nblocks++];

	blk->kind = IMP_PARA;
	blk->text = join(b, l, n);
	b->art.nparas++;
}

/* A credit line: "(Jane Doe / Agency via AP)", balanced, short, and not a
 * wire-copy sign-off such as "(Reporting by ...)". */
static int
is_credit(const struct line *l)
{
	static const char *const signoffs[] = {
		"reporting by", "additional reporting", "editing by",
		"writing by", "compiled by", "corrects", "updates", NULL
	};
	const char *s = l->s;
	size_t n = l->n, depth = 0;

	if (n < 3 || s[0] != '(' || s[n - 1] != ')' || n > CHROME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0 && i != n - 1)
			return 0;
	}
	for (size_t k = 0; signoffs[k] != NULL; k++)
		if (strncasecmp(s + 1, signoffs[k], strlen(signoffs[k])) == 0)
			return 0;
	return 1;
}

static void
add_photo(struct builder *b, const struct line *l, size_t ncap,
    const struct line *credit)
{
	struct imp_photo *ph = &b->art.photos[b->art.nphotos];
	struct imp_block *blk;
	const char *cs = credit->s + 1;
	size_t cn = credit->n - 2;
	size_t split;

	ph->alt = "";
	ph->caption = NULL;
	/* Alt and caption in one paragraph: the first half repeats. Captions
	 * are a few lines; longer runs are not searched. */
	for (split = 1; split < ncap && ncap <= 20; split++) {
		char *x = join(b, l, split), *y = join(b, l + split,
		    ncap - split);

		if (same_text(x, y)) {
			ph->alt = x;
			ph->caption = y;
			break;
		}
	}
	if (ph->caption == NULL)
		ph->caption = join(b, l, ncap);
	/* The repeat as a paragraph of its own just before. */
	if (ph->alt[0] == '\0' && b->art.nblocks > 0) {
		blk = &b->art.blocks[b->art.nblocks - 1];
		if (blk->kind == IMP_PARA && same_text(blk->text, ph->caption)) {
			ph->alt = blk->text;
			b->art.nblocks--;
			b->art.nparas--;
		}
	}
	trim(&cs, &cn);
	ph->credit = bl_arena_strndup(b->a, cs, cn);
	blk = &b->art.blocks[b->art.nblocks++];
	blk->kind = IMP_PHOTO;
	blk->photo = b->art.nphotos++;
}

/* A run of kept lines with no blank or dropped line inside. */
static void
add_run(struct builder *b, const struct line *l, size_t n)
{
	while (n > 0) {
		size_t i;

		for (i = 1; i < n; i++)
			if (is_credit(&l[i]))
				break;
		if (i == n) {
			add_para(b, l, n);
			return;
		}
		add_photo(b, l, i, &l[i]);
		l += i + 1;
		n -= i + 1;
	}
}

/*
 * Marks chrome lines to drop inside one paragraph (lines [0, n)): a run of
 * chrome lines is dropped when it holds strong chrome or is the whole
 * paragraph. Returns the number of lines marked.
 */
static size_t
mark_chrome(struct line *l, size_t n)
{
	size_t dropped = 0, i = 0;

	while (i < n) {
		size_t j = i;
		int strong = 0;

		if (l[i].kind != L_STRONG && l[i].kind != L_WEAK) {
			i++;
			continue;
		}
		while (j < n && (l[j].kind == L_STRONG || l[j].kind == L_WEAK)) {
			if (l[j].kind == L_STRONG)
				strong = 1;
			j++;
		}
		if (strong || (i == 0 && j == n))
			for (size_t k = i; k < j; k++) {
				l[k].drop = 1;
				dropped++;
			}
		i = j;
	}
	return dropped;
}

static size_t
split_lines(const char *s, size_t len, struct bl_arena *a, struct line **out)
{
	size_t n = 1, i, k = 0, start = 0;
	struct line *l;

	for (i = 0; i < len; i++)
		if (s[i] == '\n' || (s[i] == '\r' &&
		    (i + 1 == len || s[i + 1] != '\n')))
			n++;
	l = bl_arena_alloc(a, n * sizeof(*l));
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n' && s[i] != '\r')
			continue;
		l[k].s = s + start;
		l[k].n = i - start;
		l[k].off = start;
		trim(&l[k].s, &l[k].n);
		l[k].kind = classify(l[k].s, l[k].n);
		k++;
		if (i < len && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	*out = l;
	return k;
}

int
imp_text_parse(const char *data, size_t len, struct bl_arena *a,
    struct imp_article *out, struct bl_err *err)
{
	struct builder b;
	struct line *l;
	size_t skip = 0, n, i, head, tail, start, ntags;

	memset(out, 0, sizeof(*out));
	if (data == NULL)
		len = 0;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	if (check_bytes(data, len, skip, err) == -1)
		return -1;

	memset(&b, 0, sizeof(b));
	b.a = a;
	n = split_lines(data + skip, len - skip, a, &l);
	b.art.blocks = bl_arena_alloc(a, (n + 1) * sizeof(*b.art.blocks));
	b.art.photos = bl_arena_alloc(a, (n + 1) * sizeof(*b.art.photos));
	for (i = 0, ntags = 1; i < len; i++)
		if (data[i] == '#')
			ntags++;
	b.art.tags = bl_arena_alloc(a, ntags * sizeof(*b.art.tags));

	/* The headline: the first line that is neither tags nor chrome. */
	for (head = 0; head < n; head++) {
		if (l[head].kind == L_TEXT || l[head].kind == L_WEAK)
			break;
		if (l[head].kind == L_TAGS)
			add_tags(&b, l[head].s, l[head].n);
		else if (l[head].kind != L_BLANK)
			b.art.ndropped++;
	}
	if (head == n)
		return bl_errf(err, "no headline found (the file holds only "
		    "hashtags and site leftovers)");
	b.art.headline = bl_arena_strndup(a, l[head].s, l[head].n);

	/* The tail: everything after a chrome heading but hashtags. */
	for (tail = head + 1; tail < n; tail++)
		if (l[tail].kind == L_TAIL)
			break;
	for (i = tail; i < n; i++) {
		if (l[i].kind == L_TAGS)
			add_tags(&b, l[i].s, l[i].n);
		else if (l[i].kind != L_BLANK)
			b.art.ndropped++;
	}

	/* The story: paragraphs between, split at tags and dropped chrome. */
	for (i = head + 1; i < tail; ) {
		size_t end, j;

		if (l[i].kind == L_BLANK) {
			i++;
			continue;
		}
		for (end = i; end < tail && l[end].kind != L_BLANK &&
		    l[end].kind != L_TAGS; end++)
			;
		if (end == i) {
			add_tags(&b, l[i].s, l[i].n);
			i++;
			continue;
		}
		b.art.ndropped += mark_chrome(l + i, end - i);
		for (start = j = i; j <= end; j++) {
			if (j < end && !l[j].drop)
				continue;
			if (j > start)
				add_run(&b, l + start, j - start);
			start = j + 1;
		}
		i = end;
	}
	if (b.art.nparas == 0)
		return bl_errf(err, "no story text after the headline");
	*out = b.art;
	return 0;
}
