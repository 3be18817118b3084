/* SPDX-License-Identifier: Apache-2.0 */
/* The chunker's side of the SDK: the interface a module implements to have its messages sent, the table of those
 * sources, and the boot hook. The chunker knows messages only through this interface; no source calls it. */
#ifndef FL_CHUNK_PRIVATE_H
#define FL_CHUNK_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A source of messages. The chunker sends one message at a time; when none is in progress it starts the next one
 * of the first source in fl_chunk_sources[] that has one. Called from the application's thread (fl_chunk_next(),
 * fl_chunk_has_data()); a source that is also fed from interrupts takes fl_port_lock() itself.
 */
struct fl_chunk_source {
	/* Whether the source has a message to send. No side effect: the source is left exactly as it was. */
	bool (*ready)(void);
	/* Begin sending that message (called right after ready() said true): from now on its bytes stay the same
	 * until sent(), unless the source drops it. Returns its length in bytes, 1 or more. */
	uint32_t (*start)(void);
	/* Whether the source has dropped the message start() began (fl_coredump_clear()): the chunker then abandons
	 * it and counts its sequence number as used. A source that never does returns false. */
	bool (*dropped)(void);
	/* Copy bytes [off, off + n) of the started message into dst; n >= 1 and off + n is within its length.
	 * Returns 0, or FL_ERR_IO (nothing is sent: the same chunk can be asked for again). */
	int (*read)(uint32_t off, uint8_t *dst, uint32_t n);
	/* The started message's last chunk has been taken: the source removes it. */
	void (*sent)(void);
};

/* The sources in the order their messages go out, ended by NULL (defined in faultline.c: a new kind of message
 * is one more entry there). */
extern const struct fl_chunk_source *const fl_chunk_sources[];

/* At boot: forget any message in progress; chunks carry boot_id's low 16 bits; seq restarts at 0. */
void fl_chunk_boot(uint32_t boot_id);

/* What fl_chunk_next() has given since boot: [0] chunks (restarted messages count again: the link carried them),
 * [1] their bytes, headers included; both wrap at 2^32. Read only, valid until the next fl_chunk_boot(). */
const uint32_t *fl_chunk_counts(void);

#endif
