/* Unit tests: base/buf.c and base/err.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "tap.h"

int
main(void)
{
	struct buf b = BUF_INIT;
	struct strv sv = STRV_INIT;
	unsigned long long sz;
	long long n;
	char tmp[32], s[] = "  padded\t\n";
	int i;

	is_str(buf_cstr(&b), "", "empty buf is an empty string");
	buf_addstr(&b, "hello");
	buf_addc(&b, ' ');
	buf_printf(&b, "%s %d", "world", 42);
	is_str(buf_cstr(&b), "hello world 42", "add, addc, printf");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%04d", i);
	is_int(b.len, 14 + 4000, "buf grows past many reallocations");
	ok(b.data[b.len] == '\0', "always NUL-terminated");
	buf_reset(&b);
	is_int(b.len, 0, "reset empties");
	buf_add_json_str(&b, "a\"b\\c\n\x01");
	is_str(buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\"", "JSON string escape");
	buf_reset(&b);
	buf_add_json_str(&b, "caf\xc3\xa9 caf\xe9 cut\xe2\x82");
	is_str(buf_cstr(&b), "\"caf\xc3\xa9 caf? cut??\"",
	    "JSON string: a byte not part of UTF-8 becomes '?'");
	char *st = buf_steal(&b);
	ok(b.data == NULL && b.len == 0, "steal resets the buf");
	free(st);

	strv_split(&sv, ",a,,b,c,", ",");
	is_int(sv.n, 3, "split drops empty fields");
	is_str(sv.v[2], "c", "split keeps order");
	ok(sv.v[3] == NULL, "strv is NULL-terminated");
	strv_setenv(&sv, "X", "1");
	strv_setenv(&sv, "X", "2");
	is_str(sv.v[3], "X=2", "setenv replaces in place");
	is_int(sv.n, 4, "setenv does not duplicate");
	strv_free(&sv);

	ok(str_startswith("foobar", "foo") && !str_startswith("fo", "foo"),
	    "startswith");
	ok(str_endswith("foobar", "bar") && !str_endswith("ar", "bar"),
	    "endswith");
	is_str(str_trim(s), "padded", "trim");
	is_int(str_lcpy(tmp, "0123456789", 5), 10, "lcpy returns full length");
	is_str(tmp, "0123", "lcpy truncates safely");
	{
		char u1[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 ok";
		char u2[] = "bad \xff byte";
		char u3[] = "cut \xe2\x82";
		char u4[] = "\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80";

		is_str(str_utf8_clean(u1), "caf\xc3\xa9 \xe2\x82\xac "
		    "\xf0\x9f\x98\x80 ok", "utf8_clean keeps UTF-8");
		is_str(str_utf8_clean(u2), "bad ? byte",
		    "utf8_clean: a stray byte");
		is_str(str_utf8_clean(u3), "cut ??",
		    "utf8_clean: a character cut short");
		is_str(str_utf8_clean(u4), "?? ??? ????",
		    "utf8_clean: overlong, surrogate, past U+10FFFF");
	}

	ok(str_tonum("42", 0, 100, &n) == 0 && n == 42, "tonum ok");
	ok(str_tonum("420", 0, 100, &n) == -1, "tonum range");
	ok(strstr(error_msg(), "out of range") != NULL, "tonum says why");
	ok(str_tonum("4x", 0, 100, &n) == -1, "tonum junk");
	ok(str_tosize("1.5G", &sz) == 0 && sz == 1610612736ULL, "tosize G");
	ok(str_tosize("512k", &sz) == 0 && sz == 524288, "tosize k");
	ok(str_tosize("10MiB", &sz) == 0 && sz == 10485760, "tosize MiB");
	ok(str_tosize("10Q", &sz) == -1, "tosize bad suffix");
	is_str(str_fmtsize(tmp, sizeof(tmp), 1900523110ULL), "1.77G",
	    "fmtsize like zfs");
	is_str(str_fmtsize(tmp, sizeof(tmp), 54210150ULL), "51.7M",
	    "fmtsize 3 digits");
	is_str(str_fmtsize(tmp, sizeof(tmp), 100), "100B", "fmtsize bytes");

	error_set("create %s: %s", "foo", "exists");
	error_wrap("be");
	is_str(error_msg(), "be: create foo: exists", "error_wrap prefixes");
	errno = ENOENT;
	error_sys("open %s", "/x");
	is_str(error_msg(), "open /x: No such file or directory",
	    "error_sys appends strerror");
	ok(errno == ENOENT, "error_sys preserves errno");
	ok(error_set("x") == -1, "error_set returns -1");
	buf_free(&b);
	return (done_testing());
}
