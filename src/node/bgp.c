/*
 * The BGP gate: each anycast prefix is a static protocol in bird.conf
 * (`disabled yes`, so a BIRD that starts without us announces nothing);
 * we enable it while the gate is open and disable it when not, through
 * BIRD's control socket, the protocol birdc speaks:
 *
 *	0001 BIRD 2.0.12 ready.			(greeting)
 *	show protocols anycast_web
 *	2002-Name       Proto      Table      State  Since         Info
 *	1002-anycast_web Static     master4    up     20:06:19.649
 *	0000
 *
 * A reply is lines "DDDD-text" (more follow) or "DDDD text" (the last),
 * " text" continues the previous line, "+text" is asynchronous; codes
 * from 8000 up are errors.  Every `interval` (and at once when the gate
 * changes) the thread compares BIRD's state with the gate's and fixes the
 * difference, so a restarted or reconfigured BIRD is put right within an
 * interval.  See stasis-serve.conf(5) for the bird.conf fragment.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "node_int.h"

#define BIRD_TIMEOUT_S	2
#define BIRD_MAX_REPLY	(1u << 20)

int
bird_parse_line(const char *line, struct bird_line *bl)
{
	int i, code = 0;

	bl->code = -1;
	bl->last = 0;
	bl->text = "";
	if (line[0] == '+' || line[0] == ' ') {
		bl->text = line + 1;
		return (0);
	}
	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)line[i]))
			return (error_set("BIRD: unexpected line \"%.40s\"",
			    line));
		code = code * 10 + (line[i] - '0');
	}
	if (line[4] == '\0' || line[4] == ' ') {
		bl->last = 1;
		bl->text = line[4] ? line + 5 : line + 4;
	} else if (line[4] == '-')
		bl->text = line + 5;
	else
		return (error_set("BIRD: unexpected line \"%.40s\"", line));
	bl->code = code;
	return (0);
}

int
bird_protocol_state(const char *reply, const char *name)
{
	struct bird_line bl;
	const char *p = reply, *nl;
	char line[512], f[4][64];
	size_t n;
	int found = -1;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : p + strlen(p);
		if (bird_parse_line(line, &bl) == -1)
			return (-1);
		if (bl.code >= 8000)
			return (error_set("BIRD: %s", bl.text));
		if (bl.code != 1002)
			continue;
		if (sscanf(bl.text, "%63s %63s %63s %63s", f[0], f[1], f[2],
		    f[3]) != 4 || strcmp(f[0], name) != 0)
			continue;
		found = strcmp(f[3], "up") == 0;
	}
	if (found == -1)
		return (error_set("BIRD: no protocol %s", name));
	return (found);
}

struct bird_conn {
	int		 fd;
	struct buf	 in;		/* read past the last reply */
};

static void
bird_close(struct bird_conn *b)
{
	if (b->fd != -1)
		close(b->fd);
	b->fd = -1;
	buf_reset(&b->in);
}

/* Read one whole reply into out; returns its final code or -1. */
static int
bird_read_reply(struct bird_conn *b, struct buf *out)
{
	struct bird_line bl;
	char tmp[8192], *nl;
	ssize_t r;
	size_t n;

	buf_reset(out);
	for (;;) {
		while (b->in.len > 0 &&
		    (nl = memchr(b->in.data, '\n', b->in.len)) != NULL) {
			*nl = '\0';
			n = (size_t)(nl - b->in.data) + 1;
			if (bird_parse_line(b->in.data, &bl) == -1)
				return (-1);
			if (b->in.data[0] != '+') {
				buf_add(out, b->in.data, n - 1);
				buf_addc(out, '\n');
			}
			memmove(b->in.data, b->in.data + n, b->in.len - n);
			b->in.len -= n;
			b->in.data[b->in.len] = '\0';
			if (bl.last)
				return (bl.code);
		}
		if (b->in.len + out->len > BIRD_MAX_REPLY)
			return (error_set("BIRD: reply too long"));
		r = read(b->fd, tmp, sizeof(tmp));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0)
			return (error_set("BIRD closed the connection"));
		if (r == -1)
			return (error_sys("BIRD: read"));
		buf_add(&b->in, tmp, (size_t)r);
	}
}

