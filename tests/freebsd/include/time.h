/* FreeBSD: include/time.h (the part used) */
#ifndef _TIME_H_
#define _TIME_H_
#include <sys/_timespec.h>
typedef int clockid_t;
#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	4
int	clock_gettime(clockid_t, struct timespec *);
int	nanosleep(const struct timespec *, struct timespec *);
time_t	time(time_t *);
#endif
