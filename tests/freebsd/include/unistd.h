/* FreeBSD: include/unistd.h, sys/sys/unistd.h */
#ifndef _UNISTD_H_
#define _UNISTD_H_
#include <sys/types.h>
#ifndef NULL
#define NULL	((void *)0)
#endif
#define STDIN_FILENO	0
#define STDOUT_FILENO	1
#define STDERR_FILENO	2
#define F_OK		0
#define X_OK		0x01
#define W_OK		0x02
#define R_OK		0x04
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2
void	 _exit(int) __dead2;
int	 access(const char *, int);
unsigned int alarm(unsigned int);
int	 chdir(const char *);
int	 chroot(const char *);
int	 close(int);
void	 closefrom(int);
int	 dup(int);
int	 dup2(int, int);
int	 execl(const char *, const char *, ...);
int	 execv(const char *, char * const *);
int	 execve(const char *, char * const *, char * const *);
int	 execvp(const char *, char * const *);
int	 execvP(const char *, const char *, char * const *);
pid_t	 fork(void);
int	 fsync(int);
int	 ftruncate(int, off_t);
char	*getcwd(char *, size_t);
gid_t	 getegid(void);
uid_t	 geteuid(void);
gid_t	 getgid(void);
int	 gethostname(char *, size_t);
pid_t	 getpgrp(void);
pid_t	 getpid(void);
pid_t	 getppid(void);
uid_t	 getuid(void);
int	 isatty(int);
int	 link(const char *, const char *);
off_t	 lseek(int, off_t, int);
int	 pipe(int *);
int	 pipe2(int *, int);
ssize_t	 pread(int, void *, size_t, off_t);
ssize_t	 pwrite(int, const void *, size_t, off_t);
ssize_t	 read(int, void *, size_t);
ssize_t	 readlink(const char * __restrict, char * __restrict, size_t);
int	 rmdir(const char *);
int	 setgid(gid_t);
int	 setgroups(int, const gid_t *);
int	 sethostname(const char *, int);
int	 setpgid(pid_t, pid_t);
void	 setproctitle(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
pid_t	 setsid(void);
int	 setuid(uid_t);
unsigned int sleep(unsigned int);
int	 symlink(const char * __restrict, const char * __restrict);
pid_t	 tcgetpgrp(int);
int	 tcsetpgrp(int, pid_t);
int	 unlink(const char *);
int	 usleep(unsigned int);
ssize_t	 write(int, const void *, size_t);
int	 close_range(unsigned int, unsigned int, int);	/* FreeBSD 13.1+ */
int	 execvpe(const char *, char * const *, char * const *); /* 14.1+ */
int	 syscall(int, ...);
int	 unlinkat(int, const char *, int);
int	 fchdir(int);
int	 fchown(int, uid_t, gid_t);
int	 getgroups(int, gid_t []);
int	 seteuid(uid_t);
int	 setegid(gid_t);
/* getopt(3) */
extern char	*optarg;
extern int	 optind, opterr, optopt;
int	 getopt(int, char * const [], const char *);
#endif
