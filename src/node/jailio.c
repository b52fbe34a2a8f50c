/*
 * The jail feature as the node daemon sees it: is a jail running, and
 * the `jls -v --libxo json` document.  src/jail is built by its own
 * helper; until it is in the tree these references are weak and the
 * daemon says at start-up that jail state is not available.
 */
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "node_int.h"

const char	*jail_rundir(void) __attribute__((weak));
int		 jail_is_running(const char *, const char *)
		    __attribute__((weak));
int		 jail_list_json(const char *, struct buf *)
		    __attribute__((weak));

int
node_jail_support(void)
{
	return (jail_is_running != NULL && jail_list_json != NULL);
}

const char *
node_rundir(struct node *n)
{
	if (n->cf->rundir != NULL)
		return (n->cf->rundir);
	if (jail_rundir != NULL)
		return (jail_rundir());
	return (NULL);
}

/* 1 running, 0 not; without jail support, an app's jail counts as up. */
int
node_jail_running(struct node *n, const char *jail)
{
	if (jail_is_running == NULL)
		return (1);
	return (jail_is_running(node_rundir(n), jail) == 1);
}

int
node_jails_json(struct node *n, struct buf *out)
{
	if (jail_list_json == NULL)
		return (error_set("jail support is not built into this "
		    "stasis"));
	return (jail_list_json(node_rundir(n), out));
}

int
node_jails_error_status(void)
{
	return (jail_list_json == NULL ? 501 : 500);
}
