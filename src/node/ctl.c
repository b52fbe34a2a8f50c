/*
 * The control socket: one request line per connection, one JSON answer.
 *
 *	status
 *	drain APP
 *	maint APP
 *	undrain APP [PERCENT]
 *	weight APP PERCENT
 *	reload
 *
 * The socket is created mode 0600: whoever can write to it can take the
 * node out of service.  The answer is {"ok": true, ...} or {"ok": false,
 * "error": "..."}.
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

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/file.h"
#include "base/log.h"
#include "node_int.h"

#define CTL_MAX_REPLY	(4u << 20)
#define CTL_TIMEOUT_S	5

int
node_ctl_parse(const char *line, size_t len, struct node_ctl_cmd *cmd)
{
	char buf[NODE_CTL_MAX_LINE + 1], *words[4], *p, *save = NULL;
	size_t nw = 0, i;
	long long w;

	memset(cmd, 0, sizeof(*cmd));
	cmd->weight = -1;
	if (len > NODE_CTL_MAX_LINE)
		return (error_set("request longer than %d bytes",
		    NODE_CTL_MAX_LINE));
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL)
		return (error_set("NUL in request"));
	for (p = strtok_r(buf, " \t\r\n", &save); p != NULL;
	    p = strtok_r(NULL, " \t\r\n", &save)) {
		if (nw == 4)
			return (error_set("too many words"));
		words[nw++] = p;
	}
	if (nw == 0)
		return (error_set("empty request"));
	if (strcmp(words[0], "status") == 0) {
		if (nw != 1)
			return (error_set("usage: status"));
		cmd->op = CTL_STATUS;
		return (0);
	}
	if (strcmp(words[0], "reload") == 0) {
		if (nw != 1)
			return (error_set("usage: reload"));
		cmd->op = CTL_RELOAD;
		return (0);
	}
	if (strcmp(words[0], "drain") == 0 && nw == 2)
		cmd->op = CTL_DRAIN;
	else if (strcmp(words[0], "maint") == 0 && nw == 2)
		cmd->op = CTL_MAINT;
	else if (strcmp(words[0], "undrain") == 0 && (nw == 2 || nw == 3))
		cmd->op = CTL_UNDRAIN;
	else if (strcmp(words[0], "weight") == 0 && nw == 3)
		cmd->op = CTL_WEIGHT;
	else
		return (error_set("unknown request \"%.32s\" (want status, "
		    "reload, drain APP, maint APP, undrain APP [PCT], "
		    "weight APP PCT)",
		    words[0]));
	if (strlen(words[1]) >= sizeof(cmd->app))
		return (error_set("app name too long"));
	for (i = 0; words[1][i] != '\0'; i++)
		if (!isalnum((unsigned char)words[1][i]) &&
		    strchr("_-.", words[1][i]) == NULL)
			return (error_set("bad app name"));
	str_lcpy(cmd->app, words[1], sizeof(cmd->app));
	if (nw == 3) {
		p = words[2];
		if (p[0] != '\0' && p[strlen(p) - 1] == '%')
			p[strlen(p) - 1] = '\0';
		if (str_tonum(p, 0, 100, &w) == -1)
			return (error_set("weight: want a percentage 0-100"));
		cmd->weight = (int)w;
	}
	return (0);
}

static void
reply_error(struct buf *reply, const char *msg)
{
	buf_addstr(reply, "{\"ok\": false, \"error\": ");
	buf_add_json_str(reply, msg);
	buf_addstr(reply, "}\n");
}

void
ctl_execute(struct node *n, const char *line, size_t len, struct buf *reply)
{
	struct node_ctl_cmd cmd;
	struct app_state *a;
	enum admin was;
	int wasw;
	size_t i;

	if (node_ctl_parse(line, len, &cmd) == -1) {
		reply_error(reply, error_msg());
		return;
	}
	if (cmd.op == CTL_STATUS) {
		buf_addstr(reply, "{\"ok\": true, \"status\": ");
		state_status_json(n, reply);
		buf_addstr(reply, "}\n");
		return;
	}
	if (cmd.op == CTL_RELOAD) {
		struct buf sum = BUF_INIT;

		if (node_reload(n, &sum) == -1)
			reply_error(reply, error_msg());
		else {
			buf_addstr(reply, "{\"ok\": true, \"file\": ");
			if (n->conf_path != NULL)
				buf_add_json_str(reply, n->conf_path);
			else
				buf_addstr(reply, "null");
			buf_addstr(reply, ", \"changes\": ");
			buf_add_json_str(reply, buf_cstr(&sum));
			buf_addstr(reply, "}\n");
		}
		buf_free(&sum);
		return;
	}
	pthread_mutex_lock(&n->mtx);
	for (i = 0; i < n->cf->napps; i++)
		if (strcmp(n->cf->apps[i].name, cmd.app) == 0)
			break;
	if (i == n->cf->napps) {
		pthread_mutex_unlock(&n->mtx);
		error_set("no app \"%s\" in the configuration", cmd.app);
		reply_error(reply, error_msg());
		return;
	}
	a = n->apps[i];
	was = a->admin;
	wasw = a->weight;
	switch (cmd.op) {
	case CTL_DRAIN:
		a->admin = ADMIN_DRAIN;
		break;
	case CTL_MAINT:
		a->admin = ADMIN_MAINT;
		break;
	case CTL_UNDRAIN:
		a->admin = ADMIN_READY;
		break;
	default:
		break;
	}
	if (cmd.weight >= 0)
		a->weight = cmd.weight;
	state_update_gate(n);
	buf_printf(reply, "{\"ok\": true, \"app\": ");
	buf_add_json_str(reply, cmd.app);
	buf_printf(reply, ", \"admin\": \"%s\", \"was\": \"%s\", "
	    "\"weight\": %d}\n", admin_name(a->admin), admin_name(was),
	    a->weight);
	if (was != a->admin || wasw != a->weight)
		log_info("app %s: %s -> %s, weight %d%% (operator)",
		    cmd.app, admin_name(was), admin_name(a->admin),
		    a->weight);
	pthread_mutex_unlock(&n->mtx);
	state_save(n);
}

int
node_ctl(const char *path, const char *request, struct buf *reply)
{
	struct sockaddr_un sun;
	struct timeval tv = { CTL_TIMEOUT_S, 0 };
	json_t *root, *e;
	json_error_t jerr;
	int fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return (error_set("%s: path too long", path));
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (error_sys("socket"));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		r = errno;
		close(fd);
		errno = r;
		return (error_set("connect %s: %s%s", path, strerror(r),
		    r == ENOENT || r == ECONNREFUSED ?
		    " (is stasis serve running?)" : ""));
	}
	if (file_write_all(fd, request, strlen(request)) == -1 ||
	    file_write_all(fd, "\n", 1) == -1) {
		close(fd);
		return (error_wrap("%s", path));
	}
	shutdown(fd, SHUT_WR);
	r = file_read_fd(fd, CTL_MAX_REPLY, reply);
	close(fd);
	if (r == -1)
		return (error_wrap("%s", path));
	root = json_loadb(reply->data ? reply->data : "", reply->len, 0,
	    &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		return (error_set("%s: not a stasis serve answer", path));
	}
	if (!json_is_true(json_object_get(root, "ok"))) {
		e = json_object_get(root, "error");
		error_set("%s", json_is_string(e) ? json_string_value(e) :
		    "refused");
		json_decref(root);
		return (-1);
	}
	json_decref(root);
	return (0);
}

static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return (json_is_string(v) ? json_string_value(v) : "-");
}

static void
fmt_since(json_t *o, char *out, size_t len)
{
	json_t *v = json_object_get(o, "since");
	time_t t;
	struct tm tm;

	if (!json_is_integer(v) || json_integer_value(v) == 0) {
		snprintf(out, len, "-");
		return;
	}
	t = (time_t)json_integer_value(v);
	localtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

int
node_status_json(const char *text, struct buf *out)
{
	json_t *root, *st;
	json_error_t jerr;
	char *s;

	root = json_loads(text, 0, &jerr);
	st = json_object_get(root, "status");
	if (!json_is_object(st)) {
		json_decref(root);
		return (error_set("not a status answer"));
	}
	s = json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_addstr(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(root);
	return (0);
}

int
node_reload_format(const char *text, struct buf *out)
{
	json_t *root, *f, *c;
	json_error_t jerr;

	root = json_loads(text, 0, &jerr);
	f = json_object_get(root, "file");
	c = json_object_get(root, "changes");
	if (!json_is_string(c)) {
		json_decref(root);
		return (error_set("not a reload answer"));
	}
	buf_printf(out, "reloaded %s: %s\n", json_is_string(f) ?
	    json_string_value(f) : "(no file)", json_string_value(c));
	json_decref(root);
	return (0);
}

int
node_status_format(const char *text, struct buf *out)
{
	json_t *root, *st, *apps, *a, *lb, *bgp, *px, *cfg;
	json_error_t jerr;
	size_t i;
	char since[32];

	root = json_loads(text, 0, &jerr);
	st = json_object_get(root, "status");
	if (!json_is_object(st)) {
		json_decref(root);
		return (error_set("not a status answer"));
	}
	apps = json_object_get(st, "apps");
	buf_printf(out, "%-16s %-12s %-7s %-6s %-6s %-19s %s\n", "APP", "JAIL",
	    "ADMIN", "WEIGHT", "HEALTH", "SINCE", "CHECK");
	json_array_foreach(apps, i, a) {
		fmt_since(a, since, sizeof(since));
		buf_printf(out, "%-16s %-12s %-7s %5lld%% %-6s %-19s %s: %s\n",
		    jstr(a, "name"), jstr(a, "jail"), jstr(a, "admin"),
		    (long long)json_integer_value(json_object_get(a,
		    "weight")), jstr(a, "health"), since, jstr(a, "check"),
		    jstr(a, "message"));
	}
	cfg = json_object_get(st, "config");
	if (json_is_object(cfg) && json_is_string(json_object_get(cfg,
	    "file"))) {
		json_t *lo = json_pack("{s:O}", "since",
		    json_object_get(cfg, "loaded"));

		fmt_since(lo, since, sizeof(since));
		json_decref(lo);
		buf_printf(out, "\nconfig: %s, loaded %s\n", jstr(cfg, "file"),
		    since);
		if (json_is_string(json_object_get(cfg, "reload_error")))
			buf_printf(out, "last reload FAILED, running the "
			    "configuration loaded above: %s\n",
			    jstr(cfg, "reload_error"));
	}
	lb = json_object_get(st, "lb");
	if (json_is_object(lb)) {
		fmt_since(lb, since, sizeof(since));
		buf_printf(out, "\nload balancer: %s since %s (%s: %s)\n",
		    jstr(lb, "health"), since, jstr(lb, "check"),
		    jstr(lb, "message"));
	}
	bgp = json_object_get(st, "bgp");
	if (json_is_object(bgp)) {
		buf_printf(out, "\nBIRD %s: %s%s%s\n", jstr(bgp, "socket"),
		    json_is_true(json_object_get(bgp, "connected")) ?
		    "connected" : "not connected",
		    *jstr(bgp, "message") ? ", " : "", jstr(bgp, "message"));
		buf_printf(out, "%-24s %-20s %-9s %-7s %s\n", "PREFIX",
		    "PROTOCOL", "GATE", "BIRD", "SINCE");
		json_array_foreach(json_object_get(bgp, "prefixes"), i, px) {
			fmt_since(px, since, sizeof(since));
			buf_printf(out, "%-24s %-20s %-9s %-7s %s\n",
			    jstr(px, "prefix"), jstr(px, "protocol"),
			    json_is_true(json_object_get(px, "announce")) ?
			    "announce" : "withdraw", jstr(px, "bird"), since);
		}
	}
	json_decref(root);
	return (0);
}
