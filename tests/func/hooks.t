#!/usr/bin/env python3
# stasis hooks on its own: flags, hooks file formats, configuration
# errors, and what it does beyond webhook (body limit, read timeout,
# per-hook run limit, run timeout killing the process group, hot reload
# keeping the old configuration, mTLS, access log without secrets).
import hashlib
import http.client
import hmac
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from hookslib import *  # noqa

d = tmpdir()
rec = recorder(d)


def write(name, text):
    p = os.path.join(d, name)
    with open(p + ".tmp", "w") as f:
        f.write(text)
    os.rename(p + ".tmp", p)
    return p


def run(args, **kw):
    return subprocess.run([STASIS, "hooks"] + args, capture_output=True,
                          text=True, timeout=30, **kw)


# --- command line --------------------------------------------------------
# webhook's line exactly (scripts parse it), whatever other flags say.
for args in (["-version"], ["-version=true"],
             ["-version", "-hooks", "/nonexistent", "-port", "1"]):
    r = run(args)
    is_((r.returncode, r.stdout, r.stderr), (0, "webhook version 2.8.0\n", ""),
        " ".join(args) + ": webhook's line exactly")
r = run(["-help"])
ok(r.returncode == 0 and "-hooks FILE" in r.stdout, "-help")
r = run(["--help"])
ok(r.returncode == 0 and "-urlprefix" in r.stdout, "--help")
r = run(["-bogus"])
ok(r.returncode == 2 and "flag provided but not defined: -bogus" in
   r.stderr, "unknown flag: exit 2 and Go's message")
# Any command-line error exits 2, as Go's flag package does (it was 1
# for all but an unknown flag), and names the command once.
for args, msg in ((["-port"], "flag needs an argument: -port"),
                  (["-port", "x"], '-port: invalid value "x"'),
                  (["-verbose=maybe"], '-verbose: invalid boolean "maybe"'),
                  (["-max-body", "lots"], '-max-body: invalid size "lots"'),
                  (["-header", "novalue"], "name=value"),
                  (["stray"], 'unexpected argument "stray"')):
    r = run(args)
    ok(r.returncode == 2 and msg in r.stderr and
       "hooks: hooks:" not in r.stderr,
       " ".join(args) + ": exit 2, once: " + msg)
r = run(["-setuid", "1"])
ok(r.returncode != 0 and "-setgid" in r.stderr, "-setuid needs -setgid")
r = run(["-header", "novalue"])
ok(r.returncode != 0 and "name=value" in r.stderr, "-header format")

# --- configuration errors name the file, hook and field ------------------
bad = [
    ('[{"id": "x", "trigger-rule": {"match": {"type": "nope", '
     '"parameter": {"source": "header", "name": "a"}}}}]',
     'hook "x": trigger-rule.match.type: unknown match type "nope"'),
    ('[{"id": "x", "trigger-rule": {"and": [{"match": {"type": "regex", '
     '"regex": "(", "parameter": {"source": "url", "name": "a"}}}]}}]',
     'hook "x": trigger-rule.and[0].match.regex: bad regular expression'),
    ('[{"id": "x", "trigger-rule": {"match": {"type": '
     '"payload-hmac-sha256", "parameter": {"source": "header", '
     '"name": "a"}}}}]',
     'hook "x": trigger-rule.match.secret: a signature rule needs'),
    ('[{"id": "x", "pass-arguments-to-command": [{"source": "body", '
     '"name": "a"}]}]',
     'hook "x": pass-arguments-to-command[0]: unknown source "body"'),
    ('[{"id": "x", "include-command-output-in-response": "yes"}]',
     'hook "x": include-command-output-in-response: expected true or'),
    ('[{"id": "x", "trigger-rule": {"match": {"type": "ip-whitelist", '
     '"ip-range": "10.0.0.0/33"}}}]',
     'hook "x": trigger-rule.match.ip-range: bad address or CIDR range'),
    ('[{"execute-command": "/bin/true"}]', 'hook #1: id: missing'),
    ('[{"id": "a"}, {"id": "a"}]', 'hook "a": id: already loaded'),
    ('{"id": "a"}', 'expected a list of hooks'),
    ('[{"id": "a", ', 'hooks-bad.json'),
]
for text, want in bad:
    p = write("hooks-bad.json", text)
    r = run(["-hooks", p, "-port", "0"])
    ok(r.returncode != 0 and want in r.stderr,
       "bad config: " + want)
    if want not in r.stderr:
        diag(r.stderr)
p = write("bad.yaml", "- id: yy\n  http-methods: POST\n")
r = run(["-hooks", p])
ok(r.returncode != 0 and 'bad.yaml: hook "yy": http-methods: expected a '
   'list' in r.stderr, "bad YAML config names the hook and field")
empty = write("empty.json", "[]")
r = run(["-hooks", empty])
ok(r.returncode != 0 and "no hooks loaded" in r.stderr,
   "no hooks: refuses to start (as webhook without -verbose/-nopanic)")
port, p = start("stasis", ["-hooks", empty, "-nopanic"])
is_(request(port, "POST", "/hooks/x")[0], 404, "-nopanic starts empty")
stop(p)
r = run(["-hooks", os.path.join(d, "absent.json")])
ok(r.returncode != 0 and "absent.json" in r.stderr, "missing hooks file")

