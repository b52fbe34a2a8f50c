/*
 * Unit tests: base/log.c (levels, log files, syslog datagrams, fail()
 * formatting).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
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

/* A unix datagram socket at path, standing in for syslogd's /dev/log. */
static int
fake_syslogd(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	unlink(path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("fake syslogd");
		exit(1);
	}
	return (fd);
}

/* The next datagram, or "" if none comes within ms. */
static void
recv_line(int fd, int ms, char *out, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	out[0] = '\0';
	if (poll(&p, 1, ms) != 1)
		return;
	if ((n = recv(fd, out, len - 1, 0)) > 0)
		out[n] = '\0';
}

/*
 * "<PRI>Mmm dd hh:mm:ss TAG[PID]: msg", as libc's syslog(3) with LOG_PID
 * writes it; checks the shape and returns what follows "TAG[PID]: ".
 */
static const char *
syslog_body(const char *line, int pri, const char *tag)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char want[64];
	const char *p;
	int n;

	n = snprintf(want, sizeof(want), "<%d>", pri);
	if (strncmp(line, want, (size_t)n) != 0)
		return (NULL);
	p = line + n;
	/* "Nov 26 03:40:19 " or "Nov  6 03:40:19 " */
	if (strlen(p) < 16 || strstr(months, (char[]){ p[0], p[1], p[2],
	    '\0' }) == NULL || p[3] != ' ' || (p[4] != ' ' && (p[4] < '1' ||
	    p[4] > '3')) || p[5] < '0' || p[5] > '9' || p[6] != ' ' ||
	    p[9] != ':' || p[12] != ':' || p[15] != ' ')
		return (NULL);
	p += 16;
	snprintf(want, sizeof(want), "%s[%ld]: ", tag, (long)getpid());
	if (strncmp(p, want, strlen(want)) != 0)
		return (NULL);
	return (p + strlen(want));
}

static void
test_syslog(void)
{
	char dir[] = "/tmp/stasis-syslog.XXXXXX", path[128], line[8192];
	char big[5000];
	const char *body;
	int fd;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/log", dir);
	ok(log_to_syslog_path(LOG_DAEMON, path) == -1 &&
	    strstr(error_msg(), path) != NULL,
	    "syslog: no socket yet is an error naming it");
	fd = fake_syslogd(path);
	/* Not connected at set-up: the first message connects. */
	log_warn("to syslog %d", 7);
	recv_line(fd, 2000, line, sizeof(line));
	body = syslog_body(line, LOG_DAEMON | LOG_WARNING, "bectl");
	ok(body != NULL && strcmp(body, "to syslog 7") == 0,
	    "syslog: a warning arrives as <PRI>time tag[pid]: message");
	if (body == NULL)
		fprintf(stderr, "#   got '%s'\n", line);
	ok(log_to_syslog_path(LOG_LOCAL3, path) == 0,
	    "syslog: a listening socket connects at set-up");
	log_err("an error");
	recv_line(fd, 2000, line, sizeof(line));
	body = syslog_body(line, LOG_LOCAL3 | LOG_ERR, "bectl");
	ok(body != NULL && strcmp(body, "an error") == 0,
	    "syslog: facility and error priority");
	log_set_level(LOG_LVL_DEBUG);
	log_debug("dbg");
	recv_line(fd, 2000, line, sizeof(line));
	ok(syslog_body(line, LOG_LOCAL3 | LOG_DEBUG, "bectl") != NULL,
	    "syslog: debug priority");
	log_set_level(LOG_LVL_WARN);
	log_info("filtered");
	recv_line(fd, 200, line, sizeof(line));
	is_str(line, "", "syslog: the level filters before sending");
	/* syslogd restarted: a new socket at the same path. */
	close(fd);
	fd = fake_syslogd(path);
	log_warn("after restart");
	recv_line(fd, 2000, line, sizeof(line));
	body = syslog_body(line, LOG_LOCAL3 | LOG_WARNING, "bectl");
	ok(body != NULL && strcmp(body, "after restart") == 0,
	    "syslog: reconnects after syslogd restarts");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_warn("%s", big);
	recv_line(fd, 2000, line, sizeof(line));
	body = syslog_body(line, LOG_LOCAL3 | LOG_WARNING, "bectl");
	ok(body != NULL && strlen(body) == 4095 && body[0] == 'x',
	    "syslog: a long message is cut at 4095 bytes, still sent");
	close(fd);
	unlink(path);
	rmdir(dir);
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
	test_syslog();
	return (done_testing());
}
