/* Unit tests: base/spawn.c. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/spawn.h"
#include "tap.h"

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
	return (done_testing());
}
