/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the SDK's reader of update reply lines (sdk/src/ota.c, docs/FORMAT.md §12) on arbitrary lines, as a
 * device reads its console, and its check of an image in a slot (sdk/src/ota_image.c) on the same bytes as a
 * downloaded slot. Beyond "no crash": what the reader gives points inside the caller's buffer, within the format's
 * limits, and a reply it reads has the type and fields the host's reader (format/) finds in the same bytes; an
 * image that checks has its hashed bytes and TLV area inside the slot. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/errors.h"
#include "faultline/ota.h"
#include "ff/update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct slot {
	const uint8_t *bytes;
	size_t len;
};

static int slot_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	const struct slot *s = ctx;

	if ((size_t)offset + len > s->len)
		abort(); /* the check read past the slot it was given */
	memcpy(buf, s->bytes + offset, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[FL_OTA_MESSAGE_MAX];
	struct slot slot = {data, size};
	struct fl_ota_image img;

	if (size <= UINT32_MAX && fl_ota_image_check(&img, slot_read, &slot, (uint32_t)size, NULL) == 0 &&
	    (img.hashed > img.tlv_end || img.tlv_end > size))
		abort();
	struct fl_ota_reply r;
	struct ff_update_reply host;
	size_t used;

	if (fl_ota_reply_line(&r, buf, sizeof(buf), (const char *)data, size) != 0)
		return 0;
	if (r.type == FL_OTA_DATA &&
	    (r.data_len > FL_OTA_DATA_MAX || r.data != buf + 9 || (size_t)(r.data - buf) + r.data_len > sizeof(buf)))
		abort();
	if (r.type == FL_OTA_REFUSED && (r.why != (const char *)buf + 2 || r.why_len > 200))
		abort();
	used = r.type == FL_OTA_DATA ? 9 + r.data_len : r.type == FL_OTA_REFUSED ? 2 + r.why_len
		: r.type == FL_OTA_OFFER ? 53 : r.type == FL_OTA_RECORDED ? 6 : 1;
	/* the host reads the same message alike (it also checks a refusal's text is text: that alone may differ) */
	if (ff_update_reply_decode(&host, buf, used, NULL) == 0) {
		if ((int)host.type != (int)r.type || host.release != r.release || host.offset != r.offset ||
		    host.deployment != r.deployment || host.size != r.size || memcmp(host.sha256, r.sha256, 32) != 0)
			abort();
	} else if (r.type != FL_OTA_REFUSED) {
		abort();
	}
	return 0;
}
