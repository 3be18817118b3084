/* SPDX-License-Identifier: Apache-2.0 */
/* The FreeRTOS port: every task in every coredump (docs/PORTING.md "RTOS"). Build the SDK with
 * FL_PORT_HAS_RTOS=1, compile sdk/ports/freertos/fl_freertos.c into the image, and let the kernel's tasks.c include
 * sdk/ports/freertos/kernel/freertos_tasks_c_additions.h (configINCLUDE_FREERTOS_TASK_C_ADDITIONS_H 1 in
 * FreeRTOSConfig.h, that folder on the include path): the code there runs inside tasks.c, where the kernel's
 * task lists are, and tells the port where they are and how TCB_t is laid out in this build. No FreeRTOS
 * function is called in the fault path (they take critical sections and assert). */
#ifndef FAULTLINE_FREERTOS_H
#define FAULTLINE_FREERTOS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The stack limits of the task running now, from its control block (pxStack, and pxEndOfStack, which needs
 * configRECORD_STACK_HIGH_ADDRESS 1): what a Cortex-M port's fl_cm_stack_bounds() answers for the process stack.
 * Only reads memory: safe in the fault path.
 * out_lo, out_hi: (out) [lo, hi) when known.
 * Returns true when known: the scheduler has a current task and the kernel records its stack's top.
 */
bool fl_freertos_current_stack(uintptr_t *out_lo, uintptr_t *out_hi);

/* The optional per-task MPU stack guard (ARMv7-M and ARMv7E-M): a no-access region of FL_FREERTOS_GUARD_SIZE bytes
 * (a power of two, at least 32) at the bottom of the running task's stack, in MPU region FL_FREERTOS_GUARD_REGION. */
#ifndef FL_FREERTOS_GUARD_SIZE
#define FL_FREERTOS_GUARD_SIZE 32u
#endif
#if FL_FREERTOS_GUARD_SIZE < 32 || (FL_FREERTOS_GUARD_SIZE & (FL_FREERTOS_GUARD_SIZE - 1)) != 0
#error "FL_FREERTOS_GUARD_SIZE must be a power of two, at least 32"
#endif
#ifndef FL_FREERTOS_GUARD_REGION
#define FL_FREERTOS_GUARD_REGION 7u
#endif

/*
 * Move the stack guard to the task switched in: call it from FreeRTOSConfig.h's traceTASK_SWITCHED_IN() (in the
 * kernel's context switch, privileged). It enables the MPU with the default memory map for privileged code
 * (PRIVDEFENA) the first time. The guard takes the first FL_FREERTOS_GUARD_SIZE-aligned bytes of the task's stack
 * above its lowest 16 (which the kernel's own check, configCHECK_FOR_STACK_OVERFLOW 2, reads at every switch);
 * from then on fl_freertos_current_stack() gives the stack as starting above it, so an overflow into it reads as
 * one (docs/ANALYSIS.md: a data access just below the stack's limit). A no-op before ARMv7-M.
 */
void fl_freertos_guard_switched_in(void);

/*
 * Where the guard is now, for the port's fl_port_memory_readable(): the fault handler must not read it (the region
 * forbids privileged reads too).
 * out_lo, out_hi: (out) [lo, hi) when there is one.  Returns true when a guard is set.
 */
bool fl_freertos_guard(uintptr_t *out_lo, uintptr_t *out_hi);

#ifdef __cplusplus
}
#endif
#endif
