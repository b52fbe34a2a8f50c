/*
 * Running commands: argv straight to execve(2), never through a shell, with
 * an optional environment, working directory, stdin data, timeout and
 * output capture.  The child gets its own process group so that a timeout
 * kills everything it started, not only the first process.
 */
#ifndef STASIS_SPAWN_H
#define STASIS_SPAWN_H

#include <sys/types.h>

#include <stddef.h>

#include "buf.h"

#define SPAWN_CAPTURE_OUT	0x01	/* stdout into result.out */
#define SPAWN_CAPTURE_ERR	0x02	/* stderr into result.err */
#define SPAWN_MERGE_ERR		0x04	/* stderr into result.out too */
#define SPAWN_NULL_IN		0x08	/* stdin from /dev/null */
#define SPAWN_SEARCH_PATH	0x10	/* look argv[0] up in PATH */
#define SPAWN_QUIET		0x20	/* discard uncaptured output */
#define SPAWN_IN_FD		0x40	/* stdin from opts.in_fd */
#define SPAWN_OUT_FD		0x80	/* stdout to opts.out_fd (then a
					   spawn_start pipe: stderr only) */

struct spawn_opts {
	char *const	*argv;
	const char	*path;		/* run this file; NULL: argv[0] */
	char *const	*envp;		/* NULL: inherit ours */
	const char	*cwd;		/* NULL: inherit ours */
	int		 flags;
	int		 timeout_ms;	/* 0: none; then SIGTERM, SIGKILL */
	size_t		 max_output;	/* per stream; 0: 16 MiB */
	const void	*in;		/* data for stdin, or NULL */
	size_t		 in_len;
	uid_t		 uid;		/* run as, when set_ids is non-zero */
	gid_t		 gid;
	int		 set_ids;
	int		 in_fd;		/* with SPAWN_IN_FD */
	int		 out_fd;	/* with SPAWN_OUT_FD */
};

struct spawn_result {
	int		 status;	/* raw wait(2) status */
	int		 exit_code;	/* 0-255, or 128+signal */
	int		 signo;		/* non-zero if killed by a signal */
	int		 timed_out;
	int		 truncated;	/* output went past max_output */
	struct buf	 out;
	struct buf	 err;
};

/*
 * Run to completion.  Returns 0 when the command ran (whatever its exit
 * status: look at result), -1 with error_set when it could not be started.
 * The result's buffers must be released with spawn_result_free.
 */
int	spawn_run(const struct spawn_opts *, struct spawn_result *);
void	spawn_result_free(struct spawn_result *);

/*
 * The same run, driven by the caller's event loop (many at once, no thread
 * each).  spawn_begin starts it (NULL and error_set when it cannot); the
 * options' stdin data must stay valid until spawn_end.  Poll the
 * descriptors spawn_pollfds gives (at most SPAWN_MAXFDS; they change as
 * pipes close) for at most spawn_wait_ms (-1: no deadline pending), then
 * call spawn_step: it reads, writes, enforces the timeout and returns 1
 * once the child has exited.  spawn_end collects the result (waiting for
 * the child if it has not exited) and frees the process.  spawn_wait
 * drives one to its end alone (what spawn_run does).
 */
#define SPAWN_MAXFDS	4
struct pollfd;
struct spawn_proc;
struct spawn_proc *spawn_begin(const struct spawn_opts *);
pid_t	spawn_pid(const struct spawn_proc *);
int	spawn_pollfds(const struct spawn_proc *, struct pollfd *);
int	spawn_wait_ms(const struct spawn_proc *);
int	spawn_step(struct spawn_proc *);
void	spawn_wait(struct spawn_proc *);
void	spawn_end(struct spawn_proc *, struct spawn_result *);

/*
 * Start in the background; returns the pid (also its process group) or -1.
 * If outfd is non-NULL it receives a pipe carrying stdout and stderr.
 */
pid_t	spawn_start(const struct spawn_opts *, int *outfd);

/* Kill a whole process group: SIGTERM, then SIGKILL after grace_ms. */
void	spawn_kill_group(pid_t, int grace_ms);

/*
 * Shorthand for the many "run this tool and give me its stdout" calls:
 * out may be NULL.  Fails (-1, error_set with the tool's stderr) when the
 * command cannot run or exits non-zero.
 */
int	spawn_cmd(struct buf *out, const char *arg0, ...)
	    __attribute__((sentinel));
int	spawn_cmdv(struct buf *out, char *const argv[]);

#endif
