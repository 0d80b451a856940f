/* The theme template engine: HTML-aware compiler, instruction runner, values. */
#include "render/tpl.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/utf8.h"
#include "render/html.h"

/*
 * A template compiles to a flat array of instructions. Sections hold the
 * index of their OP_END, so the runner never searches. Every value
 * instruction carries the escaping context the compiler found by following
 * the HTML around it (struct hctx below); the runner only picks the
 * html.h writer for that context.
 */

#define TPL_MAX_NEST     32              /* open sections per template */
#define TPL_MAX_FILE     (1024 * 1024)   /* bytes per template file */
#define TPL_MAX_NAME     128             /* bytes per tag name */

/* ------------------------------------------------------------- values */

enum tv_kind { TV_TEXT, TV_INT, TV_BOOL, TV_HTML, TV_LIST, TV_MAP };

struct tpl_ent {
	const char *key;            /* NULL for list items */
	struct tpl_val *val;
	struct tpl_ent *next;
};

struct tpl_val {
	enum tv_kind kind;
	int64_t i;                  /* TV_INT, TV_BOOL */
	const char *s;              /* TV_TEXT, TV_HTML */
	size_t n;
	struct tpl_ent *head, *tail; /* TV_LIST, TV_MAP, in insertion order */
	size_t len;
};

static struct tpl_val *
val_new(struct bl_arena *a, enum tv_kind kind)
{
	struct tpl_val *v = bl_arena_alloc(a, sizeof(*v));

	v->kind = kind;
	return v;
}

struct tpl_val *
tpl_map(struct bl_arena *a)
{
	return val_new(a, TV_MAP);
}

struct tpl_val *
tpl_list(struct bl_arena *a)
{
	return val_new(a, TV_LIST);
}

static void
append(struct bl_arena *a, struct tpl_val *c, const char *key,
    struct tpl_val *v)
{
	struct tpl_ent *e = bl_arena_alloc(a, sizeof(*e));

	e->key = key;
	e->val = v;
	if (c->tail)
		c->tail->next = e;
	else
		c->head = e;
	c->tail = e;
	c->len++;
}

/* Stores `v` under `key`, replacing an earlier value of the same name. */
static struct tpl_val *
put(struct bl_arena *a, struct tpl_val *map, const char *key,
    struct tpl_val *v)
{
	struct tpl_ent *e;

	assert(map != NULL && map->kind == TV_MAP && key != NULL);
	if (map == NULL || map->kind != TV_MAP || key == NULL || v == NULL)
		return NULL;
	for (e = map->head; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0) {
			e->val = v;
			return v;
		}
	append(a, map, bl_arena_strdup(a, key), v);
	return v;
}

static struct tpl_val *
text_new(struct bl_arena *a, enum tv_kind kind, const char *s, size_t n)
{
	struct tpl_val *v = val_new(a, kind);

	v->s = bl_arena_strndup(a, s, n);
	v->n = n;
	return v;
}

struct tpl_val *
tpl_set_textn(struct bl_arena *a, struct tpl_val *map, const char *key,
    const char *s, size_t n)
{
	if (s == NULL)
		return NULL;
	return put(a, map, key, text_new(a, TV_TEXT, s, n));
}

struct tpl_val *
tpl_set_text(struct bl_arena *a, struct tpl_val *map, const char *key,
    const char *s)
{
	if (s == NULL)
		return NULL;
	return tpl_set_textn(a, map, key, s, strlen(s));
}

struct tpl_val *
tpl_set_int(struct bl_arena *a, struct tpl_val *map, const char *key,
    int64_t i)
{
	struct tpl_val *v = val_new(a, TV_INT);

	v->i = i;
	return put(a, map, key, v);
}

struct tpl_val *
tpl_set_bool(struct bl_arena *a, struct tpl_val *map, const char *key,
    int b)
{
	struct tpl_val *v = val_new(a, TV_BOOL);

	v->i = b != 0;
	return put(a, map, key, v);
}

struct tpl_val *
tpl_set_html(struct bl_arena *a, struct tpl_val *map, const char *key,
    const char *html)
{
	if (html == NULL)
		return NULL;
	return put(a, map, key, text_new(a, TV_HTML, html, strlen(html)));
}

struct tpl_val *
tpl_set_val(struct bl_arena *a, struct tpl_val *map, const char *key,
    struct tpl_val *child)
{
	return put(a, map, key, child);
}

struct tpl_val *
tpl_set_list(struct bl_arena *a, struct tpl_val *map, const char *key)
{
	return put(a, map, key, tpl_list(a));
}

struct tpl_val *
tpl_set_map(struct bl_arena *a, struct tpl_val *map, const char *key)
{
	return put(a, map, key, tpl_map(a));
}

struct tpl_val *
tpl_list_add_map(struct bl_arena *a, struct tpl_val *list)
{
	struct tpl_val *v;

	assert(list != NULL && list->kind == TV_LIST);
	if (list == NULL || list->kind != TV_LIST)
		return NULL;
	v = tpl_map(a);
	append(a, list, NULL, v);
	return v;
}

