/*
 * jls(8): list jails, with FreeBSD's columns and flags, and
 * --libxo json in FreeBSD's layout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/libxo.h"
#include "base/log.h"
#include "commands.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

#define P_VERBOSE	0x01
#define P_NAMEVAL	0x02
#define P_QUOTED	0x04
#define P_SKIP		0x08
#define P_HEADER	0x10
#define P_JNAME		0x20

static void
usage(FILE *f)
{
	fprintf(f, "usage: jls [-dhNnqsv] [-j jail] [--libxo json] "
	    "[param ...]\n");
}

/* The value of one parameter of a running jail, as jls prints it. */
static char *
param_value(const struct jail_info *ji, const char *name, int *isbool)
{
	struct buf b = BUF_INIT;
	const struct strv *v = NULL;
	const char *s;
	size_t i;

	*isbool = 0;
	if (strcmp(name, "jid") == 0 || strcmp(name, "cpuset.id") == 0)
		return (xasprintf("%d", ji->jid));
	if (strcmp(name, "name") == 0)
		return (xstrdup(ji->name));
	if (strcmp(name, "path") == 0)
		return (xstrdup(ji->path));
	if (strcmp(name, "host.hostname") == 0)
		return (xstrdup(ji->hostname ? ji->hostname : ""));
	if (strcmp(name, "dying") == 0) {
		*isbool = 1;
		return (xstrdup(ji->dying ? "true" : "false"));
	}
	if (strcmp(name, "ip4.addr") == 0)
		v = &ji->ip4;
	else if (strcmp(name, "ip6.addr") == 0)
		v = &ji->ip6;
	if (v != NULL) {
		for (i = 0; i < v->n; i++)
			buf_printf(&b, "%s%s", i ? "," : "", v->v[i]);
		return (buf_steal(&b));
	}
	if (jail_param_is_bool(name)) {
		*isbool = 1;
		return (xstrdup(jail_params_bool(&ji->params, name, 0) ?
		    "true" : "false"));
	}
	if ((s = jail_params_get(&ji->params, name)) == NULL) {
		/* What the kernel would say; enforced here as well. */
		if (strcmp(name, "enforce_statfs") == 0)
			return (xstrdup("2"));
		if (strcmp(name, "children.max") == 0 ||
		    strcmp(name, "children.cur") == 0)
			return (xstrdup("0"));
		return (NULL);
	}
	return (xstrdup(s));
}

/* Numbers in JSON are numbers, as FreeBSD's jls writes them. */
static int
json_number(const char *name, const char *v)
{
	static const char *ints[] = { "jid", "cpuset.id", "parent",
	    "children.cur", "securelevel", "osreldate", NULL };
	size_t i;
	int isint = jail_param_is_int(name);

	for (i = 0; !isint && ints[i] != NULL; i++)
		isint = strcmp(name, ints[i]) == 0;
	if (!isint || v == NULL || *v == '\0')
		return (0);
	if (*v == '-')
		v++;
	if (*v == '\0' || (v[0] == '0' && v[1] != '\0'))
		return (0);	/* JSON has no leading zeros */
	return (strspn(v, "0123456789") == strlen(v));
}

/* The parameters "all" stands for: what the kernel would report. */
static const char *all_params[] = {
	"jid", "name", "path", "host.hostname", "host.domainname",
	"ip4.addr", "ip6.addr", "persist", "dying", "enforce_statfs",
	"children.max", "vnet", "allow.mount", "allow.raw_sockets",
	"allow.chflags", "allow.mlock", NULL
};

static void
print_nameval(const struct jail_info *ji, struct strv *names, int pflags,
    int json, struct buf *out)
{
	size_t i;
	int isbool, first = 1;
	char *v;

	if (json)
		buf_addc(out, '{');
	for (i = 0; i < names->n; i++) {
		const char *n = names->v[i];

		v = param_value(ji, n, &isbool);
		if (json) {
			buf_printf(out, "%s", first ? "" : ", ");
			buf_add_json_str(out, n);
			buf_addstr(out, ": ");
			if (isbool || json_number(n, v))
				buf_addstr(out, v);
			else
				buf_add_json_str(out, v ? v : "");
			first = 0;
			free(v);
			continue;
		}
		if (!first)
			buf_addc(out, ' ');
		first = 0;
		if ((pflags & P_NAMEVAL) && isbool) {
			if (strcmp(v, "true") == 0)
				buf_addstr(out, n);
			else {
				const char *dot = strrchr(n, '.');

				if (dot != NULL)
					buf_printf(out, "%.*s.no%s",
					    (int)(dot - n), n, dot + 1);
				else
					buf_printf(out, "no%s", n);
			}
			free(v);
			continue;
		}
		if (pflags & P_NAMEVAL)
			buf_printf(out, "%s=", n);
		if (v == NULL || *v == '\0') {
			if (pflags & P_QUOTED)
				buf_addstr(out, "\"\"");
			else if (!(pflags & P_NAMEVAL))
				buf_addc(out, '-');
		} else if ((pflags & P_QUOTED) && strpbrk(v, " \t'\"")) {
			int q = strchr(v, '"') ? '\'' : '"';

			buf_printf(out, "%c%s%c", q, v, q);
		} else
			buf_addstr(out, v);
		free(v);
	}
	buf_addstr(out, json ? "}" : "\n");
}

