/*
 * The jail feature as the node daemon sees it, through src/jail/jail.h:
 * is a jail running, and the `jls -v --libxo json` document.
 */
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "jail/jail.h"
#include "node_int.h"

const char *
node_rundir(struct node *n)
{
	/* Fixed at start (a reload refuses to move it): no lock. */
	if (n->rundir != NULL)
		return (n->rundir);
	return (jail_rundir());
}

/* 1 running, 0 not (an unreadable state counts as not, and is logged). */
int
node_jail_running(struct node *n, const char *jail)
{
	int r;

	if ((r = jail_is_running(node_rundir(n), jail)) == -1) {
		log_debug("jail %s: %s", jail, error_msg());
		return (0);
	}
	return (r);
}

int
node_jails_json(struct node *n, struct buf *out)
{
	return (jail_list_json(node_rundir(n), out));
}
