/*
 * Internal to src/jail: state files, the pieces of the parameter table
 * the platform code needs, and the interface every platform implements
 * (jail_linux.c over namespaces; jail_freebsd.c over jail(2)).  The
 * Makefile builds one of them, and net_linux.c only on Linux.
 */
#ifndef STASIS_JAIL_IMPL_H
#define STASIS_JAIL_IMPL_H

#include <sys/types.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "jail/jail.h"

/*
 * 1 where jails are the kernel's own (FreeBSD): its allow.*, enforce_statfs,
 * children.max, devfs_ruleset, host and sysv* parameters then pass through
 * as they are, where Linux refuses what it cannot honour.
 */
#ifdef __FreeBSD__
#define JAIL_NATIVE	1
#else
#define JAIL_NATIVE	0
#endif

/* Capability bits (1 << CAP_*) that allow.* parameters keep. */
#define JCAP_NET_ADMIN		(1ULL << 12)
#define JCAP_NET_RAW		(1ULL << 13)
#define JCAP_IPC_LOCK		(1ULL << 14)
#define JCAP_SYS_ADMIN		(1ULL << 21)
#define JCAP_SYS_TIME		(1ULL << 25)
#define JCAP_LINUX_IMMUTABLE	(1ULL << 9)

/* params.c */
int	 jail_bool_value(const char *);
int	 jail_param_is_list(const char *);
int	 jail_param_is_bool(const char *);
int	 jail_param_is_int(const char *);
int	 jail_param_modifiable(const char *);
int	 jail_name_check(const char *);
unsigned long long jail_allow_caps(const struct jail_params *, int *suser);

/* net.c */
int	 jail_addr_check(const char *param, const char *value);
/* "lo0|10.0.0.1/24" -> "10.0.0.1", prefix 24 (32/128 when absent). */
int	 jail_addr_parse(const char *value, int family, void *addr,
	    int *prefix, char *text, size_t textlen);
/* net_linux.c: in the calling process's network namespace. */
int	 jail_net_link_up(const char *ifname);
int	 jail_net_addr(int add, int family, const void *addr, int prefix,
	    const char *ifname);

/* state.c: everything under RUNDIR/jails/NAME/ */
struct jail_state {
	struct jail_info info;
	pid_t		 super;		/* supervisor, or 0 */
	unsigned long long starttime;	/* of info.pid, against reuse */
	int		 netns;		/* own network namespace */
	char		*cgroup;	/* cgroup directory, or NULL */
	char		*upper;		/* overlay upper dir */
	char		*template;	/* stasis.template, or NULL */
	char		*zclone;	/* our ZFS clone */
	struct strv	 host_mounts;	/* ours on the host */
	int		 ctlfd;		/* runtime: line to init */
	int		 reply;		/* runtime: init's 'x'/'s' */
	int		 readyfd;	/* runtime: setup errors */
};

void	 jail_state_free(struct jail_state *);
char	*jail_state_dir(const char *rundir, const char *name);
int	 jail_state_read(const char *rundir, const char *name,
	    struct jail_state *);
int	 jail_state_write(const char *rundir, const struct jail_state *);
/* Remove NAME's state directory (it must hold no mounts). */
int	 jail_state_remove(const char *rundir, const char *name);
/* Is the state's init still the process it recorded? */
int	 jail_state_alive(const struct jail_state *);
/* Find by name or jid; 1 found (alive), 0 not, -1 error. */
int	 jail_state_find(const char *rundir, const char *jail,
	    struct jail_state *);
/* Exclusive lock on the run directory; returns an fd for unlock. */
int	 jail_lock(const char *rundir);
void	 jail_unlock(int);
/* Lowest free jid. */
int	 jail_next_jid(const char *rundir);
int	 jail_jid_used(const char *rundir, int jid);
void	 jail_info_json(struct buf *, const struct jail_info *);

char	*jail_zfs_clone_name(const char *tmpl, const char *name);

/* hooks.c: exec.* commands */
struct jail_cmdopts {
	const struct jail_params *params;
	int		 flags;		/* JAIL_F_* */
	const char	*name;
};
/* Run a hook on the host; 0 ok, -1 (error_set) on failure or non-zero. */
int	 jail_hook_host(const struct jail_cmdopts *, const char *hook);
/* A wait(2) status as an exit code, signals as 128+N. */
int	 jail_exit_code(int status);
/* Split a command string as jail(8) does: argv, or sh -c when needed. */
void	 jail_cmd_argv(const char *cmd, struct strv *argv);

/* mounts.c */
struct jail_mount {
	char	*src;
	char	*dst;
	char	*type;
	char	*opts;
};
int	 jail_mount_parse(const char *line, struct jail_mount *);
void	 jail_mount_free(struct jail_mount *);
/* mount and mount.fstab entries, in order (fstab files read). */
int	 jail_mounts_collect(const struct jail_params *,
	    struct jail_mount **, size_t *);
void	 jail_mounts_free(struct jail_mount *, size_t);
/* A missing mount point: a file for a file bound on it, else a dir. */
int	 jail_mkmountpoint(const char *dst, const char *src);
/*
 * The mount points a create is about to make, so that a create that
 * fails takes them away again: for each mount (host paths, dst already
 * moved into the root's source) the topmost missing component, noted
 * before; after, what is empty under it is removed.
 */
