# Helpers for the hooks functional tests (Python 3, standard library):
# TAP output, starting `stasis hooks` or Debian's webhook on loopback,
# raw HTTP requests, and a recorder command that reports the argv,
# environment and files it was given.
import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

STASIS = os.environ.get("STASIS") or os.path.join(
    os.environ.get("STASIS_BUILD",
                   os.path.join(os.path.dirname(__file__), "../../../build")),
    "stasis")
WEBHOOK = "/usr/bin/webhook"

_n = 0
_failed = 0
_procs = []
_dirs = []


def ok(cond, name):
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", _n, name), flush=True)
    return cond


def is_(got, want, name):
    if not ok(got == want, name):
        for line in ("got:  %r" % (got,), "want: %r" % (want,)):
            print("#   " + line)


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line)


def done():
    print("1..%d" % _n)
    cleanup()
    sys.exit(1 if _failed else 0)


def skip_all(why):
    print("1..0 # SKIP " + why)
    cleanup()
    sys.exit(0)


def cleanup():
    for p in _procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    del _procs[:]
    for d in _dirs:
        shutil.rmtree(d, ignore_errors=True)
    del _dirs[:]


atexit.register(cleanup)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(130))


def tmpdir():
    d = tempfile.mkdtemp(prefix="stasis-hooks-%d-" % os.getpid())
    _dirs.append(d)
    return d


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc, tries=100):
    for _ in range(tries):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def start(kind, args, port=None, env=None, wait=True, log=None, cwd=None):
    """Start `stasis hooks` (kind "stasis") or webhook; returns (port,
    proc).  args are the daemon's flags after -ip/-port."""
    port = port or free_port()
    argv = [STASIS, "hooks"] if kind == "stasis" else [WEBHOOK]
    argv += ["-ip", "127.0.0.1", "-port", str(port)] + list(args)
    out = open(log, "w") if log else subprocess.DEVNULL
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                         env=env, cwd=cwd, start_new_session=True)
    _procs.append(p)
    if wait and not wait_port(port, p):
        raise RuntimeError("%s did not start: %s" % (kind, argv))
    return port, p


def stop(p):
    if p.poll() is None:
        p.terminate()
        p.wait(10)


def request(port, method="POST", path="/", headers=None, body=None,
            tls=None, timeout=20):
    """Returns (status, headers dict lower-cased, body str)."""
    if tls is not None:
        c = http.client.HTTPSConnection("127.0.0.1", port, context=tls,
                                        timeout=timeout)
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    if isinstance(body, str):
        body = body.encode()
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    h = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, h, data


RECORDER = r'''#!/usr/bin/env python3
# Prints (and with RECORD_TO in its environment, also writes) the argv,
# the HOOK_*/X_* environment, the files those name, and the cwd.
import json, os, sys
env = {k: v for k, v in os.environ.items()
       if k.startswith("HOOK_") or k.startswith("X_")}
files = {}
for k, v in env.items():
    if v.startswith("/") and os.path.isfile(v):
        files[k] = open(v, "rb").read().decode("latin-1")
        files[k + "_dir"] = os.path.dirname(v)
rec = {"argv": sys.argv, "env": env, "files": files, "cwd": os.getcwd()}
out = json.dumps(rec, sort_keys=True)
sys.stdout.write(out)
if os.environ.get("RECORD_TO"):
    with open(os.environ["RECORD_TO"] + ".tmp", "w") as f:
        f.write(out)
    os.rename(os.environ["RECORD_TO"] + ".tmp", os.environ["RECORD_TO"])
code = os.environ.get("HOOK_exit") or os.environ.get("X_EXIT")
sys.exit(int(code) if code else 0)
'''


def recorder(d):
    path = os.path.join(d, "record")
    with open(path, "w") as f:
        f.write(RECORDER)
    os.chmod(path, 0o755)
    return path


def wait_file(path, tries=100):
    for _ in range(tries):
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False
