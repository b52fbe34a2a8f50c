#!/bin/sh
# stasis sync-be end to end on a real zfs-fuse pool: image tree -> stream
# -> sync-be -> a new BE with the image's files plus exactly the listed
# local state, chosen for the next boot only; failures leave nothing.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/zfs.sh"
need_root
zfs_start
P=stasissync$$
be_pool $P 512M || { echo "Bail out! cannot make pool $P"; exit 1; }
R=$P/ROOT
STASIS_BE_ROOTFS=$R/default
export STASIS_BE_ROOTFS
W=$(mktemp -d /var/tmp/stasis-sync.XXXXXX)
cleanup "rm -rf $W"

# The running BE has a file of its own, to see that it stays as it is.
be_fill $R/default sh -c 'echo running >"$1/marker"' _
zfs snapshot $R/default@before

# The image: what a build machine would produce.
I=$W/tree
mkdir -p $I/etc/rc.conf.d $I/root $I/usr/bin
echo image-rc >$I/etc/rc.conf
echo image-only >$I/etc/rc.conf.d/image_only
echo image-profile >$I/root/.profile
echo image-motd >$I/etc/motd
ln -s ../../etc/motd $I/usr/bin/motdlink
dd if=/dev/urandom of=$I/usr/bin/blob bs=1M count=4 status=none
run_ok "image zfs -o" -- "$STASIS" image zfs -q -o $W/image.zfs $I
ok $([ -s $W/image.zfs ]; echo $?) "stream written"

