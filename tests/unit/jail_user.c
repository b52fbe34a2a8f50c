/*
 * Unit tests: passwd and group lookups in a jail's root (user.c), whose
 * files come from the image: bounded reads, regular files only, long
 * lines whole, and the parser from memory.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/path.h"
#include "jail/jail_impl.h"
#include "tap.h"

static char *root;

static void
put(const char *file, const char *text)
{
	char *p = xasprintf("%s/etc/%s", root, file);

	(void)unlink(p);
	if (file_write_atomic(p, text, strlen(text), 0644) == -1)
		fprintf(stderr, "# %s\n", error_msg());
	free(p);
}

static void
test_parse(void)
{
	static const char pw[] =
	    "# not an entry\n"
	    "root:x:0:0:root:/root:/bin/sh\n"
	    "short:x:7\n"
	    "bad:x:notanumber:1::/:/bin/sh\n"
	    "web:x:80:80:web server:/srv/www:\n"
	    "nohome:x:81:81:::/bin/false\n"
	    "web:x:99:99::/other:/bin/sh\n";
	static const char gr[] =
	    "wheel:x:0:root\n"
	    "www:x:80:\n"
	    "adm:x:4:web,root\n"
	    "log:x:5:root,web\n"
	    "junk:x:nope:web\n"
	    "short:x:6\n";
	static const char nul[] = "zz:x:1:1::/:/bin/sh\0evil:x:0:0::/:/bin/sh\n"
	    "ok:x:2:2::/:/bin/sh\n";
	struct jail_user u;

	ok(jail_user_parse(pw, strlen(pw), gr, strlen(gr), "web", &u) == 0,
	    "parse: web found");
	is_int(u.uid, 80, "web: uid (the first entry of that name)");
	is_int(u.gid, 80, "web: gid");
	is_str(u.home, "/srv/www", "web: home");
	is_str(u.shell, "/bin/sh", "web: empty shell is /bin/sh");
	is_int(u.ngroups, 3, "web: primary group and two more");
	ok(u.groups[0] == 80 && u.groups[1] == 4 && u.groups[2] == 5,
	    "web: groups 80 4 5 (junk with a bad gid skipped)");
	ok(jail_user_parse(pw, strlen(pw), NULL, 0, "nohome", &u) == 0,
	    "parse: no group file");
	is_str(u.home, "/", "nohome: empty home is /");
	is_int(u.ngroups, 1, "no group file: the primary group only");
	ok(jail_user_parse(pw, strlen(pw), gr, strlen(gr), "0", &u) == 0 &&
	    strcmp(u.name, "root") == 0, "a number names a uid");
	ok(jail_user_parse(pw, strlen(pw), gr, strlen(gr), "short", &u) == -1,
	    "an entry with too few fields is no entry");
	is_str(error_msg(), "unknown user \"short\"", "unknown user: message");
	ok(jail_user_parse(pw, strlen(pw), gr, strlen(gr), "bad", &u) == -1,
	    "an entry with a bad uid is no entry");
	ok(jail_user_parse(nul, sizeof(nul) - 1, NULL, 0, "evil", &u) == -1,
	    "a line with a NUL byte is no entry");
	ok(jail_user_parse(nul, sizeof(nul) - 1, NULL, 0, "ok", &u) == 0 &&
	    u.uid == 2, "the line after it is read");
	ok(jail_user_parse("", 0, NULL, 0, "root", &u) == -1, "empty passwd");
	{
		struct buf b = BUF_INIT;
		size_t i;

		buf_addstr(&b, "long:x:1:1::/");
		for (i = 0; i < 300; i++)
			buf_addstr(&b, "d");
		buf_addstr(&b, ":/bin/sh\n");
		ok(jail_user_parse(b.data, b.len, NULL, 0, "long", &u) == -1,
		    "a home too long for struct jail_user is refused");
		ok(strstr(error_msg(), "home directory longer than") != NULL,
		    "and says so: %s", error_msg());
		buf_free(&b);
	}
}

static void
on_alarm(int sig)
{
	(void)sig;
	printf("not ok - a lookup hung (alarm)\n");
	exit(1);
}

static void
test_lookup(void)
{
	struct jail_user u;
	struct buf b = BUF_INIT;
	char *p;
	size_t i;

	root = path_mkdtemp("/tmp/stasis-jailuser.XXXXXX");
	ok(root != NULL, "temp root");
	if (root == NULL)
		return;
	p = xasprintf("%s/etc", root);
	ok(mkdir(p, 0755) == 0, "mkdir etc");
	free(p);
	put("passwd", "root:x:0:0::/root:/bin/sh\nweb:x:80:80::/:/bin/sh\n");
	put("group", "adm:x:4:web\n");
	ok(jail_user_lookup(root, "web", &u) == 0 && u.uid == 80 &&
	    u.ngroups == 2 && u.groups[1] == 4, "lookup in a root");

	/*
	 * A line longer than any line buffer is one entry: its tail is not
	 * read as an entry of its own (here uid 0).
	 */
	/* 1023 bytes up to "root2": where a 1024-byte fgets buffer split. */
	buf_addstr(&b, "gecos:x:5000:5000:");
	for (i = 0; i < 1023 - strlen("gecos:x:5000:5000:"); i++)
		buf_addstr(&b, "A");
	buf_addstr(&b, "root2:x:0:0::/root:/bin/sh:/home:/bin/sh\n");
	buf_addstr(&b, "web:x:80:80::/:/bin/sh\n");
	put("passwd", buf_cstr(&b));
	ok(jail_user_lookup(root, "root2", &u) == -1,
	    "the tail of a long line is not an entry");
	ok(jail_user_lookup(root, "web", &u) == 0 && u.uid == 80,
	    "the entry after a long line is read");
	buf_free(&b);

	/* Image-controlled: /etc/passwd -> /dev/zero must not spin. */
	signal(SIGALRM, on_alarm);
	alarm(20);
	p = xasprintf("%s/etc/passwd", root);
	(void)unlink(p);
	ok(symlink("/dev/zero", p) == 0, "passwd -> /dev/zero");
	ok(jail_user_lookup(root, "web", &u) == -1,
	    "passwd -> /dev/zero: refused");
	ok(strstr(error_msg(), "not a regular file") != NULL,
	    "and says why: %s", error_msg());
	(void)unlink(p);
	ok(mkfifo(p, 0644) == 0, "passwd a FIFO");
	ok(jail_user_lookup(root, "web", &u) == -1 &&
	    strstr(error_msg(), "not a regular file") != NULL,
	    "a FIFO: refused, without waiting for a writer");
	(void)unlink(p);
	ok(jail_user_lookup(root, "web", &u) == -1 &&
	    strstr(error_msg(), "No such file") != NULL,
	    "no passwd: an error naming it");
	alarm(0);
	free(p);
	put("passwd", "web:x:80:80::/:/bin/sh\n");
	{
		int fd;

		p = xasprintf("%s/etc/group", root);
		(void)unlink(p);
		fd = creat(p, 0644);
		ok(fd != -1 && ftruncate(fd, (2 << 20)) == 0,
		    "a 2 MiB group file");
		if (fd != -1)
			close(fd);
		free(p);
	}
	ok(jail_user_lookup(root, "web", &u) == -1 &&
	    strstr(error_msg(), "larger than the limit") != NULL,
	    "a group file over 1 MiB: refused: %s", error_msg());
	p = xasprintf("%s/etc/group", root);
	(void)unlink(p);
	free(p);
	ok(jail_user_lookup(root, "web", &u) == 0 && u.ngroups == 1,
	    "no group file: the primary group only");
	(void)path_rmtree(root);
	free(root);
}

int
main(void)
{
	test_parse();
	test_lookup();
	return (done_testing());
}
