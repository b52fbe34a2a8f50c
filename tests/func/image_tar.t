#!/bin/sh
# stasis image tar: a tree with every kind of entry as a reproducible tar,
# checked by extracting it with GNU tar and bsdtar and by mounting it with
# stasis tarfs (plain and -z), each compared with the source tree.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/lib/tarfs.sh"
need_root
TMPD=$(mktemp -d /tmp/stasis-imgtar.XXXXXX)
chmod 755 "$TMPD"
cleanup "rm -rf $TMPD"
T=$TMPD/tree
O=$TMPD/out
mkdir -p $T/etc $T/dev $T/var/empty $O
long=$(printf 'n%.0s' $(seq 1 200))
lt=$(printf 't%.0s' $(seq 1 150))
echo "root:x:0:0::/root:/bin/sh" >$T/etc/passwd
echo long >"$T/$long"
ln -s "$lt" $T/etc/longlink
ln -s passwd $T/etc/link
echo twice >$T/etc/hl1
ln $T/etc/hl1 $T/var/hl2
mkfifo $T/dev/fifo
mknod $T/dev/null c 1 3
mknod $T/dev/loopx b 7 200
echo suid >$T/suid
chmod 4755 $T/suid
echo owned >$T/owned
chown 12345:12345 $T/owned
chmod 640 $T/owned
dd if=/dev/urandom of=$T/blob bs=64k count=20 status=none
echo big-ids >$T/bigids
chown 3000000:3000001 $T/bigids
echo old >$T/before1970
echo late >$T/after2242
: >$T/empty
python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX).bind(sys.argv[1])' $T/sock
ln $T/sock $T/sock2
# Paths of 988 to 994 bytes: pax records of 996 to 1002, whose length
# field itself grows from 3 digits to 4 in the middle.
seg=$(printf 's%.0s' $(seq 1 240))
deep=$T/$seg/$seg/$seg/$seg
mkdir -p $deep
for n in 22 23 24 25 26 27 28; do
	echo $n >$deep/$(printf 'f%.0s' $(seq 1 $n))
done
# Whole seconds (tar keeps no more); one file older than the rest.
find $T -exec touch -h -d @1600000000 {} +
touch -d @1234567890 $T/etc/passwd
touch -d @-100 $T/before1970
touch -d @9000000000 $T/after2242

tarfs_list $T | grep -v '^sock' >$TMPD/src.list
is "$(wc -l <$TMPD/src.list)" 31 "the source tree has every kind of entry"

out=$("$STASIS" image tar -o $O/a.tar $T 2>&1)
ok $? "image tar -o FILE"
like "$out" "wrote [0-9.]+[KMG]? tar in [0-9]+ seconds" "summary line"
like "$out" "sock: socket ignored" "the socket: a warning"
like "$out" "sock2: socket ignored" "its second name too, not a hard link"
is "$(ls -A $O)" a.tar "only the tar in the output dir"
is "$(tar tf $O/a.tar | head -6 | tr '\n' ' ')" \
    "./ ./after2242 ./before1970 ./bigids ./blob ./dev/ " \
    "names as tar -C DIR . gives them, sorted"
ok $(tar tf $O/a.tar | grep -q sock; echo $((! $?))) "no socket entry"
tar tf $O/a.tar | tr -d '\n' | grep -q 'PaxHeaders'
ok $((! $?)) "pax headers used for the long names"
is "$(grep -aoE '[0-9]+ (uid|gid|mtime)=[-0-9]+' $O/a.tar | tr '\n' ' ')" \
    "20 mtime=9000000000 14 mtime=-100 15 uid=3000000 15 gid=3000001 " \
    "pax records for what ustar cannot hold"

# Every extractor sees the source tree.
check_tree() {	# check_tree NAME DIR
	tarfs_list "$2" >"$2.list"
	if diff -u $TMPD/src.list "$2.list" >"$2.diff"; then
		ok 0 "$1: same tree as the source ($(wc -l <"$2.list") entries)"
	else
		ok 1 "$1: same tree as the source"
		sed 's/^/#   /' "$2.diff" | head -30
	fi
}
mkdir $TMPD/gnu $TMPD/bsd $TMPD/m $TMPD/mz
tar --numeric-owner -xpf $O/a.tar -C $TMPD/gnu 2>$TMPD/gnu.err
ok $? "GNU tar extracts it"
# (but for its warnings about the dates we gave those two files)
is "$(grep -Ev 'after2242: time stamp .* in the future' $TMPD/gnu.err |
    grep -v 'before1970: implausibly old')" "" "GNU tar has no complaint"
