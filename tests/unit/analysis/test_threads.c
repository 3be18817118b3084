/* SPDX-License-Identifier: Apache-2.0 */
/* The saved-context layouts of fa_threads_find() (analysis/src/threads.c), on the real FreeRTOS test images'
 * ELFs (tests/target/rtos: ARM_CM3, ARM_CM4F, and ARM_CM0, which QEMU 7.2 cannot run): a dump's memory is made
 * here, with the kernel's variables where GDB says the ELF has them and two switched-out tasks whose contexts are
 * written as each port's context switch writes them (the kernel's portable/GCC/PORT sources); each task's
 * registers must come back word for word. GDB, not faultline, gives every address and offset. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fa/elf.h"
#include "fa/threads.h"
#include "ff/bytes.h"
#include "ff/message.h"

#define TASKS_BASE 0x20100000u /* the tasks' memory: a region of its own, above every test image's RAM */
#define TASKS_SIZE 0x1000u
#define KERNEL_SIZE 0x10000u /* the kernel's variables: the first 64 KiB of RAM */

enum port { CM3, CM4F, CM0 };

/* What GDB says of the ELF. */
struct layout {
	uint32_t current, ready, list_count, list_end, list_first, item_next, item_owner;
	uint32_t top, stack, end, name;
};

static struct fa_threads s_threads;
static uint8_t s_kernel[KERNEL_SIZE], s_tasks[TASKS_SIZE];

static void gdb_layout(const char *elf, struct layout *l)
{
	static const struct {
		const char *name, *expr;
		size_t off;
	} k_exprs[] = {
		{"current", "&pxCurrentTCB", offsetof(struct layout, current)},
		{"ready", "&pxReadyTasksLists[0]", offsetof(struct layout, ready)},
		{"list_count", "&((List_t *)0)->uxNumberOfItems", offsetof(struct layout, list_count)},
		{"list_end", "&((List_t *)0)->xListEnd", offsetof(struct layout, list_end)},
		{"list_first", "&((List_t *)0)->xListEnd.pxNext", offsetof(struct layout, list_first)},
		{"item_next", "&((ListItem_t *)0)->pxNext", offsetof(struct layout, item_next)},
		{"item_owner", "&((ListItem_t *)0)->pvOwner", offsetof(struct layout, item_owner)},
		{"top", "&((TCB_t *)0)->pxTopOfStack", offsetof(struct layout, top)},
		{"stack", "&((TCB_t *)0)->pxStack", offsetof(struct layout, stack)},
		{"end", "&((TCB_t *)0)->pxEndOfStack", offsetof(struct layout, end)},
		{"name", "&((TCB_t *)0)->pcTaskName", offsetof(struct layout, name)},
	};
	char cmd[4096], line[256];
	size_t n = (size_t)snprintf(cmd, sizeof(cmd), "gdb-multiarch -q -nx -batch '%s'", elf);
	unsigned got = 0;
	FILE *p;

	for (size_t i = 0; i < sizeof(k_exprs) / sizeof(k_exprs[0]); i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " -ex 'printf \"%s %%u\\n\", (unsigned)(%s)'",
				      k_exprs[i].name, k_exprs[i].expr);
	assert_true(n < sizeof(cmd));
	assert_non_null(p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p) != NULL) {
		char name[32];
		unsigned v;

		if (sscanf(line, "%31s %u", name, &v) != 2)
			continue;
		for (size_t i = 0; i < sizeof(k_exprs) / sizeof(k_exprs[0]); i++)
			if (strcmp(name, k_exprs[i].name) == 0) {
				memcpy((char *)l + k_exprs[i].off, &v, sizeof(v));
				got++;
			}
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(got, sizeof(k_exprs) / sizeof(k_exprs[0]));
	assert_true(l->current >= 0x20000000u && l->current + 4 <= 0x20000000u + KERNEL_SIZE);
	assert_true(l->ready >= 0x20000000u && l->ready + 64 <= 0x20000000u + KERNEL_SIZE);
}

