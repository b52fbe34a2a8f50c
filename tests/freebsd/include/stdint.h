/* FreeBSD: include/stdint.h, sys/sys/_stdint.h, sys/x86/include/_stdint.h */
#ifndef _SYS_STDINT_H_
#define _SYS_STDINT_H_
#include <sys/_types.h>
typedef __int8_t	int8_t;
typedef __int16_t	int16_t;
typedef __int32_t	int32_t;
typedef __int64_t	int64_t;
typedef __uint8_t	uint8_t;
typedef __uint16_t	uint16_t;
typedef __uint32_t	uint32_t;
typedef __uint64_t	uint64_t;
typedef __intptr_t	intptr_t;
typedef __uintptr_t	uintptr_t;
typedef __intmax_t	intmax_t;
typedef __uintmax_t	uintmax_t;
#define INT32_MAX	0x7fffffff
#define UINT32_MAX	0xffffffffU
#define INT64_MAX	0x7fffffffffffffffL
#define UINT64_MAX	0xffffffffffffffffUL
#define SIZE_MAX	UINT64_MAX
#endif
