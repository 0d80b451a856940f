/* Arithmetic CAPTCHA challenges and their sealed, stateless tokens. */
#include "comments/comments.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"
#include "core/base64.h"

/*
 * The sealed payload, a fixed little-endian layout:
 *   [0]      version (1)
 *   [1]      answer, 0..99
 *   [2..9]   article id
 *   [10..17] issue time
 *   [18..25] expiry time
 *   [26..41] random nonce (CMT_NONCE_BYTES)
 * The token is base64url(secretbox nonce || secretbox(payload)), no padding.
 */
#define PAYLOAD_VERSION 1
#define PAYLOAD_BYTES (2 + 8 + 8 + 8 + CMT_NONCE_BYTES)
#define SEALED_BYTES \
	(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PAYLOAD_BYTES)
#define TOKEN_CHARS ((SEALED_BYTES * 4 + 2) / 3)

_Static_assert(TOKEN_CHARS < CMT_TOKEN_MAX, "CAPTCHA token too long");
_Static_assert(BL_BASE64URL_LEN(SEALED_BYTES) == TOKEN_CHARS,
    "CAPTCHA token length");

static void
put64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

static int64_t
get64(const unsigned char *p)
{
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		u |= (uint64_t)p[i] << (8 * i);
	return (int64_t)u;
}

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* --------------------------------------------- per-thread random bytes */

/*
 * Every view of an article makes a challenge, and libsodium's
 * randombytes_buf() is one getrandom() system call per call (five per
 * challenge, about 5 % of a view's CPU). Each thread instead keeps a
 * ChaCha20 generator keyed from randombytes_buf(), in the "fast key
 * erasure" style: each refill makes RNG_BUF bytes of keystream, the first
 * 32 become the next key at once and the rest are handed out, each byte
 * wiped as it is taken, so neither past nor future output can be rebuilt
 * from the state in memory. The key comes afresh from the kernel every
 * RNG_RESEED refills and in a child after fork() (the fork generation
 * below), so a parent and child never share a stream.
 *
 * The state is per thread by necessity (a shared one would need a lock on
 * every view); it holds no configuration and nothing a caller sees.
 */
#define RNG_BUF 512
#define RNG_RESEED 4096

struct rng {
	unsigned char key[crypto_stream_chacha20_KEYBYTES];
	unsigned char buf[RNG_BUF];
	size_t pos;                  /* next unused byte of buf */
	unsigned refills;            /* since the last reseed */
	unsigned gen;                /* fork generation at the reseed */
	int seeded;
};

static _Thread_local struct rng rng_state;
static atomic_uint fork_gen;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void
on_fork_child(void)
{
	atomic_fetch_add(&fork_gen, 1);
}

static void
register_fork(void)
{
	pthread_atfork(NULL, NULL, on_fork_child);
}

static void
rng_refill(struct rng *g)
{
	static const unsigned char zero[crypto_stream_chacha20_NONCEBYTES];
	unsigned gen;

	gen = atomic_load_explicit(&fork_gen, memory_order_relaxed);
	if (!g->seeded || g->refills >= RNG_RESEED || g->gen != gen) {
		pthread_once(&fork_once, register_fork);
		if (sodium_init() < 0)
			bl_fatal("cannot initialise libsodium");
		randombytes_buf(g->key, sizeof(g->key));
		g->refills = 0;
		g->gen = gen;
		g->seeded = 1;
	}
	/* Each key is used once, so a fixed nonce is safe. */
	crypto_stream_chacha20(g->buf, sizeof(g->buf), zero, g->key);
	memcpy(g->key, g->buf, sizeof(g->key));
	sodium_memzero(g->buf, sizeof(g->key));
	g->pos = sizeof(g->key);
	g->refills++;
}

void
cmt_random(void *out, size_t n)
{
	struct rng *g = &rng_state;
	unsigned char *o = out;
	size_t k;

	/* After fork() what is left of the buffer is the parent's too. */
	if (!g->seeded || g->gen != atomic_load_explicit(&fork_gen,
	    memory_order_relaxed))
		rng_refill(g);
	while (n > 0) {
		if (g->pos >= sizeof(g->buf))
			rng_refill(g);
		k = sizeof(g->buf) - g->pos;
		if (k > n)
			k = n;
		memcpy(o, g->buf + g->pos, k);
		sodium_memzero(g->buf + g->pos, k);
		g->pos += k;
		o += k;
		n -= k;
	}
}

uint32_t
cmt_random_uniform(uint32_t upper)
{
	uint32_t r, min;

	if (upper < 2)
		return 0;
	/* Rejects the low values that would make some results likelier:
	 * 2^32 mod upper of them. */
	min = (uint32_t)(-upper % upper);
	do
		cmt_random(&r, sizeof(r));
	while (r < min);
	return r % upper;
}

/* ------------------------------------------------------- challenges */

/* Draws an operator and operands whose result is 0..99. */
static unsigned
draw(char *q, size_t qsize)
{
	unsigned a, b;

	switch (cmt_random_uniform(3)) {
	case 0:
		a = 1 + cmt_random_uniform(50);        /* 1..50 */
		b = 1 + cmt_random_uniform(49);        /* 1..49 */
		snprintf(q, qsize, "%u + %u =", a, b);
		return a + b;
	case 1:
		a = 2 + cmt_random_uniform(98);        /* 2..99 */
		b = 1 + cmt_random_uniform(a);         /* 1..a */
		snprintf(q, qsize, "%u \xe2\x88\x92 %u =", a, b);
		return a - b;
	default:
		a = 2 + cmt_random_uniform(8);         /* 2..9 */
		b = 2 + cmt_random_uniform(8);
		snprintf(q, qsize, "%u \xc3\x97 %u =", a, b);
		return a * b;
	}
}

