/*
 * The HTTP side: GET /jails (the `jls -v --libxo json` document), GET
 * /_up and /_up/APP for haproxy's httpchk (200 serving, 404 drained so
 * that `http-check disable-on-404` stops new traffic without calling the
 * server failed, 503 down), and with --hooks the webhook endpoints.
 * Handlers only read state under the mutex; nothing here waits on a
 * check, a jail or BIRD.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/http.h"
#include "base/log.h"
#include "node_int.h"

#define JAILS_MAX	(16u << 20)

/*
 * The jails document is rebuilt when the run directory changes (inotify,
 * serve.c bumps gen) or when it is older than the TTL, whichever comes
 * first; concurrent readers share one copy.
 */
struct jails_cache {
	pthread_rwlock_t lock;
	struct buf	 doc;
	int		 valid;
	int		 status;
	int64_t		 built_ms;
	unsigned int	 built_gen;
	atomic_uint	 gen;
};

void
web_jails_invalidate(struct node *n)
{
	if (n->jails != NULL)
		atomic_fetch_add(&n->jails->gen, 1);
}

static int
jails_fresh(struct node *n, struct jails_cache *jc, unsigned int gen,
    int64_t now)
{
	return (jc->valid && jc->built_gen == gen &&
	    now - jc->built_ms < atomic_load(&n->jails_ttl_ms));
}

static void
serve_jails(struct node *n, struct http_response *resp)
{
	struct jails_cache *jc = n->jails;
	unsigned int gen = atomic_load(&jc->gen);
	int64_t now = now_mono_ms();

	/* Readers share the document; one writer rebuilds it. */
	pthread_rwlock_rdlock(&jc->lock);
	if (!jails_fresh(n, jc, gen, now)) {
		pthread_rwlock_unlock(&jc->lock);
		pthread_rwlock_wrlock(&jc->lock);
		if (!jails_fresh(n, jc, gen, now)) {
			buf_reset(&jc->doc);
			jc->status = 200;
			if (node_jails_json(n, &jc->doc) == -1) {
				buf_reset(&jc->doc);
				buf_addstr(&jc->doc, "{\"error\": ");
				buf_add_json_str(&jc->doc, error_msg());
				buf_addstr(&jc->doc, "}\n");
				jc->status = 500;
			} else if (jc->doc.len > JAILS_MAX)
				jc->status = 500;
			jc->valid = 1;
			jc->built_ms = now;
			jc->built_gen = gen;
		}
	}
	resp->status = jc->status;
	buf_add(&resp->body, jc->doc.data ? jc->doc.data : "", jc->doc.len);
	pthread_rwlock_unlock(&jc->lock);
	http_set_header(resp, "Content-Type", "application/json");
	http_set_header(resp, "Cache-Control", "no-cache");
}

static void
serve_up(struct node *n, const char *app, struct http_response *resp)
{
	struct app_state *a;
	size_t i;
	int code;

	http_set_header(resp, "Content-Type", "text/plain");
	http_set_header(resp, "Cache-Control", "no-cache");
	if (app == NULL) {
		resp->status = atomic_load(&n->up_code);
		buf_addstr(&resp->body, resp->status == 200 ? "up\n" :
		    resp->status == 404 ? "drained\n" : "down\n");
		return;
	}
	/*
	 * The app table changes only on a reload, which takes cf_lock for
	 * writing: a read lock (no waiting on the checks' mutex) finds it.
	 */
	pthread_rwlock_rdlock(&n->cf_lock);
	for (i = 0; i < n->cf->napps; i++)
		if (strcmp(n->cf->apps[i].name, app) == 0)
			break;
	if (i == n->cf->napps) {
		pthread_rwlock_unlock(&n->cf_lock);
		/* Not 404: that would read as "drained" to haproxy. */
		resp->status = 503;
		buf_addstr(&resp->body, "no such app\n");
		return;
	}
	a = n->apps[i];
	code = atomic_load(&a->code);
	resp->status = code;
	if (code == 200 || code == 404) {
		pthread_rwlock_unlock(&n->cf_lock);
		buf_addstr(&resp->body, code == 200 ? "up\n" : "drained\n");
		return;
	}
	/* Down: say why, which needs the lock (the rare path). */
	pthread_mutex_lock(&n->mtx);
	if (a->admin == ADMIN_MAINT)
		buf_addstr(&resp->body, "maint\n");
	else if (!a->h.jail_running)
		buf_printf(&resp->body, "down: jail %s is not running\n",
		    n->cf->apps[i].jail);
	else
		buf_printf(&resp->body, "down: %s\n", a->h.msg[0] ?
		    a->h.msg : "not checked yet");
	pthread_mutex_unlock(&n->mtx);
	pthread_rwlock_unlock(&n->cf_lock);
}

