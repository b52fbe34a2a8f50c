/*
 * The daemon's life and its event loop.  One epoll loop on the main
 * thread owns the small, local protocols: signals, the control socket,
 * the agent-check port and the inotify watch on the jails' run
 * directory.  The HTTP listeners have their own worker threads
 * (base/http), each check has a thread, and the BGP gate has one; they
 * meet only in struct node's mutex-protected state.
 */
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/path.h"
#include "node_int.h"

#define TICK_MS		100
#define CTL_WAIT_MS	2000
/*
 * Connections held at once, per listener: the agent port is TCP that
 * anyone routed to it reaches, the control socket is 0600 for the
 * operator, and a flood of the first must not lock the operator out of
 * drain, status and reload.
 */
#define MAX_AGENT_CONNS	256
#define MAX_CTL_CONNS	64
/*
 * A reply the socket does not take at once waits in the connection and
 * goes out as the client reads, so a client that does not read stalls
 * nobody else.  Bounded: a client that takes nothing for REPLY_WAIT_MS,
 * or whose reply leaves more than REPLY_MAX_PENDING behind (a status is
 * a few hundred KiB at most), is closed.
 */
#define REPLY_WAIT_MS		5000
#define REPLY_MAX_PENDING	(4u << 20)

enum lkind { L_CTL, L_AGENT };

struct lconn {
	struct lconn	*next;
	int		 fd;
	enum lkind	 kind;
	struct buf	 in;
	int64_t		 deadline;
	struct buf	 out;		/* the reply, once there is one */
	size_t		 off;		/* how much of it is sent */
	int		 replying;	/* waits for the socket to take it */
};

/* epoll tags for the fixed descriptors */
static char tag_sig, tag_timer, tag_ctl, tag_agent, tag_ino;

static int
ep_add(struct node *n, int fd, void *ptr)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = ptr;
	if (epoll_ctl(n->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		return (error_sys("epoll_ctl"));
	return (0);
}

static int
control_listen(struct node *n)
{
	struct sockaddr_un sun;
	char *dir, *slash;
	int fd, probe;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(n->cf->control) >= sizeof(sun.sun_path))
		return (error_set("control socket %s: path too long",
		    n->cf->control));
	strcpy(sun.sun_path, n->cf->control);
	/* A live daemon keeps its socket; a dead one's is removed. */
	if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1) {
		if (connect(probe, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			close(probe);
			return (error_set("control socket %s: another stasis "
			    "serve is running there", n->cf->control));
		}
		close(probe);
	}
	(void)unlink(n->cf->control);
	dir = xstrdup(n->cf->control);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (path_mkdirs(dir, 0755) == -1) {
			free(dir);
			return (error_wrap("control socket"));
		}
	}
	free(dir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return (error_sys("socket"));
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		close(fd);
		return (error_sys("control socket %s", n->cf->control));
	}
	umask(old);
	if (listen(fd, 64) == -1) {
		close(fd);
		return (error_sys("listen %s", n->cf->control));
	}
	n->ctlfd = fd;
	return (ep_add(n, fd, &tag_ctl));
}

static int
agent_listen(struct node *n)
{
	struct addrinfo hints, *res, *ai;
	char *host, *port;
	int fd = -1, one = 1, r;

	if (n->cf->agent == NULL)
		return (0);
	if (split_hostport(n->cf->agent, &host, &port) == -1)
		return (error_wrap("agent"));
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	r = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	free(host);
	free(port);
	if (r != 0)
		return (error_set("agent %s: %s", n->cf->agent,
		    gai_strerror(r)));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 128) == 0)
			break;
		r = errno;
		close(fd);
		fd = -1;
		errno = r;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return (error_sys("agent %s", n->cf->agent));
	n->agentfd = fd;
	log_info("agent-check on %s", n->cf->agent);
	return (ep_add(n, fd, &tag_agent));
}

/*
 * Jail state lives in RUNDIR/jails/NAME/state.json: watch that directory
 * and each jail's, so /jails is rebuilt as soon as a jail comes, goes or
 * changes.  New directories are picked up by rescanning on every event
 * and once a second (the directory may not exist yet).
 */
static int
watch_add(struct node *n, const char *path)
{
	size_t i;
	int wd;

	wd = inotify_add_watch(n->inofd, path, IN_CREATE | IN_DELETE |
	    IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |
	    IN_ATTRIB | IN_ONLYDIR);
	if (wd == -1)
		return (0);
	for (i = 0; i < n->nwds; i++)
		if (n->wds[i] == wd)
			return (0);
	if (n->nwds < sizeof(n->wds) / sizeof(n->wds[0]))
		n->wds[n->nwds++] = wd;
	return (1);
}

