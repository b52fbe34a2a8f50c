/*
 * Logging to stderr (default), to a file, or to syslog, and the program's
 * name as the user called it (stasis, jail, bectl...), which prefixes
 * every message.
 */
#ifndef STASIS_LOG_H
#define STASIS_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

extern const char	*progname;	/* "stasis", "jail", ... */
extern const char	*cmdname;	/* "be" under "stasis be", else NULL */

void	log_init(const char *ident, enum log_level);
int	log_to_file(const char *path);		/* -1 and error_set */
/* To syslog at /dev/log (_PATH_LOG), with the program name as tag. */
void	log_to_syslog(int facility);
/*
 * The same, at another unix datagram socket (a chroot's, a test's): -1
 * and error_set when it cannot connect now, though messages still go
 * there, each retrying the connection, as libc's syslog(3) does.
 */
int	log_to_syslog_path(int facility, const char *path);
void	log_set_level(enum log_level);
enum log_level log_get_level(void);

void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * For commands: print "progname: [cmdname: ]<prefix>: <error_msg()>"
 * ("stasis: be: create foo: dataset ... exists") to stderr and
 * return 1, the exit status.  `return fail("create %s", name);`
 */
int	fail(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Print "progname: <message>" to stderr; returns 1 (for usage errors). */
int	failx(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
