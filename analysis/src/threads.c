/* SPDX-License-Identifier: Apache-2.0 */
/* The threads of a dump (fa/threads.h), FreeRTOS's: TCB_t, ListItem_t and List_t laid out from the ELF's DWARF
 * (members by name), the kernel's lists by symbol, their items followed through the dump's memory (bounded), each
 * switched-out task's registers read from its saved context in the layout of the port the ELF was built with. */
#include <dwarf.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "data.h"
#include "dwtype.h"
#include "elf_private.h"
#include "fa/threads.h"
#include "ff/bytes.h"

#define LIST_STEPS_MAX 256u /* items followed in one list */
#define READY_LISTS_MAX 64u

/* Where FreeRTOS keeps what is read, in this build. */
struct kernel {
	uint64_t tcb_size, top, stack, end, priority, name, name_len, state_item, event_item;
	unsigned priority_size;
	bool has_end, has_priority, has_name, has_event_item;
	uint64_t item_next, item_owner, item_container;
	uint64_t list_size, list_count, list_first; /* List_t's size, uxNumberOfItems, xListEnd.pxNext */
	uint64_t list_end;                          /* xListEnd */
	uint64_t current_var;                       /* &pxCurrentTCB */
	uint64_t ready, nready;                     /* pxReadyTasksLists */
	struct {
		uint64_t addr;
		enum fa_thread_state state;
	} lists[6];
	size_t nlists;
	bool cm4f; /* tasks save EXC_RETURN and, with an FPU frame, s16-s31 (ARM_CM4F) */
	bool asm_port; /* vStartFirstTask: the context switch is in portasm.c (ARM_CM0 since V11.1, ARMv8-M) */
	bool mpu;  /* an MPU port: a switched-out task's context is in its TCB (xMPUSettings), not on its stack */
	bool valid; /* the ELF has a FreeRTOS read so; else why says why not */
	char why[200];
};

struct find {
	const char *name;
	uint64_t off;
	Dwarf_Die type;
	bool found;
};

static int find_member(const struct fa_dwtype_member *m, void *ctx)
{
	struct find *f = ctx;
	Dwarf_Die die = m->die;

	if (m->name == NULL || strcmp(m->name, f->name) != 0)
		return 0;
	f->off = m->offset;
	f->found = fa_dwtype_of(&f->type, &die) == 0;
	return 1;
}

/* The offset (and type) of a struct's member by name. */
static bool member(Dwarf_Die *type, const char *name, uint64_t *off, Dwarf_Die *mtype)
{
	struct find f = {name, 0, {0}, false};

	fa_dwtype_members(type, find_member, &f);
	if (f.found) {
		*off = f.off;
		if (mtype != NULL)
			*mtype = f.type;
	}
	return f.found;
}

static bool size_of(Dwarf_Die *type, uint64_t *out)
{
	return fa_dwtype_size(out, type) == 0;
}

/* TCB_t, ListItem_t and List_t from pxCurrentTCB's type and xDelayedTaskList1's; false when this is no FreeRTOS
 * build faultline can read (why in note). */
