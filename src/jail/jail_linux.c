/*
 * Jails on Linux.  A jail is a process tree:
 *
 *   jail -c (creator) --clone3--> init (pid 1)
 *   jail -c (creator) --fork--> supervisor (when the jail outlives it)
 *
 * init is pid 1 of new mount, PID, UTS, IPC, cgroup (and, with addresses
 * or vnet, network) namespaces, placed straight into the jail's own cgroup
 * (CLONE_INTO_CGROUP).  It builds the jail's mounts, pivots into the root,
 * says "OK" to the creator and then only reaps orphans, so the namespaces
 * outlive `jail -c`.  A jail that ends while its creator waits (a
 * command jail) is cleaned up by the creator; one that lives on gets a
 * supervisor outside (host namespaces and cgroup) that waits for init
 * through a pidfd and cleans up whatever is on the host: our mounts, the
 * cgroup, the state directory.  Killing init kills every
 * process of its PID namespace, and mounts of a dead mount namespace go
 * with it, so removal cannot leave anything inside behind.
 *
 * Commands run in a jail (exec.start, jexec) fork, join the cgroup, setns
 * into each namespace and fork again, since a PID namespace applies only
 * to children.
 */
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/path.h"
#include "base/spawn.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"
#include "zfs/zfs.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

extern char **environ;

/*
 * What FreeBSD lets a jail's root do, as capabilities.  Not
 * CAP_DAC_READ_SEARCH: CAP_DAC_OVERRIDE already reads and searches
 * anything, and with it open_by_handle_at(2) opens any inode of a
 * filesystem the jail has a mount of, the host's / included.
 */
#define KEEP_CAPS ((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | \
	(1ULL << CAP_FOWNER) | \
	(1ULL << CAP_FSETID) | (1ULL << CAP_KILL) | (1ULL << CAP_SETGID) | \
	(1ULL << CAP_SETUID) | (1ULL << CAP_SETPCAP) | \
	(1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_IPC_OWNER) | \
	(1ULL << CAP_SYS_CHROOT) | (1ULL << CAP_SYS_PTRACE) | \
	(1ULL << CAP_SYS_NICE) | (1ULL << CAP_SYS_RESOURCE) | \
	(1ULL << CAP_LEASE) | (1ULL << CAP_AUDIT_WRITE) | \
	(1ULL << CAP_SETFCAP))

static int
pidfd_open(pid_t pid)
{
	return ((int)syscall(SYS_pidfd_open, pid, 0));
}

/* Wait up to ms (-1 forever) for pid to exit; 1 gone, 0 still there. */
static int
wait_gone(pid_t pid, int ms)
{
	struct pollfd pfd;
	int fd, r;

	if (pid <= 0)
		return (1);
	if ((fd = pidfd_open(pid)) == -1)
		return (errno == ESRCH ? 1 : 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	do
		r = poll(&pfd, 1, ms);
	while (r == -1 && errno == EINTR);
	close(fd);
	return (r > 0);
}

static const char *
cgroup_root(void)
{
	static const char *roots[] = { "/sys/fs/cgroup",
	    "/sys/fs/cgroup/unified", NULL };
	struct statfs sf;
	int i;

	for (i = 0; roots[i] != NULL; i++)
		if (statfs(roots[i], &sf) == 0 &&
		    sf.f_type == CGROUP2_SUPER_MAGIC)
			return (roots[i]);
	return (NULL);
}

/*
 * A cgroup can be removed once it is unpopulated, which the kernel
 * records a moment after the last task is reaped: wait for that on
 * cgroup.events (poll POLLPRI), not with sleeps that would each cost a
 * timer tick.
 */
static void
rm_cgroup(const char *cg)
{
	struct pollfd pfd;
	char *ev, buf[256];
	ssize_t n;
	int fd, i;

	if (cg == NULL)
		return;
	if (rmdir(cg) == 0 || errno != EBUSY)
		return;
	ev = xasprintf("%s/cgroup.events", cg);
	fd = open(ev, O_RDONLY | O_CLOEXEC);
	free(ev);
	for (i = 0; i < 100; i++) {
		if (rmdir(cg) == 0 || errno != EBUSY)
			break;
		if (fd < 0) {
			usleep(1000);
			continue;
		}
		if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = '\0';
			if (strstr(buf, "populated 0") != NULL) {
				usleep(100);	/* emptied; the dir lags */
				continue;
			}
		}
		pfd.fd = fd;
		pfd.events = POLLPRI;
		(void)poll(&pfd, 1, 100);
	}
	if (fd >= 0)
		close(fd);
}

unsigned long long
jail_proc_starttime(pid_t pid)
{
	char path[64], *p;
	struct buf b = BUF_INIT;
	unsigned long long t = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (file_read(path, 4096, &b) == -1) {
		buf_free(&b);
		error_clear();
		return (0);
	}
	/* Field 22; skip "pid (comm)" first, comm may hold spaces. */
	if ((p = strrchr(buf_cstr(&b), ')')) != NULL) {
		for (i = 2; i < 22 && p != NULL; i++)
			p = strchr(p + 1, ' ');
		if (p != NULL)
			t = strtoull(p + 1, NULL, 10);
	}
	buf_free(&b);
	return (t);
}

int
jail_os_alive(const struct jail_state *st)
{
	if (st->info.pid <= 0)
		return (0);
	if (kill(st->info.pid, 0) == -1 && errno == ESRCH)
		return (0);
	return (jail_proc_starttime(st->info.pid) == st->starttime);
}

void
jail_os_cleanup(const char *rundir, struct jail_state *st)
{
	size_t i;

	for (i = st->host_mounts.n; i > 0; i--)
		if (umount2(st->host_mounts.v[i - 1], MNT_DETACH) == -1 &&
		    errno != EINVAL && errno != ENOENT)
			(void)umount2(st->host_mounts.v[i - 1], MNT_FORCE);
	rm_cgroup(st->cgroup);
	/* The clone of a zfs: template lives as long as the jail. */
	if (st->zclone != NULL && zfs_exists(st->zclone) == 1 &&
	    zfs_destroy(st->zclone, ZFS_DESTROY_FORCE) == -1)
		error_clear();
	if (jail_state_remove(rundir, st->info.name) == -1)
		error_clear();
}

/* ---- inside the new namespaces, before the root moves ---- */

