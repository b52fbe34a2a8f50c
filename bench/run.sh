#!/bin/sh
# make bench: run every bench/<feature>.sh (or those named in $1...), each
# of which writes its section to bench/results/<feature>.md, then join the
# sections into bench/RESULTS.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/results"
if [ $# -eq 0 ]; then
	set -- $(cd "$here" && ls *.sh | grep -v '^run\.sh$' | sed 's/\.sh$//')
fi
rc=0
for b in "$@"; do
	echo "== bench: $b"
	if ! sh "$here/$b.sh" "$here/results/$b.md"; then
		echo "bench $b failed" >&2
		rc=1
	fi
done
{
	echo "# stasis benchmarks"
	echo
	echo "Written by \`make bench\` on $(uname -sr), $(nproc) CPUs,"
	echo "$(date -u +%Y-%m-%d). Each section compares stasis with its peers"
	echo "in one run, on this machine; ratios matter, not absolute numbers."
	echo
	for f in "$here"/results/*.md; do
		[ -f "$f" ] && cat "$f" && echo
	done
} >"$here/RESULTS.md"
echo "wrote $here/RESULTS.md"
exit $rc