struct tpl_val *
tpl_list_add_text(struct bl_arena *a, struct tpl_val *list, const char *s)
{
	struct tpl_val *v;

	assert(list != NULL && list->kind == TV_LIST);
	if (list == NULL || list->kind != TV_LIST || s == NULL)
		return NULL;
	v = text_new(a, TV_TEXT, s, strlen(s));
	append(a, list, NULL, v);
	return v;
}

struct tpl_val *
tpl_list_add_val(struct bl_arena *a, struct tpl_val *list, struct tpl_val *v)
{
	assert(list != NULL && list->kind == TV_LIST);
	if (list == NULL || list->kind != TV_LIST || v == NULL)
		return NULL;
	append(a, list, NULL, v);
	return v;
}

size_t
tpl_list_len(const struct tpl_val *list)
{
	return list != NULL && list->kind == TV_LIST ? list->len : 0;
}

/* ------------------------------------------------- compiled templates */

enum op { OP_TEXT, OP_VALUE, OP_SECTION, OP_INVERTED, OP_END, OP_PARTIAL };

/* Escaping contexts of OP_VALUE. */
enum cx {
	CX_TEXT,        /* element text: safe HTML raw, text escaped */
	CX_RCDATA,      /* <title>, <textarea>...: everything escaped */
	CX_ATTR,        /* quoted attribute value */
	CX_URL,         /* start of a quoted URL attribute value */
	CX_JSON_STR,    /* inside a JSON string in JSON-LD */
	CX_JSON_VAL,    /* a JSON value position in JSON-LD */
};

/* Kinds of names. */
enum nm { NM_PATH, NM_DOT, NM_INDEX, NM_FIRST, NM_LAST };

struct tpl_ins {
	unsigned char op, cx, nm;
	unsigned line;
	size_t jump;            /* OP_SECTION, OP_INVERTED: index of OP_END */
	const char *s;          /* OP_TEXT: the text; else the tag's name */
	size_t n;               /* OP_TEXT: length; OP_PARTIAL: template index */
	const char **seg;       /* NM_PATH: the dotted name, split */
	size_t nseg;
};

struct tpl {
	const char *name;
	const char *file;       /* for messages */
	struct tpl_ins *ins;
	size_t nins;
};

struct tpl_set {
	struct bl_arena arena;  /* names, literal text, instructions */
	struct tpl *tpls;
	size_t n, cap;
};

/* ------------------------------------------------------ HTML tracking */

/*
 * A small HTML tokenizer that follows the literal text of a template far
 * enough to know the context of each tag. Every field is an unsigned char
 * or a char array so two states compare with memcmp (a section must end
 * in the state it started in, else its body could shift the context of
 * what follows).
 */
enum hst {
	H_DATA, H_LT, H_LT_SLASH, H_BANG, H_COMMENT, H_BOGUS, H_TAG_NAME,
	H_TAG, H_ATTR_NAME, H_AFTER_ATTR, H_BEFORE_VALUE, H_VALUE_DQ,
	H_VALUE_SQ, H_VALUE_UNQ, H_RCDATA, H_RAWTEXT, H_JSON,
};

enum akind { A_PLAIN, A_URL, A_JS, A_HTML, A_TYPE };

struct hctx {
	unsigned char st;
	unsigned char endtag;           /* the tag is an end tag */
	char tag[16];                   /* lowercased tag name, or raw-text element */
	unsigned char taglen, tagover;
	char attr[24];                  /* lowercased attribute name */
	unsigned char attrlen, attrover;
	unsigned char akind;            /* enum akind of the value being read */
	unsigned char url_fixed;        /* URL value: the scheme is settled */
	char type[24];                  /* <script type=...> value */
	unsigned char typelen, typeover;
	unsigned char n;                /* <! dashes, comment dashes */
	unsigned char rawmatch;         /* chars of "</tag" matched */
	unsigned char json_str, json_esc;
	unsigned char cut;              /* a section tag ended an attribute */
	unsigned char bad;              /* '=' right after such a cut */
};

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void
h_tag_begin(struct hctx *h, int endtag)
{
	unsigned char st = h->st;

	memset(h, 0, sizeof(*h));
	h->st = st;
	h->endtag = (unsigned char)endtag;
}

static void
h_tag_add(struct hctx *h, unsigned char c)
{
	if ((size_t)h->taglen + 1 < sizeof(h->tag))
		h->tag[h->taglen++] = (char)tolower(c);
	else
		h->tagover = 1;
}

static int
h_tag_is(const struct hctx *h, const char *name)
{
	return !h->tagover && strcmp(h->tag, name) == 0;
}

static void
h_attr_clear(struct hctx *h)
{
	memset(h->attr, 0, sizeof(h->attr));
	h->attrlen = h->attrover = 0;
	h->akind = A_PLAIN;
	h->url_fixed = 0;
}

