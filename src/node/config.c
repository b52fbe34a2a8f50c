/*
 * serve.conf: YAML or JSON (base/tree), read into struct node_config and
 * checked as a whole before anything starts, so a typo is an error at
 * start-up and not a silent default at 3 a.m.  See stasis-serve.conf(5).
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/tree.h"
#include "node_int.h"

#define DEF_TIMEOUT_MS		1000
#define DEF_INTERVAL_MS		2000
#define DEF_RISE		2
#define DEF_FALL		3
#define DEF_WITHDRAW_MS		10000
#define DEF_BIRD_INTERVAL_MS	1000
#define DEF_JAILS_TTL_MS	1000
#define DEF_STATE_MAX_AGE_S	300
#define DEF_AGENT_WAIT_MS	300
/*
 * Webhook runs under serve are bounded by default (stasis hooks keeps
 * webhook's unbounded ones for drop-in use): a deploy hook that hangs,
 * or a flood of requests passing a hook's rules, must not fill the node
 * with processes.  A deploy is one run at a time per hook in practice;
 * four leave room for hooks that are not deploys.
 */
#define DEF_HOOKS_MAX_RUNS	4
#define DEF_HOOKS_RUN_TIMEOUT_MS (3600 * 1000)

int
parse_duration_ms(const char *s, int *out)
{
	char *end;
	double v;
	double mul = 1000;

	if (s == NULL || *s == '\0')
		return (error_set("empty duration"));
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0 || v != v)
		return (error_set("bad duration \"%s\"", s));
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mul = 1000;
	else if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else
		return (error_set("bad duration \"%s\" (use 500ms, 2s, 1m)",
		    s));
	if (v * mul > 86400000.0)
		return (error_set("duration \"%s\" is longer than a day", s));
	*out = (int)(v * mul + 0.5);
	return (0);
}

/* "1.2.3.4:80", "[::1]:80", ":80", "80", "host:80". */
int
split_hostport(const char *s, char **host, char **port)
{
	const char *c;
	long long p;

	*host = *port = NULL;
	if (s == NULL || *s == '\0' || strlen(s) > 255)
		return (error_set("bad address \"%s\"", s ? s : ""));
	if (s[0] == '[') {
		if ((c = strchr(s, ']')) == NULL || c[1] != ':')
			return (error_set("bad address \"%s\" (want "
			    "[v6addr]:port)", s));
		*host = xstrndup(s + 1, (size_t)(c - s - 1));
		c += 2;
	} else if ((c = strrchr(s, ':')) != NULL) {
		if (strchr(s, ':') != c)
			return (error_set("bad address \"%s\" (write IPv6 "
			    "as [addr]:port)", s));
		*host = xstrndup(s, (size_t)(c - s));
		c++;
	} else {
		*host = xstrdup("");
		c = s;
	}
	if (str_tonum(c, 0, 65535, &p) == -1) {
		free(*host);
		*host = NULL;
		return (error_set("bad port in address \"%s\"", s));
	}
	*port = xstrdup(c);
	return (0);
}

static int
valid_name(const char *s, int ident)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN)
		return (0);
	if (ident && !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return (0);
	for (i = 0; i < n; i++) {
		if (isalnum((unsigned char)s[i]) || s[i] == '_')
			continue;
		if (!ident && (s[i] == '-' || s[i] == '.') && i > 0)
			continue;
		return (0);
	}
	return (1);
}

void
check_conf_free(struct check_conf *c)
{
	free(c->host);
	free(c->port);
	free(c->path);
	free(c->hosthdr);
	strv_free(&c->argv);
	free(c->socket);
	free(c->backend);
	memset(c, 0, sizeof(*c));
}

static char *
dup_or_null(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

void
check_conf_copy(struct check_conf *d, const struct check_conf *s)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->type = s->type;
	d->host = dup_or_null(s->host);
	d->port = dup_or_null(s->port);
	d->path = dup_or_null(s->path);
	d->hosthdr = dup_or_null(s->hosthdr);
	d->expect = s->expect;
	for (i = 0; i < s->argv.n; i++)
		strv_push(&d->argv, s->argv.v[i]);
	d->socket = dup_or_null(s->socket);
	d->backend = dup_or_null(s->backend);
	d->timeout_ms = s->timeout_ms;
	d->interval_ms = s->interval_ms;
	d->rise = s->rise;
	d->fall = s->fall;
}

