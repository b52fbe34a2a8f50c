/*
 * haproxy's agent-check protocol: haproxy connects to the agent port,
 * sends its `agent-send` string (here: the app's name and a newline) and
 * reads one line of words back: "up", "down", "drain", "maint", "ready"
 * and a weight such as "75%".  The connection handling lives in the
 * daemon's event loop (serve.c); this file only decides the answer.
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "node_int.h"

static void
reply_app(struct app_state *a, struct buf *out)
{
	switch (a->admin) {
	case ADMIN_MAINT:
		buf_addstr(out, "maint\n");
		return;
	case ADMIN_DRAIN:
		buf_addstr(out, "drain\n");
		return;
	default:
		break;
	}
	if (!a->h.up || !a->h.jail_running) {
		buf_addstr(out, "down\n");
		return;
	}
	/* "ready" lifts a drain or maint an earlier answer set. */
	buf_printf(out, "up ready %d%%\n", a->weight);
}

/*
 * app is the line haproxy sent (NULL or "" when it sent none): then the
 * answer is the node's, up when any app serves.
 */
void
agent_reply(struct node *n, const char *app, struct buf *out)
{
	static char warned[NAME_MAX_LEN + 1];	/* the event loop's only */
	size_t i, napps;
	int ndrain = 0, nmaint = 0;

	pthread_mutex_lock(&n->mtx);
	if (app != NULL && *app != '\0') {
		for (i = 0; i < n->cf->napps; i++)
			if (strcmp(n->cf->apps[i].name, app) == 0)
				break;
		if (i < n->cf->napps)
			reply_app(n->apps[i], out);
		else
			buf_addstr(out, "down\n");
		pthread_mutex_unlock(&n->mtx);
		/* haproxy asks every agent-inter: say it once per name. */
		if (i == n->cf->napps && strncmp(warned, app,
		    sizeof(warned) - 1) != 0) {
			log_warn("agent: no app \"%.64s\" (check agent-send)",
			    app);
			str_lcpy(warned, app, sizeof(warned));
		}
		return;
	}
	for (i = 0; i < n->cf->napps; i++) {
		if (app_serving(n->apps[i])) {
			buf_addstr(out, "up ready 100%\n");
			pthread_mutex_unlock(&n->mtx);
			return;
		}
		ndrain += n->apps[i]->admin == ADMIN_DRAIN;
		nmaint += n->apps[i]->admin == ADMIN_MAINT;
	}
	napps = n->cf->napps;
	pthread_mutex_unlock(&n->mtx);
	if (napps == 0)
		buf_addstr(out, "up ready 100%\n");	/* as /_up says */
	else if (nmaint == (int)napps)
		buf_addstr(out, "maint\n");
	else if (ndrain > 0)
		buf_addstr(out, "drain\n");
	else
		buf_addstr(out, "down\n");
}
