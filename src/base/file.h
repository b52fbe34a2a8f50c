/*
 * Whole-file reads with a size limit and atomic writes: a reader sees the
 * old file or the new one, never half of either, even across a crash.
 */
#ifndef STASIS_FILE_H
#define STASIS_FILE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Read all of path into out, failing if it is larger than max bytes. */
int	file_read(const char *path, size_t max, struct buf *out);
/* Read all of fd (until EOF), failing past max bytes. */
int	file_read_fd(int fd, size_t max, struct buf *out);

/*
 * Write data to path through a temporary file in the same directory,
 * fsync'd and renamed over the target, then fsync the directory.
 */
int	file_write_atomic(const char *path, const void *, size_t, mode_t);

/*
 * A temporary file that ^C must not leave behind: until file_tmp_forget,
 * SIGINT, SIGTERM or SIGHUP unlink it before the process dies of the
 * signal as it would have.  One at a time; the path is copied.  For
 * long writes (compressing an archive) that rename their output into
 * place at the end.
 */
void	file_tmp_guard(const char *path);
void	file_tmp_forget(void);

/* write(2) all of it, retrying on EINTR and short writes. */
int	file_write_all(int fd, const void *, size_t);
/* pwrite(2) all of it at off, the same way (errno kept on failure). */
int	file_pwrite_all(int fd, const void *, size_t, uint64_t off);

#endif
