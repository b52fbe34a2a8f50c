/*
 * stasis hooks: webhook's command line over the hooks library.  Flags
 * are parsed the way Go's flag package does (-flag value, -flag=value,
 * --flag; booleans as -flag or -flag=false), so existing command lines
 * work unchanged.
 */
#include <sys/inotify.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <libgen.h>
#include <malloc.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/http.h"
#include "base/log.h"
#include "base/path.h"
#include "commands.h"
#include "hooks.h"

struct flags {
	struct strv	 hooks, headers;
	const char	*ip, *urlprefix, *cert, *key, *client_ca;
	const char	*http_methods, *logfile, *pidfile;
	const char	*tls_min, *ciphers;
	long long	 port, setuid, setgid, max_mm, xrid_limit;
	long long	 threads, max_runs, run_timeout, read_timeout;
	unsigned long long max_body;
	int		 verbose, debug, nopanic, hotreload, template;
	int		 secure, xrid, version, list_env, help, list_ciphers;
	int		 have_uid, have_gid;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: stasis hooks [-hooks FILE]... [-ip ADDR] [-port N] [-urlprefix P]\n"
"                    [-verbose] [-debug] [-logfile FILE] [-hotreload]\n"
"                    [-template] [-nopanic] [-header NAME=VALUE]...\n"
"                    [-http-methods LIST] [-x-request-id]\n"
"                    [-x-request-id-limit N] [-max-multipart-mem N]\n"
"                    [-secure -cert FILE -key FILE [-client-ca FILE]\n"
"                    [-tls-min-version V] [-cipher-suites LIST]]\n"
"                    [-setuid UID -setgid GID] [-pidfile FILE]\n"
"                    [-max-body SIZE] [-read-timeout SEC]\n"
"                    [-run-timeout SEC] [-max-runs N] [-threads N]\n"
"                    [-list-cmd-env] [-list-cipher-suites] [-version]\n"
"                    [-help]\n"
"\n"
"Serves adnanh/webhook hooks files (JSON or YAML) at\n"
"http://IP:PORT/PREFIX/HOOK-ID; see stasis-hooks(8).\n"
"\n"
"  -hooks FILE            hooks file, repeatable (default hooks.json)\n"
"  -ip ADDR               address to listen on (default 0.0.0.0)\n"
"  -port N                port (default 9000)\n"
"  -urlprefix P           URL prefix (default hooks)\n"
"  -verbose, -debug       log requests (and command output)\n"
"  -logfile FILE          log to FILE (implies -verbose)\n"
"  -hotreload             reload hooks files when they change\n"
"  -template              hooks files are Go templates ({{ getenv \"X\" }})\n"
"  -nopanic               start even when no hooks are loaded\n"
"  -header NAME=VALUE     response header on every answer, repeatable\n"
"  -http-methods LIST     default allowed methods, e.g. POST,PUT\n"
"  -x-request-id          use the X-Request-Id header as request id\n"
"  -x-request-id-limit N  truncate it to N bytes\n"
"  -max-multipart-mem N   multipart form memory (default 1048576)\n"
"  -secure                HTTPS with -cert and -key (PEM; default\n"
"                         cert.pem and key.pem)\n"
"  -tls-min-version V     1.0, 1.1, 1.2 (default) or 1.3\n"
"  -cipher-suites LIST    TLS 1.2 suites by IANA name, comma-separated\n"
"  -list-cipher-suites    say how to list them, and exit\n"
"  -client-ca FILE        with -secure: require client certificates\n"
"                         signed by this CA (mTLS)\n"
"  -setuid, -setgid       drop to these ids after binding\n"
"  -pidfile FILE          write the process id\n"
"  -max-body SIZE         largest request body, else 413 (default 10M)\n"
"  -read-timeout SEC      a request must arrive within (default 30)\n"
"  -run-timeout SEC       kill a command's process group after (0: none)\n"
"  -max-runs N            runs of one hook at once, else 503 (0: no limit)\n"
"  -threads N             HTTP worker threads (default: CPUs)\n"
"  -list-cmd-env          print each hook's environment names and exit\n"
"  -version               print webhook's version line and exit\n"
"  -help, -h              print this and exit\n");
}

