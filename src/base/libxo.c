/*
 * --libxo's argument (base/libxo.h).  Each command used to test its own
 * way: some compared the whole word with "json", refusing libxo's own
 * "json,pretty", others its first four letters, taking "jsonx" for json.
 */
#include <stddef.h>
#include <string.h>

#include "base/err.h"
#include "base/libxo.h"

static const char *const formats[] = {
	[LIBXO_TEXT] = "text", [LIBXO_JSON] = "json",
	[LIBXO_XML] = "xml", [LIBXO_HTML] = "html",
};

/* libxo's modifiers (xo_parse_args); some take "=value". */
static const char *const modifiers[] = {
	"all", "color", "colors", "dtrace", "flush", "flush-line", "indent",
	"info", "keys", "log-gettext", "log-syslog", "no-humanize",
	"no-locale", "no-retain", "no-top", "not-first", "pretty", "retain",
	"underscores", "units", "warn", "warn-xml", "xpath",
};

int
libxo_format(const char *spec)
{
	const char *p = spec, *e;
	size_t n, w, i;
	int fmt = LIBXO_TEXT, found;

	if (*spec == '\0')
		return (error_set("--libxo: an empty format"));
	for (; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		w = strcspn(p, ",=");		/* the word before any =value */
		if (w > n)
			w = n;
		found = 0;
		for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			if (w == n && n == strlen(formats[i]) &&
			    strncmp(p, formats[i], n) == 0) {
				fmt = (int)i;
				found = 1;
			}
		for (i = 0; !found &&
		    i < sizeof(modifiers) / sizeof(modifiers[0]); i++)
			if (w == strlen(modifiers[i]) &&
			    strncmp(p, modifiers[i], w) == 0)
				found = 1;
		if (!found)
			return (error_set("--libxo %s: \"%.*s\" is not a libxo "
			    "format or option", spec, (int)n, p));
	}
	return (fmt);
}

int
libxo_json(const char *spec)
{
	switch (libxo_format(spec)) {
	case LIBXO_JSON:
		return (1);
	case LIBXO_TEXT:
		return (0);
	case -1:
		return (-1);
	default:
		return (error_set("--libxo %s: only json and text are "
		    "supported", spec));
	}
}
