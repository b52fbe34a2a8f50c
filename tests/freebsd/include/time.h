/* FreeBSD: include/time.h (the part used) */
#ifndef _TIME_H_
#define _TIME_H_
#include <sys/_timespec.h>
typedef int clockid_t;
#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	4
struct tm {
	int	 tm_sec;
	int	 tm_min;
	int	 tm_hour;
	int	 tm_mday;
	int	 tm_mon;
	int	 tm_year;
	int	 tm_wday;
	int	 tm_yday;
	int	 tm_isdst;
	long	 tm_gmtoff;
	char	*tm_zone;
};
struct tm *gmtime_r(const time_t *, struct tm *);
struct tm *localtime_r(const time_t *, struct tm *);
size_t	strftime(char * __restrict, size_t, const char * __restrict,
	    const struct tm * __restrict);
int	clock_gettime(clockid_t, struct timespec *);
int	nanosleep(const struct timespec *, struct timespec *);
time_t	time(time_t *);
#endif
