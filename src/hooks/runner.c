/*
 * The runner: one thread that watches every running command of the
 * daemon through its pidfd and output pipe, with one poll(2) over all of
 * them.  A thread per run (what we had) cost a stack, a malloc arena and
 * a clone/exit for each, and under concurrent runs doubled the daemon's
 * resident memory; the HTTP workers never wait for a command either way
 * (they park the connection with http_defer).  The thread starts with the
 * first run, so a daemon that never runs a command has none.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/spawn.h"
#include "hooks_int.h"

#define RUNNER_STACK	(256 << 10)

struct item {
	struct job		*job;
	struct spawn_proc	*proc;
	runner_done_fn		 done;
	void			*arg;
	struct item		*next;
};

struct runner {
	const struct hooks_opts	*opts;
	pthread_mutex_t		 mtx;
	struct item		*queue;		/* newest first */
	int			 efd;		/* wakes the thread */
	int			 started;
	int			 stop;
	pthread_t		 thread;
};

static void
finish(struct item *it)
{
	struct run_result res;

	job_finish(it->job, it->proc, &res);
	it->done(it->arg, &res);
	free(it);
}

/* Take what was queued, oldest first, and start it. */
static int
take(struct runner *r, struct item ***act, size_t *nact, size_t *cap)
{
	struct item *q, *rev = NULL, *next;
	int stop;

	pthread_mutex_lock(&r->mtx);
	q = r->queue;
	r->queue = NULL;
	stop = r->stop;
	pthread_mutex_unlock(&r->mtx);
	for (; q != NULL; q = next) {
		next = q->next;
		q->next = rev;
		rev = q;
	}
	for (; rev != NULL; rev = next) {
		next = rev->next;
		if ((rev->proc = job_start(rev->job, r->opts)) == NULL) {
			finish(rev);
			continue;
		}
		if (*nact == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*act = xrealloc(*act, *cap * sizeof(**act));
		}
		(*act)[(*nact)++] = rev;
	}
	return (stop);
}

static void *
runner_main(void *arg)
{
	struct runner *r = arg;
	struct item **act = NULL;
	struct pollfd *pfd = NULL;
	size_t nact = 0, cap = 0, pcap = 0, i, n;
	uint64_t v;
	int t, tt;

	while (!take(r, &act, &nact, &cap) || nact > 0) {
		if (pcap < 1 + nact * SPAWN_MAXFDS) {
			pcap = 1 + cap * SPAWN_MAXFDS;
			pfd = xrealloc(pfd, pcap * sizeof(*pfd));
		}
		pfd[0].fd = r->efd;
		pfd[0].events = POLLIN;
		n = 1;
		t = -1;
		for (i = 0; i < nact; i++) {
			n += (size_t)spawn_pollfds(act[i]->proc, pfd + n);
			tt = spawn_wait_ms(act[i]->proc);
			if (tt != -1 && (t == -1 || tt < t))
				t = tt;
		}
		if (poll(pfd, n, t) == -1 && errno != EINTR) {
			log_warn("hooks: runner: poll: %s", strerror(errno));
			usleep(10000);
		}
		if (pfd[0].revents & POLLIN)
			(void)!read(r->efd, &v, sizeof(v));
		for (i = 0; i < nact; ) {
			if (spawn_step(act[i]->proc)) {
				finish(act[i]);
				act[i] = act[--nact];
			} else
				i++;
		}
	}
	free(act);
	free(pfd);
	return (NULL);
}

struct runner *
runner_new(const struct hooks_opts *o)
{
	struct runner *r = xcalloc(1, sizeof(*r));

	r->opts = o;
	r->efd = -1;
	pthread_mutex_init(&r->mtx, NULL);
	return (r);
}

static int
start(struct runner *r)
{
	pthread_attr_t attr;
	int rc;

	if ((r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		return (error_sys("eventfd"));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, RUNNER_STACK);
	rc = pthread_create(&r->thread, &attr, runner_main, r);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		close(r->efd);
		r->efd = -1;
		errno = rc;
		return (error_sys("runner thread"));
	}
	r->started = 1;
	return (0);
}

int
runner_add(struct runner *r, struct job *job, runner_done_fn done, void *arg)
{
	struct item *it;
	uint64_t one = 1;

	pthread_mutex_lock(&r->mtx);
	if (!r->started && start(r) == -1) {
		pthread_mutex_unlock(&r->mtx);
		return (-1);
	}
	it = xcalloc(1, sizeof(*it));
	it->job = job;
	it->done = done;
	it->arg = arg;
	it->next = r->queue;
	r->queue = it;
	pthread_mutex_unlock(&r->mtx);
	(void)!write(r->efd, &one, sizeof(one));
	return (0);
}

/* Once nothing runs: the thread sees stop with no command left and ends. */
void
runner_free(struct runner *r)
{
	uint64_t one = 1;

	if (r == NULL)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->mtx);
		r->stop = 1;
		pthread_mutex_unlock(&r->mtx);
		(void)!write(r->efd, &one, sizeof(one));
		pthread_join(r->thread, NULL);
		close(r->efd);
	}
	pthread_mutex_destroy(&r->mtx);
	free(r);
}
