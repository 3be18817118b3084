/* SPDX-License-Identifier: Apache-2.0 */
/* Coredump capture (docs/FORMAT.md §8.1): what a dump holds — registers, fault words, the stack and the registered
 * regions, clipped to readable memory — planned to fit the space storage has, and encoded straight into it
 * (storage_private.h). Runs in the fault path. */
#include <string.h>

#include "coredump_private.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"
#include "faultline/port.h"
#include "faultline/reboot.h"
#include "faultline/rtos.h"
#include "message_private.h"
#include "reboot_private.h"
#include "storage_private.h"

#define PORT_REGIONS_MAX 4u
/* An RTOS's: its kernel's variables, then each task's control block and stack (each maybe in two pieces). */
#define RTOS_REGIONS_MAX (FL_PORT_HAS_RTOS ? 16u + 3u * FL_RTOS_TASKS_MAX : 0u)
#define REGIONS_CAP (1u + FL_COREDUMP_REGIONS_MAX + PORT_REGIONS_MAX + RTOS_REGIONS_MAX)
#define CLIP_MIN 16u /* a region clipped to fewer bytes than this is left out */
#define FLAG_TRUNCATED 0x1u

/* Coredump payload keys (docs/FORMAT.md §8.1). */
enum {
	KEY_REASON = 1,
	KEY_FLAGS = 2,
	KEY_REGS = 3,
	KEY_FAULT = 4,
	KEY_STACK = 5,
	KEY_REGIONS = 6,
	KEY_SITE = 7,
	KEY_CODE = 8,
	KEY_FPREGS = 9,
	KEY_UPTIME = 10,
	KEY_SIGNAL = 11,
	KEY_RTOS = 12,
};

struct plan {
	struct fl_region r[REGIONS_CAP];
	size_t n;
	uint32_t flags;
};

static struct {
	struct fl_region regions[FL_COREDUMP_REGIONS_MAX];
	size_t nregions;
	struct plan plan;        /* the capture's (here, not on the fault path's small stack) */
	struct fl_rtos_capture rtos;
	bool planning;           /* fl_coredump_plan() adds to plan */
	uintptr_t overflow;      /* the task fl_rtos_stack_overflow() named */
	struct {
		uint16_t reason;
		uint32_t code;
		uintptr_t pc, lr;
	} pending;
} s_capture;

void fl_coredump_boot(void)
{
	s_capture.nregions = 0;
	s_capture.pending.reason = 0;
	s_capture.overflow = 0;
}

void fl_rtos_stack_overflow(uintptr_t task)
{
	s_capture.overflow = task;
	fl_coredump_set_pending(FL_REASON_STACK_OVERFLOW, 0, (uintptr_t)FL_RETURN_ADDRESS(), 0);
	fl_port_capture_now();
}

int fl_coredump_add_region(const void *addr, size_t len)
{
	if (len == 0)
		return FL_ERR_INVALID_ARG;
	if (s_capture.nregions >= FL_COREDUMP_REGIONS_MAX)
		return FL_ERR_NO_SPACE;
	s_capture.regions[s_capture.nregions].addr = (uintptr_t)addr;
	s_capture.regions[s_capture.nregions].len = len;
	s_capture.nregions++;
	return 0;
}

void fl_coredump_set_pending(uint16_t reason, uint32_t code, uintptr_t pc, uintptr_t lr)
{
	s_capture.pending.reason = reason;
	s_capture.pending.code = code;
	s_capture.pending.pc = pc;
	s_capture.pending.lr = lr;
}

uint16_t fl_capture_pending_reason(void)
{
	return s_capture.pending.reason;
}

/* ---- the fault path ---- */

static void plan_piece(struct plan *p, uintptr_t addr, uintptr_t end)
{
	if (end > addr && p->n < REGIONS_CAP) {
		p->r[p->n].addr = addr;
		p->r[p->n].len = end - addr;
		p->n++;
	}
}

/* Plan [addr, addr + len): its readable bytes that no planned region holds (regions never overlap, FORMAT.md
 * §8.1: a port's region over the stack, "the kernel's RAM", adds only what the stack does not have), as one piece
 * or several. Without recursion: the fault path's stack is small. */
