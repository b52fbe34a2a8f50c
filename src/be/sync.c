/*
 * sync-be: an image stream becomes a new BE carrying this machine's own
 * state, chosen for the next boot only.  The stream is received under a
 * temporary name (<beroot>/.sync-be.<pid>), so a cut or corrupt stream, a
 * failed copy or a signal leaves no BE behind; only the last step renames
 * it into place.  A sync-be killed outright leaves its temporary dataset,
 * which the next sync-be (and `be check`) finds by the dead pid.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/path.h"
#include "base/progress.h"
#include "base/signify.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

/*
 * Big pipes on both sides, so a busy machine that is slow to schedule us
 * does not stall the stream: 4 MiB (root may exceed pipe-max-size), else
 * whatever is allowed.
 */
#define PIPE_SIZE	(4 << 20)
#define CHUNK		(4 << 20)
#define MNT_PREFIX	"/tmp/sync-be."
/* Without --spool-max, a spool leaves this share of its filesystem free. */
#define SPOOL_KEEP_PCT	5

static int
stopped(const struct syncbe_opts *o)
{
	return (o->stop != NULL && *o->stop);
}

/*
 * Pump the stream from infd into the pipe to zfs receive, counting it.
 * splice(2) moves pages without copying them through us when either side
 * allows it; plain reads and writes otherwise.
 */
static int
pump(const struct syncbe_opts *o, int out, struct progress *pr,
    uint64_t *total, int *recv_gone)
{
	char *buf = NULL;
	ssize_t n, w, off;
	int use_splice = 1, rc = 0;

	for (;;) {
		if (stopped(o)) {
			rc = error_set("interrupted");
			break;
		}
		if (use_splice) {
			n = splice(o->infd, NULL, out, NULL, CHUNK,
			    SPLICE_F_MOVE | SPLICE_F_MORE);
			if (n == -1 && (errno == EINVAL || errno == ENOSYS)) {
				use_splice = 0;
				continue;
			}
		} else {
			if (buf == NULL)
				buf = xmalloc(CHUNK);
			n = read(o->infd, buf, CHUNK);
		}
		if (n == -1) {
			if (errno == EINTR)
				continue;
			*recv_gone = errno == EPIPE;
			rc = error_sys(errno == EPIPE ?
			    "zfs receive stopped reading" : "stream");
			break;
		}
		if (n == 0)
			break;
		if (!use_splice) {
			for (off = 0; off < n; off += w) {
				w = write(out, buf + off, n - off);
				if (w == -1 && errno == EINTR) {
					if (stopped(o))
						break;
					w = 0;
				} else if (w == -1)
					break;
			}
			if (off < n) {
				*recv_gone = !stopped(o) && errno == EPIPE;
				rc = stopped(o) ? error_set("interrupted") :
				    error_sys("zfs receive stopped reading");
				break;
			}
		}
		*total += n;
		if (pr != NULL)
			progress_update(pr, *total);
	}
	free(buf);
	return (rc);
}

/*
 * A stream in a regular file goes to zfs receive as it is: nothing to
 * move, and the file offset, which it shares, says how far it got.  An
 * interrupt cannot cut this stream short (under zfs-fuse the daemon reads
 * it, not the zfs process), so it is waited out and then undone.
 */
