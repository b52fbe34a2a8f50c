/*
 * The embedding API: a loaded configuration (swapped whole on reload,
 * reference-counted so a running command keeps the one it started
 * with), the request handler that answers as webhook does, and the
 * runs of commands.  An HTTP worker never waits for a command: a hook
 * whose output goes into the response parks the connection with
 * http_defer(), and the runner (runner.c) completes it when the command
 * ends.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/log.h"
#include "base/spawn.h"
#include "hooks_int.h"

#define HOOKS_CLOSE_WAIT_S	10

struct counter {
	char		*id;
	unsigned int	 running;
};

struct hooks {
	struct hooks_opts opts;		/* strings below are our copies */
	struct strv	 files;
	struct strv	 headers;	/* -header, "Name: value" */
	char		*prefix;	/* "/hooks/" */
	char		*methods;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 idle;
	struct hconf	*conf;
	struct counter	*counters;
	size_t		 ncounters;
	struct runner	*runner;
	unsigned int	 inflight;
	atomic_ulong	 seq;
};

struct run {
	struct hooks		*hooks;
	struct hconf		*conf;
	const struct hhook	*hook;
	struct job		*job;
	struct http_pending	*pending;	/* NULL: answered already */
	char			 id[64];
	char			 remote[80];
	char			 method[16];
	int			 status;	/* sent, or to send */
	struct strv		 resp_headers;
	struct timespec		 t0;
};

/* Go's http.StatusText: a code it does not know is answered with 200. */
static int
status_known(int c)
{
	return ((c >= 100 && c <= 103) || (c >= 200 && c <= 208) ||
	    c == 226 || (c >= 300 && c <= 308 && c != 306) ||
	    (c >= 400 && c <= 418) || (c >= 421 && c <= 426) || c == 428 ||
	    c == 429 || c == 431 || c == 451 || (c >= 500 && c <= 508) ||
	    c == 510 || c == 511);
}

static void
set_header_line(struct http_response *resp, const char *line)
{
	char name[256];
	const char *colon = strchr(line, ':');
	size_t n = colon ? (size_t)(colon - line) : 0;
	char tmp[256];

	if (colon == NULL || n >= sizeof(tmp))
		return;
	memcpy(tmp, line, n);
	tmp[n] = '\0';
	canonical_header(tmp, name, sizeof(name));
	colon++;
	while (*colon == ' ')
		colon++;
	http_set_header(resp, name, colon);
}

static int
has_header(struct http_response *resp, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < resp->headers.n; i++)
		if (strncasecmp(resp->headers.v[i], name, n) == 0 &&
		    resp->headers.v[i][n] == ':')
			return (1);
	return (0);
}

static void
finish_body(struct http_response *resp)
{
	if (resp->body.len > 0 && !has_header(resp, "Content-Type"))
		http_set_header(resp, "Content-Type",
		    "text/plain; charset=utf-8");
}

static struct hconf *
conf_get(struct hooks *h)
{
	struct hconf *c;

	pthread_mutex_lock(&h->mtx);
	c = h->conf;
	atomic_fetch_add(&c->ref, 1);
	pthread_mutex_unlock(&h->mtx);
	return (c);
}

static void
conf_put(struct hconf *c)
{
	if (c != NULL && atomic_fetch_sub(&c->ref, 1) == 1)
		conf_free(c);
}

static void
copy_opts(struct hooks *h, const struct hooks_opts *o)
{
	size_t i;
	const char *p;

	h->opts = *o;
	for (i = 0; i < o->nfiles; i++)
		strv_push(&h->files, o->files[i]);
	h->opts.files = (const char *const *)h->files.v;
	for (i = 0; i < o->nheaders; i++) {
		p = strchr(o->headers[i], '=');
		if (p == NULL)
			continue;
		strv_pushf(&h->headers, "%.*s: %s",
		    (int)(p - o->headers[i]), o->headers[i], p + 1);
	}
	h->opts.headers = NULL;
	h->opts.nheaders = 0;
	p = o->urlprefix ? o->urlprefix : "hooks";
	while (*p == '/')
		p++;
	h->prefix = p[0] ? xasprintf("/%s/", p) : xstrdup("/");
	/* An ending slash in the prefix is not doubled. */
	if (strlen(h->prefix) > 2 && h->prefix[strlen(h->prefix) - 2] == '/')
		h->prefix[strlen(h->prefix) - 1] = '\0';
	h->methods = o->http_methods ? xstrdup(o->http_methods) : NULL;
	h->opts.urlprefix = h->prefix;
	h->opts.http_methods = h->methods;
	if (h->opts.max_multipart_mem <= 0)
		h->opts.max_multipart_mem = 1 << 20;
}

