/* SPDX-License-Identifier: Apache-2.0 */
/* The size app's own port: what an integrator writes. A storage driver over a RAM area stands in for a flash
 * driver of similar size; identity and reset cause are constants. */
#include <string.h>

#include "faultline/cortex_m.h"
#include "faultline/port.h"
#include "faultline/reboot.h"

static uint8_t s_flash[4096] __attribute__((section(".noinit")));
extern uint8_t __stack_bottom[], __stack_top[];

void fl_port_storage_info(struct fl_storage_info *out)
{
	out->size = sizeof(s_flash);
	out->sector_size = 1024;
	out->write_granule = 8;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	memcpy(buf, s_flash + offset, len);
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	memcpy(s_flash + offset, buf, len);
	return 0;
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	memset(s_flash + offset, 0xff, len);
	return 0;
}

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = "size-0001";
	out->sw_version = "1.0.0";
	out->hw_version = "a";
}

uint32_t fl_port_boot_id(void)
{
	return 1;
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = 0;
	return FL_REASON_UNKNOWN;
}

uint64_t fl_port_uptime_ms(void)
{
	return 0;
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	if (addr < 0x20000000u || addr >= 0x20400000u)
		return 0;
	return len < 0x20400000u - addr ? len : 0x20400000u - addr;
}

bool fl_cm_stack_bounds(bool psp, uintptr_t sp, uintptr_t *out_lo, uintptr_t *out_hi)
{
	(void)sp;
	*out_lo = (uintptr_t)__stack_bottom;
	*out_hi = (uintptr_t)__stack_top;
	return !psp;
}
