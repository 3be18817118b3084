/* SPDX-License-Identifier: Apache-2.0 */
/* ARM semihosting calls (bkpt 0xAB): exit with a status, the command line, host files. */
#include <stdint.h>
#include <string.h>

#include "board.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_READ 0x06
#define SYS_FLEN 0x0c
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define OPEN_MODE_RB 1u

static int32_t semihost(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return (int32_t)r0;
}

void board_exit(int status)
{
	const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};

	for (;;)
		semihost(SYS_EXIT_EXTENDED, block);
}

const char *board_cmdline(void)
{
	static char line[256];
	uint32_t block[2] = {(uint32_t)(uintptr_t)line, sizeof(line) - 1};
	const char *space;

	if (semihost(SYS_GET_CMDLINE, block) != 0)
		return "";
	line[block[1] < sizeof(line) ? block[1] : sizeof(line) - 1] = '\0';
	space = strchr(line, ' ');
	return space != NULL ? space + 1 : "";
}

long board_read_file(const char *path, void *buf, size_t cap)
{
	uint32_t open_block[3] = {(uint32_t)(uintptr_t)path, OPEN_MODE_RB, strlen(path)};
	int32_t handle = semihost(SYS_OPEN, open_block), len, left;
	uint32_t handle_block[1], read_block[3];

	if (handle < 0)
		return -1;
	handle_block[0] = (uint32_t)handle;
	len = semihost(SYS_FLEN, handle_block);
	if (len < 0 || (size_t)len > cap) {
		semihost(SYS_CLOSE, handle_block);
		return -1;
	}
	read_block[0] = (uint32_t)handle;
	read_block[1] = (uint32_t)(uintptr_t)buf;
	read_block[2] = (uint32_t)len;
	left = semihost(SYS_READ, read_block); /* returns the number of bytes NOT read */
	semihost(SYS_CLOSE, handle_block);
	return left == 0 ? (long)len : -1;
}
