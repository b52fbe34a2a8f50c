/*
 * Progress for long work: a bar on a terminal, nothing when not, and a
 * summary line at the end: "received 1.77G stream in 35 seconds
 * (51.7M/sec)".
 */
#ifndef STASIS_PROGRESS_H
#define STASIS_PROGRESS_H

#include <stdint.h>

struct progress;

/* fd is where to draw (usually 2); total 0 when unknown. */
struct progress	*progress_new(const char *verb, const char *what,
		    uint64_t total, int fd);
void		 progress_update(struct progress *, uint64_t done);
void		 progress_add(struct progress *, uint64_t delta);
/* Erase the bar and print the summary line (unless quiet); frees. */
void		 progress_done(struct progress *, int quiet);
/* Erase the bar without a summary (on failure); frees. */
void		 progress_abort(struct progress *);
/* The usual ending: done when ok is non-zero, abort otherwise; NULL ok. */
void		 progress_end(struct progress *, int ok);

#endif