static void put(uint32_t addr, uint32_t v)
{
	if (addr >= TASKS_BASE && addr + 4 <= TASKS_BASE + TASKS_SIZE)
		ff_put_le(s_tasks + (addr - TASKS_BASE), v, 4);
	else if (addr >= 0x20000000u && addr + 4 <= 0x20000000u + KERNEL_SIZE)
		ff_put_le(s_kernel + (addr - 0x20000000u), v, 4);
	else
		fail_msg("0x%08x is in no region of the test's dump", addr);
}

/* One switched-out task: its TCB at tcb, its stack [tcb + 0x100, tcb + 0x300), its context as port saves it at
 * sp; r[16] the registers it had (r13: what sp becomes after the context and the frame are popped). */
struct task {
	uint32_t tcb, sp, exc_return, xpsr;
	uint32_t r[16];
};

static void save(const struct layout *l, enum port port, struct task *t)
{
	uint32_t a = t->sp, frame;
	bool fpu = (t->exc_return & 0x10u) == 0;

	put(t->tcb + l->top, t->sp);
	put(t->tcb + l->stack, t->tcb + 0x100);
	put(t->tcb + l->end, t->tcb + 0x300 - 4);
	put(t->tcb + l->name, 0x6b736174u); /* "task" */
	if (port == CM0) /* EXC_RETURN, r4-r7, r8-r11 (ARM_CM0/portasm.c PendSV_Handler) */
		put(a, t->exc_return), a += 4;
	for (int i = 4; i <= 11; i++, a += 4)
		put(a, t->r[i]);
	if (port == CM4F) /* r4-r11, r14 (ARM_CM4F/port.c), then s16-s31 when the task had an FPU frame */
		put(a, t->exc_return), a += 4 + (fpu ? 64u : 0u);
	frame = a;
	for (int i = 0; i < 4; i++) /* the hardware's frame: r0-r3, r12, lr, pc, xPSR (then s0-s15, FPSCR, pad) */
		put(frame + 4 * (uint32_t)i, t->r[i]);
	put(frame + 16, t->r[12]);
	put(frame + 20, t->r[14]);
	put(frame + 24, t->r[15]);
	put(frame + 28, t->xpsr);
	t->r[13] = frame + 32 + (fpu ? 72u : 0u) + ((t->xpsr & 0x200u) ? 4u : 0u);
}

static const struct fa_thread *thread(uint64_t id)
{
	for (size_t i = 0; i < s_threads.n; i++)
		if (s_threads.v[i].id == id)
			return &s_threads.v[i];
	fail_msg("no thread 0x%08llx", (unsigned long long)id);
	return NULL;
}

/* The image's dump: pxCurrentTCB names a running task, the first ready list holds two switched-out ones (b: a
 * plain frame; c: the aligner word, and an FPU frame on the M4F), the context of each as the port saves it. */
