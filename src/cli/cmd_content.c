/* byline import, post and demo: putting articles into a site. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/file.h"
#include "markup/markup.h"
#include "media/image.h"
#include "site/site.h"

/* The plural ending for a count. */
#define S(n) ((n) == 1 ? "" : "s")

static const char import_help[] =
"usage: byline import text FILE... --site DIR [options]\n"
"\n"
"Imports plain-text articles (wire copy, scraped pages): the first line is\n"
"the headline, blank lines separate paragraphs, a caption paragraph followed\n"
"by a \"(Credit / Agency)\" line is a photo, a line of #hashtags gives tags,\n"
"and comment-form and sharing leftovers are dropped (docs/formats.md).\n"
"Each file succeeds or fails on its own; a failed file writes nothing.\n"
"\n"
"  --site DIR        the site to import into (required)\n"
"  --section S       the section, e.g. World (created if new)\n"
"  --author A        the author, e.g. \"Jane Doe\" (created if new)\n"
"  --date ISO        publication time, ISO 8601 (default: now)\n"
"  --standfirst T    a standfirst (plain text has none)\n"
"  --photos DIR      image files matched to the photos in order, by name\n"
"  --publish         publish now (default: save as a draft)\n";

/* Options shared by import and post. */
struct content_opts {
	const char *site;
	struct publish_opts po;
};

static const struct option content_longopts[] = {
	{ "site", required_argument, NULL, 's' },
	{ "section", required_argument, NULL, 'S' },
	{ "author", required_argument, NULL, 'a' },
	{ "date", required_argument, NULL, 'd' },
	{ "standfirst", required_argument, NULL, 'f' },
	{ "photos", required_argument, NULL, 'p' },
	{ "publish", no_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parses options; returns -1 after printing help (EXIT_OK) or a usage
 * error (EXIT_USAGE) into *status. */
static int
content_getopt(int argc, char **argv, const char *name, const char *help,
    struct content_opts *o, int *status)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = cli_getopt(argc, argv, "", content_longopts)) != -1) {
		switch (c) {
		case 's': o->site = optarg; break;
		case 'S': o->po.section = optarg; break;
		case 'a': o->po.author = optarg; break;
		case 'f': o->po.standfirst = optarg; break;
		case 'p': o->po.photos_dir = optarg; break;
		case 'P': o->po.publish = 1; break;
		case 'd': {
			long long t;
			if (markup_parse_date(optarg, &t) < 0) {
				*status = cli_usage(name, "--date '%s' is not an ISO 8601 date", optarg);
				return -1;
			}
			o->po.date = t;
			break;
		}
		case 'h':
			fputs(help, stdout);
			*status = EXIT_OK;
			return -1;
		default:
			*status = EXIT_USAGE;
			return -1;
		}
	}
	if (o->site == NULL) {
		*status = cli_usage(name, "--site DIR is required");
		return -1;
	}
	return 0;
}

int
cmd_import(int argc, char **argv)
{
	struct content_opts o;
	struct site *site;
	struct bl_err err;
	int status, ok = 0, failed = 0;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(import_help, stdout);
		return EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "text") != 0)
		return cli_usage("import", "expected a format: 'byline import text FILE...'");
	if (content_getopt(argc - 1, argv + 1, "import", import_help, &o, &status) < 0)
		return status;
	/* getopt permutes, so the files are what is left after the options. */
	if (optind + 1 > argc - 1)
		return cli_usage("import", "expected at least one FILE");
	if (site_open(o.site, &site, &err) < 0)
		return cli_fail("import: %s", err.msg);
	for (int i = optind + 1; i < argc; i++) {
		struct bl_arena a = BL_ARENA_INIT;
		struct publish_result r;
		const char *file = argv[i];

		if (site_import_text(site, &a, file, &o.po, &r, &err) < 0) {
			fprintf(stderr, "byline: import: %s: %s\n", file, err.msg);
			failed++;
		} else {
			printf("%s: \"%s\": %zu paragraph%s, %zu photo%s, %zu tag%s, "
			    "%zu chrome line%s dropped; %s %s\n", file, r.title,
			    r.nparas, S(r.nparas), r.nphotos, S(r.nphotos), r.ntags,
			    S(r.ntags), r.ndropped, S(r.ndropped),
			    o.po.publish ? "published at" : "saved as a draft for", r.path);
			ok++;
		}
		bl_arena_release(&a);
	}
	site_close(site);
	printf("imported %d of %d files%s\n", ok, ok + failed,
	    failed ? "; the others were not changed" : "");
	return failed ? EXIT_FAIL : EXIT_OK;
}

