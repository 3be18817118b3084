/* SPDX-License-Identifier: Apache-2.0 */
/* The RTOS test image: the real FreeRTOS kernel (FREERTOS_KERNEL_PATH) on QEMU's MPS2 boards with the SDK and the
 * board's port. Tasks as an application has them: a producer and a consumer on a queue, a task that sleeps, a
 * task that suspends itself (created statically); a software timer and the tick hook. Command line: the scenario.
 * A fifth uses the FPU. Scenarios: a task fault, a stack overflow found by the kernel's hook or by the per-task MPU
 * guard, corrupt task lists, faults in an interrupt, the tick hook and a timer callback; four_tasks is task_fault
 * without the FPU task (make size: the dump of four application tasks). Boot 1 runs the scenario's
 * crash; the port saves the dump and resets; boot 2 sends every message as serial lines
 * and exits 0 (board_send_all()), for `faultline decode` (tests/target/decode-expect.sh). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "FreeRTOS.h"
#include "queue.h"
#include "task.h"
#include "timers.h"

#include "board.h"
#include "faultline/cortex_m.h"
#include "faultline/faultline.h"
#include "faultline/freertos.h"
#include "faultline/rtos.h"
#include "fl_freertos_kernel.h" /* sdk/ports/freertos/kernel: where the lists are, to break them */

#define ITEMS_BEFORE_FAULT 5u /* the consumer's items before the task_fault scenario's crash */

static uint8_t s_events[256];
static QueueHandle_t s_queue;
static volatile uint32_t s_received, s_ticks, s_timer_runs;
static const char *s_scenario = "";

static StaticTask_t s_parked_tcb;
static StackType_t s_parked_stack[configMINIMAL_STACK_SIZE];

/* The overflow_hook scenario's task, on a stack with room below it: it recurses past the stack's bottom before the
 * kernel's check (at the next task switch) sees the fill pattern there overwritten. */
static StaticTask_t s_hog_tcb;
static struct {
	StackType_t below[64];
	StackType_t stack[192];
} s_hog;

__attribute__((noinline)) static void bus_fault_write(uint32_t value)
{
	*(volatile uint32_t *)0xfffffff0u = value;
}

static void set_word(uintptr_t addr, uintptr_t value)
{
	*(volatile uintptr_t *)addr = value;
}

/* The corrupt_list scenario, from a running task with interrupts masked (nothing else runs the lists): the idle
 * priority's ready list loops on its first item, both delayed lists' first items name a "TCB" in flash, the
 * suspended list starts at an address nothing is mapped at; then the fault. */
static void break_lists(void)
{
	const struct fl_freertos_kernel *k = fl_freertos_kernel();
	uintptr_t first;

	taskDISABLE_INTERRUPTS();
	first = *(volatile uintptr_t *)(k->ready + k->list_first);
	set_word(first + k->item_next, first);
	for (int i = 0; i < 2; i++)
		set_word(*(volatile uintptr_t *)(k->lists[i] + k->list_first) + k->item_owner, 0x100u);
	set_word(k->lists[4] + k->list_first, 0xfffffff0u);
}

#define NVIC_ISER0 (*(volatile uint32_t *)0xe000e100u)
#define NVIC_ISPR0 (*(volatile uint32_t *)0xe000e200u)
#define NVIC_IPR0 (*(volatile uint32_t *)0xe000e400u)

static bool is(const char *scenario)
{
	return strcmp(s_scenario, scenario) == 0;
}

static bool known(void)
{
	static const char *const k_scenarios[] = {"task_fault", "overflow_hook", "corrupt_list", "isr_fault",
						  "tick_fault", "timer_fault", "guard_overflow", "four_tasks"};

	for (size_t i = 0; i < sizeof(k_scenarios) / sizeof(k_scenarios[0]); i++)
		if (is(k_scenarios[i]))
			return true;
	return false;
}

