/*
 * Configuration trees: JSON (jansson) and YAML (libyaml) are loaded into
 * the same json_t tree, so every config reader handles one shape.
 */
#ifndef STASIS_TREE_H
#define STASIS_TREE_H

#include <stddef.h>

#include <jansson.h>

enum tree_format {
	TREE_AUTO = 0,		/* by file extension, else by content */
	TREE_JSON,
	TREE_YAML
};

#define TREE_MAX_DEPTH	64

/* Load a file or a buffer; NULL and error_set with line/column. */
json_t	*tree_load_file(const char *path, enum tree_format, size_t max);
json_t	*tree_load_buf(const char *, size_t, enum tree_format,
	    const char *name);

/*
 * Look a dotted path up: "commits.0.author.name".  Numeric parts index
 * arrays.  A key that itself contains dots is found when the whole rest
 * of the path matches it (webhook's rule).  NULL when absent.
 */
json_t	*tree_get(json_t *, const char *path);

/* Scalars as text: strings as is, numbers and booleans printed; NULL
 * for objects, arrays, null and a NULL node.  The result is malloc'd. */
char	*tree_scalar_str(json_t *);

#endif
