/*
 * Hooks files: the array of hook objects webhook reads, in JSON or YAML,
 * checked as it is loaded so that a mistake is reported at start (naming
 * the file, the hook and the field) rather than as a 500 on the first
 * request, which is when webhook would find it.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "base/tree.h"
#include "hooks_int.h"

struct pctx {
	const char	*file;
	const char	*hook;		/* id, once known */
	size_t		 index;
};

static int
perr(const struct pctx *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(const struct pctx *p, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->hook != NULL)
		return (error_set("%s: hook \"%s\": %s: %s", p->file, p->hook,
		    field, msg));
	return (error_set("%s: hook #%zu: %s: %s", p->file, p->index + 1,
	    field, msg));
}

/* Strings, and scalars as text: YAML's `value: 123` is the string. */
static int
get_str(const struct pctx *p, json_t *o, const char *key, const char *field,
    char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return (0);
	if (json_is_object(v) || json_is_array(v))
		return (perr(p, field, "expected a string"));
	*out = tree_scalar_str(v);
	return (0);
}

static int
get_bool(const struct pctx *p, json_t *o, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_boolean(v))
		return (perr(p, key, "expected true or false"));
	*out = json_is_true(v);
	return (0);
}

static int
get_int(const struct pctx *p, json_t *o, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 999)
		return (perr(p, key, "expected an HTTP status code"));
	*out = (int)json_integer_value(v);
	return (0);
}

void
harg_free(struct harg *a)
{
	free(a->source);
	free(a->name);
	free(a->envname);
	memset(a, 0, sizeof(*a));
}

static int
parse_arg(const struct pctx *p, json_t *o, const char *field, struct harg *a)
{
	static const struct { const char *s; enum src src; } srcs[] = {
		{ "header", SRC_HEADER }, { "url", SRC_URL },
		{ "query", SRC_URL }, { "payload", SRC_PAYLOAD },
		{ "raw-request-body", SRC_RAW_BODY },
		{ "request", SRC_REQUEST }, { "string", SRC_STRING },
		{ "entire-payload", SRC_ENTIRE_PAYLOAD },
		{ "entire-headers", SRC_ENTIRE_HEADERS },
		{ "entire-query", SRC_ENTIRE_QUERY },
	};
	size_t i;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(o))
		return (perr(p, field, "expected an object with source and "
		    "name"));
	if (get_str(p, o, "source", field, &a->source) == -1 ||
	    get_str(p, o, "name", field, &a->name) == -1 ||
	    get_str(p, o, "envname", field, &a->envname) == -1 ||
	    get_bool(p, o, "base64decode", &a->base64) == -1)
		goto fail;
	if (a->source == NULL) {
		perr(p, field, "missing source");
		goto fail;
	}
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
		if (strcmp(a->source, srcs[i].s) == 0)
			a->src = srcs[i].src;
	if (a->src == SRC_NONE) {
		perr(p, field, "unknown source \"%s\" (header, url, query, "
		    "payload, raw-request-body, request, string, "
		    "entire-payload, entire-headers, entire-query)",
		    a->source);
		goto fail;
	}
	if (a->name == NULL)
		a->name = xstrdup("");
	if (a->src == SRC_REQUEST && strcasecmp(a->name, "remote-addr") != 0 &&
	    strcasecmp(a->name, "method") != 0) {
		perr(p, field, "source request takes name remote-addr or "
		    "method, not \"%s\"", a->name);
		goto fail;
	}
	return (0);
fail:
	harg_free(a);
	return (-1);
}

static int
parse_args(const struct pctx *p, json_t *o, const char *key,
    struct harg **out, size_t *n)
{
	json_t *v = json_object_get(o, key), *e;
	char field[128];
	size_t i;

	*out = NULL;
	*n = 0;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_array(v))
		return (perr(p, key, "expected a list"));
	*out = xcalloc(json_array_size(v) + 1, sizeof(**out));
	json_array_foreach(v, i, e) {
		snprintf(field, sizeof(field), "%s[%zu]", key, i);
		if (parse_arg(p, e, field, &(*out)[i]) == -1)
			return (-1);
		(*n)++;
	}
	return (0);
}

