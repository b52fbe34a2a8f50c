/*
 * Reload (SIGHUP, or `reload` on the control socket): read serve.conf
 * again and apply what changed, the way haproxy or relayd do.  The new
 * file is parsed and checked completely first; if anything is wrong the
 * running configuration stays untouched and the error is kept for
 * `stasis status`.  Only then is it swapped in, keeping whatever did not
 * change:
 *
 *  - an app that stays keeps its state: drain/maint, weight (unless the
 *    file's weight for it changed), health; when its check or jail
 *    changed, its check thread is replaced and the new check starts from
 *    the old health (it takes `fall` failures to go down, `rise` passes
 *    to come up), so editing an interval does not flap anything;
 *  - new apps start unchecked (down), removed apps' checks stop and
 *    their state goes;
 *  - a prefix that stays keeps its gate and BIRD state: the gate thread
 *    only acts on a difference, so it is not withdrawn and re-announced;
 *    a removed prefix's protocol is disabled in BIRD; a new one follows
 *    the gate;
 *  - the hooks file is read again (a new path is opened first).
 *
 *  - the TLS certificate, key and client CA are read again (renewed in
 *    place, or other paths) and served to new connections.
 *
 * What needs a socket bound again (listen, agent, control, turning TLS
 * on or off) or moves files the daemon holds (state, rundir), and the
 * HTTP thread count, are not changed by a reload: a file that changes
 * them is refused with a message saying a restart is needed.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/http.h"
#include "base/err.h"
#include "base/log.h"
#include "node_int.h"

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static int
same_strv(const struct strv *a, const struct strv *b)
{
	size_t i;

	if (a->n != b->n)
		return (0);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return (0);
	return (1);
}

/* The keys a reload cannot change; -1 and error_set naming them. */
static int
fixed_keys(const struct node_config *o, const struct node_config *c)
{
	struct buf b = BUF_INIT;
	int r = 0;

#define FIXED(cond, name)	do {					\
	if (!(cond))							\
		buf_printf(&b, "%s%s", b.len ? ", " : "", name);	\
} while (0)
	FIXED(same_strv(&o->listen, &c->listen), "listen");
	FIXED(same(o->agent, c->agent), "agent");
	FIXED(same(o->control, c->control), "control");
	FIXED(same(o->state, c->state), "state");
	FIXED(same(o->rundir, c->rundir), "rundir");
	/* Plain HTTP and HTTPS listeners differ; certificates can swap. */
	FIXED((o->tls_cert == NULL) == (c->tls_cert == NULL), "tls");
	FIXED(o->threads == c->threads, "threads");
#undef FIXED
	if (b.len > 0)
		r = error_set("%s changed: a reload cannot apply %s, restart "
		    "stasis serve for it", buf_cstr(&b),
		    strchr(buf_cstr(&b), ',') ? "them" : "it");
	buf_free(&b);
	return (r);
}

static struct node_config *
load_new(struct node *n)
{
	struct node_config *cf;
	size_t i;

	if ((cf = node_config_load(n->conf_path)) == NULL)
		return (NULL);
	/* The command line still wins, as it did at start. */
	for (i = 0; i + 1 < n->sets.n; i += 2)
		if (node_config_set(cf, n->sets.v[i], n->sets.v[i + 1]) ==
		    -1) {
			node_config_free(cf);
			return (NULL);
		}
	if (fixed_keys(n->cf, cf) == -1) {
		node_config_free(cf);
		return (NULL);
	}
	return (cf);
}

static ssize_t
find_app_named(const struct node_config *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->napps; i++)
		if (strcmp(cf->apps[i].name, name) == 0)
			return ((ssize_t)i);
	return (-1);
}

static ssize_t
find_prefix(const struct node_config *cf, const char *prefix)
{
	size_t i;

	for (i = 0; i < cf->nprefixes; i++)
		if (strcmp(cf->prefixes[i].prefix, prefix) == 0)
			return ((ssize_t)i);
	return (-1);
}

static int
protocol_used(const struct node_config *cf, const char *protocol)
{
	size_t i;

	for (i = 0; i < cf->nprefixes; i++)
		if (strcmp(cf->prefixes[i].protocol, protocol) == 0)
			return (1);
	return (0);
}

