/*
 * stasis be (also bectl): bectl(8)'s command line over be.h.
 */
#include <sys/wait.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/libxo.h"
#include "base/log.h"
#include "base/path.h"
#include "base/tree.h"
#include "be/be.h"
#include "commands.h"
#include "zfs/zfs.h"

static const char usage_text[] =
    "usage:\t%1$s {-h | subcommand [args...]}\n"
    "\t%1$s [-r beroot] activate [-t] beName\n"
    "\t%1$s [-r beroot] activate [-T]\n"
    "\t%1$s [-r beroot] check [--libxo json]\n"
    "\t%1$s [-r beroot] create [-r] [-e {nonActiveBe | beName@snapshot}] "
    "beName\n"
    "\t%1$s [-r beroot] create [-r] beName@snapshot\n"
    "\t%1$s [-r beroot] destroy [-Fo] {beName | beName@snapshot}\n"
    "\t%1$s [-r beroot] export sourceBe\n"
    "\t%1$s [-r beroot] import targetBe\n"
    "\t%1$s [-r beroot] jail [-bU] [{-o key=value | -u key}]... beName "
    "[utility [argument ...]]\n"
    "\t%1$s [-r beroot] list [-aDHs] [{-c property | -C property}] "
    "[--libxo json]\n"
    "\t%1$s [-r beroot] mount beName [mountpoint]\n"
    "\t%1$s [-r beroot] rename origBeName newBeName\n"
    "\t%1$s [-r beroot] {umount | unmount} [-f] beName\n"
    "\nThe BE root is -r, or $STASIS_BEROOT, or the parent of the dataset "
    "on /.\nSee stasis-be(8).\n";

static const char *me;	/* "bectl" or "stasis be" */

static int
usage(int explicit)
{
	fprintf(explicit ? stdout : stderr, usage_text, me);
	return (explicit ? 0 : 64);
}

static int
badopt(const char *sub)
{
	fprintf(stderr, "%s %s: unknown option '-%c'\n", me, sub, optopt);
	return (usage(0));
}

/* zfs_nicenum, as bectl prints space: 0, 512, 364K, 8M, 1.77G. */
static void
nicenum(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	uint64_t div = 1;
	int i = -1;
	double v;

	if (n < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
		return;
	}
	while (i < 5 && n / div >= 1024) {
		div *= 1024;
		i++;
	}
	if (n % div == 0) {
		snprintf(buf, len, "%llu%c", (unsigned long long)(n / div),
		    units[i]);
		return;
	}
	v = (double)n / (double)div;
	if (snprintf(buf, len, "%.2f%c", v, units[i]) <= 5)
		return;
	if (snprintf(buf, len, "%.1f%c", v, units[i]) <= 5)
		return;
	snprintf(buf, len, "%.0f%c", v, units[i]);
}

struct fmt {
	int	script;		/* -H */
	int	all;		/* -a */
	int	snaps;		/* -s */
	int	space;		/* -D */
	int	be_col;
	int	mount_col;
	int	indent;
};

static void
pad(const char *val, int col, const struct fmt *f)
{
	if (f->script) {
		putchar('\t');
		return;
	}
	printf("%*s ", col - (val != NULL ? (int)strlen(val) : 0), "");
}

