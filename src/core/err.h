/* Error reports that travel from where a failure is found to the caller. */
#ifndef BL_ERR_H
#define BL_ERR_H

/*
 * A fallible function takes a `struct bl_err *` (which may be NULL) and
 * returns 0 on success or -1 on failure, with the reason in err->msg.
 * Messages follow git's style: lowercase, no trailing full stop, what failed
 * first, subjects in single quotes: "cannot open 'x.txt': No such file".
 */
struct bl_err {
	char msg[512];
	/* Set (after bl_errf) when the failure is a service that is down or
	 * unreachable for now, such as the database server: worth retrying,
	 * an HTTP 503 rather than a 500. bl_errf clears it. */
	int unavailable;
};

/* Sets err->msg (if err is not NULL), clears err->unavailable and
 * returns -1. */
int bl_errf(struct bl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like bl_errf, and marks the failure as "unavailable for now". */
int bl_errf_unavailable(struct bl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
