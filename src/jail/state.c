/*
 * Jail state under the run directory: RUNDIR/jails/NAME/state.json,
 * written atomically, so that jls, jexec and the node daemon in other
 * processes see whole states only.  A state whose jail is gone (a crash,
 * a kill -9 of the supervisor; jail_os_alive says what identifies it on
 * each platform) counts as not running.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/file.h"
#include "base/path.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

#define STATE_MAX	(1 << 20)

const char *
jail_rundir(void)
{
	const char *d;

	if ((d = getenv("STASIS_RUNDIR")) != NULL && *d != '\0')
		return (d);
	return (JAIL_DEFAULT_RUNDIR);
}

char *
jail_state_dir(const char *rundir, const char *name)
{
	return (xasprintf("%s/jails/%s", rundir, name));
}

void
jail_info_free(struct jail_info *ji)
{
	free(ji->name);
	free(ji->path);
	free(ji->hostname);
	strv_free(&ji->ip4);
	strv_free(&ji->ip6);
	jail_params_free(&ji->params);
	memset(ji, 0, sizeof(*ji));
}

void
jail_state_free(struct jail_state *st)
{
	jail_info_free(&st->info);
	free(st->cgroup);
	free(st->upper);
	free(st->template);
	free(st->zclone);
	strv_free(&st->host_mounts);
	memset(st, 0, sizeof(*st));
	st->ctlfd = st->readyfd = -1;
}

/* The platform knows what identifies a live jail (jail_os_alive). */
int
jail_state_alive(const struct jail_state *st)
{
	return (jail_os_alive(st));
}

/*
 * A string of the state.  Paths, commands and parameters come from the
 * command line and need not be UTF-8, which JSON strings must be
 * (json_string returns NULL for them, and the key or the value was
 * silently left out: a jail whose path was not UTF-8 could then be
 * neither listed nor removed, an exec.poststop was lost).  Such a
 * string is stored as {"hex": "..."}, its bytes, and read back as is.
 */
static json_t *
jstring(const char *s)
{
	size_t n;
	char *h;
	json_t *v;

	if ((v = json_string(s)) != NULL)
		return (v);
	n = strlen(s);
	h = xmalloc(2 * n + 1);
	hex_encode((const unsigned char *)s, n, h);
	v = json_pack("{s:s}", "hex", h);
	free(h);
	return (v);
}

/* A string of the state, malloc'd; NULL if v is neither form. */
static char *
jstring_value(json_t *v)
{
	const char *h;
	char *s;
	size_t n;

	if (json_is_string(v))
		return (xstrdup(json_string_value(v)));
	if ((h = json_string_value(json_object_get(v, "hex"))) == NULL)
		return (NULL);
	n = strlen(h) / 2;
	s = xmalloc(n + 1);
	/* A NUL inside would cut the string: not one of ours. */
	if (hex_decode(h, (unsigned char *)s, n) != (int)n ||
	    memchr(s, '\0', n) != NULL) {
		free(s);
		return (NULL);
	}
	s[n] = '\0';
	return (s);
}

static json_t *
strv_json(const struct strv *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < v->n; i++)
		json_array_append_new(a, jstring(v->v[i]));
	return (a);
}

static void
json_strv(json_t *a, struct strv *v)
{
	size_t i;
	json_t *e;
	char *s;

	json_array_foreach(a, i, e)
		if ((s = jstring_value(e)) != NULL) {
			strv_push(v, s);
			free(s);
		}
}

static char *
jstr(json_t *o, const char *k)
{
	return (jstring_value(json_object_get(o, k)));
}

/*
 * Temporary file and rename: readers see whole states only.  No fsync:
 * the state describes live processes and lives on a tmpfs (/var/run);
 * after a crash there is nothing for it to describe.
 */
