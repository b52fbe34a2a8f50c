/*
 * Running commands without a shell.  The child leads its own process
 * group so that a timeout (or a caller giving up) can kill everything the
 * command started.  We wait for the child itself, not for EOF on its
 * pipes: a command that leaves a daemon behind holding stdout must not
 * hang its caller.
 */
#include <sys/types.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <grp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "spawn.h"

#define DEFAULT_MAX_OUTPUT	(16u << 20)
#define KILL_GRACE_MS		2000

extern char **environ;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Only async-signal-safe calls between fork and exec. */
static void __attribute__((noreturn))
child(const struct spawn_opts *o, int in, int out, int err)
{
	sigset_t all;
	int sig;

	setpgid(0, 0);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (in != -1 && dup2(in, 0) == -1)
		_exit(127);
	if (out != -1 && dup2(out, 1) == -1)
		_exit(127);
	if (err != -1 && dup2(err, 2) == -1)
		_exit(127);
	close_range(3, ~0U, 0);
	if (o->cwd != NULL && chdir(o->cwd) == -1)
		_exit(126);
	/* Already those ids (a daemon that dropped them): nothing to do. */
	if (o->set_ids && (geteuid() != o->uid || getegid() != o->gid)) {
		if (setgroups(0, NULL) == -1 || setgid(o->gid) == -1 ||
		    setuid(o->uid) == -1)
			_exit(126);
	}
	if (o->flags & SPAWN_SEARCH_PATH)
		execvpe(o->path ? o->path : o->argv[0], o->argv,
		    o->envp != NULL ? o->envp : environ);
	else
		execve(o->path ? o->path : o->argv[0], o->argv,
		    o->envp != NULL ? o->envp : environ);
	_exit(errno == ENOENT ? 127 : 126);
}

/*
 * The same child as child() above, through posix_spawn: a new process
 * group, default signal dispositions, an empty mask, the three
 * descriptors, cwd, and nothing else open.
 */
