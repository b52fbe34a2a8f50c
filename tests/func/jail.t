#!/bin/sh
# jail(8) on Linux namespaces: isolation, read-only root, writable /tmp
# and data, removal leaving nothing, refusals leaving nothing.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/jail.sh"
jail_setup

J=app$$
mkdir -p "$JT/data"
printf 'daemon:x:4242:4242:daemon:/:/bin/sh\njonly%s:x:4343:4343::/:/bin/sh\n' $$ >>"$ROOT/etc/passwd"
run_ok "jail -c persistent jail on a read-only root" -- \
    jail -q -c name=$J path="$ROOT" host.hostname=h$$ persist \
    stasis.root=ro mount.devfs mount.procfs "$USR" \
    "mount+=tmpfs $ROOT/tmp tmpfs rw,size=4m" \
    "mount+=$JT/data $ROOT/data nullfs rw"
ok $(jail_is=$(jls -N | grep -c " $J "); [ "$jail_is" = 1 ]; echo $?) "jls -N lists it"
is "$(jexec $J hostname)" "h$$" "hostname is the jail's own"
is "$(hostname)" "$(cat /proc/sys/kernel/hostname)" "host's hostname unchanged"
ok $([ "$(hostname)" != "h$$" ]; echo $?) "host's hostname is not the jail's"
is "$(jexec $J cat /proc/1/comm)" jail-init "pid 1 of the jail is its init"
p=$(jexec $J sh -c 'echo $$'); ok $([ "$p" -gt 1 ] && [ "$p" -lt 100 ]; echo $?) "a jexec'd process has a small pid of the jail's own ($p)"
n=$(jexec $J ps -e -o pid= | wc -l)
ok $([ "$n" -le 4 ]; echo $?) "the jail sees only its own processes ($n)"
ok $(jexec $J ps -e -o comm= | grep -q "^prove\|^sshd\|^systemd" ; [ $? -ne 0 ]; echo $?) "no host process visible"
out=$(jexec $J mkdir /newdir 2>&1); rc=$?
ok $([ $rc -ne 0 ]; echo $?) "mkdir / fails"
like "$out" "Read-only file system" "with EROFS"
ok $([ ! -e "$ROOT/newdir" ]; echo $?) "nothing created in the template"
run_ok "/tmp is writable" -- jexec $J sh -c 'echo x > /tmp/f && cat /tmp/f'
ok $([ ! -e "$ROOT/tmp/f" ]; echo $?) "/tmp is the jail's tmpfs, not the template's"
run_ok "data dir is writable" -- jexec $J sh -c 'echo d > /data/out'
is "$(cat "$JT/data/out" 2>/dev/null)" d "data written inside lands in the host dir"
run_fails "/usr is read-only" -- jexec $J touch /usr/x$$
ls_dev=$(jexec $J ls /dev | tr '\n' ' ')
like "$ls_dev" "null.*pts.*zero" "minimal /dev ($ls_dev)"
ok $(jexec $J ls /dev | grep -q sda; [ $? -ne 0 ]; echo $?) "no host disks in /dev"
jexec $J sh -c 'exit 3'; is $? 3 "jexec returns the command's exit status (3)"
jexec $J true; is $? 0 "jexec exit status 0"
jexec $J sh -c 'kill -9 $$'; is $? 137 "killed by a signal: 128+9"
jexec $J /nonexistent 2>/dev/null; is $? 1 "command not found: 1, as jexec(8)"
jid=$(jls -j $J -n jid | sed 's/jid=//')
is "$(jexec "$jid" hostname)" "h$$" "jexec by jid"
is "$(jexec -U nobody $J id -u)" 65534 "jexec -U user (jail's passwd)"
is "$(jexec -l $J sh -c 'echo $HOME:$PWD')" "/root:/root" "jexec -l: clean login environment"
is "$(jexec -u nobody $J id -u)" "$(id -u nobody)" "jexec -u user (host's passwd)"
# -u looks the user up in the host's passwd, -U in the jail's: a name
# with another uid in the jail's, and one only the jail has, tell them
# apart.
if hu=$(id -u daemon 2>/dev/null) && [ "$hu" != 4242 ]; then
	is "$(jexec -u daemon $J id -u)" "$hu" "jexec -u daemon: the host's uid ($hu)"
	is "$(jexec -U daemon $J id -u)" 4242 "jexec -U daemon: the jail's uid (4242)"
else
	ok 0 "# SKIP no host user daemon"
	ok 0 "# SKIP no host user daemon"