static int
write_state(const char *path, const char *s, size_t n)
{
	char *tmp;
	int fd, rc = 0;

	tmp = xasprintf("%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600))
	    == -1) {
		error_sys("create %s", tmp);
		free(tmp);
		return (-1);
	}
	if (file_write_all(fd, s, n) == -1)
		rc = error_sys("write %s", tmp);
	if (close(fd) == -1 && rc == 0)
		rc = error_sys("close %s", tmp);
	if (rc == 0 && rename(tmp, path) == -1)
		rc = error_sys("rename %s", tmp);
	if (rc == -1)
		unlink(tmp);
	free(tmp);
	return (rc);
}

int
jail_state_write(const char *rundir, const struct jail_state *st)
{
	const struct jail_info *ji = &st->info;
	json_t *o, *p;
	char *s, *dir, *path;
	size_t i;
	int rc;

	o = json_object();
	json_object_set_new(o, "jid", json_integer(ji->jid));
	json_object_set_new(o, "name", jstring(ji->name));
	json_object_set_new(o, "path", jstring(ji->path));
	json_object_set_new(o, "hostname", jstring(ji->hostname ?
	    ji->hostname : ""));
	json_object_set_new(o, "ip4", strv_json(&ji->ip4));
	json_object_set_new(o, "ip6", strv_json(&ji->ip6));
	json_object_set_new(o, "dying", json_boolean(ji->dying));
	json_object_set_new(o, "pid", json_integer(ji->pid));
	json_object_set_new(o, "starttime", json_integer(st->starttime));
	json_object_set_new(o, "super", json_integer(st->super));
	json_object_set_new(o, "netns", json_boolean(st->netns));
	if (st->cgroup != NULL)
		json_object_set_new(o, "cgroup", jstring(st->cgroup));
	if (st->upper != NULL)
		json_object_set_new(o, "upper", jstring(st->upper));
	if (st->template != NULL)
		json_object_set_new(o, "template", jstring(st->template));
	if (st->zclone != NULL)
		json_object_set_new(o, "zclone", jstring(st->zclone));
	json_object_set_new(o, "host_mounts", strv_json(&st->host_mounts));
	p = json_array();
	for (i = 0; i < ji->params.n; i++)
		json_array_append_new(p, json_pack("{s:o,s:o}", "name",
		    jstring(ji->params.v[i].name), "values",
		    strv_json(&ji->params.v[i].vals)));
	json_object_set_new(o, "params", p);
	s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		return (error_set("jail %s: cannot make its state", ji->name));
	dir = jail_state_dir(rundir, ji->name);
	path = xasprintf("%s/state.json", dir);
	if ((rc = path_mkdirs(dir, 0700)) == 0)
		rc = write_state(path, s, strlen(s));
	free(s);
	free(dir);
	free(path);
	return (rc);
}

int
jail_state_read(const char *rundir, const char *name, struct jail_state *st)
{
	struct buf b = BUF_INIT;
	json_error_t je;
	json_t *o, *p, *e;
	char *path;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->ctlfd = st->readyfd = -1;
	path = xasprintf("%s/jails/%s/state.json", rundir, name);
	if (file_read(path, STATE_MAX, &b) == -1) {
		free(path);
		buf_free(&b);
		return (-1);
	}
	o = json_loadb(b.data ? b.data : "", b.len, 0, &je);
	buf_free(&b);
	if (!json_is_object(o)) {
		json_decref(o);
		error_set("%s: corrupt state: %s", path, je.text);
		free(path);
		return (-1);
	}
	free(path);
	st->info.jid = json_integer_value(json_object_get(o, "jid"));
	st->info.cpusetid = st->info.jid;
	st->info.name = jstr(o, "name");
	st->info.path = jstr(o, "path");
	st->info.hostname = jstr(o, "hostname");
	json_strv(json_object_get(o, "ip4"), &st->info.ip4);
	json_strv(json_object_get(o, "ip6"), &st->info.ip6);
	st->info.dying = json_is_true(json_object_get(o, "dying"));
	st->info.pid = json_integer_value(json_object_get(o, "pid"));
	st->starttime = json_integer_value(json_object_get(o, "starttime"));
	st->super = json_integer_value(json_object_get(o, "super"));
	st->netns = json_is_true(json_object_get(o, "netns"));
	st->cgroup = jstr(o, "cgroup");
	st->upper = jstr(o, "upper");
	st->template = jstr(o, "template");
	st->zclone = jstr(o, "zclone");
	json_strv(json_object_get(o, "host_mounts"), &st->host_mounts);
	p = json_object_get(o, "params");
	json_array_foreach(p, i, e) {
		char *n = jstring_value(json_object_get(e, "name"));
		struct strv v = STRV_INIT;
		size_t j;

		if (n == NULL)
			continue;
		json_strv(json_object_get(e, "values"), &v);
		jail_params_set(&st->info.params, n, NULL, 0);
		for (j = 0; j < v.n; j++)
			jail_params_set(&st->info.params, n, v.v[j], 1);
		strv_free(&v);
		free(n);
	}
	json_decref(o);
	if (st->info.name == NULL || st->info.path == NULL) {
		jail_state_free(st);
		return (error_set("jail %s: state without name or path",
		    name));
	}
	if (st->info.hostname == NULL)
		st->info.hostname = xstrdup("");
	return (0);
}

