/*
 * Jails: FreeBSD's jail(8), jail.conf(5), jls(8) and jexec(8), built on
 * Linux namespaces (mount, PID, UTS, IPC, network, cgroup).  This header
 * is the feature's whole API; cmd_jail.c, cmd_jls.c and cmd_jexec.c only
 * parse argv and call it, and the node daemon reads jail state through it.
 *
 * A jail's state lives in a directory under the run directory
 * (jail_rundir()/jails/NAME/state.json, written atomically), so jls and
 * jexec in other processes find jails that `jail -c` created.
 */
#ifndef STASIS_JAIL_H
#define STASIS_JAIL_H

#include <sys/types.h>

#include <stddef.h>

#include "base/buf.h"

#define JAIL_NAME_MAX	 64		/* bytes, without the NUL */
#define JAIL_CONF_MAX	 (1 << 20)	/* bytes of jail.conf */
#define JAIL_CONF_DEPTH	 8		/* .include nesting */
#define JAIL_DEFAULT_CONF "/etc/jail.conf"
#define JAIL_DEFAULT_RUNDIR "/var/run/stasis"

/*
 * Parameters, in the order given: a name and its values.  Most parameters
 * have one value; lists (ip4.addr, mount, exec.*) have several, and
 * booleans hold "true" or "false" ("persist", "nopersist").
 */
struct jail_param {
	char		*name;
	struct strv	 vals;
};

struct jail_params {
	struct jail_param *v;
	size_t		 n;
	size_t		 cap;
};

void	 jail_params_free(struct jail_params *);
void	 jail_params_copy(struct jail_params *dst,
	    const struct jail_params *src);
/* Replace (append == 0) or add to (+=) a parameter's values. */
void	 jail_params_set(struct jail_params *, const char *name,
	    const char *value, int append);
/* Drop a parameter; the command line's "name=" does not do this. */
void	 jail_params_unset(struct jail_params *, const char *name);
struct jail_param *jail_params_find(const struct jail_params *,
	    const char *name);
/* The last value of a parameter, or NULL when unset. */
const char *jail_params_get(const struct jail_params *, const char *name);
/* A boolean: 1, 0, or dflt when unset. */
int	 jail_params_bool(const struct jail_params *, const char *name,
	    int dflt);
/*
 * One command-line word: "name=value", "name+=value", "name" (true) or
 * "noname" (false).  List parameters split their value on commas, as
 * jail(8) does.  -1 and error_set on a malformed word.
 */
int	 jail_params_parse_arg(struct jail_params *, const char *word);
/*
 * Check names and values: an unknown parameter, or one Linux cannot
 * honour, is an error naming it.  `create` says whether this is for a
 * new jail (some parameters cannot change on a running one).
 */
int	 jail_params_check(const struct jail_params *, int create);

/*
 * jail.conf(5): blocks per jail, "*" defaults, variables ($name and
 * others), "+=", .include, and #, // and C comments.
 */
struct jail_conf_jail {
	char			*name;
	struct jail_params	 params;
};

struct jail_conf {
	struct jail_conf_jail	*jails;
	size_t			 n;
	struct jail_params	 defaults;	/* "*" and top level */
};

int	 jail_conf_parse(const char *text, size_t len, const char *file,
	    struct jail_conf *);
int	 jail_conf_load(const char *path, struct jail_conf *);
void	 jail_conf_free(struct jail_conf *);
/*
 * The parameters for one jail: the defaults, then its block, then the
 * overrides (command-line words), with variables expanded.  -1 and
 * error_set when the jail is not in the file or a variable is undefined.
 */
int	 jail_conf_resolve(const struct jail_conf *, const char *name,
	    const struct jail_params *overrides, struct jail_params *out);

/* What jls shows of one jail. */
struct jail_info {
	int		 jid;
	char		*name;
	char		*path;
	char		*hostname;
	struct strv	 ip4;
	struct strv	 ip6;
	int		 dying;
	int		 cpusetid;
	pid_t		 pid;		/* init, in host pids */
	struct jail_params params;	/* as created (or last modified) */
};

void	 jail_info_free(struct jail_info *);

/* The state directory: $STASIS_RUNDIR if set, else /var/run/stasis. */
const char *jail_rundir(void);

/* Running jails (dying ones too when `dying`), sorted by jid. */
int	 jail_list(const char *rundir, int dying, struct jail_info **,
	    size_t *);
void	 jail_list_free(struct jail_info *, size_t);
/* One jail by name or jid ("12"); -1 and error_set if not running. */
int	 jail_find(const char *rundir, const char *jail, struct jail_info *);
/* 1 running, 0 not, -1 on error (bad name, unreadable state). */
int	 jail_is_running(const char *rundir, const char *name);
/*
 * The document `jls -v --libxo json` prints: {"__version": "2",
 * "jail-information": {"jail": [{"jid", "hostname", "path", "name",
 * "state", "cpusetid", "ipv4_addrs", "ipv6_addrs"}...]}}, newline-ended.
 */
int	 jail_list_json(const char *rundir, struct buf *out);

#define JAIL_F_VERBOSE	0x01	/* -v: print each hook as it runs */
#define JAIL_F_CLEAN	0x02	/* -l: exec.clean */
#define JAIL_F_IGNORE	0x04	/* -i: print the jid */
#define JAIL_F_NOSTOP	0x08	/* -R: remove without stop commands */

/* Create a jail (runs its exec.* hooks); returns the jid, or -1. */
int	 jail_create(const char *rundir, const struct jail_params *, int);
/* Change what can change on a running jail (hostname, addresses...). */
int	 jail_modify(const char *rundir, const struct jail_params *, int);
/*
 * Remove a jail: exec.prestop, exec.stop inside, kill every process,
 * unmount, delete its namespaces, exec.poststop, exec.release.
 * `params` (from jail.conf) overrides the hooks stored at creation.
 * (Not "jail_remove": that is FreeBSD's jail_remove(2), in its libc.)
 */
int	 jail_destroy(const char *rundir, const char *jail,
	    const struct jail_params *params, int);

struct jail_exec_opts {
	const char	*user;		/* NULL: the caller's */
	int		 user_from_host; /* -u: the host's passwd */
	int		 clean;		/* -l: clean environment */
};

/*
 * Run argv inside every namespace of a jail and return its exit status
 * (0-255, 128+signal), or -1 with error_set if it could not be started.
 */
int	 jail_exec(const char *rundir, const char *jail,
	    const struct jail_exec_opts *, char *const argv[]);

/*
 * What the jail changed relative to its template (stasis.template), in
 * zfs diff's kinds: "M\t/path", "+\t/path", "-\t/path", "R\t/path",
 * one an entry, sorted by path; the path as it is (the command escapes
 * it for text as zfs diff does).
 */
int	 jail_diff(const char *rundir, const char *jail, struct strv *out);

#endif
