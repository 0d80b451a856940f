/* bench-poster: posts comments the way a reader does, as fast as it can. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

/*
 * usage: bench-poster --url http://HOST:PORT --paths "/a/ /b/ ..."
 *            [--concurrency 32] [--seconds 10] [--min-seconds 0]
 *
 * Each of `concurrency` posters (a thread with its own keep-alive
 * connection), for `seconds`: GETs one of the article pages with
 * Accept-Encoding: gzip, inflates it, reads its "Leave a Reply" form as a
 * browser user would (docs/comments.md: the hidden fields and the
 * "A + B =" question of the captcha label), answers the question, waits
 * the site's minimum seconds when there are any, and POSTs the form back
 * (urlencoded, with an Origin header as a browser sends). Only a 303 is
 * an accepted comment; every other answer is counted by status. Prints
 * one JSON object, the same keys as the node client it replaces: counts,
 * rates and latencies (ms).
 *
 * The client is C so that on a small machine it leaves the cores to the
 * server: per post it costs an inflate of the page and a scan of its form.
 */

#define MAX_POSTERS 1024
#define MAX_HIDDEN 16
#define MAX_STATUS 600

struct opts {
	char host[256];
	char port[16];
	char origin[300];
	char **paths;
	size_t npaths;
	int concurrency;
	double seconds;
	double min_seconds;
	long serial;		/* comments posted so far, all posters */
};

/* One growable byte buffer. */
struct buf {
	char *s;
	size_t len, cap;
};

struct latencies {
	double *v;
	size_t n, cap;
};

/* What one poster counted; summed at the end. */
struct tally {
	long accepted, gets, errors, no_form;
	long statuses[MAX_STATUS];
	struct latencies post, cycle;
};

struct poster {
	struct opts *o;
	int id;
	double stop_at;
	const char *run;
	int fd;
	struct buf in;		/* bytes read from the socket, not yet used */
	struct buf body;	/* the current response's body */
	struct buf page;	/* the inflated page */
	struct buf out;		/* the request being sent */
	struct tally t;
	pthread_t thread;
};

struct response {
	int status;
	int gzip;
	int close;
};

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench-poster: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 16384;
	if ((b->s = realloc(b->s, b->cap)) == NULL)
		die("out of memory");
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Drops the first `n` bytes. */
static void
buf_consume(struct buf *b, size_t n)
{
	memmove(b->s, b->s + n, b->len - n);
	b->len -= n;
	if (b->s)
		b->s[b->len] = '\0';
}

static void
lat_add(struct latencies *l, double ms)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		if ((l->v = realloc(l->v, l->cap * sizeof(*l->v))) == NULL)
			die("out of memory");
	}
	l->v[l->n++] = ms;
}

/* ---------------------------------------------------------- the wire */

