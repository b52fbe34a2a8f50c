/* FreeBSD: include/stdio.h (FILE is opaque here) */
#ifndef _STDIO_H_
#define _STDIO_H_
#include <sys/types.h>
#include <stdarg.h>
typedef struct __sFILE FILE;
extern FILE *__stdinp;
extern FILE *__stdoutp;
extern FILE *__stderrp;
#define stdin	__stdinp
#define stdout	__stdoutp
#define stderr	__stderrp
#define EOF	(-1)
#define BUFSIZ	1024
#ifndef NULL
#define NULL	((void *)0)
#endif
int	 fclose(FILE *);
FILE	*fdopen(int, const char *);
int	 feof(FILE *);
int	 ferror(FILE *);
int	 fflush(FILE *);
int	 fgetc(FILE *);
char	*fgets(char * __restrict, int, FILE * __restrict);
int	 fileno(FILE *);
FILE	*fopen(const char * __restrict, const char * __restrict);
int	 fprintf(FILE * __restrict, const char * __restrict, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
int	 fputc(int, FILE *);
int	 fputs(const char * __restrict, FILE * __restrict);
size_t	 fread(void * __restrict, size_t, size_t, FILE * __restrict);
size_t	 fwrite(const void * __restrict, size_t, size_t, FILE * __restrict);
int	 getc(FILE *);
ssize_t	 getline(char ** __restrict, size_t * __restrict, FILE * __restrict);
void	 perror(const char *);
int	 printf(const char * __restrict, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
int	 putc(int, FILE *);
int	 putchar(int);
int	 puts(const char *);
int	 rename(const char *, const char *);
int	 snprintf(char * __restrict, size_t, const char * __restrict, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
int	 sscanf(const char * __restrict, const char * __restrict, ...)
	    __attribute__((__format__(__scanf__, 2, 3)));
#define _IOFBF	0
#define _IOLBF	1
#define _IONBF	2
int	 setvbuf(FILE * __restrict, char * __restrict, int, size_t);
int	 dprintf(int, const char * __restrict, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
int	 vasprintf(char **, const char *, va_list);
int	 vfprintf(FILE * __restrict, const char * __restrict, va_list);
int	 vsnprintf(char * __restrict, size_t, const char * __restrict,
	    va_list);
int	 asprintf(char **, const char *, ...);
#endif
