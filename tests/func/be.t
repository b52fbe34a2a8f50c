#!/bin/sh
# stasis be (bectl) on a real file-backed pool under zfs-fuse.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/zfs.sh"
need_root
zfs_start
P=stasisbe$$
be_pool $P || { echo "Bail out! cannot make pool $P"; exit 1; }
R=$P/ROOT
# The "running" BE: this machine does not boot from ZFS.
STASIS_BE_ROOTFS=$R/default
export STASIS_BE_ROOTFS
unset STASIS_BEROOT
be() { "$STASIS" be -r $R "$@"; }

# help and usage
run_ok "--help" -- "$STASIS" be --help
out=$("$STASIS" be 2>&1); like "$out" "usage:" "no subcommand: usage"
run_fails "unknown subcommand" -- be frobnicate
# A subcommand's -h/--help: its usage, exit 0, no BE root (no ZFS) needed.
for a in "list --help" "list -h" "create --help" "create -r -h" "umount --help" "jail -o a=b --help"; do
	out=$(env -u STASIS_BEROOT STASIS_BE_ROOTFS= "$STASIS" be $a 2>&1)
	ok $? "be $a exits 0 without a BE root"
	like "$out" "^usage:.*[ {]${a%% *} " "be $a prints that subcommand's usage"
done
out=$(env -u STASIS_BEROOT STASIS_BE_ROOTFS= bectl list --help 2>&1)
like "$out" "^usage:	bectl \[-r beroot\] list" "bectl list --help"
out=$(env -u STASIS_BEROOT STASIS_BE_ROOTFS= "$STASIS" be jail x sh -h 2>&1)
like "$out" "cannot find the boot environment root" "the utility's -h is not be jail's"
out=$(env -u STASIS_BEROOT STASIS_BE_ROOTFS= "$STASIS" be list 2>&1)
like "$out" "cannot find the boot environment root" "no BE root: clear error"
out=$("$STASIS" be -r $P/nope list 2>&1)
like "$out" "boot environment root $P/nope does not exist" "bad -r"

# list: both formats
out=$(be list)
like "$out" "^BE +Active Mountpoint Space Created" "list header"
like "$out" "^default +NR +- +" "default is N and R"
out=$(be list -H)
like "$out" "^default	NR	-	[0-9.]+[KMG]?	20[0-9-]+ [0-9:]+$" "list -H is tab-separated"
out=$(STASIS_BEROOT=$R bectl list -H)
like "$out" "^default	NR" "bectl personality and STASIS_BEROOT"

# create
run_ok "create foo" -- be create foo
out=$(be create foo 2>&1); rc=$?
ok $((rc == 0)) "duplicate create fails"
like "$out" "create foo: dataset $R/foo already exists" "duplicate: message"
run_fails "bad name with space" -- be create "a b"
run_fails "bad name with slash" -- be create "a/b"
out=$(be create "a b" 2>&1)
like "$out" "invalid boot environment name" "bad name: message"
is "$(zfs get -H -o value canmount $R/foo)" noauto "create: canmount=noauto"
is "$(zfs get -H -o value mountpoint $R/foo)" / "create: mountpoint=/"
is "$(zfs get -H -o value mounted $R/foo)" no "create: not mounted"
like "$(zfs get -H -o value origin $R/foo)" "^$R/default@20" \
    "create: clone of an automatic snapshot of the running BE"
run_ok "create snapshot foo@s1" -- be create foo@s1
is "$(zfs get -H -o value type $R/foo@s1)" snapshot "snapshot exists"
run_fails "create snapshot of missing BE" -- be create nope@s1
run_ok "create -e foo@s1 bar" -- be create -e foo@s1 bar
is "$(zfs get -H -o value origin $R/bar)" "$R/foo@s1" "bar's origin"
run_ok "create -e foo baz" -- be create -e foo baz
like "$(zfs get -H -o value origin $R/baz)" "^$R/foo@20" "baz from foo"
out=$(be create -e foo@missing qux 2>&1)
like "$out" "snapshot $R/foo@missing does not exist" "missing snapshot: message"
run_fails "create -e missing BE" -- be create -e nope qux
ok $(zfs list $R/qux >/dev/null 2>&1; echo $((! $?))) "no qux left behind"
# -r: a BE with a child dataset
zfs create -o canmount=noauto $R/default/var
run_ok "create -r deep" -- be create -r deep
is "$(zfs get -H -o value type $R/deep/var)" filesystem "create -r clones children"

