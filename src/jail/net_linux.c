/*
 * The netlink calls that put jail addresses on the jail's own loopback,
 * in the jail's own network namespace (Linux only; see net.c for the
 * parsing).  Netlink, not ip(8): the jail's init does this after its
 * root has moved, and a fork+exec per address would double a jail's
 * start time.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "jail/jail_impl.h"

static int
nl_talk(struct nlmsghdr *req)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char reply[4096];
	struct nlmsghdr *h;
	struct nlmsgerr *e;
	ssize_t n;
	int fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return (error_sys("netlink socket"));
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = 1;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1) {
		close(fd);
		return (error_sys("netlink send"));
	}
	if ((n = recv(fd, reply, sizeof(reply), 0)) == -1) {
		close(fd);
		return (error_sys("netlink receive"));
	}
	close(fd);
	h = (struct nlmsghdr *)reply;
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(*e)) &&
	    h->nlmsg_type == NLMSG_ERROR) {
		e = NLMSG_DATA(h);
		if (e->error != 0) {
			errno = -e->error;
			return (error_sys("netlink"));
		}
	}
	return (0);
}

union nlreq {
	struct nlmsghdr	 h;
	char		 buf[512];
};

static void
nl_attr(union nlreq *r, int type, const void *data, size_t len)
{
	struct nlmsghdr *h = &r->h;
	struct rtattr *rta;

	rta = (struct rtattr *)(r->buf + NLMSG_ALIGN(h->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

int
jail_net_link_up(const char *ifname)
{
	union nlreq r;
	struct ifinfomsg *i;
	unsigned idx;

	if ((idx = if_nametoindex(ifname)) == 0)
		return (error_sys("interface %s", ifname));
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = RTM_NEWLINK;
	i = NLMSG_DATA(&r.h);
	i->ifi_family = AF_UNSPEC;
	i->ifi_index = idx;
	i->ifi_flags = IFF_UP;
	i->ifi_change = IFF_UP;
	if (nl_talk(&r.h) == -1)
		return (error_wrap("bring %s up", ifname));
	return (0);
}

int
jail_net_addr(int add, int family, const void *addr, int prefix,
    const char *ifname)
{
	union nlreq r;
	struct ifaddrmsg *a;
	unsigned idx;
	char text[INET6_ADDRSTRLEN];

	if ((idx = if_nametoindex(ifname)) == 0)
		return (error_sys("interface %s", ifname));
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.h.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	if (add)
		r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	a = NLMSG_DATA(&r.h);
	a->ifa_family = family;
	a->ifa_prefixlen = prefix;
	a->ifa_index = idx;
	a->ifa_scope = RT_SCOPE_UNIVERSE;
	nl_attr(&r, IFA_LOCAL, addr, family == AF_INET ? 4 : 16);
	nl_attr(&r, IFA_ADDRESS, addr, family == AF_INET ? 4 : 16);
	if (family == AF_INET6) {
		/* No duplicate address detection: the address is ours. */
		unsigned flags = IFA_F_NODAD;

		nl_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
	}
	if (nl_talk(&r.h) == -1) {
		inet_ntop(family, addr, text, sizeof(text));
		return (error_wrap("%s address %s/%d on %s", add ? "add" :
		    "delete", text, prefix, ifname));
	}
	return (0);
}
