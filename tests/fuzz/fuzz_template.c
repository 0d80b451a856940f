/* Fuzzes the template engine: compiling theme templates and rendering
 * them with a small value tree. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "render/tpl.h"

/*
 * Input: a line of text used as a value, then the source of template
 * "main". A partial "item" (which may include itself) and "main" itself
 * are in the set so {{>...}} and recursion are reached.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char item_src[] =
	    "<li><a href=\"{{url}}\">{{name}}</a>"
	    "{{#children}}<ul>{{>item}}</ul>{{/children}}</li>";
	const char *names[] = { "main", "item" };
	const char *srcs[2];
	struct bl_arena a = BL_ARENA_INIT;
	struct bl_err err = { .msg = "" };
	struct bl_buf out = BL_BUF_INIT;
	struct tpl_set *set = NULL;
	struct tpl_val *root, *list, *m, *kids;
	const uint8_t *src;
	size_t vlen, slen;
	char *val, *tpl;

	vlen = fuzz_split(data, size, '\n', &src, &slen);
	val = fuzz_str(data, vlen);
	tpl = fuzz_str(src, slen);
	srcs[0] = tpl;
	srcs[1] = item_src;
	if (tpl_set_from_strings(names, srcs, 2, &set, &err) == 0) {
		root = tpl_map(&a);
		tpl_set_text(&a, root, "title", val);
		tpl_set_text(&a, root, "url", "javascript:alert(1)");
		tpl_set_int(&a, root, "n", 3);
		tpl_set_bool(&a, root, "yes", 1);
		tpl_set_html(&a, root, "body", "<p>safe <em>html</em></p>");
		list = tpl_set_list(&a, root, "items");
		for (int i = 0; i < 3; i++) {
			m = tpl_list_add_map(&a, list);
			tpl_set_text(&a, m, "name", i ? "<b>x</b>" : val);
			tpl_set_text(&a, m, "url", i ? "/a?b=\"c\"" : val);
			kids = tpl_set_list(&a, m, "children");
			if (i == 0)
				tpl_set_text(&a, tpl_list_add_map(&a, kids),
				    "name", "child");
		}
		list = tpl_set_list(&a, root, "tags");
		tpl_list_add_text(&a, list, val);
		tpl_list_add_text(&a, list, "news");
		m = tpl_set_map(&a, root, "site");
		tpl_set_text(&a, m, "name", "Byline");
		bl_buf_init(&out, 1 << 22);
		(void)tpl_render(set, "main", root, &out, &err);
		bl_buf_release(&out);
		tpl_set_free(set);
	}
	bl_arena_release(&a);
	free(val);
	free(tpl);
	return 0;
}
