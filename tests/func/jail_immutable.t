#!/bin/sh
# The talk's immutable app, from one jail.conf declaration: the root
# from a template (directory, or tarball through tarfs), config ro, data
# rw, /tmp as tmpfs, the host's log socket passed in; `jail diff`.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/jail.sh"
jail_setup
command -v python3 >/dev/null || skip_all "needs python3"

TPL=$ROOT
mkdir -p "$JT/conf" "$JT/data" "$JT/upper"
echo "setting=1" >"$JT/conf/app.conf"
# A host "syslog" socket: one datagram, written to a file.
python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
open(sys.argv[2],"w").write(s.recv(100).decode())' "$JT/log.sock" "$JT/log.out" &
LOGPID=$!
cleanup "kill $LOGPID"
wait_for test -S "$JT/log.sock"

A=app$$
cat >"$JT/jail.conf" <<EOC
\$tpl = "$TPL";
$A {
	stasis.template = "\$tpl";		# read-only root
	mount.devfs;
	mount = "/usr \$path/usr nullfs ro";
	mount += "$JT/conf \$path/conf nullfs ro";	# config, read-only
	mount += "$JT/data \$path/data nullfs rw";	# data, read-write
	mount += "tmpfs \$path/tmp tmpfs rw,size=8m";
	mount += "$JT/log.sock \$path/dev/log nullfs rw";
	exec.start = "sh -c 'echo started > /data/boot'";
	persist;
}
EOC
jail -q -f "$JT/jail.conf" -c $A; ok $? "jail -c from one declaration"
out=$(jexec $A mkdir /x 2>&1); ok $([ $? -ne 0 ]; echo $?) "root is read-only"
like "$out" "Read-only" "EROFS ($out)"
is "$(jexec $A cat /etc/motd)" template "root is the template"
is "$(jexec $A cat /conf/app.conf)" "setting=1" "config visible"
run_fails "config is read-only" -- jexec $A sh -c 'echo 2 > /conf/app.conf'
is "$(cat "$JT/data/boot" 2>/dev/null)" started "data is writable (exec.start wrote it)"
run_ok "/tmp is writable" -- jexec $A sh -c 'echo t > /tmp/t'
run_ok "the host's log socket works inside" -- jexec $A python3 -c 'import socket
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"hello-from-jail", "/dev/log")'
wait_for test -s "$JT/log.out"
is "$(cat "$JT/log.out" 2>/dev/null)" hello-from-jail "the host received it"
path=$(jls -j $A -n path | sed 's/path=//')
like "$path" "^$STASIS_RUNDIR/jails/$A/root$" "path defaults under the run dir ($path)"
is "$(stasis jail diff $A)" "" "jail diff: a read-only root has no changes"
run_ok "remove" -- jail -q -r $A
is "$(host_mounts_under "$STASIS_RUNDIR")" 0 "no mounts left"
ok $([ ! -e "$STASIS_RUNDIR/jails/$A" ]; echo $?) "no state left"

# A writable root over the template: changes land in the upper dir.
O=ov$$
run_ok "overlay root" -- jail -q -c name=$O stasis.template="$TPL" \
    stasis.root=overlay stasis.upper="$JT/upper" \
    "mount=/usr $STASIS_RUNDIR/jails/$O/root/usr nullfs ro" persist
run_ok "the app changes its root" -- jexec $O sh -c \
    'echo changed > /etc/motd && echo n > /etc/new && rm /etc/group && mkdir -p /var/db/x'
is "$(cat "$TPL/etc/motd")" template "the template is untouched"
is "$(stasis jail diff $O)" "M	/etc
-	/etc/group
M	/etc/motd
+	/etc/new
+	/var
+	/var/db
+	/var/db/x" "jail diff lists what changed, zfs diff style"
# Names that would split a line or a field are escaped as zfs diff does;
# JSON for scripts carries them as they are.
run_ok "names with a space, a tab, a backslash" -- jexec $O sh -c \
    'rm -rf /var && printf x > "/etc/a b" && printf x > "/etc/t	\\"'
is "$(stasis jail diff $O)" "M	/etc
+	/etc/a\0040b
-	/etc/group
M	/etc/motd
+	/etc/new
+	/etc/t\0011\0134" "jail diff escapes them (\\0ooo)"
is "$(stasis jail diff --libxo json $O)" \
    '{"__version":"2","jail-diff":{"name":"'$O'","changes":[{"change":"M","path":"/etc"},{"change":"+","path":"/etc/a b"},{"change":"-","path":"/etc/group"},{"change":"M","path":"/etc/motd"},{"change":"+","path":"/etc/new"},{"change":"+","path":"/etc/t\t\\"}]}}' \
    "jail diff --libxo json"
run_fails "jail diff --libxo xml is refused" -- stasis jail diff --libxo xml $O
run_ok "remove the overlay jail" -- jail -q -r $O
is "$(cat "$JT/upper/upper/etc/new")" n "the upper dir keeps the changes (stasis.upper)"
run_fails "stasis.root=rw over a template directory is refused" -- \
    jail -c name=rw$$ stasis.template="$TPL" stasis.root=rw persist
run_fails "jail diff of a jail without a template" -- stasis jail diff nosuch$$