static void
row(const char *name, const struct be_info *i, int with_origin,
    const struct fmt *f)
{
	char sp[32], when[64];
	int ac = 6;	/* strlen("Active") */
	uint64_t space;
	struct tm tm;

	printf("%*s%s", f->indent, "", name);
	pad(name, f->be_col - f->indent, f);
	if (i->active) {
		putchar('N');
		ac--;
	}
	if (i->nextboot) {
		putchar('R');
		ac--;
	}
	if (i->bootonce) {
		putchar('T');
		ac--;
	}
	if (ac == 6) {
		putchar('-');
		ac--;
	}
	pad(NULL, ac, f);
	printf("%s", i->mounted != NULL ? i->mounted : "-");
	pad(i->mounted != NULL ? i->mounted : "-", f->mount_col, f);
	space = i->used;
	if (with_origin)
		space += i->origin_used;
	if (f->space && i->origin != NULL)
		space += i->origin_ds_used;
	nicenum(space, sp, sizeof(sp));
	printf("%s", sp);
	pad(sp, 5, f);
	localtime_r(&i->creation, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%s\n", when);
}

static void
origin_row(const struct be_info *i, struct fmt *f)
{
	struct be_info o;

	memset(&o, 0, sizeof(o));
	o.used = i->origin_used;
	o.creation = i->origin_creation;
	row(i->origin, &o, 0, f);
}

/*
 * A JSON string of s, or null.  JSON strings are UTF-8 and json_string
 * returns NULL for anything else (a BE mounted on a directory whose name
 * is not), which left the key out: the BE looked unmounted.
 */
static json_t *
jstr(const char *s)
{
	json_t *v;
	char *c;

	if (s == NULL)
		return (json_null());
	if ((v = json_string(s)) == NULL) {
		c = str_utf8_clean(xstrdup(s));
		v = json_string(c);
		free(c);
	}
	return (v);
}

static json_t *
info_json(const struct be_info *i, int snaps)
{
	json_t *o = json_object(), *a;
	size_t j;

	json_object_set_new(o, "name", jstr(i->name));
	if (i->dataset != NULL)
		json_object_set_new(o, "dataset", jstr(i->dataset));
	json_object_set_new(o, "active", json_boolean(i->active));
	json_object_set_new(o, "next_boot", json_boolean(i->nextboot));
	json_object_set_new(o, "boot_once", json_boolean(i->bootonce));
	json_object_set_new(o, "mountpoint", jstr(i->mounted));
	json_object_set_new(o, "used", json_integer((json_int_t)i->used));
	json_object_set_new(o, "creation",
	    json_integer((json_int_t)i->creation));
	json_object_set_new(o, "origin", jstr(i->origin));
	if (snaps) {
		a = json_array();
		for (j = 0; j < i->nsnaps; j++)
			json_array_append_new(a, info_json(&i->snaps[j], 0));
		json_object_set_new(o, "snapshots", a);
	}
	return (o);
}

/*
 * bectl has no libxo; this follows jls's: one document, sizes in bytes
 * and times in seconds since the epoch, so scripts need no parsing of
 * "1.2G" or dates.
 */
static int
list_json(const struct be_list *l, int snaps)
{
	json_t *doc = json_object(), *a = json_array();
	size_t k;
	int rc;

	for (k = 0; k < l->n; k++)
		json_array_append_new(a, info_json(&l->v[k], snaps));
	json_object_set_new(doc, "__version", json_string("1"));
	json_object_set_new(doc, "boot-environments", a);
	rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	putchar('\n');
	return (rc == 0 && fflush(stdout) == 0 ? 0 :
	    fail("list: write"));
}

/* --libxo json or --libxo=json (FreeBSD's spelling) anywhere: taken out. */
static int
take_libxo(const char *cmd, int *argc, char **argv, int *json)
{
	int i, k, n = 0;
	const char *v;

	for (i = 0; i < *argc; i += n) {
		n = 1;
		if (strcmp(argv[i], "--libxo") == 0) {
			if (i + 1 >= *argc) {
				failx("%s: --libxo needs an argument", cmd);
				return (-1);
			}
			v = argv[i + 1];
			n = 2;
		} else if (strncmp(argv[i], "--libxo=", 8) == 0)
			v = argv[i] + 8;
		else
			continue;
		if ((*json = libxo_json(v)) == -1) {
			failx("%s: %s", cmd, error_msg());
			return (-1);
		}
		for (k = i; k + n <= *argc; k++)
			argv[k] = argv[k + n];
		*argc -= n;
		n = 0;
	}
	return (0);
}

static int
be_cmd_list(struct be *b, int argc, char **argv)
{
	struct fmt f;
	struct be_list l;
	const char *sort = NULL;
	int reverse = 0, c, json = 0;
	size_t k, j;

	memset(&f, 0, sizeof(f));
	if (take_libxo("list", &argc, argv, &json) == -1)
		return (64);
	while ((c = getopt(argc, argv, "+aDHsc:C:")) != -1) {
		switch (c) {
		case 'a':
			f.all = 1;
			break;
		case 'D':
			f.space = 1;
			break;
		case 'H':
			f.script = 1;
			break;
		case 's':
			f.snaps = 1;
			break;
		case 'c':
		case 'C':
			sort = optarg;
			reverse = c == 'C';
			break;
		default:
			return (badopt("list"));
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s list: extra argument provided\n", me);
		return (usage(0));
	}
	if (be_list(b, f.snaps ? BE_LIST_SNAPS : 0, sort, reverse, &l) == -1)
		return (fail("list"));
	if (json) {
		c = list_json(&l, f.snaps);
		be_list_free(&l);
		return (c);
	}
	if (f.all || f.snaps)
		f.space = 0;
	f.be_col = (f.all || f.snaps) ? 19 : 2;
	f.mount_col = 10;
	for (k = 0; k < l.n; k++) {
		if ((int)strlen(l.v[k].name) > f.be_col)
			f.be_col = strlen(l.v[k].name);
		if (l.v[k].mounted != NULL &&
		    (int)strlen(l.v[k].mounted) > f.mount_col)
			f.mount_col = strlen(l.v[k].mounted);
		if (!(f.all || f.snaps))
			continue;
		if ((int)strlen(l.v[k].dataset) + 2 > f.be_col)
			f.be_col = strlen(l.v[k].dataset) + 2;
		if (l.v[k].origin != NULL &&
		    (int)strlen(l.v[k].origin) + 4 > f.be_col)
			f.be_col = strlen(l.v[k].origin) + 4;
		for (j = 0; j < l.v[k].nsnaps; j++)
			if ((int)strlen(l.v[k].snaps[j].name) + 2 > f.be_col)
				f.be_col = strlen(l.v[k].snaps[j].name) + 2;
	}
	if (!f.script) {
		printf("%-*s %s %-*s %s %s\n", f.be_col,
		    (f.all || f.snaps) ? "BE/Dataset/Snapshot" : "BE",
		    "Active", f.mount_col, "Mountpoint", "Space", "Created");
		if (f.all || f.snaps)
			putchar('\n');
	}
	for (k = 0; k < l.n; k++) {
		const struct be_info *i = &l.v[k];

		if (!(f.all || f.snaps)) {
			row(i->name, i, 1, &f);
			continue;
		}
		if (k > 0)
			putchar('\n');
		printf("%s\n", i->name);
		f.indent = 2;
		row(i->dataset, i, 0, &f);
		if (i->origin != NULL) {
			f.indent = 4;
			origin_row(i, &f);
		}
		f.indent = 2;
		for (j = 0; f.snaps && j < i->nsnaps; j++)
			row(i->snaps[j].name, &i->snaps[j], 0, &f);
		f.indent = 0;
	}
	be_list_free(&l);
	return (0);
}

static int
be_cmd_create(struct be *b, int argc, char **argv)
{
	const char *from = NULL;
	int recursive = 0, c;

	while ((c = getopt(argc, argv, "+e:r")) != -1) {
		switch (c) {
		case 'e':
			from = optarg;
			break;
		case 'r':
			recursive = 1;
			break;
		default:
			return (badopt("create"));
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s create: wrong number of arguments\n", me);
		return (usage(0));
	}
	if (from != NULL && strchr(argv[optind], '@') != NULL) {
		fprintf(stderr, "%s create: -e makes a boot environment, "
		    "not a snapshot\n", me);
		return (usage(0));
	}
	if (be_create(b, argv[optind], from, recursive) == -1)
		return (fail("create %s", argv[optind]));
	return (0);
}

static int
be_cmd_activate(struct be *b, int argc, char **argv)
{
	int temp = 0, reset = 0, c;

	while ((c = getopt(argc, argv, "+tT")) != -1) {
		switch (c) {
		case 't':
			temp = 1;
			break;
		case 'T':
			reset = 1;
			break;
		default:
			return (badopt("activate"));
		}
	}
	if (temp && reset)
		return (usage(0));
	argc -= optind;
	argv += optind;
	if (argc != 1 && !(reset && argc == 0)) {
		fprintf(stderr, "%s activate: wrong number of arguments\n",
		    me);
		return (usage(0));
	}
	if (reset) {
		if (be_deactivate_temp(b) == -1)
			return (fail("activate -T"));
		printf("Temporary activation removed\n");
		return (0);
	}
	if (be_activate(b, argv[0], temp) == -1)
		return (fail("activate %s", argv[0]));
	printf("Successfully activated boot environment %s%s\n", argv[0],
	    temp ? " for next boot" : "");
	return (0);
}

static int
be_cmd_destroy(struct be *b, int argc, char **argv)
{
	char *kept;
	int flags = 0, c;

	while ((c = getopt(argc, argv, "+Fo")) != -1) {
		switch (c) {
		case 'F':
			flags |= BE_DESTROY_FORCE;
			break;
		case 'o':
			flags |= BE_DESTROY_ORIGIN;
			break;
		default:
			return (badopt("destroy"));
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s destroy: wrong number of arguments\n", me);
		return (usage(0));
	}
	if (be_destroy(b, argv[optind], flags, &kept) == -1)
		return (fail("destroy %s", argv[optind]));
	if (kept != NULL)
		fprintf(stderr, "%s destroy: leaving origin '%s' intact\n",
		    me, kept);
	free(kept);
	return (0);
}

static int
be_cmd_rename(struct be *b, int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "%s rename: missing argument\n", me);
		return (usage(0));
	}
	if (argc > 3) {
		fprintf(stderr, "%s rename: too many arguments\n", me);
		return (usage(0));
	}
	if (be_rename(b, argv[1], argv[2]) == -1)
		return (fail("rename %s %s", argv[1], argv[2]));
	return (0);
}

static int
be_cmd_mount(struct be *b, int argc, char **argv)
{
	char *where;

	if (argc < 2) {
		fprintf(stderr, "%s mount: missing argument(s)\n", me);
		return (usage(0));
	}
	if (argc > 3) {
		fprintf(stderr, "%s mount: too many arguments\n", me);
		return (usage(0));
	}
	if (be_mount(b, argv[1], argc == 3 ? argv[2] : NULL, &where) == -1)
		return (fail("mount %s", argv[1]));
	printf("%s\n", where);
	free(where);
	return (0);
}

static int
be_cmd_umount(struct be *b, int argc, char **argv)
{
	const char *sub = argv[0];
	int force = 0, c;

	while ((c = getopt(argc, argv, "+f")) != -1) {
		if (c != 'f')
			return (badopt(sub));
		force = 1;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s %s: wrong number of arguments\n", me, sub);
		return (usage(0));
	}
	if (be_unmount(b, argv[optind], force) == -1)
		return (fail("%s %s", sub, argv[optind]));
	return (0);
}

static int
be_cmd_export(struct be *b, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, argc < 2 ?
		    "%s export: missing boot environment name\n" :
		    "%s export: extra arguments provided\n", me);
		return (usage(0));
	}
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s export: must redirect output\n", me);
		return (64);
	}
	if (be_export(b, argv[1], STDOUT_FILENO) == -1)
		return (fail("export %s", argv[1]));
	return (0);
}

