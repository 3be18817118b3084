/* SPDX-License-Identifier: Apache-2.0 */
/* For RTOS ports (sdk/ports/freertos): the RTOS's tasks in a coredump, as regions the SDK plans and the `rtos` key
 * of docs/FORMAT.md §8.1 (which RTOS, the tasks' control blocks, what the capture measured). Application code does
 * not call this. */
#ifndef FAULTLINE_RTOS_H
#define FAULTLINE_RTOS_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/capture.h"
#include "faultline/compiler.h"
#include "faultline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The RTOS of a capture (the `rtos` key's `kind`). */
#define FL_RTOS_FREERTOS 1u

/* A task's high-water mark that the capture could not measure. */
#define FL_RTOS_HIGH_WATER_UNKNOWN UINT32_MAX

/* One task, as the RTOS port found it. */
struct fl_rtos_task {
	uintptr_t tcb;       /* its control block's address */
	uint32_t high_water; /* bytes of its stack never used (the fill pattern left), FL_RTOS_HIGH_WATER_UNKNOWN */
};

/* What an RTOS port reports of one capture. */
struct fl_rtos_capture {
	uint32_t kind;  /* FL_RTOS_*; 0: no RTOS running (nothing else is read) */
	uintptr_t overflow; /* the task fl_rtos_stack_overflow() named; 0: none (the SDK sets it before
	                     * calling the port's capture, and clears it when the port found no RTOS) */
	uint32_t found; /* tasks the port found: more than ntasks when FL_RTOS_TASKS_MAX cut the list */
	size_t ntasks;
	struct fl_rtos_task tasks[FL_RTOS_TASKS_MAX]; /* the crashing context's task first */
};

/*
 * Call from an RTOS's stack overflow hook (FreeRTOS: vApplicationStackOverflowHook()): capture a coredump with
 * reason stack_overflow whose `rtos` key names the task that overflowed (its saved context and stack are in the
 * dump with the other tasks'), then reboot, as FL_FATAL_ERROR does. Different tasks' overflows are different
 * issues: the analysis takes that task as the crashing one. Never returns.
 * task: (in) the task's control block (FreeRTOS: the TaskHandle_t the hook is given).
 */
FL_NOINLINE FL_NORETURN void fl_rtos_stack_overflow(uintptr_t task);

/*
 * Plan a region of the coredump being captured: the SDK keeps only its readable bytes that no earlier region
 * holds, and when storage runs short cuts regions from the last planned (the dump is then flagged truncated), so
 * plan in priority order. Only valid inside fl_port_rtos_capture(); extra regions beyond the plan's room are left
 * out.  addr, len: the memory.
 */
void fl_coredump_plan(uintptr_t addr, size_t len);

#if FL_PORT_HAS_RTOS
/*
 * Called by fl_coredump_save() in the fault path, after the crashing stack and the application's regions are
 * planned: plan the RTOS's memory (fl_coredump_plan()) and describe its tasks in out (zeroed by the caller).
 * Must only read memory, check every address with fl_port_memory_readable(), take no lock, and end in bounded
 * time whatever the RTOS's data holds.
 * c: (in) the capture.  out: (out) the tasks.
 */
void fl_port_rtos_capture(const struct fl_capture *c, struct fl_rtos_capture *out);
#else
static inline void fl_port_rtos_capture(const struct fl_capture *c, struct fl_rtos_capture *out)
{
	(void)c;
	(void)out;
}
#endif

#ifdef __cplusplus
}
#endif
#endif
