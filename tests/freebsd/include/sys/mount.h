/* FreeBSD: sys/sys/mount.h (flags and the calls; nmount(2), unmount(2)). */
#ifndef _SYS_MOUNT_H_
#define _SYS_MOUNT_H_
#include <sys/types.h>
#include <sys/uio.h>

#define MNT_RDONLY	0x0000000000000001ULL	/* read only filesystem */
#define MNT_SYNCHRONOUS	0x0000000000000002ULL	/* fs written synchronously */
#define MNT_NOEXEC	0x0000000000000004ULL	/* can't exec from filesystem */
#define MNT_NOSUID	0x0000000000000008ULL	/* don't honor setuid fs bits */
#define MNT_UNION	0x0000000000000020ULL	/* union with underlying fs */
#define MNT_NOATIME	0x0000000010000000ULL	/* dont update file access time */
#define MNT_UPDATE	0x0000000000010000ULL	/* not real mount, just update */
#define MNT_FORCE	0x0000000000080000ULL	/* force unmount or readonly */

int	mount(const char *, const char *, int, void *);
int	nmount(struct iovec *, unsigned int, int);
int	unmount(const char *, int);
#endif
