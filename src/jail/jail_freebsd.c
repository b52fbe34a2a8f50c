/*
 * Jails on FreeBSD: the kernel's own.  jail_set(2) creates and changes a
 * jail from name/value pairs, jail_attach(2) puts a process in it,
 * jail_remove(2) kills what is left and removes it, jail_get(2) says
 * whether a jid is still the jail we made.  The jid is the kernel's.
 *
 * jail_os_start follows jail(8)'s order (jail.c runs the exec.* hooks
 * around it, as on Linux): interface aliases and mounts (the root, mount,
 * mount.fstab, mount.devfs, mount.fdescfs, mount.procfs) first, made with
 * nmount(2) on the host, since FreeBSD has no mount namespaces, at mount
 * points that are host paths ("$path/tmp") as in jail(8); then the jail,
 * created persistent (the kernel refuses a new jail that neither persists
 * nor has a process attached).  Commands run inside by fork, chdir(path)
 * (jail_attach does not chdir) and jail_attach.  At release a jail not
 * asked to persist has its persist flag dropped, so that the kernel
 * removes it with its last process.  There is no init: the state file's
 * pid stays 0.
 *
 * Our host mounts are the jail's to undo, whoever ends it: jail -r, or
 * the jail's last process.  FreeBSD 14 has no descriptor to wait on a
 * jail with, so a jail that outlives jail -c gets a supervisor that asks
 * jail_get(2) whether it is still there, and unmounts once it is not.
 *
 * This file is compiled on FreeBSD only (the Makefile picks it by
 * `uname -s`).  The project's CI runs Linux: there it is compiled and
 * type-checked against FreeBSD's declarations (tests/freebsd/include,
 * `make check-freebsd`) and run against a mock kernel that prints its
 * calls (tests/freebsd/mock_kernel.c); it is not run on FreeBSD.
 */
#include <sys/param.h>
#include <sys/jail.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/path.h"
#include "base/spawn.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"
#include "zfs/zfs.h"

#ifndef IFCONFIG
#define IFCONFIG	"/sbin/ifconfig"	/* tests point it elsewhere */
#endif
#define DEVFS_RULESET	4	/* devfsrules_jail, jail(8)'s default */
#define JERRLEN		256

extern char **environ;

/*
 * Name/value pairs for jail_set(2), jail_get(2) and nmount(2): names are
 * NUL-terminated strings, values strings (with their NUL), ints, address
 * arrays, or nothing for a flag ("persist", "nopersist").
 */
struct jiov {
	struct iovec	*v;
	unsigned	 n;
	struct strv	 own;		/* strings we copied */
	void		**mem;		/* other values we allocated */
	size_t		 nmem;
	char		 errmsg[JERRLEN];
};

static void
jiov_add(struct jiov *j, const char *name, const void *val, size_t len)
{
	j->v = xrealloc(j->v, (j->n + 2) * sizeof(*j->v));
	j->v[j->n].iov_base = (void *)name;
	j->v[j->n].iov_len = strlen(name) + 1;
	j->v[j->n + 1].iov_base = (void *)val;
	j->v[j->n + 1].iov_len = len;
	j->n += 2;
}

static void *
jiov_keep(struct jiov *j, void *p)
{
	j->mem = xrealloc(j->mem, (j->nmem + 1) * sizeof(*j->mem));
	j->mem[j->nmem++] = p;
	return (p);
}

static void
jiov_str(struct jiov *j, const char *name, const char *s)
{
	jiov_add(j, name, s, strlen(s) + 1);
}

static void
jiov_int(struct jiov *j, const char *name, int v)
{
	int *p = jiov_keep(j, xmalloc(sizeof(int)));

	*p = v;
	jiov_add(j, name, p, sizeof(int));
}

/* A boolean is a flag: "allow.mount" or "allow.nomount" (kern_jail.c's
 * vfs_flagopt), "no" going before the last component. */
static void
jiov_bool(struct jiov *j, const char *name, int on)
{
	const char *dot = strrchr(name, '.');
	char *no;

	if (on) {
		jiov_add(j, name, NULL, 0);
		return;
	}
	no = dot != NULL ? xasprintf("%.*sno%s", (int)(dot + 1 - name), name,
	    dot + 1) : xasprintf("no%s", name);
	jiov_add(j, jiov_keep(j, no), NULL, 0);
}

/* Last: the kernel writes why a call failed here. */
static void
jiov_errmsg(struct jiov *j)
{
	j->errmsg[0] = '\0';
	jiov_add(j, "errmsg", j->errmsg, sizeof(j->errmsg));
}

static void
jiov_free(struct jiov *j)
{
	size_t i;

	for (i = 0; i < j->nmem; i++)
		free(j->mem[i]);
	free(j->mem);
	free(j->v);
	strv_free(&j->own);
	memset(j, 0, sizeof(*j));
}