static int
be_cmd_import(struct be *b, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, argc < 2 ?
		    "%s import: missing boot environment name\n" :
		    "%s import: extra arguments provided\n", me);
		return (usage(0));
	}
	if (isatty(STDIN_FILENO)) {
		fprintf(stderr, "%s import: input can not be from terminal\n",
		    me);
		return (64);
	}
	if (be_import(b, argv[1], STDIN_FILENO) == -1)
		return (fail("import %s", argv[1]));
	return (0);
}

static int
be_cmd_check(struct be *b, int argc, char **argv)
{
	struct strv p = STRV_INIT;
	size_t i;
	int json = 0;

	if (take_libxo("check", &argc, argv, &json) == -1)
		return (64);
	if (argc != 1) {
		fprintf(stderr, "%s check: wrong number of arguments\n", me);
		return (usage(0));
	}
	if (be_check(b, &p) == -1)
		return (fail("check"));
	if (json) {
		/* list's layout; the exit status still says it too. */
		json_t *a = json_array(), *doc;

		for (i = 0; i < p.n; i++)
			json_array_append_new(a, jstr(p.v[i]));
		doc = json_pack("{s:s, s:{s:b, s:o}}", "__version", "2",
		    "be-check", "ok", p.n == 0, "problems", a);
		json_dumpf(doc, stdout, JSON_PRESERVE_ORDER | JSON_COMPACT);
		putchar('\n');
		json_decref(doc);
	} else
		for (i = 0; i < p.n; i++)
			fprintf(stderr, "%s check: %s\n", me, p.v[i]);
	i = p.n;
	strv_free(&p);
	return (i == 0 ? 0 : 1);
}

