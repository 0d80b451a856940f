/* Unit tests for src/core/buf.c: the string buffer. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/buf.h"

Test(buf, starts_empty_and_terminated)
{
	struct bl_buf b = BL_BUF_INIT;

	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.s, "");
	bl_buf_release(&b);
}

Test(buf, appends_and_formats)
{
	struct bl_buf b = BL_BUF_INIT;

	bl_buf_puts(&b, "Hello");
	bl_buf_putc(&b, ',');
	bl_buf_printf(&b, " %s %d", "world", 42);
	cr_assert_eq(bl_buf_err(&b), 0);
	cr_assert_str_eq(b.s, "Hello, world 42");
	cr_assert_eq(b.len, strlen("Hello, world 42"));
	bl_buf_release(&b);
}

Test(buf, cap_makes_error_sticky)
{
	struct bl_buf b;

	bl_buf_init(&b, 8);
	cr_assert_eq(bl_buf_puts(&b, "12345678"), 0);
	cr_assert_eq(bl_buf_puts(&b, "9"), -1);
	cr_assert_eq(bl_buf_puts(&b, ""), -1, "error must stay set");
	cr_assert_eq(bl_buf_err(&b), -1);
	cr_assert_null(bl_buf_detach(&b, NULL));
	bl_buf_release(&b);
}

Test(buf, detach_hands_over_memory)
{
	struct bl_buf b = BL_BUF_INIT;
	size_t n;
	char *s;

	bl_buf_puts(&b, "abc");
	s = bl_buf_detach(&b, &n);
	cr_assert_str_eq(s, "abc");
	cr_assert_eq(n, 3);
	cr_assert_eq(b.len, 0);
	free(s);
}
