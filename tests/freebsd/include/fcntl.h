/* FreeBSD: sys/sys/fcntl.h */
#ifndef _SYS_FCNTL_H_
#define _SYS_FCNTL_H_
#include <sys/types.h>
#define O_RDONLY	0x0000
#define O_WRONLY	0x0001
#define O_RDWR		0x0002
#define O_ACCMODE	0x0003
#define O_NONBLOCK	0x0004
#define O_APPEND	0x0008
#define O_NOFOLLOW	0x0100
#define O_CREAT		0x0200
#define O_TRUNC		0x0400
#define O_EXCL		0x0800
#define O_NOCTTY	0x8000
#define O_DIRECTORY	0x00020000
#define O_CLOEXEC	0x00100000
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define FD_CLOEXEC	1
#define AT_FDCWD		-100
#define AT_SYMLINK_NOFOLLOW	0x0200
#define AT_REMOVEDIR		0x0800
/* flock(2) operations */
#define LOCK_SH		0x01
#define LOCK_EX		0x02
#define LOCK_NB		0x04
#define LOCK_UN		0x08
int	open(const char *, int, ...);
int	openat(int, const char *, int, ...);
int	fcntl(int, int, ...);
int	flock(int, int);
#endif
