/* SPDX-License-Identifier: Apache-2.0 */
/* Coredumps: what is saved, and the regions the application adds to every dump. Saving happens in the fault
 * path (faultline/capture.h); sending happens through the chunker (faultline/chunk.h). */
#ifndef FAULTLINE_COREDUMP_H
#define FAULTLINE_COREDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* States of coredump storage (docs/FORMAT.md §9), as fl_init() found them (struct fl_boot_info.storage). */
#define FL_STORAGE_EMPTY 0   /* nothing saved; ready */
#define FL_STORAGE_UNREAD 1  /* a valid dump waits to be sent */
#define FL_STORAGE_READ 2    /* a dump that was already sent: erased */
#define FL_STORAGE_INVALID 3 /* an interrupted save or corrupt content: erased */
#define FL_STORAGE_FAILED 4  /* the port failed to read or erase: coredumps are off until the next boot */

/* True while a saved coredump has not been sent completely (its last chunk not yet taken). */
bool fl_coredump_pending(void);

/*
 * Drop the saved coredump without sending it, and erase storage (so a later crash can be saved).
 * Returns 0, FL_ERR_NO_DATA when none was saved, FL_ERR_IO when the erase failed.
 * If the chunker was sending it, that message is abandoned: the next chunk is the next message's first (its
 * sequence number counts the abandoned one, docs/FORMAT.md §3.3).
 */
int fl_coredump_clear(void);

/*
 * Add a memory region to every future coredump (e.g. a struct of global state to inspect in GDB).
 * addr/len: the region; it must stay readable. Regions are captured after the stack, in the order added, while
 * storage lasts. Returns 0, FL_ERR_NO_SPACE when FL_COREDUMP_REGIONS_MAX are registered, FL_ERR_INVALID_ARG for
 * len 0.
 */
int fl_coredump_add_region(const void *addr, size_t len);

#ifdef __cplusplus
}
#endif
#endif
