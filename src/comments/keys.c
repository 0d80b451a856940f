/* Loading DIR/secret.key and deriving the comment sub-keys from it. */
#include "comments/comments.h"

#include <string.h>

#include <sodium.h>

#include "core/file.h"

#define KDF_CONTEXT "bylinekv"

enum { KEY_CAPTCHA = 1, KEY_COOKIE = 2, KEY_AVATAR = 3 };

int
cmt_keys_derive(const unsigned char master[32], struct cmt_keys *k,
    struct bl_err *err)
{
	if (sodium_init() < 0)
		return bl_errf(err, "cannot initialise libsodium");
	if (crypto_kdf_derive_from_key(k->captcha, sizeof(k->captcha),
	    KEY_CAPTCHA, KDF_CONTEXT, master) != 0 ||
	    crypto_kdf_derive_from_key(k->cookie, sizeof(k->cookie),
	    KEY_COOKIE, KDF_CONTEXT, master) != 0 ||
	    crypto_kdf_derive_from_key(k->avatar, sizeof(k->avatar),
	    KEY_AVATAR, KDF_CONTEXT, master) != 0) {
		sodium_memzero(k, sizeof(*k));
		return bl_errf(err, "cannot derive the comment keys");
	}
	return 0;
}

int
cmt_keys_load(const char *path, struct cmt_keys *k, struct bl_err *err)
{
	struct bl_buf b = BL_BUF_INIT;
	unsigned char master[crypto_kdf_KEYBYTES];
	size_t n, binlen = 0;
	const char *end = NULL;
	int rc = -1;

	if (bl_file_read(path, 256, &b, err) < 0)
		goto out;
	n = b.len;
	while (n > 0 && (b.s[n - 1] == '\n' || b.s[n - 1] == '\r' ||
	    b.s[n - 1] == ' ' || b.s[n - 1] == '\t'))
		n--;
	if (n != 2 * sizeof(master) ||
	    sodium_hex2bin(master, sizeof(master), b.s, n, NULL, &binlen,
	    &end) != 0 || binlen != sizeof(master) || end != b.s + n) {
		bl_errf(err, "bad secret key in '%s': expected %zu hex digits",
		    path, 2 * sizeof(master));
		goto out;
	}
	rc = cmt_keys_derive(master, k, err);
out:
	sodium_memzero(master, sizeof(master));
	if (b.len)
		sodium_memzero(b.s, b.len);
	bl_buf_release(&b);
	return rc;
}
