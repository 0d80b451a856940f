/* Checking and normalising what a reader typed into the comment form. */
#include "comments/comments.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "render/html.h"

#define MSG_COMMENT_EMPTY "Please write a comment."
#define MSG_COMMENT_UTF8 "Your comment is not valid text (UTF-8)."
#define MSG_COMMENT_CTRL \
	"Your comment contains characters that are not allowed."
#define MSG_AUTHOR_EMPTY "Please enter your name."
#define MSG_AUTHOR_UTF8 "Your name is not valid text (UTF-8)."
#define MSG_AUTHOR_CTRL "Your name contains characters that are not allowed."
#define MSG_EMAIL_EMPTY "Please enter your email address."
#define MSG_EMAIL_BAD "Please enter a valid email address."
#define MSG_URL_BAD \
	"Please enter a web address starting with http:// or https://."
#define MSG_HONEYPOT "This field must be left empty."

static const struct cmt_limits defaults = { 100, 254, 2048, 20000 };

struct field {
	const char *s;
	size_t n;
};

static struct field
field_of(const char *s, size_t len)
{
	struct field f = { "", 0 };

	if (s != NULL) {
		f.s = s;
		f.n = len ? len : strlen(s);
	}
	return f;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct field
trim(struct field f)
{
	while (f.n > 0 && is_blank(f.s[0])) {
		f.s++;
		f.n--;
	}
	while (f.n > 0 && is_blank(f.s[f.n - 1]))
		f.n--;
	return f;
}

/*
 * Returns 1 if s[0..n) (valid UTF-8) holds a C0 control other than those in
 * `allowed`, DEL or a C1 control (U+0080..U+009F, encoded C2 80..C2 9F).
 */
static int
has_controls(const char *str, size_t n, const char *allowed)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 && (s[i] == 0 || strchr(allowed, s[i]) == NULL))
			return 1;
		if (s[i] == 0x7f)
			return 1;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

/* "Your X is longer than 20,000 characters.", arena-owned. */
static const char *
too_long(struct bl_arena *a, const char *what, size_t limit)
{
	char digits[32], grouped[48];
	size_t nd, j = 0;

	nd = (size_t)snprintf(digits, sizeof(digits), "%zu", limit);
	for (size_t i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	return bl_arena_printf(a, "Your %s is longer than %s characters.", what,
	    grouped);
}

/* Copies the comment with CRLF and CR turned into LF. */
static struct field
newlines(struct bl_arena *a, struct field f)
{
	char *d = bl_arena_alloc(a, f.n + 1);
	size_t j = 0;

	for (size_t i = 0; i < f.n; i++) {
		if (f.s[i] == '\r') {
			d[j++] = '\n';
			if (i + 1 < f.n && f.s[i + 1] == '\n')
				i++;
		} else
			d[j++] = f.s[i];
	}
	d[j] = '\0';
	return (struct field){ d, j };
}

static const char *
check_comment(struct field f, size_t limit, struct bl_arena *a, char **out)
{
	if (!bl_utf8_valid(f.s, f.n)) {
		*out = bl_arena_strndup(a, f.s, f.n);
		return MSG_COMMENT_UTF8;
	}
	f = trim(newlines(a, f));
	*out = bl_arena_strndup(a, f.s, f.n);
	if (f.n == 0)
		return MSG_COMMENT_EMPTY;
	if (has_controls(f.s, f.n, "\t\n"))
		return MSG_COMMENT_CTRL;
	if (bl_utf8_len(f.s, f.n) > limit)
		return too_long(a, "comment", limit);
	return NULL;
}

static const char *
check_author(struct field f, size_t limit, struct bl_arena *a, char **out)
{
	f = trim(f);
	*out = bl_arena_strndup(a, f.s, f.n);
	if (f.n == 0)
		return MSG_AUTHOR_EMPTY;
	if (!bl_utf8_valid(f.s, f.n))
		return MSG_AUTHOR_UTF8;
	if (has_controls(f.s, f.n, ""))
		return MSG_AUTHOR_CTRL;
	if (bl_utf8_len(f.s, f.n) > limit)
		return too_long(a, "name", limit);
	return NULL;
}

/* One '@', a non-empty local part, a dotted domain, no blanks. */
static int
email_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	const char *dom;
	size_t dn;

	if (at == NULL || at == s || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ')
			return 0;
	dom = at + 1;
	dn = n - (size_t)(dom - s);
	if (dn < 3 || memchr(dom, '.', dn) == NULL || dom[0] == '.' ||
	    dom[dn - 1] == '.')
		return 0;
	for (size_t i = 0; i + 1 < dn; i++)
		if (dom[i] == '.' && dom[i + 1] == '.')
			return 0;
	return 1;
}

static const char *
check_email(struct field f, size_t limit, struct bl_arena *a, char **out)
{
	f = trim(f);
	*out = bl_arena_strndup(a, f.s, f.n);
	if (f.n == 0)
		return MSG_EMAIL_EMPTY;
	if (!bl_utf8_valid(f.s, f.n) || has_controls(f.s, f.n, "") ||
	    bl_utf8_len(f.s, f.n) > limit || !email_ok(f.s, f.n))
		return MSG_EMAIL_BAD;
	return NULL;
}

/*
 * Length of the scheme at the start of `s` ("http" for "http://x"), or 0 if
 * there is none. "host:8080/path" has a port, not a scheme.
 */
static size_t
scheme_len(const char *s, size_t n)
{
	size_t i, j;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n && s[i] != ':'; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return 0;
	}
	if (i == n)
		return 0;
	for (j = i + 1; j < n && s[j] >= '0' && s[j] <= '9'; j++)
		;
	if (j > i + 1 && (j == n || s[j] == '/' || s[j] == '?' || s[j] == '#'))
		return 0;       /* a port number */
	return i;
}