# stream-command-output is not a webhook 2.8.0 field: ignored (as 2.8.0
# ignores it), with one warning at load naming the file, hook and field.
sp = write("stream.json", json.dumps([
    {"id": "st", "execute-command": "/bin/echo", "response-message": "m",
     "stream-command-output": True}]))
slog = os.path.join(d, "stream.log")
port, p = start("stasis", ["-hooks", sp, "-verbose"], log=slog)
is_(request(port, "POST", "/hooks/st")[0:3:2], (200, "m"),
    "stream-command-output: answered as without it")
request(port, "POST", "/hooks/st")
stop(p)
warn = (sp + ': hook "st": stream-command-output: ignored, as webhook '
        '2.8.0 does')
is_(open(slog).read().count(warn), 1,
    "stream-command-output: one warning at load, naming hook and field")

# -ip: another loopback address (Linux routes all of 127/8 on lo); the
# daemon answers there and nothing listens on 127.0.0.1 at that port.
port = free_port()
ip = subprocess.Popen([STASIS, "hooks", "-hooks", sp, "-ip", "127.0.0.2",
                       "-port", str(port)], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL, start_new_session=True)
up = False
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.2", port), 0.2).close()
        up = True
        break
    except OSError:
        time.sleep(0.05)
c = http.client.HTTPConnection("127.0.0.2", port, timeout=10)
try:
    c.request("POST", "/hooks/st")
    r = c.getresponse()
    got = (r.status, r.read().decode())
except OSError as e:
    got = repr(e)
c.close()
is_((up, got), (True, (200, "m")), "-ip 127.0.0.2: answers there")
try:
    socket.create_connection(("127.0.0.1", port), 2).close()
    refused = False
except ConnectionRefusedError:
    refused = True
except OSError:
    refused = False
ok(refused, "-ip 127.0.0.2: 127.0.0.1 at that port is refused")
stop(ip)

# --- what -verbose and -debug add to the log; secrets never -------------
# webhook -verbose also logs each command's arguments, environment and
# output, and -debug dumps every request (signature headers, bodies);
# stasis -verbose logs the start and one access line per request, and
# -debug adds the command's output, nothing from the request.
vsecret = "vsecret-%d" % os.getpid()
vpay = "vpayload-%d" % os.getpid()
vp = write("verbose.json", json.dumps([
    {"id": "v", "execute-command": "/bin/sh",
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [
         {"source": "string", "name": "-c"},
         {"source": "string", "name": "echo out-mark"},
         {"source": "payload", "name": "a"}],
     "pass-environment-to-command": [{"source": "payload", "name": "a"}],
     "trigger-rule": {"match": {"type": "payload-hmac-sha256",
                                "secret": vsecret,
                                "parameter": {"source": "header",
                                              "name": "X-Sig"}}}}]))
vbody = json.dumps({"a": vpay})
vgood = hmac.new(vsecret.encode(), vbody.encode(), hashlib.sha256).hexdigest()
vbad = hashlib.sha256(b"not it").hexdigest()
vlogs = {}
for mode in ("", "-verbose", "-debug"):
    vlogs[mode] = os.path.join(d, "mode%s.log" % mode)
    port, p = start("stasis", ["-hooks", vp] + ([mode] if mode else []),
                    log=vlogs[mode])
    for sig in (vgood, vbad):
        request(port, "POST", "/hooks/v", {"X-Sig": "sha256=" + sig,
                "Content-Type": "application/json",
                "X-Request-Id": "ignored"}, vbody)
    stop(p)
    vlogs[mode] = (port, open(vlogs[mode]).read())
port, text = vlogs[""]
is_(text, "", "no -verbose: nothing logged (as webhook)")
for mode in ("-verbose", "-debug"):
    port, text = vlogs[mode]
    lines = text.splitlines()
    ok("stasis: loaded 1 hooks" in lines and
       "stasis: serving hooks on http://127.0.0.1:%d/hooks/{id}" % port in
       lines and lines[-1] == "stasis: shutting down",
       mode + ": start (hooks loaded, where it serves) and shutdown")
    acc = [l for l in lines if l.startswith("stasis: access ")]
    ok(len(acc) == 2 and
       " hook=v remote=127.0.0.1 method=POST status=200 rule=satisfied "
       "run=exit:0 ms=" in acc[0] and
       " hook=v remote=127.0.0.1 method=POST status=500 "
       "rule=bad-signature run=- ms=" in acc[1],
       mode + ": one access line per request")
    out = [l for l in lines if "command output" in l]
    if mode == "-verbose":
        is_(out, [], "-verbose: no command output")
        ok(len(lines) == 5, "-verbose: nothing else")
    else:
        ok(len(out) == 1 and re.match(r"stasis: \[[0-9a-f]+-1\] command "
                                      r"output: out-mark$", out[0]),
           "-debug: the command's output, once, with the request id")
        ok(len(lines) == 7 and lines[3] == "",
           "-debug: nothing else (the output's newline kept)")
    if not ok(vsecret not in text and vgood not in text and
              vbad not in text and vpay not in text and
              "ignored" not in text and "-c" not in text,
              mode + ": no secret, signature, argument, environment or "
              "header"):
        diag(text)

