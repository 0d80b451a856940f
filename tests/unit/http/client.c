/* A tiny HTTP/1.1 client for the server tests: raw requests, parsed answers. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <zlib.h>

#include "client.h"

struct conn *
conn_open(unsigned port)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(c->fd, 0);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return c;
}

void
conn_close(struct conn *c)
{
	close(c->fd);
	free(c);
}

void
conn_write(struct conn *c, const void *data, size_t n)
{
	const char *p = data;
	ssize_t w;

	while (n > 0) {
		w = write(c->fd, p, n);
		cr_assert_gt(w, 0, "write to the server failed");
		p += w;
		n -= (size_t)w;
	}
}

void
conn_send(struct conn *c, const char *req)
{
	conn_write(c, req, strlen(req));
}

int
conn_fill(struct conn *c)
{
	ssize_t n;

	cr_assert_lt(c->len, sizeof(c->buf) - 1);
	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0)
		return 0;
	c->len += (size_t)n;
	return 1;
}

const char *
header_nth(const struct resp *r, const char *name, int idx)
{
	static char val[1024];
	const char *s = r->head;
	size_t n = strlen(name), v;

	while ((s = strstr(s, "\r\n")) != NULL) {
		s += 2;
		if (strncasecmp(s, name, n) == 0 && s[n] == ':' &&
		    idx-- == 0) {
			s += n + 1;
			while (*s == ' ')
				s++;
			v = strcspn(s, "\r");
			snprintf(val, sizeof(val), "%.*s", (int)v, s);
			return val;
		}
	}
	return NULL;
}

const char *
header(const struct resp *r, const char *name)
{
	return header_nth(r, name, 0);
}

void
read_resp(struct conn *c, struct resp *r, int no_body)
{
	char *end;
	size_t hlen, blen = 0;
	const char *cl;

	memset(r, 0, sizeof(*r));
	for (;;) {
		c->buf[c->len] = '\0';
		if (c->len > 0 && (end = strstr(c->buf, "\r\n\r\n")) != NULL)
			break;
		cr_assert(conn_fill(c), "connection ended before a full head: "
		    "'%.*s'", (int)c->len, c->buf);
	}
	hlen = (size_t)(end - c->buf) + 4;
	cr_assert_lt(hlen, sizeof(r->head));
	memcpy(r->head, c->buf, hlen);
	cr_assert_eq(sscanf(r->head, "HTTP/1.1 %d", &r->status), 1,
	    "bad status line: %s", r->head);
	cl = header(r, "Content-Length");
	if (!no_body && cl != NULL)
		blen = strtoul(cl, NULL, 10);
	while (c->len < hlen + blen)
		cr_assert(conn_fill(c), "body cut short");
	r->body = malloc(blen + 1);
	memcpy(r->body, c->buf + hlen, blen);
	r->body[blen] = '\0';
	r->blen = blen;
	memmove(c->buf, c->buf + hlen + blen, c->len - hlen - blen);
	c->len -= hlen + blen;
}

void
fetch_port(unsigned port, const char *req, struct resp *r, int no_body)
{
	struct conn *c = conn_open(port);

	conn_send(c, req);
	read_resp(c, r, no_body);
	conn_close(c);
}

void
assert_security_headers(const struct resp *r)
{
	const char *csp = header(r, "Content-Security-Policy");

	cr_assert_not_null(csp, "no CSP in: %s", r->head);
	cr_assert_str_eq(csp, "default-src 'self'; img-src 'self' data:; "
	    "style-src 'self'; script-src 'self'; object-src 'none'; "
	    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
	cr_assert_str_eq(header(r, "X-Content-Type-Options"), "nosniff");
	cr_assert_str_eq(header(r, "Referrer-Policy"),
	    "strict-origin-when-cross-origin");
	cr_assert_str_eq(header(r, "X-Frame-Options"), "DENY");
}

char *
gunzip_all(const char *in, size_t len, size_t *outlen)
{
	z_stream z;
	size_t cap = 1 << 20;
	char *out = malloc(cap);

	memset(&z, 0, sizeof(z));
	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END,
	    "not one complete gzip member: %s", z.msg ? z.msg : "");
	cr_assert_eq(z.avail_in, 0, "bytes after the gzip member");
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
}
