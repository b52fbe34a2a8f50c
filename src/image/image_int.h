/*
 * Inside src/image: the atomic output file shared by image zfs -o and
 * image tar -o (out_file.c).
 */
#ifndef STASIS_IMAGE_INT_H
#define STASIS_IMAGE_INT_H

/*
 * Create a temporary file (mode 0644) beside out; *tmp gets its name
 * (the caller's to free, through out_discard or free).  Returns the fd.
 */
int	out_open(const char *out, char **tmp);
/* fsync and close fd; out names the file in the error. */
int	out_sync(int fd, const char *out);
/* Rename tmp over out and fsync the directory. */
int	out_rename(const char *tmp, const char *out);
/* On failure: close fd (if not -1), unlink and free tmp; errno kept. */
void	out_discard(int fd, char *tmp);

#endif
