/* base64url encoding (RFC 4648 section 5, no padding) of public bytes. */
#ifndef BL_BASE64_H
#define BL_BASE64_H

#include <stddef.h>

/* The characters bl_base64url() writes for n bytes, without the NUL. */
#define BL_BASE64URL_LEN(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))

/*
 * Writes base64url of in[0..n), no padding, NUL-terminated, to `out`
 * (borrowed), which must hold BL_BASE64URL_LEN(n) + 1 bytes. Returns the
 * characters written. Its time depends on the data, so it is for public
 * bytes only (ciphertext, MACs); libsodium's sodium_bin2base64() is the
 * constant-time one for secrets. The output is the same as that of
 * sodium_bin2base64() with sodium_base64_VARIANT_URLSAFE_NO_PADDING, so
 * sodium_base642bin() decodes it.
 */
size_t bl_base64url(const unsigned char *in, size_t n, char *out);

#endif
