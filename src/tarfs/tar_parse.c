/*
 * The archive walk: every header once, in order, into the index.
 *
 * Formats: v7, ustar (prefix), GNU (long name/link 'L'/'K', old sparse
 * 'S', dumpdir 'D'), pax ('x' and global 'g': path, linkpath, size,
 * uid, gid, mtime with fraction, GNU sparse 0.0, 0.1 and 1.0).  What
 * a hostile archive controls is bounded: name and pax sizes, depth,
 * sparse chunk counts; a header that fails its checksum, or data that
 * runs past the end, stops the mount with the offset in the message.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/progress.h"
#include "tarfs/tarfs_int.h"
#include "tarfs/node.h"
#include "tarfs/tar_parse.h"

#define BLK		512
/*
 * Headers of a tar.zst (and of a plain tar that could not be mapped)
 * are read through a window this big.  Warm, copying windows out of the
 * page cache dominated the walk of a plain tar: 16 KiB took 56 ms
 * against 66 ms for 64 KiB (8 KiB: 54, more syscalls), which is why a
 * plain tar is now mapped instead (src_map).  A tar.zst keeps 64 KiB:
 * each window read there takes the zstd layer's lock.
 */
#define WINDOW		(64 * 1024)
#define WINDOW_FILE	(16 * 1024)
/* A mapped walk reads the next header with pread past this much data. */
#define FAR		(1024 * 1024)

/* What pax and GNU headers say about the entry that follows them. */
struct attrs {
	struct buf	 path, link, sname;
	int		 has_path, has_link, has_sname;
	uint64_t	 size, uid, gid, realsize;
	int		 has_size, has_uid, has_gid, has_realsize;
	int64_t		 mtime;
	uint32_t	 mtime_ns;
	int		 has_mtime;
	int		 sp_major, sp_minor;	/* -1: not said */
	int		 sp_pax;		/* 0.0/0.1 chunks given */
	int		 sp_have_off;
	uint64_t	 sp_off;
};

struct span {
	uint64_t	 off, len;
};

struct parser {
	struct tarfs	*t;
	uint8_t		*win;
	uint64_t	 winoff;
	size_t		 winlen;
	const uint8_t	*map;		/* plain tar: mapped (src_map) */
	struct attrs	 local, global;
	int		 has_local;	/* local set since the last entry */
	struct span	*sp;
	size_t		 nsp, capsp;
	uint64_t	 off;		/* of the header being read */
	/*
	 * The directory entries the last path went through, level by
	 * level: archives list a directory's files together, so most
	 * parents are found by comparing a name instead of hashing it.
	 */
	uint32_t	 pdir[TARFS_MAX_DEPTH];
	int		 npdir;
	/* Directories something was filed in, by inode (see link_name). */
	uint8_t		*kids;
	size_t		 nkids;
};

/* One entry, all sources of its attributes resolved. */
struct entry {
	const char	*path;
	const char	*link;
	char		 type;
	uint32_t	 perm;
	uint64_t	 uid, gid, size, stored, data;
	int64_t		 mtime;
	uint32_t	 mtime_ns;
	dev_t		 rdev;
	int		 sparse;
};

static void
attrs_init(struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->path);
	buf_init(&a->link);
	buf_init(&a->sname);
	a->sp_major = a->sp_minor = -1;
}

static void
attrs_free(struct attrs *a)
{
	buf_free(&a->path);
	buf_free(&a->link);
	buf_free(&a->sname);
	attrs_init(a);
}