# list -a, -s, -D, -c/-C
out=$(be list -a)
like "$out" "^BE/Dataset/Snapshot" "list -a header"
like "$out" "^  $R/bar " "list -a dataset row"
like "$out" "^    $R/foo@s1 " "list -a origin row"
out=$(be list -s)
like "$out" "^  $R/foo@s1 " "list -s snapshot row"
run_ok "list -D" -- be list -D
is "$(be list -H -c name | cut -f1 | tr '\n' ' ')" "bar baz deep default foo " "sorted by name"
is "$(be list -H -C name | cut -f1 | tr '\n' ' ')" "foo default deep baz bar " "-C reverses"
run_ok "list -c creation" -- be list -c creation
run_fails "list extra argument" -- be list extra
# --libxo json: one document for scripts, sizes in bytes
doc=$(be list -s --libxo json)
is "$(echo "$doc" | jq -r '.["boot-environments"][] | select(.active) | .name')" default "libxo json: the active BE"
is "$(echo "$doc" | jq -r '.["boot-environments"][] | select(.name == "bar") | .origin')" "$R/foo@s1" "libxo json: origin"
is "$(echo "$doc" | jq -r '.["boot-environments"][] | select(.name == "foo") | .snapshots[0].name')" "$R/foo@s1" "libxo json: snapshots with -s"
ok $(echo "$doc" | jq -e '.["boot-environments"] | all((.used | type) == "number" and .creation > 1600000000)' >/dev/null; echo $?) "libxo json: numbers in bytes and seconds"
is "$(be list --libxo=json | jq -r '.["boot-environments"] | length')" "$(be list -H | wc -l)" "libxo=json lists every BE"
like "$(be list --libxo xml 2>&1)" "only json and text" "--libxo xml is refused clearly"
is "$(be list --libxo json,pretty | jq -r '.["boot-environments"] | length')" "$(be list -H | wc -l)" \
    "--libxo json,pretty (libxo's spelling) is json"
like "$(be list --libxo jsonx 2>&1)" '"jsonx" is not a libxo format' "--libxo jsonx is refused"

# activate, -t, -T; read back with zpool and zfs
run_ok "activate -t foo" -- be activate -t foo
is "$(zfs get -H -o value freebsd:bootonce $P)" "zfs:$R/foo:" "bootonce recorded on the pool"
is "$(zpool get bootfs $P | awk 'NR==2{print $3}')" "$R/default" "bootfs unchanged by -t"
like "$(be list -H | grep '^foo')" "^foo	T	" "foo shows T"
out=$(be activate -T); is "$out" "Temporary activation removed" "activate -T"
is "$(zfs get -H -o value freebsd:bootonce $P)" "-" "bootonce cleared"
run_ok "activate bar" -- be activate bar
is "$(zpool get bootfs $P | awk 'NR==2{print $3}')" "$R/bar" "bootfs is bar"
is "$(zfs get -H -o value origin $R/bar)" "-" "activate promotes the clone"
like "$(be list -H | grep '^bar')" "^bar	R	" "bar shows R"
like "$(be list -H | grep '^default')" "^default	N	" "default shows N only"
run_fails "activate missing" -- be activate nope
run_fails "activate -t -T" -- be activate -t -T foo

# destroy
out=$(be destroy default 2>&1)
like "$out" "cannot destroy active boot environment default" "refuses the running BE"
out=$(be destroy bar 2>&1)
like "$out" "cannot destroy active boot environment bar" "refuses the next-boot BE"
run_ok "activate default again" -- be activate default
run_fails "destroy missing" -- be destroy nope
run_fails "destroy missing snapshot" -- be destroy foo@nope
run_ok "destroy snapshot deep@x" -- sh -c "zfs snapshot $R/deep@x && $STASIS be -r $R destroy deep@x"
ok $(zfs list -t snapshot $R/deep@x >/dev/null 2>&1; echo $((! $?))) "snapshot gone"
origin=$(zfs get -H -o value origin $R/baz)
run_ok "destroy baz" -- be destroy baz
ok $(zfs list $R/baz >/dev/null 2>&1; echo $((! $?))) "baz gone"
ok $(zfs list -t snapshot "$origin" >/dev/null 2>&1; echo $((! $?))) "its automatic origin snapshot gone"
# (activating bar promoted it: foo@s1 became bar@s1)
run_ok "create foo@s2" -- be create foo@s2
run_ok "create -e foo@s2 keep" -- be create -e foo@s2 keep
out=$(be destroy keep 2>&1)
like "$out" "leaving origin '$R/foo@s2' intact" "named origin kept, with bectl's notice"
run_ok "create -e foo@s2 keep2" -- be create -e foo@s2 keep2
run_ok "destroy -o keep2" -- be destroy -o keep2
ok $(zfs list -t snapshot $R/foo@s2 >/dev/null 2>&1; echo $((! $?))) "-o destroys the origin"

