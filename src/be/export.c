/*
 * export and import: a BE as a full ZFS send stream and back.
 */
#include <sys/syscall.h>

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "be/be.h"
#include "be/be_impl.h"
#include "zfs/zfs.h"

/*
 * Wait for a stream's zfs to end.  An interrupt stops a send (nothing
 * more of it is wanted); a receive is waited out, since under zfs-fuse
 * the daemon, not the zfs process, reads the stream, and what it makes
 * can only be undone once it is done.  -1 and "interrupted" after one.
 */
static int
stream_wait(const struct be *b, struct zfs_stream *s, int stop_it)
{
	int pfd, killed = 0, rc;

	pfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	while (!zfs_stream_exited(s)) {
		if (stop_it && !killed && b->stop != NULL && *b->stop) {
			(void)kill(s->pid, SIGTERM);
			killed = 1;
		}
		/* A signal ends the poll early (EINTR): no tick needed. */
		if (pfd >= 0) {
			struct pollfd pf = { pfd, POLLIN, 0 };

			(void)poll(&pf, 1, 1000);
		} else
			usleep(10000);
	}
	if (pfd >= 0)
		close(pfd);
	rc = zfs_stream_wait(s);
	if (be_interrupted(b))
		rc = -1;
	return (rc);
}

/*
 * A BE named without a snapshot is sent from one made for the purpose,
 * and that snapshot is destroyed again when the stream ends, sent or
 * not: it would otherwise pin the BE's blocks, one more per export
 * (FreeBSD's bectl leaves it; `export be@snap` sends a kept one).
 */
int
be_export(struct be *b, const char *name, int fd)
{
	struct zfs_stream s;
	char *ds, *snap = NULL;
	int rc = -1, made = 0;

	if ((ds = be_existing(b, name)) == NULL)
		return (-1);
	if (strchr(name, '@') != NULL)
		snap = xstrdup(ds);
	else if ((snap = be_auto_snapname(ds)) == NULL ||
	    zfs_snapshot(snap, 0) == -1)
		goto out;
	else
		made = 1;
	if (be_interrupted(b) || zfs_send_start(&s, snap, fd) == -1)
		goto out;
	rc = stream_wait(b, &s, 1);
out:
	if (made) {
		char *msg = xstrdup(error_msg());

		/* A whole stream is not failed for it, but it is said. */
		if (zfs_destroy(snap, 0) == -1) {
			if (rc == 0)
				log_warn("export %s: could not destroy the "
				    "snapshot %s: %s", name, snap,
				    error_msg());
			else
				error_set("%s (and the snapshot %s is left: "
				    "%s)", msg, snap, error_msg());
		} else if (rc == -1)
			error_set("%s", msg);
		free(msg);
	}
	free(snap);
	free(ds);
	return (rc);
}

int
be_import(struct be *b, const char *name, int fd)
{
	struct zfs_stream s;
	char *ds;
	int e, rc = -1;

	if (strchr(name, '@') != NULL)
		return (error_set("import names a boot environment, "
		    "not a snapshot (%s)", name));
	if ((ds = be_dataset(b, name)) == NULL)
		return (-1);
	if ((e = zfs_exists(ds)) != 0) {
		if (e == 1)
			error_set("dataset %s already exists", ds);
		goto out;
	}
	if (be_interrupted(b) || zfs_recv_start(&s, ds, fd) == -1)
		goto out;
	if (stream_wait(b, &s, 0) == -1 || be_make_bootable(ds) == -1 ||
	    be_interrupted(b))
		goto undo;
	rc = 0;
	goto out;
undo:
	{
		char *msg = xstrdup(error_msg());

		if (zfs_exists(ds) == 1)
			(void)zfs_destroy(ds, ZFS_DESTROY_RECURSIVE |
			    ZFS_DESTROY_FORCE);
		error_set("%s", msg);
		free(msg);
	}
out:
	free(ds);
	return (rc);
}
