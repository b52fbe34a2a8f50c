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

#include <arpa/inet.h>

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
set_bird_msg(struct node *n, const char *sock, int ok, const char *msg)
{
	pthread_mutex_lock(&n->mtx);
	if (ok != n->bird_ok || strcmp(msg, n->bird_msg) != 0) {
		if (ok && !n->bird_ok)
			log_info("bgp: connected to BIRD at %s", sock);
		else if (!ok && strcmp(msg, n->bird_msg) != 0)
			log_warn("bgp: %s", msg);
	}
	n->bird_ok = ok;
	str_lcpy(n->bird_msg, msg, sizeof(n->bird_msg));
	str_utf8_clean(n->bird_msg);
	pthread_mutex_unlock(&n->mtx);
}

/* What one pass works on, copied under the mutex. */
struct gate_item {
	char		 protocol[NAME_MAX_LEN + 1];
	char		 prefix[INET6_ADDRSTRLEN + 8];
	int		 want;
	int		 bird;		/* result: 1 up, 0 down, -1 ? */
};

struct gate_snap {
	char		*sock;
	int		 interval_ms;
	int		 withdraw_on_exit;
	unsigned int	 gen;
	struct gate_item px[MAX_PREFIXES];
	size_t		 npx;
	struct gate_item *retire;
	size_t		 nretire;
};

static void
snap_take(struct node *n, struct gate_snap *g)
{
	size_t i;

	pthread_mutex_lock(&n->mtx);
	free(g->sock);
	g->sock = n->bird_socket ? xstrdup(n->bird_socket) : NULL;
	g->interval_ms = n->cf->bird_interval_ms;
	g->withdraw_on_exit = n->cf->withdraw_on_exit;
	g->gen = n->px_gen;
	g->npx = n->cf->nprefixes;
	for (i = 0; i < g->npx; i++) {
		str_lcpy(g->px[i].protocol, n->cf->prefixes[i].protocol,
		    sizeof(g->px[i].protocol));
		str_lcpy(g->px[i].prefix, n->cf->prefixes[i].prefix,
		    sizeof(g->px[i].prefix));
		g->px[i].want = n->px[i].want;
	}
	free(g->retire);
	g->nretire = n->bird_retire.n;
	g->retire = xcalloc(g->nretire + 1, sizeof(*g->retire));
	for (i = 0; i < g->nretire; i++) {
		str_lcpy(g->retire[i].protocol, n->bird_retire.v[i],
		    sizeof(g->retire[i].protocol));
		str_lcpy(g->retire[i].prefix, "(removed)",
		    sizeof(g->retire[i].prefix));
	}
	pthread_mutex_unlock(&n->mtx);
}

/*
 * Make BIRD agree with the gate for one protocol.  Returns -1 on a
 * connection failure (reconnect), 1 when BIRD does not know the protocol
 * or refuses (reported, not fatal: the other prefixes still go on), 0
 * otherwise.  Only a difference is acted on: a prefix whose protocol is
 * already in the wanted state is never touched, which is what keeps a
 * reload or a restart from flapping it.
 */
static int
reconcile(struct bird_conn *b, struct gate_item *it, int want)
{
	struct buf rep = BUF_INIT;
	char cmd[128];
	int st, code;

	it->bird = -1;
	snprintf(cmd, sizeof(cmd), "show protocols %s", it->protocol);
	if ((code = bird_cmd(b, cmd, &rep)) == -1)
		goto fail;
	if ((st = bird_protocol_state(buf_cstr(&rep), it->protocol)) == -1) {
		error_wrap("prefix %s: is \"protocol static %s\" in "
		    "bird.conf?", it->prefix, it->protocol);
		goto soft;
	}
	if (st != want) {
		snprintf(cmd, sizeof(cmd), "%s %s", want ? "enable" :
		    "disable", it->protocol);
		if ((code = bird_cmd(b, cmd, &rep)) == -1)
			goto fail;
		if (code >= 8000) {
			error_set("BIRD: %s: %s", cmd, buf_cstr(&rep));
			goto soft;
		}
		log_info("bgp: %s %s: BIRD: %s", want ? "announced" :
		    "withdrew", it->prefix, cmd);
		st = want;
	}
	it->bird = st;
	buf_free(&rep);
	return (0);
soft:
	buf_free(&rep);
	return (1);
fail:
	buf_free(&rep);
	return (-1);
}

