/* SPDX-License-Identifier: Apache-2.0 */
/* A "vendor library" built without -g (tests/target/CMakeLists.txt): no DWARF, no CFI. vendor_call_exidx's file
 * twin, unwind_vendor_exidx.c, is built with -funwind-tables, so it has .ARM.exidx entries and nothing else. */
#include <stdint.h>

#include "unwind_scenarios.h"

extern volatile uint32_t g_unwind_sink;

__attribute__((noinline)) void vendor_call(void (*fn)(uint32_t), uint32_t v)
{
	volatile uint32_t local[3] = {v, v + 1, v + 2};

	fn(local[1]);
	g_unwind_sink += local[0] + local[2];
}
