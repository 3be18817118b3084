#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-fuzzer.sh FUZZER RUNS SEED_DIR WORK_DIR FLAG...: one deterministic libFuzzer run (fixed seed, fixed run
# count) with the harness's flags (fl_fuzz_flags in fuzzers.cmake: -max_len...).
# New inputs go to WORK_DIR, emptied first, so the checked-in seed corpus never changes and every run starts
# from the same state. Any crash, leak or sanitizer report fails the run.
set -eu
fuzzer=$1 runs=$2 seeds=$3 work=$4
shift 4
rm -rf "$work"
mkdir -p "$work"
exec "$fuzzer" -seed=1 -runs="$runs" "$@" -artifact_prefix="$work/" "$work" "$seeds"