enum ftype { F_BOOL, F_STR, F_NUM, F_SIZE, F_MULTI };

/*
 * A command-line error: said once, and exit status 2, as Go's flag
 * package (and so webhook) exits on any of them, not only an unknown
 * flag.
 */
#define FLAG_ERR(...)	(failx(__VA_ARGS__), -2)

struct fdef {
	const char	*name;
	enum ftype	 type;
	size_t		 off;
};

#define O(f)	offsetof(struct flags, f)
static const struct fdef fdefs[] = {
	{ "hooks", F_MULTI, O(hooks) }, { "header", F_MULTI, O(headers) },
	{ "ip", F_STR, O(ip) }, { "urlprefix", F_STR, O(urlprefix) },
	{ "cert", F_STR, O(cert) }, { "key", F_STR, O(key) },
	{ "client-ca", F_STR, O(client_ca) },
	{ "http-methods", F_STR, O(http_methods) },
	{ "logfile", F_STR, O(logfile) }, { "pidfile", F_STR, O(pidfile) },
	{ "port", F_NUM, O(port) }, { "setuid", F_NUM, O(setuid) },
	{ "setgid", F_NUM, O(setgid) },
	{ "max-multipart-mem", F_NUM, O(max_mm) },
	{ "x-request-id-limit", F_NUM, O(xrid_limit) },
	{ "threads", F_NUM, O(threads) }, { "max-runs", F_NUM, O(max_runs) },
	{ "run-timeout", F_NUM, O(run_timeout) },
	{ "read-timeout", F_NUM, O(read_timeout) },
	{ "max-body", F_SIZE, O(max_body) },
	{ "verbose", F_BOOL, O(verbose) }, { "debug", F_BOOL, O(debug) },
	{ "nopanic", F_BOOL, O(nopanic) },
	{ "hotreload", F_BOOL, O(hotreload) },
	{ "template", F_BOOL, O(template) }, { "secure", F_BOOL, O(secure) },
	{ "x-request-id", F_BOOL, O(xrid) },
	{ "version", F_BOOL, O(version) },
	{ "list-cmd-env", F_BOOL, O(list_env) },
	{ "h", F_BOOL, O(help) }, { "help", F_BOOL, O(help) },
	{ "tls-min-version", F_STR, O(tls_min) },
	{ "cipher-suites", F_STR, O(ciphers) },
	{ "list-cipher-suites", F_BOOL, O(list_ciphers) },
};

static int
parse_flags(int argc, char **argv, struct flags *f)
{
	const struct fdef *d;
	const char *a, *val;
	char name[64];
	size_t i, n;
	long long num;
	int k;

	for (k = 1; k < argc; k++) {
		a = argv[k];
		if (a[0] != '-' || a[1] == '\0')
			return (FLAG_ERR("unexpected argument \"%s\"", a));
		a++;
		if (*a == '-')
			a++;
		if (*a == '\0')		/* "--" */
			return (k + 1 < argc ? FLAG_ERR("unexpected "
			    "argument \"%s\"", argv[k + 1]) : 0);
		n = strcspn(a, "=");
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, a, n);
		name[n] = '\0';
		val = a[n] == '=' ? a + n + 1 : NULL;
		d = NULL;
		for (i = 0; i < sizeof(fdefs) / sizeof(fdefs[0]); i++)
			if (strcmp(fdefs[i].name, name) == 0)
				d = &fdefs[i];
		if (d == NULL) {
			fprintf(stderr, "flag provided but not defined: -%s\n",
			    name);
			usage(stderr);
			return (-2);
		}
		if (d->type == F_BOOL) {
			int b = 1;

			if (val != NULL) {
				if (!strcmp(val, "true") || !strcmp(val, "1"))
					b = 1;
				else if (!strcmp(val, "false") ||
				    !strcmp(val, "0"))
					b = 0;
				else
					return (FLAG_ERR("-%s: invalid "
					    "boolean \"%s\"", name, val));
			}
			if (d->off != 0)
				*(int *)((char *)f + d->off) = b;
			continue;
		}
		if (val == NULL) {
			if (k + 1 >= argc)
				return (FLAG_ERR("flag needs an argument: "
				    "-%s", name));
			val = argv[++k];
		}
		switch (d->type) {
		case F_STR:
			if (d->off != 0)
				*(const char **)((char *)f + d->off) = val;
			break;
		case F_MULTI:
			if (strcmp(name, "header") == 0 &&
			    strchr(val, '=') == NULL)
				return (FLAG_ERR("-header: header flag "
				    "must be in name=value format"));
			strv_push((struct strv *)((char *)f + d->off), val);
			break;
		case F_NUM:
			if (str_tonum(val, 0, LLONG_MAX, &num) == -1)
				return (FLAG_ERR("-%s: invalid value "
				    "\"%s\"", name, val));
			*(long long *)((char *)f + d->off) = num;
			if (strcmp(name, "setuid") == 0)
				f->have_uid = 1;
			if (strcmp(name, "setgid") == 0)
				f->have_gid = 1;
			break;
		case F_SIZE:
			if (str_tosize(val, (unsigned long long *)((char *)f +
			    d->off)) == -1)
				return (FLAG_ERR("-%s: invalid size "
				    "\"%s\"", name, val));
			break;
		default:
			break;
		}
	}
	return (0);
}

