/* FreeBSD: sys/sys/types.h */
#ifndef _SYS_TYPES_H_
#define _SYS_TYPES_H_
#include <sys/_types.h>
#include <stdint.h>
typedef unsigned char	u_char;
typedef unsigned short	u_short;
typedef unsigned int	u_int;
typedef unsigned long	u_long;
typedef __uint8_t	u_int8_t;
typedef __uint16_t	u_int16_t;
typedef __uint32_t	u_int32_t;
typedef __uint64_t	u_int64_t;
typedef __blkcnt_t	blkcnt_t;
typedef __blksize_t	blksize_t;
typedef __dev_t		dev_t;
typedef __fflags_t	fflags_t;
typedef __gid_t		gid_t;
typedef __id_t		id_t;
typedef __ino_t		ino_t;
typedef __mode_t	mode_t;
typedef __nlink_t	nlink_t;
typedef __off_t		off_t;
typedef __pid_t		pid_t;
typedef __size_t	size_t;
typedef __ssize_t	ssize_t;
typedef __time_t	time_t;
typedef __uid_t		uid_t;
typedef __suseconds_t	suseconds_t;
#endif
