/* FreeBSD: include/stddef.h */
#ifndef _STDDEF_H_
#define _STDDEF_H_
#include <sys/_types.h>
typedef __size_t	size_t;
typedef __ptrdiff_t	ptrdiff_t;
typedef int		wchar_t;
#ifndef NULL
#define NULL	((void *)0)
#endif
#define offsetof(type, field)	__builtin_offsetof(type, field)
#endif
