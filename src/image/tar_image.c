/*
 * A directory tree as a reproducible POSIX tar.  Our own small writer
 * rather than GNU tar's flags because the output must not depend on the
 * host: the order of readdir(3), the names in /etc/passwd, atimes and
 * ctimes, the pid in pax header names, or the tar version installed.
 *
 * Layout, as `tar -C dir --sort=name --numeric-owner --format=pax .`:
 * "./" first, then each directory's entries sorted bytewise (strcmp),
 * a directory's contents right after it, directories named with a
 * trailing "/".  ustar headers carry everything that fits; a pax 'x'
 * header comes first only for what does not (names and link targets over
 * 100 bytes, sizes from 8 GiB, ids from 2^21, mtimes out of range), named
 * "PaxHeaders/<base>" without a pid.  uname and gname stay empty: names
 * would depend on the build host's passwd, not on the tree.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/progress.h"
#include "image/image.h"

#define BLOCK		512
#define OUTBUF		(1U << 20)
#define MAX_DEPTH	4096

/* One (dev, ino) seen with more than one link, and its first name. */
struct hlink {
	dev_t		 dev;
	ino_t		 ino;
	char		*name;
};

struct tw {
	const struct image_tar_opts *o;
	struct image_tar_stats *st;
	struct progress	*pr;
	char		*out;		/* OUTBUF bytes of output */
	size_t		 outlen;
	dev_t		 rootdev;
	int		 self;		/* outfd is a file in the tree? */
	dev_t		 selfdev;
	ino_t		 selfino;
	struct hlink	*links;		/* open addressing, power of 2 */
	size_t		 nlinks, caplinks;
	struct buf	 path;		/* "./etc/" while in etc */
	int		 depth;
};

static int
flush(struct tw *t)
{
	if (t->outlen == 0)
		return (0);
	if (file_write_all(t->o->outfd, t->out, t->outlen) == -1)
		return (-1);
	t->st->bytes += t->outlen;
	if (t->pr != NULL)
		progress_update(t->pr, t->st->bytes);
	t->outlen = 0;
	return (0);
}

static int
emit(struct tw *t, const void *p, size_t len)
{
	const char *c = p;
	size_t n;

	while (len > 0) {
		if (t->outlen == OUTBUF && flush(t) == -1)
			return (-1);
		n = OUTBUF - t->outlen;
		if (n > len)
			n = len;
		memcpy(t->out + t->outlen, c, n);
		t->outlen += n;
		c += n;
		len -= n;
	}
	return (0);
}

/* Zeros up to the next block boundary after len bytes of data. */
static int
pad(struct tw *t, uint64_t len)
{
	static const char zero[BLOCK];

	if (len % BLOCK == 0)
		return (0);
	return (emit(t, zero, BLOCK - len % BLOCK));
}

/* An octal field: width-1 digits and a NUL; 0 if it does not fit. */
static int
octal(char *f, size_t width, uint64_t v)
{
	size_t i;

	if (width < 22 && v >> (3 * (width - 1)) != 0)
		return (0);
	f[width - 1] = '\0';
	for (i = width - 1; i > 0; i--) {
		f[i - 1] = '0' + (v & 7);
		v >>= 3;
	}
	return (1);
}

static int
fits(size_t width, int64_t v)
{
	return (v >= 0 && ((uint64_t)v >> (3 * (width - 1))) == 0);
}

/* One pax record: "LEN key=value\n", LEN counting itself. */
static void
pax_add(struct buf *b, const char *key, const char *val)
{
	size_t n = strlen(key) + strlen(val) + 3, len, d = 1;

	for (;;) {
		len = n + d;
		if (snprintf(NULL, 0, "%zu", len) == (int)d)
			break;
		d++;
	}
	buf_printf(b, "%zu %s=%s\n", len, key, val);
}

struct ent {
	const char	*name;
	const char	*link;		/* linkname for '1' and '2' */
	char		 type;
	uint32_t	 mode;
	int64_t		 uid, gid, mtime;
	uint64_t	 size;
	uint32_t	 major, minor;
};