static int
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

int
check_conf_equal(const struct check_conf *a, const struct check_conf *b)
{
	size_t i;

	if (a->type != b->type || a->expect != b->expect ||
	    a->timeout_ms != b->timeout_ms ||
	    a->interval_ms != b->interval_ms || a->rise != b->rise ||
	    a->fall != b->fall || a->argv.n != b->argv.n ||
	    !str_same(a->host, b->host) || !str_same(a->port, b->port) ||
	    !str_same(a->path, b->path) || !str_same(a->hosthdr, b->hosthdr) ||
	    !str_same(a->socket, b->socket) ||
	    !str_same(a->backend, b->backend))
		return (0);
	for (i = 0; i < a->argv.n; i++)
		if (strcmp(a->argv.v[i], b->argv.v[i]) != 0)
			return (0);
	return (1);
}

void
node_config_free(struct node_config *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	strv_free(&cf->listen);
	free(cf->agent);
	free(cf->control);
	free(cf->state);
	free(cf->rundir);
	free(cf->hooks);
	free(cf->tls_cert);
	free(cf->tls_key);
	free(cf->tls_client_ca);
	for (i = 0; i < cf->napps; i++) {
		free(cf->apps[i].jail);
		check_conf_free(&cf->apps[i].check);
	}
	free(cf->apps);
	check_conf_free(&cf->lb);
	free(cf->bird_socket);
	for (i = 0; i < cf->nprefixes; i++) {
		free(cf->prefixes[i].prefix);
		free(cf->prefixes[i].apps);
	}
	free(cf->prefixes);
	free(cf);
}

struct node_config *
node_config_new(void)
{
	struct node_config *cf = xcalloc(1, sizeof(*cf));

	cf->control = xstrdup(NODE_DEFAULT_CONTROL);
	cf->state = xstrdup(NODE_DEFAULT_STATE);
	/*
	 * One HTTP thread: on a 2-core node it answered /_up at the same
	 * ~180k req/s as two, with a p99 of 1.5 ms instead of 5 ms, and it
	 * leaves the other cores to the apps (bench/serve.sh).
	 */
	cf->threads = 1;
	cf->jails_ttl_ms = DEF_JAILS_TTL_MS;
	cf->state_max_age_s = DEF_STATE_MAX_AGE_S;
	cf->agent_wait_ms = DEF_AGENT_WAIT_MS;
	cf->hooks_max_runs = DEF_HOOKS_MAX_RUNS;
	cf->hooks_run_timeout_ms = DEF_HOOKS_RUN_TIMEOUT_MS;
	cf->withdraw_ms = DEF_WITHDRAW_MS;
	cf->bird_interval_ms = DEF_BIRD_INTERVAL_MS;
	return (cf);
}

const char *
node_config_control(const struct node_config *cf)
{
	return (cf->control);
}

/* A scalar as a string we own; NULL and error for anything else. */
static char *
scalar(json_t *v, const char *key)
{
	char *s;

	if (json_is_object(v) || json_is_array(v) || json_is_null(v) ||
	    (s = tree_scalar_str(v)) == NULL) {
		error_set("%s: want a single value", key);
		return (NULL);
	}
	if (strlen(s) > 4096) {
		free(s);
		error_set("%s: value too long", key);
		return (NULL);
	}
	return (s);
}

static int
get_str(json_t *v, const char *key, char **out)
{
	char *s;

	if ((s = scalar(v, key)) == NULL)
		return (-1);
	free(*out);
	*out = s;
	return (0);
}

static int
get_int(json_t *v, const char *key, long long min, long long max, int *out)
{
	char *s;
	long long n;

	if ((s = scalar(v, key)) == NULL)
		return (-1);
	if (str_tonum(s, min, max, &n) == -1) {
		error_set("%s: \"%s\" is not a number in %lld..%lld", key, s,
		    min, max);
		free(s);
		return (-1);
	}
	free(s);
	*out = (int)n;
	return (0);
}