struct hooks *
hooks_open(const struct hooks_opts *o)
{
	struct hooks *h = xcalloc(1, sizeof(*h));

	copy_opts(h, o);
	pthread_mutex_init(&h->mtx, NULL);
	pthread_cond_init(&h->idle, NULL);
	atomic_init(&h->seq, 0);
	h->runner = runner_new(&h->opts);
	if ((h->conf = conf_load(&h->opts)) == NULL) {
		hooks_close(h);
		return (NULL);
	}
	if (h->conf->n == 0 && !o->allow_empty) {
		error_set("no hooks loaded from %s", o->nfiles ? o->files[0] :
		    "(no -hooks file)");
		hooks_close(h);
		return (NULL);
	}
	return (h);
}

int
hooks_reload(struct hooks *h)
{
	struct hconf *c, *old;

	if ((c = conf_load(&h->opts)) == NULL)
		return (error_wrap("reload failed, keeping the running "
		    "configuration"));
	pthread_mutex_lock(&h->mtx);
	old = h->conf;
	h->conf = c;
	pthread_mutex_unlock(&h->mtx);
	conf_put(old);
	return (0);
}

size_t
hooks_count(struct hooks *h)
{
	struct hconf *c = conf_get(h);
	size_t n = c->n;

	conf_put(c);
	return (n);
}

void
hooks_list_env(struct hooks *h, struct buf *out)
{
	struct hconf *c = conf_get(h);
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		const struct hhook *hk = &c->hooks[i];

		buf_printf(out, "%s:", hk->id);
		for (k = 0; k < hk->nenv; k++) {
			if (hk->env[k].envname && hk->env[k].envname[0])
				buf_printf(out, " %s", hk->env[k].envname);
			else
				buf_printf(out, " HOOK_%s", hk->env[k].name);
		}
		for (k = 0; k < hk->nfiles; k++) {
			if (hk->files[k].envname && hk->files[k].envname[0])
				buf_printf(out, " %s", hk->files[k].envname);
			else {
				buf_addstr(out, " HOOK_");
				for (const char *p = hk->files[k].name; *p;
				    p++)
					buf_addc(out, (char)toupper(
					    (unsigned char)*p));
			}
		}
		buf_addc(out, '\n');
	}
	conf_put(c);
}

void
hooks_close(struct hooks *h)
{
	struct timespec until;
	unsigned int busy;
	size_t i;

	if (h == NULL)
		return;
	/*
	 * Runs still going hold h: give them a while, then leave h to them
	 * (a process about to exit loses nothing; their commands go on, as
	 * webhook's do).
	 */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HOOKS_CLOSE_WAIT_S;
	pthread_mutex_lock(&h->mtx);
	while (h->inflight > 0 && pthread_cond_timedwait(&h->idle, &h->mtx,
	    &until) == 0)
		;
	busy = h->inflight;
	pthread_mutex_unlock(&h->mtx);
	if (busy > 0) {
		log_warn("hooks: %u runs still going at close", busy);
		return;
	}
	runner_free(h->runner);
	conf_put(h->conf);
	for (i = 0; i < h->ncounters; i++)
		free(h->counters[i].id);
	free(h->counters);
	strv_free(&h->files);
	strv_free(&h->headers);
	free(h->prefix);
	free(h->methods);
	pthread_mutex_destroy(&h->mtx);
	pthread_cond_destroy(&h->idle);
	free(h);
}

/* Count a run of this hook in; 0 when the per-hook limit is reached. */
static int
run_enter(struct hooks *h, const char *id)
{
	struct counter *c = NULL;
	size_t i;
	int ok = 1;

	pthread_mutex_lock(&h->mtx);
	for (i = 0; i < h->ncounters; i++)
		if (strcmp(h->counters[i].id, id) == 0)
			c = &h->counters[i];
	if (c == NULL) {
		h->counters = xrealloc(h->counters, (h->ncounters + 1) *
		    sizeof(*h->counters));
		c = &h->counters[h->ncounters++];
		c->id = xstrdup(id);
		c->running = 0;
	}
	if (h->opts.max_runs > 0 && c->running >= h->opts.max_runs)
		ok = 0;
	else {
		c->running++;
		h->inflight++;
	}
	pthread_mutex_unlock(&h->mtx);
	return (ok);
}

