/*
 * jail(8): jail -c|-m|-r|-cm|-rc [-f jail.conf] [param=value ...] or
 * [NAME ...], with FreeBSD's flags; `stasis jail diff NAME` besides.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/libxo.h"
#include "base/file.h"
#include "base/log.h"
#include "commands.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]\n"
	    "            -[cmr] param=value ... [command=command ...]\n"
	    "       jail [-dqv] [-f conf_file] [-p limit] [-cmr] [jail]\n"
	    "       jail [-qv] [-f conf_file] [-rR] [* | jail ...]\n"
	    "       stasis jail diff NAME\n");
}

/* A command-line word that is a parameter, not a jail's name. */
static int
is_param_word(const char *w)
{
	const char *dot, *last;
	char *pos;
	int r;

	if (strchr(w, '=') != NULL || jail_param_is_bool(w) ||
	    strcmp(w, "vnet") == 0)
		return (1);
	dot = strrchr(w, '.');
	last = dot != NULL ? dot + 1 : w;
	if (strncmp(last, "no", 2) != 0)
		return (0);
	pos = xasprintf("%.*s%s", (int)(last - w), w, last + 2);
	r = jail_param_is_bool(pos);
	free(pos);
	return (r);
}

/*
 * A path as zfs diff prints it: a byte that is not printable, a space
 * or a backslash as \\ and four octal digits, so that one change is one
 * line and the path splits on whitespace.
 */
static void
escape_path(const char *p, struct buf *b)
{
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c > ' ' && c < 0x7f && c != '\\')
			buf_add(b, p, 1);
		else
			buf_printf(b, "\\%04o", c);
	}
}

static void
diff_usage(FILE *f)
{
	fprintf(f, "usage: stasis jail diff [--libxo json] NAME\n");
}

static int
do_diff(int argc, char **argv)
{
	struct strv out = STRV_INIT;
	struct buf b = BUF_INIT;
	const char *name = NULL, *v;
	int json = 0, i;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			diff_usage(stdout);
			return (0);
		}
		if ((strcmp(argv[i], "--libxo") == 0 && i + 1 < argc) ||
		    strncmp(argv[i], "--libxo=", 8) == 0) {
			v = argv[i][7] == '=' ? argv[i] + 8 : argv[++i];
			if ((json = libxo_json(v)) == -1)
				return (failx("diff: %s", error_msg()));
		}
		else if (argv[i][0] == '-' || name != NULL) {
			diff_usage(stderr);
			return (1);
		} else
			name = argv[i];
	}
	if (name == NULL) {
		diff_usage(stderr);
		return (1);
	}
	if (jail_diff(jail_rundir(), name, &out) == -1) {
		strv_free(&out);
		return (fail("diff %s", name));
	}
	if (json) {
		/* jls's layout: the libxo version, then the document. */
		json_t *doc, *ch = json_array(), *path;

		for (k = 0; k < out.n; k++) {
			/* A name that is not UTF-8 goes as text prints it. */
			if ((path = json_string(out.v[k] + 2)) == NULL) {
				buf_reset(&b);
				escape_path(out.v[k] + 2, &b);
				path = json_string(buf_cstr(&b));
			}
			json_array_append_new(ch, json_pack("{s:s#, s:o}",
			    "change", out.v[k], (size_t)1, "path", path));
		}
		doc = json_pack("{s:s, s:{s:s, s:o}}", "__version", "2",
		    "jail-diff", "name", name, "changes", ch);
		json_dumpf(doc, stdout, JSON_PRESERVE_ORDER | JSON_COMPACT);
		putchar('\n');
		json_decref(doc);
	} else
		for (k = 0; k < out.n; k++) {
			buf_reset(&b);
			escape_path(out.v[k] + 2, &b);
			printf("%c\t%s\n", out.v[k][0], buf_cstr(&b));
		}
	buf_free(&b);
	strv_free(&out);
	return (0);
}

