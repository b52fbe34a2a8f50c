/*
 * Creating, modifying and removing jails in jail(8)'s order, over the
 * platform interface (jail_impl.h).  Every step of a create is undone if
 * a later one fails.
 *
 * Create: exec.prepare; host-side mounts (a tarball root through tarfs,
 * a ZFS clone); exec.prestart; the jail (namespaces, mounts, init);
 * exec.created; exec.start and command inside; exec.poststart.
 * Remove: exec.prestop; exec.stop inside; SIGTERM, stop.timeout, kill;
 * exec.poststop; host-side unmounts; exec.release.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/path.h"
#include "zfs/zfs.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

/*
 * FreeBSD gives a new jail no network unless it is given addresses (or a
 * vnet) or told ip4=inherit / ip6=inherit: the kernel's default is "new,
 * with no addresses".  On Linux "none" is a network namespace of the
 * jail's own (only lo, up), "inherit" the host's.  One namespace holds
 * both families, so inherit for either shares both (jail_params_check
 * refuses inherit for one family with addresses for the other).
 */
static int
has_netns(const struct jail_params *p)
{
	const char *v;

	if (jail_params_find(p, "ip4.addr") != NULL &&
	    jail_params_find(p, "ip4.addr")->vals.n > 0)
		return (1);
	if (jail_params_find(p, "ip6.addr") != NULL &&
	    jail_params_find(p, "ip6.addr")->vals.n > 0)
		return (1);
	if ((v = jail_params_get(p, "vnet")) != NULL &&
	    (strcmp(v, "new") == 0 || jail_bool_value(v) == 1))
		return (1);
	if ((v = jail_params_get(p, "ip4")) != NULL &&
	    strcmp(v, "inherit") == 0)
		return (0);
	if ((v = jail_params_get(p, "ip6")) != NULL &&
	    strcmp(v, "inherit") == 0)
		return (0);
	return (1);
}

static void
canon_addrs(const struct jail_params *p, const char *name, int fam,
    struct strv *out)
{
	struct jail_param *jp;
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	int prefix;
	size_t i;

	if ((jp = jail_params_find(p, name)) == NULL)
		return;
	for (i = 0; i < jp->vals.n; i++)
		if (jail_addr_parse(jp->vals.v[i], fam, a, &prefix, text,
		    sizeof(text)) == 0)
			strv_push(out, text);
}

/* A tarball on the host, mounted read-only (tarfs); returns the dir
 * (held in host_mounts). */
static char *
mount_tarball(struct jail_state *st, const char *rundir, const char *tar)
{
	char *dir;

	dir = xasprintf("%s/jails/%s/tar%zu", rundir, st->info.name,
	    st->host_mounts.n);
	if (path_mkdirs(dir, 0755) == -1) {
		free(dir);
		return (NULL);
	}
	if (jail_os_mount_tarball(tar, dir) == -1) {
		error_wrap("tarfs %s", tar);
		rmdir(dir);
		free(dir);
		return (NULL);
	}
	strv_push(&st->host_mounts, dir);
	free(dir);
	return (st->host_mounts.v[st->host_mounts.n - 1]);
}

/* The clone a zfs: template gets: POOL/FS@SNAP -> POOL/FS-jail-NAME. */
char *
jail_zfs_clone_name(const char *tmpl, const char *name)
{
	const char *snap = tmpl + 4, *at;

	if (strncmp(tmpl, "zfs:", 4) != 0 || (at = strchr(snap, '@')) == NULL)
		return (NULL);
	return (xasprintf("%.*s-jail-%s", (int)(at - snap), snap, name));
}