# mount / umount
run_ok "mount foo (temporary dir)" -- be mount foo
mp=$(be list -H | awk -F'\t' '$1=="foo"{print $3}')
like "$mp" "^/tmp/be_mount\." "list shows the mount point"
ok $(grep -q " $mp fuse.zfs" /proc/mounts; echo $?) "really mounted"
out=$(be mount foo 2>&1); like "$out" "already mounted" "mount twice: error"
echo hello >"$mp/hello"
out=$(be destroy foo 2>&1); like "$out" "is mounted" "destroy mounted: refused"
run_ok "umount foo" -- be umount foo
ok $([ ! -d "$mp" ]; echo $?) "temporary dir removed"
is "$(zfs get -H -o value mountpoint $R/foo)" / "mountpoint back to /"
is "$(zfs get -H -o value org.stasis:mountpoint $R/foo)" - "saved mountpoint cleared"
out=$(be umount foo 2>&1); like "$out" "not mounted" "umount unmounted: error"
d=$(mktemp -d /tmp/stasis-bemnt.XXXXXX); cleanup "rmdir $d"
out=$(be mount foo "$d"); is "$out" "$d" "mount at a given dir"
is "$(cat "$d/hello")" hello "data is there"
run_ok "unmount -f foo" -- be unmount -f foo
ok $([ -d "$d" ]; echo $?) "given dir kept"
run_fails "mount missing BE" -- be mount nope
run_fails "mount the running BE" -- be mount default
run_ok "mount then destroy -F" -- sh -c "$STASIS be -r $R mount foo >/dev/null && $STASIS be -r $R destroy -F foo"
ok $(zfs list $R/foo >/dev/null 2>&1; echo $((! $?))) "destroy -F unmounted and destroyed"

# rename
run_ok "rename deep deeper" -- be rename deep deeper
is "$(zfs get -H -o value type $R/deeper)" filesystem "renamed"
out=$(be rename deeper default 2>&1); like "$out" "already exists" "rename onto existing"
run_fails "rename to bad name" -- be rename deeper "x y"
run_fails "rename missing" -- be rename nope x
run_ok "activate -t deeper, rename keeps T" -- sh -c "$STASIS be -r $R activate -t deeper >/dev/null && $STASIS be -r $R rename deeper deep2"
is "$(zfs get -H -o value freebsd:bootonce $P)" "zfs:$R/deep2:" "bootonce follows rename"
# The one-shot cannot be moved (a zfs that refuses to set it): the rename
# is undone, so the one-shot still names a dataset that exists.
cat >/var/tmp/$P.zfs-noset <<EOF
#!/bin/sh
case "\$1 \$2" in
"set freebsd:bootonce=zfs:$R/deep3:") echo "cannot set property: injected" >&2; exit 1;;
esac
exec zfs "\$@"
EOF
chmod +x /var/tmp/$P.zfs-noset
cleanup "rm -f /var/tmp/$P.zfs-noset"
out=$(STASIS_ZFS=/var/tmp/$P.zfs-noset "$STASIS" be -r $R rename deep2 deep3 2>&1); rc=$?
ok $((rc == 0)) "rename of the one-shot BE fails when the one-shot cannot follow"
like "$out" "one-shot boot.*injected" "rename, one-shot not moved: says why"
is "$(zfs get -H -o value type $R/deep2 2>&1)" filesystem "rename, one-shot not moved: the BE keeps its name"
ok $(zfs list $R/deep3 >/dev/null 2>&1; echo $((! $?))) "rename, one-shot not moved: no deep3"
is "$(zfs get -H -o value freebsd:bootonce $P)" "zfs:$R/deep2:" "rename, one-shot not moved: one-shot unchanged"
be activate -T >/dev/null

