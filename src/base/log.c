/*
 * Logging to stderr, a file or syslog.  Lines to a file carry an ISO 8601
 * UTC timestamp so they sort and parse; stderr lines do not, since the
 * terminal or the service manager adds its own.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

const char	*progname = "stasis";
const char	*cmdname;

static enum log_level	 level = LOG_LVL_INFO;
static FILE		*logfile;
static int		 use_syslog;
static int		 syslog_fd = -1;
static int		 syslog_facility;
static struct sockaddr_un syslog_addr;
static pthread_mutex_t	 logmtx = PTHREAD_MUTEX_INITIALIZER;

void
log_init(const char *ident, enum log_level lvl)
{
	progname = ident;
	level = lvl;
}

int
log_to_file(const char *path)
{
	FILE *f;

	if ((f = fopen(path, "a")) == NULL)
		return (error_sys("open log file %s", path));
	setvbuf(f, NULL, _IOLBF, 0);
	pthread_mutex_lock(&logmtx);
	if (logfile != NULL)
		fclose(logfile);
	logfile = f;
	pthread_mutex_unlock(&logmtx);
	return (0);
}

/*
 * Our own syslog(3) client rather than libc's, which can only talk to
 * _PATH_LOG: the same code then runs against /dev/log and against a
 * socket a test binds.  Called with logmtx held (or before threads).
 */
static int
syslog_connect(void)
{
	int fd;

	if (syslog_fd != -1)
		return (0);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&syslog_addr,
	    sizeof(syslog_addr)) == -1) {
		close(fd);
		return (-1);
	}
	syslog_fd = fd;
	return (0);
}

int
log_to_syslog_path(int facility, const char *path)
{
	int rc, saved;

	if (strlen(path) >= sizeof(syslog_addr.sun_path))
		return (error_set("syslog socket %s: path too long", path));
	pthread_mutex_lock(&logmtx);
	if (syslog_fd != -1)
		close(syslog_fd);
	syslog_fd = -1;
	memset(&syslog_addr, 0, sizeof(syslog_addr));
	syslog_addr.sun_family = AF_UNIX;
	memcpy(syslog_addr.sun_path, path, strlen(path));
	syslog_facility = facility;
	use_syslog = 1;
	/* A syslogd not up yet is retried at each message, as libc's. */
	rc = syslog_connect();
	saved = errno;
	pthread_mutex_unlock(&logmtx);
	errno = saved;
	if (rc == -1)
		return (error_sys("syslog socket %s", path));
	return (0);
}

void
log_to_syslog(int facility)
{
	(void)log_to_syslog_path(facility, _PATH_LOG);
}

/*
 * One datagram as libc's syslog(3) with LOG_PID writes it:
 * "<PRI>Mmm dd hh:mm:ss TAG[PID]: message".  A failed send reconnects
 * once (syslogd restarted); after that the message is dropped, as libc
 * drops it without LOG_CONS.
 */
static void
syslog_send(int prio, const char *msg)
{
	char line[4096 + 256], ts[32];
	struct tm tm;
	time_t now;
	int n, try;

	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%h %e %T", &tm);
	n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: %s",
	    syslog_facility | prio, ts, progname, (long)getpid(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	pthread_mutex_lock(&logmtx);
	for (try = 0; try < 2; try++) {
		if (syslog_connect() == -1)
			break;
		if (send(syslog_fd, line, (size_t)n, MSG_NOSIGNAL) == n)
			break;
		close(syslog_fd);
		syslog_fd = -1;
	}
	pthread_mutex_unlock(&logmtx);
}

void
log_set_level(enum log_level lvl)
{
	level = lvl;
}

enum log_level
log_get_level(void)
{
	return (level);
}

static void
vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
	    LOG_DEBUG };
	char msg[4096], ts[32];
	struct tm tm;
	time_t now;

	if (lvl > level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (use_syslog) {
		syslog_send(prio[lvl], msg);
		return;
	}
	pthread_mutex_lock(&logmtx);
	if (logfile != NULL) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(logfile, "%s %s[%ld]: %s\n", ts, progname,
		    (long)getpid(), msg);
	} else
		fprintf(stderr, "%s: %s\n", progname, msg);
	pthread_mutex_unlock(&logmtx);
}

#define LOGFN(name, lvl)						\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
	int saved = errno;						\
									\
	va_start(ap, fmt);						\
	vlog(lvl, fmt, ap);						\
	va_end(ap);							\
	errno = saved;							\
}

LOGFN(log_err, LOG_LVL_ERR)
LOGFN(log_warn, LOG_LVL_WARN)
LOGFN(log_info, LOG_LVL_INFO)
LOGFN(log_debug, LOG_LVL_DEBUG)

static void
vprefix(FILE *f, const char *fmt, va_list ap)
{
	fprintf(f, "%s: ", progname);
	if (cmdname != NULL)
		fprintf(f, "%s: ", cmdname);
	if (fmt != NULL && fmt[0] != '\0')
		vfprintf(f, fmt, ap);
}

int
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprefix(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", fmt != NULL && fmt[0] != '\0' ? ": " : "",
	    error_msg());
	return (1);
}

int
failx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprefix(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return (1);
}
