/*
 * JSON and YAML into one jansson tree.  YAML goes through libyaml's event
 * parser; plain scalars get YAML 1.1 types (as Go's yaml.v2 gives them,
 * which is what webhook users' YAML files were written against), quoted
 * ones stay strings.  Aliases are expanded with a node budget, so a
 * "billion laughs" document fails instead of eating the machine.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "buf.h"
#include "err.h"
#include "file.h"
#include "tree.h"

#define YAML_MAX_NODES	(1u << 20)
#define YAML_MAX_ANCHORS 1024

struct anchor {
	char	*name;
	json_t	*node;
};

struct yctx {
	yaml_parser_t	 p;
	const char	*name;
	size_t		 nodes;
	struct anchor	 anchors[YAML_MAX_ANCHORS];
	size_t		 nanchors;
};

static size_t
count_nodes(json_t *j)
{
	size_t n = 1, i;
	const char *k;
	json_t *v;

	if (json_is_array(j))
		json_array_foreach(j, i, v)
			n += count_nodes(v);
	else if (json_is_object(j))
		json_object_foreach(j, k, v)
			n += count_nodes(v);
	return (n);
}

static int
yfail(struct yctx *y, const char *what, const yaml_mark_t *m)
{
	return (error_set("%s: line %zu, column %zu: %s", y->name,
	    m->line + 1, m->column + 1, what));
}

static json_t *
plain_scalar(const char *s, size_t len)
{
	char *end;
	long long ll;
	double d;

	if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		return (json_null());
	/* yaml.v2 (what webhook reads YAML with) takes y and n too. */
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") ||
	    !strcmp(s, "y") || !strcmp(s, "Y") || !strcmp(s, "yes") || !strcmp(s, "Yes") || !strcmp(s, "YES") ||
	    !strcmp(s, "on") || !strcmp(s, "On") || !strcmp(s, "ON"))
		return (json_true());
	if (!strcmp(s, "false") || !strcmp(s, "False") ||
	    !strcmp(s, "FALSE") || !strcmp(s, "n") || !strcmp(s, "N") ||
	    !strcmp(s, "no") || !strcmp(s, "No") ||
	    !strcmp(s, "NO") || !strcmp(s, "off") || !strcmp(s, "Off") ||
	    !strcmp(s, "OFF"))
		return (json_false());
	if (isdigit((unsigned char)s[0]) || ((s[0] == '-' || s[0] == '+') &&
	    isdigit((unsigned char)s[1]))) {
		errno = 0;
		ll = strtoll(s, &end, 0);
		if (*end == '\0' && errno == 0)
			return (json_integer(ll));
		d = strtod(s, &end);
		if (*end == '\0' && isfinite(d))
			return (json_real(d));
	}
	return (json_stringn(s, len));
}

static json_t *yparse(struct yctx *, yaml_event_t *, int);

static int
remember(struct yctx *y, const yaml_char_t *anchor, json_t *node)
{
	if (anchor == NULL)
		return (0);
	if (y->nanchors == YAML_MAX_ANCHORS)
		return (error_set("%s: more than %d anchors", y->name,
		    YAML_MAX_ANCHORS));
	y->anchors[y->nanchors].name = xstrdup((const char *)anchor);
	y->anchors[y->nanchors++].node = json_incref(node);
	return (0);
}

static json_t *
ynext(struct yctx *y, int depth)
{
	yaml_event_t ev;
	json_t *j;

	if (!yaml_parser_parse(&y->p, &ev)) {
		yfail(y, y->p.problem ? y->p.problem : "YAML syntax error",
		    &y->p.problem_mark);
		return (NULL);
	}
	j = yparse(y, &ev, depth);
	yaml_event_delete(&ev);
	return (j);
}