/* A removed prefix's protocol is off (or unknown to BIRD): forget it. */
static void
retire_done(struct node *n, const char *protocol)
{
	struct strv keep = { 0 };
	size_t i;

	pthread_mutex_lock(&n->mtx);
	for (i = 0; i < n->bird_retire.n; i++)
		if (strcmp(n->bird_retire.v[i], protocol) != 0)
			strv_push(&keep, n->bird_retire.v[i]);
	strv_free(&n->bird_retire);
	n->bird_retire = keep;
	pthread_mutex_unlock(&n->mtx);
}

/* One pass over the snapshot; -1 when the connection failed. */
static int
gate_pass(struct node *n, struct bird_conn *b, struct gate_snap *g,
    int *soft)
{
	size_t i;
	int r;

	*soft = 0;
	for (i = 0; i < g->npx; i++) {
		if ((r = reconcile(b, &g->px[i], g->px[i].want)) == -1)
			return (-1);
		if (r == 1 && !*soft) {
			*soft = 1;
			set_bird_msg(n, g->sock, 1, error_msg());
		}
		pthread_mutex_lock(&n->mtx);
		if (g->gen == n->px_gen)
			n->px[i].bird = g->px[i].bird;
		pthread_mutex_unlock(&n->mtx);
	}
	for (i = 0; i < g->nretire; i++) {
		if ((r = reconcile(b, &g->retire[i], 0)) == -1)
			return (-1);
		if (r == 0)
			log_info("bgp: protocol %s of a removed prefix is "
			    "disabled", g->retire[i].protocol);
		else
			log_warn("bgp: removed prefix: %s", error_msg());
		retire_done(n, g->retire[i].protocol);
	}
	return (0);
}

static void *
bgp_main(void *arg)
{
	struct node *n = arg;
	struct bird_conn b = { -1, BUF_INIT };
	struct gate_snap g;
	struct timespec ts;
	char *connected = NULL;		/* the socket b is connected to */
	int64_t next;
	size_t i;
	int soft, was_ok = 0;

	memset(&g, 0, sizeof(g));
	while (!atomic_load(&n->stop)) {
		snap_take(n, &g);
		next = now_mono_ms() + g.interval_ms;
		/* A reload moved the gate to another BIRD. */
		if (b.fd != -1 && (g.sock == NULL || connected == NULL ||
		    strcmp(g.sock, connected) != 0))
			bird_close(&b);
		if (g.sock == NULL || (g.npx == 0 && g.nretire == 0)) {
			/* Nothing to do (every prefix removed by a reload). */
		} else if (b.fd == -1 && bird_open(&b, g.sock) == -1) {
			set_bird_msg(n, g.sock, 0, error_msg());
			pthread_mutex_lock(&n->mtx);
			for (i = 0; g.gen == n->px_gen && i < g.npx; i++)
				n->px[i].bird = -1;
			pthread_mutex_unlock(&n->mtx);
			was_ok = 0;
		} else {
			free(connected);
			connected = xstrdup(g.sock);
			if (gate_pass(n, &b, &g, &soft) == -1) {
				set_bird_msg(n, g.sock, 0, error_msg());
				bird_close(&b);
				/* BIRD went away: try again at once. */
				if (was_ok) {
					was_ok = 0;
					continue;
				}
			} else {
				if (!soft)
					set_bird_msg(n, g.sock, 1, "");
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
	snap_take(n, &g);
	if (g.withdraw_on_exit && g.sock != NULL) {
		if (b.fd == -1)
			(void)bird_open(&b, g.sock);
		for (i = 0; b.fd != -1 && i < g.npx; i++)
			if (reconcile(&b, &g.px[i], 0) == -1)
				break;
	}
	bird_close(&b);
	buf_free(&b.in);
	free(connected);
	free(g.sock);
	free(g.retire);
	return (NULL);
}

int
bgp_start(struct node *n)
{
	if (n->bird_started || n->cf->bird_socket == NULL ||
	    n->cf->nprefixes == 0)
		return (0);
	pthread_mutex_lock(&n->mtx);
	free(n->bird_socket);
	n->bird_socket = xstrdup(n->cf->bird_socket);
	pthread_mutex_unlock(&n->mtx);
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
