/* SPDX-License-Identifier: Apache-2.0 */
/* The MPS2 board as this firmware uses it: UART0 for the console, semihosting for QEMU's command line and exit,
 * the clock SysTick counts. */
#ifndef BOARD_H
#define BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOARD_CPU_HZ 25000000u /* mps2-an385's system clock */

/* The console and the boot's kind, first thing in main(). */
void board_init(void);

/* Write to UART0 (blocking). */
void uart_write(const void *buf, size_t len);

/* A log line on the console: "[    12 ms] " + the formatted text + "\n". */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* QEMU's -append text (semihosting), "" when there is none. The string is static. */
const char *board_cmdline(void);

/* End the QEMU run with status (semihosting). */
void board_exit(int status) __attribute__((noreturn));

/* True on the first boot after QEMU started (SRAM was zero), false after a system reset. */
bool board_cold_boot(void);

#endif
