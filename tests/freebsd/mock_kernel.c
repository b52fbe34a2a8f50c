/*
 * A mock FreeBSD kernel for jail_freebsd.c, so that the backend's calls
 * can be run and looked at on Linux: jail_set(2), jail_get(2),
 * jail_attach(2), jail_remove(2), nmount(2) and unmount(2) print what
 * they were given, one call a line, and answer as a kernel would for
 * one jail.  Compiled like jail_freebsd.c, against tests/freebsd/include
 * (FreeBSD's declarations); mock_host.c is the glibc side.
 *
 * What this shows is the name/value pairs and the order of calls the
 * backend makes; it says nothing about what a real kernel does with
 * them.
 *
 * usage: mock_kernel RUNDIR release|stop|modify|command|check PARAM...
 * (check: jail_params_check as FreeBSD builds params.c, nothing else)
 * (modify: host.hostname=h2, 10.1.2.5 added and the first ip4.addr
 * dropped, then release)
 */
#include <sys/param.h>
#include <sys/jail.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

int	host_lstat_mode(const char *, unsigned *);

static int	jail_exists;	/* the one jail, jid 7 */
static int	busy;		/* jail_gets it outlives nopersist by */
static char	jail_name[MAXHOSTNAMELEN];

/* The parameters that take an int (kern_jail.c's vfs_copyopt calls). */
static int
is_int(const char *name)
{
	static const char *ints[] = { "jid", "enforce_statfs",
	    "children.max", "devfs_ruleset", "securelevel", "vnet", "host",
	    "ip4", "ip6", "sysvmsg", "sysvsem", "sysvshm", NULL };
	int i;

	for (i = 0; ints[i] != NULL; i++)
		if (strcmp(name, ints[i]) == 0)
			return (1);
	return (0);
}

/* An iovec pair list as "name=value name flag ...": strings as they
 * are, ints as #N, address arrays as their addresses. */
static void
show(const char *call, struct iovec *iov, unsigned n, int flags)
{
	char a[INET6_ADDRSTRLEN];
	unsigned i;
	size_t k;

	printf("%s", call);
	if (flags >= 0)
		printf(" flags=%#x", flags);
	for (i = 0; i + 1 < n; i += 2) {
		const char *name = iov[i].iov_base;
		const unsigned char *v = iov[i + 1].iov_base;
		size_t len = iov[i + 1].iov_len;

		if (strcmp(name, "errmsg") == 0) {
			printf(" errmsg[%zu]", len);
			continue;
		}
		if (v == NULL || len == 0) {
			printf(" %s", name);
			continue;
		}
		if (strcmp(name, "ip4.addr") == 0 || strcmp(name, "ip6.addr")
		    == 0) {
			int fam = name[2] == '4' ? AF_INET : AF_INET6;
			size_t sz = fam == AF_INET ? 4 : 16;

			printf(" %s=", name);
			for (k = 0; k < len / sz; k++) {
				inet_ntop(fam, v + k * sz, a, sizeof(a));
				printf("%s%s", k ? "," : "", a);
			}
			continue;
		}
		if (len == sizeof(int) && is_int(name)) {
			int x;

			memcpy(&x, v, sizeof(x));
			printf(" %s=#%d", name, x);
			continue;
		}
		if (strcmp(name, "name") == 0 && len == sizeof(jail_name) &&
		    v[0] == '\0') {
			printf(" name=<out>");
			continue;
		}
		printf(" %s=%.*s", name, (int)len - 1, (const char *)v);
	}
	printf("\n");
}

/* The pair named name, or NULL; a flag has a pair too (value NULL). */
static struct iovec *
find(struct iovec *iov, unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i + 1 < n; i += 2)
		if (strcmp(iov[i].iov_base, name) == 0)
			return (&iov[i + 1]);
	return (NULL);
}

