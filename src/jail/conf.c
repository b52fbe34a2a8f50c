/*
 * jail.conf(5): statements "name = value[, value...];", "name += ...;",
 * booleans "name;" and "noname;", blocks "NAME { ... }" and "* { ... }",
 * variables "$var = ...;" used as $var or ${var} (a parameter is a
 * variable too: $name, ${host.hostname}), and ".include "glob";".
 *
 * Within a block, "+=" is kept apart (as "+name") so that it adds to what
 * the defaults gave, whichever comes first in the file.
 */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "jail/conf.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"

#define EXPAND_DEPTH	16
#define EXPAND_MAX	(1 << 20)
#define CONF_MAX_JAILS	4096

struct parser {
	struct lex	 lx;
	struct token	 t;
	struct jail_conf *conf;
	int		 depth;
};

static int parse_file(struct jail_conf *, const char *, int);

static int
perr(struct parser *ps, const char *what)
{
	return (error_set("%s line %d: %s", ps->lx.file, ps->t.line, what));
}

static struct jail_params *
block_for(struct jail_conf *conf, const char *name)
{
	size_t i;

	if (strcmp(name, "*") == 0)
		return (&conf->defaults);
	for (i = 0; i < conf->n; i++)
		if (strcmp(conf->jails[i].name, name) == 0)
			return (&conf->jails[i].params);
	if (conf->n >= CONF_MAX_JAILS)
		return (NULL);
	conf->jails = xrealloc(conf->jails, (conf->n + 1) *
	    sizeof(*conf->jails));
	memset(&conf->jails[conf->n], 0, sizeof(conf->jails[0]));
	conf->jails[conf->n].name = xstrdup(name);
	return (&conf->jails[conf->n++].params);
}

/* Record one statement in a block. */
static int
stmt(struct parser *ps, struct jail_params *p, const char *name,
    struct strv *vals, int op)
{
	struct jail_param *jp;
	char *plus;
	size_t i;

	if (op == 0) {			/* "name;" or "noname;" */
		if (name[0] == '$')
			return (perr(ps, "a variable needs a value"));
		if (jail_params_parse_arg(p, name) == -1)
			return (error_wrap("%s line %d", ps->lx.file,
			    ps->t.line));
		plus = xasprintf("+%s", name);
		jail_params_unset(p, plus);
		free(plus);
		return (0);
	}
	plus = xasprintf("+%s", name);
	if (op == '=') {
		jail_params_unset(p, plus);
		jail_params_set(p, name, NULL, 0);
		for (i = 0; i < vals->n; i++)
			jail_params_set(p, name, vals->v[i], 1);
	} else {
		jp = jail_params_find(p, name);
		for (i = 0; i < vals->n; i++)
			jail_params_set(p, jp != NULL ? name : plus,
			    vals->v[i], 1);
		if (vals->n == 0 && jp == NULL)
			jail_params_set(p, plus, NULL, 1);
	}
	free(plus);
	return (0);
}

static int
next(struct parser *ps)
{
	return (lex_next(&ps->lx, &ps->t));
}

static int
do_include(struct parser *ps)
{
	glob_t g;
	size_t i;
	int rc = 0, r;

	if (next(ps) == -1)
		return (-1);
	if (ps->t.type != TOK_WORD)
		return (perr(ps, ".include needs a file name"));
	if (ps->depth + 1 > JAIL_CONF_DEPTH)
		return (perr(ps, ".include nested too deeply"));
	if (strcmp(ps->lx.file, "-") == 0 || strcmp(ps->lx.file, "(fuzz)")
	    == 0)
		return (perr(ps, ".include not allowed here"));
	r = glob(buf_cstr(&ps->t.text), 0, NULL, &g);
	if (r == GLOB_NOMATCH) {
		/* jail.conf.d/ may be empty: a glob matching nothing is ok */
		if (strpbrk(buf_cstr(&ps->t.text), "*?[") == NULL)
			rc = error_set("%s line %d: .include %s: no such "
			    "file", ps->lx.file, ps->t.line,
			    buf_cstr(&ps->t.text));
	} else if (r != 0)
		rc = perr(ps, ".include: bad pattern");
	else
		for (i = 0; i < g.gl_pathc && rc == 0; i++)
			rc = parse_file(ps->conf, g.gl_pathv[i],
			    ps->depth + 1);
	if (r != GLOB_NOMATCH)
		globfree(&g);
	if (rc == -1)
		return (-1);
	if (next(ps) == -1)
		return (-1);
	if (ps->t.type != ';')
		return (perr(ps, "missing ';' after .include"));
	return (0);
}

