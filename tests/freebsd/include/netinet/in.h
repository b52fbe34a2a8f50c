/* FreeBSD: sys/netinet/in.h, sys/netinet6/in6.h (addresses only) */
#ifndef _NETINET_IN_H_
#define _NETINET_IN_H_
#include <sys/types.h>
#include <sys/socket.h>
typedef __in_addr_t	in_addr_t;
typedef __uint16_t	in_port_t;
struct in_addr {
	in_addr_t s_addr;
};
struct in6_addr {
	union {
		uint8_t		__u6_addr8[16];
		uint16_t	__u6_addr16[8];
		uint32_t	__u6_addr32[4];
	} __u6_addr;
};
#define s6_addr		__u6_addr.__u6_addr8
struct sockaddr_in {
	uint8_t		sin_len;
	sa_family_t	sin_family;
	in_port_t	sin_port;
	struct in_addr	sin_addr;
	char		sin_zero[8];
};
struct sockaddr_in6 {
	uint8_t		sin6_len;
	sa_family_t	sin6_family;
	in_port_t	sin6_port;
	uint32_t	sin6_flowinfo;
	struct in6_addr	sin6_addr;
	uint32_t	sin6_scope_id;
};
#define INET_ADDRSTRLEN		16
#define INET6_ADDRSTRLEN	46
uint32_t	htonl(uint32_t);
uint16_t	htons(uint16_t);
uint32_t	ntohl(uint32_t);
uint16_t	ntohs(uint16_t);
#endif