/* "ro,nosuid,size=10m" -> MS_ flags and the rest as data. */
static unsigned long
mount_flags(const char *opts, struct buf *data)
{
	static const struct jail_mount_flag fl[] = {
		{ "ro", MS_RDONLY }, { "nosuid", MS_NOSUID },
		{ "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
		{ "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
		{ "sync", MS_SYNCHRONOUS }, { NULL, 0 }
	};
	struct strv v = STRV_INIT;
	unsigned long flags;
	size_t i;

	flags = jail_mount_opts(opts, fl, &v);
	for (i = 0; i < v.n; i++) {
		if (data->len > 0)
			buf_addc(data, ',');
		buf_addstr(data, v.v[i]);
	}
	strv_free(&v);
	return (flags);
}

static int
bind_mount(const char *src, const char *dst, unsigned long flags)
{
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) == -1)
		return (error_sys("bind %s on %s", src, dst));
	if (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC))
		if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | flags,
		    NULL) == -1)
			return (error_sys("remount %s read-only", dst));
	return (0);
}

static int mount_devfs(const char *);

/*
 * The host-wide knobs under a jail's /proc read-only, as a FreeBSD jail
 * cannot set the host's sysctls: /proc/sys is mostly not namespaced
 * (kernel.core_pattern names a program the kernel runs as the host's
 * root), and sysrq-trigger, irq and bus act on the machine.
 */
static int
proc_readonly(const char *proc)
{
	static const char *const ro[] = { "sys", "sysrq-trigger", "irq",
	    "bus", NULL };
	struct stat sb;
	char *p;
	int i, rc = 0;

	for (i = 0; rc == 0 && ro[i] != NULL; i++) {
		p = xasprintf("%s/%s", proc, ro[i]);
		if (lstat(p, &sb) == 0)
			rc = bind_mount(p, p, MS_RDONLY | MS_NOSUID |
			    MS_NODEV | MS_NOEXEC);
		free(p);
	}
	return (rc);
}

static int
do_mount(const struct jail_mount *m)
{
	struct buf data = BUF_INIT;
	unsigned long flags;
	const char *type = m->type;
	int rc;

	flags = mount_flags(m->opts, &data);
	if (jail_mkmountpoint(m->dst, strcmp(type, "nullfs") == 0 ||
	    strcmp(type, "bind") == 0 ? m->src : NULL) == -1) {
		buf_free(&data);
		return (-1);
	}
	if (strcmp(type, "nullfs") == 0 || strcmp(type, "bind") == 0)
		rc = bind_mount(m->src, m->dst, flags);
	else if (strcmp(type, "devfs") == 0)
		rc = mount_devfs(m->dst);
	else {
		if (strcmp(type, "procfs") == 0)
			type = "proc";
		else if (strcmp(type, "fdescfs") == 0) {
			buf_free(&data);
			return (0);	/* /dev/fd is part of our devfs */
		}
		rc = mount(m->src, m->dst, type, flags, data.len ?
		    data.data : NULL);
		if (rc == -1)
			error_sys("mount %s %s on %s", type, m->src, m->dst);
		else if (strcmp(type, "proc") == 0)
			rc = proc_readonly(m->dst);
	}
	buf_free(&data);
	return (rc);
}

/* A minimal /dev: FreeBSD's devfsrules_jail, more or less. */
static int
mount_devfs(const char *dev)
{
	static const struct { const char *n; int maj, min; } nodes[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
		{ NULL, 0, 0 }
	};
	static const struct { const char *n, *to; } links[] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
		{ NULL, NULL }
	};
	char p[4096];
	int i;

	if (path_mkdirs(dev, 0755) == -1)
		return (-1);
	if (mount("devfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC,
	    "mode=755,size=1m") == -1)
		return (error_sys("mount devfs on %s", dev));
	for (i = 0; nodes[i].n != NULL; i++) {
		snprintf(p, sizeof(p), "%s/%s", dev, nodes[i].n);
		if (mknod(p, S_IFCHR | 0666, makedev(nodes[i].maj,
		    nodes[i].min)) == -1)
			return (error_sys("mknod %s", p));
		(void)chmod(p, 0666);
	}
	for (i = 0; links[i].n != NULL; i++) {
		snprintf(p, sizeof(p), "%s/%s", dev, links[i].n);
		if (symlink(links[i].to, p) == -1)
			return (error_sys("symlink %s", p));
	}
	snprintf(p, sizeof(p), "%s/pts", dev);
	if (mkdir(p, 0755) == -1 || mount("devpts", p, "devpts",
	    MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620")
	    == -1)
		return (error_sys("mount devpts on %s", p));
	snprintf(p, sizeof(p), "%s/shm", dev);
	if (mkdir(p, 01777) == -1 || mount("shm", p, "tmpfs",
	    MS_NOSUID | MS_NODEV, "mode=1777") == -1)
		return (error_sys("mount tmpfs on %s", p));
	return (0);
}

static int
under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return (strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == '\0'));
}

static int
setup_net(const struct jail_params *p)
{
	static const char *fams[] = { "ip4.addr", "ip6.addr" };
	struct jail_param *jp;
	unsigned char addr[16];
	int i, prefix, fam;
	size_t j;

	if (jail_net_link_up("lo") == -1)
		return (-1);
	for (i = 0; i < 2; i++) {
		fam = i == 0 ? AF_INET : AF_INET6;
		if ((jp = jail_params_find(p, fams[i])) == NULL)
			continue;
		for (j = 0; j < jp->vals.n; j++) {
			if (jail_addr_parse(jp->vals.v[j], fam, addr, &prefix,
			    NULL, 0) == -1)
				return (-1);
			/* The whole prefix on lo would be ours: just it. */
			prefix = fam == AF_INET ? 32 : 128;
			if (jail_net_addr(1, fam, addr, prefix, "lo") == -1)
				return (-1);
		}
	}
	return (0);
}

