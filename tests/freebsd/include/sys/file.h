/* FreeBSD: sys/sys/file.h (userland: flock(2) comes with sys/fcntl.h) */
#ifndef _SYS_FILE_H_
#define _SYS_FILE_H_
#include <sys/types.h>
#include <fcntl.h>
#endif