static int
get_dur(json_t *v, const char *key, int min_ms, int *out)
{
	char *s;
	int r;

	if ((s = scalar(v, key)) == NULL)
		return (-1);
	r = parse_duration_ms(s, out);
	free(s);
	if (r == -1)
		return (error_wrap("%s", key));
	if (*out < min_ms)
		return (error_set("%s: shorter than %d ms", key, min_ms));
	return (0);
}

static int
get_bool(json_t *v, const char *key, int *out)
{
	char *s;

	if ((s = scalar(v, key)) == NULL)
		return (-1);
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else {
		free(s);
		return (error_set("%s: want true or false", key));
	}
	free(s);
	return (0);
}

/* http://host[:port]/path; plain HTTP only: checks stay on the node. */
static int
parse_url(struct check_conf *c, const char *url)
{
	const char *p, *slash;
	char *hp;
	int r;

	if (strncmp(url, "http://", 7) != 0)
		return (error_set("http: \"%s\": want http://host[:port]/path",
		    url));
	p = url + 7;
	slash = strchr(p, '/');
	hp = slash ? xstrndup(p, (size_t)(slash - p)) : xstrdup(p);
	if (*hp == '\0') {
		free(hp);
		return (error_set("http: \"%s\": no host", url));
	}
	free(c->host);
	free(c->port);
	free(c->path);
	c->host = c->port = NULL;
	if (strchr(hp, ':') == NULL || (hp[0] == '[' &&
	    strstr(hp, "]:") == NULL)) {
		size_t n = strlen(hp);

		if (hp[0] == '[' && n > 2 && hp[n - 1] == ']')
			c->host = xstrndup(hp + 1, n - 2);
		else
			c->host = xstrdup(hp);
		c->port = xstrdup("80");
		r = 0;
	} else
		r = split_hostport(hp, &c->host, &c->port);
	if (r == 0 && c->hosthdr == NULL)
		c->hosthdr = xstrdup(hp);
	free(hp);
	if (r == -1)
		return (error_wrap("http"));
	if (c->host[0] == '\0')
		return (error_set("http: \"%s\": no host", url));
	c->path = xstrdup(slash ? slash : "/");
	if (strpbrk(c->path, " \r\n") != NULL)
		return (error_set("http: \"%s\": bad path", url));
	return (0);
}