int
jail_state_remove(const char *rundir, const char *name)
{
	char *dir, *f;
	int rc;

	dir = jail_state_dir(rundir, name);
	/* Mostly state.json alone: two calls rather than a tree walk. */
	f = xasprintf("%s/state.json", dir);
	if ((unlink(f) == 0 || errno == ENOENT) &&
	    (rmdir(dir) == 0 || errno == ENOENT))
		rc = 0;
	else
		rc = path_rmtree(dir);
	free(f);
	free(dir);
	return (rc);
}

/* Names of the state directories present, whatever their state. */
static int
state_names(const char *rundir, struct strv *names)
{
	char *dir;
	DIR *d;
	struct dirent *de;

	dir = xasprintf("%s/jails", rundir);
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT) {
			free(dir);
			return (0);
		}
		error_sys("open %s", dir);
		free(dir);
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (jail_name_check(de->d_name) == -1) {
			error_clear();
			continue;
		}
		strv_push(names, de->d_name);
	}
	closedir(d);
	free(dir);
	return (0);
}

static int
cmp_jid(const void *a, const void *b)
{
	const struct jail_info *x = a, *y = b;

	return ((x->jid > y->jid) - (x->jid < y->jid));
}

int
jail_list(const char *rundir, int dying, struct jail_info **out, size_t *n)
{
	struct strv names = STRV_INIT;
	struct jail_state st;
	struct jail_info *v = NULL;
	size_t i, cnt = 0;

	*out = NULL;
	*n = 0;
	if (state_names(rundir, &names) == -1)
		return (-1);
	for (i = 0; i < names.n; i++) {
		if (jail_state_read(rundir, names.v[i], &st) == -1) {
			error_clear();	/* being written or removed */
			continue;
		}
		if (!jail_state_alive(&st) || (st.info.dying && !dying)) {
			jail_state_free(&st);
			continue;
		}
		v = xrealloc(v, (cnt + 1) * sizeof(*v));
		v[cnt++] = st.info;
		memset(&st.info, 0, sizeof(st.info));
		jail_state_free(&st);
	}
	strv_free(&names);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_jid);
	*out = v;
	*n = cnt;
	return (0);
}

void
jail_list_free(struct jail_info *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		jail_info_free(&v[i]);
	free(v);
}

int
jail_state_find(const char *rundir, const char *jail, struct jail_state *st)
{
	struct strv names = STRV_INIT;
	long long jid;
	size_t i;
	int found = 0;

	memset(st, 0, sizeof(*st));
	st->ctlfd = st->readyfd = -1;
	if (str_tonum(jail, 1, 1LL << 31, &jid) == -1) {
		error_clear();
		if (jail_name_check(jail) == -1)
			return (-1);
		if (jail_state_read(rundir, jail, st) == -1) {
			if (errno == ENOENT) {
				error_clear();
				return (0);
			}
			return (-1);
		}
		if (jail_state_alive(st))
			return (1);
		jail_state_free(st);
		return (0);
	}
	if (state_names(rundir, &names) == -1)
		return (-1);
	for (i = 0; i < names.n && !found; i++) {
		if (jail_state_read(rundir, names.v[i], st) == -1) {
			error_clear();
			continue;
		}
		if (st->info.jid == jid && jail_state_alive(st))
			found = 1;
		else
			jail_state_free(st);
	}
	strv_free(&names);
	return (found);
}

