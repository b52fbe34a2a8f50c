/*
 * Opening an archive: the source, then the index over it, loaded from
 * a saved index when one matches the archive, else read from headers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/path.h"
#include "tarfs/tarfs_int.h"
#include "tarfs/zstd.h"

#define MAX_INDEX	((size_t)4 << 30)

/*
 * Where an index goes when the archive's directory is read-only: a
 * cache dir (as the zstd layer does with its own), keyed by the
 * archive's device, inode, size and mtime.
 */
static char *
cache_path(const struct src *s)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *d;

	if (s->kind == SRC_MEM)
		return (NULL);
	if (x != NULL && x[0] == '/')
		d = xasprintf("%s/stasis/tarfs", x);
	else if (geteuid() == 0)
		d = xstrdup("/var/cache/stasis/tarfs");
	else if (home != NULL && home[0] == '/')
		d = xasprintf("%s/.cache/stasis/tarfs", home);
	else
		return (NULL);
	x = d;
	d = xasprintf("%s/%llx-%llx-%llx-%llx.%09u.tfidx", x,
	    (unsigned long long)s->dev, (unsigned long long)s->ino,
	    (unsigned long long)s->fsize, (unsigned long long)s->mtime,
	    s->mtime_ns);
	free((char *)x);
	return (d);
}

static int
save_cache(const struct tarfs *t, char **where)
{
	char *p = cache_path(&t->src), *d;
	int r;

	if (p == NULL)
		return (error_set("no cache directory (set XDG_CACHE_HOME)"));
	d = xstrdup(p);
	*strrchr(d, '/') = '\0';
	r = path_mkdirs(d, 0755);
	free(d);
	if (r == 0)
		r = tf_index_save(t, p);
	if (r == 0 && where != NULL)
		*where = p;
	else
		free(p);
	return (r);
}

static char *
index_path(const char *archive, const char *given)
{
	return (given != NULL ? xstrdup(given) :
	    xasprintf("%s.tfidx", archive));
}

/*
 * 1 loaded, 0 no usable index (said why unless quiet), -1 the archive
 * is corrupt (its size, which the index is checked against, could not
 * be learned).
 */
static int
try_index(struct tarfs *t, const char *path)
{
	struct stat st;
	int r = 0;

	if (stat(path, &st) == -1)
		return (0);
	if (src_finish(&t->src) == -1)
		return (-1);
	if (tf_index_load_file(t, path, MAX_INDEX) == -1) {
		if (!t->quiet)
			log_warn("%s: %s; reading the archive instead", path,
			    error_msg());
		error_clear();
	} else {
		r = 1;
		free(t->from);
		t->from = xstrdup(path);
	}
	return (r);
}

/*
 * The walk over the headers.  A tar.zst whose one frame states no size
 * is walked before that size is known (src_open leaves the frame open:
 * zstd.h says why), against a bound that is never less than it: the
 * walk is the pass that decodes the frame, and src_finish decodes what
 * follows the end-of-archive marker, for the size.  A walk that ended
 * at the marker read only bytes that exist and found every offset it
 * compared with the bound below the marker, so it is the walk the size
 * would have given.  Any other (no marker, an error) is done again
 * with the size if the bound was not it, so that a cut tar fails as
 * from any other source; a corrupt frame fails src_finish, which names
 * it.  Only archives that end without a marker are decoded twice.
 */
static int
build(struct tarfs *t)
{
	uint64_t bound = t->src.size;
	int r;

	if (src_exact(&t->src))
		return (tf_index_build(t));
	r = tf_index_build(t);
	if (src_finish(&t->src) == -1)
		return (-1);
	if ((r == 0 && t->tarend < bound) || t->src.size == bound)
		return (r);
	log_debug("%s: read the headers again: the archive is %llu bytes, "
	    "not %llu", t->archive, (unsigned long long)t->src.size,
	    (unsigned long long)bound);
	tf_index_free(t);
	error_clear();
	return (tf_index_build(t));
}

