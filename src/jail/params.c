/*
 * Jail parameters: the ordered name -> values store, jail(8)'s
 * command-line words, and the table of what this platform honours.
 * Where jails are the kernel's (JAIL_NATIVE, FreeBSD), allow.* and the
 * limits Linux refuses pass through to jail_set(2) as they are.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

void
jail_params_free(struct jail_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		strv_free(&p->v[i].vals);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

struct jail_param *
jail_params_find(const struct jail_params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return (&p->v[i]);
	return (NULL);
}

static struct jail_param *
param_add(struct jail_params *p, const char *name)
{
	struct jail_param *jp;

	if ((jp = jail_params_find(p, name)) != NULL)
		return (jp);
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	jp = &p->v[p->n++];
	memset(jp, 0, sizeof(*jp));
	jp->name = xstrdup(name);
	return (jp);
}

void
jail_params_set(struct jail_params *p, const char *name, const char *value,
    int append)
{
	struct jail_param *jp;

	jp = param_add(p, name);
	if (!append)
		strv_free(&jp->vals);
	if (value != NULL)
		strv_push(&jp->vals, value);
}

void
jail_params_unset(struct jail_params *p, const char *name)
{
	struct jail_param *jp;
	size_t i;

	if ((jp = jail_params_find(p, name)) == NULL)
		return;
	i = jp - p->v;
	free(jp->name);
	strv_free(&jp->vals);
	memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof(*p->v));
	p->n--;
}

void
jail_params_copy(struct jail_params *dst, const struct jail_params *src)
{
	size_t i, j;
	struct jail_param *jp;

	for (i = 0; i < src->n; i++) {
		jp = param_add(dst, src->v[i].name);
		strv_free(&jp->vals);
		for (j = 0; j < src->v[i].vals.n; j++)
			strv_push(&jp->vals, src->v[i].vals.v[j]);
	}
}

const char *
jail_params_get(const struct jail_params *p, const char *name)
{
	struct jail_param *jp;

	if ((jp = jail_params_find(p, name)) == NULL || jp->vals.n == 0)
		return (NULL);
	return (jp->vals.v[jp->vals.n - 1]);
}

int
jail_bool_value(const char *v)
{
	if (v == NULL || *v == '\0' || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "new") == 0)
		return (1);
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 ||
	    strcmp(v, "no") == 0 || strcmp(v, "off") == 0 ||
	    strcmp(v, "inherit") == 0 || strcmp(v, "disable") == 0)
		return (0);
	return (-1);
}

int
jail_params_bool(const struct jail_params *p, const char *name, int dflt)
{
	struct jail_param *jp;
	int b;

	if ((jp = jail_params_find(p, name)) == NULL)
		return (dflt);
	if (jp->vals.n == 0)
		return (1);
	b = jail_bool_value(jp->vals.v[jp->vals.n - 1]);
	return (b < 0 ? dflt : b);
}

/*
 * What this platform knows.  `type` says how values are checked;
 * `modify` whether a running jail can take a new value (jail -m).
 */
enum ptype { PT_STR, PT_INT, PT_BOOL, PT_LIST, PT_SYS, PT_CMD };

struct pdef {
	const char	*name;
	enum ptype	 type;
	int		 modify;
};

