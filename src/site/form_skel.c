/* The fresh comment form: rendered once, filled in for every view. */
#include "site/site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "core/alloc.h"
#include "render/html.h"

/*
 * The form as the template renders it for a first-time reader, cut at
 * its three slots: piece[0] QUESTION piece[1] ARTICLE piece[2] TOKEN
 * piece[3], in the order the default theme has them. A theme may put the
 * slots in another order; `order` records which slot follows each piece.
 */
enum { SLOT_QUESTION, SLOT_ARTICLE, SLOT_TOKEN, SLOT__MAX };

struct form_skel {
	char *text;                /* the rendered form, slots cut out */
	size_t at[SLOT__MAX + 1];  /* piece i starts at at[i] */
	size_t len[SLOT__MAX + 1]; /* and is len[i] bytes */
	int order[SLOT__MAX];      /* the slot after piece i */
	/* CRC-32 of each piece and crc32_combine_gen() of its length, so a
	 * view's CRC (for its gzip member) covers only its own values. */
	uint32_t crc[SLOT__MAX + 1];
	unsigned long op[SLOT__MAX + 1];
};

static const char *const slot_text[SLOT__MAX] = {
	FORM_SLOT_QUESTION, FORM_SLOT_ARTICLE, FORM_SLOT_TOKEN,
};

void
form_skel_free(struct form_skel *k)
{
	if (k == NULL)
		return;
	free(k->text);
	free(k);
}

/* Where `needle` is in text[0..n), or NULL; sets *count to how often. */
static const char *
find_once(const char *text, size_t n, const char *needle, int *count)
{
	const char *first = NULL, *p = text, *end = text + n, *m;
	size_t k = strlen(needle);

	*count = 0;
	while (p < end && (m = memmem(p, (size_t)(end - p), needle, k)) != NULL) {
		if (first == NULL)
			first = m;
		(*count)++;
		p = m + k;
	}
	return first;
}

int
form_skel_build(struct site *s, struct bl_err *err)
{
	struct comment_form f;
	struct form_skel *k;
	struct bl_arena a;
	const char *out, *where[SLOT__MAX];
	size_t len, pos, i, j;
	int count, ord[SLOT__MAX], t;

	form_skel_free(s->form_skel);
	s->form_skel = NULL;
	memset(&f, 0, sizeof(f));
	f.article_id = 1;
	f.article_path = "/";
	f.skeleton = 1;
	bl_arena_init(&a);
	if (site_comment_fragment(s, &a, NULL, &f, &out, &len) < 0) {
		bl_arena_release(&a);
		return bl_errf(err, "cannot render the comment form");
	}
	for (i = 0; i < SLOT__MAX; i++) {
		where[i] = find_once(out, len, slot_text[i], &count);
		if (count != 1) {
			/* A theme that leaves a slot out, or shows it twice,
			 * is served by the template on every view. */
			bl_arena_release(&a);
			return 0;
		}
		ord[i] = (int)i;
	}
	/* Slots in the order they appear (insertion sort of three). */
	for (i = 1; i < SLOT__MAX; i++)
		for (j = i; j > 0 && where[ord[j]] < where[ord[j - 1]]; j--) {
			t = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	k = bl_xcalloc(1, sizeof(*k));
	k->text = bl_xmalloc(len + 1);
	memcpy(k->text, out, len);
	k->text[len] = '\0';
	pos = 0;
	for (i = 0; i < SLOT__MAX; i++) {
		size_t start = (size_t)(where[ord[i]] - out);

		k->at[i] = pos;
		k->len[i] = start - pos;
		k->order[i] = ord[i];
		pos = start + strlen(slot_text[ord[i]]);
	}
	k->at[SLOT__MAX] = pos;
	k->len[SLOT__MAX] = len - pos;
	for (i = 0; i <= SLOT__MAX; i++) {
		k->crc[i] = (uint32_t)crc32(0L, (const Bytef *)k->text + k->at[i],
		    (uInt)k->len[i]);
		k->op[i] = crc32_combine_gen((z_off_t)k->len[i]);
	}
	s->form_skel = k;
	bl_arena_release(&a);
	return 0;
}

int
form_skel_fill(struct site *s, struct bl_arena *a, int64_t article_id,
    const char **out, size_t *len, uint32_t *crc)
{
	const struct form_skel *k = s->form_skel;
	struct cmt_challenge c;
	struct bl_buf b;
	char id[24];
	const char *v;
	size_t i, cap, at;
	unsigned long sum = 0;

	if (k == NULL)
		return -1;
	cmt_captcha_new(&s->keys, article_id, (int64_t)time(NULL),
	    s->cfg.comments_captcha_ttl, &c);
	snprintf(id, sizeof(id), "%lld", (long long)article_id);
	/* Escaping at most multiplies a byte by six ("&quot;"). */
	cap = k->at[SLOT__MAX] + k->len[SLOT__MAX] +
	    6 * (strlen(c.question) + strlen(c.token) + strlen(id)) + 1;
	bl_buf_init(&b, 1024 * 1024);
	bl_buf_grow(&b, cap);
	for (i = 0; i < SLOT__MAX; i++) {
		bl_buf_add(&b, k->text + k->at[i], k->len[i]);
		sum = crc32_combine_op(sum, k->crc[i], k->op[i]);
		v = k->order[i] == SLOT_QUESTION ? c.question :
		    k->order[i] == SLOT_ARTICLE ? id : c.token;
		at = b.len;
		html_text(&b, v, strlen(v));
		if (b.len > at)
			sum = crc32(sum, (const Bytef *)b.s + at,
			    (uInt)(b.len - at));
	}
	bl_buf_add(&b, k->text + k->at[SLOT__MAX], k->len[SLOT__MAX]);
	sum = crc32_combine_op(sum, k->crc[SLOT__MAX], k->op[SLOT__MAX]);
	if (bl_buf_err(&b) != 0) {
		bl_buf_release(&b);
		return -1;
	}
	*out = bl_arena_strndup(a, b.s, b.len);
	*len = b.len;
	if (crc != NULL)
		*crc = (uint32_t)sum;
	bl_buf_release(&b);
	return 0;
}
