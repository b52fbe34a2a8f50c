/*
 * stasis hooks: adnanh/webhook's hooks files (JSON or YAML), rules,
 * parameters and command runs, served by base/http.  The daemon
 * (`stasis hooks`) and the node daemon both embed it through this API.
 */
#ifndef STASIS_HOOKS_H
#define STASIS_HOOKS_H

#include <sys/types.h>

#include <stddef.h>

#include "base/http.h"

#define HOOKS_VERSION		"2.8.0"	/* webhook's, as -version says */
#define HOOKS_MAX_FILE		(16u << 20)

struct hooks_opts {
	const char *const *files;	/* hooks files (JSON or YAML) */
	size_t		 nfiles;
	const char	*urlprefix;	/* NULL: "hooks"; "" serves /ID */
	int		 template;	/* files are Go templates (getenv) */
	const char	*http_methods;	/* default allowed, "POST,PUT" */
	const char *const *headers;	/* "Name=value" for every answer */
	size_t		 nheaders;
	int		 x_request_id;	/* use X-Request-Id as request id */
	size_t		 x_request_id_limit;	/* 0: no limit */
	long long	 max_multipart_mem;	/* 0: 1 MiB */
	int		 set_ids;	/* run commands as uid:gid */
	uid_t		 uid;
	gid_t		 gid;
	/* Beyond webhook. */
	unsigned int	 run_timeout_s;	/* 0: none; kills the group */
	unsigned int	 max_runs;	/* per hook at once; 0: no limit */
	size_t		 max_output;	/* captured output; 0: 16 MiB */
	int		 allow_empty;	/* open with no hooks loaded */
};

struct hooks;

/*
 * Load the files; NULL with error_set naming the file, hook and field on
 * bad configuration.  The options are copied.
 */
struct hooks	*hooks_open(const struct hooks_opts *);
/*
 * Serve one request: returns 1 when it was for a hook URL (under the
 * prefix) and was answered, or parked with http_defer() while the
 * command runs; 0 when the request is not ours (resp untouched).
 */
int		 hooks_handle(struct hooks *, struct http_request *,
		    struct http_response *);
/*
 * Re-read the files.  On error the running configuration stays and -1
 * is returned with error_set saying why.
 */
int		 hooks_reload(struct hooks *);
/*
 * Waits (up to 10 s) for running commands, then frees; with commands
 * still running it returns without freeing, for them.
 */
void		 hooks_close(struct hooks *);

/* The number of hooks loaded now. */
size_t		 hooks_count(struct hooks *);
/* Each hook's id and the environment names its command gets. */
void		 hooks_list_env(struct hooks *, struct buf *out);

/*
 * A whole standalone handler for http_server_opts: hooks, "/" answering
 * "OK", and webhook's 404 for anything else.  arg is the struct hooks.
 */
void		 hooks_http_handler(void *, struct http_request *,
		    struct http_response *);

#endif