static int
bird_open(struct bird_conn *b, const char *path)
{
	struct sockaddr_un sun;
	struct timeval tv = { BIRD_TIMEOUT_S, 0 };
	struct buf rep = BUF_INIT;
	int code;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return (error_set("%s: path too long", path));
	strcpy(sun.sun_path, path);
	if ((b->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (error_sys("socket"));
	setsockopt(b->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(b->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(b->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		error_sys("connect %s", path);
		bird_close(b);
		return (-1);
	}
	code = bird_read_reply(b, &rep);
	buf_free(&rep);
	if (code != 1) {
		if (code != -1)
			error_set("%s: no BIRD greeting (code %04d)", path,
			    code);
		bird_close(b);
		return (-1);
	}
	return (0);
}

static int
bird_cmd(struct bird_conn *b, const char *cmd, struct buf *reply)
{
	struct buf line = BUF_INIT;
	int r;

	buf_printf(&line, "%s\n", cmd);
	r = (int)send(b->fd, line.data, line.len, MSG_NOSIGNAL);
	buf_free(&line);
	if (r != (int)strlen(cmd) + 1)
		return (error_sys("BIRD: send"));
	return (bird_read_reply(b, reply));
}

static void
set_bird_msg(struct node *n, int ok, const char *msg)
{
	pthread_mutex_lock(&n->mtx);
	if (ok != n->bird_ok || strcmp(msg, n->bird_msg) != 0) {
		if (ok && !n->bird_ok)
			log_info("bgp: connected to BIRD at %s",
			    n->cf->bird_socket);
		else if (!ok && strcmp(msg, n->bird_msg) != 0)
			log_warn("bgp: %s", msg);
	}
	n->bird_ok = ok;
	str_lcpy(n->bird_msg, msg, sizeof(n->bird_msg));
	pthread_mutex_unlock(&n->mtx);
}

/*
 * Make BIRD agree with the gate for one prefix.  Returns -1 on a
 * connection failure (reconnect), 0 otherwise (a protocol BIRD does not
 * know is reported, not fatal: the other prefixes still go on).
 */
static int
reconcile(struct node *n, struct bird_conn *b, size_t i, int force,
    int want_override)
{
	struct prefix_conf *p = &n->cf->prefixes[i];
	struct buf rep = BUF_INIT;
	char cmd[128];
	int want, st, code;

	pthread_mutex_lock(&n->mtx);
	want = want_override >= 0 ? want_override : n->px[i].want;
	pthread_mutex_unlock(&n->mtx);
	snprintf(cmd, sizeof(cmd), "show protocols %s", p->protocol);
	if ((code = bird_cmd(b, cmd, &rep)) == -1)
		goto fail;
	if ((st = bird_protocol_state(buf_cstr(&rep), p->protocol)) == -1) {
		error_wrap("prefix %s: is \"protocol static %s\" in "
		    "bird.conf?", p->prefix, p->protocol);
		goto soft;
	}
	if (st != want || force) {
		snprintf(cmd, sizeof(cmd), "%s %s", want ? "enable" :
		    "disable", p->protocol);
		if ((code = bird_cmd(b, cmd, &rep)) == -1)
			goto fail;
		if (code >= 8000) {
			error_set("BIRD: %s: %s", cmd, buf_cstr(&rep));
			goto soft;
		}
		if (st != want)
			log_info("bgp: %s %s: BIRD: %s", want ? "announced" :
			    "withdrew", p->prefix, cmd);
		st = want;
	}
	pthread_mutex_lock(&n->mtx);
	n->px[i].bird = st;
	pthread_mutex_unlock(&n->mtx);
	buf_free(&rep);
	return (0);
soft:
	pthread_mutex_lock(&n->mtx);
	n->px[i].bird = -1;
	pthread_mutex_unlock(&n->mtx);
	buf_free(&rep);
	return (1);
fail:
	buf_free(&rep);
	return (-1);
}

static void *
bgp_main(void *arg)
{
	struct node *n = arg;
	struct bird_conn b = { -1, BUF_INIT };
	struct timespec ts;
	int64_t next;
	size_t i;
	int r = 0, soft, was_ok = 0;

	while (!atomic_load(&n->stop)) {
		next = now_mono_ms() + n->cf->bird_interval_ms;
		if (b.fd == -1 && bird_open(&b, n->cf->bird_socket) == -1) {
			set_bird_msg(n, 0, error_msg());
			pthread_mutex_lock(&n->mtx);
			for (i = 0; i < n->cf->nprefixes; i++)
				n->px[i].bird = -1;
			pthread_mutex_unlock(&n->mtx);
			was_ok = 0;
		} else {
			soft = 0;
			for (i = 0; i < n->cf->nprefixes; i++) {
				if ((r = reconcile(n, &b, i, 0, -1)) == -1)
					break;
				if (r == 1 && !soft) {
					soft = 1;
					set_bird_msg(n, 1, error_msg());
				}
			}
			if (r == -1) {
				set_bird_msg(n, 0, error_msg());
				bird_close(&b);
				/* BIRD went away: try again at once. */
				if (was_ok) {
					was_ok = 0;
					continue;
				}
			} else {
				if (!soft)
					set_bird_msg(n, 1, "");
				was_ok = 1;
			}
		}
		pthread_mutex_lock(&n->mtx);
		mono_ts(next, &ts);
		while (!atomic_load(&n->stop) && !n->gate_kick &&
		    now_mono_ms() < next)
			pthread_cond_timedwait(&n->gate_cv, &n->mtx, &ts);
		n->gate_kick = 0;
		pthread_mutex_unlock(&n->mtx);
	}
	/*
	 * By default the routes stay as they are: a restart of the daemon
	 * must not flap them, and the state file carries the gate over.
	 */
	if (n->cf->withdraw_on_exit) {
		if (b.fd == -1)
			(void)bird_open(&b, n->cf->bird_socket);
		for (i = 0; b.fd != -1 && i < n->cf->nprefixes; i++)
			if (reconcile(n, &b, i, 0, 0) == -1)
				break;
	}
	bird_close(&b);
	buf_free(&b.in);
	return (NULL);
}

int
bgp_start(struct node *n)
{
	if (n->cf->bird_socket == NULL || n->cf->nprefixes == 0)
		return (0);
	if ((errno = pthread_create(&n->bird_thr, NULL, bgp_main, n)) != 0)
		return (error_sys("start the BGP gate thread"));
	n->bird_started = 1;
	return (0);
}

void
bgp_join(struct node *n)
{
	if (!n->bird_started)
		return;
	pthread_mutex_lock(&n->mtx);
	pthread_cond_broadcast(&n->gate_cv);
	pthread_mutex_unlock(&n->mtx);
	pthread_join(n->bird_thr, NULL);
	n->bird_started = 0;
}
