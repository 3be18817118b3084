/* SPDX-License-Identifier: Apache-2.0 */
/* The "hostile" scenario of tests/target/test_vars.c: a function whose source file, as its DWARF names it, is markup
 * (the #line below sets the name), with a local string of markup: text the dashboard must show as text
 * (tests/e2e/dashboard_hostile.py). */
#include <stdint.h>

void hostile_names(void (*crash)(uint32_t));

#line 1 "<script>window.__pwned=4</script>\"'<img src=x onerror=window.__pwned=5>.c"
__attribute__((noinline)) void hostile_names(void (*crash)(uint32_t))
{
	volatile char markup[40] = "<img src=x onerror=window.__pwned=6>";

	crash((uint32_t)(uint8_t)markup[0]);
	markup[1] = 0; /* (not a tail call: this frame stays in the backtrace) */
}