static int
setup(const struct jail_spec *sp)
{
	const struct jail_params *p = sp->params;
	struct jail_mount *mv = NULL;
	struct buf data = BUF_INIT;
	const char *path = sp->path, *h;
	char *dev = NULL;
	size_t n = 0, i;
	int rc = -1, isroot;

	isroot = strcmp(path, "/") == 0 && sp->rootsrc == NULL &&
	    sp->upper == NULL;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return (error_sys("make mounts private"));
	/* The root: a mount point of its own, for pivot_root. */
	if (sp->upper != NULL) {
		char *up = xasprintf("%s/upper", sp->upper);
		char *wk = xasprintf("%s/work", sp->upper);

		buf_printf(&data, "lowerdir=%s,upperdir=%s,workdir=%s",
		    sp->rootsrc, up, wk);
		rc = path_mkdirs(up, 0755) == -1 || path_mkdirs(wk, 0700)
		    == -1 ? -1 : 0;
		free(up);
		free(wk);
		if (rc == -1)
			goto out;
		rc = -1;
		if (mount("overlay", path, "overlay", 0, data.data) == -1) {
			error_sys("mount overlay (%s) on %s", data.data, path);
			goto out;
		}
	} else if (isroot) {
		/* path=/ : the host's tree, in a mount namespace of its own */
	} else if (bind_mount(sp->rootsrc != NULL ? sp->rootsrc : path,
	    path, 0) == -1)
		goto out;
	if (jail_mounts_collect(p, &mv, &n) == -1)
		goto out;
	dev = xasprintf("%s/dev", strcmp(path, "/") ? path : "");
	/* Mounts into /dev wait for mount.devfs, or they would be hidden. */
	for (i = 0; i < n; i++)
		if (!under(mv[i].dst, dev) && do_mount(&mv[i]) == -1)
			goto out;
	if (jail_params_bool(p, "mount.devfs", 0) && mount_devfs(dev) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (under(mv[i].dst, dev) && do_mount(&mv[i]) == -1)
			goto out;
	if (jail_params_bool(p, "mount.procfs", 0)) {
		char *proc = xasprintf("%s/proc", path);

		if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV |
		    MS_NOEXEC, NULL) == -1) {
			error_sys("mount procfs on %s", proc);
			free(proc);
			goto out;
		}
		if (proc_readonly(proc) == -1) {
			free(proc);
			goto out;
		}
		free(proc);
	}
	if (sp->readonly && mount(NULL, path, NULL, MS_REMOUNT | MS_BIND |
	    MS_RDONLY, NULL) == -1) {
		error_sys("make %s read-only", path);
		goto out;
	}
	if (sp->netns && setup_net(p) == -1)
		goto out;
	if ((h = jail_params_get(p, "host.hostname")) != NULL &&
	    sethostname(h, strlen(h)) == -1) {
		error_sys("sethostname %s", h);
		goto out;
	}
	if ((h = jail_params_get(p, "host.domainname")) != NULL &&
	    setdomainname(h, strlen(h)) == -1) {
		error_sys("setdomainname %s", h);
		goto out;
	}
	if (isroot) {
		rc = chdir("/");
		goto out;
	}
	if (chdir(path) == -1) {
		error_sys("chdir %s", path);
		goto out;
	}
	/* Stack the old root under the new one, then let it go. */
	if (syscall(SYS_pivot_root, ".", ".") == -1) {
		error_sys("pivot_root %s", path);
		goto out;
	}
	if (umount2(".", MNT_DETACH) == -1 || chdir("/") == -1) {
		error_sys("detach the old root");
		goto out;
	}
	rc = 0;
out:
	free(dev);
	buf_free(&data);
	jail_mounts_free(mv, n);
	return (rc);
}

/* Are there processes in the jail besides init (jexec'd ones)? */
static int
others_in_cgroup(int cgfd)
{
	char buf[256];
	ssize_t r;
	int fd, lines = 0, i;

	if (cgfd < 0)
		return (0);
	if ((fd = openat(cgfd, "cgroup.procs", O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < r; i++)
			lines += buf[i] == '\n';
	close(fd);
	return (lines > 1);
}

/* The bounding set a jail's commands keep: what FreeBSD lets root do. */
static unsigned long long
keep_caps(const struct jail_params *p, int netns)
{
	unsigned long long keep;
	int suser;

	keep = KEEP_CAPS | jail_allow_caps(p, &suser);
	if (netns && jail_params_get(p, "vnet") != NULL &&
	    jail_bool_value(jail_params_get(p, "vnet")) == 1)
		keep |= 1ULL << CAP_NET_ADMIN;
	return (suser ? keep : 0);
}

/*
 * Init keeps no more than its jail's root has, and what starting
 * commands as other users takes (which that root has too): a process in
 * the jail that may ptrace init (CAP_SYS_PTRACE, or no capability init
 * lacks) must not gain init's full set that way, CAP_SYS_MODULE and
 * CAP_MKNOD among them.  Bounding set first, while CAP_SETPCAP is held.
 */
static int
init_drop_caps(const struct jail_spec *sp)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];
	unsigned long long keep;
	int cap;

	keep = keep_caps(sp->params, sp->netns) | (1ULL << CAP_SETUID) |
	    (1ULL << CAP_SETGID) | (1ULL << CAP_SETPCAP) | (1ULL << CAP_KILL);
	for (cap = 0; cap <= 63; cap++)
		if (!(keep & (1ULL << cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
			if (errno == EINVAL)
				break;	/* past the last cap the kernel knows */
			return (error_sys("init: drop capability %d", cap));
		}
	/* Of what we have: the host may have withheld some already. */
	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &h, d) == -1)
		return (error_sys("init: capget"));
	keep &= d[0].permitted | ((unsigned long long)d[1].permitted << 32);
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &h, d) == -1)
		return (error_sys("init: capset"));
	return (0);
}

/*
 * A command's start, prepared where allocating is allowed (the user
 * lookup, the environment, the capabilities to keep), so that what runs
 * between clone and execve is system calls only: init starts commands
 * with a vfork-style clone, which copies no page tables.
 */
struct exec_plan {
	char *const	*argv;
	char		**envp;
	struct strv	 env;		/* owns envp when built here */
	struct jail_user u;
	int		 setids;	/* become u */
	const char	*dir;		/* chdir here, or "/" if it fails */
	unsigned long long keep;	/* capability bounding set */
	int		 confine;	/* install jail_os_confine's filter */
	char		 err[ERROR_MAX]; /* set: say it and exit 1 */
};

static void
exec_plan_init(struct exec_plan *x, const struct jail_params *p, int netns,
    const struct jail_run_opts *o, const struct jail_user *hostuser,
    char *const argv[])
{
	const char *term, *user = o->user;

	memset(x, 0, sizeof(*x));
	x->argv = argv;
	x->keep = keep_caps(p, netns);
	x->dir = "/";
	if (hostuser != NULL)
		x->u = *hostuser;
	else if (user != NULL && jail_user_lookup("/", user, &x->u) == -1) {
		snprintf(x->err, sizeof(x->err), "jexec: %s\n", error_msg());
		error_clear();
		return;
	}
	x->setids = user != NULL || hostuser != NULL;
	if (o->clean) {
		term = getenv("TERM");
		if (user == NULL && hostuser == NULL &&
		    jail_user_lookup("/", "root", &x->u) == -1) {
			error_clear();
			x->u.uid = 0;
			strcpy(x->u.home, "/");
			strcpy(x->u.shell, "/bin/sh");
			strcpy(x->u.name, "root");
		}
		strv_setenv(&x->env, "HOME", x->u.home);
		strv_setenv(&x->env, "SHELL", x->u.shell);
		strv_setenv(&x->env, "USER", x->u.name);
		strv_setenv(&x->env, "LOGNAME", x->u.name);
		strv_setenv(&x->env, "PATH", "/sbin:/bin:/usr/sbin:/usr/bin:"
		    "/usr/local/sbin:/usr/local/bin");
		if (term != NULL)
			strv_setenv(&x->env, "TERM", term);
		x->dir = x->u.home;
		x->envp = x->env.v;
	} else if (environ != NULL && environ[0] != NULL)
		x->envp = environ;	/* passed on as it is */
	else {
		strv_setenv(&x->env, "PATH", "/bin:/usr/bin");
		x->envp = x->env.v;
	}
}