static void
write_jidfile(const char *file, int jid, const struct jail_params *p)
{
	struct buf b = BUF_INIT;
	const char *path, *host, *ip;

	path = jail_params_get(p, "path");
	host = jail_params_get(p, "host.hostname");
	ip = jail_params_get(p, "ip4.addr");
	buf_printf(&b, "%d\t%s\t%s\t%s", jid, path ? path : "/",
	    host ? host : "", ip ? ip : "");
	buf_addc(&b, '\n');
	if (file_write_atomic(file, b.data, b.len, 0644) == -1)
		log_warn("%s", error_msg());
	buf_free(&b);
}

struct opts {
	int	 create, modify, remove, flags, quiet, printjid;
	int	 resolve, dying;
	const char *conf, *jidfile, *user, *juser;
};

/* Is a jail of this name or jid being removed? */
static int
is_dying(const char *rundir, const char *jail)
{
	struct jail_info *v;
	size_t n, i;
	char jid[32];
	int r = 0;

	if (jail_list(rundir, 1, &v, &n) == -1) {
		error_clear();
		return (0);
	}
	for (i = 0; i < n; i++) {
		snprintf(jid, sizeof(jid), "%d", v[i].jid);
		if (v[i].dying && (strcmp(v[i].name, jail) == 0 ||
		    strcmp(jid, jail) == 0))
			r = 1;
	}
	jail_list_free(v, n);
	return (r);
}

/* Is value already one of param's values? */
static int
has_value(const struct jail_params *p, const char *param, const char *value)
{
	struct jail_param *jp = jail_params_find(p, param);
	size_t i;

	for (i = 0; jp != NULL && i < jp->vals.n; i++)
		if (strcmp(jp->vals.v[i], value) == 0)
			return (1);
	return (0);
}

/*
 * -h: host.hostname's addresses from the resolver join ip4.addr and
 * ip6.addr, in the resolver's order (its first of each family is the
 * primary one when none was given), as FreeBSD's jail(8) does.
 */
static int
resolve_hostname(struct jail_params *p)
{
	struct addrinfo hints, *res, *ai;
	const char *host = jail_params_get(p, "host.hostname");
	char text[INET6_ADDRSTRLEN];
	const void *a;
	const char *param;
	int r;

	if (host == NULL || *host == '\0')
		return (error_set("-h: no host.hostname to resolve"));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(host, NULL, &hints, &res)) != 0)
		return (error_set("-h: cannot resolve host.hostname %s: %s",
		    host, gai_strerror(r)));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			a = &((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			param = "ip4.addr";
		} else if (ai->ai_family == AF_INET6) {
			a = &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
			param = "ip6.addr";
		} else
			continue;
		if (inet_ntop(ai->ai_family, a, text, sizeof(text)) != NULL &&
		    !has_value(p, param, text))
			jail_params_set(p, param, text, 1);
	}
	freeaddrinfo(res);
	return (0);
}

static int
one(const struct opts *o, const char *rundir, struct jail_params *p,
    const struct jail_params *confp)
{
	const char *name = jail_params_get(p, "name");
	int jid, running = 0;

	if (name == NULL)
		name = jail_params_get(p, "jid");
	if (name == NULL)
		return (failx("no name or jid given (name=NAME)"));
	if (o->user != NULL)
		jail_params_set(p, "exec.system_jail_user", "true", 0);
	if (o->user != NULL || o->juser != NULL)
		jail_params_set(p, "exec.jail_user", o->user ? o->user :
		    o->juser, 0);
	if (o->resolve && (o->create || o->modify) &&
	    resolve_hostname(p) == -1)
		return (fail("%s", name));
	if (o->remove) {
		if (jail_destroy(rundir, name, confp, o->flags) == -1) {
			if (!o->create)
				return (fail("%s", name));
			error_clear();
		} else if (!o->quiet)
			printf("%s: removed\n", name);
		if (!o->create)
			return (0);
	}
	if (o->modify)
		running = jail_is_running(rundir, name) == 1;
	if (o->modify && (running || !o->create)) {
		if (!o->dying && is_dying(rundir, name))
			return (failx("%s: the jail is dying (being removed): "
			    "-d allows changing it", name));
		if (jail_modify(rundir, p, o->flags) == -1)
			return (fail("%s", name));
		if (!o->quiet)
			printf("%s: updated\n", name);
		return (0);
	}
	if ((jid = jail_create(rundir, p, o->flags)) == -1)
		return (fail("%s", name));
	if (o->printjid)
		printf("%d\n", jid);
	else if (!o->quiet)
		printf("%s: created\n", name);
	if (o->jidfile != NULL)
		write_jidfile(o->jidfile, jid, p);
	return (0);
}

