/* Search over published articles, and related articles. */
#include "site/site_int.h"

int
site_search_route(struct site *s, const struct http_req *req,
    struct http_result *res)
{
	(void)s;
	(void)req;
	(void)res;
	return 0;
}

int
site_related_list(struct site *s, struct store *st, struct bl_arena *a,
    int64_t article_id, struct st_article **items, size_t *n,
    struct bl_err *err)
{
	(void)s;
	(void)st;
	(void)a;
	(void)article_id;
	(void)err;
	*items = NULL;
	*n = 0;
	return 0;
}
