/* SPDX-License-Identifier: Apache-2.0 */
/* The other translation unit of test_unwind.c's LTO scenario: with -flto these small functions are inlined into
 * their callers across the unit boundary, as field firmware's drivers are into the application. */
#include <stdint.h>

#include "unwind_scenarios.h"

volatile uint32_t g_unwind_sink;

void lib_store(uint32_t v)
{
	*(volatile uint32_t *)(0xfffffff0u - (v & 0)) = v; /* the bus fault */
	g_unwind_sink += v;
}

void lib_filter(uint32_t v)
{
	lib_store(v * 5u);
	g_unwind_sink++;
}