static void
handler(void *arg, struct http_request *req, struct http_response *resp)
{
	struct node *n = arg;
	int ours;

	ours = strcmp(req->url, "/jails") == 0 ||
	    strcmp(req->url, "/_up") == 0 || str_startswith(req->url, "/_up/");
	if (!ours) {
		/* A reload may replace the hooks (hooks_handle never waits). */
		pthread_rwlock_rdlock(&n->cf_lock);
		if (n->hooks != NULL && node_hooks_handle(n, req, resp) == 0) {
			pthread_rwlock_unlock(&n->cf_lock);
			return;
		}
		pthread_rwlock_unlock(&n->cf_lock);
		resp->status = 404;
		buf_addstr(&resp->body, "not found\n");
		return;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		resp->status = 405;
		http_set_header(resp, "Allow", "GET, HEAD");
		buf_addstr(&resp->body, "method not allowed\n");
		return;
	}
	if (strcmp(req->url, "/jails") == 0)
		serve_jails(n, resp);
	else if (strcmp(req->url, "/_up") == 0)
		serve_up(n, NULL, resp);
	else
		serve_up(n, req->url + 5, resp);
}

struct http_tls *
web_tls_load(const struct node_config *cf)
{
	struct http_server_opts ho;

	memset(&ho, 0, sizeof(ho));
	ho.cert_file = cf->tls_cert;
	ho.key_file = cf->tls_key;
	ho.client_ca_file = cf->tls_client_ca;
	return (http_tls_load(&ho));
}

int
web_start(struct node *n, const struct node_opts *o)
{
	struct http_server_opts ho;
	char *host, *port;
	long long p;
	size_t i;

	if (n->cf->tls_cert != NULL && n->cf->listen.n > 0 &&
	    (n->tls = web_tls_load(n->cf)) == NULL)
		return (error_wrap("tls"));
	n->jails = xcalloc(1, sizeof(*n->jails));
	pthread_rwlock_init(&n->jails->lock, NULL);
	for (i = 0; i < n->cf->listen.n; i++) {
		if (split_hostport(n->cf->listen.v[i], &host, &port) == -1)
			return (error_wrap("listen"));
		(void)str_tonum(port, 0, 65535, &p);
		memset(&ho, 0, sizeof(ho));
		ho.addr = host;
		ho.port = (int)p;
		ho.handler = handler;
		ho.arg = n;
		ho.threads = (unsigned int)n->cf->threads;
		/* The webhooks take bodies; our own endpoints do not. */
		ho.max_body = n->hooks != NULL ? 0 : 64 * 1024;
		ho.timeout_s = 30;
		ho.max_conns = 4096;
		ho.tls = n->tls;
		n->http[n->nhttp] = http_server_start(&ho);
		free(host);
		free(port);
		if (n->http[n->nhttp] == NULL)
			return (error_wrap("listen %s", n->cf->listen.v[i]));
		log_info("listening on %s (port %d, %s): /jails /_up%s",
		    n->cf->listen.v[i], http_server_port(n->http[n->nhttp]),
		    n->cf->tls_client_ca ? "HTTPS, client certificates" :
		    n->cf->tls_cert ? "HTTPS" : "HTTP",
		    n->hooks ? " and the webhooks" : "");
		n->nhttp++;
	}
	(void)o;
	return (0);
}

void
web_stop(struct node *n)
{
	size_t i;

	for (i = 0; i < n->nhttp; i++)
		http_server_stop(n->http[i]);
	n->nhttp = 0;
	http_tls_free(n->tls);
	n->tls = NULL;
	if (n->jails != NULL) {
		pthread_rwlock_destroy(&n->jails->lock);
		buf_free(&n->jails->doc);
		free(n->jails);
		n->jails = NULL;
	}
}
