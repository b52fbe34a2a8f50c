# Helpers for the tarfs functional tests: a listing of a tree that two
# trees can be compared by, and mount/unmount wrappers.  Source after
# tap.sh.

# tarfs_list DIR: one line per entry (root excluded), sorted: path, type,
# mode, uid, gid, mtime (ns), nlink, size, sha256 or link target or
# device numbers, and for files with several links the first name of
# the inode, so inode equality is compared too.
tarfs_list() {
	python3 - "$1" <<'PY'
import hashlib, os, stat, sys
root = sys.argv[1]
paths = []
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        paths.append(os.path.relpath(os.path.join(d, n), root))
paths.sort()
first = {}
for p in paths:
    st = os.lstat(os.path.join(root, p))
    m = st.st_mode
    kind = stat.filemode(m)[0]
    extra = ""
    if stat.S_ISREG(m):
        h = hashlib.sha256()
        with open(os.path.join(root, p), "rb") as f:
            for b in iter(lambda: f.read(1 << 20), b""):
                h.update(b)
        extra = "size=%d sha256=%s" % (st.st_size, h.hexdigest())
    elif stat.S_ISLNK(m):
        extra = "size=%d -> %s" % (st.st_size, os.readlink(os.path.join(root, p)))
    elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
        extra = "dev=%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
    hl = ""
    if not stat.S_ISDIR(m) and st.st_nlink > 1:
        key = (st.st_dev, st.st_ino)
        hl = " inode-of=" + first.setdefault(key, p)
    print("%s %s %04o %d:%d mtime=%d nlink=%d %s%s" % (p, kind,
        stat.S_IMODE(m), st.st_uid, st.st_gid, st.st_mtime_ns,
        st.st_nlink, extra, hl))
PY
}

# tarfs_mount ARCHIVE DIR [args...]: mount (daemonized), register cleanup.
tarfs_mount() {
	_a=$1; _d=$2; shift 2
	cleanup "umount -l '$_d'"
	"$STASIS" tarfs -q "$@" "$_a" "$_d"
}

tarfs_umount() {
	umount "$1"
}

# tarfs_compare NAME ARCHIVE [tar|bsdtar]: mount it and extract it with
# GNU tar (or bsdtar), compare the listings.  GNU tar leaves the
# extraction time on a directory the archive lists again after its
# contents (as bsdtar and duplicate entries do); bsdtar sets directory
# times last, so those archives are checked against bsdtar -x.
tarfs_compare() {
	_n=$1; _a=$2; _t=${3:-tar}
	_m=$(mktemp -d "$TMPD/m.XXXXXX")
	_x=$(mktemp -d "$TMPD/x.XXXXXX")
	if ! tarfs_mount "$_a" "$_m"; then
		ok 1 "$_n: mounts"
		return
	fi
	if [ "$_t" = bsdtar ]; then
		bsdtar --numeric-owner -xpf "$_a" -C "$_x" 2>"$_x.err"
	else
		tar --numeric-owner -xf "$_a" -C "$_x" 2>"$_x.err"
	fi
	tarfs_list "$_m" >"$_m.list"
	tarfs_list "$_x" >"$_x.list"
	if diff -u "$_x.list" "$_m.list" >"$_m.diff"; then
		ok 0 "$_n: mounted tree equals $_t -x ($(wc -l <"$_m.list") entries)"
	else
		ok 1 "$_n: mounted tree equals $_t -x"
		sed 's/^/#   /' "$_m.diff" | head -40
	fi
	tarfs_umount "$_m"
}
