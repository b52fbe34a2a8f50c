/* FreeBSD: include/netdb.h (getaddrinfo only) */
#ifndef _NETDB_H_
#define _NETDB_H_
#include <sys/types.h>
#include <sys/socket.h>
struct addrinfo {
	int		 ai_flags;
	int		 ai_family;
	int		 ai_socktype;
	int		 ai_protocol;
	socklen_t	 ai_addrlen;
	char		*ai_canonname;
	struct sockaddr	*ai_addr;
	struct addrinfo	*ai_next;
};
#define AI_PASSIVE	0x00000001
#define AI_CANONNAME	0x00000002
#define AI_NUMERICHOST	0x00000004
int		 getaddrinfo(const char *, const char *,
		    const struct addrinfo *, struct addrinfo **);
void		 freeaddrinfo(struct addrinfo *);
const char	*gai_strerror(int);
#endif
