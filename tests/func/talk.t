#!/bin/sh
# The talk's flow on one node, run from the shipped example
# (examples/talk, with this test's ports and paths): releases built as
# seekable tar.zst, the app in a jail on a tarfs root, stasis serve with
# the deploy webhook, and a real haproxy in front that sends traffic only
# where serve says the app is up.  Deploy, refuse a bad signature, roll
# forward, roll back, refuse a release changed after it was signed and a
# missing one without touching the app.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/node.sh"
need_root
command -v haproxy >/dev/null || skip_all "haproxy not installed"
command -v socat >/dev/null || skip_all "socat not installed"
command -v signify-openbsd >/dev/null || skip_all "signify-openbsd not installed"
[ -e /dev/fuse ] || skip_all "no /dev/fuse"

EX=$(cd "$(dirname "$0")/../../examples/talk" && pwd)
node_tmp
APP=$(free_port); HTTP=$(free_port); AGENT=$(free_port); FE=$(free_port)
STASIS_RUNDIR=$T/run
export STASIS_RUNDIR
mkdir -p "$T/etc" "$T/db"
for f in jail.conf serve.conf hooks.yaml haproxy.cfg deploy.sh release.sh; do
	sed -e "s|/var/db/talk|$T/db|g" -e "s|/usr/local/etc/talk|$T/etc|g" \
	    -e "s|/var/run/stasis-serve.sock|$T/ctl.sock|" \
	    -e "s|/var/run/talk-haproxy.sock|$T/haproxy.sock|" \
	    -e "s|127.0.0.1:8000|127.0.0.1:$APP|g" \
	    -e "s|^\$port = 8000;|\$port = $APP;|" \
	    -e "s|127.0.0.1:8080|127.0.0.1:$HTTP|" -e "s|port 8080|port $HTTP|" \
	    -e "s|127.0.0.1:8081|127.0.0.1:$AGENT|" \
	    -e "s|127.0.0.1:8088|127.0.0.1:$FE|" "$EX/$f" >"$T/etc/$f"
done
chmod +x "$T/etc/deploy.sh" "$T/etc/release.sh"
cleanup "jail -f '$T/etc/jail.conf' -q -r app"

# hook BODY [SIGNATURE]: POST to the deploy hook, signed unless given;
# prints the status, a space, the body.
hook() {
	_sig=${2:-sha256=$(python3 -c 'import hmac, hashlib, sys
print(hmac.new(b"change-me", sys.argv[1].encode(), hashlib.sha256).hexdigest())' "$1")}
	_code=$(curl -s -m 60 -o "$T/resp" -w '%{http_code}' \
	    -H 'Content-Type: application/json' \
	    -H "X-Hub-Signature-256: $_sig" -d "$1" \
	    "http://127.0.0.1:$HTTP/hooks/deploy")
	echo "$_code $(tr '\n' ' ' <"$T/resp")"
}

front() {
	curl -s -m 5 "http://127.0.0.1:$FE/"
}

# front_is TEXT: until haproxy serves TEXT (up to 10 s).
front_is() {
	_i=0
	while [ "$(front)" != "$1" ] && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	front
}

run_ok "the build host's signing key" -- \
    stasis image keygen -q -c talk -p "$T/etc/release.pub" -s "$T/etc/release.sec"
for v in 1 2 3; do
	run_ok "release.sh $v builds a seekable tar.zst, signed" -- \
	    "$T/etc/release.sh" "$v" "$T/db/releases"
done
run_ok "signify verifies a release" -- \
    signify-openbsd -V -q -p "$T/etc/release.pub" -m "$T/db/releases/app-1.tar.zst"
# Release 3 is changed after it was signed (a corrupted download, or a
# file someone slipped in).
printf x | dd of="$T/db/releases/app-3.tar.zst" bs=1 seek=100 conv=notrunc 2>/dev/null
like "$(stasis tarfs --check "$T/db/releases/app-2.tar.zst" 2>&1)" \
    'tar.zst, 16 inodes' "the release indexes"

node_serve "$T/etc/serve.conf"
ok $? "stasis serve starts with the deploy hook"
node_haproxy "$T/etc/haproxy.cfg"
ok $? "haproxy starts"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/_up/app")" 503 "no jail yet: /_up/app is 503"
like "$(hap_wait app app1 status DOWN)" '^DOWN' "haproxy holds back traffic"

like "$(hook '{"version": "1"}')" '^200 .*deployed app 1' "a signed webhook deploys release 1"
is "$(hap_wait app app1 status UP)" UP "haproxy sees the app up"
is "$(front_is 'app 1')" "app 1" "traffic reaches release 1"
like "$(jls -v --libxo json | jq -r '.["jail-information"].jail[] | select(.name == "app") | .state')" ACTIVE "jls --libxo json shows the jail"
out=$(jexec app mkdir /coimbra 2>&1)
ok $([ $? -ne 0 ]; echo $?) "the root cannot change: mkdir /coimbra fails ($out)"
is "$(jexec app cat /etc/release)" 1 "the root is release 1's tarball"
is "$(ps -o uid= -p "$(pgrep -f "http.server --bind 127.0.0.1 --directory /srv/app $APP")" | tr -d ' ')" 80 "the app runs as exec.jail_user (www, uid 80)"
is "$(stasis jail diff app)" "" "jail diff: the app changed nothing"

like "$(hook '{"version": "2"}' sha256=0000)" '^500 .*evaluating hook rules' "a bad signature is refused (500, as webhook answers)"
is "$(front)" "app 1" "and nothing changed"

like "$(hook '{"version": "2"}')" '^200 .*deployed app 2' "deploy release 2"
is "$(front_is 'app 2')" "app 2" "traffic reaches release 2"
is "$(readlink "$T/db/releases/current.tar.zst")" app-2.tar.zst "current points at release 2"
like "$(stasis tarfs --check "$T/db/releases/current.tar.zst")" \
    'from the index embedded in the archive' "through the link, tarfs reads the index in the release (image tar embeds it)"

like "$(hook '{"version": "1"}')" '^200 .*deployed app 1' "roll back: deploy release 1 again"
is "$(front_is 'app 1')" "app 1" "traffic reaches release 1 again"

like "$(hook '{"version": "3"}')" '^500 .*release 3 is not signed by release.pub' "a release changed after signing is refused (500)"
is "$(front)" "app 1" "and the running app is untouched"
like "$(hook '{"version": "9"}')" '^500 .*no release 9' "a missing release is refused (500)"
is "$(front)" "app 1" "the running app is untouched"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP/_up/app")" 200 "and still up, not drained"
like "$(hook '{"version": "../x"}')" '^500 .*refusing version' "an odd version is refused"

run_ok "remove the jail" -- jail -f "$T/etc/jail.conf" -q -r app
like "$(hap_wait app app1 status DOWN)" '^DOWN' "haproxy takes the app out"
ok $([ -z "$(grep " $T/" /proc/self/mountinfo)" ]; echo $?) "no mounts left under the test directory"
node_log_clean
done_testing