fi
is "$(jexec -U jonly$$ $J id -u)" 4343 "jexec -U: a user only the jail has"
out=$(jexec -u jonly$$ $J id -u 2>&1)
ok $([ $? -ne 0 ]; echo $?) "jexec -u: that user is not in the host's passwd ($out)"

# The jail has its own System V IPC: the host's queues are not seen
# inside, the jail's not on the host, and each jexec joins the jail's.
if command -v ipcmk >/dev/null && command -v ipcs >/dev/null; then
	hq=$(ipcmk -Q | sed 's/[^0-9]//g')
	cleanup "ipcrm -q $hq 2>/dev/null"
	ok $(ipcs -q | awk '{print $2}' | grep -qx "$hq"; echo $?) "a queue on the host ($hq)"
	ok $(jexec $J ipcs -q | awk '{print $2}' | grep -qx "$hq"; [ $? -ne 0 ]; echo $?) "not visible inside the jail"
	jq=$(jexec $J ipcmk -Q | sed 's/[^0-9]//g')
	is "$(jexec $J ipcs -q | awk -v q="$jq" '$2 == q {n++} END {print n+0}')" 1 "a later jexec sees the queue the jail made ($jq)"
	is "$(jexec $J ipcs -q | awk 'NF > 3 && $2 ~ /^[0-9]+$/ {n++} END {print n+0}')" 1 "and only that one"
	run_ok "jexec can remove it" -- jexec $J ipcrm -q "$jq"
else
	ok 0 "# SKIP no ipcmk/ipcs"
fi

run_fails "jail's root cannot mount (no allow.mount)" -- jexec $J mount -t tmpfs x /tmp

# No way out through file handles, nor through init: open_by_handle_at
# is refused, and init holds no capability the jail's root lacks (a
# process that may ptrace it gains nothing).
cp "$(dirname "$0")/lib/byhandle.py" "$JT/data/"
out=$(jexec $J python3 /data/byhandle.py 2>&1); rc=$?
if [ $rc -eq 2 ]; then
	ok 0 "# SKIP no file handles here ($out)"
else
	is "$rc" 1 "open_by_handle_at cannot open the filesystem's root ($out)"
fi
is "$(jexec $J sed -n 's/^CapEff:\t//p' /proc/1/status)" \
    "$(jexec $J sed -n 's/^CapEff:\t//p' /proc/self/status)" \
    "init's capabilities are the jail root's"
# A jail's /proc cannot set the host's sysctls (kernel.core_pattern
# names a program the kernel runs as the host's root).
out=$(jexec $J sh -c 'cat /proc/sys/kernel/core_pattern > /proc/sys/kernel/core_pattern' 2>&1)
ok $([ $? -ne 0 ]; echo $?) "/proc/sys is read-only in the jail"
like "$out" "Read-only" "with EROFS ($out)"
if [ -e /proc/sysrq-trigger ]; then
	# Opening it for writing is refused; nothing is written.
	run_fails "so is /proc/sysrq-trigger" -- jexec $J sh -c ': > /proc/sysrq-trigger'
else
	ok 0 "# SKIP no /proc/sysrq-trigger on this kernel"
fi
is "$(jexec $J cat /proc/sys/kernel/hostname)" "h$$" "and still readable"
is "$(jexec $J sed -n 's/^CapBnd:\t//p' /proc/1/status)" \
    "$(jexec $J sed -n 's/^CapBnd:\t//p' /proc/self/status)" \
    "and so is its bounding set"

# An interactive shell on a terminal (script(1) makes one): job control
# works, the exit status comes back.
if command -v script >/dev/null; then
	out=$(printf 'echo in-$$; exit 4\n' | script -qc "jexec $J /bin/sh -i; echo rc=\$?" /dev/null 2>&1)
	like "$out" "in-[0-9]" "jexec: interactive shell on a terminal"
	like "$out" "rc=4" "its exit status"
	ok $(printf '%s' "$out" | grep -q "Cannot set tty"; [ $? -ne 0 ]; echo $?) "with job control"
fi

