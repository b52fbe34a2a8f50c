/* FreeBSD: sys/sys/wait.h */
#ifndef _SYS_WAIT_H_
#define _SYS_WAIT_H_
#include <sys/types.h>
#define _W_INT(w)	(*(int *)&(w))
#define _WSTATUS(x)	(_W_INT(x) & 0177)
#define _WSTOPPED	0177
#define WIFSTOPPED(x)	(_WSTATUS(x) == _WSTOPPED)
#define WSTOPSIG(x)	(_W_INT(x) >> 8)
#define WIFSIGNALED(x)	(_WSTATUS(x) != _WSTOPPED && _WSTATUS(x) != 0 && \
			    (x) != 0x13)
#define WTERMSIG(x)	(_WSTATUS(x))
#define WIFEXITED(x)	(_WSTATUS(x) == 0)
#define WEXITSTATUS(x)	(_W_INT(x) >> 8)
#define WNOHANG		1
#define WUNTRACED	2
pid_t	wait(int *);
pid_t	waitpid(pid_t, int *, int);
#endif
