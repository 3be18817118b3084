/* SPDX-License-Identifier: Apache-2.0 */
/* The reboot record: a small struct in RAM that survives a warm reset (.noinit), written before a reset (a mark,
 * a crash) and read at the next boot. */
#ifndef FL_REBOOT_PRIVATE_H
#define FL_REBOOT_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/compiler.h"

/* The section the record lives in: it must not be zeroed or loaded at boot (NOLOAD in the linker script). */
#ifndef FL_NOINIT
#define FL_NOINIT FL_SECTION(".noinit")
#endif

/*
 * At boot: read the record the previous boot left, merge it with the hardware reset cause, queue the reboot
 * event, and start a fresh record for this boot. out_reason/out_raw/out_coredump: what the reboot event says
 * (its reason, reset_cause, and whether the ended boot saved a coredump).
 */
void fl_reboot_boot(uint32_t boot_id, uint16_t *out_reason, uint32_t *out_raw, bool *out_coredump);

/* Record a reason with its site. An unexpected reason replaces an expected one marked earlier (the crash is what
 * happened); otherwise the first reason stands. coredump: the boot saved a coredump. Safe in the fault path. */
void fl_reboot_record(uint16_t reason, uintptr_t pc, uintptr_t lr, bool coredump);

#endif
