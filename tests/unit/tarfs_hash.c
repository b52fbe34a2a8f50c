/*
 * tarfs: the lookup table (node.c).  The name hash takes every byte of
 * the name, its length and the parent; lookups stay right when whole
 * hashes collide, across the table's growth, for the same name under
 * other parents, and after a rebuild from the entries (a load).  The
 * hash is seeded at random per process, so names chosen to collide
 * without the seed do not collide with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tarfs/node.h"
#include "tarfs/tarfs_int.h"
#include "tap.h"

struct hn {
	uint32_t	h;
	uint32_t	i;
};

static int
hn_cmp(const void *a, const void *b)
{
	const struct hn *x = a, *y = b;

	if (x->h != y->h)
		return (x->h < y->h ? -1 : 1);
	return (x->i < y->i ? -1 : x->i > y->i);
}

/* Lengths 0 to 40: a change in any one byte changes the hash. */
static void
test_bytes(void)
{
	char a[64] = "", b[64];
	size_t len, i, bad = 0, lens = 0;
	uint32_t h0, h1;

	for (len = 0; len <= 40; len++) {
		for (i = 0; i < len; i++)
			a[i] = (char)('a' + i % 26);
		h0 = tf_name_hash(7, a, len);
		if (h0 == tf_name_hash(8, a, len))
			bad++;
		if (len > 0 && h0 == tf_name_hash(7, a, len - 1))
			lens++;
		for (i = 0; i < len; i++) {
			memcpy(b, a, len);
			b[i] ^= 0x20;
			h1 = tf_name_hash(7, b, len);
			if (h1 == h0)
				bad++;
		}
	}
	is_int(bad, 0, "one byte or the parent changed: another hash");
	is_int(lens, 0, "one byte shorter: another hash");
	memcpy(a, "abcdefghij", 10);
	memcpy(b + 1, "abcdefghij", 10);
	is_int(tf_name_hash(1, b + 1, 10), tf_name_hash(1, a, 10),
	    "unaligned names hash the same");
}

/* Two names of equal 32-bit hash, found among n tried (0: none). */
static int
collision(uint32_t parent, char *x, char *y, size_t n)
{
	struct hn *v = calloc(n, sizeof(*v));
	char s[32];
	size_t i;
	int found = 0;

	for (i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "f%zu", i);
		v[i].h = tf_name_hash(parent, s, strlen(s));
		v[i].i = (uint32_t)i;
	}
	qsort(v, n, sizeof(*v), hn_cmp);
	for (i = 1; i < n && !found; i++)
		if (v[i].h == v[i - 1].h) {
			snprintf(x, 32, "f%u", v[i - 1].i);
			snprintf(y, 32, "f%u", v[i].i);
			found = 1;
		}
	free(v);
	return (found);
}

static int64_t
find(const struct tarfs *t, uint32_t parent, const char *name)
{
	return (tf_find(t, parent, name, strlen(name)));
}

static void
test_table(void)
{
	struct tarfs *t = calloc(1, sizeof(*t));
	char x[32], y[32], s[32];
	int64_t dx, dy, dir;
	size_t i, n = 5000, wrong = 0, other = 0;

	ok(tf_inode_new(t, S_IFDIR | 0755) == 0, "root");
	dir = tf_inode_new(t, S_IFDIR | 0755);
	ok(find(t, 0, "x") == -1, "an empty table finds nothing");
	ok(collision(0, x, y, 400000), "two names of one hash: %s %s", x, y);
	is_int(tf_name_hash(0, x, strlen(x)), tf_name_hash(0, y, strlen(y)),
	    "their hashes are equal");
	dx = tf_dirent_add(t, 0, x, strlen(x), 1);
	ok(find(t, 0, y) == -1, "the other is not found for the first");
	dy = tf_dirent_add(t, 0, y, strlen(y), 1);
	ok(dx >= 0 && dy >= 0 && dx != dy, "both added");
	is_int(find(t, 0, x), dx, "the first found");
	is_int(find(t, 0, y), dy, "the second found");
	is_int(find(t, (uint32_t)dir, x), -1, "not under another parent");
	(void)tf_dirent_add(t, (uint32_t)dir, x, strlen(x), 1);

	/* Enough names to grow the table several times over. */
	for (i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "name-%zu", i);
		if (tf_dirent_add(t, i % 2 ? 0 : (uint32_t)dir, s, strlen(s),
		    1) == -1)
			wrong++;
	}
	for (i = 0; i < n; i++) {
		int64_t d;

		snprintf(s, sizeof(s), "name-%zu", i);
		d = find(t, i % 2 ? 0 : (uint32_t)dir, s);
		if (d == -1 || strcmp(t->pool + t->dirents[d].name, s) != 0)
			wrong++;
		if (find(t, i % 2 ? (uint32_t)dir : 0, s) != -1)
			other++;
	}
	is_int(wrong, 0, "every name found, under its own parent");
	is_int(other, 0, "and under no other");
	ok(t->nslots >= 2 * t->ndirents, "the table at most half full "
	    "(%zu slots, %zu entries)", t->nslots, t->ndirents);
	is_int(find(t, 0, x), dx, "the colliding names still found");
	is_int(find(t, 0, y), dy, "both");
	ok(find(t, 0, "name-x") == -1 && find(t, 0, "") == -1,
	    "names never added: not found");

	/* A load rebuilds the table from the entries alone. */
	free(t->slots);
	t->slots = NULL;
	t->nslots = 0;
	tf_rehash_all(t);
	for (wrong = 0, i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "name-%zu", i);
		if (find(t, i % 2 ? 0 : (uint32_t)dir, s) == -1)
			wrong++;
	}
	is_int(wrong, 0, "rebuilt: every name found");
	is_int(find(t, 0, x), dx, "rebuilt: the colliding names found");
	is_int(find(t, 0, y), dy, "both");
	ok(t->nslots >= 2 * t->ndirents && (t->nslots & (t->nslots - 1)) == 0,
	    "rebuilt at most half full, a power of two (%zu)", t->nslots);
	tf_index_free(t);
	free(t);
}

/*
 * Names found to collide before the seed is set (as an archive's author
 * would, offline) no longer collide once it is; another process hashes
 * a name otherwise; the seed, once set, stays.
 */
static void
test_seed(void)
{
	char x[32], y[32], cmd[64], a[32] = "", b[32] = "";
	FILE *f;
	uint32_t h;

	ok(collision(0, x, y, 400000), "unseeded, %s and %s collide", x, y);
	tf_hash_init();
	ok(tf_name_hash(0, x, strlen(x)) != tf_name_hash(0, y, strlen(y)),
	    "seeded, they do not");
	h = tf_name_hash(3, "name", 4);
	tf_hash_init();
	is_int(tf_name_hash(3, "name", 4), h, "the seed is set once");
	snprintf(cmd, sizeof(cmd), "/proc/%d/exe --hash", (int)getpid());
	if ((f = popen(cmd, "r")) != NULL) {
		(void)!fgets(a, sizeof(a), f);
		pclose(f);
	}
	if ((f = popen(cmd, "r")) != NULL) {
		(void)!fgets(b, sizeof(b), f);
		pclose(f);
	}
	ok(a[0] != '\0' && b[0] != '\0' && strcmp(a, b) != 0,
	    "two processes, two hashes of one name: %.10s %.10s", a, b);
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "--hash") == 0) {
		tf_hash_init();
		printf("%u\n", tf_name_hash(3, "name", 4));
		return (0);
	}
	test_seed();
	test_bytes();
	test_table();
	return (done_testing());
}
