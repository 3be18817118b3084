/* SPDX-License-Identifier: Apache-2.0 */
/* ELF core files of Cortex-M coredumps for GDB: `gdb-multiarch firmware.elf core.elf` then gives `bt`,
 * `info registers` and `print` of captured globals. */
#ifndef FA_CORE_H
#define FA_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"
#include "ff/message.h"

/*
 * Build a 32-bit ARM ET_CORE image of a Cortex-M coredump: one NT_PRSTATUS note with the interrupted context's
 * registers (r0-r15, xPSR) and one PT_LOAD segment per captured region.
 * out/out_len: a malloc'd image the caller frees.  Returns 0, FF_ERR_UNSUPPORTED (not arch 40, os 0),
 * FF_ERR_NOMEM.
 */
int fa_core_build(uint8_t **out, size_t *out_len, const struct ff_message *m, struct ff_error *err);

/* fa_core_build() into a file at path (replaced). Returns 0, an error of fa_core_build(), or FF_ERR_IO. */
int fa_core_write(const char *path, const struct ff_message *m, struct ff_error *err);

#endif
