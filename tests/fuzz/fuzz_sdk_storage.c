/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the SDK's boot on arbitrary coredump-storage content (sdk/src/coredump.c classifies and, when it
 * believes a dump is there, streams it). Beyond "no crash": storage ends either empty or holding an unread dump
 * whose chunks all parse, and the SDK never writes a unit twice or outside the area. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ff/chunk.h"
#include "faultline/faultline.h"
#include "faultline/port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AREA 4096u
#define GRANULE 8u

static uint8_t s_flash[AREA];
static uint8_t s_written[AREA / GRANULE];

void fl_port_storage_info(struct fl_storage_info *out)
{
	out->size = AREA;
	out->sector_size = 1024;
	out->write_granule = GRANULE;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	if (offset > AREA || len > AREA - offset)
		abort();
	memcpy(buf, s_flash + offset, len);
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	if (offset % GRANULE != 0 || len % GRANULE != 0 || offset > AREA || len > AREA - offset)
		abort();
	for (size_t g = offset / GRANULE; g < (offset + len) / GRANULE; g++) {
		if (s_written[g])
			abort();
		s_written[g] = 1;
	}
	memcpy(s_flash + offset, buf, len);
	return 0;
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	if (offset % 1024 != 0 || len % 1024 != 0 || offset > AREA || len > AREA - offset)
		abort();
	memset(s_flash + offset, 0xff, len);
	memset(s_written + offset / GRANULE, 0, len / GRANULE);
	return 0;
}

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = "fuzz";
	out->sw_version = "1";
	out->hw_version = NULL;
}

size_t fl_port_build_id(const uint8_t **out)
{
	static const uint8_t id[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	*out = id;
	return sizeof(id);
}

uint32_t fl_port_boot_id(void)
{
	return 2;
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = 0;
	return FL_REASON_UNKNOWN;
}

void fl_port_reboot(void)
{
	abort();
}

void fl_port_capture_now(void)
{
	abort();
}

uint64_t fl_port_uptime_ms(void)
{
	return 0;
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	(void)addr;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t events[128];
	struct fl_init_params p = {events, sizeof(events)};
	struct fl_boot_info info;
	uint8_t chunk[97];
	size_t len, n = 0;

	memset(s_flash, 0xff, sizeof(s_flash));
	memcpy(s_flash, data, size < AREA ? size : AREA);
	for (size_t g = 0; g < AREA / GRANULE; g++) { /* a unit holding anything but 0xFF was programmed */
		s_written[g] = 0;
		for (size_t i = 0; i < GRANULE; i++)
			s_written[g] |= s_flash[g * GRANULE + i] != 0xff;
	}
	if (fl_init(&p, &info) != 0)
		abort();
	if (info.storage != FL_STORAGE_UNREAD) {
		for (size_t i = 0; i < AREA; i++)
			if (s_flash[i] != 0xff) /* anything else was erased */
				abort();
	}
	while (fl_chunk_next(chunk, sizeof(chunk), &len) == 0) {
		struct ff_chunk c;

		if (ff_chunk_parse(&c, chunk, len, NULL) != 0 || ++n > 200)
			abort();
	}
	if (fl_coredump_pending())
		abort();
	return 0;
}