# --- the access line: every rule= and run= value, one request each ------
def sh(hid, script, **kw):
    h = {"id": hid, "execute-command": "/bin/sh",
         "include-command-output-in-response": True,
         "pass-arguments-to-command": [
             {"source": "string", "name": "-c"},
             {"source": "string", "name": script},
             {"source": "url", "name": "code"}]}
    h.update(kw)
    return h


op = write("outcomes.json", json.dumps([
    sh("o-exit", 'exit "$0"'),
    sh("o-signal", "kill -TERM $$"),
    sh("o-sleep", "exec sleep 5"),
    {"id": "o-missing", "execute-command": "/nonexistent/cmd",
     "include-command-output-in-response": True},
    sh("o-value", "true", **{"trigger-rule": {"match": {
        "type": "value", "value": "yes",
        "parameter": {"source": "url", "name": "ok"}}}}),
    sh("o-hmac", "true", **{"trigger-rule": {"match": {
        "type": "payload-hmac-sha256", "secret": "hs",
        "parameter": {"source": "header", "name": "X-Sig"}}}}),
    sh("o-scalr", "true", **{"trigger-rule": {"match": {
        "type": "scalr-signature", "secret": "ss"}}}),
    sh("o-put", "true", **{"http-methods": ["PUT"]}),
]))
olog = os.path.join(d, "outcomes.log")
port, p = start("stasis", ["-hooks", op, "-verbose", "-x-request-id",
                           "-run-timeout", "1"], log=olog)
bad_date = "not a date"
outcomes = [
    ("r-exit0", "POST", "/hooks/o-exit?code=0", {}, "", 200),
    ("r-exit3", "POST", "/hooks/o-exit?code=3", {}, "", 500),
    ("r-signal", "POST", "/hooks/o-signal", {}, "", 500),
    ("r-timeout", "POST", "/hooks/o-sleep", {}, "", 500),
    ("r-notstarted", "POST", "/hooks/o-missing", {}, "", 500),
    ("r-notsat", "POST", "/hooks/o-value?ok=no", {}, "", 200),
    ("r-badsig", "POST", "/hooks/o-hmac", {"X-Sig": "sha256=" + "0" * 64},
     "x", 500),
    ("r-error", "POST", "/hooks/o-scalr", {"Date": bad_date, "X-Signature":
     hmac.new(b"ss", ("x" + bad_date).encode(), "sha1").hexdigest()},
     "x", 500),
    ("r-multipart", "POST", "/hooks/o-exit", {"Content-Type":
     "multipart/form-data; boundary=B"}, "--B\r\nbroken", 500),
    ("r-404", "POST", "/hooks/o-none", {}, "", 404),
    ("r-405", "GET", "/hooks/o-put", {}, None, 405),
]
for rid, method, path, hdrs, body, want in outcomes:
    is_(request(port, method, path, dict(hdrs, **{"X-Request-Id": rid}),
                body)[0], want, "outcome request %s: status %d" % (rid, want))
stop(p)
got = sorted(re.sub(r" ms=\d+$", "", l[len("stasis: "):])
             for l in open(olog).read().splitlines()
             if l.startswith("stasis: access "))
A = "access id=%s hook=%s remote=127.0.0.1 method=%s status=%d rule=%s run=%s"
want = sorted([
    A % ("r-exit0", "o-exit", "POST", 200, "satisfied", "exit:0"),
    A % ("r-exit3", "o-exit", "POST", 500, "satisfied", "exit:3"),
    A % ("r-signal", "o-signal", "POST", 500, "satisfied", "signal:15"),
    A % ("r-timeout", "o-sleep", "POST", 500, "satisfied", "timeout"),
    A % ("r-notstarted", "o-missing", "POST", 500, "satisfied",
         "not-started"),
    A % ("r-notsat", "o-value", "POST", 200, "not-satisfied", "-"),
    A % ("r-badsig", "o-hmac", "POST", 500, "bad-signature", "-"),
    A % ("r-error", "o-scalr", "POST", 500, "error", "-"),
    A % ("r-multipart", "o-exit", "POST", 500, "-", "-"),
    A % ("r-404", "-", "POST", 404, "-", "-"),
    A % ("r-405", "o-put", "GET", 405, "-", "-"),
])
is_(got, want, "access lines: every rule= and run= value, one per request")

# --- a broken file never has its secret echoed in the error -------------
# jansson ends its messages with " near '<text>'" and templates echoed
# the action: with the mistake in or next to a secret, the secret (or its
# start) went to stderr and, on a hot reload, to the log.
ksec = "K3ysecret%d" % os.getpid()
pre = ('[{"id": "x", "execute-command": "/bin/true", "trigger-rule": '
       '{"match": {"type": "payload-hmac-sha256", "parameter": {"source": '
       '"header", "name": "X"}, "secret": ')
ypre = ("- id: x\n  trigger-rule:\n    match:\n      type: "
        "payload-hmac-sha1\n      secret: ")
