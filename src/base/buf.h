/*
 * Growable byte buffers and small string helpers.  Allocation failure
 * aborts: every input that could make us allocate a lot is bounded by the
 * caller before it gets here, so running out of memory is a bug or a dying
 * machine, and neither is handled better by unwinding.
 */
#ifndef STASIS_BUF_H
#define STASIS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;		/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT	{ NULL, 0, 0 }

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);		/* len = 0, keeps memory */
void	 buf_grow(struct buf *, size_t);	/* room for n more bytes */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list);
/* The contents as a C string ("" when empty); stays owned by the buf. */
const char *buf_cstr(struct buf *);
/* Hand the contents over to the caller (free(3) it); the buf is reset. */
char	*buf_steal(struct buf *);
/* Append s as a JSON string literal, quotes included. */
void	 buf_add_json_str(struct buf *, const char *);

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A NULL-terminated vector of strings, for argv and envp. */
struct strv {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

#define STRV_INIT	{ NULL, 0, 0 }

void	 strv_push(struct strv *, const char *);	/* copies */
void	 strv_pushf(struct strv *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 strv_free(struct strv *);
/* Replace or add "NAME=value" in an environment vector. */
void	 strv_setenv(struct strv *, const char *name, const char *value);
/* Split s on any of sep, dropping empty fields. */
void	 strv_split(struct strv *, const char *s, const char *sep);

int	 str_startswith(const char *, const char *);
int	 str_endswith(const char *, const char *);
char	*str_trim(char *);			/* in place */
size_t	 str_lcpy(char *, const char *, size_t);	/* strlcpy */
/* Each byte not part of a whole UTF-8 character becomes '?'; in place. */
char	*str_utf8_clean(char *);
/* Parse a decimal number in [min, max]; -1 and error_set otherwise. */
int	 str_tonum(const char *, long long min, long long max,
	    long long *);
/* Parse sizes like 10M, 1.5G, 512k into bytes. */
int	 str_tosize(const char *, unsigned long long *);
/* "1.77G", as zfs(8) prints sizes; returns out. */
char	*str_fmtsize(char *out, size_t len, unsigned long long);

#endif