static void
run_leave(struct hooks *h, const char *id)
{
	size_t i;

	pthread_mutex_lock(&h->mtx);
	for (i = 0; i < h->ncounters; i++)
		if (strcmp(h->counters[i].id, id) == 0 &&
		    h->counters[i].running > 0)
			h->counters[i].running--;
	if (--h->inflight == 0)
		pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->mtx);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) /
	    1000000);
}

/*
 * The structured access line.  Values are ids, addresses and numbers
 * only: never arguments, environment, bodies or secrets.
 */
static void
access_log(const char *reqid, const char *hook, const char *remote,
    const char *method, int status, const char *rule, const char *run,
    long ms)
{
	log_info("access id=%s hook=%s remote=%s method=%s status=%d "
	    "rule=%s run=%s ms=%ld", reqid, hook, remote, method, status,
	    rule, run, ms);
}

/* The command ended (on the runner's thread): answer, log, release. */
static void
run_done(void *arg, struct run_result *resp_res)
{
	struct run *r = arg;
	const struct hhook *hk = r->hook;
	struct run_result res = *resp_res;
	struct http_response resp;
	char runs[64];
	size_t i;
	int failed;

	failed = !res.started || res.exit_code != 0;
	if (!res.started)
		snprintf(runs, sizeof(runs), "not-started");
	else if (res.timed_out)
		snprintf(runs, sizeof(runs), "timeout");
	else if (res.signo)
		snprintf(runs, sizeof(runs), "signal:%d", res.signo);
	else
		snprintf(runs, sizeof(runs), "exit:%d", res.exit_code);
	if (res.out.len > 0)
		log_debug("[%s] command output: %.*s", r->id,
		    (int)res.out.len, res.out.data);
	if (r->pending != NULL) {
		http_response_init(&resp);
		for (i = 0; i < r->resp_headers.n; i++)
			set_header_line(&resp, r->resp_headers.v[i]);
		if (failed) {
			resp.status = 500;
			if (hk->capture_on_error)
				buf_add(&resp.body, res.out.data ?
				    res.out.data : "", res.out.len);
			else {
				http_set_header(&resp, "Content-Type",
				    "text/plain; charset=utf-8");
				buf_addstr(&resp.body, "Error occurred while "
				    "executing the hook's command. Please "
				    "check your logs for more details.");
			}
		} else {
			resp.status = hk->success_code &&
			    status_known(hk->success_code) ?
			    hk->success_code : 200;
			buf_add(&resp.body, res.out.data ? res.out.data : "",
			    res.out.len);
		}
		finish_body(&resp);
		r->status = resp.status;
		http_complete(r->pending, &resp);
		http_response_free(&resp);
	}
	access_log(r->id, hk->id, r->remote, r->method, r->status,
	    "satisfied", runs, ms_since(&r->t0));
	buf_free(&res.out);
	job_free(r->job);
	run_leave(r->hooks, hk->id);
	conf_put(r->conf);
	strv_free(&r->resp_headers);
	free(r);
}

static const struct hhook *
find_hook(struct hconf *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->hooks[i].id, id) == 0)
			return (&c->hooks[i]);
	return (NULL);
}

static int
method_allowed(struct hooks *h, const struct hhook *hk, const char *m)
{
	const char *p, *e;
	size_t i;

	if (hk->has_methods) {
		for (i = 0; i < hk->methods.n; i++)
			if (strcmp(hk->methods.v[i], m) == 0)
				return (1);
		return (0);
	}
	if (h->methods == NULL || h->methods[0] == '\0')
		return (1);
	for (p = h->methods;; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if (strlen(m) == (size_t)(e - p) && strncmp(p, m,
		    (size_t)(e - p)) == 0)
			return (1);
		if (*e == '\0')
			return (0);
	}
}

/*
 * The request's id for the log: X-Request-Id with -x-request-id (cut to
 * its limit), else our own.  Every answer gets one, a 404 included, as
 * in webhook.
 */
