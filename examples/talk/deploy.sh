#!/bin/sh
# deploy.sh VERSION: replace the running app with release VERSION, the
# talk's way: take it out of the load balancer, remove the jail, start a
# new one on the new root, put it back.  Run by the webhook in hooks.yaml
# (or by hand; rolling back is deploying the previous version).  A release
# must carry a good signature by release.pub (release.sh signs them).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ver=${1:?usage: deploy.sh VERSION}
case $ver in
"" | *[!0-9A-Za-z.-]*) echo "deploy: refusing version '$ver'" >&2; exit 2 ;;
esac
releases=$(sed -n 's/^\$releases = "\(.*\)";$/\1/p' "$here/jail.conf")
rel=$releases/app-$ver.tar.zst
[ -f "$rel" ] || { echo "deploy: no release $ver ($rel)" >&2; exit 1; }
# Only what the build host signed, and only if it mounts, before the old
# one is taken down.
stasis image verify -q -p "$here/release.pub" "$rel" ||
    { echo "deploy: release $ver is not signed by release.pub" >&2; exit 1; }
stasis tarfs --check "$rel" >/dev/null ||
    { echo "deploy: release $ver does not mount" >&2; exit 1; }

stasis drain -c "$here/serve.conf" app
jail -f "$here/jail.conf" -q -r app 2>/dev/null || true
ln -sfn "app-$ver.tar.zst" "$releases/current.tar.zst"
jail -f "$here/jail.conf" -q -c app
stasis undrain -c "$here/serve.conf" app
echo "deployed app $ver"