check_tree "GNU tar -x" $TMPD/gnu
bsdtar --numeric-owner -xpf $O/a.tar -C $TMPD/bsd 2>$TMPD/bsd.err
ok $? "bsdtar extracts it"
is "$(cat $TMPD/bsd.err)" "" "bsdtar has no complaint"
check_tree "bsdtar -x" $TMPD/bsd
if tarfs_mount $O/a.tar $TMPD/m; then
	check_tree "tarfs mount" $TMPD/m
	tarfs_umount $TMPD/m
else
	ok 1 "tarfs mounts it"
fi

# On a terminal: a bar with a percentage (the tree's size walked first;
# a tree big enough to be drawn, after 0.2 s).
bar=$(script -qc "'$STASIS' image tar -o $O/tty.tar /usr/share" /dev/null |
    tr '\r' '\n')
like "$bar" "^tar \[#* *\] +[0-9]+% " "a progress bar on a terminal"
like "$bar" "wrote [0-9.]+[KMG] tar in" "then the summary"
rm -f $O/tty.tar

# Reproducible: the same tree, the same bytes; clamped mtimes hide a touch.
"$STASIS" image tar -q $T >$O/b.tar 2>$TMPD/b.err
ok $? "image tar to stdout"
is "$(cat $TMPD/b.err)" "" "-q: nothing on stderr"
is "$(head -c "$(stat -c %s $O/b.tar)" $O/a.tar | sha256sum)" \
    "$(sha256sum <$O/b.tar)" "two runs, same bytes (-o adds the index after)"
like "$("$STASIS" tarfs --check $O/a.tar)" "from the index embedded" \
    "-o FILE: the tarfs index is in the file"
"$STASIS" image tar -q -o $O/a2.tar $T
is "$(sha256sum <$O/a2.tar)" "$(sha256sum <$O/a.tar)" \
    "two runs to a file, same bytes, index included"
"$STASIS" image tar -q --no-embed -o $O/ne.tar $T
is "$(sha256sum <$O/ne.tar)" "$(sha256sum <$O/b.tar)" \
    "--no-embed: the file is what stdout gets"
rm -f $O/a2.tar $O/ne.tar
"$STASIS" image tar -q --mtime 1500000000 $T >$O/c1.tar
touch $T/blob
"$STASIS" image tar -q --mtime 1500000000 $T >$O/c2.tar
is "$(sha256sum <$O/c2.tar)" "$(sha256sum <$O/c1.tar)" \
    "a touched file, --mtime given: same bytes"
is "$(tar --numeric-owner -tvf $O/c1.tar ./etc/passwd | awk '{print $4}')" \
    2009-02-13 "an mtime older than --mtime is kept"
is "$(TZ=UTC tar -tvf $O/c1.tar ./blob | awk '{print $4, $5}')" \
    "2017-07-14 02:40" "a newer one is clamped to it"
"$STASIS" image tar -q $T >$O/b2.tar
ok $([ "$(sha256sum <$O/b2.tar)" != "$(sha256sum <$O/a.tar)" ]; echo $?) \
    "without --mtime the touch shows"
SOURCE_DATE_EPOCH=1500000000 "$STASIS" image tar -q $T >$O/c3.tar
is "$(sha256sum <$O/c3.tar)" "$(sha256sum <$O/c1.tar)" \
    "SOURCE_DATE_EPOCH is --mtime's default"
"$STASIS" image tar -q --owner-root $T >$O/r.tar
is "$(tar --numeric-owner -tvf $O/r.tar | awk '{print $2}' | sort -u)" 0/0 \
    "--owner-root: every owner 0/0"
touch -d @1600000000 $T/blob

# Seekable tar.zst with its index inside it (--no-embed: beside it).
out=$("$STASIS" image tar -z -o $O/a.tar.zst $T 2>&1)
ok $? "image tar -z"
like "$out" "compressed to .* indexed: $O/a.tar.zst" "-z summary"
is "$(zstd -dc $O/a.tar.zst | sha256sum)" "$(sha256sum <$O/b.tar)" \
    "the tar.zst holds the same tar"
like "$("$STASIS" tarfs --check $O/a.tar.zst 2>&1)" "from the index embedded" \
    "tarfs reads the index embedded in it"
