/* SPDX-License-Identifier: Apache-2.0 */
/* The chunker's hooks for the rest of the SDK. */
#ifndef FL_CHUNK_PRIVATE_H
#define FL_CHUNK_PRIVATE_H

#include <stdint.h>

/* At boot: forget any message in progress; chunks carry boot_id's low 16 bits; seq restarts at 0. */
void fl_chunk_boot(uint32_t boot_id);

/* The coredump is being dropped: abandon it if it is the message in progress. */
void fl_chunk_drop_coredump(void);

#endif