static void plan_add(struct plan *p, uintptr_t addr, size_t len)
{
	uintptr_t end = addr + fl_port_memory_readable(addr, len);

	while (addr < end) {
		size_t first = p->n; /* the planned region starting lowest among those overlapping [addr, end) */

		for (size_t i = 0; i < p->n; i++)
			if (p->r[i].addr < end && p->r[i].addr + p->r[i].len > addr &&
			    (first == p->n || p->r[i].addr < p->r[first].addr))
				first = i;
		if (first == p->n) {
			plan_piece(p, addr, end);
			return;
		}
		plan_piece(p, addr, p->r[first].addr); /* (nothing is planned below it) */
		addr = p->r[first].addr + p->r[first].len;
	}
}

void fl_coredump_plan(uintptr_t addr, size_t len)
{
	if (s_capture.planning)
		plan_add(&s_capture.plan, addr, len);
}

static void plan_regions(struct plan *p, const struct fl_capture *c)
{
	struct fl_region extra[PORT_REGIONS_MAX];
	size_t nextra;

	p->n = 0;
	p->flags = c->flags;
	if (c->sp != 0) {
		bool bounded = c->stack_hi > c->stack_lo;
		/* An overflowed sp lies below the stack: capture from the stack's bottom, where the deepest frames are. */
		uintptr_t start = bounded && c->sp < c->stack_lo ? c->stack_lo : c->sp;
		uintptr_t end = start + FL_COREDUMP_STACK_MAX;

		if (bounded && end > c->stack_hi)
			end = c->stack_hi;
		if (end > start)
			plan_add(p, start, end - start);
	}
	for (size_t i = 0; i < s_capture.nregions; i++)
		plan_add(p, s_capture.regions[i].addr, s_capture.regions[i].len);
	memset(&s_capture.rtos, 0, sizeof(s_capture.rtos));
	s_capture.rtos.overflow = s_capture.overflow; /* (the port plans an overflowed task's saved context) */
	s_capture.planning = true;
	fl_port_rtos_capture(c, &s_capture.rtos);
	s_capture.planning = false;
	s_capture.rtos.overflow = s_capture.rtos.kind != 0 ? s_capture.overflow : 0;
	if (s_capture.rtos.ntasks > FL_RTOS_TASKS_MAX) /* (a port's bug: not trusted) */
		s_capture.rtos.ntasks = FL_RTOS_TASKS_MAX;
	nextra = fl_port_coredump_regions(extra, PORT_REGIONS_MAX);
	for (size_t i = 0; i < nextra && i < PORT_REGIONS_MAX; i++)
		plan_add(p, extra[i].addr, extra[i].len);
}