static void
h_attr_add(struct hctx *h, unsigned char c)
{
	if ((size_t)h->attrlen + 1 < sizeof(h->attr))
		h->attr[h->attrlen++] = (char)tolower(c);
	else
		h->attrover = 1;
}

static enum akind
h_attr_kind(const struct hctx *h)
{
	static const char *const url[] = { "href", "src", "action", "srcset",
	    "poster", "cite", "formaction", "data", "xlink:href", "ping",
	    "background", "manifest", "longdesc", "codebase", "usemap" };

	if (h->attr[0] == 'o' && h->attr[1] == 'n')
		return A_JS;
	if (h->attrover)
		return A_PLAIN;
	if (strcmp(h->attr, "srcdoc") == 0)
		return A_HTML;
	if (strcmp(h->attr, "type") == 0 && h_tag_is(h, "script"))
		return A_TYPE;
	for (size_t i = 0; i < sizeof(url) / sizeof(*url); i++)
		if (strcmp(h->attr, url[i]) == 0)
			return A_URL;
	return A_PLAIN;
}

static void
h_value_begin(struct hctx *h)
{
	h->akind = (unsigned char)h_attr_kind(h);
	h->url_fixed = 0;
	if (h->akind == A_TYPE) {
		memset(h->type, 0, sizeof(h->type));
		h->typelen = h->typeover = 0;
	}
}

static void
h_value_add(struct hctx *h, unsigned char c)
{
	if (h->akind == A_TYPE) {
		if ((size_t)h->typelen + 1 < sizeof(h->type))
			h->type[h->typelen++] = (char)tolower(c);
		else
			h->typeover = 1;
	} else if (h->akind == A_URL) {
		if (c == ':' || c == '/' || c == '?' || c == '#')
			h->url_fixed = 1;
		else if (c == ',' && strcmp(h->attr, "srcset") == 0)
			h->url_fixed = 0;   /* the next candidate URL */
	}
}

static int
h_type_is_json(const struct hctx *h)
{
	const char *s = h->type, *e = h->type + h->typelen;

	if (h->typeover)
		return 0;
	while (s < e && is_space((unsigned char)*s))
		s++;
	while (e > s && is_space((unsigned char)e[-1]))
		e--;
	return (size_t)(e - s) == strlen("application/ld+json") &&
	    strncmp(s, "application/ld+json", (size_t)(e - s)) == 0;
}

/* '>' of a tag: decides what the element's content is. */
static void
h_tag_end(struct hctx *h)
{
	static const char *const rc[] = { "title", "textarea", "xmp",
	    "iframe", "noembed", "noframes" };
	unsigned char st = H_DATA;
	struct hctx t = *h;

	if (!h->endtag) {
		if (h_tag_is(h, "script"))
			st = h_type_is_json(h) ? H_JSON : H_RAWTEXT;
		else if (h_tag_is(h, "style"))
			st = H_RAWTEXT;
		else
			for (size_t i = 0; i < sizeof(rc) / sizeof(*rc); i++)
				if (h_tag_is(h, rc[i]))
					st = H_RCDATA;
	}
	memset(h, 0, sizeof(*h));
	h->st = st;
	if (st != H_DATA) {
		/* Keep the element's name to find its end tag. */
		memcpy(h->tag, t.tag, sizeof(h->tag));
		h->taglen = t.taglen;
	}
}

/* Raw text and RCDATA end at "</name" followed by space, '/' or '>'. */
static int
h_raw_end(struct hctx *h, unsigned char c)
{
	unsigned char want;

	if (h->rawmatch == 2 + h->taglen) {
		if (is_space(c) || c == '/' || c == '>')
			return 1;
		h->rawmatch = 0;
	}
	want = h->rawmatch == 0 ? '<' : h->rawmatch == 1 ? '/' :
	    (unsigned char)h->tag[h->rawmatch - 2];
	if ((unsigned char)tolower(c) == want)
		h->rawmatch++;
	else
		h->rawmatch = c == '<';
	return 0;
}

