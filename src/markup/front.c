/* The front-matter block of Markdown posts: a small, strict YAML subset. */
#include "markup/markup.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

/*
 * What is read (see docs/formats.md): "key: value" lines at the left
 * margin; values plain, "double-quoted" (with \" \\ \n \t \uXXXX escapes)
 * or 'single-quoted' ('' for a quote); a plain value may go on over more
 * indented lines, and "|" or ">" start a block value; "tags" is a [flow]
 * list, a comma list or "- item" lines; "photos" is "- key: value" items.
 * A '#' starts a comment only at the start of a line, so "We're #1" is a
 * title. Anything else is an error naming the line: a typo must not lose
 * data silently.
 */

enum fm_list {
	FM_NONE,
	FM_TAGS,
	FM_PHOTOS,
};

struct fm_state {
	struct bl_arena *a;
	struct fm_post *out;
	struct bl_err *err;
	int lineno;
	enum fm_list list;
	struct fm_photo *photo;   /* the photo item being read */
	unsigned photo_seen;      /* keys the current photo has */
	size_t maxtags, maxphotos;
	/* A value that may go on over the next lines. */
	char **cont;
	int cont_indent;
	int cont_block;           /* 0 plain, '|' or '>' */
	int block_indent;         /* indentation of a block's first line */
	int block_blanks;         /* blank lines waiting inside a block */
	struct bl_buf acc;
};

static const char *const post_keys[] = {
	"title", "standfirst", "author", "section", "dateline", "slug", "date",
	"tags", "photos", NULL
};

static const char *const photo_keys[] = {
	"file", "caption", "credit", "alt", NULL
};

static int
key_index(const char *const *keys, const char *k, size_t n)
{
	for (int i = 0; keys[i] != NULL; i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0)
			return i;
	return -1;
}

static char **
post_field(struct fm_post *p, int i)
{
	char **f[] = {
		&p->title, &p->standfirst, &p->author, &p->section,
		&p->dateline, &p->slug, &p->date
	};

	return i >= 0 && i < 7 ? f[i] : NULL;
}

static char **
photo_field(struct fm_photo *p, int i)
{
	char **f[] = { &p->file, &p->caption, &p->credit, &p->alt };

	return f[i];
}