# Duplicates and bad parameters: refused, nothing left behind.
out=$(jail -c name=$J path="$ROOT" persist 2>&1); rc=$?
ok $([ $rc -ne 0 ]; echo $?) "duplicate name refused"
like "$out" "already exists" "with a clear error ($out)"
is "$(jexec $J hostname)" "h$$" "the existing jail is untouched"
for bad in "bogus=1" "allow.nosuchthing" "enforce_statfs=0" "children.max=3" \
    "ip4.addr=300.1.1.1" "path=relative" "allow.set_hostname"; do
	B=bad$$
	out=$(jail -c name=$B path="$ROOT" persist $bad 2>&1); rc=$?
	ok $([ $rc -ne 0 ]; echo $?) "refused: $bad"
	like "$out" "${bad%%=*}" "error names the parameter ($out)"
done
out=$(jail -c name=$B path="$ROOT" persist "$USR" "mount+=/nonexistent$$ $ROOT/data nullfs ro" 2>&1); rc=$?
ok $([ $rc -ne 0 ]; echo $?) "a failing mount fails the create ($out)"
out=$(jail -c name=$B path="$ROOT" persist exec.start=false 2>&1); rc=$?
ok $([ $rc -ne 0 ]; echo $?) "a failing exec.start fails the create ($out)"
ok $([ ! -e "$STASIS_RUNDIR/jails/$B" ]; echo $?) "no state left by failed creates"
ok $([ ! -e "$(cgroup_dir $B)" ]; echo $?) "no cgroup left by failed creates"
ok $(jls -N | grep -q " $B "; [ $? -ne 0 ]; echo $?) "jls does not show them"

# Path and parameters need not be UTF-8 (JSON strings must be): the state
# keeps them, so the jail can be listed and removed, and exec.poststop runs.
U=u8$$
UR="$JT/root$(printf '\351')"
jail_mkroot "$UR"
run_ok "jail -c with a path and a parameter that are not UTF-8" -- \
    jail -q -c name=$U path="$UR" persist "mount=/usr $UR/usr nullfs ro" \
    "exec.poststop=touch $JT/post$(printf '\351')"
is "$(jls -n -j $U path 2>&1)" "path=$UR" "not UTF-8: jls shows the path"
is "$(jls --libxo json -j $U | jq -r '."jail-information".jail[0].path' 2>&1)" \
    "$JT/root?" "not UTF-8: jls --libxo json is valid JSON, the byte as '?'"
run_ok "not UTF-8: jail -r" -- jail -q -r $U
ok $([ -e "$JT/post$(printf '\351')" ]; echo $?) "not UTF-8: exec.poststop ran"
ok $([ ! -e "$STASIS_RUNDIR/jails/$U" ]; echo $?) "not UTF-8: no state left"

# -R, as FreeBSD's: the jail is simply removed, no stop command runs (-r
# and -R were the same: prestop, stop, poststop and release all ran).
RJ=rr$$
run_ok "jail -c with every stop command" -- \
    jail -q -c name=$RJ path="$ROOT" persist "$USR" \
    "exec.prestop=touch $JT/R.prestop" "exec.stop=/bin/sh -c :" \
    "exec.poststop=touch $JT/R.poststop" "exec.release=touch $JT/R.release"
run_ok "jail -R" -- jail -q -R $RJ
ok $([ ! -e "$JT/R.prestop" ] && [ ! -e "$JT/R.poststop" ] && \
    [ ! -e "$JT/R.release" ]; echo $?) "jail -R: no stop command ran"
ok $([ ! -e "$STASIS_RUNDIR/jails/$RJ" ]; echo $?) "jail -R: no state left"
ok $([ ! -e "$(cgroup_dir $RJ)" ]; echo $?) "jail -R: no cgroup left"
is "$(host_mounts_under "$ROOT/")" 0 "jail -R: no mount left under its path"
run_ok "jail -c it again" -- \
    jail -q -c name=$RJ path="$ROOT" persist "$USR" \
    "exec.prestop=touch $JT/R.prestop" "exec.poststop=touch $JT/R.poststop"
run_ok "jail -r" -- jail -q -r $RJ
ok $([ -e "$JT/R.prestop" ] && [ -e "$JT/R.poststop" ]; echo $?) \
    "jail -r: the stop commands ran"

