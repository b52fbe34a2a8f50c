/*
 * `stasis serve --hooks FILE`: the webhook endpoints of `stasis hooks`
 * served by the node daemon's own HTTP listeners, so a node runs one
 * daemon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/http.h"
#include "base/log.h"
#include "node_int.h"

#include "hooks/hooks.h"

void *
node_hooks_load(const struct node_config *cf, const char *file)
{
	struct hooks_opts o;
	struct hooks *h;
	const char *files[1] = { file };

	memset(&o, 0, sizeof(o));
	o.files = files;
	o.nfiles = 1;
	o.max_runs = (unsigned int)cf->hooks_max_runs;
	/* Rounded up: a timeout set below a second is not none. */
	o.run_timeout_s = (unsigned int)((cf->hooks_run_timeout_ms + 999) /
	    1000);
	if ((h = hooks_open(&o)) == NULL) {
		error_wrap("hooks %s", file);
		return (NULL);
	}
	log_info("hooks: %zu hooks from %s under /hooks/", hooks_count(h),
	    file);
	return (h);
}

int
node_hooks_open(struct node *n, const struct node_config *cf,
    const char *file)
{
	if ((n->hooks = node_hooks_load(cf, file)) == NULL)
		return (-1);
	free(n->hooks_file);
	n->hooks_file = xstrdup(file);
	return (0);
}

/* Re-read the open hooks file; -1 (and the running hooks stay) if bad. */
int
node_hooks_reread(struct node *n)
{
	if (n->hooks == NULL)
		return (0);
	if (hooks_reload(n->hooks) == -1)
		return (error_wrap("hooks %s", n->hooks_file));
	return (0);
}

/*
 * A replaced hooks object may still have commands running, which hold
 * it: it is closed at stop, not now, so that a reload never waits.
 */
void
node_hooks_retire(struct node *n, void *h)
{
	if (h == NULL)
		return;
	if (n->nold_hooks == sizeof(n->old_hooks) / sizeof(n->old_hooks[0]))
		hooks_close(n->old_hooks[--n->nold_hooks]);
	n->old_hooks[n->nold_hooks++] = h;
}

size_t
node_hooks_count(void *h)
{
	return (h != NULL ? hooks_count(h) : 0);
}

int
node_hooks_handle(struct node *n, struct http_request *req,
    struct http_response *resp)
{
	return (hooks_handle(n->hooks, req, resp) == 1 ? 0 : -1);
}

void
node_hooks_close(struct node *n)
{
	size_t i;

	if (n->hooks != NULL)
		hooks_close(n->hooks);
	n->hooks = NULL;
	for (i = 0; i < n->nold_hooks; i++)
		hooks_close(n->old_hooks[i]);
	n->nold_hooks = 0;
	free(n->hooks_file);
	n->hooks_file = NULL;
}

