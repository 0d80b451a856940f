/* Helpers shared by the commands: error and usage reports, options. */
#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

int
cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("byline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int
cli_usage(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "byline: %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'byline %s --help'\n", command);
	return EXIT_USAGE;
}

int
cli_getopt(int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':') {
		if (optopt)
			cli_usage(argv[0], "option '-%c' is unknown or needs a value", optopt);
		else
			cli_usage(argv[0], "option '%s' is unknown or needs a value",
			    argv[optind - 1]);
		return '?';
	}
	return c;
}
