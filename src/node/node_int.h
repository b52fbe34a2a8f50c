/*
 * Internal to src/node: the configuration and the daemon's state, shared
 * by its files.  Everything else goes through node.h.
 */
#ifndef STASIS_NODE_INT_H
#define STASIS_NODE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/buf.h"
#include "node.h"

#define NAME_MAX_LEN	63
#define MAX_APPS	256
#define MAX_PREFIXES	64
#define MAX_LISTEN	16

enum check_type {
	CHECK_NONE = 0,		/* only the jail must run */
	CHECK_HTTP,
	CHECK_TCP,
	CHECK_COMMAND,
	CHECK_HAPROXY		/* stats socket answers, a server UP */
};

struct check_conf {
	enum check_type	 type;
	char		*host;		/* http, tcp */
	char		*port;
	char		*path;		/* http */
	char		*hosthdr;	/* http: Host header */
	int		 expect;	/* http: status; 0: any 2xx/3xx */
	struct strv	 argv;		/* command */
	char		*socket;	/* haproxy */
	char		*backend;	/* haproxy: a server of it UP */
	int		 timeout_ms;
	int		 interval_ms;
	int		 rise;
	int		 fall;
};

struct app_conf {
	char		 name[NAME_MAX_LEN + 1];
	char		*jail;		/* NULL: no jail */
	int		 weight;	/* agent weight, percent */
	struct check_conf check;
};

struct prefix_conf {
	char		*prefix;	/* "192.0.2.1/32" */
	char		 protocol[NAME_MAX_LEN + 1];	/* BIRD's */
	size_t		*apps;		/* indexes; 0: all */
	size_t		 napps;
};

struct node_config {
	struct strv	 listen;	/* HTTP "addr:port" */
	char		*agent;		/* "addr:port" or NULL */
	char		*control;
	char		*state;
	char		*rundir;	/* NULL: jail_rundir() */
	char		*hooks;		/* a hooks file to serve too */
	char		*tls_cert;	/* HTTPS on every listener when set */
	char		*tls_key;
	char		*tls_client_ca;	/* and mTLS when this is set too */
	int		 jails_ttl_ms;
	int		 threads;
	int		 state_max_age_s;
	int		 agent_wait_ms;
	int		 hooks_max_runs;	/* per hook at once; 0: no limit */
	int		 hooks_run_timeout_ms;	/* 0: none */
	struct app_conf	*apps;
	size_t		 napps;
	int		 has_lb;
	struct check_conf lb;
	char		*bird_socket;	/* NULL: no BGP gate */
	int		 withdraw_ms;
	int		 bird_interval_ms;
	int		 withdraw_on_exit;
	struct prefix_conf *prefixes;
	size_t		 nprefixes;
};

enum admin { ADMIN_READY = 0, ADMIN_DRAIN, ADMIN_MAINT };

struct health {
	int		 up;
	int		 nok;		/* consecutive passes */
	int		 nfail;		/* consecutive failures */
	int		 checked;	/* at least one probe ran */
	int64_t		 since;		/* wall clock, seconds */
	int		 jail_running;
	char		 msg[160];	/* last probe's result */
};

struct checker;

/* Heap-allocated, so that a reload can keep it while the table moves. */
struct app_state {
	struct health	 h;
	enum admin	 admin;
	int		 weight;
	atomic_int	 code;		/* /_up/APP, read lock-free */
	struct checker	*ck;		/* its check's thread */
};

/*
 * One check's thread.  It owns copies of what it probes, so a reload can
 * free the configuration under it; it writes into *h only under the
 * mutex and only while stop is clear, so a retired checker that is still
 * inside a probe drops its result instead of touching a freed app.
 */
struct checker {
	struct checker	*next;		/* on the retired list */
	struct node	*n;
	struct health	*h;
	struct check_conf c;
	char		*jail;		/* NULL: none */
	char		 what[96];	/* "app web", "lb" */
	int		 stop;		/* under mtx */
	int		 started;
	pthread_t	 thr;
};

struct prefix_state {
	int		 want;		/* the gate says announce */
	int		 bird;		/* BIRD: 1 up, 0 down, -1 ? */
	int64_t		 since;
};

struct jails_cache;
struct hooks;

struct node {
	/*
	 * A reload swaps cf, apps and px together while holding cf_lock for
	 * writing and mtx: the HTTP workers find an app under cf_lock read,
	 * everything else reads them under mtx or on the main thread (which
	 * is the one that reloads).
	 */
	struct node_config *cf;
	pthread_rwlock_t cf_lock;
	pthread_mutex_t	 mtx;		/* the states below */
	struct app_state **apps;	/* parallel to cf->apps */
	struct health	 lb;
	struct prefix_state *px;	/* parallel to cf->prefixes */
	unsigned int	 px_gen;	/* bumped when px moves */
	struct strv	 bird_retire;	/* protocols to disable: removed */
	char		*bird_socket;	/* the gate thread's, under mtx */
	atomic_int	 up_code;	/* /_up's status */
	int		 bird_ok;
	char		 bird_msg[256];
	int64_t		 started;

