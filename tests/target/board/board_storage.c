/* SPDX-License-Identifier: Apache-2.0 */
/* Coredump storage for on-target tests: RAM in .noinit that keeps NOR flash's rules (erased 0xFF, sector erase,
 * granule writes, no unit written twice) and counts every violation. */
#include <string.h>

#include "board.h"
#include "faultline/port.h"

#define STORAGE_MAGIC 0x46424f41u /* "AOBF" */
#define SECTOR 1024u
#define GRANULE 8u

/* The "flash": kept across resets in .noinit; fresh (erased) after a cold start. */
static struct {
	uint32_t magic;
	uint32_t violations;
	uint8_t written[BOARD_STORAGE_SIZE / GRANULE]; /* 1: granule programmed since its sector's erase */
	uint8_t flash[BOARD_STORAGE_SIZE];
} s_board __attribute__((section(".noinit")));

static void storage_ready(void)
{
	if (s_board.magic != STORAGE_MAGIC) {
		memset(&s_board, 0, sizeof(s_board));
		memset(s_board.flash, 0xff, sizeof(s_board.flash));
		s_board.magic = STORAGE_MAGIC;
	}
}

unsigned board_storage_violations(void)
{
	return s_board.violations;
}

void fl_port_storage_info(struct fl_storage_info *out)
{
	storage_ready();
	out->size = BOARD_STORAGE_SIZE;
	out->sector_size = SECTOR;
	out->write_granule = GRANULE;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	if (offset > BOARD_STORAGE_SIZE || len > BOARD_STORAGE_SIZE - offset)
		return -1;
	memcpy(buf, s_board.flash + offset, len);
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	if (offset % GRANULE != 0 || len % GRANULE != 0 || offset > BOARD_STORAGE_SIZE ||
	    len > BOARD_STORAGE_SIZE - offset) {
		s_board.violations++;
		return -1;
	}
	for (size_t g = offset / GRANULE; g < (offset + len) / GRANULE; g++) {
		s_board.violations += s_board.written[g];
		s_board.written[g] = 1;
	}
	memcpy(s_board.flash + offset, buf, len);
	return 0;
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	if (offset % SECTOR != 0 || len % SECTOR != 0 || offset > BOARD_STORAGE_SIZE ||
	    len > BOARD_STORAGE_SIZE - offset) {
		s_board.violations++;
		return -1;
	}
	memset(s_board.flash + offset, 0xff, len);
	memset(s_board.written + offset / GRANULE, 0, len / GRANULE);
	return 0;
}

