/* SPDX-License-Identifier: Apache-2.0 */
/* unwind_vendor.c's twin, built without -g but with -funwind-tables (tests/target/CMakeLists.txt): its only
 * unwind information is .ARM.exidx. */
#include <stdint.h>

#include "unwind_scenarios.h"

extern volatile uint32_t g_unwind_sink;

__attribute__((noinline)) void vendor_call_exidx(void (*fn)(uint32_t), uint32_t v)
{
	volatile uint32_t local[5] = {v, v + 1, v + 2, v + 3, v + 4};

	fn(local[1]);
	g_unwind_sink += local[0] + local[4];
}
