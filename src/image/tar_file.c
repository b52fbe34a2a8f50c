/*
 * An image tar into a named file, never half-written: a temporary name in
 * the same directory, renamed over the target once everything worked and
 * removed on every other path.  A tar.zst is `stasis tarfs --compress`
 * reading our tar from a pipe (on the other core) and writing our
 * temporary file.  Then `stasis tarfs --index --embed` puts the tarfs
 * index into the temporary file, so that the first mount of the image
 * reads it instead of every header (with no_embed, a tar.zst gets its
 * indexes saved beside it by `stasis tarfs --index` instead): the image
 * feature runs tarfs as a program, not as a library
 * (docs/ARCHITECTURE.md, "Dependencies").
 */
#include <sys/stat.h>
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
#include "base/path.h"
#include "base/spawn.h"
#include "image/image.h"
#include "image/image_int.h"

#define PIPE_BYTES	(1 << 20)

/* The child's last line, as spawn_cmd reports a tool's failure. */
static void
child_error(struct buf *msg, int status, const char *what)
{
	char *m = str_trim((char *)buf_cstr(msg)), *nl;

	if ((nl = strrchr(m, '\n')) != NULL)
		m = nl + 1;
	if (*m != '\0')
		error_set("%s: %s", what, m);
	else if (WIFSIGNALED(status))
		error_set("%s: killed by signal %d", what, WTERMSIG(status));
	else
		error_set("%s: exit status %d", what, WEXITSTATUS(status));
}

/*
 * Start `stasis tarfs --compress - -` reading a pipe and writing outfd;
 * *wfd gets the pipe's other end, *errfd the child's stderr.
 */
static pid_t
start_compress(const char *exe, int outfd, int *wfd, int *errfd)
{
	struct spawn_opts so;
	char *argv[] = { "stasis", "tarfs", "--compress", "--no-embed", "-",
	    "-", NULL };
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return (error_sys("pipe"));
	/*
	 * The compressor reads a batch, then compresses it on every CPU
	 * while reading nothing: a pipe that holds a whole output buffer
	 * lets us read the next files meanwhile (best effort).
	 */
	(void)fcntl(p[1], F_SETPIPE_SZ, PIPE_BYTES);
	memset(&so, 0, sizeof(so));
	so.argv = argv;
	so.path = exe;
	so.flags = SPAWN_IN_FD | SPAWN_OUT_FD;
	so.in_fd = p[0];
	so.out_fd = outfd;
	pid = spawn_start(&so, errfd);
	close(p[0]);
	if (pid == -1) {
		close(p[1]);
		return (-1);
	}
	*wfd = p[1];
	return (pid);
}

/* Read the child's output to its end and reap it. */
static int
finish_child(pid_t pid, int errfd, struct buf *msg)
{
	char b[4096];
	ssize_t n;
	int status;

	for (;;) {
		n = read(errfd, b, sizeof(b));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (msg->len < 65536)
			buf_add(msg, b, n);
	}
	close(errfd);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return (-1);
	return (status);
}

static int
write_zstd(const struct image_tar_opts *o, int outfd,
    struct image_tar_stats *st)
{
	struct image_tar_opts c = *o;
	struct buf msg = BUF_INIT;
	char *exe = path_self_exe();
	int errfd, status, rc;
	pid_t pid;

	if ((pid = start_compress(exe, outfd, &c.outfd, &errfd)) == -1) {
		free(exe);
		return (-1);
	}
	free(exe);
	rc = image_tar_write(&c, st);
	if (rc == -1) {
		/*
		 * A broken pipe: tarfs failed first, and says why.  Anything
		 * else: stop it before it sees EOF and takes the tar as
		 * complete.
		 */
		int epipe = errno == EPIPE;
		char *m = xstrdup(error_msg());

		if (!epipe)
			spawn_kill_group(pid, 1000);
		close(c.outfd);
		status = finish_child(pid, errfd, &msg);
		if (epipe && status != 0)
			child_error(&msg, status, "tarfs --compress");
		else
			error_set("%s", m);
		free(m);
		buf_free(&msg);
		return (-1);
	}
	close(c.outfd);
	status = finish_child(pid, errfd, &msg);
	if (status != 0) {
		child_error(&msg, status, "tarfs --compress");
		rc = -1;
	}
	buf_free(&msg);
	return (rc);
}

/* stasis tarfs --index: beside out, or (embed) into it. */
static int
save_index(const char *out, int embed)
{
	struct buf msg = BUF_INIT;
	char *exe = path_self_exe();
	char *argv[] = { "stasis", "tarfs", "--index", "-q", (char *)out,
	    NULL, NULL };
	struct spawn_opts so;
	struct spawn_result r;
	int rc = 0;

	if (embed) {
		argv[4] = "--embed";
		argv[5] = (char *)out;
	}
	memset(&so, 0, sizeof(so));
	so.argv = argv;
	so.path = exe;
	so.flags = SPAWN_CAPTURE_OUT | SPAWN_MERGE_ERR | SPAWN_NULL_IN;
	if (spawn_run(&so, &r) == -1)
		rc = -1;
	else {
		if (r.exit_code != 0) {
			child_error(&r.out, r.status, embed ?
			    "tarfs --index --embed" : "tarfs --index");
			rc = -1;
		}
		spawn_result_free(&r);
	}
	buf_free(&msg);
	free(exe);
	return (rc);
}

/*
 * --no-embed with -z: the indexes `stasis tarfs --index` saved beside the
 * temporary file (keyed by its size and mtime, which the rename keeps)
 * are renamed to out's names before the archive itself, so that nothing
 * of the previous image is touched until all of the new one exists.
 */
static const char *const beside[] = { ".tfidx", ".zidx" };

static void
drop_beside(const char *tmp)
{
	size_t i;
	char *p;

	for (i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
		p = xasprintf("%s%s", tmp, beside[i]);
		(void)unlink(p);
		free(p);
	}
}

static int
rename_beside(const char *tmp, const char *out)
{
	size_t i;
	char *from, *to;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof(beside) / sizeof(beside[0]); i++) {
		from = xasprintf("%s%s", tmp, beside[i]);
		to = xasprintf("%s%s", out, beside[i]);
		/* A seekable tar.zst needs no .zidx: none was written. */
		if (access(from, F_OK) == 0 && rename(from, to) == -1)
			rc = error_sys("rename to %s", to);
		free(from);
		free(to);
	}
	return (rc);
}

int
image_tar_file(const struct image_tar_opts *o, const char *out, int zstd,
    struct image_tar_stats *st)
{
	struct image_tar_opts c = *o;
	struct stat sb;
	char *tmp;
	int fd, saved = 0;

	memset(st, 0, sizeof(*st));
	if ((fd = out_open(out, &tmp)) == -1)
		return (-1);
	c.self_fd = fd;
	if (zstd) {
		if (write_zstd(&c, fd, st) == -1)
			goto fail;
	} else {
		c.outfd = fd;
		if (image_tar_write(&c, st) == -1)
			goto fail;
	}
	if (out_sync(fd, out) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (!o->no_embed && save_index(tmp, 1) == -1)
		goto fail;
	if (zstd && o->no_embed) {
		saved = 1;
		if (save_index(tmp, 0) == -1 || rename_beside(tmp, out) == -1)
			goto fail;
	}
	if (zstd && stat(tmp, &sb) == 0)
		st->zbytes = sb.st_size;	/* the index included */
	if (out_rename(tmp, out) == -1)
		goto fail;
	free(tmp);
	return (0);
fail:
	if (saved)
		drop_beside(tmp);
	out_discard(fd, tmp);
	return (-1);
}
