/*
 * Health checks: an HTTP GET, a TCP connect, a command, or haproxy's
 * stats socket, each bounded by its timeout.  Every check runs in a
 * thread of its own, so a slow or hanging check delays nothing but
 * itself; the HTTP workers only ever read the result under the state
 * mutex.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/spawn.h"
#include "node_int.h"

#define PROBE_MAX_READ	(1u << 20)

/* Remaining milliseconds until deadline, at least 0. */
static int
left_ms(int64_t deadline)
{
	int64_t l = deadline - now_mono_ms();

	return (l < 0 ? 0 : (int)l);
}

static int
wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { fd, ev, 0 };
	int r;

	do
		r = poll(&p, 1, left_ms(deadline));
	while (r == -1 && errno == EINTR);
	if (r == 0) {
		errno = ETIMEDOUT;
		return (-1);
	}
	return (r < 0 ? -1 : 0);
}

static int
connect_tcp(const char *host, const char *port, int64_t deadline,
    char *msg, size_t len)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, r, err = 0;
	socklen_t sl = sizeof(err);

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(msg, len, "%s: %s", host, gai_strerror(r));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS)
			err = errno;
		else if (wait_fd(fd, POLLOUT, deadline) == -1)
			err = errno;
		else {
			sl = sizeof(err);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &sl) == -1)
				err = errno;
			if (err == 0)
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		snprintf(msg, len, "connect %s:%s: %s", host, port,
		    strerror(err ? err : ETIMEDOUT));
	return (fd);
}

static int
connect_unix(const char *path, int64_t deadline, char *msg, size_t len)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(msg, len, "%s: path too long", path);
		return (-1);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(msg, len, "connect %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	(void)deadline;
	return (fd);
}

static int
send_all(int fd, const char *p, size_t n, int64_t deadline)
{
	ssize_t w;

	while (n > 0) {
		if (wait_fd(fd, POLLOUT, deadline) == -1)
			return (-1);
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return (-1);
		}
		p += w;
		n -= (size_t)w;
	}
	return (0);
}

/* Read until EOF or until stop() says it has enough. */
static int
recv_until(int fd, struct buf *b, int64_t deadline,
    int (*enough)(const struct buf *))
{
	char tmp[8192];
	ssize_t r;

	for (;;) {
		if (enough != NULL && enough(b))
			return (0);
		if (wait_fd(fd, POLLIN, deadline) == -1)
			return (-1);
		r = recv(fd, tmp, sizeof(tmp), 0);
		if (r == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			return (r == 0 ? 0 : -1);
		if (b->len + (size_t)r > PROBE_MAX_READ) {
			errno = EFBIG;
			return (-1);
		}
		buf_add(b, tmp, (size_t)r);
	}
}

static int
have_status_line(const struct buf *b)
{
	return (b->len > 0 && memchr(b->data, '\n', b->len) != NULL);
}

static int
probe_http(const struct check_conf *c, int64_t deadline, char *msg,
    size_t len)
{
	struct buf req = BUF_INIT, resp = BUF_INIT;
	int fd, status = 0, ok = 0;
	int64_t t0 = now_mono_ms();

	if ((fd = connect_tcp(c->host, c->port, deadline, msg, len)) == -1)
		return (0);
	buf_printf(&req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: "
	    "stasis-serve\r\nConnection: close\r\n\r\n", c->path,
	    c->hosthdr ? c->hosthdr : c->host);
	if (send_all(fd, req.data, req.len, deadline) == -1 ||
	    recv_until(fd, &resp, deadline, have_status_line) == -1) {
		snprintf(msg, len, "GET %s: %s", c->path,
		    errno == ETIMEDOUT ? "timed out" : strerror(errno));
		goto out;
	}
	if ((status = http_status_code(resp.data, resp.len)) == -1) {
		snprintf(msg, len, "GET %s: not an HTTP answer", c->path);
		goto out;
	}
	ok = c->expect ? status == c->expect : status >= 200 && status < 400;
	snprintf(msg, len, "GET %s: %d in %lld ms", c->path, status,
	    (long long)(now_mono_ms() - t0));
out:
	close(fd);
	buf_free(&req);
	buf_free(&resp);
	return (ok);
}

static int
probe_tcp(const struct check_conf *c, int64_t deadline, char *msg,
    size_t len)
{
	int64_t t0 = now_mono_ms();
	int fd;

	if ((fd = connect_tcp(c->host, c->port, deadline, msg, len)) == -1)
		return (0);
	close(fd);
	snprintf(msg, len, "connect %s:%s in %lld ms", c->host, c->port,
	    (long long)(now_mono_ms() - t0));
	return (1);
}

static int
probe_command(const struct check_conf *c, char *msg, size_t len)
{
	struct spawn_opts o;
	struct spawn_result r;
	char *nl;

	memset(&o, 0, sizeof(o));
	o.argv = c->argv.v;
	o.flags = SPAWN_NULL_IN | SPAWN_CAPTURE_OUT | SPAWN_MERGE_ERR |
	    SPAWN_SEARCH_PATH;
	o.timeout_ms = c->timeout_ms;
	o.max_output = 4096;
	if (spawn_run(&o, &r) == -1) {
		snprintf(msg, len, "%s", error_msg());
		return (0);
	}
	if ((nl = strchr(buf_cstr(&r.out), '\n')) != NULL)
		*nl = '\0';
	if (r.timed_out)
		snprintf(msg, len, "%s: timed out after %d ms", c->argv.v[0],
		    c->timeout_ms);
	else
		snprintf(msg, len, "%s: exit %d%s%.100s", c->argv.v[0],
		    r.exit_code, r.out.len ? ": " : "", buf_cstr(&r.out));
	spawn_result_free(&r);
	return (!r.timed_out && r.exit_code == 0);
}

/*
 * A proxy name haproxy can be asked for by name: not a number (that
 * would be taken for a proxy id) and nothing that could end the command.
 */
static int
hap_name_ok(const char *name)
{
	const char *p;
	int digits = 1;

	if (*name == '\0' || strlen(name) > 128)
		return (0);
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == ':'))
			return (0);
		if (*p < '0' || *p > '9')
			digits = 0;
	}
	return (!digits);
}