/* The whole message: envelope, then the coredump payload map. */
static void encode(struct fl_sink *s, const struct fl_capture *c, const struct plan *p)
{
	uint16_t reason = s_capture.pending.reason != 0 ? s_capture.pending.reason : c->reason;
	bool site = s_capture.pending.reason != 0, code = s_capture.pending.reason == FL_REASON_FATAL_ERROR;
	bool stack = c->stack_hi > c->stack_lo, fault = c->fault != NULL, fp = c->fpregs != NULL;
	const struct fl_rtos_capture *rtos = &s_capture.rtos;
	uint64_t uptime = fl_port_uptime_ms();

	fl_message_begin(s, FL_MSG_COREDUMP, 0, true);
	fl_cbor_map(s, 4u + fault + stack + site + code + fp + (uptime != 0) + (c->signal != NULL) + (rtos->kind != 0));
	fl_cbor_key_uint(s, KEY_REASON, reason);
	fl_cbor_key_uint(s, KEY_FLAGS, p->flags);
	fl_cbor_uint(s, KEY_REGS);
	fl_cbor_words(s, c->regs, c->nregs);
	if (fault) {
		fl_cbor_uint(s, KEY_FAULT);
		fl_cbor_words32(s, c->fault, c->nfault);
	}
	if (stack) {
		fl_cbor_key_pair(s, KEY_STACK, c->stack_lo, c->stack_hi);
	}
	fl_cbor_uint(s, KEY_REGIONS);
	fl_cbor_array(s, p->n);
	for (size_t i = 0; i < p->n; i++) {
		fl_cbor_array(s, 3);
		fl_cbor_uint(s, p->r[i].addr);
		fl_cbor_uint(s, 0); /* raw */
		fl_cbor_bytes(s, (const void *)p->r[i].addr, p->r[i].len);
	}
	if (site) {
		fl_cbor_key_pair(s, KEY_SITE, s_capture.pending.pc, s_capture.pending.lr);
	}
	if (code) {
		fl_cbor_key_uint(s, KEY_CODE, s_capture.pending.code);
	}
	if (fp) {
		fl_cbor_uint(s, KEY_FPREGS);
		fl_cbor_words32(s, c->fpregs, c->nfpregs);
	}
	if (uptime != 0) {
		fl_cbor_key_u64(s, KEY_UPTIME, uptime);
	}
	if (c->signal != NULL) {
		fl_cbor_uint(s, KEY_SIGNAL);
		fl_cbor_array(s, 3);
		for (int i = 0; i < 3; i++)
			fl_cbor_uint(s, c->signal[i]);
	}
	if (rtos->kind != 0) {
		fl_cbor_uint(s, KEY_RTOS);
		fl_cbor_map(s, 3u + (rtos->overflow != 0));
		fl_cbor_key_uint(s, 1, rtos->kind);
		fl_cbor_key_uint(s, 2, rtos->found);
		fl_cbor_uint(s, 3);
		fl_cbor_array(s, rtos->ntasks);
		for (size_t i = 0; i < rtos->ntasks; i++) {
			bool measured = rtos->tasks[i].high_water != FL_RTOS_HIGH_WATER_UNKNOWN;

			fl_cbor_array(s, 1u + measured);
			fl_cbor_uint(s, rtos->tasks[i].tcb);
			if (measured)
				fl_cbor_uint(s, rtos->tasks[i].high_water);
		}
		if (rtos->overflow != 0)
			fl_cbor_key_uint(s, 4, rtos->overflow);
	}
}

static uint32_t measure(const struct fl_capture *c, const struct plan *p)
{
	struct fl_sink count = {NULL, 0};

	encode(&count, c, p);
	return count.pos;
}

/* Keep the message within budget bytes: regions in priority order, the first that does not fit clipped (its
 * start kept: for the stack, the frames nearest the fault), the rest left out. */
static int fit(const struct fl_capture *c, struct plan *p, uint32_t budget)
{
	size_t all = p->n;

	if (measure(c, p) <= budget)
		return 0;
	p->flags |= FLAG_TRUNCATED;
	for (p->n = 1; p->n <= all; p->n++) {
		struct fl_region *r = &p->r[p->n - 1];
		uint32_t size = measure(c, p);

		if (size <= budget)
			continue;
		r->len = size - budget < r->len ? r->len - (size - budget) : 0;
		while (r->len > 0 && measure(c, p) > budget)
			r->len--;
		if (r->len < CLIP_MIN)
			p->n--;
		break;
	}
	if (p->n > all)
		p->n = all;
	return measure(c, p) <= budget ? 0 : FL_ERR_NO_SPACE;
}

static int write_dump(const struct fl_capture *c)
{
	struct plan *p = &s_capture.plan;
	struct fl_storage_sink sink;
	uint32_t budget;
	int rc = fl_storage_open(&sink, &budget);

	if (rc != 0)
		return rc;
	plan_regions(p, c);
	rc = fit(c, p, budget);
	if (rc != 0)
		return rc;
	encode(&sink.base, c, p);
	return fl_storage_commit(&sink);
}

int fl_coredump_save(const struct fl_capture *c)
{
	int rc = write_dump(c);

	fl_reboot_record(s_capture.pending.reason != 0 ? s_capture.pending.reason : c->reason, s_capture.pending.pc,
			 s_capture.pending.lr, rc == 0);
	return rc;
}