static void
exec_plan_free(struct exec_plan *x)
{
	strv_free(&x->env);
}

/* Write a, b, c to stderr: no stdio, no allocation (a vfork child). */
static void
say3(const char *a, const char *b, const char *c)
{
	struct iovec iov[3];
	const char *p[3] = { a, b, c };
	int i;

	for (i = 0; i < 3; i++) {
		iov[i].iov_base = (void *)p[i];
		iov[i].iov_len = strlen(p[i]);
	}
	(void)!writev(2, iov, 3);
}

static const char *
errstr(int e)
{
	const char *s = strerrordesc_np(e);

	return (s != NULL ? s : "unknown error");
}

/*
 * Carry out a plan: system calls only, safe in a child that shares its
 * parent's memory.  The bounding set is dropped cap by cap (there is no
 * call for all at once); a drop past the last cap the kernel knows
 * fails with EINVAL and ends the loop.
 */
static void __attribute__((noreturn, no_sanitize_address))
exec_plan_run(const struct exec_plan *x)
{
	int cap, e;

	if (x->err[0] != '\0') {
		say3(x->err, "", "");
		_exit(1);
	}
	if (chdir(x->dir) == -1)
		(void)!chdir("/");
	for (cap = 0; cap <= 63; cap++)
		if (!(x->keep & (1ULL << cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno == EINVAL)
			break;
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* While still root: installing a filter takes CAP_SYS_ADMIN. */
	if (x->confine && jail_os_confine() == -1) {
		e = errno;
		say3("jexec: seccomp filter (children.max=0): ", errstr(e),
		    "\n");
		_exit(1);
	}
	/* Raw calls: one thread, and no libc bookkeeping in a vfork child. */
	if (x->setids && (syscall(SYS_setgroups, x->u.ngroups,
	    x->u.groups) == -1 || syscall(SYS_setgid, x->u.gid) == -1 ||
	    syscall(SYS_setuid, x->u.uid) == -1)) {
		e = errno;
		say3("jexec: cannot become ", x->u.name, ": ");
		say3(errstr(e), "\n", "");
		_exit(1);
	}
	/*
	 * execvpe(3) looks PATH up in environ: the command's own.  A vfork
	 * parent puts its environ back when we have exec'd.
	 */
	environ = x->envp;
	execvpe(x->argv[0], x->argv, x->envp);
	e = errno;
	say3("jexec: execvp: ", x->argv[0], ": ");
	say3(errstr(e), "\n", "");
	_exit(1);
}

static void __attribute__((noreturn))
child_exec(const struct jail_state *st, const struct jail_run_opts *o,
    const struct jail_user *hostuser, char *const argv[])
{
	struct exec_plan x;

	exec_plan_init(&x, &st->info.params, st->netns, o, hostuser, argv);
	x.confine = 1;		/* not a child of init: its own filter */
	exec_plan_run(&x);
}

/*
 * While the creator runs exec.start and command, it hands them to init
 * over the control socket ('r', options, argv, and its stdio as
 * SCM_RIGHTS): init forks them as its own children, already inside
 * every namespace and the cgroup, and answers with the wait status.
 * That saves the fork, six setns and the clone a jexec needs.
 */
#define RUN_MAX		(256 * 1024)

struct run_hdr {
	char		 type;		/* 'r' */
	int		 clean;
	int		 last;		/* then release, as 'g' */
	int		 fg;		/* the caller has the terminal */
	uint32_t	 len;		/* user NUL argv... NUL */
};

static int	run_send(int, const struct jail_run_opts *, char *const []);

/* Does our process group have the terminal on stdin? */
static int
foreground(void)
{
	pid_t pg;

	return (isatty(0) && (pg = tcgetpgrp(0)) != -1 && pg == getpgrp());
}

/* Put a jail's command in its own group, with the terminal if fg. */
static void
take_terminal(int fd, int fg)
{
	signal(SIGTTOU, SIG_IGN);
	setpgid(0, 0);
	if (fg)
		(void)tcsetpgrp(fd, getpid());
	signal(SIGTTOU, SIG_DFL);
}

static void
give_back_terminal(int fg)
{
	void (*o)(int);

	if (!fg)
		return;
	o = signal(SIGTTOU, SIG_IGN);
	(void)tcsetpgrp(0, getpgrp());
	signal(SIGTTOU, o);
}

static int
read_full(int fd, void *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = read(fd, (char *)p + got, n - got)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return (-1);
		}
		got += r;
	}
	return (0);
}

struct cmd_child {
	struct exec_plan x;
	int		 fds[3];	/* the caller's stdio */
	int		 fg;
};

/*
 * The vfork child's stack: init starts one command at a time.  It holds
 * execvpe's path buffer (PATH_MAX) and, for a script without "#!", its
 * copy of argv: a longer argv gets a stack mapped for it.
 */
static char cmd_stack[64 * 1024] __attribute__((aligned(16)));
#define CMD_STACK_SLACK	(32 * 1024)

/*
 * A command in init's vfork child: system calls, then exec.  Not
 * instrumented by ASan, which takes cmd_stack for a corrupt stack (and
 * says so on the command's stderr) before a noreturn call.
 */
