/* Unit tests: base/log.c (levels, log files, fail() formatting). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "tap.h"

/* Run fn with stderr sent to a file; return what it printed. */
static char *
capture_stderr(int (*fn)(void), int *rc)
{
	char path[] = "/tmp/stasis-log.XXXXXX";
	struct buf b = BUF_INIT;
	int fd, saved;

	fd = mkstemp(path);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	*rc = fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	file_read(path, 4096, &b);
	unlink(path);
	return (buf_steal(&b));
}

static int
do_fail(void)
{
	error_set("dataset zroot/ROOT/foo already exists");
	return (fail("create %s", "foo"));
}

static int
do_failx(void)
{
	return (failx("unknown option -%c", 'z'));
}

static int
do_levels(void)
{
	log_set_level(LOG_LVL_WARN);
	log_info("hidden");
	log_warn("shown %d", 1);
	log_debug("hidden too");
	return (0);
}

int
main(void)
{
	char path[] = "/tmp/stasis-logfile.XXXXXX";
	struct buf b = BUF_INIT;
	char *out;
	int rc, fd;

	log_init("stasis", LOG_LVL_INFO);
	cmdname = "be";
	out = capture_stderr(do_fail, &rc);
	is_str(out, "stasis: be: create foo: dataset zroot/ROOT/foo already "
	    "exists\n", "fail() names program, command, context and cause");
	is_int(rc, 1, "fail() returns exit status 1");
	free(out);
	cmdname = NULL;
	log_init("bectl", LOG_LVL_INFO);
	out = capture_stderr(do_fail, &rc);
	is_str(out, "bectl: create foo: dataset zroot/ROOT/foo already "
	    "exists\n", "as a personality: no command name");
	free(out);
	out = capture_stderr(do_failx, &rc);
	is_str(out, "bectl: unknown option -z\n", "failx()");
	free(out);
	out = capture_stderr(do_levels, &rc);
	is_str(out, "bectl: shown 1\n", "levels filter messages");
	free(out);
	is_int(log_get_level(), LOG_LVL_WARN, "level reads back");

	fd = mkstemp(path);
	close(fd);
	ok(log_to_file(path) == 0, "log to a file");
	log_warn("to the file %s", "ok");
	file_read(path, 4096, &b);
	ok(strstr(buf_cstr(&b), "bectl[") != NULL &&
	    strstr(buf_cstr(&b), "]: to the file ok\n") != NULL,
	    "file lines carry program and pid");
	ok(buf_cstr(&b)[4] == '-' && strchr(buf_cstr(&b), 'Z') != NULL,
	    "and an ISO 8601 UTC time");
	unlink(path);
	ok(log_to_file("/nonexistent/dir/log") == -1 &&
	    strstr(error_msg(), "/nonexistent/dir/log") != NULL,
	    "unwritable log file named in the error");
	buf_free(&b);
	return (done_testing());
}
