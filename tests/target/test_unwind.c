/* SPDX-License-Identifier: Apache-2.0 */
/* Crash scenarios of code that is hard to unwind, linked into the test_faults.c images (its run() hands every
 * scenario it does not know to unwind_scenario_run()): inlining across units under -flto, assembly with CFI in
 * .eh_frame running a task on the process stack, code without CFI (assembly, a library built without -g, one with
 * only .ARM.exidx), a tail call from inside an inlined function, IPA clones (.constprop, .isra), and a task whose
 * initial return address is an exit trap. Each ends in lib_store()'s bus fault at 0xfffffff0. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "faultline/cortex_m.h"
#include "faultline/faultline.h"
#include "unwind_scenarios.h"

extern volatile uint32_t g_unwind_sink;
extern uint8_t __stack_top[];
extern uintptr_t s_task_sp; /* test_faults.c: the stack SVC_Handler starts a task on */

/* -flto: static functions and another unit's functions, all inlined into one out-of-line function. */
static void lto_level_a(uint32_t v)
{
	lib_filter(v + 1u);
	g_unwind_sink += 2;
}

__attribute__((noinline)) static void lto_inline(void)
{
	lto_level_a(g_unwind_sink);
	g_unwind_sink++;
}

/* A task on the process stack, entered through run_on_psp (assembly, CFI in .eh_frame). */
static uint32_t s_psp_stack[256] __attribute__((aligned(8)));

__attribute__((noinline)) static void psp_task_leaf(uint32_t v)
{
	lib_store(v);
	g_unwind_sink++;
}

__attribute__((noinline)) static void psp_task_main(void)
{
	psp_task_leaf(g_unwind_sink + 3u);
	g_unwind_sink++;
}

__attribute__((noinline)) static void eh_trampoline(void)
{
	uintptr_t top = (uintptr_t)(s_psp_stack + 256);

	/* the main stack's top holds run_on_psp's frame and its callers: the dump must carry it, as an RTOS port's
	 * region list would */
	BOARD_CHECK(fl_coredump_add_region((const void *)((uintptr_t)__stack_top - 512u), 512) == 0);
	board_set_task_stack((uintptr_t)s_psp_stack, top);
	run_on_psp(psp_task_main, top);
	g_unwind_sink++;
}

/* Callers without CFI: assembly, and C built without -g (with and without .ARM.exidx). */
__attribute__((noinline)) static void crash_in(uint32_t v)
{
	lib_store(v + 1u);
	g_unwind_sink++;
}

__attribute__((noinline)) static void no_cfi_asm(void)
{
	asm_no_cfi(crash_in, g_unwind_sink);
	g_unwind_sink++;
}

__attribute__((noinline)) static void no_cfi_c(void)
{
	vendor_call(crash_in, g_unwind_sink);
	g_unwind_sink++;
}

__attribute__((noinline)) static void exidx(void)
{
	vendor_call_exidx(crash_in, g_unwind_sink);
	g_unwind_sink++;
}

/* A tick function whose inlined part ends in a tail call of the hook (as an RTOS tick calls the application's). */
static volatile uint32_t s_ticks;

__attribute__((noinline)) static void tick_hook(uint32_t ticks)
{
	lib_store(ticks);
	g_unwind_sink += 9; /* not psp_task_leaf's code: -fipa-icf would fold the two into one */
}

static inline __attribute__((always_inline)) void tick_advance(uint32_t n)
{
	s_ticks += n;
	if (s_ticks > 3u)
		tick_hook(s_ticks);
}

__attribute__((noinline)) static void tick(uint32_t n)
{
	g_unwind_sink++;
	tick_advance(n);
}

__attribute__((noinline)) static void tail_inline(void)
{
	tick(5);
	g_unwind_sink++;
}

/* The hook tail-called from two sites of one function, one of them inlined: either crash is the same chain. */
static inline __attribute__((always_inline)) void tick2_advance(uint32_t n)
{
	s_ticks += n;
	if (s_ticks > 3u)
		tick_hook(s_ticks);
}

