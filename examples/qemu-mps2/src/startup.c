/* SPDX-License-Identifier: Apache-2.0 */
/* Vector table and reset: C set up, the MPU stack guard on, then main(). The fault vectors point at the
 * faultline Cortex-M port's handlers (HardFault_Handler... come from sdk/ports/cortex-m). */
#include <stdint.h>
#include <string.h>

#include "app.h"
#include "faultline/faultline.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint8_t __stack_guard[], __stack_top[];
extern int main(void);

void Reset_Handler(void) __attribute__((noreturn));
void Unexpected_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SysTick_Handler(void);

#define IRQS 32

__attribute__((section(".vectors"), used)) static void (*const k_vectors[16 + IRQS])(void) = {
	(void (*)(void))(uintptr_t)__stack_top,
	Reset_Handler,
	NMI_Handler,
	HardFault_Handler,
	MemManage_Handler,
	BusFault_Handler,
	UsageFault_Handler,
	[7 ... 10] = 0,
	Unexpected_Handler, /* SVCall */
	Unexpected_Handler, /* DebugMonitor */
	0,
	Unexpected_Handler, /* PendSV */
	SysTick_Handler,
	[16 ... 16 + IRQS - 1] = Unexpected_Handler,
};

/* An interrupt nobody enabled: a bug worth a coredump. */
void Unexpected_Handler(void)
{
	FL_FATAL_ERROR(APP_ERR_UNEXPECTED_IRQ);
}

#define MPU_CTRL (*(volatile uint32_t *)0xe000ed94u)
#define MPU_RNR (*(volatile uint32_t *)0xe000ed98u)
#define MPU_RBAR (*(volatile uint32_t *)0xe000ed9cu)
#define MPU_RASR (*(volatile uint32_t *)0xe000eda0u)

/* The lowest APP_STACK_GUARD bytes of the main stack become no-access: a runaway recursion faults there (the
 * port's fault handler has a stack of its own) instead of running over the data below the stack. */
static void stack_guard_on(void)
{
	MPU_RNR = 0;
	MPU_RBAR = (uint32_t)(uintptr_t)__stack_guard;
	/* XN, AP = 0 (no access), SIZE = log2(APP_STACK_GUARD) - 1, enabled */
	MPU_RASR = 1u << 28 | (uint32_t)(__builtin_ctz(APP_STACK_GUARD) - 1) << 1 | 1u;
	MPU_CTRL = 1u << 2 | 1u; /* PRIVDEFENA: the default map elsewhere; ENABLE */
	__asm__ volatile("dsb\n isb" ::: "memory");
}

void Reset_Handler(void)
{
	memcpy(__data_start, __data_load, (size_t)((uintptr_t)__data_end - (uintptr_t)__data_start));
	memset(__bss_start, 0, (size_t)((uintptr_t)__bss_end - (uintptr_t)__bss_start));
	stack_guard_on();
	main();
	for (;;)
		;
}
