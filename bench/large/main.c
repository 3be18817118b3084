/* SPDX-License-Identifier: Apache-2.0 */
/* The large benchmark firmware (`make bench`): hundreds of generated functions over many compile units, and a
 * 16-deep call chain that ends in a bus fault. Boot 1 crashes; boot 2 sends the dump as serial lines. */
#include "board.h"
#include "faultline/cortex_m.h"
#include "faultline/faultline.h"

void chain_0(void);
extern const void *const all_work[];

static uint8_t s_events[256];

int main(void)
{
	struct fl_init_params params = {s_events, sizeof(s_events)};
	uint8_t chunk[256];
	char line[FL_SERIAL_LINE_SIZE(256)];
	size_t len;

	BOARD_CHECK(fl_init(&params, NULL) == 0);
	BOARD_CHECK(all_work[0] != NULL); /* keeps every generated function in the image */
	if (board_boot_count() == 1) {
		fl_cm_configure(FL_CM_FAULT_HANDLERS);
		chain_0();
	}
	if (fl_serial_announce_line(line, sizeof(line)) > 0)
		board_puts(line);
	while (fl_chunk_next(chunk, sizeof(chunk), &len) == 0) {
		fl_serial_chunk_line(line, sizeof(line), chunk, len);
		board_puts(line);
	}
	return 0;
}
