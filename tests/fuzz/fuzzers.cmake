# SPDX-License-Identifier: Apache-2.0
# libFuzzer harnesses: tests/fuzz/NAME.c, seed corpus tests/fuzz/corpus/NAME/. Read by the fuzz sub-build and
# by the host build, which runs each with a fixed seed and run count.
set(FL_FUZZERS
  fuzz_chunk
  fuzz_serial
  fuzz_sdk_storage
  fuzz_message
  fuzz_metrics
  fuzz_reasm
  fuzz_input
  fuzz_analysis
  fuzz_elf
  fuzz_report_json
  fuzz_version
  fuzz_dash
  fuzz_image
  fuzz_update
  fuzz_sdk_sha256
  fuzz_sdk_ota)

# The libFuzzer flags of a harness's runs, in make test and make fuzz: FL_FUZZ_FLAGS, or FL_FUZZ_FLAGS_<NAME> in its
# place for a harness that needs others. -max_len cuts every input (seeds included) to that many bytes. Each is one
# line `set(NAME FLAG...)`: the Makefile reads them with sed.
set(FL_FUZZ_FLAGS -max_len=4096)
# Firmware ELFs are 100-400 KB. The seeds differ from each other in DWARF only (which libdw reads, uninstrumented):
# keep them all. A unit takes milliseconds: one that takes 10 s is libdw looping.
set(FL_FUZZ_FLAGS_fuzz_elf -max_len=524288 -keep_seed=1 -timeout=10)

# fl_fuzz_flags(OUT NAME): the flags of harness NAME, as a list.
function(fl_fuzz_flags out name)
  if(DEFINED FL_FUZZ_FLAGS_${name})
    set(${out} ${FL_FUZZ_FLAGS_${name}} PARENT_SCOPE)
  else()
    set(${out} ${FL_FUZZ_FLAGS} PARENT_SCOPE)
  endif()
endfunction()
