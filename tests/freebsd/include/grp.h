/* FreeBSD: include/grp.h */
#ifndef _GRP_H_
#define _GRP_H_
#include <sys/types.h>
struct group {
	char	*gr_name;
	char	*gr_passwd;
	gid_t	 gr_gid;
	char	**gr_mem;
};
struct group	*getgrgid(gid_t);
struct group	*getgrnam(const char *);
int		 getgrouplist(const char *, gid_t, gid_t *, int *);
int		 initgroups(const char *, gid_t);
#endif
