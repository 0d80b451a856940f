/* byline: the command-line entry point and its help text. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_text[] =
"usage: byline COMMAND [ARGS]\n"
"\n"
"Byline holds a news site in one folder and serves it over HTTP.\n"
"\n"
"commands:\n"
"  init DIR [--title T] [--url URL] [--database URL]\n"
"                                       create a new site (SQLite or PostgreSQL)\n"
"  serve DIR [--listen HOST:PORT] [--threads N]\n"
"                                       serve a site (default 127.0.0.1:8080)\n"
"  import text FILE... --site DIR [--section S] [--author A] [--date ISO]\n"
"         [--standfirst T] [--photos DIR] [--publish]\n"
"                                       import plain-text articles\n"
"  post add FILE.md --site DIR [--publish]\n"
"                                       add an article written in Markdown\n"
"  demo DIR [--database URL]            create and fill a demo site\n"
"  config get KEY --site DIR            print a setting\n"
"  config set KEY VALUE --site DIR      change a setting\n"
"  comments list --site DIR [--status S] [--article SLUG]\n"
"                                       list reader comments, ID first\n"
"  comments approve|spam|delete ID... --site DIR\n"
"                                       moderate comments\n"
"  migrate --site DIR --to URL          move a site to another database\n"
"\n"
"'byline COMMAND --help' explains a command's options.\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n";

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} commands[] = {
		{ "init", cmd_init }, { "serve", cmd_serve }, { "import", cmd_import },
		{ "post", cmd_post }, { "demo", cmd_demo }, { "config", cmd_config },
		{ "comments", cmd_comments }, { "migrate", cmd_migrate },
	};

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("byline %s\n", BYLINE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			optind = 1;
			return commands[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "byline: '%s' is not a command\n\n%s", argv[1], usage_text);
	return EXIT_USAGE;
}
