/*
 * The daemon's state: each app's and the load balancer's health with
 * rise/fall hysteresis, the operator's drain/maint/weight, the BGP gate's
 * wish per prefix, and their persistence so that a restart of the daemon
 * picks up where it left off instead of starting "down" and withdrawing
 * routes that were fine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/path.h"
#include "node_int.h"

#define STATE_MAX	(1u << 20)

int64_t
now_wall(void)
{
	return ((int64_t)time(NULL));
}

int64_t
now_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void
mono_ts(int64_t ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000;
}

const char *
admin_name(enum admin a)
{
	switch (a) {
	case ADMIN_DRAIN:
		return ("drain");
	case ADMIN_MAINT:
		return ("maint");
	default:
		return ("ready");
	}
}

static int
admin_parse(const char *s, enum admin *a)
{
	if (strcmp(s, "ready") == 0)
		*a = ADMIN_READY;
	else if (strcmp(s, "drain") == 0)
		*a = ADMIN_DRAIN;
	else if (strcmp(s, "maint") == 0)
		*a = ADMIN_MAINT;
	else
		return (-1);
	return (0);
}

/* Running, healthy and in service: what attracts traffic. */
int
app_serving(const struct app_state *a)
{
	return (a->h.up && a->h.jail_running && a->admin == ADMIN_READY);
}

int
gate_want(struct node *n, size_t i)
{
	struct prefix_conf *p = &n->cf->prefixes[i];
	size_t k, cnt;

	if (n->cf->has_lb && !n->lb.up)
		return (0);
	cnt = p->napps ? p->napps : n->cf->napps;
	for (k = 0; k < cnt; k++)
		if (app_serving(n->apps[p->napps ? p->apps[k] : k]))
			return (1);
	return (0);
}

/*
 * The HTTP answers, computed when the state changes rather than on every
 * request: /_up is hit by every haproxy of the site every second, and an
 * atomic read keeps the workers from queueing on the mutex.
 */
void
state_publish(struct node *n)
{
	struct app_state *a;
	size_t i;
	int nserving = 0, ndrain = 0, code;

	for (i = 0; i < n->cf->napps; i++) {
		a = n->apps[i];
		if (a->admin == ADMIN_MAINT)
			code = 503;
		else if (a->admin == ADMIN_DRAIN)
			code = 404;
		else if (!a->h.jail_running || !a->h.up)
			code = 503;
		else
			code = 200;
		atomic_store(&a->code, code);
		nserving += app_serving(a);
		ndrain += a->admin != ADMIN_READY;
	}
	atomic_store(&n->up_code, nserving > 0 || n->cf->napps == 0 ? 200 :
	    ndrain > 0 ? 404 : 503);
}

void
state_update_gate(struct node *n)
{
	size_t i;
	int w, changed = 0;

	state_publish(n);

	for (i = 0; i < n->cf->nprefixes; i++) {
		w = gate_want(n, i);
		if (w == n->px[i].want)
			continue;
		n->px[i].want = w;
		n->px[i].since = now_wall();
		changed = 1;
		log_info("bgp: %s %s", w ? "announce" : "withdraw",
		    n->cf->prefixes[i].prefix);
	}
	if (changed) {
		n->gate_kick = 1;
		pthread_cond_broadcast(&n->gate_cv);
	}
}

/*
 * One probe's result.  A stopped jail is down at once: there is nothing
 * to wait for.  Otherwise `rise` passes in a row bring it up and `fall`
 * failures in a row take it down, as haproxy counts.  Returns 1 when the
 * state changed.
 */
int
health_record(struct node *n, struct health *h, const struct check_conf *c,
    int ok, int jail_running, const char *what, const char *msg)
{
	int was = h->up;

	h->checked = 1;
	h->jail_running = jail_running;
	/* Cut at any byte, and what a command printed: still UTF-8. */
	str_lcpy(h->msg, msg, sizeof(h->msg));
	str_utf8_clean(h->msg);
	if (!jail_running) {
		h->up = 0;
		h->nok = 0;
		h->nfail++;
	} else if (ok) {
		h->nfail = 0;
		if (h->nok < 1000000)
			h->nok++;
		if (!h->up && h->nok >= c->rise)
			h->up = 1;
	} else {
		h->nok = 0;
		if (h->nfail < 1000000)
			h->nfail++;
		if (h->up && h->nfail >= c->fall)
			h->up = 0;
	}
	if (h->up == was)
		return (0);
	h->since = now_wall();
	log_info("%s: %s (%s)", what, h->up ? "up" : "down", msg);
	return (1);
}

