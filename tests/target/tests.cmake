# SPDX-License-Identifier: Apache-2.0
# On-target tests, read by both the firmware build (to build them) and the host build (to run them in QEMU).
# Each entry is NAME:MACHINE:SOURCE: tests/target/SOURCE built for MACHINE's CPU into NAME.elf.
set(FL_TARGET_TESTS
  crc32-m3:mps2-an385:test_crc32.c
  crc32-m4f:mps2-an386:test_crc32.c)
