/* SPDX-License-Identifier: Apache-2.0 */
/* CMSDK UART0 of the MPS2 boards (0x40004000): blocking output for test logs. */
#include <stdarg.h>
#include <stdio.h>

#include "board.h"

#define UART0_DATA (*(volatile uint32_t *)0x40004000u)
#define UART0_STATE (*(volatile uint32_t *)0x40004004u)
#define UART0_CTRL (*(volatile uint32_t *)0x40004008u)
#define UART0_BAUDDIV (*(volatile uint32_t *)0x40004010u)
#define STATE_TX_FULL 1u
#define CTRL_TX_RX_ENABLE 3u

void board_uart_init(void);

void board_uart_init(void)
{
	UART0_BAUDDIV = 16;
	UART0_CTRL = CTRL_TX_RX_ENABLE;
	(void)UART0_DATA; /* QEMU delays the first received byte unless DATA is read once after enabling RX */
}

void board_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len-- > 0) {
		while (UART0_STATE & STATE_TX_FULL)
			;
		UART0_DATA = *p++;
	}
}

void board_puts(const char *s)
{
	while (*s != '\0')
		board_write(s++, 1);
}

void board_printf(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		board_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