int
cmd_jls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "libxo",	required_argument, NULL, 'X' },
		{ "help",	no_argument,	   NULL, 'H' },
		{ NULL,		0,		   NULL, 0 }
	};
	struct jail_info *v = NULL, one;
	struct strv names = STRV_INIT;
	struct buf out = BUF_INIT;
	const char *rundir = jail_rundir(), *jname = NULL;
	size_t n = 0, i, j;
	int c, pflags = 0, dying = 0, json = 0, isbool;

	while ((c = getopt_long(argc, argv, "adhj:Nnqsv", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'a':
		case 'd':
			dying = 1;
			break;
		case 'h':
			pflags = (pflags & ~(P_SKIP | P_VERBOSE)) | P_HEADER;
			break;
		case 'j':
			jname = optarg;
			break;
		case 'N':
			pflags |= P_JNAME;
			break;
		case 'n':
			pflags = (pflags & ~P_VERBOSE) | P_NAMEVAL;
			break;
		case 'q':
			pflags |= P_QUOTED;
			break;
		case 's':
			pflags = (pflags & ~(P_HEADER | P_VERBOSE)) |
			    P_NAMEVAL | P_QUOTED | P_SKIP;
			break;
		case 'v':
			pflags = (pflags & ~(P_HEADER | P_NAMEVAL | P_SKIP)) |
			    P_VERBOSE;
			break;
		case 'X':
			if ((json = libxo_json(optarg)) == -1)
				return (failx("%s", error_msg()));
			break;
		case 'H':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (1);
		}
	}
	for (i = optind; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "all") == 0) {
			for (j = 0; all_params[j] != NULL; j++)
				strv_push(&names, all_params[j]);
		} else
			strv_push(&names, argv[i]);
	}
	if (names.n > 0)
		pflags &= ~P_VERBOSE;
	else if (pflags & (P_HEADER | P_NAMEVAL))
		for (j = 0; all_params[j] != NULL; j++)
			strv_push(&names, all_params[j]);
	if (jname != NULL) {
		if (jail_find(rundir, jname, &one) == -1) {
			strv_free(&names);
			return (fail(NULL));
		}
		v = xmalloc(sizeof(*v));
		v[0] = one;
		n = 1;
	} else if (jail_list(rundir, dying, &v, &n) == -1) {
		strv_free(&names);
		return (fail("%s", rundir));
	}

	if (json)
		buf_addstr(&out, "{\"__version\": \"2\", \"jail-information\": "
		    "{\"jail\": [");
	else if (pflags & P_VERBOSE)
		buf_addstr(&out, "   JID  Hostname                      Path\n"
		    "        Name                          State\n"
		    "        CPUSetID\n"
		    "        IP Address(es)\n");
	else if (names.n == 0 && (pflags & P_JNAME))
		buf_addstr(&out, " JID             IP Address      "
		    "Hostname                      Path\n");
	else if (names.n == 0)
		buf_addstr(&out, "   JID  IP Address      "
		    "Hostname                      Path\n");
	else if (pflags & P_HEADER) {
		for (i = 0; i < names.n; i++)
			buf_printf(&out, "%s%s", i ? " " : "", names.v[i]);
		buf_addc(&out, '\n');
	}
	for (i = 0; i < n; i++) {
		const struct jail_info *ji = &v[i];
		const char *ip = ji->ip4.n ? ji->ip4.v[0] : "";

		if (json && i > 0)
			buf_addstr(&out, ", ");
		if (pflags & P_VERBOSE) {
			if (json) {
				jail_info_json(&out, ji);
				continue;
			}
			buf_printf(&out, "%6d  %-29.29s %.74s\n", ji->jid,
			    ji->hostname, ji->path);
			buf_printf(&out, "        %-29.29s %.74s\n", ji->name,
			    ji->dying ? "DYING" : "ACTIVE");
			buf_printf(&out, "        %d\n", ji->cpusetid);
			for (j = 0; j < ji->ip4.n; j++)
				buf_printf(&out, "        %s\n", ji->ip4.v[j]);
			for (j = 0; j < ji->ip6.n; j++)
				buf_printf(&out, "        %s\n", ji->ip6.v[j]);
		} else if (names.n > 0) {
			print_nameval(ji, &names, pflags, json, &out);
		} else if (json) {
			if (pflags & P_JNAME) {
				buf_addstr(&out, "{\"name\": ");
				buf_add_json_str(&out, ji->name);
			} else
				buf_printf(&out, "{\"jid\": %d", ji->jid);
			buf_addstr(&out, ", \"ipv4\": ");
			buf_add_json_str(&out, ip);
			buf_addstr(&out, ", \"hostname\": ");
			buf_add_json_str(&out, ji->hostname);
			buf_addstr(&out, ", \"path\": ");
			buf_add_json_str(&out, ji->path);
			buf_addc(&out, '}');
		} else {
			if (pflags & P_JNAME)
				buf_printf(&out, " %-15s ", ji->name);
			else
				buf_printf(&out, "%6d  ", ji->jid);
			buf_printf(&out, "%-15.15s %-29.29s %.74s\n", ip,
			    ji->hostname, ji->path);
		}
	}
	if (json)
		buf_addstr(&out, "]}}\n");
	(void)isbool;
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_free(&out);
	strv_free(&names);
	jail_list_free(v, n);
	return (fflush(stdout) == 0 ? 0 : 1);
}