static bool layout(struct kernel *k, struct fa_elf *e, char *note, size_t cap)
{
	Dwarf_Die ptr, tcb, item, list, end, t;
	uint64_t addr, off;
	struct fa_dwtype_array a;
	static const struct {
		const char *name;
		enum fa_thread_state state;
	} k_lists[] = {{"xDelayedTaskList1", FA_THREAD_BLOCKED}, {"xDelayedTaskList2", FA_THREAD_BLOCKED},
		       {"xPendingReadyList", FA_THREAD_READY},   {"xTasksWaitingTermination", FA_THREAD_DELETED},
		       {"xSuspendedTaskList", FA_THREAD_SUSPENDED}};

	memset(k, 0, sizeof(*k));
	if (fa_data_variable(e, "pxCurrentTCB", &k->current_var, &ptr) != 0 || fa_dwtype_strip(&ptr, &ptr) != 0 ||
	    dwarf_tag(&ptr) != DW_TAG_pointer_type || fa_dwtype_of(&tcb, &ptr) != 0 || !size_of(&tcb, &k->tcb_size)) {
		snprintf(note, cap, "the ELF has no pxCurrentTCB of a TCB type: no FreeRTOS kernel to read");
		return false;
	}
	if (!member(&tcb, "pxTopOfStack", &k->top, NULL) || !member(&tcb, "pxStack", &k->stack, NULL) ||
	    !member(&tcb, "xStateListItem", &k->state_item, &item)) {
		snprintf(note, cap, "TCB_t has no pxTopOfStack, pxStack or xStateListItem: a FreeRTOS faultline does "
			 "not read");
		return false;
	}
	k->has_end = member(&tcb, "pxEndOfStack", &k->end, NULL);
	k->has_event_item = member(&tcb, "xEventListItem", &k->event_item, NULL);
	if ((k->has_priority = member(&tcb, "uxPriority", &k->priority, &t) && size_of(&t, &off) && off <= 4))
		k->priority_size = (unsigned)off;
	k->has_name = member(&tcb, "pcTaskName", &k->name, &t) && size_of(&t, &k->name_len) && k->name_len > 0;
	if (!member(&item, "pxNext", &k->item_next, NULL) || !member(&item, "pvOwner", &k->item_owner, NULL) ||
	    (!member(&item, "pxContainer", &k->item_container, NULL) &&
	     !member(&item, "pvContainer", &k->item_container, NULL))) {
		snprintf(note, cap, "ListItem_t has no pxNext, pvOwner or pxContainer: a FreeRTOS faultline does not read");
		return false;
	}
	if (fa_data_variable(e, "xDelayedTaskList1", &addr, &list) != 0 || !size_of(&list, &k->list_size) ||
	    k->list_size == 0 || k->tcb_size == 0 ||
	    !member(&list, "uxNumberOfItems", &k->list_count, NULL) || !member(&list, "xListEnd", &k->list_end, &end) ||
	    !member(&end, "pxNext", &off, NULL)) {
		snprintf(note, cap, "no xDelayedTaskList1 of a List_t type: a FreeRTOS faultline does not read");
		return false;
	}
	k->list_first = k->list_end + off;
	if (fa_data_variable(e, "pxReadyTasksLists", &k->ready, &t) == 0 && fa_dwtype_array(&a, &t) == 0 &&
	    a.ndims == 1 && a.element_size == k->list_size && a.count[0] <= READY_LISTS_MAX)
		k->nready = a.count[0];
	for (size_t i = 0; i < sizeof(k_lists) / sizeof(k_lists[0]); i++)
		if (fa_data_variable(e, k_lists[i].name, &addr, &t) == 0)
			k->lists[k->nlists].addr = addr, k->lists[k->nlists++].state = k_lists[i].state;
	k->cm4f = fa_elf_has_function(e, "vPortEnableVFP");
	k->asm_port = fa_elf_has_function(e, "vStartFirstTask");
	k->mpu = member(&tcb, "xMPUSettings", &off, NULL);
	return true;
}

static bool word(const struct ff_coredump *c, uint64_t addr, uint64_t *out)
{
	const uint8_t *p = ff_coredump_memory(c, addr, 4);

	if (p == NULL)
		return false;
	*out = ff_le32(p);
	return true;
}

static struct fa_thread *add(struct fa_threads *out, uint64_t tcb)
{
	if (tcb == 0)
		return NULL;
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].id == tcb)
			return NULL;
	out->found++;
	if (out->n == FA_THREADS_MAX)
		return NULL;
	memset(&out->v[out->n], 0, sizeof(out->v[0]));
	out->v[out->n].id = tcb;
	return &out->v[out->n++];
}

