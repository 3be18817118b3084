/* SPDX-License-Identifier: Apache-2.0 */
/* The Cortex-M port: fault handlers that capture the interrupted context into a coredump, for ARMv7-M and
 * ARMv7E-M (Cortex-M3/M4/M7, with or without FPU); ARMv6-M (M0/M0+) builds, with HardFault capture only.
 *
 * The port defines HardFault_Handler, MemManage_Handler, BusFault_Handler, UsageFault_Handler and NMI_Handler
 * (the CMSIS names): your vector table must point at them and nothing else may define them. Each switches to a
 * dedicated fault stack before touching memory, so a stack overflow is captured too, saves a coredump through
 * fl_coredump_save() and resets. NMI is also how FL_ASSERT captures (fl_port_capture_now() pends it).
 *
 * It implements fl_port_reboot(), fl_port_capture_now() and fl_port_build_id() of faultline/port.h; you
 * implement the rest, plus fl_cm_stack_bounds() below. See docs/PORTING.md. */
#ifndef FAULTLINE_CORTEX_M_H
#define FAULTLINE_CORTEX_M_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of the fault handler's own stack (RAM, .bss). Measured high-water mark of a capture at -Os with
 * arm-none-eabi-gcc 12: 512 bytes on Cortex-M3, 528 on Cortex-M4F, with the test board's storage port; your
 * port's storage functions add their own use. */
#ifndef FL_CM_FAULT_STACK_SIZE
#define FL_CM_FAULT_STACK_SIZE 768
#endif
#if FL_CM_FAULT_STACK_SIZE < 256 || FL_CM_FAULT_STACK_SIZE % 8 != 0
#error "FL_CM_FAULT_STACK_SIZE must be a multiple of 8, at least 256"
#endif

/* fl_cm_configure() flags. */
#define FL_CM_FAULT_HANDLERS 0x1u /* enable MemManage, BusFault, UsageFault (SHCSR), instead of escalation to
				   * HardFault: the reboot reason then names the fault class */
#define FL_CM_TRAP_DIV0 0x2u      /* integer division by zero faults (CCR.DIV_0_TRP) instead of giving 0 */
#define FL_CM_TRAP_UNALIGNED 0x4u /* every unaligned access faults (CCR.UNALIGN_TRP); LDM/STM/LDRD always do */

/*
 * Turn on the fault handling you choose, once at start-up (ARMv7-M only; no effect on ARMv6-M).
 * flags: FL_CM_* bits. The division and alignment traps change what your code does on those operations: enable
 * them when you want such bugs to crash and be reported rather than go unnoticed.
 */
void fl_cm_configure(uint32_t flags);

/*
 * You implement: the limits of the stack the faulting code ran on, so a coredump records them and the analysis
 * can tell a stack overflow. psp: true when the thread used the process stack (an RTOS task).
 * sp: that stack pointer.  out_lo/out_hi: [lo, hi) of the stack's reserved area (for the main stack, your linker
 * script's symbols; for a task, its stack array).  Runs in the fault handler: only read memory.
 * Returns false when unknown (the dump then captures FL_COREDUMP_STACK_MAX bytes from sp).
 */
bool fl_cm_stack_bounds(bool psp, uintptr_t sp, uintptr_t *out_lo, uintptr_t *out_hi);

#ifdef __cplusplus
}
#endif
#endif
