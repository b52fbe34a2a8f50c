/*
 * Errors: a failing function returns -1 (or NULL) and records one message
 * saying what failed, on what, and why.  The command prints it once.
 * The message lives in thread-local storage so that worker threads of the
 * daemons do not overwrite each other's errors.
 */
#ifndef STASIS_ERR_H
#define STASIS_ERR_H

#include <stdarg.h>

#define ERROR_MAX	1024

/* Record a message; returns -1 so callers can `return error_set(...)`. */
int		 error_set(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
/* As error_set, with ": strerror(errno)" appended (errno is preserved). */
int		 error_sys(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
/* Prefix the recorded message with context: "create foo: " + old. */
int		 error_wrap(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
const char	*error_msg(void);
void		 error_clear(void);

#endif
