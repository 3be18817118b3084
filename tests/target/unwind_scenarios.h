/* SPDX-License-Identifier: Apache-2.0 */
/* What test_unwind.c's scenarios call in their other files: unwind_lib.c (another translation unit, for LTO),
 * unwind_vendor*.c (no DWARF), unwind_asm.S (assembly). */
#ifndef UNWIND_SCENARIOS_H
#define UNWIND_SCENARIOS_H

#include <stdint.h>

void lib_store(uint32_t v);
void lib_filter(uint32_t v);
void vendor_call(void (*fn)(uint32_t), uint32_t v);
void vendor_call_exidx(void (*fn)(uint32_t), uint32_t v);
void run_on_psp(void (*fn)(void), uintptr_t psp_top);
void asm_no_cfi(void (*fn)(uint32_t), uint32_t v);
void task_exit_trap(void);

#endif