static const struct pdef pdefs[] = {
	{ "name",		PT_STR,	 0 },
	{ "jid",		PT_INT,	 0 },
	{ "path",		PT_STR,	 0 },
	{ "host.hostname",	PT_STR,	 1 },
	{ "host.domainname",	PT_STR,	 1 },
	{ "host",		PT_SYS,	 0 },
	{ "ip4",		PT_SYS,	 0 },
	{ "ip6",		PT_SYS,	 0 },
	{ "ip4.addr",		PT_LIST, 1 },
	{ "ip6.addr",		PT_LIST, 1 },
	{ "interface",		PT_STR,	 0 },
	{ "vnet",		PT_SYS,	 0 },
	{ "vnet.interface",	PT_LIST, 0 },
	{ "persist",		PT_BOOL, 1 },
	{ "command",		PT_CMD,	 0 },
	{ "exec.prepare",	PT_CMD,	 1 },
	{ "exec.prestart",	PT_CMD,	 1 },
	{ "exec.created",	PT_CMD,	 1 },
	{ "exec.start",		PT_CMD,	 1 },
	{ "exec.poststart",	PT_CMD,	 1 },
	{ "exec.prestop",	PT_CMD,	 1 },
	{ "exec.stop",		PT_CMD,	 1 },
	{ "exec.poststop",	PT_CMD,	 1 },
	{ "exec.release",	PT_CMD,	 1 },
	{ "exec.clean",		PT_BOOL, 1 },
	{ "exec.jail_user",	PT_STR,	 1 },
	{ "exec.system_jail_user", PT_BOOL, 1 },
	{ "exec.system_user",	PT_STR,	 1 },
	{ "exec.timeout",	PT_INT,	 1 },
	{ "exec.consolelog",	PT_STR,	 1 },
	{ "stop.timeout",	PT_INT,	 1 },
	{ "mount.devfs",	PT_BOOL, 0 },
	{ "mount.procfs",	PT_BOOL, 0 },
	{ "mount.fdescfs",	PT_BOOL, 0 },
	{ "mount.fstab",	PT_LIST, 0 },
	{ "mount",		PT_LIST, 0 },
	{ "devfs_ruleset",	PT_INT,	 0 },
	{ "enforce_statfs",	PT_INT,	 0 },
	{ "children.max",	PT_INT,	 0 },
	{ "sysvmsg",		PT_SYS,	 0 },
	{ "sysvsem",		PT_SYS,	 0 },
	{ "sysvshm",		PT_SYS,	 0 },
	{ "depend",		PT_LIST, 0 },
	/* stasis's own: the immutable-app root (see jail.conf examples) */
	{ "stasis.template",	PT_STR,	 0 },
	{ "stasis.root",	PT_STR,	 0 },
	{ "stasis.upper",	PT_STR,	 0 },
	{ NULL,			PT_STR,	 0 }
};

static const struct pdef *
pdef_find(const char *name)
{
	const struct pdef *d;

	for (d = pdefs; d->name != NULL; d++)
		if (strcmp(d->name, name) == 0)
			return (d);
	return (NULL);
}

int
jail_param_is_list(const char *name)
{
	const struct pdef *d;

	if ((d = pdef_find(name)) == NULL)
		return (0);
	return (d->type == PT_LIST || d->type == PT_CMD);
}

int
jail_param_is_int(const char *name)
{
	const struct pdef *d;

	return ((d = pdef_find(name)) != NULL && d->type == PT_INT);
}

static int allow_known(const char *);

int
jail_param_modifiable(const char *name)
{
	const struct pdef *d;

	if (strncmp(name, "allow.", 6) == 0)
		return (0);
	return ((d = pdef_find(name)) != NULL && d->modify);
}

int
jail_param_is_bool(const char *name)
{
	const struct pdef *d;

	if (strncmp(name, "allow.", 6) == 0)
		return (JAIL_NATIVE || allow_known(name));
	return ((d = pdef_find(name)) != NULL && d->type == PT_BOOL);
}

/*
 * "persist" -> persist=true, "nopersist" -> persist=false,
 * "allow.nomount" -> allow.mount=false (jail(8)'s spelling).
 */
static int
bool_word(struct jail_params *p, const char *w)
{
	const char *dot, *last;
	char *pos;

	dot = strrchr(w, '.');
	last = dot != NULL ? dot + 1 : w;
	if (strncmp(last, "no", 2) == 0) {
		pos = xasprintf("%.*s%s", (int)(last - w), w, last + 2);
		if (jail_param_is_bool(pos)) {
			jail_params_set(p, pos, "false", 0);
			free(pos);
			return (0);
		}
		free(pos);
	}
	if (jail_param_is_bool(w) || strcmp(w, "vnet") == 0) {
		jail_params_set(p, w, strcmp(w, "vnet") == 0 ? "new" :
		    "true", 0);
		return (0);
	}
	return (error_set("%s: not a boolean parameter (give %s=value)",
	    w, w));
}

