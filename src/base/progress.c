/*
 * Progress bars.  Drawn at most every 200 ms and only on a terminal, so
 * progress costs nothing on the hot path of a stream and nothing in logs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "progress.h"

struct progress {
	char		*verb;		/* "received" */
	char		*what;		/* "stream" */
	uint64_t	 total;
	uint64_t	 done;
	int		 fd;
	int		 tty;
	int		 drawn;
	double		 start;
	double		 last;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

struct progress *
progress_new(const char *verb, const char *what, uint64_t total, int fd)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	p->verb = xstrdup(verb);
	p->what = xstrdup(what);
	p->total = total;
	p->fd = fd;
	p->tty = isatty(fd);
	p->start = p->last = now();
	return (p);
}

static void
draw(struct progress *p, double t)
{
	char line[160], sz[16], tot[16], rate[16];
	double el = t - p->start;
	int n, w, i;

	str_fmtsize(sz, sizeof(sz), p->done);
	str_fmtsize(rate, sizeof(rate), el > 0 ? (uint64_t)(p->done / el) :
	    0);
	if (p->total > 0) {
		double f = (double)p->done / p->total;

		if (f > 1)
			f = 1;
		str_fmtsize(tot, sizeof(tot), p->total);
		n = snprintf(line, sizeof(line), "\r%s [", p->what);
		w = 30;
		for (i = 0; i < w && n < (int)sizeof(line) - 1; i++)
			line[n++] = i < (int)(f * w) ? '#' : ' ';
		snprintf(line + n, sizeof(line) - n,
		    "] %3d%% %s/%s %s/s  ", (int)(f * 100), sz, tot, rate);
	} else
		snprintf(line, sizeof(line), "\r%s %s %s/s  ", p->what, sz,
		    rate);
	(void)!write(p->fd, line, strlen(line));
	p->drawn = 1;
}

void
progress_update(struct progress *p, uint64_t done)
{
	double t;

	p->done = done;
	if (!p->tty)
		return;
	t = now();
	if (t - p->last < 0.2)
		return;
	p->last = t;
	draw(p, t);
}

void
progress_add(struct progress *p, uint64_t delta)
{
	progress_update(p, p->done + delta);
}

static void
erase(struct progress *p)
{
	if (p->drawn)
		(void)!write(p->fd, "\r\033[K", 4);
}

static void
pfree(struct progress *p)
{
	free(p->verb);
	free(p->what);
	free(p);
}

void
progress_done(struct progress *p, int quiet)
{
	char sz[16], rate[16], msg[160];
	double el = now() - p->start;

	erase(p);
	if (!quiet) {
		str_fmtsize(sz, sizeof(sz), p->done);
		str_fmtsize(rate, sizeof(rate), el > 0 ?
		    (uint64_t)(p->done / el) : p->done);
		snprintf(msg, sizeof(msg), "%s %s %s in %.0f seconds "
		    "(%s/sec)\n", p->verb, sz, p->what, el, rate);
		(void)!write(p->fd, msg, strlen(msg));
	}
	pfree(p);
}

void
progress_abort(struct progress *p)
{
	erase(p);
	pfree(p);
}

void
progress_end(struct progress *p, int ok)
{
	if (p == NULL)
		return;
	if (ok)
		progress_done(p, 0);
	else
		progress_abort(p);
}
