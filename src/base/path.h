/*
 * Paths that cannot escape their root, and directory helpers.
 */
#ifndef STASIS_PATH_H
#define STASIS_PATH_H

#include <sys/types.h>

#include <stddef.h>

/*
 * Lexically clean a path in place: collapse "//", drop "." and resolve
 * ".." against what precedes it.  A relative path never climbs above its
 * start ("../a" becomes "a"); an absolute one never above "/".
 */
char	*path_clean(char *);

/*
 * Join root and an untrusted relative (or absolute) name so that the
 * result always lies inside root: "../../etc/passwd" and "/etc/passwd"
 * both land at root/etc/passwd.  The join is lexical: it does not follow
 * symlinks, so callers that open the result inside a tree an attacker
 * controls must also use O_NOFOLLOW or openat2(RESOLVE_BENEATH).
 * Returns a malloc'd string.
 */
char	*path_join(const char *root, const char *name);

/* mkdir -p; -1 and error_set on failure. */
int	 path_mkdirs(const char *, mode_t);
/* rm -rf that never crosses a mount point; -1 and error_set. */
int	 path_rmtree(const char *);
/* Is path a mount point? 1 yes, 0 no, -1 error. */
int	 path_is_mountpoint(const char *);
/* Make a fresh directory from a template like /tmp/stasis.XXXXXX. */
char	*path_mkdtemp(const char *prefix);
/*
 * The running binary's path (malloc'd), or "stasis" (for a PATH lookup)
 * when /proc is not there to say: what a command runs to start another
 * of ours (`stasis tarfs` for a jail's tarball root, `stasis jail` for
 * `bectl jail`).  One place to port: FreeBSD has no /proc/self/exe, but
 * sysctl KERN_PROC_PATHNAME.
 */
char	*path_self_exe(void);
/*
 * exec(2) the binary called name in the running binary's directory, if
 * there is one and it is another file, with argv; returns only when it
 * could not (the small binaries run what they lack this way).
 */
void	 path_exec_sibling(const char *name, char *const argv[]);

#endif