/* The tasks the list at addr holds, as far as the dump's memory shows them: bounded, a loop ends it. */
static void walk(struct fa_threads *out, const struct kernel *k, const struct ff_coredump *c, uint64_t list)
{
	uint64_t count, item, owner;

	if (!word(c, list + k->list_count, &count) || !word(c, list + k->list_first, &item))
		return;
	for (uint64_t steps = 0; steps < count && steps < LIST_STEPS_MAX && item != list + k->list_end; steps++) {
		if (!word(c, item + k->item_owner, &owner))
			return;
		add(out, owner);
		if (!word(c, item + k->item_next, &item))
			return;
	}
}

static enum fa_thread_state state_of(const struct kernel *k, const struct ff_coredump *c, uint64_t tcb)
{
	uint64_t container, event;

	if (!word(c, tcb + k->state_item + k->item_container, &container))
		return FA_THREAD_UNKNOWN;
	if (k->nready > 0 && container >= k->ready && container < k->ready + k->nready * k->list_size &&
	    (container - k->ready) % k->list_size == 0)
		return FA_THREAD_READY;
	for (size_t i = 0; i < k->nlists; i++) {
		if (container != k->lists[i].addr)
			continue;
		/* waiting with no timeout: in the suspended list, and in an object's event list too */
		if (k->lists[i].state == FA_THREAD_SUSPENDED && k->has_event_item &&
		    word(c, tcb + k->event_item + k->item_container, &event) && event != 0)
			return FA_THREAD_BLOCKED;
		return k->lists[i].state;
	}
	return FA_THREAD_UNKNOWN;
}

/* How a port saves a switched-out task's context on its stack, below the hardware's exception frame. */
enum save {
	SAVE_CM3,  /* ARM_CM3: r4-r11 */
	SAVE_CM4F, /* ARM_CM4F: r4-r11, EXC_RETURN, then s16-s31 when the task had an FPU frame */
	SAVE_CM0,  /* ARM_CM0 (V11.1 and later, portasm.c): EXC_RETURN, r4-r7, r8-r11 */
	SAVE_NONE, /* not read: note says why */
};

/* The layout of this dump's tasks: the ELF's port symbols, and for ARMv6-M the dump (it alone has no fault
 * status registers, docs/FORMAT.md 8.1). Writes what was known how, or why none applies, to text. */
static enum save save_of(const struct kernel *k, const struct ff_coredump *c, char *text, size_t cap)
{
	if (k->mpu)
		return snprintf(text, cap, "a FreeRTOS MPU port keeps a switched-out task's context in its TCB "
			 "(xMPUSettings): this version does not unwind it"), SAVE_NONE;
	if (!c->has_fault && k->asm_port && !k->cm4f)
		return snprintf(text, cap, "ARM_CM0 (ARMv6-M: no fault status in the dump; the ELF has "
			 "vStartFirstTask)"), SAVE_CM0;
	if (!c->has_fault)
		return snprintf(text, cap, "on ARMv6-M faultline reads the ARM_CM0 port of FreeRTOS V11.1 and later "
			 "(vStartFirstTask): this ELF has an older one"), SAVE_NONE;
	if (k->asm_port)
		return snprintf(text, cap, "an ARMv8-M port of FreeRTOS (the ELF has vStartFirstTask): this version "
			 "does not read its saved contexts"), SAVE_NONE;
	if (k->cm4f)
		return snprintf(text, cap, "ARM_CM4F (the ELF has vPortEnableVFP)"), SAVE_CM4F;
	return snprintf(text, cap, "ARM_CM3 (the ELF has no vPortEnableVFP)"), SAVE_CM3;
}