/* Octal (space or NUL terminated) or GNU base-256 numeric fields. */
int
tar_num(const uint8_t *p, size_t n, int64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (n == 0)
		return (-1);
	if (p[0] & 0x80) {
		int neg = p[0] == 0xff;

		if (p[0] != 0x80 && p[0] != 0xff)
			return (-1);
		v = neg ? (uint64_t)-1 : 0;
		for (i = 1; i < n; i++) {
			/* Past 8 bytes only sign extension may remain. */
			if (i < n - 8 && p[i] != (neg ? 0xff : 0))
				return (-1);
			v = (v << 8) | p[i];
		}
		if (!neg && v > INT64_MAX)
			return (-1);
		if (neg && (int64_t)v >= 0)
			return (-1);
		*out = (int64_t)v;
		return (0);
	}
	while (i < n && (p[i] == ' ' || p[i] == '\0'))
		i++;
	if (i == n) {
		*out = 0;
		return (0);
	}
	/*
	 * Eight digits at a time while there are (every header has six
	 * fields of 7 or 11: a tenth of the walk a digit at a time).  The
	 * first digit is the lowest byte: pairs, then fours, then eight
	 * are joined, 3, 6 and 12 bits apart.
	 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (n - i >= 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if ((w & 0xF8F8F8F8F8F8F8F8ULL) != 0x3030303030303030ULL)
			break;
		w &= 0x0707070707070707ULL;
		w = ((w & 0x00FF00FF00FF00FFULL) << 3) +
		    ((w >> 8) & 0x00FF00FF00FF00FFULL);
		w = ((w & 0x0000FFFF0000FFFFULL) << 6) +
		    ((w >> 16) & 0x0000FFFF0000FFFFULL);
		w = ((w & 0xFFFFFFFFULL) << 12) + (w >> 32);
		if (v > (UINT64_MAX >> 24))
			return (-1);
		v = v << 24 | w;
		i += 8;
	}
#endif
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 4))
			return (-1);
		v = v * 8 + (p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return (-1);
	if (v > INT64_MAX)
		return (-1);
	*out = (int64_t)v;
	return (0);
}

static int
unum(const uint8_t *p, size_t n, uint64_t *out)
{
	int64_t v;

	if (tar_num(p, n, &v) == -1 || v < 0)
		return (-1);
	*out = (uint64_t)v;
	return (0);
}

/*
 * Unsigned sum (POSIX) or signed sum (some old tars) must match.  Every
 * header of the first mount is summed, so the unsigned sum is taken a
 * word at a time: eight byte lanes folded into four 16-bit lanes, which
 * 64 words cannot overflow (64 * 2 * 255 < 65536).
 */
int
tar_checksum_ok(const uint8_t *h)
{
	const uint64_t lo = 0x00ff00ff00ff00ffULL;
	uint64_t acc = 0, w;
	int64_t want;
	long u, s = 0;
	int i;

	if (tar_num(h + 148, 8, &want) == -1)
		return (0);
	for (i = 0; i < BLK; i += 8) {
		memcpy(&w, h + i, sizeof(w));
		acc += (w & lo) + ((w >> 8) & lo);
	}
	u = (long)((acc & 0xffff) + ((acc >> 16) & 0xffff) +
	    ((acc >> 32) & 0xffff) + (acc >> 48));
	for (i = 148; i < 156; i++)	/* the field counts as spaces */
		u += ' ' - h[i];
	if (want == u)
		return (1);
	for (i = 0; i < BLK; i++)
		s += i >= 148 && i < 156 ? ' ' : (signed char)h[i];
	return (want == s);
}

static int
is_zero(const uint8_t *h)
{
	int i;

	for (i = 0; i < BLK; i++)
		if (h[i] != 0)
			return (0);
	return (1);
}

/* A pointer to len (<= WINDOW) archive bytes at off, through a window. */
static const uint8_t *
get(struct parser *ps, uint64_t off, size_t len)
{
	struct src *s = &ps->t->src;
	size_t want, got;

	if (off > s->size || len > s->size - off) {
		error_set("truncated archive: %zu bytes needed at offset "
		    "%llu, archive ends at %llu", len,
		    (unsigned long long)off, (unsigned long long)s->size);
		return (NULL);
	}
	if (ps->map != NULL)
		return (ps->map + off);
	if (off >= ps->winoff && off + len <= ps->winoff + ps->winlen)
		return (ps->win + (off - ps->winoff));
	want = s->kind == SRC_FILE ? WINDOW_FILE : WINDOW;
	if (s->size - off < want)
		want = (size_t)(s->size - off);
	/* (fewer than want: an open tar.zst's end, past what is needed) */
	if (src_pread_some(s, ps->win, len, want, off, &got) == -1) {
		ps->winlen = 0;
		error_sys("read at offset %llu", (unsigned long long)off);
		return (NULL);
	}
	ps->winoff = off;
	ps->winlen = got;
	return (ps->win);
}

/* The data of a metadata entry (long name, pax), bounded by max. */
static char *
get_data(struct parser *ps, uint64_t off, uint64_t len, uint64_t max,
    const char *what)
{
	char *p;

	if (len > max) {
		error_set("%s of %llu bytes at offset %llu exceeds the "
		    "limit of %llu", what, (unsigned long long)len,
		    (unsigned long long)ps->off, (unsigned long long)max);
		return (NULL);
	}
	p = xmalloc((size_t)len + 1);
	if (src_pread(&ps->t->src, p, (size_t)len, off) == -1) {
		error_set("truncated archive: %s at offset %llu", what,
		    (unsigned long long)ps->off);
		free(p);
		return (NULL);
	}
	p[len] = '\0';
	return (p);
}

static int
dec(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return (-1);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		if (v > (UINT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return (0);
}

/* pax time: [-]seconds[.fraction] */
static int
pax_time(const char *s, size_t n, int64_t *sec, uint32_t *ns)
{
	const char *dot = memchr(s, '.', n);
	uint64_t v, frac = 0;
	size_t i, ilen = dot != NULL ? (size_t)(dot - s) : n;
	int neg = 0, digits = 0;

	if (ilen > 0 && s[0] == '-') {
		neg = 1;
		s++;
		ilen--;
		n--;
	}
	if (dec(s, ilen, &v) == -1 || v > INT64_MAX / 2)
		return (-1);
	if (dot != NULL) {
		for (i = ilen + 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return (-1);
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(s[i] - '0');
				digits++;
			}
		}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (neg && frac != 0) {
		*sec = -(int64_t)v - 1;
		*ns = (uint32_t)(1000000000 - frac);
	} else {
		*sec = neg ? -(int64_t)v : (int64_t)v;
		*ns = (uint32_t)frac;
	}
	return (0);
}

static int
span_add(struct parser *ps, uint64_t off, uint64_t len)
{
	if (ps->nsp >= TARFS_MAX_SPARSE)
		return (error_set("sparse map at offset %llu has more than "
		    "%d chunks", (unsigned long long)ps->off,
		    TARFS_MAX_SPARSE));
	if (ps->nsp == ps->capsp) {
		ps->capsp = ps->capsp ? ps->capsp * 2 : 16;
		ps->sp = xrealloc(ps->sp, ps->capsp * sizeof(*ps->sp));
	}
	ps->sp[ps->nsp].off = off;
	ps->sp[ps->nsp].len = len;
	ps->nsp++;
	return (0);
}

static int
keyis(const char *k, size_t kl, const char *want)
{
	return (strlen(want) == kl && memcmp(k, want, kl) == 0);
}

static int
pax_record(struct parser *ps, struct attrs *a, int global, const char *k,
    size_t kl, const char *v, size_t vl)
{
	uint64_t n;

	/* The keywords a global header may set for every entry. */
	if (global && !keyis(k, kl, "uid") && !keyis(k, kl, "gid") &&
	    !keyis(k, kl, "mtime"))
		return (0);
	if (keyis(k, kl, "path")) {
		buf_reset(&a->path);
		buf_add(&a->path, v, vl);
		a->has_path = vl > 0;
	} else if (keyis(k, kl, "linkpath")) {
		buf_reset(&a->link);
		buf_add(&a->link, v, vl);
		a->has_link = vl > 0;
	} else if (keyis(k, kl, "size")) {
		if (vl == 0)
			a->has_size = 0;
		else if (dec(v, vl, &a->size) == -1 || a->size > INT64_MAX)
			return (-1);
		else
			a->has_size = 1;
	} else if (keyis(k, kl, "uid") || keyis(k, kl, "gid")) {
		int *has = k[0] == 'u' ? &a->has_uid : &a->has_gid;

		if (vl == 0)
			*has = 0;
		else if (dec(v, vl, &n) == -1)
			return (-1);
		else {
			*(k[0] == 'u' ? &a->uid : &a->gid) = n;
			*has = 1;
		}
	} else if (keyis(k, kl, "mtime")) {
		if (vl == 0)
			a->has_mtime = 0;
		else if (pax_time(v, vl, &a->mtime, &a->mtime_ns) == -1)
			return (-1);
		else
			a->has_mtime = 1;
	} else if (keyis(k, kl, "GNU.sparse.major") ||
	    keyis(k, kl, "GNU.sparse.minor")) {
		if (dec(v, vl, &n) == -1 || n > 100)
			return (-1);
		*(k[12] == 'a' ? &a->sp_major : &a->sp_minor) = (int)n;
	} else if (keyis(k, kl, "GNU.sparse.name")) {
		buf_reset(&a->sname);
		buf_add(&a->sname, v, vl);
		a->has_sname = vl > 0;
	} else if (keyis(k, kl, "GNU.sparse.realsize") ||
	    keyis(k, kl, "GNU.sparse.size")) {
		if (dec(v, vl, &a->realsize) == -1 || a->realsize > INT64_MAX)
			return (-1);
		a->has_realsize = 1;
	} else if (keyis(k, kl, "GNU.sparse.numblocks")) {
		if (dec(v, vl, &n) == -1 || n > TARFS_MAX_SPARSE)
			return (-1);
		a->sp_pax = 1;
	} else if (keyis(k, kl, "GNU.sparse.offset")) {
		if (dec(v, vl, &a->sp_off) == -1)
			return (-1);
		a->sp_have_off = 1;
		a->sp_pax = 1;
	} else if (keyis(k, kl, "GNU.sparse.numbytes")) {
		if (!a->sp_have_off || dec(v, vl, &n) == -1)
			return (-1);
		a->sp_have_off = 0;
		if (span_add(ps, a->sp_off, n) == -1)
			return (-2);
	} else if (keyis(k, kl, "GNU.sparse.map")) {
		size_t i = 0, j;
		uint64_t o = 0;
		int half = 0;

		a->sp_pax = 1;
		ps->nsp = 0;
		while (i < vl) {
			for (j = i; j < vl && v[j] != ','; j++)
				;
			if (dec(v + i, j - i, &n) == -1)
				return (-1);
			if (half && span_add(ps, o, n) == -1)
				return (-2);
			o = n;
			half = !half;
			i = j + 1;
			if (j == vl - 1)
				return (-1);	/* trailing comma */
		}
		if (half)
			return (-1);
	}
	return (0);
}

/* Records are "LEN KEY=VALUE\n", LEN counting the whole record. */
static int
pax_parse(struct parser *ps, const char *p, size_t len, int global)
{
	struct attrs *a = global ? &ps->global : &ps->local;
	size_t i = 0, j, rl, nd;
	uint64_t l;
	const char *eq;
	int r;

	while (i < len) {
		if (p[i] == '\0')	/* padding some writers leave */
			break;
		for (nd = 0; i + nd < len && nd < 20 && p[i + nd] >= '0' &&
		    p[i + nd] <= '9'; nd++)
			;
		if (nd == 0 || i + nd >= len || p[i + nd] != ' ' ||
		    dec(p + i, nd, &l) == -1 || l > len - i || l < nd + 3)
			goto bad;
		rl = (size_t)l;
		if (p[i + rl - 1] != '\n')
			goto bad;
		j = i + nd + 1;
		eq = memchr(p + j, '=', rl - nd - 2);
		if (eq == NULL || eq == p + j)
			goto bad;
		r = pax_record(ps, a, global, p + j, (size_t)(eq - (p + j)),
		    eq + 1, (size_t)(p + i + rl - 1 - (eq + 1)));
		if (r == -2)
			return (-1);
		if (r == -1)
			goto bad;
		i += rl;
	}
	return (0);
bad:
	return (error_set("corrupt pax header at offset %llu (record at "
	    "byte %zu)", (unsigned long long)ps->off, i));
}

/* GNU sparse 1.0: the map is decimal lines at the start of the data. */
static int
sparse_map_in_data(struct parser *ps, uint64_t data, uint64_t stored,
    uint64_t *mapbytes)
{
	uint64_t cur = 0, count = 0, nums = 0, want = 1, first = 0;
	uint64_t b;
	int nd = 0;
	size_t i;

	ps->nsp = 0;
	for (b = 0; b < stored; b += BLK) {
		const uint8_t *h;

		if ((h = get(ps, data + b, BLK)) == NULL)
			return (-1);
		for (i = 0; i < BLK && nums < want; i++) {
			if (h[i] >= '0' && h[i] <= '9') {
				if (++nd > 19)
					goto bad;
				cur = cur * 10 + (h[i] - '0');
				continue;
			}
			if (h[i] != '\n' || nd == 0)
				goto bad;
			if (nums == 0) {
				if (cur > TARFS_MAX_SPARSE)
					goto bad;
				count = cur;
				want = 1 + 2 * count;
			} else if (nums % 2 == 1)
				first = cur;
			else if (span_add(ps, first, cur) == -1)
				return (-1);
			nums++;
			cur = 0;
			nd = 0;
		}
		if (nums == want) {
			*mapbytes = b + BLK;
			return (0);
		}
	}
bad:
	return (error_set("corrupt sparse map at offset %llu",
	    (unsigned long long)(data + b)));
}

/* Old GNU sparse ('S'): 4 entries in the header, 21 per extension. */
static int
sparse_old_gnu(struct parser *ps, const uint8_t *h, uint64_t *next_hdr,
    uint64_t *realsize)
{
	uint64_t o, n, ext = *next_hdr;
	int i, more;

	ps->nsp = 0;
	if (unum(h + 483, 12, realsize) == -1)
		goto bad;
	for (i = 0; i < 4; i++) {
		if (h[386 + i * 24] == '\0')
			break;
		if (unum(h + 386 + i * 24, 12, &o) == -1 ||
		    unum(h + 398 + i * 24, 12, &n) == -1)
			goto bad;
		if (span_add(ps, o, n) == -1)
			return (-1);
	}
	more = h[482] != 0;
	while (more) {
		const uint8_t *e;

		if ((e = get(ps, ext, BLK)) == NULL)
			return (-1);
		for (i = 0; i < 21; i++) {
			if (e[i * 24] == '\0')
				break;
			if (unum(e + i * 24, 12, &o) == -1 ||
			    unum(e + 12 + i * 24, 12, &n) == -1)
				goto bad;
			if (span_add(ps, o, n) == -1)
				return (-1);
		}
		more = e[504] != 0;
		ext += BLK;
	}
	*next_hdr = ext;
	return (0);
bad:
	return (error_set("corrupt sparse header at offset %llu",
	    (unsigned long long)ps->off));
}

/*
 * Split a name into components, "." dropped and ".." popping (never
 * above the root), so that nothing lands outside the mount.
 */
struct comp {
	const char	*p;
	size_t		 len;
};

static int
split(const char *path, struct comp *c, int max)
{
	const char *p = path, *e;
	int n = 0;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != '/'; e++)
			;
		if (e - p == 1 && p[0] == '.')
			;
		else if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (n > 0)
				n--;
		} else {
			if (n == max)
				return (-1);
			c[n].p = p;
			c[n].len = (size_t)(e - p);
			n++;
		}
		p = e;
	}
	return (n);
}