static int
connect_to(const struct opts *o)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(o->host, o->port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
send_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads more bytes into p->in; -1 on error or end of stream. */
static int
fill(struct poster *p)
{
	ssize_t r;

	buf_reserve(&p->in, 65536);
	do
		r = recv(p->fd, p->in.s + p->in.len, p->in.cap - p->in.len - 1, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	p->in.len += (size_t)r;
	p->in.s[p->in.len] = '\0';
	return 0;
}

/* Case-insensitive: does header line `line` (up to `end`) name `name`?
 * Returns its value, or NULL. */
static const char *
header_value(const char *line, const char *end, const char *name)
{
	size_t n = strlen(name);

	if ((size_t)(end - line) <= n || strncasecmp(line, name, n) != 0 ||
	    line[n] != ':')
		return NULL;
	line += n + 1;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	return line;
}

/*
 * Reads one response: status line, headers, and the body (Content-Length
 * or chunked) into p->body. 0 on success, -1 when the connection failed.
 */
static int
read_response(struct poster *p, int head, struct response *r)
{
	char *hend, *line, *eol;
	const char *v;
	long long clen = -1;
	int chunked = 0;
	size_t need;

	memset(r, 0, sizeof(*r));
	p->body.len = 0;
	while ((hend = p->in.len ? strstr(p->in.s, "\r\n\r\n") : NULL) == NULL)
		if (fill(p) < 0)
			return -1;
	if (strncmp(p->in.s, "HTTP/1.", 7) != 0)
		return -1;
	r->status = atoi(p->in.s + 9);
	line = strstr(p->in.s, "\r\n") + 2;
	for (; line < hend + 2; line = eol + 2) {
		eol = strstr(line, "\r\n");
		if ((v = header_value(line, eol, "content-length")) != NULL)
			clen = strtoll(v, NULL, 10);
		else if ((v = header_value(line, eol, "transfer-encoding")) != NULL)
			chunked = strncasecmp(v, "chunked", 7) == 0;
		else if ((v = header_value(line, eol, "content-encoding")) != NULL)
			r->gzip = strncasecmp(v, "gzip", 4) == 0;
		else if ((v = header_value(line, eol, "connection")) != NULL)
			r->close = strncasecmp(v, "close", 5) == 0;
	}
	buf_consume(&p->in, (size_t)(hend + 4 - p->in.s));
	if (head || r->status == 204 || r->status == 304 ||
	    (r->status >= 100 && r->status < 200))
		return 0;
	if (chunked) {
		for (;;) {
			char *crlf;
			unsigned long sz;

			while ((crlf = p->in.len ? strstr(p->in.s, "\r\n") : NULL) == NULL)
				if (fill(p) < 0)
					return -1;
			sz = strtoul(p->in.s, NULL, 16);
			buf_consume(&p->in, (size_t)(crlf + 2 - p->in.s));
			while (p->in.len < sz + 2)
				if (fill(p) < 0)
					return -1;
			buf_add(&p->body, p->in.s, sz);
			buf_consume(&p->in, sz + 2);
			if (sz == 0)
				break;
		}
		/* No trailers are sent: the last chunk ends with CRLF. */
		return 0;
	}
	if (clen < 0) {
		/* Until the server closes the connection. */
		while (fill(p) == 0)
			;
		buf_add(&p->body, p->in.s, p->in.len);
		p->in.len = 0;
		r->close = 1;
		return 0;
	}
	need = (size_t)clen;
	while (p->in.len < need)
		if (fill(p) < 0)
			return -1;
	buf_add(&p->body, p->in.s, need);
	buf_consume(&p->in, need);
	return 0;
}

/* Sends p->out and reads the answer, reconnecting once if a kept-alive
 * connection was closed by the server meanwhile. */
static int
exchange(struct poster *p, struct response *r)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (p->fd < 0) {
			p->in.len = 0;
			if ((p->fd = connect_to(p->o)) < 0)
				return -1;
		}
		if (send_all(p->fd, p->out.s, p->out.len) == 0 &&
		    read_response(p, 0, r) == 0) {
			if (r->close) {
				close(p->fd);
				p->fd = -1;
			}
			return 0;
		}
		close(p->fd);
		p->fd = -1;
	}
	return -1;
}