/* A switched-out task's registers from its saved context at sp (its pxTopOfStack), in the port's layout. */
static bool saved_context(enum save save, const struct ff_coredump *c, uint64_t sp, uint32_t regs[16],
			  char *note, size_t cap)
{
	uint64_t w, exc = 0xfffffffdu, frame;
	uint64_t low = save == SAVE_CM0 ? sp + 4 : sp; /* r4-r11 */

	for (unsigned i = 0; i < 8; i++) {
		if (!word(c, low + 4 * i, &w))
			return snprintf(note, cap, "its saved context at 0x%08llx is not in the dump",
					(unsigned long long)sp), false;
		regs[4 + i] = (uint32_t)w;
	}
	if (save != SAVE_CM3 && !word(c, save == SAVE_CM0 ? sp : sp + 32, &exc))
		return snprintf(note, cap, "its saved EXC_RETURN at 0x%08llx is not in the dump",
				(unsigned long long)(save == SAVE_CM0 ? sp : sp + 32)), false;
	frame = sp + (save == SAVE_CM3 ? 32u : 36u) + ((exc & 0x10u) == 0 ? 64u : 0u); /* past s16-s31 */
	for (unsigned i = 0; i < 8; i++) {
		static const int k_hw[8] = {0, 1, 2, 3, 12, 14, 15, -1};

		if (!word(c, frame + 4 * i, &w))
			return snprintf(note, cap, "its exception frame at 0x%08llx is not in the dump",
					(unsigned long long)frame), false;
		if (k_hw[i] >= 0)
			regs[k_hw[i]] = (uint32_t)w;
		else /* xPSR: the pad word's bit 9 */
			regs[13] = (uint32_t)(frame + 32 + ((exc & 0x10u) == 0 ? 72u : 0u) + (w & 0x200u ? 4u : 0u));
	}
	return true;
}

/* ntasks: how many of c->tasks to believe (the `rtos` key's tasks, when its kind is FreeRTOS) */
static void describe(struct fa_thread *t, const struct kernel *k, const struct ff_coredump *c, size_t ntasks)
{
	const uint8_t *p;
	uint64_t v;

	if (k->has_name && (p = ff_coredump_memory(c, t->id + k->name, (size_t)k->name_len)) != NULL) {
		size_t n = (size_t)k->name_len < sizeof(t->name) ? (size_t)k->name_len : sizeof(t->name) - 1;

		memcpy(t->name, p, n);
		t->name[n] = '\0';
		ff_text_printable(t->name);
	}
	if (k->has_priority && (p = ff_coredump_memory(c, t->id + k->priority, k->priority_size)) != NULL) {
		t->priority = (uint32_t)ff_le(p, k->priority_size);
		t->has_priority = true;
	}
	if (word(c, t->id + k->stack, &t->stack_lo) && k->has_end && word(c, t->id + k->end, &v) &&
	    v + 4 > t->stack_lo) {
		t->stack_hi = v + 4; /* pxEndOfStack: the last word */
		t->has_stack = true;
	}
	word(c, t->id + k->top, &t->sp);
	for (size_t i = 0; i < ntasks; i++) {
		if (c->tasks[i].tcb == t->id && c->tasks[i].has_high_water) {
			t->high_water = c->tasks[i].high_water;
			t->has_high_water = true;
		}
	}
}

/* Whether a control block holds together: a stack of at most 16 MiB, its saved stack pointer inside it (or a
 * little below: an overflow). */
static bool plausible(const struct fa_thread *t)
{
	return !t->has_stack || (t->stack_hi - t->stack_lo <= 16u << 20 && t->sp + 1024 >= t->stack_lo &&
				 t->sp <= t->stack_hi);
}

static void destroy_kernel(void *p)
{
	free(p);
}

/* The kernel's layout in this ELF, read once and kept in the handle (a warm trace pays nothing for it); NULL when
 * the ELF has no FreeRTOS faultline reads (why in note). */
static const struct kernel *kernel_of(struct fa_elf *e, char *note, size_t cap)
{
	struct kernel *k = fa_elf_index(e, FA_ELF_INDEX_THREADS);

	if (k == NULL) {
		if ((k = calloc(1, sizeof(*k))) == NULL)
			return snprintf(note, cap, "out of memory"), NULL;
		k->valid = layout(k, e, k->why, sizeof(k->why));
		fa_elf_set_index(e, FA_ELF_INDEX_THREADS, k, destroy_kernel);
	}
	if (!k->valid)
		snprintf(note, cap, "%s", k->why);
	return k->valid ? k : NULL;
}

