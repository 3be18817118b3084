/* SPDX-License-Identifier: Apache-2.0 */
/* A device's serial, the name a device goes by everywhere (docs/FORMAT.md §6, the server's URLs, file names). */
#ifndef FF_DEVICE_H
#define FF_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FF_DEVICE_SERIAL_MAX 64u /* characters */

/* Is s a device serial as docs/FORMAT.md §6 allows: 1 to FF_DEVICE_SERIAL_MAX characters of A-Z a-z 0-9 . _ : -
 * (so it is safe in a URL path and a file name)?  s/len: the text, only read (no NUL needed). */
bool ff_device_serial_valid(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