/*
 * "show stat" read a line at a time into st, however long the reply (a
 * big haproxy's is megabytes): only a line is held.  A line longer than
 * HAP_MAX_LINE (a real one is a few hundred bytes) fails the check as
 * "answer too long".
 */
#define HAP_MAX_LINE	(64u << 10)

static int
hap_read_stat(int fd, int64_t deadline, const char *backend,
    struct hap_stat *st)
{
	struct buf line = BUF_INIT;
	char tmp[8192], *p, *nl;
	ssize_t r;
	int rc = -1;

	for (;;) {
		if (wait_fd(fd, POLLIN, deadline) == -1)
			goto out;
		r = recv(fd, tmp, sizeof(tmp), 0);
		if (r == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r == -1)
			goto out;
		if (r == 0)
			break;
		for (p = tmp; p < tmp + r; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(tmp + r - p))) ==
			    NULL) {
				buf_add(&line, p, (size_t)(tmp + r - p));
				break;
			}
			buf_add(&line, p, (size_t)(nl - p));
			hap_stat_line(st, (char *)buf_cstr(&line), backend);
			line.len = 0;
		}
		if (line.len > HAP_MAX_LINE) {
			errno = EFBIG;
			goto out;
		}
	}
	if (line.len > 0)
		hap_stat_line(st, (char *)buf_cstr(&line), backend);
	rc = 0;
out:
	buf_free(&line);
	return (rc);
}

/*
 * haproxy's stats socket: "show stat" is CSV with a "# pxname,svname,..."
 * header.  The load balancer is healthy when it answers and, with a
 * backend named, at least one of that backend's servers is UP (a server
 * in NOLB/DRAIN takes no new traffic and does not count).  haproxy is
 * asked for that backend's servers only (`show stat NAME 4 -1`, type 4:
 * servers), and the reply is still filtered by name, so that an haproxy
 * that sends more is read right.
 */
