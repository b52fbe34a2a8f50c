/*
 * The ceiling for any daemon that runs a command per request: start
 * /bin/true with posix_spawn and reap it, K at a time, for S seconds,
 * and print runs per second.  bench/hooks.sh runs it pinned to the CPU
 * the daemons get, so that the run-true row can be read against what the
 * machine allows at all.
 *
 * usage: spawn_floor SECONDS CONCURRENCY [PROGRAM]
 *
 * PROGRAM (default /bin/true) lets bench/hooks.sh also time bench/exit0.c,
 * a program with no C library, to show what of the limit is the
 * command's own start-up rather than the kernel's process creation.
 */
#include <sys/wait.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern char **environ;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

int
main(int argc, char *argv[])
{
	char *av[] = { "/bin/true", NULL };
	double secs, t0, t;
	long runs = 0;
	int k, live = 0;
	pid_t pid;

	if (argc != 3 && argc != 4)
		return (2);
	if (argc == 4)
		av[0] = argv[3];
	secs = atof(argv[1]);
	k = atoi(argv[2]);
	t0 = now();
	for (;;) {
		t = now();
		while (live < k && t - t0 < secs) {
			if (posix_spawn(&pid, av[0], NULL, NULL, av,
			    environ) != 0)
				return (1);
			live++;
		}
		if (live == 0)
			break;
		if (wait(NULL) > 0) {
			live--;
			runs++;
		}
	}
	printf("%.0f\n", runs / (now() - t0));
	return (0);
}