static int
parse_check(json_t *obj, struct check_conf *c, const char *what)
{
	const char *k;
	json_t *v, *e;
	size_t i;
	char *s = NULL;
	int ntypes = 0;

	c->timeout_ms = DEF_TIMEOUT_MS;
	c->interval_ms = DEF_INTERVAL_MS;
	c->rise = DEF_RISE;
	c->fall = DEF_FALL;
	if (obj == NULL || json_is_null(obj))
		return (0);
	if (!json_is_object(obj))
		return (error_set("%s: want a mapping", what));
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "http") == 0) {
			ntypes++;
			c->type = CHECK_HTTP;
			if (get_str(v, k, &s) == -1 || parse_url(c, s) == -1)
				goto bad;
		} else if (strcmp(k, "tcp") == 0) {
			ntypes++;
			c->type = CHECK_TCP;
			free(c->host);
			free(c->port);
			if (get_str(v, k, &s) == -1 ||
			    split_hostport(s, &c->host, &c->port) == -1)
				goto bad;
			if (c->host[0] == '\0') {
				error_set("tcp: \"%s\": no host", s);
				goto bad;
			}
		} else if (strcmp(k, "command") == 0) {
			ntypes++;
			c->type = CHECK_COMMAND;
			strv_free(&c->argv);
			if (json_is_array(v)) {
				if (json_array_size(v) > 256) {
					error_set("command: too many words");
					goto bad;
				}
				json_array_foreach(v, i, e) {
					if (get_str(e, k, &s) == -1)
						goto bad;
					strv_push(&c->argv, s);
				}
			} else {
				if (get_str(v, k, &s) == -1)
					goto bad;
				/* Split on blanks only: no shell, ever. */
				strv_split(&c->argv, s, " \t");
			}
			if (c->argv.n == 0) {
				error_set("command: empty");
				goto bad;
			}
		} else if (strcmp(k, "haproxy") == 0) {
			ntypes++;
			c->type = CHECK_HAPROXY;
			if (get_str(v, k, &c->socket) == -1)
				goto bad;
		} else if (strcmp(k, "backend") == 0) {
			if (get_str(v, k, &c->backend) == -1)
				goto bad;
			if (strpbrk(c->backend, ", \r\n") != NULL) {
				error_set("backend: bad name");
				goto bad;
			}
		} else if (strcmp(k, "host") == 0) {
			if (get_str(v, k, &c->hosthdr) == -1)
				goto bad;
			if (strpbrk(c->hosthdr, "\r\n") != NULL) {
				error_set("host: bad value");
				goto bad;
			}
		} else if (strcmp(k, "expect") == 0) {
			if (get_int(v, k, 100, 599, &c->expect) == -1)
				goto bad;
		} else if (strcmp(k, "timeout") == 0) {
			if (get_dur(v, k, 10, &c->timeout_ms) == -1)
				goto bad;
		} else if (strcmp(k, "interval") == 0) {
			if (get_dur(v, k, 50, &c->interval_ms) == -1)
				goto bad;
		} else if (strcmp(k, "rise") == 0) {
			if (get_int(v, k, 1, 1000, &c->rise) == -1)
				goto bad;
		} else if (strcmp(k, "fall") == 0) {
			if (get_int(v, k, 1, 1000, &c->fall) == -1)
				goto bad;
		} else {
			error_set("unknown key \"%s\"", k);
			goto bad;
		}
		free(s);
		s = NULL;
	}
	if (ntypes > 1)
		return (error_set("%s: more than one of http, tcp, command, "
		    "haproxy", what));
	if (c->backend != NULL && c->type != CHECK_HAPROXY)
		return (error_set("%s: backend is for haproxy checks", what));
	if (c->timeout_ms > c->interval_ms)
		return (error_set("%s: timeout is longer than interval",
		    what));
	return (0);
bad:
	free(s);
	return (error_wrap("%s", what));
}

static int
parse_app(struct node_config *cf, const char *name, json_t *obj)
{
	struct app_conf *a;
	const char *k;
	json_t *v;
	char w[96];

	if (!valid_name(name, 0))
		return (error_set("app \"%.64s\": names are letters, digits, "
		    "'_', '-', '.', at most %d", name, NAME_MAX_LEN));
	if (cf->napps >= MAX_APPS)
		return (error_set("more than %d apps", MAX_APPS));
	a = &cf->apps[cf->napps++];
	str_lcpy(a->name, name, sizeof(a->name));
	a->weight = 100;
	snprintf(w, sizeof(w), "app %s", name);
	if (parse_check(NULL, &a->check, w) == -1)
		return (-1);
	if (obj == NULL || json_is_null(obj))
		return (0);
	if (!json_is_object(obj))
		return (error_set("%s: want a mapping", w));
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "jail") == 0) {
			if (get_str(v, k, &a->jail) == -1)
				return (error_wrap("%s", w));
			if (!valid_name(a->jail, 0))
				return (error_set("%s: jail: bad name", w));
		} else if (strcmp(k, "weight") == 0) {
			if (get_int(v, k, 0, 100, &a->weight) == -1)
				return (error_wrap("%s", w));
		} else if (strcmp(k, "check") == 0) {
			check_conf_free(&a->check);
			if (parse_check(v, &a->check, w) == -1)
				return (-1);
		} else
			return (error_set("%s: unknown key \"%s\"", w, k));
	}
	return (0);
}

static int
valid_prefix(const char *p)
{
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned char tmp[16];
	const char *slash = strchr(p, '/');
	long long len;
	size_t n;

	if (slash == NULL || (n = (size_t)(slash - p)) >= sizeof(addr))
		return (0);
	memcpy(addr, p, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, tmp) == 1)
		return (str_tonum(slash + 1, 0, 32, &len) == 0);
	if (inet_pton(AF_INET6, addr, tmp) == 1)
		return (str_tonum(slash + 1, 0, 128, &len) == 0);
	return (0);
}

