/* SPDX-License-Identifier: Apache-2.0 */
/* Board support for on-target tests on QEMU's MPS2 boards (AN385 Cortex-M3, AN386 Cortex-M4F, AN500 M7). */
#ifndef FL_BOARD_H
#define FL_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write a string / len bytes to UART0 (QEMU's -serial), blocking. */
void board_puts(const char *s);
void board_write(const void *buf, size_t len);

/* printf-style output to UART0, at most 255 characters per call. */
void board_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stop QEMU with this exit status (semihosting SYS_EXIT_EXTENDED). Never returns. */
void board_exit(int status) __attribute__((noreturn));

/*
 * The -append text QEMU was given (semihosting SYS_GET_CMDLINE returns "<kernel> <append>"; the kernel path is
 * dropped here). Returns a pointer to a static buffer, "" when there is none.
 */
const char *board_cmdline(void);

/*
 * Read a whole host file through semihosting (QEMU's -semihosting-config target=native).
 * buf/cap: destination.  Returns the number of bytes read, or -1 when the file cannot be opened or is larger
 * than cap.
 */
long board_read_file(const char *path, void *buf, size_t cap);

/* Boots since QEMU started this image: 1 on the cold start, then one more per system reset (kept in .noinit). */
unsigned board_boot_count(void);

/* True when this boot is a cold start (power-on), false after a system reset. */
bool board_cold_boot(void);

/* The coredump storage the board's port provides: RAM in .noinit that behaves like NOR flash (erased 0xFF,
 * sector erase, granule writes, no write over written bytes). Violations are counted; tests check 0. */
#define BOARD_STORAGE_SIZE 8192u
unsigned board_storage_violations(void);

/* A task stack registered by a test that runs code on PSP: fl_cm_stack_bounds() reports it. */
void board_set_task_stack(uintptr_t lo, uintptr_t hi);

/* Defined by an RTOS image: the running task's stack, which fl_cm_stack_bounds() answers for the process stack
 * (board_port.c declares it weak: the other images have none). */
bool board_rtos_stack_bounds(uintptr_t *out_lo, uintptr_t *out_hi);

/* A stack a test moved the main stack pointer to: fl_cm_stack_bounds() reports it for MSP instead of the linker
 * script's main stack. */
void board_set_main_stack(uintptr_t lo, uintptr_t hi);

/* The MPU guard a test placed below a stack ([lo, hi)): not readable. At the bottom of the linker script's main
 * stack, it is not in that stack either (the stack's low limit is hi). */
void board_set_stack_guard(uintptr_t lo, uintptr_t hi);

/* The link of the crash scenarios' second boot: every queued message as serial lines (the announce line first) of
 * BOARD_MTU-byte chunks, which the host's decoder reads from the QEMU log (board_port.c). */
#define BOARD_MTU 20u
void board_send_all(void);

/* Assert inside a test: on failure print the expression and location and exit with status 1. */
#define BOARD_CHECK(expr)                                                                                   \
	do {                                                                                               \
		if (!(expr)) {                                                                             \
			board_printf("CHECK FAILED %s:%d: %s\n", __FILE__, __LINE__, #expr);              \
			board_exit(1);                                                                     \
		}                                                                                          \
	} while (0)

#endif