# A BE mounted on a directory whose name is not UTF-8: --libxo json still
# says where (the byte as '?'), rather than leaving the key out.
d8="/var/tmp/$P.m$(printf '\351')"
mkdir "$d8"
cleanup "rmdir '$d8' 2>/dev/null"
run_ok "mount deep2 on a directory that is not UTF-8" -- be mount deep2 "$d8"
is "$(be list --libxo json | jq -r '.["boot-environments"][] | select(.name == "deep2") | .mountpoint')" \
    "/var/tmp/$P.m?" "libxo json: a mountpoint that is not UTF-8"
run_ok "umount deep2" -- be umount deep2

# export / import
f=/var/tmp/$P.export
cleanup "rm -f $f"
snaps() { zfs list -H -o name -t snapshot -r $R/default | sort; }
before=$(snaps)
run_ok "export default" -- sh -c "$STASIS be -r $R export default >$f"
ok $([ -s "$f" ]; echo $?) "stream written"
is "$(snaps)" "$before" "export: the snapshot it made is destroyed after the stream"
run_fails "export to /dev/full fails" -- sh -c "$STASIS be -r $R export default >/dev/full"
is "$(snaps)" "$before" "export failure: the snapshot it made is destroyed"
zfs snapshot $R/default@kept
run_ok "export of a named snapshot" -- sh -c "$STASIS be -r $R export default@kept >/dev/null"
ok $(zfs list $R/default@kept >/dev/null 2>&1; echo $?) "export BE@snap: that snapshot is kept"
zfs destroy $R/default@kept
run_ok "import imp" -- sh -c "$STASIS be -r $R import imp <$f"
is "$(zfs get -H -o value canmount,mountpoint $R/imp | tr '\n' ' ')" "noauto / " "imported BE is bootable"
run_fails "import onto existing" -- sh -c "$STASIS be -r $R import imp <$f"
head -c 3000 "$f" >"$f.cut"; cleanup "rm -f $f.cut"
out=$(be import cut <"$f.cut" 2>&1); rc=$?
ok $((rc == 0)) "import of a cut stream fails"
like "$out" "cannot receive|invalid" "cut stream: zfs's reason"
ok $(zfs list $R/cut >/dev/null 2>&1; echo $((! $?))) "nothing left by the cut import"
# ^C at a terminal (SIGINT to the whole process group, run here in a
# session of its own with SIGINT at its default): export and import
# stop, undo what they made, say so and fail.
be create big
m=$(be mount big) && dd if=/dev/urandom of=$m/blob bs=1M count=8 status=none
be umount big
bsnaps() { zfs list -H -o name -t snapshot -r $R/big | sort; }
before=$(bsnaps)
I=/var/tmp/$P.intr
cleanup "rm -f $I.err $I.rc $f.big"
rm -f $I.rc
setsid env --default-signal=INT sh -c "{ trap : INT; $STASIS be -r $R export big 2>$I.err; echo \$? >$I.rc; } | sleep 60" &
g=$!
WAIT_TRIES=100 wait_for pgrep -f "send $R/big@"
kill -INT -$g
WAIT_TRIES=100 wait_for test -s $I.rc
is "$(cat $I.rc)" 1 "export, ^C: fails"
like "$(cat $I.err)" "export big: interrupted" "export, ^C: says so"
is "$(bsnaps)" "$before" "export, ^C: the snapshot it made is destroyed"
# The receive is held until the ^C has come (a zfs in front of the real
# one waits for a go), so that it is still running when it comes.
be export big >$f.big
cat >$I.zfs <<EOF
#!/bin/sh
if [ "\$1" = receive ] && [ \$# -ge 2 ]; then
	touch $I.started
	while [ ! -e $I.go ]; do sleep 0.1; done
fi
exec zfs "\$@"
EOF
chmod +x $I.zfs
cleanup "rm -f $I.zfs $I.started $I.go"
rm -f $I.rc
setsid env --default-signal=INT sh -c "trap : INT; STASIS_ZFS=$I.zfs $STASIS be -r $R import big2 <$f.big 2>$I.err; echo \$? >$I.rc" &
g=$!
WAIT_TRIES=100 wait_for test -e $I.started
kill -INT -$g
touch $I.go
WAIT_TRIES=200 wait_for test -s $I.rc
is "$(cat $I.rc)" 1 "import, ^C: fails"
like "$(cat $I.err)" "import big2: interrupted" "import, ^C: says so"
ok $(zfs list $R/big2 >/dev/null 2>&1; echo $((! $?))) "import, ^C: nothing left"
be destroy big

# check
run_ok "check" -- be check
is "$(be check --libxo json)" '{"__version":"2","be-check":{"ok":true,"problems":[]}}' \
    "check --libxo json: no problems"
zfs create -o canmount=on -o mountpoint=none $R/bad
out=$(be check 2>&1); like "$out" "canmount=on" "check reports canmount=on"
out=$(be check --libxo json); rc=$?
ok $((rc == 0)) "check --libxo json: still fails on a problem"
is "$(printf '%s' "$out" | jq -r '.["be-check"].ok, (.["be-check"].problems | length)' | tr '\n' ' ')" \
    "false 1 " "check --libxo json: one problem"
like "$(printf '%s' "$out" | jq -r '.["be-check"].problems[0]')" "canmount=on" \
    "check --libxo json: the problem as text says it"
run_fails "check --libxo xml is refused" -- be check --libxo xml
zfs destroy $R/bad

# jail: a BE holding a self-contained root (sh, true, hostname and libc)
if "$STASIS" jail -h 2>&1 | grep -q "does not exist yet"; then
	ok 0 "# SKIP stasis jail not built yet"
else
	STASIS_RUNDIR=$(mktemp -d /tmp/stasis-bejail.XXXXXX)
	export STASIS_RUNDIR
	cleanup "rm -rf $STASIS_RUNDIR"
	cleanup "$STASIS jail -q -r imp"
	jm=$(mktemp -d /tmp/stasis-bejm.XXXXXX); cleanup "rmdir $jm"
	be mount imp $jm >/dev/null
	mkdir -p $jm/bin $jm/lib64 $jm/proc $jm/dev $jm/tmp $jm/etc
	for b in /bin/sh /bin/true /bin/hostname /bin/sleep; do
		for f in $(readlink -f $b) $(ldd $b | grep -o '/[^ ]*'); do
			mkdir -p "$jm$(dirname $f)"; cp -L "$f" "$jm$f"
		done
		cp -L $b $jm/bin/
	done
	be umount imp
	out=$(be jail imp /bin/sh -c 'echo in-jail; hostname' 2>&1)
	ok $? "jail imp runs a command in the BE"
	is "$out" "in-jail
imp" "the command's output; hostname is the BE's name"
	is "$(zfs get -H -o value mounted $R/imp)" no "unmounted afterwards"
	# bectl's -u unsets a parameter: the default host.hostname, or an
	# earlier -o (it was accepted and ignored: the hostname stayed).
	is "$(be jail -u host.hostname imp /bin/hostname 2>&1)" "$(hostname)" \
	    "jail -u host.hostname: the jail keeps the host's name"
	is "$(be jail -o host.hostname=other imp /bin/hostname 2>&1)" other \
	    "jail -o host.hostname=other sets it"
	is "$(be jail -o host.hostname=other -u host.hostname imp /bin/hostname 2>&1)" \
	    "$(hostname)" "jail -o host.hostname=other -u host.hostname: unset again"
	out=$(be jail -u path imp /bin/true 2>&1); rc=$?
	is "$rc" 64 "jail -u path: a usage error"
	like "$out" "jail: -u path: the jail needs it" "and says why"
	run_ok "jail -U keeps it mounted" -- be jail -U imp /bin/true
	is "$(zfs get -H -o value mounted $R/imp)" yes "mounted after -U"
	be umount imp
	be mount imp $jm >/dev/null
	run_ok "jail on an already mounted BE" -- be jail imp /bin/true
	ok $(grep -q " $jm " /proc/mounts; echo $?) "it stays mounted at its place"
	be umount imp
	out=$(be jail -b imp 2>&1)
	ok $? "jail -b: a persistent jail"
	like "$out" "^/tmp/be_mount\." "jail -b prints the mount point"
	like "$("$STASIS" jls 2>&1)" "imp" "jls lists it"
	"$STASIS" jail -q -r imp >/dev/null 2>&1
	be umount imp
	run_fails "jail of a missing BE" -- be jail nope /bin/true
	# A jail that cannot be made: the mount made for it goes, -b or not.
	run_fails "jail -b with a bad jail parameter fails" -- be jail -b -o bogus=1 imp
	is "$(zfs get -H -o value mounted,mountpoint $R/imp | tr '\n' ' ')" "no / " "jail -b failed: the BE is unmounted, its mountpoint back"
fi

done_testing
