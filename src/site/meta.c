/* Search-engine and social metadata for pages and articles. */
#include "site/site_int.h"

void
site_meta_page(struct site *s, struct bl_arena *a, struct tpl_val *root,
    const char *kind, const char *path)
{
	(void)s;
	(void)a;
	(void)root;
	(void)kind;
	(void)path;
}

void
site_meta_article(struct site *s, struct bl_arena *a, struct tpl_val *root,
    const struct st_article *ar)
{
	(void)s;
	(void)a;
	(void)root;
	(void)ar;
}
