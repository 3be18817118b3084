/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: `faultline decode`'s input reading (analysis/src/input.c: serial logs, chunk files, storage images)
 * and the decoding of every message found. Beyond "no crash" and no leak: counts stay consistent. */
#include <stdint.h>
#include <stdlib.h>

#include "ff/input.h"
#include "ff/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_input in;

	if (ff_input_read(&in, data, size, NULL) == 0) {
		if (in.n > in.chunks + 1 || in.rejected > size)
			abort();
		for (size_t i = 0; i < in.n; i++) {
			struct ff_message m;

			ff_message_parse(&m, in.msgs[i].bytes, in.msgs[i].len, NULL);
			ff_message_free(&m);
		}
	}
	ff_input_free(&in);
	return 0;
}