static int
jiov_fail(const struct jiov *j, const char *what)
{
	if (j->errmsg[0] != '\0')
		return (error_set("%s: %s", what, j->errmsg));
	return (error_sys("%s", what));
}

/* jail_set(2) on an existing jail. */
static int
jail_update(const struct jail_state *st, struct jiov *j)
{
	jiov_int(j, "jid", st->info.jid);
	jiov_errmsg(j);
	if (jail_set(j->v, j->n, JAIL_UPDATE) == -1)
		return (jiov_fail(j, "jail_set"));
	return (0);
}

/* Is jid a live jail named name?  1 yes, 0 no. */
static int
jail_there(int jid, const char *name)
{
	struct jiov j = { 0 };
	char got[MAXHOSTNAMELEN];
	int r;

	if (jid <= 0)
		return (0);
	got[0] = '\0';
	jiov_int(&j, "jid", jid);
	jiov_add(&j, "name", got, sizeof(got));
	r = jail_get(j.v, j.n, 0);
	jiov_free(&j);
	return (r == jid && (name == NULL || strcmp(got, name) == 0));
}

int
jail_os_alive(const struct jail_state *st)
{
	return (jail_there(st->info.jid, st->info.name));
}

unsigned long long
jail_proc_starttime(pid_t pid)
{
	(void)pid;
	return (0);	/* the jid identifies a jail here, not a pid */
}

/* ---- mounts, on the host, under the jail's path ---- */

/* nmount(2) of type at dir; "from" or "target" src; "ro,size=1m"... */
static int
do_nmount(const char *type, const char *src, const char *dir,
    const char *opts)
{
	static const struct jail_mount_flag fl[] = {
		{ "ro", MNT_RDONLY }, { "rdonly", MNT_RDONLY },
		{ "nosuid", MNT_NOSUID }, { "noexec", MNT_NOEXEC },
		{ "noatime", MNT_NOATIME }, { "sync", MNT_SYNCHRONOUS },
		/* FreeBSD has no device nodes outside devfs. */
		{ "nodev", 0 },
		{ NULL, 0 }
	};
	struct jiov j = { 0 };
	struct strv v = STRV_INIT;
	size_t i;
	int flags, k;
	char *eq;

	jiov_str(&j, "fstype", type);
	jiov_str(&j, "fspath", dir);
	/* nullfs and unionfs name their lower tree "target". */
	if (strcmp(type, "nullfs") == 0 || strcmp(type, "unionfs") == 0)
		jiov_str(&j, "target", src);
	else
		jiov_str(&j, "from", src);
	flags = (int)jail_mount_opts(opts, fl, &v);
	for (i = 0; i < v.n; i++) {
		strv_push(&j.own, v.v[i]);
		if ((eq = strchr(j.own.v[j.own.n - 1], '=')) != NULL) {
			*eq = '\0';
			jiov_str(&j, j.own.v[j.own.n - 1], eq + 1);
		} else
			jiov_add(&j, j.own.v[j.own.n - 1], NULL, 0);
	}
	jiov_errmsg(&j);
	k = nmount(j.v, j.n, flags);
	if (k == -1)
		jiov_fail(&j, "nmount");
	strv_free(&v);
	jiov_free(&j);
	if (k == -1)
		return (error_wrap("mount %s %s on %s", type, src, dir));
	return (0);
}

int
jail_os_mount_tarball(const char *tar, const char *dir)
{
	/* tarfs(5) is in the kernel since FreeBSD 14: no helper process. */
	return (do_nmount("tarfs", tar, dir, "ro"));
}

void
jail_os_unmount(const char *dir)
{
	int i;

	/* Busy for a moment while the jail's last processes exit. */
	for (i = 0; i < 50; i++) {
		if (unmount(dir, 0) == 0 || errno == EINVAL ||
		    errno == ENOENT)
			return;
		if (errno != EBUSY)
			break;
		usleep(20000);
	}
	(void)unmount(dir, MNT_FORCE);
}

static int
under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return (strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == '\0'));
}

/* One of ours, recorded so that removal undoes it. */
static int
mount_rec(struct jail_state *st, const char *type, const char *src,
    const char *dir, const char *opts)
{
	if (do_nmount(type, src, dir, opts) == -1)
		return (-1);
	strv_push(&st->host_mounts, dir);
	return (0);
}

/* A mount or mount.fstab entry: its mount point is a host path, as in
 * jail(8)'s ("$path/tmp"). */