# A refused start leaves nothing: no process of the jail (none sees
# its path in its mounts), no mount under its path, no namespace held
# by a process or a bind mount, no state, no cgroup.  Its own path, so
# that the running jail above does not count.
RR=$JT/rroot; jail_mkroot "$RR"; mkdir -p "$JT/rdata"; echo f >"$JT/rfile"
procs_seeing() {	# processes whose mount table shows DIR
	_n=0
	for _f in /proc/[0-9]*/mountinfo; do
		grep -q " $1[ /]" "$_f" 2>/dev/null && _n=$((_n + 1))
	done
	echo $_n
}
holding() {	# processes in namespace $1 (as readlink prints it), $2 its kind
	_n=0
	for _p in /proc/[0-9]*; do
		[ "$(readlink $_p/ns/$2 2>/dev/null)" = "$1" ] && _n=$((_n + 1))
	done
	echo $_n
}
ok $([ "$(procs_seeing "$ROOT")" -gt 0 ]; echo $?) "(the check sees the running jail's processes)"
nsfs0=$(grep -c " nsfs " /proc/self/mountinfo)
for how in mount prestart start; do
	case $how in
	mount)	extra="mount+=/nonexistent$$ $RR/conf nullfs ro" ;;
	prestart) extra="exec.prestart=false" ;;
	start)	extra="exec.start=sh -c 'readlink /proc/self/ns/net > /data/netns; readlink /proc/self/ns/mnt > /data/mntns; sleep 300 & exit 1'" ;;
	esac
	R=rf$$
	out=$(jail -c name=$R path="$RR" persist mount.procfs \
	    "mount=/usr $RR/usr nullfs ro" "mount+=$JT/rdata $RR/data nullfs rw" \
	    "mount+=tmpfs $RR/made/here tmpfs rw" \
	    "mount+=$JT/rfile $RR/made2/file nullfs ro" \
	    "$extra" 2>&1)
	ok $([ $? -ne 0 ]; echo $?) "a failing $how refuses the start ($out)"
	ok $([ ! -e "$RR/made" ] && [ ! -e "$RR/made2" ]; echo $?) "failing $how: the mount points it made are gone"
	is "$(procs_seeing "$RR")" 0 "failing $how: no process of the jail left"
	is "$(host_mounts_under "$RR")" 0 "failing $how: no mount under its path"
	is "$(grep -c " nsfs " /proc/self/mountinfo)" "$nsfs0" "failing $how: no namespace bound to a file"
	ok $([ ! -e "$STASIS_RUNDIR/jails/$R" ]; echo $?) "failing $how: no state"
	ok $([ ! -e "$(cgroup_dir $R)" ]; echo $?) "failing $how: no cgroup"
done
rnet=$(cat "$JT/rdata/netns" 2>/dev/null); rmnt=$(cat "$JT/rdata/mntns" 2>/dev/null)
like "$rnet" "^net:" "exec.start saw the jail's network namespace ($rnet)"
is "$(holding "$rnet" net)" 0 "no process left in it (the sleep exec.start left is gone)"
is "$(holding "$rmnt" mnt)" 0 "nor in the jail's mount namespace"

# Removal.
pid=$(init_pid $J)
ok $([ -n "$pid" ] && kill -0 "$pid"; echo $?) "the jail's init runs ($pid)"
netns=$(readlink /proc/$pid/ns/net); mntns=$(readlink /proc/$pid/ns/mnt)
cg=$(cgroup_dir $J)
if [ -n "$cg" ]; then
	ok $(grep -qx "$pid" "$cg/cgroup.procs"; echo $?) "the jail's init is in its own cgroup ($cg)"
	ok $(jexec $J cat /proc/self/cgroup | grep -q '^0::/$'; echo $?) "and the jail sees that cgroup as its root"
fi
jexec $J sh -c 'sleep 300 & sleep 300 &'
ok $([ "$(holding "$netns" net)" -ge 3 ]; echo $?) "init and two sleeps in its network namespace"
run_ok "jail -r" -- jail -q -r $J
ok $([ ! -d /proc/$pid ]; echo $?) "init gone"
left=0
for p in /proc/[0-9]*; do
	[ "$(readlink $p/ns/mnt 2>/dev/null)" = "$mntns" ] && left=$((left+1))
done
is $left 0 "no process left in the jail's namespaces"
like "$netns" "^net:" "the jail had a network namespace ($netns)"
is "$(holding "$netns" net)" 0 "no process left in its network namespace"
ok $(grep -qF "$netns" /proc/self/mountinfo; [ $? -ne 0 ]; echo $?) "nor a bind mount keeping it"
ok $([ "$netns" != "$(readlink /proc/self/ns/net)" ]; echo $?) "it was not the host's"
ok $([ ! -e "$STASIS_RUNDIR/jails/$J" ]; echo $?) "state removed"
ok $([ -z "$cg" ] || [ ! -e "$cg" ]; echo $?) "cgroup removed"
is "$(host_mounts_under "$ROOT")" 0 "no mounts under the root on the host"
ok $(jls -N | grep -q " $J "; [ $? -ne 0 ]; echo $?) "jls no longer lists it"
run_fails "jexec into a removed jail fails" -- jexec $J true
run_fails "jail -r of a jail that does not exist fails" -- jail -r nosuch$$