static void
put_utf8(struct bl_buf *b, unsigned cp)
{
	if (cp < 0x80)
		bl_buf_putc(b, (char)cp);
	else if (cp < 0x800) {
		bl_buf_putc(b, (char)(0xc0 | (cp >> 6)));
		bl_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		bl_buf_putc(b, (char)(0xe0 | (cp >> 12)));
		bl_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		bl_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * Reads one quoted scalar starting at s[0] (a quote) into `b`; stores in
 * *end where it stopped (after the closing quote). Returns 0 or -1.
 */
static int
quoted(struct fm_state *st, const char *s, size_t n, struct bl_buf *b,
    size_t *end)
{
	char q = s[0];
	size_t i = 1;

	while (i < n) {
		char c = s[i];

		if (c == q && q == '\'' && i + 1 < n && s[i + 1] == '\'') {
			bl_buf_putc(b, '\'');
			i += 2;
			continue;
		}
		if (c == q) {
			*end = i + 1;
			return 0;
		}
		if (c == '\\' && q == '"' && i + 1 < n) {
			unsigned cp = 0;

			i++;
			switch (s[i]) {
			case '"': bl_buf_putc(b, '"'); break;
			case '\\': bl_buf_putc(b, '\\'); break;
			case '/': bl_buf_putc(b, '/'); break;
			case 'n': bl_buf_putc(b, '\n'); break;
			case 't': bl_buf_putc(b, '\t'); break;
			case 'u':
				if (i + 4 >= n)
					goto bad;
				for (int k = 1; k <= 4; k++) {
					char h = s[i + k];

					if (!isxdigit((unsigned char)h))
						goto bad;
					cp = cp * 16 + (unsigned)(isdigit((unsigned char)h) ?
					    h - '0' : (tolower((unsigned char)h) - 'a' + 10));
				}
				if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
					goto bad;
				put_utf8(b, cp);
				i += 4;
				break;
			default:
				goto bad;
			}
			i++;
			continue;
		}
		bl_buf_putc(b, c);
		i++;
	}
	return bl_errf(st->err, "front matter line %d: quoted value is not "
	    "closed", st->lineno);
bad:
	return bl_errf(st->err, "front matter line %d: unknown escape in "
	    "quoted value", st->lineno);
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Reads a whole value (plain or quoted) into an arena string. */
static int
scalar(struct fm_state *st, const char *s, size_t n, char **out)
{
	struct bl_buf b = BL_BUF_INIT;
	size_t end;

	trim(&s, &n);
	if (n > 0 && (s[0] == '"' || s[0] == '\'')) {
		if (quoted(st, s, n, &b, &end) == -1) {
			bl_buf_release(&b);
			return -1;
		}
		if (end != n) {
			bl_buf_release(&b);
			return bl_errf(st->err, "front matter line %d: text "
			    "after the closing quote", st->lineno);
		}
		*out = bl_arena_strndup(st->a, b.s, b.len);
		bl_buf_release(&b);
		return 0;
	}
	*out = bl_arena_strndup(st->a, s, n);
	return 0;
}

static void
add_tag(struct fm_state *st, const char *s, size_t n)
{
	struct fm_post *p = st->out;

	trim(&s, &n);
	while (n > 0 && s[0] == '#') {
		s++;
		n--;
	}
	if (n == 0)
		return;
	for (size_t i = 0; i < p->ntags; i++)
		if (strlen(p->tags[i]) == n && strncasecmp(p->tags[i], s, n) == 0)
			return;
	if (p->ntags == st->maxtags) {
		char **t;

		st->maxtags = st->maxtags * 2 + 8;
		t = bl_arena_alloc(st->a, st->maxtags * sizeof(*t));
		if (p->ntags)
			memcpy(t, p->tags, p->ntags * sizeof(*t));
		p->tags = t;
	}
	p->tags[p->ntags++] = bl_arena_strndup(st->a, s, n);
}

/* "a, b", "[a, 'b, c']" or one "- item". */
static int
tag_list(struct fm_state *st, const char *s, size_t n)
{
	size_t i = 0;
	int flow;

	trim(&s, &n);
	flow = n > 0 && s[0] == '[';
	if (flow) {
		if (s[n - 1] != ']')
			return bl_errf(st->err, "front matter line %d: tag "
			    "list has no closing ']'", st->lineno);
		s++;
		n -= 2;
	}
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			struct bl_buf b = BL_BUF_INIT;
			size_t end;

			if (quoted(st, s + i, n - i, &b, &end) == -1) {
				bl_buf_release(&b);
				return -1;
			}
			add_tag(st, b.s, b.len);
			bl_buf_release(&b);
			i += end;
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < n && s[i] != ',')
				return bl_errf(st->err, "front matter line %d: "
				    "text after the closing quote", st->lineno);
		} else {
			size_t start = i;

			while (i < n && s[i] != ',')
				i++;
			add_tag(st, s + start, i - start);
		}
		i++;    /* the comma */
	}
	return 0;
}

static void
cont_start(struct fm_state *st, char **target, int indent, int block)
{
	st->cont = target;
	st->cont_indent = indent;
	st->cont_block = block;
	st->block_indent = -1;
	st->block_blanks = 0;
	bl_buf_reset(&st->acc);
	bl_buf_puts(&st->acc, *target ? *target : "");
}

static void
cont_end(struct fm_state *st)
{
	if (st->cont == NULL)
		return;
	while (st->acc.len > 0 && st->acc.s[st->acc.len - 1] == '\n')
		bl_buf_truncate(&st->acc, st->acc.len - 1);
	*st->cont = bl_arena_strndup(st->a, st->acc.s, st->acc.len);
	st->cont = NULL;
}

/* A line that goes on a value begun above. Returns 1 if taken. */
static int
cont_line(struct fm_state *st, const char *line, size_t n, int indent)
{
	const char *s = line + indent;
	size_t len = n - (size_t)indent;

	if (st->cont == NULL)
		return 0;
	if (st->cont_block) {
		if (len == 0) {
			st->block_blanks++;
			return 1;
		}
		if (indent <= st->cont_indent)
			return 0;
		if (st->block_indent < 0)
			st->block_indent = indent;
		else if (st->cont_block == '|' || st->block_blanks > 0) {
			int k = st->block_blanks + (st->cont_block == '|');

			while (k-- > 0)
				bl_buf_putc(&st->acc, '\n');
		} else
			bl_buf_putc(&st->acc, ' ');
		st->block_blanks = 0;
		if (indent > st->block_indent)
			s = line + st->block_indent;
		len = n - (size_t)(s - line);
		bl_buf_add(&st->acc, s, len);
		return 1;
	}
	if (len == 0 || indent <= st->cont_indent || (len >= 2 &&
	    s[0] == '-' && s[1] == ' '))
		return 0;
	if (st->acc.len > 0)
		bl_buf_putc(&st->acc, ' ');
	bl_buf_add(&st->acc, s, len);
	return 1;
}