static int
entry_mount(struct jail_state *st, const struct jail_mount *m, int devfs_rs)
{
	const char *type = m->type, *dst = m->dst;
	char *opts;
	int rc, bind;

	bind = strcmp(type, "nullfs") == 0 || strcmp(type, "bind") == 0;
	if (jail_mkmountpoint(dst, bind ? m->src : NULL) == -1)
		return (-1);
	if (bind)
		type = "nullfs";
	else if (strcmp(type, "proc") == 0)
		type = "procfs";
	if (strcmp(type, "devfs") == 0 && strstr(m->opts, "ruleset") == NULL)
		opts = xasprintf("%s,ruleset=%d", m->opts, devfs_rs);
	else
		opts = xstrdup(m->opts);
	rc = mount_rec(st, type, m->src, dst, opts);
	free(opts);
	return (rc);
}

static int
devfs_ruleset(const struct jail_params *p)
{
	const char *v = jail_params_get(p, "devfs_ruleset");
	long long n;

	if (v == NULL || str_tonum(v, 0, 65535, &n) == -1) {
		error_clear();
		return (DEVFS_RULESET);
	}
	return ((int)n);
}

/* Make the mount point dst (under path) in lower, path's source. */
static int
premake(const char *lower, const char *path, const char *dst,
    const char *src)
{
	char *x;
	int r;

	if (!under(dst, path))
		return (0);
	x = xasprintf("%s%s", lower, dst + strlen(path));
	r = jail_mkmountpoint(x, src);
	free(x);
	return (r);
}

/*
 * The root and every mount, in the Linux backend's order: the root
 * (nullfs of the template, read-only when asked; unionfs for an overlay),
 * the entries not under /dev, devfs, those under /dev, fdescfs, procfs.
 * Mount points missing in a read-only root are made in its source first,
 * as the Linux backend's writable bind does.
 */
static int
setup_mounts(struct jail_spec *sp)
{
	struct jail_state *st = sp->st;
	const struct jail_params *p = sp->params;
	struct jail_mount *mv = NULL;
	const char *path = sp->path, *lower;
	char *dev = NULL, *x;
	size_t n = 0, i;
	int rc = -1, rs = devfs_ruleset(p), pass;

	if (jail_mounts_collect(p, &mv, &n) == -1)
		return (-1);
	if (strcmp(path, "/") == 0 && (sp->rootsrc != NULL ||
	    sp->upper != NULL || n > 0 || jail_params_bool(p,
	    "mount.devfs", 0) || jail_params_bool(p, "mount.procfs", 0) ||
	    jail_params_bool(p, "mount.fdescfs", 0) || sp->readonly)) {
		error_set("path=/ with mounts would mount over the host's own "
		    "tree (FreeBSD has no mount namespaces)");
		goto out;
	}
	/* Mount points the root will not let us make once mounted. */
	lower = sp->rootsrc != NULL ? sp->rootsrc : path;
	if (sp->upper == NULL && (strcmp(lower, path) != 0 || sp->readonly)) {
		for (i = 0; i < n; i++)
			if (premake(lower, path, mv[i].dst,
			    strcmp(mv[i].type, "nullfs") == 0 ||
			    strcmp(mv[i].type, "bind") == 0 ? mv[i].src : NULL)
			    == -1)
				goto out;
		x = xasprintf("%s/dev", path);
		pass = jail_params_bool(p, "mount.devfs", 0) &&
		    premake(lower, path, x, NULL) == -1;
		free(x);
		x = xasprintf("%s/proc", path);
		pass = pass || (jail_params_bool(p, "mount.procfs", 0) &&
		    premake(lower, path, x, NULL) == -1);
		free(x);
		if (pass)
			goto out;
	}
	if (sp->upper != NULL) {
		char *up = xasprintf("%s/upper", sp->upper);

		pass = path_mkdirs(up, 0755);
		if (pass == 0 && mount_rec(st, "nullfs", sp->rootsrc, path,
		    "ro") == -1)
			pass = -1;
		if (pass == 0 && mount_rec(st, "unionfs", up, path, "") == -1)
			pass = -1;
		free(up);
		if (pass == -1)
			goto out;
	} else if (sp->rootsrc != NULL || sp->readonly) {
		if (mount_rec(st, "nullfs", lower, path, sp->readonly ? "ro" :
		    "") == -1)
			goto out;
	}
	dev = xasprintf("%s/dev", strcmp(path, "/") ? path : "");
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++)
			if (under(mv[i].dst, dev) == pass &&
			    entry_mount(st, &mv[i], rs) == -1)
				goto out;
		if (pass == 0 && jail_params_bool(p, "mount.devfs", 0)) {
			x = xasprintf("ruleset=%d", rs);
			if (path_mkdirs(dev, 0755) == -1 ||
			    mount_rec(st, "devfs", "devfs", dev, x) == -1) {
				free(x);
				goto out;
			}
			free(x);
		}
	}
	if (jail_params_bool(p, "mount.fdescfs", 0)) {
		x = xasprintf("%s/fd", dev);
		pass = path_mkdirs(x, 0755) == -1 ||
		    mount_rec(st, "fdescfs", "fdescfs", x, "") == -1;
		free(x);
		if (pass)
			goto out;
	}
	if (jail_params_bool(p, "mount.procfs", 0)) {
		x = xasprintf("%s/proc", strcmp(path, "/") ? path : "");
		pass = path_mkdirs(x, 0755) == -1 ||
		    mount_rec(st, "procfs", "procfs", x, "") == -1;
		free(x);
		if (pass)
			goto out;
	}
	rc = 0;
