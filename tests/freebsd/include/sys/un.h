/* FreeBSD: sys/sys/un.h */
#ifndef _SYS_UN_H_
#define _SYS_UN_H_
#include <sys/types.h>
#include <sys/socket.h>
struct sockaddr_un {
	unsigned char	sun_len;
	sa_family_t	sun_family;
	char		sun_path[104];
};
#endif
