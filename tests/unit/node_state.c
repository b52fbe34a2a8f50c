/*
 * Unit tests: rise/fall hysteresis, the BGP gate's decision, the agent's
 * answers, the operator's requests and the state file's round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/path.h"
#include "node/node.h"
#include "node/node_int.h"
#include "tap.h"

static struct node *
mknode(const char *conf, const char *statefile)
{
	struct node_config *cf;
	struct node *n;
	size_t i;

	cf = node_config_parse(conf, strlen(conf), "test.conf");
	if (cf == NULL) {
		printf("# %s\n", error_msg());
		return (NULL);
	}
	free(cf->state);
	cf->state = xstrdup(statefile);
	n = xcalloc(1, sizeof(*n));
	n->cf = cf;
	pthread_mutex_init(&n->mtx, NULL);
	pthread_mutex_init(&n->save_mtx, NULL);
	pthread_cond_init(&n->cv, NULL);
	pthread_cond_init(&n->gate_cv, NULL);
	n->apps = xcalloc(cf->napps + 1, sizeof(*n->apps));
	pthread_rwlock_init(&n->cf_lock, NULL);
	for (i = 0; i < cf->napps; i++) {
		n->apps[i] = xcalloc(1, sizeof(*n->apps[i]));
		n->apps[i]->weight = cf->apps[i].weight;
		n->apps[i]->h.jail_running = 1;
	}
	n->px = xcalloc(cf->nprefixes + 1, sizeof(*n->px));
	state_load(n);
	return (n);
}

static void
freenode(struct node *n)
{
	size_t i;

	for (i = 0; i < n->cf->napps; i++)
		free(n->apps[i]);
	node_config_free(n->cf);
	free(n->apps);
	free(n->px);
	free(n);
}

static const char *
agent(struct node *n, const char *app)
{
	static struct buf b;

	buf_reset(&b);
	agent_reply(n, app, &b);
	return (buf_cstr(&b));
}

static const char *
ctl(struct node *n, const char *line)
{
	static struct buf b;

	buf_reset(&b);
	ctl_execute(n, line, strlen(line), &b);
	return (buf_cstr(&b));
}

/* Feed one probe result to app i, then recompute the gate. */
static int
feed(struct node *n, size_t i, int ok, int running)
{
	int c;

	c = health_record(n, &n->apps[i]->h, &n->cf->apps[i].check, ok,
	    running, n->cf->apps[i].name, ok ? "pass" : "fail");
	state_update_gate(n);
	return (c);
}

static const char conf[] =
    "apps:\n"
    "  web: {check: {tcp: 'h:1', interval: 1s, timeout: 1s, rise: 2,"
    " fall: 3}}\n"
    "  api: {check: {tcp: 'h:2', interval: 1s, timeout: 1s, rise: 1,"
    " fall: 1}}\n"
    "lb: {tcp: 'h:3', interval: 1s, timeout: 1s, rise: 1, fall: 1}\n"
    "bgp:\n"
    "  socket: /nonexistent\n"
    "  withdraw_within: 10s\n"
    "  prefixes:\n"
    "    192.0.2.1/32: {protocol: p1, apps: [web]}\n"
    "    192.0.2.2/32: {protocol: p2}\n";