static void
set_attrs(struct tf_inode *n, const struct entry *e)
{
	n->uid = (uint32_t)e->uid;
	n->gid = (uint32_t)e->gid;
	n->mtime = e->mtime;
	n->mtime_ns = e->mtime_ns;
	n->mode = (n->mode & S_IFMT) | (e->perm & 07777);
	if (S_ISLNK(n->mode))
		n->mode = S_IFLNK | 0777;	/* as Linux shows them */
}

static void
warn(struct parser *ps, const char *fmt, const char *path)
{
	if (!ps->t->quiet)
		log_warn(fmt, path, (unsigned long long)ps->off);
}

/*
 * Point dir/name at ino, replacing what was there (tar -x order), and
 * note that dir is not empty: tar -x will not replace a directory with
 * entries by a non-directory ("Directory not empty"), and neither will
 * the walk (add_entry).  d: the entry dir/name has (tf_find, made by
 * the caller with no entry added since), or -1.
 */
static int
link_name(struct parser *ps, uint32_t dir, const struct comp *c,
    uint32_t ino, int64_t d)
{
	struct tarfs *t = ps->t;

	if (dir >= ps->nkids) {
		size_t n = ps->nkids == 0 ? 1024 : ps->nkids;

		while (n <= dir)
			n *= 2;
		ps->kids = xrealloc(ps->kids, n);
		memset(ps->kids + ps->nkids, 0, n - ps->nkids);
		ps->nkids = n;
	}
	ps->kids[dir] = 1;

	if (d != -1) {
		uint32_t old = t->dirents[d].ino;

		if (old != ino && t->inodes[old].nlink > 0)
			t->inodes[old].nlink--;
		t->dirents[d].ino = ino;
		return (0);
	}
	return (tf_dirent_add(t, dir, c->p, c->len, ino) == -1 ? -1 : 0);
}

