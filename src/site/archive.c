/* Date archives and the archive index. */
#include "site/site_int.h"

int
site_archive_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	(void)s;
	(void)req;
	(void)res;
	return 0;
}
