/* SPDX-License-Identifier: Apache-2.0 */
/* Reboot reasons: mark why you are about to reset, so the next boot's reboot event says so. */
#ifndef FAULTLINE_REBOOT_H
#define FAULTLINE_REBOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/compiler.h"
#include "faultline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* FL_REASON_UNKNOWN, FL_REASON_POWER_ON, ... FL_REASON_HARD_FAULT, ... (faultline/reboot_reasons.def). */
enum fl_reason {
#define FL_REASON(name, code) FL_REASON_##name = (code),
#include "faultline/reboot_reasons.def"
#undef FL_REASON
};

/* First code of the unexpected range: reasons >= this mean something went wrong. */
#define FL_REASON_UNEXPECTED_MIN 0x8000u

/* True when the reason is an expected reboot (an update, a user request...). */
static inline bool fl_reason_is_expected(uint16_t reason)
{
	return reason < FL_REASON_UNEXPECTED_MIN;
}

/*
 * Record why the device is about to reset (call it just before your own reset). Only the first reason marked
 * before a reset is kept, so the root cause survives a handler that resets on its way out. Also records the
 * caller's address. Safe to call before fl_init() and from interrupts.
 * reason: an FL_REASON_* code or one of the application's (0x1000..0x7FFF, 0x9000..0xFFFF).
 */
void fl_reboot_mark(uint16_t reason);

/* fl_reboot_mark(reason), then fl_port_reboot(). Never returns. */
FL_NORETURN void fl_reboot(uint16_t reason);

#ifdef __cplusplus
}
#endif
#endif
