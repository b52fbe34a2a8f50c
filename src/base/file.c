/*
 * Bounded whole-file reads and crash-safe writes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "file.h"

int
file_read_fd(int fd, size_t max, struct buf *out)
{
	ssize_t n;

	for (;;) {
		/* A small limit, a small buffer: no 64 KiB for /proc files. */
		buf_grow(out, max < 65536 ? max + 2 : 65536);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return (error_sys("read"));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > max)
			return (error_set("larger than the limit of %zu bytes",
			    max));
	}
	return (0);
}

int
file_read(const char *path, size_t max, struct buf *out)
{
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (error_sys("%s", path));
	r = file_read_fd(fd, max, out);
	close(fd);
	if (r == -1)
		return (error_wrap("%s", path));
	return (0);
}

int
file_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return (error_sys("write"));
		}
		c += w;
		n -= (size_t)w;
	}
	return (0);
}

int
file_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = pwrite(fd, c, n, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return (error_sys("write"));
		}
		c += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return (0);
}

int
file_write_atomic(const char *path, const void *p, size_t n, mode_t mode)
{
	char *tmp, *dcopy;
	int fd, dfd;

	tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		error_sys("create temporary file for %s", path);
		free(tmp);
		return (-1);
	}
	if (fchmod(fd, mode) == -1 || file_write_all(fd, p, n) == -1 ||
	    fsync(fd) == -1) {
		error_sys("write %s", tmp);
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		error_sys("close %s", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		error_sys("rename %s to %s", tmp, path);
		goto fail;
	}
	/* The rename itself must reach the disk for the write to last. */
	dcopy = xstrdup(path);
	if ((dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dcopy);
	free(tmp);
	return (0);
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return (-1);
}

static char guard_path[PATH_MAX];
static volatile sig_atomic_t guard_armed;
static const int guard_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction guard_old[3];

static void
guard_handler(int sig)
{
	int e = errno;

	if (guard_armed)
		(void)unlink(guard_path);
	guard_armed = 0;
	signal(sig, SIG_DFL);
	raise(sig);
	errno = e;
}

void
file_tmp_guard(const char *path)
{
	struct sigaction sa;
	size_t i;

	if (strlen(path) >= sizeof(guard_path))
		return;
	file_tmp_forget();
	memcpy(guard_path, path, strlen(path) + 1);
	guard_armed = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_handler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(guard_sigs) / sizeof(guard_sigs[0]); i++) {
		sigaction(guard_sigs[i], NULL, &guard_old[i]);
		/* A signal the caller ignores (nohup) stays ignored. */
		if (guard_old[i].sa_handler != SIG_IGN)
			sigaction(guard_sigs[i], &sa, NULL);
	}
}

void
file_tmp_forget(void)
{
	size_t i;

	if (!guard_armed)
		return;
	guard_armed = 0;
	for (i = 0; i < sizeof(guard_sigs) / sizeof(guard_sigs[0]); i++)
		if (guard_old[i].sa_handler != SIG_IGN)
			sigaction(guard_sigs[i], &guard_old[i], NULL);
}
