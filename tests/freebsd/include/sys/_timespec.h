/* FreeBSD: sys/sys/_timespec.h, sys/sys/_timeval.h */
#ifndef _SYS__TIMESPEC_H_
#define _SYS__TIMESPEC_H_
#include <sys/types.h>
struct timespec {
	time_t	tv_sec;
	long	tv_nsec;
};
struct timeval {
	time_t		tv_sec;
	suseconds_t	tv_usec;
};
#endif
