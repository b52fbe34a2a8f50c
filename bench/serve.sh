#!/bin/sh
# make bench BENCH=serve: requests/s and p99 latency of stasis serve's
# GET /jails and GET /_up/APP under wrk on loopback, side by side with
# (a) haproxy answering a fixed 200 from memory (`http-request return`:
# the ceiling for an HTTP health endpoint on this machine) and (b) the
# talk's own way of publishing jail state, a shell loop piping
# `jls -v --libxo json` into `nc -l` (one client at a time).
# Server and wrk share the machine's CPUs; stasis serve runs with its
# default of one HTTP thread, haproxy with one thread per CPU.  Writes a markdown section to $1.
set -eu
out=${1:-/dev/stdout}
: "${STASIS:=${STASIS_BUILD:-build}/stasis}"
PATH=$(dirname "$STASIS")/bin:$PATH	# jls
DUR=${BENCH_DURATION:-5}
CONNS=${BENCH_CONNS:-50}
# The target is for a machine of our own; on a shared one the servers and
# wrk run at a higher priority than the rest (BENCH_PRIO= to turn off).
PRIO=${BENCH_PRIO-nice -n -10}
T=$(mktemp -d /tmp/stasis-bench-serve.XXXXXX)
pids=""
trap 'for p in $pids; do kill -- $p 2>/dev/null; done; sleep 0.2; rm -rf "$T"' EXIT
export STASIS_RUNDIR="$T/run"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { i=0; while ! curl -s -o /dev/null "$1" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; }

# wrk URL -> "req/s p99(ms) errors": the median of RUNS runs (req/s and
# p99 each), so that one disturbed run on a shared machine does not
# decide the figure.
RUNS=${BENCH_RUNS:-3}
bench1() {
	$PRIO wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "$1" >"$T/wrk.out" 2>&1
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$T/wrk.out")
	p99=$(awk '$1 == "99%" { v = $2;
		if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v) }
		else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
		printf "%.2f", v }' "$T/wrk.out")
	echo "$rps $p99"
	awk '/Non-2xx|Socket errors/ {print}' "$T/wrk.out" >>"$T/wrk.err"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
