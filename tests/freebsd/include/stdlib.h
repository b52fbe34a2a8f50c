/* FreeBSD: include/stdlib.h */
#ifndef _STDLIB_H_
#define _STDLIB_H_
#include <sys/types.h>
#ifndef NULL
#define NULL	((void *)0)
#endif
#define EXIT_FAILURE	1
#define EXIT_SUCCESS	0
void	 abort(void) __dead2;
int	 atoi(const char *);
void	*calloc(size_t, size_t);
void	 exit(int) __dead2;
void	 _Exit(int) __dead2;
void	 free(void *);
char	*getenv(const char *);
void	*malloc(size_t);
int	 mkstemp(char *);
char	*mkdtemp(char *);
void	 qsort(void *, size_t, size_t, int (*)(const void *, const void *));
void	*realloc(void *, size_t);
char	*realpath(const char * __restrict, char * __restrict);
int	 setenv(const char *, const char *, int);
long	 strtol(const char * __restrict, char ** __restrict, int);
long long strtoll(const char * __restrict, char ** __restrict, int);
unsigned long strtoul(const char * __restrict, char ** __restrict, int);
unsigned long long strtoull(const char * __restrict, char ** __restrict,
	    int);
double	 strtod(const char * __restrict, char ** __restrict);
int	 mkostemp(char *, int);
int	 system(const char *);
int	 unsetenv(const char *);
#endif