/* The gating apps of a prefix, by name (indexes differ between files). */
static int
same_gate_apps(const struct node_config *oc, const struct prefix_conf *op,
    const struct node_config *nc, const struct prefix_conf *np)
{
	size_t k;

	if (op->napps != np->napps)
		return (0);
	for (k = 0; k < op->napps; k++)
		if (strcmp(oc->apps[op->apps[k]].name,
		    nc->apps[np->apps[k]].name) != 0)
			return (0);
	return (1);
}

static void
note(struct buf *sum, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct buf *sum, const char *fmt, ...)
{
	va_list ap;
	char tmp[512];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_printf(sum, "%s%s", sum->len ? "; " : "", tmp);
}

static void
note_settings(const struct node_config *o, const struct node_config *c,
    struct buf *sum)
{
	if (o->jails_ttl_ms != c->jails_ttl_ms)
		note(sum, "jails_ttl %d ms", c->jails_ttl_ms);
	if (o->state_max_age_s != c->state_max_age_s)
		note(sum, "state_max_age %d s", c->state_max_age_s);
	if (o->agent_wait_ms != c->agent_wait_ms)
		note(sum, "agent_wait %d ms", c->agent_wait_ms);
	if (!same(o->bird_socket, c->bird_socket))
		note(sum, "bgp socket %s", c->bird_socket ? c->bird_socket :
		    "removed");
	if (o->withdraw_ms != c->withdraw_ms)
		note(sum, "withdraw_within %d ms", c->withdraw_ms);
	if (o->bird_interval_ms != c->bird_interval_ms)
		note(sum, "bgp interval %d ms", c->bird_interval_ms);
	if (o->withdraw_on_exit != c->withdraw_on_exit)
		note(sum, "withdraw_on_exit %s", c->withdraw_on_exit ? "on" :
		    "off");
}

static void
reload_failed(struct node *n)
{
	char msg[sizeof(n->reload_error)];

	str_lcpy(msg, error_msg(), sizeof(msg));
	str_lcpy(n->reload_error, msg, sizeof(n->reload_error));
	/* For status's JSON: the file's bytes, or a character cut short. */
	str_utf8_clean(n->reload_error);
	log_err("reload: %s (the running configuration stays)", msg);
	error_set("%s (the running configuration stays)", msg);
}

