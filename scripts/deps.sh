#!/bin/sh
# Install every build, test and benchmark dependency of stasis from
# Debian's packages.  Used by .ci/run and by the README's set-up command.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: must run as root (apt-get install)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Build: compiler, libraries (headers), fuzzing runtime.
BUILD="build-essential pkg-config clang libclang-rt-14-dev
	libssl-dev libjansson-dev libyaml-dev
	libfuse3-dev libzstd-dev libcurl4-openssl-dev libpcre2-dev"

# Tests: the real components and the tools the tests drive.
TEST="perl fuse3 zstd zfs-fuse haproxy bird2 curl iproute2 jq signify-openbsd
	libarchive-tools tar python3 util-linux procps psmisc socat
	netcat-openbsd squashfs-tools kmod mandoc"

# Benchmarks: the peers and the load generators.
BENCH="wrk webhook archivemount squashfuse bubblewrap systemd-container
	hyperfine"

apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $BUILD $TEST $BENCH

# Daemons the packages may have started are not ours to keep running: the
# tests start their own instances on loopback or in namespaces.
for svc in haproxy bird zfs-fuse; do
	if command -v systemctl >/dev/null 2>&1; then
		systemctl stop "$svc" >/dev/null 2>&1 || true
		systemctl disable "$svc" >/dev/null 2>&1 || true
	fi
done
exit 0
