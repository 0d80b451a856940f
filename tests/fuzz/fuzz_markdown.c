/* Fuzzes article sources: front matter and the Markdown body. */
#include "fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "markup/markup.h"
#include "store/store.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_photo photos[2];
	const char *refs[2] = { "Harbour Sweep.JPG", NULL };
	struct bl_arena a = BL_ARENA_INIT;
	struct bl_err err = { .msg = "" };
	struct bl_buf out = BL_BUF_INIT;
	struct fm_post post;
	const char *body = (const char *)data;
	size_t blen = size;

	memset(photos, 0, sizeof(photos));
	photos[0].file = "2026/11/harbour-sweep.jpg";
	photos[0].caption = "The harbour at dawn";
	photos[0].credit = "Jane Doe / Example Agency";
	photos[0].alt = "";
	photos[1].pos = 1;
	photos[1].file = "";
	photos[1].caption = "No image";
	photos[1].credit = "";
	photos[1].alt = "";

	memset(&post, 0, sizeof(post));
	if (markup_front_matter((const char *)data, size, &a, &post, &err) == 0
	    && post.body != NULL) {
		body = post.body;
		blen = post.body_len;
	}
	bl_buf_init(&out, 1 << 22);
	(void)markup_markdown_body(&out, body, blen, photos, 2, &err);
	bl_buf_reset(&out);
	(void)markup_markdown_body_refs(&out, body, blen, photos, refs, 2,
	    &err);
	bl_buf_release(&out);
	bl_arena_release(&a);
	return 0;
}