static int
find_app(struct node_config *cf, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < cf->napps; i++)
		if (strcmp(cf->apps[i].name, name) == 0) {
			*idx = i;
			return (0);
		}
	return (-1);
}

static int
parse_prefix(struct node_config *cf, const char *pfx, json_t *obj)
{
	struct prefix_conf *p;
	const char *k;
	json_t *v, *e;
	size_t i, j;
	char *s = NULL;

	if (!valid_prefix(pfx))
		return (error_set("bgp: prefix \"%.64s\": want ADDR/LEN",
		    pfx));
	if (cf->nprefixes >= MAX_PREFIXES)
		return (error_set("bgp: more than %d prefixes",
		    MAX_PREFIXES));
	p = &cf->prefixes[cf->nprefixes++];
	p->prefix = xstrdup(pfx);
	if (!json_is_object(obj))
		return (error_set("bgp: prefix %s: want a mapping", pfx));
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "protocol") == 0) {
			if (get_str(v, k, &s) == -1)
				goto bad;
			if (!valid_name(s, 1)) {
				error_set("protocol: \"%.64s\" is not a BIRD "
				    "protocol name", s);
				goto bad;
			}
			str_lcpy(p->protocol, s, sizeof(p->protocol));
		} else if (strcmp(k, "apps") == 0) {
			if (!json_is_array(v)) {
				error_set("apps: want a list");
				goto bad;
			}
			free(p->apps);
			p->apps = xcalloc(json_array_size(v) + 1,
			    sizeof(*p->apps));
			p->napps = 0;
			json_array_foreach(v, i, e) {
				if (get_str(e, k, &s) == -1)
					goto bad;
				if (find_app(cf, s, &j) == -1) {
					error_set("apps: no app \"%.64s\"", s);
					goto bad;
				}
				p->apps[p->napps++] = j;
			}
		} else {
			error_set("unknown key \"%s\"", k);
			goto bad;
		}
		free(s);
		s = NULL;
	}
	if (p->protocol[0] == '\0')
		return (error_set("bgp: prefix %s: no protocol (the name of "
		    "its static protocol in bird.conf)", pfx));
	return (0);
bad:
	free(s);
	return (error_wrap("bgp: prefix %s", pfx));
}

static int
check_detect_ms(const struct check_conf *c)
{
	return (c->fall * c->interval_ms + c->timeout_ms);
}

/* The withdrawal promise must be keepable with the checks as set. */
static int
validate(struct node_config *cf)
{
	size_t i, j, k;
	int d;

	for (i = 0; i < cf->nprefixes; i++) {
		for (j = i + 1; j < cf->nprefixes; j++)
			if (strcmp(cf->prefixes[i].protocol,
			    cf->prefixes[j].protocol) == 0)
				return (error_set("bgp: prefixes %s and %s "
				    "share protocol %s",
				    cf->prefixes[i].prefix,
				    cf->prefixes[j].prefix,
				    cf->prefixes[i].protocol));
		if (cf->napps == 0)
			return (error_set("bgp: prefix %s: no apps to "
			    "gate it on", cf->prefixes[i].prefix));
	}
	if (cf->nprefixes > 0 && cf->bird_socket == NULL)
		return (error_set("bgp: prefixes but no socket"));
	if (cf->bird_socket == NULL)
		return (0);
	if (cf->has_lb && (d = check_detect_ms(&cf->lb)) +
	    cf->bird_interval_ms > cf->withdraw_ms)
		return (error_set("bgp: withdraw_within %d ms cannot be kept: "
		    "the lb check needs up to %d ms (fall x interval + "
		    "timeout) plus %d ms for BIRD", cf->withdraw_ms, d,
		    cf->bird_interval_ms));
	for (i = 0; i < cf->nprefixes; i++) {
		struct prefix_conf *p = &cf->prefixes[i];
		size_t n = p->napps ? p->napps : cf->napps;

		for (k = 0; k < n; k++) {
			struct app_conf *a = &cf->apps[p->napps ?
			    p->apps[k] : k];

			d = check_detect_ms(&a->check);
			if (d + cf->bird_interval_ms > cf->withdraw_ms)
				return (error_set("bgp: withdraw_within %d ms "
				    "cannot be kept: app %s's check needs up "
				    "to %d ms (fall x interval + timeout) "
				    "plus %d ms for BIRD", cf->withdraw_ms,
				    a->name, d, cf->bird_interval_ms));
		}
	}
	return (0);
}

