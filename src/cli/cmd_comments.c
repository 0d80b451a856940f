/* byline comments: listing and moderating reader comments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "site/site.h"

static const char comments_help[] =
"usage: byline comments list --site DIR [--status pending|approved|spam]\n"
"                            [--article SLUG] [--limit N]\n"
"       byline comments approve|spam|delete ID... --site DIR\n"
"\n"
"Lists reader comments, newest first, one a line: ID, status, date,\n"
"author, article and the opening of the text. approve publishes held\n"
"comments, spam hides them as spam, delete removes them (replies move up a\n"
"level). Every page that shows a changed comment is updated, also on a\n"
"running server.\n";

static const char *
status_name(enum st_comment_status s)
{
	return s == STC_APPROVED ? "approved" : s == STC_SPAM ? "spam" : "pending";
}

/* The opening of a comment on one line: newlines and tabs become spaces. */
static void
print_opening(const char *body, size_t max)
{
	size_t chars = 0;

	for (const char *p = body; *p && chars < max; p++) {
		if ((*p & 0xc0) != 0x80)
			chars++;
		putchar(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p);
	}
	if (strlen(body) > 0 && chars >= max)
		fputs("…", stdout);
}

int
cmd_comments(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "site", required_argument, NULL, 's' },
		{ "status", required_argument, NULL, 'S' },
		{ "article", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *article = NULL, *verb;
	struct bl_arena a = BL_ARENA_INIT;
	struct bl_err err;
	struct site *site = NULL;
	struct store *st = NULL;
	int status = -1, limit = 0, c, rc = EXIT_OK;
	char *end;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'a': article = optarg; break;
		case 'S':
			if (strcmp(optarg, "pending") == 0) status = STC_PENDING;
			else if (strcmp(optarg, "approved") == 0) status = STC_APPROVED;
			else if (strcmp(optarg, "spam") == 0) status = STC_SPAM;
			else return cli_usage("comments", "--status must be pending, approved or spam");
			break;
		case 'l':
			limit = (int)strtol(optarg, &end, 10);
			if (*end || limit < 0)
				return cli_usage("comments", "--limit must be a number");
			break;
		case 'h': fputs(comments_help, stdout); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage("comments", "expected list, approve, spam or delete");
	verb = argv[optind];
	if (strcmp(verb, "list") != 0 && strcmp(verb, "approve") != 0 &&
	    strcmp(verb, "spam") != 0 && strcmp(verb, "delete") != 0)
		return cli_usage("comments", "'%s' is not list, approve, spam or delete", verb);
	if (dir == NULL)
		return cli_usage("comments", "--site DIR is required");
	if (strcmp(verb, "list") == 0 && optind + 1 != argc)
		return cli_usage("comments", "list takes no IDs");
	if (strcmp(verb, "list") != 0 && optind + 1 == argc)
		return cli_usage("comments", "%s needs at least one comment ID", verb);
	for (int i = optind + 1; i < argc; i++) {
		errno = 0;
		if (strtoll(argv[i], &end, 10) <= 0 || *end || errno)
			return cli_usage("comments", "'%s' is not a comment ID", argv[i]);
	}
	if (site_open(dir, &site, &err) < 0)
		return cli_fail("comments: %s", err.msg);
	st = site_store(site, &err);
	if (st == NULL) {
		rc = cli_fail("comments: %s", err.msg);
		goto out;
	}
	if (strcmp(verb, "list") == 0) {
		struct st_comment *cs;
		size_t n;

		if (store_comment_admin_list(st, &a, status, article, limit, &cs, &n, &err) < 0) {
			rc = cli_fail("comments: %s", err.msg);
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			printf("%lld\t%s\t%s\t%s\t%s\t", (long long)cs[i].id,
			    status_name(cs[i].status), site_time_iso(&a, cs[i].created_at),
			    cs[i].author, cs[i].article_path);
			print_opening(cs[i].body, 60);
			putchar('\n');
		}
		goto out;
	}
	for (int i = optind + 1; i < argc; i++) {
		int64_t id = strtoll(argv[i], NULL, 10);
		int r;

		if (strcmp(verb, "delete") == 0)
			r = store_comment_delete(st, id, &err);
		else
			r = store_comment_set_status(st, id, verb[0] == 'a' ?
			    STC_APPROVED : STC_SPAM, &err);
		if (r < 0)
			rc = cli_fail("comments: %s: %s", argv[i], err.msg);
		else if (r > 0)
			rc = cli_fail("comments: %s: no such comment", argv[i]);
		else
			printf("%s: %s\n", argv[i], verb[0] == 'a' ? "approved" :
			    verb[0] == 's' ? "marked as spam" : "deleted");
	}
out:
	if (st)
		site_store_put(site, st);
	site_close(site);
	bl_arena_release(&a);
	return rc;
}
