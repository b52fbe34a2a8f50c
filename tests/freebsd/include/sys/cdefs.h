/* FreeBSD: sys/sys/cdefs.h (the visibility macros used here). */
#ifndef _SYS_CDEFS_H_
#define _SYS_CDEFS_H_
#define __BSD_VISIBLE	1
#define __POSIX_VISIBLE	200809
#define __XSI_VISIBLE	700
#define __restrict	restrict
#define __dead2		__attribute__((__noreturn__))
#define __BEGIN_DECLS
#define __END_DECLS
#endif
