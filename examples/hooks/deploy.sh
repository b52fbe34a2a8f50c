#!/bin/sh
# Example deploy step for examples/hooks/hooks.yaml: a real one would
# fetch and verify an image for the commit, then `stasis sync-be` it.
set -eu
repo=${1:?repository}
commit=${2:?commit}
case $commit in
*[!0-9a-f]*) echo "refusing odd commit id" >&2; exit 2 ;;
esac
echo "deploying $repo at $commit (pushed by ${DEPLOY_PUSHER:-unknown}," \
    "delivery ${DEPLOY_DELIVERY:-none})"
