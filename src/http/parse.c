/* Request parsing that needs no connection: targets, dates, ETags, forms. */
#include "http/parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* --- request targets -------------------------------------------------- */

int
http_raw_target_ok(const char *uri)
{
	const char *s;

	if (uri == NULL || uri[0] != '/')
		return 0;
	for (s = uri; *s != '\0' && *s != '?'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
		if (s[0] == '%' && s[1] == '0' && s[2] == '0')
			return 0;
	}
	return 1;
}

int
http_path_ok(const char *p)
{
	const char *s;

	if (p == NULL || p[0] != '/')
		return 0;
	for (s = p; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
		if (s[0] == '/' && s[1] == '.' && s[2] == '.' &&
		    (s[3] == '/' || s[3] == '\0'))
			return 0;
	}
	return 1;
}

/* --- HTTP dates ------------------------------------------------------- */

static const char wdays[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

void
http_fmt_date(int64_t t, char out[40])
{
	time_t tt = (time_t)t;
	struct tm tm;
	unsigned year;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	year = (unsigned)(tm.tm_year + 1900) % 10000;
	snprintf(out, 40, "%.3s, %02u %.3s %04u %02u:%02u:%02u GMT",
	    wdays[(unsigned)tm.tm_wday % 7], (unsigned)tm.tm_mday % 100,
	    months[(unsigned)tm.tm_mon % 12], year, (unsigned)tm.tm_hour % 100,
	    (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100);
}

static int
month_index(const char *m)
{
	int i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(m, months[i], 3) == 0)
			return i;
	return -1;
}

int64_t
http_parse_date(const char *s)
{
	struct tm tm;
	char mon[4], wd[4];
	int day, year, hh, mm, ss;
	const char *comma;

	memset(&tm, 0, sizeof(tm));
	comma = strchr(s, ',');
	if (comma != NULL) {
		if (sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d GMT", &day,
		    mon, &year, &hh, &mm, &ss) != 6 &&
		    sscanf(comma + 1, " %2d-%3s-%2d %2d:%2d:%2d GMT", &day,
		    mon, &year, &hh, &mm, &ss) != 6)
			return -1;
	} else if (sscanf(s, "%3s %3s %2d %2d:%2d:%2d %4d", wd, mon, &day,
	    &hh, &mm, &ss, &year) != 7)
		return -1;
	if (year < 100)
		year += year < 70 ? 2000 : 1900;
	tm.tm_mon = month_index(mon);
	if (tm.tm_mon < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 ||
	    ss > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mday = day;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return (int64_t)timegm(&tm);
}

/* --- conditional requests --------------------------------------------- */

int
http_etag_list_match(const char *h, const char *const *tags, size_t ntags)
{
	const char *s = h, *q;
	size_t i, n;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			return 0;
		if (*s == '*')
			return 1;
		if (s[0] == 'W' && s[1] == '/')
			s += 2;
		if (*s == '"') {
			q = strchr(s + 1, '"');
			if (q == NULL)
				return 0;
			n = (size_t)(q - s) + 1;
			for (i = 0; i < ntags; i++)
				if (tags[i] != NULL && strlen(tags[i]) == n &&
				    memcmp(tags[i], s, n) == 0)
					return 1;
			s = q + 1;
		}
		/* Skip to the next list member, past any junk. */
		s += strcspn(s, ",");
	}
}