static int
add_entry(struct parser *ps, const struct entry *e)
{
	static __thread struct comp c[TARFS_MAX_DEPTH];
	struct tarfs *t = ps->t;
	struct tf_inode *n;
	uint32_t dir = 0, mode;
	int64_t ino, d;
	int nc, i;

	if ((nc = split(e->path, c, TARFS_MAX_DEPTH)) == -1) {
		warn(ps, "%.200s: at offset %llu: too deeply nested, "
		    "skipped", e->path);
		return (0);
	}
	if (nc == 0) {
		/* "./": the root's own attributes. */
		if (e->type == '5')
			set_attrs(&t->inodes[0], e);
		return (0);
	}
	for (i = 0; i < nc - 1; i++) {
		d = -1;
		if (i < ps->npdir) {
			/* A dirent's parent and name never change. */
			const struct tf_dirent *pd = &t->dirents[ps->pdir[i]];

			if (pd->parent == dir && pd->namelen == c[i].len &&
			    memcmp(t->pool + pd->name, c[i].p, c[i].len) == 0)
				d = ps->pdir[i];
			else
				ps->npdir = i;
		}
		if (d == -1 && (d = tf_find(t, dir, c[i].p, c[i].len)) != -1) {
			ps->pdir[i] = (uint32_t)d;
			ps->npdir = i + 1;
		}
		if (d != -1 && S_ISDIR(t->inodes[t->dirents[d].ino].mode)) {
			dir = t->dirents[d].ino;
			continue;
		}
		ps->npdir = i;
		if (d != -1) {
			/* tar -x goes through no file or symlink either. */
			warn(ps, "%.200s: at offset %llu: a parent is not a "
			    "directory, skipped (as tar -x does)", e->path);
			return (0);
		}
		/* A parent the archive never listed. */
		if ((ino = tf_inode_new(t, S_IFDIR | 0755)) == -1)
			return (-1);
		t->inodes[ino].mtime = e->mtime;
		if (link_name(ps, dir, &c[i], (uint32_t)ino, -1) == -1)
			return (-1);
		dir = (uint32_t)ino;
	}
	d = tf_find(t, dir, c[nc - 1].p, c[nc - 1].len);
	if (d != -1 && e->type != '5') {
		uint32_t old = t->dirents[d].ino;

		if (S_ISDIR(t->inodes[old].mode) && old < ps->nkids &&
		    ps->kids[old]) {
			warn(ps, "%.200s: at offset %llu: would replace a "
			    "directory that is not empty, skipped (as tar -x "
			    "does)", e->path);
			return (0);
		}
	}

	if (e->type == '1') {
		static __thread struct comp lc[TARFS_MAX_DEPTH];
		uint32_t ld = 0;
		int ln;

		ln = split(e->link, lc, TARFS_MAX_DEPTH);
		for (i = 0; i < ln; i++) {
			int64_t x = tf_find(t, ld, lc[i].p, lc[i].len);

			if (x == -1 || (i < ln - 1 &&
			    !S_ISDIR(t->inodes[t->dirents[x].ino].mode)))
				break;
			ld = t->dirents[x].ino;
		}
		if (ln <= 0 || i < ln || S_ISDIR(t->inodes[ld].mode)) {
			warn(ps, "%.200s: at offset %llu: hard link to a "
			    "missing file or a directory, skipped", e->path);
			return (0);
		}
		if (d != -1 && t->dirents[d].ino == ld)
			return (0);
		if (link_name(ps, dir, &c[nc - 1], ld, d) == -1)
			return (-1);
		t->inodes[ld].nlink++;
		return (0);
	}
	if (e->type == '5' && d != -1 &&
	    S_ISDIR(t->inodes[t->dirents[d].ino].mode)) {
		/* A directory again: new attributes, same children. */
		set_attrs(&t->inodes[t->dirents[d].ino], e);
		return (0);
	}
	switch (e->type) {
	case '2': mode = S_IFLNK; break;
	case '3': mode = S_IFCHR; break;
	case '4': mode = S_IFBLK; break;
	case '5': mode = S_IFDIR; break;
	case '6': mode = S_IFIFO; break;
	default: mode = S_IFREG; break;
	}
	if ((ino = tf_inode_new(t, mode)) == -1)
		return (-1);
	n = &t->inodes[ino];
	set_attrs(n, e);
	switch (e->type) {
	case '2': {
		uint32_t off = tf_pool_add(t, e->link, strlen(e->link));

		if (off == UINT32_MAX)
			return (-1);
		n = &t->inodes[ino];
		n->data = off;
		n->size = strlen(e->link);
		break;
	}
	case '3':
	case '4':
		n->data = e->rdev;
		break;
	case '5':
	case '6':
		break;
	default:
		n->size = e->size;
		n->stored = e->stored;
		n->data = e->data;
		if (e->sparse) {
			uint64_t at = e->data;
			size_t k, first = t->nchunks;

			for (k = 0; k < ps->nsp; k++) {
				if (ps->sp[k].len == 0)
					continue;
				if (tf_chunk_add(t, ps->sp[k].off,
				    ps->sp[k].len, at) == -1)
					return (-1);
				at += ps->sp[k].len;
			}
			n = &t->inodes[ino];
			n->data = first;
			n->nchunks = (uint32_t)(t->nchunks - first);
			n->flags |= TF_SPARSE;
		}
		break;
	}
	return (link_name(ps, dir, &c[nc - 1], (uint32_t)ino, d));
}

