/*
 * The recorded error message, one per thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static __thread char	errbuf[ERROR_MAX];

int
error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return (-1);
}

int
error_sys(const char *fmt, ...)
{
	va_list ap;
	size_t n;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	n = strlen(errbuf);
	snprintf(errbuf + n, sizeof(errbuf) - n, "%s%s",
	    n > 0 ? ": " : "", strerror(saved));
	errno = saved;
	return (-1);
}

int
error_wrap(const char *fmt, ...)
{
	char old[ERROR_MAX];
	va_list ap;
	size_t n;

	memcpy(old, errbuf, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	n = strlen(errbuf);
	if (old[0] != '\0')
		snprintf(errbuf + n, sizeof(errbuf) - n, ": %s", old);
	return (-1);
}

const char *
error_msg(void)
{
	return (errbuf[0] != '\0' ? errbuf : "unknown error");
}

void
error_clear(void)
{
	errbuf[0] = '\0';
}
