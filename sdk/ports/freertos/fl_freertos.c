/* SPDX-License-Identifier: Apache-2.0 */
/* The FreeRTOS port's capture (faultline/freertos.h): in the fault path, the kernel's task lists walked through
 * memory that is checked readable word by word, bounded whatever they hold (a loop, a wild pointer, a TCB in
 * flash); the kernel's variables, every task's TCB, and each switched-out task's used stack planned as regions,
 * in the order storage keeps them when it runs short. Cortex-M: the ARM_CM* ports. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faultline/freertos.h"
#include "faultline/port.h"
#include "faultline/rtos.h"
#include "fl_freertos_kernel.h"

#define REG_PSP 18        /* docs/FORMAT.md §8.1: the Cortex-M register words */
#define REG_EXC_RETURN 19
#define LIST_STEPS_MAX 256u /* items followed in one list: more than any task count a dump describes */

static bool read_word(uintptr_t addr, uintptr_t *out)
{
	if (fl_port_memory_readable(addr, sizeof(*out)) != sizeof(*out))
		return false;
	memcpy(out, (const void *)addr, sizeof(*out));
	return true;
}

/* A member of the task whose TCB is at tcb (captured readable whole: add_task()). */
static uintptr_t member(uintptr_t tcb, uint16_t off)
{
	uintptr_t v;

	memcpy(&v, (const void *)(tcb + off), sizeof(v));
	return v;
}

static uint32_t priority_of(const struct fl_freertos_kernel *k, uintptr_t tcb)
{
	uint32_t v = 0;

	memcpy(&v, (const void *)(tcb + k->tcb_priority), k->priority_size < sizeof(v) ? k->priority_size : sizeof(v));
	return v;
}

/* Add the task at tcb once: a TCB that is not readable whole is no task. */
static void add_task(const struct fl_freertos_kernel *k, struct fl_rtos_capture *out, uintptr_t tcb)
{
	if (tcb == 0 || fl_port_memory_readable(tcb, k->tcb_size) != k->tcb_size)
		return;
	for (size_t i = 0; i < out->ntasks; i++)
		if (out->tasks[i].tcb == tcb)
			return;
	out->found++;
	if (out->ntasks < FL_RTOS_TASKS_MAX)
		out->tasks[out->ntasks++] = (struct fl_rtos_task){tcb, FL_RTOS_HIGH_WATER_UNKNOWN};
}

/* The tasks of the list at addr: from its end marker's next, at most its item count and LIST_STEPS_MAX, until
 * back at the marker or at an item that is not readable. */
static void walk(const struct fl_freertos_kernel *k, struct fl_rtos_capture *out, uintptr_t list)
{
	uintptr_t count, item, owner, end = list + k->list_end;

	if (list == 0 || !read_word(list + k->list_count, &count) || !read_word(list + k->list_first, &item))
		return;
	for (uintptr_t steps = 0; steps < count && steps < LIST_STEPS_MAX && item != end; steps++) {
		if (!read_word(item + k->item_owner, &owner))
			return;
		add_task(k, out, owner);
		if (!read_word(item + k->item_next, &item))
			return;
	}
}

/* The stack of the task at tcb: [lo, hi) of its area, when its control block records the top. */
static bool stack_of(const struct fl_freertos_kernel *k, uintptr_t tcb, uintptr_t *lo, uintptr_t *hi)
{
	*lo = member(tcb, k->tcb_stack);
	if (k->tcb_end == FL_FREERTOS_NO_MEMBER)
		return false;
	*hi = member(tcb, k->tcb_end) + sizeof(uintptr_t); /* pxEndOfStack: its last word */
	return *hi > *lo;
}

/* The bytes of the fill pattern left at the bottom of the stack [lo, sp): never used since the task began. */
static uint32_t high_water(const struct fl_freertos_kernel *k, uintptr_t lo, uintptr_t sp)
{
	uintptr_t at = lo;

	if (!k->stack_filled || sp <= lo || fl_port_memory_readable(lo, sp - lo) != sp - lo)
		return FL_RTOS_HIGH_WATER_UNKNOWN;
	while (at < sp && *(const volatile uint8_t *)at == k->fill)
		at++;
	return (uint32_t)(at - lo);
}

/* Plan the used part of a task's stack, from sp (its saved stack pointer) up, at most FL_RTOS_STACK_MAX bytes. A
 * stack pointer below the stack is an overflow (no fill pattern left); above its top, it is not believed. */
static void plan_stack(const struct fl_freertos_kernel *k, struct fl_rtos_task *t, uintptr_t sp)
{
	uintptr_t lo, hi;
	bool bounded = stack_of(k, t->tcb, &lo, &hi);

	if (bounded && sp > hi)
		return;
	fl_coredump_plan(sp, bounded && hi - sp < FL_RTOS_STACK_MAX ? hi - sp : FL_RTOS_STACK_MAX);
	t->high_water = bounded && sp < lo ? 0 : high_water(k, member(t->tcb, k->tcb_stack), sp);
}