/* --- form bodies ------------------------------------------------------ */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
http_url_decode(char *out, size_t max, const char *in, size_t n, int *more)
{
	size_t i = 0, o = 0;
	int hi, lo;

	while (i < n && o < max) {
		if (in[i] == '+') {
			out[o++] = ' ';
			i++;
		} else if (in[i] == '%' && n - i >= 3 &&
		    (hi = hexval((unsigned char)in[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)in[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else
			out[o++] = in[i++];
	}
	if (more != NULL)
		*more = i < n;
	return o;
}

char *
http_header_param(struct bl_arena *a, const char *s, const char *end,
    const char *want)
{
	size_t wlen = strlen(want), n;
	const char *k, *v;
	char *out;
	int match;

	s = memchr(s, ';', (size_t)(end - s));
	while (s != NULL && s < end) {
		s++;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		k = s;
		while (s < end && *s != '=' && *s != ';' && *s != ' ' &&
		    *s != '\t')
			s++;
		match = (size_t)(s - k) == wlen &&
		    strncasecmp(k, want, wlen) == 0;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s == '=') {
			s++;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			if (s < end && *s == '"') {
				/* A quoted string; backslash quotes the next
				 * character. */
				out = match ? bl_arena_alloc(a,
				    (size_t)(end - s)) : NULL;
				n = 0;
				for (s++; s < end && *s != '"'; s++) {
					if (*s == '\\' && end - s > 1)
						s++;
					if (out != NULL)
						out[n++] = *s;
				}
				if (out != NULL)
					return out;
				if (s < end)
					s++;
			} else {
				v = s;
				while (s < end && *s != ';' && *s != ' ' &&
				    *s != '\t')
					s++;
				if (match)
					return bl_arena_strndup(a, v,
					    (size_t)(s - v));
			}
		}
		s = memchr(s, ';', (size_t)(end - s));
	}
	return NULL;
}

const struct http_form_field *
http_form_find(const struct http_form_field *list, const char *name)
{
	const struct http_form_field *f;

	for (f = list; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* A list being built: its head and where the next field goes. */
struct form_list {
	struct bl_arena *a;
	struct http_form_field *head, **tail;
	size_t max_field;
};

/*
 * Appends the field `name` (a string in the arena) unless a field of that
 * name came first. The value is val[0..vlen), urlencoded if `urlenc`;
 * it is kept up to max_field bytes. `cut`: the body limit cut it short.
 */
static void
form_add(struct form_list *l, char *name, const char *val, size_t vlen,
    int urlenc, int cut)
{
	struct http_form_field *f;
	size_t cap = vlen < l->max_field ? vlen : l->max_field;
	int more;

	if (name[0] == '\0' || http_form_find(l->head, name) != NULL)
		return;
	f = bl_arena_alloc(l->a, sizeof(*f));
	f->name = name;
	f->value = bl_arena_alloc(l->a, cap + 1);
	if (urlenc)
		f->len = http_url_decode(f->value, cap, val, vlen, &more);
	else {
		memcpy(f->value, val, cap);
		f->len = cap;
		more = vlen > cap;
	}
	f->value[f->len] = '\0';
	f->truncated = more || cut;
	*l->tail = f;
	l->tail = &f->next;
}

struct http_form_field *
http_parse_urlencoded(struct bl_arena *a, const char *body, size_t len,
    size_t max_field, int cut)
{
	struct form_list l = { a, NULL, &l.head, max_field };
	const char *s = body, *end = s + len, *amp, *eq, *v;
	char *name;
	size_t nlen, count = 0;

	while (s < end && count < HTTP_MAX_FIELDS) {
		amp = memchr(s, '&', (size_t)(end - s));
		if (amp == NULL)
			amp = end;
		if (amp > s) {
			count++;
			eq = memchr(s, '=', (size_t)(amp - s));
			v = eq != NULL ? eq + 1 : amp;
			if (eq == NULL)
				eq = amp;
			name = bl_arena_alloc(a, (size_t)(eq - s) + 1);
			nlen = http_url_decode(name, (size_t)(eq - s), s,
			    (size_t)(eq - s), NULL);
			/* A name with a NUL byte would pose as a shorter
			 * one: drop it. */
			if (memchr(name, '\0', nlen) == NULL)
				form_add(&l, name, v, (size_t)(amp - v), 1,
				    cut && amp == end);
		}
		if (amp == end)
			break;
		s = amp + 1;
	}
	return l.head;
}

/*
 * multipart/form-data (RFC 7578): parts between "--boundary" lines, each
 * with headers naming the field in Content-Disposition. A part the body
 * limit cut short is kept as far as it goes, marked truncated.
 */
struct http_form_field *
http_parse_multipart(struct bl_arena *a, const char *body, size_t len,
    const char *boundary, size_t max_field)
{
	struct form_list l = { a, NULL, &l.head, max_field };
	const char *s = body, *end = s + len, *h, *hend, *c, *q;
	const char *line, *eol;
	char delim[HTTP_MAX_BOUNDARY + 5], *name;
	size_t dlen, count = 0;

	/* "\r\n--boundary"; the first one may start the body. */
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	if (len >= dlen - 2 && memcmp(s, delim + 2, dlen - 2) == 0)
		s += dlen - 2;
	else if ((q = memmem(s, len, delim, dlen)) != NULL)
		s = q + dlen;
	else
		return NULL;
	while (count++ < HTTP_MAX_FIELDS) {
		/* After a delimiter: "--" ends the body, else padding and
		 * CRLF, the part's headers, an empty line. */
		if (end - s >= 2 && s[0] == '-' && s[1] == '-')
			break;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (end - s < 2 || s[0] != '\r' || s[1] != '\n')
			break;
		h = s + 2;
		if (end - h >= 2 && h[0] == '\r' && h[1] == '\n') {
			hend = h;
			c = h + 2;
		} else {
			hend = memmem(h, (size_t)(end - h), "\r\n\r\n", 4);
			if (hend == NULL)
				break;
			c = hend + 4;
		}
		name = NULL;
		for (line = h; line < hend && name == NULL; line = eol + 2) {
			eol = memmem(line, (size_t)(hend + 2 - line), "\r\n",
			    2);
			if (eol == NULL)
				break;
			if (eol - line > 20 &&
			    strncasecmp(line, "content-disposition:", 20) == 0)
				name = http_header_param(a, line + 20, eol,
				    "name");
		}
		q = memmem(c, (size_t)(end - c), delim, dlen);
		if (name != NULL)
			form_add(&l, name, c,
			    (size_t)((q != NULL ? q : end) - c), 0, q == NULL);
		if (q == NULL)
			break;
		s = q + dlen;
	}
	return l.head;
}
