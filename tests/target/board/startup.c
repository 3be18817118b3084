/* SPDX-License-Identifier: Apache-2.0 */
/* Vector table and reset for on-target tests: set up C, run main(), exit QEMU with main's return value. */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[], __stack_top[];
extern int main(void);
void board_uart_init(void);
void board_noinit_init(void);
void Reset_Handler(void);
void Default_Handler(void);

/* A test that expects an exception defines the handler; anything else ends the run with status 3. */
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
void Board_IRQ0_Handler(void) __attribute__((weak, alias("Default_Handler")));
void Board_IRQ1_Handler(void) __attribute__((weak, alias("Default_Handler")));

#define BOARD_IRQS 32

__attribute__((section(".vectors"), used)) static void (*const k_vectors[16 + BOARD_IRQS])(void) = {
	(void (*)(void))(uintptr_t)__stack_top,
	Reset_Handler,
	NMI_Handler,
	HardFault_Handler,
	MemManage_Handler,
	BusFault_Handler,
	UsageFault_Handler,
	0,
	0,
	0,
	0,
	SVC_Handler,
	DebugMon_Handler,
	0,
	PendSV_Handler,
	SysTick_Handler,
	Board_IRQ0_Handler,
	Board_IRQ1_Handler,
	[18 ... 16 + BOARD_IRQS - 1] = Default_Handler,
};

void Default_Handler(void)
{
	uint32_t ipsr;

	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	board_printf("unexpected exception %lu\n", (unsigned long)(ipsr & 0x1ffu));
	board_exit(3);
}

void Reset_Handler(void)
{
	memcpy(__data_start, __data_load, (size_t)((uintptr_t)__data_end - (uintptr_t)__data_start));
	memset(__bss_start, 0, (size_t)((uintptr_t)__bss_end - (uintptr_t)__bss_start));
#if defined(__ARM_FP)
	/* Full access to CP10/CP11 before any FP instruction: these images are built with hard float. */
	*(volatile uint32_t *)0xe000ed88u |= 0xfu << 20;
	__asm__ volatile("dsb\n isb" ::: "memory");
#endif
	board_noinit_init();
	board_uart_init();
	board_exit(main());
}
