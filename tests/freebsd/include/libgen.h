/* FreeBSD: include/libgen.h */
#ifndef _LIBGEN_H_
#define _LIBGEN_H_
char	*basename(char *);
char	*dirname(char *);
#endif