/* Take out every key=value (or boolean key, nokey) of key from v. */
static void
drop_param(struct strv *v, const char *key)
{
	size_t i, j, n = strlen(key);
	const char *p;

	for (i = j = 0; i < v->n; i++) {
		p = v->v[i];
		if (strncmp(p, "no", 2) == 0 && strcmp(p + 2, key) == 0)
			p += 2;
		if (strncmp(p, key, n) == 0 && (p[n] == '\0' ||
		    p[n] == '=' || (p[n] == '+' && p[n + 1] == '='))) {
			free(v->v[i]);
			continue;
		}
		v->v[j++] = v->v[i];
	}
	v->n = j;
	if (v->v != NULL)
		v->v[j] = NULL;
}

/*
 * jail: the BE mounted, and `stasis jail -c` on it.  Without -b the
 * utility (default /bin/sh) runs in it, then the jail goes and (without
 * -U) the BE is unmounted.
 */
static int
be_cmd_jail(struct be *b, int argc, char **argv)
{
	struct strv av = STRV_INIT;
	char *where = NULL, *ds, *self;
	int batch = 0, keep = 0, nohost = 0, c, rc, status, i;
	const char *name;
	pid_t pid;
	struct strv opts = STRV_INIT;

	while ((c = getopt(argc, argv, "+bUo:u:")) != -1) {
		switch (c) {
		case 'b':
			batch = 1;
			break;
		case 'U':
			keep = 1;
			break;
		case 'o':
			strv_push(&opts, optarg);
			break;
		case 'u':
			/*
			 * bectl's -u: unset a parameter set so far, the
			 * default host.hostname or an earlier -o.  The jail
			 * cannot do without name and path.
			 */
			if (strcmp(optarg, "name") == 0 ||
			    strcmp(optarg, "path") == 0) {
				fprintf(stderr, "%s jail: -u %s: the jail "
				    "needs it\n", me, optarg);
				strv_free(&opts);
				return (usage(0));
			}
			drop_param(&opts, optarg);
			if (strcmp(optarg, "host.hostname") == 0)
				nohost = 1;
			break;
		default:
			strv_free(&opts);
			return (badopt("jail"));
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s jail: missing boot environment name\n",
		    me);
		strv_free(&opts);
		return (usage(0));
	}
	name = argv[optind++];
	self = path_self_exe();
	/* A BE mounted already is used where it is, and stays mounted. */
	if ((ds = be_dataset(b, name)) != NULL &&
	    (where = zfs_mountpoint_of(ds)) != NULL)
		keep = 1;
	else if (be_mount(b, name, NULL, &where) == -1) {
		free(ds);
		free(self);
		strv_free(&opts);
		return (fail("jail %s", name));
	}
	free(ds);
	strv_push(&av, self);
	free(self);
	strv_push(&av, "jail");
	strv_push(&av, "-q");
	strv_push(&av, "-c");
	strv_pushf(&av, "name=%s", name);
	strv_pushf(&av, "path=%s", where);
	if (!nohost)
		strv_pushf(&av, "host.hostname=%s", name);
	for (i = 0; i < (int)opts.n; i++)
		strv_push(&av, opts.v[i]);
	if (batch)
		strv_push(&av, "persist");
	else if (optind < argc) {
		/* jail(8): command= comes last, its arguments after it. */
		strv_pushf(&av, "command=%s", argv[optind++]);
		for (; optind < argc; optind++)
			strv_push(&av, argv[optind]);
	} else
		strv_push(&av, "command=/bin/sh");
	fflush(stdout);
	rc = 1;
	if ((pid = fork()) == 0) {
		execvp(av.v[0], av.v);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
		    WTERMSIG(status);
	/* -b keeps it mounted for the jail, if there is one. */
	if (!keep && (!batch || rc != 0) && be_unmount(b, name, 1) == -1)
		(void)fail("jail %s: unmount", name);
	if (batch && rc == 0)
		printf("%s\n", where);
	free(where);
	strv_free(&av);
	strv_free(&opts);
	return (rc);
}

static volatile int stop;

static void
on_signal(int sig)
{
	stop = sig;
}

/*
 * SIGINT, SIGTERM and SIGHUP no longer kill a subcommand that changes
 * things half way: they set b->stop, which create, mount, export and
 * import heed at their next safe point (undoing what they made), and
 * the others, a few zfs commands each, finish first.  zfs commands run
 * in process groups of their own, out of a terminal's ^C.  A signal the
 * caller ignores (nohup) stays ignored.
 */
static void
catch_signals(struct be *b)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: polls wake */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], NULL, &old);
		if (old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
	b->stop = &stop;
}