static int
parse_bgp(struct node_config *cf, json_t *obj)
{
	const char *k, *pk;
	json_t *v, *pv;

	if (!json_is_object(obj))
		return (error_set("bgp: want a mapping"));
	/* Prefixes name apps: read them after the rest. */
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "socket") == 0) {
			if (get_str(v, k, &cf->bird_socket) == -1)
				return (error_wrap("bgp"));
		} else if (strcmp(k, "withdraw_within") == 0) {
			if (get_dur(v, k, 100, &cf->withdraw_ms) == -1)
				return (error_wrap("bgp"));
		} else if (strcmp(k, "interval") == 0) {
			if (get_dur(v, k, 100, &cf->bird_interval_ms) == -1)
				return (error_wrap("bgp"));
		} else if (strcmp(k, "withdraw_on_exit") == 0) {
			if (get_bool(v, k, &cf->withdraw_on_exit) == -1)
				return (error_wrap("bgp"));
		} else if (strcmp(k, "prefixes") == 0) {
			if (!json_is_object(v))
				return (error_set("bgp: prefixes: want a "
				    "mapping of PREFIX: {protocol: NAME}"));
			free(cf->prefixes);
			cf->prefixes = xcalloc(MAX_PREFIXES,
			    sizeof(*cf->prefixes));
			json_object_foreach(v, pk, pv)
				if (parse_prefix(cf, pk, pv) == -1)
					return (-1);
		} else
			return (error_set("bgp: unknown key \"%s\"", k));
	}
	return (0);
}

static int
parse_tls(struct node_config *cf, json_t *obj)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return (error_set("tls: want a mapping {cert, key, client_ca}"));
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "cert") == 0) {
			if (get_str(v, k, &cf->tls_cert) == -1)
				return (error_wrap("tls"));
		} else if (strcmp(k, "key") == 0) {
			if (get_str(v, k, &cf->tls_key) == -1)
				return (error_wrap("tls"));
		} else if (strcmp(k, "client_ca") == 0) {
			if (get_str(v, k, &cf->tls_client_ca) == -1)
				return (error_wrap("tls"));
		} else
			return (error_set("tls: unknown key \"%s\"", k));
	}
	if (cf->tls_cert == NULL || cf->tls_key == NULL)
		return (error_set("tls: want both cert and key"));
	return (0);
}

