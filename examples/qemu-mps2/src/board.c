/* SPDX-License-Identifier: Apache-2.0 */
/* MPS2 board support: the CMSDK UART0 console, ARM semihosting (the command line, exit), cold or warm boot. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "ticker.h"

#define UART0_DATA (*(volatile uint32_t *)0x40004000u)
#define UART0_STATE (*(volatile uint32_t *)0x40004004u)
#define UART0_CTRL (*(volatile uint32_t *)0x40004008u)
#define UART0_BAUDDIV (*(volatile uint32_t *)0x40004010u)
#define UART_STATE_TX_FULL 1u

#define SEMIHOST_GET_CMDLINE 0x15u
#define SEMIHOST_EXIT_EXTENDED 0x20u
#define SEMIHOST_APPLICATION_EXIT 0x20026u

#define WARM_MAGIC 0x574d5241u /* "ARMW": set in SRAM, which a system reset keeps */

static uint32_t s_warm __attribute__((section(".noinit")));
static bool s_cold;

void board_init(void)
{
	UART0_BAUDDIV = 16;
	UART0_CTRL = 1u; /* TX enable */
	s_cold = s_warm != WARM_MAGIC;
	s_warm = WARM_MAGIC;
}

void uart_write(const void *buf, size_t len)
{
	for (const uint8_t *p = buf; len > 0; len--, p++) {
		while (UART0_STATE & UART_STATE_TX_FULL)
			;
		UART0_DATA = *p;
	}
}

void log_line(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n = snprintf(line, sizeof(line), "[%6lu ms] ", (unsigned long)ticker_ms());

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	uart_write(line, (size_t)n);
}

static int32_t semihost(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return (int32_t)r0;
}

const char *board_cmdline(void)
{
	static char line[512]; /* QEMU puts the kernel's whole path first */
	uint32_t block[2] = {(uint32_t)(uintptr_t)line, sizeof(line) - 1};
	const char *args;

	if (semihost(SEMIHOST_GET_CMDLINE, block) != 0) { /* it fails when the line does not fit */
		log_line("the command line is longer than %u bytes: ignored", (unsigned)sizeof(line) - 1);
		return "";
	}
	line[block[1] < sizeof(line) ? block[1] : sizeof(line) - 1] = '\0';
	args = strchr(line, ' '); /* QEMU gives "<kernel path> <-append text>" */
	return args != NULL ? args + 1 : "";
}

void board_exit(int status)
{
	const uint32_t block[2] = {SEMIHOST_APPLICATION_EXIT, (uint32_t)status};

	for (;;)
		semihost(SEMIHOST_EXIT_EXTENDED, block);
}

bool board_cold_boot(void)
{
	return s_cold;
}
