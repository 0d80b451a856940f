/* Error reports (see err.h). */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

int
bl_errf(struct bl_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->unavailable = 0;
	return -1;
}

int
bl_errf_unavailable(struct bl_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->unavailable = 1;
	return -1;
}