is "$(ls $O/a.tar.zst.* 2>/dev/null)" "" "no index files beside it"
out=$("$STASIS" image tar -z --no-embed -o $O/ne.tar.zst $T 2>&1)
ok $? "image tar -z --no-embed"
like "$("$STASIS" tarfs --check $O/ne.tar.zst 2>&1)" \
    "from the saved index $O/ne.tar.zst.tfidx" \
    "--no-embed: the index saved beside it, and read"
is "$(ls -A $O | grep '^\.ne' || true)" "" "--no-embed: no temporary files left"
# The index is saved from the temporary file before anything is renamed:
# when it cannot be put in place, the previous image is untouched.
echo previous >$O/prev.tar.zst
mkdir $O/prev.tar.zst.tfidx
run_fails "-z --no-embed: an index that cannot be put in place fails" -- \
    "$STASIS" image tar -q -z --no-embed -o $O/prev.tar.zst $T
is "$(cat $O/prev.tar.zst)" previous "index failure: the previous image is intact"
is "$(ls -A $O | grep '^\.prev' || true)" "" "index failure: no temporary files left"
rmdir $O/prev.tar.zst.tfidx
rm -f $O/prev.tar.zst
if tarfs_mount $O/a.tar.zst $TMPD/mz; then
	check_tree "tarfs mount of the tar.zst" $TMPD/mz
	tarfs_umount $TMPD/mz
else
	ok 1 "tarfs mounts the tar.zst"
fi

# Other file systems are not entered unless asked.
F=$TMPD/fs
mkdir -p $F/mnt
mount -t tmpfs -o size=1m stasis-imgtar$$ $F/mnt && cleanup "umount -l $F/mnt"
echo inside >$F/mnt/file
"$STASIS" image tar -q $F >$O/f1.tar
is "$(tar tf $O/f1.tar | tr '\n' ' ')" "./ ./mnt/ " \
    "a mount point: kept, not entered"
"$STASIS" image tar -q --cross-mounts $F >$O/f2.tar
is "$(tar tf $O/f2.tar | tr '\n' ' ')" "./ ./mnt/ ./mnt/file " \
    "--cross-mounts enters it"

# Failures: a message, a non-zero exit and nothing left behind.
rm -f $O/*
out=$("$STASIS" image tar -o $O/x.tar $TMPD/nope 2>&1); rc=$?
ok $((rc == 0)) "missing dir fails"
like "$out" "nope: open: No such file or directory" "missing dir: message"
chmod 777 $O
echo secret >$T/secret; chmod 000 $T/secret
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$STASIS" image tar -q -o $O/u.tar $T 2>&1); rc=$?
ok $((rc == 0)) "unreadable file fails"
like "$out" "tree: \./[a-z]+: Permission denied" "unreadable file: message"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$STASIS" image tar -q -z -o $O/u.tar.zst $T 2>&1); rc=$?
ok $((rc == 0)) "unreadable file fails with -z too"
like "$out" "tree: \./[a-z]+: Permission denied" "-z: the same message"
rm -f $T/secret
is "$(ls -A $O)" "" "no output or temporary file left"
# Interrupted while writing a big tree (as soon as its temporary file
# is there): exit non-zero, nothing left, with and without -z.
for z in "" -z; do
	"$STASIS" image tar -q $z -o $O/int.tar /usr >/dev/null 2>&1 &
	pid=$!
	wait_for sh -c "ls -A $O | grep -q ." && kill -INT $pid
	wait $pid
	ok $(($? == 0)) "SIGINT${z:+ with $z}: fails"
	is "$(ls -A $O)" "" "SIGINT${z:+ with $z}: nothing left"
done
mount -t tmpfs -o size=512k stasis-imgtarf$$ $O && cleanup "umount -l $O"
out=$("$STASIS" image tar -q -o $O/full.tar $T 2>&1); rc=$?
ok $((rc == 0)) "a full disk fails"
like "$out" "write: No space left on device" "full disk: message"
out=$("$STASIS" image tar -q -z -o $O/full.tar.zst $T 2>&1); rc=$?
ok $((rc == 0)) "a full disk fails with -z"
like "$out" "No space left on device" "-z full disk: message"
"$STASIS" image tar -q $T >/dev/full 2>/dev/null
ok $(($? == 0)) "stdout that cannot be written: fails"
is "$(ls -A $O)" "" "no output file left after any failure"
run_fails "-z without -o" -- "$STASIS" image tar -z $T
run_fails "bad --mtime" -- "$STASIS" image tar --mtime yesterday $T
run_ok "--help" -- "$STASIS" image tar --help

done_testing