__attribute__((noinline)) static void tick2(uint32_t n)
{
	if (n == 0u) {
		tick_hook(s_ticks);
		return;
	}
	g_unwind_sink++;
	tick2_advance(n);
}

__attribute__((noinline)) static void tail_sites(void)
{
	tick2(g_unwind_sink == 77u ? 0u : 6u);
	g_unwind_sink++;
}

/* IPA clones: set_level is only ever called with which = 3 (.constprop); apply, called with two structures, only
 * reads one member of them (.isra: GCC passes the member instead). */
struct unwind_cfg {
	uint32_t mode, gain, pad[6];
};

static struct unwind_cfg s_cfg = {1, 40, {0}}, s_cfg_b = {2, 50, {0}};

__attribute__((noinline)) static void set_level(int which, uint32_t v)
{
	if (which == 3)
		lib_store(v);
	g_unwind_sink += (uint32_t)which;
}

__attribute__((noinline)) static void apply(const struct unwind_cfg *c)
{
	set_level(3, c->gain);
	g_unwind_sink++;
}

__attribute__((noinline)) static void ipa_clones(void)
{
	if (g_unwind_sink == 12345u)
		apply(&s_cfg_b);
	apply(&s_cfg);
	g_unwind_sink++;
}

/* A noreturn function: GCC uses r4-r6, r8 and r9 in it without saving them, and its CFI still says "same value"
 * for them; above it, they are unknown. */
__attribute__((noreturn, noinline)) static void die_hard(uint32_t v)
{
	uint32_t a = v * 3u, b = v * 5u, c = v * 7u;

	for (uint32_t i = 0; i < v; i++) {
		a += g_unwind_sink;
		b ^= a;
		c += b;
	}
	lib_store(a ^ b ^ c);
	for (;;)
		g_unwind_sink++;
}

__attribute__((noinline)) static void noreturn_clobber(void)
{
	die_hard(g_unwind_sink + 2u);
}

/* A task whose initial lr is the exit trap (as an RTOS starts tasks): its entry function is the outermost frame. */
static uint32_t s_trap_stack[256] __attribute__((aligned(8)));

__attribute__((noinline)) static void trap_task_entry(void)
{
	psp_task_leaf(g_unwind_sink);
	for (;;)
		g_unwind_sink++;
}

__attribute__((noinline)) static void exit_trap(void)
{
	uint32_t *frame = s_trap_stack + 256 - 8;

	board_set_task_stack((uintptr_t)s_trap_stack, (uintptr_t)(s_trap_stack + 256));
	memset(frame, 0, 8 * sizeof(*frame));
	frame[5] = (uint32_t)(uintptr_t)task_exit_trap;   /* lr: the exit trap, Thumb bit set */
	frame[6] = (uint32_t)(uintptr_t)trap_task_entry & ~1u; /* pc */
	frame[7] = 1u << 24;                               /* xPSR: Thumb */
	s_task_sp = (uintptr_t)frame;
	__asm__ volatile("svc #0" ::: "memory");
}

bool unwind_scenario_run(const char *name);
bool unwind_scenario_run(const char *name)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} k_scenarios[] = {{"lto_inline", lto_inline}, {"eh_trampoline", eh_trampoline}, {"no_cfi_asm", no_cfi_asm},
			   {"no_cfi_c", no_cfi_c},     {"exidx", exidx},                 {"tail_inline", tail_inline},
			   {"tail_sites", tail_sites},
			   {"ipa_clones", ipa_clones}, {"exit_trap", exit_trap},
			   {"noreturn_clobber", noreturn_clobber}};

	for (size_t i = 0; i < sizeof(k_scenarios) / sizeof(k_scenarios[0]); i++) {
		if (strcmp(name, k_scenarios[i].name) == 0) {
			fl_cm_configure(FL_CM_FAULT_HANDLERS);
			board_puts("#T:expect bfar=fffffff0\n");
			k_scenarios[i].fn();
			return true;
		}
	}
	return false;
}
