/*
 * The argument of --libxo, read as FreeBSD's libxo reads it, for the
 * commands that take it in FreeBSD (jls, bectl-like be list and check,
 * jail diff, status): comma-separated options, one of them the output
 * format, the others modifiers such as pretty or warn.  stasis prints
 * JSON or text; a modifier is accepted and has no effect on it.
 */
#ifndef STASIS_LIBXO_H
#define STASIS_LIBXO_H

enum libxo_fmt { LIBXO_TEXT, LIBXO_JSON, LIBXO_XML, LIBXO_HTML };

/*
 * The format spec asks for (text if it names none; the last one named
 * wins, as in libxo), or -1 with an error set for a word libxo does
 * not know ("jsonx", "js") or an empty spec.
 */
int	libxo_format(const char *spec);
/*
 * For the commands that print JSON or text: 1 for json, 0 for text, or
 * -1 with an error set (for xml and html too).
 */
int	libxo_json(const char *spec);

#endif
