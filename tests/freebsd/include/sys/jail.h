/* FreeBSD: sys/sys/jail.h (userland part); jail(2). */
#ifndef _SYS_JAIL_H_
#define _SYS_JAIL_H_
#include <sys/types.h>

struct in_addr;
struct in6_addr;

struct jail {
	uint32_t	 version;
	char		*path;
	char		*hostname;
	char		*jailname;
	uint32_t	 ip4s;
	uint32_t	 ip6s;
	struct in_addr	*ip4;
	struct in6_addr	*ip6;
};
#define JAIL_API_VERSION	2

/* Flags for jail_set and jail_get. */
#define JAIL_CREATE	0x01	/* Create jail if it doesn't exist */
#define JAIL_UPDATE	0x02	/* Update parameters of existing jail */
#define JAIL_ATTACH	0x04	/* Attach to jail upon creation */
#define JAIL_DYING	0x08	/* Allow getting a dying jail */
#define JAIL_SET_MASK	0x0f
#define JAIL_GET_MASK	0x08

/* Values of the "jailsys" parameters (vnet, host, ip4, ip6, sysv*). */
#define JAIL_SYS_DISABLE	0
#define JAIL_SYS_NEW		1
#define JAIL_SYS_INHERIT	2

struct iovec;

int	jail(struct jail *);
int	jail_set(struct iovec *, unsigned int, int);
int	jail_get(struct iovec *, unsigned int, int);
int	jail_attach(int);
int	jail_remove(int);
#endif