broken = [
    ("truncated in the secret", "k1.json", pre + '"' + ksec,
     "k1.json: line 1, column %d: premature end of input" %
     (len(pre) + len(ksec) + 1)),
    ("bad escape in the secret", "k2.json", pre + '"' + ksec + '\\q"}}}]',
     "invalid escape"),
    ("control character in the secret", "k3.json",
     pre + '"' + ksec + '\x01"}}}]', "control character 0x1"),
    ("unquoted secret", "k4.json", pre + ksec + "}}}]", "invalid token"),
    ("template: secret from getenv breaks the JSON", "k5.json",
     pre + '"{{ getenv "HOOKS_T_KSEC" }}"}}}]', "'}' expected"),
    ("template: secret as an action", "k6.yaml",
     ypre + '"{{ %s }}"\n' % ksec,
     "k6.yaml: line 5: template: unsupported action"),
    ("template: secret as a pipeline", "k7.yaml",
     ypre + 'a{{ getenv "A" | %s }}\n' % ksec,
     "template: unsupported pipeline"),
]
kenv = dict(os.environ, HOOKS_T_KSEC='x"' + ksec)
for name, fn, text, want in broken:
    with open(os.path.join(d, fn), "wb") as f:
        f.write(text.encode("latin-1"))
    r = run(["-hooks", os.path.join(d, fn), "-template", "-port", "0"],
            env=kenv)
    if not ok(r.returncode != 0 and want in r.stderr and ksec[:3] not in
              r.stderr and " near " not in r.stderr,
              "broken file, " + name + ": error without the secret"):
        diag(r.stderr)
# The same on a hot reload, where the error goes to the log.
kf = write("kreload.json", json.dumps([{"id": "x", "execute-command":
                                        "/bin/true"}]))
klog = os.path.join(d, "kreload.log")
port, p = start("stasis", ["-hooks", kf, "-hotreload", "-verbose"], log=klog)
write("kreload.json", pre + '"' + ksec)
for _ in range(50):
    if "keeping the running configuration" in open(klog).read():
        break
    time.sleep(0.1)
stop(p)
text = open(klog).read()
if not ok("kreload.json: line 1, column" in text and ksec[:3] not in text,
          "hot reload of a broken file: logged without the secret"):
    diag(text)

# --- YAML, templates, several files, -list-cmd-env -----------------------
y = write("hooks.yaml", """
- id: yaml-hook
  execute-command: %s
  include-command-output-in-response: true
  pass-arguments-to-command:
    - source: string
      name: 123
  pass-environment-to-command:
    - source: payload
      name: who
  trigger-rule:
    match:
      type: value
      value: "{{ getenv "HOOKS_T_VALUE" | js }}"
      parameter:
        source: header
        name: X-Token
""" % rec)
j = write("more.json", json.dumps([
    {"id": "second", "execute-command": "/bin/true",
     "response-message": "second file",
     "pass-file-to-command": [{"source": "payload", "name": "f"}]}]))
r = run(["-hooks", y, "-hooks", j, "-template", "-list-cmd-env"])
is_(r.stdout, "yaml-hook: HOOK_who\nsecond: HOOK_F\n", "-list-cmd-env")
env = dict(os.environ, HOOKS_T_VALUE='se"cret')
port, p = start("stasis", ["-hooks", y, "-hooks", j, "-template"], env=env)
s, h, b = request(port, "POST", "/hooks/yaml-hook",
                  {"X-Token": 'se"cret', "Content-Type": "application/json"},
                  '{"who": "me"}')
is_(s, 200, "template getenv | js: rule satisfied")
try:
    out = json.loads(b)
except ValueError:
    out = {"argv": None, "env": {}}
is_(out["argv"][1:], ["123"], "YAML scalar 123 is the string \"123\"")
is_(out["env"].get("HOOK_who"), "me", "YAML hook: environment")
is_(request(port, "POST", "/hooks/yaml-hook", {"X-Token": "x"})[0:3:2],
    (200, "Hook rules were not satisfied."), "template value not matched")
is_(request(port, "POST", "/hooks/second")[2], "second file",
    "second -hooks file served")
stop(p)

# --- -urlprefix, -http-methods, -header, -x-request-id, -logfile ---------
secret = "topsecret-%d" % os.getpid()
hooks = write("hooks.json", json.dumps([
    {"id": "echo", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [{"source": "payload", "name": "a"}]},
    {"id": "signed", "execute-command": rec,
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [{"source": "payload", "name": "a"}],
     "trigger-rule": {"match": {"type": "payload-hmac-sha256",
                                "secret": secret,
                                "parameter": {"source": "header",
                                              "name": "X-Sig"}}}},
    {"id": "sleep", "execute-command": "/bin/sh",
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [
         {"source": "string", "name": "-c"},
         {"source": "string",
          "name": "sleep 37 & echo $! > \"$0\"; wait"},
         {"source": "url", "name": "pidfile"}]},
    {"id": "wait", "execute-command": "/bin/sh",
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [
         {"source": "string", "name": "-c"},
         {"source": "string",
          "name": "touch \"$0\"; while [ ! -e \"$1\" ]; do sleep 0.05; "
                  "done; echo done"},
         {"source": "url", "name": "started"},
         {"source": "url", "name": "go"}]},
    {"id": "bg", "execute-command": "/bin/sh",
     "pass-arguments-to-command": [
         {"source": "string", "name": "-c"},
         {"source": "string", "name": "echo $$ > \"$0\"; exec sleep 38"},
         {"source": "url", "name": "pidfile"}]},
    {"id": "whoami", "execute-command": "/usr/bin/id",
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [{"source": "string", "name": "-u"}]},
]))
log = os.path.join(d, "access.log")
port, p = start("stasis", ["-hooks", hooks, "-urlprefix", "api/v1",
                           "-http-methods", "POST,PUT", "-header", "X-A=b",
                           "-x-request-id", "-x-request-id-limit", "8",
                           "-logfile", log, "-debug"])