static void
ustar(char h[BLOCK], const char *name, const char *link, char type,
    uint32_t mode, int64_t uid, int64_t gid, uint64_t size, int64_t mtime,
    uint32_t major, uint32_t minor)
{
	unsigned sum = 0;
	int i;

	memset(h, 0, BLOCK);
	memcpy(h, name, strnlen(name, 100));
	octal(h + 100, 8, mode);
	octal(h + 108, 8, uid >= 0 ? (uint64_t)uid : 0);
	octal(h + 116, 8, gid >= 0 ? (uint64_t)gid : 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, mtime >= 0 ? (uint64_t)mtime : 0);
	memset(h + 148, ' ', 8);
	h[156] = type;
	if (link != NULL)
		memcpy(h + 157, link, strnlen(link, 100));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	if (type == '3' || type == '4') {
		octal(h + 329, 8, major);
		octal(h + 337, 8, minor);
	}
	for (i = 0; i < BLOCK; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

static int
header(struct tw *t, const struct ent *e)
{
	struct buf pax = BUF_INIT;
	char h[BLOCK], num[32];
	int rc = 0;

	if (strlen(e->name) > 100)
		pax_add(&pax, "path", e->name);
	if (e->link != NULL && strlen(e->link) > 100)
		pax_add(&pax, "linkpath", e->link);
	if (e->size >> 33 != 0) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)e->size);
		pax_add(&pax, "size", num);
	}
	if (!fits(8, e->uid)) {
		snprintf(num, sizeof(num), "%lld", (long long)e->uid);
		pax_add(&pax, "uid", num);
	}
	if (!fits(8, e->gid)) {
		snprintf(num, sizeof(num), "%lld", (long long)e->gid);
		pax_add(&pax, "gid", num);
	}
	if (!fits(12, e->mtime)) {
		snprintf(num, sizeof(num), "%lld", (long long)e->mtime);
		pax_add(&pax, "mtime", num);
	}
	if ((e->type == '3' || e->type == '4') &&
	    (e->major > 07777777 || e->minor > 07777777)) {
		buf_free(&pax);
		return (error_set("%s: device number too large for tar",
		    e->name));
	}
	if (pax.len > 0) {
		const char *base;
		char *pname;
		size_t n = strlen(e->name);

		/* The base name, as GNU tar's "%d/PaxHeaders/%f". */
		while (n > 0 && e->name[n - 1] == '/')
			n--;
		base = e->name;
		for (size_t i = 0; i < n; i++)
			if (e->name[i] == '/')
				base = e->name + i + 1;
		n -= base - e->name;
		if (n > 100 - 11)
			n = 100 - 11;
		pname = xasprintf("PaxHeaders/%.*s", (int)n, base);
		ustar(h, pname, NULL, 'x', 0644, 0, 0, pax.len,
		    fits(12, e->mtime) ? e->mtime : 0, 0, 0);
		free(pname);
		rc = emit(t, h, BLOCK);
		if (rc == 0)
			rc = emit(t, pax.data, pax.len);
		if (rc == 0)
			rc = pad(t, pax.len);
	}
	buf_free(&pax);
	if (rc == -1)
		return (-1);
	ustar(h, e->name, e->link, e->type, e->mode, e->uid, e->gid,
	    e->size, e->mtime, e->major, e->minor);
	t->st->entries++;
	return (emit(t, h, BLOCK));
}

static size_t
hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;

	return ((size_t)(h ^ h >> 29));
}

/* The first name of this (dev, ino), or NULL after recording name. */
static const char *
hlink_seen(struct tw *t, dev_t dev, ino_t ino, const char *name)
{
	struct hlink *l;
	size_t i;

	if (t->nlinks * 2 >= t->caplinks) {
		struct hlink *old = t->links;
		size_t oldcap = t->caplinks;

		t->caplinks = oldcap ? oldcap * 2 : 256;
		t->links = xcalloc(t->caplinks, sizeof(*t->links));
		for (i = 0; i < oldcap; i++) {
			size_t j;

			if (old[i].name == NULL)
				continue;
			j = hash(old[i].dev, old[i].ino) & (t->caplinks - 1);
			while (t->links[j].name != NULL)
				j = (j + 1) & (t->caplinks - 1);
			t->links[j] = old[i];
		}
		free(old);
	}
	i = hash(dev, ino) & (t->caplinks - 1);
	for (;; i = (i + 1) & (t->caplinks - 1)) {
		l = &t->links[i];
		if (l->name == NULL)
			break;
		if (l->dev == dev && l->ino == ino)
			return (l->name);
	}
	l->dev = dev;
	l->ino = ino;
	l->name = xstrdup(name);
	t->nlinks++;
	return (NULL);
}