/* A ZFS snapshot cloned for this jail; returns its mountpoint. */
static char *
zfs_clone_root(struct jail_state *st, const char *rundir, const char *tmpl)
{
	const char *props[2];
	char *ds, *dir, *mp;

	if ((ds = jail_zfs_clone_name(tmpl, st->info.name)) == NULL) {
		error_set("stasis.template %s: not zfs:POOL/FS@SNAP", tmpl);
		return (NULL);
	}
	dir = xasprintf("%s/jails/%s/zfs", rundir, st->info.name);
	mp = xasprintf("mountpoint=%s", dir);
	props[0] = mp;
	props[1] = NULL;
	if (path_mkdirs(dir, 0755) == -1 || zfs_clone(tmpl + 4, ds, props)
	    == -1) {
		free(ds);
		free(dir);
		free(mp);
		return (NULL);
	}
	st->zclone = ds;
	free(mp);
	if (path_is_mountpoint(dir) != 1 && zfs_mount(ds) == -1) {
		free(dir);
		return (NULL);
	}
	strv_push(&st->host_mounts, dir);
	free(dir);
	return (st->host_mounts.v[st->host_mounts.n - 1]);
}

static void
undo_host(const char *rundir, struct jail_state *st)
{
	size_t i;

	for (i = st->host_mounts.n; i > 0; i--)
		jail_os_unmount(st->host_mounts.v[i - 1]);
	strv_free(&st->host_mounts);
	(void)rundir;
}

/*
 * The mount points the start will make where they are missing, on the
 * host: in the root's source when a template is bound on path, where
 * they are otherwise.  An overlay's go into its upper layer, the jail's.
 */
static void
note_mountpoints(const struct jail_params *p, const char *path,
    const char *rootsrc, const char *upper, struct strv *made)
{
	struct jail_mount *mv = NULL;
	char *pc, *h;
	size_t n = 0, i, pl;

	if (upper != NULL || jail_mounts_collect(p, &mv, &n) == -1) {
		error_clear();
		return;
	}
	pc = path_clean(xstrdup(path));
	pl = strlen(pc);
	for (i = 0; i < n; i++) {
		const char *d = mv[i].dst;

		if (rootsrc != NULL && strcmp(pc, "/") != 0 &&
		    strncmp(d, pc, pl) == 0 && (d[pl] == '/' || d[pl] == '\0'))
			h = xasprintf("%s%s", rootsrc, d + pl);
		else
			h = xstrdup(d);
		jail_mkmountpoint_note(h, made);
		free(h);
	}
	free(pc);
	jail_mounts_free(mv, n);
}

static void
run_opts(const struct jail_params *p, int flags, struct jail_run_opts *ro)
{
	long long t = 0;

	memset(ro, 0, sizeof(*ro));
	ro->outfd = -1;
	ro->clean = (flags & JAIL_F_CLEAN) ||
	    jail_params_bool(p, "exec.clean", 0);
	ro->user = jail_params_get(p, "exec.jail_user");
	ro->user_from_host = jail_params_bool(p, "exec.system_jail_user", 0);
	if (jail_params_get(p, "exec.timeout") != NULL &&
	    str_tonum(jail_params_get(p, "exec.timeout"), 0, 1 << 20, &t)
	    == 0)
		ro->timeout = (int)t;
	error_clear();
}

static int
has_values(const struct jail_params *p, const char *name)
{
	struct jail_param *jp = jail_params_find(p, name);
	size_t i, n = 0;

	for (i = 0; jp != NULL && i < jp->vals.n; i++)
		if (*jp->vals.v[i] != '\0')
			n++;
	return ((int)n);
}

/*
 * A jail whose only work inside is one command, with no host hook
 * between creation and release: the command goes to init with the
 * creation itself (jail_spec.fastargv), and init ends the jail after it.
 */
static int
fast_command(const struct jail_params *p, int flags, struct strv *argv,
    struct jail_run_opts *ro)
{
	struct jail_param *cp = jail_params_find(p, "command");
	struct jail_param *sp = jail_params_find(p, "exec.start");
	int ncmd = has_values(p, "command") ? 1 : 0;
	size_t i;

