/* SPDX-License-Identifier: Apache-2.0 */
/* Reading what a person hands to `faultline decode`: a raw message, a chunk file (.flc), a device's coredump
 * storage image, or a serial log with chunk lines among the log output. The form is recognized from the bytes. */
#ifndef FF_INPUT_H
#define FF_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ff_input_form {
	FF_INPUT_MESSAGE,    /* one message, as docs/FORMAT.md §7 */
	FF_INPUT_CHUNK_FILE, /* "FLCK" + records, §5 */
	FF_INPUT_STORAGE,    /* a coredump storage area, §9 */
	FF_INPUT_SERIAL_LOG, /* text with "#FL:" lines, §6 */
};

struct ff_input_message {
	uint8_t *bytes; /* owned by the ff_input */
	size_t len;
	char serial[65]; /* the device that sent it, when the form says (serial logs); else "" */
};

struct ff_input {
	enum ff_input_form form;
	struct ff_input_message *msgs; /* complete messages, in the order they completed */
	size_t n;
	size_t chunks;      /* chunks read (chunk files, serial logs) */
	size_t rejected;    /* chunks or lines refused; the first reasons are in notes */
	size_t incomplete;  /* messages left partial at the end of the input */
	bool storage_sent;  /* storage image: the dump's read marker is programmed (it was sent already) */
	char notes[1024];
};

/*
 * The form an input has, from its first bytes (without decoding it).
 * data, len: (in) the input.
 * Returns its form; FF_INPUT_SERIAL_LOG for anything not recognized otherwise.
 */
enum ff_input_form ff_input_detect(const uint8_t *data, size_t len);

/*
 * Read every message of an input of any form. Chunks go through the receiver (ff/reasm.h), one per device for
 * serial logs; refused chunks and damaged lines are counted and noted, not fatal.
 * out: (out) filled; free with ff_input_free() in every case. Its messages are copies.
 * data, len: (in) the input, read during the call only.
 * err: (out, optional) what is broken.
 * Returns 0 (possibly with no messages); FF_ERR_MALFORMED when the input's framing itself is broken (a chunk
 * file's records, a storage header that fails its checks: err says which); FF_ERR_UNSUPPORTED (a chunk file or
 * storage layout of another version); FF_ERR_TOO_LARGE (a message above FF_MESSAGE_MAX); FF_ERR_NOMEM.
 */
int ff_input_read(struct ff_input *out, const uint8_t *data, size_t len, struct ff_error *err);

/*
 * Release what ff_input_read() allocated.
 * in: (in/out) read or zeroed; its messages are freed.
 */
void ff_input_free(struct ff_input *in);

#ifdef __cplusplus
}
#endif
#endif