out:
	free(dev);
	jail_mounts_free(mv, n);
	return (rc);
}

/* ---- addresses ---- */

/* "em0|10.0.0.1/24", or the interface parameter; NULL: none to alias. */
static char *
addr_iface(const struct jail_params *p, const char *value)
{
	const char *bar = strchr(value, '|'), *ifp;

	if (bar != NULL)
		return (xstrndup(value, bar - value));
	if ((ifp = jail_params_get(p, "interface")) != NULL && *ifp != '\0')
		return (xstrdup(ifp));
	return (NULL);
}

/* ifconfig IF inet A/len alias, as jail(8) runs it (-alias on the way
 * down).  An address without a prefix is the host's alone: /32, /128. */
static int
alias(const char *ifname, int family, const char *value, int add)
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN], spec[INET6_ADDRSTRLEN + 8];
	int prefix;

	if (jail_addr_parse(value, family, a, &prefix, text,
	    sizeof(text)) == -1)
		return (-1);
	if (strchr(value, '/') == NULL)
		prefix = family == AF_INET ? 32 : 128;
	snprintf(spec, sizeof(spec), "%s/%d", text, prefix);
	return (spawn_cmd(NULL, IFCONFIG, ifname, family == AF_INET ?
	    "inet" : "inet6", spec, add ? "alias" : "-alias", (char *)NULL));
}

static int
is_vnet(const struct jail_params *p)
{
	const char *v = jail_params_get(p, "vnet");

	return (v != NULL && (strcmp(v, "new") == 0 ||
	    jail_bool_value(v) == 1));
}

/* Add (or remove) the host-side aliases of every ip4.addr, ip6.addr. */
static int
aliases(const struct jail_params *p, int add)
{
	static const char *names[] = { "ip4.addr", "ip6.addr" };
	struct jail_param *jp;
	size_t i;
	char *ifn;
	int f, rc = 0;

	if (is_vnet(p))
		return (0);
	for (f = 0; f < 2; f++) {
		if ((jp = jail_params_find(p, names[f])) == NULL)
			continue;
		for (i = 0; i < jp->vals.n; i++) {
			if ((ifn = addr_iface(p, jp->vals.v[i])) == NULL)
				continue;
			if (alias(ifn, f == 0 ? AF_INET : AF_INET6,
			    jp->vals.v[i], add) == -1) {
				if (add) {
					free(ifn);
					return (-1);
				}
				error_clear();
				rc = -1;
			}
			free(ifn);
		}
	}
	return (rc);
}

/* ip4.addr / ip6.addr as the kernel takes them: an address array. */
static int
addr_array(struct jiov *j, const char *name, int family,
    const struct strv *vals)
{
	size_t sz = family == AF_INET ? sizeof(struct in_addr) :
	    sizeof(struct in6_addr), i;
	unsigned char *arr;
	int prefix;

	if (vals->n == 0) {
		jiov_add(j, name, NULL, 0);
		return (0);
	}
	arr = jiov_keep(j, xcalloc(vals->n, sz));
	for (i = 0; i < vals->n; i++)
		if (jail_addr_parse(vals->v[i], family, arr + i * sz, &prefix,
		    NULL, 0) == -1)
			return (-1);
	jiov_add(j, name, arr, vals->n * sz);
	return (0);
}

/* "new", "inherit", "disable", or a boolean, as a jailsys value. */
static int
jailsys(const char *v)
{
	if (strcmp(v, "inherit") == 0)
		return (JAIL_SYS_INHERIT);
	if (strcmp(v, "disable") == 0 || jail_bool_value(v) == 0)
		return (JAIL_SYS_DISABLE);
	return (JAIL_SYS_NEW);
}

/* ---- running commands inside ---- */

/* Pending from jail_os_start: the one command, run by run_result. */
static struct {
	char *const	*argv;
	const struct jail_run_opts *opts;
} fast;

static void
say(const char *a, const char *b)
{
	fprintf(stderr, "jexec: %s%s\n", a, b);
	fflush(stderr);
}

/* In a child: into the jail (chdir first: jail_attach will not). */
static void
attach(const struct jail_state *st)
{
	if (chdir(st->info.path) == -1) {
		say("chdir ", st->info.path);
		_exit(126);
	}
	if (jail_attach(st->info.jid) == -1) {
		fprintf(stderr, "jexec: jail_attach %d: %s\n", st->info.jid,
		    strerror(errno));
		_exit(126);
	}
}

