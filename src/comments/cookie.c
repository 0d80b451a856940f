/* Cookie values signed with HMAC-SHA256, bound to the cookie's name. */
#include "comments/comments.h"

#include <string.h>

#include <sodium.h>

#include "core/alloc.h"

#define MAC_CHARS 43    /* base64url of 32 bytes, no padding */

/* RFC 6265 cookie-octet, less the '.' that separates the MAC. */
static int
payload_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' ||
		    c == ';' || c == '\\' || c == '.')
			return 0;
	}
	return 1;
}

/* RFC 7230 token: what a cookie name may be. */
static int
name_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", c))
			return 0;
	}
	return 1;
}

/* The signed message: name "=" payload. */
static int
message(struct bl_buf *msg, const char *name, const char *payload, size_t n)
{
	bl_buf_puts(msg, name);
	bl_buf_putc(msg, '=');
	bl_buf_add(msg, payload, n);
	return bl_buf_err(msg);
}

int
cmt_cookie_sign(const struct cmt_keys *k, const char *name,
    const char *payload, struct bl_buf *out)
{
	unsigned char h[crypto_auth_hmacsha256_BYTES];
	char b64[MAC_CHARS + 1];
	struct bl_buf msg = BL_BUF_INIT;
	size_t n;
	int rc = -1;

	if (!name_ok(name) || payload == NULL)
		return -1;
	n = strlen(payload);
	if (!payload_ok(payload, n))
		return -1;
	if (sodium_init() < 0)
		bl_fatal("cannot initialise libsodium");
	if (message(&msg, name, payload, n) < 0)
		goto out;
	crypto_auth_hmacsha256(h, (const unsigned char *)msg.s, msg.len,
	    k->cookie);
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	bl_buf_add(out, payload, n);
	bl_buf_putc(out, '.');
	bl_buf_add(out, b64, MAC_CHARS);
	rc = bl_buf_err(out);
out:
	bl_buf_release(&msg);
	return rc;
}

int
cmt_cookie_verify(const struct cmt_keys *k, const char *name,
    const char *value, struct bl_buf *payload)
{
	unsigned char h[crypto_auth_hmacsha256_BYTES];
	struct bl_buf msg = BL_BUF_INIT;
	const char *dot, *end = NULL;
	size_t n, binlen = 0;
	int rc = -1;

	if (!name_ok(name) || value == NULL)
		return -1;
	dot = strrchr(value, '.');
	if (dot == NULL || strlen(dot + 1) != MAC_CHARS)
		return -1;
	n = (size_t)(dot - value);
	if (!payload_ok(value, n))
		return -1;
	if (sodium_init() < 0)
		bl_fatal("cannot initialise libsodium");
	if (sodium_base642bin(h, sizeof(h), dot + 1, MAC_CHARS, NULL, &binlen,
	    &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    binlen != sizeof(h) || end != dot + 1 + MAC_CHARS)
		goto out;
	if (message(&msg, name, value, n) < 0 ||
	    crypto_auth_hmacsha256_verify(h, (const unsigned char *)msg.s,
	    msg.len, k->cookie) != 0)
		goto out;
	bl_buf_add(payload, value, n);
	rc = bl_buf_err(payload);
out:
	bl_buf_release(&msg);
	return rc;
}
