/* SPDX-License-Identifier: Apache-2.0 */
/* The server's out-of-memory policy, stated once: an allocation that fails ends the process with a message. The
 * server keeps nothing in memory that is not also in the database, so a restart loses nothing acknowledged. */
#ifndef SRV_ALLOC_H
#define SRV_ALLOC_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup that never return NULL (they abort with "out of memory"). */
void *srv_malloc(size_t size);
void *srv_calloc(size_t n, size_t size);
void *srv_realloc(void *p, size_t size);
char *srv_strdup(const char *s);

#endif
