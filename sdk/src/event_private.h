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

/* The oldest entry: out_type, out_len set. Returns false when the queue is empty. Marks it in flight: it is
 * not dropped until fl_event_pop(). */
bool fl_event_peek(uint8_t *out_type, size_t *out_len);

/* Copy n bytes of the oldest entry's payload, from offset off, into dst. */
void fl_event_read(size_t off, void *dst, size_t n);

/* Remove the oldest entry (after its message has been sent). */
void fl_event_pop(void);

/* Entries dropped and not yet reported; fl_event_dropped_reported(n) subtracts n once reported. */
uint32_t fl_event_dropped(void);
void fl_event_dropped_reported(uint32_t n);

#endif
