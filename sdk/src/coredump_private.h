/* SPDX-License-Identifier: Apache-2.0 */
/* Coredump storage inside the SDK: boot-time checks, the saved dump as a source of the chunker, asserts. */
#ifndef FL_COREDUMP_PRIVATE_H
#define FL_COREDUMP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* At boot: check the port's storage description and classify its content (docs/FORMAT.md §9); erase what was
 * sent or is invalid. Returns the FL_STORAGE_* state found, or FL_ERR_INVALID_ARG / FL_ERR_IO (then storage is
 * FL_STORAGE_FAILED). */
int fl_coredump_boot(void);

/* The chunker's source of the saved dump (chunk_private.h): the message exactly as stored; once its last chunk is
 * taken, the read marker is programmed and storage erased. fl_coredump_clear() drops it, also part way. */
struct fl_chunk_source;
extern const struct fl_chunk_source fl_coredump_source;

/* FL_ASSERT / FL_FATAL_ERROR: what the coming capture is about. */
void fl_coredump_set_pending(uint16_t reason, uint32_t code, uintptr_t pc, uintptr_t lr);

#endif