s, h, b = request(port, "POST", "/api/v1/echo", {"X-Request-Id":
                  "abcdefghijkl", "Content-Type": "application/json"},
                  '{"a": "x"}')
is_((s, h.get("x-a")), (200, "b"), "-urlprefix and -header")
is_(request(port, "POST", "/hooks/echo")[0], 404, "old prefix is not served")
is_(request(port, "GET", "/api/v1/echo")[0], 405,
    "-http-methods refuses GET")
is_(request(port, "PUT", "/api/v1/echo")[0], 200, "-http-methods allows PUT")
body = '{"a": "payload"}'
good = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
s, h, b = request(port, "POST", "/api/v1/signed", {"X-Sig": "sha256=" + good,
                  "Content-Type": "application/json"}, body)
is_(s, 200, "signed request accepted")
s, h, b = request(port, "POST", "/api/v1/signed", {"X-Sig": "sha256=" +
                  good[:-2] + "00", "Content-Type": "application/json"}, body)
is_(s, 500, "bad signature refused")
stop(p)
text = open(log).read()
ok("access id=abcdefgh hook=echo" in text and "ijkl" not in text,
   "-x-request-id and its limit in the access line")
ok("hook=signed" in text and "rule=bad-signature" in text and
   "run=exit:0" in text, "access line: hook, rule outcome, exit status")
ok(secret not in text and good not in text and good[:-2] not in text,
   "secrets and signatures never logged, even with -debug")

# --- body limit, read timeout, keep-alive, non-blocking runs -------------
port, p = start("stasis", ["-hooks", hooks, "-max-body", "1k",
                           "-read-timeout", "1", "-threads", "1"])
is_(request(port, "POST", "/hooks/echo", {}, "x" * 2000)[0], 413,
    "-max-body: 413 past the limit")
is_(request(port, "POST", "/hooks/echo", {}, "x" * 1000)[0], 200,
    "-max-body: under the limit is served")
# A client that stops sending mid-body must be closed (or answered 408)
# after -read-timeout 1, not the default 30: the server checks deadlines
# once a second, so it acts between 1 and 3 s after the connection; a
# server ignoring the flag leaves recv to time out at 10 s and fails.
s = socket.create_connection(("127.0.0.1", port))
t0 = time.time()
s.sendall(b"POST /hooks/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
          b"\r\nabc")
s.settimeout(10)
try:
    data = s.recv(4096)
    closed = data == b"" or b" 408 " in data.split(b"\r\n")[0]
except socket.timeout:
    data, closed = None, False
except ConnectionResetError:
    data, closed = b"", True
took = time.time() - t0
ok(closed and 0.9 <= took <= 4.5,
   "-read-timeout 1: a slow client is dropped after 1 s (+ a margin)")
if not (closed and 0.9 <= took <= 4.5):
    diag("answered %r after %.2f s" % (data, took))
s.close()
started = os.path.join(d, "started")
go = os.path.join(d, "go")
res = {}
th = threading.Thread(target=lambda: res.update(r=request(
    port, "POST", "/hooks/wait?started=%s&go=%s" % (started, go))))
th.start()
ok(wait_file(started), "long command started")
is_(request(port, "POST", "/hooks/none")[0], 404,
    "a running command does not hold the only worker")
open(go, "w").close()
th.join(30)
is_(res.get("r", (0, 0, ""))[2].strip(), "done",
    "the parked request is answered when the command ends")
stop(p)

# --- per-hook run limit, run timeout kills the process group -------------
port, p = start("stasis", ["-hooks", hooks, "-max-runs", "1",
                           "-run-timeout", "2"])
os.unlink(started)
os.unlink(go)
th = threading.Thread(target=lambda: res.update(r=request(
    port, "POST", "/hooks/wait?started=%s&go=%s" % (started, go))))
th.start()
ok(wait_file(started), "first run started")
s, h, b = request(port, "POST", "/hooks/wait?started=/dev/null&go=/")
is_((s, h.get("retry-after")), (503, "1"), "-max-runs: a second run is 503")
is_(request(port, "POST", "/hooks/echo")[0], 200,
    "-max-runs counts per hook")
open(go, "w").close()
th.join(30)
pidfile = os.path.join(d, "sleep.pid")
s, h, b = request(port, "POST", "/hooks/sleep?pidfile=" + pidfile)
is_(s, 500, "-run-timeout: the command is killed and fails")
try:
    child = int(open(pidfile).read())
    time.sleep(0.2)
    try:
        # A zombie no init reaped yet is dead too.
        alive = open("/proc/%d/stat" % child).read().split(")")[-1].split()[0] != "Z"
    except OSError:
        alive = False
except (OSError, ValueError):
    alive = True
ok(not alive, "-run-timeout: its background child is killed too")
stop(p)