static void
request_id(struct hooks *h, struct http_request *req, char *id, size_t len)
{
	const char *xid;
	size_t i, n;

	xid = h->opts.x_request_id ? http_header(req, "X-Request-Id") : NULL;
	if (xid != NULL && xid[0] != '\0') {
		n = strlen(xid);
		if (h->opts.x_request_id_limit > 0 &&
		    n > h->opts.x_request_id_limit)
			n = h->opts.x_request_id_limit;
		if (n >= len)
			n = len - 1;
		/* Printable only: it goes into log lines. */
		for (i = 0; i < n; i++)
			id[i] = xid[i] > ' ' && xid[i] < 0x7f ? xid[i] : '_';
		id[n] = '\0';
	} else
		snprintf(id, len, "%lx-%lu", (unsigned long)time(NULL),
		    atomic_fetch_add(&h->seq, 1) + 1);
}

static void
hreq_init(struct hooks *h, struct hreq *q, const struct hhook *hk,
    struct http_request *req)
{
	const char *ip;

	memset(q, 0, sizeof(*q));
	request_id(h, req, q->id, sizeof(q->id));
	q->method = req->method;
	ip = req->remote_addr;
	if (strncmp(ip, "::ffff:", 7) == 0 && strchr(ip, '.') != NULL)
		ip += 7;
	if (strchr(ip, ':') != NULL)
		snprintf(q->remote, sizeof(q->remote), "[%s]:%u", ip,
		    req->remote_port);
	else
		snprintf(q->remote, sizeof(q->remote), "%s:%u", ip,
		    req->remote_port);
	q->raw = req;
	q->lazy = LAZY_HEADERS | LAZY_QUERY | LAZY_PAYLOAD;
	q->body = req->body ? req->body : "";
	q->body_len = req->body_len;
	q->content_type = hk->content_type && hk->content_type[0] ?
	    hk->content_type : http_header(req, "Content-Type");
	q->soft_failures = hk->soft_failures;
}

json_t *
hreq_headers(struct hreq *q)
{
	char name[256];
	size_t i;

	if (!(q->lazy & LAZY_HEADERS))
		return (q->headers);
	q->lazy &= ~LAZY_HEADERS;
	q->headers = json_object();
	for (i = 0; i < q->raw->nheaders; i++) {
		canonical_header(q->raw->headers[i].name, name, sizeof(name));
		/* Go keeps these out of Request.Header. */
		if (strcmp(name, "Host") == 0 ||
		    strcmp(name, "Transfer-Encoding") == 0)
			continue;
		if (json_object_get(q->headers, name) == NULL)
			json_object_set_new(q->headers, name,
			    json_string_nocheck(q->raw->headers[i].value));
	}
	return (q->headers);
}

json_t *
hreq_query(struct hreq *q)
{
	if (!(q->lazy & LAZY_QUERY))
		return (q->query);
	q->lazy &= ~LAZY_QUERY;
	q->query = json_object();
	if (q->raw->raw_query != NULL)
		form_parse(q->raw->raw_query, strlen(q->raw->raw_query),
		    q->query);
	return (q->query);
}

static void
hreq_free(struct hreq *q)
{
	json_decref(q->headers);
	json_decref(q->query);
	json_decref(q->payload);
}

int
hooks_handle(struct hooks *h, struct http_request *req,
    struct http_response *resp)
{
	struct hconf *c;
	const struct hhook *hk;
	struct hreq q;
	struct run *r;
	struct timespec t0;
	const char *id, *rule;
	char rid[sizeof(((struct hreq *)NULL)->id)];
	size_t i, plen = strlen(h->prefix);
	int ok, err, status;

