/* SPDX-License-Identifier: Apache-2.0 */
/* Coredump storage (docs/FORMAT.md §9): the layout of a saved dump in the port's flash-like area, its states, and
 * the saved dump as a source of the chunker. What goes into a dump is coredump.c's; how it lies in storage, here.
 * Also implements fl_coredump_pending() and fl_coredump_clear() of faultline/coredump.h: the saved dump is what
 * storage holds. */
#ifndef FL_STORAGE_PRIVATE_H
#define FL_STORAGE_PRIVATE_H

#include <stdint.h>

#include "cbor_private.h"
#include "faultline/config.h"

/*
 * At boot: check the port's storage description and classify the area's content; erase it when it holds a dump
 * already sent or invalid content. Returns the FL_STORAGE_* state found, or FL_ERR_INVALID_ARG (an unusable
 * description) / FL_ERR_IO (a read or erase failed); with an error storage is FL_STORAGE_FAILED until the next
 * boot.
 */
int fl_storage_boot(void);

/* The state of storage now, as a heartbeat's built-in value `storage` says it (docs/FORMAT.md §8.4): 0 ready for a
 * crash, 1 holds a dump not sent completely yet, 2 failed (no coredumps until the next boot). */
uint32_t fl_storage_heartbeat_state(void);

/* A sink that programs a dump's message into storage one write granule at a time (fl_storage_open()). */
struct fl_storage_sink {
	struct fl_sink base;
	uint32_t at; /* storage offset of unit[0] */
	uint32_t granule;
	uint32_t fill; /* bytes in unit[] */
	uint32_t crc;  /* CRC-32 of the bytes programmed so far */
	int err;       /* the first write error, then nothing more is written */
	uint8_t unit[FL_STORAGE_GRANULE_MAX];
};

/*
 * Fault path: start a new dump. Storage must be empty, and is checked to be (RAM state is trusted only as far as
 * storage confirms it: the crash may have scribbled on it). out: set up to write the message from its first
 * byte; the caller puts at most *out_budget bytes into out->base.
 * Returns 0, or FL_ERR_STATE (storage unusable, or holding a dump: an unread dump is never overwritten).
 */
int fl_storage_open(struct fl_storage_sink *out, uint32_t *out_budget);

/*
 * Fault path: finish the dump written through s (every byte of its message put): program the last granule, then
 * the header, which commits it. The dump is then the unread one, queued for the chunker.
 * Returns 0, or FL_ERR_IO when a write failed (the next boot finds no valid header and erases the area).
 */
int fl_storage_commit(struct fl_storage_sink *s);

/* The chunker's source of the saved dump (chunk_private.h): its message exactly as stored. Once the last chunk is
 * taken the read marker is programmed and the area erased; fl_coredump_clear() drops it, also part way. */
struct fl_chunk_source;
extern const struct fl_chunk_source fl_storage_source;

#endif