int
jail_set(struct iovec *iov, unsigned int n, int flags)
{
	struct iovec *v;

	show("jail_set", iov, n, flags);
	if ((flags & JAIL_CREATE) && getenv("MOCK_FAIL") != NULL) {
		/* As the kernel says it, through the errmsg parameter. */
		if ((v = find(iov, n, "errmsg")) != NULL)
			snprintf(v->iov_base, v->iov_len, "%s",
			    getenv("MOCK_FAIL"));
		errno = EINVAL;
		return (-1);
	}
	if (flags & JAIL_CREATE) {
		jail_exists = 1;
		if ((v = find(iov, n, "name")) != NULL)
			snprintf(jail_name, sizeof(jail_name), "%s",
			    (char *)v->iov_base);
		return (7);
	}
	if (!jail_exists) {
		errno = ENOENT;
		return (-1);
	}
	/* Without persist it is gone, unless MOCK_BUSY says it has
	 * processes for that many more jail_get calls. */
	if (find(iov, n, "nopersist") != NULL) {
		busy = getenv("MOCK_BUSY") ? atoi(getenv("MOCK_BUSY")) : 0;
		jail_exists = busy > 0;
	}
	return (7);
}

int
jail_get(struct iovec *iov, unsigned int n, int flags)
{
	struct iovec *v;

	show("jail_get", iov, n, flags);
	if (busy > 0 && --busy == 0)
		jail_exists = 0;
	if (!jail_exists) {
		errno = ENOENT;
		return (-1);
	}
	if ((v = find(iov, n, "name")) != NULL)
		snprintf(v->iov_base, v->iov_len, "%s", jail_name);
	return (7);
}

/* Refused, unless MOCK_ATTACH is set: then the caller goes on, on the
 * host, as if it were in the jail (to see what it runs, and how). */
int
jail_attach(int jid)
{
	char cwd[1024];

	if (getenv("MOCK_ATTACH") == NULL) {
		printf("jail_attach %d\n", jid);
		errno = EPERM;
		return (-1);
	}
	printf("jail_attach %d from %s\n", jid, getcwd(cwd, sizeof(cwd)) ?
	    cwd : "?");
	fflush(stdout);
	return (0);
}

int
jail_remove(int jid)
{
	printf("jail_remove %d\n", jid);
	jail_exists = 0;
	return (0);
}

int
nmount(struct iovec *iov, unsigned int n, int flags)
{
	show("nmount", iov, n, flags);
	return (0);
}

int
unmount(const char *dir, int flags)
{
	printf("unmount %s flags=%#x\n", dir, flags);
	return (0);
}

/* FreeBSD's libc has it, glibc not. */
void
setproctitle(const char *fmt, ...)
{
	(void)fmt;
}

/* stat(2) and lstat(2) in FreeBSD's layout: the type and mode only. */
int
fbsd_lstat(const char *p, struct stat *sb)
{
	unsigned mode;

	if (host_lstat_mode(p, &mode) == -1)
		return (-1);
	memset(sb, 0, sizeof(*sb));
	sb->st_mode = (mode_t)mode;
	return (0);
}

int
fbsd_stat(const char *p, struct stat *sb)
{
	return (fbsd_lstat(p, sb));
}