int
parse_cidr(const char *s, struct cidr *c)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	long long bits;

	if (len == 0 || len >= sizeof(addr))
		return (-1);
	memcpy(addr, s, len);
	addr[len] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, addr, c->addr) == 1)
		c->family = 4;
	else if (inet_pton(AF_INET6, addr, c->addr) == 1)
		c->family = 6;
	else
		return (-1);
	/* webhook appends /32 to a bare address, even an IPv6 one. */
	if (slash == NULL)
		bits = 32;
	else if (str_tonum(slash + 1, 0, c->family == 4 ? 32 : 128,
	    &bits) == -1)
		return (-1);
	c->bits = (int)bits;
	return (0);
}

void
rule_free(struct rule *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nkids; i++)
		rule_free(&r->kids[i]);
	free(r->kids);
	free(r->type);
	free(r->value);
	free(r->regex);
	if (r->re != NULL)
		pcre2_code_free(r->re);
	free(r->secret);
	free(r->ip_range);
	free(r->cidrs);
	mac_free(r->mac);
	harg_free(&r->param);
}

static int parse_rule(const struct pctx *, json_t *, const char *,
    struct rule *, int);

static int
parse_match(const struct pctx *p, json_t *m, const char *field,
    struct rule *r)
{
	static const struct { const char *s; enum match_kind k; } kinds[] = {
		{ "value", M_VALUE }, { "regex", M_REGEX },
		{ "payload-hmac-sha1", M_HMAC1 },
		{ "payload-hash-sha1", M_HMAC1 },
		{ "payload-hmac-sha256", M_HMAC256 },
		{ "payload-hash-sha256", M_HMAC256 },
		{ "payload-hmac-sha512", M_HMAC512 },
		{ "payload-hash-sha512", M_HMAC512 },
		{ "ip-whitelist", M_IPWL }, { "scalr-signature", M_SCALR },
	};
	char f[300];
	size_t i;
	json_t *param;

	if (!json_is_object(m))
		return (perr(p, field, "expected an object"));
	r->kind = RULE_MATCH;
	snprintf(f, sizeof(f), "%s.type", field);
	if (get_str(p, m, "type", f, &r->type) == -1 ||
	    get_str(p, m, "value", field, &r->value) == -1 ||
	    get_str(p, m, "regex", field, &r->regex) == -1 ||
	    get_str(p, m, "secret", field, &r->secret) == -1 ||
	    get_str(p, m, "ip-range", field, &r->ip_range) == -1)
		return (-1);
	if (r->type == NULL)
		return (perr(p, f, "missing"));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(r->type, kinds[i].s) == 0)
			r->mkind = kinds[i].k;
	if (r->mkind == 0)
		return (perr(p, f, "unknown match type \"%s\"", r->type));
	if (r->mkind != M_IPWL && r->mkind != M_SCALR) {
		snprintf(f, sizeof(f), "%s.parameter", field);
		param = json_object_get(m, "parameter");
		if (param == NULL || json_is_null(param))
			return (perr(p, f, "missing"));
		if (parse_arg(p, param, f, &r->param) == -1)
			return (-1);
	}
	if (r->value == NULL)
		r->value = xstrdup("");
	switch (r->mkind) {
	case M_REGEX: {
		int ec;
		PCRE2_SIZE off;
		PCRE2_UCHAR msg[256];

		snprintf(f, sizeof(f), "%s.regex", field);
		if (r->regex == NULL)
			return (perr(p, f, "missing"));
		r->re = pcre2_compile((PCRE2_SPTR)r->regex,
		    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_NO_UTF_CHECK *
		    0, &ec, &off, NULL);
		if (r->re == NULL) {
			pcre2_get_error_message(ec, msg, sizeof(msg));
			return (perr(p, f, "bad regular expression \"%s\" at "
			    "offset %zu: %s", r->regex, (size_t)off,
			    (char *)msg));
		}
		pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
		break;
	}
	case M_HMAC1:
	case M_HMAC256:
	case M_HMAC512:
	case M_SCALR:
		snprintf(f, sizeof(f), "%s.secret", field);
		if (r->secret == NULL || r->secret[0] == '\0')
			return (perr(p, f, "a signature rule needs a "
			    "non-empty secret"));
		r->mac = mac_new(r->mkind == M_HMAC1 || r->mkind == M_SCALR ?
		    "SHA1" : r->mkind == M_HMAC256 ? "SHA256" : "SHA512",
		    r->secret);
		break;
	case M_IPWL: {
		struct strv parts = STRV_INIT;

		snprintf(f, sizeof(f), "%s.ip-range", field);
		if (r->ip_range == NULL)
			return (perr(p, f, "missing"));
		strv_split(&parts, r->ip_range, " \t\r\n\v\f");
		r->cidrs = xcalloc(parts.n + 1, sizeof(*r->cidrs));
		for (i = 0; i < parts.n; i++) {
			if (parse_cidr(parts.v[i], &r->cidrs[i]) == -1) {
				perr(p, f, "bad address or CIDR range "
				    "\"%s\"", parts.v[i]);
				strv_free(&parts);
				return (-1);
			}
		}
		r->ncidrs = parts.n;
		strv_free(&parts);
		break;
	}
	default:
		break;
	}
	return (0);
}

