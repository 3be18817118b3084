/* SPDX-License-Identifier: Apache-2.0 */
/* The fake port (fake_port.h). */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fake_port.h"
#include "faultline/capture.h"
#include "faultline/port.h"
#include "faultline/reboot.h"

struct fake_port g_port;
uint8_t g_fake_stack[4096];
static uintptr_t s_regs[18];

void fake_port_reset(void)
{
	memset(&g_port, 0, sizeof(g_port));
	g_port.size = 8192;
	g_port.sector = 1024;
	g_port.granule = 8;
	memset(g_port.flash, 0xff, sizeof(g_port.flash));
	g_port.power_budget = -1;
	g_port.erase_budget = -1;
	g_port.serial = "dev-1";
	g_port.sw_version = "1.0.0";
	g_port.hw_version = "rev-a";
	for (size_t i = 0; i < 20; i++)
		g_port.build_id[i] = (uint8_t)i;
	g_port.build_id_len = 20;
	g_port.next_boot_id = 1;
	g_port.readable_limit = (size_t)-1;
	for (size_t i = 0; i < sizeof(g_fake_stack); i++)
		g_fake_stack[i] = (uint8_t)(i * 13 + 1);
}

void fake_port_power_on(void)
{
	g_port.dead = false;
	g_port.power_budget = -1;
	g_port.erase_budget = -1;
}

void fake_capture(struct fl_capture *out, uint16_t reason)
{
	for (size_t i = 0; i < 18; i++)
		s_regs[i] = 0x1000 + i;
	memset(out, 0, sizeof(*out));
	out->reason = reason;
	out->regs = s_regs;
	out->nregs = 18;
	out->sp = (uintptr_t)g_fake_stack;
	out->stack_lo = (uintptr_t)g_fake_stack;
	out->stack_hi = (uintptr_t)g_fake_stack + sizeof(g_fake_stack);
}

void fl_port_storage_info(struct fl_storage_info *out)
{
	out->size = g_port.size;
	out->sector_size = g_port.sector;
	out->write_granule = g_port.granule;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	if (g_port.fail_reads || offset > g_port.size || len > g_port.size - offset) {
		g_port.violations += !g_port.fail_reads;
		return -1;
	}
	memcpy(buf, g_port.flash + offset, len);
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	g_port.writes++;
	if (offset % g_port.granule != 0 || len % g_port.granule != 0 || offset > g_port.size ||
	    len > g_port.size - offset) {
		g_port.violations++;
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (g_port.dead)
			return -1;
		if (g_port.power_budget == 0) {
			g_port.dead = true;
			return -1;
		}
		g_port.violations += g_port.programmed[offset + i]; /* written twice between erases */
		g_port.programmed[offset + i] = true;
		g_port.flash[offset + i] = p[i];
		if (g_port.power_budget > 0)
			g_port.power_budget--;
	}
	return 0;
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	g_port.erases++;
	if (offset % g_port.sector != 0 || len % g_port.sector != 0 || offset > g_port.size ||
	    len > g_port.size - offset) {
		g_port.violations++;
		return -1;
	}
	for (size_t s = 0; s < len; s += g_port.sector) {
		if (g_port.dead)
			return -1;
		if (g_port.erase_budget == 0) {
			/* power fails half way through this sector */
			memset(g_port.flash + offset + s, 0xff, g_port.sector / 2);
			memset(g_port.programmed + offset + s, 0, g_port.sector / 2);
			g_port.dead = true;
			return -1;
		}
		memset(g_port.flash + offset + s, 0xff, g_port.sector);
		memset(g_port.programmed + offset + s, 0, g_port.sector);
		if (g_port.erase_budget > 0)
			g_port.erase_budget--;
	}
	return 0;
}

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = g_port.serial;
	out->sw_version = g_port.sw_version;
	out->hw_version = g_port.hw_version;
}

size_t fl_port_build_id(const uint8_t **out)
{
	*out = g_port.build_id;
	return g_port.build_id_len;
}

uint32_t fl_port_boot_id(void)
{
	return g_port.next_boot_id++;
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = g_port.reset_raw;
	return g_port.reset_reason;
}

void fl_port_reboot(void)
{
	g_port.reboots++;
	if (g_port.reboot_jmp != NULL)
		longjmp(*g_port.reboot_jmp, 1);
	abort();
}

void fl_port_capture_now(void)
{
	struct fl_capture c;

	fake_capture(&c, FL_REASON_HARD_FAULT);
	fl_coredump_save(&c);
	fl_port_reboot();
}

uint64_t fl_port_uptime_ms(void)
{
	return g_port.uptime;
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	(void)addr;
	return len < g_port.readable_limit ? len : g_port.readable_limit;
}

const uint8_t *stored_message(size_t *out_len)
{
	return stored_message_in(g_port.flash, g_port.size, out_len);
}

#if FL_PORT_HAS_LOCK
static unsigned s_depth;

void fl_port_lock(void)
{
	g_port.locks++;
	if (++s_depth > g_port.lock_depth_max)
		g_port.lock_depth_max = s_depth;
}

void fl_port_unlock(void)
{
	g_port.unlocks++;
	s_depth--;
}
#endif

#if FL_PORT_HAS_REGIONS
size_t fl_port_coredump_regions(struct fl_region *out, size_t max)
{
	size_t n = g_port.nextra < max ? g_port.nextra : max;

	memcpy(out, g_port.extra, n * sizeof(*out));
	return n;
}
#endif
