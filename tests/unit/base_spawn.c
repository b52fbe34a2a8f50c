/* Unit tests: base/spawn.c. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/spawn.h"
#include "tap.h"

/*
 * Several commands driven by one poll loop, as the hooks runner does:
 * each finishes on its own, output kept apart, a timeout kills only its
 * own command.
 */
static void
async_many(void)
{
	char *a[] = { "/bin/sh", "-c", "sleep 0.2; echo one", NULL };
	char *b[] = { "/bin/sh", "-c", "echo two; exit 4", NULL };
	char *c[] = { "/bin/sh", "-c", "echo three; exec sleep 20", NULL };
	char *const *argvs[] = { a, b, c };
	struct spawn_proc *p[3];
	struct spawn_result r[3];
	struct spawn_opts o;
	struct pollfd pfd[3 * SPAWN_MAXFDS];
	int i, n, t, tt, left = 3, done[3] = { 0, 0, 0 };

	for (i = 0; i < 3; i++) {
		memset(&o, 0, sizeof(o));
		o.argv = argvs[i];
		o.flags = SPAWN_CAPTURE_OUT | SPAWN_MERGE_ERR | SPAWN_NULL_IN;
		o.timeout_ms = i == 2 ? 300 : 0;
		p[i] = spawn_begin(&o);
		ok(p[i] != NULL && spawn_pid(p[i]) > 0, "spawn_begin %d", i);
	}
	while (left > 0) {
		n = 0;
		t = -1;
		for (i = 0; i < 3; i++) {
			if (done[i])
				continue;
			n += spawn_pollfds(p[i], pfd + n);
			tt = spawn_wait_ms(p[i]);
			if (tt != -1 && (t == -1 || tt < t))
				t = tt;
		}
		poll(pfd, n, t == -1 ? 5000 : t);
		for (i = 0; i < 3; i++) {
			if (!done[i] && spawn_step(p[i])) {
				spawn_end(p[i], &r[i]);
				done[i] = 1;
				left--;
			}
		}
	}
	is_str(buf_cstr(&r[0].out), "one\n", "async: first output");
	is_int(r[0].exit_code, 0, "async: first status");
	is_str(buf_cstr(&r[1].out), "two\n", "async: second output");
	is_int(r[1].exit_code, 4, "async: second status");
	ok(r[2].timed_out && r[2].signo == SIGTERM, "async: the third timed out");
	is_str(buf_cstr(&r[2].out), "three\n", "async: its output kept");
	for (i = 0; i < 3; i++)
		spawn_result_free(&r[i]);
}

