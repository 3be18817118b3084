/* SPDX-License-Identifier: Apache-2.0 */
/* The serial framing's record line (docs/FORMAT.md §6), for the SDK's writers of records: chunks (serial.c) and
 * update requests (ota.c). */
#ifndef FL_SERIAL_PRIVATE_H
#define FL_SERIAL_PRIVATE_H

#include <stddef.h>

/* "#FL:<letter>:<base64>:<crc32>\n" of len bytes, NUL-terminated, into out (cap at least FL_SERIAL_LINE_SIZE(len)
 * bytes). Returns the line's length without the NUL, 0 when cap is too small. */
size_t fl_serial_record(char *out, size_t cap, char letter, const void *bytes, size_t len);

#endif