static void run(const char *image, enum port port, bool has_fault, uint32_t cut, const char *layout,
		const char *note)
{
	char path[1024];
	struct layout l;
	struct fa_elf *e = NULL;
	struct ff_error err;
	struct ff_region regions[2];
	struct ff_message m;
	struct task b = {TASKS_BASE + 0x400, TASKS_BASE + 0x580, 0xfffffffdu, 0x01000000u, {0}};
	struct task c = {TASKS_BASE + 0x800, TASKS_BASE + 0x9a0, port == CM4F ? 0xffffffedu : 0xfffffffdu,
			 0x01000200u, {0}};
	uint32_t running = TASKS_BASE, item_b = TASKS_BASE + 0x200, item_c = TASKS_BASE + 0x220;

	snprintf(path, sizeof(path), "%s/%s.elf", FL_TEST_FIRMWARE, image);
	gdb_layout(path, &l);
	memset(s_kernel, 0, sizeof(s_kernel));
	memset(s_tasks, 0, sizeof(s_tasks));
	for (int i = 0; i < 16; i++) {
		b.r[i] = 0xb0000000u + (uint32_t)i * 0x01010101u;
		c.r[i] = 0xc0000000u + (uint32_t)i * 0x00100001u;
	}
	b.r[15] = 0x00000400u, c.r[15] = 0x00000500u; /* code addresses */
	put(l.current, running);
	put(running + l.top, running + 0x180);
	put(running + l.stack, running + 0x100);
	put(running + l.end, running + 0x1fc);
	put(l.ready + l.list_count, 2);
	put(l.ready + l.list_first, item_b);
	put(item_b + l.item_owner, b.tcb);
	put(item_b + l.item_next, item_c);
	put(item_c + l.item_owner, c.tcb);
	put(item_c + l.item_next, l.ready + l.list_end);
	save(&l, port, &b);
	save(&l, port, &c);

	memset(&m, 0, sizeof(m));
	m.type = FF_MSG_COREDUMP;
	m.arch = 40;
	m.core.has_fault = has_fault;
	m.core.nregs = 17;
	regions[0] = (struct ff_region){0x20000000u, 0, s_kernel, sizeof(s_kernel)};
	regions[1] = (struct ff_region){TASKS_BASE, 0, s_tasks, cut != 0 ? cut - TASKS_BASE : sizeof(s_tasks)};
	m.core.regions = regions;
	m.core.nregions = 2;

	assert_int_equal(fa_elf_open(&e, path, &err), 0);
	assert_int_equal(fa_threads_find(&s_threads, e, &m), 0);
	assert_string_equal(s_threads.rtos, "FreeRTOS");
	assert_int_equal(s_threads.n, 3);
	assert_string_equal(s_threads.layout, layout);
	assert_int_equal(thread(running)->state, FA_THREAD_RUNNING);
	for (const struct task *t = &b; t != NULL; t = t == &b ? &c : NULL) {
		const struct fa_thread *th = thread(t->tcb);

		assert_string_equal(th->name, "task");
		if (note != NULL && (cut == 0 || t == &c)) { /* (a cut takes c's context only) */
			assert_false(th->has_context);
			assert_string_equal(th->note, note);
			continue;
		}
		assert_true(th->has_context);
		for (int i = 0; i < 16; i++)
			if (th->regs[i] != t->r[i])
				fail_msg("%s, task at 0x%08x: r%d is 0x%08x, saved 0x%08x", image, t->tcb, i,
					 th->regs[i], t->r[i]);
	}
	fa_elf_close(e);
}

static void test_cm3(void **state)
{
	(void)state;
	run("freertos-m3", CM3, true, 0, "ARM_CM3 (the ELF has no vPortEnableVFP)", NULL);
}

static void test_cm4f(void **state)
{
	(void)state;
	run("freertos-m4f", CM4F, true, 0, "ARM_CM4F (the ELF has vPortEnableVFP)", NULL);
}

static void test_cm0(void **state)
{
	(void)state;
	run("freertos-m0", CM0, false, 0, "ARM_CM0 (ARMv6-M: no fault status in the dump; the ELF has vStartFirstTask)",
	    NULL);
}

/* A dump whose fault status says ARMv7-M, with an ELF of a portasm.c port: no layout is guessed. */
static void test_cm0_elf_armv7_dump(void **state)
{
	(void)state;
	run("freertos-m0", CM0, true, 0, "not read",
	    "an ARMv8-M port of FreeRTOS (the ELF has vStartFirstTask): this version does not read its saved "
	    "contexts");
}

/* An ARMv6-M dump of an ELF without vStartFirstTask: a kernel older than V11.1, whose order is not read. */
static void test_armv6_dump_older_port(void **state)
{
	(void)state;
	run("freertos-m3", CM3, false, 0, "not read",
	    "on ARMv6-M faultline reads the ARM_CM0 port of FreeRTOS V11.1 and later (vStartFirstTask): this ELF "
	    "has an older one");
}

/* The dump ends inside the second task's saved context: that task says so, the first is whole. */
static void test_cm0_cut(void **state)
{
	(void)state;
	run("freertos-m0", CM0, false, TASKS_BASE + 0x9a0 + 20,
	    "ARM_CM0 (ARMv6-M: no fault status in the dump; the ELF has vStartFirstTask)",
	    "its saved context at 0x201009a0 is not in the dump");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cm3),
		cmocka_unit_test(test_cm4f),
		cmocka_unit_test(test_cm0),
		cmocka_unit_test(test_cm0_elf_armv7_dump),
		cmocka_unit_test(test_armv6_dump_older_port),
		cmocka_unit_test(test_cm0_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
