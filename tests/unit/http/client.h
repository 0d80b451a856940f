/* A tiny HTTP/1.1 client for the server tests: raw requests, parsed answers. */
#ifndef BL_TEST_HTTP_CLIENT_H
#define BL_TEST_HTTP_CLIENT_H

#include <stddef.h>

struct conn {
	int fd;
	char buf[1 << 17];
	size_t len;
};

struct resp {
	int status;
	char head[8192];        /* the header block, NUL-terminated */
	char *body;             /* malloc'd, NUL-terminated */
	size_t blen;
};

#define GET(path) "GET " path " HTTP/1.1\r\nHost: localhost\r\n"

/* A connection to 127.0.0.1:port with a 5 s read timeout; fails the test
 * if it cannot connect. */
struct conn *conn_open(unsigned port);
void conn_close(struct conn *c);
/* Writes a string, or n bytes (which may hold NUL bytes). */
void conn_send(struct conn *c, const char *req);
void conn_write(struct conn *c, const void *data, size_t n);
/* Reads more bytes; returns 0 at EOF or timeout. */
int conn_fill(struct conn *c);
/* Reads one response; `no_body` for HEAD and 304 answers. */
void read_resp(struct conn *c, struct resp *r, int no_body);
/* One request on a fresh connection. */
void fetch_port(unsigned port, const char *req, struct resp *r, int no_body);

/* The value of the idx-th header called `name` (0 for the first), in a
 * static buffer overwritten by the next call; NULL if there is none. */
const char *header_nth(const struct resp *r, const char *name, int idx);
const char *header(const struct resp *r, const char *name);

/* Checks the headers every answer of the server carries. */
void assert_security_headers(const struct resp *r);

/* Inflates a gzip member (windowBits 31); fails the test unless it is one
 * complete, valid member. Returns malloc'd bytes, their count in *outlen. */
char *gunzip_all(const char *in, size_t len, size_t *outlen);

#endif
