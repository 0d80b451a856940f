/* Feeds (RSS, Atom, JSON Feed), sitemaps and robots.txt. */
#include "site/site_int.h"

int
site_feed_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	(void)s;
	(void)req;
	(void)res;
	return 0;
}