/* The chunks must be in order, apart, inside the file and the data. */
static int
check_sparse(struct parser *ps, uint64_t realsize, uint64_t stored)
{
	uint64_t end = 0, sum = 0;
	size_t k;

	for (k = 0; k < ps->nsp; k++) {
		const struct span *s = &ps->sp[k];

		if (s->off < end || s->len > realsize ||
		    s->off > realsize - s->len || s->len > stored - sum)
			return (error_set("corrupt sparse map at offset %llu "
			    "(chunk %zu)", (unsigned long long)ps->off, k));
		end = s->off + s->len;
		sum += s->len;
	}
	return (0);
}

/* One real (non-metadata) entry: resolve its attributes, add it. */
static int
entry(struct parser *ps, const uint8_t *h, uint64_t size, uint64_t data,
    uint64_t *next)
{
	struct attrs *l = &ps->local, *g = &ps->global;
	struct entry e;
	/*
	 * The names where they are (a pax or GNU one in its buffer), or
	 * copied here out of the header: no allocation per entry.
	 */
	char nbuf[155 + 1 + 100 + 1], lbuf[100 + 1];
	const char *name, *link;
	size_t pl, nl;
	int64_t v;
	uint64_t maj, min, mapbytes = 0;
	int ustar = memcmp(h + 257, "ustar\0", 6) == 0;
	int r = -1;

	memset(&e, 0, sizeof(e));
	e.type = (char)h[156];
	if (l->has_sname)
		name = buf_cstr(&l->sname);
	else if (l->has_path)
		name = buf_cstr(&l->path);
	else {
		pl = 0;
		if (ustar && h[345] != '\0') {
			pl = strnlen((const char *)h + 345, 155);
			memcpy(nbuf, h + 345, pl);
			nbuf[pl++] = '/';
		}
		nl = strnlen((const char *)h, 100);
		memcpy(nbuf + pl, h, nl);
		nbuf[pl + nl] = '\0';
		name = nbuf;
	}
	if (l->has_link)
		link = buf_cstr(&l->link);
	else {
		nl = strnlen((const char *)h + 157, 100);
		memcpy(lbuf, h + 157, nl);
		lbuf[nl] = '\0';
		link = lbuf;
	}
	e.path = name;
	e.link = link;

	if (tar_num(h + 100, 8, &v) == -1)
		goto badnum;
	e.perm = (uint32_t)v & 07777;
	if (l->has_uid || g->has_uid)
		e.uid = l->has_uid ? l->uid : g->uid;
	else if (unum(h + 108, 8, &e.uid) == -1)
		goto badnum;
	if (l->has_gid || g->has_gid)
		e.gid = l->has_gid ? l->gid : g->gid;
	else if (unum(h + 116, 8, &e.gid) == -1)
		goto badnum;
	if (l->has_mtime || g->has_mtime) {
		e.mtime = l->has_mtime ? l->mtime : g->mtime;
		e.mtime_ns = l->has_mtime ? l->mtime_ns : g->mtime_ns;
	} else if (tar_num(h + 136, 12, &e.mtime) == -1)
		goto badnum;
	if (e.type == '3' || e.type == '4') {
		if (unum(h + 329, 8, &maj) == -1 ||
		    unum(h + 337, 8, &min) == -1 || maj > UINT32_MAX ||
		    min > UINT32_MAX)
			goto badnum;
		e.rdev = makedev((unsigned)maj, (unsigned)min);
	}
	if ((e.type == '\0' || e.type == '0') && strlen(name) > 0 &&
	    name[strlen(name) - 1] == '/')
		e.type = '5';		/* old tars' directories */
	if (e.type == 'D')
		e.type = '5';		/* GNU dumpdir: data is a listing */
	e.size = e.stored = size;
	e.data = data;

	if (e.type == 'S') {
		if (sparse_old_gnu(ps, h, &e.data, &e.size) == -1)
			goto out;
		/* The data follows the extension blocks. */
		*next += e.data - data;
		if (*next > ps->t->src.size) {
			error_set("truncated archive: sparse entry at offset "
			    "%llu", (unsigned long long)ps->off);
			goto out;
		}
		e.sparse = 1;
	} else if (l->sp_major == 1) {
		if (sparse_map_in_data(ps, data, size, &mapbytes) == -1)
			goto out;
		e.data = data + mapbytes;
		e.stored = size - mapbytes;
		e.size = l->realsize;
		e.sparse = 1;
	} else if (l->sp_pax) {
		if (l->sp_have_off)
			goto badsparse;
		e.size = l->realsize;
		e.sparse = 1;
	}
	if (e.sparse) {
		if (e.type != 'S' && !l->has_realsize)
			goto badsparse;
		if (check_sparse(ps, e.size, e.stored) == -1)
			goto out;
		e.type = '0';
	}
	if (add_entry(ps, &e) == -1)
		goto out;
	r = 0;
	goto out;
badsparse:
	error_set("corrupt sparse map at offset %llu",
	    (unsigned long long)ps->off);
	goto out;
badnum:
	error_set("corrupt header at offset %llu (bad number)",
	    (unsigned long long)ps->off);
out:
	return (r);
}

