/* SPDX-License-Identifier: Apache-2.0 */
/* Reboot and crash reason codes (docs/FORMAT.md §8.3): the SDK's one list, sdk/include/faultline/reboot_reasons.def,
 * read on the host side too, so a code and its name are written once. */
#ifndef FF_REASON_H
#define FF_REASON_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* FF_REASON_POWER_ON, FF_REASON_BUS_FAULT, ...: the codes faultline defines. */
enum ff_reason {
#define FL_REASON(name, code) FF_REASON_##name = code,
#include "faultline/reboot_reasons.def"
#undef FL_REASON
};

/* The first unexpected code: below it a reboot is expected (nothing went wrong). */
#define FF_REASON_UNEXPECTED 0x8000u

/* The name of a code faultline defines, as FORMAT.md spells it ("power_on", "bus_fault"; a static string), or
 * NULL for any other code (an application's own, or one this version does not know). */
const char *ff_reason_name(uint16_t reason);

/* True for the unexpected codes (0x8000 and above): a crash, a watchdog, a brownout. */
static inline bool ff_reason_unexpected(uint16_t reason)
{
	return reason >= FF_REASON_UNEXPECTED;
}

#ifdef __cplusplus
}
#endif
#endif