/* The isr_fault scenario's interrupt, pended by the consumer: it faults over the consumer task. */
void Board_IRQ0_Handler(void);
void Board_IRQ0_Handler(void)
{
	bus_fault_write(0x150u);
}

/* Waits on the queue (blocked), and in the task_fault scenario writes to a bus error after a few items. */
static void consumer_task(void *arg)
{
	uint32_t item;

	(void)arg;
	for (;;) {
		if (xQueueReceive(s_queue, &item, portMAX_DELAY) != pdPASS) /* waits here: consumer */
			continue;
		s_received++;
		if (is("corrupt_list") && s_received == ITEMS_BEFORE_FAULT)
			break_lists();
		if (is("isr_fault") && s_received == ITEMS_BEFORE_FAULT) {
			NVIC_IPR0 = 0xc0u; /* below the kernel's syscall priority: a plain application interrupt */
			NVIC_ISER0 = 1u;
			NVIC_ISPR0 = 1u;
		}
		if ((is("task_fault") || is("corrupt_list") || is("four_tasks")) && s_received == ITEMS_BEFORE_FAULT)
			bus_fault_write(item);
	}
}

static void producer_task(void *arg)
{
	uint32_t n = 0;

	(void)arg;
	for (;;) {
		xQueueSend(s_queue, &n, portMAX_DELAY);
		n++;
		vTaskDelay(pdMS_TO_TICKS(2)); /* waits here: producer */
	}
}

static void sleeper_task(void *arg)
{
	(void)arg;
	for (;;)
		vTaskDelay(pdMS_TO_TICKS(1000)); /* waits here: sleeper */
}

/* Uses the FPU (on the M4F: its saved context has s16-s31 above r4-r11 and EXC_RETURN). */
static void fpu_task(void *arg)
{
	volatile float x = 1.5f;

	(void)arg;
	for (;;) {
		x = x * 1.0001f + 0.5f;
		vTaskDelay(pdMS_TO_TICKS(1)); /* waits here: fpu */
	}
}

static void parked_task(void *arg)
{
	(void)arg;
	for (;;)
		vTaskSuspend(NULL); /* waits here: parked */
}

static volatile uint32_t s_depth_limit = UINT32_MAX; /* (volatile: the recursion's end is not seen) */

/* Each level takes 64 bytes of stack and lets the kernel switch tasks (and check this one's stack). */
__attribute__((noinline)) static uint32_t recurse(uint32_t depth)
{
	volatile uint8_t frame[48];

	frame[0] = (uint8_t)depth;
	vTaskDelay(1);
	return depth < s_depth_limit ? recurse(depth + 1) + frame[0] : frame[0];
}

/* The guard_overflow scenario: recursion without a pause, until a push lands in the task's MPU stack guard. */
__attribute__((noinline)) static uint32_t plunge(uint32_t depth)
{
	volatile uint8_t frame[48];

	frame[0] = (uint8_t)depth;
	return depth < s_depth_limit ? plunge(depth + 1) + frame[0] : frame[0];
}

static void deep_task(void *arg)
{
	(void)arg;
	vTaskDelay(pdMS_TO_TICKS(5)); /* switched out once, so that it runs with its guard */
	s_received += plunge(0);
	vTaskSuspend(NULL);
}

void rtos_task_switched_in(void)
{
	uintptr_t lo, hi;

	if (!is("guard_overflow"))
		return;
	fl_freertos_guard_switched_in();
	if (fl_freertos_guard(&lo, &hi))
		board_set_stack_guard(lo, hi); /* not readable for the port's capture either */
}

static void hog_task(void *arg)
{
	(void)arg;
	s_received += recurse(0); /* (not a tail call: hog_task keeps a frame) */
	vTaskSuspend(NULL);
}

/* Runs in the timer task; in the timer_fault scenario its tenth run faults. */
static void timer_callback(TimerHandle_t timer)
{
	(void)timer;
	if (++s_timer_runs == 10 && is("timer_fault"))
		bus_fault_write(s_timer_runs);
}