/* Parse the node that starts with event ev (consumed by the caller). */
static json_t *
yparse(struct yctx *y, yaml_event_t *ev, int depth)
{
	yaml_event_t e2;
	json_t *j, *k, *v;
	size_t i;

	if (depth > TREE_MAX_DEPTH) {
		yfail(y, "nested too deeply", &ev->start_mark);
		return (NULL);
	}
	if (++y->nodes > YAML_MAX_NODES) {
		yfail(y, "too many nodes", &ev->start_mark);
		return (NULL);
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (ev->data.scalar.tag == NULL || strcmp((char *)
		    ev->data.scalar.tag, "tag:yaml.org,2002:str") != 0))
			j = plain_scalar((char *)ev->data.scalar.value,
			    ev->data.scalar.length);
		else
			j = json_stringn((char *)ev->data.scalar.value,
			    ev->data.scalar.length);
		if (j == NULL) {
			yfail(y, "invalid UTF-8 in scalar", &ev->start_mark);
			return (NULL);
		}
		if (remember(y, ev->data.scalar.anchor, j) == -1) {
			json_decref(j);
			return (NULL);
		}
		return (j);
	case YAML_ALIAS_EVENT:
		for (i = 0; i < y->nanchors; i++) {
			if (strcmp(y->anchors[i].name,
			    (char *)ev->data.alias.anchor) == 0) {
				y->nodes += count_nodes(y->anchors[i].node);
				if (y->nodes > YAML_MAX_NODES) {
					yfail(y, "aliases expand to too many "
					    "nodes", &ev->start_mark);
					return (NULL);
				}
				return (json_deep_copy(y->anchors[i].node));
			}
		}
		yfail(y, "unknown alias", &ev->start_mark);
		return (NULL);
	case YAML_SEQUENCE_START_EVENT:
		j = json_array();
		for (;;) {
			if (!yaml_parser_parse(&y->p, &e2)) {
				yfail(y, y->p.problem ? y->p.problem :
				    "YAML syntax error", &y->p.problem_mark);
				json_decref(j);
				return (NULL);
			}
			if (e2.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&e2);
				break;
			}
			v = yparse(y, &e2, depth + 1);
			yaml_event_delete(&e2);
			if (v == NULL) {
				json_decref(j);
				return (NULL);
			}
			json_array_append_new(j, v);
		}
		if (remember(y, ev->data.sequence_start.anchor, j) == -1) {
			json_decref(j);
			return (NULL);
		}
		return (j);
	case YAML_MAPPING_START_EVENT:
		j = json_object();
		for (;;) {
			if (!yaml_parser_parse(&y->p, &e2)) {
				yfail(y, y->p.problem ? y->p.problem :
				    "YAML syntax error", &y->p.problem_mark);
				json_decref(j);
				return (NULL);
			}
			if (e2.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&e2);
				break;
			}
			/* A key is its text: "n: 1" is not "false: 1". */
			if (e2.type == YAML_SCALAR_EVENT)
				k = json_stringn(
				    (const char *)e2.data.scalar.value,
				    e2.data.scalar.length);
			else
				k = yparse(y, &e2, depth + 1);
			yaml_event_delete(&e2);
			if (k == NULL || (v = ynext(y, depth + 1)) == NULL) {
				json_decref(k);
				json_decref(j);
				return (NULL);
			}
			if (json_is_string(k))
				json_object_set_new(j, json_string_value(k), v);
			else {
				/* Keys like 1 or true: use their text. */
				char *ks = tree_scalar_str(k);

				json_object_set_new(j, ks ? ks : "", v);
				free(ks);
			}
			json_decref(k);
		}
		if (remember(y, ev->data.mapping_start.anchor, j) == -1) {
			json_decref(j);
			return (NULL);
		}
		return (j);
	default:
		yfail(y, "unexpected YAML event", &ev->start_mark);
		return (NULL);
	}
}

static json_t *
yaml_load(const char *data, size_t len, const char *name)
{
	struct yctx *y = xcalloc(1, sizeof(*y));
	yaml_event_t ev;
	json_t *root = NULL;
	size_t i;
	int done = 0, failed = 0;

	y->name = name;
	yaml_parser_initialize(&y->p);
	yaml_parser_set_input_string(&y->p, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&y->p, &ev)) {
			yfail(y, y->p.problem ? y->p.problem :
			    "YAML syntax error", &y->p.problem_mark);
			json_decref(root);
			root = NULL;
			failed = 1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (root != NULL) {
				/* Only the first document counts. */
				done = 1;
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			if (root == NULL &&
			    (root = yparse(y, &ev, 0)) == NULL)
				done = failed = 1;
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&y->p);
	for (i = 0; i < y->nanchors; i++) {
		free(y->anchors[i].name);
		json_decref(y->anchors[i].node);
	}
	free(y);
	if (root == NULL && !failed)
		error_set("%s: empty document", name);
	return (root);
}

