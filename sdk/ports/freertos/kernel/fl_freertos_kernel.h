/* SPDX-License-Identifier: Apache-2.0 */
/* Between the FreeRTOS port's two halves: where the kernel's task lists are and how this build lays out its
 * types, filled by fl_freertos_kernel() inside tasks.c (freertos_tasks_c_additions.h), read by fl_freertos.c in
 * the fault path. Offsets are the compiler's (offsetof), so every kernel version and configuration is right. */
#ifndef FL_FREERTOS_KERNEL_H
#define FL_FREERTOS_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FL_FREERTOS_NO_MEMBER 0xffffu /* a member this configuration does not have */
#define FL_FREERTOS_LISTS 5           /* delayed 1 and 2, pending ready, waiting termination, suspended */
#define FL_FREERTOS_VARS 8            /* kernel variables a decoder reads besides the lists */

struct fl_freertos_kernel {
	uintptr_t current;                     /* &pxCurrentTCB */
	uintptr_t running;                     /* &xSchedulerRunning */
	uintptr_t ready;                       /* pxReadyTasksLists[nready] */
	uint32_t nready;
	uintptr_t lists[FL_FREERTOS_LISTS];    /* 0: not in this configuration */
	struct {
		uintptr_t addr;
		uint32_t size;
	} vars[FL_FREERTOS_VARS];              /* the delayed-list pointers, task count, tick count, ...; 0/0 none */
	uint16_t list_size, list_count, list_end, list_first; /* List_t: size, uxNumberOfItems, xListEnd,
								* xListEnd.pxNext */
	uint16_t item_next, item_owner;        /* ListItem_t: pxNext, pvOwner */
	uint16_t tcb_size, tcb_top, tcb_stack, tcb_end, tcb_priority; /* TCB_t: size, pxTopOfStack, pxStack,
								       * pxEndOfStack (or FL_FREERTOS_NO_MEMBER),
								       * uxPriority */
	uint8_t priority_size;                 /* sizeof(UBaseType_t) */
	uint8_t stack_filled;                  /* new stacks are filled with fill (tskSET_NEW_STACKS_TO_KNOWN_VALUE) */
	uint8_t fill;                          /* tskSTACK_FILL_BYTE */
};

/* This build's (defined in tasks.c by freertos_tasks_c_additions.h): constant, in flash. */
const struct fl_freertos_kernel *fl_freertos_kernel(void);

#ifdef __cplusplus
}
#endif
#endif