	if (ncmd + has_values(p, "exec.start") != 1 ||
	    has_values(p, "exec.created") || has_values(p, "exec.poststart") ||
	    has_values(p, "vnet.interface"))
		return (0);
	run_opts(p, flags, ro);
	if (ro->timeout != 0 || ro->user_from_host)
		return (0);
	ro->last = 1;
	if (ncmd && cp->vals.n > 1) {
		for (i = 0; i < cp->vals.n; i++)
			strv_push(argv, cp->vals.v[i]);
	} else {
		struct jail_param *jp = ncmd ? cp : sp;

		for (i = 0; i < jp->vals.n; i++)
			if (*jp->vals.v[i] != '\0')
				jail_cmd_argv(jp->vals.v[i], argv);
	}
	return (argv->n > 0);
}

static int
run_in(struct jail_state *st, const char *hook, const struct jail_params *p,
    int flags)
{
	struct jail_param *jp;
	struct jail_run_opts ro;
	struct strv argv = STRV_INIT;
	size_t i;
	int r;

	if ((jp = jail_params_find(p, hook)) == NULL || jp->vals.n == 0)
		return (0);
	run_opts(p, flags, &ro);
	/* command=a b c from the command line is one argv; else strings. */
	if (strcmp(hook, "command") == 0 && jp->vals.n > 1) {
		for (i = 0; i < jp->vals.n; i++)
			strv_push(&argv, jp->vals.v[i]);
		if (flags & JAIL_F_VERBOSE)
			fprintf(stderr, "%s: run command in jail: %s\n",
			    st->info.name, argv.v[0]);
		r = jail_os_run(st, &ro, argv.v);
		strv_free(&argv);
		if (r != 0)
			return (r == -1 ? -1 : error_set("command: %s: "
			    "failed (exit status %d)", jp->vals.v[0], r));
		return (0);
	}
	for (i = 0; i < jp->vals.n; i++) {
		if (*jp->vals.v[i] == '\0')
			continue;
		strv_free(&argv);
		jail_cmd_argv(jp->vals.v[i], &argv);
		if (argv.n == 0)
			continue;
		if (flags & JAIL_F_VERBOSE)
			fprintf(stderr, "%s: run command in jail: %s\n",
			    st->info.name, jp->vals.v[i]);
		r = jail_os_run(st, &ro, argv.v);
		if (r != 0) {
			strv_free(&argv);
			return (r == -1 ? -1 : error_set("%s: %s: failed "
			    "(exit status %d)", hook, jp->vals.v[i], r));
		}
	}
	strv_free(&argv);
	return (0);
}

static int
stop_timeout(const struct jail_params *p)
{
	const char *v = jail_params_get(p, "stop.timeout");
	long long n;

	if (v == NULL || str_tonum(v, 0, 3600, &n) == -1) {
		error_clear();
		return (10);
	}
	return ((int)n);
}