static int
probe_haproxy(const struct check_conf *c, int64_t deadline, char *msg,
    size_t len)
{
	struct buf out = BUF_INIT, cmd = BUF_INIT;
	struct hap_stat st;
	int fd, ok = 0;

	if ((fd = connect_unix(c->socket, deadline, msg, len)) == -1)
		return (0);
	if (c->backend == NULL)
		buf_addstr(&cmd, "show info\n");
	else if (hap_name_ok(c->backend))
		buf_printf(&cmd, "show stat %s 4 -1\n", c->backend);
	else
		buf_addstr(&cmd, "show stat\n");
	hap_stat_init(&st);
	if (send_all(fd, cmd.data, cmd.len, deadline) == -1 ||
	    (c->backend == NULL ? recv_until(fd, &out, deadline, NULL) :
	    hap_read_stat(fd, deadline, c->backend, &st)) == -1) {
		snprintf(msg, len, "haproxy %s: %s", c->socket,
		    errno == ETIMEDOUT ? "timed out" : errno == EFBIG ?
		    "answer too long" : strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (c->backend == NULL) {
		ok = strstr(buf_cstr(&out), "\nPid: ") != NULL ||
		    str_startswith(buf_cstr(&out), "Name: ");
		snprintf(msg, len, "haproxy %s: %s", c->socket, ok ?
		    "answers" : "unexpected answer to show info");
		goto out;
	}
	if (st.noproxy || (st.stcol >= 0 && st.total == 0))
		snprintf(msg, len, "haproxy %s: no backend %s", c->socket,
		    c->backend);
	else if (st.stcol < 0)
		snprintf(msg, len, "haproxy %s: no status column in show stat",
		    c->socket);
	else
		snprintf(msg, len, "haproxy backend %s: %d/%d servers UP",
		    c->backend, st.up, st.total);
	ok = st.up > 0;
out:
	if (fd != -1)
		close(fd);
	buf_free(&out);
	buf_free(&cmd);
	return (ok);
}

int
probe(const struct check_conf *c, char *msg, size_t len)
{
	int64_t deadline = now_mono_ms() + c->timeout_ms;

	switch (c->type) {
	case CHECK_HTTP:
		return (probe_http(c, deadline, msg, len));
	case CHECK_TCP:
		return (probe_tcp(c, deadline, msg, len));
	case CHECK_COMMAND:
		return (probe_command(c, msg, len));
	case CHECK_HAPROXY:
		return (probe_haproxy(c, deadline, msg, len));
	default:
		snprintf(msg, len, "no check");
		return (1);
	}
}

static void *
checker_main(void *arg)
{
	struct checker *ck = arg;
	struct node *n = ck->n;
	struct timespec ts;
	char msg[sizeof(((struct health *)0)->msg)];
	int ok, running, changed;
	int64_t next;

	while (!atomic_load(&n->stop)) {
		next = now_mono_ms() + ck->c.interval_ms;
		running = ck->jail == NULL ? 1 :
		    node_jail_running(n, ck->jail);
		if (!running) {
			ok = 0;
			snprintf(msg, sizeof(msg), "jail %s is not running",
			    ck->jail);
		} else
			ok = probe(&ck->c, msg, sizeof(msg));
		pthread_mutex_lock(&n->mtx);
		/* Retired by a reload while probing: *h may be gone. */
		if (ck->stop) {
			pthread_mutex_unlock(&n->mtx);
			break;
		}
		changed = health_record(n, ck->h, &ck->c, ok, running,
		    ck->what, msg);
		if (changed)
			state_update_gate(n);
		else
			state_publish(n);
		pthread_mutex_unlock(&n->mtx);
		if (changed)
			state_save(n);
		pthread_mutex_lock(&n->mtx);
		mono_ts(next, &ts);
		while (!atomic_load(&n->stop) && !ck->stop &&
		    now_mono_ms() < next)
			pthread_cond_timedwait(&n->cv, &n->mtx, &ts);
		pthread_mutex_unlock(&n->mtx);
	}
	return (NULL);
}

static void
checker_free(struct checker *ck)
{
	check_conf_free(&ck->c);
	free(ck->jail);
	free(ck);
}

struct checker *
checker_start(struct node *n, const struct app_conf *ac,
    struct app_state *a)
{
	struct checker *ck = xcalloc(1, sizeof(*ck));

	ck->n = n;
	if (ac != NULL) {
		check_conf_copy(&ck->c, &ac->check);
		ck->jail = ac->jail ? xstrdup(ac->jail) : NULL;
		ck->h = &a->h;
		snprintf(ck->what, sizeof(ck->what), "app %s", ac->name);
	} else {
		check_conf_copy(&ck->c, &n->cf->lb);
		ck->h = &n->lb;
		snprintf(ck->what, sizeof(ck->what), "lb");
	}
	if ((errno = pthread_create(&ck->thr, NULL, checker_main, ck)) !=
	    0) {
		error_sys("start a health check thread");
		checker_free(ck);
		return (NULL);
	}
	ck->started = 1;
	return (ck);
}

void
checker_retire(struct node *n, struct checker *ck)
{
	if (ck == NULL)
		return;
	ck->stop = 1;
	ck->next = n->retired;
	n->retired = ck;
	pthread_cond_broadcast(&n->cv);
}

/*
 * A retired checker may be in the middle of a probe (up to its timeout):
 * the main loop does not wait for it, it collects it on a later tick.
 */
void
checker_reap(struct node *n, int all)
{
	struct checker **pp, *ck;

	for (pp = &n->retired; (ck = *pp) != NULL;) {
		if (all)
			pthread_join(ck->thr, NULL);
		else if (pthread_tryjoin_np(ck->thr, NULL) != 0) {
			pp = &ck->next;
			continue;
		}
		*pp = ck->next;
		checker_free(ck);
	}
}

int
health_start(struct node *n)
{
	size_t i;

	for (i = 0; i < n->cf->napps; i++)
		if ((n->apps[i]->ck = checker_start(n, &n->cf->apps[i],
		    n->apps[i])) == NULL)
			return (-1);
	if (n->cf->has_lb && (n->lbck = checker_start(n, NULL, NULL)) ==
	    NULL)
		return (-1);
	return (0);
}

/* At stop: every checker, current and retired. */
void
health_join(struct node *n)
{
	size_t i;

	pthread_mutex_lock(&n->mtx);
	for (i = 0; n->apps != NULL && i < n->cf->napps; i++) {
		checker_retire(n, n->apps[i]->ck);
		n->apps[i]->ck = NULL;
	}
	checker_retire(n, n->lbck);
	n->lbck = NULL;
	pthread_cond_broadcast(&n->cv);
	pthread_mutex_unlock(&n->mtx);
	checker_reap(n, 1);
}