static const char post_help[] =
"usage: byline post add FILE.md --site DIR [--publish]\n"
"\n"
"Adds an article written in Markdown with a front-matter block (title,\n"
"standfirst, author, section, dateline, tags, date, slug, and photos each\n"
"with file, caption, credit and alt; see docs/formats.md). Photo files are\n"
"read relative to the Markdown file and copied into the site's media.\n"
"\n"
"  --site DIR        the site (required)\n"
"  --publish         publish (default: save as a draft)\n"
"  --section S, --author A, --date ISO, --standfirst T\n"
"                    override the front matter\n"
"  --photos DIR      read photo files from DIR instead\n";

int
cmd_post(int argc, char **argv)
{
	struct content_opts o;
	struct site *site;
	struct bl_err err;
	struct bl_arena a = BL_ARENA_INIT;
	struct publish_result r;
	int status, rc = EXIT_OK;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(post_help, stdout);
		return EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage("post", "expected 'byline post add FILE.md'");
	if (content_getopt(argc - 1, argv + 1, "post", post_help, &o, &status) < 0)
		return status;
	if (optind + 2 != argc)
		return cli_usage("post", "expected exactly one FILE.md");
	if (site_open(o.site, &site, &err) < 0)
		return cli_fail("post: %s", err.msg);
	if (site_post_add(site, &a, argv[optind + 1], &o.po, &r, &err) < 0)
		rc = cli_fail("post: %s", err.msg);
	else
		printf("%s: \"%s\": %zu photo%s, %zu tag%s; %s %s\n", argv[optind + 1],
		    r.title, r.nphotos, S(r.nphotos), r.ntags, S(r.ntags),
		    o.po.publish ? "published at" : "saved as a draft for", r.path);
	bl_arena_release(&a);
	site_close(site);
	return rc;
}

/* ----------------------------------------------------------------- demo */

static const char demo_help[] =
"usage: byline demo DIR [--database URL]\n"
"\n"
"Creates a site in DIR (unless one is there) and fills it with the demo\n"
"newsroom's stories, photos (generated), authors and comments, with dates\n"
"moved so that the newest story is an hour old. A site that already has\n"
"stories is left as it is.\n"
"\n"
"  --database URL  create the site on this database (as byline init)\n";

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in `dir` ending with `ext`. */
static char **
list_files(struct bl_arena *a, const char *dir, const char *ext, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = bl_arena_alloc(a, 256 * sizeof(*v));
	size_t len = strlen(ext);

	*n = 0;
	if (d == NULL)
		return v;
	while ((e = readdir(d)) != NULL && *n < 256) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] != '.' && l > len && strcmp(e->d_name + l - len, ext) == 0)
			v[(*n)++] = bl_arena_strdup(a, e->d_name);
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static unsigned
seed_of(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int
rm_tree_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir);
}

/* Sets author bios from demo/authors.json and adds demo/comments.json,
 * whose "article" names a demo file (without .md). */