/* Statements until '}' (in a block) or EOF (top level). */
static int
parse_stmts(struct parser *ps, struct jail_params *block, int in_block)
{
	struct strv vals = STRV_INIT;
	struct jail_params *jb;
	char *name = NULL;
	int op, rc = -1;

	for (;;) {
		if (next(ps) == -1)
			goto out;
		if (ps->t.type == TOK_EOF) {
			if (in_block) {
				perr(ps, "missing '}' at end of file");
				goto out;
			}
			break;
		}
		if (ps->t.type == '}') {
			if (in_block)
				break;
			perr(ps, "unexpected '}'");
			goto out;
		}
		if (ps->t.type == ';')
			continue;
		if (ps->t.type != TOK_WORD) {
			perr(ps, "syntax error");
			goto out;
		}
		free(name);
		name = buf_steal(&ps->t.text);
		if (strcmp(name, ".include") == 0 && !ps->t.quoted) {
			if (do_include(ps) == -1)
				goto out;
			continue;
		}
		if (next(ps) == -1)
			goto out;
		if (ps->t.type == '{') {
			if (in_block) {
				perr(ps, "blocks cannot nest");
				goto out;
			}
			if (strcmp(name, "*") != 0 &&
			    jail_name_check(name) == -1) {
				error_wrap("%s line %d", ps->lx.file,
				    ps->t.line);
				goto out;
			}
			if ((jb = block_for(ps->conf, name)) == NULL) {
				perr(ps, "too many jails");
				goto out;
			}
			if (parse_stmts(ps, jb, 1) == -1)
				goto out;
			continue;
		}
		if (ps->t.type == ';') {
			if (stmt(ps, block, name, NULL, 0) == -1)
				goto out;
			continue;
		}
		if (ps->t.type != '=' && ps->t.type != TOK_APPEND) {
			perr(ps, "expected '=', '+=', ';' or '{'");
			goto out;
		}
		op = ps->t.type == '=' ? '=' : '+';
		strv_free(&vals);
		for (;;) {
			if (next(ps) == -1)
				goto out;
			if (ps->t.type == ';' && vals.n == 0)
				break;	/* "name = ;" clears */
			if (ps->t.type != TOK_WORD) {
				perr(ps, "expected a value");
				goto out;
			}
			if (vals.n >= 4096) {
				perr(ps, "too many values");
				goto out;
			}
			strv_push(&vals, buf_cstr(&ps->t.text));
			if (next(ps) == -1)
				goto out;
			if (ps->t.type == ';')
				break;
			if (ps->t.type != ',') {
				perr(ps, "expected ',' or ';' after a value");
				goto out;
			}
		}
		if (stmt(ps, block, name, &vals, op) == -1)
			goto out;
	}
	rc = 0;
out:
	free(name);
	strv_free(&vals);
	return (rc);
}

static int
parse_text(struct jail_conf *conf, const char *text, size_t len,
    const char *file, int depth)
{
	struct parser ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	lex_init(&ps.lx, text, len, file);
	ps.conf = conf;
	ps.depth = depth;
	rc = parse_stmts(&ps, &conf->defaults, 0);
	buf_free(&ps.t.text);
	return (rc);
}

static int
parse_file(struct jail_conf *conf, const char *path, int depth)
{
	struct buf b = BUF_INIT;
	int rc;

	if (file_read(path, JAIL_CONF_MAX, &b) == -1) {
		buf_free(&b);
		return (-1);
	}
	rc = parse_text(conf, b.data ? b.data : "", b.len, path, depth);
	buf_free(&b);
	return (rc);
}

int
jail_conf_parse(const char *text, size_t len, const char *file,
    struct jail_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	if (len > JAIL_CONF_MAX)
		return (error_set("%s: larger than %d bytes", file ? file :
		    "jail.conf", JAIL_CONF_MAX));
	if (parse_text(conf, text, len, file, 0) == -1) {
		jail_conf_free(conf);
		return (-1);
	}
	return (0);
}

int
jail_conf_load(const char *path, struct jail_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	if (parse_file(conf, path, 0) == -1) {
		jail_conf_free(conf);
		return (-1);
	}
	return (0);
}

void
jail_conf_free(struct jail_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n; i++) {
		free(conf->jails[i].name);
		jail_params_free(&conf->jails[i].params);
	}
	free(conf->jails);
	jail_params_free(&conf->defaults);
	memset(conf, 0, sizeof(*conf));
}

/* Apply a block's statements over what is there. */
static void
apply(struct jail_params *out, const struct jail_params *block)
{
	size_t i, j;

	for (i = 0; i < block->n; i++) {
		const struct jail_param *bp = &block->v[i];

		if (bp->name[0] == '+') {
			if (jail_params_find(out, bp->name + 1) == NULL)
				jail_params_set(out, bp->name + 1, NULL, 0);
			for (j = 0; j < bp->vals.n; j++)
				jail_params_set(out, bp->name + 1,
				    bp->vals.v[j], 1);
		} else {
			jail_params_set(out, bp->name, NULL, 0);
			for (j = 0; j < bp->vals.n; j++)
				jail_params_set(out, bp->name,
				    bp->vals.v[j], 1);
		}
	}
}

