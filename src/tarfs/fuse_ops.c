/*
 * The FUSE side: lowlevel operations over the index, many threads.
 *
 * The index never changes after the mount, so the operations take no
 * locks, inode numbers are stable (forget has nothing to do) and the
 * kernel may cache everything for as long as it likes: entries and
 * attributes for a day, file pages for the life of the mount
 * (keep_cache).  Plain tar data goes from the archive fd to the kernel
 * without a copy through us (fuse_reply_data with an fd buffer, spliced
 * when the kernel allows).  Anything that would write is EROFS, and the
 * mount itself is read-only, so most writes never get here.
 */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "tarfs/tarfs_int.h"

#define TIMEOUT		86400.0
#define MAXREAD		(1 << 20)

/*
 * Each worker's read buffer, freed when libfuse retires the thread (it
 * starts and stops workers as load comes and goes).
 */
static pthread_key_t	bufkey;
static pthread_once_t	bufonce = PTHREAD_ONCE_INIT;

struct rbuf {
	size_t	 cap;
	char	 data[];
};

static void
bufkey_init(void)
{
	(void)pthread_key_create(&bufkey, free);
}

static char *
thread_buf(size_t size)
{
	struct rbuf *b;

	pthread_once(&bufonce, bufkey_init);
	b = pthread_getspecific(bufkey);
	if (b == NULL || b->cap < size) {
		free(b);
		b = xmalloc(sizeof(*b) + size);
		b->cap = size;
		(void)pthread_setspecific(bufkey, b);
	}
	return (b->data);
}

static struct tarfs *
fs(fuse_req_t req)
{
	return (fuse_req_userdata(req));
}

/*
 * With nothing to keep per open file, opens need not reach us at all:
 * answering ENOSYS once makes the kernel skip OPEN and RELEASE for good,
 * and it then keeps the page cache (and directory listings) as if
 * keep_cache and cache_readdir were set; two round trips fewer for
 * every file read.  Write opens do not get that far while the mount is
 * ro; after `mount -o remount,rw` they do, and succeed unasked, but
 * every write, truncation and attribute change still comes here and is
 * refused.  That needs O_TRUNC sent as a SETATTR: with atomic O_TRUNC
 * (libfuse asks for it by default) the kernel leaves the truncation to
 * the OPEN it then skips, and open(O_TRUNC) would succeed, truncating
 * nothing.
 */
static int no_open, no_opendir;

static void
op_init(void *ud, struct fuse_conn_info *conn)
{
	conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
	if (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPEN_SUPPORT;
		no_open = 1;
	}
	if (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
		no_opendir = 1;
	}
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE;
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	/* Nothing is ever written; a big max_write buys big reads. */
	conn->max_write = MAXREAD;
	conn->max_readahead = UINT32_MAX;	/* clamped to the kernel's */
	/* Readahead requests are background ones: let many be in flight. */
	conn->max_background = 64;
	conn->congestion_threshold = 48;
}

static int
fill_entry(struct tarfs *t, uint64_t ino, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	if (tarfs_stat(t, ino, &e->attr) == -1)
		return (-1);
	e->ino = ino;
	e->generation = 1;
	e->attr_timeout = TIMEOUT;
	e->entry_timeout = TIMEOUT;
	return (0);
}

static void
op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	uint64_t ino;

	if ((ino = tarfs_lookup(fs(req), parent, name)) == 0) {
		if (errno == ENOENT) {
			/* Cache the miss as well: nothing will appear. */
			memset(&e, 0, sizeof(e));
			e.entry_timeout = TIMEOUT;
			fuse_reply_entry(req, &e);
			return;
		}
		fuse_reply_err(req, errno);
		return;
	}
	if (fill_entry(fs(req), ino, &e) == -1)
		fuse_reply_err(req, errno);
	else
		fuse_reply_entry(req, &e);
}

static void
op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (tarfs_stat(fs(req), ino, &st) == -1)
		fuse_reply_err(req, errno);
	else
		fuse_reply_attr(req, &st, TIMEOUT);
}

static void
op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	const char *l;

	if ((l = tarfs_readlink(fs(req), ino)) == NULL)
		fuse_reply_err(req, errno);
	else
		fuse_reply_readlink(req, l);
}

static void
op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (no_open) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY ||
	    (fi->flags & (O_TRUNC | O_CREAT)) != 0) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (tarfs_stat(fs(req), ino, &st) == -1) {
		fuse_reply_err(req, errno);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->keep_cache = 1;
	fi->noflush = 1;
	fuse_reply_open(req, fi);
}