int
jail_create(const char *rundir, const struct jail_params *params, int flags)
{
	struct jail_state st;
	struct jail_spec sp;
	struct jail_cmdopts co;
	struct jail_params p = { 0 };
	const char *name, *tmpl, *root, *v;
	char *path = NULL, *rootsrc = NULL, *upper = NULL, *sdir = NULL;
	long long jid = 0;
	int lockfd = -1, r, started = 0, created_path = 0, fast = 0;
	struct strv fastargv = STRV_INIT, made = STRV_INIT;
	struct jail_run_opts fastro;
	struct stat sb;

	memset(&st, 0, sizeof(st));
	st.ctlfd = -1;
	st.readyfd = -1;
	jail_params_copy(&p, params);
	if (jail_params_check(&p, 1) == -1)
		goto fail0;
	if ((name = jail_params_get(&p, "name")) == NULL) {
		error_set("no name given (name=NAME)");
		goto fail0;
	}
	if (jail_name_check(name) == -1)
		goto fail0;
	co.params = &p;
	co.flags = flags;
	co.name = name;
	if ((lockfd = jail_lock(rundir)) == -1)
		goto fail0;
	if ((r = jail_is_running(rundir, name)) != 0) {
		if (r == 1)
			error_set("jail \"%s\" already exists", name);
		goto fail0;
	}
	/* A state directory of a jail that died without cleanup. */
	if (jail_state_read(rundir, name, &st) == 0) {
		if (!jail_state_alive(&st))
			jail_os_cleanup(rundir, &st);
		jail_state_free(&st);
		st.ctlfd = -1;
	}
	error_clear();
	if ((v = jail_params_get(&p, "jid")) != NULL) {
		(void)str_tonum(v, 1, 1LL << 31, &jid);
		if (jail_jid_used(rundir, (int)jid) == 1) {
			error_set("jid %lld is in use", jid);
			goto fail0;
		}
	} else if ((jid = jail_next_jid(rundir)) == -1)
		goto fail0;
	sdir = jail_state_dir(rundir, name);
	if (path_mkdirs(sdir, 0700) == -1)
		goto fail0;
	st.info.name = xstrdup(name);
	st.info.jid = (int)jid;
	st.info.cpusetid = (int)jid;
	st.netns = has_netns(&p);

	if (jail_hook_host(&co, "exec.prepare") == -1)
		goto fail;
	/* The immutable app's root: a directory, a tarball, a snapshot. */
	tmpl = jail_params_get(&p, "stasis.template");
	root = jail_params_get(&p, "stasis.root");
	if ((v = jail_params_get(&p, "path")) != NULL)
		path = xstrdup(v);
	else if (tmpl != NULL) {
		path = xasprintf("%s/root", sdir);
		if (path_mkdirs(path, 0755) == -1)
			goto fail;
		created_path = 1;
	} else
		path = xstrdup("/");
	if (tmpl != NULL && !created_path) {
		/* The default from jail.conf ($path): ours to create. */
		char *dflt = xasprintf("%s/root", sdir);

		if (strcmp(path, dflt) == 0 && path_mkdirs(path, 0755) == -1) {
			free(dflt);
			goto fail;
		}
		free(dflt);
	}
	if (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		error_sys("path %s", path);
		goto fail;
	}
	st.info.path = xstrdup(path);
	if (tmpl != NULL) {
		st.template = xstrdup(tmpl);
		if (strncmp(tmpl, "zfs:", 4) == 0) {
			if ((rootsrc = zfs_clone_root(&st, rundir, tmpl))
			    == NULL)
				goto fail;
			rootsrc = xstrdup(rootsrc);
		} else if (stat(tmpl, &sb) == -1) {
			error_sys("stasis.template %s", tmpl);
			goto fail;
		} else if (S_ISDIR(sb.st_mode))
			rootsrc = xstrdup(tmpl);
		else {
			if ((rootsrc = mount_tarball(&st, rundir, tmpl))
			    == NULL)
				goto fail;
			rootsrc = xstrdup(rootsrc);
		}
		if (root != NULL && strcmp(root, "rw") == 0 &&
		    strncmp(tmpl, "zfs:", 4) != 0) {
			error_set("stasis.root=rw would write into the "
			    "template %s; use stasis.root=overlay", tmpl);
			goto fail;
		}
		if (root != NULL && strcmp(root, "overlay") == 0) {
			if ((v = jail_params_get(&p, "stasis.upper")) != NULL)
				upper = xstrdup(v);
			else
				upper = xasprintf("%s/overlay", sdir);
			st.upper = xasprintf("%s/upper", upper);
		}
	}
	/* tarfs entries of mount/mount.fstab are FUSE mounts on the host. */
	{
		struct jail_param *jp = jail_params_find(&p, "mount");
		struct jail_mount m;
		size_t i;

		for (i = 0; jp != NULL && i < jp->vals.n; i++) {
			char *d, *nl;

			if (jail_mount_parse(jp->vals.v[i], &m) == -1)
				goto fail;
			if (strcmp(m.type, "tarfs") != 0) {
				jail_mount_free(&m);
				continue;
			}
			if ((d = mount_tarball(&st, rundir, m.src)) == NULL) {
				jail_mount_free(&m);
				goto fail;
			}
			nl = xasprintf("%s %s nullfs ro", d, m.dst);
			free(jp->vals.v[i]);
			jp->vals.v[i] = nl;
			jail_mount_free(&m);
		}
	}
	if (jail_hook_host(&co, "exec.prestart") == -1)
		goto fail;
	note_mountpoints(&p, path, rootsrc, upper, &made);

	v = jail_params_get(&p, "host.hostname");
	st.info.hostname = xstrdup(v != NULL ? v : "");
	if (v == NULL) {
		char hn[256];

		if (gethostname(hn, sizeof(hn)) == 0) {
			free(st.info.hostname);
			hn[sizeof(hn) - 1] = '\0';
			st.info.hostname = xstrdup(hn);
		}
	}
	canon_addrs(&p, "ip4.addr", AF_INET, &st.info.ip4);
	canon_addrs(&p, "ip6.addr", AF_INET6, &st.info.ip6);
	jail_params_copy(&st.info.params, &p);

	memset(&sp, 0, sizeof(sp));
	sp.rundir = rundir;
	sp.name = name;
	sp.jid = (int)jid;
	sp.path = path;
	sp.params = &p;
	sp.flags = flags;
	sp.netns = st.netns;
	sp.st = &st;
	sp.lockfd = lockfd;
	sp.rootsrc = rootsrc;
	sp.upper = upper;
	sp.readonly = root != NULL ? strcmp(root, "ro") == 0 :
	    (tmpl != NULL && upper == NULL);
	if ((fast = fast_command(&p, flags, &fastargv, &fastro)) != 0) {
		sp.fastargv = fastargv.v;
		sp.fastopts = &fastro;
		if (flags & JAIL_F_VERBOSE)
			fprintf(stderr, "%s: run command in jail: %s\n", name,
			    fastargv.v[0]);
	}
	if (jail_os_start(&sp) == -1) {
		error_wrap("create");
		goto fail;
	}
	started = 1;
	/* The kernel's jid on FreeBSD, unless jid= asked for one. */
	jid = st.info.jid;
	st.info.cpusetid = st.info.jid;
	/* vnet.interface: host interfaces move into the jail's stack. */
	{
		struct jail_param *jp = jail_params_find(&p,
		    "vnet.interface");
		size_t i;

		for (i = 0; jp != NULL && i < jp->vals.n; i++) {
			if (!st.netns || jail_params_get(&p, "vnet") == NULL) {
				error_set("vnet.interface needs vnet");
				goto fail;
			}
			if (jail_os_vnet_iface(&st, jp->vals.v[i]) == -1) {
				error_wrap("vnet.interface %s", jp->vals.v[i]);
				goto fail;
			}
		}
	}
	if (jail_state_write(rundir, &st) == -1)
		goto fail;
	jail_unlock(lockfd);
	lockfd = -1;

	if (fast) {
		if ((r = jail_os_run_result(&st, 1)) != 0) {
			if (r != -1)
				error_set("%s: %s: failed (exit status %d)",
				    has_values(&p, "command") ? "command" :
				    "exec.start", fastargv.v[0], r);
			goto fail;
		}
	} else if (jail_hook_host(&co, "exec.created") == -1 ||
	    run_in(&st, "exec.start", &p, flags) == -1 ||
	    run_in(&st, "command", &p, flags) == -1 ||
	    jail_hook_host(&co, "exec.poststart") == -1)
		goto fail;
	if (jail_os_release(rundir, &st) == -1)
		goto fail;
	if (st.super > 0 && !jail_params_bool(&p, "persist", 0)) {
		/* The supervisor's pid, for whoever removes the jail. */
		if ((lockfd = jail_lock(rundir)) == -1 ||
		    jail_state_write(rundir, &st) == -1)
			goto fail;
		jail_unlock(lockfd);
		lockfd = -1;
	}
	free(path);
	free(rootsrc);
	free(upper);
	free(sdir);
	strv_free(&fastargv);
	strv_free(&made);
	jail_state_free(&st);
	jail_params_free(&p);
	return ((int)jid);

fail:
	{
		char *msg = xstrdup(error_msg());

		if (started) {
			if (st.ctlfd >= 0)
				close(st.ctlfd);
			st.ctlfd = -1;
			jail_os_stop(rundir, &st, 0);
		} else {
			undo_host(rundir, &st);
			if (st.zclone != NULL &&
			    zfs_destroy(st.zclone, ZFS_DESTROY_FORCE) == -1)
				error_clear();
			(void)jail_state_remove(rundir, name);
		}
		(void)created_path;
		jail_mkmountpoint_undo(&made);
		error_set("%s", msg);
		free(msg);
	}
	free(path);
	free(rootsrc);
	free(upper);
	free(sdir);
	strv_free(&fastargv);
	strv_free(&made);
	jail_state_free(&st);
fail0:
	jail_unlock(lockfd);
	jail_params_free(&p);
	return (-1);
}

