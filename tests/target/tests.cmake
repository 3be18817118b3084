# SPDX-License-Identifier: Apache-2.0
# On-target tests, read by the firmware build (to build the images) and the host build (to run them in QEMU).
# Images: NAME:MACHINE:SOURCES[:OPT], built for MACHINE's CPU into NAME.elf with the board support and the SDK
# (the test code at -OPT, default -Os; the SDK always at -Os).
# SOURCES are '+'-separated, relative to tests/target. board/board_port.c and board/board_storage.c are the board's
# faultline port; an image with a port of its own leaves board_port.c out, and then links the SDK without the
# Cortex-M port.
# The crash scenarios' images: test_faults.c, and test_unwind.c's code that is hard to unwind (its other units: a
# library for -flto to inline across, two built without -g, assembly).
set(faults test_faults.c+test_unwind.c+unwind_lib.c+unwind_vendor.c+unwind_vendor_exidx.c+unwind_asm.S)
set(faults ${faults}+board/board_port.c+board/board_storage.c)
set(FL_TARGET_IMAGES
  crc32-m3:mps2-an385:test_crc32.c
  crc32-m4f:mps2-an386:test_crc32.c
  format-vector-m3:mps2-an385:test_format_vector.c+board/board_storage.c
  faults-m3:mps2-an385:${faults}
  faults-m4f:mps2-an386:${faults}
  vars-m3:mps2-an385:test_vars.c+hostile_names.c+board/board_port.c+board/board_storage.c
  vars-m4f:mps2-an386:test_vars.c+hostile_names.c+board/board_port.c+board/board_storage.c)
# OPT is one flag or several separated by commas; -flto goes to the link too. lto-O2 links in one LTO partition,
# lto-Os in one per function, as large firmware ends up: functions, their inlined callees and their clones then
# sit in different units.
foreach(opt O0 O2 O3 lto-O2 lto-Os)
  string(REGEX REPLACE "^-lto-O2" "-flto=auto,-O2" flags "-${opt}")
  string(REGEX REPLACE "^-lto-Os" "-flto=auto,-flto-partition=max,-Os" flags "${flags}")
  list(APPEND FL_TARGET_IMAGES
    faults-m3-${opt}:mps2-an385:${faults}:${flags}
    faults-m4f-${opt}:mps2-an386:${faults}:${flags})
endforeach()
# Variables (tests/target/test_vars.c) at each optimization level.
foreach(opt O0 O2 O3)
  list(APPEND FL_TARGET_IMAGES
    vars-m3-${opt}:mps2-an385:test_vars.c+hostile_names.c+board/board_port.c+board/board_storage.c:-${opt}
    vars-m4f-${opt}:mps2-an386:test_vars.c+hostile_names.c+board/board_port.c+board/board_storage.c:-${opt})
endforeach()
# Addresses in words (data-names.sh): globals of many kinds, at -Os and with link-time optimization.
list(APPEND FL_TARGET_IMAGES
  data-m3:mps2-an385:test_data.c+board/board_port.c+board/board_storage.c
  data-m3-lto:mps2-an385:test_data.c+board/board_port.c+board/board_storage.c:-O2,-flto)

# Backtrace agreement with GDB (tests/target/gdb-agree.sh): SCENARIO:ENTRY[:at_pc] for every image of
# test_faults.c, ENTRY being where the comparison ends (main, or a thread's entry function). M4F images run the FPU
# scenario. at_pc: live GDB stops at the faulting instruction instead of the fault handler (QEMU's gdbstub does
# not expose PSP, so GDB cannot unwind a process-stack task's exception frame; without one, sp is PSP).
set(FL_GDB_AGREEMENT_UNWIND lto_inline:main eh_trampoline:main:at_pc no_cfi_asm:main no_cfi_c:main exidx:main
  tail_inline:main tail_sites:main ipa_clones:main exit_trap:trap_task_entry:at_pc)
set(FL_GDB_AGREEMENT_M3
  bus_read:main bus_write:main undef:main null_call:main div0:main unaligned:main assert:main fatal_error:main
  stack_overflow:main isr_fault:main deep_chain:main tail_call:main inlined:main isr_chain:main nested:main
  psp_task:task_entry guard_hit:guard_task ${FL_GDB_AGREEMENT_UNWIND})
set(FL_GDB_AGREEMENT_M4F fpu:main fpu_isr:main bus_write:main ${FL_GDB_AGREEMENT_UNWIND})
# Variables' agreement with GDB (tests/target/gdb-vars.sh): the scenarios of test_vars.c, every image of it; and
# for the images of test_faults.c, its backtrace scenarios and the one where GDB shows clobbered registers' values.
set(FL_GDB_VARS_FAULTS noreturn_clobber)
set(FL_GDB_VARS_M3 structs entry optimized synthetic strings blocks)
set(FL_GDB_VARS_M4F ${FL_GDB_VARS_M3} floats)

# Self-checking images: IMAGE, run with the tests/data path as their command line.
set(FL_TARGET_TESTS crc32-m3 crc32-m4f format-vector-m3)

# Crash scenarios: IMAGE:SCENARIO, run by run-crash.sh (crash, reset, send) and checked by check_crash.
set(FL_TARGET_CRASHES
  faults-m3:bus_read
  faults-m3:bus_write
  faults-m3:undef
  faults-m3:null_call
  faults-m3:div0
  faults-m3:unaligned
  faults-m3:assert
  faults-m3:fatal_error
  faults-m3:stack_overflow
  faults-m3:guard_hit
  faults-m3:isr_fault
  faults-m3:psp_fault
  faults-m3:psp_sp
  faults-m3:psp_align_pad
  faults-m3:crash_loop
  faults-m3:no_cfi_asm
  faults-m3:exidx
  faults-m4f:fpu
  faults-m4f:bus_write
  vars-m3-O2:structs
  vars-m3-O2:entry
  vars-m3-O2:optimized
  vars-m3-O2:synthetic
  vars-m3-O2:strings
  vars-m3-O2:blocks
  vars-m3-O2:hostile
  vars-m4f-O2:floats)

# The QEMU machine an image runs on.
function(fl_image_machine out image)
  foreach(i IN LISTS FL_TARGET_IMAGES)
    string(REPLACE ":" ";" parts ${i})
    list(GET parts 0 name)
    if(name STREQUAL image)
      list(GET parts 1 machine)
      set(${out} ${machine} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "no image ${image} in FL_TARGET_IMAGES")
endfunction()
