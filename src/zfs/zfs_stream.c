/*
 * zfs send and zfs receive as child processes wired to the caller's file
 * descriptors, so the stream itself never passes through a buffer of ours
 * unless the caller wants it to (sync-be does, to count and show it).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/spawn.h"
#include "zfs/zfs.h"

/*
 * The child's stderr: a pipe whose write end, the child's alone, does not
 * block, so it holds at most a pipe's worth (64 KiB, what stream_error
 * reads) and a zfs that talks without end gets EAGAIN instead of filling
 * a temporary file (it used to be an unnamed one in $TMPDIR, unbounded).
 * Only the read end stays with us; *wfd is closed after the fork.
 */
static int
errpipe(int *wfd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return (error_sys("pipe"));
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(p[0], F_SETFL, O_NONBLOCK) == -1) {
		close(p[0]);
		close(p[1]);
		return (error_sys("pipe"));
	}
	*wfd = p[1];
	return (p[0]);
}

static int
start(struct zfs_stream *s, char *const argv[], int infd, int outfd)
{
	pid_t pid;
	int efd, ewfd = -1;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	if ((efd = errpipe(&ewfd)) == -1)
		return (-1);
	if ((pid = fork()) == -1) {
		close(efd);
		close(ewfd);
		return (error_sys("fork"));
	}
	if (pid == 0) {
		int nullfd = open("/dev/null", O_RDWR);

		/*
		 * A group of its own: a ^C at the terminal is the caller's
		 * to act on (stop, wait, undo), not a kill of the zfs
		 * process while it works (under zfs-fuse the daemon goes on
		 * without it, and what it makes is then nobody's to undo).
		 */
		(void)setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (dup2(infd >= 0 ? infd : nullfd, 0) == -1 ||
		    dup2(outfd >= 0 ? outfd : nullfd, 1) == -1 ||
		    dup2(ewfd, 2) == -1)
			_exit(126);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(ewfd);
	s->pid = pid;
	s->errfd = efd;
	return (0);
}

static const char *
zfs_tool(void)
{
	const char *e = getenv("STASIS_ZFS");

	return (e != NULL && *e != '\0' ? e : "zfs");
}

int
zfs_send_start(struct zfs_stream *s, const char *snap, int outfd)
{
	char *argv[] = { (char *)zfs_tool(), "send", (char *)snap, NULL };

	if (start(s, argv, -1, outfd) == -1)
		return (-1);
	s->what = xasprintf("send %s", snap);
	return (0);
}

/*
 * Does this zfs know `receive -u` (do not mount)?  OpenZFS does, zfs-fuse
 * does not; its usage text says which.  A stream sent with its
 * properties may carry mountpoint=/ and canmount=on, and OpenZFS on Linux
 * would mount that over the running root on arrival.
 */
static int
recv_has_u(void)
{
	static int known = -1;
	struct spawn_opts o;
	struct spawn_result r;
	char *argv[] = { (char *)zfs_tool(), "receive", NULL };
	const char *t, *e;

	if (known != -1)
		return (known);
	known = 0;
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.flags = SPAWN_CAPTURE_OUT | SPAWN_CAPTURE_ERR | SPAWN_NULL_IN |
	    SPAWN_SEARCH_PATH;
	if (spawn_run(&o, &r) == -1) {
		error_clear();
		return (known);
	}
	/* The first "receive [-flags]" in the usage text. */
	if ((t = strstr(buf_cstr(&r.err), "receive [-")) != NULL &&
	    (e = strchr(t, ']')) != NULL)
		known = memchr(t, 'u', e - t) != NULL;
	spawn_result_free(&r);
	return (known);
}

int
zfs_recv_start(struct zfs_stream *s, const char *ds, int infd)
{
	char *argv[] = { (char *)zfs_tool(), "receive", (char *)ds, NULL,
	    NULL };

	if (recv_has_u()) {
		argv[2] = "-u";
		argv[3] = (char *)ds;
	}

	if (start(s, argv, infd, -1) == -1)
		return (-1);
	s->what = xasprintf("receive %s", ds);
	return (0);
}

/* The first "cannot ..." line, else the first line, of its stderr. */
static void
stream_error(struct zfs_stream *s, int status)
{
	struct buf b = BUF_INIT;
	char *line, *next, *best = NULL, *first = NULL;

	ssize_t n;

	/*
	 * After the exit, all it wrote is in the pipe: read what is there
	 * (a grandchild holding the write end open must not keep us).
	 */
	for (;;) {
		buf_grow(&b, 4096);
		b.data[b.len] = '\0';
		n = read(s->errfd, b.data + b.len, b.cap - b.len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || b.len + (size_t)n > 64 * 1024)
			break;
		b.len += (size_t)n;
		b.data[b.len] = '\0';
	}
	for (line = (char *)buf_cstr(&b); line && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = str_trim(line);
		if (*line == '\0' || str_startswith(line, "warning:"))
			continue;
		if (first == NULL)
			first = line;
		if (best == NULL && str_startswith(line, "cannot "))
			best = line;
	}
	if (best == NULL)
		best = first;
	if (best != NULL)
		error_set("zfs %s: %s", s->what, best);
	else if (WIFSIGNALED(status))
		error_set("zfs %s: killed by signal %d", s->what,
		    WTERMSIG(status));
	else
		error_set("zfs %s: exit status %d", s->what,
		    WEXITSTATUS(status));
	buf_free(&b);
}

int
zfs_stream_wait(struct zfs_stream *s)
{
	int status, rc = 0;

	if (s->pid <= 0)
		return (error_set("zfs stream not started"));
	while (waitpid(s->pid, &status, 0) == -1) {
		if (errno != EINTR) {
			rc = error_sys("waitpid");
			goto out;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		stream_error(s, status);
		rc = -1;
	}
out:
	close(s->errfd);
	free(s->what);
	s->what = NULL;
	s->pid = -1;
	return (rc);
}

int
zfs_stream_exited(struct zfs_stream *s)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (s->pid <= 0)
		return (1);
	/* WNOWAIT: leave the status for zfs_stream_wait. */
	if (waitid(P_PID, s->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return (errno == EINTR ? 0 : 1);
	return (si.si_pid == s->pid);
}

void
zfs_stream_kill(struct zfs_stream *s)
{
	char *msg;

	if (s->pid <= 0)
		return;
	msg = xstrdup(error_msg());
	kill(s->pid, SIGTERM);
	(void)zfs_stream_wait(s);
	error_set("%s", msg);
	free(msg);
}