/* opts: the subcommand's getopt letters, for wants_help. */
static const struct {
	const char	*name;
	int		(*fn)(struct be *, int, char **);
	const char	*opts;
	int		 changes;	/* catch_signals while it runs */
} subs[] = {
	{ "activate",	be_cmd_activate,	"tT",		1 },
	{ "check",	be_cmd_check,		"",		0 },
	{ "create",	be_cmd_create,		"e:r",		1 },
	{ "destroy",	be_cmd_destroy,		"Fo",		1 },
	{ "export",	be_cmd_export,		"",		1 },
	{ "import",	be_cmd_import,		"",		1 },
	{ "jail",	be_cmd_jail,		"bUo:u:",	0 },
	{ "list",	be_cmd_list,		"aDHsc:C:",	0 },
	{ "mount",	be_cmd_mount,		"",		1 },
	{ "rename",	be_cmd_rename,		"",		1 },
	{ "umount",	be_cmd_umount,		"f",		1 },
	{ "unmount",	be_cmd_umount,		"f",		1 },
	{ NULL,		NULL,			NULL,		0 }
};

/*
 * Is -h or --help among the subcommand's options?  Only its options
 * count (up to the first operand or "--", an option's argument
 * skipped): `jail BE sh -h` is the utility's -h.
 */
