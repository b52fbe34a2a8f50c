# Helpers for the jail tests (source after tap.sh): a private run
# directory per test, a template root that borrows the host's /usr
# read-only (as a FreeBSD jail borrows a base through nullfs), and a
# teardown that removes every jail the test left.

jail_mkroot() {	# jail_mkroot DIR: a minimal root
	mkdir -p "$1/usr" "$1/etc" "$1/proc" "$1/dev" "$1/tmp" "$1/data" \
	    "$1/root" "$1/conf"
	for l in bin sbin lib lib64; do ln -s "usr/$l" "$1/$l"; done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$1/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$1/etc/group"
	echo template >"$1/etc/motd"
}

jail_teardown() {
	for _n in $(ls "$STASIS_RUNDIR/jails" 2>/dev/null); do
		"$STASIS" jail -q -r "$_n" >/dev/null 2>&1
	done
	rm -rf "$JT"
}

jail_setup() {
	need_root
	[ -d /proc/self/ns ] || skip_all "no namespaces"
	JT=$(mktemp -d /tmp/stasis-jail.XXXXXX)
	STASIS_RUNDIR=$JT/run
	export STASIS_RUNDIR
	ROOT=$JT/root
	jail_mkroot "$ROOT"
	USR="mount=/usr $ROOT/usr nullfs ro"
	cleanup "jail_teardown"
}

# The host's view: mounts whose target lies under DIR.
host_mounts_under() {
	awk -v d="$1" '$5 ~ "^"d {n++} END {print n+0}' /proc/self/mountinfo
}

cgroup_dir() {	# where a jail's cgroup would be (NAME@hash of the run dir)
	for _r in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		if [ "$(stat -fc %T "$_r" 2>/dev/null)" = cgroup2fs ]; then
			ls -d "$_r/stasis/$1" "$_r/stasis/$1@"* 2>/dev/null |
			    head -1
			return
		fi
	done
}

init_pid() {	# the jail's init, from its state
	jq -r .pid "$STASIS_RUNDIR/jails/$1/state.json" 2>/dev/null
}
