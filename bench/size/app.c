/* SPDX-License-Identifier: Apache-2.0 */
/* The minimal Cortex-M3 application `make size` links twice: as is, and with FL_SIZE_WITH_SDK using the SDK in its
 * reference configuration (coredumps, reboot reasons, asserts, the event queue, the chunker; the Cortex-M port).
 * The difference is what the SDK costs; the report lists the SDK, the port and this app's own port file apart. */
#include <stddef.h>
#include <stdint.h>

#ifdef FL_SIZE_WITH_SDK
#include "faultline/cortex_m.h"
#include "faultline/faultline.h"
#endif

extern uint32_t __stack_top[];
void Reset_Handler(void);
void Default_Handler(void);
int main(void);
#if defined(FL_SIZE_WITH_SDK) && defined(__ARM_ARCH_6M__) /* ARMv6-M: HardFault and NMI only */
void NMI_Handler(void);
void HardFault_Handler(void);
#define MemManage_Handler Default_Handler
#define BusFault_Handler Default_Handler
#define UsageFault_Handler Default_Handler
#elif defined(FL_SIZE_WITH_SDK)
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
#else
#define NMI_Handler Default_Handler
#define HardFault_Handler Default_Handler
#define MemManage_Handler Default_Handler
#define BusFault_Handler Default_Handler
#define UsageFault_Handler Default_Handler
#endif

__attribute__((section(".vectors"), used)) static void (*const k_vectors[7])(void) = {
	(void (*)(void))(uintptr_t)__stack_top, Reset_Handler, NMI_Handler, HardFault_Handler,
	MemManage_Handler, BusFault_Handler, UsageFault_Handler,
};

static volatile uint32_t g_sink;
static uint32_t g_state[8]; /* application state a coredump should show */

void Default_Handler(void)
{
	for (;;)
		;
}

void Reset_Handler(void)
{
	main();
	for (;;)
		;
}

#ifdef FL_SIZE_WITH_SDK
static uint8_t s_events[256];

static void link_send(const uint8_t *chunk, size_t len)
{
	for (size_t i = 0; i < len; i++)
		g_sink = chunk[i];
}
#endif

int main(void)
{
#ifdef FL_SIZE_WITH_SDK
	struct fl_init_params params = {s_events, sizeof(s_events)};
	uint8_t chunk[64];
	size_t len;

	fl_cm_configure(FL_CM_FAULT_HANDLERS);
	fl_init(&params, NULL);
	fl_coredump_add_region(g_state, sizeof(g_state));
#endif
	for (uint32_t i = 0;; i++) {
		g_state[i % 8] = g_sink;
#ifdef FL_SIZE_WITH_SDK
		FL_ASSERT(g_state[0] != 0xdeadbeefu);
		if (fl_chunk_has_data() && fl_chunk_next(chunk, sizeof(chunk), &len) == 0)
			link_send(chunk, len);
		if (g_sink == 0x5a5a5a5au)
			fl_reboot(FL_REASON_USER_REQUEST);
#endif
	}
}
