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

#ifdef __cplusplus
}
#endif
#endif