json_t *
tree_load_buf(const char *data, size_t len, enum tree_format fmt,
    const char *name)
{
	json_error_t je;
	json_t *j;
	size_t i;
	char *p;

	if (name == NULL)
		name = "(input)";
	if (fmt == TREE_AUTO) {
		/* JSON documents start with { or [; anything else is YAML. */
		for (i = 0; i < len && isspace((unsigned char)data[i]); i++)
			;
		fmt = (i < len && (data[i] == '{' || data[i] == '[')) ?
		    TREE_JSON : TREE_YAML;
	}
	if (fmt == TREE_YAML) {
		return (yaml_load(data, len, name));
	}
	if ((j = json_loadb(data, len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    &je)) == NULL) {
		/*
		 * jansson ends its message with " near '<the text>'": a
		 * secret, or the start of one, when the mistake is in or
		 * next to it.  Errors are logged, so the line and column
		 * say where and the text stays out.
		 */
		if ((p = strstr(je.text, " near ")) != NULL)
			*p = '\0';
		error_set("%s: line %d, column %d: %s", name, je.line,
		    je.column, je.text);
		return (NULL);
	}
	return (j);
}

json_t *
tree_load_file(const char *path, enum tree_format fmt, size_t max)
{
	struct buf b = BUF_INIT;
	json_t *j;

	if (fmt == TREE_AUTO) {
		if (str_endswith(path, ".json"))
			fmt = TREE_JSON;
		else if (str_endswith(path, ".yaml") ||
		    str_endswith(path, ".yml"))
			fmt = TREE_YAML;
	}
	if (file_read(path, max ? max : (8u << 20), &b) == -1) {
		buf_free(&b);
		return (NULL);
	}
	j = tree_load_buf(buf_cstr(&b), b.len, fmt, path);
	buf_free(&b);
	return (j);
}

static int
parse_index(const char *s, size_t n, size_t *out)
{
	size_t i, v = 0;

	if (n == 0 || n > 18)
		return (-1);
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return (0);
}

json_t *
tree_get(json_t *j, const char *path)
{
	const char *dot;
	json_t *v;
	size_t idx;
	int depth;

	for (depth = 0; j != NULL && depth < 4096; depth++) {
		dot = strchr(path, '.');
		if (json_is_array(j)) {
			if (parse_index(path, dot ? (size_t)(dot - path) :
			    strlen(path), &idx) == -1)
				return (NULL);
			if ((v = json_array_get(j, idx)) == NULL)
				return (NULL);
		} else if (json_is_object(j)) {
			/* The whole rest as a key wins over splitting it. */
			if ((v = json_object_get(j, path)) != NULL)
				return (v);
			if (dot == NULL)
				return (NULL);
			v = json_object_getn(j, path, (size_t)(dot - path));
			if (v == NULL)
				return (NULL);
		} else
			return (NULL);
		if (dot == NULL)
			return (v);
		j = v;
		path = dot + 1;
	}
	return (NULL);
}

char *
tree_scalar_str(json_t *j)
{
	char tmp[64];
	double d;
	int prec;

	if (j == NULL)
		return (NULL);
	switch (json_typeof(j)) {
	case JSON_STRING:
		return (xstrndup(json_string_value(j), json_string_length(j)));
	case JSON_INTEGER:
		return (xasprintf("%" JSON_INTEGER_FORMAT,
		    json_integer_value(j)));
	case JSON_REAL:
		/* The shortest text that reads back as the same number. */
		d = json_real_value(j);
		for (prec = 1; prec <= 17; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
			if (strtod(tmp, NULL) == d)
				break;
		}
		return (xstrdup(tmp));
	case JSON_TRUE:
		return (xstrdup("true"));
	case JSON_FALSE:
		return (xstrdup("false"));
	default:
		return (NULL);
	}
}
