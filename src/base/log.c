/*
 * Logging to stderr, a file or syslog.  Lines to a file carry an ISO 8601
 * UTC timestamp so they sort and parse; stderr lines do not, since the
 * terminal or the service manager adds its own.
 */
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

void
log_to_syslog(int facility)
{
	openlog(progname, LOG_PID | LOG_NDELAY, facility);
	use_syslog = 1;
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
		syslog(prio[lvl], "%s", msg);
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
