/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: message decoding (format/src/message.c) on arbitrary bytes. Beyond "no crash" and no leak: an
 * accepted coredump's registers fit its layout and every region lies inside the decoded message's copy of the
 * regions' data. */
#include <stdint.h>
#include <stdlib.h>

#include "ff/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_message m;

	if (ff_message_parse(&m, data, size, NULL) == 0 && m.type == FF_MSG_COREDUMP) {
		size_t used = 0;
		unsigned word;

		if (m.core.nregs != ff_layout_regs(m.arch, m.os, &word) || word != m.core.word)
			abort();
		for (size_t i = 0; i < m.core.nregions; i++) {
			const struct ff_region *r = &m.core.regions[i];

			if (r->data != m.bytes + used || r->encoding != 0)
				abort();
			used += r->len;
		}
		if (used > size)
			abort();
	}
	ff_message_free(&m);
	return 0;
}