static void
h_feed(struct hctx *h, unsigned char c)
{
again:
	switch (h->st) {
	case H_DATA:
		if (c == '<')
			h->st = H_LT;
		break;
	case H_LT:
		if (isalpha(c)) {
			h_tag_begin(h, 0);
			h_tag_add(h, c);
			h->st = H_TAG_NAME;
		} else if (c == '/')
			h->st = H_LT_SLASH;
		else if (c == '!') {
			h->st = H_BANG;
			h->n = 0;
		} else if (c == '?')
			h->st = H_BOGUS;
		else {
			h->st = H_DATA;
			goto again;
		}
		break;
	case H_LT_SLASH:
		if (isalpha(c)) {
			h_tag_begin(h, 1);
			h_tag_add(h, c);
			h->st = H_TAG_NAME;
		} else if (c == '>')
			h->st = H_DATA;
		else
			h->st = H_BOGUS;
		break;
	case H_BANG:
		if (c == '-' && h->n == 0)
			h->n = 1;
		else if (c == '-') {
			h->st = H_COMMENT;
			h->n = 2;       /* so "<!-->" closes, as in HTML5 */
		} else {
			h->st = H_BOGUS;
			h->n = 0;
			goto again;
		}
		break;
	case H_COMMENT:
		if (c == '-') {
			if (h->n < 255)
				h->n++;
		} else if (c == '>' && h->n >= 2) {
			h->st = H_DATA;
			h->n = 0;
		} else
			h->n = 0;
		break;
	case H_BOGUS:
		if (c == '>')
			h->st = H_DATA;
		break;
	case H_TAG_NAME:
		if (is_space(c) || c == '/')
			h->st = H_TAG;
		else if (c == '>')
			h_tag_end(h);
		else
			h_tag_add(h, c);
		break;
	case H_TAG:
		if (is_space(c) || c == '/')
			break;
		if (h->cut && c == '=')
			h->bad = 1;
		h->cut = 0;
		if (c == '>')
			h_tag_end(h);
		else {
			h_attr_clear(h);
			h_attr_add(h, c);
			h->st = H_ATTR_NAME;
		}
		break;
	case H_ATTR_NAME:
		if (is_space(c))
			h->st = H_AFTER_ATTR;
		else if (c == '/') {
			h_attr_clear(h);
			h->st = H_TAG;
		} else if (c == '=')
			h->st = H_BEFORE_VALUE;
		else if (c == '>')
			h_tag_end(h);
		else
			h_attr_add(h, c);
		break;
	case H_AFTER_ATTR:
		if (is_space(c))
			break;
		if (c == '=')
			h->st = H_BEFORE_VALUE;
		else if (c == '/') {
			h_attr_clear(h);
			h->st = H_TAG;
		} else if (c == '>')
			h_tag_end(h);
		else {
			h_attr_clear(h);
			h_attr_add(h, c);
			h->st = H_ATTR_NAME;
		}
		break;
	case H_BEFORE_VALUE:
		if (is_space(c))
			break;
		h_value_begin(h);
		if (c == '"')
			h->st = H_VALUE_DQ;
		else if (c == '\'')
			h->st = H_VALUE_SQ;
		else if (c == '>')
			h_tag_end(h);
		else {
			h->st = H_VALUE_UNQ;
			goto again;
		}
		break;
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		if (c == (h->st == H_VALUE_DQ ? '"' : '\'')) {
			h_attr_clear(h);
			h->st = H_TAG;
		} else
			h_value_add(h, c);
		break;
	case H_VALUE_UNQ:
		if (is_space(c)) {
			h_attr_clear(h);
			h->st = H_TAG;
		} else if (c == '>')
			h_tag_end(h);
		else
			h_value_add(h, c);
		break;
	case H_JSON:
		if (h->json_esc)
			h->json_esc = 0;
		else if (c == '\\' && h->json_str)
			h->json_esc = 1;
		else if (c == '"')
			h->json_str = !h->json_str;
		/* FALLTHROUGH */
	case H_RCDATA:
	case H_RAWTEXT:
		if (h_raw_end(h, c)) {
			h->rawmatch = 0;
			h->json_str = h->json_esc = 0;
			h->endtag = 1;
			h->st = H_TAG;
			goto again;
		}
		break;
	}
}

/* A section tag inside a tag must sit between attributes: it ends the
 * attribute being named, and no '=' may follow. */
static void
h_cut(struct hctx *h)
{
	if (h->st == H_TAG || h->st == H_ATTR_NAME || h->st == H_AFTER_ATTR) {
		h_attr_clear(h);
		h->st = H_TAG;
		h->cut = 1;
	}
}

/* ------------------------------------------------------------ compiler */

struct open_sec {
	size_t ins;
	struct hctx h;
};

struct comp {
	struct tpl_set *set;
	const char *file;
	unsigned line;
	struct hctx h;
	struct bl_buf lit;              /* literal text not yet emitted */
	struct tpl_ins *ins;
	size_t nins, cap;
	struct open_sec open[TPL_MAX_NEST];
	size_t nopen;
	struct bl_err *err;
};