static int
demo_people(struct site *site, struct bl_arena *a, const char *data,
    char **names, const int64_t *ids, const int64_t *published, size_t n,
    int *ncomments, struct bl_err *err)
{
	char *path;
	json_t *root = NULL, *item;
	json_error_t je;
	struct store *st;
	int64_t *cids = NULL;
	size_t i, count;
	int rc = -1;

	st = site_store(site, err);
	if (st == NULL)
		return -1;
	path = bl_arena_printf(a, "%s/demo/authors.json", data);
	root = json_load_file(path, 0, &je);
	if (root == NULL || !json_is_array(root)) {
		bl_errf(err, "cannot read '%s': %s", path, root ? "not a list" : je.text);
		goto out;
	}
	json_array_foreach(root, i, item) {
		const char *name = json_string_value(json_object_get(item, "name"));
		const char *bio = json_string_value(json_object_get(item, "bio"));

		if (name && bio && store_author_set_bio(st, name, bio, err) < 0)
			goto out;
	}
	json_decref(root);
	path = bl_arena_printf(a, "%s/demo/comments.json", data);
	root = json_load_file(path, 0, &je);
	if (root == NULL || !json_is_array(root)) {
		bl_errf(err, "cannot read '%s': %s", path, root ? "not a list" : je.text);
		goto out;
	}
	count = json_array_size(root);
	cids = bl_arena_alloc(a, (count + 1) * sizeof(*cids));
	json_array_foreach(root, i, item) {
		const char *art = json_string_value(json_object_get(item, "article"));
		json_t *reply = json_object_get(item, "reply_to");
		struct st_comment c;
		size_t k;

		memset(&c, 0, sizeof(c));
		for (k = 0; k < n; k++) {
			size_t l = strlen(names[k]);
			if (art && strncmp(names[k], art, l - 3) == 0 && art[l - 3] == '\0')
				break;
		}
		if (k == n) {
			bl_errf(err, "comment %zu names an unknown article '%s'", i,
			    art ? art : "(none)");
			goto out;
		}
		c.article_id = ids[k];
		if (json_is_integer(reply) && (size_t)json_integer_value(reply) < i)
			c.parent_id = cids[json_integer_value(reply)];
		c.author = (char *)json_string_value(json_object_get(item, "author"));
		c.email = (char *)json_string_value(json_object_get(item, "email"));
		c.url = (char *)json_string_value(json_object_get(item, "url"));
		c.body = (char *)json_string_value(json_object_get(item, "body"));
		c.ip = "127.0.0.1";
		c.status = STC_APPROVED;
		c.created_at = published[k] + 60 *
		    json_integer_value(json_object_get(item, "after_minutes"));
		if (c.created_at > (int64_t)time(NULL))
			c.created_at = (int64_t)time(NULL) - 60;
		if (c.author == NULL || c.body == NULL) {
			bl_errf(err, "comment %zu lacks an author or a body", i);
			goto out;
		}
		if (c.email == NULL)
			c.email = "";
		if (c.url == NULL)
			c.url = "";
		if (store_comment_add(st, &c, &cids[i], err) < 0)
			goto out;
		(*ncomments)++;
	}
	rc = 0;
out:
	json_decref(root);
	site_store_put(site, st);
	return rc;
}