/* The command's user and environment, as the Linux backend sets them. */
static void __attribute__((noreturn))
child_exec(const struct jail_state *st, const struct jail_run_opts *o,
    const struct jail_user *hostuser, char *const argv[])
{
	struct jail_user u;
	struct strv env = STRV_INIT;
	const char *term, *dir = "/";
	int i, setids;

	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			signal(i, SIG_DFL);
	if (o->outfd >= 0) {
		dup2(o->outfd, 1);
		dup2(o->outfd, 2);
	}
	attach(st);
	memset(&u, 0, sizeof(u));
	if (hostuser != NULL)
		u = *hostuser;
	else if (o->user != NULL && jail_user_lookup("/", o->user, &u) ==
	    -1) {
		say(error_msg(), "");
		_exit(1);
	}
	setids = o->user != NULL || hostuser != NULL;
	if (o->clean) {
		term = getenv("TERM");
		if (!setids && jail_user_lookup("/", "root", &u) == -1) {
			error_clear();
			u.uid = 0;
			strcpy(u.home, "/");
			strcpy(u.shell, "/bin/sh");
			strcpy(u.name, "root");
		}
		strv_setenv(&env, "HOME", u.home);
		strv_setenv(&env, "SHELL", u.shell);
		strv_setenv(&env, "USER", u.name);
		strv_setenv(&env, "LOGNAME", u.name);
		strv_setenv(&env, "PATH", "/sbin:/bin:/usr/sbin:/usr/bin:"
		    "/usr/local/sbin:/usr/local/bin");
		if (term != NULL)
			strv_setenv(&env, "TERM", term);
		environ = env.v;
		dir = u.home;
	}
	if (setids && (setgroups(u.ngroups, u.groups) == -1 ||
	    setgid(u.gid) == -1 || setuid(u.uid) == -1)) {
		fprintf(stderr, "jexec: cannot become %s: %s\n", u.name,
		    strerror(errno));
		_exit(1);
	}
	if (chdir(dir) == -1)
		(void)chdir("/");
	execvp(argv[0], argv);
	fprintf(stderr, "jexec: execvp: %s: %s\n", argv[0], strerror(errno));
	_exit(1);
}

/* Wait for a child, killing it after timeout seconds (0: never). */
static int
wait_child(pid_t pid, int timeout, int *status)
{
	int waited = 0;
	pid_t w;

	for (;;) {
		w = waitpid(pid, status, timeout > 0 ? WNOHANG : 0);
		if (w == pid)
			return (0);
		if (w == -1 && errno != EINTR)
			return (error_sys("wait"));
		if (w == 0) {
			if (waited >= timeout * 100) {
				/* What the Linux backend's alarm does. */
				kill(pid, SIGALRM);
				timeout = 0;
				continue;
			}
			usleep(10000);
			waited++;
		}
	}
}

int
jail_os_run(struct jail_state *st, const struct jail_run_opts *o,
    char *const argv[])
{
	void (*oint)(int), (*oquit)(int);
	struct jail_user hu;
	pid_t pid;
	int status, have_hu = 0, r;

	if (o->user != NULL && o->user_from_host) {
		if (jail_user_lookup("/", o->user, &hu) == -1)
			return (-1);
		have_hu = 1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return (error_sys("fork"));
	if (pid == 0)
		child_exec(st, o, have_hu ? &hu : NULL, argv);
	/* The command has the terminal: ^C is its, as system(3) does. */
	oint = signal(SIGINT, SIG_IGN);
	oquit = signal(SIGQUIT, SIG_IGN);
	r = wait_child(pid, o->timeout, &status);
	signal(SIGINT, oint);
	signal(SIGQUIT, oquit);
	if (r == -1)
		return (-1);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		return (error_set("could not enter jail %s", st->info.name));
	return (jail_exit_code(status));
}

int
jail_os_run_result(struct jail_state *st, int last)
{
	char *const *argv = fast.argv;
	const struct jail_run_opts *o = fast.opts;

	(void)last;	/* jail_os_release drops persist after it */
	memset(&fast, 0, sizeof(fast));
	if (argv == NULL)
		return (error_set("jail %s: no command was queued",
		    st->info.name));
	return (jail_os_run(st, o, argv));
}

/* Run a program (full path) in the jail as root; 0 if it exits 0. */
static int
jail_spawn(const struct jail_state *st, char *const argv[])
{
	struct jail_run_opts o;
	int r;

	memset(&o, 0, sizeof(o));
	o.outfd = -1;
	if ((r = jail_os_run((struct jail_state *)st, &o, argv)) == 0)
		return (0);
	if (r > 0)
		error_set("%s in jail %s: exit status %d", argv[0],
		    st->info.name, r);
	return (-1);
}

/* A vnet jail's addresses go on its own lo0, as on Linux. */
static int
vnet_lo(const struct jail_state *st, int family, const char *value,
    int add)
{
	char *argv[] = { IFCONFIG, "lo0", NULL, NULL, NULL, NULL };
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN], spec[INET6_ADDRSTRLEN + 8];
	int prefix;

	if (value == NULL) {
		argv[2] = "up";
		return (jail_spawn(st, argv));
	}
	if (jail_addr_parse(value, family, a, &prefix, text,
	    sizeof(text)) == -1)
		return (-1);
	snprintf(spec, sizeof(spec), "%s/%d", text, family == AF_INET ?
	    32 : 128);
	argv[2] = family == AF_INET ? "inet" : "inet6";
	argv[3] = spec;
	argv[4] = add ? "alias" : "-alias";
	return (jail_spawn(st, argv));
}

