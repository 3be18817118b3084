/* SPDX-License-Identifier: Apache-2.0 */
/* The event queue: small pre-encoded payloads in the application's RAM ring, oldest first. When full, the
 * oldest entry not being sent is dropped and counted; the count travels in the next message sent. */
#ifndef FL_EVENT_PRIVATE_H
#define FL_EVENT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_EVENT_ENTRY_OVERHEAD 3u /* u16 payload length + message type */

/* Use buf (cap bytes) as the ring, emptied. */
void fl_event_init(void *buf, size_t cap);

/* Queue a payload (copied) of message type `type`. Drops the oldest entries not in flight until it fits.
 * Returns 0, or FL_ERR_NO_SPACE when it cannot fit even then (it is counted as dropped). */
int fl_event_push(uint8_t type, const void *payload, size_t len);

/* Entries dropped and not yet reported in a message's envelope. */
uint32_t fl_event_dropped(void);

/* Entries dropped since boot, reported or not (a heartbeat's built-in events_dropped). */
uint32_t fl_event_dropped_since_boot(void);

/* The chunker's source of event messages (chunk_private.h): the oldest entry first, its payload behind the
 * envelope (docs/FORMAT.md §7) with this boot's id and the drops not yet reported. A heartbeat's envelope is the
 * compact one (§8.4) when this boot's reboot event has been sent; when the ring dropped the reboot event unsent,
 * every heartbeat of the boot carries the full identity. The entry being sent is kept when the ring is full; it
 * leaves the ring when its last chunk is taken. */
struct fl_chunk_source;
extern const struct fl_chunk_source fl_event_source;

#endif