# exec.jail_user, exec.clean, allow.*, mount.fstab, enforce_statfs,
# children.max, exec.consolelog.
E=ex$$
mkdir -p "$JT/exdata"
printf '%s %s nullfs rw 0 0\n# a comment\n\n%s %s tmpfs rw,size=1m 0 0\n' \
    "$JT/exdata" "$ROOT/data" tmpfs "$ROOT/tmp" >"$JT/fstab"
run_ok "jail with exec.jail_user, exec.clean, mount.fstab, allow.mount" -- \
    jail -q -c name=$E path="$ROOT" persist "$USR" mount.devfs \
    mount.fstab="$JT/fstab" exec.jail_user=nobody exec.clean \
    enforce_statfs=2 children.max=0 allow.mount allow.raw_sockets \
    exec.consolelog="$JT/console.log" \
    "exec.start=sh -c 'id -u > /tmp/uid; env | sort > /tmp/env'" \
    "exec.prestart=echo prestart-logged"
is "$(jexec $E cat /tmp/uid)" 65534 "exec.start ran as exec.jail_user"
is "$(jexec $E sh -c 'cut -d= -f1 /tmp/env | grep -v "^TERM$" | tr "\n" " "')" "HOME LOGNAME PATH PWD SHELL USER " "exec.clean: a login environment only"
run_ok "mount.fstab mounted the data dir" -- jexec $E sh -c 'echo f > /data/f'
is "$(cat "$JT/exdata/f" 2>/dev/null)" f "through the fstab line"
run_ok "allow.mount: the jail's root may mount" -- jexec $E mount -t tmpfs t /tmp
run_ok "allow.raw_sockets: raw sockets" -- jexec $E python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)'
# children.max=0: no namespaces made or joined inside, even with
# allow.mount's CAP_SYS_ADMIN or through an unprivileged user namespace;
# through init (jexec) and through setns from the host (jexec -u).
for u in "" "-u root"; do
	run_fails "children.max=0: unshare -U fails inside ${u:-(via init)}" -- jexec $u $E unshare -U true
	run_fails "children.max=0: unshare -m fails even with allow.mount ${u:-(via init)}" -- jexec $u $E unshare -m true
	run_fails "children.max=0: setns fails ${u:-(via init)}" -- jexec $u $E nsenter -t 1 -u true
	is "$(jexec $u $E sh -c '(echo forked) & wait')" forked "fork and exec still work ${u:-(via init)}"
	is "$(jexec $u $E python3 -c 'import threading; r=[]; t=threading.Thread(target=r.append, args=(1,)); t.start(); t.join(); print(len(r))')" 1 "threads still work ${u:-(via init)}"
done
like "$(jexec $E unshare -U true 2>&1)" "Operation not permitted" "with EPERM"
jail -q -c name=nr$$ path="$ROOT" persist "$USR"
run_fails "children.max=0 by default: unshare -U fails" -- jexec nr$$ unshare -U true
run_fails "without allow.raw_sockets: none" -- jexec nr$$ python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)'
run_fails "without allow.mount: no mounts" -- jexec nr$$ mount -t tmpfs t /tmp
jail -q -r nr$$
like "$(cat "$JT/console.log" 2>/dev/null)" "prestart-logged" "exec.consolelog got the hook's output"
jail -q -r $E

# jail -l: exec.* commands in the jail get a clean environment (the
# caller's variables stay out); without it they are passed on.
for l in "" -l; do
	L=l$$
	SJ_LEAK=leak$$ jail -q $l -c name=$L path="$ROOT" persist "$USR" \
	    "mount+=$JT/data $ROOT/data nullfs rw" \
	    "exec.start=sh -c 'env > /data/env$l'"
	jail -q -r $L
done
like "$(cat "$JT/data/env")" "^SJ_LEAK=leak$$" "without -l the caller's environment reaches exec.start"
ok $(grep -q SJ_LEAK "$JT/data/env-l"; [ $? -ne 0 ]; echo $?) "jail -l: it does not"
like "$(cat "$JT/data/env-l")" "^HOME=/root" "jail -l: HOME is the jail user's"

