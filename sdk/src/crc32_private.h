/* SPDX-License-Identifier: Apache-2.0 */
/* CRC-32 of message streams and storage headers (docs/FORMAT.md §1: CRC-32/ISO-HDLC). */
#ifndef FL_CRC32_PRIVATE_H
#define FL_CRC32_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continue a CRC-32 over len more bytes.
 * crc:  the value returned for the bytes before these; 0 to start.
 * data: len bytes to add (may be NULL when len is 0).
 * Returns the CRC-32 of everything so far, so fl_crc32_update(0, "123456789", 9) == 0xCBF43926 and
 * fl_crc32_update(fl_crc32_update(0, a, n), b, m) equals the CRC of a followed by b.
 */
uint32_t fl_crc32_update(uint32_t crc, const void *data, size_t len);

#endif