/*
 * The walk proper.  Headers are read through ps->map when the archive
 * is mapped, else through the window.
 */
static int
walk(struct parser *ps, struct progress *pr)
{
	struct tarfs *t = ps->t;
	uint64_t size, data, next, lastp = 0;
	const uint8_t *h;
	uint8_t copy[BLK];
	const uint8_t *hdr;
	int64_t v;
	char *p;

	for (ps->off = 0; ps->off < t->src.size; ps->off = next) {
		if (pr != NULL && ps->off - lastp > (8 << 20)) {
			progress_update(pr, ps->off);
			lastp = ps->off;
		}
		if (t->src.size - ps->off < BLK) {
			/* Some writers pad only to 512 past the last block. */
			return (error_set("truncated archive: partial header "
			    "at offset %llu", (unsigned long long)ps->off));
		}
		if ((h = get(ps, ps->off, BLK)) == NULL)
			return (-1);
		if (is_zero(h))
			break;		/* end of archive */
		if (!tar_checksum_ok(h))
			return (error_set("corrupt header at offset %llu (bad "
			    "checksum)", (unsigned long long)ps->off));
		if (ps->map != NULL)
			hdr = h;
		else {
			memcpy(copy, h, BLK);	/* the window moves */
			hdr = copy;
		}
		if (ps->local.has_size)
			size = ps->local.size;
		else if (tar_num(hdr + 124, 12, &v) == -1 || v < 0)
			return (error_set("corrupt header at offset %llu (bad "
			    "size)", (unsigned long long)ps->off));
		else
			size = (uint64_t)v;
		/* Hardlinks, symlinks, dirs, devices and fifos hold no data
		   (a pax hardlink may say otherwise: trust the size). */
		if (hdr[156] == '2' || hdr[156] == '5' || hdr[156] == '3' ||
		    hdr[156] == '4' || hdr[156] == '6')
			size = 0;
		data = ps->off + BLK;
		if (size > t->src.size || data > t->src.size - size)
			return (error_set("truncated archive: entry at offset "
			    "%llu has %llu bytes of data, archive ends at %llu",
			    (unsigned long long)ps->off,
			    (unsigned long long)size,
			    (unsigned long long)t->src.size));
		next = data + ((size + BLK - 1) & ~(uint64_t)(BLK - 1));
		if (next > t->src.size)
			next = t->src.size;
		if (ps->map != NULL && t->src.size - next >= BLK &&
		    next - data > FAR) {
			/*
			 * A fault on a cold mapping reads the disk's whole
			 * readahead window around the page (8 MiB here):
			 * after a big file, half of that is its data, read
			 * for nothing (4 of the 7 ms of a cold mount of a
			 * 1 GiB file).  A small read brings in the header
			 * alone, and the kernel's own small window.
			 */
			(void)src_pread(&t->src, ps->win, BLK, next);
		} else if (ps->map != NULL && t->src.size - next >= BLK) {
			/*
			 * Each header is a fresh cache miss, and where the
			 * next one is is known only now: fetch it while this
			 * entry is filed (warm, a third of the walk).
			 */
			int l;

			for (l = 0; l < BLK; l += 64)
				__builtin_prefetch(ps->map + next + l);
		}

		switch (hdr[156]) {
		case 'L':
		case 'K':
			ps->has_local = 1;
			if ((p = get_data(ps, data, size, TARFS_MAX_NAME,
			    "long name")) == NULL)
				return (-1);
			{
				struct attrs *l = &ps->local;
				struct buf *b = hdr[156] == 'L' ? &l->path :
				    &l->link;

				buf_reset(b);
				buf_addstr(b, p);
				*(hdr[156] == 'L' ? &l->has_path :
				    &l->has_link) = p[0] != '\0';
			}
			free(p);
			continue;
		case 'x':
		case 'X':
		case 'g':
			ps->has_local = 1;
			if ((p = get_data(ps, data, size, TARFS_MAX_PAX,
			    "pax header")) == NULL)
				return (-1);
			if (pax_parse(ps, p, (size_t)size,
			    hdr[156] == 'g') == -1) {
				free(p);
				return (-1);
			}
			free(p);
			continue;
		case 'V':		/* volume label */
		case 'M':		/* continued from another volume */
		case 'N':		/* old GNU long names: obsolete */
			break;
		default:
			if (entry(ps, hdr, size, data, &next) == -1)
				return (-1);
			break;
		}
		if (ps->has_local) {
			attrs_free(&ps->local);
			ps->has_local = 0;
		}
		ps->nsp = 0;
	}
	return (0);
}

