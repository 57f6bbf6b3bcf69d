/* err: error messages filled by library functions, printed by tools.
 *
 * Library code never prints and never exits: it returns a negative code and
 * fills a struct err with "file:line: what is wrong" (or "option: ...").
 * Tools print "tool: <msg>" to stderr and exit with ERR_DATA or ERR_USAGE. */
#ifndef SK_ERR_H
#define SK_ERR_H

#include <stdarg.h>

enum { ERR_DATA = 1, ERR_USAGE = 2 };

struct err {
	char msg[1024];
};

/* Format a message into e (if e is not NULL); always returns -1 so that
 * callers can write `return err_set(e, "...")`. */
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int err_vset(struct err *e, const char *fmt, va_list ap);

/* Prefix the existing message: "prefix: old message". Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
