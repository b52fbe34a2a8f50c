/*
 * Unit tests: jail.conf parsing and resolution, command-line parameter
 * words, parameter checks, addresses, fstab lines.
 */
#include <sys/socket.h>

#include <string.h>

#include "base/err.h"
#include "jail/jail.h"
#include "jail/jail_impl.h"
#include "tap.h"

static const char conf_text[] =
    "# defaults\n"
    "$base = \"/jails\";\n"
    "path = \"$base/$name\";\n"
    "mount = \"tmpfs $path/tmp tmpfs rw\";\n"
    "* { exec.start = \"sh /etc/rc\"; persist; }\n"
    "www {\n"
    "\thost.hostname = ${name}.example.org; // unquoted, ${}\n"
    "\tip4.addr = 10.0.0.1, \"lo0|10.0.0.2/24\";\n"
    "\texec.start += 'echo $literal';\n"
    "\tmount += \"/srv $path/srv nullfs ro\";\n"
    "}\n"
    "/* a comment\n spanning lines */\n"
    "db { nopersist; host.hostname = \"$name.$base\"; allow.nomount; }\n";

static void
test_resolve(void)
{
	struct jail_conf c;
	struct jail_params p;
	struct jail_param *jp;

	ok(jail_conf_parse(conf_text, strlen(conf_text), "t.conf", &c) == 0,
	    "parse: %s", error_msg());
	is_int(c.n, 2, "two jails");
	ok(jail_conf_resolve(&c, "www", NULL, &p) == 0, "resolve www");
	is_str(jail_params_get(&p, "path"), "/jails/www", "$base/$name");
	is_str(jail_params_get(&p, "host.hostname"), "www.example.org",
	    "${name} in an unquoted value");
	jp = jail_params_find(&p, "ip4.addr");
	ok(jp != NULL && jp->vals.n == 2, "list of two addresses");
	jp = jail_params_find(&p, "exec.start");
	ok(jp != NULL && jp->vals.n == 2 &&
	    strcmp(jp->vals.v[1], "echo $literal") == 0,
	    "+= appends to the default; '...' keeps $");
	jp = jail_params_find(&p, "mount");
	ok(jp != NULL && jp->vals.n == 2 &&
	    strcmp(jp->vals.v[1], "/srv /jails/www/srv nullfs ro") == 0,
	    "mount += with $path");
	ok(jail_params_bool(&p, "persist", 0) == 1, "persist from *");
	ok(jail_params_find(&p, "$base") == NULL, "variables are not params");
	ok(jail_params_check(&p, 1) == 0, "www checks: %s", error_msg());
	jail_params_free(&p);
	ok(jail_conf_resolve(&c, "db", NULL, &p) == 0, "resolve db");
	ok(jail_params_bool(&p, "persist", 1) == 0, "nopersist overrides *");
	is_str(jail_params_get(&p, "host.hostname"), "db./jails",
	    "$name.$base: longest defined names");
	ok(jail_params_bool(&p, "allow.mount", 1) == 0, "allow.nomount");
	jail_params_free(&p);
	ok(jail_conf_resolve(&c, "nope", NULL, &p) == -1, "unknown jail");
	jail_conf_free(&c);
}

static void
test_errors(void)
{
	static const char *bad[] = {
		"a { path = /x; ",		/* missing } */
		"a { b { } }",			/* nesting */
		"a { path = \"/x; }",		/* open string */
		"a { path = /x }",		/* missing ; */
		"/* open comment",
		"}",
		"a { frobnicate; }",		/* not a boolean */
		".include \"/x\";",		/* no include when fuzzing */
		NULL
	};
	struct jail_conf c;
	struct jail_params p;
	int i;

	for (i = 0; bad[i] != NULL; i++)
		ok(jail_conf_parse(bad[i], strlen(bad[i]), "(fuzz)", &c) == -1,
		    "refused: %s (%s)", bad[i], error_msg());
	ok(jail_conf_parse("a { x = \"$y\"; }", 15, "t", &c) == 0 &&
	    jail_conf_resolve(&c, "a", NULL, &p) == -1, "undefined $y: %s",
	    error_msg());
	jail_conf_free(&c);
	ok(jail_conf_parse("a { $x = \"$x\"; y = $x; }", 24, "t", &c) == 0 &&
	    jail_conf_resolve(&c, "a", NULL, &p) == -1, "a loop: %s",
	    error_msg());
	jail_conf_free(&c);
}

static void
test_args(void)
{
	struct jail_params p = { 0 };
	struct jail_param *jp;
	unsigned char a[16];
	int prefix;
	char text[64];
	struct jail_mount m;

	ok(jail_params_parse_arg(&p, "persist") == 0 &&
	    jail_params_bool(&p, "persist", 0) == 1, "persist");
	ok(jail_params_parse_arg(&p, "nopersist") == 0 &&
	    jail_params_bool(&p, "persist", 1) == 0, "nopersist");
	ok(jail_params_parse_arg(&p, "allow.noraw_sockets") == 0 &&
	    jail_params_bool(&p, "allow.raw_sockets", 1) == 0,
	    "allow.noraw_sockets");
	ok(jail_params_parse_arg(&p, "ip4.addr=1.2.3.4,5.6.7.8") == 0 &&
	    (jp = jail_params_find(&p, "ip4.addr")) != NULL && jp->vals.n == 2,
	    "ip4.addr=a,b is two addresses");
	ok(jail_params_parse_arg(&p, "mount=a /b nullfs ro") == 0 &&
	    jail_params_parse_arg(&p, "mount+=c /d tmpfs rw") == 0 &&
	    jail_params_find(&p, "mount")->vals.n == 2, "mount+=");
	ok(jail_params_parse_arg(&p, "bogus") == -1, "bogus word");
	ok(jail_params_check(&p, 1) == 0, "check ok: %s", error_msg());
	jail_params_set(&p, "bogus.param", "1", 0);
	ok(jail_params_check(&p, 1) == -1 &&
	    strstr(error_msg(), "bogus.param") != NULL, "unknown named: %s",
	    error_msg());
	jail_params_free(&p);
	jail_params_set(&p, "path", "/", 0);
	ok(jail_params_check(&p, 0) == -1, "path cannot change: %s",
	    error_msg());
	jail_params_free(&p);
	ok(jail_name_check("12") == -1, "numeric name refused");
	ok(jail_name_check("a/b") == -1, "slash refused");
	ok(jail_name_check("web-1.x_y") == 0, "ordinary name");

	ok(jail_addr_parse("em0|10.1.2.3/255.255.255.0", AF_INET, a, &prefix,
	    text, sizeof(text)) == 0 && prefix == 24 &&
	    strcmp(text, "10.1.2.3") == 0, "iface|addr/dotted mask");
	ok(jail_addr_parse("fd00::1/64", AF_INET6, a, &prefix, text,
	    sizeof(text)) == 0 && prefix == 64, "IPv6 with prefix");
	ok(jail_addr_parse("10.1.2.3/33", AF_INET, a, &prefix, NULL, 0) == -1,
	    "prefix too long");
	ok(jail_mount_parse("/a\\040b /j/x nullfs ro 0 0", &m) == 0 &&
	    strcmp(m.src, "/a b") == 0 && strcmp(m.opts, "ro") == 0,
	    "fstab line with \\040");
	jail_mount_free(&m);
	ok(jail_mount_parse("tmpfs relative tmpfs", &m) == -1,
	    "relative mount point refused");
}

int
main(void)
{
	test_resolve();
	test_errors();
	test_args();
	return (done_testing());
}