int
main(int argc, char **argv)
{
	struct jail_params p = { 0 };
	struct jail_state st;
	struct jail_spec sp;
	struct jail_param *jp;
	struct jail_run_opts ro;
	struct strv cmd = STRV_INIT;
	const char *rundir, *what, *root;
	int i, r;

	if (argc < 3)
		return (2);
	rundir = argv[1];
	what = argv[2];
	for (i = 3; i < argc; i++)
		if (jail_params_parse_arg(&p, argv[i]) == -1) {
			fprintf(stderr, "%s\n", error_msg());
			return (2);
		}
	if (strcmp(what, "check") == 0) {
		r = jail_params_check(&p, 1);
		printf("check %s\n", r == 0 ? "ok" : error_msg());
		jail_params_free(&p);
		return (r == 0 ? 0 : 1);
	}
	memset(&st, 0, sizeof(st));
	st.info.name = xstrdup(jail_params_get(&p, "name"));
	st.info.path = xstrdup(jail_params_get(&p, "path"));
	st.netns = 1;
	if (jail_params_get(&p, "ip4") != NULL &&
	    strcmp(jail_params_get(&p, "ip4"), "inherit") == 0)
		st.netns = 0;
	jail_params_copy(&st.info.params, &p);
	if ((jp = jail_params_find(&p, "ip4.addr")) != NULL)
		for (i = 0; i < (int)jp->vals.n; i++)
			strv_push(&st.info.ip4, jp->vals.v[i]);
	memset(&sp, 0, sizeof(sp));
	sp.rundir = rundir;
	sp.name = st.info.name;
	sp.jid = 3;
	sp.path = st.info.path;
	sp.params = &p;
	sp.netns = st.netns;
	sp.st = &st;
	sp.lockfd = -1;
	/* As jail.c sets them, for a directory template. */
	sp.rootsrc = jail_params_get(&p, "stasis.template");
	root = jail_params_get(&p, "stasis.root");
	if (root != NULL && strcmp(root, "overlay") == 0)
		sp.upper = jail_params_get(&p, "stasis.upper");
	sp.readonly = root != NULL ? strcmp(root, "ro") == 0 :
	    (sp.rootsrc != NULL && sp.upper == NULL);
	if (strcmp(what, "command") == 0 &&
	    (jp = jail_params_find(&p, "command")) != NULL) {
		memset(&ro, 0, sizeof(ro));
		ro.outfd = -1;
		ro.clean = jail_params_bool(&p, "exec.clean", 0);
		ro.user = jail_params_get(&p, "exec.jail_user");
		ro.last = 1;
		for (i = 0; i < (int)jp->vals.n; i++)
			strv_push(&cmd, jp->vals.v[i]);
		sp.fastargv = cmd.v;
		sp.fastopts = &ro;
	}
	fflush(stdout);
	if (jail_os_start(&sp) == -1) {
		printf("start: %s\n", error_msg());
		strv_free(&cmd);
		jail_state_free(&st);
		jail_params_free(&p);
		return (1);
	}
	printf("jid %d\n", st.info.jid);
	if (strcmp(what, "release") == 0) {
		char *sd = jail_state_dir(rundir, st.info.name);
		struct stat sb;

		if (jail_state_write(rundir, &st) == -1)
			printf("state: %s\n", error_msg());
		r = jail_os_release(rundir, &st);
		printf("release %d%s\n", r, st.super > 0 ? ", supervised" :
		    "");
		/* The supervisor's output goes to /dev/null: its work shows. */
		if (jail_os_wait_super(&st) == -1)
			printf("wait: %s\n", error_msg());
		printf("state %s\n", lstat(sd, &sb) == 0 ? "kept" : "removed");
		free(sd);
	} else if (strcmp(what, "command") == 0) {
		/* jail.c hands a lone command to jail_os_start. */
		r = jail_os_run_result(&st, 1);
		printf("command %d\n", r);
		r = jail_os_release(rundir, &st);
		printf("release %d\n", r);
	} else if (strcmp(what, "modify") == 0) {
		struct strv add = STRV_INIT, del = STRV_INIT;

		strv_push(&add, "10.1.2.5");
		if (st.info.ip4.n > 0)
			strv_push(&del, st.info.ip4.v[0]);
		r = jail_os_sethostname(&st, "h2", NULL);
		printf("sethostname %d\n", r);
		r = jail_os_setaddrs(&st, AF_INET, &add, &del);
		printf("setaddrs %d%s%s\n", r, r ? " " : "", r ? error_msg() :
		    "");
		strv_free(&add);
		strv_free(&del);
		r = jail_os_release(rundir, &st);
		printf("release %d\n", r);
	} else if (strcmp(what, "stop") == 0) {
		r = jail_os_stop(rundir, &st, 0);
		printf("stop %d\n", r);
	}
	strv_free(&cmd);
	jail_state_free(&st);
	jail_params_free(&p);
	return (0);
}