int
main(void)
{
	struct spawn_opts o;
	struct spawn_result r;
	struct buf out = BUF_INIT;
	char *echo[] = { "/bin/echo", "a b", "$HOME;", NULL };
	char *env[] = { "FOO=bar", NULL };
	char *sh_env[] = { "/bin/sh", "-c", "echo $FOO; pwd; echo err >&2; "
	    "exit 3", NULL };
	char *cat[] = { "cat", NULL };
	/*
	 * The sleeps carry a duration unique to this run, so the checks
	 * below see only our own processes, not other tests' on the host.
	 */
	char nap[32], sleeper_cmd[96], bg_cmd[96], pgrep[96], pkill[96];
	char *sleeper[] = { "/bin/sh", "-c", sleeper_cmd, NULL };
	char *bg[] = { "/bin/sh", "-c", bg_cmd, NULL };
	char *missing[] = { "/nonexistent/cmd", NULL };

	snprintf(nap, sizeof(nap), "30.%u", (unsigned)getpid() % 100000);
	snprintf(sleeper_cmd, sizeof(sleeper_cmd), "sleep %s & sleep %s",
	    nap, nap);
	snprintf(bg_cmd, sizeof(bg_cmd), "sleep %s & echo started", nap);
	snprintf(pgrep, sizeof(pgrep), "pgrep -f '^sleep %s$' >/dev/null",
	    nap);
	snprintf(pkill, sizeof(pkill), "pkill -f '^sleep %s$'", nap);

	memset(&o, 0, sizeof(o));
	o.argv = echo;
	o.flags = SPAWN_CAPTURE_OUT;
	ok(spawn_run(&o, &r) == 0, "run echo");
	is_str(buf_cstr(&r.out), "a b $HOME;\n", "argv is not shell-expanded");
	is_int(r.exit_code, 0, "exit 0");
	spawn_result_free(&r);

	o.argv = sh_env;
	o.envp = env;
	o.cwd = "/tmp";
	o.flags = SPAWN_CAPTURE_OUT | SPAWN_CAPTURE_ERR;
	ok(spawn_run(&o, &r) == 0, "run with env and cwd");
	is_str(buf_cstr(&r.out), "bar\n/tmp\n", "env and cwd applied");
	is_str(buf_cstr(&r.err), "err\n", "stderr captured apart");
	is_int(r.exit_code, 3, "exit status");
	spawn_result_free(&r);

	memset(&o, 0, sizeof(o));
	o.argv = cat;
	o.flags = SPAWN_CAPTURE_OUT | SPAWN_SEARCH_PATH;
	o.in = "piped input";
	o.in_len = 11;
	ok(spawn_run(&o, &r) == 0, "stdin data");
	is_str(buf_cstr(&r.out), "piped input", "stdin reaches the command");
	spawn_result_free(&r);

	memset(&o, 0, sizeof(o));
	o.argv = sleeper;
	o.timeout_ms = 200;
	o.flags = SPAWN_NULL_IN;
	ok(spawn_run(&o, &r) == 0, "run with timeout");
	ok(r.timed_out && r.signo == SIGTERM, "timed out, killed by SIGTERM");
	/* The background sleep was in the group: it must be gone too. */
	usleep(100000);
	ok(system(pgrep) != 0,
	    "the whole process group was killed");
	spawn_result_free(&r);

	memset(&o, 0, sizeof(o));
	o.argv = bg;
	o.flags = SPAWN_CAPTURE_OUT | SPAWN_NULL_IN;
	o.timeout_ms = 10000;
	ok(spawn_run(&o, &r) == 0 && strcmp(buf_cstr(&r.out), "started\n") ==
	    0 && !r.timed_out, "a leftover child holding stdout does not hang "
	    "the caller");
	spawn_result_free(&r);
	(void)system(pkill);

	{
		char *named[] = { "not-a-path", "-c", "echo $0", NULL };

		memset(&o, 0, sizeof(o));
		o.argv = named;
		o.path = "/bin/sh";
		o.flags = SPAWN_CAPTURE_OUT | SPAWN_NULL_IN;
		ok(spawn_run(&o, &r) == 0 && strcmp(buf_cstr(&r.out),
		    "not-a-path\n") == 0, "path runs a file, argv[0] as given");
		spawn_result_free(&r);
	}

	memset(&o, 0, sizeof(o));
	o.argv = missing;
	ok(spawn_run(&o, &r) == 0 && r.exit_code == 127,
	    "missing command exits 127");
	spawn_result_free(&r);

	ok(spawn_cmd(&out, "printf", "%s-%s", "x", "y", NULL) == 0,
	    "spawn_cmd");
	is_str(buf_cstr(&out), "x-y", "spawn_cmd output");
	ok(spawn_cmd(NULL, "sh", "-c", "echo 'it broke' >&2; exit 2", NULL) ==
	    -1, "spawn_cmd fails on non-zero exit");
	is_str(error_msg(), "it broke", "with the tool's own message");
	ok(spawn_cmd(NULL, "no-such-command-xyz", NULL) == -1 &&
	    strstr(error_msg(), "not found") != NULL,
	    "spawn_cmd on a missing command");
	buf_free(&out);
	async_many();
	return (done_testing());
}