/* Signal every process in the jail; 1 if there was one, 0 if none. */
static int
signal_jail(const struct jail_state *st, int sig)
{
	pid_t pid;
	int status;

	if ((pid = fork()) == -1)
		return (0);
	if (pid == 0) {
		if (jail_attach(st->info.jid) == -1)
			_exit(2);
		/* Inside, -1 is every process of the jail but us. */
		_exit(kill(-1, sig) == -1 && errno == ESRCH ? 2 : 0);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- create, release, stop ---- */

int
jail_os_start(struct jail_spec *sp)
{
	struct jail_state *st = sp->st;
	const struct jail_params *p = sp->params;
	struct jiov j = { 0 };
	struct jail_param *jp;
	const char *v;
	size_t i;
	int jid, vnet = is_vnet(p), rc = -1;

	st->ctlfd = st->readyfd = -1;
	st->super = 0;
	st->reply = 0;
	st->info.pid = 0;
	st->starttime = 0;
	memset(&fast, 0, sizeof(fast));
	if (setup_mounts(sp) == -1)
		return (-1);	/* jail.c unmounts host_mounts */
	if (aliases(p, 1) == -1)
		goto out;

	jiov_str(&j, "name", sp->name);
	jiov_str(&j, "path", sp->path);
	if ((v = jail_params_get(p, "jid")) != NULL)
		jiov_int(&j, "jid", sp->jid);
	/* Persistent until released: nothing is attached yet. */
	jiov_bool(&j, "persist", 1);
	if ((v = jail_params_get(p, "host.hostname")) != NULL)
		jiov_str(&j, "host.hostname", v);
	if ((v = jail_params_get(p, "host.domainname")) != NULL)
		jiov_str(&j, "host.domainname", v);
	for (i = 0; i < p->n; i++) {
		const char *name = p->v[i].name;
		long long n;

		if ((v = jail_params_get(p, name)) == NULL)
			v = "";
		if (strncmp(name, "allow.", 6) == 0)
			jiov_bool(&j, name, jail_bool_value(v) != 0);
		else if (strcmp(name, "enforce_statfs") == 0 ||
		    strcmp(name, "children.max") == 0 ||
		    strcmp(name, "devfs_ruleset") == 0) {
			if (str_tonum(v, 0, 1LL << 30, &n) == -1)
				goto out;
			jiov_int(&j, name, (int)n);
		} else if (strcmp(name, "host") == 0 ||
		    strncmp(name, "sysv", 4) == 0 ||
		    strcmp(name, "ip4") == 0 || strcmp(name, "ip6") == 0)
			jiov_int(&j, name, jailsys(v));
	}
	/* A mounted devfs is restricted to the ruleset it was mounted with. */
	if (jail_params_bool(p, "mount.devfs", 0) &&
	    jail_params_get(p, "devfs_ruleset") == NULL)
		jiov_int(&j, "devfs_ruleset", devfs_ruleset(p));
	if (vnet)
		jiov_int(&j, "vnet", JAIL_SYS_NEW);
	else if (!sp->netns) {
		/* ip4=inherit or ip6=inherit: the host's network, both
		 * families, as one network namespace is on Linux. */
		if (jail_params_get(p, "ip4") == NULL)
			jiov_int(&j, "ip4", JAIL_SYS_INHERIT);
		if (jail_params_get(p, "ip6") == NULL)
			jiov_int(&j, "ip6", JAIL_SYS_INHERIT);
	} else {
		if ((jp = jail_params_find(p, "ip4.addr")) != NULL &&
		    jp->vals.n > 0 && addr_array(&j, "ip4.addr", AF_INET,
		    &jp->vals) == -1)
			goto out;
		if ((jp = jail_params_find(p, "ip6.addr")) != NULL &&
		    jp->vals.n > 0 && addr_array(&j, "ip6.addr", AF_INET6,
		    &jp->vals) == -1)
			goto out;
	}
	jiov_errmsg(&j);
	if ((jid = jail_set(j.v, j.n, JAIL_CREATE)) == -1) {
		jiov_fail(&j, "jail_set");
		goto out;
	}
	st->info.jid = jid;
	if (vnet) {
		/* Its own stack: lo0 up, the addresses on it. */
		static const char *names[] = { "ip4.addr", "ip6.addr" };
		int f;

		if (vnet_lo(st, AF_INET, NULL, 1) == -1)
			goto created;
		for (f = 0; f < 2; f++) {
			jp = jail_params_find(p, names[f]);
			for (i = 0; jp != NULL && i < jp->vals.n; i++)
				if (vnet_lo(st, f == 0 ? AF_INET : AF_INET6,
				    jp->vals.v[i], 1) == -1)
					goto created;
		}
	}
	if (sp->fastargv != NULL) {
		fast.argv = sp->fastargv;
		fast.opts = sp->fastopts;
	}
	rc = 0;
	goto out;
created:
	(void)jail_remove(jid);
	st->info.jid = 0;
out:
	if (rc == -1) {
		char *msg = xstrdup(error_msg());

		(void)aliases(p, 0);
		error_set("%s", msg);
		free(msg);
	}
	jiov_free(&j);
	return (rc);
}

/* Wait up to ms for the kernel to have removed the jail; 1 if gone. */
static int
wait_removed(const struct jail_state *st, int ms)
{
	int i;

	for (i = 0; i <= ms / 10; i++) {
		if (!jail_there(st->info.jid, st->info.name))
			return (1);
		usleep(10000);
	}
	return (0);
}

/*
 * A supervisor for a jail that ends with its last process: polling,
 * since FreeBSD 14 has no descriptor to wait on a jail with.  A check is
 * one system call; the interval grows to a second.
 */
static pid_t
supervise(const char *rundir, struct jail_state *st)
{
	pid_t pid;
	int fd, ms = 50;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) != 0)
		return (pid);
	setsid();
	setproctitle("jail-super %s", st->info.name);	/* for ps */
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	closefrom(3);	/* the run dir's lock above all */
	while (jail_there(st->info.jid, st->info.name)) {
		usleep(ms * 1000);
		if (ms < 1000)
			ms *= 2;
	}
	jail_os_cleanup(rundir, st);
	_exit(0);
}