static int
cerr(struct comp *c, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cerr(struct comp *c, unsigned line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bl_errf(c->err, "%s:%u: %s", c->file, line, msg);
}

static struct tpl_ins *
emit(struct comp *c, enum op op, unsigned line)
{
	struct tpl_ins *in;

	if (c->nins == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->ins = bl_xrealloc(c->ins, c->cap * sizeof(*c->ins));
	}
	in = &c->ins[c->nins++];
	memset(in, 0, sizeof(*in));
	in->op = (unsigned char)op;
	in->line = line;
	return in;
}

static void
flush_lit(struct comp *c)
{
	struct tpl_ins *in;

	if (c->lit.len == 0)
		return;
	in = emit(c, OP_TEXT, c->line);
	in->s = bl_arena_strndup(&c->set->arena, c->lit.s, c->lit.len);
	in->n = c->lit.len;
	bl_buf_reset(&c->lit);
}

static int
name_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* Parses a value or section name into `in`; 0 if it is well formed. */
static int
parse_name(struct comp *c, struct tpl_ins *in, const char *s, size_t n)
{
	size_t i, start, k;

	in->s = bl_arena_strndup(&c->set->arena, s, n);
	if (n == 1 && s[0] == '.') {
		in->nm = NM_DOT;
		return 0;
	}
	if (s[0] == '@') {
		if (strcmp(in->s, "@index") == 0)
			in->nm = NM_INDEX;
		else if (strcmp(in->s, "@first") == 0)
			in->nm = NM_FIRST;
		else if (strcmp(in->s, "@last") == 0)
			in->nm = NM_LAST;
		else
			return -1;
		return 0;
	}
	in->nm = NM_PATH;
	in->nseg = 1;
	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			in->nseg++;
		else if (!name_char((unsigned char)s[i]))
			return -1;
	}
	in->seg = bl_arena_alloc(&c->set->arena, in->nseg * sizeof(*in->seg));
	for (i = start = k = 0; i <= n; i++)
		if (i == n || s[i] == '.') {
			if (i == start)
				return -1;      /* empty segment */
			in->seg[k++] = bl_arena_strndup(&c->set->arena,
			    s + start, i - start);
			start = i + 1;
		}
	return 0;
}

/* Where a value may not go, says why; NULL where it may. */
static const char *
value_forbidden(const struct hctx *h)
{
	switch (h->st) {
	case H_DATA:
	case H_RCDATA:
	case H_JSON:
		return NULL;
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		if (h->akind == A_JS)
			return "inside an event handler attribute";
		if (h->akind == A_HTML)
			return "inside a 'srcdoc' attribute";
		return NULL;
	case H_RAWTEXT:
		return h_tag_is(h, "style") ? "inside <style>" :
		    "inside <script> (only <script type=\"application/ld+json\"> takes values)";
	case H_COMMENT:
		return "inside an HTML comment";
	case H_BOGUS:
	case H_BANG:
		return "inside a <! or <? declaration";
	case H_VALUE_UNQ:
	case H_BEFORE_VALUE:
		return "in an unquoted attribute value";
	default:
		return "inside a tag outside a quoted attribute value";
	}
}

static int
value_context(struct hctx *h)
{
	switch (h->st) {
	case H_DATA:
		return CX_TEXT;
	case H_RCDATA:
		return CX_RCDATA;
	case H_JSON:
		return h->json_str ? CX_JSON_STR : CX_JSON_VAL;
	default:
		if (h->akind == A_TYPE)
			h->typeover = 1;        /* a dynamic type is never JSON */
		return h->akind == A_URL && !h->url_fixed ? CX_URL : CX_ATTR;
	}
}

static int
compile_tag(struct comp *c, const char *s, size_t n, unsigned line)
{
	struct tpl_ins *in = NULL;
	const char *why;
	char sigil;
	size_t i;

	while (n > 0 && is_space((unsigned char)*s))
		s++, n--;
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return cerr(c, line, "empty tag '{{}}'");
	sigil = *s;
	if (sigil == '!')
		return 0;
	if (strchr("#^/>", sigil)) {
		s++, n--;
		while (n > 0 && is_space((unsigned char)*s))
			s++, n--;
	} else
		sigil = 0;
	if (n == 0 || n > TPL_MAX_NAME)
		return cerr(c, line, "bad tag name '%.*s'", (int)(n > 40 ? 40 : n), s);

	switch (sigil) {
	case 0:
		why = value_forbidden(&c->h);
		if (why)
			return cerr(c, line, "'{{%.*s}}' %s", (int)n, s, why);
		flush_lit(c);
		in = emit(c, OP_VALUE, line);
		in->cx = (unsigned char)value_context(&c->h);
		break;
	case '>':
		for (i = 0; i < n; i++)
			if (!name_char((unsigned char)s[i]) && s[i] != '.')
				return cerr(c, line, "bad partial name '%.*s'", (int)n, s);
		if (c->h.st != H_DATA)
			return cerr(c, line, "partial '{{>%.*s}}' outside element text",
			    (int)n, s);
		flush_lit(c);
		in = emit(c, OP_PARTIAL, line);
		in->s = bl_arena_strndup(&c->set->arena, s, n);
		return 0;
	case '#':
	case '^':
		if (c->h.st == H_TAG_NAME || c->h.st == H_LT ||
		    c->h.st == H_LT_SLASH || c->h.st == H_BANG ||
		    c->h.st == H_BEFORE_VALUE || c->h.st == H_VALUE_UNQ)
			return cerr(c, line, "section '%.*s' inside a tag or attribute name",
			    (int)n, s);
		if (c->nopen == TPL_MAX_NEST)
			return cerr(c, line, "sections nested too deeply");
		h_cut(&c->h);
		flush_lit(c);
		in = emit(c, sigil == '#' ? OP_SECTION : OP_INVERTED, line);
		c->open[c->nopen].ins = c->nins - 1;
		c->open[c->nopen].h = c->h;
		c->nopen++;
		break;
	case '/': {
		struct open_sec *o;
		struct tpl_ins *beg;

		if (c->nopen == 0)
			return cerr(c, line, "'{{/%.*s}}' closes no section", (int)n, s);
		o = &c->open[c->nopen - 1];
		beg = &c->ins[o->ins];
		if (strlen(beg->s) != n || memcmp(beg->s, s, n) != 0)
			return cerr(c, line, "'{{/%.*s}}' does not close '%s' opened on line %u",
			    (int)n, s, beg->s, beg->line);
		h_cut(&c->h);
		if (memcmp(&o->h, &c->h, sizeof(c->h)) != 0)
			return cerr(c, line, "section '%s' ends in another HTML context than it starts (line %u)",
			    beg->s, beg->line);
		flush_lit(c);
		c->ins[o->ins].jump = c->nins;
		in = emit(c, OP_END, line);
		in->s = c->ins[o->ins].s;
		c->nopen--;
		return 0;
	}
	default:
		return cerr(c, line, "bad tag");
	}
	if (parse_name(c, in, s, n) < 0)
		return cerr(c, line, "bad tag name '%.*s'", (int)n, s);
	return 0;
}

