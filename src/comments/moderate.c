/* Deciding whether a valid comment is approved, held or spam. */
#include "comments/comments.h"

#include <string.h>

static int
fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Returns 1 if s[0..n) starts with the lowercase ASCII `lit`, any case. */
static int
starts_ci(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (fold((unsigned char)s[i]) != lit[i])
			return 0;
	return 1;
}

/* Returns 1 if `needle` (n bytes) occurs in `hay`, ASCII case folded. */
static int
contains_ci(const char *hay, const char *needle, size_t n)
{
	size_t hn;

	if (hay == NULL || n == 0)
		return 0;
	hn = strlen(hay);
	for (size_t i = 0; i + n <= hn; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (fold((unsigned char)hay[i + j]) !=
			    fold((unsigned char)needle[j]))
				break;
		if (j == n)
			return 1;
	}
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Returns 1 if one of the comma- or newline-separated words in `keys`
 * (trimmed; empty ones ignored) occurs in one of the `n` strings of `hay`.
 */
static int
match_keys(const char *keys, const char *const *hay, size_t n)
{
	const char *p = keys;

	if (keys == NULL)
		return 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ",\n");
		const char *w = p, *next = p + len;

		while (len > 0 && is_blank(w[0])) {
			w++;
			len--;
		}
		while (len > 0 && is_blank(w[len - 1]))
			len--;
		for (size_t i = 0; len > 0 && i < n; i++)
			if (contains_ci(hay[i], w, len))
				return 1;
		p = *next ? next + 1 : next;
	}
	return 0;
}

int
cmt_moderation_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "first-time") == 0)
		return CMT_MOD_FIRST_TIME;
	if (strcmp(s, "all") == 0)
		return CMT_MOD_ALL;
	if (strcmp(s, "none") == 0)
		return CMT_MOD_NONE;
	return -1;
}

/*
 * Every "http://", "https://", "www." and "<a " counts once, except a
 * "www." right after "//", which belongs to the URL already counted.
 */
int
cmt_count_links(const char *text)
{
	size_t n;
	int count = 0;

	if (text == NULL)
		return 0;
	n = strlen(text);
	for (size_t i = 0; i < n; i++) {
		const char *s = text + i;

		if (starts_ci(s, n - i, "http://") ||
		    starts_ci(s, n - i, "https://") ||
		    starts_ci(s, n - i, "<a ") ||
		    (starts_ci(s, n - i, "www.") &&
		    !(i >= 2 && text[i - 1] == '/' && text[i - 2] == '/')))
			count++;
	}
	return count;
}

enum st_comment_status
cmt_moderate(const struct cmt_policy *p, const struct cmt_clean *c,
    const char *ip, const char *user_agent, int previously_approved,
    const char **why)
{
	const char *hay[] = { c->author, c->email, c->url, c->comment, ip,
	    user_agent };
	const size_t nhay = sizeof(hay) / sizeof(hay[0]);
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	if (match_keys(p->disallowed_keys, hay, nhay)) {
		*why = "disallowed word";
		return STC_SPAM;
	}
	if (p->moderation == CMT_MOD_ALL) {
		*why = "moderation of every comment";
		return STC_PENDING;
	}
	if (cmt_count_links(c->comment) > p->max_links) {
		*why = "too many links";
		return STC_PENDING;
	}
	if (match_keys(p->moderation_keys, hay, nhay)) {
		*why = "moderation word";
		return STC_PENDING;
	}
	if (p->moderation == CMT_MOD_FIRST_TIME && !previously_approved) {
		*why = "first comment from this address";
		return STC_PENDING;
	}
	*why = "approved";
	return STC_APPROVED;
}