/* Exactly size bytes of the open file fd after its header. */
static int
copy_file(struct tw *t, int fd, uint64_t size, const char *name)
{
	uint64_t left = size;
	ssize_t n;
	size_t want;

	while (left > 0) {
		if (t->o->stop != NULL && *t->o->stop)
			return (error_set("interrupted"));
		if (t->outlen == OUTBUF && flush(t) == -1)
			return (-1);
		want = OUTBUF - t->outlen;
		if (want > left)
			want = (size_t)left;
		n = read(fd, t->out + t->outlen, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (error_sys("read %s", name));
		if (n == 0)
			return (error_set("%s: file shrank while being read",
			    name));
		t->outlen += n;
		left -= n;
	}
	return (pad(t, size));
}

static int	walk(struct tw *, int dfd);

static uint64_t estimate;

static int
add_size(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	estimate += BLOCK;
	if (flag == FTW_F && S_ISREG(sb->st_mode))
		estimate += ((uint64_t)sb->st_size + BLOCK - 1) / BLOCK * BLOCK;
	return (0);
}

/*
 * The tar's size near enough for a bar with a percentage: one header per
 * entry plus whole blocks of data (hard links and pax headers aside).
 * Only worth a second walk when someone watches the bar.
 */
static uint64_t
tar_estimate(const struct image_tar_opts *o)
{
	estimate = 0;
	if (nftw(o->dir, add_size, 64, FTW_PHYS |
	    (o->cross_mounts ? 0 : FTW_MOUNT)) == -1)
		return (0);
	return (estimate + 2 * BLOCK);
}

/* The entry named t->path, name within dfd, stat st. */
static int
entry(struct tw *t, int dfd, const char *name, const struct stat *sb)
{
	struct ent e;
	char *target = NULL;
	const char *first;
	int fd = -1, rc = -1;

	memset(&e, 0, sizeof(e));
	e.name = buf_cstr(&t->path);
	e.mode = sb->st_mode & 07777;
	e.uid = t->o->owner_root ? 0 : sb->st_uid;
	e.gid = t->o->owner_root ? 0 : sb->st_gid;
	e.mtime = sb->st_mtim.tv_sec;
	if (t->o->clamp && e.mtime > t->o->max_mtime)
		e.mtime = t->o->max_mtime;

	if (!S_ISDIR(sb->st_mode) && !S_ISSOCK(sb->st_mode) &&
	    sb->st_nlink > 1 &&
	    (first = hlink_seen(t, sb->st_dev, sb->st_ino, e.name)) != NULL) {
		e.type = '1';
		e.link = first;
		return (header(t, &e));
	}
	if (S_ISREG(sb->st_mode)) {
		e.type = '0';
		e.size = sb->st_size;
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NOCTTY);
		if (fd == -1) {
			error_sys("%s", e.name);
			goto out;
		}
		if (header(t, &e) == 0)
			rc = copy_file(t, fd, e.size, e.name);
	} else if (S_ISDIR(sb->st_mode)) {
		e.type = '5';
		if (header(t, &e) == -1)
			goto out;
		if (sb->st_dev != t->rootdev && !t->o->cross_mounts) {
			rc = 0;		/* a mount point: as tar -l */
			goto out;
		}
		if (++t->depth > MAX_DEPTH) {
			error_set("%s: more than %d directories deep", e.name,
			    MAX_DEPTH);
			goto out;
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1)
			error_sys("%s", e.name);
		else {
			rc = walk(t, fd);	/* closes fd */
			fd = -1;
		}
		t->depth--;
	} else if (S_ISLNK(sb->st_mode)) {
		size_t cap = sb->st_size > 0 ? (size_t)sb->st_size + 1 : 4096;
		ssize_t n;

		target = xmalloc(cap);
		if ((n = readlinkat(dfd, name, target, cap)) == -1) {
			error_sys("readlink %s", e.name);
			goto out;
		}
		if ((size_t)n == cap) {
			error_set("%s: symlink changed while being read",
			    e.name);
			goto out;
		}
		target[n] = '\0';
		e.type = '2';
		e.link = target;
		rc = header(t, &e);
	} else if (S_ISCHR(sb->st_mode) || S_ISBLK(sb->st_mode)) {
		e.type = S_ISCHR(sb->st_mode) ? '3' : '4';
		e.major = major(sb->st_rdev);
		e.minor = minor(sb->st_rdev);
		rc = header(t, &e);
	} else if (S_ISFIFO(sb->st_mode)) {
		e.type = '6';
		rc = header(t, &e);
	} else {
		/* Sockets (and anything stranger) have no tar form. */
		if (!t->o->quiet)
			log_warn("%s: socket ignored", e.name);
		t->st->skipped++;
		rc = 0;
	}
out:
	if (fd != -1)
		close(fd);
	free(target);
	return (rc);
}

