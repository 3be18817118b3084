#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench.sh BUILD_DIR: run every benchmark in the build and print its numbers (never a pass/fail).
set -eu
build=$1
echo "host: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
for b in "$build"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b"
done
