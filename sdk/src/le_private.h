/* SPDX-License-Identifier: Apache-2.0 */
/* Little-endian integers in byte buffers: every multi-byte field the SDK puts in storage or on the wire
 * (docs/FORMAT.md §1), written and read byte by byte, never through a cast, so alignment and the CPU's byte order
 * do not matter. */
#ifndef FL_LE_PRIVATE_H
#define FL_LE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* The n-byte (1..sizeof(uintptr_t)) little-endian integer at p. */
uintptr_t fl_le_get(const uint8_t *p, size_t n);

/* Write the low n bytes (1..sizeof(uintptr_t)) of v at p, least significant first. */
void fl_le_put(uint8_t *p, uintptr_t v, size_t n);

#endif