static int
parse_rule(const struct pctx *p, json_t *o, const char *field,
    struct rule *r, int depth)
{
	char f[256];
	json_t *v, *e;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (depth > HOOKS_MAX_DEPTH)
		return (perr(p, field, "rules nested too deep"));
	if (!json_is_object(o))
		return (perr(p, field, "expected an object (and, or, not, "
		    "match)"));
	/* webhook's precedence when several are given. */
	if ((v = json_object_get(o, "and")) != NULL && !json_is_null(v))
		r->kind = RULE_AND;
	else if ((v = json_object_get(o, "or")) != NULL && !json_is_null(v))
		r->kind = RULE_OR;
	else if ((v = json_object_get(o, "not")) != NULL &&
	    !json_is_null(v)) {
		r->kind = RULE_NOT;
		r->kids = xcalloc(1, sizeof(*r->kids));
		r->nkids = 1;
		snprintf(f, sizeof(f), "%s.not", field);
		return (parse_rule(p, v, f, r->kids, depth + 1));
	} else if ((v = json_object_get(o, "match")) != NULL &&
	    !json_is_null(v)) {
		snprintf(f, sizeof(f), "%s.match", field);
		return (parse_match(p, v, f, r));
	} else {
		/* webhook: an empty rule is never satisfied. */
		r->kind = RULE_NONE;
		return (0);
	}
	snprintf(f, sizeof(f), "%s.%s", field, r->kind == RULE_AND ? "and" :
	    "or");
	if (!json_is_array(v))
		return (perr(p, f, "expected a list of rules"));
	r->kids = xcalloc(json_array_size(v) + 1, sizeof(*r->kids));
	json_array_foreach(v, i, e) {
		snprintf(f, sizeof(f), "%s.%s[%zu]", field,
		    r->kind == RULE_AND ? "and" : "or", i);
		r->nkids++;
		if (parse_rule(p, e, f, &r->kids[i], depth + 1) == -1)
			return (-1);
	}
	return (0);
}

static void
hook_free(struct hhook *h)
{
	size_t i;

	free(h->id);
	free(h->command);
	free(h->cwd);
	free(h->response_message);
	strv_free(&h->resp_headers);
	for (i = 0; i < h->nenv; i++)
		harg_free(&h->env[i]);
	free(h->env);
	for (i = 0; i < h->nargs; i++)
		harg_free(&h->args[i]);
	free(h->args);
	for (i = 0; i < h->nfiles; i++)
		harg_free(&h->files[i]);
	free(h->files);
	for (i = 0; i < h->njson; i++)
		harg_free(&h->json_params[i]);
	free(h->json_params);
	if (h->rule != NULL) {
		rule_free(h->rule);
		free(h->rule);
	}
	free(h->content_type);
	strv_free(&h->methods);
}

