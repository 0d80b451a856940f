/* Fuzzes signed cookie values (the comment form's remembered details and
 * the reader's own comments) under fixed keys. */
#include "fuzz.h"

#include "comments/comments.h"
#include "core/buf.h"

/*
 * Input: the cookie name up to the first '=', then its value. Any value
 * must verify or be refused without harm; a payload that signs must
 * verify back to itself.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmt_keys keys;
	static int ready;
	struct bl_buf payload = BL_BUF_INIT, signed_v = BL_BUF_INIT;
	const uint8_t *val;
	size_t vlen, nlen;
	char *name, *value;

	if (!ready) {
		unsigned char master[32];

		memset(master, 7, sizeof(master));
		if (cmt_keys_derive(master, &keys, NULL) != 0)
			abort();
		ready = 1;
	}
	nlen = fuzz_split(data, size, '=', &val, &vlen);
	name = fuzz_str(data, nlen);
	value = fuzz_str(val, vlen);

	(void)cmt_cookie_verify(&keys, name, value, &payload);
	bl_buf_reset(&payload);
	if (cmt_cookie_sign(&keys, name, value, &signed_v) == 0) {
		if (cmt_cookie_verify(&keys, name, signed_v.s, &payload) != 0 ||
		    strcmp(payload.s, value) != 0)
			abort();
	}
	bl_buf_release(&payload);
	bl_buf_release(&signed_v);
	free(name);
	free(value);
	return 0;
}