static int expand(const struct jail_params *, const char *, struct buf *,
    int);

/* $var: the variable "$var" first, then the parameter "var". */
static int
lookup(const struct jail_params *p, const char *var, struct buf *out,
    int depth)
{
	struct jail_param *jp;
	char *dv;
	size_t i;

	dv = xasprintf("$%s", var);
	jp = jail_params_find(p, dv);
	free(dv);
	if (jp == NULL)
		jp = jail_params_find(p, var);
	if (jp == NULL)
		return (error_set("undefined variable \"$%s\"", var));
	/* A list expands to its values separated by spaces. */
	for (i = 0; i < jp->vals.n; i++) {
		if (i > 0)
			buf_addc(out, ' ');
		if (expand(p, jp->vals.v[i], out, depth + 1) == -1)
			return (-1);
	}
	return (0);
}

static int
defined(const struct jail_params *p, const char *name, size_t len)
{
	char *n = xasprintf("$%.*s", (int)len, name);
	int r;

	r = jail_params_find(p, n) != NULL ||
	    jail_params_find(p, n + 1) != NULL;
	free(n);
	return (r);
}

static int
expand(const struct jail_params *p, const char *s, struct buf *out,
    int depth)
{
	const char *e;
	char *var;
	int rc;

	if (depth > EXPAND_DEPTH)
		return (error_set("variables nested too deeply (a loop?)"));
	while (*s != '\0') {
		if (out->len > EXPAND_MAX)
			return (error_set("expanded value too long"));
		if (s[0] != '$') {
			buf_addc(out, *s++);
			continue;
		}
		if (s[1] == '$') {
			buf_addc(out, '$');
			s += 2;
			continue;
		}
		if (s[1] == '{') {
			if ((e = strchr(s + 2, '}')) == NULL)
				return (error_set("unterminated ${"));
			var = xstrndup(s + 2, e - s - 2);
			s = e + 1;
		} else {
			e = s + 1;
			while ((*e >= 'a' && *e <= 'z') ||
			    (*e >= 'A' && *e <= 'Z') ||
			    (*e >= '0' && *e <= '9') || *e == '_' ||
			    *e == '.')
				e++;
			/*
			 * Parameter names have dots ($host.hostname), so
			 * "$name.example" is the longest defined name: back
			 * off at dots until one is.
			 */
			while (e > s + 1 && e[-1] == '.')
				e--;
			while (e > s + 1 && !defined(p, s + 1, e - s - 1)) {
				const char *d = e - 1;

				while (d > s + 1 && *d != '.')
					d--;
				if (d == s + 1)
					break;
				e = d;
			}
			if (e == s + 1) {
				buf_addc(out, '$');
				s++;
				continue;
			}
			var = xstrndup(s + 1, e - s - 1);
			s = e;
		}
		rc = lookup(p, var, out, depth);
		free(var);
		if (rc == -1)
			return (-1);
	}
	return (0);
}

int
jail_conf_resolve(const struct jail_conf *conf, const char *name,
    const struct jail_params *overrides, struct jail_params *out)
{
	struct jail_params raw = { 0 };
	struct buf b = BUF_INIT;
	const struct jail_params *block = NULL;
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < conf->n; i++)
		if (strcmp(conf->jails[i].name, name) == 0)
			block = &conf->jails[i].params;
	if (block == NULL)
		return (error_set("\"%s\" not found in jail.conf", name));
	jail_params_set(&raw, "name", name, 0);
	apply(&raw, &conf->defaults);
	jail_params_set(&raw, "name", name, 0);
	apply(&raw, block);
	jail_params_set(&raw, "name", name, 0);
	if (overrides != NULL)
		jail_params_copy(&raw, overrides);
	/* An immutable app's root defaults under the run dir: $path. */
	if (jail_params_find(&raw, "path") == NULL &&
	    jail_params_find(&raw, "stasis.template") != NULL) {
		char *dp = xasprintf("%s/jails/%s/root", jail_rundir(), name);

		jail_params_set(&raw, "path", dp, 0);
		free(dp);
	}
	for (i = 0; i < raw.n; i++) {
		if (raw.v[i].name[0] == '$')
			continue;	/* variables are not parameters */
		jail_params_set(out, raw.v[i].name, NULL, 0);
		for (j = 0; j < raw.v[i].vals.n; j++) {
			buf_reset(&b);
			if (expand(&raw, raw.v[i].vals.v[j], &b, 0) == -1) {
				error_wrap("%s: %s", name, raw.v[i].name);
				buf_free(&b);
				jail_params_free(&raw);
				jail_params_free(out);
				return (-1);
			}
			jail_params_set(out, raw.v[i].name, buf_cstr(&b), 1);
		}
	}
	buf_free(&b);
	jail_params_free(&raw);
	return (0);
}
