/*
 * `stasis jail diff NAME`: what an app changed in its root relative to
 * its template, the talk's `zfs diff` trick without ZFS.
 *
 * With stasis.root=overlay the changes are exactly the overlay's upper
 * directory: a whiteout (jail_os_whiteout: on Linux a 0:0 character
 * device) is a removal, an entry
 * also in the template a modification, anything else an addition.  With
 * a plain root (ro or rw) the jail's root is walked against the
 * template, staying on the root's own filesystem: mounted data, config
 * and /tmp are not part of the root, so they are not listed.  A root
 * cloned from a ZFS snapshot (stasis.template=zfs:POOL/FS@SNAP) is
 * walked the same way against the snapshot's content, which a scratch
 * read-only clone of the snapshot shows for the length of the diff: no
 * `zfs diff` needed, so zfs-fuse and pools without it work as well.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/path.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"
#include "zfs/zfs.h"

#define DIFF_MAX_ENTRIES	1000000
#define DIFF_MAX_DEPTH		128

struct walk {
	const char	*lower;		/* the template */
	const char	*top;		/* upper dir or jail root */
	dev_t		 dev;
	struct strv	 mounts;	/* the jail's mount points but / */
	struct strv	 out;
	size_t		 n;
};

static void
emit(struct walk *w, char what, const char *rel)
{
	if (w->n++ < DIFF_MAX_ENTRIES)
		strv_pushf(&w->out, "%c\t/%s", what, rel);
}

static int
in_lower(struct walk *w, const char *rel, struct stat *st)
{
	char *p = xasprintf("%s/%s", w->lower, rel);
	int r = lstat(p, st) == 0;

	free(p);
	return (r);
}

static int
walk_upper(struct walk *w, const char *rel, int depth)
{
	char *dir, *child;
	DIR *d;
	struct dirent *de;
	struct stat st, lst;

	if (depth > DIFF_MAX_DEPTH)
		return (error_set("%s: too deep", rel));
	dir = *rel ? xasprintf("%s/%s", w->top, rel) : xstrdup(w->top);
	if ((d = opendir(dir)) == NULL) {
		error_sys("open %s", dir);
		free(dir);
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		char *full;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		child = *rel ? xasprintf("%s/%s", rel, de->d_name) :
		    xstrdup(de->d_name);
		full = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(full, &st) == -1) {
			free(full);
			free(child);
			continue;
		}
		if (jail_os_whiteout(full, &st))
			emit(w, '-', child);
		else if (S_ISDIR(st.st_mode)) {
			if (in_lower(w, child, &lst) && S_ISDIR(lst.st_mode)) {
				emit(w, jail_os_opaque(full) ? 'R' : 'M',
				    child);
			} else
				emit(w, '+', child);
			if (walk_upper(w, child, depth + 1) == -1) {
				free(full);
				free(child);
				closedir(d);
				free(dir);
				return (-1);
			}
		} else
			emit(w, in_lower(w, child, &lst) ? 'M' : '+', child);
		free(full);
		free(child);
	}
	closedir(d);
	free(dir);
	return (0);
}

static int
differs(const struct stat *a, const struct stat *b)
{
	if ((a->st_mode & S_IFMT) != (b->st_mode & S_IFMT))
		return (1);
	if (S_ISDIR(a->st_mode))
		return (0);
	return (a->st_size != b->st_size || a->st_mode != b->st_mode ||
	    a->st_uid != b->st_uid || a->st_gid != b->st_gid ||
	    a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	    a->st_mtim.tv_nsec != b->st_mtim.tv_nsec);
}

static int
is_mount(struct walk *w, const char *rel)
{
	size_t i;

	for (i = 0; i < w->mounts.n; i++)
		if (strcmp(w->mounts.v[i] + 1, rel) == 0)
			return (1);
	return (0);
}

/* Both trees at rel: what is only in the jail, only in the template. */
static int
walk_both(struct walk *w, const char *rel, int depth)
{
	char *jd, *td, *child, *jf, *tf;
	DIR *d;
	struct dirent *de;
	struct stat js, ts;
	int rc = 0;

	if (depth > DIFF_MAX_DEPTH)
		return (error_set("%s: too deep", rel));
	jd = *rel ? xasprintf("%s/%s", w->top, rel) : xstrdup(w->top);
	td = *rel ? xasprintf("%s/%s", w->lower, rel) : xstrdup(w->lower);
	if ((d = opendir(jd)) != NULL) {
		while (rc == 0 && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			child = *rel ? xasprintf("%s/%s", rel, de->d_name) :
			    xstrdup(de->d_name);
			jf = xasprintf("%s/%s", jd, de->d_name);
			tf = xasprintf("%s/%s", td, de->d_name);
			if (!is_mount(w, child) && lstat(jf, &js) == 0 &&
			    js.st_dev == w->dev) {
				if (lstat(tf, &ts) == -1)
					emit(w, '+', child);
				else if (differs(&js, &ts))
					emit(w, 'M', child);
				else if (S_ISDIR(js.st_mode))
					rc = walk_both(w, child, depth + 1);
			}
			free(jf);
			free(tf);
			free(child);
		}
		closedir(d);
	}
	if (rc == 0 && (d = opendir(td)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			jf = xasprintf("%s/%s", jd, de->d_name);
			if (lstat(jf, &js) == -1 && errno == ENOENT) {
				child = *rel ? xasprintf("%s/%s", rel,
				    de->d_name) : xstrdup(de->d_name);
				emit(w, '-', child);
				free(child);
			}
			free(jf);
		}
		closedir(d);
	}
	free(jd);
	free(td);
	return (rc);
}