/* Splits "key: value"; returns -1 when the line is not of that form. */
static int
split_key(const char *s, size_t n, size_t *klen, const char **v, size_t *vlen)
{
	size_t i = 0;

	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
	    s[i] == '-'))
		i++;
	if (i == 0 || i == n || s[i] != ':' || (i + 1 < n && s[i + 1] != ' ' &&
	    s[i + 1] != '\t'))
		return -1;
	*klen = i;
	*v = s + i + 1;
	*vlen = n - i - 1;
	trim(v, vlen);
	return 0;
}

static int
block_indicator(const char *v, size_t n)
{
	if ((n == 1 || (n == 2 && (v[1] == '-' || v[1] == '+'))) &&
	    (v[0] == '|' || v[0] == '>'))
		return v[0];
	return 0;
}

static int
photo_key(struct fm_state *st, const char *s, size_t n, int indent)
{
	const char *v;
	size_t klen, vlen;
	char **f;
	int k, block;

	if (split_key(s, n, &klen, &v, &vlen) == -1)
		return bl_errf(st->err, "front matter line %d: expected "
		    "'key: value' in a photo", st->lineno);
	if ((k = key_index(photo_keys, s, klen)) < 0)
		return bl_errf(st->err, "unknown photo key '%.*s' (front "
		    "matter line %d)", (int)klen, s, st->lineno);
	if (st->photo_seen & (1u << k))
		return bl_errf(st->err, "duplicate photo key '%.*s' (front "
		    "matter line %d)", (int)klen, s, st->lineno);
	st->photo_seen |= 1u << k;
	f = photo_field(st->photo, k);
	if ((block = block_indicator(v, vlen)) != 0) {
		*f = "";
		cont_start(st, f, indent, block);
		return 0;
	}
	if (scalar(st, v, vlen, f) == -1)
		return -1;
	if (vlen == 0 || (v[0] != '"' && v[0] != '\''))
		cont_start(st, f, indent, 0);
	return 0;
}

static int
new_photo(struct fm_state *st)
{
	struct fm_post *p = st->out;

	if (p->nphotos == st->maxphotos) {
		struct fm_photo *ph;

		st->maxphotos = st->maxphotos * 2 + 4;
		ph = bl_arena_alloc(st->a, st->maxphotos * sizeof(*ph));
		if (p->nphotos)
			memcpy(ph, p->photos, p->nphotos * sizeof(*ph));
		p->photos = ph;
	}
	st->photo = &p->photos[p->nphotos++];
	st->photo->file = st->photo->caption = "";
	st->photo->credit = st->photo->alt = "";
	st->photo_seen = 0;
	return 0;
}

static int
top_key(struct fm_state *st, const char *s, size_t n, unsigned *seen)
{
	const char *v;
	size_t klen, vlen;
	char **f;
	int k, block;

	if (split_key(s, n, &klen, &v, &vlen) == -1)
		return bl_errf(st->err, "front matter line %d: expected "
		    "'key: value'", st->lineno);
	if ((k = key_index(post_keys, s, klen)) < 0)
		return bl_errf(st->err, "unknown front matter key '%.*s' "
		    "(line %d)", (int)klen, s, st->lineno);
	if (*seen & (1u << k))
		return bl_errf(st->err, "duplicate front matter key '%.*s' "
		    "(line %d)", (int)klen, s, st->lineno);
	*seen |= (1u << k);
	st->list = FM_NONE;
	if (strcmp(post_keys[k], "tags") == 0) {
		st->list = FM_TAGS;
		return tag_list(st, v, vlen);
	}
	if (strcmp(post_keys[k], "photos") == 0) {
		if (vlen != 0 && !(vlen == 2 && v[0] == '[' && v[1] == ']'))
			return bl_errf(st->err, "front matter line %d: "
			    "'photos' must be a list of '- file: ...' items",
			    st->lineno);
		st->list = FM_PHOTOS;
		st->photo = NULL;
		return 0;
	}
	f = post_field(st->out, k);
	if ((block = block_indicator(v, vlen)) != 0) {
		*f = "";
		cont_start(st, f, 0, block);
		return 0;
	}
	if (scalar(st, v, vlen, f) == -1)
		return -1;
	if (vlen == 0 || (v[0] != '"' && v[0] != '\''))
		cont_start(st, f, 0, 0);
	return 0;
}