int
jail_params_parse_arg(struct jail_params *p, const char *word)
{
	const char *eq;
	char *name;
	struct strv parts = STRV_INIT;
	size_t i;
	int append;

	if ((eq = strchr(word, '=')) == NULL)
		return (bool_word(p, word));
	append = eq > word && eq[-1] == '+';
	name = xstrndup(word, eq - word - append);
	if (*name == '\0') {
		free(name);
		return (error_set("%s: missing parameter name", word));
	}
	if (strcmp(name, "ip4.addr") == 0 || strcmp(name, "ip6.addr") == 0 ||
	    strcmp(name, "vnet.interface") == 0 ||
	    strcmp(name, "depend") == 0) {
		/* jail(8) takes "ip4.addr=a,b" as two addresses. */
		strv_split(&parts, eq + 1, ",");
		if (!append)
			jail_params_set(p, name, NULL, 0);
		for (i = 0; i < parts.n; i++)
			jail_params_set(p, name, parts.v[i], 1);
		strv_free(&parts);
	} else
		jail_params_set(p, name, eq + 1, append);
	free(name);
	return (0);
}

/* allow.* that Linux can honour, and the capability each keeps. */
static const struct allow {
	const char	*name;
	unsigned long long caps;
} allows[] = {
	{ "allow.mount",		JCAP_SYS_ADMIN },
	{ "allow.mount.tmpfs",		JCAP_SYS_ADMIN },
	{ "allow.mount.nullfs",		JCAP_SYS_ADMIN },
	{ "allow.mount.procfs",		JCAP_SYS_ADMIN },
	{ "allow.mount.devfs",		JCAP_SYS_ADMIN },
	{ "allow.mount.fdescfs",	JCAP_SYS_ADMIN },
	{ "allow.mount.fusefs",		JCAP_SYS_ADMIN },
	{ "allow.raw_sockets",		JCAP_NET_RAW },
	{ "allow.chflags",		JCAP_LINUX_IMMUTABLE },
	{ "allow.mlock",		JCAP_IPC_LOCK },
	{ "allow.set_hostname",		JCAP_SYS_ADMIN },
	{ "allow.settime",		JCAP_SYS_TIME },
	{ "allow.adjtime",		JCAP_SYS_TIME },
	{ "allow.routing",		JCAP_NET_ADMIN },
	{ "allow.suser",		0 },
	{ NULL,				0 }
};

