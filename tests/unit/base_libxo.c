/*
 * Unit tests: base/libxo.c.  libxo's own spellings are taken (a format
 * among modifiers, "=value" options, the last format winning); words
 * that only start like a format are not ("jsonx" was taken for json by
 * jls and status before).
 */
#include <string.h>

#include "base/err.h"
#include "base/libxo.h"
#include "tap.h"

int
main(void)
{
	is_int(libxo_format("json"), LIBXO_JSON, "json");
	is_int(libxo_format("text"), LIBXO_TEXT, "text");
	is_int(libxo_format("xml"), LIBXO_XML, "xml");
	is_int(libxo_format("html"), LIBXO_HTML, "html");
	is_int(libxo_format("json,pretty"), LIBXO_JSON, "json,pretty");
	is_int(libxo_format("pretty,warn,json"), LIBXO_JSON,
	    "the format after modifiers");
	is_int(libxo_format("json,indent=4"), LIBXO_JSON,
	    "a modifier with a value");
	is_int(libxo_format("xml,json"), LIBXO_JSON, "the last format wins");
	is_int(libxo_format("pretty"), LIBXO_TEXT, "no format: text");
	is_int(libxo_format("jsonx"), -1, "jsonx is refused");
	ok(strstr(error_msg(), "\"jsonx\" is not a libxo format") != NULL,
	    "and the message names the word");
	is_int(libxo_format("js"), -1, "js is refused");
	is_int(libxo_format("json,prettyx"), -1, "an unknown modifier");
	is_int(libxo_format("json=1"), -1, "a format takes no value");
	is_int(libxo_format("json,,pretty"), -1, "an empty option");
	is_int(libxo_format(""), -1, "an empty spec");
	is_int(libxo_json("json,pretty"), 1, "libxo_json: json");
	is_int(libxo_json("text"), 0, "libxo_json: text");
	is_int(libxo_json("xml"), -1, "libxo_json: xml refused");
	ok(strstr(error_msg(), "only json and text") != NULL,
	    "libxo_json: saying what it prints");
	return (done_testing());
}
