#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# elf-seeds.sh BUILD SEED_DIR MSG_DIR: what fuzz_elf starts from, made from a build (not checked in: they are
# build outputs of 100-200 KB). SEED_DIR: three firmware ELFs and variants of one (no DWARF, compressed DWARF);
# MSG_DIR: the messages of six on-target crashes (one unwinds through .ARM.exidx, one has frames with many
# variables: test_vars.c's structs at -O2) (run first: ctest -R 'target/(faults-m3|vars-m3-O2)/') for FL_FUZZ_MSGS.
set -eu
build=$1 seeds=$2 msgs=$3
fw=$build/firmware/tests/target
logs=$build/crash-logs
rm -rf "$seeds" "$msgs"
mkdir -p "$seeds" "$msgs"
cp "$fw/faults-m3.elf" "$fw/crc32-m3.elf" "$fw/vars-m3-O2.elf" "$seeds/"
arm-none-eabi-strip --strip-debug -o "$seeds/faults-m3-nodebug.elf" "$fw/faults-m3.elf"
arm-none-eabi-objcopy --compress-debug-sections=zlib "$fw/faults-m3.elf" "$seeds/faults-m3-zlib.elf"
"$build/log2msgs" "$msgs" "$logs/bus_write-mps2-an385.log" "$logs/null_call-mps2-an385.log" \
	"$logs/stack_overflow-mps2-an385.log" "$logs/assert-mps2-an385.log" "$logs/exidx-mps2-an385.log" \
	"$logs/structs-mps2-an385.log" > /dev/null