# A tarball root through tarfs.
if "$STASIS" tarfs --help >/dev/null 2>&1; then
	tar -C "$TPL" -cf "$JT/app.tar" .
	T=tar$$
	run_ok "root from a tarball (tarfs)" -- jail -q -c name=$T \
	    stasis.template="$JT/app.tar" persist \
	    "mount=/usr $STASIS_RUNDIR/jails/$T/root/usr nullfs ro"
	is "$(jexec $T cat /etc/motd)" template "files from the tarball"
	run_fails "the tarball root is read-only" -- jexec $T mkdir /x
	is "$(host_mounts_under "$STASIS_RUNDIR/jails/$T")" 1 "one tarfs mount on the host while it runs"
	run_ok "remove" -- jail -q -r $T
	is "$(host_mounts_under "$STASIS_RUNDIR")" 0 "tarfs unmounted on removal"
	T2=tm$$
	run_ok "tarfs in a mount line, FreeBSD style" -- jail -q -c name=$T2 \
	    path="$ROOT" persist "$USR" "mount+=$JT/app.tar $ROOT/data tarfs ro"
	is "$(jexec $T2 cat /data/etc/motd)" template "tarball mounted in the jail"
	run_ok "remove" -- jail -q -r $T2
	is "$(host_mounts_under "$STASIS_RUNDIR")" 0 "and unmounted"
else
	ok 0 "# SKIP stasis tarfs not built"
fi
# A ZFS clone of a template snapshot (zfs-fuse here), destroyed with
# the jail.
. "$(dirname "$0")/lib/zfs.sh"
if zfs_try_start; then
	P=sjz$$
	if zfs_pool $P 128M && zfs create -o mountpoint="$JT/ztpl" $P/tpl; then
		cp -a "$TPL/." "$JT/ztpl/"
		zfs snapshot $P/tpl@v1
		Z=zj$$
		run_ok "root from a ZFS clone, writable (stasis.root=rw)" -- \
		    jail -q -c name=$Z stasis.template=zfs:$P/tpl@v1 \
		    stasis.root=rw persist \
		    "mount=/usr $STASIS_RUNDIR/jails/$Z/root/usr nullfs ro"
		is "$(zfs list -H -o origin $P/tpl-jail-$Z 2>/dev/null)" "$P/tpl@v1" "the clone exists, from the snapshot"
		is "$(stasis jail diff $Z)" "" "jail diff: an untouched clone has no changes"
		run_ok "the app writes its root" -- jexec $Z sh -c \
		    'echo clone > /etc/motd && echo n > /etc/new && rm /etc/group'
		is "$(cat "$JT/ztpl/etc/motd")" template "the template is untouched"
		is "$(stasis jail diff $Z)" "-	/etc/group
M	/etc/motd
+	/etc/new" "jail diff of a clone lists what changed, without zfs diff"
		is "$(zfs list -H -o name -r $P | grep -c diff)" 0 "no scratch dataset left"
		is "$(ls -d "$STASIS_RUNDIR"/diff.* 2>/dev/null | wc -l)" 0 "no scratch directory left"
		is "$(host_mounts_under "$STASIS_RUNDIR/diff")" 0 "no scratch mount left"
		# zfs clone failing after it made the dataset (as a failed
		# mount does): the diff fails and still destroys it.
		printf '#!/bin/sh\nzfs "$@"; rc=$?\n[ "$1" = clone ] && exit 1\nexit $rc\n' >"$JT/zfs-clonefails"
		chmod +x "$JT/zfs-clonefails"
		out=$(STASIS_ZFS="$JT/zfs-clonefails" stasis jail diff $Z 2>&1)
		ok $([ $? -ne 0 ]; echo $?) "a failing scratch clone fails the diff ($out)"
		is "$(zfs list -H -o name -r $P | grep -c diff)" 0 "and leaves no scratch dataset"
		is "$(ls -d "$STASIS_RUNDIR"/diff.* 2>/dev/null | wc -l)" 0 "nor its directory"
		run_ok "remove" -- jail -q -r $Z
		run_fails "the clone is destroyed" -- zfs list $P/tpl-jail-$Z
		# The talk's default: a clone of the snapshot, read-only.
		R=zr$$
		run_ok "root from a ZFS clone, read-only by default" -- \
		    jail -q -c name=$R stasis.template=zfs:$P/tpl@v1 persist \
		    "mount=/usr $STASIS_RUNDIR/jails/$R/root/usr nullfs ro"
		is "$(jexec $R cat /etc/motd)" template "the clone has the template's files"
		out=$(jexec $R mkdir /x 2>&1)
		ok $([ $? -ne 0 ]; echo $?) "mkdir / fails in a read-only clone root"
		like "$out" "Read-only" "EROFS ($out)"
		is "$(stasis jail diff $R)" "" "jail diff: nothing changed"
		run_ok "remove" -- jail -q -r $R
		run_fails "its clone is destroyed" -- zfs list $P/tpl-jail-$R
		out=$(jail -c name=zb$$ stasis.template=zfs:$P/tpl@nosuch persist 2>&1)
		ok $([ $? -ne 0 ]; echo $?) "a missing snapshot is refused ($out)"
		ok $([ ! -e "$STASIS_RUNDIR/jails/zb$$" ]; echo $?) "and leaves nothing"
		zfs destroy -r $P/tpl >/dev/null 2>&1
	else
		ok 0 "# SKIP cannot create a zfs-fuse pool"
	fi
else
	ok 0 "# SKIP no zfs: $ZFS_START_ERR"
fi
done_testing
