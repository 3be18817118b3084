/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the update messages of docs/FORMAT.md §12 (format/src/update.c) from arbitrary bytes, as a request and
 * as a reply. Beyond "no crash": a message that reads is written back byte for byte (every message has one
 * encoding), and never both a request and a reply. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ff/update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[FF_UPDATE_MESSAGE_MAX];
	struct ff_update_request rq;
	struct ff_update_reply rp;
	int is_request = ff_update_request_decode(&rq, data, size, NULL) == 0;
	int is_reply = ff_update_reply_decode(&rp, data, size, NULL) == 0;
	size_t n;

	if (is_request && is_reply)
		abort();
	if (is_request) {
		n = ff_update_request_encode(again, sizeof(again), &rq);
		if (n != size || memcmp(again, data, size) != 0)
			abort();
	}
	if (is_reply) {
		n = ff_update_reply_encode(again, sizeof(again), &rp);
		if (n != size || memcmp(again, data, size) != 0)
			abort();
	}
	return 0;
}