static int
wants_help(int argc, char **argv, const char *opts)
{
	const char *a, *o;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (a[0] != '-' || a[1] == '\0' || strcmp(a, "--") == 0)
			return (0);
		if (strcmp(a, "--help") == 0)
			return (1);
		if (a[1] == '-') {
			/* list's --libxo json (or --libxo=json). */
			if (strcmp(a, "--libxo") == 0)
				i++;
			continue;
		}
		for (a++; *a != '\0'; a++) {
			if (*a == 'h')
				return (1);
			if ((o = strchr(opts, *a)) != NULL && o[1] == ':') {
				if (a[1] == '\0')
					i++;
				break;
			}
		}
	}
	return (0);
}

/* The lines of usage_text for one subcommand. */
static int
sub_usage(const char *sub)
{
	const char *l = usage_text, *nl, *w;
	size_t n;
	int first = 1;

	if (strcmp(sub, "unmount") == 0)	/* {umount | unmount} */
		sub = "umount";
	n = strlen(sub);

	for (; (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
		if ((w = strstr(l, "[-r beroot] ")) == NULL || w > nl)
			continue;
		w += strlen("[-r beroot] ");
		if (*w == '{')
			w++;
		if (strncmp(w, sub, n) != 0 || (w[n] != ' ' && w[n] != '\n'))
			continue;
		/* "\t%1$s [-r beroot] ...": the tab, then me. */
		printf("%s\t%s%.*s\n", first ? "usage:" : "", me,
		    (int)(nl - (l + 5)), l + 5);
		first = 0;
	}
	printf("\nSee stasis-be(8).\n");
	return (0);
}

int
cmd_be(int argc, char **argv)
{
	const char *root = NULL;
	struct be b;
	int c, i, rc;

	me = strcmp(progname, "bectl") == 0 ? "bectl" : "stasis be";
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return (usage(1));
	optind = 1;
	while ((c = getopt(argc, argv, "+hr:")) != -1) {
		switch (c) {
		case 'h':
			return (usage(1));
		case 'r':
			root = optarg;
			break;
		default:
			return (usage(0));
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return (usage(0));
	for (i = 0; subs[i].name != NULL; i++)
		if (strcmp(subs[i].name, argv[0]) == 0)
			break;
	if (subs[i].name == NULL) {
		fprintf(stderr, "%s: unknown command: %s\n", me, argv[0]);
		return (usage(0));
	}
	/* Before be_open: help needs no BE root, nor ZFS at all. */
	if (wants_help(argc, argv, subs[i].opts))
		return (sub_usage(subs[i].name));
	if (be_open(&b, root) == -1)
		return (fail("%s", argv[0]));
	optind = 1;
	if (subs[i].changes)
		catch_signals(&b);
	rc = subs[i].fn(&b, argc, argv);
	be_close(&b);
	return (rc);
}
