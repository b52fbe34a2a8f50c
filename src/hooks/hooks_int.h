/*
 * Internals of src/hooks shared between its files; not an API.
 */
#ifndef STASIS_HOOKS_INT_H
#define STASIS_HOOKS_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <jansson.h>

#include "base/buf.h"
#include "hooks.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define HOOKS_MAX_DEPTH		64	/* rules and payload nesting */

enum src {
	SRC_NONE = 0,
	SRC_HEADER,
	SRC_URL,		/* "url" and "query" */
	SRC_PAYLOAD,
	SRC_RAW_BODY,		/* "raw-request-body" */
	SRC_REQUEST,
	SRC_STRING,
	SRC_ENTIRE_PAYLOAD,
	SRC_ENTIRE_HEADERS,
	SRC_ENTIRE_QUERY
};

struct harg {
	enum src	 src;
	char		*source;	/* as written */
	char		*name;
	char		*envname;
	int		 base64;
};

enum rule_kind { RULE_NONE = 0, RULE_AND, RULE_OR, RULE_NOT, RULE_MATCH };
enum match_kind {
	M_VALUE = 1, M_REGEX, M_HMAC1, M_HMAC256, M_HMAC512, M_IPWL, M_SCALR
};

struct cidr {
	int		 family;	/* 4 or 6 */
	unsigned char	 addr[16];
	int		 bits;
};

struct rule {
	enum rule_kind	 kind;
	struct rule	*kids;		/* and/or: n; not: 1 */
	size_t		 nkids;
	/* match */
	enum match_kind	 mkind;
	char		*type;
	char		*value;
	char		*regex;
	pcre2_code	*re;
	char		*secret;
	char		*ip_range;
	struct cidr	*cidrs;
	size_t		 ncidrs;
	struct harg	 param;
	void		*mac;		/* keyed HMAC state (rules.c) */
};

struct hhook {
	char		*id;
	char		*command;
	char		*cwd;
	char		*response_message;
	struct strv	 resp_headers;	/* "Name: value" */
	int		 capture;
	int		 capture_on_error;
	struct harg	*env;
	size_t		 nenv;
	struct harg	*args;
	size_t		 nargs;
	struct harg	*files;
	size_t		 nfiles;
	struct harg	*json_params;
	size_t		 njson;
	struct rule	*rule;		/* NULL: always */
	int		 mismatch_code;
	int		 soft_failures;
	char		*content_type;
	int		 success_code;
	struct strv	 methods;	/* upper-cased, trimmed */
	int		 has_methods;
	atomic_uint	*running;	/* shared across reloads, by id */
};

struct hconf {
	atomic_int	 ref;
	struct hhook	*hooks;
	size_t		 n;
};

/* The per-request view that rules and parameters read. */
struct hreq {
	char		 id[64];
	const char	*method;
	char		 remote[80];	/* "ip:port" as Go prints it */
	const char	*remote_ip;
	json_t		*headers;	/* canonical name -> first value */
	json_t		*query;		/* name -> first value */
	json_t		*payload;	/* object, or NULL */
	const char	*body;
	size_t		 body_len;
	const char	*content_type;
	int		 soft_failures;
	/*
	 * Built on first use from raw (NULL: the fields above are given):
	 * most requests that fail need neither the payload nor the maps.
	 */
	struct http_request *raw;
	int		 lazy;		/* LAZY_* bits still to build */
};
#define LAZY_HEADERS	0x1
#define LAZY_QUERY	0x2
#define LAZY_PAYLOAD	0x4
json_t		*hreq_headers(struct hreq *);
json_t		*hreq_query(struct hreq *);
json_t		*hreq_payload(struct hreq *);

/* config.c */
struct hconf	*conf_load(const struct hooks_opts *);
struct hconf	*conf_parse(json_t *, const char *file);
void		 conf_free(struct hconf *);
void		 harg_free(struct harg *);
void		 rule_free(struct rule *);
int		 parse_cidr(const char *, struct cidr *);

/* template.c: webhook's -template, the getenv/cat subset. */
int		 template_expand(const char *, size_t, const char *name,
		    struct buf *out);

/* params.c */
void		 canonical_header(const char *, char *, size_t);
/*
 * A parameter's value as webhook's Argument.Get gives it: 0 and a
 * malloc'd string, or -1 when the parameter is absent.
 */
int		 harg_get(const struct harg *, struct hreq *, char **);
/* Go's json.Marshal of a tree (sorted keys, HTML-safe escapes). */
void		 go_json(struct buf *, json_t *);
/* Go's fmt "%v" of a scalar, or go_json of a container. */
char		*go_string(json_t *);
void		 hreq_parse_json_params(const struct hhook *, struct hreq *);

/*
 * rules.c: 1 satisfied, 0 not; *err says why it could not be decided:
 * a missing parameter ("not satisfied" to webhook) or a signature or
 * other error (webhook's 500).
 */
#define RULE_ERR_PARAM	1
#define RULE_ERR_SIG	2
#define RULE_ERR_OTHER	3
int		 rule_eval(const struct rule *, struct hreq *, int *err,
		    int depth);
int		 ip_in_cidrs(const char *remote, const struct cidr *, size_t);
int		 check_signature(const char *alg, const char *prefix,
		    const char *body, size_t, const char *secret,
		    const char *sig);
/* HMAC keyed once at load; each request only copies the state. */
void		*mac_new(const char *alg, const char *key);
void		 mac_free(void *);

/* body.c */
#define BODY_MULTIPART_ERR	(-2)
int		 body_parse(const struct hhook *, struct hreq *,
		    long long max_multipart_mem);
json_t		*body_json(const char *, size_t);
json_t		*body_form(const char *, size_t);
int		 form_parse(const char *, size_t, json_t *);
json_t		*body_xml(const char *, size_t);
int		 body_multipart(const char *, size_t, const char *ctype,
		    const struct hhook *, long long maxmem, json_t **out);

/* run.c */
struct run_result {
	int		 started;	/* the command was found and ran */
	int		 exit_code;
	int		 signo;
	int		 timed_out;
	struct buf	 out;
};
struct job;
struct spawn_proc;
struct job	*job_prepare(const struct hhook *, struct hreq *);
struct spawn_proc *job_start(struct job *, const struct hooks_opts *);
void		 job_finish(struct job *, struct spawn_proc *,
		    struct run_result *);
void		 job_free(struct job *);

/*
 * runner.c: one thread watches every running command through its pidfd
 * and pipes, instead of a thread per run.  It starts with the first run.
 * done is called on the runner's thread with started == 0 when the
 * command could not start; res->out is the callee's to free.
 */
struct runner;
typedef void	(*runner_done_fn)(void *arg, struct run_result *res);
struct runner	*runner_new(const struct hooks_opts *);
int		 runner_add(struct runner *, struct job *, runner_done_fn,
		    void *arg);
void		 runner_free(struct runner *);

#endif