# jail -v names each step as it runs it; without -v nothing is said.
V=v$$
out=$(jail -v -c name=$V path="$ROOT" persist "$USR" \
    "exec.prestart=true pre" "exec.start=true start" "exec.poststart=true post" 2>&1)
like "$out" "$V: run command: true pre" "jail -v: exec.prestart named ($out)"
like "$out" "$V: run command in jail: true start" "jail -v: exec.start named"
like "$out" "$V: run command: true post" "jail -v: exec.poststart named"
out=$(jail -v -r $V 2>&1)
like "$out" "$V: removed" "jail -v -r ($out)"
out=$(jail -c name=$V path="$ROOT" persist "$USR" "exec.prestart=true pre" 2>&1)
is "$out" "$V: created" "without -v only the result"
jail -q -r $V

# jail -h adds host.hostname's addresses from the resolver; -d (a no-op
# for -c, as on FreeBSD since it no longer revives dying jails) and
# -p LIMIT (exec.* commands run one at a time here) are taken; what
# cannot be done is refused, naming the flag.
H=hh$$
run_ok "jail -h -c with host.hostname=localhost" -- \
    jail -q -h -c name=$H path="$ROOT" persist host.hostname=localhost
is "$(jls -j $H -n ip4.addr)" "ip4.addr=$(getent ahostsv4 localhost | awk 'NR == 1 {print $1}')" "jail -h: its address in ip4.addr"
jail -q -r $H
out=$(jail -h -c name=$H path="$ROOT" persist host.hostname=nosuch$$.invalid 2>&1)
ok $([ $? -ne 0 ]; echo $?) "jail -h: a name that does not resolve is refused"
like "$out" "-h: cannot resolve" "naming -h ($out)"
out=$(jail -h -c name=$H path="$ROOT" persist 2>&1)
like "$out" "-h: no host.hostname" "jail -h without host.hostname is refused ($out)"
ok $([ ! -e "$STASIS_RUNDIR/jails/$H" ]; echo $?) "and nothing is created"
run_ok "jail -d -p 2 -c" -- jail -q -d -p 2 -c name=$H path="$ROOT" persist \
    "exec.prestart=true" "exec.poststart=true"
jail -q -r $H
out=$(jail -p many -c name=$H path="$ROOT" persist 2>&1)
ok $([ $? -ne 0 ]; echo $?) "jail -p with a limit that is not a number is refused"
like "$out" "-p many" "naming -p ($out)"

# jail -m nopersist: a jail without processes ends.
P=np$$
jail -q -c name=$P path="$ROOT" persist
run_ok "jail -m nopersist" -- jail -q -m name=$P nopersist
WAIT_TRIES=50 wait_for test ! -e "$STASIS_RUNDIR/jails/$P"
ok $? "the empty jail ended and was cleaned up"

# ^C at the terminal reaches the whole foreground group: the command
# decides, the jail's init does not end the jail for it.
S=si$$
jail -q -c name=$S path="$ROOT" "$USR" command=/bin/sh -c 'trap "" INT; sleep 1; echo survived' >"$JT/si.out" 2>&1 &
bg=$!
wait_for test -s "$STASIS_RUNDIR/jails/$S/state.json"
kill -INT "$(init_pid $S)" 2>/dev/null
wait $bg
is "$(cat "$JT/si.out")" survived "SIGINT to the jail's init does not end the jail"

# A command jail's command is started by init (a vfork-style child): a
# script without "#!" runs through sh, even with a long argv (execvpe
# copies it onto the child's stack).
printf 'echo nosb $# "$1"\n' > "$JT/data/nosb"
chmod +x "$JT/data/nosb"
out=$(jail -q -c name=ns$$ path="$ROOT" "$USR" \
    "mount+=$JT/data $ROOT/data nullfs ro" command=/data/nosb \
    $(seq 1 20000) 2>&1)
is "$out" "nosb 20000 1" "a script without #! and 20000 arguments runs"

# A jail without persist lives as long as its command.
J2=cmd$$
out=$(jail -c name=$J2 path="$ROOT" "$USR" command=/bin/sh -c 'echo in-jail $(hostname)')
like "$out" "in-jail" "command= runs in the jail, output to the caller"
ok $([ ! -e "$STASIS_RUNDIR/jails/$J2" ]; echo $?) "a non-persistent jail is gone when its command ends"
jail -q -c name=$J2 path="$ROOT" "$USR" command=/bin/sh -c 'exit 4' 2>/dev/null
ok $([ $? -ne 0 ]; echo $?) "a failing command fails jail -c"
done_testing