static int
front_line(struct fm_state *st, const char *line, size_t n, unsigned *seen)
{
	int indent = 0;
	const char *s;
	size_t len;

	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
	    line[n - 1] == '\r'))
		n--;
	while ((size_t)indent < n && (line[indent] == ' ' || line[indent] == '\t'))
		indent++;
	if (cont_line(st, line, n, indent))
		return 0;
	cont_end(st);
	s = line + indent;
	len = n - (size_t)indent;
	if (len == 0 || s[0] == '#')
		return 0;
	if (s[0] == '-' && (len == 1 || s[1] == ' ')) {
		const char *item = s + 1;
		size_t ilen = len - 1, pad = 1;

		while (ilen > 0 && *item == ' ') {
			item++;
			ilen--;
			pad++;
		}
		if (st->list == FM_TAGS)
			return tag_list(st, item, ilen);
		if (st->list == FM_PHOTOS) {
			new_photo(st);
			if (ilen == 0)
				return 0;
			return photo_key(st, item, ilen, indent + (int)pad);
		}
		return bl_errf(st->err, "front matter line %d: a list item "
		    "outside 'tags' or 'photos'", st->lineno);
	}
	if (indent == 0)
		return top_key(st, s, len, seen);
	if (st->list == FM_PHOTOS && st->photo != NULL)
		return photo_key(st, s, len, indent);
	return bl_errf(st->err, "front matter line %d: unexpected indented "
	    "line", st->lineno);
}

/* Returns 1 if line [s, s+n) is the marker "---" (trailing blanks ok). */
static int
is_marker(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n == 3 && memcmp(s, "---", 3) == 0;
}

int
markup_front_matter(const char *data, size_t len, struct bl_arena *a,
    struct fm_post *out, struct bl_err *err)
{
	struct fm_state st;
	struct fm_post post;
	const char *p, *end, *nl;
	unsigned seen = 0;
	int closed = 0, rc = 0;
	long long when;

	memset(out, 0, sizeof(*out));
	if (data == NULL)
		len = 0;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (memchr(data, '\0', len) != NULL || !bl_utf8_valid(data, len))
		return bl_errf(err, "file is not UTF-8 text");
	end = data + len;
	nl = memchr(data, '\n', len);
	if (!is_marker(data, nl ? (size_t)(nl - data) : len))
		return bl_errf(err, "missing front matter (--- block)");

	memset(&post, 0, sizeof(post));
	memset(&st, 0, sizeof(st));
	st.a = a;
	st.out = &post;
	st.err = err;
	st.lineno = 1;
	bl_buf_init(&st.acc, 1024 * 1024);

	for (p = nl ? nl + 1 : end; p < end; ) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		st.lineno++;
		if (is_marker(p, n)) {
			closed = 1;
			p = nl ? nl + 1 : end;
			break;
		}
		if ((rc = front_line(&st, p, n, &seen)) == -1)
			break;
		p = nl ? nl + 1 : end;
	}
	if (rc == 0)
		cont_end(&st);
	if (rc == 0 && bl_buf_err(&st.acc))
		rc = bl_errf(err, "front matter value is too long");
	bl_buf_release(&st.acc);
	if (rc == -1)
		return -1;
	if (!closed)
		return bl_errf(err, "front matter is not closed (no '---' line "
		    "after it)");
	if (post.title == NULL || post.title[0] == '\0')
		return bl_errf(err, "front matter has no 'title'");
	if (post.date != NULL && markup_parse_date(post.date, &when) == -1)
		return bl_errf(err, "invalid date '%.64s' in front matter (use "
		    "ISO 8601, e.g. 2026-11-24T08:30:00Z)", post.date);
	post.body = p;
	post.body_len = (size_t)(end - p);
	*out = post;
	return 0;
}
