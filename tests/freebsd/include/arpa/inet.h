/* FreeBSD: include/arpa/inet.h */
#ifndef _ARPA_INET_H_
#define _ARPA_INET_H_
#include <sys/types.h>
#include <netinet/in.h>
const char	*inet_ntop(int, const void * __restrict, char * __restrict,
		    socklen_t);
int		 inet_pton(int, const char * __restrict, void * __restrict);
#endif
