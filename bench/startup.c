/* bench-startup: time from exec to a server's first successful response. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: bench-startup PORT PATH COMMAND [ARG...]
 *
 * Starts COMMAND (which should listen on 127.0.0.1:PORT), then tries every
 * millisecond to connect and GET PATH until an answer starting with
 * "HTTP/1.1 200" arrives. Prints "PID MILLISECONDS" and exits, leaving
 * the server running for the caller to measure and stop. Gives up (and
 * kills the server) after 120 s. No fork of curl or a shell while polling,
 * so the figure is the server's.
 */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* 1 when a GET answered 200, 0 otherwise. */
static int
try_get(int port, const char *path)
{
	struct sockaddr_in sin;
	char req[1024], resp[16];
	size_t got = 0;
	int fd, ok = 0;
	ssize_t n;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto out;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n", path, port);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto out;
	while (got < 12 && (n = read(fd, resp + got, 12 - got)) > 0)
		got += (size_t)n;
	ok = got == 12 && memcmp(resp, "HTTP/1.1 200", 12) == 0;
out:
	close(fd);
	return ok;
}

int
main(int argc, char **argv)
{
	struct timespec t0, pause = { 0, 1000000 };
	pid_t pid;
	int port;

	if (argc < 4) {
		fputs("usage: bench-startup PORT PATH COMMAND [ARG...]\n", stderr);
		return 2;
	}
	port = atoi(argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "bench-startup: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "bench-startup: cannot run '%s': %s\n", argv[3],
		    strerror(errno));
		_exit(127);
	}
	while (!try_get(port, argv[2])) {
		if (ms_since(&t0) > 120000) {
			kill(pid, SIGTERM);
			fprintf(stderr, "bench-startup: no answer on port %d\n", port);
			return 1;
		}
		nanosleep(&pause, NULL);
	}
	printf("%ld %.1f\n", (long)pid, ms_since(&t0));
	return 0;
}