/*
 * A mapped archive that shrinks under the walk raises SIGBUS; the walk
 * then fails like a truncated archive instead of killing the process.
 * (What the interrupted header had allocated is lost: a few bytes, on
 * a mount that fails.)
 */
static __thread sigjmp_buf *bus_jmp;

static void
on_sigbus(int sig)
{
	if (bus_jmp != NULL)
		siglongjmp(*bus_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
tf_index_build(struct tarfs *t)
{
	/* On the heap: a longjmp must find what the walk left in it. */
	struct parser *ps = xcalloc(1, sizeof(*ps));
	struct progress *pr = NULL;
	struct sigaction sa, osa;
	sigjmp_buf jb;
	int r = -1;

	ps->t = t;
	ps->win = xmalloc(WINDOW);
	ps->map = src_map(&t->src);
	attrs_init(&ps->local);
	attrs_init(&ps->global);
	error_clear();
	if (tf_inode_new(t, S_IFDIR | 0755) == -1)	/* the root */
		goto out;
	if (!t->quiet && t->src.kind != SRC_MEM)
		pr = progress_new("indexed", "archive", t->src.size, 2);
	if (ps->map != NULL) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigbus;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, &osa);
		if (sigsetjmp(jb, 1) != 0) {
			error_set("archive changed while being read: it ends "
			    "before offset %llu",
			    (unsigned long long)ps->off + BLK);
			goto unguard;
		}
		bus_jmp = &jb;
	}
	if (walk(ps, pr) == 0) {
		/* Where the headers ended: an embedded index starts past it. */
		t->tarend = ps->off < t->src.size ? ps->off : t->src.size;
		tf_finalize(t);
		r = 0;
	}
unguard:
	if (ps->map != NULL) {
		bus_jmp = NULL;
		sigaction(SIGBUS, &osa, NULL);
	}
out:
	if (pr != NULL) {
		if (r == 0)
			progress_done(pr, 1);
		else
			progress_abort(pr);
	}
	src_unmap(&t->src, ps->map);
	attrs_free(&ps->local);
	attrs_free(&ps->global);
	free(ps->sp);
	free(ps->kids);
	free(ps->win);
	free(ps);
	return (r);
}
