/* FreeBSD: include/dirent.h, sys/sys/dirent.h (FreeBSD 12+ layout) */
#ifndef _DIRENT_H_
#define _DIRENT_H_
#include <sys/types.h>
struct dirent {
	ino_t		d_fileno;
	off_t		d_off;
	__uint16_t	d_reclen;
	__uint8_t	d_type;
	__uint8_t	d_pad0;
	__uint16_t	d_namlen;
	__uint16_t	d_pad1;
	char		d_name[255 + 1];
};
#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10
#define DT_SOCK		12
#define DT_WHT		14
typedef struct _dirdesc DIR;
int		 closedir(DIR *);
int		 dirfd(DIR *);
DIR		*fdopendir(int);
DIR		*opendir(const char *);
struct dirent	*readdir(DIR *);
#endif
