/*
 * hooks rules: signatures with prefixes and lists, IP ranges, and the
 * and/or/not error semantics webhook has.
 */
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/encode.h"
#include "base/err.h"
#include "base/tree.h"
#include "hooks/hooks_int.h"
#include "tap.h"

static struct hconf *
load(const char *json)
{
	json_t *j = tree_load_buf(json, strlen(json), TREE_JSON, "t.json");
	struct hconf *c = conf_parse(j, "t.json");

	json_decref(j);
	if (c == NULL)
		printf("# %s\n", error_msg());
	return (c);
}

static int
eval(const char *rule, struct hreq *q, int *err)
{
	char *doc = xasprintf("[{\"id\": \"h\", \"trigger-rule\": %s}]", rule);
	struct hconf *c = load(doc);
	int rv = -9;

	free(doc);
	if (c != NULL) {
		q->soft_failures = 0;
		rv = rule_eval(c->hooks[0].rule, q, err, 0);
		conf_free(c);
	}
	return (rv);
}

int
main(void)
{
	unsigned char mac[64];
	char hex[129], sig[400];
	const char *body = "{\"a\":1}";
	struct hreq q;
	struct cidr cs[2];
	int err, n;

	/* Signatures. */
	n = hmac("sha256", "k", 1, body, strlen(body), mac);
	hex_encode(mac, (size_t)n, hex);
	ok(check_signature("sha256", "sha256=", body, strlen(body), "k", hex),
	    "bare hex signature");
	snprintf(sig, sizeof(sig), "sha256=%s", hex);
	ok(check_signature("sha256", "sha256=", body, strlen(body), "k", sig),
	    "prefixed signature");
	snprintf(sig, sizeof(sig), "sha256=00,sha256=%s", hex);
	ok(check_signature("sha256", "sha256=", body, strlen(body), "k", sig),
	    "second of a comma-separated list");
	snprintf(sig, sizeof(sig), "sha256=00,%s", hex);
	ok(!check_signature("sha256", "sha256=", body, strlen(body), "k",
	    sig), "in a list, only prefixed parts count");
	ok(!check_signature("sha256", "sha256=", body, strlen(body), "x",
	    hex), "wrong secret");
	hex[10] = hex[10] == 'a' ? 'b' : 'a';
	ok(!check_signature("sha256", "sha256=", body, strlen(body), "k",
	    hex), "one changed digit");
	ok(!check_signature("sha1", "sha1=", "", 0, "k", ""),
	    "empty signature");

	/* IP ranges. */
	ok(parse_cidr("10.0.0.0/8", &cs[0]) == 0 && parse_cidr("::1",
	    &cs[1]) == 0, "parse ranges");
	is_int(ip_in_cidrs("10.1.2.3:5555", cs, 1), 1, "inside /8");
	is_int(ip_in_cidrs("11.1.2.3:5555", cs, 1), 0, "outside /8");
	is_int(ip_in_cidrs("[::ffff:10.0.0.1]:1", cs, 1), 1,
	    "v4-mapped address in a v4 range");
	is_int(ip_in_cidrs("nonsense", cs, 1), -1, "bad remote address");
	ok(parse_cidr("10.0.0.0/33", &cs[0]) == -1, "bad prefix length");
	ok(parse_cidr("x/8", &cs[0]) == -1, "bad address");

	/* Rule semantics. */
	memset(&q, 0, sizeof(q));
	q.headers = json_pack("{s:s}", "X-A", "1");
	q.query = json_object();
	q.body = body;
	q.body_len = strlen(body);
	strcpy(q.remote, "127.0.0.1:1");
	is_int(eval("{\"match\": {\"type\": \"value\", \"value\": \"1\", "
	    "\"parameter\": {\"source\": \"header\", \"name\": \"x-a\"}}}", &q,
	    &err), 1, "value match on a canonicalised header");
	is_int(eval("{\"not\": {\"match\": {\"type\": \"value\", \"value\": "
	    "\"1\", \"parameter\": {\"source\": \"header\", \"name\": "
	    "\"x-b\"}}}}", &q, &err), 1, "not of a missing parameter is true");
	is_int(err, RULE_ERR_PARAM, "... with a parameter error");
	is_int(eval("{\"and\": [{\"match\": {\"type\": \"value\", \"value\": "
	    "\"1\", \"parameter\": {\"source\": \"header\", \"name\": "
	    "\"x-b\"}}}]}", &q, &err), 0, "and with a missing parameter");
	is_int(eval("{\"or\": [{\"match\": {\"type\": \"payload-hmac-sha1\", "
	    "\"secret\": \"s\", \"parameter\": {\"source\": \"header\", "
	    "\"name\": \"x-a\"}}}, {\"match\": {\"type\": \"value\", "
	    "\"value\": \"1\", \"parameter\": {\"source\": \"header\", "
	    "\"name\": \"x-a\"}}}]}", &q, &err), 0,
	    "or stops at a bad signature");
	is_int(err, RULE_ERR_SIG, "... with a signature error");
	is_int(eval("{\"and\": []}", &q, &err), 1, "empty and is true");
	is_int(eval("{}", &q, &err), 0, "empty rule is false");
	is_int(eval("{\"match\": {\"type\": \"regex\", \"regex\": \"^1$\", "
	    "\"parameter\": {\"source\": \"header\", \"name\": \"X-A\"}}}", &q,
	    &err), 1, "regex");
	/*
	 * A pattern whose first branch backtracks 2^21 times before the
	 * second matches: PCRE2's default limit (10M) lets it match, ours
	 * (1M) stops it, so the value is taken as not matching.
	 */
	json_object_set_new(q.headers, "X-Evil",
	    json_string("aaaaaaaaaaaaaaaaaaaaa"));
	is_int(eval("{\"match\": {\"type\": \"regex\", \"regex\": "
	    "\"^(?:(a+)+b|a{21})$\", \"parameter\": {\"source\": "
	    "\"header\", \"name\": \"X-Evil\"}}}", &q, &err), 0,
	    "a match past a million steps is no match");
	is_int(eval("{\"match\": {\"type\": \"regex\", \"regex\": "
	    "\"^(?:(a+)+b|a{21})$|^a{21}$\", \"parameter\": {\"source\": "
	    "\"header\", \"name\": \"X-Evil\"}}}", &q, &err), 0,
	    "(whichever branch would have matched later)");
	is_int(eval("{\"match\": {\"type\": \"regex\", \"regex\": "
	    "\"^a{21}$\", \"parameter\": {\"source\": \"header\", "
	    "\"name\": \"X-Evil\"}}}", &q, &err), 1,
	    "the same value matches a sane pattern");
	is_int(eval("{\"match\": {\"type\": \"ip-whitelist\", \"ip-range\": "
	    "\"127.0.0.1\"}}", &q, &err), 1, "ip-whitelist");
	is_int(eval("{\"match\": {\"type\": \"scalr-signature\", "
	    "\"secret\": \"s\"}}", &q, &err), 0,
	    "scalr without its headers is false");
	is_int(err, 0, "... without an error");
	{
		/* Keyed-once HMAC against OpenSSL's, with a long key. */
		const char *algs[] = { "sha1", "sha256", "sha512" };
		char key[301], rule[1200];
		int i;

		memset(key, 'k', 300);
		key[300] = '\0';
		for (i = 0; i < 3; i++) {
			n = hmac(algs[i], key, 300, body, strlen(body), mac);
			hex_encode(mac, (size_t)n, hex);
			json_object_set_new(q.headers, "X-S", json_string(hex));
			snprintf(rule, sizeof(rule), "{\"match\": {\"type\": "
			    "\"payload-hmac-%s\", \"secret\": \"%s\", "
			    "\"parameter\": {\"source\": \"header\", "
			    "\"name\": \"X-S\"}}}", algs[i], key);
			is_int(eval(rule, &q, &err), 1, algs[i]);
			q.body_len--;
			is_int(eval(rule, &q, &err), 0, "changed body");
			q.body_len++;
		}
	}
	json_decref(q.headers);
	json_decref(q.query);
	return (done_testing());
}