static const char *
check_url(struct field f, size_t limit, struct bl_arena *a, char **out)
{
	size_t sl, host;
	char *u;

	f = trim(f);
	*out = bl_arena_strndup(a, f.s, f.n);
	if (f.n == 0)
		return NULL;
	if (!bl_utf8_valid(f.s, f.n) || has_controls(f.s, f.n, "") ||
	    bl_utf8_len(f.s, f.n) > limit)
		return MSG_URL_BAD;
	sl = scheme_len(f.s, f.n);
	if (sl == 0) {
		if (f.n >= 2 && f.s[0] == '/' && f.s[1] == '/')
			u = bl_arena_printf(a, "https:%.*s", (int)f.n, f.s);
		else
			u = bl_arena_printf(a, "https://%.*s", (int)f.n, f.s);
	} else if ((sl == 4 && strncasecmp(f.s, "http", 4) == 0) ||
	    (sl == 5 && strncasecmp(f.s, "https", 5) == 0))
		u = *out;
	else
		return MSG_URL_BAD;
	sl = (size_t)(strchr(u, ':') - u);
	if (strncmp(u + sl, "://", 3) != 0)
		return MSG_URL_BAD;
	host = strcspn(u + sl + 3, "/?#");
	if (host == 0 || !html_url_is_safe(u, strlen(u)))
		return MSG_URL_BAD;
	*out = u;
	return NULL;
}

static size_t
flen(const size_t *len, enum cmt_field f)
{
	return len != NULL ? len[f] : 0;
}

int
cmt_validate_n(const struct cmt_input *in, const size_t len[CMT_F__MAX],
    const struct cmt_limits *lim, struct bl_arena *a, struct cmt_clean *out,
    const char *msgs[CMT_F__MAX])
{
	struct cmt_limits l = lim ? *lim : defaults;
	struct field hp;
	int errors = 0;

	if (l.name == 0)
		l.name = defaults.name;
	if (l.email == 0)
		l.email = defaults.email;
	if (l.url == 0)
		l.url = defaults.url;
	if (l.comment == 0)
		l.comment = defaults.comment;
	for (int i = 0; i < CMT_F__MAX; i++)
		msgs[i] = NULL;
	msgs[CMT_F_COMMENT] = check_comment(field_of(in->comment,
	    flen(len, CMT_F_COMMENT)), l.comment, a, &out->comment);
	msgs[CMT_F_AUTHOR] = check_author(field_of(in->author,
	    flen(len, CMT_F_AUTHOR)), l.name, a, &out->author);
	msgs[CMT_F_EMAIL] = check_email(field_of(in->email,
	    flen(len, CMT_F_EMAIL)), l.email, a, &out->email);
	msgs[CMT_F_URL] = check_url(field_of(in->url, flen(len, CMT_F_URL)),
	    l.url, a, &out->url);
	hp = field_of(in->honeypot, flen(len, CMT_F_HONEYPOT));
	if (hp.n > 0)
		msgs[CMT_F_HONEYPOT] = MSG_HONEYPOT;
	for (int i = 0; i < CMT_F__MAX; i++)
		if (msgs[i] != NULL)
			errors++;
	return errors;
}

int
cmt_validate(const struct cmt_input *in, const struct cmt_limits *lim,
    struct bl_arena *a, struct cmt_clean *out, const char *msgs[CMT_F__MAX])
{
	return cmt_validate_n(in, NULL, lim, a, out, msgs);
}
