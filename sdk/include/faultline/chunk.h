/* SPDX-License-Identifier: Apache-2.0 */
/* The chunker: the SDK's queued messages (coredump, reboot events) cut into chunks for any link
 * (docs/FORMAT.md §3). Pump fl_chunk_next() into your link whenever it can take data. */
#ifndef FAULTLINE_CHUNK_H
#define FAULTLINE_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Smallest chunk buffer fl_chunk_next() accepts (the format's minimum MTU). */
#define FL_CHUNK_MIN 10u

/* True when there is at least one chunk to send. Only asks: no message is started, so nothing queued changes
 * (a full event queue still drops its oldest event, which it would keep once that event is being sent). */
bool fl_chunk_has_data(void);

/*
 * Fill buf with the next chunk.
 * buf/cap: your buffer and its size, FL_CHUNK_MIN or more (any size per call: the MTU may change).
 * out_len: set to the chunk's length (1..cap) on success.
 * A message stays queued until its last chunk has been taken; a coredump is then marked sent and its storage
 * erased (in this call: the port's erase time is spent here).
 * Returns 0; FL_ERR_NO_DATA when nothing is queued; FL_ERR_INVALID_ARG when cap < FL_CHUNK_MIN; FL_ERR_IO when
 * coredump storage could not be read (the dump stays queued; the call can be retried).
 */
int fl_chunk_next(void *buf, size_t cap, size_t *out_len);

/*
 * Whether chunk is the first chunk of a message (docs/FORMAT.md §3.1: bit 7 of its first byte), the one a serial
 * line's announcement goes before (faultline/serial.h).
 * chunk/len: a chunk from fl_chunk_next(), read only. Returns false for NULL or len 0.
 */
bool fl_chunk_is_first(const void *chunk, size_t len);

/*
 * Start the current message again from its first chunk (the link dropped and the receiver may have missed
 * chunks). The chunks come again byte for byte the same, so the receiver treats the repeats as duplicates.
 * No effect when no message has been started.
 */
void fl_chunk_restart(void);

#ifdef __cplusplus
}
#endif
#endif
