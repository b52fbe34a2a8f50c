/*
 * A directory tree as a ZFS send stream: a scratch pool on a sparse file
 * sized from the tree, a dataset holding a copy of it, a snapshot, and
 * `zfs send`.  The pool and its file go away on every path out.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/path.h"
#include "base/progress.h"
#include "base/spawn.h"
#include "image/image.h"
#include "image/image_int.h"
#include "zfs/zfs.h"

#define MIN_POOL	(128ull << 20)	/* zfs-fuse wants at least 64M */
#define CHUNK		(1 << 20)

static uint64_t tree_bytes;

static int
add_size(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	/* Whole blocks, and a little per file for ZFS's own metadata. */
	tree_bytes += ((uint64_t)st->st_size + 4095) / 4096 * 4096 + 1024;
	return (0);
}

static int
stopped(const struct image_zfs_opts *o)
{
	return (o->stop != NULL && *o->stop);
}

static int
send_to(const struct image_zfs_opts *o, const char *snap, uint64_t *bytes)
{
	struct zfs_stream s;
	struct progress *pr = NULL;
	char *buf;
	ssize_t n;
	int p[2], rc = 0;

	if (pipe2(p, O_CLOEXEC) == -1)
		return (error_sys("pipe"));
	if (zfs_send_start(&s, snap, p[1]) == -1) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	close(p[1]);
	if (!o->quiet)
		pr = progress_new("wrote", "stream", 0, 2);
	buf = xmalloc(CHUNK);
	while (rc == 0) {
		if (stopped(o)) {
			rc = error_set("interrupted");
			break;
		}
		if ((n = read(p[0], buf, CHUNK)) == -1) {
			if (errno != EINTR)
				rc = error_sys("read zfs send");
			continue;
		}
		if (n == 0)
			break;
		if (file_write_all(o->outfd, buf, n) == -1)
			rc = -1;
		*bytes += n;
		if (pr != NULL)
			progress_update(pr, *bytes);
	}
	free(buf);
	close(p[0]);
	if (rc == -1)
		zfs_stream_kill(&s);
	else
		rc = zfs_stream_wait(&s);
	progress_end(pr, rc == 0);
	return (rc);
}

/* zfs-fuse calls a pool busy for a moment after a send ends. */
static int
destroy_pool(const char *pool)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (zpool_destroy(pool) == 0)
			return (0);
		if (strstr(error_msg(), "busy") == NULL)
			break;
		usleep(100000);
	}
	return (-1);
}

int
image_zfs_stream(const struct image_zfs_opts *o, uint64_t *bytes)
{
	char *pool, *file, *ds, *snap, *mnt = NULL, *src;
	struct stat st;
	uint64_t size;
	int fd, rc = -1, made_pool = 0;

	*bytes = 0;
	if (stat(o->dir, &st) == -1)
		return (error_sys("%s", o->dir));
	if (!S_ISDIR(st.st_mode))
		return (error_set("%s is not a directory", o->dir));
	if (!zfs_component_ok(o->snapname))
		return (error_set("invalid snapshot name '%s'", o->snapname));
	tree_bytes = 0;
	if (nftw(o->dir, add_size, 64, FTW_PHYS) == -1)
		return (error_sys("walk %s", o->dir));
	size = tree_bytes + tree_bytes / 2 + MIN_POOL;
	pool = xasprintf("stasisimg%ld", (long)getpid());
	file = xasprintf("%s/%s.img", o->workdir, pool);
	ds = xasprintf("%s/image", pool);
	snap = xasprintf("%s@%s", ds, o->snapname);
	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600))
	    == -1) {
		error_sys("%s", file);
		goto out;
	}
	if (ftruncate(fd, (off_t)size) == -1) {
		error_sys("size %s", file);
		close(fd);
		goto out;
	}
	close(fd);
	if (zpool_create_file(pool, file) == -1) {
		error_wrap("scratch pool");
		goto out;
	}
	made_pool = 1;
	if ((mnt = path_mkdtemp("/tmp/stasis-image.XXXXXX")) == NULL)
		goto out;
	{
		struct buf out = BUF_INIT;
		char *mp = xasprintf("mountpoint=%s", mnt);

		rc = spawn_cmd(&out, "zfs", "create", "-o", mp, ds, NULL);
		free(mp);
		buf_free(&out);
		if (rc == -1)
			goto out;
		rc = -1;
	}
	if (path_is_mountpoint(mnt) != 1) {
		if (zfs_mount(ds) == -1)
			goto out;
	}
	/* cp -a keeps owners, modes, times, links and devices. */
	src = xasprintf("%s/.", o->dir);
	{
		struct buf out = BUF_INIT;

		rc = spawn_cmd(&out, "cp", "-a", "--", src, mnt, NULL);
		buf_free(&out);
	}
	free(src);
	if (rc == -1) {
		error_wrap("copy %s", o->dir);
		goto out;
	}
	rc = -1;
	if (stopped(o)) {
		error_set("interrupted");
		goto out;
	}
	if (zfs_unmount(ds, 0) == -1 || zfs_snapshot(snap, 0) == -1)
		goto out;
	rc = send_to(o, snap, bytes);
out:
	if (made_pool) {
		char *msg = xstrdup(error_msg());

		if (mnt != NULL && path_is_mountpoint(mnt) == 1)
			(void)zfs_unmount(ds, 1);
		if (destroy_pool(pool) == -1 && rc == 0)
			rc = error_wrap("destroy scratch pool");
		else if (rc == -1)
			error_set("%s", msg);
		free(msg);
	}
	if (mnt != NULL)
		(void)rmdir(mnt);
	(void)unlink(file);
	free(mnt);
	free(pool);
	free(file);
	free(ds);
	free(snap);
	return (rc);
}

int
image_zfs_file(const struct image_zfs_opts *o, const char *out,
    uint64_t *bytes)
{
	struct image_zfs_opts c = *o;
	char *tmp;

	*bytes = 0;
	if ((c.outfd = out_open(out, &tmp)) == -1)
		return (-1);
	if (image_zfs_stream(&c, bytes) == -1) {
		out_discard(c.outfd, tmp);
		return (-1);
	}
	if (out_sync(c.outfd, out) == -1) {
		out_discard(-1, tmp);
		return (-1);
	}
	if (out_rename(tmp, out) == -1) {
		out_discard(-1, tmp);
		return (-1);
	}
	free(tmp);
	return (0);
}
