/* The byline command line: one function per command, shared helpers. */
#ifndef BL_CLI_H
#define BL_CLI_H

#include <getopt.h>

/* Exit statuses of every command. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

/*
 * Each command gets its own argv (argv[0] is the command name) and returns
 * an exit status. Errors go to stderr as "byline: what: why"; usage errors
 * add "try 'byline COMMAND --help'" and return EXIT_USAGE.
 */
int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_post(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_comments(int argc, char **argv);
int cmd_migrate(int argc, char **argv);

/* Prints "byline: MSG" to stderr and returns EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "byline: COMMAND: MSG" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Runs getopt_long over argv with the given options; on an unknown option
 * or missing argument returns '?' after printing a usage error. */
int cli_getopt(int argc, char **argv, const char *shortopts,
    const struct option *longopts);

#endif
