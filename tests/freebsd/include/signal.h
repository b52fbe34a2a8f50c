/* FreeBSD: sys/sys/signal.h, sys/sys/_sigset.h, include/signal.h */
#ifndef _SIGNAL_H_
#define _SIGNAL_H_
#include <sys/types.h>
#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGFPE		8
#define SIGKILL		9
#define SIGBUS		10
#define SIGSEGV		11
#define SIGSYS		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGURG		16
#define SIGSTOP		17
#define SIGTSTP		18
#define SIGCONT		19
#define SIGCHLD		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGIO		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGINFO		29
#define SIGUSR1		30
#define SIGUSR2		31
#define NSIG		32	/* number of old signals (counting 0) */
/* <machine/signal.h>, amd64 */
typedef long sig_atomic_t;
typedef void __sighandler_t(int);
#define SIG_DFL		((__sighandler_t *)0)
#define SIG_IGN		((__sighandler_t *)1)
#define SIG_ERR		((__sighandler_t *)-1)
typedef struct __sigset {
	__uint32_t	__bits[4];
} sigset_t;
struct sigaction {
	union {
		void	(*__sa_handler)(int);
		void	(*__sa_sigaction)(int, void *, void *);
	} __sigaction_u;
	int		sa_flags;
	sigset_t	sa_mask;
};
#define sa_handler	__sigaction_u.__sa_handler
#define SIG_BLOCK	1
#define SIG_UNBLOCK	2
#define SIG_SETMASK	3
#define SA_RESTART	0x0002
__sighandler_t	*signal(int, __sighandler_t *);
int	kill(pid_t, int);
int	killpg(pid_t, int);
int	raise(int);
int	sigaction(int, const struct sigaction * __restrict,
	    struct sigaction * __restrict);
int	sigaddset(sigset_t *, int);
int	sigdelset(sigset_t *, int);
int	sigemptyset(sigset_t *);
int	sigfillset(sigset_t *);
int	sigprocmask(int, const sigset_t * __restrict, sigset_t * __restrict);
#endif
