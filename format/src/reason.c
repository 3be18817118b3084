/* SPDX-License-Identifier: Apache-2.0 */
/* Reason names: the table is generated at build time from the SDK's reboot_reasons.def (names lowercased). */
#include <stddef.h>

#include "ff/reason.h"

static const struct {
	uint16_t code;
	const char *name;
} k_reasons[] = {
#include "ff_reason_names.inc"
};

const char *ff_reason_name(uint16_t reason)
{
	for (size_t i = 0; i < sizeof(k_reasons) / sizeof(k_reasons[0]); i++)
		if (k_reasons[i].code == reason)
			return k_reasons[i].name;
	return NULL;
}
