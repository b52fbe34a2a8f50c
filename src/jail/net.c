/*
 * Jail addresses: ip4.addr and ip6.addr values ("lo0|10.0.0.1/24" as
 * jail.conf writes them), parsed the same on every platform.  Putting
 * them on an interface is the platform's: netlink in net_linux.c, the
 * jail's own parameters (and ifconfig aliases) in jail_freebsd.c.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "jail/jail_impl.h"

int
jail_addr_parse(const char *value, int family, void *addr, int *prefix,
    char *text, size_t textlen)
{
	const char *p, *slash;
	char a[INET6_ADDRSTRLEN + 1];
	long long n;
	int max = family == AF_INET ? 32 : 128;
	size_t len;

	/* "iface|addr": where the address goes is the platform's. */
	p = (p = strchr(value, '|')) != NULL ? p + 1 : value;
	slash = strchr(p, '/');
	len = slash != NULL ? (size_t)(slash - p) : strlen(p);
	if (len == 0 || len >= sizeof(a))
		return (error_set("invalid address \"%s\"", value));
	memcpy(a, p, len);
	a[len] = '\0';
	if (inet_pton(family, a, addr) != 1)
		return (error_set("invalid %s address \"%s\"",
		    family == AF_INET ? "IPv4" : "IPv6", value));
	*prefix = max;
	if (slash != NULL) {
		/* IPv4 netmasks may be dotted: 255.255.255.0 */
		struct in_addr m;

		if (family == AF_INET && strchr(slash + 1, '.') != NULL &&
		    inet_pton(AF_INET, slash + 1, &m) == 1) {
			*prefix = __builtin_popcount(m.s_addr);
		} else if (str_tonum(slash + 1, 0, max, &n) == -1) {
			error_clear();
			return (error_set("invalid prefix in \"%s\"", value));
		} else
			*prefix = (int)n;
	}
	if (text != NULL)
		inet_ntop(family, addr, text, textlen);
	return (0);
}

int
jail_addr_check(const char *param, const char *value)
{
	unsigned char addr[16];
	int prefix;

	if (jail_addr_parse(value, strcmp(param, "ip4.addr") == 0 ?
	    AF_INET : AF_INET6, addr, &prefix, NULL, 0) == -1)
		return (error_wrap("%s", param));
	return (0);
}
