#!/bin/sh
# stasis tarfs --compress interrupted (^C, SIGTERM, SIGHUP) leaves no
# temporary file beside the output, and no output: it dies of the
# signal, and an existing output is left as it was.
. "$(dirname "$0")/tap.sh"

T=$(mktemp -d "/tmp/stasis-tarfs-sig.$$.XXXXXX")
cleanup "rm -rf '$T'"
mkdir "$T/src"
# Random data at level 19 compresses slowly: seconds, time to interrupt.
head -c 64000000 /dev/urandom >"$T/src/r"
tar -C "$T/src" -cf "$T/a.tar" r
echo old >"$T/old.tar.zst"

for sig in INT TERM HUP; do
	python3 - "$STASIS_BUILD/stasis" "$T" "$sig" >"$T/out" 2>&1 <<'PY'
import glob, signal, subprocess, sys, time
stasis, t, sig = sys.argv[1:]
p = subprocess.Popen([stasis, "tarfs", "--compress", "-l", "19",
                      t + "/a.tar", t + "/old.tar.zst"],
                     stderr=subprocess.DEVNULL)
deadline = time.time() + 20
while not glob.glob(t + "/old.tar.zst.??????") and time.time() < deadline:
    time.sleep(0.01)
p.send_signal(getattr(signal, "SIG" + sig))
print(p.wait())
PY
	is "$(cat "$T/out")" "$(python3 -c "import signal; print(-signal.SIG$sig)")" \
	    "SIG$sig: dies of the signal"
	is "$(cd "$T" && ls old.tar.zst* | tr '\n' ' ')" "old.tar.zst " \
	    "SIG$sig: no temporary file left"
	is "$(cat "$T/old.tar.zst")" "old" "SIG$sig: the existing output as it was"
done
done_testing