static void
op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct tarfs *t = fs(req);
	char *buf;
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(0);
	struct stat st;
	uint64_t aoff;
	ssize_t n;
	int fd;

	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if ((fd = tarfs_data_fd(t, ino, &aoff)) != -1) {
		if (tarfs_stat(t, ino, &st) == -1) {
			fuse_reply_err(req, errno);
			return;
		}
		if (off >= st.st_size)
			size = 0;
		else if ((uint64_t)size > (uint64_t)(st.st_size - off))
			size = (size_t)(st.st_size - off);
		bv.buf[0].size = size;
		bv.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK |
		    FUSE_BUF_FD_RETRY;
		bv.buf[0].fd = fd;
		bv.buf[0].pos = (off_t)(aoff + (uint64_t)off);
		fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE);
		return;
	}
	if (size > MAXREAD)
		size = MAXREAD;
	buf = thread_buf(size);
	if ((n = tarfs_read(t, ino, buf, size, (uint64_t)off)) == -1)
		fuse_reply_err(req, errno);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

static void
op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (no_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if (tarfs_stat(fs(req), ino, &st) == -1) {
		fuse_reply_err(req, errno);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	fi->keep_cache = 1;
	fi->cache_readdir = 1;
	fuse_reply_open(req, fi);
}

static void
readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    int plus)
{
	struct tarfs *t = fs(req);
	struct fuse_entry_param e;
	const char *name;
	uint64_t child, idx;
	size_t len = 0, n;
	char *buf;
	int r;

	if (size > MAXREAD)
		size = MAXREAD;
	buf = xmalloc(size);
	for (idx = (uint64_t)off;; idx++) {
		r = tarfs_readdir(t, ino, idx, &name, &child);
		if (r == -1) {
			free(buf);
			fuse_reply_err(req, errno);
			return;
		}
		if (r == 0)
			break;
		if (fill_entry(t, child, &e) == -1)
			continue;
		if (plus) {
			if (idx < 2)	/* no lookup count for . and .. */
				e.ino = 0, e.attr.st_ino = child;
			n = fuse_add_direntry_plus(req, buf + len, size - len,
			    name, &e, (off_t)(idx + 1));
		} else
			n = fuse_add_direntry(req, buf + len, size - len,
			    name, &e.attr, (off_t)(idx + 1));
		if (n > size - len)
			break;
		len += n;
	}
	fuse_reply_buf(req, buf, len);
	free(buf);
}

static void
op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	readdir_common(req, ino, size, off, 0);
}

static void
op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	readdir_common(req, ino, size, off, 1);
}

static void
op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct tarfs *t = fs(req);
	struct statvfs sv;

	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 512;
	sv.f_blocks = (fsblkcnt_t)((t->src.size + 511) / 512);
	sv.f_files = (fsfilcnt_t)t->ninodes;
	sv.f_namemax = 255;
	sv.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &sv);
}

static void
op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	fuse_reply_err(req, (mask & W_OK) ? EROFS : 0);
}

static void
op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	fuse_reply_err(req, ENODATA);
}

static void
op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	if (size == 0)
		fuse_reply_xattr(req, 0);
	else
		fuse_reply_buf(req, NULL, 0);
}

/* Everything that would change the tree. */
static void
op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *a, int set,
    struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void
op_mknod(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m, dev_t d)
{
	fuse_reply_err(req, EROFS);
}

static void
op_mkdir(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m)
{
	fuse_reply_err(req, EROFS);
}

static void
op_unlink(fuse_req_t req, fuse_ino_t p, const char *n)
{
	fuse_reply_err(req, EROFS);
}

static void
op_symlink(fuse_req_t req, const char *l, fuse_ino_t p, const char *n)
{
	fuse_reply_err(req, EROFS);
}

static void
op_rename(fuse_req_t req, fuse_ino_t p, const char *n, fuse_ino_t np,
    const char *nn, unsigned int flags)
{
	fuse_reply_err(req, EROFS);
}

static void
op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t np, const char *nn)
{
	fuse_reply_err(req, EROFS);
}

static void
op_write(fuse_req_t req, fuse_ino_t ino, const char *b, size_t s, off_t o,
    struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void
op_create(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m,
    struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void
op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *n, const char *v,
    size_t s, int f)
{
	fuse_reply_err(req, EROFS);
}

static void
op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *n)
{
	fuse_reply_err(req, EROFS);
}

static void
op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t o, off_t l,
    struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static const struct fuse_lowlevel_ops ops = {
	.init		= op_init,
	.lookup		= op_lookup,
	.getattr	= op_getattr,
	.readlink	= op_readlink,
	.open		= op_open,
	.read		= op_read,
	.opendir	= op_opendir,
	.readdir	= op_readdir,
	.readdirplus	= op_readdirplus,
	.statfs		= op_statfs,
	.access		= op_access,
	.getxattr	= op_getxattr,
	.listxattr	= op_listxattr,
	.setattr	= op_setattr,
	.mknod		= op_mknod,
	.mkdir		= op_mkdir,
	.unlink		= op_unlink,
	.rmdir		= op_unlink,
	.symlink	= op_symlink,
	.rename		= op_rename,
	.link		= op_link,
	.write		= op_write,
	.create		= op_create,
	.setxattr	= op_setxattr,
	.removexattr	= op_removexattr,
	.fallocate	= op_fallocate,
};