static int
parse_top(struct node_config *cf, json_t *root)
{
	const char *k, *ak;
	json_t *v, *e, *av, *bgp = NULL;
	size_t i;
	char *s = NULL;

	if (!json_is_object(root))
		return (error_set("want a mapping at the top"));
	json_object_foreach(root, k, v) {
		if (strcmp(k, "listen") == 0) {
			strv_free(&cf->listen);
			if (json_is_array(v)) {
				if (json_array_size(v) > MAX_LISTEN)
					return (error_set("listen: more than "
					    "%d addresses", MAX_LISTEN));
				json_array_foreach(v, i, e) {
					if (get_str(e, k, &s) == -1)
						return (-1);
					strv_push(&cf->listen, s);
					free(s);
					s = NULL;
				}
			} else {
				if (get_str(v, k, &s) == -1)
					return (-1);
				strv_push(&cf->listen, s);
				free(s);
				s = NULL;
			}
		} else if (strcmp(k, "agent") == 0) {
			if (get_str(v, k, &cf->agent) == -1)
				return (-1);
		} else if (strcmp(k, "control") == 0) {
			if (get_str(v, k, &cf->control) == -1)
				return (-1);
		} else if (strcmp(k, "state") == 0) {
			if (get_str(v, k, &cf->state) == -1)
				return (-1);
		} else if (strcmp(k, "rundir") == 0) {
			if (get_str(v, k, &cf->rundir) == -1)
				return (-1);
		} else if (strcmp(k, "hooks") == 0) {
			if (get_str(v, k, &cf->hooks) == -1)
				return (-1);
		} else if (strcmp(k, "hooks_max_runs") == 0) {
			if (get_int(v, k, 0, 1024, &cf->hooks_max_runs) == -1)
				return (-1);
		} else if (strcmp(k, "hooks_run_timeout") == 0) {
			if (get_dur(v, k, 0, &cf->hooks_run_timeout_ms) == -1)
				return (-1);
		} else if (strcmp(k, "jails_ttl") == 0) {
			if (get_dur(v, k, 0, &cf->jails_ttl_ms) == -1)
				return (-1);
		} else if (strcmp(k, "state_max_age") == 0) {
			if (get_dur(v, k, 0, &cf->state_max_age_s) == -1)
				return (-1);
			cf->state_max_age_s /= 1000;
		} else if (strcmp(k, "agent_wait") == 0) {
			if (get_dur(v, k, 0, &cf->agent_wait_ms) == -1)
				return (-1);
		} else if (strcmp(k, "threads") == 0) {
			if (get_int(v, k, 0, 64, &cf->threads) == -1)
				return (-1);
		} else if (strcmp(k, "apps") == 0) {
			if (!json_is_object(v))
				return (error_set("apps: want a mapping of "
				    "NAME: {jail, check}"));
			if (json_object_size(v) > MAX_APPS)
				return (error_set("more than %d apps",
				    MAX_APPS));
			json_object_foreach(v, ak, av)
				if (parse_app(cf, ak, av) == -1)
					return (-1);
		} else if (strcmp(k, "lb") == 0) {
			check_conf_free(&cf->lb);
			cf->has_lb = 1;
			if (parse_check(v, &cf->lb, "lb") == -1)
				return (-1);
		} else if (strcmp(k, "tls") == 0) {
			if (parse_tls(cf, v) == -1)
				return (-1);
		} else if (strcmp(k, "bgp") == 0)
			bgp = v;
		else
			return (error_set("unknown key \"%s\"", k));
	}
	if (bgp != NULL && parse_bgp(cf, bgp) == -1)
		return (-1);
	return (validate(cf));
}

struct node_config *
node_config_parse(const char *data, size_t len, const char *name)
{
	struct node_config *cf;
	json_t *root;

	if (len > NODE_MAX_CONFIG) {
		error_set("%s: larger than %u bytes", name, NODE_MAX_CONFIG);
		return (NULL);
	}
	if ((root = tree_load_buf(data, len, TREE_AUTO, name)) == NULL)
		return (NULL);
	cf = node_config_new();
	cf->apps = xcalloc(MAX_APPS, sizeof(*cf->apps));
	if (parse_top(cf, root) == -1) {
		error_wrap("%s", name);
		json_decref(root);
		node_config_free(cf);
		return (NULL);
	}
	json_decref(root);
	return (cf);
}

struct node_config *
node_config_load(const char *path)
{
	struct node_config *cf;
	struct buf b = BUF_INIT;

	/* file_read's message names path already. */
	if (file_read(path, NODE_MAX_CONFIG, &b) == -1) {
		buf_free(&b);
		return (NULL);
	}
	cf = node_config_parse(b.data ? b.data : "", b.len, path);
	buf_free(&b);
	return (cf);
}

int
node_config_set(struct node_config *cf, const char *key, const char *val)
{
	char **slot = NULL;

	if (strcmp(key, "listen-clear") == 0) {
		strv_free(&cf->listen);
		return (0);
	}
	if (strcmp(key, "listen") == 0) {
		if (cf->listen.n >= MAX_LISTEN)
			return (error_set("more than %d listen addresses",
			    MAX_LISTEN));
		strv_push(&cf->listen, val);
		return (0);
	}
	if (strcmp(key, "agent") == 0)
		slot = &cf->agent;
	else if (strcmp(key, "control") == 0)
		slot = &cf->control;
	else if (strcmp(key, "state") == 0)
		slot = &cf->state;
	else if (strcmp(key, "rundir") == 0)
		slot = &cf->rundir;
	else
		return (error_set("unknown setting \"%s\"", key));
	free(*slot);
	*slot = xstrdup(val);
	return (0);
}