static int
receive_file(const struct syncbe_opts *o, const char *ds, uint64_t *total)
{
	struct zfs_stream s;
	struct progress *pr = NULL;
	off_t start, pos;
	int rc, pfd;

	if ((start = lseek(o->infd, 0, SEEK_CUR)) == -1)
		return (error_sys("stream"));
	if (zfs_recv_start(&s, ds, o->infd) == -1)
		return (-1);
	if (!o->quiet)
		pr = progress_new("received", "stream",
		    o->size_hint > (uint64_t)start ? o->size_hint - start : 0,
		    2);
	/* Wake at its exit, not at the next tick: that is deploy time. */
	pfd = (int)syscall(SYS_pidfd_open, s.pid, 0);
	while (!zfs_stream_exited(&s)) {
		if (pfd >= 0) {
			struct pollfd pf = { pfd, POLLIN, 0 };

			(void)poll(&pf, 1, 100);
		} else
			usleep(10000);
		if (pr != NULL && (pos = lseek(o->infd, 0, SEEK_CUR)) >= start)
			progress_update(pr, pos - start);
	}
	if (pfd >= 0)
		close(pfd);
	rc = zfs_stream_wait(&s);
	pos = lseek(o->infd, 0, SEEK_CUR);
	*total = pos > start ? (uint64_t)(pos - start) : 0;
	if (pr != NULL)
		progress_update(pr, *total);
	if (rc == 0 && stopped(o))
		rc = error_set("interrupted");
	else if (rc == -1)
		error_wrap("after %llu bytes of stream",
		    (unsigned long long)*total);
	progress_end(pr, rc == 0);
	return (rc);
}

static void
grow_pipe(int fd)
{
	if (fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE) == -1)
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

/* Receive the stream as ds; nothing is left of ds if it fails. */
static int
receive(const struct syncbe_opts *o, const char *ds, uint64_t *total)
{
	struct zfs_stream s;
	struct progress *pr = NULL;
	int p[2], rc, wrc, recv_gone = 0;
	struct stat st;

	if (fstat(o->infd, &st) == 0 && S_ISREG(st.st_mode))
		return (receive_file(o, ds, total));
	if (pipe2(p, O_CLOEXEC) == -1)
		return (error_sys("pipe"));
	grow_pipe(p[1]);
	if (S_ISFIFO(st.st_mode))
		grow_pipe(o->infd);
	if (zfs_recv_start(&s, ds, p[0]) == -1) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	close(p[0]);
	if (!o->quiet)
		pr = progress_new("received", "stream", o->size_hint, 2);
	rc = pump(o, p[1], pr, total, &recv_gone);
	close(p[1]);
	if (rc == -1 && recv_gone) {
		/* zfs receive quit first: its reason is the one to give. */
		if (zfs_stream_wait(&s) == 0)
			error_set("zfs receive quit early");
		wrc = -1;
		rc = 0;
	} else if (rc == -1) {
		/*
		 * Not killed: under zfs-fuse the daemon reads the stream,
		 * not the zfs process, so only its exit says the receive
		 * is over.  With the pipe closed it sees a cut stream,
		 * gives up and removes what it made.
		 */
		char *m = xstrdup(error_msg());

		(void)zfs_stream_wait(&s);
		error_set("%s", m);
		free(m);
		wrc = -1;
	} else
		wrc = zfs_stream_wait(&s);
	if (rc == 0 && wrc == 0 && *total == 0)
		wrc = error_set("empty stream");
	progress_end(pr, rc == 0 && wrc == 0);
	if (rc == 0 && wrc == -1)
		error_wrap("after %llu bytes of stream",
		    (unsigned long long)*total);
	return (rc == 0 && wrc == 0 ? 0 : -1);
}

static void
remove_tmp(const char *ds, const char *mnt)
{
	char *msg = xstrdup(error_msg());
	char *mp;
	int i;

	if ((mp = zfs_mountpoint_of(ds)) != NULL) {
		(void)zfs_unmount(ds, 1);
		free(mp);
	}
	if (mnt != NULL)
		(void)rmdir(mnt);
	/* zfs-fuse may call it busy while its receive winds down. */
	for (i = 0; i < 50 && zfs_exists(ds) == 1; i++) {
		if (zfs_destroy(ds, ZFS_DESTROY_RECURSIVE |
		    ZFS_DESTROY_FORCE) == 0 ||
		    strstr(error_msg(), "busy") == NULL)
			break;
		usleep(100000);
	}
	error_set("%s", msg);
	free(msg);
}