/* Inflates a gzip body into p->page (or copies a plain one). */
static int
page_text(struct poster *p, const struct response *r)
{
	z_stream z;
	int rc;

	p->page.len = 0;
	if (!r->gzip) {
		buf_add(&p->page, p->body.s ? p->body.s : "", p->body.len);
		return 0;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (Bytef *)p->body.s;
	z.avail_in = (uInt)p->body.len;
	do {
		buf_reserve(&p->page, 65536);
		z.next_out = (Bytef *)p->page.s + p->page.len;
		z.avail_out = (uInt)(p->page.cap - p->page.len - 1);
		rc = inflate(&z, Z_NO_FLUSH);
		p->page.len = p->page.cap - 1 - z.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&z);
	if (rc != Z_STREAM_END)
		return -1;
	p->page.s[p->page.len] = '\0';
	return 0;
}

/* ----------------------------------------------------------- the form */

struct field {
	char name[64];
	char value[512];
};

struct form {
	struct field hidden[MAX_HIDDEN];
	int nhidden;
	char question[256];
};

/* Appends the UTF-8 encoding of code point `c` to `out` (room checked by
 * the caller). */
static size_t
put_utf8(char *out, unsigned long c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * Copies HTML text s..end into `out` (size `size`) as a browser shows it:
 * character references decoded, and, when `tags` is set, tags dropped.
 */
static void
html_text(const char *s, const char *end, char *out, size_t size, int tags)
{
	static const struct { const char *name; unsigned long c; } ent[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "minus", 0x2212 }, { "times", 0xd7 },
		{ "nbsp", 0xa0 },
	};
	size_t o = 0;

	while (s < end && o + 5 < size) {
		if (tags && *s == '<') {
			while (s < end && *s != '>')
				s++;
			if (s < end)
				s++;
			continue;
		}
		if (*s == '&') {
			const char *semi = memchr(s, ';', (size_t)(end - s));
			unsigned long c = 0;
			int known = 0;

			if (semi != NULL && semi - s < 12) {
				if (s[1] == '#') {
					c = (s[2] == 'x' || s[2] == 'X') ?
					    strtoul(s + 3, NULL, 16) :
					    strtoul(s + 2, NULL, 10);
					known = c > 0 && c < 0x110000;
				} else
					for (size_t i = 0; i < sizeof(ent) / sizeof(ent[0]); i++)
						if ((size_t)(semi - s - 1) == strlen(ent[i].name) &&
						    strncmp(s + 1, ent[i].name, (size_t)(semi - s - 1)) == 0) {
							c = ent[i].c;
							known = 1;
						}
			}
			if (known) {
				o += put_utf8(out + o, c);
				s = semi + 1;
				continue;
			}
		}
		out[o++] = *s++;
	}
	out[o] = '\0';
}

/* The value of attribute `name` in tag s..end, decoded; 0 if present. */
static int
attr(const char *s, const char *end, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	const char *v, *q;

	for (v = s; v + n + 2 < end; v++) {
		if ((v[-1] == ' ' || v[-1] == '\n' || v[-1] == '\t') &&
		    strncmp(v, name, n) == 0 && v[n] == '=' && v[n + 1] == '"') {
			v += n + 2;
			if ((q = memchr(v, '"', (size_t)(end - v))) == NULL)
				return -1;
			html_text(v, q, out, size, 0);
			return 0;
		}
	}
	return -1;
}

/* Reads the comment form of page `html`: its hidden inputs and the
 * captcha label's text. 0 when found. */
static int
read_form(const char *html, struct form *f)
{
	const char *start, *end, *tag, *tend, *lab, *lend;
	char type[32];

	memset(f, 0, sizeof(*f));
	if ((start = strstr(html, "class=\"comment-form\"")) == NULL)
		return -1;
	if ((end = strstr(start, "</form>")) == NULL)
		end = start + strlen(start);
	for (tag = start; (tag = strstr(tag, "<input")) != NULL && tag < end;
	    tag = tend) {
		if ((tend = memchr(tag, '>', (size_t)(end - tag))) == NULL)
			break;
		if (attr(tag, tend, "type", type, sizeof(type)) < 0 ||
		    strcmp(type, "hidden") != 0 || f->nhidden == MAX_HIDDEN)
			continue;
		if (attr(tag, tend, "name", f->hidden[f->nhidden].name,
		    sizeof(f->hidden[0].name)) < 0)
			continue;
		attr(tag, tend, "value", f->hidden[f->nhidden].value,
		    sizeof(f->hidden[0].value));
		f->nhidden++;
	}
	/* <label for="captcha">6 × 9 = <span ...>*</span></label> */
	for (lab = start; (lab = strstr(lab, "<label")) != NULL && lab < end;
	    lab++) {
		if ((tend = strchr(lab, '>')) == NULL || tend > end)
			break;
		if (attr(lab, tend, "for", type, sizeof(type)) < 0 ||
		    strcmp(type, "captcha") != 0)
			continue;
		if ((lend = strstr(tend, "</label>")) == NULL || lend > end)
			break;
		html_text(tend + 1, lend, f->question, sizeof(f->question), 1);
		return 0;
	}
	return -1;
}

/* Answers "13 + 4 =", "9 − 3 =", "6 × 7 =". */
static long
solve(const char *q, int *ok)
{
	const char *s = q;
	char *after;
	long a, b;

	*ok = 0;
	while (*s && (*s < '0' || *s > '9'))
		s++;
	if (!*s)
		return 0;
	a = strtol(s, &after, 10);
	s = after;
	/* Spaces, also U+00A0. */
	for (;;) {
		if (*s == ' ')
			s++;
		else if (strncmp(s, "\xc2\xa0", 2) == 0)
			s += 2;
		else
			break;
	}
	if (*s == '+' || *s == '-' || *s == '*' || *s == 'x') {
		char op = *s++;

		b = strtol(s, NULL, 10);
		*ok = 1;
		return op == '+' ? a + b : op == '-' ? a - b : a * b;
	}
	if (strncmp(s, "\xe2\x88\x92", 3) == 0) {	/* U+2212 minus */
		*ok = 1;
		return a - strtol(s + 3, NULL, 10);
	}
	if (strncmp(s, "\xc3\x97", 2) == 0) {		/* U+00D7 times */
		*ok = 1;
		return a * strtol(s + 2, NULL, 10);
	}
	return 0;
}

/* Appends `s` application/x-www-form-urlencoded. */
static void
form_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '*')
			buf_add(b, s, 1);
		else if (c == ' ')
			buf_add(b, "+", 1);
		else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			buf_add(b, e, 3);
		}
	}
}