	if (strncmp(req->url, h->prefix, plen) != 0)
		return (0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	id = req->url + plen;
	c = conf_get(h);
	if ((hk = find_hook(c, id)) == NULL) {
		resp->status = 404;
		buf_addstr(&resp->body, "Hook not found.");
		finish_body(resp);
		conf_put(c);
		if (log_get_level() >= LOG_LVL_INFO) {
			request_id(h, req, rid, sizeof(rid));
			access_log(rid, "-", req->remote_addr, req->method,
			    404, "-", "-", ms_since(&t0));
		}
		return (1);
	}
	if (!method_allowed(h, hk, req->method)) {
		resp->status = 405;
		if (log_get_level() >= LOG_LVL_INFO) {
			request_id(h, req, rid, sizeof(rid));
			access_log(rid, hk->id, req->remote_addr, req->method,
			    405, "-", "-", ms_since(&t0));
		}
		conf_put(c);
		return (1);
	}
	for (i = 0; i < h->headers.n; i++)
		set_header_line(resp, h->headers.v[i]);
	hreq_init(h, &q, hk, req);
	if (body_parse(hk, &q, h->opts.max_multipart_mem) ==
	    BODY_MULTIPART_ERR) {
		log_info("[%s] error parsing multipart form: %s", q.id,
		    error_msg());
		resp->status = 500;
		buf_addstr(&resp->body, "Error occurred while parsing "
		    "multipart form.");
		rule = "-";
		goto answer;
	}
	if (q.content_type != NULL && str_startswith(q.content_type,
	    "multipart/form-data;")) {
		/* webhook does not keep a multipart body for signatures. */
		q.body = "";
		q.body_len = 0;
	}
	hreq_parse_json_params(hk, &q);
	if (hk->rule == NULL) {
		ok = 1;
		err = 0;
	} else
		ok = rule_eval(hk->rule, &q, &err, 0);
	if (err && err != RULE_ERR_PARAM) {
		resp->status = 500;
		buf_addstr(&resp->body, "Error occurred while evaluating hook "
		    "rules.");
		rule = err == RULE_ERR_SIG ? "bad-signature" : "error";
		goto answer;
	}
	if (!ok) {
		if (hk->mismatch_code && status_known(hk->mismatch_code))
			resp->status = hk->mismatch_code;
		buf_addstr(&resp->body, "Hook rules were not satisfied.");
		rule = "not-satisfied";
		goto answer;
	}
	/* Triggered. */
	if (!run_enter(h, hk->id)) {
		resp->status = 503;
		http_set_header(resp, "Retry-After", "1");
		buf_addstr(&resp->body, "Too many runs of this hook at "
		    "once.");
		rule = "satisfied";
		log_warn("[%s] hook %s: %u runs already, refusing", q.id,
		    hk->id, h->opts.max_runs);
		goto answer;
	}
	r = xcalloc(1, sizeof(*r));
	r->hooks = h;
	r->conf = c;
	r->hook = hk;
	r->t0 = t0;
	str_lcpy(r->id, q.id, sizeof(r->id));
	str_lcpy(r->remote, req->remote_addr, sizeof(r->remote));
	str_lcpy(r->method, req->method, sizeof(r->method));
	r->job = job_prepare(hk, &q);
	for (i = 0; i < h->headers.n; i++)
		strv_push(&r->resp_headers, h->headers.v[i]);
	for (i = 0; i < hk->resp_headers.n; i++)
		strv_push(&r->resp_headers, hk->resp_headers.v[i]);
	hreq_free(&q);
	if (hk->capture) {
		r->pending = http_defer(req);
	} else {
		for (i = 0; i < hk->resp_headers.n; i++)
			set_header_line(resp, hk->resp_headers.v[i]);
		if (hk->success_code && status_known(hk->success_code))
			resp->status = hk->success_code;
		buf_addstr(&resp->body, hk->response_message);
		finish_body(resp);
		r->status = resp->status;
	}
	if (runner_add(h->runner, r->job, run_done, r) == -1) {
		/* No runner thread: run it here rather than lose it. */
		struct spawn_proc *p;
		struct run_result res;

		log_warn("[%s] %s; running inline", r->id, error_msg());
		if ((p = job_start(r->job, &h->opts)) != NULL)
			spawn_wait(p);
		job_finish(r->job, p, &res);
		run_done(r, &res);
	}
	return (1);
answer:
	status = resp->status;
	finish_body(resp);
	access_log(q.id, hk->id, req->remote_addr, req->method, status, rule,
	    "-", ms_since(&t0));
	hreq_free(&q);
	conf_put(c);
	return (1);
}

void
hooks_http_handler(void *arg, struct http_request *req,
    struct http_response *resp)
{
	struct hooks *h = arg;

	if (hooks_handle(h, req, resp))
		return;
	if (strcmp(req->url, "/") == 0) {
		buf_addstr(&resp->body, "OK");
		finish_body(resp);
		return;
	}
	resp->status = 404;
	http_set_header(resp, "Content-Type", "text/plain; charset=utf-8");
	http_set_header(resp, "X-Content-Type-Options", "nosniff");
	buf_addstr(&resp->body, "404 page not found\n");
}
