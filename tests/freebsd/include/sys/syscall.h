/* FreeBSD: sys/sys/syscall.h (generated; the numbers used here).  Linux's
 * SYS_pidfd_open, SYS_clone3, SYS_close_range are not FreeBSD's. */
#ifndef _SYS_SYSCALL_H_
#define _SYS_SYSCALL_H_
#define SYS_getpid	20
#define SYS_kill	37
#endif