static int
under_path(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return (0);	/* as before: the first host mount */
	return (strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == '\0'));
}

static int
cmp_path(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return (strcmp(x + 2, y + 2));
}

/*
 * The snapshot a zfs: template names, as a scratch clone mounted
 * read-only on a fresh directory under the run directory (not the
 * jail's state directory: a jail -r meanwhile must not walk into it).
 * On success *ds and *dir say what scratch_drop() removes.
 */
static int
scratch_clone(const char *rundir, const struct jail_state *st, char **ds,
    char **dir)
{
	const char *props[3];
	char *base, *mp;
	int rc = -1;

	*ds = *dir = NULL;
	if ((base = jail_zfs_clone_name(st->template, st->info.name)) ==
	    NULL)
		return (error_set("stasis.template %s: not zfs:POOL/FS@SNAP",
		    st->template));
	*dir = xasprintf("%s/diff.XXXXXX", rundir);
	if (mkdtemp(*dir) == NULL) {
		error_sys("%s", *dir);
		free(*dir);
		free(base);
		*dir = NULL;
		return (-1);
	}
	mp = xasprintf("mountpoint=%s", *dir);
	props[0] = mp;
	props[1] = "readonly=on";
	props[2] = NULL;
	*ds = xasprintf("%s-diff%d", base, (int)getpid());
	if (zfs_clone(st->template + 4, *ds, props) == -1) {
		/* zfs clone may fail after creating it (not mounted). */
		if (zfs_exists(*ds) != 1) {
			free(*ds);
			*ds = NULL;
		}
	} else if (path_is_mountpoint(*dir) == 1 || zfs_mount(*ds) == 0)
		rc = 0;
	free(mp);
	free(base);
	return (rc);
}

static void
scratch_drop(char *ds, char *dir)
{
	if (ds != NULL && zfs_destroy(ds, ZFS_DESTROY_FORCE) == -1)
		fprintf(stderr, "stasis: jail diff: could not destroy %s: "
		    "%s\n", ds, error_msg());
	if (dir != NULL)
		(void)rmdir(dir);
	free(ds);
	free(dir);
}

int
jail_diff(const char *rundir, const char *jail, struct strv *out)
{
	struct jail_state st;
	struct walk w;
	struct stat sb;
	sigset_t block, saved;
	char *root = NULL, *sds = NULL, *sdir = NULL;
	size_t i;
	int r, rc = -1, zfsroot = 0;

	if ((r = jail_state_find(rundir, jail, &st)) != 1) {
		if (r == 0)
			error_set("jail \"%s\" not found", jail);
		return (-1);
	}
	memset(&w, 0, sizeof(w));
	if (st.template == NULL) {
		error_set("jail %s has no template (stasis.template) to "
		    "compare with", st.info.name);
		goto out;
	}
	/*
	 * A scratch clone must not outlive us: ^C, a hangup or a kill while
	 * it exists is held until it is destroyed, then takes effect.
	 */
	zfsroot = strncmp(st.template, "zfs:", 4) == 0 && st.upper == NULL;
	if (zfsroot) {
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		sigaddset(&block, SIGQUIT);
		sigprocmask(SIG_BLOCK, &block, &saved);
		if (scratch_clone(rundir, &st, &sds, &sdir) == -1)
			goto out;
	}
	/*
	 * A tarball or a clone was mounted for the jail: that is lower.  The
	 * jail's own mounts (FreeBSD records them too) are under its path.
	 */
	w.lower = st.template;
	for (i = 0; i < st.host_mounts.n; i++)
		if (!under_path(st.host_mounts.v[i], st.info.path)) {
			w.lower = st.host_mounts.v[i];
			break;
		}
	if (zfsroot)
		w.lower = sdir;	/* the clone's host mount is the jail's */
	if (st.upper != NULL) {
		w.top = st.upper;
		rc = walk_upper(&w, "", 0);
	} else {
		root = jail_os_rootpath(&st);
		if (stat(root, &sb) == -1) {
			error_sys("%s", root);
			goto out;
		}
		w.top = root;
		w.dev = sb.st_dev;
		jail_os_mounts(&st, &w.mounts);
		rc = walk_both(&w, "", 0);
	}
	if (rc == 0) {
		if (w.out.n > 1)
			qsort(w.out.v, w.out.n, sizeof(char *), cmp_path);
		for (i = 0; i < w.out.n; i++)
			strv_push(out, w.out.v[i]);
	}
out:
	if (zfsroot) {
		/* zfs destroy retries while busy: keep our own error. */
		char *msg = rc == -1 ? xstrdup(error_msg()) : NULL;

		scratch_drop(sds, sdir);
		if (msg != NULL) {
			error_set("%s", msg);
			free(msg);
		}
		sigprocmask(SIG_SETMASK, &saved, NULL);
	}
	free(root);
	strv_free(&w.out);
	strv_free(&w.mounts);
	jail_state_free(&st);
	return (rc);
}