void	 jail_mkmountpoint_note(const char *dst, struct strv *made);
void	 jail_mkmountpoint_undo(const struct strv *made);
/*
 * A mount's options as fstab(5) writes them ("ro,nosuid,size=10m"),
 * split for the kernel: the words in tab are flags (a 0 flag: known, and
 * nothing to set), mount(8)'s own words (rw, defaults, late) are
 * dropped, and the rest, in order, go to *rest for the filesystem.  Each
 * backend has its table: the flag values, and which flags exist, are its
 * kernel's.
 */
struct jail_mount_flag {
	const char	*word;
	unsigned long	 flag;
};
unsigned long	 jail_mount_opts(const char *opts,
		    const struct jail_mount_flag *tab, struct strv *rest);

/*
 * The platform.  On Linux a jail is an init process (pid 1 of its
 * namespaces) under a supervisor that cleans up when it exits; on
 * FreeBSD it is the kernel's jail (the jid is the kernel's), with the
 * mounts made on the host under its path and a supervisor that cleans
 * them up once the kernel has removed the jail.
 */
struct jail_spec {
	const char	*rundir;
	const char	*name;
	int		 jid;
	const char	*path;		/* root, on the host */
	const struct jail_params *params;
	int		 flags;
	int		 netns;
	struct jail_state *st;		/* filled in: pid, cgroup */
	int		 lockfd;	/* closed in the supervisor */
	const char	*rootsrc;	/* what to bind at path, or NULL */
	const char	*upper;		/* overlay upper+work parent */
	int		 readonly;
	/* The one command to run, sent to init before it is even ready. */
	char *const	*fastargv;
	const struct jail_run_opts *fastopts;
};

/* The supervisor's cleanup, also run by a remover that outlived it. */
void	 jail_os_cleanup(const char *rundir, struct jail_state *);

/* Create the namespaces, mounts and init; fills spec->st. */
int	 jail_os_start(struct jail_spec *);
/* Let a non-persistent jail end when empty; 1 if it ended. */
int	 jail_os_release(const char *rundir, struct jail_state *);
/* Run argv in the jail (fork, setns, exec); returns the exit status. */
struct jail_run_opts {
	const char	*user;
	int		 user_from_host;
	int		 clean;
	int		 timeout;	/* seconds, 0 none */
	int		 outfd;		/* -1: inherit */
	int		 last;		/* then release the jail */
};
int	 jail_os_run(struct jail_state *, const struct jail_run_opts *,
	    char *const argv[]);
/* The status of a command sent with fastargv (and init's release). */
int	 jail_os_run_result(struct jail_state *, int last);
/* Kill everything (SIGTERM, then SIGKILL after timeout) and wait for
 * the supervisor's cleanup. */
int	 jail_os_stop(const char *rundir, struct jail_state *, int timeout);
int	 jail_os_wait_super(struct jail_state *);
int	 jail_os_sethostname(const struct jail_state *, const char *host,
	    const char *domain);
int	 jail_os_setaddrs(const struct jail_state *, int family,
	    const struct strv *add, const struct strv *del);
int	 jail_os_persist(const char *rundir, const struct jail_state *,
	    int persist);
/* The path of / inside the jail, seen from the host. */
char	*jail_os_rootpath(const struct jail_state *);
/* Wait (briefly) until init has set the jail up; -1 if it does not. */
int	 jail_os_wait_ready(const struct jail_state *);
/* Is the jail a state file describes still there (not a reused id)? */
int	 jail_os_alive(const struct jail_state *);
/* The start time of a process, against pid reuse (0 if unknown). */
unsigned long long jail_proc_starttime(pid_t);
/* Mount a tarball read-only at dir (FUSE tarfs, or the kernel's). */
int	 jail_os_mount_tarball(const char *tar, const char *dir);
/* Undo one of our host mounts; quiet when it is not mounted. */
void	 jail_os_unmount(const char *dir);
/*
 * The seccomp filter every process of a jail runs under
 * (confine_linux.c): children.max=0 where the kernel has no jails of
 * jails (no namespaces made or joined), and no open_by_handle_at(2).
 * -1 and errno if it cannot be installed.
 */
int	 jail_os_confine(void);
/* vnet.interface: move a host interface into the jail's stack. */
int	 jail_os_vnet_iface(const struct jail_state *, const char *ifname);
/* The jail's mount points as the jail sees them ("/tmp"), "/" excluded. */
void	 jail_os_mounts(const struct jail_state *, struct strv *);
/* For jail diff of an overlay root: is an upper entry a whiteout, an
 * upper directory opaque (it hides the template's)? */
int	 jail_os_whiteout(const char *path, const struct stat *);
int	 jail_os_opaque(const char *path);

/* user.c: passwd lookups without NSS (static binary, jail roots) */
struct jail_user {
	uid_t	 uid;
	gid_t	 gid;
	char	 home[256];
	char	 shell[256];
	char	 name[64];
	gid_t	 groups[64];
	int	 ngroups;
};
/*
 * root's etc/passwd and etc/group (regular files of at most 1 MiB, or
 * an error saying why not; no group file is no supplementary groups).
 */
int	 jail_user_lookup(const char *root, const char *name,
	    struct jail_user *);
/*
 * The same from memory: the user name (or a number: a uid) in passwd,
 * its groups in group (NULL: none).  A name, home or shell too long for
 * struct jail_user is an error, not a truncation.
 */
int	 jail_user_parse(const char *passwd, size_t passwdlen,
	    const char *group, size_t grouplen, const char *name,
	    struct jail_user *);

#endif