static int __attribute__((no_sanitize_address))
cmd_child(void *arg)
{
	struct cmd_child *c = arg;
	sigset_t none;
	int i;

	/*
	 * Its own process group, in the foreground of the caller's
	 * terminal (if it has one): a shell in the jail does job control
	 * on a group it can see.
	 */
	take_terminal(c->fds[0], c->fg);
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			signal(i, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (i = 0; i < 3; i++)
		dup2(c->fds[i], i);
	exec_plan_run(&c->x);
}

/* In init: one 'r' request; returns the child's pid or -1. */
static pid_t
init_run(const struct jail_spec *sp, int ctl, int *last)
{
	struct run_hdr h;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	union {
		char	buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct jail_run_opts o;
	struct cmd_child c;
	struct strv argv = STRV_INIT;
	char *payload, *q, *end, **env, *stack;
	int fds[3] = { -1, -1, -1 }, i, fg;
	size_t ssize;
	sigset_t all, old;
	pid_t pid;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (char *)&h + 1;
	iov.iov_len = sizeof(h) - 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	if (recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL) !=
	    (ssize_t)(sizeof(h) - 1) || h.len == 0 || h.len > RUN_MAX)
		return (-1);
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(3 * sizeof(int)))
			memcpy(fds, CMSG_DATA(cm), sizeof(fds));
	payload = xmalloc(h.len + 1);
	if (read_full(ctl, payload, h.len) == -1 || fds[2] < 0) {
		free(payload);
		for (i = 0; i < 3; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return (-1);
	}
	payload[h.len] = '\0';
	end = payload + h.len;
	*last = h.last;
	fg = h.fg;
	memset(&o, 0, sizeof(o));
	o.clean = h.clean;
	o.outfd = -1;
	o.user = *payload ? payload : NULL;
	for (q = payload + strlen(payload) + 1; q < end; q += strlen(q) + 1)
		strv_push(&argv, q);
	if (argv.n == 0) {
		free(payload);
		for (i = 0; i < 3; i++)
			close(fds[i]);
		return (-1);
	}
	exec_plan_init(&c.x, sp->params, sp->netns, &o, NULL, argv.v);
	memcpy(c.fds, fds, sizeof(fds));
	c.fg = fg;
	/*
	 * The child borrows our memory until it has exec'd (CLONE_VM |
	 * CLONE_VFORK): no page tables of this big binary to copy, no
	 * copy-on-write faults after.  Every signal stays blocked until it
	 * has reset them, so that no handler of ours runs on its stack.
	 */
	stack = cmd_stack;
	ssize = sizeof(cmd_stack);
	if (CMD_STACK_SLACK + (argv.n + 2) * sizeof(char *) > ssize) {
		ssize = (CMD_STACK_SLACK + (argv.n + 2) * sizeof(char *) +
		    4095) & ~(size_t)4095;
		if ((stack = mmap(NULL, ssize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) ==
		    MAP_FAILED)
			stack = NULL;
	}
	pid = -1;
	if (stack != NULL) {
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, &old);
		env = environ;
		pid = clone(cmd_child, stack + ssize,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, &c);
		environ = env;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (stack != cmd_stack)
			munmap(stack, ssize);
	}
	exec_plan_free(&c.x);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	free(payload);
	strv_free(&argv);
	return (pid);
}

/* Reap what ended; 1 when no process but init is left in the jail. */
static int
alone(int cgfd, pid_t cmd, int ctl, int *status)
{
	pid_t w;
	int st;

	while ((w = waitpid(-1, &st, WNOHANG)) > 0)
		if (w == cmd && status != NULL)
			*status = st;
	(void)ctl;
	return (w == -1 && errno == ECHILD && !others_in_cgroup(cgfd));
}

static void __attribute__((noreturn))
init_main(const struct jail_spec *sp, int ready, int ctl, int cgfd)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	sigset_t set;
	pid_t w, cmd = 0;
	int sfd, go = 0, persist, term = 0, status, timeout, last = 0;
	char c, msg[sizeof(int) + 1];

	prctl(PR_SET_NAME, "jail-init");
	persist = jail_params_bool(sp->params, "persist", 0);
	if (setup(sp) == -1 || (jail_os_confine() == -1 &&
	    error_sys("seccomp filter (children.max=0)") == -1) ||
	    init_drop_caps(sp) == -1) {
		const char *m = error_msg();

		(void)!write(ready, m, strlen(m));
		_exit(1);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	/*
	 * A command jail's init shares the terminal's process group: ^C and
	 * hangups are for the command, not a reason to end the jail (only
	 * SIGTERM from jail -r is).
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	/* With a queued command its status says "ready"; spare a wakeup. */
	if (sp->fastargv == NULL)
		(void)!write(ready, "OK", 2);
	close(ready);
	for (;;) {
		/* Reap whatever ended; see whether we are alone. */
		while ((w = waitpid(-1, &status, WNOHANG)) > 0)
			if (w == cmd && ctl >= 0) {
				/* The creator waits for this one. */
				memcpy(msg, &status, sizeof(status));
				cmd = 0;
				if (!last) {
					(void)!write(ctl, msg, sizeof(status));
				} else {
					/*
					 * and for the release after it, which
					 * goes along: one wakeup, not two.
					 */
					go = 1;
					c = !persist && alone(cgfd, 0, ctl,
					    NULL) ? 'x' : 's';
					msg[sizeof(status)] = c;
					(void)!write(ctl, msg, sizeof(msg));
					close(ctl);
					ctl = -1;
					w = 0;
					if (c == 'x')
						_exit(0);
					break;
				}
			}
		timeout = -1;
		if (w == -1 && errno == ECHILD) {
			if (term)
				_exit(0);
			if (go && !persist) {
				if (!others_in_cgroup(cgfd))
					_exit(0);
				timeout = 200;	/* jexec'd ones left */
			}
		}
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = ctl;
		pfd[1].events = POLLIN;
		if (poll(pfd, ctl >= 0 ? 2 : 1, timeout) == -1 &&
		    errno != EINTR)
			_exit(1);
		if (ctl >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			if (read(ctl, &c, 1) == 1 && c == 'r' && cmd == 0) {
				if ((cmd = init_run(sp, ctl, &last)) <= 0) {
					status = -1;
					cmd = 0;
					(void)!write(ctl, &status,
					    sizeof(status));
				}
				continue;
			}
			go = 1;
			if (c == 'g') {
				/* Say whether we are about to end. */
				c = !persist && alone(cgfd, 0, ctl, NULL) ?
				    'x' : 's';
				(void)!write(ctl, &c, 1);
			}
			close(ctl);
			ctl = -1;
		}
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			switch (si.ssi_signo) {
			case SIGTERM:
				term = 1;
				kill(-1, SIGTERM);
				break;
			case SIGUSR1:
				persist = 0;
				go = 1;
				break;
			case SIGUSR2:
				persist = 1;
				break;
			}
		}
	}
}

/*
 * The supervisor of a jail that outlives its creator: a daemon that
 * waits for init to end and cleans up on the host after it.  pid > 0:
 * init is our child (a persistent jail: we started it, we reap it);
 * otherwise pidfd watches an init that its creator started.
 */
static void __attribute__((noreturn))
super_main(const char *rundir, struct jail_state *st, pid_t pid, int pidfd)
{
	struct pollfd pfd;
	int fd;

	setsid();
	prctl(PR_SET_NAME, "jail-super");
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	if (pid > 0) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	} else {
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
			;
	}
	jail_os_cleanup(rundir, st);
	_exit(0);
}

