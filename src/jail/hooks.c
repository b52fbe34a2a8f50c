/*
 * exec.* commands, run as jail(8) runs them: a command with shell
 * syntax goes to /bin/sh -c, a plain one is split on blanks and run
 * directly.  jail.conf is the administrator's file (like FreeBSD's), so
 * handing its strings to sh is what it asks for; values from the network
 * never reach here.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/spawn.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

void
jail_cmd_argv(const char *cmd, struct strv *argv)
{
	if (strpbrk(cmd, "|&;<>()$`\\\"'*?[#~=%{}\n") != NULL) {
		strv_push(argv, "/bin/sh");
		strv_push(argv, "-c");
		strv_push(argv, cmd);
	} else
		strv_split(argv, cmd, " \t");
}

static int
exec_timeout(const struct jail_params *p)
{
	const char *t = jail_params_get(p, "exec.timeout");
	long long n;

	if (t == NULL || str_tonum(t, 0, 1 << 20, &n) == -1) {
		error_clear();
		return (0);
	}
	return ((int)n);
}

int
jail_hook_host(const struct jail_cmdopts *o, const char *hook)
{
	struct jail_param *jp;
	struct spawn_opts so;
	struct spawn_result res;
	struct strv argv = STRV_INIT;
	struct jail_user u;
	const char *log, *user;
	size_t i;
	int saved_out = -1, saved_err = -1, fd, rc = 0;

	if ((jp = jail_params_find(o->params, hook)) == NULL)
		return (0);
	if ((log = jail_params_get(o->params, "exec.consolelog")) != NULL) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0644)) == -1)
			return (error_sys("exec.consolelog %s", log));
		fflush(stdout);
		fflush(stderr);
		saved_out = dup(1);
		saved_err = dup(2);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	memset(&so, 0, sizeof(so));
	if ((user = jail_params_get(o->params, "exec.system_user")) != NULL) {
		if (jail_user_lookup("/", user, &u) == -1) {
			rc = error_wrap("exec.system_user");
			goto out;
		}
		so.uid = u.uid;
		so.gid = u.gid;
		so.set_ids = 1;
	}
	for (i = 0; i < jp->vals.n && rc == 0; i++) {
		if (*jp->vals.v[i] == '\0')
			continue;
		strv_free(&argv);
		jail_cmd_argv(jp->vals.v[i], &argv);
		if (argv.n == 0)
			continue;
		if (o->flags & JAIL_F_VERBOSE)
			fprintf(stderr, "%s: run command: %s\n", o->name,
			    jp->vals.v[i]);
		so.argv = argv.v;
		so.flags = SPAWN_SEARCH_PATH;
		so.timeout_ms = exec_timeout(o->params) * 1000;
		if (spawn_run(&so, &res) == -1) {
			rc = error_wrap("%s: %s", hook, jp->vals.v[i]);
			break;
		}
		if (res.timed_out)
			rc = error_set("%s: %s: timed out", hook,
			    jp->vals.v[i]);
		else if (res.exit_code != 0)
			rc = error_set("%s: %s: failed (exit status %d)", hook,
			    jp->vals.v[i], res.exit_code);
		spawn_result_free(&res);
	}
out:
	strv_free(&argv);
	if (saved_out != -1) {
		fflush(stdout);
		fflush(stderr);
		dup2(saved_out, 1);
		dup2(saved_err, 2);
		close(saved_out);
		close(saved_err);
	}
	return (rc);
}

/* A command's wait(2) status as a shell gives it: signals are 128+N. */
int
jail_exit_code(int status)
{
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return (128 + WTERMSIG(status));
	return (1);
}