static int
namecmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* The entries of the open directory dfd (closed here), sorted. */
static int
walk(struct tw *t, int dfd)
{
	struct strv names = STRV_INIT;
	struct dirent *de;
	struct stat sb;
	size_t plen = t->path.len, i;
	DIR *d;
	int rc = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return (error_sys("%s", buf_cstr(&t->path)));
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strv_push(&names, de->d_name);
		errno = 0;
	}
	if (errno != 0) {
		rc = error_sys("read directory %s", buf_cstr(&t->path));
		goto out;
	}
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), namecmp);
	for (i = 0; i < names.n && rc == 0; i++) {
		if (t->o->stop != NULL && *t->o->stop) {
			rc = error_set("interrupted");
			break;
		}
		t->path.len = plen;
		buf_addstr(&t->path, names.v[i]);
		if (fstatat(dirfd(d), names.v[i], &sb,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			rc = error_sys("%s", buf_cstr(&t->path));
			break;
		}
		if (t->self && sb.st_dev == t->selfdev &&
		    sb.st_ino == t->selfino) {
			if (!t->o->quiet)
				log_warn("%s: the output itself, ignored",
				    buf_cstr(&t->path));
			t->st->skipped++;
			continue;
		}
		if (S_ISDIR(sb.st_mode))
			buf_addc(&t->path, '/');
		rc = entry(t, dirfd(d), names.v[i], &sb);
	}
out:
	t->path.len = plen;
	if (t->path.data != NULL)
		t->path.data[plen] = '\0';
	strv_free(&names);
	closedir(d);
	return (rc);
}

int
image_tar_write(const struct image_tar_opts *o, struct image_tar_stats *st)
{
	static const char zero[2 * BLOCK];
	struct tw t;
	struct stat sb;
	int fd, rc;
	size_t i;

	memset(st, 0, sizeof(*st));
	memset(&t, 0, sizeof(t));
	t.o = o;
	t.st = st;
	/* The tree itself is named as given: a symlink to it is fine. */
	if ((fd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return (error_sys("open"));
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return (error_sys("stat"));
	}
	t.rootdev = sb.st_dev;
	{
		struct stat os;

		if (fstat(o->self_fd > 0 ? o->self_fd : o->outfd, &os) == 0 &&
		    S_ISREG(os.st_mode)) {
			t.self = 1;
			t.selfdev = os.st_dev;
			t.selfino = os.st_ino;
		}
	}
	t.out = xmalloc(OUTBUF);
	if (!o->quiet)
		t.pr = progress_new("wrote", "tar", isatty(2) ?
		    tar_estimate(o) : 0, 2);
	buf_addstr(&t.path, "./");
	{
		struct ent e;

		memset(&e, 0, sizeof(e));
		e.name = "./";
		e.type = '5';
		e.mode = sb.st_mode & 07777;
		e.uid = o->owner_root ? 0 : sb.st_uid;
		e.gid = o->owner_root ? 0 : sb.st_gid;
		e.mtime = sb.st_mtim.tv_sec;
		if (o->clamp && e.mtime > o->max_mtime)
			e.mtime = o->max_mtime;
		rc = header(&t, &e);
	}
	if (rc == 0)
		rc = walk(&t, fd);
	else
		close(fd);
	if (rc == 0)
		rc = emit(&t, zero, sizeof(zero));
	if (rc == 0)
		rc = flush(&t);
	if (t.pr != NULL) {
		if (rc == 0)
			progress_done(t.pr, 0);
		else
			progress_abort(t.pr);
	}
	for (i = 0; i < t.caplinks; i++)
		free(t.links[i].name);
	free(t.links);
	free(t.out);
	buf_free(&t.path);
	return (rc);
}