static int
allow_known(const char *name)
{
	const struct allow *a;

	for (a = allows; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return (1);
	return (0);
}

unsigned long long
jail_allow_caps(const struct jail_params *p, int *suser)
{
	const struct allow *a;
	unsigned long long caps = 0;

	for (a = allows; a->name != NULL; a++)
		if (jail_params_bool(p, a->name, 0))
			caps |= a->caps;
	*suser = jail_params_bool(p, "allow.suser", 1);
	return (caps);
}

static int
check_int(const char *name, const char *v, long long min, long long max,
    long long *out)
{
	long long n;

	if (v == NULL || str_tonum(v, min, max, &n) == -1)
		return (error_set("%s: invalid value \"%s\" (want a number "
		    "from %lld to %lld)", name, v ? v : "", min, max));
	if (out != NULL)
		*out = n;
	return (0);
}

static int
check_one(const struct jail_param *jp, const struct jail_params *all,
    int create)
{
	const struct pdef *d;
	const struct allow *a;
	const char *v;
	long long n = 0;
	size_t i;

	v = jp->vals.n ? jp->vals.v[jp->vals.n - 1] : NULL;
	if (strncmp(jp->name, "allow.", 6) == 0 && JAIL_NATIVE) {
		/* The kernel knows its allow.* (jail_set says which not). */
		if (jail_bool_value(v) < 0)
			return (error_set("%s: invalid boolean \"%s\"",
			    jp->name, v));
		return (0);
	}
	if (strncmp(jp->name, "allow.", 6) == 0) {
		for (a = allows; a->name != NULL; a++)
			if (strcmp(a->name, jp->name) == 0)
				break;
		if (a->name == NULL)
			return (error_set("unknown parameter: %s (or one "
			    "Linux cannot honour)", jp->name));
		if (jail_bool_value(v) < 0)
			return (error_set("%s: invalid boolean \"%s\"",
			    jp->name, v));
		if (strcmp(jp->name, "allow.set_hostname") == 0 &&
		    jail_bool_value(v) == 1 &&
		    !jail_params_bool(all, "allow.mount", 0))
			return (error_set("allow.set_hostname: Linux cannot "
			    "honour it alone (hostname changes need "
			    "CAP_SYS_ADMIN, which also allows mounts); set "
			    "allow.mount too"));
		return (0);
	}
	if ((d = pdef_find(jp->name)) == NULL)
		return (error_set("unknown parameter: %s", jp->name));
	if (!create && !d->modify)
		return (error_set("%s cannot be changed on a running jail",
		    jp->name));
	switch (d->type) {
	case PT_BOOL:
		if (jail_bool_value(v) < 0)
			return (error_set("%s: invalid boolean \"%s\"",
			    jp->name, v));
		break;
	case PT_INT:
		if (check_int(jp->name, v, -1, 1LL << 31, &n) == -1)
			return (-1);
		if (strcmp(jp->name, "jid") == 0 && n < 1)
			return (error_set("jid: invalid value \"%s\"", v));
		if (JAIL_NATIVE) {
			if (strcmp(jp->name, "enforce_statfs") == 0 &&
			    (n < 0 || n > 2))
				return (error_set("enforce_statfs: invalid "
				    "value \"%s\"", v));
			if (n < 0 && strcmp(jp->name, "jid") != 0)
				return (error_set("%s: invalid value \"%s\"",
				    jp->name, v));
			break;
		}
		if (strcmp(jp->name, "enforce_statfs") == 0 && n < 1)
			return (error_set("enforce_statfs=%s: Linux cannot "
			    "honour it (a jail sees only its own mount "
			    "namespace: enforce_statfs 1 or 2)", v));
		if (strcmp(jp->name, "enforce_statfs") == 0 && n > 2)
			return (error_set("enforce_statfs: invalid value "
			    "\"%s\"", v));
		if (strcmp(jp->name, "devfs_ruleset") == 0 && n != 4 &&
		    n != 0)
			return (error_set("devfs_ruleset=%s: Linux cannot "
			    "honour it (the jail /dev is fixed: ruleset 4, "
			    "devfsrules_jail)", v));
		if (strcmp(jp->name, "children.max") == 0 && n != 0)
			return (error_set("children.max=%s: Linux cannot "
			    "honour it (jails cannot create jails: "
			    "children.max=0)", v));
		break;
	case PT_SYS:
		if (v == NULL)
			break;
		if (strcmp(jp->name, "vnet") == 0) {
			if (strcmp(v, "new") && strcmp(v, "inherit") &&
			    jail_bool_value(v) < 0)
				return (error_set("vnet: invalid value \"%s\" "
				    "(new or inherit)", v));
		} else if (JAIL_NATIVE && strcmp(jp->name, "host") == 0) {
			if (strcmp(v, "new") && strcmp(v, "inherit"))
				return (error_set("host: invalid value \"%s\" "
				    "(new or inherit)", v));
		} else if (JAIL_NATIVE && strncmp(jp->name, "sysv", 4) == 0) {
			if (strcmp(v, "new") && strcmp(v, "inherit") &&
			    strcmp(v, "disable"))
				return (error_set("%s: invalid value \"%s\" "
				    "(new, inherit or disable)", jp->name, v));
		} else if (strncmp(jp->name, "sysv", 4) == 0) {
			if (strcmp(v, "new") != 0)
				return (error_set("%s=%s: Linux cannot honour "
				    "it (a jail always has its own IPC "
				    "namespace: %s=new)", jp->name, v,
				    jp->name));
		} else if (strcmp(jp->name, "host") == 0) {
			if (strcmp(v, "new") != 0)
				return (error_set("host=%s: Linux cannot "
				    "honour it (a jail always has its own "
				    "UTS namespace: host=new)", v));
		} else if (strcmp(v, "new") && strcmp(v, "inherit") &&
		    strcmp(v, "disable"))
			return (error_set("%s: invalid value \"%s\" (new, "
			    "inherit or disable)", jp->name, v));
		break;
	case PT_LIST:
		for (i = 0; i < jp->vals.n; i++)
			if (strcmp(jp->name, "ip4.addr") == 0 ||
			    strcmp(jp->name, "ip6.addr") == 0)
				if (jail_addr_check(jp->name,
				    jp->vals.v[i]) == -1)
					return (-1);
		break;
	case PT_STR:
		if (strcmp(jp->name, "name") == 0 && v != NULL &&
		    jail_name_check(v) == -1)
			return (-1);
		if (strcmp(jp->name, "path") == 0 && v != NULL && v[0] != '/')
			return (error_set("path: \"%s\" is not absolute", v));
		if (strcmp(jp->name, "stasis.root") == 0 && v != NULL &&
		    strcmp(v, "ro") && strcmp(v, "rw") &&
		    strcmp(v, "overlay"))
			return (error_set("stasis.root: invalid value \"%s\" "
			    "(ro, rw or overlay)", v));
		break;
	case PT_CMD:
		break;
	}
	return (0);
}

static int
inherits(const struct jail_params *p, const char *name)
{
	const char *v = jail_params_get(p, name);

	return (v != NULL && strcmp(v, "inherit") == 0);
}

static int
has_list(const struct jail_params *p, const char *name)
{
	const struct jail_param *jp = jail_params_find(p, name);

	return (jp != NULL && jp->vals.n > 0);
}

static int
has_vnet(const struct jail_params *p)
{
	const char *v = jail_params_get(p, "vnet");

	return (v != NULL && (strcmp(v, "new") == 0 ||
	    jail_bool_value(v) == 1));
}

int
jail_params_check(const struct jail_params *p, int create)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (check_one(&p->v[i], p, create) == -1)
			return (-1);
	if (create && jail_params_get(p, "ip4.addr") != NULL &&
	    jail_params_get(p, "ip4") != NULL &&
	    strcmp(jail_params_get(p, "ip4"), "new") != 0)
		return (error_set("ip4.addr given with ip4=%s",
		    jail_params_get(p, "ip4")));
	if (create && jail_params_get(p, "ip6.addr") != NULL &&
	    jail_params_get(p, "ip6") != NULL &&
	    strcmp(jail_params_get(p, "ip6"), "new") != 0)
		return (error_set("ip6.addr given with ip6=%s",
		    jail_params_get(p, "ip6")));
	/* One network namespace carries both families (see has_netns). */
	if (create && !JAIL_NATIVE && ((inherits(p, "ip4") &&
	    (has_list(p, "ip6.addr") || has_vnet(p))) || (inherits(p, "ip6") &&
	    (has_list(p, "ip4.addr") || has_vnet(p)))))
		return (error_set("ip4=inherit or ip6=inherit cannot be "
		    "mixed with addresses or vnet: on Linux one network "
		    "namespace holds both families"));
	return (0);
}

int
jail_name_check(const char *name)
{
	const char *s;

	if (*name == '\0')
		return (error_set("empty jail name"));
	if (strlen(name) > JAIL_NAME_MAX)
		return (error_set("jail name too long (max %d bytes)",
		    JAIL_NAME_MAX));
	if (name[0] == '.' || name[0] == '-')
		return (error_set("%s: invalid jail name", name));
	if (strspn(name, "0123456789") == strlen(name))
		return (error_set("%s: a jail name cannot be a number (that "
		    "is a jid)", name));
	for (s = name; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		    *s == '.'))
			return (error_set("%s: invalid jail name (letters, "
			    "digits, '_', '-' and '.' only)", name));
	return (0);
}
