/* SPDX-License-Identifier: Apache-2.0 */
/* The simulator's port (port.h): flash, clock, boot counter and reset cause of the selected device, and the
 * simulator's own GNU build-id as every device's firmware identity. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/port.h"
#include "faultline/reboot.h"
#include "port.h"

static struct {
	struct sim_hw *hw;
	uintptr_t readable_lo, readable_hi;
	uint8_t build_id[64];
	size_t build_id_len;
	int build_id_read;
} s_port;

void sim_port_select(struct sim_hw *hw)
{
	s_port.hw = hw;
}

void sim_port_readable(const void *lo, size_t len)
{
	s_port.readable_lo = (uintptr_t)lo;
	s_port.readable_hi = (uintptr_t)lo + len;
}

/* ---- storage: the device's flash, with flash's rules checked (a violation is the SDK's bug: refused) ---- */

void fl_port_storage_info(struct fl_storage_info *out)
{
	out->size = SIM_STORAGE_SIZE;
	out->sector_size = SIM_STORAGE_SECTOR;
	out->write_granule = SIM_STORAGE_GRANULE;
}

static int in_storage(uint32_t offset, size_t len)
{
	return offset <= SIM_STORAGE_SIZE && len <= SIM_STORAGE_SIZE - offset;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	if (!in_storage(offset, len))
		return -1;
	memcpy(buf, s_port.hw->storage + offset, len);
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	uint8_t *at = s_port.hw->storage + offset;

	if (!in_storage(offset, len) || offset % SIM_STORAGE_GRANULE != 0 || len % SIM_STORAGE_GRANULE != 0)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (at[i] != 0xff)
			return -1; /* a unit written twice */
	memcpy(at, buf, len);
	return 0;
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	if (!in_storage(offset, len) || offset % SIM_STORAGE_SECTOR != 0 || len % SIM_STORAGE_SECTOR != 0)
		return -1;
	memset(s_port.hw->storage + offset, 0xff, len);
	return 0;
}

/* ---- identity ---- */

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = s_port.hw->serial;
	out->sw_version = s_port.hw->sw_version;
	out->hw_version = s_port.hw->hw_version;
}

/* The executable's NT_GNU_BUILD_ID note, from its PT_NOTE segments as loaded (the first object listed). */
static int read_build_id(struct dl_phdr_info *info, size_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	for (unsigned i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;

		while (ph->p_type == PT_NOTE && (size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
			ElfW(Nhdr) n;
			size_t name_at = sizeof(n), desc_at, next;

			memcpy(&n, p, sizeof(n));
			desc_at = name_at + ((n.n_namesz + 3u) & ~3u);
			next = desc_at + ((n.n_descsz + 3u) & ~3u);
			if (next > (size_t)(end - p))
				break;
			if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && memcmp(p + name_at, "GNU", 4) == 0 &&
			    n.n_descsz >= 8 && n.n_descsz <= sizeof(s_port.build_id)) {
				memcpy(s_port.build_id, p + desc_at, n.n_descsz);
				s_port.build_id_len = n.n_descsz;
				return 1;
			}
			p += next;
		}
	}
	return 1;
}

size_t fl_port_build_id(const uint8_t **out)
{
	if (!s_port.build_id_read) {
		dl_iterate_phdr(read_build_id, NULL);
		s_port.build_id_read = 1;
	}
	*out = s_port.build_id;
	return s_port.build_id_len;
}

uint32_t fl_port_boot_id(void)
{
	return ++s_port.hw->boot_id;
}

/* ---- reset, time, memory ---- */

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = s_port.hw->reset_raw;
	return s_port.hw->reset_cause;
}

/* The simulator resets its devices itself (sim/device.c): these are never called. */
void fl_port_reboot(void)
{
	fprintf(stderr, "fleetsim: the SDK asked for a reboot (fl_port_reboot)\n");
	abort();
}

void fl_port_capture_now(void)
{
	fprintf(stderr, "fleetsim: the SDK asked for a capture (fl_port_capture_now)\n");
	abort();
}

uint64_t fl_port_uptime_ms(void)
{
	return (uint64_t)(s_port.hw->now_ms - s_port.hw->boot_ms);
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	if (addr < s_port.readable_lo || addr >= s_port.readable_hi)
		return 0;
	return len < s_port.readable_hi - addr ? len : s_port.readable_hi - addr;
}
