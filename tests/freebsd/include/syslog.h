/* FreeBSD: sys/sys/syslog.h */
#ifndef _SYS_SYSLOG_H_
#define _SYS_SYSLOG_H_
#include <stdarg.h>
#define _PATH_LOG	"/var/run/log"
#define _PATH_LOG_PRIV	"/var/run/logpriv"
#define LOG_EMERG	0
#define LOG_ALERT	1
#define LOG_CRIT	2
#define LOG_ERR		3
#define LOG_WARNING	4
#define LOG_NOTICE	5
#define LOG_INFO	6
#define LOG_DEBUG	7
#define LOG_KERN	(0<<3)
#define LOG_USER	(1<<3)
#define LOG_DAEMON	(3<<3)
#define LOG_AUTH	(4<<3)
#define LOG_LOCAL0	(16<<3)
#define LOG_LOCAL3	(19<<3)
#define LOG_PID		0x01
#define LOG_CONS	0x02
#define LOG_NDELAY	0x08
void	closelog(void);
void	openlog(const char *, int, int);
void	syslog(int, const char *, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
void	vsyslog(int, const char *, va_list);
#endif