/* Remove the temporary datasets of dead sync-be runs among l. */
static void
cleanup_list(struct be *b, const struct zfs_dslist *l, int *removed)
{
	size_t i, rl = strlen(b->root) + 1 + strlen(BE_SYNC_PREFIX);
	long long pid;
	glob_t g;

	for (i = 0; i < l->n; i++) {
		const char *n = l->v[i].name;

		if (strlen(n) <= rl || strncmp(n, b->root, strlen(b->root))
		    != 0 || !str_startswith(n + strlen(b->root) + 1,
		    BE_SYNC_PREFIX) || strchr(n, '@') != NULL)
			continue;
		if (str_tonum(n + rl, 1, 1 << 30, &pid) == -1) {
			error_clear();
			continue;
		}
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		remove_tmp(n, NULL);
		(*removed)++;
	}
	/* And the mount points of dead runs, if empty. */
	memset(&g, 0, sizeof(g));
	if (glob(MNT_PREFIX "*", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			const char *p = g.gl_pathv[i] + strlen(MNT_PREFIX);

			pid = strtoll(p, NULL, 10);
			if (pid > 0 && kill((pid_t)pid, 0) == -1 &&
			    errno == ESRCH && path_is_mountpoint(
			    g.gl_pathv[i]) == 0)
				(void)rmdir(g.gl_pathv[i]);
		}
	}
	globfree(&g);
	error_clear();
}

int
be_sync_cleanup(struct be *b, int *removed)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;

	*removed = 0;
	if (zfs_get(b->root, "type", 1, &l) == -1)
		return (-1);
	cleanup_list(b, &l, removed);
	zfs_dslist_free(&l);
	return (0);
}

/*
 * A stream in a regular file is checked where it is and then received
 * from it, so nobody may write it in between: a read lease makes the
 * kernel refuse it to be had while the file is open for writing, and
 * mark it broken when anyone opens it for writing or truncates it
 * afterwards (they wait, up to /proc/sys/fs/lease-break-time, for us to
 * notice and let go).  The lease-break signal, SIGIO, would kill us:
 * ignored while a lease is held; its state is polled instead.
 */
static struct sigaction lease_oldio;

static int
lease_take(int fd)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGIO, &sa, &lease_oldio);
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
		return (1);
	sigaction(SIGIO, &lease_oldio, NULL);
	return (0);
}

/* 0 when the lease still holds, else -1 and why. */
static int
lease_check(int fd, const char *when)
{
	if (fcntl(fd, F_GETLEASE) == F_RDLCK)
		return (0);
	return (error_set("the stream's file was opened for writing %s; "
	    "nothing of it is kept", when));
}

static void
lease_drop(int fd)
{
	(void)fcntl(fd, F_SETLEASE, F_UNLCK);
	sigaction(SIGIO, &lease_oldio, NULL);
}

/*
 * How much of a stream may be spooled: --spool-max, else all but
 * SPOOL_KEEP_PCT of the spool's filesystem as it is now, so a sender that
 * never stops (runaway or hostile) cannot fill /var/tmp for everyone else.
 * *why says where the number comes from, for the message past it.
 */
static int
spool_limit(const struct syncbe_opts *o, int sfd, uint64_t *max, char **why)
{
	struct statvfs sv;
	uint64_t avail, keep;

	if (o->spool_max != 0) {
		*max = o->spool_max;
		*why = xstrdup("--spool-max");
		return (0);
	}
	if (fstatvfs(sfd, &sv) == -1)
		return (error_sys("spool in %s", o->spooldir));
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	keep = (uint64_t)sv.f_blocks * sv.f_frsize / 100 * SPOOL_KEEP_PCT;
	*max = avail > keep ? avail - keep : 0;
	*why = xasprintf("what leaves %d%% of %s's filesystem free; "
	    "--spool-max sets another", SPOOL_KEEP_PCT, o->spooldir);
	return (0);
}

