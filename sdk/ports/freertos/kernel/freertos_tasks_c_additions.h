/* SPDX-License-Identifier: Apache-2.0 */
/* Included at the end of FreeRTOS's tasks.c (configINCLUDE_FREERTOS_TASK_C_ADDITIONS_H 1): the one place that
 * sees the kernel's static task lists and its TCB_t, which this turns into addresses and offsets for the faultline
 * port (fl_freertos_kernel.h). Nothing here runs in the fault path but a copy of constants. */
#include "fl_freertos_kernel.h"

#define FL_FREERTOS_VAR(v) {(uintptr_t)&(v), (uint32_t)sizeof(v)}

const struct fl_freertos_kernel *fl_freertos_kernel(void)
{
	static const struct fl_freertos_kernel kernel = {
		.current = (uintptr_t)&pxCurrentTCB,
		.running = (uintptr_t)&xSchedulerRunning,
		.ready = (uintptr_t)pxReadyTasksLists,
		.nready = configMAX_PRIORITIES,
		.lists = {(uintptr_t)&xDelayedTaskList1, (uintptr_t)&xDelayedTaskList2, (uintptr_t)&xPendingReadyList,
#if INCLUDE_vTaskDelete == 1
			  (uintptr_t)&xTasksWaitingTermination,
#else
			  0,
#endif
#if INCLUDE_vTaskSuspend == 1
			  (uintptr_t)&xSuspendedTaskList,
#else
			  0,
#endif
		},
		.vars = {FL_FREERTOS_VAR(pxDelayedTaskList), FL_FREERTOS_VAR(pxOverflowDelayedTaskList),
			 FL_FREERTOS_VAR(uxCurrentNumberOfTasks), FL_FREERTOS_VAR(xTickCount),
			 FL_FREERTOS_VAR(uxTopReadyPriority), FL_FREERTOS_VAR(xSchedulerRunning),
			 FL_FREERTOS_VAR(uxSchedulerSuspended), FL_FREERTOS_VAR(pxCurrentTCB)},
		.list_size = sizeof(List_t),
		.list_count = offsetof(List_t, uxNumberOfItems),
		.list_end = offsetof(List_t, xListEnd),
		.list_first = offsetof(List_t, xListEnd.pxNext),
		.item_next = offsetof(ListItem_t, pxNext),
		.item_owner = offsetof(ListItem_t, pvOwner),
		.tcb_size = sizeof(TCB_t),
		.tcb_top = offsetof(TCB_t, pxTopOfStack),
		.tcb_stack = offsetof(TCB_t, pxStack),
#if configRECORD_STACK_HIGH_ADDRESS == 1
		.tcb_end = offsetof(TCB_t, pxEndOfStack),
#else
		.tcb_end = FL_FREERTOS_NO_MEMBER,
#endif
		.tcb_priority = offsetof(TCB_t, uxPriority),
		.priority_size = sizeof(UBaseType_t),
		.stack_filled = tskSET_NEW_STACKS_TO_KNOWN_VALUE,
		.fill = tskSTACK_FILL_BYTE,
	};

	return &kernel;
}