/*
 * The kernel gives a FUSE mount 128 KiB of readahead and will not take
 * more from the INIT reply; its bdi's read_ahead_kb can be raised once
 * mounted.  That needs the mount's device, and a stat() of the mount
 * point is a FUSE request: so it is done from a thread of its own once
 * the loop serves requests.  Best effort: root only, errors ignored.
 */
struct ra_arg {
	char		*dir;
	unsigned	 kb;
};

static void *
set_readahead(void *p)
{
	struct ra_arg *a = p;
	struct stat st;
	char path[128], val[32];
	int fd;

	if (stat(a->dir, &st) == 0) {
		snprintf(path, sizeof(path),
		    "/sys/class/bdi/%u:%u/read_ahead_kb",
		    major(st.st_dev), minor(st.st_dev));
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) != -1) {
			snprintf(val, sizeof(val), "%u", a->kb);
			(void)write(fd, val, strlen(val));
			close(fd);
		}
	}
	free(a->dir);
	free(a);
	return (NULL);
}

/* FUSE's option parser splits on commas; the archive name may hold any. */
static void
add_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ',' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
}

int
tarfs_mount(struct tarfs *t, const char *dir,
    const struct tarfs_mount_opts *o)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se = NULL;
	struct fuse_loop_config *cfg = NULL;
	struct buf opts = BUF_INIT;
	int r = -1, mounted = 0, sig = 0;
	char *absdir = realpath(dir, NULL);

	buf_addstr(&opts, "ro,default_permissions,fsname=");
	add_escaped(&opts, o->fsname != NULL ? o->fsname : "tarfs");
	buf_addstr(&opts, ",subtype=tarfs");
	/* Jails run as many users; only root may grant that. */
	if (geteuid() == 0)
		buf_addstr(&opts, ",allow_other");
	if (o->fuse_opts != NULL && o->fuse_opts[0] != '\0') {
		buf_addc(&opts, ',');
		buf_addstr(&opts, o->fuse_opts);
	}
	if (fuse_opt_add_arg(&args, "tarfs") == -1 ||
	    fuse_opt_add_arg(&args, "-o") == -1 ||
	    fuse_opt_add_arg(&args, buf_cstr(&opts)) == -1 ||
	    (o->debug && fuse_opt_add_arg(&args, "-d") == -1)) {
		error_set("out of memory");
		goto out;
	}
	se = fuse_session_new(&args, &ops, sizeof(ops), t);
	if (se == NULL) {
		error_set("mount %s: bad FUSE options (%s)", dir,
		    buf_cstr(&opts));
		goto out;
	}
	if (fuse_set_signal_handlers(se) == -1) {
		error_set("mount %s: cannot set signal handlers", dir);
		goto out;
	}
	sig = 1;
	if (fuse_session_mount(se, dir) != 0) {
		error_set("mount %s: FUSE mount failed (is /dev/fuse "
		    "there, and %s a directory?)", dir, dir);
		goto out;
	}
	mounted = 1;
	if (fuse_daemonize(o->foreground) == -1) {
		error_set("mount %s: cannot daemonize", dir);
		goto out;
	}
	/* Threads do not cross fork: a tar.zst's background scan starts here. */
	src_background(&t->src);
	if (absdir != NULL && geteuid() == 0 && o->readahead_kb > 0) {
		struct ra_arg *a = xmalloc(sizeof(*a));
		pthread_t th;

		a->dir = absdir;
		a->kb = o->readahead_kb;
		absdir = NULL;
		if (pthread_create(&th, NULL, set_readahead, a) == 0)
			pthread_detach(th);
		else {
			free(a->dir);
			free(a);
		}
	}
	cfg = fuse_loop_cfg_create();
	fuse_loop_cfg_set_clone_fd(cfg, 1);
	fuse_loop_cfg_set_max_threads(cfg, o->threads > 0 ?
	    (unsigned)o->threads : 16);
	fuse_loop_cfg_set_idle_threads(cfg, 4);
	if (fuse_session_loop_mt(se, cfg) != 0) {
		error_set("%s: the FUSE loop failed", dir);
		goto out;
	}
	r = 0;
out:
	if (cfg != NULL)
		fuse_loop_cfg_destroy(cfg);
	if (mounted)
		fuse_session_unmount(se);
	if (sig)
		fuse_remove_signal_handlers(se);
	if (se != NULL)
		fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	buf_free(&opts);
	free(absdir);
	return (r);
}