int
jail_destroy(const char *rundir, const char *jail,
    const struct jail_params *confp, int flags)
{
	struct jail_state st;
	struct jail_cmdopts co;
	struct jail_params p = { 0 };
	int lockfd, r, rc = 0;
	char *first = NULL;

	if ((lockfd = jail_lock(rundir)) == -1)
		return (-1);
	if ((r = jail_state_find(rundir, jail, &st)) != 1) {
		jail_unlock(lockfd);
		if (r == 0)
			error_set("jail \"%s\" not found", jail);
		return (-1);
	}
	st.ctlfd = -1;
	st.info.dying = 1;
	(void)jail_state_write(rundir, &st);
	jail_unlock(lockfd);
	jail_params_copy(&p, &st.info.params);
	if (confp != NULL) {
		/* The hooks as jail.conf says now, as jail(8) does. */
		size_t i;

		for (i = 0; i < confp->n; i++)
			if (strncmp(confp->v[i].name, "exec.", 5) == 0 ||
			    strcmp(confp->v[i].name, "stop.timeout") == 0) {
				size_t j;

				jail_params_set(&p, confp->v[i].name, NULL,
				    0);
				for (j = 0; j < confp->v[i].vals.n; j++)
					jail_params_set(&p, confp->v[i].name,
					    confp->v[i].vals.v[j], 1);
			}
	}
	co.params = &p;
	co.flags = flags;
	co.name = st.info.name;
	/*
	 * -R, as jail(8)'s: the jail is simply removed, its processes
	 * killed at once; no exec.* command runs (one that hangs or fails
	 * is often why -R is used).  What was mounted for it still goes.
	 */
	if (flags & JAIL_F_NOSTOP) {
		jail_os_stop(rundir, &st, 0);
		jail_state_free(&st);
		jail_params_free(&p);
		return (0);
	}
	/* A failing stop hook does not keep the jail: report it after. */
	if (jail_hook_host(&co, "exec.prestop") == -1)
		first = xstrdup(error_msg());
	if (run_in(&st, "exec.stop", &p, flags) == -1 && first == NULL)
		first = xstrdup(error_msg());
	jail_os_stop(rundir, &st, stop_timeout(&p));
	if (jail_hook_host(&co, "exec.poststop") == -1 && first == NULL)
		first = xstrdup(error_msg());
	if (jail_hook_host(&co, "exec.release") == -1 && first == NULL)
		first = xstrdup(error_msg());
	if (first != NULL) {
		error_set("%s", first);
		rc = -1;
	}
	free(first);
	jail_state_free(&st);
	jail_params_free(&p);
	return (rc);
}

