/* FreeBSD: sys/sys/socket.h, sys/sys/_sockaddr_storage.h */
#ifndef _SYS_SOCKET_H_
#define _SYS_SOCKET_H_
#include <sys/types.h>
typedef __socklen_t	socklen_t;
typedef __sa_family_t	sa_family_t;
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_CLOEXEC	0x10000000
#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	28
#define PF_INET		AF_INET
#define PF_INET6	AF_INET6
struct sockaddr {
	unsigned char	sa_len;
	sa_family_t	sa_family;
	char		sa_data[14];
};
#define MSG_NOSIGNAL	0x20000
int	connect(int, const struct sockaddr *, socklen_t);
ssize_t	send(int, const void *, size_t, int);
int	socket(int, int, int);
int	socketpair(int, int, int, int *);
#endif
