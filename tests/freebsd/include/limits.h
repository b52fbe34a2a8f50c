/* FreeBSD: include/limits.h, sys/x86/include/_limits.h, sys/sys/syslimits.h */
#ifndef _LIMITS_H_
#define _LIMITS_H_
#define CHAR_BIT	8
#define INT_MAX		0x7fffffff
#define INT_MIN		(-0x7fffffff - 1)
#define UINT_MAX	0xffffffffU
#define LONG_MAX	0x7fffffffffffffffL
#define LLONG_MAX	0x7fffffffffffffffLL
#define LLONG_MIN	(-0x7fffffffffffffffLL - 1)
#define ULLONG_MAX	0xffffffffffffffffULL
#define SSIZE_MAX	LONG_MAX
#define PATH_MAX	1024
#define NAME_MAX	255
#endif
