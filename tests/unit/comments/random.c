/* Unit tests for the per-thread random bytes in src/comments/captcha.c. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "comments/comments.h"

/* A little over what one refill of the generator hands out, so the tests
 * cross refills. */
#define SPAN 2000

Test(random, bytes_differ_call_to_call)
{
	unsigned char a[32], b[32];

	cmt_random(a, sizeof(a));
	cmt_random(b, sizeof(b));
	cr_assert_neq(memcmp(a, b, sizeof(a)), 0);
}

Test(random, long_output_looks_random)
{
	static unsigned char buf[SPAN * 8];
	size_t ones = 0, i, counts[256] = { 0 };

	/* In pieces of odd sizes, crossing many refills. */
	for (i = 0; i < sizeof(buf); i += 37)
		cmt_random(buf + i, sizeof(buf) - i < 37 ? sizeof(buf) - i : 37);
	for (i = 0; i < sizeof(buf); i++) {
		ones += (size_t)__builtin_popcount(buf[i]);
		counts[buf[i]]++;
	}
	/* 128,000 bits: half are ones within a few standard deviations
	 * (sd = 179); every byte value turns up. */
	cr_assert(ones > sizeof(buf) * 4 - 1000 && ones < sizeof(buf) * 4 + 1000,
	    "%zu ones", ones);
	for (i = 0; i < 256; i++)
		cr_assert_gt(counts[i], 0, "byte %zu never seen", i);
	/* No repeated 16-byte block (a nonce) anywhere. */
	for (i = 0; i + 32 <= sizeof(buf); i += 16)
		cr_assert_neq(memcmp(buf + i, buf + i + 16, 16), 0);
}

Test(random, uniform_stays_in_range_and_covers_it)
{
	int seen[7] = { 0 };

	for (int i = 0; i < 7000; i++) {
		uint32_t v = cmt_random_uniform(7);

		cr_assert_lt(v, 7u);
		seen[v]++;
	}
	for (int i = 0; i < 7; i++)
		cr_assert(seen[i] > 700 && seen[i] < 1300, "%d: %d", i, seen[i]);
	cr_assert_eq(cmt_random_uniform(1), 0u);
	cr_assert_eq(cmt_random_uniform(0), 0u);
}

static void *
draw_nonce(void *out)
{
	cmt_random(out, CMT_NONCE_BYTES);
	return NULL;
}

Test(random, threads_get_different_streams)
{
	unsigned char n[4][CMT_NONCE_BYTES];
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, draw_nonce, n[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			cr_assert_neq(memcmp(n[i], n[j], CMT_NONCE_BYTES), 0);
}

Test(random, a_forked_child_does_not_repeat_its_parent)
{
	unsigned char parent[CMT_NONCE_BYTES], child[CMT_NONCE_BYTES];
	int fd[2], status;
	pid_t pid;

	/* The generator holds unused output before the fork. */
	cmt_random(parent, 1);
	cr_assert_eq(pipe(fd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		cmt_random(child, sizeof(child));
		_exit(write(fd[1], child, sizeof(child)) == sizeof(child) ? 0 : 1);
	}
	cmt_random(parent, sizeof(parent));
	cr_assert_eq(read(fd[0], child, sizeof(child)), (ssize_t)sizeof(child));
	waitpid(pid, &status, 0);
	cr_assert_neq(memcmp(parent, child, sizeof(child)), 0);
	close(fd[0]);
	close(fd[1]);
}

Test(random, challenges_in_a_row_have_different_tokens)
{
	struct cmt_keys k;
	struct cmt_challenge a, b;
	unsigned char master[32];

	memset(master, 3, sizeof(master));
	cr_assert_eq(cmt_keys_derive(master, &k, NULL), 0);
	cmt_captcha_new(&k, 1, 1700000000, 600, &a);
	cmt_captcha_new(&k, 1, 1700000000, 600, &b);
	cr_assert_str_neq(a.token, b.token);
}
