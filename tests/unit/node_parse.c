/* Unit tests: the node daemon's parsers (config, control, BIRD replies). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "node/node.h"
#include "node/node_int.h"
#include "tap.h"

static struct node_config *
cfg(const char *text)
{
	return (node_config_parse(text, strlen(text), "serve.conf"));
}

static void
test_config(void)
{
	struct node_config *cf;
	int ms;

	ok(parse_duration_ms("2s", &ms) == 0 && ms == 2000, "2s");
	ok(parse_duration_ms("250ms", &ms) == 0 && ms == 250, "250ms");
	ok(parse_duration_ms("1.5", &ms) == 0 && ms == 1500, "bare seconds");
	ok(parse_duration_ms("1m", &ms) == 0 && ms == 60000, "1m");
	ok(parse_duration_ms("2x", &ms) == -1, "bad unit refused");
	ok(parse_duration_ms("-1s", &ms) == -1, "negative refused");

	cf = cfg("listen: [127.0.0.1:8080, '[::1]:8080']\n"
	    "agent: 127.0.0.1:8081\n"
	    "apps:\n"
	    "  web:\n"
	    "    jail: web\n"
	    "    weight: 80\n"
	    "    check: {http: 'http://10.0.0.2:8000/health', expect: 200,"
	    " interval: 1s, timeout: 500ms, rise: 2, fall: 3}\n"
	    "  db:\n"
	    "    check: {tcp: '10.0.0.3:5432'}\n"
	    "  job:\n"
	    "    check: {command: [/bin/true, x]}\n"
	    "lb: {haproxy: /run/haproxy.sock, backend: web, interval: 1s}\n"
	    "bgp:\n"
	    "  socket: /run/bird.ctl\n"
	    "  withdraw_within: 10s\n"
	    "  prefixes:\n"
	    "    192.0.2.1/32: {protocol: anycast_web, apps: [web]}\n"
	    "    2001:db8::1/128: {protocol: anycast6}\n");
	ok(cf != NULL, "a full config loads: %s", cf ? "" : error_msg());
	if (cf != NULL) {
		is_int(cf->napps, 3, "three apps");
		is_str(cf->apps[0].check.host, "10.0.0.2", "http host");
		is_str(cf->apps[0].check.port, "8000", "http port");
		is_str(cf->apps[0].check.path, "/health", "http path");
		is_int(cf->apps[0].check.fall, 3, "fall");
		is_int(cf->apps[0].weight, 80, "weight");
		is_int(cf->apps[2].check.argv.n, 2, "command argv");
		is_int(cf->nprefixes, 2, "two prefixes");
		is_int(cf->prefixes[0].napps, 1, "prefix gated on one app");
		is_int(cf->withdraw_ms, 10000, "withdraw_within");
		is_str(cf->lb.backend, "web", "lb backend");
		node_config_free(cf);
	}

	cf = cfg("apps: {web: {check: {http: 'http://h/', tcp: 'h:1'}}}\n");
	ok(cf == NULL && strstr(error_msg(), "more than one") != NULL,
	    "two check types refused: %s", error_msg());
	node_config_free(cf);
	cf = cfg("apps: {web: {chek: {}}}\n");
	ok(cf == NULL && strstr(error_msg(), "unknown key \"chek\"") != NULL,
	    "typo refused: %s", error_msg());
	node_config_free(cf);
	cf = cfg("apps: {web: {check: {tcp: 'h:1', interval: 2s, fall: 3}}}\n"
	    "bgp: {socket: /s, withdraw_within: 5s, prefixes: "
	    "{192.0.2.1/32: {protocol: p}}}\n");
	ok(cf == NULL && strstr(error_msg(), "cannot be kept") != NULL,
	    "an unkeepable withdraw_within refused: %s", error_msg());
	node_config_free(cf);
	cf = cfg("apps: {web: {}}\nbgp: {socket: /s, prefixes: "
	    "{192.0.2.1/33: {protocol: p}}}\n");
	ok(cf == NULL, "bad prefix refused: %s", error_msg());
	node_config_free(cf);
	cf = cfg("apps: {web: {}}\nbgp: {socket: /s, prefixes: "
	    "{192.0.2.1/32: {protocol: 'p; disable all'}}}\n");
	ok(cf == NULL, "a protocol name that is not one refused: %s",
	    error_msg());
	node_config_free(cf);
	cf = cfg("apps: {'../x': {}}\n");
	ok(cf == NULL, "bad app name refused");
	node_config_free(cf);
	cf = cfg("apps: {web: {check: {http: 'http://h/', timeout: 3s, "
	    "interval: 1s}}}\n");
	ok(cf == NULL && strstr(error_msg(), "longer than interval"),
	    "timeout > interval refused");
	node_config_free(cf);
}

static void
test_ctl(void)
{
	struct node_ctl_cmd c;

	ok(node_ctl_parse("status\n", 7, &c) == 0 && c.op == CTL_STATUS,
	    "status");
	ok(node_ctl_parse("drain web", 9, &c) == 0 && c.op == CTL_DRAIN &&
	    strcmp(c.app, "web") == 0, "drain web");
	ok(node_ctl_parse("undrain web 75%", 15, &c) == 0 &&
	    c.op == CTL_UNDRAIN && c.weight == 75, "undrain web 75%%");
	ok(node_ctl_parse("weight web 101", 14, &c) == -1, "weight > 100");
	ok(node_ctl_parse("drain", 5, &c) == -1, "drain without app");
	ok(node_ctl_parse("drain a/b", 9, &c) == -1, "bad app name");
	ok(node_ctl_parse("reload\n", 7, &c) == 0 && c.op == CTL_RELOAD,
	    "reload");
	ok(node_ctl_parse("reload now", 10, &c) == -1, "reload takes no word");
	ok(node_ctl_parse("reboot", 6, &c) == -1, "unknown request");
	ok(node_ctl_parse("", 0, &c) == -1, "empty request");
}

static void
test_bird(void)
{
	struct bird_line bl;
	const char *rep =
	    "2002-Name       Proto      Table      State  Since         Info\n"
	    "1002-anycast_web Static     master4    up     20:06:19.649  \n"
	    "0000 \n";

	ok(bird_parse_line("0001 BIRD 2.0.12 ready.", &bl) == 0 &&
	    bl.code == 1 && bl.last, "greeting");
	ok(bird_parse_line("1002-x", &bl) == 0 && bl.code == 1002 &&
	    !bl.last, "continued reply line");
	ok(bird_parse_line(" Hostname is vm", &bl) == 0 && bl.code == -1,
	    "continuation line");
	ok(bird_parse_line("+async", &bl) == 0 && bl.code == -1, "async");
	ok(bird_parse_line("12x4 a", &bl) == -1, "garbage refused");
	ok(bird_parse_line("0000", &bl) == 0 && bl.last, "bare 0000");
	is_int(bird_protocol_state(rep, "anycast_web"), 1, "protocol up");
	is_int(bird_protocol_state(
	    "1002-anycast_web Static master4 down 20:06:19.649\n0000 \n",
	    "anycast_web"), 0, "protocol down");
	is_int(bird_protocol_state(rep, "other"), -1, "other protocol");
	is_int(bird_protocol_state("9001 syntax error\n", "x"), -1,
	    "error reply");
}

static void
test_probe(void)
{
	static const char *lines[] = {
		"# pxname,svname,qcur,status,weight",
		"fe,FRONTEND,,OPEN,",
		"web,web1,0,UP,1",
		"web,web2,0,UP 1/3,1",
		"web,web3,0,NOLB,1",
		"web,web4,0,DOWN,1\r",
		"web,BACKEND,0,UP,3",
		"webx,w,0,UP,1",
		"web",
		NULL
	};
	struct hap_stat st;
	char b[128];
	int i;

	hap_stat_init(&st);
	strcpy(b, "web,web1,0,UP,1");
	hap_stat_line(&st, b, "web");
	is_int(st.total, 0, "show stat: nothing counts before the header");
	for (i = 0; lines[i] != NULL; i++) {
		strcpy(b, lines[i]);
		hap_stat_line(&st, b, "web");
	}
	is_int(st.stcol, 3, "show stat: the status column from the header");
	is_int(st.total, 4, "show stat: web's servers, not its BACKEND row");
	is_int(st.up, 2, "show stat: UP and UP 1/3 are up, NOLB/DOWN not");
	hap_stat_init(&st);
	strcpy(b, "No such proxy.");
	hap_stat_line(&st, b, "web");
	ok(st.noproxy, "show stat: No such proxy.");
	is_int(http_status_code("HTTP/1.1 204 No Content\r\n", 25), 204,
	    "HTTP status 204");
	is_int(http_status_code("HTTP/1.0 404\r\n", 14), 404,
	    "HTTP/1.0 404, no reason");
	is_int(http_status_code("HTTP/1.1 20", 11), -1, "cut short");
	is_int(http_status_code("HTTP/1.1 2x0 OK", 15), -1, "not digits");
	is_int(http_status_code("SSH-2.0-OpenSSH", 15), -1, "not HTTP");
}

int
main(void)
{
	test_config();
	test_ctl();
	test_bird();
	test_probe();
	return (done_testing());
}