	pthread_mutex_t	 save_mtx;
	pthread_cond_t	 cv;		/* stop: wakes the checkers */
	pthread_cond_t	 gate_cv;	/* wakes the BGP gate */
	int		 gate_kick;
	atomic_int	 stop;

	struct checker	*lbck;
	struct checker	*retired;	/* stopped, to be joined */
	pthread_t	 bird_thr;
	int		 bird_started;

	struct jails_cache *jails;
	struct http_server *http[MAX_LISTEN];
	size_t		 nhttp;
	struct http_tls	*tls;		/* what the listeners serve, or NULL */
	void		*hooks;		/* HTTP workers: under cf_lock */
	int		 hooks_capable;	/* started with hooks (body limit) */
	char		*hooks_file;	/* the one open */
	void		*old_hooks[16];	/* replaced, closed at stop */
	size_t		 nold_hooks;
	atomic_int	 jails_ttl_ms;
	char		*rundir;	/* fixed at start; NULL: jail's */

	/* Reload: the file and flags to read again. */
	char		*conf_path;	/* NULL: flags only */
	struct strv	 sets;		/* key, value, key, value... */
	char		*opt_hooks;	/* -H, wins over the file's */
	int64_t		 loaded;	/* wall clock of the running config */
	int64_t		 reload_tried;
	char		 reload_error[512];	/* last failed reload, or "" */

	int		 ep;
	int		 sigfd;
	int		 timerfd;
	int		 ctlfd;
	int		 agentfd;
	int		 inofd;
	int		 wds[1024];	/* inotify watches we hold */
	size_t		 nwds;
	unsigned int	 ticks;
	struct lconn	*conns;
	size_t		 nconns[2];	/* by listener: control, agent */
};

/* web.c: the TLS of serve.conf's tls: block, read (for a reload). */
struct http_tls *web_tls_load(const struct node_config *);

/* config.c */
int	 parse_duration_ms(const char *, int *);
int	 split_hostport(const char *, char **host, char **port);
void	 check_conf_free(struct check_conf *);
void	 check_conf_copy(struct check_conf *, const struct check_conf *);
int	 check_conf_equal(const struct check_conf *,
	    const struct check_conf *);

/* state.c */
int64_t	 now_wall(void);
int64_t	 now_mono_ms(void);
struct timespec;
/* For condition variables on CLOCK_MONOTONIC. */
void	 mono_ts(int64_t, struct timespec *);
const char *admin_name(enum admin);
int	 app_serving(const struct app_state *);
int	 gate_want(struct node *, size_t prefix);	/* under mtx */
void	 state_update_gate(struct node *);		/* under mtx */
void	 state_publish(struct node *);		/* under mtx */
void	 state_load(struct node *);
void	 state_save(struct node *);
void	 state_status_json(struct node *, struct buf *); /* locks */
int	 health_record(struct node *, struct health *,
	    const struct check_conf *, int ok, int jail_running,
	    const char *what, const char *msg);	/* under mtx */

/* health.c */
int	 probe(const struct check_conf *, char *msg, size_t msglen);
int	 health_start(struct node *);
void	 health_join(struct node *);
/* Start the check of an app (a == NULL: of the load balancer). */
struct checker *checker_start(struct node *, const struct app_conf *,
	    struct app_state *);
/* Under mtx: tell a checker to stop; it goes on the retired list. */
void	 checker_retire(struct node *, struct checker *);
/* Join the retired checkers that have finished (all: wait for them). */
void	 checker_reap(struct node *, int all);

/* agent.c */
void	 agent_reply(struct node *, const char *app, struct buf *);

/* bgp.c */
int	 bgp_start(struct node *);
void	 bgp_join(struct node *);

/* reload.c */
int	 node_reload(struct node *, struct buf *summary);

/* ctl.c */
void	 ctl_execute(struct node *, const char *line, size_t len,
	    struct buf *reply);

/* web.c */
int	 web_start(struct node *, const struct node_opts *);
void	 web_stop(struct node *);
void	 web_jails_invalidate(struct node *);

/* hooksio.c: the hooks feature, when it is built */
struct http_request;
struct http_response;
int	 node_hooks_open(struct node *, const struct node_config *,
	    const char *file);
int	 node_hooks_handle(struct node *, struct http_request *,
	    struct http_response *);	/* 0: answered */
void	 node_hooks_close(struct node *);
void	*node_hooks_load(const struct node_config *, const char *file);
int	 node_hooks_reread(struct node *);
void	 node_hooks_retire(struct node *, void *);
size_t	 node_hooks_count(void *);

/* jailio.c: the jail feature, when it is built */
int	 node_jail_running(struct node *, const char *jail);
int	 node_jails_json(struct node *, struct buf *);
const char *node_rundir(struct node *);

#endif