int
node_reload(struct node *n, struct buf *sum)
{
	struct node_config *cf, *old;
	struct app_state **apps, *a;
	struct prefix_state *px;
	struct app_state **gone = NULL;
	const char *hpath;
	void *newhooks = NULL;
	struct http_tls *newtls = NULL;
	size_t i, ngone = 0;
	ssize_t j, *pxfrom;
	int *restart = NULL, lb_restart = 0, hooks_gone = 0;

	n->reload_tried = now_wall();
	if (n->conf_path == NULL) {
		/* Started on flags alone: only the hooks can be re-read. */
		if (node_hooks_reread(n) == -1) {
			reload_failed(n);
			return (-1);
		}
		buf_addstr(sum, n->hooks ? "no configuration file; hooks "
		    "reloaded" : "no configuration file: nothing to reload");
		n->reload_error[0] = '\0';
		log_info("reload: %s", buf_cstr(sum));
		return (0);
	}
	if ((cf = load_new(n)) == NULL) {
		reload_failed(n);
		return (-1);
	}
	old = n->cf;

	/* TLS: renewed (or other) files are read and checked first. */
	if (cf->tls_cert != NULL && n->nhttp > 0 &&
	    (newtls = web_tls_load(cf)) == NULL) {
		error_wrap("tls");
		node_config_free(cf);
		reload_failed(n);
		return (-1);
	}

	/* Hooks: a new file is opened before anything changes. */
	hpath = n->opt_hooks ? n->opt_hooks : cf->hooks;
	if (hpath != NULL && !n->hooks_capable) {
		error_set("hooks: added: the listeners were started without "
		    "webhooks, restart stasis serve for them");
		http_tls_free(newtls);
		node_config_free(cf);
		reload_failed(n);
		return (-1);
	}
	/* Changed run limits need the file opened anew, as a new path does. */
	if (hpath != NULL && n->hooks != NULL && same(hpath, n->hooks_file) &&
	    cf->hooks_max_runs == old->hooks_max_runs &&
	    cf->hooks_run_timeout_ms == old->hooks_run_timeout_ms) {
		if (node_hooks_reread(n) == -1) {
			http_tls_free(newtls);
			node_config_free(cf);
			reload_failed(n);
			return (-1);
		}
	} else if (hpath != NULL) {
		if ((newhooks = node_hooks_load(cf, hpath)) == NULL) {
			http_tls_free(newtls);
			node_config_free(cf);
			reload_failed(n);
			return (-1);
		}
	} else if (n->hooks != NULL)
		hooks_gone = 1;

	/* From here on nothing can fail: build the new tables. */
	if (newtls != NULL) {
		char what[320];

		for (i = 0; i < n->nhttp; i++)
			(void)http_server_set_tls(n->http[i], newtls);
		if (n->tls == NULL || !http_tls_same(n->tls, newtls)) {
			http_tls_summary(newtls, what, sizeof(what));
			note(sum, "tls: serving %s", what);
		}
		http_tls_free(n->tls);
		n->tls = newtls;
	}
	apps = xcalloc(cf->napps + 1, sizeof(*apps));
	restart = xcalloc(cf->napps + 1, sizeof(*restart));
	for (i = 0; i < cf->napps; i++) {
		const struct app_conf *nc = &cf->apps[i];

		if ((j = find_app_named(old, nc->name)) == -1) {
			apps[i] = xcalloc(1, sizeof(*apps[i]));
			apps[i]->weight = nc->weight;
			apps[i]->h.jail_running = nc->jail == NULL;
			restart[i] = 1;
			note(sum, "app %s added", nc->name);
			continue;
		}
		apps[i] = n->apps[j];
		if (!check_conf_equal(&old->apps[j].check, &nc->check) ||
		    !same(old->apps[j].jail, nc->jail)) {
			restart[i] = 1;
			note(sum, "app %s: %s changed", nc->name,
			    same(old->apps[j].jail, nc->jail) ? "check" :
			    "jail");
		}
		if (old->apps[j].weight != nc->weight)
			note(sum, "app %s: weight %d%%", nc->name, nc->weight);
	}
	gone = xcalloc(old->napps + 1, sizeof(*gone));
	for (i = 0; i < old->napps; i++)
		if (find_app_named(cf, old->apps[i].name) == -1) {
			gone[ngone++] = n->apps[i];
			note(sum, "app %s removed", old->apps[i].name);
		}
	if (old->has_lb != cf->has_lb || (cf->has_lb &&
	    !check_conf_equal(&old->lb, &cf->lb))) {
		lb_restart = 1;
		note(sum, "lb %s", !cf->has_lb ? "removed" : !old->has_lb ?
		    "added" : "check changed");
	}
	px = xcalloc(cf->nprefixes + 1, sizeof(*px));
	pxfrom = xcalloc(cf->nprefixes + 1, sizeof(*pxfrom));
	for (i = 0; i < cf->nprefixes; i++) {
		const struct prefix_conf *np = &cf->prefixes[i];

		pxfrom[i] = -1;
		j = find_prefix(old, np->prefix);
		if (j != -1 && strcmp(old->prefixes[j].protocol,
		    np->protocol) == 0) {
			/* Its state is copied under the mutex, below. */
			pxfrom[i] = j;
			if (!same_gate_apps(old, &old->prefixes[j], cf, np))
				note(sum, "prefix %s: apps changed",
				    np->prefix);
			continue;
		}
		/* -1: state_update_gate sets it and logs the decision. */
		px[i].want = -1;
		px[i].bird = -1;
		px[i].since = now_wall();
		if (j == -1)
			note(sum, "prefix %s added", np->prefix);
		else
			note(sum, "prefix %s: protocol %s -> %s", np->prefix,
			    old->prefixes[j].protocol, np->protocol);
	}
	for (i = 0; i < old->nprefixes; i++)
		if (find_prefix(cf, old->prefixes[i].prefix) == -1)
			note(sum, "prefix %s removed", old->prefixes[i].prefix);
	note_settings(old, cf, sum);
	if (newhooks != NULL)
		note(sum, "hooks %s (%zu hooks)", hpath,
		    node_hooks_count(newhooks));
	else if (hooks_gone)
		note(sum, "hooks removed");

	/* The swap: HTTP workers and check threads see old or new whole. */
	pthread_rwlock_wrlock(&n->cf_lock);
	pthread_mutex_lock(&n->mtx);
	for (i = 0; i < cf->napps; i++) {
		a = apps[i];
		j = find_app_named(old, cf->apps[i].name);
		if (j != -1 && old->apps[j].weight != cf->apps[i].weight)
			a->weight = cf->apps[i].weight;
		if (j != -1 && restart[i]) {
			checker_retire(n, a->ck);
			a->ck = NULL;
			/* The new check counts from here, from this state. */
			a->h.nok = a->h.nfail = 0;
			str_lcpy(a->h.msg, "check changed by a reload",
			    sizeof(a->h.msg));
		}
	}
	for (i = 0; i < ngone; i++) {
		checker_retire(n, gone[i]->ck);
		gone[i]->ck = NULL;
	}
	if (lb_restart) {
		checker_retire(n, n->lbck);
		n->lbck = NULL;
		if (!cf->has_lb || !old->has_lb)
			memset(&n->lb, 0, sizeof(n->lb));
		else
			n->lb.nok = n->lb.nfail = 0;
	}
	/* Removed protocols are disabled, unless a prefix uses them again. */
	for (i = 0; i < old->nprefixes; i++)
		if (!protocol_used(cf, old->prefixes[i].protocol))
			strv_push(&n->bird_retire, old->prefixes[i].protocol);
	{
		struct strv keep = { 0 };

		for (i = 0; i < n->bird_retire.n; i++)
			if (!protocol_used(cf, n->bird_retire.v[i]))
				strv_push(&keep, n->bird_retire.v[i]);
		strv_free(&n->bird_retire);
		n->bird_retire = keep;
	}
	if (cf->bird_socket != NULL) {
		free(n->bird_socket);
		n->bird_socket = xstrdup(cf->bird_socket);
	}
	if (newhooks != NULL || hooks_gone) {
		node_hooks_retire(n, n->hooks);
		n->hooks = newhooks;
		free(n->hooks_file);
		n->hooks_file = newhooks ? xstrdup(hpath) : NULL;
	}
	free(n->apps);
	n->apps = apps;
	/* The gate thread writes px[].bird under the mutex. */
	for (i = 0; i < cf->nprefixes; i++)
		if (pxfrom[i] != -1)
			px[i] = n->px[pxfrom[i]];
	free(pxfrom);
	free(n->px);
	n->px = px;
	n->px_gen++;
	n->cf = cf;
	atomic_store(&n->jails_ttl_ms, cf->jails_ttl_ms);
	state_update_gate(n);
	/* Removed prefixes need the gate thread even if nothing moved. */
	n->gate_kick = 1;
	pthread_cond_broadcast(&n->gate_cv);
	n->loaded = now_wall();
	n->reload_error[0] = '\0';
	pthread_mutex_unlock(&n->mtx);
	pthread_rwlock_unlock(&n->cf_lock);

	/* The retired checkers never touch these again (ck->stop). */
	for (i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	for (i = 0; i < cf->napps; i++)
		if (restart[i] && (apps[i]->ck = checker_start(n,
		    &cf->apps[i], apps[i])) == NULL)
			log_err("reload: app %s: %s", cf->apps[i].name,
			    error_msg());
	free(restart);
	if (cf->has_lb && n->lbck == NULL && (n->lbck = checker_start(n,
	    NULL, NULL)) == NULL)
		log_err("reload: lb: %s", error_msg());
	if (bgp_start(n) == -1)
		log_err("reload: %s", error_msg());
	node_config_free(old);
	if (sum->len == 0)
		buf_addstr(sum, "no changes");
	log_info("reload: %s: %s", n->conf_path, buf_cstr(sum));
	state_save(n);
	return (0);
}