/*
 * A path from the command line need not be UTF-8; json_string refuses
 * it and the key was silently missing.  Stray bytes become '?'.
 */
static json_t *
json_string_utf8(const char *s)
{
	json_t *v;
	char *c;

	if ((v = json_string(s)) != NULL)
		return (v);
	c = str_utf8_clean(xstrdup(s));
	v = json_string(c);
	free(c);
	return (v);
}

static json_t *
status_health(const struct health *h)
{
	return (json_pack("{s:s, s:b, s:I, s:i, s:i, s:s}",
	    "health", !h->checked && !h->up ? "unknown" : h->up ? "up" :
	    "down", "up", h->up, "since", (json_int_t)h->since, "passes",
	    h->nok, "failures", h->nfail, "message", h->msg));
}

static const char *
check_name(enum check_type t)
{
	switch (t) {
	case CHECK_HTTP: return ("http");
	case CHECK_TCP: return ("tcp");
	case CHECK_COMMAND: return ("command");
	case CHECK_HAPROXY: return ("haproxy");
	default: return ("none");
	}
}

void
state_status_json(struct node *n, struct buf *out)
{
	json_t *root, *apps, *o, *px;
	size_t i;
	char *s;

	root = json_object();
	pthread_mutex_lock(&n->mtx);
	json_object_set_new(root, "version", json_string(STASIS_VERSION));
	json_object_set_new(root, "pid", json_integer(getpid()));
	json_object_set_new(root, "started", json_integer(n->started));
	o = json_object();
	json_object_set_new(o, "file", n->conf_path ?
	    json_string_utf8(n->conf_path) : json_null());
	json_object_set_new(o, "loaded", json_integer(n->loaded));
	json_object_set_new(o, "reload_failed", json_boolean(
	    n->reload_error[0] != '\0'));
	json_object_set_new(o, "reload_error", n->reload_error[0] ?
	    json_string(n->reload_error) : json_null());
	json_object_set_new(o, "reload_tried", json_integer(n->reload_tried));
	json_object_set_new(root, "config", o);
	apps = json_array();
	for (i = 0; i < n->cf->napps; i++) {
		struct app_state *a = n->apps[i];
		struct app_conf *ac = &n->cf->apps[i];

		o = status_health(&a->h);
		json_object_set_new(o, "name", json_string(ac->name));
		json_object_set_new(o, "jail", ac->jail ?
		    json_string(ac->jail) : json_null());
		json_object_set_new(o, "jail_running",
		    json_boolean(a->h.jail_running));
		json_object_set_new(o, "admin",
		    json_string(admin_name(a->admin)));
		json_object_set_new(o, "weight", json_integer(a->weight));
		json_object_set_new(o, "serving",
		    json_boolean(app_serving(a)));
		json_object_set_new(o, "check",
		    json_string(check_name(ac->check.type)));
		json_array_append_new(apps, o);
	}
	json_object_set_new(root, "apps", apps);
	if (n->cf->has_lb) {
		o = status_health(&n->lb);
		json_object_set_new(o, "check",
		    json_string(check_name(n->cf->lb.type)));
		json_object_set_new(root, "lb", o);
	} else
		json_object_set_new(root, "lb", json_null());
	if (n->cf->bird_socket != NULL) {
		o = json_pack("{s:s, s:b, s:s, s:i}", "socket",
		    n->cf->bird_socket, "connected", n->bird_ok, "message",
		    n->bird_msg, "withdraw_within_ms", n->cf->withdraw_ms);
		px = json_array();
		for (i = 0; i < n->cf->nprefixes; i++)
			json_array_append_new(px, json_pack(
			    "{s:s, s:s, s:b, s:s, s:I}",
			    "prefix", n->cf->prefixes[i].prefix,
			    "protocol", n->cf->prefixes[i].protocol,
			    "announce", n->px[i].want,
			    "bird", n->px[i].bird == 1 ? "up" :
			    n->px[i].bird == 0 ? "down" : "unknown",
			    "since", (json_int_t)n->px[i].since));
		json_object_set_new(o, "prefixes", px);
		json_object_set_new(root, "bgp", o);
	} else
		json_object_set_new(root, "bgp", json_null());
	pthread_mutex_unlock(&n->mtx);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_addstr(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(root);
}

/*
 * Write the state file.  The snapshot is taken and written under
 * save_mtx so that two threads saving cannot put an older snapshot last;
 * the main mutex is held only while copying, never across the fsync.
 */
void
state_save(struct node *n)
{
	json_t *root, *apps, *px;
	char *s, *dir, *slash, *path;
	size_t i;

	pthread_mutex_lock(&n->save_mtx);
	pthread_mutex_lock(&n->mtx);
	if (n->cf->state == NULL || n->cf->state[0] == '\0') {
		pthread_mutex_unlock(&n->mtx);
		pthread_mutex_unlock(&n->save_mtx);
		return;
	}
	/* cf may be swapped by a reload once the mutex is let go. */
	path = xstrdup(n->cf->state);
	root = json_object();
	apps = json_object();
	px = json_object();
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "saved", json_integer(now_wall()));
	for (i = 0; i < n->cf->napps; i++)
		json_object_set_new(apps, n->cf->apps[i].name, json_pack(
		    "{s:s, s:i, s:b, s:I}",
		    "admin", admin_name(n->apps[i]->admin),
		    "weight", n->apps[i]->weight,
		    "up", n->apps[i]->h.up,
		    "since", (json_int_t)n->apps[i]->h.since));
	json_object_set_new(root, "apps", apps);
	if (n->cf->has_lb)
		json_object_set_new(root, "lb", json_pack("{s:b, s:I}",
		    "up", n->lb.up, "since", (json_int_t)n->lb.since));
	for (i = 0; i < n->cf->nprefixes; i++)
		json_object_set_new(px, n->cf->prefixes[i].prefix,
		    json_pack("{s:b, s:I}", "announce", n->px[i].want,
		    "since", (json_int_t)n->px[i].since));
	json_object_set_new(root, "prefixes", px);
	pthread_mutex_unlock(&n->mtx);
	s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		(void)path_mkdirs(dir, 0755);
	}
	free(dir);
	if (file_write_atomic(path, s, strlen(s), 0644) == -1)
		log_warn("state: %s: %s", path, error_msg());
	free(path);
	free(s);
	pthread_mutex_unlock(&n->save_mtx);
}

