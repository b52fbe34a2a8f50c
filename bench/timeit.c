/*
 * Time one command without a shell or a date(1) on each side of it: the
 * 1 GiB file mounts in ~3 ms cold, and the two forks of date added about
 * a millisecond to every tool alike, which flattened the ratios between
 * them.  bench/tarfs.sh times its mounts with it.
 *
 * usage: timeit FILE command [args ...]
 * Appends the wall time in seconds to FILE, a line; exits with the
 * command's status.
 */
#include <sys/wait.h>

#include <spawn.h>
#include <stdio.h>
#include <time.h>

extern char **environ;

int
main(int argc, char *argv[])
{
	struct timespec a, b;
	FILE *f;
	pid_t pid;
	int st;

	if (argc < 3)
		return (2);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0 ||
	    waitpid(pid, &st, 0) == -1)
		return (127);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if ((f = fopen(argv[1], "a")) == NULL)
		return (2);
	fprintf(f, "%.6f\n", (b.tv_sec - a.tv_sec) +
	    (b.tv_nsec - a.tv_nsec) / 1e9);
	fclose(f);
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 128);
}