static int
parse_headers(const struct pctx *p, json_t *o, struct hhook *h)
{
	json_t *v = json_object_get(o, "response-headers"), *e;
	char *name, *value;
	size_t i;

	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_array(v))
		return (perr(p, "response-headers", "expected a list of "
		    "{name, value}"));
	json_array_foreach(v, i, e) {
		if (!json_is_object(e))
			return (perr(p, "response-headers", "expected a list "
			    "of {name, value}"));
		if (get_str(p, e, "name", "response-headers", &name) == -1)
			return (-1);
		if (get_str(p, e, "value", "response-headers", &value) ==
		    -1) {
			free(name);
			return (-1);
		}
		if (name == NULL || name[0] == '\0' || strpbrk(name,
		    ": \t\r\n") != NULL || (value && strpbrk(value, "\r\n"))) {
			free(name);
			free(value);
			return (perr(p, "response-headers", "bad header name "
			    "or value"));
		}
		strv_pushf(&h->resp_headers, "%s: %s", name,
		    value ? value : "");
		free(name);
		free(value);
	}
	return (0);
}

static int
parse_hook(struct pctx *p, json_t *o, struct hhook *h)
{
	json_t *v, *e;
	size_t i;
	char *m, *t;

	memset(h, 0, sizeof(*h));
	if (!json_is_object(o))
		return (perr(p, "hook", "expected an object"));
	if (get_str(p, o, "id", "id", &h->id) == -1)
		return (-1);
	if (h->id == NULL || h->id[0] == '\0')
		return (perr(p, "id", "missing"));
	p->hook = h->id;
	if (get_str(p, o, "execute-command", "execute-command",
	    &h->command) == -1 ||
	    get_str(p, o, "command-working-directory",
	    "command-working-directory", &h->cwd) == -1 ||
	    get_str(p, o, "response-message", "response-message",
	    &h->response_message) == -1 ||
	    parse_headers(p, o, h) == -1 ||
	    get_bool(p, o, "include-command-output-in-response",
	    &h->capture) == -1 ||
	    get_bool(p, o, "include-command-output-in-response-on-error",
	    &h->capture_on_error) == -1 ||
	    parse_args(p, o, "pass-environment-to-command", &h->env,
	    &h->nenv) == -1 ||
	    parse_args(p, o, "pass-arguments-to-command", &h->args,
	    &h->nargs) == -1 ||
	    parse_args(p, o, "pass-file-to-command", &h->files,
	    &h->nfiles) == -1 ||
	    parse_args(p, o, "parse-parameters-as-json", &h->json_params,
	    &h->njson) == -1 ||
	    get_int(p, o, "trigger-rule-mismatch-http-response-code",
	    &h->mismatch_code) == -1 ||
	    get_bool(p, o, "trigger-signature-soft-failures",
	    &h->soft_failures) == -1 ||
	    get_str(p, o, "incoming-payload-content-type",
	    "incoming-payload-content-type", &h->content_type) == -1 ||
	    get_int(p, o, "success-http-response-code",
	    &h->success_code) == -1)
		return (-1);
	/*
	 * Later webhooks stream the output with this; 2.8.0 has no such
	 * field and ignores it like any unknown key (whatever its value),
	 * so the hook answers as without it.  Said once per load, since
	 * someone setting it expects streaming they will not get.
	 */
	if (json_object_get(o, "stream-command-output") != NULL)
		log_warn("%s: hook \"%s\": stream-command-output: ignored, "
		    "as webhook 2.8.0 does (the answer is as without it)",
		    p->file, h->id);
	if (h->command == NULL)
		h->command = xstrdup("");
	if (h->response_message == NULL)
		h->response_message = xstrdup("");
	if ((v = json_object_get(o, "trigger-rule")) != NULL &&
	    !json_is_null(v)) {
		h->rule = xcalloc(1, sizeof(*h->rule));
		if (parse_rule(p, v, "trigger-rule", h->rule, 0) == -1)
			return (-1);
	}
	if ((v = json_object_get(o, "http-methods")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_array(v))
			return (perr(p, "http-methods", "expected a list"));
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return (perr(p, "http-methods", "expected a "
				    "list of method names"));
			m = xstrdup(json_string_value(e));
			t = str_trim(m);
			for (char *c = t; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			strv_push(&h->methods, t);
			free(m);
		}
		h->has_methods = h->methods.n > 0;
	}
	return (0);
}