int
main(void)
{
	struct node *n;
	char *dir, *sf;

	log_init("test", LOG_LVL_ERR);
	dir = path_mkdtemp("/tmp/stasis-node-state.XXXXXX");
	sf = xasprintf("%s/state.json", dir);
	n = mknode(conf, sf);
	ok(n != NULL, "node from config");
	if (n == NULL)
		return (done_testing());

	/* A configuration file whose name is not UTF-8 is still shown. */
	{
		struct buf st = BUF_INIT;

		n->conf_path = xstrdup("/etc/serve\xe9.conf");
		state_status_json(n, &st);
		ok(strstr(buf_cstr(&st), "\"file\": \"/etc/serve?.conf\"") !=
		    NULL, "status: a config path that is not UTF-8");
		buf_free(&st);
		free(n->conf_path);
		n->conf_path = NULL;
	}

	/* rise 2: one pass is not enough, two are. */
	ok(!feed(n, 0, 1, 1) && !n->apps[0]->h.up, "web: one pass, still down");
	ok(feed(n, 0, 1, 1) && n->apps[0]->h.up, "web: two passes, up");
	is_str(agent(n, "web"), "up ready 100%\n", "agent: up ready 100%");
	/* fall 3: two failures keep it up, a pass resets the count. */
	feed(n, 0, 0, 1);
	feed(n, 0, 0, 1);
	ok(n->apps[0]->h.up, "web: two failures, still up (fall 3)");
	feed(n, 0, 1, 1);
	feed(n, 0, 0, 1);
	feed(n, 0, 0, 1);
	ok(n->apps[0]->h.up, "web: a pass in between resets the count");
	ok(feed(n, 0, 0, 1) && !n->apps[0]->h.up, "web: third failure, down");
	is_str(agent(n, "web"), "down\n", "agent: down");
	feed(n, 0, 1, 1);
	feed(n, 0, 1, 1);
	ok(n->apps[0]->h.up, "web: up again");
	ok(feed(n, 0, 1, 0) && !n->apps[0]->h.up,
	    "web: jail stopped: down at once, whatever the check says");
	feed(n, 0, 1, 1);
	feed(n, 0, 1, 1);

	/* The gate: lb down keeps everything withdrawn. */
	ok(!n->px[0].want && !n->px[1].want, "gate closed while lb is down");
	health_record(n, &n->lb, &n->cf->lb, 1, 1, "lb", "pass");
	state_update_gate(n);
	ok(n->px[0].want && n->px[1].want, "lb up, web up: both announced");
	ok(n->gate_kick, "the BGP thread is woken");
	feed(n, 1, 1, 1);
	is_str(ctl(n, "drain web"), "{\"ok\": true, \"app\": \"web\", "
	    "\"admin\": \"drain\", \"was\": \"ready\", \"weight\": 100}\n",
	    "ctl: drain web");
	ok(!n->px[0].want, "web drained: its prefix is withdrawn");
	ok(n->px[1].want, "the prefix of all apps stays (api serves)");
	is_str(agent(n, "web"), "drain\n", "agent: drain");
	is_str(agent(n, NULL), "up ready 100%\n", "agent, no name: node up");
	ctl(n, "maint api");
	ok(!n->px[1].want, "api in maintenance too: all withdrawn");
	is_str(agent(n, "api"), "maint\n", "agent: maint");
	is_str(agent(n, NULL), "drain\n", "agent, no name: drain");
	ctl(n, "undrain web 75");
	is_str(agent(n, "web"), "up ready 75%\n", "agent: up ready 75%");
	ok(n->px[0].want, "web back: announced");
	ok(strstr(ctl(n, "drain nosuch"), "no app \\\"nosuch\\\"") != NULL,
	    "ctl: unknown app refused");
	ok(strstr(ctl(n, "status"), "\"192.0.2.1/32\"") != NULL,
	    "ctl: status lists the prefixes");
	is_str(agent(n, "nosuch"), "down\n", "agent: unknown app is down");

	/* The state file brings drains, weights and health back. */
	freenode(n);
	n = mknode(conf, sf);
	ok(n != NULL, "a second node from the same state file");
	is_int(n->apps[0]->weight, 75, "weight restored");
	is_int(n->apps[1]->admin, ADMIN_MAINT, "maint restored");
	ok(n->apps[0]->h.up && n->lb.up, "fresh health restored");
	state_update_gate(n);
	ok(n->px[0].want, "so the gate reopens as it was: no flap");
	feed(n, 0, 0, 1);
	feed(n, 0, 0, 1);
	ok(n->apps[0]->h.up, "restored up still needs fall failures");
	freenode(n);

	/* Too old: health is not trusted, the operator's settings are. */
	{
		struct node *m;
		char *cmd = xasprintf("sed -i 's/\"saved\": [0-9]*/"
		    "\"saved\": 1000/' %s", sf);

		ok(system(cmd) == 0, "age the state file");
		free(cmd);
		m = mknode(conf, sf);
		ok(m != NULL && !m->apps[0]->h.up, "stale health ignored");
		ok(m != NULL && m->apps[0]->weight == 75,
		    "stale file: weight still restored");
		if (m != NULL)
			freenode(m);
	}
	unlink(sf);
	rmdir(dir);
	free(sf);
	free(dir);
	return (done_testing());
}
