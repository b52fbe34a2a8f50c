/*
 * The glibc side of the mock FreeBSD kernel (mock_kernel.c): FreeBSD's
 * libc names for errno and the standard streams, and lstat(2) reduced to
 * what the FreeBSD-layout struct stat in mock_kernel.c is given.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

FILE	*__stdinp, *__stdoutp, *__stderrp;

int	*__error(void);
int	 host_lstat_mode(const char *, unsigned *);
int	 fbsd_inet_pton(int, const char *, void *);
const char *fbsd_inet_ntop(int, const void *, char *, socklen_t);

#define FBSD_AF_INET6	28	/* FreeBSD: sys/sys/socket.h */

int
fbsd_inet_pton(int af, const char *s, void *dst)
{
	return (inet_pton(af == FBSD_AF_INET6 ? AF_INET6 : af, s, dst));
}

const char *
fbsd_inet_ntop(int af, const void *src, char *dst, socklen_t len)
{
	return (inet_ntop(af == FBSD_AF_INET6 ? AF_INET6 : af, src, dst,
	    len));
}

int *
__error(void)
{
	return (&errno);
}

static void __attribute__((constructor))
streams(void)
{
	__stdinp = stdin;
	__stdoutp = stdout;
	__stderrp = stderr;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

int
host_lstat_mode(const char *p, unsigned *mode)
{
	struct stat sb;

	if (lstat(p, &sb) == -1)
		return (-1);
	*mode = sb.st_mode;	/* S_IF* and permission bits: the same */
	return (0);
}