/* Close every descriptor above 2 but these (-1 for none). */
static void
keep_fds(int a, int b, int c)
{
	int k[3] = { a, b, c }, i, j, t, lo = 3;

	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (k[j] < k[i]) {
				t = k[i];
				k[i] = k[j];
				k[j] = t;
			}
	for (i = 0; i < 3; i++) {
		if (k[i] < lo)
			continue;
		if (k[i] > lo)
			syscall(SYS_close_range, lo, k[i] - 1, 0);
		lo = k[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

/* clone3 init into its namespaces and cgroup; the parent gets the pid. */
static pid_t
clone_init(struct jail_spec *sp, int ready, int ctl, int cgfd, int nullfd)
{
	struct clone_args ca;
	pid_t pid;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS |
	    CLONE_NEWIPC | CLONE_NEWCGROUP | (sp->netns ? CLONE_NEWNET : 0);
	ca.exit_signal = SIGCHLD;
	if (cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = cgfd;
	}
	if ((pid = syscall(SYS_clone3, &ca, sizeof(ca))) == -1)
		return (error_sys("clone"));
	if (pid == 0) {
		/* init holds nothing of the creator's: no lock, no output */
		dup2(nullfd, 0);
		dup2(nullfd, 1);
		dup2(nullfd, 2);
		keep_fds(ready, ctl, cgfd);
		init_main(sp, ready, ctl, cgfd);
	}
	return (pid);
}

int
jail_os_start(struct jail_spec *sp)
{
	struct jail_state *st = sp->st;
	const char *cgr;
	char buf[ERROR_MAX];
	int readyp[2], ctlp[2], infop[2] = { -1, -1 }, cgfd = -1, nullfd;
	int persist;
	pid_t pid = -1, super = 0;
	ssize_t n;
	size_t got;

	st->ctlfd = -1;
	st->reply = 0;
	st->readyfd = -1;
	st->super = 0;
	persist = jail_params_bool(sp->params, "persist", 0);
	if ((cgr = cgroup_root()) != NULL) {
		char *base = xasprintf("%s/stasis", cgr);

		if (mkdir(base, 0755) == -1 && errno != EEXIST) {
			free(base);
			return (error_sys("mkdir %s/stasis", cgr));
		}
		if (strcmp(sp->rundir, JAIL_DEFAULT_RUNDIR) == 0)
			st->cgroup = xasprintf("%s/%s", base, sp->name);
		else {
			/* Jails of another run dir may share the name. */
			unsigned h = 2166136261u;
			const char *c;

			for (c = sp->rundir; *c; c++)
				h = (h ^ (unsigned char)*c) * 16777619u;
			st->cgroup = xasprintf("%s/%s@%08x", base, sp->name,
			    h);
		}
		free(base);
		rm_cgroup(st->cgroup);	/* a stale one from a crash */
		if (mkdir(st->cgroup, 0755) == -1 || (cgfd = open(st->cgroup,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
			error_sys("mkdir %s", st->cgroup);
			rm_cgroup(st->cgroup);
			free(st->cgroup);
			st->cgroup = NULL;
			return (-1);
		}
	}
	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		error_sys("/dev/null");
		goto fail0;
	}
	if (pipe2(readyp, O_CLOEXEC) == -1) {
		error_sys("pipe");
		close(nullfd);
		goto fail0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctlp) == -1 ||
	    (persist && pipe2(infop, O_CLOEXEC) == -1)) {
		error_sys("socketpair");
		close(nullfd);
		close(readyp[0]);
		close(readyp[1]);
		goto fail0;
	}
	fflush(stdout);
	fflush(stderr);
	if (persist) {
		/*
		 * A persistent jail outlives us: its supervisor starts init
		 * so that init's parent, the one that reaps it, stays.
		 */
		if ((super = fork()) == 0) {
			if (sp->lockfd >= 0)
				close(sp->lockfd);
			close(readyp[0]);
			close(ctlp[0]);
			close(infop[0]);
			pid = clone_init(sp, readyp[1], ctlp[1], cgfd, nullfd);
			(void)!write(infop[1], &pid, sizeof(pid));
			if (pid == -1)
				_exit(1);
			close(infop[1]);
			close(readyp[1]);
			close(ctlp[1]);
			if (cgfd >= 0)
				close(cgfd);
			super_main(sp->rundir, st, pid, -1);
		}
		if (super > 0) {
			close(infop[1]);
			if (read(infop[0], &pid, sizeof(pid)) != sizeof(pid))
				pid = -1;
		} else
			close(infop[1]);
		close(infop[0]);
	} else
		pid = clone_init(sp, readyp[1], ctlp[1], cgfd, nullfd);
	close(nullfd);
	close(readyp[1]);
	close(ctlp[1]);
	if (cgfd >= 0)
		close(cgfd);
	cgfd = -1;
	/* Queued now, run by init as soon as it is ready: no round trip. */
	if (pid > 0 && sp->fastargv != NULL &&
	    run_send(ctlp[0], sp->fastopts, sp->fastargv) == -1)
		error_clear();	/* init died: the ready pipe says why */
	if (pid > 0 && sp->fastargv != NULL) {
		/*
		 * Not waiting for init: the command's status (or the error
		 * on readyfd) comes in jail_os_run_result, and the state is
		 * written meanwhile.
		 */
		st->info.pid = pid;
		st->super = super;
		st->starttime = jail_proc_starttime(pid);
		st->ctlfd = ctlp[0];
		st->readyfd = readyp[0];
		return (0);
	}
	/* "OK" or the error; EOF without either means init died. */
	got = 0;
	while (pid > 0 && got < sizeof(buf) - 1 && (n = read(readyp[0],
	    buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(readyp[0]);
	st->info.pid = pid;
	st->super = super;
	if (pid <= 0 || strcmp(buf, "OK") != 0) {
		if (pid > 0 || got > 0)
			error_set("%s", got ? buf : "the jail's init died");
		else if (super == -1)
			error_sys("fork");
		else
			error_set("could not start the jail's init");
		close(ctlp[0]);
		if (pid > 0)
			kill(pid, SIGKILL);
		if (super > 0)
			(void)waitpid(super, NULL, 0);
		else if (pid > 0)
			(void)waitpid(pid, NULL, 0);
		st->info.pid = 0;
		st->super = 0;
		rm_cgroup(st->cgroup);
		return (-1);
	}
	st->starttime = jail_proc_starttime(pid);
	st->ctlfd = ctlp[0];
	return (0);
fail0:
	if (cgfd >= 0)
		close(cgfd);
	rm_cgroup(st->cgroup);
	return (-1);
}

int
jail_os_wait_super(struct jail_state *st)
{
	if (st->super <= 0)
		return (0);
	(void)waitpid(st->super, NULL, WNOHANG);
	if (!wait_gone(st->super, 10000))
		return (error_set("jail %s: supervisor %d did not finish",
		    st->info.name, (int)st->super));
	(void)waitpid(st->super, NULL, WNOHANG);
	return (0);
}

int
jail_os_release(const char *rundir, struct jail_state *st)
{
	char c = 'g';
	int ended = 0, pidfd;
	pid_t s;

	if (st->readyfd >= 0) {
		close(st->readyfd);
		st->readyfd = -1;
	}
	if (st->ctlfd < 0)
		return (0);
	if (st->reply != 0)
		ended = st->reply == 'x';	/* sent with the command */
	else if (write(st->ctlfd, &c, 1) == 1 && read(st->ctlfd, &c, 1) == 1
	    && c == 'x')
		ended = 1;
	close(st->ctlfd);
	st->ctlfd = -1;
	if (ended && st->super > 0) {
		wait_gone(st->info.pid, -1);
		jail_os_wait_super(st);
		return (1);
	}
	if (ended) {
		/* Over already: init is our child, clean up here. */
		while (waitpid(st->info.pid, NULL, 0) == -1 && errno == EINTR)
			;
		jail_os_cleanup(rundir, st);
		return (1);
	}
	if (st->super > 0)
		return (0);
	/* It lives on: a supervisor cleans up when it ends. */
	if ((pidfd = pidfd_open(st->info.pid)) == -1)
		return (error_sys("pidfd_open %d", (int)st->info.pid));
	fflush(stdout);
	fflush(stderr);
	if ((s = fork()) == -1) {
		close(pidfd);
		return (error_sys("fork"));
	}
	if (s == 0)
		super_main(rundir, st, 0, pidfd);
	close(pidfd);
	st->super = s;
	return (0);
}

int
jail_os_stop(const char *rundir, struct jail_state *st, int timeout)
{
	char *kf;
	int fd;

	if (st->readyfd >= 0) {
		close(st->readyfd);
		st->readyfd = -1;
	}
	if (timeout > 0 && kill(st->info.pid, SIGTERM) == 0)
		wait_gone(st->info.pid, timeout * 1000);
	kill(st->info.pid, SIGKILL);
	/* Belt and braces: anything that joined the cgroup goes too. */
	if (st->cgroup != NULL) {
		kf = xasprintf("%s/cgroup.kill", st->cgroup);
		if ((fd = open(kf, O_WRONLY | O_CLOEXEC)) != -1) {
			(void)!write(fd, "1", 1);
			close(fd);
		}
		free(kf);
	}
	wait_gone(st->info.pid, -1);
	(void)waitpid(st->info.pid, NULL, WNOHANG);	/* if ours */
	if (jail_os_wait_super(st) == -1)
		error_clear();
	/* A supervisor that was killed cleans nothing: do it here. */
	jail_os_cleanup(rundir, st);
	return (0);
}

static const char *nsnames[] = { "ipc", "uts", "net", "cgroup", "pid",
	"mnt", NULL };

/* Join the jail from a child process: cgroup, then each namespace. */
static int
enter(const struct jail_state *st, const char *only)
{
	int fds[8], i, rc = 0;
	char p[64];

	for (i = 0; nsnames[i] != NULL; i++) {
		fds[i] = -1;
		if (only != NULL && strcmp(only, nsnames[i]) != 0)
			continue;
		snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)st->info.pid,
		    nsnames[i]);
		if ((fds[i] = open(p, O_RDONLY | O_CLOEXEC)) == -1)
			rc = error_sys("open %s", p);
	}

	for (i = 0; nsnames[i] != NULL; i++) {
		if (fds[i] < 0)
			continue;
		if (rc == 0 && setns(fds[i], 0) == -1)
			rc = error_sys("setns %s", nsnames[i]);
		close(fds[i]);
	}
	return (rc);
}

/* exec.start and command through init (see init_run). */
static int
run_send(int ctlfd, const struct jail_run_opts *o, char *const argv[])
{
	struct run_hdr h;
	struct buf b = BUF_INIT;
	struct msghdr mh;
	struct iovec iov[2];
	struct cmsghdr *cm;
	union {
		char	buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	int fds[3] = { 0, 1, 2 }, i;

	buf_addstr(&b, o->user != NULL ? o->user : "");
	buf_addc(&b, '\0');
	for (i = 0; argv[i] != NULL; i++) {
		buf_addstr(&b, argv[i]);
		buf_addc(&b, '\0');
	}
	if (b.len > RUN_MAX) {
		buf_free(&b);
		return (error_set("command too long"));
	}
	memset(&h, 0, sizeof(h));
	h.type = 'r';
	h.clean = o->clean;
	h.last = o->last;
	h.fg = foreground();
	h.len = b.len;
	/* 'r' alone first: init reads one byte to tell requests apart. */
	if (write(ctlfd, &h.type, 1) != 1) {
		buf_free(&b);
		return (error_sys("control socket"));
	}
	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	iov[0].iov_base = (char *)&h + 1;
	iov[0].iov_len = sizeof(h) - 1;
	iov[1].iov_base = b.data;
	iov[1].iov_len = b.len;
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	fflush(stdout);
	fflush(stderr);
	if (sendmsg(ctlfd, &mh, MSG_NOSIGNAL) !=
	    (ssize_t)(sizeof(h) - 1 + b.len)) {
		buf_free(&b);
		return (error_sys("control socket"));
	}
	buf_free(&b);
	return (0);
}

int
jail_os_run_result(struct jail_state *st, int last)
{
	void (*oint)(int), (*oquit)(int);
	int status, r, fg;
	char c;

	/* The command has the terminal: ^C is its, as system(3) does. */
	oint = signal(SIGINT, SIG_IGN);
	oquit = signal(SIGQUIT, SIG_IGN);
	fg = foreground();
	r = read_full(st->ctlfd, &status, sizeof(status));
	give_back_terminal(fg);	/* from the command's group */
	signal(SIGINT, oint);
	signal(SIGQUIT, oquit);
	if (r == -1) {
		char buf[ERROR_MAX];
		ssize_t n = -1;

		/* Init's setup failed: it said why on the ready pipe. */
		if (st->readyfd >= 0)
			n = read(st->readyfd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			return (error_set("create: %s", buf));
		}
		return (error_set("jail %s: init died", st->info.name));
	}
	if (status == -1)
		return (error_set("jail %s: init could not start the "
		    "command", st->info.name));
	if (last && read(st->ctlfd, &c, 1) == 1)
		st->reply = c;
	return (jail_exit_code(status));
}

static int
run_via_init(struct jail_state *st, const struct jail_run_opts *o,
    char *const argv[])
{
	if (run_send(st->ctlfd, o, argv) == -1)
		return (error_wrap("jail %s", st->info.name));
	return (jail_os_run_result(st, o->last));
}

int
jail_os_run(struct jail_state *st, const struct jail_run_opts *o,
    char *const argv[])
{
	struct jail_user hu;
	struct clone_args ca;
	pid_t c1, c2;
	int status, have_hu = 0, cgfd = -1, fg;

	if (st->ctlfd >= 0 && !o->user_from_host && o->timeout == 0 &&
	    o->outfd < 0)
		return (run_via_init(st, o, argv));
	if (o->user != NULL && o->user_from_host) {
		if (jail_user_lookup("/", o->user, &hu) == -1)
			return (-1);
		have_hu = 1;
	}
	fflush(stdout);
	fflush(stderr);
	fg = foreground();
	if ((c1 = fork()) == -1)
		return (error_sys("fork"));
	if (c1 == 0) {
		if (o->outfd >= 0) {
			dup2(o->outfd, 1);
			dup2(o->outfd, 2);
		}
		/*
		 * Straight into the jail's cgroup at birth: moving a running
		 * process (a write to cgroup.procs) waits for an RCU grace
		 * period, milliseconds on a busy machine.
		 */
		if (st->cgroup != NULL && (cgfd = open(st->cgroup,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
			fprintf(stderr, "jexec: open %s: %s\n", st->cgroup,
			    strerror(errno));
			_exit(126);
		}
		if (enter(st, NULL) == -1) {
			fprintf(stderr, "jexec: %s\n", error_msg());
			_exit(126);
		}
		memset(&ca, 0, sizeof(ca));
		ca.exit_signal = SIGCHLD;
		if (cgfd >= 0) {
			ca.flags = CLONE_INTO_CGROUP;
			ca.cgroup = cgfd;
		}
		if ((c2 = syscall(SYS_clone3, &ca, sizeof(ca))) == -1) {
			fprintf(stderr, "jexec: clone: %s\n", strerror(errno));
			_exit(126);
		}
		if (c2 == 0) {
			take_terminal(0, fg);
			child_exec(st, o, have_hu ? &hu : NULL, argv);
		}
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		if (o->timeout > 0)
			alarm(o->timeout);
		while (waitpid(c2, &status, 0) == -1)
			if (errno != EINTR)
				_exit(126);
		give_back_terminal(fg);
		_exit(jail_exit_code(status));
	}
	while (waitpid(c1, &status, 0) == -1)
		if (errno != EINTR)
			return (error_sys("wait"));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		return (error_set("could not enter jail %s", st->info.name));
	return (jail_exit_code(status));
}

/* Run fn in a child that joined one of the jail's namespaces. */
static int
in_ns(const struct jail_state *st, const char *ns,
    int (*fn)(const void *), const void *arg)
{
	pid_t c;
	int status, p[2];
	char buf[ERROR_MAX];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) == -1)
		return (error_sys("pipe"));
	if ((c = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return (error_sys("fork"));
	}
	if (c == 0) {
		close(p[0]);
		if (enter(st, ns) == -1 || fn(arg) == -1) {
			(void)!write(p[1], error_msg(), strlen(error_msg()));
			_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	waitpid(c, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf[n > 0 ? n : 0] = '\0';
		return (error_set("%s", n > 0 ? buf : "failed"));
	}
	return (0);
}

struct hostargs {
	const char *host, *domain;
};

static int
set_host(const void *a)
{
	const struct hostargs *h = a;

	if (h->host != NULL && sethostname(h->host, strlen(h->host)) == -1)
		return (error_sys("sethostname %s", h->host));
	if (h->domain != NULL && setdomainname(h->domain,
	    strlen(h->domain)) == -1)
		return (error_sys("setdomainname %s", h->domain));
	return (0);
}

int
jail_os_sethostname(const struct jail_state *st, const char *host,
    const char *domain)
{
	struct hostargs h = { host, domain };

	return (in_ns(st, "uts", set_host, &h));
}

struct addrargs {
	int family;
	const struct strv *add, *del;
};

static int
set_addrs(const void *a)
{
	const struct addrargs *x = a;
	unsigned char addr[16];
	int prefix;
	size_t i;

	/* Canonical addresses from the state; always the host prefix. */
	(void)prefix;
	for (i = 0; x->del != NULL && i < x->del->n; i++)
		if (jail_addr_parse(x->del->v[i], x->family, addr, &prefix,
		    NULL, 0) == -1 || jail_net_addr(0, x->family, addr,
		    x->family == AF_INET ? 32 : 128, "lo") == -1)
			return (-1);
	for (i = 0; x->add != NULL && i < x->add->n; i++)
		if (jail_addr_parse(x->add->v[i], x->family, addr, &prefix,
		    NULL, 0) == -1 || jail_net_addr(1, x->family, addr,
		    x->family == AF_INET ? 32 : 128, "lo") == -1)
			return (-1);
	return (0);
}

int
jail_os_setaddrs(const struct jail_state *st, int family,
    const struct strv *add, const struct strv *del)
{
	struct addrargs a = { family, add, del };

	if (!st->netns)
		return (error_set("jail %s has no network namespace of its "
		    "own (it was created without addresses or vnet)",
		    st->info.name));
	return (in_ns(st, "net", set_addrs, &a));
}

int
jail_os_persist(const char *rundir, const struct jail_state *st,
    int persist)
{
	(void)rundir;
	if (kill(st->info.pid, persist ? SIGUSR2 : SIGUSR1) == -1)
		return (error_sys("signal jail %s", st->info.name));
	return (0);
}

int
jail_os_wait_ready(const struct jail_state *st)
{
	struct stat host, jr;
	char p[64];
	int i;

	if (strcmp(st->info.path, "/") == 0 || stat("/", &host) == -1)
		return (0);
	snprintf(p, sizeof(p), "/proc/%d/root", (int)st->info.pid);
	/* Until init's pivot_root its root is still the host's. */
	for (i = 0; i < 400; i++) {
		if (stat(p, &jr) == -1)
			return (error_sys("jail %s", st->info.name));
		if (jr.st_dev != host.st_dev || jr.st_ino != host.st_ino)
			return (0);
		usleep(5000);
	}
	return (error_set("jail %s is not set up (still starting?)",
	    st->info.name));
}

char *
jail_os_rootpath(const struct jail_state *st)
{
	return (xasprintf("/proc/%d/root", (int)st->info.pid));
}

/* Our FUSE tarfs, as a command: the jail tools do not link libfuse. */
int
jail_os_mount_tarball(const char *tar, const char *dir)
{
	char *exe;
	int rc;

	exe = path_self_exe();
	rc = spawn_cmd(NULL, exe, "tarfs", tar, dir, (char *)NULL);
	free(exe);
	return (rc);
}

void
jail_os_unmount(const char *dir)
{
	(void)umount2(dir, MNT_DETACH);
}

int
jail_os_vnet_iface(const struct jail_state *st, const char *ifname)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", (int)st->info.pid);
	return (spawn_cmd(NULL, "ip", "link", "set", "dev", ifname, "netns",
	    pid, (char *)NULL));
}

/* Mount points in init's mount namespace, its own view. */
void
jail_os_mounts(const struct jail_state *st, struct strv *out)
{
	char path[64], line[8192], mp[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)st->info.pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
		    strcmp(mp, "/") != 0)
			strv_push(out, mp);
	fclose(f);
}

/* overlayfs: a whiteout is a 0:0 character device in the upper dir. */
int
jail_os_whiteout(const char *path, const struct stat *st)
{
	(void)path;
	return (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0));
}

int
jail_os_opaque(const char *path)
{
	char opq[4];

	return (lgetxattr(path, "trusted.overlay.opaque", opq, sizeof(opq))
	    > 0 && opq[0] == 'y');
}
