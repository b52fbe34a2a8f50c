/*
 * What the zstd layer's unit tests (tarfs_zstd, tarfs_zstd_lazy) share:
 * the test directory and the original data, a fast PRNG, paths in the
 * directory and shell commands.  Each test defines its own make_data.
 */
#ifndef STASIS_ZSTDTEST_H
#define STASIS_ZSTDTEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static char	*dir;
static char	*orig;
static size_t	 olen;

/* xorshift64: the same data every run. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

/* A path in the test dir; a few stay valid at once (no frees). */
static char *
tpath(const char *name)
{
	static char ring[16][512];
	static int i;

	i = (i + 1) % 16;
	snprintf(ring[i], sizeof(ring[i]), "%s/%s", dir, name);
	return (ring[i]);
}

static int
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return (system(cmd));
}

#endif