bench() {
	: >"$T/runs"
	: >"$T/wrk.err"
	i=0
	while [ $i -lt "$RUNS" ]; do
		bench1 "$1" >>"$T/runs"
		i=$((i + 1))
	done
	echo "$(cut -d' ' -f1 "$T/runs" | median) $(cut -d' ' -f2 "$T/runs" | median) $(tr '\n' ' ' <"$T/wrk.err")"
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
HTTP=$(port); HAP=$(port)
cat >"$T/serve.conf" <<CONF
listen: [127.0.0.1:$HTTP]
control: $T/ctl.sock
state: $T/state.json
apps:
  web: {check: {command: [true], interval: 1s, rise: 1}}
CONF
$PRIO "$STASIS" serve -q -c "$T/serve.conf" >"$T/serve.log" 2>&1 &
spid=$!
pids="$pids $spid"
cat >"$T/haproxy.cfg" <<CONF
global
	nbthread $(nproc)
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
frontend fe
	bind 127.0.0.1:$HAP
	http-request return status 200 content-type text/plain string "up"
CONF
$PRIO haproxy -f "$T/haproxy.cfg" -D -p "$T/haproxy.pid" >/dev/null 2>&1
pids="$pids $(cat "$T/haproxy.pid")"
wait_http "http://127.0.0.1:$HTTP/_up"
wait_http "http://127.0.0.1:$HAP/"
sleep 1.5	# the app's check passes

set -- $(bench "http://127.0.0.1:$HTTP/jails"); j_rps=$1 j_p99=$2; shift 2; j_err="$*"
set -- $(bench "http://127.0.0.1:$HTTP/_up/web"); u_rps=$1 u_p99=$2; shift 2; u_err="$*"
set -- $(bench "http://127.0.0.1:$HAP/"); h_rps=$1 h_p99=$2

# /_up/web again while the daemon reloads serve.conf every 50 ms (an app
# added and removed in turn): what a reload costs the HTTP side.
cp "$T/serve.conf" "$T/serve.a"
printf '  db: {check: {command: [true], interval: 1s, rise: 1}}\n' |
    cat "$T/serve.conf" - >"$T/serve.b"
(i=0; while :; do
	if [ $((i % 2)) = 0 ]; then cp "$T/serve.b" "$T/serve.tmp"
	else cp "$T/serve.a" "$T/serve.tmp"; fi
	mv "$T/serve.tmp" "$T/serve.conf"
	kill -HUP "$spid" 2>/dev/null || break
	i=$((i + 1)); echo $i >"$T/nhup"; sleep 0.05
done) &
hup=$!
pids="$pids $hup"
set -- $(bench "http://127.0.0.1:$HTTP/_up/web"); r_rps=$1 r_p99=$2; shift 2; r_err="$*"
kill "$hup" 2>/dev/null || true
wait "$hup" 2>/dev/null || true
pids=${pids% $hup}	# the EXIT trap must not stop at a dead one
nhup=$(cat "$T/nhup")
rss() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
s_rss=$(rss "$spid")
h_rss=$(for p in $(pgrep -f "haproxy -f $T/haproxy.cfg"); do rss "$p"; done | sort -n | tail -1)

# The talk's loop: one client at a time, each a new jls process.
NCP=$(port)
# Its own process group, so that the listening nc goes with the loop.
setsid sh -c "while :; do jls -v --libxo json | nc -l -N 127.0.0.1 $NCP >/dev/null 2>&1 || sleep 0.01; done" &
pids="$pids -$!"
sleep 0.5
n=0; end=$(($(date +%s) + DUR))
while [ "$(date +%s)" -lt $end ]; do
	nc -N 127.0.0.1 "$NCP" </dev/null >/dev/null 2>&1 && n=$((n + 1))
done
nc_rps=$((n / DUR))

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
{
	echo "## stasis serve: /jails and /_up"
	echo
	echo "wrk -t1 -c$CONNS -d${DUR}s --latency on loopback, median of $RUNS runs; stasis serve"
	echo "with its default one HTTP thread, haproxy with one per CPU ($(nproc) CPUs, shared"
	echo "with wrk). Target: >= 20k req/s and p99 < 5 ms. Load average when"
	echo "the run started: $load (other work on the machine inflates p99); servers"
	echo "and wrk ran under \`${PRIO:-(default priority)}\`."
	echo
	echo "| endpoint | server | req/s | p99 latency | stasis req/s ÷ this |"
	echo "| --- | --- | ---: | ---: | ---: |"
	echo "| GET /jails (jls -v --libxo json) | stasis serve | $j_rps | $j_p99 ms | - |"
	echo "| jls document | talk's \`jls \| nc -l\` loop (sequential) | $nc_rps | - | $(ratio "$j_rps" "$nc_rps") |"
	echo "| GET /_up/web | stasis serve | $u_rps | $u_p99 ms | - |"
	echo "| GET /_up/web, reloading every 50 ms | stasis serve ($nhup reloads) | $r_rps | $r_p99 ms | $(ratio "$r_rps" "$u_rps") of the above |"
	echo "| fixed 200 from memory | haproxy \`http-request return\` | $h_rps | $h_p99 ms | $(ratio "$u_rps" "$h_rps") |"
	echo
	echo "Peak resident memory after the runs: stasis serve ${s_rss} KiB, haproxy ${h_rss} KiB."
	[ -n "$j_err$u_err$r_err" ] && echo && echo "wrk reported: $j_err $u_err $r_err"
	echo
	echo "The haproxy row is a ceiling, not a peer doing the same work: it"
	echo "answers a constant, where /_up/APP reads the app's live state."
} >"$out"
cat "$out"
