# Shell helpers for the stasis serve tests (tests/func/serve*.t): start
# the daemon, haproxy and BIRD instances of their own in a temporary
# directory, and read haproxy's and BIRD's view back.  Source after
# tap.sh; every helper registers its own cleanup.

# node_tmp: a private directory, removed at exit.
node_tmp() {
	T=$(mktemp -d "/tmp/stasis-serve.$$.XXXXXX")
	cleanup "rm -rf '$T'"
	export T
}

# node_serve CONF [ARGS...]: run stasis serve in the background, logging
# to $T/serve.log; waits for its control socket ($T/ctl.sock).
node_serve() {
	_conf=$1; shift
	"$STASIS" serve -c "$_conf" -s "$T/ctl.sock" "$@" \
	    >>"$T/serve.log" 2>&1 &
	SERVE_PID=$!
	cleanup "kill $SERVE_PID 2>/dev/null; sleep 0.2; kill -9 $SERVE_PID 2>/dev/null"
	WAIT_TRIES=100 wait_for test -S "$T/ctl.sock"
}

node_serve_stop() {
	kill "$SERVE_PID" 2>/dev/null
	_i=0
	while kill -0 "$SERVE_PID" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	! kill -0 "$SERVE_PID" 2>/dev/null
}

# node_haproxy CFG: a private haproxy (pidfile $T/haproxy.pid).
node_haproxy() {
	haproxy -f "$1" -D -p "$T/haproxy.pid" >>"$T/haproxy.log" 2>&1 ||
	    return 1
	cleanup "kill \$(cat '$T/haproxy.pid' 2>/dev/null) 2>/dev/null"
}

node_haproxy_stop() {
	kill "$(cat "$T/haproxy.pid")" 2>/dev/null
	sleep 0.3
}

# hap_cmd CMD: a command on the stats socket $T/haproxy.sock.
hap_cmd() {
	echo "$1" | socat -t2 - "UNIX-CONNECT:$T/haproxy.sock"
}

# hap_field BACKEND SERVER FIELD: one field of `show stat` by its name.
hap_field() {
	hap_cmd "show stat" | awk -F, -v b="$1" -v s="$2" -v f="$3" '
		NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++)
			if ($i == f) c = i; next }
		$1 == b && $2 == s { print $c }'
}

# hap_wait BACKEND SERVER FIELD VALUE: until haproxy shows VALUE (up to
# 10 s); prints what it shows last.
hap_wait() {
	_i=0
	while :; do
		_v=$(hap_field "$1" "$2" "$3")
		[ "$_v" = "$4" ] || [ $_i -ge 100 ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "$_v"
}