struct watch {
	int	 fd;
	int	*wd;
	size_t	 n;
};

static void
watch_add(struct watch *w, const char *file)
{
	char *copy = xstrdup(file);
	int wd;

	if (w->fd == -1)
		w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd == -1) {
		free(copy);
		return;
	}
	/* The directory: editors and deploys replace files by rename. */
	wd = inotify_add_watch(w->fd, dirname(copy), IN_CLOSE_WRITE |
	    IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
	free(copy);
	if (wd == -1)
		log_warn("hotreload: watch %s: %s", file, strerror(errno));
}

static int
watch_hit(struct watch *w, struct strv *files)
{
	char evbuf[8192] __attribute__((aligned(8)));
	const struct inotify_event *ev;
	ssize_t n;
	size_t i;
	int hit = 0;

	while ((n = read(w->fd, evbuf, sizeof(evbuf))) > 0) {
		for (char *p = evbuf; p < evbuf + n;
		    p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->len == 0)
				continue;
			for (i = 0; i < files->n; i++) {
				char *c = xstrdup(files->v[i]);

				if (strcmp(basename(c), ev->name) == 0)
					hit = 1;
				free(c);
			}
		}
	}
	return (hit);
}

/*
 * With -secure, SIGHUP (or SIGUSR1) also reads the certificate, key and
 * client CA again: renewed files are checked first and only then served
 * to new connections; bad ones leave the running certificate in place.
 * After -setuid the files must still be readable by that user.
 */
static void
reload_tls(struct http_server *srv, const struct http_server_opts *so,
    struct http_tls **cur)
{
	struct http_tls *t;
	char what[320];

	if ((t = http_tls_load(so)) == NULL) {
		log_err("TLS not reloaded, keeping the running certificate: "
		    "%s", error_msg());
		return;
	}
	(void)http_server_set_tls(srv, t);
	http_tls_summary(t, what, sizeof(what));
	log_info("TLS reloaded: %s%s", what, http_tls_same(t, *cur) ?
	    " (the same certificate)" : "");
	http_tls_free(*cur);
	*cur = t;
}

