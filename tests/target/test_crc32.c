/* SPDX-License-Identifier: Apache-2.0 */
/* On target: the SDK's CRC-32 gives the FORMAT.md worked example's trailer on the Cortex-M it runs on.
 * Command line: the tests/data directory on the host (read through semihosting). */
#include <stdio.h>

#include "board.h"
#include "crc32_private.h"

int main(void)
{
	static uint8_t msg[256];
	char path[200];
	long len;

	BOARD_CHECK(fl_crc32_update(0, "123456789", 9) == 0xCBF43926u);
	snprintf(path, sizeof(path), "%s/format-v1/message.bin", board_cmdline());
	len = board_read_file(path, msg, sizeof(msg));
	BOARD_CHECK(len == 59);
	BOARD_CHECK(fl_crc32_update(0, msg, (size_t)len) == 0x294917CCu);
	board_puts("crc32: ok\n");
	return 0;
}