static int
spawn_fast(const struct spawn_opts *o, int in, int out, int err,
    pid_t *pidp)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	const char *path = o->path ? o->path : o->argv[0];
	int rc;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawn_file_actions_init(&fa);
	if (in != -1)
		posix_spawn_file_actions_adddup2(&fa, in, 0);
	if (out != -1)
		posix_spawn_file_actions_adddup2(&fa, out, 1);
	if (err != -1)
		posix_spawn_file_actions_adddup2(&fa, err, 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (o->cwd != NULL)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	if (o->flags & SPAWN_SEARCH_PATH)
		rc = posix_spawnp(pidp, path, &fa, &at, o->argv,
		    o->envp != NULL ? o->envp : environ);
	else
		rc = posix_spawn(pidp, path, &fa, &at, o->argv,
		    o->envp != NULL ? o->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	/* A failed exec is left to the fork path: its 127/126 exit. */
	return (rc == 0 ? 0 : -1);
}

static int
fork_child(const struct spawn_opts *o, int fds[3], pid_t *pidp)
{
	/* fds[i]: the parent's end, or -1; pipes for what is asked. */
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int nul = -1, cin, cout, cerr;
	pid_t pid;

	if (o->argv == NULL || o->argv[0] == NULL)
		return (error_set("spawn: empty command"));
	if ((nul = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return (error_sys("open /dev/null"));
	if ((o->in != NULL && pipe2(inp, O_CLOEXEC) == -1) ||
	    ((o->flags & (SPAWN_CAPTURE_OUT | SPAWN_MERGE_ERR)) &&
	    pipe2(outp, O_CLOEXEC) == -1) ||
	    ((o->flags & SPAWN_CAPTURE_ERR) && !(o->flags & SPAWN_MERGE_ERR) &&
	    pipe2(errp, O_CLOEXEC) == -1)) {
		error_sys("pipe");
		goto fail;
	}
	cin = o->in != NULL ? inp[0] : (o->flags & SPAWN_NULL_IN) ? nul : -1;
	cout = outp[1] != -1 ? outp[1] : (o->flags & SPAWN_QUIET) ? nul : -1;
	if (o->flags & SPAWN_IN_FD)
		cin = o->in_fd;
	if (o->flags & SPAWN_OUT_FD)
		cout = o->out_fd;
	if (o->flags & SPAWN_MERGE_ERR)
		cerr = outp[1];
	else
		cerr = errp[1] != -1 ? errp[1] :
		    (o->flags & SPAWN_QUIET) ? nul : -1;

	/* posix_spawn(3) is a vfork: no page tables copied. */
	if (!o->set_ids && spawn_fast(o, cin, cout, cerr, &pid) == 0)
		;
	else if ((pid = fork()) == -1) {
		error_sys("fork");
		goto fail;
	} else if (pid == 0)
		child(o, cin, cout, cerr);
	/* Both sides set the group: whichever runs first wins the race. */
	setpgid(pid, pid);
	close(nul);
	if (inp[0] != -1)
		close(inp[0]);
	if (outp[1] != -1)
		close(outp[1]);
	if (errp[1] != -1)
		close(errp[1]);
	fds[0] = inp[1];
	fds[1] = outp[0];
	fds[2] = errp[0];
	*pidp = pid;
	return (0);
fail:
	if (nul != -1)
		close(nul);
	for (int i = 0; i < 2; i++) {
		if (inp[i] != -1)
			close(inp[i]);
		if (outp[i] != -1)
			close(outp[i]);
		if (errp[i] != -1)
			close(errp[i]);
	}
	return (-1);
}

void
spawn_kill_group(pid_t pgid, int grace_ms)
{
	long long end;

	if (pgid <= 1)
		return;
	if (kill(-pgid, SIGTERM) == -1 && errno == ESRCH)
		return;
	end = now_ms() + grace_ms;
	while (now_ms() < end) {
		if (kill(-pgid, 0) == -1 && errno == ESRCH)
			return;
		usleep(20000);
	}
	kill(-pgid, SIGKILL);
}

static int
drain(int *fd, struct buf *b, size_t max, int *truncated)
{
	char tmp[65536];
	ssize_t n;

	for (;;) {
		n = read(*fd, tmp, sizeof(tmp));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		if (n <= 0) {
			close(*fd);
			*fd = -1;
			return (0);
		}
		if (b->len < max)
			buf_add(b, tmp, (size_t)n > max - b->len ?
			    max - b->len : (size_t)n);
		if (b->len >= max)
			*truncated = 1;
	}
}

/*
 * A started command being watched: spawn_run() drives one with poll(2);
 * an event loop drives many (the hooks daemon's runner) through
 * spawn_pollfds/spawn_wait_ms/spawn_step.
 */
struct spawn_proc {
	pid_t		 pid;
	int		 pidfd;		/* -1: no pidfd, poll every 50 ms */
	int		 fds[3];	/* our ends: stdin, stdout, stderr */
	const char	*in;
	size_t		 in_len;
	size_t		 inoff;
	size_t		 max;
	long long	 deadline;	/* 0: none */
	long long	 kill_at;	/* SIGKILL after the grace; 0: done */
	int		 killed;
	int		 exited;
	int		 status;
	struct spawn_result r;
};

struct spawn_proc *
spawn_begin(const struct spawn_opts *o)
{
	struct spawn_proc *p;
	int i;

	p = xcalloc(1, sizeof(*p));
	buf_init(&p->r.out);
	buf_init(&p->r.err);
	if (fork_child(o, p->fds, &p->pid) == -1) {
		free(p);
		error_wrap("run %s", o->argv && o->argv[0] ? o->argv[0] :
		    "(null)");
		return (NULL);
	}
	for (i = 0; i < 3; i++)
		if (p->fds[i] != -1)
			fcntl(p->fds[i], F_SETFL, O_NONBLOCK);
	if (p->fds[0] != -1 && o->in_len == 0) {
		close(p->fds[0]);
		p->fds[0] = -1;
	}
	p->in = o->in;
	p->in_len = o->in_len;
	p->max = o->max_output ? o->max_output : DEFAULT_MAX_OUTPUT;
	p->deadline = o->timeout_ms > 0 ? now_ms() + o->timeout_ms : 0;
	/* A pidfd makes the child's exit a poll event: no 50 ms ticks. */
#ifdef SYS_pidfd_open
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
#else
	p->pidfd = -1;	/* none (FreeBSD): polled, as when it fails */
#endif
	return (p);
}

pid_t
spawn_pid(const struct spawn_proc *p)
{
	return (p->pid);
}

int
spawn_pollfds(const struct spawn_proc *p, struct pollfd *pfd)
{
	int i, n = 0;

	if (p->pidfd != -1) {
		pfd[n].fd = p->pidfd;
		pfd[n++].events = POLLIN;
	}
	if (p->fds[0] != -1) {
		pfd[n].fd = p->fds[0];
		pfd[n++].events = POLLOUT;
	}
	for (i = 1; i < 3; i++) {
		if (p->fds[i] != -1) {
			pfd[n].fd = p->fds[i];
			pfd[n++].events = POLLIN;
		}
	}
	return (n);
}

int
spawn_wait_ms(const struct spawn_proc *p)
{
	long long t = p->pidfd != -1 ? -1 : 50, now = 0, at = 0;

	if (p->deadline != 0 && !p->killed)
		at = p->deadline;
	else if (p->kill_at != 0)
		at = p->kill_at;
	if (at != 0) {
		now = now_ms();
		if (t == -1 || at - now < t)
			t = at > now ? at - now : 0;
	}
	return ((int)t);
}

int
spawn_step(struct spawn_proc *p)
{
	ssize_t w;

	if (p->exited)
		return (1);
	if (p->fds[0] != -1) {
		w = write(p->fds[0], p->in + p->inoff, p->in_len - p->inoff);
		if (w > 0)
			p->inoff += (size_t)w;
		if ((w == -1 && errno != EAGAIN && errno != EINTR) ||
		    p->inoff == p->in_len) {
			close(p->fds[0]);
			p->fds[0] = -1;
		}
	}
	if (p->fds[1] != -1)
		drain(&p->fds[1], &p->r.out, p->max, &p->r.truncated);
	if (p->fds[2] != -1)
		drain(&p->fds[2], &p->r.err, p->max, &p->r.truncated);
	if (waitpid(p->pid, &p->status, WNOHANG) == p->pid)
		p->exited = 1;
	else if (p->deadline != 0 && !p->killed && now_ms() >= p->deadline) {
		p->r.timed_out = 1;
		p->killed = 1;
		kill(-p->pid, SIGTERM);
		p->kill_at = now_ms() + KILL_GRACE_MS;
	} else if (p->kill_at != 0 && now_ms() >= p->kill_at) {
		kill(-p->pid, SIGKILL);
		p->kill_at = 0;
	}
	return (p->exited);
}

void
spawn_end(struct spawn_proc *p, struct spawn_result *r)
{
	int i;

	/* What the child wrote before exiting is still in the pipes. */
	for (i = 1; i < 3; i++) {
		if (p->fds[i] != -1) {
			drain(&p->fds[i], i == 1 ? &p->r.out : &p->r.err,
			    p->max, &p->r.truncated);
			if (p->fds[i] != -1)
				close(p->fds[i]);
		}
	}
	if (p->fds[0] != -1)
		close(p->fds[0]);
	if (p->pidfd != -1)
		close(p->pidfd);
	/* Whatever the command left running in its group goes with it. */
	if (p->killed)
		kill(-p->pid, SIGKILL);
	if (!p->exited)
		waitpid(p->pid, &p->status, 0);
	p->r.status = p->status;
	if (WIFEXITED(p->status))
		p->r.exit_code = WEXITSTATUS(p->status);
	else if (WIFSIGNALED(p->status)) {
		p->r.signo = WTERMSIG(p->status);
		p->r.exit_code = 128 + p->r.signo;
	}
	*r = p->r;
	free(p);
}

void
spawn_wait(struct spawn_proc *p)
{
	struct pollfd pfd[SPAWN_MAXFDS];
	int n, t;

	while (!spawn_step(p)) {
		n = spawn_pollfds(p, pfd);
		/* A pidfd that never fires would be a kernel bug: cap it. */
		if ((t = spawn_wait_ms(p)) == -1 || t > 1000)
			t = 1000;
		if (n > 0 && poll(pfd, n, t) == -1 && errno != EINTR)
			break;
		if (n == 0)
			usleep(t * 1000);
	}
}

int
spawn_run(const struct spawn_opts *o, struct spawn_result *r)
{
	struct spawn_proc *p;

	memset(r, 0, sizeof(*r));
	if ((p = spawn_begin(o)) == NULL)
		return (-1);
	spawn_wait(p);
	spawn_end(p, r);
	return (0);
}

void
spawn_result_free(struct spawn_result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

pid_t
spawn_start(const struct spawn_opts *o, int *outfd)
{
	struct spawn_opts c = *o;
	int fds[3];
	pid_t pid;

	c.in = NULL;
	c.flags &= ~SPAWN_CAPTURE_ERR;
	if (outfd != NULL)
		c.flags |= SPAWN_CAPTURE_OUT | SPAWN_MERGE_ERR;
	if (fork_child(&c, fds, &pid) == -1)
		return (-1);
	if (outfd != NULL)
		*outfd = fds[1];
	return (pid);
}

int
spawn_cmdv(struct buf *out, char *const argv[])
{
	struct spawn_opts o;
	struct spawn_result r;
	char *nl;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.flags = SPAWN_CAPTURE_OUT | SPAWN_CAPTURE_ERR | SPAWN_NULL_IN |
	    SPAWN_SEARCH_PATH;
	if (spawn_run(&o, &r) == -1)
		return (-1);
	if (r.exit_code != 0) {
		/* The tool's own last words are the best explanation. */
		char *msg = (char *)buf_cstr(&r.err);
		msg = str_trim(msg);
		if ((nl = strrchr(msg, '\n')) != NULL)
			msg = nl + 1;
		if (r.exit_code == 127 && *msg == '\0')
			error_set("%s: command not found", argv[0]);
		else if (*msg != '\0')
			error_set("%s", msg);
		else
			error_set("%s exited with status %d", argv[0],
			    r.exit_code);
		spawn_result_free(&r);
		return (-1);
	}
	if (out != NULL)
		buf_add(out, r.out.data != NULL ? r.out.data : "", r.out.len);
	spawn_result_free(&r);
	return (0);
}

int
spawn_cmd(struct buf *out, const char *arg0, ...)
{
	struct strv argv = STRV_INIT;
	const char *a;
	va_list ap;
	int rc;

	strv_push(&argv, arg0);
	va_start(ap, arg0);
	while ((a = va_arg(ap, const char *)) != NULL)
		strv_push(&argv, a);
	va_end(ap);
	rc = spawn_cmdv(out, argv.v);
	strv_free(&argv);
	return (rc);
}