# The local state, under a stand-in for / (the test must not take this
# machine's own /etc).
S=$W/src
mkdir -p $S/etc/rc.conf.d $S/root/.ssh $S/boot
echo local-rc >$S/etc/rc.conf
echo 'sshd_enable="YES"' >$S/etc/rc.conf.d/sshd
echo 'zfs_load="YES"' >$S/boot/loader.conf
echo key >$S/root/.ssh/authorized_keys
chmod 700 $S/root/.ssh; chmod 600 $S/root/.ssh/authorized_keys
chown -R 1234:5678 $S/root/.ssh
touch -h -d '2021-02-03 04:05:06' $S/root/.ssh/authorized_keys $S/root/.ssh
echo not-listed >$S/etc/hosts
echo a >$S/etc/a.db; echo b >$S/etc/b.db
cat >$W/sync.conf <<'CONF'
# local state carried into every new BE
/etc/rc.conf
/etc/rc.conf.d          # the whole directory replaces the image's
/boot/loader.conf
/root/.ssh
/etc/*.db
?/etc/not-here          # optional
CONF

out=$("$STASIS" sync-be --dry-run -R $S -r $R new $W/sync.conf </dev/null)
is "$(echo "$out" | tr '\n' ' ')" "copy /etc/rc.conf copy /etc/rc.conf.d copy /boot/loader.conf copy /root/.ssh copy /etc/a.db copy /etc/b.db " "--dry-run lists what would be copied"
ok $(zfs list $R/new >/dev/null 2>&1; echo $((! $?))) "--dry-run made nothing"
# A dry run stops where the real one would: the name is taken (it listed
# the copies and exited 0 before).
out=$("$STASIS" sync-be -n -R $S -r $R default $W/sync.conf 2>&1 </dev/null); rc=$?
ok $((rc == 0)) "--dry-run of an existing BE's name fails"
like "$out" "boot environment default already exists" "and says why"

out=$(sync-be -R $S -r $R new $W/sync.conf <$W/image.zfs 2>&1); rc=$?
ok $rc "sync-be new"
like "$out" "received [0-9.]+[KMG] stream in [0-9]+ seconds \([0-9.]+[KMG]?/sec\)" "summary line"
is "$(zfs get -H -o value type $R/new)" filesystem "BE new exists"
is "$(zfs get -H -o value canmount,mountpoint $R/new | tr '\n' ' ')" "noauto / " "new is bootable"
is "$(zfs get -H -o value freebsd:bootonce $P)" "zfs:$R/new:" "marked for the next boot only"
is "$(zpool get bootfs $P | awk 'NR==2{print $3}')" "$R/default" "bootfs still the running BE"
like "$("$STASIS" be -r $R list -H | grep '^new')" "^new	T	" "list shows T"
ok $(zfs list -H -o name -r $R | grep -q sync-be; echo $((! $?))) "no temporary dataset left"

m=$("$STASIS" be -r $R mount new)
is "$(cat $m/etc/rc.conf)" local-rc "listed file replaced the image's"
is "$(cat $m/etc/rc.conf.d/sshd)" 'sshd_enable="YES"' "listed dir copied"
ok $([ ! -e $m/etc/rc.conf.d/image_only ]; echo $?) "listed dir replaced whole"
is "$(cat $m/boot/loader.conf)" 'zfs_load="YES"' "file in a dir the image lacks"
is "$(cat $m/root/.profile)" image-profile "image file kept"
is "$(cat $m/etc/motd)" image-motd "image file kept (2)"
is "$(readlink $m/usr/bin/motdlink)" ../../etc/motd "image symlink kept"
is "$(cmp $I/usr/bin/blob $m/usr/bin/blob && echo same)" same "image blob intact"
ok $([ ! -e $m/etc/hosts ]; echo $?) "unlisted local file not copied"
is "$(cat $m/etc/a.db $m/etc/b.db | tr '\n' ' ')" "a b " "glob copied"
is "$(stat -c '%u:%g %a' $m/root/.ssh)" "1234:5678 700" "dir owner and mode kept"
is "$(stat -c '%u:%g %a %Y' $m/root/.ssh/authorized_keys)" \
    "1234:5678 600 $(stat -c %Y $S/root/.ssh/authorized_keys)" "file owner, mode, mtime kept"
is "$(stat -c %Y $m/root/.ssh)" "$(stat -c %Y $S/root/.ssh)" "dir mtime kept"
# exactly the image plus the listed state
( cd $I && find . | sort ) >$W/img.list
( cd $S && find ./etc/rc.conf ./etc/rc.conf.d ./boot ./root/.ssh ./etc/a.db ./etc/b.db | sort ) >$W/loc.list
sort -u $W/img.list $W/loc.list | grep -v '^./etc/rc.conf.d/image_only$' >$W/want.list
( cd $m && find . | sort ) >$W/got.list
is "$(diff $W/want.list $W/got.list && echo same)" same "new BE = image + listed state, nothing else"
"$STASIS" be -r $R umount new

# the running BE is unchanged
is "$(zfs get -H -p -o value used $R/default@before)" 0 "running BE not written to since before (snapshot holds no unique blocks)"
be_fill $R/default sh -c 'cat "$1/marker"' _ >$W/marker
is "$(cat $W/marker)" running "running BE's files as they were"

# name clash
out=$(sync-be -q -R $S -r $R new $W/sync.conf <$W/image.zfs 2>&1); rc=$?
ok $((rc == 0)) "name clash fails"
like "$out" "boot environment new already exists" "name clash: message"

# invalid name, bad CONF
run_fails "bad BE name" -- sh -c "sync-be -q -R $S -r $R 'a b' $W/sync.conf <$W/image.zfs"
printf 'relative/path\n' >$W/bad.conf
out=$(sync-be -q -R $S -r $R bad $W/bad.conf <$W/image.zfs 2>&1)
like "$out" "bad.conf:1: want an absolute path" "bad CONF: message with line"
printf '/etc/missing-file\n' >$W/missing.conf
out=$(sync-be -q -R $S -r $R miss $W/missing.conf <$W/image.zfs 2>&1); rc=$?
ok $((rc == 0)) "missing listed file fails"
like "$out" "missing-file: No such file" "missing listed file: message"

no_leftovers() {	# no_leftovers NAME: no BE NAME, no temporary dataset
	! zfs list $R/$1 >/dev/null 2>&1 &&
	! zfs list -H -o name -r $R | grep -q sync-be
}

# Signed streams (-p/-x, signify's format): checked whole before any of
# it is received, from a file or through a pipe (spooled).
"$STASIS" image keygen -q -p $W/rel.pub -s $W/rel.sec
"$STASIS" image keygen -q -p $W/other.pub -s $W/other.sec
"$STASIS" image sign -q -s $W/rel.sec $W/image.zfs
out=$(sync-be -q --no-activate -p $W/rel.pub -x $W/image.zfs.sig -R $S -r $R signed $W/sync.conf <$W/image.zfs 2>&1)
ok $? "a signed stream from a file is received"
is "$(zfs get -H -o value type $R/signed 2>&1)" filesystem "BE signed exists"
nfiles=$(ls -A $W | wc -l)
out=$(cat $W/image.zfs | sync-be -q --no-activate -p $W/rel.pub -x $W/image.zfs.sig -w $W -R $S -r $R piped $W/sync.conf 2>&1)
ok $? "a signed stream through a pipe is spooled, checked and received"
is "$(zfs get -H -o value type $R/piped 2>&1)" filesystem "BE piped exists"
is "$(ls -A $W | wc -l)" "$nfiles" "the spool (an unnamed file) left nothing in its directory"
out=$(sync-be -q -p $W/other.pub -x $W/image.zfs.sig -R $S -r $R otherkey $W/sync.conf <$W/image.zfs 2>&1); rc=$?
ok $((rc == 0)) "a stream signed by another key is refused"
like "$out" "signed with key [0-9a-f]{16}, and .*other.pub is key" "naming both keys"
ok $(no_leftovers otherkey; echo $?) "another key: nothing received"
cp $W/image.zfs $W/tampered.zfs
printf x | dd of=$W/tampered.zfs bs=1 seek=5000 conv=notrunc 2>/dev/null
out=$(cat $W/tampered.zfs | sync-be -q -p $W/rel.pub -x $W/image.zfs.sig -w $W -R $S -r $R tampered $W/sync.conf 2>&1); rc=$?
ok $((rc == 0)) "a stream changed after signing is refused, piped"
like "$out" "the stream: signature verification failed" "and says so"
ok $(no_leftovers tampered; echo $?) "tampered: nothing received"
# The spool is bounded: a sender that never stops cannot fill spooldir.
nfiles=$(ls -A $W | wc -l)
out=$(head -c 8M /dev/zero | sync-be -q -p $W/rel.pub -x $W/image.zfs.sig -w $W -m 1M -R $S -r $R big $W/sync.conf 2>&1); rc=$?
ok $((rc == 0)) "a piped stream past --spool-max is refused"
like "$out" "spool in $W: the stream is larger than the spool limit of 1048576 bytes \\(--spool-max\\)" "naming the limit"
ok $(no_leftovers big; echo $?) "past --spool-max: nothing received"
is "$(ls -A $W | wc -l)" "$nfiles" "past --spool-max: nothing left in the spool's directory"
# Without -m the limit leaves 5% of the spool's filesystem free: on a
# 4 MiB tmpfs, 16 MiB of stream stops short of filling it.
mkdir $W/small
mount -t tmpfs -o size=4M stasis-spool $W/small
cleanup "umount $W/small"
out=$(head -c 16M /dev/zero | sync-be -q -p $W/rel.pub -x $W/image.zfs.sig -w $W/small -R $S -r $R big $W/sync.conf 2>&1); rc=$?
ok $((rc == 0)) "a piped stream larger than the spool's free space is refused"
like "$out" "larger than the spool limit of [0-9]+ bytes \\(what leaves 5% of $W/small's filesystem free" "naming the default limit"
is "$(df --output=used -B1 $W/small | tail -1 | tr -d ' ')" 0 "the spool's filesystem is empty again"
umount $W/small && rmdir $W/small
run_fails "--spool-max 0" -- sh -c "sync-be -q -m 0 -p $W/rel.pub -x $W/image.zfs.sig -R $S -r $R zero $W/sync.conf <$W/image.zfs"
run_fails "-p without -x" -- sh -c "sync-be -q -p $W/rel.pub -R $S -r $R nox $W/sync.conf <$W/image.zfs"
# A file is checked and received where it is, under a read lease: a
# writer that opens it in between breaks the lease, and nothing is kept.
# The signature comes through a fifo, so the writer comes while sync-be
# holds the lease and waits for it (/proc/locks shows the break).
cp $W/image.zfs $W/leased.zfs
mkfifo $W/sig.fifo
sync-be -q --no-activate -p $W/rel.pub -x $W/sig.fifo -R $S -r $R leased \
    $W/sync.conf <$W/leased.zfs >$W/leased.out 2>&1 &
spid=$!
ino=$(stat -c %i $W/leased.zfs)
wait_for sh -c "grep -q 'LEASE .* READ .*:$ino ' /proc/locks"
ok $? "sync-be holds a read lease on the stream's file"
( : >>$W/leased.zfs ) &
wpid=$!
wait_for sh -c "grep -q 'LEASE .*BREAK.*:$ino ' /proc/locks"
ok $? "a writer opening it breaks the lease"
cat $W/image.zfs.sig >$W/sig.fifo
wait $spid; rc=$?
wait $wpid
ok $((rc == 0)) "a stream whose file was opened for writing is refused"
like "$(cat $W/leased.out)" "opened for writing while it was checked" \
    "and says so"
ok $(no_leftovers leased; echo $?) "opened for writing: nothing received"
# A file already open for writing takes no lease: it is spooled instead.
exec 7>>$W/leased.zfs
out=$(sync-be -q --no-activate -p $W/rel.pub -x $W/image.zfs.sig -w $W -R $S -r $R leased2 $W/sync.conf <$W/leased.zfs 2>&1)
ok $? "a file open for writing elsewhere is spooled, checked and received"
exec 7>&-
is "$(zfs get -H -o value type $R/leased2 2>&1)" filesystem "BE leased2 exists"
"$STASIS" be -r $R destroy -F leased2 >/dev/null 2>&1
rm -f $W/sig.fifo $W/leased.zfs $W/leased.out
"$STASIS" be -r $R destroy -F signed >/dev/null 2>&1
"$STASIS" be -r $R destroy -F piped >/dev/null 2>&1

# truncated and corrupt streams
sz=$(stat -c %s $W/image.zfs)
head -c $((sz / 2)) $W/image.zfs >$W/cut.zfs
out=$(sync-be -q -R $S -r $R cut $W/sync.conf <$W/cut.zfs 2>&1); rc=$?
ok $((rc == 0)) "truncated stream fails"
like "$out" "receive" "truncated: says the receive failed"
ok $(no_leftovers cut; echo $?) "truncated: nothing left behind"
head -c 100000 /dev/urandom >$W/junk.zfs
out=$(sync-be -q -R $S -r $R junk $W/sync.conf <$W/junk.zfs 2>&1); rc=$?
ok $((rc == 0)) "garbage stream fails"
like "$out" "invalid|bad magic" "garbage: zfs's reason"
ok $(no_leftovers junk; echo $?) "garbage: nothing left behind"
out=$(sync-be -q -R $S -r $R empty $W/sync.conf </dev/null 2>&1); rc=$?
ok $((rc == 0)) "empty stream fails"
ok $(no_leftovers empty; echo $?) "empty: nothing left behind"
is "$(zfs get -H -o value freebsd:bootonce $P)" "zfs:$R/new:" "failures left the activation alone"

# a failed copy: the image has a symlink where a listed path's parent
# should be; sync-be must not follow it out of the BE
I2=$W/tree2; mkdir -p $I2/x; ln -s /tmp $I2/etc
"$STASIS" image zfs -q -o $W/evil.zfs $I2
out=$(sync-be -q -R $S -r $R evil $W/sync.conf <$W/evil.zfs 2>&1); rc=$?
ok $((rc == 0)) "copy through a symlink refused"
like "$out" "not a directory \(a symlink\?\)" "failed copy: message"
ok $(no_leftovers evil; echo $?) "failed copy: nothing left behind"
ok $([ ! -e /tmp/rc.conf.d ] || [ /tmp/rc.conf.d -ot $W/sync.conf ]; echo $?) "nothing written outside"

# a killed sync-be: a stream that stops halfway and waits
mkfifo $W/fifo
for sig in TERM INT KILL; do
	( head -c $((sz / 2)) $W/image.zfs; exec sleep 60 ) >$W/fifo &
	feeder=$!
	sync-be -q -R $S -r $R killed $W/sync.conf <$W/fifo >$W/kill.out 2>&1 &
	pid=$!
	WAIT_TRIES=100 wait_for sh -c "zfs list -H -o name -r $R | grep -q sync-be"
	kill -$sig $pid
	wait $pid 2>/dev/null
	if [ $sig = KILL ]; then
		# zfs receive sees its stream end and gives up by itself
		WAIT_TRIES=100 wait_for sh -c "! pgrep -f 'receive $R/.sync-be.$pid'"
		diag "after SIGKILL: $(zfs list -H -o name -r $R | grep sync-be || echo 'no temporary dataset')"
	fi
	kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
	ok $(! zfs list $R/killed >/dev/null 2>&1; echo $?) "SIG$sig: no BE made"
	[ $sig = KILL ] || ok $(no_leftovers killed; echo $?) "SIG$sig: nothing left behind"
	[ $sig = KILL ] || like "$(cat $W/kill.out)" "interrupted" "SIG$sig: says so"
done
# what a sync-be killed in its copy phase leaves: its temporary dataset
true & dead=$!; wait $dead
zfs create -o canmount=noauto -o mountpoint=none $R/.sync-be.$dead
out=$("$STASIS" be -r $R check 2>&1); rc=$?
ok $((rc == 0)) "be check fails on a leftover"
like "$out" "left by an interrupted sync-be" "be check names it"
ok $("$STASIS" be -r $R list -H | grep -q sync-be; echo $((! $?))) "be list hides it"
out=$(sync-be -q -R $S -r $R after $W/sync.conf <$W/image.zfs 2>&1)
ok $? "sync-be after the kills"
ok $(zfs list -H -o name -r $R | grep -q sync-be; echo $((! $?))) "no temporary dataset left after the next run"
is "$(zfs get -H -o value freebsd:bootonce $P)" "zfs:$R/after:" "last sync-be wins the next boot"

# the stream through a pipe (curl | sync-be), not from a file
out=$(cat $W/image.zfs | sync-be -R $S -r $R piped $W/sync.conf 2>&1)
ok $? "sync-be from a pipe"
like "$out" "received [0-9.]+[KMG] stream" "pipe: summary line"
m=$("$STASIS" be -r $R mount piped)
is "$(cat $m/etc/rc.conf $m/root/.profile | tr '\n' ' ')" "local-rc image-profile " "pipe: image plus local state"
"$STASIS" be -r $R umount piped
out=$(head -c $((sz / 2)) $W/image.zfs | sync-be -q -R $S -r $R pipecut $W/sync.conf 2>&1); rc=$?
ok $((rc == 0)) "cut stream from a pipe fails"
ok $(no_leftovers pipecut; echo $?) "pipe cut: nothing left behind"

# --no-activate
run_ok "sync-be --no-activate" -- sh -c "sync-be -q --no-activate -R $S -r $R quiet $W/sync.conf <$W/image.zfs"
is "$(zfs get -H -o value freebsd:bootonce $P)" "zfs:$R/piped:" "--no-activate left the next boot alone"
# With an OpenZFS-like zfs, receive gets -u (do not mount what arrives:
# a stream with its properties could say mountpoint=/).  A wrapper that
# speaks OpenZFS's usage and logs, in front of zfs-fuse's zfs.
cat >$W/zfs-openzfs <<'WRAP'
#!/bin/sh
if [ "$1" = receive ] && [ $# -eq 1 ]; then
	echo "usage:" >&2
	echo "	receive [-FhMnsuv] [-o <property>=<value>] <filesystem|volume|snapshot>" >&2
	exit 2
fi
echo "$*" >>"${0%/*}/zfs.log"
if [ "$1" = receive ] && [ "$2" = -u ]; then shift 2; exec zfs receive "$@"; fi
exec zfs "$@"
WRAP
chmod +x $W/zfs-openzfs
out=$(STASIS_ZFS=$W/zfs-openzfs sync-be -q --no-activate -R $S -r $R openzfs $W/sync.conf <$W/image.zfs 2>&1)
ok $? "sync-be through an OpenZFS-like zfs"
like "$(grep '^receive' $W/zfs.log)" "^receive -u $R/.sync-be" "receive -u when zfs has it"
# zfs's stderr is kept only up to a pipe's worth: a receive that talks
# without end gets write errors instead of filling a temporary file, and
# the failure still says what happened.
cat >$W/zfs-chatty <<'WRAP'
#!/bin/sh
if [ "$1" = receive ] && [ $# -ge 2 ]; then
	cat >/dev/null
	head -c 32M /dev/zero | tr '\0' w >&2 && echo all >"${0%/*}/chatty.out"
	exit 1
fi
exec zfs "$@"
WRAP
chmod +x $W/zfs-chatty
out=$(STASIS_ZFS=$W/zfs-chatty sync-be -q --no-activate -R $S -r $R chatty $W/sync.conf <$W/image.zfs 2>&1); rc=$?
ok $((rc == 0)) "a zfs receive that fails after 32M of stderr: sync-be fails"
ok $([ ! -e $W/chatty.out ]; echo $?) "its stderr did not take all 32M"
like "$out" "^sync-be: chatty: receive: after [0-9]+ bytes of stream: zfs receive $R/\\.sync-be\\.[0-9]+: www" "the message quotes it"
ok $(no_leftovers chatty; echo $?) "chatty receive: nothing left"
run_ok "--help" -- "$STASIS" sync-be --help

done_testing
