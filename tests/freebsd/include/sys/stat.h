/* FreeBSD: sys/sys/stat.h (amd64, FreeBSD 14: 64-bit inodes). */
#ifndef _SYS_STAT_H_
#define _SYS_STAT_H_
#include <sys/types.h>
#include <sys/_timespec.h>

struct stat {
	dev_t		 st_dev;
	ino_t		 st_ino;
	nlink_t		 st_nlink;
	mode_t		 st_mode;
	__int16_t	 st_bsdflags;
	uid_t		 st_uid;
	gid_t		 st_gid;
	__int32_t	 st_padding1;
	dev_t		 st_rdev;
	struct timespec	 st_atim;
	struct timespec	 st_mtim;
	struct timespec	 st_ctim;
	struct timespec	 st_birthtim;
	off_t		 st_size;
	blkcnt_t	 st_blocks;
	blksize_t	 st_blksize;
	fflags_t	 st_flags;
	__uint64_t	 st_gen;
	__uint64_t	 st_filerev;
	__uint64_t	 st_spare[9];
};
#define st_atime	st_atim.tv_sec
#define st_mtime	st_mtim.tv_sec
#define st_ctime	st_ctim.tv_sec

#define S_ISUID		0004000
#define S_ISGID		0002000
#define S_ISTXT		0001000
#define S_IRWXU		0000700
#define S_IRUSR		0000400
#define S_IWUSR		0000200
#define S_IXUSR		0000100
#define S_IRWXG		0000070
#define S_IRWXO		0000007
#define S_IFMT		0170000
#define S_IFIFO		0010000
#define S_IFCHR		0020000
#define S_IFDIR		0040000
#define S_IFBLK		0060000
#define S_IFREG		0100000
#define S_IFLNK		0120000
#define S_IFSOCK	0140000
#define S_ISVTX		0001000
#define S_IFWHT		0160000	/* whiteout */
#define S_ISDIR(m)	(((m) & 0170000) == 0040000)
#define S_ISCHR(m)	(((m) & 0170000) == 0020000)
#define S_ISBLK(m)	(((m) & 0170000) == 0060000)
#define S_ISREG(m)	(((m) & 0170000) == 0100000)
#define S_ISFIFO(m)	(((m) & 0170000) == 0010000)
#define S_ISLNK(m)	(((m) & 0170000) == 0120000)
#define S_ISSOCK(m)	(((m) & 0170000) == 0140000)
#define S_ISWHT(m)	(((m) & 0170000) == 0160000)

#define UF_NODUMP	0x00000001
#define UF_IMMUTABLE	0x00000002
#define UF_APPEND	0x00000004
#define UF_OPAQUE	0x00000008	/* directory is opaque wrt. union */
#define SF_IMMUTABLE	0x00020000

int	chflags(const char *, unsigned long);
int	chmod(const char *, mode_t);
int	fchmod(int, mode_t);
int	fstat(int, struct stat *);
int	fstatat(int, const char *, struct stat *, int);
int	lstat(const char * __restrict, struct stat * __restrict);
int	mkdir(const char *, mode_t);
int	mkdirat(int, const char *, mode_t);
int	mkfifo(const char *, mode_t);
int	mknod(const char *, mode_t, dev_t);
int	stat(const char * __restrict, struct stat * __restrict);
mode_t	umask(mode_t);
#endif
