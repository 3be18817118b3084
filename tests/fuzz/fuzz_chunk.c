/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: chunk headers, batch records and chunk files (analysis/src/chunk.c) on arbitrary bytes.
 * Invariant checked beyond "no crash": every accepted chunk's data lies inside the input and is not empty. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ff/chunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_chunk(const uint8_t *buf, size_t len, const uint8_t *all, size_t all_len)
{
	struct ff_error err;
	struct ff_chunk c;

	if (ff_chunk_parse(&c, buf, len, &err) != 0)
		return;
	if (c.len == 0 || c.data < all || c.data + c.len > all + all_len)
		abort();
	if (c.kind == FF_CHUNK_FIRST && (c.total == 0 || c.total > FF_MESSAGE_MAX || c.offset != 0))
		abort();
	if (c.kind == FF_CHUNK_CONTINUATION && (c.offset == 0 || c.offset >= FF_MESSAGE_MAX + FF_CRC_TRAILER))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_error err;
	const uint8_t *rec;
	size_t pos = 0, len;
	int rc;

	check_chunk(data, size, data, size);
	rc = ff_chunkfile_batch_offset(data, size, &err);
	if (rc > 0)
		pos = (size_t)rc;
	while ((rc = ff_batch_next(&rec, &len, data, size, &pos, &err)) == 1) {
		if (len == 0 || len > FF_RECORD_MAX || pos > size)
			abort();
		check_chunk(rec, len, data, size);
	}
	return 0;
}