void
conf_free(struct hconf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		hook_free(&c->hooks[i]);
	free(c->hooks);
	free(c);
}

static int
conf_add(struct hconf *c, json_t *root, const char *file)
{
	struct pctx p = { file, NULL, 0 };
	json_t *e;
	size_t i, j;

	if (root == NULL || json_is_null(root))
		return (0);
	if (!json_is_array(root))
		return (error_set("%s: expected a list of hooks", file));
	c->hooks = xrealloc(c->hooks, (c->n + json_array_size(root) + 1) *
	    sizeof(*c->hooks));
	json_array_foreach(root, i, e) {
		p.index = i;
		p.hook = NULL;
		if (parse_hook(&p, e, &c->hooks[c->n]) == -1) {
			hook_free(&c->hooks[c->n]);
			return (-1);
		}
		for (j = 0; j < c->n; j++)
			if (strcmp(c->hooks[j].id, c->hooks[c->n].id) == 0) {
				error_set("%s: hook \"%s\": id: already "
				    "loaded (duplicate hook id)", file,
				    c->hooks[c->n].id);
				hook_free(&c->hooks[c->n]);
				return (-1);
			}
		c->n++;
	}
	return (0);
}

struct hconf *
conf_parse(json_t *root, const char *file)
{
	struct hconf *c = xcalloc(1, sizeof(*c));

	atomic_init(&c->ref, 1);
	if (conf_add(c, root, file) == -1) {
		conf_free(c);
		return (NULL);
	}
	return (c);
}

struct hconf *
conf_load(const struct hooks_opts *o)
{
	struct hconf *c = xcalloc(1, sizeof(*c));
	struct buf raw = BUF_INIT, text = BUF_INIT;
	enum tree_format fmt;
	json_t *root;
	size_t i;

	atomic_init(&c->ref, 1);
	for (i = 0; i < o->nfiles; i++) {
		const char *f = o->files[i];

		buf_reset(&raw);
		buf_reset(&text);
		if (file_read(f, HOOKS_MAX_FILE, &raw) == -1)
			goto fail;
		if (o->template) {
			if (template_expand(raw.data ? raw.data : "", raw.len,
			    f, &text) == -1)
				goto fail;
		} else
			buf_add(&text, raw.data ? raw.data : "", raw.len);
		/* webhook tries JSON, then YAML; extension or content. */
		fmt = str_endswith(f, ".json") ? TREE_JSON :
		    (str_endswith(f, ".yaml") || str_endswith(f, ".yml")) ?
		    TREE_YAML : TREE_AUTO;
		if (text.len == 0 || strspn(buf_cstr(&text), " \t\r\n") ==
		    text.len)
			continue;
		root = tree_load_buf(buf_cstr(&text), text.len, fmt, f);
		if (root == NULL)
			goto fail;
		if (conf_add(c, root, f) == -1) {
			json_decref(root);
			goto fail;
		}
		json_decref(root);
	}
	buf_free(&raw);
	buf_free(&text);
	return (c);
fail:
	buf_free(&raw);
	buf_free(&text);
	conf_free(c);
	return (NULL);
}