int
cmd_demo(int argc, char **argv)
{
	struct bl_arena a = BL_ARENA_INIT;
	struct bl_err err;
	struct site *site = NULL;
	struct store *st;
	struct st_query q;
	struct st_list existing;
	const char *dir, *data = site_datadir(), *database = NULL;
	char *articles_dir, *wire_dir, tmp[] = "/tmp/byline-demo-XXXXXX";
	char **files;
	size_t nfiles;
	long long newest = 0, shift;
	int64_t *ids, *published;
	char **md_files;
	size_t nmd;
	int rc = EXIT_FAIL, count = 0, ncomments = 0;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(demo_help, stdout);
		return EXIT_OK;
	}
	if (argc == 4 && strcmp(argv[2], "--database") == 0)
		database = argv[3];
	else if (argc == 3 && strncmp(argv[2], "--database=", 11) == 0)
		database = argv[2] + 11;
	else if (argc != 2)
		return cli_usage("demo", "expected one site folder");
	if (argv[1][0] == '-' || (database != NULL && *database == '\0'))
		return cli_usage("demo", "expected one site folder");
	dir = argv[1];
	{
		char *conf = bl_arena_printf(&a, "%s/byline.conf", dir);
		if (access(conf, F_OK) < 0 &&
		    site_init(dir, "The Harbridge Courier", "http://127.0.0.1:8080",
		    database, &err) < 0) {
			rc = cli_fail("demo: %s", err.msg);
			goto out;
		}
	}
	if (site_open(dir, &site, &err) < 0) {
		rc = cli_fail("demo: %s", err.msg);
		goto out;
	}
	st = site_store(site, &err);
	if (st == NULL) {
		rc = cli_fail("demo: %s", err.msg);
		goto out;
	}
	memset(&q, 0, sizeof(q));
	q.limit = 1;
	if (store_article_list(st, &a, &q, &existing, &err) < 0) {
		site_store_put(site, st);
		rc = cli_fail("demo: %s", err.msg);
		goto out;
	}
	site_store_put(site, st);
	if (existing.total > 0) {
		printf("%s already has %lld stories; leaving it as it is\n", dir,
		    (long long)existing.total);
		rc = EXIT_OK;
		goto out;
	}
	if (mkdtemp(tmp) == NULL) {
		rc = cli_fail("demo: cannot make a temporary folder: %s", strerror(errno));
		goto out;
	}
	articles_dir = bl_arena_printf(&a, "%s/demo/articles", data);
	wire_dir = bl_arena_printf(&a, "%s/demo/wire", data);
	files = list_files(&a, articles_dir, ".md", &nfiles);
	if (nfiles == 0) {
		rc = cli_fail("demo: no demo articles in '%s'", articles_dir);
		goto clean;
	}

	/* First pass: read the dates and draw the photos. */
	for (size_t i = 0; i < nfiles; i++) {
		struct bl_buf raw = BL_BUF_INIT;
		struct fm_post post;
		char *path = bl_arena_printf(&a, "%s/%s", articles_dir, files[i]);
		long long t;

		if (bl_file_read(path, 1 << 20, &raw, &err) < 0 ||
		    markup_front_matter(raw.s, raw.len, &a, &post, &err) < 0) {
			bl_buf_release(&raw);
			rc = cli_fail("demo: %s: %s", path, err.msg);
			goto clean;
		}
		if (post.date && markup_parse_date(post.date, &t) == 0 && t > newest)
			newest = t;
		for (size_t k = 0; k < post.nphotos; k++) {
			char *img = bl_arena_printf(&a, "%s/%s", tmp, post.photos[k].file);
			if (access(img, F_OK) == 0)
				continue;
			if (media_demo_image(img, seed_of(post.photos[k].file), 1600, 1000, &err) < 0) {
				bl_buf_release(&raw);
				rc = cli_fail("demo: %s", err.msg);
				goto clean;
			}
		}
		bl_buf_release(&raw);
	}
	shift = (long long)time(NULL) - 3600 - newest;
	md_files = files;
	nmd = nfiles;
	ids = bl_arena_alloc(&a, nfiles * sizeof(*ids));
	published = bl_arena_alloc(&a, nfiles * sizeof(*published));

	/* Second pass: publish, with dates moved so the newest is recent. */
	for (size_t i = 0; i < nfiles; i++) {
		struct bl_buf raw = BL_BUF_INIT;
		struct fm_post post;
		struct publish_opts po;
		struct publish_result r;
		char *path = bl_arena_printf(&a, "%s/%s", articles_dir, files[i]);
		long long t = newest;

		bl_file_read(path, 1 << 20, &raw, &err);
		if (markup_front_matter(raw.s, raw.len, &a, &post, &err) == 0 && post.date)
			markup_parse_date(post.date, &t);
		bl_buf_release(&raw);
		memset(&po, 0, sizeof(po));
		po.publish = 1;
		po.date = t + shift;
		po.photos_dir = tmp;
		if (site_post_add(site, &a, path, &po, &r, &err) < 0) {
			rc = cli_fail("demo: %s", err.msg);
			goto clean;
		}
		ids[i] = r.id;
		published[i] = po.date;
		count++;
	}

	/* Wire copy through the plain-text importer. */
	files = list_files(&a, wire_dir, ".txt", &nfiles);
	for (size_t i = 0; i < nfiles; i++) {
		struct publish_opts po;
		struct publish_result r;
		char *wdir = bl_arena_printf(&a, "%s/wire-%zu", tmp, i);
		char *path = bl_arena_printf(&a, "%s/%s", wire_dir, files[i]);

		mkdir(wdir, 0700);
		for (int k = 0; k < 3; k++) {
			char *img = bl_arena_printf(&a, "%s/%02d.jpg", wdir, k + 1);
			if (media_demo_image(img, seed_of(path) + (unsigned)k, 1600, 1000, &err) < 0) {
				rc = cli_fail("demo: %s", err.msg);
				goto clean;
			}
		}
		memset(&po, 0, sizeof(po));
		po.publish = 1;
		po.section = "World";
		po.author = "Courier Wire Desk";
		po.date = time(NULL) - 3 * 3600 - (long long)i * 86400 * 3;
		po.photos_dir = wdir;
		if (site_import_text(site, &a, path, &po, &r, &err) < 0) {
			rc = cli_fail("demo: %s: %s", path, err.msg);
			rm_tree_files(wdir);
			goto clean;
		}
		rm_tree_files(wdir);
		count++;
	}
	if (demo_people(site, &a, data, md_files, ids, published, nmd,
	    &ncomments, &err) < 0) {
		rc = cli_fail("demo: %s", err.msg);
		goto clean;
	}
	printf("demo site in %s: %d stories, %d comments\n", dir, count, ncomments);
	rc = EXIT_OK;
clean:
	rm_tree_files(tmp);
out:
	site_close(site);
	bl_arena_release(&a);
	return rc;
}