static const char *
state_name(const struct hctx *h)
{
	switch (h->st) {
	case H_COMMENT: return "an HTML comment";
	case H_RAWTEXT: case H_JSON: case H_RCDATA: return "a raw text element";
	default: return "a tag";
	}
}

/* Compiles `src` (NUL-terminated, `len` bytes) into template `name`. */
static int
compile(struct tpl_set *set, const char *name, const char *file,
    const char *src, size_t len, struct bl_err *err)
{
	struct comp c;
	struct tpl *t;
	const char *p = src, *end = src + len;
	size_t i;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.set = set;
	c.file = file;
	c.line = 1;
	c.err = err;
	bl_buf_init(&c.lit, 0);

	if (!bl_utf8_valid(src, len) || memchr(src, '\0', len) != NULL) {
		cerr(&c, 1, "not valid UTF-8 text");
		goto out;
	}
	while (p < end) {
		const char *open = strstr(p, "{{"), *close;
		unsigned tline;

		if (open == NULL)
			open = end;
		/* Literal text runs up to the next tag. */
		bl_buf_add(&c.lit, p, (size_t)(open - p));
		for (; p < open; p++) {
			if (*p == '\n')
				c.line++;
			h_feed(&c.h, (unsigned char)*p);
			if (c.h.bad) {
				cerr(&c, c.line, "section tag cuts an attribute from its value");
				goto out;
			}
		}
		if (open == end)
			break;
		tline = c.line;
		close = strstr(open + 2, "}}");
		if (close == NULL) {
			cerr(&c, tline, "unclosed tag '{{'");
			goto out;
		}
		for (const char *q = open; q < close; q++)
			if (*q == '\n')
				c.line++;
		if (compile_tag(&c, open + 2, (size_t)(close - open - 2), tline) < 0)
			goto out;
		p = close + 2;
	}
	if (c.nopen > 0) {
		struct tpl_ins *beg = &c.ins[c.open[c.nopen - 1].ins];

		cerr(&c, beg->line, "unclosed section '%s'", beg->s);
		goto out;
	}
	if (c.h.st != H_DATA) {
		cerr(&c, c.line, "template ends inside %s", state_name(&c.h));
		goto out;
	}
	flush_lit(&c);

	for (i = 0; i < set->n; i++)
		if (strcmp(set->tpls[i].name, name) == 0)
			break;
	if (i == set->n) {
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 16;
			set->tpls = bl_xrealloc(set->tpls, set->cap * sizeof(*set->tpls));
		}
		set->n++;
	}
	t = &set->tpls[i];
	t->name = bl_arena_strdup(&set->arena, name);
	t->file = bl_arena_strdup(&set->arena, file);
	t->nins = c.nins;
	t->ins = bl_arena_alloc(&set->arena, (c.nins ? c.nins : 1) * sizeof(*t->ins));
	if (c.nins)
		memcpy(t->ins, c.ins, c.nins * sizeof(*t->ins));
	rc = 0;
out:
	free(c.ins);
	bl_buf_release(&c.lit);
	return rc;
}

/* ------------------------------------------------------------- loading */

static struct tpl_set *
set_new(void)
{
	struct tpl_set *set = bl_xcalloc(1, sizeof(*set));

	bl_arena_init(&set->arena);
	return set;
}

void
tpl_set_free(struct tpl_set *set)
{
	if (set == NULL)
		return;
	bl_arena_release(&set->arena);
	free(set->tpls);
	free(set);
}

static const struct tpl *
find(const struct tpl_set *set, const char *name, size_t *idx)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->tpls[i].name, name) == 0) {
			if (idx)
				*idx = i;
			return &set->tpls[i];
		}
	return NULL;
}