/*
 * A signed stream is checked whole before any of it reaches zfs receive,
 * so that nothing unsigned is ever a dataset.  A stream in a regular file
 * is checked where it is, under a lease (above); a piped one (curl |
 * sync-be), or a file that someone has open for writing, is first
 * spooled to an unnamed file in spooldir, which vanishes when closed.
 * On success *fd is what to receive from (the spool, rewound), and
 * *leased says whether the lease must be checked after the receive.
 */
static int
verify_stream(const struct syncbe_opts *o, int *fd, int *leased)
{
	struct progress *pr = NULL;
	struct stat st;
	char buf[1 << 16];
	uint64_t n = 0, max = 0;
	ssize_t r;
	char *why = NULL;
	int sfd;

	*fd = o->infd;
	*leased = 0;
	if (fstat(o->infd, &st) == 0 && S_ISREG(st.st_mode) &&
	    lseek(o->infd, 0, SEEK_CUR) == 0 && lease_take(o->infd)) {
		*leased = 1;
		if (signify_verify_fd(o->pubkey, o->infd, "the stream",
		    o->sigfile) == -1 ||
		    lease_check(o->infd, "while it was checked") == -1) {
			lease_drop(o->infd);
			*leased = 0;
			return (-1);
		}
		return (0);
	}
	if (S_ISREG(st.st_mode) && lseek(o->infd, 0, SEEK_CUR) == 0)
		log_debug("the stream's file is open for writing elsewhere "
		    "(or takes no lease): spooled before it is checked");
	if ((sfd = open(o->spooldir, O_TMPFILE | O_RDWR | O_CLOEXEC,
	    0600)) == -1)
		return (error_sys("spool in %s", o->spooldir));
	if (spool_limit(o, sfd, &max, &why) == -1) {
		close(sfd);
		return (-1);
	}
	if (!o->quiet)
		pr = progress_new("spooled", "stream", o->size_hint, 2);
	for (;;) {
		if (o->stop != NULL && *o->stop) {
			error_set("interrupted");
			goto fail;
		}
		if ((r = read(o->infd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			error_sys("stream");
			goto fail;
		}
		if (r == 0)
			break;
		if ((uint64_t)r > max - n) {
			error_set("spool in %s: the stream is larger than the "
			    "spool limit of %llu bytes (%s); nothing of it is "
			    "kept", o->spooldir, (unsigned long long)max, why);
			goto fail;
		}
		if (file_write_all(sfd, buf, (size_t)r) == -1) {
			error_wrap("spool in %s", o->spooldir);
			goto fail;
		}
		n += (uint64_t)r;
		if (pr != NULL)
			progress_update(pr, n);
	}
	if (pr != NULL)
		progress_done(pr, 1);
	pr = NULL;
	if (signify_verify_fd(o->pubkey, sfd, "the stream", o->sigfile) ==
	    -1 || lseek(sfd, 0, SEEK_SET) == -1)
		goto fail;
	*fd = sfd;
	free(why);
	return (0);
fail:
	if (pr != NULL)
		progress_abort(pr);
	close(sfd);
	free(why);
	return (-1);
}

int
be_sync(struct be *b, const struct syncbe_opts *o)
{
	struct syncconf conf;
	struct strv paths = STRV_INIT;
	char *target = NULL, *tmp = NULL, *mnt = NULL, *prefix, *mp;
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	uint64_t total = 0, copied = 0;
	struct syncbe_opts so;
	const struct syncbe_opts *given = o;
	size_t i;
	int rc = -1, removed, sfd = -1, leased = 0;

	if (be_name_ok(o->name) == -1)
		return (-1);
	if (syncconf_load(o->conf, &conf) == -1)
		return (-1);
	if (syncconf_expand(&conf, o->srcroot, &paths) == -1) {
		error_wrap("%s", o->conf);
		goto out;
	}
	/*
	 * One listing: is the name taken, and did a dead run leave junk?
	 * A dry run says what the real one would stop on here, too.
	 */
	target = xasprintf("%s/%s", b->root, o->name);
	if (zfs_get(b->root, "type", 1, &l) == -1)
		goto out;
	if (zfs_dslist_find(&l, target) != NULL) {
		error_set("boot environment %s already exists (%s)", o->name,
		    target);
		zfs_dslist_free(&l);
		goto out;
	}
	if (o->dry_run) {
		for (i = 0; i < paths.n; i++)
			printf("copy %s\n", paths.v[i]);
		zfs_dslist_free(&l);
		rc = 0;
		goto out;
	}
	removed = 0;
	cleanup_list(b, &l, &removed);
	zfs_dslist_free(&l);
	if (removed > 0)
		log_warn("removed %d dataset(s) left by an interrupted "
		    "sync-be", removed);
	if (o->pubkey != NULL) {
		if (verify_stream(o, &sfd, &leased) == -1)
			goto out;
		so = *o;
		so.infd = sfd;
		o = &so;
	}
	tmp = xasprintf("%s/%s%ld", b->root, BE_SYNC_PREFIX, (long)getpid());
	if (receive(o, tmp, &total) == -1) {
		remove_tmp(tmp, NULL);
		error_wrap("receive");
		goto out;
	}
	if (leased) {
		int held = lease_check(sfd, "during the receive") == 0;

		lease_drop(sfd);
		leased = 0;
		if (!held) {
			remove_tmp(tmp, NULL);
			goto out;
		}
	}
	/*
	 * Received canmount=on: make it inert before it gets any path.
	 * It is ours alone (a fresh name, one dataset, no children), so it
	 * is mounted by setting its mountpoint, without be_mount's saving
	 * and restoring: every zfs command here costs the deploy time.
	 */
	if (zfs_set(tmp, "canmount", "noauto") == -1)
		goto fail;
	prefix = xasprintf(MNT_PREFIX "%ld.XXXXXX", (long)getpid());
	mnt = path_mkdtemp(prefix);
	free(prefix);
	if (mnt == NULL || zfs_set(tmp, "mountpoint", mnt) == -1)
		goto fail;
	if ((mp = zfs_mountpoint_of(tmp)) == NULL && zfs_mount(tmp) == -1)
		goto fail;
	free(mp);
	for (i = 0; i < paths.n; i++) {
		if (stopped(o)) {
			error_set("interrupted");
			goto fail;
		}
		if (be_copy_path(o->srcroot, mnt, paths.v[i], &copied) == -1) {
			error_wrap("copy %s", paths.v[i]);
			goto fail;
		}
	}
	if (zfs_unmount(tmp, 0) == -1)
		goto fail;
	/* Never "/" while mounted: that would mount it over the root. */
	if ((mp = zfs_mountpoint_of(tmp)) != NULL) {
		free(mp);
		error_set("%s is still mounted", tmp);
		goto fail;
	}
	(void)rmdir(mnt);
	if (zfs_set(tmp, "mountpoint", "/") == -1 || stopped(o))
		goto fail;
	if (zfs_rename(tmp, target) == -1)
		goto fail;
	if (!o->no_activate && be_set_bootonce(b, target) == -1) {
		char *msg = xstrdup(error_msg());

		(void)zfs_destroy(target, ZFS_DESTROY_RECURSIVE);
		error_set("activate %s: %s", o->name, msg);
		free(msg);
		goto out;
	}
	if (!o->quiet)
		fprintf(stderr, "copied %zu local path%s (%llu bytes) into "
		    "boot environment %s%s\n", paths.n,
		    paths.n == 1 ? "" : "s", (unsigned long long)copied,
		    o->name, o->no_activate ? "" :
		    ", activated for the next boot only");
	rc = 0;
	goto out;
fail:
	if (stopped(o))
		error_set("interrupted");
	remove_tmp(tmp, mnt);
out:
	if (leased)
		lease_drop(sfd);
	if (sfd != -1 && sfd != given->infd)
		close(sfd);	/* the spool goes with it */
	syncconf_free(&conf);
	strv_free(&paths);
	free(target);
	free(tmp);
	free(mnt);
	return (rc);
}