int
jail_find(const char *rundir, const char *jail, struct jail_info *ji)
{
	struct jail_state st;
	int r;

	memset(ji, 0, sizeof(*ji));
	if ((r = jail_state_find(rundir, jail, &st)) == -1)
		return (-1);
	if (r == 0)
		return (error_set("jail \"%s\" not found", jail));
	*ji = st.info;
	memset(&st.info, 0, sizeof(st.info));
	jail_state_free(&st);
	return (0);
}

int
jail_is_running(const char *rundir, const char *name)
{
	struct jail_state st;
	int r;

	if ((r = jail_state_find(rundir, name, &st)) == 1) {
		r = !st.info.dying;
		jail_state_free(&st);
	}
	return (r);
}

int
jail_jid_used(const char *rundir, int jid)
{
	struct jail_info *v;
	size_t n, i;
	int used = 0;

	if (jail_list(rundir, 1, &v, &n) == -1)
		return (-1);
	for (i = 0; i < n; i++)
		if (v[i].jid == jid)
			used = 1;
	jail_list_free(v, n);
	return (used);
}

int
jail_next_jid(const char *rundir)
{
	struct jail_info *v;
	size_t n, i;
	int jid = 1;

	if (jail_list(rundir, 1, &v, &n) == -1)
		return (-1);
	/* Sorted by jid: the first gap. */
	for (i = 0; i < n; i++)
		if (v[i].jid == jid)
			jid++;
	jail_list_free(v, n);
	return (jid);
}

int
jail_lock(const char *rundir)
{
	char *dir, *path;
	int fd;

	dir = xasprintf("%s/jails", rundir);
	if (path_mkdirs(dir, 0700) == -1) {
		free(dir);
		return (-1);
	}
	path = xasprintf("%s/.lock", dir);
	free(dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		error_sys("open %s", path);
		free(path);
		return (-1);
	}
	if (flock(fd, LOCK_EX) == -1) {
		error_sys("lock %s", path);
		close(fd);
		free(path);
		return (-1);
	}
	free(path);
	return (fd);
}

void
jail_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void
json_ips(struct buf *out, const struct strv *v)
{
	size_t i;

	buf_addc(out, '[');
	for (i = 0; i < v->n; i++) {
		if (i > 0)
			buf_addstr(out, ", ");
		buf_add_json_str(out, v->v[i]);
	}
	buf_addc(out, ']');
}

/* One jail as jls -v --libxo json prints it. */
void
jail_info_json(struct buf *out, const struct jail_info *ji)
{
	buf_printf(out, "{\"jid\": %d, \"hostname\": ", ji->jid);
	buf_add_json_str(out, ji->hostname ? ji->hostname : "");
	buf_addstr(out, ", \"path\": ");
	buf_add_json_str(out, ji->path);
	buf_addstr(out, ", \"name\": ");
	buf_add_json_str(out, ji->name);
	buf_printf(out, ", \"state\": \"%s\", \"cpusetid\": %d, "
	    "\"ipv4_addrs\": ", ji->dying ? "DYING" : "ACTIVE",
	    ji->cpusetid);
	json_ips(out, &ji->ip4);
	buf_addstr(out, ", \"ipv6_addrs\": ");
	json_ips(out, &ji->ip6);
	buf_addc(out, '}');
}

int
jail_list_json(const char *rundir, struct buf *out)
{
	struct jail_info *v;
	size_t n, i;

	if (jail_list(rundir, 0, &v, &n) == -1)
		return (-1);
	buf_addstr(out, "{\"__version\": \"2\", \"jail-information\": "
	    "{\"jail\": [");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addstr(out, ", ");
		jail_info_json(out, &v[i]);
	}
	buf_addstr(out, "]}}\n");
	jail_list_free(v, n);
	return (0);
}