static int
serve(struct hooks *h, struct flags *f)
{
	struct http_server_opts so;
	struct http_server *srv;
	struct watch w = { -1, NULL, 0 };
	struct signalfd_siginfo si;
	struct http_tls *tls = NULL;
	struct pollfd pfd[2];
	sigset_t set;
	size_t i;
	int sfd, rc = 0, port;

	memset(&so, 0, sizeof(so));
	so.addr = f->ip;
	so.port = (int)f->port;
	so.handler = hooks_http_handler;
	so.arg = h;
	so.max_body = (size_t)f->max_body;
	so.timeout_s = (unsigned int)f->read_timeout;
	so.threads = (unsigned int)f->threads;
	if (f->secure) {
		so.cert_file = f->cert;
		so.key_file = f->key;
		so.client_ca_file = f->client_ca;
		so.tls_min_version = f->tls_min;
		so.tls_ciphers = f->ciphers;
		if ((tls = http_tls_load(&so)) == NULL)
			return (fail("-secure"));
		so.tls = tls;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (f->pidfile != NULL) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (file_write_atomic(f->pidfile, pid, strlen(pid), 0644) ==
		    -1)
			log_warn("pidfile: %s", error_msg());
	}
	/*
	 * Watch before listening: a change made once the port answers is
	 * then always seen (a client that saw the server and then edited
	 * the file was racing the watch).
	 */
	if (f->hotreload)
		for (i = 0; i < f->hooks.n; i++)
			watch_add(&w, f->hooks.v[i]);
	if ((srv = http_server_start(&so)) == NULL) {
		if (f->pidfile != NULL)
			unlink(f->pidfile);
		http_tls_free(tls);
		if (w.fd != -1)
			close(w.fd);
		return (fail("listen on %s:%lld", f->ip, f->port));
	}
	so.tls = NULL;	/* ours to free; a reload reads the files */
	port = http_server_port(srv);
	if (f->have_uid) {
		if (setgid((gid_t)f->setgid) == -1 ||
		    setuid((uid_t)f->setuid) == -1) {
			error_sys("setuid %lld / setgid %lld", f->setuid,
			    f->setgid);
			http_server_stop(srv);
			return (fail("drop privileges"));
		}
	}
	log_info("serving hooks on %s://%s:%d/%s%s{id}", f->secure ?
	    "https" : "http", f->ip, port, f->urlprefix, f->urlprefix[0] ?
	    "/" : "");
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = w.fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, w.fd != -1 ? 2 : 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
				break;
			if (si.ssi_signo == SIGHUP || si.ssi_signo == SIGUSR1) {
				if (hooks_reload(h) == -1)
					log_err("%s", error_msg());
				else
					log_info("reloaded %zu hooks",
					    hooks_count(h));
				if (tls != NULL)
					reload_tls(srv, &so, &tls);
			}
		}
		if (w.fd != -1 && (pfd[1].revents & POLLIN) &&
		    watch_hit(&w, &f->hooks)) {
			/* Let a writer finish; then drain what it caused. */
			usleep(100000);
			watch_hit(&w, &f->hooks);
			if (hooks_reload(h) == -1)
				log_err("%s", error_msg());
			else
				log_info("reloaded %zu hooks", hooks_count(h));
		}
	}
	log_info("shutting down");
	http_server_stop(srv);
	http_tls_free(tls);
	if (f->pidfile != NULL)
		unlink(f->pidfile);
	if (w.fd != -1)
		close(w.fd);
	close(sfd);
	return (rc);
}

/*
 * The daemon runs from the smallest binary that has what it needs.
 * stasis-hooks has no TLS and runs in a third less memory (its OpenSSL
 * is the SHA functions alone: no relocated provider tables, see the
 * Makefile), so the full stasis hands a plain-HTTP daemon to it; with
 * -secure, stasis-hooks hands the daemon to the full stasis.  Either
 * way it happens before anything is opened, with the same arguments;
 * without the other binary beside this one, this one serves or, for
 * -secure, says why it cannot.
 */
static void
exec_other(int argc, char **argv, int secure)
{
	char **av;
	int i;

	if (secure == http_tls_available())
		return;
	av = xcalloc((size_t)argc + 2, sizeof(*av));
	av[0] = secure ? "stasis" : "stasis-hooks";
	for (i = 0; i < argc; i++)
		av[i + 1] = argv[i];
	path_exec_sibling(av[0], av);
	free(av);
}