static void
form_pair(struct buf *b, const char *name, const char *value)
{
	if (b->len)
		buf_add(b, "&", 1);
	form_encode(b, name);
	buf_add(b, "=", 1);
	form_encode(b, value);
}

/* ---------------------------------------------------------- a poster */

static void *
poster_main(void *arg)
{
	struct poster *p = arg;
	struct opts *o = p->o;
	struct buf post = { 0 };
	struct response r;
	struct form f;
	char text[512], author[64], email[64], answer[32];
	double t0, t1, t2;
	long n, sum;
	int ok;

	p->fd = -1;
	while (now_s() < p->stop_at) {
		const char *path = o->paths[((size_t)__atomic_load_n(&o->serial,
		    __ATOMIC_RELAXED) + (size_t)p->id) % o->npaths];

		t0 = now_s();
		p->out.len = 0;
		buf_printf(&p->out, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n"
		    "Accept-Encoding: gzip\r\nUser-Agent: bench-poster\r\n\r\n",
		    path, o->host, o->port);
		if (exchange(p, &r) < 0) {
			p->t.errors++;
			continue;
		}
		p->t.gets++;
		if (r.status != 200 || page_text(p, &r) < 0 ||
		    read_form(p->page.s, &f) < 0) {
			p->t.no_form++;
			continue;
		}
		if (o->min_seconds > 0) {
			struct timespec ts;
			double w = o->min_seconds + 0.05;

			ts.tv_sec = (time_t)w;
			ts.tv_nsec = (long)((w - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
		n = __atomic_add_fetch(&o->serial, 1, __ATOMIC_RELAXED);
		sum = solve(f.question, &ok);
		snprintf(answer, sizeof(answer), "%ld", ok ? sum : 0L);
		/* The run's mark keeps this run's comments apart from an
		 * earlier run's (the duplicate check refuses the same text
		 * from the same author on the same article). */
		snprintf(text, sizeof(text), "Benchmark comment %s-%ld from "
		    "poster %d: the ferry timetable change is welcome, though "
		    "the evening service still ends too early for shift "
		    "workers.", p->run, n, p->id);
		snprintf(author, sizeof(author), "Poster %d", p->id);
		snprintf(email, sizeof(email), "poster%d@example.org", p->id);
		post.len = 0;
		form_pair(&post, "comment", text);
		form_pair(&post, "author", author);
		form_pair(&post, "email", email);
		form_pair(&post, "url", "");
		form_pair(&post, "captcha", ok ? answer : "");
		form_pair(&post, "bl_trap", "");
		for (int i = 0; i < f.nhidden; i++)
			form_pair(&post, f.hidden[i].name, f.hidden[i].value);

		p->out.len = 0;
		buf_printf(&p->out, "POST /comments/ HTTP/1.1\r\nHost: %s:%s\r\n"
		    "Content-Type: application/x-www-form-urlencoded\r\n"
		    "Content-Length: %zu\r\nOrigin: %s\r\n"
		    "Accept-Encoding: gzip\r\nUser-Agent: bench-poster\r\n\r\n",
		    o->host, o->port, post.len, o->origin);
		buf_add(&p->out, post.s, post.len);
		t1 = now_s();
		if (exchange(p, &r) < 0) {
			p->t.errors++;
			continue;
		}
		t2 = now_s();
		if (r.status > 0 && r.status < MAX_STATUS)
			p->t.statuses[r.status]++;
		if (r.status == 303)
			p->t.accepted++;
		lat_add(&p->t.post, (t2 - t1) * 1000);
		lat_add(&p->t.cycle, (t2 - t0) * 1000);
	}
	if (p->fd >= 0)
		close(p->fd);
	free(post.s);
	return NULL;
}

/* ------------------------------------------------------------ results */

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static double
pct(struct latencies *l, double p)
{
	size_t i;

	if (l->n == 0)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), cmp_double);
	i = (size_t)(p / 100 * (double)l->n);
	return l->v[i < l->n ? i : l->n - 1];
}

static void
merge(struct latencies *to, const struct latencies *from)
{
	for (size_t i = 0; i < from->n; i++)
		lat_add(to, from->v[i]);
}

static void
parse_url(struct opts *o, const char *url)
{
	const char *h, *colon, *slash;

	if (strncmp(url, "http://", 7) != 0)
		die("--url must be http://HOST:PORT");
	h = url + 7;
	slash = strchr(h, '/');
	if (slash == NULL)
		slash = h + strlen(h);
	colon = memchr(h, ':', (size_t)(slash - h));
	if (colon == NULL) {
		snprintf(o->host, sizeof(o->host), "%.*s", (int)(slash - h), h);
		snprintf(o->port, sizeof(o->port), "80");
	} else {
		snprintf(o->host, sizeof(o->host), "%.*s", (int)(colon - h), h);
		snprintf(o->port, sizeof(o->port), "%.*s",
		    (int)(slash - colon - 1), colon + 1);
	}
	snprintf(o->origin, sizeof(o->origin), "http://%.*s",
	    (int)(slash - h), h);
}

static void
split_paths(struct opts *o, const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	if (copy == NULL)
		die("out of memory");
	for (tok = strtok_r(copy, " \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\n", &save)) {
		o->paths = realloc(o->paths, (o->npaths + 1) * sizeof(*o->paths));
		if (o->paths == NULL)
			die("out of memory");
		o->paths[o->npaths++] = tok;
	}
}

int
main(int argc, char *argv[])
{
	static struct poster posters[MAX_POSTERS];
	struct opts o;
	struct tally all;
	char run[32];
	double start, elapsed;
	long posts = 0, failed;
	int first = 1;

	memset(&o, 0, sizeof(o));
	o.concurrency = 32;
	o.seconds = 10;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--url") == 0)
			parse_url(&o, argv[i + 1]);
		else if (strcmp(argv[i], "--paths") == 0)
			split_paths(&o, argv[i + 1]);
		else if (strcmp(argv[i], "--concurrency") == 0)
			o.concurrency = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--seconds") == 0)
			o.seconds = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--min-seconds") == 0)
			o.min_seconds = atof(argv[i + 1]);
		else
			die("unknown option %s", argv[i]);
	}
	if (o.host[0] == '\0')
		die("usage: bench-poster --url http://HOST:PORT --paths \"/a/ /b/\" "
		    "[--concurrency N] [--seconds S] [--min-seconds S]");
	if (o.npaths == 0)
		split_paths(&o, "/");
	if (o.concurrency < 1 || o.concurrency > MAX_POSTERS)
		die("--concurrency must be 1 to %d", MAX_POSTERS);

	snprintf(run, sizeof(run), "%lx%lx", (long)time(NULL), (long)getpid());
	start = now_s();
	for (int i = 0; i < o.concurrency; i++) {
		posters[i].o = &o;
		posters[i].id = i;
		posters[i].run = run;
		posters[i].stop_at = start + o.seconds;
		if (pthread_create(&posters[i].thread, NULL, poster_main,
		    &posters[i]) != 0)
			die("cannot start poster %d", i);
	}
	memset(&all, 0, sizeof(all));
	for (int i = 0; i < o.concurrency; i++) {
		struct tally *t = &posters[i].t;

		pthread_join(posters[i].thread, NULL);
		all.accepted += t->accepted;
		all.gets += t->gets;
		all.errors += t->errors;
		all.no_form += t->no_form;
		for (int s = 0; s < MAX_STATUS; s++)
			all.statuses[s] += t->statuses[s];
		merge(&all.post, &t->post);
		merge(&all.cycle, &t->cycle);
	}
	elapsed = now_s() - start;
	for (int s = 0; s < MAX_STATUS; s++)
		posts += all.statuses[s];
	failed = posts - all.accepted + all.errors + all.no_form;
	printf("{\"seconds\":%.2f,\"concurrency\":%d,\"accepted\":%ld,"
	    "\"accepted_per_s\":%.1f,\"posts\":%ld,\"failed\":%ld,\"statuses\":{",
	    elapsed, o.concurrency, all.accepted,
	    (double)all.accepted / elapsed, posts, failed);
	for (int s = 0; s < MAX_STATUS; s++)
		if (all.statuses[s]) {
			printf("%s\"%d\":%ld", first ? "" : ",", s, all.statuses[s]);
			first = 0;
		}
	printf("},\"errors\":%ld,\"no_form\":%ld,\"gets\":%ld,"
	    "\"post_p50_ms\":%.2f,\"post_p99_ms\":%.2f,\"cycle_p50_ms\":%.2f}\n",
	    all.errors, all.no_form, all.gets, pct(&all.post, 50),
	    pct(&all.post, 99), pct(&all.cycle, 50));
	return 0;
}