/* depend: the jails this one needs are created first (from jail.conf). */
static int
start_depends(const struct opts *o, const char *rundir,
    const struct jail_conf *conf, const struct jail_params *p, int depth)
{
	struct jail_param *jp = jail_params_find(p, "depend");
	struct jail_params dp;
	size_t i;
	int r;

	if (jp == NULL)
		return (0);
	if (depth > 8)
		return (failx("depend: too deep (a loop?)"));
	for (i = 0; i < jp->vals.n; i++) {
		if ((r = jail_is_running(rundir, jp->vals.v[i])) == 1)
			continue;
		if (r == -1 || jail_conf_resolve(conf, jp->vals.v[i], NULL,
		    &dp) == -1)
			return (fail("depend %s", jp->vals.v[i]) ? -1 : -1);
		r = start_depends(o, rundir, conf, &dp, depth + 1);
		if (r == 0 && one(o, rundir, &dp, NULL) != 0)
			r = -1;
		jail_params_free(&dp);
		if (r == -1)
			return (-1);
	}
	return (0);
}

int
cmd_jail(int argc, char **argv)
{
	struct opts o;
	struct jail_params p = { 0 }, rp = { 0 };
	struct jail_conf conf;
	const char *rundir = jail_rundir();
	int c, i, rc = 0, have_conf = 0, paramsmode = 0;
	long long limit;
	size_t k;

	if (argc >= 2 && strcmp(argv[1], "diff") == 0)
		return (do_diff(argc - 1, argv + 1));
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return (0);
	}
	memset(&o, 0, sizeof(o));
	while ((c = getopt(argc, argv, "+cdf:hiJ:lmn:p:qrRs:u:U:v")) != -1) {
		switch (c) {
		case 'c': o.create = 1; break;
		case 'm': o.modify = 1; break;
		case 'r': o.remove = 1; break;
		case 'R': o.remove = 1; o.flags |= JAIL_F_NOSTOP; break;
		case 'f': o.conf = optarg; break;
		case 'i': o.printjid = 1; break;
		case 'J': o.jidfile = optarg; break;
		case 'l': o.flags |= JAIL_F_CLEAN; break;
		case 'q': o.quiet = 1; break;
		case 'v': o.flags |= JAIL_F_VERBOSE; break;
		case 'u': o.user = optarg; break;
		case 'U': o.juser = optarg; break;
		case 'd':
			/*
			 * As FreeBSD's: -m may change a dying jail (here, one
			 * being removed).  For -c a no-op, as FreeBSD no
			 * longer brings a dying jail back.
			 */
			o.dying = 1;
			break;
		case 'h':
			o.resolve = 1;
			break;
		case 'p':
			/*
			 * A limit on exec.* commands running at once: here
			 * they run one at a time, so every limit holds.
			 */
			if (str_tonum(optarg, 0, 1 << 20, &limit) == -1) {
				jail_params_free(&p);
				return (failx("-p %s: the limit is a number of "
				    "commands", optarg));
			}
			break;
		case 'n':
			jail_params_set(&p, "name", optarg, 0);
			break;
		case 's':
			jail_params_free(&p);
			return (failx("-s securelevel: Linux cannot honour "
			    "it"));
		default:
			usage(stderr);
			jail_params_free(&p);
			return (1);
		}
	}
	argc -= optind;
	argv += optind;
	if (!o.create && !o.modify && !o.remove) {
		usage(stderr);
		jail_params_free(&p);
		return (1);
	}
	for (i = 0; i < argc; i++)
		if (is_param_word(argv[i]))
			paramsmode = 1;
	if (paramsmode) {
		for (i = 0; i < argc; i++) {
			if (strncmp(argv[i], "command=", 8) == 0) {
				/* The rest of the line is the command. */
				jail_params_set(&p, "command", argv[i] + 8, 0);
				for (i++; i < argc; i++)
					jail_params_set(&p, "command",
					    argv[i], 1);
				break;
			}
			if (jail_params_parse_arg(&p, argv[i]) == -1) {
				jail_params_free(&p);
				return (fail(NULL));
			}
		}
		/* With -f, jail.conf's block for this name comes first. */
		if (o.conf != NULL && jail_params_get(&p, "name") != NULL) {
			if (jail_conf_load(o.conf, &conf) == -1) {
				jail_params_free(&p);
				return (fail(NULL));
			}
			if (jail_conf_resolve(&conf, jail_params_get(&p,
			    "name"), &p, &rp) == 0) {
				jail_params_free(&p);
				p = rp;
			}
			error_clear();
			jail_conf_free(&conf);
		}
		rc = one(&o, rundir, &p, NULL);
		jail_params_free(&p);
		return (rc);
	}
	/* Jails by name from jail.conf (or running ones, for -r). */
	if (o.conf == NULL)
		o.conf = JAIL_DEFAULT_CONF;
	if (access(o.conf, F_OK) == 0 || (o.create && !o.remove) ||
	    strcmp(o.conf, JAIL_DEFAULT_CONF) != 0) {
		if (jail_conf_load(o.conf, &conf) == -1) {
			jail_params_free(&p);
			return (fail(NULL));
		}
		have_conf = 1;
	}
	if (argc == 0 && o.create && !o.remove && have_conf) {
		for (k = 0; k < conf.n; k++) {
			if (jail_conf_resolve(&conf, conf.jails[k].name, &p,
			    &rp) == -1) {
				rc = fail(NULL);
				continue;
			}
			if (jail_is_running(rundir, conf.jails[k].name) != 1 &&
			    start_depends(&o, rundir, &conf, &rp, 0) == 0)
				rc |= one(&o, rundir, &rp, NULL);
			jail_params_free(&rp);
		}
	} else if (argc == 0) {
		usage(stderr);
		rc = 1;
	}
	for (i = 0; i < argc; i++) {
		struct jail_params cp = { 0 };
		int inconf = 0;

		if (strcmp(argv[i], "*") == 0 && o.remove && !o.create) {
			struct jail_info *v;
			size_t n, j;

			if (jail_list(rundir, 0, &v, &n) == -1) {
				rc = fail(NULL);
				continue;
			}
			for (j = n; j > 0; j--) {
				struct jail_params np = { 0 };

				jail_params_set(&np, "name", v[j - 1].name, 0);
				rc |= one(&o, rundir, &np, NULL);
				jail_params_free(&np);
			}
			jail_list_free(v, n);
			continue;
		}
		if (have_conf) {
			for (k = 0; k < conf.n; k++)
				if (strcmp(conf.jails[k].name, argv[i]) == 0)
					inconf = 1;
		}
		if (inconf) {
			if (jail_conf_resolve(&conf, argv[i], &p, &cp) == -1) {
				rc = fail(NULL);
				continue;
			}
			if (o.create && !o.remove &&
			    start_depends(&o, rundir, &conf, &cp, 0) == -1) {
				rc = 1;
				jail_params_free(&cp);
				continue;
			}
		} else if (o.create && !o.remove) {
			rc = failx("\"%s\" not found in %s", argv[i], o.conf);
			continue;
		} else
			jail_params_set(&cp, "name", argv[i], 0);
		rc |= one(&o, rundir, &cp, inconf ? &cp : NULL);
		jail_params_free(&cp);
	}
	if (have_conf)
		jail_conf_free(&conf);
	jail_params_free(&p);
	return (rc);
}