int
cmd_hooks(int argc, char **argv)
{
	struct flags f;
	struct hooks_opts o;
	struct hooks *h;
	struct buf b = BUF_INIT;
	int rc;

	/*
	 * One malloc arena: a few workers allocate little and briefly, and
	 * each extra arena is resident memory for nothing.
	 */
	mallopt(M_ARENA_MAX, 1);
	memset(&f, 0, sizeof(f));
	f.ip = "0.0.0.0";
	f.port = 9000;
	f.urlprefix = "hooks";
	f.cert = "cert.pem";
	f.key = "key.pem";
	f.max_mm = 1 << 20;
	f.tls_min = "1.2";
	if ((rc = parse_flags(argc, argv, &f)) != 0) {
		rc = rc == -2 ? 2 : 1;
		goto out;
	}
	if (f.help) {
		usage(stdout);
		goto out;
	}
	if (f.list_ciphers) {
		/* OpenSSL's, by the IANA names -cipher-suites takes. */
		puts("stasis hooks uses OpenSSL's TLS: list the suites with "
		    "`openssl ciphers -stdname -tls1_2`\n(the TLS_... names "
		    "are what -cipher-suites takes)");
		goto out;
	}
	if (f.version) {
		/*
		 * webhook's line exactly: a drop-in is also run by scripts
		 * that parse it (`webhook -version | awk '{print $3}'`).
		 * `stasis --version` says which stasis this is.
		 */
		printf("webhook version %s\n", HOOKS_VERSION);
		goto out;
	}
	if (f.have_uid != f.have_gid) {
		rc = failx("-setuid and -setgid must be used together");
		goto out;
	}
	if (f.client_ca != NULL && !f.secure) {
		rc = failx("-client-ca needs -secure");
		goto out;
	}
	if (f.port > 65535) {
		rc = failx("-port: %lld out of range", f.port);
		goto out;
	}
	exec_other(argc, argv, f.secure);
	if (f.secure && !http_tls_available()) {
		rc = failx("-secure: TLS is not in %s, and there is no "
		    "stasis next to it to run instead",
		    program_invocation_short_name);
		goto out;
	}
	log_init("stasis", f.debug ? LOG_LVL_DEBUG : (f.verbose ||
	    f.logfile) ? LOG_LVL_INFO : LOG_LVL_ERR);
	if (f.logfile != NULL && log_to_file(f.logfile) == -1) {
		rc = fail("-logfile %s", f.logfile);
		goto out;
	}
	if (f.hooks.n == 0)
		strv_push(&f.hooks, "hooks.json");
	memset(&o, 0, sizeof(o));
	o.files = (const char *const *)f.hooks.v;
	o.nfiles = f.hooks.n;
	o.urlprefix = f.urlprefix;
	o.template = f.template;
	o.http_methods = f.http_methods;
	o.headers = (const char *const *)f.headers.v;
	o.nheaders = f.headers.n;
	o.x_request_id = f.xrid;
	o.x_request_id_limit = (size_t)f.xrid_limit;
	o.max_multipart_mem = f.max_mm;
	o.run_timeout_s = (unsigned int)f.run_timeout;
	o.max_runs = (unsigned int)f.max_runs;
	/*
	 * The daemon drops to these ids once it listens; commands also get
	 * them explicitly so that none can start with ours in between.
	 */
	if (f.have_uid) {
		o.set_ids = 1;
		o.uid = (uid_t)f.setuid;
		o.gid = (gid_t)f.setgid;
	}
	/* webhook starts empty only when told it may. */
	o.allow_empty = f.verbose || f.debug || f.nopanic || f.logfile ||
	    f.list_env;
	if ((h = hooks_open(&o)) == NULL) {
		rc = fail("load hooks");
		goto out;
	}
	log_info("loaded %zu hooks", hooks_count(h));
	/* Loading's scratch memory goes back before serving starts. */
	malloc_trim(0);
	if (f.list_env) {
		hooks_list_env(h, &b);
		fputs(buf_cstr(&b), stdout);
	} else
		rc = serve(h, &f);
	hooks_close(h);
out:
	buf_free(&b);
	strv_free(&f.hooks);
	strv_free(&f.headers);
	return (rc);
}
