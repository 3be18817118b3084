/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: chunk reassembly (analysis/src/reasm.c). Input: a batch of records, each pushed as a chunk of one
 * device. Beyond "no crash" and no leak: a delivered message fits the limit, and the bytes held for partial
 * messages never exceed the budget. */
#include <stdint.h>
#include <stdlib.h>

#include "ff/chunk.h"
#include "ff/reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_reasm r;
	const uint8_t *rec, *msg;
	size_t pos = 0, len, msg_len;

	ff_reasm_init(&r, 512, 2048);
	while (ff_batch_next(&rec, &len, data, size, &pos, NULL) == 1) {
		if (ff_reasm_push(&r, rec, len, &msg, &msg_len, NULL) == FF_CHUNK_COMPLETE && (msg_len > 512 || msg == NULL))
			abort();
		if (r.pending > r.max_pending)
			abort();
	}
	ff_reasm_free(&r);
	return 0;
}
