/* FreeBSD: sys/sys/param.h, sys/sys/syslimits.h */
#ifndef _SYS_PARAM_H_
#define _SYS_PARAM_H_
#include <sys/types.h>
#include <limits.h>
#define MAXPATHLEN	PATH_MAX
#define MAXHOSTNAMELEN	256
#define nitems(x)	(sizeof((x)) / sizeof((x)[0]))
#endif