# --- hot reload keeps the old configuration on error ---------------------
hr = write("hot.json", json.dumps([{"id": "one", "execute-command":
                                    "/bin/true", "response-message": "v1"}]))
log = os.path.join(d, "hot.log")
port, p = start("stasis", ["-hooks", hr, "-hotreload", "-verbose"], log=log)
is_(request(port, "POST", "/hooks/one")[2], "v1", "hot reload: first version")
write("hot.json", json.dumps([{"id": "one", "execute-command": "/bin/true",
                               "response-message": "v2"}]))
for _ in range(50):
    if request(port, "POST", "/hooks/one")[2] == "v2":
        break
    time.sleep(0.1)
is_(request(port, "POST", "/hooks/one")[2], "v2", "hot reload: new version")
write("hot.json", '[{"id": "one", "trigger-rule": {"match": {"type": "x"}}}]')
for _ in range(50):
    if "keeping the running configuration" in open(log).read():
        break
    time.sleep(0.1)
ok("keeping the running configuration" in open(log).read() and
   'hook "one": trigger-rule.match.type' in open(log).read(),
   "hot reload: an invalid file is refused, saying why")
is_(request(port, "POST", "/hooks/one")[2], "v2",
    "hot reload: the old configuration keeps serving")
write("hot.json", json.dumps([{"id": "two", "execute-command": "/bin/true",
                               "response-message": "sig"}]))
os.kill(p.pid, signal.SIGHUP)
for _ in range(50):
    if request(port, "POST", "/hooks/two")[0] == 200:
        break
    time.sleep(0.1)
is_(request(port, "POST", "/hooks/two")[2], "sig", "SIGHUP reloads")
stop(p)

# --- TLS and mTLS --------------------------------------------------------
def openssl(*a):
    subprocess.run(["openssl"] + list(a), check=True, capture_output=True)


ca_key, ca = os.path.join(d, "ca.key"), os.path.join(d, "ca.pem")
openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
        "-out", ca, "-days", "2", "-subj", "/CN=test-ca")
for n in ("server", "client"):
    openssl("req", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            os.path.join(d, n + ".key"), "-out", os.path.join(d, n + ".csr"),
            "-subj", "/CN=127.0.0.1")
    ext = write(n + ".ext", "subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", os.path.join(d, n + ".csr"), "-CA", ca,
            "-CAkey", ca_key, "-CAcreateserial", "-out",
            os.path.join(d, n + ".pem"), "-days", "2", "-extfile", ext)
port, p = start("stasis", ["-hooks", hooks, "-secure", "-cert",
                           os.path.join(d, "server.pem"), "-key",
                           os.path.join(d, "server.key")])
ctx = ssl.create_default_context(cafile=ca)
is_(request(port, "POST", "/hooks/echo", tls=ctx)[0], 200, "-secure: HTTPS")
stop(p)


# --- which binary serves -------------------------------------------------
# A plain-HTTP daemon runs from stasis-hooks (no TLS linked in: a third
# less memory), a -secure one from the full stasis, whichever of the two
# was started; a lone binary serves what it can and says what it cannot.
def exe(p):
    return os.path.basename(os.readlink("/proc/%d/exe" % p.pid))


