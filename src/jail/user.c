/*
 * passwd(5) and group(5) lookups in a given root, without NSS: the
 * binary is static and the jail's files are not the host's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "jail/jail_impl.h"

static int
numeric(const char *s, long long *n)
{
	if (str_tonum(s, 0, 0x7fffffff, n) == -1) {
		error_clear();
		return (0);
	}
	return (1);
}

int
jail_user_lookup(const char *root, const char *name, struct jail_user *u)
{
	char *path, line[1024], *f[7], *p;
	FILE *fp;
	long long n;
	int i, found = 0;

	memset(u, 0, sizeof(*u));
	path = xasprintf("%s/etc/passwd", strcmp(root, "/") ? root : "");
	if ((fp = fopen(path, "re")) == NULL) {
		error_sys("%s", path);
		free(path);
		return (-1);
	}
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		p = line;
		for (i = 0; i < 7; i++)
			f[i] = strsep(&p, ":");
		if (f[6] == NULL)
			continue;
		if (strcmp(f[0], name) != 0 &&
		    !(numeric(name, &n) && numeric(f[2], &n) &&
		    strcmp(f[2], name) == 0))
			continue;
		if (!numeric(f[2], &n))
			continue;
		u->uid = n;
		if (!numeric(f[3], &n))
			continue;
		u->gid = n;
		str_lcpy(u->name, f[0], sizeof(u->name));
		str_lcpy(u->home, *f[5] ? f[5] : "/", sizeof(u->home));
		str_lcpy(u->shell, *f[6] ? f[6] : "/bin/sh",
		    sizeof(u->shell));
		found = 1;
	}
	fclose(fp);
	free(path);
	if (!found)
		return (error_set("unknown user \"%s\"", name));
	u->groups[u->ngroups++] = u->gid;
	path = xasprintf("%s/etc/group", strcmp(root, "/") ? root : "");
	if ((fp = fopen(path, "re")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL &&
		    u->ngroups < 64) {
			char *m, *mem;

			line[strcspn(line, "\n")] = '\0';
			p = line;
			for (i = 0; i < 4; i++)
				f[i] = strsep(&p, ":");
			if (f[3] == NULL || !numeric(f[2], &n))
				continue;
			mem = f[3];
			while ((m = strsep(&mem, ",")) != NULL)
				if (strcmp(m, u->name) == 0 &&
				    (gid_t)n != u->gid)
					u->groups[u->ngroups++] = n;
		}
		fclose(fp);
	}
	free(path);
	return (0);
}
