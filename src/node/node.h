/*
 * The node daemon (stasis serve): jail state and app health for haproxy
 * (GET /jails, GET /_up[/APP], the agent-check protocol), the operator's
 * drain/undrain through a control socket, and the BGP gate that keeps an
 * anycast prefix announced through BIRD only while this node can serve.
 *
 * cmd_serve.c and cmd_ctl.c are thin over this header.
 */
#ifndef STASIS_NODE_H
#define STASIS_NODE_H

#include <stddef.h>

#include "base/buf.h"

#define NODE_DEFAULT_CONFIG	"/usr/local/etc/stasis/serve.conf"
#define NODE_DEFAULT_CONTROL	"/var/run/stasis-serve.sock"
#define NODE_DEFAULT_STATE	"/var/db/stasis/serve.state"
#define NODE_MAX_CONFIG		(1u << 20)

struct node_config;
struct node;

/* Load and check a serve.conf (YAML or JSON); NULL and error_set. */
struct node_config	*node_config_load(const char *path);
struct node_config	*node_config_parse(const char *, size_t,
			    const char *name);
/* An empty configuration (no apps), for running on flags alone. */
struct node_config	*node_config_new(void);
void			 node_config_free(struct node_config *);

/* Command-line overrides, applied on top of the file. */
int	node_config_set(struct node_config *, const char *key,
	    const char *value);
const char *node_config_control(const struct node_config *);

struct node_opts {
	const char	*hooks_file;	/* --hooks: the webhooks too */
	int		 hooks_verbose;
	const char	*config_file;	/* read again on reload; NULL: none */
	const char *const *sets;	/* key, value pairs (node_config_set) */
	size_t		 nsets;		/* pairs; applied again on reload */
};

/*
 * Start everything (HTTP listeners, agent port, control socket, health
 * checks, the BGP gate).  Takes ownership of the config.
 */
struct node	*node_start(struct node_config *, const struct node_opts *);
/*
 * Run until SIGTERM/SIGINT; SIGHUP reads the configuration file again
 * and applies what changed (or keeps the running one when the new one
 * is bad), and reloads the hooks.  Returns 0.
 */
int		 node_run(struct node *);
void		 node_stop(struct node *);

/*
 * Control-socket client: send one request line ("drain web"), put the
 * daemon's JSON answer in reply.  -1 and error_set when the daemon
 * cannot be reached or refuses the request.
 */
int	node_ctl(const char *sock, const char *request, struct buf *reply);
/* The status JSON as the human table `stasis status` prints. */
int	node_status_format(const char *json, struct buf *out);
/* A reload answer as `stasis reload` prints it: "FILE: CHANGES". */
int	node_reload_format(const char *json, struct buf *out);
/* The status document alone, as `stasis status --json` prints it. */
int	node_status_json(const char *json, struct buf *out);

/* Parsers of untrusted input, exposed for the unit and fuzz tests. */
enum node_ctl_op {
	CTL_STATUS = 1,
	CTL_DRAIN,
	CTL_MAINT,
	CTL_UNDRAIN,
	CTL_WEIGHT,
	CTL_RELOAD
};

struct node_ctl_cmd {
	enum node_ctl_op op;
	char		 app[64];
	int		 weight;	/* -1: unchanged */
};

#define NODE_CTL_MAX_LINE	1024

int	node_ctl_parse(const char *line, size_t len, struct node_ctl_cmd *);

/* One line of a BIRD control-socket reply ("0000 ", "1002-...", " ..."). */
struct bird_line {
	int		 code;		/* -1: continuation or async */
	int		 last;		/* ends the reply */
	const char	*text;
};

int	bird_parse_line(const char *line, struct bird_line *);

/*
 * From a complete "show protocols NAME" reply, the protocol's State
 * column: 1 "up", 0 anything else, -1 (error_set) when it is not there.
 */
int	bird_protocol_state(const char *reply, const char *name);

/*
 * haproxy's "show stat" CSV, one line at a time (modified in place), so
 * that a reply of any size is read without holding it: the "# pxname,..."
 * header gives the status column, then each server line of the backend
 * counts (FRONTEND and BACKEND rows do not), UP ones apart.
 */
struct hap_stat {
	int	 stcol;		/* the status column, -1 before the header */
	int	 up, total;	/* the backend's servers */
	int	 noproxy;	/* haproxy said "No such proxy." */
};

void	hap_stat_init(struct hap_stat *);
void	hap_stat_line(struct hap_stat *, char *line, const char *backend);

/* An HTTP response's status code from its first bytes, or -1. */
int	http_status_code(const char *resp, size_t len);

#endif
