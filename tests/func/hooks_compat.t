#!/usr/bin/env python3
# Side by side with Debian's webhook 2.8.0: one hooks file, one request
# set, both daemons on loopback; the status, the body, the headers that
# matter and what the command received (argv, environment, files) must
# be the same.
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from hookslib import *  # noqa

if not os.access(WEBHOOK, os.X_OK):
    skip_all("Debian's webhook is not installed")

d = tmpdir()
rec = recorder(d)

# -version: the same line (drop-in scripts parse it), status and stderr.
got = {}
for argv in ([WEBHOOK], [STASIS, "hooks"]):
    r = subprocess.run(argv + ["-version"], capture_output=True, text=True,
                       timeout=30)
    got[argv[0]] = (r.returncode, r.stdout, r.stderr)
is_(got[STASIS], got[WEBHOOK], "-version: the same output")
cwd = os.path.join(d, "cwd")
os.mkdir(cwd)
os.symlink(rec, os.path.join(cwd, "rel-record"))


def arg(src, name=None, **kw):
    a = {"source": src}
    if name is not None:
        a["name"] = name
    a.update(kw)
    return a


def match(typ, param=None, **kw):
    m = {"type": typ}
    if param:
        m["parameter"] = param
    m.update(kw)
    return {"match": m}


hooks = [
    {"id": "all", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [
         arg("payload", "a.b"), arg("payload", "list.1"),
         arg("payload", "list.2.x"), arg("payload", "a"),
         arg("payload", "n"), arg("payload", "f"), arg("payload", "t"),
         arg("payload", "z"), arg("payload", "dotted.key"),
         arg("payload", "missing"), arg("header", "x-foo"),
         arg("url", "q"), arg("query", "q2"), arg("request", "method"),
         arg("request", "remote-addr"), arg("request", "Method"),
         arg("string", "literal value"), arg("raw-request-body"),
         arg("entire-payload"), arg("entire-query"),
         arg("payload", "html")],
     "pass-environment-to-command": [
         arg("payload", "a.b"), arg("header", "X-Foo", envname="X_FOO"),
         arg("payload", "nope"), arg("url", "q", envname="X_Q")],
     "pass-file-to-command": [
         arg("payload", "a.b"), arg("payload", "b64", base64decode=True,
                                   envname="X_B64FILE")]},
    {"id": "headers-all", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [arg("entire-headers")]},
    {"id": "jsonparam", "execute-command": rec,
     "include-command-output-in-response": True,
     "parse-parameters-as-json": [arg("payload", "inner"),
                                  arg("header", "X-Json")],
     "pass-arguments-to-command": [arg("payload", "inner.k"),
                                   arg("payload", "inner.l.0"),
                                   arg("header", "X-Json.h")]},
    {"id": "sha1", "execute-command": "/bin/true",
     "response-message": "signed1",
     "trigger-rule": match("payload-hmac-sha1", arg("header",
                           "X-Hub-Signature"), secret="s1")},
    {"id": "sha256", "execute-command": "/bin/true",
     "response-message": "signed256",
     "trigger-rule": match("payload-hmac-sha256", arg("header",
                           "X-Hub-Signature-256"), secret="s256")},
    {"id": "sha512", "execute-command": "/bin/true",
     "response-message": "signed512",
     "trigger-rule": match("payload-hmac-sha512", arg("url", "sig"),
                           secret="s512")},
    {"id": "hash256", "execute-command": "/bin/true",
     "response-message": "deprecated alias",
     "trigger-rule": match("payload-hash-sha256", arg("header",
                           "X-Hub-Signature-256"), secret="s256")},
    {"id": "soft", "execute-command": "/bin/true",
     "response-message": "soft ok",
     "trigger-signature-soft-failures": True,
     "trigger-rule": {"or": [
         match("payload-hmac-sha1", arg("header", "X-Sig"), secret="x"),
         match("value", arg("url", "token"), value="letmein")]}},
    {"id": "hard", "execute-command": "/bin/true",
     "response-message": "hard ok",
     "trigger-rule": {"or": [
         match("payload-hmac-sha1", arg("header", "X-Sig"), secret="x"),
         match("value", arg("url", "token"), value="letmein")]}},
    {"id": "ipwl", "execute-command": "/bin/true", "response-message": "ip",
     "trigger-rule": match("ip-whitelist", **{"ip-range": "10.0.0.0/8 127.0.0.1"})},
    {"id": "ipwl-no", "execute-command": "/bin/true",
     "trigger-rule": match("ip-whitelist", **{"ip-range": "10.0.0.0/8"})},
    {"id": "regex", "execute-command": "/bin/true", "response-message": "re",
     "trigger-rule": match("regex", arg("payload", "ref"),
                           regex="^refs/heads/(main|master)$")},
    {"id": "logic", "execute-command": "/bin/true",
     "response-message": "logic",
     "trigger-rule": {"and": [
         {"or": [match("value", arg("url", "a"), value="1"),
                 match("value", arg("url", "b"), value="1")]},
         {"not": match("value", arg("url", "c"), value="1")}]}},
    {"id": "not-missing", "execute-command": "/bin/true",
     "response-message": "not missing",
     "trigger-rule": {"not": match("value", arg("url", "c"), value="1")}},
    {"id": "mismatch", "execute-command": "/bin/true",
     "trigger-rule-mismatch-http-response-code": 418,
     "trigger-rule": match("value", arg("url", "a"), value="1")},
    {"id": "mismatch-unknown", "execute-command": "/bin/true",
     "trigger-rule-mismatch-http-response-code": 299,
     "trigger-rule": match("value", arg("url", "a"), value="1")},
    {"id": "created", "execute-command": "/bin/true",
     "response-message": "created!", "success-http-response-code": 201},
    {"id": "created-capture", "execute-command": rec,
     "include-command-output-in-response": True,
     "success-http-response-code": 202},
    {"id": "fail-out", "execute-command": rec,
     "include-command-output-in-response": True,
     "include-command-output-in-response-on-error": True,
     "pass-environment-to-command": [arg("string", "3", envname="X_EXIT")]},
    {"id": "fail", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-environment-to-command": [arg("string", "4", envname="X_EXIT")]},
    {"id": "missing-cmd", "execute-command": "/nonexistent/cmd",
     "include-command-output-in-response": True},
    {"id": "missing-async", "execute-command": "/nonexistent/cmd",
     "response-message": "accepted anyway"},
    {"id": "methods", "execute-command": "/bin/true",
     "response-message": "m", "http-methods": ["put ", " Patch"]},
    {"id": "resp-headers", "execute-command": "/bin/true",
     "response-message": "h",
     "response-headers": [{"name": "x-custom", "value": "v1"},
                          {"name": "Access-Control-Allow-Origin",
                           "value": "*"}]},
    {"id": "ctype", "execute-command": rec,
     "include-command-output-in-response": True,
     "incoming-payload-content-type": "application/json",
     "pass-arguments-to-command": [arg("payload", "k")]},
    {"id": "xml", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [
         arg("payload", "push.-ref"), arg("payload", "push.commit.0.id"),
         arg("payload", "push.commit.1.#text"),
         arg("payload", "push.commit.1.-id"), arg("payload", "push.empty"),
         arg("payload", "push.text"), arg("payload", "push.ent"),
         arg("payload", "push.cdata"), arg("entire-payload")]},
    {"id": "form", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [
         arg("payload", "a"), arg("payload", "b"), arg("payload", "sp"),
         arg("entire-payload")]},
    {"id": "multipart", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [
         arg("payload", "field"), arg("payload", "doc.k"),
         arg("payload", "forced.x"), arg("payload", "plain"),
         arg("raw-request-body")],
     "parse-parameters-as-json": [arg("payload", "forced")]},
    {"id": "cwd", "execute-command": "rel-record",
     "command-working-directory": cwd,
     "include-command-output-in-response": True,
     "pass-file-to-command": [arg("string", "filedata", envname="X_F")]},
    {"id": "scalr", "execute-command": "/bin/true",
     "response-message": "scalr",
     "trigger-rule": match("scalr-signature", secret="sk")},
    {"id": "scalr-soft", "execute-command": "/bin/true",
     "response-message": "scalr soft",
     "trigger-signature-soft-failures": True,
     "trigger-rule": {"or": [match("scalr-signature", secret="sk"),
                             match("value", arg("url", "token"),
                                   value="letmein")]}},
    {"id": "root-array", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [arg("payload", "root.0.a"),
                                   arg("payload", "root.1")]},
    {"id": "async", "execute-command": rec, "response-message": "queued",
     "pass-arguments-to-command": [arg("payload", "v")],
     "pass-environment-to-command": [arg("url", "rec",
                                         envname="RECORD_TO")]},
    {"id": "with/slash", "execute-command": "/bin/true",
     "response-message": "slash"},
    # webhook 2.8.0 has no stream-command-output (later versions stream
    # with it): whatever its value, the answer is as without it.
    {"id": "stream", "execute-command": rec, "response-message": "not streamed",
     "stream-command-output": True},
    {"id": "stream-capture", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [arg("string", "captured")],
     "stream-command-output": True},
    {"id": "stream-not-bool", "execute-command": "/nonexistent/cmd",
     "include-command-output-in-response": True,
     "stream-command-output": "yes"},
]
hooks_file = os.path.join(d, "hooks.json")
with open(hooks_file, "w") as f:
    json.dump(hooks, f, indent=1)

flags = ["-hooks", hooks_file, "-header", "X-Global=g"]
ports = {}
for kind in ("webhook", "stasis"):
    ports[kind], _ = start(kind, flags, log=os.path.join(d, kind + ".log"))


def sig(alg, key, body):
    return hmac.new(key.encode(), body.encode(), alg).hexdigest()


payload = json.dumps({"a": {"b": "deep"}, "list": [0, "one", {"x": 2}],
                      "n": 12345678901, "f": 1.5, "t": True, "z": None,
                      "dotted.key": "dk", "b64": base64.b64encode(
                          b"bin\x00ary").decode(),
                      "html": "<a&b>", "ref": "refs/heads/main"})
JSON = {"Content-Type": "application/json"}
body256 = '{"v":256}'
body512 = '{"v":512}'
xml = ('<?xml version="1.0"?>\n<!-- c --><push ref="main">'
       '<commit><id>1</id></commit><commit id="2"> second </commit>'
       '<empty/><text>  t  </text><ent>a&amp;b&lt;&#65;</ent>'
       '<cdata><![CDATA[<raw>]]></cdata></push>')
boundary = "XyZ"
mp = ("--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\n"
      "value one\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"; "
      "filename=\"d.json\"\r\nContent-Type: application/json\r\n\r\n"
      "{\"k\": \"from file\"}\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"forced\"; "
      "filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\n"
      "{\"x\": 7}\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"plain\"; "
      "filename=\"p.txt\"\r\nContent-Type: text/plain\r\n\r\n"
      "ignored\r\n--XyZ--\r\n")
MP = {"Content-Type": "multipart/form-data; boundary=XyZ"}
date = time.strftime("%a %d %b %Y %H:%M:%S UTC", time.gmtime())
scalr_body = '{"s":1}'
scalr_sig = sig("sha1", "sk", scalr_body + date)


def scalr_at(offset):
    """Date header offset seconds from now, and its good signature."""
    t = time.strftime("%a %d %b %Y %H:%M:%S UTC",
                      time.gmtime(time.time() + offset))
    return {"Date": t, "X-Signature": sig("sha1", "sk", scalr_body + t)}


# webhook allows 300 s of skew either way; a signed date past it is a
# signature error ("outdated"), a date that does not parse another error.
bad_date = "yesterday at noon"
bad_date_hdrs = {"Date": bad_date,
                 "X-Signature": sig("sha1", "sk", scalr_body + bad_date)}

# (name, method, path, headers, body)
reqs = [
    ("all sources", "POST", "/hooks/all?q=1+2&q2=x%20y&q=dup",
     dict(JSON, **{"X-Foo": "bar"}), payload),
    ("entire headers", "POST", "/hooks/headers-all",
     {"X-Multi": "one", "Content-Type": "text/plain"}, "x"),
    ("json in parameters", "POST", "/hooks/jsonparam",
     dict(JSON, **{"X-Json": '{"h": "hv"}'}),
     json.dumps({"inner": json.dumps({"k": "kv", "l": ["l0"]})})),
    ("unknown hook", "POST", "/hooks/nope", {}, ""),
    ("root", "GET", "/", {}, None),
    ("not under the prefix", "GET", "/other", {}, None),
    ("empty hook id", "GET", "/hooks/", {}, None),
    ("id with a slash", "GET", "/hooks/with/slash", {}, None),
    ("sha1 good", "POST", "/hooks/sha1",
     dict(JSON, **{"X-Hub-Signature": "sha1=" + sig("sha1", "s1", payload)}),
     payload),
    ("sha1 without prefix", "POST", "/hooks/sha1",
     dict(JSON, **{"X-Hub-Signature": sig("sha1", "s1", payload)}), payload),
    ("sha1 bad", "POST", "/hooks/sha1",
     dict(JSON, **{"X-Hub-Signature": "sha1=00ff"}), payload),
    ("sha1 missing header", "POST", "/hooks/sha1", JSON, payload),
    ("sha256 good among several", "POST", "/hooks/sha256",
     dict(JSON, **{"X-Hub-Signature-256": "sha256=beef,sha256=" +
                   sig("sha256", "s256", body256)}), body256),
    ("payload-hash-sha256 (deprecated name)", "POST", "/hooks/hash256",
     dict(JSON, **{"X-Hub-Signature-256": "sha256=" +
                   sig("sha256", "s256", body256)}), body256),
    ("sha256 several, none good", "POST", "/hooks/sha256",
     dict(JSON, **{"X-Hub-Signature-256": "sha256=beef,sha1=" +
                   sig("sha256", "s256", body256)}), body256),
    ("sha256 empty body", "POST", "/hooks/sha256",
     {"X-Hub-Signature-256": "sha256=00"}, ""),
    ("sha512 in query", "POST", "/hooks/sha512?sig=sha512=" +
     sig("sha512", "s512", body512), JSON, body512),
    ("sha512 bad", "POST", "/hooks/sha512?sig=abc", JSON, body512),
    ("soft failure, other branch true", "POST", "/hooks/soft?token=letmein",
     {"X-Sig": "bad"}, "x"),
    ("soft failure, nothing true", "POST", "/hooks/soft?token=no",
     {"X-Sig": "bad"}, "x"),
    ("hard failure in or", "POST", "/hooks/hard?token=letmein",
     {"X-Sig": "bad"}, "x"),
    ("hard, missing signature", "POST", "/hooks/hard?token=letmein", {}, "x"),
    ("ip whitelist in", "POST", "/hooks/ipwl", {}, ""),
    ("ip whitelist out", "POST", "/hooks/ipwl-no", {}, ""),
    ("regex match", "POST", "/hooks/regex", JSON, payload),
    ("regex no match", "POST", "/hooks/regex", JSON,
     '{"ref": "refs/heads/mainx"}'),
    ("and/or/not true", "POST", "/hooks/logic?b=1&c=0", {}, ""),
    ("and/or/not false", "POST", "/hooks/logic?a=1&c=1", {}, ""),
    ("and with missing parameter", "POST", "/hooks/logic?a=1", {}, ""),
    ("not of a missing parameter", "POST", "/hooks/not-missing", {}, ""),
    ("mismatch code", "POST", "/hooks/mismatch", {}, ""),
    ("mismatch code unknown", "POST", "/hooks/mismatch-unknown", {}, ""),
    ("success code", "POST", "/hooks/created", {}, ""),
    ("success code with output", "POST", "/hooks/created-capture", {}, ""),
    ("failing command, output", "POST", "/hooks/fail-out", {}, ""),
    ("failing command", "POST", "/hooks/fail", {}, ""),
    ("missing command", "POST", "/hooks/missing-cmd", {}, ""),
    ("missing command, async", "POST", "/hooks/missing-async", {}, ""),
    ("method not allowed", "GET", "/hooks/methods", {}, None),
    ("method allowed", "PATCH", "/hooks/methods", {}, ""),
    ("response headers", "POST", "/hooks/resp-headers", {}, ""),
    ("forced content type", "POST", "/hooks/ctype",
     {"Content-Type": "text/plain"}, '{"k": "v"}'),
    ("xml", "POST", "/hooks/xml", {"Content-Type": "application/xml"}, xml),
    ("bad xml", "POST", "/hooks/xml", {"Content-Type": "text/xml"},
     "<a><b></a>"),
    ("form", "POST", "/hooks/form",
     {"Content-Type": "application/x-www-form-urlencoded"},
     "a=1&b=%3Cx%3E&a=2&sp=a+b"),
    ("bad form", "POST", "/hooks/form",
     {"Content-Type": "application/x-www-form-urlencoded"}, "a=1;b=2"),
    ("multipart", "POST", "/hooks/multipart", MP, mp),
    ("bad multipart", "POST", "/hooks/multipart", MP, "--XyZ\r\nbroken"),
    ("multipart, no boundary", "POST", "/hooks/multipart",
     {"Content-Type": "multipart/form-data; charset=x"}, "x"),
    ("bad json", "POST", "/hooks/all", JSON, "{nope"),
    ("json not an object", "POST", "/hooks/all", JSON, '"str"'),
    ("root array", "POST", "/hooks/root-array", JSON, '[{"a": "A"}, 2]'),
    ("cwd and relative command", "POST", "/hooks/cwd", {}, ""),
    ("scalr good", "POST", "/hooks/scalr",
     {"Date": date, "X-Signature": scalr_sig}, scalr_body),
    ("scalr bad", "POST", "/hooks/scalr",
     {"Date": date, "X-Signature": "00"}, scalr_body),
    ("scalr missing", "POST", "/hooks/scalr", {}, scalr_body),
    ("scalr date 10 min old", "POST", "/hooks/scalr", scalr_at(-600),
     scalr_body),
    ("scalr date 10 min ahead", "POST", "/hooks/scalr", scalr_at(600),
     scalr_body),
    ("scalr date 4 min old (within the skew)", "POST", "/hooks/scalr",
     scalr_at(-240), scalr_body),
    ("scalr date unparsable", "POST", "/hooks/scalr", bad_date_hdrs,
     scalr_body),
    ("scalr stale, soft failure, other branch true", "POST",
     "/hooks/scalr-soft?token=letmein", scalr_at(-600), scalr_body),
    ("scalr unparsable date, soft failure", "POST",
     "/hooks/scalr-soft?token=letmein", bad_date_hdrs, scalr_body),
    ("stream-command-output alone", "POST", "/hooks/stream", {}, ""),
    ("stream-command-output with output", "POST", "/hooks/stream-capture",
     {}, ""),
    ("stream-command-output not a boolean, failing", "POST",
     "/hooks/stream-not-bool", {}, ""),
]

HDRS = ("content-type", "x-custom", "access-control-allow-origin",
        "x-global")


def norm(kind, body):
    """The recorder's output with what legitimately differs removed."""
    try:
        r = json.loads(body)
    except ValueError:
        return body
    def fix(s):
        s = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", s)
        s = re.sub(r'"Content-Length":"\d+"', '"Content-Length":"N"', s)
        return s
    r["argv"] = [fix(a) for a in r["argv"]]
    for k, v in list(r["env"].items()):
        if v.startswith("/") and re.search(r"\d+$", v):
            r["env"][k] = re.sub(r"\d+$", "RANDOM", v)
    return r


answers = {}
for name, method, path, headers, body in reqs:
    got = {}
    for kind in ("webhook", "stasis"):
        try:
            s, h, b = request(ports[kind], method, path, headers, body)
            got[kind] = (s, {k: h.get(k) for k in HDRS}, norm(kind, b))
        except Exception as e:
            got[kind] = ("error", str(e))
    w, s = got["webhook"], got["stasis"]
    answers[name] = (w[0], w[-1])
    if not ok(w == s, "same answer: " + name):
        diag("webhook: %r" % (w,))
        diag("stasis:  %r" % (s,))
# The scalr dates, as webhook answers them (so that "the same" above is
# not both daemons accepting a stale date).
EVAL = "Error occurred while evaluating hook rules."
for name, want in (("scalr date 10 min old", (500, EVAL)),
                   ("scalr date 10 min ahead", (500, EVAL)),
                   ("scalr date 4 min old (within the skew)", (200, "scalr")),
                   ("scalr date unparsable", (500, EVAL)),
                   ("scalr stale, soft failure, other branch true",
                    (200, "scalr soft")),
                   ("scalr unparsable date, soft failure", (500, EVAL))):
    is_(answers.get(name), want, "webhook: " + name)

# Background runs: both record what they got.
for kind in ("webhook", "stasis"):
    out = os.path.join(d, "async-" + kind)
    s, h, b = request(ports[kind], "POST", "/hooks/async?rec=" + out,
                      JSON, '{"v": "bg"}')
    is_((s, b), (200, "queued"), kind + ": async answers at once")
    ok(wait_file(out), kind + ": async command ran")
recs = []
for kind in ("webhook", "stasis"):
    try:
        r = json.load(open(os.path.join(d, "async-" + kind)))
        r["env"].pop("RECORD_TO", None)
        recs.append(r)
    except (OSError, ValueError):
        recs.append(None)
is_(recs[0], recs[1], "async: same argv and environment")
# A second pair: YAML, -template, -urlprefix, -http-methods, -header.
yaml = os.path.join(d, "hooks.yaml")
with open(yaml, "w") as f:
    f.write("""
- id: tpl
  execute-command: %s
  include-command-output-in-response: true
  pass-arguments-to-command:
    - {source: payload, name: a}
    - {source: string, name: 42}
    - {source: string, name: true}
  trigger-rule:
    match:
      type: value
      value: "{{ getenv "COMPAT_SECRET" | js }}"
      parameter: {source: header, name: X-Token}
- id: plain
  execute-command: /bin/true
  response-message: plain
  response-headers: [{name: x-custom, value: y}]
""" % rec)
env = dict(os.environ, COMPAT_SECRET='s"3<')
flags = ["-hooks", yaml, "-template", "-urlprefix", "api", "-http-methods",
         "POST", "-header", "X-Global=h", "-verbose"]
ports = {}
for kind in ("webhook", "stasis"):
    ports[kind], _ = start(kind, flags, env=env,
                           log=os.path.join(d, kind + "2.log"))
reqs = [
    ("yaml+template: token good", "POST", "/api/tpl",
     dict(JSON, **{"X-Token": 's"3<'}), '{"a": "A"}'),
    ("yaml+template: token bad", "POST", "/api/tpl", {"X-Token": "s"}, ""),
    ("-http-methods refuses GET", "GET", "/api/plain", {}, None),
    ("-http-methods allows POST", "POST", "/api/plain", {}, ""),
    ("old prefix", "POST", "/hooks/plain", {}, ""),
    ("prefix without an id", "POST", "/api", {}, ""),
]
for name, method, path, headers, body in reqs:
    got = {}
    for kind in ("webhook", "stasis"):
        try:
            s, h, b = request(ports[kind], method, path, headers, body)
            got[kind] = (s, {k: h.get(k) for k in HDRS}, norm(kind, b))
        except Exception as e:
            got[kind] = ("error", str(e))
    w, s = got["webhook"], got["stasis"]
    if not ok(w == s, "same answer: " + name):
        diag("webhook: %r" % (w,))
        diag("stasis:  %r" % (s,))
# -verbose: the line saying where hooks are served, which scripts wait
# for, is the same text in both logs (after webhook's "[webhook] date").
for kind in ("webhook", "stasis"):
    want = "serving hooks on http://127.0.0.1:%d/api/{id}" % ports[kind]
    lines = open(os.path.join(d, kind + "2.log")).read().splitlines()
    ok(any(l.endswith(" " + want) for l in lines),
       kind + " -verbose: " + want.replace(str(ports[kind]), "PORT"))
done()
