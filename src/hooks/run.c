/*
 * Running a hook's command as webhook does: argv[0] is the command as
 * written, then one argument per pass-arguments-to-command ("" when the
 * parameter is missing); the environment is ours plus HOOK_name=value
 * (or envname=value) and one temporary file per pass-file-to-command,
 * named by an environment variable; stdout and stderr are captured
 * together.  What comes from the request is copied out in job_prepare,
 * on the HTTP worker, so the run itself needs nothing of the request.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/encode.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/spawn.h"
#include "hooks_int.h"

extern char **environ;

struct jfile {
	char		*envname;
	struct buf	 data;
	char		*path;		/* once written */
};

struct job {
	char		*hook_id;
	char		*path;		/* resolved command, or NULL */
	char		*cwd;
	struct strv	 argv;
	struct strv	 env;		/* ours + the hook's */
	struct strv	 envnames;	/* for logs: names only, no values */
	struct jfile	*files;
	size_t		 nfiles;
};

/* Go's exec.LookPath. */
static char *
look_path(const char *file)
{
	const char *path, *p, *e;
	struct stat st;
	char *cand;

	if (file[0] == '\0')
		return (NULL);
	if (strchr(file, '/') != NULL) {
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111))
			return (xstrdup(file));
		return (NULL);
	}
	if ((path = getenv("PATH")) == NULL)
		return (NULL);
	for (p = path;; p = e + 1) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		cand = xasprintf("%.*s/%s", (int)(e - p), e == p ? "." : p,
		    file);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111))
			return (cand);
		free(cand);
		if (*e == '\0')
			break;
	}
	return (NULL);
}

struct job *
job_prepare(const struct hhook *h, struct hreq *r)
{
	struct job *j = xcalloc(1, sizeof(*j));
	char *look, *v, **e;
	size_t i;

	j->hook_id = xstrdup(h->id);
	if (h->command[0] == '/' || h->cwd == NULL || h->cwd[0] == '\0')
		look = xstrdup(h->command);
	else
		look = xasprintf("%s/%s", h->cwd, h->command);
	j->path = look_path(look);
	free(look);
	j->cwd = h->cwd && h->cwd[0] ? xstrdup(h->cwd) : NULL;
	strv_push(&j->argv, h->command);
	for (i = 0; i < h->nargs; i++) {
		if (harg_get(&h->args[i], r, &v) == -1)
			v = xstrdup("");
		strv_push(&j->argv, v);
		free(v);
	}
	for (e = environ; e && *e; e++)
		strv_push(&j->env, *e);
	for (i = 0; i < h->nenv; i++) {
		const struct harg *a = &h->env[i];

		if (harg_get(a, r, &v) == -1)
			continue;
		/* Appended, as Go's cmd.Env: a later duplicate wins. */
		if (a->envname && a->envname[0]) {
			strv_pushf(&j->env, "%s=%s", a->envname, v);
			strv_push(&j->envnames, a->envname);
		} else {
			strv_pushf(&j->env, "HOOK_%s=%s", a->name, v);
			strv_pushf(&j->envnames, "HOOK_%s", a->name);
		}
		free(v);
	}
	j->files = xcalloc(h->nfiles + 1, sizeof(*j->files));
	for (i = 0; i < h->nfiles; i++) {
		const struct harg *a = &h->files[i];
		struct jfile *f = &j->files[j->nfiles];

		if (harg_get(a, r, &v) == -1)
			continue;
		if (a->envname && a->envname[0])
			f->envname = xstrdup(a->envname);
		else {
			f->envname = xasprintf("HOOK_%s", a->name);
			for (char *c = f->envname; *c; c++)
				*c = (char)toupper((unsigned char)*c);
		}
		if (a->base64) {
			size_t n = strlen(v);
			unsigned char *d = xmalloc(n + 1);
			int dn = base64_decode(v, d, n + 1);

			if (dn > 0)
				buf_add(&f->data, d, (size_t)dn);
			free(d);
		} else
			buf_addstr(&f->data, v);
		free(v);
		j->nfiles++;
	}
	return (j);
}

