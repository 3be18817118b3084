# SPDX-License-Identifier: Apache-2.0
# libFuzzer harnesses: tests/fuzz/NAME.c, seed corpus tests/fuzz/corpus/NAME/. Read by the fuzz sub-build and
# by the host build, which runs each with a fixed seed and run count.
set(FL_FUZZERS
  fuzz_chunk
  fuzz_serial
  fuzz_sdk_storage
  fuzz_message
  fuzz_reasm
  fuzz_input
  fuzz_analysis
  fuzz_report_json)