int
jail_os_release(const char *rundir, struct jail_state *st)
{
	struct jiov j = { 0 };
	pid_t s;
	int r;

	memset(&fast, 0, sizeof(fast));
	if (jail_params_bool(&st->info.params, "persist", 0))
		return (0);
	/* Not asked to persist: the kernel ends it with its last process. */
	jiov_bool(&j, "persist", 0);
	r = jail_update(st, &j);
	jiov_free(&j);
	if (r == -1 && jail_there(st->info.jid, st->info.name))
		return (-1);
	error_clear();
	if (!jail_there(st->info.jid, st->info.name)) {
		jail_os_cleanup(rundir, st);
		return (1);
	}
	if (st->super > 0)
		return (0);
	if ((s = supervise(rundir, st)) == -1)
		return (error_sys("fork"));
	st->super = s;
	return (0);
}

int
jail_os_wait_super(struct jail_state *st)
{
	int i;

	if (st->super <= 0)
		return (0);
	for (i = 0; i < 1000; i++) {
		(void)waitpid(st->super, NULL, WNOHANG);
		if (kill(st->super, 0) == -1 && errno == ESRCH)
			return (0);
		usleep(10000);
	}
	return (error_set("jail %s: supervisor %d did not finish",
	    st->info.name, (int)st->super));
}

int
jail_os_stop(const char *rundir, struct jail_state *st, int timeout)
{
	int i;

	memset(&fast, 0, sizeof(fast));
	if (st->info.jid > 0 && jail_there(st->info.jid, st->info.name)) {
		/* stop.timeout: SIGTERM, then jail_remove's SIGKILL. */
		if (timeout > 0 && signal_jail(st, SIGTERM))
			for (i = 0; i < timeout * 10; i++) {
				if (!signal_jail(st, 0))
					break;
				usleep(100000);
			}
		if (jail_remove(st->info.jid) == -1 && errno != EINVAL)
			error_clear();
		(void)wait_removed(st, 2000);
	}
	if (jail_os_wait_super(st) == -1)
		error_clear();
	/* The supervisor may be gone too (killed): clean up here. */
	jail_os_cleanup(rundir, st);
	return (0);
}

void
jail_os_cleanup(const char *rundir, struct jail_state *st)
{
	size_t i;

	for (i = st->host_mounts.n; i > 0; i--)
		jail_os_unmount(st->host_mounts.v[i - 1]);
	(void)aliases(&st->info.params, 0);
	error_clear();
	/* The clone of a zfs: template lives as long as the jail. */
	if (st->zclone != NULL && zfs_exists(st->zclone) == 1 &&
	    zfs_destroy(st->zclone, ZFS_DESTROY_FORCE) == -1)
		error_clear();
	if (jail_state_remove(rundir, st->info.name) == -1)
		error_clear();
}