void
job_free(struct job *j)
{
	size_t i;

	if (j == NULL)
		return;
	free(j->hook_id);
	free(j->path);
	free(j->cwd);
	strv_free(&j->argv);
	strv_free(&j->env);
	strv_free(&j->envnames);
	for (i = 0; i < j->nfiles; i++) {
		free(j->files[i].envname);
		buf_free(&j->files[i].data);
		free(j->files[i].path);
	}
	free(j->files);
	free(j);
}


/* Go's os.CreateTemp(dir, pattern): pattern + random digits. */
static char *
write_temp(const char *dir, const char *prefix, const struct buf *data)
{
	char *path;
	int fd, tries;

	if (dir == NULL || dir[0] == '\0')
		dir = getenv("TMPDIR") && getenv("TMPDIR")[0] ?
		    getenv("TMPDIR") : "/tmp";
	for (tries = 0; tries < 100; tries++) {
		path = xasprintf("%s/%s%u", dir, prefix,
		    (unsigned int)arc4random());
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd != -1) {
			int bad = file_write_all(fd, data->data ? data->data :
			    "", data->len) == -1;

			/* Closed either way: a full disk must not leak fds. */
			if (close(fd) == -1)
				bad = 1;
			if (bad) {
				unlink(path);
				free(path);
				return (NULL);
			}
			return (path);
		}
		free(path);
		if (errno != EEXIST)
			return (NULL);
	}
	return (NULL);
}

/*
 * Start the command (on the runner's thread, never an HTTP worker): the
 * temporary files are written first, as webhook does.  NULL when it
 * could not start (logged); job_finish then still cleans up.
 */
struct spawn_proc *
job_start(struct job *j, const struct hooks_opts *o)
{
	struct spawn_opts so;
	struct spawn_proc *p;
	size_t i;

	if (j->path == NULL) {
		log_info("[%s] command \"%s\" not found or not executable%s",
		    j->hook_id, j->argv.v[0], strchr(j->argv.v[0], ' ') ?
		    " (use pass-arguments-to-command for its arguments)" :
		    "");
		return (NULL);
	}
	for (i = 0; i < j->nfiles; i++) {
		struct jfile *f = &j->files[i];

		f->path = write_temp(j->cwd, f->envname, &f->data);
		if (f->path == NULL) {
			log_warn("[%s] temporary file for %s: %s", j->hook_id,
			    f->envname, strerror(errno));
			continue;
		}
		strv_pushf(&j->env, "%s=%s", f->envname, f->path);
	}
	memset(&so, 0, sizeof(so));
	so.argv = j->argv.v;
	so.path = j->path;
	so.envp = j->env.v;
	so.cwd = j->cwd;
	so.flags = SPAWN_CAPTURE_OUT | SPAWN_MERGE_ERR | SPAWN_NULL_IN;
	so.timeout_ms = o->run_timeout_s ? (int)o->run_timeout_s * 1000 : 0;
	so.max_output = o->max_output;
	if (o->set_ids) {
		so.set_ids = 1;
		so.uid = o->uid;
		so.gid = o->gid;
	}
	if ((p = spawn_begin(&so)) == NULL)
		log_warn("[%s] %s", j->hook_id, error_msg());
	return (p);
}

/* Collect what p (NULL: never started) did, and remove the temp files. */
void
job_finish(struct job *j, struct spawn_proc *p, struct run_result *res)
{
	struct spawn_result sr;
	size_t i;

	memset(res, 0, sizeof(*res));
	buf_init(&res->out);
	if (p != NULL) {
		spawn_end(p, &sr);
		res->started = 1;
		res->exit_code = sr.exit_code;
		res->signo = sr.signo;
		res->timed_out = sr.timed_out;
		res->out = sr.out;
		buf_init(&sr.out);
		spawn_result_free(&sr);
	}
	for (i = 0; i < j->nfiles; i++)
		if (j->files[i].path != NULL)
			unlink(j->files[i].path);
}
