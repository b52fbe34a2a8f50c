/*
 * Running zfs and zpool.  Every call is one argv, never a shell; the
 * tool's own explanation becomes our error message.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/spawn.h"
#include "zfs/zfs.h"

static const char *
tool(const char *name)
{
	const char *e;

	e = getenv(strcmp(name, "zfs") == 0 ? "STASIS_ZFS" : "STASIS_ZPOOL");
	return (e != NULL && *e != '\0' ? e : name);
}

/*
 * The line that explains a failure: zfs puts "cannot ..." first and
 * follows it with hints or usage text, so prefer that line.
 */
static void
set_tool_error(const char *name, struct buf *err, int code)
{
	char *msg, *line, *next, *best = NULL, *last = NULL;

	msg = (char *)buf_cstr(err);
	for (line = msg; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = str_trim(line);
		if (*line == '\0')
			continue;
		if (best == NULL && (str_startswith(line, "cannot ") ||
		    str_startswith(line, "internal error") ||
		    strstr(line, "invalid") != NULL))
			best = line;
		if (last == NULL)
			last = line;
	}
	if (best == NULL)
		best = last;
	if (best != NULL)
		error_set("%s", best);
	else if (code == 127)
		error_set("%s: command not found", name);
	else
		error_set("%s exited with status %d", name, code);
}

/* Run zfs or zpool with argv (argv[0] is "zfs" or "zpool"). */
static int
run(struct buf *out, struct strv *argv)
{
	struct spawn_opts o;
	struct spawn_result r;
	char *name = argv->v[0];
	int rc = 0;

	/* The program for this run only: a retry starts from the name. */
	argv->v[0] = (char *)tool(name);
	memset(&o, 0, sizeof(o));
	o.argv = argv->v;
	o.flags = SPAWN_CAPTURE_OUT | SPAWN_CAPTURE_ERR | SPAWN_NULL_IN |
	    SPAWN_SEARCH_PATH;
	o.max_output = ZFS_OUTPUT_MAX;
	if (spawn_run(&o, &r) == -1) {
		argv->v[0] = name;
		return (-1);
	}
	if (r.exit_code != 0) {
		set_tool_error(argv->v[0], &r.err, r.exit_code);
		rc = -1;
	} else if (r.truncated) {
		error_set("%s: output larger than %u bytes", argv->v[0],
		    ZFS_OUTPUT_MAX);
		rc = -1;
	} else if (out != NULL)
		buf_add(out, r.out.data != NULL ? r.out.data : "", r.out.len);
	spawn_result_free(&r);
	argv->v[0] = name;
	return (rc);
}

/*
 * zfs-fuse calls a dataset or pool busy for a moment after it was
 * unmounted or a stream on it ended (more so on a loaded machine); the
 * operations that meet this are retried for up to five seconds.
 */
static int
run_busy(struct strv *argv)
{
	int i, rc;

	for (i = 0; i < 50; i++) {
		if ((rc = run(NULL, argv)) == 0 ||
		    strstr(error_msg(), "busy") == NULL)
			return (rc);
		usleep(100000);
	}
	return (rc);
}

static int
runl(struct buf *out, const char *arg0, ...)
{
	struct strv argv = STRV_INIT;
	const char *a;
	va_list ap;
	int rc;

	strv_push(&argv, arg0);
	va_start(ap, arg0);
	while ((a = va_arg(ap, const char *)) != NULL)
		strv_push(&argv, a);
	va_end(ap);
	rc = run(out, &argv);
	strv_free(&argv);
	return (rc);
}

int
zfs_get(const char *ds, const char *props, int depth, struct zfs_dslist *l)
{
	struct strv argv = STRV_INIT;
	struct buf out = BUF_INIT;
	int rc;

	strv_push(&argv, "zfs");
	strv_push(&argv, "get");
	strv_push(&argv, "-H");
	strv_push(&argv, "-p");
	if (depth == ZFS_DEPTH_ALL)
		strv_push(&argv, "-r");
	else if (depth > 0)
		strv_pushf(&argv, "-d%d", depth);
	strv_push(&argv, "-o");
	strv_push(&argv, "name,property,value");
	strv_push(&argv, props);
	strv_push(&argv, ds);
	rc = run(&out, &argv);
	strv_free(&argv);
	if (rc == 0)
		rc = zfs_parse_get(out.data != NULL ? out.data : "", out.len,
		    l);
	buf_free(&out);
	return (rc);
}

int
zfs_get1(const char *ds, const char *prop, char **value)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	const char *v;

	*value = NULL;
	if (zfs_get(ds, prop, ZFS_DEPTH_SELF, &l) == -1)
		return (-1);
	if ((v = zfs_ds_prop(zfs_dslist_find(&l, ds), prop)) != NULL)
		*value = xstrdup(v);
	zfs_dslist_free(&l);
	return (0);
}

