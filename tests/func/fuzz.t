#!/bin/sh
# Every fuzz target still builds, and runs its seed corpus once (libFuzzer
# -runs=0) under ASan and UBSan: a parser change that breaks a target, or
# a seed that now crashes, fails `make check`, not only `make fuzz`.
. "$(dirname "$0")/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang >/dev/null || skip_all "no clang"

run_ok "make fuzz-build" -- make -s -C "$top" fuzz-build
for src in "$top"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	corpus=$top/tests/fuzz/corpus/$name
	if [ ! -d "$corpus" ]; then
		ok 1 "$name: has a seed corpus"
		continue
	fi
	out=$("$top/build-fuzz/$name" -runs=0 -timeout=10 -rss_limit_mb=2048 \
	    "$corpus" 2>&1)
	rc=$?
	ok $rc "$name: $(ls "$corpus" | wc -l | tr -d ' ') seeds run clean"
	[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/#   /' >&2
done
done_testing