/* ---- jail -m ---- */

int
jail_os_sethostname(const struct jail_state *st, const char *host,
    const char *domain)
{
	struct jiov j = { 0 };
	int r;

	if (host != NULL)
		jiov_str(&j, "host.hostname", host);
	if (domain != NULL)
		jiov_str(&j, "host.domainname", domain);
	r = jail_update(st, &j);
	jiov_free(&j);
	return (r);
}

static int
has(const struct strv *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return (1);
	return (0);
}

int
jail_os_setaddrs(const struct jail_state *st, int family,
    const struct strv *add, const struct strv *del)
{
	const struct jail_params *p = &st->info.params;
	const struct strv *cur = family == AF_INET ? &st->info.ip4 :
	    &st->info.ip6;
	struct strv want = STRV_INIT;
	struct jiov j = { 0 };
	const char *ifn = jail_params_get(p, "interface");
	size_t i;
	int r = 0;

	if (!st->netns)
		return (error_set("jail %s has the host's network "
		    "(ip4=inherit or ip6=inherit)", st->info.name));
	if (is_vnet(p)) {
		for (i = 0; r == 0 && del != NULL && i < del->n; i++)
			r = vnet_lo(st, family, del->v[i], 0);
		for (i = 0; r == 0 && add != NULL && i < add->n; i++)
			r = vnet_lo(st, family, add->v[i], 1);
		return (r);
	}
	for (i = 0; i < cur->n; i++)
		if (del == NULL || !has(del, cur->v[i]))
			strv_push(&want, cur->v[i]);
	for (i = 0; add != NULL && i < add->n; i++)
		if (!has(&want, add->v[i]))
			strv_push(&want, add->v[i]);
	/* New aliases before the jail may use them, old ones after. */
	for (i = 0; ifn != NULL && add != NULL && i < add->n && r == 0; i++)
		r = alias(ifn, family, add->v[i], 1);
	if (r == 0 && addr_array(&j, family == AF_INET ? "ip4.addr" :
	    "ip6.addr", family, &want) == -1)
		r = -1;
	if (r == 0)
		r = jail_update(st, &j);
	for (i = 0; ifn != NULL && del != NULL && i < del->n && r == 0; i++)
		if (alias(ifn, family, del->v[i], 0) == -1)
			error_clear();
	jiov_free(&j);
	strv_free(&want);
	return (r);
}

int
jail_os_persist(const char *rundir, const struct jail_state *st,
    int persist)
{
	struct jail_state copy;
	struct jiov j = { 0 };
	int r;

	jiov_bool(&j, "persist", persist);
	r = jail_update(st, &j);
	jiov_free(&j);
	if (r == -1 || persist)
		return (r);
	/* Without persist an empty jail ends now, a busy one later. */
	if (jail_state_read(rundir, st->info.name, &copy) == -1)
		return (-1);
	if (!jail_there(copy.info.jid, copy.info.name))
		jail_os_cleanup(rundir, &copy);
	else if (copy.super <= 0 || kill(copy.super, 0) == -1)
		(void)supervise(rundir, &copy);
	jail_state_free(&copy);
	return (0);
}

int
jail_os_vnet_iface(const struct jail_state *st, const char *ifname)
{
	char jid[32];

	snprintf(jid, sizeof(jid), "%d", st->info.jid);
	return (spawn_cmd(NULL, IFCONFIG, ifname, "vnet", jid, (char *)NULL));
}

/* ---- what jexec and jail diff see ---- */

char *
jail_os_rootpath(const struct jail_state *st)
{
	return (xstrdup(st->info.path));	/* mounts are the host's */
}

int
jail_os_wait_ready(const struct jail_state *st)
{
	(void)st;
	return (0);	/* set up before jail_set(2) returned */
}

void
jail_os_mounts(const struct jail_state *st, struct strv *out)
{
	const char *path = st->info.path, *m;
	size_t i, n = strlen(path);

	for (i = 0; i < st->host_mounts.n; i++) {
		m = st->host_mounts.v[i];
		if (strcmp(path, "/") == 0 && strcmp(m, "/") != 0)
			strv_push(out, m);
		else if (under(m, path) && m[n] == '/')
			strv_push(out, m + n);
	}
}

/*
 * unionfs(4) whiteouts are directory entries that readdir(3) hides and
 * lstat(2) does not find, so a removal under stasis.root=overlay goes
 * unreported here; opaque directories carry UF_OPAQUE.
 */
int
jail_os_whiteout(const char *path, const struct stat *sb)
{
	(void)path;
	return (S_ISWHT(sb->st_mode));
}

int
jail_os_opaque(const char *path)
{
	struct stat sb;

	return (lstat(path, &sb) == 0 && (sb.st_flags & UF_OPAQUE) != 0);
}
