/*
 * jail.conf(5) tokens.  A value is a run of adjacent pieces, quoted or
 * not, glued together ("/jails/"$name).  Expansion of $var and ${var}
 * happens later, per jail, so a "*" default can say path = "/j/$name".
 * Until then a literal dollar (from '...' or "\$") is kept as "$$".
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "jail/conf.h"

#define VALUE_MAX	65536

void
lex_init(struct lex *lx, const char *text, size_t len, const char *file)
{
	memset(lx, 0, sizeof(*lx));
	lx->p = text;
	lx->end = text + len;
	lx->line = 1;
	lx->file = file != NULL ? file : "jail.conf";
}

static int
lex_err(struct lex *lx, const char *what)
{
	return (error_set("%s line %d: %s", lx->file, lx->line, what));
}

/* Skip blanks and the three kinds of comment. */
static int
skip_space(struct lex *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == '\n') {
			lx->line++;
			lx->p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v')
			lx->p++;
		else if (c == '#' || (c == '/' && lx->p + 1 < lx->end &&
		    lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->p + 1 < lx->end &&
		    lx->p[1] == '*') {
			lx->p += 2;
			for (;;) {
				if (lx->p + 1 >= lx->end)
					return (lex_err(lx,
					    "unterminated comment"));
				if (lx->p[0] == '*' && lx->p[1] == '/') {
					lx->p += 2;
					break;
				}
				if (*lx->p == '\n')
					lx->line++;
				lx->p++;
			}
		} else
			break;
	}
	return (0);
}

static int
is_word_char(char c)
{
	return (c != '\0' && !isspace((unsigned char)c) && c != ';' &&
	    c != ',' && c != '=' && c != '{' && c != '}' && c != '"' &&
	    c != '\'' && c != '#');
}

static int
dquote(struct lex *lx, struct buf *b)
{
	lx->p++;
	for (;;) {
		char c;

		if (lx->p >= lx->end)
			return (lex_err(lx, "unterminated string"));
		c = *lx->p++;
		if (c == '"')
			return (0);
		if (c == '\n')
			lx->line++;
		if (c == '\\' && lx->p < lx->end) {
			c = *lx->p++;
			switch (c) {
			case 'n': buf_addc(b, '\n'); break;
			case 't': buf_addc(b, '\t'); break;
			case 'r': buf_addc(b, '\r'); break;
			case '$': buf_addstr(b, "$$"); break;
			case '\n': lx->line++; break;	/* continuation */
			default: buf_addc(b, c); break;
			}
		} else if (c == '\0')
			return (lex_err(lx, "NUL byte in string"));
		else
			buf_addc(b, c);
		if (b->len > VALUE_MAX)
			return (lex_err(lx, "value too long"));
	}
}

static int
squote(struct lex *lx, struct buf *b)
{
	lx->p++;
	for (;;) {
		char c;

		if (lx->p >= lx->end)
			return (lex_err(lx, "unterminated string"));
		c = *lx->p++;
		if (c == '\'')
			return (0);
		if (c == '\n')
			lx->line++;
		if (c == '\0')
			return (lex_err(lx, "NUL byte in string"));
		if (c == '$')
			buf_addstr(b, "$$");
		else
			buf_addc(b, c);
		if (b->len > VALUE_MAX)
			return (lex_err(lx, "value too long"));
	}
}

int
lex_next(struct lex *lx, struct token *t)
{
	char c;

	buf_reset(&t->text);
	if (skip_space(lx) == -1)
		return (-1);
	t->line = lx->line;
	if (lx->p >= lx->end) {
		t->type = TOK_EOF;
		return (0);
	}
	c = *lx->p;
	switch (c) {
	case '{': case '}': case ';': case ',': case '=':
		t->type = c;
		lx->p++;
		return (0);
	case '+':
		if (lx->p + 1 < lx->end && lx->p[1] == '=') {
			t->type = TOK_APPEND;
			lx->p += 2;
			return (0);
		}
		break;
	}
	/* A word: adjacent quoted and unquoted pieces. */
	t->type = TOK_WORD;
	t->quoted = 0;
	for (;;) {
		if (lx->p >= lx->end)
			break;
		c = *lx->p;
		if (c == '"') {
			t->quoted = 1;
			if (dquote(lx, &t->text) == -1)
				return (-1);
		} else if (c == '\'') {
			t->quoted = 1;
			if (squote(lx, &t->text) == -1)
				return (-1);
		} else if (c == '+' && lx->p + 1 < lx->end &&
		    lx->p[1] == '=') {
			break;
		} else if (c == '\\' && lx->p + 1 < lx->end) {
			if (lx->p[1] == '\n') {
				lx->line++;
				lx->p += 2;
				break;
			}
			buf_addc(&t->text, lx->p[1]);
			lx->p += 2;
		} else if (c == '/' && lx->p + 1 < lx->end &&
		    (lx->p[1] == '*' || lx->p[1] == '/')) {
			break;
		} else if (c == '$' && lx->p + 1 < lx->end &&
		    lx->p[1] == '{') {
			/* ${name} inside an unquoted word */
			while (lx->p < lx->end && *lx->p != '}' &&
			    *lx->p != '\n')
				buf_addc(&t->text, *lx->p++);
			if (lx->p >= lx->end || *lx->p != '}')
				return (lex_err(lx, "unterminated ${"));
			buf_addc(&t->text, *lx->p++);
		} else if (is_word_char(c)) {
			buf_addc(&t->text, c);
			lx->p++;
		} else
			break;
		if (t->text.len > VALUE_MAX)
			return (lex_err(lx, "value too long"));
	}
	if (t->text.len == 0 && !t->quoted)
		return (lex_err(lx, "unexpected character"));
	return (0);
}