static void
restore_health(struct health *h, json_t *o, int fresh, int rise)
{
	json_t *v;

	if (!fresh || !json_is_object(o))
		return;
	if (json_is_true(json_object_get(o, "up"))) {
		/* Up as before: it takes `fall` failures to go down. */
		h->up = 1;
		h->nok = rise;
		h->jail_running = 1;
		if ((v = json_object_get(o, "since")) != NULL &&
		    json_is_integer(v))
			h->since = json_integer_value(v);
		str_lcpy(h->msg, "restored from the state file",
		    sizeof(h->msg));
	}
}

/*
 * Drain, maint and weights are the operator's and always come back.
 * Health comes back only if the file is recent: after a long stop the
 * checks must earn "up" again (rise) before traffic returns.
 */
void
state_load(struct node *n)
{
	struct buf b = BUF_INIT;
	json_error_t jerr;
	json_t *root, *apps, *o, *v;
	int64_t saved, now = now_wall();
	int fresh;
	size_t i;
	enum admin a;

	if (n->cf->state == NULL || n->cf->state[0] == '\0')
		return;
	if (file_read(n->cf->state, STATE_MAX, &b) == -1) {
		if (errno != ENOENT)
			log_warn("state: %s: %s (starting afresh)",
			    n->cf->state, error_msg());
		buf_free(&b);
		return;
	}
	root = json_loadb(b.data ? b.data : "", b.len, 0, &jerr);
	buf_free(&b);
	if (!json_is_object(root)) {
		log_warn("state: %s: not a state file (starting afresh)",
		    n->cf->state);
		json_decref(root);
		return;
	}
	v = json_object_get(root, "saved");
	saved = json_is_integer(v) ? json_integer_value(v) : 0;
	fresh = saved <= now && now - saved <= n->cf->state_max_age_s;
	apps = json_object_get(root, "apps");
	for (i = 0; i < n->cf->napps; i++) {
		o = json_object_get(apps, n->cf->apps[i].name);
		if (!json_is_object(o))
			continue;
		v = json_object_get(o, "admin");
		if (json_is_string(v) &&
		    admin_parse(json_string_value(v), &a) == 0)
			n->apps[i]->admin = a;
		v = json_object_get(o, "weight");
		if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		    json_integer_value(v) <= 100)
			n->apps[i]->weight = (int)json_integer_value(v);
		restore_health(&n->apps[i]->h, o, fresh,
		    n->cf->apps[i].check.rise);
	}
	if (n->cf->has_lb)
		restore_health(&n->lb, json_object_get(root, "lb"), fresh,
		    n->cf->lb.rise);
	log_info("state: restored from %s (saved %lld s ago%s)",
	    n->cf->state, (long long)(now - saved),
	    fresh ? "" : ", too old for health");
	json_decref(root);
}
