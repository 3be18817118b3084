/* SPDX-License-Identifier: Apache-2.0 */
/* Coredump storage inside the SDK: boot-time checks, reading a saved dump out for the chunker, marking it sent. */
#ifndef FL_COREDUMP_PRIVATE_H
#define FL_COREDUMP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* At boot: check the port's storage description and classify its content (docs/FORMAT.md §9); erase what was
 * sent or is invalid. boot_id: this boot's, written into dumps saved from now on.
 * Returns the FL_STORAGE_* state found, or FL_ERR_INVALID_ARG / FL_ERR_IO (then storage is FL_STORAGE_FAILED). */
int fl_coredump_boot(uint32_t boot_id);

/* Length of the saved dump's message (0 when none is pending). */
uint32_t fl_coredump_length(void);

/* Read len bytes of the saved message from offset off. Returns 0 or FL_ERR_IO. */
int fl_coredump_read(uint32_t off, void *buf, size_t len);

/* The dump's last chunk was taken: program the read marker, then erase. */
void fl_coredump_sent(void);

/* FL_ASSERT / FL_FATAL_ERROR: what the coming capture is about. */
void fl_coredump_set_pending(uint16_t reason, uint32_t code, uintptr_t pc, uintptr_t lr);

#endif