int
zfs_get_local(const char *ds, const char *prop, char **value)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;
	struct buf out = BUF_INIT;
	const char *v;
	int rc;

	*value = NULL;
	rc = runl(&out, "zfs", "get", "-H", "-p", "-s", "local", "-o",
	    "name,property,value", prop, ds, NULL);
	if (rc == 0)
		rc = zfs_parse_get(out.data != NULL ? out.data : "", out.len,
		    &l);
	if (rc == 0 && (v = zfs_ds_prop(zfs_dslist_find(&l, ds), prop)) !=
	    NULL)
		*value = xstrdup(v);
	zfs_dslist_free(&l);
	buf_free(&out);
	return (rc);
}

int
zfs_exists(const char *ds)
{
	struct zfs_dslist l = ZFS_DSLIST_INIT;

	if (zfs_get(ds, "type", ZFS_DEPTH_SELF, &l) == 0) {
		zfs_dslist_free(&l);
		return (1);
	}
	zfs_dslist_free(&l);
	if (strstr(error_msg(), "does not exist") != NULL) {
		error_clear();
		return (0);
	}
	return (-1);
}

int
zfs_set(const char *ds, const char *prop, const char *value)
{
	char *a = xasprintf("%s=%s", prop, value);
	int rc = runl(NULL, "zfs", "set", a, ds, NULL);

	free(a);
	return (rc);
}

int
zfs_inherit(const char *ds, const char *prop)
{
	return (runl(NULL, "zfs", "inherit", prop, ds, NULL));
}

int
zfs_snapshot(const char *snap, int recursive)
{
	if (recursive)
		return (runl(NULL, "zfs", "snapshot", "-r", snap, NULL));
	return (runl(NULL, "zfs", "snapshot", snap, NULL));
}

int
zfs_clone(const char *snap, const char *ds, const char *const *props)
{
	struct strv argv = STRV_INIT;
	int rc;

	strv_push(&argv, "zfs");
	strv_push(&argv, "clone");
	for (; props != NULL && *props != NULL; props++) {
		strv_push(&argv, "-o");
		strv_push(&argv, *props);
	}
	strv_push(&argv, snap);
	strv_push(&argv, ds);
	rc = run(NULL, &argv);
	strv_free(&argv);
	return (rc);
}

int
zfs_promote(const char *ds)
{
	return (runl(NULL, "zfs", "promote", ds, NULL));
}

int
zfs_rename(const char *from, const char *to)
{
	struct strv argv = STRV_INIT;
	int rc;

	strv_push(&argv, "zfs");
	strv_push(&argv, "rename");
	strv_push(&argv, from);
	strv_push(&argv, to);
	rc = run_busy(&argv);
	strv_free(&argv);
	return (rc);
}

int
zfs_destroy(const char *ds, int flags)
{
	struct strv argv = STRV_INIT;
	int rc;

	strv_push(&argv, "zfs");
	strv_push(&argv, "destroy");
	if (flags & ZFS_DESTROY_RECURSIVE)
		strv_push(&argv, "-r");
	if (flags & ZFS_DESTROY_FORCE)
		strv_push(&argv, "-f");
	strv_push(&argv, ds);
	rc = run_busy(&argv);
	strv_free(&argv);
	return (rc);
}

int
zfs_mount(const char *ds)
{
	return (runl(NULL, "zfs", "mount", ds, NULL));
}

int
zfs_unmount(const char *ds, int force)
{
	if (force)
		return (runl(NULL, "zfs", "unmount", "-f", ds, NULL));
	return (runl(NULL, "zfs", "unmount", ds, NULL));
}

int
zpool_get(const char *pool, const char *prop, char **value)
{
	struct buf out = BUF_INIT;
	int rc;

	*value = NULL;
	rc = runl(&out, "zpool", "get", prop, pool, NULL);
	if (rc == 0)
		rc = zpool_parse_get(out.data != NULL ? out.data : "",
		    out.len, pool, prop, value);
	buf_free(&out);
	return (rc);
}

int
zpool_set(const char *pool, const char *prop, const char *value)
{
	char *a = xasprintf("%s=%s", prop, value);
	int rc = runl(NULL, "zpool", "set", a, pool, NULL);

	free(a);
	return (rc);
}

int
zpool_create_file(const char *pool, const char *file)
{
	return (runl(NULL, "zpool", "create", "-m", "none", pool, file,
	    NULL));
}

int
zpool_destroy(const char *pool)
{
	struct strv argv = STRV_INIT;
	int rc;

	strv_push(&argv, "zpool");
	strv_push(&argv, "destroy");
	strv_push(&argv, "-f");
	strv_push(&argv, pool);
	rc = run_busy(&argv);
	strv_free(&argv);
	return (rc);
}