int fa_threads_find(struct fa_threads *out, struct fa_elf *e, const struct ff_message *m)
{
	const struct ff_coredump *c = &m->core;
	/* the device's `rtos` key counts only when it speaks of FreeRTOS (FORMAT.md: an unknown kind is ignored) */
	bool key = c->has_rtos && c->rtos_kind == FF_RTOS_FREERTOS, overflow = key && c->has_rtos_overflow;
	size_t ntasks = key ? c->ntasks : 0;
	const struct kernel *k;
	uint64_t current = 0;
	enum save save;
	char why[160];

	memset(out, 0, offsetof(struct fa_threads, v));
	out->n = out->found = 0;
	out->layout[0] = out->note[0] = '\0';
	if (m->type != FF_MSG_COREDUMP || m->arch != 40 || m->os != 0)
		return 0;
	if ((k = kernel_of(e, out->note, sizeof(out->note))) == NULL) {
		if (!c->has_rtos)
			out->note[0] = '\0'; /* no RTOS in the ELF, none in the dump: nothing to say */
		return 0;
	}
	out->rtos = "FreeRTOS";
	save = save_of(k, c, why, sizeof(why));
	snprintf(out->layout, sizeof(out->layout), "%s", save == SAVE_NONE ? "not read" : why);
	if (!word(c, k->current_var, &current) || current == 0) {
		snprintf(out->note, sizeof(out->note), "pxCurrentTCB (at 0x%08llx) is not in the dump, or no task ran",
			 (unsigned long long)k->current_var);
		return 0;
	}
	add(out, current);
	for (size_t i = 0; i < ntasks; i++) /* the device's list, then what the kernel's lists hold */
		add(out, c->tasks[i].tcb);
	for (uint64_t p = 0; p < k->nready; p++)
		walk(out, k, c, k->ready + p * k->list_size);
	for (size_t i = 0; i < k->nlists; i++)
		walk(out, k, c, k->lists[i].addr);
	for (size_t i = 0; i < out->n; i++) {
		struct fa_thread *t = &out->v[i];

		describe(t, k, c, ntasks);
		if (!plausible(t)) {
			snprintf(t->note, sizeof(t->note), "not a task's control block, it seems (a corrupt list?): its "
				 "stack would be 0x%08llx-0x%08llx, its saved stack pointer 0x%08llx",
				 (unsigned long long)t->stack_lo, (unsigned long long)t->stack_hi,
				 (unsigned long long)t->sp);
			t->name[0] = '\0';
			t->has_priority = t->has_stack = t->has_high_water = false;
			t->state = FA_THREAD_UNKNOWN;
			continue;
		}
		t->state = t->id == current ? FA_THREAD_RUNNING : state_of(k, c, t->id);
		t->crashed = overflow ? t->id == c->rtos_overflow : t->id == current;
		if (t->id == current && !(overflow && c->rtos_overflow == current)) {
			/* the report's own frames are this thread's: its stack pointer is the interrupted one, or the process
			 * stack's when an exception came over it in handler mode (EXC_RETURN bit 2: thread on PSP) */
			t->sp = (c->regs[FF_CM_EXC_RETURN] & 0x4u) != 0 || c->nregs <= FF_CM_PSP ? c->regs[FF_CM_SP]
												 : c->regs[FF_CM_PSP];
			continue;
		}
		if (save == SAVE_NONE) /* (say so rather than read a stack that does not hold it) */
			snprintf(t->note, sizeof(t->note), "%s", why);
		else
			t->has_context = saved_context(save, c, t->sp, t->regs, t->note, sizeof(t->note));
	}
	return 0;
}

const char *fa_thread_state_name(enum fa_thread_state s)
{
	static const char *const k_names[] = {"running", "ready", "blocked", "suspended", "deleted", "unknown"};

	return (unsigned)s < sizeof(k_names) / sizeof(k_names[0]) ? k_names[s] : "unknown";
}
