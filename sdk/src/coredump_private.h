/* SPDX-License-Identifier: Apache-2.0 */
/* Coredump capture inside the SDK: the boot hook, and what FL_ASSERT tells the coming capture. */
#ifndef FL_COREDUMP_PRIVATE_H
#define FL_COREDUMP_PRIVATE_H

#include <stdint.h>

/* At boot: forget the regions registered and any pending assert (they are the previous boot's). */
void fl_coredump_boot(void);

/* FL_ASSERT / FL_FATAL_ERROR: what the coming capture is about. */
void fl_coredump_set_pending(uint16_t reason, uint32_t code, uintptr_t pc, uintptr_t lr);

#endif