/* The board port's process stack: the running task's (board_port.c). */
bool board_rtos_stack_bounds(uintptr_t *out_lo, uintptr_t *out_hi)
{
	return fl_freertos_current_stack(out_lo, out_hi);
}

/* Runs in the tick interrupt; in the tick_fault scenario its hundredth tick faults. */
void vApplicationTickHook(void)
{
	if (++s_ticks == 100 && is("tick_fault"))
		bus_fault_write(s_ticks);
}

/* The kernel found a task's stack overflowed (configCHECK_FOR_STACK_OVERFLOW): a coredump naming the task. */
void vApplicationStackOverflowHook(TaskHandle_t task, char *name)
{
	(void)name;
	fl_rtos_stack_overflow((uintptr_t)task);
}

/* The memory of the tasks the kernel creates itself (configSUPPORT_STATIC_ALLOCATION). */
void vApplicationGetIdleTaskMemory(StaticTask_t **tcb, StackType_t **stack, configSTACK_DEPTH_TYPE *size)
{
	static StaticTask_t idle_tcb;
	static StackType_t idle_stack[configMINIMAL_STACK_SIZE];

	*tcb = &idle_tcb;
	*stack = idle_stack;
	*size = configMINIMAL_STACK_SIZE;
}

void vApplicationGetTimerTaskMemory(StaticTask_t **tcb, StackType_t **stack, configSTACK_DEPTH_TYPE *size)
{
	static StaticTask_t timer_tcb;
	static StackType_t timer_stack[configTIMER_TASK_STACK_DEPTH];

	*tcb = &timer_tcb;
	*stack = timer_stack;
	*size = configTIMER_TASK_STACK_DEPTH;
}

int main(void)
{
	struct fl_init_params params = {s_events, sizeof(s_events)};
	struct fl_boot_info info;
	TimerHandle_t timer;

	BOARD_CHECK(fl_init(&params, &info) == 0);
	if (board_boot_count() > 1) {
		board_send_all();
		return 0;
	}
	s_scenario = board_cmdline();
	if (!known()) {
		board_printf("unknown scenario '%s'\n", s_scenario);
		return 2;
	}
	fl_cm_configure(FL_CM_FAULT_HANDLERS);
	s_queue = xQueueCreate(4, sizeof(uint32_t));
	BOARD_CHECK(s_queue != NULL);
	BOARD_CHECK(xTaskCreate(consumer_task, "consumer", 256, NULL, 3, NULL) == pdPASS);
	BOARD_CHECK(xTaskCreate(producer_task, "producer", 256, NULL, 2, NULL) == pdPASS);
	BOARD_CHECK(xTaskCreate(sleeper_task, "sleeper", 192, NULL, 1, NULL) == pdPASS);
	if (!is("four_tasks")) /* (make size: a dump of four tasks, the consumer's fault as task_fault's) */
		BOARD_CHECK(xTaskCreate(fpu_task, "fpu", 192, NULL, 1, NULL) == pdPASS);
	BOARD_CHECK(xTaskCreateStatic(parked_task, "parked", configMINIMAL_STACK_SIZE, NULL, 1, s_parked_stack,
				      &s_parked_tcb) != NULL);
	if (is("guard_overflow"))
		BOARD_CHECK(xTaskCreate(deep_task, "deep", 192, NULL, 1, NULL) == pdPASS);
	if (is("overflow_hook"))
		BOARD_CHECK(xTaskCreateStatic(hog_task, "hog", sizeof(s_hog.stack) / sizeof(s_hog.stack[0]), NULL, 1,
					      s_hog.stack, &s_hog_tcb) != NULL);
	timer = xTimerCreate("blink", pdMS_TO_TICKS(3), pdTRUE, NULL, timer_callback);
	BOARD_CHECK(timer != NULL && xTimerStart(timer, 0) == pdPASS);
	vTaskStartScheduler();
	board_puts("the scheduler returned\n");
	return 4;
}
