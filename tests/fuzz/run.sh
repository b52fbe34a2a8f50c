#!/bin/sh
# Run each libFuzzer target for $FUZZTIME seconds on a copy of its seed
# corpus (tests/fuzz/corpus/<name>/), so the tree's seeds stay small.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
t=${FUZZTIME:-20}
rc=0
for bin in "$@"; do
	name=$(basename "$bin")
	work=$(mktemp -d "/tmp/stasis-$name.XXXXXX")
	[ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/"
	echo "== $name ($t s)"
	if ! "$bin" -max_total_time="$t" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$work/" "$work" \
	    >"$work.log" 2>&1; then
		echo "FAILED: $name; crash input and log in $work $work.log"
		tail -30 "$work.log"
		rc=1
		continue
	fi
	tail -1 "$work.log"
	rm -rf "$work" "$work.log"
done
exit $rc
