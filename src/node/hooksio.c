/*
 * `stasis serve --hooks FILE`: the webhook endpoints of `stasis hooks`
 * served by the node daemon's own HTTP listeners, so a node runs one
 * daemon.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/http.h"
#include "base/log.h"
#include "node_int.h"

#include "hooks/hooks.h"

int
node_hooks_open(struct node *n, const char *file)
{
	struct hooks_opts o;
	const char *files[1] = { file };

	memset(&o, 0, sizeof(o));
	o.files = files;
	o.nfiles = 1;
	if ((n->hooks = hooks_open(&o)) == NULL)
		return (error_wrap("--hooks %s", file));
	log_info("hooks: %zu hooks from %s under /hooks/",
	    hooks_count(n->hooks), file);
	return (0);
}

int
node_hooks_handle(struct node *n, struct http_request *req,
    struct http_response *resp)
{
	return (hooks_handle(n->hooks, req, resp) == 1 ? 0 : -1);
}

void
node_hooks_reload(struct node *n)
{
	if (n->hooks == NULL)
		return;
	if (hooks_reload(n->hooks) == -1)
		log_warn("hooks: reload: %s (keeping the running hooks)",
		    error_msg());
	else
		log_info("hooks: reloaded, %zu hooks", hooks_count(n->hooks));
}

void
node_hooks_close(struct node *n)
{
	if (n->hooks != NULL)
		hooks_close(n->hooks);
	n->hooks = NULL;
}

