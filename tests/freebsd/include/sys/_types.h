/* FreeBSD: sys/sys/_types.h and sys/x86/include/_types.h (amd64). */
#ifndef _SYS__TYPES_H_
#define _SYS__TYPES_H_
#include <sys/cdefs.h>
typedef signed char		__int8_t;
typedef unsigned char		__uint8_t;
typedef short			__int16_t;
typedef unsigned short		__uint16_t;
typedef int			__int32_t;
typedef unsigned int		__uint32_t;
typedef long			__int64_t;
typedef unsigned long		__uint64_t;
typedef __int64_t		__intptr_t;
typedef __uint64_t		__uintptr_t;
typedef __int64_t		__intmax_t;
typedef __uint64_t		__uintmax_t;
typedef __uint64_t		__size_t;
typedef __int64_t		__ssize_t;
typedef __int64_t		__ptrdiff_t;
typedef __int64_t		__time_t;
typedef __int64_t		__blkcnt_t;
typedef __int32_t		__blksize_t;
typedef __uint64_t		__dev_t;	/* ino64: FreeBSD 12+ */
typedef __uint32_t		__fflags_t;
typedef __uint32_t		__gid_t;
typedef __uint64_t		__ino_t;
typedef __uint16_t		__mode_t;
typedef __uint64_t		__nlink_t;
typedef __int64_t		__off_t;
typedef __int32_t		__pid_t;
typedef __uint32_t		__uid_t;
typedef __int64_t		__id_t;
typedef __uint32_t		__socklen_t;
typedef __uint8_t		__sa_family_t;
typedef __uint32_t		__in_addr_t;
typedef __int64_t		__suseconds_t;
typedef __builtin_va_list	__va_list;
#endif
