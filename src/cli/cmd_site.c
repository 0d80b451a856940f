/* byline init, serve and config: creating, serving and configuring a site. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "core/buf.h"
#include "http/server.h"
#include "site/site.h"

static const char init_help[] =
"usage: byline init DIR [--title T] [--url URL] [--database URL]\n"
"\n"
"Creates a new site in DIR: DIR/byline.conf (settings), DIR/byline.db\n"
"(the SQLite database), DIR/media/ (photos) and DIR/secret.key (a random\n"
"key readable only by its owner). Refuses to touch an existing site.\n"
"\n"
"  --title T       the site's name (default \"Byline\")\n"
"  --url URL       its public address (default http://127.0.0.1:8080)\n"
"  --database URL  keep the site in PostgreSQL instead:\n"
"                  postgresql://USER@HOST:PORT/DB (the database must\n"
"                  exist; its tables are created); or sqlite:PATH\n";

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "url", required_argument, NULL, 'u' },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *title = "Byline", *url = "http://127.0.0.1:8080";
	const char *database = NULL;
	struct bl_err err;
	int c;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 't': title = optarg; break;
		case 'u': url = optarg; break;
		case 'd': database = optarg; break;
		case 'h': fputs(init_help, stdout); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage("init", "expected one site folder");
	if (config_check(config_find("site.title"), title, &err) < 0 ||
	    config_check(config_find("site.url"), url, &err) < 0)
		return cli_usage("init", "%s", err.msg);
	if (database != NULL && (*database == '\0' ||
	    strpbrk(database, "\r\n") != NULL))
		return cli_usage("init", "--database needs a database URL");
	if (site_init(argv[optind], title, url, database, &err) < 0)
		return cli_fail("init: %s", err.msg);
	printf("created site '%s' in %s\n", title, argv[optind]);
	return EXIT_OK;
}

static const char serve_help[] =
"usage: byline serve DIR [--listen HOST:PORT] [--threads N]\n"
"\n"
"Serves the site in DIR over HTTP until SIGTERM or SIGINT.\n"
"\n"
"  --listen HOST:PORT  address to listen on (default: server.listen in\n"
"                      byline.conf, 127.0.0.1:8080); IPv6 as [::1]:8080\n"
"  --threads N         worker threads (default: server.threads, 0 = one\n"
"                      per CPU core)\n";

/* Splits "host:port" or "[v6]:port". */
static int
parse_listen(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon;
	char *end;
	long p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':')
			return -1;
		snprintf(host, hostlen, "%.*s", (int)(close - s - 1), s + 1);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || colon == s)
			return -1;
		snprintf(host, hostlen, "%.*s", (int)(colon - s), s);
	}
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || p < 0 || p > 65535)
		return -1;
	*port = (unsigned)p;
	return 0;
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen = NULL;
	long threads = -1;
	char host[256], *end;
	struct http_config hc;
	struct http_server *srv;
	struct site *site;
	struct bl_err err;
	sigset_t set;
	int c, sig;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 't':
			threads = strtol(optarg, &end, 10);
			if (*end || threads < 0 || threads > 256)
				return cli_usage("serve", "--threads must be 0 to 256");
			break;
		case 'h': fputs(serve_help, stdout); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage("serve", "expected one site folder");
	if (site_open(argv[optind], &site, &err) < 0)
		return cli_fail("serve: %s", err.msg);
	memset(&hc, 0, sizeof(hc));
	if (parse_listen(listen ? listen : site->cfg.server_listen, host,
	    sizeof(host), &hc.port) < 0) {
		site_close(site);
		return cli_usage("serve", "listen address must be HOST:PORT, not '%s'",
		    listen ? listen : site->cfg.server_listen);
	}
	hc.host = host;
	hc.threads = (unsigned)(threads >= 0 ? threads : site->cfg.server_threads);
	hc.max_conns = (unsigned)site->cfg.server_max_connections;
	hc.conn_timeout = (unsigned)site->cfg.server_timeout;
	hc.max_body = (size_t)site->cfg.server_max_body;
	hc.max_header = (size_t)site->cfg.server_max_header_bytes;
	hc.per_ip_conns = (unsigned)site->cfg.server_per_ip_connections;
	hc.handler = site_handle;
	hc.ctx = site;
	/* Signals are taken by sigwait() below; every thread started from
	 * here on inherits the blocked mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (site_serve_prepare(site, &err) < 0) {
		site_close(site);
		return cli_fail("serve: %s", err.msg);
	}
	if (http_server_start(&hc, &srv, &err) < 0) {
		site_close(site);
		return cli_fail("serve: %s", err.msg);
	}
	fprintf(stderr, "byline: serving %s at http://%s%s%s:%u/\n", argv[optind],
	    strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
	    http_server_port(srv));
	sigwait(&set, &sig);
	fprintf(stderr, "byline: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_server_stop(srv);
	site_close(site);
	return EXIT_OK;
}

static const char config_help[] =
"usage: byline config get KEY --site DIR\n"
"       byline config set KEY VALUE --site DIR\n"
"       byline config list\n"
"\n"
"Reads or changes a setting in DIR/byline.conf. Keys are SECTION.NAME,\n"
"for example site.title; 'byline config list' prints them all with their\n"
"defaults (docs/configuration.md has the same table).\n";

int
cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "site", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *verb;
	struct bl_buf path = BL_BUF_INIT, out = BL_BUF_INIT;
	struct bl_err err;
	struct config cfg;
	int c, rc = EXIT_OK, nargs;
	char **args;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'h': fputs(config_help, stdout); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	args = argv + optind;
	nargs = argc - optind;
	if (nargs < 1)
		return cli_usage("config", "expected get, set or list");
	verb = args[0];
	if (strcmp(verb, "list") == 0) {
		config_doc_markdown(&out);
		fputs(out.s, stdout);
		bl_buf_release(&out);
		return EXIT_OK;
	}
	if (strcmp(verb, "get") != 0 && strcmp(verb, "set") != 0)
		return cli_usage("config", "'%s' is not get, set or list", verb);
	if ((strcmp(verb, "get") == 0 && nargs != 2) || (strcmp(verb, "set") == 0 && nargs != 3))
		return cli_usage("config", "config %s takes %s", verb,
		    verb[0] == 'g' ? "KEY" : "KEY VALUE");
	if (dir == NULL)
		return cli_usage("config", "--site DIR is required");
	if (config_find(args[1]) == NULL)
		return cli_fail("config: unknown setting '%s'", args[1]);
	bl_buf_printf(&path, "%s/byline.conf", dir);
	if (verb[0] == 'g') {
		if (config_load(path.s, &cfg, &err) < 0 ||
		    config_get(&cfg, args[1], &out, &err) < 0)
			rc = cli_fail("config: %s", err.msg);
		else
			printf("%s\n", out.s);
		config_release(&cfg);
	} else if (config_load(path.s, &cfg, &err) < 0) {
		rc = cli_fail("config: %s", err.msg);
		config_release(&cfg);
	} else {
		config_release(&cfg);
		if (config_set_file(path.s, args[1], args[2], &err) < 0)
			rc = cli_fail("config: %s", err.msg);
	}
	bl_buf_release(&path);
	bl_buf_release(&out);
	return rc;
}