static void
watch_rundir(struct node *n)
{
	const char *rd = node_rundir(n);
	struct dirent *de;
	char *dir, *sub;
	DIR *d;
	int added = 0;

	if (n->inofd == -1 || rd == NULL)
		return;
	dir = xasprintf("%s/jails", rd);
	added += watch_add(n, rd);
	added += watch_add(n, dir);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			sub = xasprintf("%s/%s", dir, de->d_name);
			added += watch_add(n, sub);
			free(sub);
		}
		closedir(d);
	}
	free(dir);
	if (added)
		web_jails_invalidate(n);
}

static void
on_inotify(struct node *n)
{
	char b[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(n->inofd, b, sizeof(b)) > 0)
		;
	web_jails_invalidate(n);
	watch_rundir(n);
}

static void
lconn_free(struct node *n, struct lconn *c)
{
	struct lconn **pp;

	for (pp = &n->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			n->nconns[c->kind]--;
			break;
		}
	epoll_ctl(n->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

static void
on_accept(struct node *n, int lfd, enum lkind kind)
{
	struct lconn *c;
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1) {
		if (n->nconns[kind] >= (kind == L_AGENT ? MAX_AGENT_CONNS :
		    MAX_CTL_CONNS)) {
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->kind = kind;
		c->deadline = now_mono_ms() + (kind == L_AGENT ?
		    n->cf->agent_wait_ms : CTL_WAIT_MS);
		c->next = n->conns;
		n->conns = c;
		n->nconns[kind]++;
		if (ep_add(n, fd, c) == -1)
			lconn_free(n, c);
	}
}

static const char *
lconn_what(const struct lconn *c)
{
	return (c->kind == L_AGENT ? "agent port" : "control socket");
}

/*
 * Send what the socket takes of the reply; close when all of it is
 * gone, else wait for the socket to be writable (EPOLLOUT only: input
 * after the request is not read).
 */
static void
lconn_flush(struct node *n, struct lconn *c)
{
	struct epoll_event ev;
	ssize_t w;

	while (c->off < c->out.len) {
		w = send(c->fd, c->out.data + c->off, c->out.len - c->off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			lconn_free(n, c);
			return;
		}
		c->off += (size_t)w;
		c->deadline = now_mono_ms() + REPLY_WAIT_MS;
	}
	if (c->off == c->out.len) {
		lconn_free(n, c);
		return;
	}
	if (c->out.len - c->off > REPLY_MAX_PENDING) {
		log_warn("%s: a reply of %zu bytes, %zu of them not taken: "
		    "closed (the limit is %u)", lconn_what(c), c->out.len,
		    c->out.len - c->off, REPLY_MAX_PENDING);
		lconn_free(n, c);
		return;
	}
	if (!c->replying) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLOUT;
		ev.data.ptr = c;
		if (epoll_ctl(n->ep, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
			lconn_free(n, c);
			return;
		}
		c->replying = 1;
	}
}

/* Answer, then close once the client has taken the reply. */
static void
lconn_answer(struct node *n, struct lconn *c, int complete)
{
	char *nl;

	if (c->kind == L_AGENT) {
		if ((nl = memchr(buf_cstr(&c->in), '\n', c->in.len)) != NULL)
			*nl = '\0';
		agent_reply(n, complete ? str_trim(c->in.data) : NULL,
		    &c->out);
	} else if (!complete)
		buf_addstr(&c->out, "{\"ok\": false, \"error\": \"no request "
		    "line\"}\n");
	else
		ctl_execute(n, c->in.data, c->in.len, &c->out);
	c->off = 0;
	c->deadline = now_mono_ms() + REPLY_WAIT_MS;
	lconn_flush(n, c);
}

static void
on_lconn(struct node *n, struct lconn *c)
{
	char tmp[1024];
	ssize_t r;

	if (c->replying) {
		lconn_flush(n, c);
		return;
	}
	for (;;) {
		r = read(c->fd, tmp, sizeof(tmp));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			return;
		if (r <= 0) {
			/* EOF: what came is the request, if anything. */
			lconn_answer(n, c, c->in.len > 0);
			return;
		}
		if (c->in.len + (size_t)r > NODE_CTL_MAX_LINE) {
			if (c->kind == L_AGENT)
				lconn_answer(n, c, 0);
			else
				lconn_free(n, c);
			return;
		}
		buf_add(&c->in, tmp, (size_t)r);
		if (memchr(c->in.data, '\n', c->in.len) != NULL) {
			lconn_answer(n, c, 1);
			return;
		}
	}
}

static int
save_every_s(struct node *n)
{
	int s = n->cf->state_max_age_s / 3;

	return (s < 1 ? 1 : s > 60 ? 60 : s);
}

static void
on_tick(struct node *n)
{
	struct lconn *c, *next;
	uint64_t x;
	int64_t now = now_mono_ms();

	(void)!read(n->timerfd, &x, sizeof(x));
	for (c = n->conns; c != NULL; c = next) {
		next = c->next;
		if (now < c->deadline)
			continue;
		if (c->replying) {
			log_warn("%s: a client took %zu of its %zu-byte reply "
			    "and nothing for %d ms: closed", lconn_what(c),
			    c->off, c->out.len, REPLY_WAIT_MS);
			lconn_free(n, c);
		} else if (c->kind == L_AGENT) {
			/* haproxy sent no agent-send string: the node's. */
			lconn_answer(n, c, c->in.len > 0);
		} else
			lconn_free(n, c);
	}
	if (++n->ticks % (1000 / TICK_MS) == 0) {
		watch_rundir(n);
		checker_reap(n, 0);
	}
	/*
	 * Re-save now and then even when nothing changed: the file's age
	 * is what says the health in it can be trusted after a crash, and
	 * a node that has been up for a week must not restart as "down".
	 */
	if (n->ticks % (unsigned int)(save_every_s(n) * (1000 / TICK_MS)) == 0)
		state_save(n);
}

static int
on_signal(struct node *n)
{
	struct signalfd_siginfo si;

	while (read(n->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP: {
			struct buf sum = BUF_INIT;

			/* node_reload logs the outcome either way. */
			log_info("SIGHUP: reloading %s", n->conf_path ?
			    n->conf_path : "the hooks");
			(void)node_reload(n, &sum);
			buf_free(&sum);
			break;
		}
		case SIGTERM:
		case SIGINT:
			log_info("%s: stopping (routes stay as they are%s)",
			    strsignal((int)si.ssi_signo),
			    n->cf->withdraw_on_exit ? " unless "
			    "withdraw_on_exit" : "");
			return (1);
		}
	}
	return (0);
}

int
node_run(struct node *n)
{
	struct epoll_event evs[64];
	int i, k, tick;

	for (;;) {
		k = epoll_wait(n->ep, evs, 64, -1);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return (error_sys("epoll_wait"));
		/*
		 * The tick frees connections past their deadline: after the
		 * batch, which may still name them.
		 */
		tick = 0;
		for (i = 0; i < k; i++) {
			void *p = evs[i].data.ptr;

			if (p == &tag_sig) {
				if (on_signal(n))
					return (0);
			} else if (p == &tag_timer)
				tick = 1;
			else if (p == &tag_ctl)
				on_accept(n, n->ctlfd, L_CTL);
			else if (p == &tag_agent)
				on_accept(n, n->agentfd, L_AGENT);
			else if (p == &tag_ino)
				on_inotify(n);
			else
				on_lconn(n, p);
		}
		if (tick)
			on_tick(n);
	}
}

static int
cond_init_mono(pthread_cond_t *cv)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
	return (0);
}

struct node *
node_start(struct node_config *cf, const struct node_opts *o)
{
	pthread_rwlockattr_t ra;
	struct itimerspec its;
	struct node *n;
	sigset_t set;
	size_t i;

	/* Before any thread starts, so that all of them inherit it. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	n = xcalloc(1, sizeof(*n));
	n->cf = cf;
	n->ep = n->sigfd = n->timerfd = n->ctlfd = n->agentfd = n->inofd =
	    -1;
	pthread_mutex_init(&n->mtx, NULL);
	pthread_mutex_init(&n->save_mtx, NULL);
	/* A steady stream of /_up readers must not starve a reload. */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&n->cf_lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	cond_init_mono(&n->cv);
	cond_init_mono(&n->gate_cv);
	n->started = n->loaded = now_wall();
	/* Absolute, so the log and status name it whatever the cwd. */
	if (o != NULL && o->config_file != NULL &&
	    (n->conf_path = realpath(o->config_file, NULL)) == NULL)
		n->conf_path = xstrdup(o->config_file);
	if (o != NULL && o->hooks_file != NULL)
		n->opt_hooks = xstrdup(o->hooks_file);
	for (i = 0; o != NULL && i < o->nsets; i++) {
		strv_push(&n->sets, o->sets[2 * i]);
		strv_push(&n->sets, o->sets[2 * i + 1] ?
		    o->sets[2 * i + 1] : "");
	}
	n->rundir = cf->rundir ? xstrdup(cf->rundir) : NULL;
	atomic_store(&n->jails_ttl_ms, cf->jails_ttl_ms);
	n->apps = xcalloc(cf->napps + 1, sizeof(*n->apps));
	for (i = 0; i < cf->napps; i++) {
		n->apps[i] = xcalloc(1, sizeof(*n->apps[i]));
		n->apps[i]->weight = cf->apps[i].weight;
		n->apps[i]->h.jail_running = cf->apps[i].jail == NULL;
	}
	n->px = xcalloc(cf->nprefixes + 1, sizeof(*n->px));
	for (i = 0; i < cf->nprefixes; i++)
		n->px[i].bird = -1;
	state_load(n);
	for (i = 0; i < cf->nprefixes; i++) {
		n->px[i].want = gate_want(n, i);
		n->px[i].since = now_wall();
	}
	state_publish(n);

	if ((n->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		error_sys("epoll_create1");
		goto fail;
	}
	if ((n->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1 || ep_add(n, n->sigfd, &tag_sig) == -1) {
		error_sys("signalfd");
		goto fail;
	}
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_nsec = its.it_value.tv_nsec = TICK_MS * 1000000;
	if ((n->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1 || timerfd_settime(n->timerfd, 0, &its,
	    NULL) == -1 || ep_add(n, n->timerfd, &tag_timer) == -1) {
		error_sys("timerfd");
		goto fail;
	}
	if ((n->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) != -1)
		(void)ep_add(n, n->inofd, &tag_ino);
	watch_rundir(n);
	if (o != NULL && o->hooks_file != NULL) {
		if (node_hooks_open(n, cf, o->hooks_file) == -1)
			goto fail;
	} else if (cf->hooks != NULL && node_hooks_open(n, cf, cf->hooks) ==
	    -1)
		goto fail;
	n->hooks_capable = n->hooks != NULL;
	if (control_listen(n) == -1 || agent_listen(n) == -1 ||
	    web_start(n, o) == -1)
		goto fail;
	if (health_start(n) == -1 || bgp_start(n) == -1)
		goto fail;
	if (cf->listen.n == 0)
		log_warn("no listen address: /jails and /_up are not served");
	log_info("serving %zu apps, %zu anycast prefixes; control socket %s",
	    cf->napps, cf->nprefixes, cf->control);
	return (n);
fail:
	node_stop(n);
	return (NULL);
}

void
node_stop(struct node *n)
{
	struct lconn *c;
	size_t i;

	if (n == NULL)
		return;
	atomic_store(&n->stop, 1);
	web_stop(n);
	health_join(n);
	bgp_join(n);
	node_hooks_close(n);
	while ((c = n->conns) != NULL)
		lconn_free(n, c);
	/* Only the daemon that owned the socket owns the state file. */
	if (n->ctlfd != -1) {
		close(n->ctlfd);
		(void)unlink(n->cf->control);
		if (n->cf->napps > 0 || n->cf->nprefixes > 0)
			state_save(n);
	}
	if (n->agentfd != -1)
		close(n->agentfd);
	if (n->inofd != -1)
		close(n->inofd);
	if (n->timerfd != -1)
		close(n->timerfd);
	if (n->sigfd != -1)
		close(n->sigfd);
	if (n->ep != -1)
		close(n->ep);
	pthread_mutex_destroy(&n->mtx);
	pthread_mutex_destroy(&n->save_mtx);
	pthread_rwlock_destroy(&n->cf_lock);
	pthread_cond_destroy(&n->cv);
	pthread_cond_destroy(&n->gate_cv);
	for (i = 0; i < n->cf->napps; i++)
		free(n->apps[i]);
	free(n->apps);
	free(n->px);
	strv_free(&n->bird_retire);
	strv_free(&n->sets);
	free(n->bird_socket);
	free(n->rundir);
	free(n->conf_path);
	free(n->opt_hooks);
	node_config_free(n->cf);
	free(n);
}
