/* SPDX-License-Identifier: Apache-2.0 */
/* The minimal Cortex-M3 application `make size` links several times: as is, and with FL_SIZE_WITH_SDK using the
 * SDK in its reference configuration (coredumps, reboot reasons, asserts, the event queue, the chunker; the
 * Cortex-M port). The difference is what the SDK costs; the report lists the SDK, the port and this app's own port
 * file apart. FL_SIZE_HEARTBEAT adds heartbeats (fl_metrics_poll() in the loop), and FL_SIZE_METRICS the
 * application keys of the SDK's FL_METRICS_DEF, each changed once in the loop, as an application would where its
 * events happen. */
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

#ifdef FL_SIZE_METRICS
/* One call per key (a timer: its start and its stop), each with its kind's function; v stands for the value. */
static inline void touch(int kind, enum fl_metric_key key, uint32_t v)
{
	if (kind == FL_METRIC_KIND_COUNTER) {
		fl_metric_add(key, 1);
	} else if (kind == FL_METRIC_KIND_GAUGE) {
		fl_metric_set(key, v);
	} else if (kind == FL_METRIC_KIND_GAUGE_SIGNED) {
		fl_metric_set_signed(key, (int32_t)v);
	} else if (v & 1u) {
		fl_metric_timer_start(key);
	} else {
		fl_metric_timer_stop(key);
	}
}

static void update_metrics(uint32_t v)
{
#define FL_METRIC_X(kind, name) touch(kind, FL_METRIC_##name, v);
#include FL_METRICS_DEF
#undef FL_METRIC_X
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
#ifdef FL_SIZE_HEARTBEAT
		fl_metrics_poll();
#endif
#ifdef FL_SIZE_METRICS
		update_metrics(g_sink);
#endif
		if (g_sink == 0x5a5a5a5au)
			fl_reboot(FL_REASON_USER_REQUEST);
#endif
	}
}