def start_bin(path, args, port=None):
    port = port or free_port()
    p = subprocess.Popen([path, "hooks", "-ip", "127.0.0.1", "-port",
                          str(port)] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    if not wait_port(port, p):
        raise RuntimeError("%s did not start" % path)
    return port, p


tls_args = ["-secure", "-cert", os.path.join(d, "server.pem"), "-key",
            os.path.join(d, "server.key")]
small = os.path.join(os.path.dirname(STASIS), "stasis-hooks")
port, p = start("stasis", ["-hooks", hooks])
is_(exe(p), "stasis-hooks", "stasis hooks, plain HTTP: stasis-hooks serves")
is_(request(port, "POST", "/hooks/echo")[0], 200, "and answers")
stop(p)
port, p = start_bin(small, ["-hooks", hooks] + tls_args)
is_(exe(p), "stasis", "stasis-hooks -secure: the full stasis serves")
is_(request(port, "POST", "/hooks/echo", tls=ctx)[0], 200, "over HTTPS")
stop(p)
port, p = start("stasis", ["-hooks", hooks] + tls_args)
is_(exe(p), "stasis", "stasis hooks -secure: stays in the full stasis")
stop(p)
lone = os.path.join(d, "lone")
os.mkdir(lone)
subprocess.run(["cp", STASIS, lone], check=True)
port, p = start_bin(os.path.join(lone, "stasis"), ["-hooks", hooks])
is_((exe(p), request(port, "POST", "/hooks/echo")[0]), ("stasis", 200),
    "a lone stasis serves plain HTTP itself")
stop(p)
os.unlink(os.path.join(lone, "stasis"))
subprocess.run(["cp", small, lone], check=True)
port, p = start_bin(os.path.join(lone, "stasis-hooks"), ["-hooks", hooks])
is_((exe(p), request(port, "POST", "/hooks/echo")[0]),
    ("stasis-hooks", 200), "a lone stasis-hooks serves plain HTTP")
stop(p)
r = subprocess.run([os.path.join(lone, "stasis-hooks"), "hooks", "-hooks",
                    hooks, "-ip", "127.0.0.1", "-port", str(free_port())] +
                   tls_args, capture_output=True, text=True, timeout=30)
ok(r.returncode != 0 and "-secure: TLS is not in stasis-hooks, and there "
   "is no stasis next to it" in r.stderr,
   "a lone stasis-hooks refuses -secure and says why")


# Renewal in place: SIGHUP serves the new certificate to new connections;
# a broken one is refused and the running one stays.
def peer_der(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with ssl.create_default_context(cafile=ca).wrap_socket(
                s, server_hostname="127.0.0.1") as t:
            return t.getpeercert(binary_form=True)


def file_der(pem):
    return ssl.PEM_cert_to_DER_cert(open(pem).read())


def wait_der(port, want):
    for _ in range(50):
        if peer_der(port) == want:
            return True
        time.sleep(0.1)
    return False


rdir = os.path.join(d, "renew")
os.mkdir(rdir)
for f in ("server.pem", "server.key"):
    with open(os.path.join(d, f)) as i, open(os.path.join(rdir, f), "w") as o:
        o.write(i.read())
tlslog = os.path.join(d, "tls.log")
port, p = start("stasis", ["-hooks", hooks, "-secure", "-cert",
                           os.path.join(rdir, "server.pem"), "-key",
                           os.path.join(rdir, "server.key")], log=tlslog)
first = peer_der(port)
is_(first, file_der(os.path.join(d, "server.pem")), "TLS: the first certificate")
openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", os.path.join(rdir, "new.key"), "-out",
        os.path.join(rdir, "new.csr"), "-subj", "/CN=127.0.0.1")
openssl("x509", "-req", "-in", os.path.join(rdir, "new.csr"), "-CA", ca,
        "-CAkey", ca_key, "-CAcreateserial", "-out",
        os.path.join(rdir, "new.pem"), "-days", "2", "-extfile",
        os.path.join(d, "server.ext"))
keep = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
keep.request("POST", "/hooks/echo")
keep.getresponse().read()
os.rename(os.path.join(rdir, "new.key"), os.path.join(rdir, "server.key"))
os.rename(os.path.join(rdir, "new.pem"), os.path.join(rdir, "server.pem"))
os.kill(p.pid, signal.SIGHUP)
ok(wait_der(port, file_der(os.path.join(rdir, "server.pem"))),
   "SIGHUP: a renewed certificate is served to new connections")
keep.request("POST", "/hooks/echo")
is_(keep.getresponse().status, 200,
    "SIGHUP: a connection open across the renewal goes on")
keep.close()
renewed = file_der(os.path.join(rdir, "server.pem"))
with open(os.path.join(rdir, "server.pem"), "w") as f:
    f.write("-----BEGIN CERTIFICATE-----\nbroken\n")
os.kill(p.pid, signal.SIGHUP)
for _ in range(50):
    if "TLS not reloaded" in open(tlslog).read():
        break
    time.sleep(0.1)
ok("TLS not reloaded, keeping the running certificate" in open(tlslog).read(),
   "SIGHUP: a broken certificate is refused, and the log says so")
is_(peer_der(port), renewed, "SIGHUP: the running certificate stays")
ok(p.poll() is None, "SIGHUP: still serving")
stop(p)
port, p = start("stasis", ["-hooks", hooks, "-secure", "-cert",
                           os.path.join(d, "server.pem"), "-key",
                           os.path.join(d, "server.key"), "-client-ca", ca])
try:
    request(port, "POST", "/hooks/echo", tls=ctx)
    refused = False
except (ssl.SSLError, ConnectionError, OSError):
    refused = True
ok(refused, "-client-ca: no client certificate, no answer")
ctx.load_cert_chain(os.path.join(d, "client.pem"),
                    os.path.join(d, "client.key"))
is_(request(port, "POST", "/hooks/echo", tls=ctx)[0], 200,
    "-client-ca: a client certificate from the CA is served")
stop(p)
srv = ["-secure", "-cert", os.path.join(d, "server.pem"), "-key",
       os.path.join(d, "server.key")]
port, p = start("stasis", ["-hooks", hooks, "-tls-min-version", "1.3"] + srv)
ctx12 = ssl.create_default_context(cafile=ca)
ctx12.maximum_version = ssl.TLSVersion.TLSv1_2
try:
    request(port, "POST", "/hooks/echo", tls=ctx12)
    refused = False
except (ssl.SSLError, ConnectionError, OSError):
    refused = True
ok(refused, "-tls-min-version 1.3 refuses a TLS 1.2 client")
is_(request(port, "POST", "/hooks/echo",
            tls=ssl.create_default_context(cafile=ca))[0], 200,
    "-tls-min-version 1.3 serves a TLS 1.3 client")
stop(p)
suite = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
port, p = start("stasis", ["-hooks", hooks, "-cipher-suites", suite] + srv)
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx12, timeout=10)
c.request("POST", "/hooks/echo")
c.getresponse().read()
is_(c.sock.cipher()[0], "ECDHE-ECDSA-AES256-GCM-SHA384",
    "-cipher-suites (IANA names, as webhook takes them)")
c.close()
stop(p)
r = run(["-hooks", hooks, "-port", "0", "-cipher-suites", "TLS_NOPE"] + srv)
ok(r.returncode != 0 and 'unknown cipher suite "TLS_NOPE"' in r.stderr,
   "-cipher-suites: an unknown suite is an error")
