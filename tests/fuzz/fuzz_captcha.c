/* Fuzzes CAPTCHA tokens and answers as posted with a comment, under fixed
 * keys. */
#include "fuzz.h"

#include "comments/comments.h"

#define NOW 1700000000

/*
 * Input: the answer up to the first newline, then the token. Odd-length
 * inputs also check a genuine token with the fuzzed answer, so the
 * verifying path is reached too.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmt_keys keys;
	static int ready;
	unsigned char nonce[CMT_NONCE_BYTES];
	struct cmt_challenge c;
	const uint8_t *tok;
	size_t tlen, alen;
	char *answer, *token;
	int64_t expires;
	enum cmt_captcha r;

	if (!ready) {
		unsigned char master[32];

		memset(master, 7, sizeof(master));
		if (cmt_keys_derive(master, &keys, NULL) != 0)
			abort();
		ready = 1;
	}
	alen = fuzz_split(data, size, '\n', &tok, &tlen);
	answer = fuzz_str(data, alen);
	token = fuzz_str(tok, tlen);

	r = cmt_captcha_check(&keys, token, answer, 42, NOW, 3, nonce,
	    &expires);
	/* A forged token can never pass. */
	if (r == CMT_CAPTCHA_OK)
		abort();
	(void)cmt_captcha_message(r);
	if (size & 1) {
		cmt_captcha_new(&keys, 42, NOW - 60, 1800, &c);
		(void)cmt_captcha_check(&keys, c.token, answer, 42, NOW, 3,
		    nonce, &expires);
		(void)cmt_captcha_check(&keys, c.token, answer, 43, NOW, 3,
		    nonce, &expires);
	}
	free(answer);
	free(token);
	return 0;
}
