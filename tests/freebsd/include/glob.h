/* FreeBSD: include/glob.h */
#ifndef _GLOB_H_
#define _GLOB_H_
#include <sys/types.h>
struct stat;
typedef struct {
	size_t	 gl_pathc;	/* Count of total paths so far. */
	size_t	 gl_matchc;	/* Count of paths matching pattern. */
	size_t	 gl_offs;	/* Reserved at beginning of gl_pathv. */
	int	 gl_flags;	/* Copy of flags parameter to glob. */
	char	**gl_pathv;	/* List of paths matching pattern. */
	int	(*gl_errfunc)(const char *, int);
	void	(*gl_closedir)(void *);
	struct dirent *(*gl_readdir)(void *);
	void	*(*gl_opendir)(const char *);
	int	(*gl_lstat)(const char *, struct stat *);
	int	(*gl_stat)(const char *, struct stat *);
} glob_t;
#define GLOB_APPEND	0x0001
#define GLOB_DOOFFS	0x0002
#define GLOB_ERR	0x0004
#define GLOB_MARK	0x0008
#define GLOB_NOCHECK	0x0010
#define GLOB_NOSORT	0x0020
#define GLOB_NOESCAPE	0x2000
#define GLOB_NOSPACE	(-1)
#define GLOB_ABORTED	(-2)
#define GLOB_NOMATCH	(-3)
int	glob(const char * __restrict, int,
	    int (*)(const char *, int), glob_t * __restrict);
void	globfree(glob_t *);
#endif