r = run(["-hooks", hooks, "-port", "0", "-tls-min-version", "2"] + srv)
ok(r.returncode != 0 and "unknown minimum version" in r.stderr,
   "-tls-min-version: a bad version is an error")
r = run(["-hooks", hooks, "-client-ca", ca])
ok(r.returncode != 0 and "-secure" in r.stderr, "-client-ca needs -secure")

# --- -pidfile, -setuid/-setgid --------------------------------------------
pf = os.path.join(d, "hooks.pid")
port, p = start("stasis", ["-hooks", hooks, "-pidfile", pf])
wait_file(pf)
is_(open(pf).read().strip(), str(p.pid), "-pidfile")
stop(p)
ok(not os.path.exists(pf), "-pidfile removed at exit")
port, p = start("stasis", ["-hooks", hooks, "-setuid", "65534", "-setgid",
                           "65534"])
is_(request(port, "POST", "/hooks/whoami")[2].strip(), "65534",
    "-setuid/-setgid: commands run as the dropped user")
stop(p)
# --- -max-multipart-mem: values past it plus 10 MiB are refused ---------
port, p = start("stasis", ["-hooks", hooks, "-max-multipart-mem", "1",
                           "-max-body", "12M"])
big = "x" * (10 * 1024 * 1024 + 100)
mp = ("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + big +
      "\r\n--B--\r\n")
s, h, b = request(port, "POST", "/hooks/echo",
                  {"Content-Type": "multipart/form-data; boundary=B"}, mp)
is_((s, b), (500, "Error occurred while parsing multipart form."),
    "-max-multipart-mem: too large a multipart value")
mp = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nsmall\r\n--B--\r\n"
is_(request(port, "POST", "/hooks/echo",
            {"Content-Type": "multipart/form-data; boundary=B"}, mp)[0], 200,
    "-max-multipart-mem: a small one passes")
stop(p)

# --- the shipped example (the README's set-up command) -------------------
top = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
port, p = start("stasis", ["-hooks", "examples/hooks/hooks.yaml",
                           "-verbose"], cwd=top)
body = json.dumps({"ref": "refs/heads/main", "after": "0123abcd",
                   "repository": {"full_name": "me/app"},
                   "pusher": {"name": "alice"}})
sig = hmac.new(b"change-me", body.encode(), hashlib.sha256).hexdigest()
s, h, b = request(port, "POST", "/hooks/deploy", {
    "Content-Type": "application/json", "X-Hub-Signature-256":
    "sha256=" + sig, "X-GitHub-Delivery": "42"}, body)
is_((s, b.strip()), (200, "deploying me/app at 0123abcd (pushed by alice, "
                     "delivery 42)"), "example: signed deploy runs")
s, h, b = request(port, "POST", "/hooks/deploy", {
    "Content-Type": "application/json", "X-Hub-Signature-256":
    "sha256=" + "0" * 64}, body)
is_(s, 500, "example: a bad signature is refused")
other = body.replace("refs/heads/main", "refs/heads/dev")
sig = hmac.new(b"change-me", other.encode(), hashlib.sha256).hexdigest()
s, h, b = request(port, "POST", "/hooks/deploy", {
    "Content-Type": "application/json", "X-Hub-Signature-256":
    "sha256=" + sig}, other)
is_((s, b), (403, "Hook rules were not satisfied."),
    "example: another branch gets the mismatch code")
is_(request(port, "GET", "/hooks/ping")[2], "pong", "example: ping")
stop(p)
# --- form and query keys that are not UTF-8 --------------------------------
# Go keeps such keys and writes the stray bytes as \ufffd; they were
# silently dropped (jansson refuses them as keys) and a value was copied
# raw into entire-payload, which was then not JSON.
hooks8 = write("hooks8.json", json.dumps([
    {"id": "e", "execute-command": "/bin/echo",
     "include-command-output-in-response": True,
     "pass-arguments-to-command": [{"source": "entire-payload"},
                                   {"source": "entire-query"}]}]))
port, p = start("stasis", ["-hooks", hooks8])
s, h, b = request(port, "POST", "/hooks/e?q%E9=1&r=2", {
    "Content-Type": "application/x-www-form-urlencoded"},
    "caf%E9=1&b=2&c=%E9")
is_((s, b.strip()), (200, '{"b":"2","c":"\\ufffd","caf\\ufffd":"1"} '
    '{"q\\ufffd":"1","r":"2"}'),
    "form and query keys that are not UTF-8 are kept, as Go writes them")
stop(p)
# --- shutdown does not wait forever for a background run ---------------
port, p = start("stasis", ["-hooks", hooks])
bgpid = os.path.join(d, "bg.pid")
request(port, "POST", "/hooks/bg?pidfile=" + bgpid)
ok(wait_file(bgpid), "background run started")
t0 = time.time()
p.terminate()
try:
    rc = p.wait(30)
except subprocess.TimeoutExpired:
    rc = None
ok(rc == 0, "SIGTERM with a run going: clean exit (after at most ~10 s)")
try:
    os.kill(int(open(bgpid).read()), signal.SIGKILL)
except (OSError, ValueError):
    pass
done()
