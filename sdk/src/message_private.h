/* SPDX-License-Identifier: Apache-2.0 */
/* The message envelope (docs/FORMAT.md §7), written in one pass before a payload. */
#ifndef FL_MESSAGE_PRIVATE_H
#define FL_MESSAGE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cbor_private.h"

#define FL_MSG_COREDUMP 1u
#define FL_MSG_REBOOT 2u
#define FL_MSG_HEARTBEAT 3u

/* Envelope keys and the payload key, which comes last. */
enum {
	FL_KEY_VERSION = 0,
	FL_KEY_TYPE = 1,
	FL_KEY_ARCH = 2,
	FL_KEY_OS = 3,
	FL_KEY_BUILD_ID = 4,
	FL_KEY_SW_VERSION = 5,
	FL_KEY_HW_VERSION = 6,
	FL_KEY_BOOT_ID = 7,
	FL_KEY_DROPPED = 8,
	FL_KEY_PAYLOAD = 9,
};

/* At boot: the boot id every envelope from now on carries (the boot the message comes from: a coredump is
 * written by the boot that crashed, events are sent by the boot that queued them). */
void fl_message_boot(uint32_t boot_id);

/*
 * Write the envelope map head and every envelope key up to and including the payload key; the caller writes
 * the payload map next. dropped: 0 leaves the key out. identity: true for the full envelope, with the firmware
 * identity from the port (device info, build-id) and the compiler (arch, os); false for the compact one of a
 * heartbeat (docs/FORMAT.md §8.4: version, type, boot id, dropped), which calls no port function. The boot id
 * is fl_message_boot()'s.
 */
void fl_message_begin(struct fl_sink *s, unsigned type, uint32_t dropped, bool identity);

#endif
