/* SPDX-License-Identifier: Apache-2.0 */
/* The storage layout of docs/FORMAT.md §9, read independently of the SDK that writes it. */
#include <string.h>
#include <zlib.h>

#include "ff/bytes.h"
#include "ff/storage.h"

bool ff_storage_detect(const uint8_t *img, size_t len)
{
	return len >= 4 && memcmp(img, FF_STORAGE_MAGIC, 4) == 0;
}

/* [off, off + size) inside [min, len). */
static bool inside(uint32_t off, uint32_t size, uint32_t min, size_t len)
{
	return size > 0 && off >= min && off <= len && size <= len - off;
}

int ff_storage_parse(struct ff_storage *out, const uint8_t *img, size_t len, struct ff_error *err)
{
	bool erased = true;

	memset(out, 0, sizeof(*out));
	if (len < FF_STORAGE_HEADER || !ff_storage_detect(img, len))
		return ff_error_set(err, FF_ERR_MALFORMED, "storage: %zu bytes without a \"FLCD\" header", len);
	if (img[FF_STORAGE_AT_VERSION] != FF_STORAGE_VERSION)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "storage: layout version %u is not supported",
				    img[FF_STORAGE_AT_VERSION]);
	out->header_size = ff_le16(img + FF_STORAGE_AT_HEADER_SIZE);
	if (out->header_size < FF_STORAGE_HEADER || out->header_size > len)
		return ff_error_set(err, FF_ERR_MALFORMED, "storage: header size %u is outside 32..%zu", out->header_size,
				    len);
	if (ff_le32(img + out->header_size - 4) != (uint32_t)crc32(0, img, out->header_size - 4))
		return ff_error_set(err, FF_ERR_MALFORMED, "storage: the header's CRC does not match (a save cut short?)");
	out->msg_offset = ff_le32(img + FF_STORAGE_AT_MSG_OFFSET);
	out->msg_length = ff_le32(img + FF_STORAGE_AT_MSG_LENGTH);
	out->msg_crc = ff_le32(img + FF_STORAGE_AT_MSG_CRC);
	out->marker_offset = ff_le32(img + FF_STORAGE_AT_MARKER_OFFSET);
	out->marker_size = ff_le32(img + FF_STORAGE_AT_MARKER_SIZE);
	if (!inside(out->msg_offset, out->msg_length, out->header_size, len))
		return ff_error_set(err, FF_ERR_MALFORMED, "storage: the message (%u bytes at %u) is outside the %zu-byte "
				    "image", out->msg_length, out->msg_offset, len);
	if (!inside(out->marker_offset, out->marker_size, out->header_size, len) ||
	    (out->marker_offset < out->msg_offset + out->msg_length &&
	     out->msg_offset < out->marker_offset + out->marker_size))
		return ff_error_set(err, FF_ERR_MALFORMED, "storage: the read marker (%u bytes at %u) is misplaced",
				    out->marker_size, out->marker_offset);
	if ((uint32_t)crc32(0, img + out->msg_offset, out->msg_length) != out->msg_crc)
		return ff_error_set(err, FF_ERR_MALFORMED, "storage: the message's CRC does not match its header");
	for (uint32_t i = 0; i < out->marker_size; i++)
		erased = erased && img[out->marker_offset + i] == 0xff;
	out->sent = !erased;
	out->msg = img + out->msg_offset;
	return 0;
}
