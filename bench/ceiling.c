/* bench-ceiling: the least a server can do to answer with a given page. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

/*
 * usage: bench-ceiling PORT BODY HEADERS
 *
 * Serves the bytes of the file BODY from memory for every request, with
 * one response object shared by all of them (MHD_RESPMEM_PERSISTENT), and
 * the header lines of the file HEADERS ("Name: value", one a line, as curl
 * -D wrote them; the status line, Date, Server, Content-Length, Connection
 * and Transfer-Encoding are skipped because libmicrohttpd writes its own).
 * libmicrohttpd's epoll mode with a pool of 2 threads, on 127.0.0.1. This
 * is the ceiling `make bench` compares Byline with: the same library and
 * bytes, without routing, caching or a fresh comment form.
 *
 * As bench/results.md notes, the response is queued on the handler's
 * second call: one queued on the first is "early" and would close the
 * connection, killing keep-alive.
 */

static struct MHD_Response *page;

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **state)
{
	static int seen;

	if (*state == NULL) {
		*state = &seen;
		return MHD_YES;
	}
	*upload_size = 0;
	return MHD_queue_response(c, MHD_HTTP_OK, page);
}

static int
skipped(const char *name)
{
	static const char *const skip[] = { "date", "server", "content-length",
	    "connection", "transfer-encoding", "keep-alive", NULL };

	for (int i = 0; skip[i]; i++)
		if (strcasecmp(name, skip[i]) == 0)
			return 1;
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (p = malloc((size_t)n + 1)) == NULL ||
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "bench-ceiling: cannot read '%s': %s\n", path,
		    strerror(errno));
		exit(1);
	}
	fclose(f);
	p[n] = '\0';
	*len = (size_t)n;
	return p;
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	struct sockaddr_in sin;
	char *body, *headers, *line, *save;
	size_t blen, hlen;
	sigset_t set;
	int sig;

	if (argc != 4) {
		fputs("usage: bench-ceiling PORT BODY HEADERS\n", stderr);
		return 2;
	}
	body = slurp(argv[2], &blen);
	headers = slurp(argv[3], &hlen);
	page = MHD_create_response_from_buffer(blen, body, MHD_RESPMEM_PERSISTENT);
	for (line = strtok_r(headers, "\r\n", &save); line;
	    line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':'), *v;

		if (colon == NULL)
			continue;     /* the status line */
		*colon = '\0';
		for (v = colon + 1; *v == ' '; v++)
			;
		if (!skipped(line))
			MHD_add_response_header(page, line, v);
	}

	/* Signals wait for sigwait below, in this thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, handle, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)2,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "bench-ceiling: cannot listen on port %s\n", argv[1]);
		return 1;
	}
	/* Run until SIGTERM or SIGINT. */
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(page);
	free(body);
	free(headers);
	return 0;
}