static void
strv_minus(const struct strv *a, const struct strv *b, struct strv *out)
{
	size_t i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++)
			if (strcmp(a->v[i], b->v[j]) == 0)
				break;
		if (j == b->n)
			strv_push(out, a->v[i]);
	}
}

int
jail_modify(const char *rundir, const struct jail_params *params, int flags)
{
	struct jail_state st;
	struct jail_params p = { 0 };
	const char *name, *h, *d;
	int lockfd, r, rc = -1, fam;
	size_t i;

	jail_params_copy(&p, params);
	if ((name = jail_params_get(&p, "name")) == NULL &&
	    (name = jail_params_get(&p, "jid")) == NULL) {
		jail_params_free(&p);
		return (error_set("no name or jid given"));
	}
	if ((lockfd = jail_lock(rundir)) == -1) {
		jail_params_free(&p);
		return (-1);
	}
	if ((r = jail_state_find(rundir, name, &st)) != 1) {
		if (r == 0)
			error_set("jail \"%s\" not found", name);
		goto out0;
	}
	st.ctlfd = -1;
	jail_params_unset(&p, "name");
	jail_params_unset(&p, "jid");
	/*
	 * jail -cm from jail.conf repeats every parameter: those that cannot
	 * change are fine as long as they say what the jail already has.
	 */
	for (i = p.n; i > 0; i--) {
		struct jail_param *np = &p.v[i - 1], *op;
		size_t j;
		int same;

		if (jail_param_modifiable(np->name))
			continue;
		op = jail_params_find(&st.info.params, np->name);
		same = op != NULL && op->vals.n == np->vals.n;
		for (j = 0; same && j < np->vals.n; j++)
			same = strcmp(op->vals.v[j], np->vals.v[j]) == 0;
		if (same)
			jail_params_unset(&p, np->name);
	}
	if (jail_params_check(&p, 0) == -1)
		goto out;
	h = jail_params_get(&p, "host.hostname");
	d = jail_params_get(&p, "host.domainname");
	if ((h != NULL || d != NULL) &&
	    jail_os_sethostname(&st, h, d) == -1)
		goto out;
	if (h != NULL) {
		free(st.info.hostname);
		st.info.hostname = xstrdup(h);
	}
	for (fam = 0; fam < 2; fam++) {
		const char *pn = fam == 0 ? "ip4.addr" : "ip6.addr";
		struct strv *cur = fam == 0 ? &st.info.ip4 : &st.info.ip6;
		struct strv want = STRV_INIT, add = STRV_INIT,
		    del = STRV_INIT;

		if (jail_params_find(&p, pn) == NULL)
			continue;
		canon_addrs(&p, pn, fam == 0 ? AF_INET : AF_INET6, &want);
		strv_minus(&want, cur, &add);
		strv_minus(cur, &want, &del);
		r = jail_os_setaddrs(&st, fam == 0 ? AF_INET : AF_INET6,
		    &add, &del);
		strv_free(&add);
		strv_free(&del);
		if (r == -1) {
			strv_free(&want);
			goto out;
		}
		strv_free(cur);
		*cur = want;
	}
	for (i = 0; i < p.n; i++) {
		size_t j;

		jail_params_set(&st.info.params, p.v[i].name, NULL, 0);
		for (j = 0; j < p.v[i].vals.n; j++)
			jail_params_set(&st.info.params, p.v[i].name,
			    p.v[i].vals.v[j], 1);
	}
	if (jail_state_write(rundir, &st) == -1)
		goto out;
	/* Last: without persist an empty jail ends (and its state goes). */
	if (jail_params_find(&p, "persist") != NULL &&
	    jail_os_persist(rundir, &st, jail_params_bool(&p, "persist", 0))
	    == -1)
		goto out;
	rc = 0;
out:
	jail_state_free(&st);
out0:
	jail_unlock(lockfd);
	jail_params_free(&p);
	(void)flags;
	return (rc);
}

int
jail_exec(const char *rundir, const char *jail,
    const struct jail_exec_opts *eo, char *const argv[])
{
	struct jail_state st;
	struct jail_run_opts ro;
	int r;

	if ((r = jail_state_find(rundir, jail, &st)) != 1) {
		if (r == 0)
			error_set("jail \"%s\" not found", jail);
		return (-1);
	}
	st.ctlfd = -1;
	st.readyfd = -1;
	if (jail_os_wait_ready(&st) == -1) {
		jail_state_free(&st);
		return (-1);
	}
	memset(&ro, 0, sizeof(ro));
	ro.user = eo->user;
	ro.user_from_host = eo->user_from_host;
	ro.clean = eo->clean;
	ro.outfd = -1;
	r = jail_os_run(&st, &ro, argv);
	jail_state_free(&st);
	return (r);
}