/* Points every partial call at its template, once all are loaded. */
static int
link_partials(struct tpl_set *set, struct bl_err *err)
{
	for (size_t i = 0; i < set->n; i++) {
		struct tpl *t = &set->tpls[i];

		for (size_t k = 0; k < t->nins; k++) {
			struct tpl_ins *in = &t->ins[k];

			if (in->op != OP_PARTIAL)
				continue;
			if (find(set, in->s, &in->n) == NULL)
				return bl_errf(err, "%s:%u: unknown partial '%s'",
				    t->file, in->line, in->s);
		}
	}
	return 0;
}

int
tpl_set_from_strings(const char *const *names, const char *const *sources,
    size_t n, struct tpl_set **out, struct bl_err *err)
{
	struct tpl_set *set = set_new();

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		if (compile(set, names[i], names[i], sources[i],
		    strlen(sources[i]), err) < 0)
			goto fail;
	if (link_partials(set, err) < 0)
		goto fail;
	*out = set;
	return 0;
fail:
	tpl_set_free(set);
	return -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
read_file(const char *path, struct bl_buf *b, struct bl_err *err)
{
	char chunk[8192];
	FILE *f;
	size_t n;
	int rc = 0;

	f = fopen(path, "rb");
	if (f == NULL)
		return bl_errf(err, "cannot open '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		bl_buf_add(b, chunk, n);
	if (ferror(f))
		rc = bl_errf(err, "cannot read '%s': %s", path, strerror(errno));
	else if (bl_buf_err(b))
		rc = bl_errf(err, "'%s' is larger than %d bytes", path, TPL_MAX_FILE);
	fclose(f);
	return rc;
}

/* Compiles DIR/templates/ *.html into `set`; a missing folder is an error
 * only if `required`. Files compile in name order. */
static int
load_dir(struct tpl_set *set, const char *dir, int required,
    struct bl_err *err)
{
	struct bl_buf path = BL_BUF_INIT, src = BL_BUF_INIT;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int rc = -1;

	bl_buf_printf(&path, "%s/templates", dir);
	d = opendir(path.s);
	if (d == NULL) {
		if (!required && errno == ENOENT)
			rc = 0;
		else
			bl_errf(err, "cannot open '%s': %s", path.s, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".html") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = bl_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = bl_xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);

	bl_buf_init(&src, TPL_MAX_FILE);
	for (i = 0; i < n; i++) {
		size_t base = path.len;
		char *name;

		bl_buf_printf(&path, "/%s", names[i]);
		bl_buf_reset(&src);
		if (read_file(path.s, &src, err) < 0)
			goto out;
		name = names[i];
		name[strlen(name) - 5] = '\0';
		if (compile(set, name, path.s, src.s, src.len, err) < 0)
			goto out;
		bl_buf_truncate(&path, base);
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	bl_buf_release(&path);
	bl_buf_release(&src);
	return rc;
}

int
tpl_set_load(const char *theme_dir, const char *override_dir,
    struct tpl_set **out, struct bl_err *err)
{
	struct tpl_set *set = set_new();

	*out = NULL;
	if (load_dir(set, theme_dir, 1, err) < 0)
		goto fail;
	if (override_dir != NULL && load_dir(set, override_dir, 0, err) < 0)
		goto fail;
	if (link_partials(set, err) < 0)
		goto fail;
	*out = set;
	return 0;
fail:
	tpl_set_free(set);
	return -1;
}

/* ----------------------------------------------------------- rendering */

/* One scope of name lookup: the root, a map or item a section entered. */
struct scope {
	const struct tpl_val *v;
	const struct scope *up;
	size_t index, count;    /* position, for list items */
	int item;               /* pushed by a list section */
};

struct run {
	const struct tpl_set *set;
	struct bl_buf *out;
	struct bl_err *err;
	const char *name;       /* the template asked for, for messages */
	int depth;              /* partial nesting */
};

static const struct tpl_val *
map_get(const struct tpl_val *m, const char *key)
{
	for (const struct tpl_ent *e = m->head; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->val;
	return NULL;
}

static const struct scope *
nearest_item(const struct scope *sc)
{
	while (sc != NULL && !sc->item)
		sc = sc->up;
	return sc;
}

/* Resolves the name of `in`; position names fill `tmp`. NULL if missing. */
static const struct tpl_val *
lookup(const struct tpl_ins *in, const struct scope *sc, struct tpl_val *tmp)
{
	const struct tpl_val *v = NULL;
	const struct scope *it;

	switch (in->nm) {
	case NM_DOT:
		return sc ? sc->v : NULL;
	case NM_INDEX:
	case NM_FIRST:
	case NM_LAST:
		it = nearest_item(sc);
		if (it == NULL)
			return NULL;
		memset(tmp, 0, sizeof(*tmp));
		tmp->kind = in->nm == NM_INDEX ? TV_INT : TV_BOOL;
		tmp->i = in->nm == NM_INDEX ? (int64_t)it->index :
		    in->nm == NM_FIRST ? it->index == 0 :
		    it->index + 1 == it->count;
		return tmp;
	}
	for (; sc != NULL; sc = sc->up)
		if (sc->v != NULL && sc->v->kind == TV_MAP &&
		    (v = map_get(sc->v, in->seg[0])) != NULL)
			break;
	for (size_t i = 1; v != NULL && i < in->nseg; i++)
		v = v->kind == TV_MAP ? map_get(v, in->seg[i]) : NULL;
	return v;
}

static int
truthy(const struct tpl_val *v)
{
	if (v == NULL)
		return 0;
	switch (v->kind) {
	case TV_TEXT:
	case TV_HTML:
		return v->n > 0;
	case TV_INT:
	case TV_BOOL:
		return v->i != 0;
	case TV_LIST:
		return v->len > 0;
	case TV_MAP:
		return 1;
	}
	return 0;
}

static void
put_value(struct bl_buf *out, int cx, const struct tpl_val *v)
{
	if (v == NULL || v->kind == TV_LIST || v->kind == TV_MAP) {
		if (cx == CX_JSON_VAL)
			bl_buf_puts(out, "null");
		return;
	}
	switch (v->kind) {
	case TV_INT:
		bl_buf_printf(out, "%" PRId64, v->i);
		return;
	case TV_BOOL:
		bl_buf_puts(out, v->i ? "true" : "false");
		return;
	default:
		break;
	}
	/* Text, or safe HTML, which is raw only in element text. */
	switch (cx) {
	case CX_TEXT:
		if (v->kind == TV_HTML)
			bl_buf_add(out, v->s, v->n);
		else
			html_text(out, v->s, v->n);
		break;
	case CX_RCDATA:
	case CX_ATTR:
		html_text(out, v->s, v->n);
		break;
	case CX_URL:
		html_url(out, v->s, v->n);
		break;
	case CX_JSON_STR:
		html_json_string(out, v->s, v->n);
		break;
	case CX_JSON_VAL:
		bl_buf_putc(out, '"');
		html_json_string(out, v->s, v->n);
		bl_buf_putc(out, '"');
		break;
	}
}

static int
run(struct run *r, const struct tpl *t, size_t from, size_t to,
    const struct scope *sc)
{
	struct tpl_val tmp;
	size_t i = from;

	while (i < to) {
		const struct tpl_ins *in = &t->ins[i];
		const struct tpl_val *v;
		struct scope inner;

		switch (in->op) {
		case OP_TEXT:
			bl_buf_add(r->out, in->s, in->n);
			break;
		case OP_VALUE:
			put_value(r->out, in->cx, lookup(in, sc, &tmp));
			break;
		case OP_SECTION:
			v = lookup(in, sc, &tmp);
			if (!truthy(v)) {
				i = in->jump;
				break;
			}
			memset(&inner, 0, sizeof(inner));
			inner.up = sc;
			if (v->kind == TV_LIST) {
				const struct tpl_ent *e;

				inner.item = 1;
				inner.count = v->len;
				for (e = v->head; e != NULL; e = e->next) {
					inner.v = e->val;
					if (run(r, t, i + 1, in->jump, &inner) < 0)
						return -1;
					inner.index++;
				}
			} else {
				/* Position names are not scopes: {{.}} stays
				 * the list item inside {{#@first}}. */
				inner.v = v;
				if (run(r, t, i + 1, in->jump,
				    v == &tmp ? sc : &inner) < 0)
					return -1;
			}
			i = in->jump;
			break;
		case OP_INVERTED:
			if (truthy(lookup(in, sc, &tmp))) {
				i = in->jump;
				break;
			}
			if (run(r, t, i + 1, in->jump, sc) < 0)
				return -1;
			i = in->jump;
			break;
		case OP_END:
			break;
		case OP_PARTIAL:
			if (r->depth >= TPL_MAX_PARTIAL_DEPTH)
				return bl_errf(r->err, "cannot render '%s': partials nested more than %d deep at %s:%u",
				    r->name, TPL_MAX_PARTIAL_DEPTH, t->file, in->line);
			r->depth++;
			if (run(r, &r->set->tpls[in->n], 0,
			    r->set->tpls[in->n].nins, sc) < 0)
				return -1;
			r->depth--;
			break;
		}
		if (bl_buf_err(r->out))
			return bl_errf(r->err, "cannot render '%s': output too large",
			    r->name);
		i++;
	}
	return 0;
}

int
tpl_render(const struct tpl_set *set, const char *name,
    const struct tpl_val *root, struct bl_buf *out, struct bl_err *err)
{
	const struct tpl *t = find(set, name, NULL);
	struct scope sc;
	struct run r;

	if (t == NULL)
		return bl_errf(err, "no template '%s'", name);
	if (bl_buf_err(out))
		return bl_errf(err, "cannot render '%s': output too large", name);
	memset(&sc, 0, sizeof(sc));
	sc.v = root;
	r.set = set;
	r.out = out;
	r.err = err;
	r.name = name;
	r.depth = 0;
	return run(&r, t, 0, t->nins, &sc);
}