void
cmt_captcha_new(const struct cmt_keys *k, int64_t article_id, int64_t now,
    int64_t ttl, struct cmt_challenge *out)
{
	unsigned char payload[PAYLOAD_BYTES];
	unsigned char sealed[SEALED_BYTES];
	unsigned answer;

	/* sodium_init() takes a process-wide lock each time: once per
	 * thread is enough. */
	if (!rng_state.seeded)
		cmt_random(NULL, 0);
	memset(out, 0, sizeof(*out));
	answer = draw(out->question, sizeof(out->question));
	payload[0] = PAYLOAD_VERSION;
	payload[1] = (unsigned char)answer;
	put64(payload + 2, article_id);
	put64(payload + 10, now);
	put64(payload + 18, now + ttl);
	cmt_random(payload + 26, CMT_NONCE_BYTES);
	cmt_random(sealed, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, payload,
	    sizeof(payload), sealed, k->captcha);
	/* The sealed bytes are public: the plain encoder is enough (the
	 * constant-time one cost more than the encryption). */
	bl_base64url(sealed, sizeof(sealed), out->token);
	sodium_memzero(payload, sizeof(payload));
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Parses an answer: optional blanks, 1..9 ASCII digits, optional blanks.
 * Returns the value, or UINT32_MAX (never a valid answer) for anything else.
 */
static uint32_t
parse_answer(const char *s)
{
	uint32_t v = 0;
	size_t digits = 0;

	while (is_blank(*s))
		s++;
	while (*s >= '0' && *s <= '9') {
		if (++digits > 9)
			return UINT32_MAX;
		v = v * 10 + (uint32_t)(*s - '0');
		s++;
	}
	while (is_blank(*s))
		s++;
	if (digits == 0 || *s != '\0')
		return UINT32_MAX;
	return v;
}

static int
blank_string(const char *s)
{
	if (s == NULL)
		return 1;
	while (is_blank(*s))
		s++;
	return *s == '\0';
}

enum cmt_captcha
cmt_captcha_check(const struct cmt_keys *k, const char *token,
    const char *answer, int64_t article_id, int64_t now, int64_t min_seconds,
    unsigned char nonce[CMT_NONCE_BYTES], int64_t *expires)
{
	unsigned char sealed[SEALED_BYTES];
	unsigned char payload[PAYLOAD_BYTES];
	unsigned char want[4], got[4];
	size_t binlen = 0;
	const char *end = NULL;
	enum cmt_captcha rc = CMT_CAPTCHA_INVALID;
	int64_t issued, expiry;

	if (sodium_init() < 0)
		bl_fatal("cannot initialise libsodium");
	if (token == NULL || strlen(token) != TOKEN_CHARS)
		return CMT_CAPTCHA_INVALID;
	if (sodium_base642bin(sealed, sizeof(sealed), token, TOKEN_CHARS, NULL,
	    &binlen, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    binlen != sizeof(sealed) || end != token + TOKEN_CHARS)
		return CMT_CAPTCHA_INVALID;
	if (crypto_secretbox_open_easy(payload,
	    sealed + crypto_secretbox_NONCEBYTES,
	    sizeof(sealed) - crypto_secretbox_NONCEBYTES, sealed,
	    k->captcha) != 0)
		return CMT_CAPTCHA_INVALID;
	if (payload[0] != PAYLOAD_VERSION || payload[1] > 99 ||
	    get64(payload + 2) != article_id)
		goto out;
	issued = get64(payload + 10);
	expiry = get64(payload + 18);
	if (nonce != NULL)
		memcpy(nonce, payload + 26, CMT_NONCE_BYTES);
	if (expires != NULL)
		*expires = expiry;
	if (now >= expiry)
		rc = CMT_CAPTCHA_EXPIRED;
	else if (blank_string(answer))
		rc = CMT_CAPTCHA_EMPTY;
	else if (now - issued < min_seconds)
		rc = CMT_CAPTCHA_TOO_FAST;
	else {
		put32(want, payload[1]);
		put32(got, parse_answer(answer));
		rc = sodium_memcmp(want, got, sizeof(want)) == 0 ?
		    CMT_CAPTCHA_OK : CMT_CAPTCHA_WRONG;
	}
out:
	sodium_memzero(payload, sizeof(payload));
	return rc;
}

const char *
cmt_captcha_message(enum cmt_captcha r)
{
	switch (r) {
	case CMT_CAPTCHA_OK:
		return NULL;
	case CMT_CAPTCHA_EMPTY:
		return "Please answer the question.";
	case CMT_CAPTCHA_WRONG:
		return "That answer is not right. Please try this new question.";
	case CMT_CAPTCHA_TOO_FAST:
		return "You answered very quickly. Please check your comment "
		    "and answer this new question.";
	case CMT_CAPTCHA_EXPIRED:
	case CMT_CAPTCHA_INVALID:
	default:
		return "That question has expired. Please answer this new one.";
	}
}
