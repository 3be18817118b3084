/* SPDX-License-Identifier: Apache-2.0 */
/* FL_ASSERT and fatal errors: save a coredump of the failing context, record the reason, reboot. */
#ifndef FAULTLINE_ASSERT_H
#define FAULTLINE_ASSERT_H

#include <stdint.h>

#include "faultline/compiler.h"
#include "faultline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Called by FL_ASSERT with the asserting function's return address (its lr). Records the call site (this
 * function's return address is the pc of the failed check) and captures a coredump with reason
 * FL_REASON_ASSERT, then reboots. Never returns.
 */
FL_NOINLINE FL_NORETURN void fl_assert_failed(void *caller_lr);

/*
 * Like fl_assert_failed, with reason FL_REASON_FATAL_ERROR and the application's own code, which the coredump
 * carries. Use FL_FATAL_ERROR(code) so the site is recorded. Never returns.
 */
FL_NOINLINE FL_NORETURN void fl_fatal_error_at(uint32_t code, void *caller_lr);

/* Record a fatal application error with a code of your own (a watchdog-style "task X stalled"). */
#define FL_FATAL_ERROR(code) fl_fatal_error_at((code), FL_RETURN_ADDRESS())

#if FL_ASSERT_ENABLED
/* Check expr; when it is false, capture a coredump with the site and reboot. Costs one call per check. */
#define FL_ASSERT(expr)                                                                                   \
	do {                                                                                               \
		if (!(expr))                                                                               \
			fl_assert_failed(FL_RETURN_ADDRESS());                                             \
	} while (0)
#else
#define FL_ASSERT(expr) ((void)0)
#endif

#ifdef __cplusplus
}
#endif
#endif
