/*
 * Internal to the jail.conf parser (conf.c, conf_lex.c).
 */
#ifndef STASIS_JAIL_CONF_H
#define STASIS_JAIL_CONF_H

#include <stddef.h>

#include "base/buf.h"

enum tok_type {
	TOK_EOF = 0,
	TOK_WORD = 256,
	TOK_APPEND,			/* += */
	/* '{' '}' ';' ',' '=' stand for themselves */
};

struct token {
	int		 type;
	int		 quoted;
	int		 line;
	struct buf	 text;
};

struct lex {
	const char	*p;
	const char	*end;
	int		 line;
	const char	*file;
};

void	lex_init(struct lex *, const char *, size_t, const char *file);
int	lex_next(struct lex *, struct token *);

#endif
