/* SPDX-License-Identifier: Apache-2.0 */
/* The FreeRTOS configuration of the RTOS test images (tests/target/rtos/test_freertos.c): the ARM_CM3 and
 * ARM_CM4F ports on QEMU's MPS2 boards (25 MHz), heap_4, tasks created on the heap and statically, software
 * timers, a tick hook, the stack overflow check that paints and checks the stack (2). */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configCPU_CLOCK_HZ 25000000u
#define configTICK_RATE_HZ 1000u
#define configUSE_PREEMPTION 1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 0
#define configMAX_PRIORITIES 5
#define configMINIMAL_STACK_SIZE 128
#define configMAX_TASK_NAME_LEN 12
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_32_BITS
#define configIDLE_SHOULD_YIELD 1
#define configUSE_MUTEXES 1
#define configQUEUE_REGISTRY_SIZE 0
#define configUSE_TIME_SLICING 1

#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 1
#define configTOTAL_HEAP_SIZE (16u * 1024u)

#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 1
#define configCHECK_FOR_STACK_OVERFLOW 2
#define configENABLE_MPU 0 /* (the ARM_CM0 port asks; ARM_CM3 and ARM_CM4F have no MPU option) */
#define configUSE_MALLOC_FAILED_HOOK 0
#define configRECORD_STACK_HIGH_ADDRESS 1

#define configUSE_TIMERS 1
#define configTIMER_TASK_PRIORITY 3
#define configTIMER_QUEUE_LENGTH 8
#define configTIMER_TASK_STACK_DEPTH 256

/* Cortex-M interrupt priorities, in the top bits of the 8-bit field (QEMU implements all 8; 3 are used here) */
#define configKERNEL_INTERRUPT_PRIORITY (7u << 5)
#define configMAX_SYSCALL_INTERRUPT_PRIORITY (2u << 5)

#define INCLUDE_vTaskDelay 1
#define INCLUDE_vTaskSuspend 1
#define INCLUDE_vTaskDelete 1
#define INCLUDE_xTaskGetCurrentTaskHandle 1

/* faultline's FreeRTOS port (sdk/ports/freertos): tasks.c tells it where the task lists are */
#define configINCLUDE_FREERTOS_TASK_C_ADDITIONS_H 1

/* An assert in the kernel is the SDK's: a coredump of where it failed. */
#include "faultline/assert.h"
#define configASSERT(x) FL_ASSERT(x)

/* At each task switch: the guard_overflow scenario's per-task MPU stack guard (faultline/freertos.h) */
void rtos_task_switched_in(void);
#define traceTASK_SWITCHED_IN() rtos_task_switched_in()

/* The port's handlers under the names of the board's vector table. */
#define vPortSVCHandler SVC_Handler
#define xPortPendSVHandler PendSV_Handler
#define xPortSysTickHandler SysTick_Handler

#endif
