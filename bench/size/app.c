/* SPDX-License-Identifier: Apache-2.0 */
/* The minimal Cortex-M3 application `make size` links twice: as is, and with FL_SIZE_WITH_SDK calling the SDK
 * in its reference configuration. The difference is what the SDK costs a user. */
#include <stdint.h>

#ifdef FL_SIZE_WITH_SDK
#include "crc32_private.h"
#endif

extern uint32_t __stack_top[];
void Reset_Handler(void);
int main(void);

__attribute__((section(".vectors"), used)) static void (*const k_vectors[2])(void) = {
	(void (*)(void))(uintptr_t)__stack_top,
	Reset_Handler,
};

static volatile uint32_t g_sink;

void Reset_Handler(void)
{
	main();
	for (;;)
		;
}

int main(void)
{
	static const uint8_t k_data[4] = {1, 2, 3, 4};

	g_sink = k_data[0];
#ifdef FL_SIZE_WITH_SDK
	g_sink = fl_crc32_update(0, k_data, sizeof(k_data));
#endif
	return 0;
}