struct tarfs *
tarfs_open(const char *archive, const struct tarfs_open_opts *o)
{
	struct tarfs *t = xcalloc(1, sizeof(*t));
	char *ip, *rp;

	t->quiet = o != NULL && o->quiet;
	t->archive = xstrdup(archive);
	if (src_open(&t->src, archive, o != NULL ? o->zindex : NULL,
	    o != NULL ? o->max_ratio : 0, o != NULL ? o->max_size : 0) == -1) {
		free(t->archive);
		free(t);
		return (NULL);
	}
	if (o != NULL && o->cache != 0)
		src_set_cache(&t->src, o->cache);
	if (o == NULL || !o->rebuild) {
		/* In the archive: bound to its bytes, not to its mtime. */
		if (o == NULL || o->tarindex == NULL)
			t->loaded = tf_embed_load(t);
		if (t->loaded)
			goto loaded;
		ip = index_path(archive, o != NULL ? o->tarindex : NULL);
		t->loaded = try_index(t, ip);
		free(ip);
		if (t->loaded == -1)
			goto fail;
		/*
		 * Through a link (releases/current.tar.zst -> app-2.tar.zst)
		 * the index was saved beside the target.
		 */
		if (!t->loaded && (o == NULL || o->tarindex == NULL) &&
		    (rp = realpath(archive, NULL)) != NULL) {
			if (strcmp(rp, archive) != 0) {
				ip = index_path(rp, NULL);
				t->loaded = try_index(t, ip);
				free(ip);
			}
			free(rp);
		}
		if (!t->loaded && (o == NULL || o->tarindex == NULL) &&
		    (ip = cache_path(&t->src)) != NULL) {
			t->loaded = try_index(t, ip);
			free(ip);
		}
		if (t->loaded == -1)
			goto fail;
		if (t->loaded)
			goto loaded;
	}
	if (build(t) == -1)
		goto fail;
	log_debug("%s: %llu inodes, read from the archive's headers",
	    archive, (unsigned long long)t->ninodes);
	if (o != NULL && o->save && tarfs_save_index(t, o->tarindex,
	    NULL) == -1) {
		/* Only a cache: the mount goes on. */
		if (!t->quiet)
			log_warn("%s", error_msg());
		error_clear();
	}
	return (t);
fail:
	t->loaded = 0;
	error_wrap("%s", archive);
	tarfs_close(t);
	return (NULL);
loaded:
	/* (an embedded index comes with a seek table: the size is known) */
	if (src_finish(&t->src) == -1)
		goto fail;
	if (strcmp(t->from, "embedded") == 0)
		log_debug("%s: %llu inodes, from the index embedded in it",
		    archive, (unsigned long long)t->ninodes);
	else
		log_debug("%s: %llu inodes, from the saved index %s", archive,
		    (unsigned long long)t->ninodes, t->from);
	return (t);
}

struct tarfs *
tarfs_open_mem(const void *buf, size_t len)
{
	struct tarfs *t = xcalloc(1, sizeof(*t));

	t->quiet = 1;
	src_open_mem(&t->src, buf, len);
	if ((t->loaded = tf_embed_load(t)))
		return (t);
	if (tf_index_build(t) == -1) {
		tarfs_close(t);
		return (NULL);
	}
	return (t);
}

struct tarfs *
tarfs_open_index_mem(const void *idx, size_t idxlen, const void *buf,
    size_t len)
{
	struct tarfs *t = xcalloc(1, sizeof(*t));

	t->quiet = 1;
	src_open_mem(&t->src, buf, len);
	if (tf_index_load(t, idx, idxlen) == -1) {
		tarfs_close(t);
		return (NULL);
	}
	t->loaded = 1;
	return (t);
}

int
tarfs_save_zindex(struct tarfs *t, const char *path, int quiet)
{
	if (t->src.kind != SRC_ZSTD)
		return (0);
	return (zsrc_write_index(t->src.z, path, quiet));
}

int
tarfs_save_index(const struct tarfs *t, const char *path, char **where)
{
	char *ip = index_path(t->archive != NULL ? t->archive : "tarfs",
	    path);
	int r, e;

	r = tf_index_save(t, ip);
	e = errno;
	if (r == -1 && path == NULL &&
	    (e == EACCES || e == EROFS || e == EPERM)) {
		/* A read-only archive dir: the cache dir will do. */
		free(ip);
		error_clear();
		return (save_cache(t, where));
	}
	if (r == -1)
		error_wrap("index %s", ip);
	if (r == 0 && where != NULL)
		*where = ip;
	else
		free(ip);
	return (r);
}

int
tarfs_from_index(const struct tarfs *t)
{
	return (t->loaded);
}

const char *
tarfs_index_from(const struct tarfs *t)
{
	return (t->loaded ? t->from : NULL);
}

void
tarfs_close(struct tarfs *t)
{
	if (t == NULL)
		return;
	tf_index_free(t);
	src_close(&t->src);
	free(t->archive);
	free(t->from);
	free(t);
}