void fl_port_rtos_capture(const struct fl_capture *c, struct fl_rtos_capture *out)
{
	const struct fl_freertos_kernel *k = fl_freertos_kernel();
	static size_t order[FL_RTOS_TASKS_MAX]; /* (static: the fault path's stack is small) */
	uintptr_t current = 0, running = 0;
	bool on_task; /* the crash happened in the current task itself (thread mode, process stack) */
	size_t n = 0;

	if (!read_word(k->current, &current) || current == 0 || !read_word(k->running, &running) || !running)
		return; /* before the scheduler started: no task to describe */
	out->kind = FL_RTOS_FREERTOS;
	/* the kernel's variables, then every task's TCB: small, and what a decoder reads first */
	fl_coredump_plan(k->ready, (size_t)k->nready * k->list_size);
	for (size_t i = 0; i < FL_FREERTOS_LISTS; i++)
		if (k->lists[i] != 0)
			fl_coredump_plan(k->lists[i], k->list_size);
	for (size_t i = 0; i < FL_FREERTOS_VARS; i++)
		fl_coredump_plan(k->vars[i].addr, k->vars[i].size);
	add_task(k, out, current);
	for (uint32_t p = 0; p < k->nready && p < LIST_STEPS_MAX; p++)
		walk(k, out, k->ready + (uintptr_t)p * k->list_size);
	for (size_t i = 0; i < FL_FREERTOS_LISTS; i++)
		walk(k, out, k->lists[i]);
	for (size_t i = 0; i < out->ntasks; i++)
		fl_coredump_plan(out->tasks[i].tcb, k->tcb_size);
	/* the stacks: the current task's when an exception interrupted it (in thread mode it is the crash's own
	 * stack, planned first already), then the others, highest priority first */
	on_task = c->nregs > REG_EXC_RETURN && (c->regs[REG_EXC_RETURN] & 0x4u) != 0;
	if (out->ntasks > 0 && out->tasks[0].tcb == current) {
		if (!on_task && c->nregs > REG_PSP) {
			/* and from its process stack pointer, where an exception pushed its registers; in the context
			 * switch (an overflow hook's capture) its context was just saved at pxTopOfStack, which
			 * otherwise still names where it was saved the last time it was switched out: stale */
			if (out->overflow == current)
				plan_stack(k, &out->tasks[0], member(current, k->tcb_top));
			plan_stack(k, &out->tasks[0], c->regs[REG_PSP]);
		} else if (c->sp != 0) {
			out->tasks[0].high_water = high_water(k, member(current, k->tcb_stack), c->sp);
		}
	}
	for (size_t i = 0; i < out->ntasks; i++)
		if (out->tasks[i].tcb != current)
			order[n++] = i;
	for (size_t i = 1; i < n; i++) /* insertion sort by priority, stable: at most FL_RTOS_TASKS_MAX */
		for (size_t j = i; j > 0 && priority_of(k, out->tasks[order[j]].tcb) >
						    priority_of(k, out->tasks[order[j - 1]].tcb); j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		plan_stack(k, &out->tasks[order[i]], member(out->tasks[order[i]].tcb, k->tcb_top));
}

static struct {
	uintptr_t tcb, lo, hi; /* the task the guard protects, and where it is */
} s_guard;

bool fl_freertos_current_stack(uintptr_t *out_lo, uintptr_t *out_hi)
{
	const struct fl_freertos_kernel *k = fl_freertos_kernel();
	uintptr_t current;

	if (!read_word(k->current, &current) || current == 0 ||
	    fl_port_memory_readable(current, k->tcb_size) != k->tcb_size || !stack_of(k, current, out_lo, out_hi))
		return false;
	if (s_guard.tcb == current && s_guard.hi > *out_lo && s_guard.hi < *out_hi)
		*out_lo = s_guard.hi; /* the stack proper starts above its guard */
	return true;
}

bool fl_freertos_guard(uintptr_t *out_lo, uintptr_t *out_hi)
{
	*out_lo = s_guard.lo;
	*out_hi = s_guard.hi;
	return s_guard.hi > s_guard.lo;
}

void fl_freertos_guard_switched_in(void)
{
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
	const struct fl_freertos_kernel *k = fl_freertos_kernel();
	volatile uint32_t *const ctrl = (volatile uint32_t *)0xe000ed94u, *const rnr = (volatile uint32_t *)0xe000ed98u;
	volatile uint32_t *const rbar = (volatile uint32_t *)0xe000ed9cu, *const rasr = (volatile uint32_t *)0xe000eda0u;
	uintptr_t current = *(const volatile uintptr_t *)k->current, lo, hi, guard;
	uint32_t log2 = 0;

	if (current == 0 || !stack_of(k, current, &lo, &hi))
		return;
	/* above the 16 bytes the kernel's own check (configCHECK_FOR_STACK_OVERFLOW 2) reads at every switch */
	guard = (lo + 16u + FL_FREERTOS_GUARD_SIZE - 1u) & ~(uintptr_t)(FL_FREERTOS_GUARD_SIZE - 1u);
	if (guard + FL_FREERTOS_GUARD_SIZE >= hi)
		return; /* a stack too small to give some of it up */
	while ((1u << log2) < FL_FREERTOS_GUARD_SIZE)
		log2++;
	s_guard.tcb = 0; /* (while it moves: neither the old place nor the new is trusted) */
	*rnr = FL_FREERTOS_GUARD_REGION;
	*rbar = (uint32_t)guard;
	*rasr = 1u << 28 | (log2 - 1u) << 1 | 1u; /* XN, AP 0: no access, SIZE, ENABLE */
	*ctrl = 1u << 2 | 1u;                     /* PRIVDEFENA, ENABLE */
	__asm__ volatile("dsb\n isb" ::: "memory");
	s_guard.lo = guard;
	s_guard.hi = guard + FL_FREERTOS_GUARD_SIZE;
	s_guard.tcb = current;
#endif
}
